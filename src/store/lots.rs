//! Yield lots and their defect counts.
//!
//! Imports stream through [`LotWriter`], which keeps its statements prepared
//! for the whole transaction. Every lot records the import and source line it
//! came from, which lets the importer tell "already in the database" from
//! "twice in this file" (and name the first line) without remembering keys.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{CachedStatement, OptionalExtension, params};

use super::{Change, Reader, SupplierId, Writer, parse_date};
use crate::error::Result;
use crate::model::{Lot, Process};

/// A lot to insert, borrowing its text from the parser's buffer.
#[derive(Debug, Clone, Copy)]
pub struct NewLot<'a> {
    pub lot: &'a str,
    pub sku: &'a str,
    pub process: Process,
    pub material: &'a str,
    /// Already validated, in `YYYY-MM-DD` form.
    pub produced_on: &'a str,
    pub started: u32,
    pub passed_first: u32,
    pub reworked: u32,
    pub scrapped: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotInsert {
    Inserted,
    /// The supplier already had this lot code before this import began.
    Duplicate,
    /// Inserted earlier by this same import (from this line, if it had one).
    RepeatedInImport { first_line: Option<u32> },
}

/// Where an import's lots come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    LotsCsv,
    Dossier,
    Form,
}

impl ImportSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::LotsCsv => "lots_csv",
            Self::Dossier => "dossier",
            Self::Form => "form",
        }
    }
}

pub struct LotWriter<'w> {
    insert: CachedStatement<'w>,
    defect: CachedStatement<'w>,
    find: CachedStatement<'w>,
    import: i64,
}

impl LotWriter<'_> {
    pub fn insert(
        &mut self,
        supplier: SupplierId,
        lot: &NewLot<'_>,
        defects: &[(&str, u32)],
        line: Option<u32>,
    ) -> Result<LotInsert> {
        let inserted = self.insert.execute(params![
            supplier.0,
            lot.lot,
            lot.sku,
            lot.process,
            lot.material,
            lot.produced_on,
            lot.started,
            lot.passed_first,
            lot.reworked,
            lot.scrapped,
            self.import,
            line
        ])?;
        if inserted == 0 {
            let (import, first_line): (i64, Option<u32>) =
                self.find.query_row(params![supplier.0, lot.lot], |r| Ok((r.get(0)?, r.get(1)?)))?;
            return Ok(if import == self.import { LotInsert::RepeatedInImport { first_line } } else { LotInsert::Duplicate });
        }
        for (code, count) in defects.iter().filter(|(_, n)| *n > 0) {
            self.defect.execute(params![supplier.0, lot.lot, code, count])?;
        }
        Ok(LotInsert::Inserted)
    }
}

/// Narrows the lots of one supplier.
#[derive(Debug, Clone, Default)]
pub struct LotFilter {
    pub process: Option<Process>,
    pub material: Option<String>,
    pub sku: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Writer<'_> {
    /// Opens an import: records where the lots come from and prepares the
    /// statements that insert them.
    pub fn lot_writer(&self, source: &str, kind: ImportSource) -> Result<LotWriter<'_>> {
        self.conn()
            .prepare_cached("INSERT INTO imports (source, format, at, actor) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![source, kind.as_str(), self.at, self.actor])?;
        Ok(LotWriter {
            insert: self.conn().prepare_cached(
                "INSERT INTO lots (supplier_id, lot, sku, process, material, produced_on, started, passed_first,
                                   reworked, scrapped, import_id, source_line)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (supplier_id, lot) DO NOTHING",
            )?,
            defect: self
                .conn()
                .prepare_cached("INSERT INTO lot_defects (supplier_id, lot, code, count) VALUES (?1, ?2, ?3, ?4)")?,
            find: self.conn().prepare_cached("SELECT import_id, source_line FROM lots WHERE supplier_id = ?1 AND lot = ?2")?,
            import: self.conn().last_insert_rowid(),
        })
    }

    /// One history row per supplier per import, not one per lot.
    pub fn record_lot_import(&self, supplier: SupplierId, inserted: usize, source: &str) -> Result<()> {
        let what = format!("{inserted} lots from {source}");
        self.record(&Change {
            supplier: Some(supplier),
            entity: "lots",
            key: source,
            action: "import",
            new: Some(&what),
            ..Change::default()
        })
    }
}

impl Reader<'_> {
    /// A supplier's lots in chart order (date, then lot code), with defects.
    pub fn lots(&self, supplier: SupplierId, filter: &LotFilter) -> Result<Vec<Lot>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped
             FROM lots WHERE supplier_id = ?1
               AND (?2 IS NULL OR process = ?2) AND (?3 IS NULL OR material = ?3) AND (?4 IS NULL OR sku = ?4)
               AND (?5 IS NULL OR produced_on >= ?5) AND (?6 IS NULL OR produced_on <= ?6)
             ORDER BY produced_on, lot",
        )?;
        let rows = stmt.query_map(
            params![
                supplier.0,
                filter.process,
                filter.material,
                filter.sku,
                filter.since.map(|d| d.to_string()),
                filter.until.map(|d| d.to_string())
            ],
            |r| {
                Ok(Lot {
                    lot: r.get(0)?,
                    sku: r.get(1)?,
                    process: r.get(2)?,
                    material: r.get(3)?,
                    produced_on: parse_date(&r.get::<_, String>(4)?)?,
                    started: r.get(5)?,
                    passed_first: r.get(6)?,
                    reworked: r.get(7)?,
                    scrapped: r.get(8)?,
                    defects: Vec::new(),
                })
            },
        )?;
        let mut lots: Vec<Lot> = rows.collect::<rusqlite::Result<_>>()?;
        let mut defects = self.defects_of(supplier)?;
        for lot in &mut lots {
            lot.defects = defects.remove(&lot.lot).unwrap_or_default();
        }
        Ok(lots)
    }

    fn defects_of(&self, supplier: SupplierId) -> Result<HashMap<String, Vec<(String, u32)>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT lot, code, count FROM lot_defects WHERE supplier_id = ?1 ORDER BY lot, code")?;
        let mut out: HashMap<String, Vec<(String, u32)>> = HashMap::new();
        let mut rows = stmt.query([supplier.0])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
        }
        Ok(out)
    }

    /// The distinct processes, materials and SKUs of a supplier's lots (for filters).
    pub fn lot_dimensions(&self, supplier: SupplierId) -> Result<(Vec<Process>, Vec<String>, Vec<String>)> {
        let distinct = |column: &str| -> Result<Vec<String>> {
            let sql = format!("SELECT DISTINCT {column} FROM lots WHERE supplier_id = ?1 ORDER BY 1");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([supplier.0], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let processes = distinct("process")?.iter().filter_map(|p| Process::parse(p)).collect();
        Ok((processes, distinct("material")?, distinct("sku")?))
    }

    pub fn lot_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM lots", [], |r| r.get(0))?)
    }

    pub fn lot_exists(&self, supplier: SupplierId, lot: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM lots WHERE supplier_id = ?1 AND lot = ?2")?
            .query_row(params![supplier.0, lot], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
