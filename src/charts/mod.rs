//! A control chart as people read it, shared by every place that draws one:
//! the SVG export ([`svg`]), the reports (which embed that SVG) and the
//! terminal UI. [`ChartModel`] says what is drawn (the supplier, the chart
//! kind, the rules, the window, where the limits come from, each lot with
//! its rules broken and its assignable cause); the helpers here word it the
//! same way everywhere and pick readable axis ticks. Pure: no I/O.

pub mod svg;
mod svg_words;

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::assess::spc::{ChartKind, Rule, Statistic};
use crate::assess::yield_stats::{LimitsSource, YieldReport};

/// One chart to draw: a yield report and what it was asked for.
#[derive(Debug, Clone, Copy)]
pub struct ChartModel<'a> {
    pub supplier: &'a str,
    pub report: &'a YieldReport,
    pub window: Window,
    /// Narrowing filters in words ("process `co_molding`"), empty for none.
    pub narrowed: &'a [String],
    /// The `--baseline-until` day, when the limits were frozen on one.
    pub baseline_until: Option<NaiveDate>,
}

/// The production days charted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// `None`: every lot up to `until`.
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
    /// `Some(months)` when `since` is the policy's yield window, the default.
    pub policy_months: Option<u32>,
}

impl Window {
    /// "lots produced 2025-11-15 … 2026-11-15 (the policy's 12-month yield window)".
    pub fn describe(&self) -> String {
        let span = match self.since {
            Some(since) => format!("lots produced {since} … {}", self.until),
            None => format!("every lot produced up to {}", self.until),
        };
        match self.policy_months {
            Some(months) => format!("{span} (the policy's {months}-month yield window)"),
            None => span,
        }
    }
}

impl ChartModel<'_> {
    pub fn statistic(&self) -> Statistic {
        self.report.chart.statistic()
    }

    /// "DG-SWING: p chart, attribute rules".
    pub fn title(&self) -> String {
        format!("{}: {}, {} rules", self.supplier, chart_name(self.report.chart), self.report.rules)
    }

    /// The rules in force and their marks: "attribute rules: 3σ = beyond-3-sigma, 9R = nine-in-a-row".
    pub fn rules_text(&self) -> String {
        let marks: Vec<String> =
            self.report.rules.rules().iter().map(|rule| format!("{} = {}", rule.mark(), rule.saw())).collect();
        format!("{} rules: {}", self.report.rules, marks.join("; "))
    }

    /// Where the limits in force come from, in one sentence.
    pub fn limits_text(&self) -> String {
        limits_text(self.report, self.baseline_until)
    }

    /// The rules broken at each lot, in chart order.
    pub fn rules_at(&self) -> Vec<Vec<Rule>> {
        rules_at(self.report)
    }
}

/// The rules broken at each lot of `report`, in chart order.
pub fn rules_at(report: &YieldReport) -> Vec<Vec<Rule>> {
    let index: std::collections::HashMap<&str, usize> =
        report.lots.iter().enumerate().map(|(i, lot)| (lot.lot.as_str(), i)).collect();
    let mut out = vec![Vec::new(); report.lots.len()];
    for violation in &report.violations {
        if let Some(&i) = index.get(violation.lot.as_str()) {
            out[i].push(violation.rule);
        }
    }
    out
}

/// "p chart", "Laney p′ chart", "u chart" …
pub fn chart_name(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::P => "p chart",
        ChartKind::Laney => "Laney p′ chart",
        ChartKind::Np => "np chart",
        ChartKind::U => "u chart",
        ChartKind::LaneyU => "Laney u′ chart",
    }
}

/// What the y axis measures.
pub fn axis_name(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::Fraction => "fraction nonconforming",
        Statistic::Count => "nonconforming units per lot",
        Statistic::Rate => "defects per unit",
    }
}

/// The centre line's symbol: p̄, np̄ or ū.
pub fn center_symbol(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::Fraction => "p̄",
        Statistic::Count => "np̄",
        Statistic::Rate => "ū",
    }
}

/// A value of the statistic as people read it: p as a percentage with one
/// decimal, np with one decimal, u with three.
pub fn format_value(statistic: Statistic, value: f64) -> String {
    match statistic {
        Statistic::Fraction => format!("{:.1}%", value * 100.0),
        Statistic::Count => format!("{value:.1}"),
        Statistic::Rate => format!("{value:.3}"),
    }
}

