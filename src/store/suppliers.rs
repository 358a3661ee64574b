//! Suppliers and their claims.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::versions::Versioned;
use super::{Change, Reader, Writer, date_at, opt_date_at};
use crate::error::{Error, Result};
use crate::model::{Claim, HistoryAction, HistoryEntity, Models, Supplier, dates, records, validate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SupplierId(pub i64);

/// A supplier with how much is recorded about it (`casebook suppliers`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierCounts {
    #[serde(flatten)]
    pub supplier: Supplier,
    pub claims: u32,
    pub audits: u32,
    pub evidence: u32,
    pub lots: u32,
    /// Voided claims, lots, evidence items and findings: on file, counted
    /// in none of the other numbers.
    pub voided: u32,
}

const SUPPLIER_COLUMNS: &str =
    "s.code, s.name, s.country, s.city, s.business_type, s.model_oem, s.model_odm, s.moq, s.dev_lead_days, s.notes";

fn supplier_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Supplier> {
    Ok(Supplier {
        code: row.get(at)?,
        name: row.get(at + 1)?,
        country: row.get(at + 2)?,
        city: row.get(at + 3)?,
        business_type: row.get(at + 4)?,
        models: Models { oem: row.get(at + 5)?, odm: row.get(at + 6)? },
        moq: row.get(at + 7)?,
        dev_lead_days: row.get(at + 8)?,
        notes: row.get(at + 9)?,
    })
}

/// A supplier row's parameters: the key (code or id) as ?1, then its fields
/// as ?2 … ?10, in the order both the insert and the update name them.
fn supplier_params<'a>(key: &'a dyn rusqlite::ToSql, s: &'a Supplier) -> [&'a dyn rusqlite::ToSql; 10] {
    [
        key,
        &s.name,
        &s.country,
        &s.city,
        &s.business_type,
        &s.models.oem,
        &s.models.odm,
        &s.moq,
        &s.dev_lead_days,
        &s.notes,
    ]
}

/// The supplier's fields as text, for history diffs and field versions
/// (see [`parse_field`] for the way back).
pub(crate) fn supplier_fields(s: &Supplier) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("name", Some(s.name.clone())),
        ("country", Some(s.country.clone())),
        ("city", s.city.clone()),
        ("business_type", Some(s.business_type.to_string())),
        ("models", Some(s.models.label())),
        ("moq", s.moq.map(|v| v.to_string())),
        ("dev_lead_days", s.dev_lead_days.map(|v| v.to_string())),
        ("notes", s.notes.clone()),
    ]
}

fn claim_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Claim> {
    Ok(Claim {
        capability: row.get(at)?,
        source: row.get(at + 1)?,
        stated_on: date_at(row, at + 2)?,
        statement: row.get(at + 3)?,
        retired_on: opt_date_at(row, at + 4)?,
    })
}

