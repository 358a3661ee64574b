//! Import and export in the interchange formats of DOMAIN.md: the yield-lot
//! CSV and the `casebook-dossier/1` JSON document.
//!
//! An import reads one file inside one transaction. Every row is validated;
//! every problem is collected (up to [`MAX_LISTED`]) with where it is and what
//! would be valid; and the transaction commits only if there were none (and
//! this is not a dry run). So a file is imported whole or not at all.

pub mod cells;
mod csv_lots;
mod dossier_in;
mod dossier_out;
mod json_fields;
pub mod shortlist;
mod sorted_lots;
/// The field rules live in `model`; kept here under their old path.
pub use crate::model::validate;

use std::fmt::{self, Write as _};
use std::io::Read;
use std::path::Path;

use serde::Serialize;

pub use dossier_out::export;

use crate::error::Result;
use crate::store::{Store, Writer};

/// How many problems one import lists before it only counts them.
pub const MAX_LISTED: usize = 100;

/// Where in a file a problem is. In JSON a problem carries `line` or `path`
/// (or neither, for the file as a whole) beside its other fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A CSV line (1-based, the header is line 1).
    Line(u64),
    /// A JSON path such as `suppliers[2].audits[0].evidence[1].strength`.
    Path(String),
    /// The file as a whole.
    File,
}

/// One thing wrong with an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Location,
    pub field: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn file(message: impl Into<String>) -> Self {
        Self { at: Location::File, field: None, value: None, message: message.into() }
    }

    pub fn at(at: Location, e: validate::FieldError) -> Self {
        Self { at, field: Some(e.field), value: e.value, message: e.message }
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match &self.at {
            Location::Line(n) => map.serialize_entry("line", n)?,
            Location::Path(p) => map.serialize_entry("path", p)?,
            Location::File => {}
        }
        map.serialize_entry("field", &self.field)?;
        map.serialize_entry("value", &self.value)?;
        map.serialize_entry("message", &self.message)?;
        map.end()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Location::Line(n) => write!(f, "line {n}")?,
            Location::Path(p) => f.write_str(p)?,
            Location::File => f.write_str("file")?,
        }
        // A JSON path already ends with the field's name.
        if let (Some(field), Location::Line(_) | Location::File) = (&self.field, &self.at) {
            write!(f, ", field `{field}`")?;
        }
        f.write_str(": ")?;
        if let Some(value) = &self.value {
            write!(f, "{value:?} ")?;
        }
        f.write_str(&self.message)
    }
}

/// Collects problems, listing the first [`MAX_LISTED`] and counting the rest.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    listed: Vec<Problem>,
    total: usize,
}

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(p);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn total(&self) -> usize {
        self.total
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    LotsCsv,
    Dossier,
}

/// "1 lot", "3 lots"; evidence is counted as items.
fn noun(kind: &str, n: u64) -> String {
    match (kind, n) {
        ("evidence", 1) => "evidence item".to_owned(),
        ("evidence", _) => "evidence items".to_owned(),
        (k, 1) => k.strip_suffix('s').unwrap_or(k).to_owned(),
        (k, _) => k.to_owned(),
    }
}

const ORDER: [&str; 7] = ["suppliers", "claims", "audits", "answers", "evidence", "findings", "lots"];

/// Counts by kind of record: `lots`, `suppliers`, `claims`, `audits`, …
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally(pub std::collections::BTreeMap<&'static str, u64>);

impl Tally {
    pub fn add(&mut self, kind: &'static str, n: u64) {
        *self.0.entry(kind).or_default() += n;
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.values().all(|n| *n == 0) {
            return f.write_str("0");
        }
        // Parents before children, however the map sorts them.
        let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
        let mut kinds: Vec<(&&str, &u64)> = self.0.iter().filter(|(_, n)| **n > 0).collect();
        kinds.sort_by_key(|(k, _)| rank(k));
        let parts: Vec<String> = kinds.into_iter().map(|(k, n)| format!("{n} {}", noun(k, *n))).collect();
        f.write_str(&parts.join(", "))
    }
}

/// What one file's import did (or, on a dry run or with problems, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub format: Option<Format>,
    pub dry_run: bool,
    /// Whether the file's changes were written.
    pub committed: bool,
    pub inserted: Tally,
    pub updated: Tally,
    pub duplicates: Tally,
    /// Rows or records with at least one problem.
    pub rejected: u64,
    pub problems: Vec<Problem>,
    /// Problems found beyond those listed.
    pub unlisted: usize,
    /// A `casebook-dossier/3` is merged: what the merge did (field
    /// conflicts and how they were resolved, notices, missing files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<crate::model::merge::SourceReport>,
}

