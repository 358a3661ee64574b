//! Photos for reports: the attached file's bytes, checked against the
//! SHA-256 recorded when it was attached, sniffed as PNG or JPEG from the
//! bytes (never the file name), and scaled down when large so a report with
//! twenty phone photos stays a few megabytes.
//!
//! A photo that cannot be shown never fails the report: the caller gets the
//! reason, draws a placeholder and warns on stderr.

use std::io::Cursor;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::store::AttachmentRow;

/// Photos are scaled to fit this many pixels on their longer side.
pub const MAX_SIDE: u32 = 1600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mime {
    Png,
    Jpeg,
}

impl Mime {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }

    /// PNG or JPEG by their signatures.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }
}

/// An image ready to embed.
#[derive(Debug, Clone)]
pub struct Image {
    pub mime: Mime,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What became of one attachment.
#[derive(Debug, Clone)]
pub enum Loaded {
    Photo(Image),
    /// Not an image (a PDF, a spreadsheet): listed, not drawn.
    Document,
    /// Missing, unreadable, altered or undecodable: a placeholder and a warning.
    Problem(String),
}

/// The stored bytes of an attachment: from the database's file store when
/// `casebook attach` copied it there, else (attachments recorded before the
/// file store) from the path it was attached from. `database` is the
/// casebook file, which is never opened from here (a recorded path pointing
/// at it, or at its `-wal`/`-shm`, is refused).
fn attachment_bytes(database: &Path, attachment: &AttachmentRow) -> Result<Vec<u8>, String> {
    if attachment.stored {
        return crate::store::files::FileStore::for_database(database).read(&attachment.sha256).map_err(|e| match e {
            crate::Error::NotFound(_) => "the file is missing from the file store".to_owned(),
            crate::Error::Damaged { .. } => "the stored file changed since it was attached".to_owned(),
            other => format!("the stored file cannot be read ({other})"),
        });
    }
    if crate::store::same_file_as_database(database, &attachment.path) {
        return Err("the recorded path is the database itself; it is not read".to_owned());
    }
    std::fs::read(&attachment.path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the file is missing".to_owned(),
        _ => format!("the file cannot be read ({e})"),
    })
}

/// Loads an attachment for a report.
pub fn load(database: &Path, attachment: &AttachmentRow) -> Loaded {
    let bytes = match attachment_bytes(database, attachment) {
        Ok(bytes) => bytes,
        Err(problem) => return Loaded::Problem(problem),
    };
    let sha = crate::store::hex(&Sha256::digest(&bytes));
    if sha != attachment.sha256 {
        return Loaded::Problem(format!(
            "the file changed since it was attached ({} bytes, sha256 {sha}; recorded {} bytes, sha256 {})",
            bytes.len(),
            attachment.size,
            attachment.sha256
        ));
    }
    let Some(mime) = Mime::sniff(&bytes) else {
        return Loaded::Document;
    };
    match prepare(mime, bytes) {
        Ok(image) => Loaded::Photo(image),
        Err(e) => Loaded::Problem(format!("the {} image cannot be decoded ({e})", mime.extension())),
    }
}

/// Loads every attachment (decoding and scaling are the slow part: a
/// 12-megapixel JPEG takes a few hundred milliseconds), spread over the
/// machine's cores; the results are in the order given.
pub fn load_all(database: &Path, attachments: &[&AttachmentRow]) -> Vec<Loaded> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(attachments.len());
    if workers <= 1 {
        return attachments.iter().map(|a| load(database, a)).collect();
    }
    let per_worker = attachments.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = attachments
            .chunks(per_worker)
            .map(|chunk| {
                (chunk.len(), scope.spawn(move || chunk.iter().map(|a| load(database, a)).collect::<Vec<_>>()))
            })
            .collect();
        // A worker that panicked still accounts for each of its photos, so
        // the others stay with their evidence items.
        handles
            .into_iter()
            .flat_map(|(n, h)| {
                h.join().unwrap_or_else(|_| {
                    (0..n).map(|_| Loaded::Problem("the photo could not be prepared".to_owned())).collect()
                })
            })
            .collect()
    })
}

