//! The Supplier screen's record-keeping panes: every claim on record (with
//! retired ones, which stay), and the change history (what changed, old →
//! new, when and by whom), newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::View;
use super::supplier_panes::{render_nothing, render_stack};
use crate::store::HistoryEntry;
use crate::tui::data::SupplierDetail;
use crate::tui::list::Listing;
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::{self, NONE, fit};

pub fn render_claims(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, view: View<'_>) {
    let theme = view.theme;
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No claims on record: n adds one.", theme);
    }
    let rows = list.window(usize::from(area.height.saturating_sub(1))).map(|(i, selected)| {
        let (c, voided) = (&detail.all_claims[i].claim, &detail.all_claims[i].voided);
        let (state, tone) = match (voided, c.retired_on) {
            (Some(v), _) => (format!("voided {}", v.at.get(..10).unwrap_or(&v.at)), Tone::Bad),
            (None, Some(day)) => (format!("retired {day}"), Tone::Muted),
            (None, None) if c.active_on(view.as_of) => ("in force".to_owned(), Tone::Good),
            (None, None) => ("not yet".to_owned(), Tone::Muted),
        };
        // A voided claim is struck through, its reason in place of the statement.
        let statement = match voided {
            Some(v) => format!("voided by {}: {}", v.by, v.reason),
            None if c.statement.is_empty() => NONE.to_owned(),
            None => c.statement.clone(),
        };
        let capability = Span::styled(
            c.capability.as_str(),
            if voided.is_some() { theme.struck() } else { ratatui::style::Style::new() },
        );
        let row = Row::new([
            Cell::from(capability),
            Cell::from(c.capability.model().as_str()),
            Cell::from(c.source.as_str()),
            Cell::from(c.stated_on.to_string()),
            Cell::from(Span::styled(state, theme.tone(tone))),
            Cell::from(statement),
        ]);
        if selected { row.style(theme.selected()) } else { row }
    });
    let widths = [19, 5, 19, 10, 18].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]);
    let header = Row::new(["capability", "model", "source", "stated", "state", "statement"]).style(theme.header());
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
}

pub fn render_history(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, theme: Theme) {
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No changes recorded.", theme);
    }
    let width = usize::from(area.width);
    // Only the entries near the selection are laid out: a long history costs nothing.
    let height = usize::from(area.height);
    let shown = list.shown();
    let selected = list.position().unwrap_or(0);
    let first = selected.saturating_sub(height);
    let items = shown[first..(selected + height).min(shown.len())]
        .iter()
        .map(|i| entry_lines(&detail.history[*i], width, theme))
        .collect();
    render_stack(frame, area, items, Some(selected - first), theme);
}

/// `2026-11-15 09:12 lin.wei  update supplier SZ-ARMOR` and, below, the
/// field's old and new values.
fn entry_lines(h: &HistoryEntry, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let when = h.at.get(..16).unwrap_or(&h.at).replace('T', " ");
    let head = Line::from(vec![
        Span::styled(format!("{when} "), theme.dim()),
        Span::styled(format!("{} ", h.actor), theme.key()),
        Span::raw(fit(
            &format!("{} {} {}", h.action, h.entity, h.key),
            width.saturating_sub(when.len() + h.actor.len() + 2),
        )),
    ]);
    let change = match (&h.field, &h.old, &h.new) {
        (Some(field), old, new) => {
            format!("{field}: {} → {}", widgets::opt(old.as_deref()), widgets::opt(new.as_deref()))
        }
        (None, _, Some(new)) => new.clone(),
        (None, _, None) => return vec![head],
    };
    vec![head, Line::styled(format!("  {}", fit(&change, width.saturating_sub(2))), theme.dim())]
}
