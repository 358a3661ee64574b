//! Checked lots sorted by (supplier, lot code, line), in bounded memory.
//!
//! Why sort: lot files come in date order across thousands of suppliers,
//! while the lots table is clustered by (supplier, lot). Inserted in file
//! order every row lands on another B-tree page and SQLite's cache thrashes;
//! in key order pages fill one after another (BENCHMARKS.md). And sorted, two
//! rows with the same (supplier, lot) are adjacent, the first with the lower
//! line: that is how a lot repeated within one file is found, whatever its
//! size.
//!
//! Rows are kept in runs of about [`RUN_BYTES`]; a full run is sorted and
//! spilled to an unnamed temporary file (each row serialised by serde with
//! `postcard`, behind its length), and the runs are merged at the end.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{LotRow, Process, trusted_lot};
use crate::store::SupplierId;

/// Memory a run may hold before it is sorted and spilled.
const RUN_BYTES: usize = 16 << 20;
/// Read buffer per run while merging.
const MERGE_BUFFER: usize = 16 << 10;

/// A checked lot on its way to the store, with where it came from.
#[derive(Debug, Clone)]
pub(super) struct Staged {
    pub supplier: SupplierId,
    /// The CSV line, or the index in a dossier supplier's `lots`.
    pub line: u64,
    pub row: LotRow,
}

impl Staged {
    fn key(&self) -> (SupplierId, &str, u64) {
        (self.supplier, self.row.lot.as_str(), self.line)
    }

    fn weight(&self) -> usize {
        std::mem::size_of::<Self>() + self.row.heap_bytes()
    }
}

impl PartialEq for Staged {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Staged {}

impl PartialOrd for Staged {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Staged {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// A row as spilled: serde's derive decides the bytes, borrowing on read.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    supplier: i64,
    line: u64,
    lot: &'a str,
    sku: &'a str,
    process: &'a str,
    material: &'a str,
    /// Days from 0001-01-01 (chrono's "common era" count).
    day: i32,
    counts: [u32; 4],
    defects: Option<&'a str>,
}

impl<'a> Wire<'a> {
    fn of(s: &'a Staged) -> Self {
        let (r, c) = (&s.row, s.row.counts);
        Wire {
            supplier: s.supplier.0,
            line: s.line,
            lot: r.lot.as_str(),
            sku: r.sku.as_str(),
            process: r.process.as_str(),
            material: r.material.as_str(),
            day: chrono::Datelike::num_days_from_ce(&r.produced_on.day()),
            counts: [c.started(), c.passed_first(), c.reworked(), c.scrapped()],
            defects: r.defects.json(),
        }
    }

    /// Back to a row. The spill file holds only rows checked in this process
    /// (it is unnamed: nothing else can open it), so they are not re-checked.
    fn staged(&self) -> Result<Staged> {
        let corrupt = || Error::Invalid("the import's temporary sort file was damaged; nothing was written".into());
        let row = LotRow {
            lot: trusted_lot::text(self.lot),
            sku: trusted_lot::text(self.sku),
            process: Process::parse(self.process).ok_or_else(corrupt)?,
            material: trusted_lot::text(self.material),
            produced_on: trusted_lot::day(NaiveDate::from_num_days_from_ce_opt(self.day).ok_or_else(corrupt)?),
            counts: trusted_lot::counts(self.counts),
            defects: trusted_lot::defects(self.defects),
        };
        Ok(Staged { supplier: SupplierId(self.supplier), line: self.line, row })
    }
}

/// Collects staged lots, then yields them in key order.
#[derive(Default)]
pub(super) struct SortedLots {
    run: Vec<Staged>,
    run_bytes: usize,
    /// Spilled runs: one temporary file, each run a byte range of it.
    file: Option<File>,
    ranges: Vec<(u64, u64)>,
}

impl SortedLots {
    pub fn push(&mut self, staged: Staged) -> Result<()> {
        self.run_bytes += staged.weight();
        self.run.push(staged);
        if self.run_bytes >= RUN_BYTES {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        self.run.sort_unstable();
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile()?),
        };
        let start = file.seek(SeekFrom::End(0))?;
        let mut out = BufWriter::with_capacity(1 << 16, &mut *file);
        let mut bytes = Vec::with_capacity(256);
        for staged in &self.run {
            bytes.clear();
            bytes = postcard::to_extend(&Wire::of(staged), bytes).map_err(spool_error)?;
            let len = u32::try_from(bytes.len()).map_err(|_| spool_error("a row too large to sort"))?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(&bytes)?;
        }
        out.flush()?;
        drop(out);
        let end = file.stream_position()?;
        self.ranges.push((start, end));
        self.run.clear();
        self.run_bytes = 0;
        Ok(())
    }

