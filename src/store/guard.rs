//! Keeping everything but SQLite away from the database file.
//!
//! Closing *any* descriptor of a file drops every POSIX lock the process
//! holds on it, including SQLite's. Another process closing its connection
//! then believes it is the last one, checkpoints, and deletes the WAL this
//! process is still writing into: everything written afterwards is lost.
//! So no path that may name the database (or its `-wal`, `-shm`, `-journal`)
//! is ever opened outside SQLite while a connection may be open; every file
//! a user names — to import, attach, export to, back up to — is checked with
//! [`same_file_as_database`] first. `stat` opens no descriptor, so comparing
//! device and inode is safe.
//!
//! The module also keeps the process-wide tally of open connections per
//! database file, so that the one place that reads a file's header before
//! SQLite does ([`super::open`]) only does so while no connection of this
//! process holds that file.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};

/// The files SQLite keeps beside a database, by suffix.
const SIDE_FILES: [(&str, &str); 4] = [
    ("", "the casebook database itself"),
    ("-wal", "the casebook database's WAL"),
    ("-shm", "the casebook database's shared-memory index"),
    ("-journal", "the casebook database's journal"),
];

/// Whether `candidate` is the database `db` or one of its side files
/// (`-wal`, `-shm`, `-journal`), by device and inode when both exist (a hard
/// link or a symbolic link counts), and by path otherwise. Never opens either.
pub fn same_file_as_database(db: &Path, candidate: &Path) -> bool {
    which_database_file(db, candidate).is_some()
}

/// Refuses `candidate` when it is the database `db` or one of its side files:
/// `what` says what casebook was going to do with it ("import", "write the
/// export to", …).
pub fn refuse_database_file(db: &Path, candidate: &Path, what: &str) -> Result<()> {
    match which_database_file(db, candidate) {
        None => Ok(()),
        Some(role) => Err(Error::Invalid(format!(
            "{}: this is {role} ({}); casebook will not {what} it — choose another file",
            candidate.display(),
            db.display()
        ))),
    }
}

/// What `candidate` is to the database `db`, if anything.
fn which_database_file(db: &Path, candidate: &Path) -> Option<&'static str> {
    let named = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let candidate_key = FileKey::of(candidate);
    let candidate_name = normalised(candidate);
    SIDE_FILES.iter().find_map(|(suffix, role)| {
        let side = named(suffix);
        let same = match (candidate_key, FileKey::of(&side)) {
            (Some(a), Some(b)) => a == b,
            // One of them does not exist (yet): the same name is the same file.
            _ => candidate_name.is_some() && candidate_name == normalised(&side),
        };
        same.then_some(*role)
    })
}

/// An absolute path with the folder's symbolic links resolved, the file's
/// name kept as written (the file may not exist).
fn normalised(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let name = absolute.file_name()?;
    let folder = absolute.parent()?;
    Some(std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_owned()).join(name))
}

/// A file's identity: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileKey {
    dev: u64,
    ino: u64,
}

impl FileKey {
    /// `stat` (follows symbolic links; opens nothing). `None` if missing.
    pub(super) fn of(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|m| Self::from_metadata(&m))
    }

    pub(super) fn from_metadata(meta: &std::fs::Metadata) -> Self {
        Self { dev: meta.dev(), ino: meta.ino() }
    }
}

/// Connections of this process by database file.
static OPEN: Mutex<Vec<(FileKey, usize)>> = Mutex::new(Vec::new());

/// The tally, locked: held while a connection is being opened, so that no
/// other thread reads a header between "nobody holds it" and "held".
pub(super) struct Tally(MutexGuard<'static, Vec<(FileKey, usize)>>);

impl Tally {
    pub(super) fn lock() -> Self {
        Self(OPEN.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Whether a connection of this process has `key` open.
    pub(super) fn holds(&self, key: FileKey) -> bool {
        self.0.iter().any(|(k, n)| *k == key && *n > 0)
    }

    /// Counts one more connection on `key` until the returned guard drops.
    pub(super) fn hold(&mut self, key: FileKey) -> Held {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => self.0.push((key, 1)),
        }
        Held(key)
    }
}

/// One open connection on a file, counted until dropped (after the
/// connection itself: declare it after the connection in a struct).
#[derive(Debug)]
pub(super) struct Held(FileKey);

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = open.iter().position(|(k, _)| *k == self.0) {
            open[at].1 -= 1;
            if open[at].1 == 0 {
                open.swap_remove(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_and_its_side_files_are_recognised_by_name_and_by_inode() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("casebook.db");
        std::fs::write(&db, b"x").unwrap();
        std::fs::write(dir.path().join("casebook.db-wal"), b"w").unwrap();
        std::fs::write(dir.path().join("other.csv"), b"o").unwrap();
        std::os::unix::fs::symlink(&db, dir.path().join("link.db")).unwrap();
        std::fs::hard_link(dir.path().join("casebook.db-wal"), dir.path().join("hard")).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();

        for same in ["casebook.db", "link.db", "hard", "casebook.db-shm", "casebook.db-journal", "sub/../casebook.db"] {
            assert!(same_file_as_database(&db, &dir.path().join(same)), "{same}");
        }
        for other in ["other.csv", "casebook.db.bak", "missing.json", "sub"] {
            assert!(!same_file_as_database(&db, &dir.path().join(other)), "{other}");
        }
        let refused = refuse_database_file(&db, &dir.path().join("hard"), "import").unwrap_err().to_string();
        assert!(
            refused.contains("is the casebook database's WAL") && refused.contains("will not import it"),
            "{refused}"
        );
    }

    #[test]
    fn a_relative_path_is_the_same_file_as_its_absolute_form() {
        let here = std::env::current_dir().unwrap();
        let db = here.join("no-such-casebook-test.db");
        assert!(same_file_as_database(&db, Path::new("no-such-casebook-test.db-wal")));
        assert!(!same_file_as_database(&db, Path::new("no-such-casebook-test.db.json")));
    }

    #[test]
    fn the_tally_counts_connections_per_file_until_they_drop() {
        let key = FileKey { dev: u64::MAX, ino: 42 };
        let first = Tally::lock().hold(key);
        let second = Tally::lock().hold(key);
        assert!(Tally::lock().holds(key));
        drop(first);
        assert!(Tally::lock().holds(key));
        drop(second);
        assert!(!Tally::lock().holds(key));
    }
}
