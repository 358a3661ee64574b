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
use crate::model::{HistoryAction, HistoryEntity, Lot, LotRow, Process};

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
    /// Inserts a checked lot (see `model::LotRow`), or reports that the
    /// supplier already has a lot with its code.
    pub fn insert(&mut self, supplier: SupplierId, row: &LotRow) -> Result<LotInsert> {
        // The schema refuses a taken key (even to `ON CONFLICT DO NOTHING`):
        // a lot is never replaced. So look first. (`INSERT … SELECT … WHERE
        // NOT EXISTS` would read the table it writes, which makes SQLite
        // buffer every row in a temporary table: twice the import's time.)
        if self.exists.exists(params![supplier.0, row.lot.as_str()])? {
            return Ok(LotInsert::Duplicate);
        }
        self.insert_new(supplier, row)
    }

    /// Inserts a checked lot the caller knows is not here (a merge into a
    /// supplier that had no lots): the primary key still refuses a repeat.
    pub fn insert_new(&mut self, supplier: SupplierId, row: &LotRow) -> Result<LotInsert> {
        if let Some(suspend) = self.suspend.take() {
            suspend()?;
        }
        let mut day = [0_u8; 10];
        let counts = row.counts;
        let inserted = self.insert.execute(params![
            supplier.0,
            row.lot.as_str(),
            row.sku.as_str(),
            row.process,
            row.material.as_str(),
            day_text(row.produced_on.day(), &mut day),
            counts.started(),
            counts.passed_first(),
            counts.reworked(),
            counts.scrapped(),
            row.defects.json()
        ])?;
        Ok(if inserted == 1 { LotInsert::Inserted } else { LotInsert::Duplicate })
    }
}

/// `YYYY-MM-DD` of a day of years 0000–9999 (all a `PastDay` can hold),
/// written into `buf` without an allocation: a million lots an import.
fn day_text(day: NaiveDate, buf: &mut [u8; 10]) -> &str {
    use chrono::Datelike;
    let digits = |buf: &mut [u8], mut n: u32| {
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
            n /= 10;
        }
    };
    digits(&mut buf[0..4], u32::try_from(day.year()).unwrap_or(0));
    buf[4] = b'-';
    digits(&mut buf[5..7], day.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], day.day());
    std::str::from_utf8(buf).unwrap_or("0000-00-00")
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
    pub fn add_lot(&self, supplier: SupplierId, row: &LotRow) -> Result<LotInsert> {
        let inserted = self.lot_writer()?.insert(supplier, row)?;
        if inserted == LotInsert::Inserted {
            let what = format!(
                "{} {} {} {}: {} of {} passed first time",
                row.sku.as_str(),
                row.process,
                row.material.as_str(),
                row.produced_on.day(),
                row.counts.passed_first(),
                row.counts.started()
            );
            self.record(&Change {
                new: Some(&what),
                ..Change::of(Some(supplier), HistoryEntity::Lots, row.lot.as_str(), HistoryAction::Create)
            })?;
        }
        Ok(inserted)
    }

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

    /// Whether lot `lot` of `supplier` is on file and voided.
    pub fn lot_voided(&self, supplier: SupplierId, lot: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM lots WHERE supplier_id = ?1 AND lot = ?2 AND voided_at IS NOT NULL")?
            .query_row(params![supplier.0, lot], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The SKU, process and material of the supplier's latest lot (by
    /// production day): what a lot entered by hand most likely repeats.
    pub fn last_lot_kind(&self, supplier: SupplierId) -> Result<Option<(String, Process, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT sku, process, material FROM lots WHERE supplier_id = ?1 ORDER BY produced_on DESC, lot DESC LIMIT 1",
            )?
            .query_row([supplier.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_sqlite_writes_them() {
        let mut buf = [0_u8; 10];
        for (y, m, d) in [(2026, 1, 3), (1, 12, 31), (0, 1, 1), (9999, 12, 31)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(day_text(day, &mut buf), format!("{y:04}-{m:02}-{d:02}"));
        }
    }
}
