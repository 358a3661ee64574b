//! Small drawing helpers the screens share: word wrapping by display width
//! (CJK names take two columns), truncation, the filter line, a centred box
//! and a popup's frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::input::Filter;
use super::theme::Theme;

pub use crate::exchange::shortlist::{NONE, opt};

pub fn pct(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| NONE.to_owned(), crate::exchange::shortlist::percent)
}

/// An audit score, already in percent: `72.5%`, one decimal, so the number
/// agrees with the grade band.
pub fn score_pct(score: Option<f64>) -> String {
    score.map_or_else(|| NONE.to_owned(), crate::assess::checklist::score_text)
}

/// Greedy word wrap to `width` columns, each line of `text` on its own
/// lines; a word longer than a line is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.contains('\n') {
        return text.lines().flat_map(|line| wrap(line, width)).collect();
    }
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() { word.width() } else { line.width() + 1 + word.width() };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            if line.width() + c.width().unwrap_or(0) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` cut to `width` columns, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.width().unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// `parts` joined by `sep`, as many whole parts as fit in `width` columns
/// (the first always, cut if it must be).
pub fn join_fitting(parts: &[String], sep: &str, width: usize) -> String {
    let mut out = String::new();
    for part in parts {
        let next = if out.is_empty() { part.clone() } else { format!("{out}{sep}{part}") };
        if next.width() > width && !out.is_empty() {
            break;
        }
        out = next;
    }
    fit(&out, width)
}

/// A box of at most `width` × `height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let (w, h) = (width.min(area.width), height.min(area.height));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// A popup's frame over whatever is under `rect`: a border in `border`, the
/// title on top, the keys that close it below; returns the room inside.
pub fn popup_frame(frame: &mut Frame, rect: Rect, title: &str, hint: &str, border: Style, theme: Theme) -> Rect {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Span::styled(format!(" {hint} "), theme.dim()));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

/// `/ text▏` while typing, `/ text` once set, nothing without a filter.
pub fn filter_spans(filter: &Filter, theme: Theme) -> Vec<Span<'static>> {
    if !filter.editing && !filter.is_active() {
        return Vec::new();
    }
    let mut spans = vec![Span::styled("/", theme.key()), Span::raw(format!(" {}", filter.input.value()))];
    if filter.editing {
        spans.push(Span::styled("▏", theme.key()));
    }
    spans.push(Span::raw("  "));
    spans
}

/// A section heading inside a pane.
pub fn heading(text: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::styled(text.into(), theme.header())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_between_words_and_cuts_long_ones() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("厦门福隆 case", 6), ["厦门福", "隆", "case"]);
        assert_eq!(wrap("one two\nthree", 20), ["one two", "three"]);
    }

    #[test]
    fn join_fitting_keeps_whole_parts() {
        let parts: Vec<String> = ["MC-05", "Material compatibility", "weight 2", "material"].map(String::from).into();
        assert_eq!(join_fitting(&parts, " · ", 40), "MC-05 · Material compatibility");
        assert_eq!(join_fitting(&parts, " · ", 100), "MC-05 · Material compatibility · weight 2 · material");
        assert_eq!(join_fitting(&parts, " · ", 4), "MC-…");
    }

    #[test]
    fn fit_marks_a_cut() {
        assert_eq!(fit("Armor Case Works", 10), "Armor Cas…");
        assert_eq!(fit("Armor", 10), "Armor");
    }
}
