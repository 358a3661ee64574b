//! The `casebook-dossier/1` (and `/2`) importer.
//!
//! The document is streamed from the file: serde walks the top-level object,
//! each supplier object key by key, and each of its arrays (claims, audits,
//! lots) one element at a time. Each element is read as a small JSON value
//! field by field (every problem reported with its JSON path, a key given
//! twice too); lots go to a bounded external sort as checked rows, and the
//! supplier is written when its object ends, inside the import's one
//! transaction. Memory holds one supplier's claims and audits and a sort
//! run, never the file or a supplier's lots.
//!
//! This module holds the entry point, the streaming state and the top-level
//! visitors; `supplier` streams one supplier, `strict` reads values, `read`
//! turns them into model types and `write` stores them.

mod control;
mod read;
mod strict;
mod supplier;
pub(super) mod team;
mod write;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::json_fields::{describe, unknown_field};
use super::{Format, ImportReport, Location, Problem, Problems, Tally};
use crate::error::{Error, Result};
use crate::model::validate::printable;
use crate::model::{DOSSIER_FORMAT, DOSSIER_FORMAT_2, DOSSIER_FORMAT_3};
use crate::store::hub::Batch;
use crate::store::{LotWriter, SupplierId, Writer};
use read::Rules;
use strict::{Keys, Strict};

const TOP_FIELDS: &[&str] = &["format", "suppliers"];
const TOP_FIELDS_3: &[&str] = &["format", "suppliers", "records"];

pub(super) fn import(writer: &Writer<'_>, input: impl Read, mut report: ImportReport) -> Result<ImportReport> {
    report.format = Some(Format::Dossier);
    let rules = Rules { templates: writer.read().template_codes()?, today: crate::model::validate::today() };
    let (outcome, _) = stream(writer, input, rules, false)?;
    report.rejected = outcome.rejected;
    report.duplicates = outcome.duplicates;
    if outcome.problems.is_empty() {
        report.inserted = outcome.inserted;
        report.updated = outcome.updated;
        writer.record_lot_imports(&outcome.lots_per_supplier, &report.file)?;
    }
    report.take_problems(outcome.problems);
    Ok(report)
}

/// What streaming the document found and wrote (uncommitted).
#[derive(Default)]
struct Outcome {
    problems: Problems,
    inserted: Tally,
    updated: Tally,
    duplicates: Tally,
    rejected: u64,
    lots_per_supplier: HashMap<SupplierId, usize>,
}

/// Streams the document into `writer`; with `team`, a `casebook-dossier/3`
/// document, whose `records` are returned.
fn stream(writer: &Writer<'_>, input: impl Read, rules: Rules, team: bool) -> Result<(Outcome, Option<Batch>)> {
    let mut state = State::new(writer, writer.lot_writer()?, rules);
    state.team = team;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, input));
    let parsed = DossierSeed { state: &mut state }.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = parsed {
        state.out.problems.push(json_error(&e));
        state.out.rejected += 1;
    }
    if let Some(fatal) = state.fatal.take() {
        return Err(fatal);
    }
    state.finish_document();
    Ok((state.out, state.records.take()))
}

fn json_error(e: &serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let (line, column) = (e.line() as u64, e.column());
    let message = match e.classify() {
        Category::Eof => format!("the JSON ends early at column {column} (is the file truncated?)"),
        Category::Syntax => format!("invalid JSON at column {column}: {}", strip_position(e)),
        Category::Data => format!("at column {column}: {}", strip_position(e)),
        Category::Io => format!("cannot read: {e}"),
    };
    Problem { at: Location::Line(line), field: None, value: None, message }
}

/// `serde_json` appends " at line L column C"; the location is reported separately.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Everything one import accumulates while the document streams by.
struct State<'w, 'c> {
    writer: &'w Writer<'c>,
    lots: LotWriter<'w>,
    rules: Rules,
    out: Outcome,
    format: Option<Value>,
    saw_suppliers: bool,
    codes_in_file: HashMap<String, usize>,
    /// References of the audits inserted by this import.
    audits_in_file: HashSet<String>,
    keys: Keys,
    /// Where the first field of `casebook-dossier/2` was seen, if any.
    format_2_at: Option<String>,
    fatal: Option<Error>,
    /// Reading a `casebook-dossier/3` document (see `team`).
    team: bool,
    /// Its records.
    records: Option<Batch>,
}

impl<'w, 'c> State<'w, 'c> {
    fn new(writer: &'w Writer<'c>, lots: LotWriter<'w>, rules: Rules) -> Self {
        Self {
            writer,
            lots,
            rules,
            out: Outcome::default(),
            format: None,
            saw_suppliers: false,
            codes_in_file: HashMap::new(),
            audits_in_file: HashSet::new(),
            keys: Keys::default(),
            format_2_at: None,
            fatal: None,
            team: false,
            records: None,
        }
    }

    fn problem(&mut self, path: String, field: &str, message: String) {
        self.out.problems.push(Problem {
            at: Location::Path(path),
            field: Some(field.to_owned()),
            value: None,
            message,
        });
    }

