//! Snapshots of recording in the UI, on the demo data as of 2026-11-15, at
//! 80×24 and 120×40: the audit editor (checklist, evidence and findings
//! panes), every form (supplier new and edited, claim, claim retirement,
//! audit start, note, evidence, finding, finding closure, lot, the CSV
//! import prompt) with and without refusals, the import's report, the
//! submit confirmation and what follows it, and the Supplier screen's
//! Claims and History panes. History times and temporary paths are masked.
//!
//! Review changes with `INSTA_UPDATE=always cargo test --test tui_forms`
//! and `git diff tests/snapshots`.

#![allow(clippy::unwrap_used)]

mod tui_support;

use casebook::tui::App;
use tui_support::{Demo, snap, snap_then};

/// What the snapshot headers record as the expression (see `snap_then!`).
const SNAPSHOT_EXPRESSION: &str = "mask_times(&screen)";

/// SZ-ARMOR's Supplier screen.
const ARMOR: &str = "/armor<Enter><Enter>";
/// A new draft audit of SZ-ARMOR, in the editor.
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";

#[test]
fn audit_start_form() {
    snap!("form_audit_start", &format!("{ARMOR}a"));
}

#[test]
fn editor_on_a_new_audit() {
    snap!("editor_new", EDITOR);
}

#[test]
fn editor_with_answers_and_a_critical_no() {
    // yes, yes, partial, no (LG-04 is critical), then n/a on LG-05.
    snap!("editor_answered", &format!("{EDITOR}yypnx<Up><Up>"));
}

#[test]
fn note_form_with_chinese_text() {
    snap!("form_note", &format!("{EDITOR}y<Up><Enter>营业执照 seen, scope includes 塑料制品"));
}

#[test]
fn evidence_form() {
    snap!("form_evidence", &format!("{EDITOR}e"));
}

#[test]
fn evidence_form_refuses_a_bad_date_and_a_blank_description() {
    snap!("form_evidence_refused", &format!("{EDITOR}e<Tab><Tab><Tab><C-u>2026-02-30<Enter>"));
}

#[test]
fn editor_evidence_pane() {
    snap!(
        "editor_evidence",
        &format!("{EDITOR}e<Tab><Tab><Tab><Tab>TPU/PC peel tests, 12 batches<Tab>IMG_2041.jpg<Enter>2"),
    );
}

#[test]
fn finding_form_due_date_follows_severity() {
    // major → critical: due 7 days after the visit instead of 14.
    snap!("form_finding", &format!("{EDITOR}f<Left>"));
}

#[test]
fn editor_findings_pane_and_closure_form() {
    let raise = "f<Tab>No peel-test record for lot 24-117<Tab>factory QA<Enter>3";
    snap!("editor_findings", &format!("{EDITOR}{raise}"));
    snap!("form_closure", &format!("{EDITOR}{raise}c"));
}

#[test]
fn submit_confirmation_and_the_locked_audit() {
    snap!("submit_confirm", &format!("{EDITOR}yypS"));
    snap!("submitted", &format!("{EDITOR}yyyyyyyyS<Enter>"));
}

#[test]
fn supplier_forms() {
    snap!("form_supplier_new", "n");
    snap!("form_supplier_refused", "nSZ-ARMOR<Tab><Tab>cn<Enter>");
    snap!("form_supplier_duplicate", "nSZ-ARMOR<Tab>Another Armor<Tab>CN<Enter>");
    snap!("form_supplier_edit", &format!("{ARMOR}e"));
}

#[test]
fn claim_forms_and_panes() {
    snap!("form_claim", &format!("{ARMOR}n"));
    snap!("supplier_claims", &format!("{ARMOR}5"));
    snap!("form_retire_claim", &format!("{ARMOR}5r"));
}

#[test]
fn history_pane() {
    snap!("supplier_history", &format!("{ARMOR}6"));
}

#[test]
fn lot_forms() {
    snap!("form_lot", &format!("{ARMOR}l"));
    let refused = "lL-9001<Tab>IP16<Tab><Tab>TPU+PC<Tab><Tab>100<Tab>120<Enter>";
    snap!("form_lot_refused", &format!("{ARMOR}{refused}"));
}

const HEADER: &str = "supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped\n";

/// Writes `rows` under the CSV header to `name` in the demo's directory,
/// imports it from SZ-ARMOR's screen and waits for the report.
fn import(app: &mut App, demo: &Demo, name: &str, rows: &str) {
    std::fs::write(demo.dir.path().join(name), format!("{HEADER}{rows}")).unwrap();
    tui_support::press(app, &format!("i{}/{name}<Enter>", demo.dir.path().display()));
    app.wait_for_assessment();
}

#[test]
fn import_prompt_and_reports() {
    snap!("form_import", &format!("{ARMOR}i"));
    snap!("form_import_missing", &format!("{ARMOR}inowhere.csv<Enter>"));
    // Two new lots and one the demo already has.
    let good = "SZ-ARMOR,UI-1,IP16-DUAL,co_molding,TPU+PC,2026-11-01,1000,950,30,20\n\
                SZ-ARMOR,UI-2,IP16-DUAL,co_molding,TPU+PC,2026-11-02,1000,940,40,20\n\
                SZ-ARMOR,AR241111-01,S25-RUGGED,co_molding,TPU+PC,2024-11-11,2100,1985,72,43\n";
    snap_then!("import_report", ARMOR, |app, demo| import(app, demo, "lots.csv", good));
    // A date that does not exist and more passed than started: nothing written.
    let bad = "SZ-ARMOR,UI-3,IP16-DUAL,co_molding,TPU+PC,2026-11-31,1000,940,40,20\n\
               SZ-ARMOR,UI-4,IP16-DUAL,co_molding,TPU+PC,2026-11-03,100,120,0,0\n\
               SZ-NOBODY,UI-5,IP16-DUAL,co_molding,TPU+PC,2026-11-03,100,90,0,0\n";
    snap_then!("import_rejected", ARMOR, |app, demo| import(app, demo, "bad.csv", bad));
}

#[test]
fn the_editor_and_forms_draw_at_any_size_without_panicking() {
    let demo = Demo::new();
    let mut app = demo.app();
    for script in [EDITOR, "yyp", "e", "<Esc>f", "<Esc>3", "2", "1S", "<Esc>l", "<Esc>i", "<Esc><Esc>6", "5"] {
        tui_support::press(&mut app, script);
        for (w, h) in [(80, 24), (100, 30), (200, 60), (40, 12), (20, 5), (1, 1)] {
            let _ = tui_support::draw(&app, w, h);
        }
    }
}
