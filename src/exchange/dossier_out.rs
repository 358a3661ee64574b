//! The dossier exporter. Suppliers are loaded and written one at a time, so a
//! database of a million lots exports in the memory of its largest supplier.
//! Orderings are fixed (suppliers by code, claims by date, audits by visit,
//! lots by date and code, annotations by day, lot and id, plans by day and
//! id), so export → import → export is byte-identical. The document is
//! `casebook-dossier/2` when a supplier exported has annotations or control
//! plans, else `casebook-dossier/1`, which older casebooks read.

use std::cell::RefCell;
use std::io::Write;

use serde::ser::{Error as _, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::{DOSSIER_FORMAT, DOSSIER_FORMAT_2, DOSSIER_FORMAT_3, SupplierRecord};
use crate::store::hub::Batch;
use crate::store::{LotFilter, PushScope, Reader, RowShape, Store, SupplierId};

/// Loads one supplier with everything recorded about it.
pub fn supplier_record(read: Reader<'_>, id: SupplierId) -> Result<SupplierRecord> {
    Ok(SupplierRecord {
        supplier: read.supplier(id)?,
        claims: read.claims(id)?.into_iter().map(|(_, c)| c).collect(),
        audits: read.audits(id)?.into_iter().map(|row| row.audit).collect(),
        lots: read.lots(id, &LotFilter::default())?,
        annotations: read.annotations(id)?,
        control_plans: read.plans(id)?,
    })
}

/// The suppliers to export: all, or those named (each must exist).
fn select(read: Reader<'_>, codes: &[String]) -> Result<Vec<SupplierId>> {
    if codes.is_empty() {
        return Ok(read.suppliers()?.into_iter().map(|(id, _)| id).collect());
    }
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        let id = read.require_supplier(code)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    // Same order as a full export, whatever order the codes were given in.
    let mut by_code: Vec<(String, SupplierId)> =
        ids.into_iter().map(|id| Ok((read.supplier(id)?.code, id))).collect::<Result<_>>()?;
    by_code.sort();
    Ok(by_code.into_iter().map(|(_, id)| id).collect())
}

struct LazyDossier<'s> {
    read: Reader<'s>,
    ids: Vec<SupplierId>,
    /// `casebook-dossier/3`: these records follow the readable part.
    records: Option<Batch>,
    /// Some supplier has annotations or control plans.
    format_2: bool,
    /// The first load error, kept because serde's errors carry only text.
    failure: RefCell<Option<Error>>,
}

impl Serialize for LazyDossier<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut doc = s.serialize_struct("Dossier", 3)?;
        let format = match (&self.records, self.format_2) {
            (Some(_), _) => DOSSIER_FORMAT_3,
            (None, true) => DOSSIER_FORMAT_2,
            (None, false) => DOSSIER_FORMAT,
        };
        doc.serialize_field("format", format)?;
        doc.serialize_field("suppliers", &LazySuppliers(self))?;
        if let Some(records) = &self.records {
            doc.serialize_field("records", records)?;
        }
        doc.end()
    }
}

struct LazySuppliers<'d, 's>(&'d LazyDossier<'s>);

impl Serialize for LazySuppliers<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.ids.len()))?;
        for id in &self.0.ids {
            match supplier_record(self.0.read, *id) {
                Ok(record) => seq.serialize_element(&record)?,
                Err(e) => {
                    let message = e.to_string();
                    self.0.failure.replace(Some(e));
                    return Err(S::Error::custom(message));
                }
            }
        }
        seq.end()
    }
}

/// Writes the dossier of the given suppliers (all when `codes` is empty),
/// pretty-printed with a final newline: `casebook-dossier/3` with every
/// record whole, or with `plain` the readable part alone (`/1`, or `/2`
/// when a supplier has annotations or control plans).
pub fn export(store: &Store, codes: &[String], plain: bool, out: &mut dyn Write) -> Result<usize> {
    let read = store.read();
    let ids = select(read, codes)?;
    let format_2 = read.has_control_records(&ids)?;
    let records = if plain { None } else { Some(records(store, &ids, codes.is_empty())?) };
    let doc = LazyDossier { read, ids, records, format_2, failure: RefCell::new(None) };
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    if let Err(e) = serde_json::to_writer_pretty(&mut buffered, &doc) {
        return Err(doc.failure.take().unwrap_or_else(|| Error::Io(std::io::Error::other(e))));
    }
    buffered.write_all(b"\n")?;
    buffered.flush()?;
    Ok(doc.ids.len())
}

/// The records of a `/3` document: everything the suppliers have (of lots
/// only the voided ones: the others are in the readable part), the policy
/// and history of no supplier when all are exported, and the files of the
/// attachments from this database's file store.
fn records(store: &Store, ids: &[SupplierId], all: bool) -> Result<Batch> {
    let scope = PushScope { all, suppliers: ids.to_vec(), global: all, shape: RowShape::Dossier };
    let mut batch = store.read().hub_rows(&scope)?;
    batch.attach_files(store.path());
    Ok(batch)
}
