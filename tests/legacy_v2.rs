//! A database as the last release wrote it (`tests/fixtures/legacy-v2`,
//! schema version 2) opens, migrates and verifies: its version-1 seals hold,
//! the finding closed after its audit was submitted is no tamper alarm, and
//! every documented action taken after the upgrade leaves `check` ok.

// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::Sandbox;
use serde_json::Value;

/// Where the fixture's one attachment was recorded (an absolute path).
const PHOTO: &str = "/tmp/casebook-legacy-fixture/photo.jpg";

/// A sandbox holding the legacy database (not yet migrated), with the
/// attached photo put back at its recorded path.
pub fn legacy() -> Sandbox {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v2");
    let photo = std::fs::read(fixture.join("photo.jpg")).unwrap();
    std::fs::create_dir_all("/tmp/casebook-legacy-fixture").unwrap();
    if std::fs::read(PHOTO).ok().as_deref() != Some(&photo[..]) {
        std::fs::write(PHOTO, &photo).unwrap();
    }
    let sandbox = Sandbox::new();
    let conn = rusqlite::Connection::open(&sandbox.db).unwrap();
    conn.execute_batch(&std::fs::read_to_string(fixture.join("db.sql")).unwrap()).unwrap();
    drop(conn);
    sandbox
}

fn check(sandbox: &Sandbox) -> (bool, Value) {
    let run = sandbox.run(&["--as-of", "2026-11-15", "check", "--format", "json"]);
    (run.code == Some(0), serde_json::from_str(&run.stdout).expect("check prints JSON"))
}

#[test]
fn the_legacy_database_migrates_and_its_v1_seals_verify() {
    let sandbox = legacy();
    assert_eq!(sandbox.count("PRAGMA user_version"), 2);
    let (ok, results) = check(&sandbox);
    assert!(ok, "{results:#}");
    assert_eq!(sandbox.count("PRAGMA user_version"), casebook::store::LATEST_VERSION);
    let seals = results.as_array().unwrap().iter().find(|r| r["check"] == "seals").unwrap();
    assert!(seals["summary"].as_str().unwrap().starts_with("15 submitted audit(s) sealed; audit chain head 15:"));
    // The seals were verified, not rewritten: every one is still format 1.
    assert_eq!(sandbox.count("SELECT count(*) FROM audits WHERE seal_format = 1"), 15);
    // The closure of finding 16 came after A-2026-042 was submitted.
    assert_eq!(
        sandbox.count(
            "SELECT count(*) FROM finding_closures c JOIN findings f ON f.id = c.finding_id
             JOIN audits a ON a.id = f.audit_id WHERE a.ref = 'A-2026-042' AND c.recorded_at > a.submitted_at"
        ),
        1
    );
}

/// One SQL value, as text.
fn one(sandbox: &Sandbox, sql: &str) -> String {
    sandbox
        .sql()
        .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => panic!("{sql}: {other:?}"),
        })
        .unwrap()
}

/// Runs one documented action, then `check`, which must stay ok.
fn act(sandbox: &Sandbox, what: &str, args: &[&str]) -> String {
    let mut all = vec!["--as-of", "2026-11-15"];
    all.extend_from_slice(args);
    let run = sandbox.run(&all);
    assert_eq!(run.code, Some(0), "{what}: {args:?}\n{}{}", run.stdout, run.stderr);
    let (ok, results) = check(sandbox);
    let failed: Vec<&Value> = results.as_array().unwrap().iter().filter(|r| r["ok"] == false).collect();
    assert!(ok, "after {what}, check fails: {failed:#?}");
    run.stdout.trim().to_owned()
}

