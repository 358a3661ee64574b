//! The `casebook-dossier/1` importer.
//!
//! The document is streamed: serde walks the top-level object and hands over
//! one supplier at a time as a `Value`, which is read field by field (every
//! problem reported with its JSON path) and written inside the import's one
//! transaction. Memory holds the file's bytes and one supplier, not the tree.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::json_fields::{Obj, describe, object, vocab_field};
use super::validate::{self, FieldError};
use super::{Format, ImportReport, Location, Problem, Problems, Tally};
use crate::error::{Error, Result};
use crate::model::{
    Answer, Audit, AuditStatus, BusinessModel, Claim, Closure, DEFAULT_TEMPLATE, DOSSIER_FORMAT, Evidence, Finding,
    FindingSeverity, Lot, Models, Supplier, SupplierRecord,
};
use crate::store::{LotInsert, LotWriter, NewLot, SupplierId, Writer};

const TOP_FIELDS: &[&str] = &["format", "suppliers"];
const SUPPLIER_FIELDS: &[&str] = &[
    "code",
    "name",
    "country",
    "city",
    "business_type",
    "models",
    "moq",
    "dev_lead_days",
    "notes",
    "claims",
    "audits",
    "lots",
];
const CLAIM_FIELDS: &[&str] = &["capability", "source", "stated_on", "statement", "retired_on"];
const AUDIT_FIELDS: &[&str] = &[
    "id",
    "auditor",
    "visited_on",
    "kind",
    "status",
    "summary",
    "amends",
    "evidence",
    "template",
    "answers",
    "findings",
];
const EVIDENCE_FIELDS: &[&str] = &["pillar", "kind", "strength", "collected_on", "description", "reference"];
const ANSWER_FIELDS: &[&str] = &["question", "result", "note"];
const FINDING_FIELDS: &[&str] =
    &["severity", "description", "owner", "due_on", "status", "closed_on", "closure", "closed_by"];
const LOT_FIELDS: &[&str] =
    &["lot", "sku", "process", "material", "produced_on", "started", "passed_first", "reworked", "scrapped", "defects"];

pub(super) fn import(writer: &Writer<'_>, bytes: &[u8], mut report: ImportReport) -> Result<ImportReport> {
    report.format = Some(Format::Dossier);
    let templates = writer.read().template_codes()?;
    let outcome = stream(writer, bytes, templates)?;
    report.rejected = outcome.rejected;
    report.duplicates = outcome.duplicates;
    if outcome.problems.is_empty() {
        report.inserted = outcome.inserted;
        report.updated = outcome.updated;
        for (supplier, n) in outcome.lots_per_supplier.iter().filter(|(_, n)| **n > 0) {
            writer.record_lot_import(*supplier, *n, &report.file)?;
        }
    }
    report.take_problems(outcome.problems);
    Ok(report)
}

/// What streaming the document found and wrote (uncommitted).
struct Outcome {
    problems: Problems,
    inserted: Tally,
    updated: Tally,
    duplicates: Tally,
    rejected: u64,
    lots_per_supplier: HashMap<SupplierId, usize>,
}

fn stream(writer: &Writer<'_>, bytes: &[u8], templates: HashMap<String, HashSet<String>>) -> Result<Outcome> {
    let mut state = State::new(writer, writer.lot_writer()?, templates);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = DossierSeed { state: &mut state }.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = parsed {
        state.problems.push(json_error(&e));
        state.rejected += 1;
    }
    if let Some(fatal) = state.fatal.take() {
        return Err(fatal);
    }
    state.finish_document();
    Ok(Outcome {
        problems: state.problems,
        inserted: state.inserted,
        updated: state.updated,
        duplicates: state.duplicates,
        rejected: state.rejected,
        lots_per_supplier: state.lots_per_supplier,
    })
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
    templates: HashMap<String, HashSet<String>>,
    problems: Problems,
    inserted: Tally,
    updated: Tally,
    duplicates: Tally,
    rejected: u64,
    format: Option<Value>,
    saw_suppliers: bool,
    codes_in_file: HashMap<String, usize>,
    /// Audits inserted by this import: reference → (supplier code, status).
    audits_in_file: HashMap<String, (String, AuditStatus)>,
    lots_per_supplier: HashMap<SupplierId, usize>,
    fatal: Option<Error>,
}

