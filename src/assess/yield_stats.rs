//! Yield figures for a supplier's production lots: pooled first-pass yield,
//! FPY by month, rework and scrap rates, rolled throughput yield per SKU and
//! the defect Pareto; [`analyse`] puts them together with the control chart
//! into one report that serializes to the JSON the CLI prints.
//!
//! The aggregate functions skip lots with no units started (they carry no
//! yield and must not be divided by); [`analyse`] rejects them instead, since
//! the chart cannot place them. Lots excluded for an assignable cause leave
//! the limits only: every aggregate here still counts them (they were
//! produced).

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::spc::{self, Basis, ChartKind, ChartOptions, ChartPoint, Frozen, Point, Rule, RuleSet, Statistic};
use crate::model::{Annotation, ControlPlan, Lot, PlanScope, Process, SavedLimits};
use crate::{Error, Result};

/// Chart kind, rule set and baseline length: the chart is all there is to choose.
pub type YieldOptions = ChartOptions;

/// What besides the lots decides the limits, as of the chart's day: the
/// assignable causes found (Phase I) and a saved control plan (Phase II).
#[derive(Debug, Clone, Copy, Default)]
pub struct Phase<'a> {
    /// The annotation in force for each annotated lot (its latest), any order;
    /// annotations of lots not charted are ignored.
    pub annotations: &'a [Annotation],
    /// A plan in force for exactly the lots charted. A `--baseline-until`
    /// (the options' baseline) takes precedence over it.
    pub plan: Option<&'a ControlPlan>,
}

/// Everything the QA lead sees about one supplier's lots. `supplier` is left
/// to the caller, who knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YieldReport {
    pub chart: ChartKind,
    pub rules: RuleSet,
    /// The centre line (p̄, n·p̄ or ū); `None` only when there are no lots.
    pub center: Option<f64>,
    /// Laney's `σ_z`, estimated whichever chart is drawn; `None` with no lots.
    pub sigma_z: Option<f64>,
    /// Moving ranges behind `sigma_z`; 0 means it was assumed to be 1.
    pub moving_ranges: usize,
    /// The classical chart is too tight for these lots: try Laney's.
    pub overdispersed: bool,
    /// Lots the limits were frozen on, when a baseline was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_lots: Option<usize>,
    /// Where the limits in force come from.
    pub limits_from: LimitsFrom,
    pub lots: Vec<LotPoint>,
    pub violations: Vec<LotViolation>,
    #[serde(flatten)]
    pub rates: Rates,
    pub fpy_by_month: Vec<MonthYield>,
    pub rty_by_sku: Vec<SkuYield>,
    pub pareto: Vec<ParetoRow>,
}

crate::model::vocab!(
    /// Where the limits come from: the lots charted (less any excluded),
    /// the lots up to `--baseline-until`, or a saved control plan.
    LimitsSource { Lots = "lots", Baseline = "baseline", Plan = "plan" }
);

/// The limits in force and what they were computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitsFrom {
    pub source: LimitsSource,
    /// Lots the limits were estimated from here (0 when a plan's are used:
    /// the plan says how many lots its baseline had).
    pub lots: usize,
    /// Lots left out of the limits for an assignable cause, in chart order.
    pub excluded: Vec<String>,
    /// The control plan whose limits are in force.
    pub plan: Option<PlanInForce>,
}

/// A saved plan, as the chart names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInForce {
    pub id: String,
    #[serde(flatten)]
    pub scope: PlanScope,
    /// In force since.
    pub frozen_on: NaiveDate,
    pub frozen_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_since: Option<NaiveDate>,
    pub baseline_until: NaiveDate,
    pub baseline_lots: u32,
}

impl PlanInForce {
    pub fn new(plan: &ControlPlan) -> Self {
        Self {
            id: plan.id.clone(),
            scope: plan.scope.clone(),
            frozen_on: plan.frozen_on,
            frozen_by: plan.frozen_by.clone(),
            baseline_since: plan.baseline_since,
            baseline_until: plan.baseline_until,
            baseline_lots: plan.baseline_lots,
        }
    }
}

