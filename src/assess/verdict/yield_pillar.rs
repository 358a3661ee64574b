//! The production-yield pillar: judges the lots of the yield window (enough
//! of them, pooled first-pass yield, a control chart) and raises the yield
//! flags. The quality flags (low FPY, out of control, run rules) apply
//! whether or not ODM is claimed: a QA lead needs them for every supplier.
//! The record flags (no lots, too few) only where ODM is claimed (a claim in
//! force, or ODM listed as a model): they say the production record cannot
//! back the claim, and an OEM-only supplier makes none — failing `--fail-on
//! high` for lots not imported yet would only be noise.
//!
//! Lots excluded for an assignable cause still count in FPY and in the
//! number of lots (they were produced) but leave the chart's limits and
//! raise no rule; a control plan for all the supplier's lots in force on the
//! day supplies the limits instead of the window's lots. Both are said in
//! the pillar's sentence and the flags. Run-rule flags say what the rule
//! saw, never a cause.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::{Facts, Flag, PillarStatus, WindowLot, YieldSummary};
use crate::assess::figures::{percent_beside, percents_against, threshold_percent};
use crate::assess::policy::Policy;
use crate::assess::rules::FlagRule;
use crate::assess::spc::{self, ChartOptions, Point, Rule};
use crate::model::Pillar;

/// Judges the yield window: status, its sentence, the figures; pushes the
/// yield flags (the record flags only when `odm` is claimed, see above).
pub(super) fn judge_yield(
    facts: &Facts<'_>,
    odm: bool,
    policy: &Policy,
    as_of: NaiveDate,
    flags: &mut Vec<Flag>,
) -> (PillarStatus, String, YieldSummary) {
    let since = Policy::window_start(as_of, policy.yield_window_months);
    let window = facts.window;
    let mut summary = summarise(window, since);
    if facts.first_lot.is_none() {
        if odm {
            flags.push(no_lots_flag(policy));
        }
        return (PillarStatus::NoLots, "no production lots on file".into(), summary);
    }
    if window.len() < policy.min_lots as usize {
        if odm {
            flags.push(insufficient_lots_flag(window.len(), policy, since, as_of));
        }
        let detail = format!("{} lot(s) since {since}, fewer than {}", window.len(), policy.min_lots);
        return (PillarStatus::InsufficientLots, detail, summary);
    }
    let excluded: Vec<bool> = if facts.excluded.is_empty() {
        Vec::new()
    } else {
        let set: std::collections::HashSet<&str> = facts.excluded.iter().map(String::as_str).collect();
        window.iter().map(|l| set.contains(l.lot.as_str())).collect()
    };
    summary.excluded = window.iter().zip(&excluded).filter(|(_, e)| **e).map(|(l, _)| l.lot.to_string()).collect();
    summary.plan_since = facts.plan.map(|p| p.frozen_on);
    let chart = chart_window(window, policy, &excluded, facts.plan);
    summary.center = chart.as_ref().and_then(|c| c.limits).map(|l| l.center);
    if let Some(chart) = &chart {
        out_of_control_flags(window, chart, policy, &mut summary, flags);
    }
    let (status, detail) = judge_charted(&summary, policy, flags);
    (status, detail, summary)
}

/// The window's figures before charting: lots, units and pooled FPY.
fn summarise(window: &[WindowLot], since: NaiveDate) -> YieldSummary {
    let (started, passed) =
        window.iter().fold((0_u64, 0_u64), |(s, p), l| (s + u64::from(l.started), p + u64::from(l.passed_first)));
    let fpy = (started > 0).then(|| passed as f64 / started as f64);
    YieldSummary {
        since,
        lots: window.len(),
        started,
        passed_first: passed,
        fpy,
        center: None,
        out_of_control: Vec::new(),
        excluded: Vec::new(),
        plan_since: None,
    }
}

/// A production-yield flag about the window as a whole (no one lot).
fn window_flag(policy: &Policy, rule: FlagRule, message: String) -> Flag {
    Flag::new(policy, rule, Some(Pillar::ProductionYield), message)
}

fn no_lots_flag(policy: &Policy) -> Flag {
    let message = "No production lots on file at all — a factory that makes cases keeps lot records, a trading \
                   company does not; import its lot records or check who really manufactures"
        .to_owned();
    window_flag(policy, FlagRule::YieldNoLots, message)
}

fn insufficient_lots_flag(lots: usize, policy: &Policy, since: NaiveDate, as_of: NaiveDate) -> Flag {
    let message = format!(
        "Only {lots} lot(s) produced between {since} and {as_of} (at least {} needed); recent lot records would let \
         its production yield be judged",
        policy.min_lots
    );
    window_flag(policy, FlagRule::YieldInsufficientLots, message)
}

/// Status and sentence of a window with enough lots, once charted; pushes
/// the low-FPY flag.
fn judge_charted(summary: &YieldSummary, policy: &Policy, flags: &mut Vec<Flag>) -> (PillarStatus, String) {
    let since = summary.since;
    let fpy_value = summary.fpy.unwrap_or(0.0);
    let low = fpy_value < policy.min_fpy;
    // As many decimals as it takes to be on the right side of the minimum.
    let fpy_text = percent_beside(fpy_value, &[policy.min_fpy]);
    if low {
        let message = format!(
            "Pooled first-pass yield is {fpy_text} over {} lots since {since}, below the {} minimum; a supplier \
             claiming to design for production should hold its yield",
            summary.lots,
            threshold_percent(policy.min_fpy)
        );
        flags.push(window_flag(policy, FlagRule::YieldLowFpy, message));
    }
    let status = if low {
        PillarStatus::LowFpy
    } else if !summary.out_of_control.is_empty() {
        PillarStatus::OutOfControl
    } else {
        PillarStatus::Evidenced
    };
    let detail = format!(
        "{} lots since {since}, FPY {fpy_text} (minimum {}), {} out of control ({} chart{})",
        summary.lots,
        threshold_percent(policy.min_fpy),
        summary.out_of_control.len(),
        policy.chart,
        limits_note(summary)
    );
    (status, detail)
}

