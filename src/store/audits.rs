//! Audits and what is filed under them: checklist answers, evidence items,
//! findings and their closures; and submission, which seals an audit.
//!
//! Sealing stores a SHA-256 of the audit's content and links it into a
//! per-database hash chain (`chain_hash = H(seq ‖ previous chain hash ‖
//! content hash)`), so `casebook check` can detect an edited or removed audit
//! even if someone drops the immutability triggers.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Change, Reader, SupplierId, Writer, date_at, now_stamp, only_clause, opt_date};
use crate::assess::checklist::Grade;
use crate::assess::verdict::AuditSummary;
use crate::error::{Error, Result};
use crate::model::{
    Answer, AnswerResult, Audit, AuditKind, AuditStatus, Closure, Evidence, EvidenceRow, Finding, FindingRow,
};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit with the columns only the store knows (row id, seal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    #[serde(skip)]
    pub id: i64,
    pub supplier: String,
    pub audit: Audit,
    pub submitted_at: Option<String>,
    pub score_pct: Option<f64>,
    pub grade: Option<Grade>,
    /// Critical questions answered `no`, as sealed (empty for drafts).
    pub critical_no: Vec<String>,
}

/// The header of a new draft audit.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    /// `None` picks the next free `A-YYYY-NNN` for the visit's year.
    pub reference: Option<&'a str>,
    pub auditor: &'a str,
    pub visited_on: NaiveDate,
    pub kind: AuditKind,
    pub template: &'a str,
    pub summary: Option<&'a str>,
    pub amends: Option<&'a str>,
}

/// What submission stores beside the seal: the score on the audit's template.
#[derive(Debug, Clone, Copy)]
pub struct Seal<'a> {
    pub score_pct: Option<f64>,
    pub grade: Grade,
    pub critical_no: &'a [String],
}

