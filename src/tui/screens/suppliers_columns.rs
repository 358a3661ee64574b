//! The Suppliers screen's columns: their headers, widths, the narrowest
//! screen that shows each, and how rows compare on each (missing values
//! last, either way).

use std::cmp::Ordering;

use ratatui::layout::Constraint;

use crate::assess::verdict::Assessment;
use crate::tui::catalog::SupplierRow;
use crate::tui::sorting::{Direction, by_option};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Code,
    Name,
    City,
    Models,
    Type,
    Verdict,
    Grade,
    Fpy,
    Lots,
    LastAudit,
    Flags,
}

impl Column {
    pub const ALL: [Self; 11] = [
        Self::Code,
        Self::Name,
        Self::City,
        Self::Models,
        Self::Type,
        Self::Verdict,
        Self::Grade,
        Self::Fpy,
        Self::Lots,
        Self::LastAudit,
        Self::Flags,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Name => "name",
            Self::City => "city",
            Self::Models => "models",
            Self::Type => "type",
            Self::Verdict => "ODM verdict",
            Self::Grade => "grade",
            Self::Fpy => "FPY",
            Self::Lots => "lots",
            Self::LastAudit => "last audit",
            Self::Flags => " H  M  L",
        }
    }

    /// The column in words, for the status line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Flags => "flags (high, medium, low)",
            other => other.header(),
        }
    }

    pub fn width(self) -> Constraint {
        Constraint::Length(match self {
            Self::Name => return Constraint::Fill(1),
            Self::Code | Self::LastAudit => 11,
            Self::City | Self::Flags => 9,
            Self::Models => 7,
            Self::Type => 12,
            Self::Verdict => 13,
            Self::Grade | Self::Fpy => 6,
            Self::Lots => 5,
        })
    }

    /// The narrowest screen that shows this column (all sort, shown or not).
    pub fn min_width(self) -> u16 {
        match self {
            Self::LastAudit => 92,
            Self::Type => 104,
            Self::City => 112,
            Self::Models => 120,
            _ => 0,
        }
    }

    /// Bigger first for counts, yields and dates: what a buyer looks for.
    pub fn first_direction(self) -> Direction {
        match self {
            Self::Fpy | Self::Lots | Self::LastAudit | Self::Flags => Direction::Descending,
            _ => Direction::Ascending,
        }
    }

    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or_default();
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Compares two rows on this column; missing values last either way.
    pub fn compare(self, a: &SupplierRow, b: &SupplierRow, dir: Direction) -> Ordering {
        let (x, y) = (&a.supplier, &b.supplier);
        let (ax, ay) = (a.assessment.as_ref(), b.assessment.as_ref());
        match self {
            Self::Code => dir.apply(x.code.cmp(&y.code)),
            Self::Name => dir.apply(a.name_key().cmp(b.name_key())),
            Self::City => by_option(x.city.as_deref(), y.city.as_deref(), dir, Ord::cmp),
            Self::Models => dir.apply((x.models.odm, x.models.oem).cmp(&(y.models.odm, y.models.oem))),
            Self::Type => dir.apply(x.business_type.cmp(&y.business_type)),
            Self::Verdict => by_option(ax.map(|a| a.verdict), ay.map(|a| a.verdict), dir, Ord::cmp),
            Self::Grade => by_option(ax.and_then(|a| a.grade), ay.and_then(|a| a.grade), dir, Ord::cmp),
            Self::Fpy => {
                let fpy = |a: Option<&Assessment>| a.and_then(|a| a.yield_summary.fpy);
                by_option(fpy(ax), fpy(ay), dir, f64::total_cmp)
            }
            Self::Lots => by_option(ax.map(|a| a.yield_summary.lots), ay.map(|a| a.yield_summary.lots), dir, Ord::cmp),
            Self::LastAudit => by_option(ax.and_then(|a| a.last_audit), ay.and_then(|a| a.last_audit), dir, Ord::cmp),
            Self::Flags => by_option(ax.map(Assessment::flag_counts), ay.map(Assessment::flag_counts), dir, Ord::cmp),
        }
    }
}
