//! Never lose or falsify an audit: `casebook check` sees tampering even when
//! the triggers are dropped; backups and history (attachments: `attachments.rs`); values full of
//! SQL-looking text round-trip unchanged; damaged or read-only files refused.
//!
//! The read-only tests need a file the test cannot write; as root that takes
//! `chattr +i`. Where that does not work they fail, unless
//! `CASEBOOK_SKIP_READONLY=1` is set (`.ci/run` sets it after checking).

// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::Sandbox;
use serde_json::{Value, json};

fn check(sandbox: &Sandbox) -> (bool, Value) {
    let run = sandbox.run(&["check", "--format", "json"]);
    let results: Value = serde_json::from_str(&run.stdout).expect("check prints JSON");
    (run.code == Some(0), results)
}

fn problems_of(results: &Value, check: &str) -> Vec<String> {
    results.as_array().expect("array").iter().find(|r| r["check"] == check).expect("check present")["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p.as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn check_passes_on_a_sound_database() {
    let sandbox = Sandbox::demo();
    let (ok, results) = check(&sandbox);
    assert!(ok, "{results:#}");
    let seals = results.as_array().unwrap().iter().find(|r| r["check"] == "seals").unwrap();
    assert!(seals["summary"].as_str().unwrap().starts_with("14 submitted audit(s) sealed; audit chain head 14:"));
}

#[test]
fn editing_a_submitted_audit_is_refused_and_seen_even_without_triggers() {
    let sandbox = Sandbox::demo();
    let sql = sandbox.sql();
    let refused = sql.execute("UPDATE evidence SET description = 'edited' WHERE id = 1", []).unwrap_err();
    assert!(refused.to_string().contains("audit is submitted; its evidence cannot be changed"), "{refused}");
    // Someone determined drops the trigger and edits anyway.
    sql.execute_batch("DROP TRIGGER evidence_frozen_update; UPDATE evidence SET description = 'edited' WHERE id = 1;")
        .unwrap();
    drop(sql);
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let schema = problems_of(&results, "schema");
    assert_eq!(schema, ["trigger evidence_frozen_update is missing: a part of the schema was removed"]);
    let seals = problems_of(&results, "seals");
    assert_eq!(seals.len(), 1, "{seals:?}");
    assert!(seals[0].contains("was changed after it was submitted"), "{seals:?}");
}

#[test]
fn removing_a_submitted_audit_breaks_the_chain() {
    let sandbox = Sandbox::demo();
    let sql = sandbox.sql();
    let victim: String = sql.query_row("SELECT ref FROM audits WHERE chain_seq = 5", [], |r| r.get(0)).unwrap();
    sql.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TRIGGER audits_submitted_undeletable;
         DELETE FROM audits WHERE chain_seq = 5;",
    )
    .unwrap();
    drop(sql);
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let seals = problems_of(&results, "seals");
    assert!(seals.iter().any(|p| p.contains("skips from position 4 to 6")), "{seals:?} ({victim} removed)");
    assert!(!problems_of(&results, "foreign-keys").is_empty(), "its answers now point nowhere");
}

#[test]
fn backup_copies_a_database_in_use_and_the_copy_checks() {
    let sandbox = Sandbox::demo();
    // Another connection in the middle of a read transaction, as an open UI would be.
    let reader = sandbox.sql();
    reader.execute_batch("BEGIN; SELECT count(*) FROM lots;").unwrap();
    let copy = sandbox.path("copy.db");
    sandbox.run(&["backup", copy.to_str().unwrap()]).assert_success().assert_stdout_has("backed up ");
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(common::dump(&sandbox.db), common::dump(&copy));
    let checked = sandbox.command().arg("--db").arg(&copy).arg("check").output().unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));
    // An existing destination is never overwritten.
    sandbox.run(&["backup", copy.to_str().unwrap()]).assert_failure().assert_stderr_has("already exists");
}

