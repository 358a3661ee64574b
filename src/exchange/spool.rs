//! An external sort of validated lots by (supplier, lot code, line).
//!
//! Why: lot files come in date order across thousands of suppliers, while the
//! lots table is clustered by (supplier, lot). Inserted in file order, every
//! row lands on a different B-tree page and SQLite's cache thrashes; inserted
//! in key order, pages fill one after another. Sorting the whole file first
//! makes the import about twice as fast (BENCHMARKS.md), in bounded memory:
//! rows are kept in runs of [`RUN_ROWS`], each sorted and spilled to an
//! unnamed temporary file, then merged.
//!
//! Sorted, two rows with the same (supplier, lot) are adjacent and the first
//! one has the lower line, which is how repeats within a file are reported.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::error::Result;
use crate::model::Process;
use crate::store::SupplierId;

/// Rows held in memory before a run is sorted and spilled (≈ 18 MB).
const RUN_ROWS: usize = 128 * 1024;

/// A lot as the spool hands it back, borrowing its text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rec<'a> {
    pub supplier: SupplierId,
    pub line: u32,
    pub process: Process,
    /// started, passed first, reworked, scrapped.
    pub counts: [u32; 4],
    pub lot: &'a str,
    pub sku: &'a str,
    pub material: &'a str,
    pub produced_on: &'a str,
    /// Compact defects JSON, or empty when the lot has none.
    pub defects: &'a str,
}

impl Rec<'_> {
    fn key(&self) -> (SupplierId, &str, u32) {
        (self.supplier, self.lot, self.line)
    }
}

/// (offset, length) of a text in the run's arena.
type Span = (u32, u32);

struct Slot {
    supplier: SupplierId,
    line: u32,
    process: Process,
    counts: [u32; 4],
    text: [Span; 5],
}

/// The rows of the current run: fixed-size slots plus one text arena.
#[derive(Default)]
struct Run {
    arena: String,
    slots: Vec<Slot>,
}

impl Run {
    fn keep(&mut self, s: &str) -> Span {
        let at = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
        self.arena.push_str(s);
        (at, u32::try_from(s.len()).unwrap_or(u32::MAX))
    }

    fn text(&self, (at, len): Span) -> &str {
        self.arena.get(at as usize..(at as usize + len as usize)).unwrap_or_default()
    }

    fn rec(&self, slot: &Slot) -> Rec<'_> {
        let [lot, sku, material, produced_on, defects] = slot.text;
        Rec {
            supplier: slot.supplier,
            line: slot.line,
            process: slot.process,
            counts: slot.counts,
            lot: self.text(lot),
            sku: self.text(sku),
            material: self.text(material),
            produced_on: self.text(produced_on),
            defects: self.text(defects),
        }
    }

    fn sorted(&mut self) {
        let mut slots = std::mem::take(&mut self.slots);
        slots.sort_unstable_by(|a, b| {
            (a.supplier, self.text(a.text[0]), a.line).cmp(&(b.supplier, self.text(b.text[0]), b.line))
        });
        self.slots = slots;
    }
}

/// Collects rows, then yields them sorted.
#[derive(Default)]
pub(super) struct Spool {
    run: Run,
    /// Spilled runs: one temporary file, each run a byte range of it.
    file: Option<File>,
    ranges: Vec<(u64, u64)>,
}

impl Spool {
    pub fn push(&mut self, rec: &Rec<'_>) -> Result<()> {
        let text = [
            self.run.keep(rec.lot),
            self.run.keep(rec.sku),
            self.run.keep(rec.material),
            self.run.keep(rec.produced_on),
            self.run.keep(rec.defects),
        ];
        let slot = Slot { supplier: rec.supplier, line: rec.line, process: rec.process, counts: rec.counts, text };
        self.run.slots.push(slot);
        if self.run.slots.len() >= RUN_ROWS {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        self.run.sorted();
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile()?),
        };
        let start = file.seek(SeekFrom::End(0))?;
        let mut out = BufWriter::with_capacity(1 << 16, &mut *file);
        for slot in &self.run.slots {
            encode(&self.run.rec(slot), &mut out)?;
        }
        out.flush()?;
        drop(out);
        let end = file.stream_position()?;
        self.ranges.push((start, end));
        self.run = Run::default();
        Ok(())
    }

    /// Calls `visit` with every row, sorted by (supplier, lot, line).
    pub fn drain(mut self, mut visit: impl FnMut(&Rec<'_>) -> Result<()>) -> Result<()> {
        if self.file.is_none() {
            self.run.sorted();
            for slot in &self.run.slots {
                visit(&self.run.rec(slot))?;
            }
            return Ok(());
        }
        if !self.run.slots.is_empty() {
            self.spill()?;
        }
        let Some(file) = self.file.take() else { return Ok(()) };
        let file = std::sync::Arc::new(file);
        let mut readers = Vec::with_capacity(self.ranges.len());
        for (start, end) in &self.ranges {
            let range = RangeReader { file: file.clone(), at: *start, end: *end };
            let mut reader = RunReader { input: BufReader::with_capacity(1 << 16, range), rec: Owned::default() };
            if reader.advance()? {
                readers.push(reader);
            }
        }
        merge(&mut readers, &mut visit)
    }
}

