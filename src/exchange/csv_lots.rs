//! The yield-lot CSV importer: header checked first, then every row parsed,
//! validated and inserted in one transaction, streaming in constant memory
//! (besides 4 bytes per new lot, to name the first line of a repeated lot).

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use super::spool::{Rec, Spool};
use super::validate::{self, FieldError};
use super::{Format, ImportOptions, ImportReport, Location, Problem, Problems};
use crate::error::Result;
use crate::model::Process;
use crate::store::{LotInsert, NewLot, Reader, SupplierId, Writer};

const REQUIRED: [&str; 10] =
    ["supplier", "lot", "sku", "process", "material", "produced_on", "started", "passed_first", "reworked", "scrapped"];
const DEFECT_PREFIX: &str = "defect:";
/// Files above this size get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 << 20;
/// Page cache for the import, in KiB: enough for the lot indexes' hot pages.
const IMPORT_CACHE_KIB: u32 = 40 * 1024;
const DEFAULT_CACHE_KIB: u32 = 2 * 1024;

/// Column positions, from the header.
struct Columns {
    at: [usize; 10],
    defects: Vec<(usize, String)>,
    width: usize,
}

impl Columns {
    fn field<'r>(&self, record: &'r csv::ByteRecord, which: usize) -> &'r [u8] {
        record.get(self.at[which]).unwrap_or_default()
    }
}

fn parse_header(record: &csv::ByteRecord) -> std::result::Result<Columns, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut at = [usize::MAX; 10];
    let mut defects = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(raw);
        let name = name.trim_start_matches('\u{feff}').trim();
        let header_problem = |message: String| Problem { at: Location::Line(1), field: None, value: None, message };
        if let Some(first) = seen.insert(name.to_owned(), i) {
            problems.push(header_problem(format!(
                "column `{name}` appears twice (columns {} and {})",
                first + 1,
                i + 1
            )));
        } else if let Some(slot) = REQUIRED.iter().position(|r| *r == name) {
            at[slot] = i;
        } else if let Some(code) = name.strip_prefix(DEFECT_PREFIX) {
            match validate::defect_code(name, code) {
                Ok(()) => defects.push((i, code.to_owned())),
                Err(e) => problems.push(Problem::at(Location::Line(1), e)),
            }
        } else {
            problems.push(header_problem(unknown_column(name)));
        }
    }
    let missing: Vec<&str> = REQUIRED.iter().zip(at).filter(|(_, i)| *i == usize::MAX).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        problems.push(Problem {
            at: Location::Line(1),
            field: None,
            value: None,
            message: format!(
                "missing column(s) {}; the header must name {} (in any order), plus optional defect:<code> columns",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                REQUIRED.join(", ")
            ),
        });
    }
    // Sorted by code, so each lot's defects are written in canonical order.
    defects.sort_by(|a, b| a.1.cmp(&b.1));
    if problems.is_empty() { Ok(Columns { at, defects, width: record.len() }) } else { Err(problems) }
}

fn unknown_column(name: &str) -> String {
    let lower = name.to_lowercase();
    let hint = REQUIRED.iter().find(|r| **r == lower).map(|r| format!(" (did you mean `{r}`?)")).unwrap_or_default();
    format!("unknown column `{name}`{hint}; expected {} or defect:<code> (e.g. defect:bubble)", REQUIRED.join(", "))
}

/// One row's fields, validated. Borrowed from the record.
struct Row<'r> {
    supplier: SupplierId,
    lot: NewLot<'r>,
}

fn text<'r>(record: &'r csv::ByteRecord, cols: &Columns, which: usize) -> std::result::Result<&'r str, FieldError> {
    let raw = cols.field(record, which);
    std::str::from_utf8(raw).map_err(|_| FieldError::new(REQUIRED[which], None, "is not valid UTF-8 text"))
}

fn parse_row<'r>(
    record: &'r csv::ByteRecord,
    cols: &Columns,
    suppliers: &HashMap<String, SupplierId>,
    defect_counts: &mut [u32],
    errors: &mut Vec<FieldError>,
) -> Option<Row<'r>> {
    let supplier = take(supplier_field(record, cols, suppliers), errors);
    let lot = take(bounded_text(record, cols, 1), errors);
    let sku = take(bounded_text(record, cols, 2), errors);
    let process = take(process_field(record, cols), errors);
    let material = take(bounded_text(record, cols, 4), errors);
    let produced_on = take(text(record, cols, 5).and_then(|v| validate::date("produced_on", v).map(|_| v)), errors);
    let [started, passed_first, reworked, scrapped] = parse_counts(record, cols, errors);
    parse_defects(record, cols, defect_counts, errors);
    if !errors.is_empty() {
        return None;
    }
    Some(Row {
        supplier: supplier?,
        lot: NewLot {
            lot: lot?,
            sku: sku?,
            process: process?,
            material: material?,
            produced_on: produced_on?,
            started,
            passed_first,
            reworked,
            scrapped,
        },
    })
}

