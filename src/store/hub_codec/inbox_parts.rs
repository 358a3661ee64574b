//! Writing into an inbox what is not a row of its own but a change to one
//! (voids, a plan's unfreezing, an attachment's file-store details), and
//! the files of attachments (see `inbox`).

use rusqlite::{params, params_from_iter};
use serde_json::Value;

use super::inbox::{Inbox, sql_value_ref};
use crate::error::{Error, Result};
use crate::store::hub::{FileRow, RecordRow};

impl Inbox {
    /// A file of an attachment, into the inbox's own file store (where a
    /// merge from it looks for files). Its hash is checked first.
    pub fn file(&mut self, row: &FileRow) -> Result<()> {
        use sha2::Digest as _;
        let actual = crate::store::hex(&sha2::Sha256::digest(&row.content));
        if actual != row.sha256 {
            return Err(Error::Invalid(format!(
                "file {}: its content hashes to {actual}; the file was altered or cut",
                row.sha256
            )));
        }
        let store = crate::store::files::FileStore::for_database(&self.path);
        let staged = self.dir.path().join("incoming-file");
        std::fs::write(&staged, &row.content)?;
        store.put(&staged)?;
        std::fs::remove_file(&staged)?;
        Ok(())
    }

    /// An attachment whose file is in the file store: that flag, the file's
    /// name and type (its fact hash covers them).
    pub(super) fn attachment_file(&mut self, row: &RecordRow) -> Result<()> {
        let b = &row.body;
        self.conn.execute(
            "UPDATE attachments SET stored = ?2, original_name = ?3, media_type = ?4 WHERE gid = ?1",
            params![
                row.key,
                b.get("stored").and_then(Value::as_i64).unwrap_or(0),
                b.get("original_name").and_then(Value::as_str),
                b.get("media_type").and_then(Value::as_str)
            ],
        )?;
        Ok(())
    }

    /// A plan unfrozen (when this inbox recorded it is its own).
    pub(super) fn unfreezing(&mut self, row: &RecordRow) -> Result<()> {
        let field = |k: &str| row.body.get(k).and_then(Value::as_str).map(str::to_owned);
        self.conn.execute(
            "UPDATE control_plans SET unfrozen_on = ?2, unfrozen_by = ?3, unfrozen_at = ?4 WHERE gid = ?1",
            params![row.key, field("unfrozen_on"), field("unfrozen_by"), crate::store::now_stamp()],
        )?;
        Ok(())
    }

    /// A void of a lot or claim, or of a draft's evidence item or finding
    /// (which carries the content the item was voided with).
    pub(super) fn void(&mut self, row: &RecordRow) -> Result<()> {
        let b = &row.body;
        let field = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
        let (at, by, why) = (field("voided_at"), field("voided_by"), field("void_reason"));
        match row.topic.as_deref() {
            Some("lot") => {
                let supplier = self.supplier_id(row.supplier.as_deref().unwrap_or_default())?;
                self.conn.execute(
                    "UPDATE lots SET voided_at = ?3, voided_by = ?4, void_reason = ?5 WHERE supplier_id = ?1 AND lot = ?2",
                    params![supplier, field("target"), at, by, why],
                )?;
            }
            Some("claim") => {
                self.conn.execute(
                    "UPDATE claims SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE gid = ?1",
                    params![field("target"), at, by, why],
                )?;
            }
            Some(what @ ("evidence" | "finding")) if self.is_draft(row) => {
                let table = if what == "evidence" { "evidence" } else { "findings" };
                let known = self.table_columns(table)?;
                let mut sets = Vec::new();
                let target = field("target").unwrap_or_default();
                let mut values = vec![rusqlite::types::ToSqlOutput::from(target.as_str())];
                if let Value::Object(map) = b {
                    for (k, v) in map {
                        if known.iter().any(|c| c == k) && !["id", "gid", "audit_id"].contains(&k.as_str()) {
                            values.push(sql_value_ref(v));
                            sets.push(format!("{k} = ?{}", values.len()));
                        }
                    }
                }
                if !sets.is_empty() {
                    let sql = format!("UPDATE {table} SET {} WHERE gid = ?1", sets.join(", "));
                    self.conn.execute(&sql, params_from_iter(values))?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
