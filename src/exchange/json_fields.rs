//! Reads a `serde_json::Value` field by field, so that every problem in a
//! dossier — wrong type, unknown field, bad value — is reported with its JSON
//! path, all of them, not just the first one serde would stop at.

use std::str::FromStr;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{Location, Problem, Problems};
use crate::model::VocabError;
use crate::model::validate::{self, FieldError};

/// A JSON object being read, with its path for messages.
pub(super) struct Obj<'v> {
    pub path: String,
    map: &'v Map<String, Value>,
}

pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({:?})", shorten(s)),
        Value::Array(a) => format!("an array of {} item(s)", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

fn problem(path: String, field: &str, value: Option<String>, message: String) -> Problem {
    Problem { at: Location::Path(path), field: Some(field.to_owned()), value, message }
}

/// The last segment of a path: the field name, or `[i]`.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Reads `value` as an object whose keys must all be in `known`.
pub(super) fn object<'v>(value: &'v Value, path: &str, known: &[&str], problems: &mut Problems) -> Option<Obj<'v>> {
    let Value::Object(map) = value else {
        let message = format!("expected an object, found {}", describe(value));
        problems.push(problem(path.to_owned(), leaf(path), None, message));
        return None;
    };
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        problems.push(unknown_field(path, key, known));
    }
    Some(Obj { path: path.to_owned(), map })
}

