//! `casebook-dossier/3`: a dossier that carries its records whole — global
//! ids, seals, field versions with who and when, drafts, voids, history,
//! notes, annotations, control plans and attachment files — beside the
//! readable `suppliers` part every older format has.
//!
//! Import goes in three steps, none of which touches this database until
//! the last:
//! 1. the readable part is checked exactly as a `/1` or `/2` document is
//!    (every rule, every path in the messages), by importing it into a
//!    private database;
//! 2. the `records` are written into a second private database (the one a
//!    hub pull fills), with the lots of the readable part, and each supplier
//!    as that database shows it must equal the readable part (a document
//!    edited by hand on one side only is refused, saying where);
//! 3. that database is merged into this one, as `casebook merge` does:
//!    records matched by their global ids, seals recomputed and compared,
//!    mutable fields resolved by the later edit with every conflict listed.
//!    A refused record (a seal that does not match, the same id with other
//!    content) refuses the whole import: nothing is written.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::{Outcome, Rules, stream};
use crate::error::{Error, Result};
use crate::exchange::{Format, ImportReport, Location, Problem, Problems, Tally};
use crate::model::merge::{Cause, Counts};
use crate::store::hub::{Batch, RecordRow};
use crate::store::{FilledInbox, Inbox, OpenMode, Reader, Source, Store, Writer};

/// Imports a `/3` document into `writer` (a savepoint of the import's
/// transaction on the database at `db`).
pub(in crate::exchange) fn import(
    writer: &Writer<'_>,
    db: &Path,
    input: impl Read,
    mut report: ImportReport,
) -> Result<ImportReport> {
    report.format = Some(Format::Dossier);
    let dir = tempfile::tempdir()?;
    let checked_path = dir.path().join("readable.db");
    let mut checked = Store::open(&checked_path, OpenMode::Create)?;
    let (outcome, records) = {
        let w = checked.begin(writer.actor())?;
        let rules = Rules { templates: w.read().template_codes()?, today: crate::model::validate::today() };
        let (outcome, records) = stream(&w, input, rules, true)?;
        w.commit()?;
        (outcome, records)
    };
    let Outcome { problems, rejected, .. } = outcome;
    if !problems.is_empty() {
        report.rejected = rejected;
        report.take_problems(problems);
        return Ok(report);
    }
    let Some(records) = records else {
        let mut problems = Problems::default();
        problems.push(Problem {
            at: Location::Path("records".into()),
            field: Some("records".into()),
            value: None,
            message: "is required in a casebook-dossier/3 document (the records `casebook export` writes)".into(),
        });
        report.take_problems(problems);
        return Ok(report);
    };
    let inbox = match fill(&records, checked.read()) {
        Ok(inbox) => inbox,
        Err(Error::Invalid(message)) => return Ok(refuse(report, "records", message)),
        Err(e) => return Err(e),
    };
    let source = Source::open_private(inbox.path(), db)?;
    if let Some((path, message)) = first_difference(checked.read(), source.read())? {
        return Ok(refuse(report, &path, message));
    }
    drop(checked);
    let label = report.file.clone();
    let merged = crate::workflow::merge::merge_into(writer, &source, &label, db, report.dry_run)?;
    let mut problems = Problems::default();
    for refused in merged.refused.iter().filter(|r| r.cause != Cause::AfterSubmission) {
        problems.push(Problem {
            at: Location::Path("records".into()),
            field: None,
            value: None,
            message: format!(
                "{} {} ({}): refused: {}",
                refused.entity,
                refused.key,
                refused.id,
                refused.cause.explain()
            ),
        });
        report.rejected += 1;
    }
    let refused = !problems.is_empty();
    report.take_problems(problems);
    report.duplicates = tally(&merged.already);
    if !refused {
        report.inserted = tally(&merged.added);
        report.updated = tally(&merged.updated);
    }
    report.merged = Some(merged);
    Ok(report)
}

fn refuse(mut report: ImportReport, path: &str, message: String) -> ImportReport {
    let mut problems = Problems::default();
    problems.push(Problem { at: Location::Path(path.to_owned()), field: None, value: None, message });
    report.rejected = report.rejected.max(1);
    report.take_problems(problems);
    report
}

fn tally(counts: &Counts) -> Tally {
    let mut t = Tally::default();
    for (kind, n) in &counts.0 {
        t.add(kind, *n);
    }
    t
}

