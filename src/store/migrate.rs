//! Migrations: an append-only list indexed by `PRAGMA user_version`.
//!
//! Never remove or rewrite a released migration; add a new one at the end.
//! Each runs in its own `BEGIN IMMEDIATE` transaction that also bumps
//! `user_version`, so a crash leaves the database at a whole version and two
//! processes opening a new file at once cannot apply a step twice.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Result;

struct Migration {
    name: &'static str,
    sql: &'static str,
    /// Data written by code after the SQL, in the same transaction.
    seed: Option<fn(&Connection) -> Result<()>>,
    /// SQL run after the seed, in the same transaction (triggers that would
    /// refuse what the seed writes).
    finish: Option<&'static str>,
    /// The tables the step rebuilds (make the new one, copy, drop the old,
    /// rename): foreign keys are turned off for it, as SQLite's own
    /// procedure says (dropping a parent table with them on would delete or
    /// refuse its children), and `PRAGMA foreign_key_check` of these tables
    /// and of every table that refers to them must find no more than before.
    rebuilds: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "schema",
        sql: include_str!("../../schema.sql"),
        seed: Some(super::policy::seed_defaults),
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "checklist odm-capability/1",
        sql: include_str!("../../migrations/0002_checklist_odm_capability_1.sql"),
        seed: None,
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "lot annotations and control plans",
        sql: include_str!("../../migrations/0003_annotations_control_plans.sql"),
        seed: None,
        finish: None,
        rebuilds: &[],
    },
    // A migration that adds a checklist template calls
    // `checklists::seal_templates` in its seed.
    Migration {
        name: "seals",
        sql: include_str!("../../migrations/0004_seals.sql"),
        seed: Some(super::migrate_seals::seed),
        finish: Some(include_str!("../../migrations/0004_seals_triggers.sql")),
        rebuilds: &[],
    },
    Migration {
        name: "notes on unanswered questions",
        sql: include_str!("../../migrations/0005_question_notes.sql"),
        seed: None,
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "attachment file store",
        sql: include_str!("../../migrations/0006_attachment_file_store.sql"),
        seed: None,
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "installation",
        sql: include_str!("../../migrations/0007_installation.sql"),
        seed: Some(super::installation::seed),
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "identity",
        sql: include_str!("../../migrations/0008_identity.sql"),
        seed: Some(super::migrate_identity::seed),
        finish: Some(include_str!("../../migrations/0008_identity_triggers.sql")),
        rebuilds: &[],
    },
    Migration {
        name: "hub",
        sql: include_str!("../../migrations/0009_hub.sql"),
        seed: None,
        finish: None,
        rebuilds: &[],
    },
    Migration {
        name: "shared audit references, claim retirements that change",
        sql: include_str!("../../migrations/0010_team_refs_retirements.sql"),
        seed: None,
        finish: None,
        rebuilds: &["audits"],
    },
    Migration {
        name: "CHECK lists as comparisons",
        sql: "",
        seed: Some(super::migrate_checks::seed),
        finish: None,
        rebuilds: &[],
    },
];

/// The schema version this binary writes; newer files are refused.
#[allow(clippy::cast_possible_wrap)] // a handful of migrations
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn apply(conn: &mut Connection, application_id: i64) -> Result<()> {
    // Only take the write lock when there is something to do: opening a
    // database must not wait behind another process's import.
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current >= LATEST_VERSION {
        return Ok(());
    }
    let pending = usize::try_from(current).ok().and_then(|v| MIGRATIONS.get(v..)).unwrap_or_default();
    // `PRAGMA foreign_keys` cannot change inside a transaction: it is turned
    // off before the steps and back on after them, whatever they did.
    let lift = pending.iter().any(|m| !m.rebuilds.is_empty())
        && conn.pragma_query_value::<bool, _>(None, "foreign_keys", |r| r.get(0))?;
    if lift {
        conn.pragma_update(None, "foreign_keys", false)?;
    }
    let applied = apply_steps(conn, application_id, LATEST_VERSION);
    if lift {
        conn.pragma_update(None, "foreign_keys", true)?;
    }
    applied
}

