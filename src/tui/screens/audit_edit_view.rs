//! Drawing the audit editor: the audit and its live score on top, the pane
//! bar, then the checklist (questions under their sections, each section's
//! live score on its heading; the selected question's text, guidance and
//! note beside or below), the evidence, or the findings.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::View;
use super::audit_edit::{AuditEditor, EditPane};
use super::supplier::short_pillar;
use crate::assess::checklist::{Question, Score};
use crate::model::{AnswerResult, HistoryEntity, Section};
use crate::tui::theme::{Theme, Tone, finding_tone};
use crate::tui::widgets::{self, fit, opt, score_pct};

/// Wide terminals put the question's detail beside the list.
const SIDE_BY_SIDE: u16 = 110;

pub fn render(editor: &AuditEditor, frame: &mut Frame, area: Rect, view: View<'_>) {
    let [header, bar, body] =
        Layout::vertical([Constraint::Length(2), Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    render_header(editor, frame, header, view.theme);
    render_bar(editor, frame, bar, view.theme);
    match editor.pane() {
        EditPane::Checklist => render_checklist(editor, frame, body, view.theme),
        EditPane::Evidence => render_evidence(editor, frame, body, view.theme),
        EditPane::Findings => render_findings(editor, frame, body, view.theme),
    }
}

fn render_header(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let (row, a, s) = (&editor.detail.row, &editor.detail.row.audit, &editor.detail.score);
    let title = format!("{} of {} · {} · visited {} · {}", a.id, row.supplier, a.kind, a.visited_on, a.auditor);
    let mut score = vec![
        Span::styled(format!("score {} · grade {}", score_pct(s.pct), s.grade), theme.header()),
        Span::raw(format!(" · {}", s.overall.progress())),
    ];
    if !s.critical_no.is_empty() {
        score.push(Span::styled(format!(" · critical no: {}", s.critical_no.join(", ")), theme.tone(Tone::Bad)));
    }
    // The reassurance goes only where it fits whole.
    let tail = " · draft, saved as you go";
    if Line::from(score.clone()).width() + tail.chars().count() <= usize::from(area.width) {
        score.push(Span::styled(tail, theme.dim()));
    }
    let lines = vec![Line::styled(title, theme.title()), Line::from(score)];
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_bar(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let d = &editor.detail;
    let t = &d.score.overall;
    let counts =
        [format!("{}/{}", t.answered, t.applicable), d.evidence.len().to_string(), d.findings.len().to_string()];
    let spans = EditPane::ALL.iter().zip(counts).enumerate().map(|(n, (pane, count))| {
        let style = if *pane == editor.pane() { theme.active_tab() } else { theme.dim() };
        Span::styled(format!(" {} {} ({count}) ", n + 1, pane.title()), style)
    });
    let mut spans: Vec<Span<'_>> = spans.collect();
    let list = &editor.questions;
    let filter = widgets::filter_spans(&list.filter, theme);
    if editor.pane() == EditPane::Checklist && !filter.is_empty() {
        spans.push(Span::raw("  "));
        spans.extend(filter);
        spans.push(Span::styled(format!("{} of {} questions", list.shown().len(), list.total()), theme.dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

fn render_checklist(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let (list, detail) = if area.width >= SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).spacing(2).areas(area);
        (l, d)
    } else {
        let below = (area.height / 2).clamp(4, 9);
        let [l, d] = Layout::vertical([Constraint::Fill(1), Constraint::Length(below)]).areas(area);
        (l, d)
    };
    render_questions(editor, frame, list, theme);
    render_question(editor, frame, detail, theme);
}

/// Questions under their section headings, scrolled to keep the selected
/// one a third of the way down.
fn render_questions(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let height = usize::from(area.height);
    let _ = editor.questions.cursor.window(height);
    let selected = editor.questions.selected();
    let (mut lines, mut at) = (Vec::new(), 0);
    let mut section: Option<Section> = None;
    let questions = &editor.detail.template.questions;
    if editor.questions.shown().is_empty() {
        let text = "No question matches the filter; Esc clears it.";
        return frame.render_widget(Line::styled(text, theme.dim()), area);
    }
    for (i, q) in editor.questions.shown().iter().map(|i| (*i, &questions[*i])) {
        if section != Some(q.section) {
            section = Some(q.section);
            lines.push(section_heading(&editor.detail.score, q.section, theme));
        }
        if Some(i) == selected {
            at = lines.len();
        }
        let line = question_line(editor, q, usize::from(area.width), theme);
        lines.push(if Some(i) == selected { line.patch_style(theme.selected()) } else { line });
    }
    let top = at.saturating_sub(height / 3).min(lines.len().saturating_sub(height));
    frame.render_widget(Paragraph::new(lines).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)), area);
}

fn section_heading(score: &Score, section: Section, theme: Theme) -> Line<'static> {
    let Some(s) = score.sections.iter().find(|s| s.section == section) else {
        return widgets::heading(section.label(), theme);
    };
    let t = &s.tally;
    let score = s.pct.map_or_else(|| "no score yet".to_owned(), crate::assess::checklist::score_text);
    widgets::heading(format!("{} · {score} · {} of {} answered", section.label(), t.answered, t.applicable), theme)
}

fn question_line(editor: &AuditEditor, q: &Question, width: usize, theme: Theme) -> Line<'static> {
    let answer = editor.answer(&q.code);
    let (word, tone) = answer_word(answer.map(|a| a.result));
    let critical = if q.critical { "!" } else { " " };
    let noted = answer.is_some_and(|a| a.note.is_some()) || editor.pending_note(&q.code).is_some();
    let note = if noted { "¶" } else { " " };
    Line::from(vec![
        Span::raw(format!(" {:<6}", q.code)),
        Span::styled(critical, theme.tone(Tone::Bad)),
        Span::styled(format!(" {word:<8}"), theme.tone(tone)),
        Span::styled(note, theme.dim()),
        Span::raw(format!(" {}", fit(&q.text, width.saturating_sub(19)))),
    ])
}

/// An answer in a word, and its tone.
pub fn answer_word(result: Option<AnswerResult>) -> (&'static str, Tone) {
    match result {
        Some(AnswerResult::Yes) => ("yes", Tone::Good),
        Some(AnswerResult::Partial) => ("partial", Tone::Warn),
        Some(AnswerResult::No) => ("no", Tone::Bad),
        Some(AnswerResult::Na) => ("n/a", Tone::Muted),
        None => ("—", Tone::Muted),
    }
}

/// The selected question in full: text, guidance, the answer and its note.
fn render_question(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(q) = editor.question() else { return };
    let mut parts = vec![q.code.clone()];
    if q.critical {
        parts.push("critical".to_owned());
    }
    parts.push(q.section.label().to_owned());
    parts.push(format!("weight {}", q.weight));
    parts.extend(q.pillar.map(|p| short_pillar(p).to_owned()));
    // Whole parts only: a narrow pane drops the last ones rather than cut a word.
    let title = format!(" {} ", widgets::join_fitting(&parts, " · ", usize::from(area.width).saturating_sub(2)));
    let answer = editor.answer(&q.code);
    let (word, tone) = answer_word(answer.map(|a| a.result));
    let mut lines = vec![Line::raw(q.text.clone())];
    let note = answer
        .and_then(|a| a.note.clone())
        .or_else(|| editor.pending_note(&q.code).map(str::to_owned))
        .unwrap_or_else(|| "no note (Enter writes one)".to_owned());
    if q.critical {
        lines.push(Line::styled("Critical: a no caps the audit's grade.", theme.tone(Tone::Warn)));
    }
    // A note's own lines stay lines.
    let mut note_lines = note.lines();
    lines.push(Line::from(vec![
        Span::raw("answer "),
        Span::styled(word, theme.tone(tone)),
        Span::styled(format!(" · {}", note_lines.next().unwrap_or_default()), theme.dim()),
    ]));
    lines.extend(note_lines.map(|l| Line::styled(format!("  {l}"), theme.dim())));
    if let Some(guidance) = &q.guidance {
        lines.push(Line::styled(format!("Guidance: {guidance}"), theme.dim()));
    }
    let block =
        Block::new().borders(Borders::TOP).border_style(theme.border()).title(Span::styled(title, theme.header()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// The pane's voided items of `kind` at its foot, struck, each with its
/// reason; the area left above for the live ones.
fn voided_below(editor: &AuditEditor, kind: HistoryEntity, frame: &mut Frame, area: Rect, theme: Theme) -> Rect {
    const SHOWN: usize = 3;
    let voided: Vec<_> = editor.detail.voided.iter().filter(|v| v.kind == kind).collect();
    if voided.is_empty() {
        return area;
    }
    let height = u16::try_from(voided.len().min(SHOWN + 1) + 1).unwrap_or(5);
    let [above, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled("Voided (on file, counted nowhere):", theme.dim())];
    for v in voided.iter().take(SHOWN) {
        let reason = format!("  voided: {}", v.voided.reason);
        let room = width.saturating_sub(reason.chars().count().min(width / 2) + 8);
        lines.push(Line::from(vec![
            Span::styled(format!("  #{} {}", v.id, fit(&v.summary.replace('\n', " "), room)), theme.struck()),
            Span::raw(fit(&reason, width / 2)),
        ]));
    }
    if voided.len() > SHOWN {
        lines.push(Line::styled(format!("  … and {} more", voided.len() - SHOWN), theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), foot);
    above
}

fn render_evidence(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let area = voided_below(editor, HistoryEntity::Evidence, frame, area, theme);
    let items = &editor.detail.evidence;
    if items.is_empty() {
        let text = "No evidence yet: e adds an item (pillar, kind, strength, what was seen, a photo or document).";
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())).wrap(Wrap { trim: false }), area);
        return;
    }
    // The selected item's files under the table.
    let selected = editor.evidence.selected().and_then(|i| items.get(i)).map(|(id, _)| *id);
    let files: Vec<(&str, u64)> = selected.map(|id| editor.files_of(id).collect()).unwrap_or_default();
    let below = u16::try_from(files.len().min(5) + 1).unwrap_or(6);
    let [table, list] = Layout::vertical([Constraint::Fill(1), Constraint::Length(below)]).areas(area);
    let window = editor.evidence.window(usize::from(table.height.saturating_sub(1)));
    let rows = window.map(|i| {
        let (id, e) = &items[i];
        let count = editor.files_of(*id).count();
        let row = Row::new([
            Cell::from(short_pillar(e.pillar)),
            Cell::from(e.kind.as_str()),
            Cell::from(e.strength.as_str()),
            Cell::from(e.collected_on.to_string()),
            Cell::from(e.description.replace('\n', " ↵ ")),
            Cell::from(if count == 0 { opt(e.reference.as_deref()) } else { format!("{count} file(s)") }),
        ]);
        if Some(i) == editor.evidence.selected() { row.style(theme.selected()) } else { row }
    });
    let widths = [8, 17, 8, 10].map(Constraint::Length).into_iter().chain([Constraint::Fill(3), Constraint::Fill(1)]);
    let header = Row::new(["pillar", "kind", "strength", "collected", "description", "photo/document"]);
    frame.render_widget(Table::new(rows, widths).header(header.style(theme.header())).column_spacing(1), table);
    let mut lines = vec![Line::styled(
        if files.is_empty() { "No file attached: A attaches a photo or document." } else { "Attached files:" },
        theme.dim(),
    )];
    lines.extend(files.iter().take(5).map(|(path, size)| {
        Line::raw(format!(
            "  {} · {}",
            fit(path, usize::from(area.width).saturating_sub(16)),
            crate::tui::paths::size_words(*size)
        ))
    }));
    frame.render_widget(Paragraph::new(lines), list);
}

fn render_findings(editor: &AuditEditor, frame: &mut Frame, area: Rect, theme: Theme) {
    let area = voided_below(editor, HistoryEntity::Finding, frame, area, theme);
    let items = &editor.detail.findings;
    if items.is_empty() {
        let text = "No findings: f raises one (severity, description, owner, due date).";
        frame.render_widget(Line::styled(text, theme.dim()), area);
        return;
    }
    let window = editor.findings.window(usize::from(area.height.saturating_sub(1)));
    let rows = window.map(|i| {
        let f = &items[i].1;
        let state = f.closure.as_ref().map_or_else(|| "open".to_owned(), |c| format!("closed {}", c.closed_on));
        let row = Row::new([
            Cell::from(Span::styled(f.severity.as_str(), theme.tone(finding_tone(f.severity)))),
            Cell::from(f.due_on.to_string()),
            Cell::from(state),
            Cell::from(opt(f.owner.as_deref())),
            Cell::from(f.description.clone()),
        ]);
        if Some(i) == editor.findings.selected() { row.style(theme.selected()) } else { row }
    });
    let widths = [8, 10, 17, 14].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]);
    let header = Row::new(["severity", "due", "state", "owner", "description"]);
    frame.render_widget(Table::new(rows, widths).header(header.style(theme.header())).column_spacing(1), area);
}
