//! The `casebook` binary's basics and its handling of the database file.
//!
//! Covers `--db` before or after the subcommand, `CASEBOOK_DB`, `where`,
//! `--auditor`/`CASEBOOK_AUDITOR`, `--as-of`, `suppliers --format json|csv`
//! read back with `serde_json` and the `csv` crate, the import summary line, and
//! per-file all-or-nothing; then the database file: `init` twice, a newer
//! schema, a text file, a directory and another application's SQLite file
//! are refused and left byte-identical, and read commands never create a
//! database. Also checks that the snapshot helper itself sees changes.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;

use casebook::store::LATEST_VERSION;
use common::{
    DEMO_CSV_LOTS, DEMO_LOTS, DEMO_SUPPLIERS, Sandbox, csv_doc, demo_csv_lots, demo_dossier, fixture, lot_row, run,
};
use serde_json::Value;

#[test]
fn db_is_accepted_before_and_after_the_subcommand() {
    let sandbox = Sandbox::demo();
    let before = run(sandbox.command().arg("--db").arg(&sandbox.db).args(["suppliers", "--format", "csv"]));
    let after = run(sandbox.command().args(["suppliers", "--format", "csv", "--db"]).arg(&sandbox.db));
    before.assert_success();
    after.assert_success();
    assert_eq!(before.stdout, after.stdout);
    assert_eq!(before.stdout.lines().count(), DEMO_SUPPLIERS + 1);
}

#[test]
fn the_casebook_db_variable_is_honoured_and_db_overrides_it() {
    let sandbox = Sandbox::demo();
    let by_env = run(sandbox.command().env("CASEBOOK_DB", &sandbox.db).args(["suppliers", "--format", "json"]));
    by_env.assert_success();
    let rows: Vec<Value> = serde_json::from_str(&by_env.stdout).unwrap();
    assert_eq!(rows.len(), DEMO_SUPPLIERS);

    let where_env = run(sandbox.command().env("CASEBOOK_DB", &sandbox.db).arg("where"));
    where_env.assert_success();
    assert_eq!(where_env.stdout, format!("{}\n", sandbox.db.display()));

    let other = sandbox.path("other.db");
    let overridden = run(sandbox.command().env("CASEBOOK_DB", &sandbox.db).arg("--db").arg(&other).arg("where"));
    overridden.assert_success();
    assert_eq!(overridden.stdout, format!("{}\n", other.display()));
    assert!(!other.exists(), "`where` created the database");
}

#[test]
fn where_prints_the_path_and_the_state() {
    let sandbox = Sandbox::demo();
    let run = sandbox.run(&["where"]);
    run.assert_success()
        .assert_stderr_has(&format!("schema version {LATEST_VERSION}; {DEMO_SUPPLIERS} suppliers; {DEMO_LOTS} lots; "));
    assert_eq!(run.stdout, format!("{}\n", sandbox.db.display()));

    let missing = Sandbox::new();
    let run = missing.run(&["where"]);
    run.assert_success()
        .assert_stderr_has("(no database there yet; `casebook init` or `casebook import FILE` creates it)");
    assert_eq!(run.stdout, format!("{}\n", missing.db.display()));
    assert!(!missing.db.exists());
}

#[test]
#[cfg(target_os = "linux")]
fn where_without_db_uses_the_platform_data_directory() {
    let sandbox = Sandbox::new();
    let run = common::run(sandbox.command().arg("where"));
    run.assert_success();
    let expected = sandbox.path("xdg-data").join("casebook").join("casebook.db");
    assert_eq!(run.stdout, format!("{}\n", expected.display()));
    assert!(!expected.exists());
}

/// Per supplier code: the number of lots in the demo CSV and dossier.
fn demo_lot_counts() -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for (supplier, _) in demo_csv_lots() {
        *counts.entry(supplier).or_default() += 1;
    }
    for s in demo_dossier()["suppliers"].as_array().expect("suppliers") {
        let n = s.get("lots").and_then(Value::as_array).map_or(0, Vec::len) as u64;
        *counts.entry(s["code"].as_str().expect("code").to_owned()).or_default() += n;
    }
    counts
}

fn len(value: &Value) -> u64 {
    value.as_array().map_or(0, |a| a.len() as u64)
}

