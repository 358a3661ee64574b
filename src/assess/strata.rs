//! Comparing first-pass yield across strata (materials or processes), the
//! material-compatibility and assembly-constraints questions: for each
//! stratum its pooled FPY with a 95% Wilson score interval and the lots
//! behind it, and whether it stands apart from the rest.
//!
//! The interval treats every unit as one trial, so it says how precisely
//! the units measure the stratum's FPY; lot-to-lot variation beyond that
//! is what the control chart is for.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Lot, vocab};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.96;

vocab!(
    /// What to compare the lots by.
    Stratum { Material = "material", Process = "process" }
);

vocab!(
    /// How a stratum's FPY compares with the other strata pooled.
    Standing { Lower = "lower", Higher = "higher", Within = "within" }
);

/// One stratum's yield.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumYield {
    /// The material or process.
    pub key: String,
    /// The lots behind the figure, in chart order.
    pub lots: Vec<String>,
    pub started: u64,
    pub passed_first: u64,
    pub fpy: f64,
    /// The 95% Wilson interval of the FPY.
    pub low: f64,
    pub high: f64,
    /// Pooled FPY of every other stratum (`None` when there is no other).
    pub others_fpy: Option<f64>,
    /// `lower` / `higher` when the interval lies wholly below / above the
    /// others' pooled FPY.
    pub standing: Standing,
}

/// The Wilson score interval for `successes` of `trials` at `z`:
/// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n); `None` with no trials.
pub fn wilson(successes: u64, trials: u64, z: f64) -> Option<(f64, f64)> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denominator = 1.0 + z2 / n;
    Some((((centre - spread) / denominator).max(0.0), ((centre + spread) / denominator).min(1.0)))
}

/// FPY per stratum, in key order; lots with no units are left out.
pub fn compare(lots: &[Lot], by: Stratum) -> Vec<StratumYield> {
    let mut groups: BTreeMap<String, (Vec<String>, u64, u64)> = BTreeMap::new();
    for lot in lots.iter().filter(|lot| lot.started > 0) {
        let key = match by {
            Stratum::Material => lot.material.clone(),
            Stratum::Process => lot.process.to_string(),
        };
        let entry = groups.entry(key).or_default();
        entry.0.push(lot.lot.clone());
        entry.1 += u64::from(lot.started);
        entry.2 += u64::from(lot.passed_first);
    }
    let (all_started, all_passed) = groups.values().fold((0, 0), |(s, p), g| (s + g.1, p + g.2));
    groups
        .into_iter()
        .filter_map(|(key, (lots, started, passed_first))| {
            let (low, high) = wilson(passed_first, started, Z95)?;
            let (other_started, other_passed) = (all_started - started, all_passed - passed_first);
            let others_fpy = (other_started > 0).then(|| other_passed as f64 / other_started as f64);
            let standing = match others_fpy {
                Some(others) if high < others => Standing::Lower,
                Some(others) if low > others => Standing::Higher,
                _ => Standing::Within,
            };
            Some(StratumYield {
                key,
                lots,
                started,
                passed_first,
                fpy: passed_first as f64 / started as f64,
                low,
                high,
                others_fpy,
                standing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::Process;

    fn lot(code: &str, material: &str, process: Process, started: u32, passed_first: u32) -> Lot {
        Lot {
            lot: code.to_owned(),
            sku: "S".to_owned(),
            process,
            material: material.to_owned(),
            produced_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            started,
            passed_first,
            reworked: 0,
            scrapped: 0,
            defects: Vec::new(),
        }
    }

    // Newcombe (1998), "Two-sided confidence intervals for the single
    // proportion", Table I: 81 of 263 gives a Wilson interval of
    // 0.2553 – 0.3662; 15 of 148 gives 0.0624 – 0.1605; 0 of 20 gives
    // 0 – 0.1611.
    #[test]
    fn wilson_matches_newcombe_table_one() {
        let close = |(a, b): (f64, f64), (x, y): (f64, f64)| (a - x).abs() < 5e-5 && (b - y).abs() < 5e-5;
        assert!(close(wilson(81, 263, Z95).unwrap(), (0.2553, 0.3662)));
        assert!(close(wilson(15, 148, Z95).unwrap(), (0.0624, 0.1605)));
        assert!(close(wilson(0, 20, Z95).unwrap(), (0.0, 0.1611)));
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
    }

    #[test]
    fn a_material_that_fails_more_often_stands_out() {
        let lots = [
            lot("A1", "TPU+PC", Process::CoMolding, 1000, 900),
            lot("A2", "TPU+PC", Process::CoMolding, 1000, 880),
            lot("B1", "PC", Process::Injection, 1000, 970),
            lot("B2", "PC", Process::Injection, 1000, 965),
            lot("C1", "silicone+PC", Process::CoMolding, 40, 37),
        ];
        let rows = compare(&lots, Stratum::Material);
        let keys: Vec<(&str, usize, Standing)> =
            rows.iter().map(|r| (r.key.as_str(), r.lots.len(), r.standing)).collect();
        // TPU+PC: 1780/2000 = 0.89 against the others' 1972/2040 = 0.9667.
        assert_eq!(
            keys,
            [("PC", 2, Standing::Higher), ("TPU+PC", 2, Standing::Lower), ("silicone+PC", 1, Standing::Within)]
        );
        let tpu = &rows[1];
        assert!((tpu.fpy - 0.89).abs() < 1e-12);
        assert!((tpu.others_fpy.unwrap() - 1972.0 / 2040.0).abs() < 1e-12);
        let by_process = compare(&lots, Stratum::Process);
        assert_eq!(by_process.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["co_molding", "injection"]);
    }
}
