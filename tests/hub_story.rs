//! The team hub as a team uses it, through the binary, against a real
//! PostgreSQL: the team database pushed to a fresh hub; two auditors pull,
//! record audits offline and sync; a new laptop with an empty database pulls
//! everything; syncing again changes nothing; a buyer's login cannot push
//! an audit; a SIGKILL and a dropped connection in the middle of a sync lose
//! nothing; `casebook check` passes everywhere.

mod common;
mod hub_support;
mod team_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Run, Sandbox};
use hub_support::{PASSWORD, test_hub};

/// One laptop: a database in a sandbox, and the hub login it syncs as.
struct Laptop {
    sandbox: Sandbox,
    login: String,
}

impl Laptop {
    fn new(login: &str) -> Self {
        Self { sandbox: Sandbox::empty(), login: login.to_owned() }
    }

    fn from(db: &Path, login: &str) -> Self {
        let sandbox = Sandbox::new();
        std::fs::copy(db, &sandbox.db).expect("copy the team database");
        Self { sandbox, login: login.to_owned() }
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

    /// What travels between laptops, by global identity (see `shared`).
    fn content(&self) -> Vec<String> {
        shared(self.db())
    }

    fn assert_checks(&self) {
        let check = self.run(&["--as-of", "2026-12-01", "check"]);
        assert_eq!(check.code, Some(0), "check failed on {}'s laptop:\n{}", self.login, check.stdout);
    }
}

/// A database's content as the hub carries it: everything by identity
/// (drafts and their field versions too) but what merges and syncs note
/// about themselves (local to each database).
fn shared(db: &Path) -> Vec<String> {
    team_support::content(db)
        .into_iter()
        .filter(|line| {
            !(line.starts_with("history | ") && (line.contains(" | merge | ") || line.contains(" | sync | ")))
        })
        .collect()
}

/// The team's database: the demo data, as the team has it before the hub.
fn team_db(dir: &Path) -> PathBuf {
    let db = dir.join("team.db");
    let run = common::run(
        Command::new(env!("CARGO_BIN_EXE_casebook"))
            .env_remove("CASEBOOK_DB")
            .args(["demo", "--no-ui", "--db"])
            .arg(&db),
    );
    assert_eq!(run.code, Some(0), "demo: {}", run.stderr);
    db
}

/// The owner's laptop, a copy of the team's database, on a hub it has just
/// made (`hub init`) and remembered (`hub set`).
fn owner_on_a_fresh_hub(hub: &hub_support::TestHub, team: &Path) -> Laptop {
    let owner = Laptop::from(team, &hub.owner());
    owner.run(&["hub", "init", &hub.url(&hub.owner())]).assert_success();
    owner.run(&["hub", "set", &hub.url(&hub.owner())]).assert_success();
    owner
}

/// An audit recorded offline from the command line, then submitted.
fn record_audit(laptop: &Laptop, supplier: &str, visited: &str, result: &str) -> String {
    let new = laptop.run(&["audit", "new", supplier, "--visited", visited, "--as-of", visited]);
    new.assert_success();
    let reference = new.stdout.trim().to_owned();
    for question in ["LG-01", "LG-02", "LG-03", "LG-04", "MC-01", "PY-01"] {
        laptop.run(&["audit", "answer", &reference, question, result]).assert_success();
    }
    laptop
        .run(&[
            "audit",
            "evidence",
            &reference,
            "--pillar",
            "material_compatibility",
            "--kind",
            "test_report",
            "--strength",
            "observed",
            "--description",
            &format!("peel tests seen by {}", laptop.login),
            "--as-of",
            visited,
        ])
        .assert_success();
    laptop.run(&["audit", "submit", &reference, "--as-of", visited]).assert_success();
    reference
}

fn lots_csv(laptop: &Laptop, supplier: &str, prefix: &str, n: usize) -> PathBuf {
    let rows: Vec<String> = (0..n).map(|i| common::lot_row(supplier, &format!("{prefix}-{i:05}"))).collect();
    laptop.sandbox.write(&format!("{prefix}.csv"), common::csv_doc(&rows))
}

#[test]
fn a_team_syncs_through_the_hub() {
    let mut hub = test_hub!();
    let dir = tempfile::tempdir().expect("dir");
    let team = team_db(dir.path());
    let owner = Laptop::from(&team, &hub.owner());
    owner.run(&["hub", "init", &hub.url(&hub.owner())]).assert_success();
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    let ana = hub.add_login("ana", &["casebook_auditor"]);
    let buyer = hub.add_login("ko", &["casebook_buyer"]);

    // The team database goes to the fresh hub.
    owner.run(&["hub", "set", &hub.url(&hub.owner())]).assert_success();
    owner.sync().assert_success().assert_stdout_has("pushed: added audits ");

    // Two auditors start from empty laptops and pull everything.
    let a = Laptop::new(&lin);
    let b = Laptop::new(&ana);
    for laptop in [&a, &b] {
        laptop.run(&["hub", "set", &hub.url(&laptop.login)]).assert_success();
        laptop.sync().assert_success().assert_stdout_has("pushed: added nothing");
    }
    assert_eq!(a.content(), owner.content(), "the first pull brings the team database");

    // Offline, each records an audit (and B a day of lots), then they sync.
    let ref_a = record_audit(&a, "XM-FEWLOTS", "2026-11-20", "yes");
    let ref_b = record_audit(&b, "XM-FEWLOTS", "2026-11-21", "no");
    assert_ne!(ref_a, ref_b, "two laptops never mint one reference");
    let csv = lots_csv(&b, "XM-FEWLOTS", "B", 50);
    b.run(&["import", csv.to_str().expect("path")]).assert_success();
    a.sync().assert_success().assert_stdout_has("pushed: added audits 1");
    b.sync().assert_success().assert_stdout_has("lots 50");
    a.sync().assert_success();
    assert_eq!(a.content(), b.content(), "both auditors hold both audits and the lots");
    assert!(a.content().iter().any(|l| l.contains(&ref_b)), "{ref_b} reached auditor a");

    // A new laptop pulls everything; syncing again changes nothing anywhere.
    let c = Laptop::new(&lin);
    c.run(&["hub", "set", &hub.url(&lin)]).assert_success();
    c.sync().assert_success();
    assert_eq!(c.content(), a.content());
    owner.sync().assert_success();
    assert_eq!(owner.content(), a.content(), "the team database catches up too");
    for laptop in [&a, &b, &c, &owner] {
        let before = laptop.content();
        laptop
            .sync()
            .assert_success()
            .assert_stdout_has("pulled: 0 hub row(s)")
            .assert_stdout_has("0 record(s) merged here, 0 pushed");
        assert_eq!(laptop.content(), before);
    }

    // A buyer's login cannot push an audit: refused, named, and the laptop unchanged.
    let d = Laptop::new(&buyer);
    d.run(&["hub", "set", &hub.url(&buyer)]).assert_success();
    d.sync().assert_success();
    let ref_d = record_audit(&d, "SZ-ARMOR", "2026-11-22", "partial");
    let before = d.content();
    d.sync()
        .assert_failure()
        .assert_stdout_has(&format!(
            "push: refused by the hub (your login {buyer} has role casebook_buyer; audits are pushed by casebook_auditor)"
        ))
        .assert_stdout_has(&ref_d);
    assert_eq!(d.content(), before, "a refused push leaves the laptop as it was");
    a.sync().assert_success();
    assert!(!a.content().iter().any(|l| l.contains(&ref_d)), "the buyer's audit is not on the hub");
    d.run(&["hub", "status"]).assert_success().assert_stdout_has("changes here not yet on the hub: ");

    for laptop in [&a, &b, &c, &d, &owner] {
        laptop.assert_checks();
    }
}

/// Kills `casebook sync` after `delay`; whether it finished is returned.
fn sync_killed_after(laptop: &Laptop, delay: Duration) -> bool {
    let mut child = laptop.command().arg("sync").spawn().expect("spawn sync");
    std::thread::sleep(delay);
    let finished = child.try_wait().expect("wait").is_some();
    if !finished {
        // SIGKILL: no chance to clean up.
        child.kill().expect("kill");
    }
    child.wait().expect("reap");
    finished
}

#[test]
fn a_sync_killed_or_cut_off_halfway_loses_nothing() {
    let mut hub = test_hub!();
    let dir = tempfile::tempdir().expect("dir");
    let team = team_db(dir.path());
    let owner = Laptop::from(&team, &hub.owner());
    owner.run(&["hub", "init", &hub.url(&hub.owner())]).assert_success();
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    owner.run(&["hub", "set", &hub.url(&hub.owner())]).assert_success();
    // Enough to take a while: 20,000 lots to push, and to pull.
    let csv = lots_csv(&owner, "SZ-ARMOR", "BIG", 20_000);
    owner.run(&["import", csv.to_str().expect("path")]).assert_success();
    let mut pushes_cut = 0;
    for ms in [30, 80, 150, 250, 400, 700, 1200, 2500] {
        if sync_killed_after(&owner, Duration::from_millis(ms)) {
            break;
        }
        pushes_cut += 1;
        owner.assert_checks();
        let lots =
            hub.superuser().query_one("SELECT count(*) FROM casebook.lots", &[]).expect("count").get::<_, i64>(0);
        assert!(lots == 0 || lots >= 22_203, "a cut-off push left part of itself on the hub: {lots} lots");
    }
    owner.sync().assert_success();

    // The pull, killed and then cut off by the server, on a new laptop.
    let a = Laptop::new(&lin);
    a.run(&["hub", "set", &hub.url(&lin)]).assert_success();
    let mut pulls_cut = 0;
    for ms in [30, 80, 150, 250, 400, 700, 1200] {
        if sync_killed_after(&a, Duration::from_millis(ms)) {
            break;
        }
        pulls_cut += 1;
        a.assert_checks();
        let (got, want, nothing) = (a.content(), owner.content(), Laptop::new(&lin).content());
        if got != nothing && got != want {
            let extra: Vec<&String> = got.iter().filter(|l| !want.contains(l)).take(5).collect();
            let lacking: Vec<&String> = want.iter().filter(|l| !got.contains(l)).take(5).collect();
            let check = a.run(&["--as-of", "2026-12-01", "check"]).stdout;
            panic!(
                "a cut-off pull merged part of itself ({} lines, want {}): extra {extra:#?}; lacking {lacking:#?}\n{check}",
                got.len(),
                want.len()
            );
        }
    }
    let mut dropped = 0;
    for ms in [20, 60, 120, 250, 500] {
        let fresh = Laptop::new(&lin);
        fresh.run(&["hub", "set", &hub.url(&lin)]).assert_success();
        let child = fresh.command().arg("sync").stderr(std::process::Stdio::piped()).spawn().expect("spawn");
        std::thread::sleep(Duration::from_millis(ms));
        let terminated: bool = hub
            .superuser()
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
                 WHERE application_name = 'casebook' AND usename = $1",
                &[&lin],
            )
            .expect("terminate")
            .get(0);
        let out = child.wait_with_output().expect("sync ends");
        if terminated && !out.status.success() {
            dropped += 1;
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains("nothing of this pull was merged here; a sync again"), "the error says: {said}");
            assert_eq!(
                fresh.content(),
                Laptop::new(&lin).content(),
                "a pull cut off by the server merged part of itself"
            );
        }
        fresh.assert_checks();
        fresh.sync().assert_success();
        assert_eq!(fresh.content(), owner.content(), "the next sync finishes what was cut off");
    }
    a.sync().assert_success();
    assert_eq!(a.content(), owner.content(), "nothing lost");
    a.assert_checks();
    eprintln!("pushes cut: {pushes_cut}; pulls killed: {pulls_cut}; pulls cut off by the server: {dropped}");
    assert!(pushes_cut + pulls_cut + dropped > 0, "no sync was ever interrupted: the test proved nothing");
}

