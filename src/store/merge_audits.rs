//! Merging audits (with their answers, evidence, findings and closures),
//! claims and history entries from another database, by global id.
//!
//! A submitted audit arrives with its seal: the content hash is recomputed
//! from the content that arrived, in the audit's own seal format, and must
//! match before anything of it is written; it is then taken in as a draft
//! with its parts and sealed with the seal it came with, linked into this
//! database's chain in the order received. A draft arrives as a draft; a
//! draft here that was submitted there takes the submitted content. The
//! same id with other sealed content is a conflict of facts: refused and
//! reported. History entries come with their records; one that records a
//! fact this database did not take is left out with it.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::SyncSender;

use rusqlite::{OptionalExtension, params};

use super::audits::{chain_hash_v1, chain_hash_v2};
use super::{Reader, SupplierId, Writer};
use crate::error::{Error, Result};
use crate::model::merge::{Cause, Refused, SourceReport};
use crate::model::{Evidence, Finding, Gid};
use crate::store::versions::Versioned;

/// An audit's header and seal as stored in the source.
struct Header {
    id: i64,
    gid: Gid,
    reference: String,
    supplier: String,
    auditor: String,
    visited_on: String,
    kind: String,
    status: String,
    summary: Option<String>,
    template: String,
    amends: Option<Gid>,
    submitted_at: Option<String>,
    score_pct: Option<f64>,
    grade: Option<String>,
    critical_no: Option<String>,
    content_hash: Option<String>,
    seal_format: Option<i64>,
}

const HEADER: &str =
    "SELECT a.id, a.gid, a.ref, s.code, a.auditor, a.visited_on, a.kind, a.status, a.summary, a.template,
        o.gid, a.submitted_at, a.score_pct, a.grade, a.critical_no, a.content_hash, a.seal_format
     FROM audits a JOIN suppliers s ON s.id = a.supplier_id LEFT JOIN audits o ON o.id = a.amends";

fn header(r: &rusqlite::Row<'_>) -> rusqlite::Result<Header> {
    Ok(Header {
        id: r.get(0)?,
        gid: r.get(1)?,
        reference: r.get(2)?,
        supplier: r.get(3)?,
        auditor: r.get(4)?,
        visited_on: r.get(5)?,
        kind: r.get(6)?,
        status: r.get(7)?,
        summary: r.get(8)?,
        template: r.get(9)?,
        amends: r.get(10)?,
        submitted_at: r.get(11)?,
        score_pct: r.get(12)?,
        grade: r.get(13)?,
        critical_no: r.get(14)?,
        content_hash: r.get(15)?,
        seal_format: r.get(16)?,
    })
}

