//! Keeping the record honest: `check`, `history`, `attach`, `backup`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sha2::{Digest, Sha256};

use super::Context;
use super::output::{Format, Table, opt, print_json};
use crate::error::{Error, Result};
use crate::store::{NotedHead, OpenMode, Store};

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
    /// Fail unless the audit chain still holds this link, as printed by an
    /// earlier `check` or `export`: SEQ:HASH (or just HASH, at any position).
    #[arg(long, value_name = "SEQ:HASH")]
    pub expect_head: Option<NotedHead>,
    /// The same for the history chain's head.
    #[arg(long, value_name = "SEQ:HASH")]
    pub expect_history_head: Option<NotedHead>,
}

/// Runs every check; exit status 1 when any finds a problem.
pub fn check(ctx: &Context, args: &CheckArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let noted = Noted { audits: args.expect_head.as_ref(), history: args.expect_history_head.as_ref() };
    let results = run_checks(&store, &ctx.as_of.to_string(), noted)?;
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

/// Chain heads noted down earlier, which the chains must still hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Noted<'a> {
    pub audits: Option<&'a NotedHead>,
    pub history: Option<&'a NotedHead>,
}

pub fn run_checks(store: &Store, today: &str, noted: Noted<'_>) -> Result<Vec<CheckResult>> {
    let read = store.read();
    let reference = crate::store::reference_schema()?;
    let integrity = read.integrity_problems()?;
    let keys = read.foreign_key_problems()?;
    let (schema, objects) = read.schema_problems(&reference)?;
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
    let (templates, template_count) = read.verify_templates(&reference)?;
    let chain = read.verify_seals(noted.audits)?;
    let (mut history, rows, (history_seq, history_head)) = read.verify_history()?;
    if let Some(problem) = noted.history.map(|n| read.history_head_problem(n)).transpose()?.flatten() {
        history.push(problem);
    }
    let (facts, fact_count) = read.verify_facts()?;
    let attachments = check_attachments(store)?;
    let (seq, head) = &chain.head;
    Ok(vec![
        result("integrity", "SQLite integrity_check".into(), integrity),
        result("foreign-keys", "every reference points at a row".into(), keys),
        result("schema", format!("{objects} tables, indexes and triggers as casebook creates them"), schema),
        result("domain", format!("domain rules re-checked as of {today}"), domain),
        result("templates", format!("{template_count} checklist template(s) match their hashes"), templates),
        result(
            "seals",
            format!("{} submitted audit(s) sealed; audit chain head {seq}:{head}", chain.sealed),
            chain.problems,
        ),
        result(
            "history",
            format!("{rows} history row(s) chained; history chain head {history_seq}:{history_head}"),
            history,
        ),
        result("facts", format!("{fact_count} closure(s) and attachment(s) match their hashes and the history"), facts),
        attachments,
        merge_refusals(store)?,
    ])
}

/// Records merges refused (a conflict of facts, a broken seal): not a
/// problem of this database, which kept its own version, so the check
/// passes, and each is explained: which source, when, both versions, why.
fn merge_refusals(store: &Store) -> Result<CheckResult> {
    let refusals = store.read().merge_refusals()?;
    let explained = refusals
        .iter()
        .map(|(at, actor, source, what)| format!("merging {source} ({at}, by {actor}): {what}"))
        .collect();
    let summary = if refusals.is_empty() {
        "no record refused by a merge".to_owned()
    } else {
        format!("{} record(s) refused by merges, this database's version kept; explained below", refusals.len())
    };
    Ok(CheckResult { check: "merges", ok: true, summary, problems: explained })
}

fn check_attachments(store: &Store) -> Result<CheckResult> {
    let rows = store.read().attachments()?;
    let mut problems = Vec::new();
    for a in &rows {
        match hash_file(&a.path) {
            Err(e) => problems.push(format!("attachment {} ({}): {e}", a.id, a.path.display())),
            Ok((size, sha)) if size != a.size || sha != a.sha256 => problems.push(format!(
                "attachment {} ({}) was altered: {size} bytes, sha256 {sha}; recorded {} bytes, sha256 {}",
                a.id,
                a.path.display(),
                a.size,
                a.sha256
            )),
            Ok(_) => {}
        }
    }
    Ok(result("attachments", format!("{} attached file(s) re-hashed", rows.len()), problems))
}

/// Size and SHA-256 of a file, read in chunks.
pub fn hash_file(path: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    let mut size = 0_u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let digest = hasher.finalize();
    Ok((size, crate::store::hex(&digest)))
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
            e.entity.to_string(),
            e.key.clone(),
            e.action.to_string(),
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
    /// A photo or document; its path, size and SHA-256 are recorded.
    pub file: PathBuf,
}

pub fn attach(ctx: &Context, args: &AttachArgs) -> Result<ExitCode> {
    let path = std::fs::canonicalize(&args.file)
        .map_err(|e| Error::Invalid(format!("{}: cannot be read: {e}", args.file.display())))?;
    if !path.is_file() {
        return Err(Error::Invalid(format!("{}: not a file", path.display())));
    }
    let (size, sha) =
        hash_file(&path).map_err(|e| Error::Invalid(format!("{}: cannot be read: {e}", path.display())))?;
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let shown = path.to_string_lossy().into_owned();
    let id = w.attach(args.evidence, &shown, size, &sha)?;
    w.commit()?;
    outln!("attachment {id}: {shown} ({size} bytes, sha256 {sha}) on evidence {}", args.evidence);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The copy to write (must not exist yet).
    pub dest: PathBuf,
}

pub fn backup(ctx: &Context, args: &BackupArgs) -> Result<ExitCode> {
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
