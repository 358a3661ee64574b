//! A one-line text box (the list filters, the export path prompt): it
//! takes the editing messages and says what became of them.

use super::message::Message;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
}

/// What an editing message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Accepted,
    Cancelled,
    /// Not an editing message.
    Ignored,
}

impl TextInput {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }

    pub fn apply(&mut self, msg: Message) -> Edit {
        match msg {
            Message::Input(c) if !c.is_control() => self.text.push(c),
            Message::Backspace => {
                self.text.pop();
            }
            Message::ClearInput => self.text.clear(),
            Message::Accept => return Edit::Accepted,
            Message::Cancel => return Edit::Cancelled,
            _ => return Edit::Ignored,
        }
        Edit::Changed
    }
}

/// A list filter: the text, and whether it is being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub input: TextInput,
    pub editing: bool,
}

impl Filter {
    /// The text matched against lower-cased rows; empty matches all.
    pub fn needle(&self) -> String {
        self.input.text.trim().to_lowercase()
    }

    pub fn is_active(&self) -> bool {
        !self.input.text.trim().is_empty()
    }

    pub fn start(&mut self) {
        self.editing = true;
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
            Edit::Ignored => false,
        }
    }

    /// Stops editing and empties the filter; `true` if there was one.
    pub fn clear(&mut self) -> bool {
        self.editing = false;
        let had = !self.input.text.is_empty();
        self.input.text.clear();
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
}
