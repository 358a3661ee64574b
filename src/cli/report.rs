//! `casebook report audit REF` and `casebook report supplier CODE`: a
//! shareable PDF or self-contained HTML file (see `crate::report`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::Context;
use crate::error::Result;
use crate::report::{self, Subject};
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One audit: cover, grade and section scores, answers, evidence with photos, findings, amendments, seal.
    Audit {
        /// The audit's reference, e.g. A-2026-014 (or its gid, where two audits share the reference).
        reference: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// A supplier's dossier for a buyer: verdict, claims × pillars, flags, evidence, audits, findings, yield, terms.
    Supplier {
        /// The supplier's code, e.g. SZ-ARMOR.
        code: String,
        #[command(flatten)]
        out: OutArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Pdf,
    Html,
}

#[derive(Debug, Args)]
pub struct OutArgs {
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// The file to write (replaced whole if it exists; never the database).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

pub fn run(ctx: &Context, command: ReportCommand) -> Result<ExitCode> {
    let (subject, out) = match command {
        ReportCommand::Audit { reference, out } => (Subject::Audit(reference), out),
        ReportCommand::Supplier { code, out } => (Subject::Supplier(code), out),
    };
    let format = match out.format {
        ReportFormat::Pdf => report::Format::Pdf,
        ReportFormat::Html => report::Format::Html,
    };
    let store = ctx.open(OpenMode::Existing)?;
    let written = report::write(&store, &subject, format, ctx.as_of, &out.output, &mut |_| {})?;
    for warning in &written.warnings {
        eprintln!("casebook: warning: {warning}");
    }
    outln!("{}: {} bytes, evaluated as of {}", out.output.display(), written.bytes, ctx.as_of);
    Ok(ExitCode::SUCCESS)
}
