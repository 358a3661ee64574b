//! Voiding honest mistakes, through the command line: a lot, a claim, and a
//! draft audit's evidence item or finding entered wrongly stay on file with
//! who voided them, when and why, count in no verdict, chart, score or count,
//! and are shown as voided where listed. Voiding is never undone, and a
//! submitted audit's parts are corrected only by an amendment.

// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::Sandbox;
use serde_json::Value;

const AS_OF: &str = "2026-11-15";

fn json(sandbox: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["--as-of", AS_OF];
    all.extend_from_slice(args);
    let run = sandbox.run(&all);
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap()
}

fn verdict(sandbox: &Sandbox, code: &str) -> Value {
    json(sandbox, &["flags", "--supplier", code, "--format", "json"])[0].clone()
}

fn pillar_status(v: &Value, pillar: &str) -> String {
    v["pillars"].as_array().unwrap().iter().find(|p| p["pillar"] == pillar).unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn rules(v: &Value) -> Vec<String> {
    v["flags"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

fn counts(sandbox: &Sandbox, code: &str) -> Value {
    json(sandbox, &["suppliers", "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap()
        .clone()
}

fn check_ok(sandbox: &Sandbox) {
    let run = sandbox.run(&["--as-of", AS_OF, "check"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
}

/// Six lots of SZ-NEWCO (which has none), 94% first pass each: just enough
/// for the yield pillar.
fn six_lots(sandbox: &Sandbox) {
    let rows: Vec<String> =
        (1..=6).map(|i| format!("SZ-NEWCO,NC-{i},NC-SKU,injection,PC,2026-0{i}-10,1000,940,40,20")).collect();
    let file = sandbox.write("newco.csv", common::csv_doc(&rows));
    sandbox.run(&["import", file.to_str().unwrap()]).assert_success();
}

#[test]
fn a_voided_lot_leaves_every_statistic_and_verdict_and_is_listed_as_voided() {
    let sandbox = Sandbox::demo();
    six_lots(&sandbox);
    assert_eq!(pillar_status(&verdict(&sandbox, "SZ-NEWCO"), "production_yield"), "evidenced");
    let before = json(&sandbox, &["yield", "--supplier", "SZ-NEWCO", "--format", "json"]);
    assert_eq!(before["lots"].as_array().unwrap().len(), 6);

    let void = sandbox.run(&[
        "--auditor",
        "qa.lead",
        "lot",
        "void",
        "--supplier",
        "SZ-NEWCO",
        "--lot",
        "NC-3",
        "--reason",
        "entered twice: NC-3 is NC-2's traveller",
    ]);
    void.assert_success().assert_stdout_has("lot NC-3 of SZ-NEWCO voided");

    // The verdict: five lots are fewer than the policy's six.
    let after = verdict(&sandbox, "SZ-NEWCO");
    assert_eq!(pillar_status(&after, "production_yield"), "insufficient_lots");
    assert!(rules(&after).contains(&"yield-insufficient-lots".to_owned()));
    // The chart: the lot is not a point, and the listing marks it.
    let chart = json(&sandbox, &["yield", "--supplier", "SZ-NEWCO", "--format", "json"]);
    let lots: Vec<&str> = chart["lots"].as_array().unwrap().iter().map(|l| l["lot"].as_str().unwrap()).collect();
    assert_eq!(lots, ["NC-1", "NC-2", "NC-4", "NC-5", "NC-6"]);
    let voided = &chart["voided_lots"][0];
    assert_eq!((voided["lot"].as_str(), voided["started"].as_u64()), (Some("NC-3"), Some(1000)));
    assert_eq!(voided["voided"]["by"], "qa.lead");
    assert_eq!(voided["voided"]["reason"], "entered twice: NC-3 is NC-2's traveller");
    let table = sandbox.run(&["--as-of", AS_OF, "yield", "--supplier", "SZ-NEWCO"]);
    table.assert_success().assert_stdout_has("5 lots").assert_stdout_has("VOIDED NC-3 2026-03-10");
    let all = json(&sandbox, &["yield", "--all", "--format", "json"]);
    let newco = all["suppliers"].as_array().unwrap().iter().find(|s| s["supplier"] == "SZ-NEWCO").unwrap();
    assert_eq!(newco["lots"], 5, "{newco}");
    // The counts.
    let c = counts(&sandbox, "SZ-NEWCO");
    assert_eq!((c["lots"].as_u64(), c["voided"].as_u64()), (Some(5), Some(1)));
    // explain lists it; history says who, when and why.
    sandbox
        .run(&["--as-of", AS_OF, "explain", "SZ-NEWCO"])
        .assert_success()
        .assert_stdout_has("VOIDED lot NC-3: 2026-03-10: 940 of 1000 passed first time");
    let history = json(&sandbox, &["history", "SZ-NEWCO", "--format", "json"]);
    let row = history.as_array().unwrap().iter().find(|h| h["action"] == "void").unwrap();
    assert_eq!(
        (row["entity"].as_str(), row["key"].as_str(), row["actor"].as_str()),
        (Some("lot"), Some("NC-3"), Some("qa.lead"))
    );
    check_ok(&sandbox);

    // Never undone, never twice, never changed, never deleted.
    sandbox
        .run(&["lot", "void", "--supplier", "SZ-NEWCO", "--lot", "NC-3", "--reason", "again"])
        .assert_failure()
        .assert_stderr_has("was already voided on");
    let conn = sandbox.sql();
    for sql in [
        "UPDATE lots SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE lot = 'NC-3'",
        "UPDATE lots SET void_reason = 'other' WHERE lot = 'NC-3'",
        "UPDATE lots SET started = 2000 WHERE lot = 'NC-4'",
        "DELETE FROM lots WHERE lot = 'NC-3'",
        "DELETE FROM lots WHERE lot = 'NC-4'",
    ] {
        let err = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(err.contains("a lot is never"), "{sql}: {err}");
    }
    // Re-importing the same file changes nothing: the voided lot stays voided.
    six_lots(&sandbox);
    assert_eq!(counts(&sandbox, "SZ-NEWCO")["voided"], 1);
    sandbox
        .run(&["--as-of", AS_OF, "lot", "annotate", "--supplier", "SZ-NEWCO", "--lot", "NC-3", "--cause", "x"])
        .assert_failure()
        .assert_stderr_has("lot `NC-3` is voided: it is on no chart, so it takes no annotation");
    sandbox
        .run(&["lot", "void", "--supplier", "SZ-NEWCO", "--lot", "NOPE", "--reason", "x"])
        .assert_failure()
        .assert_stderr_has("SZ-NEWCO has no lot `NOPE`");
    sandbox
        .run(&["lot", "void", "--supplier", "SZ-NEWCO", "--lot", "NC-4", "--reason", "  "])
        .assert_failure()
        .assert_stderr_has("the reason is required");
}

#[test]
fn a_voided_claim_counts_in_no_verdict_and_is_listed_as_voided() {
    let sandbox = Sandbox::demo();
    let explained = json(&sandbox, &["explain", "SZ-NEWCO", "--format", "json"]);
    assert_eq!(explained["verdict"], "unsupported");
    let claims = explained["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 1);
    let number = claims[0]["id"].as_i64().unwrap().to_string();
    sandbox
        .run(&["explain", "SZ-NEWCO"])
        .assert_success()
        .assert_stdout_has(&format!("#{number:<4} feasibility (sales_call, stated 2026-10-22)"));

    sandbox
        .run(&["claim", "void", "--supplier", "SZ-NEWCO", &number, "--reason", "said by a reseller, not Newco"])
        .assert_success();
    let after = json(&sandbox, &["explain", "SZ-NEWCO", "--format", "json"]);
    assert_eq!(after["verdict"], "not_claimed");
    assert_eq!(after["claims"][0]["voided"]["reason"], "said by a reseller, not Newco");
    sandbox.run(&["explain", "SZ-NEWCO"]).assert_success().assert_stdout_has("— VOIDED ");
    let c = counts(&sandbox, "SZ-NEWCO");
    assert_eq!((c["claims"].as_u64(), c["voided"].as_u64()), (Some(0), Some(1)));
    check_ok(&sandbox);
    // Importing the claim again (the demo dossier's SZ-NEWCO) changes nothing.
    let mut dossier = common::demo_dossier();
    dossier["suppliers"].as_array_mut().unwrap().retain(|s| s["code"] == "SZ-NEWCO");
    let file = sandbox.write("newco.json", serde_json::to_vec(&dossier).unwrap());
    sandbox.run(&["import", file.to_str().unwrap()]).assert_success();
    assert_eq!(json(&sandbox, &["explain", "SZ-NEWCO", "--format", "json"])["verdict"], "not_claimed");
    let c = counts(&sandbox, "SZ-NEWCO");
    assert_eq!((c["claims"].as_u64(), c["voided"].as_u64()), (Some(0), Some(1)));
    sandbox
        .run(&["claim", "void", "--supplier", "SZ-ARMOR", &number, "--reason", "x"])
        .assert_failure()
        .assert_stderr_has(&format!("SZ-ARMOR has no claim {number}"));
    let conn = sandbox.sql();
    for sql in [
        format!("UPDATE claims SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE id = {number}"),
        format!("UPDATE claims SET retired_on = '2026-11-01' WHERE id = {number}"),
        "UPDATE claims SET statement = 'edited' WHERE id = 1".to_owned(),
        format!("DELETE FROM claims WHERE id = {number}"),
    ] {
        let err = conn.execute_batch(&sql).unwrap_err().to_string();
        assert!(err.contains("a claim is never"), "{sql}: {err}");
    }
}

/// A draft audit of SZ-NEWCO with a DFM report and a critical finding;
/// returns its reference, the evidence item's and the finding's numbers.
fn draft_with_items(sandbox: &Sandbox) -> (String, String, String) {
    let reference = sandbox.run(&["audit", "new", "SZ-NEWCO", "--visited", "2026-11-10"]).stdout.trim().to_owned();
    let evidence = sandbox.run(&[
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
        "DFM report rev C (another supplier's)",
    ]);
    let finding =
        sandbox.run(&["audit", "finding", &reference, "--severity", "critical", "--description", "no licence on site"]);
    (reference, evidence.stdout.trim().to_owned(), finding.stdout.trim().to_owned())
}

#[test]
fn voided_draft_evidence_and_findings_count_nowhere_and_stay_in_the_seal() {
    let sandbox = Sandbox::demo();
    let (reference, evidence, finding) = draft_with_items(&sandbox);
    let before = verdict(&sandbox, "SZ-NEWCO");
    assert_eq!(pillar_status(&before, "dfm_evaluation"), "draft_only");
    assert!(rules(&before).contains(&"finding-critical-open".to_owned()));

    sandbox
        .run(&["audit", "void-evidence", &reference, &evidence, "--reason", "belongs to DG-PRIME's file"])
        .assert_success();
    sandbox.run(&["audit", "void-finding", &reference, &finding, "--reason", "licence was on site"]).assert_success();
    let after = verdict(&sandbox, "SZ-NEWCO");
    assert_eq!(pillar_status(&after, "dfm_evaluation"), "missing");
    assert!(!rules(&after).contains(&"finding-critical-open".to_owned()));
    assert_eq!(counts(&sandbox, "SZ-NEWCO")["voided"], 2);
    let shown = sandbox.run(&["audit", "show", &reference]);
    shown.assert_success().assert_stdout_has("voided (on file, counted nowhere):");
    assert!(shown.stdout.contains("belongs to DG-PRIME's file") && shown.stdout.contains("licence was on site"));
    sandbox
        .run(&["audit", "close", &finding, "--evidence", "seen"])
        .assert_failure()
        .assert_stderr_has("a voided finding is not closed");
    let photo = sandbox.write("IMG_1.jpg", b"a photo");
    sandbox
        .run(&["attach", &evidence, photo.to_str().unwrap()])
        .assert_failure()
        .assert_stderr_has("a voided item takes no attachment");
    sandbox
        .run(&["audit", "void-evidence", &reference, "999999", "--reason", "x"])
        .assert_failure()
        .assert_stderr_has(&format!("audit {reference} has no evidence item 999999"));

    // Submitted, the voided items stay in the audit, marked, and sealed.
    sandbox.run(&["audit", "answer", &reference, "LG-01", "yes"]).assert_success();
    sandbox.run(&["audit", "submit", &reference]).assert_success();
    let sealed = json(&sandbox, &["audit", "show", &reference, "--format", "json"]);
    assert_eq!(sealed["voided"].as_array().unwrap().len(), 2);
    assert!(sealed["audit"]["evidence"].as_array().unwrap().is_empty());
    check_ok(&sandbox);
    let conn = sandbox.sql();
    conn.execute_batch(&format!(
        "DROP TRIGGER evidence_voided_frozen; DROP TRIGGER evidence_frozen_update;
         UPDATE evidence SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE id = {evidence};"
    ))
    .unwrap();
    drop(conn);
    let run = sandbox.run(&["--as-of", AS_OF, "check"]);
    run.assert_failure().assert_stdout_has(&format!("audit {reference} (SZ-NEWCO) was changed after it was submitted"));
}

#[test]
fn a_submitted_audits_parts_are_corrected_by_amendment_not_voided() {
    let sandbox = Sandbox::demo();
    let shown = json(&sandbox, &["audit", "show", "A-2026-014", "--format", "json"]);
    assert_eq!(shown["audit"]["status"], "submitted");
    let conn = sandbox.sql();
    let (evidence, finding): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT min(e.id) FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE a.ref = 'A-2026-014'),
                    (SELECT min(f.id) FROM findings f JOIN audits a ON a.id = f.audit_id WHERE a.ref = 'A-2026-014')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    let before = sandbox.snapshot();
    for (verb, id) in [("void-evidence", evidence), ("void-finding", finding)] {
        sandbox
            .run(&["audit", verb, "A-2026-014", &id.to_string(), "--reason", "wrong"])
            .assert_failure()
            .assert_stderr_has("which is submitted and sealed: it cannot be voided; correct it with an amendment")
            .assert_stderr_has("--amends A-2026-014");
    }
    sandbox.assert_unchanged(&before);
    let err = sandbox
        .sql()
        .execute_batch(&format!(
            "UPDATE evidence SET voided_at = 'now', voided_by = 'x', void_reason = 'y' WHERE id = {evidence}"
        ))
        .unwrap_err();
    assert!(err.to_string().contains("audit is submitted; its evidence cannot be changed"), "{err}");
}

#[test]
fn an_export_leaves_voided_records_out_and_still_round_trips() {
    let sandbox = Sandbox::demo();
    let lot = sandbox
        .sql()
        .query_row(
            "SELECT min(l.lot) FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'DG-SWING'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
    let annotate = ["--as-of", AS_OF, "lot", "annotate", "--supplier", "DG-SWING", "--lot", &lot, "--cause", "regrind"];
    sandbox.run(&annotate).assert_success();
    sandbox.run(&["lot", "void", "--supplier", "DG-SWING", "--lot", &lot, "--reason", "typo"]).assert_success();
    let claim = sandbox
        .sql()
        .query_row(
            "SELECT min(c.id) FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE s.code = 'SZ-NEWCO'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        .to_string();
    sandbox.run(&["claim", "void", "--supplier", "SZ-NEWCO", &claim, "--reason", "typo"]).assert_success();
    let first = sandbox.path("first.json");
    sandbox.run(&["export", "--plain", "-o", first.to_str().unwrap()]).assert_success();
    let text = std::fs::read_to_string(&first).unwrap();
    assert!(!text.contains(&format!("\"{lot}\"")), "the voided lot and its annotation stay home");
    let copy = Sandbox::new();
    copy.run(&["import", first.to_str().unwrap()]).assert_success();
    let second = copy.path("second.json");
    copy.run(&["export", "--plain", "-o", second.to_str().unwrap()]).assert_success();
    assert_eq!(text, std::fs::read_to_string(&second).unwrap(), "export → import → export is byte-identical");

    // The whole dossier carries them voided, with who and why.
    let whole = sandbox.path("whole.json");
    sandbox.run(&["export", "-o", whole.to_str().unwrap()]).assert_success();
    let text = std::fs::read_to_string(&whole).unwrap();
    let copy = Sandbox::new();
    copy.run(&["import", whole.to_str().unwrap()]).assert_success();
    let voided: (String, String) = copy
        .sql()
        .query_row(
            "SELECT l.voided_by, l.void_reason FROM lots l JOIN suppliers s ON s.id = l.supplier_id
             WHERE s.code = 'DG-SWING' AND l.lot = ?1",
            [&lot],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(voided.1, "typo", "the lot arrives voided");
    let claims_voided: i64 =
        copy.sql().query_row("SELECT count(*) FROM claims WHERE void_reason = 'typo'", [], |r| r.get(0)).unwrap();
    assert_eq!(claims_voided, 1, "the claim arrives voided");
    let again = copy.path("again.json");
    copy.run(&["export", "-o", again.to_str().unwrap()]).assert_success();
    assert!(text == std::fs::read_to_string(&again).unwrap(), "export → import → export is byte-identical (/3)");
}
