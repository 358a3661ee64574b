//! Every change the UI makes, as a value: screens and forms say what to
//! write ([`Write`]), the app hands it here, and [`Data::write`] carries it
//! out in its own short transaction through the store's `Writer` (which
//! records history), committed before the call returns. What was written
//! ([`Written`]) tells the app what to show again.

use chrono::NaiveDate;

use super::Data;
use super::void::VoidTarget;
use crate::assess::checklist::Score;
use crate::error::Error;
use crate::model::validate;
use crate::model::{Answer, AuditKind, Claim, Closure, DEFAULT_TEMPLATE, Evidence, Finding, Lot, LotRow, Supplier};
use crate::store::{AuditHeader, LotInsert, NewAudit, SupplierId};
use crate::tui::form_kit::Field;
use crate::workflow;

/// An audit's header as the start (or amend) form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStart {
    pub auditor: String,
    pub visited_on: NaiveDate,
    pub kind: AuditKind,
    pub summary: Option<String>,
    /// The submitted audit this one corrects: (row id, reference). Its
    /// answers are copied into the new draft as the starting point.
    pub amends: Option<(i64, String)>,
}

/// One change to the database.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Mark (or unmark) a supplier for the shortlist.
    Mark {
        supplier: SupplierId,
        on: bool,
    },
    NewSupplier(Supplier),
    Supplier(SupplierId, Supplier),
    Claim(SupplierId, Claim),
    RetireClaim {
        supplier: SupplierId,
        claim: i64,
        on: NaiveDate,
    },
    StartAudit(SupplierId, AuditStart),
    Answer {
        audit: i64,
        answer: Answer,
    },
    ClearAnswer {
        audit: i64,
        question: String,
    },
    /// Where the editor was left (not history; losing it loses no record).
    Cursor {
        audit: i64,
        question: String,
    },
    /// A note on a question not answered yet (`None` removes it).
    QuestionNote {
        audit: i64,
        question: String,
        note: Option<String>,
    },
    Header {
        audit: i64,
        header: AuditHeader,
    },
    Evidence {
        audit: i64,
        evidence: Evidence,
    },
    EditEvidence {
        audit: i64,
        id: i64,
        evidence: Evidence,
    },
    EditFinding {
        audit: i64,
        id: i64,
        finding: Finding,
    },
    Finding {
        audit: i64,
        finding: Finding,
    },
    CloseFinding {
        supplier: SupplierId,
        finding: i64,
        closure: Closure,
    },
    Lot(SupplierId, Lot),
    /// A photo or document on an evidence item of `audit`.
    Attach {
        audit: i64,
        evidence: i64,
        file: std::path::PathBuf,
    },
    Submit(i64),
    /// Void a record entered wrongly: it stays, marked, and counts nowhere.
    Void {
        target: VoidTarget,
        reason: String,
    },
    /// An assignable cause for a lot, as of the day.
    Annotate {
        supplier: SupplierId,
        lot: String,
        cause: String,
        action: Option<String>,
        excluded: bool,
    },
}

/// What a write changed, so the app knows what to show again.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Nothing anyone sees (the editor's place).
    Quietly,
    Marked {
        supplier: SupplierId,
        on: bool,
    },
    NewSupplier(SupplierId),
    /// A supplier's record, claims, lots or findings: its verdict may change.
    Supplier(SupplierId),
    NewAudit {
        audit: i64,
        supplier: SupplierId,
    },
    /// An answer of a draft audit (no verdict reads draft answers).
    Answered {
        audit: i64,
        supplier: SupplierId,
    },
    /// An item or the header of a draft audit (draft evidence shows in flags).
    Draft {
        audit: i64,
        supplier: SupplierId,
    },
    Submitted {
        audit: i64,
        supplier: SupplierId,
        score: Score,
    },
    /// A file attached to an evidence item.
    Attached {
        audit: i64,
        supplier: SupplierId,
        attached: super::attach::Attached,
    },
}

