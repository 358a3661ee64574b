//! The forms of recording, each a [`Form`] of the generic kind
//! (`tui::form_kit`): which entries, their rules and defaults ([`open`]),
//! and what saving asks to write ([`save`]: a [`Write`] value the app
//! carries out). A form is a popup; Enter saves it in one transaction, Esc
//! drops it having written nothing.

mod save;

use chrono::NaiveDate;

pub use save::{Submitted, save};

use super::data::{Data, VoidTarget};
use super::form_kit::{Entry, Field, Form, Rule, Step};
use crate::error::Result;
use crate::model::{
    AnswerResult, AuditKind, BusinessType, Capability, ClaimSource, DEFAULT_TEMPLATE, Evidence, EvidenceKind, Finding,
    FindingSeverity, InLimits, Pillar, Process, Strength, Supplier,
};
use crate::store::{AuditHeader, SupplierId};
/// Longest cause or action (the schema's bound).
const NOTE_MAX: usize = 500;
// The importers' own limits, so a form takes what a dossier could carry.
use crate::exchange::validate::{LINE_MAX, LOT_TEXT_MAX, NAME_MAX, TEXT_MAX};

/// Evidence strengths as the forms offer them.
const STRONGEST_FIRST: [Strength; 3] = [Strength::Observed, Strength::Document, Strength::Stated];

/// What a form is for, with what it needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    NewSupplier,
    EditSupplier(SupplierId),
    AddClaim(SupplierId),
    RetireClaim {
        supplier: SupplierId,
        claim: i64,
        what: String,
    },
    StartAudit(SupplierId),
    /// A new draft correcting a submitted audit (its answers copied in).
    Amend {
        supplier: SupplierId,
        original: i64,
        reference: String,
    },
    /// The note of a question, answered (`result`) or not yet.
    Note {
        audit: i64,
        question: String,
        result: Option<AnswerResult>,
        note: Option<String>,
    },
    Header {
        audit: i64,
        reference: String,
        header: AuditHeader,
    },
    Evidence {
        audit: i64,
        reference: String,
        visited_on: NaiveDate,
        pillar: Option<Pillar>,
        kind: AuditKind,
    },
    EditEvidence {
        audit: i64,
        id: i64,
        reference: String,
        evidence: Evidence,
    },
    Finding {
        audit: i64,
        reference: String,
        visited_on: NaiveDate,
    },
    EditFinding {
        audit: i64,
        id: i64,
        reference: String,
        finding: Finding,
    },
    CloseFinding {
        supplier: SupplierId,
        finding: i64,
        what: String,
    },
    Lot(SupplierId),
    Import,
    /// An assignable cause for a lot; `excluded`: as its annotation in force says.
    Annotate {
        supplier: SupplierId,
        lot: String,
        what: String,
        excluded: bool,
    },
    /// A photo or document for an evidence item of a draft.
    Attach {
        audit: i64,
        evidence: i64,
        what: String,
    },
    /// The reason for voiding a record entered wrongly; `what` describes it.
    Void {
        target: VoidTarget,
        what: String,
    },
}

/// A form on screen and what it is for.
#[derive(Debug, Clone)]
pub struct FormPopup {
    pub purpose: Purpose,
    pub form: Form,
}

