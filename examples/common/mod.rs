//! Code shared by the two data generators (`gen_demo` and `casebook-gen`):
//! a seeded random source, the checklist's question codes, synthetic yield
//! lots with process-specific defects, the lot CSV writer and a p-chart for
//! checking what was generated.
//!
//! Nothing here is random at the app's run time: every generator seeds its
//! own [`Rng`], so the same seed always writes the same bytes.

pub mod lots;
pub mod pchart;

use casebook::model::SupplierRecord;
use chrono::NaiveDate;

/// A small xorshift64* generator seeded through splitmix64, so that nearby
/// seeds (supplier 1, 2, 3…) still give unrelated streams.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(splitmix64(seed) | 1)
    }

    /// A generator for one named part of the data: the same name and seed
    /// always give the same stream, whatever else was generated before.
    pub fn for_key(seed: u64, key: &str) -> Self {
        // FNV-1a, enough to spread short keys.
        let hash =
            key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        Self::new(seed ^ hash)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        // 53 random bits: the top of the word, exactly representable.
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        let span = u64::from(hi - lo) + 1;
        lo + u32::try_from(self.next_u64() % span).expect("a value below a u32 span fits a u32")
    }

    /// Uniform index into a slice of `len` items.
    pub fn index(&mut self, len: usize) -> usize {
        assert!(len > 0, "cannot pick from nothing");
        usize::try_from(self.next_u64() % len as u64).expect("an index below a usize length fits a usize")
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    #[allow(dead_code, reason = "the demo's stories decide everything by hand; casebook-gen rolls dice")]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal, Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: ln is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A calendar date from literal parts; panics on a date that does not exist.
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real calendar date")
}

/// `day + n` days.
pub fn plus_days(day: NaiveDate, n: i64) -> NaiveDate {
    day + chrono::Duration::days(n)
}

/// The 41 question codes of checklist template `odm-capability/1`, in order:
/// legitimacy, material compatibility, assembly constraints, production and
/// yield, DFM and engineering, quality control.
pub const QUESTIONS: [&str; 41] = [
    "LG-01", "LG-02", "LG-03", "LG-04", "LG-05", "LG-06", "LG-07", "LG-08", //
    "MC-01", "MC-02", "MC-03", "MC-04", "MC-05", "MC-06", "MC-07", //
    "AC-01", "AC-02", "AC-03", "AC-04", "AC-05", "AC-06", "AC-07", //
    "PY-01", "PY-02", "PY-03", "PY-04", "PY-05", "PY-06", //
    "DF-01", "DF-02", "DF-03", "DF-04", "DF-05", "DF-06", "DF-07", //
    "QC-01", "QC-02", "QC-03", "QC-04", "QC-05", "QC-06",
];

/// Puts a record in the order `casebook export` writes it — claims by date,
/// capability and source; audits by visit and reference — so that importing
/// a generated file and exporting it again gives the same document.
pub fn canonical_order(record: &mut SupplierRecord) {
    record.claims.sort_by(|a, b| {
        (a.stated_on, a.capability.as_str(), a.source.as_str()).cmp(&(
            b.stated_on,
            b.capability.as_str(),
            b.source.as_str(),
        ))
    });
    record.audits.sort_by(|a, b| (a.visited_on, &a.id).cmp(&(b.visited_on, &b.id)));
    record.lots.sort_by(|a, b| (a.produced_on, &a.lot).cmp(&(b.produced_on, &b.lot)));
}
