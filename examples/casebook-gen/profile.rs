//! Who each generated supplier is: ODM claimant, trading company or OEM;
//! what it makes; how good its yield is and how many lots it runs. Everything
//! else (the dossier entry, the lots) is drawn from the profile, so the two
//! files agree.

use casebook::model::Process;

use crate::common::Rng;
use crate::common::lots::Product;

/// Days in the 24 months the lots cover (2024-11-01 ..= 2026-10-31).
pub const DAYS: u32 = 730;

/// How much manufacturing evidence an ODM claimant's audits turn up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backing {
    Strong,
    Mixed,
    Weak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Odm(Backing),
    Trading,
    Oem,
}

/// How a supplier's lots scatter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yield {
    Stable,
    Noisy,
    Spiky,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub index: u32,
    pub code: String,
    pub kind: Kind,
    pub products: Vec<Product>,
    /// Target fraction nonconforming.
    pub rate: f64,
    pub scatter: Yield,
    pub lots: u32,
    /// First production day, counted from the start of the 24 months.
    pub first_day: u32,
}

/// Case styles a factory can specialise in: SKU suffix, process, material.
const STYLES: [(&str, Process, &str); 10] = [
    ("DUAL", Process::CoMolding, "TPU+PC"),
    ("CLEAR", Process::Injection, "PC"),
    ("SLIM", Process::Injection, "PC"),
    ("SOFT", Process::Injection, "TPU"),
    ("MAG", Process::Assembly, "TPU+PC"),
    ("RUGGED", Process::CoMolding, "TPU+PC"),
    ("SILI", Process::Other, "silicone"),
    ("SILPC", Process::CoMolding, "silicone+PC"),
    ("FOLIO", Process::Assembly, "PU leather+PC"),
    ("PRINT", Process::Printing, "PC"),
];
const PHONES: [&str; 9] = ["IP16", "IP16PM", "IP15", "IP17", "S25", "S25U", "A55", "PIX9", "PIX10"];
const TABLETS: [&str; 3] = ["IPAD11", "IPADAIR", "TABS9"];

pub fn code(index: u32) -> String {
    format!("GEN-{:05}", index + 1)
}

impl Profile {
    pub fn draw(seed: u64, index: u32) -> Self {
        let code = code(index);
        let mut rng = Rng::for_key(seed, &format!("profile/{code}"));
        let kind = if index == 0 {
            Kind::Odm(Backing::Strong)
        } else {
            match rng.unit() {
                x if x < 0.16 => Kind::Odm(Backing::Strong),
                x if x < 0.30 => Kind::Odm(Backing::Mixed),
                x if x < 0.40 => Kind::Odm(Backing::Weak),
                x if x < 0.50 => Kind::Trading,
                _ => Kind::Oem,
            }
        };
        let scatter = match (index, rng.unit()) {
            (0, _) => Yield::Stable,
            (_, x) if x < 0.65 => Yield::Stable,
            (_, x) if x < 0.90 => Yield::Noisy,
            _ => Yield::Spiky,
        };
        let first_day = if index > 0 && rng.chance(0.25) { rng.range(0, DAYS / 2) } else { 0 };
        Self {
            index,
            code,
            kind,
            products: products(&mut rng),
            rate: 0.03 + 0.17 * rng.unit() * rng.unit(),
            scatter,
            lots: 0,
            first_day,
        }
    }

    /// Trading companies run no lots, nor do a few ODM claimants: the
    /// "no production lots at all" case.
    pub fn runs_lots(&self, rng: &mut Rng) -> bool {
        match self.kind {
            Kind::Trading => false,
            Kind::Odm(Backing::Weak) => rng.chance(0.7),
            Kind::Odm(_) | Kind::Oem => true,
        }
    }
}

/// Two to four styles on a few devices each.
fn products(rng: &mut Rng) -> Vec<Product> {
    let styles = rng.range(2, 4);
    let mut out: Vec<Product> = Vec::new();
    for _ in 0..styles {
        let (style, process, material) = *rng.pick(&STYLES);
        let devices: &[&str] = if style == "FOLIO" { &TABLETS } else { &PHONES };
        for _ in 0..rng.range(1, 3) {
            let sku = format!("{}-{style}", rng.pick(devices));
            if !out.iter().any(|p| p.sku == sku) {
                out.push(Product::new(&sku, process, material));
            }
        }
    }
    out
}

/// Splits `total` lots: exactly `first` to supplier 1, the rest over the
/// other lot-running suppliers in proportion to a random weight (0.5–1.5).
pub fn allot(profiles: &mut [Profile], seed: u64, total: u64, first: u32) -> Result<(), String> {
    let mut rng = Rng::for_key(seed, "allot");
    let holders: Vec<usize> = (1..profiles.len()).filter(|&i| profiles[i].runs_lots(&mut rng)).collect();
    let rest = total - u64::from(first);
    if rest > 0 && holders.is_empty() {
        return Err(format!("no supplier besides GEN-00001 runs lots; raise --suppliers to place {rest} more lots"));
    }
    profiles[0].lots = first;
    let weights: Vec<f64> = holders.iter().map(|_| 0.5 + rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let mut given = 0;
    for (&i, w) in holders.iter().zip(&weights) {
        let share = whole(rest as f64 * w / sum);
        profiles[i].lots = u32::try_from(share).map_err(|_| "too many lots for one supplier".to_owned())?;
        given += share;
    }
    for &i in holders.iter().cycle().take(usize::try_from(rest - given).map_err(|e| e.to_string())?) {
        profiles[i].lots += 1;
    }
    Ok(())
}

/// The floor of a non-negative share.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // shares are ≥ 0 and ≤ the u64 total
fn whole(x: f64) -> u64 {
    x.floor() as u64
}