/// Why a write was refused: about one field of the form that asked for it,
/// or about the whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Option<Field>,
    pub message: String,
}

impl Refusal {
    pub fn at(field: Field, message: impl Into<String>) -> Self {
        Self { field: Some(field), message: message.into() }
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        match e {
            // A rule the store's writers check (`model::records`): next to its field.
            Error::Field(e) => Self { field: Field::from_key(&e.field), message: e.message },
            e => Self { field: None, message: format!("Not saved: {e}") },
        }
    }
}

impl Refusal {
    /// A refusal from the store, next to its own field if it names one the
    /// form has, else next to `field`.
    fn or_at(e: Error, field: Field) -> Self {
        match Self::from(e) {
            refusal @ Self { field: Some(_), .. } => refusal,
            Self { message, .. } => Self::at(field, message.trim_start_matches("Not saved: ").to_owned()),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Data {
    /// Carries out one change in its own transaction.
    pub fn write(&mut self, change: &Write) -> Result<Written, Refusal> {
        match change {
            Write::Mark { supplier, on } => {
                let (id, on) = (*supplier, *on);
                self.transact(|w| if on { w.shortlist_add(id) } else { w.shortlist_remove(id) })?;
                Ok(Written::Marked { supplier: id, on })
            }
            Write::NewSupplier(s) => {
                if self.store.read().supplier_id(&s.code)?.is_some() {
                    return Err(Refusal::at(
                        Field::Code,
                        format!("{} is already a supplier's code; codes are unique", s.code),
                    ));
                }
                Ok(Written::NewSupplier(self.transact(|w| w.insert_supplier(s))?))
            }
            Write::Supplier(id, s) => {
                self.transact(|w| w.update_supplier(*id, s))?;
                Ok(Written::Supplier(*id))
            }
            Write::Claim(id, claim) => {
                if !self.transact(|w| w.insert_claim(*id, claim))? {
                    return Err(Refusal::at(Field::Statement, "this very claim is already recorded"));
                }
                Ok(Written::Supplier(*id))
            }
            Write::RetireClaim { supplier, claim, on } => {
                // The store says why it refuses (before the statement, already retired).
                self.transact(|w| w.retire_claim(*supplier, *claim, *on))
                    .map_err(|e| Refusal::or_at(e, Field::RetiredOn))?;
                Ok(Written::Supplier(*supplier))
            }
            Write::StartAudit(supplier, start) => self.start_audit(*supplier, start),
            Write::Answer { audit, answer } => self.answered(*audit, |w| w.set_answer(*audit, answer)),
            Write::ClearAnswer { audit, question } => self.answered(*audit, |w| w.clear_answer(*audit, question)),
            Write::Cursor { audit, question } => {
                self.transact(|w| w.set_audit_cursor(*audit, question))?;
                Ok(Written::Quietly)
            }
            Write::QuestionNote { audit, question, note } => {
                self.answered(*audit, |w| w.set_question_note(*audit, question, note.as_deref()))
            }
            Write::Header { audit, header } => self.draft(*audit, |w| w.update_audit_header(*audit, header).map(drop)),
            Write::Evidence { audit, evidence } => self.draft(*audit, |w| w.add_evidence(*audit, evidence).map(drop)),
            Write::EditEvidence { audit, id, evidence } => {
                self.draft(*audit, |w| w.update_evidence(*id, evidence).map(drop))
            }
            Write::Finding { audit, finding } => self.draft(*audit, |w| w.add_finding(*audit, finding).map(drop)),
            Write::EditFinding { audit, id, finding } => {
                self.draft(*audit, |w| w.update_finding(*id, finding).map(drop))
            }
            Write::CloseFinding { supplier, finding, closure } => {
                self.transact(|w| w.close_finding(*finding, closure))
                    .map_err(|e| Refusal::or_at(e, Field::ClosureEvidence))?;
                Ok(Written::Supplier(*supplier))
            }
            Write::Lot(supplier, lot) => self.add_lot(*supplier, lot),
            Write::Annotate { supplier, lot, cause, action, excluded } => {
                let exclusion = if *excluded { workflow::Exclusion::Exclude } else { workflow::Exclusion::Include };
                let note = workflow::Note { lot, cause, action: action.as_deref(), exclusion };
                let as_of = self.as_of;
                self.transact(|w| workflow::annotate(w, *supplier, &note, as_of).map(drop))
                    .map_err(|e| Refusal::at(Field::Cause, e.to_string()))?;
                Ok(Written::Supplier(*supplier))
            }
            Write::Attach { audit, evidence, file } => {
                let checked = super::attach::check_file(self.store.path(), file)
                    .map_err(|e| Refusal::at(Field::Path, e.to_string()))?;
                let attached = self.transact(|w| super::attach::attach_file(w, *evidence, &checked))?;
                Ok(Written::Attached { audit: *audit, supplier: self.audit_supplier(*audit)?, attached })
            }
            Write::Void { target, reason } => self.void(target, reason),
            Write::Submit(audit) => {
                let supplier = self.audit_supplier(*audit)?;
                let score = self.transact(|w| workflow::seal(w, *audit))?;
                Ok(Written::Submitted { audit: *audit, supplier, score })
            }
        }
    }

    pub(super) fn audit_supplier(&self, audit: i64) -> crate::error::Result<SupplierId> {
        let read = self.store.read();
        read.require_supplier(&read.audit(audit)?.supplier)
    }

    /// An answer written.
    fn answered(
        &mut self,
        audit: i64,
        change: impl FnOnce(&crate::store::Writer<'_>) -> crate::error::Result<()>,
    ) -> Result<Written, Refusal> {
        self.transact(change)?;
        Ok(Written::Answered { audit, supplier: self.audit_supplier(audit)? })
    }

    /// A change under a draft audit.
    fn draft(
        &mut self,
        audit: i64,
        change: impl FnOnce(&crate::store::Writer<'_>) -> crate::error::Result<()>,
    ) -> Result<Written, Refusal> {
        self.transact(change)?;
        Ok(Written::Draft { audit, supplier: self.audit_supplier(audit)? })
    }

    fn start_audit(&mut self, supplier: SupplierId, start: &AuditStart) -> Result<Written, Refusal> {
        let original = start.amends.as_ref().map(|(id, _)| *id);
        let audit = self.transact(|w| {
            // The original by its gid: its reference may be shared (merged
            // from two copies made before installation tags).
            let original_gid = original.map(|id| w.read().audit_gid(id).map(|g| g.to_string())).transpose()?;
            let new = NewAudit {
                reference: None,
                auditor: &start.auditor,
                visited_on: start.visited_on,
                kind: start.kind,
                template: DEFAULT_TEMPLATE,
                summary: start.summary.as_deref(),
                amends: original_gid.as_deref(),
            };
            let (audit, _) = w.create_audit(supplier, &new)?;
            if let Some(original) = original {
                w.copy_answers(original, audit)?;
            }
            Ok(audit)
        })?;
        Ok(Written::NewAudit { audit, supplier })
    }

    fn add_lot(&mut self, supplier: SupplierId, lot: &Lot) -> Result<Written, Refusal> {
        let row = lot_row(lot)?;
        let taken = format!("{} is already recorded for this supplier; lot codes are unique", lot.lot);
        if self.store.read().lot_exists(supplier, &lot.lot)? {
            return Err(Refusal::at(Field::Lot, taken));
        }
        match self.transact(|w| w.add_lot(supplier, &row))? {
            LotInsert::Inserted => Ok(Written::Supplier(supplier)),
            LotInsert::Duplicate => Err(Refusal::at(Field::Lot, taken)),
        }
    }
}

/// The form's lot as the checked row the store takes (the importers'
/// rules), a refusal on the field it names.
fn lot_row(lot: &Lot) -> Result<LotRow, Refusal> {
    LotRow::from_lot(lot, validate::today())
        .map_err(|e| Refusal { field: Field::from_key(&e.field), message: e.message })
}
