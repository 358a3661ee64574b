//! Assignable causes and control plans through the binary, on the demo data
//! as of 2026-11-15: `lot annotate` leaves a lot out of the limits (p̄
//! recomputed here from `demo-lots.csv`) but not out of FPY or off the
//! chart; the verdict says so; `plan freeze` saves limits (recomputed here
//! from the baseline lots) that later charts use, `plan unfreeze` ends
//! them; all of it is in history and travels in `casebook-dossier/2`.

mod common;

use common::{Sandbox, fixture};
use serde_json::Value;

const AS_OF: &str = "2026-11-15";
const SPIKE: &str = "SW251218-01";

/// (lot, `produced_on`, started, `passed_first`) of a supplier's CSV lots.
fn csv_lots(supplier: &str) -> Vec<(String, String, u64, u64)> {
    let mut reader = csv::Reader::from_path(fixture("demo-lots.csv")).expect("the fixture");
    reader
        .records()
        .map(|r| r.expect("a record"))
        .filter(|r| &r[0] == supplier)
        .map(|r| (r[1].to_owned(), r[5].to_owned(), r[6].parse().expect("n"), r[7].parse().expect("n")))
        .collect()
}

fn pooled_p<'a>(lots: impl Iterator<Item = &'a (String, String, u64, u64)>) -> f64 {
    let (bad, all) = lots.fold((0, 0), |(b, a), l| (b + l.2 - l.3, a + l.2));
    bad as f64 / all as f64
}

fn ok(db: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["--as-of", AS_OF];
    all.extend_from_slice(args);
    let run = db.run(&all);
    run.assert_success();
    run.stdout
}

fn json(db: &Sandbox, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(db, &all)).expect("JSON")
}

fn lot<'v>(report: &'v Value, code: &str) -> &'v Value {
    report["lots"].as_array().expect("lots").iter().find(|l| l["lot"] == code).expect("the lot is charted")
}