/// One lot on the chart. Serialized with the chart's words: `nonconforming`
/// and `p` (or `np`), or `defects` and `u`.
#[derive(Debug, Clone, PartialEq)]
pub struct LotPoint {
    pub lot: String,
    pub produced_on: NaiveDate,
    pub started: u32,
    /// Nonconforming units (p, np) or defects counted (u).
    pub count: u32,
    pub statistic: Statistic,
    pub chart: ChartPoint,
    /// The assignable cause in force for this lot, if one was found.
    pub annotation: Option<Annotation>,
}

impl LotPoint {
    pub fn excluded(&self) -> bool {
        self.annotation.as_ref().is_some_and(|a| a.excluded)
    }
}

impl Serialize for LotPoint {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(10))?;
        map.serialize_entry("lot", &self.lot)?;
        map.serialize_entry("produced_on", &self.produced_on)?;
        map.serialize_entry("started", &self.started)?;
        map.serialize_entry(self.statistic.count_name(), &self.count)?;
        map.serialize_entry(self.statistic.name(), &self.chart.value)?;
        map.serialize_entry("lcl", &self.chart.lcl)?;
        map.serialize_entry("ucl", &self.chart.ucl)?;
        map.serialize_entry("z", &self.chart.z)?;
        map.serialize_entry("excluded", &self.excluded())?;
        map.serialize_entry("annotation", &self.annotation)?;
        map.end()
    }
}

/// A rule broken at `lot`, by the pattern that began at `first_lot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotViolation {
    pub lot: String,
    pub rule: Rule,
    pub first_lot: String,
}

/// Pooled over all lots; each `None` when no unit was started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub fpy: Option<f64>,
    pub rework_rate: Option<f64>,
    pub scrap_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthYield {
    /// `YYYY-MM`.
    pub month: String,
    pub lots: usize,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: f64,
}

/// One process step of a SKU, pooled over its lots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepYield {
    pub process: Process,
    pub lots: usize,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: f64,
}

/// Rolled throughput yield: the product of the steps' FPY.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkuYield {
    pub sku: String,
    pub rty: f64,
    pub steps: Vec<StepYield>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoRow {
    pub code: String,
    pub count: u64,
    /// Of all defects counted.
    pub share: f64,
    pub cumulative_share: f64,
}

/// Unit totals over some lots. u64, so a million lots cannot overflow.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    lots: usize,
    started: u64,
    passed_first: u64,
    reworked: u64,
    scrapped: u64,
}

impl Tally {
    fn add(&mut self, lot: &Lot) {
        self.lots += 1;
        self.started += u64::from(lot.started);
        self.passed_first += u64::from(lot.passed_first);
        self.reworked += u64::from(lot.reworked);
        self.scrapped += u64::from(lot.scrapped);
    }

