//! Yield lots and their defect counts.
//!
//! Imports stream through [`LotWriter`], which keeps its insert prepared for
//! the whole transaction. (Repeats within one file are found by the importer,
//! which sees a file's rows sorted by key; the writer only reports lots the
//! supplier already had.)

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{CachedStatement, OptionalExtension, params};

use super::{Change, Reader, SupplierId, Writer, date_at, parse_date};
use crate::error::Result;
use crate::model::{HistoryAction, HistoryEntity, Lot, Process};

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
    /// The supplier already has a lot with this code; nothing was changed.
    Duplicate,
}

pub struct LotWriter<'w> {
    exists: CachedStatement<'w>,
    insert: CachedStatement<'w>,
    /// Still to do before the first insert: suspend `lots_key_taken`.
    suspend: Option<Box<dyn FnOnce() -> Result<()> + 'w>>,
}

impl LotWriter<'_> {
    /// Inserts a lot; `defects` is its counts as compact JSON (see
    /// `exchange::validate::defects_json`), `None` when it has none.
    pub fn insert(&mut self, supplier: SupplierId, lot: &NewLot<'_>, defects: Option<&str>) -> Result<LotInsert> {
        // The schema refuses a taken key (even to `ON CONFLICT DO NOTHING`):
        // a lot is never replaced. So look first. (`INSERT … SELECT … WHERE
        // NOT EXISTS` would read the table it writes, which makes SQLite
        // buffer every row in a temporary table: twice the import's time.)
        if self.exists.exists(params![supplier.0, lot.lot])? {
            return Ok(LotInsert::Duplicate);
        }
        if let Some(suspend) = self.suspend.take() {
            suspend()?;
        }
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
            defects
        ])?;
        Ok(if inserted == 1 { LotInsert::Inserted } else { LotInsert::Duplicate })
    }
}

/// Reads the `defects` column back into (code, count) pairs, sorted by code.
/// A count written with an exponent (`1e3`, which the CHECK lets through)
/// is read as the whole number it is.
pub(crate) fn parse_defects(json: Option<&str>) -> rusqlite::Result<Vec<(String, u32)>> {
    let Some(json) = json else { return Ok(Vec::new()) };
    let bad =
        |message: String| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, message.into());
    let map: std::collections::BTreeMap<String, serde_json::Number> =
        serde_json::from_str(json).map_err(|e| bad(format!("lots.defects {json:?}: {e}")))?;
    map.into_iter()
        .map(|(code, n)| {
            let whole = n.as_u64().or_else(|| {
                // 1e3 and the like: whole, positive and within range, so the cast is exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                n.as_f64().filter(|f| f.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(f)).map(|f| f as u64)
            });
            match whole.and_then(|w| u32::try_from(w).ok()) {
                Some(count) => Ok((code, count)),
                None => Err(bad(format!("lots.defects {json:?}: `{code}` is not a whole count"))),
            }
        })
        .collect()
}

/// A lot from the columns `lot, sku, process, material, produced_on, started,
/// passed_first, reworked, scrapped, defects`, in that order.
pub(crate) fn lot_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Lot> {
    Ok(Lot {
        lot: r.get(0)?,
        sku: r.get(1)?,
        process: r.get(2)?,
        material: r.get(3)?,
        produced_on: date_at(r, 4)?,
        started: r.get(5)?,
        passed_first: r.get(6)?,
        reworked: r.get(7)?,
        scrapped: r.get(8)?,
        defects: parse_defects(r.get_ref(9)?.as_str_or_null()?)?,
    })
}

