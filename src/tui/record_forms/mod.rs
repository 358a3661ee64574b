//! The forms of recording, each a [`Form`] of the generic kind
//! (`tui::form_kit`): which entries, their rules and defaults ([`open`]),
//! and what saving asks to write ([`save`]: a [`Write`] value the app
//! carries out). A form is a popup; Enter saves it in one transaction, Esc
//! drops it having written nothing.

mod save;

use chrono::NaiveDate;

pub use save::{Submitted, save};

use super::data::Data;
use super::form_kit::{Entry, Field, Form, Rule, Step};
use crate::error::Result;
use crate::model::{
    AnswerResult, AuditKind, BusinessType, Capability, ClaimSource, DEFAULT_TEMPLATE, EvidenceKind, FindingSeverity,
    Pillar, Process, Strength, Supplier,
};
use crate::store::SupplierId;
// The importers' own limits, so a form takes what a dossier could carry.
use crate::exchange::validate::{LINE_MAX, LOT_TEXT_MAX, NAME_MAX, TEXT_MAX};

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
    /// Keeps defaults that follow other entries up to date (a finding's due
    /// date follows its severity until it is edited).
    pub fn follow(&mut self) {
        if let Purpose::Finding { visited_on, .. } = &self.purpose
            && let Some(severity) = self.form.choice::<FindingSeverity>(Field::Severity)
        {
            self.form.follow(Field::DueOn, &severity.due_from(*visited_on).to_string());
        }
    }

    /// Pasted text, into the focused entry (see [`Form::paste`]).
    pub fn paste(&mut self, text: &str) {
        if self.form.paste(text) == Step::Changed {
            self.follow();
        }
    }
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
            Form::new("Retire a claim", today, vec![Entry::date(Field::RetiredOn, "Retired on", today)])
                .intro(format!("{what}: stays on record, no longer in force from this day"))
        }
        Purpose::StartAudit(id) => audit_form(data.actor(), today).intro(whose(data, *id)?),
        Purpose::Note { question, result, note, .. } => {
            let entry = Entry::text(Field::Note, "Note", note.clone().unwrap_or_default(), Rule::Prose(TEXT_MAX))
                .hint("a paste keeps its line breaks");
            Form::new(format!("Note on {question}"), today, vec![entry])
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
        Some(s) => Entry::fixed(Field::Code, "Code", s.code.clone()).hint("a supplier's code never changes"),
        None => {
            Entry::text(Field::Code, "Code", "", Rule::Code).hint("letters, digits, '.', '_' or '-', e.g. SZ-ARMOR")
        }
    };
    let models = s.map(|s| s.models.list()).unwrap_or_default();
    Form::new(
        title,
        today,
        vec![
            code,
            Entry::text(Field::Name, "Name", text(s.map(|s| s.name.as_str())), Rule::Text(NAME_MAX)),
            Entry::text(Field::Country, "Country", text(s.map(|s| s.country.as_str())), Rule::Country)
                .hint("two letters, e.g. CN (stored in capitals)"),
            Entry::text(Field::City, "City", text(s.and_then(|s| s.city.as_deref())), Rule::OptText(LINE_MAX)),
            Entry::choice(
                Field::BusinessType,
                "Business type",
                Some(s.map_or(BusinessType::Unknown, |s| s.business_type)),
            ),
            Entry::multi(Field::Models, "Models claimed", &models),
            Entry::text(Field::Moq, "MOQ (units)", number(s.and_then(|s| s.moq)), Rule::OptPositive),
            Entry::text(
                Field::DevLeadDays,
                "Development (days)",
                number(s.and_then(|s| s.dev_lead_days)),
                Rule::OptPositive,
            ),
            Entry::text(Field::Notes, "Notes", text(s.and_then(|s| s.notes.as_deref())), Rule::Prose(TEXT_MAX)),
        ],
    )
}

fn claim_form(today: NaiveDate) -> Form {
    Form::new(
        "Add a claim",
        today,
        vec![
            Entry::choice::<Capability>(Field::Capability, "Capability", None)
                .hint("the first four are ODM capabilities"),
            Entry::choice::<ClaimSource>(Field::Source, "Source", None),
            Entry::date(Field::StatedOn, "Stated on", today),
            Entry::text(Field::Statement, "Statement", "", Rule::Prose(TEXT_MAX))
                .hint("what the supplier said, in its words"),
        ],
    )
}

