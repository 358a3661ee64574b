//! The schema's own guards, through raw SQL on a file made by `casebook init`
//! (and filled by `casebook import` of the demo dossier, for submitted audits).
//!
//! One table of cases: for every table, every CHECK (enumerations, counts,
//! `started > 0`, the lot count rules, real ISO dates, code and country
//! shapes, the `lots.defects` JSON rules, the audit status/seal consistency),
//! UNIQUE keys, foreign keys, and the triggers that make submitted audits,
//! their answers/evidence/findings, history, closures and attachments
//! immutable. Each case runs in a savepoint that is rolled back, and a valid
//! row of each table is accepted, so every refusal is for the named reason.

mod common;

use common::{Sandbox, fixture};
use rusqlite::Connection;

const ARMOR: &str = "(SELECT id FROM suppliers WHERE code = 'SZ-ARMOR')";
/// A draft audit made by the setup, with one answer, evidence and finding.
const DRAFT: &str = "(SELECT id FROM audits WHERE ref = 'T-DRAFT')";
/// A submitted audit of the demo dossier, with answers, evidence, findings and closures.
const SEALED: &str = "(SELECT id FROM audits WHERE ref = 'A-2026-014')";
/// A submitted audit of the demo dossier that answers only some questions.
const SEALED_PARTIAL: &str = "(SELECT id FROM audits WHERE ref = 'A-2026-019')";
const HASH: &str = "'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'";

/// A fresh global id in SQL (the shape the schema's triggers require: lower
/// case, 36 characters, version 7).
const GID: &str = "printf('01900000-0000-7%03x-8%03x-%012x', abs(random()) % 4096, abs(random()) % 4096, \
                   abs(random()) % 281474976710655)";

const SUPPLIER: &[(&str, &str)] = &[
    ("code", "'T-NEW'"),
    ("name", "'Test Case Works'"),
    ("country", "'CN'"),
    ("city", "NULL"),
    ("business_type", "'manufacturer'"),
    ("model_oem", "1"),
    ("model_odm", "0"),
    ("moq", "100"),
    ("dev_lead_days", "30"),
];
const CLAIM: &[(&str, &str)] = &[
    ("supplier_id", ARMOR),
    ("capability", "'feasibility'"),
    ("source", "'website'"),
    ("stated_on", "'2026-01-10'"),
    ("statement", "''"),
    ("retired_on", "NULL"),
    ("gid", GID),
];
const TEMPLATE: &[(&str, &str)] = &[("template", "'test/1'"), ("title", "'Test'")];
/// Questions go into a template the setup adds and leaves unsealed (the
/// shipped template is sealed: its questions never change).
const QUESTION: &[(&str, &str)] = &[
    ("template", "'draft/1'"),
    ("code", "'ZZ-01'"),
    ("position", "999"),
    ("section", "'legitimacy'"),
    ("pillar", "NULL"),
    ("weight", "2"),
    ("critical", "0"),
    ("text", "'Is it so?'"),
];
const AUDIT: &[(&str, &str)] = &[
    ("ref", "'T-A1'"),
    ("supplier_id", ARMOR),
    ("auditor", "'tester'"),
    ("visited_on", "'2026-01-01'"),
    ("kind", "'on_site'"),
    ("status", "'draft'"),
    ("template", "'odm-capability/1'"),
    ("amends", "NULL"),
    ("score_pct", "NULL"),
    ("grade", "NULL"),
    ("content_hash", "NULL"),
    ("gid", GID),
];
const ANSWER: &[(&str, &str)] = &[
    ("audit_id", DRAFT),
    ("template", "'odm-capability/1'"),
    ("question", "'LG-02'"),
    ("result", "'yes'"),
    ("note", "NULL"),
];
const EVIDENCE: &[(&str, &str)] = &[
    ("audit_id", DRAFT),
    ("pillar", "'dfm_evaluation'"),
    ("kind", "'dfm_report'"),
    ("strength", "'document'"),
    ("collected_on", "'2026-01-01'"),
    ("description", "'DFM report'"),
    ("reference", "NULL"),
    ("gid", GID),
];
const FINDING: &[(&str, &str)] = &[
    ("audit_id", DRAFT),
    ("severity", "'major'"),
    ("description", "'no peel tests'"),
    ("owner", "NULL"),
    ("due_on", "'2026-01-15'"),
    ("gid", GID),
];
const CLOSURE: &[(&str, &str)] = &[
    ("finding_id", "(SELECT id FROM findings WHERE description = 'T-open finding')"),
    ("closed_on", "'2026-01-20'"),
    ("evidence", "'peel tests seen'"),
    ("closed_by", "'qa'"),
    ("recorded_at", "'2026-01-20T00:00:00.000Z'"),
];
const LOT: &[(&str, &str)] = &[
    ("supplier_id", ARMOR),
    ("lot", "'T-L1'"),
    ("sku", "'T-SKU'"),
    ("process", "'injection'"),
    ("material", "'TPU+PC'"),
    ("produced_on", "'2026-01-01'"),
    ("started", "100"),
    ("passed_first", "90"),
    ("reworked", "5"),
    ("scrapped", "5"),
    ("defects", "NULL"),
];
const HISTORY: &[(&str, &str)] = &[
    ("at", "'2026-01-01T00:00:00.000Z'"),
    ("actor", "'tester'"),
    ("supplier_id", "NULL"),
    ("entity", "'supplier'"),
    ("entity_key", "'T-NEW'"),
    ("action", "'create'"),
    // The schema cannot compute the chain; `casebook check` verifies it.
    ("chain_hash", HASH),
    ("gid", GID),
];
const ATTACHMENT: &[(&str, &str)] = &[
    ("evidence_id", "(SELECT id FROM evidence WHERE description = 'T-draft evidence')"),
    ("path", "'IMG_1.jpg'"),
    ("size", "1024"),
    ("sha256", HASH),
    ("attached_at", "'2026-01-01T00:00:00.000Z'"),
    ("attached_by", "'tester'"),
    ("gid", GID),
];
const SHORTLIST: &[(&str, &str)] = &[("supplier_id", ARMOR), ("added_at", "'2026-01-01T00:00:00.000Z'")];

