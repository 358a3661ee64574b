//! The attachment file store: photos and documents copied beside the
//! database, in `<database file name>.files/`, each named by its SHA-256
//! (`ab/abcdef…`), so the record holds the evidence itself and not only a
//! path that may change or vanish.
//!
//! A file goes in through a temporary file in the store, fsync'd, made
//! read-only and renamed into place, so a crash never leaves half a file
//! under a hash name; the same content is stored once. Reading verifies the
//! hash. Only regular files up to [`MAX_FILE_BYTES`] are taken, opened with
//! `O_NONBLOCK` so a FIFO cannot hang; the database itself is refused (see
//! [`super::guard`]).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::access::kind_of;
use super::hex;
use crate::error::{Error, Result};
use crate::model::MediaType;

/// The largest file the store takes: 50 MB, 50,000,000 bytes (a phone
/// photo is 2–10 MB, a scanned report rarely more than 20 MB).
pub const MAX_FILE_BYTES: u64 = 50_000_000;

/// A file stored: its SHA-256 (lower-case hex, the store's key) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
}

/// The file store of one database.
#[derive(Debug, Clone)]
pub struct FileStore {
    db: PathBuf,
    root: PathBuf,
}

impl FileStore {
    /// The store beside `db`: `casebook.db` keeps its files in `casebook.db.files/`.
    pub fn for_database(db: &Path) -> Self {
        let mut name = db.file_name().map(std::ffi::OsStr::to_owned).unwrap_or_default();
        name.push(".files");
        Self { db: db.to_owned(), root: db.with_file_name(name) }
    }

    /// The folder holding the files (it may not exist yet).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this hash is (or would be) kept.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(Error::Invalid(format!("{sha256:?} is not a SHA-256 (64 lower-case hex digits)")));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Whether a file with this hash is in the store (not verified).
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_ok_and(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
    }

    /// Copies `source` into the store and returns its hash and size. Refuses
    /// what is not a regular file, the database itself, and files over
    /// [`MAX_FILE_BYTES`], with the reason; the store is left as it was.
    pub fn put(&self, source: &Path) -> Result<Stored> {
        super::refuse_database_file(&self.db, source, "attach")?;
        let mut input = open_regular(source, MAX_FILE_BYTES)?;
        let at = |e: std::io::Error| Error::Invalid(format!("{}: {e}", self.root.display()));
        std::fs::create_dir_all(&self.root).map_err(at)?;
        let mut temp = tempfile::Builder::new().prefix(".incoming-").tempfile_in(&self.root).map_err(at)?;
        let (size, sha256) = {
            let mut tee = HashingWriter { out: temp.as_file_mut(), hasher: Sha256::new(), size: 0 };
            let copied = std::io::copy(&mut (&mut input).take(MAX_FILE_BYTES + 1), &mut tee);
            copied.map_err(|e| Error::Invalid(format!("{}: cannot be read: {e}", source.display())))?;
            (tee.size, hex(&tee.hasher.finalize()))
        };
        if size > MAX_FILE_BYTES {
            return Err(too_big(source));
        }
        let dest = self.path_of(&sha256)?;
        if self.verify(&sha256, size).is_ok() {
            return Ok(Stored { sha256, size }); // the same content is already there
        }
        temp.as_file().sync_all().map_err(at)?;
        temp.as_file().set_permissions(std::fs::Permissions::from_mode(0o444)).map_err(at)?;
        let folder = dest.parent().unwrap_or(&self.root).to_owned();
        std::fs::create_dir_all(&folder).map_err(at)?;
        temp.persist(&dest).map_err(|e| at(e.error))?;
        // The rename is durable once the folders holding it are synced.
        for dir in [&folder, &self.root] {
            File::open(dir).and_then(|d| d.sync_all()).map_err(at)?;
        }
        Ok(Stored { sha256, size })
    }

    /// The stored file, verified against its hash, positioned at its start.
    pub fn open(&self, sha256: &str) -> Result<File> {
        let path = self.path_of(sha256)?;
        let mut file = open_regular(&path, MAX_FILE_BYTES).map_err(|e| self.missing(sha256, &e))?;
        let (_, actual, _) = hash(&mut file, MAX_FILE_BYTES).map_err(|e| unreadable(&path, &e))?;
        if actual != sha256 {
            return Err(damaged(&path, &actual));
        }
        file.rewind().map_err(|e| unreadable(&path, &e))?;
        Ok(file)
    }