impl Reader<'_> {
    pub fn supplier_id(&self, code: &str) -> Result<Option<SupplierId>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM suppliers WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?
            .map(SupplierId))
    }

    /// Like [`Reader::supplier_id`], but forgiving of case where that is
    /// unambiguous (`dg-swing` is `DG-SWING`), and a missing code is an
    /// error that says so and suggests the nearest code there is.
    pub fn require_supplier(&self, code: &str) -> Result<SupplierId> {
        if let Some(id) = self.supplier_id(code)? {
            return Ok(id);
        }
        let mut stmt = self.conn.prepare_cached("SELECT id FROM suppliers WHERE code = ?1 COLLATE NOCASE")?;
        let folded: Vec<i64> = stmt.query_map([code], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if let [id] = folded.as_slice() {
            return Ok(SupplierId(*id));
        }
        let codes: Vec<String> = self.supplier_ids()?.into_keys().collect();
        let suggestion = if folded.len() > 1 {
            format!("; several codes differ only in case from it: use the exact one ({})", matching_case(&codes, code))
        } else {
            nearest_code(&codes, code).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default()
        };
        Err(Error::NotFound(format!("no supplier with code `{code}`{suggestion}")))
    }

    /// Every supplier code with its id: the importer's lookup table.
    pub fn supplier_ids(&self) -> Result<HashMap<String, SupplierId>> {
        let mut stmt = self.conn.prepare("SELECT code, id FROM suppliers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, SupplierId(r.get(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn supplier(&self, id: SupplierId) -> Result<Supplier> {
        let sql = format!("SELECT {SUPPLIER_COLUMNS} FROM suppliers s WHERE s.id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id.0], |r| supplier_from_row(r, 0))?)
    }

    /// Every supplier, ordered by code, with its id.
    pub fn suppliers(&self) -> Result<Vec<(SupplierId, Supplier)>> {
        let sql = format!("SELECT s.id, {SUPPLIER_COLUMNS} FROM suppliers s ORDER BY s.code");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| Ok((SupplierId(r.get(0)?), supplier_from_row(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn supplier_counts(&self) -> Result<Vec<SupplierCounts>> {
        let sql = format!(
            "SELECT {SUPPLIER_COLUMNS},
                (SELECT count(*) FROM claims c WHERE c.supplier_id = s.id AND c.voided_at IS NULL),
                (SELECT count(*) FROM audits a WHERE a.supplier_id = s.id),
                (SELECT count(*) FROM evidence e JOIN audits a ON a.id = e.audit_id
                  WHERE a.supplier_id = s.id AND e.voided_at IS NULL),
                (SELECT count(*) FROM lots l WHERE l.supplier_id = s.id AND l.voided_at IS NULL),
                (SELECT count(*) FROM claims c WHERE c.supplier_id = s.id AND c.voided_at IS NOT NULL)
                + (SELECT count(*) FROM lots l WHERE l.supplier_id = s.id AND l.voided_at IS NOT NULL)
                + (SELECT count(*) FROM evidence e JOIN audits a ON a.id = e.audit_id
                    WHERE a.supplier_id = s.id AND e.voided_at IS NOT NULL)
                + (SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id
                    WHERE a.supplier_id = s.id AND f.voided_at IS NOT NULL)
             FROM suppliers s ORDER BY s.code"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(SupplierCounts {
                supplier: supplier_from_row(r, 0)?,
                claims: r.get(10)?,
                audits: r.get(11)?,
                evidence: r.get(12)?,
                lots: r.get(13)?,
                voided: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Claims in force (voided ones are left out; see
    /// [`Reader::claim_rows`]) with their row ids, oldest statement first.
    pub fn claims(&self, supplier: SupplierId) -> Result<Vec<(i64, Claim)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, capability, source, stated_on, statement, retired_on FROM claims
             WHERE supplier_id = ?1 AND voided_at IS NULL ORDER BY stated_on, capability, source, id",
        )?;
        let rows = stmt.query_map([supplier.0], |r| Ok((r.get(0)?, claim_from_row(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every claim in force of one supplier or all, grouped by supplier id.
    pub fn all_claims(&self, only: Option<SupplierId>) -> Result<HashMap<SupplierId, Vec<Claim>>> {
        self.by_supplier(
            "SELECT supplier_id, capability, source, stated_on, statement, retired_on
             FROM (SELECT * FROM claims WHERE voided_at IS NULL)",
            "supplier_id",
            only,
            |row| claim_from_row(row, 1),
        )
    }
}

impl Writer<'_> {
    pub fn insert_supplier(&self, s: &Supplier) -> Result<SupplierId> {
        records::supplier(s)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO suppliers (code, name, country, city, business_type, model_oem, model_odm, moq,
                                        dev_lead_days, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(supplier_params(&s.code, s).as_slice())?;
        let id = SupplierId(self.conn().last_insert_rowid());
        for (field, value) in supplier_fields(s) {
            self.record_version(Versioned::Supplier, &s.code, field, value.as_deref())?;
        }
        self.record(&Change {
            new: Some(&s.name),
            ..Change::of(Some(id), HistoryEntity::Supplier, &s.code, HistoryAction::Create)
        })?;
        Ok(id)
    }

    /// Updates every field but the code; returns how many fields changed.
    pub fn update_supplier(&self, id: SupplierId, s: &Supplier) -> Result<usize> {
        records::supplier(s)?;
        let old = self.read().supplier(id)?;
        let base = Change::of(Some(id), HistoryEntity::Supplier, &old.code, HistoryAction::Update);
        let (before, after) = (supplier_fields(&old), supplier_fields(s));
        let changed = self.record_diff(&base, &before, &after)?;
        for ((field, was), (_, now)) in before.iter().zip(&after) {
            if was != now {
                self.record_version(Versioned::Supplier, &old.code, field, now.as_deref())?;
            }
        }
        if changed > 0 {
            self.conn()
                .prepare_cached(
                    "UPDATE suppliers SET name = ?2, country = ?3, city = ?4, business_type = ?5, model_oem = ?6,
                        model_odm = ?7, moq = ?8, dev_lead_days = ?9, notes = ?10 WHERE id = ?1",
                )?
                .execute(supplier_params(&id.0, s).as_slice())?;
        }
        Ok(changed)
    }

    /// Adds a claim unless an identical one is recorded; returns whether added.
    pub fn insert_claim(&self, supplier: SupplierId, c: &Claim) -> Result<bool> {
        records::claim(c, validate::today())?;
        let exists: bool = self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM claims WHERE supplier_id = ?1 AND capability = ?2 AND source = ?3
                                AND stated_on = ?4 AND statement = ?5)",
            )?
            .query_row(params![supplier.0, c.capability, c.source, c.stated_on.to_string(), c.statement], |r| {
                r.get(0)
            })?;
        if exists {
            return Ok(false);
        }
        let code = self.read().supplier(supplier)?.code;
        self.conn()
            .prepare_cached(
                "INSERT INTO claims (supplier_id, capability, source, stated_on, statement, retired_on, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                supplier.0,
                c.capability,
                c.source,
                c.stated_on.to_string(),
                c.statement,
                c.retired_on.map(|d| d.to_string()),
                claim_gid(&code, c)
            ])?;
        let key = format!("{} ({}, {})", c.capability, c.source, c.stated_on);
        self.record(&Change {
            new: Some(&c.statement),
            ..Change::of(Some(supplier), HistoryEntity::Claim, &key, HistoryAction::Create)
        })?;
        Ok(true)
    }

    /// Retires a claim as of `on` (it stays on record, no longer in force),
    /// or moves the retirement of one retired already to `on`: a retirement
    /// is a mutable field, merged by the later edit, so each change is a
    /// field version and a history row (old → new, who, when). Returns the
    /// day it was retired on before; the same day again changes nothing.
    /// A voided claim is refused.
    pub fn retire_claim(&self, supplier: SupplierId, claim_id: i64, on: NaiveDate) -> Result<Option<NaiveDate>> {
        let (claim, gid): (Claim, String) = self
            .conn()
            .prepare_cached(
                "SELECT capability, source, stated_on, statement, retired_on, gid FROM claims
                 WHERE id = ?1 AND supplier_id = ?2 AND voided_at IS NULL",
            )?
            .query_row(params![claim_id, supplier.0], |r| Ok((claim_from_row(r, 0)?, r.get(5)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no claim {claim_id} in force for this supplier")))?;
        if claim.retired_on == Some(on) {
            return Ok(claim.retired_on);
        }
        dates::retired(on, claim.stated_on, validate::today())?;
        self.conn()
            .prepare_cached("UPDATE claims SET retired_on = ?2 WHERE id = ?1")?
            .execute(params![claim_id, on.to_string()])?;
        let key = format!("{} ({}, {})", claim.capability, claim.source, claim.stated_on);
        let day = on.to_string();
        let old = claim.retired_on.map(|d| d.to_string());
        self.record_version(Versioned::Claim, &gid, "retired_on", Some(&day))?;
        self.record(&Change {
            field: Some("retired_on"),
            old: old.as_deref(),
            new: Some(&day),
            ..Change::of(Some(supplier), HistoryEntity::Claim, &key, HistoryAction::Retire)
        })?;
        Ok(claim.retired_on)
    }
}

/// The codes equal to `code` but for case, listed.
fn matching_case(codes: &[String], code: &str) -> String {
    let mut same: Vec<&str> = codes.iter().filter(|c| c.eq_ignore_ascii_case(code)).map(String::as_str).collect();
    same.sort_unstable();
    same.join(", ")
}

/// The code nearest to `typed` (by edit distance, ignoring case), if one
/// is near enough to be what was meant.
pub fn nearest_code<'c>(codes: &'c [String], typed: &str) -> Option<&'c str> {
    let typed = typed.to_uppercase();
    let near = (typed.chars().count() / 3).max(2);
    codes
        .iter()
        .map(|c| (strsim::levenshtein(&c.to_uppercase(), &typed), c))
        .filter(|(d, _)| *d <= near)
        .min()
        .map(|(_, c)| c.as_str())
}

/// Sets one profile field of `s` from its text as [`supplier_fields`]
/// writes it (a field version arriving from another database).
pub(crate) fn parse_field(s: &mut Supplier, field: &str, value: Option<&str>) -> Result<()> {
    let bad = || Error::Invalid(format!("supplier {}: field `{field}` has an unreadable value {value:?}", s.code));
    let number = |v: Option<&str>| v.map(str::parse::<u32>).transpose().map_err(|_| bad());
    match field {
        "name" => s.name = value.ok_or_else(bad)?.to_owned(),
        "country" => s.country = value.ok_or_else(bad)?.to_owned(),
        "city" => s.city = value.map(str::to_owned),
        "business_type" => s.business_type = value.and_then(crate::model::BusinessType::parse).ok_or_else(bad)?,
        "models" => {
            let label = value.ok_or_else(bad)?;
            s.models = Models { oem: label.split('+').any(|m| m == "oem"), odm: label.split('+').any(|m| m == "odm") };
        }
        "moq" => s.moq = number(value)?,
        "dev_lead_days" => s.dev_lead_days = number(value)?,
        "notes" => s.notes = value.map(str::to_owned),
        _ => return Err(bad()),
    }
    Ok(())
}

/// A claim's id follows from its content (the one the identity migration
/// gives existing claims): the same claim recorded in two databases — from
/// one dossier, or typed on two laptops — is one claim when they merge.
fn claim_gid(code: &str, c: &Claim) -> crate::model::Gid {
    let stated = c.stated_on.to_string();
    let parts = [code, c.capability.as_str(), c.source.as_str(), &stated, &c.statement].map(Some);
    super::migrate_identity::derived_gid("claim", &parts, 0)
}
