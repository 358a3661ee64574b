//! The hub's rules, enforced by PostgreSQL whoever connects: these tests go
//! around casebook's client and speak SQL to the hub as each role's login
//! (and as its owner) to show that roles, immutability, attribution and the
//! pull order hold on the server. `casebook hub init` makes the schema.

mod hub_support;

use casebook::store::hub::{HUB_VERSION, Hub, HubUrl};
use hub_support::{PASSWORD, TestHub, sqlstate, test_hub};
use postgres::Client;

const AUDITOR: &str = "casebook_auditor";
const QA: &str = "casebook_qa";
const BUYER: &str = "casebook_buyer";

fn init(hub: &TestHub) {
    let url = HubUrl::parse(&hub.url(&hub.owner())).expect("url");
    let env = |name: &str| (name == "PGPASSWORD").then(|| PASSWORD.to_owned());
    Hub::connect_with(&url, &env).expect("connect as owner").init().expect("hub init");
}

/// A supplier, as an auditor pushes one.
fn push_supplier(c: &mut Client, code: &str) -> Result<u64, postgres::Error> {
    c.execute("INSERT INTO casebook.suppliers (code, body) VALUES ($1, '{\"name\": \"X\"}')", &[&code])
}

fn push_audit(c: &mut Client, gid: &str, supplier: &str) -> Result<u64, postgres::Error> {
    c.execute(
        "INSERT INTO casebook.audits (gid, supplier, body) VALUES ($1, $2, '{\"auditor\": \"a\"}')",
        &[&gid, &supplier],
    )
}

fn push_record(c: &mut Client, kind: &str, key: &str, audit: Option<&str>, body: &str) -> Result<u64, postgres::Error> {
    c.execute(
        "INSERT INTO casebook.records (kind, key, supplier, audit, body) VALUES ($1, $2, 'SZ-A', $3, $4::text::jsonb)",
        &[&kind, &key, &audit, &body],
    )
}

const AUDIT_1: &str = "0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a61";
const AUDIT_2: &str = "0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a62";

#[test]
fn an_auditor_pushes_audits_and_a_buyer_cannot() {
    let mut hub = test_hub!();
    init(&hub);
    let auditor = hub.add_login("auditor", &[AUDITOR]);
    let buyer = hub.add_login("buyer", &[BUYER]);
    let mut a = hub.client(&auditor);
    let mut b = hub.client(&buyer);
    assert_eq!(push_supplier(&mut a, "SZ-A").expect("auditor pushes a supplier"), 1);
    assert_eq!(sqlstate(push_audit(&mut b, AUDIT_1, "SZ-A")).as_deref(), Some("42501"), "buyer pushes an audit");
    assert_eq!(sqlstate(push_supplier(&mut b, "SZ-B")).as_deref(), Some("42501"), "buyer pushes a supplier");
    assert_eq!(
        sqlstate(push_record(&mut b, "claim", "c1", None, "{}")).as_deref(),
        Some("42501"),
        "buyer pushes a claim (row-level security)"
    );
    assert_eq!(push_audit(&mut a, AUDIT_1, "SZ-A").expect("auditor pushes an audit"), 1);
    // What a buyer may push: shortlist marks and their history.
    let mark = b.execute(
        "INSERT INTO casebook.versions (entity, key, field, clock, actor, value, supplier)
         VALUES ('shortlist', 'SZ-A', 'marked', '1763712000000.00001.K7Q', 'buyer', '1', 'SZ-A')",
        &[],
    );
    assert_eq!(mark.expect("buyer marks a supplier"), 1);
    let history = b.execute(
        "INSERT INTO casebook.records (kind, key, supplier, topic, body)
         VALUES ('history', 'h1', 'SZ-A', 'shortlist', '{}')",
        &[],
    );
    assert_eq!(history.expect("buyer's history of the mark"), 1);
    let foreign = b.execute(
        "INSERT INTO casebook.records (kind, key, supplier, topic, body) VALUES ('history', 'h2', 'SZ-A', 'audit', '{}')",
        &[],
    );
    assert_eq!(sqlstate(foreign).as_deref(), Some("42501"), "buyer writes history about an audit");
    // The hub says why, in the words the client shows.
    let why: Option<String> =
        b.query_one("SELECT casebook.why_refused(current_user, 'audits', NULL)", &[]).expect("why").get(0);
    assert_eq!(
        why.as_deref(),
        Some(format!("your login {buyer} has role casebook_buyer; audits are pushed by casebook_auditor").as_str())
    );
    let why: Option<String> =
        a.query_one("SELECT casebook.why_refused(current_user, 'audits', NULL)", &[]).expect("why").get(0);
    assert_eq!(why, None);
    // Everyone reads.
    let audits: i64 = b.query_one("SELECT count(*) FROM casebook.audits", &[]).expect("read").get(0);
    assert_eq!(audits, 1);
}

