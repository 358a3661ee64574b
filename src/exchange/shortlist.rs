//! The shortlist as a comparison a buyer shares: one column per supplier and
//! one row per attribute (verdict, grade, each pillar, yield, terms, audit).
//!
//! The UI's Shortlist screen and `casebook shortlist export` read the same
//! [`Attribute`] list, so the screen, the Markdown and the CSV always agree.
//! Markdown is written side by side, as on screen; CSV has one row per
//! supplier, which is what a spreadsheet wants.

use std::fmt::Write as _;
use std::io::Write;

use chrono::NaiveDate;

use super::cells::{csv_cell, md_cell};
use crate::assess::figures::percent_beside;
use crate::assess::verdict::{Assessment, PillarStatus};
use crate::error::Result;
use crate::model::{Pillar, Supplier};

/// One supplier on the shortlist with its assessment.
#[derive(Debug, Clone, Copy)]
pub struct Compared<'a> {
    pub supplier: &'a Supplier,
    pub assessment: &'a Assessment,
}

/// A row of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Name,
    Verdict,
    Grade,
    Pillar(Pillar),
    Fpy,
    Lots,
    Moq,
    DevLead,
    OpenFindings,
    LastAudit,
}

impl Attribute {
    pub const ALL: [Self; 13] = [
        Self::Name,
        Self::Verdict,
        Self::Grade,
        Self::Pillar(Pillar::MaterialCompatibility),
        Self::Pillar(Pillar::AssemblyConstraints),
        Self::Pillar(Pillar::ProductionYield),
        Self::Pillar(Pillar::DfmEvaluation),
        Self::Fpy,
        Self::Lots,
        Self::Moq,
        Self::DevLead,
        Self::OpenFindings,
        Self::LastAudit,
    ];

    /// The row heading; yield rows name the policy's window (`months`).
    pub fn label(self, months: u32) -> String {
        match self {
            Self::Name => "name".to_owned(),
            Self::Verdict => "ODM verdict".to_owned(),
            Self::Grade => "audit grade".to_owned(),
            Self::Pillar(p) => p.label().to_owned(),
            Self::Fpy => format!("FPY, {months} months"),
            Self::Lots => format!("lots, {months} months"),
            Self::Moq => "MOQ".to_owned(),
            Self::DevLead => "development lead time".to_owned(),
            Self::OpenFindings => "open findings".to_owned(),
            Self::LastAudit => "last submitted audit".to_owned(),
        }
    }

    /// The cell text, as on screen and in Markdown.
    pub fn value(self, c: &Compared<'_>) -> String {
        let (s, a) = (c.supplier, c.assessment);
        match self {
            Self::Name => s.name.clone(),
            Self::Verdict => a.verdict.label().to_owned(),
            Self::Grade => opt(a.grade),
            Self::Pillar(p) => match a.pillar(p) {
                Some(pa) if pa.required() => status_label(pa.status).to_owned(),
                Some(pa) => format!("{} (not required)", status_label(pa.status)),
                None => NONE.to_owned(),
            },
            Self::Fpy => {
                a.yield_summary.fpy.map_or_else(|| NONE.to_owned(), |f| percent_beside(f, &[a.policy.min_fpy]))
            }
            Self::Lots => a.yield_summary.lots.to_string(),
            Self::Moq => opt(s.moq),
            Self::DevLead => s.dev_lead_days.map_or_else(|| NONE.to_owned(), |d| format!("{d} days")),
            Self::OpenFindings => a.open_findings.to_string(),
            Self::LastAudit => opt(a.last_audit),
        }
    }
}

/// How tables and screens show a missing value.
pub const NONE: &str = "—";

/// A value as text, or [`NONE`].
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| NONE.to_owned(), |v| v.to_string())
}

/// A pillar status in words: "stated only", "too few lots".
pub fn status_label(status: PillarStatus) -> &'static str {
    match status {
        PillarStatus::Evidenced => "evidenced",
        PillarStatus::StatedOnly => "stated only",
        PillarStatus::Stale => "stale",
        PillarStatus::DraftOnly => "draft only",
        PillarStatus::Missing => "missing",
        PillarStatus::NoLots => "no lots",
        PillarStatus::InsufficientLots => "too few lots",
        PillarStatus::LowFpy => "low FPY",
        PillarStatus::OutOfControl => "out of control",
    }
}

/// `0.9412` → `94.1%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// The yield window of the first assessment (they share one policy).
fn window_months(entries: &[Compared<'_>]) -> u32 {
    entries.first().map_or(12, |c| c.assessment.policy.yield_window_months)
}

/// The comparison as a Markdown document: a heading, then a table with one
/// column per supplier.
pub fn markdown(as_of: NaiveDate, entries: &[Compared<'_>]) -> String {
    let mut out = format!("# Supplier shortlist, as of {as_of}\n\n");
    if entries.is_empty() {
        out.push_str("The shortlist is empty.\n");
        return out;
    }
    let codes: Vec<String> = entries.iter().map(|c| md_cell(&c.supplier.code)).collect();
    let _ = writeln!(out, "| | {} |", codes.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(entries.len()));
    let months = window_months(entries);
    for attribute in Attribute::ALL {
        let cells: Vec<String> = entries.iter().map(|c| md_cell(&attribute.value(c))).collect();
        let _ = writeln!(out, "| {} | {} |", attribute.label(months), cells.join(" | "));
    }
    out
}

/// The CSV header: one column per attribute, in words scripts can use.
pub const CSV_HEADER: [&str; 16] = [
    "code",
    "name",
    "verdict",
    "grade",
    "material_compatibility",
    "assembly_constraints",
    "production_yield",
    "dfm_evaluation",
    "required_pillars",
    "fpy",
    "lots",
    "yield_window_months",
    "moq",
    "dev_lead_days",
    "open_findings",
    "last_audit",
];

/// The comparison as CSV, one row per supplier: vocabulary words, FPY as a
/// fraction, empty cells for missing values, formula-like text neutralised.
pub fn write_csv(entries: &[Compared<'_>], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    for c in entries {
        let row: Vec<String> = csv_row(c).iter().map(|cell| csv_cell(cell).into_owned()).collect();
        w.write_record(row).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

fn csv_row(c: &Compared<'_>) -> Vec<String> {
    let (s, a) = (c.supplier, c.assessment);
    let opt = |v: Option<String>| v.unwrap_or_default();
    let status = |p: Pillar| opt(a.pillar(p).map(|pa| pa.status.to_string()));
    let required: Vec<&str> = a.pillars.iter().filter(|p| p.required()).map(|p| p.pillar.as_str()).collect();
    vec![
        s.code.clone(),
        s.name.clone(),
        a.verdict.to_string(),
        opt(a.grade.map(|g| g.to_string())),
        status(Pillar::MaterialCompatibility),
        status(Pillar::AssemblyConstraints),
        status(Pillar::ProductionYield),
        status(Pillar::DfmEvaluation),
        required.join(" "),
        opt(a.yield_summary.fpy.map(|f| format!("{f:.4}"))),
        a.yield_summary.lots.to_string(),
        a.policy.yield_window_months.to_string(),
        opt(s.moq.map(|m| m.to_string())),
        opt(s.dev_lead_days.map(|d| d.to_string())),
        a.open_findings.to_string(),
        opt(a.last_audit.map(|d| d.to_string())),
    ]
}

fn csv_error(e: csv::Error) -> crate::Error {
    crate::Error::Io(std::io::Error::other(e))
}
