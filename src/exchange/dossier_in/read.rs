//! Field readers for one supplier of a dossier: each `read_*` turns a
//! `serde_json::Value` into a model type, reporting every problem with its
//! JSON path, and the `unique_*` checks catch repeats within one supplier.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::exchange::json_fields::{Obj, describe, object, vocab_field};
use crate::exchange::validate::{self, FieldError};
use crate::exchange::{Location, Problem, Problems};
use crate::model::{
    Answer, Audit, BusinessModel, Claim, Closure, DEFAULT_TEMPLATE, Evidence, Finding, FindingSeverity, Lot, Models,
    Supplier, SupplierRecord,
};

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
pub(super) fn read_supplier(
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
    let lots = each(&o, "lots", p, read_lot)
        .and_then(|lots| unique(&o, lots, ("lots", "lot", "appears twice in this supplier's lots"), |l| &l.lot, p));
    let audits = audits.and_then(|audits| {
        unique(&o, audits, ("audits", "id", "appears twice in this supplier's audits"), |a| &a.id, p)
    });
    let annotations = each(&o, "annotations", p, super::control::read_annotation).and_then(|notes| {
        unique(&o, notes, ("annotations", "id", "appears twice in this supplier's annotations"), |a| &a.id, p)
    });
    let control_plans = each(&o, "control_plans", p, super::control::read_plan).and_then(|plans| {
        unique(&o, plans, ("control_plans", "id", "appears twice in this supplier's control plans"), |c| &c.id, p)
    });
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
        audits: audits?,
        lots: lots?,
        annotations: annotations?,
        control_plans: control_plans?,
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
    let answers = each(&o, "answers", p, |v, at, p| read_answer(v, at, codes, p)).and_then(|answers| {
        unique(&o, answers, ("answers", "question", "is answered twice in this audit"), |a| &a.question, p)
    });
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
