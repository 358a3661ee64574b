//! Merging attachments from another database, by global id, and the files
//! they name, by content hash.
//!
//! An attachment is a fact with its own hash (`facts`), which names the
//! audit and the evidence item by their global ids, so it verifies in any
//! database holding them. The hash is recomputed from the source's row and
//! must match before the row is taken in (one recorded before global ids,
//! format 1, is re-hashed here in format 2, and a history entry records
//! that). A file in the source's file store is copied into this database's
//! store after its hash is verified; a file that no store holds (or that is
//! not at its recorded path, for a row recorded by path) is reported as
//! missing: the row is taken in all the same, and `casebook check` then
//! names the missing file.

use rusqlite::params;

use super::facts::attachment_fact;
use super::files::{FileStore, verify_at};
use super::{Change, Reader, Writer};
use crate::error::{Error, Result};
use crate::model::merge::{Cause, MissingFile, Refused, SourceReport};
use crate::model::{Gid, HistoryAction, HistoryEntity};

/// Where the files of a merge come from and go to.
pub struct FileStores {
    pub source: FileStore,
    pub target: FileStore,
    /// On a dry run nothing is copied (what would be missing is reported).
    pub dry_run: bool,
}

/// An attachment row as the source holds it.
struct Incoming {
    id: i64,
    gid: Gid,
    evidence: Gid,
    path: String,
    size: i64,
    sha256: String,
    attached_at: String,
    attached_by: String,
    stored: bool,
    original_name: Option<String>,
    media_type: Option<String>,
    reference: String,
}

fn incoming(src: Reader<'_>) -> Result<Vec<Incoming>> {
    let mut stmt = src.conn.prepare(
        "SELECT t.id, t.gid, e.gid, t.path, t.size, t.sha256, t.attached_at, t.attached_by, t.stored,
                t.original_name, t.media_type, a.ref
         FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Incoming {
            id: r.get(0)?,
            gid: r.get(1)?,
            evidence: r.get(2)?,
            path: r.get(3)?,
            size: r.get(4)?,
            sha256: r.get(5)?,
            attached_at: r.get(6)?,
            attached_by: r.get(7)?,
            stored: r.get(8)?,
            original_name: r.get(9)?,
            media_type: r.get(10)?,
            reference: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Writer<'_> {
    /// Every attachment of the source whose evidence item is here (one whose
    /// audit was refused stays behind with it, reported), and its file.
    pub fn merge_attachments(&self, src: Reader<'_>, files: &FileStores, r: &mut SourceReport) -> Result<()> {
        for a in incoming(src)? {
            let Some(evidence) = self.read().row_of("evidence", a.evidence)? else {
                r.refused.push(refusal(&a, Cause::ParentRefused, Vec::new()));
                continue;
            };
            let theirs = attachment_fact(src.conn, a.id)?;
            let verified = theirs.stored.as_ref().is_some_and(|s| theirs.recomputed.contains(s));
            if !verified {
                let differs = vec![("fact_hash".into(), theirs.recomputed.first().cloned(), theirs.stored.clone())];
                r.refused.push(refusal(&a, Cause::BrokenHash, differs));
                continue;
            }
            // Format 2 names the audit and the item by their global ids: the
            // same hash here as there.
            let hash = theirs.recomputed[0].clone();
            if let Some(here) = self.read().row_of("attachments", a.gid)? {
                let ours = attachment_fact(self.conn(), here)?;
                if ours.recomputed.first() != Some(&hash) {
                    let differs = vec![("content".into(), ours.stored, theirs.stored)];
                    r.refused.push(refusal(&a, Cause::DifferentContent, differs));
                    continue;
                }
                r.already.add("attachments", 1);
            } else {
                self.insert_attachment(evidence, &a, &hash)?;
                if theirs.stored.as_deref() != Some(hash.as_str()) {
                    self.record_rehashed(evidence, &a, &hash)?;
                }
                r.added.add("attachments", 1);
            }
            if let Some(missing) = bring_file(&a, files)? {
                r.missing_files.push(missing);
            }
        }
        Ok(())
    }

    fn insert_attachment(&self, evidence: i64, a: &Incoming, hash: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO attachments (evidence_id, path, size, sha256, attached_at, attached_by, fact_hash, stored,
                   original_name, media_type, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                evidence,
                a.path,
                a.size,
                a.sha256,
                a.attached_at,
                a.attached_by,
                hash,
                a.stored,
                a.original_name,
                a.media_type,
                a.gid
            ])?;
        let id = self.conn().last_insert_rowid();
        let here = attachment_fact(self.conn(), id)?;
        if here.recomputed.first().map(String::as_str) != Some(hash) {
            return Err(Error::Invalid(format!(
                "attachment {} of audit {}: as taken in here it does not hash as it did there; nothing was merged",
                a.gid, a.reference
            )));
        }
        Ok(())
    }

    /// An attachment recorded before global ids (format 1 hash, which names
    /// row ids of the database it was made in) is re-hashed in format 2
    /// here; this history entry records the new hash.
    fn record_rehashed(&self, evidence: i64, a: &Incoming, hash: &str) -> Result<()> {
        let (supplier, reference) = self.read().evidence_owner(evidence)?;
        let key = format!("{reference} evidence {evidence}");
        let what = format!(
            "{} ({} bytes, sha256 {}; merged, attached {} by {}, re-hashed with global ids)",
            a.path, a.size, a.sha256, a.attached_at, a.attached_by
        );
        self.record(&Change {
            new: Some(&what),
            fact: Some(hash),
            ..Change::of(Some(supplier), HistoryEntity::Attachment, &key, HistoryAction::Attach)
        })
    }
}

/// Makes sure the attachment's file is here: in this store (copied from the
/// source's store when only that one holds it, verified) or, for a row
/// recorded by path, at its path. `Some` names a file no one has.
fn bring_file(a: &Incoming, files: &FileStores) -> Result<Option<MissingFile>> {
    let size = u64::try_from(a.size).unwrap_or(0);
    let missing = || MissingFile {
        sha256: a.sha256.clone(),
        attached_to: format!("audit {} evidence {} (attachment {})", a.reference, a.evidence, a.gid),
        name: a.original_name.clone().unwrap_or_else(|| a.path.clone()),
    };
    if !a.stored {
        return Ok(verify_at(std::path::Path::new(&a.path), size, &a.sha256).err().map(|_| missing()));
    }
    if files.target.verify(&a.sha256, size).is_ok() {
        return Ok(None);
    }
    if files.source.verify(&a.sha256, size).is_err() {
        return Ok(Some(missing()));
    }
    if files.dry_run {
        return Ok(None);
    }
    let stored = files.target.put(&files.source.path_of(&a.sha256)?)?;
    if stored.sha256 != a.sha256 {
        // Changed between the check and the copy: not the file recorded.
        return Ok(Some(missing()));
    }
    Ok(None)
}

fn refusal(a: &Incoming, cause: Cause, differs: Vec<(String, Option<String>, Option<String>)>) -> Refused {
    Refused {
        entity: "attachment",
        id: a.gid.to_string(),
        key: format!(
            "{} on audit {} evidence {}",
            a.original_name.as_deref().unwrap_or(&a.path),
            a.reference,
            a.evidence
        ),
        cause,
        differs,
    }
}
