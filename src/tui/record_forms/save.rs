//! Saving a form: its checked entries become a domain record and the
//! [`Write`] that stores it (or a file to import). Pure: the app carries
//! the write out, and rules against what is stored (a taken supplier code,
//! a lot already recorded) are checked there. A refusal goes on the form,
//! next to its field, and nothing is written.

use std::path::PathBuf;

use super::{FormPopup, Purpose};
use crate::model::{Answer, BusinessModel, Claim, Closure, Evidence, Finding, Lot, Models, Supplier, Word};
use crate::store::AuditHeader;
use crate::tui::data::{AuditStart, Refusal, Write};
use crate::tui::form_kit::{Field, Form};

/// What Enter on a valid form asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    Write(Write),
    /// Nothing to write yet: import this file.
    Import(PathBuf),
}

type Saving<T> = std::result::Result<T, Refusal>;

/// What the form asks to write; a refusal names the field.
pub fn save(popup: &FormPopup) -> Saving<Submitted> {
    let form = &popup.form;
    let write = match &popup.purpose {
        Purpose::NewSupplier => Write::NewSupplier(supplier(form)?),
        Purpose::EditSupplier(id) => Write::Supplier(*id, supplier(form)?),
        Purpose::AddClaim(id) => Write::Claim(*id, claim(form)?),
        Purpose::RetireClaim { supplier, claim, .. } => {
            Write::RetireClaim { supplier: *supplier, claim: *claim, on: day(form, Field::RetiredOn)? }
        }
        Purpose::StartAudit(id) => Write::StartAudit(*id, start(form)?),
        Purpose::Amend { supplier, original, reference } => {
            Write::StartAudit(*supplier, AuditStart { amends: Some((*original, reference.clone())), ..start(form)? })
        }
        Purpose::Note { audit, question, result: Some(result), .. } => {
            let answer = Answer { question: question.clone(), result: *result, note: form.opt_text(Field::Note) };
            Write::Answer { audit: *audit, answer }
        }
        Purpose::Note { audit, question, result: None, .. } => {
            Write::QuestionNote { audit: *audit, question: question.clone(), note: form.opt_text(Field::Note) }
        }
        Purpose::Header { audit, .. } => Write::Header { audit: *audit, header: header(form)? },
        Purpose::Evidence { audit, .. } => Write::Evidence { audit: *audit, evidence: evidence(form)? },
        Purpose::EditEvidence { audit, id, .. } => {
            Write::EditEvidence { audit: *audit, id: *id, evidence: evidence(form)? }
        }
        Purpose::Finding { audit, .. } => Write::Finding { audit: *audit, finding: finding(form)? },
        Purpose::EditFinding { audit, id, finding: was, .. } => {
            // A correction keeps the closure, if the finding has one.
            let finding = Finding { closure: was.closure.clone(), ..finding(form)? };
            Write::EditFinding { audit: *audit, id: *id, finding }
        }
        Purpose::CloseFinding { supplier, finding, .. } => {
            Write::CloseFinding { supplier: *supplier, finding: *finding, closure: closure(form)? }
        }
        Purpose::Lot(id) => Write::Lot(*id, lot(form)?),
        Purpose::Import => return import(form),
        Purpose::Annotate { supplier, lot, .. } => Write::Annotate {
            supplier: *supplier,
            lot: lot.clone(),
            cause: form.text(Field::Cause),
            action: form.opt_text(Field::Action),
            excluded: pick::<crate::model::InLimits>(form, Field::Limits)? == crate::model::InLimits::Excluded,
        },
        Purpose::Attach { audit, evidence, .. } => Write::Attach {
            audit: *audit,
            evidence: *evidence,
            file: crate::tui::paths::expand(&form.text(Field::Path)),
        },
        Purpose::Void { target, .. } => Write::Void { target: target.clone(), reason: form.text(Field::Reason) },
    };
    Ok(Submitted::Write(write))
}

