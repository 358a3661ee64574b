//! Merging the edits of a draft audit made on two laptops, field by field.
//!
//! While an audit is a draft its header (auditor, day of the visit,
//! summary), its answers, the notes on questions not answered yet, and the
//! fields of its evidence items and findings can be edited; every edit is a
//! field version (`versions`) with its clock reading:
//!
//! | what | entity | key | fields |
//! |---|---|---|---|
//! | header | `audit` | `<audit gid>` | `auditor`, `visited_on`, `summary` |
//! | evidence item | `audit` | `<audit gid> evidence <item gid>` | its columns |
//! | finding | `audit` | `<audit gid> finding <item gid>` | its columns |
//! | answer | `answer` | `<audit gid> <question>` | `result` (none: cleared), `note` |
//! | note on an unanswered question | `answer` | `<audit gid> <question>` | `pending_note` |
//!
//! A merge takes the union of both sides' versions (each conflict reported)
//! and, when the audit is a draft on both sides, every field takes its
//! winning value (the later edit by the hybrid logical clock); a field no
//! one has edited since versions were kept keeps the value here, or takes
//! the source's when only the source has the record. A voided item never
//! changes again, and a void wins over an edit: an item voided in the
//! source takes the content it was voided with, and the void.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

use super::versions::{PENDING_NOTE, Version, Versioned};
use super::{Reader, Writer};
use crate::error::Result;
use crate::model::Gid;
use crate::model::merge::{Cause, Refused, SourceReport};

const HEADER_COLUMNS: [&str; 3] = ["auditor", "visited_on", "summary"];
const EVIDENCE_COLUMNS: [&str; 6] = ["pillar", "kind", "strength", "collected_on", "description", "reference"];
const FINDING_COLUMNS: [&str; 4] = ["severity", "description", "owner", "due_on"];

/// The void columns of an item: (when, by whom, why).
type Void = (Option<String>, Option<String>, Option<String>);

/// An item's row: id here, void, values of its columns in order.
struct Item {
    id: i64,
    void: Void,
    values: Vec<Option<String>>,
}

