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
