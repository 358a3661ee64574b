//! The Flags screen: every flag of every supplier, sortable by severity,
//! rule or supplier and filtered by text; the selected flag's whole
//! sentence below the table. Enter opens the supplier.

use std::cmp::Ordering;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::{Outcome, Screen, Target, View};
use crate::assess::rules::{FlagRule, Severity};
use crate::assess::verdict::Flag;
use crate::tui::catalog::{Assessing, Catalog};
use crate::tui::data::Write;
use crate::tui::input::{Filter, contains_folded};
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::Cursor;
use crate::tui::message::Message;
use crate::tui::sorting::Direction;
use crate::tui::theme::{Theme, severity_tone};
use crate::tui::widgets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Severity,
    Rule,
    Supplier,
}

impl SortBy {
    fn next(self) -> Self {
        match self {
            Self::Severity => Self::Rule,
            Self::Rule => Self::Supplier,
            Self::Supplier => Self::Severity,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Severity => "severity",
            Self::Rule => "rule",
            Self::Supplier => "supplier",
        }
    }
}

/// A flag by where it is: catalog row and index in its assessment.
#[derive(Debug, Clone, Copy)]
struct Entry {
    row: u32,
    flag: u32,
}

pub struct FlagsScreen {
    cursor: Cursor,
    pub filter: Filter,
    sort: SortBy,
    direction: Direction,
    entries: Vec<Entry>,
    order: Vec<u32>,
    view: Vec<u32>,
    /// The filter text `view` was made with.
    shown_for: String,
    generation: Option<u64>,
}

impl FlagsScreen {
    pub fn new(catalog: &Catalog) -> Self {
        let mut screen = Self {
            cursor: Cursor::default(),
            filter: Filter::default(),
            sort: SortBy::Severity,
            direction: Direction::Ascending,
            entries: Vec::new(),
            order: Vec::new(),
            view: Vec::new(),
            shown_for: String::new(),
            generation: None,
        };
        screen.sync(catalog);
        screen
    }

    /// Collects the flags again when the assessments changed.
    pub fn sync(&mut self, catalog: &Catalog) {
        if self.generation == Some(catalog.generation) {
            return;
        }
        self.generation = Some(catalog.generation);
        self.entries.clear();
        for (row, r) in catalog.rows.iter().enumerate() {
            for (flag, _) in r.assessment.iter().flat_map(|a| a.flags.iter().enumerate()) {
                let (row, flag) = (u32::try_from(row).unwrap_or(u32::MAX), u32::try_from(flag).unwrap_or(u32::MAX));
                self.entries.push(Entry { row, flag });
            }
        }
        self.resort(catalog);
    }

