//! Seal format 1, as casebook wrote it before schema version 3, frozen:
//! databases in the field carry these hashes, so every field, its order and
//! its spelling stay as they were (mirrored here rather than taken from the
//! model's serde, which may change).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AuditRow;
use super::seal::{hex, sha256_hex};
use crate::assess::checklist::Grade;

/// Seal v1's content hash: the canonical JSON of the audit as casebook wrote
/// it before schema version 3. Frozen: every field, its order and its
/// spelling are part of the hashes stored in the field.
pub(crate) fn content_hash_v1(row: &AuditRow) -> String {
    #[derive(Serialize)]
    struct Sealed<'a> {
        supplier: &'a str,
        audit: AuditV1<'a>,
        submitted_at: &'a Option<String>,
        score_pct: Option<f64>,
        grade: Option<Grade>,
        critical_no: &'a [String],
    }
    let sealed = Sealed {
        supplier: &row.supplier,
        audit: AuditV1::of(row),
        submitted_at: &row.submitted_at,
        score_pct: row.score_pct,
        grade: row.grade,
        critical_no: &row.critical_no,
    };
    // Serialising plain structs and strings to a Vec cannot fail.
    sha256_hex(&serde_json::to_vec(&sealed).unwrap_or_default())
}

/// `model::Audit` as its serde derive wrote it when seal v1 was defined.
#[derive(Serialize)]
struct AuditV1<'a> {
    id: &'a str,
    auditor: &'a str,
    visited_on: String,
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amends: Option<&'a str>,
    evidence: Vec<EvidenceV1<'a>>,
    template: &'a str,
    answers: Vec<AnswerV1<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<FindingV1<'a>>,
}

#[derive(Serialize)]
struct EvidenceV1<'a> {
    pillar: &'static str,
    kind: &'static str,
    strength: &'static str,
    collected_on: String,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Serialize)]
struct AnswerV1<'a> {
    question: &'a str,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct FindingV1<'a> {
    severity: &'static str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    due_on: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closure: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_by: Option<&'a str>,
}

impl<'a> AuditV1<'a> {
    fn of(row: &'a AuditRow) -> Self {
        let a = &row.audit;
        Self {
            id: &a.id,
            auditor: &a.auditor,
            visited_on: a.visited_on.to_string(),
            kind: a.kind.as_str(),
            status: a.status.as_str(),
            summary: a.summary.as_deref(),
            amends: a.amends.as_deref(),
            evidence: a
                .evidence
                .iter()
                .map(|e| EvidenceV1 {
                    pillar: e.pillar.as_str(),
                    kind: e.kind.as_str(),
                    strength: e.strength.as_str(),
                    collected_on: e.collected_on.to_string(),
                    description: &e.description,
                    reference: e.reference.as_deref(),
                })
                .collect(),
            template: &a.template,
            answers: a
                .answers
                .iter()
                .map(|an| AnswerV1 { question: &an.question, result: an.result.as_str(), note: an.note.as_deref() })
                .collect(),
            findings: a
                .findings
                .iter()
                .map(|f| {
                    let c = f.closure.as_ref();
                    FindingV1 {
                        severity: f.severity.as_str(),
                        description: &f.description,
                        owner: f.owner.as_deref(),
                        due_on: f.due_on.to_string(),
                        status: if c.is_some() { "closed" } else { "open" },
                        closed_on: c.map(|c| c.closed_on.to_string()),
                        closure: c.map(|c| c.evidence.as_str()),
                        closed_by: c.map(|c| c.closed_by.as_str()),
                    }
                })
                .collect(),
        }
    }
}

pub(crate) fn chain_hash_v1(seq: i64, previous: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    h.update(b"|");
    h.update(previous.as_bytes());
    h.update(b"|");
    h.update(content.as_bytes());
    hex(&h.finalize())
}
