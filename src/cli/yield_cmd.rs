//! `casebook yield`: the QA lead's view of production lots.
//!
//! `--supplier CODE` charts one supplier's lots (narrowed by process,
//! material, SKU and production days) on a p, Laney p′, np, u or Laney u′
//! chart, marks the lots that break the run rules, and adds pooled FPY,
//! rework and scrap, the defect Pareto, FPY by month and RTY by SKU; as a
//! table, JSON, CSV or an SVG drawing. `--by material|process` compares FPY
//! across strata. `--all` charts every supplier over a window in one pass
//! over the lot index, one row each.
//!
//! Decisions a user can rely on:
//! - `--chart`, `--rules` and the window default to the flag policy
//!   (`yield.chart`, `yield.rules`, `yield.window_months`), so the command
//!   shows the chart the verdicts are judged on, over the same lots the UI
//!   shows; every output names the chart, the rule set and the window in
//!   force. `--all-lots` charts every lot instead of the window.
//! - Lots annotated with an assignable cause and excluded stay on the chart
//!   but leave the limits; a control plan in force for exactly the lots
//!   charted (same process and material filters) supplies frozen limits;
//!   `--baseline-until` overrides both for one run.
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
mod strata;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;

use super::output::{Format, json_pretty, write_json};
use super::{Context, parse_day};
use crate::assess::policy::Policy;
use crate::assess::spc::{ChartKind, ChartOptions, RuleSet};
use crate::assess::strata::Stratum;
use crate::assess::yield_stats::YieldReport;
use crate::charts::svg::{self, SvgOptions};
use crate::charts::{self, ChartModel};
use crate::error::{Error, Result};
use crate::model::{Lot, Process};
use crate::store::{LotFilter, OpenMode, Reader, SupplierId};
use crate::workflow;

/// Longest list of codes or values an error message spells out.
const LISTED: usize = 12;

/// What `casebook yield` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum YieldFormat {
    #[default]
    Table,
    Json,
    Csv,
    /// The chart as a standalone SVG drawing (one supplier).
    Svg,
}

#[derive(Debug, Args)]
pub struct YieldArgs {
    /// The supplier whose lots to chart.
    #[arg(long, value_name = "CODE", required_unless_present = "all")]
    pub supplier: Option<String>,
    /// Chart every supplier with lots in the window: one row each, most violations first.
    #[arg(long, conflicts_with_all = ["supplier", "process", "material", "sku", "baseline_until", "by", "all_lots"])]
    pub all: bool,
    #[arg(
        long,
        value_name = "PROCESS",
        value_parser = super::word::<Process>(),
        help = "Only lots of this process: injection, co_molding, assembly, printing or other"
    )]
    pub process: Option<Process>,
    /// Only lots of this material, exactly as recorded (e.g. TPU+PC).
    #[arg(long)]
    pub material: Option<String>,
    /// Only lots of this SKU.
    #[arg(long)]
    pub sku: Option<String>,
    /// First production day (default: the policy's yield window, 12 months to --until).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Every lot up to --until rather than the policy's yield window.
    #[arg(long, conflicts_with = "since")]
    pub all_lots: bool,
    /// Last production day (default and latest: --as-of).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub until: Option<NaiveDate>,
    /// p, laney (p′), np (one lot size only), u (defects per unit) or laney-u (u′); default: the policy's yield.chart.
    #[arg(long, value_name = "KIND", value_parser = super::word::<ChartKind>())]
    pub chart: Option<ChartKind>,
    /// attribute (beyond 3σ, nine in a row) or western-electric; default: the policy's yield.rules.
    #[arg(long, value_name = "SET", value_parser = super::word::<RuleSet>())]
    pub rules: Option<RuleSet>,
    /// Freeze the limits on the selected lots produced on or before this day (for this run only).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub baseline_until: Option<NaiveDate>,
    /// Compare FPY by material or by process instead of charting: each with its 95% Wilson interval and lots.
    #[arg(long, value_name = "STRATUM", value_parser = super::word::<Stratum>(), conflicts_with = "baseline_until")]
    pub by: Option<Stratum>,
    /// json and csv print an empty result, not an error, when no lot is selected; svg draws the chart.
    #[arg(long, value_enum, default_value_t = YieldFormat::Table)]
    pub format: YieldFormat,
    /// Write to this file instead of stdout (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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

    /// The window of `args`: `--since`, every lot with `--all-lots`, or by
    /// default the policy's yield window ending at `--until`.
    fn of(args: &YieldArgs, as_of: NaiveDate, months: u32) -> Result<charts::Window> {
        let window = Self::new(as_of, args.since, args.until)?;
        Ok(match (args.since, args.all_lots) {
            (Some(_), _) => charts::Window { since: window.since, until: window.until, policy_months: None },
            (None, true) => charts::Window { since: None, until: window.until, policy_months: None },
            (None, false) => charts::Window {
                since: Some(Policy::window_start(window.until, months)),
                until: window.until,
                policy_months: Some(months),
            },
        })
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
    /// The policy's yield window in months, when `since` is its start.
    #[serde(skip_serializing_if = "Option::is_none")]
    window_months: Option<u32>,
    baseline_until: Option<NaiveDate>,
}

