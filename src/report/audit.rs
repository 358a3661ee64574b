//! Building the audit report's model from the store: the cover, the score
//! and its sections, every answer, evidence with its photos, findings,
//! amendments and the seal. Only store reads and `assess` calls; every
//! sentence is made here so both renderers say the same.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::model::{
    AnswerLine, AnswerSection, AuditReport, Bar, EvidenceItem, Field, FindingGroup, FindingLine, Photo, SealSection,
    Table, field,
};
use super::photos::{self, Loaded};
use super::{Warnings, meta};
use crate::assess::checklist::{self, Score, Template};
use crate::error::{Error, Result};
use crate::exchange::shortlist::{NONE, opt};
use crate::model::{AnswerResult, AuditKind, AuditStatus, EvidenceKind, Finding, FindingSeverity};
use crate::store::{AttachmentRow, AuditRow, Reader, Store, SupplierId};

/// The audit `reference` as of `as_of`; photo problems are added to `warnings`.
pub fn build(store: &Store, reference: &str, as_of: NaiveDate, warnings: &mut Warnings) -> Result<AuditReport> {
    let read = store.read();
    let row = read.audit(read.require_audit(reference)?)?;
    let audit = &row.audit;
    if audit.visited_on > as_of {
        return Err(Error::Invalid(format!(
            "audit {reference} was visited on {}, after the as-of day {as_of}; report it as of that day or later \
             (--as-of)",
            audit.visited_on
        )));
    }
    let supplier_id = read.require_supplier(&row.supplier)?;
    let template = read.template(&audit.template)?;
    let marks = checklist::score(&template, &audit.answers, &read.policy()?.grade);
    let draft = audit.status == AuditStatus::Draft;
    let title = format!("Audit report {}", audit.id);
    let (overall, sections) = bars(&marks, row.score_pct.or(marks.pct));
    Ok(AuditReport {
        meta: meta(&title, &format!("{} · {}", audit.id, row.supplier), as_of, draft),
        reference: audit.id.clone(),
        supplier: supplier_fields(read, supplier_id)?,
        visit: visit_fields(read, &row, &template)?,
        summary: audit.summary.clone(),
        grade: row.grade.unwrap_or(marks.grade).to_string(),
        grade_basis: if draft {
            "live score of a draft: it changes until the audit is submitted".to_owned()
        } else {
            "as sealed at submission".to_owned()
        },
        overall,
        sections,
        critical_no: critical_no(&row, &marks, &template),
        answers: answer_sections(&row, &marks, &template),
        evidence: evidence(store, read, row.id, warnings)?,
        findings: findings(&read.findings(row.id)?, as_of),
        amendments: amendments(read, supplier_id, &row)?,
        seal: seal(read, &row)?,
    })
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_owned(), |p| format!("{p:.1}%"))
}

fn supplier_fields(read: Reader<'_>, id: SupplierId) -> Result<Vec<Field>> {
    let s = read.supplier(id)?;
    let address = s.city.as_ref().map_or_else(|| s.country.clone(), |city| format!("{city}, {}", s.country));
    let evidence = read.all_evidence(Some(id))?.remove(&id).unwrap_or_default();
    let licences: Vec<String> = evidence
        .iter()
        .filter(|e| e.evidence.kind == EvidenceKind::Licence)
        .map(|e| format!("{} ({}, {} {})", e.evidence.description, e.evidence.strength, e.audit, e.visited_on))
        .collect();
    let licence = if licences.is_empty() { "no licence evidence on file".to_owned() } else { licences.join("; ") };
    Ok(vec![
        field("Code", s.code.clone()),
        field("Legal name", s.name.clone()),
        field("Address", address),
        field("Business type", s.business_type.label()),
        field("Business models", s.models.label()),
        field("Business licence", licence),
    ])
}

fn visit_fields(read: Reader<'_>, row: &AuditRow, template: &Template) -> Result<Vec<Field>> {
    let a = &row.audit;
    let supplier = read.supplier(read.require_supplier(&row.supplier)?)?;
    let site = match a.kind {
        AuditKind::OnSite => {
            supplier.city.map_or_else(|| supplier.country.clone(), |c| format!("{c}, {}", supplier.country))
        }
        AuditKind::DeskReview => "no site visit (desk review)".to_owned(),
    };
    let status = match (&a.status, &row.submitted_at) {
        (AuditStatus::Submitted, Some(at)) => format!("submitted {at}, sealed"),
        (AuditStatus::Submitted, None) => "submitted".to_owned(),
        (AuditStatus::Draft, _) => "DRAFT — not submitted, not sealed".to_owned(),
    };
    let mut fields = vec![
        field("Reference", a.id.clone()),
        field("Site", site),
        field("Visit date", a.visited_on.to_string()),
        field("Kind", if a.kind == AuditKind::OnSite { "on-site audit" } else { "desk review" }),
        field("Auditor", a.auditor.clone()),
        field("Scope", format!("{} ({})", template.title, template.id)),
        field("Status", status),
    ];
    if let Some(amends) = &a.amends {
        fields.push(field("Amends", amends.clone()));
    }
    Ok(fields)
}

