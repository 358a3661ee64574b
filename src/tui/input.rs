//! A text box (list filters, path prompts, form fields): it takes the
//! editing messages and pastes, and says what became of them. Editing goes
//! by grapheme and the view by display width (`tui-input`), so a Chinese
//! supplier name or an accented city edits and scrolls correctly. One line
//! as a rule; notes and descriptions may hold pasted line breaks, shown by
//! [`TextInput::lines`].

use tui_input::{Input, InputRequest};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::message::Message;

#[derive(Debug, Clone, Default)]
pub struct TextInput {
    input: Input,
}

/// What an editing message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    /// Only the cursor moved.
    Moved,
    Accepted,
    Cancelled,
    /// Not an editing message.
    Ignored,
}

impl TextInput {
    /// A box holding `text`, the cursor after it.
    pub fn new(text: impl Into<String>) -> Self {
        Self { input: Input::new(text.into()) }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Replaces the text (the cursor goes after it).
    pub fn set(&mut self, text: impl Into<String>) {
        self.input = Input::new(text.into());
    }

    /// Inserts `text` at the cursor in one step (a paste of any size is one
    /// edit, not a keystroke per character), the cursor after it.
    pub fn insert(&mut self, text: &str) {
        let value = self.input.value();
        let at = value.char_indices().nth(self.input.cursor()).map_or(value.len(), |(i, _)| i);
        let cursor = self.input.cursor() + text.chars().count();
        let joined = format!("{}{text}{}", &value[..at], &value[at..]);
        self.input = Input::new(joined).with_cursor(cursor);
    }

    /// The value as wrapped lines `width` columns wide (line breaks kept)
    /// and the cursor's (line, column) in them.
    pub fn lines(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let width = width.max(2);
        let (mut lines, mut line, mut used) = (Vec::new(), String::new(), 0);
        let mut cursor = None;
        let mut chars = 0;
        for g in self.value().graphemes(true) {
            if chars == self.input.cursor() {
                cursor = Some((lines.len(), used));
            }
            chars += g.chars().count();
            if g == "\n" || g == "\r\n" {
                lines.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            let w = g.width();
            if used + w > width - 1 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push_str(g);
            used += w;
        }
        let cursor = cursor.unwrap_or((lines.len(), used));
        lines.push(line);
        (lines, cursor)
    }

    pub fn apply(&mut self, msg: Message) -> Edit {
        let request = match msg {
            Message::Input(c) if !c.is_control() => InputRequest::InsertChar(c),
            Message::Backspace => InputRequest::DeletePrevChar,
            Message::Delete => InputRequest::DeleteNextChar,
            Message::ClearInput => InputRequest::DeleteLine,
            Message::Left => InputRequest::GoToPrevChar,
            Message::Right => InputRequest::GoToNextChar,
            Message::Home => InputRequest::GoToStart,
            Message::End => InputRequest::GoToEnd,
            Message::Accept => return Edit::Accepted,
            Message::Cancel => return Edit::Cancelled,
            _ => return Edit::Ignored,
        };
        match self.input.handle(request) {
            Some(change) if change.value => Edit::Changed,
            _ => Edit::Moved,
        }
    }

    /// What a box `width` columns wide shows (scrolled so the cursor is in
    /// view, whole graphemes only) and the cursor's column in it.
    pub fn view(&self, width: usize) -> (String, usize) {
        // One column stays free for the cursor after the last character.
        let room = width.saturating_sub(1).max(1);
        let scroll = self.input.visual_scroll(room);
        let (mut skipped, mut shown, mut used) = (0, String::new(), 0);
        for grapheme in self.value().graphemes(true) {
            let w = grapheme.width();
            if skipped < scroll {
                skipped += w;
                continue;
            }
            if used + w > width {
                break;
            }
            used += w;
            shown.push_str(grapheme);
        }
        (shown, self.input.visual_cursor().saturating_sub(skipped))
    }
}

/// A list filter: the text, and whether it is being typed.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub input: TextInput,
    pub editing: bool,
}

impl Filter {
    /// The text matched against lower-cased rows; empty matches all.
    pub fn needle(&self) -> String {
        self.input.value().trim().to_lowercase()
    }

