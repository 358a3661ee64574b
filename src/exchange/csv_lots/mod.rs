//! The yield-lot CSV importer: header checked first, then every row parsed,
//! validated and inserted in one transaction, streaming in constant memory
//! (besides 4 bytes per new lot, to name the first line of a repeated lot).
//!
//! `parse` checks the header and each row; this module streams the rows
//! through it into the spool, then writes them.

mod parse;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use super::spool::{Rec, Spool};
use super::validate::{self, FieldError};
use super::{Format, ImportOptions, ImportReport, Location, Problem, Problems};
use crate::error::Result;
use crate::store::{LotInsert, NewLot, Reader, SupplierId, Writer};
use parse::{Columns, Row, parse_header, parse_row};

/// Files above this size get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 << 20;
/// Page cache for the import, in KiB: enough for the lot indexes' hot pages.
const IMPORT_CACHE_KIB: u32 = 40 * 1024;
const DEFAULT_CACHE_KIB: u32 = 2 * 1024;

/// Running counts for one import.
#[derive(Default)]
struct Tallies {
    rows: u64,
    inserted: u64,
    duplicates: u64,
    rejected: u64,
    per_supplier: HashMap<SupplierId, usize>,
}

/// A CSV file read and checked, its rows sorted in the spool: all that is
/// left is writing them, inside a transaction.
pub(super) struct Parsed {
    spool: Spool,
    tally: Tallies,
    report: ImportReport,
}

/// Reads and checks a whole file with no transaction open (only the supplier
/// codes are read), so the write lock is held just for the inserts. A file
/// with problems is finished here — nothing of it will be written — and
/// comes back as `Err(report)`.
pub(super) fn prepare<R: Read>(
    read: Reader<'_>,
    input: R,
    size: u64,
    mut report: ImportReport,
    options: ImportOptions<'_>,
) -> Result<std::result::Result<Parsed, ImportReport>> {
    report.format = Some(Format::LotsCsv);
    let mut csv =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 16).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let cols = match read_header(&mut csv, &mut record) {
        Ok(cols) => cols,
        Err(header) => {
            // Listed under the same cap as row problems (a header can have thousands of columns).
            let mut problems = Problems::default();
            for problem in header {
                problems.push(problem);
            }
            finish_report(&mut report, problems);
            return Ok(Err(report));
        }
    };
    let suppliers = read.supplier_ids()?;
    let _phase = crate::trace::phase("csv: read, check and spool");
    let meter = Meter::new(size, options);
    let mut problems = Problems::default();
    let mut tally = Tallies::default();
    let spool = read_rows(&mut csv, &cols, &suppliers, &meter, &mut tally, &mut problems)?;
    meter.finish();
    if tally.rows == 0 && problems.is_empty() {
        problems.push(Problem::file("the file has a header but no rows; expected at least one lot"));
    }
    if problems.is_empty() {
        return Ok(Ok(Parsed { spool, tally, report }));
    }
    // Rejected: still list the repeated lots, without touching the database.
    write_rows(None, spool, &mut tally, &mut problems, &mut report)?;
    finish_report(&mut report, problems);
    Ok(Err(report))
}

/// Inserts a checked file's rows (the caller's savepoint keeps them only if
/// the file turned out clean: a lot may still repeat within the file).
pub(super) fn write(writer: &Writer<'_>, parsed: Parsed) -> Result<ImportReport> {
    let Parsed { spool, mut tally, mut report } = parsed;
    let _phase = crate::trace::phase("csv: merge and insert");
    let mut problems = Problems::default();
    writer.set_cache_kib(IMPORT_CACHE_KIB)?;
    let result = {
        // Every row was checked in `read_rows` by `exchange::validate`, whose
        // rules are those of the schema's CHECKs or stricter; evaluating the
        // CHECKs again cost a fifth of a large import. They stay in force for
        // every other write, and `casebook check` (integrity_check) verifies
        // them on every row; tests run it after importer-accepted input.
        let _trusted = writer.trust_checked_rows()?;
        write_rows(Some(writer), spool, &mut tally, &mut problems, &mut report)
    };
    writer.set_cache_kib(DEFAULT_CACHE_KIB)?;
    result?;
    finish_report(&mut report, problems);
    Ok(report)
}

fn finish_report(report: &mut ImportReport, problems: Problems) {
    report.take_problems(problems);
    report.problems.sort_by_key(|p| match p.at {
        Location::Line(n) => n,
        _ => 0,
    });
}

fn read_header<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> std::result::Result<Columns, Vec<Problem>> {
    match csv.read_byte_record(record) {
        Ok(true) => parse_header(record),
        Ok(false) => Err(vec![Problem::file("the file is empty; expected a header line naming the columns")]),
        Err(e) => Err(vec![Problem::file(format!("cannot read the header: {e}"))]),
    }
}