/// Lots come from the hub straight into the pull's merge (not through its
/// inbox): with their defect counts; voided together with the lot, or
/// voided after another laptop pulled it (the lot is fetched again to go
/// with its void); and a lot whose key is taken here by other content is
/// refused and reported, the laptop keeping its own.
#[test]
fn lots_arrive_with_their_defects_and_voids_and_a_different_lot_is_refused() {
    let mut hub = test_hub!();
    let dir = tempfile::tempdir().expect("dir");
    let team = team_db(dir.path());
    let owner = owner_on_a_fresh_hub(&hub, &team);
    owner.sync().assert_success();
    let lin = hub.add_login("lin", &["casebook_auditor"]);
    let ana = hub.add_login("ana", &["casebook_auditor"]);
    let a = Laptop::new(&lin);
    let b = Laptop::new(&ana);
    for laptop in [&a, &b] {
        laptop.run(&["hub", "set", &hub.url(&laptop.login)]).assert_success();
        laptop.sync().assert_success();
    }

    // A records forty lots with defect counts and pushes them; B pulls them.
    let rows: Vec<String> = (0..40)
        .map(|i| format!("XM-FEWLOTS,D-{i:03},T-SKU,co_molding,TPU+PC,2026-03-01,1200,1130,50,20,{},3", 10 + i))
        .collect();
    let mut doc = format!("{},defect:flash,defect:tear\n", common::LOT_HEADER);
    doc.push_str(&rows.join("\n"));
    doc.push('\n');
    let csv = a.sandbox.write("defects.csv", doc);
    a.run(&["import", csv.to_str().expect("path")]).assert_success();
    a.sync().assert_success().assert_stdout_has("pushed: added lots 40");
    let pulled = b.sync();
    pulled.assert_success();
    assert!(
        pulled.stdout.lines().any(|l| l.split_whitespace().skip(1).take(2).eq(["lots", "40"])),
        "B's report names the 40 lots it added:\n{}",
        pulled.stdout
    );
    assert_eq!(a.content(), b.content(), "B holds A's lots, defects and all");
    assert!(b.content().iter().any(|l| l.contains("D-039") && l.contains("\"flash\":49")), "{:?}", b.content());

    // A voids one of them; B, which has the lot, takes the void alone.
    a.run(&["lot", "void", "--supplier", "XM-FEWLOTS", "--lot", "D-007", "--reason", "typed twice"]).assert_success();
    a.sync().assert_success();
    b.sync().assert_success().assert_stdout_has("pulled: ");
    let voided = |laptop: &Laptop| {
        let conn = rusqlite::Connection::open(laptop.db()).expect("open");
        conn.query_row(
            "SELECT count(*) FROM lots WHERE lot = 'D-007' AND voided_at IS NOT NULL AND void_reason = 'typed twice'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .expect("count")
    };
    assert_eq!(voided(&b), 1, "the void of a lot B pulled before reached B");
    assert_eq!(a.content(), b.content());

    // A new laptop pulls the lot and its void in one window.
    let c = Laptop::new(&lin);
    c.run(&["hub", "set", &hub.url(&lin)]).assert_success();
    c.sync().assert_success();
    assert_eq!(voided(&c), 1, "the lot arrived voided");
    assert_eq!(c.content(), a.content());

    // A laptop that recorded D-003 with other counts before it ever pulled:
    // that lot is refused and named, its own kept, the others taken.
    let d = Laptop::from(&team, &ana);
    d.run(&["hub", "set", &hub.url(&ana)]).assert_success();
    let other = d.sandbox.write(
        "other.csv",
        common::csv_doc(&["XM-FEWLOTS,D-003,T-SKU,co_molding,TPU+PC,2026-03-01,1300,1130,50,20".to_owned()]),
    );
    d.run(&["import", other.to_str().expect("path")]).assert_success();
    let out = d.sync();
    out.assert_failure().assert_stdout_has("lot XM-FEWLOTS lot D-003");
    let conn = rusqlite::Connection::open(d.db()).expect("open");
    let (started, lots): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT started FROM lots WHERE lot = 'D-003'), (SELECT count(*) FROM lots WHERE lot LIKE 'D-%')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("lots");
    assert_eq!((started, lots), (1300, 40), "D keeps its own D-003 and takes the 39 others");
    for laptop in [&a, &b, &c, &d] {
        laptop.assert_checks();
    }
}

