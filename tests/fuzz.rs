//! Fuzzing the importers and the form validators with proptest: arbitrary
//! bytes, byte-level mutations of a valid CSV and of a valid dossier, and
//! value-level mutations of the dossier's JSON. For every input: no panic,
//! and a rejected input leaves the store exactly as it was (no partial
//! write). Accepted inputs become the new baseline, and each mutation
//! strategy must have some accepted, so the integrity check on them runs.
//! The form validators accept what their rules allow (for defect codes,
//! countries and prose: exactly that).
//!
//! CI runs `FUZZ_CASES` (default 200) inputs per strategy (a mutation
//! strategy with none accepted yet runs more rounds, up to 2,000 inputs in
//! all); for the full run:
//! `FUZZ_CASES=20000 cargo test --release --test fuzz -- --nocapture`, which
//! prints how many inputs ran.

#![allow(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};

use casebook::exchange::{self, ImportOptions, validate};
use casebook::store::Store;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
}

const SEED_CSV: &str = "supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped,defect:bubble\n\
FZ-ONE,L-1,SKU-A,co_molding,TPU+PC,2026-01-03,1200,1130,50,20,12\n\
FZ-ONE,L-2,SKU-A,injection,PC,2026-01-04,800,780,10,10,\n\
FZ-TWO,L-1,SKU-B,assembly,PU leather+PC,2024-02-29,500,480,15,5,3\n";

fn seed_dossier() -> Value {
    json!({
        "format": "casebook-dossier/1",
        "suppliers": [{
            "code": "FZ-NEW", "name": "Fuzz Cases", "country": "CN", "city": "Xiamen",
            "business_type": "manufacturer", "models": ["oem", "odm"], "moq": 300, "dev_lead_days": 80,
            "claims": [{"capability": "feasibility", "source": "website", "stated_on": "2026-01-02", "statement": "we design"}],
            "audits": [{"id": "A-FZ-1", "auditor": "fuzz", "visited_on": "2026-03-01", "kind": "on_site", "status": "submitted",
                        "evidence": [{"pillar": "dfm_evaluation", "kind": "dfm_report", "strength": "document",
                                      "collected_on": "2026-03-01", "description": "DFM report"}],
                        "answers": [{"question": "LG-01", "result": "yes"}, {"question": "DF-01", "result": "partial", "note": "n"}],
                        "findings": [{"severity": "minor", "description": "label", "due_on": "2026-03-31"}]}],
            "lots": [{"lot": "F-1", "sku": "S", "process": "other", "material": "TPU", "produced_on": "2026-02-01",
                      "started": 10, "passed_first": 9, "reworked": 1, "scrapped": 0, "defects": {"bubble": 1}}]
        }]
    })
}

/// What a partial write would change: row counts of every table and a few sums.
fn fingerprint(store: &Store) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.json");
    let mut out = String::new();
    let mut file = std::fs::File::create(&path).unwrap();
    exchange::export(store, &[], false, &mut file).unwrap();
    out.push_str(&std::fs::read_to_string(&path).unwrap());
    out
}

/// A store with two suppliers the CSV seed refers to.
fn base_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let suppliers = json!({"format": "casebook-dossier/1", "suppliers": [
        {"code": "FZ-ONE", "name": "One", "country": "CN", "business_type": "manufacturer", "models": ["oem"]},
        {"code": "FZ-TWO", "name": "Two", "country": "CN", "business_type": "unknown", "models": []}
    ]});
    let bytes = serde_json::to_vec(&suppliers).unwrap();
    let report = exchange::import_bytes(&mut store, "base.json", &bytes, "fuzz", ImportOptions::default()).unwrap();
    assert!(report.committed, "{:?}", report.problems);
    store
}

/// How many inputs a mutation strategy may draw, in rounds of `cases()`,
/// until one is accepted: at the rarest (value mutations, about 2% accepted)
/// 200 inputs find none about once in a hundred runs, 2,000 practically never.
const ACCEPT_BUDGET: u32 = 2000;