#[test]
fn qa_pushes_annotations_and_policy_but_not_lots() {
    let mut hub = test_hub!();
    init(&hub);
    let auditor = hub.add_login("auditor", &[AUDITOR]);
    let qa = hub.add_login("qa", &[QA]);
    let mut a = hub.client(&auditor);
    let mut q = hub.client(&qa);
    push_supplier(&mut a, "SZ-A").expect("supplier");
    let lot = "INSERT INTO casebook.lots (supplier, lot, sku, process, material, produced_on, started, passed_first,
                                          reworked, scrapped) VALUES ('SZ-A', $1, 'S', 'injection', 'PC', '2026-03-01',
                                          100, 90, 5, 5)";
    assert_eq!(a.execute(lot, &[&"L1"]).expect("auditor pushes a lot"), 1);
    assert_eq!(sqlstate(q.execute(lot, &[&"L2"])).as_deref(), Some("42501"), "qa pushes a lot");
    assert_eq!(push_record(&mut q, "annotation", "n1", None, "{\"cause\": \"mould\"}").expect("qa annotates"), 1);
    let policy = q.execute(
        "INSERT INTO casebook.versions (entity, key, field, clock, actor, value)
         VALUES ('policy', 'yield.min_fpy', 'value', '1763712000000.00001.K7Q', 'qa', '0.9')",
        &[],
    );
    assert_eq!(policy.expect("qa sets policy"), 1);
    assert_eq!(
        sqlstate(push_record(&mut a, "annotation", "n2", None, "{}")).as_deref(),
        Some("42501"),
        "an auditor annotates"
    );
}