const AUDIT_COLUMNS: &str = "a.id, s.code, a.ref, a.auditor, a.visited_on, a.kind, a.status, a.summary,
    (SELECT ref FROM audits o WHERE o.id = a.amends), a.template, a.submitted_at, a.score_pct, a.grade, a.critical_no";

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: row.get(0)?,
        supplier: row.get(1)?,
        audit: Audit {
            id: row.get(2)?,
            auditor: row.get(3)?,
            visited_on: date_at(row, 4)?,
            kind: row.get(5)?,
            status: row.get(6)?,
            summary: row.get(7)?,
            amends: row.get(8)?,
            template: row.get(9)?,
            evidence: Vec::new(),
            answers: Vec::new(),
            findings: Vec::new(),
        },
        submitted_at: row.get(10)?,
        score_pct: row.get(11)?,
        grade: row.get(12)?,
        critical_no: row
            .get::<_, Option<String>>(13)?
            .map(|list| list.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

fn evidence_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Evidence> {
    Ok(Evidence {
        pillar: row.get(at)?,
        kind: row.get(at + 1)?,
        strength: row.get(at + 2)?,
        collected_on: date_at(row, at + 3)?,
        description: row.get(at + 4)?,
        reference: row.get(at + 5)?,
    })
}

fn finding_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Finding> {
    let closed_on: Option<NaiveDate> = opt_date(row.get(at + 4)?)?;
    let closure = match closed_on {
        Some(closed_on) => Some(Closure { closed_on, evidence: row.get(at + 5)?, closed_by: row.get(at + 6)? }),
        None => None,
    };
    Ok(Finding {
        severity: row.get(at)?,
        description: row.get(at + 1)?,
        owner: row.get(at + 2)?,
        due_on: date_at(row, at + 3)?,
        closure,
    })
}

impl Reader<'_> {
    pub fn audit_id(&self, reference: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM audits WHERE ref = ?1")?
            .query_row([reference], |r| r.get(0))
            .optional()?)
    }

    pub fn require_audit(&self, reference: &str) -> Result<i64> {
        self.audit_id(reference)?.ok_or_else(|| Error::NotFound(format!("no audit with reference `{reference}`")))
    }

    /// One audit with everything filed under it.
    pub fn audit(&self, id: i64) -> Result<AuditRow> {
        let sql =
            format!("SELECT {AUDIT_COLUMNS} FROM audits a JOIN suppliers s ON s.id = a.supplier_id WHERE a.id = ?1");
        let mut row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], audit_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no audit with id {id}")))?;
        self.fill_audit(&mut row)?;
        Ok(row)
    }

    /// A supplier's audits, oldest visit first, each with its content.
    pub fn audits(&self, supplier: SupplierId) -> Result<Vec<AuditRow>> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audits a JOIN suppliers s ON s.id = a.supplier_id
             WHERE a.supplier_id = ?1 ORDER BY a.visited_on, a.ref"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query_map([supplier.0], audit_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        for row in &mut rows {
            self.fill_audit(row)?;
        }
        Ok(rows)
    }

    fn fill_audit(&self, row: &mut AuditRow) -> Result<()> {
        row.audit.answers = self.answers(row.id)?;
        row.audit.evidence = self.evidence(row.id)?.into_iter().map(|(_, e)| e).collect();
        row.audit.findings = self.findings(row.id)?.into_iter().map(|(_, f)| f).collect();
        Ok(())
    }

    /// Answers in the order of the audit's checklist template.
    pub fn answers(&self, audit: i64) -> Result<Vec<Answer>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT an.question, an.result, an.note FROM answers an
             LEFT JOIN checklist_questions q ON q.template = an.template AND q.code = an.question
             WHERE an.audit_id = ?1 ORDER BY q.position, an.question",
        )?;
        let rows =
            stmt.query_map([audit], |r| Ok(Answer { question: r.get(0)?, result: r.get(1)?, note: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn evidence(&self, audit: i64) -> Result<Vec<(i64, Evidence)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, pillar, kind, strength, collected_on, description, reference FROM evidence
             WHERE audit_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, evidence_from_row(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn findings(&self, audit: i64) -> Result<Vec<(i64, Finding)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.id, f.severity, f.description, f.owner, f.due_on, c.closed_on, c.evidence, c.closed_by
             FROM findings f LEFT JOIN finding_closures c ON c.finding_id = f.id
             WHERE f.audit_id = ?1 ORDER BY f.id",
        )?;
        let rows = stmt.query_map([audit], |r| Ok((r.get(0)?, finding_from_row(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every evidence item of one supplier or all, with its audit's status.
    pub fn all_evidence(&self, only: Option<SupplierId>) -> Result<HashMap<SupplierId, Vec<EvidenceRow>>> {
        let (filter, args) = only_clause(only, "a.supplier_id");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.supplier_id, e.id, a.ref, a.status, a.visited_on, e.pillar, e.kind, e.strength,
                    e.collected_on, e.description, e.reference
             FROM audits a JOIN evidence e ON e.audit_id = a.id {filter}"
        ))?;
        let mut out: HashMap<SupplierId, Vec<EvidenceRow>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let item = EvidenceRow {
                id: r.get(1)?,
                audit: r.get(2)?,
                audit_status: r.get(3)?,
                visited_on: date_at(r, 4)?,
                evidence: evidence_from_row(r, 5)?,
            };
            out.entry(SupplierId(r.get(0)?)).or_default().push(item);
        }
        Ok(out)
    }

    /// Every audit header (no answers or evidence) of one supplier or all.
    pub fn all_audit_headers(&self, only: Option<SupplierId>) -> Result<HashMap<SupplierId, Vec<AuditRow>>> {
        let (filter, args) = only_clause(only, "a.supplier_id");
        let sql = format!(
            "SELECT {AUDIT_COLUMNS}, a.supplier_id FROM audits a JOIN suppliers s ON s.id = a.supplier_id {filter}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out: HashMap<SupplierId, Vec<AuditRow>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            out.entry(SupplierId(r.get(14)?)).or_default().push(audit_from_row(r)?);
        }
        Ok(out)
    }

    /// Every audit of one supplier or all, as the verdict needs it: no
    /// content, no supplier join (the lean bulk read behind `casebook flags`).
    pub fn audit_summaries(&self, only: Option<SupplierId>) -> Result<HashMap<SupplierId, Vec<AuditSummary>>> {
        let (filter, args) = only_clause(only, "a.supplier_id");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.supplier_id, a.ref, o.ref, a.status, a.kind, a.visited_on, a.grade, a.score_pct, a.critical_no
             FROM audits a LEFT JOIN audits o ON o.id = a.amends {filter}"
        ))?;
        let mut out: HashMap<SupplierId, Vec<AuditSummary>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let critical: Option<&str> = r.get_ref(8)?.as_str_or_null()?;
            let summary = AuditSummary {
                reference: r.get(1)?,
                amends: r.get(2)?,
                status: r.get(3)?,
                kind: r.get(4)?,
                visited_on: date_at(r, 5)?,
                grade: r.get(6)?,
                score_pct: r.get(7)?,
                critical_no: critical
                    .map(|c| c.split(',').filter(|q| !q.is_empty()).map(str::to_owned).collect())
                    .unwrap_or_default(),
            };
            out.entry(SupplierId(r.get(0)?)).or_default().push(summary);
        }
        Ok(out)
    }

    /// Every finding of one supplier or all, with the audit it was raised in.
    pub fn all_findings(&self, only: Option<SupplierId>) -> Result<HashMap<SupplierId, Vec<FindingRow>>> {
        let (filter, args) = only_clause(only, "a.supplier_id");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.supplier_id, f.id, a.ref, a.visited_on, f.severity, f.description, f.owner, f.due_on,
                    c.closed_on, c.evidence, c.closed_by
             FROM audits a JOIN findings f ON f.audit_id = a.id
             LEFT JOIN finding_closures c ON c.finding_id = f.id {filter}"
        ))?;
        let mut out: HashMap<SupplierId, Vec<FindingRow>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let item = FindingRow {
                id: r.get(1)?,
                audit: r.get(2)?,
                visited_on: date_at(r, 3)?,
                finding: finding_from_row(r, 4)?,
            };
            out.entry(SupplierId(r.get(0)?)).or_default().push(item);
        }
        Ok(out)
    }

    /// The next free reference `A-YYYY-NNN` for audits visited in `year`.
    pub fn next_audit_ref(&self, year: i32) -> Result<String> {
        let prefix = format!("A-{year}-");
        let mut stmt = self.conn.prepare_cached("SELECT ref FROM audits WHERE ref LIKE ?1 || '%'")?;
        let used = stmt.query_map([&prefix], |r| r.get::<_, String>(0))?;
        let mut highest = 0_u32;
        for reference in used {
            if let Ok(n) = reference?[prefix.len()..].parse::<u32>() {
                highest = highest.max(n);
            }
        }
        Ok(format!("{prefix}{:03}", highest + 1))
    }

    /// Recomputes the content hash of a submitted audit from what is stored.
    pub fn recompute_content_hash(&self, id: i64) -> Result<String> {
        let row = self.audit(id)?;
        Ok(content_hash(&row))
    }
}

