//! The lot CSV, written day by day across all suppliers as a daily MES
//! upload would be, without ever holding more than one lot.
//!
//! Supplier s spreads its `n` lots over its active days: lot k falls on day
//! ⌊(k + uₖ)·span / n⌋ with uₖ uniform in [0, 1), which never decreases in k,
//! so each supplier only needs a cursor (next lot, its day, its random
//! stream) and the days can be walked once in order.

use std::io::{self, Write};

use casebook::model::Lot;
use chrono::{Datelike, NaiveDate};

use crate::common::lots::{CsvLots, LotDraw, Runs, Spread, synth, typical_size};
use crate::common::{Rng, plus_days, ymd};
use crate::profile::{DAYS, Profile, Yield};

struct Cursor<'a> {
    profile: &'a Profile,
    rng: Rng,
    runs: Runs,
    /// The next lot to write, and the day it falls on.
    next: u32,
    day: u32,
}

impl<'a> Cursor<'a> {
    fn new(seed: u64, profile: &'a Profile) -> Self {
        let rng = Rng::for_key(seed, &format!("lots/{}", profile.code));
        let mut cursor = Self { profile, rng, runs: Runs::default(), next: 0, day: 0 };
        cursor.day = cursor.day_of(0);
        cursor
    }

    fn day_of(&mut self, k: u32) -> u32 {
        let span = u64::from(DAYS - self.profile.first_day);
        let n = u64::from(self.profile.lots);
        let position = u64::from(k) * 1000 + u64::from(self.rng.range(0, 999));
        let offset = u32::try_from(position * span / (n * 1000)).expect("an offset within the 730 days");
        self.profile.first_day + offset
    }

    fn lot(&mut self, date: NaiveDate) -> Lot {
        let rng = &mut self.rng;
        let product = rng.pick(&self.profile.products);
        let spread = match self.profile.scatter {
            Yield::Noisy => Spread::Noisy,
            Yield::Spiky if rng.chance(0.04) => Spread::Spike(3.0),
            Yield::Stable | Yield::Spiky => Spread::Stable { clamp: 2.5 },
        };
        let draw = LotDraw {
            code: format!("L{:02}{:02}-{:05}", date.year() % 100, date.month(), self.next + 1),
            product,
            produced_on: date,
            started: typical_size(rng, product.process),
            rate: self.profile.rate,
            spread,
        };
        let lot = synth(rng, &draw, &mut self.runs);
        self.next += 1;
        if self.next < self.profile.lots {
            self.day = self.day_of(self.next);
        }
        lot
    }
}

/// What was written: the row count, and GEN-00001's lots as (day, started,
/// nonconforming) for the closing summary.
pub struct Written {
    pub rows: u64,
    pub first: Vec<(NaiveDate, u32, u32)>,
}

pub fn write<W: Write>(out: W, profiles: &[Profile], seed: u64) -> io::Result<Written> {
    let start = ymd(2024, 11, 1);
    let mut cursors: Vec<Cursor<'_>> = profiles.iter().filter(|p| p.lots > 0).map(|p| Cursor::new(seed, p)).collect();
    let mut csv = CsvLots::new(out)?;
    let mut first = Vec::new();
    for day in 0..DAYS {
        let date = plus_days(start, i64::from(day));
        for cursor in &mut cursors {
            while cursor.next < cursor.profile.lots && cursor.day == day {
                let lot = cursor.lot(date);
                csv.write(&cursor.profile.code, &lot)?;
                if cursor.profile.index == 0 {
                    first.push((date, lot.started, lot.nonconforming()));
                }
            }
        }
    }
    let rows = csv.finish()?;
    Ok(Written { rows, first })
}
