//! Moving rows to and from a real hub through casebook's client: a push
//! reports what it added, what was there, conflicts with both versions and
//! refusals in the hub's words; a pull window returns exactly what arrived
//! after a cursor, in arrival order.

mod hub_support;

use casebook::store::hex;
use casebook::store::hub::{
    AuditRow, Batch, FileRow, Hub, HubUrl, LotRow, PushReport, RecordRow, SupplierRow, VersionRow,
};
use chrono::NaiveDate;
use hub_support::{PASSWORD, TestHub, test_hub};
use serde_json::json;
use sha2::{Digest, Sha256};

const GID: &str = "0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a61";

fn connect(hub: &TestHub, login: &str) -> Hub {
    let url = HubUrl::parse(&hub.url(login)).expect("url");
    let env = |name: &str| (name == "PGPASSWORD").then(|| PASSWORD.to_owned());
    Hub::connect_with(&url, &env).expect("connect")
}

fn lot(code: &str, passed: i64) -> LotRow {
    LotRow {
        supplier: "SZ-A".into(),
        lot: code.into(),
        sku: "S".into(),
        process: "injection".into(),
        material: "TPU+PC".into(),
        produced_on: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
        started: 100,
        passed_first: passed,
        reworked: 2,
        scrapped: 1,
        defects: Some(json!({"flash": 3})),
    }
}

fn record(kind: &str, key: &str, audit: Option<&str>) -> RecordRow {
    RecordRow {
        kind: kind.into(),
        key: key.into(),
        supplier: Some("SZ-A".into()),
        audit: audit.map(str::to_owned),
        topic: None,
        body: json!({"k": key}),
    }
}

fn answer(clock: &str, value: &str) -> VersionRow {
    VersionRow {
        entity: "answer".into(),
        key: format!("{GID} LG-01"),
        field: "result".into(),
        clock: clock.into(),
        actor: "lin".into(),
        value: Some(value.into()),
        supplier: Some("SZ-A".into()),
        audit: Some(GID.into()),
    }
}

/// A day of field work: a supplier, a submitted audit with its parts, lots, a photo.
fn field_day() -> Batch {
    let photo = b"jpeg bytes".to_vec();
    Batch {
        suppliers: vec![SupplierRow { code: "SZ-A".into(), body: json!({"name": "Armor"}) }],
        audits: vec![AuditRow { gid: GID.into(), supplier: "SZ-A".into(), body: json!({"ref": "A-2026-K7Q-001"}) }],
        records: vec![
            record("submission", GID, Some(GID)),
            record("evidence", "e1", Some(GID)),
            record("finding", "f1", Some(GID)),
        ],
        versions: vec![answer("1.1.K7Q", "no"), answer("2.1.K7Q", "yes")],
        lots: vec![lot("L1", 90), lot("L2", 80)],
        files: vec![FileRow { sha256: hex(&Sha256::digest(&photo)), size: 10, content: photo }],
    }
}

fn added(report: &PushReport, table: &str) -> u64 {
    report.added.get(table).copied().unwrap_or(0)
}

#[test]
fn a_push_adds_once_and_again_changes_nothing() {
    let mut hub = test_hub!();
    connect(&hub, &hub.owner()).init().expect("init");
    let auditor = hub.add_login("lin", &["casebook_auditor"]);
    let mut h = connect(&hub, &auditor);
    let batch = field_day();
    let first = h.push(&batch).expect("push");
    assert_eq!(first.added_total(), 10, "{first:?}");
    assert!(first.conflicts.is_empty() && first.refused.is_empty(), "{first:?}");
    let again = h.push(&batch).expect("push again");
    assert_eq!(again.added_total(), 0, "{again:?}");
    assert_eq!(again.already.values().sum::<u64>(), 10);
    let window = h.pull_window(0).expect("window");
    assert_eq!(window.total(), 10);
    let mut lots = Vec::new();
    h.pull_rows(&window, &mut |l: LotRow| {
        lots.push(l);
        Ok(())
    })
    .expect("pull lots");
    assert_eq!(lots, batch.lots);
    let mut records = Vec::new();
    h.pull_rows(&window, &mut |r: RecordRow| {
        records.push(r.kind);
        Ok(())
    })
    .expect("pull records");
    // Parts before the submission: arrival order.
    assert_eq!(records, ["evidence", "finding", "submission"]);
    assert_eq!(h.pull_window(window.upto).expect("nothing new").total(), 0);
}