#[test]
fn suppliers_as_json_reads_back_with_the_fixture_counts() {
    let sandbox = Sandbox::demo();
    let run = sandbox.run(&["suppliers", "--format", "json"]);
    run.assert_success();
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("suppliers --format json is JSON");
    let dossier = demo_dossier();
    let lots = demo_lot_counts();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted, "ordered by code");
    assert_eq!(rows.len(), DEMO_SUPPLIERS);
    for row in &rows {
        let code = row["code"].as_str().unwrap();
        let fixture = dossier["suppliers"].as_array().unwrap().iter().find(|s| s["code"] == code).unwrap();
        for field in ["name", "country", "business_type", "models"] {
            assert_eq!(row[field], fixture[field], "{code}.{field}");
        }
        assert_eq!(row["moq"], fixture.get("moq").cloned().unwrap_or(Value::Null), "{code}.moq");
        assert_eq!(row["lots"].as_u64(), Some(lots[code]), "{code}.lots");
        assert_eq!(row["claims"].as_u64(), Some(len(&fixture["claims"])), "{code}.claims");
        assert_eq!(row["audits"].as_u64(), Some(len(&fixture["audits"])), "{code}.audits");
        let evidence: u64 = fixture["audits"].as_array().map_or(0, |a| a.iter().map(|a| len(&a["evidence"])).sum());
        assert_eq!(row["evidence"].as_u64(), Some(evidence), "{code}.evidence");
    }
    let total: u64 = rows.iter().map(|r| r["lots"].as_u64().unwrap()).sum();
    assert_eq!(total, DEMO_LOTS as u64);
}

#[test]
fn suppliers_as_csv_reads_back_with_the_csv_crate() {
    let sandbox = Sandbox::demo();
    let cjk = r#"{"format": "casebook-dossier/1", "suppliers": [{"code": "T-CJK", "name": "深圳盔甲, \"Armor\" 有限公司",
                  "country": "CN", "business_type": "unknown", "models": []}]}"#;
    assert!(sandbox.import_bytes("cjk.json", cjk.as_bytes()).committed);
    let run = sandbox.run(&["suppliers", "--format", "csv"]);
    run.assert_success();
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers,
        [
            "code", "name", "country", "city", "type", "models", "moq", "dev_days", "claims", "audits", "evidence",
            "lots", "voided"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("valid CSV");
    assert_eq!(records.len(), DEMO_SUPPLIERS + 1);
    let cjk = records.iter().find(|r| &r[0] == "T-CJK").expect("the added supplier");
    assert_eq!(&cjk[1], "深圳盔甲, \"Armor\" 有限公司");
    assert_eq!(&cjk[11], "0");
    let dossier = demo_dossier();
    let lots = demo_lot_counts();
    for record in records.iter().filter(|r| &r[0] != "T-CJK") {
        let fixture = dossier["suppliers"].as_array().unwrap().iter().find(|s| s["code"] == record[0]).unwrap();
        // Names hold commas and CJK characters: quoting and UTF-8 must survive.
        assert_eq!(record[1], *fixture["name"].as_str().unwrap());
        assert_eq!(record[2], *fixture["country"].as_str().unwrap());
        assert_eq!(record[4], *fixture["business_type"].as_str().unwrap());
        let models: Vec<&str> = fixture["models"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        assert_eq!(record[5], models.join("+"));
        assert_eq!(record[11].parse::<u64>().unwrap(), lots[&record[0]], "{}", &record[0]);
    }
    assert!(records.iter().filter(|r| r[1].contains(',')).count() > 1, "names with commas are in the demo");
}

#[test]
fn the_import_summary_counts_inserted_duplicates_and_rejected() {
    let sandbox = Sandbox::demo();
    let (supplier, existing) = demo_csv_lots().into_iter().next().unwrap();
    sandbox.write(
        "mixed.csv",
        csv_doc(&[lot_row("SZ-ARMOR", "T-1"), lot_row(&supplier, &existing), lot_row("DG-PRIME", "T-2")]),
    );
    sandbox.write("bad.csv", csv_doc(&[lot_row("SZ-NOBODY", "T-3"), lot_row("SZ-NOBODY", "T-4")]));

    let run = sandbox.run(&["import", "mixed.csv", "bad.csv"]);
    // Each file is all-or-nothing on its own: the good one is imported.
    run.assert_failure()
        .assert_stdout_has("mixed.csv: imported: inserted 2 lots; duplicates 1 lot; rejected 0\n")
        .assert_stdout_has("bad.csv: rejected, nothing written: inserted 0; duplicates 0; rejected 2\n");
    assert_eq!(sandbox.count("SELECT count(*) FROM lots WHERE lot IN ('T-1', 'T-2')"), 2);
    assert_eq!(sandbox.count("SELECT count(*) FROM lots WHERE lot IN ('T-3', 'T-4')"), 0);

    let again = sandbox.run(&["import", "--format", "json", "mixed.csv"]);
    again.assert_success();
    let reports: Vec<Value> = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["committed"], true);
    assert_eq!(reports[0]["inserted"]["lots"].as_u64().unwrap_or(0), 0);
    assert_eq!(reports[0]["duplicates"]["lots"], 3);
    assert_eq!(reports[0]["rejected"], 0);
}

