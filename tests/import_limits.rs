//! The lot importer's hard limits (README, "Limits") and its promise that no
//! input can store a row that breaks a CHECK.
//!
//! The CSV importer does not make SQLite re-evaluate the CHECKs on `lots`
//! for the rows it inserts (a fifth of a large import); that is sound only
//! if whatever it accepts satisfies them. A property test generates files
//! whose rows sit at and just past every limit (texts of 64 and 65
//! characters, counts at 0, 1 and `u32::MAX` and past them, today and
//! tomorrow, 100 and 101 defect codes, fields of 1,024 and 1,025 bytes,
//! 500 and 501 defect columns) and runs `PRAGMA integrity_check`, which
//! re-verifies every CHECK, after each accepted import; a refused one must
//! change nothing. The named tests pin each limit's message: file, line and
//! field, and what is allowed.
//!
//! `FUZZ_CASES` sets the property test's inputs (default 256; the full run
//! in BENCHMARKS.md used 5,000).

#![allow(clippy::unwrap_used)]

mod common;

use std::cell::Cell;
use std::fmt::Write as _;

use casebook::exchange::{self, ImportOptions};
use casebook::model::validate::{MAX_DEFECT_COLUMNS, MAX_DEFECTS_PER_LOT, MAX_FIELD_BYTES, MAX_ROW_BYTES, today};
use casebook::store::Store;
use chrono::Days;
use common::{LOT_HEADER, assert_refused, lot_row};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
}

/// `defect:d0 … defect:d{n-1}` appended to the lot header.
fn header_with_defects(n: usize) -> String {
    let mut header = LOT_HEADER.to_owned();
    for i in 0..n {
        let _ = write!(header, ",defect:d{i:03}");
    }
    header
}

#[test]
fn a_header_with_more_defect_columns_than_the_limit_is_refused_at_line_1() {
    let over = MAX_DEFECT_COLUMNS + 1;
    let doc = format!("{}\n{}{}\n", header_with_defects(over), lot_row("SZ-ARMOR", "T-1"), ",".repeat(over));
    let problem = format!("line 1: {over} defect:<code> columns; a file may have at most {MAX_DEFECT_COLUMNS}");
    assert_refused("wide.csv", doc, &[&problem], 1);
    // A hundred thousand columns: refused as a header too wide, not held.
    let doc = format!("{}\n", header_with_defects(100_000));
    let problem = "line 1: the header has more than 526 columns; a file may have the 10 named columns and at most \
                   500 defect:<code> columns";
    assert_refused("huge-header.csv", doc, &[problem], 1);
    // A header of a few long names: refused as too long, not held.
    let long_names: Vec<String> = (0..3).map(|i| format!("defect:{}", "x".repeat(MAX_ROW_BYTES / 2 + i))).collect();
    let doc = format!(
        "{LOT_HEADER},{}
",
        long_names.join(",")
    );
    let problem = format!(
        "line 1: the header is longer than {MAX_ROW_BYTES} bytes; a CSV record may hold at most {MAX_ROW_BYTES} bytes"
    );
    assert_refused("long-header.csv", doc, &[&problem], 1);
}

#[test]
fn a_lot_with_more_defect_codes_than_the_limit_is_refused_with_line_and_field() {
    let n = MAX_DEFECTS_PER_LOT + 1;
    let ones = ",1".repeat(n);
    let doc = format!("{}\n{}{ones}\n", header_with_defects(n), lot_row("SZ-ARMOR", "T-1"));
    let problem = format!(
        "line 2, field `defects`: has {n} defect codes with a count; a lot may carry at most {MAX_DEFECTS_PER_LOT}"
    );
    assert_refused("many-defects.csv", doc, &[&problem], 1);
    // At the limit it goes in, and every CHECK holds.
    let sandbox = common::Sandbox::demo();
    let ones = ",1".repeat(MAX_DEFECTS_PER_LOT);
    let doc = format!("{}\n{}{ones}\n", header_with_defects(MAX_DEFECTS_PER_LOT), lot_row("SZ-ARMOR", "T-1"));
    sandbox.write("limit.csv", doc);
    sandbox.run(&["import", "limit.csv"]).assert_success();
    assert_eq!(sandbox.run(&["check"]).code, Some(0));
}

