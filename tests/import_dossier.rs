//! The `casebook-dossier/1` importer and exporter through the user's path.
//!
//! Covers bad documents (wrong JSON types, unknown fields named with their
//! path, truncated or invalid JSON, wrong format, late invalid bytes) with the
//! exact message, exit status 1 and the database unchanged; that a dossier
//! streamed supplier by supplier is still all-or-nothing; listing and capping
//! problems; duplicates on re-import; the fixtures' counts; export → import →
//! export byte-identical; `export --supplier`; and that the importer states
//! each rule the schema holds (enumerations, dates, codes, counts, defects,
//! keys, amendments) before SQLite would.

mod common;

use std::path::Path;

use casebook::exchange::{self, ImportOptions, Location};
use common::{
    DEMO_LOTS, DEMO_SUPPLIERS, Sandbox, assert_refused, assert_refused_in, demo_csv_lots, demo_dossier, fixture,
};
use serde_json::{Value, json};

/// A small valid dossier of one new supplier with one of everything.
fn new_supplier(code: &str) -> Value {
    json!({
        "code": code, "name": "Test Case Works", "country": "CN", "city": "Shenzhen",
        "business_type": "manufacturer", "models": ["oem", "odm"], "moq": 300, "dev_lead_days": 75,
        "claims": [{"capability": "feasibility", "source": "website", "stated_on": "2026-01-10",
                    "statement": "we design cases"}],
        "audits": [{
            "id": format!("{code}-A1"), "auditor": "tester", "visited_on": "2026-02-01", "kind": "on_site",
            "status": "submitted", "summary": "fine",
            "evidence": [{"pillar": "dfm_evaluation", "kind": "dfm_report", "strength": "document",
                          "collected_on": "2026-02-01", "description": "DFM report for a client", "reference": "x.pdf"}],
            "template": "odm-capability/1",
            "answers": [{"question": "LG-01", "result": "yes", "note": "licence seen"}],
            "findings": [{"severity": "minor", "description": "labels faded", "owner": "QA", "due_on": "2026-03-03",
                          "status": "closed", "closed_on": "2026-02-20", "closure": "new labels", "closed_by": "qa"}]
        }],
        "lots": [{"lot": "T-L1", "sku": "T-SKU", "process": "injection", "material": "TPU", "produced_on": "2026-01-05",
                  "started": 100, "passed_first": 90, "reworked": 5, "scrapped": 5, "defects": {"flash": 3, "bubble": 2}}]
    })
}

fn dossier(suppliers: Vec<Value>) -> Value {
    let mut doc = json!({"format": "casebook-dossier/1"});
    doc["suppliers"] = Value::Array(suppliers);
    doc
}

fn bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(doc).expect("serialise")
}

#[test]
fn the_base_dossier_of_these_tests_is_valid() {
    let sandbox = Sandbox::demo();
    sandbox.write("new.json", bytes(&dossier(vec![new_supplier("T-NEW")])));
    let before = sandbox.snapshot();
    sandbox.run(&["import", "--dry-run", "new.json"]).assert_success().assert_stdout_has(
        "new.json: checked (dry run, nothing written): inserted 1 supplier, 1 claim, 1 audit, 1 answer, \
         1 evidence item, 1 finding, 1 lot; duplicates 0; rejected 0\n",
    );
    sandbox.assert_unchanged(&before);
    sandbox.run(&["import", "new.json"]).assert_success().assert_stdout_has("new.json: imported: inserted 1 supplier,");
    assert_eq!(sandbox.count("SELECT count(*) FROM audits WHERE ref = 'T-NEW-A1' AND status = 'submitted'"), 1);
    assert_eq!(
        sandbox.sql().query_row("SELECT defects FROM lots WHERE lot = 'T-L1'", [], |r| r.get::<_, String>(0)).unwrap(),
        r#"{"bubble":2,"flash":3}"#
    );
}

#[test]
fn a_count_given_as_a_string_names_its_path_and_type() {
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    doc["suppliers"][0]["lots"][0]["started"] = json!("12");
    assert_refused(
        "string.json",
        bytes(&doc),
        &["suppliers[0].lots[0].started: expected a whole number of at least 0, found a string (\"12\")"],
        1,
    );
}

