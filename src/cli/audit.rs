//! `casebook audit …`: recording an audit from the command line, through the
//! same store operations the UI uses (each change its own transaction).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use super::output::{Format, Table, opt, print_json};
use super::{Context, parse_day};
use crate::error::{Error, Result};
use crate::model::{
    Answer, AnswerResult, AuditKind, Closure, DEFAULT_TEMPLATE, Evidence, EvidenceKind, Finding, FindingSeverity,
    HistoryEntity, Pillar, Strength,
};
use crate::store::{NewAudit, OpenMode, Store};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Start a draft audit of a supplier; prints its reference.
    New {
        supplier: String,
        #[arg(long, value_parser = super::word::<AuditKind>, default_value = "on_site")]
        kind: AuditKind,
        /// Day of the visit (default: --as-of, else today).
        #[arg(long, value_parser = parse_day)]
        visited: Option<NaiveDate>,
        /// Reference to use (default: the next free A-YYYY-NNN).
        #[arg(long = "ref")]
        reference: Option<String>,
        #[arg(long, default_value = DEFAULT_TEMPLATE)]
        template: String,
        #[arg(long)]
        summary: Option<String>,
        /// Reference of the submitted audit this one corrects.
        #[arg(long)]
        amends: Option<String>,
    },
    /// Answer one checklist question: yes, partial, no or na.
    Answer {
        audit: String,
        question: String,
        #[arg(value_parser = super::word::<AnswerResult>)]
        result: AnswerResult,
        #[arg(long)]
        note: Option<String>,
    },
    /// Add an evidence item to a draft audit.
    Evidence {
        audit: String,
        #[arg(long, value_parser = super::word::<Pillar>)]
        pillar: Pillar,
        #[arg(long, value_parser = super::word::<EvidenceKind>)]
        kind: EvidenceKind,
        #[arg(long, value_parser = super::word::<Strength>)]
        strength: Strength,
        /// Default: the day of the visit.
        #[arg(long, value_parser = parse_day)]
        collected: Option<NaiveDate>,
        #[arg(long)]
        description: String,
        /// A photo or document file name.
        #[arg(long)]
        reference: Option<String>,
    },
    /// Raise a finding (due date defaults by severity: 7 / 14 / 30 days).
    Finding {
        audit: String,
        #[arg(long, value_parser = super::word::<FindingSeverity>)]
        severity: FindingSeverity,
        #[arg(long)]
        description: String,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_parser = parse_day)]
        due: Option<NaiveDate>,
    },
    /// Close a finding with closure evidence (recorded, never overwritten).
    Close {
        finding: i64,
        #[arg(long)]
        evidence: String,
        /// Default: --as-of, else today.
        #[arg(long, value_parser = parse_day)]
        on: Option<NaiveDate>,
    },
    /// Void an evidence item of a draft audit entered wrongly (it stays, marked, and counts nowhere).
    VoidEvidence {
        audit: String,
        /// The item's number (shown by `casebook audit show REF`).
        evidence: i64,
        /// Why it is voided (recorded with who and when).
        #[arg(long)]
        reason: String,
    },
    /// Void a finding of a draft audit raised wrongly (it stays, marked, and counts nowhere).
    VoidFinding {
        audit: String,
        /// The finding's number (shown by `casebook audit show REF`).
        finding: i64,
        /// Why it is voided (recorded with who and when).
        #[arg(long)]
        reason: String,
    },
    /// Submit (and lock) a draft audit; prints its score and grade.
    Submit { audit: String },
    /// Show an audit: header, score, answers, evidence, findings.
    Show {
        audit: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub fn run(ctx: &Context, command: AuditCommand) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    match command {
        AuditCommand::New { supplier, kind, visited, reference, template, summary, amends } => {
            let new = NewAudit {
                reference: reference.as_deref(),
                auditor: &ctx.actor,
                visited_on: visited.unwrap_or(ctx.as_of),
                kind,
                template: &template,
                summary: summary.as_deref(),
                amends: amends.as_deref(),
            };
            create_audit(&mut store, &ctx.actor, &supplier, &new)?;
        }
        AuditCommand::Answer { audit, question, result, note } => {
            record_answer(&mut store, &ctx.actor, &audit, &Answer { question, result, note })?;
        }
        AuditCommand::Evidence { audit, pillar, kind, strength, collected, description, reference } => {
            add_evidence(&mut store, &ctx.actor, &audit, |visited| Evidence {
                pillar,
                kind,
                strength,
                collected_on: collected.unwrap_or(visited),
                description,
                reference,
            })?;
        }
        AuditCommand::Finding { audit, severity, description, owner, due } => {
            add_finding(&mut store, &ctx.actor, &audit, |visited| Finding {
                severity,
                description,
                owner,
                due_on: due.unwrap_or(severity.due_from(visited)),
                closure: None,
            })?;
        }
        AuditCommand::Close { finding, evidence, on } => {
            let closure = Closure { closed_on: on.unwrap_or(ctx.as_of), evidence, closed_by: ctx.actor.clone() };
            close_finding(&mut store, &ctx.actor, finding, &closure)?;
        }
        AuditCommand::VoidEvidence { audit, evidence, reason } => {
            void_item(&mut store, &ctx.actor, &audit, Item::Evidence(evidence), &reason)?;
        }
        AuditCommand::VoidFinding { audit, finding, reason } => {
            void_item(&mut store, &ctx.actor, &audit, Item::Finding(finding), &reason)?;
        }
        AuditCommand::Submit { audit } => submit(&mut store, &ctx.actor, &audit)?,
        AuditCommand::Show { audit, format } => show(&store, &audit, format)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn create_audit(store: &mut Store, actor: &str, supplier: &str, new: &NewAudit<'_>) -> Result<()> {
    let w = store.begin(actor)?;
    let id = w.read().require_supplier(supplier)?;
    let (_, reference) = w.create_audit(id, new)?;
    w.commit()?;
    outln!("{reference}");
    Ok(())
}

fn record_answer(store: &mut Store, actor: &str, audit: &str, answer: &Answer) -> Result<()> {
    let w = store.begin(actor)?;
    let id = w.read().require_audit(audit)?;
    w.set_answer(id, answer)?;
    w.commit()
}

/// `build` makes the item from the day of the visit (its default collection
/// day).
fn add_evidence(store: &mut Store, actor: &str, audit: &str, build: impl FnOnce(NaiveDate) -> Evidence) -> Result<()> {
    let w = store.begin(actor)?;
    let id = w.read().require_audit(audit)?;
    let visited = w.read().audit(id)?.audit.visited_on;
    let evidence = w.add_evidence(id, &build(visited))?;
    w.commit()?;
    outln!("{evidence}");
    Ok(())
}

/// `build` makes the finding from the day of the visit (its default due date
/// counts from it).
fn add_finding(store: &mut Store, actor: &str, audit: &str, build: impl FnOnce(NaiveDate) -> Finding) -> Result<()> {
    let w = store.begin(actor)?;
    let id = w.read().require_audit(audit)?;
    let visited = w.read().audit(id)?.audit.visited_on;
    let finding = w.add_finding(id, &build(visited))?;
    w.commit()?;
    outln!("{finding}");
    Ok(())
}

fn close_finding(store: &mut Store, actor: &str, finding: i64, closure: &Closure) -> Result<()> {
    let w = store.begin(actor)?;
    w.close_finding(finding, closure)?;
    w.commit()
}

/// An evidence item or a finding, by number.
#[derive(Debug, Clone, Copy)]
enum Item {
    Evidence(i64),
    Finding(i64),
}

fn void_item(store: &mut Store, actor: &str, audit: &str, item: Item, reason: &str) -> Result<()> {
    let w = store.begin(actor)?;
    let read = w.read();
    let id = read.require_audit(audit)?;
    let (number, noun, kind, in_force) = match item {
        Item::Evidence(n) => (n, "evidence item", HistoryEntity::Evidence, read.evidence(id)?.iter().any(|e| e.0 == n)),
        Item::Finding(n) => (n, "finding", HistoryEntity::Finding, read.findings(id)?.iter().any(|f| f.0 == n)),
    };
    // A voided one is the store's to refuse, saying when it was voided.
    let voided = read.voided_items(id)?.iter().any(|v| v.id == number && v.kind == kind);
    if !in_force && !voided {
        return Err(Error::NotFound(format!(
            "audit {audit} has no {noun} {number} (`casebook audit show {audit}` lists them with their numbers)"
        )));
    }
    match item {
        Item::Evidence(n) => w.void_evidence(n, reason)?,
        Item::Finding(n) => w.void_finding(n, reason)?,
    }
    w.commit()?;
    outln!("{noun} {number} of {audit} voided: it stays on file, marked, and counts nowhere");
    Ok(())
}

fn submit(store: &mut Store, actor: &str, audit: &str) -> Result<()> {
    let w = store.begin(actor)?;
    let id = w.read().require_audit(audit)?;
    let sealed = crate::workflow::seal(&w, id)?;
    w.commit()?;
    let pct = sealed.pct.map_or_else(|| "no score".to_owned(), |p| format!("{p:.1}%"));
    outln!("{audit}: submitted and locked; score {pct}, grade {}", sealed.grade);
    if !sealed.unanswered.is_empty() {
        outln!("unanswered: {}", sealed.unanswered.join(", "));
    }
    Ok(())
}

/// Overall and per-section percentages (one decimal: a whole number could
/// disagree with the grade band), and what is unanswered.
fn print_score(row: &crate::store::AuditRow, score: &crate::assess::checklist::Score) -> Result<()> {
    let pct = |p: Option<f64>| p.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}%"));
    let sealed = if row.submitted_at.is_some() { "sealed at submission" } else { "live, draft" };
    outln!(
        "score {} — grade {} ({sealed}); {} of {} applicable questions answered",
        pct(row.score_pct.or(score.pct)),
        row.grade.unwrap_or(score.grade),
        score.overall.answered,
        score.overall.applicable
    );
    let mut sections = Table::new(&["section", "answered", "score"]).right_aligned(&[1, 2]);
    for s in &score.sections {
        sections.push(vec![
            s.section.label().to_owned(),
            format!("{}/{}", s.tally.answered, s.tally.applicable),
            pct(s.pct),
        ]);
    }
    out!("\n{}", sections.render());
    if !score.critical_no.is_empty() {
        outln!("critical questions answered no: {}", score.critical_no.join(", "));
    }
    Ok(())
}

fn show(store: &Store, reference: &str, format: Format) -> Result<()> {
    let read = store.read();
    // Section percentages come from the audit's own template and its
    // (sealed, for a submitted audit) answers.
    let crate::workflow::ScoredAudit { row, score: marks, .. } =
        crate::workflow::scored_audit(read, read.require_audit(reference)?)?;
    if format == Format::Json {
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            row: &'a crate::store::AuditRow,
            score: &'a crate::assess::checklist::Score,
            /// Evidence items and findings voided before submission.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            voided: Vec<crate::store::VoidedItem>,
        }
        return print_json(&Shown { row: &row, score: &marks, voided: read.voided_items(row.id)? });
    }
    if format == Format::Csv {
        return Err(Error::Invalid(
            "`audit show` prints a table or JSON; CSV has no place for the nested lists".into(),
        ));
    }
    let a = &row.audit;
    outln!(
        "{} — {} — {} {} by {} ({}){}",
        a.id,
        row.supplier,
        a.kind,
        a.visited_on,
        a.auditor,
        a.status,
        row.grade.map(|g| format!(", grade {g}")).unwrap_or_default()
    );
    print_score(&row, &marks)?;
    let mut answers = Table::new(&["question", "result", "note"]);
    for an in &a.answers {
        answers.push(vec![an.question.clone(), an.result.to_string(), opt(an.note.as_deref())]);
    }
    out!("\n{}", answers.render());
    // Evidence and findings with their numbers: `casebook attach` and
    // `casebook audit close` take them.
    let mut evidence = Table::new(&["#", "pillar", "kind", "strength", "collected", "description"]).right_aligned(&[0]);
    for (id, e) in read.evidence(row.id)? {
        evidence.push(vec![
            id.to_string(),
            e.pillar.to_string(),
            e.kind.to_string(),
            e.strength.to_string(),
            e.collected_on.to_string(),
            e.description.clone(),
        ]);
    }
    out!("\n{}", evidence.render());
    let mut findings = Table::new(&["#", "severity", "due", "status", "description"]).right_aligned(&[0]);
    for (id, f) in read.findings(row.id)? {
        let status = f.closure.as_ref().map_or_else(|| "open".to_owned(), |c| format!("closed {}", c.closed_on));
        findings.push(vec![
            id.to_string(),
            f.severity.to_string(),
            f.due_on.to_string(),
            status,
            f.description.clone(),
        ]);
    }
    out!("\n{}", findings.render());
    let voided = read.voided_items(row.id)?;
    if !voided.is_empty() {
        let mut table = Table::new(&["#", "voided", "what", "when", "by", "reason"]).right_aligned(&[0]);
        for v in &voided {
            table.push(vec![
                v.id.to_string(),
                v.kind.to_string(),
                v.summary.clone(),
                v.voided.at.clone(),
                v.voided.by.clone(),
                v.voided.reason.clone(),
            ]);
        }
        out!("\nvoided (on file, counted nowhere):\n{}", table.render());
    }
    Ok(())
}
