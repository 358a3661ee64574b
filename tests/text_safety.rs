//! Text in and out, through the binary: one text rule for every way in (the
//! `audit` commands and `--auditor` as the importers), so escape sequences
//! and bidi overrides are refused at the door; every CLI output shows the
//! control characters an older database may still hold as escapes; CSV
//! outputs neutralise formula cells (OWASP); the Markdown export carries no
//! markup, HTML or script links; and the dossier importer refuses a JSON
//! key given twice, with its path, and accepts a byte order mark.

#![allow(clippy::unwrap_used)]

mod common;

use common::{LOT_HEADER, Sandbox, assert_refused, lot_row};
use serde_json::json;

const ESC: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

fn no_escapes(text: &str) {
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'), "raw control: {text:?}");
}

#[test]
fn the_audit_commands_refuse_escape_sequences_like_the_importers() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let summary = format!("fine{ESC}");
    sandbox
        .run(&["audit", "new", "SZ-ARMOR", "--visited", "2026-11-01", "--summary", &summary])
        .assert_failure()
        .assert_stderr_has("--summary: ")
        .assert_stderr_has("contains a control character (U+001B)");
    let auditor = format!("eve{ESC}");
    let run = sandbox.run(&["--auditor", &auditor, "audit", "new", "SZ-ARMOR", "--visited", "2026-11-01"]);
    run.assert_failure().assert_stderr_has("--auditor");
    no_escapes(&run.stderr);
    sandbox.assert_unchanged(&before);
    let reference = sandbox.run(&["audit", "new", "SZ-ARMOR", "--visited", "2026-11-01"]).stdout.trim().to_owned();
    let before = sandbox.snapshot();
    let note = format!("ok{ESC}");
    sandbox
        .run(&["audit", "answer", &reference, "LG-01", "yes", "--note", &note])
        .assert_failure()
        .assert_stderr_has("--note: ");
    let evidence = [
        "audit",
        "evidence",
        &reference,
        "--pillar",
        "dfm_evaluation",
        "--kind",
        "dfm_report",
        "--strength",
        "document",
    ];
    let bidi = "report \u{202e}fdp.exe";
    sandbox
        .run(&[&evidence[..], &["--description", bidi]].concat())
        .assert_failure()
        .assert_stderr_has("--description: ")
        .assert_stderr_has("bidirectional-text override (U+202E)");
    let owner = format!("QA{ESC}");
    let finding = ["audit", "finding", &reference, "--severity", "minor", "--description", "d", "--owner", &owner];
    sandbox.run(&finding).assert_failure().assert_stderr_has("--owner: ");
    sandbox.assert_unchanged(&before);
}

/// A database written before the text rule: names, notes and history rows
/// holding escape sequences, put there with raw SQL.
fn poisoned() -> (Sandbox, String) {
    let sandbox = Sandbox::demo();
    let reference = sandbox.run(&["audit", "new", "SZ-ARMOR", "--visited", "2026-11-01"]).stdout.trim().to_owned();
    sandbox.run(&["audit", "answer", &reference, "LG-01", "yes", "--note", "fine"]).assert_success();
    let sql = sandbox.sql();
    sql.execute("UPDATE suppliers SET name = ?1 WHERE code = 'SZ-ARMOR'", [format!("Armor{ESC}")]).unwrap();
    sql.execute(
        "UPDATE answers SET note = ?1 WHERE audit_id = (SELECT id FROM audits WHERE ref = ?2)",
        [format!("note{ESC}\u{202e}"), reference.clone()],
    )
    .unwrap();
    sql.execute("UPDATE audits SET auditor = ?1 WHERE ref = ?2", [format!("eve{ESC}"), reference.clone()]).unwrap();
    sql.execute(
        "INSERT INTO history (at, actor, supplier_id, entity, entity_key, action, new_value, chain_hash, gid)
         SELECT '2026-11-20T10:00:00Z', ?1, id, 'supplier', code, 'update', ?1, printf('%064d', 0),
                '0190f3c2-0000-7000-8000-000000000001'
         FROM suppliers WHERE code = 'SZ-ARMOR'",
        [format!("mallory{ESC}")],
    )
    .unwrap();
    (sandbox, reference)
}