#[test]
fn suppliers_that_is_not_an_array_is_refused() {
    let doc = r#"{"format":"casebook-dossier/1","suppliers":5}"#;
    assert_refused("five.json", doc, &["suppliers: expected an array of suppliers, found a number (5)"], 1);
}

#[test]
fn wrong_types_everywhere_are_each_named() {
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    let s = &mut doc["suppliers"][0];
    s["name"] = json!(42);
    s["models"] = json!("oem");
    s["moq"] = json!("300");
    s["claims"] = json!({"capability": "feasibility"});
    s["audits"][0]["evidence"][0] = json!("a photo");
    s["lots"][0]["defects"] = json!([3]);
    assert_refused(
        "types.json",
        bytes(&doc),
        &[
            "suppliers[0].name: expected a string, found a number (42)",
            "suppliers[0].models: expected an array, found a string (\"oem\")",
            "suppliers[0].moq: expected a whole number of at least 1, found a string (\"300\")",
            "suppliers[0].claims: expected an array, found an object",
            "suppliers[0].audits[0].evidence[0]: expected an object, found a string (\"a photo\")",
            "suppliers[0].lots[0].defects: expected an object, found an array of 1 item(s)",
        ],
        1,
    );
}

#[test]
fn an_unknown_field_is_named_with_its_json_path() {
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    doc["suppliers"][0]["audits"][0]["colour"] = json!("red");
    assert_refused(
        "colour.json",
        bytes(&doc),
        &["suppliers[0].audits[0].colour: unknown field `colour`; expected one of: id, auditor, visited_on, kind, \
             status, summary, amends, evidence, template, answers, findings"],
        1,
    );
}

#[test]
fn unknown_fields_at_every_level_are_all_named() {
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    doc["generator"] = json!("excel");
    doc["suppliers"][0]["website"] = json!("https://example.com");
    doc["suppliers"][0]["claims"][0]["verified"] = json!(true);
    doc["suppliers"][0]["audits"][0]["answers"][0]["score"] = json!(2);
    doc["suppliers"][0]["lots"][0]["yield"] = json!(0.9);
    assert_refused(
        "fields.json",
        bytes(&doc),
        &[
            "generator: unknown field `generator`; expected one of: format, suppliers",
            "suppliers[0].website: unknown field `website`; expected one of: code, name, country, city, \
             business_type, models, moq, dev_lead_days, notes, claims, audits, lots, annotations, control_plans",
            "suppliers[0].claims[0].verified: unknown field `verified`; expected one of: capability, source, \
             stated_on, statement, retired_on",
            "suppliers[0].audits[0].answers[0].score: unknown field `score`; expected one of: question, result, note",
            "suppliers[0].lots[0].yield: unknown field `yield`; expected one of: lot, sku, process, material, \
             produced_on, started, passed_first, reworked, scrapped, defects",
        ],
        2,
    );
}

#[test]
fn a_truncated_dossier_writes_none_of_the_suppliers_it_streamed() {
    // An empty database: everything before the cut would be new.
    let sandbox = Sandbox::empty();
    let full = std::fs::read_to_string(fixture("demo-dossier.json")).unwrap();
    let cut = full.find("\"code\": \"SZ-ARMOR\"").expect("a supplier in the second half");
    let head = &full[..cut];
    assert!(head.matches("\"code\":").count() >= 4, "several whole suppliers precede the cut");
    sandbox.write("cut.json", head);
    let before = sandbox.snapshot();
    let line = head.lines().count();
    let run = sandbox.run(&["import", "cut.json"]);
    run.assert_failure()
        .assert_stderr_has(&format!("cut.json: line {line}: the JSON ends early at column "))
        .assert_stderr_has("(is the file truncated?)\n")
        .assert_stdout_has("cut.json: rejected, nothing written: inserted 0; duplicates 0; rejected 1\n");
    assert_eq!(run.problem_lines(Path::new("cut.json")).len(), 1);
    sandbox.assert_unchanged(&before);
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 0);
}

#[test]
fn a_good_supplier_followed_by_a_bad_one_writes_nothing() {
    let sandbox = Sandbox::empty();
    let mut bad = new_supplier("T-BAD");
    bad["lots"][0]["process"] = json!("welding");
    sandbox.write("half.json", bytes(&dossier(vec![new_supplier("T-GOOD"), bad])));
    let before = sandbox.snapshot();
    sandbox
        .run(&["import", "half.json"])
        .assert_failure()
        .assert_stderr_has(
            "half.json: suppliers[1].lots[0].process: \"welding\" is not valid; expected one of: injection, \
             co_molding, assembly, printing, other\n",
        )
        .assert_stdout_has("half.json: rejected, nothing written: inserted 0; duplicates 0; rejected 1\n");
    sandbox.assert_unchanged(&before);
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 0);
}

