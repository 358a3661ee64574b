//! Facts recorded after an audit's seal: finding closures and attachments.
//!
//! Each is append-only (triggers) and carries its own hash (`fact_hash`) of
//! its canonical content, which names the audit and the finding or evidence
//! item it belongs to by their global ids — not by their content: a draft's
//! findings and evidence can still be corrected after a closure or a photo
//! is filed under them; and not by row ids: a fact and the history row that
//! records it travel to other databases (merge, sync) and must verify there.
//! Facts recorded before global ids (format 1) named the audit by reference
//! and the item by its row id in the database they were recorded in, and
//! still verify so. The history row that records the fact carries the same
//! hash, so the history chain covers it: editing a closure or an attachment
//! row shows as a hash mismatch, and re-hashing it as a fact the history
//! chain does not hold.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row, params};
use serde_json::Value;

use super::{Reader, sha256_hex};
use crate::error::Result;

/// A closure's parent in both formats — (audit reference, finding row id)
/// for format 1, (audit gid, finding gid) for format 2 — then the values
/// its hash covers, the finding id and the stored hash.
const CLOSURE_SQL: &str = "SELECT a.ref, c.finding_id, a.gid, f.gid,
        c.closed_on, c.evidence, c.closed_by, c.recorded_at, c.finding_id, c.fact_hash
    FROM finding_closures c JOIN findings f ON f.id = c.finding_id JOIN audits a ON a.id = f.audit_id";

/// An attachment's parent in both formats, then its own values — and, for a
/// file in the file store, the flag, its name and type (after the id and
/// hash here; rows recorded by path only hash as they did before the file
/// store).
const ATTACHMENT_SQL: &str = "SELECT a.ref, t.evidence_id, a.gid, e.gid,
        t.path, t.size, t.sha256, t.attached_at, t.attached_by, t.id, t.fact_hash,
        t.stored, t.original_name, t.media_type
    FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id";

/// The hash of a fact of `kind` whose canonical content is `values`.
pub(crate) fn fact_hash(kind: &str, values: &[Value]) -> String {
    versioned_hash(kind, 1, values)
}

/// The hash of a fact of `kind` in hash format `format`.
fn versioned_hash(kind: &str, format: u8, values: &[Value]) -> String {
    let mut bytes = format!("casebook-{kind}/{format}\x1f").into_bytes();
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

/// The hash a closure of `finding` with these values will have (format 2:
/// the audit and the finding named by their global ids).
pub(crate) fn closure_hash(conn: &Connection, finding: i64, closure: [&str; 4]) -> Result<String> {
    let parent = "SELECT a.gid, f.gid FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.id = ?1";
    closure_parts(conn, parent, finding, closure).map(|parts| versioned_hash("closure", 2, &parts))
}

/// Format 1 of [`closure_hash`], as the seals migration recorded closures
/// before global ids existed (the audit by reference, the finding by row id).
pub(crate) fn closure_hash_v1(conn: &Connection, finding: i64, closure: [&str; 4]) -> Result<String> {
    let parent = "SELECT a.ref, f.id FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.id = ?1";
    closure_parts(conn, parent, finding, closure).map(|parts| fact_hash("closure", &parts))
}

/// A closure's parent (as `parent` selects it) and its values: closed on,
/// evidence, closed by, recorded at.
fn closure_parts(conn: &Connection, parent: &str, finding: i64, closure: [&str; 4]) -> Result<Vec<Value>> {
    let mut parts = conn.prepare_cached(parent)?.query_row([finding], |r| values(r, 2))?;
    parts.extend(closure.map(Value::from));
    Ok(parts)
}

/// The hash an attachment of evidence item `evidence` with these values
/// will have (format 2: the audit and the item named by their global ids);
/// `stored` (name, media type) for a file in the file store.
pub(crate) fn attachment_hash(
    conn: &Connection,
    evidence: i64,
    file: (&str, i64, &str),
    stored: Option<(&str, Option<crate::model::MediaType>)>,
    stamp: (&str, &str),
) -> Result<String> {
    let parent = "SELECT a.gid, e.gid FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE e.id = ?1";
    attachment_parts(conn, parent, evidence, file, stored, stamp).map(|parts| versioned_hash("attachment", 2, &parts))
}

/// Format 1 of [`attachment_hash`] (the audit by reference, the item by row id).
pub(crate) fn attachment_hash_v1(
    conn: &Connection,
    evidence: i64,
    file: (&str, i64, &str),
    stored: Option<(&str, Option<crate::model::MediaType>)>,
    stamp: (&str, &str),
) -> Result<String> {
    let parent = "SELECT a.ref, e.id FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE e.id = ?1";
    attachment_parts(conn, parent, evidence, file, stored, stamp).map(|parts| fact_hash("attachment", &parts))
}

fn attachment_parts(
    conn: &Connection,
    parent: &str,
    evidence: i64,
    file: (&str, i64, &str),
    stored: Option<(&str, Option<crate::model::MediaType>)>,
    (attached_at, attached_by): (&str, &str),
) -> Result<Vec<Value>> {
    let mut parts = conn.prepare_cached(parent)?.query_row([evidence], |r| values(r, 2))?;
    let (path, size, sha256) = file;
    parts.extend([Value::from(path), Value::from(size), Value::from(sha256)]);
    parts.extend([attached_at, attached_by].map(Value::from));
    if let Some((name, media)) = stored {
        parts.extend([Value::from(1), Value::from(name), media.map_or(Value::Null, |m| Value::from(m.as_str()))]);
    }
    Ok(parts)
}

/// A recorded fact: its name for messages, its hash recomputed in each
/// format (format 1 only where the fact could have been recorded so), and
/// its stored hash.
pub(crate) struct FactCheck {
    pub name: String,
    pub recomputed: Vec<String>,
    pub stored: Option<String>,
}

/// Every closure (finding id) and attachment (id) with its recomputed and
/// its stored hash.
pub(crate) fn all_facts(conn: &Connection) -> Result<Vec<FactCheck>> {
    let mut out = Vec::new();
    for (kind, sql) in [("closure", CLOSURE_SQL), ("attachment", ATTACHMENT_SQL)] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(fact_check(kind, r)?);
        }
    }
    Ok(out)
}

