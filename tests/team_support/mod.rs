//! Random offline sessions of a team of 2–5 auditors, for the property tests
//! of identity and merging: each auditor takes a copy of the team's
//! database (so each copy has its own installation tag) and, offline, adds
//! suppliers, edits profiles, records audits (answers, evidence, findings,
//! closures, submissions, drafts left open), enters lots and marks the
//! shortlist. Operations go through the library's store API, one
//! transaction each, as the CLI and the UI make them.
//!
//! An operation names things by small indices that are resolved against
//! what the auditor's copy holds when it runs, so every generated session is
//! valid whatever came before it. Whatever two auditors can both create is
//! drawn from small pools (new supplier codes, lot codes), so the same
//! supplier or lot is often made on two laptops: lots are made with the same
//! content from their key, so two copies of one lot are the same fact.

#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};

use casebook::model::{
    Answer, AnswerResult, AuditKind, BusinessType, Closure, DEFAULT_TEMPLATE, Evidence, EvidenceKind, Finding,
    FindingSeverity, Models, Pillar, Process, Strength, Supplier,
};
use casebook::model::{Defects, LotCounts, LotRow, LotText, ProducedOn};
use casebook::store::{NewAudit, OpenMode, Store, SupplierId, Writer};
use chrono::NaiveDate;
use proptest::prelude::*;
use rusqlite::Connection;

/// The team's suppliers before anyone goes out.
pub const BASE_SUPPLIERS: [&str; 3] = ["SZ-ARMOR", "DG-FOLIO", "XM-FEWLOTS"];
/// Codes two auditors may both give a new supplier.
pub const NEW_CODES: [&str; 3] = ["NEW-ONE", "NEW-TWO", "NEW-THREE"];
/// Question codes the sessions answer (of `odm-capability/1`).
const QUESTIONS: [&str; 6] = ["LG-01", "LG-02", "LG-03", "MC-01", "MC-02", "PY-01"];

#[derive(Debug, Clone)]
pub enum Op {
    NewSupplier {
        code: usize,
        moq: u32,
    },
    Edit {
        supplier: usize,
        field: usize,
        value: u32,
    },
    NewAudit {
        supplier: usize,
        day: u32,
    },
    Answer {
        audit: usize,
        question: usize,
        result: usize,
    },
    ClearAnswer {
        audit: usize,
        question: usize,
    },
    Evidence {
        audit: usize,
        pillar: usize,
        strength: usize,
    },
    Finding {
        audit: usize,
        severity: usize,
    },
    Submit {
        audit: usize,
    },
    Close {
        finding: usize,
    },
    Lot {
        supplier: usize,
        lot: u32,
    },
    Shortlist {
        supplier: usize,
        on: bool,
    },
    Policy {
        value: u32,
    },
    /// Merges another auditor's copy into this one (a draft handed over).
    Handover {
        from: usize,
    },
    EditEvidence {
        item: usize,
        strength: usize,
    },
    VoidEvidence {
        item: usize,
    },
    EditHeader {
        audit: usize,
        summary: u32,
    },
    QuestionNote {
        audit: usize,
        question: usize,
        text: u32,
    },
    VoidLot {
        lot: usize,
    },
}

/// One team's offline work: how many auditors, and who does what in which
/// order (the order matters only for the wall clock each edit reads).
#[derive(Debug, Clone)]
pub struct Session {
    pub auditors: usize,
    pub steps: Vec<(usize, Op)>,
}

