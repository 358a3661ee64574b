//! Evidence rules, verdicts and flags: does a supplier's ODM claim rest on
//! manufacturing evidence, and if not, what is missing and what would do?
//!
//! Pure: a supplier's facts, a policy and an "as of" day in; an
//! [`Assessment`] out. Everything dated after the as-of day is ignored (lots
//! produced, evidence collected, audits visited, claims stated), so a result
//! can be reproduced for any past day.

use std::fmt::Write as _;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;

use super::checklist::Grade;
use super::policy::{Policy, PolicyUsed};
use super::rules::{FlagRule, Severity};
use super::spc::{self, ChartOptions, Point, Rule};
use crate::model::{
    AuditKind, AuditStatus, BusinessType, Capability, Claim, EvidenceKind, EvidenceRow, FindingRow, FindingSeverity,
    Pillar, Strength, Supplier, vocab,
};

vocab!(
    /// Whether a supplier's ODM claims are backed by manufacturing evidence.
    Verdict { Supported = "supported", Partial = "partial", Unsupported = "unsupported", NotClaimed = "not_claimed" }
);

impl Verdict {
    /// For screens: "not claimed".
    pub fn label(self) -> &'static str {
        match self {
            Self::Supported => "supported",
            Self::Partial => "partial",
            Self::Unsupported => "unsupported",
            Self::NotClaimed => "not claimed",
        }
    }
}

vocab!(
    /// Where a pillar stands. The first five are for document pillars, the
    /// rest (and `evidenced`) for production yield.
    PillarStatus {
        Evidenced = "evidenced",
        StatedOnly = "stated_only",
        Stale = "stale",
        DraftOnly = "draft_only",
        Missing = "missing",
        NoLots = "no_lots",
        InsufficientLots = "insufficient_lots",
        LowFpy = "low_fpy",
        OutOfControl = "out_of_control",
    }
);

/// An audit as the verdict needs it (the store's header, without content).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSummary {
    pub reference: String,
    /// The audit this one amends: amendments add to a full audit, so the
    /// supplier's grade stays the full audit's.
    pub amends: Option<String>,
    pub status: AuditStatus,
    pub kind: AuditKind,
    pub visited_on: NaiveDate,
    pub grade: Option<Grade>,
    pub score_pct: Option<f64>,
    pub critical_no: Vec<String>,
}

/// A lot as the verdict needs it: from the yield window only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowLot {
    /// Inline for codes up to 24 bytes: a million lots, no allocations.
    pub lot: CompactString,
    pub produced_on: NaiveDate,
    pub started: u32,
    pub passed_first: u32,
}

/// Everything known about one supplier, as of the day being assessed.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub supplier: &'a Supplier,
    pub claims: &'a [Claim],
    pub audits: &'a [AuditSummary],
    pub evidence: &'a [EvidenceRow],
    pub findings: &'a [FindingRow],
    /// Lots produced within the yield window, in chart order.
    pub window: &'a [WindowLot],
    /// The supplier's first lot on or before the as-of day (any age).
    pub first_lot: Option<NaiveDate>,
}

/// How one evidence item counts towards its pillar, as of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Document or observed, submitted, within the window: it counts.
    Counts,
    /// Document or observed and submitted, but older than the window.
    Stale,
    /// Document or observed, but its audit is still a draft.
    Draft,
    /// The supplier's word only.
    Stated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    pub id: i64,
    pub audit: String,
    pub standing: Standing,
    pub kind: EvidenceKind,
    pub strength: Strength,
    pub collected_on: NaiveDate,
    pub description: String,
}

/// The yield window's figures behind the production-yield pillar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YieldSummary {
    pub since: NaiveDate,
    pub lots: usize,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: Option<f64>,
    pub center: Option<f64>,
    /// Lots outside their control limits, in chart order.
    pub out_of_control: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PillarAssessment {
    pub pillar: Pillar,
    /// The active ODM claims that require this pillar (empty: not required).
    pub required_by: Vec<Capability>,
    pub status: PillarStatus,
    /// One sentence: why this status.
    pub detail: String,
    /// Every evidence item filed under the pillar, judged (newest first).
    pub evidence: Vec<Judged>,
}

