//! The charts added to `casebook yield`, through the binary on the demo
//! data as of 2026-11-15: one default window (the policy's) stated in every
//! output, the u-chart and Laney u′ recomputed here from `demo-lots.csv`'s
//! defect columns, and FPY by material and process with Wilson intervals
//! recomputed here from the formula.

mod common;

use std::collections::BTreeMap;

use common::{Sandbox, fixture};
use serde_json::Value;

const AS_OF: &str = "2026-11-15";
const WINDOW_START: &str = "2025-11-15";

/// One row of `demo-lots.csv`, with its defects summed over every code.
#[derive(Debug, Clone)]
struct Row {
    supplier: String,
    lot: String,
    process: String,
    material: String,
    produced_on: String,
    started: u64,
    passed_first: u64,
    defects: u64,
}

fn rows() -> Vec<Row> {
    let mut reader = csv::Reader::from_path(fixture("demo-lots.csv")).expect("the demo fixture");
    let headers = reader.headers().expect("the demo fixture").clone();
    let at = |name: &str| headers.iter().position(|h| h == name).expect("the demo fixture");
    let defect_columns: Vec<usize> =
        headers.iter().enumerate().filter(|(_, h)| h.starts_with("defect:")).map(|(i, _)| i).collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("the demo fixture");
            Row {
                supplier: r[at("supplier")].to_owned(),
                lot: r[at("lot")].to_owned(),
                process: r[at("process")].to_owned(),
                material: r[at("material")].to_owned(),
                produced_on: r[at("produced_on")].to_owned(),
                started: r[at("started")].parse().expect("the demo fixture"),
                passed_first: r[at("passed_first")].parse().expect("the demo fixture"),
                defects: defect_columns
                    .iter()
                    .filter(|&&i| !r[i].is_empty())
                    .map(|&i| r[i].parse::<u64>().expect("the demo fixture"))
                    .sum(),
            }
        })
        .collect()
}

/// A supplier's lots in the default window, in chart order.
fn window(supplier: &str) -> Vec<Row> {
    let mut lots: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.supplier == supplier && r.produced_on.as_str() >= WINDOW_START && r.produced_on.as_str() <= AS_OF)
        .collect();
    lots.sort_by(|a, b| (&a.produced_on, &a.lot).cmp(&(&b.produced_on, &b.lot)));
    lots
}

fn run(db: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["--as-of", AS_OF, "yield"];
    all.extend_from_slice(args);
    let out = db.run(&all);
    out.assert_success();
    out.stdout
}

fn json(db: &Sandbox, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&run(db, &all)).expect("the demo fixture")
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn one_default_window_the_policys_stated_in_every_output() {
    let db = Sandbox::demo();
    let report = json(&db, &["--supplier", "DG-SWING"]);
    let lots = window("DG-SWING");
    assert_eq!(report["lots"].as_array().unwrap().len(), lots.len());
    assert_eq!(report["filters"]["since"], WINDOW_START);
    assert_eq!(report["filters"]["window_months"], 12);
    let fpy =
        lots.iter().map(|l| l.passed_first).sum::<u64>() as f64 / lots.iter().map(|l| l.started).sum::<u64>() as f64;
    assert!(close(report["fpy"].as_f64().unwrap(), fpy, 1e-12));
    let table = run(&db, &["--supplier", "DG-SWING"]);
    assert!(table.contains("window: lots produced 2025-11-15 … 2026-11-15 (the policy's 12-month yield"), "{table}");
    let everything = json(&db, &["--supplier", "DG-SWING", "--all-lots"]);
    let all_lots = rows().iter().filter(|r| r.supplier == "DG-SWING" && r.produced_on.as_str() <= AS_OF).count();
    assert_eq!(everything["lots"].as_array().unwrap().len(), all_lots);
    assert!(everything["filters"].get("window_months").is_none());
    // The policy's window moves with it.
    let set = db.run(&["policy", "set", "yield.window_months", "6"]);
    set.assert_success();
    assert_eq!(json(&db, &["--supplier", "DG-SWING"])["filters"]["since"], "2026-05-15");
}

