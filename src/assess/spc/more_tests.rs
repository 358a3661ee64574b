//! The charts added to the p-chart, worked by hand: u, Laney u′ and np;
//! lots excluded from the limits (assignable causes) and limits saved in a
//! control plan. (Published examples are in `tests/spc_textbook.rs`.)

use super::*;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

fn points(counts: &[(u32, u32)]) -> Vec<Point> {
    counts.iter().map(|&(started, count)| Point { started, nonconforming: count }).collect()
}

fn options(kind: ChartKind) -> ChartOptions {
    ChartOptions { kind, rules: RuleSet::Attribute, baseline: None }
}

// ū = 90 / 800 = 0.1125; σ_i = √(ū/n): 0.0335410 (n=100), 0.0237171
// (n=200), 0.0167705 (n=400). u = 0.1, 0.05, 0.3, 0.1, so z = −0.372678,
// −2.635231, 5.590170, −0.745356: lot 3 is beyond 3σ on the u-chart
// (UCL 0.1125 + 3 · 0.0335410 = 0.213123). Moving ranges 2.262553,
// 8.225401, 6.335526, mean 5.607827: σ_z = 4.971478, so Laney's u′ UCL
// for n = 100 is 0.1125 + 3 · 0.0335410 · 4.971478 = 0.612745 and lot 3
// (z′ = 1.124448) is inside. Defect counts may exceed the units (u > 1).
#[test]
fn u_and_laney_u_worked_by_hand() {
    let lots = points(&[(100, 10), (200, 10), (100, 30), (400, 40)]);
    let u = chart(&lots, &options(ChartKind::U)).unwrap();
    let limits = u.limits.unwrap();
    assert!(close(limits.center, 0.1125, 1e-12));
    assert!(close(u.points[2].value, 0.3, 1e-12));
    assert!(close(u.points[2].ucl, 0.213_123, 1e-6));
    assert!(close(u.points[2].lcl, 0.011_877, 1e-6));
    assert!(close(u.points[1].z.unwrap(), -2.635_231, 1e-6));
    assert_eq!(u.violations, [Violation { rule: Rule::Beyond3Sigma, index: 2, first: 2 }]);
    assert!(close(limits.sigma_z, 4.971_478, 1e-6));

    let laney = chart(&lots, &options(ChartKind::LaneyU)).unwrap();
    assert!(close(laney.points[0].ucl, 0.612_745, 1e-6));
    assert!(close(laney.points[3].ucl, 0.362_623, 1e-6));
    assert!(close(laney.points[2].z.unwrap(), 1.124_448, 1e-6));
    assert!(laney.violations.is_empty());

    let many = chart(&points(&[(10, 45), (10, 5)]), &options(ChartKind::U)).unwrap();
    assert!(close(many.points[0].value, 4.5, 1e-12), "more defects than units is a u of 4.5");
}

// np with n = 200: p̄ = 30 / 600 = 0.05, centre np̄ = 10, σ = √(10 · 0.95)
// = 3.082207, UCL = 19.246621, LCL = 0.753379.
#[test]
fn np_charts_counts_against_one_lot_size() {
    let lots = points(&[(200, 8), (200, 2), (200, 20)]);
    let np = chart(&lots, &options(ChartKind::Np)).unwrap();
    assert!(close(np.limits.unwrap().center, 10.0, 1e-12));
    assert!(close(np.points[0].value, 8.0, 0.0));
    assert!(close(np.points[0].ucl, 19.246_621, 1e-6));
    assert!(close(np.points[0].lcl, 0.753_379, 1e-6));
    assert_eq!(np.violations.iter().map(|v| v.index).collect::<Vec<_>>(), [2]);
    // The same z as the p-chart of the same lots.
    let p = chart(&lots, &options(ChartKind::P)).unwrap();
    for (a, b) in np.points.iter().zip(&p.points) {
        assert!(close(a.z.unwrap(), b.z.unwrap(), 1e-12));
    }
    let varying = chart(&points(&[(200, 8), (150, 2)]), &options(ChartKind::Np));
    assert_eq!(varying, Err(ChartError::VaryingSize { index: 1, size: 150, first: 200 }));
}

