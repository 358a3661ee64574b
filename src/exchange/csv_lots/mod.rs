//! The yield-lot CSV importer: the header checked first, then every row
//! parsed once into a checked [`LotRow`](crate::model::LotRow), sorted by key
//! and inserted in one transaction, in bounded memory whatever the file
//! (records out of fixed buffers, sort runs spilled to a temporary file).
//!
//! `records` reads bounded CSV records, `parse` checks the header and each
//! row; this module streams the rows through them into the sort, then writes
//! them.

mod parse;
mod records;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use super::sorted_lots::{SortedLots, Staged};
use super::{Format, ImportOptions, ImportReport, Location, Problem, Problems};
use crate::error::Result;
use crate::model::LotText;
use crate::model::validate::{self, FieldError, MAX_ROW_BYTES};
use crate::store::{LotInsert, Reader, SupplierId, Writer};
use parse::{Columns, MAX_FIELDS, RowContext, Scratch, parse_header, parse_row};
use records::{Next, Records};

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
    sorted: SortedLots,
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
    let mut records = Records::new(input, MAX_FIELDS);
    let cols = match read_header(&mut records) {
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
    let _phase = crate::trace::phase("csv: read, check and sort");
    let meter = Meter::new(size, options);
    let mut problems = Problems::default();
    let mut tally = Tallies::default();
    let cx = RowContext { cols: &cols, suppliers: &suppliers, today: validate::today() };
    let sorted = read_rows(&mut records, &cx, &meter, &mut tally, &mut problems)?;
    meter.finish();
    if tally.rows == 0 && problems.is_empty() {
        problems.push(Problem::file("the file has a header but no rows; expected at least one lot"));
    }
    if problems.is_empty() {
        return Ok(Ok(Parsed { sorted, tally, report }));
    }
    // Rejected: still list the repeated lots, without touching the database.
    write_rows(None, sorted, &mut tally, &mut problems, &mut report)?;
    finish_report(&mut report, problems);
    Ok(Err(report))
}

