//! The seed of migration 4 (`migrations/0004_seals.sql`), run between its
//! two SQL files in the same transaction:
//!
//! - submitted audits get seal format 1 (their seals stay as they were);
//! - every checklist template gets its content hash;
//! - every closure and attachment gets its fact hash;
//! - the old history rows are copied, in order, into the new chained table;
//!   a row that recorded a closure, an attachment or a submission gets the
//!   hash of that fact, and a closure, attachment or submission that no row
//!   recorded (closures imported with a dossier) gets a row of its own, at
//!   the end;
//! - the old history table is dropped.

use rusqlite::{Connection, params};

use super::history::{Change, append};
use super::{SupplierId, checklists, facts};
use crate::error::Result;
use crate::model::{HistoryAction, HistoryEntity};

pub(super) fn seed(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE audits SET seal_format = 1 WHERE status = 'submitted'", [])?;
    checklists::seal_templates(conn)?;
    hash_facts(conn)?;
    chain_history(conn)?;
    conn.execute_batch("DROP TABLE history_v2")?;
    Ok(())
}

fn hash_facts(conn: &Connection) -> Result<()> {
    let closures: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT finding_id, closed_on, evidence, closed_by, recorded_at FROM finding_closures")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (finding, closed_on, evidence, closed_by, recorded_at) in closures {
        let hash = facts::closure_hash_v1(conn, finding, [&closed_on, &evidence, &closed_by, &recorded_at])?;
        conn.execute("UPDATE finding_closures SET fact_hash = ?2 WHERE finding_id = ?1", params![finding, hash])?;
    }
    let attachments: Vec<(i64, i64, String, i64, String, String, String)> = conn
        .prepare("SELECT id, evidence_id, path, size, sha256, attached_at, attached_by FROM attachments")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, evidence, path, size, sha, at, by) in attachments {
        let hash = facts::attachment_hash_v1(conn, evidence, (&path, size, &sha), None, (&at, &by))?;
        conn.execute("UPDATE attachments SET fact_hash = ?2 WHERE id = ?1", params![id, hash])?;
    }
    Ok(())
}

/// One row of the old history table.
struct OldRow {
    at: String,
    actor: String,
    supplier: Option<SupplierId>,
    entity: HistoryEntity,
    key: String,
    action: HistoryAction,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
}

fn chain_history(conn: &Connection) -> Result<()> {
    let rows: Vec<OldRow> = conn
        .prepare(
            "SELECT at, actor, supplier_id, entity, entity_key, action, field, old_value, new_value
             FROM history_v2 ORDER BY id",
        )?
        .query_map([], |r| {
            Ok(OldRow {
                at: r.get(0)?,
                actor: r.get(1)?,
                supplier: r.get::<_, Option<i64>>(2)?.map(SupplierId),
                entity: r.get(3)?,
                key: r.get(4)?,
                action: r.get(5)?,
                field: r.get(6)?,
                old: r.get(7)?,
                new: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut linked = std::collections::HashSet::new();
    for row in &rows {
        let fact = fact_of(conn, row)?.filter(|hash| linked.insert(hash.clone()));
        let change = Change {
            field: row.field.as_deref(),
            old: row.old.as_deref(),
            new: row.new.as_deref(),
            fact: fact.as_deref(),
            ..Change::of(row.supplier, row.entity, &row.key, row.action)
        };
        append(conn, &row.at, &row.actor, &change)?;
    }
    record_unlinked(conn, &linked)
}

/// The hash of the fact an old history row recorded, found by the key and
/// text casebook wrote for it.
fn fact_of(conn: &Connection, row: &OldRow) -> Result<Option<String>> {
    let one = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(conn.prepare(sql)?.query_row(args, |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
    };
    match (row.entity, row.action) {
        (HistoryEntity::Audit, HistoryAction::Submit) => {
            one("SELECT content_hash FROM audits WHERE ref = ?1 AND status = 'submitted'", &[&row.key])
        }
        // Key "REF finding ID".
        (HistoryEntity::Finding, HistoryAction::Close) => match row.key.rsplit_once(" finding ") {
            Some((reference, id)) => one(
                "SELECT c.fact_hash FROM finding_closures c JOIN findings f ON f.id = c.finding_id
                 JOIN audits a ON a.id = f.audit_id WHERE c.finding_id = ?1 AND a.ref = ?2",
                &[&id.parse::<i64>().unwrap_or(-1), &reference],
            ),
            None => Ok(None),
        },
        // Key "REF evidence ID", new value "PATH (SIZE bytes, sha256 HASH)".
        (HistoryEntity::Attachment, HistoryAction::Attach) => match row.key.rsplit_once(" evidence ") {
            Some((_, id)) => one(
                "SELECT fact_hash FROM attachments WHERE evidence_id = ?1
                   AND path || ' (' || size || ' bytes, sha256 ' || sha256 || ')' = ?2 ORDER BY id LIMIT 1",
                &[&id.parse::<i64>().unwrap_or(-1), &row.new],
            ),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Closures, attachments and submissions no old history row recorded: one
/// row each now, so that the history chain covers every fact.
fn record_unlinked(conn: &Connection, linked: &std::collections::HashSet<String>) -> Result<()> {
    let unlinked: Vec<(i64, HistoryEntity, HistoryAction, String, String, String)> = conn
        .prepare(
            "SELECT a.supplier_id, 'finding', 'close', a.ref || ' finding ' || f.id,
                    'closed ' || c.closed_on || ' by ' || c.closed_by || ': ' || c.evidence
                      || ' (recorded ' || c.recorded_at || '; entered in the history chain when the chain was introduced)',
                    c.fact_hash
             FROM finding_closures c JOIN findings f ON f.id = c.finding_id JOIN audits a ON a.id = f.audit_id
             UNION ALL
             SELECT a.supplier_id, 'attachment', 'attach', a.ref || ' evidence ' || e.id,
                    t.path || ' (' || t.size || ' bytes, sha256 ' || t.sha256 || '; attached ' || t.attached_at
                      || ' by ' || t.attached_by || '; entered in the history chain when the chain was introduced)',
                    t.fact_hash
             FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id
             UNION ALL
             SELECT supplier_id, 'audit', 'submit', ref,
                    grade || ' (submitted ' || submitted_at || '; entered in the history chain when the chain was introduced)',
                    content_hash
             FROM audits WHERE status = 'submitted'
             ORDER BY 4, 6",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|row| !linked.contains(&row.5))
        .collect();
    let at = super::now_stamp();
    for (supplier, entity, action, key, new, fact) in unlinked {
        let change = Change {
            new: Some(&new),
            fact: Some(&fact),
            ..Change::of(Some(SupplierId(supplier)), entity, &key, action)
        };
        append(conn, &at, "casebook", &change)?;
    }
    Ok(())
}
