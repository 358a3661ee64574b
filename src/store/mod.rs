//! All SQL lives here: opening the database file, migrations, and one module
//! per aggregate with typed methods. Other modules never see a statement.
//!
//! Reads go through [`Store`]; writes through a [`Writer`], one short
//! `BEGIN IMMEDIATE` transaction that commits explicitly and rolls back when
//! dropped, so a failed or killed write leaves nothing half done.

mod access;
mod audits;
mod backup;
mod checklists;
mod control;
mod cursors;
mod facts;
pub mod files;
mod guard;
mod history;
pub mod hub;
mod hub_codec;
mod hub_link;
mod installation;
mod integrity;
mod lots;
mod merge;
mod merge_attachments;
mod merge_audits;
mod merge_control;
mod merge_drafts;
mod migrate;
mod migrate_checks;
mod migrate_identity;
mod migrate_seals;
mod open;
mod plans;
mod policy;
mod shortlist;
mod source;
mod suppliers;
mod suspend;
mod versions;
mod void;
pub mod wait;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, TransactionBehavior};

pub use access::unlocked_reads_held;
pub use audits::{
    AuditHeader, AuditRow, AuditSeal, ChainReport, DraftRef, NewAudit, NotedHead, Seal, SealRow, head_problem, hex,
    sha256_hex,
};
pub use backup::BackupReport;
pub use control::{ControlEvent, NewAnnotation, new_gid};
pub(crate) use facts::fact_hash;
pub use guard::{refuse_database_file, same_file_as_database};
pub use history::{Change, HistoryEntry};
pub use hub_codec::{FilledInbox, Inbox, PushScope, RowShape};
pub use hub_link::{HubLink, HubState};
pub use installation::{FileId, Installation};
pub use integrity::{AttachmentRow, NewAttachment};
pub use lots::{LotFilter, LotInsert, LotPoint, LotWriter};
pub use merge::{FedLot, LotFeed};
pub use merge_attachments::FileStores;
pub use migrate::LATEST_VERSION;
pub(crate) use migrate::reference as reference_schema;
pub use open::explain_storage_error;
pub use plans::NewPlan;
pub use shortlist::ShortlistEntry;
pub use source::Source;
pub use suppliers::{SupplierCounts, SupplierId, nearest_code};
pub use versions::{Version, Versioned};
pub use void::{ClaimRow, REASON_MAX as VOID_REASON_MAX, VoidedItem, VoidedLot, VoidedRecord};
pub use wait::{Patience, describe as describe_wait};

use crate::error::{Error, Result};
use crate::model::Hlc;

/// `PRAGMA application_id` of a casebook database ("CBK1").
const APPLICATION_ID: i64 = 0x4342_4b31;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// Every connection casebook opens keeps its statements prepared and their
/// plans fixed:
/// - `STATEMENT_CACHE` statements kept (a dossier import cycles through
///   some forty, a merge a few dozen per record; with rusqlite's default of
///   16 they pushed each other out and were parsed again and again);
/// - each statement's plan kept whatever values are bound to it (SQLite's
///   query planner stability guarantee). Without it SQLite may mark a
///   statement to be planned again each time a parameter that a plan could
///   depend on is bound anew, and a merge spent a tenth of its time parsing
///   statements again. No statement of casebook's depends on a bound value
///   for its plan (no bound LIKE or GLOB pattern, no partial index whose
///   condition names a value).
fn keep_statements(conn: &rusqlite::Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// What to do when the database file does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create it (and its directory) and apply every migration.
    Create,
    /// Refuse: read commands never create files.
    Existing,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Why this connection cannot write, when it cannot.
    read_only: Option<String>,
    /// How long a write waits for another process's.
    patience: Patience,
    /// The file's device and inode when it was opened: the installation is
    /// tied to it at the first write ([`installation::claim`]).
    file: Option<FileId>,
    /// Counts this connection in the process-wide tally until it is closed;
    /// after `conn`, so it is dropped after the connection.
    _held: Option<guard::Held>,
}