    fn fpy(&self) -> Option<f64> {
        ratio(self.passed_first, self.started)
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Lots grouped by `key`, in key order, lots with no units left out.
fn tally_by<'a, K: Ord>(lots: &'a [Lot], key: impl Fn(&'a Lot) -> K) -> BTreeMap<K, Tally> {
    let mut groups: BTreeMap<K, Tally> = BTreeMap::new();
    for lot in lots.iter().filter(|lot| lot.started > 0) {
        groups.entry(key(lot)).or_default().add(lot);
    }
    groups
}

pub fn rates(lots: &[Lot]) -> Rates {
    let mut all = Tally::default();
    for lot in lots.iter().filter(|lot| lot.started > 0) {
        all.add(lot);
    }
    Rates {
        fpy: all.fpy(),
        rework_rate: ratio(all.reworked, all.started),
        scrap_rate: ratio(all.scrapped, all.started),
    }
}

/// FPY per calendar month of `produced_on`, oldest first.
pub fn fpy_by_month(lots: &[Lot]) -> Vec<MonthYield> {
    let months = tally_by(lots, |lot| (lot.produced_on.year(), lot.produced_on.month()));
    months
        .into_iter()
        .filter_map(|((year, month), tally)| {
            Some(MonthYield {
                month: format!("{year:04}-{month:02}"),
                lots: tally.lots,
                started: tally.started,
                passed_first: tally.passed_first,
                fpy: tally.fpy()?,
            })
        })
        .collect()
}

/// RTY per SKU in SKU order, each with its steps in [`Process`] order.
pub fn rty_by_sku(lots: &[Lot]) -> Vec<SkuYield> {
    let mut skus: BTreeMap<&str, Vec<StepYield>> = BTreeMap::new();
    for ((sku, process), tally) in tally_by(lots, |lot| (lot.sku.as_str(), lot.process)) {
        if let Some(fpy) = tally.fpy() {
            skus.entry(sku).or_default().push(StepYield {
                process,
                lots: tally.lots,
                started: tally.started,
                passed_first: tally.passed_first,
                fpy,
            });
        }
    }
    skus.into_iter()
        .map(|(sku, steps)| SkuYield { sku: sku.to_owned(), rty: steps.iter().map(|step| step.fpy).product(), steps })
        .collect()
}

/// Defect codes by total count, most first (ties by code); zero counts left out.
pub fn pareto(lots: &[Lot]) -> Vec<ParetoRow> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for (code, count) in lots.iter().flat_map(|lot| &lot.defects) {
        *counts.entry(code.as_str()).or_default() += u64::from(*count);
    }
    let mut ranked: Vec<(&str, u64)> = counts.into_iter().filter(|&(_, n)| n > 0).collect();
    // Stable, so equal counts keep the map's code order.
    ranked.sort_by_key(|&(_, count)| Reverse(count));
    let total: u64 = ranked.iter().map(|&(_, n)| n).sum();
    let mut running = 0;
    ranked
        .into_iter()
        .map(|(code, count)| {
            running += count;
            ParetoRow {
                code: code.to_owned(),
                count,
                share: count as f64 / total as f64,
                cumulative_share: running as f64 / total as f64,
            }
        })
        .collect()
}

/// The whole report for `lots`, which must be in chart order (produced on,
/// then lot code). Fails on a lot the chart cannot place, or an empty baseline.
pub fn analyse(lots: &[Lot], options: &YieldOptions) -> Result<YieldReport> {
    analyse_with(lots, options, Phase::default())
}

/// [`analyse`] with the assignable causes and the control plan in force.
pub fn analyse_with(lots: &[Lot], options: &YieldOptions, phase: Phase<'_>) -> Result<YieldReport> {
    lots.iter().try_for_each(check_lot)?;
    let statistic = options.kind.statistic();
    let points: Vec<Point> = lots.iter().map(|lot| chart_point(lot, statistic)).collect::<Result<_>>()?;
    let by_lot: HashMap<&str, &Annotation> = phase.annotations.iter().map(|a| (a.lot.as_str(), a)).collect();
    let annotation = |lot: &Lot| by_lot.get(lot.lot.as_str()).copied();
    let excluded: Vec<bool> = lots.iter().map(|lot| annotation(lot).is_some_and(|a| a.excluded)).collect();
    let plan = phase.plan.filter(|_| options.baseline.is_none());
    let frozen = plan.map(|plan| frozen(if statistic == Statistic::Rate { plan.u } else { plan.p }));
    let chart = spc::chart_with(&points, options, &Basis { excluded: &excluded, frozen })
        .map_err(|e| Error::Invalid(chart_error(lots, &e)))?;
    let limits = chart.limits;
    let source = match (plan, options.baseline) {
        (_, Some(_)) => LimitsSource::Baseline,
        (Some(_), None) => LimitsSource::Plan,
        (None, None) => LimitsSource::Lots,
    };
    let limits_from = LimitsFrom {
        source,
        lots: chart.basis_points,
        excluded: lots.iter().zip(&excluded).filter(|(_, e)| **e).map(|(lot, _)| lot.lot.clone()).collect(),
        plan: plan.map(PlanInForce::new),
    };
    let lot_points = lots
        .iter()
        .zip(&points)
        .zip(&chart.points)
        .map(|((lot, point), judged)| LotPoint {
            lot: lot.lot.clone(),
            produced_on: lot.produced_on,
            started: point.started,
            count: point.nonconforming,
            statistic,
            chart: *judged,
            annotation: annotation(lot).cloned(),
        })
        .collect();
    Ok(YieldReport {
        chart: options.kind,
        rules: options.rules,
        center: limits.map(|l| l.center),
        sigma_z: limits.map(|l| l.sigma_z),
        moving_ranges: limits.map_or(0, |l| l.moving_ranges),
        overdispersed: limits.is_some_and(|l| l.overdispersed()),
        baseline_lots: options.baseline.map(|k| k.min(lots.len())),
        limits_from,
        lots: lot_points,
        violations: lot_violations(lots, &chart.violations),
        rates: rates(lots),
        fpy_by_month: fpy_by_month(lots),
        rty_by_sku: rty_by_sku(lots),
        pareto: pareto(lots),
    })
}

/// Saved limits as the chart takes them.
pub fn frozen(saved: SavedLimits) -> Frozen {
    Frozen { rate: saved.center, sigma_z: saved.sigma_z, moving_ranges: saved.moving_ranges as usize }
}

/// The defects counted on a lot, over all its codes.
pub fn defect_total(lot: &Lot) -> Result<u32> {
    let total: u64 = lot.defects.iter().map(|(_, n)| u64::from(*n)).sum();
    u32::try_from(total)
        .map_err(|_| Error::Invalid(format!("lot {}: {total} defects counted, more than a u-chart can place", lot.lot)))
}

fn chart_point(lot: &Lot, statistic: Statistic) -> Result<Point> {
    Ok(match statistic {
        Statistic::Rate => Point::defects(lot.started, defect_total(lot)?),
        Statistic::Fraction | Statistic::Count => Point::from(lot),
    })
}

/// A chart error in the lots' words: point indices become lot codes.
fn chart_error(lots: &[Lot], error: &spc::ChartError) -> String {
    let code = |index: usize| lots.get(index).map_or("?", |lot| lot.lot.as_str());
    match *error {
        spc::ChartError::VaryingSize { index, size, first } => format!(
            "an np-chart needs every lot to be the same size, but lot {} has {size} units started and lot {} has \
             {first}; use the p-chart (--chart p), whose limits follow each lot's size",
            code(index),
            code(0)
        ),
        _ => error.to_string(),
    }
}

fn check_lot(lot: &Lot) -> Result<()> {
    if lot.started == 0 {
        return Err(Error::Invalid(format!(
            "lot {}: no units started; a lot needs at least one unit to have a yield",
            lot.lot
        )));
    }
    if lot.passed_first > lot.started {
        return Err(Error::Invalid(format!(
            "lot {}: {} units passed first time but only {} were started",
            lot.lot, lot.passed_first, lot.started
        )));
    }
    Ok(())
}

fn lot_violations(lots: &[Lot], violations: &[spc::Violation]) -> Vec<LotViolation> {
    let code = |index: usize| lots.get(index).map(|lot| lot.lot.clone()).unwrap_or_default();
    violations.iter().map(|v| LotViolation { lot: code(v.index), rule: v.rule, first_lot: code(v.first) }).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9
    }

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn lot(code: &str, produced_on: NaiveDate, started: u32, passed_first: u32) -> Lot {
        Lot {
            lot: code.to_owned(),
            sku: "IP16-DUAL".to_owned(),
            process: Process::CoMolding,
            material: "TPU+PC".to_owned(),
            produced_on,
            started,
            passed_first,
            reworked: 0,
            scrapped: 0,
            defects: Vec::new(),
        }
    }

