//! Domain types: the vocabulary of DOMAIN.md as Rust enums and plain structs.
//!
//! No I/O here. Every enumeration is declared once with [`vocab!`], which gives
//! it the exact words stored in SQLite and exchanged in files, a list of its
//! valid values (for error messages) and serde/rusqlite conversions.

mod control;
pub mod dates;
mod findings;
mod identity;
mod lot_row;
pub mod merge;
pub mod records;
pub mod validate;
mod vocab;

use chrono::NaiveDate;
use serde::Serialize;

pub use control::{Annotation, ControlPlan, InLimits, PlanScope, SavedLimits};
pub use identity::{BadGid, BadHlc, BadTag, Gid, Hlc, Tag};
pub(crate) use lot_row::trusted as trusted_lot;
pub use lot_row::{Defects, LotCounts, LotRow, LotText, ProducedOn};
pub(crate) use vocab::vocab;
pub use vocab::{VocabError, Word};

vocab!(BusinessType {
    Manufacturer = "manufacturer",
    TradingCompany = "trading_company",
    Unknown = "unknown",
});

impl BusinessType {
    /// Sentence words: "trading company".
    pub fn label(self) -> &'static str {
        match self {
            Self::Manufacturer => "manufacturer",
            Self::TradingCompany => "trading company",
            Self::Unknown => "unknown",
        }
    }
}

vocab!(BusinessModel { Oem = "oem", Odm = "odm" });

vocab!(
    /// What a supplier says it can do. The first four are ODM capabilities.
    Capability {
        StructuralDesign = "structural_design",
        MaterialSelection = "material_selection",
        Manufacturability = "manufacturability",
        Feasibility = "feasibility",
        MassProduction = "mass_production",
        MaterialSourcing = "material_sourcing",
        InProcessQc = "in_process_qc",
    }
);

impl Capability {
    pub fn model(self) -> BusinessModel {
        match self {
            Self::StructuralDesign | Self::MaterialSelection | Self::Manufacturability | Self::Feasibility => {
                BusinessModel::Odm
            }
            Self::MassProduction | Self::MaterialSourcing | Self::InProcessQc => BusinessModel::Oem,
        }
    }

    pub fn is_odm(self) -> bool {
        self.model() == BusinessModel::Odm
    }
}

vocab!(ClaimSource {
    Website = "website",
    RfqResponse = "rfq_response",
    SalesCall = "sales_call",
    Catalogue = "catalogue",
    MarketplaceListing = "marketplace_listing",
    Other = "other",
});

vocab!(AuditKind { OnSite = "on_site", DeskReview = "desk_review" });

vocab!(AuditStatus { Draft = "draft", Submitted = "submitted" });

vocab!(
    /// A checklist answer; scored 2 / 1 / 0, and `na` leaves the denominator.
    AnswerResult { Yes = "yes", Partial = "partial", No = "no", Na = "na" }
);

impl AnswerResult {
    /// Points out of 2, or `None` for not applicable.
    pub fn points(self) -> Option<u32> {
        match self {
            Self::Yes => Some(2),
            Self::Partial => Some(1),
            Self::No => Some(0),
            Self::Na => None,
        }
    }
}

vocab!(
    /// The four kinds of manufacturing evidence an ODM claim rests on.
    Pillar {
        MaterialCompatibility = "material_compatibility",
        AssemblyConstraints = "assembly_constraints",
        ProductionYield = "production_yield",
        DfmEvaluation = "dfm_evaluation",
    }
);

impl Pillar {
    /// Words for sentences: "material compatibility".
    pub fn label(self) -> &'static str {
        match self {
            Self::MaterialCompatibility => "material compatibility",
            Self::AssemblyConstraints => "assembly constraints",
            Self::ProductionYield => "production yield",
            Self::DfmEvaluation => "DFM evaluation",
        }
    }
}

vocab!(
    /// Sections of an audit checklist: legitimacy and quality control besides
    /// one section per evidence pillar.
    Section {
        Legitimacy = "legitimacy",
        MaterialCompatibility = "material_compatibility",
        AssemblyConstraints = "assembly_constraints",
        ProductionYield = "production_yield",
        DfmEvaluation = "dfm_evaluation",
        QualityControl = "quality_control",
    }
);

impl Section {
    pub fn label(self) -> &'static str {
        match self {
            Self::Legitimacy => "Legitimacy",
            Self::MaterialCompatibility => "Material compatibility",
            Self::AssemblyConstraints => "Assembly constraints",
            Self::ProductionYield => "Production and yield",
            Self::DfmEvaluation => "DFM and engineering",
            Self::QualityControl => "Quality control",
        }
    }
}

