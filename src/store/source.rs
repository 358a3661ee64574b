//! Another casebook database to merge from, opened only through SQLite and
//! read-only: the file itself is never written. One written by an older
//! casebook is copied by SQLite (`VACUUM INTO`, a consistent snapshot) into
//! a private temporary file, which is migrated; one from a newer casebook is
//! refused.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::installation::Installation;
use super::{APPLICATION_ID, FileId, LATEST_VERSION, Reader, migrate};
use crate::error::{Error, Result};

pub struct Source {
    conn: Connection,
    path: PathBuf,
    /// The schema version the file was written with.
    version: i64,
    /// The migrated copy of an older file, removed when the source is dropped.
    copy: Option<tempfile::TempDir>,
    /// A file only this merge reads and nothing writes any more (a pull's
    /// or a dossier's inbox): a second connection sees what the first does.
    private: bool,
}

impl Source {
    /// Opens `path` to read from; `target` is the file being merged into,
    /// which cannot also be a source.
    pub fn open(path: &Path, target: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoDatabase { path: path.to_owned() },
            _ => Error::Invalid(format!("{}: {e}", path.display())),
        })?;
        if meta.is_dir() {
            return Err(Error::NotADatabase { path: path.to_owned(), reason: "it is a directory".into() });
        }
        if FileId::of(&meta).is_some_and(|id| Some(id) == FileId::at(target)) {
            return Err(Error::Invalid(format!(
                "{}: this is the database being merged into (--db); name other databases to merge from",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| super::open::open_error(path, e))?;
        conn.busy_handler(Some(super::wait::busy))?;
        super::keep_statements(&conn)?;
        let version = schema_version(&conn, path)?;
        if version == LATEST_VERSION {
            snapshot(&conn)?;
            return Ok(Self { conn, path: path.to_owned(), version, copy: None, private: false });
        }
        let dir = tempfile::tempdir()?;
        let copy = dir.path().join("source.db");
        conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]).map_err(|e| {
            Error::Invalid(format!(
                "{}: cannot make a copy to bring up to date: {e}; nothing was changed",
                path.display()
            ))
        })?;
        drop(conn);
        let mut migrated = Connection::open(&copy)?;
        super::keep_statements(&migrated)?;
        migrated.pragma_update(None, "foreign_keys", "ON")?;
        migrate::apply(&mut migrated, APPLICATION_ID)?;
        snapshot(&migrated)?;
        Ok(Self { conn: migrated, path: path.to_owned(), version, copy: Some(dir), private: false })
    }

    /// Opens a file that only this merge reads and that nothing writes any
    /// more (a pull's or a dossier's inbox, written and closed): the merge
    /// may read it over a second connection too, on another thread.
    pub fn open_private(path: &Path, target: &Path) -> Result<Self> {
        let mut source = Self::open(path, target)?;
        source.private = source.copy.is_none();
        Ok(source)
    }

    /// The file of a private source (see [`Self::open_private`]), which a
    /// merge may open a second time; `None` for any other.
    pub fn private_path(&self) -> Option<&Path> {
        self.private.then_some(self.path.as_path())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the file was written with.
    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    /// The source's installation (for a file from before tags, the one its
    /// migrated copy was given).
    pub fn installation(&self) -> Result<Installation> {
        self.read().installation()
    }
}

/// The file's schema version, refusing what is not a casebook database or
/// comes from a newer casebook.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64> {
    let read = |pragma: &str| conn.pragma_query_value(None, pragma, |r| r.get::<_, i64>(0));
    let (version, app) = read("user_version")
        .and_then(|v| Ok((v, read("application_id")?)))
        .map_err(|e| super::open::open_error(path, e))?;
    if app != APPLICATION_ID {
        return Err(Error::NotADatabase {
            path: path.to_owned(),
            reason: if version == 0 {
                "it is empty or not a casebook file"
            } else {
                "it is a database of another application"
            }
            .into(),
        });
    }
    if version > LATEST_VERSION {
        return Err(Error::SchemaTooNew { path: path.to_owned(), found: version, known: LATEST_VERSION });
    }
    Ok(version)
}

/// Reads the source in one read transaction, from its first read until it
/// is dropped: a merge sees one state of a file that another program may
/// be writing meanwhile (and each statement does not start a transaction of
/// its own).
fn snapshot(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN DEFERRED")?;
    Ok(())
}
