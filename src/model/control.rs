//! What a QA lead records about a chart: an assignable cause on a lot
//! (Phase I: the lot may be left out of the limits) and a control plan,
//! limits frozen from a baseline that judge later lots (Phase II).
//!
//! Both are facts identified by a global id (`gid`, a `UUIDv7`) so they can
//! travel between databases; neither is ever edited. A lot's newer
//! annotation supersedes its older ones; a plan ends when it is unfrozen.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Process, vocab};

vocab!(
    /// Whether an annotated lot counts in the control limits.
    InLimits { Excluded = "excluded", Kept = "kept" }
);

/// An assignable cause found for one lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    pub id: String,
    pub lot: String,
    pub cause: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Left out of the control limits (and of the yield pillar's chart).
    pub excluded: bool,
    /// The day it takes effect (the as-of day it was recorded on).
    pub noted_on: NaiveDate,
    pub noted_by: String,
}

/// Saved limits of one statistic: the rate (p̄ or ū) and Laney's `σ_z`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SavedLimits {
    pub center: f64,
    pub sigma_z: f64,
    pub moving_ranges: u32,
}

/// Which lots a control plan watches: a supplier's lots, optionally only
/// one process and / or one material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanScope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<Process>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
}

impl PlanScope {
    /// "all lots", or "process `co_molding`, material TPU+PC".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(process) = self.process {
            parts.push(format!("process {process}"));
        }
        if let Some(material) = &self.material {
            parts.push(format!("material {material}"));
        }
        if parts.is_empty() { "all lots".to_owned() } else { parts.join(", ") }
    }
}

/// Limits frozen from a baseline period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlPlan {
    pub id: String,
    #[serde(flatten)]
    pub scope: PlanScope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_since: Option<NaiveDate>,
    pub baseline_until: NaiveDate,
    /// Lots the limits were computed from (excluded lots left out).
    pub baseline_lots: u32,
    /// The fraction nonconforming (p, p′ and np charts).
    pub p: SavedLimits,
    /// Defects per unit (u and u′ charts).
    pub u: SavedLimits,
    /// In force from this day …
    pub frozen_on: NaiveDate,
    pub frozen_by: String,
    /// … until this one (exclusive), when unfrozen or re-baselined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfrozen_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfrozen_by: Option<String>,
}

impl ControlPlan {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.frozen_on <= day && self.unfrozen_on.is_none_or(|end| day < end)
    }
}