impl Store {
    /// Starts a write transaction recorded in history under `actor`,
    /// waiting for another process's write as long as the store's
    /// [`Patience`] says.
    pub fn begin(&mut self, actor: &str) -> Result<Writer<'_>> {
        // Who acts is recorded in history and printed back: plain text only.
        crate::model::records::person("auditor", actor)?;
        if let Some(why) = &self.read_only {
            return Err(Error::ReadOnly { path: self.path.clone(), why: why.clone() });
        }
        let waiting = wait::Scope::enter(&self.path, &self.patience);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                Error::Invalid(format!(
                    "{}: another process kept the database locked for {} (a long import?); nothing was written — \
                     try again when it has finished{}",
                    self.path.display(),
                    wait::describe(self.patience.limit),
                    if self.patience.notice.is_some() { " (CASEBOOK_WRITE_WAIT=SECONDS waits longer)" } else { "" }
                ))
            } else {
                e.into()
            }
        })?;
        drop(waiting);
        let claimed = installation::claim(&tx, self.file)?;
        let changes_before = tx.total_changes();
        Ok(Writer {
            scope: Scope::Transaction(tx),
            actor: actor.to_owned(),
            at: now_stamp(),
            clock: Cell::new(None),
            changes_before,
            claimed,
            suspended: Rc::default(),
        })
    }

    /// How long writes wait for another process's write lock, and who is
    /// told (after a second) that they are waiting.
    pub fn set_patience(&mut self, patience: Patience) {
        self.patience = patience;
    }

    /// Why this store cannot write (`None` when it can): the file or its
    /// folder is not writable by this user.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A second connection to the same database file, for reading on another
    /// thread (WAL lets readers run side by side); `None` for in-memory stores.
    pub fn reopen(&self) -> Result<Option<Store>> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        Store::open(&self.path, OpenMode::Existing).map(Some)
    }
}

/// Typed queries, over the store or inside a write transaction.
#[derive(Clone, Copy)]
pub struct Reader<'c> {
    conn: &'c Connection,
}

/// One write transaction, or a savepoint nested in one. Commit with
/// [`Writer::commit`] (a savepoint's commit releases it into its parent);
/// dropping it rolls back.
pub struct Writer<'c> {
    scope: Scope<'c>,
    actor: String,
    at: String,
    /// This transaction's clock reading, taken when first needed.
    clock: Cell<Option<Hlc>>,
    /// The connection's count of changed rows when the transaction began:
    /// a transaction that changed nothing leaves the clock alone.
    changes_before: u64,
    /// Whether this transaction tied the installation to the file (a copy
    /// taking its own tag): kept only if something else is written too, so
    /// a write that changes nothing leaves the file exactly as it was.
    claimed: bool,
    /// Triggers this transaction dropped for a bulk write, by name, with
    /// their SQL: put back before it commits (see [`Writer::suspend_trigger`]).
    suspended: Rc<RefCell<Vec<(String, String)>>>,
}

