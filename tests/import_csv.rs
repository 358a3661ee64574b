//! The yield-lot CSV importer through the user's path: `casebook import FILE`
//! on a database that already holds the demo data.
//!
//! Covers every class of bad input (shape, header, counts, dates, suppliers,
//! processes, repeats, empty/binary/non-UTF-8 files) with the exact message,
//! exit status 1 and the database unchanged in content and bytes; listing
//! every problem and capping at 100; all-or-nothing; `--dry-run`; duplicates
//! on re-import; and that the importer states each rule the schema's CHECKs
//! hold before SQLite would.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use casebook::exchange::{self, ImportOptions, Location};
use common::{DEMO_CSV_LOTS, LOT_HEADER, Sandbox, assert_refused, csv_doc, fixture, lot_row};

const HEADER_NAMES: &str =
    "supplier, lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped";

/// A row of the ten required columns, starting from a good one, with some
/// values replaced by column name.
fn row(changes: &[(&str, &str)]) -> String {
    let names: Vec<&str> = LOT_HEADER.split(',').collect();
    let mut values: Vec<String> = lot_row("SZ-ARMOR", "T-0001").split(',').map(str::to_owned).collect();
    for (column, value) in changes {
        let at = names.iter().position(|n| n == column).unwrap_or_else(|| panic!("no column {column}"));
        (*value).clone_into(&mut values[at]);
    }
    values.join(",")
}

#[test]
fn a_row_with_a_different_number_of_fields_names_its_line_and_both_counts() {
    let doc =
        csv_doc(&[lot_row("SZ-ARMOR", "T-1"), lot_row("SZ-ARMOR", "T-2") + ",7", "SZ-ARMOR,T-3,S,injection".into()]);
    assert_refused(
        "ragged.csv",
        doc,
        &[
            "line 3: expected 10 fields as in the header, found 11",
            "line 4: expected 10 fields as in the header, found 4",
        ],
        2,
    );
}

#[test]
fn an_unterminated_quote_is_refused_at_its_line() {
    // The quote swallows the rest of the file into one field.
    let doc = csv_doc(&[row(&[("material", "\"TPU+PC")]), lot_row("SZ-ARMOR", "T-2")]);
    assert_refused("quote.csv", doc, &["line 2: expected 10 fields as in the header, found 5"], 1);
}

#[test]
fn an_unterminated_quote_in_the_last_column_is_refused() {
    let header = "supplier,lot,sku,process,produced_on,started,passed_first,reworked,scrapped,material";
    let doc = format!(
        "{header}\nSZ-ARMOR,T-1,S,injection,2026-01-01,100,90,5,5,\"TPU\nSZ-ARMOR,T-2,S,injection,2026-01-01,100,90,5,5,TPU\n"
    );
    let sandbox = Sandbox::demo();
    sandbox.write("quote-last.csv", doc);
    let before = sandbox.snapshot();
    let run = sandbox.run(&["import", "quote-last.csv"]);
    run.assert_failure().assert_stderr_has("quote-last.csv: line 2");
    sandbox.assert_unchanged(&before);
}

#[test]
fn a_missing_header_column_is_named_with_the_full_list() {
    let header = LOT_HEADER.replace(",scrapped", "");
    let doc = format!("{header}\nSZ-ARMOR,T-1,S,injection,TPU,2026-01-01,100,90,5\n");
    let expected = format!(
        "line 1: missing column(s) `scrapped`; the header must name {HEADER_NAMES} (in any order), plus optional \
         defect:<code> columns"
    );
    assert_refused("missing.csv", doc, &[&expected], 1);
}

#[test]
fn an_unknown_column_is_named_with_what_is_expected() {
    let doc = format!("{LOT_HEADER},colour\n{},red\n", lot_row("SZ-ARMOR", "T-1"));
    let expected =
        format!("line 1: unknown column `colour`; expected {HEADER_NAMES} or defect:<code> (e.g. defect:bubble)");
    assert_refused("unknown.csv", doc, &[&expected], 1);
}

