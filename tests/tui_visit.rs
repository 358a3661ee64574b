//! A whole factory visit recorded in a real terminal (issue 12, "done
//! when"): on a fresh database, the built binary in tmux records a new
//! supplier and its ODM claim, starts an audit, writes a note before the
//! first answer by pasting three lines (bracketed paste), answers all 41
//! questions one key each, adds evidence and attaches a photo from `~`,
//! raises a finding, enters a lot, corrects the evidence item, raises a
//! finding by mistake and voids it (Delete, a reason, a confirmation),
//! submits, and amends the submitted audit from the Audits pane. Then the database
//! is read with another connection and `casebook check` must pass.
//!
//! Needs tmux (see `tests/tui_tmux.rs`).

#![allow(clippy::unwrap_used)]

mod tmux_support;

use std::process::Command;

use tmux_support::{Tmux, query, quit_expect_exit_0, tmux_or_skip, ui_command};

const NOTE: &str = "Licence seen at reception.\nno problems found\npartially translated";

/// The database's installation tag: new audits here are `A-2026-<tag>-001`, …
static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The reference of the `n`th audit started in the test's database.
fn reference(n: u32) -> String {
    format!("A-2026-{}-{n:03}", TAG.get().expect("the tag is read after init"))
}

#[test]
fn a_whole_visit_from_an_empty_database() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, home) = (dir.path().join("visit.db"), dir.path().join("home"));
    std::fs::create_dir(&home).unwrap();
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.extend(std::iter::repeat_n(7u8, 5_000));
    std::fs::write(home.join("IMG_2041.jpg"), &photo).unwrap();
    let bin = env!("CARGO_BIN_EXE_casebook");
    assert!(Command::new(bin).arg("--db").arg(&db).arg("init").status().unwrap().success());
    TAG.set(query(&db, "SELECT tag FROM installation")).unwrap();
    let tmux = Tmux::start("visit", &ui_command(&db, &home), dir.path());
    tmux.wait_for("the empty list", |s| s.contains("No suppliers in this database yet") && s.contains("Press n"));
    supplier_and_claim(&tmux);
    note_and_answers(&tmux, &db);
    evidence_photo_finding_lot(&tmux);
    correct_submit_amend(&tmux);
    quit_expect_exit_0(&tmux);
    check_database(&db, &photo);
}

fn supplier_and_claim(tmux: &Tmux) {
    // A new supplier (country typed in lower case), manufacturer, ODM.
    tmux.send("n");
    tmux.wait_for("the supplier form", |s| s.contains("New supplier"));
    tmux.type_text("SZ-VISIT");
    for (key, text) in [("Tab", "Visit Case Co."), ("Tab", "cn"), ("Tab", "Shenzhen")] {
        tmux.send(key);
        tmux.type_text(text);
    }
    for key in ["Tab", "Right", "Tab", "Right", "Space", "Enter"] {
        tmux.send(key);
    }
    tmux.wait_for("the new supplier", |s| s.contains("SZ-VISIT · Visit Case Co.") && s.contains("Shenzhen, CN"));

    // An ODM claim: material selection, from an RFQ response.
    for key in ["n", "Right", "Tab", "Right", "Tab", "Tab"] {
        tmux.send(key);
    }
    tmux.type_text("TPU/PC dual-layer design in house");
    tmux.send("Enter");
    tmux.wait_for("the claim", |s| s.contains("material_selection"));
}

fn note_and_answers(tmux: &Tmux, db: &std::path::Path) {
    // The audit; a note on LG-01 before answering it, pasted as three lines.
    tmux.send("a");
    tmux.wait_for("the audit form", |s| s.contains("Start an audit") && s.contains("floor.auditor"));
    tmux.send("Enter");
    tmux.wait_for("the editor", |s| {
        s.contains(&format!("{} (draft)", reference(1))) && s.contains("0 of 41 applicable answered")
    });
    tmux.send("Enter");
    tmux.wait_for("the note form", |s| s.contains("Note on LG-01") && s.contains("not answered yet"));
    tmux.paste(NOTE);
    tmux.wait_for("the pasted note", |s| s.contains("partially translated"));
    tmux.send("Enter");
    tmux.wait_for("the note kept", |s| s.contains("Licence seen at reception.") && !s.contains("Note on LG-01"));
    let answers = "SELECT count(*) FROM answers";
    assert_eq!(query(db, answers), "0", "the paste answered questions");

    // 41 answers, one key each.
    tmux.type_text(&"y".repeat(41));
    tmux.wait_for("every answer", |s| s.contains("41 of 41 applicable answered"));
}