#[test]
fn invalid_json_is_refused_with_line_and_column() {
    assert_refused(
        "syntax.json",
        "{\"format\": \"casebook-dossier/1\",\n \"suppliers\": [}\n",
        &["line 2: invalid JSON at column 16: expected value"],
        1,
    );
}

#[test]
fn the_wrong_format_or_none_is_refused() {
    assert_refused(
        "v4.json",
        r#"{"format": "casebook-dossier/4", "suppliers": []}"#,
        &[
            "format: is a string (\"casebook-dossier/4\"); expected \"casebook-dossier/1\", \"casebook-dossier/2\" or \"casebook-dossier/3\"",
        ],
        1,
    );
    // A /3 document is its readable part and its records.
    assert_refused(
        "v3.json",
        r#"{"format": "casebook-dossier/3", "suppliers": []}"#,
        &["records: is required in a casebook-dossier/3 document (the records `casebook export` writes)"],
        1,
    );
    // Its format comes first, as export writes it.
    assert_refused(
        "late.json",
        r#"{"suppliers": [], "format": "casebook-dossier/3"}"#,
        &["format: is \"casebook-dossier/3\", which is read only when `format` is the document's first member (as \
           casebook export writes it); move it first"],
        1,
    );
    assert_refused(
        "bare.json",
        "{}",
        &[
            "format: is required; expected \"casebook-dossier/1\", \"casebook-dossier/2\" or \"casebook-dossier/3\"",
            "suppliers: is required; expected an array of suppliers",
        ],
        2,
    );
}

#[test]
fn a_top_level_array_is_refused() {
    assert_refused(
        "array.json",
        "[1, 2]",
        &[
            "line 1: at column 1: invalid type: sequence, expected a casebook-dossier/1, /2 or /3 object with \
             `format` and `suppliers`",
            "format: is required; expected \"casebook-dossier/1\", \"casebook-dossier/2\" or \"casebook-dossier/3\"",
            "suppliers: is required; expected an array of suppliers",
        ],
        3,
    );
}

/// The demo dossier with `byte` put inside the last supplier's notes, far
/// past the 8 KiB the format sniffer reads; with the byte's "line L … column C".
fn demo_with_late_byte(byte: u8) -> (Vec<u8>, String) {
    let text = std::fs::read_to_string(fixture("demo-dossier.json")).expect("read the dossier");
    let at = text.rfind("\"notes\": \"").expect("notes") + "\"notes\": \"".len();
    assert!(at > 8192);
    let line = text[..at].lines().count();
    let column = at - text[..at].rfind('\n').expect("a line before");
    let mut doc = text.into_bytes();
    doc.insert(at, byte);
    (doc, format!("line {line}: invalid JSON at column {column}"))
}

#[test]
fn invalid_utf8_late_in_a_dossier_is_refused() {
    let (doc, at) = demo_with_late_byte(0xff);
    // An empty database: in the demo one the summary would count the
    // suppliers before the bad byte as duplicates.
    assert_refused_in(&Sandbox::empty(), "late.json", doc, &[&format!("{at}: invalid unicode code point")], 1);
}

#[test]
fn a_nul_byte_late_in_a_dossier_is_refused() {
    let (doc, at) = demo_with_late_byte(0);
    assert_refused_in(
        &Sandbox::empty(),
        "nul.json",
        doc,
        &[&format!("{at}: control character (\\u0000-\\u001F) found while parsing a string")],
        1,
    );
}

#[test]
fn a_dossier_that_is_not_text_is_refused() {
    let mut doc = b"{\"format\": \"casebook-dossier/1\", \"suppliers\": [".to_vec();
    let at = doc.len();
    doc.extend_from_slice(b"\x00\x01\x02");
    let expected = format!("file: not a text file (a NUL byte at offset {at}); expected UTF-8 JSON or CSV");
    assert_refused("bin.json", doc, &[&expected], 1);
    let latin1 = b"{\"format\": \"casebook-dossier/1\", \"suppliers\": [{\"name\": \"Zh\xe8ng\"}]}";
    let at = latin1.iter().position(|b| *b == 0xe8).unwrap();
    let expected = format!("file: not UTF-8 text (invalid byte at offset {at}); expected UTF-8 JSON or CSV");
    assert_refused("latin1.json", latin1, &[&expected], 1);
}