// Excluding lot 4 (p = 0.15): p̄ = 15 / 300 = 0.05 from the other three,
// σ = √(0.05 · 0.95 / 100) = 0.0217945, UCL = 0.1153835; lot 4 stays on
// the chart, judged (z = 4.588315) but with no violation at it, and the
// basis has three lots.
#[test]
fn an_excluded_lot_leaves_the_limits_but_stays_on_the_chart() {
    let lots = points(&[(100, 5), (100, 5), (100, 5), (100, 15)]);
    let excluded = [false, false, false, true];
    let basis = Basis { excluded: &excluded, frozen: None };
    let revised = chart_with(&lots, &ChartOptions::default(), &basis).unwrap();
    assert!(close(revised.limits.unwrap().center, 0.05, 1e-12));
    assert!(close(revised.points[3].ucl, 0.115_383_5, 1e-7));
    assert!(close(revised.points[3].z.unwrap(), 4.588_315, 1e-6));
    assert_eq!(revised.points.len(), 4);
    assert!(revised.violations.is_empty());
    assert_eq!(revised.basis_points, 3);
}

#[test]
fn excluded_lots_neither_break_nor_extend_a_run() {
    // Nine lots below the centre with one far above in the middle: excluded,
    // it no longer breaks the run, so nine-in-a-row fires at the last lot.
    let mut counts = vec![(1000, 40); 5];
    counts.push((1000, 400));
    counts.extend([(1000, 40); 4]);
    counts.extend([(1000, 60); 10]);
    let lots = points(&counts);
    let mut excluded = vec![false; lots.len()];
    let kept = chart(&lots, &ChartOptions::default()).unwrap();
    assert!(kept.violations.iter().all(|v| v.rule != Rule::NineInARow || v.first > 5));
    excluded[5] = true;
    let revised = chart_with(&lots, &ChartOptions::default(), &Basis { excluded: &excluded, frozen: None }).unwrap();
    let nine: Vec<(usize, usize)> =
        revised.violations.iter().filter(|v| v.rule == Rule::NineInARow).map(|v| (v.first, v.index)).collect();
    assert_eq!(nine.first(), Some(&(0, 9)), "the run skips the excluded lot: {nine:?}");
    assert!(revised.violations.iter().all(|v| v.index != 5));
}

#[test]
fn frozen_limits_judge_every_lot_and_follow_each_lots_size() {
    let frozen = Frozen { rate: 0.05, sigma_z: 2.0, moving_ranges: 7 };
    let lots = points(&[(100, 5), (400, 40)]);
    let basis = Basis { excluded: &[], frozen: Some(frozen) };
    let p = chart_with(&lots, &ChartOptions::default(), &basis).unwrap();
    let limits = p.limits.unwrap();
    assert_eq!((limits.center, limits.sigma_z, limits.moving_ranges, p.basis_points), (0.05, 2.0, 7, 0));
    // σ = √(0.05 · 0.95 / 400) = 0.0108972: UCL 0.0826917; p = 0.1 is beyond.
    assert!(close(p.points[1].ucl, 0.082_691_7, 1e-7));
    assert_eq!(p.violations.iter().map(|v| v.index).collect::<Vec<_>>(), [1]);
    // Laney p′ takes the saved σ_z: UCL = 0.05 + 3 · 0.0108972 · 2 = 0.1153835.
    let laney = chart_with(&lots, &options(ChartKind::Laney), &basis).unwrap();
    assert!(close(laney.points[1].ucl, 0.115_383_5, 1e-7));
    // np with n = 100: centre 100 · 0.05 = 5.
    let np = chart_with(&points(&[(100, 5)]), &options(ChartKind::Np), &basis).unwrap();
    assert!(close(np.limits.unwrap().center, 5.0, 1e-12));
    assert!(close(np.limits.unwrap().frozen(100).rate, 0.05, 1e-12));
}

#[test]
fn the_ui_cycle_is_p_laney_u_laney_u() {
    let mut kind = ChartKind::P;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(kind.short());
        kind = kind.next_in_cycle();
    }
    assert_eq!(seen, ["p", "p′", "u", "u′"]);
    assert_eq!(kind, ChartKind::P);
    assert_eq!(ChartKind::parse("laney-u"), Some(ChartKind::LaneyU));
}
