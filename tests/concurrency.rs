//! Concurrent use, with real processes: while one process imports a large
//! lot file, others keep reading and writing the same database. None may fail
//! with "database is locked", and every read sees either none or all of the
//! import (WAL, a busy timeout, short transactions).

mod common;

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use common::Sandbox;
use serde_json::Value;

fn lots_of(sandbox: &Sandbox, code: &str) -> i64 {
    let run = sandbox.run(&["suppliers", "--format", "json"]);
    run.assert_success();
    let all: Value = serde_json::from_str(&run.stdout).expect("suppliers JSON");
    let listed = all.as_array().expect("an array").iter().find(|s| s["code"] == code).expect("supplier listed");
    listed["lots"].as_i64().expect("a count")
}

#[test]
fn readers_and_writers_work_while_an_import_runs() {
    let sandbox = Sandbox::demo();
    let n = 120_000;
    let rows: Vec<String> = (0..n).map(|i| common::lot_row("SZ-ARMOR", &format!("BUSY-{i:06}"))).collect();
    let csv = sandbox.write("busy.csv", common::csv_doc(&rows));
    let before = lots_of(&sandbox, "SZ-ARMOR");
    let created = sandbox.run(&["--as-of", "2026-11-15", "audit", "new", "SZ-NEWCO"]);
    created.assert_success();
    let reference = created.stdout.trim().to_owned();

    let started = Instant::now();
    let mut import = sandbox.command();
    import
        .arg("--db")
        .arg(&sandbox.db)
        .args(["import", csv.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut import = import.spawn().expect("start the import");
    let done = AtomicBool::new(false);

    let (reads, writes) = std::thread::scope(|scope| {
        // A reader, as an open UI refreshing its lists.
        let reader = scope.spawn(|| {
            let mut seen = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let lots = lots_of(&sandbox, "SZ-ARMOR");
                assert!(lots == before || lots == before + n, "a reader saw {} of {n} imported lots", lots - before);
                seen.push((started.elapsed(), lots));
            }
            seen
        });
        // A writer, as an auditor saving answers: waits for the import's
        // write lock (busy timeout), never fails.
        let writer = scope.spawn(|| {
            let mut waits = Vec::new();
            let mut flip = false;
            while !done.load(Ordering::Relaxed) {
                flip = !flip;
                let t = Instant::now();
                let write = sandbox.run(&["audit", "answer", &reference, "LG-01", if flip { "yes" } else { "no" }]);
                assert!(write.code == Some(0) && !write.stderr.contains("locked"), "a write failed: {}", write.stderr);
                waits.push(t.elapsed());
            }
            waits
        });
        while import.try_wait().expect("try_wait").is_none() {
            assert!(started.elapsed().as_secs() < 120, "the import did not end within two minutes");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let import_took = started.elapsed();
        done.store(true, Ordering::Relaxed);
        let reads = reader.join().expect("reader");
        let saves = writer.join().expect("writer");
        let during = reads.iter().filter(|(at, _)| *at < import_took).count();
        assert!(during > 1, "readers must keep working while the import runs ({during} reads during it)");
        eprintln!(
            "import of {n} lots took {import_took:?}; {} reads ({during} during the import, none blocked), {} writes \
             (longest wait {:?})",
            reads.len(),
            saves.len(),
            saves.iter().max().copied().unwrap_or_default()
        );
        (reads, saves)
    });
    assert!(!reads.is_empty() && !writes.is_empty());
    let out = import.wait_with_output().expect("import output");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("locked"));
    assert_eq!(lots_of(&sandbox, "SZ-ARMOR"), before + n);
    assert!(sandbox.run(&["check"]).code == Some(0));
}
