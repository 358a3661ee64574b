//! Drafting an audit and filing under it: the header, answers, evidence,
//! findings and their closures, a whole audit from a dossier, and deleting a
//! draft. Every change to a draft is refused once the audit is submitted.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::NewAudit;
use crate::error::{Error, Result};
use chrono::NaiveDate;

use crate::model::{
    Answer, AnswerResult, Audit, AuditStatus, Closure, Evidence, Finding, Gid, HistoryAction, HistoryEntity, records,
    validate,
};
use crate::store::migrate_identity::derived_gid;
use crate::store::versions::Versioned;
use crate::store::{Change, SupplierId, Writer, facts};

impl Writer<'_> {
    /// Creates a draft audit; returns its row id and reference.
    /// A reference given by hand is refused when an audit here has it (two
    /// audits may share one only when they were made apart and merged).
    pub fn create_audit(&self, supplier: SupplierId, new: &NewAudit<'_>) -> Result<(i64, String)> {
        if let Some(reference) = new.reference
            && self.read().audit_ids_with_reference(reference)? > 0
        {
            return Err(Error::Invalid(format!(
                "an audit with reference `{reference}` is on file; choose another (or leave --ref out for the next free one)"
            )));
        }
        self.create_audit_identified(supplier, new, Gid::new())
    }

    /// [`Writer::create_audit`] with the audit's global id given (a merge
    /// takes in an audit made elsewhere).
    pub(crate) fn create_audit_identified(
        &self,
        supplier: SupplierId,
        new: &NewAudit<'_>,
        gid: Gid,
    ) -> Result<(i64, String)> {
        records::audit(new.auditor, new.visited_on, new.summary, new.reference, validate::today())?;
        let reference = match new.reference {
            Some(r) => r.to_owned(),
            None => self.read().next_audit_ref(chrono::Datelike::year(&new.visited_on))?,
        };
        let amends = match new.amends {
            Some(r) => Some(self.read().require_audit(r)?),
            None => None,
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO audits (ref, supplier_id, auditor, visited_on, kind, status, summary, template, amends, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                reference,
                supplier.0,
                new.auditor,
                new.visited_on.to_string(),
                new.kind,
                new.summary,
                new.template,
                amends,
                gid
            ])?;
        let id = self.conn().last_insert_rowid();
        self.record(&Change {
            new: Some(new.auditor),
            ..Change::of(Some(supplier), HistoryEntity::Audit, &reference, HistoryAction::Create)
        })?;
        Ok((id, reference))
    }

    fn audit_owner(&self, audit: i64) -> Result<(SupplierId, String, AuditStatus)> {
        self.conn()
            .prepare_cached("SELECT supplier_id, ref, status FROM audits WHERE id = ?1")?
            .query_row([audit], |r| Ok((SupplierId(r.get(0)?), r.get(1)?, r.get(2)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no audit with id {audit}")))
    }

    /// Refuses with a clear message before the trigger would.
    pub(super) fn draft_owner(&self, audit: i64) -> Result<(SupplierId, String)> {
        let (supplier, reference, status) = self.audit_owner(audit)?;
        if status == AuditStatus::Submitted {
            return Err(Error::Invalid(format!(
                "audit {reference} is submitted and locked; record an amendment instead"
            )));
        }
        Ok((supplier, reference))
    }

    /// Records or replaces the answer to one question of a draft audit.
    /// A note written on the question before it was answered goes with
    /// the answer when the answer brings none.
    pub fn set_answer(&self, audit: i64, answer: &Answer) -> Result<()> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let pending = self.take_question_note(audit, &answer.question)?;
        let with_note;
        let answer = if answer.note.is_none() && pending.is_some() {
            with_note = Answer { note: pending, ..answer.clone() };
            &with_note
        } else {
            answer
        };
        let old: Option<(AnswerResult, Option<String>)> = self
            .conn()
            .prepare_cached("SELECT result, note FROM answers WHERE audit_id = ?1 AND question = ?2")?
            .query_row(params![audit, answer.question], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if old.is_some() {
            self.conn()
                .prepare_cached("UPDATE answers SET result = ?3, note = ?4 WHERE audit_id = ?1 AND question = ?2")?
                .execute(params![audit, answer.question, answer.result, answer.note])?;
        } else {
            self.insert_answer(audit, answer)?;
        }
        let key = format!("{reference} {}", answer.question);
        let base = Change::of(Some(supplier), HistoryEntity::Answer, &key, HistoryAction::Update);
        let before =
            [("result", old.as_ref().map(|(r, _)| r.to_string())), ("note", old.as_ref().and_then(|(_, n)| n.clone()))];
        let after = [("result", Some(answer.result.to_string())), ("note", answer.note.clone())];
        self.record_diff(&base, &before, &after)?;
        let versioned = format!("{} {}", self.read().audit_gid(audit)?, answer.question);
        self.record_changed_versions(Versioned::Answer, &versioned, &before, &after)?;
        Ok(())
    }

    pub fn clear_answer(&self, audit: i64, question: &str) -> Result<()> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let removed = self
            .conn()
            .prepare_cached("DELETE FROM answers WHERE audit_id = ?1 AND question = ?2 RETURNING result")?
            .query_row(params![audit, question], |r| r.get::<_, String>(0))
            .optional()?;
        if let Some(old) = removed {
            let key = format!("{reference} {question}");
            self.record(&Change {
                field: Some("result"),
                old: Some(&old),
                ..Change::of(Some(supplier), HistoryEntity::Answer, &key, HistoryAction::Delete)
            })?;
            let versioned = format!("{} {question}", self.read().audit_gid(audit)?);
            self.record_version(Versioned::Answer, &versioned, "result", None)?;
        }
        Ok(())
    }

    pub(crate) fn insert_evidence(&self, audit: i64, e: &Evidence, gid: Gid) -> Result<i64> {
        records::evidence(e, validate::today())?;
        self.conn()
            .prepare_cached(
                "INSERT INTO evidence (audit_id, pillar, kind, strength, collected_on, description, reference, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                audit,
                e.pillar,
                e.kind,
                e.strength,
                e.collected_on.to_string(),
                e.description,
                e.reference,
                gid
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The day an audit was visited (what its findings' dates answer to).
    fn visited_on(&self, audit: i64) -> Result<NaiveDate> {
        let day: String = self
            .conn()
            .prepare_cached("SELECT visited_on FROM audits WHERE id = ?1")?
            .query_row([audit], |r| r.get(0))?;
        Ok(crate::store::parse_date(&day)?)
    }

    pub(crate) fn insert_finding(&self, audit: i64, f: &Finding, gid: Gid) -> Result<i64> {
        records::finding(f, self.visited_on(audit)?, validate::today())?;
        self.conn()
            .prepare_cached(
                "INSERT INTO findings (audit_id, severity, description, owner, due_on, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![audit, f.severity, f.description, f.owner, f.due_on.to_string(), gid])?;
        Ok(self.conn().last_insert_rowid())
    }

    fn insert_answer(&self, audit: i64, answer: &Answer) -> Result<()> {
        records::answer(answer)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO answers (audit_id, template, question, result, note)
                 SELECT id, template, ?2, ?3, ?4 FROM audits WHERE id = ?1",
            )?
            .execute(params![audit, answer.question, answer.result, answer.note])?;
        Ok(())
    }

    /// Inserts a whole audit from a dossier as a draft (the caller seals it if
    /// it was submitted), with one history row rather than one per item.
    pub fn import_audit(&self, supplier: SupplierId, audit: &Audit) -> Result<i64> {
        let header = NewAudit {
            reference: Some(&audit.id),
            auditor: &audit.auditor,
            visited_on: audit.visited_on,
            kind: audit.kind,
            template: &audit.template,
            summary: audit.summary.as_deref(),
            amends: audit.amends.as_deref(),
        };
        // A dossier without ids: the same ids the identity migration gives
        // (see `migrate_identity::derived_gid`), so a dossier imported into
        // two databases makes the same records in both.
        let code = self.read().supplier(supplier)?.code;
        let visited = audit.visited_on.to_string();
        let parts = [&audit.id, &code, &audit.auditor, &visited, audit.kind.as_str(), &audit.template].map(Some);
        let gid = derived_gid("audit", &parts, 0);
        let (id, _) = self.create_audit_identified(supplier, &header, gid)?;
        let audit_gid = gid.to_string();
        for answer in &audit.answers {
            self.insert_answer(id, answer)?;
        }
        let mut seen: HashMap<Vec<Option<String>>, usize> = HashMap::new();
        let mut next = |parts: Vec<Option<String>>| {
            let n = seen.entry(parts.clone()).or_default();
            *n += 1;
            (parts, *n - 1)
        };
        for e in &audit.evidence {
            let (parts, n) = next(vec![
                Some(audit_gid.clone()),
                Some(e.pillar.to_string()),
                Some(e.kind.to_string()),
                Some(e.strength.to_string()),
                Some(e.collected_on.to_string()),
                Some(e.description.clone()),
                e.reference.clone(),
            ]);
            let refs: Vec<Option<&str>> = parts.iter().map(Option::as_deref).collect();
            self.insert_evidence(id, e, derived_gid("evidence", &refs, n))?;
        }
        for f in &audit.findings {
            let (parts, n) = next(vec![
                Some(audit_gid.clone()),
                Some(f.severity.to_string()),
                Some(f.description.clone()),
                f.owner.clone(),
                Some(f.due_on.to_string()),
            ]);
            let refs: Vec<Option<&str>> = parts.iter().map(Option::as_deref).collect();
            let finding = self.insert_finding(id, f, derived_gid("finding", &refs, n))?;
            if let Some(c) = &f.closure {
                // A closure is a fact of its own: recorded in the history chain.
                self.record_closure(finding, c)?;
            }
        }
        Ok(id)
    }

    pub fn add_evidence(&self, audit: i64, e: &Evidence) -> Result<i64> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let id = self.insert_evidence(audit, e, Gid::new())?;
        let key = format!("{reference} evidence {id}");
        let what = format!("{} {} ({}): {}", e.pillar, e.kind, e.strength, e.description);
        self.record(&Change {
            new: Some(&what),
            ..Change::of(Some(supplier), HistoryEntity::Evidence, &key, HistoryAction::Create)
        })?;
        Ok(id)
    }

    pub fn add_finding(&self, audit: i64, f: &Finding) -> Result<i64> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let id = self.insert_finding(audit, f, Gid::new())?;
        let key = format!("{reference} finding {id}");
        let what = format!("{}: {} (due {})", f.severity, f.description, f.due_on);
        self.record(&Change {
            new: Some(&what),
            ..Change::of(Some(supplier), HistoryEntity::Finding, &key, HistoryAction::Create)
        })?;
        if let Some(closure) = &f.closure {
            self.close_finding(id, closure)?;
        }
        Ok(id)
    }

    /// Records the closure of a finding (allowed after submission: closing is
    /// a new record, never an edit of the finding).
    pub fn close_finding(&self, finding: i64, closure: &Closure) -> Result<()> {
        let voided: Option<String> = self
            .conn()
            .prepare_cached("SELECT voided_at FROM findings WHERE id = ?1")?
            .query_row([finding], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no finding with id {finding}")))?;
        if voided.is_some() {
            return Err(Error::Invalid(format!("finding {finding} is voided; a voided finding is not closed")));
        }
        let closed: bool = self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM finding_closures WHERE finding_id = ?1)")?
            .query_row([finding], |r| r.get(0))?;
        if closed {
            return Err(Error::Invalid(format!("finding {finding} is already closed; a closure is never overwritten")));
        }
        self.record_closure(finding, closure)
    }

    /// Inserts a closure with its fact hash and records it, hash included,
    /// in the history chain.
    fn record_closure(&self, finding: i64, closure: &Closure) -> Result<()> {
        let (audit, due_on): (i64, String) = self
            .conn()
            .prepare_cached("SELECT audit_id, due_on FROM findings WHERE id = ?1")?
            .query_row([finding], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (supplier, reference, _) = self.audit_owner(audit)?;
        records::closure(closure, self.visited_on(audit)?, validate::today())?;
        let closed_on = closure.closed_on.to_string();
        let fact =
            facts::closure_hash(self.conn(), finding, [&closed_on, &closure.evidence, &closure.closed_by, &self.at])?;
        self.conn()
            .prepare_cached(
                "INSERT INTO finding_closures (finding_id, closed_on, evidence, closed_by, recorded_at, fact_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![finding, closed_on, closure.evidence, closure.closed_by, self.at, fact])?;
        let key = format!("{reference} finding {finding}");
        let what =
            format!("closed {} by {}: {} (was due {due_on})", closure.closed_on, closure.closed_by, closure.evidence);
        self.record(&Change {
            new: Some(&what),
            fact: Some(&fact),
            ..Change::of(Some(supplier), HistoryEntity::Finding, &key, HistoryAction::Close)
        })
    }
}
