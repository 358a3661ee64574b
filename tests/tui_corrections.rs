//! Corrections an auditor makes in the field (issue 12, §2), through the
//! UI's keys and checked in the database and its history: evidence and
//! findings of a draft edited, the draft's header corrected, a note
//! written before the question is answered, a submitted audit amended from
//! the Audits pane, and the supplier's notes shown.

#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::{Demo, count, press, text, value};

const W: u16 = 120;
const H: u16 = 40;
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";
const LAST_AUDIT: &str = "(SELECT max(id) FROM audits)";

/// `field: old → new` of the history rows whose key starts with `key`, oldest first.
fn changes(demo: &Demo, key: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(demo.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT field || ': ' || ifnull(old_value, '—') || ' → ' || ifnull(new_value, '—') FROM history
             WHERE action = 'update' AND entity_key LIKE ?1 || '%' AND field IS NOT NULL ORDER BY id",
        )
        .unwrap();
    stmt.query_map([key], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn reference(demo: &Demo) -> String {
    value(demo, &format!("SELECT ref FROM audits WHERE id = {LAST_AUDIT}"))
}

#[test]
fn draft_evidence_and_findings_are_edited_with_history() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}e<Tab><Tab><Tab><Tab>Peel tests<Enter>"));
    press(&mut app, "f<Tab>No peel-test record<Enter>");
    // Evidence pane: Enter edits the selected item.
    press(&mut app, "2<Enter>");
    assert!(text(&app, W, H).contains("Edit evidence"));
    press(&mut app, "<Tab><Tab><Right><Tab><Tab><C-u>Peel tests, 12 batches, log photographed<Enter>");
    let sql = format!("SELECT strength || '|' || description FROM evidence WHERE audit_id = {LAST_AUDIT}");
    assert_eq!(value(&demo, &sql), "document|Peel tests, 12 batches, log photographed");
    // Findings pane: Enter edits the selected finding.
    press(&mut app, "3<Enter><Left><Tab><Tab>factory QA<Enter>");
    let sql = format!("SELECT severity || '|' || owner FROM findings WHERE audit_id = {LAST_AUDIT}");
    assert_eq!(value(&demo, &sql), "critical|factory QA");
    let r = reference(&demo);
    assert_eq!(
        changes(&demo, &format!("{r} ")),
        [
            "strength: observed → document",
            "description: Peel tests → Peel tests, 12 batches, log photographed",
            "severity: major → critical",
            "owner: — → factory QA",
        ]
    );
    // The supplier's History pane shows them.
    press(&mut app, "<Esc>6");
    let screen = text(&app, W, H);
    assert!(screen.contains("severity: major → critical"), "{screen}");
}

#[test]
fn the_draft_header_is_corrected_with_history() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}E"));
    assert!(text(&app, W, H).contains("Correct the audit's header"));
    press(&mut app, "<C-u>wang.fang<Tab><C-u>2026-11-14<Tab>Moulding floor and QC lab<Enter>");
    let sql = format!("SELECT auditor || '|' || visited_on || '|' || summary FROM audits WHERE id = {LAST_AUDIT}");
    assert_eq!(value(&demo, &sql), "wang.fang|2026-11-14|Moulding floor and QC lab");
    let r = reference(&demo);
    let mut rows = changes(&demo, &r);
    rows.sort();
    assert_eq!(
        rows,
        [
            "auditor: tester → wang.fang",
            "summary: — → Moulding floor and QC lab",
            "visited_on: 2026-11-15 → 2026-11-14"
        ]
    );
    assert!(text(&app, W, H).contains("visited 2026-11-14 · wang.fang"));
}

#[test]
fn a_note_is_written_before_the_answer_and_kept_with_it() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}<Enter>"));
    let screen = text(&app, W, H);
    assert!(screen.contains("Note on LG-01") && screen.contains("not answered yet"), "{screen}");
    press(&mut app, "Licence seen at reception<Enter>");
    assert_eq!(count(&demo, "SELECT count(*) FROM answers WHERE audit_id = (SELECT max(id) FROM audits)"), 0);
    assert!(text(&app, W, H).contains("Licence seen at reception"), "the note shows before the answer");
    press(&mut app, "y");
    let sql = format!("SELECT result || '|' || note FROM answers WHERE audit_id = {LAST_AUDIT} AND question = 'LG-01'");
    assert_eq!(value(&demo, &sql), "yes|Licence seen at reception");
    assert_eq!(count(&demo, "SELECT count(*) FROM question_notes"), 0);
}

#[test]
fn a_submitted_audit_is_amended_from_the_audits_pane() {
    let demo = Demo::new();
    let mut app = demo.app();
    // SZ-RUGGED's audits: A-2026-012 (submitted), then its amendment A-2026-019.
    press(&mut app, "/rugged<Enter><Enter>3<Home>A");
    let screen = text(&app, W, H);
    assert!(screen.contains("Amend audit A-2026-012") && screen.contains("answers are copied"), "{screen}");
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("(draft)") && screen.contains("of SZ-RUGGED"), "the editor opens on it\n{screen}");
    let amends =
        value(&demo, &format!("SELECT o.ref FROM audits a JOIN audits o ON o.id = a.amends WHERE a.id = {LAST_AUDIT}"));
    assert_eq!(amends, "A-2026-012");
    let copied = count(&demo, &format!("SELECT count(*) FROM answers WHERE audit_id = {LAST_AUDIT}"));
    let original =
        count(&demo, "SELECT count(*) FROM answers WHERE audit_id = (SELECT id FROM audits WHERE ref = 'A-2026-012')");
    assert!(copied > 0 && copied == original, "{copied} of {original} answers copied");
    // A draft is not amended: it is opened and changed.
    press(&mut app, "<Esc>3<End>A");
    assert!(text(&app, W, H).contains("is a draft"));
}

#[test]
fn the_supplier_screen_shows_its_notes() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(
        &mut app,
        "/armor<Enter><Enter>e<Tab><Tab><Tab><Tab><Tab><Tab><Tab><C-u>Visited twice; owner speaks English<Enter>",
    );
    let screen = text(&app, W, H);
    assert!(screen.contains("notes: Visited twice; owner speaks English"), "{screen}");
}