fn audit_form(auditor: &str, today: NaiveDate) -> Form {
    Form::new(
        "Start an audit",
        today,
        vec![
            Entry::text(Field::Auditor, "Auditor", auditor, Rule::Text(LINE_MAX)),
            Entry::date(Field::VisitedOn, "Visited on", today),
            Entry::choice(Field::AuditKind, "Kind", Some(AuditKind::OnSite)),
            Entry::fixed(Field::Template, "Checklist", DEFAULT_TEMPLATE)
                .hint("read-only: every new audit uses this checklist"),
            Entry::text(Field::Summary, "Summary", "", Rule::Prose(TEXT_MAX)),
        ],
    )
}

fn evidence_form(visited_on: NaiveDate, pillar: Option<Pillar>, kind: AuditKind, today: NaiveDate) -> Form {
    // Seen on the floor during a visit; read in a document in a desk review.
    let strength = if kind == AuditKind::OnSite { Strength::Observed } else { Strength::Document };
    let strongest_first = [Strength::Observed, Strength::Document, Strength::Stated];
    Form::new(
        "Add evidence",
        today,
        vec![
            Entry::choice(Field::Pillar, "Pillar", pillar),
            Entry::choice::<EvidenceKind>(Field::EvidenceKind, "Kind", None),
            Entry::choice_of(Field::Strength, "Strength", &strongest_first, Some(strength))
                .hint("observed: seen on site · document: reviewed or copied · stated: only said"),
            Entry::date(Field::CollectedOn, "Collected on", visited_on),
            Entry::text(Field::Description, "Description", "", Rule::RequiredProse(TEXT_MAX)),
            Entry::text(Field::Reference, "Photo / document", "", Rule::OptText(TEXT_MAX))
                .hint("a file name, e.g. IMG_2041.jpg (A on the item attaches the file itself)"),
        ],
    )
}

fn finding_form(visited_on: NaiveDate, today: NaiveDate) -> Form {
    let severity = FindingSeverity::Major;
    Form::new(
        "Raise a finding",
        today,
        vec![
            Entry::choice(Field::Severity, "Severity", Some(severity)),
            Entry::text(Field::Description, "Description", "", Rule::RequiredProse(TEXT_MAX)),
            Entry::text(Field::Owner, "Owner", "", Rule::OptText(LINE_MAX)).hint("who at the factory closes it"),
            Entry::date(Field::DueOn, "Due on", severity.due_from(visited_on))
                .hint("follows the severity: 7 days critical, 14 major, 30 minor from the visit"),
        ],
    )
}

fn closure_form(actor: &str, today: NaiveDate) -> Form {
    Form::new(
        "Close a finding",
        today,
        vec![
            Entry::date(Field::ClosedOn, "Closed on", today),
            Entry::text(Field::ClosureEvidence, "Closure evidence", "", Rule::Text(TEXT_MAX))
                .hint("what shows it is fixed; recorded once, never overwritten"),
            Entry::text(Field::ClosedBy, "Closed by", actor, Rule::Text(LINE_MAX)),
        ],
    )
}

fn lot_form(today: NaiveDate) -> Form {
    let count = |field, label, value: &str| Entry::text(field, label, value, Rule::Count);
    Form::new(
        "Enter a yield lot",
        today,
        vec![
            Entry::text(Field::Lot, "Lot code", "", Rule::Text(LOT_TEXT_MAX)),
            Entry::text(Field::Sku, "SKU", "", Rule::Text(LOT_TEXT_MAX)),
            Entry::choice::<Process>(Field::Process, "Process", None),
            Entry::text(Field::Material, "Material", "", Rule::Text(LOT_TEXT_MAX)).hint("e.g. TPU+PC"),
            Entry::date(Field::ProducedOn, "Produced on", today),
            count(Field::Started, "Started", ""),
            count(Field::PassedFirst, "Passed first time", ""),
            count(Field::Reworked, "Reworked", "0"),
            count(Field::Scrapped, "Scrapped", "0"),
            Entry::text(Field::Defects, "Defects", "", Rule::Defects).hint("code=count, e.g. bubble=12, flash=3"),
        ],
    )
}

fn import_form(today: NaiveDate) -> Form {
    Form::new("Import a yield-lot CSV", today, vec![Entry::text(Field::Path, "File", "", Rule::Text(4096))])
        .intro("Lots by supplier code (or a dossier JSON); the file is imported whole or not at all.")
}
