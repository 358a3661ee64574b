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

fn answer_of(db: &Path, reference: &str, question: &str) -> Option<(String, Option<String>)> {
    use rusqlite::OptionalExtension;
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT n.result, n.note FROM answers n JOIN audits a ON a.id = n.audit_id WHERE a.ref = ?1 AND n.question = ?2",
            [reference, question],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap()
}

/// A draft handed over from laptop a to laptop b, then worked on by both.
fn handed_over_draft(sandbox: &Sandbox, a: &Path, b: &Path) -> String {
    let out = at(sandbox, a, "auditor a", &["--as-of", "2026-11-10", "audit", "new", "XM-FEWLOTS"]);
    out.assert_success();
    let reference =
        out.stdout.split_whitespace().find(|w| w.starts_with("A-")).unwrap().trim_end_matches(':').to_owned();
    at(sandbox, a, "auditor a", &["audit", "answer", &reference, "LG-01", "yes"]).assert_success();
    at(sandbox, a, "auditor a", &["audit", "answer", &reference, "LG-02", "yes"]).assert_success();
    at(
        sandbox,
        a,
        "auditor a",
        &[
            "audit",
            "evidence",
            &reference,
            "--pillar",
            "production_yield",
            "--kind",
            "inspection_record",
            "--strength",
            "observed",
            "--description",
            "yield log seen",
        ],
    )
    .assert_success();
    merge(sandbox, b, &[a]).0.assert_success();
    reference
}

fn copy_of(sandbox: &Sandbox, db: &Path, name: &str) -> PathBuf {
    let to = sandbox.path(name);
    std::fs::copy(db, &to).unwrap();
    to
}

#[test]
fn draft_answers_edited_on_two_laptops_take_the_later_edit_in_either_order() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let reference = handed_over_draft(&sandbox, a, b);
    at(&sandbox, a, "auditor a", &["audit", "answer", &reference, "LG-01", "partial"]).assert_success();
    at(&sandbox, b, "auditor b", &["audit", "answer", &reference, "LG-02", "no", "--note", "no records"])
        .assert_success();
    std::thread::sleep(std::time::Duration::from_millis(20));
    at(&sandbox, b, "auditor b", &["audit", "answer", &reference, "LG-01", "no", "--note", "not seen"])
        .assert_success();
    let evidence = sql_i64(b, "SELECT max(id) FROM evidence").to_string();
    at(&sandbox, b, "auditor b", &["audit", "void-evidence", &reference, &evidence, "--reason", "wrong supplier"])
        .assert_success();

    let (ab, ba) = (copy_of(&sandbox, a, "ab.db"), copy_of(&sandbox, b, "ba.db"));
    let into_a = merge_text(&sandbox, &ab, &[b]);
    into_a.assert_success();
    merge_text(&sandbox, &ba, &[a]).assert_success();
    for db in [&ab, &ba] {
        assert_eq!(answer_of(db, &reference, "LG-01"), Some(("no".into(), Some("not seen".into()))), "the later edit");
        assert_eq!(answer_of(db, &reference, "LG-02"), Some(("no".into(), Some("no records".into()))));
        assert_eq!(
            sql_i64(db, "SELECT count(*) FROM evidence WHERE description = 'yield log seen' AND voided_at IS NOT NULL"),
            1,
            "the void travels"
        );
        assert_eq!(
            sql_i64(
                db,
                "SELECT count(*) FROM field_versions WHERE entity = 'answer' AND field = 'result' AND value = 'partial'"
            ),
            1,
            "the losing value stays in the history"
        );
        check(&sandbox, db).assert_success();
    }
    let line = into_a.stdout.lines().find(|l| l.contains("conflict resolved")).unwrap_or_default();
    assert!(line.contains(&format!("answer {reference} LG-01 result: partial by auditor a (")), "{}", into_a.stdout);
    assert!(line.ends_with("→ no"), "{line}");

    // Submitted on b, then merged into a's draft: the sealed content, and check passes.
    at(&sandbox, &ba, "auditor b", &["--as-of", "2026-11-12", "audit", "submit", &reference]).assert_success();
    merge_text(&sandbox, a, &[&ba]).assert_success();
    assert_eq!(answer_of(a, &reference, "LG-01"), Some(("no".into(), Some("not seen".into()))));
    check(&sandbox, a).assert_success();
}

