//! Versions of the mutable fields: every value a field has held, with who
//! set it and when by the hybrid logical clock. The field's value is the
//! version with the latest clock (ties broken by the value, so every
//! database picks the same one), so two databases merge by taking the union
//! of their versions. A field with no version yet (set before versions were
//! kept) counts as set at the beginning of time.

use rusqlite::{OptionalExtension, params};

use super::{Reader, Writer};
use crate::error::Result;
use crate::model::Hlc;
use crate::model::merge::FieldValue;

/// The kinds of record with versioned fields (`field_versions.entity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Versioned {
    Supplier,
    Claim,
    Audit,
    Answer,
    Policy,
    Shortlist,
}

impl Versioned {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supplier => "supplier",
            Self::Claim => "claim",
            Self::Audit => "audit",
            Self::Answer => "answer",
            Self::Policy => "policy",
            Self::Shortlist => "shortlist",
        }
    }
}

/// The field (of entity `answer`, key `<audit gid> <question>`) that holds
/// the versions of a note on a question not answered yet.
pub(crate) const PENDING_NOTE: &str = "pending_note";

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub field: String,
    pub clock: Hlc,
    pub actor: String,
    pub value: Option<String>,
}

impl Version {
    pub fn as_field_value(&self) -> FieldValue {
        FieldValue { value: self.value.clone(), by: self.actor.clone(), clock: self.clock }
    }

    /// Whether `self` wins over `other`: the later clock, then the larger
    /// value (so the choice does not depend on which database decides).
    pub fn beats(&self, other: &Version) -> bool {
        (self.clock, &self.value) > (other.clock, &other.value)
    }
}

impl Writer<'_> {
    /// Records that this transaction set `field` of a record to `value`.
    pub(crate) fn record_version(&self, entity: Versioned, key: &str, field: &str, value: Option<&str>) -> Result<()> {
        let clock = self.clock()?;
        self.conn()
            .prepare_cached(
                "INSERT INTO field_versions (entity, key, field, clock, actor, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![entity.as_str(), key, field, clock, self.actor, value])?;
        Ok(())
    }

    /// Records a version of each field whose value `new` changes from `old`.
    pub(crate) fn record_changed_versions(
        &self,
        entity: Versioned,
        key: &str,
        old: &[(&str, Option<String>)],
        new: &[(&str, Option<String>)],
    ) -> Result<()> {
        for ((field, before), (_, after)) in old.iter().zip(new) {
            if before != after {
                self.record_version(entity, key, field, after.as_deref())?;
            }
        }
        Ok(())
    }

    /// Stores a version that arrived from elsewhere; `false` if it was here.
    pub(crate) fn insert_version(&self, entity: Versioned, key: &str, v: &Version) -> Result<bool> {
        let added = self
            .conn()
            .prepare_cached(
                "INSERT INTO field_versions (entity, key, field, clock, actor, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![entity.as_str(), key, v.field, v.clock, v.actor, v.value])?;
        Ok(added == 1)
    }
}

impl Reader<'_> {
    /// Every version of one record's fields, oldest first.
    pub fn versions(&self, entity: Versioned, key: &str) -> Result<Vec<Version>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT field, clock, actor, value FROM field_versions WHERE entity = ?1 AND key = ?2
             ORDER BY field, clock",
        )?;
        let rows = stmt.query_map(params![entity.as_str(), key], |r| {
            Ok(Version { field: r.get(0)?, clock: r.get(1)?, actor: r.get(2)?, value: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The winning version of one field, if it has any.
    pub fn latest_version(&self, entity: Versioned, key: &str, field: &str) -> Result<Option<Version>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT clock, actor, value FROM field_versions WHERE entity = ?1 AND key = ?2 AND field = ?3
                 ORDER BY clock DESC, value DESC LIMIT 1",
            )?
            .query_row(params![entity.as_str(), key, field], |r| {
                Ok(Version { field: field.to_owned(), clock: r.get(0)?, actor: r.get(1)?, value: r.get(2)? })
            })
            .optional()?)
    }

    /// Every record key of `entity` that has versions.
    pub fn versioned_keys(&self, entity: Versioned) -> Result<Vec<String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT DISTINCT key FROM field_versions WHERE entity = ?1 ORDER BY key")?;
        let rows = stmt.query_map([entity.as_str()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
