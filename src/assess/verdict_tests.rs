//! The verdict engine, rule by rule: each flag rule made to fire and not to
//! fire, the verdict cases, and properties that must hold for any facts.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::model::{
    AuditStatus, BusinessType, Capability, Claim, ClaimSource, Evidence, EvidenceKind, EvidenceRow, Finding,
    FindingRow, FindingSeverity, Models, Pillar, Strength, Supplier,
};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

const AS_OF: &str = "2026-11-21";

/// Facts for one supplier, built up case by case.
#[derive(Clone)]
struct World {
    supplier: Supplier,
    claims: Vec<Claim>,
    audits: Vec<AuditSummary>,
    evidence: Vec<EvidenceRow>,
    findings: Vec<FindingRow>,
    window: Vec<WindowLot>,
    first_lot: Option<NaiveDate>,
    excluded: Vec<String>,
    plan: Option<crate::model::ControlPlan>,
    policy: Policy,
}

impl World {
    /// A manufacturer claiming ODM + OEM, with a recent submitted audit, six
    /// months of stable lots at 95% FPY, and no claims yet.
    fn new() -> Self {
        let mut w = Self {
            supplier: Supplier {
                code: "SZ-TEST".into(),
                name: "Test Case Works".into(),
                country: "CN".into(),
                city: Some("Shenzhen".into()),
                business_type: BusinessType::Manufacturer,
                models: Models { oem: true, odm: true },
                moq: Some(300),
                dev_lead_days: Some(75),
                notes: None,
            },
            claims: Vec::new(),
            audits: Vec::new(),
            evidence: Vec::new(),
            findings: Vec::new(),
            window: Vec::new(),
            first_lot: None,
            excluded: Vec::new(),
            plan: None,
            policy: Policy::default(),
        };
        w.audit("A-1", AuditStatus::Submitted, "2026-06-01");
        w.stable_lots(12, "2026-01-05");
        w
    }

    fn claim(&mut self, capability: Capability, stated_on: &str) -> &mut Self {
        self.claims.push(Claim {
            capability,
            source: ClaimSource::Website,
            stated_on: day(stated_on),
            statement: format!("we do {capability}"),
            retired_on: None,
        });
        self
    }

    fn audit(&mut self, reference: &str, status: AuditStatus, visited_on: &str) -> &mut Self {
        self.audits.push(AuditSummary {
            reference: reference.into(),
            amends: None,
            status,
            visited_on: day(visited_on),
            grade: (status == AuditStatus::Submitted).then_some(Grade::B),
            critical_no: Vec::new(),
        });
        self
    }

    fn evidence(&mut self, pillar: Pillar, strength: Strength, collected_on: &str, audit: &str) -> &mut Self {
        let summary = self.audits.iter().find(|a| a.reference == audit).expect("audit exists").clone();
        let id = i64::try_from(self.evidence.len()).unwrap() + 1;
        self.evidence.push(EvidenceRow {
            id,
            audit: audit.into(),
            audit_status: summary.status,
            visited_on: summary.visited_on,
            evidence: Evidence {
                pillar,
                kind: EvidenceKind::TestReport,
                strength,
                collected_on: day(collected_on),
                description: format!("{pillar} item {id}"),
                reference: None,
            },
        });
        self
    }

    /// `n` lots, one a week from `from`, 1000 units at 5% nonconforming.
    fn stable_lots(&mut self, n: usize, from: &str) -> &mut Self {
        self.window.clear();
        let start = day(from);
        for i in 0..n {
            let started = 1000;
            // A little variation either side of 50, well within 3σ (σ ≈ 6.9).
            let nonconforming = [48, 52, 50, 47, 53, 51][i % 6];
            self.window.push(WindowLot {
                lot: format!("L{i:03}").into(),
                produced_on: start + chrono::Duration::days(7 * i64::try_from(i).unwrap()),
                started,
                passed_first: started - nonconforming,
            });
        }
        self.first_lot = self.window.first().map(|l| l.produced_on);
        self
    }

    fn assess(&self) -> Assessment {
        self.assess_on(AS_OF)
    }

    fn assess_on(&self, as_of: &str) -> Assessment {
        let facts = Facts {
            supplier: &self.supplier,
            claims: &self.claims,
            audits: &self.audits,
            evidence: &self.evidence,
            findings: &self.findings,
            window: &self.window,
            first_lot: self.first_lot,
            excluded: &self.excluded,
            plan: self.plan.as_ref(),
        };
        assess(&facts, &self.policy, day(as_of))
    }
}