#[test]
fn only_the_owner_of_a_draft_adds_to_it_and_nobody_after_submission() {
    let mut hub = test_hub!();
    init(&hub);
    let first = hub.add_login("first", &[AUDITOR]);
    let second = hub.add_login("second", &[AUDITOR]);
    let mut a = hub.client(&first);
    let mut b = hub.client(&second);
    push_supplier(&mut a, "SZ-A").expect("supplier");
    push_audit(&mut a, AUDIT_1, "SZ-A").expect("first's audit");
    push_audit(&mut b, AUDIT_2, "SZ-A").expect("second's audit");
    assert_eq!(push_record(&mut a, "evidence", "e1", Some(AUDIT_1), "{}").expect("own draft"), 1);
    assert_eq!(
        sqlstate(push_record(&mut b, "evidence", "e2", Some(AUDIT_1), "{}")).as_deref(),
        Some("42501"),
        "evidence in another auditor's draft"
    );
    let why: Option<String> = b
        .query_one("SELECT casebook.why_refused(current_user, 'records:evidence', $1)", &[&AUDIT_1])
        .expect("why")
        .get(0);
    let expected = format!(
        "audit {AUDIT_1} is a draft of {first} on the hub; only {first} pushes what is filed under it (and a login it hands the draft over to with casebook hub hand-over)"
    );
    assert_eq!(why.as_deref(), Some(expected.as_str()));
    let answer = "INSERT INTO casebook.versions (entity, key, field, clock, actor, value, audit)
                  VALUES ('answer', $1, 'result', $2, 'x', 'yes', $3)";
    let key = format!("{AUDIT_1} LG-01");
    assert_eq!(sqlstate(b.execute(answer, &[&key, &"1.1.K7Q", &AUDIT_1])).as_deref(), Some("42501"));
    assert_eq!(a.execute(answer, &[&key, &"1.1.K7Q", &AUDIT_1]).expect("own answer"), 1);
    assert_eq!(
        sqlstate(push_record(&mut b, "submission", AUDIT_1, Some(AUDIT_1), "{}")).as_deref(),
        Some("42501"),
        "submitting another auditor's draft"
    );
    assert_eq!(push_record(&mut a, "submission", AUDIT_1, Some(AUDIT_1), "{\"seal\": 1}").expect("submit"), 1);
    // Submitted: nothing more under it, from the auditor or the hub's owner.
    assert_eq!(sqlstate(push_record(&mut a, "evidence", "e3", Some(AUDIT_1), "{}")).as_deref(), Some("CB003"));
    // An edit made on a copy of the draft before it saw the submission is
    // history (it changes nothing sealed), taken from any auditor.
    assert_eq!(b.execute(answer, &[&key, &"2.1.K7Q", &AUDIT_1]).expect("a late edit, as history"), 1);
    let mut owner = hub.client(&hub.owner());
    assert_eq!(sqlstate(push_record(&mut owner, "finding", "f1", Some(AUDIT_1), "{}")).as_deref(), Some("CB003"));
    // A closure is added to a submitted audit's finding, by any auditor.
    assert_eq!(push_record(&mut b, "closure", "f0", Some(AUDIT_1), "{}").expect("closure"), 1);
}

#[test]
fn facts_never_change_even_for_the_owner() {
    let mut hub = test_hub!();
    init(&hub);
    let auditor = hub.add_login("auditor", &[AUDITOR]);
    let mut a = hub.client(&auditor);
    push_supplier(&mut a, "SZ-A").expect("supplier");
    push_record(&mut a, "claim", "c1", None, "{\"capability\": \"feasibility\"}").expect("claim");
    // The same fact again is skipped: pushing twice changes nothing.
    assert_eq!(push_record(&mut a, "claim", "c1", None, "{\"capability\": \"feasibility\"}").expect("again"), 0);
    // Other content under the same identity is a conflict of facts.
    let conflict = push_record(&mut a, "claim", "c1", None, "{\"capability\": \"structural_design\"}");
    let err = conflict.expect_err("conflict refused");
    let db = err.as_db_error().expect("server error");
    assert_eq!(db.code().code(), "CB001");
    assert!(db.detail().unwrap_or_default().contains("structural_design"), "{db:?}");
    for owner_too in [false, true] {
        let mut c = if owner_too { hub.client(&hub.owner()) } else { hub.client(&auditor) };
        let attempts = [
            "UPDATE casebook.records SET body = '{}' WHERE key = 'c1'",
            "DELETE FROM casebook.records WHERE key = 'c1'",
            "TRUNCATE casebook.records CASCADE",
            "INSERT INTO casebook.records (kind, key, supplier, body) VALUES ('claim', 'c1', 'SZ-A', '{\"x\": 1}')
             ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
            "MERGE INTO casebook.records r USING (SELECT 'c1' AS key) s ON r.kind = 'claim' AND r.key = s.key
             WHEN MATCHED THEN UPDATE SET body = '{\"y\": 2}'",
            "MERGE INTO casebook.records r USING (SELECT 'c1' AS key) s ON r.kind = 'claim' AND r.key = s.key
             WHEN MATCHED THEN DELETE",
            "UPDATE casebook.pushes SET login = 'someone_else'",
            "DELETE FROM casebook.hub_versions",
        ];
        for sql in attempts {
            let state = sqlstate(c.batch_execute(sql));
            // The owner reaches the triggers; others are stopped by privileges first.
            let allowed: &[&str] = if owner_too { &["CB001", "CB002"] } else { &["42501", "CB001", "CB002"] };
            assert!(state.as_deref().is_some_and(|s| allowed.contains(&s)), "{sql}: {state:?} (owner: {owner_too})");
        }
    }
    let body: String = a
        .query_one("SELECT body::text FROM casebook.records WHERE kind = 'claim' AND key = 'c1'", &[])
        .expect("claim still there")
        .get(0);
    assert_eq!(body, "{\"capability\": \"feasibility\"}");
}

