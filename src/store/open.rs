//! Looking at a database file before SQLite does, and saying plainly why a
//! file cannot be used.
//!
//! Only `stat` is used on a path that a connection of this process may hold
//! (see [`super::guard`]). The file's first 100 bytes are read outside SQLite
//! only while no connection of this process has the file open: then there
//! is no lock to lose, and a newer or foreign database is refused before
//! SQLite opens it, so neither it nor its `-wal`/`-shm` are touched.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::{APPLICATION_ID, LATEST_VERSION, OpenMode};
use crate::error::{Error, Result};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// What is at the database path before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// Nothing, or an empty file: SQLite will create the database.
    New,
    /// A non-empty regular file.
    Existing,
}

/// Decides from `stat` alone whether `path` can be a database file; creates
/// its folder for a new database.
pub(super) fn inspect(path: &Path, mode: OpenMode) -> Result<Found> {
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match mode {
                OpenMode::Existing => Err(Error::NoDatabase { path: path.to_owned() }),
                OpenMode::Create => {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| io_at(dir, &e))?;
                    }
                    Ok(Found::New)
                }
            };
        }
        Err(e) => return Err(io_at(path, &e)),
        Ok(meta) => meta,
    };
    if !meta.is_file() {
        let kind = meta.file_type();
        let reason = if kind.is_dir() {
            "it is a directory".to_owned()
        } else {
            format!("it is {}, not a regular file", kind_of(&kind))
        };
        return Err(Error::NotADatabase { path: path.to_owned(), reason });
    }
    if meta.len() > 0 {
        return Ok(Found::Existing);
    }
    match mode {
        OpenMode::Existing => Err(Error::NoDatabase { path: path.to_owned() }),
        OpenMode::Create => Ok(Found::New),
    }
}

/// "a directory", "a FIFO (named pipe)", … for messages.
pub fn kind_of(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The fields of an SQLite header casebook decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    user_version: i64,
    application_id: i64,
}

/// Reads the file's header and refuses what is not an SQLite file, or is a
/// newer or another application's database. Call only while no connection
/// of this process has the file open.
pub(super) fn probe(path: &Path) -> Result<()> {
    let mut head = [0_u8; 100];
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed())
        .open(path)
        .map_err(|e| io_at(path, &e))?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]).map_err(|e| io_at(path, &e))? {
            0 => break,
            n => filled += n,
        }
    }
    drop(file);
    if filled < head.len() || !head.starts_with(SQLITE_MAGIC) {
        return Err(Error::NotADatabase {
            path: path.to_owned(),
            reason: "the file does not start with the SQLite header".into(),
        });
    }
    let field = |at: usize| i64::from(i32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]));
    judge(path, Header { user_version: field(60), application_id: field(68) })
}

/// Refuses a newer casebook's database or another application's.
fn judge(path: &Path, header: Header) -> Result<()> {
    if header.user_version > LATEST_VERSION {
        return Err(Error::SchemaTooNew { path: path.to_owned(), found: header.user_version, known: LATEST_VERSION });
    }
    if header.application_id != 0 && header.application_id != APPLICATION_ID {
        return Err(Error::NotADatabase {
            path: path.to_owned(),
            reason: "it is an SQLite database of another application".into(),
        });
    }
    Ok(())
}

pub(super) fn io_at(path: &Path, e: &std::io::Error) -> Error {
    Error::Invalid(format!("{}: {e}", path.display()))
}

/// What an SQLite error met while opening `path` really means.
pub(super) fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as Code;
    let reason = e.to_string();
    let say = |what: &str| Error::Invalid(format!("{}: {what} ({reason}); nothing was changed", path.display()));
    match e.sqlite_error_code() {
        Some(Code::NotADatabase) => Error::NotADatabase { path: path.to_owned(), reason },
        Some(Code::DatabaseCorrupt) => Error::Damaged { path: path.to_owned(), reason },
        Some(Code::CannotOpen) => Error::Invalid(format!(
            "{}: cannot open the database ({reason}); check that the file and its folder can be read and written",
            path.display()
        )),
        Some(Code::DiskFull) => say("the disk is full; free some space and try again"),
        Some(Code::SystemIoFailure) => {
            say("the disk reported an I/O error (is it full, removed or failing?); free space or check the disk")
        }
        Some(Code::ReadOnly) => Error::ReadOnly { path: path.to_owned() },
        Some(Code::PermissionDenied) => say("permission denied; check the file's and its folder's permissions"),
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => {
            say("another process holds the database locked; try again when it has finished")
        }
        _ => Error::Sql(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_or_foreign_header_is_refused_and_ours_or_a_blank_one_is_not() {
        let ok = |user_version, application_id| judge(Path::new("x.db"), Header { user_version, application_id });
        assert!(ok(0, 0).is_ok());
        assert!(ok(LATEST_VERSION, APPLICATION_ID).is_ok());
        assert!(matches!(ok(LATEST_VERSION + 1, APPLICATION_ID), Err(Error::SchemaTooNew { .. })));
        assert!(matches!(ok(1, 0x1234), Err(Error::NotADatabase { .. })));
    }

    #[test]
    fn a_short_or_foreign_file_is_not_an_sqlite_database() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short");
        std::fs::write(&short, SQLITE_MAGIC).unwrap();
        let text = dir.path().join("text");
        std::fs::write(&text, "supplier,lot\n".repeat(20)).unwrap();
        for path in [short, text] {
            let refused = probe(&path).unwrap_err().to_string();
            assert!(refused.contains("does not start with the SQLite header"), "{refused}");
        }
    }
}
