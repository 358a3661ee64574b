//! Attaching a photo or document to an evidence item from the UI: the
//! file is checked (a regular file, not the database or its side files,
//! at most [`MAX_ATTACHMENT`] bytes), hashed, and recorded with its path,
//! size and SHA-256, in history. Everything about the file is learnt with
//! `stat` before it is opened; the database's own files are never opened.
//!
//! One function, [`attach_file`], so that it can hand over to the
//! content-addressed attachment store when that exists.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::Writer;

/// The largest file attached (50 MB): photos and scanned documents, not videos.
pub const MAX_ATTACHMENT: u64 = 50 * 1000 * 1000;

/// What was attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub id: i64,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// From the file's first bytes: `photo (JPEG)`, `document (PDF)`, …
    pub kind: &'static str,
}

/// A file checked and hashed, ready to record (outside any transaction:
/// hashing 50 MB must not hold the write lock).
#[derive(Debug, Clone)]
pub struct Checked {
    path: String,
    size: u64,
    sha256: String,
    kind: &'static str,
}

/// Checks and hashes `file` (see the module's header).
pub fn check_file(database: &Path, file: &Path) -> Result<Checked> {
    let refuse = |why: &str| Error::Invalid(format!("{}: {why}", file.display()));
    let meta = std::fs::metadata(file).map_err(|e| refuse(&format!("cannot be read: {e}")))?;
    if meta.is_dir() {
        return Err(refuse("is a directory; attach the files in it one by one"));
    }
    if !meta.is_file() {
        return Err(refuse("is not a regular file (a FIFO, socket or device)"));
    }
    if meta.len() > MAX_ATTACHMENT {
        return Err(refuse(&format!(
            "is {} bytes; files of at most {MAX_ATTACHMENT} bytes (50 MB) are attached",
            meta.len()
        )));
    }
    if is_database_file(database, &meta) {
        return Err(refuse("is the database itself (or one of its -wal, -shm, -journal files)"));
    }
    let path = std::fs::canonicalize(file).map_err(|e| refuse(&format!("cannot be read: {e}")))?;
    let (size, sha256, head) = hash(&path, meta.len()).map_err(|e| refuse(&format!("cannot be read: {e}")))?;
    Ok(Checked { path: path.to_string_lossy().into_owned(), size, sha256, kind: sniff(&head) })
}

/// Records a checked file under evidence item `evidence`, in history.
pub fn attach_file(writer: &Writer<'_>, evidence: i64, file: &Checked) -> Result<Attached> {
    let id = writer.attach(evidence, &file.path, file.size, &file.sha256)?;
    Ok(Attached { id, path: file.path.clone(), size: file.size, sha256: file.sha256.clone(), kind: file.kind })
}

/// Whether `candidate` (its metadata) is the database or a side file of it.
fn is_database_file(database: &Path, candidate: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let name = database.as_os_str().to_string_lossy();
        let files = [name.to_string(), format!("{name}-wal"), format!("{name}-shm"), format!("{name}-journal")];
        files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .any(|m| m.dev() == candidate.dev() && m.ino() == candidate.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (database, candidate);
        false
    }
}

/// Size, SHA-256 and the first bytes, reading at most `expected` + 1 bytes.
fn hash(path: &Path, expected: u64) -> std::io::Result<(u64, String, Vec<u8>)> {
    let file = std::fs::File::open(path)?;
    let mut reader = file.take(expected + 1);
    let mut hasher = Sha256::new();
    let (mut size, mut head, mut buffer) = (0u64, Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        if head.len() < 8 {
            head.extend_from_slice(&buffer[..n.min(8 - head.len())]);
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, crate::store::hex(&hasher.finalize()), head))
}

/// What the first bytes say the file is.
fn sniff(head: &[u8]) -> &'static str {
    match head {
        [0xFF, 0xD8, 0xFF, ..] => "photo (JPEG)",
        [0x89, b'P', b'N', b'G', ..] => "image (PNG)",
        [b'%', b'P', b'D', b'F', ..] => "document (PDF)",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_say_what_a_file_is() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), "photo (JPEG)");
        assert_eq!(sniff(b"%PDF-1.7"), "document (PDF)");
        assert_eq!(sniff(b"hello"), "file");
    }
}
