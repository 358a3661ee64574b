//! The team hub: a PostgreSQL database that every laptop syncs with. All of
//! casebook's PostgreSQL lives here, as all of its SQLite lives in the rest
//! of `store`.
//!
//! The hub's schema (`migrations/hub/`) keeps the union of what was pushed,
//! immutable, attributed to the login that pushed it, and lets each role add
//! only its own kinds of record; PostgreSQL enforces all of that, not this
//! client. See `init` for creating and upgrading it.

mod connect;
mod handover;
mod init;
mod pull;
mod push;
mod rows;

use postgres::{Client, NoTls};

pub use connect::{HubUrl, passfile_lookup, redact};
pub use init::{HUB_VERSION, InitOutcome};
pub use pull::PullWindow;
pub use push::{PushConflict, PushRefusal, PushReport};
pub use rows::{AuditRow, Batch, FileRow, HubTable, LotRow, RecordRow, SupplierRow, VersionRow};

use crate::error::{Error, Result};

/// The three roles a team's logins are members of.
pub const ROLES: [&str; 3] = ["casebook_auditor", "casebook_qa", "casebook_buyer"];

/// One connection to a hub.
pub struct Hub {
    client: Client,
    url: HubUrl,
}

/// Who this connection is logged in as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Login {
    pub login: String,
    /// Which of casebook's roles it holds.
    pub roles: Vec<String>,
    /// Whether it owns the hub's tables (the administrator who ran `hub init`).
    pub owner: bool,
}

/// What a hub is: its identity and schema version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HubInfo {
    pub hub_id: String,
    pub version: i32,
}

impl Hub {
    /// Connects, with the password from the URL, `PGPASSWORD` or the password
    /// file (see [`HubUrl`]).
    pub fn connect(url: &HubUrl) -> Result<Self> {
        Self::connect_with(url, &|name| std::env::var(name).ok())
    }

    pub fn connect_with(url: &HubUrl, env: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let client = url.config_with(env).connect(NoTls).map_err(|e| unreachable_hub(url, &e))?;
        Ok(Self { client, url: url.clone() })
    }

    pub fn url(&self) -> &HubUrl {
        &self.url
    }

    /// The login and the casebook roles it holds.
    pub fn login(&mut self) -> Result<Login> {
        let row = self
            .client
            .query_one(
                "SELECT session_user::text,
                        ARRAY(SELECT r FROM unnest($1::text[]) r
                              WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
                                AND pg_has_role(session_user, r, 'USAGE') ORDER BY r),
                        EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'casebook' AND tablename = 'hub'
                                AND pg_has_role(session_user, tableowner, 'USAGE'))",
                &[&ROLES.as_slice()],
            )
            .map_err(|e| pg_error(&e))?;
        Ok(Login { login: row.get(0), roles: row.get(1), owner: row.get(2) })
    }

    /// The hub's identity and version, refusing a database that is not a
    /// hub or a hub from a newer casebook.
    pub fn info(&mut self) -> Result<HubInfo> {
        match self.version()? {
            None => Err(Error::Hub(format!(
                "{}: not a casebook hub (no casebook schema); an administrator creates one with `casebook hub init URL`",
                self.url.shown()
            ))),
            Some(v) if v > HUB_VERSION => Err(newer_hub(&self.url, v)),
            Some(version) => {
                let row = self
                    .client
                    .query_one("SELECT hub_id::text FROM casebook.hub WHERE id = 1", &[])
                    .map_err(|e| pg_error(&e))?;
                Ok(HubInfo { hub_id: row.get(0), version })
            }
        }
    }

    /// The hub schema version, or `None` where there is no hub.
    fn version(&mut self) -> Result<Option<i32>> {
        let exists: bool = self
            .client
            .query_one("SELECT to_regclass('casebook.hub_versions') IS NOT NULL", &[])
            .map_err(|e| pg_error(&e))?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let row =
            self.client.query_one("SELECT max(version) FROM casebook.hub_versions", &[]).map_err(|e| pg_error(&e))?;
        Ok(row.get(0))
    }
}

fn newer_hub(url: &HubUrl, found: i32) -> Error {
    Error::Hub(format!(
        "{}: a hub of a newer casebook (hub schema version {found}; this casebook knows up to {HUB_VERSION}); \
         upgrade casebook — nothing was changed",
        url.shown()
    ))
}

fn unreachable_hub(url: &HubUrl, e: &postgres::Error) -> Error {
    let why = e.as_db_error().map_or_else(|| e.to_string(), |db| db.message().to_owned());
    Error::Hub(format!(
        "cannot connect to the hub {} as {}: {why} (the password comes from PGPASSWORD or ~/.pgpass; \
         casebook never stores one)",
        url.shown(),
        url.user()
    ))
}

/// A PostgreSQL error as one readable line: the server's message, detail and
/// hint, or the client's own.
pub(crate) fn pg_error(e: &postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => {
            let detail = db.detail().map(|d| format!(" ({d})")).unwrap_or_default();
            let hint = db.hint().map(|h| format!("; {h}")).unwrap_or_default();
            Error::Hub(format!("hub: {}{detail}{hint}", db.message()))
        }
        None => Error::Hub(format!("hub: {e}")),
    }
}
