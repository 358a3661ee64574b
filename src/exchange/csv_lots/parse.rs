//! The header and the rows of a yield-lot CSV, checked field by field: the
//! header says where each named column is, and each row becomes a
//! [`LotRow`] or the list of what is wrong with it (every field is checked,
//! not just the first bad one).

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;

use super::records::Records;
use crate::exchange::{Location, Problem};
use crate::model::validate::{self, FieldError, MAX_DEFECT_COLUMNS, MAX_FIELD_BYTES};
use crate::model::{Defects, LotCounts, LotRow, LotText, Process, ProducedOn};
use crate::store::SupplierId;

pub(super) const REQUIRED: [&str; 10] =
    ["supplier", "lot", "sku", "process", "material", "produced_on", "started", "passed_first", "reworked", "scrapped"];
const DEFECT_PREFIX: &str = "defect:";
/// The most fields a record may have: every column allowed, and a few
/// unknown ones to name in the header's problems.
pub(super) const MAX_FIELDS: usize = REQUIRED.len() + MAX_DEFECT_COLUMNS + 16;

/// Where each column is, from the header.
pub(super) struct Columns {
    supplier: usize,
    lot: usize,
    sku: usize,
    process: usize,
    material: usize,
    produced_on: usize,
    started: usize,
    passed_first: usize,
    reworked: usize,
    scrapped: usize,
    /// `defect:<code>` columns, sorted by code (the stored order).
    defects: Vec<DefectColumn>,
    /// Every column's name, by position, for messages.
    names: Vec<String>,
}

struct DefectColumn {
    at: usize,
    code: String,
}

impl Columns {
    pub(super) fn width(&self) -> usize {
        self.names.len()
    }

    /// From the header's names; `None` for a required column not found.
    fn locate(names: Vec<String>, defects: Vec<DefectColumn>) -> Option<Self> {
        let at = |name: &str| names.iter().position(|n| n == name);
        Some(Self {
            supplier: at("supplier")?,
            lot: at("lot")?,
            sku: at("sku")?,
            process: at("process")?,
            material: at("material")?,
            produced_on: at("produced_on")?,
            started: at("started")?,
            passed_first: at("passed_first")?,
            reworked: at("reworked")?,
            scrapped: at("scrapped")?,
            defects,
            names,
        })
    }
}

fn header_problem(message: String) -> Problem {
    Problem { at: Location::Line(1), field: None, value: None, message }
}

pub(super) fn parse_header<R: Read>(record: &Records<R>) -> std::result::Result<Columns, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut names = Vec::with_capacity(record.len());
    let mut defects = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..record.len() {
        let raw = String::from_utf8_lossy(record.field(i));
        let name = raw.trim_start_matches('\u{feff}').trim().to_owned();
        if let Some(first) = seen.insert(name.clone(), i) {
            let shown = validate::printable(&name);
            problems.push(header_problem(format!(
                "column `{shown}` appears twice (columns {} and {})",
                first + 1,
                i + 1
            )));
        } else if REQUIRED.contains(&name.as_str()) {
        } else if let Some(code) = name.strip_prefix(DEFECT_PREFIX) {
            match validate::defect_code(&name, code) {
                Ok(()) => defects.push(DefectColumn { at: i, code: code.to_owned() }),
                Err(e) => problems.push(Problem::at(Location::Line(1), e)),
            }
        } else {
            problems.push(header_problem(unknown_column(&name)));
        }
        names.push(name);
    }
    if defects.len() > MAX_DEFECT_COLUMNS {
        problems.push(header_problem(format!(
            "{} defect:<code> columns; a file may have at most {MAX_DEFECT_COLUMNS}",
            defects.len()
        )));
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|r| !names.iter().any(|n| n == r)).collect();
    if !missing.is_empty() {
        problems.push(header_problem(format!(
            "missing column(s) {}; the header must name {} (in any order), plus optional defect:<code> columns",
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
            REQUIRED.join(", ")
        )));
    }
    defects.sort_by(|a, b| a.code.cmp(&b.code));
    match Columns::locate(names, defects) {
        Some(cols) if problems.is_empty() => Ok(cols),
        _ => Err(problems),
    }
}

fn unknown_column(name: &str) -> String {
    let lower = name.to_lowercase();
    let hint = REQUIRED.iter().find(|r| **r == lower).map(|r| format!(" (did you mean `{r}`?)")).unwrap_or_default();
    format!(
        "unknown column `{}`{hint}; expected {} or defect:<code> (e.g. defect:bubble)",
        validate::printable(name),
        REQUIRED.join(", ")
    )
}

