//! Keeping the record honest: `check`, `history`, `attach`, `backup`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use super::output::{Format, Table, opt, print_json};
use crate::error::{Error, Result};
use crate::store::files::FileStore;
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
    let results = run_checks(&store, &ctx.as_of.to_string(), noted);
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

/// Runs every check, each to its end: a check that cannot finish (an
/// unreadable value, a damaged page) is reported as that check's problem,
/// and the others still run.
pub fn run_checks(store: &Store, today: &str, noted: Noted<'_>) -> Vec<CheckResult> {
    let read = store.read();
    let reference = crate::store::reference_schema();
    let reference = || reference.as_ref().map_err(|e| Error::Invalid(format!("casebook's own schema: {e}")));
    vec![
        guarded("integrity", || Ok(("SQLite integrity_check".into(), read.integrity_problems()?))),
        guarded("foreign-keys", || Ok(("every reference points at a row".into(), read.foreign_key_problems()?))),
        guarded("schema", || {
            let (schema, objects) = read.schema_problems(reference()?)?;
            Ok((format!("{objects} tables, indexes and triggers as casebook creates them"), schema))
        }),
        guarded("domain", || Ok((format!("domain rules re-checked as of {today}"), domain_problems(store, today)))),
        guarded("templates", || {
            let (templates, count) = read.verify_templates(reference()?)?;
            Ok((format!("{count} checklist template(s) match their hashes"), templates))
        }),
        guarded("seals", || {
            let chain = read.verify_seals(noted.audits)?;
            let (seq, head) = &chain.head;
            Ok((format!("{} submitted audit(s) sealed; audit chain head {seq}:{head}", chain.sealed), chain.problems))
        }),
        guarded("history", || {
            let (mut history, rows, (seq, head)) = read.verify_history()?;
            if let Some(problem) = noted.history.map(|n| read.history_head_problem(n)).transpose()?.flatten() {
                history.push(problem);
            }
            Ok((format!("{rows} history row(s) chained; history chain head {seq}:{head}"), history))
        }),
        guarded("facts", || {
            let (facts, count) = read.verify_facts()?;
            Ok((format!("{count} closure(s) and attachment(s) match their hashes and the history"), facts))
        }),
        guarded("attachments", || check_attachments(store)),
        merge_refusals(store),
    ]
}

/// Records merges refused (a conflict of facts, a broken seal): not a
/// problem of this database, which kept its own version, so the check
/// passes, and each is explained: which source, when, both versions, why.
fn merge_refusals(store: &Store) -> CheckResult {
    match store.read().merge_refusals() {
        Ok(refusals) => {
            let summary = if refusals.is_empty() {
                "no record refused by a merge".to_owned()
            } else {
                format!("{} record(s) refused by merges, this database's version kept; explained below", refusals.len())
            };
            let problems = refusals
                .iter()
                .map(|(at, actor, source, what)| format!("merging {source} ({at}, by {actor}): {what}"))
                .collect();
            CheckResult { check: "merges", ok: true, summary, problems }
        }
        Err(e) => result("merges", "could not run to its end".into(), vec![format!("the check stopped: {e}")]),
    }
}

/// One check's outcome; an error is the check's problem, not the end.
fn guarded(check: &'static str, run: impl FnOnce() -> Result<(String, Vec<String>)>) -> CheckResult {
    match run() {
        Ok((summary, problems)) => result(check, summary, problems),
        Err(e) => result(check, "could not run to its end".into(), vec![format!("the check stopped: {e}")]),
    }
}

/// The domain rules, each part run on its own so one failure hides no other.
fn domain_problems(store: &Store, today: &str) -> Vec<String> {
    let read = store.read();
    let mut problems = Vec::new();
    let mut part = |found: Result<Vec<String>>| match found {
        Ok(found) => problems.extend(found),
        Err(e) => problems.push(format!("a domain check stopped: {e}")),
    };
    part(
        read.domain_violations(today).map(|counts| {
            counts.into_iter().filter(|(_, n)| *n > 0).map(|(rule, n)| format!("{n} × {rule}")).collect()
        }),
    );
    part(
        read.unreadable_defects()
            .map(|lots| lots.into_iter().map(|l| format!("{l}: defects cannot be read")).collect()),
    );
    part(read.undecodable_text());
    part(read.policy().map(|_| Vec::new()));
    problems
}

fn check_attachments(store: &Store) -> Result<(String, Vec<String>)> {
    let rows = store.read().attachments()?;
    let files = FileStore::for_database(store.path());
    let mut problems = Vec::new();
    let (mut stored, mut by_path) = (0, 0);
    for row in &rows {
        let verdict = match row {
            Err(unreadable) => Err(unreadable.clone()),
            Ok(a) if a.stored => {
                stored += 1;
                files
                    .verify(&a.sha256, a.size)
                    .map_err(|p| format!("attachment {} (evidence {}): {p}", a.id, a.evidence_id))
            }
            Ok(a) => {
                by_path += 1;
                crate::store::files::verify_at(&a.path, a.size, &a.sha256)
                    .map_err(|p| format!("attachment {} (evidence {}): {p}", a.id, a.evidence_id))
            }
        };
        problems.extend(verdict.err());
    }
    let summary = format!(
        "{} attached file(s) re-hashed: {stored} in the file store, {by_path} at their recorded path",
        rows.len()
    );
    Ok((summary, problems))
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
    /// A photo or document (a regular file up to 50 MB): copied into the
    /// database's file store, its name, size, SHA-256 and type recorded.
    pub file: PathBuf,
}

pub fn attach(ctx: &Context, args: &AttachArgs) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let (id, a) = crate::workflow::attach_file(&mut store, args.evidence, &args.file, &ctx.actor)?;
    outln!(
        "attachment {id}: {} ({} bytes, sha256 {}, {}) on evidence {}, copied to {}",
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
    let store = ctx.open(OpenMode::Existing)?;
    let r = store.backup_to(&args.dest)?;
    outln!(
        "{}: backed up {} pages ({:.1} MiB) from {} in {:.1} s; the copy passed SQLite's integrity check and its {} \
         audit seal(s) were verified (chain head #{} {}); {} attached file(s) copied",
        r.dest.display(),
        r.pages,
        r.bytes as f64 / f64::from(1 << 20),
        store.path().display(),
        r.took.as_secs_f64(),
        r.seals,
        r.head.0,
        r.head.1,
        r.files
    );
    for problem in &r.problems {
        eprintln!("casebook: backup: {problem}");
    }
    if r.problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "casebook: the backup was made, but it carries the problems above (so does the database: run `casebook check`)"
        );
        Ok(ExitCode::FAILURE)
    }
}