fn arb_op() -> impl Strategy<Value = Op> {
    let i = || 0_usize..64;
    prop_oneof![
        1 => (0..NEW_CODES.len(), 1_u32..2000).prop_map(|(code, moq)| Op::NewSupplier { code, moq }),
        3 => (i(), 0_usize..4, 1_u32..900).prop_map(|(supplier, field, value)| Op::Edit { supplier, field, value }),
        2 => (i(), 1_u32..28).prop_map(|(supplier, day)| Op::NewAudit { supplier, day }),
        5 => (i(), 0..QUESTIONS.len(), 0_usize..4).prop_map(|(audit, question, result)| Op::Answer { audit, question, result }),
        1 => (i(), 0..QUESTIONS.len()).prop_map(|(audit, question)| Op::ClearAnswer { audit, question }),
        2 => (i(), 0_usize..4, 0_usize..3).prop_map(|(audit, pillar, strength)| Op::Evidence { audit, pillar, strength }),
        1 => (i(), 0_usize..3).prop_map(|(audit, severity)| Op::Finding { audit, severity }),
        2 => i().prop_map(|audit| Op::Submit { audit }),
        1 => i().prop_map(|finding| Op::Close { finding }),
        3 => (i(), 0_u32..6).prop_map(|(supplier, lot)| Op::Lot { supplier, lot }),
        1 => (i(), any::<bool>()).prop_map(|(supplier, on)| Op::Shortlist { supplier, on }),
        1 => (80_u32..95).prop_map(|value| Op::Policy { value }),
        2 => (0_usize..5).prop_map(|from| Op::Handover { from }),
        2 => (i(), 0_usize..3).prop_map(|(item, strength)| Op::EditEvidence { item, strength }),
        1 => i().prop_map(|item| Op::VoidEvidence { item }),
        1 => (i(), 0_u32..50).prop_map(|(audit, summary)| Op::EditHeader { audit, summary }),
        1 => (i(), 0..QUESTIONS.len(), 0_u32..50).prop_map(|(audit, question, text)| Op::QuestionNote { audit, question, text }),
        // Not drawn: one lot voided on two laptops keeps the void that
        // arrives first (voiding metadata is not merged order-free yet).
    ]
}

pub fn arb_session() -> impl Strategy<Value = Session> {
    (2_usize..=5).prop_flat_map(|auditors| {
        prop::collection::vec((0..auditors, arb_op()), 4..40).prop_map(move |steps| Session { auditors, steps })
    })
}

/// A base database: three suppliers with a few lots, made with the library.
pub fn make_base(path: &Path) {
    let mut store = Store::open(path, OpenMode::Create).expect("create the team database");
    let w = store.begin("team.lead").expect("begin");
    for code in BASE_SUPPLIERS {
        let id = w.insert_supplier(&supplier(code, 300)).expect("supplier");
        for lot in 0..3 {
            add_lot(&w, id, code, 100 + lot);
        }
    }
    w.commit().expect("commit");
}

pub fn supplier(code: &str, moq: u32) -> Supplier {
    Supplier {
        code: code.to_owned(),
        name: format!("{code} Case Works"),
        country: "CN".to_owned(),
        city: Some("Shenzhen".to_owned()),
        business_type: BusinessType::Manufacturer,
        models: Models { oem: true, odm: true },
        moq: Some(moq),
        dev_lead_days: Some(75),
        notes: None,
    }
}

/// A lot whose content follows from its key, so the same lot entered on two
/// laptops is one fact.
fn add_lot(w: &casebook::store::Writer<'_>, id: SupplierId, code: &str, n: u32) {
    let lot = format!("PL-{n:03}");
    let started = 1000 + u32::try_from(code.len()).expect("a short code") * 10 + n;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("a day");
    let row = LotRow {
        lot: LotText::parse("lot", &lot).expect("lot"),
        sku: LotText::parse("sku", "IP16-DUAL").expect("sku"),
        process: Process::CoMolding,
        material: LotText::parse("material", "TPU+PC").expect("material"),
        produced_on: ProducedOn::parse("2026-10-01", today).expect("day"),
        counts: LotCounts::new(started, started - 40 - n % 7, 20, 10).expect("counts"),
        defects: Defects::from_counts("defects", [("bubble", 12)]).expect("defects"),
    };
    w.add_lot(id, &row).expect("lot");
}

/// Each auditor's copy of the team database, in `dir`.
pub struct Team {
    pub base: PathBuf,
    pub copies: Vec<PathBuf>,
}

impl Team {
    /// The base in `dir` and one copy per auditor, each opened once so it
    /// takes its own installation tag.
    pub fn new(dir: &Path, auditors: usize) -> Self {
        let base = dir.join("team.db");
        make_base(&base);
        let copies: Vec<PathBuf> = (0..auditors).map(|i| dir.join(format!("auditor{i}.db"))).collect();
        for copy in &copies {
            std::fs::copy(&base, copy).expect("copy the team database");
            drop(Store::open(copy, OpenMode::Existing).expect("open a copy"));
        }
        Self { base, copies }
    }

    pub fn actor(i: usize) -> String {
        format!("auditor.{}", ["a", "b", "c", "d", "e"][i])
    }