/// A choice entry's value as its vocabulary type.
fn pick<T: Word>(form: &Form, field: Field) -> Saving<T> {
    form.choice::<T>(field).ok_or_else(|| Refusal::at(field, "choose one of the values listed"))
}

fn day(form: &Form, field: Field) -> Saving<chrono::NaiveDate> {
    form.date(field).ok_or_else(|| Refusal::at(field, "is not a date; expected YYYY-MM-DD or today"))
}

fn supplier(form: &Form) -> Saving<Supplier> {
    let models = form.ticked::<BusinessModel>(Field::Models);
    Ok(Supplier {
        code: form.text(Field::Code),
        name: form.text(Field::Name),
        country: form.text(Field::Country).to_ascii_uppercase(),
        city: form.opt_text(Field::City),
        business_type: pick(form, Field::BusinessType)?,
        models: Models { oem: models.contains(&BusinessModel::Oem), odm: models.contains(&BusinessModel::Odm) },
        moq: form.count(Field::Moq),
        dev_lead_days: form.count(Field::DevLeadDays),
        notes: form.opt_text(Field::Notes),
    })
}

fn claim(form: &Form) -> Saving<Claim> {
    Ok(Claim {
        capability: pick(form, Field::Capability)?,
        source: pick(form, Field::Source)?,
        stated_on: day(form, Field::StatedOn)?,
        statement: form.text(Field::Statement),
        retired_on: None,
    })
}

fn start(form: &Form) -> Saving<AuditStart> {
    Ok(AuditStart {
        auditor: form.text(Field::Auditor),
        visited_on: day(form, Field::VisitedOn)?,
        kind: pick(form, Field::AuditKind)?,
        summary: form.opt_text(Field::Summary),
        amends: None,
    })
}

fn header(form: &Form) -> Saving<AuditHeader> {
    Ok(AuditHeader {
        auditor: form.text(Field::Auditor),
        visited_on: day(form, Field::VisitedOn)?,
        summary: form.opt_text(Field::Summary),
    })
}

fn evidence(form: &Form) -> Saving<Evidence> {
    Ok(Evidence {
        pillar: pick(form, Field::Pillar)?,
        kind: pick(form, Field::EvidenceKind)?,
        strength: pick(form, Field::Strength)?,
        collected_on: day(form, Field::CollectedOn)?,
        description: form.text(Field::Description),
        reference: form.opt_text(Field::Reference),
    })
}

fn finding(form: &Form) -> Saving<Finding> {
    Ok(Finding {
        severity: pick(form, Field::Severity)?,
        description: form.text(Field::Description),
        owner: form.opt_text(Field::Owner),
        due_on: day(form, Field::DueOn)?,
        closure: None,
    })
}

fn closure(form: &Form) -> Saving<Closure> {
    Ok(Closure {
        closed_on: day(form, Field::ClosedOn)?,
        evidence: form.text(Field::ClosureEvidence),
        closed_by: form.text(Field::ClosedBy),
    })
}

fn lot(form: &Form) -> Saving<Lot> {
    let count = |field| form.count(field).ok_or_else(|| Refusal::at(field, "expected a whole number of units"));
    Ok(Lot {
        lot: form.text(Field::Lot),
        sku: form.text(Field::Sku),
        process: pick(form, Field::Process)?,
        material: form.text(Field::Material),
        produced_on: day(form, Field::ProducedOn)?,
        started: count(Field::Started)?,
        passed_first: count(Field::PassedFirst)?,
        reworked: count(Field::Reworked)?,
        scrapped: count(Field::Scrapped)?,
        defects: form.defects(Field::Defects),
    })
}

fn import(form: &Form) -> Saving<Submitted> {
    let path = crate::tui::paths::expand(&form.text(Field::Path));
    if !path.is_file() {
        return Err(Refusal::at(
            Field::Path,
            "no such file (a path from the directory casebook was started in, absolute, or from ~)",
        ));
    }
    Ok(Submitted::Import(path))
}
