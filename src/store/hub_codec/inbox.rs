//! What a pull brought, as a casebook database the merge engine can read
//! (`Source`): a private file in a temporary directory, created with the
//! current schema, into which the hub rows are written back as the laptop
//! tables they came from. Identities become this file's row ids again.
//!
//! The file is only ever a merge source: its protective triggers are
//! dropped (rows arrive in whatever state the hub holds them — a submitted
//! audit whole, a void after its lot), its chains are left empty, and the
//! merge engine checks everything it takes from it as it does for any other
//! database (seals recomputed from the content, conflicts refused).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::store::hub::{AuditRow, LotRow, RecordRow, SupplierRow, VersionRow};
use crate::store::{OpenMode, Store};

pub struct Inbox {
    /// Holds the file; removed with it.
    pub(super) dir: tempfile::TempDir,
    pub(super) path: PathBuf,
    pub(super) conn: Connection,
    suppliers: HashMap<String, i64>,
    audits: HashMap<String, i64>,
    /// The audits written as drafts (their parts and notes go in; those of
    /// an audit written submitted do not: its sealed content is whole).
    pub(super) drafts: HashSet<String>,
    /// Columns of each table, for writing a JSON body back.
    columns: HashMap<String, Rc<[String]>>,
    chain: i64,
}

