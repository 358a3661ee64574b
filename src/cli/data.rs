//! Data commands: `init`, `where`, `import`, `export`, `suppliers`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use super::output::{Format, Table, opt, print_json};
use crate::error::{Error, Result};
use crate::exchange::{self, ImportOptions, ImportReport};
use crate::store::{LATEST_VERSION, OpenMode};

pub fn init(ctx: &Context) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Create)?;
    outln!("{}: ready (schema version {LATEST_VERSION})", store.path().display());
    Ok(ExitCode::SUCCESS)
}

pub fn where_is(ctx: &Context) -> Result<ExitCode> {
    outln!("{}", ctx.db.display());
    if !ctx.db.exists() {
        eprintln!("(no database there yet; `casebook init` or `casebook import FILE` creates it)");
        return Ok(ExitCode::SUCCESS);
    }
    let store = ctx.open(OpenMode::Existing)?;
    let read = store.read();
    let size = std::fs::metadata(&ctx.db).map_or(0, |m| m.len());
    eprintln!(
        "schema version {LATEST_VERSION}; {} suppliers; {} lots; {:.1} MiB; installation tag {}",
        read.suppliers()?.len(),
        read.lot_count()?,
        size as f64 / f64::from(1 << 20),
        read.installation()?.tag
    );
    if store.is_unclaimed_copy()? {
        eprintln!("(this file is a copy: it takes an installation tag of its own at its first change)");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Dossier JSON (casebook-dossier/1) or yield-lot CSV files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Validate everything and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// `json` prints each file's report as JSON on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

pub fn import(ctx: &Context, args: &ImportArgs) -> Result<ExitCode> {
    // A dry run never creates a database: without one, it checks the files
    // against an empty database in memory.
    let mut store = if args.dry_run && !ctx.db.exists() {
        crate::store::Store::open_in_memory()?
    } else {
        ctx.open(OpenMode::Create)?
    };
    let options = ImportOptions { dry_run: args.dry_run, progress: true, on_progress: None };
    let text = args.format == ReportFormat::Text;
    // A failed write to stdout must not stop the import half way, and a
    // reader that went away (`| head`) must not hide a failed file's status.
    let mut printed = Ok(());
    let reports = exchange::import_files(&mut store, &args.files, &ctx.actor, options, |report| {
        if text && printed.is_ok() {
            printed = print_report(report);
        }
    })?;
    if !text {
        printed = print_json(&reports);
    }
    match printed {
        Err(e) if !super::output::closed_pipe(&e) => return Err(e),
        _ => {}
    }
    let all_ok = reports.iter().all(ImportReport::ok);
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Problems on stderr (one per line, `file: where: what`), summary on stdout;
/// whatever a file held, shown without control sequences.
fn print_report(report: &ImportReport) -> Result<()> {
    for problem in &report.problems {
        eprintln!("{}", crate::exchange::cells::terminal(&format!("{}: {problem}", report.file)));
    }
    if report.unlisted > 0 {
        eprintln!("{}: … and {} more problem(s) not listed", report.file, report.unlisted);
    }
    if let Some(merged) = report.merged.as_ref().filter(|_| report.ok()) {
        // A casebook-dossier/3 is merged: its conflicts, missing files and notices.
        let details = crate::model::merge::SourceReport { refused: Vec::new(), ..merged.clone() };
        super::merge::print_details(&details)?;
    }
    outln!("{}", report.summary());
    Ok(())
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only these suppliers (repeatable); default: all.
    #[arg(long = "supplier", value_name = "CODE")]
    pub suppliers: Vec<String>,
    /// Write to this file instead of stdout (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the readable part (`casebook-dossier/1`, or `/2` with annotations
    /// or control plans), without the records that make an import lossless
    /// (global ids, seals, field versions, drafts' edits, voids, history, files).
    #[arg(long)]
    pub plain: bool,
}

pub fn export(ctx: &Context, args: &ExportArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    match &args.output {
        None => {
            let stdout = std::io::stdout();
            exchange::export(&store, &args.suppliers, args.plain, &mut stdout.lock())?;
        }
        Some(path) => {
            let n = write_atomically(&ctx.db, path, |out| exchange::export(&store, &args.suppliers, args.plain, out))?;
            // The chain head, to note down: `check --expect-head` compares it later.
            let (seq, head) = store.read().chain_head()?;
            eprintln!("{}: exported {n} supplier(s); audit chain head {seq}:{head}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes through a temporary file beside `path`, renamed into place on
/// success, so a failed or interrupted export never leaves half a file.
/// Refuses a `path` that is the database `db` or one of its side files
/// (writing there would replace the database under every connection).
pub fn write_atomically<T>(
    db: &std::path::Path,
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    crate::store::refuse_database_file(db, path, "write over")?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| std::path::Path::new("."));
    let name = path.file_name().ok_or_else(|| Error::Invalid(format!("{}: not a file name", path.display())))?;
    let temp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        let value = write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|e: Error| match e {
        Error::Io(io) => Error::Invalid(format!("{}: {io}", path.display())),
        other => other,
    })
}

#[derive(Debug, Args)]
pub struct SuppliersArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn suppliers(ctx: &Context, args: &SuppliersArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let rows = store.read().supplier_counts()?;
    if args.format == Format::Json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "code", "name", "country", "city", "type", "models", "moq", "dev_days", "claims", "audits", "evidence", "lots",
        "voided",
    ])
    .right_aligned(&[6, 7, 8, 9, 10, 11, 12]);
    for r in &rows {
        let s = &r.supplier;
        table.push(vec![
            s.code.clone(),
            s.name.clone(),
            s.country.clone(),
            opt(s.city.as_deref()),
            s.business_type.to_string(),
            s.models.label(),
            opt(s.moq),
            opt(s.dev_lead_days),
            r.claims.to_string(),
            r.audits.to_string(),
            r.evidence.to_string(),
            r.lots.to_string(),
            r.voided.to_string(),
        ]);
    }
    table.print(args.format)?;
    Ok(ExitCode::SUCCESS)
}
