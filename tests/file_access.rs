//! The database file as others leave it (issue 11 §6): refused files stay
//! byte for byte as they were, side files included; a file this user cannot
//! write is read without creating anything beside it and writes say why; a
//! full disk is called a full disk; a write waits for another process's
//! import, says what it waits for, and gives up after a documented bound.
//!
//! "Another user" is `nobody` through `setpriv` when the tests run as root,
//! and the file's own permissions otherwise. The full-disk tests mount a
//! small tmpfs in a user namespace (`unshare -rm`); where that is impossible
//! they fail, unless `CASEBOOK_SKIP_FULL_DISK=1` is set.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::store::LATEST_VERSION;
use common::{Run, Sandbox};
use rusqlite::Connection;
use rusqlite::config::DbConfig;

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// The SHA-256 of the database and of each side file (`None`: absent).
fn fingerprint(db: &Path) -> Vec<Option<String>> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| side(db, s))
        .map(|p| p.exists().then(|| common::sha256_of(&p)))
        .collect()
}

/// A database as another program leaves it: `user_version` and
/// `application_id` committed to the file, then more rows in a WAL that
/// was not checkpointed (the writer closed without checkpointing).
fn leave_with_wal(db: &Path, user_version: i64, application_id: i64) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS other (x); PRAGMA user_version = {user_version};
         PRAGMA application_id = {application_id}; PRAGMA wal_checkpoint(TRUNCATE);
         PRAGMA wal_autocheckpoint = 0; INSERT INTO other VALUES (1), (2), (3);"
    ))
    .unwrap();
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).unwrap();
    drop(conn);
    assert!(std::fs::metadata(side(db, "-wal")).unwrap().len() > 0, "the WAL holds uncheckpointed rows");
}

fn commands(sandbox: &Sandbox) -> Vec<Vec<String>> {
    let csv = sandbox.write("lots.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "X-1")]));
    let csv = csv.display().to_string();
    [&["flags"][..], &["suppliers"], &["check"], &["import", &csv], &["init"], &["shortlist", "add", "SZ-ARMOR"]]
        .iter()
        .map(|args| args.iter().map(|a| (*a).to_owned()).collect())
        .collect()
}

#[test]
fn refusing_a_newer_or_foreign_database_leaves_it_and_its_wal_byte_identical() {
    for (user_version, application_id, why) in [
        (LATEST_VERSION + 1, 0x4342_4b31, "written by a newer casebook"),
        (3, 0x1234_5678, "an SQLite database of another application"),
    ] {
        let sandbox = Sandbox::new();
        leave_with_wal(&sandbox.db, user_version, application_id);
        let before = fingerprint(&sandbox.db);
        for args in commands(&sandbox) {
            sandbox.run(&args).assert_failure().assert_stderr_has(why);
            assert_eq!(fingerprint(&sandbox.db), before, "{args:?} touched the file or its side files");
        }
    }
}

#[test]
fn a_newer_version_only_in_the_wal_is_refused_without_a_checkpoint() {
    let sandbox = Sandbox::empty();
    let conn = Connection::open(&sandbox.db).unwrap();
    conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = {};", LATEST_VERSION + 1))
        .unwrap();
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).unwrap();
    drop(conn);
    let (db, wal) = (common::sha256_of(&sandbox.db), common::sha256_of(&side(&sandbox.db, "-wal")));
    sandbox.run(&["flags"]).assert_failure().assert_stderr_has("written by a newer casebook");
    sandbox.run(&["init"]).assert_failure().assert_stderr_has("written by a newer casebook");
    assert_eq!(common::sha256_of(&sandbox.db), db, "the database file was not checkpointed into");
    assert_eq!(common::sha256_of(&side(&sandbox.db, "-wal")), wal, "the WAL is left as it was");
}

#[test]
fn a_device_is_not_a_database_and_gets_no_journal() {
    let sandbox = Sandbox::new();
    for args in commands(&sandbox) {
        let run = common::run(sandbox.command().arg("--db").arg("/dev/null").args(&args));
        run.assert_failure().assert_stderr_has("/dev/null: not a casebook database (it is a character device");
    }
    for suffix in ["-journal", "-wal", "-shm"] {
        assert!(!Path::new(&format!("/dev/null{suffix}")).exists(), "/dev/null{suffix} was created");
    }
}

