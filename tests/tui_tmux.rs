//! The built binary in a real terminal: `casebook demo` inside tmux,
//! driven with `send-keys` and read with `capture-pane`. It opens on the
//! Suppliers screen with verdicts, Enter opens a supplier with its pillars,
//! the screen follows a resize, `?` opens the help and Esc closes it, and
//! `q` returns to the shell with status 0 (the pane's shell prints it).
//!
//! A second test records on a file database: starts an audit, answers two
//! questions and adds evidence, kills the process with SIGKILL, and finds
//! everything there after a restart, the editor back at the question left
//! off.
//!
//! A third runs the UI on a file while another process imports 300,000 lots
//! into it: the UI keeps answering keys and saves a shortlist mark, neither
//! side reports the database locked.
//!
//! A fourth writes reports with `P`: a supplier's as PDF at the path the
//! prompt offers, an audit's as HTML at a typed path, a name that is neither
//! refused.
//!
//! Needs tmux. Without it the test fails and says so, unless
//! `CASEBOOK_SKIP_TMUX=1` is set. Each run uses its own tmux server
//! (`-L`), which it kills at the end.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::process::Command;

mod tmux_support;

use tmux_support::{Tmux, demo_db, query, quit_expect_exit_0, tmux_or_skip, ui_command, wait_for_query};

#[test]
fn casebook_demo_in_a_real_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let bin = env!("CARGO_BIN_EXE_casebook");
    // The pane's shell reports the exit status, then stays so it can be read.
    let command = format!(
        "env -u CASEBOOK_DB -u NO_COLOR HOME='{}' XDG_DATA_HOME='{}/data' TERM=xterm-256color sh -c \
         \"'{bin}' demo; echo EXIT=\\$?; sleep 60\"",
        home.display(),
        home.display()
    );
    let tmux = Tmux::start("demo", &command, dir.path());

    let screen = tmux.wait_for("the Suppliers screen with verdicts", |s| {
        s.contains("SZ-ARMOR") && s.contains("supported") && s.contains("14 of 14") && !s.contains("assessing")
    });
    assert!(screen.contains("as of 2026-11-15"), "{screen}");
    assert!(screen.contains("not claimed") && screen.contains("unsupported") && screen.contains("partial"));

    tmux.send("Enter");
    let screen = tmux.wait_for("the first supplier", |s| {
        s.contains("DG-FOLIO · Folio Leather Goods") && s.contains("low FPY") && s.contains("DFM evaluation")
    });
    for pillar in ["material compatibility", "assembly constraints", "production yield", "DFM evaluation"] {
        assert!(screen.contains(pillar), "{pillar} missing:\n{screen}");
    }
    assert!(screen.contains("manufacturability") && screen.contains("low FPY"), "{screen}");

    tmux.run(&["resize-window", "-t", "main", "-x", "80", "-y", "24"], dir.path());
    tmux.wait_for("the supplier redrawn at 80 columns", |s| {
        s.contains("DG-FOLIO") && s.contains("material ") && !s.contains("material compatibility")
    });
    tmux.run(&["resize-window", "-t", "main", "-x", "120", "-y", "40"], dir.path());

    tmux.send("Escape");
    tmux.wait_for("the list again", |s| s.contains("14 of 14") && !s.contains("Folio Leather Goods (Dongguan) Co"));

    tmux.send("?");
    tmux.wait_for("the help overlay", |s| s.contains("Help: Suppliers keys") && s.contains("verdict"));
    tmux.send("Escape");
    tmux.wait_for("the help to close", |s| !s.contains("Help:") && s.contains("14 of 14"));

    quit_expect_exit_0(&tmux);
}