fn fired(a: &Assessment, rule: FlagRule) -> Vec<&Flag> {
    a.flags.iter().filter(|f| f.rule == rule).collect()
}

fn status(a: &Assessment, pillar: Pillar) -> PillarStatus {
    a.pillar(pillar).unwrap().status
}

// ---- verdicts ---------------------------------------------------------

#[test]
fn no_odm_claim_is_not_claimed() {
    let mut w = World::new();
    w.claim(Capability::MassProduction, "2026-01-01");
    let a = w.assess();
    assert_eq!(a.verdict, Verdict::NotClaimed);
    assert!(a.pillars.iter().all(|p| !p.required()));
}

#[test]
fn every_required_pillar_evidenced_is_supported() {
    let mut w = World::new();
    w.claim(Capability::MaterialSelection, "2026-01-01");
    w.evidence(Pillar::MaterialCompatibility, Strength::Observed, "2026-06-01", "A-1");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::MaterialCompatibility), PillarStatus::Evidenced);
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::Evidenced);
    assert_eq!(a.verdict, Verdict::Supported, "{:#?}", a.flags);
    assert!(a.flags.is_empty(), "{:#?}", a.flags);
}

#[test]
fn some_required_pillars_is_partial_and_none_is_unsupported() {
    let mut w = World::new();
    w.claim(Capability::StructuralDesign, "2026-01-01");
    w.evidence(Pillar::DfmEvaluation, Strength::Document, "2026-06-01", "A-1");
    assert_eq!(w.assess().verdict, Verdict::Partial);
    let mut none = World::new();
    none.claim(Capability::StructuralDesign, "2026-01-01");
    none.window.clear();
    none.first_lot = None;
    assert_eq!(none.assess().verdict, Verdict::Unsupported);
}

#[test]
fn retired_and_future_claims_do_not_count() {
    let mut w = World::new();
    w.claim(Capability::Feasibility, "2025-01-01");
    w.claims[0].retired_on = Some(day("2026-01-01"));
    w.claim(Capability::StructuralDesign, "2026-12-01");
    assert_eq!(w.assess().verdict, Verdict::NotClaimed);
    // As of a day before the retirement, the feasibility claim is in force.
    assert_ne!(w.assess_on("2025-06-01").verdict, Verdict::NotClaimed);
}

#[test]
fn policy_requirements_decide_which_pillars_count() {
    let mut w = World::new();
    w.claim(Capability::Feasibility, "2026-01-01");
    assert_eq!(w.assess().verdict, Verdict::Partial, "feasibility needs DFM + yield; DFM missing");
    w.policy.set("requires.feasibility", "production_yield").unwrap();
    assert_eq!(w.assess().verdict, Verdict::Supported);
}

// ---- document pillars -------------------------------------------------

#[test]
fn pillar_missing_fires_only_without_any_evidence() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    let a = w.assess();
    let f = fired(&a, FlagRule::PillarMissing);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].pillar, Some(Pillar::AssemblyConstraints));
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("assembly jigs"), "says what would count: {}", f[0].message);
    w.evidence(Pillar::AssemblyConstraints, Strength::Observed, "2026-06-01", "A-1");
    assert!(fired(&w.assess(), FlagRule::PillarMissing).is_empty());
}

#[test]
fn stated_only_evidence_is_flagged_and_quoted() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    w.evidence(Pillar::AssemblyConstraints, Strength::Stated, "2026-06-01", "A-1");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::AssemblyConstraints), PillarStatus::StatedOnly);
    let f = fired(&a, FlagRule::PillarStatedOnly);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("assembly_constraints item 1"), "{}", f[0].message);
    w.evidence(Pillar::AssemblyConstraints, Strength::Document, "2026-06-01", "A-1");
    assert!(fired(&w.assess(), FlagRule::PillarStatedOnly).is_empty());
}

#[test]
fn stale_evidence_fires_and_the_window_boundary_counts() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    w.audit("A-0", AuditStatus::Submitted, "2024-11-20");
    w.evidence(Pillar::AssemblyConstraints, Strength::Observed, "2024-11-20", "A-0");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::AssemblyConstraints), PillarStatus::Stale);
    let f = fired(&a, FlagRule::PillarStale);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("since 2024-11-21") && f[0].message.contains("2024-11-20"), "{}", f[0].message);
    // Collected exactly 24 months before the as-of day: still within the window.
    w.evidence(Pillar::AssemblyConstraints, Strength::Observed, "2024-11-21", "A-0");
    assert_eq!(status(&w.assess(), Pillar::AssemblyConstraints), PillarStatus::Evidenced);
}