    /// The stored file's bytes, verified against its hash.
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let mut file = open_regular(&path, MAX_FILE_BYTES).map_err(|e| self.missing(sha256, &e))?;
        let mut bytes = Vec::new();
        (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| unreadable(&path, &e))?;
        let actual = hex(&Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(damaged(&path, &actual));
        }
        Ok(bytes)
    }

    /// The stored file's media type, from its first bytes.
    pub fn media_type(&self, sha256: &str) -> Result<MediaType> {
        let path = self.path_of(sha256)?;
        let file = open_regular(&path, MAX_FILE_BYTES).map_err(|e| self.missing(sha256, &e))?;
        let mut head = Vec::with_capacity(8);
        file.take(8).read_to_end(&mut head).map_err(|e| unreadable(&path, &e))?;
        Ok(MediaType::sniff(&head))
    }

    /// Checks that the stored file with this hash is there, whole and
    /// unchanged: a sentence saying what is wrong otherwise.
    pub fn verify(&self, sha256: &str, size: u64) -> std::result::Result<(), String> {
        let path = self.path_of(sha256).map_err(|e| e.to_string())?;
        verify_at(&path, size, sha256)
    }

    fn missing(&self, sha256: &str, e: &Error) -> Error {
        Error::NotFound(format!("no file {sha256} in the file store {} ({e})", self.root.display()))
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::Invalid(format!("{}: cannot be read: {e}", path.display()))
}

fn damaged(path: &Path, actual: &str) -> Error {
    Error::Damaged { path: path.to_owned(), reason: format!("its content now hashes to {actual}, not to its name") }
}

/// Checks the file at `path` against a recorded size and SHA-256, reading at
/// most one byte past the recorded size: a sentence saying what is wrong.
pub fn verify_at(path: &Path, size: u64, sha256: &str) -> std::result::Result<(), String> {
    let mut file = open_regular(path, u64::MAX).map_err(|e| e.to_string())?;
    let (read, actual, longer) =
        hash(&mut file, size).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    if longer {
        return Err(format!("{} was altered: it is now longer than the recorded {size} bytes", path.display()));
    }
    if read != size || actual != sha256 {
        return Err(format!(
            "{} was altered: {read} bytes, sha256 {actual}; recorded {size} bytes, sha256 {sha256}",
            path.display()
        ));
    }
    Ok(())
}

/// Opens `path` for reading without blocking (a FIFO opens at once) and
/// refuses anything but a regular file of at most `limit` bytes.
pub(crate) fn open_regular(path: &Path, limit: u64) -> Result<File> {
    let refuse = |what: String| Error::Invalid(format!("{}: {what}", path.display()));
    // `stat` first: a device or FIFO is refused before it is even opened.
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "is {}, not a regular file; only regular files can be attached or checked",
            kind_of(&meta.file_type())
        )));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits().cast_signed())
        .open(path)
        .map_err(|e| refuse(format!("cannot be read: {e}")))?;
    // And again on what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(|e| refuse(format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "is {}, not a regular file; only regular files can be attached or checked",
            kind_of(&meta.file_type())
        )));
    }
    if meta.len() > limit {
        return Err(too_big(path));
    }
    Ok(file)
}

fn too_big(path: &Path) -> Error {
    Error::Invalid(format!(
        "{}: larger than 50 MB ({MAX_FILE_BYTES} bytes), the most one attachment may be; attach a smaller copy \
         (a resized photo, a PDF excerpt)",
        path.display()
    ))
}

/// Hashes up to `limit` bytes; the third value says whether more followed.
fn hash(file: &mut File, limit: u64) -> std::io::Result<(u64, String, bool)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    let mut read = 0_u64;
    loop {
        let want = usize::try_from((limit - read).min(buf.len() as u64)).unwrap_or(buf.len());
        if want == 0 {
            let mut probe = [0_u8; 1];
            let longer = file.read(&mut probe)? > 0;
            return Ok((read, hex(&hasher.finalize()), longer));
        }
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            return Ok((read, hex(&hasher.finalize()), false));
        }
        hasher.update(&buf[..n]);
        read += n as u64;
    }
}

