//! Drawing a form in a box over the screen: a label column and the values
//! (the focused text with its cursor), each refusal on the line under its
//! field, the focused field's hint (a choice's valid values, the day `today`
//! stands for), and the form's own notice at the bottom. Scrolled so the
//! focused field is in view when the terminal is short.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::{Entry, Form, Kind, Rule};
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::{centered, fit, popup_frame, wrap};

const MAX_WIDTH: u16 = 86;

/// Lines a focused multi-line entry shows at most.
const MULTILINE_ROWS: usize = 6;

/// The lines of a form, which of them the focused field covers, and where
/// its text cursor is (line, column).
struct Layout {
    lines: Vec<Line<'static>>,
    focused: std::ops::Range<usize>,
    cursor: Option<(usize, usize)>,
}

pub fn render(form: &Form, frame: &mut Frame, area: Rect, theme: Theme) {
    let width = area.width.saturating_sub(2).min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(2));
    let label = form.entries.iter().map(|f| f.label.width()).max().unwrap_or(0).min(20) + 3;
    let layout = lay_out(form, label, inner.saturating_sub(label).max(4), theme);
    let height = u16::try_from(layout.lines.len() + 2).unwrap_or(u16::MAX).min(area.height);
    let rect = centered(area, width, height);
    let rows = usize::from(rect.height.saturating_sub(2));
    let top = layout.focused.end.saturating_sub(rows).min(layout.focused.start);
    let hint = "Tab next field · Enter saves · Esc cancels";
    let inner = popup_frame(frame, rect, &form.title, hint, theme.focused_border(), theme);
    let scroll = u16::try_from(top).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(layout.lines).scroll((scroll, 0)), inner);
    if let Some((line, column)) = layout.cursor.filter(|(line, _)| (top..top + rows).contains(line)) {
        let x = rect.x + 1 + u16::try_from(column).unwrap_or(0);
        let y = rect.y + 1 + u16::try_from(line - top).unwrap_or(0);
        frame.set_cursor_position((x.min(rect.right().saturating_sub(2)), y));
    }
}

fn lay_out(form: &Form, label: usize, value: usize, theme: Theme) -> Layout {
    let mut lines: Vec<Line<'static>> = form.intro.iter().map(|l| Line::styled(l.clone(), theme.dim())).collect();
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    let (mut focused, mut cursor) = (0..0, None);
    for (i, field) in form.entries.iter().enumerate() {
        let start = lines.len();
        let has_focus = i == form.focus;
        let mark = if has_focus { "› " } else { "  " };
        let head =
            Span::styled(format!("{mark}{:<w$}", field.label, w = label - 2), label_style(field, has_focus, theme));
        let pad = " ".repeat(label);
        if let (true, Kind::Text { input, rule }) = (has_focus, &field.kind)
            && rule.multiline()
            && input.value().contains('\n')
        {
            let (rows, (row, column)) = input.lines(value);
            // The lines around the cursor, at most a few: a long note scrolls.
            let first = row.saturating_sub(MULTILINE_ROWS - 1);
            for (n, text) in rows.iter().enumerate().skip(first).take(MULTILINE_ROWS) {
                let lead = if n == first { head.clone() } else { Span::raw(pad.clone()) };
                lines.push(Line::from(vec![lead, Span::raw(text.clone())]));
            }
            cursor = Some((start + row - first, label + column));
        } else {
            let (spans, column) = value_spans(field, has_focus, value, form, theme);
            lines.push(Line::from(std::iter::once(head).chain(spans).collect::<Vec<_>>()));
            if let Some(column) = column {
                cursor = Some((start, label + column));
            }
        }
        if let Some(error) = &field.error {
            for (n, part) in wrap(error, value.saturating_sub(2)).into_iter().enumerate() {
                let lead = if n == 0 { "✗ " } else { "  " };
                lines.push(Line::styled(format!("{pad}{lead}{part}"), theme.tone(Tone::Bad)));
            }
        }
        if has_focus {
            for part in hint(field, form).iter().flat_map(|h| wrap(h, value)) {
                lines.push(Line::styled(format!("{pad}{part}"), theme.dim()));
            }
            focused = start..lines.len();
        }
    }
    if let Some(notice) = &form.notice {
        lines.push(Line::raw(""));
        lines.extend(wrap(notice, label + value).into_iter().map(|l| Line::styled(l, theme.tone(Tone::Bad))));
    }
    Layout { lines, focused, cursor }
}

