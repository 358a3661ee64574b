//! Correcting a draft audit in the field: its header (auditor, day of the
//! visit, summary), an evidence item or a finding edited in place, a note
//! written on a question before it is answered, and the answers of a
//! submitted audit copied into its amendment. Every change is in the
//! history, field by field, old → new; a submitted audit refuses all of it
//! (its triggers too).

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::{Evidence, Finding, HistoryAction, HistoryEntity};
use crate::store::versions::{PENDING_NOTE, Versioned};
use crate::store::{Change, Reader, Writer};

/// An audit's header as it can be corrected while it is a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHeader {
    pub auditor: String,
    pub visited_on: NaiveDate,
    pub summary: Option<String>,
}

impl Writer<'_> {
    /// Corrects a draft's auditor, day of visit and summary.
    pub fn update_audit_header(&self, audit: i64, header: &AuditHeader) -> Result<usize> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let (auditor, visited_on, summary): (String, String, Option<String>) = self
            .conn()
            .prepare_cached("SELECT auditor, visited_on, summary FROM audits WHERE id = ?1")?
            .query_row([audit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        self.conn()
            .prepare_cached("UPDATE audits SET auditor = ?2, visited_on = ?3, summary = ?4 WHERE id = ?1")?
            .execute(params![audit, header.auditor, header.visited_on.to_string(), header.summary])?;
        let base = Change::of(Some(supplier), HistoryEntity::Audit, &reference, HistoryAction::Update);
        let before = [("auditor", Some(auditor)), ("visited_on", Some(visited_on)), ("summary", summary)];
        let after = [
            ("auditor", Some(header.auditor.clone())),
            ("visited_on", Some(header.visited_on.to_string())),
            ("summary", header.summary.clone()),
        ];
        let gid = self.read().audit_gid(audit)?.to_string();
        self.record_changed_versions(Versioned::Audit, &gid, &before, &after)?;
        self.record_diff(&base, &before, &after)
    }

    /// The draft audit an item (`table`: evidence or findings) is filed under.
    fn item_audit(&self, table: &str, id: i64) -> Result<i64> {
        let sql = match table {
            "evidence" => "SELECT audit_id FROM evidence WHERE id = ?1",
            _ => "SELECT audit_id FROM findings WHERE id = ?1",
        };
        self.conn()
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no {table} item with id {id}")))
    }

    /// Corrects an evidence item of a draft audit.
    pub fn update_evidence(&self, id: i64, e: &Evidence) -> Result<usize> {
        let audit = self.item_audit("evidence", id)?;
        let (supplier, reference) = self.draft_owner(audit)?;
        let old = self.read().evidence(audit)?.into_iter().find(|(i, _)| *i == id).map(|(_, e)| e);
        let Some(old) = old else { return Err(Error::NotFound(format!("no evidence item with id {id}"))) };
        self.conn()
            .prepare_cached(
                "UPDATE evidence SET pillar = ?2, kind = ?3, strength = ?4, collected_on = ?5, description = ?6,
                                     reference = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                e.pillar,
                e.kind,
                e.strength,
                e.collected_on.to_string(),
                e.description,
                e.reference
            ])?;
        let key = format!("{reference} evidence {id}");
        let base = Change::of(Some(supplier), HistoryEntity::Evidence, &key, HistoryAction::Update);
        let versioned = self.read().item_version_key("evidence", id)?;
        self.record_changed_versions(Versioned::Audit, &versioned, &evidence_fields(&old), &evidence_fields(e))?;
        self.record_diff(&base, &evidence_fields(&old), &evidence_fields(e))
    }

    /// Corrects a finding of a draft audit (its closure, if any, stays).
    pub fn update_finding(&self, id: i64, f: &Finding) -> Result<usize> {
        let audit = self.item_audit("findings", id)?;
        let (supplier, reference) = self.draft_owner(audit)?;
        let old = self.read().findings(audit)?.into_iter().find(|(i, _)| *i == id).map(|(_, f)| f);
        let Some(old) = old else { return Err(Error::NotFound(format!("no finding with id {id}"))) };
        self.conn()
            .prepare_cached(
                "UPDATE findings SET severity = ?2, description = ?3, owner = ?4, due_on = ?5 WHERE id = ?1",
            )?
            .execute(params![id, f.severity, f.description, f.owner, f.due_on.to_string()])?;
        let key = format!("{reference} finding {id}");
        let base = Change::of(Some(supplier), HistoryEntity::Finding, &key, HistoryAction::Update);
        let versioned = self.read().item_version_key("findings", id)?;
        self.record_changed_versions(Versioned::Audit, &versioned, &finding_fields(&old), &finding_fields(f))?;
        self.record_diff(&base, &finding_fields(&old), &finding_fields(f))
    }

    /// Writes (or with `None`, removes) the note on a question of a draft
    /// that is not answered yet; an answered question's note is the answer's.
    pub fn set_question_note(&self, audit: i64, question: &str, note: Option<&str>) -> Result<()> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let old: Option<String> = self
            .conn()
            .prepare_cached("SELECT note FROM question_notes WHERE audit_id = ?1 AND question = ?2")?
            .query_row(params![audit, question], |r| r.get(0))
            .optional()?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        match note {
            Some(n) => self
                .conn()
                .prepare_cached(
                    "INSERT INTO question_notes (audit_id, question, note) VALUES (?1, ?2, ?3)
                     ON CONFLICT (audit_id, question) DO UPDATE SET note = excluded.note",
                )?
                .execute(params![audit, question, n])?,
            None => self
                .conn()
                .prepare_cached("DELETE FROM question_notes WHERE audit_id = ?1 AND question = ?2")?
                .execute(params![audit, question])?,
        };
        let key = format!("{reference} {question}");
        let base = Change::of(Some(supplier), HistoryEntity::Answer, &key, HistoryAction::Update);
        let versioned = format!("{} {question}", self.read().audit_gid(audit)?);
        let new = note.map(str::to_owned);
        self.record_changed_versions(
            Versioned::Answer,
            &versioned,
            &[(PENDING_NOTE, old.clone())],
            &[(PENDING_NOTE, new)],
        )?;
        self.record_diff(&base, &[("note", old)], &[("note", note.map(str::to_owned))])?;
        Ok(())
    }

    /// Takes the note written on a question before it was answered (the
    /// answer keeps it from now on).
    pub(super) fn take_question_note(&self, audit: i64, question: &str) -> Result<Option<String>> {
        let taken: Option<String> = self
            .conn()
            .prepare_cached("DELETE FROM question_notes WHERE audit_id = ?1 AND question = ?2 RETURNING note")?
            .query_row(params![audit, question], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            let versioned = format!("{} {question}", self.read().audit_gid(audit)?);
            self.record_version(Versioned::Answer, &versioned, PENDING_NOTE, None)?;
        }
        Ok(taken)
    }

    /// Copies the answers (and their notes) of a submitted audit into its
    /// draft amendment, as the starting point of the correction; one
    /// history row says so.
    pub fn copy_answers(&self, from: i64, to: i64) -> Result<usize> {
        let (supplier, reference) = self.draft_owner(to)?;
        let original = self.read().audit(from)?;
        let copied = self
            .conn()
            .prepare_cached(
                "INSERT INTO answers (audit_id, template, question, result, note)
                 SELECT ?2, a.template, a.question, a.result, a.note FROM answers a
                 JOIN audits t ON t.id = ?2 AND t.template = a.template
                 WHERE a.audit_id = ?1",
            )?
            .execute(params![from, to])?;
        let what = format!("{copied} answer(s) copied from {}", original.audit.id);
        self.record(&Change {
            field: Some("answers"),
            new: Some(&what),
            ..Change::of(Some(supplier), HistoryEntity::Audit, &reference, HistoryAction::Update)
        })?;
        Ok(copied)
    }
}