impl Filters<'_> {
    fn narrowed(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(process) = self.process {
            out.push(format!("process {process}"));
        }
        if let Some(material) = self.material {
            out.push(format!("material {material}"));
        }
        if let Some(sku) = self.sku {
            out.push(format!("SKU {sku}"));
        }
        out
    }

    fn window(&self) -> charts::Window {
        charts::Window { since: self.since, until: self.until, policy_months: self.window_months }
    }
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

impl<'a> VoidedLotEntry<'a> {
    fn of(v: &'a crate::store::VoidedLot) -> Self {
        Self {
            lot: &v.lot.lot,
            produced_on: v.lot.produced_on,
            started: v.lot.started,
            passed_first: v.lot.passed_first,
            voided: &v.voided,
        }
    }
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
    let window = Window::of(args, ctx.as_of, policy.yield_window_months)?;
    if let Some(code) = &args.supplier {
        return one_supplier(ctx, read, args, code, options, window);
    }
    if args.format == YieldFormat::Svg {
        return Err(Error::Invalid("--format svg draws one supplier's chart; name it with --supplier CODE".to_owned()));
    }
    let since = window.since.unwrap_or_else(|| Policy::window_start(window.until, policy.yield_window_months));
    let format = match args.format {
        YieldFormat::Json => Format::Json,
        YieldFormat::Csv => Format::Csv,
        YieldFormat::Table | YieldFormat::Svg => Format::Table,
    };
    emit(&ctx.db, args.output.as_deref(), |out| all::run(ctx, read, (since, window.until), options, format, out))
}

/// Runs `write` on stdout, or on `path` written atomically.
fn emit(db: &Path, path: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<ExitCode> {
    match path {
        None => write(&mut std::io::stdout().lock())?,
        Some(path) => super::data::write_atomically(db, path, write)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn one_supplier(
    ctx: &Context,
    read: Reader<'_>,
    args: &YieldArgs,
    code: &str,
    mut options: ChartOptions,
    window: charts::Window,
) -> Result<ExitCode> {
    let id = find_supplier(read, code)?;
    // The code as stored, whatever case it was typed in.
    let stored = read.supplier(id)?.code;
    let code = stored.as_str();
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
        if matches!(args.format, YieldFormat::Table | YieldFormat::Svg) {
            return Err(problem);
        }
        eprintln!("casebook: {}", crate::exchange::cells::terminal(&problem.to_string()));
    }
    let filters = Filters {
        process: args.process,
        material: args.material.as_deref(),
        sku: args.sku.as_deref(),
        since: window.since,
        until: window.until,
        window_months: window.policy_months,
        baseline_until: args.baseline_until,
    };
    if let Some(by) = args.by {
        let rows = strata::compare(&lots, by);
        return emit(&ctx.db, args.output.as_deref(), |out| strata::print(code, by, &filters, &rows, args.format, out));
    }
    options.baseline = args.baseline_until.map(|day| baseline_length(&lots, day, code)).transpose()?;
    let report = workflow::chart_lots(read, id, &lots, &filter, &options, ctx.as_of)?;
    let narrowed = filters.narrowed();
    let model = ChartModel {
        supplier: code,
        report: &report,
        window: filters.window(),
        narrowed: &narrowed,
        baseline_until: args.baseline_until,
    };
    let voided = read.voided_lots(id, &filter)?;
    emit(&ctx.db, args.output.as_deref(), |out| match args.format {
        YieldFormat::Json => {
            let voided_lots = voided.iter().map(VoidedLotEntry::of).collect();
            write_json(
                out,
                &SupplierYield { supplier: code, report: &report, filters, voided_lots },
                json_pretty(args.output.as_deref()),
            )
        }
        YieldFormat::Csv => render::lots_csv(&report, out),
        YieldFormat::Table => {
            render::print_report(&model, out)?;
            render::voided_lots(&voided, out)
        }
        YieldFormat::Svg => Ok(out.write_all(svg::render(&model, &SvgOptions::default()).as_bytes())?),
    })
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
    // Any case, where unambiguous; otherwise the hint below lists codes.
    match read.require_supplier(code) {
        Err(Error::NotFound(_)) => {}
        found => return found,
    }
    let mut codes: Vec<String> = read.supplier_ids()?.into_keys().collect();
    codes.sort_unstable();
    Err(Error::NotFound(unknown_supplier(code, &codes)))
}

fn unknown_supplier(code: &str, codes: &[String]) -> String {
    let hint = if let Some(near) = crate::store::nearest_code(codes, code) {
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
