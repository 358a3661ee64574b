//! Property tests over random offline sessions of a team of 2–5 auditors
//! (see `team_support`): every copy of the team database mints its own
//! audit references, and every copy stays sound (`casebook check` passes).
//!
//! `TEAM_CASES=N` sets how many sessions are played (default 16).

mod common;
mod team_support;

use std::collections::HashMap;

use proptest::test_runner::{Config, TestRunner};
use team_support::{Team, arb_session, references};

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
            let mut minted: HashMap<String, usize> = HashMap::new();
            for (who, copy) in team.copies.iter().enumerate() {
                for reference in references(copy) {
                    minted_in_all.set(minted_in_all.get() + 1);
                    if let Some(other) = minted.insert(reference.clone(), who) {
                        panic!("{reference} was minted by auditors {other} and {who}");
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