#[test]
fn problems_of_several_suppliers_are_all_listed() {
    let mut a = new_supplier("T-A");
    a["country"] = json!("China");
    let mut b = new_supplier("T-B");
    b["audits"][0]["evidence"][0]["strength"] = json!("strong");
    let mut c = new_supplier("T-C");
    c["lots"][0]["produced_on"] = json!("2026-02-30");
    assert_refused(
        "three.json",
        bytes(&dossier(vec![a, b, c])),
        &[
            "suppliers[0].country: \"China\" is not a country code; expected two capital letters, e.g. CN",
            "suppliers[1].audits[0].evidence[0].strength: \"strong\" is not valid; expected one of: stated, document, \
             observed",
            "suppliers[2].lots[0].produced_on: \"2026-02-30\" is not a real calendar date; expected YYYY-MM-DD",
        ],
        3,
    );
}

#[test]
fn more_than_100_problems_are_capped_with_a_count_of_the_rest() {
    let mut supplier = new_supplier("T-MANY");
    let lot = supplier["lots"][0].clone();
    supplier["lots"] = (0..150)
        .map(|i| {
            let mut l = lot.clone();
            l["lot"] = json!(format!("T-{i:03}"));
            l["process"] = json!("welding");
            l
        })
        .collect();
    let sandbox = Sandbox::demo();
    sandbox.write("many.json", bytes(&dossier(vec![supplier])));
    let before = sandbox.snapshot();
    let run = sandbox.run(&["import", "many.json"]);
    run.assert_failure()
        .assert_stderr_has("many.json: suppliers[0].lots[99].process: \"welding\" is not valid")
        .assert_stderr_has("many.json: … and 50 more problem(s) not listed\n")
        .assert_stdout_has("many.json: rejected, nothing written: inserted 0; duplicates 0; rejected 1\n");
    assert!(!run.stderr.contains("lots[100]"), "problem 101 was listed");
    assert_eq!(run.problem_lines(Path::new("many.json")).len(), 101);
    sandbox.assert_unchanged(&before);
}

#[test]
fn reimporting_the_demo_dossier_reports_everything_as_duplicates() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let file = fixture("demo-dossier.json");
    let run = sandbox.run(&[std::ffi::OsStr::new("import"), file.as_os_str()]);
    run.assert_success().assert_stdout_has(&format!(
        "{}: imported: inserted 0; duplicates 14 suppliers, 40 claims, 15 audits, 3 lots; rejected 0\n",
        file.display()
    ));
    assert_eq!(run.stderr, "");
    sandbox.assert_unchanged(&before);
}

#[test]
fn the_fixtures_import_with_the_expected_counts() {
    let sandbox = Sandbox::new();
    let (dossier_file, csv_file) = (fixture("demo-dossier.json"), fixture("demo-lots.csv"));
    let run = sandbox.run(&[std::ffi::OsStr::new("import"), dossier_file.as_os_str(), csv_file.as_os_str()]);
    run.assert_success()
        .assert_stdout_has(&format!(
            "{}: imported: inserted 14 suppliers, 40 claims, 15 audits, 562 answers, 65 evidence items, 15 findings, \
             3 lots; duplicates 0; rejected 0\n",
            dossier_file.display()
        ))
        .assert_stdout_has(&format!(
            "{}: imported: inserted 2200 lots; duplicates 0; rejected 0\n",
            csv_file.display()
        ));

    // The same numbers, counted independently from the fixture files.
    let doc = demo_dossier();
    let suppliers = doc["suppliers"].as_array().unwrap();
    let sum = |f: &dyn Fn(&Value) -> usize| -> i64 { suppliers.iter().map(f).sum::<usize>().try_into().unwrap() };
    let len = |v: &Value| v.as_array().map_or(0, Vec::len);
    let audits = |s: &Value, key: &str| s["audits"].as_array().unwrap().iter().map(|a| len(&a[key])).sum::<usize>();
    assert_eq!(suppliers.len(), DEMO_SUPPLIERS);
    assert_eq!(sandbox.count("SELECT count(*) FROM suppliers"), 14);
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), i64::try_from(DEMO_LOTS).unwrap());
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), sum(&|s| len(&s["lots"])) + 2200);
    assert_eq!(sandbox.count("SELECT count(*) FROM claims"), sum(&|s| len(&s["claims"])));
    assert_eq!(sandbox.count("SELECT count(*) FROM audits"), sum(&|s| len(&s["audits"])));
    assert_eq!(sandbox.count("SELECT count(*) FROM answers"), sum(&|s| audits(s, "answers")));
    assert_eq!(sandbox.count("SELECT count(*) FROM evidence"), sum(&|s| audits(s, "evidence")));
    assert_eq!(sandbox.count("SELECT count(*) FROM findings"), sum(&|s| audits(s, "findings")));
    let submitted = sum(&|s| s["audits"].as_array().unwrap().iter().filter(|a| a["status"] == "submitted").count());
    assert_eq!(sandbox.count("SELECT count(*) FROM audits WHERE status = 'submitted'"), submitted);
    assert_eq!(
        sandbox
            .count("SELECT count(*) FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE s.code = 'XM-FEWLOTS'"),
        43
    );
}

