//! The command line's small things a user hit (issue 12, §4): supplier
//! codes match whatever their case where that is unambiguous and a missing
//! one suggests the nearest code, `shortlist list` prints days, every
//! option that takes a word of a vocabulary lists the words in `--help`,
//! and `audit show` counts answered questions in the UI's words.

mod common;

use common::Sandbox;

#[test]
fn supplier_codes_match_in_any_case_and_a_near_miss_is_suggested() {
    let sandbox = Sandbox::demo();
    let exact = sandbox.run(&["--as-of", "2026-11-15", "explain", "DG-SWING"]);
    exact.assert_success();
    let lower = sandbox.run(&["--as-of", "2026-11-15", "explain", "dg-swing"]);
    lower.assert_success();
    assert_eq!(lower.stdout, exact.stdout);
    sandbox.run(&["yield", "--supplier", "dg-swing", "--format", "json"]).assert_success();
    sandbox.run(&["history", "sz-armor"]).assert_success();
    let miss = sandbox.run(&["explain", "DG-SWNG"]);
    miss.assert_failure().assert_stderr_has("no supplier with code `DG-SWNG`; did you mean `DG-SWING`?");
    let far = sandbox.run(&["explain", "NOTHING-LIKE-IT"]);
    far.assert_failure();
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn shortlist_list_prints_days_not_time_stamps() {
    let sandbox = Sandbox::demo();
    sandbox.run(&["shortlist", "add", "sz-armor"]).assert_success();
    let list = sandbox.run(&["--as-of", "2026-11-15", "shortlist", "list"]);
    list.assert_success();
    let row = list.stdout.lines().find(|l| l.starts_with("SZ-ARMOR")).expect("SZ-ARMOR listed");
    let added = row.split_whitespace().last().unwrap();
    assert_eq!(added.len(), 10, "a day, YYYY-MM-DD: {row}");
    assert!(chrono::NaiveDate::parse_from_str(added, "%Y-%m-%d").is_ok(), "{row}");
}

#[test]
fn every_option_that_takes_a_word_lists_the_words_in_help() {
    let sandbox = Sandbox::demo();
    let help = sandbox.run(&["audit", "evidence", "--help"]);
    help.assert_success();
    for words in [
        "material_compatibility, assembly_constraints, production_yield, dfm_evaluation",
        "test_report, work_instruction",
        "stated, document, observed",
    ] {
        assert!(help.stdout.contains(words), "{words} not listed\n{}", help.stdout);
    }
    let finding = sandbox.run(&["audit", "finding", "--help"]);
    finding.assert_stdout_has("critical, major, minor");
    sandbox.run(&["audit", "new", "--help"]).assert_stdout_has("on_site, desk_review");
    sandbox.run(&["flags", "--help"]).assert_stdout_has("supported, partial, unsupported, not_claimed");
    sandbox.run(&["yield", "--help"]).assert_stdout_has("injection, co_molding, assembly, printing, other");
    // And a wrong word is refused naming them.
    let wrong = sandbox.run(&["audit", "evidence", "A-1", "--pillar", "yield", "--kind", "sample"]);
    assert_ne!(wrong.code, Some(0));
    assert!(wrong.stderr.contains("invalid value 'yield'") && wrong.stderr.contains("material_compatibility"));
}
