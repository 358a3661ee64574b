//! Verifying the audit seals and their chain, and comparing the chain with a
//! head noted down earlier (which is what reveals a re-sealed chain or a
//! rolled-back file: nothing inside the file can).

use std::collections::HashMap;

use super::seal::{GENESIS_HASH, chain_hash_v2};
use super::seal_v1::{chain_hash_v1, content_hash_v1};
use crate::error::Result;
use crate::store::Reader;

/// A submitted audit's seal as stored.
#[derive(Debug, Clone)]
pub struct SealRow {
    pub id: i64,
    pub reference: String,
    pub supplier: String,
    pub seq: i64,
    pub format: Option<i64>,
    pub submitted_at: String,
    pub content_hash: String,
    pub chain_hash: String,
}

/// A submitted audit's seal as stored, and whether its content still matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditSeal {
    /// Position in the database's audit chain (1 for the first sealed audit).
    pub seq: i64,
    pub content_hash: String,
    pub chain_hash: String,
    /// The content hash recomputed now equals the stored one.
    pub content_intact: bool,
}

/// The outcome of following the audit chain.
#[derive(Debug, Clone)]
pub struct ChainReport {
    pub problems: Vec<String>,
    pub sealed: usize,
    /// The last link: (sequence, chain hash); (0, genesis) when empty.
    pub head: (i64, String),
}

/// A chain position noted down earlier: `SEQ:HASH`, or just `HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotedHead {
    pub seq: Option<i64>,
    pub hash: String,
}