    fn flag<'c>(&self, catalog: &'c Catalog, entry: u32) -> Option<(&'c str, &'c Flag)> {
        let e = self.entries.get(entry as usize)?;
        let row = catalog.rows.get(e.row as usize)?;
        Some((row.supplier.code.as_str(), row.assessment.as_ref()?.flags.get(e.flag as usize)?))
    }

    pub fn on_message(&mut self, msg: Message, catalog: &Catalog) -> Outcome {
        if self.filter.editing {
            if self.filter.apply(msg) {
                self.narrow(catalog);
            }
            return Outcome::None;
        }
        if self.cursor.apply(msg) {
            return Outcome::None;
        }
        let selected = self.cursor.selected().and_then(|i| self.view.get(i)).map(|e| self.entries[*e as usize]);
        let supplier = selected.map(|e| catalog.rows[e.row as usize].id);
        match msg {
            Message::Open => return supplier.map_or(Outcome::None, |id| Outcome::Open(Target::Supplier(id))),
            Message::Mark => {
                return supplier.map_or(Outcome::None, |id| {
                    Outcome::Write(Write::Mark { supplier: id, on: !catalog.is_marked(id) })
                });
            }
            Message::StartFilter => self.filter.start(),
            Message::NextSort => {
                self.sort = self.sort.next();
                self.direction = Direction::Ascending;
                self.resort(catalog);
            }
            Message::FlipSort => {
                self.direction = self.direction.flip();
                self.resort(catalog);
            }
            Message::Back if self.filter.clear() => self.refilter(catalog),
            Message::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::None
    }

    fn resort(&mut self, catalog: &Catalog) {
        let key = |e: u32| self.flag(catalog, e).map(|(code, f)| (code, f.severity, f.rule));
        let (sort, dir) = (self.sort, self.direction);
        let mut order: Vec<u32> = (0..u32::try_from(self.entries.len()).unwrap_or(u32::MAX)).collect();
        // Stable: ties stay in supplier order, each supplier's flags worst first.
        order.sort_by(|a, b| match (key(*a), key(*b)) {
            (Some(x), Some(y)) => dir.apply(compare(sort, x, y)),
            _ => Ordering::Equal,
        });
        self.order = order;
        self.refilter(catalog);
    }

    /// Keeps the flags whose supplier, rule, pillar, lot or sentence
    /// contains the filter text. Searched in place: no lower-cased copy of
    /// every sentence is kept (tens of thousands on a big database).
    fn refilter(&mut self, catalog: &Catalog) {
        let view = self.matching(catalog, &self.order);
        self.show(view);
    }

    /// After a typed character: a longer filter can only narrow the view,
    /// so only the flags in view are searched again.
    fn narrow(&mut self, catalog: &Catalog) {
        if self.filter.needle().starts_with(&self.shown_for) {
            let view = self.matching(catalog, &self.view);
            self.show(view);
        } else {
            self.refilter(catalog);
        }
    }

    /// Shows `view`, made with the filter text as it is now, keeping the
    /// selected flag selected when it is still shown.
    fn show(&mut self, view: Vec<u32>) {
        let before = self.cursor.selected_in(&self.view);
        self.view = view;
        self.shown_for = self.filter.needle();
        self.cursor.keep(before, &self.view);
    }

    fn matching(&self, catalog: &Catalog, from: &[u32]) -> Vec<u32> {
        let needle = self.filter.needle();
        let matches = |e: u32| {
            self.flag(catalog, e).is_some_and(|(code, f)| {
                [code, f.rule.as_str(), f.pillar.map_or("", |p| p.label()), f.lot.as_deref().unwrap_or(""), &f.message]
                    .iter()
                    .any(|text| contains_folded(text, &needle))
            })
        };
        from.iter().copied().filter(|e| needle.is_empty() || matches(*e)).collect()
    }

    fn render_all(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        // The selected flag's sentence in full, up to a third of the screen.
        let selected = self.cursor.selected().and_then(|i| self.view.get(i)).and_then(|e| self.flag(view.catalog, *e));
        let lines = selected.map_or(1, |(_, f)| widgets::wrap(&f.message, usize::from(area.width)).len());
        let height = u16::try_from(lines + 1).unwrap_or(u16::MAX).clamp(3, (area.height / 3).max(3));
        let [table, detail, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(height), Constraint::Length(1)]).areas(area);
        self.render_table(frame, table, view);
        self.render_detail(frame, detail, view);
        self.render_status(frame, status, view);
    }

    fn render_table(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        let wide = area.width >= 110;
        let arrow = |s: SortBy, label: &str| {
            if s == self.sort { format!("{label}{}", self.direction.arrow()) } else { label.to_owned() }
        };
        let mut titles =
            vec![arrow(SortBy::Supplier, "supplier"), arrow(SortBy::Severity, "severity"), arrow(SortBy::Rule, "rule")];
        let mut widths = vec![Constraint::Length(11), Constraint::Length(9), Constraint::Length(23)];
        if wide {
            titles.push("pillar / lot".to_owned());
            widths.push(Constraint::Length(22));
        }
        titles.push("message".to_owned());
        widths.push(Constraint::Fill(1));
        let window = self.cursor.window(usize::from(area.height.saturating_sub(1)));
        let selected = self.cursor.selected();
        let rows = window.filter_map(|i| {
            let (code, flag) = self.flag(view.catalog, self.view[i])?;
            let row = flag_row(code, flag, wide, theme);
            Some(if Some(i) == selected { row.style(theme.selected()) } else { row })
        });
        let header = Row::new(titles).style(theme.header());
        frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
    }

    fn render_detail(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let selected = self.cursor.selected().and_then(|i| self.view.get(i));
        let Some((code, flag)) = selected.and_then(|e| self.flag(view.catalog, *e)) else {
            frame.render_widget(Block::new().borders(Borders::TOP).border_style(view.theme.border()), area);
            return;
        };
        let title = format!(" {code} · {} · {} ", flag.severity, flag.rule);
        let block = Block::new().borders(Borders::TOP).border_style(view.theme.border()).title(title);
        let width = usize::from(area.width);
        let lines: Vec<Line<'_>> = widgets::wrap(&flag.message, width).into_iter().map(Line::from).collect();
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn render_status(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        let mut spans = widgets::filter_spans(&self.filter, theme);
        match &view.catalog.assessing {
            Assessing::Running => spans.push(Span::styled("assessing suppliers… flags appear when done", theme.dim())),
            Assessing::Failed(e) => spans.push(Span::raw(format!("assessment failed: {e}"))),
            Assessing::Done => spans.push(Span::raw(format!("{} of {} flags", self.view.len(), self.entries.len()))),
        }
        let sorted = format!(" · sorted by {} {}", self.sort.label(), self.direction.arrow());
        spans.push(Span::styled(sorted, theme.dim()));
        frame.render_widget(Line::from(spans), area);
    }
}

