//! Writes one supplier record, already read and checked, inside the
//! import's transaction: upserts the supplier, adds claims, audits (sealing
//! submitted ones) and lots, and tallies what was new and what was already on
//! file. Conflicts with the database become problems; database errors stop
//! the import.

use super::State;
use crate::error::Result;
use crate::exchange::validate;
use crate::model::{Audit, AuditStatus, Lot, Supplier, SupplierRecord};
use crate::store::{LotInsert, NewLot, SupplierId};

impl State<'_, '_> {
    pub(super) fn store_supplier(&mut self, path: &str, record: &SupplierRecord) -> Result<()> {
        let supplier = self.upsert_supplier(&record.supplier)?;
        for claim in &record.claims {
            let added = self.writer.insert_claim(supplier, claim)?;
            if added { &mut self.inserted } else { &mut self.duplicates }.add("claims", 1);
        }
        self.store_audits(supplier, path, record)?;
        for lot in &record.lots {
            self.store_lot(supplier, lot)?;
        }
        Ok(())
    }

    fn upsert_supplier(&mut self, s: &Supplier) -> Result<SupplierId> {
        if let Some(id) = self.writer.read().supplier_id(&s.code)? {
            let changed = self.writer.update_supplier(id, s)?;
            if changed > 0 { &mut self.updated } else { &mut self.duplicates }.add("suppliers", 1);
            return Ok(id);
        }
        self.inserted.add("suppliers", 1);
        self.writer.insert_supplier(s)
    }

    /// Audits that amend another go after the others, so the original is
    /// on file (and sealed) by the time its amendment arrives.
    fn store_audits(&mut self, supplier: SupplierId, path: &str, record: &SupplierRecord) -> Result<()> {
        let mut order: Vec<usize> = (0..record.audits.len()).collect();
        order.sort_by_key(|i| record.audits[*i].amends.is_some());
        for i in order {
            self.store_audit(supplier, &record.supplier.code, &format!("{path}.audits[{i}]"), &record.audits[i])?;
        }
        Ok(())
    }

    fn store_audit(&mut self, supplier: SupplierId, code: &str, path: &str, audit: &Audit) -> Result<()> {
        let reader = self.writer.read();
        if reader.audit_id(&audit.id)?.is_some() {
            if self.audits_in_file.contains_key(&audit.id) {
                self.problem(format!("{path}.id"), "id", format!("audit `{}` appears twice in this file", audit.id));
            } else {
                self.audit_on_file(supplier, path, audit)?;
            }
            return Ok(());
        }
        if let Some(original) = &audit.amends
            && let Some(message) = self.amend_problem(code, original)?
        {
            self.problem(format!("{path}.amends"), "amends", message);
            return Ok(());
        }
        let id = self.writer.import_audit(supplier, audit)?;
        if audit.status == AuditStatus::Submitted {
            crate::workflow::seal(self.writer, id)?;
        }
        self.audits_in_file.insert(audit.id.clone(), (code.to_owned(), audit.status));
        self.inserted.add("audits", 1);
        self.inserted.add("answers", audit.answers.len() as u64);
        self.inserted.add("evidence", audit.evidence.len() as u64);
        self.inserted.add("findings", audit.findings.len() as u64);
        Ok(())
    }

    /// An audit reference already in the database: a duplicate if it is the
    /// same supplier's, a conflict otherwise.
    fn audit_on_file(&mut self, supplier: SupplierId, path: &str, audit: &Audit) -> Result<()> {
        let reader = self.writer.read();
        let existing = reader.audit(reader.require_audit(&audit.id)?)?;
        let ours = reader.supplier(supplier)?.code;
        if existing.supplier == ours {
            self.duplicates.add("audits", 1);
        } else {
            let message = format!(
                "audit `{}` is already on file for supplier `{}`; audit ids are unique across suppliers",
                audit.id, existing.supplier
            );
            self.problem(format!("{path}.id"), "id", message);
        }
        Ok(())
    }

    fn amend_problem(&self, code: &str, original: &str) -> Result<Option<String>> {
        let reader = self.writer.read();
        let Some(id) = reader.audit_id(original)? else {
            return Ok(Some(format!("names audit `{original}`, which is not on file or in this dossier")));
        };
        let row = reader.audit(id)?;
        Ok(if row.supplier != code {
            Some(format!(
                "names audit `{original}` of supplier `{}`; an amendment must be of the same supplier",
                row.supplier
            ))
        } else if row.audit.status != AuditStatus::Submitted {
            Some(format!("names audit `{original}`, which is a draft; only a submitted audit can be amended"))
        } else {
            None
        })
    }

    fn store_lot(&mut self, supplier: SupplierId, lot: &Lot) -> Result<()> {
        let day = lot.produced_on.to_string();
        let new = NewLot {
            lot: &lot.lot,
            sku: &lot.sku,
            process: lot.process,
            material: &lot.material,
            produced_on: &day,
            started: lot.started,
            passed_first: lot.passed_first,
            reworked: lot.reworked,
            scrapped: lot.scrapped,
        };
        let mut json = String::new();
        let has = validate::defects_json(lot.defects.iter().map(|(c, n)| (c.as_str(), *n)), &mut json);
        match self.lots.insert(supplier, &new, has.then_some(json.as_str()))? {
            LotInsert::Inserted => {
                self.inserted.add("lots", 1);
                *self.lots_per_supplier.entry(supplier).or_default() += 1;
            }
            LotInsert::Duplicate => self.duplicates.add("lots", 1),
        }
        Ok(())
    }
}