#[test]
fn a_field_longer_than_the_limit_is_refused_with_line_and_field() {
    let padded = format!("{}7", " ".repeat(MAX_FIELD_BYTES));
    let doc = format!("{LOT_HEADER}\nSZ-ARMOR,T-1,S,injection,PC,2026-01-01,{padded},9,1,0\n");
    let problem = format!(
        "line 2, field `started`: is {} bytes long; a field may hold at most {MAX_FIELD_BYTES}",
        MAX_FIELD_BYTES + 1
    );
    assert_refused("long-field.csv", doc, &[&problem], 1);
}

#[test]
fn a_record_longer_than_the_limit_is_refused_and_the_rows_after_it_still_checked() {
    let huge = "x".repeat(MAX_ROW_BYTES * 2);
    let doc = format!(
        "{LOT_HEADER}\nSZ-ARMOR,T-1,S,injection,\"{huge}\",2026-01-01,10,9,1,0\n{}\nSZ-ARMOR,T-3,S,moulding,PC,2026-01-01,10,9,1,0\n",
        lot_row("SZ-ARMOR", "T-2")
    );
    let problems = [
        format!("line 2: the row is longer than {MAX_ROW_BYTES} bytes; a CSV record may hold at most {MAX_ROW_BYTES} bytes"),
        "line 4, field `process`: \"moulding\" is not a process; expected one of injection, co_molding, assembly, printing, other".to_owned(),
    ];
    assert_refused("long-row.csv", doc, &[&problems[0], &problems[1]], 2);
}

/// Which field of a row, if any, is pushed just past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bend {
    None,
    Supplier,
    Lot,
    Sku,
    Process,
    Material,
    Day,
    Counts,
    Field,
    Defects,
}

fn bend() -> impl Strategy<Value = Bend> {
    prop_oneof![
        2 => Just(Bend::None),
        1 => prop::sample::select(vec![
            Bend::Supplier, Bend::Lot, Bend::Sku, Bend::Process, Bend::Material, Bend::Day, Bend::Counts,
            Bend::Field, Bend::Defects,
        ]),
    ]
}

/// A text at its limit (64 characters, one or three bytes each) or not
/// near it; `past` gives one just past a limit or rule instead.
fn text(past: bool, unique: u32) -> impl Strategy<Value = String> {
    let at = prop_oneof![
        Just(format!("{unique:L>64}")),
        Just(format!("{unique}{}", "聚".repeat(63 - unique.to_string().len().min(63)))),
        Just(format!("T-{unique}")),
    ];
    let over = prop_oneof![
        Just(format!("{unique:L>65}")),
        Just(String::new()),
        Just("   ".to_owned()),
        Just(format!("a\u{202e}{unique}")),
        Just(format!("x\u{1b}[2J{unique}")),
    ];
    if past { over.boxed() } else { at.boxed() }
}

/// (`started`, `passed_first`, `reworked`, `scrapped`) that hold together, at
/// their bounds; `past` breaks one rule or bound.
fn counts(past: bool) -> impl Strategy<Value = Vec<String>> {
    let max = u32::MAX;
    let valid = prop_oneof![
        Just([1, 1, 0, 0]),
        Just([1, 0, 0, 1]),
        Just([max, max, max, 0]),
        Just([max, 0, 0, max]),
        (1_u32..5000).prop_map(|s| [s, s / 2, 0, s - s / 2]),
    ]
    .prop_map(|c| c.iter().map(u32::to_string).collect::<Vec<_>>());
    let broken = prop_oneof![
        Just(vec!["0".to_owned(), "0".to_owned(), "0".to_owned(), "0".to_owned()]),
        Just(vec!["10".to_owned(), "11".to_owned(), "0".to_owned(), "0".to_owned()]),
        Just(vec!["10".to_owned(), "9".to_owned(), "0".to_owned(), "2".to_owned()]),
        Just(vec![(u64::from(max) + 1).to_string(), "1".to_owned(), "0".to_owned(), "0".to_owned()]),
        Just(vec!["10".to_owned(), "-1".to_owned(), "0".to_owned(), "0".to_owned()]),
    ];
    if past { broken.boxed() } else { valid.boxed() }
}

fn day(past: bool) -> impl Strategy<Value = String> {
    let today = today();
    let valid = prop::sample::select(vec![today.to_string(), "2024-02-29".to_owned(), "0001-01-01".to_owned()]);
    let broken = prop::sample::select(vec![
        (today + Days::new(1)).to_string(),
        "9999-12-31".to_owned(),
        "2026-02-29".to_owned(),
        "2026-1-5".to_owned(),
    ]);
    if past { broken.boxed() } else { valid.boxed() }
}

