//! The Shortlist screen: the marked suppliers side by side, one column
//! each, one row per attribute of [`Attribute::ALL`] (the same rows the
//! Markdown and CSV exports write).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::{Outcome, Screen, Target, View};
use crate::exchange::shortlist::{Attribute, Compared};
use crate::tui::catalog::Catalog;
use crate::tui::data::{ExportFormat, ShortlistItem};
use crate::tui::data::{Fresh, Load, Write};
use crate::tui::keys::{self, KeyMap};
use crate::tui::message::Message;
use crate::tui::theme::{Theme, status_tone};

/// Width of the attribute names and of each supplier's column.
const LABEL_WIDTH: u16 = 22;
const COLUMN_WIDTH: u16 = 24;

#[derive(Debug, Default)]
pub struct ShortlistScreen {
    pub items: Vec<ShortlistItem>,
    selected: usize,
    /// The items need reloading (marks changed, or verdicts arrived).
    pub stale: bool,
}

impl ShortlistScreen {
    pub fn new() -> Self {
        Self { stale: true, ..Self::default() }
    }

    fn set_items(&mut self, items: Vec<ShortlistItem>) {
        self.items = items;
        self.selected = self.selected.min(self.items.len().saturating_sub(1));
        self.stale = false;
    }

    fn on_message(&mut self, msg: Message) -> Outcome {
        let last = self.items.len().saturating_sub(1);
        let selected = self.items.get(self.selected).map(|i| i.id);
        match msg {
            Message::Left => self.selected = self.selected.saturating_sub(1),
            Message::Right => self.selected = (self.selected + 1).min(last),
            Message::Home => self.selected = 0,
            Message::End => self.selected = last,
            Message::Open => return selected.map_or(Outcome::None, |id| Outcome::Open(Target::Supplier(id))),
            Message::Remove => {
                return selected.map_or(Outcome::None, |id| Outcome::Write(Write::Mark { supplier: id, on: false }));
            }
            Message::ExportMarkdown => return Outcome::Export(ExportFormat::Markdown),
            Message::ExportCsv => return Outcome::Export(ExportFormat::Csv),
            Message::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::None
    }

    fn render_all(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let theme = view.theme;
        if self.items.is_empty() {
            return render_empty(frame, area, theme);
        }
        let [table, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let fits = usize::from((table.width.saturating_sub(LABEL_WIDTH)) / (COLUMN_WIDTH + 1)).max(1);
        let first = self.selected.saturating_sub(fits - 1);
        let shown = &self.items[first..(first + fits).min(self.items.len())];
        let header = std::iter::once(Cell::from("")).chain(shown.iter().enumerate().map(|(i, item)| {
            let style = if first + i == self.selected { theme.selected() } else { theme.header() };
            Cell::from(Span::styled(item.supplier.code.clone(), style))
        }));
        let months = shown.first().map_or(12, |i| i.assessment.policy.yield_window_months);
        let rows = Attribute::ALL.iter().map(|attribute| {
            let cells = shown.iter().map(|item| cell(*attribute, item, theme));
            Row::new(std::iter::once(Cell::from(Span::styled(attribute.label(months), theme.dim()))).chain(cells))
        });
        let widths = std::iter::once(Constraint::Length(LABEL_WIDTH))
            .chain(std::iter::repeat_n(Constraint::Length(COLUMN_WIDTH), shown.len()));
        frame.render_widget(Table::new(rows, widths).header(Row::new(header)).column_spacing(1), table);
        let text = format!(
            "{} on the shortlist{} · e exports Markdown, E CSV",
            self.items.len(),
            if shown.len() < self.items.len() {
                format!(", showing {}–{}", first + 1, first + shown.len())
            } else {
                String::new()
            }
        );
        frame.render_widget(Line::styled(text, theme.dim()), status);
    }
}

impl Screen for ShortlistScreen {
    fn keys(&self) -> &'static KeyMap {
        &keys::SHORTLIST
    }

    fn title(&self) -> String {
        "Shortlist".to_owned()
    }

    fn update(&mut self, msg: Message, _view: View<'_>) -> Outcome {
        self.on_message(msg)
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        self.render_all(frame, area, view);
    }

    fn receive(&mut self, fresh: Fresh) {
        if let Fresh::Shortlist(items) = fresh {
            self.set_items(items);
        }
    }

    fn wants(&self) -> Option<Load> {
        self.stale.then_some(Load::Shortlist)
    }

    fn catalog_changed(&mut self, _catalog: &Catalog) {
        self.stale = true;
    }
}

fn cell(attribute: Attribute, item: &ShortlistItem, theme: Theme) -> Cell<'static> {
    let compared = Compared { supplier: &item.supplier, assessment: &item.assessment };
    let text = attribute.value(&compared);
    match attribute {
        Attribute::Verdict => Cell::from(theme.verdict_badge(Some(item.assessment.verdict))),
        Attribute::Pillar(p) => {
            let style = match item.assessment.pillar(p) {
                Some(pa) if pa.required() => theme.tone(status_tone(pa.status)),
                _ => theme.dim(),
            };
            Cell::from(Span::styled(text, style))
        }
        _ => Cell::from(text),
    }
}

fn render_empty(frame: &mut Frame, area: Rect, theme: Theme) {
    let text = vec![
        Line::styled("The shortlist is empty.", theme.title()),
        Line::raw(""),
        Line::raw(
            "Mark suppliers with m on the Suppliers, Flags or Supplier screen to compare them here side by side.",
        ),
        Line::raw("From the shell: casebook shortlist add CODE…"),
    ];
    frame
        .render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area.inner(ratatui::layout::Margin::new(2, 1)));
}