#[test]
fn an_audit_survives_sigkill_and_reopens_where_it_was_left() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // New audits are numbered per installation tag: A-2026-<tag>-001.
    let reference = format!("A-2026-{}-001", query(&db, "SELECT tag FROM installation"));
    let draft = format!("{reference} (draft)");
    let tmux = Tmux::start("sigkill", &ui_command(&db, &dir.path().join("home")), dir.path());
    tmux.wait_for("the supplier list", |s| s.contains("SZ-ARMOR") && s.contains("14 of 14"));

    // Start an audit of SZ-ARMOR, answer two questions, add one evidence item.
    tmux.open_armor();
    tmux.send("a");
    tmux.wait_for("the audit form", |s| s.contains("Start an audit") && s.contains("floor.auditor"));
    tmux.send("Enter");
    tmux.wait_for("the editor", |s| s.contains(&draft) && s.contains("0 of 41 applicable answered"));
    tmux.send("y");
    tmux.wait_for("one answer", |s| s.contains("1 of 41 applicable answered"));
    tmux.send("p");
    tmux.wait_for("two answers", |s| s.contains("2 of 41 applicable answered"));
    tmux.send("e");
    tmux.wait_for("the evidence form", |s| s.contains("Add evidence"));
    for _ in 0..4 {
        tmux.send("Tab");
    }
    tmux.type_text("Peel tests per batch");
    tmux.send("Enter");
    tmux.wait_for("the evidence saved", |s| s.contains("2 Evidence (1)"));
    // Move on past the first unanswered question, so the place is not a default.
    tmux.send("Down");
    tmux.wait_for("LG-04 selected", |s| s.contains("LG-04 · critical · Legitimacy"));
    // The place is written once the auditor pauses (not on every key).
    let place = "SELECT ifnull(max(question), '') FROM audit_cursors WHERE audit_id = (SELECT max(id) FROM audits)";
    wait_for_query(&db, place, "LG-04");

    // SIGKILL: no chance to save anything on the way out.
    let pid = tmux.app_pid();
    assert!(!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()), "not a process id: {pid:?}");
    // The shell's builtin `kill`: no need for procps' /bin/kill.
    let killed = Command::new("sh").arg("-c").arg(format!("kill -KILL {pid}")).status().unwrap();
    assert!(killed.success());
    tmux.wait_for("the shell after the kill", |s| s.contains("EXIT=137"));

    let audit = "(SELECT max(id) FROM audits)";
    assert_eq!(query(&db, &format!("SELECT ref FROM audits WHERE id = {audit}")), reference);
    assert_eq!(query(&db, &format!("SELECT count(*) FROM answers WHERE audit_id = {audit}")), "2");
    let results = format!("SELECT group_concat(question || '=' || result, ' ') FROM answers WHERE audit_id = {audit}");
    assert_eq!(query(&db, &results), "LG-01=yes LG-02=partial");
    assert_eq!(
        query(&db, &format!("SELECT description FROM evidence WHERE audit_id = {audit}")),
        "Peel tests per batch"
    );
    assert_eq!(query(&db, &format!("SELECT question FROM audit_cursors WHERE audit_id = {audit}")), "LG-04");
    assert_eq!(query(&db, "SELECT actor FROM history ORDER BY id DESC LIMIT 1"), "floor.auditor");

    // Start again: the draft is in the Audits pane and opens at LG-04.
    let out = tmux.run(&["respawn-pane", "-k", "-t", "main", &ui_command(&db, &dir.path().join("home"))], dir.path());
    assert!(out.status.success(), "respawn-pane: {}", String::from_utf8_lossy(&out.stderr));
    tmux.wait_for("the supplier list again", |s| s.contains("SZ-ARMOR") && s.contains("14 of 14"));
    tmux.open_armor();
    tmux.send("3");
    tmux.wait_for("the audits pane", |s| s.contains(&reference) && s.contains("draft"));
    tmux.send("End");
    tmux.send("Enter");
    let screen = tmux.wait_for("the editor where it was left", |s| {
        s.contains(&draft) && s.contains("LG-02 ! partial") && s.contains("2 Evidence (1)")
    });
    assert!(screen.contains("LG-04 · critical · Legitimacy"), "{screen}");
    assert!(screen.contains("2 of 41 applicable answered") && screen.contains("2 Evidence (1)"), "{screen}");
    assert!(screen.contains("LG-01 ! yes") && screen.contains("LG-02 ! partial"), "{screen}");
    tmux.send("2");
    tmux.wait_for("the evidence", |s| s.contains("Peel tests per batch"));
    // q leaves only from the lists: back out first, one Escape at a time.
    tmux.send("Escape");
    tmux.wait_for("the supplier", |s| s.contains("SZ-ARMOR · Armor Case Works") && !s.contains("(draft)"));
    tmux.send("Escape");
    tmux.wait_for("the list again", |s| s.contains("1 of 14"));
    quit_expect_exit_0(&tmux);
}

