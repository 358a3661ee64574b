//! The team hub in the UI, against a real PostgreSQL (`CASEBOOK_TEST_PG`,
//! see `hub_support`):
//!
//! - in the app (keys and `TestBackend`): with a hub set, the status line
//!   says it was never synced and how many changes are not on the hub;
//!   `Ctrl-S` syncs in the background — the status line says so, the UI
//!   keeps answering keys (the help opens), the result waits for the help
//!   to close and then says what was pushed; the status line then shows the
//!   last sync and nothing left to push, and the hub holds the audits;
//!   without a hub, nothing is shown and `Ctrl-S` says how to set one;
//! - in a real terminal (tmux, the built binary, `PGPASSWORD` as a user
//!   sets it): an auditor's `Ctrl-S` pushes; a buyer's is refused by the
//!   hub with the hub's words, and its changes stay counted as not pushed.

#![allow(clippy::unwrap_used)]

mod hub_support;
mod tmux_support;
mod tui_support;

use std::path::Path;
use std::process::Command;

use hub_support::{PASSWORD, TestHub, test_hub};
use tmux_support::{Tmux, demo_db, query, tmux_or_skip, ui_command};
use tui_support::{Demo, press, text};

/// The binary with `args`, as `login` would run it (password from `PGPASSWORD`).
fn casebook(db: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .env_remove("CASEBOOK_DB")
        .env_remove("PGPASSFILE")
        .env("PGPASSWORD", PASSWORD)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "casebook {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A hub made by its owner.
fn init(hub: &TestHub, scratch: &Path) {
    casebook(&scratch.join("unused.db"), &["hub", "init", &hub.url(&hub.owner())]);
}

fn hub_count(hub: &TestHub, table: &str) -> i64 {
    hub.superuser().query_one(&format!("SELECT count(*) FROM casebook.{table}"), &[]).unwrap().get(0)
}

/// The top line of the screen (tabs, the hub's status, the day).
fn status_line(screen: &str) -> &str {
    screen.lines().next().unwrap_or_default()
}

/// Changes a push carries (what the status line counts), read directly.
fn unpushed(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM history WHERE entity NOT IN ('merge', 'sync', 'checklist')", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn ctrl_s_syncs_in_the_background_and_the_status_line_follows() {
    let hub = test_hub!();
    let demo = Demo::new();
    init(&hub, demo.dir.path());
    // The cluster's superuser needs no password on its socket (the app
    // in this process reads no PGPASSWORD); the tmux test below uses
    // member logins with passwords.
    casebook(&demo.db(), &["hub", "set", &hub.url("postgres")]);
    let pending = unpushed(&demo.db());
    assert!(pending > 0, "the demo database has changes to push");
    let submitted = tui_support::count(&demo, "SELECT count(*) FROM audits WHERE status = 'submitted'");

    let mut app = demo.app();
    let screen = text(&app, 120, 40);
    assert!(
        status_line(&screen).contains(&format!("hub: never synced · {pending} not on the hub")),
        "before: {screen}"
    );

    press(&mut app, "<C-s>");
    let screen = text(&app, 120, 40);
    assert!(status_line(&screen).contains("hub: syncing"), "while syncing: {screen}");
    // The UI keeps answering: the help opens over the list.
    press(&mut app, "?");
    assert!(text(&app, 120, 40).contains("sync with the team hub now"), "the help lists C-s");

    app.wait_for_assessment();
    let screen = text(&app, 120, 40);
    assert!(!screen.contains("Synced with the hub"), "the result waits for the help to close: {screen}");
    press(&mut app, "<Esc>");
    app.tick();
    let screen = text(&app, 120, 40);
    assert!(screen.contains("Synced with the hub"), "the result as a notice: {screen}");
    assert!(screen.contains("Pushed: added") && screen.contains(&format!("audits {submitted}")), "{screen}");
    let line = status_line(&screen);
    assert!(line.contains("hub: last sync ") && line.contains("· 0 not on the hub"), "after: {line}");
    assert_eq!(hub_count(&hub, "audits"), submitted, "the hub holds the submitted audits");
}

#[test]
fn without_a_hub_the_status_line_is_quiet_and_ctrl_s_says_how_to_set_one() {
    let demo = Demo::new();
    let mut app = demo.app();
    assert!(!status_line(&text(&app, 120, 40)).contains("hub:"));
    press(&mut app, "<C-s>");
    let screen = text(&app, 120, 40);
    assert!(screen.contains("casebook hub set URL"), "{screen}");
    assert!(!app.is_loading());
}

/// The UI as `login` on `db`, in tmux, with the password in the
/// environment as a user would export it.
fn ui_as(name: &str, db: &Path, home: &Path) -> Tmux {
    let command = ui_command(db, home).replacen("env -u ", "env -u PGPASSFILE -u ", 1).replacen(
        " HOME=",
        &format!(" PGPASSWORD={PASSWORD} HOME="),
        1,
    );
    Tmux::start(name, &command, db.parent().unwrap())
}

#[test]
fn ctrl_s_in_a_real_terminal_pushes_for_an_auditor_and_is_refused_for_a_buyer() {
    if !tmux_or_skip() {
        return;
    }
    let mut hub = test_hub!();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&hub, dir.path());
    let auditor = hub.add_login("auditor", &["casebook_auditor"]);
    let buyer = hub.add_login("buyer", &["casebook_buyer"]);

    let ours = dir.path().join("auditor");
    std::fs::create_dir(&ours).unwrap();
    let db = demo_db(&ours);
    casebook(&db, &["hub", "set", &hub.url(&auditor)]);
    let pending = unpushed(&db);
    let tmux = ui_as("hub-auditor", &db, &home);
    tmux.wait_for("the status line before", |s| s.contains(&format!("hub: never synced · {pending} not on the hub")));
    tmux.send("C-s");
    let screen = tmux.wait_for("the sync's notice", |s| s.contains("Synced with the hub"));
    assert!(screen.contains("Pushed: added") && !screen.contains("Refused"), "{screen}");
    tmux.send("Escape");
    tmux.wait_for("the status line after", |s| s.contains("hub: last sync ") && s.contains("· 0 not on the hub"));
    let audits = query(&db, "SELECT count(*) FROM audits WHERE status = 'submitted'");
    assert_eq!(hub_count(&hub, "audits").to_string(), audits);
    drop(tmux);

    // A buyer's laptop with audits of its own: the hub refuses them.
    let theirs = dir.path().join("buyer");
    std::fs::create_dir(&theirs).unwrap();
    let db = demo_db(&theirs);
    casebook(&db, &["hub", "set", &hub.url(&buyer)]);
    let pending = unpushed(&db);
    let tmux = ui_as("hub-buyer", &db, &home);
    tmux.wait_for("the buyer's status line", |s| s.contains(&format!("never synced · {pending} not on the hub")));
    tmux.send("C-s");
    let screen = tmux.wait_for("the refusal", |s| s.contains("Refused by the hub"));
    assert!(screen.contains("casebook_buyer"), "the hub's words name the role: {screen}");
    tmux.send("Escape");
    // Its own changes stay counted until a push of them is accepted (with
    // what the refused sync pulled, counted from the same mark).
    let screen = tmux.wait_for("the status line after", |s| s.contains("hub: last sync "));
    let left: i64 = screen
        .split(" not on the hub")
        .next()
        .and_then(|head| head.rsplit("· ").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count on the status line: {screen}"));
    assert!(left >= pending, "{left} changes counted, {pending} of its own never pushed: {screen}");
    assert_eq!(hub_count(&hub, "audits").to_string(), audits, "nothing of the buyer's reached the hub");
}
