//! The smaller things a user hit in the UI (issue 12, §4): the lot form
//! remembers SKU, process and material; one "answered" wording in the UI
//! and the CLI; the submit dialog summarises a long unanswered list and
//! keeps its warning; a draft's live score in the Audits pane; a pane
//! title never cut mid-word; the first run mentions `n`; a draft reopens
//! from the Suppliers screen with `o`.

#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::{Demo, empty_app, mask_tag, press, text, value};

const W: u16 = 120;
const H: u16 = 40;
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";

#[test]
fn the_lot_form_starts_from_the_suppliers_latest_lot() {
    let demo = Demo::new();
    let latest = value(
        &demo,
        "SELECT sku || '|' || process || '|' || material FROM lots
         WHERE supplier_id = (SELECT id FROM suppliers WHERE code = 'SZ-ARMOR')
         ORDER BY produced_on DESC, lot DESC LIMIT 1",
    );
    let mut app = demo.app();
    press(&mut app, "/armor<Enter><Enter>lUI-LOT-1<Tab><Tab><Tab><Tab><Tab>1000<Tab>950<Enter>");
    let entered = value(&demo, "SELECT sku || '|' || process || '|' || material FROM lots WHERE lot = 'UI-LOT-1'");
    assert_eq!(entered, latest);
}

#[test]
fn answered_means_the_same_in_the_editor_the_dialog_and_the_cli() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}yx"));
    let screen = text(&app, W, H);
    assert!(screen.contains("1 of 40 applicable answered (1 n/a)"), "{screen}");
    press(&mut app, "S");
    assert!(text(&app, W, H).contains("1 of 40 applicable answered (1 n/a)"));
    press(&mut app, "<Esc>");
    drop(app);
    let reference = value(&demo, "SELECT ref FROM audits ORDER BY id DESC LIMIT 1");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .arg("--db")
        .arg(demo.db())
        .args(["audit", "show", &reference])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 of 40 applicable answered (1 n/a)"), "{stdout}");
}

#[test]
fn the_submit_dialog_summarises_the_unanswered_and_keeps_its_warning() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}yyS"));
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&app, w, h);
        assert!(screen.contains("39 unanswered: LG-03"), "{screen}");
        assert!(screen.contains("… QC-"), "{screen}");
        assert!(screen.contains("cannot change"), "the lock warning is cut at {w}x{h}\n{screen}");
    }
}

#[test]
fn a_draft_shows_its_live_score_in_the_audits_pane() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}yy<Esc>3<End>"));
    let screen = text(&app, W, H);
    let row = screen.lines().find(|l| l.contains("draft")).unwrap();
    assert!(row.contains("100.0%"), "{row}");
}

#[test]
fn the_question_title_keeps_whole_words() {
    let demo = Demo::new();
    let mut app = demo.app();
    // MC-05: weight 2, a material compatibility question; the title is long at 80 columns.
    press(&mut app, &format!("{EDITOR}/MC-05<Enter>"));
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&app, w, h);
        let line = screen.lines().find(|l| l.contains("MC-05 ·")).unwrap();
        let title = &line[line.find("MC-05 ·").unwrap()..];
        let words: Vec<&str> = title.split(" · ").map(|p| p.trim_matches(|c: char| c == '─' || c == ' ')).collect();
        let whole = ["MC-05", "Material compatibility", "weight 2", "material"];
        assert!(words.len() >= 2 && words.iter().all(|p| whole.contains(p)), "{title}");
    }
}

#[test]
fn the_first_run_mentions_n_for_a_new_supplier() {
    let app = empty_app();
    let screen = text(&app, 80, 24);
    assert!(screen.contains("Press n to record a new supplier"), "{screen}");
}

#[test]
fn o_reopens_a_draft_from_the_suppliers_screen() {
    let demo = Demo::new();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}yp<Esc><Esc>"));
    let screen = mask_tag(&text(&app, W, H), &demo);
    assert!(screen.contains("Drafts (2): ") && screen.contains("A-2026-TAG-001 SZ-ARMOR"), "{screen}");
    press(&mut app, "o");
    let screen = mask_tag(&text(&app, W, H), &demo);
    assert!(screen.contains("A-2026-TAG-001 (draft)") && screen.contains("2 of 41 applicable answered"), "{screen}");
    // A supplier without a draft says so.
    press(&mut app, "<Esc><Esc><Esc>/swing<Enter>o");
    assert!(text(&app, W, H).contains("DG-SWING has no draft audit"));
}
