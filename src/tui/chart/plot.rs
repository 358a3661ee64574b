//! The control chart drawn in character cells: a y axis with at least five
//! labelled rows, one or more columns per lot (or several lots to a column
//! when fitting all), each lot's limits drawn over its own columns so they
//! step with its size, the centre line solid (`─`) and the limits dashed
//! (`┄`), lots as `•`, rule-breakers as `◆`, excluded lots as `□`, noted
//! ones as `○`; the lot under the cursor highlighted and pointed at (`▲`);
//! a mini-map of where the view is among all the lots; a legend. Every
//! part reads without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{ChartState, Layout, Mark};
use crate::assess::spc::Statistic;
use crate::assess::yield_stats::YieldReport;
use crate::charts::{format_value, value_range, whole};
use crate::tui::theme::{Theme, Tone};

/// Width of the y labels ("100.0%", "12.345").
const LABEL: u16 = 7;
/// Rows under the plot: the axis with dates, the mini-map, the legend.
const UNDER: u16 = 3;

pub struct ControlPlot<'a> {
    pub report: &'a YieldReport,
    pub marks: &'a [Mark],
    pub state: &'a ChartState,
    pub theme: Theme,
}

/// Rows from the top for values, over the plot's height.
struct Scale {
    lo: f64,
    hi: f64,
    rows: u16,
}

impl Scale {
    fn row(&self, value: f64) -> u16 {
        let span = (self.hi - self.lo).max(f64::MIN_POSITIVE);
        let from_top = (self.hi - value.clamp(self.lo, self.hi)) / span * f64::from(self.rows.saturating_sub(1));
        u16::try_from(whole(from_top.round())).unwrap_or(u16::MAX).min(self.rows.saturating_sub(1))
    }

    fn value(&self, row: u16) -> f64 {
        let rows = f64::from(self.rows.saturating_sub(1).max(1));
        self.hi - (self.hi - self.lo) * f64::from(row) / rows
    }
}

impl Widget for ControlPlot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < UNDER + 3 || area.width < LABEL + 8 || self.report.lots.is_empty() {
            Line::styled("(too small to draw the chart)", self.theme.dim()).render(area, buf);
            return;
        }
        let rows = area.height - UNDER;
        let plot = Rect { x: area.x + LABEL + 1, y: area.y, width: area.width - LABEL - 1, height: rows };
        let (lo, hi) = value_range(self.report);
        let scale = Scale { lo, hi, rows };
        let layout = self.state.layout(usize::from(plot.width));
        self.y_axis(area, &scale, buf);
        self.cursor_band(plot, &layout, buf);
        self.lines(plot, &layout, &scale, buf);
        self.lots(plot, &layout, &scale, buf);
        let under = |i: u16| Rect { x: plot.x, y: area.y + rows + i, width: plot.width, height: 1 };
        self.x_axis(under(0), &layout, buf);
        self.minimap(Rect { x: area.x, ..under(1) }, &layout, buf);
        self.legend().render(Rect { x: area.x, width: area.width, ..under(2) }, buf);
    }
}

