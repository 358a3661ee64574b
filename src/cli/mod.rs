//! The command line: one clap enum, one module per subcommand, each with a
//! `run`. With no subcommand, casebook opens the terminal UI.

/// `println!` that returns the write error instead of panicking, so
/// `casebook … | head` ends quietly rather than with a panic message; and
/// that shows control characters as escapes, so no stored name or note can
/// send the terminal a control sequence.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        writeln!(std::io::stdout().lock(), "{}", $crate::exchange::cells::terminal(&text))
            .map_err($crate::error::Error::Io)?
    }};
}

/// `print!` counterpart of [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        write!(std::io::stdout().lock(), "{}", $crate::exchange::cells::terminal(&text))
            .map_err($crate::error::Error::Io)?
    }};
}

mod admin;
mod audit;
mod control;
mod data;
mod hub;
mod merge;
mod output;
mod policy;
mod report;
mod shortlist;
mod supplier;
mod sync;
mod ui;
mod verdicts;
mod void;
mod yield_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::store::{OpenMode, Store};

pub use output::Format;
pub use ui::{DEMO_AS_OF, create_demo};

#[derive(Debug, Parser)]
#[command(
    name = "casebook",
    version,
    about = "Audit protective-case factories; flag ODM claims that lack manufacturing evidence",
    after_help = "With no command, casebook opens the terminal UI on the database. Try it on demo data: casebook demo"
)]
pub struct Cli {
    /// Database file (default: the platform data directory, e.g. ~/.local/share/casebook/casebook.db).
    #[arg(long, global = true, env = "CASEBOOK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Evaluate as of this day instead of today (YYYY-MM-DD), for reproducible results.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_day)]
    pub as_of: Option<NaiveDate>,

    /// Who is making changes (recorded in history); default: `$CASEBOOK_AUDITOR`, then `$USER`.
    #[arg(long, global = true, env = "CASEBOOK_AUDITOR", value_name = "NAME")]
    pub auditor: Option<String>,

    /// Print which database is used, on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or bring it up to date).
    Init,
    /// Print the database path this command line would use, and its state.
    Where,
    /// Import dossier JSON or yield-lot CSV files (chosen by content), each all-or-nothing.
    Import(data::ImportArgs),
    /// Export suppliers as a casebook-dossier JSON document (/1, or /2 with annotations and control plans).
    Export(data::ExportArgs),
    /// Merge other casebook databases (auditors' copies) into this one, in one transaction.
    Merge(merge::MergeArgs),
    /// List suppliers with counts of claims, audits, evidence and lots.
    Suppliers(data::SuppliersArgs),
    /// Record a supplier or change its profile: `supplier edit CODE --moq 500 --city Dongguan`.
    #[command(subcommand)]
    Supplier(supplier::SupplierCommand),
    /// Record audits from the command line (the same operations as the UI).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Claims: retire one (or move its retirement), void one entered wrongly.
    #[command(subcommand)]
    Claim(void::ClaimCommand),
    /// Show the flag policy, or change one value.
    Policy(policy::PolicyArgs),
    /// Write a shareable report of an audit or a supplier, as PDF or self-contained HTML.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Every supplier's ODM verdict with its flags.
    Flags(verdicts::FlagsArgs),
    /// The whole reasoning behind one supplier's verdict.
    Explain(verdicts::ExplainArgs),
    /// Verify the database: integrity, references, triggers, domain rules, audit seals, attachments.
    Check(admin::CheckArgs),
    /// The change history of one supplier (or of the policy).
    History(admin::HistoryArgs),
    /// Attach a photo or document to an evidence item: copied into the database's file store, hash recorded.
    Attach(admin::AttachArgs),
    /// A verified copy of the database and its attached files (safe while it is in use).
    Backup(admin::BackupArgs),
    /// Yield of one supplier's lots (p, p′, np, u or u′ chart, run rules, FPY, Pareto, RTY), or of every supplier.
    Yield(yield_cmd::YieldArgs),
    /// Assignable causes of lots: annotate a lot (and leave it out of the limits), list annotations.
    #[command(subcommand)]
    Lot(control::LotCommand),
    /// Control plans: freeze a supplier's limits from a baseline, unfreeze, list.
    #[command(subcommand)]
    Plan(control::PlanCommand),
    /// The buyer's shortlist: add, remove, list, export (as in the UI's Shortlist screen).
    #[command(subcommand)]
    Shortlist(shortlist::ShortlistCommand),
    /// Exchange changes with the team hub: pull what it has that this database lacks, push what it lacks.
    Sync(sync::SyncArgs),
    /// The team hub (PostgreSQL): create one (administrator), remember one, show the sync state.
    #[command(subcommand)]
    Hub(hub::HubCommand),
    /// Open the UI on a fresh demo database (temporary unless --db is given), as of 2026-11-15.
    Demo(ui::DemoArgs),
}

pub fn parse_day(text: &str) -> std::result::Result<NaiveDate, String> {
    crate::model::validate::date("date", text).map_err(|e| format!("`{text}` {}", e.message))
}

/// A word of the domain vocabulary (a verdict, a process, …) for clap.
/// The parser of an option that takes a word of a vocabulary: `--help`
/// lists the words, and a wrong one is refused naming them.
fn word<T: crate::model::Word + Send + Sync + Clone>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(T::WORDS.iter().map(|w| w.word()))
        .try_map(|text: String| T::from_word(&text).ok_or_else(|| format!("`{text}` is not one of the words listed")))
}