#[test]
fn a_column_in_the_wrong_case_gets_a_hint_and_counts_as_missing() {
    let doc = format!("{}\n{}\n", LOT_HEADER.replace(",lot,", ",Lot,"), lot_row("SZ-ARMOR", "T-1"));
    let run = assert_refused(
        "case.csv",
        doc,
        &[
            &format!(
                "line 1: unknown column `Lot` (did you mean `lot`?); expected {HEADER_NAMES} or defect:<code> \
                 (e.g. defect:bubble)"
            ),
            &format!(
                "line 1: missing column(s) `lot`; the header must name {HEADER_NAMES} (in any order), plus \
                 optional defect:<code> columns"
            ),
        ],
        1,
    );
    assert_eq!(run.problem_lines(Path::new("case.csv")).len(), 2);
}

#[test]
fn a_column_named_twice_is_refused() {
    let doc = format!("{LOT_HEADER},lot\n{},T-9\n", lot_row("SZ-ARMOR", "T-1"));
    assert_refused("twice.csv", doc, &["line 1: column `lot` appears twice (columns 2 and 11)"], 1);
}

#[test]
fn a_negative_count_is_refused_in_every_count_column() {
    let doc = csv_doc(&[
        row(&[("lot", "T-1"), ("started", "-1200")]),
        row(&[("lot", "T-2"), ("passed_first", "-1")]),
        row(&[("lot", "T-3"), ("reworked", "-5")]),
        row(&[("lot", "T-4"), ("scrapped", "-20")]),
    ]);
    let tail = "must not be negative; expected a whole number of units, 0 or more";
    assert_refused(
        "negative.csv",
        doc,
        &[
            &format!("line 2, field `started`: \"-1200\" {tail}"),
            &format!("line 3, field `passed_first`: \"-1\" {tail}"),
            &format!("line 4, field `reworked`: \"-5\" {tail}"),
            &format!("line 5, field `scrapped`: \"-20\" {tail}"),
        ],
        4,
    );
}

#[test]
fn a_count_that_is_not_a_whole_number_is_refused() {
    let doc = csv_doc(&[
        row(&[("lot", "T-1"), ("started", "1200.5")]),
        row(&[("lot", "T-2"), ("reworked", "some")]),
        row(&[("lot", "T-3"), ("scrapped", "")]),
        row(&[("lot", "T-4"), ("started", "99999999999")]),
    ]);
    assert_refused(
        "counts.csv",
        doc,
        &[
            "line 2, field `started`: \"1200.5\" is not a whole number; expected a count of units such as 1200",
            "line 3, field `reworked`: \"some\" is not a whole number; expected a count of units such as 1200",
            "line 4, field `scrapped`: is required; expected a whole number of units, 0 or more",
            "line 5, field `started`: \"99999999999\" is too large; expected at most 4294967295",
        ],
        4,
    );
}

#[test]
fn passed_first_above_started_is_refused() {
    let doc = csv_doc(&[row(&[("started", "1200"), ("passed_first", "1201"), ("scrapped", "0")])]);
    assert_refused(
        "pf.csv",
        doc,
        &["line 2, field `passed_first`: \"1201\" is more than started (1200); expected at most 1200"],
        1,
    );
}

#[test]
fn passed_first_plus_scrapped_above_started_is_refused() {
    let doc = csv_doc(&[row(&[("started", "1200"), ("passed_first", "1130"), ("scrapped", "71")])]);
    assert_refused(
        "scrap.csv",
        doc,
        &["line 2, field `scrapped`: \"71\" passed_first + scrapped = 1201 is more than started (1200); \
             expected scrapped ≤ 70"],
        1,
    );
}

#[test]
fn a_lot_of_zero_units_is_refused() {
    let doc = csv_doc(&[row(&[("started", "0"), ("passed_first", "0"), ("reworked", "0"), ("scrapped", "0")])]);
    assert_refused(
        "zero.csv",
        doc,
        &["line 2, field `started`: \"0\" must be at least 1; a lot of 0 units has no yield"],
        1,
    );
}

