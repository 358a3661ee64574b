//! Starting the terminal UI: `casebook` on the default (or `--db`)
//! database, and `casebook demo`, which first builds a database from the
//! demo fixtures built into the binary (so it works from any directory).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::Context;
use crate::error::{Error, Result};
use crate::exchange::{self, ImportOptions};
use crate::store::{OpenMode, Store};
use crate::tui::{self, Loading, Options, Theme};

/// The day the demo's stories are told as of (fixtures/README.md).
pub const DEMO_AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 15) {
    Some(day) => day,
    None => panic!("2026-11-15 is a date"),
};

const DEMO_FILES: [(&str, &[u8]); 2] = [
    ("demo-dossier.json", include_bytes!("../../fixtures/demo-dossier.json")),
    ("demo-lots.csv", include_bytes!("../../fixtures/demo-lots.csv")),
];

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only create the demo database and print its path (keeps a temporary one).
    #[arg(long)]
    pub no_ui: bool,
}

/// `casebook` with no command: the UI on the database, created if missing.
pub fn open(ctx: &Context) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Create)?;
    // The UI saves on its own thread of events: a short wait, no message on
    // a terminal it has taken over.
    store.set_patience(crate::store::Patience::default());
    tui::run(store, options(ctx, ctx.as_of))?;
    Ok(ExitCode::SUCCESS)
}

fn options(ctx: &Context, as_of: NaiveDate) -> Options {
    Options {
        as_of,
        actor: ctx.actor.clone(),
        theme: Theme::from_env(),
        loading: Loading::Background,
        export_dir: PathBuf::from("."),
    }
}

/// `casebook demo`: a fresh demo database at `db` (given on the command
/// line), else in a temporary directory removed when the UI closes.
pub fn demo(ctx: &Context, db: Option<&Path>, as_of: Option<NaiveDate>, args: &DemoArgs) -> Result<ExitCode> {
    let (path, temp) = if let Some(path) = db {
        (path.to_owned(), None)
    } else {
        let dir = tempfile::Builder::new().prefix("casebook-demo-").tempdir()?;
        (dir.path().join("demo.db"), Some(dir))
    };
    let store = create_demo(&path, &ctx.actor)?;
    let as_of = as_of.unwrap_or(DEMO_AS_OF);
    if args.no_ui {
        drop(store);
        // Keep a temporary database: it is what was asked for.
        let _kept = temp.map(tempfile::TempDir::keep);
        outln!("{}", path.display());
        eprintln!("casebook demo: open it with `casebook --db {} --as-of {as_of}`", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    tui::run(store, options(ctx, as_of))?;
    if temp.is_some() {
        eprintln!("casebook demo: the demo database was temporary and is gone; `casebook demo --db PATH` keeps one");
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports the built-in fixtures into a new or empty database; refuses one
/// that already holds suppliers (the demo never mixes with real data).
pub fn create_demo(path: &Path, actor: &str) -> Result<Store> {
    let mut store = Store::open(path, OpenMode::Create)?;
    let held = store.read().suppliers()?.len();
    if held > 0 {
        return Err(Error::Invalid(format!(
            "{}: the database already holds {held} supplier(s); the demo only fills a new or empty database — \
             give `--db` a new path; nothing was changed",
            path.display()
        )));
    }
    for (name, bytes) in DEMO_FILES {
        let report = exchange::import_bytes(&mut store, name, bytes, actor, ImportOptions::default())?;
        if let Some(problem) = report.problems.first() {
            return Err(Error::Invalid(format!("the built-in {name} did not import: {problem}")));
        }
    }
    Ok(store)
}