fn supplier_field(
    record: &csv::ByteRecord,
    cols: &Columns,
    suppliers: &HashMap<String, SupplierId>,
) -> std::result::Result<SupplierId, FieldError> {
    let code = text(record, cols, 0)?;
    if code.trim().is_empty() {
        return Err(FieldError::new("supplier", None, "is required; expected a supplier code such as SZ-ARMOR"));
    }
    suppliers.get(code).copied().ok_or_else(|| unknown_supplier(code, suppliers.len()))
}

/// A text column with the lot text limit: `lot`, `sku` or `material`.
fn bounded_text<'r>(
    record: &'r csv::ByteRecord,
    cols: &Columns,
    which: usize,
) -> std::result::Result<&'r str, FieldError> {
    text(record, cols, which).and_then(|v| validate::text(REQUIRED[which], v, validate::LOT_TEXT_MAX).map(|()| v))
}

fn process_field(record: &csv::ByteRecord, cols: &Columns) -> std::result::Result<Process, FieldError> {
    text(record, cols, 3).and_then(|v| {
        Process::parse(v).ok_or_else(|| {
            FieldError::new("process", Some(v), format!("is not a process; expected one of {}", Process::expected()))
        })
    })
}

/// `started`, `passed_first`, `reworked`, `scrapped`; once all four parse,
/// checked against each other.
fn parse_counts(record: &csv::ByteRecord, cols: &Columns, errors: &mut Vec<FieldError>) -> [u32; 4] {
    let mut counts = [0_u32; 4];
    let mut counts_ok = true;
    for (slot, which) in counts.iter_mut().zip(6..10) {
        match take(text(record, cols, which).and_then(|v| validate::count(REQUIRED[which], v)), errors) {
            Some(n) => *slot = n,
            None => counts_ok = false,
        }
    }
    let [started, passed_first, _, scrapped] = counts;
    if counts_ok {
        if let Some(e) = validate::lot_counts(started, passed_first, scrapped) {
            errors.push(e);
        }
    }
    counts
}

/// The `defect:<code>` columns into `defect_counts`, in column order; blank
/// is 0.
fn parse_defects(record: &csv::ByteRecord, cols: &Columns, defect_counts: &mut [u32], errors: &mut Vec<FieldError>) {
    for ((at, code), slot) in cols.defects.iter().zip(defect_counts.iter_mut()) {
        let raw = std::str::from_utf8(record.get(*at).unwrap_or_default()).unwrap_or("?");
        *slot = if raw.trim().is_empty() {
            0
        } else {
            let named = |mut e: FieldError| {
                e.field = format!("{DEFECT_PREFIX}{code}");
                e
            };
            take(validate::count("defect", raw).map_err(named), errors).unwrap_or(0)
        };
    }
}

fn take<T>(result: std::result::Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn unknown_supplier(code: &str, known: usize) -> FieldError {
    FieldError::new(
        "supplier",
        Some(code),
        format!(
            "is not a known supplier code ({known} suppliers on file); import or create the supplier first \
             (`casebook suppliers` lists the codes)"
        ),
    )
}

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
        Err(problems) => {
            report.rejected = 1;
            report.problems = problems;
            return Ok(Err(report));
        }
    };
    let suppliers = read.supplier_ids()?;
    let _phase = crate::trace::phase("csv: read, check and spool");
    let meter = Meter::new(size, options);
    let mut problems = Problems::default();
    let mut tally = Tallies::default();
    let spool = read_rows(&mut csv, &cols, &suppliers, &meter, &mut tally, &mut problems)?;
    meter.finish(size);
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
        if !validate::defects_json(codes.zip(defect_counts.iter().copied()), &mut json) {
            json.clear();
        }
        spool_row(&mut spool, &row, line, &json)?;
        if tally.rows % 8192 == 0 {
            if let Some(pos) = record.position() {
                meter.at(pos.byte());
            }
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
        if let Some((supplier, lot, first)) = &previous {
            if *supplier == rec.supplier && lot == rec.lot {
                repeated(problems, tally, rec.lot, rec.line, *first);
                return Ok(());
            }
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
        for (supplier, n) in &tally.per_supplier {
            writer.record_lot_import(*supplier, *n, &report.file)?;
        }
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

    fn finish(self, size: u64) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        if let Some(callback) = self.callback {
            callback(size, size);
        }
    }
}
