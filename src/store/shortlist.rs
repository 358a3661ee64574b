//! The buyer's shortlist: suppliers marked for a side-by-side comparison.
//! Each mark and unmark is recorded in history (entity `shortlist`).

use rusqlite::params;

use super::{Change, Reader, SupplierId, Writer};
use crate::error::Result;
use crate::model::{HistoryAction, HistoryEntity};

/// A shortlisted supplier and when it was added (an RFC 3339 stamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortlistEntry {
    pub id: SupplierId,
    pub code: String,
    pub added_at: String,
}

impl Reader<'_> {
    /// The shortlist in the order suppliers were added (then by code).
    pub fn shortlist(&self) -> Result<Vec<ShortlistEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.code, l.added_at FROM shortlist l JOIN suppliers s ON s.id = l.supplier_id
             ORDER BY l.added_at, s.code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ShortlistEntry { id: SupplierId(r.get(0)?), code: r.get(1)?, added_at: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Writer<'_> {
    /// Adds a supplier to the shortlist; `false` when it was already on it
    /// (nothing is changed or recorded then).
    pub fn shortlist_add(&self, id: SupplierId) -> Result<bool> {
        // Stamped with the clock reading the mark's version carries, which is
        // what every other database that merges the mark stamps it with.
        let at = self.clock()?.stamp().unwrap_or_else(|| self.at.clone());
        let added = self
            .conn()
            .prepare_cached("INSERT INTO shortlist (supplier_id, added_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
            .execute(params![id.0, at])?;
        if added == 1 {
            self.record_shortlist(id, HistoryAction::Create)?;
        }
        Ok(added == 1)
    }

    /// Removes a supplier from the shortlist; `false` when it was not on it.
    pub fn shortlist_remove(&self, id: SupplierId) -> Result<bool> {
        let removed =
            self.conn().prepare_cached("DELETE FROM shortlist WHERE supplier_id = ?1")?.execute(params![id.0])?;
        if removed == 1 {
            self.record_shortlist(id, HistoryAction::Delete)?;
        }
        Ok(removed == 1)
    }

    fn record_shortlist(&self, id: SupplierId, action: HistoryAction) -> Result<()> {
        let code = self.read().supplier(id)?.code;
        let marked = if action == HistoryAction::Create { "1" } else { "0" };
        self.record_version(super::versions::Versioned::Shortlist, &code, "marked", Some(marked))?;
        self.record(&Change::of(Some(id), HistoryEntity::Shortlist, &code, action))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{BusinessType, HistoryEntity, Models, Supplier};
    use crate::store::{Store, SupplierId};

    fn supplier(code: &str) -> Supplier {
        Supplier {
            code: code.to_owned(),
            name: format!("{code} Ltd."),
            country: "CN".to_owned(),
            city: None,
            business_type: BusinessType::Manufacturer,
            models: Models { oem: true, odm: false },
            moq: None,
            dev_lead_days: None,
            notes: None,
        }
    }

    fn store_with(codes: &[&str]) -> (Store, Vec<SupplierId>) {
        let mut store = Store::open_in_memory().unwrap();
        let w = store.begin("tester").unwrap();
        let ids = codes.iter().map(|c| w.insert_supplier(&supplier(c)).unwrap()).collect();
        w.commit().unwrap();
        (store, ids)
    }

    #[test]
    fn add_and_remove_are_idempotent_and_recorded() {
        let (mut store, ids) = store_with(&["SZ-A", "SZ-B"]);
        let w = store.begin("buyer").unwrap();
        assert!(w.shortlist_add(ids[1]).unwrap());
        assert!(!w.shortlist_add(ids[1]).unwrap());
        assert!(w.shortlist_add(ids[0]).unwrap());
        w.commit().unwrap();
        let codes: Vec<String> = store.read().shortlist().unwrap().into_iter().map(|e| e.code).collect();
        // Same stamp within one transaction: ties go by code.
        assert_eq!(codes, ["SZ-A", "SZ-B"]);

        let w = store.begin("buyer").unwrap();
        assert!(w.shortlist_remove(ids[0]).unwrap());
        assert!(!w.shortlist_remove(ids[0]).unwrap());
        w.commit().unwrap();
        let codes: Vec<String> = store.read().shortlist().unwrap().into_iter().map(|e| e.code).collect();
        assert_eq!(codes, ["SZ-B"]);

        let history = store.read().history(Some(ids[0])).unwrap();
        let actions: Vec<(&str, &str)> = history
            .iter()
            .filter(|h| h.entity == HistoryEntity::Shortlist)
            .map(|h| (h.action.as_str(), h.key.as_str()))
            .collect();
        assert_eq!(actions, [("create", "SZ-A"), ("delete", "SZ-A")]);
        assert!(history.iter().all(|h| h.entity != HistoryEntity::Shortlist || h.actor == "buyer"));
    }

    #[test]
    fn a_rolled_back_mark_leaves_nothing() {
        let (mut store, ids) = store_with(&["SZ-A"]);
        {
            let w = store.begin("buyer").unwrap();
            w.shortlist_add(ids[0]).unwrap();
        }
        assert!(store.read().shortlist().unwrap().is_empty());
        assert!(store.read().history(Some(ids[0])).unwrap().iter().all(|h| h.entity != HistoryEntity::Shortlist));
    }
}