/// The source's audits, originals before the amendments that name them.
fn source_headers(src: Reader<'_>) -> Result<Vec<Header>> {
    let sql = format!("{HEADER} ORDER BY a.amends IS NOT NULL, a.chain_seq IS NULL, a.chain_seq, a.id");
    let mut stmt = src.conn.prepare(&sql)?;
    let rows = stmt.query_map([], header)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Writer<'_> {
    /// Claims by gid: facts but for their retirement, which is merged by its
    /// versions (the later retirement wins).
    pub fn merge_claims(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        let mut stmt = src.conn.prepare(
            "SELECT c.gid, s.code, c.capability, c.source, c.stated_on, c.statement, c.retired_on,
                    c.voided_at, c.voided_by, c.void_reason
             FROM claims c JOIN suppliers s ON s.id = c.supplier_id ORDER BY c.id",
        )?;
        let claims = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, Gid>(0)?,
                    row.get::<_, String>(1)?,
                    [row.get::<_, String>(2)?, row.get(3)?, row.get(4)?, row.get(5)?],
                    row.get::<_, Option<String>>(6)?,
                    (row.get(7)?, row.get(8)?, row.get(9)?),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (gid, code, [capability, source, stated_on, statement], retired_on, void) in claims {
            let here: Option<ClaimHere> = self
                .conn()
                .prepare_cached(
                    "SELECT s.code, c.capability, c.source, c.stated_on, c.statement, c.retired_on, c.voided_at
                     FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE c.gid = ?1",
                )?
                .query_row([gid], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
                })
                .optional()?;
            match here {
                None => {
                    let supplier = self.read().require_supplier(&code)?;
                    self.conn()
                        .prepare_cached(
                            "INSERT INTO claims (supplier_id, capability, source, stated_on, statement, retired_on, gid)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        )?
                        .execute(params![supplier.0, capability, source, stated_on, statement, retired_on, gid])?;
                    let row = self.conn().last_insert_rowid();
                    // Its retirement's versions travel with it.
                    self.merge_versions(src, Versioned::Claim, &gid.to_string(), r)?;
                    self.copy_void("claims", row, &void)?;
                    r.added.add("claims", 1);
                }
                Some(h)
                    if (h.0.as_str(), h.1.as_str(), h.2.as_str(), h.3.as_str(), h.4.as_str())
                        == (
                            code.as_str(),
                            capability.as_str(),
                            source.as_str(),
                            stated_on.as_str(),
                            statement.as_str(),
                        ) =>
                {
                    let voided_here = h.6.is_some();
                    let label = format!("{code} {capability} ({source}, {stated_on})");
                    let voided = (voided_here, void.0.is_some());
                    let mut updated = self.merge_retirement(src, gid, &label, (h.5, retired_on), voided, r)?;
                    if !voided_here && void.0.is_some() {
                        let row = self.read().row_of("claims", gid)?.unwrap_or_default();
                        self.copy_void("claims", row, &void)?;
                        updated = true;
                    }
                    if updated {
                        r.updated.add("claims", 1);
                    } else {
                        r.already.add("claims", 1);
                    }
                }
                Some(h) => r.refused.push(Refused {
                    entity: "claim",
                    id: gid.to_string(),
                    key: format!("{code} claim {capability} ({source}, {stated_on})"),
                    cause: Cause::DifferentContent,
                    differs: vec![("statement".into(), Some(h.4), Some(statement))],
                }),
            }
        }
        Ok(())
    }

    /// A claim's retirement, by its versions (which travel in every case,
    /// so both merge orders keep the same field history): the later
    /// retirement wins. No command un-retires a claim, so neither does this
    /// — but for a void: a claim voided there and not here takes the
    /// retirement it was voided with (a void wins over an edit), and a claim
    /// voided here never changes. A retirement recorded before versions were
    /// kept counts as the oldest; where neither side has a version, one there
    /// is taken only when the claim is not retired here. Each retirement both
    /// sides changed apart is a conflict in the report, under `label`.
    /// `frozen`: the claim is voided here; `void_arrives`: voided there only.
    /// Returns whether the claim here changed.
    fn merge_retirement(
        &self,
        src: Reader<'_>,
        gid: Gid,
        label: &str,
        (ours, theirs): (Option<String>, Option<String>),
        (frozen, void_arrives): (bool, bool),
        r: &mut SourceReport,
    ) -> Result<bool> {
        let key = gid.to_string();
        let before = r.conflicts.len();
        self.merge_versions(src, Versioned::Claim, &key, r)?;
        for conflict in &mut r.conflicts[before..] {
            label.clone_into(&mut conflict.key);
        }
        if frozen {
            return Ok(false);
        }
        let day = if void_arrives {
            theirs
        } else {
            match self.read().latest_version(Versioned::Claim, &key, "retired_on")? {
                Some(version) => version.value.or_else(|| ours.clone()),
                None if ours.is_none() => theirs,
                None => ours.clone(),
            }
        };
        if day == ours {
            return Ok(false);
        }
        self.conn().prepare_cached("UPDATE claims SET retired_on = ?2 WHERE gid = ?1")?.execute(params![gid, day])?;
        Ok(true)
    }

    /// Audits and what is filed under them, by gid; returns the gids of the
    /// audits refused, whose history entries stay behind too.
    ///
    /// `private`: the source's file when nothing else reads or writes it (a
    /// pull's inbox); the seals of its submitted audits are then recomputed
    /// on a second thread, over a connection of its own, while this one
    /// writes.
    pub fn merge_audits(
        &self,
        src: Reader<'_>,
        private: Option<&std::path::Path>,
        r: &mut SourceReport,
    ) -> Result<HashSet<Gid>> {
        let headers = source_headers(src)?;
        let Some(path) = private else {
            return self.merge_audit_list(src, headers, &mut || None, r);
        };
        let sealed: Vec<(i64, Option<i64>)> =
            headers.iter().filter(|h| h.status == "submitted").map(|h| (h.id, h.seal_format)).collect();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Option<String>>>(1024);
            let worker = std::thread::Builder::new()
                .name("seals".into())
                .spawn_scoped(scope, move || recompute_seals(path, sealed, &tx));
            worker.map_err(|e| Error::Invalid(format!("cannot start checking seals: {e}")))?;
            let mut next =
                || Some(rx.recv().unwrap_or_else(|_| Err(Error::Invalid("seals: the check stopped".into()))));
            self.merge_audit_list(src, headers, &mut next, r)
        })
    }

    /// The audits of `headers`, in order; `precomputed` gives, when it
    /// can, each submitted audit's seal recomputed from the source.
    fn merge_audit_list(
        &self,
        src: Reader<'_>,
        headers: Vec<Header>,
        precomputed: &mut dyn FnMut() -> Option<Result<Option<String>>>,
        r: &mut SourceReport,
    ) -> Result<HashSet<Gid>> {
        let mut refused = HashSet::new();
        let mut templates = Templates::default();
        for h in headers {
            // One precomputed seal per submitted audit, in order.
            let ready = if h.status == "submitted" { precomputed() } else { None };
            let seal = match ready {
                Some(seal) => SourceSeal::Ready(seal?),
                None => SourceSeal::Compute,
            };
            if let Some(cause) = self.merge_audit(src, &h, seal, r, &mut templates)? {
                refused.insert(h.gid);
                r.refused.push(Refused {
                    entity: "audit",
                    id: h.gid.to_string(),
                    key: format!("{} ({})", h.reference, h.supplier),
                    cause,
                    differs: Vec::new(),
                });
            }
        }
        Ok(refused)
    }

    /// One audit; `Some(cause)` when it is refused.
    fn merge_audit(
        &self,
        src: Reader<'_>,
        h: &Header,
        seal: SourceSeal,
        r: &mut SourceReport,
        templates: &mut Templates,
    ) -> Result<Option<Cause>> {
        let submitted = h.status == "submitted";
        if submitted {
            let recomputed = match seal {
                SourceSeal::Ready(seal) => seal,
                SourceSeal::Compute => src.recompute_seal(h.id, h.seal_format, &mut templates.theirs)?,
            };
            if recomputed.as_deref() != h.content_hash.as_deref() {
                return Ok(Some(Cause::BrokenSeal));
            }
        }
        let here = self.read().audit_by_gid(h.gid)?;
        match here {
            Some((here_id, status, hash)) if status == "submitted" => {
                if submitted && hash != h.content_hash {
                    // Sealed in both databases: the same audit imported into
                    // each from one dossier is sealed twice, at two times.
                    if audit_body(src, h.id)? != audit_body(self.read(), here_id)? {
                        return Ok(Some(Cause::DifferentContent));
                    }
                    r.notices.push(format!(
                        "audit {} ({}) is sealed in both databases with the same content (imported into each?): \
                         this database's seal is kept",
                        h.reference, h.supplier
                    ));
                }
                r.already.add("audits", 1);
                if !submitted {
                    self.list_after_submission(src, (h.id, here_id), &h.reference, r)?;
                }
                self.merge_draft_edits(src, (h.id, here_id), (h.gid, &h.reference), false, r)?;
                self.merge_closures(src, h, r)?;
                Ok(None)
            }
            Some((id, _, _)) => {
                let changed = self.merge_draft_parts(src, h, id, r)?;
                if submitted {
                    self.take_sealed_parts(src, (h.id, id), &h.reference, r)?;
                    self.merge_draft_edits(src, (h.id, id), (h.gid, &h.reference), false, r)?;
                    self.seal_as_received(id, h, &mut templates.ours)?;
                    r.updated.add("audits", 1);
                } else if self.merge_draft_edits(src, (h.id, id), (h.gid, &h.reference), true, r)? || changed {
                    r.updated.add("audits", 1);
                } else {
                    r.already.add("audits", 1);
                }
                self.merge_closures(src, h, r)?;
                Ok(None)
            }
            None => self.add_audit(src, h, r, &mut templates.ours),
        }
    }

    fn add_audit(
        &self,
        src: Reader<'_>,
        h: &Header,
        r: &mut SourceReport,
        templates: &mut HashMap<String, String>,
    ) -> Result<Option<Cause>> {
        let supplier = self.read().require_supplier(&h.supplier)?;
        let amends = match h.amends {
            Some(original) => match self.read().audit_by_gid(original)? {
                Some((id, status, _)) if status == "submitted" => Some(id),
                _ => return Ok(Some(Cause::ParentRefused)),
            },
            None => None,
        };
        // A reference is a label (the gid is the identity): an audit whose
        // reference one here holds too — minted before installation tags, or
        // typed by hand — is taken in beside it, and the report says so.
        let sharing = self.read().others_with_reference(&h.reference, &h.gid.to_string())?;
        let id = self.insert_audit_row(supplier, h, amends)?;
        r.added.add("audits", 1);
        if !sharing.is_empty() {
            r.notices.push(format!(
                "audit {} ({}, gid {}) is taken in beside {} audit(s) here with the same reference (gid {}): \
                 the reference is now shared, and commands that take it ask for the gid",
                h.reference,
                h.supplier,
                h.gid,
                sharing.len(),
                sharing.join(", gid ")
            ));
        }
        if h.status == "submitted" {
            // New here: its answers and its versions are all new too.
            self.add_sealed_answers(src, h, id, r)?;
            self.merge_items(src, h, id, r)?;
            self.copy_audit_versions(src, h.gid, r)?;
            self.seal_as_received(id, h, templates)?;
        } else {
            self.merge_draft_parts(src, h, id, r)?;
            self.merge_draft_edits(src, (h.id, id), (h.gid, &h.reference), true, r)?;
        }
        self.merge_closures(src, h, r)?;
        Ok(None)
    }

    fn insert_audit_row(&self, supplier: SupplierId, h: &Header, amends: Option<i64>) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO audits (ref, supplier_id, auditor, visited_on, kind, status, summary, template, amends, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                h.reference,
                supplier.0,
                h.auditor,
                h.visited_on,
                h.kind,
                h.summary,
                h.template,
                amends,
                h.gid
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Answers, evidence and findings of a draft (here) from the source's
    /// audit: evidence and findings are unioned by gid; an answer is taken
    /// when the source's is newer by its version. Returns whether anything
    /// changed.
    fn merge_draft_parts(&self, src: Reader<'_>, h: &Header, id: i64, r: &mut SourceReport) -> Result<bool> {
        let mut changed = false;
        // A draft's answers are merged by their field versions (merge_drafts).
        let sealed = if h.status == "submitted" { source_answers(src, h.id)? } else { Vec::new() };
        for (question, result, note) in sealed {
            let here: Option<(String, Option<String>)> = self
                .conn()
                .prepare_cached("SELECT result, note FROM answers WHERE audit_id = ?1 AND question = ?2")?
                .query_row(params![id, question], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            match here {
                Some(ours) if ours == (result.clone(), note.clone()) => r.already.add("answers", 1),
                Some(_) if h.status != "submitted" => r.already.add("answers", 1),
                Some(_) => {
                    self.conn()
                        .prepare_cached(
                            "UPDATE answers SET result = ?3, note = ?4 WHERE audit_id = ?1 AND question = ?2",
                        )?
                        .execute(params![id, question, result, note])?;
                    r.updated.add("answers", 1);
                    changed = true;
                }
                None => {
                    self.conn()
                        .prepare_cached(
                            "INSERT INTO answers (audit_id, template, question, result, note)
                             SELECT id, template, ?2, ?3, ?4 FROM audits WHERE id = ?1",
                        )?
                        .execute(params![id, question, result, note])?;
                    r.added.add("answers", 1);
                    changed = true;
                }
            }
        }
        if h.status == "submitted" {
            changed |= self.drop_answers_not_in(src, h, id, r)?;
        }
        changed |= self.merge_items(src, h, id, r)?;
        Ok(changed)
    }

    /// The sealed answers of an audit new here, as they are.
    fn add_sealed_answers(&self, src: Reader<'_>, h: &Header, id: i64, r: &mut SourceReport) -> Result<()> {
        // The audit was inserted as a draft in this transaction and its
        // answers are new (the primary key still refuses a repeat): the
        // triggers that guard against a submitted audit's answers being
        // added or replaced are suspended until commit (as an import does
        // for lots; other connections never see them missing).
        self.suspend_trigger("answers_key_taken")?;
        self.suspend_trigger("answers_frozen_insert")?;
        let mut insert = self.conn().prepare_cached(
            "INSERT INTO answers (audit_id, template, question, result, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (question, result, note) in source_answers(src, h.id)? {
            insert.execute(params![id, h.template, question, result, note])?;
            r.added.add("answers", 1);
        }
        Ok(())
    }

    /// A draft here submitted there: answers given here after the copy was
    /// made are not part of what was sealed; they are taken out and listed.
    fn drop_answers_not_in(&self, src: Reader<'_>, h: &Header, id: i64, r: &mut SourceReport) -> Result<bool> {
        let theirs: HashSet<String> = source_answers(src, h.id)?.into_iter().map(|(q, _, _)| q).collect();
        let mut stmt = self.conn().prepare_cached("SELECT question, result FROM answers WHERE audit_id = ?1")?;
        let ours: Vec<(String, String)> =
            stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut changed = false;
        for (question, result) in ours.into_iter().filter(|(q, _)| !theirs.contains(q)) {
            self.conn()
                .prepare_cached("DELETE FROM answers WHERE audit_id = ?1 AND question = ?2")?
                .execute(params![id, question])?;
            r.refused.push(Refused {
                entity: "answer",
                id: format!("{} {question}", h.gid),
                key: format!("{} {question}", h.reference),
                cause: Cause::AfterSubmission,
                differs: vec![("result".into(), Some(result), None)],
            });
            changed = true;
        }
        Ok(changed)
    }

    /// Evidence items and findings by gid, with their void marks.
    fn merge_items(&self, src: Reader<'_>, h: &Header, id: i64, r: &mut SourceReport) -> Result<bool> {
        let mut changed = false;
        for (gid, e, void) in source_evidence(src, h.id)? {
            if self.read().gid_exists("evidence", gid)? {
                r.already.add("evidence", 1);
                continue;
            }
            let row = self.insert_evidence(id, &e, gid)?;
            self.copy_void("evidence", row, &void)?;
            r.added.add("evidence", 1);
            changed = true;
        }
        for (gid, f, void) in source_findings(src, h.id)? {
            if self.read().gid_exists("findings", gid)? {
                r.already.add("findings", 1);
                continue;
            }
            let row = self.insert_finding(id, &f, gid)?;
            self.copy_void("findings", row, &void)?;
            r.added.add("findings", 1);
            changed = true;
        }
        Ok(changed)
    }

    fn copy_void(&self, table: &str, row: i64, void: &Void) -> Result<()> {
        if let (Some(at), Some(by), Some(reason)) = void {
            let sql = format!("UPDATE {table} SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1");
            self.conn().prepare_cached(&sql)?.execute(params![row, at, by, reason])?;
        }
        Ok(())
    }

    /// Seals audit `id` (here a draft holding the arriving content) with the
    /// seal it arrived with, linked next in this database's chain, and
    /// checks that what is stored now hashes to it.
    fn seal_as_received(&self, id: i64, h: &Header, templates: &mut HashMap<String, String>) -> Result<()> {
        let (seq, previous) = self.read().chain_head()?;
        let content = h.content_hash.clone().unwrap_or_default();
        let submitted_at = h.submitted_at.clone().unwrap_or_default();
        let link = if h.seal_format == Some(1) {
            chain_hash_v1(seq + 1, &previous, &content)
        } else {
            chain_hash_v2(seq + 1, &previous, &content, &submitted_at)
        };
        self.conn()
            .prepare_cached(
                "UPDATE audits SET status = 'submitted', submitted_at = ?2, score_pct = ?3, grade = ?4, critical_no = ?5,
                    content_hash = ?6, seal_format = ?7, chain_seq = ?8, chain_hash = ?9
                 WHERE id = ?1 AND status = 'draft'",
            )?
            .execute(params![
                id,
                submitted_at,
                h.score_pct,
                h.grade,
                h.critical_no,
                content,
                h.seal_format,
                seq + 1,
                link
            ])?;
        if self.read().recompute_seal(id, h.seal_format, templates)?.as_deref() != Some(content.as_str()) {
            return Err(Error::Invalid(format!(
                "audit {} ({}): its content as taken in here does not match its seal; nothing was merged",
                h.reference, h.supplier
            )));
        }
        Ok(())
    }

    /// Closures of the audit's findings, by finding gid (closed once).
    fn merge_closures(&self, src: Reader<'_>, h: &Header, r: &mut SourceReport) -> Result<()> {
        let mut stmt = src.conn.prepare_cached(
            "SELECT f.gid, c.closed_on, c.evidence, c.closed_by, c.recorded_at, c.fact_hash
             FROM finding_closures c JOIN findings f ON f.id = c.finding_id WHERE f.audit_id = ?1 ORDER BY f.id",
        )?;
        let closures = stmt
            .query_map([h.id], |row| {
                Ok((
                    row.get::<_, Gid>(0)?,
                    [row.get::<_, String>(1)?, row.get(2)?, row.get(3)?, row.get(4)?],
                    row.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (finding, [closed_on, evidence, closed_by, recorded_at], fact) in closures {
            let Some(id) = self.read().row_of("findings", finding)? else { continue };
            let here: Option<(String, String, String)> = self
                .conn()
                .prepare_cached("SELECT closed_on, evidence, closed_by FROM finding_closures WHERE finding_id = ?1")?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .optional()?;
            match here {
                // The same closure, recorded at two times (imported into each database).
                Some(ours) if ours == (closed_on.clone(), evidence.clone(), closed_by.clone()) => {
                    r.already.add("closures", 1);
                }
                Some(_) => r.refused.push(Refused {
                    entity: "closure",
                    id: finding.to_string(),
                    key: format!("{} finding {finding}", h.reference),
                    cause: Cause::DifferentContent,
                    differs: vec![("closure".into(), here.map(|h| h.1), Some(evidence))],
                }),
                None => {
                    self.conn()
                        .prepare_cached(
                            "INSERT INTO finding_closures (finding_id, closed_on, evidence, closed_by, recorded_at, fact_hash)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        )?
                        .execute(params![id, closed_on, evidence, closed_by, recorded_at, fact])?;
                    r.added.add("closures", 1);
                }
            }
        }
        Ok(())
    }

    /// History entries by gid, appended to this database's chain in the
    /// source's order. An entry that records a fact (by its hash) this
    /// database does not hold — a refused audit's submission, say — stays
    /// behind with it.
    pub fn merge_history(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        let mut stmt = src.conn.prepare(
            "SELECT h.gid, h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value, h.new_value,
                    h.fact_hash
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id ORDER BY h.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut head = super::history::history_head(self.conn())?.1;
        // Every gid inserted below was read as a `Gid` (canonical, version 7
        // or 8: what the trigger checks) and no row names its id: the two
        // per-row guards are suspended until commit, as an import does.
        self.suspend_trigger("history_gid_required")?;
        self.suspend_trigger("history_key_taken")?;
        // The facts held here, once (each is looked up by a history row that records it).
        let facts = self.read().fact_hashes()?;
        let mut suppliers: HashMap<String, SupplierId> = HashMap::new();
        while let Some(row) = rows.next()? {
            let gid: Gid = row.get(0)?;
            let fact: Option<String> = row.get(10)?;
            // A row about a fact not held here stays behind (unless it is
            // here already); any other is inserted unless its gid is here.
            if let Some(hash) = &fact
                && !facts.contains(hash)
            {
                if self.read().gid_exists("history", gid)? {
                    r.already.add("history", 1);
                }
                continue;
            }
            let code: Option<String> = row.get(3)?;
            let supplier = match &code {
                Some(c) => Some(if let Some(id) = suppliers.get(c) {
                    *id
                } else {
                    let id = self.read().require_supplier(c)?;
                    suppliers.insert(c.clone(), id);
                    id
                }),
                None => None,
            };
            let (entity, action): (String, String) = (row.get(4)?, row.get(6)?);
            let entity = entity.parse().map_err(|_| Error::Invalid(format!("history entity `{entity}` unknown")))?;
            let action = action.parse().map_err(|_| Error::Invalid(format!("history action `{action}` unknown")))?;
            let (key, field, old, new): (String, Option<String>, Option<String>, Option<String>) =
                (row.get(5)?, row.get(7)?, row.get(8)?, row.get(9)?);
            let change = super::Change {
                supplier,
                entity,
                key: &key,
                action,
                field: field.as_deref(),
                old: old.as_deref(),
                new: new.as_deref(),
                fact: fact.as_deref(),
            };
            let (at, actor): (String, String) = (row.get(1)?, row.get(2)?);
            match super::history::insert_linked_once(self.conn(), &head, code.as_deref(), (&at, &actor), &change, gid)?
            {
                Some(link) => {
                    head = link;
                    r.added.add("history", 1);
                }
                None => r.already.add("history", 1),
            }
        }
        Ok(())
    }
}

type Void = (Option<String>, Option<String>, Option<String>);

/// The seals of `sealed` (audit row, seal format) recomputed over a
/// connection of its own to the private source at `path`, sent in order;
/// stops at the first error (sent too) or when the writer stopped.
fn recompute_seals(path: &std::path::Path, sealed: Vec<(i64, Option<i64>)>, tx: &SyncSender<Result<Option<String>>>) {
    let seals = || -> Result<()> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        super::keep_statements(&conn)?;
        let read = Reader { conn: &conn };
        let mut templates = HashMap::new();
        for (id, format) in sealed {
            if tx.send(Ok(read.recompute_seal(id, format, &mut templates)?)).is_err() {
                break;
            }
        }
        Ok(())
    };
    if let Err(e) = seals() {
        let _ = tx.send(Err(e));
    }
}

/// A submitted audit's seal as recomputed from the source's content: done
/// already (on the seals thread), or to do now.
enum SourceSeal {
    Ready(Option<String>),
    Compute,
}

/// Checklist templates' hashes, computed once per merge on each side (an
/// audit's seal covers its template's).
#[derive(Default)]
struct Templates {
    theirs: HashMap<String, String>,
    ours: HashMap<String, String>,
}

/// A claim here: supplier code, capability, source, stated on, statement,
/// retired on, voided at.
type ClaimHere = (String, String, String, String, String, Option<String>, Option<String>);

/// What an audit says, without its seal: header, answers, evidence items
/// and findings (with their ids and void marks), in an order that does not
/// depend on row ids. Two audits with one id and equal bodies are the same
/// audit, however often it was sealed.
fn audit_body(read: Reader<'_>, id: i64) -> Result<Vec<String>> {
    use std::fmt::Write as _;
    let queries = [
        "SELECT a.ref, s.code, a.auditor, a.visited_on, a.kind, a.summary, a.template, o.gid
         FROM audits a JOIN suppliers s ON s.id = a.supplier_id LEFT JOIN audits o ON o.id = a.amends WHERE a.id = ?1",
        "SELECT question, result, note FROM answers WHERE audit_id = ?1",
        "SELECT gid, pillar, kind, strength, collected_on, description, reference, voided_at, void_reason
         FROM evidence WHERE audit_id = ?1",
        "SELECT gid, severity, description, owner, due_on, voided_at, void_reason FROM findings WHERE audit_id = ?1",
    ];
    let mut out = Vec::new();
    for (i, sql) in queries.iter().enumerate() {
        let mut stmt = read.conn.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([id])?;
        while let Some(row) = rows.next()? {
            let mut line = i.to_string();
            for c in 0..n {
                line.push('\u{1f}');
                let _ = write!(line, "{:?}", row.get_ref(c)?);
            }
            out.push(line);
        }
    }
    out.sort();
    Ok(out)
}

fn source_answers(src: Reader<'_>, audit: i64) -> Result<Vec<(String, String, Option<String>)>> {
    let mut stmt =
        src.conn.prepare_cached("SELECT question, result, note FROM answers WHERE audit_id = ?1 ORDER BY question")?;
    let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn source_evidence(src: Reader<'_>, audit: i64) -> Result<Vec<(Gid, Evidence, Void)>> {
    let mut stmt = src.conn.prepare_cached(
        "SELECT gid, pillar, kind, strength, collected_on, description, reference, voided_at, voided_by, void_reason
         FROM evidence WHERE audit_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([audit], |r| {
        Ok((
            r.get(0)?,
            Evidence {
                pillar: r.get(1)?,
                kind: r.get(2)?,
                strength: r.get(3)?,
                collected_on: super::date_at(r, 4)?,
                description: r.get(5)?,
                reference: r.get(6)?,
            },
            (r.get(7)?, r.get(8)?, r.get(9)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn source_findings(src: Reader<'_>, audit: i64) -> Result<Vec<(Gid, Finding, Void)>> {
    let mut stmt = src.conn.prepare_cached(
        "SELECT gid, severity, description, owner, due_on, voided_at, voided_by, void_reason
         FROM findings WHERE audit_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([audit], |r| {
        Ok((
            r.get(0)?,
            Finding {
                severity: r.get(1)?,
                description: r.get(2)?,
                owner: r.get(3)?,
                due_on: super::date_at(r, 4)?,
                closure: None,
            },
            (r.get(5)?, r.get(6)?, r.get(7)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Reader<'_> {
    /// An audit by gid: (row id, status, content hash).
    pub(crate) fn audit_by_gid(&self, gid: Gid) -> Result<Option<(i64, String, Option<String>)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, status, content_hash FROM audits WHERE gid = ?1")?
            .query_row([gid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    pub(super) fn gid_exists(&self, table: &str, gid: Gid) -> Result<bool> {
        Ok(self.row_of(table, gid)?.is_some())
    }

    pub(super) fn row_of(&self, table: &str, gid: Gid) -> Result<Option<i64>> {
        let sql = format!("SELECT id FROM {table} WHERE gid = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([gid], |r| r.get(0)).optional()?)
    }

    pub fn attachment_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM attachments", [], |r| r.get(0))?)
    }

    /// The hashes of the submitted audits, closures and attachments here.
    fn fact_hashes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT content_hash FROM audits WHERE content_hash IS NOT NULL
             UNION SELECT fact_hash FROM finding_closures WHERE fact_hash IS NOT NULL
             UNION SELECT fact_hash FROM attachments WHERE fact_hash IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
