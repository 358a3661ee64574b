//! The words of the SVG drawing: its heading, the list of violations, each
//! lot's tooltip, and the text helpers (wrapping, XML escaping).

use std::fmt::Write as _;

use super::{ChartModel, center_symbol, format_value, listed};
use crate::assess::spc::{Rule, Statistic};
use crate::assess::yield_stats::LotPoint;

/// Violations listed under the chart before "and N more".
const LISTED_VIOLATIONS: usize = 40;

pub(super) fn heading_text(chart: &ChartModel<'_>) -> Vec<String> {
    let report = chart.report;
    let statistic = chart.statistic();
    let mut lines = vec![report.chart.describe().to_owned(), chart.window.describe()];
    if !chart.narrowed.is_empty() {
        lines.push(format!("only {}", chart.narrowed.join(", ")));
    }
    let centre = report.center.map_or_else(|| "—".to_owned(), |c| format_value(statistic, c));
    let sigma = report.sigma_z.map_or_else(String::new, |s| format!(", σ_z {s:.2}"));
    lines.push(format!(
        "{} lots; centre {} = {centre}{sigma}; {}",
        report.lots.len(),
        center_symbol(statistic),
        chart.limits_text()
    ));
    lines.push(chart.rules_text());
    lines
}

pub(super) fn violation_text(chart: &ChartModel<'_>) -> Vec<String> {
    let report = chart.report;
    if report.violations.is_empty() {
        return vec![format!("No rule broken ({} rules).", report.rules)];
    }
    let rules = chart.rules_at();
    let flagged: Vec<String> = report
        .lots
        .iter()
        .zip(&rules)
        .filter(|(_, r)| !r.is_empty())
        .map(|(lot, r)| format!("{} ({}) {}", lot.lot, lot.produced_on, marks(r)))
        .collect();
    vec![format!(
        "{} violation(s) on {} lot(s), {} rules: {}",
        report.violations.len(),
        flagged.len(),
        report.rules,
        listed(&flagged, LISTED_VIOLATIONS)
    )]
}

pub(super) fn tooltip(lot: &LotPoint, rules: &[Rule], statistic: Statistic) -> String {
    let c = &lot.chart;
    let z = c.z.map_or_else(|| "∞".to_owned(), |z| format!("{z:+.2}"));
    let mut text = format!(
        "{} ({}): {} {} of {} started, {} = {} (limits {} … {}, z {z})",
        lot.lot,
        lot.produced_on,
        lot.count,
        statistic.count_name(),
        lot.started,
        statistic.name(),
        format_value(statistic, c.value),
        format_value(statistic, c.lcl),
        format_value(statistic, c.ucl)
    );
    if !rules.is_empty() {
        let names: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
        let _ = write!(text, "; broke {}", names.join(", "));
    }
    if let Some(a) = &lot.annotation {
        let verb = if a.excluded { "excluded from the limits" } else { "annotated" };
        let _ = write!(text, "; {verb}: {}", a.cause);
        if let Some(action) = &a.action {
            let _ = write!(text, " (action: {action})");
        }
    }
    text
}

pub(super) fn marks(rules: &[Rule]) -> String {
    rules.iter().map(|r| r.mark()).collect::<Vec<_>>().join(" ")
}

/// Breaks `text` at spaces into lines of at most `width` characters.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width.max(20) {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Text for XML content and attribute values; control characters (which
/// XML 1.0 cannot hold) become U+FFFD.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markup_out_and_control_characters_out() {
        assert_eq!(esc("A&B <x> \"q\" 'a'"), "A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos;");
        assert_eq!(esc("a\u{1}b"), "a\u{fffd}b");
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let lines = wrap("one two three four five six seven eight nine ten eleven", 22);
        assert!(lines.iter().all(|l| l.chars().count() <= 22), "{lines:?}");
        assert_eq!(lines.join(" "), "one two three four five six seven eight nine ten eleven");
    }
}
