use chrono::NaiveDate;

use super::AuditHeader;
use crate::model::{
    Answer, AnswerResult, AuditKind, BusinessType, DEFAULT_TEMPLATE, Evidence, EvidenceKind, Finding, FindingSeverity,
    Models, Pillar, Strength, Supplier,
};
use crate::store::{NewAudit, Store, SupplierId};
use crate::workflow;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
}

fn draft(store: &mut Store) -> (SupplierId, i64) {
    let w = store.begin("lin.wei").unwrap();
    let supplier = Supplier {
        code: "S-1".into(),
        name: "S".into(),
        country: "CN".into(),
        city: None,
        business_type: BusinessType::Manufacturer,
        models: Models::default(),
        moq: None,
        dev_lead_days: None,
        notes: None,
    };
    let id = w.insert_supplier(&supplier).unwrap();
    let new = NewAudit {
        reference: Some("A-1"),
        auditor: "lin.wei",
        visited_on: day(10),
        kind: AuditKind::OnSite,
        template: DEFAULT_TEMPLATE,
        summary: None,
        amends: None,
    };
    let (audit, _) = w.create_audit(id, &new).unwrap();
    w.commit().unwrap();
    (id, audit)
}

fn evidence(description: &str) -> Evidence {
    Evidence {
        pillar: Pillar::MaterialCompatibility,
        kind: EvidenceKind::TestReport,
        strength: Strength::Observed,
        collected_on: day(10),
        description: description.into(),
        reference: None,
    }
}

/// (field, old, new) of the history rows of `key`, oldest first.
fn changes(store: &Store, id: SupplierId, key: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = store
        .read()
        .history(Some(id))
        .unwrap()
        .into_iter()
        .filter(|h| h.key == key && h.action == crate::model::HistoryAction::Update)
        .map(|h| (h.field.unwrap_or_default(), h.old.unwrap_or_default(), h.new.unwrap_or_default()))
        .collect();
    rows.sort();
    rows
}

#[test]
fn header_items_and_findings_are_corrected_with_history_old_to_new() {
    let mut store = Store::open_in_memory().unwrap();
    let (id, audit) = draft(&mut store);
    let w = store.begin("lin.wei").unwrap();
    let e = w.add_evidence(audit, &evidence("peel tests")).unwrap();
    let f = Finding {
        severity: FindingSeverity::Major,
        description: "no record".into(),
        owner: None,
        due_on: day(24),
        closure: None,
    };
    let fid = w.add_finding(audit, &f).unwrap();
    let header = AuditHeader { auditor: "wang.fang".into(), visited_on: day(11), summary: Some("floor seen".into()) };
    assert_eq!(w.update_audit_header(audit, &header).unwrap(), 3);
    let fixed = Evidence { strength: Strength::Document, description: "peel test log".into(), ..evidence("") };
    assert_eq!(w.update_evidence(e, &fixed).unwrap(), 2);
    let f2 = Finding { severity: FindingSeverity::Critical, due_on: day(17), ..f };
    assert_eq!(w.update_finding(fid, &f2).unwrap(), 2);
    w.commit().unwrap();

    let read = store.read();
    let row = read.audit(audit).unwrap();
    assert_eq!((row.audit.auditor.as_str(), row.audit.visited_on), ("wang.fang", day(11)));
    assert_eq!(read.evidence(audit).unwrap()[0].1, fixed);
    assert_eq!(read.findings(audit).unwrap()[0].1.severity, FindingSeverity::Critical);
    assert_eq!(
        changes(&store, id, "A-1"),
        [
            ("auditor".into(), "lin.wei".into(), "wang.fang".into()),
            ("summary".into(), String::new(), "floor seen".into()),
            ("visited_on".into(), "2026-05-10".into(), "2026-05-11".into()),
        ]
    );
    assert_eq!(
        changes(&store, id, &format!("A-1 evidence {e}")),
        [
            ("description".into(), "peel tests".into(), "peel test log".into()),
            ("strength".into(), "observed".into(), "document".into()),
        ]
    );
    assert_eq!(changes(&store, id, &format!("A-1 finding {fid}")).len(), 2);
}

#[test]
fn a_note_before_the_answer_goes_with_the_answer() {
    let mut store = Store::open_in_memory().unwrap();
    let (id, audit) = draft(&mut store);
    let w = store.begin("lin.wei").unwrap();
    w.set_question_note(audit, "LG-01", Some("licence at reception\nscope: plastics")).unwrap();
    assert_eq!(w.read().question_notes(audit).unwrap().len(), 1);
    w.set_answer(audit, &Answer { question: "LG-01".into(), result: AnswerResult::Yes, note: None }).unwrap();
    assert!(w.read().question_notes(audit).unwrap().is_empty(), "the note moved into the answer");
    let answers = w.read().audit(audit).unwrap().audit.answers;
    assert_eq!(answers[0].note.as_deref(), Some("licence at reception\nscope: plastics"));
    // Removing a note of an unanswered question.
    w.set_question_note(audit, "LG-02", Some("ask for the beneficiary")).unwrap();
    w.set_question_note(audit, "LG-02", None).unwrap();
    assert!(w.read().question_notes(audit).unwrap().is_empty());
    w.commit().unwrap();
    assert_eq!(changes(&store, id, "A-1 LG-02").len(), 2, "written, then removed, both in history");
}

#[test]
fn a_submitted_audit_refuses_every_correction_and_an_amendment_copies_its_answers() {
    let mut store = Store::open_in_memory().unwrap();
    let (id, audit) = draft(&mut store);
    let w = store.begin("lin.wei").unwrap();
    let e = w.add_evidence(audit, &evidence("peel tests")).unwrap();
    for q in ["LG-01", "LG-02"] {
        w.set_answer(audit, &Answer { question: q.into(), result: AnswerResult::Partial, note: Some(q.into()) })
            .unwrap();
    }
    workflow::seal(&w, audit).unwrap();
    let header = AuditHeader { auditor: "x".into(), visited_on: day(11), summary: None };
    assert!(w.update_audit_header(audit, &header).unwrap_err().to_string().contains("submitted"));
    assert!(w.update_evidence(e, &evidence("changed")).unwrap_err().to_string().contains("submitted"));
    assert!(w.set_question_note(audit, "QC-01", Some("late")).unwrap_err().to_string().contains("submitted"));
    let new = NewAudit {
        reference: Some("A-2"),
        auditor: "lin.wei",
        visited_on: day(12),
        kind: AuditKind::OnSite,
        template: DEFAULT_TEMPLATE,
        summary: None,
        amends: Some("A-1"),
    };
    let (amendment, _) = w.create_audit(id, &new).unwrap();
    assert_eq!(w.copy_answers(audit, amendment).unwrap(), 2);
    let copied = w.read().audit(amendment).unwrap().audit;
    assert_eq!(copied.amends.as_deref(), Some("A-1"));
    assert_eq!(copied.answers.len(), 2);
    assert_eq!(copied.answers[1].note.as_deref(), Some("LG-02"));
    w.commit().unwrap();
}