fn evidence_photo_finding_lot(tmux: &Tmux) {
    // Evidence, and a photo attached from ~.
    tmux.send("e");
    tmux.wait_for("the evidence form", |s| s.contains("Add evidence"));
    for _ in 0..4 {
        tmux.send("Tab");
    }
    tmux.type_text("Peel tests, 12 batches");
    tmux.send("Enter");
    tmux.wait_for("the evidence saved", |s| s.contains("2 Evidence (1)"));
    tmux.send("2");
    tmux.send("A");
    tmux.wait_for("the attach form", |s| s.contains("Attach a photo or document"));
    tmux.type_text("~/IMG_2041.jpg");
    tmux.wait_for("the photo described", |s| s.contains("photo (JPEG) · 5.0 kB"));
    tmux.send("Enter");
    tmux.wait_for("the photo attached", |s| s.contains("File attached"));
    tmux.send("Escape");
    // The notice must be gone before the next key: an Escape read together
    // with the `f` after it would be one Alt-f.
    tmux.wait_for("the file listed", |s| {
        s.contains("1 file(s)") && s.contains("IMG_2041.jpg · 5.0 kB") && !s.contains("File attached")
    });

    // A finding and a lot.
    tmux.send("f");
    tmux.wait_for("the finding form", |s| s.contains("Raise a finding"));
    tmux.send("Tab");
    tmux.type_text("No peel-test record for lot 24-117");
    tmux.send("Enter");
    tmux.wait_for("the finding saved", |s| s.contains("3 Findings (1)"));
    tmux.send("l");
    tmux.wait_for("the lot form", |s| s.contains("Enter a yield lot"));
    tmux.type_text("VL-001");
    for (key, text) in
        [("Tab", "IP16-DUAL"), ("Tab", ""), ("Tab", "TPU+PC"), ("Tab", ""), ("Tab", "1000"), ("Tab", "950")]
    {
        tmux.send(key);
        tmux.type_text(text);
    }
    tmux.send("Enter");
    tmux.wait_for("the lot saved", |s| !s.contains("Enter a yield lot"));
}

fn correct_submit_amend(tmux: &Tmux) {
    // The evidence item corrected.
    tmux.send("Enter");
    tmux.wait_for("the evidence edit form", |s| s.contains("Edit evidence"));
    for _ in 0..4 {
        tmux.send("Tab");
    }
    tmux.send("C-u");
    tmux.type_text("Peel tests, 12 batches, log photographed");
    tmux.send("Enter");
    tmux.wait_for("the correction", |s| s.contains("log photographed") && !s.contains("Edit evidence"));

    // A finding raised by mistake, voided: Delete on it, a reason, y.
    tmux.send("f");
    tmux.wait_for("the finding form", |s| s.contains("Raise a finding"));
    tmux.send("Tab");
    tmux.type_text("Raised on the wrong supplier");
    tmux.send("Enter");
    tmux.wait_for("the second finding", |s| s.contains("3 Findings (2)"));
    tmux.send("3");
    tmux.send("End");
    tmux.send("DC");
    tmux.wait_for("the reason form", |s| s.contains("Void finding") && s.contains("Raised on the wrong supplier"));
    tmux.type_text("Meant for SZ-OTHER");
    tmux.send("Enter");
    tmux.wait_for("the confirmation", |s| s.contains("reason: Meant for SZ-OTHER") && s.contains("never undone"));
    tmux.send("y");
    tmux.wait_for("the voided finding", |s| s.contains("3 Findings (1)") && s.contains("voided: Meant for SZ-OTHER"));

    // Submit.
    tmux.send("S");
    tmux.wait_for("the confirmation", |s| s.contains(&format!("Submit audit {}", reference(1))));
    tmux.send("Enter");
    tmux.wait_for("the submission", |s| s.contains(&format!("{} submitted", reference(1))));
    // One Escape at a time: two in a row may reach the app as one Alt-Escape.
    tmux.send("Escape");
    tmux.wait_for("the notice closed", |s| s.contains("(sealed at submission)") && !s.contains("submitted ─"));
    tmux.send("Escape");
    tmux.wait_for("the supplier again", |s| s.contains("SZ-VISIT · Visit Case Co.") && s.contains("Audits"));

    // Amend it from the Audits pane.
    tmux.send("3");
    tmux.send("A");
    tmux.wait_for("the amend form", |s| s.contains(&format!("Amend audit {}", reference(1))));
    tmux.send("Enter");
    tmux.wait_for("the amendment", |s| {
        s.contains(&format!("{} (draft)", reference(2))) && s.contains("41 of 41 applicable answered")
    });
    tmux.send("Escape");
    tmux.wait_for("the supplier", |s| s.contains("SZ-VISIT · Visit Case Co.") && !s.contains("(draft)"));
    tmux.send("Escape");
    tmux.wait_for("the list", |s| {
        s.contains("SZ-VISIT") && s.contains(&format!("Drafts (1): {} SZ-VISIT", reference(2)))
    });
}

