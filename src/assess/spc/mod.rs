//! Control charts for attribute data: the classical p-chart of the fraction
//! nonconforming and Laney's p′ for over-dispersed (very large) lots; the
//! np-chart where every lot has the same size; the u-chart of defects per
//! unit and Laney's u′; limits frozen on a baseline or saved in a control
//! plan; lots left out of the limits (assignable causes); and run rules on
//! the z-scores ([`rules`]).
//!
//! Everything works on plain [`Point`]s in chart order, so the verdict engine
//! can chart every supplier in one pass: [`chart`] allocates its output and
//! nothing per point besides.
//!
//! Conventions callers rely on:
//! - A point is beyond its limits when |z| > 3 (strictly), which is the same
//!   as its value outside [lcl, ucl]; LCL is clamped at 0, and UCL at 1 for
//!   p (at n for np; a u-chart has no upper bound).
//! - Where the limits have zero width (p̄ = 0 or 1, ū = 0, or a Laney `σ_z`
//!   of 0), a lot on the centre line has z = 0 and any other lot has z =
//!   `None` (infinitely far, which JSON cannot say) and counts as beyond 3σ.
//! - `σ_z` needs at least one moving range; with fewer than two lots it is taken
//!   as 1 and [`Limits::moving_ranges`] is 0 to say so.
//! - Overlapping patterns are reported the way Minitab does: a violation at
//!   every point that completes a test, so a run of 11 on one side gives
//!   `nine-in-a-row` at its 9th, 10th and 11th points. The completing point
//!   must itself be part of the pattern (a point inside 2σ never completes
//!   "two of three beyond 2σ"), and near the start of the chart the window is
//!   simply shorter: two points beyond 2σ as the first two lots already count.
//! - A point exactly on the centre line (z = 0) breaks a run on either side.
//! - Excluded points (assignable causes, Phase I) are judged against the
//!   limits but take no part in estimating them nor in the run rules.
//! - Lots with no units, more nonconforming units than started (p, np), or
//!   sizes that differ on an np-chart are rejected with a [`ChartError`].

mod kinds;
mod rules;

use serde::Serialize;

pub use kinds::{ChartKind, Rule, RuleSet, Statistic};
pub use rules::{violations, violations_excluding};

use crate::model::Lot;

/// d₂ for moving ranges of two: turns the mean moving range into a σ.
const D2: f64 = 1.128;

/// `σ_z` above which the classical chart is flagged as too tight: its limits
/// would have to widen by half to match the lot-to-lot variation seen.
pub const OVERDISPERSION_SIGMA_Z: f64 = 1.5;

/// Fewer lots than this give too rough a `σ_z` to call over-dispersion.
pub const OVERDISPERSION_MIN_LOTS: usize = 10;

/// One lot as the chart sees it: its size and the count charted, the
/// nonconforming units (p, np) or the defects counted (u).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Point {
    pub started: u32,
    pub nonconforming: u32,
}

impl Point {
    /// A lot's point: the units that did not pass first time are the nonconforming.
    pub fn new(started: u32, passed_first: u32) -> Self {
        Self { started, nonconforming: started.saturating_sub(passed_first) }
    }

    /// A lot's point for a u-chart: its defects counted.
    pub fn defects(started: u32, defects: u32) -> Self {
        Self { started, nonconforming: defects }
    }
}

impl From<&Lot> for Point {
    fn from(lot: &Lot) -> Self {
        Self::new(lot.started, lot.passed_first)
    }
}

/// How to build and judge a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub kind: ChartKind,
    pub rules: RuleSet,
    /// Freeze the limits on the first this-many points; `None` uses them all.
    pub baseline: Option<usize>,
}

/// The classical p-chart with the attribute rules, limits from every lot.
impl Default for ChartOptions {
    fn default() -> Self {
        Self { kind: ChartKind::P, rules: RuleSet::Attribute, baseline: None }
    }
}

/// Where the limits come from besides the options' baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Basis<'a> {
    /// Per point: left out of estimating the limits and of the run rules
    /// (an assignable cause found); still judged. Shorter than the points
    /// means "not excluded" for the rest.
    pub excluded: &'a [bool],
    /// Limits saved earlier (a control plan): used instead of estimating.
    pub frozen: Option<Frozen>,
}

/// Saved limits of one statistic, independent of lot sizes: the rate (p̄ or
/// ū) and the `σ_z` estimated from a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Frozen {
    pub rate: f64,
    pub sigma_z: f64,
    pub moving_ranges: usize,
}