    pub fn is_active(&self) -> bool {
        !self.input.value().trim().is_empty()
    }

    pub fn start(&mut self) {
        self.editing = true;
    }

    /// Pasted text into the filter while it is typed (one line: line
    /// breaks become spaces); `true` when the filter text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        if !self.editing || text.is_empty() {
            return false;
        }
        let one_line: String = text.split(['\n', '\r']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        self.input.insert(&one_line);
        true
    }

    /// Applies an editing message; `true` when the filter text changed.
    pub fn apply(&mut self, msg: Message) -> bool {
        match self.input.apply(msg) {
            Edit::Changed => true,
            Edit::Accepted => {
                self.editing = false;
                false
            }
            Edit::Cancelled => self.clear(),
            Edit::Moved | Edit::Ignored => false,
        }
    }

    /// Stops editing and empties the filter; `true` if there was one.
    pub fn clear(&mut self) -> bool {
        self.editing = false;
        let had = !self.input.value().is_empty();
        self.input.set("");
        had
    }
}

/// Whether `haystack` contains `needle` (already lower case), ignoring case;
/// without allocating when the needle is ASCII, as filters usually are.
pub fn contains_folded(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if !needle.is_ascii() {
        return haystack.to_lowercase().contains(needle);
    }
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some(last) = hay.len().checked_sub(needle.len()) else { return false };
    let (lower, upper) = (needle[0], needle[0].to_ascii_uppercase());
    let mut at = 0;
    // Jump from one occurrence of the first letter (either case) to the next.
    while let Some(found) = hay[at..=last].iter().position(|b| *b == lower || *b == upper) {
        at += found;
        if hay[at + 1..at + needle.len()].eq_ignore_ascii_case(&needle[1..]) {
            return true;
        }
        at += 1;
        if at > last {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_search_ignores_case_in_ascii_and_beyond() {
        assert!(contains_folded("Pillar-Missing: No evidence", "no evid"));
        assert!(contains_folded("厦门福隆 Case", "case"));
        assert!(contains_folded("厦门福隆 Case", "福隆"));
        assert!(!contains_folded("abc", "abcd"));
        assert!(contains_folded("anything", ""));
    }

    #[test]
    fn typing_accepting_and_cancelling() {
        let mut f = Filter::default();
        f.start();
        assert!(f.apply(Message::Input('S')));
        assert!(f.apply(Message::Input('Z')));
        assert_eq!(f.needle(), "sz");
        assert!(!f.apply(Message::Accept));
        assert!(!f.editing && f.is_active());
        f.start();
        assert!(f.apply(Message::Cancel));
        assert!(!f.is_active() && !f.editing);
        assert!(!f.apply(Message::Down));
    }

    #[test]
    fn wide_characters_edit_and_scroll_by_grapheme_and_column() {
        let mut t = TextInput::new("厦门福隆");
        assert_eq!(t.view(20), ("厦门福隆".to_owned(), 8));
        t.apply(Message::Left);
        t.apply(Message::Left);
        t.apply(Message::Input('X'));
        assert_eq!(t.value(), "厦门X福隆");
        assert_eq!(t.view(20).1, 5);
        t.apply(Message::Backspace);
        t.apply(Message::Backspace);
        assert_eq!(t.value(), "厦福隆");
        t.apply(Message::Delete);
        assert_eq!(t.value(), "厦隆");
        // A combining accent goes with its letter.
        let mut t = TextInput::new("Ne\u{301}o");
        t.apply(Message::Left);
        t.apply(Message::Backspace);
        assert_eq!(t.value(), "No");
        // Narrow boxes keep the cursor in view and never split a wide character.
        let t = TextInput::new("深圳市龙岗区坂田街道");
        let (shown, at) = t.view(7);
        assert!(shown.width() <= 7 && at <= 7, "{shown:?} {at}");
        assert!(shown.ends_with('道'));
    }
}
