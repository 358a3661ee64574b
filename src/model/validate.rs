//! Field validators shared by every way in (the CSV and JSON importers, the
//! UI's forms, the `audit` commands):
//! one place that decides what a valid count, date, code or name is, and the
//! words that say so.

use chrono::NaiveDate;

/// A field that failed validation: what is wrong and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub value: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, value: Option<&str>, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), value: value.map(shorten), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", printable(&self.field))?;
        if let Some(value) = &self.value {
            write!(f, " {value:?}")?;
        }
        write!(f, " {}", self.message)
    }
}

impl From<FieldError> for crate::error::Error {
    fn from(e: FieldError) -> Self {
        Self::Field(e)
    }
}

/// Values are quoted in messages; very long ones are cut.
fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

pub const MAX_COUNT: u32 = u32::MAX;

/// How long texts may be, in characters: shared by the importers and the
/// UI's forms, so a value one accepts the other accepts too.
pub const NAME_MAX: usize = 200;
/// Places and people: a city, an auditor, an owner.
pub const LINE_MAX: usize = 100;
/// Lot codes, SKUs and materials (the schema checks 1–64 for lot codes).
pub const LOT_TEXT_MAX: usize = 64;
/// Free text: descriptions, notes, summaries.
pub const TEXT_MAX: usize = 20_000;

/// Hard limits on what one input may carry, so that an import's memory stays
/// bounded whatever the file (README, "Limits"). Bytes of one CSV field.
pub const MAX_FIELD_BYTES: usize = 1024;
/// Bytes of one CSV record (the header included), quotes and separators too.
pub const MAX_ROW_BYTES: usize = 64 * 1024;
/// `defect:<code>` columns in one CSV file.
pub const MAX_DEFECT_COLUMNS: usize = 500;
/// Defect codes with a count above 0 on one lot (CSV, dossier or form).
pub const MAX_DEFECTS_PER_LOT: usize = 100;

/// Today by the real clock: what "not after today" means for every way in
/// (never `--as-of`, which only chooses the day verdicts are judged on).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A count of units: a whole number from 0 up.
pub fn count(field: &str, text: &str) -> Result<u32, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, None, "is required; expected a whole number of units, 0 or more"));
    }
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits
            .parse::<u32>()
            .map_err(|_| FieldError::new(field, Some(text), format!("is too large; expected at most {MAX_COUNT}")));
    }
    let negative = trimmed.starts_with('-') && trimmed[1..].parse::<f64>().is_ok();
    let message = if negative {
        "must not be negative; expected a whole number of units, 0 or more"
    } else {
        "is not a whole number; expected a count of units such as 1200"
    };
    Err(FieldError::new(field, Some(text), message))
}

/// A date written `YYYY-MM-DD` that exists on the calendar.
pub fn date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        let what = if text.trim().is_empty() { "is required" } else { "is not a date" };
        return Err(FieldError::new(field, Some(text), format!("{what}; expected YYYY-MM-DD, e.g. 2026-05-10")));
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(|| FieldError::new(field, Some(text), "is not a real calendar date; expected YYYY-MM-DD"))
}

/// Bidirectional-text overrides and isolates (U+202A–U+202E, U+2066–U+2069):
/// they make a text display in another order than it is stored, so what a
/// reader sees is not what was recorded ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character no text may hold: a control character (`allowed`
/// aside) or a bidi override, with the sentence that says why.
fn forbidden_char(value: &str, allowed: &[char]) -> Option<String> {
    let c = value.chars().find(|c| (c.is_control() && !allowed.contains(c)) || is_bidi_control(*c))?;
    Some(if matches!(c, '\n' | '\r') {
        "contains a line break; a quoted field may be left open (check the quotes on this line)".to_owned()
    } else if is_bidi_control(c) {
        format!("contains a bidirectional-text override (U+{:04X}), which hides what the text says", u32::from(c))
    } else {
        format!("contains a control character (U+{:04X}); expected plain text", u32::from(c))
    })
}

/// Required single-line text such as a name, lot code, SKU or material: not
/// blank, bounded, no line breaks, control characters or bidi overrides.
pub fn text(field: &str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(field, None, "is required and must not be blank"));
    }
    if let Some(message) = forbidden_char(value, &[]) {
        return Err(FieldError::new(field, Some(value), message));
    }
    bounded(field, value, max_chars)
}

