//! Property tests over random offline sessions of a team of 2–5 auditors
//! (see `team_support`): every copy of the team database mints its own
//! audit references, every copy stays sound (`casebook check` passes), and
//! merging the copies at HQ loses nothing, duplicates nothing, changes
//! nothing when done again, gives the same content in any order, and leaves
//! a database `casebook check` passes.
//!
//! `TEAM_CASES=N` sets how many sessions are played (default 16).

mod common;
mod team_support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use casebook::store::{OpenMode, Store};
use casebook::workflow::merge::{MergeOptions, merge};
use proptest::test_runner::{Config, TestRunner};
use team_support::{Team, arb_session, content, identities};

/// Every audit's reference and global id.
fn audit_gids(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).expect("open a copy");
    let mut stmt = conn.prepare("SELECT ref, gid FROM audits ORDER BY ref").expect("audits");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("audits").collect::<Result<_, _>>().expect("audits")
}

fn cases() -> u32 {
    std::env::var("TEAM_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(16)
}

#[test]
fn offline_copies_never_mint_the_same_reference_and_stay_sound() {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let minted_in_all = std::cell::Cell::new(0_usize);
    runner
        .run(&arb_session(), |session| {
            let dir = tempfile::tempdir().expect("temp dir");
            let team = Team::new(dir.path(), session.auditors);
            team.play(&session);
            // A reference names one audit (a draft handed over is the same
            // audit, under its reference, in both copies).
            let mut minted: HashMap<String, (usize, String)> = HashMap::new();
            for (who, copy) in team.copies.iter().enumerate() {
                for (reference, gid) in audit_gids(copy) {
                    minted_in_all.set(minted_in_all.get() + 1);
                    if let Some((other, their_gid)) = minted.insert(reference.clone(), (who, gid.clone()))
                        && their_gid != gid
                    {
                        panic!("{reference} was minted by auditors {other} and {who} for two audits");
                    }
                }
                let sandbox_cmd = common::run(
                    std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
                        .env_remove("CASEBOOK_DB")
                        .args(["--as-of", "2026-12-01", "check", "--db"])
                        .arg(copy),
                );
                assert_eq!(sandbox_cmd.code, Some(0), "check failed on auditor {who}'s copy:\n{}", sandbox_cmd.stdout);
            }
            Ok(())
        })
        .expect("every session keeps references apart and every copy sound");
    assert!(minted_in_all.get() > 0, "the sessions recorded no audit: the generator is not exercising anything");
}

/// Merges `sources` into a copy of the team database at `hq` through the
/// library (the same code `casebook merge` runs).
fn merge_into(hq: &Path, base: &Path, sources: &[PathBuf]) -> casebook::model::merge::MergeReport {
    std::fs::copy(base, hq).expect("copy the team database");
    let mut store = Store::open(hq, OpenMode::Existing).expect("open HQ");
    merge(&mut store, sources, "hq.lead", MergeOptions::default()).expect("merge")
}

/// Fails with the lines only one side has, not both whole contents.
fn same_content(got: &[String], want: &[String], what: &str) {
    let (a, b): (BTreeSet<&String>, BTreeSet<&String>) = (got.iter().collect(), want.iter().collect());
    let extra: Vec<&&String> = a.difference(&b).take(8).collect();
    let missing: Vec<&&String> = b.difference(&a).take(8).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what} gives other content:\nonly there: {extra:#?}\nonly in the first: {missing:#?}"
    );
    assert_eq!(got.len(), want.len(), "{what}: the same lines, other counts");
}

fn check_ok(db: &Path) {
    let out = common::run(
        std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
            .env_remove("CASEBOOK_DB")
            .args(["--as-of", "2026-12-01", "check", "--db"])
            .arg(db),
    );
    assert_eq!(out.code, Some(0), "check failed on {}:\n{}", db.display(), out.stdout);
}

#[test]
fn merging_the_team_loses_nothing_duplicates_nothing_and_ignores_order() {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let audits_seen = std::cell::Cell::new(0_usize);
    runner
        .run(&arb_session(), |session| {
            let dir = tempfile::tempdir().expect("temp dir");
            let team = Team::new(dir.path(), session.auditors);
            team.play(&session);
            let forward = dir.path().join("hq-forward.db");
            let report = merge_into(&forward, &team.base, &team.copies);
            // A draft handed over and submitted by one auditor while another
            // went on editing it: the later edits are taken out and listed
            // (after submission), nothing else is refused.
            let refused = report.sources.iter().flat_map(|s| &s.refused);
            let real: Vec<_> = refused.filter(|x| x.cause != casebook::model::merge::Cause::AfterSubmission).collect();
            assert!(report.committed && real.is_empty(), "refusals in a clean session: {real:#?}");
            assert!(report.sources.iter().all(|s| s.missing_files.is_empty()), "{report:#?}");
            let taken_out: BTreeSet<String> = report
                .sources
                .iter()
                .flat_map(|s| &s.refused)
                .filter(|x| x.cause == casebook::model::merge::Cause::AfterSubmission)
                .map(|x| x.id.clone())
                .collect();
            let merged = content(&forward);

            // Nothing lost, nothing duplicated.
            for kind in ["supplier", "claim", "audit", "evidence", "finding", "lot", "history"] {
                let at_hq = identities(&merged, kind);
                let unique: BTreeSet<&String> = at_hq.iter().collect();
                assert_eq!(unique.len(), at_hq.len(), "a {kind} is duplicated at HQ");
                for copy in &team.copies {
                    for id in identities(&content(copy), kind) {
                        assert!(
                            unique.contains(&id) || taken_out.contains(&id),
                            "{kind} {id} of {} is missing at HQ",
                            copy.display()
                        );
                    }
                }
            }
            audits_seen.set(audits_seen.get() + identities(&merged, "audit").len());

            // Order-free: the reverse order gives the same content.
            let backward = dir.path().join("hq-backward.db");
            let reversed: Vec<PathBuf> = team.copies.iter().rev().cloned().collect();
            merge_into(&backward, &team.base, &reversed);
            same_content(&content(&backward), &merged, "merging in reverse order");

            // Idempotent: everything again, compared record by record, changes nothing.
            let mut store = Store::open(&forward, OpenMode::Existing).expect("open HQ");
            let again =
                merge(&mut store, &team.copies, "hq.lead", MergeOptions { full: true, ..MergeOptions::default() })
                    .expect("merge again");
            drop(store);
            assert_eq!(again.added().total(), 0, "merging again added {}", again.added());
            same_content(&content(&forward), &merged, "merging again");
            check_ok(&forward);
            check_ok(&backward);
            Ok(())
        })
        .expect("merging is lossless, idempotent and order-free");
    assert!(audits_seen.get() > 0, "no session made an audit: the generator is not exercising the merge");
}

