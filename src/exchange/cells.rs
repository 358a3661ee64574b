//! Text on its way out, made safe for where it lands: a CSV cell a
//! spreadsheet will open (no formula injection), a Markdown cell a viewer
//! will render (no markup, HTML or script links), a terminal (no control
//! sequences). Names, notes and codes are people's text, and a file written
//! before the importers refused control characters may still hold some.

use std::borrow::Cow;

use crate::model::validate::{is_bidi_control, printable_with};

/// A CSV cell neutralised as OWASP's CSV-injection guidance says: a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read
/// as a formula by spreadsheets, so it gets a leading `'` (shown, never
/// evaluated). A cell that is wholly a number (`-1.25`) is left as it is, so
/// numeric columns stay numbers. Control characters (line breaks aside,
/// which CSV quotes) and bidi overrides are shown as escapes.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let text = printable_with(text, true);
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.trim().parse::<f64>().is_err() { Cow::Owned(format!("'{text}")) } else { text }
}

/// A Markdown table cell that renders as the text it holds: HTML special
/// characters as entities (so no `<script>` or raw HTML), Markdown's
/// punctuation escaped (brackets, so no link or image; emphasis and code
/// marks; `|`, which would end the cell), URL schemes that run code broken (`javascript\:`),
/// line breaks as spaces, control characters and bidi overrides as escapes.
pub fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    break_schemes(&out)
}

/// `javascript:`, `vbscript:` and `data:` (any case) with the colon escaped:
/// the text still reads the same, and no viewer takes it for a link.
fn break_schemes(text: &str) -> String {
    const SCHEMES: [&str; 3] = ["javascript:", "vbscript:", "data:"];
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        if let Some(scheme) = SCHEMES.iter().find(|s| lower[at..].starts_with(*s)) {
            let end = at + scheme.len() - 1;
            out.push_str(&text[at..end]);
            out.push_str("\\:");
            at = end + 1;
        } else {
            let next = text[at..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[at..at + next]);
            at += next;
        }
    }
    out
}

/// Text for a terminal: control characters and bidi overrides shown as
/// escapes, line breaks and tabs kept.
pub fn terminal(text: &str) -> Cow<'_, str> {
    printable_with(text, true)
}

/// One cell of an aligned text table: line breaks and tabs as spaces (the
/// row stays one line), other control characters as escapes.
pub fn table_cell(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Cow::Borrowed(text);
    }
    let flat: String = text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    Cow::Owned(printable_with(&flat, false).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        for risky in ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "=HYPERLINK(\"http://x\")"] {
            assert!(csv_cell(risky).starts_with('\''), "{risky:?}");
        }
        for safe in ["Armor Case Works", "-1.25", "0.9412", "2026-01-02", "—", ""] {
            assert_eq!(csv_cell(safe), safe);
        }
        assert_eq!(csv_cell("a\u{1b}[31mb"), "a\\u{1b}[31mb");
    }

    #[test]
    fn markdown_cells_carry_no_markup_html_or_script_links() {
        let cell = md_cell("<script>alert(1)</script> [x](javascript:alert(1)) **b** | c\nd");
        assert!(!cell.contains("<script"), "{cell}");
        assert!(!cell.to_ascii_lowercase().contains("javascript:"), "{cell}");
        // What is left once escaped characters are taken out holds no markup.
        let bare: String = cell
            .split('\\')
            .enumerate()
            .map(|(i, part)| if i == 0 { part } else { part.get(1..).unwrap_or("") })
            .collect();
        assert!(!bare.contains(['[', ']', '<', '>', '*', '|', '\n']), "{cell}");
        assert!(!cell.contains(" | "), "{cell}");
        assert_eq!(md_cell("TPU+PC, 94.1%"), "TPU+PC, 94.1%");
        assert_eq!(md_cell("JavaScript: a language"), "JavaScript\\: a language");
    }

    #[test]
    fn terminal_text_loses_escape_sequences() {
        assert_eq!(terminal("ok\u{1b}]0;pwned\u{7}\nnext\u{202e}"), "ok\\u{1b}]0;pwned\\u{7}\nnext\\u{202e}");
        assert_eq!(table_cell("two\nlines\u{1b}"), "two lines\\u{1b}");
    }
}
