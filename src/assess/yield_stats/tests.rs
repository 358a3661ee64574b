//! The yield report's unit tests: pooled figures, months, RTY, Pareto and
//! the JSON shape `analyse` serializes to.

use serde_json::Value;

use super::*;
use crate::model::Process;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn lot(code: &str, produced_on: NaiveDate, started: u32, passed_first: u32) -> Lot {
    Lot {
        lot: code.to_owned(),
        sku: "IP16-DUAL".to_owned(),
        process: Process::CoMolding,
        material: "TPU+PC".to_owned(),
        produced_on,
        started,
        passed_first,
        reworked: 0,
        scrapped: 0,
        defects: Vec::new(),
    }
}

fn step(sku: &str, process: Process, started: u32, passed_first: u32) -> Lot {
    Lot { sku: sku.to_owned(), process, ..lot("L", day(2026, 1, 5), started, passed_first) }
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap().keys().map(String::as_str).collect()
}

// FPY = (900 + 480) / 1500 = 0.92; rework = (60 + 15) / 1500 = 0.05;
// scrap = (40 + 5) / 1500 = 0.03.
#[test]
fn pooled_rates_divide_totals_not_average_lot_rates() {
    let a = Lot { reworked: 60, scrapped: 40, ..lot("A", day(2026, 1, 5), 1000, 900) };
    let b = Lot { reworked: 15, scrapped: 5, ..lot("B", day(2026, 1, 6), 500, 480) };
    let pooled = rates(&[a, b]);
    assert!(close(pooled.fpy.unwrap(), 0.92));
    assert!(close(pooled.rework_rate.unwrap(), 0.05));
    assert!(close(pooled.scrap_rate.unwrap(), 0.03));
    assert_eq!(rates(&[]), Rates::default());
}

#[test]
fn fpy_by_month_groups_calendar_months_oldest_first() {
    let lots = [
        lot("L3", day(2026, 2, 1), 100, 90),
        lot("L1", day(2026, 1, 31), 100, 80),
        lot("L0", day(2025, 12, 15), 50, 50),
        lot("L2", day(2026, 1, 2), 300, 270),
    ];
    let months = fpy_by_month(&lots);
    let rows: Vec<_> = months.iter().map(|m| (m.month.as_str(), m.lots, m.started, m.passed_first)).collect();
    assert_eq!(rows, [("2025-12", 1, 50, 50), ("2026-01", 2, 400, 350), ("2026-02", 1, 100, 90)]);
    assert!(close(months[1].fpy, 0.875));
}

// SKU A: injection (950 + 930) / 2000 = 0.94, assembly 490 / 500 = 0.98,
// printing 190 / 200 = 0.95; RTY = 0.94 × 0.98 × 0.95 = 0.87514.
// SKU B: co-molding 80 / 100 = 0.8 is its RTY.
#[test]
fn rty_multiplies_pooled_step_fpy_in_process_order() {
    let lots = [
        step("B", Process::CoMolding, 100, 80),
        step("A", Process::Printing, 200, 190),
        step("A", Process::Injection, 1000, 950),
        step("A", Process::Assembly, 500, 490),
        step("A", Process::Injection, 1000, 930),
    ];
    let skus = rty_by_sku(&lots);
    assert_eq!(skus.len(), 2);
    assert_eq!(skus[0].sku, "A");
    let steps: Vec<_> = skus[0].steps.iter().map(|s| (s.process, s.lots, s.started)).collect();
    let expected = [(Process::Injection, 2, 2000), (Process::Assembly, 1, 500), (Process::Printing, 1, 200)];
    assert_eq!(steps, expected);
    assert!(close(skus[0].steps[0].fpy, 0.94));
    assert!(close(skus[0].rty, 0.875_14));
    assert!(close(skus[1].rty, 0.8));
}

// flash 20 + 5 = 25, bubble 12, scratch 12 (ties by code), dent 0 dropped;
// 49 in all: shares 25/49, 12/49, 12/49; cumulative 25/49, 37/49, 1.
#[test]
fn pareto_ranks_codes_by_count_with_cumulative_share() {
    let codes = |list: &[(&str, u32)]| list.iter().map(|&(c, n)| (c.to_owned(), n)).collect();
    let lots = [
        Lot { defects: codes(&[("bubble", 12), ("flash", 20)]), ..lot("A", day(2026, 1, 5), 100, 70) },
        Lot { defects: codes(&[("dent", 0), ("flash", 5), ("scratch", 12)]), ..lot("B", day(2026, 1, 6), 100, 80) },
    ];
    let rows = pareto(&lots);
    let ranked: Vec<_> = rows.iter().map(|r| (r.code.as_str(), r.count)).collect();
    assert_eq!(ranked, [("flash", 25), ("bubble", 12), ("scratch", 12)]);
    assert!(close(rows[0].share, 25.0 / 49.0));
    assert!(close(rows[1].cumulative_share, 37.0 / 49.0));
    assert!(close(rows[2].cumulative_share, 1.0));
    assert!(pareto(&[lot("C", day(2026, 1, 7), 10, 10)]).is_empty());
}