impl<'w, 'c> State<'w, 'c> {
    fn new(writer: &'w Writer<'c>, lots: LotWriter<'w>, templates: HashMap<String, HashSet<String>>) -> Self {
        Self {
            writer,
            lots,
            templates,
            problems: Problems::default(),
            inserted: Tally::default(),
            updated: Tally::default(),
            duplicates: Tally::default(),
            rejected: 0,
            format: None,
            saw_suppliers: false,
            codes_in_file: HashMap::new(),
            audits_in_file: HashMap::new(),
            lots_per_supplier: HashMap::new(),
            fatal: None,
        }
    }

    fn problem(&mut self, path: String, field: &str, message: String) {
        self.problems.push(Problem { at: Location::Path(path), field: Some(field.to_owned()), value: None, message });
    }

    fn finish_document(&mut self) {
        match self.format.take() {
            Some(Value::String(f)) if f == DOSSIER_FORMAT => {}
            Some(other) => {
                let message = format!("is {}; expected \"{DOSSIER_FORMAT}\"", describe(&other));
                self.problem("format".into(), "format", message);
                self.rejected += 1;
            }
            None => {
                self.problem("format".into(), "format", format!("is required; expected \"{DOSSIER_FORMAT}\""));
                self.rejected += 1;
            }
        }
        if !self.saw_suppliers {
            self.problem("suppliers".into(), "suppliers", "is required; expected an array of suppliers".into());
            self.rejected += 1;
        }
    }

    /// Reads, checks and writes one supplier; problems are collected, and
    /// database errors stop the import.
    fn supplier(&mut self, index: usize, value: &Value) {
        if self.fatal.is_some() {
            return;
        }
        let path = format!("suppliers[{index}]");
        let before = self.problems.total();
        let record = read_supplier(value, &path, &self.templates, &mut self.problems);
        if let Some(record) = &record {
            if let Some(first) = self.codes_in_file.insert(record.supplier.code.clone(), index) {
                let message = format!(
                    "supplier `{}` appears twice in this file (first at suppliers[{first}])",
                    record.supplier.code
                );
                self.problem(format!("{path}.code"), "code", message);
            }
        }
        if let (Some(record), true) = (record, self.problems.total() == before) {
            if let Err(e) = self.store_supplier(&path, &record) {
                self.fatal = Some(e);
            }
        }
        if self.problems.total() > before {
            self.rejected += 1;
        }
    }

    fn store_supplier(&mut self, path: &str, record: &SupplierRecord) -> Result<()> {
        let supplier = self.upsert_supplier(&record.supplier)?;
        for claim in &record.claims {
            let added = self.writer.insert_claim(supplier, claim)?;
            if added { &mut self.inserted } else { &mut self.duplicates }.add("claims", 1);
        }
        self.store_audits(supplier, path, record)?;
        for lot in &record.lots {
            self.store_lot(supplier, lot)?;
        }
        Ok(())
    }

    fn upsert_supplier(&mut self, s: &Supplier) -> Result<SupplierId> {
        if let Some(id) = self.writer.read().supplier_id(&s.code)? {
            let changed = self.writer.update_supplier(id, s)?;
            if changed > 0 { &mut self.updated } else { &mut self.duplicates }.add("suppliers", 1);
            return Ok(id);
        }
        self.inserted.add("suppliers", 1);
        self.writer.insert_supplier(s)
    }

    /// Audits that amend another go after the others, so the original is
    /// on file (and sealed) by the time its amendment arrives.
    fn store_audits(&mut self, supplier: SupplierId, path: &str, record: &SupplierRecord) -> Result<()> {
        let mut order: Vec<usize> = (0..record.audits.len()).collect();
        order.sort_by_key(|i| record.audits[*i].amends.is_some());
        for i in order {
            self.store_audit(supplier, &record.supplier.code, &format!("{path}.audits[{i}]"), &record.audits[i])?;
        }
        Ok(())
    }

