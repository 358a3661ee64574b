//! The flag policy table: one row per key, seeded with the defaults.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Change, Reader, Writer};
use crate::assess::policy::Policy;
use crate::error::{Error, Result};
use crate::model::{HistoryAction, HistoryEntity};

/// Migration hook: writes every default policy key.
pub(super) fn seed_defaults(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("INSERT OR IGNORE INTO policy (key, value) VALUES (?1, ?2)")?;
    for (key, value) in Policy::default().pairs() {
        stmt.execute(params![key, value])?;
    }
    Ok(())
}

impl Reader<'_> {
    /// The stored policy over the defaults (keys added by later versions
    /// fall back to their defaults).
    pub fn policy(&self) -> Result<Policy> {
        let pairs = self.policy_rows()?;
        Policy::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| {
            Error::Invalid(format!("the stored policy is invalid: {e}; fix it with `casebook policy set`"))
        })
    }

    fn policy_rows(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached("SELECT key, value FROM policy ORDER BY key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Writer<'_> {
    /// Validates and stores one policy value; returns the previous value.
    pub fn set_policy(&self, key: &str, value: &str) -> Result<String> {
        let mut policy = self.read().policy()?;
        let old = policy.pairs().into_iter().find(|(k, _)| k == key).map(|(_, v)| v);
        policy.set(key, value).map_err(|e| Error::Invalid(e.to_string()))?;
        // Store the canonical text (e.g. "85%" is stored as 0.85).
        let (_, canonical) = policy.pairs().into_iter().find(|(k, _)| k == key).unwrap_or_default();
        let previous: Option<String> = self
            .conn()
            .prepare_cached("SELECT value FROM policy WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        self.conn()
            .prepare_cached(
                "INSERT INTO policy (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            )?
            .execute(params![key, canonical])?;
        let before = previous.or(old).unwrap_or_default();
        self.record_version(super::versions::Versioned::Policy, key, "value", Some(&canonical))?;
        self.record(&Change {
            field: Some(key),
            old: Some(&before),
            new: Some(&canonical),
            ..Change::of(None, HistoryEntity::Policy, key, HistoryAction::Update)
        })?;
        Ok(before)
    }
}
