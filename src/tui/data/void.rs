//! Voiding from the UI: what a void is of ([`VoidTarget`]) and carrying it
//! out through the store's `Writer::void_*`, which refuses a submitted
//! audit's item or a row voided already, in its own words.

use super::Data;
use super::write::{Refusal, Written};
use crate::error::Error;
use crate::store::SupplierId;

/// What a void is of: a record entered wrongly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidTarget {
    Lot {
        supplier: SupplierId,
        lot: String,
    },
    Claim {
        supplier: SupplierId,
        claim: i64,
    },
    /// An evidence item of draft `audit`.
    Evidence {
        audit: i64,
        id: i64,
    },
    /// A finding of draft `audit`.
    Finding {
        audit: i64,
        id: i64,
    },
}

impl VoidTarget {
    /// `lot L-7`, `claim 3`, `evidence item 12`, `finding 4`.
    pub fn noun(&self) -> String {
        match self {
            Self::Lot { lot, .. } => format!("lot {lot}"),
            Self::Claim { claim, .. } => format!("claim {claim}"),
            Self::Evidence { id, .. } => format!("evidence item {id}"),
            Self::Finding { id, .. } => format!("finding {id}"),
        }
    }
}

impl Data {
    /// A void, refused in the store's words (a submitted audit's item,
    /// one voided already).
    pub(super) fn void(&mut self, target: &VoidTarget, reason: &str) -> Result<Written, Refusal> {
        let refused = |e: Error| Refusal { field: None, message: format!("Not voided: {e}") };
        match target {
            VoidTarget::Lot { supplier, lot } => {
                self.transact(|w| w.void_lot(*supplier, lot, reason)).map_err(refused)?;
                Ok(Written::Supplier(*supplier))
            }
            VoidTarget::Claim { supplier, claim } => {
                self.transact(|w| w.void_claim(*supplier, *claim, reason)).map_err(refused)?;
                Ok(Written::Supplier(*supplier))
            }
            VoidTarget::Evidence { audit, id } => {
                self.transact(|w| w.void_evidence(*id, reason)).map_err(refused)?;
                Ok(Written::Draft { audit: *audit, supplier: self.audit_supplier(*audit)? })
            }
            VoidTarget::Finding { audit, id } => {
                self.transact(|w| w.void_finding(*id, reason)).map_err(refused)?;
                Ok(Written::Draft { audit: *audit, supplier: self.audit_supplier(*audit)? })
            }
        }
    }
}