/// `INSERT INTO table` of the base row with some values replaced.
fn insert(table: &str, base: &[(&str, &str)], changes: &[(&str, &str)]) -> String {
    for (column, _) in changes {
        assert!(base.iter().any(|(c, _)| c == column), "{table} has no column {column} in its base row");
    }
    let columns: Vec<&str> = base.iter().map(|(c, _)| *c).collect();
    let values: Vec<&str> =
        base.iter().map(|(c, v)| changes.iter().find(|(k, _)| k == c).map_or(*v, |(_, new)| *new)).collect();
    format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), values.join(", "))
}

/// What a statement must do.
enum Expect {
    Accepted,
    /// Refused, with an error message containing every fragment.
    Refused(&'static [&'static str]),
}

struct Case {
    what: String,
    sql: String,
    expect: Expect,
}

fn ok(what: &str, sql: String) -> Case {
    Case { what: what.to_owned(), sql, expect: Expect::Accepted }
}

fn refused(what: &str, sql: String, fragments: &'static [&'static str]) -> Case {
    Case { what: what.to_owned(), sql, expect: Expect::Refused(fragments) }
}

/// A database from `casebook init`, the demo dossier imported with
/// `casebook import`, and a draft audit with an answer, evidence, a finding
/// and an attachment added in SQL.
fn setup() -> (Sandbox, Connection) {
    let sandbox = Sandbox::new();
    sandbox.run(&["init"]).assert_success();
    let dossier = fixture("demo-dossier.json");
    sandbox.run(&[std::ffi::OsStr::new("import"), dossier.as_os_str()]).assert_success();
    let conn = sandbox.sql();
    conn.execute_batch(&format!(
        "BEGIN;
         {};
         INSERT INTO answers (audit_id, template, question, result) VALUES ({DRAFT}, 'odm-capability/1', 'LG-01', 'no');
         INSERT INTO checklist_templates (template, title) VALUES ('draft/1', 'Unsealed');
         {};
         {};
         {};
         {};
         COMMIT;",
        insert("audits", AUDIT, &[("ref", "'T-DRAFT'")]),
        insert("evidence", EVIDENCE, &[("description", "'T-draft evidence'")]),
        insert("findings", FINDING, &[("description", "'T-open finding'")]),
        insert("attachments", ATTACHMENT, &[]),
        insert("checklist_questions", QUESTION, &[("code", "'ZZ-00'"), ("position", "1")]),
    ))
    .expect("setup rows");
    let status: String =
        conn.query_row(&format!("SELECT status FROM audits WHERE id = {SEALED}"), [], |r| r.get(0)).expect("status");
    assert_eq!(status, "submitted");
    (sandbox, conn)
}

const CHECK: &str = "CHECK constraint failed";
const FK: &[&str] = &["FOREIGN KEY constraint failed"];

fn bad_dates() -> [(&'static str, &'static str); 3] {
    [("2026-02-30", "'2026-02-30'"), ("2026-1-1", "'2026-1-1'"), ("20260101", "'20260101'")]
}