impl ImportReport {
    fn new(file: &str, dry_run: bool) -> Self {
        Self {
            file: file.to_owned(),
            format: None,
            dry_run,
            committed: false,
            inserted: Tally::default(),
            updated: Tally::default(),
            duplicates: Tally::default(),
            rejected: 0,
            problems: Vec::new(),
            unlisted: 0,
            merged: None,
        }
    }

    fn fail(mut self, problem: Problem) -> Self {
        self.problems.push(problem);
        self.rejected = self.rejected.max(1);
        self
    }

    fn take_problems(&mut self, problems: Problems) {
        self.unlisted = problems.total - problems.listed.len();
        self.problems = problems.listed;
        if !self.problems.is_empty() {
            // A file-level problem (no rows, a bad header) rejects the file.
            self.rejected = self.rejected.max(1);
        }
    }

    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The one-line summary: inserted, duplicates, rejected.
    pub fn summary(&self) -> String {
        let verb = if self.committed {
            "imported"
        } else if self.ok() {
            "checked (dry run, nothing written)"
        } else {
            "rejected, nothing written"
        };
        let mut line = format!(
            "{}: {verb}: inserted {}; duplicates {}; rejected {}",
            self.file, self.inserted, self.duplicates, self.rejected
        );
        if self.updated.total() > 0 {
            let _ = write!(line, "; updated {}", self.updated);
        }
        line
    }
}

/// Told `(bytes read, bytes in the file)` while a lot file is read: how a
/// screen draws its own progress bar.
pub type OnProgress<'f> = dyn Fn(u64, u64) + Sync + 'f;

#[derive(Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    pub dry_run: bool,
    /// Show a progress bar on stderr (only for files over 4 MB, on a terminal).
    pub progress: bool,
    /// Called as a CSV is read (every few thousand rows, and at the end).
    pub on_progress: Option<&'a OnProgress<'a>>,
}