/// k-way merge: with a handful of runs, a linear scan for the smallest beats a heap.
fn merge(readers: &mut Vec<RunReader>, visit: &mut impl FnMut(&Rec<'_>) -> Result<()>) -> Result<()> {
    while !readers.is_empty() {
        let mut best = 0;
        for i in 1..readers.len() {
            if readers[i].rec.as_rec().key() < readers[best].rec.as_rec().key() {
                best = i;
            }
        }
        visit(&readers[best].rec.as_rec())?;
        if !readers[best].advance()? {
            readers.swap_remove(best);
        }
    }
    Ok(())
}

/// A decoded record whose buffers are reused from row to row.
#[derive(Default)]
struct Owned {
    supplier: i64,
    line: u32,
    process: u8,
    counts: [u32; 4],
    text: [String; 5],
}

impl Owned {
    fn as_rec(&self) -> Rec<'_> {
        Rec {
            supplier: SupplierId(self.supplier),
            line: self.line,
            process: Process::ALL.get(usize::from(self.process)).copied().unwrap_or(Process::Other),
            counts: self.counts,
            lot: &self.text[0],
            sku: &self.text[1],
            material: &self.text[2],
            produced_on: &self.text[3],
            defects: &self.text[4],
        }
    }
}

/// Reads one byte range of the spill file with positional reads, so several
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
    rec: Owned,
}

impl RunReader {
    /// Reads the next record; false at the end of the run.
    fn advance(&mut self) -> Result<bool> {
        let mut head = [0_u8; 8 + 4 + 1 + 16];
        match self.input.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let word = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
        let mut supplier = [0_u8; 8];
        supplier.copy_from_slice(&head[..8]);
        self.rec.supplier = i64::from_le_bytes(supplier);
        self.rec.line = word(8);
        self.rec.process = head[12];
        self.rec.counts = [word(13), word(17), word(21), word(25)];
        for text in &mut self.rec.text {
            let mut len = [0_u8; 2];
            self.input.read_exact(&mut len)?;
            let mut bytes = std::mem::take(text).into_bytes();
            bytes.resize(usize::from(u16::from_le_bytes(len)), 0);
            self.input.read_exact(&mut bytes)?;
            *text = String::from_utf8(bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        Ok(true)
    }
}

fn encode(rec: &Rec<'_>, out: &mut impl Write) -> Result<()> {
    let process = Process::ALL.iter().position(|p| *p == rec.process).unwrap_or(0);
    out.write_all(&rec.supplier.0.to_le_bytes())?;
    out.write_all(&rec.line.to_le_bytes())?;
    out.write_all(&[u8::try_from(process).unwrap_or(0)])?;
    for count in rec.counts {
        out.write_all(&count.to_le_bytes())?;
    }
    for text in [rec.lot, rec.sku, rec.material, rec.produced_on, rec.defects] {
        // Validated texts are at most a few hundred bytes; defects JSON of
        // many codes stays far below 64 KiB.
        let len = u16::try_from(text.len()).map_err(|_| std::io::Error::other("text too long to spool"))?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(supplier: i64, lot: &'static str, line: u32) -> Rec<'static> {
        Rec {
            supplier: SupplierId(supplier),
            line,
            process: Process::CoMolding,
            counts: [10, 9, 1, 0],
            lot,
            sku: "SKU",
            material: "TPU+PC",
            produced_on: "2026-01-02",
            defects: if line.is_multiple_of(2) { r#"{"bubble":1}"# } else { "" },
        }
    }

    fn drained(spool: Spool) -> Vec<(i64, String, u32, String)> {
        let mut out = Vec::new();
        spool
            .drain(|r| {
                assert_eq!(r.process, Process::CoMolding);
                assert_eq!(r.counts, [10, 9, 1, 0]);
                out.push((r.supplier.0, r.lot.to_owned(), r.line, r.defects.to_owned()));
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn sorts_in_memory_by_supplier_lot_line() {
        let mut spool = Spool::default();
        for r in [rec(2, "A", 1), rec(1, "B", 2), rec(1, "A", 3), rec(1, "A", 4)] {
            spool.push(&r).unwrap();
        }
        let keys: Vec<_> = drained(spool).into_iter().map(|(s, l, n, _)| (s, l, n)).collect();
        assert_eq!(keys, vec![(1, "A".into(), 3), (1, "A".into(), 4), (1, "B".into(), 2), (2, "A".into(), 1)]);
    }

    #[test]
    fn spilled_runs_merge_in_order_and_keep_every_field() {
        let mut spool = Spool::default();
        let lots = ["L3", "L1", "L2", "L0"];
        let total = RUN_ROWS * 2 + 7;
        for i in 0..total {
            let line = u32::try_from(i).unwrap() + 2;
            spool.push(&rec(i64::try_from(i % 5).unwrap(), lots[i % 4], line)).unwrap();
        }
        assert_eq!(spool.ranges.len(), 2, "two full runs spilled");
        let out = drained(spool);
        assert_eq!(out.len(), total);
        assert!(out.windows(2).all(|w| (w[0].0, &w[0].1, w[0].2) <= (w[1].0, &w[1].1, w[1].2)));
        assert!(out.iter().all(|(_, _, line, d)| d.is_empty() == (line % 2 == 1)));
    }
}
