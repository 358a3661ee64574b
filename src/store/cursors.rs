//! Where the auditor left off in each draft audit (the UI's audit editor):
//! one row per audit, replaced as the selection moves. Not history: moving
//! through a checklist changes nothing on record.

use rusqlite::{OptionalExtension, params};

use super::{Reader, Writer};
use crate::error::Result;

impl Writer<'_> {
    /// Remembers `question` as the one last selected in `audit`.
    pub fn set_audit_cursor(&self, audit: i64, question: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO audit_cursors (audit_id, question, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (audit_id) DO UPDATE SET question = excluded.question, updated_at = excluded.updated_at",
            )?
            .execute(params![audit, question, self.at])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The question last selected in `audit`, if any.
    pub fn audit_cursor(&self, audit: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT question FROM audit_cursors WHERE audit_id = ?1")?
            .query_row([audit], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{AuditKind, DEFAULT_TEMPLATE, Models, Supplier};
    use crate::store::{NewAudit, Store};

    #[test]
    fn the_cursor_is_replaced_and_goes_with_a_deleted_draft() {
        let mut store = Store::open_in_memory().unwrap();
        let w = store.begin("t").unwrap();
        let supplier = Supplier {
            code: "S-1".into(),
            name: "S".into(),
            country: "CN".into(),
            city: None,
            business_type: crate::model::BusinessType::Unknown,
            models: Models::default(),
            moq: None,
            dev_lead_days: None,
            notes: None,
        };
        let id = w.insert_supplier(&supplier).unwrap();
        let new = NewAudit {
            reference: None,
            auditor: "t",
            visited_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            kind: AuditKind::OnSite,
            template: DEFAULT_TEMPLATE,
            summary: None,
            amends: None,
        };
        let (audit, _) = w.create_audit(id, &new).unwrap();
        assert_eq!(w.read().audit_cursor(audit).unwrap(), None);
        let before = w.read().history(Some(id)).unwrap().len();
        w.set_audit_cursor(audit, "LG-02").unwrap();
        w.set_audit_cursor(audit, "MC-03").unwrap();
        assert_eq!(w.read().audit_cursor(audit).unwrap().as_deref(), Some("MC-03"));
        w.commit().unwrap();
        assert_eq!(store.read().history(Some(id)).unwrap().len(), before, "a cursor is not history");
        // A draft's cursor goes with the draft.
        store.conn().execute("DELETE FROM audits WHERE id = ?1", [audit]).unwrap();
        assert_eq!(store.read().audit_cursor(audit).unwrap(), None);
    }
}