impl FormPopup {
    /// Keeps defaults that follow other entries up to date (a finding's due
    /// date follows its severity until it is edited), and says what a typed
    /// path is (size and kind, or why it cannot be used).
    pub fn follow(&mut self) {
        match &self.purpose {
            Purpose::Finding { visited_on, .. } => {
                if let Some(severity) = self.form.choice::<FindingSeverity>(Field::Severity) {
                    self.form.follow(Field::DueOn, &severity.due_from(*visited_on).to_string());
                }
            }
            Purpose::Attach { .. } | Purpose::Import => {
                let path = super::paths::expand(&self.form.text(Field::Path));
                // Completions Tab listed stay until the path names something.
                if path.symlink_metadata().is_ok() {
                    let said = super::paths::describe(&path).unwrap_or_else(|why| format!("✗ {why}"));
                    self.form.set_note(Field::Path, Some(said));
                }
            }
            _ => {}
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
            Form::new("Retire a claim", today, vec![Entry::past_date(Field::RetiredOn, "Retired on", today)])
                .intro(format!("{what}: stays on record, no longer in force from this day"))
        }
        Purpose::StartAudit(id) => audit_form("Start an audit", data.actor(), today).intro(whose(data, *id)?),
        Purpose::Amend { supplier, reference, .. } => {
            audit_form(&format!("Amend audit {reference}"), data.actor(), today)
                .intro(whose(data, *supplier)?)
                .intro(format!("A new draft that corrects {reference}: its answers are copied in to start from."))
        }
        Purpose::Note { question, result, note, .. } => {
            let entry = Entry::text(Field::Note, "Note", note.clone().unwrap_or_default(), Rule::Prose(TEXT_MAX))
                .hint("a paste keeps its line breaks; an empty note removes it");
            let state = result.map_or_else(
                || format!("{question} is not answered yet: the note goes with its answer"),
                |r| format!("{question} is answered {r}"),
            );
            Form::new(format!("Note on {question}"), today, vec![entry]).intro(state)
        }
        Purpose::Header { reference, header, .. } => {
            header_form(header, today).intro(format!("Draft audit {reference}"))
        }
        Purpose::Evidence { reference, visited_on, pillar, kind, .. } => {
            evidence_form(*visited_on, *pillar, *kind, today).intro(format!("Filed under audit {reference}"))
        }
        Purpose::EditEvidence { reference, evidence, .. } => edit_evidence_form(evidence, today)
            .intro(format!("Filed under audit {reference}; each change goes in the history")),
        Purpose::Finding { reference, visited_on, .. } => {
            finding_form(*visited_on, today).intro(format!("Raised in audit {reference}, visited {visited_on}"))
        }
        Purpose::EditFinding { reference, finding, .. } => edit_finding_form(finding, today)
            .intro(format!("Raised in audit {reference}; each change goes in the history")),
        Purpose::CloseFinding { what, .. } => closure_form(data.actor(), today).intro(what.clone()),
        Purpose::Lot(id) => lot_form(today, data.last_lot_kind(*id)?).intro(whose(data, *id)?),
        Purpose::Import => import_form(today),
        Purpose::Annotate { what, excluded, .. } => annotate_form(*excluded, today).intro(what.clone()),
        Purpose::Attach { what, .. } => attach_form(today).intro(what.clone()),
        Purpose::Void { target, what } => void_form(target, what, today),
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
            Entry::past_date(Field::StatedOn, "Stated on", today),
            Entry::text(Field::Statement, "Statement", "", Rule::Prose(TEXT_MAX))
                .hint("what the supplier said, in its words"),
        ],
    )
}

