//! The header and the rows of a yield-lot CSV, checked field by field: the
//! header gives the column positions, and each row becomes a `NewLot` or the
//! list of what is wrong with it (every field is checked, not just the first
//! bad one).

use std::collections::HashMap;

use crate::exchange::validate::{self, FieldError};
use crate::exchange::{Location, Problem};
use crate::model::Process;
use crate::store::{NewLot, SupplierId};

const REQUIRED: [&str; 10] =
    ["supplier", "lot", "sku", "process", "material", "produced_on", "started", "passed_first", "reworked", "scrapped"];
const DEFECT_PREFIX: &str = "defect:";

/// Column positions, from the header.
pub(super) struct Columns {
    at: [usize; 10],
    pub(super) defects: Vec<(usize, String)>,
    pub(super) width: usize,
}

impl Columns {
    fn field<'r>(&self, record: &'r csv::ByteRecord, which: usize) -> &'r [u8] {
        record.get(self.at[which]).unwrap_or_default()
    }
}

pub(super) fn parse_header(record: &csv::ByteRecord) -> std::result::Result<Columns, Vec<Problem>> {
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
pub(super) struct Row<'r> {
    pub(super) supplier: SupplierId,
    pub(super) lot: NewLot<'r>,
}

fn text<'r>(record: &'r csv::ByteRecord, cols: &Columns, which: usize) -> std::result::Result<&'r str, FieldError> {
    let raw = cols.field(record, which);
    std::str::from_utf8(raw).map_err(|_| FieldError::new(REQUIRED[which], None, "is not valid UTF-8 text"))
}

pub(super) fn parse_row<'r>(
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
    if counts_ok && let Some(e) = validate::lot_counts(started, passed_first, scrapped) {
        errors.push(e);
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
