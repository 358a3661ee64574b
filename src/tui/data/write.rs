//! Every change the UI makes, as a value: screens and forms say what to
//! write ([`Write`]), the app hands it here, and [`Data::write`] carries it
//! out in its own short transaction through the store's `Writer` (which
//! records history), committed before the call returns. What was written
//! ([`Written`]) tells the app what to show again.

use chrono::NaiveDate;

use super::Data;
use crate::assess::checklist::Score;
use crate::error::Error;
use crate::exchange::validate;
use crate::model::{Answer, AuditKind, Claim, Closure, DEFAULT_TEMPLATE, Evidence, Finding, Lot, Supplier};
use crate::store::{LotInsert, NewAudit, NewLot, SupplierId};
use crate::tui::form_kit::Field;
use crate::workflow;

/// An audit's header as the start (or amend) form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStart {
    pub auditor: String,
    pub visited_on: NaiveDate,
    pub kind: AuditKind,
    pub summary: Option<String>,
    /// The submitted audit this one corrects, by reference.
    pub amends: Option<String>,
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
    Evidence {
        audit: i64,
        evidence: Evidence,
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
    Submit(i64),
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
        Self { field: None, message: format!("Not saved: {e}") }
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
                    .map_err(|e| Refusal::at(Field::RetiredOn, e.to_string()))?;
                Ok(Written::Supplier(*supplier))
            }
            Write::StartAudit(supplier, start) => self.start_audit(*supplier, start),
            Write::Answer { audit, answer } => self.answered(*audit, |w| w.set_answer(*audit, answer)),
            Write::ClearAnswer { audit, question } => self.answered(*audit, |w| w.clear_answer(*audit, question)),
            Write::Cursor { audit, question } => {
                self.transact(|w| w.set_audit_cursor(*audit, question))?;
                Ok(Written::Quietly)
            }
            Write::Evidence { audit, evidence } => self.draft(*audit, |w| w.add_evidence(*audit, evidence).map(drop)),
            Write::Finding { audit, finding } => self.draft(*audit, |w| w.add_finding(*audit, finding).map(drop)),
            Write::CloseFinding { supplier, finding, closure } => {
                self.transact(|w| w.close_finding(*finding, closure))
                    .map_err(|e| Refusal::at(Field::ClosureEvidence, e.to_string()))?;
                Ok(Written::Supplier(*supplier))
            }
            Write::Lot(supplier, lot) => self.add_lot(*supplier, lot),
            Write::Submit(audit) => {
                let supplier = self.audit_supplier(*audit)?;
                let score = self.transact(|w| workflow::seal(w, *audit))?;
                Ok(Written::Submitted { audit: *audit, supplier, score })
            }
        }
    }

    fn audit_supplier(&self, audit: i64) -> crate::error::Result<SupplierId> {
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
        let new = NewAudit {
            reference: None,
            auditor: &start.auditor,
            visited_on: start.visited_on,
            kind: start.kind,
            template: DEFAULT_TEMPLATE,
            summary: start.summary.as_deref(),
            amends: start.amends.as_deref(),
        };
        let audit = self.transact(|w| w.create_audit(supplier, &new).map(|(id, _)| id))?;
        Ok(Written::NewAudit { audit, supplier })
    }

    fn add_lot(&mut self, supplier: SupplierId, lot: &Lot) -> Result<Written, Refusal> {
        // The importer's rule across the counts, on the field it names.
        if let Some(e) = validate::lot_counts(lot.started, lot.passed_first, lot.scrapped) {
            let field = [Field::Started, Field::PassedFirst, Field::Scrapped]
                .into_iter()
                .find(|f| f.key() == e.field)
                .unwrap_or(Field::Started);
            return Err(Refusal::at(field, e.message));
        }
        let taken = format!("{} is already recorded for this supplier; lot codes are unique", lot.lot);
        if self.store.read().lot_exists(supplier, &lot.lot)? {
            return Err(Refusal::at(Field::Lot, taken));
        }
        let produced_on = lot.produced_on.to_string();
        let new = NewLot {
            lot: &lot.lot,
            sku: &lot.sku,
            process: lot.process,
            material: &lot.material,
            produced_on: &produced_on,
            started: lot.started,
            passed_first: lot.passed_first,
            reworked: lot.reworked,
            scrapped: lot.scrapped,
        };
        let mut json = String::new();
        let defects = validate::defects_json(lot.defects.iter().map(|(c, n)| (c.as_str(), *n)), &mut json);
        match self.transact(|w| w.add_lot(supplier, &new, defects))? {
            LotInsert::Inserted => Ok(Written::Supplier(supplier)),
            LotInsert::Duplicate => Err(Refusal::at(Field::Lot, taken)),
        }
    }
}