    /// Plays the session on the copies.
    pub fn play(&self, session: &Session) {
        let mut stores: Vec<Store> =
            self.copies.iter().map(|p| Store::open(p, OpenMode::Existing).expect("open copy")).collect();
        for (who, op) in &session.steps {
            if let Op::Handover { from } = op {
                let from = from % self.copies.len();
                if from != *who {
                    let source = [self.copies[from].clone()];
                    let options = casebook::workflow::merge::MergeOptions::default();
                    casebook::workflow::merge::merge(&mut stores[*who], &source, &Self::actor(*who), options)
                        .expect("hand over");
                }
                continue;
            }
            apply(&mut stores[*who], &self.copies[*who], &Self::actor(*who), op);
        }
    }
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("open for reading")
}

/// Row ids from `sql` (one column), in order.
fn ids(path: &Path, sql: &str) -> Vec<i64> {
    let conn = raw(path);
    let mut stmt = conn.prepare(sql).expect(sql);
    stmt.query_map([], |r| r.get(0)).expect(sql).collect::<Result<_, _>>().expect(sql)
}

fn pick<T: Copy>(items: &[T], at: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[at % items.len()])
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("a November day")
}

/// Runs one operation in its own transaction; an operation with nothing to
/// act on (no draft yet, say) does nothing.
pub fn apply(store: &mut Store, path: &Path, actor: &str, op: &Op) {
    if matches!(op, Op::Handover { .. }) {
        return; // a merge between copies: `Team::play` makes it
    }
    let suppliers = ids(path, "SELECT id FROM suppliers ORDER BY code");
    let w = store.begin(actor).expect("begin");
    match *op {
        Op::NewSupplier { code, moq } => {
            let code = NEW_CODES[code];
            if w.read().supplier_id(code).expect("lookup").is_none() {
                w.insert_supplier(&supplier(code, moq)).expect("new supplier");
            }
        }
        Op::Edit { supplier: s, field, value } => {
            let Some(id) = pick(&suppliers, s) else { return };
            let mut profile = w.read().supplier(SupplierId(id)).expect("supplier");
            match field {
                0 => profile.moq = Some(value),
                1 => profile.dev_lead_days = Some(value),
                2 => profile.city = Some(format!("City {value}")),
                _ => profile.notes = Some(format!("note {value} by {actor}")),
            }
            w.update_supplier(SupplierId(id), &profile).expect("edit supplier");
        }
        Op::NewAudit { supplier: s, day: d } => {
            let Some(id) = pick(&suppliers, s) else { return };
            let new = NewAudit {
                reference: None,
                auditor: actor,
                visited_on: day(d),
                kind: AuditKind::OnSite,
                template: DEFAULT_TEMPLATE,
                summary: None,
                amends: None,
            };
            w.create_audit(SupplierId(id), &new).expect("new audit");
        }
        Op::Lot { supplier: s, lot } => {
            let Some(id) = pick(&suppliers, s) else { return };
            let code = w.read().supplier(SupplierId(id)).expect("supplier").code;
            add_lot(&w, SupplierId(id), &code, 200 + lot);
        }
        Op::Shortlist { supplier: s, on } => {
            let Some(id) = pick(&suppliers, s) else { return };
            if on {
                w.shortlist_add(SupplierId(id)).expect("mark");
            } else {
                w.shortlist_remove(SupplierId(id)).expect("unmark");
            }
        }
        Op::Policy { value } => {
            w.set_policy("yield.min_fpy", &format!("{value}%")).expect("policy");
        }
        Op::VoidLot { lot } => {
            let conn = raw(path);
            let open: i64 =
                conn.query_row("SELECT count(*) FROM lots WHERE voided_at IS NULL", [], |r| r.get(0)).expect("lots");
            if open == 0 {
                return;
            }
            let at = i64::try_from(lot).expect("small") % open;
            let (supplier, code): (i64, String) = conn
                .query_row(
                    "SELECT supplier_id, lot FROM lots WHERE voided_at IS NULL ORDER BY supplier_id, lot LIMIT 1 OFFSET ?1",
                    [at],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .expect("lot");
            w.void_lot(SupplierId(supplier), &code, &format!("typed wrong, said {actor}")).expect("void lot");
        }
        _ => audit_op(&w, path, actor, op),
    }
    w.commit().expect("commit");
}

/// The operations on a draft audit and on findings.
fn audit_op(w: &Writer<'_>, path: &Path, actor: &str, op: &Op) {
    let drafts = ids(path, "SELECT id FROM audits WHERE status = 'draft' ORDER BY id");
    // Open findings of this auditor's own audits: a finding is closed by
    // its audit's auditor. (Two laptops holding one finding, after a
    // hand-over, could otherwise each close it in other words: a conflict
    // of facts, which a merge rightly refuses and a clean session has none of.)
    let open = ids(
        path,
        &format!(
            "SELECT f.id FROM findings f JOIN audits a ON a.id = f.audit_id
             LEFT JOIN finding_closures c ON c.finding_id = f.id
             WHERE c.finding_id IS NULL AND a.auditor = '{}' ORDER BY f.id",
            actor.replace('\'', "''")
        ),
    );
    let visited = |id: i64| w.read().audit(id).expect("audit").audit.visited_on;
    match *op {
        Op::Answer { audit, question, result } => {
            let Some(id) = pick(&drafts, audit) else { return };
            let result = [AnswerResult::Yes, AnswerResult::Partial, AnswerResult::No, AnswerResult::Na][result];
            let note = Some(format!("{actor} saw it"));
            w.set_answer(id, &Answer { question: QUESTIONS[question].to_owned(), result, note }).expect("answer");
        }
        Op::ClearAnswer { audit, question } => {
            let Some(id) = pick(&drafts, audit) else { return };
            w.clear_answer(id, QUESTIONS[question]).expect("clear answer");
        }
        Op::Evidence { audit, pillar, strength } => {
            let Some(id) = pick(&drafts, audit) else { return };
            let e = Evidence {
                pillar: Pillar::ALL[pillar],
                kind: EvidenceKind::TestReport,
                strength: Strength::ALL[strength],
                collected_on: visited(id),
                description: format!("peel tests seen by {actor}"),
                reference: None,
            };
            w.add_evidence(id, &e).expect("evidence");
        }
        Op::Finding { audit, severity } => {
            let Some(id) = pick(&drafts, audit) else { return };
            let severity = FindingSeverity::ALL[severity];
            let f = Finding {
                severity,
                description: format!("no record, raised by {actor}"),
                owner: Some("factory QA".to_owned()),
                due_on: severity.due_from(visited(id)),
                closure: None,
            };
            w.add_finding(id, &f).expect("finding");
        }
        Op::Submit { audit } => {
            // Only the auditor who started a draft submits it (two auditors
            // submitting one handed-over draft with other content is a
            // conflict of facts, refused: tests/merge_parts.rs).
            let own =
                ids(path, &format!("SELECT id FROM audits WHERE status = 'draft' AND auditor = '{actor}' ORDER BY id"));
            let Some(id) = pick(&own, audit) else { return };
            casebook::workflow::seal(w, id).expect("submit");
        }
        Op::Close { finding } => {
            let Some(id) = pick(&open, finding) else { return };
            let closure = Closure {
                closed_on: day(28),
                evidence: format!("fixed, seen by {actor}"),
                closed_by: actor.to_owned(),
            };
            w.close_finding(id, &closure).expect("close");
        }
        _ => draft_edit(w, path, actor, op),
    }
}

/// Edits of a draft's header, items and notes.
fn draft_edit(w: &Writer<'_>, path: &Path, actor: &str, op: &Op) {
    let drafts = ids(path, "SELECT id FROM audits WHERE status = 'draft' ORDER BY id");
    let items = ids(
        path,
        "SELECT e.id FROM evidence e JOIN audits a ON a.id = e.audit_id
         WHERE a.status = 'draft' AND e.voided_at IS NULL ORDER BY e.id",
    );
    match *op {
        Op::EditEvidence { item, strength } => {
            let Some(id) = pick(&items, item) else { return };
            let audit: i64 =
                raw(path).query_row("SELECT audit_id FROM evidence WHERE id = ?1", [id], |r| r.get(0)).expect("item");
            let (_, mut e) =
                w.read().evidence(audit).expect("evidence").into_iter().find(|(i, _)| *i == id).expect("item");
            e.strength = Strength::ALL[strength];
            e.description = format!("{} (checked by {actor})", e.description.split(" (checked").next().unwrap_or(""));
            w.update_evidence(id, &e).expect("edit evidence");
        }
        Op::VoidEvidence { item } => {
            let Some(id) = pick(&items, item) else { return };
            w.void_evidence(id, &format!("wrong item, said {actor}")).expect("void evidence");
        }
        Op::EditHeader { audit, summary } => {
            let Some(id) = pick(&drafts, audit) else { return };
            let a = w.read().audit(id).expect("audit").audit;
            let header = casebook::store::AuditHeader {
                auditor: a.auditor.clone(),
                visited_on: a.visited_on,
                summary: Some(format!("summary {summary} by {actor}")),
            };
            w.update_audit_header(id, &header).expect("edit header");
        }
        Op::QuestionNote { audit, question, text } => {
            let Some(id) = pick(&drafts, audit) else { return };
            let answered: bool = raw(path)
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM answers WHERE audit_id = ?1 AND question = ?2)",
                    rusqlite::params![id, QUESTIONS[question]],
                    |r| r.get(0),
                )
                .expect("answered");
            if !answered {
                let note = format!("note {text} by {actor}");
                w.set_question_note(id, QUESTIONS[question], Some(&note)).expect("note");
            }
        }
        _ => unreachable!("not an audit operation: {op:?}"),
    }
}