#[test]
fn every_cli_output_shows_stored_control_characters_as_escapes() {
    let (sandbox, reference) = poisoned();
    let outputs = [
        vec!["history", "SZ-ARMOR"],
        vec!["audit", "show", &reference],
        vec!["suppliers"],
        vec!["--as-of", "2026-11-15", "explain", "SZ-ARMOR"],
        vec!["--as-of", "2026-11-15", "flags"],
        vec!["suppliers", "--format", "csv"],
    ];
    for args in outputs {
        let run = sandbox.run(&args);
        run.assert_success();
        no_escapes(&run.stdout);
        no_escapes(&run.stderr);
    }
    let history = sandbox.run(&["history", "SZ-ARMOR"]);
    history.assert_stdout_has("mallory\\u{1b}]0;pwned\\u{7}");
    sandbox.run(&["audit", "show", &reference]).assert_stdout_has("note\\u{1b}");
}

#[test]
fn error_messages_quote_csv_headers_and_json_keys_without_control_characters() {
    let sandbox = Sandbox::demo();
    sandbox.write("h.csv", format!("{LOT_HEADER},colour{ESC}\n{},red\n", lot_row("SZ-ARMOR", "T-1")));
    let run = sandbox.run(&["import", "h.csv"]);
    run.assert_failure().assert_stderr_has("unknown column `colour\\u{1b}");
    no_escapes(&run.stderr);
    let key = format!("colour{ESC}");
    let doc = json!({"format": "casebook-dossier/1", "suppliers": [], key: 1});
    sandbox.write("k.json", doc.to_string());
    let run = sandbox.run(&["import", "k.json"]);
    run.assert_failure().assert_stderr_has("unknown field `colour\\u{1b}");
    no_escapes(&run.stderr);
}

/// A dossier of suppliers with the given names (codes F-0, F-1, …), all
/// put on the shortlist.
fn named(sandbox: &Sandbox, names: &[&str]) {
    let suppliers: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({"code": format!("F-{i}"), "name": name, "country": "CN",
                                "business_type": "manufacturer", "models": ["oem"]})
        })
        .collect();
    sandbox.write("n.json", json!({"format": "casebook-dossier/1", "suppliers": suppliers}).to_string());
    sandbox.run(&["import", "n.json"]).assert_success();
    let codes: Vec<String> = (0..names.len()).map(|i| format!("F-{i}")).collect();
    let add: Vec<&str> = ["shortlist", "add"].into_iter().chain(codes.iter().map(String::as_str)).collect();
    sandbox.run(&add).assert_success();
}

#[test]
fn csv_outputs_neutralise_cells_a_spreadsheet_would_run() {
    let sandbox = Sandbox::empty();
    let names = ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1:A9)", "-2+3", "@cmd", "Plain Cases"];
    named(&sandbox, &names);
    let outputs = [
        sandbox.run(&["suppliers", "--format", "csv"]).stdout.clone(),
        sandbox.run(&["shortlist", "export", "--format", "csv"]).stdout.clone(),
    ];
    for csv in outputs {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let name_at = reader.headers().unwrap().iter().position(|h| h == "name").unwrap();
        let cells: Vec<String> = reader.records().map(|r| r.unwrap()[name_at].to_owned()).collect();
        for name in &names[..4] {
            assert!(cells.contains(&format!("'{name}")), "{name} not neutralised in {cells:?}");
        }
        assert!(cells.contains(&"Plain Cases".to_owned()));
    }
    // flags --format csv: the most severe flag's sentence never starts a formula either.
    let flags = sandbox.run(&["flags", "--format", "csv"]).stdout.clone();
    for record in csv::Reader::from_reader(flags.as_bytes()).records() {
        assert!(record.unwrap().iter().all(|cell| !cell.starts_with(['=', '+', '@'])));
    }
}

