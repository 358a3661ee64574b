//! Paths typed in the UI: `~` stands for the home directory, as in a
//! shell; Tab completes the last part from the directory's entries; and
//! what a typed path is, said without opening it (a `stat`, never an open:
//! the path may be the database itself).

use std::path::{Path, PathBuf};

/// `~` or `~/…` expanded to the home directory; anything else as typed.
pub fn expand(typed: &str) -> PathBuf {
    let home = || dirs::home_dir().unwrap_or_else(|| PathBuf::from("~"));
    match typed.strip_prefix('~') {
        Some("") => home(),
        Some(rest) if rest.starts_with('/') => home().join(rest.trim_start_matches('/')),
        _ => PathBuf::from(typed),
    }
}

/// What Tab made of a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The path typed, completed as far as the entries agree.
    pub text: String,
    /// The entries that still match, when more than one does (at most a few).
    pub choices: Vec<String>,
}

/// Completes the last part of `typed` from the entries of its directory:
/// the one entry that matches (a directory gets its `/`), or as far as all
/// matches agree, listing them. Hidden entries only when asked for with a dot.
pub fn complete(typed: &str) -> Completion {
    let (dir_text, stem) = typed.rsplit_once('/').map_or(("", typed), |(d, s)| (d, s));
    let dir =
        if typed.contains('/') { expand(if dir_text.is_empty() { "/" } else { dir_text }) } else { PathBuf::from(".") };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(std::result::Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let wanted = name.starts_with(stem) && (stem.starts_with('.') || !name.starts_with('.'));
            wanted.then(|| (name, e.file_type().is_ok_and(|t| t.is_dir())))
        })
        .collect();
    names.sort();
    let prefix = if typed.contains('/') { format!("{dir_text}/") } else { String::new() };
    match names.as_slice() {
        [] => Completion { text: typed.to_owned(), choices: Vec::new() },
        [(name, is_dir)] => {
            Completion { text: format!("{prefix}{name}{}", if *is_dir { "/" } else { "" }), choices: Vec::new() }
        }
        many => {
            let common = common_prefix(many.iter().map(|(n, _)| n.as_str()));
            let choices = many.iter().take(12).map(|(n, d)| format!("{n}{}", if *d { "/" } else { "" })).collect();
            Completion { text: format!("{prefix}{common}"), choices }
        }
    }
}

fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else { return String::new() };
    let mut common = first.to_owned();
    for name in names {
        let shared = common.chars().zip(name.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
        common.truncate(shared);
    }
    common
}

/// What the file at a typed path is, in words, from its metadata alone:
/// `photo (JPEG) · 2.4 MB`, or why it cannot be attached.
pub fn describe(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory; choose a file in it (Tab lists them)".to_owned());
    }
    if !meta.is_file() {
        return Err("is not a regular file (a FIFO, socket or device); only files can be attached".to_owned());
    }
    Ok(format!("{} · {}", kind_of(path), size_words(meta.len())))
}

/// The kind of file, from its extension (the bytes are checked on attaching).
pub fn kind_of(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "photo (JPEG)",
        "png" => "image (PNG)",
        "heic" | "heif" => "photo (HEIC)",
        "webp" => "image (WebP)",
        "pdf" => "document (PDF)",
        "doc" | "docx" | "odt" => "document",
        "xls" | "xlsx" | "ods" | "csv" => "spreadsheet",
        "mp4" | "mov" => "video",
        "txt" | "md" => "text",
        _ => "file",
    }
}

/// `812 bytes`, `2.4 MB`.
#[allow(clippy::cast_precision_loss)] // a size shown to one decimal
pub fn size_words(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_from_the_directorys_entries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        std::fs::write(dir.path().join("photos/IMG_2041.jpg"), b"x").unwrap();
        std::fs::write(dir.path().join("photos/IMG_2042.jpg"), b"x").unwrap();
        std::fs::write(dir.path().join("report.pdf"), b"x").unwrap();
        let base = dir.path().display().to_string();
        assert_eq!(complete(&format!("{base}/ph")).text, format!("{base}/photos/"));
        let two = complete(&format!("{base}/photos/IMG"));
        assert_eq!(two.text, format!("{base}/photos/IMG_204"));
        assert_eq!(two.choices, ["IMG_2041.jpg", "IMG_2042.jpg"]);
        assert_eq!(complete(&format!("{base}/photos/IMG_2041")).text, format!("{base}/photos/IMG_2041.jpg"));
        assert_eq!(complete(&format!("{base}/nothing")).text, format!("{base}/nothing"));
    }

    #[test]
    fn a_path_is_described_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("IMG_1.JPG");
        std::fs::write(&photo, vec![0u8; 2_400_000]).unwrap();
        assert_eq!(describe(&photo).unwrap(), "photo (JPEG) · 2.4 MB");
        assert!(describe(dir.path()).unwrap_err().contains("directory"));
        assert!(describe(&dir.path().join("none")).unwrap_err().contains("cannot be read"));
        assert!(describe(Path::new("/dev/null")).unwrap_err().contains("not a regular file"));
    }

    #[test]
    fn a_tilde_is_the_home_directory() {
        let home = dirs::home_dir().unwrap();
        assert_eq!(expand("~"), home);
        assert_eq!(expand("~/lots.csv"), home.join("lots.csv"));
        assert_eq!(expand("~other/x"), PathBuf::from("~other/x"));
        assert_eq!(expand("/tmp/x.csv"), PathBuf::from("/tmp/x.csv"));
        assert_eq!(expand("x.csv"), PathBuf::from("x.csv"));
    }
}
