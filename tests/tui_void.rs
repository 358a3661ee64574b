//! Voiding from the UI (issue 12, §2): a claim from the Claims pane, a lot
//! from the Yield screen, a draft's evidence item and finding from the
//! editor's panes: a reason asked (required, checked as typed), a
//! confirmation saying what will be voided, then the row marked in the
//! database (who, when, why) with a history row, shown as voided and left
//! out of what counts. A submitted audit's item is refused in the store's words.

#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::{Demo, count, press, text, value};

const W: u16 = 120;
const H: u16 = 40;
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";
const LAST_AUDIT: &str = "(SELECT max(id) FROM audits)";

/// `action entity key: new` of the void rows in history, oldest first.
fn void_history(demo: &Demo) -> Vec<String> {
    let conn = rusqlite::Connection::open(demo.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT actor || ' ' || entity || ' ' || entity_key || ': ' || new_value FROM history
             WHERE action = 'void' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// The number before ` lots` on the Yield screen's summary line.
fn charted_lots(screen: &str) -> usize {
    let line = screen.lines().find(|l| l.contains(" lots · FPY")).unwrap();
    line.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn a_claim_is_voided_from_the_claims_pane_after_a_reason_and_a_confirmation() {
    let demo = Demo::new();
    let mut app = demo.app();
    // SZ-ARMOR's first claim, by statement day: feasibility (catalogue, 2025-06-01).
    let id = count(
        &demo,
        "SELECT min(c.id) FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE s.code = 'SZ-ARMOR'",
    );
    press(&mut app, "/armor<Enter><Enter>X");
    assert!(text(&app, W, H).contains("Select a claim in the Claims pane"), "X outside the Claims pane explains");
    // The claims × pillars matrix has a feasibility row, which the void removes.
    let matrix_row = |screen: &str| screen.lines().any(|l| l.starts_with("feasibility") && l.contains("evidenced"));
    assert!(matrix_row(&text(&app, W, H)));
    press(&mut app, "<Enter>5X");
    let screen = text(&app, W, H);
    assert!(screen.contains(&format!("Void claim {id}")) && screen.contains("feasibility (catalogue"), "{screen}");
    // The reason is required: a blank one is refused on the form as typed.
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("required"), "{screen}");
    press(&mut app, "Stated by the agent, not the factory<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains(&format!("Void claim {id}?")), "a confirmation comes first\n{screen}");
    assert!(
        screen.contains("reason: Stated by the agent, not the factory") && screen.contains("never undone"),
        "{screen}"
    );
    // n goes back to the reason, nothing written.
    press(&mut app, "n");
    assert!(text(&app, W, H).contains(&format!("Void claim {id}")));
    assert_eq!(count(&demo, "SELECT count(*) FROM claims WHERE voided_at IS NOT NULL"), 0);
    press(&mut app, "<Enter>y");
    let row = value(&demo, &format!("SELECT voided_by || '|' || void_reason FROM claims WHERE id = {id}"));
    assert_eq!(row, "tester|Stated by the agent, not the factory");
    assert_eq!(count(&demo, &format!("SELECT count(*) FROM claims WHERE id = {id} AND voided_at IS NOT NULL")), 1);
    assert_eq!(
        void_history(&demo),
        [format!("tester claim {id} feasibility (catalogue, 2025-06-01): Stated by the agent, not the factory")]
    );
    let screen = text(&app, W, H);
    assert!(screen.contains("voided by tester: Stated by the agent"), "shown voided in the pane\n{screen}");
    assert!(!matrix_row(&screen), "the verdict no longer counts the claim\n{screen}");
    // Voiding it again says so, and asks nothing.
    press(&mut app, "X");
    assert!(text(&app, W, H).contains("This claim was voided on"));
    press(&mut app, "<Enter>r");
    assert!(text(&app, W, H).contains("This claim is voided"), "a voided claim is not retired");
}

#[test]
fn a_lot_is_voided_from_the_yield_screen_and_leaves_the_chart() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>y");
    let before = charted_lots(&text(&app, W, H));
    // The cursor starts on the latest lot.
    let lot = value(
        &demo,
        "SELECT max(lot) FROM lots l JOIN suppliers s ON s.id = l.supplier_id
         WHERE s.code = 'SZ-ARMOR' AND produced_on = (SELECT max(produced_on) FROM lots WHERE supplier_id = s.id)",
    );
    press(&mut app, "X");
    let screen = text(&app, W, H);
    assert!(screen.contains(&format!("Void lot {lot}")) && screen.contains("of SZ-ARMOR, produced"), "{screen}");
    press(&mut app, "Counts typed from the wrong sheet<Enter>");
    assert!(text(&app, W, H).contains(&format!("Void lot {lot}?")));
    press(&mut app, "y");
    let row = value(&demo, &format!("SELECT voided_by || '|' || void_reason FROM lots WHERE lot = '{lot}'"));
    assert_eq!(row, "tester|Counts typed from the wrong sheet");
    assert_eq!(void_history(&demo), [format!("tester lot {lot}: Counts typed from the wrong sheet")]);
    let screen = text(&app, W, H);
    assert_eq!(charted_lots(&screen), before - 1, "the voided lot leaves the chart\n{screen}");
    assert!(screen.contains(&format!("voided, left out: {lot} (Counts typed from the wrong sheet)")), "{screen}");
}

#[test]
fn a_draft_s_evidence_item_and_finding_are_voided_from_their_panes() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}e<Tab><Tab><Tab><Tab>Peel tests<Enter>"));
    press(&mut app, "f<Tab>No peel-test record<Enter>");
    let evidence = count(&demo, &format!("SELECT id FROM evidence WHERE audit_id = {LAST_AUDIT}"));
    let finding = count(&demo, &format!("SELECT id FROM findings WHERE audit_id = {LAST_AUDIT}"));
    let reference = value(&demo, &format!("SELECT ref FROM audits WHERE id = {LAST_AUDIT}"));
    press(&mut app, "2X");
    let screen = text(&app, W, H);
    assert!(screen.contains(&format!("Void evidence item {evidence}")) && screen.contains("Peel tests"), "{screen}");
    press(&mut app, "Seen at the other factory<Enter>y");
    let row = value(&demo, &format!("SELECT voided_by || '|' || void_reason FROM evidence WHERE id = {evidence}"));
    assert_eq!(row, "tester|Seen at the other factory");
    let screen = text(&app, W, H);
    assert!(
        screen.contains("Voided (on file, counted nowhere)") && screen.contains("voided: Seen at the other"),
        "{screen}"
    );
    assert!(screen.contains("No evidence yet"), "the live list is empty\n{screen}");
    // The finding, with Delete.
    press(&mut app, "3<Del>");
    assert!(text(&app, W, H).contains(&format!("Void finding {finding}")));
    press(&mut app, "Raised twice<Enter>y");
    let row = value(&demo, &format!("SELECT voided_by || '|' || void_reason FROM findings WHERE id = {finding}"));
    assert_eq!(row, "tester|Raised twice");
    let screen = text(&app, W, H);
    assert!(screen.contains("voided: Raised twice") && screen.contains("No findings"), "{screen}");
    assert_eq!(
        void_history(&demo),
        [
            format!("tester evidence {reference} evidence item {evidence}: Seen at the other factory"),
            format!("tester finding {reference} finding {finding}: Raised twice"),
        ]
    );
}

