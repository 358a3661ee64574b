//! One supplier object of a dossier, streamed key by key: its own fields are
//! kept as small JSON values, its claims and audits read one element at a
//! time into model types, its lots one at a time into a bounded sort; when
//! the object ends it is checked as a whole and, if clean, written.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::State;
use super::control::{read_annotation, read_plan};
use super::read::{SUPPLIER_FIELDS, read_audit, read_claim, read_lot, read_supplier, unique_ids};
use super::strict::{Each, Strict};
use crate::exchange::json_fields::unknown_field;
use crate::exchange::sorted_lots::{SortedLots, Staged};
use crate::model::validate::printable;
use crate::model::{Annotation, Audit, Claim, ControlPlan};
use crate::store::SupplierId;

/// One supplier read and checked, but its lots (which wait in their sort).
pub(super) struct Incoming {
    pub supplier: crate::model::Supplier,
    pub claims: Vec<Claim>,
    pub audits: Vec<Audit>,
    pub annotations: Vec<Annotation>,
    pub control_plans: Vec<ControlPlan>,
}

/// What one supplier object held, as read so far.
#[derive(Default)]
pub(super) struct Parts {
    /// The supplier's own fields (code, name, …), not yet checked.
    fields: Map<String, Value>,
    pub claims: Vec<Claim>,
    pub audits: Vec<Audit>,
    /// Checked lots, sorted by code (the supplier id is filled in on writing).
    pub lots: SortedLots,
    /// `casebook-dossier/2` only.
    pub annotations: Vec<Annotation>,
    pub control_plans: Vec<ControlPlan>,
    /// Whether every claim, audit and lot read was valid.
    ok: bool,
}

pub(super) struct SupplierSeed<'s, 'w, 'c> {
    pub state: &'s mut State<'w, 'c>,
    pub index: usize,
}

