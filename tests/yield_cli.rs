//! `casebook yield` through the binary, on the demo fixtures as of
//! 2026-11-15. Expected figures are recomputed here from `demo-lots.csv`
//! itself, not taken from the library.

mod common;

use std::collections::HashMap;

use common::{Run, Sandbox, fixture};
use serde_json::Value;

const AS_OF: &str = "2026-11-15";

/// A copy of the demo database (imported once per test process).
fn demo_db() -> Sandbox {
    Sandbox::demo()
}

/// `casebook --db DB --as-of 2026-11-15 yield ARGS...`
fn casebook(db: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["--as-of", AS_OF, "yield"];
    all.extend_from_slice(args);
    db.run(&all)
}

fn stdout(db: &Sandbox, args: &[&str]) -> String {
    let output = casebook(db, args);
    assert_eq!(output.code, Some(0), "{args:?} failed: {}", output.stderr);
    assert!(!output.stdout.contains(char::REPLACEMENT_CHARACTER), "{args:?}: not UTF-8 on stdout");
    output.stdout
}

fn json(db: &Sandbox, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&stdout(db, &all)).expect("one JSON document")
}

/// Runs a command that must fail; returns its stderr.
fn fails(db: &Sandbox, args: &[&str]) -> String {
    let output = casebook(db, args);
    assert_ne!(output.code, Some(0), "{args:?} should have failed");
    assert!(output.stdout.is_empty(), "{args:?} printed on stdout despite failing");
    assert!(!output.stderr.contains(char::REPLACEMENT_CHARACTER), "{args:?}: not UTF-8 on stderr");
    output.stderr
}

/// One row of `demo-lots.csv`.
#[derive(Debug, Clone)]
struct CsvLot {
    supplier: String,
    lot: String,
    process: String,
    produced_on: String,
    started: u64,
    passed_first: u64,
}

fn csv_lots() -> Vec<CsvLot> {
    let mut reader = csv::Reader::from_path(fixture("demo-lots.csv")).expect("the fixture opens");
    let headers = reader.headers().expect("a header row").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect("a fixture column");
    let (supplier, lot, process, day) = (column("supplier"), column("lot"), column("process"), column("produced_on"));
    let (started, passed_first) = (column("started"), column("passed_first"));
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record");
            CsvLot {
                supplier: record[supplier].to_owned(),
                lot: record[lot].to_owned(),
                process: record[process].to_owned(),
                produced_on: record[day].to_owned(),
                started: record[started].parse().expect("a count"),
                passed_first: record[passed_first].parse().expect("a count"),
            }
        })
        .collect()
}

fn lots_of(supplier: &str, until: &str) -> Vec<CsvLot> {
    csv_lots().into_iter().filter(|l| l.supplier == supplier && l.produced_on.as_str() <= until).collect()
}

/// The first day of the policy's default 12-month window ending on as-of.
const WINDOW_START: &str = "2025-11-15";

/// The lots of the default window: the 12 months up to as-of.
fn window_lots(supplier: &str) -> Vec<CsvLot> {
    lots_of(supplier, AS_OF).into_iter().filter(|l| l.produced_on.as_str() >= WINDOW_START).collect()
}

fn pooled_p(lots: &[CsvLot]) -> f64 {
    let started: u64 = lots.iter().map(|l| l.started).sum();
    let nonconforming: u64 = lots.iter().map(|l| l.started - l.passed_first).sum();
    nonconforming as f64 / started as f64
}

fn lot_codes(report: &Value) -> Vec<&str> {
    report["lots"].as_array().expect("lots").iter().map(|l| l["lot"].as_str().expect("a lot code")).collect()
}

fn violations<'v>(report: &'v Value, rule: &str) -> Vec<&'v str> {
    let all = report["violations"].as_array().expect("violations");
    all.iter().filter(|v| v["rule"] == rule).map(|v| v["lot"].as_str().expect("a lot code")).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn dg_swing_spikes_are_beyond_3_sigma_and_named_by_real_lots() {
    let db = demo_db();
    let report = json(&db, &["--supplier", "DG-SWING"]);
    assert_eq!(
        (&report["supplier"], &report["chart"], &report["rules"]),
        (&"DG-SWING".into(), &"p".into(), &"attribute".into())
    );
    let beyond = violations(&report, "beyond-3-sigma");
    assert!(beyond.len() >= 5, "DG-SWING's spike lots should be flagged, got {beyond:?}");
    let csv: HashMap<String, CsvLot> = lots_of("DG-SWING", AS_OF).into_iter().map(|l| (l.lot.clone(), l)).collect();
    for code in beyond {
        let lot = report["lots"].as_array().unwrap().iter().find(|l| l["lot"] == code).unwrap();
        let source = &csv[code];
        assert_eq!(lot["nonconforming"], source.started - source.passed_first);
        assert!(lot["z"].as_f64().unwrap() > 3.0 && lot["p"].as_f64().unwrap() > lot["ucl"].as_f64().unwrap());
    }
}

