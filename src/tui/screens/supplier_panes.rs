//! The Supplier screen's panes (flags, evidence, audits, open findings),
//! the bar that switches between them, and the FPY sparkline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Sparkline, Table};

use super::View;
use super::supplier::{Pane, short_pillar};
use crate::assess::verdict::{Judged, Standing};
use crate::model::Pillar;
use crate::tui::data::SupplierDetail;
use crate::tui::list::Listing;
use crate::tui::theme::{Theme, Tone, finding_tone, severity_tone};
use crate::tui::widgets::{self, opt};

/// Every evidence item, pillar by pillar, newest first within each.
pub fn evidence_items(detail: &SupplierDetail) -> impl Iterator<Item = (Pillar, &Judged)> {
    detail.assessment.pillars.iter().flat_map(|p| p.evidence.iter().map(move |j| (p.pillar, j)))
}

/// The panes with their sizes (shorter words when the terminal is
/// narrow), then the pane's filter when one is set.
pub fn render_bar(
    frame: &mut Frame,
    area: Rect,
    current: Pane,
    len: impl Fn(Pane) -> usize,
    list: &Listing,
    theme: Theme,
) {
    let wide = |n: usize, pane: Pane| format!(" {} {} ({}) ", n + 1, pane.title(), len(pane));
    let narrow = |n: usize, pane: Pane| format!(" {} {} {} ", n + 1, pane.short_title(), len(pane));
    let room = usize::from(area.width);
    let fits = Pane::ALL.iter().enumerate().map(|(n, p)| wide(n, *p).chars().count()).sum::<usize>() <= room;
    let mut spans = Vec::new();
    for (n, pane) in Pane::ALL.iter().enumerate() {
        let style = if *pane == current { theme.active_tab() } else { theme.dim() };
        spans.push(Span::styled(if fits { wide(n, *pane) } else { narrow(n, *pane) }, style));
    }
    let filter = widgets::filter_spans(&list.filter, theme);
    if !filter.is_empty() {
        spans.push(Span::raw("  "));
        spans.extend(filter);
        spans.push(Span::styled(format!("{} of {}", list.shown().len(), list.total()), theme.dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

/// Nothing to list: none at all (`none`), or none the filter lets through.
pub(super) fn render_nothing(frame: &mut Frame, area: Rect, list: &Listing, none: &str, theme: Theme) {
    let text = if list.total() == 0 { none } else { "Nothing here matches the filter; Esc clears it." };
    render_none_text(frame, area, text, theme);
}

/// Items of several lines each; the selected one highlighted and scrolled
/// into view.
pub fn render_stack(frame: &mut Frame, area: Rect, items: Vec<Vec<Line<'_>>>, selected: Option<usize>, theme: Theme) {
    let (mut lines, mut start, mut end) = (Vec::new(), 0, 0);
    for (i, item) in items.into_iter().enumerate() {
        let chosen = Some(i) == selected;
        if chosen {
            start = lines.len();
        }
        lines.extend(item.into_iter().map(|l| if chosen { l.patch_style(theme.selected()) } else { l }));
        if chosen {
            end = lines.len();
        }
    }
    let top = end.saturating_sub(usize::from(area.height)).min(start);
    frame.render_widget(Paragraph::new(lines).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)), area);
}

pub(super) fn render_none_text(frame: &mut Frame, area: Rect, text: &str, theme: Theme) {
    frame.render_widget(Line::styled(text.to_owned(), theme.dim()), area);
}

pub fn render_flags(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, theme: Theme) {
    let flags = &detail.assessment.flags;
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No flags: nothing found missing as of this day.", theme);
    }
    let width = usize::from(area.width.saturating_sub(2));
    let items = list
        .shown()
        .iter()
        .map(|i| {
            let f = &flags[*i];
            let at = super::flags::where_of(f);
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{:<7}", f.severity.as_str()), theme.tone(severity_tone(f.severity))),
                Span::styled(f.rule.as_str(), theme.title()),
                Span::styled(if at.is_empty() { String::new() } else { format!("  {at}") }, theme.dim()),
            ])];
            lines.extend(widgets::wrap(&f.message, width).into_iter().map(|l| Line::raw(format!("  {l}"))));
            lines
        })
        .collect();
    render_stack(frame, area, items, list.position(), theme);
}

pub fn render_evidence(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, theme: Theme) {
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No evidence on file.", theme);
    }
    // Narrow screens leave out the audit (the Audits pane has it) for the description.
    let wide = area.width >= 100;
    let mut titles = vec!["pillar", "kind", "strength", "collected", "audit", "standing", "description"];
    let reference = evidence_items(detail).map(|(_, j)| j.audit.chars().count()).max().unwrap_or(0).max(11);
    let mut widths = vec![8, 17, 8, 10, u16::try_from(reference).unwrap_or(u16::MAX), 8];
    if !wide {
        titles.remove(4);
        widths.remove(4);
    }
    let items: Vec<(Pillar, &Judged)> = evidence_items(detail).collect();
    let rows = list.window(usize::from(area.height.saturating_sub(1))).map(|(i, selected)| {
        let (pillar, j) = items[i];
        let mut cells = vec![
            Cell::from(short_pillar(pillar)),
            Cell::from(j.kind.as_str()),
            Cell::from(j.strength.as_str()),
            Cell::from(j.collected_on.to_string()),
            standing_cell(j.standing, theme),
            Cell::from(j.description.as_str()),
        ];
        if wide {
            cells.insert(4, Cell::from(j.audit.as_str()));
        }
        let row = Row::new(cells);
        if selected { row.style(theme.selected()) } else { row }
    });
    let widths = widths.into_iter().map(Constraint::Length).chain([Constraint::Fill(1)]);
    let header = Row::new(titles).style(theme.header());
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
}

