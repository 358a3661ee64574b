//! Field readers for one supplier of a dossier: each `read_*` turns a
//! `serde_json::Value` (one claim, audit or lot, or the supplier's own
//! fields) into a model type, reporting every problem with its JSON path,
//! and the `unique*` checks catch repeats within one supplier.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::Value;

use crate::exchange::json_fields::{Obj, describe, object, vocab_field};
use crate::exchange::{Location, Problem, Problems};
use crate::model::validate::{self, FieldError};
use crate::model::{
    Answer, Audit, BusinessModel, Claim, Closure, DEFAULT_TEMPLATE, Defects, Evidence, Finding, FindingSeverity,
    LotCounts, LotRow, LotText, Models, ProducedOn, Supplier, dates,
};

/// What a dossier is read against: the checklist templates on file (their
/// question codes) and today by the real clock.
pub(super) struct Rules {
    pub templates: HashMap<String, HashSet<String>>,
    pub today: NaiveDate,
}

pub(super) const SUPPLIER_FIELDS: &[&str] = &[
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
    "annotations",
    "control_plans",
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

/// The supplier's own fields (its arrays are read one element at a time
/// elsewhere): `value` holds only the known keys.
pub(super) fn read_supplier(value: &Value, path: &str, p: &mut Problems) -> Option<Supplier> {
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
    Some(Supplier {
        code: code?,
        name: name?.to_owned(),
        country: country?,
        city: city.ok()?,
        business_type: business_type?,
        models: models?,
        moq: moq.ok()?,
        dev_lead_days: dev_lead_days.ok()?,
        notes: notes.ok()?,
    })
}

/// Keeps a supplier's `list` (audits, annotations, control plans) only if
/// no two items share an id; each repeat is a problem naming the first.
pub(super) fn unique_ids<T>(
    path: &str,
    (list, what): (&str, &str),
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    p: &mut Problems,
) -> Option<Vec<T>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        if let Some(first) = seen.insert(id(item), i) {
            let message = format!("appears twice in this supplier's {what} (first at {list}[{first}])");
            let at = format!("{path}.{list}[{i}].id");
            p.push(Problem::at(Location::Path(at), FieldError::new("id", Some(id(item)), message)));
            ok = false;
        }
    }
    ok.then_some(items)
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

pub(super) fn read_claim(value: &Value, path: &str, today: NaiveDate, p: &mut Problems) -> Option<Claim> {
    let o = object(value, path, CLAIM_FIELDS, p)?;
    let capability = o.vocab("capability", p);
    let source = o.vocab("source", p);
    let stated_on = o.date("stated_on", p).and_then(|d| o.rule("stated_on", dates::stated(d, today), p).map(|()| d));
    let statement = o.opt_text("statement", p);
    let retired_on = o.opt_date("retired_on", p);
    let claim = Claim {
        capability: capability?,
        source: source?,
        stated_on: stated_on?,
        statement: statement.ok()?.unwrap_or_default(),
        retired_on: retired_on.ok()?,
    };
    if let Some(retired) = claim.retired_on {
        o.rule("retired_on", dates::retired(retired, claim.stated_on, today), p)?;
    }
    Some(claim)
}

