//! The built binary in a real terminal: `casebook demo` inside tmux,
//! driven with `send-keys` and read with `capture-pane`. It opens on the
//! Suppliers screen with verdicts, Enter opens a supplier with its pillars,
//! the screen follows a resize, `?` opens the help and Esc closes it, and
//! `q` returns to the shell with status 0 (the pane's shell prints it).
//!
//! Needs tmux. Without it the test fails and says so, unless
//! `CASEBOOK_SKIP_TMUX=1` is set. Each run uses its own tmux server
//! (`-L`), which it kills at the end.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A debug build imports the demo in about a second; leave room for slow CI.
const PATIENCE: Duration = Duration::from_secs(30);

struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 120 × 40 session.
    fn start(command: &str, dir: &Path) -> Self {
        let tmux = Self { socket: format!("casebook-test-{}", std::process::id()) };
        let out =
            tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command], dir);
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    fn run(&self, args: &[&str], dir: &Path) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).current_dir(dir).output().unwrap()
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

#[test]
fn casebook_demo_in_a_real_terminal() {
    if !tmux_is_installed() {
        if std::env::var_os("CASEBOOK_SKIP_TMUX").is_some_and(|v| v == "1") {
            eprintln!("tmux is not installed; skipped because CASEBOOK_SKIP_TMUX=1");
            return;
        }
        panic!("this test needs tmux (apt-get install tmux), or set CASEBOOK_SKIP_TMUX=1 to skip it");
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
    let tmux = Tmux::start(&command, dir.path());

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

    tmux.send("q");
    let screen = tmux.wait_for("the shell with the exit status", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
}
