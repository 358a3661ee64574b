//! `casebook yield`: the QA lead's view of production lots.
//!
//! `--supplier CODE` charts one supplier's lots (narrowed by process,
//! material, SKU and production days) on a p-chart or Laney p′ chart, marks
//! the lots that break the run rules, and adds pooled FPY, rework and scrap,
//! the defect Pareto, FPY by month and RTY by SKU. `--all` charts every
//! supplier over a window in one pass over the lot index, one row each.
//!
//! Decisions a user can rely on:
//! - `--chart`, `--rules` and the `--all` window default to the flag policy
//!   (`yield.chart`, `yield.rules`, `yield.window_months`), so the command
//!   shows the chart the verdicts are judged on; every output names the
//!   chart and rule set in force.
//! - Days are inclusive. `--until` defaults to `--as-of`, and lots after the
//!   as-of day are ignored even when `--until` is later.
//! - When nothing is selected, the table is an error that says what the
//!   supplier does have; JSON prints the report with a null centre and empty
//!   arrays, and CSV a header only (both exit 0, with a note on stderr), so
//!   scripts need no special case.
//! - `--baseline-until DAY` freezes the limits on the selected lots produced
//!   on or before DAY; a baseline that covers none of them is an error.
//! - `--all` lists the suppliers with lots in the window, most violations
//!   (beyond 3σ plus other rules) first, then by code; an empty window is an
//!   empty list, not an error.
//! - Output cut short by a closed pipe (`| head`) ends quietly.

mod all;
mod render;

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;

use super::output::{Format, print_json};
use super::{Context, parse_day};
use crate::assess::policy::Policy;
use crate::assess::spc::{ChartKind, ChartOptions, RuleSet};
use crate::assess::yield_stats::{self, YieldReport};
use crate::error::{Error, Result};
use crate::model::{Lot, Process};
use crate::store::{LotFilter, OpenMode, Reader, SupplierId};

/// Longest list of codes or values an error message spells out.
const LISTED: usize = 12;

#[derive(Debug, Args)]
pub struct YieldArgs {
    /// The supplier whose lots to chart.
    #[arg(long, value_name = "CODE", required_unless_present = "all")]
    pub supplier: Option<String>,
    /// Chart every supplier with lots in the window: one row each, most violations first.
    #[arg(long, conflicts_with_all = ["supplier", "process", "material", "sku", "baseline_until"])]
    pub all: bool,
    #[arg(
        long,
        value_name = "PROCESS",
        value_parser = super::word::<Process>,
        help = "Only lots of this process: injection, co_molding, assembly, printing or other"
    )]
    pub process: Option<Process>,
    /// Only lots of this material, exactly as recorded (e.g. TPU+PC).
    #[arg(long)]
    pub material: Option<String>,
    /// Only lots of this SKU.
    #[arg(long)]
    pub sku: Option<String>,
    /// First production day (default: every lot; with --all, the policy's yield window, 12 months to --until).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Last production day (default and latest: --as-of).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub until: Option<NaiveDate>,
    /// p (classical p-chart) or laney (Laney p′); default: the policy's yield.chart.
    #[arg(long, value_name = "KIND", value_parser = super::word::<ChartKind>)]
    pub chart: Option<ChartKind>,
    /// attribute (beyond 3σ, nine in a row) or western-electric; default: the policy's yield.rules.
    #[arg(long, value_name = "SET", value_parser = super::word::<RuleSet>)]
    pub rules: Option<RuleSet>,
    /// Freeze the limits on the selected lots produced on or before this day.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub baseline_until: Option<NaiveDate>,
    /// json and csv print an empty result, not an error, when no lot is selected.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The production days charted, both inclusive; `until` is never after as-of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    since: Option<NaiveDate>,
    until: NaiveDate,
}