/// The centre line and spread a chart is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    pub kind: ChartKind,
    /// The centre line in the chart's units: p̄ = Σ nonconforming / Σ
    /// started, n·p̄ for np, ū = Σ defects / Σ started for u.
    pub center: f64,
    /// Laney's `σ_z` over the estimating points, whichever chart is drawn.
    pub sigma_z: f64,
    /// Moving ranges behind `sigma_z`; 0 means `σ_z` was assumed to be 1.
    pub moving_ranges: usize,
}

impl Limits {
    /// The factor on the binomial (or Poisson) `σ_i`: `σ_z` for Laney, else 1.
    pub fn scale(&self) -> f64 {
        if self.kind.is_laney() { self.sigma_z } else { 1.0 }
    }

    /// A classical chart whose lots vary far more than binomially (or
    /// Poisson), so that Laney's chart would be the fairer one.
    pub fn overdispersed(&self) -> bool {
        !self.kind.is_laney()
            && self.moving_ranges + 1 >= OVERDISPERSION_MIN_LOTS
            && self.sigma_z > OVERDISPERSION_SIGMA_Z
    }

    /// The rate behind the centre line (p̄ or ū), for a chart whose lots
    /// have `size` units each (only np's centre depends on it).
    pub fn rate(&self, size: u32) -> f64 {
        match self.kind.statistic() {
            Statistic::Count => self.center / f64::from(size.max(1)),
            Statistic::Fraction | Statistic::Rate => self.center,
        }
    }

    fn from_frozen(kind: ChartKind, frozen: Frozen, size: u32) -> Self {
        let center = if kind.statistic() == Statistic::Count { frozen.rate * f64::from(size) } else { frozen.rate };
        Self { kind, center, sigma_z: frozen.sigma_z, moving_ranges: frozen.moving_ranges }
    }

    /// The limits as they are saved: the rate and `σ_z`.
    pub fn frozen(&self, size: u32) -> Frozen {
        Frozen { rate: self.rate(size), sigma_z: self.sigma_z, moving_ranges: self.moving_ranges }
    }
}

/// One point judged against the limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChartPoint {
    /// The statistic plotted: p, np or u.
    pub value: f64,
    pub lcl: f64,
    pub ucl: f64,
    /// (value − centre) / (`σ_i` · scale): the z the rules use, in units of
    /// this chart's own σ; `None` when the limits have zero width and the
    /// value is off the centre.
    pub z: Option<f64>,
}

impl ChartPoint {
    /// `z`, with a point off a zero-width centre line at ±∞.
    pub fn rule_z(&self) -> f64 {
        self.z.unwrap_or(if self.value > self.ucl { f64::INFINITY } else { f64::NEG_INFINITY })
    }

    pub fn beyond_limits(&self) -> bool {
        self.rule_z().abs() > 3.0
    }
}

/// A rule broken at `index`, by the pattern over points `first..=index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: Rule,
    pub index: usize,
    pub first: usize,
}

/// A whole chart: its limits (`None` only when there are no points), every
/// point judged, and the violations in point order.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub limits: Option<Limits>,
    pub points: Vec<ChartPoint>,
    pub violations: Vec<Violation>,
    /// Points the limits were estimated from (0 for frozen limits).
    pub basis_points: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("point {index} has no units started, so it has no fraction nonconforming")]
    NoUnits { index: usize },
    #[error("point {index} has more nonconforming units than units started")]
    TooManyNonconforming { index: usize },
    #[error(
        "an np-chart needs every lot to be the same size, but point {index} has {size} units and point 0 has \
         {first}; use the p-chart, whose limits follow each lot's size"
    )]
    VaryingSize { index: usize, size: u32, first: u32 },
    #[error("the baseline holds no lots to set limits from; let it cover at least one lot")]
    EmptyBaseline,
}

/// Charts `points` (in chart order) and applies the rule set.
pub fn chart(points: &[Point], options: &ChartOptions) -> Result<Chart, ChartError> {
    chart_with(points, options, &Basis::default())
}

/// [`chart`] with lots left out of the limits, or limits saved earlier.
pub fn chart_with(points: &[Point], options: &ChartOptions, basis: &Basis<'_>) -> Result<Chart, ChartError> {
    validate(points, options.kind)?;
    let size = points.first().map_or(1, |p| p.started);
    let excluded = |i: usize| basis.excluded.get(i).copied().unwrap_or(false);
    let (limits, basis_points) = if let Some(frozen) = basis.frozen {
        (Some(Limits::from_frozen(options.kind, frozen, size)), 0)
    } else {
        let end = options.baseline.map_or(points.len(), |k| k.min(points.len()));
        if basis.excluded.iter().take(end).any(|&e| e) {
            let kept: Vec<Point> = (0..end).filter(|&i| !excluded(i)).map(|i| points[i]).collect();
            (estimate(&kept, options.kind), kept.len())
        } else {
            // The common case: no copy of the points (the verdicts chart a million lots).
            (estimate(&points[..end], options.kind), end)
        }
    };
    let judged: Vec<ChartPoint> = match &limits {
        Some(limits) => points.iter().map(|p| judge(*p, limits)).collect(),
        None if points.is_empty() => Vec::new(),
        None => return Err(ChartError::EmptyBaseline),
    };
    let violations = violations_excluding(&judged, options.rules, basis.excluded);
    Ok(Chart { limits, points: judged, violations, basis_points })
}

