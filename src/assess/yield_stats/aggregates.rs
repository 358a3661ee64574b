//! Yield figures over a set of lots, pooled (never averaged over lots):
//! FPY, rework and scrap rates, FPY by month, RTY by SKU across its process
//! steps, and the defect Pareto. Lots with no units started are skipped.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;

use crate::model::{Lot, Process};

/// Pooled over all lots; each `None` when no unit was started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub fpy: Option<f64>,
    pub rework_rate: Option<f64>,
    pub scrap_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthYield {
    /// `YYYY-MM`.
    pub month: String,
    pub lots: usize,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: f64,
}

/// One process step of a SKU, pooled over its lots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepYield {
    pub process: Process,
    pub lots: usize,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: f64,
}

/// Rolled throughput yield: the product of the steps' FPY.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkuYield {
    pub sku: String,
    pub rty: f64,
    pub steps: Vec<StepYield>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoRow {
    pub code: String,
    pub count: u64,
    /// Of all defects counted.
    pub share: f64,
    pub cumulative_share: f64,
}

/// Unit totals over some lots. u64, so a million lots cannot overflow.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    lots: usize,
    started: u64,
    passed_first: u64,
    reworked: u64,
    scrapped: u64,
}

impl Tally {
    fn add(&mut self, lot: &Lot) {
        self.lots += 1;
        self.started += u64::from(lot.started);
        self.passed_first += u64::from(lot.passed_first);
        self.reworked += u64::from(lot.reworked);
        self.scrapped += u64::from(lot.scrapped);
    }

    fn fpy(&self) -> Option<f64> {
        ratio(self.passed_first, self.started)
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Lots grouped by `key`, in key order, lots with no units left out.
fn tally_by<'a, K: Ord>(lots: &'a [Lot], key: impl Fn(&'a Lot) -> K) -> BTreeMap<K, Tally> {
    let mut groups: BTreeMap<K, Tally> = BTreeMap::new();
    for lot in lots.iter().filter(|lot| lot.started > 0) {
        groups.entry(key(lot)).or_default().add(lot);
    }
    groups
}

pub fn rates(lots: &[Lot]) -> Rates {
    let mut all = Tally::default();
    for lot in lots.iter().filter(|lot| lot.started > 0) {
        all.add(lot);
    }
    Rates {
        fpy: all.fpy(),
        rework_rate: ratio(all.reworked, all.started),
        scrap_rate: ratio(all.scrapped, all.started),
    }
}

/// FPY per calendar month of `produced_on`, oldest first.
pub fn fpy_by_month(lots: &[Lot]) -> Vec<MonthYield> {
    let months = tally_by(lots, |lot| (lot.produced_on.year(), lot.produced_on.month()));
    months
        .into_iter()
        .filter_map(|((year, month), tally)| {
            Some(MonthYield {
                month: format!("{year:04}-{month:02}"),
                lots: tally.lots,
                started: tally.started,
                passed_first: tally.passed_first,
                fpy: tally.fpy()?,
            })
        })
        .collect()
}

/// RTY per SKU in SKU order, each with its steps in [`Process`] order.
pub fn rty_by_sku(lots: &[Lot]) -> Vec<SkuYield> {
    let mut skus: BTreeMap<&str, Vec<StepYield>> = BTreeMap::new();
    for ((sku, process), tally) in tally_by(lots, |lot| (lot.sku.as_str(), lot.process)) {
        if let Some(fpy) = tally.fpy() {
            skus.entry(sku).or_default().push(StepYield {
                process,
                lots: tally.lots,
                started: tally.started,
                passed_first: tally.passed_first,
                fpy,
            });
        }
    }
    skus.into_iter()
        .map(|(sku, steps)| SkuYield { sku: sku.to_owned(), rty: steps.iter().map(|step| step.fpy).product(), steps })
        .collect()
}

/// Defect codes by total count, most first (ties by code); zero counts left out.
pub fn pareto(lots: &[Lot]) -> Vec<ParetoRow> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for (code, count) in lots.iter().flat_map(|lot| &lot.defects) {
        *counts.entry(code.as_str()).or_default() += u64::from(*count);
    }
    let mut ranked: Vec<(&str, u64)> = counts.into_iter().filter(|&(_, n)| n > 0).collect();
    // Stable, so equal counts keep the map's code order.
    ranked.sort_by_key(|&(_, count)| Reverse(count));
    let total: u64 = ranked.iter().map(|&(_, n)| n).sum();
    let mut running = 0;
    ranked
        .into_iter()
        .map(|(code, count)| {
            running += count;
            ParetoRow {
                code: code.to_owned(),
                count,
                share: count as f64 / total as f64,
                cumulative_share: running as f64 / total as f64,
            }
        })
        .collect()
}
