//! `casebook flags`, `explain` and `policy` through the binary, on the demo
//! fixtures: the verdicts their story says, the JSON contract parsed back,
//! `--fail-on`, policy changes moving verdicts, and an audit recorded from
//! the command line turning a claim from unsupported to supported.

// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Run, Sandbox};
use serde_json::Value;

const AS_OF: &str = "2026-11-15";

/// A copy of the demo database (imported once per test process).
struct Db {
    sandbox: Sandbox,
}

impl Db {
    fn demo() -> Self {
        Self { sandbox: Sandbox::demo() }
    }

    /// `casebook --db DB --as-of 2026-11-15 --auditor test.auditor ARGS...`
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--as-of", AS_OF, "--auditor", "test.auditor"];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        out.assert_success();
        serde_json::from_str(&out.stdout).unwrap()
    }

    fn verdicts(&self) -> Vec<(String, String)> {
        let all = self.json(&["flags", "--format", "json"]);
        all.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["supplier"].as_str().unwrap().to_owned(), s["verdict"].as_str().unwrap().to_owned()))
            .collect()
    }

    fn verdict_of(&self, code: &str) -> String {
        self.verdicts().into_iter().find(|(c, _)| c == code).unwrap().1
    }
}

/// Any exit status but success (a usage error is 2, a refusal 1).
fn failed(out: &Run) -> bool {
    out.code != Some(0)
}

#[test]
fn fixture_suppliers_get_the_verdicts_their_story_says() {
    let db = Db::demo();
    // fixtures/README.md tells each story; these are its verdicts.
    let expected = [
        ("DG-FOLIO", "partial"),
        ("DG-MAGFIT", "supported"),
        ("DG-PRIME", "not_claimed"),
        ("DG-SWING", "partial"),
        ("SZ-ARMOR", "supported"),
        ("SZ-DRAFTY", "partial"),
        ("SZ-NEWCO", "unsupported"),
        ("SZ-RUGGED", "supported"),
        ("SZ-SILIK", "supported"),
        ("SZ-TRADEX", "unsupported"),
        ("XM-BAMBOO", "supported"),
        ("XM-FEWLOTS", "partial"),
        ("XM-LEGACY", "partial"),
        ("XM-PRINTPRO", "not_claimed"),
    ];
    let got = db.verdicts();
    let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    assert_eq!(got, expected);
}