#[test]
fn the_auditor_is_recorded_in_history() {
    let actors = |sandbox: &Sandbox| -> Vec<String> {
        let conn = sandbox.sql();
        let mut stmt = conn.prepare("SELECT DISTINCT actor FROM history ORDER BY actor").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let lots = fixture("demo-lots.csv");
    let dossier = fixture("demo-dossier.json");

    let by_flag = Sandbox::new();
    by_flag
        .run(&[OsStr::new("--auditor"), OsStr::new("alice"), OsStr::new("import"), dossier.as_os_str()])
        .assert_success();
    assert_eq!(actors(&by_flag), ["alice"]);

    let by_env = Sandbox::new();
    let mut cmd = by_env.command();
    cmd.env("CASEBOOK_AUDITOR", "bob").arg("--db").arg(&by_env.db).arg("import").arg(&dossier);
    run(&mut cmd).assert_success();
    assert_eq!(actors(&by_env), ["bob"]);

    let by_user = Sandbox::new();
    by_user.run(&[OsStr::new("import"), dossier.as_os_str(), lots.as_os_str()]).assert_success();
    assert_eq!(actors(&by_user), ["tester"]);
}

#[test]
fn as_of_must_be_a_real_date() {
    let sandbox = Sandbox::demo();
    let run = sandbox.run(&["--as-of", "2026-02-30", "suppliers"]);
    assert_eq!(run.code, Some(2), "a usage error\n{}", run.stderr);
    run.assert_stderr_has("`2026-02-30` is not a real calendar date; expected YYYY-MM-DD");
    sandbox.run(&["--as-of", "2026-11-15", "suppliers"]).assert_success();
}

#[test]
fn init_twice_is_clean() {
    let sandbox = Sandbox::new();
    let ready = format!("{}: ready (schema version {LATEST_VERSION})\n", sandbox.db.display());
    assert_eq!(sandbox.run(&["init"]).assert_success().stdout, ready);
    let first = sandbox.snapshot();
    assert_eq!(sandbox.run(&["init"]).assert_success().stdout, ready);
    sandbox.assert_unchanged(&first);
    let version: i64 = sandbox.sql().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, LATEST_VERSION);
    let tables = sandbox.count("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    assert_eq!(
        tables, 23,
        "suppliers … attachments, audit_cursors, lot_annotations, control_plans, question_notes, installation, \
         merged_sources, field_versions, hub_link, hub_state"
    );
    // The checklist template and the default policy are seeded once.
    assert_eq!(sandbox.count("SELECT count(*) FROM checklist_questions"), 41);
    assert!(sandbox.count("SELECT count(*) FROM policy") > 0);
}

/// Runs each command on `db` (a file or directory that casebook must refuse)
/// and checks the message, the exit status and that the bytes are unchanged.
#[track_caller]
fn assert_every_command_refuses(sandbox: &Sandbox, message: &str) {
    let before = std::fs::read(&sandbox.db).ok();
    let lots = fixture("demo-lots.csv");
    let commands: [Vec<&OsStr>; 5] = [
        vec![OsStr::new("init")],
        vec![OsStr::new("suppliers")],
        vec![OsStr::new("export")],
        vec![OsStr::new("import"), lots.as_os_str()],
        vec![OsStr::new("import"), OsStr::new("--dry-run"), lots.as_os_str()],
    ];
    for args in &commands {
        let run = sandbox.run(args);
        run.assert_failure().assert_stderr_has(&format!("casebook: error: {}: {message}", sandbox.db.display()));
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(std::fs::read(&sandbox.db).ok(), before, "{args:?} changed the file");
        let wal = sandbox.db.with_extension("db-wal");
        assert!(std::fs::metadata(&wal).map_or(true, |m| m.len() == 0), "{args:?} left a WAL");
    }
}

