//! Control charts for the fraction nonconforming of production lots: the
//! classical p-chart, Laney's p′ chart for over-dispersed (very large) lots,
//! limits frozen on a baseline, and run rules on the z-scores.
//!
//! Everything works on plain [`Point`]s in chart order, so the verdict engine
//! can chart every supplier in one pass: [`chart`] allocates its output and
//! nothing per point besides.
//!
//! Conventions callers rely on:
//! - A point is beyond its limits when |z| > 3 (strictly), which is the same
//!   as p outside [lcl, ucl]; LCL is clamped at 0 and UCL at 1.
//! - Where the limits have zero width (p̄ = 0 or 1, or a Laney `σ_z` of 0),
//!   a lot on the centre line has z = 0 and any other lot has z = `None`
//!   (infinitely far, which JSON cannot say) and counts as beyond 3σ.
//! - `σ_z` needs at least one moving range; with fewer than two lots it is taken
//!   as 1 and [`Limits::moving_ranges`] is 0 to say so.
//! - Overlapping patterns are reported the way Minitab does: a violation at
//!   every point that completes a test, so a run of 11 on one side gives
//!   `nine-in-a-row` at its 9th, 10th and 11th points. The completing point
//!   must itself be part of the pattern (a point inside 2σ never completes
//!   "two of three beyond 2σ"), and near the start of the chart the window is
//!   simply shorter: two points beyond 2σ as the first two lots already count.
//! - A point exactly on the centre line (z = 0) breaks a run on either side.
//! - Lots with no units, or more nonconforming units than started, are
//!   rejected with a [`ChartError`] rather than charted.

use serde::Serialize;

use crate::model::{Lot, vocab};

/// d₂ for moving ranges of two: turns the mean moving range into a σ.
const D2: f64 = 1.128;

/// `σ_z` above which the classical chart is flagged as too tight: its limits
/// would have to widen by half to match the lot-to-lot variation seen.
pub const OVERDISPERSION_SIGMA_Z: f64 = 1.5;

/// Fewer lots than this give too rough a `σ_z` to call over-dispersion.
pub const OVERDISPERSION_MIN_LOTS: usize = 10;

vocab!(
    /// Which limits: the classical binomial p-chart, or Laney's p′, which
    /// scales them by `σ_z` when lots vary more (or less) than binomially.
    ChartKind { P = "p", Laney = "laney" }
);

vocab!(
    /// Which run rules judge a chart. Zone rules give false alarms on
    /// attribute data, hence the shorter default.
    RuleSet { Attribute = "attribute", WesternElectric = "western-electric" }
);

vocab!(
    /// A run rule, by its stable id.
    Rule {
        Beyond3Sigma = "beyond-3-sigma",
        NineInARow = "nine-in-a-row",
        TwoOfThreeBeyond2Sigma = "two-of-three-beyond-2-sigma",
        FourOfFiveBeyond1Sigma = "four-of-five-beyond-1-sigma",
        EightInARow = "eight-in-a-row",
    }
);

impl RuleSet {
    pub fn rules(self) -> &'static [Rule] {
        match self {
            Self::Attribute => &[Rule::Beyond3Sigma, Rule::NineInARow],
            Self::WesternElectric => {
                &[Rule::Beyond3Sigma, Rule::TwoOfThreeBeyond2Sigma, Rule::FourOfFiveBeyond1Sigma, Rule::EightInARow]
            }
        }
    }
}

/// One lot as the chart sees it.
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

/// The centre line and spread a chart is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    pub kind: ChartKind,
    /// p̄ = Σ nonconforming / Σ started over the estimating points.
    pub center: f64,
    /// Laney's `σ_z` over the estimating points, whichever chart is drawn.
    pub sigma_z: f64,
    /// Moving ranges behind `sigma_z`; 0 means `σ_z` was assumed to be 1.
    pub moving_ranges: usize,
}

impl Limits {
    /// The factor on the binomial `σ_i`: 1 for a p-chart, `σ_z` for Laney p′.
    pub fn scale(&self) -> f64 {
        match self.kind {
            ChartKind::P => 1.0,
            ChartKind::Laney => self.sigma_z,
        }
    }