#[test]
fn read_commands_never_write_a_schema_into_a_blank_sqlite_file() {
    let sandbox = Sandbox::new();
    Connection::open(&sandbox.db).unwrap().execute_batch("CREATE TABLE t (x); DROP TABLE t;").unwrap();
    let before = fingerprint(&sandbox.db);
    for args in [&["flags"][..], &["suppliers"], &["check"], &["history"], &["audit", "new", "SZ-ARMOR"]] {
        sandbox.run(args).assert_failure().assert_stderr_has("it is an empty SQLite database; `casebook init`");
        assert_eq!(fingerprint(&sandbox.db), before, "{args:?}");
    }
    sandbox.run(&["init"]).assert_success();
    sandbox.run(&["suppliers"]).assert_success();
}

/// Whether the tests run as root: the owner of a folder they just made.
fn running_as_root(sandbox: &Sandbox) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(sandbox.dir.path()).unwrap().uid() == 0
}

/// The binary run as "another user": `nobody` through `setpriv` when the
/// tests run as root (the sandbox opened for it to traverse), else as this
/// user, whose access the caller restricts with permissions.
fn other_user(sandbox: &Sandbox) -> Command {
    if !running_as_root(sandbox) {
        return Command::new(env!("CARGO_BIN_EXE_casebook"));
    }
    std::fs::set_permissions(sandbox.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_casebook")]);
    cmd
}

/// Runs casebook as a user who can read `db` and create files in its folder
/// but not write `db` itself: `nobody` when root (the folder opened to all),
/// else this user with `db` made read-only.
fn as_reader(sandbox: &Sandbox, db: &Path, args: &[&str]) -> Run {
    let folder = db.parent().unwrap();
    let mode = if running_as_root(sandbox) { 0o644 } else { 0o444 };
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(db, std::fs::Permissions::from_mode(mode)).unwrap();
    let mut cmd = other_user(sandbox);
    cmd.current_dir(sandbox.dir.path()).env_remove("CASEBOOK_DB").env("HOME", folder).arg("--db").arg(db).args(args);
    common::run(&mut cmd)
}

/// A copy of the sandbox's database in a folder of its own: (folder, file).
fn in_folder(sandbox: &Sandbox, name: &str) -> (PathBuf, PathBuf) {
    let folder = sandbox.path(name);
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("casebook.db");
    std::fs::copy(&sandbox.db, &db).unwrap();
    (folder, db)
}

fn folder_entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_file_this_user_cannot_write_is_read_without_side_files_and_writes_say_why() {
    let sandbox = Sandbox::demo();
    let (folder, db) = in_folder(&sandbox, "shared");
    let before = (folder_entries(&folder), common::sha256_of(&db));
    for args in [&["suppliers"][..], &["--as-of", "2026-11-15", "flags"], &["check"], &["export"], &["history"]] {
        as_reader(&sandbox, &db, args).assert_success();
        assert_eq!((folder_entries(&folder), common::sha256_of(&db)), before, "{args:?} left something behind");
    }
    let flags = as_reader(&sandbox, &db, &["--as-of", "2026-11-15", "flags", "--format", "json"]);
    assert!(flags.stdout.contains("\"SZ-ARMOR\""), "{}", flags.stdout);
    let lots = sandbox.write("lots.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "RO-1")]));
    for args in
        [&["import", lots.to_str().unwrap()][..], &["shortlist", "add", "SZ-ARMOR"], &["audit", "new", "SZ-ARMOR"]]
    {
        as_reader(&sandbox, &db, args)
            .assert_failure()
            .assert_stderr_has("cannot write the database: this user cannot write it (check the file's owner")
            .assert_stderr_has("commands that only read still work");
        assert_eq!((folder_entries(&folder), common::sha256_of(&db)), before, "{args:?}");
    }
    // Its owner writes as before: nothing of another user's is in the way.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    common::run(sandbox.command().arg("--db").arg(&db).args(["import", lots.to_str().unwrap()])).assert_success();
}

#[test]
fn a_folder_this_user_cannot_write_is_read_and_writes_name_the_folder() {
    let sandbox = Sandbox::demo();
    let (folder, db) = in_folder(&sandbox, "locked");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = |db: &Path, args: &[&str]| {
        let mut cmd = other_user(&sandbox);
        common::run(cmd.current_dir(sandbox.dir.path()).env("HOME", &folder).arg("--db").arg(db).args(args))
    };
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = (folder_entries(&folder), common::sha256_of(&db));
    let read = run(&db, &["suppliers"]);
    let write = run(&db, &["shortlist", "add", "SZ-ARMOR"]);
    let fresh = run(&folder.join("new.db"), &["init"]);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    read.assert_success().assert_stdout_has("SZ-ARMOR");
    write.assert_failure().assert_stderr_has(&format!(
        "cannot write the database: its folder {} is not writable, and SQLite needs to create casebook.db-wal",
        folder.display()
    ));
    fresh.assert_failure().assert_stderr_has("cannot create the database: its folder");
    for run in [&write, &fresh] {
        assert!(!run.stderr.contains("not a casebook database"), "{}", run.stderr);
    }
    assert_eq!((folder_entries(&folder), common::sha256_of(&db)), before);
}

/// Runs `script` (sh) in a user and mount namespace of its own, with a
/// tmpfs of `kib` KiB mounted at `$MNT`; `None` when namespaces are not
/// available here and `CASEBOOK_SKIP_FULL_DISK=1`.
fn on_small_disk(sandbox: &Sandbox, kib: u32, script: &str) -> Option<Run> {
    let mnt = sandbox.path("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\""])
        .arg(&mnt)
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        if std::env::var_os("CASEBOOK_SKIP_FULL_DISK").is_some_and(|v| v == "1") {
            eprintln!("cannot mount a tmpfs in a user namespace here; skipped because CASEBOOK_SKIP_FULL_DISK=1");
            return None;
        }
        panic!(
            "this test mounts a small tmpfs with `unshare -rm`; set CASEBOOK_SKIP_FULL_DISK=1 where that is impossible"
        );
    }
    let full = format!("mount -t tmpfs -o size={kib}k tmpfs \"$MNT\" && {script}");
    let mut cmd = Command::new("unshare");
    cmd.args(["--user", "--map-root-user", "--mount", "sh", "-c", &full])
        .current_dir(sandbox.dir.path())
        .env("MNT", &mnt)
        .env("BIN", env!("CARGO_BIN_EXE_casebook"))
        .env("DEMO", &sandbox.db)
        .env_remove("CASEBOOK_DB");
    Some(common::run(&mut cmd))
}