pub(super) fn read_audit(value: &Value, path: &str, rules: &Rules, p: &mut Problems) -> Option<Audit> {
    let o = object(value, path, AUDIT_FIELDS, p)?;
    let id = o.parsed("id", "an audit id such as A-2026-014", p, |s| validate::code("id", s).map(|()| s.to_owned()));
    let auditor = o.text("auditor", validate::LINE_MAX, p);
    let visited_on =
        o.date("visited_on", p).and_then(|d| o.rule("visited_on", dates::visited(d, rules.today), p).map(|()| d));
    let kind = o.vocab("kind", p);
    let status = o.vocab("status", p);
    let summary = o.opt_text("summary", p);
    let amends = o.opt_parsed("amends", p, |s| validate::code("amends", s).map(|()| s.to_owned()));
    let template = read_template(&o, &rules.templates, p);
    let codes = template.as_ref().and_then(|t| rules.templates.get(t));
    let answers = each(&o, "answers", p, |v, at, p| read_answer(v, at, codes, p)).and_then(|answers| {
        unique(&o, answers, ("answers", "question", "is answered twice in this audit"), |a| &a.question, p)
    });
    let visited = visited_on?;
    let evidence = each(&o, "evidence", p, |v, at, p| read_evidence(v, at, rules.today, p));
    let findings = each(&o, "findings", p, |v, at, p| read_finding(v, at, visited, rules.today, p));
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

fn read_evidence(value: &Value, path: &str, today: NaiveDate, p: &mut Problems) -> Option<Evidence> {
    let o = object(value, path, EVIDENCE_FIELDS, p)?;
    let pillar = o.vocab("pillar", p);
    let kind = o.vocab("kind", p);
    let strength = o.vocab("strength", p);
    let collected_on =
        o.date("collected_on", p).and_then(|d| o.rule("collected_on", dates::collected(d, today), p).map(|()| d));
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

fn read_finding(
    value: &Value,
    path: &str,
    visited_on: NaiveDate,
    today: NaiveDate,
    p: &mut Problems,
) -> Option<Finding> {
    let o = object(value, path, FINDING_FIELDS, p)?;
    let severity: Option<FindingSeverity> = o.vocab("severity", p);
    let description = o.prose("description", p);
    let owner = o.opt_line("owner", validate::NAME_MAX, p);
    let due_on = o.opt_date("due_on", p).and_then(|due| match due {
        Some(d) => o.rule("due_on", dates::due(d, visited_on), p).map(|()| Some(d)).ok_or(()),
        None => Ok(None),
    });
    let closure = read_closure(&o, p).and_then(|closure| match &closure {
        Some(c) => o.rule("closed_on", dates::closed(c.closed_on, visited_on, today), p).map(|()| closure).ok_or(()),
        None => Ok(closure),
    });
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

pub(super) fn read_lot(value: &Value, path: &str, today: NaiveDate, p: &mut Problems) -> Option<LotRow> {
    let o = object(value, path, LOT_FIELDS, p)?;
    let text = |key: &str, p: &mut Problems| o.parsed(key, "a string", p, |s| LotText::parse(key, s));
    let (lot, sku) = (text("lot", p), text("sku", p));
    let process = o.vocab("process", p);
    let material = text("material", p);
    let produced_on = o.parsed("produced_on", "a date YYYY-MM-DD", p, |s| ProducedOn::parse(s, today));
    let started = o.count("started", 0, p);
    let passed_first = o.count("passed_first", 0, p);
    let reworked = o.count("reworked", 0, p);
    let scrapped = o.count("scrapped", 0, p);
    let defects = read_defects(&o, p);
    let counts = LotCounts::new(started?, passed_first?, reworked?, scrapped?);
    let counts = counts.map_err(|e| p.push(Problem::at(Location::Path(o.at(&e.field)), e))).ok()?;
    Some(LotRow {
        lot: lot?,
        sku: sku?,
        process: process?,
        material: material?,
        produced_on: produced_on?,
        counts,
        defects: defects?,
    })
}

/// `defects`: an object of code → count; zero counts are dropped.
fn read_defects(o: &Obj<'_>, p: &mut Problems) -> Option<Defects> {
    let Some(map) = o.map("defects", p).ok()? else { return Some(Defects::default()) };
    let mut counts = Vec::with_capacity(map.len());
    let mut ok = true;
    for (code, count) in map {
        let path = format!("{}.{}", o.at("defects"), validate::printable(code));
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
            Ok(n) => counts.push((code.as_str(), n)),
            Err(e) => {
                p.push(Problem::at(Location::Path(path), e));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    Defects::from_counts("defects", counts).map_err(|e| p.push(Problem::at(Location::Path(o.at("defects")), e))).ok()
}

/// Keeps `items` (the array `list` of `o`) only if no two share a `field`
/// value; each repeat is a problem that points at the first, e.g. "appears
/// twice in this supplier's lots (first at lots[3])".
fn unique<T>(
    o: &Obj<'_>,
    items: Vec<T>,
    (list, field, says): (&str, &str, &str),
    key: impl Fn(&T) -> &str,
    p: &mut Problems,
) -> Option<Vec<T>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        if let Some(first) = seen.insert(key(item), i) {
            let message = format!("{says} (first at {list}[{first}])");
            let at = format!("{}[{i}].{field}", o.at(list));
            p.push(Problem::at(Location::Path(at), FieldError::new(field, Some(key(item)), message)));
            ok = false;
        }
    }
    ok.then_some(items)
}
