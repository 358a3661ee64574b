//! What the hub carries beyond submitted audits, through the binary against
//! a real PostgreSQL (hub schema version 2): an auditor's draft pushed and
//! pulled by a colleague, whose edits the hub refuses until the draft's
//! owner hands it over (`casebook hub hand-over`), then merged back field by
//! field; QA's lot annotations and control plans (with their unfreezing),
//! refused from a buyer's and an auditor's login with the role message;
//! attachment files brought down to a fresh laptop, where `check` is ok and
//! `sync` exits 0; and a hub of version 1 brought up to date by `hub init`.

mod common;
mod hub_support;
mod team_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, Sandbox};
use hub_support::{PASSWORD, TestHub, test_hub};

/// One laptop: a database in a sandbox, and the hub login it syncs as.
struct Laptop {
    sandbox: Sandbox,
    login: String,
}

impl Laptop {
    /// An empty laptop that remembers the hub and has pulled it.
    fn joined(hub: &TestHub, login: &str) -> Self {
        let laptop = Self { sandbox: Sandbox::empty(), login: login.to_owned() };
        laptop.run(&["hub", "set", &hub.url(login)]).assert_success();
        laptop.sync().assert_success();
        laptop
    }

    fn command(&self) -> Command {
        let mut cmd = self.sandbox.command();
        for var in ["PGPASSFILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] {
            cmd.env_remove(var);
        }
        cmd.env("PGPASSWORD", PASSWORD).env("CASEBOOK_AUDITOR", &self.login).arg("--db").arg(&self.sandbox.db);
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        common::run(self.command().args(args))
    }

    fn sync(&self) -> Run {
        self.run(&["sync"])
    }

    fn db(&self) -> &Path {
        &self.sandbox.db
    }

    /// Everything, by global identity, but what merges and syncs note
    /// about themselves (local to each database).
    fn content(&self) -> Vec<String> {
        team_support::content(self.db())
            .into_iter()
            .filter(|line| {
                !(line.starts_with("history | ") && (line.contains(" | merge | ") || line.contains(" | sync | ")))
            })
            .collect()
    }

    fn query(&self, sql: &str) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.db()).expect("open");
        let mut stmt = conn.prepare(sql).expect(sql);
        stmt.query_map([], |r| r.get::<_, String>(0)).expect(sql).collect::<Result<_, _>>().expect(sql)
    }

    fn assert_checks(&self) {
        let check = self.run(&["--as-of", "2026-12-01", "check"]);
        assert_eq!(check.code, Some(0), "check failed on {}'s laptop:\n{}", self.login, check.stdout);
    }
}

/// A fresh hub holding the demo data (pushed by its administrator).
fn hub_with_team() -> Option<(TestHub, tempfile::TempDir)> {
    let hub = TestHub::new()?;
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("team.db");
    let demo = common::run(
        Command::new(env!("CARGO_BIN_EXE_casebook"))
            .env_remove("CASEBOOK_DB")
            .args(["demo", "--no-ui", "--db"])
            .arg(&db),
    );
    assert_eq!(demo.code, Some(0), "demo: {}", demo.stderr);
    let owner = Laptop { sandbox: Sandbox::empty(), login: hub.owner() };
    std::fs::copy(&db, owner.db()).expect("copy the team database");
    owner.run(&["hub", "init", &hub.url(&hub.owner())]).assert_success().assert_stdout_has("hub schema version 2");
    owner.run(&["hub", "set", &hub.url(&hub.owner())]).assert_success();
    owner.sync().assert_success();
    Some((hub, dir))
}

fn evidence(laptop: &Laptop, reference: &str, description: &str) -> String {
    let run = laptop.run(&[
        "audit",
        "evidence",
        reference,
        "--pillar",
        "material_compatibility",
        "--kind",
        "test_report",
        "--strength",
        "observed",
        "--description",
        description,
        "--as-of",
        "2026-11-20",
    ]);
    run.assert_success();
    run.stdout.trim().to_owned()
}

fn answers(laptop: &Laptop, reference: &str) -> Vec<String> {
    laptop.query(&format!(
        "SELECT n.question || ' ' || n.result FROM answers n JOIN audits a ON a.id = n.audit_id
         WHERE a.ref = '{reference}' ORDER BY 1"
    ))
}

fn evidence_of(laptop: &Laptop, reference: &str) -> Vec<String> {
    laptop.query(&format!(
        "SELECT e.description FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE a.ref = '{reference}' ORDER BY 1"
    ))
}