/// Runs `strategy`'s inputs through the importer against one store:
/// `cases()` of them, then, with `until_accepted`, further rounds of as many
/// while none has been accepted and `ACCEPT_BUDGET` is not spent. Returns
/// how many inputs ran and how many were accepted.
fn fuzz_import<S: Strategy<Value = Vec<u8>>>(name: &str, strategy: S, until_accepted: bool) -> (u32, u32) {
    let store = RefCell::new(base_store());
    let baseline = RefCell::new(fingerprint(&store.borrow()));
    let (accepted, rejected) = (Cell::new(0_u32), Cell::new(0_u32));
    let test = |input: Vec<u8>| {
        let mut store = store.borrow_mut();
        let report = exchange::import_bytes(&mut store, "fuzz", &input, "fuzz", ImportOptions::default())
            .map_err(|e| TestCaseError::fail(format!("an error instead of a report: {e}")))?;
        let now = fingerprint(&store);
        if report.committed {
            accepted.set(accepted.get() + 1);
            *baseline.borrow_mut() = now;
            // The CSV importer skips re-evaluating CHECKs for rows it has
            // validated: whatever it accepts must satisfy them all.
            let integrity = store.read().integrity_problems().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(integrity.is_empty(), "accepted input breaks the schema: {:?}", integrity);
        } else {
            rejected.set(rejected.get() + 1);
            prop_assert!(!report.problems.is_empty(), "rejected without a problem listed");
            prop_assert_eq!(&now, &*baseline.borrow(), "a rejected input changed the store");
        }
        Ok(())
    };
    let mut inputs = 0;
    loop {
        let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
        runner.run(&strategy, test).unwrap();
        inputs += cases();
        if !until_accepted || accepted.get() > 0 || inputs >= ACCEPT_BUDGET || cases() == 0 {
            break;
        }
    }
    eprintln!("fuzz {name}: {inputs} inputs ({} accepted, {} rejected)", accepted.get(), rejected.get());
    (inputs, accepted.get())
}

/// Runs a mutation strategy: mutations of a valid seed must sometimes stay
/// valid, or the integrity check on accepted inputs never runs.
fn fuzz_mutations<S: Strategy<Value = Vec<u8>>>(name: &str, strategy: S) {
    let (inputs, accepted) = fuzz_import(name, strategy, true);
    assert!(accepted > 0, "fuzz {name}: none of {inputs} inputs was accepted; the integrity check never ran");
}

/// Byte edits of `seed`: replace, insert or delete bytes chosen to stress
/// parsers (separators, quotes, line ends, NUL, invalid UTF-8, digits, signs).
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(vec![
        b',', b'"', b'\n', b'\r', 0, 0xff, 0xc3, b'-', b'.', b'0', b'9', b'{', b'}', b'[', b']', b':', b' ', b'e',
        b'\\',
    ]);
    let edit = (0..3_u8, any::<prop::sample::Index>(), prop_oneof![interesting, any::<u8>()]);
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = seed.clone();
        for (kind, at, byte) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if !bytes.is_empty() => {
                    let last = bytes.len() - 1;
                    bytes[i.min(last)] = byte;
                }
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if !bytes.is_empty() => {
                    let last = bytes.len() - 1;
                    bytes.remove(i.min(last));
                }
                _ => bytes.push(byte),
            }
        }
        bytes
    })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["", "2026-02-30", "yes", "odm", "co_molding", "-1", "A-FZ-1", "FZ-ONE"])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the value at a random path of the seed dossier with a random one.
fn mutated_dossier() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(any::<prop::sample::Index>(), 1..6), any_json()).prop_map(|(path, value)| {
        let mut doc = seed_dossier();
        replace_at(&mut doc, &path, value);
        serde_json::to_vec(&doc).unwrap()
    })
}