    fn store_audit(&mut self, supplier: SupplierId, code: &str, path: &str, audit: &Audit) -> Result<()> {
        let reader = self.writer.read();
        if reader.audit_id(&audit.id)?.is_some() {
            if self.audits_in_file.contains_key(&audit.id) {
                self.problem(format!("{path}.id"), "id", format!("audit `{}` appears twice in this file", audit.id));
            } else {
                self.audit_on_file(supplier, path, audit)?;
            }
            return Ok(());
        }
        if let Some(original) = &audit.amends {
            if let Some(message) = self.amend_problem(code, original)? {
                self.problem(format!("{path}.amends"), "amends", message);
                return Ok(());
            }
        }
        let id = self.writer.import_audit(supplier, audit)?;
        if audit.status == AuditStatus::Submitted {
            crate::workflow::seal(self.writer, id)?;
        }
        self.audits_in_file.insert(audit.id.clone(), (code.to_owned(), audit.status));
        self.inserted.add("audits", 1);
        self.inserted.add("answers", audit.answers.len() as u64);
        self.inserted.add("evidence", audit.evidence.len() as u64);
        self.inserted.add("findings", audit.findings.len() as u64);
        Ok(())
    }

    /// An audit reference already in the database: a duplicate if it is the
    /// same supplier's, a conflict otherwise.
    fn audit_on_file(&mut self, supplier: SupplierId, path: &str, audit: &Audit) -> Result<()> {
        let reader = self.writer.read();
        let existing = reader.audit(reader.require_audit(&audit.id)?)?;
        let ours = reader.supplier(supplier)?.code;
        if existing.supplier == ours {
            self.duplicates.add("audits", 1);
        } else {
            let message = format!(
                "audit `{}` is already on file for supplier `{}`; audit ids are unique across suppliers",
                audit.id, existing.supplier
            );
            self.problem(format!("{path}.id"), "id", message);
        }
        Ok(())
    }

    fn amend_problem(&self, code: &str, original: &str) -> Result<Option<String>> {
        let reader = self.writer.read();
        let Some(id) = reader.audit_id(original)? else {
            return Ok(Some(format!("names audit `{original}`, which is not on file or in this dossier")));
        };
        let row = reader.audit(id)?;
        Ok(if row.supplier != code {
            Some(format!(
                "names audit `{original}` of supplier `{}`; an amendment must be of the same supplier",
                row.supplier
            ))
        } else if row.audit.status != AuditStatus::Submitted {
            Some(format!("names audit `{original}`, which is a draft; only a submitted audit can be amended"))
        } else {
            None
        })
    }