#[test]
fn a_draft_goes_through_the_hub_and_is_handed_over() {
    let Some((mut hub, _dir)) = hub_with_team() else { return };
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    let ana = hub.add_login("ana", &["casebook_auditor"]);
    let a = Laptop::joined(&hub, &lin);
    let b = Laptop::joined(&hub, &ana);

    // A starts a draft offline and syncs: it goes to the hub as a draft.
    let new = a.run(&["audit", "new", "XM-FEWLOTS", "--visited", "2026-11-20", "--as-of", "2026-11-20"]);
    new.assert_success();
    let reference = new.stdout.trim().to_owned();
    a.run(&["audit", "answer", &reference, "LG-01", "yes"]).assert_success();
    evidence(&a, &reference, "peel tests seen by lin");
    a.sync().assert_success();

    // B pulls it: a draft, with A's answer and evidence.
    b.sync().assert_success();
    assert_eq!(b.query(&format!("SELECT status FROM audits WHERE ref = '{reference}'")), ["draft"]);
    assert_eq!(answers(&b, &reference), ["LG-01 yes"]);
    assert_eq!(evidence_of(&b, &reference), ["peel tests seen by lin"]);

    // B adds an answer and evidence: the hub refuses them (the draft is A's)
    // and B's laptop keeps them.
    b.run(&["audit", "answer", &reference, "LG-02", "no"]).assert_success();
    evidence(&b, &reference, "moulds seen by ana");
    b.sync()
        .assert_failure()
        .assert_stdout_has(&format!("is a draft of {lin} on the hub; only {lin} pushes what is filed under it"));
    assert_eq!(answers(&b, &reference), ["LG-01 yes", "LG-02 no"], "a refused push changes nothing here");
    // Nor may B hand A's draft over to itself.
    b.run(&["hub", "hand-over", &reference, &ana]).assert_failure().assert_stderr_has(&format!("a draft of {lin}"));

    // A hands it over; B's next sync pushes what was refused.
    a.run(&["hub", "hand-over", &reference, &ana])
        .assert_success()
        .assert_stdout_has(&format!("draft {reference} handed over to {ana}"));
    b.sync().assert_success();

    // A pulls and sees B's edits; then the later edit wins on both.
    a.sync().assert_success();
    assert_eq!(answers(&a, &reference), ["LG-01 yes", "LG-02 no"]);
    assert_eq!(evidence_of(&a, &reference), ["moulds seen by ana", "peel tests seen by lin"]);
    a.run(&["audit", "answer", &reference, "LG-02", "partial"]).assert_success();
    a.sync().assert_success();
    b.sync().assert_success();
    assert_eq!(answers(&b, &reference), ["LG-01 yes", "LG-02 partial"]);
    assert_eq!(a.content(), b.content(), "both laptops hold the same draft, edits and history");

    // Submitted later, it arrives submitted; nothing more is filed under it.
    a.run(&["audit", "submit", &reference, "--as-of", "2026-11-20"]).assert_success();
    a.sync().assert_success();
    b.sync().assert_success();
    assert_eq!(b.query(&format!("SELECT status FROM audits WHERE ref = '{reference}'")), ["submitted"]);
    let c = Laptop::joined(&hub, &lin);
    assert_eq!(a.content(), b.content());
    assert_eq!(c.content(), a.content(), "a fresh laptop pulls the same");
    for laptop in [&a, &b, &c] {
        laptop.sync().assert_success().assert_stdout_has("0 record(s) merged here, 0 pushed");
        laptop.assert_checks();
    }
}

