//! Attachments through the binary: `casebook attach` copies the file into
//! the database's file store (`<db>.files/ab/<sha256>`), `check` verifies the
//! stored copy by its hash — and older rows, recorded only by path, at that
//! path. Nothing that is not a regular file, too big, or the database itself
//! goes in; and `check` never hangs or reads forever on a FIFO, a device or
//! a directory standing where an attached file was.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Sandbox;
use serde_json::Value;

/// An evidence item of a submitted demo audit.
const SUBMITTED_EVIDENCE: &str = "SELECT min(e.id) FROM evidence e JOIN audits a ON a.id = e.audit_id
                                  WHERE a.status = 'submitted'";

fn stored_files(db: &Path) -> Vec<PathBuf> {
    let root = PathBuf::from(format!("{}.files", db.display()));
    let Ok(dirs) = std::fs::read_dir(&root) else { return Vec::new() };
    dirs.flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten().map(|f| f.unwrap().path())).collect()
}

/// `casebook check --format json` with a time limit: it must never hang.
fn check(sandbox: &Sandbox) -> (bool, Value) {
    let mut child = sandbox
        .command()
        .arg("--db")
        .arg(&sandbox.db)
        .args(["--as-of", "2026-11-15", "check", "--format", "json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("casebook check did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), serde_json::from_slice(&out.stdout).expect("check prints JSON"))
}

fn problems(results: &Value, name: &str) -> Vec<String> {
    let check = results.as_array().unwrap().iter().find(|r| r["check"] == name).expect("check present");
    check["problems"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect()
}

#[test]
fn attach_copies_the_file_into_the_store_and_check_verifies_the_copy() {
    let sandbox = Sandbox::demo();
    let evidence = sandbox.count(SUBMITTED_EVIDENCE).to_string();
    let photo = sandbox.write("IMG_2041.jpg", b"\xff\xd8\xff\xe0 a photo of a peel test");
    let run = sandbox.run(&["attach", &evidence, "IMG_2041.jpg"]);
    run.assert_success().assert_stdout_has("attachment 1: IMG_2041.jpg (27 bytes, sha256 ");
    run.assert_stdout_has("image/jpeg) on evidence");
    let stored = stored_files(&sandbox.db);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), std::fs::read(&photo).unwrap());
    let sha = stored[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(run.stdout.contains(&sha) && run.stdout.contains(&stored[0].display().to_string()), "{}", run.stdout);
    let row =
        sandbox.sql().query_row("SELECT stored, original_name, media_type, size, sha256 FROM attachments", [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        });
    assert_eq!(row.unwrap(), (1, "IMG_2041.jpg".into(), "image/jpeg".into(), 27, sha.clone()));
    assert!(check(&sandbox).0);

    // The original may now change or go: the record holds the evidence.
    std::fs::remove_file(&photo).unwrap();
    let (ok, results) = check(&sandbox);
    assert!(ok, "{results:#}");

    // The stored copy altered, then gone: `check` says so, naming the row.
    let mut perms = std::fs::metadata(&stored[0]).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&stored[0], perms).unwrap();
    std::fs::write(&stored[0], b"\xff\xd8\xff\xe0 another photo, same size").unwrap();
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let found = problems(&results, "attachments");
    assert!(
        found.len() == 1 && found[0].starts_with("attachment 1 (evidence ") && found[0].contains("was altered"),
        "{found:?}"
    );
    std::fs::remove_file(&stored[0]).unwrap();
    let (_, results) = check(&sandbox);
    assert!(problems(&results, "attachments")[0].contains("No such file"), "{results:#}");
}

#[test]
fn the_same_file_twice_is_stored_once_and_recorded_twice() {
    let sandbox = Sandbox::demo();
    let evidence = sandbox.count(SUBMITTED_EVIDENCE).to_string();
    sandbox.write("report.pdf", b"%PDF-1.7 DFM report rev C");
    sandbox.run(&["attach", &evidence, "report.pdf"]).assert_success().assert_stdout_has("application/pdf");
    sandbox.run(&["attach", "2", "report.pdf"]).assert_success();
    assert_eq!(stored_files(&sandbox.db).len(), 1);
    assert_eq!(sandbox.count("SELECT count(*) FROM attachments WHERE stored = 1"), 2);
    assert_eq!(sandbox.count("SELECT count(*) FROM history WHERE entity = 'attachment'"), 2);
    assert!(check(&sandbox).0);
}

