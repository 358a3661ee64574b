//! Merging another casebook database into this one, one kind of record at a
//! time, inside the caller's transaction (`workflow::merge` runs the steps).
//! The source is read through its own read-only connection ([`Source`]);
//! every write goes through this database's [`Writer`].
//!
//! Facts (lots here) are unioned by identity, and the same identity with
//! other content is refused and reported. Mutable fields are merged as the
//! union of their versions (see `versions`), and the row takes the winning
//! value.
//!
//! [`Source`]: super::Source

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params};

use super::installation::Installation;
use super::suppliers::{parse_field, supplier_fields};
use super::versions::{Version, Versioned};
use super::{LotFilter, LotInsert, Reader, SupplierId, Writer};
use crate::error::{Error, Result};
use crate::model::merge::{Cause, FieldConflict, Kept, Refused, SourceReport};
use crate::model::{HistoryAction, HistoryEntity, Hlc, Lot, LotRow, Supplier, Voided};

impl Reader<'_> {
    /// Every record a merge refused, as recorded: (when, who merged, source,
    /// what and why).
    pub fn merge_refusals(&self) -> Result<Vec<(String, String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, actor, entity_key, new_value FROM history
             WHERE entity = 'merge' AND action = 'conflict' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<String>>(3)?.unwrap_or_default()))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A field whose winning version changed: the row must take this value.
pub(super) struct Winner {
    field: String,
    value: Option<String>,
}

