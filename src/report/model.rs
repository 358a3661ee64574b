//! The report model: everything a report shows, already in words and
//! numbers, so the two renderers (HTML and PDF) only lay it out. Both read
//! the same values; neither queries the database or computes a figure.
//!
//! It serialises to JSON for the PDF renderer, which hands it to the Typst
//! template as data: text from the database never becomes markup.

use serde::Serialize;

/// Either report, as built by [`super::build`].
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Report {
    Audit(Box<AuditReport>),
    Supplier(Box<SupplierReport>),
}

impl Report {
    pub fn meta(&self) -> &Meta {
        match self {
            Self::Audit(r) => &r.meta,
            Self::Supplier(r) => &r.meta,
        }
    }

    /// Every photo of the report (the supplier report has none).
    pub fn photos(&self) -> Vec<&Photo> {
        match self {
            Self::Audit(r) => r.evidence.iter().flat_map(|e| &e.photos).collect(),
            Self::Supplier(_) => Vec::new(),
        }
    }
}

/// What every report states about itself.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// "Audit report A-2026-014", "Supplier report SZ-ARMOR".
    pub title: String,
    /// The day the report was evaluated for (`--as-of`).
    pub as_of: String,
    pub casebook_version: String,
    /// Draft audits are watermarked DRAFT.
    pub draft: bool,
    /// One line for every page's footer.
    pub footer: String,
}

/// A label and a value, for header blocks.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

pub fn field(label: &str, value: impl Into<String>) -> Field {
    Field { label: label.to_owned(), value: value.into() }
}

/// A table: headings and rows of cells, all text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// A line under the table ("and 12 more …"), if any.
    pub note: Option<String>,
}

impl Table {
    pub fn new(columns: &[&str]) -> Self {
        Self { columns: columns.iter().map(|c| (*c).to_owned()).collect(), rows: Vec::new(), note: None }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}

/// One score bar: a section of the checklist, or the whole audit.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    /// 0–1, `None` when nothing weighted was answered.
    pub fraction: Option<f64>,
    /// "86.0%" or "—".
    pub value: String,
    /// "12 of 14 answered".
    pub detail: String,
}

// ---- the audit report -------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub meta: Meta,
    pub reference: String,
    /// Supplier: code, name, address, business type, models, licence.
    pub supplier: Vec<Field>,
    /// The visit: site, date, kind, auditor, scope, status.
    pub visit: Vec<Field>,
    pub summary: Option<String>,
    pub grade: String,
    /// "sealed at submission" or "live score of a draft".
    pub grade_basis: String,
    pub overall: Bar,
    pub sections: Vec<Bar>,
    /// Critical questions answered `no`: "LG-02 — question text".
    pub critical_no: Vec<String>,
    pub answers: Vec<AnswerSection>,
    pub evidence: Vec<EvidenceItem>,
    pub findings: Vec<FindingGroup>,
    /// The audits this one amends or is amended by, oldest first; empty when none.
    pub amendments: Table,
    pub seal: SealSection,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerSection {
    pub label: String,
    /// "86.0%" or "—".
    pub score: String,
    pub answers: Vec<AnswerLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerLine {
    pub code: String,
    pub question: String,
    /// "yes", "partial", "no", "n/a" or "unanswered".
    pub result: String,
    pub critical: bool,
    pub weight: u8,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceItem {
    pub number: i64,
    pub pillar: String,
    pub kind: String,
    pub strength: String,
    pub collected_on: String,
    pub description: String,
    pub reference: Option<String>,
    pub photos: Vec<Photo>,
    /// Attached files that are not images: "spec.pdf (48,213 bytes)".
    pub documents: Vec<String>,
}

/// An attached photo, ready to embed, or why it cannot be shown.
#[derive(Debug, Clone, Serialize)]
pub struct Photo {
    /// "Photo 3 — evidence 12: TPU/PC peel tests (`IMG_2041.jpg`, 1600×1200 px)".
    pub caption: String,
    /// The image, or `None` with `problem` saying why (a placeholder is drawn).
    #[serde(skip)]
    pub image: Option<super::photos::Image>,
    /// Where the PDF renderer finds the bytes (a file of its virtual world).
    pub path: Option<String>,
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingGroup {
    /// "Critical", "Major", "Minor".
    pub severity: String,
    pub findings: Vec<FindingLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLine {
    pub number: i64,
    pub description: String,
    pub owner: String,
    pub due_on: String,
    /// "open", "open, overdue", "closed 2026-05-20 by lin.wei".
    pub status: String,
    pub closure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SealSection {
    pub sealed: bool,
    /// Label/value lines: content hash, chain position, chain hash, head.
    pub lines: Vec<Field>,
    /// Sentences: what the seal means and whether it still matches.
    pub notes: Vec<String>,
    /// The command that verifies the chain up to the head noted here.
    pub verify: Option<String>,
}

// ---- the supplier report ----------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct SupplierReport {
    pub meta: Meta,
    pub code: String,
    pub supplier: Vec<Field>,
    pub notes: Option<String>,
    /// "supported", "partial", "unsupported", "not claimed".
    pub verdict: String,
    /// The verdict in a sentence, with the policy it was judged under.
    pub verdict_basis: String,
    pub grade: String,
    /// Active ODM claims × the four pillars; a cell is the pillar's status
    /// where the claim requires it, empty where it does not.
    pub matrix: Table,
    pub claims: Table,
    pub flags: Table,
    pub pillars: Vec<PillarBlock>,
    pub audits: Table,
    pub open_findings: Table,
    pub yield_section: YieldSection,
    pub terms: Table,
    pub terms_notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PillarBlock {
    pub label: String,
    pub status: String,
    pub required_by: String,
    pub detail: String,
    pub evidence: Table,
}

#[derive(Debug, Clone, Serialize)]
pub struct YieldSection {
    /// Which lots, which chart, which rules.
    pub lines: Vec<String>,
    /// The p-chart as SVG, when this build can draw it.
    pub chart_svg: Option<String>,
    /// Shown instead of the chart when there is none.
    pub chart_note: Option<String>,
    pub violations: Table,
    pub by_month: Table,
    pub pareto: Table,
    pub rty: Table,
}
