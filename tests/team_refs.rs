//! Two pieces of the team story, through the binary: an audit reference
//! held by two audits made apart (minted before installation tags, or typed
//! by hand) — both are kept by a merge, and commands that take the
//! reference then ask for the gid — and a claim's retirement, a mutable
//! field that the later edit decides.

#![allow(clippy::unwrap_used)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{Sandbox, run};
use serde_json::Value;

const AS_OF: &str = "2026-11-15";
const SHARED: &str = "A-2026-042";

/// The team database and two auditors' copies of it, each opened once.
fn team() -> (Sandbox, PathBuf, PathBuf) {
    let sandbox = Sandbox::demo();
    let (a, b) = (sandbox.path("a.db"), sandbox.path("b.db"));
    for copy in [&a, &b] {
        std::fs::copy(&sandbox.db, copy).unwrap();
        at(&sandbox, copy, "tester", &["where"]).assert_success();
    }
    (sandbox, a, b)
}

fn at<S: AsRef<OsStr>>(sandbox: &Sandbox, db: &Path, who: &str, args: &[S]) -> common::Run {
    run(sandbox.command().arg("--db").arg(db).args(["--auditor", who, "--as-of", AS_OF]).args(args))
}

/// `into` merged with `source`, in a copy of `into` named `name`; the
/// report as JSON.
fn merged(sandbox: &Sandbox, name: &str, into: &Path, source: &Path) -> (PathBuf, Value) {
    let hq = sandbox.path(name);
    std::fs::copy(into, &hq).unwrap();
    let out =
        at(sandbox, &hq, "hq.lead", &[OsStr::new("merge"), "--format".as_ref(), "json".as_ref(), source.as_ref()]);
    out.assert_success();
    (hq, serde_json::from_str(&out.stdout).unwrap())
}

fn sql<T: rusqlite::types::FromSql>(db: &Path, query: &str) -> T {
    rusqlite::Connection::open(db).unwrap().query_row(query, [], |r| r.get(0)).unwrap()
}

fn gid_of(db: &Path, visited: &str) -> String {
    sql(db, &format!("SELECT gid FROM audits WHERE ref = '{SHARED}' AND visited_on = '{visited}'"))
}

