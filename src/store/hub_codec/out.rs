//! This database's records as hub rows (what a push offers), one supplier
//! at a time or all. Row ids never leave: references become global
//! identities (a supplier's code, an audit's or evidence item's gid).
//!
//! What travels, by kind (see the hub schema for the tables):
//!
//! | here | on the hub |
//! |---|---|
//! | supplier | `suppliers` (code, profile as first pushed); profile edits are `versions` |
//! | claim | `records` claim (gid); its retirement a `retirement` record, its void a `void` record |
//! | submitted audit | `audits` (gid, header) + `submission` record (seal, answers) |
//! | evidence item, finding of a submitted audit | `records` (gid, with its void mark) |
//! | draft audit (header, answers) | `records` draft (audit gid), as first pushed; edits are `versions` |
//! | evidence item, finding of a draft | `records` `draft_evidence`, `draft_finding` (gid), as first pushed; edits are `versions`, a void a `void` record with the content voided |
//! | note on an unanswered question | `records` note (`<audit gid> <question>`), as first pushed; edits are `versions` |
//! | lot annotation | `records` annotation (gid) |
//! | control plan | `records` `control_plan` (gid); its unfreezing an `unfreezing` record |
//! | closure | `records` closure (the finding's gid) |
//! | attachment | `records` attachment (gid) + its file in `files` (by SHA-256) when present |
//! | history entry | `records` history (gid; topic = what it is about) |
//! | lot | `lots` (supplier, lot code); its void a `void` record |
//! | field version (profile, policy, shortlist, claim, audit, answer) | `versions` |
//!
//! Drafts, notes, annotations, plans and the versions of claims and audits
//! go to a hub of schema version 2 or later (`RowShape::Hub`). A
//! dossier (`RowShape::Dossier`) carries the same records in the shape it
//! always had: a draft's items as `evidence` and `finding` with their void
//! marks, a plan as `plan` with its unfreezing.

use rusqlite::types::ValueRef;
use rusqlite::{Row, params_from_iter};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::store::hub::{AuditRow, Batch, LotRow, RecordRow, SupplierRow, VersionRow};
use crate::store::{Reader, SupplierId};

/// Columns `first..` of `row` as a JSON object keyed by their names.
pub(super) fn object(row: &Row<'_>, first: usize) -> rusqlite::Result<Value> {
    let stmt = row.as_ref();
    let mut map = Map::new();
    for i in first..stmt.column_count() {
        let value = match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => n.into(),
            ValueRef::Real(x) => x.into(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
            ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned().into(),
        };
        map.insert(stmt.column_name(i)?.to_owned(), value);
    }
    Ok(Value::Object(map))
}

/// Which records to read: everything, or those of some suppliers and, if
/// `global`, those of none (the policy and its history); and for whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushScope {
    pub all: bool,
    pub suppliers: Vec<SupplierId>,
    pub global: bool,
    pub shape: RowShape,
}

/// Who the rows are for, which decides what they carry and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowShape {
    /// A hub of schema version 1: no drafts, notes, annotations or plans.
    #[default]
    HubV1,
    /// A hub of version 2: also drafts with their parts, notes, claims' and
    /// audits' versions, lot annotations and control plans, shaped for the
    /// hub (see `out_extra`).
    Hub,
    /// A `casebook-dossier/3`: all of that as the records are, rows ordered
    /// by identity, and of the lots only the voided ones.
    Dossier,
}

impl PushScope {
    pub fn all() -> Self {
        Self { all: true, suppliers: Vec::new(), global: true, shape: RowShape::HubV1 }
    }

    /// Rows for a dossier.
    pub(super) fn lossless(&self) -> bool {
        self.shape == RowShape::Dossier
    }

    pub fn is_empty(&self) -> bool {
        !self.all && !self.global && self.suppliers.is_empty()
    }

    /// A condition on a supplier column: `true` for everything.
    pub(super) fn filter(&self, column: &str) -> String {
        if self.all {
            return "1 = 1".to_owned();
        }
        let list = self.suppliers.iter().map(|id| id.0.to_string()).collect::<Vec<_>>().join(", ");
        format!("{column} IN ({list})")
    }

    /// The order of rows: as they were recorded here for a push; by their
    /// identities in a dossier (so export → import → export is identical).
    pub(super) fn order<'s>(&self, push: &'s str, dossier: &'s str) -> &'s str {
        if self.lossless() { dossier } else { push }
    }

    /// The same for rows whose supplier may be NULL (global rows).
    fn rows_of(&self, column: &str) -> String {
        if self.global { format!("({} OR {column} IS NULL)", self.filter(column)) } else { self.filter(column) }
    }
}

