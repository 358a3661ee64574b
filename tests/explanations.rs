//! Where the assessment explains itself, through the binary: a value next to
//! the threshold it is judged against is shown with the decimals it takes
//! to be true (84.99% is never "85.0% … below the 85% minimum"); production-
//! yield evidence stands `noted` in `explain`'s table and JSON alike (one
//! source of truth, in `assess`); and `yield-no-lots` (high) fires for a
//! supplier claiming ODM, not for one that only makes OEM.

#![allow(clippy::unwrap_used)]

mod common;

use common::Sandbox;
use serde_json::{Value, json};

const AS_OF: &str = "2026-11-15";

/// A supplier with `lots` lots of 10,000 units each, `passed` passing first
/// time, produced monthly up to 2026-11-01, and the given claims and models.
fn supplier(code: &str, models: &[&str], claims: &[&str], lots: u32, passed: u32) -> Value {
    let lots: Vec<Value> = (0..lots)
        .map(|i| {
            json!({"lot": format!("{code}-{i}"), "sku": "S", "process": "injection", "material": "PC",
                   "produced_on": format!("2026-{:02}-01", 11 - i), "started": 10_000, "passed_first": passed,
                   "reworked": 0, "scrapped": 0})
        })
        .collect();
    let claims: Vec<Value> =
        claims.iter().map(|c| json!({"capability": c, "source": "website", "stated_on": "2026-01-05"})).collect();
    json!({"code": code, "name": "Cases", "country": "CN", "business_type": "manufacturer", "models": models,
           "claims": claims, "lots": lots})
}

fn sandbox_with(suppliers: &[Value]) -> Sandbox {
    let sandbox = Sandbox::empty();
    sandbox.write("s.json", json!({"format": "casebook-dossier/1", "suppliers": suppliers}).to_string());
    sandbox.run(&["import", "s.json"]).assert_success();
    sandbox
}

fn flags_of(sandbox: &Sandbox, code: &str) -> Value {
    let out = sandbox.run(&["--as-of", AS_OF, "flags", "--supplier", code, "--format", "json"]);
    let all: Value = serde_json::from_str(&out.stdout).unwrap();
    all[0].clone()
}

#[test]
fn a_yield_just_under_the_minimum_never_reads_as_the_minimum() {
    // 8,499 of 10,000 in every lot: a pooled FPY of 84.99%, under 85%.
    let sandbox = sandbox_with(&[supplier("FP-1", &["odm"], &["feasibility"], 6, 8_499)]);
    let entry = flags_of(&sandbox, "FP-1");
    let low = entry["flags"].as_array().unwrap().iter().find(|f| f["rule"] == "yield-low-fpy").unwrap();
    let message = low["message"].as_str().unwrap();
    assert!(message.contains("is 84.99% over 6 lots") && message.contains("below the 85% minimum"), "{message}");
    let pillar = entry["pillars"].as_array().unwrap().iter().find(|p| p["pillar"] == "production_yield").unwrap();
    let detail = pillar["detail"].as_str().unwrap();
    assert!(detail.contains("FPY 84.99% (minimum 85%)"), "{detail}");
    // A policy minimum between whole percents is shown as it is, not rounded.
    sandbox.run(&["policy", "set", "yield.min_fpy", "84.995%"]).assert_success();
    let entry = flags_of(&sandbox, "FP-1");
    let text = entry["flags"].to_string();
    assert!(text.contains("is 84.99% over") && text.contains("below the 84.995% minimum"), "{text}");
    let table = sandbox.run(&["--as-of", AS_OF, "flags"]);
    table.assert_stdout_has("FPY ≥ 84.995%");
}

#[test]
fn production_yield_evidence_is_noted_in_the_table_and_the_json_alike() {
    let sandbox = Sandbox::demo();
    let json = sandbox.run(&["--as-of", AS_OF, "explain", "DG-SWING", "--format", "json"]);
    let assessment: Value = serde_json::from_str(&json.stdout).unwrap();
    let yield_pillar =
        assessment["pillars"].as_array().unwrap().iter().find(|p| p["pillar"] == "production_yield").unwrap();
    let standings: Vec<&str> =
        yield_pillar["evidence"].as_array().unwrap().iter().map(|e| e["standing"].as_str().unwrap()).collect();
    assert!(!standings.is_empty(), "DG-SWING files lot travellers under production yield");
    assert!(standings.iter().all(|s| *s == "noted"), "{standings:?}");
    let table = sandbox.run(&["--as-of", AS_OF, "explain", "DG-SWING"]);
    let section = table.stdout.split("production yield —").nth(1).unwrap();
    let marks = section.lines().skip(2).take(standings.len());
    assert!(marks.clone().all(|l| l.trim_start().starts_with("noted")), "{section}");
}

#[test]
fn no_lots_is_high_for_an_odm_claim_and_not_raised_for_an_oem_only_supplier() {
    let sandbox = sandbox_with(&[
        supplier("OEM-ONLY", &["oem"], &["mass_production"], 0, 0),
        supplier("ODM-CLAIM", &["oem", "odm"], &["feasibility"], 0, 0),
        supplier("ODM-LISTED", &["odm"], &[], 0, 0),
    ]);
    let rules = |code: &str| -> Vec<String> {
        let entry = flags_of(&sandbox, code);
        entry["flags"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!rules("OEM-ONLY").iter().any(|r| r.starts_with("yield-")), "{:?}", rules("OEM-ONLY"));
    assert!(rules("ODM-CLAIM").contains(&"yield-no-lots".to_owned()));
    assert!(rules("ODM-LISTED").contains(&"yield-no-lots".to_owned()));
    let fail_on = |code: &str| sandbox.run(&["--as-of", AS_OF, "flags", "--supplier", code, "--fail-on", "high"]).code;
    assert_eq!(fail_on("OEM-ONLY"), Some(0));
    assert_eq!(fail_on("ODM-CLAIM"), Some(1));
    // The pillar still says there are no lots.
    let entry = flags_of(&sandbox, "OEM-ONLY");
    assert!(entry["pillars"].to_string().contains("\"status\":\"no_lots\""));
}
