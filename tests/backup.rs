//! `casebook backup` through the binary: it finishes while another process
//! writes all the time, a killed or failed backup leaves no destination (nor
//! a `-journal` beside it) and a retry works, the copy is verified and
//! carries the attached files, and `check` passes on it.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::Sandbox;

/// The demo with `n` more lots: a database of some size.
fn bigger(n: usize) -> Sandbox {
    let sandbox = Sandbox::demo();
    let rows: Vec<String> = (0..n).map(|i| common::lot_row("DG-PRIME", &format!("B-{i:07}"))).collect();
    let csv = sandbox.write("many.csv", common::csv_doc(&rows));
    sandbox.run(&["import", csv.to_str().unwrap()]).assert_success();
    sandbox
}

fn leftovers(dir: &Path, name: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(name) || n.starts_with(&format!(".{name}")))
        .collect()
}

fn check_passes(sandbox: &Sandbox, db: &Path) {
    let run = common::run(sandbox.command().arg("--db").arg(db).args(["--as-of", "2026-11-15", "check"]));
    run.assert_success();
}

#[test]
fn a_backup_finishes_while_another_process_writes_all_the_time() {
    let sandbox = bigger(200_000);
    let dest = sandbox.path("copy.db");
    let stop = AtomicBool::new(false);
    let (took, writes) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut writes = 0;
            while !stop.load(Ordering::Relaxed) {
                let code = if writes % 2 == 0 { "add" } else { "remove" };
                sandbox.run(&["shortlist", code, "SZ-ARMOR"]).assert_success();
                writes += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            writes
        });
        std::thread::sleep(Duration::from_millis(300));
        let start = Instant::now();
        let mut backup = sandbox.command();
        backup.arg("--db").arg(&sandbox.db).arg("backup").arg(&dest).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = backup.spawn().unwrap();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                stop.store(true, Ordering::Relaxed);
                panic!("the backup did not finish within two minutes while another process wrote");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("the copy passed SQLite's integrity check") && said.contains("seal(s) were verified"));
        (took, writer.join().unwrap())
    });
    assert!(writes > 2, "the other process wrote during the backup ({writes} writes)");
    assert_eq!(
        rusqlite::Connection::open(&dest)
            .unwrap()
            .query_row("SELECT count(*) FROM lots", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        sandbox.count("SELECT count(*) FROM lots"),
        "every lot is in the copy"
    );
    check_passes(&sandbox, &dest);
    eprintln!(
        "backup of {} MiB under writes: {took:?}, {writes} writes meanwhile",
        std::fs::metadata(&dest).unwrap().len() >> 20
    );
}

#[test]
fn a_killed_backup_leaves_no_destination_and_a_retry_works() {
    let sandbox = bigger(100_000);
    let dest = sandbox.path("copy.db");
    let mut landed = 0;
    for i in 0..6 {
        let mut child = sandbox
            .command()
            .arg("--db")
            .arg(&sandbox.db)
            .arg("backup")
            .arg(&dest)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + 60 * i));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            child.wait().unwrap();
        } else {
            child.wait().unwrap();
        }
        assert!(!sandbox.path("copy.db-journal").exists());
        if dest.exists() {
            // The kill came after the rename: the backup is whole.
            check_passes(&sandbox, &dest);
            std::fs::remove_file(&dest).unwrap();
        } else {
            landed += 1;
        }
    }
    assert!(landed > 0, "no kill landed before the backup was whole; the test tests nothing");
    // Only hidden temporary files may remain, and a retry works.
    for name in leftovers(sandbox.dir.path(), "copy.db") {
        assert!(name.starts_with(".copy.db.") && name.ends_with(".partial"), "{name}");
    }
    sandbox.run(&["backup", dest.to_str().unwrap()]).assert_success();
    check_passes(&sandbox, &dest);
}

#[test]
fn a_failed_backup_leaves_nothing_and_says_why() {
    let sandbox = Sandbox::demo();
    let taken = sandbox.write("taken.db", b"keep me");
    let cases: [(PathBuf, &str); 2] = [
        (taken.clone(), "already exists; choose a new file name"),
        (sandbox.path("no/such/folder/copy.db"), "cannot write the backup there"),
    ];
    for (dest, why) in cases {
        sandbox.run(&["backup", dest.to_str().unwrap()]).assert_failure().assert_stderr_has(why);
    }
    assert_eq!(std::fs::read(&taken).unwrap(), b"keep me");
    assert!(leftovers(sandbox.dir.path(), "taken.db").iter().all(|n| n == "taken.db"));
}

#[test]
fn a_backup_carries_the_attached_files_and_checks_clean() {
    let sandbox = Sandbox::demo();
    sandbox.write("IMG_1.jpg", b"\xff\xd8\xff\xe0 first photo");
    sandbox.write("report.pdf", b"%PDF-1.7 a report");
    sandbox.run(&["attach", "1", "IMG_1.jpg"]).assert_success();
    sandbox.run(&["attach", "2", "report.pdf"]).assert_success();
    let dest = sandbox.path("backups/copy.db");
    std::fs::create_dir(sandbox.path("backups")).unwrap();
    let run = sandbox.run(&["backup", dest.to_str().unwrap()]);
    run.assert_success().assert_stdout_has("2 attached file(s) copied");
    assert!(sandbox.path("backups/copy.db.files").is_dir());
    check_passes(&sandbox, &dest);
    // The original's file store is not needed by the copy.
    std::fs::rename(sandbox.path("casebook.db.files"), sandbox.path("moved.files")).unwrap();
    check_passes(&sandbox, &dest);
    assert_eq!(common::dump(&sandbox.db), common::dump(&dest));
}

#[test]
fn the_backup_is_a_single_file_that_opens_anywhere() {
    let sandbox = Sandbox::demo();
    let dest = sandbox.path("copy.db");
    sandbox.run(&["backup", dest.to_str().unwrap()]).assert_success();
    assert_eq!(leftovers(sandbox.dir.path(), "copy.db"), ["copy.db"], "no side files, no temporary left");
    let header = std::fs::read(&dest).unwrap();
    assert_eq!(header[18..20], [1, 1], "a rollback-journal file, not WAL: it needs no -wal or -shm to be read");
    let version = Command::new("sqlite3").arg(&dest).arg("PRAGMA user_version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), casebook::store::LATEST_VERSION.to_string());
}
