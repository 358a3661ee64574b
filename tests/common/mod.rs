//! Shared helpers for the integration tests: a sandbox directory with its own
//! database path, the `casebook` binary run inside it, the demo fixtures, and
//! a canonical dump of every table so a test can prove a command changed
//! nothing (content and, after a checkpoint, the file's bytes).

#![allow(dead_code)] // each test crate uses a different subset

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use casebook::exchange::{self, ImportOptions, ImportReport};
use casebook::store::{OpenMode, Store};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

/// The ten required columns of the yield-lot CSV, in DOMAIN.md's order.
pub const LOT_HEADER: &str = "supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped";

/// The demo data: 14 suppliers, 2,203 lots (3 in the dossier, 2,200 in the CSV).
pub const DEMO_SUPPLIERS: usize = 14;
pub const DEMO_CSV_LOTS: usize = 2200;
pub const DEMO_LOTS: usize = 2203;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// A good CSV row for `supplier` with lot code `lot` (1,200 started, 1,130 first pass).
pub fn lot_row(supplier: &str, lot: &str) -> String {
    format!("{supplier},{lot},T-SKU,co_molding,TPU+PC,2026-03-01,1200,1130,50,20")
}

/// A CSV document: the header, then `rows`, each ended by a newline.
pub fn csv_doc(rows: &[String]) -> String {
    let mut doc = format!("{LOT_HEADER}\n");
    for row in rows {
        doc.push_str(row);
        doc.push('\n');
    }
    doc
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.code, Some(0), "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Exit status 1 (casebook's failure), not a crash or a usage error.
    #[track_caller]
    pub fn assert_failure(&self) -> &Self {
        assert_eq!(self.code, Some(1), "expected exit status 1\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn assert_stderr_has(&self, fragment: &str) -> &Self {
        assert!(self.stderr.contains(fragment), "stderr lacks {fragment:?}\nstderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn assert_stdout_has(&self, fragment: &str) -> &Self {
        assert!(self.stdout.contains(fragment), "stdout lacks {fragment:?}\nstdout:\n{}", self.stdout);
        self
    }

    /// The stderr lines that report a problem of `file` (`FILE: where: what`).
    pub fn problem_lines(&self, file: &Path) -> Vec<&str> {
        let prefix = format!("{}: ", file.display());
        self.stderr.lines().filter(|l| l.starts_with(&prefix)).collect()
    }
}

/// A temporary directory with a database path in it (the file may not exist
/// yet) and a private data directory, so no test can touch the user's own.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Sandbox {
    /// No database file yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("casebook.db");
        Self { dir, db }
    }

    /// An initialised, empty database.
    pub fn empty() -> Self {
        let sandbox = Self::new();
        drop(Store::open(&sandbox.db, OpenMode::Create).expect("create database"));
        sandbox
    }

    /// A database holding the demo dossier and the demo lots (imported once
    /// per test process through the library, then copied).
    pub fn demo() -> Self {
        static DEMO: OnceLock<Vec<u8>> = OnceLock::new();
        let bytes = DEMO.get_or_init(|| {
            let template = Self::new();
            let mut store = Store::open(&template.db, OpenMode::Create).expect("create database");
            for name in ["demo-dossier.json", "demo-lots.csv"] {
                let report = exchange::import_file(&mut store, &fixture(name), "fixture", ImportOptions::default())
                    .expect("import fixture");
                assert!(report.committed, "fixture {name} did not import: {:?}", report.problems);
            }
            drop(store);
            checkpointed_sha256(&template.db);
            std::fs::read(&template.db).expect("read demo database")
        });
        let sandbox = Self::new();
        std::fs::write(&sandbox.db, bytes).expect("copy demo database");
        // A copy of the template: it takes an installation tag of its own
        // at its first change (opening it writes nothing).
        sandbox
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `bytes` to a file in the sandbox and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write input file");
        path
    }

    /// The binary with a clean environment: no `CASEBOOK_*`, a fixed user,
    /// and home/data directories inside the sandbox.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_casebook"));
        cmd.current_dir(self.dir.path())
            .env_remove("CASEBOOK_DB")
            .env_remove("CASEBOOK_AUDITOR")
            .env("USER", "tester")
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("xdg-data"));
        cmd
    }

    /// Runs `casebook --db <sandbox db> ARGS...`.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let mut cmd = self.command();
        cmd.arg("--db").arg(&self.db).args(args);
        run(&mut cmd)
    }

    /// Opens the database with the library, as the binary would for a write.
    pub fn store(&self) -> Store {
        Store::open(&self.db, OpenMode::Existing).expect("open database")
    }

    /// Imports bytes through the library (no dry run).
    pub fn import_bytes(&self, name: &str, bytes: &[u8]) -> ImportReport {
        let mut store = self.store();
        exchange::import_bytes(&mut store, name, bytes, "tester", ImportOptions::default()).expect("import_bytes")
    }

    /// A raw connection on the database file, foreign keys enforced.
    pub fn sql(&self) -> Connection {
        let conn = Connection::open(&self.db).expect("open raw connection");
        conn.pragma_update(None, "foreign_keys", "ON").expect("foreign keys on");
        conn
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.sql().query_row(sql, [], |r| r.get(0)).expect("count query")
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.db)
    }

    /// Asserts the database holds exactly what it held at `before`.
    #[track_caller]
    pub fn assert_unchanged(&self, before: &Snapshot) {
        before.assert_same(&Snapshot::of(&self.db));
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run casebook");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A database's content (every row of every table, ordered) and the SHA-256
/// of its file after a `wal_checkpoint(TRUNCATE)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub dump: String,
    pub sha256: String,
}