#[test]
fn two_audits_holding_one_reference_are_both_kept_by_a_merge_either_way() {
    let (sandbox, a, b) = team();
    // Lin types A-2026-042 on one laptop and submits it; Chen types the same
    // on another and keeps a draft.
    let new = |db: &Path, who: &str, visited: &str| {
        at(&sandbox, db, who, &["audit", "new", "XM-FEWLOTS", "--ref", SHARED, "--visited", visited])
            .assert_success()
            .assert_stdout_has(SHARED);
    };
    new(&a, "lin.wei", "2026-11-10");
    new(&b, "chen.li", "2026-11-12");
    at(&sandbox, &a, "lin.wei", &["audit", "answer", SHARED, "LG-01", "yes"]).assert_success();
    at(&sandbox, &a, "lin.wei", &["audit", "submit", SHARED]).assert_success();
    let (lin, chen) = (gid_of(&a, "2026-11-10"), gid_of(&b, "2026-11-12"));

    for (name, into, source, theirs, ours) in [("hq-ab.db", &a, &b, &chen, &lin), ("hq-ba.db", &b, &a, &lin, &chen)] {
        let (hq, report) = merged(&sandbox, name, into, source);
        let source_report = &report["sources"][0];
        assert_eq!(source_report["added"]["audits"], 1, "{name}: {report:#}");
        assert_eq!(source_report["refused"], Value::Array(Vec::new()), "{name}: {report:#}");
        let notices = source_report["notices"].to_string();
        assert!(
            notices.contains("the reference is now shared")
                && notices.contains(theirs.as_str())
                && notices.contains(ours.as_str()),
            "{name}: {notices}"
        );
        assert_eq!(sql::<i64>(&hq, &format!("SELECT count(*) FROM audits WHERE ref = '{SHARED}'")), 2, "{name}");
        at(&sandbox, &hq, "tester", &["check"]).assert_success();

        // The reference alone names neither: refused, listing both.
        let shown = at(&sandbox, &hq, "tester", &["audit", "show", SHARED]);
        shown.assert_failure().assert_stderr_has(&format!("reference `{SHARED}` names 2 audits"));
        for (gid, visited, status) in [(&lin, "2026-11-10", "submitted"), (&chen, "2026-11-12", "draft")] {
            shown.assert_stderr_has(&format!("{gid}  {SHARED}  XM-FEWLOTS  visited {visited}  {status}"));
        }
        // The gid names one; so does a start of it no other gid shares.
        at(&sandbox, &hq, "tester", &["audit", "show", &chen])
            .assert_success()
            .assert_stdout_has("2026-11-12 by chen.li (draft)");
        at(&sandbox, &hq, "tester", &["audit", "show", &lin[..30]])
            .assert_success()
            .assert_stdout_has("2026-11-10 by lin.wei");
        at(&sandbox, &hq, "tester", &["audit", "show", &lin[..6]]).assert_failure().assert_stderr_has("no audit with");

        // Every command that takes the reference: the same refusal, nothing written.
        let before = common::Snapshot::of(&hq);
        for args in [
            vec!["audit", "submit", SHARED],
            vec!["audit", "answer", SHARED, "LG-02", "no"],
            vec!["audit", "new", "XM-FEWLOTS", "--amends", SHARED],
            vec!["report", "audit", SHARED, "--format", "html", "-o", "r.html"],
        ] {
            at(&sandbox, &hq, "tester", &args).assert_failure().assert_stderr_has("names 2 audits");
        }
        // A reference typed by hand that is on file is refused.
        at(&sandbox, &hq, "tester", &["audit", "new", "XM-FEWLOTS", "--ref", SHARED])
            .assert_failure()
            .assert_stderr_has("is on file");
        before.assert_same(&common::Snapshot::of(&hq));
        // …and the gid does what the reference cannot.
        at(&sandbox, &hq, "tester", &["audit", "answer", &chen, "LG-02", "no"]).assert_success();
        at(&sandbox, &hq, "tester", &["audit", "new", "XM-FEWLOTS", "--amends", &lin]).assert_success();
        at(&sandbox, &hq, "tester", &["check"]).assert_success();
    }
}

#[test]
fn merging_the_shared_reference_again_changes_nothing() {
    let (sandbox, a, b) = team();
    at(&sandbox, &a, "lin.wei", &["audit", "new", "XM-FEWLOTS", "--ref", SHARED]).assert_success();
    at(&sandbox, &b, "chen.li", &["audit", "new", "XM-FEWLOTS", "--ref", SHARED]).assert_success();
    let (hq, _) = merged(&sandbox, "hq.db", &a, &b);
    let out = at(&sandbox, &hq, "hq.lead", &["merge", "--full", "--format", "json", b.to_str().unwrap()]);
    out.assert_success();
    let again: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(again["sources"][0]["added"].get("audits"), None, "{again:#}");
    assert_eq!(sql::<i64>(&hq, &format!("SELECT count(*) FROM audits WHERE ref = '{SHARED}'")), 2);
    // The next reference minted is still one no audit has.
    let minted = at(&sandbox, &hq, "tester", &["audit", "new", "XM-FEWLOTS"]);
    let minted = minted.assert_success().stdout.trim().to_owned();
    assert_eq!(sql::<i64>(&hq, &format!("SELECT count(*) FROM audits WHERE ref = '{minted}'")), 1);
}

/// The number `explain` gives the first claim of XM-FEWLOTS in force.
fn first_claim(db: &Path) -> String {
    sql::<i64>(
        db,
        "SELECT min(c.id) FROM claims c JOIN suppliers s ON s.id = c.supplier_id
         WHERE s.code = 'XM-FEWLOTS' AND c.voided_at IS NULL AND c.retired_on IS NULL",
    )
    .to_string()
}

fn retired_on(db: &Path, claim: &str) -> Option<String> {
    sql(db, &format!("SELECT retired_on FROM claims WHERE id = {claim}"))
}

