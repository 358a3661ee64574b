//! Merging what QA leads record about control charts from another
//! database: lot annotations and control plans, by global id.
//!
//! An annotation is a fact: taken in when its lot is here, the same id with
//! other content refused and reported. A control plan is a fact but for its
//! unfreezing, which happens once: a plan unfrozen in the source and still
//! in force here is unfrozen here as it was there. A plan in force in the
//! source for a scope where another plan is in force here (two laptops
//! froze limits for the same lots) is refused and reported: one of them
//! must be unfrozen by a person, as a dossier import also says.

use rusqlite::params;

use super::{Reader, SupplierId, Writer};
use crate::error::{Error, Result};
use crate::model::merge::{Cause, Refused, SourceReport};
use crate::model::{Annotation, ControlPlan};

impl Writer<'_> {
    /// Every supplier's lot annotations and control plans.
    pub fn merge_control(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        let targets = self.read().supplier_ids()?;
        for (their_id, supplier) in src.suppliers()? {
            let (annotations, plans) = (src.all_annotations(their_id)?, src.plans(their_id)?);
            if annotations.is_empty() && plans.is_empty() {
                continue;
            }
            let id = *targets.get(&supplier.code).ok_or_else(|| {
                Error::Invalid(format!("supplier {} was not merged before its control records", supplier.code))
            })?;
            for a in &annotations {
                self.merge_annotation(src, id, &supplier.code, a, r)?;
            }
            for p in &plans {
                self.merge_plan(src, id, &supplier.code, p, r)?;
            }
        }
        Ok(())
    }

    fn merge_annotation(
        &self,
        src: Reader<'_>,
        id: SupplierId,
        code: &str,
        a: &Annotation,
        r: &mut SourceReport,
    ) -> Result<()> {
        let refuse = |cause, differs| Refused {
            entity: "annotation",
            id: a.id.clone(),
            key: format!("{code} lot {} ({}, {})", a.lot, a.noted_on, a.noted_by),
            cause,
            differs,
        };
        match self.read().annotation_by_gid(&a.id)? {
            Some((owner, here)) if owner == id && here == *a => r.already.add("annotations", 1),
            Some((_, here)) => r
                .refused
                .push(refuse(Cause::DifferentContent, vec![("cause".into(), Some(here.cause), Some(a.cause.clone()))])),
            None if !self.read().lot_exists(id, &a.lot)? => r.refused.push(refuse(Cause::ParentRefused, Vec::new())),
            None => {
                let noted_at: String = src
                    .conn
                    .prepare_cached("SELECT noted_at FROM lot_annotations WHERE gid = ?1")?
                    .query_row([&a.id], |row| row.get(0))?;
                self.insert_annotation_at(id, a, &noted_at)?;
                r.added.add("annotations", 1);
            }
        }
        Ok(())
    }

    fn merge_plan(
        &self,
        src: Reader<'_>,
        id: SupplierId,
        code: &str,
        p: &ControlPlan,
        r: &mut SourceReport,
    ) -> Result<()> {
        let refuse = |differs| Refused {
            entity: "control_plan",
            id: p.id.clone(),
            key: format!("{code} plan for {} frozen {} by {}", p.scope.describe(), p.frozen_on, p.frozen_by),
            cause: Cause::DifferentContent,
            differs,
        };
        let shown =
            |plan: &ControlPlan| plan.unfrozen_on.map_or_else(|| "in force".to_owned(), |d| format!("unfrozen on {d}"));
        match self.read().plan_by_gid(&p.id)? {
            Some((owner, here)) if owner == id && here == *p => r.already.add("control_plans", 1),
            Some((owner, here))
                if owner == id && ControlPlan { unfrozen_on: None, unfrozen_by: None, ..p.clone() } == here =>
            {
                // In force here, unfrozen there: the one change a plan takes.
                self.conn()
                    .prepare_cached(
                        "UPDATE control_plans SET unfrozen_on = ?2, unfrozen_by = ?3, unfrozen_at = ?4 WHERE gid = ?1",
                    )?
                    .execute(params![
                        p.id,
                        p.unfrozen_on.map(|d| d.to_string()),
                        p.unfrozen_by,
                        unfrozen_at(src, &p.id)?
                    ])?;
                r.updated.add("control_plans", 1);
            }
            Some((owner, here))
                if owner == id && ControlPlan { unfrozen_on: None, unfrozen_by: None, ..here.clone() } == *p =>
            {
                r.already.add("control_plans", 1); // unfrozen here, still in force there
            }
            Some((_, here)) => r.refused.push(refuse(vec![("plan".into(), Some(shown(&here)), Some(shown(p)))])),
            None => {
                if p.unfrozen_on.is_none()
                    && let Some(open) = self.read().open_plan(id, &p.scope)?
                {
                    let what = format!("another plan ({}) is in force here for this scope; unfreeze one", open.id);
                    r.refused.push(refuse(vec![("in force".into(), Some(what), Some(shown(p)))]));
                    return Ok(());
                }
                let (frozen_at, unfrozen_at): (String, Option<String>) = src
                    .conn
                    .prepare_cached("SELECT frozen_at, unfrozen_at FROM control_plans WHERE gid = ?1")?
                    .query_row([&p.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
                self.insert_plan_at(id, p, (&frozen_at, unfrozen_at.as_deref()))?;
                r.added.add("control_plans", 1);
            }
        }
        Ok(())
    }
}

/// When the source unfroze a plan (a merge keeps the time).
fn unfrozen_at(src: Reader<'_>, gid: &str) -> Result<Option<String>> {
    Ok(src
        .conn
        .prepare_cached("SELECT unfrozen_at FROM control_plans WHERE gid = ?1")?
        .query_row([gid], |row| row.get(0))?)
}
