//! What a whole record must be before it is written: the field rules of
//! [`super::validate`] (the importers' text rules) and the date rules of
//! [`super::dates`], record by record.
//!
//! The importers and the UI's forms check field by field first, to say where
//! (a CSV line, a JSON path, the form field); the store's writers call these
//! again for every record they write, so no way in (the `audit` commands, a
//! form, an import, a future one) can store what another would refuse.

use chrono::NaiveDate;

use super::validate::{self, FieldError, LINE_MAX, NAME_MAX, TEXT_MAX};
use super::{Answer, Claim, Closure, Evidence, Finding, Supplier, dates};

type Checked = Result<(), FieldError>;

fn opt(value: Option<&str>, check: impl FnOnce(&str) -> Checked) -> Checked {
    value.map_or(Ok(()), check)
}

/// Required free text: not blank, no control characters but line breaks
/// and tabs, no bidi overrides.
fn required_prose(field: &str, value: &str) -> Checked {
    if value.trim().is_empty() {
        return Err(FieldError::new(field, None, "is required and must not be blank"));
    }
    validate::prose(field, value, TEXT_MAX)
}

/// Whoever makes a change (`--auditor`, `$USER`): one line of plain text.
pub fn person(field: &str, name: &str) -> Checked {
    validate::text(field, name, LINE_MAX)
}

pub fn supplier(s: &Supplier) -> Checked {
    validate::code("code", &s.code)?;
    validate::text("name", &s.name, NAME_MAX)?;
    validate::country("country", &s.country)?;
    opt(s.city.as_deref(), |c| validate::text("city", c, LINE_MAX))?;
    opt(s.notes.as_deref(), |n| validate::prose("notes", n, TEXT_MAX))?;
    for (field, value) in [("moq", s.moq), ("dev_lead_days", s.dev_lead_days)] {
        if value == Some(0) {
            return Err(FieldError::new(field, Some("0"), "must be at least 1 (or left out)"));
        }
    }
    Ok(())
}

pub fn claim(c: &Claim, today: NaiveDate) -> Checked {
    validate::prose("statement", &c.statement, TEXT_MAX)?;
    dates::stated(c.stated_on, today)?;
    opt_day(c.retired_on, |day| dates::retired(day, c.stated_on, today))
}

fn opt_day(day: Option<NaiveDate>, check: impl FnOnce(NaiveDate) -> Checked) -> Checked {
    day.map_or(Ok(()), check)
}

/// An audit's header: who, when, the optional summary and reference.
pub fn audit(
    auditor: &str,
    visited_on: NaiveDate,
    summary: Option<&str>,
    reference: Option<&str>,
    today: NaiveDate,
) -> Checked {
    person("auditor", auditor)?;
    dates::visited(visited_on, today)?;
    opt(summary, |s| validate::prose("summary", s, TEXT_MAX))?;
    opt(reference, |r| validate::code("reference", r))
}

pub fn answer(a: &Answer) -> Checked {
    validate::text("question", &a.question, 16)?;
    opt(a.note.as_deref(), |n| validate::prose("note", n, TEXT_MAX))
}

pub fn evidence(e: &Evidence, today: NaiveDate) -> Checked {
    required_prose("description", &e.description)?;
    opt(e.reference.as_deref(), |r| validate::prose("reference", r, TEXT_MAX))?;
    dates::collected(e.collected_on, today)
}

/// A finding of an audit visited on `visited_on` (with its closure, if any).
pub fn finding(f: &Finding, visited_on: NaiveDate, today: NaiveDate) -> Checked {
    required_prose("description", &f.description)?;
    opt(f.owner.as_deref(), |o| validate::text("owner", o, NAME_MAX))?;
    dates::due(f.due_on, visited_on)?;
    f.closure.as_ref().map_or(Ok(()), |c| closure(c, visited_on, today))
}

/// The closure of a finding of an audit visited on `visited_on`.
pub fn closure(c: &Closure, visited_on: NaiveDate, today: NaiveDate) -> Checked {
    required_prose("closure", &c.evidence)?;
    validate::text("closed_by", &c.closed_by, NAME_MAX)?;
    dates::closed(c.closed_on, visited_on, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FindingSeverity;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn escapes_and_bidi_overrides_are_refused_in_every_text() {
        let today = day("2026-11-15");
        assert!(person("auditor", "lin.wei").is_ok());
        assert!(person("auditor", "lin\u{1b}[31m").unwrap_err().message.contains("U+001B"));
        assert!(audit("lin", today, Some("ok\u{202e}kO"), None, today).unwrap_err().message.contains("bidirectional"));
        let f = Finding {
            severity: FindingSeverity::Minor,
            description: "fine".into(),
            owner: Some("QA\u{7}".into()),
            due_on: today,
            closure: None,
        };
        assert_eq!(finding(&f, today, today).unwrap_err().field, "owner");
    }

    #[test]
    fn dates_follow_the_one_rule_set() {
        let (today, visit) = (day("2026-11-15"), day("2026-11-01"));
        assert_eq!(audit("lin", day("2027-01-01"), None, None, today).unwrap_err().field, "visited_on");
        let f = Finding {
            severity: FindingSeverity::Minor,
            description: "label".into(),
            owner: None,
            due_on: day("2026-10-30"),
            closure: None,
        };
        assert_eq!(finding(&f, visit, today).unwrap_err().field, "due_on");
        let c = Closure { closed_on: day("2026-10-31"), evidence: "photo".into(), closed_by: "lin".into() };
        assert_eq!(closure(&c, visit, today).unwrap_err().field, "closed_on");
    }
}