/// Exports the sandbox's database to `name` through the binary.
fn export(sandbox: &Sandbox, name: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["export", "-o", name];
    args.extend_from_slice(extra);
    sandbox.run(&args).assert_success();
    std::fs::read(sandbox.path(name)).expect("read the export")
}

#[test]
fn export_import_export_is_byte_identical() {
    for mode in [&[][..], &["--plain"][..]] {
        let first = Sandbox::demo();
        let exported = export(&first, "first.json", mode);
        let second = Sandbox::new();
        let copy = second.write("in.json", &exported);
        second.run(&[std::ffi::OsStr::new("import"), copy.as_os_str()]).assert_success().assert_stdout_has(
            "inserted 14 suppliers, 40 claims, 15 audits, 562 answers, 65 evidence items, 15 findings, 2203 lots",
        );
        let again = export(&second, "second.json", mode);
        assert!(
            exported == again,
            "{mode:?}: the second export differs from the first ({} vs {} bytes)",
            exported.len(),
            again.len()
        );
        assert!(exported.ends_with(b"}\n"));
    }
}

#[test]
fn the_export_gives_back_the_fixture_dossier_plus_every_lot() {
    let sandbox = Sandbox::demo();
    let mut exported: Value = serde_json::from_slice(&export(&sandbox, "all.json", &["--plain"])).unwrap();
    let lots: usize =
        exported["suppliers"].as_array().unwrap().iter().map(|s| s["lots"].as_array().unwrap().len()).sum();
    assert_eq!(lots, DEMO_LOTS);
    let mut fixture = demo_dossier();
    for doc in [&mut exported, &mut fixture] {
        for supplier in doc["suppliers"].as_array_mut().unwrap() {
            supplier.as_object_mut().unwrap().remove("lots");
        }
    }
    assert_eq!(exported, fixture);
}

