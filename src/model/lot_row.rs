//! A yield lot on its way in: every field parsed and checked once, by the
//! same rules whichever way it came (a CSV row, a dossier lot, the UI's lot
//! form), and kept typed until the store writes it.
//!
//! Each part is a type that can only be built through its check, and the
//! checks are the schema's CHECKs on `lots` or stricter (plus the limits of
//! [`super::validate`]): so a [`LotRow`] is a row SQLite would accept, which
//! is what lets the CSV importer skip re-evaluating the CHECKs (BENCHMARKS.md;
//! `tests/import_limits.rs` holds the two to each other).

use std::fmt::Write as _;

use chrono::NaiveDate;
use compact_str::CompactString;

use super::Process;
use super::validate::{self, FieldError, MAX_DEFECTS_PER_LOT};

/// A lot code, SKU or material: 1–64 characters, not blank, no line break,
/// control or bidi character.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LotText(CompactString);

impl LotText {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        validate::text(field, value, validate::LOT_TEXT_MAX)?;
        Ok(Self(CompactString::from(value)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Heap bytes beyond the struct (texts up to 24 bytes are inline).
    pub fn heap_bytes(&self) -> usize {
        if self.0.is_heap_allocated() { self.0.capacity() } else { 0 }
    }
}

impl std::ops::Deref for LotText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// A lot's production day: a real `YYYY-MM-DD` date (years 0000–9999, as
/// SQLite's `date()` writes them) that is not after today (`model::dates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProducedOn(NaiveDate);

impl ProducedOn {
    /// `text` as a production day no later than `today` (the real clock's).
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, FieldError> {
        Self::new(validate::date("produced_on", text)?, today)
    }

    pub fn new(day: NaiveDate, today: NaiveDate) -> Result<Self, FieldError> {
        super::dates::produced(day, today)?;
        Ok(Self(day))
    }

    pub fn day(self) -> NaiveDate {
        self.0
    }
}

/// A lot's unit counts, consistent with each other: at least one unit
/// started, `passed_first ≤ started`, `passed_first + scrapped ≤ started`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LotCounts {
    started: u32,
    passed_first: u32,
    reworked: u32,
    scrapped: u32,
}

impl LotCounts {
    pub fn new(started: u32, passed_first: u32, reworked: u32, scrapped: u32) -> Result<Self, FieldError> {
        match validate::lot_counts(started, passed_first, scrapped) {
            Some(e) => Err(e),
            None => Ok(Self { started, passed_first, reworked, scrapped }),
        }
    }

    pub fn started(self) -> u32 {
        self.started
    }

    pub fn passed_first(self) -> u32 {
        self.passed_first
    }

    pub fn reworked(self) -> u32 {
        self.reworked
    }

    pub fn scrapped(self) -> u32 {
        self.scrapped
    }
}

/// A lot's defect counts as the database stores them: compact JSON, codes
/// sorted, zero counts left out (`{"bubble":12,"flash":20}`), or nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Defects(Option<Box<str>>);

impl Defects {
    /// From (code, count) pairs in any order: each code a defect code, none
    /// twice, at most [`MAX_DEFECTS_PER_LOT`] with a count above 0.
    pub fn from_counts<'c>(field: &str, counts: impl IntoIterator<Item = (&'c str, u32)>) -> Result<Self, FieldError> {
        let mut kept: Vec<(&str, u32)> = Vec::new();
        for (code, count) in counts {
            validate::defect_code(field, code)?;
            if count > 0 {
                kept.push((code, count));
            }
        }
        Self::from_kept(field, kept)
    }

    /// From pairs whose codes were checked already and are sorted and
    /// distinct (a CSV header's columns): only counts and their number are
    /// checked here.
    pub fn from_sorted_columns<'c>(
        field: &str,
        counts: impl IntoIterator<Item = (&'c str, u32)>,
        json: &mut String,
    ) -> Result<Self, FieldError> {
        json.clear();
        let mut n = 0;
        for (code, count) in counts.into_iter().filter(|(_, n)| *n > 0) {
            n += 1;
            if n > MAX_DEFECTS_PER_LOT {
                return Err(too_many(field, n));
            }
            json.push(if json.is_empty() { '{' } else { ',' });
            let _ = write!(json, "\"{code}\":{count}");
        }
        if json.is_empty() {
            return Ok(Self(None));
        }
        json.push('}');
        Ok(Self(Some(json.as_str().into())))
    }

    fn from_kept(field: &str, mut kept: Vec<(&str, u32)>) -> Result<Self, FieldError> {
        if kept.len() > MAX_DEFECTS_PER_LOT {
            return Err(too_many(field, kept.len()));
        }
        kept.sort_unstable();
        if let Some(w) = kept.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(FieldError::new(field, Some(w[0].0), "lists this defect code twice"));
        }
        let mut json = String::new();
        Self::from_sorted_columns(field, kept, &mut json)
    }

    /// The (code, count) pairs, sorted by code. The stored form is built
    /// only by this type's checks (or read back from the crate's own
    /// spool), so it always parses; were it not to, no pair is returned.
    pub fn counts(&self) -> Vec<(String, u32)> {
        let parsed: Option<std::collections::BTreeMap<String, u32>> =
            self.json().and_then(|json| serde_json::from_str(json).ok());
        parsed.map(|map| map.into_iter().collect()).unwrap_or_default()
    }

    /// The stored form; `None` for a lot without defects.
    pub fn json(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn heap_bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |s| s.len())
    }
}