#[test]
fn history_records_who_changed_what() {
    let sandbox = Sandbox::demo();
    let mut cmd = sandbox.command();
    cmd.env("CASEBOOK_AUDITOR", "maria.santos").arg("--db").arg(&sandbox.db);
    let created = common::run(cmd.args(["--as-of", "2026-11-15", "audit", "new", "SZ-NEWCO"]));
    created.assert_success();
    let reference = created.stdout.trim().to_owned();
    sandbox
        .run(&[
            "--auditor",
            "lin.wei",
            "audit",
            "answer",
            &reference,
            "LG-01",
            "partial",
            "--note",
            "scope: sales only",
        ])
        .assert_success();
    sandbox.run(&["--auditor", "lin.wei", "audit", "answer", &reference, "LG-01", "yes"]).assert_success();
    sandbox.run(&["--auditor", "ops", "policy", "set", "yield.min_lots", "8"]).assert_success();
    let history: Value =
        serde_json::from_str(&sandbox.run(&["history", "SZ-NEWCO", "--format", "json"]).stdout).unwrap();
    let rows: Vec<(String, String, String, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"].as_str().unwrap_or_default().starts_with(&reference))
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["field"].as_str().unwrap_or("").to_owned(),
                e["old"].clone(),
                e["new"].clone(),
            )
        })
        .collect();
    assert_eq!(rows[0].0, "maria.santos");
    assert_eq!(rows[0].1, "create");
    let result_changes: Vec<_> = rows.iter().filter(|r| r.2 == "result").collect();
    assert_eq!(result_changes.len(), 2);
    assert_eq!((result_changes[0].3.clone(), result_changes[0].4.clone()), (Value::Null, json!("partial")));
    assert_eq!((result_changes[1].3.clone(), result_changes[1].4.clone()), (json!("partial"), json!("yes")));
    assert!(rows.iter().any(|r| r.2 == "note" && r.4 == json!("scope: sales only")));
    assert!(rows.iter().all(|r| r.0 != "maria.santos" || r.1 == "create"));
    let policy: Value = serde_json::from_str(&sandbox.run(&["history", "--format", "json"]).stdout).unwrap();
    let change = policy.as_array().unwrap().last().unwrap();
    assert_eq!(
        (change["actor"].clone(), change["old"].clone(), change["new"].clone()),
        (json!("ops"), json!("6"), json!("8"))
    );
    // The history itself cannot be rewritten.
    let err = sandbox.sql().execute("DELETE FROM history", []).unwrap_err();
    assert!(err.to_string().contains("history is append-only"));
}

#[test]
fn sql_looking_text_round_trips_unchanged() {
    let sandbox = Sandbox::empty();
    let nasty = [
        "O'Brien \"Cases\"; DROP TABLE suppliers; --",
        "Robert'); DELETE FROM lots WHERE ('1'='1",
        "50% off_\\%_ LIKE '%' ESCAPE '\\'",
        "深圳市盔甲保护壳有限公司 — 第二工厂",
        "tab\tand\nnewline; /* comment */ `backtick` ?1 :name @x $y",
    ];
    let long = "x'; ".repeat(4000);
    let doc = json!({
        "format": "casebook-dossier/1",
        "suppliers": [{
            "code": "SQL-1", "name": nasty[0], "country": "CN", "city": nasty[3],
            "business_type": "manufacturer", "models": ["oem"], "notes": long,
            "claims": [{"capability": "mass_production", "source": "other", "stated_on": "2026-01-01", "statement": nasty[1]}],
            "audits": [{"id": "A-SQL-1", "auditor": nasty[2], "visited_on": "2026-02-01", "kind": "on_site", "status": "submitted",
                        "summary": nasty[4], "evidence": [{"pillar": "assembly_constraints", "kind": "other", "strength": "stated",
                        "collected_on": "2026-02-01", "description": nasty[1], "reference": nasty[0]}],
                        "answers": [{"question": "LG-01", "result": "yes", "note": nasty[4]}]}],
            "lots": [{"lot": nasty[2], "sku": nasty[0], "process": "other", "material": nasty[3], "produced_on": "2026-01-05",
                      "started": 10, "passed_first": 9, "reworked": 1, "scrapped": 0}]
        }]
    });
    let file = sandbox.write("nasty.json", serde_json::to_vec_pretty(&doc).unwrap());
    sandbox.run(&["import", file.to_str().unwrap()]).assert_success();
    let exported: Value = serde_json::from_str(&sandbox.run(&["export"]).stdout).unwrap();
    let s = &exported["suppliers"][0];
    assert_eq!(s["name"], nasty[0]);
    assert_eq!(s["city"], nasty[3]);
    assert_eq!(s["notes"].as_str().unwrap(), long);
    assert_eq!(s["claims"][0]["statement"], nasty[1]);
    assert_eq!(s["audits"][0]["auditor"], nasty[2]);
    assert_eq!(s["audits"][0]["summary"], nasty[4]);
    assert_eq!(s["audits"][0]["evidence"][0]["reference"], nasty[0]);
    assert_eq!(s["audits"][0]["answers"][0]["note"], nasty[4]);
    assert_eq!(s["lots"][0]["lot"], nasty[2]);
    assert_eq!(s["lots"][0]["sku"], nasty[0]);
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 1, "nothing was dropped or deleted");
    assert!(sandbox.run(&["check"]).code == Some(0));
}

