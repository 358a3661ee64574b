//! The UI's writes: each change its own short transaction through the
//! store's `Writer` (which records history), committed before the call
//! returns, so there is never unsaved state to lose. Also what the audit
//! editor loads: the draft, its checklist and its live score.

use chrono::NaiveDate;

use super::Data;
use crate::assess::checklist::{self, Score, Template};
use crate::assess::verdict::Assessment;
use crate::error::Result;
use crate::model::{Answer, Claim, Closure, Evidence, Finding, Supplier};
use crate::store::{AuditRow, LotInsert, NewAudit, SupplierId, Writer};
use crate::workflow;

/// Everything the audit editor shows of one audit.
#[derive(Debug, Clone)]
pub struct EditorDetail {
    pub row: AuditRow,
    pub supplier: SupplierId,
    pub template: Template,
    /// Live, on the stored policy's grading rules.
    pub score: Score,
    /// With their row ids, in the order they were added.
    pub evidence: Vec<(i64, Evidence)>,
    pub findings: Vec<(i64, Finding)>,
    /// The question last selected, if the editor was open on it before.
    pub cursor: Option<String>,
}

impl Data {
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Runs `change` in its own transaction and commits it.
    pub(super) fn write<T>(&mut self, change: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let writer = self.store.begin(&self.actor)?;
        let out = change(&writer)?;
        writer.commit()?;
        Ok(out)
    }

    pub fn supplier_record(&self, id: SupplierId) -> Result<Supplier> {
        self.store.read().supplier(id)
    }

    pub fn code_taken(&self, code: &str) -> Result<bool> {
        Ok(self.store.read().supplier_id(code)?.is_some())
    }

    pub fn lot_taken(&self, supplier: SupplierId, lot: &str) -> Result<bool> {
        self.store.read().lot_exists(supplier, lot)
    }

    /// One supplier's assessment as of the day, computed now.
    pub fn assess_one(&self, id: SupplierId) -> Result<Assessment> {
        workflow::assess_one(&self.store, id, self.as_of)
    }

    pub fn insert_supplier(&mut self, s: &Supplier) -> Result<SupplierId> {
        self.write(|w| w.insert_supplier(s))
    }

    pub fn update_supplier(&mut self, id: SupplierId, s: &Supplier) -> Result<usize> {
        self.write(|w| w.update_supplier(id, s))
    }

    pub fn add_claim(&mut self, id: SupplierId, claim: &Claim) -> Result<bool> {
        self.write(|w| w.insert_claim(id, claim))
    }

    pub fn retire_claim(&mut self, id: SupplierId, claim: i64, on: NaiveDate) -> Result<()> {
        self.write(|w| w.retire_claim(id, claim, on))
    }

    pub fn create_audit(&mut self, id: SupplierId, new: &NewAudit<'_>) -> Result<i64> {
        self.write(|w| w.create_audit(id, new).map(|(audit, _)| audit))
    }

    pub fn set_answer(&mut self, audit: i64, answer: &Answer) -> Result<()> {
        self.write(|w| w.set_answer(audit, answer))
    }

    pub fn clear_answer(&mut self, audit: i64, question: &str) -> Result<()> {
        self.write(|w| w.clear_answer(audit, question))
    }

    pub fn add_evidence(&mut self, audit: i64, evidence: &Evidence) -> Result<i64> {
        self.write(|w| w.add_evidence(audit, evidence))
    }

    pub fn add_finding(&mut self, audit: i64, finding: &Finding) -> Result<i64> {
        self.write(|w| w.add_finding(audit, finding))
    }

    /// The day the audit of a finding was visited (what a closure answers to).
    pub fn finding_visit(&self, finding: i64) -> Result<Option<chrono::NaiveDate>> {
        self.store.read().finding_visit(finding)
    }

    pub fn close_finding(&mut self, finding: i64, closure: &Closure) -> Result<()> {
        self.write(|w| w.close_finding(finding, closure))
    }

    pub fn add_lot(&mut self, id: SupplierId, lot: &crate::model::LotRow) -> Result<LotInsert> {
        self.write(|w| w.add_lot(id, lot))
    }

    /// Scores and submits (locks) a draft; returns the sealed score.
    pub fn submit(&mut self, audit: i64) -> Result<Score> {
        self.write(|w| workflow::seal(w, audit))
    }

    /// Remembers the question selected in the editor. Not history, and a
    /// failure here (a database from before `audit_cursors`) only loses the
    /// place, never a record: the caller may ignore it.
    pub fn set_cursor(&mut self, audit: i64, question: &str) -> Result<()> {
        self.write(|w| w.set_audit_cursor(audit, question))
    }

    /// A draft audit as the editor shows it.
    pub fn editor_detail(&self, audit: i64) -> Result<EditorDetail> {
        let read = self.store.read();
        let row = read.audit(audit)?;
        let supplier = read.require_supplier(&row.supplier)?;
        let template = read.template(&row.audit.template)?;
        let score = checklist::score(&template, &row.audit.answers, &read.policy()?.grade);
        // The place is a convenience: an unreadable one starts at the top.
        let cursor = read.audit_cursor(audit).ok().flatten();
        Ok(EditorDetail {
            evidence: read.evidence(audit)?,
            findings: read.findings(audit)?,
            row,
            supplier,
            template,
            score,
            cursor,
        })
    }

    /// Whether the audit is still a draft (opens in the editor).
    pub fn is_draft(&self, audit: i64) -> Result<bool> {
        Ok(self.store.read().audit(audit)?.audit.status == crate::model::AuditStatus::Draft)
    }
}
