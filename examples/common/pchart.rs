//! A classical p-chart over a run of lots, the textbook way DOMAIN.md gives
//! it, so the generators can prove what they wrote: centre p̄ = Σ
//! nonconforming / Σ started, per-lot σᵢ = √(p̄(1−p̄)/nᵢ), zᵢ = (pᵢ − p̄)/σᵢ.

use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub struct Chart {
    pub lots: usize,
    pub started: u64,
    pub nonconforming: u64,
    pub z: Vec<f64>,
}

impl Chart {
    /// `points` are (started, nonconforming) in production order; `None`
    /// when there are no lots.
    pub fn new(points: &[(u32, u32)]) -> Option<Self> {
        if points.is_empty() {
            return None;
        }
        let started: u64 = points.iter().map(|&(n, _)| u64::from(n)).sum();
        let nonconforming: u64 = points.iter().map(|&(_, d)| u64::from(d)).sum();
        let p_bar = nonconforming as f64 / started as f64;
        let z = points
            .iter()
            .map(|&(n, d)| {
                let sigma = (p_bar * (1.0 - p_bar) / f64::from(n)).sqrt();
                if sigma > 0.0 { (f64::from(d) / f64::from(n) - p_bar) / sigma } else { 0.0 }
            })
            .collect();
        Some(Self { lots: points.len(), started, nonconforming, z })
    }

    /// Pooled first-pass yield.
    pub fn fpy(&self) -> f64 {
        1.0 - self.nonconforming as f64 / self.started as f64
    }

    pub fn max_abs_z(&self) -> f64 {
        self.z.iter().fold(0.0, |m, z| m.max(z.abs()))
    }

    /// Lots outside p̄ ± 3σᵢ. (The lower limit is clamped at 0, which changes
    /// nothing here: a lot below a negative limit would need pᵢ < 0.)
    pub fn beyond_limits(&self) -> usize {
        self.z.iter().filter(|z| z.abs() > 3.0).count()
    }

    /// Lots beyond `k` σ above the centre line.
    pub fn above(&self, k: f64) -> usize {
        self.z.iter().filter(|&&z| z > k).count()
    }

    /// The longest run of consecutive lots on one side of the centre line
    /// (a lot exactly on it breaks the run).
    pub fn longest_run(&self) -> usize {
        let (mut best, mut len, mut side) = (0, 0, Ordering::Equal);
        for z in &self.z {
            let s = z.partial_cmp(&0.0).unwrap_or(Ordering::Equal);
            len = if s != Ordering::Equal && s == side { len + 1 } else { usize::from(s != Ordering::Equal) };
            side = s;
            best = best.max(len);
        }
        best
    }
}
