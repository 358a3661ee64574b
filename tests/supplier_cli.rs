//! `casebook supplier new|edit` through the binary: fields change one by
//! one and land in the history with who did it; bad values are refused with
//! the field and what is valid, and change nothing.

mod common;

use common::Sandbox;
use serde_json::Value;

fn supplier_json(sandbox: &Sandbox, code: &str) -> Value {
    let out = sandbox.run(&["suppliers", "--format", "json"]);
    out.assert_success();
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).expect("suppliers as JSON");
    rows.into_iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("no {code}"))
}

#[test]
fn edit_changes_only_the_fields_given_and_records_them() {
    let sandbox = Sandbox::demo();
    let before = supplier_json(&sandbox, "DG-FOLIO");
    let out =
        sandbox.run(&["--auditor", "auditor.b", "supplier", "edit", "DG-FOLIO", "--moq", "500", "--city", "Dongguan"]);
    out.assert_success();
    let after = supplier_json(&sandbox, "DG-FOLIO");
    assert_eq!(after["moq"], 500);
    assert_eq!(after["city"], "Dongguan");
    for field in ["name", "country", "business_type", "models", "dev_lead_days"] {
        assert_eq!(after[field], before[field], "{field} was not given and must not change");
    }
    let moq_before = before["moq"].as_u64().map_or("—".to_owned(), |m| m.to_string());
    out.assert_stdout_has(&format!("moq {moq_before} → 500"));

    let history = sandbox.run(&["history", "DG-FOLIO", "--format", "json"]);
    history.assert_success();
    let rows: Vec<Value> = serde_json::from_str(&history.stdout).unwrap();
    let moq = rows.iter().find(|r| r["field"] == "moq" && r["new"] == "500").expect("the moq change is in the history");
    assert_eq!(moq["actor"], "auditor.b");
    assert_eq!(moq["action"], "update");

    // The same edit again changes nothing and records nothing.
    let again = sandbox.run(&["supplier", "edit", "DG-FOLIO", "--moq", "500"]);
    again.assert_success().assert_stdout_has("nothing changed");
    let rows_again: Vec<Value> =
        serde_json::from_str(&sandbox.run(&["history", "DG-FOLIO", "--format", "json"]).stdout).unwrap();
    assert_eq!(rows_again.len(), rows.len());
}

#[test]
fn an_empty_value_clears_an_optional_field() {
    let sandbox = Sandbox::demo();
    sandbox.run(&["supplier", "edit", "DG-FOLIO", "--moq", "300", "--notes", "visit again"]).assert_success();
    sandbox.run(&["supplier", "edit", "DG-FOLIO", "--moq", "", "--notes", ""]).assert_success();
    let after = supplier_json(&sandbox, "DG-FOLIO");
    assert!(after.get("moq").is_none() && after.get("notes").is_none(), "{after}");
}

#[test]
fn bad_values_are_refused_with_the_field_and_change_nothing() {
    let sandbox = Sandbox::demo();
    let snapshot = sandbox.snapshot();
    let cases: [(&[&str], &str); 6] = [
        (&["--moq", "-5"], "--moq: \"-5\" must not be negative"),
        (&["--moq", "0"], "--moq: \"0\" must be at least 1"),
        (&["--country", "China"], "--country: \"China\" is not a country code"),
        (&["--type", "factory"], "--type: \"factory\" is not a business type; expected one of: manufacturer"),
        (&["--models", "oem,dom"], "--models: \"oem,dom\" expected oem, odm"),
        (&["--name", " "], "--name: is required and must not be blank"),
    ];
    for (args, says) in cases {
        let mut all = vec!["supplier", "edit", "DG-FOLIO", "--city", "Dongguan"];
        all.extend_from_slice(args);
        sandbox.run(&all).assert_failure().assert_stderr_has(says).assert_stderr_has("nothing was changed");
    }
    sandbox.run(&["supplier", "edit", "NO-SUCH", "--moq", "5"]).assert_failure().assert_stderr_has("NO-SUCH");
    sandbox.assert_unchanged(&snapshot);
}

#[test]
fn new_records_a_supplier_once() {
    let sandbox = Sandbox::empty();
    sandbox
        .run(&["supplier", "new", "SZ-NEWCO", "--name", "New Co", "--country", "CN", "--models", "oem,odm"])
        .assert_success();
    let row = supplier_json(&sandbox, "SZ-NEWCO");
    assert_eq!(row["models"], serde_json::json!(["oem", "odm"]));
    assert_eq!(row["business_type"], "unknown");
    sandbox
        .run(&["supplier", "new", "SZ-NEWCO", "--name", "Again", "--country", "CN"])
        .assert_failure()
        .assert_stderr_has("already exists");
    sandbox.run(&["supplier", "new", "SZ-BAD", "--name", "No Country"]).assert_failure().assert_stderr_has("--country");
    sandbox
        .run(&["supplier", "new", "SZ BAD", "--name", "n", "--country", "CN"])
        .assert_failure()
        .assert_stderr_has("not a valid code");
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 1);
}
