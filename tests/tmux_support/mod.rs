//! Driving the built binary in a real terminal: a tmux server of the
//! test's own, keys sent with `send-keys`, pastes with `paste-buffer -p`
//! (bracketed, as a terminal pastes), the screen read with `capture-pane`,
//! and the database read with another connection, as any SQLite tool would.

#![allow(dead_code, clippy::unwrap_used)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A debug build imports the demo in about a second; leave room for slow CI.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 120 × 40 session on a server of its
    /// own (`name`: tests run side by side).
    pub fn start(name: &str, command: &str, dir: &Path) -> Self {
        let tmux = Self { socket: format!("casebook-test-{}-{name}", std::process::id()) };
        let out =
            tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command], dir);
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    pub fn run(&self, args: &[&str], dir: &Path) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).current_dir(dir).output().unwrap()
    }

    /// Typed literally (no key names).
    pub fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "main", "-l", text], Path::new("."));
        assert!(out.status.success(), "send-keys -l {text}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The process running in the pane's shell (the shell's only child).
    pub fn app_pid(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "main", "#{pane_pid}"], Path::new("."));
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children.split_whitespace().next().expect("the app runs under the pane's shell").to_owned()
    }

    pub fn send(&self, keys: &str) {
        let out = self.run(&["send-keys", "-t", "main", keys], Path::new("."));
        assert!(out.status.success(), "send-keys {keys}: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "main"], Path::new(".")).stdout).into_owned()
    }

    /// From the supplier list, opens SZ-ARMOR's screen through the filter.
    pub fn open_armor(&self) {
        self.type_text("/armor");
        self.send("Enter");
        self.wait_for("the filtered list", |s| s.contains("1 of 14"));
        self.send("Enter");
        self.wait_for("the supplier", |s| s.contains("SZ-ARMOR · Armor Case Works"));
    }

    /// Polls the screen until `ready` holds; fails with the last screen.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
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

pub fn tmux_is_installed() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// `false` (skip) when tmux is missing and `CASEBOOK_SKIP_TMUX=1`; fails when
/// it is missing otherwise.
pub fn tmux_or_skip() -> bool {
    if tmux_is_installed() {
        return true;
    }
    if std::env::var_os("CASEBOOK_SKIP_TMUX").is_some_and(|v| v == "1") {
        eprintln!("tmux is not installed; skipped because CASEBOOK_SKIP_TMUX=1");
        return false;
    }
    panic!("this test needs tmux (apt-get install tmux), or set CASEBOOK_SKIP_TMUX=1 to skip it");
}

/// A demo database made by `casebook demo --no-ui` in `dir`.
pub fn demo_db(dir: &Path) -> PathBuf {
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
pub fn quit_expect_exit_0(tmux: &Tmux) {
    tmux.send("q");
    let screen = tmux.wait_for("the shell with the exit status", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
}

/// The UI on `db`, as of the demo's day, the exit status printed after.
pub fn ui_command(db: &Path, home: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_casebook");
    format!(
        "env -u CASEBOOK_DB -u NO_COLOR HOME='{home}' CASEBOOK_AUDITOR=floor.auditor TERM=xterm-256color sh -c \
         \"'{bin}' --db '{db}' --as-of 2026-11-15; echo EXIT=\\$?; sleep 60\"",
        home = home.display(),
        db = db.display(),
    )
}

pub fn query(db: &Path, sql: &str) -> String {
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
pub fn wait_for_query(db: &Path, sql: &str, expected: &str) {
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

impl Tmux {
    /// Pastes `text` as a terminal does when the app asked for bracketed
    /// paste (`paste-buffer -p`), in one piece.
    pub fn paste(&self, text: &str) {
        let out = self.run(&["set-buffer", "--", text], Path::new("."));
        assert!(out.status.success(), "set-buffer: {}", String::from_utf8_lossy(&out.stderr));
        let out = self.run(&["paste-buffer", "-p", "-t", "main"], Path::new("."));
        assert!(out.status.success(), "paste-buffer: {}", String::from_utf8_lossy(&out.stderr));
    }
}
