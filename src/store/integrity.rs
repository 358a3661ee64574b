//! What `casebook check` verifies, as typed queries: SQLite's own checks,
//! the schema against casebook's own, the domain rules re-checked in case
//! something went around the CHECKs, and attachments. (Seals, the history
//! chain, facts and templates have their own modules.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use rusqlite::{Connection, params};

use super::{Change, Reader, Writer, facts};
use crate::error::Result;
use crate::model::{HistoryAction, HistoryEntity};

/// Every schema object of a database: (type, name) → SQL (`None` for
/// SQLite's own automatic indexes). SQLite's statistics tables are left out.
fn schema_objects(conn: &Connection) -> Result<BTreeMap<(String, String), Option<String>>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: i64,
    pub evidence_id: i64,
    /// Where the file was attached from (for rows not in the file store,
    /// where it is still expected to be).
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// Whether the bytes are in the database's file store.
    pub stored: bool,
    pub original_name: Option<String>,
    pub media_type: Option<crate::model::MediaType>,
}

/// A file attached to an evidence item, as [`Writer::attach`] records it.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub evidence: i64,
    /// Where it came from.
    pub path: &'a str,
    pub size: u64,
    pub sha256: &'a str,
    /// Whether the bytes were copied into the file store.
    pub stored: bool,
    pub original_name: Option<&'a str>,
    pub media_type: Option<crate::model::MediaType>,
}

