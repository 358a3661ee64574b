//! Keeping the record honest: `check`, `history`, `attach`, `backup`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use super::output::{Format, Table, opt, print_json};
use crate::error::Result;
use crate::store::files::FileStore;
use crate::store::{OpenMode, Store};

/// One check's outcome.
#[derive(Debug, serde::Serialize)]
pub struct CheckResult {
    pub check: &'static str,
    pub ok: bool,
    pub summary: String,
    pub problems: Vec<String>,
}

fn result(check: &'static str, summary: String, problems: Vec<String>) -> CheckResult {
    CheckResult { check, ok: problems.is_empty(), summary, problems }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs every check; exit status 1 when any finds a problem.
pub fn check(ctx: &Context, args: &CheckArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let results = run_checks(&store, &ctx.as_of.to_string())?;
    if args.format == Format::Json {
        print_json(&results)?;
    } else {
        for r in &results {
            outln!("{} {:<12} {}", if r.ok { "ok  " } else { "FAIL" }, r.check, r.summary);
            for p in &r.problems {
                outln!("       - {p}");
            }
        }
    }
    Ok(if results.iter().all(|r| r.ok) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn run_checks(store: &Store, today: &str) -> Result<Vec<CheckResult>> {
    let read = store.read();
    let integrity = read.integrity_problems()?;
    let keys = read.foreign_key_problems()?;
    let present = read.trigger_names()?;
    let missing: Vec<String> = crate::store::expected_triggers()
        .into_iter()
        .filter(|t| !present.iter().any(|p| p == t))
        .map(|t| format!("trigger {t} is missing: a protection of the record was removed"))
        .collect();
    let mut domain: Vec<String> = read
        .domain_violations(today)?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(rule, n)| format!("{n} × {rule}"))
        .collect();
    domain.extend(read.unreadable_defects()?.into_iter().map(|l| format!("{l}: defects cannot be read")));
    if let Err(e) = read.policy() {
        domain.push(e.to_string());
    }
    let (seals, count, (seq, head)) = read.verify_seals()?;
    let attachments = check_attachments(store)?;
    Ok(vec![
        result("integrity", "SQLite integrity_check".into(), integrity),
        result("foreign-keys", "every reference points at a row".into(), keys),
        result("triggers", format!("{} immutability and append-only triggers", present.len()), missing),
        result("domain", format!("domain rules re-checked as of {today}"), domain),
        result("seals", format!("{count} submitted audit(s) sealed; chain head #{seq} {head}"), seals),
        attachments,
    ])
}

fn check_attachments(store: &Store) -> Result<CheckResult> {
    let rows = store.read().attachments()?;
    let files = FileStore::for_database(store.path());
    let mut problems = Vec::new();
    for a in &rows {
        let verdict = if a.stored {
            files.verify(&a.sha256, a.size)
        } else {
            crate::store::files::verify_at(&a.path, a.size, &a.sha256)
        };
        if let Err(problem) = verdict {
            problems.push(format!("attachment {} (evidence {}): {problem}", a.id, a.evidence_id));
        }
    }
    let stored = rows.iter().filter(|a| a.stored).count();
    let summary = format!(
        "{} attached file(s) re-hashed: {stored} in the file store, {} at their recorded path",
        rows.len(),
        rows.len() - stored
    );
    Ok(result("attachments", summary, problems))
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A supplier's code; without one, the changes not tied to a supplier (policy).
    pub supplier: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn history(ctx: &Context, args: &HistoryArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let read = store.read();
    let supplier = args.supplier.as_deref().map(|code| read.require_supplier(code)).transpose()?;
    let entries = read.history(supplier)?;
    if args.format == Format::Json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["when", "who", "what", "key", "action", "field", "old", "new"]);
    for e in &entries {
        table.push(vec![
            e.at.clone(),
            e.actor.clone(),
            e.entity.clone(),
            e.key.clone(),
            e.action.clone(),
            opt(e.field.as_deref()),
            opt(e.old.as_deref()),
            opt(e.new.as_deref()),
        ]);
    }
    table.print(args.format)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The evidence item's number (shown by `casebook audit show REF`).
    pub evidence: i64,
    /// A photo or document (a regular file up to 50 MiB): copied into the
    /// database's file store, its name, size, SHA-256 and type recorded.
    pub file: PathBuf,
}

pub fn attach(ctx: &Context, args: &AttachArgs) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let a = crate::workflow::attach_file(&mut store, args.evidence, &args.file, &ctx.actor)?;
    outln!(
        "attachment {}: {} ({} bytes, sha256 {}, {}) on evidence {}, copied to {}",
        a.id,
        a.original_name,
        a.stored.size,
        a.stored.sha256,
        a.media_type,
        args.evidence,
        a.location.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The copy to write (must not exist yet).
    pub dest: PathBuf,
}

pub fn backup(ctx: &Context, args: &BackupArgs) -> Result<ExitCode> {
    crate::store::refuse_database_file(&ctx.db, &args.dest, "write the backup over")?;
    let store = ctx.open(OpenMode::Existing)?;
    let pages = store.backup_to(&args.dest)?;
    outln!(
        "{}: backed up {pages} pages from {}; `casebook --db {} check` verifies the copy",
        args.dest.display(),
        store.path().display(),
        args.dest.display()
    );
    Ok(ExitCode::SUCCESS)
}