/// What a row is checked against besides its own fields.
pub(super) struct RowContext<'a> {
    pub cols: &'a Columns,
    pub suppliers: &'a HashMap<String, SupplierId>,
    /// The real clock's day: nothing may be produced after it.
    pub today: NaiveDate,
}

/// Reusable buffers for parsing rows.
#[derive(Default)]
pub(super) struct Scratch {
    counts: Vec<u32>,
    json: String,
}

/// Parses the current record into a lot of a known supplier, or pushes
/// every problem of the row onto `errors`.
pub(super) fn parse_row<R: Read>(
    record: &Records<R>,
    cx: &RowContext<'_>,
    scratch: &mut Scratch,
    errors: &mut Vec<FieldError>,
) -> Option<(SupplierId, LotRow)> {
    if let Some(i) = (0..record.len()).find(|i| record.field(*i).len() > MAX_FIELD_BYTES) {
        let message = format!("is {} bytes long; a field may hold at most {MAX_FIELD_BYTES}", record.field(i).len());
        errors.push(FieldError::new(&cx.cols.names[i], None, message));
        return None;
    }
    let cols = cx.cols;
    let text = |at: usize, field: &str| {
        std::str::from_utf8(record.field(at)).map_err(|_| FieldError::new(field, None, "is not valid UTF-8 text"))
    };
    let supplier = take(text(cols.supplier, "supplier").and_then(|v| supplier_field(v, cx.suppliers)), errors);
    let lot = take(text(cols.lot, "lot").and_then(|v| LotText::parse("lot", v)), errors);
    let sku = take(text(cols.sku, "sku").and_then(|v| LotText::parse("sku", v)), errors);
    let process = take(text(cols.process, "process").and_then(process_field), errors);
    let material = take(text(cols.material, "material").and_then(|v| LotText::parse("material", v)), errors);
    let produced_on = take(text(cols.produced_on, "produced_on").and_then(|v| ProducedOn::parse(v, cx.today)), errors);
    let count = |at: usize, field: &str| text(at, field).and_then(|v| validate::count(field, v));
    let started = take(count(cols.started, "started"), errors);
    let passed_first = take(count(cols.passed_first, "passed_first"), errors);
    let reworked = take(count(cols.reworked, "reworked"), errors);
    let scrapped = take(count(cols.scrapped, "scrapped"), errors);
    let counts = match (started, passed_first, reworked, scrapped) {
        (Some(s), Some(p), Some(r), Some(x)) => take(LotCounts::new(s, p, r, x), errors),
        _ => None,
    };
    let defects = parse_defects(record, cols, scratch, errors);
    if !errors.is_empty() {
        return None;
    }
    let row = LotRow {
        lot: lot?,
        sku: sku?,
        process: process?,
        material: material?,
        produced_on: produced_on?,
        counts: counts?,
        defects: defects?,
    };
    Some((supplier?, row))
}

fn supplier_field(code: &str, suppliers: &HashMap<String, SupplierId>) -> std::result::Result<SupplierId, FieldError> {
    if code.trim().is_empty() {
        return Err(FieldError::new("supplier", None, "is required; expected a supplier code such as SZ-ARMOR"));
    }
    suppliers.get(code).copied().ok_or_else(|| unknown_supplier(code, suppliers.len()))
}

fn process_field(v: &str) -> std::result::Result<Process, FieldError> {
    Process::parse(v).ok_or_else(|| {
        FieldError::new("process", Some(v), format!("is not a process; expected one of {}", Process::expected()))
    })
}

/// The `defect:<code>` columns, blank as 0, into the lot's defects.
fn parse_defects<R: Read>(
    record: &Records<R>,
    cols: &Columns,
    scratch: &mut Scratch,
    errors: &mut Vec<FieldError>,
) -> Option<Defects> {
    scratch.counts.clear();
    let mut ok = true;
    for column in &cols.defects {
        let raw = std::str::from_utf8(record.field(column.at)).unwrap_or("?");
        let count = if raw.trim().is_empty() {
            0
        } else {
            let named = |mut e: FieldError| {
                e.field = format!("{DEFECT_PREFIX}{}", column.code);
                e
            };
            take(validate::count("defect", raw).map_err(named), errors).unwrap_or_else(|| {
                ok = false;
                0
            })
        };
        scratch.counts.push(count);
    }
    if !ok {
        return None;
    }
    let pairs = cols.defects.iter().map(|c| c.code.as_str()).zip(scratch.counts.iter().copied());
    take(Defects::from_sorted_columns("defects", pairs, &mut scratch.json), errors)
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