/// A lot as the all-supplier scan sees it (from the covering index only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotPoint<'a> {
    pub lot: &'a str,
    /// `YYYY-MM-DD`.
    pub produced_on: &'a str,
    pub started: u32,
    pub passed_first: u32,
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
    /// Prepares the statements an import inserts lots with.
    ///
    /// The schema's `lots_key_taken` trigger (a lot is never replaced) costs
    /// as much as the rest of a large import (BENCHMARKS.md), and the writer
    /// guarantees the same by looking each key up first. So, from the first
    /// lot inserted, it is dropped for the rest of this transaction and
    /// created again before it commits: other connections never see it
    /// missing, and an import of nothing but duplicates changes nothing.
    pub fn lot_writer(&self) -> Result<LotWriter<'_>> {
        Ok(LotWriter {
            suspend: Some(Box::new(move || self.suspend_trigger("lots_key_taken"))),
            exists: self.conn().prepare_cached("SELECT 1 FROM lots WHERE supplier_id = ?1 AND lot = ?2")?,
            insert: self.conn().prepare_cached(
                "INSERT INTO lots (supplier_id, lot, sku, process, material, produced_on, started, passed_first,
                                   reworked, scrapped, defects)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
        })
    }

    /// Inserts one lot entered by hand, recorded in history (an import
    /// records one row per file instead).
    pub fn add_lot(&self, supplier: SupplierId, lot: &NewLot<'_>, defects: Option<&str>) -> Result<LotInsert> {
        let inserted = self.lot_writer()?.insert(supplier, lot, defects)?;
        if inserted == LotInsert::Inserted {
            let what = format!(
                "{} {} {} {}: {} of {} passed first time",
                lot.sku, lot.process, lot.material, lot.produced_on, lot.passed_first, lot.started
            );
            self.record(&Change {
                new: Some(&what),
                ..Change::of(Some(supplier), HistoryEntity::Lots, lot.lot, HistoryAction::Create)
            })?;
        }
        Ok(inserted)
    }

    /// One history row per supplier per import, not one per lot.
    /// One history row per supplier that an import added lots to.
    pub fn record_lot_imports(&self, inserted: &HashMap<SupplierId, usize>, source: &str) -> Result<()> {
        for (supplier, n) in inserted {
            let what = format!("{n} lots from {source}");
            self.record(&Change {
                new: Some(&what),
                ..Change::of(Some(*supplier), HistoryEntity::Lots, source, HistoryAction::Import)
            })?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// A supplier's lots in force (voided ones are left out; see
    /// [`Reader::voided_lots`]) in chart order (date, then lot code), with defects.
    pub fn lots(&self, supplier: SupplierId, filter: &LotFilter) -> Result<Vec<Lot>> {
        self.filtered_lots(supplier, filter, false, lot_from_row)
    }

    /// A supplier's lots, voided (`voided`) or in force, narrowed by
    /// `filter`, in chart order; `item` reads a row whose first columns are
    /// those of [`lot_from_row`], followed by `voided_at, voided_by, void_reason`.
    pub(crate) fn filtered_lots<T>(
        &self,
        supplier: SupplierId,
        filter: &LotFilter,
        voided: bool,
        item: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let state = if voided { "IS NOT NULL" } else { "IS NULL" };
        let sql = format!(
            "SELECT lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped, defects,
                    voided_at, voided_by, void_reason
             FROM lots WHERE supplier_id = ?1 AND voided_at {state}
               AND (?2 IS NULL OR process = ?2) AND (?3 IS NULL OR material = ?3) AND (?4 IS NULL OR sku = ?4)
               AND (?5 IS NULL OR produced_on >= ?5) AND (?6 IS NULL OR produced_on <= ?6)
             ORDER BY produced_on, lot"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                supplier.0,
                filter.process,
                filter.material,
                filter.sku,
                filter.since.map(|d| d.to_string()),
                filter.until.map(|d| d.to_string())
            ],
            item,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The distinct processes, materials and SKUs of a supplier's lots (for filters).
    pub fn lot_dimensions(&self, supplier: SupplierId) -> Result<(Vec<Process>, Vec<String>, Vec<String>)> {
        let distinct = |column: &str| -> Result<Vec<String>> {
            let sql =
                format!("SELECT DISTINCT {column} FROM lots WHERE supplier_id = ?1 AND voided_at IS NULL ORDER BY 1");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([supplier.0], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let processes = distinct("process")?.iter().filter_map(|p| Process::parse(p)).collect();
        Ok((processes, distinct("material")?, distinct("sku")?))
    }

    /// Calls `visit` for every lot in force produced in `since..=until`, grouped by
    /// supplier (ascending id), in chart order within each (date, lot). One
    /// seek per supplier into the covering index, then a range scan: no table
    /// look-ups and no sort, however many lots there are.
    pub fn scan_lots(
        &self,
        only: Option<SupplierId>,
        since: NaiveDate,
        until: NaiveDate,
        visit: impl FnMut(SupplierId, LotPoint<'_>),
    ) -> Result<()> {
        let ids = only.map_or((i64::MIN, i64::MAX), |id| (id.0, id.0));
        self.scan_lots_between(ids, since, until, visit)
    }

    /// [`Reader::scan_lots`] for the suppliers whose ids lie in `first..=last`
    /// (so several threads can each scan a share).
    pub fn scan_lots_between(
        &self,
        (first, last): (i64, i64),
        since: NaiveDate,
        until: NaiveDate,
        mut visit: impl FnMut(SupplierId, LotPoint<'_>),
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.supplier_id, l.produced_on, l.started, l.passed_first, l.lot
             FROM suppliers s JOIN lots l INDEXED BY lots_by_supplier_date
               ON l.supplier_id = s.id AND l.produced_on BETWEEN ?1 AND ?2 AND l.voided_at IS NULL
             WHERE s.id BETWEEN ?3 AND ?4 ORDER BY s.id, l.produced_on, l.lot",
        )?;
        let mut rows = stmt.query(params![since.to_string(), until.to_string(), first, last])?;
        while let Some(r) = rows.next()? {
            let point = LotPoint {
                produced_on: r.get_ref(1)?.as_str()?,
                started: r.get(2)?,
                passed_first: r.get(3)?,
                lot: r.get_ref(4)?.as_str()?,
            };
            visit(SupplierId(r.get(0)?), point);
        }
        Ok(())
    }

    /// Each supplier's first lot on or before `until` (absent: no lots at all).
    pub fn first_lot_dates(
        &self,
        only: Option<SupplierId>,
        until: NaiveDate,
    ) -> Result<HashMap<SupplierId, NaiveDate>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, (SELECT min(produced_on) FROM lots
                           WHERE supplier_id = s.id AND produced_on <= ?1 AND voided_at IS NULL)
             FROM suppliers s WHERE ?2 IS NULL OR s.id = ?2",
        )?;
        let mut out = HashMap::new();
        let mut rows = stmt.query(params![until.to_string(), only.map(|s| s.0)])?;
        while let Some(r) = rows.next()? {
            if let Some(day) = r.get_ref(1)?.as_str_or_null()? {
                out.insert(SupplierId(r.get(0)?), parse_date(day)?);
            }
        }
        Ok(out)
    }

    pub fn lot_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM lots WHERE voided_at IS NULL", [], |r| r.get(0))?)
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