/// The overall bar (at `overall_pct`: sealed, for a submitted audit) and
/// one per section.
fn bars(score: &Score, overall_pct: Option<f64>) -> (Bar, Vec<Bar>) {
    let bar = |label: &str, tally: &checklist::Tally, value: Option<f64>| Bar {
        label: label.to_owned(),
        fraction: value.map(|p| (p / 100.0).clamp(0.0, 1.0)),
        value: pct(value),
        detail: format!("{} of {} applicable answered", tally.answered, tally.applicable),
    };
    let overall = bar("Overall", &score.overall, overall_pct);
    let sections = score.sections.iter().map(|s| bar(s.section.label(), &s.tally, s.pct)).collect();
    (overall, sections)
}

fn question_text(template: &Template, code: &str) -> String {
    template.questions.iter().find(|q| q.code == code).map_or_else(String::new, |q| q.text.clone())
}

/// As sealed for a submitted audit, as scored now for a draft.
fn critical_no(row: &AuditRow, score: &Score, template: &Template) -> Vec<String> {
    let codes = if row.audit.status == AuditStatus::Submitted { &row.critical_no } else { &score.critical_no };
    codes.iter().map(|code| format!("{code} — {}", question_text(template, code))).collect()
}

fn result_word(result: Option<AnswerResult>) -> String {
    match result {
        Some(AnswerResult::Na) => "n/a".to_owned(),
        Some(r) => r.to_string(),
        None => "unanswered".to_owned(),
    }
}

/// A section heading's score: "not scored" when nothing weighted was answered.
fn section_score(value: Option<f64>) -> String {
    value.map_or_else(|| "not scored".to_owned(), |p| format!("{p:.1}%"))
}

fn answer_sections(row: &AuditRow, score: &Score, template: &Template) -> Vec<AnswerSection> {
    let answers: HashMap<&str, &crate::model::Answer> =
        row.audit.answers.iter().map(|a| (a.question.as_str(), a)).collect();
    let mut out: Vec<AnswerSection> = score
        .sections
        .iter()
        .map(|s| AnswerSection {
            label: s.section.label().to_owned(),
            score: section_score(s.pct),
            answers: Vec::new(),
        })
        .collect();
    for q in &template.questions {
        let Some(at) = score.sections.iter().position(|s| s.section == q.section) else { continue };
        let answer = answers.get(q.code.as_str());
        out[at].answers.push(AnswerLine {
            code: q.code.clone(),
            question: q.text.clone(),
            result: result_word(answer.map(|a| a.result)),
            critical: q.critical,
            weight: q.weight,
            note: answer.and_then(|a| a.note.clone()),
        });
    }
    let unknown: Vec<AnswerLine> = row
        .audit
        .answers
        .iter()
        .filter(|a| score.unknown_codes.contains(&a.question))
        .map(|a| AnswerLine {
            code: a.question.clone(),
            question: String::new(),
            result: result_word(Some(a.result)),
            critical: false,
            weight: 0,
            note: a.note.clone(),
        })
        .collect();
    if !unknown.is_empty() {
        out.push(AnswerSection {
            label: format!("Answers to questions not in {}", template.id),
            score: section_score(None),
            answers: unknown,
        });
    }
    out
}

fn evidence(store: &Store, read: Reader<'_>, audit: i64, warnings: &mut Warnings) -> Result<Vec<EvidenceItem>> {
    let attachments = read.audit_attachments(audit)?;
    let evidence = read.evidence(audit)?;
    // In the order the report shows them: by evidence item, then as attached.
    let shown: Vec<&AttachmentRow> =
        evidence.iter().flat_map(|(id, _)| attachments.iter().filter(move |a| a.evidence_id == *id)).collect();
    let mut loaded = photos::load_all(store.path(), &shown).into_iter();
    let mut items = Vec::new();
    let mut photo_number = 0;
    for (id, e) in evidence {
        let mut item = EvidenceItem {
            number: id,
            pillar: e.pillar.label().to_owned(),
            kind: e.kind.to_string(),
            strength: e.strength.to_string(),
            collected_on: e.collected_on.to_string(),
            description: e.description.clone(),
            reference: e.reference.clone(),
            photos: Vec::new(),
            documents: Vec::new(),
        };
        for attachment in attachments.iter().filter(|a| a.evidence_id == id) {
            let name = attachment.original_name.clone().unwrap_or_else(|| {
                attachment
                    .path
                    .file_name()
                    .map_or_else(|| attachment.path.display().to_string(), |n| n.to_string_lossy().into_owned())
            });
            let outcome = loaded.next().unwrap_or_else(|| Loaded::Problem("the photo was not prepared".to_owned()));
            match outcome {
                Loaded::Document => item.documents.push(format!("{name} ({} bytes)", attachment.size)),
                Loaded::Photo(image) => {
                    photo_number += 1;
                    let caption = format!(
                        "Photo {photo_number} — evidence {id}: {} ({name}, {}×{} px)",
                        e.description, image.width, image.height
                    );
                    let path = format!("/photos/{photo_number}.{}", image.mime.extension());
                    item.photos.push(Photo { caption, image: Some(image), path: Some(path), problem: None });
                }
                Loaded::Problem(problem) => {
                    photo_number += 1;
                    warnings.push(format!(
                        "evidence {id}, attachment {} ({}): {problem}; the report shows a placeholder",
                        attachment.id,
                        attachment.path.display()
                    ));
                    let caption = format!("Photo {photo_number} — evidence {id}: {} ({name})", e.description);
                    item.photos.push(Photo { caption, image: None, path: None, problem: Some(problem) });
                }
            }
        }
        items.push(item);
    }
    Ok(items)
}