    fn store_lot(&mut self, supplier: SupplierId, lot: &Lot) -> Result<()> {
        let day = lot.produced_on.to_string();
        let new = NewLot {
            lot: &lot.lot,
            sku: &lot.sku,
            process: lot.process,
            material: &lot.material,
            produced_on: &day,
            started: lot.started,
            passed_first: lot.passed_first,
            reworked: lot.reworked,
            scrapped: lot.scrapped,
        };
        let mut json = String::new();
        let has = validate::defects_json(lot.defects.iter().map(|(c, n)| (c.as_str(), *n)), &mut json);
        match self.lots.insert(supplier, &new, has.then_some(json.as_str()))? {
            LotInsert::Inserted => {
                self.inserted.add("lots", 1);
                *self.lots_per_supplier.entry(supplier).or_default() += 1;
            }
            LotInsert::Duplicate => self.duplicates.add("lots", 1),
        }
        Ok(())
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
        write!(f, "a {DOSSIER_FORMAT} object with `format` and `suppliers`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => self.state.format = Some(map.next_value()?),
                "suppliers" => {
                    self.state.saw_suppliers = true;
                    map.next_value_seed(SuppliersSeed { state: &mut *self.state })?;
                }
                other => {
                    map.next_value::<IgnoredAny>()?;
                    let message = format!("unknown field `{other}`; expected one of: {}", TOP_FIELDS.join(", "));
                    self.state.problem(other.to_owned(), other, message);
                    self.state.rejected += 1;
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
        self.state.rejected += 1;
    }
}

impl<'de> Visitor<'de> for SuppliersSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`suppliers` to be an array of supplier objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            self.state.supplier(index, &value);
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

/// Reads every element of an array field with `read`, by index.
fn each<T>(
    obj: &Obj<'_>,
    key: &str,
    problems: &mut Problems,
    mut read: impl FnMut(&Value, &str, &mut Problems) -> Option<T>,
) -> Option<Vec<T>> {
    let items = obj.array(key, problems)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match read(item, &format!("{}[{i}]", obj.at(key)), problems) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_supplier(
    value: &Value,
    path: &str,
    templates: &HashMap<String, HashSet<String>>,
    p: &mut Problems,
) -> Option<SupplierRecord> {
    let o = object(value, path, SUPPLIER_FIELDS, p)?;
    let code =
        o.parsed("code", "a supplier code such as SZ-ARMOR", p, |s| validate::code("code", s).map(|()| s.to_owned()));
    let name = o.text("name", validate::NAME_MAX, p);
    let country =
        o.parsed("country", "a country code such as CN", p, |s| validate::country("country", s).map(|()| s.to_owned()));
    let city = o.opt_line("city", validate::LINE_MAX, p);
    let business_type = o.vocab("business_type", p);
    let models = read_models(&o, p);
    let moq = o.opt_count("moq", 1, p);
    let dev_lead_days = o.opt_count("dev_lead_days", 1, p);
    let notes = o.opt_text("notes", p);
    let claims = each(&o, "claims", p, read_claim);
    let audits = each(&o, "audits", p, |v, at, p| read_audit(v, at, templates, p));
    let lots = each(&o, "lots", p, read_lot).and_then(|lots| unique_lots(&o, lots, p));
    Some(SupplierRecord {
        supplier: Supplier {
            code: code?,
            name: name?.to_owned(),
            country: country?,
            city: city.ok()?,
            business_type: business_type?,
            models: models?,
            moq: moq.ok()?,
            dev_lead_days: dev_lead_days.ok()?,
            notes: notes.ok()?,
        },
        claims: claims?,
        audits: unique_audits(&o, audits?, p)?,
        lots: lots?,
    })
}

fn read_models(o: &Obj<'_>, p: &mut Problems) -> Option<Models> {
    let items = o.array("models", p)?;
    let mut models = Models::default();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("{}[{i}]", o.at("models"));
        let word = item.as_str().ok_or_else(|| {
            FieldError::new("models", None, format!("expected \"oem\" or \"odm\", found {}", describe(item)))
        });
        match word.and_then(|w| vocab_field::<BusinessModel>("models", w)) {
            Ok(BusinessModel::Oem) if !models.oem => models.oem = true,
            Ok(BusinessModel::Odm) if !models.odm => models.odm = true,
            Ok(m) => {
                p.push(Problem::at(
                    Location::Path(path),
                    FieldError::new("models", Some(m.as_str()), "is listed twice"),
                ));
                ok = false;
            }
            Err(e) => {
                p.push(Problem::at(Location::Path(path), e));
                ok = false;
            }
        }
    }
    ok.then_some(models)
}

fn read_claim(value: &Value, path: &str, p: &mut Problems) -> Option<Claim> {
    let o = object(value, path, CLAIM_FIELDS, p)?;
    let capability = o.vocab("capability", p);
    let source = o.vocab("source", p);
    let stated_on = o.date("stated_on", p);
    let statement = o.opt_text("statement", p);
    let retired_on = o.opt_date("retired_on", p);
    let claim = Claim {
        capability: capability?,
        source: source?,
        stated_on: stated_on?,
        statement: statement.ok()?.unwrap_or_default(),
        retired_on: retired_on.ok()?,
    };
    if claim.retired_on.is_some_and(|r| r < claim.stated_on) {
        let retired = claim.retired_on.map(|d| d.to_string());
        let message =
            format!("is before stated_on ({}); a claim is retired on or after it was stated", claim.stated_on);
        let e = FieldError::new("retired_on", retired.as_deref(), message);
        p.push(Problem::at(Location::Path(o.at("retired_on")), e));
        return None;
    }
    Some(claim)
}

fn read_audit(
    value: &Value,
    path: &str,
    templates: &HashMap<String, HashSet<String>>,
    p: &mut Problems,
) -> Option<Audit> {
    let o = object(value, path, AUDIT_FIELDS, p)?;
    let id = o.parsed("id", "an audit id such as A-2026-014", p, |s| validate::code("id", s).map(|()| s.to_owned()));
    let auditor = o.text("auditor", validate::LINE_MAX, p);
    let visited_on = o.date("visited_on", p);
    let kind = o.vocab("kind", p);
    let status = o.vocab("status", p);
    let summary = o.opt_text("summary", p);
    let amends = o.opt_parsed("amends", p, |s| validate::code("amends", s).map(|()| s.to_owned()));
    let template = read_template(&o, templates, p);
    let codes = template.as_ref().and_then(|t| templates.get(t));
    let evidence = each(&o, "evidence", p, read_evidence);
    let answers =
        each(&o, "answers", p, |v, at, p| read_answer(v, at, codes, p)).and_then(|a| unique_answers(&o, a, p));
    let visited = visited_on?;
    let findings = each(&o, "findings", p, |v, at, p| read_finding(v, at, visited, p));
    Some(Audit {
        id: id?,
        auditor: auditor?.to_owned(),
        visited_on: visited,
        kind: kind?,
        status: status?,
        summary: summary.ok()?,
        amends: amends.ok()?,
        evidence: evidence?,
        template: template?,
        answers: answers?,
        findings: findings?,
    })
}

fn read_template(o: &Obj<'_>, templates: &HashMap<String, HashSet<String>>, p: &mut Problems) -> Option<String> {
    let chosen = o.opt_text("template", p).ok()?.unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
    if templates.contains_key(&chosen) {
        return Some(chosen);
    }
    let mut known: Vec<&str> = templates.keys().map(String::as_str).collect();
    known.sort_unstable();
    let e = FieldError::new(
        "template",
        Some(&chosen),
        format!("is not a known checklist template; expected one of: {}", known.join(", ")),
    );
    p.push(Problem::at(Location::Path(o.at("template")), e));
    None
}

fn read_evidence(value: &Value, path: &str, p: &mut Problems) -> Option<Evidence> {
    let o = object(value, path, EVIDENCE_FIELDS, p)?;
    let pillar = o.vocab("pillar", p);
    let kind = o.vocab("kind", p);
    let strength = o.vocab("strength", p);
    let collected_on = o.date("collected_on", p);
    let description = o.prose("description", p);
    let reference = o.opt_text("reference", p);
    Some(Evidence {
        pillar: pillar?,
        kind: kind?,
        strength: strength?,
        collected_on: collected_on?,
        description: description?.to_owned(),
        reference: reference.ok()?,
    })
}

fn read_answer(value: &Value, path: &str, codes: Option<&HashSet<String>>, p: &mut Problems) -> Option<Answer> {
    let o = object(value, path, ANSWER_FIELDS, p)?;
    let question = o.parsed("question", "a question code such as MC-03", p, |s| match codes {
        Some(codes) if !codes.contains(s) => {
            let mut known: Vec<&str> = codes.iter().map(String::as_str).collect();
            known.sort_unstable();
            let sample = known.iter().take(3).copied().collect::<Vec<_>>().join(", ");
            Err(FieldError::new(
                "question",
                Some(s),
                format!(
                    "is not a question of the audit's template; expected one of its {} codes ({sample}, …)",
                    known.len()
                ),
            ))
        }
        _ => Ok(s.to_owned()),
    });
    let result = o.vocab("result", p);
    let note = o.opt_text("note", p);
    Some(Answer { question: question?, result: result?, note: note.ok()? })
}

fn read_finding(value: &Value, path: &str, visited_on: chrono::NaiveDate, p: &mut Problems) -> Option<Finding> {
    let o = object(value, path, FINDING_FIELDS, p)?;
    let severity: Option<FindingSeverity> = o.vocab("severity", p);
    let description = o.prose("description", p);
    let owner = o.opt_line("owner", validate::NAME_MAX, p);
    let due_on = o.opt_date("due_on", p);
    let closure = read_closure(&o, p);
    let severity = severity?;
    Some(Finding {
        severity,
        description: description?.to_owned(),
        owner: owner.ok()?,
        due_on: due_on.ok()?.unwrap_or_else(|| severity.due_from(visited_on)),
        closure: closure.ok()?,
    })
}

/// `status` open (the default) or closed; a closed finding needs `closed_on`
/// and `closure`, an open one must have neither.
fn read_closure(o: &Obj<'_>, p: &mut Problems) -> Result<Option<Closure>, ()> {
    let status = o
        .opt_parsed("status", p, |s| match s {
            "open" | "closed" => Ok(s == "closed"),
            _ => Err(FieldError::new("status", Some(s), "is not valid; expected one of: open, closed")),
        })?
        .unwrap_or(false);
    let closed_on = o.opt_date("closed_on", p)?;
    let evidence = o.opt_text("closure", p)?;
    let closed_by = o.opt_line("closed_by", validate::NAME_MAX, p)?;
    match (status, closed_on, evidence) {
        (true, Some(closed_on), Some(evidence)) if !evidence.trim().is_empty() => {
            Ok(Some(Closure { closed_on, evidence, closed_by: closed_by.unwrap_or_else(|| "unknown".to_owned()) }))
        }
        (true, _, _) => {
            let e = FieldError::new(
                "status",
                Some("closed"),
                "a closed finding needs `closed_on` and `closure` (the closure evidence)",
            );
            p.push(Problem::at(Location::Path(o.at("status")), e));
            Err(())
        }
        (false, None, None) if closed_by.is_none() => Ok(None),
        (false, ..) => {
            let e = FieldError::new(
                "status",
                None,
                "is open (or missing) but closure fields are given; set \"status\": \"closed\"",
            );
            p.push(Problem::at(Location::Path(o.at("status")), e));
            Err(())
        }
    }
}

fn read_lot(value: &Value, path: &str, p: &mut Problems) -> Option<Lot> {
    let o = object(value, path, LOT_FIELDS, p)?;
    let lot = o.text("lot", validate::LOT_TEXT_MAX, p);
    let sku = o.text("sku", validate::LOT_TEXT_MAX, p);
    let process = o.vocab("process", p);
    let material = o.text("material", validate::LOT_TEXT_MAX, p);
    let produced_on = o.date("produced_on", p);
    let started = o.count("started", 0, p);
    let passed_first = o.count("passed_first", 0, p);
    let reworked = o.count("reworked", 0, p);
    let scrapped = o.count("scrapped", 0, p);
    let defects = read_defects(&o, p);
    let (started, passed_first, scrapped) = (started?, passed_first?, scrapped?);
    if let Some(e) = validate::lot_counts(started, passed_first, scrapped) {
        let at = o.at(&e.field);
        p.push(Problem::at(Location::Path(at), e));
        return None;
    }
    Some(Lot {
        lot: lot?.to_owned(),
        sku: sku?.to_owned(),
        process: process?,
        material: material?.to_owned(),
        produced_on: produced_on?,
        started,
        passed_first,
        reworked: reworked?,
        scrapped,
        defects: defects?,
    })
}

/// `defects`: an object of code → count; zero counts are dropped.
fn read_defects(o: &Obj<'_>, p: &mut Problems) -> Option<Vec<(String, u32)>> {
    let Some(map) = o.map("defects", p).ok()? else { return Some(Vec::new()) };
    let mut out = Vec::with_capacity(map.len());
    let mut ok = true;
    for (code, count) in map {
        let path = format!("{}.{code}", o.at("defects"));
        let checked = validate::defect_code("defects", code).and_then(|()| {
            count.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                FieldError::new(
                    code,
                    None,
                    format!("expected a whole number of defects, 0 or more, found {}", describe(count)),
                )
            })
        });
        match checked {
            Ok(n) if n > 0 => out.push((code.clone(), n)),
            Ok(_) => {}
            Err(e) => {
                p.push(Problem::at(Location::Path(path), e));
                ok = false;
            }
        }
    }
    out.sort();
    ok.then_some(out)
}

