//! One set of date rules for every way in (`model::dates`): nothing dated
//! after today by the real clock (not `--as-of`), no finding due or closed
//! before its audit's visit. Each rule is tried through the CSV importer,
//! the dossier importer, the `audit` commands and the UI's forms, each
//! refusal naming where and changing nothing; and `check` accepts whatever
//! a way in accepts, and reports `retired_on` and `closed_on` after the
//! as-of day as it does for the other dates.
//!
//! The rules are about the real clock, so these tests compute "today" and
//! "tomorrow" from it (as the program does).

#![allow(clippy::unwrap_used)]

mod common;
mod tui_support;

use casebook::model::validate::today;
use chrono::{Days, NaiveDate};
use common::{LOT_HEADER, Sandbox, assert_refused};
use serde_json::{Value, json};

fn tomorrow() -> NaiveDate {
    today() + Days::new(1)
}

fn dossier(supplier: &Value) -> String {
    json!({"format": "casebook-dossier/1", "suppliers": [supplier]}).to_string()
}

/// A new supplier with one audit (visited 2026-02-01) holding one evidence
/// item and one closed finding, one claim and one lot; `edit` changes it.
fn supplier(edit: impl FnOnce(&mut Value)) -> String {
    let mut s = json!({
        "code": "DT-ONE", "name": "Date Cases", "country": "CN", "business_type": "manufacturer", "models": ["odm"],
        "claims": [{"capability": "feasibility", "source": "website", "stated_on": "2026-01-10"}],
        "audits": [{
            "id": "DT-A1", "auditor": "tester", "visited_on": "2026-02-01", "kind": "on_site", "status": "draft",
            "evidence": [{"pillar": "dfm_evaluation", "kind": "dfm_report", "strength": "document",
                          "collected_on": "2026-02-01", "description": "DFM report"}],
            "findings": [{"severity": "minor", "description": "labels faded", "due_on": "2026-03-03",
                          "status": "closed", "closed_on": "2026-02-20", "closure": "new labels", "closed_by": "qa"}]
        }],
        "lots": [{"lot": "DT-L1", "sku": "S", "process": "injection", "material": "PC", "produced_on": "2026-01-05",
                  "started": 100, "passed_first": 90, "reworked": 5, "scrapped": 5}]
    });
    edit(&mut s);
    dossier(&s)
}

fn after_today(day: NaiveDate) -> String {
    format!("\"{day}\" is after today ({}); only what has happened can be recorded", today())
}

#[test]
fn a_lot_produced_after_today_is_refused_by_the_csv_importer() {
    for day in [tomorrow(), "9999-12-31".parse().unwrap()] {
        let doc = format!("{LOT_HEADER}\nSZ-ARMOR,F-1,S,injection,PC,{day},10,9,1,0\n");
        let problem = format!("line 2, field `produced_on`: {}", after_today(day));
        assert_refused("future.csv", doc, &[&problem], 1);
    }
}

#[test]
fn a_lot_produced_after_today_is_refused_by_the_dossier_importer() {
    let doc = supplier(|s| s["lots"][0]["produced_on"] = json!(tomorrow().to_string()));
    let problem = format!("suppliers[0].lots[0].produced_on: {}", after_today(tomorrow()));
    assert_refused("future.json", doc, &[&problem], 1);
}

#[test]
fn audits_claims_and_evidence_after_today_are_refused_by_the_dossier_importer() {
    let day = json!(tomorrow().to_string());
    let cases = [
        ("suppliers[0].audits[0].visited_on", "/audits/0/visited_on"),
        ("suppliers[0].audits[0].evidence[0].collected_on", "/audits/0/evidence/0/collected_on"),
        ("suppliers[0].claims[0].stated_on", "/claims/0/stated_on"),
        ("suppliers[0].claims[0].retired_on", "/claims/0/retired_on"),
    ];
    for (path, pointer) in cases {
        let doc = supplier(|s| match s.pointer_mut(pointer) {
            Some(slot) => *slot = day.clone(),
            None => s["claims"][0]["retired_on"] = day.clone(),
        });
        let problem = format!("{path}: {}", after_today(tomorrow()));
        assert_refused("future.json", doc, &[&problem], 1);
    }
}

#[test]
fn findings_due_or_closed_before_their_visit_are_refused_by_the_dossier_importer() {
    let before = "\"2026-01-31\" is before the audit's visit (2026-02-01); expected 2026-02-01 or later";
    let due = supplier(|s| s["audits"][0]["findings"][0]["due_on"] = json!("2026-01-31"));
    assert_refused("due.json", due, &[&format!("suppliers[0].audits[0].findings[0].due_on: {before}")], 1);
    let closed = supplier(|s| s["audits"][0]["findings"][0]["closed_on"] = json!("2026-01-31"));
    assert_refused("closed.json", closed, &[&format!("suppliers[0].audits[0].findings[0].closed_on: {before}")], 1);
    let later = supplier(|s| s["audits"][0]["findings"][0]["closed_on"] = json!(tomorrow().to_string()));
    let problem = format!("suppliers[0].audits[0].findings[0].closed_on: {}", after_today(tomorrow()));
    assert_refused("closed-later.json", later, &[&problem], 1);
}

