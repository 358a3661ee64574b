//! Reading and storing a supplier's annotations and control plans
//! (`casebook-dossier/2`). Both keep their global ids: the same id already
//! on file with the same content is a duplicate, with other content a
//! conflict, reported and never overwritten.

use serde_json::Value;

use super::State;
use crate::error::Result;
use crate::exchange::json_fields::{object, vocab_field};
use crate::exchange::validate::{self, FieldError};
use crate::exchange::{Location, Problem, Problems};
use crate::model::{Annotation, ControlPlan, PlanScope, SavedLimits};
use crate::store::SupplierId;

pub(super) const ANNOTATION_FIELDS: &[&str] = &["id", "lot", "cause", "action", "excluded", "noted_on", "noted_by"];
pub(super) const PLAN_FIELDS: &[&str] = &[
    "id",
    "process",
    "material",
    "baseline_since",
    "baseline_until",
    "baseline_lots",
    "p",
    "u",
    "frozen_on",
    "frozen_by",
    "unfrozen_on",
    "unfrozen_by",
];
const LIMIT_FIELDS: &[&str] = &["center", "sigma_z", "moving_ranges"];
/// Longest cause or action (the schema's bound).
const NOTE_MAX: usize = 500;

/// A global id: a UUID in lower-case hyphenated text.
fn gid(key: &str, text: &str) -> std::result::Result<String, FieldError> {
    match uuid::Uuid::parse_str(text) {
        Ok(id) if id.hyphenated().to_string() == text => Ok(text.to_owned()),
        _ => Err(FieldError::new(
            key,
            Some(text),
            "is not a global id; expected a UUID in lower-case hyphenated form (as casebook exports them)",
        )),
    }
}

pub(super) fn read_annotation(value: &Value, path: &str, p: &mut Problems) -> Option<Annotation> {
    let o = object(value, path, ANNOTATION_FIELDS, p)?;
    let id = o.parsed("id", "a global id", p, |s| gid("id", s));
    let lot = o.text("lot", validate::LOT_TEXT_MAX, p);
    let cause = o.text("cause", NOTE_MAX, p);
    let action = o.opt_line("action", NOTE_MAX, p);
    let excluded = o.boolean("excluded", p);
    let noted_on = o.date("noted_on", p);
    let noted_by = o.text("noted_by", validate::LINE_MAX, p);
    Some(Annotation {
        id: id?,
        lot: lot?.to_owned(),
        cause: cause?.to_owned(),
        action: action.ok()?,
        excluded: excluded?,
        noted_on: noted_on?,
        noted_by: noted_by?.to_owned(),
    })
}

fn read_limits(value: &Value, path: &str, max_center: f64, p: &mut Problems) -> Option<SavedLimits> {
    let o = object(value, path, LIMIT_FIELDS, p)?;
    let center = o.number("center", (0.0, max_center), p);
    let sigma_z = o.number("sigma_z", (0.0, f64::INFINITY), p);
    let moving_ranges = o.count("moving_ranges", 0, p);
    Some(SavedLimits { center: center?, sigma_z: sigma_z?, moving_ranges: moving_ranges? })
}

