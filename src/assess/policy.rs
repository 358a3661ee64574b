//! The flag policy: DOMAIN.md's defaults, tunable key by key.
//!
//! The policy is data stored in the database (seeded with these defaults when
//! the database is created) and read back as a [`Policy`]. Every key has a
//! text form, so `casebook policy set KEY VALUE` and the table share one
//! parser, and a bad key or value gets an error listing what is valid.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::checklist::{Grade, GradeRules};
use super::rules::{FlagRule, Severity};
use super::spc::{ChartKind, RuleSet};
use crate::model::{Capability, Pillar};

/// A typical range of a commercial term; `max = None` means "and up".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    pub min: u32,
    pub max: Option<u32>,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "{}-{max}", self.min),
            None => write!(f, "{}+", self.min),
        }
    }
}

impl Range {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(min) = text.strip_suffix('+') {
            return Some(Self { min: min.trim().parse().ok()?, max: None });
        }
        let (min, max) = text.split_once('-')?;
        let (min, max): (u32, u32) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
        (min <= max).then_some(Self { min, max: Some(max) })
    }
}

/// Typical commercial terms (first seed article) and how far outside counts
/// as "far": at most `min / far_factor` or at least `max × far_factor`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Terms {
    pub odm_moq: Range,
    pub odm_dev_days: Range,
    pub oem_moq: Range,
    pub oem_dev_days: Range,
    pub far_factor: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub evidence_window_months: u32,
    pub yield_window_months: u32,
    pub min_lots: u32,
    pub min_fpy: f64,
    pub chart: ChartKind,
    pub rules: RuleSet,
    pub audit_window_months: u32,
    /// ODM claim → the pillars it requires.
    pub requires: BTreeMap<Capability, Vec<Pillar>>,
    pub severity: BTreeMap<FlagRule, Severity>,
    pub terms: Terms,
    pub grade: GradeRules,
}

impl Default for Policy {
    fn default() -> Self {
        use Pillar::{AssemblyConstraints, DfmEvaluation, MaterialCompatibility, ProductionYield};
        let requires = BTreeMap::from([
            (Capability::StructuralDesign, vec![DfmEvaluation, AssemblyConstraints, ProductionYield]),
            (Capability::MaterialSelection, vec![MaterialCompatibility, ProductionYield]),
            (Capability::Manufacturability, vec![AssemblyConstraints, ProductionYield]),
            (Capability::Feasibility, vec![DfmEvaluation, ProductionYield]),
        ]);
        Self {
            evidence_window_months: 24,
            yield_window_months: 12,
            min_lots: 6,
            min_fpy: 0.85,
            chart: ChartKind::P,
            rules: RuleSet::Attribute,
            audit_window_months: 12,
            requires,
            severity: FlagRule::ALL.iter().map(|r| (*r, r.default_severity())).collect(),
            terms: Terms {
                odm_moq: Range { min: 100, max: Some(500) },
                odm_dev_days: Range { min: 60, max: Some(120) },
                oem_moq: Range { min: 500, max: None },
                oem_dev_days: Range { min: 90, max: Some(150) },
                far_factor: 2.0,
            },
            grade: GradeRules::default(),
        }
    }
}

/// A key or value `casebook policy set` cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    pub message: String,
}

fn bad(key: &str, value: &str, expected: &str) -> PolicyError {
    PolicyError { message: format!("`{value}` is not valid for {key}; expected {expected}") }
}

fn months(key: &str, value: &str) -> Result<u32, PolicyError> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=240).contains(m))
        .ok_or_else(|| bad(key, value, "a number of months, 1 to 240"))
}

fn word<T: std::str::FromStr<Err = crate::model::VocabError>>(key: &str, value: &str) -> Result<T, PolicyError> {
    value.trim().parse().map_err(|e: crate::model::VocabError| bad(key, value, &format!("one of: {}", e.expected)))
}

/// A share written `0.85` or `85%`, within (0, 1].
fn share(key: &str, value: &str) -> Result<f64, PolicyError> {
    let text = value.trim();
    let parsed = match text.strip_suffix('%') {
        Some(pct) => pct.trim().parse::<f64>().ok().map(|p| p / 100.0),
        None => text.parse::<f64>().ok(),
    };
    parsed.filter(|s| *s > 0.0 && *s <= 1.0).ok_or_else(|| bad(key, value, "a share such as 0.85 or 85%"))
}

