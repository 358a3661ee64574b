//! Issue 15's story through the binary: the team database is copied to two
//! auditors, each records an audit of XM-FEWLOTS offline on a different day
//! (the first answers yes, the second no) and submits it; HQ merges both
//! copies and ends with both audits, their seals verified and linked into
//! its own chain, `check` passing. Merging again changes nothing, and the
//! other merge order gives the same audits.

mod common;

use std::path::{Path, PathBuf};

use common::{Sandbox, run};

fn at(sandbox: &Sandbox, db: &Path, who: &str, args: &[&str]) -> common::Run {
    run(sandbox.command().arg("--db").arg(db).args(["--auditor", who, "--as-of", "2026-11-25"]).args(args))
}

/// Records and submits an audit of XM-FEWLOTS; returns its reference.
fn field_audit(sandbox: &Sandbox, db: &Path, who: &str, day: &str, answer: &str) -> String {
    let made = at(sandbox, db, who, &["audit", "new", "XM-FEWLOTS", "--visited", day]);
    made.assert_success();
    let reference = made.stdout.trim().to_owned();
    at(sandbox, db, who, &["audit", "answer", &reference, "LG-01", answer, "--note", "licence read"]).assert_success();
    at(
        sandbox,
        db,
        who,
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
            "lot travellers on the floor",
        ],
    )
    .assert_success();
    at(sandbox, db, who, &["audit", "submit", &reference]).assert_success();
    reference
}

fn copies(sandbox: &Sandbox, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| {
            let p = sandbox.path(n);
            std::fs::copy(&sandbox.db, &p).expect("copy the team database");
            p
        })
        .collect()
}

/// (gid, reference, status, content hash, LG-01 result) of an audit.
type AuditLine = (String, String, String, Option<String>, Option<String>);

/// Every audit of XM-FEWLOTS.
fn audits(db: &Path) -> Vec<AuditLine> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT a.gid, a.ref, a.status, a.content_hash,
                    (SELECT result FROM answers WHERE audit_id = a.id AND question = 'LG-01')
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id WHERE s.code = 'XM-FEWLOTS' ORDER BY a.gid",
        )
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn two_auditors_offline_both_audits_reach_hq_through_merge() {
    let sandbox = Sandbox::demo();
    let before = audits(&sandbox.db).len();
    let [a, b, hq2] = <[PathBuf; 3]>::try_from(copies(&sandbox, &["a.db", "b.db", "hq2.db"])).expect("three");
    let ref_a = field_audit(&sandbox, &a, "auditor.a", "2026-11-20", "yes");
    let ref_b = field_audit(&sandbox, &b, "auditor.b", "2026-11-21", "no");
    assert_ne!(ref_a, ref_b, "two copies never mint the same reference");

    let merged =
        at(&sandbox, &sandbox.db, "hq.lead", &["merge", a.to_str().expect("utf-8"), b.to_str().expect("utf-8")]);
    merged.assert_success();
    let hq = audits(&sandbox.db);
    assert_eq!(hq.len(), before + 2, "both audits are at HQ:\n{}", merged.stdout);
    for (reference, result) in [(&ref_a, "yes"), (&ref_b, "no")] {
        let row = hq.iter().find(|r| &r.1 == reference).expect("the audit is at HQ");
        assert_eq!((row.2.as_str(), row.4.as_deref()), ("submitted", Some(result)));
        let shown = at(&sandbox, &sandbox.db, "hq.lead", &["audit", "show", reference]);
        shown.assert_success().assert_stdout_has("XM-FEWLOTS");
    }
    at(&sandbox, &sandbox.db, "hq.lead", &["check"]).assert_success();

    // Again: nothing changes.
    let again = at(
        &sandbox,
        &sandbox.db,
        "hq.lead",
        &["merge", "--full", a.to_str().expect("utf-8"), b.to_str().expect("utf-8")],
    );
    again.assert_success().assert_stdout_has("added nothing");
    assert_eq!(audits(&sandbox.db), hq);

    // The other order gives the same audits, seals and answers.
    at(&sandbox, &hq2, "hq.lead", &["merge", b.to_str().expect("utf-8"), a.to_str().expect("utf-8")]).assert_success();
    assert_eq!(audits(&hq2), hq);
    at(&sandbox, &hq2, "hq.lead", &["check"]).assert_success();
}