enum Scope<'c> {
    Transaction(rusqlite::Transaction<'c>),
    Savepoint(rusqlite::Savepoint<'c>),
}

impl Writer<'_> {
    /// Commits. A whole transaction also advances this installation's
    /// clock, so the clock reading says whether anything changed since (a
    /// merge skips a source whose clock it has already merged).
    pub fn commit(self) -> Result<()> {
        let changed = self.conn().total_changes() > self.changes_before;
        if matches!(self.scope, Scope::Transaction(_)) && changed {
            self.clock()?;
        }
        match self.scope {
            Scope::Transaction(tx) if self.claimed && !changed => tx.rollback()?,
            Scope::Transaction(tx) => {
                suspend::restore_triggers(&tx, &self.suspended.borrow())?;
                tx.commit()?;
            }
            Scope::Savepoint(sp) => sp.commit()?,
        }
        Ok(())
    }

    /// Drops trigger `name` until this transaction commits (see
    /// [`suspend_trigger`]).
    pub(crate) fn suspend_trigger(&self, name: &str) -> Result<()> {
        suspend::suspend_trigger(self.conn(), &self.suspended, name)
    }

    /// A savepoint inside this transaction: its changes join this one when
    /// it commits, and vanish when it is dropped.
    pub fn nested(&mut self) -> Result<Writer<'_>> {
        let savepoint = match &mut self.scope {
            Scope::Transaction(tx) => tx.savepoint()?,
            Scope::Savepoint(sp) => sp.savepoint()?,
        };
        Ok(Writer {
            scope: Scope::Savepoint(savepoint),
            actor: self.actor.clone(),
            at: self.at.clone(),
            clock: Cell::new(self.clock.get()),
            changes_before: self.changes_before,
            claimed: false,
            suspended: Rc::clone(&self.suspended),
        })
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { conn: self.conn() }
    }

    /// For rows already checked against the schema's rules in Rust: SQLite
    /// skips evaluating CHECK constraints on this connection until the guard
    /// is dropped (foreign keys, UNIQUE and triggers still apply).
    pub fn trust_checked_rows(&self) -> Result<TrustedRows<'_>> {
        self.conn().pragma_update(None, "ignore_check_constraints", "ON")?;
        Ok(TrustedRows { conn: self.conn() })
    }

    /// A bigger page cache for one large write (an import) keeps the index
    /// pages it works on resident; bounded so memory stays small.
    pub fn set_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn().pragma_update(None, "cache_size", -i64::from(kib))?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        match &self.scope {
            Scope::Transaction(tx) => tx,
            Scope::Savepoint(sp) => sp,
        }
    }
}

/// Turns CHECK evaluation back on when dropped, whatever happened meanwhile.
pub struct TrustedRows<'c> {
    conn: &'c Connection,
}

impl Drop for TrustedRows<'_> {
    fn drop(&mut self) {
        // Cannot fail for a valid pragma name; nothing to report from a drop.
        let _ = self.conn.pragma_update(None, "ignore_check_constraints", "OFF");
    }
}

impl Reader<'_> {
    /// The rows of a bulk query for one supplier (`only`) or all, grouped by
    /// supplier. `sql` selects the supplier id first and ends where a `WHERE`
    /// on `column` can follow: the filter is added only when asked, so either
    /// form can use an index. `item` reads the rest of a row.
    pub(crate) fn by_supplier<T>(
        &self,
        sql: &str,
        column: &str,
        only: Option<SupplierId>,
        item: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<HashMap<SupplierId, Vec<T>>> {
        let (filter, args) = match only {
            Some(id) => (format!("WHERE {column} = ?1"), vec![id.0]),
            None => (String::new(), Vec::new()),
        };
        let mut stmt = self.conn.prepare_cached(&format!("{sql} {filter}"))?;
        let mut out: HashMap<SupplierId, Vec<T>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            out.entry(SupplierId(row.get(0)?)).or_default().push(item(row)?);
        }
        Ok(out)
    }
}

/// Wall-clock time for history and submission stamps (never for assessment:
/// assessment dates come from the injectable "as of" day).
pub fn now_stamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a stored `YYYY-MM-DD` date (the schema's CHECKs guarantee the form;
/// this parser is the importer's, several times faster than chrono's).
pub(crate) fn parse_date(text: &str) -> rusqlite::Result<NaiveDate> {
    crate::model::validate::date("date", text).map_err(|e| {
        let message = format!("{text:?} {}", e.message);
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, message.into())
    })
}

/// Column `at` of `row` as a date, read in place (no `String` per row).
pub(crate) fn date_at(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<NaiveDate> {
    parse_date(row.get_ref(at)?.as_str()?)
}

/// Column `at` of `row` as a date or NULL, read in place.
pub(crate) fn opt_date_at(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<NaiveDate>> {
    row.get_ref(at)?.as_str_or_null()?.map(parse_date).transpose()
}

/// A stored comma-separated list of question codes (`critical_no`).
pub(crate) fn code_list(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Vec<String>> {
    Ok(row
        .get_ref(at)?
        .as_str_or_null()?
        .map(|list| list.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default())
}
