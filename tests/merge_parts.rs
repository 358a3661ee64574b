//! `casebook merge` through the binary, for the parts of the team story
//! beyond profiles and lots: attachments and their files, draft edits on
//! two laptops, voids, lot annotations and control plans.

#![allow(clippy::unwrap_used)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{Sandbox, run};
use serde_json::Value;

/// The team database and `n` auditors' copies of it, each opened once.
fn team(n: usize) -> (Sandbox, Vec<PathBuf>) {
    let sandbox = Sandbox::demo();
    let copies: Vec<PathBuf> = (0..n).map(|i| sandbox.path(&format!("auditor{i}.db"))).collect();
    for copy in &copies {
        std::fs::copy(&sandbox.db, copy).unwrap();
        at(&sandbox, copy, "tester", &["where"]).assert_success();
    }
    (sandbox, copies)
}

fn at<S: AsRef<OsStr>>(sandbox: &Sandbox, db: &Path, who: &str, args: &[S]) -> common::Run {
    run(sandbox.command().arg("--db").arg(db).args(["--auditor", who]).args(args))
}

fn merge(sandbox: &Sandbox, into: &Path, sources: &[&Path]) -> (common::Run, Value) {
    let mut cmd = sandbox.command();
    cmd.arg("--db").arg(into).args(["--auditor", "hq.lead", "merge", "--full", "--format", "json"]).args(sources);
    let out = run(&mut cmd);
    let report = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}

fn merge_text(sandbox: &Sandbox, into: &Path, sources: &[&Path]) -> common::Run {
    let mut cmd = sandbox.command();
    cmd.arg("--db").arg(into).args(["--auditor", "hq.lead", "merge"]).args(sources);
    run(&mut cmd)
}

fn sql_i64(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn check(sandbox: &Sandbox, db: &Path) -> common::Run {
    at(sandbox, db, "tester", &["--as-of", "2026-11-15", "check"])
}

fn stored_files(db: &Path) -> Vec<PathBuf> {
    let root = PathBuf::from(format!("{}.files", db.display()));
    let Ok(dirs) = std::fs::read_dir(&root) else { return Vec::new() };
    dirs.flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten().map(|f| f.unwrap().path()))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

/// An evidence item of a submitted demo audit.
const SUBMITTED_EVIDENCE: &str = "SELECT min(e.id) FROM evidence e JOIN audits a ON a.id = e.audit_id
                                  WHERE a.status = 'submitted'";

#[test]
fn a_photo_attached_on_one_laptop_travels_with_its_file_and_check_passes_there() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let evidence = sql_i64(a, SUBMITTED_EVIDENCE).to_string();
    let photo = sandbox.write("IMG_2041.jpg", b"\xff\xd8\xff\xe0 a photo of a peel test");
    at(&sandbox, a, "auditor a", &[OsStr::new("attach"), OsStr::new(&evidence), photo.as_os_str()]).assert_success();
    std::fs::remove_file(&photo).unwrap();

    let (out, report) = merge(&sandbox, b, &[a]);
    out.assert_success();
    assert_eq!(report["sources"][0]["added"]["attachments"], 1, "{report}");
    assert_eq!(report["sources"][0]["missing_files"], Value::Array(Vec::new()));
    let files = stored_files(b);
    assert_eq!(files.len(), 1, "the photo is in b's file store: {files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"\xff\xd8\xff\xe0 a photo of a peel test");
    check(&sandbox, b).assert_success().assert_stdout_has("1 attached file(s) re-hashed: 1 in the file store");
    assert_eq!(sql_i64(b, "SELECT count(*) FROM attachments"), 1);
    assert_eq!(
        sql_i64(b, "SELECT count(*) FROM history WHERE entity = 'attachment' AND fact_hash IS NOT NULL"),
        1,
        "the history entry that recorded the photo came with it"
    );

    // Again: nothing new.
    let (again, report) = merge(&sandbox, b, &[a]);
    again.assert_success();
    assert_eq!(report["sources"][0]["already"]["attachments"], 1, "{report}");
    assert!(report["sources"][0]["added"].get("attachments").is_none(), "{report}");
    assert_eq!(sql_i64(b, "SELECT count(*) FROM attachments"), 1);
}

#[test]
fn a_file_missing_from_the_source_is_reported_and_its_record_still_merged() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let evidence = sql_i64(a, SUBMITTED_EVIDENCE).to_string();
    sandbox.write("scan.pdf", b"%PDF-1.4 the mould-flow report");
    at(&sandbox, a, "auditor a", &["attach", &evidence, "scan.pdf"]).assert_success();
    std::fs::remove_dir_all(format!("{}.files", a.display())).unwrap();

    let out = merge_text(&sandbox, b, &[a]);
    out.assert_failure();
    out.assert_stdout_has("file missing: scan.pdf (");
    out.assert_stdout_has("the record is merged");
    assert_eq!(sql_i64(b, "SELECT count(*) FROM attachments"), 1, "the row is taken in");
    let sha: String =
        rusqlite::Connection::open(b).unwrap().query_row("SELECT sha256 FROM attachments", [], |r| r.get(0)).unwrap();
    let verdict = check(&sandbox, b);
    verdict.assert_failure();
    assert!(verdict.stdout.contains(&sha) || verdict.stderr.contains(&sha), "check names the missing file");

    // The file turns up on a third laptop that has it: merging that one
    // brings the file, and check is clean again.
    let c = sandbox.path("c.db");
    std::fs::copy(&sandbox.db, &c).unwrap();
    std::fs::create_dir_all(format!("{}.files/{}", c.display(), &sha[..2])).unwrap();
    std::fs::write(format!("{}.files/{}/{sha}", c.display(), &sha[..2]), b"%PDF-1.4 the mould-flow report").unwrap();
    // c holds the file already (as a laptop that received it otherwise).
    merge_text(&sandbox, &c, &[a]).assert_success();
    merge_text(&sandbox, b, &[&c]).assert_success();
    check(&sandbox, b).assert_success();
}

#[test]
fn an_attachment_altered_in_the_source_is_refused_and_the_rest_merged() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let evidence = sql_i64(a, SUBMITTED_EVIDENCE).to_string();
    sandbox.write("IMG_1.jpg", b"\xff\xd8\xff\xe0 one");
    at(&sandbox, a, "auditor a", &["attach", &evidence, "IMG_1.jpg"]).assert_success();
    {
        let conn = rusqlite::Connection::open(a).unwrap();
        conn.execute_batch(
            "DROP TRIGGER attachments_append_only_update; UPDATE attachments SET attached_by = 'someone else';",
        )
        .unwrap();
    }
    let (out, report) = merge(&sandbox, b, &[a]);
    out.assert_failure();
    let refused = &report["sources"][0]["refused"];
    assert_eq!(refused[0]["entity"], "attachment", "{report}");
    assert_eq!(refused[0]["cause"], "broken_hash", "{report}");
    assert_eq!(sql_i64(b, "SELECT count(*) FROM attachments"), 0);
    check(&sandbox, b).assert_success();
}