impl Reader<'_> {
    /// `PRAGMA integrity_check`: empty when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let all: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(all.into_iter().filter(|line| line != "ok").collect())
    }

    /// `PRAGMA foreign_key_check`, as sentences.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            let table: String = r.get(0)?;
            let rowid: Option<i64> = r.get(1)?;
            let parent: String = r.get(2)?;
            Ok(match rowid {
                Some(id) => format!("{table} row {id} refers to a missing {parent} row"),
                None => format!("a {table} row refers to a missing {parent} row"),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every table, index, trigger and view compared with `reference` (a
    /// freshly migrated database): what is missing, extra or different, by
    /// name. Returns the problems and how many objects were compared.
    pub fn schema_problems(&self, reference: &Connection) -> Result<(Vec<String>, usize)> {
        let ours = schema_objects(reference)?;
        let theirs = schema_objects(self.conn)?;
        let mut problems = Vec::new();
        for ((kind, name), sql) in &ours {
            match theirs.get(&(kind.clone(), name.clone())) {
                None => problems.push(format!("{kind} {name} is missing: a part of the schema was removed")),
                Some(found) if found != sql => problems.push(format!(
                    "{kind} {name} differs from casebook's: its definition was changed (a CHECK, a condition or a \
                     column), e.g. to let a change through"
                )),
                Some(_) => {}
            }
        }
        for (kind, name) in theirs.keys().filter(|key| !ours.contains_key(*key)) {
            problems.push(format!("{kind} {name} is not part of casebook's schema: it was added outside casebook"));
        }
        Ok((problems, ours.len()))
    }

    /// Rows breaking a domain rule, each as (rule, count): normally all zero,
    /// since CHECKs and the writers' checks (`model::records`, whose date
    /// rules are `model::dates`) hold them; non-zero means something wrote
    /// around them, or `today` (the as-of day) is earlier than the day they
    /// were recorded.
    pub fn domain_violations(&self, today: &str) -> Result<Vec<(&'static str, i64)>> {
        let rules: [(&str, &str); 12] = [
            (
                "lot counts inconsistent (started ≥ 1, passed_first ≤ started, passed_first + scrapped ≤ started)",
                "SELECT count(*) FROM lots WHERE NOT (started > 0 AND passed_first >= 0 AND passed_first <= started
                   AND reworked >= 0 AND scrapped >= 0 AND passed_first + scrapped <= started)",
            ),
            ("lot dated after today", "SELECT count(*) FROM lots WHERE produced_on > ?1"),
            ("lot date not a real date", "SELECT count(*) FROM lots WHERE produced_on IS NOT date(produced_on)"),
            ("audit visited after today", "SELECT count(*) FROM audits WHERE visited_on > ?1"),
            ("evidence collected after today", "SELECT count(*) FROM evidence WHERE collected_on > ?1"),
            ("claim stated after today", "SELECT count(*) FROM claims WHERE stated_on > ?1"),
            ("claim retired after today", "SELECT count(*) FROM claims WHERE retired_on > ?1"),
            ("finding closed after today", "SELECT count(*) FROM finding_closures WHERE closed_on > ?1"),
            (
                "finding due before its audit's visit",
                "SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.due_on < a.visited_on",
            ),
            (
                "finding closed before its audit's visit",
                "SELECT count(*) FROM finding_closures c JOIN findings f ON f.id = c.finding_id
                   JOIN audits a ON a.id = f.audit_id WHERE c.closed_on < a.visited_on",
            ),
            (
                "submitted audit without a complete seal",
                "SELECT count(*) FROM audits WHERE status = 'submitted' AND (content_hash IS NULL OR chain_hash IS NULL
                   OR chain_seq IS NULL OR grade IS NULL OR seal_format IS NULL)",
            ),
            (
                "voided evidence or finding in a submitted audit that was not voided before submission",
                "SELECT (SELECT count(*) FROM evidence e JOIN audits a ON a.id = e.audit_id
                          WHERE a.status = 'submitted' AND e.voided_at > a.submitted_at)
                      + (SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id
                          WHERE a.status = 'submitted' AND f.voided_at > a.submitted_at)",
            ),
        ];
        let mut out = Vec::with_capacity(rules.len());
        for (rule, sql) in rules {
            let mut stmt = self.conn.prepare(sql)?;
            let n: i64 = if stmt.parameter_count() == 1 {
                stmt.query_row([today], |r| r.get(0))?
            } else {
                stmt.query_row([], |r| r.get(0))?
            };
            out.push((rule, n));
        }
        Ok(out)
    }

    /// Lots whose stored defects cannot be read back (code, count pairs).
    pub fn unreadable_defects(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.code, l.lot, l.defects FROM lots l JOIN suppliers s ON s.id = l.supplier_id
             WHERE l.defects IS NOT NULL",
        )?;
        let mut out = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let readable = std::str::from_utf8(r.get_ref(2)?.as_bytes_or_null()?.unwrap_or_default())
                .is_ok_and(|text| super::lots::parse_defects(Some(text)).is_ok());
            if !readable {
                out.push(format!("{} lot {}", lossy(r, 0)?, lossy(r, 1)?));
            }
        }
        Ok(out)
    }

    /// The files attached to the evidence items of one audit, in the order
    /// they were attached (rows that cannot be read are left out; `check`
    /// names them).
    pub fn audit_attachments(&self, audit: i64) -> Result<Vec<AttachmentRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, t.evidence_id, t.path, t.size, t.sha256, t.stored, t.original_name, t.media_type
             FROM attachments t JOIN evidence e ON e.id = t.evidence_id WHERE e.audit_id = ?1 ORDER BY t.id",
        )?;
        let rows = stmt.query_map([audit], |r| {
            Ok(AttachmentRow {
                id: r.get(0)?,
                evidence_id: r.get(1)?,
                path: PathBuf::from(lossy(r, 2)?),
                size: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                sha256: lossy(r, 4)?,
                stored: r.get(5)?,
                original_name: r.get(6)?,
                media_type: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The supplier and the audit reference an evidence item in force is
    /// filed under (a voided item takes no attachment).
    pub fn evidence_owner(&self, evidence: i64) -> Result<(super::SupplierId, String)> {
        self.conn
            .prepare_cached(
                "SELECT a.supplier_id, a.ref FROM evidence e JOIN audits a ON a.id = e.audit_id
                 WHERE e.id = ?1 AND e.voided_at IS NULL",
            )?
            .query_row([evidence], |r| Ok((super::SupplierId(r.get(0)?), r.get(1)?)))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => crate::Error::NotFound(format!(
                    "no evidence item {evidence} in force (see `casebook audit show REF`; a voided item takes no \
                     attachment)"
                )),
                other => other.into(),
            })
    }

    /// Every attachment row, oldest first; a row whose values cannot be
    /// read is a sentence naming it, and the others are still returned.
    pub fn attachments(&self) -> Result<Vec<std::result::Result<AttachmentRow, String>>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, evidence_id, path, size, sha256, stored, original_name, media_type FROM attachments ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let id: i64 = r.get(0)?;
            let row = (|| {
                Ok::<_, rusqlite::Error>(AttachmentRow {
                    id,
                    evidence_id: r.get(1)?,
                    path: PathBuf::from(lossy(r, 2)?),
                    size: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                    sha256: lossy(r, 4)?,
                    stored: r.get(5)?,
                    original_name: r.get(6)?,
                    media_type: r.get(7)?,
                })
            })();
            Ok(row.map_err(|e| format!("attachments row {id}: cannot be read: {e}")))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Text that is not valid UTF-8, anywhere: one sentence per value,
    /// naming its table, row and column (written around casebook; nothing
    /// casebook writes is like that).
    pub fn undecodable_text(&self) -> Result<Vec<String>> {
        let mut tables = self.conn.prepare(
            "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let tables: Vec<(String, bool)> =
            tables.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? > 0)))?.collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (table, without_rowid) in tables {
            let key = if without_rowid { "NULL" } else { "rowid" };
            let mut stmt = self.conn.prepare(&format!("SELECT {key}, * FROM \"{}\"", table.replace('"', "\"\"")))?;
            let names: Vec<String> = stmt.column_names().skip(1).map(str::to_owned).collect();
            let mut rows = stmt.query([])?;
            let mut at = 0_u64;
            while let Some(row) = rows.next()? {
                at += 1;
                for (i, column) in names.iter().enumerate() {
                    if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(i + 1)?
                        && std::str::from_utf8(bytes).is_err()
                    {
                        let which = match row.get_ref(0)? {
                            rusqlite::types::ValueRef::Integer(id) => format!("row {id}"),
                            _ => format!("row number {at}"),
                        };
                        out.push(format!("{table} {which}, column {column}: not valid UTF-8 text"));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A text (or NULL, as "") column read even when it is not valid UTF-8.
pub(super) fn lossy(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<String> {
    Ok(match row.get_ref(at)? {
        rusqlite::types::ValueRef::Text(bytes) | rusqlite::types::ValueRef::Blob(bytes) => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        rusqlite::types::ValueRef::Null => String::new(),
        rusqlite::types::ValueRef::Integer(i) => i.to_string(),
        rusqlite::types::ValueRef::Real(f) => f.to_string(),
    })
}

impl Writer<'_> {
    /// Records a file attached to an evidence item (path, size, SHA-256, and
    /// whether its bytes are in the file store, with its name and type).
    /// Allowed on a submitted audit's evidence too: attachments are
    /// append-only facts.
    pub fn attach(&self, new: &NewAttachment<'_>) -> Result<i64> {
        let NewAttachment { evidence, path, size, sha256, .. } = *new;
        let (supplier, reference) = self.read().evidence_owner(evidence)?;
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let stored = new.stored.then(|| (new.original_name.unwrap_or_default(), new.media_type));
        let fact =
            facts::attachment_hash(self.conn(), evidence, (path, size, sha256), stored, (&self.at, &self.actor))?;
        self.conn()
            .prepare_cached(
                "INSERT INTO attachments (evidence_id, path, size, sha256, attached_at, attached_by, fact_hash, stored,
                   original_name, media_type, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                evidence,
                path,
                size,
                sha256,
                self.at,
                self.actor,
                fact,
                new.stored,
                new.original_name,
                new.media_type,
                crate::model::Gid::new()
            ])?;
        let id = self.conn().last_insert_rowid();
        let key = format!("{reference} evidence {evidence}");
        let kept = if new.stored { "copied into the file store" } else { "recorded by path" };
        let what = format!("{path} ({size} bytes, sha256 {sha256}; {kept})");
        self.record(&Change {
            new: Some(&what),
            fact: Some(&fact),
            ..Change::of(Some(supplier), HistoryEntity::Attachment, &key, HistoryAction::Attach)
        })?;
        Ok(id)
    }
}
