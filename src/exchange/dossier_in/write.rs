//! Writes one supplier record, already read and checked, inside the
//! import's transaction: upserts the supplier, adds claims, audits (sealing
//! submitted ones) and lots, and tallies what was new and what was already on
//! file. Conflicts with the database become problems; database errors stop
//! the import.

use super::State;
use super::supplier::Incoming;
use crate::error::Result;
use crate::exchange::sorted_lots::SortedLots;
use crate::exchange::{Location, Problem};
use crate::model::validate::FieldError;
use crate::model::{Audit, AuditStatus, LotText, Supplier};
use crate::store::{LotInsert, SupplierId};

impl State<'_, '_> {
    /// Annotations and control plans go last: an annotation names a lot.
    pub(super) fn store_supplier(&mut self, path: &str, record: &Incoming, lots: SortedLots) -> Result<()> {
        let supplier = self.upsert_supplier(&record.supplier)?;
        for claim in &record.claims {
            let added = self.writer.insert_claim(supplier, claim)?;
            if added { &mut self.out.inserted } else { &mut self.out.duplicates }.add("claims", 1);
        }
        self.store_audits(supplier, &record.supplier.code, path, &record.audits)?;
        self.store_lots(Some(supplier), path, lots)?;
        for (i, annotation) in record.annotations.iter().enumerate() {
            self.store_annotation(supplier, &format!("{path}.annotations[{i}]"), annotation)?;
        }
        for (i, plan) in record.control_plans.iter().enumerate() {
            self.store_plan(supplier, &format!("{path}.control_plans[{i}]"), plan)?;
        }
        Ok(())
    }

    fn upsert_supplier(&mut self, s: &Supplier) -> Result<SupplierId> {
        if let Some(id) = self.writer.read().supplier_id(&s.code)? {
            let changed = self.writer.update_supplier(id, s)?;
            if changed > 0 { &mut self.out.updated } else { &mut self.out.duplicates }.add("suppliers", 1);
            return Ok(id);
        }
        self.out.inserted.add("suppliers", 1);
        self.writer.insert_supplier(s)
    }

    /// Audits that amend another go after the others, so the original is
    /// on file (and sealed) by the time its amendment arrives.
    fn store_audits(&mut self, supplier: SupplierId, code: &str, path: &str, audits: &[Audit]) -> Result<()> {
        let mut order: Vec<usize> = (0..audits.len()).collect();
        order.sort_by_key(|i| audits[*i].amends.is_some());
        for i in order {
            self.store_audit(supplier, code, &format!("{path}.audits[{i}]"), &audits[i])?;
        }
        Ok(())
    }

    fn store_audit(&mut self, supplier: SupplierId, code: &str, path: &str, audit: &Audit) -> Result<()> {
        // A `/3` document's readable part may hold two audits with one
        // reference (its records tell them apart by gid).
        let shared = self.team && self.audits_in_file.contains(&audit.id);
        if !shared && let Some((owner, _)) = self.writer.read().audit_owner(&audit.id)? {
            if self.audits_in_file.contains(&audit.id) {
                self.problem(format!("{path}.id"), "id", format!("audit `{}` appears twice in this file", audit.id));
            } else if owner == code {
                // Already on file for this supplier; a submitted audit is never rewritten.
                self.out.duplicates.add("audits", 1);
            } else {
                let message = format!(
                    "audit `{}` is already on file for supplier `{owner}`; audit ids are unique across suppliers",
                    audit.id
                );
                self.problem(format!("{path}.id"), "id", message);
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
        self.audits_in_file.insert(audit.id.clone());
        let inserted = &mut self.out.inserted;
        inserted.add("audits", 1);
        inserted.add("answers", audit.answers.len() as u64);
        inserted.add("evidence", audit.evidence.len() as u64);
        inserted.add("findings", audit.findings.len() as u64);
        Ok(())
    }

    fn amend_problem(&self, code: &str, original: &str) -> Result<Option<String>> {
        let Some((owner, status)) = self.writer.read().audit_owner(original)? else {
            return Ok(Some(format!("names audit `{original}`, which is not on file or in this dossier")));
        };
        Ok(if owner != code {
            Some(format!("names audit `{original}` of supplier `{owner}`; an amendment must be of the same supplier"))
        } else if status != AuditStatus::Submitted {
            Some(format!("names audit `{original}`, which is a draft; only a submitted audit can be amended"))
        } else {
            None
        })
    }

    /// Goes through a supplier's lots in code order: a lot repeated within
    /// the supplier is a problem; the others are inserted when there is a
    /// `supplier` to insert them for.
    pub(super) fn store_lots(&mut self, supplier: Option<SupplierId>, path: &str, lots: SortedLots) -> Result<()> {
        let mut previous: Option<(LotText, u64)> = None;
        lots.drain(|staged| {
            let row = &staged.row;
            if let Some((_, first)) = previous.as_ref().filter(|(lot, _)| *lot == row.lot) {
                let message = format!("appears twice in this supplier's lots (first at lots[{first}])");
                let at = format!("{path}.lots[{}].lot", staged.line);
                self.out
                    .problems
                    .push(Problem::at(Location::Path(at), FieldError::new("lot", Some(&row.lot), message)));
                return Ok(());
            }
            previous = Some((row.lot.clone(), staged.line));
            let Some(supplier) = supplier else { return Ok(()) };
            match self.lots.insert(supplier, row)? {
                LotInsert::Inserted => {
                    self.out.inserted.add("lots", 1);
                    *self.out.lots_per_supplier.entry(supplier).or_default() += 1;
                }
                LotInsert::Duplicate => self.out.duplicates.add("lots", 1),
            }
            Ok(())
        })
    }
}
