//! Facts recorded after an audit's seal: finding closures and attachments.
//!
//! Each is append-only (triggers) and carries its own hash (`fact_hash`) of
//! its canonical content, which names the audit by reference and the finding
//! or evidence item by content, never by row id. The history row that
//! records the fact carries the same hash, so the history chain covers it:
//! editing a closure or an attachment row shows as a hash mismatch, and
//! re-hashing it as a fact the history chain does not hold.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row, params};
use serde_json::Value;

use super::{Reader, sha256_hex};
use crate::error::Result;

/// The columns a closure's hash covers, finding and audit included.
const CLOSURE_SQL: &str = "SELECT a.ref, f.severity, f.description, f.owner, f.due_on,
        c.closed_on, c.evidence, c.closed_by, c.recorded_at, c.finding_id, c.fact_hash
    FROM finding_closures c JOIN findings f ON f.id = c.finding_id JOIN audits a ON a.id = f.audit_id";

/// The columns an attachment's hash covers, evidence item and audit included.
const ATTACHMENT_SQL: &str = "SELECT a.ref, e.pillar, e.kind, e.strength, e.collected_on, e.description, e.reference,
        t.path, t.size, t.sha256, t.attached_at, t.attached_by, t.id, t.fact_hash
    FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id";

/// The hash of a fact of `kind` whose canonical content is `values`.
pub(crate) fn fact_hash(kind: &str, values: &[Value]) -> String {
    let mut bytes = format!("casebook-{kind}/1\x1f").into_bytes();
    bytes.extend(Value::from(values.to_vec()).to_string().into_bytes());
    sha256_hex(&bytes)
}

fn value(row: &Row<'_>, at: usize) -> rusqlite::Result<Value> {
    Ok(match row.get_ref(at)? {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
    })
}

fn values(row: &Row<'_>, count: usize) -> rusqlite::Result<Vec<Value>> {
    (0..count).map(|i| value(row, i)).collect()
}

/// The hash a closure of `finding` with these values will have.
pub(crate) fn closure_hash(
    conn: &Connection,
    finding: i64,
    closed_on: &str,
    evidence: &str,
    closed_by: &str,
    recorded_at: &str,
) -> Result<String> {
    let mut parts = conn
        .prepare_cached(
            "SELECT a.ref, f.severity, f.description, f.owner, f.due_on
             FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.id = ?1",
        )?
        .query_row([finding], |r| values(r, 5))?;
    parts.extend([closed_on, evidence, closed_by, recorded_at].map(Value::from));
    Ok(fact_hash("closure", &parts))
}

/// The hash an attachment of evidence item `evidence` with these values will have.
pub(crate) fn attachment_hash(
    conn: &Connection,
    evidence: i64,
    file: (&str, i64, &str),
    attached_at: &str,
    attached_by: &str,
) -> Result<String> {
    let mut parts = conn
        .prepare_cached(
            "SELECT a.ref, e.pillar, e.kind, e.strength, e.collected_on, e.description, e.reference
             FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE e.id = ?1",
        )?
        .query_row([evidence], |r| values(r, 7))?;
    let (path, size, sha256) = file;
    parts.extend([Value::from(path), Value::from(size), Value::from(sha256)]);
    parts.extend([attached_at, attached_by].map(Value::from));
    Ok(fact_hash("attachment", &parts))
}

/// Every closure (finding id) and attachment (id) with its recomputed and
/// its stored hash.
pub(crate) fn all_facts(conn: &Connection) -> Result<Vec<(String, String, Option<String>)>> {
    let mut out = Vec::new();
    for (kind, sql, count) in [("closure", CLOSURE_SQL, 9), ("attachment", ATTACHMENT_SQL, 12)] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let name = match kind {
                "closure" => format!("the closure of finding {}", r.get::<_, i64>(count)?),
                _ => format!("attachment {}", r.get::<_, i64>(count)?),
            };
            out.push((name, fact_hash(kind, &values(r, count)?), r.get(count + 1)?));
        }
    }
    Ok(out)
}

impl Reader<'_> {
    /// Re-hashes every closure and attachment and looks for the history row
    /// that recorded it; one sentence per problem, and how many facts.
    pub fn verify_facts(&self) -> Result<(Vec<String>, usize)> {
        let facts = all_facts(self.conn)?;
        let mut linked = self.conn.prepare("SELECT EXISTS (SELECT 1 FROM history WHERE fact_hash = ?1)")?;
        let mut problems = Vec::new();
        for (name, recomputed, stored) in &facts {
            match stored {
                Some(stored) if stored == recomputed => {
                    if !linked.query_row(params![stored], |r| r.get::<_, bool>(0))? {
                        problems.push(format!(
                            "{name} is not recorded in the history chain: it was added or re-hashed outside casebook"
                        ));
                    }
                }
                Some(_) => {
                    problems.push(format!("{name} was changed after it was recorded: it no longer matches its hash"));
                }
                None => problems.push(format!("{name} has no hash: it was added outside casebook")),
            }
        }
        Ok((problems, facts.len()))
    }
}