/// A key that is not one of `known`, named safely (a key may hold anything).
pub(super) fn unknown_field(path: &str, key: &str, known: &[&str]) -> Problem {
    let key = validate::printable(key);
    let message = format!("unknown field `{key}`; expected one of: {}", known.join(", "));
    problem(join(path, &key), &key, None, message)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

impl<'v> Obj<'v> {
    pub fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value, treating an explicit `null` as absent.
    fn get(&self, key: &str) -> Option<&'v Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn missing(&self, key: &str, expected: &str, problems: &mut Problems) {
        problems.push(problem(self.at(key), key, None, format!("is required; expected {expected}")));
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value, problems: &mut Problems) {
        let message = format!("expected {expected}, found {}", describe(found));
        problems.push(problem(self.at(key), key, None, message));
    }

    /// Any string field: never a NUL or other control character (line breaks
    /// and tabs aside), whatever the field.
    fn opt_string(&self, key: &str, problems: &mut Problems) -> Result<Option<&'v str>, ()> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => self
                .check(key, validate::prose(key, s, validate::TEXT_MAX).map(|()| Some(s.as_str())), problems)
                .ok_or(()),
            Some(other) => {
                self.wrong_type(key, "a string", other, problems);
                Err(())
            }
        }
    }

    /// A required, non-blank string of at most `max` characters.
    pub fn text(&self, key: &str, max: usize, problems: &mut Problems) -> Option<&'v str> {
        match self.opt_string(key, problems) {
            Ok(Some(s)) => self.check(key, validate::text(key, s, max).map(|()| s), problems),
            Ok(None) => {
                self.missing(key, "a string", problems);
                None
            }
            Err(()) => None,
        }
    }

    /// Required free text that may span lines (descriptions): not blank.
    pub fn prose(&self, key: &str, problems: &mut Problems) -> Option<&'v str> {
        match self.opt_string(key, problems) {
            Ok(Some(s)) if s.trim().is_empty() => {
                problems.push(problem(self.at(key), key, None, "is required and must not be blank".into()));
                None
            }
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                self.missing(key, "a string", problems);
                None
            }
            Err(()) => None,
        }
    }

    /// An optional string; `Err` when present but not a string.
    pub fn opt_text(&self, key: &str, problems: &mut Problems) -> Result<Option<String>, ()> {
        self.opt_string(key, problems).map(|s| s.map(str::to_owned))
    }

    /// An optional single-line, non-blank string (names, people).
    pub fn opt_line(&self, key: &str, max: usize, problems: &mut Problems) -> Result<Option<String>, ()> {
        self.opt_parsed(key, problems, |s| validate::text(key, s, max).map(|()| s.to_owned()))
    }

    /// A required string checked by `parse`.
    pub fn parsed<T>(
        &self,
        key: &str,
        expected: &str,
        problems: &mut Problems,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        match self.opt_string(key, problems) {
            Ok(Some(s)) => self.check(key, parse(s), problems),
            Ok(None) => {
                self.missing(key, expected, problems);
                None
            }
            Err(()) => None,
        }
    }

    /// An optional string checked by `parse`; `Err` on any problem.
    pub fn opt_parsed<T>(
        &self,
        key: &str,
        problems: &mut Problems,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Result<Option<T>, ()> {
        match self.opt_string(key, problems)? {
            None => Ok(None),
            Some(s) => self.check(key, parse(s), problems).map(Some).ok_or(()),
        }
    }

    /// A rule across fields (a date against another): its problem goes on `key`.
    pub fn rule(&self, key: &str, result: Result<(), FieldError>, problems: &mut Problems) -> Option<()> {
        self.check(key, result, problems)
    }

    fn check<T>(&self, key: &str, result: Result<T, FieldError>, problems: &mut Problems) -> Option<T> {
        result.map_err(|e| problems.push(problem(self.at(key), key, e.value, e.message))).ok()
    }

    /// A required word of a closed vocabulary.
    pub fn vocab<T: FromStr<Err = VocabError>>(&self, key: &str, problems: &mut Problems) -> Option<T> {
        self.parsed(key, "a word", problems, |s| vocab_field(key, s))
    }

    pub fn date(&self, key: &str, problems: &mut Problems) -> Option<NaiveDate> {
        self.parsed(key, "a date YYYY-MM-DD", problems, |s| validate::date(key, s))
    }

    pub fn opt_date(&self, key: &str, problems: &mut Problems) -> Result<Option<NaiveDate>, ()> {
        self.opt_parsed(key, problems, |s| validate::date(key, s))
    }

    /// An optional whole number of at least `min`.
    pub fn opt_count(&self, key: &str, min: u32, problems: &mut Problems) -> Result<Option<u32>, ()> {
        let Some(value) = self.get(key) else { return Ok(None) };
        let number = value.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n >= min);
        if number.is_none() {
            let message = match value {
                Value::Number(n) if n.as_i64().is_some_and(|n| n < 0) => {
                    format!("must not be negative; expected a whole number of at least {min}")
                }
                Value::Number(n) if n.as_u64().is_some() => {
                    format!("is out of range; expected a whole number from {min} to {}", u32::MAX)
                }
                _ => format!("expected a whole number of at least {min}, found {}", describe(value)),
            };
            let shown = matches!(value, Value::Number(_)).then(|| value.to_string());
            problems.push(problem(self.at(key), key, shown, message));
            return Err(());
        }
        Ok(number)
    }

    pub fn count(&self, key: &str, min: u32, problems: &mut Problems) -> Option<u32> {
        match self.opt_count(key, min, problems) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                self.missing(key, "a whole number", problems);
                None
            }
            Err(()) => None,
        }
    }

    /// A required `true` or `false`.
    pub fn boolean(&self, key: &str, problems: &mut Problems) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.wrong_type(key, "true or false", other, problems);
                None
            }
            None => {
                self.missing(key, "true or false", problems);
                None
            }
        }
    }

    /// A required finite number within `min..=max`.
    pub fn number(&self, key: &str, (min, max): (f64, f64), problems: &mut Problems) -> Option<f64> {
        let expected = if max.is_finite() {
            format!("a number from {min} to {max}")
        } else {
            format!("a number of at least {min}")
        };
        match self.get(key) {
            Some(value @ Value::Number(n)) => {
                let number = n.as_f64().filter(|x| x.is_finite() && (min..=max).contains(x));
                if number.is_none() {
                    let message = format!("is out of range; expected {expected}");
                    problems.push(problem(self.at(key), key, Some(value.to_string()), message));
                }
                number
            }
            Some(other) => {
                self.wrong_type(key, &expected, other, problems);
                None
            }
            None => {
                self.missing(key, &expected, problems);
                None
            }
        }
    }

    /// A required nested object, read by `read` at its own path.
    pub fn nested<T>(
        &self,
        key: &str,
        problems: &mut Problems,
        read: impl FnOnce(&'v Value, &str, &mut Problems) -> Option<T>,
    ) -> Option<T> {
        if let Some(value) = self.get(key) {
            read(value, &self.at(key), problems)
        } else {
            self.missing(key, "an object", problems);
            None
        }
    }

    /// An optional array (absent = empty); `None` when present but not an array.
    pub fn array(&self, key: &str, problems: &mut Problems) -> Option<&'v [Value]> {
        match self.get(key) {
            None => Some(&[]),
            Some(Value::Array(items)) => Some(items),
            Some(other) => {
                self.wrong_type(key, "an array", other, problems);
                None
            }
        }
    }

    /// An optional object (absent = empty).
    pub fn map(&self, key: &str, problems: &mut Problems) -> Result<Option<&'v Map<String, Value>>, ()> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => {
                self.wrong_type(key, "an object", other, problems);
                Err(())
            }
        }
    }
}

pub(super) fn vocab_field<T: FromStr<Err = VocabError>>(field: &str, text: &str) -> Result<T, FieldError> {
    text.parse::<T>()
        .map_err(|e| FieldError::new(field, Some(text), format!("is not valid; expected one of: {}", e.expected)))
}