vocab!(EvidenceKind {
    TestReport = "test_report",
    WorkInstruction = "work_instruction",
    Fixture = "fixture",
    FirstArticle = "first_article",
    InspectionRecord = "inspection_record",
    DfmReport = "dfm_report",
    ToolingRecord = "tooling_record",
    DesignPortfolio = "design_portfolio",
    Sample = "sample",
    Licence = "licence",
    Other = "other",
});

vocab!(
    /// What an attached file is, told by its first bytes (never by its name).
    MediaType { Png = "image/png", Jpeg = "image/jpeg", Pdf = "application/pdf", Other = "application/octet-stream" }
);

impl MediaType {
    /// Sniffs the type from a file's first bytes (8 are enough).
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Self::Png
        } else if head.starts_with(b"\xff\xd8\xff") {
            Self::Jpeg
        } else if head.starts_with(b"%PDF-") {
            Self::Pdf
        } else {
            Self::Other
        }
    }
}

vocab!(
    /// How the auditor came to know: saw it, read a document, or was told.
    /// Ordered weakest first so `max()` gives the strongest.
    Strength { Stated = "stated", Document = "document", Observed = "observed" }
);

impl Strength {
    /// `document` and `observed` count as evidence; `stated` does not.
    pub fn counts(self) -> bool {
        self >= Self::Document
    }
}

vocab!(
    /// Finding severity, most severe first.
    FindingSeverity { Critical = "critical", Major = "major", Minor = "minor" }
);

impl FindingSeverity {
    /// Default days from the visit to the due date.
    pub fn due_days(self) -> i64 {
        match self {
            Self::Critical => 7,
            Self::Major => 14,
            Self::Minor => 30,
        }
    }

    /// The default due date for a finding raised on `visited_on`.
    pub fn due_from(self, visited_on: NaiveDate) -> NaiveDate {
        visited_on + chrono::Duration::days(self.due_days())
    }
}

vocab!(Process {
    Injection = "injection",
    CoMolding = "co_molding",
    Assembly = "assembly",
    Printing = "printing",
    Other = "other",
});

vocab!(
    /// What a history row is about. Widened once (the "seals" migration) for the
    /// whole round of team features, so later work need not rebuild `history`.
    HistoryEntity {
        Supplier = "supplier",
        Claim = "claim",
        Audit = "audit",
        Answer = "answer",
        Evidence = "evidence",
        Finding = "finding",
        Closure = "closure",
        Policy = "policy",
        Lots = "lots",
        Lot = "lot",
        Shortlist = "shortlist",
        Attachment = "attachment",
        Annotation = "annotation",
        ControlPlan = "control_plan",
        Checklist = "checklist",
        Merge = "merge",
        Sync = "sync",
    }
);

vocab!(
    /// What a history row says happened.
    HistoryAction {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Submit = "submit",
        Close = "close",
        Retire = "retire",
        Import = "import",
        Attach = "attach",
        Void = "void",
        Annotate = "annotate",
        Exclude = "exclude",
        Include = "include",
        Freeze = "freeze",
        Unfreeze = "unfreeze",
        Amend = "amend",
        Merge = "merge",
        Sync = "sync",
        Conflict = "conflict",
    }
);

/// Who voided a record, when and why. A voided record stays on file, shown
/// as voided, and counts in no verdict, chart, score or count; voiding is
/// never undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voided {
    /// RFC 3339 UTC timestamp of the voiding.
    pub at: String,
    pub by: String,
    pub reason: String,
}

/// Which business models a supplier claims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Models {
    pub oem: bool,
    pub odm: bool,
}

impl Models {
    pub fn list(self) -> Vec<BusinessModel> {
        let mut out = Vec::with_capacity(2);
        if self.oem {
            out.push(BusinessModel::Oem);
        }
        if self.odm {
            out.push(BusinessModel::Odm);
        }
        out
    }

    /// "oem+odm", "oem", "odm" or "—".
    pub fn label(self) -> String {
        let words: Vec<&str> = self.list().into_iter().map(BusinessModel::as_str).collect();
        if words.is_empty() { "—".to_owned() } else { words.join("+") }
    }
}

