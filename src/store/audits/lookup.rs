//! Finding the audit a person names. A reference (`A-2026-K7Q-042`) is a
//! label, not an identity: one minted before installation tags, or typed by
//! hand, can name two audits after a merge. Such a reference is refused with
//! every audit it names, and the audit's gid — or the start of it, at least
//! 8 hex digits — names it instead.

use std::fmt::Write as _;

use rusqlite::params;

use super::super::Reader;
use crate::error::{Error, Result};

/// The fewest hex digits of a gid that name an audit.
const GID_PREFIX_MIN: usize = 8;

/// One audit a name matched, as a refusal lists it.
struct Candidate {
    id: i64,
    gid: String,
    reference: String,
    supplier: String,
    visited_on: String,
    status: String,
}

const CANDIDATES: &str = "SELECT a.id, a.gid, a.ref, s.code, a.visited_on, a.status
     FROM audits a JOIN suppliers s ON s.id = a.supplier_id";

impl Reader<'_> {
    /// The audit named by `name`: its reference, else its gid or the start
    /// of it (at least 8 hex digits, hyphens as in the gid). `None` when
    /// nothing matches; an error listing the candidates when the name fits
    /// two or more audits.
    pub fn audit_id(&self, name: &str) -> Result<Option<i64>> {
        let by_ref = self.candidates(&format!("{CANDIDATES} WHERE a.ref = ?1 ORDER BY a.visited_on, a.gid"), name)?;
        match by_ref.as_slice() {
            [one] => return Ok(Some(one.id)),
            [] => {}
            many => return Err(ambiguous(&format!("reference `{name}` names {} audits", many.len()), many)),
        }
        let prefix = name.trim().to_ascii_lowercase();
        let digits = prefix.chars().filter(char::is_ascii_hexdigit).count();
        if digits < GID_PREFIX_MIN || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Ok(None);
        }
        let by_gid = self.candidates(
            &format!("{CANDIDATES} WHERE substr(a.gid, 1, length(?1)) = ?1 ORDER BY a.visited_on, a.gid"),
            &prefix,
        )?;
        match by_gid.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.id)),
            many => Err(ambiguous(&format!("`{name}` is the start of {} audits' gids", many.len()), many)),
        }
    }

    fn candidates(&self, sql: &str, name: &str) -> Result<Vec<Candidate>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![name], |r| {
            Ok(Candidate {
                id: r.get(0)?,
                gid: r.get(1)?,
                reference: r.get(2)?,
                supplier: r.get(3)?,
                visited_on: r.get(4)?,
                status: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many audits carry `reference`.
    pub(crate) fn audit_ids_with_reference(&self, reference: &str) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM audits WHERE ref = ?1")?
            .query_row([reference], |r| r.get(0))?)
    }

    /// The gids of the audits other than `gid` whose reference is `reference`.
    pub(crate) fn others_with_reference(&self, reference: &str, gid: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT gid FROM audits WHERE ref = ?1 AND gid <> ?2 ORDER BY gid")?;
        let rows = stmt.query_map(params![reference, gid], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The refusal of a name that fits several audits: each with its gid,
/// reference, supplier, visit day and status, and what to type instead.
fn ambiguous(what: &str, many: &[Candidate]) -> Error {
    let mut message =
        format!("{what}; name one by its gid (or the start of it, at least {GID_PREFIX_MIN} characters) instead:");
    for c in many {
        let _ =
            write!(message, "\n  {}  {}  {}  visited {}  {}", c.gid, c.reference, c.supplier, c.visited_on, c.status);
    }
    Error::Invalid(message)
}
