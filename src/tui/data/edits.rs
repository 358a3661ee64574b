//! What the audit screens load: a draft for the editor (with its items'
//! row ids and the place it was left), an audit for the read-only view;
//! both scored by `workflow::scored_audit`. Also `transact`, which every
//! write of [`super::write`] goes through.

use super::Data;
use crate::assess::checklist::{Score, Template};
use crate::assess::verdict::Assessment;
use crate::error::Result;
use crate::model::{AuditStatus, Evidence, Finding, Supplier};
use crate::store::{AuditRow, SupplierId, Writer};
use crate::workflow::{self, ScoredAudit};

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
    /// Notes on questions not answered yet: (question, note).
    pub notes: Vec<(String, String)>,
    /// Files attached to its evidence: (evidence id, path, size).
    pub attachments: Vec<crate::store::AttachmentRow>,
    /// Evidence items and findings voided (shown struck, counted nowhere).
    pub voided: Vec<crate::store::VoidedItem>,
}

/// One audit for the read-only audit view.
#[derive(Debug, Clone)]
pub struct AuditDetail {
    pub row: AuditRow,
    pub supplier: SupplierId,
    pub template: Template,
    /// The score on its template (section by section).
    pub score: Score,
    /// Evidence items and findings voided while it was a draft.
    pub voided: Vec<crate::store::VoidedItem>,
}

impl Data {
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Runs `change` in its own transaction and commits it.
    pub(super) fn transact<T>(&mut self, change: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let writer = self.store.begin(&self.actor)?;
        let out = change(&writer)?;
        writer.commit()?;
        Ok(out)
    }

    pub fn supplier_record(&self, id: SupplierId) -> Result<Supplier> {
        self.store.read().supplier(id)
    }

    /// SKU, process and material of the supplier's latest lot.
    pub fn last_lot_kind(&self, id: SupplierId) -> Result<Option<(String, crate::model::Process, String)>> {
        self.store.read().last_lot_kind(id)
    }

    /// One supplier's assessment as of the day, computed now.
    pub fn assess_one(&self, id: SupplierId) -> Result<Assessment> {
        workflow::assess_one(&self.store, id, self.as_of)
    }

    /// A draft audit as the editor shows it.
    pub fn editor_detail(&self, audit: i64) -> Result<EditorDetail> {
        let read = self.store.read();
        let ScoredAudit { row, template, score } = workflow::scored_audit(read, audit)?;
        let supplier = read.require_supplier(&row.supplier)?;
        // The place is a convenience: an unreadable one starts at the top.
        let cursor = read.audit_cursor(audit).ok().flatten();
        Ok(EditorDetail {
            notes: read.question_notes(audit)?,
            attachments: read.audit_attachments(audit)?,
            voided: read.voided_items(audit)?,
            evidence: read.evidence(audit)?,
            findings: read.findings(audit)?,
            row,
            supplier,
            template,
            score,
            cursor,
        })
    }

    /// One audit by row id, scored on its template under the stored policy.
    pub fn audit_detail(&self, audit: i64) -> Result<AuditDetail> {
        let read = self.store.read();
        let ScoredAudit { row, template, score } = workflow::scored_audit(read, audit)?;
        let supplier = read.require_supplier(&row.supplier)?;
        Ok(AuditDetail { voided: read.voided_items(audit)?, row, supplier, template, score })
    }

    /// Whether the audit is still a draft (opens in the editor).
    pub fn is_draft(&self, audit: i64) -> Result<bool> {
        Ok(self.store.read().audit(audit)?.audit.status == AuditStatus::Draft)
    }
}