impl Policy {
    /// Every key with its value, in a stable order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("evidence.window_months".to_owned(), self.evidence_window_months.to_string()),
            ("yield.window_months".to_owned(), self.yield_window_months.to_string()),
            ("yield.min_lots".to_owned(), self.min_lots.to_string()),
            ("yield.min_fpy".to_owned(), self.min_fpy.to_string()),
            ("yield.chart".to_owned(), self.chart.to_string()),
            ("yield.rules".to_owned(), self.rules.to_string()),
            ("audit.window_months".to_owned(), self.audit_window_months.to_string()),
        ];
        for (claim, pillars) in &self.requires {
            let list: Vec<&str> = pillars.iter().map(|p| p.as_str()).collect();
            out.push((format!("requires.{claim}"), list.join(",")));
        }
        for (rule, severity) in &self.severity {
            out.push((format!("severity.{rule}"), severity.to_string()));
        }
        out.extend([
            ("terms.odm_moq".to_owned(), self.terms.odm_moq.to_string()),
            ("terms.odm_dev_days".to_owned(), self.terms.odm_dev_days.to_string()),
            ("terms.oem_moq".to_owned(), self.terms.oem_moq.to_string()),
            ("terms.oem_dev_days".to_owned(), self.terms.oem_dev_days.to_string()),
            ("terms.far_factor".to_owned(), self.terms.far_factor.to_string()),
            ("grade.critical_cap".to_owned(), self.grade.critical_cap.to_string()),
            ("grade.min_answered_share".to_owned(), self.grade.min_answered_share.to_string()),
        ]);
        out
    }

    /// Every valid key, for error messages and help.
    pub fn keys() -> Vec<String> {
        Self::default().pairs().into_iter().map(|(k, _)| k).collect()
    }

    /// Sets one key from its text form, validating the value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), PolicyError> {
        match key {
            "evidence.window_months" => self.evidence_window_months = months(key, value)?,
            "yield.window_months" => self.yield_window_months = months(key, value)?,
            "audit.window_months" => self.audit_window_months = months(key, value)?,
            "yield.min_lots" => {
                self.min_lots = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| bad(key, value, "a whole number of lots, 1 to 10000"))?;
            }
            "yield.min_fpy" => self.min_fpy = share(key, value)?,
            "yield.chart" => self.chart = word(key, value)?,
            "yield.rules" => self.rules = word(key, value)?,
            "terms.far_factor" => {
                self.terms.far_factor =
                    value.trim().parse().ok().filter(|f: &f64| (1.0..=100.0).contains(f)).ok_or_else(|| {
                        bad(
                            key,
                            value,
                            "a factor of at least 1, such as 2 (twice below the minimum or above the maximum)",
                        )
                    })?;
            }
            "grade.critical_cap" => self.grade.critical_cap = Self::cap(key, value)?,
            "grade.min_answered_share" => self.grade.min_answered_share = share(key, value)?,
            _ => self.set_prefixed(key, value)?,
        }
        Ok(())
    }

    fn cap(key: &str, value: &str) -> Result<Grade, PolicyError> {
        let grade: Grade = word(key, value)?;
        if grade.is_letter() { Ok(grade) } else { Err(bad(key, value, "a grade letter A to E")) }
    }

    fn set_prefixed(&mut self, key: &str, value: &str) -> Result<(), PolicyError> {
        if let Some(claim) = key.strip_prefix("requires.") {
            let capability = Capability::parse(claim).filter(|c| c.is_odm()).ok_or_else(|| unknown_key(key))?;
            self.requires.insert(capability, pillar_list(key, value)?);
        } else if let Some(rule) = key.strip_prefix("severity.") {
            let rule = FlagRule::parse(rule).ok_or_else(|| unknown_key(key))?;
            self.severity.insert(rule, word(key, value)?);
        } else if let Some(term) = key.strip_prefix("terms.") {
            let slot = match term {
                "odm_moq" => &mut self.terms.odm_moq,
                "odm_dev_days" => &mut self.terms.odm_dev_days,
                "oem_moq" => &mut self.terms.oem_moq,
                "oem_dev_days" => &mut self.terms.oem_dev_days,
                _ => return Err(unknown_key(key)),
            };
            *slot = Range::parse(value)
                .ok_or_else(|| bad(key, value, "a range such as 100-500, or 500+ for no maximum"))?;
        } else {
            return Err(unknown_key(key));
        }
        Ok(())
    }

    /// Builds a policy from stored pairs over the defaults. Keys this version
    /// does not know (written by a newer casebook) are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, PolicyError> {
        let mut policy = Self::default();
        let known = Self::keys();
        for (key, value) in pairs {
            if known.iter().any(|k| k == key) {
                policy.set(key, value)?;
            }
        }
        Ok(policy)
    }

    pub fn severity_of(&self, rule: FlagRule) -> Severity {
        self.severity.get(&rule).copied().unwrap_or_else(|| rule.default_severity())
    }

    /// The start of a window of `months` ending on `as_of` (inclusive).
    pub fn window_start(as_of: NaiveDate, months: u32) -> NaiveDate {
        as_of.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
    }

    /// The values a verdict depends on, for outputs to name.
    pub fn used(&self, as_of: NaiveDate) -> PolicyUsed {
        PolicyUsed {
            as_of,
            evidence_window_months: self.evidence_window_months,
            yield_window_months: self.yield_window_months,
            min_lots: self.min_lots,
            min_fpy: self.min_fpy,
            chart: self.chart,
            audit_window_months: self.audit_window_months,
        }
    }
}

