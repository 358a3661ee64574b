//! The flags outside production yield: required document pillars without
//! counting evidence, and the supplier's own record (classification, audits,
//! findings, commercial terms).

use chrono::NaiveDate;

use super::{Facts, Flag, PillarAssessment, PillarStatus, Standing, latest_submitted, open_on, what_would_count};
use crate::assess::policy::{Policy, Range};
use crate::assess::rules::FlagRule;
use crate::model::{BusinessType, Capability, FindingSeverity, Pillar, Supplier};

pub(super) fn pillar_flags(pillars: &[PillarAssessment], policy: &Policy, as_of: NaiveDate, flags: &mut Vec<Flag>) {
    let since = Policy::window_start(as_of, policy.evidence_window_months);
    for p in pillars.iter().filter(|p| p.required() && p.pillar != Pillar::ProductionYield) {
        let Some((rule, message)) = pillar_flag(p, since) else { continue };
        flags.push(Flag::new(policy, rule, Some(p.pillar), message));
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

pub(super) fn supplier_flags(
    facts: &Facts<'_>,
    claims: &[Capability],
    policy: &Policy,
    as_of: NaiveDate,
    flags: &mut Vec<Flag>,
) {
    let mut push = |rule: FlagRule, message: String| {
        flags.push(Flag::new(policy, rule, None, message));
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
    let far = |value: u32, r: Range| -> Option<&'static str> {
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