#[test]
fn the_later_retirement_of_a_claim_wins_a_merge_either_way() {
    let (sandbox, a, b) = team();
    let claim = first_claim(&a);
    let retire = |db: &Path, who: &str, on: &str| {
        at(&sandbox, db, who, &["claim", "retire", "--supplier", "XM-FEWLOTS", &claim, "--on", on]).assert_success();
    };
    retire(&a, "lin.wei", "2026-05-01");
    // Chen retires it later (by the clock), on another day.
    retire(&b, "chen.li", "2026-06-01");

    for (name, into, source) in [("hq-ab.db", &a, &b), ("hq-ba.db", &b, &a)] {
        let (hq, report) = merged(&sandbox, name, into, source);
        assert_eq!(retired_on(&hq, &claim).as_deref(), Some("2026-06-01"), "{name}: {report:#}");
        let conflicts = report["sources"][0]["conflicts"].as_array().unwrap();
        let conflict = conflicts.iter().find(|c| c["entity"] == "claim").unwrap_or_else(|| panic!("{report:#}"));
        assert_eq!(conflict["field"], "retired_on");
        assert!(conflict["key"].as_str().unwrap().starts_with("XM-FEWLOTS "), "{conflict}");
        let values = [&conflict["ours"], &conflict["theirs"]].map(|v| (v["value"].clone(), v["by"].clone()));
        assert!(values.contains(&("2026-05-01".into(), "lin.wei".into())), "{conflict}");
        assert!(values.contains(&("2026-06-01".into(), "chen.li".into())), "{conflict}");
        // The text report says it the README's way, and the history keeps both.
        let text = sandbox.path(&format!("{name}.text.db"));
        std::fs::copy(into, &text).unwrap();
        at(&sandbox, &text, "hq.lead", &[OsStr::new("merge"), source.as_os_str()])
            .assert_success()
            .assert_stdout_has("retired_on: 2026-05-01 by lin.wei")
            .assert_stdout_has("vs 2026-06-01 by chen.li")
            .assert_stdout_has("→ 2026-06-01");
        let history = at(&sandbox, &hq, "tester", &["history", "XM-FEWLOTS"]);
        for (who, day) in [("lin.wei", "2026-05-01"), ("chen.li", "2026-06-01")] {
            assert!(
                history.stdout.lines().any(|l| l.contains(who) && l.contains("retire") && l.contains(day)),
                "{name}: {}",
                history.stdout
            );
        }
        at(&sandbox, &hq, "tester", &["check"]).assert_success();
    }
    // Merged into each other, both laptops agree.
    let (ab, _) = merged(&sandbox, "a-final.db", &a, &b);
    let (ba, _) = merged(&sandbox, "b-final.db", &b, &a);
    assert_eq!(retired_on(&ab, &claim), retired_on(&ba, &claim));
}

#[test]
fn retiring_a_retired_claim_again_moves_its_retirement_and_says_so() {
    let (sandbox, a, _) = team();
    let claim = first_claim(&a);
    let retire =
        |on: &str| at(&sandbox, &a, "lin.wei", &["claim", "retire", "--supplier", "XM-FEWLOTS", &claim, "--on", on]);
    retire("2026-05-01").assert_success().assert_stdout_has("retired on 2026-05-01");
    let history = || {
        at(&sandbox, &a, "tester", &["history", "XM-FEWLOTS"]).stdout.lines().filter(|l| l.contains("retire")).count()
    };
    let rows = history();
    retire("2026-05-01").assert_success().assert_stdout_has("was retired on 2026-05-01 already: nothing changed");
    assert_eq!(history(), rows);
    retire("2026-06-01").assert_success().assert_stdout_has("retirement moved from 2026-05-01 to 2026-06-01");
    assert_eq!(retired_on(&a, &claim).as_deref(), Some("2026-06-01"));
    assert_eq!(history(), rows + 1);
    let moved = at(&sandbox, &a, "tester", &["history", "XM-FEWLOTS"]);
    assert!(moved.stdout.lines().any(|l| l.contains("retire") && l.contains("2026-05-01") && l.contains("2026-06-01")));
    // Before the claim was stated, after the as-of day, or a voided claim: refused.
    retire("2000-01-01").assert_failure().assert_stderr_has("before stated_on");
    retire("2999-01-01").assert_failure().assert_stderr_has("retired_on");
    at(&sandbox, &a, "lin.wei", &["claim", "void", "--supplier", "XM-FEWLOTS", &claim, "--reason", "typo"])
        .assert_success();
    retire("2026-07-01").assert_failure().assert_stderr_has("in force");
    assert_eq!(retired_on(&a, &claim).as_deref(), Some("2026-06-01"));
    at(&sandbox, &a, "tester", &["check"]).assert_success();
}