/// How an item counts (`assess` decides; production yield's are only noted).
fn standing_cell(standing: Standing, theme: Theme) -> Cell<'static> {
    let tone = match standing {
        Standing::Counts => Tone::Good,
        Standing::Stale | Standing::Draft => Tone::Warn,
        Standing::Stated => Tone::Bad,
        Standing::Noted => Tone::Muted,
    };
    Cell::from(Span::styled(standing.as_str(), theme.tone(tone)))
}

pub fn render_audits(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, theme: Theme) {
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No audits on record.", theme);
    }
    let header = Row::new(["audit", "visited", "kind", "status", "auditor", "score", "grade", "amends"]);
    let rows = list.window(usize::from(area.height.saturating_sub(1))).map(|(i, selected)| {
        let a = &detail.audits[i];
        let row = Row::new([
            a.audit.id.clone(),
            a.audit.visited_on.to_string(),
            a.audit.kind.to_string(),
            a.audit.status.to_string(),
            a.audit.auditor.clone(),
            // A draft's live score (its status says it is not sealed).
            widgets::score_pct(a.score_pct.or_else(|| detail.live_scores.get(&a.id).copied().flatten())),
            opt(a.grade),
            opt(a.audit.amends.as_deref()),
        ]);
        if selected { row.style(theme.selected()) } else { row }
    });
    // References are A-2026-042 from before installation tags, A-2026-K7Q-042 since.
    let reference = detail.audits.iter().map(|a| a.audit.id.chars().count()).max().unwrap_or(0).max(11);
    let reference = u16::try_from(reference).unwrap_or(u16::MAX);
    let widths = [reference, 10, 11, 9, 14, 6, 12].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]);
    frame.render_widget(Table::new(rows, widths).header(header.style(theme.header())).column_spacing(1), area);
}

pub fn render_findings(frame: &mut Frame, area: Rect, detail: &SupplierDetail, list: &Listing, view: View<'_>) {
    let theme = view.theme;
    if list.shown().is_empty() {
        return render_nothing(frame, area, list, "No open findings.", theme);
    }
    let width = usize::from(area.width.saturating_sub(2));
    let items = list
        .shown()
        .iter()
        .map(|i| {
            let f = &detail.open_findings[*i];
            let overdue = f.finding.due_on < view.as_of;
            let mut head = vec![
                Span::styled(
                    format!("{:<9}", f.finding.severity.as_str()),
                    theme.tone(finding_tone(f.finding.severity)),
                ),
                Span::raw(format!("due {}", f.finding.due_on)),
            ];
            if overdue {
                head.push(Span::styled(" OVERDUE", theme.tone(Tone::Bad)));
            }
            let owner = f.finding.owner.as_deref().unwrap_or("no owner named");
            head.push(Span::styled(format!("  {} · {owner}", f.audit), theme.dim()));
            let mut lines = vec![Line::from(head)];
            lines.extend(widgets::wrap(&f.finding.description, width).into_iter().map(|l| Line::raw(format!("  {l}"))));
            lines
        })
        .collect();
    render_stack(frame, area, items, list.position(), theme);
}

pub fn render_sparkline(frame: &mut Frame, area: Rect, detail: &SupplierDetail, theme: Theme) {
    let [title, bars] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let months = &detail.fpy_by_month;
    let shown = &months[months.len().saturating_sub(usize::from(area.width))..];
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return render_none_text(frame, title, "FPY by month: no production lots on file.", theme);
    };
    let (lo, hi) = shown.iter().fold((f64::MAX, f64::MIN), |(lo, hi), m| (lo.min(m.fpy), hi.max(m.fpy)));
    // Bars start a little below the lowest month, so month-to-month changes show.
    let floor = (lo - (hi - lo).max(0.01) / 4.0).max(0.0);
    let text = format!(
        "FPY by month, {} … {}: lowest {:.1}%, highest {:.1}% (bars from {:.1}%)",
        first.month,
        last.month,
        lo * 100.0,
        hi * 100.0,
        floor * 100.0
    );
    frame.render_widget(Line::styled(text, theme.header()), title);
    let values: Vec<u64> = shown.iter().map(|m| bar_height(m.fpy, floor)).collect();
    frame.render_widget(Sparkline::default().data(&values).style(theme.tone(Tone::Good)), bars);
}

/// Tenths of a percentage point above the floor.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped to 0..=1000 first
fn bar_height(fpy: f64, floor: f64) -> u64 {
    ((fpy - floor) * 1000.0).clamp(0.0, 1000.0).round() as u64
}
