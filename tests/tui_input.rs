//! The input bugs that changed data (issue 12, §1), each through the keys
//! and pastes a user sends: a multi-line paste into a note stays in the
//! note (and never answers a question), a large paste is one event, Tab
//! visits exactly the fields shown, Space never changes a choice, `/`
//! filters every list (so typing `/quality` answers nothing and never
//! quits). Each is checked in the database, not only on screen.

#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::{Demo, count, paste, press, text, value};

const W: u16 = 120;
const H: u16 = 40;

/// A new draft audit of SZ-ARMOR, in the editor.
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";
const LAST_AUDIT: &str = "(SELECT max(id) FROM audits)";

fn answers(demo: &Demo) -> i64 {
    count(demo, &format!("SELECT count(*) FROM answers WHERE audit_id = {LAST_AUDIT}"))
}

#[test]
fn a_multi_line_paste_goes_into_the_note_and_answers_nothing() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}y<Up><Enter>"));
    paste(&mut app, "Licence seen at reception.\nno problems found\npartially translated");
    let screen = text(&app, W, H);
    assert!(screen.contains("no problems found") && screen.contains("partially translated"), "{screen}");
    press(&mut app, "<Enter>");
    let note = value(&demo, &format!("SELECT note FROM answers WHERE audit_id = {LAST_AUDIT} AND question = 'LG-01'"));
    assert_eq!(note, "Licence seen at reception.\nno problems found\npartially translated");
    // LG-01 stays yes; nothing else was answered, no form opened.
    assert_eq!(answers(&demo), 1);
    let result = value(&demo, &format!("SELECT result FROM answers WHERE audit_id = {LAST_AUDIT}"));
    assert_eq!(result, "yes");
    assert!(app.popup().is_none(), "no lot form or anything else opened");
}

#[test]
fn a_paste_where_keys_act_is_ignored() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, EDITOR);
    paste(&mut app, "no problems\nlot 24-117 partially");
    assert_eq!(answers(&demo), 0, "a paste on the checklist answered something");
    assert!(app.popup().is_none() && app.is_running());
    // On the list, too: nothing marked, nothing opened.
    press(&mut app, "<Esc><Esc>");
    paste(&mut app, "mmq");
    assert!(app.is_running() && app.popup().is_none());
    assert_eq!(count(&demo, "SELECT count(*) FROM shortlist"), 0);
}

#[test]
fn a_multi_line_paste_into_a_one_line_field_is_refused_with_a_message() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "nSZ-PASTE<Tab>");
    paste(&mut app, "Paste Works\nLine two");
    let screen = text(&app, W, H);
    assert!(screen.contains("takes one line"), "{screen}");
    press(&mut app, "Paste Works<Tab>CN<Enter>");
    assert_eq!(value(&demo, "SELECT name FROM suppliers WHERE code = 'SZ-PASTE'"), "Paste Works");
}

#[test]
fn a_large_paste_is_one_event_and_enter_saves_it_at_once() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}y<Up><Enter>"));
    let big: String = "0123456789".repeat(1000);
    paste(&mut app, &big);
    press(&mut app, "<Enter>");
    let sql = format!("SELECT length(note) FROM answers WHERE audit_id = {LAST_AUDIT} AND question = 'LG-01'");
    assert_eq!(count(&demo, &sql), 10_000, "saved by the first Enter");
    assert_eq!(answers(&demo), 1);
}

#[test]
fn tab_moves_through_exactly_the_fields_shown() {
    let demo = Demo::new();
    let mut app = demo.app();
    // Auditor, Visited on, Kind, Checklist (read-only), Summary: four Tabs to the summary.
    press(&mut app, "/armor<Enter><Enter>a<Tab><Tab><Tab>");
    assert!(text(&app, W, H).contains("read-only"), "the checklist takes the focus and says it is read-only");
    press(&mut app, "x");
    assert!(text(&app, W, H).contains("cannot be edited"));
    press(&mut app, "<Tab>Reception and moulding floor<Enter>");
    let sql = format!("SELECT auditor || '|' || ifnull(summary, '') FROM audits WHERE id = {LAST_AUDIT}");
    assert_eq!(value(&demo, &sql), "tester|Reception and moulding floor");
}

#[test]
fn space_never_changes_a_choice() {
    let demo = Demo::new();
    let mut app = demo.app();
    // The evidence form opens on the pillar; Space and a letter there change nothing.
    press(&mut app, &format!("{EDITOR}e m<Tab> d<Tab><Tab><Tab>Peel tests<Enter>"));
    let sql = format!("SELECT pillar || '|' || kind FROM evidence WHERE audit_id = {LAST_AUDIT}");
    assert_eq!(value(&demo, &sql), "material_compatibility|test_report");
}

#[test]
fn slash_filters_the_checklist_and_typing_answers_nothing() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}/quality"));
    assert!(app.is_running(), "typing /quality quit");
    assert_eq!(answers(&demo), 0, "the letters answered questions");
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("/ quality") && screen.contains("QC-01"), "{screen}");
    assert!(!screen.contains("LG-01"), "the filter keeps only quality questions\n{screen}");
    // Answering works on the filtered list, then Esc shows everything again.
    press(&mut app, "y");
    let sql = format!("SELECT question FROM answers WHERE audit_id = {LAST_AUDIT}");
    assert!(value(&demo, &sql).starts_with("QC-"), "{}", value(&demo, &sql));
    press(&mut app, "<Esc>");
    let screen = text(&app, W, H);
    assert!(!screen.contains("/ quality") && !screen.contains("of 41 questions"), "{screen}");
}

#[test]
fn slash_filters_every_pane_of_the_supplier_screen_and_the_violations() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/swing<Enter><Enter>6/create<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("/ create"), "{screen}");
    assert!(!screen.contains("update supplier"), "{screen}");
    press(&mut app, "3/zzz-nothing<Enter>");
    assert!(text(&app, W, H).contains("Nothing here matches the filter"));
    press(&mut app, "<Esc>");
    assert!(!text(&app, W, H).contains("Nothing here matches"));
    // The Yield screen's violations.
    press(&mut app, "<Esc>y");
    assert!(text(&app, W, H).contains("beyond 3σ"));
    press(&mut app, "/9 in<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("/ 9 in:") && screen.contains("9 in a row"), "{screen}");
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("│SW")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|l| l.ends_with("9 in a row")), "only nine-in-a-row lots\n{screen}");
}
