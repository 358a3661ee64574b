//! Published p-chart examples, checked against `casebook::assess::spc`.
//!
//! Where a book prints only the data, the expected limits are worked by hand
//! from them in the comments, so each figure can be checked with a pencil.

use casebook::assess::spc::{self, ChartKind, ChartOptions, Point, Rule, RuleSet};

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

fn points(sizes: &[u32], nonconforming: &[u32]) -> Vec<Point> {
    assert_eq!(sizes.len(), nonconforming.len());
    sizes.iter().zip(nonconforming).map(|(&started, &nonconforming)| Point { started, nonconforming }).collect()
}

// (rule, 1-based sample, 1-based first sample of the pattern), as books number them.
fn broken(chart: &spc::Chart) -> Vec<(Rule, usize, usize)> {
    chart.violations.iter().map(|v| (v.rule, v.index + 1, v.first + 1)).collect()
}

fn options(kind: ChartKind, rules: RuleSet) -> ChartOptions {
    ChartOptions { kind, rules, baseline: None }
}

// Montgomery, D. C., *Introduction to Statistical Quality Control*,
// Example 7.1 (chapter 7, "Control Charts for Attributes"): 6-oz
// orange-juice cans, 30 samples of n = 50 taken half-hourly, nonconforming
// cans per sample. The same 30 counts ship as the trial samples of the R
// package `qcc`'s `orangejuice` data set, whose help page cites Montgomery
// (1991), 2nd ed., pp. 152–155.
const ORANGE_JUICE: [u32; 30] =
    [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6];

// The book: p̄ = 347 / 1500 = 0.2313, UCL = 0.4102, LCL = 0.0524, and
// samples 15 (p = 0.44) and 23 (p = 0.48) above the UCL.
#[test]
fn montgomery_example_7_1_trial_limits() {
    let cans = points(&[50; 30], &ORANGE_JUICE);
    let chart = spc::chart(&cans, &ChartOptions::default()).unwrap();
    let limits = chart.limits.unwrap();
    assert!(close(limits.center, 347.0 / 1500.0, 1e-12));
    assert!(close(limits.center, 0.2313, 5e-5));
    for point in &chart.points {
        assert!(close(point.ucl, 0.4102, 5e-5) && close(point.lcl, 0.0524, 5e-5));
    }
    let expected = [(Rule::Beyond3Sigma, 15, 15), (Rule::Beyond3Sigma, 23, 23)];
    assert_eq!(broken(&chart), expected);
}

// The example goes on to drop samples 15 and 23 (assignable causes: a new
// batch of cardboard, an inexperienced operator) and revise the limits:
// p̄ = 301 / 1400 = 0.2150, UCL = 0.3893, LCL = 0.0407, under which sample
// 21 (p = 0.40) is above the UCL.
#[test]
fn montgomery_example_7_1_revised_limits() {
    let kept: Vec<u32> =
        ORANGE_JUICE.iter().enumerate().filter(|&(i, _)| i != 14 && i != 22).map(|(_, &d)| d).collect();
    let cans = points(&[50; 28], &kept);
    let chart = spc::chart(&cans, &ChartOptions::default()).unwrap();
    assert!(close(chart.limits.unwrap().center, 0.2150, 1e-12));
    assert!(close(chart.points[0].ucl, 0.3893, 5e-5));
    assert!(close(chart.points[0].lcl, 0.0407, 5e-5));
    // Sample 21 is the 20th kept sample, since 15 was dropped before it.
    assert_eq!(broken(&chart), [(Rule::Beyond3Sigma, 20, 20)]);
}

// The Western Electric zone rules on the same trial data, by hand with
// σ = √(0.231333 · 0.768667 / 50) = 0.0596352: z₂₀ = −0.19, z₂₁ = 2.829,
// z₂₂ = 2.158, z₂₃ = 4.170, z₂₄ = 1.152. So two of three beyond 2σ is
// completed at 22 and again at 23 (both starting at 21), four of five
// beyond 1σ at 24 (21–24), and 23 is beyond 3σ too.
#[test]
fn montgomery_example_7_1_western_electric_rules() {
    let cans = points(&[50; 30], &ORANGE_JUICE);
    let chart = spc::chart(&cans, &options(ChartKind::P, RuleSet::WesternElectric)).unwrap();
    let expected = [
        (Rule::Beyond3Sigma, 15, 15),
        (Rule::TwoOfThreeBeyond2Sigma, 22, 21),
        (Rule::Beyond3Sigma, 23, 23),
        (Rule::TwoOfThreeBeyond2Sigma, 23, 21),
        (Rule::FourOfFiveBeyond1Sigma, 24, 21),
    ];
    assert_eq!(broken(&chart), expected);
}