fn validate(points: &[Point], kind: ChartKind) -> Result<(), ChartError> {
    let first = points.first().map_or(0, |p| p.started);
    for (index, point) in points.iter().enumerate() {
        if point.started == 0 {
            return Err(ChartError::NoUnits { index });
        }
        if kind.statistic() != Statistic::Rate && point.nonconforming > point.started {
            return Err(ChartError::TooManyNonconforming { index });
        }
        if kind.statistic() == Statistic::Count && point.started != first {
            return Err(ChartError::VaryingSize { index, size: point.started, first });
        }
    }
    Ok(())
}

/// The centre and `σ_z` from `points`; `None` when they hold no units.
/// Points with no units are skipped rather than divided by.
pub fn estimate(points: &[Point], kind: ChartKind) -> Option<Limits> {
    let (count, started) =
        points.iter().fold((0_u64, 0_u64), |(d, n), p| (d + u64::from(p.nonconforming), n + u64::from(p.started)));
    if started == 0 {
        return None;
    }
    let rate = count as f64 / started as f64;
    let (sigma_z, moving_ranges) = sigma_z(points, kind.statistic(), rate);
    let size = points.iter().find(|p| p.started > 0).map_or(1, |p| p.started);
    Some(Limits::from_frozen(kind, Frozen { rate, sigma_z, moving_ranges }, size))
}

/// Mean moving range of consecutive classical z-scores over d₂.
fn sigma_z(points: &[Point], statistic: Statistic, rate: f64) -> (f64, usize) {
    let mut previous: Option<f64> = None;
    let (mut total, mut count) = (0.0, 0_usize);
    let scores = points.iter().filter(|p| p.started > 0).filter_map(|p| standardise(*p, statistic, rate, 1.0).z);
    for z in scores {
        if let Some(before) = previous {
            total += (z - before).abs();
            count += 1;
        }
        previous = Some(z);
    }
    if count == 0 { (1.0, 0) } else { (total / count as f64 / D2, count) }
}

fn judge(point: Point, limits: &Limits) -> ChartPoint {
    standardise(point, limits.kind.statistic(), limits.rate(point.started), limits.scale())
}

/// The point's value, its limits and its z for σ = `σ_i` · `scale`, where
/// `rate` is p̄ or ū.
fn standardise(point: Point, statistic: Statistic, rate: f64, scale: f64) -> ChartPoint {
    // `max(1)` only guards callers that skipped validation: never divide by 0.
    let n = f64::from(point.started.max(1));
    let count = f64::from(point.nonconforming);
    let (value, center, sigma, top) = match statistic {
        Statistic::Fraction => (count / n, rate, (rate * (1.0 - rate) / n).max(0.0).sqrt(), 1.0),
        Statistic::Count => (count, n * rate, (n * rate * (1.0 - rate)).max(0.0).sqrt(), n),
        Statistic::Rate => (count / n, rate, (rate / n).max(0.0).sqrt(), f64::INFINITY),
    };
    let sigma = sigma * scale;
    let z = if sigma > 0.0 {
        Some((value - center) / sigma).filter(|z| z.is_finite())
    } else {
        on_centre(point, statistic, rate).then_some(0.0)
    };
    ChartPoint { value, lcl: (center - 3.0 * sigma).max(0.0), ucl: (center + 3.0 * sigma).min(top), z }
}

/// Whether a point sits exactly on a zero-width centre line, which is only
/// ever at a rate of 0 (or, for p and np, 1): decided on the counts, so no
/// rounding can move a point off it.
fn on_centre(point: Point, statistic: Statistic, rate: f64) -> bool {
    if rate <= 0.0 {
        point.nonconforming == 0
    } else if statistic != Statistic::Rate && rate >= 1.0 {
        point.nonconforming == point.started
    } else {
        // σ = 0 with a rate strictly inside: only a Laney σ_z of 0, where
        // every lot matched the centre exactly when it was estimated.
        let n = f64::from(point.started.max(1));
        (f64::from(point.nonconforming) / n - rate).abs() <= f64::EPSILON * rate.max(1.0)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod more_tests;
