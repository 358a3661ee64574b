//! Suspending one of the schema's triggers for a bulk write inside a
//! transaction, and putting it back before that transaction commits, so that
//! no other connection ever sees it missing.

use std::cell::RefCell;

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Drops trigger `name` until the transaction commits, when it is created
/// again from its own SQL; a transaction that does not commit rolls the drop
/// back. Other connections never see it missing. For a bulk write whose rows
/// casebook has already checked against what the trigger guards (see
/// `Writer::lot_writer`). Nothing happens when the trigger is not there (a
/// tampered file stays as `casebook check` will find it).
pub(super) fn suspend_trigger(conn: &Connection, suspended: &RefCell<Vec<(String, String)>>, name: &str) -> Result<()> {
    // Asked again for every audit a merge adds: kept prepared.
    let sql: Option<String> = conn
        .prepare_cached("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    if let Some(sql) = sql {
        // The name is one of casebook's own, never user input.
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        let mut suspended = suspended.borrow_mut();
        if !suspended.iter().any(|(n, _)| n == name) {
            suspended.push((name.to_owned(), sql));
        }
    }
    Ok(())
}

/// Creates again, inside the transaction about to commit, every suspended
/// trigger that is missing (one dropped in a savepoint that was rolled back
/// is back already).
pub(super) fn restore_triggers(conn: &Connection, suspended: &[(String, String)]) -> Result<()> {
    for (name, sql) in suspended {
        let present: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !present {
            conn.execute_batch(sql)?;
        }
    }
    Ok(())
}