#[test]
fn a_full_disk_is_called_a_full_disk_and_nothing_is_written() {
    let sandbox = Sandbox::demo();
    common::checkpointed_sha256(&sandbox.db);
    let rows: Vec<String> = (0..30_000).map(|i| common::lot_row("SZ-ARMOR", &format!("FULL-{i:06}"))).collect();
    sandbox.write("big.csv", common::csv_doc(&rows));
    // The demo (700 KiB) fits; 30,000 more lots do not. Then the disk is filled.
    let script = r#"cp "$DEMO" "$MNT/db" && sha256sum "$MNT/db" > before &&
        "$BIN" --db "$MNT/db" import big.csv; echo "import=$?";
        "$BIN" --db "$MNT/db" --as-of 2026-11-15 check > check.out; echo "check=$?";
        dd if=/dev/zero of="$MNT/fill" bs=1k 2>/dev/null;
        "$BIN" --db "$MNT/new.db" init; echo "init=$?"; ls "$MNT" > listing;
        sha256sum "$MNT/db" > after"#;
    let Some(run) = on_small_disk(&sandbox, 1000, script) else { return };
    assert!(run.stdout.contains("import=1") && run.stdout.contains("init=1"), "{run:?}");
    assert!(run.stdout.contains("check=0"), "the database is sound after the refused import: {run:?}");
    for line in run.stderr.lines().filter(|l| l.starts_with("casebook: error")) {
        assert!(line.contains(": the disk holding ") && line.contains(" is full ("), "{line}");
        assert!(!line.contains("not a casebook database"), "{line}");
    }
    assert_eq!(run.stderr.lines().filter(|l| l.starts_with("casebook: error")).count(), 2, "{}", run.stderr);
    let read = |name: &str| std::fs::read_to_string(sandbox.path(name)).unwrap();
    assert_eq!(read("before"), read("after"), "the refused import left the file as it was");
    assert!(!read("listing").contains("new.db"), "a failed init leaves no empty database: {}", read("listing"));
}