#[test]
fn every_row_is_attributed_to_the_login_that_pushed_it() {
    let mut hub = test_hub!();
    init(&hub);
    let auditor = hub.add_login("auditor", &[AUDITOR]);
    let mut a = hub.client(&auditor);
    // Not even naming the columns is allowed…
    let forged = a.execute("INSERT INTO casebook.suppliers (code, body, pushed_by) VALUES ('SZ-F', '{}', 'boss')", &[]);
    assert_eq!(sqlstate(forged).as_deref(), Some("42501"));
    push_supplier(&mut a, "SZ-A").expect("supplier");
    // …and the owner's are checked: a push carries its own login and transaction.
    let mut owner = hub.client(&hub.owner());
    let forged = owner.execute(
        "INSERT INTO casebook.suppliers (code, body, pushed_by, tx, pushed_at) VALUES ('SZ-F', '{}', 'nobody', '1', now())",
        &[],
    );
    assert_eq!(sqlstate(forged).as_deref(), Some("CB004"));
    owner.execute("INSERT INTO casebook.suppliers (code, body) VALUES ('SZ-B', '{}')", &[]).expect("owner pushes");
    let rows = a
        .query("SELECT code, pushed_by::text, pushed_at > '2020-01-01' FROM casebook.suppliers ORDER BY seq", &[])
        .expect("read");
    let seen: Vec<(String, String, bool)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(seen, vec![("SZ-A".into(), auditor.clone(), true), ("SZ-B".into(), hub.owner(), true)]);
    let pushes: Vec<String> = a
        .query("SELECT login::text FROM casebook.pushes ORDER BY id", &[])
        .expect("pushes")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(pushes, vec![auditor.clone(), hub.owner()]);
    let history: Vec<(String, String, i64)> = a
        .query("SELECT login::text, what, rows FROM casebook.history ORDER BY push", &[])
        .expect("history")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(history, vec![(auditor, "suppliers".into(), 1), (hub.owner(), "suppliers".into(), 1)]);
}

#[test]
fn files_are_kept_by_their_hash() {
    let mut hub = test_hub!();
    init(&hub);
    let auditor = hub.add_login("auditor", &[AUDITOR]);
    let mut a = hub.client(&auditor);
    let content: &[u8] = b"a photo";
    let sha = "5c5ee1ac04893578f1ad4416e9ba1f8e86f1ed3b9d4ff2fac6ba1a8a3d7f4d09";
    let insert = "INSERT INTO casebook.files (sha256, size, content) VALUES ($1, $2, $3)";
    let size = i64::try_from(content.len()).expect("size");
    assert_eq!(sqlstate(a.execute(insert, &[&sha, &size, &content])).as_deref(), Some("23514"), "wrong hash");
    let real: String = a.query_one("SELECT encode(sha256($1), 'hex')", &[&content]).expect("hash").get(0);
    assert_ne!(real, sha);
    assert_eq!(a.execute(insert, &[&real, &size, &content]).expect("right hash"), 1);
    assert_eq!(a.execute(insert, &[&real, &size, &content]).expect("again"), 0);
}