impl Writer<'_> {
    /// Suppliers by code: new ones are added with their profile, and the
    /// profile fields of all are merged version by version.
    pub fn merge_suppliers(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        for (_, theirs) in src.suppliers()? {
            let id = if let Some(id) = self.read().supplier_id(&theirs.code)? {
                r.already.add("suppliers", 1);
                id
            } else {
                r.added.add("suppliers", 1);
                self.insert_supplier_row(&theirs)?
            };
            let winners = self.merge_versions(src, Versioned::Supplier, &theirs.code, r)?;
            self.apply_supplier_winners(id, &winners, r)?;
        }
        Ok(())
    }

    fn insert_supplier_row(&self, s: &Supplier) -> Result<SupplierId> {
        self.conn()
            .prepare_cached(
                "INSERT INTO suppliers (code, name, country, city, business_type, model_oem, model_odm, moq,
                                        dev_lead_days, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                s.code,
                s.name,
                s.country,
                s.city,
                s.business_type,
                s.models.oem,
                s.models.odm,
                s.moq,
                s.dev_lead_days,
                s.notes
            ])?;
        Ok(SupplierId(self.conn().last_insert_rowid()))
    }

    fn apply_supplier_winners(&self, id: SupplierId, winners: &[Winner], r: &mut SourceReport) -> Result<()> {
        let old = self.read().supplier(id)?;
        let mut new = old.clone();
        for w in winners {
            parse_field(&mut new, &w.field, w.value.as_deref())?;
        }
        if new == old {
            return Ok(());
        }
        let changed = supplier_fields(&old).iter().zip(&supplier_fields(&new)).filter(|(a, b)| a != b).count();
        r.updated.add("suppliers", changed as u64);
        self.conn()
            .prepare_cached(
                "UPDATE suppliers SET name = ?2, country = ?3, city = ?4, business_type = ?5, model_oem = ?6,
                    model_odm = ?7, moq = ?8, dev_lead_days = ?9, notes = ?10 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                new.name,
                new.country,
                new.city,
                new.business_type,
                new.models.oem,
                new.models.odm,
                new.moq,
                new.dev_lead_days,
                new.notes
            ])?;
        Ok(())
    }

    /// Takes in the source's versions of one record's fields and returns the
    /// fields whose winning version is now one of the source's. Each field
    /// both sides edited without seeing the other's edit is a conflict,
    /// reported with both values and which was kept.
    pub(super) fn merge_versions(
        &self,
        src: Reader<'_>,
        entity: Versioned,
        key: &str,
        r: &mut SourceReport,
    ) -> Result<Vec<Winner>> {
        let ours = self.read().versions(entity, key)?;
        let theirs = src.versions(entity, key)?;
        let have: HashSet<(&str, Hlc)> = ours.iter().map(|v| (v.field.as_str(), v.clock)).collect();
        let seen: HashSet<(&str, Hlc)> = theirs.iter().map(|v| (v.field.as_str(), v.clock)).collect();
        for v in theirs.iter().filter(|v| !have.contains(&(v.field.as_str(), v.clock))) {
            self.insert_version(entity, key, v)?;
            r.added.add("field_versions", 1);
        }
        let mut winners = Vec::new();
        for (field, their_best) in best_per_field(&theirs) {
            let our_best = best_per_field(&ours).remove(field);
            let theirs_wins = our_best.is_none_or(|o| their_best.beats(o));
            if theirs_wins {
                winners.push(Winner { field: field.to_owned(), value: their_best.value.clone() });
            }
            // Concurrent edits: neither side had seen the other's latest.
            if let Some(ours) = our_best
                && ours.value != their_best.value
                && !seen.contains(&(field, ours.clock))
                && !have.contains(&(field, their_best.clock))
            {
                r.conflicts.push(FieldConflict {
                    entity: entity.as_str(),
                    key: key.to_owned(),
                    field: field.to_owned(),
                    ours: ours.as_field_value(),
                    theirs: their_best.as_field_value(),
                    kept: if theirs_wins { Kept::Theirs } else { Kept::Ours },
                });
            }
        }
        Ok(winners)
    }

    /// Policy values, merged key by key by their versions.
    pub fn merge_policy(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        for key in src.versioned_keys(Versioned::Policy)? {
            for w in self.merge_versions(src, Versioned::Policy, &key, r)? {
                let Some(value) = w.value else { continue };
                let current: Option<String> = self
                    .conn()
                    .prepare_cached("SELECT value FROM policy WHERE key = ?1")?
                    .query_row([&key], |row| row.get(0))
                    .optional()?;
                if current.as_deref() == Some(value.as_str()) {
                    continue;
                }
                let mut policy = self.read().policy()?;
                if let Err(e) = policy.set(&key, &value) {
                    r.refused.push(Refused {
                        entity: "policy",
                        id: key.clone(),
                        key: key.clone(),
                        cause: Cause::DifferentContent,
                        differs: vec![(format!("invalid value: {e}"), current, Some(value))],
                    });
                    continue;
                }
                self.conn()
                    .prepare_cached(
                        "INSERT INTO policy (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                    )?
                    .execute(params![key, value])?;
                r.updated.add("policy", 1);
            }
        }
        Ok(())
    }

    /// Shortlist marks, by supplier code, by their versions.
    pub fn merge_shortlist(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        for code in src.versioned_keys(Versioned::Shortlist)? {
            let Some(id) = self.read().supplier_id(&code)? else { continue };
            for w in self.merge_versions(src, Versioned::Shortlist, &code, r)? {
                let marked = w.value.as_deref() == Some("1");
                // Marked since the latest mark, whichever database it came from
                // (so any merge order gives the same stamp).
                let latest = self.read().latest_version(Versioned::Shortlist, &code, "marked")?;
                let since = latest.and_then(|v| v.clock.stamp()).unwrap_or_default();
                let changed = if marked {
                    self.conn()
                        .prepare_cached(
                            "INSERT INTO shortlist (supplier_id, added_at) VALUES (?1, ?2)
                             ON CONFLICT (supplier_id) DO UPDATE SET added_at = excluded.added_at
                             WHERE added_at IS NOT excluded.added_at",
                        )?
                        .execute(params![id.0, since])?
                } else {
                    self.conn().prepare_cached("DELETE FROM shortlist WHERE supplier_id = ?1")?.execute([id.0])?
                };
                r.updated.add("shortlist", changed as u64);
            }
        }
        Ok(())
    }

    /// Lots by (supplier code, lot code): facts, so a lot here with other
    /// content is refused and reported, never overwritten. A void travels
    /// with its lot (once voided, voided).
    pub fn merge_lots(&self, src: Reader<'_>, r: &mut SourceReport) -> Result<()> {
        let mut lots = LotMerge::new(self)?;
        for (their_id, supplier) in src.suppliers()? {
            for (lot, void) in all_lots(src, their_id)? {
                lots.merge(&supplier.code, &lot, void.as_ref(), r)?;
            }
        }
        lots.finish(r);
        Ok(())
    }

    /// Lots as `feed` gives them (a pull streams them from the hub as they
    /// come, rather than through its inbox), merged as [`Self::merge_lots`]
    /// merges a source's.
    pub fn merge_lot_feed(&self, feed: &mut dyn LotFeed, r: &mut SourceReport) -> Result<()> {
        let mut lots = LotMerge::new(self)?;
        feed.feed(&mut |fed| lots.merge_checked(fed, r))?;
        lots.finish(r);
        Ok(())
    }

    /// Marks a lot voided as the source voided it (when, by whom, why).
    fn void_lot_as(&self, supplier: SupplierId, lot: &str, v: &Voided) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE lots SET voided_at = ?3, voided_by = ?4, void_reason = ?5 WHERE supplier_id = ?1 AND lot = ?2",
            )?
            .execute(params![supplier.0, lot, v.at, v.by, v.reason])?;
        Ok(())
    }

    /// Records a refused record in the history (entity `merge`, action
    /// `conflict`, key the source), once: `casebook check` lists these to
    /// explain them, and the history chain keeps them from being edited.
    pub fn record_refusal(&self, source: &str, refused: &Refused) -> Result<()> {
        let field = format!("{} {}", refused.entity, refused.id);
        let what = refused.to_string();
        let known: bool = self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM history WHERE entity = 'merge' AND action = 'conflict'
                                AND field = ?1 AND new_value = ?2)",
            )?
            .query_row(params![field, what], |r| r.get(0))?;
        if known {
            return Ok(());
        }
        self.record(&super::Change {
            field: Some(&field),
            new: Some(&what),
            ..super::Change::of(None, HistoryEntity::Merge, source, HistoryAction::Conflict)
        })
    }

    /// Whether this source installation was merged at exactly this clock
    /// reading (nothing has changed there since).
    pub fn merged_already(&self, source: &Installation) -> Result<bool> {
        let Some(clock) = source.clock else { return Ok(false) };
        Ok(self
            .conn()
            .prepare_cached("SELECT clock FROM merged_sources WHERE tag = ?1 AND made_at = ?2")?
            .query_row(params![source.tag.as_str(), source.made_at], |r| r.get::<_, String>(0))
            .optional()?
            .is_some_and(|merged| merged == clock.to_string()))
    }

    /// Notes that everything `source` held at its clock reading is merged,
    /// and moves this installation's clock past the source's.
    pub fn record_merged(&self, source: &Installation, file: &str) -> Result<()> {
        let Some(clock) = source.clock else { return Ok(()) };
        self.observe_clock(clock)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO merged_sources (tag, made_at, clock, merged_at, file) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (tag, made_at) DO UPDATE SET clock = excluded.clock, merged_at = excluded.merged_at,
                    file = excluded.file",
            )?
            .execute(params![source.tag.as_str(), source.made_at, clock, self.at, file])?;
        Ok(())
    }
}

