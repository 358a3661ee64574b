//! `casebook shortlist …`: the buyer's shortlist from the command line, the
//! same store operations and export as the UI's Shortlist screen.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::Context;
use super::data::write_atomically;
use super::output::{Format, Table, opt, print_json};
use crate::assess::checklist::Grade;
use crate::assess::verdict::{Assessment, Verdict};
use crate::error::Result;
use crate::exchange::shortlist::{self as compare, Compared};
use crate::model::Supplier;
use crate::store::{OpenMode, Store};
use crate::workflow;

#[derive(Debug, Subcommand)]
pub enum ShortlistCommand {
    /// Put suppliers on the shortlist (all or none: an unknown code changes nothing).
    Add {
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
    },
    /// Take suppliers off the shortlist.
    Remove {
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
    },
    /// The shortlist with each supplier's verdict and grade, in the order it was made.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The side-by-side comparison: Markdown (one column per supplier) or CSV (one row per supplier).
    Export {
        #[arg(long, value_enum)]
        format: ExportAs,
        /// Write to this file instead of stdout (replaced atomically).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportAs {
    Md,
    Csv,
}

pub fn run(ctx: &Context, command: ShortlistCommand) -> Result<ExitCode> {
    match command {
        ShortlistCommand::Add { codes } => change(ctx, &codes, true),
        ShortlistCommand::Remove { codes } => change(ctx, &codes, false),
        ShortlistCommand::List { format } => list(ctx, format),
        ShortlistCommand::Export { format, output } => export(ctx, format, output),
    }
}

/// Adds or removes every code in one transaction.
fn change(ctx: &Context, codes: &[String], add: bool) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let writer = store.begin(&ctx.actor)?;
    let mut lines = Vec::with_capacity(codes.len());
    for code in codes {
        let id = writer.read().require_supplier(code)?;
        let changed = if add { writer.shortlist_add(id)? } else { writer.shortlist_remove(id)? };
        let what = match (add, changed) {
            (true, true) => "added to the shortlist",
            (true, false) => "already on the shortlist",
            (false, true) => "removed from the shortlist",
            (false, false) => "was not on the shortlist",
        };
        lines.push(format!("{code}: {what}"));
    }
    writer.commit()?;
    for line in lines {
        outln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Each shortlisted supplier with its assessment, in shortlist order.
fn assessed(store: &Store, ctx: &Context) -> Result<Vec<(Supplier, Assessment, String)>> {
    let read = store.read();
    let mut out = Vec::new();
    for entry in read.shortlist()? {
        let assessment = workflow::assess_one(store, entry.id, ctx.as_of)?;
        out.push((read.supplier(entry.id)?, assessment, entry.added_at));
    }
    Ok(out)
}

#[derive(Serialize)]
struct ListEntry<'a> {
    code: &'a str,
    name: &'a str,
    verdict: Verdict,
    grade: Option<Grade>,
    added_at: &'a str,
}

fn list(ctx: &Context, format: Format) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let entries = assessed(&store, ctx)?;
    if format == Format::Json {
        let rows: Vec<ListEntry<'_>> = entries
            .iter()
            .map(|(s, a, added)| ListEntry {
                code: &s.code,
                name: &s.name,
                verdict: a.verdict,
                grade: a.grade,
                added_at: added,
            })
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["code", "name", "verdict", "grade", "added"]);
    for (s, a, added) in &entries {
        // The day it was added; the JSON keeps the whole time stamp.
        let day = added.get(..10).unwrap_or(added).to_owned();
        table.push(vec![s.code.clone(), s.name.clone(), a.verdict.to_string(), opt(a.grade), day]);
    }
    table.print(format)?;
    if entries.is_empty() && format == Format::Table {
        eprintln!("(the shortlist is empty; `casebook shortlist add CODE` or `m` in the UI adds suppliers)");
    }
    Ok(ExitCode::SUCCESS)
}

fn export(ctx: &Context, format: ExportAs, output: Option<PathBuf>) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let entries = assessed(&store, ctx)?;
    let compared: Vec<Compared<'_>> = entries.iter().map(|(s, a, _)| Compared { supplier: s, assessment: a }).collect();
    let write = |out: &mut dyn Write| -> Result<()> {
        match format {
            ExportAs::Md => Ok(out.write_all(compare::markdown(ctx.as_of, &compared).as_bytes())?),
            ExportAs::Csv => compare::write_csv(&compared, out),
        }
    };
    match output {
        None => write(&mut std::io::stdout().lock())?,
        Some(path) => {
            write_atomically(&ctx.db, &path, write)?;
            eprintln!("{}: exported {} supplier(s)", path.display(), compared.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