impl PillarAssessment {
    pub fn required(&self) -> bool {
        !self.required_by.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub rule: FlagRule,
    pub severity: Severity,
    pub pillar: Option<Pillar>,
    pub lot: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub supplier: String,
    pub name: String,
    pub verdict: Verdict,
    /// Grade of the latest submitted audit on or before the as-of day.
    pub grade: Option<Grade>,
    pub last_audit: Option<NaiveDate>,
    pub pillars: Vec<PillarAssessment>,
    pub flags: Vec<Flag>,
    #[serde(rename = "yield")]
    pub yield_summary: YieldSummary,
    pub open_findings: usize,
    pub policy: PolicyUsed,
}

impl Assessment {
    pub fn flag_counts(&self) -> [usize; 3] {
        let count = |s: Severity| self.flags.iter().filter(|f| f.severity == s).count();
        [count(Severity::High), count(Severity::Medium), count(Severity::Low)]
    }

    pub fn worst_flag(&self) -> Option<&Flag> {
        self.flags.iter().min_by_key(|f| f.severity)
    }

    pub fn pillar(&self, pillar: Pillar) -> Option<&PillarAssessment> {
        self.pillars.iter().find(|p| p.pillar == pillar)
    }
}

/// What evidence of a pillar would satisfy it: the end of the flag sentence.
pub fn what_would_count(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::MaterialCompatibility => {
            "adhesion/peel tests of the layered materials, drop tests, UV-yellowing or thermal-cycling reports, or \
             incoming material inspection records would count"
        }
        Pillar::AssemblyConstraints => {
            "an on-site look at assembly jigs or fixtures, tolerance stack-ups (buttons, camera cut-out, MagSafe \
             alignment) or first-article records would count"
        }
        Pillar::DfmEvaluation => {
            "DFM reports made for clients, design changes between pilot run and mass production, or mould and \
             tooling records would count"
        }
        Pillar::ProductionYield => {
            "production lot records (units started, passed first time, reworked, scrapped) would count"
        }
    }
}

/// Assesses one supplier as of `as_of` under `policy`.
pub fn assess(facts: &Facts<'_>, policy: &Policy, as_of: NaiveDate) -> Assessment {
    let claims: Vec<Capability> = active_odm_claims(facts.claims, as_of);
    let mut flags = Vec::new();
    let yield_part = judge_yield(facts, policy, as_of, &mut flags);
    let pillars: Vec<PillarAssessment> = Pillar::ALL
        .iter()
        .map(|pillar| {
            let required_by = requiring(policy, &claims, *pillar);
            if *pillar == Pillar::ProductionYield {
                let evidence = judge_items(facts.evidence, *pillar, policy, as_of);
                PillarAssessment {
                    pillar: *pillar,
                    required_by,
                    status: yield_part.0,
                    detail: yield_part.1.clone(),
                    evidence,
                }
            } else {
                judge_document_pillar(facts.evidence, *pillar, required_by, policy, as_of)
            }
        })
        .collect();
    pillar_flags(&pillars, policy, as_of, &mut flags);
    supplier_flags(facts, &claims, policy, as_of, &mut flags);
    flags.sort_by(|a, b| (a.severity, a.rule, &a.pillar, &a.lot).cmp(&(b.severity, b.rule, &b.pillar, &b.lot)));
    let latest = latest_submitted(facts.audits, as_of);
    let graded = facts
        .audits
        .iter()
        .filter(|a| a.status == AuditStatus::Submitted && a.visited_on <= as_of && a.amends.is_none())
        .max_by_key(|a| (a.visited_on, &a.reference));
    Assessment {
        supplier: facts.supplier.code.clone(),
        name: facts.supplier.name.clone(),
        verdict: verdict(&claims, &pillars),
        grade: graded.and_then(|a| a.grade),
        last_audit: latest.map(|a| a.visited_on),
        pillars,
        flags,
        yield_summary: yield_part.2,
        open_findings: facts.findings.iter().filter(|f| open_on(f, as_of)).count(),
        policy: policy.used(as_of),
    }
}