#[test]
fn an_excluded_lot_leaves_the_limits_not_the_chart_nor_the_fpy() {
    let db = Sandbox::demo();
    let before = json(&db, &["yield", "--supplier", "DG-SWING"]);
    assert_eq!(lot(&before, SPIKE)["excluded"], false);
    let said =
        ok(&db, &["lot", "annotate", "--supplier", "DG-SWING", "--lot", SPIKE, "--cause", "regrind 40%", "--exclude"]);
    assert!(said.contains("left out of the control limits"), "{said}");

    let after = json(&db, &["yield", "--supplier", "DG-SWING"]);
    let window: Vec<_> =
        csv_lots("DG-SWING").into_iter().filter(|l| l.1.as_str() >= "2025-11-15" && l.1.as_str() <= AS_OF).collect();
    let expected = pooled_p(window.iter().filter(|l| l.0 != SPIKE));
    assert!((after["center"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert!((before["center"].as_f64().unwrap() - pooled_p(window.iter())).abs() < 1e-12);
    assert_eq!(after["fpy"], before["fpy"], "FPY still counts the excluded lot");
    assert_eq!(after["lots"].as_array().unwrap().len(), window.len(), "it stays on the chart");
    let spike = lot(&after, SPIKE);
    assert_eq!((&spike["excluded"], &spike["annotation"]["cause"]), (&Value::Bool(true), &"regrind 40%".into()));
    assert_eq!(after["limits_from"]["excluded"], serde_json::json!([SPIKE]));
    assert_eq!(after["limits_from"]["lots"], window.len() - 1);
    assert!(after["violations"].as_array().unwrap().iter().all(|v| v["lot"] != SPIKE));

    // The verdict's yield pillar says so.
    let flags = json(&db, &["flags", "--supplier", "DG-SWING"]);
    let pillar = flags[0]["pillars"].as_array().unwrap().iter().find(|p| p["pillar"] == "production_yield").unwrap();
    assert!(
        pillar["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("excluded from the limits for an assignable cause ({SPIKE})"))
    );
    let history = ok(&db, &["history", "DG-SWING"]);
    assert!(history.contains(SPIKE) && history.contains("regrind 40%"), "{history}");

    // Annotating again without --exclude/--include keeps it out; --include puts it back.
    ok(
        &db,
        &[
            "lot",
            "annotate",
            "--supplier",
            "DG-SWING",
            "--lot",
            SPIKE,
            "--cause",
            "regrind 40%",
            "--action",
            "MES lock",
        ],
    );
    assert_eq!(lot(&json(&db, &["yield", "--supplier", "DG-SWING"]), SPIKE)["excluded"], true);
    ok(&db, &["lot", "annotate", "--supplier", "DG-SWING", "--lot", SPIKE, "--cause", "not the regrind", "--include"]);
    let back = json(&db, &["yield", "--supplier", "DG-SWING"]);
    assert_eq!(back["center"], before["center"]);
    // As of a day before the annotations, none is in force.
    let earlier = db.run(&["--as-of", "2026-11-14", "yield", "--supplier", "DG-SWING", "--format", "json"]);
    let earlier: Value = serde_json::from_str(&earlier.stdout).unwrap();
    assert_eq!(lot(&earlier, SPIKE)["annotation"], Value::Null);
}

#[test]
fn bad_annotations_are_refused_and_change_nothing() {
    let db = Sandbox::demo();
    let before = db.snapshot();
    let cases: [(&[&str], &str); 4] = [
        (&["--lot", "NOPE", "--cause", "x"], "has no lot `NOPE`"),
        (&["--lot", SPIKE, "--cause", "  "], "--cause: is required and must not be blank"),
        (&["--lot", SPIKE, "--cause", "a\u{7}b"], "control character"),
        (&["--lot", SPIKE, "--cause", "x", "--exclude", "--include"], "cannot be used with"),
    ];
    for (args, says) in cases {
        let mut all = vec!["--as-of", AS_OF, "lot", "annotate", "--supplier", "DG-SWING"];
        all.extend_from_slice(args);
        let run = db.run(&all);
        assert_ne!(run.code, Some(0), "{args:?}");
        run.assert_stderr_has(says);
    }
    db.assert_unchanged(&before);
}

#[test]
fn a_frozen_plan_judges_later_charts_until_unfrozen() {
    let db = Sandbox::demo();
    let said = ok(&db, &["plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2025-06-30"]);
    assert!(said.contains("in force from 2026-11-15"), "{said}");
    let baseline: Vec<_> = csv_lots("DG-SWING").into_iter().filter(|l| l.1.as_str() <= "2025-06-30").collect();
    let report = json(&db, &["yield", "--supplier", "DG-SWING"]);
    assert_eq!(report["limits_from"]["source"], "plan");
    assert_eq!(report["limits_from"]["plan"]["baseline_lots"], baseline.len());
    assert_eq!(report["limits_from"]["plan"]["frozen_on"], AS_OF);
    assert!((report["center"].as_f64().unwrap() - pooled_p(baseline.iter())).abs() < 1e-12);
    // Only the exact scope: a process-filtered chart estimates its own limits.
    let narrowed = json(&db, &["yield", "--supplier", "DG-SWING", "--process", "co_molding"]);
    assert_eq!(narrowed["limits_from"]["source"], "lots");
    // Not in force before the day it was frozen.
    let run = db.run(&["--as-of", "2026-11-01", "yield", "--supplier", "DG-SWING", "--format", "json"]);
    let earlier: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(earlier["limits_from"]["source"], "lots");
    let table = ok(&db, &["yield", "--supplier", "DG-SWING"]);
    assert!(table.contains("control plan in force since 2026-11-15"), "{table}");

    let again =
        db.run(&["--as-of", AS_OF, "plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2025-12-31"]);
    again.assert_failure().assert_stderr_has("already in force").assert_stderr_has("--replace");
    ok(&db, &["plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2025-12-31", "--replace"]);
    let plans = json(&db, &["plan", "list", "--supplier", "DG-SWING"]);
    let in_force: Vec<bool> = plans.as_array().unwrap().iter().map(|p| p["in_force"].as_bool().unwrap()).collect();
    assert_eq!(in_force, [false, true]);
    assert_eq!(plans[0]["unfrozen_on"], AS_OF);

    ok(&db, &["plan", "unfreeze", "--supplier", "DG-SWING"]);
    assert_eq!(json(&db, &["yield", "--supplier", "DG-SWING"])["limits_from"]["source"], "lots");
    let none = db.run(&["--as-of", AS_OF, "plan", "unfreeze", "--supplier", "DG-SWING"]);
    none.assert_failure().assert_stderr_has("no control plan in force");
    let history = ok(&db, &["history", "DG-SWING"]);
    assert_eq!(history.matches("control plan").count(), 4, "two freezes and two unfreezes:\n{history}");
    let empty =
        db.run(&["--as-of", AS_OF, "plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2020-01-01"]);
    empty.assert_failure().assert_stderr_has("no lots of all lots were produced in the baseline period");
}

#[test]
fn annotations_and_plans_travel_in_dossier_2_byte_for_byte() {
    let db = Sandbox::demo();
    let plain = ok(&db, &["export", "--plain", "--supplier", "DG-SWING"]);
    assert!(plain.contains("\"format\": \"casebook-dossier/1\""), "nothing needs /2 yet");
    ok(&db, &["lot", "annotate", "--supplier", "DG-SWING", "--lot", SPIKE, "--cause", "regrind & <dust>", "--exclude"]);
    ok(&db, &["plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2025-06-30", "--material", "TPU+PC"]);
    let first = ok(&db, &["export", "--plain", "--supplier", "DG-SWING"]);
    assert!(first.contains("\"format\": \"casebook-dossier/2\""));
    let file = db.write("dg.json", &first);

    let copy = Sandbox::empty();
    let imported = copy.run(&["import", file.to_str().unwrap()]);
    imported.assert_success().assert_stdout_has("1 annotation, 1 control plan");
    let second = copy.run(&["export", "--plain"]);
    assert_eq!(second.stdout, first, "export → import → export is byte-identical");
    copy.run(&["import", file.to_str().unwrap()]).assert_success().assert_stdout_has("duplicates");

    // The same ids with other content are conflicts, reported, nothing written.
    let changed = first.replace("regrind & <dust>", "something else");
    let conflict = copy.write("changed.json", changed);
    let run = copy.run(&["import", conflict.to_str().unwrap()]);
    run.assert_failure().assert_stderr_has("is already on file with other content");
    // A /1 document cannot carry them.
    let old = copy.write("old.json", first.replace("casebook-dossier/2", "casebook-dossier/1"));
    let run = copy.run(&["import", old.to_str().unwrap()]);
    run.assert_failure().assert_stderr_has("is only in \"casebook-dossier/2\"");

    // The whole dossier (/3) carries them with their ids, byte for byte too.
    let whole = ok(&db, &["export", "--supplier", "DG-SWING"]);
    assert!(whole.contains("\"format\": \"casebook-dossier/3\""));
    assert!(whole.contains("\"kind\": \"annotation\"") && whole.contains("\"kind\": \"plan\""), "in the records");
    let file = db.write("dg3.json", &whole);
    let fresh = Sandbox::empty();
    fresh.run(&["import", file.to_str().unwrap()]).assert_success().assert_stdout_has("1 annotation");
    let again = fresh.run(&["export", "--supplier", "DG-SWING"]).stdout;
    assert!(again == whole, "export → import → export is byte-identical (/3)");
}

#[test]
fn annotations_and_plans_are_facts_even_to_raw_sql() {
    let db = Sandbox::demo();
    ok(&db, &["lot", "annotate", "--supplier", "DG-SWING", "--lot", SPIKE, "--cause", "regrind", "--exclude"]);
    ok(&db, &["plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2025-06-30"]);
    let sql = db.sql();
    for statement in [
        "UPDATE lot_annotations SET excluded = 0",
        "DELETE FROM lot_annotations",
        "UPDATE control_plans SET p_center = 0.5",
        "DELETE FROM control_plans",
    ] {
        let refused = sql.execute(statement, []);
        assert!(refused.is_err(), "{statement} was allowed");
    }
    // Unfreezing is the one change a plan takes, and only once.
    sql.execute("UPDATE control_plans SET unfrozen_on = '2026-11-20', unfrozen_by = 'qa', unfrozen_at = 'x'", [])
        .expect("unfreezing is allowed");
    let again = sql.execute("UPDATE control_plans SET unfrozen_on = '2026-11-21'", []);
    assert!(again.is_err(), "a plan is unfrozen once");
    // Dropping a protection shows in `casebook check`.
    sql.execute("DROP TRIGGER lot_annotations_append_only_update", []).unwrap();
    drop(sql);
    let run = db.run(&["--as-of", AS_OF, "check"]);
    run.assert_failure().assert_stdout_has("lot_annotations_append_only_update is missing");
}
