//! Saving a form: its checked fields become a domain record, rules across
//! fields (and against what is stored: a taken supplier code, a lot already
//! recorded) are checked, and one `Data` call writes it in one transaction.
//! A refusal goes on the form, next to its field, and nothing is written.

use std::path::PathBuf;

use super::{FormPopup, Purpose};
use crate::error::Error;
use crate::model::validate;
use crate::model::validate::FieldError;
use crate::model::{
    Answer, AuditKind, BusinessType, Capability, Claim, ClaimSource, Closure, DEFAULT_TEMPLATE, Defects, Evidence,
    EvidenceKind, Finding, FindingSeverity, LotCounts, LotRow, LotText, Models, Pillar, Process, ProducedOn, Strength,
    Supplier, records,
};
use crate::store::{LotInsert, NewAudit, SupplierId};
use crate::tui::data::Data;
use crate::tui::form::Form;

/// What was written, so the app can show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    NewSupplier(SupplierId),
    /// A supplier's record, claims, lots or findings changed.
    Supplier(SupplierId),
    NewAudit(i64),
    /// Something filed under a draft audit.
    Audit(i64),
    /// Nothing yet: import this file.
    Import(PathBuf),
}

/// Why a form was not saved: a field's value, or the form as a whole.
struct Refusal {
    key: String,
    message: String,
}

fn refuse(key: &str, message: impl Into<String>) -> Refusal {
    Refusal { key: key.to_owned(), message: message.into() }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Self { key: String::new(), message: format!("Not saved: {e}") }
    }
}

/// A record rule's refusal (`model::records`, the store's own check), next
/// to the form field it names.
fn ruled(e: FieldError) -> Refusal {
    let key = if e.field == "closure" { "evidence".to_owned() } else { e.field };
    Refusal { key, message: e.message }
}

type Saving<T> = std::result::Result<T, Refusal>;

/// Writes what the form says; on refusal, marks the form and returns `None`.
pub fn save(popup: &mut FormPopup, data: &mut Data) -> Option<Saved> {
    let form = &popup.form;
    let outcome = match &popup.purpose {
        Purpose::NewSupplier => new_supplier(form, data),
        Purpose::EditSupplier(id) => supplier(form).and_then(|s| {
            records::supplier(&s).map_err(ruled)?;
            Ok(data.update_supplier(*id, &s).map(|_| Saved::Supplier(*id))?)
        }),
        Purpose::AddClaim(id) => add_claim(form, data, *id),
        Purpose::RetireClaim { supplier, claim, .. } => retire_claim(form, data, *supplier, *claim),
        Purpose::StartAudit(id) => start_audit(form, data, *id),
        Purpose::Note { audit, question, result, .. } => {
            let answer = Answer { question: question.clone(), result: *result, note: form.opt_text("note") };
            records::answer(&answer)
                .map_err(ruled)
                .and_then(|()| data.set_answer(*audit, &answer).map(|()| Saved::Audit(*audit)).map_err(Refusal::from))
        }
        Purpose::Evidence { audit, .. } => add_evidence(form, data, *audit),
        Purpose::Finding { audit, visited_on, .. } => add_finding(form, data, *audit, *visited_on),
        Purpose::CloseFinding { supplier, finding, .. } => close_finding(form, data, *supplier, *finding),
        Purpose::Lot(id) => add_lot(form, data, *id),
        Purpose::Import => import(form),
    };
    match outcome {
        Ok(saved) => Some(saved),
        Err(refusal) => {
            popup.form.refuse(&refusal.key, refusal.message);
            None
        }
    }
}

/// A choice field's word as its vocabulary type.
fn pick<T>(form: &Form, key: &'static str, parse: fn(&str) -> Option<T>) -> Saving<T> {
    parse(form.choice(key)).ok_or_else(|| refuse(key, "choose one of the values listed"))
}

fn day(form: &Form, key: &'static str) -> Saving<chrono::NaiveDate> {
    form.date(key).ok_or_else(|| refuse(key, "is not a date; expected YYYY-MM-DD or today"))
}

fn supplier(form: &Form) -> Saving<Supplier> {
    let models = form.ticked("models");
    Ok(Supplier {
        code: form.text("code"),
        name: form.text("name"),
        country: form.text("country"),
        city: form.opt_text("city"),
        business_type: pick(form, "business_type", BusinessType::parse)?,
        models: Models { oem: models.contains(&"oem"), odm: models.contains(&"odm") },
        moq: form.count("moq"),
        dev_lead_days: form.count("dev_lead_days"),
        notes: form.opt_text("notes"),
    })
}

fn new_supplier(form: &Form, data: &mut Data) -> Saving<Saved> {
    let s = supplier(form)?;
    records::supplier(&s).map_err(ruled)?;
    if data.code_taken(&s.code)? {
        return Err(refuse("code", format!("{} is already a supplier's code; codes are unique", s.code)));
    }
    Ok(Saved::NewSupplier(data.insert_supplier(&s)?))
}