/// Where the limits in force come from, in one sentence.
pub fn limits_text(report: &YieldReport, baseline_until: Option<NaiveDate>) -> String {
    let from = &report.limits_from;
    let mut text = match (from.source, &from.plan) {
        (LimitsSource::Plan, Some(plan)) => {
            let span = match plan.baseline_since {
                Some(since) => format!("{since} … {}", plan.baseline_until),
                None => format!("up to {}", plan.baseline_until),
            };
            format!(
                "limits of the control plan in force since {} (frozen by {} from {} lots produced {span}, {})",
                plan.frozen_on,
                plan.frozen_by,
                plan.baseline_lots,
                plan.scope.describe()
            )
        }
        (LimitsSource::Baseline, _) => match baseline_until {
            Some(day) => format!("limits frozen on the {} lots produced up to {day}", from.lots),
            None => format!("limits frozen on the first {} lots", from.lots),
        },
        _ if from.excluded.is_empty() => format!("limits from all {} lots charted", from.lots),
        _ => format!("limits from {} of the {} lots charted", from.lots, report.lots.len()),
    };
    if !from.excluded.is_empty() && from.source != LimitsSource::Plan {
        let _ = write!(
            text,
            "; {} left out for an assignable cause ({}), still shown and still counted in FPY",
            from.excluded.len(),
            listed(&from.excluded, 6)
        );
    }
    text
}

/// The values a chart of `report` must show: every value, limit and the
/// centre, with a margin; never below 0. (A u-chart's open upper limit
/// counts as the value.)
pub fn value_range(report: &YieldReport) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for lot in &report.lots {
        let c = &lot.chart;
        let top = if c.ucl.is_finite() { c.ucl } else { c.value };
        lo = lo.min(c.value).min(c.lcl);
        hi = hi.max(c.value).max(top);
    }
    if let Some(center) = report.center {
        lo = lo.min(center);
        hi = hi.max(center);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let floor = if report.chart.statistic() == Statistic::Fraction { 0.001 } else { 0.01 };
    let margin = ((hi - lo) * 0.08).max(floor);
    let lo = (lo - margin).max(0.0);
    (lo, (hi + margin).max(lo + margin))
}

/// Up to `most` items, comma separated, then how many more.
pub fn listed(items: &[String], most: usize) -> String {
    let shown: Vec<&str> = items.iter().take(most).map(String::as_str).collect();
    match items.len().saturating_sub(most) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Evenly spaced round values covering `lo..=hi`: at least `min_ticks`
/// (when the range allows), on steps of 1, 2 or 5 × 10ᵏ.
pub fn ticks(lo: f64, hi: f64, min_ticks: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let span = hi - lo;
    let wanted = min_ticks.max(2) as f64;
    let raw = span / (wanted - 1.0);
    let magnitude = 10_f64.powf(raw.log10().floor());
    // The largest step no bigger than `raw` keeps at least `min_ticks` ticks.
    let step = [5.0, 2.0, 1.0].iter().map(|m| m * magnitude).find(|s| *s <= raw).unwrap_or(magnitude);
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    // Bounded: with the step chosen above there are at most ~3× min_ticks.
    (0..=whole(last - first).min(1000)).map(|i| (first + i as f64) * step).collect()
}

/// A non-negative whole number of things from a float: rounded down,
/// negative and NaN as 0, huge values capped.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn whole(value: f64) -> usize {
    if value.is_nan() || value <= 0.0 { 0 } else { value.min(1e9) as usize }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_at_least_as_many_as_asked() {
        let t = ticks(0.0, 0.1, 5);
        assert!(t.len() >= 5, "{t:?}");
        assert!((t[1] - t[0] - 0.02).abs() < 1e-12 || (t[1] - t[0] - 0.01).abs() < 1e-12, "{t:?}");
        let t = ticks(0.031, 0.187, 5);
        assert!(t.len() >= 5 && t.iter().all(|v| (0.031..=0.187).contains(v)), "{t:?}");
        assert_eq!(ticks(1.0, 1.0, 5), [1.0]);
        assert_eq!(ticks(f64::NAN, 1.0, 5).len(), 1);
    }

    #[test]
    fn values_read_in_the_statistics_own_units() {
        assert_eq!(format_value(Statistic::Fraction, 0.0523), "5.2%");
        assert_eq!(format_value(Statistic::Count, 12.0), "12.0");
        assert_eq!(format_value(Statistic::Rate, 1.93), "1.930");
    }

    #[test]
    fn a_policy_window_says_so() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = Window { since: Some(day("2025-11-15")), until: day("2026-11-15"), policy_months: Some(12) };
        assert_eq!(w.describe(), "lots produced 2025-11-15 … 2026-11-15 (the policy's 12-month yield window)");
        let all = Window { since: None, until: day("2026-11-15"), policy_months: None };
        assert_eq!(all.describe(), "every lot produced up to 2026-11-15");
    }
}
