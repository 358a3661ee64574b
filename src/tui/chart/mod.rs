//! The control chart a QA lead reads in the terminal, as pure pieces the
//! Yield screen puts together: [`ChartState`] (a lot cursor, the lots in
//! view, a zoom between "every lot its own columns" and "fit all"), the
//! [`plot::ControlPlot`] widget (one column or more per lot, limits as
//! steps, at least five y labels, glyphs that tell lots, rule-breakers and
//! excluded lots apart, centre and limits drawn differently, a mini-map of
//! where the view is) and the [`inspector::Inspector`] of the lot under
//! the cursor. Nothing here reads the database; drawing only reads state.

pub mod inspector;
pub mod plot;

use crate::assess::spc::Rule;
use crate::assess::yield_stats::YieldReport;
use crate::tui::list::Cursor;
use crate::tui::message::Message;

/// The most columns one lot gets when zoomed in.
pub const MAX_COLUMNS: usize = 4;

/// How wide a lot is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zoom {
    /// Every lot in the width, several to a column when they do not fit.
    Fit,
    /// Every lot at least this many columns wide (1 ..= [`MAX_COLUMNS`]);
    /// the chart scrolls when they do not fit.
    Every(usize),
}

impl Zoom {
    #[must_use]
    pub fn zoom_in(self) -> Self {
        match self {
            Self::Fit => Self::Every(1),
            Self::Every(n) => Self::Every((n + 1).min(MAX_COLUMNS)),
        }
    }

    #[must_use]
    pub fn zoom_out(self) -> Self {
        match self {
            Self::Fit | Self::Every(1) => Self::Fit,
            Self::Every(n) => Self::Every(n - 1),
        }
    }

    /// "every lot", "fit all", "every lot ×2".
    pub fn label(self) -> String {
        match self {
            Self::Fit => "fit all".to_owned(),
            Self::Every(1) => "every lot".to_owned(),
            Self::Every(n) => format!("every lot ×{n}"),
        }
    }
}

/// How one lot is marked on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Lot,
    /// Annotated with a cause but kept in the limits.
    Noted,
    /// Left out of the limits for an assignable cause.
    Excluded,
    /// Broke a rule.
    Broken,
}

impl Mark {
    pub fn glyph(self) -> char {
        match self {
            Self::Lot => '•',
            Self::Noted => '○',
            Self::Excluded => '□',
            Self::Broken => '◆',
        }
    }
}

/// Each lot's mark and the rules it broke, in chart order.
pub fn marks(report: &YieldReport) -> (Vec<Mark>, Vec<Vec<Rule>>) {
    let rules = crate::charts::rules_at(report);
    let marks = report
        .lots
        .iter()
        .zip(&rules)
        .map(|(lot, broken)| match (lot.excluded(), broken.is_empty(), lot.annotation.is_some()) {
            (true, _, _) => Mark::Excluded,
            (false, false, _) => Mark::Broken,
            (false, true, true) => Mark::Noted,
            (false, true, false) => Mark::Lot,
        })
        .collect();
    (marks, rules)
}

/// Where the reader is on the chart: the lot under the cursor, the lots in
/// view (noted while drawing, as [`Cursor`] does for lists) and the zoom.
#[derive(Debug)]
pub struct ChartState {
    pub cursor: Cursor,
    pub zoom: Zoom,
}

impl Default for ChartState {
    fn default() -> Self {
        Self { cursor: Cursor::default(), zoom: Zoom::Every(1) }
    }
}

impl ChartState {
    /// New lots: the cursor stays on the same position (clamped), or goes
    /// to the last lot when there was none.
    pub fn set_len(&mut self, len: usize) {
        let fresh = self.cursor.len() == 0;
        self.cursor.set_len(len);
        if fresh {
            self.cursor.select(len.saturating_sub(1));
        }
    }

    pub fn selected(&self) -> Option<usize> {
        self.cursor.selected()
    }

    pub fn jump_to(&mut self, lot: usize) {
        self.cursor.select(lot);
    }

    /// ←/→ move a lot, PgUp/PgDn a screen of lots, Home/End to the ends,
    /// `+`/`-` zoom; `false` for other messages.
    pub fn apply(&mut self, msg: Message) -> bool {
        match msg {
            Message::Left => self.cursor.apply(Message::Up),
            Message::Right => self.cursor.apply(Message::Down),
            Message::PageUp | Message::PageDown | Message::Home | Message::End => self.cursor.apply(msg),
            Message::ZoomIn => {
                self.zoom = self.zoom.zoom_in();
                true
            }
            Message::ZoomOut => {
                self.zoom = self.zoom.zoom_out();
                true
            }
            _ => false,
        }
    }