/// An audit altered on the hub after it was submitted (by someone who got
/// past the hub's triggers) is refused by a laptop that pulls it — its
/// seal, recomputed from what arrived, does not match — while every other
/// audit, drafts among them, is taken, each checked against its own seal.
#[test]
fn an_audit_altered_on_the_hub_is_refused_by_the_pull_and_the_others_taken() {
    let hub = test_hub!();
    let dir = tempfile::tempdir().expect("dir");
    let team = team_db(dir.path());
    let owner = owner_on_a_fresh_hub(&hub, &team);
    let draft = owner.run(&["audit", "new", "SZ-ARMOR", "--visited", "2026-11-20", "--as-of", "2026-11-20"]);
    draft.assert_success();
    owner.sync().assert_success();

    // One submission's answer changed in place on the hub.
    let mut pg = hub.superuser();
    let (gid, reference): (String, String) = {
        let row = pg
            .query_one(
                "SELECT r.key, a.body->>'ref' FROM casebook.records r JOIN casebook.audits a ON a.gid = r.key
                 WHERE r.kind = 'submission' ORDER BY r.seq LIMIT 1 OFFSET 2",
                &[],
            )
            .expect("a submission");
        (row.get(0), row.get(1))
    };
    pg.batch_execute("ALTER TABLE casebook.records DISABLE TRIGGER USER").expect("triggers off");
    let changed = pg
        .execute(
            "UPDATE casebook.records SET body = jsonb_set(body, '{answers,0,result}',
                 CASE WHEN body #>> '{answers,0,result}' = 'no' THEN '\"yes\"'::jsonb ELSE '\"no\"'::jsonb END)
             WHERE kind = 'submission' AND key = $1",
            &[&gid],
        )
        .expect("alter");
    assert_eq!(changed, 1);
    pg.batch_execute("ALTER TABLE casebook.records ENABLE TRIGGER USER").expect("triggers on");

    let laptop = Laptop::new(&hub.owner());
    laptop.run(&["hub", "set", &hub.url(&hub.owner())]).assert_success();
    let out = laptop.sync();
    out.assert_failure()
        .assert_stdout_has(&reference)
        .assert_stdout_has("its seal does not match its content: it was altered after submission");
    let theirs: Vec<String> = owner.content();
    let ours: Vec<String> = laptop.content();
    assert!(!ours.iter().any(|l| l.contains(&gid)), "the altered audit was not taken");
    let missing: Vec<&String> = theirs.iter().filter(|l| !ours.contains(l)).collect();
    let audits: Vec<&&String> = missing.iter().filter(|l| l.starts_with("audit |")).collect();
    assert!(audits.len() == 1 && audits[0].contains(&gid), "one audit is missing, the altered one: {audits:?}");
    // What is filed under it stays behind with it (its findings' closures
    // and the history of both too); nothing else.
    assert!(
        missing.iter().all(|l| l.contains(&gid) || l.starts_with("closure |") || l.starts_with("history |")),
        "only that audit's parts are missing: {missing:?}"
    );
    assert!(ours.iter().any(|l| l.contains(draft.stdout.trim())), "the draft came");
    laptop.assert_checks();
}