#[test]
fn qa_pushes_annotations_and_plans_and_no_one_else_does() {
    let Some((mut hub, _dir)) = hub_with_team() else { return };
    let qa = hub.add_login("qa", &["casebook_qa"]);
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    let ko = hub.add_login("ko", &["casebook_buyer"]);
    let q = Laptop::joined(&hub, &qa);
    let a = Laptop::joined(&hub, &lin);
    let k = Laptop::joined(&hub, &ko);

    q.run(&[
        "lot",
        "annotate",
        "--supplier",
        "DG-SWING",
        "--lot",
        "SW251218-01",
        "--cause",
        "regrind ratio doubled",
        "--action",
        "ratio locked",
        "--exclude",
        "--as-of",
        "2026-11-15",
    ])
    .assert_success();
    q.run(&["plan", "freeze", "--supplier", "DG-SWING", "--baseline-until", "2026-03-31", "--as-of", "2026-11-15"])
        .assert_success();
    q.sync().assert_success();
    a.sync().assert_success();
    assert_eq!(a.query("SELECT cause FROM lot_annotations"), ["regrind ratio doubled"]);
    assert_eq!(
        a.query("SELECT frozen_on || ' ' || coalesce(unfrozen_on, 'in force') FROM control_plans"),
        ["2026-11-15 in force"]
    );
    q.run(&["plan", "unfreeze", "--supplier", "DG-SWING", "--as-of", "2026-11-20"]).assert_success();
    q.sync().assert_success();
    for laptop in [&a, &k] {
        laptop.sync().assert_success();
        assert_eq!(laptop.query("SELECT coalesce(unfrozen_on, 'in force') FROM control_plans"), ["2026-11-20"]);
        assert_eq!(laptop.content(), q.content());
    }

    // A buyer's and an auditor's annotations are refused, with the role.
    for (laptop, role) in [(&k, "casebook_buyer"), (&a, "casebook_auditor")] {
        laptop
            .run(&[
                "lot",
                "annotate",
                "--supplier",
                "DG-SWING",
                "--lot",
                "SW251218-01",
                "--cause",
                "a guess",
                "--as-of",
                "2026-11-16",
            ])
            .assert_success();
        let before = laptop.content();
        laptop.sync().assert_failure().assert_stdout_has(&format!(
            "push: refused by the hub (your login {} has role {role}; annotations are pushed by casebook_qa)",
            laptop.login
        ));
        assert_eq!(laptop.content(), before, "a refused push leaves the laptop as it was");
    }
    q.sync().assert_success();
    assert_eq!(q.query("SELECT cause FROM lot_annotations"), ["regrind ratio doubled"], "no one else's annotation");
    for laptop in [&q, &a, &k] {
        laptop.assert_checks();
    }
}

fn stored_files(db: &Path) -> Vec<PathBuf> {
    let root = PathBuf::from(format!("{}.files", db.display()));
    let mut found = Vec::new();
    for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        found.extend(std::fs::read_dir(dir.path()).into_iter().flatten().flatten().map(|f| f.path()));
    }
    found.sort();
    found
}

#[test]
fn attachment_files_come_down_to_a_fresh_laptop() {
    let Some((mut hub, _dir)) = hub_with_team() else { return };
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    let a = Laptop::joined(&hub, &lin);
    let new = a.run(&["audit", "new", "XM-FEWLOTS", "--visited", "2026-11-20", "--as-of", "2026-11-20"]);
    new.assert_success();
    let reference = new.stdout.trim().to_owned();
    let item = evidence(&a, &reference, "peel test photo");
    let photo = a.sandbox.write("IMG_2041.png", b"\x89PNG\r\n\x1a\n a photo of a peel test");
    a.run(&["attach", &item, photo.to_str().expect("path")]).assert_success();
    std::fs::remove_file(&photo).expect("the original goes; the store keeps the file");
    a.sync().assert_success();

    // A fresh laptop pulls the draft with its attachment and the file.
    let c = Laptop::joined(&hub, &lin);
    let files = stored_files(c.db());
    assert_eq!(files.len(), 1, "the file arrived in the fresh laptop's store: {files:?}");
    assert_eq!(std::fs::read(&files[0]).expect("read"), b"\x89PNG\r\n\x1a\n a photo of a peel test");
    c.assert_checks();

    // Submitted, it arrives whole again; the file is not fetched twice.
    a.run(&["audit", "submit", &reference, "--as-of", "2026-11-20"]).assert_success();
    a.sync().assert_success();
    c.sync().assert_success();
    let d = Laptop::joined(&hub, &lin);
    assert_eq!(stored_files(d.db()).len(), 1);
    assert_eq!(d.content(), a.content());
    for laptop in [&a, &c, &d] {
        laptop.assert_checks();
    }
}

#[test]
fn a_hub_of_version_1_is_brought_up_to_date() {
    let hub = test_hub!();
    // Version 1 as the last casebook wrote it: its schema file and version row.
    let mut owner = hub.client(&hub.owner());
    for role in hub_support_roles() {
        let _ = hub.superuser().batch_execute(&format!("CREATE ROLE {role} NOLOGIN"));
    }
    owner.batch_execute(include_str!("../migrations/hub/0001_hub.sql")).expect("version 1");
    owner.execute("INSERT INTO casebook.hub_versions (version, casebook) VALUES (1, 'old')", &[]).expect("v1 row");
    let admin = Laptop { sandbox: Sandbox::empty(), login: hub.owner() };
    let url = hub.url(&hub.owner());
    admin
        .run(&["hub", "init", &url])
        .assert_success()
        .assert_stdout_has("hub brought up to date (hub schema version 1 → 2)");
    admin
        .run(&["hub", "init", &url])
        .assert_success()
        .assert_stdout_has("hub already up to date (hub schema version 2)");
}

fn hub_support_roles() -> [&'static str; 3] {
    casebook::store::hub::ROLES
}