impl Reader<'_> {
    /// This database's records in `scope`, as hub rows, parents first.
    pub fn hub_rows(&self, scope: &PushScope) -> Result<Batch> {
        let mut batch = Batch::default();
        if scope.is_empty() {
            return Ok(batch);
        }
        self.out_suppliers(scope, &mut batch)?;
        self.out_claims(scope, &mut batch)?;
        self.out_audits(scope, &mut batch)?;
        self.out_audit_parts(scope, &mut batch)?;
        self.out_history(scope, &mut batch)?;
        self.out_versions(scope, &mut batch)?;
        self.out_lots(scope, &mut batch)?;
        if scope.shape != RowShape::HubV1 {
            self.out_drafts(scope, &mut batch)?;
            self.out_control(scope, &mut batch)?;
        }
        if scope.shape == RowShape::Hub {
            self.out_draft_parts(scope, &mut batch)?;
        }
        if scope.shape != RowShape::HubV1 {
            self.out_attachment_files(scope, &mut batch)?;
        }
        Ok(batch)
    }

    pub(super) fn rows<T>(&self, sql: &str, f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params_from_iter(std::iter::empty::<i64>()), f)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn out_suppliers(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days, notes
             FROM suppliers WHERE {} ORDER BY {}",
            scope.filter("id"),
            scope.order("id", "code")
        );
        batch.suppliers = self.rows(&sql, |r| Ok(SupplierRow { code: r.get(0)?, body: object(r, 1)? }))?;
        Ok(())
    }

    fn out_claims(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT c.gid, s.code, c.capability, c.source, c.stated_on, c.statement
             FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE {} ORDER BY {}",
            scope.filter("c.supplier_id"),
            scope.order("c.id", "c.gid")
        );
        batch.records.extend(self.rows(&sql, |r| Ok(record("claim", r.get(0)?, r.get(1)?, None, object(r, 2)?)))?);
        let sql = format!(
            "SELECT c.gid, s.code, c.retired_on FROM claims c JOIN suppliers s ON s.id = c.supplier_id
             WHERE c.retired_on IS NOT NULL AND {} ORDER BY {}",
            scope.filter("c.supplier_id"),
            scope.order("c.id", "c.gid")
        );
        batch.records.extend(self.rows(&sql, |r| Ok(record("retirement", r.get(0)?, r.get(1)?, None, object(r, 2)?)))?);
        let sql = format!(
            "SELECT 'claim ' || c.gid, s.code, 'claim' AS what, c.gid AS target, c.voided_at, c.voided_by, c.void_reason
             FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE c.voided_at IS NOT NULL AND {} ORDER BY {}",
            scope.filter("c.supplier_id"),
            scope.order("c.id", "c.gid")
        );
        batch.records.extend(self.rows(&sql, |r| Ok(void(r.get(0)?, r.get(1)?, "claim", object(r, 2)?)))?);
        Ok(())
    }

    /// Submitted audits: the header, and the seal with the answers it covers.
    fn out_audits(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        // A push sends originals before amendments; a dossier orders by
        // identity (each database's chain orders what it received).
        let order = if scope.lossless() { "a.gid" } else { "a.chain_seq" };
        let sql = format!(
            "SELECT a.gid, s.code, a.ref, a.auditor, a.visited_on, a.kind, a.summary, a.template, o.gid AS amends
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id LEFT JOIN audits o ON o.id = a.amends
             WHERE a.status = 'submitted' AND {} ORDER BY {order}",
            scope.filter("a.supplier_id")
        );
        batch.audits =
            self.rows(&sql, |r| Ok(AuditRow { gid: r.get(0)?, supplier: r.get(1)?, body: object(r, 2)? }))?;
        let sql = format!(
            "SELECT a.gid, s.code, a.submitted_at, a.score_pct, a.grade, a.critical_no, a.content_hash,
                    a.seal_format, {ANSWERS_JSON}
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id
             WHERE a.status = 'submitted' AND {} ORDER BY {order}",
            scope.filter("a.supplier_id")
        );
        batch.records.extend(self.rows(&sql, audit_record("submission"))?);
        Ok(())
    }

    /// Evidence, findings, closures and attachments of submitted audits (of
    /// every audit in a dossier).
    fn out_audit_parts(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let status = if scope.lossless() { "1 = 1" } else { "a.status = 'submitted'" };
        self.audit_parts(scope, status, ["evidence", "finding"], batch)
    }

    /// Evidence, findings (as kinds `names`), closures and attachments of
    /// the audits `status` (SQL over `a`) selects.
    pub(super) fn audit_parts(
        &self,
        scope: &PushScope,
        status: &str,
        names: [&'static str; 2],
        batch: &mut Batch,
    ) -> Result<()> {
        let under = |table: &str, columns: &str| {
            format!(
                "SELECT x.gid, s.code, a.gid, {columns} FROM {table} x JOIN audits a ON a.id = x.audit_id
                 JOIN suppliers s ON s.id = a.supplier_id WHERE {status} AND {} ORDER BY {}",
                scope.filter("a.supplier_id"),
                scope.order("x.id", "a.gid, x.id")
            )
        };
        let part = |kind: &'static str| {
            move |r: &Row<'_>| Ok(record(kind, r.get(0)?, r.get(1)?, Some(r.get(2)?), object(r, 3)?))
        };
        let evidence = under(
            "evidence",
            "x.pillar, x.kind, x.strength, x.collected_on, x.description, x.reference, x.voided_at, x.voided_by, \
             x.void_reason",
        );
        batch.records.extend(self.rows(&evidence, part(names[0]))?);
        let findings =
            under("findings", "x.severity, x.description, x.owner, x.due_on, x.voided_at, x.voided_by, x.void_reason");
        batch.records.extend(self.rows(&findings, part(names[1]))?);
        let closures = format!(
            "SELECT f.gid, s.code, a.gid, c.closed_on, c.evidence, c.closed_by, c.recorded_at, c.fact_hash
             FROM finding_closures c JOIN findings f ON f.id = c.finding_id JOIN audits a ON a.id = f.audit_id
             JOIN suppliers s ON s.id = a.supplier_id WHERE {status} AND {} ORDER BY {}",
            scope.filter("a.supplier_id"),
            scope.order("c.rowid", "f.gid")
        );
        batch.records.extend(self.rows(&closures, part("closure"))?);
        let attachments = format!(
            "SELECT t.gid, s.code, a.gid, e.gid AS evidence, t.path, t.size, t.sha256, t.attached_at, t.attached_by,
                    t.fact_hash
             FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id
             JOIN suppliers s ON s.id = a.supplier_id WHERE {status} AND {} ORDER BY {}",
            scope.filter("a.supplier_id"),
            scope.order("t.id", "t.gid")
        );
        batch.records.extend(self.rows(&attachments, part("attachment"))?);
        Ok(())
    }

    /// History entries, but for what a merge or sync wrote about itself
    /// (local to each database).
    fn out_history(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT h.gid, s.code, h.entity, h.at, h.actor, h.entity, h.entity_key, h.action, h.field, h.old_value,
                    h.new_value, h.fact_hash
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id
             WHERE h.entity NOT IN ('merge', 'sync', 'checklist') AND {} ORDER BY {}",
            scope.rows_of("h.supplier_id"),
            scope.order("h.id", "h.gid")
        );
        batch.records.extend(self.rows(&sql, |r| {
            Ok(RecordRow {
                kind: "history".into(),
                key: r.get(0)?,
                supplier: r.get(1)?,
                audit: None,
                topic: Some(r.get(2)?),
                body: object(r, 3)?,
            })
        })?);
        Ok(())
    }

    /// Versions of supplier profiles and shortlist marks (keyed by supplier
    /// code) and of the policy (global).
    fn out_versions(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let filter = scope.filter("s.id");
        let policy = if scope.global { " OR v.entity = 'policy'" } else { "" };
        let sql = format!(
            "SELECT v.entity, v.key, v.field, v.clock, v.actor, v.value, s.code
             FROM field_versions v LEFT JOIN suppliers s ON v.entity IN ('supplier', 'shortlist') AND s.code = v.key
             WHERE (s.id IS NOT NULL AND {filter}){policy} ORDER BY v.entity, v.key, v.field, v.clock"
        );
        batch.versions = self.rows(&sql, |r| {
            Ok(VersionRow {
                entity: r.get(0)?,
                key: r.get(1)?,
                field: r.get(2)?,
                clock: r.get(3)?,
                actor: r.get(4)?,
                value: r.get(5)?,
                supplier: r.get(6)?,
                audit: None,
            })
        })?;
        Ok(())
    }

    /// Lots (for a dossier only the voided ones: the others travel in its
    /// readable part) and their voids.
    fn out_lots(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let voided = if scope.lossless() { " AND l.voided_at IS NOT NULL" } else { "" };
        let sql = format!(
            "{LOT_ROWS} WHERE {}{voided} ORDER BY {}",
            scope.filter("l.supplier_id"),
            scope.order("l.supplier_id, l.lot", "s.code, l.lot")
        );
        batch.lots = self.rows(&sql, lot_row)?;
        let sql = format!(
            "SELECT 'lot ' || s.code || ' ' || l.lot, s.code, 'lot' AS what, l.lot AS target, l.voided_at,
                    l.voided_by, l.void_reason
             FROM lots l JOIN suppliers s ON s.id = l.supplier_id WHERE l.voided_at IS NOT NULL AND {}",
            scope.filter("l.supplier_id")
        );
        batch.records.extend(self.rows(&sql, |r| Ok(void(r.get(0)?, r.get(1)?, "lot", object(r, 2)?)))?);
        Ok(())
    }
}