/// Follows `path` (an index into each object's keys or array's items) as far
/// as it goes and puts `value` there.
fn replace_at(at: &mut Value, path: &[prop::sample::Index], value: Value) {
    let Some((step, rest)) = path.split_first() else {
        *at = value;
        return;
    };
    let next = match at {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(step.index(map.len())).cloned().unwrap();
            map.get_mut(&key)
        }
        Value::Array(items) if !items.is_empty() => {
            let i = step.index(items.len());
            items.get_mut(i)
        }
        _ => None,
    };
    match next {
        Some(inner) => replace_at(inner, rest, value),
        None => *at = value,
    }
}

#[test]
fn the_seeds_themselves_import() {
    let mut store = base_store();
    for (name, bytes) in
        [("seed.csv", SEED_CSV.as_bytes().to_vec()), ("seed.json", serde_json::to_vec(&seed_dossier()).unwrap())]
    {
        let report = exchange::import_bytes(&mut store, name, &bytes, "fuzz", ImportOptions::default()).unwrap();
        assert!(report.committed, "{name}: {:?}", report.problems);
    }
}

#[test]
fn fuzz_arbitrary_bytes() {
    fuzz_import("arbitrary bytes", prop::collection::vec(any::<u8>(), 0..600), false);
}

#[test]
fn fuzz_mutated_csv() {
    fuzz_mutations("mutated CSV", mutated(SEED_CSV.as_bytes().to_vec()));
}

#[test]
fn fuzz_mutated_dossier_bytes() {
    fuzz_mutations("mutated dossier bytes", mutated(serde_json::to_vec_pretty(&seed_dossier()).unwrap()));
}

#[test]
fn fuzz_mutated_dossier_values() {
    fuzz_mutations("mutated dossier values", mutated_dossier());
}

#[test]
fn fuzz_form_validators() {
    let mut runner = TestRunner::new(Config { cases: cases() * 5, failure_persistence: None, ..Config::default() });
    // Short texts, and texts around the 200-character bound `prose` is given.
    let input = prop_oneof![
        ".{0,40}",
        "[0-9+-. ]{0,12}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[A-Za-z]{1,3}",
        "[a-z0-9_A-Z-]{0,70}",
        "[a-z \n\t]{190,210}",
        "[a-z\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200e}]{0,8}",
        any::<String>()
    ];
    runner
        .run(&input, |text| {
            if let Ok(n) = validate::count("started", &text) {
                prop_assert_eq!(text.trim().trim_start_matches('+').parse::<u32>().ok(), Some(n));
            }
            if let Ok(day) = validate::date("produced_on", &text) {
                prop_assert_eq!(day.format("%Y-%m-%d").to_string(), text.clone());
            }
            if validate::text("lot", &text, 64).is_ok() {
                let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
                prop_assert!(!text.trim().is_empty() && !text.chars().any(|c| c.is_control() || bidi(c)));
            }
            if validate::code("code", &text).is_ok() {
                prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
            }
            // Defect codes: 1–64 bytes of lower-case letters, digits and `_`.
            let defect_code = !text.is_empty()
                && text.len() <= 64
                && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            prop_assert_eq!(validate::defect_code("defect", &text).is_ok(), defect_code, "defect code {:?}", text);
            // Countries: ISO 3166-1 alpha-2, two ASCII capitals.
            let country = text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase());
            prop_assert_eq!(validate::country("country", &text).is_ok(), country, "country {:?}", text);
            // Prose: at most `max` characters, no control characters but line
            // breaks and tabs, no bidi overrides or isolates.
            let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            let plain = !text.chars().any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || bidi(c));
            for max in [200, 20] {
                let prose = plain && text.chars().count() <= max;
                prop_assert_eq!(validate::prose("note", &text, max).is_ok(), prose, "prose (max {}) {:?}", max, text);
            }
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz form validators: {} inputs", cases() * 5);
}
