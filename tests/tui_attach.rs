//! Photos and documents from the UI (issue 12, §3): `A` on an evidence
//! item of a draft opens a path field (`~` and Tab completion from the
//! folder's entries, the file's kind and size shown), the file is recorded
//! with its SHA-256 and listed under the item, several per item; a folder,
//! a device, a FIFO, a file over the limit and the database itself are
//! refused with a clear message and nothing is written.

#![allow(clippy::unwrap_used)]

mod tui_support;

use sha2::{Digest, Sha256};
use tui_support::{Demo, count, press, text, value};

const W: u16 = 120;
const H: u16 = 40;
const EDITOR: &str = "/armor<Enter><Enter>a<Enter>";
const EVIDENCE: &str = "e<Tab><Tab><Tab><Tab>Peel tests per batch<Enter>2";

/// A JPEG's first bytes and some more.
fn jpeg(fill: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(std::iter::repeat_n(fill, 2_000));
    bytes
}

fn attachments(demo: &Demo) -> i64 {
    count(demo, "SELECT count(*) FROM attachments")
}

#[test]
fn a_photo_is_attached_with_its_hash_and_listed_under_the_item() {
    let demo = Demo::new();
    let photos = demo.dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::write(photos.join("IMG_2041.jpg"), jpeg(1)).unwrap();
    std::fs::write(photos.join("IMG_2042.jpg"), jpeg(2)).unwrap();
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}{EVIDENCE}A"));
    assert!(text(&app, W, H).contains("Attach a photo or document"));
    // Tab completes the folder, then as far as the two photos agree, listing them.
    press(&mut app, &format!("{}/ph<Tab>I<Tab>", demo.dir.path().display()));
    let screen = text(&app, W, H);
    assert!(screen.contains("photos/IMG_204") && screen.contains("IMG_2041.jpg, IMG_2042.jpg"), "{screen}");
    press(&mut app, "1<Tab>");
    let screen = text(&app, W, H);
    assert!(screen.contains("IMG_2041.jpg") && screen.contains("photo (JPEG) · 2.0 kB"), "{screen}");
    press(&mut app, "<Enter>");
    let screen = text(&app, W, H);
    assert!(screen.contains("File attached") && screen.contains("photo (JPEG)"), "{screen}");
    let sha = casebook::store::hex(&Sha256::digest(jpeg(1)));
    assert_eq!(value(&demo, "SELECT sha256 FROM attachments"), sha);
    assert!(screen.contains(&sha), "{screen}");
    // A second file on the same item.
    press(&mut app, &format!("<Esc>A{}/photos/IMG_2042.jpg<Enter><Esc>", demo.dir.path().display()));
    assert_eq!(attachments(&demo), 2);
    assert_eq!(count(&demo, "SELECT count(DISTINCT evidence_id) FROM attachments"), 1);
    let screen = text(&app, W, H);
    assert!(screen.contains("2 file(s)") && screen.contains("IMG_2041.jpg · 2.0 kB"), "{screen}");
    assert!(screen.contains("IMG_2042.jpg · 2.0 kB"), "{screen}");
    // In the history too.
    assert_eq!(count(&demo, "SELECT count(*) FROM history WHERE entity = 'attachment'"), 2);
}

#[track_caller]
fn refused(demo: &Demo, path: &str, message: &str) {
    let mut app = demo.app();
    press(&mut app, &format!("{EDITOR}{EVIDENCE}A{path}<Enter>"));
    let screen = text(&app, W, H);
    assert!(screen.contains(message), "{message:?} not shown for {path}\n{screen}");
    assert!(screen.contains("Attach a photo or document"), "the form stays open\n{screen}");
    assert_eq!(attachments(demo), 0, "{path} was attached");
}

#[test]
fn folders_devices_fifos_big_files_and_the_database_are_refused() {
    let demo = Demo::new();
    let dir = demo.dir.path().display().to_string();
    refused(&demo, &dir, "is a directory");
    refused(&demo, "/dev/null", "not a regular file");
    let fifo = demo.dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    refused(&demo, &fifo.display().to_string(), "not a regular file");
    let big = demo.dir.path().join("video.mp4");
    std::fs::File::create(&big).unwrap().set_len(50_000_001).unwrap();
    refused(&demo, &big.display().to_string(), "larger than 50 MB (50000000 bytes)");
    refused(&demo, &demo.db().display().to_string(), "is the casebook database itself");
    refused(&demo, &format!("{dir}/no-such.jpg"), "cannot be read");
}