impl Reader<'_> {
    /// The global id of audit `audit` (row id).
    pub(crate) fn audit_gid(&self, audit: i64) -> Result<Gid> {
        Ok(self.conn.prepare_cached("SELECT gid FROM audits WHERE id = ?1")?.query_row([audit], |r| r.get(0))?)
    }

    /// The key of an evidence item's (`table` evidence) or finding's
    /// (findings) field versions: `<audit gid> evidence <item gid>`.
    pub(crate) fn item_version_key(&self, table: &str, id: i64) -> Result<String> {
        let (noun, sql) = match table {
            "evidence" => {
                ("evidence", "SELECT a.gid, t.gid FROM evidence t JOIN audits a ON a.id = t.audit_id WHERE t.id = ?1")
            }
            _ => ("finding", "SELECT a.gid, t.gid FROM findings t JOIN audits a ON a.id = t.audit_id WHERE t.id = ?1"),
        };
        let (audit, item): (Gid, Gid) =
            self.conn.prepare_cached(sql)?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(format!("{audit} {noun} {item}"))
    }

    /// Every field version about audit `gid` and its parts.
    fn audit_versions(&self, gid: Gid) -> Result<Vec<(String, String, Version)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT entity, key, field, clock, actor, value FROM field_versions WHERE entity = 'audit' AND key = ?1
             UNION ALL SELECT entity, key, field, clock, actor, value FROM field_versions
                 WHERE entity = 'audit' AND key > ?2 AND key < ?3
             UNION ALL SELECT entity, key, field, clock, actor, value FROM field_versions
                 WHERE entity = 'answer' AND key > ?2 AND key < ?3",
        )?;
        let gid = gid.to_string();
        let rows = stmt.query_map(params![gid, format!("{gid} "), format!("{gid}!")], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Version { field: r.get(2)?, clock: r.get(3)?, actor: r.get(4)?, value: r.get(5)? },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every (entity, key) with field versions about audit `gid`'s parts.
    fn draft_version_keys(&self, gid: Gid) -> Result<Vec<(String, String)>> {
        // Key ranges, so the primary key's index is used: `<gid> …` sorts
        // after `<gid> ` and before `<gid>!`.
        let mut stmt = self.conn.prepare_cached(
            "SELECT entity, key FROM field_versions WHERE entity = 'audit' AND key = ?1
             UNION SELECT entity, key FROM field_versions WHERE entity = 'audit' AND key > ?2 AND key < ?3
             UNION SELECT entity, key FROM field_versions WHERE entity = 'answer' AND key > ?2 AND key < ?3
             ORDER BY 1, 2",
        )?;
        let gid = gid.to_string();
        let rows =
            stmt.query_map(params![gid, format!("{gid} "), format!("{gid}!")], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The field's winning value, or `fallback` when it has no version.
    fn winning_or(
        &self,
        entity: Versioned,
        key: &str,
        field: &str,
        fallback: Option<String>,
    ) -> Result<Option<String>> {
        Ok(self.latest_version(entity, key, field)?.map_or(fallback, |v| v.value))
    }

    fn answer_rows(&self, audit: i64) -> Result<BTreeMap<String, (String, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached("SELECT question, result, note FROM answers WHERE audit_id = ?1")?;
        let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn pending_notes(&self, audit: i64) -> Result<BTreeMap<String, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT question, note FROM question_notes WHERE audit_id = ?1")?;
        let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn items(&self, table: &str, columns: &[&str], audit: i64) -> Result<BTreeMap<Gid, Item>> {
        let sql = format!(
            "SELECT id, gid, voided_at, voided_by, void_reason, {} FROM {table} WHERE audit_id = ?1",
            columns.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([audit], |r| {
            let values = (0..columns.len()).map(|i| r.get(5 + i)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get(1)?, Item { id: r.get(0)?, void: (r.get(2)?, r.get(3)?, r.get(4)?), values }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn header_values(&self, audit: i64) -> Result<Vec<Option<String>>> {
        let sql = format!("SELECT {} FROM audits WHERE id = ?1", HEADER_COLUMNS.join(", "));
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([audit], |r| (0..HEADER_COLUMNS.len()).map(|i| r.get(i)).collect())?)
    }
}

impl Writer<'_> {
    /// The source's field versions of an audit new here, all taken in (none
    /// can be here already, nor conflict).
    pub(super) fn copy_audit_versions(&self, src: Reader<'_>, gid: Gid, r: &mut SourceReport) -> Result<()> {
        for (entity, key, v) in src.audit_versions(gid)? {
            let entity = if entity == "audit" { Versioned::Audit } else { Versioned::Answer };
            if self.insert_version(entity, &key, &v)? {
                r.added.add("field_versions", 1);
            }
        }
        Ok(())
    }

    /// Takes in the source's field versions of audit `gid`'s draft parts
    /// (conflicts reported by `reference`); with `apply` (a draft on both
    /// sides) every field here then takes its winning value. Returns whether
    /// anything here changed.
    pub(super) fn merge_draft_edits(
        &self,
        src: Reader<'_>,
        (theirs, here): (i64, i64),
        (gid, reference): (Gid, &str),
        apply: bool,
        r: &mut SourceReport,
    ) -> Result<bool> {
        for (entity, key) in src.draft_version_keys(gid)? {
            let entity = if entity == "audit" { Versioned::Audit } else { Versioned::Answer };
            let before = r.conflicts.len();
            self.merge_versions(src, entity, &key, r)?;
            for c in &mut r.conflicts[before..] {
                c.key = c.key.replace(&gid.to_string(), reference);
            }
        }
        if !apply {
            return Ok(false);
        }
        let mut changed = self.apply_header(gid, here, r)?;
        changed |= self.apply_answers(src, (theirs, here), gid, r)?;
        for (table, noun, columns) in
            [("evidence", "evidence", &EVIDENCE_COLUMNS[..]), ("findings", "finding", &FINDING_COLUMNS[..])]
        {
            changed |= self.apply_items(src, (theirs, here), (table, noun, columns), gid, r)?;
        }
        Ok(changed)
    }

    /// The other direction of [`Self::take_sealed_parts`]: an audit sealed
    /// here arrives as a draft that went on being edited elsewhere after the
    /// hand-over. What that draft added (evidence, findings) is not part of
    /// the sealed audit and cannot join it: it is listed, never dropped in
    /// silence.
    pub(super) fn list_after_submission(
        &self,
        src: Reader<'_>,
        (theirs, here): (i64, i64),
        reference: &str,
        r: &mut SourceReport,
    ) -> Result<()> {
        for (table, noun, columns) in
            [("evidence", "evidence", &EVIDENCE_COLUMNS[..]), ("findings", "finding", &FINDING_COLUMNS[..])]
        {
            let sealed = self.read().items(table, columns, here)?;
            for (item_gid, item) in src.items(table, columns, theirs)? {
                if sealed.contains_key(&item_gid) {
                    continue;
                }
                r.refused.push(after_submission(table, noun, reference, item_gid, &item));
            }
        }
        Ok(())
    }

    /// A draft here submitted in the source: its header and items take the
    /// sealed content (and voids), so what is stored hashes to the seal;
    /// items added here that the sealed content does not have are taken out
    /// (and listed in the report), and so are notes on unanswered questions.
    pub(super) fn take_sealed_parts(
        &self,
        src: Reader<'_>,
        (theirs, here): (i64, i64),
        reference: &str,
        r: &mut SourceReport,
    ) -> Result<()> {
        self.conn().prepare_cached("DELETE FROM question_notes WHERE audit_id = ?1")?.execute([here])?;
        for (table, noun, columns) in
            [("evidence", "evidence", &EVIDENCE_COLUMNS[..]), ("findings", "finding", &FINDING_COLUMNS[..])]
        {
            let sealed = src.items(table, columns, theirs)?;
            for (item_gid, mine) in self.read().items(table, columns, here)? {
                if sealed.contains_key(&item_gid) || mine.void.0.is_some() {
                    continue; // a voided item cannot go: the seal check then refuses the merge
                }
                let sql = format!("DELETE FROM {table} WHERE id = ?1");
                self.conn().prepare_cached(&sql)?.execute([mine.id])?;
                r.refused.push(after_submission(table, noun, reference, item_gid, &mine));
            }
        }
        let sealed = src.header_values(theirs)?;
        for ((column, ours), value) in HEADER_COLUMNS.iter().zip(self.read().header_values(here)?).zip(sealed) {
            if ours != value {
                self.set_column("audits", here, column, value.as_deref())?;
            }
        }
        for (table, columns) in [("evidence", &EVIDENCE_COLUMNS[..]), ("findings", &FINDING_COLUMNS[..])] {
            let ours = self.read().items(table, columns, here)?;
            for (item_gid, item) in src.items(table, columns, theirs)? {
                let Some(mine) = ours.get(&item_gid) else { continue };
                if mine.void.0.is_some() {
                    continue; // voided here: it cannot change (the seal check says so)
                }
                self.take_item(table, columns, mine, &item)?;
            }
        }
        Ok(())
    }

    fn set_column(&self, table: &str, id: i64, column: &str, value: Option<&str>) -> Result<()> {
        let sql = format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1");
        self.conn().prepare_cached(&sql)?.execute(params![id, value])?;
        Ok(())
    }

    /// Our item takes the source's content and its void.
    fn take_item(&self, table: &str, columns: &[&str], mine: &Item, theirs: &Item) -> Result<bool> {
        let mut changed = false;
        for ((column, ours), value) in columns.iter().zip(&mine.values).zip(&theirs.values) {
            if ours != value {
                self.set_column(table, mine.id, column, value.as_deref())?;
                changed = true;
            }
        }
        if let (Some(at), Some(by), Some(reason)) = &theirs.void {
            let sql = format!("UPDATE {table} SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1");
            self.conn().prepare_cached(&sql)?.execute(params![mine.id, at, by, reason])?;
            changed = true;
        }
        Ok(changed)
    }

    fn apply_header(&self, gid: Gid, here: i64, r: &mut SourceReport) -> Result<bool> {
        let key = gid.to_string();
        let mut changed = false;
        for (column, ours) in HEADER_COLUMNS.iter().zip(self.read().header_values(here)?) {
            let value = self.read().winning_or(Versioned::Audit, &key, column, ours.clone())?;
            if value != ours {
                self.set_column("audits", here, column, value.as_deref())?;
                r.updated.add("audits", 1);
                changed = true;
            }
        }
        Ok(changed)
    }

    fn apply_answers(
        &self,
        src: Reader<'_>,
        (theirs, here): (i64, i64),
        gid: Gid,
        r: &mut SourceReport,
    ) -> Result<bool> {
        let (our_answers, their_answers) = (self.read().answer_rows(here)?, src.answer_rows(theirs)?);
        let (our_notes, their_notes) = (self.read().pending_notes(here)?, src.pending_notes(theirs)?);
        let prefix = format!("{gid} ");
        let mut questions: BTreeSet<String> = our_answers.keys().chain(their_answers.keys()).cloned().collect();
        questions.extend(our_notes.keys().chain(their_notes.keys()).cloned());
        for (_, key) in self.read().draft_version_keys(gid)? {
            if let Some(q) = key.strip_prefix(&prefix).filter(|q| !q.contains(' ')) {
                questions.insert(q.to_owned());
            }
        }
        let mut changed = false;
        for q in questions {
            let key = format!("{prefix}{q}");
            let (ours, theirs) = (our_answers.get(&q), their_answers.get(&q));
            let fallback = ours.or(theirs);
            let result = self.read().winning_or(Versioned::Answer, &key, "result", fallback.map(|a| a.0.clone()))?;
            let note = self.read().winning_or(Versioned::Answer, &key, "note", fallback.and_then(|a| a.1.clone()))?;
            changed |= self.put_answer(here, &q, ours, result.as_deref().map(|res| (res, note)), r)?;
            let pending = if result.is_some() {
                None
            } else {
                let fallback = our_notes.get(&q).or(their_notes.get(&q)).cloned();
                self.read().winning_or(Versioned::Answer, &key, PENDING_NOTE, fallback)?
            };
            changed |= self.put_pending_note(here, &q, our_notes.get(&q), pending.as_deref(), r)?;
        }
        Ok(changed)
    }

    fn put_answer(
        &self,
        audit: i64,
        question: &str,
        ours: Option<&(String, Option<String>)>,
        target: Option<(&str, Option<String>)>,
        r: &mut SourceReport,
    ) -> Result<bool> {
        match (ours, target) {
            (None, None) => Ok(false),
            (Some(_), None) => {
                self.conn()
                    .prepare_cached("DELETE FROM answers WHERE audit_id = ?1 AND question = ?2")?
                    .execute(params![audit, question])?;
                r.updated.add("answers", 1);
                Ok(true)
            }
            (Some(o), Some((result, note))) if o.0 == result && o.1 == note => Ok(false),
            (Some(_), Some((result, note))) => {
                self.conn()
                    .prepare_cached("UPDATE answers SET result = ?3, note = ?4 WHERE audit_id = ?1 AND question = ?2")?
                    .execute(params![audit, question, result, note])?;
                r.updated.add("answers", 1);
                Ok(true)
            }
            (None, Some((result, note))) => {
                self.conn()
                    .prepare_cached(
                        "INSERT INTO answers (audit_id, template, question, result, note)
                         SELECT id, template, ?2, ?3, ?4 FROM audits WHERE id = ?1",
                    )?
                    .execute(params![audit, question, result, note])?;
                r.added.add("answers", 1);
                Ok(true)
            }
        }
    }

    fn put_pending_note(
        &self,
        audit: i64,
        question: &str,
        ours: Option<&String>,
        target: Option<&str>,
        r: &mut SourceReport,
    ) -> Result<bool> {
        if ours.map(String::as_str) == target {
            return Ok(false);
        }
        match target {
            Some(note) => {
                self.conn()
                    .prepare_cached(
                        "INSERT INTO question_notes (audit_id, question, note) VALUES (?1, ?2, ?3)
                         ON CONFLICT (audit_id, question) DO UPDATE SET note = excluded.note",
                    )?
                    .execute(params![audit, question, note])?;
            }
            None => {
                self.conn()
                    .prepare_cached("DELETE FROM question_notes WHERE audit_id = ?1 AND question = ?2")?
                    .execute(params![audit, question])?;
            }
        }
        let kind = if ours.is_none() { &mut r.added } else { &mut r.updated };
        kind.add("question_notes", 1);
        Ok(true)
    }

    fn apply_items(
        &self,
        src: Reader<'_>,
        (theirs, here): (i64, i64),
        (table, noun, columns): (&str, &str, &[&str]),
        gid: Gid,
        r: &mut SourceReport,
    ) -> Result<bool> {
        let their_items = src.items(table, columns, theirs)?;
        let counted: &'static str = if table == "evidence" { "evidence" } else { "findings" };
        let mut changed = false;
        for (item_gid, mine) in self.read().items(table, columns, here)? {
            if mine.void.0.is_some() {
                continue; // voided here: never changes again
            }
            if let Some(other) = their_items.get(&item_gid).filter(|t| t.void.0.is_some()) {
                self.take_item(table, columns, &mine, other)?;
                r.updated.add(counted, 1);
                changed = true;
                continue;
            }
            let key = format!("{gid} {noun} {item_gid}");
            let mut edited = false;
            for (column, ours) in columns.iter().zip(&mine.values) {
                let value = self.read().winning_or(Versioned::Audit, &key, column, ours.clone())?;
                if &value != ours {
                    self.set_column(table, mine.id, column, value.as_deref())?;
                    edited = true;
                }
            }
            if edited {
                r.updated.add(counted, 1);
                changed = true;
            }
        }
        Ok(changed)
    }
}

/// An evidence item or finding added to a draft after it was handed over
/// and submitted elsewhere: listed in the report, with its description.
fn after_submission(table: &str, noun: &str, reference: &str, gid: Gid, item: &Item) -> Refused {
    let described = item.values.get(if table == "evidence" { 4 } else { 1 }).cloned().flatten();
    Refused {
        entity: if table == "evidence" { "evidence" } else { "finding" },
        id: gid.to_string(),
        key: format!("{reference} {noun} {gid}"),
        cause: Cause::AfterSubmission,
        differs: vec![("description".into(), described, None)],
    }
}