fn too_many(field: &str, n: usize) -> FieldError {
    FieldError::new(
        field,
        None,
        format!("has {n} defect codes with a count; a lot may carry at most {MAX_DEFECTS_PER_LOT}"),
    )
}

/// One lot, every field checked: what the store's lot writer takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LotRow {
    pub lot: LotText,
    pub sku: LotText,
    pub process: Process,
    pub material: LotText,
    pub produced_on: ProducedOn,
    pub counts: LotCounts,
    pub defects: Defects,
}

impl LotRow {
    /// A lot already in memory (the UI's lot form, a lot arriving by merge)
    /// checked by the importers' rules as of `today`; a refusal names its
    /// field by the lot's column name (`lot`, `sku`, `produced_on`, …).
    pub fn from_lot(lot: &super::Lot, today: NaiveDate) -> Result<Self, FieldError> {
        Ok(Self {
            lot: LotText::parse("lot", &lot.lot)?,
            sku: LotText::parse("sku", &lot.sku)?,
            process: lot.process,
            material: LotText::parse("material", &lot.material)?,
            produced_on: ProducedOn::new(lot.produced_on, today)?,
            counts: LotCounts::new(lot.started, lot.passed_first, lot.reworked, lot.scrapped)?,
            defects: Defects::from_counts("defects", lot.defects.iter().map(|(c, n)| (c.as_str(), *n)))?,
        })
    }

    /// The lot as the rest of the program reads it.
    pub fn to_lot(&self) -> super::Lot {
        super::Lot {
            lot: self.lot.as_str().to_owned(),
            sku: self.sku.as_str().to_owned(),
            process: self.process,
            material: self.material.as_str().to_owned(),
            produced_on: self.produced_on.day(),
            started: self.counts.started(),
            passed_first: self.counts.passed_first(),
            reworked: self.counts.reworked(),
            scrapped: self.counts.scrapped(),
            defects: self.defects.counts(),
        }
    }

    /// Memory held beyond `size_of::<LotRow>()`, for bounding sort runs.
    pub fn heap_bytes(&self) -> usize {
        self.lot.heap_bytes() + self.sku.heap_bytes() + self.material.heap_bytes() + self.defects.heap_bytes()
    }
}

/// The crate's own spool (an unnamed temporary file this process wrote from
/// checked rows) reads rows back through this, without checking again.
pub(crate) mod trusted {
    use super::{CompactString, Defects, LotCounts, LotText, NaiveDate, ProducedOn};

    pub(crate) fn text(value: &str) -> LotText {
        LotText(CompactString::from(value))
    }

    pub(crate) fn day(day: NaiveDate) -> ProducedOn {
        ProducedOn(day)
    }

    pub(crate) fn counts([started, passed_first, reworked, scrapped]: [u32; 4]) -> LotCounts {
        LotCounts { started, passed_first, reworked, scrapped }
    }

    pub(crate) fn defects(json: Option<&str>) -> Defects {
        Defects(json.map(Into::into))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
    }

    #[test]
    fn days_after_today_or_with_five_digit_years_are_refused() {
        assert!(ProducedOn::parse("2026-11-15", today()).is_ok());
        let e = ProducedOn::parse("2026-11-16", today()).unwrap_err();
        assert!(e.message.contains("after today"), "{e:?}");
        assert!(ProducedOn::parse("9999-12-31", today()).is_err());
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        assert!(ProducedOn::new(far, far).is_err());
    }

    #[test]
    fn defects_are_canonical_and_bounded() {
        let d = Defects::from_counts("defects", [("flash", 2), ("bubble", 12), ("scratch", 0)]).unwrap();
        assert_eq!(d.json(), Some(r#"{"bubble":12,"flash":2}"#));
        assert_eq!(Defects::from_counts("defects", [("flash", 0)]).unwrap().json(), None);
        assert!(Defects::from_counts("defects", [("a", 1), ("a", 2)]).unwrap_err().message.contains("twice"));
        assert!(Defects::from_counts("defects", [("Flash", 1)]).is_err());
        let codes: Vec<String> = (0..=MAX_DEFECTS_PER_LOT).map(|i| format!("d{i}")).collect();
        let at_limit = codes.iter().take(MAX_DEFECTS_PER_LOT).map(|c| (c.as_str(), 1));
        assert!(Defects::from_counts("defects", at_limit).is_ok());
        let past = codes.iter().map(|c| (c.as_str(), 1));
        assert!(Defects::from_counts("defects", past).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn counts_hold_together() {
        assert!(LotCounts::new(10, 9, 1, 1).is_ok());
        assert_eq!(LotCounts::new(0, 0, 0, 0).unwrap_err().field, "started");
        assert_eq!(LotCounts::new(10, 11, 0, 0).unwrap_err().field, "passed_first");
        assert_eq!(LotCounts::new(10, 9, 0, 2).unwrap_err().field, "scrapped");
    }
}