/// A row's fields: the ten named ones, then `columns` defect counts with
/// at most `MAX_DEFECTS_PER_LOT` above zero (or one more when bent there).
fn row(columns: usize, unique: u32) -> impl Strategy<Value = Vec<String>> {
    bend().prop_flat_map(move |bend| {
        let named = (
            prop::sample::select(if bend == Bend::Supplier { vec!["LM-NONE"] } else { vec!["LM-A", "LM-B"] }),
            text(bend == Bend::Lot, unique),
            text(bend == Bend::Sku, unique),
            prop::sample::select(if bend == Bend::Process { vec!["moulding"] } else { vec!["injection", "other"] }),
            text(bend == Bend::Material, unique),
            day(bend == Bend::Day),
            counts(bend == Bend::Counts),
        );
        let nonzero = if bend == Bend::Defects { MAX_DEFECTS_PER_LOT + 1 } else { columns.min(MAX_DEFECTS_PER_LOT) };
        let values = prop::collection::vec(prop::sample::select(vec!["1", "7", "4294967295"]), nonzero);
        (named, values).prop_map(move |((supplier, lot, sku, process, material, day, counts), values)| {
            let mut fields = vec![supplier.to_owned(), lot, sku, process.to_owned(), material, day];
            fields.extend(counts);
            if bend == Bend::Field {
                fields[6] = format!("{}1", " ".repeat(MAX_FIELD_BYTES));
            }
            let mut defects = vec![String::new(); columns.max(values.len())];
            for (slot, value) in defects.iter_mut().zip(values) {
                value.clone_into(slot);
            }
            fields.extend(defects);
            fields
        })
    })
}

/// A whole file: a header with a number of defect columns around the
/// limits, and one to three rows, each at its limits or one just past.
fn file() -> impl Strategy<Value = String> {
    let columns = prop::sample::select(vec![
        0,
        1,
        MAX_DEFECTS_PER_LOT,
        MAX_DEFECTS_PER_LOT + 1,
        MAX_DEFECT_COLUMNS,
        MAX_DEFECT_COLUMNS + 1,
    ]);
    (columns, 1_usize..4, any::<u32>()).prop_flat_map(|(columns, rows, seed)| {
        let rows: Vec<_> =
            (0..rows).map(|i| row(columns, seed.wrapping_add(u32::try_from(i).unwrap()) % 1_000_000)).collect();
        rows.prop_map(move |rows| {
            let width = rows.iter().map(Vec::len).max().unwrap_or(0) - 10;
            let mut doc = header_with_defects(width.max(columns));
            doc.push('\n');
            for fields in rows {
                let quoted: Vec<String> = fields.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
                doc.push_str(&quoted.join(","));
                doc.push('\n');
            }
            doc
        })
    })
}

fn base_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let doc = br#"{"format": "casebook-dossier/1", "suppliers": [
        {"code": "LM-A", "name": "A", "country": "CN", "business_type": "manufacturer", "models": ["oem"]},
        {"code": "LM-B", "name": "B", "country": "CN", "business_type": "manufacturer", "models": ["odm"]}]}"#;
    let report = exchange::import_bytes(&mut store, "base.json", doc, "limits", ImportOptions::default()).unwrap();
    assert!(report.committed, "{:?}", report.problems);
    store
}

#[test]
fn accepted_rows_at_and_past_every_limit_satisfy_every_check() {
    let store = std::cell::RefCell::new(base_store());
    let (accepted, refused) = (Cell::new(0), Cell::new(0));
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    runner
        .run(&file(), |doc| {
            let mut store = store.borrow_mut();
            let lots_before = store.read().lot_count().unwrap();
            let report =
                exchange::import_bytes(&mut store, "limits.csv", doc.as_bytes(), "limits", ImportOptions::default())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            if report.committed {
                accepted.set(accepted.get() + 1);
                let problems = store.read().integrity_problems().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(problems.is_empty(), "accepted rows break the schema: {:?}\n{}", problems, doc);
            } else {
                refused.set(refused.get() + 1);
                prop_assert!(!report.problems.is_empty(), "refused without a problem");
                prop_assert!(
                    report.problems.iter().all(|p| p.to_string().starts_with("line ")),
                    "{:?}",
                    report.problems
                );
                prop_assert_eq!(store.read().lot_count().unwrap(), lots_before, "a refused file changed the lots");
            }
            Ok(())
        })
        .unwrap();
    eprintln!("import limits: {} files, {} accepted, {} refused", cases(), accepted.get(), refused.get());
    assert!(accepted.get() > 0, "no file was accepted: the integrity check never ran");
    assert!(refused.get() > 0, "no file was refused: the limits were never crossed");
}
