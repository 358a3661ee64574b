//! All SQL lives here: opening the database file, migrations, and one module
//! per aggregate with typed methods. Other modules never see a statement.
//!
//! Reads go through [`Store`]; writes through a [`Writer`], one short
//! `BEGIN IMMEDIATE` transaction that commits explicitly and rolls back when
//! dropped, so a failed or killed write leaves nothing half done.

mod audits;
mod checklists;
mod cursors;
mod facts;
mod history;
pub mod hub;
mod hub_codec;
mod hub_link;
mod installation;
mod integrity;
mod lots;
mod merge;
mod merge_audits;
mod migrate;
mod migrate_identity;
mod migrate_seals;
mod policy;
mod shortlist;
mod source;
mod suppliers;
mod suspend;
mod versions;
mod void;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audits::{AuditRow, ChainReport, NewAudit, NotedHead, Seal, SealRow, head_problem, hex, sha256_hex};
pub(crate) use facts::fact_hash;
pub use history::{Change, HistoryEntry};
pub use hub_codec::{FilledInbox, Inbox, PushScope};
pub use hub_link::{HubLink, HubState};
pub use installation::{FileId, Installation};
pub use integrity::AttachmentRow;
pub use lots::{LotFilter, LotInsert, LotPoint, LotWriter, NewLot};
pub use migrate::LATEST_VERSION;
pub(crate) use migrate::reference as reference_schema;
pub use shortlist::ShortlistEntry;
pub use source::Source;
pub use suppliers::{SupplierCounts, SupplierId};
pub use versions::{Version, Versioned};
pub use void::{ClaimRow, VoidedItem, VoidedLot, VoidedRecord};

use crate::error::{Error, Result};
use crate::model::Hlc;

/// `PRAGMA application_id` of a casebook database ("CBK1").
const APPLICATION_ID: i64 = 0x4342_4b31;
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// How long a writer waits for another process's transaction before failing.
/// (A long import holds the write lock for seconds; a UI save waits for it.)
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl Store {
    /// Opens (or creates) the database at `path`, refusing files that are not
    /// casebook databases or come from a newer casebook before writing anything.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Self> {
        let fresh = check_file(path, mode)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| not_a_db(path, &e))?;
        let mut store = Self { conn, path: path.to_owned() };
        store.prepare(fresh)?;
        Ok(store)
    }

    /// A private database in memory, fully migrated (tests and dry runs).
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut store = Self { conn, path: PathBuf::from(":memory:") };
        store.prepare(true)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&mut self, fresh: bool) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let (version, app_id) = self.identity().map_err(|e| not_a_db(&self.path, &e))?;
        if version > LATEST_VERSION {
            return Err(Error::SchemaTooNew { path: self.path.clone(), found: version, known: LATEST_VERSION });
        }
        if app_id != APPLICATION_ID && !(fresh || self.is_blank()?) {
            return Err(Error::NotADatabase {
                path: self.path.clone(),
                reason: "it is an SQLite database of another application".into(),
            });
        }
        if self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(Error::ReadOnly { path: self.path.clone() });
        }
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::apply(&mut self.conn, APPLICATION_ID)?;
        let file = if self.path.as_os_str() == ":memory:" { None } else { FileId::at(&self.path) };
        self.claim_installation(file)
    }

    fn identity(&self) -> rusqlite::Result<(i64, i64)> {
        let version = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let app_id = self.conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        Ok((version, app_id))
    }

    fn is_blank(&self) -> Result<bool> {
        let objects: i64 = self.conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok(objects == 0)
    }

    /// Starts a write transaction recorded in history under `actor`.
    pub fn begin(&mut self, actor: &str) -> Result<Writer<'_>> {
        let changes_before = self.conn.total_changes();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Writer {
            scope: Scope::Transaction(tx),
            actor: actor.to_owned(),
            at: now_stamp(),
            clock: Cell::new(None),
            changes_before,
            suspended: Rc::default(),
        })
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Copies the database to `dest` with SQLite's online backup API: safe
    /// while other connections read and write. Returns the pages copied.
    pub fn backup_to(&self, dest: &Path) -> Result<i32> {
        if dest.exists() {
            return Err(Error::Invalid(format!("{}: already exists; choose a new file name", dest.display())));
        }
        let mut target = Connection::open(dest)?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
        backup.run_to_completion(256, Duration::from_millis(5), None)?;
        let pages = backup.progress().pagecount;
        drop(backup);
        target.pragma_update(None, "journal_mode", "WAL")?;
        Ok(pages)
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
        if matches!(self.scope, Scope::Transaction(_)) && self.conn().total_changes() > self.changes_before {
            self.clock()?;
        }
        match self.scope {
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

/// Checks the file before SQLite touches it. Returns whether it is new.
fn check_file(path: &Path, mode: OpenMode) -> Result<bool> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match mode {
            OpenMode::Existing => Err(Error::NoDatabase { path: path.to_owned() }),
            OpenMode::Create => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| io_at(dir, &e))?;
                }
                Ok(true)
            }
        },
        Err(e) => Err(io_at(path, &e)),
        Ok(meta) if meta.is_dir() => {
            Err(Error::NotADatabase { path: path.to_owned(), reason: "it is a directory".into() })
        }
        Ok(meta) if meta.len() == 0 => match mode {
            OpenMode::Existing => Err(Error::NoDatabase { path: path.to_owned() }),
            OpenMode::Create => Ok(true),
        },
        Ok(_) => check_magic(path).map(|()| false),
    }
}

fn check_magic(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = [0_u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| io_at(path, &e))?;
    let read = file.read(&mut head).map_err(|e| io_at(path, &e))?;
    if read < head.len() || head != SQLITE_MAGIC {
        return Err(Error::NotADatabase {
            path: path.to_owned(),
            reason: "the file does not start with the SQLite header".into(),
        });
    }
    Ok(())
}

fn io_at(path: &Path, e: &std::io::Error) -> Error {
    Error::Invalid(format!("{}: {e}", path.display()))
}

pub(crate) fn not_a_db(path: &Path, e: &rusqlite::Error) -> Error {
    let reason = e.to_string();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::Damaged { path: path.to_owned(), reason },
        Some(rusqlite::ErrorCode::CannotOpen) => Error::Invalid(format!(
            "{}: cannot open the database ({reason}); check that the file and its folder can be read and written",
            path.display()
        )),
        _ => Error::NotADatabase { path: path.to_owned(), reason },
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
    crate::exchange::validate::date("date", text).map_err(|e| {
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