#[test]
fn concurrent_imports_queue_and_say_what_they_wait_for() {
    let sandbox = Sandbox::demo();
    let n = 10;
    let files: Vec<PathBuf> = (0..n)
        .map(|f| {
            let rows: Vec<String> =
                (0..20_000).map(|i| common::lot_row("DG-PRIME", &format!("Q{f:02}-{i:06}"))).collect();
            sandbox.write(&format!("q{f}.csv"), common::csv_doc(&rows))
        })
        .collect();
    let before = sandbox.count("SELECT count(*) FROM lots");
    // Another writer holds the database until every import has said that
    // it is waiting; then they queue behind each other.
    let holder = sandbox.sql();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut children: Vec<_> = files
        .iter()
        .map(|file| {
            let mut cmd = sandbox.command();
            cmd.arg("--db").arg(&sandbox.db).arg("import").arg(file).stdout(Stdio::null()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let (lines, heard) = std::sync::mpsc::channel();
    let readers: Vec<_> = children
        .iter_mut()
        .map(|child| {
            let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
            let lines = lines.clone();
            std::thread::spawn(move || {
                let mut all = Vec::new();
                for line in std::io::BufRead::lines(stderr) {
                    let line = line.unwrap();
                    let _ = lines.send(line.clone());
                    all.push(line);
                }
                all.join("\n")
            })
        })
        .collect();
    drop(lines);
    let start = Instant::now();
    let mut waiting = 0;
    while waiting < files.len() && start.elapsed() < Duration::from_secs(120) {
        if let Ok(line) = heard.recv_timeout(Duration::from_millis(100)) {
            waiting += usize::from(line.contains("waiting for another process to finish writing to"));
        }
    }
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(waiting, files.len(), "every import waited for the held lock and said so");
    let stderrs: Vec<String> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    for (child, stderr) in children.iter_mut().zip(&stderrs) {
        assert!(child.wait().unwrap().success() && !stderr.contains("locked"), "{stderr}");
    }
    let told = |s: &String| s.matches("waiting for another process to finish writing to").count();
    assert!(stderrs.iter().all(|s| told(s) == 1), "each import said it once: {stderrs:#?}");
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), before + 20_000 * n);
    eprintln!("{n} concurrent imports of 20,000 lots behind a held write lock: all waited, said so once, none failed");
}

#[test]
fn a_write_gives_up_after_its_bound_with_a_clear_message() {
    let sandbox = Sandbox::demo();
    let holder = sandbox.sql();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let lots = sandbox.write("lots.csv", common::csv_doc(&[common::lot_row("SZ-ARMOR", "WAIT-1")]));
    let start = Instant::now();
    let run = common::run(
        sandbox.command().env("CASEBOOK_WRITE_WAIT", "2").arg("--db").arg(&sandbox.db).arg("import").arg(&lots),
    );
    let took = start.elapsed();
    holder.execute_batch("ROLLBACK").unwrap();
    run.assert_failure()
        .assert_stderr_has("waiting for another process to finish writing to")
        .assert_stderr_has("waiting up to 2 s")
        .assert_stderr_has("another process kept the database locked for 2 s (a long import?); nothing was written");
    assert!(!run.stderr.contains("database is locked"), "{}", run.stderr);
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(20), "{took:?}");
    assert_eq!(sandbox.count("SELECT count(*) FROM lots WHERE lot = 'WAIT-1'"), 0);
    let refused =
        common::run(sandbox.command().env("CASEBOOK_WRITE_WAIT", "soon").arg("--db").arg(&sandbox.db).arg("suppliers"));
    refused.assert_failure().assert_stderr_has("CASEBOOK_WRITE_WAIT=\"soon\": expected a whole number of seconds");
}