    fn step(sku: &str, process: Process, started: u32, passed_first: u32) -> Lot {
        Lot { sku: sku.to_owned(), process, ..lot("L", day(2026, 1, 5), started, passed_first) }
    }

    fn keys(value: &Value) -> Vec<&str> {
        value.as_object().unwrap().keys().map(String::as_str).collect()
    }

    // FPY = (900 + 480) / 1500 = 0.92; rework = (60 + 15) / 1500 = 0.05;
    // scrap = (40 + 5) / 1500 = 0.03.
    #[test]
    fn pooled_rates_divide_totals_not_average_lot_rates() {
        let a = Lot { reworked: 60, scrapped: 40, ..lot("A", day(2026, 1, 5), 1000, 900) };
        let b = Lot { reworked: 15, scrapped: 5, ..lot("B", day(2026, 1, 6), 500, 480) };
        let pooled = rates(&[a, b]);
        assert!(close(pooled.fpy.unwrap(), 0.92));
        assert!(close(pooled.rework_rate.unwrap(), 0.05));
        assert!(close(pooled.scrap_rate.unwrap(), 0.03));
        assert_eq!(rates(&[]), Rates::default());
    }

    #[test]
    fn fpy_by_month_groups_calendar_months_oldest_first() {
        let lots = [
            lot("L3", day(2026, 2, 1), 100, 90),
            lot("L1", day(2026, 1, 31), 100, 80),
            lot("L0", day(2025, 12, 15), 50, 50),
            lot("L2", day(2026, 1, 2), 300, 270),
        ];
        let months = fpy_by_month(&lots);
        let rows: Vec<_> = months.iter().map(|m| (m.month.as_str(), m.lots, m.started, m.passed_first)).collect();
        assert_eq!(rows, [("2025-12", 1, 50, 50), ("2026-01", 2, 400, 350), ("2026-02", 1, 100, 90)]);
        assert!(close(months[1].fpy, 0.875));
    }

