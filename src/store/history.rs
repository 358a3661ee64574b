//! The append-only history of every change made through casebook: what
//! changed, old → new, when and by whom. Triggers forbid editing it.

use rusqlite::params;
use serde::Serialize;

use super::{Reader, SupplierId, Writer};
use crate::error::Result;

/// One change to record. `field` is `None` for whole-record actions.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub supplier: Option<SupplierId>,
    pub entity: &'a str,
    pub key: &'a str,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub supplier: Option<String>,
    pub entity: String,
    pub key: String,
    pub action: String,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Writer<'_> {
    pub(crate) fn record(&self, change: &Change<'_>) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO history (at, actor, supplier_id, entity, entity_key, action, field, old_value, new_value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                self.at,
                self.actor,
                change.supplier.map(|s| s.0),
                change.entity,
                change.key,
                change.action,
                change.field,
                change.old,
                change.new
            ])?;
        Ok(())
    }

    /// Records one `update` row per field whose value differs.
    pub(crate) fn record_diff(
        &self,
        base: &Change<'_>,
        old: &[(&str, Option<String>)],
        new: &[(&str, Option<String>)],
    ) -> Result<usize> {
        let mut changed = 0;
        for ((field, before), (_, after)) in old.iter().zip(new) {
            if before != after {
                self.record(&Change {
                    action: "update",
                    field: Some(field),
                    old: before.as_deref(),
                    new: after.as_deref(),
                    ..base.clone()
                })?;
                changed += 1;
            }
        }
        Ok(changed)
    }
}

impl Reader<'_> {
    /// History of one supplier (or, with `None`, of changes not tied to one,
    /// such as policy), oldest first.
    pub fn history(&self, supplier: Option<SupplierId>) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value, h.new_value
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id
             WHERE h.supplier_id IS ?1 ORDER BY h.id",
        )?;
        let rows = stmt.query_map([supplier.map(|s| s.0)], |r| {
            Ok(HistoryEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                supplier: r.get(2)?,
                entity: r.get(3)?,
                key: r.get(4)?,
                action: r.get(5)?,
                field: r.get(6)?,
                old: r.get(7)?,
                new: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