/// The database, as another tool reads it, and `casebook check`.
fn check_database(db: &std::path::Path, photo: &[u8]) {
    let one = |sql: &str| query(db, sql);
    assert_eq!(one("SELECT code || ' ' || country FROM suppliers"), "SZ-VISIT CN");
    assert_eq!(one("SELECT capability FROM claims"), "material_selection");
    let original = &format!("(SELECT id FROM audits WHERE ref = '{}')", reference(1));
    assert_eq!(one(&format!("SELECT status || ' ' || grade FROM audits WHERE id = {original}")), "submitted A");
    assert_eq!(one(&format!("SELECT count(*) FROM answers WHERE audit_id = {original}")), "41");
    assert_eq!(one(&format!("SELECT count(*) FROM answers WHERE audit_id = {original} AND result = 'yes'")), "41");
    assert_eq!(one(&format!("SELECT note FROM answers WHERE audit_id = {original} AND question = 'LG-01'")), NOTE);
    assert_eq!(one("SELECT description FROM evidence"), "Peel tests, 12 batches, log photographed");
    let sha = casebook::store::hex(&<sha2::Sha256 as sha2::Digest>::digest(photo));
    assert_eq!(one("SELECT sha256 FROM attachments"), sha);
    assert_eq!(one("SELECT description FROM findings WHERE voided_at IS NULL"), "No peel-test record for lot 24-117");
    assert_eq!(
        one(
            "SELECT description || ' | ' || voided_by || ' | ' || void_reason FROM findings WHERE voided_at IS NOT NULL"
        ),
        "Raised on the wrong supplier | floor.auditor | Meant for SZ-OTHER"
    );
    assert_eq!(
        one("SELECT entity || ' ' || new_value FROM history WHERE action = 'void'"),
        "finding Meant for SZ-OTHER"
    );
    assert_eq!(one("SELECT lot || ' ' || sku || ' ' || started FROM lots"), "VL-001 IP16-DUAL 1000");
    let amendment = &format!("(SELECT id FROM audits WHERE ref = '{}')", reference(2));
    assert_eq!(
        one(&format!("SELECT amends = {original} AND status = 'draft' FROM audits WHERE id = {amendment}")),
        "1"
    );
    assert_eq!(one(&format!("SELECT count(*) FROM answers WHERE audit_id = {amendment}")), "41");
    let edits =
        "SELECT count(*) FROM history WHERE entity = 'evidence' AND action = 'update' AND field = 'description'";
    assert_eq!(one(edits), "1");
    assert_eq!(one("SELECT count(DISTINCT actor) || actor FROM history"), "1floor.auditor");

    let bin = env!("CARGO_BIN_EXE_casebook");
    let check = Command::new(bin).arg("--db").arg(db).args(["--as-of", "2026-11-15", "check"]).output().unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "check failed:\n{out}{}", String::from_utf8_lossy(&check.stderr));
}