fn add_claim(form: &Form, data: &mut Data, id: SupplierId) -> Saving<Saved> {
    let claim = Claim {
        capability: pick(form, "capability", Capability::parse)?,
        source: pick(form, "source", ClaimSource::parse)?,
        stated_on: day(form, "stated_on")?,
        statement: form.text("statement"),
        retired_on: None,
    };
    records::claim(&claim, validate::today()).map_err(ruled)?;
    if !data.add_claim(id, &claim)? {
        return Err(refuse("statement", "this very claim is already recorded"));
    }
    Ok(Saved::Supplier(id))
}

fn retire_claim(form: &Form, data: &mut Data, id: SupplierId, claim: i64) -> Saving<Saved> {
    let on = day(form, "retired_on")?;
    // The store says why it refuses (before the statement, already retired).
    data.retire_claim(id, claim, on).map_err(|e| refuse("retired_on", e.to_string()))?;
    Ok(Saved::Supplier(id))
}

fn start_audit(form: &Form, data: &mut Data, id: SupplierId) -> Saving<Saved> {
    let (auditor, summary) = (form.text("auditor"), form.opt_text("summary"));
    let new = NewAudit {
        reference: None,
        auditor: &auditor,
        visited_on: day(form, "visited_on")?,
        kind: pick(form, "kind", AuditKind::parse)?,
        template: DEFAULT_TEMPLATE,
        summary: summary.as_deref(),
        amends: None,
    };
    records::audit(new.auditor, new.visited_on, new.summary, None, validate::today()).map_err(ruled)?;
    Ok(Saved::NewAudit(data.create_audit(id, &new)?))
}

fn add_evidence(form: &Form, data: &mut Data, audit: i64) -> Saving<Saved> {
    let evidence = Evidence {
        pillar: pick(form, "pillar", Pillar::parse)?,
        kind: pick(form, "kind", EvidenceKind::parse)?,
        strength: pick(form, "strength", Strength::parse)?,
        collected_on: day(form, "collected_on")?,
        description: form.text("description"),
        reference: form.opt_text("reference"),
    };
    records::evidence(&evidence, validate::today()).map_err(ruled)?;
    data.add_evidence(audit, &evidence)?;
    Ok(Saved::Audit(audit))
}

fn add_finding(form: &Form, data: &mut Data, audit: i64, visited_on: chrono::NaiveDate) -> Saving<Saved> {
    let finding = Finding {
        severity: pick(form, "severity", FindingSeverity::parse)?,
        description: form.text("description"),
        owner: form.opt_text("owner"),
        due_on: day(form, "due_on")?,
        closure: None,
    };
    records::finding(&finding, visited_on, validate::today()).map_err(ruled)?;
    data.add_finding(audit, &finding)?;
    Ok(Saved::Audit(audit))
}

fn close_finding(form: &Form, data: &mut Data, id: SupplierId, finding: i64) -> Saving<Saved> {
    let closure = Closure {
        closed_on: day(form, "closed_on")?,
        evidence: form.text("evidence"),
        closed_by: form.text("closed_by"),
    };
    if let Some(visited_on) = data.finding_visit(finding)? {
        records::closure(&closure, visited_on, validate::today()).map_err(ruled)?;
    }
    data.close_finding(finding, &closure).map_err(|e| refuse("evidence", e.to_string()))?;
    Ok(Saved::Supplier(id))
}

fn add_lot(form: &Form, data: &mut Data, id: SupplierId) -> Saving<Saved> {
    let count = |key: &'static str| form.count(key).ok_or_else(|| refuse(key, "expected a whole number of units"));
    let counts = LotCounts::new(count("started")?, count("passed_first")?, count("reworked")?, count("scrapped")?)
        // The importer's rule across the counts, on the field it names.
        .map_err(|e| field_refusal(&["started", "passed_first", "scrapped"], e))?;
    let text = |key: &'static str| LotText::parse(key, &form.text(key)).map_err(|e| refuse(key, e.message));
    let row = LotRow {
        lot: text("lot")?,
        sku: text("sku")?,
        process: pick(form, "process", Process::parse)?,
        material: text("material")?,
        produced_on: ProducedOn::new(day(form, "produced_on")?, validate::today())
            .map_err(|e| refuse("produced_on", e.message))?,
        counts,
        defects: Defects::from_counts("defects", form.defects("defects").iter().map(|(c, n)| (c.as_str(), *n)))
            .map_err(|e| refuse("defects", e.message))?,
    };
    let code = row.lot.as_str();
    if data.lot_taken(id, code)? {
        return Err(refuse("lot", format!("{code} is already recorded for this supplier; lot codes are unique")));
    }
    match data.add_lot(id, &row)? {
        LotInsert::Inserted => Ok(Saved::Supplier(id)),
        LotInsert::Duplicate => Err(refuse("lot", format!("{code} is already recorded for this supplier"))),
    }
}

/// A validator's refusal on the form field it names (one of `keys`).
fn field_refusal(keys: &[&'static str], e: FieldError) -> Refusal {
    let key = keys.iter().copied().find(|k| *k == e.field).unwrap_or(keys[0]);
    refuse(key, e.message)
}

fn import(form: &Form) -> Saving<Saved> {
    let path = PathBuf::from(form.text("path"));
    if !path.is_file() {
        return Err(refuse("path", "no such file (a path from the directory casebook was started in, or absolute)"));
    }
    Ok(Saved::Import(path))
}