#[test]
fn draft_only_evidence_does_not_count() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    w.audit("A-2", AuditStatus::Draft, "2026-10-01");
    w.evidence(Pillar::AssemblyConstraints, Strength::Observed, "2026-10-01", "A-2");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::AssemblyConstraints), PillarStatus::DraftOnly);
    assert_eq!(fired(&a, FlagRule::PillarDraftOnly)[0].severity, Severity::Low);
    assert!(fired(&a, FlagRule::PillarDraftOnly)[0].message.contains("A-2"));
    assert_eq!(a.verdict, Verdict::Partial);
}

#[test]
fn evidence_after_the_as_of_day_is_ignored() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    w.audit("A-9", AuditStatus::Submitted, "2026-12-15");
    w.evidence(Pillar::AssemblyConstraints, Strength::Observed, "2026-12-15", "A-9");
    assert_eq!(status(&w.assess(), Pillar::AssemblyConstraints), PillarStatus::Missing);
    assert_eq!(status(&w.assess_on("2026-12-31"), Pillar::AssemblyConstraints), PillarStatus::Evidenced);
}

#[test]
fn pillar_flags_only_for_required_pillars() {
    let mut w = World::new();
    w.claim(Capability::MaterialSelection, "2026-01-01");
    w.evidence(Pillar::MaterialCompatibility, Strength::Observed, "2026-06-01", "A-1");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::DfmEvaluation), PillarStatus::Missing);
    assert!(a.flags.iter().all(|f| f.pillar != Some(Pillar::DfmEvaluation)));
}

// ---- production yield -------------------------------------------------

#[test]
fn no_lots_at_all_is_flagged_high() {
    let mut w = World::new();
    w.window.clear();
    w.first_lot = None;
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::NoLots);
    assert_eq!(fired(&a, FlagRule::YieldNoLots)[0].severity, Severity::High);
    // Old lots exist: then it is "insufficient", not "no lots".
    w.first_lot = Some(day("2023-01-01"));
    let a = w.assess();
    assert!(fired(&a, FlagRule::YieldNoLots).is_empty());
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::InsufficientLots);
}

#[test]
fn too_few_lots_in_the_window() {
    let mut w = World::new();
    w.stable_lots(5, "2026-03-01");
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::InsufficientLots);
    assert!(fired(&a, FlagRule::YieldInsufficientLots)[0].message.contains("Only 5 lot(s)"));
    w.stable_lots(6, "2026-03-01");
    assert_eq!(status(&w.assess(), Pillar::ProductionYield), PillarStatus::Evidenced);
    w.policy.set("yield.min_lots", "7").unwrap();
    assert_eq!(status(&w.assess(), Pillar::ProductionYield), PillarStatus::InsufficientLots);
}

#[test]
fn low_fpy_against_the_policy_minimum() {
    let mut w = World::new();
    // About 20% nonconforming per lot, the same small spread: FPY ≈ 80%.
    for lot in &mut w.window {
        let nonconforming = lot.started - lot.passed_first;
        lot.passed_first = lot.started - (nonconforming + 150);
    }
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::LowFpy);
    let f = fired(&a, FlagRule::YieldLowFpy);
    assert!(f[0].message.contains("85%"), "{}", f[0].message);
    w.policy.set("yield.min_fpy", "79%").unwrap();
    assert!(fired(&w.assess(), FlagRule::YieldLowFpy).is_empty());
}

#[test]
fn a_spike_is_out_of_control_and_named() {
    let mut w = World::new();
    w.window[7].passed_first = 1000 - 120;
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::OutOfControl);
    let f = fired(&a, FlagRule::YieldOutOfControl);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].lot.as_deref(), Some("L007"));
    assert_eq!(a.yield_summary.out_of_control, vec!["L007".to_owned()]);
    assert!(fired(&World::new().assess(), FlagRule::YieldOutOfControl).is_empty());
}

