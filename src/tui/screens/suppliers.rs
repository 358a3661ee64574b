//! The Suppliers screen, the buyer's starting point: one row per supplier
//! with its ODM verdict, sortable by any column, filtered by text (code,
//! name, city) and by verdict.
//!
//! The sorted order and the filtered view are index vectors into the
//! catalog, rebuilt only when the sort, the filter or the assessments
//! change; drawing builds table rows for the rows in view only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::{Outcome, Screen, Target, View};
use crate::assess::verdict::Verdict;
use crate::model::BusinessType;
use crate::store::SupplierId;
use crate::tui::catalog::{Assessing, Catalog, SupplierRow};
use crate::tui::data::Write;
use crate::tui::input::Filter;
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Cursor, cycle};
use crate::tui::message::Message;
use crate::tui::record_forms::Purpose;
use crate::tui::sorting::Direction;
use crate::tui::theme::{Theme, Tone, severity_tone};
use crate::tui::widgets::{self, opt, pct};

pub use super::suppliers_columns::Column;

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
            Message::OpenDraft => return selected.map_or(Outcome::None, |id| open_draft(catalog, id)),
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
        let drafts = u16::from(!view.catalog.drafts.is_empty());
        let [table, line, status] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(drafts), Constraint::Length(1)]).areas(area);
        if view.catalog.rows.is_empty() {
            render_empty(frame, table, view.theme);
        } else {
            self.render_table(frame, table, view);
        }
        render_drafts(frame, line, view);
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

/// The supplier's latest draft in the editor, or why not.
fn open_draft(catalog: &Catalog, id: SupplierId) -> Outcome {
    if let Some(draft) = catalog.draft_of(id) {
        return Outcome::Open(Target::Audit(draft.audit));
    }
    let code = catalog.row(id).map(|r| r.supplier.code.as_str()).unwrap_or_default();
    Outcome::Info(format!("{code} has no draft audit; a on its screen starts one."))
}

/// `Drafts (2): A-2026-042 SZ-ARMOR · … — o opens the selected supplier's draft`,
/// as many as fit: a big database has hundreds, and this is drawn every frame.
fn render_drafts(frame: &mut Frame, area: Rect, view: View<'_>) {
    let (catalog, room) = (view.catalog, usize::from(area.width));
    let tail = " — o opens the selected supplier's draft";
    let mut text = format!("Drafts ({}): ", catalog.drafts.len());
    for (i, d) in catalog.drafts.iter().enumerate() {
        let code = catalog.row(d.supplier).map_or("?", |r| r.supplier.code.as_str());
        let item = format!("{}{} {code}", if i == 0 { "" } else { " · " }, d.reference);
        if text.len() + item.len() + tail.len() > room {
            text.push_str(" …");
            break;
        }
        text.push_str(&item);
    }
    text.push_str(tail);
    frame.render_widget(Line::styled(widgets::fit(&text, room), view.theme.key()), area);
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
