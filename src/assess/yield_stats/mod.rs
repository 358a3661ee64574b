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

mod aggregates;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

pub use aggregates::{MonthYield, ParetoRow, Rates, SkuYield, StepYield, fpy_by_month, pareto, rates, rty_by_sku};

use super::spc::{self, Basis, ChartKind, ChartOptions, ChartPoint, Frozen, Point, Rule, RuleSet, Statistic};
use crate::model::{Annotation, ControlPlan, Lot, PlanScope, SavedLimits};
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
mod tests;
