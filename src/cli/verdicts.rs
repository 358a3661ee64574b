//! `casebook flags` and `casebook explain`: the verdicts, their flags and the
//! whole reasoning for one supplier, all computed by `assess::verdict`.

use std::fmt::Write as _;

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::Context;
use super::output::{Format, Table, opt, print_json};
use crate::assess::checklist::Grade;
use crate::assess::policy::PolicyUsed;
use crate::assess::rules::Severity;
use crate::assess::verdict::{Assessment, Flag, PillarStatus, Standing, Verdict};
use crate::error::Result;
use crate::model::{Capability, Pillar};
use crate::store::{ClaimRow, OpenMode, VoidedRecord};
use crate::workflow;

#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// Only these suppliers (repeatable).
    #[arg(long = "supplier", value_name = "CODE")]
    pub suppliers: Vec<String>,
    /// Only suppliers with these verdicts (repeatable).
    #[arg(long = "verdict", value_name = "VERDICT", value_parser = super::word::<Verdict>)]
    pub verdicts: Vec<Verdict>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit with status 1 when a listed supplier has a flag this severe or worse.
    #[arg(long, value_name = "SEVERITY", value_parser = super::word::<Severity>)]
    pub fail_on: Option<Severity>,
}

/// One supplier as `flags --format json` prints it.
#[derive(Serialize)]
struct FlagsEntry<'a> {
    supplier: &'a str,
    name: &'a str,
    verdict: Verdict,
    grade: Option<Grade>,
    pillars: Vec<PillarEntry<'a>>,
    flags: &'a [Flag],
    policy: PolicyUsed,
}

#[derive(Serialize)]
struct PillarEntry<'a> {
    pillar: Pillar,
    required_by: &'a [Capability],
    status: PillarStatus,
    detail: &'a str,
}

impl<'a> From<&'a Assessment> for FlagsEntry<'a> {
    fn from(a: &'a Assessment) -> Self {
        Self {
            supplier: &a.supplier,
            name: &a.name,
            verdict: a.verdict,
            grade: a.grade,
            pillars: a
                .pillars
                .iter()
                .map(|p| PillarEntry {
                    pillar: p.pillar,
                    required_by: &p.required_by,
                    status: p.status,
                    detail: &p.detail,
                })
                .collect(),
            flags: &a.flags,
            policy: a.policy,
        }
    }
}

/// Assessments of the suppliers asked for (all when none named), filtered.
fn selected(ctx: &Context, codes: &[String], verdicts: &[Verdict]) -> Result<Vec<Assessment>> {
    let store = ctx.open(OpenMode::Existing)?;
    let mut all = if codes.is_empty() {
        workflow::assess(&store, None, ctx.as_of)?
    } else {
        let mut some = Vec::with_capacity(codes.len());
        for code in codes {
            some.push(workflow::assess_code(&store, code, ctx.as_of)?);
        }
        some
    };
    all.retain(|a| verdicts.is_empty() || verdicts.contains(&a.verdict));
    Ok(all)
}

