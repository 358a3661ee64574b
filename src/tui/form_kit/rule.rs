//! What a typed field must be, as the importers decide it: each rule calls
//! the same `exchange::validate` function the CSV and dossier importers
//! call, so a value the form takes is a value a file could carry.

use chrono::NaiveDate;

use crate::exchange::validate::{self, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Required single-line text of at most this many characters.
    Text(usize),
    /// Optional single-line text: blank, or as [`Rule::Text`].
    OptText(usize),
    /// Optional free text of at most this many characters; may span lines.
    Prose(usize),
    /// Required free text (a description); may span lines.
    RequiredProse(usize),
    /// An identifier such as a supplier code.
    Code,
    /// Two letters (stored in capitals).
    Country,
    /// A whole number of units, 0 or more.
    Count,
    /// Blank, or a whole number of at least 1 (MOQ, lead time).
    OptPositive,
    /// `YYYY-MM-DD`, or `today`.
    Date,
    /// Defect counts: `code=count`, separated by commas or spaces; may be blank.
    Defects,
}

impl Rule {
    /// `Err(message)` when `text` is not a valid value of field `key`.
    pub fn check(self, key: &str, text: &str) -> Result<(), String> {
        let outcome = match self {
            Self::OptText(_) | Self::OptPositive if text.trim().is_empty() => Ok(()),
            Self::Text(max) | Self::OptText(max) => validate::text(key, text, max),
            Self::RequiredProse(_) if text.trim().is_empty() => {
                Err(FieldError::new(key, None, "is required and must not be blank"))
            }
            Self::Prose(max) | Self::RequiredProse(max) => validate::prose(key, text, max),
            Self::Code => validate::code(key, text.trim()),
            Self::Country => validate::country(key, &text.trim().to_ascii_uppercase()),
            Self::Count => validate::count(key, text).map(|_| ()),
            Self::OptPositive => validate::count(key, text).and_then(|n| at_least_one(key, n)),
            Self::Date if is_today(text) => Ok(()),
            Self::Date => validate::date(key, text.trim()).map(|_| ()),
            Self::Defects => defects(key, text).map(|_| ()),
        };
        outcome.map_err(|e| e.message)
    }

    /// Whether the value may hold line breaks (notes, descriptions).
    pub fn multiline(self) -> bool {
        matches!(self, Self::Prose(_) | Self::RequiredProse(_))
    }
}

fn at_least_one(key: &str, n: u32) -> Result<(), FieldError> {
    if n == 0 { Err(FieldError::new(key, Some("0"), "must be at least 1 (or left blank)")) } else { Ok(()) }
}

fn is_today(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("today")
}

/// The day a date field stands for.
pub fn day(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    if is_today(text) { Some(today) } else { validate::date("date", text.trim()).ok() }
}

/// `bubble=12, flash=20` as (code, count) pairs sorted by code; each code
/// and count checked as a `defect:<code>` CSV column is.
pub fn defects(key: &str, text: &str) -> Result<Vec<(String, u32)>, FieldError> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for item in text.split([',', ' ', ';']).filter(|s| !s.is_empty()) {
        let Some((code, count)) = item.split_once(['=', ':']) else {
            return Err(FieldError::new(key, Some(item), "expected code=count, e.g. bubble=12, flash=3"));
        };
        validate::defect_code(key, code)?;
        let count = validate::count(key, count)?;
        if out.iter().any(|(c, _)| c == code) {
            return Err(FieldError::new(key, Some(code), format!("lists `{code}` twice")));
        }
        out.push((code.to_owned(), count));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
    }

    fn check(rule: Rule, text: &str) -> Result<(), String> {
        rule.check("f", text)
    }

    #[test]
    fn rules_say_what_the_importers_say() {
        assert!(check(Rule::Text(5), " ").unwrap_err().contains("required"));
        assert!(check(Rule::Text(5), "toolong").unwrap_err().contains("at most 5"));
        assert!(check(Rule::OptText(5), "").is_ok());
        assert!(check(Rule::Code, "SZ ARMOR").unwrap_err().contains("not a valid code"));
        assert!(check(Rule::Country, "cn").is_ok(), "lower case is taken (and stored upper-cased)");
        assert!(check(Rule::Country, "c1").unwrap_err().contains("country code"));
        assert!(check(Rule::Count, "-1").unwrap_err().contains("negative"));
        assert!(check(Rule::Count, "0").is_ok());
        assert!(check(Rule::OptPositive, "0").unwrap_err().contains("at least 1"));
        assert!(check(Rule::OptPositive, "").is_ok());
        assert!(check(Rule::Date, "Today").is_ok());
        assert!(check(Rule::Date, "2026-13-01").unwrap_err().contains("real calendar date"));
        assert!(check(Rule::Date, "").unwrap_err().contains("required"));
        assert_eq!(day(" today ", today()), Some(today()));
    }

    #[test]
    fn defects_parse_like_csv_columns() {
        assert_eq!(defects("d", "flash=2, bubble=12").unwrap(), [("bubble".into(), 12), ("flash".into(), 2)]);
        assert_eq!(defects("d", "").unwrap(), []);
        assert!(defects("d", "Bubble=2").unwrap_err().message.contains("defect code"));
        assert!(defects("d", "bubble=-2").unwrap_err().message.contains("negative"));
        assert!(defects("d", "bubble").unwrap_err().message.contains("code=count"));
        assert!(defects("d", "a=1 a=2").unwrap_err().message.contains("twice"));
    }
}