fn supplier_cases() -> Vec<Case> {
    let t = "suppliers";
    let s = |changes: &[(&str, &str)]| insert(t, SUPPLIER, changes);
    vec![
        ok("suppliers: a valid row", s(&[])),
        refused("suppliers.code: empty", s(&[("code", "''")]), &[CHECK, "length(code)"]),
        refused("suppliers.code: a space inside", s(&[("code", "'T NEW'")]), &[CHECK, "GLOB"]),
        refused("suppliers.code: a leading space", s(&[("code", "' T-NEW'")]), &[CHECK, "trim(code)"]),
        refused("suppliers.code: a slash", s(&[("code", "'T/NEW'")]), &[CHECK, "GLOB"]),
        refused(
            "suppliers.code: 65 characters",
            s(&[("code", &format!("'{}'", "C".repeat(65)))]),
            &[CHECK, "length(code)"],
        ),
        refused("suppliers.code: taken", s(&[("code", "'SZ-ARMOR'")]), &["a supplier with this id or code is on file"]),
        refused("suppliers.name: blank", s(&[("name", "'  '")]), &[CHECK, "trim(name)"]),
        refused("suppliers.country: lower case", s(&[("country", "'cn'")]), &[CHECK, "country"]),
        refused("suppliers.country: three letters", s(&[("country", "'CHN'")]), &[CHECK, "country"]),
        refused("suppliers.country: a digit", s(&[("country", "'C1'")]), &[CHECK, "country"]),
        refused("suppliers.business_type: wrong word", s(&[("business_type", "'factory'")]), &[CHECK, "business_type"]),
        refused("suppliers.model_oem: not 0/1", s(&[("model_oem", "2")]), &[CHECK, "model_oem"]),
        refused("suppliers.model_odm: not 0/1", s(&[("model_odm", "-1")]), &[CHECK, "model_odm"]),
        refused("suppliers.moq: 0", s(&[("moq", "0")]), &[CHECK, "moq > 0"]),
        refused("suppliers.dev_lead_days: negative", s(&[("dev_lead_days", "-5")]), &[CHECK, "dev_lead_days > 0"]),
        refused(
            "suppliers.moq: STRICT type",
            s(&[("moq", "'many'")]),
            &["cannot store TEXT value in INTEGER column suppliers.moq"],
        ),
    ]
}

fn claim_cases() -> Vec<Case> {
    let c = |changes: &[(&str, &str)]| insert("claims", CLAIM, changes);
    let mut cases = vec![
        ok("claims: a valid row", c(&[])),
        ok("claims: retired after stated", c(&[("retired_on", "'2026-06-01'")])),
        refused("claims.capability: wrong word", c(&[("capability", "'magic'")]), &[CHECK, "capability"]),
        refused("claims.source: wrong word", c(&[("source", "'tv'")]), &[CHECK, "source"]),
        refused(
            "claims.retired_on: before stated_on",
            c(&[("retired_on", "'2025-01-01'")]),
            &[CHECK, "retired_on >= stated_on"],
        ),
        refused("claims.supplier_id: foreign key", c(&[("supplier_id", "999999")]), FK),
    ];
    for (label, date) in bad_dates() {
        cases.push(refused(
            &format!("claims.stated_on: {label}"),
            c(&[("stated_on", date)]),
            &[CHECK, "stated_on IS date(stated_on)"],
        ));
        cases.push(refused(
            &format!("claims.retired_on: {label}"),
            c(&[("retired_on", date)]),
            &[CHECK, "retired_on IS date(retired_on)"],
        ));
    }
    cases
}

fn checklist_cases() -> Vec<Case> {
    let q = |changes: &[(&str, &str)]| insert("checklist_questions", QUESTION, changes);
    vec![
        ok("checklist_templates: a valid row", insert("checklist_templates", TEMPLATE, &[])),
        refused(
            "checklist_templates.template: no version",
            insert("checklist_templates", TEMPLATE, &[("template", "'test'")]),
            &[CHECK, "template GLOB"],
        ),
        ok("checklist_questions: a valid row", q(&[])),
        refused("checklist_questions.section: wrong word", q(&[("section", "'vibes'")]), &[CHECK, "section"]),
        refused("checklist_questions.pillar: wrong word", q(&[("pillar", "'vibes'")]), &[CHECK, "pillar"]),
        refused("checklist_questions.weight: 0", q(&[("weight", "0")]), &[CHECK, "weight BETWEEN 1 AND 3"]),
        refused("checklist_questions.weight: 4", q(&[("weight", "4")]), &[CHECK, "weight BETWEEN 1 AND 3"]),
        refused("checklist_questions.critical: not 0/1", q(&[("critical", "2")]), &[CHECK, "critical"]),
        refused("checklist_questions.text: blank", q(&[("text", "' '")]), &[CHECK, "trim(text)"]),
        refused(
            "checklist_questions.code: 17 characters",
            q(&[("code", "'ZZ-01234567890123'")]),
            &[CHECK, "length(code)"],
        ),
        refused(
            "checklist_questions: (template, position) taken",
            q(&[("position", "1")]),
            &["this template already has a question with this code or position"],
        ),
        refused(
            "checklist_questions: (template, code) taken",
            q(&[("code", "'ZZ-00'")]),
            &["this template already has a question with this code or position"],
        ),
        refused(
            "checklist_questions: a question added to a sealed template",
            q(&[("template", "'odm-capability/1'")]),
            &["the questions of a sealed checklist template never change"],
        ),
        refused("checklist_questions.template: foreign key", q(&[("template", "'nope/1'")]), FK),
    ]
}

