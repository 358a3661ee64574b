//! Opening a database: looking at the file first (see [`super::access`]),
//! choosing read-write or read-only, refusing what is not a casebook
//! database of a version this casebook knows without changing it, and
//! saying plainly why a file cannot be used.

use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::access::{self, Access, Found, ReadOnlyOpen};
use super::{APPLICATION_ID, LATEST_VERSION, OpenMode, Patience, Store, guard, migrate, wait};
use crate::error::{Error, Result};

impl Store {
    /// Opens (or creates) the database at `path`, refusing files that are not
    /// casebook databases or come from a newer casebook before writing
    /// anything. A file this user cannot write is opened read-only: reads
    /// work, [`Store::begin`] says why writing cannot.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Self> {
        let existed = std::fs::symlink_metadata(path).is_ok();
        let opened = Self::open_checked(path, mode);
        if opened.is_err() && !existed {
            remove_failed_creation(path);
        }
        opened
    }

    fn open_checked(path: &Path, mode: OpenMode) -> Result<Self> {
        let mut tally = guard::Tally::lock();
        let found = access::inspect(path, mode)?;
        let access = if found == Found::Existing { access::access(path)? } else { Access::ReadWrite };
        // The header is read outside SQLite only while no connection of this
        // process holds the file: closing that descriptor would drop its locks.
        if found == Found::Existing && !guard::FileKey::of(path).is_some_and(|key| tally.holds(key)) {
            access::probe(path)?;
        }
        let conn = connect(path, &access).map_err(|e| open_error(path, e))?;
        let held = guard::FileKey::of(path).map(|key| tally.hold(key));
        drop(tally);
        let read_only = match access {
            Access::ReadWrite => None,
            Access::ReadOnly { why, .. } => Some(why),
        };
        // Which file this is (device, inode: a `stat`, never an open), so a
        // copied file takes an installation tag of its own at its first write.
        let file = super::FileId::at(path);
        let mut store =
            Self { conn, path: path.to_owned(), read_only, patience: Patience::default(), file, _held: held };
        store.prepare(found == Found::New, mode)?;
        Ok(store)
    }

    /// A private database in memory, fully migrated (tests and dry runs).
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut store = Self {
            conn,
            path: PathBuf::from(":memory:"),
            read_only: None,
            patience: Patience::default(),
            file: None,
            _held: None,
        };
        store.prepare(true, OpenMode::Create)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&mut self, fresh: bool, mode: OpenMode) -> Result<()> {
        self.conn.busy_handler(Some(wait::busy))?;
        super::keep_statements(&self.conn)?;
        // Until the file is accepted, closing this connection must not
        // checkpoint a WAL: a refused database is left exactly as it was.
        self.conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        let (version, app_id) = self.identity().map_err(|e| open_error(&self.path, e))?;
        if version > LATEST_VERSION {
            return Err(Error::SchemaTooNew { path: self.path.clone(), found: version, known: LATEST_VERSION });
        }
        if app_id != APPLICATION_ID && !fresh {
            let reason = if !self.is_blank()? {
                "it is an SQLite database of another application"
            } else if mode == OpenMode::Existing {
                "it is an empty SQLite database; `casebook init` makes it a casebook database"
            } else {
                ""
            };
            if !reason.is_empty() {
                return Err(Error::NotADatabase { path: self.path.clone(), reason: reason.into() });
            }
        }
        if self.read_only.is_none() && self.conn.is_readonly(rusqlite::MAIN_DB)? {
            self.read_only = Some("SQLite opened it read-only (check the file's and its folder's permissions)".into());
        }
        if let Some(why) = &self.read_only {
            if version < LATEST_VERSION {
                return Err(Error::Invalid(format!(
                    "{}: written by an older casebook (schema version {version}) and it must be brought up to date \
                     before this one can read it, but {why}; run `casebook init` once as a user who can write it — \
                     nothing was changed",
                    self.path.display()
                )));
            }
            self.conn.pragma_update(None, "foreign_keys", "ON")?;
            return Ok(());
        }
        self.conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::apply(&mut self.conn, APPLICATION_ID)?;
        self.tie_new_installation()
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
}

/// Removes what a failed creation left (a full disk, a refused folder): the
/// empty file SQLite created, with its empty side files. Never a file that
/// holds anything.
fn remove_failed_creation(path: &Path) {
    let empty = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.len() == 0);
    if !empty(path) {
        return;
    }
    let side = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-journal"] {
        if empty(&side(suffix)) {
            let _ = std::fs::remove_file(side(suffix));
        }
    }
    let _ = std::fs::remove_file(side("-shm"));
}

/// The SQLite connection for `access`: read-write (creating the file), or
/// read-only — without locks or side files when there is no WAL to read.
fn connect(path: &Path, access: &Access) -> rusqlite::Result<Connection> {
    let common = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    match access {
        Access::ReadWrite => Connection::open_with_flags(
            path,
            common | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        ),
        Access::ReadOnly { how: ReadOnlyOpen::Shared, .. } => {
            Connection::open_with_flags(path, common | OpenFlags::SQLITE_OPEN_READ_ONLY)
        }
        Access::ReadOnly { how: ReadOnlyOpen::Immutable, .. } => {
            access::note_unlocked_read(path);
            Connection::open_with_flags(access::uri(path, "immutable=1"), common | OpenFlags::SQLITE_OPEN_READ_ONLY)
        }
    }
}

/// What an SQLite error met while opening `path` really means.
pub(super) fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as Code;
    let reason = e.to_string();
    match e.sqlite_error_code() {
        Some(Code::NotADatabase) => Error::NotADatabase { path: path.to_owned(), reason },
        Some(Code::DatabaseCorrupt) => Error::Damaged { path: path.to_owned(), reason },
        Some(Code::CannotOpen) => Error::Invalid(format!(
            "{}: cannot open the database ({reason}); check that the file and its folder can be read and written",
            path.display()
        )),
        Some(Code::ReadOnly) => Error::ReadOnly {
            path: path.to_owned(),
            why: "SQLite found it read-only (check the file's and its folder's permissions)".into(),
        },
        Some(Code::PermissionDenied) => Error::Invalid(format!(
            "{}: permission denied ({reason}); check the file's and its folder's permissions; nothing was changed",
            path.display()
        )),
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => Error::Invalid(format!(
            "{}: another process holds the database locked ({reason}); try again when it has finished; nothing \
             was changed",
            path.display()
        )),
        _ => explain_storage_error(path, Error::Sql(e)),
    }
}

/// Says what a full disk or an I/O error really is, for the database at
/// `db`: how much space its folder has left, and what to do. Other errors
/// pass unchanged.
pub fn explain_storage_error(db: &Path, e: Error) -> Error {
    use rusqlite::ErrorCode as Code;
    let Error::Sql(sql) = &e else { return e };
    let code = sql.sqlite_error_code();
    if !matches!(code, Some(Code::DiskFull | Code::SystemIoFailure)) {
        return e;
    }
    let folder = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let free = rustix::fs::statvfs(folder).ok().map(|v| v.f_bavail.saturating_mul(v.f_frsize));
    let what = match (code, free) {
        (_, Some(bytes)) if bytes < 1 << 20 => {
            format!(
                "the disk holding {} is full ({} KiB free); free some space and try again",
                folder.display(),
                bytes >> 10
            )
        }
        (Some(Code::DiskFull), _) => "the disk is full; free some space and try again".to_owned(),
        _ => format!(
            "the disk reported an I/O error ({}); check that the disk holding {} is present, not full and not failing",
            sql,
            folder.display()
        ),
    };
    Error::Invalid(format!("{}: {what}; nothing was written", db.display()))
}
