//! Voiding honest mistakes: a lot, a claim, or a draft audit's evidence item
//! or finding entered wrongly. The row stays, with who voided it, when and
//! why (columns on the row and a history row); reads for verdicts, charts,
//! scores and counts leave it out, listings show it as voided. Voiding is
//! never undone (triggers keep a voided row as it is), and a submitted
//! audit's parts are corrected by an amendment, never voided.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Change, Reader, SupplierId, Writer, date_at, opt_date_at};
use crate::error::{Error, Result};
use crate::model::{AuditStatus, Claim, HistoryAction, HistoryEntity, Lot, Voided};

/// Longest reason accepted, in characters.
pub const REASON_MAX: usize = 1000;

/// A claim with its number (the handle `casebook claim void` takes) and,
/// if voided, who voided it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    pub id: i64,
    #[serde(flatten)]
    pub claim: Claim,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voided: Option<Voided>,
}

/// A voided lot, as listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidedLot {
    #[serde(flatten)]
    pub lot: Lot,
    pub voided: Voided,
}

/// A voided evidence item or finding of an audit: its number, what it said,
/// and the voiding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidedItem {
    pub id: i64,
    pub kind: HistoryEntity,
    pub summary: String,
    pub voided: Voided,
}

/// A voided lot, evidence item or finding of a supplier, as `explain` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidedRecord {
    pub kind: HistoryEntity,
    /// The lot code, or the item's number and audit.
    pub key: String,
    pub summary: String,
    pub voided: Voided,
}

fn voided_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<Voided>> {
    Ok(match row.get::<_, Option<String>>(at)? {
        Some(when) => Some(Voided { at: when, by: row.get(at + 1)?, reason: row.get(at + 2)? }),
        None => None,
    })
}

/// The voiding of a row known to be voided.
fn voiding(row: &Row<'_>, at: usize) -> rusqlite::Result<Voided> {
    Ok(Voided { at: row.get(at)?, by: row.get(at + 1)?, reason: row.get(at + 2)? })
}

fn check_reason(reason: &str) -> Result<&str> {
    crate::exchange::validate::text("reason", reason, REASON_MAX)
        .map_err(|e| Error::Invalid(format!("the reason {}", e.message)))?;
    Ok(reason.trim())
}

fn already(what: &str, v: &Voided) -> Error {
    Error::Invalid(format!("{what} was already voided on {} by {} ({}); voiding is never undone", v.at, v.by, v.reason))
}

impl Writer<'_> {
    /// Voids lot `lot` of `supplier`: it stays on file, marked, and leaves
    /// every yield statistic, chart and verdict.
    pub fn void_lot(&self, supplier: SupplierId, lot: &str, reason: &str) -> Result<()> {
        let reason = check_reason(reason)?;
        let code = self.read().supplier(supplier)?.code;
        let what = format!("lot {lot} of {code}");
        let found = self
            .conn()
            .prepare_cached("SELECT voided_at, voided_by, void_reason FROM lots WHERE supplier_id = ?1 AND lot = ?2")?
            .query_row(params![supplier.0, lot], |r| voided_at(r, 0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("{code} has no lot `{lot}`")))?;
        if let Some(v) = found {
            return Err(already(&what, &v));
        }
        self.conn()
            .prepare_cached(
                "UPDATE lots SET voided_at = ?3, voided_by = ?4, void_reason = ?5 WHERE supplier_id = ?1 AND lot = ?2",
            )?
            .execute(params![supplier.0, lot, self.at, self.actor, reason])?;
        self.record_void(Some(supplier), HistoryEntity::Lot, lot, reason)
    }

    /// Voids claim number `claim` of `supplier`.
    pub fn void_claim(&self, supplier: SupplierId, claim: i64, reason: &str) -> Result<()> {
        let reason = check_reason(reason)?;
        let code = self.read().supplier(supplier)?.code;
        let (row, _) = self
            .read()
            .claim_row(supplier, claim)?
            .ok_or_else(|| Error::NotFound(format!("{code} has no claim {claim} (see `casebook explain {code}`)")))?;
        if let Some(v) = &row.voided {
            return Err(already(&format!("claim {claim} of {code}"), v));
        }
        self.conn()
            .prepare_cached("UPDATE claims SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1")?
            .execute(params![claim, self.at, self.actor, reason])?;
        let key = format!("{claim} {} ({}, {})", row.claim.capability, row.claim.source, row.claim.stated_on);
        self.record_void(Some(supplier), HistoryEntity::Claim, &key, reason)
    }

    /// Voids evidence item `evidence` of a draft audit.
    pub fn void_evidence(&self, evidence: i64, reason: &str) -> Result<()> {
        self.void_item(HistoryEntity::Evidence, evidence, reason)
    }

    /// Voids finding `finding` of a draft audit.
    pub fn void_finding(&self, finding: i64, reason: &str) -> Result<()> {
        self.void_item(HistoryEntity::Finding, finding, reason)
    }

    fn void_item(&self, kind: HistoryEntity, id: i64, reason: &str) -> Result<()> {
        let reason = check_reason(reason)?;
        let (table, noun) = match kind {
            HistoryEntity::Finding => ("findings", "finding"),
            _ => ("evidence", "evidence item"),
        };
        let sql = format!(
            "SELECT a.supplier_id, a.ref, a.status, t.voided_at, t.voided_by, t.void_reason
             FROM {table} t JOIN audits a ON a.id = t.audit_id WHERE t.id = ?1"
        );
        let (supplier, reference, status, voided): (i64, String, AuditStatus, Option<Voided>) = self
            .conn()
            .prepare_cached(&sql)?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, voided_at(r, 3)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no {noun} {id} (see `casebook audit show REF`)")))?;
        if let Some(v) = &voided {
            return Err(already(&format!("{noun} {id}"), v));
        }
        if status == AuditStatus::Submitted {
            return Err(Error::Invalid(format!(
                "{noun} {id} belongs to audit {reference}, which is submitted and sealed: it cannot be voided; \
                 correct it with an amendment (`casebook audit new SUPPLIER --amends {reference}`)"
            )));
        }
        let update = format!("UPDATE {table} SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1");
        self.conn().prepare_cached(&update)?.execute(params![id, self.at, self.actor, reason])?;
        let key = format!("{reference} {noun} {id}");
        self.record_void(Some(SupplierId(supplier)), kind, &key, reason)
    }

    fn record_void(&self, supplier: Option<SupplierId>, entity: HistoryEntity, key: &str, reason: &str) -> Result<()> {
        self.record(&Change { new: Some(reason), ..Change::of(supplier, entity, key, HistoryAction::Void) })
    }
}