fn unique_lots(o: &Obj<'_>, lots: Vec<Lot>, p: &mut Problems) -> Option<Vec<Lot>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, lot) in lots.iter().enumerate() {
        if let Some(first) = seen.insert(&lot.lot, i) {
            let message = format!("appears twice in this supplier's lots (first at lots[{first}])");
            p.push(Problem::at(
                Location::Path(format!("{}[{i}].lot", o.at("lots"))),
                FieldError::new("lot", Some(&lot.lot), message),
            ));
            ok = false;
        }
    }
    ok.then_some(lots)
}

fn unique_answers(o: &Obj<'_>, answers: Vec<Answer>, p: &mut Problems) -> Option<Vec<Answer>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, a) in answers.iter().enumerate() {
        if let Some(first) = seen.insert(&a.question, i) {
            let message = format!("is answered twice in this audit (first at answers[{first}])");
            let at = format!("{}[{i}].question", o.at("answers"));
            p.push(Problem::at(Location::Path(at), FieldError::new("question", Some(&a.question), message)));
            ok = false;
        }
    }
    ok.then_some(answers)
}

fn unique_audits(o: &Obj<'_>, audits: Vec<Audit>, p: &mut Problems) -> Option<Vec<Audit>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, a) in audits.iter().enumerate() {
        if let Some(first) = seen.insert(&a.id, i) {
            let message = format!("appears twice in this supplier's audits (first at audits[{first}])");
            let at = format!("{}[{i}].id", o.at("audits"));
            p.push(Problem::at(Location::Path(at), FieldError::new("id", Some(&a.id), message)));
            ok = false;
        }
    }
    ok.then_some(audits)
}
