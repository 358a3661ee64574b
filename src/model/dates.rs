//! The one set of date rules every way in applies (the CSV and dossier
//! importers, the `audit` commands, the UI's forms) and `casebook check`
//! re-checks in SQL (`store::integrity`): nothing dated after today by the
//! real clock, and nothing of an audit's before its visit where the domain
//! says so. Whatever a way in accepts, `check` accepts.
//!
//! Evidence is not bounded by its audit's visit day: an on-site visit can
//! span days, and the demo data (and every database written from it)
//! records evidence seen on the day after the visit's date; refusing that
//! would make those databases' own exports impossible to import again.
//!
//! | record | rule |
//! |---|---|
//! | lot | `produced_on` ≤ today |
//! | claim | `stated_on` ≤ today; `stated_on` ≤ `retired_on` ≤ today |
//! | audit | `visited_on` ≤ today |
//! | evidence | `collected_on` ≤ today |
//! | finding | `due_on` ≥ its audit's `visited_on` (a due date may be ahead) |
//! | closure | its finding's audit's `visited_on` ≤ `closed_on` ≤ today |

use chrono::NaiveDate;

use super::validate::{FieldError, four_digit_year, not_after_today, not_before_visit};

/// A lot's production day.
pub fn produced(day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("produced_on", day)?;
    not_after_today("produced_on", day, today)
}

/// A claim's statement day.
pub fn stated(day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("stated_on", day)?;
    not_after_today("stated_on", day, today)
}

/// A claim's retirement: on or after its statement, not after today.
pub fn retired(day: NaiveDate, stated_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("retired_on", day)?;
    if day < stated_on {
        let shown = day.to_string();
        return Err(FieldError::new(
            "retired_on",
            Some(&shown),
            format!("is before stated_on ({stated_on}); a claim is retired on or after it was stated"),
        ));
    }
    not_after_today("retired_on", day, today)
}

/// An audit's visit.
pub fn visited(day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("visited_on", day)?;
    not_after_today("visited_on", day, today)
}

/// An evidence item's collection day.
pub fn collected(day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("collected_on", day)?;
    not_after_today("collected_on", day, today)
}

/// A finding's due date, against its audit's visit.
pub fn due(day: NaiveDate, visited_on: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("due_on", day)?;
    not_before_visit("due_on", day, visited_on)
}

/// A finding's closure day, against its audit's visit.
pub fn closed(day: NaiveDate, visited_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    four_digit_year("closed_on", day)?;
    not_before_visit("closed_on", day, visited_on)?;
    not_after_today("closed_on", day, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn each_rule_refuses_one_day_past_its_bound_and_takes_the_bound() {
        let (today, visit) = (day("2026-11-15"), day("2026-11-01"));
        assert!(produced(today, today).is_ok() && produced(day("2026-11-16"), today).is_err());
        assert!(stated(today, today).is_ok() && stated(day("2026-11-16"), today).is_err());
        assert!(retired(visit, visit, today).is_ok() && retired(day("2026-10-31"), visit, today).is_err());
        assert!(retired(today, visit, today).is_ok() && retired(day("2026-11-16"), visit, today).is_err());
        assert!(visited(today, today).is_ok() && visited(day("2027-01-01"), today).is_err());
        assert!(collected(today, today).is_ok() && collected(day("2026-11-16"), today).is_err());
        assert!(due(visit, visit).is_ok() && due(day("2026-10-31"), visit).is_err());
        assert!(due(day("2027-06-01"), visit).is_ok(), "a due date may lie ahead");
        assert!(closed(visit, visit, today).is_ok() && closed(day("2026-10-31"), visit, today).is_err());
        assert!(closed(day("2026-11-16"), visit, today).unwrap_err().message.contains("after today"));
        assert!(produced(day("9999-12-31"), today).is_err());
    }
}
