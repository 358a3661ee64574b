//! Submission, which seals an audit, and the verification of seals.
//!
//! Sealing stores a SHA-256 of the audit's content and links it into a
//! per-database hash chain, so `casebook check` can detect an edited or
//! removed audit even if someone drops the immutability triggers.
//!
//! Two seal formats exist, recorded per audit (`audits.seal_format`):
//!
//! - **1**, written by casebook before schema version 3 and frozen in
//!   `seal_v1` (databases in the field carry it): the canonical JSON of the audit as
//!   the dossier writes it, closures included; link `H(seq ‖ previous ‖
//!   content)`. Verified with the closures recorded by the time of
//!   submission, so closing a finding afterwards is no tamper alarm.
//! - **2**, for every new submission: the header, answers, evidence and
//!   findings (voided ones marked) in an order that depends on content, not
//!   row ids, and the hash of the checklist template the score was computed
//!   on; no closures (they are facts of their own, see `store::facts`). The
//!   link also covers the submission time: `H(v2 ‖ seq ‖ previous ‖ content
//!   ‖ submitted_at)`.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AuditRow;
use crate::assess::checklist::Grade;
use crate::error::Result;
use crate::model::{AuditStatus, HistoryAction, HistoryEntity};
use crate::store::{Change, Reader, Writer};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The seal format new submissions get.
pub const SEAL_FORMAT: i64 = 2;