/// Moves every copy's work to HQ as a `casebook-dossier/3` (each copy
/// exported whole, imported in turn through the same code `casebook export`
/// and `casebook import` run); returns the import reports.
fn import_dossiers_into(hq: &Path, base: &Path, sources: &[PathBuf]) -> Vec<casebook::exchange::ImportReport> {
    std::fs::copy(base, hq).expect("copy the team database");
    let dossiers: Vec<Vec<u8>> = sources
        .iter()
        .map(|source| {
            let store = Store::open(source, OpenMode::Existing).expect("open a copy");
            let mut out = Vec::new();
            casebook::exchange::export(&store, &[], false, &mut out).expect("export");
            out
        })
        .collect();
    let mut store = Store::open(hq, OpenMode::Existing).expect("open HQ");
    dossiers
        .iter()
        .zip(sources)
        .map(|(bytes, source)| {
            let name = source.display().to_string();
            casebook::exchange::import_bytes(
                &mut store,
                &name,
                bytes,
                "hq.lead",
                casebook::exchange::ImportOptions::default(),
            )
            .expect("import")
        })
        .collect()
}

#[test]
fn dossiers_move_the_team_as_losslessly_as_merge() {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let audits_seen = std::cell::Cell::new(0_usize);
    runner
        .run(&arb_session(), |session| {
            let dir = tempfile::tempdir().expect("temp dir");
            let team = Team::new(dir.path(), session.auditors);
            team.play(&session);
            let merged_db = dir.path().join("hq-merged.db");
            let report = merge_into(&merged_db, &team.base, &team.copies);
            // Only a session without refusals is compared: a refused record
            // refuses a whole dossier, where a merge goes on without it.
            let refused = report.sources.iter().flat_map(|s| &s.refused);
            if refused.filter(|x| x.cause != casebook::model::merge::Cause::AfterSubmission).count() > 0 {
                return Ok(());
            }
            let merged = content(&merged_db);

            let forward = dir.path().join("hq-dossiers.db");
            for r in import_dossiers_into(&forward, &team.base, &team.copies) {
                assert!(r.committed, "{}: {:#?}", r.file, r.problems);
            }
            same_content(&content(&forward), &merged, "importing the copies' dossiers");
            audits_seen.set(audits_seen.get() + identities(&merged, "audit").len());

            let backward = dir.path().join("hq-dossiers-backward.db");
            let reversed: Vec<PathBuf> = team.copies.iter().rev().cloned().collect();
            import_dossiers_into(&backward, &team.base, &reversed);
            same_content(&content(&backward), &merged, "importing the dossiers in reverse order");

            // Again: nothing added; then the copies merged on top: nothing added either.
            let mut store = Store::open(&forward, OpenMode::Existing).expect("open HQ");
            for source in &team.copies {
                let mut out = Vec::new();
                casebook::exchange::export(
                    &Store::open(source, OpenMode::Existing).expect("open"),
                    &[],
                    false,
                    &mut out,
                )
                .expect("export");
                let again = casebook::exchange::import_bytes(
                    &mut store,
                    "again",
                    &out,
                    "hq.lead",
                    casebook::exchange::ImportOptions::default(),
                )
                .expect("import again");
                assert_eq!(again.inserted.total(), 0, "importing a dossier again inserted {}", again.inserted);
            }
            let on_top =
                merge(&mut store, &team.copies, "hq.lead", MergeOptions { full: true, ..MergeOptions::default() })
                    .expect("merge on top");
            drop(store);
            assert_eq!(on_top.added().total(), 0, "merging the copies after their dossiers added {}", on_top.added());
            same_content(&content(&forward), &merged, "importing again and merging on top");
            check_ok(&forward);
            Ok(())
        })
        .expect("dossiers are lossless, idempotent and order-free, and agree with merge");
    assert!(audits_seen.get() > 0, "no session made an audit: the generator is not exercising the dossiers");
}