    /// A classical chart whose lots vary far more than binomially, so that
    /// Laney p′ would be the fairer chart.
    pub fn overdispersed(&self) -> bool {
        self.kind == ChartKind::P
            && self.moving_ranges + 1 >= OVERDISPERSION_MIN_LOTS
            && self.sigma_z > OVERDISPERSION_SIGMA_Z
    }
}

/// One point judged against the limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChartPoint {
    pub p: f64,
    pub lcl: f64,
    pub ucl: f64,
    /// (p − p̄) / (`σ_i` · scale): the z the rules use, in units of this chart's
    /// own σ; `None` when the limits have zero width and p is off the centre.
    pub z: Option<f64>,
}

impl ChartPoint {
    /// `z`, with a point off a zero-width centre line at ±∞.
    pub fn rule_z(&self) -> f64 {
        self.z.unwrap_or(if self.p > self.ucl { f64::INFINITY } else { f64::NEG_INFINITY })
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("point {index} has no units started, so it has no fraction nonconforming")]
    NoUnits { index: usize },
    #[error("point {index} has more nonconforming units than units started")]
    TooManyNonconforming { index: usize },
    #[error("the baseline holds no lots to set limits from; let it cover at least one lot")]
    EmptyBaseline,
}

/// Charts `points` (in chart order) and applies the rule set.
pub fn chart(points: &[Point], options: &ChartOptions) -> Result<Chart, ChartError> {
    validate(points)?;
    let basis = match options.baseline {
        Some(k) => &points[..k.min(points.len())],
        None => points,
    };
    let limits = estimate(basis, options.kind);
    let judged: Vec<ChartPoint> = match &limits {
        Some(limits) => points.iter().map(|p| judge(*p, limits)).collect(),
        None if points.is_empty() => Vec::new(),
        None => return Err(ChartError::EmptyBaseline),
    };
    let violations = violations(&judged, options.rules);
    Ok(Chart { limits, points: judged, violations })
}

fn validate(points: &[Point]) -> Result<(), ChartError> {
    for (index, point) in points.iter().enumerate() {
        if point.started == 0 {
            return Err(ChartError::NoUnits { index });
        }
        if point.nonconforming > point.started {
            return Err(ChartError::TooManyNonconforming { index });
        }
    }
    Ok(())
}

/// p̄ and `σ_z` from `points`; `None` when they hold no units. Points with no
/// units are skipped rather than divided by.
pub fn estimate(points: &[Point], kind: ChartKind) -> Option<Limits> {
    let (nonconforming, started) =
        points.iter().fold((0_u64, 0_u64), |(d, n), p| (d + u64::from(p.nonconforming), n + u64::from(p.started)));
    if started == 0 {
        return None;
    }
    let center = nonconforming as f64 / started as f64;
    let (sigma_z, moving_ranges) = sigma_z(points, center);
    Some(Limits { kind, center, sigma_z, moving_ranges })
}

/// Mean moving range of consecutive binomial z-scores over d₂.
fn sigma_z(points: &[Point], center: f64) -> (f64, usize) {
    let mut previous: Option<f64> = None;
    let (mut total, mut count) = (0.0, 0_usize);
    let scores = points.iter().filter(|p| p.started > 0).filter_map(|p| standardise(*p, center, 1.0).z);
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
    standardise(point, limits.center, limits.scale())
}

/// p, its limits and its z for σ = `σ_i` · `scale`.
fn standardise(point: Point, center: f64, scale: f64) -> ChartPoint {
    // `max(1)` only guards callers that skipped validation: never divide by 0.
    let n = f64::from(point.started.max(1));
    let p = f64::from(point.nonconforming) / n;
    let sigma = (center * (1.0 - center) / n).max(0.0).sqrt() * scale;
    let z = if sigma > 0.0 {
        Some((p - center) / sigma).filter(|z| z.is_finite())
    } else {
        on_centre(p, center).then_some(0.0)
    };
    ChartPoint { p, lcl: (center - 3.0 * sigma).max(0.0), ucl: (center + 3.0 * sigma).min(1.0), z }
}