impl std::str::FromStr for NotedHead {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim().trim_start_matches('#');
        let (seq, hash) = match text.split_once(':') {
            Some((seq, hash)) => {
                let seq = seq.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    format!("`{seq}` is not a chain position; expected SEQ:HASH (e.g. 15:3fa9…) or HASH")
                })?;
                (Some(seq), hash)
            }
            None => (None, text),
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{hash}` is not a chain hash; expected 64 hexadecimal digits"));
        }
        Ok(Self { seq, hash: hash.to_ascii_lowercase() })
    }
}

impl std::fmt::Display for NotedHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "#{seq} {}", self.hash),
            None => f.write_str(&self.hash),
        }
    }
}

/// Whether a chain whose links are `links` (position, hash) still holds the
/// noted head; a sentence saying what is wrong if not. `what` names the chain.
pub fn head_problem(noted: &NotedHead, links: &[(i64, String)], what: &str) -> Option<String> {
    let found = match noted.seq {
        Some(seq) => links.iter().any(|(s, h)| *s == seq && *h == noted.hash),
        None => links.iter().any(|(_, h)| *h == noted.hash),
    };
    if found {
        return None;
    }
    let end = links.last().map_or(0, |(s, _)| *s);
    let reason = match noted.seq {
        Some(seq) if seq > end => {
            format!("the chain now ends at #{end}: the file was rolled back or its newest entries were removed")
        }
        Some(seq) => format!("the chain holds another link at #{seq}: the chain was rewritten and re-sealed"),
        None => "no link of the chain has that hash: the chain was rewritten or the file rolled back".to_owned(),
    };
    Some(format!("the noted {what} head {noted} is not in the chain; {reason}"))
}

impl Reader<'_> {
    /// Submitted audits' seals in chain order.
    pub fn seals(&self) -> Result<Vec<SealRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.ref, s.code, a.chain_seq, a.seal_format, a.submitted_at, a.content_hash, a.chain_hash
             FROM audits a JOIN suppliers s ON s.id = a.supplier_id
             WHERE a.status = 'submitted' ORDER BY a.chain_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SealRow {
                id: r.get(0)?,
                reference: super::super::integrity::lossy(r, 1)?,
                supplier: super::super::integrity::lossy(r, 2)?,
                seq: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                format: r.get(4)?,
                submitted_at: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                content_hash: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                chain_hash: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The content hash of a submitted audit recomputed from what is stored
    /// now, in its own seal format; `None` for an unknown format.
    fn recomputed(&self, seal: &SealRow, templates: &mut HashMap<String, String>) -> Result<Option<String>> {
        Ok(match seal.format {
            Some(1) => Some(content_hash_v1(&self.sealed_v1(seal.id)?)),
            Some(2) => Some(self.sealed_v2(seal.id, templates)?.hash()),
            _ => None,
        })
    }

    /// The content hash of audit `id` recomputed in seal `format` from what
    /// is stored now (`None` for an unknown format): a merge verifies an
    /// arriving audit's seal with it, before and after taking it in.
    pub(crate) fn recompute_seal(
        &self,
        id: i64,
        format: Option<i64>,
        templates: &mut HashMap<String, String>,
    ) -> Result<Option<String>> {
        let seal = SealRow {
            id,
            reference: String::new(),
            supplier: String::new(),
            seq: 0,
            format,
            submitted_at: String::new(),
            content_hash: String::new(),
            chain_hash: String::new(),
        };
        self.recomputed(&seal, templates)
    }

    /// Verifies every seal and the chain; `noted` is a head noted down
    /// earlier, which the chain must still hold.
    pub fn verify_seals(&self, noted: Option<&NotedHead>) -> Result<ChainReport> {
        let mut problems = Vec::new();
        let mut previous = GENESIS_HASH.to_owned();
        let mut expected_seq = 1;
        let seals = self.seals()?;
        let mut templates = HashMap::new();
        for seal in &seals {
            let who = format!("audit {} ({})", seal.reference, seal.supplier);
            match self.recomputed(seal, &mut templates).map_err(|e| e.to_string()) {
                // A value that cannot be read is this audit's problem; the others are still checked.
                Err(e) => problems
                    .push(format!("{who} (audits row {}) cannot be read, so its seal cannot be checked: {e}", seal.id)),
                Ok(None) => problems.push(format!(
                    "{who} has no known seal format ({}): its seal cannot be verified",
                    seal.format.map_or_else(|| "none".to_owned(), |f| f.to_string())
                )),
                Ok(Some(content)) if content != seal.content_hash => problems
                    .push(format!("{who} was changed after it was submitted: its content no longer matches its seal")),
                Ok(Some(_)) => {}
            }
            if seal.seq != expected_seq {
                problems.push(format!(
                    "the audit chain skips from position {} to {} before audit {}: a submitted audit was removed",
                    expected_seq - 1,
                    seal.seq,
                    seal.reference
                ));
            }
            let link = if seal.format == Some(1) {
                chain_hash_v1(seal.seq, &previous, &seal.content_hash)
            } else {
                chain_hash_v2(seal.seq, &previous, &seal.content_hash, &seal.submitted_at)
            };
            if link != seal.chain_hash {
                problems.push(format!(
                    "audit {}'s link in the audit chain does not follow from the one before it: the chain was altered",
                    seal.reference
                ));
            }
            previous.clone_from(&seal.chain_hash);
            expected_seq = seal.seq + 1;
        }
        problems.extend(self.unrecorded_seals()?);
        let links: Vec<(i64, String)> = seals.iter().map(|s| (s.seq, s.chain_hash.clone())).collect();
        if let Some(problem) = noted.and_then(|n| head_problem(n, &links, "audit chain")) {
            problems.push(problem);
        }
        let head = links.last().cloned().unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
        Ok(ChainReport { problems, sealed: seals.len(), head })
    }

    /// Seals and the history's record of submissions, which must agree: the
    /// history row of a submission carries the content hash sealed then, so
    /// an audit un-submitted and sealed again (with its triggers dropped)
    /// shows, unless the history chain was rewritten too.
    fn unrecorded_seals(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT h.id, h.entity_key FROM history h
             WHERE h.entity = 'audit' AND h.action = 'submit' AND h.fact_hash IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM audits a WHERE a.content_hash = h.fact_hash)
             ORDER BY h.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            problems.push(format!(
                "history row {} records the submission of audit {} with a seal no audit has now: the audit was \
                 re-sealed or removed",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?
            ));
        }
        let mut stmt = self.conn.prepare(
            "SELECT a.ref FROM audits a WHERE a.status = 'submitted'
               AND NOT EXISTS (SELECT 1 FROM history h WHERE h.fact_hash = a.content_hash)
             ORDER BY a.chain_seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            problems.push(format!(
                "audit {}'s seal is not recorded in the history chain: it was sealed outside casebook",
                r.get::<_, String>(0)?
            ));
        }
        Ok(problems)
    }

    /// The seal of audit `row` (as read with [`Reader::audit`]), `None` for a
    /// draft; its content is recomputed in its own seal format and compared,
    /// as `check` does (for reports).
    pub fn audit_seal(&self, row: &super::AuditRow) -> Result<Option<AuditSeal>> {
        use rusqlite::OptionalExtension;
        let seal = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.ref, s.code, a.chain_seq, a.seal_format, a.submitted_at, a.content_hash, a.chain_hash
                 FROM audits a JOIN suppliers s ON s.id = a.supplier_id
                 WHERE a.id = ?1 AND a.status = 'submitted'",
            )?
            .query_row([row.id], |r| {
                Ok(SealRow {
                    id: r.get(0)?,
                    reference: r.get(1)?,
                    supplier: r.get(2)?,
                    seq: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                    format: r.get(4)?,
                    submitted_at: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    content_hash: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    chain_hash: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                })
            })
            .optional()?;
        let Some(seal) = seal else { return Ok(None) };
        let recomputed = self.recomputed(&seal, &mut HashMap::new())?;
        Ok(Some(AuditSeal {
            seq: seal.seq,
            content_intact: recomputed.as_deref() == Some(seal.content_hash.as_str()),
            content_hash: seal.content_hash,
            chain_hash: seal.chain_hash,
        }))
    }

    /// The audit chain's head without verifying anything (for reports).
    pub fn chain_head(&self) -> Result<(i64, String)> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT chain_seq, chain_hash FROM audits WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "3fa9e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";

    #[test]
    fn a_noted_head_reads_with_or_without_its_position() {
        assert_eq!(format!("15:{H}").parse(), Ok(NotedHead { seq: Some(15), hash: H.to_owned() }));
        assert_eq!(format!("#15:{}", H.to_uppercase()).parse(), Ok(NotedHead { seq: Some(15), hash: H.to_owned() }));
        assert_eq!(H.parse(), Ok(NotedHead { seq: None, hash: H.to_owned() }));
        assert!("15:abc".parse::<NotedHead>().unwrap_err().contains("64 hexadecimal digits"));
        assert!(format!("x:{H}").parse::<NotedHead>().unwrap_err().contains("not a chain position"));
    }

    #[test]
    fn a_head_must_be_at_its_noted_position() {
        let other = "0".repeat(64);
        let links = vec![(1, other.clone()), (2, H.to_owned())];
        let at = |seq| NotedHead { seq, hash: H.to_owned() };
        assert_eq!(head_problem(&at(Some(2)), &links, "audit chain"), None);
        assert_eq!(head_problem(&at(None), &links, "audit chain"), None);
        assert!(head_problem(&at(Some(1)), &links, "audit chain").unwrap().contains("another link at #1"));
        assert!(head_problem(&at(Some(3)), &links, "audit chain").unwrap().contains("rolled back"));
        let gone = NotedHead { seq: None, hash: "1".repeat(64) };
        assert!(head_problem(&gone, &links, "audit chain").unwrap().contains("no link of the chain"));
    }
}