#[test]
fn an_audit_whose_seal_does_not_match_its_content_is_refused_and_the_rest_goes_in() {
    let sandbox = Sandbox::demo();
    let [a] = <[PathBuf; 1]>::try_from(copies(&sandbox, &["a.db"])).expect("one");
    let good = field_audit(&sandbox, &a, "auditor.a", "2026-11-20", "yes");
    let bad = field_audit(&sandbox, &a, "auditor.a", "2026-11-21", "no");
    // Tampering: the answer of a submitted audit changed behind casebook's back.
    let conn = rusqlite::Connection::open(&a).expect("open");
    conn.execute_batch("DROP TRIGGER answers_frozen_update").expect("drop the guard");
    conn.execute(
        "UPDATE answers SET result = 'yes' WHERE question = 'LG-01' AND audit_id = (SELECT id FROM audits WHERE ref = ?1)",
        [&bad],
    )
    .expect("tamper");
    drop(conn);
    let out = at(&sandbox, &sandbox.db, "hq.lead", &["merge", a.to_str().expect("utf-8")]);
    out.assert_failure();
    let line = out.stdout.lines().find(|l| l.contains(&bad)).expect("the refusal names the audit");
    assert!(line.contains("its seal does not match its content"), "{line}");
    let hq = audits(&sandbox.db);
    assert!(hq.iter().any(|r| r.1 == good), "the sound audit went in");
    assert!(!hq.iter().any(|r| r.1 == bad), "the tampered one did not");
    // HQ is sound, and its check explains what was refused and why.
    let check = at(&sandbox, &sandbox.db, "hq.lead", &["check"]);
    check.assert_success().assert_stdout_has("1 record(s) refused by merges");
    let why = check.stdout.lines().find(|l| l.contains(&bad)).expect("check names the refused audit");
    assert!(why.contains("its seal does not match its content") && why.contains("a.db"), "{why}");
    // Merging again does not record the refusal twice.
    at(&sandbox, &sandbox.db, "hq.lead", &["merge", "--full", a.to_str().expect("utf-8")]).assert_failure();
    let again = at(&sandbox, &sandbox.db, "hq.lead", &["check"]);
    again.assert_success().assert_stdout_has("1 record(s) refused by merges");
}