// Laney p′ on Montgomery's data, worked by hand. With n constant,
// z_i − z_{i−1} = (D_i − D_{i−1}) / (50 σ), and the 29 moving ranges of the
// counts sum to 3+7+2+6+3+9+7+5+4+5+1+11+5+10+14+2+5+8+2+9+2+6+9+6+3+5+6+4+3
// = 162. So σ_z = 162 / (29 · 50) / (1.128 · 0.0596352) = 0.1117241 /
// 0.0672685 = 1.660867, UCL = 0.231333 + 3 · 0.0596352 · 1.660867 =
// 0.528472, LCL clamps to 0, and samples 15 and 23 fall inside (z′ = 2.107
// and 2.511). The classical chart would be flagged as over-dispersed.
#[test]
fn laney_p_prime_on_montgomery_example_7_1() {
    let cans = points(&[50; 30], &ORANGE_JUICE);
    let laney = spc::chart(&cans, &options(ChartKind::Laney, RuleSet::Attribute)).unwrap();
    let limits = laney.limits.unwrap();
    assert_eq!(limits.moving_ranges, 29);
    assert!(close(limits.sigma_z, 1.660_867, 1e-6));
    assert!(close(laney.points[0].ucl, 0.528_472, 1e-6));
    assert!(close(laney.points[0].lcl, 0.0, 0.0));
    assert!(close(laney.points[14].z.unwrap(), 2.107, 5e-4));
    assert!(close(laney.points[22].z.unwrap(), 2.511, 5e-4));
    assert!(laney.violations.is_empty());
    assert!(!limits.overdispersed());

    let classical = spc::chart(&cans, &ChartOptions::default()).unwrap();
    assert!(classical.limits.unwrap().overdispersed());
}

// Pyzdek, T. and Keller, P., *The Handbook for Quality Management*, 2nd ed.
// (McGraw-Hill, 2013), chapter 9, Table 9.6 "Raw Data for p Chart", p. 178:
// bruised peaches in one or two crates of 250 per shipment, 25 shipments,
// 8000 peaches and 1544 bruised in all. Sample sizes vary, so the limits do.
const PEACH_CRATES: [u32; 25] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
const BRUISED: [u32; 25] =
    [47, 42, 55, 51, 46, 61, 39, 44, 41, 51, 88, 101, 101, 40, 48, 47, 50, 48, 57, 45, 43, 105, 98, 100, 96];

// By hand from the table: p̄ = 1544 / 8000 = 0.193.
// n = 250: σ = √(0.193 · 0.807 / 250) = 0.0249600, limits 0.118120 – 0.267880.
// n = 500: σ = √(0.193 · 0.807 / 500) = 0.0176494, limits 0.140052 – 0.245948.
// The worst shipment, 6 (p = 0.244), has z = 0.051 / 0.02496 = 2.043: the
// process is in control under either rule set, and the longest run on one
// side is three. Laney's σ_z comes out at 0.99946, as it should for data
// that vary binomially.
#[test]
fn pyzdek_table_9_6_variable_sample_sizes() {
    let sizes: Vec<u32> = PEACH_CRATES.iter().map(|crates| crates * 250).collect();
    let peaches = points(&sizes, &BRUISED);
    for rules in RuleSet::ALL {
        let chart = spc::chart(&peaches, &options(ChartKind::P, *rules)).unwrap();
        assert!(chart.violations.is_empty(), "{rules}: {:?}", broken(&chart));
    }
    let chart = spc::chart(&peaches, &ChartOptions::default()).unwrap();
    let limits = chart.limits.unwrap();
    assert!(close(limits.center, 0.193, 1e-12));
    let (one_crate, two_crates) = (chart.points[0], chart.points[10]);
    assert!(close(one_crate.lcl, 0.118_120, 1e-6) && close(one_crate.ucl, 0.267_880, 1e-6));
    assert!(close(two_crates.lcl, 0.140_052, 1e-6) && close(two_crates.ucl, 0.245_948, 1e-6));
    assert!(close(chart.points[5].z.unwrap(), 2.043, 5e-4));
    assert!(close(limits.sigma_z, 0.999_46, 1e-5));
}