#[test]
fn a_voided_claim_keeps_the_retirement_it_was_voided_with_in_either_merge_order() {
    let (sandbox, a, b) = team();
    let claim = first_claim(&a);
    let claim_cmd = |db: &Path, who: &str, args: &[&str]| {
        let mut all = vec!["claim", args[0], "--supplier", "XM-FEWLOTS", &claim];
        all.extend_from_slice(&args[1..]);
        at(&sandbox, db, who, &all).assert_success();
    };
    claim_cmd(&a, "lin.wei", &["retire", "--on", "2026-05-01"]);
    claim_cmd(&a, "lin.wei", &["void", "--reason", "said by a reseller"]);
    // A later retirement elsewhere does not edit a voided claim.
    claim_cmd(&b, "chen.li", &["retire", "--on", "2026-06-01"]);
    let state = |db: &Path| -> (Option<String>, Option<String>) {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row(&format!("SELECT retired_on, void_reason FROM claims WHERE id = {claim}"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    };
    let (ab, _) = merged(&sandbox, "hq-ab.db", &a, &b);
    let (ba, _) = merged(&sandbox, "hq-ba.db", &b, &a);
    let expected = (Some("2026-05-01".to_owned()), Some("said by a reseller".to_owned()));
    assert_eq!(state(&ab), expected);
    assert_eq!(state(&ba), expected);
    let versions = "SELECT group_concat(value || actor, ',') FROM (SELECT * FROM field_versions WHERE entity = 'claim' ORDER BY clock)";
    assert_eq!(sql::<String>(&ab, versions), sql::<String>(&ba, versions), "the same field history either way");
    for db in [&ab, &ba] {
        at(&sandbox, db, "tester", &["check"]).assert_success();
    }
}

#[test]
fn a_whole_dossier_carries_two_audits_sharing_a_reference() {
    let (sandbox, a, b) = team();
    for (db, who, visited) in [(&a, "lin.wei", "2026-11-10"), (&b, "chen.li", "2026-11-12")] {
        at(&sandbox, db, who, &["audit", "new", "XM-FEWLOTS", "--ref", SHARED, "--visited", visited]).assert_success();
    }
    let (hq, _) = merged(&sandbox, "hq.db", &a, &b);
    let (whole, plain) = (sandbox.path("whole.json"), sandbox.path("plain.json"));
    at(&sandbox, &hq, "hq.lead", &[OsStr::new("export"), "-o".as_ref(), whole.as_ref()]).assert_success();
    at(&sandbox, &hq, "hq.lead", &[OsStr::new("export"), "--plain".as_ref(), "-o".as_ref(), plain.as_ref()])
        .assert_success();
    let fresh = sandbox.path("fresh.db");
    let imported = at(&sandbox, &fresh, "hq.lead", &[OsStr::new("import"), whole.as_ref()]);
    imported.assert_success().assert_stdout_has("the reference is now shared");
    let shared: i64 = sql(&fresh, &format!("SELECT count(*) FROM audits WHERE ref = '{SHARED}'"));
    assert_eq!(shared, 2, "both audits arrive, each with its own gid");
    for visited in ["2026-11-10", "2026-11-12"] {
        assert_eq!(gid_of(&fresh, visited), gid_of(&hq, visited), "the gid travels");
    }
    // A readable-only document names audits by reference alone: refused, nothing written.
    let other = sandbox.path("other.db");
    let refused = at(&sandbox, &other, "hq.lead", &[OsStr::new("import"), plain.as_ref()]);
    assert_eq!(refused.code, Some(1), "{}", refused.stdout);
    refused.assert_stderr_has("appears twice in this supplier's audits");
}
