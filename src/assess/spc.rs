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

impl From<&Lot> for Point {
    fn from(lot: &Lot) -> Self {
        Self { started: lot.started, nonconforming: lot.started.saturating_sub(lot.passed_first) }
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
    pub options: ChartOptions,
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
    Ok(Chart { options: *options, limits, points: judged, violations })
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
            Self::Beyond3Sigma => side(points.get(end)?.rule_z(), 3.0).map(|_| end),
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
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    fn points(counts: &[(u32, u32)]) -> Vec<Point> {
        counts.iter().map(|&(started, nonconforming)| Point { started, nonconforming }).collect()
    }

    // Points with the given z; p, lcl and ucl do not matter to the rules.
    fn scored(zs: &[f64]) -> Vec<ChartPoint> {
        zs.iter().map(|&z| ChartPoint { p: 0.5, lcl: 0.0, ucl: 1.0, z: Some(z) }).collect()
    }

    // (rule id, index, first) of every violation, for terse asserts.
    fn found(zs: &[f64], rules: RuleSet) -> Vec<(&'static str, usize, usize)> {
        violations(&scored(zs), rules).into_iter().map(|v| (v.rule.as_str(), v.index, v.first)).collect()
    }

    fn with(kind: ChartKind, rules: RuleSet, baseline: Option<usize>) -> ChartOptions {
        ChartOptions { kind, rules, baseline }
    }

    // --- run rules -------------------------------------------------------

    #[test]
    fn beyond_3_sigma_is_strict_and_two_sided() {
        let hits = found(&[3.0, 3.01, -3.5, 2.99, -3.0], RuleSet::Attribute);
        assert_eq!(hits, [("beyond-3-sigma", 1, 1), ("beyond-3-sigma", 2, 2)]);
    }

    #[test]
    fn eight_in_a_row_does_not_fire_nine_in_a_row() {
        assert!(found(&[0.5; 8], RuleSet::Attribute).is_empty());
        assert_eq!(found(&[0.5; 9], RuleSet::Attribute), [("nine-in-a-row", 8, 0)]);
        assert_eq!(found(&[-0.1; 9], RuleSet::Attribute), [("nine-in-a-row", 8, 0)]);
    }

    #[test]
    fn a_run_is_flagged_again_at_each_point_that_extends_it() {
        let hits = found(&[1.0; 11], RuleSet::Attribute);
        let expected = [("nine-in-a-row", 8, 0), ("nine-in-a-row", 9, 1), ("nine-in-a-row", 10, 2)];
        assert_eq!(hits, expected);
    }

    #[test]
    fn a_point_on_the_centre_line_breaks_a_run() {
        let mut zs = vec![0.4; 5];
        zs.push(0.0);
        zs.extend([0.4; 8]);
        assert!(found(&zs, RuleSet::Attribute).is_empty());
        zs.push(0.4);
        assert_eq!(found(&zs, RuleSet::Attribute), [("nine-in-a-row", 14, 6)]);
    }

    #[test]
    fn a_point_on_the_other_side_breaks_a_run() {
        let mut zs = vec![0.4; 8];
        zs.push(-0.4);
        zs.extend([0.4; 8]);
        assert!(found(&zs, RuleSet::Attribute).is_empty());
    }

    #[test]
    fn two_of_three_beyond_2_sigma_same_side() {
        let we = RuleSet::WesternElectric;
        assert_eq!(found(&[2.5, 0.5, 2.1], we), [("two-of-three-beyond-2-sigma", 2, 0)]);
        assert_eq!(found(&[0.0, -2.1, -2.2], we), [("two-of-three-beyond-2-sigma", 2, 1)]);
        // Opposite sides, exactly 2σ, or a completing point inside 2σ: no signal.
        assert!(found(&[2.5, -2.5, 0.5], we).is_empty());
        assert!(found(&[2.5, 2.0, 0.5], we).is_empty());
        assert!(found(&[2.5, 0.5, 0.5, 2.5], we).is_empty());
        let hits = found(&[2.5, 2.5, 0.5], we);
        assert_eq!(hits, [("two-of-three-beyond-2-sigma", 1, 0)]);
        let hits = found(&[2.5, 0.5, 2.5, 0.5], we);
        assert_eq!(hits, [("two-of-three-beyond-2-sigma", 2, 0)]);
    }

    #[test]
    fn two_beyond_2_sigma_at_the_start_already_count() {
        let hits = found(&[2.5, 2.5], RuleSet::WesternElectric);
        assert_eq!(hits, [("two-of-three-beyond-2-sigma", 1, 0)]);
    }

    #[test]
    fn four_of_five_beyond_1_sigma_same_side() {
        let we = RuleSet::WesternElectric;
        let hits = found(&[1.5, 1.5, 0.5, 1.5, 1.5], we);
        assert_eq!(hits, [("four-of-five-beyond-1-sigma", 4, 0)]);
        assert!(found(&[1.5, 1.5, 0.5, 0.5, 1.5], we).is_empty());
        assert!(found(&[1.5, -1.5, 1.5, 1.0, 1.5], we).is_empty());
        let hits = found(&[0.2, -1.2, -1.1, -1.3, -1.4], we);
        assert_eq!(hits, [("four-of-five-beyond-1-sigma", 4, 1)]);
    }

    #[test]
    fn western_electric_uses_eight_in_a_row() {
        let we = RuleSet::WesternElectric;
        assert!(found(&[-0.5; 7], we).is_empty());
        assert_eq!(found(&[-0.5; 8], we), [("eight-in-a-row", 7, 0)]);
        assert_eq!(found(&[-0.5; 9], we), [("eight-in-a-row", 7, 0), ("eight-in-a-row", 8, 1)]);
    }

    #[test]
    fn zone_rules_are_not_in_the_attribute_set() {
        assert!(found(&[2.5, 2.5, 2.5, 1.5, 1.5], RuleSet::Attribute).is_empty());
        let hits = found(&[2.5, 2.5, 2.5], RuleSet::WesternElectric);
        let expected = [("two-of-three-beyond-2-sigma", 1, 0), ("two-of-three-beyond-2-sigma", 2, 0)];
        assert_eq!(hits, expected);
    }

    #[test]
    fn rule_and_option_words_are_stable() {
        let words: Vec<_> = Rule::ALL.iter().map(|r| r.as_str()).collect();
        let expected = [
            "beyond-3-sigma",
            "nine-in-a-row",
            "two-of-three-beyond-2-sigma",
            "four-of-five-beyond-1-sigma",
            "eight-in-a-row",
        ];
        assert_eq!(words, expected);
        assert_eq!(RuleSet::parse("western-electric"), Some(RuleSet::WesternElectric));
        assert_eq!(ChartKind::parse("laney"), Some(ChartKind::Laney));
        assert_eq!(ChartOptions::default(), with(ChartKind::P, RuleSet::Attribute, None));
    }

    // --- Laney p′ ----------------------------------------------------------

    // Worked by hand. p̄ = 80/800 = 0.1; σ_i = √(0.09/n): 0.03 (n=100),
    // 0.0212132 (n=200), 0.015 (n=400). p = 0.1, 0.05, 0.2, 0.1 so
    // z = 0, −2.357023, 3.333333, 0; moving ranges 2.357023, 5.690356,
    // 3.333333, mean 3.793571; σ_z = 3.793571 / 1.128 = 3.363095.
    // Lot 3 (n=100): UCL = 0.1 + 3 · 0.03 · 3.363095 = 0.402679, LCL clamps
    // to 0, z′ = 3.333333 / 3.363095 = 0.991150, inside. On the classical
    // chart its UCL is 0.19 and it is beyond.
    #[test]
    fn laney_widens_limits_by_sigma_z_worked_by_hand() {
        let lots = points(&[(100, 10), (200, 10), (100, 20), (400, 40)]);
        let laney = chart(&lots, &with(ChartKind::Laney, RuleSet::Attribute, None)).unwrap();
        let limits = laney.limits.unwrap();
        assert!(close(limits.center, 0.1, 1e-12));
        assert!(close(limits.sigma_z, 3.363_095, 1e-6));
        assert_eq!(limits.moving_ranges, 3);
        let third = laney.points[2];
        assert!(close(third.ucl, 0.402_679, 1e-6));
        assert!(close(third.lcl, 0.0, 0.0));
        assert!(close(third.z.unwrap(), 0.991_150, 1e-6));
        assert!(close(laney.points[1].ucl, 0.314_026, 1e-6));
        assert!(close(laney.points[3].ucl, 0.251_339, 1e-6));
        assert!(laney.violations.is_empty());

        let classical = chart(&lots, &ChartOptions::default()).unwrap();
        assert!(close(classical.points[2].ucl, 0.19, 1e-12));
        assert!(close(classical.points[2].lcl, 0.01, 1e-12));
        assert!(close(classical.points[2].z.unwrap(), 3.333_333, 1e-6));
        let beyond: Vec<_> = classical.violations.iter().map(|v| (v.rule, v.index)).collect();
        assert_eq!(beyond, [(Rule::Beyond3Sigma, 2)]);
    }

    #[test]
    fn one_lot_has_no_moving_range_so_sigma_z_is_taken_as_one() {
        let laney = chart(&points(&[(50, 5)]), &with(ChartKind::Laney, RuleSet::Attribute, None));
        let laney = laney.unwrap();
        let limits = laney.limits.unwrap();
        assert!(close(limits.sigma_z, 1.0, 0.0));
        assert_eq!(limits.moving_ranges, 0);
        let classical = chart(&points(&[(50, 5)]), &ChartOptions::default()).unwrap();
        assert_eq!(laney.points, classical.points);
    }

    #[test]
    fn overdispersion_hint_needs_a_classical_chart_enough_lots_and_a_large_sigma_z() {
        let swinging: Vec<(u32, u32)> = (0..12).map(|i| (1000, if i % 2 == 0 { 50 } else { 150 })).collect();
        let classical = chart(&points(&swinging), &ChartOptions::default()).unwrap();
        assert!(classical.limits.unwrap().sigma_z > OVERDISPERSION_SIGMA_Z);
        assert!(classical.limits.unwrap().overdispersed());
        let laney = chart(&points(&swinging), &with(ChartKind::Laney, RuleSet::Attribute, None));
        assert!(!laney.unwrap().limits.unwrap().overdispersed());
        let few = chart(&points(&swinging[..9]), &ChartOptions::default()).unwrap();
        assert!(!few.limits.unwrap().overdispersed());
        let calm = chart(&points(&[(1000, 100); 12]), &ChartOptions::default()).unwrap();
        assert!(!calm.limits.unwrap().overdispersed());
    }

    // --- frozen limits -------------------------------------------------------

    // Baseline p̄ = 15/300 = 0.05, σ = √(0.05 · 0.95 / 100) = 0.0217945,
    // UCL = 0.1153835: the fourth lot (p = 0.15) is beyond. Pooled with it,
    // p̄ = 0.075 and UCL = 0.1540174, and it would pass.
    #[test]
    fn frozen_limits_come_from_the_baseline_only() {
        let lots = points(&[(100, 5), (100, 5), (100, 5), (100, 15)]);
        let frozen = chart(&lots, &with(ChartKind::P, RuleSet::Attribute, Some(3))).unwrap();
        assert!(close(frozen.limits.unwrap().center, 0.05, 1e-12));
        assert!(close(frozen.points[3].ucl, 0.115_383_5, 1e-7));
        assert_eq!(frozen.violations.len(), 1);
        assert_eq!(frozen.violations[0].index, 3);

        let pooled = chart(&lots, &ChartOptions::default()).unwrap();
        assert!(close(pooled.points[3].ucl, 0.154_017_4, 1e-7));
        assert!(pooled.violations.is_empty());
    }

    // Baseline z = −0.458831, 0.458831, 0 (p̄ = 0.05, σ = 0.0217945); moving
    // ranges 0.917663 and 0.458831, mean 0.688247, σ_z = 0.610148.
    #[test]
    fn frozen_laney_takes_sigma_z_from_the_baseline() {
        let lots = points(&[(100, 4), (100, 6), (100, 5), (100, 40), (100, 0)]);
        let frozen = chart(&lots, &with(ChartKind::Laney, RuleSet::Attribute, Some(3))).unwrap();
        let limits = frozen.limits.unwrap();
        assert_eq!(limits.moving_ranges, 2);
        assert!(close(limits.sigma_z, 0.610_148, 1e-6));
        assert!(close(frozen.points[4].ucl, 0.05 + 3.0 * 0.021_794_5 * 0.610_148, 1e-6));
    }

    #[test]
    fn a_baseline_longer_than_the_chart_uses_every_point() {
        let lots = points(&[(100, 5), (100, 9)]);
        let long = chart(&lots, &with(ChartKind::P, RuleSet::Attribute, Some(10))).unwrap();
        assert_eq!(long.points, chart(&lots, &ChartOptions::default()).unwrap().points);
    }

    // --- degenerate input -----------------------------------------------------

    #[test]
    fn no_points_give_no_limits_and_no_violations() {
        let empty = chart(&[], &ChartOptions::default()).unwrap();
        assert_eq!(empty.limits, None);
        assert!(empty.points.is_empty() && empty.violations.is_empty());
        let frozen_empty = chart(&[], &with(ChartKind::P, RuleSet::Attribute, Some(0)));
        assert!(frozen_empty.is_ok());
    }

    #[test]
    fn an_empty_baseline_is_an_error_when_there_is_something_to_judge() {
        let lots = points(&[(100, 5)]);
        let result = chart(&lots, &with(ChartKind::P, RuleSet::Attribute, Some(0)));
        assert_eq!(result, Err(ChartError::EmptyBaseline));
    }

    #[test]
    fn lots_without_units_or_with_too_many_nonconforming_are_rejected() {
        let result = chart(&points(&[(10, 1), (0, 0)]), &ChartOptions::default());
        assert_eq!(result, Err(ChartError::NoUnits { index: 1 }));
        let result = chart(&points(&[(10, 11)]), &ChartOptions::default());
        assert_eq!(result, Err(ChartError::TooManyNonconforming { index: 0 }));
        assert_eq!(estimate(&points(&[(0, 0)]), ChartKind::P), None);
    }

    #[test]
    fn a_perfect_process_has_zero_width_limits_and_no_signal() {
        for kind in ChartKind::ALL {
            let perfect = chart(&points(&[(100, 0), (50, 0), (70, 0)]), &with(*kind, RuleSet::WesternElectric, None));
            let perfect = perfect.unwrap();
            for point in &perfect.points {
                assert_eq!((point.lcl, point.ucl, point.z), (0.0, 0.0, Some(0.0)));
            }
            assert!(perfect.violations.is_empty());
        }
    }

    #[test]
    fn a_defect_after_a_perfect_baseline_is_beyond_limits_with_no_finite_z() {
        let lots = points(&[(100, 0), (100, 0), (100, 1)]);
        let frozen = chart(&lots, &with(ChartKind::P, RuleSet::Attribute, Some(2))).unwrap();
        let last = frozen.points[2];
        assert_eq!(last.z, None);
        assert!(last.beyond_limits() && last.rule_z().is_infinite() && last.rule_z() > 0.0);
        assert_eq!(frozen.violations, [Violation { rule: Rule::Beyond3Sigma, index: 2, first: 2 }]);
        let json = serde_json::to_string(&last).unwrap();
        assert_eq!(json, r#"{"p":0.01,"lcl":0.0,"ucl":0.0,"z":null}"#);
    }

    #[test]
    fn an_all_scrap_process_sits_on_a_centre_line_of_one() {
        let hopeless = chart(&points(&[(10, 10), (20, 20)]), &ChartOptions::default()).unwrap();
        for point in &hopeless.points {
            assert_eq!((point.lcl, point.ucl, point.z), (1.0, 1.0, Some(0.0)));
        }
        assert!(hopeless.violations.is_empty());
    }

    #[test]
    fn identical_lots_give_laney_a_zero_sigma_z_and_no_signal() {
        let same =
            chart(&points(&[(200, 10), (100, 5), (300, 15)]), &with(ChartKind::Laney, RuleSet::WesternElectric, None));
        let same = same.unwrap();
        assert!(close(same.limits.unwrap().sigma_z, 0.0, 0.0));
        assert!(same.points.iter().all(|p| p.z == Some(0.0)));
        assert!(same.violations.is_empty());
    }

    // --- properties ---------------------------------------------------------------

    fn lot() -> impl Strategy<Value = (u32, u32)> {
        (1_u32..5_000).prop_flat_map(|n| (Just(n), 0..=n))
    }

    fn any_options() -> impl Strategy<Value = ChartOptions> {
        let kinds = prop::sample::select(ChartKind::ALL);
        let rules = prop::sample::select(RuleSet::ALL);
        (kinds, rules, prop::option::of(0_usize..8)).prop_map(|(kind, rules, baseline)| ChartOptions {
            kind,
            rules,
            baseline,
        })
    }

    proptest! {
        #[test]
        fn smaller_lots_get_wider_limits(lots in prop::collection::vec(lot(), 2..30)) {
            let judged = chart(&points(&lots), &ChartOptions::default()).unwrap();
            for (a, pa) in lots.iter().zip(&judged.points) {
                for (b, pb) in lots.iter().zip(&judged.points) {
                    if a.0 < b.0 {
                        prop_assert!(pa.ucl - pa.lcl >= pb.ucl - pb.lcl - 1e-12);
                        let unclamped = pa.lcl > 0.0 && pa.ucl < 1.0;
                        let varies = pa.ucl > pa.lcl;
                        if unclamped && varies {
                            prop_assert!(pa.ucl - pa.lcl > pb.ucl - pb.lcl);
                        }
                    }
                }
            }
        }

        #[test]
        fn scaling_every_lot_leaves_the_centre_unchanged(lots in prop::collection::vec(lot(), 1..30), factor in 1_u32..50) {
            let scaled: Vec<_> = lots.iter().map(|&(n, d)| (n * factor, d * factor)).collect();
            let before = estimate(&points(&lots), ChartKind::P).unwrap().center;
            let after = estimate(&points(&scaled), ChartKind::P).unwrap().center;
            prop_assert!(close(before, after, 1e-12));
        }

        #[test]
        fn reordering_lots_changes_neither_centre_nor_limits(
            (lots, order) in prop::collection::vec(lot(), 1..30)
                .prop_flat_map(|lots| { let n = lots.len(); (Just(lots), Just((0..n).collect::<Vec<_>>()).prop_shuffle()) })
        ) {
            let original = chart(&points(&lots), &ChartOptions::default()).unwrap();
            let shuffled: Vec<_> = order.iter().map(|&i| lots[i]).collect();
            let reordered = chart(&points(&shuffled), &ChartOptions::default()).unwrap();
            prop_assert!(close(original.limits.unwrap().center, reordered.limits.unwrap().center, 1e-15));
            for (position, &i) in order.iter().enumerate() {
                let (a, b) = (original.points[i], reordered.points[position]);
                prop_assert!(close(a.lcl, b.lcl, 1e-15) && close(a.ucl, b.ucl, 1e-15));
            }
        }

        #[test]
        fn small_arbitrary_input_never_panics_or_yields_nan(
            raw in prop::collection::vec((0_u32..4, 0_u32..4), 0..14),
            options in any_options(),
        ) {
            let lots = points(&raw);
            let Ok(judged) = chart(&lots, &options) else { return Ok(()); };
            if let Some(limits) = judged.limits {
                prop_assert!(limits.center.is_finite() && limits.sigma_z.is_finite());
            }
            for point in &judged.points {
                prop_assert!(point.p.is_finite() && point.lcl.is_finite() && point.ucl.is_finite());
                prop_assert!(point.z.is_none_or(f64::is_finite));
                prop_assert!(point.lcl <= point.ucl);
            }
            prop_assert!(serde_json::to_string(&judged.points).is_ok());
        }
    }
}