#[test]
fn a_cleared_answer_stays_cleared_and_a_later_answer_comes_back() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let reference = handed_over_draft(&sandbox, a, b);
    // a clears LG-02 (b never touched it): merging b's copy must not bring it back.
    let out = at(&sandbox, a, "auditor a", &["audit", "answer", &reference, "LG-02", "na"]);
    out.assert_success();
    {
        let mut store = casebook::store::Store::open(a, casebook::store::OpenMode::Existing).unwrap();
        let w = store.begin("auditor a").unwrap();
        let id = w.read().audit_id(&reference).unwrap().unwrap();
        w.clear_answer(id, "LG-02").unwrap();
        w.commit().unwrap();
    }
    merge_text(&sandbox, a, &[b]).assert_success();
    assert_eq!(answer_of(a, &reference, "LG-02"), None, "the clearing is the later edit");
    merge_text(&sandbox, b, &[a]).assert_success();
    assert_eq!(answer_of(b, &reference, "LG-02"), None, "and it travels");
}

#[test]
fn voids_of_lots_and_claims_travel_and_stay() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let lot: String = rusqlite::Connection::open(b)
        .unwrap()
        .query_row(
            "SELECT l.lot FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'XM-FEWLOTS' ORDER BY l.lot",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let claim =
        sql_i64(b, "SELECT min(c.id) FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE s.code = 'DG-FOLIO'");
    at(
        &sandbox,
        b,
        "auditor b",
        &["lot", "void", "--supplier", "XM-FEWLOTS", "--lot", &lot, "--reason", "typed twice"],
    )
    .assert_success();
    at(&sandbox, b, "auditor b", &["claim", "void", "--supplier", "DG-FOLIO", "--reason", "wrong", &claim.to_string()])
        .assert_success();
    let voided = "SELECT (SELECT count(*) FROM lots WHERE voided_at IS NOT NULL) * 10
                        + (SELECT count(*) FROM claims WHERE voided_at IS NOT NULL)";

    // Into the copy that voided them: the source's un-voided rows change nothing.
    let (into_b, report) = merge(&sandbox, b, &[a]);
    into_b.assert_success();
    assert_eq!(report["sources"][0]["refused"], Value::Array(Vec::new()), "{report}");
    assert_eq!(sql_i64(b, voided), 11, "still voided");
    // Into the other: the voids arrive.
    let (into_a, report) = merge(&sandbox, a, &[b]);
    into_a.assert_success();
    assert_eq!(report["sources"][0]["updated"]["lots"], 1, "{report}");
    assert_eq!(report["sources"][0]["updated"]["claims"], 1, "{report}");
    assert_eq!(sql_i64(a, voided), 11);
    let (again, report) = merge(&sandbox, a, &[b]);
    again.assert_success();
    assert!(report["sources"][0]["updated"].get("lots").is_none(), "{report}");
    check(&sandbox, a).assert_success();
    check(&sandbox, b).assert_success();
}