impl Reader<'_> {
    /// One claim of `supplier` by number, with its supplier's code.
    pub fn claim_row(&self, supplier: SupplierId, claim: i64) -> Result<Option<(ClaimRow, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT c.id, c.capability, c.source, c.stated_on, c.statement, c.retired_on,
                        c.voided_at, c.voided_by, c.void_reason, s.code
                 FROM claims c JOIN suppliers s ON s.id = c.supplier_id WHERE c.id = ?1 AND c.supplier_id = ?2",
            )?
            .query_row(params![claim, supplier.0], |r| Ok((claim_row(r)?, r.get(9)?)))
            .optional()?)
    }

    /// Every claim of a supplier, voided ones included and marked, oldest
    /// statement first.
    pub fn claim_rows(&self, supplier: SupplierId) -> Result<Vec<ClaimRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, capability, source, stated_on, statement, retired_on, voided_at, voided_by, void_reason
             FROM claims WHERE supplier_id = ?1 ORDER BY stated_on, capability, source, id",
        )?;
        let rows = stmt.query_map([supplier.0], claim_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A supplier's voided lots, narrowed by `filter`, in chart order.
    pub fn voided_lots(&self, supplier: SupplierId, filter: &super::LotFilter) -> Result<Vec<VoidedLot>> {
        self.filtered_lots(supplier, filter, true, |r| {
            Ok(VoidedLot { lot: super::lots::lot_from_row(r)?, voided: voiding(r, 10)? })
        })
    }

    /// A supplier's voided lots, evidence items and findings (voided claims
    /// are in [`Reader::claim_rows`]), lots first.
    pub fn voided_records(&self, supplier: SupplierId) -> Result<Vec<VoidedRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 'lot', lot, produced_on || ': ' || passed_first || ' of ' || started || ' passed first time',
                    voided_at, voided_by, void_reason, 1, produced_on
             FROM lots WHERE supplier_id = ?1 AND voided_at IS NOT NULL
             UNION ALL
             SELECT 'evidence', e.id || ' (' || a.ref || ')',
                    e.pillar || ' ' || e.kind || ' (' || e.strength || '): ' || e.description,
                    e.voided_at, e.voided_by, e.void_reason, 2, e.collected_on
             FROM evidence e JOIN audits a ON a.id = e.audit_id WHERE a.supplier_id = ?1 AND e.voided_at IS NOT NULL
             UNION ALL
             SELECT 'finding', f.id || ' (' || a.ref || ')', f.severity || ': ' || f.description,
                    f.voided_at, f.voided_by, f.void_reason, 3, f.due_on
             FROM findings f JOIN audits a ON a.id = f.audit_id WHERE a.supplier_id = ?1 AND f.voided_at IS NOT NULL
             ORDER BY 7, 8, 2",
        )?;
        let rows = stmt.query_map([supplier.0], |r| {
            Ok(VoidedRecord { kind: r.get(0)?, key: r.get(1)?, summary: r.get(2)?, voided: voiding(r, 3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The voided evidence items and findings of an audit, by number.
    pub fn voided_items(&self, audit: i64) -> Result<Vec<VoidedItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, 'evidence', pillar || ' ' || kind || ' (' || strength || '): ' || description,
                    voided_at, voided_by, void_reason
             FROM evidence WHERE audit_id = ?1 AND voided_at IS NOT NULL
             UNION ALL
             SELECT id, 'finding', severity || ': ' || description || ' (due ' || due_on || ')',
                    voided_at, voided_by, void_reason
             FROM findings WHERE audit_id = ?1 AND voided_at IS NOT NULL
             ORDER BY 2, 1",
        )?;
        let rows = stmt.query_map([audit], |r| {
            Ok(VoidedItem { id: r.get(0)?, kind: r.get(1)?, summary: r.get(2)?, voided: voiding(r, 3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn claim_row(r: &Row<'_>) -> rusqlite::Result<ClaimRow> {
    Ok(ClaimRow {
        id: r.get(0)?,
        claim: Claim {
            capability: r.get(1)?,
            source: r.get(2)?,
            stated_on: date_at(r, 3)?,
            statement: r.get(4)?,
            retired_on: opt_date_at(r, 5)?,
        },
        voided: voided_at(r, 6)?,
    })
}