#[test]
fn the_markdown_export_escapes_markup_and_never_emits_script_or_links() {
    let sandbox = Sandbox::empty();
    named(&sandbox, &["<script>alert(1)</script>", "[click](javascript:alert(1))", "**loud** | cell", "A <b>&</b>"]);
    let md = sandbox.run(&["shortlist", "export", "--format", "md"]).stdout.clone();
    assert!(!md.to_ascii_lowercase().contains("<script"), "{md}");
    assert!(!md.to_ascii_lowercase().contains("javascript:"), "{md}");
    // Once escaped characters are taken out, no link, tag or emphasis is left.
    let name_row = md.lines().find(|l| l.starts_with("| name |")).unwrap();
    let bare: String = name_row
        .split('\\')
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.get(1..).unwrap_or("") })
        .collect();
    assert!(!bare.contains(['[', ']', '<', '>', '*']), "{name_row}");
    assert_eq!(bare.matches('|').count(), 6, "{name_row}");
    assert!(md.contains("&lt;script&gt;") && md.contains("\\*\\*loud\\*\\* \\| cell"), "{md}");
    // Every row keeps its columns: one per supplier, plus the heading column.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert!(rows.iter().all(|r| r.matches(" | ").count() == 4), "{md}");
}

#[test]
fn bidi_overrides_are_refused_in_lot_codes_and_names() {
    let doc = format!("{LOT_HEADER}\nSZ-ARMOR,L-\u{202e}1-TOL,S,injection,PC,2026-01-01,10,9,1,0\n");
    let problem = "line 2, field `lot`: \"L-\\u{202e}1-TOL\" contains a bidirectional-text override (U+202E), which \
                   hides what the text says";
    assert_refused("bidi.csv", doc, &[problem], 1);
    let dossier = json!({"format": "casebook-dossier/1", "suppliers": [{
        "code": "BD-1", "name": "Good \u{2067}Cases", "country": "CN", "business_type": "manufacturer", "models": []}]});
    assert_refused(
        "bidi.json",
        dossier.to_string(),
        &["suppliers[0].name: \"Good \\u{2067}Cases\" contains a bidirectional-text override (U+2067), which hides \
           what the text says"],
        1,
    );
}

#[test]
fn a_json_key_given_twice_is_refused_with_its_path() {
    let supplier = r#"{"code": "DK-1", "name": "Dup", "country": "CN", "business_type": "manufacturer", "models": []}"#;
    let other = r#"{"code": "DK-2", "name": "Dup", "country": "CN", "business_type": "manufacturer", "models": []}"#;
    let doc = format!(r#"{{"format": "casebook-dossier/1", "suppliers": [{supplier}], "suppliers": [{other}]}}"#);
    assert_refused(
        "dup.json",
        doc,
        &["suppliers: is given twice in the same object; a JSON key may appear only once"],
        1,
    );
    let lot = r#"{"lot": "D-1", "sku": "S", "process": "other", "material": "PC", "produced_on": "2026-01-01",
                  "started": 10, "passed_first": 9, "passed_first": 10, "reworked": 0, "scrapped": 0}"#;
    let doc = format!(
        r#"{{"format": "casebook-dossier/1", "suppliers": [{{"code": "DK-3", "name": "Dup", "name": "Dup",
            "country": "CN", "business_type": "manufacturer", "models": [], "lots": [{lot}]}}]}}"#
    );
    assert_refused(
        "dup-nested.json",
        doc,
        &[
            "suppliers[0].name: is given twice in the same object; a JSON key may appear only once",
            "suppliers[0].lots[0].passed_first: is given twice in the same object; a JSON key may appear only once",
        ],
        1,
    );
}

#[test]
fn a_byte_order_mark_is_accepted_in_json_as_in_csv() {
    let sandbox = Sandbox::empty();
    let doc = json!({"format": "casebook-dossier/1", "suppliers": [{"code": "BOM-1", "name": "Bom", "country": "CN",
        "business_type": "manufacturer", "models": []}]});
    sandbox.write("bom.json", format!("\u{feff}{doc}"));
    sandbox.run(&["import", "bom.json"]).assert_success().assert_stdout_has("inserted 1 supplier");
}