fn label_style(field: &Entry, focused: bool, theme: Theme) -> Style {
    match () {
        () if field.error.is_some() => theme.tone(Tone::Bad),
        () if focused => theme.key(),
        () => Style::new(),
    }
}

/// The value as spans, and the text cursor's column when this field has it.
fn value_spans(
    field: &Entry,
    focused: bool,
    width: usize,
    form: &Form,
    theme: Theme,
) -> (Vec<Span<'static>>, Option<usize>) {
    match &field.kind {
        Kind::Text { input, rule } if focused => {
            let (shown, column) = input.view(width);
            let mut spans = with_cursor(&shown, column);
            if *rule == Rule::Date {
                spans.extend(resolved(field, form, theme));
            }
            (spans, Some(column))
        }
        Kind::Text { input, rule } => {
            let mut spans = vec![Span::raw(fit(&input.value().replace('\n', " ↵ "), width))];
            if *rule == Rule::Date {
                spans.extend(resolved(field, form, theme));
            }
            (spans, None)
        }
        Kind::Choice { options, at } => {
            let word = options.get(*at).copied().unwrap_or_default();
            let text = if focused { format!("‹ {word} ›") } else { word.to_owned() };
            (vec![Span::raw(text)], None)
        }
        Kind::Multi { options, on, at } => (multi_spans(options, on, focused.then_some(*at)), None),
        Kind::Fixed(text) => (vec![Span::styled(fit(text, width), theme.dim())], None),
    }
}

/// The text with the cell under the cursor in reverse video.
fn with_cursor(shown: &str, column: usize) -> Vec<Span<'static>> {
    let (mut before, mut under, mut after, mut at) = (String::new(), String::new(), String::new(), 0);
    for g in shown.graphemes(true) {
        if at < column {
            before.push_str(g);
        } else if under.is_empty() {
            under.push_str(g);
        } else {
            after.push_str(g);
        }
        at += g.width();
    }
    if under.is_empty() {
        under.push(' ');
    }
    let cursor = Style::new().add_modifier(Modifier::REVERSED);
    vec![Span::raw(before), Span::styled(under, cursor), Span::raw(after)]
}

/// `= 2026-11-15` after a date field that says `today`.
fn resolved(field: &Entry, form: &Form, theme: Theme) -> Option<Span<'static>> {
    let raw = match &field.kind {
        Kind::Text { input, .. } => input.value(),
        _ => return None,
    };
    let day = form.date(field.id)?;
    (day.to_string() != raw.trim()).then(|| Span::styled(format!("  = {day}"), theme.dim()))
}

fn multi_spans(options: &[&str], on: &[bool], at: Option<usize>) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, (word, ticked)) in options.iter().zip(on).enumerate() {
        let text = format!("[{}] {word}", if *ticked { 'x' } else { ' ' });
        let style = if at == Some(i) { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    spans
}

/// What the focused field accepts, in words.
fn hint(field: &Entry, form: &Form) -> Option<String> {
    match &field.kind {
        Kind::Choice { options, at } => {
            let words: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, w)| if i == *at { format!("[{w}]") } else { (*w).to_owned() })
                .collect();
            Some(format!("←/→: {}", words.join(" ")))
        }
        Kind::Multi { .. } => Some("Space ticks or unticks, ←/→ move".to_owned()),
        Kind::Text { rule: Rule::Date, .. } => {
            Some(field.hint.map_or_else(|| format!("YYYY-MM-DD or today ({})", form.today), str::to_owned))
        }
        Kind::Fixed(_) => Some(field.hint.map_or_else(|| "read-only here; Tab moves on".to_owned(), str::to_owned)),
        Kind::Text { .. } => field.hint.map(str::to_owned),
    }
}