impl ControlPlot<'_> {
    fn statistic(&self) -> Statistic {
        self.report.chart.statistic()
    }

    /// At least five labelled rows (fewer only when the plot is lower than
    /// five rows), evenly spaced from top to bottom.
    fn y_axis(&self, area: Rect, scale: &Scale, buf: &mut Buffer) {
        let rows = scale.rows;
        let labels = rows.min((rows / 2).max(5));
        let labelled: Vec<u16> =
            (0..labels).map(|i| if labels < 2 { 0 } else { i * (rows - 1) / (labels - 1) }).collect();
        for row in 0..rows {
            let y = area.y + row;
            let tick = labelled.contains(&row);
            if tick {
                let text = format!("{:>w$}", format_value(self.statistic(), scale.value(row)), w = usize::from(LABEL));
                buf.set_stringn(area.x, y, text, usize::from(LABEL), self.theme.dim());
            }
            buf.set_string(area.x + LABEL, y, if tick { "┤" } else { "│" }, self.theme.dim());
        }
    }

    /// The cursor's lot: its columns highlighted from top to bottom.
    fn cursor_band(&self, plot: Rect, layout: &Layout, buf: &mut Buffer) {
        let Some(column) = self.state.selected().and_then(|lot| layout.column_of(lot)) else { return };
        let width = u16::try_from(layout.width.max(1)).unwrap_or(1);
        let band = Rect { x: plot.x + u16::try_from(column).unwrap_or(0), width, ..plot }.intersection(plot);
        buf.set_style(band, self.theme.selected());
    }

    /// Centre line across, each lot's limits over its own columns.
    fn lines(&self, plot: Rect, layout: &Layout, scale: &Scale, buf: &mut Buffer) {
        let centre = self.report.center.map(|c| scale.row(c));
        let limit_style = self.theme.tone(Tone::Warn);
        for column in 0..layout.columns().min(usize::from(plot.width)) {
            let lots = layout.lots_at(column);
            let Some(lot) = self.report.lots.get(lots.start) else { continue };
            let x = plot.x + u16::try_from(column).unwrap_or(0);
            if let Some(row) = centre {
                put(buf, x, plot.y + row, '─', self.theme.tone(Tone::Good));
            }
            let (lcl, ucl) = (lot.chart.lcl, lot.chart.ucl);
            if ucl.is_finite() && ucl <= scale.hi {
                put(buf, x, plot.y + scale.row(ucl), '┄', limit_style);
            }
            if lcl > scale.lo || lcl > 0.0 {
                put(buf, x, plot.y + scale.row(lcl), '┄', limit_style);
            }
        }
    }

    /// One mark per lot, in the middle of its columns; where lots share a
    /// column, the most telling one (a rule broken, then the largest |z|).
    fn lots(&self, plot: Rect, layout: &Layout, scale: &Scale, buf: &mut Buffer) {
        let placed: Vec<(usize, usize)> = if layout.width == 0 {
            let telling = |lots: std::ops::Range<usize>| {
                lots.max_by(|a, b| {
                    let key = |i: usize| (self.marks.get(i).copied(), self.report.lots[i].chart.rule_z().abs());
                    key(*a).partial_cmp(&key(*b)).unwrap_or(std::cmp::Ordering::Equal)
                })
            };
            (0..layout.columns()).filter_map(|c| telling(layout.lots_at(c)).map(|i| (c, i))).collect()
        } else {
            let middle = (layout.width - 1) / 2;
            (layout.first..layout.first + layout.count)
                .filter_map(|i| layout.column_of(i).map(|c| (c + middle, i)))
                .collect()
        };
        for (column, i) in placed.into_iter().filter(|(c, _)| *c < usize::from(plot.width)) {
            let mark = self.marks.get(i).copied().unwrap_or(Mark::Lot);
            let style = match mark {
                Mark::Broken => self.theme.tone(Tone::Bad),
                Mark::Excluded => self.theme.tone(Tone::Muted),
                Mark::Lot | Mark::Noted => Style::new(),
            };
            let x = plot.x + u16::try_from(column).unwrap_or(0);
            put(buf, x, plot.y + scale.row(self.report.lots[i].chart.value), mark.glyph(), style);
        }
    }

    /// First and last dates in view, and `▲` under the cursor.
    fn x_axis(&self, row: Rect, layout: &Layout, buf: &mut Buffer) {
        let lots = &self.report.lots;
        let first = lots.get(layout.first).map(|l| l.produced_on.to_string()).unwrap_or_default();
        let last = lots.get(layout.first + layout.count.saturating_sub(1)).map(|l| l.produced_on.to_string());
        buf.set_stringn(row.x, row.y, &first, usize::from(row.width), self.theme.dim());
        if let Some(last) = last.filter(|_| row.width >= 24) {
            let x = row.x + row.width.saturating_sub(u16::try_from(last.len()).unwrap_or(0));
            buf.set_string(x, row.y, last, self.theme.dim());
        }
        if let Some(column) = self.state.selected().and_then(|lot| layout.column_of(lot)) {
            let x = row.x + u16::try_from(column + layout.width.saturating_sub(1) / 2).unwrap_or(0);
            if x < row.x + row.width {
                put(buf, x, row.y, '▲', self.theme.title());
            }
        }
    }

    /// All the lots in one row: `═` where the view is, `─` elsewhere, `◆`
    /// where a rule broke, `┃` at the cursor.
    fn minimap(&self, row: Rect, layout: &Layout, buf: &mut Buffer) {
        buf.set_string(row.x, row.y, format!("{:>w$}", "lots", w = usize::from(LABEL)), self.theme.dim());
        let width = usize::from(row.width.saturating_sub(LABEL + 1));
        let len = self.report.lots.len();
        let in_view = layout.first..layout.first + layout.count;
        let cursor = self.state.selected().unwrap_or(0);
        let shown = width.min(len).max(1);
        for column in 0..shown {
            let span = (column * len / shown)..((column + 1) * len / shown).max(column * len / shown + 1);
            let (glyph, style) = if span.contains(&cursor) {
                ('┃', self.theme.title())
            } else if span.clone().any(|i| self.marks.get(i) == Some(&Mark::Broken)) {
                ('◆', self.theme.tone(Tone::Bad))
            } else if span.start < in_view.end && in_view.start < span.end {
                ('═', Style::new())
            } else {
                ('─', self.theme.dim())
            };
            put(buf, row.x + LABEL + 1 + u16::try_from(column).unwrap_or(0), row.y, glyph, style);
        }
    }

    fn legend(&self) -> Line<'static> {
        let t = self.theme;
        Line::from(vec![
            Span::raw("•lot "),
            Span::styled("◆rule ", t.tone(Tone::Bad)),
            Span::raw("□excluded ○noted "),
            Span::styled("─centre ", t.tone(Tone::Good)),
            Span::styled("┄limits ", t.tone(Tone::Warn)),
            Span::styled("▲cursor", t.title()),
        ])
    }
}

fn put(buf: &mut Buffer, x: u16, y: u16, glyph: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(glyph);
        cell.set_style(style);
    }
}