/// The records written into a private database, parents first, with the
/// lots of the readable part (a dossier carries each lot once).
fn fill(records: &Batch, checked: Reader<'_>) -> Result<FilledInbox> {
    let mut inbox = Inbox::create("DSR", "a casebook-dossier/3")?;
    for s in &records.suppliers {
        inbox.supplier(s)?;
    }
    let kind = |k: &'static str| records.records.iter().filter(move |r| r.kind == k);
    for r in kind("claim").chain(kind("retirement")) {
        inbox.record(r)?;
    }
    // Submitted audits with their seals, originals before amendments.
    let submissions: HashMap<&str, &RecordRow> = kind("submission").map(|r| (r.key.as_str(), r)).collect();
    if let Some(a) = records.audits.iter().find(|a| !submissions.contains_key(a.gid.as_str())) {
        return Err(Error::Invalid(format!("audit {} is submitted but its submission record is missing", a.gid)));
    }
    let circle = inbox.audits_in_order(&records.audits, |gid| submissions.get(gid).copied())?;
    if !circle.is_empty() {
        return Err(Error::Invalid(format!("audits that amend each other in a circle: {}", circle.join(", "))));
    }
    for r in kind("draft") {
        inbox.record(r)?;
    }
    for k in ["evidence", "finding", "closure", "attachment", "attachment_file", "note", "history"] {
        for r in kind(k) {
            inbox.record(r)?;
        }
    }
    for v in &records.versions {
        inbox.version(v)?;
    }
    checked.each_lot_row(&mut |lot| inbox.lot(&lot))?;
    for l in &records.lots {
        inbox.lot(l)?;
    }
    for k in ["annotation", "plan", "void"] {
        for r in kind(k) {
            inbox.record(r)?;
        }
    }
    for f in &records.files {
        inbox.file(f)?;
    }
    inbox.finish()
}

/// The first place where a supplier as the records make it differs from
/// the readable part, as a JSON path and what differs.
fn first_difference(readable: Reader<'_>, records: Reader<'_>) -> Result<Option<(String, String)>> {
    let ours = readable.suppliers()?;
    let theirs = records.suppliers()?;
    if ours.len() != theirs.len() {
        return Ok(Some((
            "records.suppliers".into(),
            format!(
                "names {} supplier(s) but the readable part has {}; the document was edited by hand (re-export it)",
                theirs.len(),
                ours.len()
            ),
        )));
    }
    for (i, (id, supplier)) in ours.iter().enumerate() {
        let Some(other) = records.supplier_id(&supplier.code)? else {
            return Ok(Some((format!("suppliers[{i}].code"), format!("{} is not in the records", supplier.code))));
        };
        let a = serde_json::to_value(crate::exchange::dossier_out::supplier_record(readable, *id)?)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let b = serde_json::to_value(crate::exchange::dossier_out::supplier_record(records, other)?)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if let Some(path) = differs(&a, &b, &format!("suppliers[{i}]")) {
            return Ok(Some((
                path,
                "differs from what the document's records hold; the readable part was edited without its records \
                 (edit a casebook-dossier/2 document instead, or export again)"
                    .into(),
            )));
        }
    }
    Ok(None)
}

/// The path of the first value that differs between `a` and `b`.
fn differs(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(ours), Value::Object(theirs)) => {
            for (key, value) in ours {
                match theirs.get(key) {
                    Some(other) => {
                        if let Some(found) = differs(value, other, &format!("{path}.{key}")) {
                            return Some(found);
                        }
                    }
                    None => return Some(format!("{path}.{key}")),
                }
            }
            theirs.keys().find(|key| !ours.contains_key(*key)).map(|key| format!("{path}.{key}"))
        }
        (Value::Array(ours), Value::Array(theirs)) => {
            for (i, (value, other)) in ours.iter().zip(theirs).enumerate() {
                if let Some(found) = differs(value, other, &format!("{path}[{i}]")) {
                    return Some(found);
                }
            }
            (ours.len() != theirs.len()).then(|| format!("{path}[{}]", ours.len().min(theirs.len())))
        }
        _ => (a != b).then(|| path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::differs;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"code": "X", "audits": [{"id": "A-1", "evidence": [{"description": "peel"}]}]});
        assert_eq!(differs(&a, &a.clone(), "s"), None);
        let b = json!({"code": "X", "audits": [{"id": "A-1", "evidence": [{"description": "Peel"}]}]});
        assert_eq!(differs(&a, &b, "s").as_deref(), Some("s.audits[0].evidence[0].description"));
        let c = json!({"code": "X", "audits": []});
        assert_eq!(differs(&a, &c, "s").as_deref(), Some("s.audits[0]"));
        let d = json!({"code": "X", "audits": [{"id": "A-1", "evidence": [{"description": "peel"}]}], "moq": 3});
        assert_eq!(differs(&a, &d, "s").as_deref(), Some("s.moq"));
    }
}