/// What every command needs: where the database is, which day it is, who acts.
pub struct Context {
    pub db: PathBuf,
    pub as_of: NaiveDate,
    pub actor: String,
    pub verbose: bool,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        let db = match &cli.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        let actor = actor_name(cli.auditor.as_deref());
        // Recorded in history and printed back by `history` and `audit show`:
        // the importers' text rule, refused here before anything is opened.
        crate::model::records::person("auditor", &actor).map_err(|e| {
            Error::Invalid(format!("--auditor (or CASEBOOK_AUDITOR, $USER) {:?}: {}", actor, e.message))
        })?;
        Ok(Self {
            db,
            as_of: cli.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
            actor,
            verbose: cli.verbose,
        })
    }

    /// Opens the database; read commands never create one. A write waits
    /// for another process's (an import's) as long as [`write_patience`]
    /// says, telling on stderr after a second that it is waiting.
    pub fn open(&self, mode: OpenMode) -> Result<Store> {
        if self.verbose {
            eprintln!("casebook: database {}", self.db.display());
        }
        let mut store = Store::open(&self.db, mode)?;
        store.set_patience(write_patience()?);
        Ok(store)
    }
}

/// How long a command waits for another process's write to finish before
/// giving up: `CASEBOOK_WRITE_WAIT` seconds, by default 10 minutes.
pub const DEFAULT_WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

fn write_patience() -> Result<crate::store::Patience> {
    let limit = match std::env::var("CASEBOOK_WRITE_WAIT") {
        Err(_) => DEFAULT_WRITE_WAIT,
        Ok(text) => text.trim().parse::<u64>().map(std::time::Duration::from_secs).map_err(|_| {
            Error::Invalid(format!("CASEBOOK_WRITE_WAIT={text:?}: expected a whole number of seconds, such as 600"))
        })?,
    };
    let notice: crate::store::wait::Notice = std::sync::Arc::new(|path: &std::path::Path, limit| {
        eprintln!(
            "casebook: waiting for another process to finish writing to {} (an import holds the database for the \
             whole file); waiting up to {} (CASEBOOK_WRITE_WAIT=SECONDS changes this)",
            path.display(),
            crate::store::describe_wait(limit)
        );
    });
    Ok(crate::store::Patience { limit, notice: Some(notice) })
}

impl Context {}

pub fn default_db_path() -> Result<PathBuf> {
    let base = dirs::data_dir().ok_or_else(|| {
        Error::Invalid("cannot find a data directory for this user; pass --db PATH or set CASEBOOK_DB".into())
    })?;
    Ok(base.join("casebook").join("casebook.db"))
}

fn actor_name(given: Option<&str>) -> String {
    given
        .map(str::to_owned)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Runs the command line; returns the process exit status.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let db_given = db_on_command_line(&matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // For messages about the disk: the database the command was about.
    let db = cli.db.clone().or_else(|| default_db_path().ok()).unwrap_or_default();
    // A file read without locks (read-only for this user) must not have
    // changed under the command.
    let outcome = run(cli, db_given).and_then(|code| crate::store::unlocked_reads_held().map(|()| code));
    match outcome.map_err(|e| crate::store::explain_storage_error(&db, e)) {
        Ok(code) => code,
        // `casebook … | head`: the reader went away, which is not an error.
        Err(e) if output::closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("casebook: error: {}", crate::exchange::cells::terminal(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// Whether `--db` was typed (before or after the subcommand) rather than
/// taken from `CASEBOOK_DB`: `casebook demo` must not fill the user's
/// usual database just because the variable points at it.
fn db_on_command_line(matches: &ArgMatches) -> bool {
    let mut level = Some(matches);
    while let Some(m) = level {
        if m.value_source("db") == Some(ValueSource::CommandLine) {
            return true;
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    false
}

fn run(cli: Cli, db_given: bool) -> Result<ExitCode> {
    let ctx = Context::from_cli(&cli)?;
    let Some(command) = cli.command else {
        return ui::open(&ctx);
    };
    match command {
        Command::Init => data::init(&ctx),
        Command::Where => data::where_is(&ctx),
        Command::Import(args) => data::import(&ctx, &args),
        Command::Export(args) => data::export(&ctx, &args),
        Command::Merge(args) => merge::run(&ctx, &args),
        Command::Suppliers(args) => data::suppliers(&ctx, &args),
        Command::Supplier(cmd) => supplier::run(&ctx, cmd),
        Command::Audit(cmd) => audit::run(&ctx, cmd),
        Command::Claim(cmd) => void::claim(&ctx, &cmd),
        Command::Policy(args) => policy::policy(&ctx, &args),
        Command::Report(cmd) => report::run(&ctx, cmd),
        Command::Flags(args) => verdicts::flags(&ctx, &args),
        Command::Explain(args) => verdicts::explain(&ctx, &args),
        Command::Check(args) => admin::check(&ctx, &args),
        Command::History(args) => admin::history(&ctx, &args),
        Command::Attach(args) => admin::attach(&ctx, &args),
        Command::Backup(args) => admin::backup(&ctx, &args),
        Command::Yield(args) => yield_cmd::run(&ctx, &args),
        Command::Lot(cmd) => control::lot(&ctx, cmd),
        Command::Plan(cmd) => control::plan(&ctx, cmd),
        Command::Shortlist(cmd) => shortlist::run(&ctx, cmd),
        Command::Hub(cmd) => hub::run(&ctx, cmd),
        Command::Sync(args) => sync::run(&ctx, &args),
        Command::Demo(args) => ui::demo(&ctx, cli.db.as_deref().filter(|_| db_given), cli.as_of, &args),
    }
}