/// Free text that may span lines (descriptions, notes, summaries): no NUL or
/// other control characters besides line breaks and tabs, no bidi overrides.
pub fn prose(field: &str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if let Some(message) = forbidden_char(value, &['\n', '\r', '\t']) {
        return Err(FieldError::new(field, Some(value), message));
    }
    bounded(field, value, max_chars)
}

/// `text` safe to print on a terminal: every control character and bidi
/// override is shown as an escape (`\u{1b}`), so a name, note or file
/// header quoted in output can never send the terminal a control sequence.
/// Line breaks and tabs are kept when `multiline`.
pub fn printable_with(text: &str, multiline: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && !(multiline && matches!(c, '\n' | '\t'))) || is_bidi_control(c);
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`printable_with`] for one-line text: line breaks are escaped too.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    printable_with(text, false)
}

/// A day that is not after `today` (the real clock's: see [`today`]).
pub fn not_after_today(field: &str, day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if day > today {
        let shown = day.to_string();
        return Err(FieldError::new(
            field,
            Some(&shown),
            format!("is after today ({today}); only what has happened can be recorded"),
        ));
    }
    Ok(())
}

/// A day that is not before the audit's visit.
pub fn not_before_visit(field: &str, day: NaiveDate, visited_on: NaiveDate) -> Result<(), FieldError> {
    if day < visited_on {
        let shown = day.to_string();
        return Err(FieldError::new(
            field,
            Some(&shown),
            format!("is before the audit's visit ({visited_on}); expected {visited_on} or later"),
        ));
    }
    Ok(())
}

/// A date SQLite's `date()` writes back the same: years 0000–9999.
pub fn four_digit_year(field: &str, day: NaiveDate) -> Result<(), FieldError> {
    if (0..=9999).contains(&chrono::Datelike::year(&day)) {
        Ok(())
    } else {
        Err(FieldError::new(field, Some(&day.to_string()), "is out of range; expected a year from 0000 to 9999"))
    }
}

fn bounded(field: &str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if value.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            Some(value),
            format!("is too long; expected at most {max_chars} characters"),
        ));
    }
    Ok(())
}

/// A 1–64 byte word whose every byte passes `allowed`, or `message`.
fn word(field: &str, value: &str, allowed: fn(u8) -> bool, message: &str) -> Result<(), FieldError> {
    if !value.is_empty() && value.len() <= 64 && value.bytes().all(allowed) {
        Ok(())
    } else {
        Err(FieldError::new(field, Some(value), message))
    }
}

/// Identifiers (supplier codes, audit references): letters, digits, `.`, `_`, `-`.
pub fn code(field: &str, value: &str) -> Result<(), FieldError> {
    word(
        field,
        value,
        |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'),
        "is not a valid code; expected 1–64 letters, digits, '.', '_' or '-', e.g. SZ-ARMOR",
    )
}

/// Defect codes, as in a `defect:<code>` column: lower-case words joined by
/// `_` (the form the database's CHECK on `lots.defects` accepts).
pub fn defect_code(field: &str, value: &str) -> Result<(), FieldError> {
    word(
        field,
        value,
        |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_',
        "is not a valid defect code; expected lower-case letters, digits and '_', e.g. short_shot",
    )
}

/// Defect counts as the database stores them: compact JSON, codes in the
/// order given (callers sort), zero counts left out; `None` when empty.
/// Written into `out`, a buffer the caller may reuse from row to row.
pub fn defects_json<'o>(defects: impl IntoIterator<Item = (&'o str, u32)>, out: &'o mut String) -> Option<&'o str> {
    use std::fmt::Write;
    out.clear();
    for (code, count) in defects.into_iter().filter(|(_, n)| *n > 0) {
        out.push(if out.is_empty() { '{' } else { ',' });
        let _ = write!(out, "\"{code}\":{count}");
    }
    if out.is_empty() {
        return None;
    }
    out.push('}');
    Some(out)
}

