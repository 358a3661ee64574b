//! `casebook merge` through the binary: auditors' copies of the team
//! database come back to HQ. Profile edits are resolved field by field by
//! the later edit (conflicts listed, either merge order giving the same
//! result), lots are unioned and a lot with other content is refused and
//! reported, a merged source merged again changes nothing, sources are
//! never written, an older source is migrated in a temporary copy, and bad
//! sources are refused before anything is written.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{Sandbox, Snapshot, csv_doc, lot_row, run};
use serde_json::Value;

/// The team database and `n` auditors' copies of it, each opened once.
fn team(n: usize) -> (Sandbox, Vec<PathBuf>) {
    let sandbox = Sandbox::demo();
    let copies: Vec<PathBuf> = (0..n).map(|i| sandbox.path(&format!("auditor{i}.db"))).collect();
    for copy in &copies {
        std::fs::copy(&sandbox.db, copy).expect("test setup");
        at(&sandbox, copy, "tester", &["where"]).assert_success();
    }
    (sandbox, copies)
}

fn at<S: AsRef<OsStr>>(sandbox: &Sandbox, db: &Path, who: &str, args: &[S]) -> common::Run {
    run(sandbox.command().arg("--db").arg(db).args(["--auditor", who]).args(args))
}

fn merge(sandbox: &Sandbox, into: &Path, sources: &[&Path], extra: &[&str]) -> common::Run {
    let mut cmd = sandbox.command();
    cmd.arg("--db").arg(into).args(["--auditor", "hq.lead", "merge"]).args(extra).args(sources);
    run(&mut cmd)
}

fn supplier(sandbox: &Sandbox, db: &Path, code: &str) -> Value {
    let out = at(sandbox, db, "tester", &["suppliers", "--format", "json"]);
    out.assert_success();
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).expect("suppliers JSON");
    rows.into_iter().find(|r| r["code"] == code).expect("the supplier is there")
}

fn lots_of(db: &Path, code: &str) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).expect("test setup");
    let mut stmt = conn
        .prepare("SELECT l.lot, l.started FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = ?1 ORDER BY l.lot")
        .expect("test setup");
    stmt.query_map([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("test setup")
        .collect::<Result<_, _>>()
        .expect("test setup")
}

#[test]
fn profile_edits_on_two_laptops_resolve_to_the_later_one_in_either_order() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    at(&sandbox, a, "auditor a", &["supplier", "edit", "DG-FOLIO", "--moq", "350", "--city", "Humen"]).assert_success();
    std::thread::sleep(std::time::Duration::from_millis(20));
    at(&sandbox, b, "auditor b", &["supplier", "edit", "DG-FOLIO", "--moq", "500"]).assert_success();

    let hq1 = sandbox.path("hq1.db");
    let hq2 = sandbox.path("hq2.db");
    for hq in [&hq1, &hq2] {
        std::fs::copy(&sandbox.db, hq).unwrap();
    }
    let first = merge(&sandbox, &hq1, &[a, b], &[]);
    first.assert_success();
    let second = merge(&sandbox, &hq2, &[b, a], &[]);
    second.assert_success();
    for (hq, out) in [(&hq1, &first), (&hq2, &second)] {
        let folio = supplier(&sandbox, hq, "DG-FOLIO");
        assert_eq!(folio["moq"], 500, "the later edit wins");
        assert_eq!(folio["city"], "Humen", "a field only one side edited is taken");
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("conflict resolved"))
            .unwrap_or_else(|| panic!("no conflict listed:\n{}", out.stdout));
        assert!(line.contains("supplier DG-FOLIO moq: 350 by auditor a ("), "{line}");
        assert!(line.contains(") vs 500 by auditor b (") && line.ends_with(") → 500"), "{line}");
    }
    // The losing value stays on record with who set it.
    let losing = common::run(sandbox.command().arg("--db").arg(&hq1).args(["history", "DG-FOLIO", "--format", "json"]));
    losing.assert_success();
}