/// A draft audit, as the lists name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRef {
    pub audit: i64,
    pub reference: String,
    pub supplier: crate::store::SupplierId,
}

impl Reader<'_> {
    /// Every draft audit, oldest first: what may be reopened.
    pub fn drafts(&self) -> Result<Vec<DraftRef>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, ref, supplier_id FROM audits WHERE status = 'draft' ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(DraftRef { audit: r.get(0)?, reference: r.get(1)?, supplier: crate::store::SupplierId(r.get(2)?) })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Notes on the questions of a draft not answered yet: (question, note).
    pub fn question_notes(&self, audit: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT question, note FROM question_notes WHERE audit_id = ?1 ORDER BY question")?;
        let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn evidence_fields(e: &Evidence) -> [(&'static str, Option<String>); 6] {
    [
        ("pillar", Some(e.pillar.to_string())),
        ("kind", Some(e.kind.to_string())),
        ("strength", Some(e.strength.to_string())),
        ("collected_on", Some(e.collected_on.to_string())),
        ("description", Some(e.description.clone())),
        ("reference", e.reference.clone()),
    ]
}

fn finding_fields(f: &Finding) -> [(&'static str, Option<String>); 4] {
    [
        ("severity", Some(f.severity.to_string())),
        ("description", Some(f.description.clone())),
        ("owner", f.owner.clone()),
        ("due_on", Some(f.due_on.to_string())),
    ]
}

#[cfg(test)]
mod tests;
