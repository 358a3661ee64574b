//! What `casebook check` verifies, as typed queries: SQLite's own checks, the
//! immutability triggers, the domain rules re-checked in case something went
//! around the CHECKs, the audit seals and hash chain, and attachments.

use std::path::PathBuf;

use rusqlite::params;

use super::audits::{GENESIS_HASH, chain_hash, content_hash};
use super::{Reader, Writer};
use crate::error::Result;

/// Every trigger `schema.sql` creates: if one is missing, someone removed the
/// protection it gives.
pub fn expected_triggers() -> Vec<&'static str> {
    [include_str!("../../schema.sql"), include_str!("../../migrations/0003_installation.sql")]
        .into_iter()
        .flat_map(str::lines)
        .filter_map(|line| line.trim().strip_prefix("CREATE TRIGGER "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect()
}

/// A submitted audit's seal as stored.
#[derive(Debug, Clone)]
pub struct SealRow {
    pub id: i64,
    pub reference: String,
    pub supplier: String,
    pub seq: i64,
    pub content_hash: String,
    pub chain_hash: String,
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: i64,
    pub evidence_id: i64,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

impl Reader<'_> {
    /// `PRAGMA integrity_check`: empty when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let all: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(all.into_iter().filter(|line| line != "ok").collect())
    }

    /// `PRAGMA foreign_key_check`, as sentences.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            let table: String = r.get(0)?;
            let rowid: Option<i64> = r.get(1)?;
            let parent: String = r.get(2)?;
            Ok(match rowid {
                Some(id) => format!("{table} row {id} refers to a missing {parent} row"),
                None => format!("a {table} row refers to a missing {parent} row"),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn trigger_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Rows breaking a domain rule, each as (rule, count): normally all zero,
    /// since CHECKs hold them; non-zero means something wrote around them.
    pub fn domain_violations(&self, today: &str) -> Result<Vec<(&'static str, i64)>> {
        let rules: [(&str, &str); 9] = [
            (
                "lot counts inconsistent (started ≥ 1, passed_first ≤ started, passed_first + scrapped ≤ started)",
                "SELECT count(*) FROM lots WHERE NOT (started > 0 AND passed_first >= 0 AND passed_first <= started
                   AND reworked >= 0 AND scrapped >= 0 AND passed_first + scrapped <= started)",
            ),
            ("lot dated after today", "SELECT count(*) FROM lots WHERE produced_on > ?1"),
            ("lot date not a real date", "SELECT count(*) FROM lots WHERE produced_on IS NOT date(produced_on)"),
            ("audit visited after today", "SELECT count(*) FROM audits WHERE visited_on > ?1"),
            ("evidence collected after today", "SELECT count(*) FROM evidence WHERE collected_on > ?1"),
            ("claim stated after today", "SELECT count(*) FROM claims WHERE stated_on > ?1"),
            (
                "finding due before its audit's visit",
                "SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.due_on < a.visited_on",
            ),
            (
                "finding closed before its audit's visit",
                "SELECT count(*) FROM finding_closures c JOIN findings f ON f.id = c.finding_id
                   JOIN audits a ON a.id = f.audit_id WHERE c.closed_on < a.visited_on",
            ),
            (
                "submitted audit without a complete seal",
                "SELECT count(*) FROM audits WHERE status = 'submitted' AND (content_hash IS NULL OR chain_hash IS NULL
                   OR chain_seq IS NULL OR grade IS NULL)",
            ),
        ];
        let mut out = Vec::with_capacity(rules.len());
        for (rule, sql) in rules {
            let mut stmt = self.conn.prepare(sql)?;
            let n: i64 = if stmt.parameter_count() == 1 {
                stmt.query_row([today], |r| r.get(0))?
            } else {
                stmt.query_row([], |r| r.get(0))?
            };
            out.push((rule, n));
        }
        Ok(out)
    }

    /// Lots whose stored defects cannot be read back (code, count pairs).
    pub fn unreadable_defects(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.code, l.lot, l.defects FROM lots l JOIN suppliers s ON s.id = l.supplier_id
             WHERE l.defects IS NOT NULL",
        )?;
        let mut out = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if super::lots::parse_defects(r.get_ref(2)?.as_str_or_null()?).is_err() {
                out.push(format!("{} lot {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?));
            }
        }
        Ok(out)
    }

    /// Submitted audits' seals in chain order.
    pub fn seals(&self) -> Result<Vec<SealRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.ref, s.code, a.chain_seq, a.content_hash, a.chain_hash
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id
             WHERE a.status = 'submitted' ORDER BY a.chain_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SealRow {
                id: r.get(0)?,
                reference: r.get(1)?,
                supplier: r.get(2)?,
                seq: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                content_hash: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                chain_hash: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Verifies every seal and the chain; returns one sentence per problem,
    /// how many seals there are, and the chain head (sequence, hash) to note
    /// down (removing the newest audit can only be seen against a noted head).
    pub fn verify_seals(&self) -> Result<(Vec<String>, usize, (i64, String))> {
        let mut problems = Vec::new();
        let mut previous = GENESIS_HASH.to_owned();
        let mut expected_seq = 1;
        let seals = self.seals()?;
        for seal in &seals {
            let row = self.audit(seal.id)?;
            let content = content_hash(&row);
            if content != seal.content_hash {
                problems.push(format!(
                    "audit {} ({}) was changed after it was submitted: its content no longer matches its seal",
                    seal.reference, seal.supplier
                ));
            }
            if seal.seq != expected_seq {
                problems.push(format!(
                    "the audit chain skips from position {} to {} before audit {}: a submitted audit was removed",
                    expected_seq - 1,
                    seal.seq,
                    seal.reference
                ));
            }
            if chain_hash(seal.seq, &previous, &seal.content_hash) != seal.chain_hash {
                problems.push(format!(
                    "audit {}'s link in the audit chain does not follow from the one before it: the chain was altered",
                    seal.reference
                ));
            }
            previous.clone_from(&seal.chain_hash);
            expected_seq = seal.seq + 1;
        }
        let head = seals.last().map_or((0, GENESIS_HASH.to_owned()), |s| (s.seq, s.chain_hash.clone()));
        Ok((problems, seals.len(), head))
    }

    pub fn attachments(&self) -> Result<Vec<AttachmentRow>> {
        let mut stmt = self.conn.prepare("SELECT id, evidence_id, path, size, sha256 FROM attachments ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(AttachmentRow {
                id: r.get(0)?,
                evidence_id: r.get(1)?,
                path: PathBuf::from(r.get::<_, String>(2)?),
                size: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                sha256: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Writer<'_> {
    /// Records a file attached to an evidence item (path, size, SHA-256).
    pub fn attach(&self, evidence: i64, path: &str, size: u64, sha256: &str) -> Result<i64> {
        let (supplier, reference): (i64, String) = self
            .conn()
            .prepare_cached(
                "SELECT a.supplier_id, a.ref FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE e.id = ?1",
            )?
            .query_row([evidence], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    crate::Error::NotFound(format!("no evidence item {evidence} (see `casebook audit show REF`)"))
                }
                other => other.into(),
            })?;
        self.conn()
            .prepare_cached(
                "INSERT INTO attachments (evidence_id, path, size, sha256, attached_at, attached_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![evidence, path, i64::try_from(size).unwrap_or(i64::MAX), sha256, self.at, self.actor])?;
        let id = self.conn().last_insert_rowid();
        let key = format!("{reference} evidence {evidence}");
        let what = format!("{path} ({size} bytes, sha256 {sha256})");
        self.record(&super::Change {
            supplier: Some(super::SupplierId(supplier)),
            entity: "attachment",
            key: &key,
            action: "attach",
            new: Some(&what),
            ..super::Change::default()
        })?;
        Ok(id)
    }
}