#[test]
fn export_of_one_supplier_holds_only_that_one() {
    let sandbox = Sandbox::demo();
    let doc: Value =
        serde_json::from_slice(&export(&sandbox, "armor.json", &["--plain", "--supplier", "SZ-ARMOR"])).unwrap();
    assert_eq!(doc["format"], "casebook-dossier/1");
    let suppliers = doc["suppliers"].as_array().unwrap();
    assert_eq!(suppliers.len(), 1);
    assert_eq!(suppliers[0]["code"], "SZ-ARMOR");
    let expected_lots = demo_csv_lots().iter().filter(|(s, _)| s == "SZ-ARMOR").count();
    assert_eq!(suppliers[0]["lots"].as_array().unwrap().len(), expected_lots);
    let fixture = demo_dossier();
    let armor = fixture["suppliers"].as_array().unwrap().iter().find(|s| s["code"] == "SZ-ARMOR").unwrap();
    assert_eq!(suppliers[0]["audits"], armor["audits"]);
    assert_eq!(suppliers[0]["claims"], armor["claims"]);

    // Several, in any order, come out in code order.
    let two: Value =
        serde_json::from_slice(&export(&sandbox, "two.json", &["--supplier", "XM-BAMBOO", "--supplier", "DG-PRIME"]))
            .unwrap();
    let codes: Vec<&str> = two["suppliers"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DG-PRIME", "XM-BAMBOO"]);
}

#[test]
fn export_of_an_unknown_supplier_is_an_error_and_writes_no_file() {
    let sandbox = Sandbox::demo();
    let run = sandbox.run(&["export", "--supplier", "SZ-NOBODY"]);
    run.assert_failure().assert_stderr_has("casebook: error: no supplier with code `SZ-NOBODY`\n");
    assert_eq!(run.stdout, "", "no partial document on stdout");

    sandbox.run(&["export", "--supplier", "SZ-NOBODY", "-o", "out.json"]).assert_failure();
    assert!(!sandbox.path("out.json").exists());

    // An existing output file is left as it was.
    sandbox.write("keep.json", "previous export\n");
    sandbox.run(&["export", "--supplier", "SZ-ARMOR", "--supplier", "SZ-NOBODY", "-o", "keep.json"]).assert_failure();
    assert_eq!(std::fs::read_to_string(sandbox.path("keep.json")).unwrap(), "previous export\n");
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A rule the schema holds (a CHECK, key or trigger), broken in a dossier:
/// the importer must report it itself, at the field's JSON path.
struct Rule {
    what: &'static str,
    change: Box<dyn Fn(&mut Value)>,
    path: String,
    message: &'static str,
}

/// `suppliers/0/lots/0/started` → `suppliers[0].lots[0].started`.
fn json_path(pointer: &str) -> String {
    let mut path = String::new();
    for part in pointer.trim_start_matches('/').split('/') {
        if part.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(part);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
        }
    }
    path
}

/// Sets the field at `pointer` (under the first supplier) to `value`; the
/// problem is expected at that field's path plus `deeper` (for values inside it).
fn set(what: &'static str, pointer: &str, value: Value, deeper: &str, message: &'static str) -> Rule {
    let pointer = format!("/suppliers/0/{pointer}");
    let path = json_path(&pointer) + deeper;
    Rule {
        what,
        change: Box::new(move |doc| {
            let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
            let object = doc.pointer_mut(parent).and_then(Value::as_object_mut);
            object.unwrap_or_else(|| panic!("no object at {parent}")).insert(key.to_owned(), value.clone());
        }),
        path,
        message,
    }
}

const NOT_VALID: &str = "is not valid; expected one of:";
const NOT_A_CODE: &str = "is not a valid code";
const BLANK: &str = "is required and must not be blank";
const NOT_REAL: &str = "is not a real calendar date";
const NOT_ISO: &str = "is not a date; expected YYYY-MM-DD";

/// Rules of suppliers and claims.
fn supplier_rules() -> Vec<Rule> {
    vec![
        set("suppliers.code shape", "code", json!("SZ ARMOR"), "", NOT_A_CODE),
        set("suppliers.code not empty", "code", json!(""), "", NOT_A_CODE),
        set("suppliers.name not blank", "name", json!("  "), "", BLANK),
        set("suppliers.country lower case", "country", json!("cn"), "", "is not a country code"),
        set("suppliers.country 3 letters", "country", json!("CHN"), "", "is not a country code"),
        set("suppliers.business_type enumeration", "business_type", json!("factory"), "", NOT_VALID),
        set("suppliers models enumeration", "models", json!(["xdm"]), "[0]", NOT_VALID),
        set("suppliers.moq > 0", "moq", json!(0), "", "is out of range; expected a whole number from 1"),
        set("suppliers.dev_lead_days > 0", "dev_lead_days", json!(-5), "", "must not be negative"),
        set("claims.capability enumeration", "claims/0/capability", json!("magic"), "", NOT_VALID),
        set("claims.source enumeration", "claims/0/source", json!("tv"), "", NOT_VALID),
        set("claims.stated_on real date", "claims/0/stated_on", json!("2026-02-30"), "", NOT_REAL),
        set("claims.retired_on >= stated_on", "claims/0/retired_on", json!("2025-01-01"), "", "is before stated_on"),
    ]
}

/// Rules of audits and what is filed under them.
fn audit_rules() -> Vec<Rule> {
    let template = "is not a known checklist template; expected one of: odm-capability/1";
    let taken = "audit `A-2026-026` is already on file for supplier `DG-FOLIO`; audit ids are unique across suppliers";
    let question = "is not a question of the audit's template; expected one of its 41 codes";
    let closure = "a closed finding needs `closed_on` and `closure`";
    let mut rules = vec![
        set("audits.kind enumeration", "audits/0/kind", json!("remote"), "", NOT_VALID),
        set("audits.status enumeration", "audits/0/status", json!("done"), "", NOT_VALID),
        set("audits.visited_on ISO date", "audits/0/visited_on", json!("20260201"), "", NOT_ISO),
        set("audits.auditor not blank", "audits/0/auditor", json!(" "), "", BLANK),
        set("audits.ref trimmed", "audits/0/id", json!(" T-A1"), "", NOT_A_CODE),
        set("audits.template foreign key", "audits/0/template", json!("nope/1"), "", template),
        set("audits.ref UNIQUE across suppliers", "audits/0/id", json!("A-2026-026"), "", taken),
        set("audits.amends a known audit", "audits/0/amends", json!("A-NOWHERE"), "", "which is not on file"),
        set("evidence.pillar enumeration", "audits/0/evidence/0/pillar", json!("vibes"), "", NOT_VALID),
        set("evidence.kind enumeration", "audits/0/evidence/0/kind", json!("selfie"), "", NOT_VALID),
        set("evidence.strength enumeration", "audits/0/evidence/0/strength", json!("strong"), "", NOT_VALID),
        set("evidence.collected_on real date", "audits/0/evidence/0/collected_on", json!("2026-02-29"), "", NOT_REAL),
        set("evidence.description not blank", "audits/0/evidence/0/description", json!(""), "", BLANK),
        set("answers.result enumeration", "audits/0/answers/0/result", json!("maybe"), "", NOT_VALID),
        set("answers question foreign key", "audits/0/answers/0/question", json!("ZZ-99"), "", question),
        set("findings.severity enumeration", "audits/0/findings/0/severity", json!("huge"), "", NOT_VALID),
        set("findings.due_on ISO date", "audits/0/findings/0/due_on", json!("2026-3-3"), "", NOT_ISO),
        set("findings.description not blank", "audits/0/findings/0/description", json!(" "), "", BLANK),
        set("finding_closures.closed_on real date", "audits/0/findings/0/closed_on", json!("2026-02-31"), "", NOT_REAL),
    ];
    // A blank closure is reported on `status`, which asks for it.
    let mut blank = set("finding_closures.evidence not blank", "audits/0/findings/0/closure", json!(" "), "", closure);
    blank.path = "suppliers[0].audits[0].findings[0].status".into();
    rules.push(blank);
    rules.push(Rule {
        what: "audits: an amendment must reference a submitted audit",
        change: Box::new(|doc| {
            let audits = doc.pointer_mut("/suppliers/0/audits").and_then(Value::as_array_mut).expect("audits");
            audits[0]["status"] = json!("draft");
            let mut amendment = audits[0].clone();
            amendment["id"] = json!("T-A2");
            amendment["status"] = json!("submitted");
            amendment["amends"] = audits[0]["id"].clone();
            audits.push(amendment);
        }),
        path: "suppliers[0].audits[1].amends".into(),
        message: "which is a draft; only a submitted audit can be amended",
    });
    rules
}

/// Rules of lots and their defect counts.
fn lot_rules() -> Vec<Rule> {
    let whole = "expected a whole number of defects, 0 or more, found";
    let mut rules = vec![
        set("lots.process enumeration", "lots/0/process", json!("welding"), "", NOT_VALID),
        set("lots.produced_on real date", "lots/0/produced_on", json!("2026-02-30"), "", NOT_REAL),
        set("lots.produced_on ISO date", "lots/0/produced_on", json!("2026-1-5"), "", NOT_ISO),
        set("lots.started > 0", "lots/0/started", json!(0), "", "must be at least 1"),
        set("lots.started non-negative", "lots/0/started", json!(-100), "", "must not be negative"),
        set("lots.reworked non-negative", "lots/0/reworked", json!(-1), "", "must not be negative"),
        set("lots.passed_first <= started", "lots/0/passed_first", json!(101), "", "is more than started (100)"),
        set("lots p_f + scrapped <= started", "lots/0/scrapped", json!(11), "", "passed_first + scrapped = 101"),
        set("lots.lot not empty", "lots/0/lot", json!(""), "", BLANK),
        set("lots.defects negative", "lots/0/defects", json!({"bubble": -1}), ".bubble", whole),
        set("lots.defects decimal", "lots/0/defects", json!({"bubble": 1.5}), ".bubble", whole),
        set("lots.defects string value", "lots/0/defects", json!({"bubble": "3"}), ".bubble", whole),
        set("lots.defects boolean value", "lots/0/defects", json!({"bubble": true}), ".bubble", whole),
        set(
            "lots.defects lower-case code",
            "lots/0/defects",
            json!({"Bubble": 1}),
            ".Bubble",
            "not a valid defect code",
        ),
        set("lots.defects an object", "lots/0/defects", json!("bubble"), "", "expected an object, found a string"),
    ];
    rules.push(Rule {
        what: "UNIQUE (supplier_id, lot) within one supplier",
        change: Box::new(|doc| {
            let lots = doc.pointer_mut("/suppliers/0/lots").and_then(Value::as_array_mut).expect("lots");
            lots.push(lots[0].clone());
        }),
        path: "suppliers[0].lots[1].lot".into(),
        message: "appears twice in this supplier's lots (first at lots[0])",
    });
    rules
}

fn schema_rules() -> Vec<Rule> {
    [supplier_rules(), audit_rules(), lot_rules()].into_iter().flatten().collect()
}

#[test]
fn the_importer_states_every_schema_rule_before_sqlite_would() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let mut store = sandbox.store();
    for rule in schema_rules() {
        let mut doc = dossier(vec![new_supplier("T-NEW")]);
        (rule.change)(&mut doc);
        let report = exchange::import_bytes(&mut store, "rule.json", &bytes(&doc), "tester", ImportOptions::default())
            .unwrap_or_else(|e| panic!("{}: a database error reached the caller: {e}", rule.what));
        assert!(!report.committed, "{}: committed", rule.what);
        assert_eq!(report.problems.len(), 1, "{}: {:?}", rule.what, report.problems);
        let problem = &report.problems[0];
        assert_eq!(problem.at, Location::Path(rule.path.clone()), "{}: {problem}", rule.what);
        assert!(problem.message.contains(rule.message), "{}: {problem}", rule.what);
        assert!(!problem.message.contains("constraint failed"), "{}: SQLite's words: {problem}", rule.what);
    }
    drop(store);
    sandbox.assert_unchanged(&before);
}

