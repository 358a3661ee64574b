//! Writing a finished report: never over the database or its side files,
//! and never half a file — the bytes go to a temporary file beside the
//! target, which is then renamed over it.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Refuses a report target that is the database, one of its side files, or
/// a folder.
pub fn check_target(database: &Path, path: &Path) -> Result<()> {
    crate::store::refuse_database_file(database, path, "write the report over")?;
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
    fn write_refuses_the_database_and_replaces_other_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cb.db");
        std::fs::write(&db, b"database").unwrap();
        let err = write_file(&db, &db, b"report").unwrap_err();
        assert!(err.to_string().contains("is the casebook database"), "{err}");
        assert_eq!(std::fs::read(&db).unwrap(), b"database");
        let out = dir.path().join("r.html");
        std::fs::write(&out, b"old").unwrap();
        write_file(&db, &out, b"new report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new report");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left behind");
    }
}