#[test]
fn what_cannot_be_attached_is_refused_and_nothing_is_recorded_or_stored() {
    let sandbox = Sandbox::demo();
    let evidence = sandbox.count(SUBMITTED_EVIDENCE).to_string();
    let fifo = sandbox.path("pipe.jpg");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", sandbox.path("zero.jpg")).unwrap();
    std::fs::create_dir(sandbox.path("photos")).unwrap();
    std::fs::File::create(sandbox.path("huge.pdf")).unwrap().set_len(50_000_001).unwrap();
    let db = sandbox.db.display().to_string();
    let wal = format!("{db}-wal");
    let before = sandbox.snapshot();
    let cases: [(&str, &str); 7] = [
        ("pipe.jpg", "is a FIFO (named pipe), not a regular file; only regular files can be attached"),
        ("zero.jpg", "is a character device"),
        ("photos", "is a directory"),
        ("huge.pdf", "larger than 50 MB (50000000 bytes), the most one attachment may be"),
        (&db, "this is the casebook database itself"),
        (&wal, "the casebook database's WAL"),
        ("nowhere.jpg", "nowhere.jpg: cannot be read"),
    ];
    for (file, why) in cases {
        let start = Instant::now();
        sandbox.run(&["attach", &evidence, file]).assert_failure().assert_stderr_has(why);
        assert!(start.elapsed() < Duration::from_secs(20), "{file} took {:?}", start.elapsed());
        sandbox.assert_unchanged(&before);
    }
    sandbox.run(&["attach", "999999", "Cargo.toml"]).assert_failure().assert_stderr_has("no evidence item 999999");
    assert!(stored_files(&sandbox.db).is_empty());
}

#[test]
fn check_reports_special_files_at_recorded_paths_without_hanging_and_goes_on() {
    let sandbox = Sandbox::demo();
    let fifo = sandbox.path("pipe.jpg");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", sandbox.path("zero.jpg")).unwrap();
    std::fs::create_dir(sandbox.path("folder.jpg")).unwrap();
    let grown = sandbox.write("grown.jpg", b"abcdef");
    let hash_of_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let rows = [
        (fifo, "is a FIFO"),
        (sandbox.path("zero.jpg"), "is a character device"),
        (sandbox.path("folder.jpg"), "is a directory"),
        (grown, "longer than the recorded 3 bytes"),
        (sandbox.path("gone.jpg"), "No such file"),
    ];
    let sql = sandbox.sql();
    for (n, (path, _)) in rows.iter().enumerate() {
        sql.execute(
            "INSERT INTO attachments (evidence_id, path, size, sha256, attached_at, attached_by, gid)
             VALUES (1, ?1, 3, ?2, '2026-11-15T00:00:00.000Z', 'tester', ?3)",
            rusqlite::params![path.to_str().unwrap(), hash_of_abc, format!("0190f3c2-0000-7000-8000-{n:012x}")],
        )
        .unwrap();
    }
    drop(sql);
    let (ok, results) = check(&sandbox);
    assert!(!ok);
    let found = problems(&results, "attachments");
    assert_eq!(found.len(), rows.len(), "{found:?}");
    for (i, (path, why)) in rows.iter().enumerate() {
        let line = &found[i];
        assert!(line.starts_with(&format!("attachment {} (evidence 1): ", i + 1)), "{line}");
        assert!(line.contains(&path.display().to_string()) && line.contains(why), "{line}");
    }
    let names: Vec<&str> = results.as_array().unwrap().iter().map(|r| r["check"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 10, "every check ran: {names:?}");
    assert_eq!(names.last(), Some(&"merges"), "after the attachments, which did not stop the run");
}

/// The legacy-v2 fixture restored with its attachment's recorded path moved
/// into the sandbox (the file it names is `photo.jpg` beside the fixture).
fn legacy(sandbox: &Sandbox) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v2");
    let photo = sandbox.path("photo.jpg");
    std::fs::copy(fixture.join("photo.jpg"), &photo).unwrap();
    let sql = std::fs::read_to_string(fixture.join("db.sql")).unwrap();
    let sql = sql.replace("/tmp/casebook-legacy-fixture/photo.jpg", photo.to_str().unwrap());
    rusqlite::Connection::open(&sandbox.db).unwrap().execute_batch(&sql).unwrap();
    photo
}

