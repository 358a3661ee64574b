//! `casebook hub init`: creates casebook's schema in an empty PostgreSQL
//! database, or brings an older hub up to date, in one transaction.
//!
//! Hub schema versions are an append-only list, like the laptops'
//! migrations, recorded in `casebook.hub_versions`. A database holding
//! anything else is refused (the hub must not mix with other data), and so
//! is a hub from a newer casebook. The roles are cluster-wide and may exist
//! already (another hub in the same cluster, or a concurrent `init`); they
//! are created only where missing.

use postgres::Transaction;

use super::{Hub, ROLES, newer_hub, pg_error};
use crate::error::{Error, Result};

struct Step {
    name: &'static str,
    sql: &'static str,
}

const STEPS: &[Step] = &[
    Step { name: "hub", sql: include_str!("../../../migrations/hub/0001_hub.sql") },
    Step { name: "drafts", sql: include_str!("../../../migrations/hub/0002_drafts.sql") },
];

/// The hub schema version this casebook writes.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // a handful of steps
pub const HUB_VERSION: i32 = STEPS.len() as i32;

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitOutcome {
    /// The hub schema version before (`None`: there was no hub).
    pub from: Option<i32>,
    pub to: i32,
    /// Roles that did not exist and were created.
    pub roles_created: Vec<String>,
}

/// Oldest server with `xid8`, `pg_current_xact_id` and `gen_random_uuid`.
const MIN_SERVER: i32 = 130_000;

impl Hub {
    /// Creates or upgrades the hub schema; running it again changes nothing.
    pub fn init(&mut self) -> Result<InitOutcome> {
        let shown = self.url.shown();
        let mut tx = self.client.transaction().map_err(|e| pg_error(&e))?;
        // Two `init`s of one database at once: the second waits, then finds
        // the work done.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('casebook hub init'))", &[]).map_err(|e| pg_error(&e))?;
        check_server(&mut tx)?;
        let from = hub_version(&mut tx)?;
        match from {
            Some(v) if v > HUB_VERSION => return Err(newer_hub(&self.url, v)),
            Some(_) => {}
            None => refuse_other_objects(&mut tx, &shown)?,
        }
        let roles_created = create_roles(&mut tx)?;
        let done = usize::try_from(from.unwrap_or(0)).unwrap_or(0);
        for (i, step) in STEPS.iter().enumerate().skip(done) {
            tx.batch_execute(step.sql).map_err(|e| {
                Error::Hub(format!("hub schema step {} ({}) failed: {}", i + 1, step.name, pg_error(&e)))
            })?;
            let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO casebook.hub_versions (version, casebook) VALUES ($1, $2)",
                &[&version, &env!("CARGO_PKG_VERSION")],
            )
            .map_err(|e| pg_error(&e))?;
        }
        tx.commit().map_err(|e| pg_error(&e))?;
        Ok(InitOutcome { from, to: HUB_VERSION, roles_created })
    }
}

fn check_server(tx: &mut Transaction<'_>) -> Result<()> {
    let version: String = tx.query_one("SHOW server_version_num", &[]).map_err(|e| pg_error(&e))?.get(0);
    let number: i32 = version.parse().unwrap_or(0);
    if number < MIN_SERVER {
        return Err(Error::Hub(format!(
            "the hub needs PostgreSQL 13 or later; this server is version {version}; nothing was changed"
        )));
    }
    Ok(())
}

fn hub_version(tx: &mut Transaction<'_>) -> Result<Option<i32>> {
    let exists: bool =
        tx.query_one("SELECT to_regclass('casebook.hub_versions') IS NOT NULL", &[]).map_err(|e| pg_error(&e))?.get(0);
    if !exists {
        return Ok(None);
    }
    Ok(tx.query_one("SELECT max(version) FROM casebook.hub_versions", &[]).map_err(|e| pg_error(&e))?.get(0))
}

/// A hub goes into an empty database: tables, views, sequences or functions
/// of anyone else's there mean the URL names the wrong database.
fn refuse_other_objects(tx: &mut Transaction<'_>, shown: &str) -> Result<()> {
    let rows = tx
        .query(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
             UNION ALL
             SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
             UNION ALL
             SELECT nspname || ' (schema)' FROM pg_namespace WHERE nspname = 'casebook'
             ORDER BY 1 LIMIT 11",
            &[],
        )
        .map_err(|e| pg_error(&e))?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    if names.len() > 10 {
        names.truncate(10);
        names.push("…".to_owned());
    }
    Err(Error::Hub(format!(
        "{shown}: this database holds other objects ({}); a hub is created in an empty database \
         (CREATE DATABASE casebook_hub) — nothing was changed",
        names.join(", ")
    )))
}

/// Creates the roles that do not exist yet. Another session may create one
/// at the same moment (roles are shared by the cluster's databases): that
/// is the same outcome, not an error.
fn create_roles(tx: &mut Transaction<'_>) -> Result<Vec<String>> {
    let mut created = Vec::new();
    for role in ROLES {
        let exists: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role])
            .map_err(|e| pg_error(&e))?
            .get(0);
        if exists {
            continue;
        }
        // Role names are fixed identifiers of ours, never input.
        tx.batch_execute(&format!(
            "DO $$ BEGIN
                 CREATE ROLE {role} NOLOGIN;
                 PERFORM set_config('casebook.made', 'yes', true);
             EXCEPTION WHEN duplicate_object OR unique_violation THEN
                 PERFORM set_config('casebook.made', 'no', true);
             END $$"
        ))
        .map_err(|e| {
            Error::Hub(format!(
                "cannot create role {role} ({}): the login running `hub init` needs CREATEROLE, or an \
                 administrator creates the roles first (CREATE ROLE {role} NOLOGIN); nothing was changed",
                pg_error(&e)
            ))
        })?;
        let made: bool =
            tx.query_one("SELECT current_setting('casebook.made') = 'yes'", &[]).map_err(|e| pg_error(&e))?.get(0);
        if made {
            created.push(role.to_owned());
        }
    }
    Ok(created)
}