/// "; limits without 2 lots excluded for an assignable cause (A, B)" and / or
/// "; limits of the control plan in force since D", or nothing.
fn limits_note(summary: &YieldSummary) -> String {
    let mut note = String::new();
    if let Some(since) = summary.plan_since {
        let _ = write!(note, "; limits of the control plan in force since {since}");
    }
    if !summary.excluded.is_empty() {
        let shown: Vec<&str> = summary.excluded.iter().take(5).map(String::as_str).collect();
        let more = summary.excluded.len().saturating_sub(5);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let _ = write!(
            note,
            "; {} lot(s) excluded from the limits for an assignable cause ({}{more}), still counted in FPY",
            summary.excluded.len(),
            shown.join(", ")
        );
    }
    note
}

fn chart_window(
    window: &[WindowLot],
    policy: &Policy,
    excluded: &[bool],
    plan: Option<&crate::model::ControlPlan>,
) -> Option<spc::Chart> {
    let points: Vec<Point> = window.iter().map(|l| Point::new(l.started, l.passed_first)).collect();
    let options = ChartOptions { kind: policy.chart, rules: policy.rules, baseline: None };
    let frozen = plan.map(|p| crate::assess::yield_stats::frozen(p.p));
    spc::chart_with(&points, &options, &spc::Basis { excluded, frozen }).ok()
}

/// One flag for all the lots beyond their limits: it names the worst lot
/// (the `lot` field), how many there are, and lists them; and says when the
/// classical chart is too tight for these lots (over-dispersion).
fn out_of_control_flags(
    window: &[WindowLot],
    chart: &spc::Chart,
    policy: &Policy,
    summary: &mut YieldSummary,
    flags: &mut Vec<Flag>,
) {
    let beyond: Vec<usize> =
        chart.violations.iter().filter(|v| v.rule == Rule::Beyond3Sigma).map(|v| v.index).collect();
    summary.out_of_control = beyond.iter().map(|i| window[*i].lot.to_string()).collect();
    let worst = beyond.iter().copied().max_by(|a, b| {
        let z = |i: usize| chart.points[i].rule_z().abs();
        z(*a).total_cmp(&z(*b))
    });
    if let Some(worst) = worst {
        let message = out_of_control_message(window, chart, policy, summary, worst);
        flags.push(Flag {
            lot: Some(window[worst].lot.to_string()),
            ..window_flag(policy, FlagRule::YieldOutOfControl, message)
        });
    }
    run_rule_flags(window, chart, policy, flags);
}

fn out_of_control_message(
    window: &[WindowLot],
    chart: &spc::Chart,
    policy: &Policy,
    summary: &YieldSummary,
    worst: usize,
) -> String {
    const LISTED: usize = 5;
    let lots = &summary.out_of_control;
    let (lot, point) = (&window[worst], &chart.points[worst]);
    let center = chart.limits.map_or(0.0, |l| l.center);
    // The lot and its limits with the decimals it takes to show it outside them.
    let (p, limits) = percents_against(point.value, &[point.lcl, point.ucl]);
    let mut message = format!(
        "{} of {} lots are outside their control limits ({} chart, centre {:.1}%{}); worst {} ({}): {p} \
         nonconforming against {}–{}",
        lots.len(),
        window.len(),
        policy.chart,
        center * 100.0,
        limits_note(summary),
        lot.lot,
        lot.produced_on,
        limits[0].trim_end_matches('%'),
        limits[1]
    );
    if lots.len() > 1 {
        let shown: Vec<&str> = lots.iter().take(LISTED).map(String::as_str).collect();
        let more = lots.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let _ = write!(message, " (lots {}{more})", shown.join(", "));
    }
    match chart.limits.filter(spc::Limits::overdispersed) {
        Some(limits) => {
            let _ = write!(
                message,
                "; lots vary far more than a stable binomial process would (σ_z = {:.2}), so the classical limits are \
             too tight: try the Laney p′ chart (`casebook policy set yield.chart laney`)",
                limits.sigma_z
            );
        }
        None => message.push_str("; find the special cause before relying on this supplier's yield"),
    }
    message
}

/// One flag per run rule other than "beyond limits", naming the latest lot.
fn run_rule_flags(window: &[WindowLot], chart: &spc::Chart, policy: &Policy, flags: &mut Vec<Flag>) {
    for rule in policy.rules.rules().iter().filter(|r| **r != Rule::Beyond3Sigma) {
        let hits: Vec<&spc::Violation> = chart.violations.iter().filter(|v| v.rule == *rule).collect();
        let Some(last) = hits.last() else { continue };
        let lot = &window[last.index];
        let above = chart.points[last.index].rule_z() > 0.0;
        let first = &window[last.first];
        let message = format!(
            "{}: lots {} … {} ({} … {}); run rule {rule} ({} rules) fired {} time(s) in the window",
            rule.saw_on(above),
            first.lot,
            lot.lot,
            first.produced_on,
            lot.produced_on,
            policy.rules,
            hits.len()
        );
        flags.push(Flag { lot: Some(lot.lot.to_string()), ..window_flag(policy, FlagRule::YieldRunRule, message) });
    }
}