#[test]
fn a_damaged_database_is_refused_and_left_alone() {
    let sandbox = Sandbox::demo();
    common::checkpointed_sha256(&sandbox.db);
    let size = std::fs::metadata(&sandbox.db).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&sandbox.db).unwrap();
    file.set_len(size / 2).unwrap();
    drop(file);
    let before = common::sha256_of(&sandbox.db);
    for args in [&["suppliers"][..], &["flags"], &["check"], &["import", "x.csv"]] {
        let run = sandbox.run(args);
        run.assert_failure().assert_stderr_has("the database file is damaged");
        assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    }
    assert_eq!(common::sha256_of(&sandbox.db), before, "the damaged file was not touched");
}

/// Whether `path` (a file, or a folder's entries) can still be written.
fn writable(path: &std::path::Path) -> bool {
    if path.is_dir() {
        let probe = path.join(".probe");
        let ok = std::fs::write(&probe, b"x").is_ok();
        let _ = std::fs::remove_file(probe);
        ok
    } else {
        std::fs::OpenOptions::new().append(true).open(path).is_ok()
    }
}

/// Makes `path` unwritable even for root (`chattr +i`); whether it worked.
fn freeze(path: &std::path::Path) -> bool {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(path, perms).unwrap();
    if !writable(path) {
        return true;
    }
    std::process::Command::new("chattr").arg("+i").arg(path).status().is_ok_and(|s| s.success()) && !writable(path)
}

/// Freezes `path`; `false` (skip) when that is impossible here and
/// `CASEBOOK_SKIP_READONLY=1`; fails when it is impossible otherwise.
fn freeze_or_skip(path: &std::path::Path) -> bool {
    if freeze(path) {
        return true;
    }
    thaw(path);
    if std::env::var_os("CASEBOOK_SKIP_READONLY").is_some_and(|v| v == "1") {
        eprintln!(
            "cannot make {} read-only on this machine (root without a working `chattr +i`); \
             skipped because CASEBOOK_SKIP_READONLY=1",
            path.display()
        );
        return false;
    }
    panic!(
        "this test needs {} to be unwritable, but it stays writable (root without a working `chattr +i`); \
         set CASEBOOK_SKIP_READONLY=1 to skip it",
        path.display()
    );
}

fn thaw(path: &std::path::Path) {
    let _ = std::process::Command::new("chattr").arg("-i").arg(path).status();
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    let _ = std::fs::set_permissions(path, perms);
}