fn audit_cases() -> Vec<Case> {
    let a = |changes: &[(&str, &str)]| insert("audits", AUDIT, changes);
    let draft = |set: &str| format!("UPDATE audits SET {set} WHERE ref = 'T-DRAFT'");
    let seal = format!(
        "status = 'submitted', submitted_at = '2026-01-02T00:00:00.000Z', score_pct = 80.0, grade = 'B', critical_no = '', content_hash = {HASH}, chain_seq = 9999, chain_hash = {HASH}"
    );
    let mut cases = vec![
        ok("audits: a valid draft", a(&[])),
        ok("audits: an amendment of a submitted audit", a(&[("amends", SEALED)])),
        refused("audits.kind: wrong word", a(&[("kind", "'remote'")]), &[CHECK, "kind IN"]),
        refused("audits.auditor: blank", a(&[("auditor", "' '")]), &[CHECK, "trim(auditor)"]),
        refused("audits.ref: empty", a(&[("ref", "''")]), &[CHECK, "length(ref)"]),
        refused("audits.ref: untrimmed", a(&[("ref", "'T-A1 '")]), &[CHECK, "ref = trim(ref)"]),
        // A reference is a label: two audits made apart may share one (the gid is the identity).
        ok("audits.ref: shared with another audit", a(&[("ref", "'A-2026-014'")])),
        refused(
            "audits.gid: taken",
            a(&[("gid", "(SELECT gid FROM audits WHERE ref = 'A-2026-014')")]),
            &["an audit with this id or global id is on file"],
        ),
        refused("audits.score_pct: above 100", a(&[("score_pct", "100.5")]), &[CHECK, "score_pct"]),
        refused("audits.grade: wrong word", a(&[("grade", "'F'")]), &[CHECK, "grade = 'A' OR"]),
        refused("audits: a draft carrying a grade", a(&[("grade", "'A'")]), &[CHECK, "status = 'draft'"]),
        refused(
            "audits.content_hash: wrong length",
            a(&[("content_hash", "'abc'")]),
            &[CHECK, "length(content_hash) = 64"],
        ),
        refused(
            "audits: inserted as submitted",
            a(&[("status", "'submitted'")]),
            &["audits are created as drafts and then submitted"],
        ),
        refused("audits.amends: a draft", a(&[("amends", DRAFT)]), &["an amendment must reference a submitted audit"]),
        refused("audits.supplier_id: foreign key", a(&[("supplier_id", "999999")]), FK),
        refused("audits.template: foreign key", a(&[("template", "'nope/1'")]), FK),
        refused("audits.status: wrong word", draft("status = 'closed'"), &[CHECK, "status IN"]),
        refused("audits: submitted without a seal", draft("status = 'submitted'"), &[CHECK, "submitted_at IS"]),
        refused("audits: a seal on a draft", draft(&format!("chain_hash = {HASH}")), &[CHECK, "status = 'draft'"]),
        ok("audits: a draft submitted with its whole seal", draft(&seal)),
        refused(
            "audits: submitting changes the content",
            draft(&format!("{seal}, auditor = 'someone else'")),
            &["submitting an audit cannot change its content"],
        ),
        refused("audits.amends: itself", draft("amends = id"), &[CHECK, "amends <> id"]),
        ok("audits: a draft can be edited", draft("summary = 'edited'")),
    ];
    for (label, date) in bad_dates() {
        cases.push(refused(
            &format!("audits.visited_on: {label}"),
            a(&[("visited_on", date)]),
            &[CHECK, "visited_on IS date(visited_on)"],
        ));
    }
    cases
}

fn audit_item_cases() -> Vec<Case> {
    let ans = |changes: &[(&str, &str)]| insert("answers", ANSWER, changes);
    let ev = |changes: &[(&str, &str)]| insert("evidence", EVIDENCE, changes);
    let fi = |changes: &[(&str, &str)]| insert("findings", FINDING, changes);
    let cl = |changes: &[(&str, &str)]| insert("finding_closures", CLOSURE, changes);
    let mut cases = vec![
        ok("answers: a valid row", ans(&[])),
        refused("answers.result: wrong word", ans(&[("result", "'maybe'")]), &[CHECK, "result = 'yes' OR"]),
        refused("answers.question: not in the template", ans(&[("question", "'ZZ-99'")]), FK),
        refused("answers.template: not the audit's", ans(&[("template", "'test/1'")]), FK),
        refused(
            "answers: (audit, question) taken",
            ans(&[("question", "'LG-01'")]),
            &["this question is already answered in this audit"],
        ),
        ok("evidence: a valid row", ev(&[])),
        refused(
            "evidence.pillar: wrong word",
            ev(&[("pillar", "'vibes'")]),
            &[CHECK, "pillar = 'material_compatibility' OR"],
        ),
        refused("evidence.kind: wrong word", ev(&[("kind", "'selfie'")]), &[CHECK, "kind = 'test_report' OR"]),
        refused("evidence.strength: wrong word", ev(&[("strength", "'strong'")]), &[CHECK, "strength = 'observed' OR"]),
        refused("evidence.description: blank", ev(&[("description", "'  '")]), &[CHECK, "trim(description)"]),
        refused("evidence.audit_id: foreign key", ev(&[("audit_id", "999999")]), FK),
        ok("findings: a valid row", fi(&[])),
        refused("findings.severity: wrong word", fi(&[("severity", "'huge'")]), &[CHECK, "severity = 'critical' OR"]),
        refused("findings.description: blank", fi(&[("description", "''")]), &[CHECK, "trim(description)"]),
        refused("findings.audit_id: foreign key", fi(&[("audit_id", "999999")]), FK),
        ok("finding_closures: a valid row", cl(&[])),
        refused("finding_closures.evidence: blank", cl(&[("evidence", "' '")]), &[CHECK, "trim(evidence)"]),
        refused("finding_closures.closed_by: blank", cl(&[("closed_by", "' '")]), &[CHECK, "trim(closed_by)"]),
        refused("finding_closures.finding_id: foreign key", cl(&[("finding_id", "999999")]), FK),
    ];
    for (label, date) in bad_dates() {
        cases.push(refused(
            &format!("evidence.collected_on: {label}"),
            ev(&[("collected_on", date)]),
            &[CHECK, "collected_on IS date(collected_on)"],
        ));
        cases.push(refused(
            &format!("findings.due_on: {label}"),
            fi(&[("due_on", date)]),
            &[CHECK, "due_on IS date(due_on)"],
        ));
        cases.push(refused(
            &format!("finding_closures.closed_on: {label}"),
            cl(&[("closed_on", date)]),
            &[CHECK, "closed_on IS date(closed_on)"],
        ));
    }
    cases
}