const LOT_ROWS: &str = "SELECT s.code, l.lot, l.sku, l.process, l.material, l.produced_on, l.started, l.passed_first,
        l.reworked, l.scrapped, l.defects
 FROM lots l JOIN suppliers s ON s.id = l.supplier_id";

fn lot_row(r: &Row<'_>) -> rusqlite::Result<LotRow> {
    let defects: Option<String> = r.get(10)?;
    Ok(LotRow {
        supplier: r.get(0)?,
        lot: r.get(1)?,
        sku: r.get(2)?,
        process: r.get(3)?,
        material: r.get(4)?,
        produced_on: crate::store::date_at(r, 5)?,
        started: r.get(6)?,
        passed_first: r.get(7)?,
        reworked: r.get(8)?,
        scrapped: r.get(9)?,
        defects: defects.and_then(|d| serde_json::from_str(&d).ok()),
    })
}

impl Reader<'_> {
    /// Every lot as a hub row, one at a time (a dossier's lots into the
    /// database its records are written to).
    pub fn each_lot_row(&self, f: &mut dyn FnMut(LotRow) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!("{LOT_ROWS} ORDER BY l.supplier_id, l.lot"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            f(lot_row(row)?)?;
        }
        Ok(())
    }
}

/// An audit's answers as one JSON text column, `answers`.
pub(super) const ANSWERS_JSON: &str =
    "(SELECT json_group_array(json_object('question', question, 'result', result, 'note', note))
     FROM (SELECT * FROM answers WHERE audit_id = a.id ORDER BY question)) AS answers";

