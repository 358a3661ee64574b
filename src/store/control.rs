//! Annotations of lots (assignable causes) and control plans (frozen
//! limits): facts with global ids, recorded once; a plan's only change is
//! being unfrozen. What is in force is decided by the as-of day: an
//! annotation from its `noted_on`, a plan from `frozen_on` until
//! `unfrozen_on`.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::{Change, Reader, SupplierId, Writer, date_at};
use crate::error::{Error, Result};
use crate::model::{Annotation, HistoryAction, HistoryEntity};

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
    /// (entity, action, field) as history stores them today. (History's
    /// vocabulary also has `annotation` / `control_plan` with `annotate`,
    /// `exclude`, `include`, `freeze`, `unfreeze`, should these move there.)
    fn words(self) -> (HistoryEntity, HistoryAction, &'static str) {
        use HistoryAction::{Create, Retire, Update};
        match self {
            Self::Annotate => (HistoryEntity::Lots, Update, "annotation"),
            Self::Exclude => (HistoryEntity::Lots, Update, "annotation: excluded from limits"),
            Self::Include => (HistoryEntity::Lots, Update, "annotation: included in limits"),
            Self::Freeze => (HistoryEntity::Lots, Create, "control plan"),
            Self::Unfreeze => (HistoryEntity::Lots, Retire, "control plan"),
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

impl Writer<'_> {
    /// Records an annotation (new global id), in history.
    pub fn annotate_lot(&self, supplier: SupplierId, new: &NewAnnotation<'_>) -> Result<Annotation> {
        let read = self.read();
        if !read.lot_exists(supplier, new.lot)? {
            return Err(Error::NotFound(format!("the supplier has no lot `{}`", new.lot)));
        }
        if read.lot_voided(supplier, new.lot)? {
            return Err(Error::Invalid(format!(
                "lot `{}` is voided: it is on no chart, so it takes no annotation",
                new.lot
            )));
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
        self.insert_annotation_at(supplier, a, &self.at.clone())
    }

    /// The same, noted at `noted_at` (a merge keeps the time it was noted).
    pub(super) fn insert_annotation_at(&self, supplier: SupplierId, a: &Annotation, noted_at: &str) -> Result<()> {
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
                noted_at
            ])?;
        Ok(())
    }

    pub(super) fn record_control(
        &self,
        supplier: SupplierId,
        event: ControlEvent,
        key: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<()> {
        let (entity, action, field) = event.words();
        self.record(&Change {
            field: Some(field),
            old,
            new: Some(new),
            ..Change::of(Some(supplier), entity, key, action)
        })
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
    /// The annotation in force for each annotated lot in force (not voided) of a supplier on `day`
    /// (the latest by `noted_on`, then by when it was recorded), by lot code.
    pub fn annotations_in_force(&self, supplier: SupplierId, day: NaiveDate) -> Result<Vec<Annotation>> {
        let sql = format!(
            "SELECT {ANNOTATION_COLUMNS} FROM lot_annotations a
             WHERE a.supplier_id = ?1 AND a.noted_on <= ?2
               AND NOT EXISTS (SELECT 1 FROM lots v WHERE v.supplier_id = a.supplier_id AND v.lot = a.lot
                                                      AND v.voided_at IS NOT NULL)
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

    /// Every annotation of a supplier as recorded, oldest first (for export),
    /// but those of voided lots (which are not exported).
    pub fn annotations(&self, supplier: SupplierId) -> Result<Vec<Annotation>> {
        self.annotations_of(supplier, false)
    }

    /// Every annotation of a supplier, those of voided lots too (what a
    /// merge takes in: a fact stays a fact when its lot is voided).
    pub fn all_annotations(&self, supplier: SupplierId) -> Result<Vec<Annotation>> {
        self.annotations_of(supplier, true)
    }

    fn annotations_of(&self, supplier: SupplierId, with_voided_lots: bool) -> Result<Vec<Annotation>> {
        let voided = if with_voided_lots {
            ""
        } else {
            "AND NOT EXISTS (SELECT 1 FROM lots v WHERE v.supplier_id = a.supplier_id AND v.lot = a.lot
                                                   AND v.voided_at IS NOT NULL)"
        };
        let sql = format!(
            "SELECT {ANNOTATION_COLUMNS} FROM lot_annotations a WHERE a.supplier_id = ?1 {voided}
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
               AND NOT EXISTS (SELECT 1 FROM lots v WHERE v.supplier_id = a.supplier_id AND v.lot = a.lot
                                                      AND v.voided_at IS NOT NULL)
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
}