#[test]
fn a_database_of_a_newer_schema_is_refused_and_left_byte_identical() {
    let sandbox = Sandbox::demo();
    sandbox.sql().pragma_update(None, "user_version", LATEST_VERSION + 1).unwrap();
    common::checkpointed_sha256(&sandbox.db);
    let message = format!(
        "written by a newer casebook (schema version {}; this casebook knows up to {LATEST_VERSION}); upgrade \
         casebook to open it — nothing was changed",
        LATEST_VERSION + 1
    );
    assert_every_command_refuses(&sandbox, &message);
    let run = sandbox.run(&["where"]);
    run.assert_failure().assert_stderr_has(&message);
}

#[test]
fn a_text_file_is_refused_and_left_as_it_was() {
    let sandbox = Sandbox::new();
    std::fs::write(&sandbox.db, "supplier,lot\nSZ-ARMOR,L-1\n").unwrap();
    assert_every_command_refuses(
        &sandbox,
        "not a casebook database (the file does not start with the SQLite header); nothing was changed",
    );
    // Shorter than the 16-byte header.
    std::fs::write(&sandbox.db, "hi\n").unwrap();
    assert_every_command_refuses(
        &sandbox,
        "not a casebook database (the file does not start with the SQLite header); nothing was changed",
    );
}

#[test]
fn a_directory_is_refused_and_left_empty() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(&sandbox.db).unwrap();
    assert_every_command_refuses(&sandbox, "not a casebook database (it is a directory); nothing was changed");
    assert_eq!(std::fs::read_dir(&sandbox.db).unwrap().count(), 0);
}

#[test]
fn an_sqlite_database_of_another_application_is_refused() {
    for application_id in [0, 0x4750_4b47] {
        let sandbox = Sandbox::new();
        {
            let conn = rusqlite::Connection::open(&sandbox.db).unwrap();
            conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');").unwrap();
            conn.pragma_update(None, "application_id", application_id).unwrap();
        }
        assert_every_command_refuses(
            &sandbox,
            "not a casebook database (it is an SQLite database of another application); nothing was changed",
        );
    }
}

#[test]
fn read_commands_on_a_missing_database_say_so_and_create_nothing() {
    let sandbox = Sandbox::new();
    let nested = sandbox.path("not-yet").join("casebook.db");
    let message = "no database here; create one with `casebook init` or `casebook import FILE`";
    for db in [&sandbox.db, &nested] {
        for args in
            [vec!["suppliers"], vec!["suppliers", "--format", "json"], vec!["export"], vec!["export", "-o", "out.json"]]
        {
            let mut cmd = sandbox.command();
            cmd.arg("--db").arg(db).args(&args);
            let run = run(&mut cmd);
            run.assert_failure().assert_stderr_has(&format!("casebook: error: {}: {message}\n", db.display()));
            assert_eq!(run.stdout, "");
            assert!(!db.exists(), "{args:?} created {}", db.display());
        }
    }
    assert!(!sandbox.path("not-yet").exists(), "a directory was created");
    assert!(!sandbox.path("out.json").exists());

    // A zero-length file is no database either, and stays empty.
    std::fs::write(&sandbox.db, "").unwrap();
    sandbox.run(&["suppliers"]).assert_failure().assert_stderr_has(message);
    assert_eq!(std::fs::metadata(&sandbox.db).unwrap().len(), 0);
}

#[test]
fn a_dry_run_on_a_missing_database_creates_nothing() {
    let sandbox = Sandbox::new();
    // The dossier first, so the lots' suppliers are known: both files pass.
    let (dossier, lots) = (fixture("demo-dossier.json"), fixture("demo-lots.csv"));
    let run = sandbox.run(&[OsStr::new("import"), OsStr::new("--dry-run"), dossier.as_os_str(), lots.as_os_str()]);
    run.assert_success();
    assert_eq!(run.stderr, "", "no problem reported");
    let summaries: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(summaries.len(), 2, "one summary per file:\n{}", run.stdout);
    let checked = "checked (dry run, nothing written)";
    let dossier_lots = DEMO_LOTS - DEMO_CSV_LOTS;
    assert!(
        summaries[0].starts_with(&format!("{}: {checked}: inserted {DEMO_SUPPLIERS} suppliers, ", dossier.display()))
            && summaries[0].ends_with(&format!(", {dossier_lots} lots; duplicates 0; rejected 0")),
        "{}",
        summaries[0]
    );
    assert_eq!(
        summaries[1],
        format!("{}: {checked}: inserted {DEMO_CSV_LOTS} lots; duplicates 0; rejected 0", lots.display())
    );
    assert!(!sandbox.db.exists(), "the dry run created {}", sandbox.db.display());
}