#[test]
fn a_legacy_attachment_is_still_verified_at_its_recorded_path() {
    let sandbox = Sandbox::new();
    let photo = legacy(&sandbox);
    let (_, results) = check(&sandbox);
    assert_eq!(problems(&results, "attachments"), Vec::<String>::new(), "{results:#}");
    let summary = results.as_array().unwrap().iter().find(|r| r["check"] == "attachments").unwrap()["summary"].clone();
    assert_eq!(summary, "1 attached file(s) re-hashed: 0 in the file store, 1 at their recorded path");
    assert_eq!(sandbox.count("SELECT stored FROM attachments"), 0, "the migrated row is still by path");
    std::fs::write(&photo, b"not the photo that was attached").unwrap();
    let (_, results) = check(&sandbox);
    let found = problems(&results, "attachments");
    assert!(found.len() == 1 && found[0].contains("was altered"), "{found:?}");
    // A new attachment on the migrated database goes into the store.
    sandbox.write("new.png", b"\x89PNG\r\n\x1a\n....");
    sandbox.run(&["attach", "66", "new.png"]).assert_success().assert_stdout_has("image/png");
    assert_eq!(sandbox.count("SELECT count(*) FROM attachments WHERE stored = 1"), 1);
}

#[test]
fn a_whole_dossier_carries_an_attachment_and_its_file() {
    let sandbox = Sandbox::demo();
    let evidence = sandbox.count(SUBMITTED_EVIDENCE).to_string();
    let photo = sandbox.write("IMG_2041.jpg", b"\xff\xd8\xff\xe0 a photo of a peel test");
    sandbox.run(&["attach", &evidence, "IMG_2041.jpg"]).assert_success();
    let dossier = sandbox.path("whole.json");
    sandbox.run(&["export", "-o", dossier.to_str().unwrap()]).assert_success();
    // The photo is gone from where it was attached: only the dossier carries it.
    std::fs::remove_file(&photo).unwrap();
    let fresh = Sandbox::new();
    fresh.run(&["import", dossier.to_str().unwrap()]).assert_success().assert_stdout_has("1 attachment");
    let stored = stored_files(&fresh.db);
    assert_eq!(stored.len(), 1, "the file arrived in the new database's file store: {stored:?}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), b"\xff\xd8\xff\xe0 a photo of a peel test");
    let (ok, results) = check(&fresh);
    assert!(ok, "check passes where the dossier went: {results:#}");
    let row: (i64, String) = fresh
        .sql()
        .query_row("SELECT stored, original_name FROM attachments", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(row, (1, "IMG_2041.jpg".to_owned()));
}

#[test]
fn a_dry_run_of_a_whole_dossier_stores_no_file() {
    let sandbox = Sandbox::demo();
    let evidence = sandbox.count(SUBMITTED_EVIDENCE).to_string();
    sandbox.write("IMG_2041.jpg", b"\xff\xd8\xff\xe0 a photo of a peel test");
    sandbox.run(&["attach", &evidence, "IMG_2041.jpg"]).assert_success();
    let dossier = sandbox.path("whole.json");
    sandbox.run(&["export", "-o", dossier.to_str().unwrap()]).assert_success();
    let fresh = Sandbox::new();
    fresh.run(&["init"]).assert_success();
    let run = fresh.run(&["import", "--dry-run", dossier.to_str().unwrap()]);
    run.assert_success().assert_stdout_has("checked (dry run, nothing written)").assert_stdout_has("1 attachment");
    assert!(stored_files(&fresh.db).is_empty(), "a dry run copied a file into the file store");
    // The real import takes the file in.
    fresh.run(&["import", dossier.to_str().unwrap()]).assert_success();
    assert_eq!(stored_files(&fresh.db).len(), 1);
}