#[test]
fn lot_annotations_and_control_plans_travel_and_an_unfreezing_follows() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let lot: String = rusqlite::Connection::open(a)
        .unwrap()
        .query_row(
            "SELECT l.lot FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'SZ-ARMOR' ORDER BY l.lot",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let qa = |db: &Path, args: &[&str]| at(&sandbox, db, "qa.lead", &[&["--as-of", "2026-11-15"], args].concat());
    qa(a, &["lot", "annotate", "--supplier", "SZ-ARMOR", "--lot", &lot, "--cause", "wet resin", "--exclude"])
        .assert_success();
    qa(a, &["plan", "freeze", "--supplier", "SZ-ARMOR", "--baseline-until", "2026-10-31"]).assert_success();

    let (out, report) = merge(&sandbox, b, &[a]);
    out.assert_success();
    assert_eq!(report["sources"][0]["added"]["annotations"], 1, "{report}");
    assert_eq!(report["sources"][0]["added"]["control_plans"], 1, "{report}");
    let same = "SELECT count(*) FROM lot_annotations WHERE cause = 'wet resin' AND excluded = 1";
    assert_eq!(sql_i64(b, same), 1);
    assert_eq!(sql_i64(b, "SELECT count(*) FROM control_plans WHERE unfrozen_on IS NULL"), 1);

    // Unfrozen on b: merged back into a, a's plan is unfrozen as on b.
    qa(b, &["plan", "unfreeze", "--supplier", "SZ-ARMOR"]).assert_success();
    let (back, report) = merge(&sandbox, a, &[b]);
    back.assert_success();
    assert_eq!(report["sources"][0]["updated"]["control_plans"], 1, "{report}");
    assert_eq!(sql_i64(a, "SELECT count(*) FROM control_plans WHERE unfrozen_on = '2026-11-15'"), 1);
    let (again, report) = merge(&sandbox, a, &[b]);
    again.assert_success();
    assert_eq!(report["sources"][0]["already"]["control_plans"], 1, "{report}");
    assert_eq!(report["sources"][0]["already"]["annotations"], 1, "{report}");

    // Two laptops freezing limits for the same lots: the second is refused, reported.
    let c = sandbox.path("c.db");
    std::fs::copy(&sandbox.db, &c).unwrap();
    qa(&c, &["plan", "freeze", "--supplier", "SZ-ARMOR", "--baseline-until", "2026-09-30"]).assert_success();
    qa(a, &["plan", "freeze", "--supplier", "SZ-ARMOR", "--baseline-until", "2026-10-31"]).assert_success();
    let (clash, report) = merge(&sandbox, a, &[&c]);
    clash.assert_failure();
    assert_eq!(report["sources"][0]["refused"][0]["entity"], "control_plan", "{report}");
    check(&sandbox, a).assert_success();
    check(&sandbox, b).assert_success();
}

/// Found by the team property test: a draft handed over to laptop b and
/// submitted on a, while b went on adding a finding. Merged into a database
/// that already holds the sealed audit, b's finding cannot join it — and is
/// listed (after submission), not dropped in silence; the sealed audit is
/// unchanged and `check` passes.
#[test]
fn a_finding_added_to_a_draft_sealed_elsewhere_is_listed_not_lost() {
    let (sandbox, copies) = team(2);
    let (a, b) = (&copies[0], &copies[1]);
    let reference = handed_over_draft(&sandbox, a, b);
    at(&sandbox, a, "auditor a", &["--as-of", "2026-11-12", "audit", "submit", &reference]).assert_success();
    let finding = ["audit", "finding", &reference, "--severity", "minor", "--description", "burrs on the gate"];
    at(&sandbox, b, "auditor b", &finding).assert_success();
    let hq = copy_of(&sandbox, &sandbox.db, "hq.db");
    merge(&sandbox, &hq, &[a]).0.assert_success();
    let sealed = "SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id WHERE a.status = 'submitted'";
    let before = sql_i64(&hq, sealed);

    let (out, report) = merge(&sandbox, &hq, &[b]);
    out.assert_failure(); // something stays behind: scripts notice
    let refused = report["sources"][0]["refused"].as_array().cloned().unwrap_or_default();
    let listed: Vec<&Value> = refused.iter().filter(|x| x["entity"] == "finding").collect();
    assert_eq!(listed.len(), 1, "{report}");
    assert_eq!(listed[0]["cause"], "after_submission", "{report}");
    let gid: String = rusqlite::Connection::open(b)
        .unwrap()
        .query_row("SELECT gid FROM findings WHERE description = 'burrs on the gate'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(listed[0]["id"], gid.as_str(), "{report}");
    assert_eq!(sql_i64(&hq, sealed), before, "the sealed audit took nothing");
    check(&sandbox, &hq).assert_success();
}
