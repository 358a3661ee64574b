//! Annotations of lots (assignable causes) and control plans (frozen
//! limits): facts with global ids, recorded once; a plan's only change is
//! being unfrozen. What is in force is decided by the as-of day: an
//! annotation from its `noted_on`, a plan from `frozen_on` until
//! `unfrozen_on`.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::{Change, Reader, SupplierId, Writer, date_at, opt_date_at};
use crate::error::{Error, Result};
use crate::model::{Annotation, ControlPlan, PlanScope, SavedLimits};

/// What a control change is, for history. The history table's CHECK lists
/// do not name annotations or plans yet (another branch widens them to
/// `annotation` / `control_plan` and `annotate`, `exclude`, `include`,
/// `freeze`, `unfreeze`); until then [`ControlEvent::words`] maps each onto
/// words the schema accepts. This is the one place to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlEvent {
    Annotate,
    Exclude,
    Include,
    Freeze,
    Unfreeze,
}

impl ControlEvent {
    /// (entity, action, field) as history stores them today.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Annotate => ("lots", "update", "annotation"),
            Self::Exclude => ("lots", "update", "annotation: excluded from limits"),
            Self::Include => ("lots", "update", "annotation: included in limits"),
            Self::Freeze => ("lots", "create", "control plan"),
            Self::Unfreeze => ("lots", "retire", "control plan"),
        }
    }
}

/// A new annotation; whether the lot is excluded is decided by the caller.
#[derive(Debug, Clone)]
pub struct NewAnnotation<'a> {
    pub lot: &'a str,
    pub cause: &'a str,
    pub action: Option<&'a str>,
    pub excluded: bool,
    pub noted_on: NaiveDate,
}

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

/// A fresh global id: a `UUIDv7` in its hyphenated lower-case text form.
pub fn new_gid() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

const ANNOTATION_COLUMNS: &str = "a.gid, a.lot, a.cause, a.action, a.excluded, a.noted_on, a.noted_by";

fn annotation(row: &Row<'_>) -> rusqlite::Result<Annotation> {
    Ok(Annotation {
        id: row.get(0)?,
        lot: row.get(1)?,
        cause: row.get(2)?,
        action: row.get(3)?,
        excluded: row.get(4)?,
        noted_on: date_at(row, 5)?,
        noted_by: row.get(6)?,
    })
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
    /// Records an annotation (new global id), in history.
    pub fn annotate_lot(&self, supplier: SupplierId, new: &NewAnnotation<'_>) -> Result<Annotation> {
        let read = self.read();
        if !read.lot_exists(supplier, new.lot)? {
            return Err(Error::NotFound(format!("the supplier has no lot `{}`", new.lot)));
        }
        let before = read.annotation_of(supplier, new.lot, new.noted_on)?;
        let made = Annotation {
            id: new_gid(),
            lot: new.lot.to_owned(),
            cause: new.cause.to_owned(),
            action: new.action.map(str::to_owned),
            excluded: new.excluded,
            noted_on: new.noted_on,
            noted_by: self.actor.clone(),
        };
        self.insert_annotation(supplier, &made)?;
        let event = match (before.as_ref().is_some_and(|a| a.excluded), made.excluded) {
            (false, true) => ControlEvent::Exclude,
            (true, false) => ControlEvent::Include,
            _ => ControlEvent::Annotate,
        };
        let old = before.map(|a| describe_annotation(&a));
        self.record_control(supplier, event, &made.lot, old.as_deref(), &describe_annotation(&made))?;
        Ok(made)
    }

    /// Stores an annotation as it is (an import keeps its global id).
    pub fn insert_annotation(&self, supplier: SupplierId, a: &Annotation) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO lot_annotations (gid, supplier_id, lot, cause, action, excluded, noted_on, noted_by,
                                              noted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                a.id,
                supplier.0,
                a.lot,
                a.cause,
                a.action,
                a.excluded,
                a.noted_on.to_string(),
                a.noted_by,
                self.at
            ])?;
        Ok(())
    }

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
        let unfrozen_at = p.unfrozen_on.map(|_| self.at.as_str());
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
                self.at,
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

    fn record_control(
        &self,
        supplier: SupplierId,
        event: ControlEvent,
        key: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<()> {
        let (entity, action, field) = event.words();
        self.record(&Change { supplier: Some(supplier), entity, key, action, field: Some(field), old, new: Some(new) })
    }
}

