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
//! Needs tmux. Without it the test fails and says so, unless
//! `CASEBOOK_SKIP_TMUX=1` is set. Each run uses its own tmux server
//! (`-L`), which it kills at the end.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A debug build imports the demo in about a second; leave room for slow CI.
const PATIENCE: Duration = Duration::from_secs(30);

struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 120 × 40 session on a server of its
    /// own (`name`: tests run side by side).
    fn start(name: &str, command: &str, dir: &Path) -> Self {
        let tmux = Self { socket: format!("casebook-test-{}-{name}", std::process::id()) };
        let out =
            tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command], dir);
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    fn run(&self, args: &[&str], dir: &Path) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).current_dir(dir).output().unwrap()
    }

    /// Typed literally (no key names).
    fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "main", "-l", text], Path::new("."));
        assert!(out.status.success(), "send-keys -l {text}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The process running in the pane's shell (the shell's only child).
    fn app_pid(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "main", "#{pane_pid}"], Path::new("."));
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children.split_whitespace().next().expect("the app runs under the pane's shell").to_owned()
    }

    fn send(&self, keys: &str) {
        let out = self.run(&["send-keys", "-t", "main", keys], Path::new("."));
        assert!(out.status.success(), "send-keys {keys}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "main"], Path::new(".")).stdout).into_owned()
    }

    /// Polls the screen until `ready` holds; fails with the last screen.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}; the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"], Path::new("."));
    }
}

fn tmux_is_installed() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// `false` (skip) when tmux is missing and `CASEBOOK_SKIP_TMUX=1`; fails when
/// it is missing otherwise.
fn tmux_or_skip() -> bool {
    if tmux_is_installed() {
        return true;
    }
    if std::env::var_os("CASEBOOK_SKIP_TMUX").is_some_and(|v| v == "1") {
        eprintln!("tmux is not installed; skipped because CASEBOOK_SKIP_TMUX=1");
        return false;
    }
    panic!("this test needs tmux (apt-get install tmux), or set CASEBOOK_SKIP_TMUX=1 to skip it");
}

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
    let screen = tmux.wait_for("the first supplier", |s| s.contains("DG-FOLIO · Folio Leather Goods"));
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

/// A demo database made by `casebook demo --no-ui` in `dir`.
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let made = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["demo", "--no-ui", "--db"])
        .arg(&db)
        .env_remove("CASEBOOK_DB")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    db
}

/// Quits the app with `q` and checks it exited with status 0.
fn quit_expect_exit_0(tmux: &Tmux) {
    tmux.send("q");
    let screen = tmux.wait_for("the shell with the exit status", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
}

/// The UI on `db`, as of the demo's day, the exit status printed after.
fn ui_command(db: &Path, home: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_casebook");
    format!(
        "env -u CASEBOOK_DB -u NO_COLOR HOME='{home}' CASEBOOK_AUDITOR=floor.auditor TERM=xterm-256color sh -c \
         \"'{bin}' --db '{db}' --as-of 2026-11-15; echo EXIT=\\$?; sleep 60\"",
        home = home.display(),
        db = db.display(),
    )
}

fn query(db: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap()
}

/// Polls `sql` (another connection, as any SQLite tool would open) until it
/// gives `expected`.
fn wait_for_query(db: &Path, sql: &str, expected: &str) {
    let start = Instant::now();
    loop {
        let got = query(db, sql);
        if got == expected {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {sql} to give {expected}; it gives {got}");
        std::thread::sleep(Duration::from_millis(100));
    }
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
    tmux.type_text("/armor");
    tmux.send("Enter");
    tmux.wait_for("the filtered list", |s| s.contains("/ armor") && s.contains("1 of 14"));
    tmux.send("Enter");
    tmux.wait_for("the supplier", |s| s.contains("SZ-ARMOR · Armor Case Works"));
    tmux.send("a");
    tmux.wait_for("the audit form", |s| s.contains("Start an audit") && s.contains("floor.auditor"));
    tmux.send("Enter");
    tmux.wait_for("the editor", |s| s.contains(&draft) && s.contains("0 of 41 answered"));
    tmux.send("y");
    tmux.wait_for("one answer", |s| s.contains("1 of 41 answered"));
    tmux.send("p");
    tmux.wait_for("two answers", |s| s.contains("2 of 41 answered"));
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
    tmux.wait_for("LG-04 selected", |s| s.contains("LG-04 · Legitimacy"));
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
    tmux.type_text("/armor");
    tmux.send("Enter");
    tmux.wait_for("the filtered list", |s| s.contains("1 of 14"));
    tmux.send("Enter");
    tmux.wait_for("the supplier", |s| s.contains("SZ-ARMOR · Armor Case Works"));
    tmux.send("3");
    tmux.wait_for("the audits pane", |s| s.contains(&reference) && s.contains("draft"));
    tmux.send("End");
    tmux.send("Enter");
    let screen = tmux.wait_for("the editor where it was left", |s| s.contains(&draft));
    assert!(screen.contains("LG-04 · Legitimacy"), "{screen}");
    assert!(screen.contains("2 of 41 answered") && screen.contains("2 Evidence (1)"), "{screen}");
    assert!(screen.contains("LG-01 ! yes") && screen.contains("LG-02 ! partial"), "{screen}");
    tmux.send("2");
    tmux.wait_for("the evidence", |s| s.contains("Peel tests per batch"));
    // q leaves only from the lists: back out first.
    tmux.send("Escape");
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