    // SKU A: injection (950 + 930) / 2000 = 0.94, assembly 490 / 500 = 0.98,
    // printing 190 / 200 = 0.95; RTY = 0.94 × 0.98 × 0.95 = 0.87514.
    // SKU B: co-molding 80 / 100 = 0.8 is its RTY.
    #[test]
    fn rty_multiplies_pooled_step_fpy_in_process_order() {
        let lots = [
            step("B", Process::CoMolding, 100, 80),
            step("A", Process::Printing, 200, 190),
            step("A", Process::Injection, 1000, 950),
            step("A", Process::Assembly, 500, 490),
            step("A", Process::Injection, 1000, 930),
        ];
        let skus = rty_by_sku(&lots);
        assert_eq!(skus.len(), 2);
        assert_eq!(skus[0].sku, "A");
        let steps: Vec<_> = skus[0].steps.iter().map(|s| (s.process, s.lots, s.started)).collect();
        let expected = [(Process::Injection, 2, 2000), (Process::Assembly, 1, 500), (Process::Printing, 1, 200)];
        assert_eq!(steps, expected);
        assert!(close(skus[0].steps[0].fpy, 0.94));
        assert!(close(skus[0].rty, 0.875_14));
        assert!(close(skus[1].rty, 0.8));
    }

    // flash 20 + 5 = 25, bubble 12, scratch 12 (ties by code), dent 0 dropped;
    // 49 in all: shares 25/49, 12/49, 12/49; cumulative 25/49, 37/49, 1.
    #[test]
    fn pareto_ranks_codes_by_count_with_cumulative_share() {
        let codes = |list: &[(&str, u32)]| list.iter().map(|&(c, n)| (c.to_owned(), n)).collect();
        let lots = [
            Lot { defects: codes(&[("bubble", 12), ("flash", 20)]), ..lot("A", day(2026, 1, 5), 100, 70) },
            Lot { defects: codes(&[("dent", 0), ("flash", 5), ("scratch", 12)]), ..lot("B", day(2026, 1, 6), 100, 80) },
        ];
        let rows = pareto(&lots);
        let ranked: Vec<_> = rows.iter().map(|r| (r.code.as_str(), r.count)).collect();
        assert_eq!(ranked, [("flash", 25), ("bubble", 12), ("scratch", 12)]);
        assert!(close(rows[0].share, 25.0 / 49.0));
        assert!(close(rows[1].cumulative_share, 37.0 / 49.0));
        assert!(close(rows[2].cumulative_share, 1.0));
        assert!(pareto(&[lot("C", day(2026, 1, 7), 10, 10)]).is_empty());
    }

    #[test]
    fn lots_without_units_are_left_out_of_the_aggregates() {
        let lots = [lot("A", day(2026, 1, 5), 0, 0), lot("B", day(2026, 2, 5), 10, 9)];
        assert!(close(rates(&lots).fpy.unwrap(), 0.9));
        assert_eq!(fpy_by_month(&lots).len(), 1);
        assert_eq!(rty_by_sku(&lots)[0].steps[0].lots, 1);
    }