#[test]
fn an_impossible_or_malformed_date_is_refused() {
    let doc = csv_doc(&[
        row(&[("lot", "T-1"), ("produced_on", "2026-02-30")]),
        row(&[("lot", "T-2"), ("produced_on", "2026-1-1")]),
        row(&[("lot", "T-3"), ("produced_on", "20260101")]),
        row(&[("lot", "T-4"), ("produced_on", "10/05/2026")]),
        row(&[("lot", "T-5"), ("produced_on", "2026-13-01")]),
    ]);
    let malformed = "is not a date; expected YYYY-MM-DD, e.g. 2026-05-10";
    assert_refused(
        "dates.csv",
        doc,
        &[
            "line 2, field `produced_on`: \"2026-02-30\" is not a real calendar date; expected YYYY-MM-DD",
            &format!("line 3, field `produced_on`: \"2026-1-1\" {malformed}"),
            &format!("line 4, field `produced_on`: \"20260101\" {malformed}"),
            &format!("line 5, field `produced_on`: \"10/05/2026\" {malformed}"),
            "line 6, field `produced_on`: \"2026-13-01\" is not a real calendar date; expected YYYY-MM-DD",
        ],
        5,
    );
}

#[test]
fn an_unknown_supplier_is_refused_with_how_to_find_the_codes() {
    let doc = csv_doc(&[lot_row("SZ-NOBODY", "T-1")]);
    assert_refused(
        "supplier.csv",
        doc,
        &["line 2, field `supplier`: \"SZ-NOBODY\" is not a known supplier code (14 suppliers on file); import or \
             create the supplier first (`casebook suppliers` lists the codes)"],
        1,
    );
}

#[test]
fn an_unknown_process_is_refused_with_the_list() {
    let doc =
        csv_doc(&[row(&[("lot", "T-1"), ("process", "welding")]), row(&[("lot", "T-2"), ("process", "Injection")])]);
    let tail = "is not a process; expected one of injection, co_molding, assembly, printing, other";
    assert_refused(
        "process.csv",
        doc,
        &[
            &format!("line 2, field `process`: \"welding\" {tail}"),
            &format!("line 3, field `process`: \"Injection\" {tail}"),
        ],
        2,
    );
}

#[test]
fn a_lot_repeated_in_one_file_names_both_lines() {
    let doc = csv_doc(&[
        lot_row("SZ-ARMOR", "T-1"),
        lot_row("SZ-ARMOR", "T-2"),
        lot_row("SZ-ARMOR", "T-1"),
        // The same code for another supplier is a different lot.
        lot_row("SZ-SILIK", "T-1"),
        lot_row("SZ-ARMOR", "T-1"),
    ]);
    let tail = "each (supplier, lot) pair must be unique";
    assert_refused(
        "repeat.csv",
        doc,
        &[
            &format!(
                "line 4, field `lot`: lot `T-1` appears twice in this file for the same supplier (first on line 2); {tail}"
            ),
            &format!(
                "line 6, field `lot`: lot `T-1` appears twice in this file for the same supplier (first on line 2); {tail}"
            ),
        ],
        2,
    );
}

#[test]
fn an_empty_file_is_refused() {
    let expected =
        "file: the file is empty; expected a casebook-dossier/1 JSON document or a yield-lot CSV with a header line";
    assert_refused("empty.csv", "", &[expected], 1);
    assert_refused("blank.csv", " \n\t\r\n", &[expected], 1);
}

#[test]
fn a_header_without_rows_is_refused() {
    // A file-level problem counts the file as rejected.
    assert_refused(
        "header.csv",
        format!("{LOT_HEADER}\n"),
        &["file: the file has a header but no rows; expected at least one lot"],
        1,
    );
}

#[test]
fn binary_files_are_refused_as_not_text() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10";
    assert_refused(
        "photo.csv",
        png,
        &["file: not a text file (a NUL byte at offset 8); expected UTF-8 JSON or CSV"],
        1,
    );
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00";
    assert_refused("lots.zip", zip, &["file: not a text file (a NUL byte at offset 5); expected UTF-8 JSON or CSV"], 1);
}

