//! The Yield screen's panes besides the chart itself (`tui::chart`): the
//! violations listed beside it, FPY by material or process with Wilson
//! intervals, the defect Pareto and FPY by month.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Row, Table};

use crate::assess::spc::{Rule, RuleSet, Statistic};
use crate::assess::strata::{Standing, Stratum, StratumYield};
use crate::assess::yield_stats::YieldReport;
use crate::charts::format_value;
use crate::exchange::shortlist::percent;
use crate::tui::list::Listing;
use crate::tui::theme::{Theme, Tone};

/// One rule broken at one lot, as listed beside the chart.
#[derive(Debug, Clone)]
pub struct ViolationRow {
    /// The lot's position on the chart.
    pub index: usize,
    pub lot: String,
    pub produced_on: NaiveDate,
    pub value: f64,
    pub rule: Rule,
}

/// The violations of `report`, in chart order.
pub fn violation_rows(report: &YieldReport) -> Vec<ViolationRow> {
    let index: std::collections::HashMap<&str, usize> =
        report.lots.iter().enumerate().map(|(i, l)| (l.lot.as_str(), i)).collect();
    report
        .violations
        .iter()
        .filter_map(|v| {
            let i = *index.get(v.lot.as_str())?;
            let lot = &report.lots[i];
            Some(ViolationRow {
                index: i,
                lot: v.lot.clone(),
                produced_on: lot.produced_on,
                value: lot.chart.value,
                rule: v.rule,
            })
        })
        .collect()
}

/// Run rules in a few words, to fit beside the chart.
pub fn rule_label(rule: Rule) -> &'static str {
    match rule {
        Rule::Beyond3Sigma => "beyond 3σ",
        Rule::NineInARow => "9 in a row",
        Rule::TwoOfThreeBeyond2Sigma => "2 of 3 > 2σ",
        Rule::FourOfFiveBeyond1Sigma => "4 of 5 > 1σ",
        Rule::EightInARow => "8 in a row",
    }
}

pub fn render_violations(
    frame: &mut Frame,
    area: Rect,
    rows: &[ViolationRow],
    (rules, statistic): (RuleSet, Statistic),
    list: &Listing,
    theme: Theme,
) {
    let shown = if list.filter.editing || list.filter.is_active() {
        format!(" / {}: {} of", list.filter.input.value(), list.shown().len())
    } else {
        String::new()
    };
    let title = format!("{shown} {} violation(s), {rules} rules (Enter: go to) ", rows.len());
    let block = Block::new().borders(Borders::TOP | Borders::LEFT).border_style(theme.border()).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        frame.render_widget(Line::styled(" none: in control", theme.tone(Tone::Good)), inner);
        return;
    }
    if list.shown().is_empty() {
        frame.render_widget(Line::styled(" none matches the filter (Esc clears it)", theme.dim()), inner);
        return;
    }
    let dated = inner.width >= 42;
    let lines = list.window(usize::from(inner.height.saturating_sub(1))).map(|(i, selected)| {
        let v = &rows[i];
        let mut cells = vec![v.lot.clone(), format_value(statistic, v.value), rule_label(v.rule).to_owned()];
        if dated {
            cells.insert(1, v.produced_on.to_string());
        }
        let row = Row::new(cells);
        if selected { row.style(theme.selected()) } else { row }
    });
    let (header, widths) = if dated {
        (vec!["lot", "produced", statistic.name(), "rule"], vec![12, 10, 6, 11])
    } else {
        (vec!["lot", statistic.name(), "rule"], vec![12, 6, 11])
    };
    let header = Row::new(header).style(theme.header());
    let widths = widths.into_iter().map(Constraint::Length);
    frame.render_widget(Table::new(lines, widths).header(header).column_spacing(1), inner);
}

