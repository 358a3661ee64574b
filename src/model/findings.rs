//! Findings are written flat in the dossier (`status`, `closed_on`, …),
//! not with the nested `Closure` of the model.

use serde::{Serialize, Serializer, ser::SerializeSeq};

use super::Finding;

#[derive(Serialize)]
struct Flat<'a> {
    severity: super::FindingSeverity,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    due_on: chrono::NaiveDate,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_on: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closure: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_by: Option<&'a str>,
}

pub fn serialize<S: Serializer>(findings: &[Finding], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(findings.len()))?;
    for f in findings {
        let closure = f.closure.as_ref();
        seq.serialize_element(&Flat {
            severity: f.severity,
            description: &f.description,
            owner: f.owner.as_deref(),
            due_on: f.due_on,
            status: if closure.is_some() { "closed" } else { "open" },
            closed_on: closure.map(|c| c.closed_on),
            closure: closure.map(|c| c.evidence.as_str()),
            closed_by: closure.map(|c| c.closed_by.as_str()),
        })?;
    }
    seq.end()
}
