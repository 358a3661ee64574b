//! Evidence rules, verdicts and flags: does a supplier's ODM claim rest on
//! manufacturing evidence, and if not, what is missing and what would do?
//!
//! Pure: a supplier's facts, a policy and an "as of" day in; an
//! [`Assessment`] out. Everything dated after the as-of day is ignored (lots
//! produced, evidence collected, audits visited, claims stated), so a result
//! can be reproduced for any past day.

mod flags;
mod yield_pillar;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;

use super::checklist::Grade;
use super::policy::{Policy, PolicyUsed};
use super::rules::{FlagRule, Severity};
use crate::model::{
    AuditStatus, Capability, Claim, ControlPlan, EvidenceKind, EvidenceRow, FindingRow, Pillar, Strength, Supplier,
    vocab,
};
use flags::{pillar_flags, supplier_flags};
use yield_pillar::judge_yield;

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
    pub visited_on: NaiveDate,
    pub grade: Option<Grade>,
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
    /// Lots left out of the control limits for an assignable cause, as of
    /// the day (any order; lots outside the window are ignored).
    pub excluded: &'a [String],
    /// The control plan for all the supplier's lots in force on the day.
    pub plan: Option<&'a ControlPlan>,
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
    /// Filed under production yield, which is decided by the lots alone:
    /// shown, never counted, whatever its strength or age.
    Noted,
}

impl Standing {
    /// The word the table, the UI and the JSON all use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counts => "counts",
            Self::Stale => "stale",
            Self::Draft => "draft",
            Self::Stated => "stated",
            Self::Noted => "noted",
        }
    }
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
    /// Window lots left out of the limits for an assignable cause (still
    /// counted in `fpy`), in chart order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// The day the control plan whose limits judged the window came into force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_since: Option<NaiveDate>,
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

impl Flag {
    /// A flag of `rule` at the policy's severity for it, about no one lot.
    pub(crate) fn new(policy: &Policy, rule: FlagRule, pillar: Option<Pillar>, message: String) -> Self {
        Self { rule, severity: policy.severity_of(rule), pillar, lot: None, message }
    }
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
    let odm = !claims.is_empty() || facts.supplier.models.odm;
    let (yield_status, yield_detail, yield_summary) = judge_yield(facts, odm, policy, as_of, &mut flags);
    let pillars: Vec<PillarAssessment> = Pillar::ALL
        .iter()
        .map(|pillar| {
            let required_by = requiring(policy, &claims, *pillar);
            if *pillar == Pillar::ProductionYield {
                let evidence = judge_items(facts.evidence, *pillar, policy, as_of);
                PillarAssessment {
                    pillar: *pillar,
                    required_by,
                    status: yield_status,
                    detail: yield_detail.clone(),
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
        yield_summary,
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
    match evidenced_of_required(pillars) {
        (0, _) => Verdict::Unsupported,
        (evidenced, required) if evidenced == required => Verdict::Supported,
        _ => Verdict::Partial,
    }
}

/// (evidenced, required): how many of the pillars the claims require are
/// evidenced — what the verdict is decided on.
pub fn evidenced_of_required(pillars: &[PillarAssessment]) -> (usize, usize) {
    pillars.iter().filter(|p| p.required()).fold((0, 0), |(evidenced, required), p| {
        (evidenced + usize::from(p.status == PillarStatus::Evidenced), required + 1)
    })
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
    if e.evidence.pillar == Pillar::ProductionYield {
        Standing::Noted
    } else if !e.evidence.strength.counts() {
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

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