/// Checks that the image decodes; scales it to [`MAX_SIDE`] (re-encoded as
/// JPEG, turned upright by its EXIF orientation, which re-encoding drops)
/// when larger, else keeps the original bytes (viewers and Typst apply the
/// orientation themselves).
fn prepare(mime: Mime, bytes: Vec<u8>) -> Result<Image, image::ImageError> {
    use image::ImageDecoder as _;
    use image::metadata::Orientation;
    let format = match mime {
        Mime::Png => image::ImageFormat::Png,
        Mime::Jpeg => image::ImageFormat::Jpeg,
    };
    let mut decoder = image::ImageReader::with_format(Cursor::new(&bytes), format).into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = image::DynamicImage::from_decoder(decoder)?;
    if picture.width().max(picture.height()) <= MAX_SIDE {
        let (w, h) = (picture.width(), picture.height());
        let quarter_turn = matches!(
            orientation,
            Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
        );
        let (width, height) = if quarter_turn { (h, w) } else { (w, h) };
        return Ok(Image { mime, bytes, width, height });
    }
    picture.apply_orientation(orientation);
    let scaled = picture.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 85).encode_image(&scaled)?;
    Ok(Image { mime: Mime::Jpeg, bytes: out, width: scaled.width(), height: scaled.height() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(Mime::sniff(&png(2, 2)), Some(Mime::Png));
        assert_eq!(Mime::sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0]), Some(Mime::Jpeg));
        assert_eq!(Mime::sniff(b"%PDF-1.7"), None);
        assert_eq!(Mime::sniff(b""), None);
    }

    #[test]
    fn small_images_keep_their_bytes_large_ones_are_scaled() {
        let small = png(40, 30);
        let kept = prepare(Mime::Png, small.clone()).unwrap();
        assert_eq!((kept.mime, kept.width, kept.height), (Mime::Png, 40, 30));
        assert_eq!(kept.bytes, small);
        let big = prepare(Mime::Png, png(1760, 550)).unwrap();
        assert_eq!((big.mime, big.width, big.height), (Mime::Jpeg, MAX_SIDE, 500));
        assert_eq!(Mime::sniff(&big.bytes), Some(Mime::Jpeg));
    }

    /// A JPEG taken "sideways": EXIF orientation 6 (rotate 90° clockwise).
    fn sideways_jpeg(width: u32, height: u32) -> Vec<u8> {
        use image::ImageEncoder as _;
        const EXIF_ORIENTATION_6: &[u8] =
            b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([10, 120, 200]));
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(Cursor::new(&mut out));
        encoder.set_exif_metadata(EXIF_ORIENTATION_6.to_vec()).unwrap();
        encoder.write_image(&img, width, height, image::ExtendedColorType::Rgb8).unwrap();
        out
    }

    #[test]
    fn phone_orientation_is_applied_when_scaling_and_reported_when_not() {
        let big = prepare(Mime::Jpeg, sideways_jpeg(1700, 850)).unwrap();
        assert_eq!((big.width, big.height), (800, MAX_SIDE), "scaled and turned upright");
        let decoded = image::load_from_memory(&big.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (800, MAX_SIDE), "the pixels are upright, not only the tag");
        let small_bytes = sideways_jpeg(400, 200);
        let small = prepare(Mime::Jpeg, small_bytes.clone()).unwrap();
        assert_eq!((small.width, small.height), (200, 400), "shown upright by viewers, so sized upright");
        assert_eq!(small.bytes, small_bytes);
    }

    #[test]
    fn truncated_image_is_a_problem_not_a_panic() {
        let mut bytes = png(50, 50);
        bytes.truncate(40);
        assert!(prepare(Mime::Png, bytes).is_err());
    }
}