/// A row `audit gid, supplier code, fields…` as a record of `kind` keyed and
/// filed by the audit's gid; the answers (JSON text) are kept as JSON.
pub(super) fn audit_record(kind: &'static str) -> impl Fn(&Row<'_>) -> rusqlite::Result<RecordRow> {
    move |r| {
        let gid: String = r.get(0)?;
        let mut body = object(r, 2)?;
        if let Some(text) = body.get("answers").and_then(Value::as_str) {
            body["answers"] = serde_json::from_str(text).unwrap_or(Value::Null);
        }
        Ok(record(kind, gid.clone(), r.get(1)?, Some(gid), body))
    }
}

pub(super) fn record(kind: &str, key: String, supplier: String, audit: Option<String>, body: Value) -> RecordRow {
    RecordRow { kind: kind.to_owned(), key, supplier: Some(supplier), audit, topic: None, body }
}

fn void(key: String, supplier: String, topic: &str, body: Value) -> RecordRow {
    RecordRow { kind: "void".into(), key, supplier: Some(supplier), audit: None, topic: Some(topic.to_owned()), body }
}

impl Batch {
    /// The files of the batch's attachments, read from the database's file
    /// store or else from where they were attached, when they are there
    /// with the recorded hash (a missing file is reported by `casebook
    /// check` and by the merge that takes the record in; the record travels
    /// anyway). Each file once.
    pub fn attach_files(&mut self, db: &std::path::Path) {
        use sha2::Digest as _;
        let store = crate::store::files::FileStore::for_database(db);
        let mut seen = std::collections::HashSet::new();
        for r in self.records.iter().filter(|r| r.kind == "attachment") {
            let (Some(path), Some(sha)) =
                (r.body.get("path").and_then(Value::as_str), r.body.get("sha256").and_then(Value::as_str))
            else {
                continue;
            };
            if !seen.insert(sha.to_owned()) {
                continue;
            }
            let Ok(content) = store.read(sha).or_else(|_| std::fs::read(path)) else { continue };
            if crate::store::hex(&sha2::Sha256::digest(&content)) == sha {
                let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
                self.files.push(crate::store::hub::FileRow { sha256: sha.to_owned(), size, content });
            }
        }
    }
}