#[test]
fn a_nul_byte_in_a_text_file_is_refused() {
    let doc = format!("{LOT_HEADER}\nSZ-ARMOR,T-\0,S,injection,TPU,2026-01-01,100,90,5,5\n");
    let at = doc.find('\0').unwrap();
    assert_refused(
        "nul.csv",
        doc,
        &[&format!("file: not a text file (a NUL byte at offset {at}); expected UTF-8 JSON or CSV")],
        1,
    );
}

/// 200 good rows: enough to push what follows past the 8 KiB the sniffer reads.
fn past_the_sniff_window() -> Vec<String> {
    let rows: Vec<String> = (0..200).map(|i| lot_row("SZ-ARMOR", &format!("T-{i:04}"))).collect();
    assert!(csv_doc(&rows).len() > 8192);
    rows
}

#[test]
fn a_nul_byte_after_the_first_8_kib_is_refused() {
    let mut rows = past_the_sniff_window();
    rows.push(lot_row("SZ-ARMOR", "T-\0X"));
    assert_refused(
        "late-nul.csv",
        csv_doc(&rows),
        &["line 202, field `lot`: \"T-\\0X\" contains a control character (U+0000); expected plain text"],
        1,
    );
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let mut doc = format!("{LOT_HEADER}\n").into_bytes();
    let at = doc.len() + "SZ-ARMOR,T-".len();
    // "T-Zhèng" saved as Latin-1.
    doc.extend_from_slice(b"SZ-ARMOR,T-Zh\xe8ng,S,injection,TPU,2026-01-01,100,90,5,5\n");
    assert_refused(
        "latin1.csv",
        doc,
        &[&format!("file: not UTF-8 text (invalid byte at offset {}); expected UTF-8 JSON or CSV", at + 2)],
        1,
    );
}

#[test]
fn invalid_utf8_after_the_first_8_kib_names_the_line_and_field() {
    let mut doc = csv_doc(&past_the_sniff_window()).into_bytes();
    doc.extend_from_slice(b"SZ-ARMOR,T-Zh\xe8ng,S,injection,TPU,2026-01-01,100,90,5,5\n");
    assert_refused("late-latin1.csv", doc, &["line 202, field `lot`: is not valid UTF-8 text"], 1);
}

#[test]
fn every_bad_line_is_listed_not_only_the_first() {
    let doc = csv_doc(&[
        row(&[("lot", "T-1"), ("process", "welding")]),
        lot_row("SZ-ARMOR", "T-2"),
        row(&[("lot", "T-3"), ("produced_on", "2026-02-30")]),
        lot_row("SZ-ARMOR", "T-4"),
        row(&[("lot", "T-5"), ("supplier", "SZ-NOBODY")]),
    ]);
    let run = assert_refused(
        "three.csv",
        doc,
        &[
            "line 2, field `process`: \"welding\" is not a process; expected one of injection, co_molding, assembly, \
             printing, other",
            "line 4, field `produced_on`: \"2026-02-30\" is not a real calendar date; expected YYYY-MM-DD",
            "line 6, field `supplier`: \"SZ-NOBODY\" is not a known supplier code (14 suppliers on file); import or \
             create the supplier first (`casebook suppliers` lists the codes)",
        ],
        3,
    );
    // In line order.
    let lines = run.problem_lines(Path::new("three.csv"));
    assert!(lines[0].contains("line 2,") && lines[1].contains("line 4,") && lines[2].contains("line 6,"));
}

#[test]
fn every_problem_of_one_row_is_listed() {
    let doc = csv_doc(&[row(&[("process", "welding"), ("produced_on", "2026-1-1"), ("reworked", "-5")])]);
    assert_refused(
        "one-row.csv",
        doc,
        &[
            "line 2, field `process`: \"welding\" is not a process; expected one of injection, co_molding, assembly, \
             printing, other",
            "line 2, field `produced_on`: \"2026-1-1\" is not a date; expected YYYY-MM-DD, e.g. 2026-05-10",
            "line 2, field `reworked`: \"-5\" must not be negative; expected a whole number of units, 0 or more",
        ],
        1,
    );
}

