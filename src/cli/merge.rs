//! `casebook merge OTHER.db…`: other casebook databases into `--db`, in one
//! transaction, with a report per source (a table, or JSON).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use super::data::ReportFormat;
use super::output::{Table, print_json};
use crate::error::Result;
use crate::model::merge::{KINDS, MergeReport, SourceReport};
use crate::store::OpenMode;
use crate::workflow::merge::{MergeOptions, merge as merge_all};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// casebook databases to merge from (read only, never changed).
    #[arg(required = true, value_name = "OTHER.db")]
    pub files: Vec<PathBuf>,
    /// Check everything and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Compare every record even of a database merged before and unchanged since.
    #[arg(long)]
    pub full: bool,
    /// `json` prints the whole report as JSON on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Exit status 1 when a record was refused or a file is missing (the rest
/// is merged all the same).
pub fn run(ctx: &Context, args: &MergeArgs) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let options = MergeOptions { dry_run: args.dry_run, full: args.full };
    let report = merge_all(&mut store, &args.files, &ctx.actor, options)?;
    match args.format {
        ReportFormat::Json => print_json(&report)?,
        ReportFormat::Text => print_text(&report)?,
    }
    Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn print_text(report: &MergeReport) -> Result<()> {
    let mut table = Table::new(&["source", "records", "added", "already here", "updated"]).right_aligned(&[2, 3, 4]);
    for s in &report.sources {
        push_counts(&mut table, s);
    }
    out!("{}", table.render());
    for s in &report.sources {
        print_details(s)?;
    }
    let what = if report.committed {
        format!("merged {} database(s) into {} in one transaction", report.sources.len(), report.target)
    } else {
        format!("dry run: {} database(s) checked against {}; nothing written", report.sources.len(), report.target)
    };
    let refused: usize = report.sources.iter().map(|s| s.refused.len()).sum();
    let conflicts: usize = report.sources.iter().map(|s| s.conflicts.len()).sum();
    outln!("{what}: added {}; {conflicts} conflict(s) resolved; {refused} record(s) refused", report.added());
    Ok(())
}

/// A source's conflicts, refusals, missing files and notices, a line each.
pub(super) fn print_details(s: &SourceReport) -> Result<()> {
    for c in &s.conflicts {
        outln!("{}: conflict resolved: {c}", s.source);
    }
    for refused in &s.refused {
        outln!("{}: {refused}", s.source);
    }
    for m in &s.missing_files {
        outln!(
            "{}: file missing: {} ({}), attached to {}; the record is merged",
            s.source,
            m.name,
            m.sha256,
            m.attached_to
        );
    }
    for n in &s.notices {
        outln!("{}: note: {n}", s.source);
    }
    Ok(())
}

/// One row per kind of record the source had anything of.
pub(super) fn push_counts(table: &mut Table, s: &SourceReport) {
    let mut any = false;
    for kind in KINDS {
        let (added, already, updated) = (s.added.get(kind), s.already.get(kind), s.updated.get(kind));
        if added + already + updated == 0 {
            continue;
        }
        any = true;
        table.push(vec![
            s.source.clone(),
            kind.replace('_', " "),
            added.to_string(),
            already.to_string(),
            updated.to_string(),
        ]);
    }
    if !any {
        table.push(vec![s.source.clone(), "—".into(), "0".into(), "0".into(), "0".into()]);
    }
}