#[test]
fn a_read_only_database_is_read_and_writes_are_refused_and_it_is_left_alone() {
    let sandbox = Sandbox::demo();
    common::checkpointed_sha256(&sandbox.db);
    if !freeze_or_skip(&sandbox.db) {
        return;
    }
    let before = common::sha256_of(&sandbox.db);
    let lots = sandbox.write("lots.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "RO-1")]));
    let import = sandbox.run(&["import", lots.to_str().unwrap()]);
    let suppliers = sandbox.run(&["suppliers"]);
    let side_files = ["-wal", "-shm"].iter().any(|s| sandbox.path(&format!("casebook.db{s}")).exists());
    thaw(&sandbox.db);
    import.assert_failure().assert_stderr_has("cannot write the database: this user cannot write it");
    suppliers.assert_success().assert_stdout_has("SZ-ARMOR");
    assert!(!side_files, "reading a read-only file created side files");
    assert_eq!(common::sha256_of(&sandbox.db), before);
}

#[test]
fn a_read_only_folder_refuses_writes_and_new_databases_clearly() {
    let sandbox = Sandbox::demo();
    common::checkpointed_sha256(&sandbox.db);
    let folder = sandbox.path("locked");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("casebook.db");
    std::fs::copy(&sandbox.db, &db).unwrap();
    if !freeze_or_skip(&folder) {
        return;
    }
    let before = common::sha256_of(&db);
    let lots = sandbox.write("lots.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "RO-1")]));
    let import = common::run(sandbox.command().arg("--db").arg(&db).arg("import").arg(&lots));
    let fresh = common::run(sandbox.command().arg("--db").arg(folder.join("new.db")).arg("init"));
    thaw(&folder);
    import.assert_failure().assert_stderr_has(&format!("its folder {} is not writable", folder.display()));
    fresh.assert_failure().assert_stderr_has(&format!("cannot create the database: its folder {}", folder.display()));
    for run in [import, fresh] {
        assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    }
    assert_eq!(common::sha256_of(&db), before);
    assert!(!folder.join("new.db").exists());
}

#[test]
fn check_runs_every_check_and_names_each_unreadable_value() {
    let sandbox = Sandbox::demo();
    let sql = sandbox.sql();
    let evidence: i64 = sql
        .query_row(
            "SELECT min(e.id) FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE a.status = 'submitted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Written around casebook: CHECKs off, a trigger dropped.
    sql.execute_batch(&format!(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE suppliers SET name = CAST(x'41ff42' AS TEXT) WHERE code = 'SZ-ARMOR';
         DROP TRIGGER evidence_frozen_update;
         UPDATE evidence SET description = CAST(x'50ff' AS TEXT) WHERE id = {evidence};
         INSERT INTO attachments (evidence_id, path, size, sha256, attached_at, attached_by, media_type, gid)
           VALUES ({evidence}, 'x.jpg', 1, '{}', '2026-11-01T00:00:00.000Z', 'tester', 'image/tiff',
                   '0190f3c2-0000-7000-8000-000000000001');",
        "0".repeat(64)
    ))
    .unwrap();
    drop(sql);
    let armor = sandbox.count("SELECT id FROM suppliers WHERE code = 'SZ-ARMOR'");
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let names: Vec<&str> = results.as_array().unwrap().iter().map(|r| r["check"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "integrity",
            "foreign-keys",
            "schema",
            "domain",
            "templates",
            "seals",
            "history",
            "facts",
            "attachments",
            "merges"
        ]
    );
    let domain = problems_of(&results, "domain");
    assert!(domain.contains(&format!("suppliers row {armor}, column name: not valid UTF-8 text")), "{domain:?}");
    let seals = problems_of(&results, "seals");
    assert!(seals.iter().any(|p| p.contains("was changed after it was submitted")), "{seals:?}");
    assert!(domain.contains(&format!("evidence row {evidence}, column description: not valid UTF-8 text")));
    let attachments = problems_of(&results, "attachments");
    assert!(attachments.iter().any(|p| p.starts_with("attachments row 1: cannot be read")), "{attachments:?}");
    let schema = problems_of(&results, "schema");
    assert!(schema.iter().any(|p| p.contains("evidence_frozen_update is missing")), "{schema:?}");
}

#[test]
fn an_audit_sealed_by_an_older_casebook_that_cannot_be_read_is_named_and_the_rest_checked() {
    let sandbox = Sandbox::new();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v2/db.sql");
    rusqlite::Connection::open(&sandbox.db).unwrap().execute_batch(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    sandbox.run(&["suppliers"]).assert_success(); // brought up to date
    let sql = sandbox.sql();
    let (evidence, reference): (i64, String) = sql
        .query_row(
            "SELECT e.id, a.ref FROM evidence e JOIN audits a ON a.id = e.audit_id
             WHERE a.status = 'submitted' AND a.seal_format = 1 ORDER BY e.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    sql.execute_batch(&format!(
        "PRAGMA ignore_check_constraints = ON; DROP TRIGGER evidence_frozen_update;
         UPDATE evidence SET strength = 'rumour' WHERE id = {evidence};"
    ))
    .unwrap();
    drop(sql);
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let seals = problems_of(&results, "seals");
    let unreadable: Vec<&String> =
        seals.iter().filter(|p| p.contains("cannot be read, so its seal cannot be checked")).collect();
    assert_eq!(unreadable.len(), 1, "{seals:?}");
    assert!(unreadable[0].starts_with(&format!("audit {reference} ")) && unreadable[0].contains("rumour"), "{seals:?}");
    let summary = results.as_array().unwrap().iter().find(|r| r["check"] == "seals").unwrap()["summary"].clone();
    assert!(summary.as_str().unwrap().starts_with("15 submitted audit(s) sealed"), "{summary}");
}