/// "cause: flash from worn mould; action: mould repaired; excluded from the limits".
fn describe_annotation(a: &Annotation) -> String {
    let mut text = format!("cause: {}", a.cause);
    if let Some(action) = &a.action {
        let _ = write!(text, "; action: {action}");
    }
    text += if a.excluded { "; excluded from the limits" } else { "; kept in the limits" };
    text
}

impl Reader<'_> {
    /// The annotation in force for each annotated lot of a supplier on `day`
    /// (the latest by `noted_on`, then by when it was recorded), by lot code.
    pub fn annotations_in_force(&self, supplier: SupplierId, day: NaiveDate) -> Result<Vec<Annotation>> {
        let sql = format!(
            "SELECT {ANNOTATION_COLUMNS} FROM lot_annotations a
             WHERE a.supplier_id = ?1 AND a.noted_on <= ?2
               AND NOT EXISTS (SELECT 1 FROM lot_annotations b
                               WHERE b.supplier_id = a.supplier_id AND b.lot = a.lot AND b.noted_on <= ?2
                                 AND (b.noted_on > a.noted_on OR (b.noted_on = a.noted_on AND b.id > a.id)))
             ORDER BY a.lot"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![supplier.0, day.to_string()], annotation)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One lot's annotation in force on `day`.
    pub fn annotation_of(&self, supplier: SupplierId, lot: &str, day: NaiveDate) -> Result<Option<Annotation>> {
        let sql = format!(
            "SELECT {ANNOTATION_COLUMNS} FROM lot_annotations a WHERE a.supplier_id = ?1 AND a.lot = ?2
               AND a.noted_on <= ?3 ORDER BY a.noted_on DESC, a.id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![supplier.0, lot, day.to_string()], annotation)
            .optional()?)
    }

    /// Every annotation of a supplier as recorded, oldest first (for export).
    pub fn annotations(&self, supplier: SupplierId) -> Result<Vec<Annotation>> {
        let sql = format!(
            "SELECT {ANNOTATION_COLUMNS} FROM lot_annotations a WHERE a.supplier_id = ?1
             ORDER BY a.noted_on, a.lot, a.gid"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([supplier.0], annotation)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An annotation by global id, with its supplier.
    pub fn annotation_by_gid(&self, gid: &str) -> Result<Option<(SupplierId, Annotation)>> {
        let sql = format!("SELECT {ANNOTATION_COLUMNS}, a.supplier_id FROM lot_annotations a WHERE a.gid = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([gid], |r| Ok((SupplierId(r.get(7)?), annotation(r)?)))
            .optional()?)
    }

    /// The lots excluded from the limits on `day`, per supplier (one or all).
    pub fn excluded_lots(&self, only: Option<SupplierId>, day: NaiveDate) -> Result<HashMap<SupplierId, Vec<String>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.supplier_id, a.lot FROM lot_annotations a
             WHERE (?1 IS NULL OR a.supplier_id = ?1) AND a.noted_on <= ?2 AND a.excluded = 1
               AND NOT EXISTS (SELECT 1 FROM lot_annotations b
                               WHERE b.supplier_id = a.supplier_id AND b.lot = a.lot AND b.noted_on <= ?2
                                 AND (b.noted_on > a.noted_on OR (b.noted_on = a.noted_on AND b.id > a.id)))",
        )?;
        let mut out: HashMap<SupplierId, Vec<String>> = HashMap::new();
        let mut rows = stmt.query(params![only.map(|s| s.0), day.to_string()])?;
        while let Some(r) = rows.next()? {
            out.entry(SupplierId(r.get(0)?)).or_default().push(r.get(1)?);
        }
        Ok(out)
    }

    /// Whether any of `suppliers` has an annotation or a control plan.
    pub fn has_control_records(&self, suppliers: &[SupplierId]) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM lot_annotations WHERE supplier_id = ?1)
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