/// Starts an audit of SZ-ARMOR visited on `visited` through the binary.
fn new_audit(sandbox: &Sandbox, visited: &str) -> String {
    let run = sandbox.run(&["audit", "new", "SZ-ARMOR", "--visited", visited]);
    run.assert_success();
    run.stdout.trim().to_owned()
}

#[test]
fn the_audit_commands_refuse_dates_after_today_naming_the_option() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let day = tomorrow().to_string();
    sandbox
        .run(&["audit", "new", "SZ-ARMOR", "--visited", &day])
        .assert_failure()
        .assert_stderr_has(&format!("--visited: {}", after_today(tomorrow())));
    // `--as-of` chooses the day verdicts are judged on, never what may be recorded.
    sandbox.run(&["--as-of", &day, "audit", "new", "SZ-ARMOR"]).assert_failure().assert_stderr_has("--visited: ");
    sandbox.assert_unchanged(&before);
    let reference = new_audit(&sandbox, "2026-11-01");
    let before = sandbox.snapshot();
    let evidence = [
        "audit",
        "evidence",
        &reference,
        "--pillar",
        "dfm_evaluation",
        "--kind",
        "dfm_report",
        "--strength",
        "document",
        "--description",
        "DFM report",
        "--collected",
        &day,
    ];
    sandbox.run(&evidence).assert_failure().assert_stderr_has(&format!("--collected: {}", after_today(tomorrow())));
    sandbox.assert_unchanged(&before);
}

#[test]
fn the_audit_commands_refuse_findings_due_or_closed_before_the_visit() {
    let sandbox = Sandbox::demo();
    let reference = new_audit(&sandbox, "2026-11-01");
    let before = sandbox.snapshot();
    let finding = ["audit", "finding", &reference, "--severity", "minor", "--description", "labels faded"];
    let early = [&finding[..], &["--due", "2026-10-31"]].concat();
    sandbox
        .run(&early)
        .assert_failure()
        .assert_stderr_has("--due: \"2026-10-31\" is before the audit's visit (2026-11-01)");
    sandbox.assert_unchanged(&before);
    let id = sandbox.run(&finding).assert_success().stdout.trim().to_owned();
    let before = sandbox.snapshot();
    let close = |on: &str| sandbox.run(&["audit", "close", &id, "--evidence", "new labels", "--on", on]);
    close("2026-10-31").assert_failure().assert_stderr_has("--on: \"2026-10-31\" is before the audit's visit");
    close(&tomorrow().to_string()).assert_failure().assert_stderr_has(&format!("--on: {}", after_today(tomorrow())));
    sandbox.assert_unchanged(&before);
    close("2026-11-01").assert_success();
}

#[test]
fn the_ui_forms_refuse_dates_after_today_next_to_the_field() {
    let demo = tui_support::Demo::new();
    let mut app = demo.app();
    let day = tomorrow().to_string();
    // A lot produced tomorrow: refused on the form, nothing written.
    let lot = format!("/armor<Enter><Enter>lF-1<Tab>SKU<Tab><Tab>PC<Tab><C-u>{day}<Tab>10<Tab>9<Enter>");
    tui_support::press(&mut app, &lot);
    let screen = tui_support::text(&app, 120, 40);
    assert!(screen.contains("after today"), "{screen}");
    assert_eq!(tui_support::count(&demo, "SELECT count(*) FROM lots WHERE lot = 'F-1'"), 0);
    // An audit visited tomorrow: refused on the start form.
    tui_support::press(&mut app, &format!("<Esc>a<Tab><C-u>{day}<Enter>"));
    let screen = tui_support::text(&app, 120, 40);
    assert!(screen.contains("after today"), "{screen}");
    assert_eq!(tui_support::count(&demo, &format!("SELECT count(*) FROM audits WHERE visited_on = '{day}'")), 0);
}

#[test]
fn check_accepts_whatever_the_importers_accept_at_every_bound() {
    let day = today().to_string();
    let doc = supplier(|s| {
        s["claims"][0]["stated_on"] = json!(day);
        s["claims"][0]["retired_on"] = json!(day);
        s["audits"][0]["visited_on"] = json!(day);
        s["audits"][0]["evidence"][0]["collected_on"] = json!(day);
        s["audits"][0]["findings"][0]["due_on"] = json!(day);
        s["audits"][0]["findings"][0]["closed_on"] = json!(day);
        s["lots"][0]["produced_on"] = json!(day);
    });
    let sandbox = Sandbox::demo();
    sandbox.write("today.json", doc);
    sandbox.run(&["import", "today.json"]).assert_success();
    let check = sandbox.run(&["check"]);
    assert_eq!(check.code, Some(0), "{}", check.stdout);
}

#[test]
fn check_reports_retirements_and_closures_after_the_as_of_day() {
    let sandbox = Sandbox::empty();
    let day = today().to_string();
    let doc = supplier(|s| {
        s["claims"][0]["retired_on"] = json!(day);
        s["audits"][0]["findings"][0]["closed_on"] = json!(day);
    });
    sandbox.write("today.json", doc);
    sandbox.run(&["import", "today.json"]).assert_success();
    let check = sandbox.run(&["--as-of", "2026-06-30", "check"]);
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    check.assert_stdout_has("1 × claim retired after today").assert_stdout_has("1 × finding closed after today");
    let today_check = sandbox.run(&["check"]);
    assert_eq!(today_check.code, Some(0), "{}", today_check.stdout);
}