    /// A key given twice in one object: refused, wherever it is.
    fn repeated_key(&mut self, path: String) {
        let field = path.rsplit('.').next().unwrap_or(&path).to_owned();
        let message = "is given twice in the same object; a JSON key may appear only once".to_owned();
        self.problem(path, &field, message);
    }

    /// Reports the repeated keys found inside the values just read.
    fn take_repeated_keys(&mut self) {
        for path in std::mem::take(&mut self.keys.repeated) {
            self.repeated_key(path);
        }
    }

    fn finish_document(&mut self) {
        if self.team {
            match self.format.take() {
                Some(Value::String(f)) if f == DOSSIER_FORMAT_3 => {}
                other => {
                    let found = other.as_ref().map_or_else(|| "missing".to_owned(), describe);
                    let message = format!(
                        "is {found}; a document with `records` is \"{DOSSIER_FORMAT_3}\" and names its format first"
                    );
                    self.problem("format".into(), "format", message);
                    self.out.rejected += 1;
                }
            }
        } else {
            self.finish_plain_format();
        }
        if !self.saw_suppliers {
            self.problem("suppliers".into(), "suppliers", "is required; expected an array of suppliers".into());
            self.out.rejected += 1;
        }
    }

    fn finish_plain_format(&mut self) {
        let expected = format!("\"{DOSSIER_FORMAT}\", \"{DOSSIER_FORMAT_2}\" or \"{DOSSIER_FORMAT_3}\"");
        match self.format.take() {
            Some(Value::String(f)) if f == DOSSIER_FORMAT_3 => {
                let message = format!(
                    "is \"{DOSSIER_FORMAT_3}\", which is read only when `format` is the document's first member (as \
                     casebook export writes it); move it first"
                );
                self.problem("format".into(), "format", message);
                self.out.rejected += 1;
            }
            Some(Value::String(f)) if f == DOSSIER_FORMAT_2 => {}
            Some(Value::String(f)) if f == DOSSIER_FORMAT => {
                if let Some(path) = self.format_2_at.take() {
                    let message = format!(
                        "is \"{DOSSIER_FORMAT}\", but {path} is only in \"{DOSSIER_FORMAT_2}\"; set the format to \
                         \"{DOSSIER_FORMAT_2}\""
                    );
                    self.problem("format".into(), "format", message);
                    self.out.rejected += 1;
                }
            }
            Some(other) => {
                let message = format!("is {}; expected {expected}", describe(&other));
                self.problem("format".into(), "format", message);
                self.out.rejected += 1;
            }
            None => {
                self.problem("format".into(), "format", format!("is required; expected {expected}"));
                self.out.rejected += 1;
            }
        }
    }
}

struct DossierSeed<'s, 'w, 'c> {
    state: &'s mut State<'w, 'c>,
}

impl<'de> DeserializeSeed<'de> for DossierSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DossierSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {DOSSIER_FORMAT}, /2 or /3 object with `format` and `suppliers`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                map.next_value::<IgnoredAny>()?;
                self.state.repeated_key(printable(&key).into_owned());
                self.state.out.rejected += 1;
                continue;
            }
            match key.as_str() {
                "format" => {
                    self.state.format = Some(map.next_value_seed(Strict::at(&mut self.state.keys, "format".into()))?);
                    self.state.take_repeated_keys();
                }
                "suppliers" => {
                    self.state.saw_suppliers = true;
                    map.next_value_seed(SuppliersSeed { state: &mut *self.state })?;
                }
                "records" if self.state.team => {
                    self.state.records = Some(map.next_value::<Batch>()?);
                }
                other => {
                    map.next_value::<IgnoredAny>()?;
                    let known = if self.state.team { TOP_FIELDS_3 } else { TOP_FIELDS };
                    self.state.out.problems.push(unknown_field("", other, known));
                    self.state.out.rejected += 1;
                }
            }
        }
        Ok(())
    }
}

struct SuppliersSeed<'s, 'w, 'c> {
    state: &'s mut State<'w, 'c>,
}

impl<'de> DeserializeSeed<'de> for SuppliersSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        // `any`, so a value of the wrong type is reported at its path.
        d.deserialize_any(self)
    }
}

impl SuppliersSeed<'_, '_, '_> {
    fn wrong_type(self, found: &str) {
        let message = format!("expected an array of suppliers, found {found}");
        self.state.problem("suppliers".into(), "suppliers", message);
        self.state.out.rejected += 1;
    }
}

impl<'de> Visitor<'de> for SuppliersSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`suppliers` to be an array of supplier objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut index = 0;
        while seq.next_element_seed(supplier::SupplierSeed { state: &mut *self.state, index })?.is_some() {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.wrong_type("an object");
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<(), E> {
        self.wrong_type(&format!("a boolean ({v})"));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<(), E> {
        self.wrong_type(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<(), E> {
        self.wrong_type(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<(), E> {
        self.wrong_type(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<(), E> {
        self.wrong_type(&format!("a string ({v:?})"));
        Ok(())
    }

    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        self.wrong_type("null");
        Ok(())
    }
}