#[test]
fn nine_in_a_row_is_a_run_rule_flag_not_out_of_control() {
    let mut w = World::new();
    // Nine lots slightly above the centre, then three below to balance.
    for (i, lot) in w.window.iter_mut().enumerate() {
        lot.passed_first = 1000 - if i < 9 { 55 } else { 35 };
    }
    let a = w.assess();
    let f = fired(&a, FlagRule::YieldRunRule);
    assert_eq!(f.len(), 1, "{:#?}", a.flags);
    assert!(f[0].message.contains("nine-in-a-row"));
    // It says what the rule saw, not a cause.
    assert!(f[0].message.starts_with("Nine lots in a row above the centre line: lots L000 … L008"), "{}", f[0].message);
    assert!(!f[0].message.contains("shift"), "{}", f[0].message);
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::Evidenced);
    assert!(fired(&World::new().assess(), FlagRule::YieldRunRule).is_empty());
}

// Twelve lots of 1000 at 48, 52, 50, 47, 53, 51 nonconforming (twice): 602.
// L007 (52) becomes a spike of 120: 670 in all, FPY 1 − 670/12000. Excluded,
// it leaves the limits (p̄ = (602 − 52) / 11000 = 0.05 exactly) and flags
// nothing, but FPY still counts it.
#[test]
fn an_excluded_spike_leaves_the_limits_but_not_the_fpy() {
    let mut w = World::new();
    w.window[7].passed_first = 1000 - 120;
    w.excluded = vec!["L007".to_owned(), "NOT-IN-WINDOW".to_owned()];
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::Evidenced);
    assert!(fired(&a, FlagRule::YieldOutOfControl).is_empty());
    let summary = &a.yield_summary;
    assert_eq!(summary.excluded, ["L007"]);
    assert!((summary.center.unwrap() - 550.0 / 11000.0).abs() < 1e-15);
    assert!((summary.fpy.unwrap() - (1.0 - 670.0 / 12000.0)).abs() < 1e-15);
    assert_eq!(summary.lots, 12);
    let detail = &a.pillars.iter().find(|p| p.pillar == Pillar::ProductionYield).unwrap().detail;
    assert!(detail.contains("1 lot(s) excluded from the limits for an assignable cause (L007)"), "{detail}");
}

#[test]
fn a_control_plan_in_force_supplies_the_limits() {
    let mut w = World::new();
    let saved = |center| crate::model::SavedLimits { center, sigma_z: 1.0, moving_ranges: 5 };
    w.plan = Some(crate::model::ControlPlan {
        id: "01900000-0000-7000-8000-000000000000".into(),
        scope: crate::model::PlanScope::default(),
        baseline_since: None,
        baseline_until: day("2025-12-31"),
        baseline_lots: 6,
        p: saved(0.02),
        u: saved(0.03),
        frozen_on: day("2026-01-01"),
        frozen_by: "qa".into(),
        unfrozen_on: None,
        unfrozen_by: None,
    });
    // At 5% nonconforming every lot is far above a 2% centre (σ ≈ 0.0044).
    let a = w.assess();
    assert_eq!(status(&a, Pillar::ProductionYield), PillarStatus::OutOfControl);
    assert_eq!(a.yield_summary.out_of_control.len(), 12);
    assert_eq!(a.yield_summary.center, Some(0.02));
    assert_eq!(a.yield_summary.plan_since, Some(day("2026-01-01")));
    let f = fired(&a, FlagRule::YieldOutOfControl);
    assert!(f[0].message.contains("limits of the control plan in force since 2026-01-01"), "{}", f[0].message);
}

// ---- supplier rules ---------------------------------------------------

#[test]
fn trading_company_claiming_odm() {
    let mut w = World::new();
    w.supplier.business_type = BusinessType::TradingCompany;
    assert!(fired(&w.assess(), FlagRule::TradingCompanyOdm).is_empty(), "no ODM claim yet");
    w.claim(Capability::StructuralDesign, "2026-01-01");
    let f = fired(&w.assess(), FlagRule::TradingCompanyOdm).len();
    assert_eq!(f, 1);
    w.supplier.business_type = BusinessType::Manufacturer;
    assert!(fired(&w.assess(), FlagRule::TradingCompanyOdm).is_empty());
}

#[test]
fn odm_model_without_an_odm_claim() {
    let mut w = World::new();
    assert_eq!(fired(&w.assess(), FlagRule::OdmModelUnclaimed).len(), 1);
    w.claim(Capability::Feasibility, "2026-01-01");
    assert!(fired(&w.assess(), FlagRule::OdmModelUnclaimed).is_empty());
    let mut oem = World::new();
    oem.supplier.models.odm = false;
    assert!(fired(&oem.assess(), FlagRule::OdmModelUnclaimed).is_empty());
}

