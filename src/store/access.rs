//! Looking at a database file before SQLite does: what is at the path,
//! whether this user may write it (and the side files SQLite needs), and —
//! while no connection of this process holds it — its header.
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
                    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
                    std::fs::create_dir_all(dir).map_err(|e| io_at(dir, &e))?;
                    if !writable(dir) {
                        return Err(Error::Invalid(format!(
                            "{}: cannot create the database: its folder {} is not writable by this user; nothing \
                             was changed",
                            path.display(),
                            dir.display()
                        )));
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

/// How this process may use a database file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Access {
    ReadWrite,
    /// Readable only; `why` finishes "cannot write the database: …".
    ReadOnly {
        why: String,
        how: ReadOnlyOpen,
    },
}

/// How a read-only file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadOnlyOpen {
    /// No WAL beside it: the main file holds every committed change, and
    /// `immutable=1` reads it without locks and without creating `-wal` or
    /// `-shm` files that its owner could then not write.
    Immutable,
    /// Its `-wal` and `-shm` exist: read through them, creating nothing.
    Shared,
}

/// Decides from permissions (`access(2)`, which opens nothing) whether this
/// user can write the database at `path` and the side files SQLite needs.
pub(super) fn access(path: &Path) -> Result<Access> {
    let side = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    let (wal, shm) = (side("-wal"), side("-shm"));
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let (has_wal, has_shm) = (wal.exists(), shm.exists());
    let read_only = |why: String| {
        let how = match (has_wal, has_shm) {
            (false, _) => ReadOnlyOpen::Immutable,
            (true, true) => ReadOnlyOpen::Shared,
            (true, false) => {
                return Err(Error::Invalid(format!(
                    "{}: has a WAL ({}) but no shared-memory index, and {why}; reading it would create {} owned \
                     by this user, which its owner could then not write — open it once as its owner (any \
                     casebook command does) and try again; nothing was changed",
                    path.display(),
                    wal.display(),
                    shm.display()
                )));
            }
        };
        Ok(Access::ReadOnly { why, how })
    };
    if !writable(path) {
        return read_only("this user cannot write it (check the file's owner and permissions)".to_owned());
    }
    let foreign: Vec<String> =
        [&wal, &shm].into_iter().filter(|f| f.exists() && !writable(f)).map(|f| f.display().to_string()).collect();
    if !foreign.is_empty() {
        return read_only(format!(
            "{} belong(s) to another user and cannot be written by this one (when nobody has the database open, \
             they can be deleted)",
            foreign.join(" and ")
        ));
    }
    let side_files_exist = has_wal && has_shm;
    if !side_files_exist && !writable(folder) {
        return read_only(format!(
            "its folder {} is not writable, and SQLite needs to create {} beside it (make the folder writable, or \
             move the database)",
            folder.display(),
            wal.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
    }
    Ok(Access::ReadWrite)
}

/// Whether this process (its effective user) may write `path`; for a
/// folder, create files in it.
pub(super) fn writable(path: &Path) -> bool {
    use rustix::fs::{Access as Mode, AtFlags, CWD};
    let mode = if path.is_dir() { Mode::WRITE_OK | Mode::EXEC_OK } else { Mode::WRITE_OK };
    rustix::fs::accessat(CWD, path, mode, AtFlags::EACCESS).is_ok()
}

/// `path` as an SQLite URI (`file:` with every byte outside the unreserved
/// set percent-encoded) with the given query.
pub(super) fn uri(path: &Path, query: &str) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = String::from("file:");
    for &b in absolute.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out.push('?');
    out.push_str(query);
    out
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

/// What a file looked like (size, modification time) when it was opened
/// without locks, to tell afterwards whether it changed meanwhile.
type Stamp = (u64, Option<std::time::SystemTime>);

static UNLOCKED_READS: std::sync::Mutex<Vec<(std::path::PathBuf, Stamp)>> = std::sync::Mutex::new(Vec::new());

fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()))
}

/// Notes a file opened with `immutable=1` (no locks: its owner may write it
/// meanwhile).
pub(super) fn note_unlocked_read(path: &Path) {
    if let Some(stamp) = stamp(path) {
        let mut reads = UNLOCKED_READS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !reads.iter().any(|(p, _)| p == path) {
            reads.push((path.to_owned(), stamp));
        }
    }
}

/// Whether every file this process read without locks is still as it was
/// when opened: if its owner wrote to it meanwhile, what was read may mix
/// before and after, and the command should be run again.
pub fn unlocked_reads_held() -> Result<()> {
    let reads = UNLOCKED_READS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (path, then) in reads.iter() {
        if stamp(path).as_ref() != Some(then) {
            return Err(Error::Invalid(format!(
                "{}: the database changed while casebook read it (it is read-only for this user, so it was read \
                 without locks, and its owner wrote to it meanwhile); what was shown may be inconsistent — run \
                 the command again",
                path.display()
            )));
        }
    }
    Ok(())
}

pub(super) fn io_at(path: &Path, e: &std::io::Error) -> Error {
    Error::Invalid(format!("{}: {e}", path.display()))
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