impl<'de> DeserializeSeed<'de> for SupplierSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl SupplierSeed<'_, '_, '_> {
    fn not_an_object(self, found: &str) {
        let path = format!("suppliers[{}]", self.index);
        self.state.problem(path.clone(), &path, format!("expected an object, found {found}"));
        self.state.out.rejected += 1;
    }

    /// Reads the array under `key` element by element with `read`.
    fn array<'de, A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        at: &str,
        mut read: impl FnMut(&mut State<'_, '_>, usize, &Value, &str) -> bool,
        ok: &mut bool,
    ) -> Result<(), A::Error> {
        let state = &mut *self.state;
        // The path tracker goes to the array's reader, the rest of the state
        // to `read`, and back.
        let mut keys = std::mem::take(&mut state.keys);
        let each = |i: usize, value: Value| {
            if !read(state, i, &value, &format!("{at}[{i}]")) {
                *ok = false;
            }
        };
        let found = map.next_value_seed(Each { keys: &mut keys, path: at, null_is_empty: true, read: each });
        state.keys = keys;
        let found = found?;
        if let Some(found) = found {
            let field = at.rsplit('.').next().unwrap_or(at).to_owned();
            state.problem(at.to_owned(), &field, format!("expected an array, found {found}"));
            *ok = false;
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for SupplierSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a supplier object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let path = format!("suppliers[{}]", self.index);
        let before = self.state.out.problems.total();
        let mut parts = Parts { ok: true, ..Parts::default() };
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = format!("{path}.{}", printable(&key));
            if !seen.insert(key.clone()) {
                map.next_value::<IgnoredAny>()?;
                self.state.repeated_key(at);
                continue;
            }
            let mut ok = true;
            match key.as_str() {
                "claims" => {
                    let claims = &mut parts.claims;
                    let read = |st: &mut State<'_, '_>, _: usize, v: &Value, at: &str| {
                        push(claims, read_claim(v, at, st.rules.today, &mut st.out.problems))
                    };
                    self.array(&mut map, &at, read, &mut ok)?;
                }
                "audits" => {
                    let audits = &mut parts.audits;
                    let read = |st: &mut State<'_, '_>, _: usize, v: &Value, at: &str| {
                        push(audits, read_audit(v, at, &st.rules, &mut st.out.problems))
                    };
                    self.array(&mut map, &at, read, &mut ok)?;
                }
                "lots" => {
                    let lots = &mut parts.lots;
                    let read = |st: &mut State<'_, '_>, i: usize, v: &Value, at: &str| st.stage_lot(lots, i, v, at);
                    self.array(&mut map, &at, read, &mut ok)?;
                }
                "annotations" => {
                    let notes = &mut parts.annotations;
                    let read = |st: &mut State<'_, '_>, _: usize, v: &Value, at: &str| {
                        push(notes, read_annotation(v, at, &mut st.out.problems))
                    };
                    self.array(&mut map, &at, read, &mut ok)?;
                }
                "control_plans" => {
                    let plans = &mut parts.control_plans;
                    let read = |st: &mut State<'_, '_>, _: usize, v: &Value, at: &str| {
                        push(plans, read_plan(v, at, &mut st.out.problems))
                    };
                    self.array(&mut map, &at, read, &mut ok)?;
                }
                known if SUPPLIER_FIELDS.contains(&known) => {
                    let value = map.next_value_seed(Strict::at(&mut self.state.keys, at))?;
                    parts.fields.insert(key, value);
                }
                other => {
                    map.next_value::<IgnoredAny>()?;
                    self.state.out.problems.push(unknown_field(&path, other, SUPPLIER_FIELDS));
                }
            }
            parts.ok &= ok;
            self.state.take_repeated_keys();
        }
        self.state.finish_supplier(self.index, &path, parts, before);
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object("an array");
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.not_an_object(&format!("a boolean ({v})"));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.not_an_object(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.not_an_object(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.not_an_object(&format!("a number ({v})"));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        let shown: String = v.chars().take(40).collect();
        self.not_an_object(&format!("a string ({shown:?})"));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_an_object("null");
        Ok(())
    }
}

fn push<T>(items: &mut Vec<T>, item: Option<T>) -> bool {
    item.map(|item| items.push(item)).is_some()
}

impl State<'_, '_> {
    /// Reads one lot into the supplier's sort; false when it has a problem.
    fn stage_lot(&mut self, lots: &mut SortedLots, index: usize, value: &Value, at: &str) -> bool {
        let Some(row) = read_lot(value, at, self.rules.today, &mut self.out.problems) else { return false };
        // The id is not known yet (the supplier is written after its lots are read).
        let staged = Staged { supplier: SupplierId(0), line: index as u64, row };
        if let Err(e) = lots.push(staged) {
            self.fatal.get_or_insert(e);
        }
        true
    }

    /// Checks the supplier as a whole once its object ended, and writes it
    /// when nothing of it had a problem.
    fn finish_supplier(&mut self, index: usize, path: &str, parts: Parts, before: usize) {
        if self.fatal.is_some() {
            return;
        }
        let Parts { fields, claims, audits, lots, annotations, control_plans, ok } = parts;
        if self.format_2_at.is_none() {
            if !annotations.is_empty() {
                self.format_2_at = Some(format!("{path}.annotations"));
            } else if !control_plans.is_empty() {
                self.format_2_at = Some(format!("{path}.control_plans"));
            }
        }
        let supplier = read_supplier(&Value::Object(fields), path, &mut self.out.problems);
        let p = &mut self.out.problems;
        // A `/3` document's audits may share a reference (after a merge took
        // in an audit beside another): its records tell them apart by gid.
        let audits =
            if self.team { Some(audits) } else { unique_ids(path, ("audits", "audits"), audits, |a| &a.id, p) };
        let annotations = unique_ids(path, ("annotations", "annotations"), annotations, |a| &a.id, p);
        let control_plans = unique_ids(path, ("control_plans", "control plans"), control_plans, |c| &c.id, p);
        if let Some(s) = &supplier
            && let Some(first) = self.codes_in_file.insert(s.code.clone(), index)
        {
            let message = format!("supplier `{}` appears twice in this file (first at suppliers[{first}])", s.code);
            self.problem(format!("{path}.code"), "code", message);
        }
        let clean = ok && self.out.problems.total() == before;
        let written = match (supplier, audits, annotations, control_plans) {
            (Some(supplier), Some(audits), Some(annotations), Some(control_plans)) if clean => {
                let record = Incoming { supplier, claims, audits, annotations, control_plans };
                self.store_supplier(path, &record, lots)
            }
            // Still list lots repeated within the supplier.
            _ => self.store_lots(None, path, lots),
        };
        if let Err(e) = written {
            self.fatal = Some(e);
        }
        if self.out.problems.total() > before {
            self.out.rejected += 1;
        }
    }
}