/// The policy values behind a verdict, as printed beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PolicyUsed {
    pub as_of: NaiveDate,
    pub evidence_window_months: u32,
    pub yield_window_months: u32,
    pub min_lots: u32,
    pub min_fpy: f64,
    pub chart: ChartKind,
    pub audit_window_months: u32,
}

impl fmt::Display for PolicyUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "as of {}: evidence within {} months; yield over {} months, at least {} lots, FPY ≥ {}, {} chart; \
             audit within {} months",
            self.as_of,
            self.evidence_window_months,
            self.yield_window_months,
            self.min_lots,
            crate::assess::figures::threshold_percent(self.min_fpy),
            if self.chart == ChartKind::P { "p" } else { "Laney p′" },
            self.audit_window_months
        )
    }
}

fn unknown_key(key: &str) -> PolicyError {
    PolicyError { message: format!("unknown policy key `{key}`; valid keys: {}", Policy::keys().join(", ")) }
}

fn pillar_list(key: &str, value: &str) -> Result<Vec<Pillar>, PolicyError> {
    let mut out: Vec<Pillar> = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let pillar: Pillar = word(key, part)?;
        if !out.contains(&pillar) {
            out.push(pillar);
        }
    }
    if out.is_empty() {
        return Err(bad(key, value, &format!("a comma-separated list of pillars from: {}", Pillar::expected())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_domain_md() {
        let p = Policy::default();
        assert_eq!((p.evidence_window_months, p.yield_window_months, p.min_lots), (24, 12, 6));
        assert!((p.min_fpy - 0.85).abs() < 1e-12);
        // Every ODM claim requires production yield.
        assert!(p.requires.values().all(|pillars| pillars.contains(&Pillar::ProductionYield)));
        assert_eq!(p.requires.len(), 4);
    }

    #[test]
    fn pairs_round_trip_through_set() {
        let mut changed = Policy::default();
        changed.set("yield.min_fpy", "90%").unwrap();
        changed.set("terms.oem_moq", "800+").unwrap();
        changed.set("requires.feasibility", "dfm_evaluation").unwrap();
        changed.set("severity.terms-moq", "medium").unwrap();
        let pairs = changed.pairs();
        let back = Policy::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(back, changed);
    }

    #[test]
    fn bad_keys_and_values_list_what_is_valid() {
        let mut p = Policy::default();
        let e = p.set("yield.min_lotz", "6").unwrap_err();
        assert!(e.message.contains("unknown policy key") && e.message.contains("yield.min_lots"));
        let e = p.set("yield.chart", "xbar").unwrap_err();
        assert!(e.message.contains("p, laney"));
        assert!(p.set("yield.min_fpy", "1.5").is_err());
        assert!(p.set("requires.mass_production", "production_yield").unwrap_err().message.contains("unknown"));
        assert!(p.set("requires.feasibility", "design").unwrap_err().message.contains("dfm_evaluation"));
        assert!(p.set("terms.odm_moq", "500-100").is_err());
        assert!(p.set("grade.critical_cap", "insufficient").is_err());
        assert_eq!(p, Policy::default(), "failed sets change nothing");
    }

    #[test]
    fn windows_end_on_as_of() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(Policy::window_start(as_of, 24), NaiveDate::from_ymd_opt(2024, 11, 21).unwrap());
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(Policy::window_start(leap, 12), NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
    }
}