impl Screen for FlagsScreen {
    fn keys(&self) -> &'static KeyMap {
        if self.filter.editing { &keys::FILTER } else { &keys::FLAGS }
    }

    fn title(&self) -> String {
        "Flags".to_owned()
    }

    fn update(&mut self, msg: Message, view: View<'_>) -> Outcome {
        self.on_message(msg, view.catalog)
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        self.render_all(frame, area, view);
    }

    fn paste(&mut self, text: &str, view: View<'_>) {
        if self.filter.paste(text) {
            self.refilter(view.catalog);
        }
    }

    fn catalog_changed(&mut self, catalog: &Catalog) {
        self.sync(catalog);
    }
}

fn compare(sort: SortBy, a: (&str, Severity, FlagRule), b: (&str, Severity, FlagRule)) -> Ordering {
    match sort {
        SortBy::Severity => a.1.cmp(&b.1),
        SortBy::Rule => a.2.cmp(&b.2).then(a.1.cmp(&b.1)),
        SortBy::Supplier => a.0.cmp(b.0),
    }
}

/// The pillar and/or lot a flag concerns.
pub fn where_of(flag: &Flag) -> String {
    match (flag.pillar, &flag.lot) {
        (Some(crate::model::Pillar::ProductionYield) | None, Some(lot)) => format!("lot {lot}"),
        (Some(p), Some(lot)) => format!("{} · lot {lot}", p.label()),
        (Some(p), None) => p.label().to_owned(),
        (None, None) => String::new(),
    }
}

fn flag_row<'a>(code: &'a str, flag: &'a Flag, wide: bool, theme: Theme) -> Row<'a> {
    let severity = Span::styled(flag.severity.as_str(), theme.tone(severity_tone(flag.severity)));
    let mut cells = vec![Cell::from(code), Cell::from(severity), Cell::from(flag.rule.as_str())];
    if wide {
        cells.push(Cell::from(where_of(flag)));
    }
    cells.push(Cell::from(flag.message.as_str()));
    Row::new(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{DEMO_AS_OF, create_demo};
    use crate::tui::data::{Data, Loading};

    /// The demo's catalog, assessed.
    fn demo_catalog() -> Catalog {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = create_demo(&dir.path().join("demo.db"), "tester").expect("demo database");
        let mut data = Data::new(store, DEMO_AS_OF, "tester");
        let mut catalog = data.catalog().expect("catalog");
        let assessed = data.start_assessment(Loading::Blocking).expect("assessed at once");
        catalog.set_assessments(assessed.expect("assessment"));
        catalog
    }

    fn selected(screen: &FlagsScreen) -> (Option<usize>, Option<u32>) {
        (screen.cursor.selected(), screen.cursor.selected_in(&screen.view))
    }

    #[test]
    fn sorting_and_filtering_keep_the_selected_flag() {
        let catalog = demo_catalog();
        let mut screen = FlagsScreen::new(&catalog);
        for _ in 0..5 {
            screen.on_message(Message::Down, &catalog);
        }
        let (at, flag) = selected(&screen);
        assert_eq!(at, Some(5));
        let code = screen.flag(&catalog, flag.unwrap()).unwrap().0.to_lowercase();

        // Sorted by rule, then by supplier: the flag moves, the selection with it.
        let mut places = Vec::new();
        for _ in 0..2 {
            screen.on_message(Message::NextSort, &catalog);
            let (now, same) = selected(&screen);
            assert_eq!(same, flag);
            places.push(now);
        }
        assert!(places.iter().any(|p| *p != at), "the sorts left the flag in place: {places:?}");
        screen.on_message(Message::FlipSort, &catalog);
        assert_eq!(selected(&screen).1, flag);

        // Typing its supplier's code narrows the list around it.
        screen.on_message(Message::StartFilter, &catalog);
        for c in code.chars() {
            screen.on_message(Message::Input(c), &catalog);
            assert_eq!(selected(&screen).1, flag, "after typing {c:?}");
        }
        assert!(screen.view.len() < screen.entries.len());
        // A filter that matches nothing selects nothing; widened again, the top.
        screen.on_message(Message::Input('~'), &catalog);
        assert_eq!(selected(&screen), (None, None));
        screen.on_message(Message::Backspace, &catalog);
        assert_eq!(selected(&screen).0, Some(0));
    }
}