/// Applies the steps after the file's version up to version `until`.
fn apply_steps(conn: &mut Connection, application_id: i64, until: i64) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the lock: another process may have migrated meanwhile.
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some(step) = usize::try_from(version).ok().filter(|_| version < until).and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        // A file may hold broken references already (`casebook check` names
        // them); a rebuild must not add any.
        let broken_before = foreign_key_problems(&tx, step.rebuilds)?;
        tx.execute_batch(step.sql)
            .map_err(|e| crate::Error::Invalid(format!("migration {} ({}) failed: {e}", version + 1, step.name)))?;
        if let Some(seed) = step.seed {
            seed(&tx)
                .map_err(|e| crate::Error::Invalid(format!("migration {} ({}) failed: {e}", version + 1, step.name)))?;
        }
        if let Some(finish) = step.finish {
            tx.execute_batch(finish)
                .map_err(|e| crate::Error::Invalid(format!("migration {} ({}) failed: {e}", version + 1, step.name)))?;
        }
        if !step.rebuilds.is_empty() {
            let broken = foreign_key_problems(&tx, step.rebuilds)?;
            if broken > broken_before {
                return Err(crate::Error::Invalid(format!(
                    "migration {} ({}) failed: it would leave {} more row(s) with a broken reference",
                    version + 1,
                    step.name,
                    broken - broken_before
                )));
            }
        }
        if version == 0 {
            tx.pragma_update(None, "application_id", application_id)?;
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

/// How many rows `PRAGMA foreign_key_check` finds in `tables` and in every
/// table whose foreign keys name one of them (not the whole file: a
/// million lots need no look).
fn foreign_key_problems(conn: &Connection, tables: &[&str]) -> Result<i64> {
    let mut count = 0;
    for table in tables {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT m.name FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND (m.name = ?1 OR f.\"table\" = ?1)",
        )?;
        let related: Vec<String> = stmt.query_map([table], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for name in related {
            let mut check = conn.prepare("SELECT count(*) FROM pragma_foreign_key_check(?1)")?;
            count += check.query_row([&name], |r| r.get::<_, i64>(0))?;
        }
    }
    Ok(count)
}

/// A database in memory with every migration applied: casebook's schema as
/// this binary writes it, for `casebook check` to compare a file against.
pub(crate) fn reference() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    apply(&mut conn, 0)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, 7).unwrap();
        assert_eq!(version(&conn), LATEST_VERSION);
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        apply(&mut conn, 7).unwrap();
        assert_eq!(version(&conn), LATEST_VERSION);
        let again: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, again);
    }

    #[test]
    fn every_migration_parses_on_its_own() {
        let conn = Connection::open_in_memory().unwrap();
        for (i, step) in MIGRATIONS.iter().enumerate() {
            conn.execute_batch(step.sql).unwrap_or_else(|e| panic!("migration {} failed: {e}", i + 1));
            if let Some(finish) = step.finish {
                conn.execute_batch(finish).unwrap_or_else(|e| panic!("migration {} (finish) failed: {e}", i + 1));
            }
        }
    }

    /// The version a file is at just before the step named `name`.
    fn before_step(name: &str) -> i64 {
        i64::try_from(MIGRATIONS.iter().position(|m| m.name == name).unwrap()).unwrap()
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The legacy fixture brought to the version before the audits table
    /// was rebuilt, with rows that go with their audit (`ON DELETE
    /// CASCADE`), then opened as casebook opens a file (foreign keys on):
    /// every row stays, the schema is casebook's own, and the rules changed.
    #[test]
    fn rebuilding_audits_keeps_every_row_and_every_reference() {
        const STEP: &str = "shared audit references, claim retirements that change";
        const COUNTS: &str = "SELECT (SELECT count(*) FROM audits) || ' ' || (SELECT count(*) FROM answers) || ' ' ||
            (SELECT count(*) FROM evidence) || ' ' || (SELECT count(*) FROM findings) || ' ' ||
            (SELECT count(*) FROM audit_cursors) || ' ' || (SELECT count(*) FROM question_notes) || ' ' ||
            (SELECT count(*) FROM history) || ' ' || (SELECT group_concat(gid || ref || status) FROM audits)";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("previous.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../../tests/fixtures/legacy-v2/db.sql")).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply_steps(&mut conn, super::super::APPLICATION_ID, before_step(STEP)).unwrap();
        assert_eq!(version(&conn), before_step(STEP));
        conn.execute_batch(
            "INSERT INTO audit_cursors (audit_id, question, updated_at)
                 SELECT id, 'LG-01', '2026-12-01T00:00:00Z' FROM audits WHERE status = 'draft';
             INSERT INTO question_notes (audit_id, question, note)
                 SELECT id, 'LG-02', 'payee named on the proforma' FROM audits WHERE status = 'draft';",
        )
        .unwrap();
        let shared = "INSERT INTO audits (ref, supplier_id, auditor, visited_on, kind, template, gid)
             SELECT ref, supplier_id, 'chen', visited_on, kind, template, '01900000-0000-7000-8000-000000000001'
             FROM audits WHERE ref = 'A-2026-042'";
        let retire =
            "UPDATE claims SET retired_on = stated_on WHERE id = (SELECT min(id) FROM claims WHERE voided_at IS NULL);
                      UPDATE claims SET retired_on = date(stated_on, '+1 day')
                      WHERE id = (SELECT min(id) FROM claims WHERE voided_at IS NULL)";
        assert!(conn.execute(shared, []).is_err(), "before: a reference is unique");
        assert!(conn.execute_batch(&format!("SAVEPOINT s; {retire}; RELEASE s")).is_err(), "before: retired once");
        conn.execute_batch("ROLLBACK").ok();
        let before: String = conn.query_row(COUNTS, [], |r| r.get(0)).unwrap();
        assert!(count(&conn, "SELECT count(*) FROM audit_cursors") > 0);
        drop(conn);

        let store = super::super::Store::open(&path, super::super::OpenMode::Existing).unwrap();
        let conn = &store.conn;
        assert_eq!(version(conn), LATEST_VERSION);
        assert_eq!(conn.query_row(COUNTS, [], |r| r.get::<_, String>(0)).unwrap(), before);
        assert_eq!(count(conn, "PRAGMA foreign_keys"), 1, "foreign keys are on again");
        let read = store.read();
        assert_eq!(read.foreign_key_problems().unwrap(), Vec::<String>::new());
        assert_eq!(read.integrity_problems().unwrap(), Vec::<String>::new());
        let reference = reference().unwrap();
        assert_eq!(read.schema_problems(&reference).unwrap().0, Vec::<String>::new());
        let seals = read.verify_seals(None).unwrap();
        assert_eq!((seals.problems.len(), seals.sealed), (0, 15));
        // After: two audits may share a reference, and a retirement moves.
        conn.execute(shared, []).unwrap();
        conn.execute_batch(retire).unwrap();
        assert_eq!(count(conn, "SELECT count(*) FROM audits WHERE ref = 'A-2026-042'"), 2);
    }

    #[test]
    fn a_rebuild_checks_the_references_of_the_table_and_of_its_children_only() {
        let conn = reference().unwrap();
        assert_eq!(foreign_key_problems(&conn, &["audits"]).unwrap(), 0);
        // A cursor left behind by an audit that is gone.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        conn.execute("INSERT INTO audit_cursors (audit_id, question, updated_at) VALUES (999, 'LG-01', 'x')", [])
            .unwrap();
        assert_eq!(foreign_key_problems(&conn, &["audits"]).unwrap(), 1);
        assert_eq!(foreign_key_problems(&conn, &["lots"]).unwrap(), 0, "lots are not related to audit cursors");
    }
}