fn lot_cases() -> Vec<Case> {
    let l = |changes: &[(&str, &str)]| insert("lots", LOT, changes);
    let defects = &[CHECK, "json_valid(defects)"];
    let mut cases = vec![
        ok("lots: a valid row", l(&[])),
        ok("lots: a valid row with defects", l(&[("defects", r#"'{"bubble":12,"flash":20}'"#)])),
        ok("lots: passed_first + scrapped = started", l(&[("passed_first", "95"), ("scrapped", "5")])),
        refused(
            "lots.started: 0",
            l(&[("started", "0"), ("passed_first", "0"), ("reworked", "0"), ("scrapped", "0")]),
            &[CHECK, "started > 0"],
        ),
        refused("lots.started: negative", l(&[("started", "-100")]), &[CHECK, "started > 0"]),
        refused("lots.passed_first: negative", l(&[("passed_first", "-1")]), &[CHECK, "passed_first >= 0"]),
        refused("lots.reworked: negative", l(&[("reworked", "-1")]), &[CHECK, "reworked >= 0"]),
        refused("lots.scrapped: negative", l(&[("scrapped", "-1")]), &[CHECK, "scrapped >= 0"]),
        refused(
            "lots: passed_first > started",
            l(&[("passed_first", "101"), ("scrapped", "0")]),
            &[CHECK, "passed_first <= started"],
        ),
        refused(
            "lots: passed_first + scrapped > started",
            l(&[("scrapped", "11")]),
            &[CHECK, "passed_first + scrapped <= started"],
        ),
        refused(
            "lots.started: STRICT type",
            l(&[("started", "'many'")]),
            &["cannot store TEXT value in INTEGER column lots.started"],
        ),
        refused("lots.process: wrong word", l(&[("process", "'welding'")]), &[CHECK, "process = 'injection'"]),
        refused("lots.process: wrong case", l(&[("process", "'Injection'")]), &[CHECK, "process = 'injection'"]),
        refused("lots.lot: empty", l(&[("lot", "''")]), &[CHECK, "lot <> ''"]),
        refused("lots.sku: empty", l(&[("sku", "''")]), &[CHECK, "sku <> ''"]),
        refused("lots.material: empty", l(&[("material", "''")]), &[CHECK, "material <> ''"]),
        refused("lots.defects: a negative count", l(&[("defects", r#"'{"bubble":-1}'"#)]), defects),
        refused("lots.defects: a decimal count", l(&[("defects", r#"'{"bubble":1.5}'"#)]), defects),
        refused("lots.defects: a string count", l(&[("defects", r#"'{"bubble":"3"}'"#)]), defects),
        refused("lots.defects: not an object", l(&[("defects", "'[1,2]'")]), defects),
        refused("lots.defects: an empty object", l(&[("defects", "'{}'")]), defects),
        refused("lots.defects: malformed JSON", l(&[("defects", r#"'{"bubble":1'"#)]), defects),
        refused("lots.defects: a JSON string", l(&[("defects", r#"'"bubble"'"#)]), defects),
        refused(
            "lots: (supplier_id, lot) taken",
            format!("{0}; {0}", l(&[])),
            &["this supplier already has a lot with this code"],
        ),
        refused("lots.supplier_id: foreign key", l(&[("supplier_id", "999999")]), FK),
    ];
    for (label, date) in bad_dates() {
        cases.push(refused(
            &format!("lots.produced_on: {label}"),
            l(&[("produced_on", date)]),
            &[CHECK, "produced_on IS date(produced_on)"],
        ));
    }
    cases
}

fn other_table_cases() -> Vec<Case> {
    let h = |changes: &[(&str, &str)]| insert("history", HISTORY, changes);
    let at = |changes: &[(&str, &str)]| insert("attachments", ATTACHMENT, changes);
    vec![
        ok("history: a valid row", h(&[])),
        refused("history.entity: wrong word", h(&[("entity", "'thing'")]), &[CHECK, "entity = 'supplier' OR"]),
        refused("history.action: wrong word", h(&[("action", "'explode'")]), &[CHECK, "action = 'create' OR"]),
        refused("history.supplier_id: foreign key", h(&[("supplier_id", "999999")]), FK),
        ok("attachments: a valid row", at(&[("path", "'IMG_2.jpg'")])),
        refused("attachments.sha256: upper case", at(&[("sha256", &HASH.to_uppercase())]), &[CHECK, "sha256"]),
        refused("attachments.sha256: too short", at(&[("sha256", "'abc'")]), &[CHECK, "length(sha256) = 64"]),
        refused("attachments.size: negative", at(&[("size", "-1")]), &[CHECK, "size >= 0"]),
        refused("attachments.path: empty", at(&[("path", "''")]), &[CHECK, "length(path) > 0"]),
        refused("attachments.evidence_id: foreign key", at(&[("evidence_id", "999999")]), FK),
        ok("shortlist: a valid row", insert("shortlist", SHORTLIST, &[])),
        refused("shortlist.supplier_id: foreign key", insert("shortlist", SHORTLIST, &[("supplier_id", "999999")]), FK),
    ]
}

fn submitted_audit_cases() -> Vec<Case> {
    const CHANGED: &[&str] = &["audit is submitted and cannot be changed; record an amendment instead"];
    let answers_changed: &'static [&'static str] = &["audit is submitted; its answers cannot be changed"];
    let evidence_changed: &'static [&'static str] = &["audit is submitted; its evidence cannot be changed"];
    let findings_changed: &'static [&'static str] = &["audit is submitted; its findings cannot be changed"];
    let unanswered = format!(
        "(SELECT code FROM checklist_questions WHERE template = 'odm-capability/1'
           AND code NOT IN (SELECT question FROM answers WHERE audit_id = {SEALED_PARTIAL}) LIMIT 1)"
    );
    vec![
        refused(
            "submitted audit: update",
            format!("UPDATE audits SET summary = 'edited' WHERE id = {SEALED}"),
            CHANGED,
        ),
        refused(
            "submitted audit: back to draft",
            format!(
                "UPDATE audits SET status = 'draft', submitted_at = NULL, grade = NULL, content_hash = NULL, chain_seq = NULL, chain_hash = NULL WHERE id = {SEALED}"
            ),
            CHANGED,
        ),
        refused(
            "submitted audit: delete",
            format!("DELETE FROM audits WHERE id = {SEALED}"),
            &["audit is submitted and cannot be deleted"],
        ),
        refused(
            "submitted audit: insert an answer",
            insert("answers", ANSWER, &[("audit_id", SEALED_PARTIAL), ("question", &unanswered)]),
            answers_changed,
        ),
        refused(
            "submitted audit: update an answer",
            format!("UPDATE answers SET result = 'no' WHERE audit_id = {SEALED}"),
            answers_changed,
        ),
        refused(
            "submitted audit: move an answer away",
            format!("UPDATE answers SET audit_id = {DRAFT} WHERE audit_id = {SEALED} AND question = 'LG-02'"),
            &["an answer's audit and question never change"],
        ),
        refused(
            "submitted audit: move an answer in",
            format!("UPDATE answers SET audit_id = {SEALED_PARTIAL} WHERE audit_id = {DRAFT}"),
            &["an answer's audit and question never change"],
        ),
        refused(
            "submitted audit: delete an answer",
            format!("DELETE FROM answers WHERE audit_id = {SEALED}"),
            &["audit is submitted; its answers cannot be deleted"],
        ),
        refused(
            "submitted audit: insert evidence",
            insert("evidence", EVIDENCE, &[("audit_id", SEALED)]),
            evidence_changed,
        ),
        refused(
            "submitted audit: update evidence",
            format!("UPDATE evidence SET strength = 'observed' WHERE audit_id = {SEALED}"),
            evidence_changed,
        ),
        refused(
            "submitted audit: move evidence in",
            format!("UPDATE evidence SET audit_id = {SEALED} WHERE audit_id = {DRAFT}"),
            &["an evidence item's id and audit never change"],
        ),
        refused(
            "submitted audit: delete evidence",
            format!("DELETE FROM evidence WHERE audit_id = {SEALED}"),
            &["audit is submitted; its evidence cannot be deleted"],
        ),
        refused(
            "submitted audit: insert a finding",
            insert("findings", FINDING, &[("audit_id", SEALED)]),
            findings_changed,
        ),
        refused(
            "submitted audit: update a finding",
            format!("UPDATE findings SET severity = 'minor' WHERE audit_id = {SEALED}"),
            findings_changed,
        ),
        refused(
            "submitted audit: delete a finding",
            format!("DELETE FROM findings WHERE audit_id = {SEALED}"),
            &["audit is submitted; its findings cannot be deleted"],
        ),
    ]
}

fn append_only_cases() -> Vec<Case> {
    vec![
        refused(
            "finding closure: update",
            "UPDATE finding_closures SET evidence = 'changed'".to_owned(),
            &["a finding closure is recorded once and never changed"],
        ),
        refused(
            "finding closure: delete",
            "DELETE FROM finding_closures".to_owned(),
            &["a finding closure is recorded once and never deleted"],
        ),
        refused(
            "finding closure: a second closure",
            insert("finding_closures", CLOSURE, &[("finding_id", "(SELECT finding_id FROM finding_closures LIMIT 1)")]),
            &["this finding is already closed"],
        ),
        refused("history: update", "UPDATE history SET actor = 'someone else'".to_owned(), &["history is append-only"]),
        refused("history: delete", "DELETE FROM history".to_owned(), &["history is append-only"]),
        refused(
            "attachments: update",
            "UPDATE attachments SET path = 'other.jpg'".to_owned(),
            &["attachments are recorded once; attach the file again instead"],
        ),
        refused(
            "attachments: delete",
            "DELETE FROM attachments".to_owned(),
            &["attachments are recorded once and never deleted"],
        ),
        // The triggers are about submitted audits only.
        ok(
            "draft audit: its answers can change",
            format!("UPDATE answers SET result = 'partial' WHERE audit_id = {DRAFT}"),
        ),
        ok(
            "draft audit: its evidence can be deleted",
            format!(
                "DELETE FROM evidence WHERE audit_id = {DRAFT} AND id NOT IN (SELECT evidence_id FROM attachments)"
            ),
        ),
        ok(
            "draft audit: its findings can change",
            format!("UPDATE findings SET severity = 'minor' WHERE audit_id = {DRAFT}"),
        ),
    ]
}

/// Migration 3's voiding: all three columns or none, a reason, never undone;
/// lots and claims never edited.
fn void_cases() -> Vec<Case> {
    let void = |table: &str, key: &str| {
        format!(
            "UPDATE {table} SET voided_at = '2026-01-01T00:00:00.000Z', voided_by = 'qa', void_reason = 'typo' WHERE {key}"
        )
    };
    let draft_evidence = format!("audit_id = {DRAFT}");
    let lot = "lot = (SELECT min(lot) FROM lots)";
    vec![
        ok("lots: voided with who and why", void("lots", lot)),
        refused(
            "lots: voided without a reason",
            format!("UPDATE lots SET voided_at = '2026-01-01', voided_by = 'qa' WHERE {lot}"),
            &[CHECK, "void_reason"],
        ),
        refused(
            "lots: voided with a blank reason",
            format!("UPDATE lots SET voided_at = '2026-01-01', voided_by = 'qa', void_reason = ' ' WHERE {lot}"),
            &[CHECK, "void_reason"],
        ),
        refused(
            "lots: voided and changed at once",
            format!(
                "UPDATE lots SET voided_at = 'x', voided_by = 'qa', void_reason = 'r', started = started + 1 WHERE {lot}"
            ),
            &["a lot is never changed, only voided"],
        ),
        refused(
            "lots: un-voided",
            format!(
                "{}; UPDATE lots SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE {lot}",
                void("lots", lot)
            ),
            &["a voided lot never changes"],
        ),
        refused("lots: deleted", format!("DELETE FROM lots WHERE {lot}"), &["a lot is never deleted"]),
        ok("claims: voided", void("claims", "id = 1")),
        ok(
            "claims: retired once",
            "UPDATE claims SET retired_on = '2026-06-01' WHERE id = 1 AND retired_on IS NULL".to_owned(),
        ),
        // A retirement is a mutable field, merged by the later edit.
        ok(
            "claims: retired, then retired on another day",
            "UPDATE claims SET retired_on = '2026-06-01' WHERE id = 1; UPDATE claims SET retired_on = '2026-07-01' WHERE id = 1"
                .to_owned(),
        ),
        refused(
            "claims: voided, then retired",
            format!("{}; UPDATE claims SET retired_on = '2026-06-01' WHERE id = 1", void("claims", "id = 1")),
            &["a claim is never edited"],
        ),
        refused(
            "claims: retired and edited at once",
            "UPDATE claims SET retired_on = '2026-06-01', stated_on = '2026-01-01' WHERE id = 1".to_owned(),
            &["a claim is never edited"],
        ),
        refused(
            "claims: edited",
            "UPDATE claims SET statement = 'x' WHERE id = 1".to_owned(),
            &["a claim is never edited"],
        ),
        refused("claims: deleted", "DELETE FROM claims WHERE id = 1".to_owned(), &["a claim is never deleted"]),
        ok("evidence of a draft: voided", void("evidence", &draft_evidence)),
        refused(
            "evidence of a draft: un-voided",
            format!(
                "{}; UPDATE evidence SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE {draft_evidence}",
                void("evidence", &draft_evidence)
            ),
            &["a voided evidence item never changes"],
        ),
        refused(
            "findings of a draft: voided, then deleted",
            format!(
                "{}; DELETE FROM findings WHERE audit_id = {DRAFT}",
                void("findings", &format!("audit_id = {DRAFT}"))
            ),
            &["a voided finding is never deleted"],
        ),
        refused(
            "evidence of a submitted audit: voided",
            void("evidence", &format!("audit_id = {SEALED}")),
            &["audit is submitted; its evidence cannot be changed"],
        ),
    ]
}

/// Templates sealed, hashes well formed, supplier codes fixed.
fn seal_cases() -> Vec<Case> {
    vec![
        refused(
            "checklist_templates: re-hashed",
            format!("UPDATE checklist_templates SET content_hash = {HASH}"),
            &["a checklist template never changes"],
        ),
        refused(
            "checklist_templates: deleted",
            "DELETE FROM checklist_templates WHERE template = 'odm-capability/1'".to_owned(),
            &["never deleted"],
        ),
        ok(
            "checklist_templates: an unsealed one gets its hash",
            format!("UPDATE checklist_templates SET content_hash = {HASH} WHERE template = 'draft/1'"),
        ),
        refused(
            "checklist_templates: a malformed hash",
            "UPDATE checklist_templates SET content_hash = 'abc' WHERE template = 'draft/1'".to_owned(),
            &[CHECK, "content_hash"],
        ),
        refused(
            "history.chain_hash: malformed",
            insert("history", HISTORY, &[("chain_hash", "'xyz'")]),
            &[CHECK, "chain_hash"],
        ),
        refused(
            "audits.seal_format: unknown",
            format!("UPDATE audits SET seal_format = 3 WHERE id = {DRAFT}"),
            &[CHECK, "seal_format"],
        ),
        refused(
            "suppliers: code changed",
            "UPDATE suppliers SET code = 'SZ-OTHER' WHERE code = 'SZ-ARMOR'".to_owned(),
            &["a supplier's id and code never change"],
        ),
    ]
}

/// Runs one case inside a savepoint that is always rolled back.
fn check(conn: &Connection, case: &Case) -> Result<(), String> {
    conn.execute_batch("SAVEPOINT one_case").expect("savepoint");
    let result = conn.execute_batch(&case.sql);
    conn.execute_batch("ROLLBACK TO one_case; RELEASE one_case").expect("roll back the case");
    match (&case.expect, result) {
        (Expect::Accepted, Ok(())) => Ok(()),
        (Expect::Accepted, Err(e)) => Err(format!("{}: refused: {e}\n  {}", case.what, case.sql)),
        (Expect::Refused(_), Ok(())) => Err(format!("{}: accepted\n  {}", case.what, case.sql)),
        (Expect::Refused(fragments), Err(e)) => {
            let message = e.to_string();
            match fragments.iter().find(|f| !message.contains(*f)) {
                None => Ok(()),
                Some(missing) => Err(format!("{}: refused for another reason (no {missing:?}): {message}", case.what)),
            }
        }
    }
}

#[test]
fn every_table_enforces_its_rules_in_sql() {
    let (sandbox, conn) = setup();
    let before = common::dump(&sandbox.db);
    let groups = [
        supplier_cases(),
        claim_cases(),
        checklist_cases(),
        audit_cases(),
        audit_item_cases(),
        lot_cases(),
        other_table_cases(),
        submitted_audit_cases(),
        append_only_cases(),
        void_cases(),
        seal_cases(),
    ];
    let cases: Vec<&Case> = groups.iter().flatten().collect();
    let failures: Vec<String> = cases.iter().filter_map(|case| check(&conn, case).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(cases.len() > 150, "only {} cases", cases.len());
    drop(conn);
    assert_eq!(before, common::dump(&sandbox.db), "a case left a change behind");
}

#[test]
fn lots_defects_check_holds_every_rule_its_comment_states() {
    let (_sandbox, conn) = setup();
    let l = |json: &str| insert("lots", LOT, &[("defects", &format!("'{json}'"))]);
    let defects = &[CHECK, "json_valid(defects)"];
    let cases = [
        refused("lots.defects: a zero count", l(r#"{"bubble":0}"#), defects),
        refused("lots.defects: true", l(r#"{"bubble":true}"#), defects),
        refused("lots.defects: null", l(r#"{"bubble":null}"#), defects),
        refused("lots.defects: an object value", l(r#"{"bubble":{"n":1}}"#), defects),
        refused("lots.defects: an array value", l(r#"{"bubble":[1]}"#), defects),
        refused("lots.defects: a space", l(r#"{"bubble": 1}"#), defects),
        refused("lots.defects: a negative exponent", l(r#"{"bubble":1e-3}"#), defects),
        refused("lots.defects: an empty object", l("{}"), defects),
        // schema.sql: an exponent still writes a whole number; letter case is the importers' rule.
        ok("lots.defects: a whole number with an exponent", l(r#"{"bubble":1e3}"#)),
    ];
    let failures: Vec<String> = cases.iter().filter_map(|case| check(&conn, case).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