/// A file read and checked as far as it can be without writing.
enum Prepared<'r> {
    /// Nothing to write: unreadable, not text, or a CSV with problems.
    Done(ImportReport),
    Csv(csv_lots::Parsed),
    /// A dossier is streamed while it is written: the rest of the input.
    Dossier(ImportReport, Box<dyn Read + 'r>),
    /// A `casebook-dossier/3`, merged into the database at the path.
    Team(ImportReport, Box<dyn Read + 'r>, std::path::PathBuf),
}

/// Imports one file in its own transaction, committed only when the file
/// has no problems and this is not a dry run. The format is chosen by
/// content; a CSV is read and checked before the write lock is taken.
pub fn import_file(store: &mut Store, path: &Path, actor: &str, options: ImportOptions<'_>) -> Result<ImportReport> {
    let prepared = prepare(store.read(), store.path(), path, options)?;
    write_alone(store, actor, prepared, options)
}

/// Imports in-memory bytes (tests, the UI's paste box) like [`import_file`];
/// `name` labels the report.
pub fn import_bytes(
    store: &mut Store,
    name: &str,
    bytes: &[u8],
    actor: &str,
    options: ImportOptions<'_>,
) -> Result<ImportReport> {
    let report = ImportReport::new(name, options.dry_run);
    let (head, rest) = bytes.split_at(bytes.len().min(SNIFF_BYTES));
    let db = store.path().to_owned();
    let prepared = prepare_from(store.read(), &db, report, head.to_vec(), rest, bytes.len() as u64, options)?;
    write_alone(store, actor, prepared, options)
}

/// Writes a prepared file in a transaction of its own (none when there is
/// nothing to write).
fn write_alone(
    store: &mut Store,
    actor: &str,
    prepared: Prepared<'_>,
    options: ImportOptions<'_>,
) -> Result<ImportReport> {
    if let Prepared::Done(report) = prepared {
        return Ok(report);
    }
    let mut writer = store.begin(actor)?;
    let report = apply(&mut writer, prepared)?;
    finish(writer, report, options)
}

/// Imports several files. Each is committed on its own; a dry run instead
/// runs them all in one transaction that is rolled back, so a later file is
/// checked against what the earlier ones would have added (a dossier, then
/// the lots of its suppliers).
pub fn import_files(
    store: &mut Store,
    paths: &[std::path::PathBuf],
    actor: &str,
    options: ImportOptions<'_>,
    mut on_report: impl FnMut(&ImportReport),
) -> Result<Vec<ImportReport>> {
    let mut reports = Vec::with_capacity(paths.len());
    if options.dry_run {
        let db = store.path().to_owned();
        let mut writer = store.begin(actor)?;
        for path in paths {
            reports.push(import_file_in(&mut writer, &db, path, options)?);
            on_report(&reports[reports.len() - 1]);
        }
    } else {
        for path in paths {
            reports.push(import_file(store, path, actor, options)?);
            on_report(&reports[reports.len() - 1]);
        }
    }
    Ok(reports)
}

fn finish(writer: Writer<'_>, mut report: ImportReport, options: ImportOptions<'_>) -> Result<ImportReport> {
    if report.ok() && !options.dry_run {
        let _phase = crate::trace::phase("import: commit (and checkpoint)");
        writer.commit()?;
        report.committed = true;
    }
    Ok(report)
}

/// Runs one file's import in a savepoint of `writer`: kept when the file is
/// clean, undone when it has problems. Whether the kept changes are
/// committed is the caller's decision.
fn import_file_in(writer: &mut Writer<'_>, db: &Path, path: &Path, options: ImportOptions<'_>) -> Result<ImportReport> {
    let prepared = prepare(writer.read(), db, path, options)?;
    apply(writer, prepared)
}

fn apply(writer: &mut Writer<'_>, prepared: Prepared<'_>) -> Result<ImportReport> {
    let scope = writer.nested()?;
    let report = match prepared {
        Prepared::Done(report) => return Ok(report),
        Prepared::Csv(parsed) => csv_lots::write(&scope, parsed)?,
        Prepared::Dossier(report, input) => dossier_in::import(&scope, input, report)?,
        Prepared::Team(report, input, db) => dossier_in::team::import(&scope, &db, input, report)?,
    };
    if report.ok() {
        scope.commit()?;
    }
    Ok(report)
}

/// How much of a file decides its format.
const SNIFF_BYTES: usize = 8192;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn prepare(
    read: crate::store::Reader<'_>,
    db: &Path,
    path: &Path,
    options: ImportOptions<'_>,
) -> Result<Prepared<'static>> {
    let report = ImportReport::new(&path.display().to_string(), options.dry_run);
    // Opening the database file here would drop this process's SQLite locks.
    if crate::store::same_file_as_database(db, path) {
        return Ok(Prepared::Done(report.fail(Problem::file(format!(
            "this is the casebook database {} itself (or one of its side files), not a file to import; \
             expected a casebook-dossier/1 JSON document or a yield-lot CSV",
            db.display()
        )))));
    }
    let opened = std::fs::File::open(path).and_then(|mut file| {
        let mut head = vec![0_u8; SNIFF_BYTES];
        let n = read_head(&mut file, &mut head)?;
        head.truncate(n);
        let size = file.metadata().map_or(0, |m| m.len());
        Ok((head, file, size))
    });
    match opened {
        Ok((head, file, size)) => prepare_from(read, db, report, head, file, size, options),
        Err(e) => Ok(Prepared::Done(report.fail(unreadable(&e)))),
    }
}

fn unreadable(e: &std::io::Error) -> Problem {
    Problem::file(format!("cannot be read: {e}"))
}

/// Chooses the format from `head` (the first bytes) and reads and checks the
/// rest of the input accordingly; `size` is the whole input's, for progress.
fn prepare_from<'r>(
    read: crate::store::Reader<'_>,
    db: &Path,
    report: ImportReport,
    mut head: Vec<u8>,
    rest: impl Read + 'r,
    size: u64,
    options: ImportOptions<'_>,
) -> Result<Prepared<'r>> {
    match sniff(&head) {
        Err(problem) => Ok(Prepared::Done(report.fail(problem))),
        Ok(Format::Dossier) => {
            // A byte order mark is accepted in JSON as in CSV (and skipped).
            if head.starts_with(UTF8_BOM) {
                head.drain(..UTF8_BOM.len());
            }
            let team = names_format_3_first(&head);
            let input = Box::new(std::io::Cursor::new(head).chain(rest));
            Ok(if team { Prepared::Team(report, input, db.to_owned()) } else { Prepared::Dossier(report, input) })
        }
        Ok(Format::LotsCsv) => {
            let reader = std::io::Cursor::new(head).chain(rest);
            Ok(match csv_lots::prepare(read, reader, size, report, options)? {
                Ok(parsed) => Prepared::Csv(parsed),
                Err(report) => Prepared::Done(report),
            })
        }
    }
}