/// Every action the README documents for after a submission, each followed
/// by a `check` that must stay ok.
fn every_documented_action(sandbox: &Sandbox) {
    let open = one(
        sandbox,
        "SELECT min(f.id) FROM findings f JOIN audits a ON a.id = f.audit_id
         WHERE a.status = 'submitted' AND f.id NOT IN (SELECT finding_id FROM finding_closures)",
    );
    act(sandbox, "closing a finding of a submitted audit", &["audit", "close", &open, "--evidence", "fixed; photo"]);
    let evidence = one(
        sandbox,
        "SELECT min(e.id) FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE a.status = 'submitted'",
    );
    let photo = sandbox.write("IMG_7.jpg", b"a photo of a jig");
    act(sandbox, "attaching a file", &["attach", &evidence, photo.to_str().unwrap()]);
    let original = one(sandbox, "SELECT ref FROM audits WHERE status = 'submitted' ORDER BY chain_seq DESC LIMIT 1");
    let supplier = one(
        sandbox,
        &format!("SELECT s.code FROM audits a JOIN suppliers s ON s.id = a.supplier_id WHERE a.ref = '{original}'"),
    );
    let amendment = act(sandbox, "starting an amendment", &["audit", "new", &supplier, "--amends", &original]);
    act(sandbox, "answering", &["audit", "answer", &amendment, "LG-01", "yes"]);
    act(sandbox, "submitting the amendment", &["audit", "submit", &amendment]);
    let draft = act(sandbox, "starting an audit", &["audit", "new", "SZ-NEWCO", "--visited", "2026-11-10"]);
    let item = act(
        sandbox,
        "adding evidence",
        &[
            "audit",
            "evidence",
            &draft,
            "--pillar",
            "dfm_evaluation",
            "--kind",
            "dfm_report",
            "--strength",
            "document",
            "--description",
            "DFM report",
        ],
    );
    let finding =
        act(sandbox, "raising a finding", &["audit", "finding", &draft, "--severity", "minor", "--description", "x"]);
    act(sandbox, "voiding draft evidence", &["audit", "void-evidence", &draft, &item, "--reason", "wrong audit"]);
    act(sandbox, "voiding a draft finding", &["audit", "void-finding", &draft, &finding, "--reason", "wrong audit"]);
    act(sandbox, "answering", &["audit", "answer", &draft, "LG-01", "partial", "--note", "trading licence"]);
    act(sandbox, "submitting a new audit", &["audit", "submit", &draft]);
    let lot = one(
        sandbox,
        "SELECT lot FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'DG-SWING' LIMIT 1",
    );
    act(sandbox, "voiding a lot", &["lot", "void", "--supplier", "DG-SWING", "--lot", &lot, "--reason", "typo"]);
    let claim = one(
        sandbox,
        "SELECT min(c.id) FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE s.code = 'DG-SWING'",
    );
    act(sandbox, "voiding a claim", &["claim", "void", "--supplier", "DG-SWING", &claim, "--reason", "typo"]);
    act(sandbox, "changing the policy", &["policy", "set", "yield.min_lots", "8"]);
    act(sandbox, "shortlisting", &["shortlist", "add", "SZ-NEWCO"]);
    act(sandbox, "un-shortlisting", &["shortlist", "remove", "SZ-NEWCO"]);
    let csv = sandbox.write("more.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "AFTER-1")]));
    act(sandbox, "importing lots", &["import", csv.to_str().unwrap()]);
    let dossier = serde_json::json!({
        "format": "casebook-dossier/1",
        "suppliers": [{
            "code": "SZ-LATER", "name": "Later Cases Ltd.", "country": "CN", "business_type": "manufacturer",
            "models": ["odm"], "claims": [], "lots": [],
            "audits": [{"id": "A-LATER-1", "auditor": "lin.wei", "visited_on": "2026-11-01", "kind": "on_site",
                        "status": "submitted", "evidence": [], "answers": [{"question": "LG-01", "result": "yes"}],
                        "findings": [{"severity": "minor", "description": "dust", "due_on": "2026-11-30",
                                      "status": "closed", "closed_on": "2026-11-05", "closure": "cleaned"}]}]
        }]
    });
    let file = sandbox.write("later.json", serde_json::to_vec(&dossier).unwrap());
    act(sandbox, "importing a dossier", &["import", file.to_str().unwrap()]);
}

#[test]
fn every_documented_action_after_submission_leaves_check_ok_on_a_fresh_database() {
    every_documented_action(&Sandbox::demo());
}

#[test]
fn every_documented_action_after_submission_leaves_check_ok_on_the_migrated_legacy_database() {
    every_documented_action(&legacy());
}
