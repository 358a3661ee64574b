//! Synthetic yield lots and the lot CSV writer.
//!
//! A lot is drawn from a target fraction nonconforming; its defects are split
//! over the codes its process really produces (injection: short shots, flash,
//! sink marks; co-moulding: bubbles and delamination; …), and its
//! nonconforming units are either reworked or scrapped.

use std::io::{self, Write};

use casebook::model::{Lot, Process};
use chrono::NaiveDate;

use super::Rng;

/// The defect columns of the lot CSV, in the order they are written.
pub const DEFECT_CODES: [&str; 10] = [
    "bubble",
    "flash",
    "short_shot",
    "sink_mark",
    "scratch",
    "misalignment",
    "yellowing",
    "delamination",
    "print_smear",
    "tear",
];

/// The contract's fixed columns; defect columns follow.
pub const CSV_COLUMNS: [&str; 10] =
    ["supplier", "lot", "sku", "process", "material", "produced_on", "started", "passed_first", "reworked", "scrapped"];

/// Something a supplier makes: a SKU on one process in one material.
#[derive(Debug, Clone)]
pub struct Product {
    pub sku: String,
    pub process: Process,
    pub material: String,
}

impl Product {
    pub fn new(sku: &str, process: Process, material: &str) -> Self {
        Self { sku: sku.to_owned(), process, material: material.to_owned() }
    }
}

/// How a lot's fraction nonconforming scatters around the supplier's target.
#[derive(Debug, Clone, Copy)]
pub enum Spread {
    /// Binomial-sized scatter clamped to ± `clamp` σ of the target (σ from
    /// the lot size), and no more than six lots in a row on one side: a
    /// process in statistical control, by construction.
    Stable { clamp: f64 },
    /// The rate itself wanders from lot to lot (over-dispersion, the case
    /// Laney's p′ chart is for).
    #[allow(dead_code, reason = "only casebook-gen draws noisy suppliers; the demo's are stable or spiky")]
    Noisy,
    /// A bad lot: the target rate times this factor.
    Spike(f64),
}

/// Which side of the target the last lots fell on, to break long runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Runs {
    side: i8,
    len: u32,
}

impl Runs {
    fn push(&mut self, side: i8) {
        if side != 0 && side == self.side {
            self.len += 1;
        } else {
            self.side = side;
            self.len = u32::from(side != 0);
        }
    }
}

/// Everything that decides one lot except its counts.
#[derive(Debug, Clone)]
pub struct LotDraw<'a> {
    pub code: String,
    pub product: &'a Product,
    pub produced_on: NaiveDate,
    pub started: u32,
    /// Target fraction nonconforming, 0 < rate < 1.
    pub rate: f64,
    pub spread: Spread,
}

/// Draws a lot's counts and defects.
pub fn synth(rng: &mut Rng, draw: &LotDraw<'_>, runs: &mut Runs) -> Lot {
    let n = draw.started;
    let nonconforming = nonconforming(rng, n, draw.rate, draw.spread, runs);
    let scrapped = to_count(f64::from(nonconforming) * (scrap_share(draw.product.process) + 0.1 * (rng.unit() - 0.5)));
    let spike_extra = match draw.spread {
        Spread::Spike(_) => nonconforming.saturating_sub(to_count(f64::from(n) * draw.rate)),
        Spread::Stable { .. } | Spread::Noisy => 0,
    };
    Lot {
        lot: draw.code.clone(),
        sku: draw.product.sku.clone(),
        process: draw.product.process,
        material: draw.product.material.clone(),
        produced_on: draw.produced_on,
        started: n,
        passed_first: n - nonconforming,
        reworked: nonconforming - scrapped,
        scrapped,
        defects: defects(rng, draw.product, nonconforming - spike_extra, spike_extra),
    }
}

fn nonconforming(rng: &mut Rng, n: u32, rate: f64, spread: Spread, runs: &mut Runs) -> u32 {
    let units = f64::from(n);
    let expected = units * rate;
    let sd = (units * rate * (1.0 - rate)).sqrt();
    let drawn = match spread {
        Spread::Stable { clamp } => {
            let mut z = 0.9 * rng.normal();
            if runs.len >= 6 && side_of(z) == runs.side {
                z = -z;
            }
            let lo = (expected - clamp * sd).ceil().max(0.0);
            let hi = (expected + clamp * sd).floor().min(units);
            let drawn = (expected + z * sd).round();
            let drawn = if lo <= hi { drawn.clamp(lo, hi) } else { expected.round() };
            runs.push(side_of(drawn - expected));
            drawn
        }
        Spread::Noisy => {
            let lot_rate = (rate * (0.3 * rng.normal()).exp()).min(0.6);
            units * lot_rate + rng.normal() * (units * lot_rate * (1.0 - lot_rate)).sqrt()
        }
        Spread::Spike(factor) => {
            let lot_rate = (rate * factor).min(0.7);
            units * lot_rate + rng.normal() * (units * lot_rate * (1.0 - lot_rate)).sqrt()
        }
    };
    to_count(drawn.round().clamp(0.0, units))
}