#[test]
fn two_auditors_offline_both_audits_reach_hq_through_dossier_import() {
    let sandbox = Sandbox::demo();
    let before = audits(&sandbox.db).len();
    let [a, b] = <[PathBuf; 2]>::try_from(copies(&sandbox, &["a.db", "b.db"])).expect("two");
    let ref_a = field_audit(&sandbox, &a, "auditor.a", "2026-11-20", "yes");
    let ref_b = field_audit(&sandbox, &b, "auditor.b", "2026-11-21", "no");
    let (json_a, json_b) = (sandbox.path("a.json"), sandbox.path("b.json"));
    for (db, json) in [(&a, &json_a), (&b, &json_b)] {
        let out =
            at(&sandbox, db, "tester", &["export", "--supplier", "XM-FEWLOTS", "-o", json.to_str().expect("utf-8")]);
        out.assert_success();
    }
    for json in [&json_a, &json_b] {
        let out = at(&sandbox, &sandbox.db, "hq.lead", &["import", json.to_str().expect("utf-8")]);
        out.assert_success().assert_stdout_has("inserted");
    }
    let hq = audits(&sandbox.db);
    assert_eq!(hq.len(), before + 2, "both audits are at HQ");
    for (reference, result) in [(&ref_a, "yes"), (&ref_b, "no")] {
        let row = hq.iter().find(|r| &r.1 == reference).expect("the audit is at HQ");
        assert_eq!((row.2.as_str(), row.4.as_deref()), ("submitted", Some(result)));
    }
    // The dossiers carried each audit's identity and seal: the audits at HQ
    // are the field's own (gid and content hash), so merging the field
    // databases afterwards finds them there and adds nothing.
    for db in [&a, &b] {
        let field = audits(db);
        let theirs = field.iter().find(|r| r.3.is_some() && !hq.iter().any(|h| h.1 == r.1 && h.0 != r.0));
        assert!(theirs.is_some(), "{}: the audit keeps its global id at HQ", db.display());
        for line in field.iter().filter(|r| r.1 == ref_a || r.1 == ref_b) {
            assert!(hq.contains(line), "{line:?} of {} is at HQ as it is there", db.display());
        }
    }
    let merged = at(&sandbox, &sandbox.db, "hq.lead", &["merge", "--full", "--format", "json", path(&a), path(&b)]);
    merged.assert_success();
    let report: serde_json::Value = serde_json::from_str(&merged.stdout).expect("merge JSON");
    for source in report["sources"].as_array().expect("sources") {
        assert_eq!(source["added"].get("audits"), None, "merging after the dossiers adds no audit: {source}");
        assert_eq!(source["refused"].as_array().map(Vec::len), Some(0), "nothing refused: {source}");
    }
    assert_eq!(audits(&sandbox.db).len(), before + 2, "no audit duplicated by the merge");
    for json in [&json_a, &json_b] {
        let out = at(&sandbox, &sandbox.db, "hq.lead", &["import", path(json)]);
        out.assert_success().assert_stdout_has("inserted 0;");
    }
    at(&sandbox, &sandbox.db, "hq.lead", &["check"]).assert_success();
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Exports the field audit of `db` as a dossier and returns it parsed.
fn dossier_of(sandbox: &Sandbox, db: &Path) -> serde_json::Value {
    let json = sandbox.path("field.json");
    at(sandbox, db, "tester", &["export", "--supplier", "XM-FEWLOTS", "-o", path(&json)]).assert_success();
    serde_json::from_slice(&std::fs::read(&json).expect("read")).expect("JSON")
}

fn import_value(sandbox: &Sandbox, doc: &serde_json::Value) -> common::Run {
    let json = sandbox.path("edited.json");
    std::fs::write(&json, serde_json::to_vec_pretty(doc).expect("JSON")).expect("write");
    at(sandbox, &sandbox.db, "hq.lead", &["import", path(&json)])
}

#[test]
fn an_altered_dossier_is_refused_whole_saying_where() {
    let sandbox = Sandbox::demo();
    let [a] = <[PathBuf; 1]>::try_from(copies(&sandbox, &["a.db"])).expect("one");
    let reference = field_audit(&sandbox, &a, "auditor.a", "2026-11-20", "yes");
    let doc = dossier_of(&sandbox, &a);
    let before = audits(&sandbox.db);
    let audit_at = doc["suppliers"][0]["audits"]
        .as_array()
        .expect("audits")
        .iter()
        .position(|x| x["id"] == reference.as_str())
        .expect("the field audit is in the dossier");
    let answer_at = doc["suppliers"][0]["audits"][audit_at]["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .position(|x| x["question"] == "LG-01")
        .expect("LG-01 answered");

    // The readable part alone edited: refused, naming the first difference.
    let mut readable = doc.clone();
    readable["suppliers"][0]["audits"][audit_at]["answers"][answer_at]["result"] = "no".into();
    let out = import_value(&sandbox, &readable);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    out.assert_stderr_has(&format!("suppliers[0].audits[{audit_at}].answers[{answer_at}].result"));

    // Readable part and records edited alike: the seal no longer matches.
    let mut both = readable;
    let records = both["records"]["records"].as_array_mut().expect("records");
    let submission = records
        .iter_mut()
        .find(|r| r["kind"] == "submission" && r["body"]["answers"].to_string().contains("LG-01"))
        .expect("the submission");
    for answer in submission["body"]["answers"].as_array_mut().expect("answers") {
        if answer["question"] == "LG-01" {
            answer["result"] = "no".into();
        }
    }
    let out = import_value(&sandbox, &both);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    out.assert_stderr_has("its seal does not match its content");
    assert_eq!(audits(&sandbox.db), before, "nothing written by a refused dossier");

    // The dossier as exported goes in.
    import_value(&sandbox, &doc).assert_success().assert_stdout_has("inserted");
    at(&sandbox, &sandbox.db, "hq.lead", &["check"]).assert_success();
}

#[test]
fn a_profile_edited_on_two_laptops_keeps_the_later_edit_through_dossiers() {
    let sandbox = Sandbox::demo();
    let [a, b] = <[PathBuf; 2]>::try_from(copies(&sandbox, &["a.db", "b.db"])).expect("two");
    at(&sandbox, &a, "auditor.a", &["supplier", "edit", "XM-FEWLOTS", "--moq", "350"]).assert_success();
    std::thread::sleep(std::time::Duration::from_millis(20));
    at(&sandbox, &b, "auditor.b", &["supplier", "edit", "XM-FEWLOTS", "--moq", "500"]).assert_success();
    let (doc_a, doc_b) = (dossier_of(&sandbox, &a), dossier_of(&sandbox, &b));
    // The later edit (b's) arrives first; a's earlier one must not overwrite it.
    import_value(&sandbox, &doc_b).assert_success();
    let out = import_value(&sandbox, &doc_a);
    out.assert_success();
    out.assert_stdout_has("moq");
    let conn = rusqlite::Connection::open(&sandbox.db).expect("open HQ");
    let moq: i64 =
        conn.query_row("SELECT moq FROM suppliers WHERE code = 'XM-FEWLOTS'", [], |r| r.get(0)).expect("moq");
    assert_eq!(moq, 500, "the later edit is kept");
}