/// One attachment (by row id) with its recomputed hashes (format 2 first)
/// and its stored hash.
pub(crate) fn attachment_fact(conn: &Connection, id: i64) -> Result<FactCheck> {
    let sql = format!("{ATTACHMENT_SQL} WHERE t.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], |r| fact_check("attachment", r))?)
}

/// A closure's or attachment's row as [`CLOSURE_SQL`] / [`ATTACHMENT_SQL`]
/// select it, checked. Columns: parent v1 (2), parent v2 (2), the values
/// hashed, the key, the stored hash.
fn fact_check(kind: &str, r: &Row<'_>) -> rusqlite::Result<FactCheck> {
    let own = if kind == "closure" { 4 } else { 5 };
    let key_at = 4 + own;
    let name = match kind {
        "closure" => format!("the closure of finding {}", r.get::<_, i64>(key_at)?),
        _ => format!("attachment {}", r.get::<_, i64>(key_at)?),
    };
    let mut content = (4..key_at).map(|i| value(r, i)).collect::<rusqlite::Result<Vec<_>>>()?;
    // A file in the file store: its flag, name and type are covered too.
    if kind == "attachment" && r.get::<_, i64>(key_at + 2)? == 1 {
        content.extend((key_at + 2..key_at + 5).map(|i| value(r, i)).collect::<rusqlite::Result<Vec<_>>>()?);
    }
    let with_parent = |parent: [usize; 2]| -> rusqlite::Result<Vec<Value>> {
        let mut parts = vec![value(r, parent[0])?, value(r, parent[1])?];
        parts.extend(content.iter().cloned());
        Ok(parts)
    };
    let recomputed =
        vec![versioned_hash(kind, 2, &with_parent([2, 3])?), versioned_hash(kind, 1, &with_parent([0, 1])?)];
    Ok(FactCheck { name, recomputed, stored: r.get(key_at + 1)? })
}

impl Reader<'_> {
    /// Re-hashes every closure and attachment and looks for the history row
    /// that recorded it; one sentence per problem, and how many facts.
    pub fn verify_facts(&self) -> Result<(Vec<String>, usize)> {
        let facts = all_facts(self.conn)?;
        let mut linked = self.conn.prepare("SELECT EXISTS (SELECT 1 FROM history WHERE fact_hash = ?1)")?;
        let mut problems = Vec::new();
        for FactCheck { name, recomputed, stored } in &facts {
            match stored {
                Some(stored) if recomputed.contains(stored) => {
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