/// Parses and validates every row; valid ones go to the spool, sorted later.
fn read_rows<R: Read>(
    csv: &mut csv::Reader<R>,
    cols: &Columns,
    suppliers: &HashMap<String, SupplierId>,
    meter: &Meter<'_>,
    tally: &mut Tallies,
    problems: &mut Problems,
) -> Result<Spool> {
    let mut spool = Spool::default();
    let mut record = csv::ByteRecord::new();
    let mut errors = Vec::new();
    let mut defect_counts = vec![0_u32; cols.defects.len()];
    let mut json = String::with_capacity(256);
    while next_record(csv, &mut record, tally, problems) {
        tally.rows += 1;
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != cols.width {
            let message = format!("expected {} fields as in the header, found {}", cols.width, record.len());
            problems.push(Problem { at: Location::Line(line), field: None, value: None, message });
            tally.rejected += 1;
            continue;
        }
        errors.clear();
        let Some(row) = parse_row(&record, cols, suppliers, &mut defect_counts, &mut errors) else {
            reject_row(line, &mut errors, tally, problems);
            continue;
        };
        let codes = cols.defects.iter().map(|(_, code)| code.as_str());
        let defects = validate::defects_json(codes.zip(defect_counts.iter().copied()), &mut json);
        spool_row(&mut spool, &row, line, defects.unwrap_or_default())?;
        if tally.rows.is_multiple_of(8192)
            && let Some(pos) = record.position()
        {
            meter.at(pos.byte());
        }
    }
    Ok(spool)
}

/// Reads the next record into `record`; false at the end of the file, or
/// where the CSV cannot be read further (a problem).
fn next_record<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    tally: &mut Tallies,
    problems: &mut Problems,
) -> bool {
    match csv.read_byte_record(record) {
        Ok(more) => more,
        Err(e) => {
            problems.push(Problem::file(format!("the CSV cannot be read past this point: {e}")));
            tally.rejected += 1;
            false
        }
    }
}

fn reject_row(line: u64, errors: &mut Vec<FieldError>, tally: &mut Tallies, problems: &mut Problems) {
    tally.rejected += 1;
    for e in errors.drain(..) {
        problems.push(Problem::at(Location::Line(line), e));
    }
}

fn spool_row(spool: &mut Spool, row: &Row<'_>, line: u64, defects: &str) -> Result<()> {
    let l = &row.lot;
    spool.push(&Rec {
        supplier: row.supplier,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        process: l.process,
        counts: [l.started, l.passed_first, l.reworked, l.scrapped],
        lot: l.lot,
        sku: l.sku,
        material: l.material,
        produced_on: l.produced_on,
        defects,
    })
}

/// Goes through the spooled rows in key order: a lot repeated within the
/// file is a problem; the others are inserted when there is a `writer`.
fn write_rows(
    writer: Option<&Writer<'_>>,
    spool: Spool,
    tally: &mut Tallies,
    problems: &mut Problems,
    report: &mut ImportReport,
) -> Result<()> {
    let mut lots = writer.map(Writer::lot_writer).transpose()?;
    let mut previous: Option<(SupplierId, String, u32)> = None;
    spool.drain(|rec| {
        if let Some((supplier, lot, first)) = &previous
            && *supplier == rec.supplier
            && lot == rec.lot
        {
            repeated(problems, tally, rec.lot, rec.line, *first);
            return Ok(());
        }
        if let Some(lots) = lots.as_mut() {
            let [started, passed_first, reworked, scrapped] = rec.counts;
            let new = NewLot {
                lot: rec.lot,
                sku: rec.sku,
                process: rec.process,
                material: rec.material,
                produced_on: rec.produced_on,
                started,
                passed_first,
                reworked,
                scrapped,
            };
            let defects = (!rec.defects.is_empty()).then_some(rec.defects);
            match lots.insert(rec.supplier, &new, defects)? {
                LotInsert::Inserted => {
                    tally.inserted += 1;
                    *tally.per_supplier.entry(rec.supplier).or_default() += 1;
                }
                LotInsert::Duplicate => tally.duplicates += 1,
            }
        }
        let slot = previous.get_or_insert_with(|| (rec.supplier, String::new(), 0));
        slot.0 = rec.supplier;
        rec.lot.clone_into(&mut slot.1);
        slot.2 = rec.line;
        Ok(())
    })?;
    drop(lots);
    report.rejected = tally.rejected;
    report.duplicates.add("lots", tally.duplicates);
    if let (Some(writer), true) = (writer, problems.is_empty()) {
        report.inserted.add("lots", tally.inserted);
        writer.record_lot_imports(&tally.per_supplier, &report.file)?;
    }
    Ok(())
}

fn repeated(problems: &mut Problems, tally: &mut Tallies, lot: &str, line: u32, first: u32) {
    tally.rejected += 1;
    let message = format!(
        "lot `{lot}` appears twice in this file for the same supplier (first on line {first}); each (supplier, lot) \
         pair must be unique"
    );
    problems.push(Problem { at: Location::Line(u64::from(line)), field: Some("lot".into()), value: None, message });
}

/// Where reading progress goes: a terminal bar on stderr, a caller's
/// callback (the UI), or nowhere.
struct Meter<'a> {
    bar: Option<indicatif::ProgressBar>,
    callback: Option<&'a super::OnProgress<'a>>,
    size: u64,
}

impl<'a> Meter<'a> {
    fn new(size: u64, options: ImportOptions<'a>) -> Self {
        let terminal = options.progress && size >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = indicatif::ProgressBar::new(size);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "importing {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self { bar, callback: options.on_progress, size }
    }

    fn at(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        }
        if let Some(callback) = self.callback {
            callback(bytes, self.size);
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        if let Some(callback) = self.callback {
            callback(self.size, self.size);
        }
    }
}