#[test]
fn flags_json_follows_the_contract() {
    let db = Db::demo();
    let all = db.json(&["flags", "--format", "json"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 14);
    for s in all {
        for key in ["supplier", "name", "verdict", "grade", "pillars", "flags", "policy"] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
        let pillars = s["pillars"].as_array().unwrap();
        assert_eq!(pillars.len(), 4);
        for p in pillars {
            assert!(p["required_by"].is_array() && p["status"].is_string() && p["detail"].is_string());
        }
        for f in s["flags"].as_array().unwrap() {
            for key in ["rule", "severity", "pillar", "lot", "message"] {
                assert!(f.get(key).is_some(), "{key} missing in flag {f}");
            }
        }
        assert_eq!(s["policy"]["as_of"], AS_OF);
        assert_eq!(s["policy"]["min_lots"], 6);
    }
    let tradex = all.iter().find(|s| s["supplier"] == "SZ-TRADEX").unwrap();
    let rules: Vec<&str> = tradex["flags"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for rule in ["trading-company-odm", "yield-no-lots", "pillar-stated-only", "terms-moq", "terms-dev-lead"] {
        assert!(rules.contains(&rule), "SZ-TRADEX should have {rule}: {rules:?}");
    }
    let swing = all.iter().find(|s| s["supplier"] == "DG-SWING").unwrap();
    let ooc = swing["flags"].as_array().unwrap().iter().find(|f| f["rule"] == "yield-out-of-control").unwrap();
    assert_eq!(ooc["severity"], "high");
    assert_eq!(ooc["pillar"], "production_yield");
    assert!(ooc["lot"].as_str().unwrap().starts_with("SW"), "names the worst lot: {ooc}");
}

#[test]
fn fail_on_exits_1_only_when_a_flag_is_that_severe() {
    let db = Db::demo();
    assert_eq!(db.run(&["flags", "--fail-on", "high"]).code, Some(1));
    let armor = db.run(&["flags", "--supplier", "SZ-ARMOR", "--fail-on", "low"]);
    assert_eq!(armor.code, Some(0), "{}", armor.stderr);
    let folio = db.run(&["flags", "--supplier", "DG-FOLIO", "--fail-on", "high"]);
    assert_eq!(folio.code, Some(0), "DG-FOLIO has only a medium flag");
    assert_eq!(db.run(&["flags", "--supplier", "DG-FOLIO", "--fail-on", "medium"]).code, Some(1));
}

#[test]
fn verdict_filter_and_table_output() {
    let db = Db::demo();
    let partial = db.json(&["flags", "--verdict", "partial", "--format", "json"]);
    let codes: Vec<&str> = partial.as_array().unwrap().iter().map(|s| s["supplier"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DG-FOLIO", "DG-SWING", "SZ-DRAFTY", "XM-FEWLOTS", "XM-LEGACY"]);
    let out = db.run(&["flags"]).stdout;
    assert!(out.lines().next().unwrap().starts_with("supplier"));
    assert!(out.contains("policy as of 2026-11-15: evidence within 24 months"), "the table names its policy");
    let bad = db.run(&["flags", "--verdict", "great"]);
    assert!(failed(&bad));
    assert!(bad.stderr.contains("supported, partial, unsupported, not_claimed"));
}

#[test]
fn policy_changes_move_verdicts_and_are_validated() {
    let db = Db::demo();
    assert_eq!(db.verdict_of("DG-FOLIO"), "partial");
    let set = db.run(&["policy", "set", "yield.min_fpy", "75%"]);
    set.assert_success();
    assert!(set.stdout.contains("yield.min_fpy: 0.85 → 0.75"));
    assert_eq!(db.verdict_of("DG-FOLIO"), "supported", "79.9% FPY now passes");
    let shown = db.json(&["policy", "--format", "json"]);
    assert_eq!(shown["yield.min_fpy"], "0.75");

    let unknown = db.run(&["policy", "set", "yield.min_lotz", "3"]);
    assert!(failed(&unknown));
    let err = &unknown.stderr;
    assert!(err.contains("unknown policy key `yield.min_lotz`") && err.contains("yield.min_lots"), "{err}");
    let bad_value = db.run(&["policy", "set", "yield.chart", "xbar"]);
    assert!(bad_value.stderr.contains("expected one of: p, laney"));
    db.run(&["policy", "reset", "yield.min_fpy"]).assert_success();
    assert_eq!(db.verdict_of("DG-FOLIO"), "partial");
}

#[test]
fn as_of_makes_results_reproducible() {
    let db = Db::demo();
    let today = db.json(&["explain", "XM-LEGACY", "--format", "json"]);
    assert_eq!(today["verdict"], "partial");
    // In mid-2024 the 2024 audit was fresh, so its evidence counted.
    let out = db.sandbox.run(&["--as-of", "2024-06-01", "explain", "XM-LEGACY", "--format", "json"]);
    out.assert_success();
    let then: Value = serde_json::from_str(&out.stdout).unwrap();
    let status = |v: &Value, pillar: &str| {
        v["pillars"].as_array().unwrap().iter().find(|p| p["pillar"] == pillar).unwrap()["status"].clone()
    };
    assert_eq!(status(&today, "material_compatibility"), "stale");
    assert_eq!(status(&then, "material_compatibility"), "evidenced");
}

#[test]
fn explain_reads_pillar_by_pillar() {
    let db = Db::demo();
    let out = db.run(&["explain", "SZ-TRADEX"]);
    out.assert_success();
    let text = &out.stdout;
    assert!(text.starts_with("SZ-TRADEX — "));
    assert!(text.contains("Verdict: UNSUPPORTED"));
    assert!(text.contains("material compatibility — stated_only (required by material_selection)"), "{text}");
    assert!(text.contains("stated "), "each evidence item is shown with its standing");
    assert!(text.contains("[high] trading-company-odm"));
    let missing = db.run(&["explain", "NOPE"]);
    assert!(failed(&missing));
    assert!(missing.stderr.contains("no supplier with code `NOPE`"));
}

#[test]
fn an_audit_recorded_from_the_command_line_changes_the_verdict() {
    let db = Db::demo();
    assert_eq!(db.verdict_of("SZ-NEWCO"), "unsupported");
    let new = db.run(&["audit", "new", "SZ-NEWCO", "--visited", "2026-11-10"]);
    new.assert_success();
    let reference = new.stdout.trim().to_owned();
    assert!(reference.starts_with("A-2026-"), "{reference}");
    for (question, result) in [("LG-01", "yes"), ("LG-02", "yes"), ("DF-01", "yes"), ("DF-04", "partial")] {
        db.run(&["audit", "answer", &reference, question, result]).assert_success();
    }
    let evidence = db.run(&[
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
        "DFM report for a client's slim case, rev C",
    ]);
    evidence.assert_success();
    // A draft does not count yet.
    assert_eq!(db.verdict_of("SZ-NEWCO"), "unsupported");
    let submit = db.run(&["audit", "submit", &reference]);
    submit.assert_success();
    assert!(submit.stdout.contains("submitted and locked"));
    // DFM now evidenced; production yield (no lots) still is not.
    assert_eq!(db.verdict_of("SZ-NEWCO"), "partial");
    // `audit show` gives the score section by section, in text and JSON alike.
    let shown = db.run(&["audit", "show", &reference, "--format", "json"]);
    shown.assert_success();
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let sections = json["score"]["sections"].as_array().unwrap();
    let section = |name: &str| sections.iter().find(|s| s["section"] == name).unwrap().clone();
    assert_eq!(
        (section("legitimacy")["answered"].as_u64(), section("legitimacy")["pct"].as_f64()),
        (Some(2), Some(100.0))
    );
    assert_eq!(section("dfm_evaluation")["answered"].as_u64(), Some(2));
    let dfm = section("dfm_evaluation")["pct"].as_f64().unwrap();
    assert!(dfm > 0.0 && dfm < 100.0, "a partial answer costs points: {dfm}");
    assert!(section("quality_control")["pct"].is_null(), "nothing answered is no score, not 0%");
    let shown = db.run(&["audit", "show", &reference]).stdout;
    let legitimacy = format!("{}/{}", 2, section("legitimacy")["applicable"]);
    assert!(
        shown.lines().any(|l| l.starts_with("Legitimacy") && l.contains(&legitimacy) && l.ends_with("100.0%")),
        "{shown}"
    );
    assert!(
        shown.lines().any(|l| l.starts_with("DFM and engineering") && l.ends_with(&format!("{dfm:.1}%"))),
        "{shown}"
    );
    assert!(shown.lines().any(|l| l.starts_with("Quality control") && l.ends_with('—')), "{shown}");
    assert!(shown.contains("(sealed at submission); 4 of "), "{shown}");
    // And the audit is locked.
    let again = db.run(&["audit", "answer", &reference, "LG-03", "yes"]);
    assert!(failed(&again));
    assert!(again.stderr.contains("submitted and locked"));
}
