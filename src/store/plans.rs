//! Control plans: limits frozen from a baseline, in force from `frozen_on`
//! until `unfrozen_on`; at most one open plan per scope, and the only change
//! a plan ever takes is being unfrozen, once. History goes through
//! [`super::control::ControlEvent`].

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::control::{ControlEvent, new_gid};
use super::{Reader, SupplierId, Writer, date_at, opt_date_at};
use crate::error::{Error, Result};
use crate::model::{ControlPlan, PlanScope, SavedLimits};

/// A new plan's scope, baseline and limits.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub scope: PlanScope,
    pub baseline_since: Option<NaiveDate>,
    pub baseline_until: NaiveDate,
    pub baseline_lots: u32,
    pub p: SavedLimits,
    pub u: SavedLimits,
    pub frozen_on: NaiveDate,
}

const PLAN_COLUMNS: &str = "gid, process, material, baseline_since, baseline_until, baseline_lots, p_center, \
                            p_sigma_z, p_moving_ranges, u_center, u_sigma_z, u_moving_ranges, frozen_on, frozen_by, \
                            unfrozen_on, unfrozen_by";

fn plan(row: &Row<'_>) -> rusqlite::Result<ControlPlan> {
    Ok(ControlPlan {
        id: row.get(0)?,
        scope: PlanScope { process: row.get(1)?, material: row.get(2)? },
        baseline_since: opt_date_at(row, 3)?,
        baseline_until: date_at(row, 4)?,
        baseline_lots: row.get(5)?,
        p: SavedLimits { center: row.get(6)?, sigma_z: row.get(7)?, moving_ranges: row.get(8)? },
        u: SavedLimits { center: row.get(9)?, sigma_z: row.get(10)?, moving_ranges: row.get(11)? },
        frozen_on: date_at(row, 12)?,
        frozen_by: row.get(13)?,
        unfrozen_on: opt_date_at(row, 14)?,
        unfrozen_by: row.get(15)?,
    })
}

impl Writer<'_> {
    /// Freezes a plan (new global id), in history. Fails when a plan for the
    /// same scope is still open: unfreeze it first (or re-baseline).
    pub fn freeze_plan(&self, supplier: SupplierId, new: &NewPlan) -> Result<ControlPlan> {
        if let Some(open) = self.read().open_plan(supplier, &new.scope)? {
            return Err(Error::Invalid(format!(
                "a control plan for {} is already in force (frozen on {} by {}); unfreeze it first, or re-baseline \
                 with --replace",
                new.scope.describe(),
                open.frozen_on,
                open.frozen_by
            )));
        }
        let made = ControlPlan {
            id: new_gid(),
            scope: new.scope.clone(),
            baseline_since: new.baseline_since,
            baseline_until: new.baseline_until,
            baseline_lots: new.baseline_lots,
            p: new.p,
            u: new.u,
            frozen_on: new.frozen_on,
            frozen_by: self.actor.clone(),
            unfrozen_on: None,
            unfrozen_by: None,
        };
        self.insert_plan(supplier, &made)?;
        let what = format!(
            "{}: p̄ {:.6}, ū {:.6} from {} lots up to {}, in force from {}",
            made.scope.describe(),
            made.p.center,
            made.u.center,
            made.baseline_lots,
            made.baseline_until,
            made.frozen_on
        );
        self.record_control(supplier, ControlEvent::Freeze, &made.id, None, &what)?;
        Ok(made)
    }

    /// Stores a plan as it is (an import keeps its global id and dates).
    pub fn insert_plan(&self, supplier: SupplierId, p: &ControlPlan) -> Result<()> {
        let unfrozen_at = p.unfrozen_on.map(|_| self.at.clone());
        self.insert_plan_at(supplier, p, (&self.at.clone(), unfrozen_at.as_deref()))
    }

    /// The same, frozen (and unfrozen) at the times given (a merge keeps them).
    pub(super) fn insert_plan_at(
        &self,
        supplier: SupplierId,
        p: &ControlPlan,
        (frozen_at, unfrozen_at): (&str, Option<&str>),
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO control_plans (gid, supplier_id, process, material, baseline_since, baseline_until,
                     baseline_lots, p_center, p_sigma_z, p_moving_ranges, u_center, u_sigma_z, u_moving_ranges,
                     frozen_on, frozen_by, frozen_at, unfrozen_on, unfrozen_by, unfrozen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                p.id,
                supplier.0,
                p.scope.process,
                p.scope.material,
                p.baseline_since.map(|d| d.to_string()),
                p.baseline_until.to_string(),
                p.baseline_lots,
                p.p.center,
                p.p.sigma_z,
                p.p.moving_ranges,
                p.u.center,
                p.u.sigma_z,
                p.u.moving_ranges,
                p.frozen_on.to_string(),
                p.frozen_by,
                frozen_at,
                p.unfrozen_on.map(|d| d.to_string()),
                p.unfrozen_by,
                unfrozen_at
            ])?;
        Ok(())
    }

    /// Unfreezes the open plan of `scope` as of `on`, in history; `None`
    /// when no plan of that scope is open.
    pub fn unfreeze_plan(&self, supplier: SupplierId, scope: &PlanScope, on: NaiveDate) -> Result<Option<ControlPlan>> {
        let Some(open) = self.read().open_plan(supplier, scope)? else { return Ok(None) };
        if on < open.frozen_on {
            return Err(Error::Invalid(format!(
                "the plan for {} is in force from {}; it cannot end on {on}, before it began (use --as-of {} or \
                 later)",
                scope.describe(),
                open.frozen_on,
                open.frozen_on
            )));
        }
        self.conn()
            .prepare_cached(
                "UPDATE control_plans SET unfrozen_on = ?2, unfrozen_by = ?3, unfrozen_at = ?4 WHERE gid = ?1",
            )?
            .execute(params![open.id, on.to_string(), self.actor, self.at])?;
        let what = format!("{}: in force {} … {on}", scope.describe(), open.frozen_on);
        self.record_control(supplier, ControlEvent::Unfreeze, &open.id, None, &what)?;
        Ok(Some(ControlPlan { unfrozen_on: Some(on), unfrozen_by: Some(self.actor.clone()), ..open }))
    }
}