/// Where a merge's lots come from when not from its source's file.
pub trait LotFeed {
    /// Calls `each` with every lot.
    fn feed(&mut self, each: &mut dyn FnMut(FedLot<'_>) -> Result<()>) -> Result<()>;
}

/// A lot as a [`LotFeed`] gives it.
#[derive(Clone, Copy)]
pub struct FedLot<'a> {
    /// Its supplier's code.
    pub supplier: &'a str,
    /// The lot checked as of today (`LotRow::from_lot`): done by the feed,
    /// which may do it on another thread.
    pub checked: &'a std::result::Result<LotRow, crate::model::validate::FieldError>,
    /// The lot as it came, where the feed has it (it must when the check
    /// failed); otherwise it is read back from `checked` when needed.
    pub lot: Option<&'a Lot>,
    /// How it was voided, if it was.
    pub void: Option<&'a Voided>,
}

/// One merge's lots, one at a time: facts by (supplier, lot), the same key
/// with other content refused, a void taken where the lot is in force here.
struct LotMerge<'w, 'c> {
    w: &'w Writer<'c>,
    lots: super::LotWriter<'w>,
    targets: HashMap<String, SupplierId>,
    /// Whether each supplier met so far had no lots before this merge (a
    /// first pull): its lots go in without a look-up, the source's key
    /// being ours.
    none_here: HashMap<SupplierId, bool>,
    /// The last supplier met, its id and `none_here` (a feed's lots come
    /// supplier by supplier).
    last: Option<(String, SupplierId, bool)>,
    /// Lots added, counted into the report when the merge's lots are done.
    added: u64,
    today: chrono::NaiveDate,
}

impl<'w, 'c> LotMerge<'w, 'c> {
    fn new(w: &'w Writer<'c>) -> Result<Self> {
        Ok(Self {
            w,
            lots: w.lot_writer()?,
            targets: w.read().supplier_ids()?,
            none_here: HashMap::new(),
            last: None,
            added: 0,
            today: crate::model::validate::today(),
        })
    }

    /// Counts what was added into `r`.
    fn finish(self, r: &mut SourceReport) {
        r.added.add("lots", self.added);
    }

    /// The id here of supplier `code`, and whether it had no lots before
    /// this merge.
    fn target(&mut self, code: &str) -> Result<(SupplierId, bool)> {
        if let Some((last, id, none)) = &self.last
            && last == code
        {
            return Ok((*id, *none));
        }
        let id = *self
            .targets
            .get(code)
            .ok_or_else(|| Error::Invalid(format!("supplier {code} was not merged before its lots")))?;
        let none_here = if let Some(none) = self.none_here.get(&id) {
            *none
        } else {
            let none = !self.w.read().has_lots(id)?;
            self.none_here.insert(id, none);
            none
        };
        self.last = Some((code.to_owned(), id, none_here));
        Ok((id, none_here))
    }

    fn merge(&mut self, code: &str, lot: &Lot, void: Option<&Voided>, r: &mut SourceReport) -> Result<()> {
        let checked = LotRow::from_lot(lot, self.today);
        self.merge_checked(FedLot { supplier: code, checked: &checked, lot: Some(lot), void }, r)
    }