/// ISO 3166-1 alpha-2 country code.
pub fn country(field: &str, value: &str) -> Result<(), FieldError> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(FieldError::new(field, Some(value), "is not a country code; expected two capital letters, e.g. CN"))
    }
}

/// The rules tying a lot's counts together (DOMAIN.md, yield-lot CSV).
pub fn lot_counts(started: u32, passed_first: u32, scrapped: u32) -> Option<FieldError> {
    if started == 0 {
        return Some(FieldError::new("started", Some("0"), "must be at least 1; a lot of 0 units has no yield"));
    }
    if passed_first > started {
        return Some(FieldError::new(
            "passed_first",
            Some(&passed_first.to_string()),
            format!("is more than started ({started}); expected at most {started}"),
        ));
    }
    if u64::from(passed_first) + u64::from(scrapped) > u64::from(started) {
        return Some(FieldError::new(
            "scrapped",
            Some(&scrapped.to_string()),
            format!(
                "passed_first + scrapped = {} is more than started ({started}); expected scrapped ≤ {}",
                u64::from(passed_first) + u64::from(scrapped),
                started - passed_first
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_what_is_wrong() {
        assert_eq!(count("started", "1200").unwrap(), 1200);
        assert_eq!(count("started", " 7 ").unwrap(), 7);
        assert!(count("started", "-3").unwrap_err().message.contains("negative"));
        assert!(count("started", "12.5").unwrap_err().message.contains("whole number"));
        assert!(count("started", "abc").unwrap_err().message.contains("whole number"));
        assert!(count("started", "99999999999").unwrap_err().message.contains("too large"));
        assert!(count("started", "").unwrap_err().message.contains("required"));
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(date("d", "2024-02-29").unwrap(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert!(date("d", "2026-02-29").unwrap_err().message.contains("real calendar date"));
        assert!(date("d", "2026-13-01").is_err());
        assert!(date("d", "2026-1-1").unwrap_err().message.contains("YYYY-MM-DD"));
        assert!(date("d", "10/05/2026").is_err());
        assert!(date("d", "2026-05-10T00:00").is_err());
    }

    #[test]
    fn lot_count_rules() {
        assert!(lot_counts(100, 90, 10).is_none());
        assert_eq!(lot_counts(100, 101, 0).unwrap().field, "passed_first");
        assert_eq!(lot_counts(100, 95, 6).unwrap().field, "scrapped");
        assert_eq!(lot_counts(0, 0, 0).unwrap().field, "started");
        assert!(lot_counts(u32::MAX, u32::MAX, 0).is_none());
    }

    #[test]
    fn text_refuses_breaks_and_control_characters() {
        assert!(text("lot", "L-1", 64).is_ok());
        assert!(text("lot", "  ", 64).unwrap_err().message.contains("required"));
        assert!(
            text("material", "TPU\nSZ-ARMOR,T-2", 64).unwrap_err().message.contains("quoted field may be left open")
        );
        assert!(text("lot", "T-\0X", 64).unwrap_err().message.contains("U+0000"));
        assert!(text("lot", &"x".repeat(65), 64).unwrap_err().message.contains("at most 64"));
        assert!(prose("note", "line one\nline two\ttabbed", 200).is_ok());
        assert!(prose("note", "bad \u{7} bell", 200).unwrap_err().message.contains("U+0007"));
        assert!(prose("note", "", 200).is_ok());
    }

    #[test]
    fn codes_and_countries() {
        assert!(code("code", "SZ-ARMOR").is_ok());
        assert!(code("code", "SZ ARMOR").is_err());
        assert!(code("code", "").is_err());
        assert!(defect_code("d", "short_shot").is_ok());
        assert!(defect_code("d", "Short Shot").is_err());
        assert!(defect_code("d", "short-shot").is_err());
        let mut json = String::new();
        assert_eq!(
            defects_json([("bubble", 12), ("flash", 0), ("scratch", 3)], &mut json),
            Some(r#"{"bubble":12,"scratch":3}"#)
        );
        assert_eq!(defects_json([("flash", 0)], &mut json), None);
        assert!(country("country", "CN").is_ok());
        assert!(country("country", "cn").is_err());
        assert!(country("country", "CHN").is_err());
    }
}