impl Window {
    fn new(as_of: NaiveDate, since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Self> {
        let until = until.map_or(as_of, |day| day.min(as_of));
        match since {
            Some(first) if first > until => Err(Error::Invalid(format!(
                "--since {first} is after the last day charted, {until} (--until, which cannot pass --as-of {as_of})"
            ))),
            _ => Ok(Self { since, until }),
        }
    }
}

/// What the chart was asked for, echoed in the JSON output.
#[derive(Debug, Serialize)]
struct Filters<'a> {
    process: Option<Process>,
    material: Option<&'a str>,
    sku: Option<&'a str>,
    since: Option<NaiveDate>,
    until: NaiveDate,
    baseline_until: Option<NaiveDate>,
}

/// The JSON document of `casebook yield --supplier`.
#[derive(Debug, Serialize)]
struct SupplierYield<'a> {
    supplier: &'a str,
    #[serde(flatten)]
    report: &'a YieldReport,
    filters: Filters<'a>,
    /// Lots the filters select that were voided: listed, counted nowhere.
    voided_lots: Vec<VoidedLotEntry<'a>>,
}

/// A voided lot as `yield --format json` lists it.
#[derive(Debug, Serialize)]
struct VoidedLotEntry<'a> {
    lot: &'a str,
    produced_on: NaiveDate,
    started: u32,
    passed_first: u32,
    voided: &'a crate::model::Voided,
}

pub fn run(ctx: &Context, args: &YieldArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let read = store.read();
    let policy = read.policy()?;
    let options = ChartOptions {
        kind: args.chart.unwrap_or(policy.chart),
        rules: args.rules.unwrap_or(policy.rules),
        baseline: None,
    };
    if let Some(code) = &args.supplier {
        return one_supplier(ctx, read, args, code, options);
    }
    let window = Window::new(ctx.as_of, args.since, args.until)?;
    let since = args.since.unwrap_or_else(|| Policy::window_start(window.until, policy.yield_window_months));
    all::run(ctx, read, (since, window.until), options, args.format)
}