#[test]
fn sz_armor_is_stable() {
    let db = demo_db();
    let report = json(&db, &["--supplier", "SZ-ARMOR"]);
    assert!(!report["lots"].as_array().unwrap().is_empty());
    assert_eq!(violations(&report, "beyond-3-sigma"), Vec::<&str>::new());
    assert!(report["lots"].as_array().unwrap().iter().all(|l| l["z"].as_f64().unwrap().abs() <= 3.0));
}

#[test]
fn centre_is_pooled_nonconforming_over_started_and_lots_are_in_chart_order() {
    let db = demo_db();
    let report = json(&db, &["--supplier", "DG-SWING"]);
    let mut expected = window_lots("DG-SWING");
    assert!(close(report["center"].as_f64().unwrap(), pooled_p(&expected)));
    expected.sort_by(|a, b| (&a.produced_on, &a.lot).cmp(&(&b.produced_on, &b.lot)));
    let order: Vec<&str> = expected.iter().map(|l| l.lot.as_str()).collect();
    assert_eq!(lot_codes(&report), order);
}

#[test]
fn a_process_filter_keeps_only_that_process() {
    let db = demo_db();
    let all = csv_lots();
    // A supplier with more than one process, so the filter has something to drop.
    let mut processes: HashMap<&str, Vec<&str>> = HashMap::new();
    for lot in &all {
        let seen = processes.entry(lot.supplier.as_str()).or_default();
        if !seen.contains(&lot.process.as_str()) {
            seen.push(&lot.process);
        }
    }
    let (supplier, kinds) = processes.iter().filter(|(_, p)| p.len() > 1).min_by_key(|(s, _)| **s).unwrap();
    let process = kinds[0];
    let report = json(&db, &["--supplier", supplier, "--process", process]);
    let by_code: HashMap<&str, &CsvLot> =
        all.iter().filter(|l| l.supplier == *supplier).map(|l| (l.lot.as_str(), l)).collect();
    let codes = lot_codes(&report);
    let in_window = |l: &&CsvLot| l.produced_on.as_str() <= AS_OF && l.produced_on.as_str() >= WINDOW_START;
    let expected = all.iter().filter(|l| l.supplier == *supplier && l.process == process).filter(in_window);
    assert_eq!(codes.len(), expected.count());
    assert!(codes.len() < by_code.len());
    assert!(codes.iter().all(|code| by_code[code].process == process));
    assert_eq!(report["filters"]["process"], process);
}

#[test]
fn laney_widens_the_limits_and_says_so() {
    let db = demo_db();
    let classical = json(&db, &["--supplier", "DG-SWING"]);
    let laney = json(&db, &["--supplier", "DG-SWING", "--chart", "laney"]);
    assert_eq!(laney["chart"], "laney");
    assert_eq!(classical["overdispersed"], true);
    let sigma_z = laney["sigma_z"].as_f64().unwrap();
    assert!(sigma_z > 1.0);
    let width =
        |report: &Value| report["lots"][0]["ucl"].as_f64().unwrap() - report["lots"][0]["lcl"].as_f64().unwrap();
    assert!(width(&laney) > width(&classical) * 1.5);
    assert_eq!(laney["center"], classical["center"]);
    let table = stdout(&db, &["--supplier", "DG-SWING", "--chart", "laney"]);
    assert!(table.contains("chart: laney (Laney p′ chart"), "{table}");
}

#[test]
fn baseline_until_freezes_the_centre_on_the_baseline_lots() {
    let db = demo_db();
    let day = "2025-06-30";
    let report = json(&db, &["--supplier", "DG-SWING", "--all-lots", "--baseline-until", day]);
    let baseline = lots_of("DG-SWING", day);
    assert_eq!(report["baseline_lots"], baseline.len());
    assert!(close(report["center"].as_f64().unwrap(), pooled_p(&baseline)));
    assert!(!close(report["center"].as_f64().unwrap(), pooled_p(&lots_of("DG-SWING", AS_OF))));
    assert_eq!(report["lots"].as_array().unwrap().len(), lots_of("DG-SWING", AS_OF).len());
}