impl Serialize for Models {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.list().serialize(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supplier {
    pub code: String,
    pub name: String,
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    pub business_type: BusinessType,
    pub models: Models,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_lead_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub capability: Capability,
    pub source: ClaimSource,
    pub stated_on: NaiveDate,
    pub statement: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<NaiveDate>,
}

impl Claim {
    /// In force on `day`: stated by then and not retired by then.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.stated_on <= day && self.retired_on.is_none_or(|r| r > day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub pillar: Pillar,
    pub kind: EvidenceKind,
    pub strength: Strength,
    pub collected_on: NaiveDate,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub question: String,
    pub result: AnswerResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How a finding was closed. Recorded once, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub closed_on: NaiveDate,
    pub evidence: String,
    pub closed_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: FindingSeverity,
    pub description: String,
    pub owner: Option<String>,
    pub due_on: NaiveDate,
    pub closure: Option<Closure>,
}

impl Finding {
    pub fn is_open_on(&self, day: NaiveDate) -> bool {
        self.closure.as_ref().is_none_or(|c| c.closed_on > day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// The audit's reference, e.g. `A-2026-014`; unique across the database.
    pub id: String,
    pub auditor: String,
    pub visited_on: NaiveDate,
    pub kind: AuditKind,
    pub status: AuditStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Reference of the submitted audit this one corrects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amends: Option<String>,
    pub evidence: Vec<Evidence>,
    pub template: String,
    pub answers: Vec<Answer>,
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "findings::serialize")]
    pub findings: Vec<Finding>,
}

/// An evidence item as filed: with the audit it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRow {
    pub id: i64,
    pub audit: String,
    pub audit_status: AuditStatus,
    pub visited_on: NaiveDate,
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// A finding as filed: with the audit it was raised in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub id: i64,
    pub audit: String,
    pub visited_on: NaiveDate,
    pub finding: Finding,
}

/// One production lot. Counts are units; FPY = `passed_first / started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lot {
    pub lot: String,
    pub sku: String,
    pub process: Process,
    pub material: String,
    pub produced_on: NaiveDate,
    pub started: u32,
    pub passed_first: u32,
    pub reworked: u32,
    pub scrapped: u32,
    /// Defect code → count, sorted by code, zero counts left out.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "defects_as_map")]
    pub defects: Vec<(String, u32)>,
}

impl Lot {
    /// Units that did not pass first time.
    pub fn nonconforming(&self) -> u32 {
        self.started - self.passed_first
    }
}

fn defects_as_map<S: serde::Serializer>(defects: &[(String, u32)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(defects.len()))?;
    for (code, count) in defects {
        map.serialize_entry(code, count)?;
    }
    map.end()
}

/// A supplier with everything recorded about it: one entry of a dossier.
/// Annotations and control plans exist only in `casebook-dossier/2`, and
/// are left out when there are none (so such a record reads as /1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierRecord {
    #[serde(flatten)]
    pub supplier: Supplier,
    pub claims: Vec<Claim>,
    pub audits: Vec<Audit>,
    pub lots: Vec<Lot>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub control_plans: Vec<ControlPlan>,
}

impl SupplierRecord {
    /// Whether the record needs `casebook-dossier/2` to be written.
    pub fn needs_format_2(&self) -> bool {
        !self.annotations.is_empty() || !self.control_plans.is_empty()
    }
}

/// The `casebook-dossier/1` (or /2) document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dossier {
    pub format: &'static str,
    pub suppliers: Vec<SupplierRecord>,
}

pub const DOSSIER_FORMAT: &str = "casebook-dossier/1";
/// The dossier with annotations and control plans; every `/1` document is
/// a valid `/2` document, and export writes `/1` when nothing needs `/2`.
pub const DOSSIER_FORMAT_2: &str = "casebook-dossier/2";
/// A `/2` document and, under `records`, every record whole (global ids,
/// seals, field versions, drafts, voids, history, attachment files): what
/// `casebook export` writes, so a dossier moves work between databases as
/// losslessly as `casebook merge`.
pub const DOSSIER_FORMAT_3: &str = "casebook-dossier/3";
pub const DEFAULT_TEMPLATE: &str = "odm-capability/1";

impl Dossier {
    pub fn new(suppliers: Vec<SupplierRecord>) -> Self {
        Self { format: DOSSIER_FORMAT, suppliers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_round_trips_every_word() {
        for p in Process::ALL {
            assert_eq!(Process::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Process::parse("Injection"), None);
        let err = "moulding".parse::<Process>().unwrap_err();
        assert!(err.to_string().contains("injection, co_molding, assembly, printing, other"));
    }

    #[test]
    fn strength_order_puts_observed_on_top() {
        assert!(Strength::Observed > Strength::Document);
        assert!(Strength::Document.counts());
        assert!(!Strength::Stated.counts());
    }

    #[test]
    fn only_design_capabilities_are_odm() {
        let odm: Vec<_> = Capability::ALL.iter().filter(|c| c.is_odm()).collect();
        assert_eq!(odm.len(), 4);
        assert!(!Capability::MassProduction.is_odm());
    }

    #[test]
    fn claim_is_active_between_statement_and_retirement() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let claim = Claim {
            capability: Capability::Feasibility,
            source: ClaimSource::Website,
            stated_on: day(10),
            statement: String::new(),
            retired_on: Some(day(20)),
        };
        assert!(!claim.active_on(day(9)));
        assert!(claim.active_on(day(10)));
        assert!(!claim.active_on(day(20)));
    }
}
