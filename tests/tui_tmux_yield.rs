//! The Yield screen in a real terminal (tmux, 80 × 24): open DG-SWING's
//! chart, scroll the lot cursor to the first spike and read the inspector,
//! then jump to a violation from the list with Enter; `NO_COLOR` set, so the
//! marks, not colours, carry the picture.
//!
//! Needs tmux (or `CASEBOOK_SKIP_TMUX=1` to skip).

#![allow(clippy::unwrap_used)]

mod tmux_support;

use tmux_support::{Tmux, tmux_or_skip};

#[test]
fn scroll_to_a_violation_and_read_its_inspector() {
    if !tmux_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let bin = env!("CARGO_BIN_EXE_casebook");
    let made = std::process::Command::new(bin).args(["demo", "--no-ui", "--db"]).arg(&db).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let command = format!(
        "env -u CASEBOOK_DB NO_COLOR=1 HOME='{home}' TERM=xterm-256color '{bin}' --db '{db}' --as-of 2026-11-15",
        home = dir.path().display(),
        db = db.display()
    );
    let tmux = Tmux::start("yield", &command, dir.path());
    tmux.run(&["resize-window", "-t", "main", "-x", "80", "-y", "24"], dir.path());
    tmux.wait_for("the supplier list", |s| s.contains("DG-SWING") && s.contains("14 of 14"));
    tmux.type_text("/swing");
    tmux.send("Enter");
    tmux.wait_for("DG-SWING alone", |s| s.contains("1 of 14"));
    tmux.send("y");
    let screen = tmux.wait_for("the chart", |s| s.contains("p chart: fraction") && s.contains("lot SW261108-01"));
    assert!(screen.contains("the policy's 12-month yield window"), "{screen}");
    assert!(screen.contains('◆') && screen.contains('▲') && screen.contains('┤'), "{screen}");

    // Home, then lot by lot to the tenth lot: the first spike.
    tmux.send("Home");
    tmux.wait_for("the first lot", |s| s.contains("lot SW251116-01"));
    for _ in 0..9 {
        tmux.send("Right");
    }
    let screen = tmux.wait_for("the spike under the cursor", |s| s.contains("lot SW251218-01"));
    assert!(screen.contains("rules: beyond-3-sigma") && screen.contains("p 26.5%"), "{screen}");
    assert!(screen.contains("started 1000") && screen.contains("nonconforming"), "{screen}");

    // Enter on the first violation in the list: nine in a row, ending at SW251214-01.
    tmux.send("Home");
    tmux.wait_for("the first lot again", |s| s.contains("lot SW251116-01"));
    tmux.send("Enter");
    let screen = tmux.wait_for("the violation's lot", |s| s.contains("lot SW251214-01"));
    assert!(screen.contains("rules: nine-in-a-row"), "{screen}");
}