#[test]
fn the_ui_keeps_working_while_another_process_imports() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let tmux = Tmux::start("concurrent", &ui_command(&db, &dir.path().join("home")), dir.path());
    tmux.wait_for("the supplier list", |s| s.contains("SZ-ARMOR") && s.contains("14 of 14") && s.contains("supported"));

    // A lot file big enough that the import is still running while we work.
    let mut csv =
        String::from("supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped\n");
    for i in 0..300_000 {
        let _ = writeln!(csv, "DG-PRIME,BIG-{i:07},SKU-X,injection,PC,2026-0{}-1{},1000,950,30,20", 1 + i % 9, i % 10);
    }
    let file = dir.path().join("big.csv");
    std::fs::write(&file, csv).unwrap();
    let mut import = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // While it runs: navigate, filter, and save a shortlist mark (a write).
    tmux.type_text("/silik");
    tmux.send("Enter");
    tmux.wait_for("the filtered list", |s| s.contains("1 of 14") && s.contains("SZ-SILIK"));
    let still_importing = import.try_wait().unwrap().is_none();
    tmux.send("Enter");
    tmux.wait_for("the supplier", |s| s.contains("SZ-SILIK ·"));
    tmux.send("m");
    tmux.wait_for("the mark saved", |s| s.contains("Shortlist (1)"));
    tmux.send("Escape");
    tmux.wait_for("back on the list", |s| s.contains("1 of 14"));

    let out = import.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("locked"), "the import failed: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("inserted 300000 lots"));
    assert!(still_importing, "the import ended before the UI was used; make the file bigger");
    let screen = tmux.screen();
    assert!(!screen.contains("locked") && !screen.to_lowercase().contains("error"), "{screen}");
    assert_eq!(query(&db, "SELECT count(*) FROM shortlist"), "1");
    assert_eq!(query(&db, "SELECT count(*) FROM lots WHERE lot LIKE 'BIG-%'"), "300000");
    quit_expect_exit_0(&tmux);
}

#[test]
fn p_writes_the_report_of_the_supplier_or_audit_in_front() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let tmux = Tmux::start("report", &ui_command(&db, &dir.path().join("home")), dir.path());
    tmux.wait_for("the Suppliers screen with verdicts", |s| s.contains("14 of 14") && !s.contains("assessing"));

    tmux.send("Enter");
    tmux.wait_for("the first supplier", |s| s.contains("DG-FOLIO · Folio Leather Goods"));
    tmux.send("P");
    tmux.wait_for("the path prompt, in the current directory", |s| {
        s.contains("Write the report of supplier DG-FOLIO") && s.contains("./supplier-DG-FOLIO.pdf")
    });
    tmux.send("Enter");
    tmux.wait_for("the notice", |s| s.contains("Report written") && s.contains("supplier-DG-FOLIO.pdf"));
    let pdf = std::fs::read(dir.path().join("supplier-DG-FOLIO.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF was written");
    tmux.send("Escape");
    tmux.wait_for("the notice to close", |s| !s.contains("Report written"));

    // The Audits pane, its first audit, read-only: a report as HTML.
    tmux.send("3");
    tmux.send("Enter");
    tmux.wait_for("the audit", |s| s.contains("Audit A-2026-026 of DG-FOLIO"));
    tmux.send("P");
    tmux.wait_for("the prompt", |s| s.contains("Write the report of audit A-2026-026"));
    tmux.send("C-u");
    tmux.type_text("notes.txt");
    tmux.send("Enter");
    tmux.wait_for("a refusal naming the formats", |s| s.contains("end the file name with .pdf or .html"));
    tmux.send("Escape");
    tmux.wait_for("the refusal to close", |s| !s.contains("end the file name"));
    tmux.send("P");
    tmux.wait_for("the prompt again", |s| s.contains("Write the report of audit A-2026-026"));
    tmux.send("C-u");
    tmux.type_text("audit.html");
    tmux.send("Enter");
    tmux.wait_for("the notice", |s| s.contains("Report written") && s.contains("audit.html"));
    let html = std::fs::read_to_string(dir.path().join("audit.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Audit report A-2026-026"), "{html:.200}");
    assert!(!dir.path().join("notes.txt").exists());
    tmux.send("Escape");
    tmux.wait_for("the notice to close", |s| !s.contains("Report written"));
    // Off the lists, C-c quits (q is only for the lists).
    tmux.send("C-c");
    let screen = tmux.wait_for("the shell with the exit status", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
}