fn one_supplier(
    ctx: &Context,
    read: Reader<'_>,
    args: &YieldArgs,
    code: &str,
    mut options: ChartOptions,
) -> Result<ExitCode> {
    let window = Window::new(ctx.as_of, args.since, args.until)?;
    let id = find_supplier(read, code)?;
    let filter = LotFilter {
        process: args.process,
        material: args.material.clone(),
        sku: args.sku.clone(),
        since: window.since,
        until: Some(window.until),
    };
    let lots = read.lots(id, &filter)?;
    if lots.is_empty() {
        let problem = no_lots(read, id, code, &filter)?;
        if args.format == Format::Table {
            return Err(problem);
        }
        eprintln!("casebook: {problem}");
    }
    options.baseline = args.baseline_until.map(|day| baseline_length(&lots, day, code)).transpose()?;
    let report = yield_stats::analyse(&lots, &options)?;
    let filters = Filters {
        process: args.process,
        material: args.material.as_deref(),
        sku: args.sku.as_deref(),
        since: window.since,
        until: window.until,
        baseline_until: args.baseline_until,
    };
    let voided = read.voided_lots(id, &filter)?;
    match args.format {
        Format::Json => {
            let voided_lots = voided
                .iter()
                .map(|v| VoidedLotEntry {
                    lot: &v.lot.lot,
                    produced_on: v.lot.produced_on,
                    started: v.lot.started,
                    passed_first: v.lot.passed_first,
                    voided: &v.voided,
                })
                .collect();
            print_json(&SupplierYield { supplier: code, report: &report, filters, voided_lots })?;
        }
        Format::Csv => render::lots_csv(&report)?,
        Format::Table => render::print_report(code, &filters, &report, &voided)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// How many of `lots` (in chart order) were produced on or before `day`.
fn baseline_length(lots: &[Lot], day: NaiveDate, code: &str) -> Result<usize> {
    let length = lots.partition_point(|lot| lot.produced_on <= day);
    match lots.first() {
        Some(first) if length == 0 => Err(Error::Invalid(format!(
            "--baseline-until {day} covers none of the {} selected lots of {code}: the first was produced on {}; \
             choose that day or a later one",
            lots.len(),
            first.produced_on
        ))),
        _ => Ok(length),
    }
}

fn find_supplier(read: Reader<'_>, code: &str) -> Result<SupplierId> {
    if let Some(id) = read.supplier_id(code)? {
        return Ok(id);
    }
    let mut codes: Vec<String> = read.supplier_ids()?.into_keys().collect();
    codes.sort_unstable();
    Err(Error::NotFound(unknown_supplier(code, &codes)))
}

fn unknown_supplier(code: &str, codes: &[String]) -> String {
    let hint = if let Some(near) = codes.iter().find(|known| known.eq_ignore_ascii_case(code)) {
        format!("did you mean `{near}`?")
    } else if codes.is_empty() {
        "the database has no suppliers yet; import a dossier first".to_owned()
    } else {
        format!("known codes: {} (`casebook suppliers` lists them all)", listed(codes))
    };
    format!("no supplier with code `{code}`; {hint}")
}

/// Why nothing was selected, with what the supplier's lots do have.
fn no_lots(read: Reader<'_>, id: SupplierId, code: &str, filter: &LotFilter) -> Result<Error> {
    let (processes, materials, skus) = read.lot_dimensions(id)?;
    if processes.is_empty() {
        return Ok(Error::NotFound(format!(
            "supplier {code} has no production lots; import them with `casebook import LOTS.csv`"
        )));
    }
    let processes: Vec<&str> = processes.iter().map(|p| p.as_str()).collect();
    Ok(Error::NotFound(format!(
        "no lots of {code} match {}; its lots have processes: {}; materials: {}; SKUs: {}",
        describe(filter),
        listed(&processes),
        listed(&materials),
        listed(&skus)
    )))
}

/// The filter in the words of the command line.
fn describe(filter: &LotFilter) -> String {
    let mut parts = Vec::new();
    if let Some(process) = filter.process {
        parts.push(format!("--process {process}"));
    }
    if let Some(material) = &filter.material {
        parts.push(format!("--material {material}"));
    }
    if let Some(sku) = &filter.sku {
        parts.push(format!("--sku {sku}"));
    }
    match (filter.since, filter.until) {
        (Some(since), Some(until)) => parts.push(format!("produced {since} … {until}")),
        (Some(since), None) => parts.push(format!("produced from {since}")),
        (None, Some(until)) => parts.push(format!("produced up to {until}")),
        (None, None) => {}
    }
    parts.join(", ")
}

/// Up to [`LISTED`] items, comma separated, saying how many were left out.
fn listed<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(LISTED).map(AsRef::as_ref).collect();
    match items.len().saturating_sub(LISTED) {
        0 => shown.join(", "),
        more => format!("{}, … and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn until_defaults_to_as_of_and_never_passes_it() {
        let as_of = day("2026-11-15");
        assert_eq!(Window::new(as_of, None, None).unwrap().until, as_of);
        assert_eq!(Window::new(as_of, None, Some(day("2027-01-01"))).unwrap().until, as_of);
        assert_eq!(Window::new(as_of, None, Some(day("2026-01-01"))).unwrap().until, day("2026-01-01"));
        let message = Window::new(as_of, Some(day("2026-12-01")), None).unwrap_err().to_string();
        assert!(message.contains("--since 2026-12-01") && message.contains("2026-11-15"), "{message}");
    }

    #[test]
    fn unknown_supplier_suggests_a_code_or_lists_some() {
        let codes: Vec<String> = (1..=20).map(|i| format!("S-{i:02}")).collect();
        assert!(unknown_supplier("s-03", &codes).contains("did you mean `S-03`?"));
        let message = unknown_supplier("NOPE", &codes);
        assert!(message.contains("no supplier with code `NOPE`") && message.contains("S-01, S-02"), "{message}");
        assert!(message.contains("and 8 more"), "{message}");
        assert!(unknown_supplier("X", &[]).contains("no suppliers yet"));
    }

    #[test]
    fn describe_names_every_filter_in_command_line_words() {
        let filter = LotFilter {
            process: Some(Process::Printing),
            material: Some("PC".into()),
            sku: None,
            since: None,
            until: Some(day("2026-11-15")),
        };
        assert_eq!(describe(&filter), "--process printing, --material PC, produced up to 2026-11-15");
    }
}