    fn merge_checked(&mut self, fed: FedLot<'_>, r: &mut SourceReport) -> Result<()> {
        let FedLot { supplier: code, checked, lot, void } = fed;
        let (id, none_here) = self.target(code)?;
        // Most lots are new here: inserted at once (the insert looks the key
        // up); one already here is compared.
        if let Ok(row) = checked
            && (if none_here { self.lots.insert_new(id, row)? } else { self.lots.insert(id, row)? })
                == LotInsert::Inserted
        {
            if let Some(v) = void {
                self.w.void_lot_as(id, row.lot.as_str(), v)?;
            }
            self.added += 1;
            return Ok(());
        }
        let read_back;
        let lot = match (lot, checked) {
            (Some(lot), _) => lot,
            (None, Ok(row)) => {
                read_back = row.to_lot();
                &read_back
            }
            (None, Err(e)) => return Err(Error::Invalid(format!("a lot of {code}: {e}"))),
        };
        match self.w.read().lot_with_void(id, &lot.lot)? {
            Some((same, ours)) if same == *lot => {
                if let (None, Some(v)) = (ours, void) {
                    self.w.void_lot_as(id, &lot.lot, v)?;
                    r.updated.add("lots", 1);
                } else {
                    r.already.add("lots", 1);
                }
            }
            Some((other, _)) => r.refused.push(lot_conflict(code, &other, lot)),
            // Not here, and not a lot that may be recorded: say why.
            None => {
                return Err(match checked {
                    Err(e) => e.clone().into(),
                    Ok(_) => Error::Invalid(format!("lot {} of {code}: not stored", lot.lot)),
                });
            }
        }
        Ok(())
    }
}

/// A supplier's lots, in force and voided (with the voiding).
fn all_lots(read: Reader<'_>, supplier: SupplierId) -> Result<Vec<(Lot, Option<Voided>)>> {
    let mut out: Vec<(Lot, Option<Voided>)> =
        read.lots(supplier, &LotFilter::default())?.into_iter().map(|l| (l, None)).collect();
    out.extend(read.voided_lots(supplier, &LotFilter::default())?.into_iter().map(|v| (v.lot, Some(v.voided))));
    Ok(out)
}

/// Each field's winning version among `versions`.
fn best_per_field(versions: &[Version]) -> HashMap<&str, &Version> {
    let mut best: HashMap<&str, &Version> = HashMap::new();
    for v in versions {
        let slot = best.entry(v.field.as_str()).or_insert(v);
        if v.beats(slot) {
            *slot = v;
        }
    }
    best
}

fn lot_conflict(code: &str, ours: &Lot, theirs: &Lot) -> Refused {
    let (a, b) = (lot_fields(ours), lot_fields(theirs));
    let differs = a
        .into_iter()
        .zip(b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|((field, x), (_, y))| (field.to_owned(), Some(x), Some(y)))
        .collect();
    Refused {
        entity: "lot",
        id: format!("{code}/{}", theirs.lot),
        key: format!("{code} lot {}", theirs.lot),
        cause: Cause::DifferentContent,
        differs,
    }
}

fn lot_fields(l: &Lot) -> Vec<(&'static str, String)> {
    let defects: Vec<String> = l.defects.iter().map(|(c, n)| format!("{c}:{n}")).collect();
    vec![
        ("sku", l.sku.clone()),
        ("process", l.process.to_string()),
        ("material", l.material.clone()),
        ("produced_on", l.produced_on.to_string()),
        ("started", l.started.to_string()),
        ("passed_first", l.passed_first.to_string()),
        ("reworked", l.reworked.to_string()),
        ("scrapped", l.scrapped.to_string()),
        ("defects", defects.join(",")),
    ]
}

impl Reader<'_> {
    /// Whether the supplier has any lot here.
    fn has_lots(&self, supplier: SupplierId) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM lots WHERE supplier_id = ?1)")?
            .query_row([supplier.0], |r| r.get(0))?)
    }

    /// One lot of a supplier, with its void if it is voided.
    fn lot_with_void(&self, supplier: SupplierId, lot: &str) -> Result<Option<(Lot, Option<Voided>)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT lot, sku, process, material, produced_on, started, passed_first, reworked, scrapped, defects,
                        voided_at, voided_by, void_reason
                 FROM lots WHERE supplier_id = ?1 AND lot = ?2",
            )?
            .query_row(params![supplier.0, lot], |r| {
                let void = match (
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, Option<String>>(12)?,
                ) {
                    (Some(at), Some(by), Some(reason)) => Some(Voided { at, by, reason }),
                    _ => None,
                };
                Ok((super::lots::lot_from_row(r)?, void))
            })
            .optional()?)
    }
}