#[test]
fn the_snapshot_sees_a_one_cell_change_and_a_byte_change() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    assert_eq!(before, sandbox.snapshot(), "snapshots are repeatable");
    let dump_lines = before.dump.lines().count();
    assert!(dump_lines > DEMO_LOTS, "every lot is in the dump ({dump_lines} lines)");

    sandbox
        .sql()
        .execute(
            "UPDATE suppliers SET notes = coalesce(notes, '') || '.' WHERE code = (SELECT max(code) FROM suppliers)",
            [],
        )
        .unwrap();
    let changed = sandbox.snapshot();
    assert_ne!(before.dump, changed.dump);
    assert_ne!(before.sha256, changed.sha256);
    let caught = std::panic::catch_unwind(|| before.assert_same(&changed));
    assert!(caught.is_err(), "assert_same let a change through");
}

#[test]
fn importing_a_missing_file_names_it() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    sandbox
        .run(&["import", "nowhere.csv"])
        .assert_failure()
        .assert_stderr_has("nowhere.csv: file: cannot be read: ")
        .assert_stdout_has("nowhere.csv: rejected, nothing written: inserted 0; duplicates 0; rejected 1\n");
    sandbox.assert_unchanged(&before);
}

#[test]
fn importing_a_directory_names_it_and_goes_on_with_the_other_files() {
    let sandbox = Sandbox::demo();
    std::fs::create_dir(sandbox.path("folder")).unwrap();
    sandbox.write("good.csv", csv_doc(&[lot_row("SZ-ARMOR", "T-1")]));
    let run = sandbox.run(&["import", "folder", "good.csv"]);
    run.assert_failure().assert_stderr_has("folder: file: ").assert_stdout_has("good.csv: imported: inserted 1 lot;");
}

/// Runs `casebook --db <db> ARGS` with stdout a pipe whose reader is already
/// gone, as in `casebook … | head -0`: every write fails with EPIPE.
fn run_into_closed_pipe(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = sandbox
        .command()
        .arg("--db")
        .arg(&sandbox.db)
        .arg("--as-of")
        .arg("2026-11-15")
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run casebook");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_reader_that_goes_away_ends_every_command_quietly() {
    let sandbox = Sandbox::demo();
    let commands: &[&[&str]] = &[
        &["--help"],
        &["where"],
        &["suppliers"],
        &["suppliers", "--format", "json"],
        &["flags"],
        &["flags", "--format", "csv"],
        &["explain", "SZ-RUGGED"],
        &["policy"],
        &["history", "SZ-RUGGED"],
        &["check"],
        &["export"],
        &["yield", "--supplier", "SZ-RUGGED"],
        &["yield", "--all", "--format", "json"],
        &["audit", "show", "A-2026-019"],
        &["audit", "show", "A-2026-019", "--format", "json"],
        &["shortlist", "add", "SZ-RUGGED"],
        &["shortlist", "list"],
        &["shortlist", "export", "--format", "md"],
        &["shortlist", "export", "--format", "csv"],
    ];
    for args in commands {
        let (code, stderr) = run_into_closed_pipe(&sandbox, args);
        assert!(!stderr.contains("panicked"), "casebook {args:?} panicked: {stderr}");
        assert!(stderr.is_empty(), "casebook {args:?} complained about a closed stdout: {stderr}");
        assert_eq!(code, Some(0), "casebook {args:?}");
    }
    // The change itself happened; only its report went nowhere.
    assert_eq!(sandbox.count("SELECT count(*) FROM shortlist"), 1);
}

#[test]
fn an_import_into_a_closed_pipe_still_imports_and_still_reports_failure_by_status() {
    let sandbox = Sandbox::demo();
    let lots = sandbox.count("SELECT count(*) FROM lots");
    sandbox.write("good.csv", csv_doc(&[lot_row("SZ-ARMOR", "T-1")]));
    let (code, stderr) = run_into_closed_pipe(&sandbox, &["import", "good.csv"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    assert_eq!(sandbox.count("SELECT count(*) FROM lots"), lots + 1);
    let (code, stderr) = run_into_closed_pipe(&sandbox, &["import", "--format", "json", "nowhere.csv"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
