//! `casebook backup`: a verified copy of the database, and of its file store,
//! made in bounded time while other processes keep writing.
//!
//! SQLite's online backup copied in small steps restarts whenever another
//! process writes, so under a write every two seconds it never ended. Here
//! the pages are copied in one step, under one read transaction: writers
//! carry on in the WAL and the copy is the database as of that moment. It is
//! written to a hidden temporary name beside the destination, checked
//! (`integrity_check` and every audit seal), and only then renamed to the
//! destination, which never exists half-written. Attached files are copied
//! into the destination's file store first, so a backup that exists is
//! whole.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::files::FileStore;
use super::{Reader, Store, access};
use crate::error::{Error, Result};

/// What a backup copied and found.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub dest: PathBuf,
    pub pages: i32,
    pub bytes: u64,
    /// Submitted audits whose seals were verified in the copy.
    pub seals: usize,
    /// The copy's audit chain head (sequence, hash).
    pub head: (i64, String),
    /// Attached files copied into the destination's file store.
    pub files: usize,
    /// What is wrong in the copy — seals that do not verify, attached files
    /// that could not be copied — although the copy itself is sound (the
    /// database has the same problems: `casebook check` says more).
    pub problems: Vec<String>,
    pub took: Duration,
}

impl Store {
    /// Copies the database to `dest` (which must not exist), with its
    /// attached files, and verifies the copy before it takes its name.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport> {
        let started = Instant::now();
        super::refuse_database_file(&self.path, dest, "write the backup over")?;
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(Error::Invalid(format!("{}: already exists; choose a new file name", dest.display())));
        }
        let name = dest.file_name().ok_or_else(|| Error::Invalid(format!("{}: not a file name", dest.display())))?;
        let folder = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
        let at =
            |e: std::io::Error| Error::Invalid(format!("{}: cannot write the backup there: {e}", folder.display()));
        // Removed when dropped, unless renamed to `dest`: a failed backup leaves nothing.
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".partial")
            .tempfile_in(folder)
            .map_err(at)?
            .into_temp_path();
        let pages = {
            let _phase = crate::trace::phase("backup: copy every page in one read transaction");
            self.copy_pages(&temp)?
        };
        {
            let _phase = crate::trace::phase("backup: fsync the copy");
            std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(at)?;
        }
        let mut report = {
            let _phase = crate::trace::phase("backup: verify the copy (integrity_check, seals)");
            verify_copy(&temp, dest)?
        };
        report.pages = pages;
        let _phase = crate::trace::phase("backup: copy attached files, rename");
        let (files, problems) = self.copy_files(&temp, dest)?;
        report.files = files;
        report.problems.extend(problems);
        report.bytes = std::fs::metadata(&temp).map_or(0, |m| m.len());
        rename_new(&temp, dest)?;
        // It is `dest` now: nothing to remove.
        let _ = temp.keep();
        std::fs::File::open(folder).and_then(|d| d.sync_all()).map_err(at)?;
        report.took = started.elapsed();
        Ok(report)
    }

    /// Every page of the database into the empty file `temp`, in one step
    /// under one read transaction. Returns the number of pages.
    fn copy_pages(&self, temp: &Path) -> Result<i32> {
        let mut target =
            Connection::open_with_flags(temp, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // A scratch file: no journal beside it; synced once at the end.
        target.pragma_update(None, "journal_mode", "OFF")?;
        target.pragma_update(None, "synchronous", "OFF")?;
        let backup = Backup::new(&self.conn, &mut target)?;
        let deadline = Instant::now() + self.patience.limit;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => {
                    return Err(Error::Invalid(format!(
                        "{}: another process kept the database locked; the backup was not made",
                        self.path.display()
                    )));
                }
            }
        }
        let pages = backup.progress().pagecount;
        drop(backup);
        // The copy's header says WAL, as the database's does; a backup is one
        // file that any SQLite tool opens, even on read-only media.
        target.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(pages)
    }

    /// Copies every stored attachment the copy refers to into `dest`'s file
    /// store (each verified by its hash on the way).
    fn copy_files(&self, copy: &Path, dest: &Path) -> Result<(usize, Vec<String>)> {
        let conn = open_copy(copy)?;
        let rows = Reader { conn: &conn }.attachments()?;
        let (from, to) = (FileStore::for_database(&self.path), FileStore::for_database(dest));
        let mut wanted: Vec<&str> = rows.iter().flatten().filter(|a| a.stored).map(|a| a.sha256.as_str()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut problems = Vec::new();
        for sha in &wanted {
            let copied = from.path_of(sha).and_then(|source| to.put(&source));
            match copied {
                Ok(stored) if stored.sha256 == *sha => {}
                Ok(stored) => problems.push(format!(
                    "attached file {sha} is damaged in {} (its content hashes to {}); not copied",
                    from.root().display(),
                    stored.sha256
                )),
                Err(e) => problems.push(format!("attached file {sha} could not be copied: {e}")),
            }
        }
        Ok((wanted.len(), problems))
    }
}

/// The copy opened read-only without locks or side files: nobody else
/// knows its temporary name.
fn open_copy(copy: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    Ok(Connection::open_with_flags(access::uri(copy, "immutable=1"), flags)?)
}

/// `integrity_check`, every audit seal, the history chain and the facts of
/// the copy; an unsound copy is refused (and removed by the caller).
fn verify_copy(copy: &Path, dest: &Path) -> Result<BackupReport> {
    let conn = open_copy(copy)?;
    let read = Reader { conn: &conn };
    let damage = read.integrity_problems()?;
    if !damage.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: the copy failed SQLite's integrity check ({}); the backup was not made — run `casebook check` \
             on the database",
            dest.display(),
            damage.join("; ")
        )));
    }
    let chain = read.verify_seals(None)?;
    let mut problems = chain.problems;
    problems.extend(read.verify_history()?.0);
    problems.extend(read.verify_facts()?.0);
    Ok(BackupReport {
        dest: dest.to_owned(),
        pages: 0,
        bytes: 0,
        seals: chain.sealed,
        head: chain.head,
        files: 0,
        problems,
        took: Duration::ZERO,
    })
}

/// Renames `from` to `to`, failing rather than replacing a file that
/// appeared at `to` meanwhile.
fn rename_new(from: &Path, to: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let failed = |e: std::io::Error| Error::Invalid(format!("{}: cannot name the backup: {e}", to.display()));
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // File systems without the flag (some network ones): check, then rename.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            if std::fs::symlink_metadata(to).is_ok() {
                return Err(Error::Invalid(format!(
                    "{}: appeared while the backup was made; not replaced",
                    to.display()
                )));
            }
            std::fs::rename(from, to).map_err(failed)
        }
        Err(e) => Err(failed(e.into())),
    }
}