/// Exact on purpose: p and p̄ are each one division of integers, so equal
/// fractions give the same double.
#[allow(clippy::float_cmp)]
fn on_centre(p: f64, center: f64) -> bool {
    p == center
}

/// Every rule of `rules` broken at every point, in point order.
pub fn violations(points: &[ChartPoint], rules: RuleSet) -> Vec<Violation> {
    let mut found = Vec::new();
    // The current run on one side of the centre, kept as we go: the same
    // answer as `Rule::completed_at` for the run rules, without re-reading
    // the last eight or nine points at every point.
    let (mut run_side, mut run_len) = (None, 0_usize);
    for (index, point) in points.iter().enumerate() {
        let here = side(point.rule_z(), 0.0);
        if here.is_some() && here == run_side {
            run_len += 1;
        } else {
            (run_side, run_len) = (here, usize::from(here.is_some()));
        }
        for &rule in rules.rules() {
            let first = match rule {
                Rule::NineInARow => (run_len >= 9).then(|| index + 1 - 9),
                Rule::EightInARow => (run_len >= 8).then(|| index + 1 - 8),
                other => other.completed_at(points, index),
            };
            if let Some(first) = first {
                found.push(Violation { rule, index, first });
            }
        }
    }
    found
}

impl Rule {
    /// Where the pattern starts, if the point at `end` completes it.
    pub fn completed_at(self, points: &[ChartPoint], end: usize) -> Option<usize> {
        match self {
            Self::Beyond3Sigma => points.get(end)?.beyond_limits().then_some(end),
            Self::NineInARow => run(points, end, 9),
            Self::EightInARow => run(points, end, 8),
            Self::TwoOfThreeBeyond2Sigma => some_of(points, end, (2, 3), 2.0),
            Self::FourOfFiveBeyond1Sigma => some_of(points, end, (4, 5), 1.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Above,
    Below,
}

/// Which side `z` lies beyond `sigmas`, if either; 0 is on neither side.
fn side(z: f64, sigmas: f64) -> Option<Side> {
    if z > sigmas {
        Some(Side::Above)
    } else if z < -sigmas {
        Some(Side::Below)
    } else {
        None
    }
}

/// `length` points in a row on one side, ending at `end`.
fn run(points: &[ChartPoint], end: usize, length: usize) -> Option<usize> {
    let first = (end + 1).checked_sub(length)?;
    let window = points.get(first..=end)?;
    let wanted = side(window.last()?.rule_z(), 0.0)?;
    window.iter().all(|p| side(p.rule_z(), 0.0) == Some(wanted)).then_some(first)
}

/// `k` of the last `n` points (fewer at the start) beyond `sigmas` on the
/// side of the point at `end`, which must be one of them.
fn some_of(points: &[ChartPoint], end: usize, (k, n): (usize, usize), sigmas: f64) -> Option<usize> {
    let wanted = side(points.get(end)?.rule_z(), sigmas)?;
    let start = (end + 1).saturating_sub(n);
    let mut in_zone = (start..=end).filter(|&i| side(points[i].rule_z(), sigmas) == Some(wanted));
    let first = in_zone.next()?;
    (1 + in_zone.count() >= k).then_some(first)
}

#[cfg(test)]
mod running_counts {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The one-pass `violations` agrees with checking every rule at every
        /// point through `Rule::completed_at`.
        #[test]
        fn one_pass_matches_point_by_point(zs in prop::collection::vec(prop_oneof![-4.0..4.0, Just(0.0)], 0..60)) {
            let points: Vec<ChartPoint> = zs.iter().map(|z| ChartPoint { p: 0.1, lcl: 0.0, ucl: 0.2, z: Some(*z) }).collect();
            for set in [RuleSet::Attribute, RuleSet::WesternElectric] {
                let mut slow = Vec::new();
                for index in 0..points.len() {
                    for &rule in set.rules() {
                        if let Some(first) = rule.completed_at(&points, index) {
                            slow.push(Violation { rule, index, first });
                        }
                    }
                }
                prop_assert_eq!(violations(&points, set), slow);
            }
        }
    }
}

#[cfg(test)]
#[path = "spc_tests.rs"]
mod tests;