impl Snapshot {
    pub fn of(db: &Path) -> Self {
        let dump = dump(db);
        let sha256 = checkpointed_sha256(db);
        Self { dump, sha256 }
    }

    #[track_caller]
    pub fn assert_same(&self, after: &Snapshot) {
        if self.dump != after.dump {
            let first = self.dump.lines().zip(after.dump.lines()).find(|(a, b)| a != b);
            panic!(
                "database content changed ({} → {} dump lines); first difference:\n  before: {:?}\n  after:  {:?}",
                self.dump.lines().count(),
                after.dump.lines().count(),
                first.map(|(a, _)| a),
                first.map(|(_, b)| b)
            );
        }
        assert_eq!(self.sha256, after.sha256, "database content is the same but the file's bytes changed");
    }
}

/// Every row of every table in `sqlite_schema`, ordered by all columns,
/// after the schema itself and the two header pragmas. Text, so a failing
/// comparison can show the first line that differs.
pub fn dump(db: &Path) -> String {
    let conn = Connection::open(db).expect("open for dump");
    let mut out = String::new();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("user_version");
    let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).expect("application_id");
    writeln!(out, "user_version {version}; application_id {app}").expect("write to a String");
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
        .expect("schema query");
    let objects: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("schema rows")
        .collect::<Result<_, _>>()
        .expect("schema rows");
    for (kind, name, table, sql) in &objects {
        writeln!(out, "schema {kind} {name} on {table}: {sql}").expect("write to a String");
    }
    for (_, name, _, _) in objects.iter().filter(|(kind, ..)| kind == "table") {
        dump_table(&conn, name, &mut out);
    }
    out
}

fn dump_table(conn: &Connection, table: &str, out: &mut String) {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let columns: usize = conn
        .query_row(&format!("SELECT count(*) FROM pragma_table_info('{}')", table.replace('\'', "''")), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| usize::try_from(n).expect("column count"))
        .expect("table_info");
    let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
    let sql = format!("SELECT * FROM {quoted} ORDER BY {}", order.join(", "));
    let mut stmt = conn.prepare(&sql).expect("select table");
    let mut rows = stmt.query([]).expect("query table");
    let mut n = 0;
    while let Some(row) = rows.next().expect("row") {
        let cells: Vec<String> = (0..columns).map(|i| cell(row.get_ref(i).expect("cell"))).collect();
        writeln!(out, "{table}: {}", cells.join(" | ")).expect("write to a String");
        n += 1;
    }
    writeln!(out, "{table}: {n} rows").expect("write to a String");
}

fn cell(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => format!("{f:?}"),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("x'{}'", hex(b)),
    }
}

/// Moves every committed WAL frame into the main file, then hashes it.
pub fn checkpointed_sha256(db: &Path) -> String {
    {
        let conn = Connection::open(db).expect("open for checkpoint");
        let busy: i64 =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).expect("wal_checkpoint(TRUNCATE)");
        assert_eq!(busy, 0, "the checkpoint could not complete (another connection is open?)");
    }
    sha256_of(db)
}

pub fn sha256_of(path: &Path) -> String {
    hex(&Sha256::digest(std::fs::read(path).expect("read file")))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        write!(s, "{b:02x}").expect("write to a String");
        s
    })
}

/// Every lot code of the demo CSV with its supplier, read with the csv crate.
pub fn demo_csv_lots() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(fixture("demo-lots.csv")).expect("open demo CSV");
    reader
        .records()
        .map(|r| {
            let r = r.expect("demo CSV record");
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect()
}

/// The demo dossier as a JSON value.
pub fn demo_dossier() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(fixture("demo-dossier.json")).expect("read dossier")).expect("parse dossier")
}

/// Imports `bytes` as `file` through the binary into a demo database and
/// checks it is refused: exit status 1, exactly the `problems` on stderr (each
/// prefixed by the file name), the summary line, and nothing changed.
#[track_caller]
pub fn assert_refused(file: &str, bytes: impl AsRef<[u8]>, problems: &[&str], rejected: u64) -> Run {
    assert_refused_in(&Sandbox::demo(), file, bytes, problems, rejected)
}

/// Like [`assert_refused`], in a given database.
#[track_caller]
pub fn assert_refused_in(
    sandbox: &Sandbox,
    file: &str,
    bytes: impl AsRef<[u8]>,
    problems: &[&str],
    rejected: u64,
) -> Run {
    sandbox.write(file, bytes);
    let before = sandbox.snapshot();
    let run = sandbox.run(&["import", file]);
    run.assert_failure();
    for problem in problems {
        run.assert_stderr_has(&format!("{file}: {problem}\n"));
    }
    assert_eq!(run.problem_lines(Path::new(file)).len(), problems.len(), "other problems reported:\n{}", run.stderr);
    run.assert_stdout_has(&format!(
        "{file}: rejected, nothing written: inserted 0; duplicates 0; rejected {rejected}\n"
    ));
    sandbox.assert_unchanged(&before);
    run
}
