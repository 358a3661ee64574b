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
use crate::tui::list::Cursor;
use crate::tui::theme::{Theme, Tone, finding_tone, severity_tone};
use crate::tui::widgets::{self, opt};

/// Every evidence item, pillar by pillar, newest first within each.
pub fn evidence_items(detail: &SupplierDetail) -> impl Iterator<Item = (Pillar, &Judged)> {
    detail.assessment.pillars.iter().flat_map(|p| p.evidence.iter().map(move |j| (p.pillar, j)))
}

/// The panes with their sizes; shorter words when the terminal is narrow.
pub fn render_bar(frame: &mut Frame, area: Rect, current: Pane, len: impl Fn(Pane) -> usize, theme: Theme) {
    let wide = |n: usize, pane: Pane| format!(" {} {} ({}) ", n + 1, pane.title(), len(pane));
    let narrow = |n: usize, pane: Pane| format!(" {} {} {} ", n + 1, pane.short_title(), len(pane));
    let room = usize::from(area.width);
    let fits = Pane::ALL.iter().enumerate().map(|(n, p)| wide(n, *p).chars().count()).sum::<usize>() <= room;
    let mut spans = Vec::new();
    for (n, pane) in Pane::ALL.iter().enumerate() {
        let style = if *pane == current { theme.active_tab() } else { theme.dim() };
        spans.push(Span::styled(if fits { wide(n, *pane) } else { narrow(n, *pane) }, style));
    }
    frame.render_widget(Line::from(spans), area);
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

pub fn render_none(frame: &mut Frame, area: Rect, text: &str, theme: Theme) {
    frame.render_widget(Line::styled(text.to_owned(), theme.dim()), area);
}

pub fn render_flags(frame: &mut Frame, area: Rect, detail: &SupplierDetail, cursor: &Cursor, theme: Theme) {
    let flags = &detail.assessment.flags;
    if flags.is_empty() {
        return render_none(frame, area, "No flags: nothing found missing as of this day.", theme);
    }
    let width = usize::from(area.width.saturating_sub(2));
    let items = flags
        .iter()
        .map(|f| {
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
    render_stack(frame, area, items, cursor.selected(), theme);
}

pub fn render_evidence(frame: &mut Frame, area: Rect, detail: &SupplierDetail, cursor: &Cursor, theme: Theme) {
    if cursor.len() == 0 {
        return render_none(frame, area, "No evidence on file.", theme);
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
    let window = cursor.window(usize::from(area.height.saturating_sub(1)));
    let rows = evidence_items(detail).enumerate().skip(window.start).take(window.len()).map(|(i, (pillar, j))| {
        let mut cells = vec![
            Cell::from(short_pillar(pillar)),
            Cell::from(j.kind.as_str()),
            Cell::from(j.strength.as_str()),
            Cell::from(j.collected_on.to_string()),
            standing_cell(pillar, j.standing, theme),
            Cell::from(j.description.as_str()),
        ];
        if wide {
            cells.insert(4, Cell::from(j.audit.as_str()));
        }
        let row = Row::new(cells);
        if Some(i) == cursor.selected() { row.style(theme.selected()) } else { row }
    });
    let widths = widths.into_iter().map(Constraint::Length).chain([Constraint::Fill(1)]);
    let header = Row::new(titles).style(theme.header());
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
}

/// How an item counts; production yield is decided by lots, so its items are only noted.
fn standing_cell(pillar: Pillar, standing: Standing, theme: Theme) -> Cell<'static> {
    let (word, tone) = match standing {
        _ if pillar == Pillar::ProductionYield => ("noted", Tone::Muted),
        Standing::Counts => ("counts", Tone::Good),
        Standing::Stale => ("stale", Tone::Warn),
        Standing::Draft => ("draft", Tone::Warn),
        Standing::Stated => ("stated", Tone::Bad),
    };
    Cell::from(Span::styled(word, theme.tone(tone)))
}

pub fn render_audits(frame: &mut Frame, area: Rect, detail: &SupplierDetail, cursor: &Cursor, theme: Theme) {
    if detail.audits.is_empty() {
        return render_none(frame, area, "No audits on record.", theme);
    }
    let header = Row::new(["audit", "visited", "kind", "status", "auditor", "score", "grade", "amends"]);
    let window = cursor.window(usize::from(area.height.saturating_sub(1)));
    let rows = window.map(|i| {
        let a = &detail.audits[i];
        let row = Row::new([
            a.audit.id.clone(),
            a.audit.visited_on.to_string(),
            a.audit.kind.to_string(),
            a.audit.status.to_string(),
            a.audit.auditor.clone(),
            widgets::score_pct(a.score_pct),
            opt(a.grade),
            opt(a.audit.amends.as_deref()),
        ]);
        if Some(i) == cursor.selected() { row.style(theme.selected()) } else { row }
    });
    // References are A-2026-042 from before installation tags, A-2026-K7Q-042 since.
    let reference = detail.audits.iter().map(|a| a.audit.id.chars().count()).max().unwrap_or(0).max(11);
    let reference = u16::try_from(reference).unwrap_or(u16::MAX);
    let widths = [reference, 10, 11, 9, 14, 6, 12].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]);
    frame.render_widget(Table::new(rows, widths).header(header.style(theme.header())).column_spacing(1), area);
}

pub fn render_findings(frame: &mut Frame, area: Rect, detail: &SupplierDetail, cursor: &Cursor, view: View<'_>) {
    let theme = view.theme;
    if detail.open_findings.is_empty() {
        return render_none(frame, area, "No open findings.", theme);
    }
    let width = usize::from(area.width.saturating_sub(2));
    let items = detail
        .open_findings
        .iter()
        .map(|f| {
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
    render_stack(frame, area, items, cursor.selected(), theme);
}

pub fn render_sparkline(frame: &mut Frame, area: Rect, detail: &SupplierDetail, theme: Theme) {
    let [title, bars] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let months = &detail.fpy_by_month;
    let shown = &months[months.len().saturating_sub(usize::from(area.width))..];
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return render_none(frame, title, "FPY by month: no production lots on file.", theme);
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
