//! `casebook hub init|set|status` as a user runs them, against a real
//! PostgreSQL (see `hub_support`): passwords come from PGPASSWORD or
//! ~/.pgpass and are never stored; refusals change nothing.

mod common;
mod hub_support;

use std::process::Command;

use common::{Run, Sandbox};
use hub_support::{PASSWORD, TestHub, test_hub};

/// The binary in the sandbox, with no PostgreSQL variables from the caller.
fn casebook(sandbox: &Sandbox) -> Command {
    let mut cmd = sandbox.command();
    for var in ["PGPASSWORD", "PGPASSFILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"] {
        cmd.env_remove(var);
    }
    cmd.arg("--db").arg(&sandbox.db);
    cmd
}

fn run_with_password(sandbox: &Sandbox, password: &str, args: &[&str]) -> Run {
    common::run(casebook(sandbox).env("PGPASSWORD", password).args(args))
}

fn init_hub(sandbox: &Sandbox, hub: &TestHub) {
    run_with_password(sandbox, PASSWORD, &["hub", "init", &hub.url(&hub.owner())])
        .assert_success()
        .assert_stdout_has("hub created (hub schema version 2");
}

#[test]
fn the_administrator_creates_a_hub_once() {
    let hub = test_hub!();
    let sandbox = Sandbox::empty();
    let url = hub.url(&hub.owner());
    let first = run_with_password(&sandbox, PASSWORD, &["hub", "init", &url]);
    first.assert_success().assert_stdout_has("hub created").assert_stdout_has("IN ROLE casebook_auditor");
    run_with_password(&sandbox, PASSWORD, &["hub", "init", &url])
        .assert_success()
        .assert_stdout_has("hub already up to date (hub schema version 2); nothing changed");
}

#[test]
fn init_refuses_a_database_holding_other_data() {
    let hub = test_hub!();
    hub.client(&hub.owner()).batch_execute("CREATE TABLE orders (id int)").expect("other data");
    let sandbox = Sandbox::empty();
    run_with_password(&sandbox, PASSWORD, &["hub", "init", &hub.url(&hub.owner())])
        .assert_failure()
        .assert_stderr_has("holds other objects (public.orders)")
        .assert_stderr_has("nothing was changed");
}

#[test]
fn set_refuses_a_url_with_a_password_and_stores_nothing() {
    let hub = test_hub!();
    let sandbox = Sandbox::empty();
    init_hub(&sandbox, &hub);
    let before = sandbox.snapshot();
    let with_password = hub.url(&hub.owner()).replacen('@', &format!(":{PASSWORD}@"), 1);
    let run = common::run(casebook(&sandbox).args(["hub", "set", &with_password]));
    run.assert_failure().assert_stderr_has("casebook never stores one");
    assert!(!run.stderr.contains(PASSWORD), "the password is echoed: {}", run.stderr);
    sandbox.assert_unchanged(&before);
}

#[test]
fn set_refuses_a_wrong_password_or_a_database_that_is_no_hub() {
    let mut hub = test_hub!();
    let sandbox = Sandbox::empty();
    let url = hub.url(&hub.owner());
    let before = sandbox.snapshot();
    run_with_password(&sandbox, PASSWORD, &["hub", "set", &url])
        .assert_failure()
        .assert_stderr_has("not a casebook hub");
    init_hub(&sandbox, &hub);
    let auditor = hub.add_login("lin", &["casebook_auditor"]);
    run_with_password(&sandbox, "wrong", &["hub", "set", &hub.url(&auditor)])
        .assert_failure()
        .assert_stderr_has(&format!("cannot connect to the hub {} as {auditor}", hub.url(&auditor)))
        .assert_stderr_has("password authentication failed");
    sandbox.assert_unchanged(&before);
}

#[test]
fn set_takes_the_password_from_pgpass_and_status_shows_the_hub() {
    let mut hub = test_hub!();
    let sandbox = Sandbox::empty();
    init_hub(&sandbox, &hub);
    let auditor = hub.add_login("lin", &["casebook_auditor"]);
    let url = hub.url(&auditor);
    // As libpq: `*` matches the socket directory, port and database.
    let home = sandbox.path("home");
    std::fs::create_dir_all(&home).expect("home");
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("# casebook hub\n*:*:*:someone_else:nope\n*:*:*:{auditor}:{PASSWORD}\n"))
        .expect("pgpass");
    set_mode(&pgpass, 0o644);
    common::run(casebook(&sandbox).args(["hub", "set", &url]))
        .assert_failure()
        .assert_stderr_has("has group or world access");
    set_mode(&pgpass, 0o600);
    common::run(casebook(&sandbox).args(["hub", "set", &url]))
        .assert_success()
        .assert_stdout_has(&format!("hub set: {url} (hub "))
        .assert_stdout_has(&format!("you are {auditor} (casebook_auditor)"));
    let stored: String = sandbox.sql().query_row("SELECT url FROM hub_link", [], |r| r.get(0)).expect("stored");
    assert_eq!(stored, url);
    let status = common::run(casebook(&sandbox).args(["hub", "status"]));
    status
        .assert_success()
        .assert_stdout_has(&format!("hub: {url} (set "))
        .assert_stdout_has("last sync: never")
        .assert_stdout_has("changes here not yet on the hub: 0")
        .assert_stdout_has(&format!("reachable: you are {auditor} (casebook_auditor)"));
    // Offline, the status still says what it knows.
    let offline = common::run(casebook(&sandbox).env("PGPASSFILE", "/nonexistent").args(["hub", "status"]));
    offline.assert_success().assert_stdout_has("not reachable now: cannot connect to the hub");
}

#[test]
fn status_without_a_hub_says_how_to_set_one() {
    let sandbox = Sandbox::empty();
    common::run(casebook(&sandbox).args(["hub", "status"]))
        .assert_success()
        .assert_stdout_has("no hub set for this database; `casebook hub set URL` remembers one");
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