/// SHA-256 over the canonical JSON of everything a submission seals.
pub(crate) fn content_hash(row: &AuditRow) -> String {
    #[derive(Serialize)]
    struct Sealed<'a> {
        supplier: &'a str,
        audit: &'a Audit,
        submitted_at: &'a Option<String>,
        score_pct: Option<f64>,
        grade: Option<Grade>,
        critical_no: &'a [String],
    }
    let sealed = Sealed {
        supplier: &row.supplier,
        audit: &row.audit,
        submitted_at: &row.submitted_at,
        score_pct: row.score_pct,
        grade: row.grade,
        critical_no: &row.critical_no,
    };
    // Serialising plain structs and strings to a Vec cannot fail.
    let bytes = serde_json::to_vec(&sealed).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

pub(crate) fn chain_hash(seq: i64, previous: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    h.update(b"|");
    h.update(previous.as_bytes());
    h.update(b"|");
    h.update(content.as_bytes());
    hex(&h.finalize())
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Writer<'_> {
    /// Creates a draft audit; returns its row id and reference.
    pub fn create_audit(&self, supplier: SupplierId, new: &NewAudit<'_>) -> Result<(i64, String)> {
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
                "INSERT INTO audits (ref, supplier_id, auditor, visited_on, kind, status, summary, template, amends)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8)",
            )?
            .execute(params![
                reference,
                supplier.0,
                new.auditor,
                new.visited_on.to_string(),
                new.kind,
                new.summary,
                new.template,
                amends
            ])?;
        let id = self.conn().last_insert_rowid();
        self.record(&Change {
            supplier: Some(supplier),
            entity: "audit",
            key: &reference,
            action: "create",
            new: Some(new.auditor),
            ..Change::default()
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
    fn draft_owner(&self, audit: i64) -> Result<(SupplierId, String)> {
        let (supplier, reference, status) = self.audit_owner(audit)?;
        if status == AuditStatus::Submitted {
            return Err(Error::Invalid(format!(
                "audit {reference} is submitted and locked; record an amendment instead"
            )));
        }
        Ok((supplier, reference))
    }

    /// Records or replaces the answer to one question of a draft audit.
    pub fn set_answer(&self, audit: i64, answer: &Answer) -> Result<()> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let old: Option<(AnswerResult, Option<String>)> = self
            .conn()
            .prepare_cached("SELECT result, note FROM answers WHERE audit_id = ?1 AND question = ?2")?
            .query_row(params![audit, answer.question], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        self.insert_answer(audit, answer)?;
        let key = format!("{reference} {}", answer.question);
        let base = Change { supplier: Some(supplier), entity: "answer", key: &key, ..Change::default() };
        let before =
            [("result", old.as_ref().map(|(r, _)| r.to_string())), ("note", old.as_ref().and_then(|(_, n)| n.clone()))];
        let after = [("result", Some(answer.result.to_string())), ("note", answer.note.clone())];
        self.record_diff(&base, &before, &after)?;
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
                supplier: Some(supplier),
                entity: "answer",
                key: &key,
                action: "delete",
                field: Some("result"),
                old: Some(&old),
                ..Change::default()
            })?;
        }
        Ok(())
    }

    fn insert_evidence(&self, audit: i64, e: &Evidence) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO evidence (audit_id, pillar, kind, strength, collected_on, description, reference)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                audit,
                e.pillar,
                e.kind,
                e.strength,
                e.collected_on.to_string(),
                e.description,
                e.reference
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    fn insert_finding(&self, audit: i64, f: &Finding) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO findings (audit_id, severity, description, owner, due_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![audit, f.severity, f.description, f.owner, f.due_on.to_string()])?;
        Ok(self.conn().last_insert_rowid())
    }

    fn insert_answer(&self, audit: i64, answer: &Answer) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO answers (audit_id, template, question, result, note)
                 SELECT id, template, ?2, ?3, ?4 FROM audits WHERE id = ?1
                 ON CONFLICT (audit_id, question) DO UPDATE SET result = excluded.result, note = excluded.note",
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
        let (id, _) = self.create_audit(supplier, &header)?;
        for answer in &audit.answers {
            self.insert_answer(id, answer)?;
        }
        for e in &audit.evidence {
            self.insert_evidence(id, e)?;
        }
        for f in &audit.findings {
            let finding = self.insert_finding(id, f)?;
            if let Some(c) = &f.closure {
                self.insert_closure(finding, c)?;
            }
        }
        Ok(id)
    }

    pub fn add_evidence(&self, audit: i64, e: &Evidence) -> Result<i64> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let id = self.insert_evidence(audit, e)?;
        let key = format!("{reference} evidence {id}");
        let what = format!("{} {} ({}): {}", e.pillar, e.kind, e.strength, e.description);
        self.record(&Change {
            supplier: Some(supplier),
            entity: "evidence",
            key: &key,
            action: "create",
            new: Some(&what),
            ..Change::default()
        })?;
        Ok(id)
    }

    pub fn add_finding(&self, audit: i64, f: &Finding) -> Result<i64> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let id = self.insert_finding(audit, f)?;
        let key = format!("{reference} finding {id}");
        let what = format!("{}: {} (due {})", f.severity, f.description, f.due_on);
        self.record(&Change {
            supplier: Some(supplier),
            entity: "finding",
            key: &key,
            action: "create",
            new: Some(&what),
            ..Change::default()
        })?;
        if let Some(closure) = &f.closure {
            self.close_finding(id, closure)?;
        }
        Ok(id)
    }

    /// Records the closure of a finding (allowed after submission: closing is
    /// a new record, never an edit of the finding).
    pub fn close_finding(&self, finding: i64, closure: &Closure) -> Result<()> {
        let (audit, due_on): (i64, String) = self
            .conn()
            .prepare_cached("SELECT audit_id, due_on FROM findings WHERE id = ?1")?
            .query_row([finding], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no finding with id {finding}")))?;
        let (supplier, reference, _) = self.audit_owner(audit)?;
        if !self.insert_closure(finding, closure)? {
            return Err(Error::Invalid(format!("finding {finding} is already closed; a closure is never overwritten")));
        }
        let key = format!("{reference} finding {finding}");
        let what =
            format!("closed {} by {}: {} (was due {due_on})", closure.closed_on, closure.closed_by, closure.evidence);
        self.record(&Change {
            supplier: Some(supplier),
            entity: "finding",
            key: &key,
            action: "close",
            new: Some(&what),
            ..Change::default()
        })
    }

    /// Returns false when the finding was already closed.
    fn insert_closure(&self, finding: i64, closure: &Closure) -> Result<bool> {
        let inserted = self
            .conn()
            .prepare_cached(
                "INSERT INTO finding_closures (finding_id, closed_on, evidence, closed_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (finding_id) DO NOTHING",
            )?
            .execute(params![
                finding,
                closure.closed_on.to_string(),
                closure.evidence,
                closure.closed_by,
                now_stamp()
            ])?;
        Ok(inserted == 1)
    }

    /// Seals a draft: stores score and grade, the content hash and the next
    /// link of the hash chain. After this the triggers refuse every change.
    pub fn submit_audit(&self, audit: i64, seal: Seal<'_>) -> Result<String> {
        let (supplier, reference) = self.draft_owner(audit)?;
        let mut row = self.read().audit(audit)?;
        row.submitted_at = Some(self.at.clone());
        row.score_pct = seal.score_pct;
        row.grade = Some(seal.grade);
        row.critical_no = seal.critical_no.to_vec();
        row.audit.status = AuditStatus::Submitted;
        let content = content_hash(&row);
        let (seq, previous) = self.chain_head()?;
        let link = chain_hash(seq + 1, &previous, &content);
        self.conn()
            .prepare_cached(
                "UPDATE audits SET status = 'submitted', submitted_at = ?2, score_pct = ?3, grade = ?4,
                    critical_no = ?5, content_hash = ?6, chain_seq = ?7, chain_hash = ?8
                 WHERE id = ?1 AND status = 'draft'",
            )?
            .execute(params![
                audit,
                self.at,
                seal.score_pct,
                seal.grade,
                seal.critical_no.join(","),
                content,
                seq + 1,
                link
            ])?;
        self.record(&Change {
            supplier: Some(supplier),
            entity: "audit",
            key: &reference,
            action: "submit",
            new: Some(seal.grade.as_str()),
            ..Change::default()
        })?;
        Ok(content)
    }

    /// The last link of the chain: (sequence, chain hash), genesis if none.
    fn chain_head(&self) -> Result<(i64, String)> {
        Ok(self
            .conn()
            .query_row(
                "SELECT chain_seq, chain_hash FROM audits WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
    }

    /// Deletes a draft audit and everything filed under it.
    pub fn delete_draft(&self, audit: i64) -> Result<()> {
        let (supplier, reference) = self.draft_owner(audit)?;
        for sql in [
            "DELETE FROM answers WHERE audit_id = ?1",
            "DELETE FROM findings WHERE audit_id = ?1",
            "DELETE FROM evidence WHERE audit_id = ?1",
            "DELETE FROM audits WHERE id = ?1",
        ] {
            self.conn().execute(sql, [audit])?;
        }
        self.record(&Change {
            supplier: Some(supplier),
            entity: "audit",
            key: &reference,
            action: "delete",
            ..Change::default()
        })
    }
}
