//! Submission, which seals an audit.
//!
//! Sealing stores a SHA-256 of the audit's content and links it into a
//! per-database hash chain (`chain_hash = H(seq ‖ previous chain hash ‖
//! content hash)`), so `casebook check` can detect an edited or removed audit
//! even if someone drops the immutability triggers.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AuditRow;
use crate::assess::checklist::Grade;
use crate::error::Result;
use crate::model::{Audit, AuditStatus};
use crate::store::{Change, Reader, Writer};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What submission stores beside the seal: the score on the audit's template.
#[derive(Debug, Clone, Copy)]
pub struct Seal<'a> {
    pub score_pct: Option<f64>,
    pub grade: Grade,
    pub critical_no: &'a [String],
}

/// SHA-256 over the canonical JSON of everything a submission seals.
pub(crate) fn content_hash(row: &AuditRow) -> String {
    #[derive(Serialize)]
    struct Sealed<'a> {
        supplier: &'a str,
        audit: &'a Audit,
        submitted_at: &'a Option<String>,
        score_pct: Option<f64>,
        grade: Option<Grade>,
        critical_no: &'a [String],
    }
    let sealed = Sealed {
        supplier: &row.supplier,
        audit: &row.audit,
        submitted_at: &row.submitted_at,
        score_pct: row.score_pct,
        grade: row.grade,
        critical_no: &row.critical_no,
    };
    // Serialising plain structs and strings to a Vec cannot fail.
    let bytes = serde_json::to_vec(&sealed).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

pub(crate) fn chain_hash(seq: i64, previous: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    h.update(b"|");
    h.update(previous.as_bytes());
    h.update(b"|");
    h.update(content.as_bytes());
    hex(&h.finalize())
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
impl Writer<'_> {
    /// Seals a draft, `row` as just read with [`Reader::audit`]: stores score
    /// and grade, the content hash and the next link of the hash chain.
    /// After this the triggers refuse every change.
    pub fn submit_audit(&self, mut row: AuditRow, seal: Seal<'_>) -> Result<String> {
        let audit = row.id;
        let (supplier, reference) = self.draft_owner(audit)?;
        row.submitted_at = Some(self.at.clone());
        row.score_pct = seal.score_pct;
        row.grade = Some(seal.grade);
        row.critical_no = seal.critical_no.to_vec();
        row.audit.status = AuditStatus::Submitted;
        let content = content_hash(&row);
        let (seq, previous) = self.read().chain_head()?;
        let link = chain_hash(seq + 1, &previous, &content);
        self.conn()
            .prepare_cached(
                "UPDATE audits SET status = 'submitted', submitted_at = ?2, score_pct = ?3, grade = ?4,
                    critical_no = ?5, content_hash = ?6, chain_seq = ?7, chain_hash = ?8
                 WHERE id = ?1 AND status = 'draft'",
            )?
            .execute(params![
                audit,
                self.at,
                seal.score_pct,
                seal.grade,
                seal.critical_no.join(","),
                content,
                seq + 1,
                link
            ])?;
        self.record(&Change {
            supplier: Some(supplier),
            entity: "audit",
            key: &reference,
            action: "submit",
            new: Some(seal.grade.as_str()),
            ..Change::default()
        })?;
        Ok(content)
    }
}

/// A submitted audit's seal as stored, and whether its content still matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditSeal {
    /// Position in the database's audit chain (1 for the first sealed audit).
    pub seq: i64,
    pub content_hash: String,
    pub chain_hash: String,
    /// The content hash recomputed now equals the stored one.
    pub content_intact: bool,
}

impl Reader<'_> {
    /// The last link of the chain: (sequence, chain hash), genesis if none.
    pub fn chain_head(&self) -> Result<(i64, String)> {
        Ok(self
            .conn
            .query_row(
                "SELECT chain_seq, chain_hash FROM audits WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
    }

    /// The seal of audit `row` (as read with [`Reader::audit`]), `None` for a
    /// draft; its content hash is recomputed and compared.
    pub fn audit_seal(&self, row: &AuditRow) -> Result<Option<AuditSeal>> {
        let stored: Option<(Option<i64>, Option<String>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT chain_seq, content_hash, chain_hash FROM audits WHERE id = ?1")?
            .query_row([row.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((Some(seq), Some(content), Some(chain))) = stored else {
            return Ok(None);
        };
        Ok(Some(AuditSeal {
            seq,
            content_intact: content_hash(row) == content,
            content_hash: content,
            chain_hash: chain,
        }))
    }
}
