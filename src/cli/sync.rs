//! `casebook sync [URL]`: exchange changes with the team hub — pull what
//! the hub has that this database lacks (merged as `casebook merge` does),
//! push what it lacks — with a progress bar on a terminal and a report like
//! `merge`'s.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Context;
use super::data::ReportFormat;
use super::merge::{print_details, push_counts};
use super::output::{Table, print_json};
use crate::error::Result;
use crate::store::OpenMode;
use crate::store::hub::HubUrl;
use crate::workflow::sync::{Stage, SyncReport, sync};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The hub's URL (default: the one `casebook hub set` remembered).
    pub url: Option<String>,
    /// `json` prints the whole report as JSON on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Exit status 1 when a record was refused or in conflict, either way (the
/// rest is synced all the same).
pub fn run(ctx: &Context, args: &SyncArgs) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let url = match &args.url {
        Some(url) => HubUrl::parse(url)?,
        None => crate::workflow::remembered_hub(&store)?,
    };
    let bar = std::io::stderr().is_terminal().then(progress_bar);
    let report = sync(&mut store, &url, &ctx.actor, &mut |stage| {
        if let Some(bar) = &bar {
            show(bar, stage);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match args.format {
        ReportFormat::Json => print_json(&report)?,
        ReportFormat::Text => print_text(&report)?,
    }
    Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn show(bar: &ProgressBar, stage: Stage) {
    match stage {
        Stage::Pulling { done, total } => {
            bar.set_message("pulling");
            bar.set_length(total);
            bar.set_position(done);
        }
        Stage::Merging => bar.set_message("merging"),
        Stage::MergingLots { done, total } => {
            bar.set_message("lots in");
            bar.set_length(total);
            bar.set_position(done);
        }
        Stage::Pushing { rows } => {
            bar.set_message("pushing");
            bar.set_length(rows);
            bar.set_position(0);
        }
    }
}

fn print_text(report: &SyncReport) -> Result<()> {
    outln!("hub {} (hub {}), as {}", report.hub, report.hub_id, report.login);
    let pulled = report.pulled.total();
    outln!("pulled: {pulled} hub row(s) (hub position {} → {})", report.pulled.after, report.pulled.upto);
    if let Some(merged) = &report.merged {
        let mut table =
            Table::new(&["source", "records", "added", "already here", "updated"]).right_aligned(&[2, 3, 4]);
        push_counts(&mut table, merged);
        out!("{}", table.render());
        print_details(merged)?;
    }
    let p = &report.pushed;
    let counts = |map: &std::collections::BTreeMap<&str, u64>| {
        let parts: Vec<String> = map.iter().filter(|(_, n)| **n > 0).map(|(t, n)| format!("{t} {n}")).collect();
        if parts.is_empty() { "nothing".to_owned() } else { parts.join(", ") }
    };
    outln!("pushed: added {}; already on the hub {}", counts(&p.added), counts(&p.already));
    for c in &p.conflicts {
        outln!("push: conflict of facts, not pushed: {} — on the hub {} vs here {}", c.record, c.hub, c.pushed);
    }
    for r in &p.refused {
        let more = if r.count > r.records.len() as u64 {
            format!(" and {} more", r.count - r.records.len() as u64)
        } else {
            String::new()
        };
        outln!("push: refused by the hub ({}): {}{more}", r.why, r.records.join(", "));
    }
    let refused: usize = report.merged.as_ref().map_or(0, |m| m.refused.len()) + p.refused.len();
    outln!(
        "synced at {}: {} record(s) merged here, {} pushed; {} refused or in conflict",
        report.synced_at,
        report.merged.as_ref().map_or(0, |m| m.added.0.values().sum::<u64>()),
        p.added_total(),
        refused + p.conflicts.len()
    );
    Ok(())
}
