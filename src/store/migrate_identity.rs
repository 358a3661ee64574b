//! Migration 5's seed: a global id for every row that existed before global
//! ids. Each is a name-based id ([`Gid::derived`]) over the row's natural
//! key and content, so two copies of one database file upgraded apart give
//! the same row the same id (and a merge of the two finds them equal),
//! while two different rows never share one. Rows identical in every
//! respect are told apart by their order of entry.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::Result;
use crate::model::Gid;

pub(super) fn seed(conn: &Connection) -> Result<()> {
    derive(
        conn,
        "claims",
        "claim",
        "SELECT c.id, s.code, c.capability, c.source, c.stated_on, c.statement
         FROM claims c JOIN suppliers s ON s.id = c.supplier_id ORDER BY c.id",
    )?;
    derive(
        conn,
        "audits",
        "audit",
        "SELECT a.id, a.ref, s.code, a.auditor, a.visited_on, a.kind, a.template
         FROM audits a JOIN suppliers s ON s.id = a.supplier_id ORDER BY a.id",
    )?;
    derive(
        conn,
        "evidence",
        "evidence",
        "SELECT e.id, a.gid, e.pillar, e.kind, e.strength, e.collected_on, e.description, e.reference
         FROM evidence e JOIN audits a ON a.id = e.audit_id ORDER BY e.id",
    )?;
    derive(
        conn,
        "findings",
        "finding",
        "SELECT f.id, a.gid, f.severity, f.description, f.owner, f.due_on
         FROM findings f JOIN audits a ON a.id = f.audit_id ORDER BY f.id",
    )?;
    derive(
        conn,
        "attachments",
        "attachment",
        "SELECT t.id, e.gid, t.path, t.size, t.sha256, t.attached_at, t.attached_by
         FROM attachments t JOIN evidence e ON e.id = t.evidence_id ORDER BY t.id",
    )?;
    derive(
        conn,
        "history",
        "history",
        "SELECT h.id, h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value, h.new_value
         FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id ORDER BY h.id",
    )?;
    Ok(())
}

/// Gives every row of `table` the id derived from the columns `select`
/// returns after the row id (in the order given), plus how many identical
/// rows came before it.
fn derive(conn: &Connection, table: &str, kind: &str, select: &str) -> Result<()> {
    let mut rows: Vec<(i64, Vec<String>)> = Vec::new();
    {
        let mut stmt = conn.prepare(select)?;
        let columns = stmt.column_count();
        let mut cursor = stmt.query([])?;
        while let Some(r) = cursor.next()? {
            let parts = (1..columns).map(|i| text(r.get_ref(i))).collect::<rusqlite::Result<Vec<_>>>()?;
            rows.push((r.get(0)?, parts));
        }
    }
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let mut update = conn.prepare(&format!("UPDATE {table} SET gid = ?2 WHERE id = ?1"))?;
    for (id, parts) in rows {
        let n = seen.entry(parts.clone()).or_default();
        let refs: Vec<Option<&str>> = parts.iter().map(|p| (p != NULL).then_some(p.as_str())).collect();
        update.execute(rusqlite::params![id, derived_gid(kind, &refs, *n)])?;
        *n += 1;
    }
    Ok(())
}

/// How a NULL column enters a derived id: no stored text contains it.
const NULL: &str = "\0";

/// The name-based id of a record from its natural key and content
/// (`None` for an empty column) and how many identical records came
/// before it. The migration gives existing rows these ids, and a dossier
/// without ids (`casebook-dossier/1`) gives its records the same ones, so
/// one dossier imported into two databases, or a database upgraded in two
/// copies, agree on every id.
pub(crate) fn derived_gid(kind: &str, parts: &[Option<&str>], occurrence: usize) -> Gid {
    let n = occurrence.to_string();
    let mut all: Vec<&str> = parts.iter().map(|p| p.unwrap_or(NULL)).collect();
    all.push(&n);
    Gid::derived(kind, &all)
}

/// A column as text for the id: NULL is the empty marker `\0`, which no
/// stored text contains.
fn text(value: rusqlite::Result<rusqlite::types::ValueRef<'_>>) -> rusqlite::Result<String> {
    use rusqlite::types::ValueRef;
    Ok(match value? {
        ValueRef::Null => NULL.to_owned(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    /// The triggers migration 5 lifts for its seed come back exactly as
    /// the migrations that made them wrote them (same text, so `check`'s
    /// schema comparison and the protections are unchanged).
    #[test]
    fn lifted_triggers_come_back_unchanged() {
        let earlier = [include_str!("../../schema.sql"), include_str!("../../migrations/0004_seals_triggers.sql")];
        let lifted = include_str!("../../migrations/0008_identity.sql");
        let again = include_str!("../../migrations/0008_identity_triggers.sql");
        let body = |text: &str, name: &str| -> Option<String> {
            let start = text.find(&format!("CREATE TRIGGER {name} "))?;
            let end = text[start..].find("END;")? + start + 4;
            Some(text[start..end].to_owned())
        };
        let names: Vec<&str> =
            lifted.lines().filter_map(|l| l.strip_prefix("DROP TRIGGER ")).map(|n| n.trim_end_matches(';')).collect();
        assert_eq!(names.len(), 11);
        for name in names {
            // The last definition before migration 5 is the one in force.
            let original = earlier.iter().rev().find_map(|t| body(t, name)).expect("defined before");
            assert_eq!(body(again, name).as_deref(), Some(original.as_str()), "{name}");
        }
    }
}
