//! Numbers shown beside the thresholds they are judged against, with as many
//! decimals as it takes to be true: 84.99% never reads "85.0% … below the 85%
//! minimum", and an audit scored 85.96% never reads "86.0%, grade B".

/// Most decimals ever shown; past this a value is shown in full.
const MAX_DECIMALS: usize = 9;

/// `value` with at least `min` decimals, and more while rounding would put
/// it on the other side of (or onto, from below) any of `thresholds`.
pub fn beside(value: f64, thresholds: &[f64], min: usize) -> String {
    for decimals in min..=MAX_DECIMALS {
        let text = format!("{value:.decimals$}");
        let shown: f64 = text.parse().unwrap_or(value);
        if thresholds.iter().all(|t| (value < *t) == (shown < *t)) {
            return text;
        }
    }
    value.to_string()
}

/// A fraction as a percentage (`0.8499` → `84.99%`) beside fractional
/// `thresholds` (`0.85`), one decimal when that is enough.
pub fn percent_beside(fraction: f64, thresholds: &[f64]) -> String {
    let points: Vec<f64> = thresholds.iter().map(|t| t * 100.0).collect();
    format!("{}%", beside(fraction * 100.0, &points, 1))
}

/// A threshold as a percentage, exactly and as short as it goes: `0.85` →
/// `85%`, `0.855` → `85.5%` (never rounded to a neighbour).
pub fn threshold_percent(fraction: f64) -> String {
    let points = fraction * 100.0;
    for decimals in 0..=MAX_DECIMALS {
        let text = format!("{points:.decimals$}");
        if text.parse::<f64>().is_ok_and(|shown| (shown - points).abs() < 1e-9) {
            return format!("{text}%");
        }
    }
    format!("{points}%")
}

/// A value and the limits it is judged against (`lcl`, `ucl`), all as
/// percentages with the same decimals, as many as it takes for the shown
/// value to sit on the same side of each shown limit as the real one does.
pub fn percents_against(fraction: f64, limits: &[f64]) -> (String, Vec<String>) {
    for decimals in 1..=MAX_DECIMALS {
        let shown = |f: f64| format!("{:.decimals$}", f * 100.0);
        let value = shown(fraction);
        let texts: Vec<String> = limits.iter().map(|l| shown(*l)).collect();
        let as_number = |t: &str| t.parse::<f64>().unwrap_or(0.0);
        let holds = limits
            .iter()
            .zip(&texts)
            .all(|(l, t)| fraction.partial_cmp(l) == as_number(&value).partial_cmp(&as_number(t)));
        if holds {
            return (format!("{value}%"), texts.into_iter().map(|t| format!("{t}%")).collect());
        }
    }
    let full = |f: f64| format!("{}%", f * 100.0);
    (full(fraction), limits.iter().map(|l| full(*l)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_value_just_under_a_threshold_never_reads_as_at_it() {
        assert_eq!(percent_beside(0.8499, &[0.85]), "84.99%");
        assert_eq!(percent_beside(0.849_999_9, &[0.85]), "84.99999%");
        assert_eq!(percent_beside(0.842, &[0.85]), "84.2%");
        assert_eq!(percent_beside(0.85, &[0.85]), "85.0%");
        assert_eq!(beside(85.96, &[86.0, 71.0], 1), "85.96");
        assert_eq!(threshold_percent(0.85), "85%");
        assert_eq!(threshold_percent(0.855), "85.5%");
        let (p, limits) = percents_against(0.050_4, &[0.01, 0.050_3]);
        assert_eq!((p.as_str(), limits[1].as_str()), ("5.04%", "5.03%"));
    }

    proptest! {
        #[test]
        fn the_shown_value_is_on_the_same_side_of_every_threshold(
            value in 0.0_f64..100.0, threshold in 0.0_f64..100.0, near in -1e-6_f64..1e-6,
        ) {
            for v in [value, threshold + near] {
                let shown: f64 = beside(v, &[threshold], 1).parse().unwrap();
                prop_assert_eq!(v < threshold, shown < threshold, "{} shown {} against {}", v, shown, threshold);
            }
        }

        #[test]
        fn shown_limits_keep_the_order_of_the_real_ones(p in 0.0_f64..1.0, ucl in 0.0_f64..1.0, near in -1e-7_f64..1e-7) {
            for v in [p, ucl + near] {
                let (value, limits) = percents_against(v, &[ucl]);
                let number = |t: &str| t.trim_end_matches('%').parse::<f64>().unwrap();
                prop_assert_eq!(v.partial_cmp(&ucl), number(&value).partial_cmp(&number(&limits[0])));
            }
        }
    }
}