pub(super) fn read_plan(value: &Value, path: &str, p: &mut Problems) -> Option<ControlPlan> {
    let o = object(value, path, PLAN_FIELDS, p)?;
    let id = o.parsed("id", "a global id", p, |s| gid("id", s));
    let process = o.opt_parsed("process", p, |s| vocab_field("process", s));
    let material = o.opt_line("material", validate::LOT_TEXT_MAX, p);
    let baseline_since = o.opt_date("baseline_since", p);
    let baseline_until = o.date("baseline_until", p);
    let baseline_lots = o.count("baseline_lots", 1, p);
    let p_limits = o.nested("p", p, |v, at, p| read_limits(v, at, 1.0, p));
    let u_limits = o.nested("u", p, |v, at, p| read_limits(v, at, f64::INFINITY, p));
    let frozen_on = o.date("frozen_on", p);
    let frozen_by = o.text("frozen_by", validate::LINE_MAX, p);
    let unfrozen_on = o.opt_date("unfrozen_on", p);
    let unfrozen_by = o.opt_line("unfrozen_by", validate::LINE_MAX, p);
    let plan = ControlPlan {
        id: id?,
        scope: PlanScope { process: process.ok()?, material: material.ok()? },
        baseline_since: baseline_since.ok()?,
        baseline_until: baseline_until?,
        baseline_lots: baseline_lots?,
        p: p_limits?,
        u: u_limits?,
        frozen_on: frozen_on?,
        frozen_by: frozen_by?.to_owned(),
        unfrozen_on: unfrozen_on.ok()?,
        unfrozen_by: unfrozen_by.ok()?,
    };
    plan_problem(&plan).map_or(Some(plan), |e| {
        let at = o.at(&e.field);
        p.push(Problem::at(Location::Path(at), e));
        None
    })
}

/// The rules between a plan's fields that the schema also holds.
fn plan_problem(plan: &ControlPlan) -> Option<FieldError> {
    if plan.baseline_since.is_some_and(|since| since > plan.baseline_until) {
        let since = plan.baseline_since.map(|d| d.to_string());
        return Some(FieldError::new("baseline_since", since.as_deref(), "is after baseline_until"));
    }
    if plan.unfrozen_on.is_some_and(|end| end < plan.frozen_on) {
        let end = plan.unfrozen_on.map(|d| d.to_string());
        return Some(FieldError::new("unfrozen_on", end.as_deref(), "is before frozen_on; a plan ends after it began"));
    }
    if plan.unfrozen_on.is_some() != plan.unfrozen_by.is_some() {
        return Some(FieldError::new(
            "unfrozen_by",
            None,
            "goes with unfrozen_on: both are given for an unfrozen plan, neither for one in force",
        ));
    }
    None
}

impl State<'_, '_> {
    pub(super) fn store_annotation(&mut self, supplier: SupplierId, path: &str, a: &Annotation) -> Result<()> {
        let read = self.writer.read();
        if let Some((owner, existing)) = read.annotation_by_gid(&a.id)? {
            if owner == supplier && existing == *a {
                self.out.duplicates.add("annotations", 1);
            } else {
                let message =
                    format!("annotation `{}` is already on file with other content; ids are never reused", a.id);
                self.problem(format!("{path}.id"), "id", message);
            }
            return Ok(());
        }
        if !read.lot_exists(supplier, &a.lot)? {
            let message =
                format!("names lot `{}`, which this supplier does not have (on file or in this dossier)", a.lot);
            self.problem(format!("{path}.lot"), "lot", message);
            return Ok(());
        }
        self.writer.insert_annotation(supplier, a)?;
        self.out.inserted.add("annotations", 1);
        Ok(())
    }

    pub(super) fn store_plan(&mut self, supplier: SupplierId, path: &str, plan: &ControlPlan) -> Result<()> {
        let read = self.writer.read();
        if let Some((owner, existing)) = read.plan_by_gid(&plan.id)? {
            if owner == supplier && existing == *plan {
                self.out.duplicates.add("control plans", 1);
            } else {
                let message =
                    format!("control plan `{}` is already on file with other content; ids are never reused", plan.id);
                self.problem(format!("{path}.id"), "id", message);
            }
            return Ok(());
        }
        if plan.unfrozen_on.is_none()
            && let Some(open) = read.open_plan(supplier, &plan.scope)?
        {
            let message = format!(
                "is in force, but plan `{}` for {} is already in force here (since {}); unfreeze one of them",
                open.id,
                plan.scope.describe(),
                open.frozen_on
            );
            self.problem(format!("{path}.unfrozen_on"), "unfrozen_on", message);
            return Ok(());
        }
        self.writer.insert_plan(supplier, plan)?;
        self.out.inserted.add("control plans", 1);
        Ok(())
    }
}
