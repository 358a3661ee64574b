//! What a hub of schema version 2 and a `casebook-dossier/3` carry beyond
//! a version 1 hub's rows (see `out`): drafts with their parts and notes,
//! the field versions of drafts and claims, lot annotations and control
//! plans, in the shape each wants — a dossier as the records are, a hub
//! with a draft's parts as kinds of their own (first pushed content
//! stands; edits travel as versions), voids of draft items as `void`
//! records with the content voided, plans apart from their unfreezing, and
//! no database's own recording stamps.

use serde_json::{Map, Value};

use super::out::{ANSWERS_JSON, PushScope, audit_record, object, record};
use crate::error::Result;
use crate::store::Reader;
use crate::store::hub::{Batch, RecordRow, VersionRow};

impl Reader<'_> {
    /// Draft audits (header and answers), notes on questions not answered
    /// yet, and the field versions of drafts and claims.
    pub(super) fn out_drafts(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT a.gid, s.code, a.ref, a.auditor, a.visited_on, a.kind, a.summary, a.template, o.gid AS amends,
                    {ANSWERS_JSON}
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id LEFT JOIN audits o ON o.id = a.amends
             WHERE a.status = 'draft' AND {} ORDER BY a.gid",
            scope.filter("a.supplier_id")
        );
        batch.records.extend(self.rows(&sql, audit_record("draft"))?);
        let sql = format!(
            "SELECT a.gid || ' ' || n.question, s.code, a.gid, n.question, n.note
             FROM question_notes n JOIN audits a ON a.id = n.audit_id JOIN suppliers s ON s.id = a.supplier_id
             WHERE {} ORDER BY a.gid, n.question",
            scope.filter("a.supplier_id")
        );
        batch
            .records
            .extend(self.rows(&sql, |r| Ok(record("note", r.get(0)?, r.get(1)?, Some(r.get(2)?), object(r, 3)?)))?);
        let sql = format!(
            "SELECT v.entity, v.key, v.field, v.clock, v.actor, v.value, s.code, a.gid
             FROM field_versions v JOIN audits a ON v.entity IN ('audit', 'answer') AND a.gid = substr(v.key, 1, 36)
             JOIN suppliers s ON s.id = a.supplier_id WHERE {}
             UNION ALL
             SELECT v.entity, v.key, v.field, v.clock, v.actor, v.value, s.code, NULL
             FROM field_versions v JOIN claims c ON v.entity = 'claim' AND c.gid = v.key
             JOIN suppliers s ON s.id = c.supplier_id WHERE {}
             ORDER BY 1, 2, 3, 4",
            scope.filter("a.supplier_id"),
            scope.filter("c.supplier_id")
        );
        batch.versions.extend(self.rows(&sql, |r| {
            Ok(VersionRow {
                entity: r.get(0)?,
                key: r.get(1)?,
                field: r.get(2)?,
                clock: r.get(3)?,
                actor: r.get(4)?,
                value: r.get(5)?,
                supplier: r.get(6)?,
                audit: r.get(7)?,
            })
        })?);
        Ok(())
    }

    /// Lot annotations and control plans (with their unfreezing).
    pub(super) fn out_control(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT x.gid, s.code, x.lot, x.cause, x.action, x.excluded, x.noted_on, x.noted_by, x.noted_at
             FROM lot_annotations x JOIN suppliers s ON s.id = x.supplier_id WHERE {} ORDER BY x.gid",
            scope.filter("x.supplier_id")
        );
        batch.records.extend(self.rows(&sql, |r| Ok(record("annotation", r.get(0)?, r.get(1)?, None, object(r, 2)?)))?);
        let sql = format!(
            "SELECT x.gid, s.code, x.process, x.material, x.baseline_since, x.baseline_until, x.baseline_lots,
                    x.p_center, x.p_sigma_z, x.p_moving_ranges, x.u_center, x.u_sigma_z, x.u_moving_ranges,
                    x.frozen_on, x.frozen_by, x.frozen_at, x.unfrozen_on, x.unfrozen_by, x.unfrozen_at
             FROM control_plans x JOIN suppliers s ON s.id = x.supplier_id WHERE {} ORDER BY x.gid",
            scope.filter("x.supplier_id")
        );
        if scope.lossless() {
            batch.records.extend(self.rows(&sql, |r| Ok(record("plan", r.get(0)?, r.get(1)?, None, object(r, 2)?)))?);
            return Ok(());
        }
        // On a hub a plan is a fact without its unfreezing, which comes
        // later; when each database recorded them (`*_at`) stays local (a
        // merge stamps its own), as for annotations.
        for annotation in batch.records.iter_mut().filter(|r| r.kind == "annotation") {
            if let Value::Object(body) = &mut annotation.body {
                body.remove("noted_at");
            }
        }
        let plans = self.rows(&sql, |r| Ok(record("control_plan", r.get(0)?, r.get(1)?, None, object(r, 2)?)))?;
        for mut plan in plans {
            let Value::Object(body) = &mut plan.body else { continue };
            body.remove("frozen_at");
            body.remove("unfrozen_at");
            let unfreezing: Map<String, Value> = ["unfrozen_on", "unfrozen_by"]
                .iter()
                .filter_map(|k| body.remove(*k).map(|v| ((*k).to_owned(), v)))
                .collect();
            let unfrozen = unfreezing.values().any(|v| !v.is_null());
            let (key, supplier) = (plan.key.clone(), plan.supplier.clone().unwrap_or_default());
            batch.records.push(plan);
            if unfrozen {
                batch.records.push(record("unfreezing", key, supplier, None, Value::Object(unfreezing)));
            }
        }
        Ok(())
    }

    /// A draft's evidence items and findings (as first pushed: kinds of
    /// their own, see the hub schema), the voids of those voided (with the
    /// content they were voided with) and the attachments.
    pub(super) fn out_draft_parts(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let from = batch.records.len();
        self.audit_parts(scope, "a.status = 'draft'", ["draft_evidence", "draft_finding"], batch)?;
        let voids: Vec<RecordRow> = batch.records[from..]
            .iter()
            .filter(|r| r.body.get("voided_at").is_some_and(|v| !v.is_null()))
            .filter_map(|r| {
                let what = r.kind.strip_prefix("draft_")?;
                let mut body = r.body.clone();
                body["what"] = what.into();
                body["target"] = r.key.clone().into();
                Some(RecordRow {
                    kind: "void".into(),
                    key: format!("{what} {}", r.key),
                    supplier: r.supplier.clone(),
                    audit: r.audit.clone(),
                    topic: Some(what.to_owned()),
                    body,
                })
            })
            .collect();
        batch.records.extend(voids);
        Ok(())
    }

    /// For each attachment whose file is in the file store: that flag, the
    /// file's name and type (its fact hash covers them).
    pub(super) fn out_attachment_files(&self, scope: &PushScope, batch: &mut Batch) -> Result<()> {
        let sql = format!(
            "SELECT t.gid, s.code, a.gid, t.stored, t.original_name, t.media_type
             FROM attachments t JOIN evidence e ON e.id = t.evidence_id JOIN audits a ON a.id = e.audit_id
             JOIN suppliers s ON s.id = a.supplier_id WHERE t.stored = 1 AND {} ORDER BY {}",
            scope.filter("a.supplier_id"),
            scope.order("t.id", "t.gid")
        );
        let rows =
            self.rows(&sql, |r| Ok(record("attachment_file", r.get(0)?, r.get(1)?, Some(r.get(2)?), object(r, 3)?)))?;
        batch.records.extend(rows);
        Ok(())
    }
}