#[test]
fn more_than_100_problems_are_capped_with_a_count_of_the_rest() {
    let rows: Vec<String> = (0..150).map(|i| row(&[("lot", &format!("T-{i:03}")), ("process", "welding")])).collect();
    let sandbox = Sandbox::demo();
    sandbox.write("many.csv", csv_doc(&rows));
    let before = sandbox.snapshot();

    let run = sandbox.run(&["import", "many.csv"]);
    run.assert_failure()
        .assert_stderr_has("many.csv: line 2, field `process`: \"welding\" is not a process")
        .assert_stderr_has("many.csv: line 101, field `process`")
        .assert_stderr_has("many.csv: … and 50 more problem(s) not listed\n")
        .assert_stdout_has("many.csv: rejected, nothing written: inserted 0; duplicates 0; rejected 150\n");
    assert!(!run.stderr.contains("line 102,"), "problem 101 was listed:\n{}", run.stderr);
    assert_eq!(run.problem_lines(Path::new("many.csv")).len(), 101, "100 problems and the count of the rest");

    let json = sandbox.run(&["import", "many.csv", "--format", "json"]);
    json.assert_failure();
    let reports: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let report = &reports[0];
    assert_eq!(report["problems"].as_array().unwrap().len(), 100);
    assert_eq!(report["unlisted"], 50);
    assert_eq!(report["rejected"], 150);
    assert_eq!(report["problems"][99]["line"], 101);
    sandbox.assert_unchanged(&before);
}

#[test]
fn one_bad_row_in_a_thousand_imports_nothing() {
    let mut rows: Vec<String> = (0..999).map(|i| lot_row("SZ-ARMOR", &format!("T-{i:04}"))).collect();
    rows.push(row(&[("lot", "T-BAD"), ("started", "100"), ("passed_first", "101"), ("scrapped", "0")]));
    let run = assert_refused(
        "thousand.csv",
        csv_doc(&rows),
        &["line 1001, field `passed_first`: \"101\" is more than started (100); expected at most 100"],
        1,
    );
    assert!(!run.stdout.contains("imported"));
}

#[test]
fn dry_run_reports_what_it_would_insert_and_writes_nothing() {
    let sandbox = Sandbox::demo();
    let existing = common::demo_csv_lots().into_iter().find(|(s, _)| s == "SZ-ARMOR").unwrap().1;
    let rows = [
        lot_row("SZ-ARMOR", "T-1"),
        lot_row("SZ-ARMOR", &existing),
        lot_row("DG-PRIME", "T-1"),
        lot_row("XM-BAMBOO", "T-2"),
    ];
    sandbox.write("new.csv", csv_doc(&rows));
    let before = sandbox.snapshot();

    let run = sandbox.run(&["import", "--dry-run", "new.csv"]);
    run.assert_success().assert_stdout_has(
        "new.csv: checked (dry run, nothing written): inserted 3 lots; duplicates 1 lot; rejected 0\n",
    );
    sandbox.assert_unchanged(&before);

    let json = sandbox.run(&["import", "new.csv", "--dry-run", "--format", "json"]);
    json.assert_success();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let report = &report[0];
    assert_eq!((report["dry_run"].as_bool(), report["committed"].as_bool()), (Some(true), Some(false)));
    assert_eq!((report["inserted"]["lots"].as_u64(), report["duplicates"]["lots"].as_u64()), (Some(3), Some(1)));
    assert_eq!(report["format"], "lots_csv");
    sandbox.assert_unchanged(&before);

    // What the dry run predicted is what the import does.
    sandbox
        .run(&["import", "new.csv"])
        .assert_success()
        .assert_stdout_has("new.csv: imported: inserted 3 lots; duplicates 1 lot; rejected 0\n");
    assert_eq!(sandbox.count("SELECT count(*) FROM lots WHERE lot LIKE 'T-%'"), 3);
}

