//! Sort direction and the comparison that keeps missing values last in
//! either direction (a supplier not yet audited is never "first").

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    pub fn apply(self, ordering: Ordering) -> Ordering {
        match self {
            Self::Ascending => ordering,
            Self::Descending => ordering.reverse(),
        }
    }

    #[must_use]
    pub fn flip(self) -> Self {
        match self {
            Self::Ascending => Self::Descending,
            Self::Descending => Self::Ascending,
        }
    }

    pub fn arrow(self) -> &'static str {
        match self {
            Self::Ascending => "↑",
            Self::Descending => "↓",
        }
    }
}

/// Compares present values in `dir`; absent ones go last either way.
pub fn by_option<T>(a: Option<T>, b: Option<T>, dir: Direction, cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => dir.apply(cmp(&a, &b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_sort_last_both_ways() {
        let mut v = vec![Some(2), None, Some(1)];
        v.sort_by(|a, b| by_option(*a, *b, Direction::Ascending, Ord::cmp));
        assert_eq!(v, [Some(1), Some(2), None]);
        v.sort_by(|a, b| by_option(*a, *b, Direction::Descending, Ord::cmp));
        assert_eq!(v, [Some(2), Some(1), None]);
    }
}
