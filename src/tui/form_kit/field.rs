//! The names of every form field the UI has, as one enum: a form is read
//! back by these (`form.choice::<FindingSeverity>(Field::Severity)`), so a
//! misspelt field does not compile. Each knows the word the validators and
//! the files use for it (`produced_on`), which their messages name.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    // A supplier.
    Code,
    Name,
    Country,
    City,
    BusinessType,
    Models,
    Moq,
    DevLeadDays,
    Notes,
    // A claim.
    Capability,
    Source,
    StatedOn,
    Statement,
    RetiredOn,
    // An audit's header.
    Auditor,
    VisitedOn,
    AuditKind,
    Template,
    Summary,
    Note,
    // Evidence and findings.
    Pillar,
    EvidenceKind,
    Strength,
    CollectedOn,
    Description,
    Reference,
    Severity,
    Owner,
    DueOn,
    ClosedOn,
    ClosureEvidence,
    ClosedBy,
    // A lot.
    Lot,
    Sku,
    Process,
    Material,
    ProducedOn,
    Started,
    PassedFirst,
    Reworked,
    Scrapped,
    Defects,
    // Files and corrections.
    Path,
    Reason,
}

impl Field {
    /// The word the validators, the CSV and the dossier use.
    pub fn key(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Name => "name",
            Self::Country => "country",
            Self::City => "city",
            Self::BusinessType => "business_type",
            Self::Models => "models",
            Self::Moq => "moq",
            Self::DevLeadDays => "dev_lead_days",
            Self::Notes => "notes",
            Self::Capability => "capability",
            Self::Source => "source",
            Self::StatedOn => "stated_on",
            Self::Statement => "statement",
            Self::RetiredOn => "retired_on",
            Self::Auditor => "auditor",
            Self::VisitedOn => "visited_on",
            Self::AuditKind | Self::EvidenceKind => "kind",
            Self::Template => "template",
            Self::Summary => "summary",
            Self::Note => "note",
            Self::Pillar => "pillar",
            Self::Strength => "strength",
            Self::CollectedOn => "collected_on",
            Self::Description => "description",
            Self::Reference => "reference",
            Self::Severity => "severity",
            Self::Owner => "owner",
            Self::DueOn => "due_on",
            Self::ClosedOn => "closed_on",
            Self::ClosureEvidence => "evidence",
            Self::ClosedBy => "closed_by",
            Self::Lot => "lot",
            Self::Sku => "sku",
            Self::Process => "process",
            Self::Material => "material",
            Self::ProducedOn => "produced_on",
            Self::Started => "started",
            Self::PassedFirst => "passed_first",
            Self::Reworked => "reworked",
            Self::Scrapped => "scrapped",
            Self::Defects => "defects",
            Self::Path => "path",
            Self::Reason => "reason",
        }
    }
}
