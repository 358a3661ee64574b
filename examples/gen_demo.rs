//! Writes the committed demo fixtures, `fixtures/demo-dossier.json` and
//! `fixtures/demo-lots.csv`, then reads them back, checks them and prints
//! what the app should show for each supplier as of 2026-11-15.
//!
//! Deterministic: the stories are fixed text and every random draw comes
//! from one seed, so running it again rewrites the same bytes.
//!
//! ```text
//! cargo run --example gen_demo
//! ```

#[path = "common/mod.rs"]
mod common;
#[path = "demo/mod.rs"]
mod demo;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use casebook::model::{Dossier, Lot};

use common::lots::CsvLots;

fn main() -> anyhow::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // In the order `casebook export` writes, so export → import → export of
    // the demo reproduces this file (lots aside: export carries them all).
    let mut stories = demo::stories();
    stories.sort_by(|a, b| a.record.supplier.code.cmp(&b.record.supplier.code));
    for story in &mut stories {
        common::canonical_order(&mut story.record);
    }

    let dossier_path = dir.join("demo-dossier.json");
    let dossier = Dossier::new(stories.iter().map(|s| s.record.clone()).collect());
    let mut out =
        BufWriter::new(File::create(&dossier_path).with_context(|| format!("creating {}", dossier_path.display()))?);
    serde_json::to_writer_pretty(&mut out, &dossier)?;
    out.write_all(b"\n")?;
    out.flush()?;

    // A daily MES upload: all suppliers' lots in production order.
    let mut lots: Vec<(&str, &Lot)> =
        stories.iter().flat_map(|s| s.csv_lots.iter().map(|l| (s.record.supplier.code.as_str(), l))).collect();
    lots.sort_by(|a, b| (a.1.produced_on, a.0, &a.1.lot).cmp(&(b.1.produced_on, b.0, &b.1.lot)));
    let csv_path = dir.join("demo-lots.csv");
    let mut csv = CsvLots::new(BufWriter::new(
        File::create(&csv_path).with_context(|| format!("creating {}", csv_path.display()))?,
    ))?;
    for (supplier, lot) in &lots {
        csv.write(supplier, lot)?;
    }
    let rows = csv.finish()?;

    let summaries = demo::check::check(&dossier_path, &csv_path, &stories);
    let in_dossier: usize = stories.iter().map(|s| s.record.lots.len()).sum();
    println!("wrote {} ({} suppliers, {in_dossier} lots)", dossier_path.display(), stories.len());
    println!("wrote {} ({rows} lots)", csv_path.display());
    println!("\nas of {} (p-chart over the lots produced after 2025-11-15):\n", demo::as_of());
    print!("{}", demo::check::table(&summaries));
    Ok(())
}
