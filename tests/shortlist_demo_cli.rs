//! `casebook shortlist add|remove|list|export` and `casebook demo --no-ui`
//! through the binary: what they print, what they store (and record in
//! history), the exported Markdown and CSV read back, all-or-nothing on an
//! unknown code; the demo database's content, the refusal to fill a
//! database that holds suppliers, `CASEBOOK_DB` not taken as the demo's
//! path; and the UI refusing to start without a terminal.

#![allow(clippy::unwrap_used)]

mod common;

use common::{DEMO_LOTS, DEMO_SUPPLIERS, Sandbox, run};

fn as_of() -> [&'static str; 2] {
    ["--as-of", "2026-11-15"]
}

#[test]
fn add_list_remove_round_trip_with_history() {
    let sandbox = Sandbox::demo();
    let added = sandbox.run(&["shortlist", "add", "SZ-ARMOR", "DG-SWING"]);
    added.assert_success().assert_stdout_has("SZ-ARMOR: added to the shortlist");
    sandbox.run(&["shortlist", "add", "SZ-ARMOR"]).assert_success().assert_stdout_has("already on the shortlist");

    let list = sandbox.run(&[as_of()[0], as_of()[1], "shortlist", "list", "--format", "json"]);
    list.assert_success();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    let pairs: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["code"].as_str().unwrap(), r["verdict"].as_str().unwrap())).collect();
    assert_eq!(pairs.len(), 2);
    assert!(pairs.contains(&("SZ-ARMOR", "supported")) && pairs.contains(&("DG-SWING", "partial")), "{pairs:?}");

    sandbox.run(&["shortlist", "remove", "DG-SWING"]).assert_success().assert_stdout_has("removed from the shortlist");
    sandbox.run(&["shortlist", "remove", "DG-SWING"]).assert_success().assert_stdout_has("was not on the shortlist");
    let table = sandbox.run(&[as_of()[0], as_of()[1], "shortlist", "list"]);
    table.assert_success();
    assert_eq!(table.stdout.lines().count(), 2, "{}", table.stdout);
    assert!(table.stdout.lines().nth(1).unwrap().starts_with("SZ-ARMOR"));

    let history = sandbox.count("SELECT count(*) FROM history WHERE entity = 'shortlist' AND actor = 'tester'");
    assert_eq!(history, 3, "two adds and one remove");
}

#[test]
fn an_unknown_code_changes_nothing() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let out = sandbox.run(&["shortlist", "add", "SZ-ARMOR", "NO-SUCH"]);
    out.assert_failure().assert_stderr_has("no supplier with code `NO-SUCH`");
    sandbox.assert_unchanged(&before);
}

#[test]
fn export_writes_markdown_side_by_side_and_csv_by_row() {
    let sandbox = Sandbox::demo();
    sandbox.run(&["shortlist", "add", "XM-FEWLOTS", "SZ-TRADEX"]).assert_success();
    let md = sandbox.run(&[as_of()[0], as_of()[1], "shortlist", "export", "--format", "md"]);
    md.assert_success();
    assert!(md.stdout.starts_with("# Supplier shortlist, as of 2026-11-15\n"), "{}", md.stdout);
    // Added in one command, so at one time: in code order.
    assert!(md.stdout.contains("| | SZ-TRADEX | XM-FEWLOTS |"), "{}", md.stdout);
    assert!(md.stdout.contains("| ODM verdict | unsupported | partial |"));
    assert!(md.stdout.contains("| production yield | no lots | too few lots |"));
    assert!(md.stdout.contains("| lots, 12 months | 0 | 3 |"));
    assert!(md.stdout.contains("| MOQ | 50 | "));

    let path = sandbox.path("out.csv");
    let written = run(sandbox
        .command()
        .arg("--db")
        .arg(&sandbox.db)
        .args(as_of())
        .args(["shortlist", "export", "--format", "csv", "-o"])
        .arg(&path));
    written.assert_success().assert_stderr_has("exported 2 supplier(s)");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "code");
    assert_eq!(&headers[6], "production_yield");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[0][2], &rows[0][6]), ("SZ-TRADEX", "unsupported", "no_lots"));
    assert_eq!((&rows[1][0], &rows[1][2], &rows[1][6]), ("XM-FEWLOTS", "partial", "insufficient_lots"));
}

#[test]
fn demo_without_the_ui_builds_the_demo_database_at_db() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["demo", "--no-ui"]);
    out.assert_success();
    assert_eq!(out.stdout.trim(), sandbox.db.display().to_string());
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), i64::try_from(DEMO_SUPPLIERS).unwrap());
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), i64::try_from(DEMO_LOTS).unwrap());
    // The demo's stories come out as told, as of its day.
    let flags = sandbox.run(&["--as-of", "2026-11-15", "flags", "--verdict", "supported", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&flags.stdout).unwrap();
    assert_eq!(rows.len(), 5);
}

#[test]
fn demo_refuses_a_database_that_holds_suppliers() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let out = sandbox.run(&["demo", "--no-ui"]);
    out.assert_failure().assert_stderr_has("already holds 14 supplier(s)");
    sandbox.assert_unchanged(&before);
}

#[test]
fn demo_fills_an_empty_initialised_database() {
    let sandbox = Sandbox::empty();
    sandbox.run(&["demo", "--no-ui"]).assert_success();
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 14);
}

#[test]
fn demo_refuses_a_file_that_is_not_a_database() {
    let sandbox = Sandbox::new();
    let notes = sandbox.write("notes.txt", "not a database, keep me\n");
    let out = run(sandbox.command().arg("--db").arg(&notes).args(["demo", "--no-ui"]));
    out.assert_failure().assert_stderr_has("not a casebook database");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a database, keep me\n");
}

#[test]
fn demo_ignores_casebook_db_and_uses_a_temporary_database() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let out = run(sandbox.command().env("CASEBOOK_DB", &sandbox.db).args(["demo", "--no-ui"]));
    out.assert_success();
    let path = std::path::PathBuf::from(out.stdout.trim());
    assert_ne!(path, sandbox.db);
    assert!(path.exists(), "--no-ui keeps the temporary database");
    sandbox.assert_unchanged(&before);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn the_ui_needs_a_terminal() {
    let sandbox = Sandbox::demo();
    let out = sandbox.run::<&str>(&[]);
    out.assert_failure().assert_stderr_has("the terminal UI needs a terminal");
}