/// Whether the document opens with `{"format": "casebook-dossier/3"`
/// (whitespace aside), as `casebook export` writes it.
fn names_format_3_first(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut rest = text.trim_start();
    for token in ["{", "\"format\"", ":", &format!("\"{}\"", crate::model::DOSSIER_FORMAT_3)] {
        match rest.strip_prefix(token) {
            Some(r) => rest = r.trim_start(),
            None => return false,
        }
    }
    true
}

fn read_head(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Decides the format from the first bytes: JSON starts with `{`, anything
/// else textual is treated as CSV; binary and empty files are refused.
fn sniff(head: &[u8]) -> std::result::Result<Format, Problem> {
    let body = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::file(
            "the file is empty; expected a casebook-dossier/1 JSON document or a yield-lot CSV with a header line",
        ));
    }
    if let Some(at) = body.iter().position(|b| *b == 0) {
        return Err(Problem::file(format!("not a text file (a NUL byte at offset {at}); expected UTF-8 JSON or CSV")));
    }
    if let Err(e) = std::str::from_utf8(body) {
        // An error at the very end may be a character cut by the sniff window.
        if e.error_len().is_some() {
            return Err(Problem::file(format!(
                "not UTF-8 text (invalid byte at offset {}); expected UTF-8 JSON or CSV",
                e.valid_up_to()
            )));
        }
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Ok(Format::Dossier),
        _ => Ok(Format::LotsCsv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_chooses_by_content() {
        assert_eq!(sniff(b"  {\"format\":1}").unwrap(), Format::Dossier);
        assert_eq!(sniff(b"\xEF\xBB\xBFsupplier,lot\n").unwrap(), Format::LotsCsv);
        assert!(sniff(b"").unwrap_err().message.contains("empty"));
        assert!(sniff(b" \n\t").unwrap_err().message.contains("empty"));
        assert!(sniff(b"PK\x03\x04\x00\x00").unwrap_err().message.contains("not a text file"));
        assert!(sniff(b"abc\xff\xfedef").unwrap_err().message.contains("not UTF-8"));
        // A multi-byte character cut at the end of the window is fine.
        assert_eq!(sniff("lot,材".as_bytes()[..6].as_ref()).unwrap(), Format::LotsCsv);
    }

    #[test]
    fn a_progress_callback_follows_a_csv_to_its_end() {
        let mut store = Store::open_in_memory().unwrap();
        let dossier = br#"{"format":"casebook-dossier/1","suppliers":[{"code":"P-1","name":"P","country":"CN",
            "business_type":"manufacturer","models":["oem"]}]}"#;
        assert!(import_bytes(&mut store, "d.json", dossier, "t", ImportOptions::default()).unwrap().committed);
        let mut csv =
            String::from("supplier,lot,sku,process,material,produced_on,started,passed_first,reworked,scrapped\n");
        for i in 0..20_000 {
            let _ = writeln!(csv, "P-1,L{i},S,injection,PC,2026-01-02,100,90,5,5");
        }
        let seen = std::sync::Mutex::new(Vec::new());
        let record = |done: u64, total: u64| seen.lock().unwrap().push((done, total));
        let options = ImportOptions { on_progress: Some(&record), ..ImportOptions::default() };
        let report = import_bytes(&mut store, "l.csv", csv.as_bytes(), "t", options).unwrap();
        assert!(report.committed, "{:?}", report.problems);
        let seen = seen.lock().unwrap().clone();
        let checks_on: i64 = store.conn().pragma_query_value(None, "ignore_check_constraints", |r| r.get(0)).unwrap();
        assert_eq!(checks_on, 0, "CHECK evaluation is back on after the import");
        let total = csv.len() as u64;
        assert!(seen.len() >= 3, "called while reading and at the end: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "never goes backwards");
        assert_eq!(seen.last(), Some(&(total, total)));
    }

    #[test]
    fn problems_are_capped_but_counted() {
        let mut p = Problems::default();
        for i in 0..(MAX_LISTED + 5) {
            p.push(Problem::file(format!("problem {i}")));
        }
        assert_eq!(p.total(), MAX_LISTED + 5);
        assert_eq!(p.listed.len(), MAX_LISTED);
    }

    #[test]
    fn problem_display_names_line_field_and_value() {
        let p = Problem::at(
            Location::Line(12),
            validate::FieldError::new("produced_on", Some("2026-02-30"), "is not a real calendar date"),
        );
        assert_eq!(p.to_string(), "line 12, field `produced_on`: \"2026-02-30\" is not a real calendar date");
    }
}