/// What submission stores beside the seal: the score on the audit's template.
#[derive(Debug, Clone, Copy)]
pub struct Seal<'a> {
    pub score_pct: Option<f64>,
    pub grade: Grade,
    pub critical_no: &'a [String],
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes`, in hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn chain_hash_v2(seq: i64, previous: &str, content: &str, submitted_at: &str) -> String {
    let mut h = Sha256::new();
    for part in ["casebook-chain/2", &seq.to_string(), previous, content, submitted_at] {
        h.update(part.as_bytes());
        h.update(b"\x1f");
    }
    hex(&h.finalize())
}

/// Everything seal v2 covers, as stored (or about to be stored).
#[derive(Debug, Serialize)]
pub(crate) struct SealedV2 {
    seal: &'static str,
    supplier: String,
    reference: String,
    auditor: String,
    visited_on: String,
    kind: String,
    summary: Option<String>,
    amends: Option<String>,
    template: String,
    /// The hash of the template's content (`store::checklists::template_hash`).
    template_hash: Option<String>,
    pub submitted_at: Option<String>,
    pub score_pct: Option<f64>,
    pub grade: Option<Grade>,
    pub critical_no: Vec<String>,
    /// `[question, result, note]`, by question code.
    answers: Vec<(String, String, Option<String>)>,
    /// Each item's canonical JSON, sorted: the order does not depend on row ids.
    evidence: Vec<String>,
    findings: Vec<String>,
}

impl SealedV2 {
    pub fn hash(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).unwrap_or_default())
    }
}

/// The rows of a query, each as the canonical JSON array of its columns, sorted.
fn canonical_rows(read: &Reader<'_>, sql: &str, audit: i64) -> Result<Vec<String>> {
    let mut stmt = read.conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query([audit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let values: Vec<serde_json::Value> = (0..columns)
            .map(|i| match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned().into(),
                Ok(rusqlite::types::ValueRef::Integer(n)) => n.into(),
                Ok(rusqlite::types::ValueRef::Real(x)) => x.into(),
                _ => serde_json::Value::Null,
            })
            .collect();
        out.push(serde_json::Value::from(values).to_string());
    }
    out.sort_unstable();
    Ok(out)
}

impl Reader<'_> {
    /// Seal v2's content of audit `id` as stored now; `templates` caches
    /// template hashes between calls.
    pub(crate) fn sealed_v2(&self, id: i64, templates: &mut HashMap<String, String>) -> Result<SealedV2> {
        let header = self
            .conn
            .prepare_cached(
                "SELECT s.code, a.ref, a.auditor, a.visited_on, a.kind, a.summary, o.ref, a.template, NULL,
                        a.submitted_at, a.score_pct, a.grade
                 FROM audits a JOIN suppliers s ON s.id = a.supplier_id
                 LEFT JOIN audits o ON o.id = a.amends
                 WHERE a.id = ?1",
            )?
            .query_row([id], |r| {
                Ok(SealedV2 {
                    seal: "casebook-seal/2",
                    supplier: r.get(0)?,
                    reference: r.get(1)?,
                    auditor: r.get(2)?,
                    visited_on: r.get(3)?,
                    kind: r.get(4)?,
                    summary: r.get(5)?,
                    amends: r.get(6)?,
                    template: r.get(7)?,
                    template_hash: r.get(8)?,
                    submitted_at: r.get(9)?,
                    score_pct: r.get(10)?,
                    grade: r.get(11)?,
                    critical_no: Vec::new(),
                    answers: Vec::new(),
                    evidence: Vec::new(),
                    findings: Vec::new(),
                })
            })
            .optional()?;
        let mut sealed = header.ok_or_else(|| crate::Error::NotFound(format!("no audit with id {id}")))?;
        // The template as it is now, not its stored hash: an edited question
        // shows in every seal that covers it.
        if !templates.contains_key(&sealed.template) {
            let hash = crate::store::checklists::template_hash(self.conn, &sealed.template)?;
            templates.insert(sealed.template.clone(), hash);
        }
        sealed.template_hash = templates.get(&sealed.template).cloned();
        sealed.critical_no = self.critical_no(id)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT question, result, note FROM answers WHERE audit_id = ?1 ORDER BY question")?;
        sealed.answers =
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        sealed.evidence = canonical_rows(
            self,
            "SELECT pillar, kind, strength, collected_on, description, reference, voided_at, voided_by, void_reason
             FROM evidence WHERE audit_id = ?1",
            id,
        )?;
        sealed.findings = canonical_rows(
            self,
            "SELECT severity, description, owner, due_on, voided_at, voided_by, void_reason
             FROM findings WHERE audit_id = ?1",
            id,
        )?;
        Ok(sealed)
    }

    fn critical_no(&self, id: i64) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT critical_no FROM audits WHERE id = ?1")?
            .query_row([id], |r| super::super::code_list(r, 0))?)
    }

    /// Seal v1's view of audit `id`: its content with only the closures
    /// recorded by the time it was submitted (a later closure is a fact of
    /// its own, not a change to the audit).
    pub(crate) fn sealed_v1(&self, id: i64) -> Result<AuditRow> {
        let mut row = self.audit(id)?;
        let submitted_at = row.submitted_at.clone().unwrap_or_default();
        let later: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT f.id FROM findings f JOIN finding_closures c ON c.finding_id = f.id
                 WHERE f.audit_id = ?1 AND f.voided_at IS NULL AND c.recorded_at > ?2 ORDER BY f.id",
            )?
            .query_map(params![id, submitted_at], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !later.is_empty() {
            let ids: Vec<i64> = self.findings(id)?.into_iter().map(|(fid, _)| fid).collect();
            for (finding, fid) in row.audit.findings.iter_mut().zip(ids) {
                if later.contains(&fid) {
                    finding.closure = None;
                }
            }
        }
        Ok(row)
    }
}

impl Writer<'_> {
    /// Seals draft `audit`: stores score and grade, the seal v2 content hash
    /// and the next link of the hash chain, and records the submission (with
    /// the content hash) in the history chain. After this the triggers refuse
    /// every change. Returns the content hash.
    pub fn submit_audit(&self, audit: i64, seal: Seal<'_>) -> Result<String> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let mut sealed = self.read().sealed_v2(audit, &mut HashMap::new())?;
        sealed.submitted_at = Some(self.at.clone());
        sealed.score_pct = seal.score_pct;
        sealed.grade = Some(seal.grade);
        sealed.critical_no = seal.critical_no.to_vec();
        let content = sealed.hash();
        let (seq, previous) = self.chain_head()?;
        let link = chain_hash_v2(seq + 1, &previous, &content, &self.at);
        self.conn()
            .prepare_cached(
                "UPDATE audits SET status = ?9, submitted_at = ?2, score_pct = ?3, grade = ?4,
                    critical_no = ?5, content_hash = ?6, chain_seq = ?7, chain_hash = ?8, seal_format = ?10
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
                link,
                AuditStatus::Submitted,
                SEAL_FORMAT
            ])?;
        self.record(&Change {
            new: Some(seal.grade.as_str()),
            fact: Some(&content),
            ..Change::of(Some(supplier), HistoryEntity::Audit, &reference, HistoryAction::Submit)
        })?;
        Ok(content)
    }

    /// The last link of the chain: (sequence, chain hash), genesis if none.
    fn chain_head(&self) -> Result<(i64, String)> {
        Ok(self
            .conn()
            .query_row(
                "SELECT chain_seq, chain_hash FROM audits WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
    }
}