#[test]
fn no_submitted_audit_within_twelve_months() {
    let mut w = World::new();
    w.audits[0].visited_on = day("2025-11-20");
    assert_eq!(fired(&w.assess(), FlagRule::NoRecentAudit).len(), 1);
    w.audits[0].visited_on = day("2025-11-21");
    assert!(fired(&w.assess(), FlagRule::NoRecentAudit).is_empty());
    w.audits[0].status = AuditStatus::Draft;
    assert!(fired(&w.assess(), FlagRule::NoRecentAudit)[0].message.contains("No submitted audit on record"));
}

#[test]
fn critical_no_on_the_latest_audit() {
    let mut w = World::new();
    assert!(fired(&w.assess(), FlagRule::AuditCriticalNo).is_empty());
    w.audits[0].critical_no = vec!["LG-01".into(), "LG-03".into()];
    let a = w.assess();
    let f = fired(&a, FlagRule::AuditCriticalNo);
    assert!(f[0].message.contains("LG-01, LG-03") && f[0].message.contains("capped at D"), "{}", f[0].message);
}

#[test]
fn open_critical_and_overdue_findings() {
    let mut w = World::new();
    let finding = |severity, due: &str| FindingRow {
        id: 1,
        audit: "A-1".into(),
        visited_on: day("2026-06-01"),
        finding: Finding {
            severity,
            description: "no peel test".into(),
            owner: Some("QA".into()),
            due_on: day(due),
            closure: None,
        },
    };
    w.findings.push(finding(FindingSeverity::Critical, "2026-12-01"));
    let a = w.assess();
    assert_eq!(fired(&a, FlagRule::FindingCriticalOpen).len(), 1);
    assert!(fired(&a, FlagRule::FindingOverdue).is_empty(), "not due yet");
    w.findings[0] = finding(FindingSeverity::Minor, "2026-07-01");
    let a = w.assess();
    assert!(fired(&a, FlagRule::FindingCriticalOpen).is_empty());
    assert!(fired(&a, FlagRule::FindingOverdue)[0].message.starts_with("Minor finding"));
    w.findings[0].finding.closure = Some(crate::model::Closure {
        closed_on: day("2026-08-01"),
        evidence: "photo of log".into(),
        closed_by: "lin".into(),
    });
    assert!(fired(&w.assess(), FlagRule::FindingOverdue).is_empty());
    // As of a day before the closure it was still open and overdue.
    assert_eq!(fired(&w.assess_on("2026-07-15"), FlagRule::FindingOverdue).len(), 1);
}

#[test]
fn commercial_terms_far_outside_the_typical_range() {
    let mut w = World::new();
    w.claim(Capability::MaterialSelection, "2026-01-01");
    w.supplier.moq = Some(50);
    let a = w.assess();
    let f = fired(&a, FlagRule::TermsMoq);
    assert!(f[0].message.contains("below") && f[0].message.contains("100-500"), "{}", f[0].message);
    w.supplier.moq = Some(51);
    assert!(fired(&w.assess(), FlagRule::TermsMoq).is_empty(), "just over half the minimum is not yet far");
    w.supplier.dev_lead_days = Some(240);
    assert!(fired(&w.assess(), FlagRule::TermsDevLead)[0].message.contains("above the typical ODM range of 60-120"));
    w.supplier.dev_lead_days = Some(239);
    assert!(fired(&w.assess(), FlagRule::TermsDevLead).is_empty());
    // OEM-only suppliers are held to the OEM ranges (no maximum MOQ).
    let mut oem = World::new();
    oem.supplier.models = Models { oem: true, odm: false };
    oem.supplier.moq = Some(100_000);
    assert!(fired(&oem.assess(), FlagRule::TermsMoq).is_empty());
    oem.supplier.moq = Some(200);
    assert!(fired(&oem.assess(), FlagRule::TermsMoq)[0].message.contains("OEM range of 500+"));
}

#[test]
fn severities_come_from_the_policy() {
    let mut w = World::new();
    w.claim(Capability::Manufacturability, "2026-01-01");
    w.policy.set("severity.pillar-missing", "low").unwrap();
    assert_eq!(fired(&w.assess(), FlagRule::PillarMissing)[0].severity, Severity::Low);
}

#[test]
fn grade_is_the_latest_full_audit_not_an_amendment() {
    let mut w = World::new();
    w.audits[0].grade = Some(Grade::A);
    w.audit("A-2", AuditStatus::Submitted, "2026-07-01");
    w.audits[1].amends = Some("A-1".into());
    w.audits[1].grade = Some(Grade::Insufficient);
    let a = w.assess();
    assert_eq!(a.grade, Some(Grade::A));
    assert_eq!(a.last_audit, Some(day("2026-07-01")));
}

