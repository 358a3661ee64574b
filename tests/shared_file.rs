//! Data loss beside other SQLite tools (issue 11 §1). A process that holds
//! connections to the database the way the UI does (the main connection, a
//! second one for the background assessment, a third for an import) keeps
//! every write it reported as saved while other processes — the sqlite3
//! shell, another casebook, a backup script — open and close the same file,
//! even when it is then killed with SIGKILL.
//!
//! The holder runs in a child process: this test binary re-runs itself with
//! `CASEBOOK_HOLDER_DB` set, and the child takes orders on stdin. (Closing any
//! descriptor of the database outside SQLite drops every POSIX lock the
//! process holds on it; the next process to close its connection then thinks
//! it is the last, checkpoints and deletes the WAL the holder still writes
//! into.)

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use casebook::model::{Answer, AnswerResult};
use casebook::store::{OpenMode, Store};
use common::Sandbox;

const AS_OF: &str = "2026-11-15";

/// The child: opens the UI's connections and obeys one order per line.
fn holder(db: &Path) {
    let as_of = chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let mut main = Store::open(db, OpenMode::Existing).unwrap();
    // The background assessment: a second connection, opened and dropped.
    casebook::workflow::assess(&main, None, as_of).unwrap();
    // The import connection, kept open as the UI's import thread keeps it.
    let mut importer = main.reopen().unwrap().unwrap();
    let audit: i64 = {
        let read = main.read();
        read.require_audit(&std::env::var("CASEBOOK_HOLDER_AUDIT").unwrap()).unwrap()
    };
    let questions: Vec<String> =
        main.read().template("odm-capability/1").unwrap().questions.into_iter().map(|q| q.code).collect();
    println!("\nHOLDER:ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["answer", from, to] => {
                for q in &questions[from.parse().unwrap()..to.parse().unwrap()] {
                    let w = main.begin("floor.auditor").unwrap();
                    w.set_answer(audit, &Answer { question: q.clone(), result: AnswerResult::Yes, note: None })
                        .unwrap();
                    w.commit().unwrap();
                }
            }
            ["assess"] => drop(casebook::workflow::assess(&main, None, as_of).unwrap()),
            ["import", name, from, to] => {
                let rows: Vec<String> = (from.parse::<usize>().unwrap()..to.parse().unwrap())
                    .map(|i| common::lot_row("SZ-ARMOR", &format!("{name}-{i:05}")))
                    .collect();
                let doc = common::csv_doc(&rows);
                let options = casebook::exchange::ImportOptions::default();
                let report =
                    casebook::exchange::import_bytes(&mut importer, name, doc.as_bytes(), "floor.auditor", options)
                        .unwrap();
                assert!(report.committed, "{:?}", report.problems);
            }
            other => panic!("unknown order {other:?}"),
        }
        println!("HOLDER:done");
    }
}

struct Holder {
    child: Child,
    orders: ChildStdin,
    replies: BufReader<ChildStdout>,
}

impl Holder {
    /// Re-runs this test (`test`) as the holder of `db`'s connections.
    fn start(test: &str, db: &Path, audit: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--nocapture", "--test-threads", "1"])
            .env("CASEBOOK_HOLDER_DB", db)
            .env("CASEBOOK_HOLDER_AUDIT", audit)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let orders = child.stdin.take().unwrap();
        let replies = BufReader::new(child.stdout.take().unwrap());
        let mut holder = Self { child, orders, replies };
        holder.wait_for("ready");
        holder
    }

    fn wait_for(&mut self, word: &str) {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(self.replies.read_line(&mut line).unwrap() > 0, "the holder died before saying {word:?}");
            if line.trim().ends_with(&format!("HOLDER:{word}")) {
                return;
            }
        }
    }

    /// Sends one order and waits until it is carried out (committed).
    fn order(&mut self, order: &str) {
        writeln!(self.orders, "{order}").unwrap();
        self.wait_for("done");
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "the holder was killed, not ended");
    }
}

/// Runs this test as the holder when asked to; whether it did.
fn run_as_holder() -> bool {
    match std::env::var_os("CASEBOOK_HOLDER_DB") {
        Some(db) => {
            holder(Path::new(&db));
            true
        }
        None => false,
    }
}

/// The sqlite3 shell, as a user or a backup script would run it.
fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().expect("the sqlite3 shell is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn new_audit(sandbox: &Sandbox) -> String {
    let created = sandbox.run(&["--as-of", AS_OF, "audit", "new", "SZ-ARMOR"]);
    created.assert_success();
    created.stdout.trim().to_owned()
}

fn side_files_exist(db: &Path) -> bool {
    ["-wal", "-shm"].iter().all(|s| PathBuf::from(format!("{}{s}", db.display())).exists())
}

fn answers(sandbox: &Sandbox, audit: &str) -> i64 {
    sandbox
        .sql()
        .query_row("SELECT count(*) FROM answers a JOIN audits u ON u.id = a.audit_id WHERE u.ref = ?1", [audit], |r| {
            r.get(0)
        })
        .unwrap()
}