    // p̄ = 190 / 4000 = 0.0475, σ = √(0.0475 · 0.9525 / 1000) = 0.0067264:
    // limits 0.0273209 and 0.0676791, so L4 at p = 0.1 is beyond and the
    // others at 0.03 are not.
    #[test]
    fn analyse_serializes_the_shape_the_cli_prints() {
        let lots: Vec<Lot> = [30, 30, 30, 100]
            .iter()
            .enumerate()
            .map(|(i, &bad)| lot(&format!("L{}", i + 1), day(2026, 1, 5), 1000, 1000 - bad))
            .collect();
        let report = analyse(&lots, &YieldOptions::default()).unwrap();
        let (lcl, ucl) = (report.lots[0].chart.lcl, report.lots[3].chart.ucl);
        assert!((lcl - 0.027_320_9).abs() < 1e-7 && (ucl - 0.067_679_1).abs() < 1e-7);
        let json = serde_json::to_value(&report).unwrap();
        let top = [
            "chart",
            "rules",
            "center",
            "sigma_z",
            "moving_ranges",
            "overdispersed",
            "limits_from",
            "lots",
            "violations",
            "fpy",
            "rework_rate",
            "scrap_rate",
            "fpy_by_month",
            "rty_by_sku",
            "pareto",
        ];
        assert_eq!(keys(&json), top);
        assert_eq!((&json["chart"], &json["rules"]), (&Value::from("p"), &Value::from("attribute")));
        let lot_keys =
            ["lot", "produced_on", "started", "nonconforming", "p", "lcl", "ucl", "z", "excluded", "annotation"];
        assert_eq!(keys(&json["lots"][0]), lot_keys);
        assert_eq!(json["lots"][3]["produced_on"], "2026-01-05");
        assert_eq!(json["lots"][3]["nonconforming"], 100);
        let violation = serde_json::json!({"lot": "L4", "rule": "beyond-3-sigma", "first_lot": "L4"});
        assert_eq!(json["violations"], Value::Array(vec![violation]));
    }

    #[test]
    fn analyse_names_the_chart_rules_and_baseline_in_force() {
        let lots: Vec<Lot> = (1..=12).map(|i| lot(&format!("L{i}"), day(2026, 1, i), 1000, 990 - i)).collect();
        let options = YieldOptions { kind: ChartKind::Laney, rules: RuleSet::WesternElectric, baseline: Some(6) };
        let json = serde_json::to_value(analyse(&lots, &options).unwrap()).unwrap();
        assert_eq!((&json["chart"], &json["rules"]), (&Value::from("laney"), &Value::from("western-electric")));
        assert_eq!(json["baseline_lots"], 6);
        // σ_z is estimated from the six baseline lots: five moving ranges.
        assert_eq!(json["moving_ranges"], 5);
    }

    #[test]
    fn analyse_with_no_lots_reports_nothing_rather_than_nan() {
        let report = analyse(&[], &YieldOptions::default()).unwrap();
        assert_eq!((report.center, report.sigma_z, report.rates.fpy), (None, None, None));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["center"], Value::Null);
        assert_eq!(json["lots"], Value::Array(Vec::new()));
    }

    #[test]
    fn analyse_rejects_lots_the_chart_cannot_place_naming_them() {
        let empty = [lot("L-EMPTY", day(2026, 1, 5), 0, 0)];
        let message = analyse(&empty, &YieldOptions::default()).unwrap_err().to_string();
        assert!(message.contains("L-EMPTY") && message.contains("no units started"));
        let over = [lot("L-OVER", day(2026, 1, 5), 10, 11)];
        let message = analyse(&over, &YieldOptions::default()).unwrap_err().to_string();
        assert!(message.contains("L-OVER") && message.contains("11 units passed"));
    }

    #[test]
    fn analyse_rejects_an_empty_baseline() {
        let lots = [lot("L1", day(2026, 1, 5), 10, 9)];
        let options = YieldOptions { baseline: Some(0), ..YieldOptions::default() };
        let message = analyse(&lots, &options).unwrap_err().to_string();
        assert!(message.contains("baseline"));
    }
}