// ---- properties ---------------------------------------------------------

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Unsupported => 0,
        Verdict::Partial => 1,
        Verdict::Supported => 2,
        Verdict::NotClaimed => 3,
    }
}

fn any_pillar() -> impl Strategy<Value = Pillar> {
    prop::sample::select(Pillar::ALL.to_vec())
}

fn any_strength() -> impl Strategy<Value = Strength> {
    prop::sample::select(Strength::ALL.to_vec())
}

/// (pillar, strength, days before the as-of day, submitted?)
fn any_item() -> impl Strategy<Value = (Pillar, Strength, i64, bool)> {
    (any_pillar(), any_strength(), 0_i64..1200, any::<bool>())
}

fn world_with(claims: &[Capability], items: &[(Pillar, Strength, i64, bool)]) -> World {
    let mut w = World::new();
    w.audit("D-1", AuditStatus::Draft, "2026-10-01");
    for c in claims {
        w.claim(*c, "2024-01-01");
    }
    for (pillar, strength, ago, submitted) in items {
        let on = (day(AS_OF) - chrono::Duration::days(*ago)).format("%Y-%m-%d").to_string();
        let audit = if *submitted { "A-1" } else { "D-1" };
        w.evidence(*pillar, *strength, &on, audit);
    }
    w
}

fn odm_claims() -> impl Strategy<Value = Vec<Capability>> {
    prop::sample::subsequence(
        vec![
            Capability::StructuralDesign,
            Capability::MaterialSelection,
            Capability::Manufacturability,
            Capability::Feasibility,
        ],
        1..=4,
    )
}

proptest! {
    #[test]
    fn adding_evidence_never_lowers_a_verdict(
        claims in odm_claims(),
        items in prop::collection::vec(any_item(), 0..8),
        extra in any_item(),
    ) {
        let before = world_with(&claims, &items).assess().verdict;
        let mut more = items.clone();
        more.push(extra);
        let after = world_with(&claims, &more).assess().verdict;
        prop_assert!(rank(after) >= rank(before), "{before} → {after}");
    }

    #[test]
    fn a_draft_audit_never_changes_a_verdict(
        claims in odm_claims(),
        items in prop::collection::vec(any_item(), 0..8),
        drafts in prop::collection::vec((any_pillar(), any_strength(), 0_i64..700), 1..5),
    ) {
        let before = world_with(&claims, &items).assess().verdict;
        let mut more = items.clone();
        more.extend(drafts.into_iter().map(|(p, s, ago)| (p, s, ago, false)));
        prop_assert_eq!(world_with(&claims, &more).assess().verdict, before);
    }

    #[test]
    fn moving_as_of_later_never_turns_stale_evidence_fresh(
        item in any_item(),
        later in 0_i64..900,
    ) {
        let w = world_with(&[Capability::Manufacturability], &[item]);
        let standing_on = |as_of: NaiveDate| {
            let a = w.assess_on(&as_of.format("%Y-%m-%d").to_string());
            a.pillar(item.0).unwrap().evidence.first().map(|j| j.standing)
        };
        let first = standing_on(day(AS_OF));
        let second = standing_on(day(AS_OF) + chrono::Duration::days(later));
        if first == Some(Standing::Stale) {
            prop_assert_eq!(second, Some(Standing::Stale));
        }
    }

    #[test]
    fn verdict_is_invariant_to_row_order(
        claims in odm_claims(),
        items in prop::collection::vec(any_item(), 0..10),
        seed in any::<u64>(),
    ) {
        let w = world_with(&claims, &items);
        let mut shuffled = w.clone();
        let mut state = seed | 1;
        let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; state };
        for i in (1..shuffled.evidence.len()).rev() {
            let j = usize::try_from(next() % (i as u64 + 1)).unwrap();
            shuffled.evidence.swap(i, j);
        }
        shuffled.claims.reverse();
        shuffled.audits.reverse();
        let (a, b) = (w.assess(), shuffled.assess());
        prop_assert_eq!(a.verdict, b.verdict);
        let statuses = |x: &Assessment| x.pillars.iter().map(|p| p.status).collect::<Vec<_>>();
        prop_assert_eq!(statuses(&a), statuses(&b));
        prop_assert_eq!(a.flags, b.flags);
    }
}