#[test]
fn dry_run_of_a_bad_file_lists_its_problems() {
    let sandbox = Sandbox::demo();
    sandbox.write("bad.csv", csv_doc(&[row(&[("process", "welding")])]));
    let before = sandbox.snapshot();
    sandbox
        .run(&["import", "--dry-run", "bad.csv"])
        .assert_failure()
        .assert_stderr_has("bad.csv: line 2, field `process`: \"welding\" is not a process")
        .assert_stdout_has("bad.csv: rejected, nothing written: inserted 0; duplicates 0; rejected 1\n");
    sandbox.assert_unchanged(&before);
}

#[test]
fn reimporting_the_demo_lots_reports_every_lot_as_a_duplicate() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let file = fixture("demo-lots.csv");
    let run = sandbox.run(&[OsStr::new("import"), file.as_os_str()]);
    run.assert_success().assert_stdout_has(&format!(
        "{}: imported: inserted 0; duplicates {DEMO_CSV_LOTS} lots; rejected 0\n",
        file.display()
    ));
    assert_eq!(run.stderr, "");
    sandbox.assert_unchanged(&before);
}

#[test]
fn a_known_lot_with_other_values_is_a_duplicate_and_updates_nothing() {
    let sandbox = Sandbox::demo();
    let (supplier, lot) = common::demo_csv_lots().into_iter().next().unwrap();
    let changed = format!("{supplier},{lot},OTHER-SKU,assembly,PC,2020-01-01,10,1,0,0");
    sandbox.write("changed.csv", csv_doc(&[changed]));
    let before = sandbox.snapshot();
    sandbox
        .run(&["import", "changed.csv"])
        .assert_success()
        .assert_stdout_has("changed.csv: imported: inserted 0; duplicates 1 lot; rejected 0\n");
    sandbox.assert_unchanged(&before);
}