/// Inserts a checked file's rows (the caller's savepoint keeps them only if
/// the file turned out clean: a lot may still repeat within the file).
pub(super) fn write(writer: &Writer<'_>, parsed: Parsed) -> Result<ImportReport> {
    let Parsed { sorted, mut tally, mut report } = parsed;
    let _phase = crate::trace::phase("csv: merge and insert");
    let mut problems = Problems::default();
    writer.set_cache_kib(IMPORT_CACHE_KIB)?;
    let result = {
        // Every row is a `LotRow`, which can only be built through checks
        // that are the schema's CHECKs on `lots` or stricter; evaluating the
        // CHECKs again cost a fifth of a large import. They stay in force for
        // every other write, and `casebook check` (integrity_check) verifies
        // them on every row; tests/import_limits.rs runs it after every input
        // the importer accepts, at and past every limit.
        let _trusted = writer.trust_checked_rows()?;
        write_rows(Some(writer), sorted, &mut tally, &mut problems, &mut report)
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

fn read_header<R: Read>(records: &mut Records<R>) -> std::result::Result<Columns, Vec<Problem>> {
    let file = |message: String| Err(vec![Problem { at: Location::Line(1), field: None, value: None, message }]);
    match records.next() {
        Ok(Next::Record) => parse_header(records),
        Ok(Next::End) => Err(vec![Problem::file("the file is empty; expected a header line naming the columns")]),
        Ok(Next::TooLong) => file(too_long("the header")),
        Ok(Next::TooWide) => file(format!(
            "the header has more than {MAX_FIELDS} columns; a file may have the {} named columns and at most {} \
             defect:<code> columns",
            parse::REQUIRED.len(),
            validate::MAX_DEFECT_COLUMNS
        )),
        Err(e) => Err(vec![Problem::file(format!("cannot read the header: {e}"))]),
    }
}

fn too_long(what: &str) -> String {
    format!("{what} is longer than {MAX_ROW_BYTES} bytes; a CSV record may hold at most {MAX_ROW_BYTES} bytes")
}

/// Parses and checks every row; valid ones go to the sort.
fn read_rows<R: Read>(
    records: &mut Records<R>,
    cx: &RowContext<'_>,
    meter: &Meter<'_>,
    tally: &mut Tallies,
    problems: &mut Problems,
) -> Result<SortedLots> {
    let mut sorted = SortedLots::default();
    let mut errors = Vec::new();
    let mut scratch = Scratch::default();
    while let Some(next) = next_record(records, tally, problems) {
        tally.rows += 1;
        let line = records.line();
        let width = cx.cols.width();
        let wrong = match next {
            Next::TooLong => Some(too_long("the row")),
            Next::TooWide => Some(format!("expected {width} fields as in the header, found more than {MAX_FIELDS}")),
            _ if records.len() != width => {
                Some(format!("expected {width} fields as in the header, found {}", records.len()))
            }
            _ => None,
        };
        if let Some(message) = wrong {
            problems.push(Problem { at: Location::Line(line), field: None, value: None, message });
            tally.rejected += 1;
            continue;
        }
        errors.clear();
        match parse_row(records, cx, &mut scratch, &mut errors) {
            Some((supplier, row)) => sorted.push(Staged { supplier, line, row })?,
            None => reject_row(line, &mut errors, tally, problems),
        }
        if tally.rows.is_multiple_of(8192) {
            meter.at(records.consumed());
        }
    }
    Ok(sorted)
}

/// Reads the next record; `None` at the end of the file, or where the
/// input cannot be read further (a problem).
fn next_record<R: Read>(records: &mut Records<R>, tally: &mut Tallies, problems: &mut Problems) -> Option<Next> {
    match records.next() {
        Ok(Next::End) => None,
        Ok(next) => Some(next),
        Err(e) => {
            problems.push(Problem::file(format!("the file cannot be read past line {}: {e}", records.line())));
            tally.rejected += 1;
            None
        }
    }
}

fn reject_row(line: u64, errors: &mut Vec<FieldError>, tally: &mut Tallies, problems: &mut Problems) {
    tally.rejected += 1;
    for e in errors.drain(..) {
        problems.push(Problem::at(Location::Line(line), e));
    }
}

/// Goes through the sorted rows in key order: a lot repeated within the
/// file is a problem; the others are inserted when there is a `writer`.
fn write_rows(
    writer: Option<&Writer<'_>>,
    sorted: SortedLots,
    tally: &mut Tallies,
    problems: &mut Problems,
    report: &mut ImportReport,
) -> Result<()> {
    let mut lots = writer.map(Writer::lot_writer).transpose()?;
    // The previous row's (supplier, lot, line): a repeat sorts right after it.
    let mut previous: Option<(SupplierId, LotText, u64)> = None;
    sorted.drain(|staged| {
        if let Some((_, _, first)) = previous.as_ref().filter(|(s, l, _)| *s == staged.supplier && *l == staged.row.lot)
        {
            repeated(problems, tally, staged.row.lot.as_str(), staged.line, *first);
            return Ok(());
        }
        if let Some(lots) = lots.as_mut() {
            match lots.insert(staged.supplier, &staged.row)? {
                LotInsert::Inserted => {
                    tally.inserted += 1;
                    *tally.per_supplier.entry(staged.supplier).or_default() += 1;
                }
                LotInsert::Duplicate => tally.duplicates += 1,
            }
        }
        previous = Some((staged.supplier, staged.row.lot.clone(), staged.line));
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

fn repeated(problems: &mut Problems, tally: &mut Tallies, lot: &str, line: u64, first: u64) {
    tally.rejected += 1;
    let message = format!(
        "lot `{lot}` appears twice in this file for the same supplier (first on line {first}); each (supplier, lot) \
         pair must be unique"
    );
    problems.push(Problem { at: Location::Line(line), field: Some("lot".into()), value: None, message });
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