#[test]
fn an_item_of_an_audit_submitted_meanwhile_is_refused_in_the_store_s_words() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}e<Tab><Tab><Tab><Tab>Peel tests<Enter>2"));
    let reference = value(&demo, &format!("SELECT ref FROM audits WHERE id = {LAST_AUDIT}"));
    // Another auditor submits the draft from the command line while the editor is open.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["audit", "submit", &reference, "--as-of", "2026-11-15", "--auditor", "other", "--db"])
        .arg(demo.db())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    press(&mut app, "XWrong factory<Enter>y");
    let screen = text(&app, W, H);
    assert!(screen.contains("Not voided"), "{screen}");
    assert!(screen.contains(&format!("belongs to audit {reference}, which is")), "{screen}");
    assert!(screen.contains("submitted and sealed: it cannot be voided"), "{screen}");
    assert_eq!(count(&demo, "SELECT count(*) FROM evidence WHERE voided_at IS NOT NULL"), 0);
    assert!(void_history(&demo).is_empty());
}

#[test]
fn the_sealed_audit_lists_what_was_voided_while_it_was_a_draft() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}f<Tab>Raised on the wrong supplier<Enter>3XMeant for SZ-OTHER<Enter>y"));
    press(&mut app, "S<Enter><Esc>G");
    let screen = text(&app, W, H);
    assert!(screen.contains("Voided before submission"), "{screen}");
    assert!(screen.contains("Raised on the wrong supplier") && screen.contains(": Meant for SZ-OTHER"), "{screen}");
    assert!(screen.contains("Findings (0)"), "it counts nowhere\n{screen}");
}