/// FPY per material or process with its 95% Wilson interval drawn on one
/// scale for all, the others pooled, and the lots behind each.
pub fn render_strata(frame: &mut Frame, area: Rect, by: Stratum, rows: &[StratumYield], theme: Theme) {
    let title = format!(" FPY by {by}: 95% Wilson intervals (units started); lower / higher than the others pooled ");
    let block = Block::new().borders(Borders::TOP).border_style(theme.border()).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        frame.render_widget(Line::styled("no lots", theme.dim()), inner);
        return;
    }
    let lo = rows.iter().map(|r| r.low).fold(1.0, f64::min);
    let hi = rows.iter().map(|r| r.high).fold(0.0, f64::max);
    let bar_width = usize::from(inner.width.saturating_sub(62)).clamp(10, 40);
    let lines = rows.iter().map(|r| {
        let standing = match r.standing {
            Standing::Lower => Span::styled("lower", theme.tone(Tone::Bad)),
            Standing::Higher => Span::styled("higher", theme.tone(Tone::Good)),
            Standing::Within => Span::raw(""),
        };
        Row::new(vec![
            Line::raw(r.key.clone()),
            Line::raw(format!("{:>4}", r.lots.len())),
            Line::raw(percent(r.fpy)),
            Line::raw(format!("{} – {}", percent(r.low), percent(r.high))),
            Line::raw(interval_bar((r.low, r.fpy, r.high), (lo, hi), bar_width)),
            Line::from(standing),
        ])
    });
    let header = Row::new(["stratum", "lots", "FPY", "95% interval", "interval (one scale)", "stands out"])
        .style(theme.header());
    let widths = [16, 5, 6, 15, u16::try_from(bar_width).unwrap_or(20), 10].map(Constraint::Length);
    frame.render_widget(Table::new(lines, widths).header(header).column_spacing(1), inner);
}

/// `···├──●──┤·····`: the interval and the estimate on the scale `lo..hi`.
pub fn interval_bar((low, mid, high): (f64, f64, f64), (lo, hi): (f64, f64), width: usize) -> String {
    let span = (hi - lo).max(1e-9);
    let at = |v: f64| {
        crate::charts::whole(((v - lo) / span * (width.saturating_sub(1)) as f64).round()).min(width.saturating_sub(1))
    };
    let (a, m, b) = (at(low), at(mid), at(high));
    (0..width)
        .map(|i| match i {
            _ if i == m => '●',
            _ if i == a => '├',
            _ if i == b => '┤',
            _ if i > a && i < b => '─',
            _ => '·',
        })
        .collect()
}

pub fn render_pareto(frame: &mut Frame, area: Rect, report: &YieldReport, theme: Theme) {
    let block = Block::new().borders(Borders::TOP).border_style(theme.border()).title(" defect Pareto ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if report.pareto.is_empty() {
        frame.render_widget(Line::styled("no defect counts recorded for these lots", theme.dim()), inner);
        return;
    }
    let code_width = report.pareto.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let bars: Vec<Bar<'_>> = report
        .pareto
        .iter()
        .take(usize::from(inner.height))
        .map(|row| {
            let label = format!(
                "{:<code_width$} {:>7} {:>4.0}% {:>4.0}%",
                row.code,
                row.count,
                row.share * 100.0,
                row.cumulative_share * 100.0
            );
            Bar::with_label(label, row.count).text_value(String::new())
        })
        .collect();
    let chart = BarChart::horizontal(bars).bar_gap(0).bar_style(theme.tone(Tone::Warn));
    frame.render_widget(chart, inner);
}

pub fn render_months(frame: &mut Frame, area: Rect, report: &YieldReport, theme: Theme) {
    let block = Block::new().borders(Borders::TOP | Borders::LEFT).border_style(theme.border()).title(" FPY by month ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown = usize::from(inner.height.saturating_sub(1));
    let rows = report
        .fpy_by_month
        .iter()
        .rev()
        .take(shown)
        .map(|m| Row::new([m.month.clone(), format!("{:>4}", m.lots), percent(m.fpy)]));
    let header = Row::new(["month", "lots", "FPY"]).style(theme.header());
    let widths = [Constraint::Length(8), Constraint::Length(5), Constraint::Length(7)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
}