fn integrity(sandbox: &Sandbox) -> String {
    sandbox.sql().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

#[test]
fn saved_answers_survive_other_processes_opening_the_file_and_a_sigkill() {
    if run_as_holder() {
        return;
    }
    let sandbox = Sandbox::demo();
    let audit = new_audit(&sandbox);
    let lots_before = sandbox.count("SELECT count(*) FROM lots");
    let mut holder =
        Holder::start("saved_answers_survive_other_processes_opening_the_file_and_a_sigkill", &sandbox.db, &audit);

    holder.order("answer 0 10");
    // Another process reads and closes: the sqlite3 shell, then casebook.
    assert_eq!(
        sqlite3(&sandbox.db, "SELECT count(*) FROM answers WHERE audit_id = (SELECT max(id) FROM audits)"),
        "10"
    );
    sandbox.run(&["suppliers"]).assert_success();
    assert!(side_files_exist(&sandbox.db), "another process's close deleted the WAL under the holder");
    holder.order("answer 10 20");
    holder.order("assess");
    // Another process writes, then closes.
    sqlite3(
        &sandbox.db,
        "INSERT INTO shortlist (supplier_id, added_at) SELECT id, '2026-11-15' FROM suppliers LIMIT 1",
    );
    sandbox.run(&["shortlist", "add", "DG-PRIME"]).assert_success();
    holder.order("answer 20 30");
    holder.order("import HOLD 0 500");
    sqlite3(&sandbox.db, "SELECT count(*) FROM lots");
    holder.order("answer 30 41");
    holder.kill();

    assert_eq!(integrity(&sandbox), "ok");
    assert_eq!(answers(&sandbox, &audit), 41, "every answer the holder committed is in the file");
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), lots_before + 500);
    assert_eq!(sandbox.count("SELECT count(*) FROM shortlist"), 2);
}

#[test]
fn a_concurrent_import_and_the_ui_connections_both_keep_their_rows() {
    if run_as_holder() {
        return;
    }
    let sandbox = Sandbox::demo();
    let audit = new_audit(&sandbox);
    let lots_before = sandbox.count("SELECT count(*) FROM lots");
    let n = 60_000;
    let rows: Vec<String> = (0..n).map(|i| common::lot_row("DG-PRIME", &format!("CLI-{i:06}"))).collect();
    let csv = sandbox.write("cli.csv", common::csv_doc(&rows));
    let mut holder =
        Holder::start("a_concurrent_import_and_the_ui_connections_both_keep_their_rows", &sandbox.db, &audit);
    let mut import = sandbox.command();
    import.arg("--db").arg(&sandbox.db).arg("import").arg(&csv).stdout(Stdio::null()).stderr(Stdio::piped());
    let import = import.spawn().unwrap();
    for (i, step) in (0..41).step_by(5).enumerate() {
        holder.order(&format!("answer {step} {}", (step + 5).min(41)));
        sqlite3(&sandbox.db, "SELECT count(*) FROM answers");
        if i % 3 == 0 {
            holder.order(&format!("import H{i} 0 100"));
        }
    }
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The import has ended; another tool reads, the holder goes on writing.
    sqlite3(&sandbox.db, "SELECT count(*) FROM lots");
    holder.order("import HEND 0 100");
    holder.kill();

    assert_eq!(integrity(&sandbox), "ok");
    assert_eq!(answers(&sandbox, &audit), 41);
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), lots_before + n + 400, "both writers' lots are there");
}

#[test]
fn the_database_itself_is_refused_as_every_input_and_output() {
    if run_as_holder() {
        return;
    }
    let sandbox = Sandbox::demo();
    let db = sandbox.db.to_str().unwrap().to_owned();
    let wal = format!("{db}-wal");
    std::os::unix::fs::symlink(&sandbox.db, sandbox.path("alias.db")).unwrap();
    let before = sandbox.snapshot();
    let cases: [(&[&str], &str); 9] = [
        (&["import", &db], "is the casebook database"),
        (&["import", "alias.db"], "is the casebook database"),
        (&["import", "--dry-run", &wal], "is the casebook database"),
        (&["attach", "1", &db], "is the casebook database"),
        (&["export", "-o", "alias.db"], "is the casebook database"),
        (&["shortlist", "export", "--format", "csv", "-o", &db], "is the casebook database"),
        (&["backup", &db], "is the casebook database"),
        (&["--as-of", "2026-11-15", "yield", "--supplier", "SZ-ARMOR", "--format", "svg", "-o", &wal], "WAL"),
        (&["backup", &wal], "is the casebook database's WAL"),
    ];
    for (args, message) in cases {
        let run = sandbox.run(args);
        run.assert_failure().assert_stderr_has(message);
        sandbox.assert_unchanged(&before);
    }
}

mod tui_support;

/// The screen's words, one space apart: popups wrap their text anywhere.
fn words(screen: &str) -> String {
    screen.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_ui_refuses_to_import_or_export_over_its_own_database() {
    if run_as_holder() {
        return;
    }
    let demo = tui_support::Demo::new();
    let mut app = demo.app();
    let db = demo.db();
    let lots = common::dump(&db);
    tui_support::press(&mut app, &format!("/armor<Enter><Enter>i{}<Enter>", db.display()));
    app.wait_for_assessment();
    let screen = words(&tui_support::text(&app, 120, 40));
    assert!(screen.contains("this is the casebook database"), "{screen}");
    tui_support::press(&mut app, &format!("<Esc><Esc><Esc>m<Tab><Tab>e<C-u>{}<Enter>", db.display()));
    let screen = words(&tui_support::text(&app, 120, 40));
    assert!(screen.contains("The shortlist was not exported"), "{screen}");
    assert!(screen.contains("this is the casebook database itself"), "{screen}");
    drop(app);
    let lots_of = |dump: &str| dump.lines().filter(|l| l.starts_with("lots:")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(lots_of(&lots), lots_of(&common::dump(&db)), "nothing was imported");
    assert_eq!(common::dump(&db).lines().next(), lots.lines().next(), "still the casebook database");
}