#[test]
fn a_blank_closed_by_is_reported_by_the_importer() {
    let sandbox = Sandbox::demo();
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    doc["suppliers"][0]["audits"][0]["findings"][0]["closed_by"] = json!("  ");
    let mut store = sandbox.store();
    let report = exchange::import_bytes(&mut store, "blank.json", &bytes(&doc), "tester", ImportOptions::default())
        .expect("a problem in the report, not a database error");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].at, Location::Path("suppliers[0].audits[0].findings[0].closed_by".into()));
}

#[test]
fn zero_defect_counts_are_left_out_of_the_stored_json() {
    let sandbox = Sandbox::demo();
    let mut doc = dossier(vec![new_supplier("T-NEW")]);
    doc["suppliers"][0]["lots"][0]["defects"] = json!({"tear": 0, "flash": 3, "bubble": 0});
    let mut second = doc["suppliers"][0]["lots"][0].clone();
    second["lot"] = json!("T-L2");
    second["defects"] = json!({"bubble": 0});
    doc["suppliers"][0]["lots"].as_array_mut().unwrap().push(second);
    let report = sandbox.import_bytes("zero.json", &bytes(&doc));
    assert!(report.committed, "{:?}", report.problems);
    let stored: Vec<(String, Option<String>)> = sandbox
        .sql()
        .prepare("SELECT lot, defects FROM lots WHERE lot LIKE 'T-L%' ORDER BY lot")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, [("T-L1".into(), Some(r#"{"flash":3}"#.into())), ("T-L2".into(), None)]);
}

#[test]
fn a_dossier_repeating_a_supplier_names_both_places() {
    assert_refused(
        "twice.json",
        bytes(&dossier(vec![new_supplier("T-NEW"), new_supplier("T-NEW")])),
        &["suppliers[1].code: supplier `T-NEW` appears twice in this file (first at suppliers[0])"],
        1,
    );
}
