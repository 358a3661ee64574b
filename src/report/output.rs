//! Writing a finished report: never over the database or its side files,
//! and never half a file — the bytes go to a temporary file beside the
//! target, which is then renamed over it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// SQLite's side files of a database `db`.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Whether `candidate` is the database `db` or one of its side files, by
/// path and by file identity (a hard link or symlink counts). Only looks
/// files up (`stat`); never opens one, so no lock of ours is dropped.
pub fn is_database_file(db: &Path, candidate: &Path) -> bool {
    if db.as_os_str() == ":memory:" {
        return false;
    }
    let target = normalized(candidate);
    let target_id = identity(candidate);
    let mut sides = vec![db.to_owned()];
    sides.extend(SIDE_FILES.iter().map(|suffix| side_file(db, suffix)));
    sides.iter().any(|side| {
        (target.is_some() && normalized(side) == target) || target_id.is_some_and(|id| identity(side) == Some(id))
    })
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The absolute path with symlinks resolved; for a file that does not exist
/// yet, its resolved folder joined with its name.
fn normalized(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = std::fs::canonicalize(path) {
        return Some(full);
    }
    let name = path.file_name()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Refuses a report target that is the database, one of its side files, or
/// a folder.
pub fn check_target(database: &Path, path: &Path) -> Result<()> {
    if is_database_file(database, path) {
        return Err(Error::Invalid(format!(
            "{}: that is the database (or one of its side files); choose another file for the report",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::Invalid(format!("{}: is a folder; give a file name for the report", path.display())));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, after [`check_target`].
pub fn write_file(database: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    check_target(database, path)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let io = |e: std::io::Error| Error::Invalid(format!("{}: cannot write the report: {e}", path.display()));
    let mut temp = tempfile::Builder::new().prefix(".casebook-report-").tempfile_in(dir).map_err(io)?;
    temp.write_all(bytes).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A temporary file is private (0600); a report is meant to be shared.
        temp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(io)?;
    }
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_and_side_files_are_recognised_by_path_and_link() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cb.db");
        std::fs::write(&db, b"x").unwrap();
        assert!(is_database_file(&db, &db));
        assert!(is_database_file(&db, &dir.path().join("cb.db-wal")));
        assert!(is_database_file(&db, &dir.path().join("./cb.db-shm")));
        assert!(!is_database_file(&db, &dir.path().join("cb.db.pdf")));
        let link = dir.path().join("other-name");
        std::fs::hard_link(&db, &link).unwrap();
        assert!(is_database_file(&db, &link));
        assert!(!is_database_file(Path::new(":memory:"), &db));
    }

    #[test]
    fn write_refuses_the_database_and_replaces_other_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cb.db");
        std::fs::write(&db, b"database").unwrap();
        let err = write_file(&db, &db, b"report").unwrap_err();
        assert!(err.to_string().contains("that is the database"), "{err}");
        assert_eq!(std::fs::read(&db).unwrap(), b"database");
        let out = dir.path().join("r.html");
        std::fs::write(&out, b"old").unwrap();
        write_file(&db, &out, b"new report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new report");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left behind");
    }
}