#[test]
fn lots_without_units_are_left_out_of_the_aggregates() {
    let lots = [lot("A", day(2026, 1, 5), 0, 0), lot("B", day(2026, 2, 5), 10, 9)];
    assert!(close(rates(&lots).fpy.unwrap(), 0.9));
    assert_eq!(fpy_by_month(&lots).len(), 1);
    assert_eq!(rty_by_sku(&lots)[0].steps[0].lots, 1);
}

// p̄ = 190 / 4000 = 0.0475, σ = √(0.0475 · 0.9525 / 1000) = 0.0067264:
// limits 0.0273209 and 0.0676791, so L4 at p = 0.1 is beyond and the
// others at 0.03 are not.
#[test]
fn analyse_serializes_the_shape_the_cli_prints() {
    let lots: Vec<Lot> = [30, 30, 30, 100]
        .iter()
        .enumerate()
        .map(|(i, &bad)| lot(&format!("L{}", i + 1), day(2026, 1, 5), 1000, 1000 - bad))
        .collect();
    let report = analyse(&lots, &YieldOptions::default()).unwrap();
    let (lcl, ucl) = (report.lots[0].chart.lcl, report.lots[3].chart.ucl);
    assert!((lcl - 0.027_320_9).abs() < 1e-7 && (ucl - 0.067_679_1).abs() < 1e-7);
    let json = serde_json::to_value(&report).unwrap();
    let top = [
        "chart",
        "rules",
        "center",
        "sigma_z",
        "moving_ranges",
        "overdispersed",
        "limits_from",
        "lots",
        "violations",
        "fpy",
        "rework_rate",
        "scrap_rate",
        "fpy_by_month",
        "rty_by_sku",
        "pareto",
    ];
    assert_eq!(keys(&json), top);
    assert_eq!((&json["chart"], &json["rules"]), (&Value::from("p"), &Value::from("attribute")));
    let lot_keys = ["lot", "produced_on", "started", "nonconforming", "p", "lcl", "ucl", "z", "excluded", "annotation"];
    assert_eq!(keys(&json["lots"][0]), lot_keys);
    assert_eq!(json["lots"][3]["produced_on"], "2026-01-05");
    assert_eq!(json["lots"][3]["nonconforming"], 100);
    let violation = serde_json::json!({"lot": "L4", "rule": "beyond-3-sigma", "first_lot": "L4"});
    assert_eq!(json["violations"], Value::Array(vec![violation]));
}

#[test]
fn analyse_names_the_chart_rules_and_baseline_in_force() {
    let lots: Vec<Lot> = (1..=12).map(|i| lot(&format!("L{i}"), day(2026, 1, i), 1000, 990 - i)).collect();
    let options = YieldOptions { kind: ChartKind::Laney, rules: RuleSet::WesternElectric, baseline: Some(6) };
    let json = serde_json::to_value(analyse(&lots, &options).unwrap()).unwrap();
    assert_eq!((&json["chart"], &json["rules"]), (&Value::from("laney"), &Value::from("western-electric")));
    assert_eq!(json["baseline_lots"], 6);
    // σ_z is estimated from the six baseline lots: five moving ranges.
    assert_eq!(json["moving_ranges"], 5);
}

#[test]
fn analyse_with_no_lots_reports_nothing_rather_than_nan() {
    let report = analyse(&[], &YieldOptions::default()).unwrap();
    assert_eq!((report.center, report.sigma_z, report.rates.fpy), (None, None, None));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["center"], Value::Null);
    assert_eq!(json["lots"], Value::Array(Vec::new()));
}

#[test]
fn analyse_rejects_lots_the_chart_cannot_place_naming_them() {
    let empty = [lot("L-EMPTY", day(2026, 1, 5), 0, 0)];
    let message = analyse(&empty, &YieldOptions::default()).unwrap_err().to_string();
    assert!(message.contains("L-EMPTY") && message.contains("no units started"));
    let over = [lot("L-OVER", day(2026, 1, 5), 10, 11)];
    let message = analyse(&over, &YieldOptions::default()).unwrap_err().to_string();
    assert!(message.contains("L-OVER") && message.contains("11 units passed"));
}

#[test]
fn analyse_rejects_an_empty_baseline() {
    let lots = [lot("L1", day(2026, 1, 5), 10, 9)];
    let options = YieldOptions { baseline: Some(0), ..YieldOptions::default() };
    let message = analyse(&lots, &options).unwrap_err().to_string();
    assert!(message.contains("baseline"));
}