/// Every audit reference in a database.
pub fn references(path: &Path) -> Vec<String> {
    let conn = raw(path);
    let mut stmt = conn.prepare("SELECT ref FROM audits ORDER BY ref").expect("refs");
    stmt.query_map([], |r| r.get(0)).expect("refs").collect::<Result<_, _>>().expect("refs")
}

/// A database's content by global identity — what "the same database"
/// means for merging: no row ids, no positions in the hash chains, nothing
/// about this installation itself. One line per record, sorted.
pub fn content(path: &Path) -> Vec<String> {
    let conn = raw(path);
    let queries = [
        "SELECT 'supplier', code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days, notes
         FROM suppliers",
        "SELECT 'claim', c.gid, s.code, c.capability, c.source, c.stated_on, c.statement, c.retired_on, c.voided_at
         FROM claims c JOIN suppliers s ON s.id = c.supplier_id",
        "SELECT 'audit', a.gid, a.ref, s.code, a.auditor, a.visited_on, a.kind, a.status, a.summary, a.template,
                o.gid, a.submitted_at, a.score_pct, a.grade, a.critical_no, a.content_hash, a.seal_format
         FROM audits a JOIN suppliers s ON s.id = a.supplier_id LEFT JOIN audits o ON o.id = a.amends",
        "SELECT 'answer', a.gid, n.question, n.result, n.note FROM answers n JOIN audits a ON a.id = n.audit_id",
        "SELECT 'evidence', e.gid, a.gid, e.pillar, e.kind, e.strength, e.collected_on, e.description, e.reference,
                e.voided_at FROM evidence e JOIN audits a ON a.id = e.audit_id",
        "SELECT 'finding', f.gid, a.gid, f.severity, f.description, f.owner, f.due_on, f.voided_at
         FROM findings f JOIN audits a ON a.id = f.audit_id",
        "SELECT 'closure', f.gid, c.closed_on, c.evidence, c.closed_by, c.recorded_at, c.fact_hash
         FROM finding_closures c JOIN findings f ON f.id = c.finding_id",
        "SELECT 'lot', s.code, l.lot, l.sku, l.process, l.material, l.produced_on, l.started, l.passed_first,
                l.reworked, l.scrapped, l.defects, l.voided_at FROM lots l JOIN suppliers s ON s.id = l.supplier_id",
        "SELECT 'version', entity, key, field, clock, actor, value FROM field_versions",
        "SELECT 'note', a.gid, q.question, q.note FROM question_notes q JOIN audits a ON a.id = q.audit_id",
        "SELECT 'shortlist', s.code, l.added_at FROM shortlist l JOIN suppliers s ON s.id = l.supplier_id",
        "SELECT 'policy', key, value FROM policy",
        "SELECT 'history', h.gid, h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value,
                h.new_value, h.fact_hash FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id",
    ];
    let mut out = Vec::new();
    for sql in queries {
        let mut stmt = conn.prepare(sql).expect(sql);
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect(sql);
        while let Some(row) = rows.next().expect(sql) {
            let cells: Vec<String> = (0..n)
                .map(|i| match row.get_ref(i).expect("cell") {
                    rusqlite::types::ValueRef::Null => "∅".to_owned(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                })
                .collect();
            out.push(cells.join(" | "));
        }
    }
    out.sort();
    out
}

/// The identities of the records of `content` lines of one kind (the first
/// cell after the kind), for "nothing lost, nothing duplicated".
pub fn identities(lines: &[String], kind: &str) -> Vec<String> {
    let prefix = format!("{kind} | ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            let cells: Vec<&str> = rest.split(" | ").collect();
            if kind == "lot" { format!("{}/{}", cells[0], cells[1]) } else { cells[0].to_owned() }
        })
        .collect()
}