fn findings(rows: &[(i64, Finding)], as_of: NaiveDate) -> Vec<FindingGroup> {
    FindingSeverity::ALL
        .iter()
        .filter_map(|severity| {
            let lines: Vec<FindingLine> = rows
                .iter()
                .filter(|(_, f)| f.severity == *severity)
                .map(|(id, f)| finding_line(*id, f, as_of))
                .collect();
            let label = severity.as_str();
            let heading = format!("{}{}", label[..1].to_uppercase(), &label[1..]);
            (!lines.is_empty()).then_some(FindingGroup { severity: heading, findings: lines })
        })
        .collect()
}

fn finding_line(id: i64, f: &Finding, as_of: NaiveDate) -> FindingLine {
    let closed = f.closure.as_ref().filter(|c| c.closed_on <= as_of);
    let status = match closed {
        Some(c) => format!("closed {} by {}", c.closed_on, c.closed_by),
        None if f.due_on < as_of => format!("open, overdue as of {as_of}"),
        None => "open".to_owned(),
    };
    FindingLine {
        number: id,
        description: f.description.clone(),
        owner: opt(f.owner.as_deref()),
        due_on: f.due_on.to_string(),
        status,
        closure: closed.map(|c| c.evidence.clone()),
    }
}

/// The audits linked to this one by `amends`, in either direction, oldest first.
fn amendments(read: Reader<'_>, supplier: SupplierId, row: &AuditRow) -> Result<Table> {
    let headers = read.audit_headers(supplier)?;
    let parent: HashMap<&str, &str> =
        headers.iter().filter_map(|h| Some((h.audit.id.as_str(), h.audit.amends.as_deref()?))).collect();
    let root_of = |reference: &str| root(&parent, reference);
    let top = root_of(&row.audit.id);
    let family: Vec<&AuditRow> = headers.iter().filter(|h| root_of(&h.audit.id) == top).collect();
    let mut table = Table::new(&["audit", "visited", "status", "grade", "amends"]);
    if family.len() < 2 {
        return Ok(table);
    }
    for h in family {
        let marker = if h.audit.id == row.audit.id { " (this report)" } else { "" };
        table.push(vec![
            format!("{}{marker}", h.audit.id),
            h.audit.visited_on.to_string(),
            h.audit.status.to_string(),
            opt(h.grade),
            opt(h.audit.amends.as_deref()),
        ]);
    }
    Ok(table)
}

/// The first audit of `reference`'s amendment chain.
fn root(parent: &HashMap<&str, &str>, reference: &str) -> String {
    let mut at = reference;
    // A loop cannot be stored (an audit amends an older, submitted one), but
    // a report must not hang on a damaged file.
    for _ in 0..=parent.len() {
        match parent.get(at) {
            Some(up) => at = up,
            None => break,
        }
    }
    at.to_owned()
}

fn seal(read: Reader<'_>, row: &AuditRow) -> Result<SealSection> {
    let (head_seq, head_hash) = read.chain_head()?;
    let Some(seal) = read.audit_seal(row)? else {
        return Ok(SealSection {
            sealed: false,
            lines: vec![field("Chain head at report time", format!("#{head_seq} {head_hash}"))],
            notes: vec![
                "This audit is a draft: it is not sealed, and its answers, evidence and findings can still change."
                    .to_owned(),
            ],
            verify: None,
        });
    };
    let intact = if seal.content_intact {
        "Recomputed while writing this report: the audit's content matches its content hash.".to_owned()
    } else {
        "WARNING: recomputed while writing this report, the audit's content does NOT match its content hash: it \
         was changed after submission. Run `casebook check`."
            .to_owned()
    };
    Ok(SealSection {
        sealed: true,
        lines: vec![
            field("Content hash (SHA-256)", seal.content_hash),
            field("Position in the audit chain", format!("#{}", seal.seq)),
            field("Chain hash at this position", seal.chain_hash),
            field("Chain head at report time", format!("#{head_seq} {head_hash}")),
        ],
        notes: vec![
            "The content hash covers the supplier, the audit with its answers, evidence and findings, the \
             submission time, the score and the grade. Each submitted audit is linked into the database's hash \
             chain: chain hash = SHA-256(position | previous chain hash | content hash)."
                .to_owned(),
            intact,
            format!(
                "To verify, run the command below against the database: it recomputes every seal, follows the chain \
                 and checks that the chain still reaches the head noted here (#{head_seq}), so no submitted audit was \
                 altered or removed since this report."
            ),
        ],
        verify: Some(format!("casebook check --expect-head {head_seq}:{head_hash}")),
    })
}
