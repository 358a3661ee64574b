//! `casebook hub hand-over`: the owner of a draft on the hub (the login
//! that pushed it first) lets another auditor's login push under it too.
//! A hand-over is a record on the hub (kind `handover`), never on a
//! laptop; the hub's row-level security reads it (see the hub schema,
//! version 2).

use super::{Hub, pg_error};
use crate::error::{Error, Result};

impl Hub {
    /// Hands draft `gid` (of supplier `supplier`, named `reference` in
    /// messages) over to login `to`. Returns whether it was new (`false`:
    /// handed over to `to` already).
    pub fn hand_over(&mut self, (gid, reference, supplier): (&str, &str, &str), to: &str) -> Result<bool> {
        let mut tx = self.client.transaction().map_err(|e| pg_error(&e))?;
        tx.query_one("SELECT casebook.lock_push()", &[]).map_err(|e| pg_error(&e))?;
        let row = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM casebook.records WHERE kind = 'draft' AND key = $1),
                        casebook.audit_submitted($1),
                        EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = $2
                                AND pg_has_role(r.oid, 'casebook_auditor', 'USAGE')),
                        casebook.why_refused(current_user, 'records:handover', $1)",
                &[&gid, &to],
            )
            .map_err(|e| pg_error(&e))?;
        let (on_hub, submitted, auditor, why): (bool, bool, bool, Option<String>) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if submitted {
            return Err(Error::Hub(format!(
                "audit {reference} is submitted on the hub; nothing is filed under it any more — nothing was changed"
            )));
        }
        if !on_hub {
            return Err(Error::Hub(format!(
                "audit {reference} is not on the hub as a draft yet: sync first (casebook sync) — nothing was changed"
            )));
        }
        if !auditor {
            return Err(Error::Hub(format!(
                "{to} is not a login of role casebook_auditor on this server: a draft is handed over to an \
                 auditor's login — nothing was changed"
            )));
        }
        if let Some(why) = why {
            return Err(Error::Hub(format!("refused by the hub ({why}) — nothing was changed")));
        }
        let added = tx
            .execute(
                "INSERT INTO casebook.records (kind, key, supplier, audit, body)
                 VALUES ('handover', $1 || ' ' || $2, $3, $1, jsonb_build_object('to', $2::text))",
                &[&gid, &to, &supplier],
            )
            .map_err(|e| pg_error(&e))?;
        tx.commit().map_err(|e| pg_error(&e))?;
        Ok(added == 1)
    }
}