#[test]
fn an_empty_baseline_is_an_error_naming_the_first_lot_day() {
    let db = demo_db();
    let message = fails(&db, &["--supplier", "DG-SWING", "--all-lots", "--baseline-until", "2020-01-01"]);
    assert!(message.contains("--baseline-until 2020-01-01") && message.contains("2024-11-14"), "{message}");
}

#[test]
fn csv_has_one_row_per_lot_with_its_rules() {
    let db = demo_db();
    let text = stdout(&db, &["--supplier", "DG-SWING", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let expected =
        ["lot", "produced_on", "started", "nonconforming", "p", "lcl", "ucl", "z", "violations", "excluded", "cause"];
    assert_eq!(headers, expected);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let report = json(&db, &["--supplier", "DG-SWING"]);
    assert_eq!(rows.len(), report["lots"].as_array().unwrap().len());
    let beyond = violations(&report, "beyond-3-sigma");
    assert!(!beyond.is_empty(), "DG-SWING's spike lots should be flagged");
    for code in beyond {
        let row = rows.iter().find(|r| &r[0] == code).unwrap();
        assert!(row[8].split(';').any(|rule| rule == "beyond-3-sigma"), "{row:?}");
        assert!(row[4].parse::<f64>().unwrap() > row[6].parse::<f64>().unwrap());
    }
}

#[test]
fn all_ranks_suppliers_by_violations_with_dg_swing_first() {
    let db = demo_db();
    let report = json(&db, &["--all"]);
    let rows = report["suppliers"].as_array().unwrap();
    let count = |row: &Value| row["beyond_limits"].as_u64().unwrap() + row["other_violations"].as_u64().unwrap();
    assert_eq!(rows[0]["supplier"], "DG-SWING");
    assert!(rows[0]["beyond_limits"].as_u64().unwrap() > 0);
    for pair in rows.windows(2) {
        let key = |row: &Value| (std::cmp::Reverse(count(row)), row["supplier"].as_str().unwrap().to_owned());
        assert!(key(&pair[0]) <= key(&pair[1]), "not sorted: {} then {}", pair[0]["supplier"], pair[1]["supplier"]);
    }
    let armor = rows.iter().find(|r| r["supplier"] == "SZ-ARMOR").unwrap();
    assert_eq!(armor["beyond_limits"], 0);
    // The default window is the 12 months up to as-of; SZ-TRADEX has no lots and no row.
    assert_eq!((&report["since"], &report["until"]), (&"2025-11-15".into(), &AS_OF.into()));
    assert!(rows.iter().all(|r| r["supplier"] != "SZ-TRADEX"));
    let window = lots_of("DG-SWING", AS_OF).into_iter().filter(|l| l.produced_on.as_str() >= "2025-11-15").count();
    assert_eq!(rows[0]["lots"], window);
}

#[test]
fn all_as_csv_names_chart_and_rules_on_every_row() {
    let db = demo_db();
    let text = stdout(&db, &["--all", "--chart", "laney", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let expected = ["supplier", "lots", "center", "sigma_z", "beyond_limits", "other_violations", "overdispersed"];
    assert_eq!(headers[..7], expected);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json(&db, &["--all"])["suppliers"].as_array().unwrap().len());
    assert!(rows.iter().all(|r| &r[8] == "laney" && &r[9] == "attribute"));
    assert!(rows.iter().all(|r| r[2].parse::<f64>().unwrap() > 0.0 && r[2].parse::<f64>().unwrap() < 1.0));
}

#[test]
fn all_agrees_with_one_supplier_over_the_same_window() {
    let db = demo_db();
    let window = ["--since", "2025-01-01", "--until", "2026-06-30", "--rules", "western-electric"];
    let all = json(&db, &[&["--all"][..], &window].concat());
    let one = json(&db, &[&["--supplier", "DG-SWING"][..], &window].concat());
    let row = all["suppliers"].as_array().unwrap().iter().find(|r| r["supplier"] == "DG-SWING").unwrap();
    assert_eq!(row["center"], one["center"]);
    assert_eq!(row["sigma_z"], one["sigma_z"]);
    let pairs = |list: &Value| -> Vec<(String, String)> {
        list.as_array().unwrap().iter().map(|v| (v["lot"].to_string(), v["rule"].to_string())).collect()
    };
    assert_eq!(pairs(&row["violations"]), pairs(&one["violations"]));
}

#[test]
fn until_defaults_to_as_of_and_cannot_pass_it() {
    let db = demo_db();
    let early = ["--as-of", "2026-06-30"];
    let run = |extra: &[&str]| -> Value {
        let output = db.run(&[&early[..], &["yield", "--supplier", "SZ-ARMOR", "--format", "json"], extra].concat());
        serde_json::from_str(&output.stdout).unwrap()
    };
    let by_default = run(&[]);
    let last = by_default["lots"].as_array().unwrap().last().unwrap()["produced_on"].as_str().unwrap().to_owned();
    assert!(last.as_str() <= "2026-06-30");
    let window = lots_of("SZ-ARMOR", "2026-06-30").into_iter().filter(|l| l.produced_on.as_str() >= "2025-06-30");
    assert_eq!(lot_codes(&by_default).len(), window.count());
    assert_eq!(run(&["--until", "2030-01-01"])["lots"], by_default["lots"]);
}

#[test]
fn the_table_fits_80_columns_and_names_chart_and_rules() {
    let db = demo_db();
    for args in
        [&["--supplier", "DG-SWING"][..], &["--supplier", "SZ-ARMOR", "--rules", "western-electric"], &["--all"]]
    {
        let text = stdout(&db, args);
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{args:?}: line too long: {line}");
        }
        assert!(text.contains("chart: p (classical p-chart"), "{text}");
    }
    let swing = stdout(&db, &["--supplier", "DG-SWING"]);
    assert!(swing.contains("rules: attribute (3σ = beyond-3-sigma, 9R = nine-in-a-row)"));
    assert!(swing.contains("over-dispersed") && swing.contains("Defect Pareto") && swing.contains("RTY by SKU"));
    let spike = swing.lines().find(|l| l.ends_with("3σ")).unwrap();
    assert!(spike.contains('%') && spike.contains('+'), "{spike}");
}

#[test]
fn no_lots_is_an_error_for_the_table_but_an_empty_report_in_json() {
    let db = demo_db();
    let message = fails(&db, &["--supplier", "SZ-TRADEX"]);
    assert!(message.contains("SZ-TRADEX has no production lots"), "{message}");
    let message = fails(&db, &["--supplier", "DG-SWING", "--process", "printing"]);
    assert!(message.contains("--process printing") && message.contains("processes: co_molding"), "{message}");
    let empty = json(&db, &["--supplier", "DG-SWING", "--process", "printing"]);
    assert_eq!(empty["center"], Value::Null);
    assert_eq!((&empty["lots"], &empty["violations"]), (&Value::Array(vec![]), &Value::Array(vec![])));
    let csv = stdout(&db, &["--supplier", "DG-SWING", "--process", "printing", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 1);
}

#[test]
fn bad_input_is_refused_with_the_valid_values() {
    let db = demo_db();
    let message = fails(&db, &["--supplier", "NOPE"]);
    assert!(message.contains("no supplier with code `NOPE`") && message.contains("DG-SWING"), "{message}");
    // Any case is the code (issue 12); a near miss is suggested.
    assert!(stdout(&db, &["--supplier", "dg-swing"]).contains("DG-SWING"));
    assert!(fails(&db, &["--supplier", "DG-SWNG"]).contains("did you mean `DG-SWING`?"));
    let message = fails(&db, &["--supplier", "DG-SWING", "--process", "moulding"]);
    assert!(message.contains("moulding") && message.contains("injection, co_molding, assembly"), "{message}");
    let message = fails(&db, &["--supplier", "DG-SWING", "--since", "2026-02-30"]);
    assert!(message.contains("2026-02-30"), "{message}");
    let message = fails(&db, &["--supplier", "DG-SWING", "--chart", "pp"]);
    assert!(message.contains("p, laney, np, u, laney-u"), "{message}");
    let message = fails(&db, &["--supplier", "DG-SWING", "--chart", "np"]);
    assert!(message.contains("same size") && message.contains("--chart p"), "{message}");
    let message = fails(&db, &["--supplier", "DG-SWING", "--since", "2027-01-01"]);
    assert!(message.contains("--since 2027-01-01"), "{message}");
    assert!(fails(&db, &["--supplier", "DG-SWING", "--all"]).contains("cannot be used with"));
    assert!(fails(&db, &[]).contains("--supplier"));
}