    /// The lots drawn in `columns` plot columns, and how: the range of lots
    /// and the columns per lot (0 when several lots share a column).
    pub fn layout(&self, columns: usize) -> Layout {
        let len = self.cursor.len();
        let columns = columns.max(1);
        match self.zoom {
            Zoom::Fit if len > columns => {
                let _ = self.cursor.window(len);
                Layout { first: 0, count: len, width: 0, per_column: len.div_ceil(columns) }
            }
            Zoom::Fit => {
                let _ = self.cursor.window(len);
                Layout { first: 0, count: len, width: (columns / len.max(1)).clamp(1, MAX_COLUMNS * 2), per_column: 1 }
            }
            Zoom::Every(n) => {
                let width = n.max(columns / len.max(1)).clamp(1, MAX_COLUMNS * 2);
                let fits = (columns / width).max(1);
                let window = self.cursor.window(fits);
                Layout { first: window.start, count: window.len(), width, per_column: 1 }
            }
        }
    }
}

/// Which lots a draw shows and how wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub first: usize,
    pub count: usize,
    /// Columns per lot; 0 when `per_column` lots share one column.
    pub width: usize,
    pub per_column: usize,
}

impl Layout {
    /// The lots drawn in plot column `column`, if any.
    pub fn lots_at(&self, column: usize) -> std::ops::Range<usize> {
        let (start, end) = match column.checked_div(self.width) {
            None => (column * self.per_column, (column + 1) * self.per_column),
            Some(lot) => (lot, lot + 1),
        };
        let end = end.min(self.count);
        (self.first + start.min(end))..(self.first + end)
    }

    /// The plot columns used.
    pub fn columns(&self) -> usize {
        if self.width == 0 { self.count.div_ceil(self.per_column.max(1)) } else { self.count * self.width }
    }

    /// The first column of lot `lot`, if it is in view.
    pub fn column_of(&self, lot: usize) -> Option<usize> {
        let at = lot.checked_sub(self.first).filter(|i| *i < self.count)?;
        Some(if self.width == 0 { at / self.per_column.max(1) } else { at * self.width })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(len: usize, zoom: Zoom) -> ChartState {
        let mut s = ChartState { zoom, ..ChartState::default() };
        s.set_len(len);
        s
    }

    #[test]
    fn every_lot_gets_its_own_column_and_the_view_follows_the_cursor() {
        let mut s = state(99, Zoom::Every(1));
        assert_eq!(s.selected(), Some(98), "opens on the latest lot");
        let layout = s.layout(40);
        assert_eq!((layout.first, layout.count, layout.width), (59, 40, 1));
        s.apply(Message::Home);
        assert_eq!(s.layout(40).first, 0);
        s.apply(Message::PageDown);
        assert_eq!(s.selected(), Some(40), "a page is the lots in view");
        for _ in 0..3 {
            s.apply(Message::Right);
        }
        assert_eq!(s.selected(), Some(43));
        assert!(s.layout(40).lots_at(43 - s.layout(40).first).contains(&43));
    }

    #[test]
    fn few_lots_are_stretched_and_fit_all_shares_columns() {
        let s = state(3, Zoom::Every(1));
        let layout = s.layout(48);
        assert_eq!((layout.first, layout.count, layout.width), (0, 3, 8));
        assert_eq!(layout.lots_at(9), 1..2);
        let fit = state(99, Zoom::Fit).layout(40);
        assert_eq!((fit.count, fit.per_column, fit.columns()), (99, 3, 33));
        assert_eq!(fit.lots_at(32), 96..99);
        assert_eq!(fit.column_of(97), Some(32));
    }

    #[test]
    fn zoom_runs_from_fit_all_to_four_columns_a_lot() {
        let mut z = Zoom::Fit;
        let mut seen = vec![z];
        for _ in 0..5 {
            z = z.zoom_in();
            seen.push(z);
        }
        assert_eq!(seen, [Zoom::Fit, Zoom::Every(1), Zoom::Every(2), Zoom::Every(3), Zoom::Every(4), Zoom::Every(4)]);
        assert_eq!(Zoom::Every(1).zoom_out(), Zoom::Fit);
        assert_eq!(Zoom::Fit.zoom_out(), Zoom::Fit);
    }
}