// Montgomery, *Introduction to Statistical Quality Control*, the u-chart
// example of chapter 7 ("Control Charts for Nonconformities"): 20 samples
// of n = 5 personal computers, total nonconformities per sample. The book:
// ū = 193 / 100 = 1.93, UCL = 3.79, LCL = 0.07, no point out of control.
// Worked here: σ_i = √(1.93 / 5) = 0.621289, UCL = 1.93 + 3σ = 3.793867,
// LCL = 1.93 − 3σ = 0.066133.
const COMPUTERS: [u32; 20] = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5];

#[test]
fn montgomery_u_chart_of_computer_nonconformities() {
    let samples: Vec<Point> = COMPUTERS.iter().map(|&c| Point::defects(5, c)).collect();
    let chart = spc::chart(&samples, &options(ChartKind::U, RuleSet::Attribute)).unwrap();
    let limits = chart.limits.unwrap();
    assert!(close(limits.center, 193.0 / 100.0, 1e-12));
    let sigma = (1.93_f64 / 5.0).sqrt();
    for (point, &c) in chart.points.iter().zip(&COMPUTERS) {
        assert!(close(point.value, f64::from(c) / 5.0, 1e-12));
        assert!(close(point.ucl, 1.93 + 3.0 * sigma, 1e-12) && close(point.ucl, 3.79, 5e-3));
        assert!(close(point.lcl, 1.93 - 3.0 * sigma, 1e-12) && close(point.lcl, 0.07, 5e-3));
    }
    assert!(chart.violations.is_empty(), "the book finds the process in control");
}

// The orange-juice trial samples on an np-chart (n = 50): centre
// np̄ = 50 · 347/1500 = 11.5667, σ = √(11.5667 · (1 − 0.231333)) = 2.981762,
// UCL = 20.5120, LCL = 2.6214; samples 15 (22) and 23 (24) above, as on the
// p-chart, whose z-scores the np-chart shares.
#[test]
fn montgomery_orange_juice_on_an_np_chart() {
    let cans = points(&[50; 30], &ORANGE_JUICE);
    let np = spc::chart(&cans, &options(ChartKind::Np, RuleSet::Attribute)).unwrap();
    let p_bar: f64 = 347.0 / 1500.0;
    let centre = 50.0 * p_bar;
    let sigma = (centre * (1.0 - p_bar)).sqrt();
    assert!(close(np.limits.unwrap().center, centre, 1e-12));
    assert!(close(np.points[0].ucl, centre + 3.0 * sigma, 1e-12) && close(np.points[0].ucl, 20.512, 5e-4));
    assert!(close(np.points[0].lcl, centre - 3.0 * sigma, 1e-12) && close(np.points[0].lcl, 2.6214, 5e-4));
    assert_eq!(broken(&np), [(Rule::Beyond3Sigma, 15, 15), (Rule::Beyond3Sigma, 23, 23)]);
}

// The book's revised limits drop samples 15 and 23 (assignable causes);
// here they stay on the chart, excluded: p̄ = 301 / 1400 = 0.2150 as in the
// book, and the 28 other samples are judged as there (sample 21 beyond),
// while 15 and 23 are drawn but flag nothing.
#[test]
fn montgomery_revised_limits_by_excluding_the_assignable_causes() {
    let cans = points(&[50; 30], &ORANGE_JUICE);
    let mut excluded = [false; 30];
    excluded[14] = true;
    excluded[22] = true;
    let basis = spc::Basis { excluded: &excluded, frozen: None };
    let chart = spc::chart_with(&cans, &ChartOptions::default(), &basis).unwrap();
    assert!(close(chart.limits.unwrap().center, 301.0 / 1400.0, 1e-12));
    assert!(close(chart.points[0].ucl, 0.3893, 5e-5) && close(chart.points[0].lcl, 0.0407, 5e-5));
    assert_eq!(chart.points.len(), 30);
    assert!(chart.points[14].beyond_limits() && chart.points[22].beyond_limits(), "still drawn where they are");
    assert_eq!(broken(&chart), [(Rule::Beyond3Sigma, 21, 21)]);
}