#[test]
fn a_conflict_of_facts_is_reported_with_both_versions_and_the_rest_goes_in() {
    let mut hub = test_hub!();
    connect(&hub, &hub.owner()).init().expect("init");
    let first = hub.add_login("first", &["casebook_auditor"]);
    let second = hub.add_login("second", &["casebook_auditor"]);
    connect(&hub, &first).push(&field_day()).expect("first push");
    let mut h = connect(&hub, &second);
    let before = h.pull_window(0).expect("window").upto;
    let batch =
        Batch { suppliers: field_day().suppliers, lots: vec![lot("L1", 91), lot("L3", 70)], ..Batch::default() };
    let report = h.push(&batch).expect("push");
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    let c = &report.conflicts[0];
    assert_eq!(c.record, "lot SZ-A L1");
    assert_eq!((c.hub["passed_first"].clone(), c.pushed["passed_first"].clone()), (json!(90), json!(91)));
    assert_eq!(added(&report, "lots"), 1);
    // Only L3 arrived after the cursor.
    let mut h = connect(&hub, &first);
    let window = h.pull_window(before).expect("window");
    assert_eq!(window.total(), 1);
}

#[test]
fn refusals_name_the_records_and_the_reason_and_add_nothing() {
    let mut hub = test_hub!();
    connect(&hub, &hub.owner()).init().expect("init");
    let buyer = hub.add_login("buyer", &["casebook_buyer"]);
    let mut h = connect(&hub, &buyer);
    let report = h.push(&field_day()).expect("the push runs; the hub refuses rows");
    assert_eq!(report.added_total(), 0, "{report:?}");
    let supplier = report.refused.iter().find(|r| r.records == ["supplier SZ-A"]).expect("supplier refused");
    assert_eq!(
        supplier.why,
        format!("your login {buyer} has role casebook_buyer; suppliers are pushed by casebook_auditor")
    );
    let audits = report.refused.iter().find(|r| r.why.contains("audits are pushed by casebook_auditor"));
    assert_eq!(audits.expect("audit refused").records, ["audit A-2026-K7Q-001 (0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a61)"]);
    let lots = report.refused.iter().find(|r| r.why.contains("lots are pushed by")).expect("lots refused");
    assert_eq!((lots.count, lots.records.len()), (2, 2));
    assert_eq!(h.pull_window(0).expect("window").total(), 0);
}

#[test]
fn nothing_is_filed_under_a_submitted_audit_afterwards() {
    let mut hub = test_hub!();
    connect(&hub, &hub.owner()).init().expect("init");
    let auditor = hub.add_login("lin", &["casebook_auditor"]);
    let mut h = connect(&hub, &auditor);
    h.push(&field_day()).expect("push");
    let late = Batch {
        records: vec![record("evidence", "e9", Some(GID))],
        versions: vec![answer("3.1.K7Q", "partial")],
        ..Batch::default()
    };
    let report = h.push(&late).expect("push");
    // The evidence is refused; the answer's edit, made on a copy of the
    // draft before it saw the submission, changes nothing sealed and is
    // kept as history (hub schema version 2).
    assert_eq!((added(&report, "records"), added(&report, "versions")), (0, 1), "{report:?}");
    let whys: Vec<&str> = report.refused.iter().map(|r| r.why.as_str()).collect();
    let expected = format!("audit {GID} is submitted on the hub; nothing filed under it changes");
    assert_eq!(whys, [expected.as_str()]);
    assert_eq!(report.refused[0].records, ["evidence e9"]);
}