impl Reader<'_> {
    /// Whether any of `suppliers` has an annotation (of a lot not voided:
    /// those are not exported) or a control plan.
    pub fn has_control_records(&self, suppliers: &[SupplierId]) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM lot_annotations a WHERE a.supplier_id = ?1
                              AND NOT EXISTS (SELECT 1 FROM lots v WHERE v.supplier_id = a.supplier_id
                                                AND v.lot = a.lot AND v.voided_at IS NOT NULL))
                 OR EXISTS (SELECT 1 FROM control_plans WHERE supplier_id = ?1)",
        )?;
        for id in suppliers {
            if stmt.query_row([id.0], |r| r.get::<_, bool>(0))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every plan of a supplier, oldest first (ties in the order they were made).
    pub fn plans(&self, supplier: SupplierId) -> Result<Vec<ControlPlan>> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM control_plans WHERE supplier_id = ?1 ORDER BY frozen_on, gid");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([supplier.0], plan)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A plan by global id, with its supplier.
    pub fn plan_by_gid(&self, gid: &str) -> Result<Option<(SupplierId, ControlPlan)>> {
        let sql = format!("SELECT {PLAN_COLUMNS}, supplier_id FROM control_plans WHERE gid = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([gid], |r| Ok((SupplierId(r.get(16)?), plan(r)?))).optional()?)
    }

    /// The plan of exactly `scope` still open (not unfrozen), if any.
    pub fn open_plan(&self, supplier: SupplierId, scope: &PlanScope) -> Result<Option<ControlPlan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM control_plans WHERE supplier_id = ?1 AND process IS ?2 AND material IS ?3
               AND unfrozen_on IS NULL"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![supplier.0, scope.process, scope.material], plan)
            .optional()?)
    }

    /// The plan of exactly `scope` in force on `day`, if any.
    pub fn plan_in_force(
        &self,
        supplier: SupplierId,
        scope: &PlanScope,
        day: NaiveDate,
    ) -> Result<Option<ControlPlan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM control_plans WHERE supplier_id = ?1 AND process IS ?2 AND material IS ?3
               AND frozen_on <= ?4 AND (unfrozen_on IS NULL OR unfrozen_on > ?4)
             ORDER BY frozen_on DESC, id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![supplier.0, scope.process, scope.material, day.to_string()], plan)
            .optional()?)
    }

    /// Each supplier's plan for all its lots in force on `day` (one or all).
    pub fn supplier_plans_in_force(
        &self,
        only: Option<SupplierId>,
        day: NaiveDate,
    ) -> Result<HashMap<SupplierId, ControlPlan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS}, supplier_id FROM control_plans
             WHERE (?1 IS NULL OR supplier_id = ?1) AND process IS NULL AND material IS NULL
               AND frozen_on <= ?2 AND (unfrozen_on IS NULL OR unfrozen_on > ?2)
             ORDER BY frozen_on, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out = HashMap::new();
        let mut rows = stmt.query(params![only.map(|s| s.0), day.to_string()])?;
        while let Some(r) = rows.next()? {
            // Later plans overwrite earlier ones: the latest in force wins.
            out.insert(SupplierId(r.get(16)?), plan(r)?);
        }
        Ok(out)
    }
}
