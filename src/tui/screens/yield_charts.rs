//! Drawing the Yield screen: the control chart (lots, centre line and
//! limits as datasets, lots that broke a rule in their own marker), the
//! violation list beside it, the defect Pareto and FPY by month.
//!
//! [`Plot`] holds the chart's points, computed once per query: a ratatui
//! `Dataset` borrows its points, and drawing must not recompute them.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Bar, BarChart, Block, Borders, Chart, Dataset, GraphType, Row, Table};

use crate::assess::spc::{ChartKind, Rule, RuleSet};
use crate::assess::yield_stats::YieldReport;
use crate::exchange::shortlist::percent;
use crate::tui::list::Listing;
use crate::tui::theme::{Theme, Tone};

/// One rule broken at one lot, as listed beside the chart.
#[derive(Debug, Clone)]
pub struct ViolationRow {
    pub lot: String,
    pub produced_on: NaiveDate,
    pub p: f64,
    pub rule: Rule,
}

/// The chart's datasets: x is the lot's position (1-based), y a fraction.
#[derive(Debug, Default)]
pub struct Plot {
    pub lots: Vec<(f64, f64)>,
    pub flagged: Vec<(f64, f64)>,
    pub centre: Vec<(f64, f64)>,
    pub ucl: Vec<(f64, f64)>,
    pub lcl: Vec<(f64, f64)>,
    /// The y range: every point and limit, with a margin.
    pub y_min: f64,
    pub y_max: f64,
    pub violations: Vec<ViolationRow>,
}

impl Plot {
    pub fn new(report: &YieldReport) -> Self {
        let index: HashMap<&str, usize> = report.lots.iter().enumerate().map(|(i, l)| (l.lot.as_str(), i)).collect();
        let flagged_at: HashSet<usize> =
            report.violations.iter().filter_map(|v| index.get(v.lot.as_str()).copied()).collect();
        let mut plot = Self { y_min: f64::MAX, ..Self::default() };
        for (i, lot) in report.lots.iter().enumerate() {
            let x = (i + 1) as f64;
            let point = (x, lot.chart.p);
            if flagged_at.contains(&i) {
                plot.flagged.push(point);
            } else {
                plot.lots.push(point);
            }
            plot.ucl.push((x, lot.chart.ucl));
            plot.lcl.push((x, lot.chart.lcl));
            plot.y_max = plot.y_max.max(lot.chart.p).max(lot.chart.ucl);
            plot.y_min = plot.y_min.min(lot.chart.p).min(lot.chart.lcl);
        }
        if let Some(center) = report.center {
            plot.centre = vec![(1.0, center), (report.lots.len().max(2) as f64, center)];
        }
        // Lots and limits fill the height, with a little room around them.
        let margin = ((plot.y_max - plot.y_min) * 0.08).max(0.001);
        plot.y_min = (plot.y_min - margin).max(0.0);
        plot.y_max = (plot.y_max + margin).min(1.0).max(plot.y_min + 0.002);
        plot.violations = report
            .violations
            .iter()
            .filter_map(|v| {
                let lot = &report.lots[*index.get(v.lot.as_str())?];
                Some(ViolationRow { lot: v.lot.clone(), produced_on: lot.produced_on, p: lot.chart.p, rule: v.rule })
            })
            .collect();
        plot
    }
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

fn percent_label(fraction: f64) -> Span<'static> {
    Span::raw(percent(fraction))
}

pub fn render_chart(frame: &mut Frame, area: Rect, plot: &Plot, report: &YieldReport, theme: Theme) {
    let name = if report.chart == ChartKind::P { "p chart" } else { "Laney p′ chart" };
    let limits = if report.chart == ChartKind::P { "UCL/LCL" } else { "UCL′/LCL′" };
    let datasets = vec![
        line("centre p̄", &plot.centre, theme.tone(Tone::Good)),
        line(limits, &plot.ucl, theme.tone(Tone::Warn)),
        line("", &plot.lcl, theme.tone(Tone::Warn)),
        Dataset::default().name("lot").data(&plot.lots).marker(Marker::Dot).graph_type(GraphType::Scatter),
        Dataset::default()
            .name("rule broken")
            .data(&plot.flagged)
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(theme.tone(Tone::Bad)),
    ];
    let n = report.lots.len();
    let dates = |i: usize| report.lots.get(i).map_or_else(String::new, |l| l.produced_on.to_string());
    let x = Axis::default()
        .bounds([1.0, n.max(2) as f64])
        .labels([Span::raw(dates(0)), Span::raw(dates(n.saturating_sub(1)))])
        .style(theme.dim());
    let (lo, hi) = (plot.y_min, plot.y_max);
    let y = Axis::default()
        .bounds([lo, hi])
        .labels([percent_label(lo), percent_label(f64::midpoint(lo, hi)), percent_label(hi)])
        .style(theme.dim());
    let title = format!(" {name}: fraction nonconforming of {n} lots ");
    let block = Block::new().borders(Borders::TOP).border_style(theme.border()).title(title);
    let [chart_area, legend_area] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let chart = Chart::new(datasets).block(block).x_axis(x).y_axis(y).legend_position(None);
    frame.render_widget(chart, chart_area);
    let legend = Line::from(vec![
        Span::raw(" • lot  "),
        Span::styled("█ rule broken  ", theme.tone(Tone::Bad)),
        Span::styled("─ centre p̄  ", theme.tone(Tone::Good)),
        Span::styled(format!("─ {limits}"), theme.tone(Tone::Warn)),
    ]);
    frame.render_widget(legend, legend_area);
}

fn line<'a>(name: &'a str, data: &'a [(f64, f64)], style: ratatui::style::Style) -> Dataset<'a> {
    Dataset::default().name(name).data(data).marker(Marker::Braille).graph_type(GraphType::Line).style(style)
}

pub fn render_violations(frame: &mut Frame, area: Rect, plot: &Plot, rules: RuleSet, list: &Listing, theme: Theme) {
    let shown = if list.filter.editing || list.filter.is_active() {
        format!(" / {}: {} of", list.filter.input.value(), list.shown().len())
    } else {
        String::new()
    };
    let title = format!("{shown} {} violation(s), {rules} rules ", plot.violations.len());
    let block = Block::new().borders(Borders::TOP | Borders::LEFT).border_style(theme.border()).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if plot.violations.is_empty() {
        frame.render_widget(Line::styled(" none: in control", theme.tone(Tone::Good)), inner);
        return;
    }
    if list.shown().is_empty() {
        frame.render_widget(Line::styled(" none matches the filter (Esc clears it)", theme.dim()), inner);
        return;
    }
    let dated = inner.width >= 42;
    let rows = list.window(usize::from(inner.height.saturating_sub(1))).map(|(i, selected)| {
        let v = &plot.violations[i];
        let mut cells = vec![v.lot.clone(), percent(v.p), rule_label(v.rule).to_owned()];
        if dated {
            cells.insert(1, v.produced_on.to_string());
        }
        let row = Row::new(cells);
        if selected { row.style(theme.selected()) } else { row }
    });
    let (header, widths) = if dated {
        (vec!["lot", "produced", "p", "rule"], vec![12, 10, 6, 11])
    } else {
        (vec!["lot", "p", "rule"], vec![12, 6, 11])
    };
    let header = Row::new(header).style(theme.header());
    let widths = widths.into_iter().map(Constraint::Length);
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
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