    /// Calls `visit` with every row, in (supplier, lot, line) order.
    pub fn drain(mut self, mut visit: impl FnMut(&Staged) -> Result<()>) -> Result<()> {
        if self.file.is_none() {
            self.run.sort_unstable();
            return self.run.iter().try_for_each(visit);
        }
        if !self.run.is_empty() {
            self.spill()?;
        }
        self.run = Vec::new();
        let Some(file) = self.file.take() else { return Ok(()) };
        let file = std::sync::Arc::new(file);
        let mut runs = Vec::with_capacity(self.ranges.len());
        let mut heads = BinaryHeap::with_capacity(self.ranges.len());
        for (i, (start, end)) in self.ranges.iter().enumerate() {
            let range = RangeReader { file: file.clone(), at: *start, end: *end };
            let mut run = RunReader { input: BufReader::with_capacity(MERGE_BUFFER, range), bytes: Vec::new() };
            if let Some(first) = run.next()? {
                heads.push(Reverse((first, i)));
            }
            runs.push(run);
        }
        while let Some(Reverse((staged, i))) = heads.pop() {
            visit(&staged)?;
            if let Some(next) = runs[i].next()? {
                heads.push(Reverse((next, i)));
            }
        }
        Ok(())
    }
}

fn spool_error(e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("sorting the import's rows: {e}")))
}

/// One byte range of the spill file, read with positional reads so the
/// runs can be read in turn without sharing a file offset.
struct RangeReader {
    file: std::sync::Arc<File>,
    at: u64,
    end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = usize::try_from(self.end - self.at).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(&self.file, &mut buf[..want], self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

struct RunReader {
    input: BufReader<RangeReader>,
    bytes: Vec<u8>,
}

impl RunReader {
    /// The run's next row; `None` at its end.
    fn next(&mut self) -> Result<Option<Staged>> {
        let mut len = [0_u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        self.bytes.resize(u32::from_le_bytes(len) as usize, 0);
        self.input.read_exact(&mut self.bytes)?;
        let wire: Wire<'_> = postcard::from_bytes(&self.bytes).map_err(spool_error)?;
        wire.staged().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Defects, LotCounts, LotText, ProducedOn};

    fn staged(supplier: i64, lot: &str, line: u64) -> Staged {
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let defects = if line.is_multiple_of(2) { vec![("bubble", 1)] } else { Vec::new() };
        let row = LotRow {
            lot: LotText::parse("lot", lot).unwrap(),
            sku: LotText::parse("sku", "SKU").unwrap(),
            process: Process::CoMolding,
            material: LotText::parse("material", "TPU+PC with a name longer than inline").unwrap(),
            produced_on: ProducedOn::new(day, day).unwrap(),
            counts: LotCounts::new(10, 9, 1, 0).unwrap(),
            defects: Defects::from_counts("defects", defects).unwrap(),
        };
        Staged { supplier: SupplierId(supplier), line, row }
    }

    fn drained(sorted: SortedLots) -> Vec<Staged> {
        let mut out = Vec::new();
        sorted
            .drain(|s| {
                out.push(s.clone());
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn sorts_in_memory_by_supplier_lot_line() {
        let mut sorted = SortedLots::default();
        for s in [staged(2, "A", 1), staged(1, "B", 2), staged(1, "A", 3), staged(1, "A", 4)] {
            sorted.push(s).unwrap();
        }
        let keys: Vec<_> = drained(sorted).iter().map(|s| (s.supplier.0, s.row.lot.to_string(), s.line)).collect();
        assert_eq!(keys, vec![(1, "A".into(), 3), (1, "A".into(), 4), (1, "B".into(), 2), (2, "A".into(), 1)]);
    }

    #[test]
    fn spilled_runs_merge_in_order_and_keep_every_field() {
        let mut sorted = SortedLots::default();
        let lots = ["L3", "L1", "L2", "L0"];
        let mut pushed = Vec::new();
        let mut extra = 7;
        while sorted.ranges.len() < 2 || extra > 0 {
            if sorted.ranges.len() == 2 {
                extra -= 1;
            }
            let i = pushed.len();
            let s = staged(i64::try_from(i % 5).unwrap(), lots[i % 4], i as u64 + 2);
            pushed.push(s.clone());
            sorted.push(s).unwrap();
        }
        let total = pushed.len();
        assert_eq!(sorted.ranges.len(), 2, "two full runs spilled");
        let out = drained(sorted);
        pushed.sort();
        assert_eq!(out.len(), total);
        assert!(out.iter().zip(&pushed).all(|(a, b)| a.key() == b.key() && a.row == b.row));
    }
}