fn audit_form(title: &str, auditor: &str, today: NaiveDate) -> Form {
    Form::new(
        title,
        today,
        vec![
            Entry::text(Field::Auditor, "Auditor", auditor, Rule::Text(LINE_MAX)),
            Entry::past_date(Field::VisitedOn, "Visited on", today),
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
    Form::new(
        "Add evidence",
        today,
        vec![
            Entry::choice(Field::Pillar, "Pillar", pillar),
            Entry::choice::<EvidenceKind>(Field::EvidenceKind, "Kind", None),
            Entry::choice_of(Field::Strength, "Strength", &STRONGEST_FIRST, Some(strength))
                .hint("observed: seen on site · document: reviewed or copied · stated: only said"),
            Entry::past_date(Field::CollectedOn, "Collected on", visited_on),
            Entry::text(Field::Description, "Description", "", Rule::RequiredProse(TEXT_MAX)),
            Entry::text(Field::Reference, "Photo / document", "", Rule::OptText(TEXT_MAX))
                .hint("a file name, e.g. IMG_2041.jpg (A on the item attaches the file itself)"),
        ],
    )
}

/// A draft's header as it can be corrected.
fn header_form(header: &AuditHeader, today: NaiveDate) -> Form {
    Form::new(
        "Correct the audit's header",
        today,
        vec![
            Entry::text(Field::Auditor, "Auditor", header.auditor.clone(), Rule::Text(LINE_MAX)),
            Entry::date(Field::VisitedOn, "Visited on", header.visited_on),
            Entry::text(Field::Summary, "Summary", header.summary.clone().unwrap_or_default(), Rule::Prose(TEXT_MAX)),
        ],
    )
}

/// The evidence form filled with an item's values.
fn edit_evidence_form(e: &Evidence, today: NaiveDate) -> Form {
    Form::new(
        "Edit evidence",
        today,
        vec![
            Entry::choice(Field::Pillar, "Pillar", Some(e.pillar)),
            Entry::choice(Field::EvidenceKind, "Kind", Some(e.kind)),
            Entry::choice_of(Field::Strength, "Strength", &STRONGEST_FIRST, Some(e.strength)),
            Entry::date(Field::CollectedOn, "Collected on", e.collected_on),
            Entry::text(Field::Description, "Description", e.description.clone(), Rule::RequiredProse(TEXT_MAX)),
            Entry::text(
                Field::Reference,
                "Photo / document",
                e.reference.clone().unwrap_or_default(),
                Rule::OptText(TEXT_MAX),
            ),
        ],
    )
}

/// The finding form filled with a finding's values.
fn edit_finding_form(f: &Finding, today: NaiveDate) -> Form {
    Form::new(
        "Edit finding",
        today,
        vec![
            Entry::choice(Field::Severity, "Severity", Some(f.severity)),
            Entry::text(Field::Description, "Description", f.description.clone(), Rule::RequiredProse(TEXT_MAX)),
            Entry::text(Field::Owner, "Owner", f.owner.clone().unwrap_or_default(), Rule::OptText(LINE_MAX)),
            Entry::date(Field::DueOn, "Due on", f.due_on),
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
            Entry::past_date(Field::ClosedOn, "Closed on", today),
            Entry::text(Field::ClosureEvidence, "Closure evidence", "", Rule::Text(TEXT_MAX))
                .hint("what shows it is fixed; recorded once, never overwritten"),
            Entry::text(Field::ClosedBy, "Closed by", actor, Rule::Text(LINE_MAX)),
        ],
    )
}

fn annotate_form(excluded: bool, today: NaiveDate) -> Form {
    let limits = if excluded { InLimits::Excluded } else { InLimits::Kept };
    Form::new(
        "Assignable cause",
        today,
        vec![
            Entry::text(Field::Cause, "Cause", "", Rule::Text(NOTE_MAX)).hint("what made this lot differ"),
            Entry::text(Field::Action, "Action", "", Rule::OptText(NOTE_MAX)).hint("what was done about it"),
            Entry::choice::<InLimits>(Field::Limits, "Limits", Some(limits))
                .hint("excluded: left out of the limits (still on the chart and in FPY)"),
        ],
    )
}

/// The lot form, its SKU, process and material those of the supplier's
/// latest lot (a run of lots mostly repeats them).
fn lot_form(today: NaiveDate, last: Option<(String, Process, String)>) -> Form {
    let count = |field, label, value: &str| Entry::text(field, label, value, Rule::Count);
    let (sku, process, material) = last.map_or((String::new(), None, String::new()), |(s, p, m)| (s, Some(p), m));
    Form::new(
        "Enter a yield lot",
        today,
        vec![
            Entry::text(Field::Lot, "Lot code", "", Rule::Text(LOT_TEXT_MAX)),
            Entry::text(Field::Sku, "SKU", sku, Rule::Text(LOT_TEXT_MAX)),
            Entry::choice(Field::Process, "Process", process),
            Entry::text(Field::Material, "Material", material, Rule::Text(LOT_TEXT_MAX)).hint("e.g. TPU+PC"),
            Entry::past_date(Field::ProducedOn, "Produced on", today),
            count(Field::Started, "Started", ""),
            count(Field::PassedFirst, "Passed first time", ""),
            count(Field::Reworked, "Reworked", "0"),
            count(Field::Scrapped, "Scrapped", "0"),
            Entry::text(Field::Defects, "Defects", "", Rule::Defects).hint("code=count, e.g. bubble=12, flash=3"),
        ],
    )
}

fn import_form(today: NaiveDate) -> Form {
    Form::new("Import a yield-lot CSV", today, vec![Entry::text(Field::Path, "File", "", Rule::Path)])
        .intro("Lots by supplier code (or a dossier JSON); the file is imported whole or not at all.")
}

fn attach_form(today: NaiveDate) -> Form {
    let limit = super::paths::size_words(super::data::MAX_ATTACHMENT);
    let hint = "~ is your home folder; Tab completes from the folder's entries";
    Form::new("Attach a photo or document", today, vec![Entry::text(Field::Path, "File", "", Rule::Path).hint(hint)])
        .intro(format!("Its path, size and SHA-256 are recorded; files up to {limit}, not folders or devices."))
}

/// The reason for a void: required, one line, checked as typed; Enter then
/// asks for confirmation, saying what will be voided.
fn void_form(target: &VoidTarget, what: &str, today: NaiveDate) -> Form {
    let reason = Entry::text(Field::Reason, "Reason", "", Rule::Text(crate::store::VOID_REASON_MAX))
        .hint("why it is wrong, e.g. typed under the wrong supplier");
    Form::new(format!("Void {}", target.noun()), today, vec![reason])
        .intro(what.to_owned())
        .intro("It stays on file, marked voided with who, when and why, and counts nowhere. Never undone.")
}
