//! Shareable reports: an audit report and a supplier report, as PDF or as
//! one self-contained HTML file.
//!
//! One model ([`model::Report`]) is built from the store by [`build`] (store
//! reads and `assess` only); two renderers lay it out: [`html`] writes the
//! markup itself, escaping every string, and [`pdf`] typesets it with Typst,
//! which receives the model as JSON data. [`write`] runs the whole way from
//! the database to a file, reporting its steps for a progress line.

mod audit;
mod charts;
pub mod html;
pub mod model;
mod output;
mod pdf;
pub mod photos;
mod supplier;

use std::path::Path;

use chrono::NaiveDate;

use crate::error::Result;
use crate::store::Store;
pub use model::Report;

/// Problems that did not stop the report (a missing photo), one sentence each.
pub type Warnings = Vec<String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Html => "html",
        }
    }

    /// The format a file name asks for: `.pdf`, or `.html` / `.htm` (any case).
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "pdf" => Some(Self::Pdf),
            "html" | "htm" => Some(Self::Html),
            _ => None,
        }
    }
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An audit, by reference.
    Audit(String),
    /// A supplier, by code.
    Supplier(String),
}

impl Subject {
    /// "audit A-2026-014", "supplier SZ-ARMOR".
    pub fn describe(&self) -> String {
        match self {
            Self::Audit(r) => format!("audit {r}"),
            Self::Supplier(c) => format!("supplier {c}"),
        }
    }

    /// A file name for the report: `audit-A-2026-014.pdf`; characters other
    /// than letters, digits, `-` and `_` become `_`.
    pub fn file_name(&self, format: Format) -> String {
        let (kind, key) = match self {
            Self::Audit(r) => ("audit", r),
            Self::Supplier(c) => ("supplier", c),
        };
        let key: String =
            key.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        format!("{kind}-{key}.{}", format.extension())
    }
}

/// The steps of [`write`], for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Reading,
    Rendering(Format),
    Writing,
}

impl Step {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Reading => "reading the record and its photos",
            Self::Rendering(Format::Pdf) => "typesetting the PDF",
            Self::Rendering(Format::Html) => "writing the HTML",
            Self::Writing => "saving the file",
        }
    }
}

/// What [`write`] produced.
#[derive(Debug, Clone)]
pub struct Written {
    pub bytes: usize,
    pub warnings: Warnings,
}

pub(crate) fn meta(title: &str, subject: &str, as_of: NaiveDate, draft: bool) -> model::Meta {
    let version = env!("CARGO_PKG_VERSION");
    model::Meta {
        title: title.to_owned(),
        as_of: as_of.to_string(),
        casebook_version: version.to_owned(),
        draft,
        footer: format!("{subject} · evaluated as of {as_of} · casebook {version}"),
    }
}

/// Builds the report model of `subject` as of `as_of`.
pub fn build(store: &Store, subject: &Subject, as_of: NaiveDate) -> Result<(Report, Warnings)> {
    let mut warnings = Warnings::new();
    let report = match subject {
        Subject::Audit(reference) => Report::Audit(Box::new(audit::build(store, reference, as_of, &mut warnings)?)),
        Subject::Supplier(code) => Report::Supplier(Box::new(supplier::build(store, code, as_of)?)),
    };
    Ok((report, warnings))
}

/// Lays a built report out in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Pdf => pdf::render(report),
        Format::Html => Ok(html::render(report)),
    }
}

/// Builds, renders and writes the report of `subject` to `path` (through a
/// temporary file and a rename; never over the database's files).
pub fn write(
    store: &Store,
    subject: &Subject,
    format: Format,
    as_of: NaiveDate,
    path: &Path,
    progress: &mut dyn FnMut(Step),
) -> Result<Written> {
    // Checked before the work too, so a bad target costs no typesetting.
    output::check_target(store.path(), path)?;
    progress(Step::Reading);
    let (report, warnings) = build(store, subject, as_of)?;
    progress(Step::Rendering(format));
    let bytes = render(&report, format)?;
    progress(Step::Writing);
    output::write_file(store.path(), path, &bytes)?;
    Ok(Written { bytes: bytes.len(), warnings })
}