#[test]
fn lots_are_unioned_and_a_lot_with_other_content_is_refused_and_reported() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let a_rows: Vec<String> = (0..30).map(|i| lot_row("XM-FEWLOTS", &format!("A-{i:03}"))).collect();
    let mut b_rows: Vec<String> = (0..20).map(|i| lot_row("XM-FEWLOTS", &format!("B-{i:03}"))).collect();
    b_rows.push(lot_row("XM-FEWLOTS", "A-000")); // the same lot, entered twice: one fact
    b_rows.push("XM-FEWLOTS,A-001,T-SKU,co_molding,TPU+PC,2026-03-01,1300,1130,50,20".to_owned()); // other content
    let csv_a = sandbox.write("a.csv", csv_doc(&a_rows));
    let csv_b = sandbox.write("b.csv", csv_doc(&b_rows));
    at(&sandbox, a, "auditor a", &[OsStr::new("import"), csv_a.as_os_str()]).assert_success();
    at(&sandbox, b, "auditor b", &[OsStr::new("import"), csv_b.as_os_str()]).assert_success();
    let before = lots_of(&sandbox.db, "XM-FEWLOTS").len();

    let out = merge(&sandbox, &sandbox.db, &[a, b], &[]);
    out.assert_failure(); // something was refused: scripts notice
    let after = lots_of(&sandbox.db, "XM-FEWLOTS");
    assert_eq!(after.len(), before + 50, "30 from a, 20 from b, the shared lot once");
    assert!(after.contains(&("A-001".to_owned(), 1200)), "the lot already here is kept, not overwritten");
    let refused = out.stdout.lines().find(|l| l.contains("refused:")).expect("the refusal is reported");
    assert!(
        refused.contains("lot XM-FEWLOTS lot A-001") && refused.contains("started: here \"1200\" vs there \"1300\""),
        "{refused}"
    );
    out.assert_stdout_has("1 record(s) refused");
}

#[test]
fn merging_again_changes_nothing_and_the_source_is_never_written() {
    let (sandbox, copies) = team(1);
    let a = &copies[0];
    at(&sandbox, a, "auditor a", &["supplier", "new", "SZ-NEWCO2", "--name", "New Co 2", "--country", "CN"])
        .assert_success();
    let source_before = Snapshot::of(a);
    merge(&sandbox, &sandbox.db, &[a], &[]).assert_success().assert_stdout_has("added 1 supplier");
    Snapshot::of(a).assert_same(&source_before);
    let merged = sandbox.snapshot();

    let again = merge(&sandbox, &sandbox.db, &[a], &[]);
    again.assert_success().assert_stdout_has("unchanged since it was last merged").assert_stdout_has("added nothing");
    let full = merge(&sandbox, &sandbox.db, &[a], &["--full"]);
    full.assert_success().assert_stdout_has("added nothing");
    assert_eq!(
        sandbox.snapshot().dump.lines().filter(|l| !l.contains("installation")).count(),
        merged.dump.lines().filter(|l| !l.contains("installation")).count()
    );
    let new = supplier(&sandbox, &sandbox.db, "SZ-NEWCO2");
    assert_eq!(new["name"], "New Co 2");
}

#[test]
fn a_dry_run_writes_nothing_and_json_reports_each_source() {
    let (sandbox, copies) = team(1);
    let a = &copies[0];
    at(&sandbox, a, "auditor a", &["supplier", "edit", "SZ-ARMOR", "--moq", "450"]).assert_success();
    let before = sandbox.snapshot();
    let out = merge(&sandbox, &sandbox.db, &[a], &["--dry-run", "--format", "json"]);
    out.assert_success();
    sandbox.assert_unchanged(&before);
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(report["committed"], false);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["sources"][0]["updated"]["suppliers"], 1);
    assert_eq!(report["sources"][0]["source"], a.display().to_string());
}

#[test]
fn bad_sources_are_refused_before_anything_is_written() {
    let (sandbox, copies) = team(1);
    let before = sandbox.snapshot();
    let text = sandbox.write("notes.txt", "not a database");
    let newer = sandbox.path("newer.db");
    std::fs::copy(&copies[0], &newer).unwrap();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let cases: [(&Path, &str); 4] = [
        (&sandbox.db, "this is the database being merged into"),
        (&text, "not a casebook database"),
        (&newer, "written by a newer casebook"),
        (&sandbox.path("missing.db"), "no database here"),
    ];
    for (bad, says) in cases {
        let out = merge(&sandbox, &sandbox.db, &[&copies[0], bad], &[]);
        out.assert_failure().assert_stderr_has(says);
    }
    sandbox.assert_unchanged(&before);
}

#[test]
fn a_database_from_the_last_release_is_merged_through_a_migrated_copy() {
    let sandbox = Sandbox::demo();
    let old = sandbox.path("v2.db");
    let sql =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v2/db.sql")).unwrap();
    rusqlite::Connection::open(&old).unwrap().execute_batch(&sql).unwrap();
    let version = |db: &Path| -> i64 {
        rusqlite::Connection::open(db).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    };
    assert_eq!(version(&old), 2);
    let untouched = std::fs::read(&old).unwrap();
    let out = merge(&sandbox, &sandbox.db, &[&old], &[]);
    out.assert_success();
    assert_eq!(std::fs::read(&old).unwrap(), untouched, "the source file is not written");
    assert_eq!(version(&old), 2, "the source is not migrated in place");
    // The legacy file's policy change (yield.min_fpy 86%) arrives.
    let policy = common::run(sandbox.command().arg("--db").arg(&sandbox.db).arg("policy"));
    policy.assert_success();
}
