//! Writes phone-sized JPEG photos for `bench/report.sh`: 4032×3024 pixels
//! (12 MP), a gradient with deterministic noise so they compress like real
//! photos (a few megabytes each), numbered `photo-01.jpg` …
//!
//! ```text
//! cargo run --release --example report_photos -- DIR COUNT
//! ```

use std::path::PathBuf;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: report_photos DIR COUNT")?);
    let count: u32 = args.next().context("usage: report_photos DIR COUNT")?.parse()?;
    std::fs::create_dir_all(&dir)?;
    let mut seed: u32 = 0x2545_f491;
    for n in 1..=count {
        let photo = image::RgbImage::from_fn(4032, 3024, |x, y| {
            // xorshift: cheap deterministic noise
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed % 24) as u8;
            let channel = |v: u32| u8::try_from(v % 200).unwrap_or(0).saturating_add(noise);
            image::Rgb([channel(x / 16 + n * 20), channel(y / 12), channel((x + y) / 24)])
        });
        let path = dir.join(format!("photo-{n:02}.jpg"));
        photo.save_with_format(&path, image::ImageFormat::Jpeg).with_context(|| format!("{}", path.display()))?;
    }
    Ok(())
}