/// The pull cursor's promise: rows become visible in `seq` order, so a
/// reader that has everything up to N never later finds a row below N.
#[test]
fn pushes_are_serialised_so_the_pull_order_has_no_holes() {
    let mut hub = test_hub!();
    init(&hub);
    let first = hub.add_login("first", &[AUDITOR]);
    let second = hub.add_login("second", &[AUDITOR]);
    let mut a = hub.client(&first);
    let mut b = hub.client(&second);
    let mut tx = a.transaction().expect("begin");
    tx.execute("INSERT INTO casebook.suppliers (code, body) VALUES ('SZ-A', '{}')", &[]).expect("push in a");
    // While the first push is open, a second one waits (here: gives up).
    b.batch_execute("SET lock_timeout = '200ms'").expect("timeout");
    assert_eq!(sqlstate(push_supplier(&mut b, "SZ-B")).as_deref(), Some("55P03"), "second push waits");
    b.batch_execute("SET lock_timeout = 0").expect("no timeout");
    // Readers do not wait, and see nothing of the open push.
    let visible: i64 = b.query_one("SELECT count(*) FROM casebook.suppliers", &[]).expect("read").get(0);
    assert_eq!(visible, 0);
    // A push that starts now waits for the lock before it draws its seq,
    // so it follows everything the open push adds meanwhile.
    let waiting = std::thread::spawn(move || {
        push_supplier(&mut b, "SZ-C").expect("third push");
        b
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    tx.execute("INSERT INTO casebook.suppliers (code, body) VALUES ('SZ-D', '{}')", &[]).expect("more in a");
    tx.commit().expect("commit");
    let mut b = waiting.join().expect("third push done");
    let order: Vec<String> = b
        .query("SELECT code FROM casebook.suppliers ORDER BY seq", &[])
        .expect("read")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(order, ["SZ-A", "SZ-D", "SZ-C"]);
}

#[test]
fn init_is_idempotent_and_keeps_the_hub_identity() {
    let hub = test_hub!();
    let url = HubUrl::parse(&hub.url(&hub.owner())).expect("url");
    let env = |name: &str| (name == "PGPASSWORD").then(|| PASSWORD.to_owned());
    let mut h = Hub::connect_with(&url, &env).expect("connect");
    let first = h.init().expect("first init");
    assert_eq!((first.from, first.to), (None, HUB_VERSION));
    let id = h.info().expect("a hub now").hub_id;
    let again = h.init().expect("second init");
    assert_eq!((again.from, again.to, again.roles_created.len()), (Some(HUB_VERSION), HUB_VERSION, 0));
    assert_eq!(h.info().expect("still a hub").hub_id, id);
    let login = h.login().expect("login");
    assert!(login.owner && login.roles.is_empty(), "{login:?}");
}

#[test]
fn init_refuses_a_database_with_other_tables_and_changes_nothing() {
    let hub = test_hub!();
    let mut owner = hub.client(&hub.owner());
    owner.batch_execute("CREATE TABLE invoices (id int)").expect("someone else's table");
    let url = HubUrl::parse(&hub.url(&hub.owner())).expect("url");
    let env = |name: &str| (name == "PGPASSWORD").then(|| PASSWORD.to_owned());
    let err = Hub::connect_with(&url, &env).expect("connect").init().expect_err("refused");
    assert!(err.to_string().contains("public.invoices"), "{err}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    let schema: bool = owner
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'casebook')", &[])
        .expect("query")
        .get(0);
    assert!(!schema);
}

#[test]
fn init_refuses_a_hub_from_a_newer_casebook() {
    let hub = test_hub!();
    init(&hub);
    let mut owner = hub.client(&hub.owner());
    owner
        .execute("INSERT INTO casebook.hub_versions (version, casebook) VALUES ($1, '99.0')", &[&(HUB_VERSION + 1)])
        .expect("a newer casebook's step");
    let url = HubUrl::parse(&hub.url(&hub.owner())).expect("url");
    let env = |name: &str| (name == "PGPASSWORD").then(|| PASSWORD.to_owned());
    let mut h = Hub::connect_with(&url, &env).expect("connect");
    let err = h.init().expect_err("refused");
    assert!(err.to_string().contains("newer casebook"), "{err}");
    assert!(h.info().is_err());
}
