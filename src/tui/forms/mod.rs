//! The forms of recording, each a [`Form`] of the generic kind: which
//! fields, their rules and defaults ([`open`]), and what saving writes
//! ([`save`]). A form is a popup; Enter saves it in one transaction, Esc
//! drops it having written nothing.

mod save;

use chrono::NaiveDate;

pub use save::{Saved, save};

use super::data::Data;
use super::form::{Field, Form, Rule};
use crate::error::Result;
use crate::model::{
    AnswerResult, AuditKind, BusinessModel, BusinessType, Capability, ClaimSource, DEFAULT_TEMPLATE, EvidenceKind,
    FindingSeverity, Pillar, Process, Strength, Supplier,
};
use crate::store::SupplierId;
// The importers' own limits, so a form takes what a dossier could carry.
use crate::model::validate::{LINE_MAX, LOT_TEXT_MAX, NAME_MAX, TEXT_MAX};

/// What a form is for, with what it needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    NewSupplier,
    EditSupplier(SupplierId),
    AddClaim(SupplierId),
    RetireClaim { supplier: SupplierId, claim: i64, what: String },
    StartAudit(SupplierId),
    Note { audit: i64, question: String, result: AnswerResult, note: Option<String> },
    Evidence { audit: i64, reference: String, visited_on: NaiveDate, pillar: Option<Pillar>, kind: AuditKind },
    Finding { audit: i64, reference: String, visited_on: NaiveDate },
    CloseFinding { supplier: SupplierId, finding: i64, what: String },
    Lot(SupplierId),
    Import,
}

/// A form on screen and what it is for.
#[derive(Debug, Clone)]
pub struct FormPopup {
    pub purpose: Purpose,
    pub form: Form,
}

impl FormPopup {
    /// Keeps defaults that follow other fields up to date (a finding's due
    /// date follows its severity until it is edited).
    pub fn follow(&mut self) {
        if let Purpose::Finding { visited_on, .. } = &self.purpose
            && let Some(severity) = FindingSeverity::parse(self.form.choice("severity"))
        {
            self.form.follow("due_on", &severity.due_from(*visited_on).to_string());
        }
    }
}

fn words<T: Copy>(all: &[T], word: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| word(*v)).collect()
}

/// Builds the form for `purpose`, filled with its defaults.
pub fn open(purpose: Purpose, data: &Data) -> Result<FormPopup> {
    let today = data.as_of;
    let form = match &purpose {
        Purpose::NewSupplier => supplier_form("New supplier", None, today),
        Purpose::EditSupplier(id) => {
            let s = data.supplier_record(*id)?;
            supplier_form(&format!("Edit supplier {}", s.code), Some(&s), today)
        }
        Purpose::AddClaim(id) => claim_form(today).intro(whose(data, *id)?),
        Purpose::RetireClaim { what, .. } => {
            Form::new("Retire a claim", today, vec![Field::past_date("retired_on", "Retired on", today)])
                .intro(format!("{what}: stays on record, no longer in force from this day"))
        }
        Purpose::StartAudit(id) => audit_form(data.actor(), today).intro(whose(data, *id)?),
        Purpose::Note { question, result, note, .. } => {
            let field = Field::text("note", "Note", note.clone().unwrap_or_default(), Rule::Prose(TEXT_MAX));
            Form::new(format!("Note on {question}"), today, vec![field])
                .intro(format!("{question} is answered {result}"))
        }
        Purpose::Evidence { reference, visited_on, pillar, kind, .. } => {
            evidence_form(*visited_on, *pillar, *kind, today).intro(format!("Filed under audit {reference}"))
        }
        Purpose::Finding { reference, visited_on, .. } => {
            finding_form(*visited_on, today).intro(format!("Raised in audit {reference}, visited {visited_on}"))
        }
        Purpose::CloseFinding { what, .. } => closure_form(data.actor(), today).intro(what.clone()),
        Purpose::Lot(id) => lot_form(today).intro(whose(data, *id)?),
        Purpose::Import => import_form(today),
    };
    Ok(FormPopup { purpose, form })
}

fn whose(data: &Data, id: SupplierId) -> Result<String> {
    let s = data.supplier_record(id)?;
    Ok(format!("Supplier {} · {}", s.code, s.name))
}

fn supplier_form(title: &str, s: Option<&Supplier>, today: NaiveDate) -> Form {
    let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
    let number = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let code = match s {
        Some(s) => Field::fixed("code", "Code", s.code.clone()),
        None => Field::text("code", "Code", "", Rule::Code).hint("letters, digits, '.', '_' or '-', e.g. SZ-ARMOR"),
    };
    let models: Vec<&str> =
        s.map(|s| s.models.list().into_iter().map(BusinessModel::as_str).collect()).unwrap_or_default();
    let business = s.map_or(BusinessType::Unknown, |s| s.business_type);
    Form::new(
        title,
        today,
        vec![
            code,
            Field::text("name", "Name", text(s.map(|s| s.name.as_str())), Rule::Text(NAME_MAX)),
            Field::text("country", "Country", text(s.map(|s| s.country.as_str())), Rule::Country)
                .hint("two capital letters, e.g. CN"),
            Field::text("city", "City", text(s.and_then(|s| s.city.as_deref())), Rule::OptText(LINE_MAX)),
            Field::choice(
                "business_type",
                "Business type",
                words(BusinessType::ALL, BusinessType::as_str),
                business.as_str(),
            ),
            Field::multi("models", "Models claimed", vec!["oem", "odm"], &models),
            Field::text("moq", "MOQ (units)", number(s.and_then(|s| s.moq)), Rule::OptPositive),
            Field::text(
                "dev_lead_days",
                "Development (days)",
                number(s.and_then(|s| s.dev_lead_days)),
                Rule::OptPositive,
            ),
            Field::text("notes", "Notes", text(s.and_then(|s| s.notes.as_deref())), Rule::Prose(TEXT_MAX)),
        ],
    )
}