pub fn flags(ctx: &Context, args: &FlagsArgs) -> Result<ExitCode> {
    let assessments = selected(ctx, &args.suppliers, &args.verdicts)?;
    match args.format {
        Format::Json => {
            let _printing = crate::trace::phase("flags: print JSON");
            let entries: Vec<FlagsEntry<'_>> = assessments.iter().map(FlagsEntry::from).collect();
            print_json(&entries)?;
        }
        format => {
            flags_table(&assessments).print(format)?;
            if format == Format::Table
                && let Some(a) = assessments.first()
            {
                outln!("\npolicy {}", a.policy);
            }
        }
    }
    let failing = args
        .fail_on
        .is_some_and(|threshold| assessments.iter().flat_map(|a| &a.flags).any(|f| f.severity.at_least(threshold)));
    Ok(if failing { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn flags_table(assessments: &[Assessment]) -> Table {
    let mut table = Table::new(&["supplier", "verdict", "grade", "high", "medium", "low", "most severe flag"])
        .right_aligned(&[3, 4, 5]);
    for a in assessments {
        let [high, medium, low] = a.flag_counts();
        let worst = a.worst_flag().map_or_else(String::new, |f| format!("[{}] {}", f.rule, f.message));
        table.push(vec![
            a.supplier.clone(),
            a.verdict.to_string(),
            opt(a.grade),
            high.to_string(),
            medium.to_string(),
            low.to_string(),
            worst,
        ]);
    }
    table
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    pub supplier: String,
    /// `json` prints the whole assessment, evidence judgements included.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn explain(ctx: &Context, args: &ExplainArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let a = workflow::assess_code(&store, &args.supplier, ctx.as_of)?;
    let read = store.read();
    let id = read.require_supplier(&args.supplier)?;
    let records = Records { claims: read.claim_rows(id)?, voided: read.voided_records(id)? };
    if args.format == Format::Json {
        #[derive(Serialize)]
        struct Explained<'a> {
            #[serde(flatten)]
            assessment: &'a Assessment,
            #[serde(flatten)]
            records: &'a Records,
        }
        print_json(&Explained { assessment: &a, records: &records })?;
    } else {
        out!("{}{}", explanation(&a), records.text(&a.supplier));
    }
    Ok(ExitCode::SUCCESS)
}

/// The claims behind a verdict with their numbers, and what was voided.
#[derive(Serialize)]
struct Records {
    /// Every claim, voided ones included and marked.
    claims: Vec<ClaimRow>,
    /// Voided lots, evidence items and findings: on file, counted nowhere.
    voided: Vec<VoidedRecord>,
}

impl Records {
    fn text(&self, code: &str) -> String {
        let mut out = format!(
            "\nClaims ({}; `casebook claim void --supplier {code} N` voids one entered wrongly):\n",
            self.claims.len()
        );
        for c in &self.claims {
            let retired = c.claim.retired_on.map(|d| format!(", retired {d}")).unwrap_or_default();
            let _ = write!(
                out,
                "  #{:<4} {} ({}, stated {}{retired})",
                c.id, c.claim.capability, c.claim.source, c.claim.stated_on
            );
            match &c.voided {
                Some(v) => {
                    let _ = writeln!(out, " — VOIDED {} by {}: {}", v.at, v.by, v.reason);
                }
                None => out.push('\n'),
            }
        }
        if !self.voided.is_empty() {
            let _ = writeln!(out, "\nVoided (on file, counted in no verdict, chart or count):");
            for v in &self.voided {
                let _ = writeln!(
                    out,
                    "  VOIDED {} {}: {} — {} by {}: {}",
                    v.kind, v.key, v.summary, v.voided.at, v.voided.by, v.voided.reason
                );
            }
        }
        out
    }
}

/// The reasoning, pillar by pillar and evidence by evidence, as plain text.
pub fn explanation(a: &Assessment) -> String {
    let mut out = format!("{} — {}\n", a.supplier, a.name);
    let _ = writeln!(out, "Verdict: {} — {}", a.verdict.label().to_uppercase(), verdict_reason(a));
    let _ = writeln!(
        out,
        "Grade: {}   last submitted audit: {}   open findings: {}",
        opt(a.grade),
        opt(a.last_audit),
        a.open_findings
    );
    let _ = writeln!(out, "Policy {}", a.policy);
    for p in &a.pillars {
        out.push('\n');
        explain_pillar(p, &mut out);
    }
    let _ = writeln!(out, "\nFlags ({}):", a.flags.len());
    if a.flags.is_empty() {
        out.push_str("  none\n");
    }
    for f in &a.flags {
        let at = [f.pillar.map(|p| p.to_string()), f.lot.as_ref().map(|l| format!("lot {l}"))];
        let at: Vec<String> = at.into_iter().flatten().collect();
        let at = if at.is_empty() { String::new() } else { format!(" ({})", at.join(", ")) };
        let _ = writeln!(out, "  [{}] {}{at}: {}", f.severity, f.rule, f.message);
    }
    out
}

fn verdict_reason(a: &Assessment) -> String {
    let (evidenced, required) = crate::assess::verdict::evidenced_of_required(&a.pillars);
    match a.verdict {
        Verdict::NotClaimed => "no ODM capability is claimed, so there is nothing to back".to_owned(),
        _ => format!("evidenced: {evidenced} of the {required} pillar(s) its ODM claims require"),
    }
}

fn explain_pillar(p: &crate::assess::verdict::PillarAssessment, out: &mut String) {
    let required = if p.required() {
        let claims: Vec<&str> = p.required_by.iter().map(|c| c.as_str()).collect();
        format!("required by {}", claims.join(", "))
    } else {
        "not required by any claim".to_owned()
    };
    let _ = writeln!(out, "{} — {} ({required})\n  {}", p.pillar.label(), p.status, p.detail);
    for j in &p.evidence {
        let mark = match j.standing {
            // Yield is decided by lots; evidence filed under it is shown only.
            _ if p.pillar == Pillar::ProductionYield => "noted",
            Standing::Counts => "counts",
            Standing::Stale => "stale",
            Standing::Draft => "draft",
            Standing::Stated => "stated",
        };
        let _ = writeln!(out, "  {mark:<7} {}  {:<8}  {}  {}", j.collected_on, j.strength, j.audit, j.description);
    }
    if p.pillar == Pillar::ProductionYield && p.evidence.is_empty() {
        out.push_str("  (decided by production lots; see `casebook yield`)\n");
    }
}
