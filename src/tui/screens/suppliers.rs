//! The Suppliers screen, the buyer's starting point: one row per supplier
//! with its ODM verdict, sortable by any column, filtered by text (code,
//! name, city) and by verdict.
//!
//! The sorted order and the filtered view are index vectors into the
//! catalog, rebuilt only when the sort, the filter or the assessments
//! change; drawing builds table rows for the rows in view only.

use std::cmp::Ordering;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::{Outcome, Screen, Target, View};
use crate::assess::verdict::{Assessment, Verdict};
use crate::model::BusinessType;
use crate::store::SupplierId;
use crate::tui::catalog::{Assessing, Catalog, SupplierRow};
use crate::tui::data::Write;
use crate::tui::input::Filter;
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Cursor, cycle};
use crate::tui::message::Message;
use crate::tui::record_forms::Purpose;
use crate::tui::sorting::{Direction, by_option};
use crate::tui::theme::{Theme, Tone, severity_tone};
use crate::tui::widgets::{self, opt, pct};

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
    const ALL: [Self; 11] = [
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
    fn name(self) -> &'static str {
        match self {
            Self::Flags => "flags (high, medium, low)",
            other => other.header(),
        }
    }

    fn width(self) -> Constraint {
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
    fn min_width(self) -> u16 {
        match self {
            Self::LastAudit => 92,
            Self::Type => 104,
            Self::City => 112,
            Self::Models => 120,
            _ => 0,
        }
    }

    /// Bigger first for counts, yields and dates: what a buyer looks for.
    fn first_direction(self) -> Direction {
        match self {
            Self::Fpy | Self::Lots | Self::LastAudit | Self::Flags => Direction::Descending,
            _ => Direction::Ascending,
        }
    }

    fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or_default();
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Compares two rows on this column; missing values last either way.
    fn compare(self, a: &SupplierRow, b: &SupplierRow, dir: Direction) -> Ordering {
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

pub struct SuppliersScreen {
    cursor: Cursor,
    pub filter: Filter,
    sort: Column,
    direction: Direction,
    verdict: Option<Verdict>,
    /// Every catalog row, sorted.
    order: Vec<usize>,
    /// The rows shown: `order` through the filters.
    view: Vec<usize>,
    generation: Option<u64>,
}

impl SuppliersScreen {
    pub fn new(catalog: &Catalog) -> Self {
        let mut screen = Self {
            cursor: Cursor::default(),
            filter: Filter::default(),
            sort: Column::Code,
            direction: Direction::Ascending,
            verdict: None,
            order: Vec::new(),
            view: Vec::new(),
            generation: None,
        };
        screen.sync(catalog);
        screen
    }

    /// Rebuilds the views if the assessments changed since the last time.
    pub fn sync(&mut self, catalog: &Catalog) {
        if self.generation != Some(catalog.generation) {
            self.generation = Some(catalog.generation);
            self.resort(catalog);
        }
    }

    pub fn selected_id(&self, catalog: &Catalog) -> Option<SupplierId> {
        self.cursor.selected().and_then(|i| self.view.get(i)).map(|row| catalog.rows[*row].id)
    }

    fn on_message(&mut self, msg: Message, catalog: &Catalog) -> Outcome {
        if self.filter.editing {
            if self.filter.apply(msg) {
                self.refilter(catalog);
            }
            return Outcome::None;
        }
        if self.cursor.apply(msg) {
            return Outcome::None;
        }
        let selected = self.selected_id(catalog);
        match msg {
            Message::Open => return selected.map_or(Outcome::None, |id| Outcome::Open(Target::Supplier(id))),
            Message::OpenYield => return selected.map_or(Outcome::None, |id| Outcome::Open(Target::Yield(id))),
            Message::Mark => {
                return selected.map_or(Outcome::None, |id| {
                    Outcome::Write(Write::Mark { supplier: id, on: !catalog.is_marked(id) })
                });
            }
            Message::NewSupplier => return Outcome::Form(Purpose::NewSupplier),
            Message::StartFilter => self.filter.start(),
            Message::NextSort => {
                self.sort = self.sort.next();
                self.direction = self.sort.first_direction();
                self.resort(catalog);
            }
            Message::FlipSort => {
                self.direction = self.direction.flip();
                self.resort(catalog);
            }
            Message::NextVerdict => {
                self.verdict = cycle(Verdict::ALL, self.verdict.as_ref());
                self.refilter(catalog);
            }
            Message::Back if self.filter.clear() => self.refilter(catalog),
            Message::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::None
    }

    fn resort(&mut self, catalog: &Catalog) {
        let (column, dir, rows) = (self.sort, self.direction, &catalog.rows);
        self.order = (0..rows.len()).collect();
        // Stable: ties stay in code order.
        self.order.sort_by(|a, b| column.compare(&rows[*a], &rows[*b], dir));
        self.refilter(catalog);
    }

    /// Applies the filters to the sorted order, keeping the selected
    /// supplier selected when it is still shown.
    fn refilter(&mut self, catalog: &Catalog) {
        let before = self.cursor.selected_in(&self.view);
        let needle = self.filter.needle();
        let verdict = self.verdict;
        self.view = self
            .order
            .iter()
            .copied()
            .filter(|i| {
                let row = &catalog.rows[*i];
                verdict.is_none_or(|v| row.verdict() == Some(v)) && (needle.is_empty() || row.search.contains(&needle))
            })
            .collect();
        self.cursor.keep(before, &self.view);
    }

    fn render_table(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let columns: Vec<Column> = Column::ALL.into_iter().filter(|c| area.width >= c.min_width()).collect();
        let header = Row::new(std::iter::once(Cell::from(" ")).chain(columns.iter().map(|c| {
            let arrow = if *c == self.sort { self.direction.arrow() } else { "" };
            Cell::from(format!("{}{arrow}", c.header()))
        })))
        .style(view.theme.header());
        let window = self.cursor.window(usize::from(area.height.saturating_sub(1)));
        let selected = self.cursor.selected();
        let rows = window.map(|i| {
            let row = supplier_row(&view.catalog.rows[self.view[i]], &columns, view);
            if Some(i) == selected { row.style(view.theme.selected()) } else { row }
        });
        let widths = std::iter::once(Constraint::Length(1)).chain(columns.iter().map(|c| c.width()));
        frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
    }

    fn render_status(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        let mut spans = widgets::filter_spans(&self.filter, theme);
        let total = view.catalog.rows.len();
        spans.push(Span::raw(format!("{} of {total} · ", self.view.len())));
        if let Some(v) = self.verdict {
            spans.push(Span::raw("only "));
            spans.push(theme.verdict_badge(Some(v)));
            spans.push(Span::raw(" · "));
        }
        match &view.catalog.assessing {
            Assessing::Running => spans.push(Span::styled(format!("assessing {total} suppliers…"), theme.dim())),
            Assessing::Failed(e) => spans.push(Span::styled(format!("assessment failed: {e}"), theme.tone(Tone::Bad))),
            Assessing::Done => spans.extend(verdict_counts(view.catalog, theme)),
        }
        let left = Line::from(spans);
        frame.render_widget(&left, area);
        let sort = format!("sorted by {} {}", self.sort.name(), self.direction.arrow());
        let room = usize::from(area.width).saturating_sub(left.width() + 2);
        if sort.chars().count() <= room {
            frame.render_widget(Line::styled(sort, theme.dim()).right_aligned(), area);
        }
    }
}

impl Screen for SuppliersScreen {
    fn keys(&self) -> &'static KeyMap {
        if self.filter.editing { &keys::FILTER } else { &keys::SUPPLIERS }
    }

    fn title(&self) -> String {
        "Suppliers".to_owned()
    }

    fn update(&mut self, msg: Message, view: View<'_>) -> Outcome {
        self.on_message(msg, view.catalog)
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let [table, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        if view.catalog.rows.is_empty() {
            render_empty(frame, table, view.theme);
        } else {
            self.render_table(frame, table, view);
        }
        self.render_status(frame, status, view);
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

fn verdict_counts(catalog: &Catalog, theme: Theme) -> Vec<Span<'static>> {
    let counts = catalog.verdict_counts();
    let mut spans = Vec::new();
    for (v, n) in Verdict::ALL.iter().zip(counts) {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(format!("{} {n}", v.label()), theme.tone(crate::tui::theme::verdict_tone(*v))));
    }
    spans
}

fn supplier_row<'a>(row: &'a SupplierRow, columns: &[Column], view: View<'_>) -> Row<'a> {
    let mark = if view.catalog.is_marked(row.id) { "*" } else { " " };
    let cells = columns.iter().map(|c| supplier_cell(row, *c, view.theme));
    Row::new(std::iter::once(Cell::from(mark)).chain(cells))
}

fn supplier_cell(row: &SupplierRow, column: Column, theme: Theme) -> Cell<'_> {
    let s = &row.supplier;
    let a = row.assessment.as_ref();
    let pending = || Cell::from(Span::styled("…", theme.dim()));
    match column {
        Column::Code => Cell::from(s.code.as_str()),
        Column::Name => Cell::from(s.name.as_str()),
        Column::City => Cell::from(s.city.as_deref().unwrap_or(widgets::NONE)),
        Column::Models => Cell::from(s.models.label()),
        Column::Type => Cell::from(type_label(s.business_type)),
        Column::Verdict => Cell::from(theme.verdict_badge(a.map(|a| a.verdict))),
        Column::Grade => a.map_or_else(pending, |a| Cell::from(opt(a.grade))),
        Column::Fpy => a.map_or_else(pending, |a| Cell::from(pct(a.yield_summary.fpy))),
        Column::Lots => a.map_or_else(pending, |a| Cell::from(format!("{:>4}", a.yield_summary.lots))),
        Column::LastAudit => a.map_or_else(pending, |a| Cell::from(opt(a.last_audit))),
        Column::Flags => a.map_or_else(pending, |a| Cell::from(flag_counts(a.flag_counts(), theme))),
    }
}

/// ` 2  1  0`, each count in its severity's tone when not zero.
pub fn flag_counts(counts: [usize; 3], theme: Theme) -> Line<'static> {
    use crate::assess::rules::Severity;
    let spans = [Severity::High, Severity::Medium, Severity::Low].into_iter().zip(counts).map(|(s, n)| {
        let style = if n == 0 { theme.dim() } else { theme.tone(severity_tone(s)) };
        Span::styled(format!("{n:>2} "), style)
    });
    Line::from(spans.collect::<Vec<_>>())
}

pub fn type_label(business_type: BusinessType) -> &'static str {
    match business_type {
        BusinessType::TradingCompany => "trading co.",
        other => other.label(),
    }
}

fn render_empty(frame: &mut Frame, area: Rect, theme: Theme) {
    let text = vec![
        Line::styled("No suppliers in this database yet.", theme.title()),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("n", theme.key()),
            Span::raw(" to record a new supplier here, or import a supplier dossier and yield lots from the shell:"),
        ]),
        Line::styled("  casebook import dossier.json lots.csv", theme.key()),
        Line::raw("or explore the demo data:"),
        Line::styled("  casebook demo", theme.key()),
    ];
    frame
        .render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area.inner(ratatui::layout::Margin::new(2, 1)));
}