/// Writes through to `out` while hashing and counting.
struct HashingWriter<'f> {
    out: &'f mut File,
    hasher: Sha256,
    size: u64,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::for_database(&dir.path().join("casebook.db"));
        (dir, files)
    }

    fn leftovers(files: &FileStore) -> Vec<String> {
        std::fs::read_dir(files.root())
            .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_file_goes_in_under_its_hash_read_only_and_comes_back_verified() {
        let (dir, files) = store();
        assert_eq!(files.root(), dir.path().join("casebook.db.files"));
        let photo = dir.path().join("IMG_2041.jpg");
        std::fs::write(&photo, b"\xff\xd8\xff\xe0 a peel test").unwrap();
        let stored = files.put(&photo).unwrap();
        let expected = hex(&Sha256::digest(b"\xff\xd8\xff\xe0 a peel test"));
        assert_eq!(stored, Stored { sha256: expected.clone(), size: 16 });
        let kept = files.root().join(&expected[..2]).join(&expected);
        assert_eq!(files.path_of(&expected).unwrap(), kept);
        assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o444);
        assert!(files.contains(&expected));
        assert_eq!(files.read(&expected).unwrap(), b"\xff\xd8\xff\xe0 a peel test");
        let mut opened = Vec::new();
        files.open(&expected).unwrap().read_to_end(&mut opened).unwrap();
        assert_eq!(opened, b"\xff\xd8\xff\xe0 a peel test");
        assert_eq!(files.media_type(&expected).unwrap(), MediaType::Jpeg);
        assert_eq!(files.verify(&expected, 16), Ok(()));
        // The same bytes again: the same key, still one file, no temporary left.
        std::fs::write(dir.path().join("copy.jpg"), b"\xff\xd8\xff\xe0 a peel test").unwrap();
        assert_eq!(files.put(&dir.path().join("copy.jpg")).unwrap().sha256, expected);
        assert_eq!(leftovers(&files), [&expected[..2]]);
    }

    #[test]
    fn a_damaged_or_missing_stored_file_is_reported_not_returned() {
        let (dir, files) = store();
        let doc = dir.path().join("report.pdf");
        std::fs::write(&doc, b"%PDF-1.7 report").unwrap();
        let Stored { sha256, size } = files.put(&doc).unwrap();
        let kept = files.path_of(&sha256).unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(&kept, b"%PDF-1.7 forged").unwrap();
        assert!(matches!(files.read(&sha256), Err(Error::Damaged { .. })));
        assert!(matches!(files.open(&sha256), Err(Error::Damaged { .. })));
        assert!(files.verify(&sha256, size).unwrap_err().contains("was altered"));
        std::fs::remove_file(&kept).unwrap();
        assert!(!files.contains(&sha256));
        assert!(matches!(files.read(&sha256), Err(Error::NotFound(_))));
        assert!(files.verify(&sha256, size).unwrap_err().contains("cannot be read"));
        // Putting it again repairs the store.
        files.put(&doc).unwrap();
        assert_eq!(files.verify(&sha256, size), Ok(()));
    }

    #[test]
    fn only_regular_files_within_the_limit_go_in_and_nothing_is_left_behind() {
        let (dir, files) = store();
        let db = dir.path().join("casebook.db");
        std::fs::write(&db, b"SQLite format 3\0").unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let zero = dir.path().join("zero.jpg");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let big = dir.path().join("big.pdf");
        std::fs::File::create(&big).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
        let refusals = [
            (dir.path().to_owned(), "is a directory"),
            (fifo, "is a FIFO"),
            (zero, "is a character device"),
            (PathBuf::from("/dev/null"), "is a character device"),
            (big, "larger than 50 MB"),
            (db, "this is the casebook database itself"),
            (dir.path().join("missing.jpg"), "cannot be read"),
        ];
        for (path, why) in refusals {
            let refused = files.put(&path).unwrap_err().to_string();
            assert!(refused.contains(why), "{}: {refused}", path.display());
        }
        assert!(leftovers(&files).iter().all(|name| !name.starts_with(".incoming")), "{:?}", leftovers(&files));
    }

    #[test]
    fn a_key_that_is_not_a_sha256_names_no_file() {
        let (_dir, files) = store();
        for bad in ["../../etc/passwd", "", &"A".repeat(64), &"0".repeat(63)] {
            assert!(files.path_of(bad).is_err(), "{bad}");
            assert!(!files.contains(bad));
        }
    }

    #[test]
    fn verify_at_reads_no_more_than_one_byte_past_the_recorded_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, b"abc").unwrap();
        let sha = hex(&Sha256::digest(b"abc"));
        assert_eq!(verify_at(&path, 3, &sha), Ok(()));
        assert!(verify_at(&path, 2, &sha).unwrap_err().contains("longer than the recorded 2 bytes"));
        assert!(verify_at(&path, 4, &sha).unwrap_err().contains("3 bytes"));
        // A link to an endless device is refused without reading it.
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
        assert!(verify_at(&dir.path().join("zero"), 3, &sha).unwrap_err().contains("character device"));
    }
}