fn side_of(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// A non-negative, already rounded or clamped quantity as a count.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // callers clamp to 0..=u32 range
fn to_count(x: f64) -> u32 {
    x.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// A lot size typical of the process (200–5,000 units, in fifties).
pub fn typical_size(rng: &mut Rng, process: Process) -> u32 {
    let (lo, hi) = match process {
        Process::Injection => (1000, 5000),
        Process::CoMolding => (400, 3000),
        Process::Assembly => (200, 1500),
        Process::Printing => (300, 2500),
        Process::Other => (500, 4000),
    };
    rng.range(lo / 50, hi / 50) * 50
}

/// Typical share of nonconforming units scrapped rather than reworked.
fn scrap_share(process: Process) -> f64 {
    match process {
        Process::Injection => 0.45,
        Process::CoMolding => 0.35,
        Process::Assembly => 0.15,
        Process::Printing => 0.3,
        Process::Other => 0.5,
    }
}

/// Relative frequency of each code of [`DEFECT_CODES`] for a product.
fn defect_weights(product: &Product) -> [f64; 10] {
    let mut w = match product.process {
        // bubble, flash, short_shot, sink_mark, scratch, misalignment, yellowing, delamination, print_smear, tear
        Process::Injection => [0.0, 4.0, 3.0, 3.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        Process::CoMolding => [5.0, 3.0, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0],
        Process::Assembly => [0.0, 0.0, 0.0, 0.0, 3.0, 5.0, 0.0, 0.0, 0.0, 0.0],
        Process::Printing => [0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 6.0, 0.0],
        Process::Other => [2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
    };
    let material = product.material.as_str();
    if product.process == Process::Assembly && (material.contains("leather") || material.contains("veneer")) {
        w[7] = 2.0; // wrap or veneer lifting at the edges
    }
    let yellows = material.contains("TPU") || product.sku.contains("CLEAR");
    if yellows && product.process != Process::Printing {
        w[6] = 1.5;
    }
    w
}

/// The code a bad lot of this process piles up on.
fn spike_code(process: Process) -> usize {
    match process {
        Process::Injection => 2,
        Process::CoMolding => 0,
        Process::Assembly => 5,
        Process::Printing => 8,
        Process::Other => 9,
    }
}

/// Splits `usual` units over the product's codes (weights jittered per lot)
/// and adds `spike` units to its process's dominant failure; the counts sum
/// to exactly `usual + spike`, one defect per nonconforming unit.
fn defects(rng: &mut Rng, product: &Product, usual: u32, spike: u32) -> Vec<(String, u32)> {
    let base = defect_weights(product);
    let mut weights = [0.0; 10];
    for (w, b) in weights.iter_mut().zip(base) {
        *w = b * (0.5 + rng.unit());
    }
    let total: f64 = weights.iter().sum();
    let mut counts = [0_u32; 10];
    for (c, w) in counts.iter_mut().zip(weights) {
        *c = to_count((f64::from(usual) * w / total).floor());
    }
    let heaviest = (0..10).max_by(|&a, &b| weights[a].total_cmp(&weights[b])).expect("ten weights");
    counts[heaviest] += usual - counts.iter().sum::<u32>();
    counts[spike_code(product.process)] += spike;
    let mut out: Vec<(String, u32)> =
        DEFECT_CODES.iter().zip(counts).filter(|&(_, c)| c > 0).map(|(code, c)| ((*code).to_owned(), c)).collect();
    out.sort_unstable();
    out
}

/// Writes lots in the contract CSV format, header first.
pub struct CsvLots<W: Write> {
    out: W,
    rows: u64,
}

impl<W: Write> CsvLots<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        let defect_columns = DEFECT_CODES.map(|c| format!("defect:{c}"));
        writeln!(out, "{},{}", CSV_COLUMNS.join(","), defect_columns.join(","))?;
        Ok(Self { out, rows: 0 })
    }

    pub fn write(&mut self, supplier: &str, lot: &Lot) -> io::Result<()> {
        for text in [supplier, &lot.lot, &lot.sku, &lot.material] {
            assert!(!text.contains([',', '"', '\n', '\r']), "{text:?} would need CSV quoting");
        }
        write!(
            self.out,
            "{supplier},{},{},{},{},{},{},{},{},{}",
            lot.lot,
            lot.sku,
            lot.process,
            lot.material,
            lot.produced_on,
            lot.started,
            lot.passed_first,
            lot.reworked,
            lot.scrapped
        )?;
        for code in DEFECT_CODES {
            match lot.defects.iter().find(|(c, _)| c == code) {
                Some((_, n)) => write!(self.out, ",{n}")?,
                None => self.out.write_all(b",")?,
            }
        }
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes and returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}
