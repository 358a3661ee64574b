//! The catalogue of flag rules: stable ids, default severities and what each
//! one means. Ids are a public contract (scripts filter on them); add new
//! rules, never rename one.

use crate::model::vocab;

vocab!(
    /// How much a flag matters to a buyer, most severe first.
    Severity { High = "high", Medium = "medium", Low = "low" }
);

impl Severity {
    /// Whether a flag of this severity meets a `--fail-on` threshold.
    pub fn at_least(self, threshold: Self) -> bool {
        self <= threshold
    }
}

vocab!(
    /// A flag rule, by its stable id.
    FlagRule {
        PillarMissing = "pillar-missing",
        PillarStatedOnly = "pillar-stated-only",
        PillarStale = "pillar-stale",
        PillarDraftOnly = "pillar-draft-only",
        YieldNoLots = "yield-no-lots",
        YieldInsufficientLots = "yield-insufficient-lots",
        YieldLowFpy = "yield-low-fpy",
        YieldOutOfControl = "yield-out-of-control",
        YieldRunRule = "yield-run-rule",
        TradingCompanyOdm = "trading-company-odm",
        OdmModelUnclaimed = "odm-model-unclaimed",
        NoRecentAudit = "no-recent-audit",
        AuditCriticalNo = "audit-critical-no",
        FindingCriticalOpen = "finding-critical-open",
        FindingOverdue = "finding-overdue",
        TermsMoq = "terms-moq",
        TermsDevLead = "terms-dev-lead",
    }
);

impl FlagRule {
    pub fn default_severity(self) -> Severity {
        match self {
            Self::PillarMissing
            | Self::YieldNoLots
            | Self::YieldOutOfControl
            | Self::TradingCompanyOdm
            | Self::FindingCriticalOpen => Severity::High,
            Self::PillarStatedOnly
            | Self::PillarStale
            | Self::YieldInsufficientLots
            | Self::YieldLowFpy
            | Self::NoRecentAudit
            | Self::AuditCriticalNo
            | Self::FindingOverdue => Severity::Medium,
            Self::PillarDraftOnly
            | Self::YieldRunRule
            | Self::OdmModelUnclaimed
            | Self::TermsMoq
            | Self::TermsDevLead => Severity::Low,
        }
    }

    /// When the rule fires, in one line (for `casebook policy` and the README).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::PillarMissing => "a pillar an ODM claim requires has no evidence at all",
            Self::PillarStatedOnly => "a required pillar has only `stated` evidence (the supplier said so, no proof)",
            Self::PillarStale => "a required pillar's document/observed evidence is all older than the evidence window",
            Self::PillarDraftOnly => "a required pillar's document/observed evidence is only in draft audits",
            Self::YieldNoLots => "no production lots at all (likely a trading company)",
            Self::YieldInsufficientLots => "fewer lots in the yield window than the policy's minimum",
            Self::YieldLowFpy => "pooled first-pass yield over the yield window is below the minimum",
            Self::YieldOutOfControl => "a lot of the yield window is outside its p-chart control limits",
            Self::YieldRunRule => {
                "a run rule other than 'beyond limits' fired in the yield window (a run of lots on one side of the centre line)"
            }
            Self::TradingCompanyOdm => "a trading company claims ODM capabilities",
            Self::OdmModelUnclaimed => "the supplier lists ODM as a business model but records no ODM capability claim",
            Self::NoRecentAudit => "no submitted audit within the audit window",
            Self::AuditCriticalNo => "the latest submitted audit answered `no` to a critical checklist question",
            Self::FindingCriticalOpen => "a critical finding is still open",
            Self::FindingOverdue => "an open finding is past its due date",
            Self::TermsMoq => "the MOQ is far outside the typical range for the model claimed",
            Self::TermsDevLead => "the development lead time is far outside the typical range for the model claimed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_threshold_includes_worse() {
        assert!(Severity::High.at_least(Severity::Medium));
        assert!(Severity::Medium.at_least(Severity::Medium));
        assert!(!Severity::Low.at_least(Severity::Medium));
    }

    #[test]
    fn every_rule_has_a_meaning_and_a_kebab_id() {
        for rule in FlagRule::ALL {
            assert!(!rule.meaning().is_empty());
            assert!(rule.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{rule}");
        }
    }
}
