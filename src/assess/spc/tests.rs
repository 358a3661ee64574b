//! The control charts case by case: each run rule made to fire and not to
//! fire, Laney p′ limits worked by hand, frozen baseline limits, degenerate
//! input, and properties that must hold for any lots.

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
    zs.iter().map(|&z| ChartPoint { value: 0.5, lcl: 0.0, ucl: 1.0, z: Some(z) }).collect()
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
        // np needs one lot size.
        let sizes = if *kind == ChartKind::Np { [100, 100, 100] } else { [100, 50, 70] };
        let lots = points(&sizes.map(|n| (n, 0)));
        let perfect = chart(&lots, &with(*kind, RuleSet::WesternElectric, None)).unwrap();
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
    assert_eq!(json, r#"{"value":0.01,"lcl":0.0,"ucl":0.0,"z":null}"#);
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
            prop_assert!(point.value.is_finite() && point.lcl.is_finite() && point.ucl.is_finite());
            prop_assert!(point.z.is_none_or(f64::is_finite));
            prop_assert!(point.lcl <= point.ucl);
        }
    }
}
