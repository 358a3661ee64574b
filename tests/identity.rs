//! Installation tags and the audit references they keep apart, through the
//! binary: a tag is made at `init`, kept while the file stays where it is,
//! made anew when a copy of the file is first changed (also by two processes
//! at once; reading a copy changes nothing), and new audits are numbered
//! `A-YYYY-TAG-NNN` per tag, while references minted before tags stay as
//! they were.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{Sandbox, run};

/// The tag `casebook where` reports for `db`.
fn tag_of(sandbox: &Sandbox, db: &Path) -> String {
    let out = run(sandbox.command().arg("--db").arg(db).arg("where"));
    out.assert_success();
    let tag = out.stderr.split("installation tag ").nth(1).expect("`where` names the tag");
    let tag = tag.split_whitespace().next().unwrap_or_default().to_owned();
    assert!(tag.len() == 3 && tag.chars().all(|c| c.is_ascii_alphanumeric()), "{tag:?}");
    tag
}

fn new_audit(sandbox: &Sandbox, db: &Path, supplier: &str) -> String {
    let out = run(sandbox.command().arg("--db").arg(db).args([
        "--as-of",
        "2026-11-20",
        "audit",
        "new",
        supplier,
        "--visited",
        "2026-11-20",
    ]));
    out.assert_success();
    out.stdout.trim().to_owned()
}

#[test]
fn init_makes_a_tag_that_stays_with_the_file() {
    let sandbox = Sandbox::new();
    sandbox.run(&["init"]).assert_success();
    let tag = tag_of(&sandbox, &sandbox.db);
    assert_eq!(tag_of(&sandbox, &sandbox.db), tag, "reopening keeps the tag");
    // A rename on the same file system is the same file.
    let moved = sandbox.path("moved.db");
    std::fs::rename(&sandbox.db, &moved).unwrap();
    assert_eq!(tag_of(&sandbox, &moved), tag);
}

#[test]
fn two_copies_of_one_file_never_mint_the_same_reference() {
    let sandbox = Sandbox::demo();
    // The sandbox is itself a copy (of the demo template): its first change
    // gives it its tag.
    new_audit(&sandbox, &sandbox.db, "SZ-ARMOR");
    let team_tag = tag_of(&sandbox, &sandbox.db);
    let (a, b) = (sandbox.path("a.db"), sandbox.path("b.db"));
    std::fs::copy(&sandbox.db, &a).unwrap();
    std::fs::copy(&sandbox.db, &b).unwrap();
    // Reading a copy writes nothing: it still shows the team's tag, and says
    // it is a copy.
    let before = std::fs::read(&a).unwrap();
    let out = run(sandbox.command().arg("--db").arg(&a).arg("where"));
    out.assert_success().assert_stderr_has(&format!("installation tag {team_tag}")).assert_stderr_has("a copy");
    assert!(std::fs::read(&a).unwrap() == before, "`where` changed the copy");

    // The story of issue 15: both record an audit of XM-FEWLOTS offline.
    let ref_a = new_audit(&sandbox, &a, "XM-FEWLOTS");
    let ref_b = new_audit(&sandbox, &b, "XM-FEWLOTS");
    let (tag_a, tag_b) = (tag_of(&sandbox, &a), tag_of(&sandbox, &b));
    assert_ne!(tag_a, tag_b);
    assert!(tag_a != team_tag && tag_b != team_tag, "a copy takes a tag of its own");
    assert_eq!(tag_of(&sandbox, &sandbox.db), team_tag, "the original keeps its tag");
    assert_eq!(ref_a, format!("A-2026-{tag_a}-001"));
    assert_eq!(ref_b, format!("A-2026-{tag_b}-001"));
    assert_eq!(new_audit(&sandbox, &a, "SZ-ARMOR"), format!("A-2026-{tag_a}-002"), "numbered per tag");
}

#[test]
fn a_backup_is_a_copy_with_its_own_tag() {
    let sandbox = Sandbox::demo();
    new_audit(&sandbox, &sandbox.db, "SZ-ARMOR");
    let tag = tag_of(&sandbox, &sandbox.db);
    let copy = sandbox.path("backup.db");
    sandbox.run(&[std::ffi::OsStr::new("backup"), copy.as_os_str()]).assert_success();
    let reference = new_audit(&sandbox, &copy, "XM-FEWLOTS");
    let copy_tag = tag_of(&sandbox, &copy);
    assert_ne!(copy_tag, tag);
    assert_eq!(reference, format!("A-2026-{copy_tag}-001"));
}

#[test]
fn two_processes_changing_a_fresh_copy_agree_on_one_new_tag() {
    let sandbox = Sandbox::demo();
    new_audit(&sandbox, &sandbox.db, "SZ-ARMOR");
    let team_tag = tag_of(&sandbox, &sandbox.db);
    for round in 0..4 {
        let copy = sandbox.path(&format!("copy{round}.db"));
        std::fs::copy(&sandbox.db, &copy).unwrap();
        let spawn = || {
            sandbox
                .command()
                .arg("--db")
                .arg(&copy)
                .args(["--as-of", "2026-11-20", "audit", "new", "XM-FEWLOTS", "--visited", "2026-11-20"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (spawn(), spawn());
        let tags: Vec<String> = [first, second]
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                // A-2026-TAG-NNN
                let reference = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                reference.split('-').nth(2).unwrap().to_owned()
            })
            .collect();
        assert_eq!(tags[0], tags[1], "round {round}: both processes see the same tag");
        assert_ne!(tags[0], team_tag);
        assert_eq!(tag_of(&sandbox, &copy), tags[0]);
    }
}

#[test]
fn references_minted_before_tags_stay_and_new_ones_carry_the_tag() {
    let sandbox = Sandbox::new();
    let sql =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-v2/db.sql")).unwrap();
    rusqlite::Connection::open(&sandbox.db).unwrap().execute_batch(&sql).unwrap();
    let tag = tag_of(&sandbox, &sandbox.db);
    let refs = sandbox.count("SELECT count(*) FROM audits WHERE ref IN ('A-2026-042', 'A-2026-043')");
    assert_eq!(refs, 2, "old references are kept");
    let next = new_audit(&sandbox, &sandbox.db, "SZ-NEWCO");
    assert_eq!(next, format!("A-2026-{tag}-001"));
    sandbox.run(&["--as-of", "2026-11-20", "audit", "show", "A-2026-042"]).assert_success();
}