/// A written inbox, ready to be opened as a merge source; removed on drop.
pub struct FilledInbox {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl FilledInbox {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

const INBOX_CACHE_KIB: i64 = 64 * 1024;

const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Inbox {
    /// A new, empty inbox that presents itself as installation `tag` (the
    /// hub's, so merges from it are recorded under one name).
    pub fn create(tag: &str, made_at: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("hub-inbox.db");
        drop(Store::open(&path, OpenMode::Create)?);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        // A private scratch file written in one transaction and thrown away
        // on any error: no journal, and its pages kept in memory while it
        // is filled (rather than spilled and written twice).
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "cache_size", -INBOX_CACHE_KIB)?;
        let triggers: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for name in triggers {
            conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        }
        conn.execute("UPDATE installation SET tag = ?1, made_at = ?2, clock = NULL", params![tag, made_at])?;
        conn.execute_batch("BEGIN")?;
        Ok(Self {
            dir,
            path,
            conn,
            suppliers: HashMap::new(),
            audits: HashMap::new(),
            drafts: HashSet::new(),
            columns: HashMap::new(),
            chain: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Commits what was written (the clock is the latest version's) and
    /// closes the file; it is removed when the returned guard is dropped.
    pub fn finish(self) -> Result<FilledInbox> {
        self.conn.execute("UPDATE installation SET clock = (SELECT max(clock) FROM field_versions)", [])?;
        self.conn.execute_batch("COMMIT")?;
        drop(self.conn);
        Ok(FilledInbox { _dir: self.dir, path: self.path })
    }

    pub(super) fn table_columns(&mut self, table: &str) -> Result<Rc<[String]>> {
        if let Some(c) = self.columns.get(table) {
            return Ok(Rc::clone(c));
        }
        let cols: Vec<String> = self
            .conn
            .prepare("SELECT name FROM pragma_table_info(?1)")?
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let cols: Rc<[String]> = cols.into();
        self.columns.insert(table.to_owned(), Rc::clone(&cols));
        Ok(cols)
    }

    /// Inserts `fixed` values and the fields of `body` that are columns of
    /// `table` (anything else in the body is not this schema's, and left).
    fn insert(&mut self, table: &str, fixed: &[(&str, rusqlite::types::Value)], body: &Value) -> Result<i64> {
        use std::fmt::Write as _;
        let known = self.table_columns(table)?;
        let mut names: Vec<&str> = fixed.iter().map(|(n, _)| *n).collect();
        let mut values: Vec<ToSqlOutput<'_>> = fixed.iter().map(|(_, v)| ToSqlOutput::Borrowed(v.into())).collect();
        if let Value::Object(map) = body {
            for (k, v) in map {
                if known.iter().any(|c| c == k) && !names.contains(&k.as_str()) {
                    names.push(k);
                    values.push(sql_value_ref(v));
                }
            }
        }
        let mut sql = format!("INSERT OR IGNORE INTO {table} ({}) VALUES (", names.join(", "));
        for i in 1..=names.len() {
            let _ = write!(sql, "{}?{i}", if i > 1 { ", " } else { "" });
        }
        sql.push(')');
        self.conn.prepare_cached(&sql)?.execute(params_from_iter(values))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn supplier(&mut self, row: &SupplierRow) -> Result<()> {
        if self.suppliers.contains_key(&row.code) {
            return Ok(());
        }
        let id = self.insert("suppliers", &[("code", row.code.clone().into())], &row.body)?;
        self.suppliers.insert(row.code.clone(), id);
        Ok(())
    }

    pub(super) fn supplier_id(&self, code: &str) -> Result<i64> {
        self.suppliers
            .get(code)
            .copied()
            .ok_or_else(|| Error::Invalid(format!("hub: supplier {code} is missing from what the hub sent")))
    }

    /// A submitted audit: its header, then its seal and answers.
    pub fn audit(&mut self, row: &AuditRow, submission: &RecordRow) -> Result<()> {
        if self.audits.contains_key(&row.gid) {
            return Ok(());
        }
        let supplier = self.supplier_id(&row.supplier)?;
        let amends = match row.body.get("amends").and_then(Value::as_str) {
            Some(gid) => self.audits.get(gid).copied(),
            None => None,
        };
        self.chain += 1;
        let mut body = row.body.clone();
        if let (Value::Object(b), Value::Object(s)) = (&mut body, &submission.body) {
            for (k, v) in s {
                if k != "answers" {
                    b.insert(k.clone(), v.clone());
                }
            }
            b.remove("amends");
        }
        let id = self.insert(
            "audits",
            &[
                ("gid", row.gid.clone().into()),
                ("supplier_id", supplier.into()),
                ("status", "submitted".to_owned().into()),
                ("amends", amends.map_or(rusqlite::types::Value::Null, Into::into)),
                ("chain_seq", self.chain.into()),
                ("chain_hash", ZERO_HASH.to_owned().into()),
            ],
            &body,
        )?;
        self.audits.insert(row.gid.clone(), id);
        self.answers(id, &row.body, submission.body.get("answers"))
    }

    /// An audit's answers (`{question, result, note}` each): the few
    /// columns of that table, by one statement (forty a audit, hundreds of
    /// thousands a first pull).
    fn answers(&mut self, id: i64, audit: &Value, answers: Option<&Value>) -> Result<()> {
        let template = audit.get("template").and_then(Value::as_str).unwrap_or_default();
        let mut insert = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO answers (audit_id, template, question, result, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for answer in answers.and_then(Value::as_array).into_iter().flatten() {
            let field = |k: &str| answer.get(k).map_or(ToSqlOutput::Borrowed(ValueRef::Null), sql_value_ref);
            insert.execute(params![id, template, field("question"), field("result"), field("note")])?;
        }
        Ok(())
    }

    /// A draft audit: its header and answers (its parts arrive as records).
    pub fn draft(&mut self, row: &RecordRow) -> Result<()> {
        if self.audits.contains_key(&row.key) {
            return Ok(());
        }
        let supplier = self.supplier_id(row.supplier.as_deref().unwrap_or_default())?;
        let amends = match row.body.get("amends").and_then(Value::as_str) {
            Some(gid) => self.audits.get(gid).copied(),
            None => None,
        };
        let mut body = row.body.clone();
        if let Value::Object(b) = &mut body {
            b.remove("amends");
            b.remove("answers");
        }
        let id = self.insert(
            "audits",
            &[
                ("gid", row.key.clone().into()),
                ("supplier_id", supplier.into()),
                ("status", "draft".to_owned().into()),
                ("amends", amends.map_or(rusqlite::types::Value::Null, Into::into)),
            ],
            &body,
        )?;
        self.audits.insert(row.key.clone(), id);
        self.drafts.insert(row.key.clone());
        self.answers(id, &row.body, row.body.get("answers"))
    }

    /// Submitted audits with their submissions, originals before their
    /// amendments; an audit without its submission (a push cut off between
    /// them) is left out. Returns the gids of audits that could not go in
    /// because they amend each other in a circle.
    pub fn audits_in_order<'a>(
        &mut self,
        audits: impl IntoIterator<Item = &'a AuditRow>,
        submission: impl Fn(&str) -> Option<&'a RecordRow>,
    ) -> Result<Vec<String>> {
        let mut left: Vec<&AuditRow> = audits.into_iter().collect();
        let coming: HashSet<&str> = left.iter().map(|a| a.gid.as_str()).collect();
        while !left.is_empty() {
            let before = left.len();
            let mut next = Vec::new();
            for a in left {
                let amends = a.body.get("amends").and_then(Value::as_str);
                if amends.is_some_and(|g| coming.contains(g) && !self.has_audit(g)) {
                    next.push(a);
                    continue;
                }
                if let Some(s) = submission(&a.gid) {
                    self.audit(a, s)?;
                }
            }
            if next.len() == before {
                return Ok(next.into_iter().map(|a| a.gid.clone()).collect());
            }
            left = next;
        }
        Ok(Vec::new())
    }

    pub fn has_audit(&self, gid: &str) -> bool {
        self.audits.contains_key(gid)
    }

    /// Any other record: filed in its table by kind.
    pub fn record(&mut self, row: &RecordRow) -> Result<()> {
        match row.kind.as_str() {
            "claim" => {
                let supplier = self.supplier_id(row.supplier.as_deref().unwrap_or_default())?;
                self.insert("claims", &[("gid", row.key.clone().into()), ("supplier_id", supplier.into())], &row.body)?;
            }
            "retirement" => {
                let day = row.body.get("retired_on").and_then(Value::as_str);
                self.conn.execute("UPDATE claims SET retired_on = ?2 WHERE gid = ?1", params![row.key, day])?;
            }
            "evidence" | "finding" => {
                let audit = self.audit_id(row)?;
                let table = if row.kind == "evidence" { "evidence" } else { "findings" };
                self.insert(table, &[("gid", row.key.clone().into()), ("audit_id", audit.into())], &row.body)?;
            }
            // A draft's items (from a hub), under an audit written as a draft.
            "draft_evidence" | "draft_finding" if self.is_draft(row) => {
                let audit = self.audit_id(row)?;
                let table = if row.kind == "draft_evidence" { "evidence" } else { "findings" };
                self.insert(table, &[("gid", row.key.clone().into()), ("audit_id", audit.into())], &row.body)?;
            }
            "closure" => {
                let finding = self.id_of("findings", &row.key)?;
                self.insert("finding_closures", &[("finding_id", finding.into())], &row.body)?;
            }
            "attachment" => {
                let evidence =
                    self.id_of("evidence", row.body.get("evidence").and_then(Value::as_str).unwrap_or(""))?;
                self.insert(
                    "attachments",
                    &[("gid", row.key.clone().into()), ("evidence_id", evidence.into())],
                    &row.body,
                )?;
            }
            "history" => {
                let supplier = row.supplier.as_deref().map(|c| self.supplier_id(c)).transpose()?;
                self.insert(
                    "history",
                    &[
                        ("gid", row.key.clone().into()),
                        ("supplier_id", supplier.map_or(rusqlite::types::Value::Null, Into::into)),
                        ("chain_hash", ZERO_HASH.to_owned().into()),
                    ],
                    &row.body,
                )?;
            }
            "void" => self.void(row)?,
            "draft" => self.draft(row)?,
            "note" if self.is_draft(row) => {
                let audit = self.audit_id(row)?;
                self.insert("question_notes", &[("audit_id", audit.into())], &row.body)?;
            }
            "annotation" | "plan" | "control_plan" => {
                let supplier = self.supplier_id(row.supplier.as_deref().unwrap_or_default())?;
                let (table, stamp) = if row.kind == "annotation" {
                    ("lot_annotations", "noted_at")
                } else {
                    ("control_plans", "frozen_at")
                };
                let mut fixed = vec![("gid", row.key.clone().into()), ("supplier_id", supplier.into())];
                // From a hub the stamp of when it was recorded is not there
                // (it is each database's own; a merge stamps its own).
                if row.body.get(stamp).is_none() {
                    fixed.push((stamp, crate::store::now_stamp().into()));
                }
                self.insert(table, &fixed, &row.body)?;
            }
            "attachment_file" => self.attachment_file(row)?,
            "unfreezing" => self.unfreezing(row)?,
            // Submissions come with their audits; a draft's parts under an
            // audit written submitted, hand-overs (the hub's own) and kinds
            // this schema does not hold (a newer casebook's) are left.
            _ => {}
        }
        Ok(())
    }

    pub(super) fn is_draft(&self, row: &RecordRow) -> bool {
        row.audit.as_ref().is_some_and(|gid| self.drafts.contains(gid))
    }

    fn audit_id(&self, row: &RecordRow) -> Result<i64> {
        let gid = row.audit.as_deref().unwrap_or_default();
        self.audits
            .get(gid)
            .copied()
            .ok_or_else(|| Error::Invalid(format!("hub: audit {gid} is missing from what the hub sent")))
    }

    fn id_of(&self, table: &str, gid: &str) -> Result<i64> {
        self.conn
            .prepare_cached(&format!("SELECT id FROM {table} WHERE gid = ?1"))?
            .query_row([gid], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::Invalid(format!("hub: {table} {gid} is missing from what the hub sent")))
    }

    pub fn version(&mut self, row: &VersionRow) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO field_versions (entity, key, field, clock, actor, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![row.entity, row.key, row.field, row.clock, row.actor, row.value])?;
        Ok(())
    }

    pub fn lot(&mut self, row: &LotRow) -> Result<()> {
        let supplier = self.supplier_id(&row.supplier)?;
        let defects = row.defects.as_ref().map(canonical_defects);
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO lots (supplier_id, lot, sku, process, material, produced_on, started,
                                             passed_first, reworked, scrapped, defects)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                supplier,
                row.lot,
                row.sku,
                row.process,
                row.material,
                row.produced_on.to_string(),
                row.started,
                row.passed_first,
                row.reworked,
                row.scrapped,
                defects
            ])?;
        Ok(())
    }
}

/// Defect counts as the laptops store them: compact JSON, codes sorted.
fn canonical_defects(defects: &Value) -> String {
    let mut pairs: Vec<(&String, &Value)> = defects.as_object().map(|m| m.iter().collect()).unwrap_or_default();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let body = pairs.iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))).collect::<Vec<_>>().join(",");
    format!("{{{body}}}")
}

/// A JSON value as SQLite takes it: a boolean as 0 or 1, an array or
/// object as its JSON text; borrowed where it can be.
pub(super) fn sql_value_ref(v: &Value) -> ToSqlOutput<'_> {
    use rusqlite::types::ValueRef as S;
    ToSqlOutput::Borrowed(match v {
        Value::Null => S::Null,
        Value::Bool(b) => S::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map_or_else(|| S::Real(n.as_f64().unwrap_or(0.0)), S::Integer),
        Value::String(s) => S::Text(s.as_bytes()),
        other => return ToSqlOutput::Owned(rusqlite::types::Value::Text(other.to_string())),
    })
}