fn active_odm_claims(claims: &[Claim], as_of: NaiveDate) -> Vec<Capability> {
    let mut out: Vec<Capability> =
        claims.iter().filter(|c| c.capability.is_odm() && c.active_on(as_of)).map(|c| c.capability).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn requiring(policy: &Policy, claims: &[Capability], pillar: Pillar) -> Vec<Capability> {
    claims.iter().copied().filter(|c| policy.requires.get(c).is_some_and(|ps| ps.contains(&pillar))).collect()
}

fn verdict(claims: &[Capability], pillars: &[PillarAssessment]) -> Verdict {
    if claims.is_empty() {
        return Verdict::NotClaimed;
    }
    let required: Vec<&PillarAssessment> = pillars.iter().filter(|p| p.required()).collect();
    let evidenced = required.iter().filter(|p| p.status == PillarStatus::Evidenced).count();
    match evidenced {
        0 => Verdict::Unsupported,
        n if n == required.len() => Verdict::Supported,
        _ => Verdict::Partial,
    }
}

fn latest_submitted(audits: &[AuditSummary], as_of: NaiveDate) -> Option<&AuditSummary> {
    audits
        .iter()
        .filter(|a| a.status == AuditStatus::Submitted && a.visited_on <= as_of)
        .max_by_key(|a| (a.visited_on, &a.reference))
}

fn open_on(f: &FindingRow, as_of: NaiveDate) -> bool {
    f.visited_on <= as_of && f.finding.is_open_on(as_of)
}

/// Every item of a pillar seen by the as-of day, judged, newest first.
fn judge_items(evidence: &[EvidenceRow], pillar: Pillar, policy: &Policy, as_of: NaiveDate) -> Vec<Judged> {
    let since = Policy::window_start(as_of, policy.evidence_window_months);
    let mut out: Vec<Judged> = evidence
        .iter()
        .filter(|e| e.evidence.pillar == pillar && e.evidence.collected_on <= as_of && e.visited_on <= as_of)
        .map(|e| Judged {
            id: e.id,
            audit: e.audit.clone(),
            standing: standing(e, since),
            kind: e.evidence.kind,
            strength: e.evidence.strength,
            collected_on: e.evidence.collected_on,
            description: e.evidence.description.clone(),
        })
        .collect();
    out.sort_by_key(|j| std::cmp::Reverse((j.collected_on, j.id)));
    out
}

fn standing(e: &EvidenceRow, since: NaiveDate) -> Standing {
    if !e.evidence.strength.counts() {
        Standing::Stated
    } else if e.audit_status == AuditStatus::Draft {
        Standing::Draft
    } else if e.evidence.collected_on < since {
        Standing::Stale
    } else {
        Standing::Counts
    }
}

fn judge_document_pillar(
    evidence: &[EvidenceRow],
    pillar: Pillar,
    required_by: Vec<Capability>,
    policy: &Policy,
    as_of: NaiveDate,
) -> PillarAssessment {
    let items = judge_items(evidence, pillar, policy, as_of);
    let since = Policy::window_start(as_of, policy.evidence_window_months);
    let first = |s: Standing| items.iter().find(|j| j.standing == s);
    let count = |s: Standing| items.iter().filter(|j| j.standing == s).count();
    let (status, detail) = if let Some(best) = first(Standing::Counts) {
        let n = count(Standing::Counts);
        let detail = format!(
            "{n} document/observed item(s) since {since}; latest {} ({}, {})",
            best.collected_on, best.strength, best.audit
        );
        (PillarStatus::Evidenced, detail)
    } else if let Some(latest) = first(Standing::Stale) {
        let detail = format!("only evidence older than {since}; latest {} ({})", latest.collected_on, latest.audit);
        (PillarStatus::Stale, detail)
    } else if let Some(draft) = first(Standing::Draft) {
        (PillarStatus::DraftOnly, format!("document/observed evidence only in draft audit {}", draft.audit))
    } else if let Some(stated) = first(Standing::Stated) {
        (PillarStatus::StatedOnly, format!("only stated by the supplier: {}", stated.description))
    } else {
        (PillarStatus::Missing, "no evidence on file".to_owned())
    };
    PillarAssessment { pillar, required_by, status, detail, evidence: items }
}

/// Judges the yield window: status, its sentence, the figures; pushes the
/// yield flags (they apply whether or not ODM is claimed: QA leads need them).
fn judge_yield(
    facts: &Facts<'_>,
    policy: &Policy,
    as_of: NaiveDate,
    flags: &mut Vec<Flag>,
) -> (PillarStatus, String, YieldSummary) {
    let since = Policy::window_start(as_of, policy.yield_window_months);
    let window = facts.window;
    let (started, passed) =
        window.iter().fold((0_u64, 0_u64), |(s, p), l| (s + u64::from(l.started), p + u64::from(l.passed_first)));
    let fpy = (started > 0).then(|| passed as f64 / started as f64);
    let mut summary = YieldSummary {
        since,
        lots: window.len(),
        started,
        passed_first: passed,
        fpy,
        center: None,
        out_of_control: Vec::new(),
    };
    let flag = |rule: FlagRule, lot: Option<String>, message: String| Flag {
        rule,
        severity: policy.severity_of(rule),
        pillar: Some(Pillar::ProductionYield),
        lot,
        message,
    };
    if facts.first_lot.is_none() {
        let message = "No production lots on file at all — a factory that makes cases keeps lot records, a trading \
                       company does not; import its lot records or check who really manufactures"
            .to_owned();
        flags.push(flag(FlagRule::YieldNoLots, None, message));
        return (PillarStatus::NoLots, "no production lots on file".into(), summary);
    }
    if window.len() < policy.min_lots as usize {
        let message = format!(
            "Only {} lot(s) produced between {since} and {as_of} (at least {} needed); recent lot records would let \
             its production yield be judged",
            window.len(),
            policy.min_lots
        );
        flags.push(flag(FlagRule::YieldInsufficientLots, None, message));
        let detail = format!("{} lot(s) since {since}, fewer than {}", window.len(), policy.min_lots);
        return (PillarStatus::InsufficientLots, detail, summary);
    }
    let chart = chart_window(window, policy);
    summary.center = chart.as_ref().and_then(|c| c.limits).map(|l| l.center);
    if let Some(chart) = &chart {
        out_of_control_flags(window, chart, policy, &mut summary, flags);
    }
    let fpy_value = fpy.unwrap_or(0.0);
    let low = fpy_value < policy.min_fpy;
    if low {
        let message = format!(
            "Pooled first-pass yield is {:.1}% over {} lots since {since}, below the {:.0}% minimum; a supplier \
             claiming to design for production should hold its yield",
            fpy_value * 100.0,
            window.len(),
            policy.min_fpy * 100.0
        );
        flags.push(flag(FlagRule::YieldLowFpy, None, message));
    }
    let status = if low {
        PillarStatus::LowFpy
    } else if !summary.out_of_control.is_empty() {
        PillarStatus::OutOfControl
    } else {
        PillarStatus::Evidenced
    };
    let detail = format!(
        "{} lots since {since}, FPY {:.1}%, {} out of control ({} chart)",
        window.len(),
        fpy_value * 100.0,
        summary.out_of_control.len(),
        policy.chart
    );
    (status, detail, summary)
}

fn chart_window(window: &[WindowLot], policy: &Policy) -> Option<spc::Chart> {
    let points: Vec<Point> = window
        .iter()
        .map(|l| Point { started: l.started, nonconforming: l.started.saturating_sub(l.passed_first) })
        .collect();
    spc::chart(&points, &ChartOptions { kind: policy.chart, rules: policy.rules, baseline: None }).ok()
}

/// One flag for all the lots beyond their limits: it names the worst lot
/// (the `lot` field), how many there are, and lists them; and says when the
/// classical chart is too tight for these lots (over-dispersion).
fn out_of_control_flags(
    window: &[WindowLot],
    chart: &spc::Chart,
    policy: &Policy,
    summary: &mut YieldSummary,
    flags: &mut Vec<Flag>,
) {
    let beyond: Vec<usize> =
        chart.violations.iter().filter(|v| v.rule == Rule::Beyond3Sigma).map(|v| v.index).collect();
    summary.out_of_control = beyond.iter().map(|i| window[*i].lot.to_string()).collect();
    let worst = beyond.iter().copied().max_by(|a, b| {
        let z = |i: usize| chart.points[i].rule_z().abs();
        z(*a).total_cmp(&z(*b))
    });
    if let Some(worst) = worst {
        flags.push(Flag {
            rule: FlagRule::YieldOutOfControl,
            severity: policy.severity_of(FlagRule::YieldOutOfControl),
            pillar: Some(Pillar::ProductionYield),
            lot: Some(window[worst].lot.to_string()),
            message: out_of_control_message(window, chart, policy, &summary.out_of_control, worst),
        });
    }
    run_rule_flags(window, chart, policy, flags);
}

fn out_of_control_message(
    window: &[WindowLot],
    chart: &spc::Chart,
    policy: &Policy,
    lots: &[String],
    worst: usize,
) -> String {
    const LISTED: usize = 5;
    let (lot, point) = (&window[worst], &chart.points[worst]);
    let center = chart.limits.map_or(0.0, |l| l.center);
    let mut message = format!(
        "{} of {} lots are outside their control limits ({} chart, centre {:.1}%); worst {} ({}): {:.1}% \
         nonconforming against {:.1}–{:.1}%",
        lots.len(),
        window.len(),
        policy.chart,
        center * 100.0,
        lot.lot,
        lot.produced_on,
        point.p * 100.0,
        point.lcl * 100.0,
        point.ucl * 100.0
    );
    if lots.len() > 1 {
        let shown: Vec<&str> = lots.iter().take(LISTED).map(String::as_str).collect();
        let more = lots.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let _ = write!(message, " (lots {}{more})", shown.join(", "));
    }
    match chart.limits.filter(spc::Limits::overdispersed) {
        Some(limits) => {
            let _ = write!(
                message,
                "; lots vary far more than a stable binomial process would (σ_z = {:.2}), so the classical limits are \
             too tight: try the Laney p′ chart (`casebook policy set yield.chart laney`)",
                limits.sigma_z
            );
        }
        None => message.push_str("; find the special cause before relying on this supplier's yield"),
    }
    message
}

/// One flag per run rule other than "beyond limits", naming the latest lot.
fn run_rule_flags(window: &[WindowLot], chart: &spc::Chart, policy: &Policy, flags: &mut Vec<Flag>) {
    for rule in policy.rules.rules().iter().filter(|r| **r != Rule::Beyond3Sigma) {
        let hits: Vec<&spc::Violation> = chart.violations.iter().filter(|v| v.rule == *rule).collect();
        let Some(last) = hits.last() else { continue };
        let lot = &window[last.index];
        let message = format!(
            "Run rule {rule} ({} rules) broken {} time(s), latest ending at lot {} ({}): the process shifted; ask \
             what changed (material batch, mould, operator)",
            policy.rules,
            hits.len(),
            lot.lot,
            lot.produced_on
        );
        flags.push(Flag {
            rule: FlagRule::YieldRunRule,
            severity: policy.severity_of(FlagRule::YieldRunRule),
            pillar: Some(Pillar::ProductionYield),
            lot: Some(lot.lot.to_string()),
            message,
        });
    }
}

fn pillar_flags(pillars: &[PillarAssessment], policy: &Policy, as_of: NaiveDate, flags: &mut Vec<Flag>) {
    let since = Policy::window_start(as_of, policy.evidence_window_months);
    for p in pillars.iter().filter(|p| p.required() && p.pillar != Pillar::ProductionYield) {
        let Some((rule, message)) = pillar_flag(p, since) else { continue };
        flags.push(Flag { rule, severity: policy.severity_of(rule), pillar: Some(p.pillar), lot: None, message });
    }
}

/// The flag a required document pillar raises, worded from its evidence.
fn pillar_flag(p: &PillarAssessment, since: NaiveDate) -> Option<(FlagRule, String)> {
    let (label, hint) = (p.pillar.label(), what_would_count(p.pillar));
    let newest = |s: Standing| p.evidence.iter().find(|j| j.standing == s);
    Some(match p.status {
        PillarStatus::Missing => {
            let claims: Vec<&str> = p.required_by.iter().map(|c| c.as_str()).collect();
            (
                FlagRule::PillarMissing,
                format!("No evidence of {label} on file for the {} claim; {hint}", claims.join(", ")),
            )
        }
        PillarStatus::StatedOnly => {
            let said = newest(Standing::Stated).map_or("", |j| j.description.as_str());
            (
                FlagRule::PillarStatedOnly,
                format!("Evidence of {label} is only the supplier's word (\"{said}\"); {hint}"),
            )
        }
        PillarStatus::Stale => {
            let latest = newest(Standing::Stale)
                .map_or_else(String::new, |j| format!("; the latest is from {} ({})", j.collected_on, j.audit));
            (
                FlagRule::PillarStale,
                format!("No document or observed evidence of {label} since {since}{latest}; {hint}"),
            )
        }
        PillarStatus::DraftOnly => {
            let audit = newest(Standing::Draft).map_or("", |j| j.audit.as_str());
            (
                FlagRule::PillarDraftOnly,
                format!(
                    "Evidence of {label} is recorded only in draft audit {audit}; submit the audit for it to count"
                ),
            )
        }
        _ => return None,
    })
}

fn supplier_flags(facts: &Facts<'_>, claims: &[Capability], policy: &Policy, as_of: NaiveDate, flags: &mut Vec<Flag>) {
    let mut push = |rule: FlagRule, message: String| {
        flags.push(Flag { rule, severity: policy.severity_of(rule), pillar: None, lot: None, message });
    };
    let s = facts.supplier;
    if s.business_type == BusinessType::TradingCompany && !claims.is_empty() {
        let list: Vec<&str> = claims.iter().map(|c| c.as_str()).collect();
        push(
            FlagRule::TradingCompanyOdm,
            format!(
                "Classed as a trading company yet claims ODM capabilities ({}); ODM needs its own design and \
                 production — find out who really designs and makes the cases",
                list.join(", ")
            ),
        );
    }
    if s.models.odm && claims.is_empty() {
        push(
            FlagRule::OdmModelUnclaimed,
            "Lists ODM as a business model but no ODM capability claim is on record; record what it claims (structural \
             design, material selection, manufacturability, feasibility) so it can be checked"
                .to_owned(),
        );
    }
    audit_flags(facts, policy, as_of, &mut push);
    finding_flags(facts, as_of, &mut push);
    terms_flags(s, !claims.is_empty() || s.models.odm, policy, &mut push);
}

fn audit_flags(facts: &Facts<'_>, policy: &Policy, as_of: NaiveDate, push: &mut impl FnMut(FlagRule, String)) {
    let since = Policy::window_start(as_of, policy.audit_window_months);
    let latest = latest_submitted(facts.audits, as_of);
    match latest {
        Some(a) if a.visited_on >= since => {}
        Some(a) => push(
            FlagRule::NoRecentAudit,
            format!(
                "No submitted audit since {since}; the last was {} on {}; schedule an on-site audit",
                a.reference, a.visited_on
            ),
        ),
        None => push(
            FlagRule::NoRecentAudit,
            "No submitted audit on record; schedule an on-site audit before relying on its claims".to_owned(),
        ),
    }
    if let Some(a) = latest.filter(|a| !a.critical_no.is_empty()) {
        push(
            FlagRule::AuditCriticalNo,
            format!(
                "Audit {} answered no to critical question(s) {}; its grade is capped at {}",
                a.reference,
                a.critical_no.join(", "),
                policy.grade.critical_cap
            ),
        );
    }
}

fn finding_flags(facts: &Facts<'_>, as_of: NaiveDate, push: &mut impl FnMut(FlagRule, String)) {
    for f in facts.findings.iter().filter(|f| open_on(f, as_of)) {
        let owner = f.finding.owner.as_deref().unwrap_or("no owner named");
        if f.finding.severity == FindingSeverity::Critical {
            push(
                FlagRule::FindingCriticalOpen,
                format!(
                    "Critical finding from audit {} is still open: {} (owner {owner}, due {})",
                    f.audit, f.finding.description, f.finding.due_on
                ),
            );
        }
        if f.finding.due_on < as_of {
            push(
                FlagRule::FindingOverdue,
                format!(
                    "{} finding from audit {} is past its due date {}: {} (owner {owner}); get closure evidence",
                    capitalise(f.finding.severity.as_str()),
                    f.audit,
                    f.finding.due_on,
                    f.finding.description
                ),
            );
        }
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Commercial terms far outside the typical ranges of the model claimed (ODM
/// ranges when ODM is claimed, else OEM ones): at most the minimum divided by
/// the policy's factor, or at least the maximum times it.
fn terms_flags(s: &Supplier, odm: bool, policy: &Policy, push: &mut impl FnMut(FlagRule, String)) {
    let t = &policy.terms;
    let (model, moq_range, dev_range) = if odm {
        ("ODM", t.odm_moq, t.odm_dev_days)
    } else if s.models.oem {
        ("OEM", t.oem_moq, t.oem_dev_days)
    } else {
        return;
    };
    let far = |value: u32, r: super::policy::Range| -> Option<&'static str> {
        let v = f64::from(value);
        if v <= f64::from(r.min) / t.far_factor {
            Some("below")
        } else if r.max.is_some_and(|max| v >= f64::from(max) * t.far_factor) {
            Some("above")
        } else {
            None
        }
    };
    if let Some((moq, side)) = s.moq.and_then(|m| far(m, moq_range).map(|side| (m, side))) {
        let why = if side == "below" {
            "so low an MOQ suggests reselling stock rather than running its own moulds"
        } else {
            "so high an MOQ does not fit small design-led runs"
        };
        push(
            FlagRule::TermsMoq,
            format!(
                "MOQ {moq} units is far {side} the typical {model} range of {moq_range} (beyond ×{}); {why}",
                t.far_factor
            ),
        );
    }
    if let Some((days, side)) = s.dev_lead_days.and_then(|d| far(d, dev_range).map(|side| (d, side))) {
        let why = if side == "below" {
            "real design and tooling cannot be done that fast; it may be selling catalogue designs"
        } else {
            "so slow a development cycle suggests design work is outsourced or immature"
        };
        push(
            FlagRule::TermsDevLead,
            format!(
                "Development lead time {days} days is far {side} the typical {model} range of {dev_range} days \
                 (beyond ×{}); {why}",
                t.far_factor
            ),
        );
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
