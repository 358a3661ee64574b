//! Run rules on a chart's z-scores: which points complete which pattern.
//! See the parent module for the conventions (overlaps reported at every
//! completing point, the centre line breaking runs, short windows at the
//! start).

use super::{ChartPoint, Rule, RuleSet, Violation};

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

/// [`violations`] over the points not `excluded`, as if the excluded ones
/// were not on the chart: they neither break nor extend a run, and no rule
/// fires at them. Indices are the full chart's.
pub fn violations_excluding(points: &[ChartPoint], rules: RuleSet, excluded: &[bool]) -> Vec<Violation> {
    if !excluded.iter().any(|&e| e) {
        return violations(points, rules);
    }
    let kept: Vec<usize> = (0..points.len()).filter(|&i| !excluded.get(i).copied().unwrap_or(false)).collect();
    let judged: Vec<ChartPoint> = kept.iter().map(|&i| points[i]).collect();
    violations(&judged, rules)
        .into_iter()
        .map(|v| Violation { rule: v.rule, index: kept[v.index], first: kept[v.first] })
        .collect()
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
            let points: Vec<ChartPoint> = zs.iter().map(|z| ChartPoint { value: 0.1, lcl: 0.0, ucl: 0.2, z: Some(*z) }).collect();
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