fn claim_form(today: NaiveDate) -> Form {
    Form::new(
        "Add a claim",
        today,
        vec![
            Field::choice("capability", "Capability", words(Capability::ALL, Capability::as_str), "")
                .hint("the first four are ODM capabilities"),
            Field::choice("source", "Source", words(ClaimSource::ALL, ClaimSource::as_str), ""),
            Field::past_date("stated_on", "Stated on", today),
            Field::text("statement", "Statement", "", Rule::Prose(TEXT_MAX))
                .hint("what the supplier said, in its words"),
        ],
    )
}

fn audit_form(auditor: &str, today: NaiveDate) -> Form {
    Form::new(
        "Start an audit",
        today,
        vec![
            Field::text("auditor", "Auditor", auditor, Rule::Text(LINE_MAX)),
            Field::past_date("visited_on", "Visited on", today),
            Field::choice("kind", "Kind", words(AuditKind::ALL, AuditKind::as_str), AuditKind::OnSite.as_str()),
            Field::fixed("template", "Checklist", DEFAULT_TEMPLATE),
            Field::text("summary", "Summary", "", Rule::Prose(TEXT_MAX)),
        ],
    )
}

fn evidence_form(visited_on: NaiveDate, pillar: Option<Pillar>, kind: AuditKind, today: NaiveDate) -> Form {
    // Seen on the floor during a visit; read in a document in a desk review.
    let strength = if kind == AuditKind::OnSite { Strength::Observed } else { Strength::Document };
    let pillar = pillar.map_or("", Pillar::as_str);
    Form::new(
        "Add evidence",
        today,
        vec![
            Field::choice("pillar", "Pillar", words(Pillar::ALL, Pillar::as_str), pillar),
            Field::choice("kind", "Kind", words(EvidenceKind::ALL, EvidenceKind::as_str), ""),
            Field::choice("strength", "Strength", vec!["observed", "document", "stated"], strength.as_str())
                .hint("observed: seen on site · document: reviewed or copied · stated: only said"),
            Field::past_date("collected_on", "Collected on", visited_on),
            Field::text("description", "Description", "", Rule::Text(TEXT_MAX)),
            Field::text("reference", "Photo / document", "", Rule::OptText(TEXT_MAX))
                .hint("a file name or path, e.g. IMG_2041.jpg"),
        ],
    )
}

fn finding_form(visited_on: NaiveDate, today: NaiveDate) -> Form {
    let severity = FindingSeverity::Major;
    Form::new(
        "Raise a finding",
        today,
        vec![
            Field::choice(
                "severity",
                "Severity",
                words(FindingSeverity::ALL, FindingSeverity::as_str),
                severity.as_str(),
            ),
            Field::text("description", "Description", "", Rule::Text(TEXT_MAX)),
            Field::text("owner", "Owner", "", Rule::OptText(LINE_MAX)).hint("who at the factory closes it"),
            Field::date("due_on", "Due on", severity.due_from(visited_on))
                .hint("follows the severity: 7 days critical, 14 major, 30 minor from the visit"),
        ],
    )
}

fn closure_form(actor: &str, today: NaiveDate) -> Form {
    Form::new(
        "Close a finding",
        today,
        vec![
            Field::past_date("closed_on", "Closed on", today),
            Field::text("evidence", "Closure evidence", "", Rule::Text(TEXT_MAX))
                .hint("what shows it is fixed; recorded once, never overwritten"),
            Field::text("closed_by", "Closed by", actor, Rule::Text(LINE_MAX)),
        ],
    )
}

fn lot_form(today: NaiveDate) -> Form {
    let count = |key, label, value: &str| Field::text(key, label, value, Rule::Count);
    Form::new(
        "Enter a yield lot",
        today,
        vec![
            Field::text("lot", "Lot code", "", Rule::Text(LOT_TEXT_MAX)),
            Field::text("sku", "SKU", "", Rule::Text(LOT_TEXT_MAX)),
            Field::choice("process", "Process", words(Process::ALL, Process::as_str), ""),
            Field::text("material", "Material", "", Rule::Text(LOT_TEXT_MAX)).hint("e.g. TPU+PC"),
            Field::past_date("produced_on", "Produced on", today),
            count("started", "Started", ""),
            count("passed_first", "Passed first time", ""),
            count("reworked", "Reworked", "0"),
            count("scrapped", "Scrapped", "0"),
            Field::text("defects", "Defects", "", Rule::Defects).hint("code=count, e.g. bubble=12, flash=3"),
        ],
    )
}

fn import_form(today: NaiveDate) -> Form {
    Form::new("Import a yield-lot CSV", today, vec![Field::text("path", "File", "", Rule::Text(4096))])
        .intro("Lots by supplier code (or a dossier JSON); the file is imported whole or not at all.")
}