#[test]
fn columns_in_any_order_with_a_byte_order_mark_are_accepted() {
    let sandbox = Sandbox::demo();
    let doc = "\u{feff}scrapped,reworked,passed_first,started,produced_on,material,process,sku,lot,supplier\n\
               20,50,1130,1200,2026-03-01,TPU+PC,co_molding,T-SKU,T-1,SZ-ARMOR\n";
    sandbox.write("reordered.csv", doc);
    sandbox.run(&["import", "reordered.csv"]).assert_success().assert_stdout_has("inserted 1 lot;");
    let stored: (String, i64, i64, i64, i64) = sandbox
        .sql()
        .query_row(
            "SELECT l.sku, started, passed_first, reworked, scrapped FROM lots l JOIN suppliers s ON s.id = l.supplier_id
             WHERE s.code = 'SZ-ARMOR' AND l.lot = 'T-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(stored, ("T-SKU".into(), 1200, 1130, 50, 20));
}

#[test]
fn defect_columns_are_stored_as_compact_json_sorted_by_code_without_zeros() {
    let sandbox = Sandbox::demo();
    let doc = format!(
        "{LOT_HEADER},defect:flash,defect:bubble,defect:tear\n{},20,12,0\n{},,,\n",
        lot_row("SZ-ARMOR", "T-1"),
        lot_row("SZ-ARMOR", "T-2")
    );
    sandbox.write("defects.csv", doc);
    sandbox.run(&["import", "defects.csv"]).assert_success().assert_stdout_has("inserted 2 lots");
    let defects = |lot: &str| -> Option<String> {
        sandbox
            .sql()
            .query_row(
                "SELECT defects FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'SZ-ARMOR' AND lot = ?1",
                [lot],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(defects("T-1").as_deref(), Some(r#"{"bubble":12,"flash":20}"#));
    assert_eq!(defects("T-2"), None);
}

/// A rule the schema's CHECKs (or keys) hold, broken in a CSV: the importer
/// must report it as its own problem, with line, field and message, and never
/// hand SQLite a row it would refuse.
struct Rule {
    what: &'static str,
    doc: String,
    line: u64,
    field: &'static str,
    message: &'static str,
}

fn rule(what: &'static str, changes: &[(&str, &str)], field: &'static str, message: &'static str) -> Rule {
    Rule { what, doc: csv_doc(&[row(changes)]), line: 2, field, message }
}

fn with_defect(
    what: &'static str,
    header: &str,
    value: &str,
    line: u64,
    field: &'static str,
    message: &'static str,
) -> Rule {
    let doc = format!("{LOT_HEADER},{header}\n{},{value}\n", lot_row("SZ-ARMOR", "T-1"));
    Rule { what, doc, line, field, message }
}

fn schema_rules() -> Vec<Rule> {
    let long = "L".repeat(65);
    vec![
        rule("lots.process enumeration", &[("process", "welding")], "process", "is not a process; expected one of"),
        rule(
            "lots.started > 0",
            &[("started", "0"), ("passed_first", "0"), ("scrapped", "0")],
            "started",
            "must be at least 1",
        ),
        rule("lots.started non-negative", &[("started", "-1")], "started", "must not be negative"),
        rule("lots.passed_first non-negative", &[("passed_first", "-1")], "passed_first", "must not be negative"),
        rule("lots.reworked non-negative", &[("reworked", "-1")], "reworked", "must not be negative"),
        rule("lots.scrapped non-negative", &[("scrapped", "-1")], "scrapped", "must not be negative"),
        rule(
            "lots.passed_first <= started",
            &[("started", "100"), ("passed_first", "101"), ("scrapped", "0")],
            "passed_first",
            "is more than started (100)",
        ),
        rule(
            "lots passed_first + scrapped <= started",
            &[("started", "100"), ("passed_first", "90"), ("scrapped", "11")],
            "scrapped",
            "passed_first + scrapped = 101 is more than started (100)",
        ),
        rule(
            "lots.produced_on real date (2026-02-30)",
            &[("produced_on", "2026-02-30")],
            "produced_on",
            "is not a real calendar date",
        ),
        rule(
            "lots.produced_on ISO shape (2026-1-1)",
            &[("produced_on", "2026-1-1")],
            "produced_on",
            "is not a date; expected YYYY-MM-DD",
        ),
        rule(
            "lots.produced_on ISO shape (20260101)",
            &[("produced_on", "20260101")],
            "produced_on",
            "is not a date; expected YYYY-MM-DD",
        ),
        rule("lots.supplier_id foreign key", &[("supplier", "SZ-NOBODY")], "supplier", "is not a known supplier code"),
        rule("lots.lot not empty", &[("lot", "")], "lot", "is required and must not be blank"),
        rule("lots.sku not empty", &[("sku", " ")], "sku", "is required and must not be blank"),
        rule("lots.material not empty", &[("material", "")], "material", "is required and must not be blank"),
        rule("lot code length", &[("lot", &long)], "lot", "is too long; expected at most 64 characters"),
        with_defect("lots.defects negative", "defect:bubble", "-3", 2, "defect:bubble", "must not be negative"),
        with_defect("lots.defects decimal", "defect:bubble", "1.5", 2, "defect:bubble", "is not a whole number"),
        with_defect("lots.defects string value", "defect:bubble", "many", 2, "defect:bubble", "is not a whole number"),
        with_defect(
            "lots.defects lower-case code",
            "defect:Bubble",
            "3",
            1,
            "defect:Bubble",
            "is not a valid defect code; expected lower-case letters, digits and '_'",
        ),
        with_defect(
            "lots.defects code without spaces",
            "defect:short shot",
            "3",
            1,
            "defect:short shot",
            "is not a valid defect code",
        ),
        Rule {
            what: "UNIQUE (supplier_id, lot) within one file",
            doc: csv_doc(&[lot_row("SZ-ARMOR", "T-1"), lot_row("SZ-ARMOR", "T-1")]),
            line: 3,
            field: "lot",
            message: "lot `T-1` appears twice in this file for the same supplier (first on line 2)",
        },
    ]
}

#[test]
fn the_importer_states_every_schema_rule_before_sqlite_would() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let mut store = sandbox.store();
    for rule in schema_rules() {
        let report =
            exchange::import_bytes(&mut store, "rule.csv", rule.doc.as_bytes(), "tester", ImportOptions::default())
                .unwrap_or_else(|e| panic!("{}: a database error reached the caller: {e}", rule.what));
        assert!(!report.committed, "{}: committed", rule.what);
        assert_eq!(report.problems.len(), 1, "{}: {:?}", rule.what, report.problems);
        let problem = &report.problems[0];
        assert_eq!(problem.at, Location::Line(rule.line), "{}", rule.what);
        assert_eq!(problem.field.as_deref(), Some(rule.field), "{}", rule.what);
        assert!(problem.message.contains(rule.message), "{}: {problem}", rule.what);
        assert!(!problem.message.contains("constraint failed"), "{}: SQLite's words: {problem}", rule.what);
    }
    drop(store);
    sandbox.assert_unchanged(&before);
}

#[test]
fn crlf_line_ends_quoted_commas_and_blank_lines_are_read_as_rfc_4180() {
    let sandbox = Sandbox::demo();
    let doc = format!(
        "{LOT_HEADER}\r\nSZ-ARMOR,T-1,S,injection,\"TPU, PC\",2026-01-01,100,90,5,5\r\n\r\n{}\r\n",
        lot_row("SZ-ARMOR", "T-2")
    );
    sandbox.write("excel.csv", doc);
    sandbox
        .run(&["import", "excel.csv"])
        .assert_success()
        .assert_stdout_has("excel.csv: imported: inserted 2 lots; duplicates 0; rejected 0\n");
    let material: String =
        sandbox.sql().query_row("SELECT material FROM lots WHERE lot = 'T-1'", [], |r| r.get(0)).unwrap();
    assert_eq!(material, "TPU, PC");
}

#[test]
fn a_crlf_file_names_the_line_a_problem_is_on() {
    // The `csv` crate's positions lagged one line behind on CRLF files.
    let doc = format!(
        "{LOT_HEADER}\r\n{}\r\nSZ-ARMOR,C-2,S,moulding,PC,2026-01-01,10,9,1,0\r\n\r\nSZ-ARMOR,C-3,S,injection,\"P\r\nC\",2026-01-01,10,9,1,0\r\nSZ-ARMOR,C-4,S,injection,PC,2026-02-30,10,9,1,0\r\n",
        lot_row("SZ-ARMOR", "C-1")
    );
    assert_refused(
        "excel.csv",
        doc,
        &[
            "line 3, field `process`: \"moulding\" is not a process; expected one of injection, co_molding, assembly, \
             printing, other",
            "line 5, field `material`: \"P\\r\\nC\" contains a line break; a quoted field may be left open (check the \
             quotes on this line)",
            "line 7, field `produced_on`: \"2026-02-30\" is not a real calendar date; expected YYYY-MM-DD",
        ],
        3,
    );
}

#[test]
fn rows_at_every_boundary_import_and_satisfy_every_check() {
    // The importer skips re-evaluating the schema's CHECKs for rows it has
    // validated itself; `casebook check` (integrity_check) then verifies them.
    let long = "L".repeat(64);
    let cjk = "聚氨酯皮革".repeat(12);
    let doc = format!(
        "{LOT_HEADER},defect:bubble,defect:short_shot,defect:a1,defect:x_9\n\
         SZ-ARMOR,B-1,S,injection,PC,2024-02-29,1,1,0,0,,,,\n\
         SZ-ARMOR,B-2,S,co_molding,TPU+PC,2026-11-15,4294967295,0,0,4294967295,4294967295,1,1,1\n\
         SZ-ARMOR,B-3,S,assembly,PC,2026-01-01,100,60,0,40,0,0,0,0\n\
         SZ-ARMOR,{long},{long},printing,{cjk},2025-12-31,10,5,5,5,1,,,\n\
         SZ-ARMOR,\"B,4\",\"S \"\"x\"\"\",other,\"a, b\",2026-06-30,7,7,0,0,,,,2\n"
    );
    let sandbox = Sandbox::demo();
    sandbox.write("edges.csv", doc);
    sandbox.run(&["import", "edges.csv"]).assert_success().assert_stdout_has("inserted 5 lots");
    let check = sandbox.run(&["check"]);
    assert_eq!(check.code, Some(0), "{}", check.stdout);
    assert_eq!(sandbox.count("SELECT count(*) FROM lots WHERE defects IS NULL AND lot IN ('B-1', 'B-3')"), 2);
}