// u_i = defects_i / started_i, ū = Σ defects / Σ started, limits
// ū ± 3·√(ū/n_i) with the lower clamped at 0; Laney u′ multiplies σ_i by
// σ_z = mean |z_i − z_{i−1}| / 1.128 of the classical z-scores.
#[test]
fn u_and_laney_u_charts_match_a_computation_from_the_csv() {
    let db = Sandbox::demo();
    let lots = window("SZ-ARMOR");
    let u_bar = lots.iter().map(|l| l.defects).sum::<u64>() as f64 / lots.iter().map(|l| l.started).sum::<u64>() as f64;
    let report = json(&db, &["--supplier", "SZ-ARMOR", "--chart", "u"]);
    assert_eq!(report["chart"], "u");
    assert!(close(report["center"].as_f64().unwrap(), u_bar, 1e-12));
    let judged = report["lots"].as_array().unwrap();
    assert_eq!(judged.len(), lots.len());
    let mut zs = Vec::new();
    for (lot, row) in judged.iter().zip(&lots) {
        assert_eq!(lot["lot"], row.lot.as_str());
        assert_eq!(lot["defects"], row.defects);
        assert!(lot.get("p").is_none() && lot.get("nonconforming").is_none(), "a u-chart speaks of u and defects");
        let n = row.started as f64;
        let u = row.defects as f64 / n;
        let sigma = (u_bar / n).sqrt();
        assert!(close(lot["u"].as_f64().unwrap(), u, 1e-12));
        assert!(close(lot["ucl"].as_f64().unwrap(), u_bar + 3.0 * sigma, 1e-12));
        assert!(close(lot["lcl"].as_f64().unwrap(), (u_bar - 3.0 * sigma).max(0.0), 1e-12));
        assert!(close(lot["z"].as_f64().unwrap(), (u - u_bar) / sigma, 1e-9));
        zs.push((u - u_bar) / sigma);
    }
    let sigma_z = zs.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (zs.len() - 1) as f64 / 1.128;
    let laney = json(&db, &["--supplier", "SZ-ARMOR", "--chart", "laney-u"]);
    assert!(close(laney["sigma_z"].as_f64().unwrap(), sigma_z, 1e-9));
    let first = &lots[0];
    let ucl = u_bar + 3.0 * (u_bar / first.started as f64).sqrt() * sigma_z;
    assert!(close(laney["lots"][0]["ucl"].as_f64().unwrap(), ucl, 1e-9));
    let table = run(&db, &["--supplier", "SZ-ARMOR", "--chart", "u"]);
    assert!(table.contains("chart: u (u-chart of defects per unit") && table.contains("centre ū"), "{table}");
    let csv = run(&db, &["--supplier", "SZ-ARMOR", "--chart", "u", "--format", "csv"]);
    assert!(csv.starts_with("lot,produced_on,started,defects,u,lcl,ucl,z,"), "{csv}");
}

/// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96.
fn wilson(successes: u64, n: u64) -> (f64, f64) {
    let (n, p, z) = (n as f64, successes as f64 / n as f64, 1.96_f64);
    let middle = p + z * z / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((middle - half) / (1.0 + z * z / n), (middle + half) / (1.0 + z * z / n))
}

#[test]
fn fpy_by_material_and_process_with_wilson_intervals() {
    let db = Sandbox::demo();
    for (by, key) in [("material", 0), ("process", 1)] {
        let report = json(&db, &["--supplier", "SZ-ARMOR", "--by", by]);
        assert_eq!(report["by"], by);
        let mut expected: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
        for row in window("SZ-ARMOR") {
            let k = if key == 0 { row.material.clone() } else { row.process.clone() };
            let entry = expected.entry(k).or_default();
            entry.0.push(row.lot.clone());
            entry.1 += row.started;
            entry.2 += row.passed_first;
        }
        let strata = report["strata"].as_array().unwrap();
        assert_eq!(strata.len(), expected.len());
        assert!(!strata.is_empty());
        for (stratum, (k, (lots, started, passed))) in strata.iter().zip(&expected) {
            assert_eq!(stratum["key"], k.as_str());
            let codes: Vec<&str> = stratum["lots"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
            assert_eq!(codes, *lots);
            let (low, high) = wilson(*passed, *started);
            assert!(close(stratum["fpy"].as_f64().unwrap(), *passed as f64 / *started as f64, 1e-12));
            assert!(close(stratum["low"].as_f64().unwrap(), low, 1e-12));
            assert!(close(stratum["high"].as_f64().unwrap(), high, 1e-12));
        }
        let table = run(&db, &["--supplier", "SZ-ARMOR", "--by", by]);
        assert!(table.contains("95% Wilson") && table.contains("12-month yield window"), "{table}");
    }
}
