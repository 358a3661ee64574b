//! Writes a benchmark dataset: `DIR/suppliers.json`, a `casebook-dossier/1`
//! document of N suppliers (claims, audits with evidence, answers and
//! findings; no lots), and `DIR/lots.csv`, M lots in the contract CSV format,
//! ordered by production date over the 24 months ending 2026-10-31.
//!
//! Supplier `GEN-00001` always has exactly 1,000 lots (the per-supplier
//! benchmark uses it); the rest are spread over the other suppliers that run
//! production. The same seed always writes the same bytes, and both files
//! are streamed, so memory stays small whatever the sizes.
//!
//! ```text
//! cargo run --release --example casebook-gen -- --out DIR [--suppliers 5000] [--lots 1000000] [--seed N]
//! ```

#[path = "../common/mod.rs"]
mod common;
mod dossier;
mod profile;
mod stream;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, ensure};
use clap::Parser;

use common::pchart::Chart;
use common::ymd;
use profile::{Backing, Kind, Profile};

#[derive(Debug, Parser)]
#[command(about = "Write a casebook benchmark dataset: DIR/suppliers.json and DIR/lots.csv")]
struct Args {
    /// Directory to write into (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 5000)]
    suppliers: u32,
    #[arg(long, default_value_t = 1_000_000)]
    lots: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Lots of supplier GEN-00001.
const FIRST_SUPPLIER_LOTS: u64 = 1000;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!((1..=99_999).contains(&args.suppliers), "--suppliers must be between 1 and 99999");
    let clock = Instant::now();
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;

    let mut profiles: Vec<Profile> = (0..args.suppliers).map(|i| Profile::draw(args.seed, i)).collect();
    let first = u32::try_from(args.lots.min(FIRST_SUPPLIER_LOTS)).expect("at most 1,000");
    profile::allot(&mut profiles, args.seed, args.lots, first).map_err(anyhow::Error::msg)?;

    let json_path = args.out.join("suppliers.json");
    let mut json = BufWriter::with_capacity(1 << 20, create(&json_path)?);
    serde_json::to_writer_pretty(&mut json, &dossier::Document::new(&profiles, args.seed))?;
    json.write_all(b"\n")?;
    json.flush()?;
    let json_done = clock.elapsed();

    let csv_path = args.out.join("lots.csv");
    let written = stream::write(BufWriter::with_capacity(1 << 20, create(&csv_path)?), &profiles, args.seed)?;
    let csv_done = clock.elapsed().saturating_sub(json_done);

    println!(
        "{}: {} suppliers ({}) in {:.2?}, {}",
        json_path.display(),
        profiles.len(),
        mix(&profiles),
        json_done,
        size(&json_path)?
    );
    println!("{}: {} lots in {:.2?}, {}", csv_path.display(), written.rows, csv_done, size(&csv_path)?);
    println!("{}", first_supplier(&written.first));
    Ok(())
}

fn create(path: &Path) -> anyhow::Result<File> {
    File::create(path).with_context(|| format!("creating {}", path.display()))
}

fn size(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    Ok(format!("{:.1} MB", bytes as f64 / 1e6))
}

fn mix(profiles: &[Profile]) -> String {
    let count = |f: &dyn Fn(Kind) -> bool| profiles.iter().filter(|p| f(p.kind)).count();
    format!(
        "ODM claimants {} strong / {} mixed / {} weak, trading {}, OEM {}; {} without lots",
        count(&|k| k == Kind::Odm(Backing::Strong)),
        count(&|k| k == Kind::Odm(Backing::Mixed)),
        count(&|k| k == Kind::Odm(Backing::Weak)),
        count(&|k| k == Kind::Trading),
        count(&|k| k == Kind::Oem),
        profiles.iter().filter(|p| p.lots == 0).count()
    )
}

/// GEN-00001's p-chart over its last 12 months, to show what the
/// per-supplier benchmark will chart.
fn first_supplier(lots: &[(chrono::NaiveDate, u32, u32)]) -> String {
    let year_ago = ymd(2025, 10, 31);
    let recent: Vec<(u32, u32)> = lots.iter().filter(|(day, ..)| *day > year_ago).map(|&(_, n, d)| (n, d)).collect();
    match Chart::new(&recent) {
        None => format!("{}: {} lots, none in the last 12 months", profile::code(0), lots.len()),
        Some(chart) => format!(
            "{}: {} lots; last 12 months {} lots, FPY {:.1}%, max |z| {:.2}, {} beyond 3σ, {} above 4σ, longest run {}",
            profile::code(0),
            lots.len(),
            chart.lots,
            100.0 * chart.fpy(),
            chart.max_abs_z(),
            chart.beyond_limits(),
            chart.above(4.0),
            chart.longest_run()
        ),
    }
}
