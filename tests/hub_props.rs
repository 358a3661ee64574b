//! Property test of the hub: random offline sessions of 2–5 users (see
//! `team_support`: new suppliers, profile edits, audits with answers,
//! evidence, findings and closures, submissions, drafts, lots, shortlist
//! marks, policy, drafts handed over with their edits, notes and voids),
//! each user syncing at random moments, then everyone syncing in a random
//! order: every laptop and a new laptop that pulls the hub end with the same
//! content — drafts, their field versions and notes included; what merges
//! note about themselves aside — and every copy passes check. Drafts are
//! handed over on the hub to every user (as a team that passes drafts
//! around does; that an unhanded draft is refused is `hub_drafts`'s).
//!
//! `HUB_CASES=N` sets how many sessions are played (default 6).

mod common;
#[allow(unused_macros, unused_imports)]
mod hub_support;
mod team_support;

use std::path::Path;

use casebook::model::merge::Cause;
use casebook::store::hub::HubUrl;
use casebook::store::{OpenMode, Store};
use casebook::workflow::sync::sync;
use hub_support::{PASSWORD, TestHub};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use team_support::{Session, Team, apply, arb_session, content};

fn cases() -> u32 {
    std::env::var("HUB_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6)
}

/// A session, when each step's user syncs after it, and the final order.
fn arb_plan() -> impl Strategy<Value = (Session, Vec<bool>, Vec<usize>)> {
    arb_session().prop_flat_map(|session| {
        let steps = session.steps.len();
        let users = session.auditors;
        (
            Just(session),
            prop::collection::vec(prop::bool::weighted(0.3), steps),
            Just((0..users).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

/// `login`'s URL with the test password in it (fine for a test: nothing stores it).
fn url(hub: &TestHub, login: &str) -> HubUrl {
    HubUrl::parse(&hub.url(login).replacen('@', &format!(":{PASSWORD}@"), 1)).expect("url")
}

fn sync_as(path: &Path, hub: &TestHub, login: &str, logins: &[String]) {
    hand_over_drafts(hub, logins);
    let mut store = Store::open(path, OpenMode::Existing).expect("open");
    let report = sync(&mut store, &url(hub, login), login, &mut |_| {}).expect("sync");
    // A draft's items added after another laptop sealed it are listed, not
    // taken (as a merge does); anything else refused is a failure.
    let listed = report
        .merged
        .as_ref()
        .is_none_or(|m| m.missing_files.is_empty() && m.refused.iter().all(|r| r.cause == Cause::AfterSubmission));
    let pushed = report.pushed.conflicts.is_empty() && report.pushed.refused.is_empty();
    assert!(listed && pushed, "sync of {} refused or conflicted: {report:#?}", path.display());
}

/// Every draft on the hub handed over to every login, by the hub's owner.
fn hand_over_drafts(hub: &TestHub, logins: &[String]) {
    hub.client(&hub.owner())
        .execute(
            "INSERT INTO casebook.records (kind, key, supplier, audit, body)
             SELECT 'handover', d.key || ' ' || l, d.supplier, d.key, jsonb_build_object('to', l)
             FROM casebook.records d CROSS JOIN unnest($1::text[]) l
             WHERE d.kind = 'draft' AND NOT casebook.audit_submitted(d.key)
               AND NOT EXISTS (SELECT 1 FROM casebook.records h WHERE h.kind = 'handover' AND h.key = d.key || ' ' || l)",
            &[&logins],
        )
        .expect("hand the drafts over");
}

/// What travels: everything but what merges note about themselves, and the
/// notes on unanswered questions left on an audit submitted on its laptop
/// (a submission keeps them there; neither `casebook merge` nor the hub
/// carries notes of a submitted audit).
fn shared(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let submitted: Vec<String> = conn
        .prepare("SELECT 'note | ' || gid || ' | ' FROM audits WHERE status = 'submitted'")
        .expect("submitted")
        .query_map([], |r| r.get(0))
        .expect("submitted")
        .collect::<Result<_, _>>()
        .expect("submitted");
    content(db)
        .into_iter()
        .filter(|line| {
            !(line.starts_with("history | ") && (line.contains(" | merge | ") || line.contains(" | sync | ")))
        })
        .filter(|line| !submitted.iter().any(|prefix| line.starts_with(prefix.as_str())))
        .collect()
}

#[test]
fn random_sessions_synced_in_random_orders_converge() {
    if hub_support::cluster().is_none() {
        return;
    }
    let travelled = std::cell::Cell::new(0_usize);
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    runner
        .run(&arb_plan(), |(session, syncs, order)| {
            let mut hub = TestHub::new().expect("cluster");
            let dir = tempfile::tempdir().expect("dir");
            let team = Team::new(dir.path(), session.auditors);
            let owner = hub.owner();
            let mut store = Store::open(&team.base, OpenMode::Existing).expect("base");
            casebook::store::hub::Hub::connect(&url(&hub, &owner)).expect("connect").init().expect("init");
            sync(&mut store, &url(&hub, &owner), "owner", &mut |_| {}).expect("team database to the hub");
            drop(store);
            let logins: Vec<String> = (0..session.auditors)
                .map(|i| hub.add_login(&format!("u{i}"), &["casebook_auditor", "casebook_qa", "casebook_buyer"]))
                .collect();
            for (copy, login) in team.copies.iter().zip(&logins) {
                sync_as(copy, &hub, login, &logins);
            }
            for ((who, op), sync_now) in session.steps.iter().zip(&syncs) {
                let mut store = Store::open(&team.copies[*who], OpenMode::Existing).expect("open");
                apply(&mut store, &team.copies[*who], &Team::actor(*who), op);
                drop(store);
                if *sync_now {
                    sync_as(&team.copies[*who], &hub, &logins[*who], &logins);
                }
            }
            for _ in 0..2 {
                for &who in &order {
                    sync_as(&team.copies[who], &hub, &logins[who], &logins);
                }
            }
            let fresh = dir.path().join("fresh.db");
            drop(Store::open(&fresh, OpenMode::Create).expect("fresh laptop"));
            sync_as(&fresh, &hub, &logins[0], &logins);
            let want = shared(&fresh);
            let base = shared(&team.base);
            travelled.set(travelled.get() + want.iter().filter(|l| !base.contains(l)).count());
            for (who, copy) in team.copies.iter().enumerate() {
                let got = shared(copy);
                if got != want {
                    let extra: Vec<&String> = got.iter().filter(|l| !want.contains(l)).take(5).collect();
                    let lacking: Vec<&String> = want.iter().filter(|l| !got.contains(l)).take(5).collect();
                    panic!(
                        "user {who}'s laptop differs from the hub's content: extra {extra:#?}; lacking {lacking:#?}"
                    );
                }
                let check = common::run(
                    std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
                        .env_remove("CASEBOOK_DB")
                        .args(["--as-of", "2026-12-01", "check", "--db"])
                        .arg(copy),
                );
                assert_eq!(check.code, Some(0), "check failed on user {who}'s laptop:\n{}", check.stdout);
            }
            Ok(())
        })
        .expect("every session converges");
    assert!(travelled.get() > 0, "no session's work reached the hub: the test exercised nothing");
}
