//! Attaching a photo or document to an evidence item from the UI: the file
//! is copied into the database's file store first (outside any transaction:
//! copying 50 MB must not hold the write lock), then recorded under the
//! evidence item, in history — the same two steps as `casebook attach`
//! ([`workflow::store_file`], [`workflow::record_attachment`]). What is
//! refused (a folder, a FIFO, a device, a file over the limit, the database
//! itself) is refused by the file store, with the reason.

use std::path::Path;

use crate::error::Result;
use crate::model::MediaType;
use crate::store::Writer;
use crate::workflow::{self, StoredFile};

/// The largest file attached: the file store's limit (50 MB).
pub const MAX_ATTACHMENT: u64 = crate::store::files::MAX_FILE_BYTES;

/// What was attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub id: i64,
    /// Where it was attached from.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// From the file's first bytes: `photo (JPEG)`, `document (PDF)`, …
    pub kind: &'static str,
}

/// A file copied into the file store, ready to record.
#[derive(Debug, Clone)]
pub struct Checked(StoredFile);

/// Copies `file` into the file store of `database` (see the module's header).
pub fn check_file(database: &Path, file: &Path) -> Result<Checked> {
    workflow::store_file(database, file).map(Checked)
}

/// Records a stored file under evidence item `evidence`, in history.
pub fn attach_file(writer: &Writer<'_>, evidence: i64, file: &Checked) -> Result<Attached> {
    let id = workflow::record_attachment(writer, evidence, &file.0)?;
    Ok(Attached {
        id,
        path: file.0.source.to_string_lossy().into_owned(),
        size: file.0.stored.size,
        sha256: file.0.stored.sha256.clone(),
        kind: kind_words(file.0.media_type),
    })
}

/// What the first bytes say the file is, in words.
pub fn kind_words(media: MediaType) -> &'static str {
    match media {
        MediaType::Jpeg => "photo (JPEG)",
        MediaType::Png => "image (PNG)",
        MediaType::Pdf => "document (PDF)",
        MediaType::Other => "file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_say_what_a_file_is() {
        assert_eq!(kind_words(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0])), "photo (JPEG)");
        assert_eq!(kind_words(MediaType::sniff(b"%PDF-1.7")), "document (PDF)");
        assert_eq!(kind_words(MediaType::sniff(b"hello")), "file");
    }
}
