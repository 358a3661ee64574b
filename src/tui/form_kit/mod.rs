//! The generic form widget: entries of a few kinds (text, number, date,
//! choice, multi-choice, read-only), each checked as it is typed by the
//! validators the importers use (`exchange::validate`, through [`Rule`]),
//! the message shown next to the entry. Tab/Shift-Tab (and ↓/↑) move
//! through exactly the entries shown, read-only ones included (they say so
//! when focused); Enter asks to save, Esc to cancel. What saving means is
//! the caller's (`tui::record_forms`); the form only holds text until then,
//! so nothing is written before Enter and everything is written by it.
//!
//! Entries are named by [`Field`] and read back typed: `form.choice::<FindingSeverity>(Field::Severity)`.

mod entry;
mod field;
mod rule;
pub mod view;

use chrono::NaiveDate;

pub use entry::{Entry, Kind};
pub use field::Field;
pub use rule::Rule;

use super::message::Message;
use crate::model::Word;

/// What a message (or a paste) did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    /// An entry's value changed (the caller may update defaults).
    Changed,
    /// Enter, and every entry is valid.
    Save,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    /// Context above the entries: whose record this is.
    pub intro: Vec<String>,
    pub entries: Vec<Entry>,
    pub focus: usize,
    /// The day `today` stands for (the app's as-of day).
    pub today: NaiveDate,
    /// A refusal that is not about one entry (the database said no), or why
    /// a key or a paste did nothing.
    pub notice: Option<String>,
}

impl Form {
    /// A form focused on its first editable entry.
    pub fn new(title: impl Into<String>, today: NaiveDate, entries: Vec<Entry>) -> Self {
        let focus = entries.iter().position(|e| !matches!(e.kind, Kind::Fixed(_))).unwrap_or(0);
        Self { title: title.into(), intro: Vec::new(), entries, focus, today, notice: None }
    }

    #[must_use]
    pub fn intro(mut self, line: impl Into<String>) -> Self {
        self.intro.push(line.into());
        self
    }

    pub fn update(&mut self, msg: Message) -> Step {
        match msg {
            Message::NextField => self.move_focus(1),
            Message::PrevField => self.move_focus(self.entries.len().saturating_sub(1)),
            Message::Accept if self.check() => return Step::Save,
            Message::Cancel => return Step::Cancel,
            other => return self.edit(other),
        }
        self.notice = None;
        Step::Stay
    }

    fn edit(&mut self, msg: Message) -> Step {
        self.change_focused(|entry| entry.apply(msg))
    }

    /// Pasted text: into the focused text entry whole (line breaks only
    /// where the entry takes several lines); anywhere else it is refused,
    /// saying why, and nothing changes.
    pub fn paste(&mut self, text: &str) -> Step {
        self.change_focused(|entry| entry.paste(text).map(|()| true))
    }

    /// Applies `change` to the focused entry: `Ok(true)` if its value
    /// changed (checked again), `Err(why)` shown when it could not.
    fn change_focused(&mut self, change: impl FnOnce(&mut Entry) -> Result<bool, String>) -> Step {
        let Some(entry) = self.entries.get_mut(self.focus) else { return Step::Stay };
        match change(entry) {
            Ok(false) => Step::Stay,
            Ok(true) => {
                entry.touched = true;
                entry.validate();
                self.notice = None;
                Step::Changed
            }
            Err(why) => {
                self.notice = Some(why);
                Step::Stay
            }
        }
    }

    /// Moves the focus `step` entries on, wrapping: through every entry
    /// shown, in order, so the number of Tabs matches what the eye counts.
    fn move_focus(&mut self, step: usize) {
        let n = self.entries.len().max(1);
        self.focus = (self.focus + step) % n;
    }

    /// Validates every entry; focuses the first refused one. `true` if all pass.
    pub fn check(&mut self) -> bool {
        let mut first_bad = None;
        for (i, entry) in self.entries.iter_mut().enumerate() {
            if !entry.validate() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
        }
        first_bad.is_none()
    }

    /// Refuses the value of `field` with `message` (a rule across entries,
    /// or the database's answer) and puts the focus there; without a field
    /// (or one this form lacks), the message goes at the bottom.
    pub fn refuse(&mut self, field: Option<Field>, message: impl Into<String>) {
        match field.and_then(|f| self.position(f)) {
            Some(i) => {
                self.entries[i].error = Some(message.into());
                self.focus = i;
            }
            None => self.notice = Some(message.into()),
        }
    }

    fn position(&self, field: Field) -> Option<usize> {
        self.entries.iter().position(|e| e.id == field)
    }

    pub fn entry(&self, field: Field) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == field)
    }

    /// The entry with the focus.
    pub fn focused(&self) -> Option<&Entry> {
        self.entries.get(self.focus)
    }

    fn raw(&self, field: Field) -> &str {
        match self.entry(field).map(|e| &e.kind) {
            Some(Kind::Text { input, .. }) => input.value(),
            Some(Kind::Fixed(text)) => text,
            _ => "",
        }
    }

    /// A text entry's value, trimmed.
    pub fn text(&self, field: Field) -> String {
        self.raw(field).trim().to_owned()
    }

    /// A text entry's value, trimmed; `None` when blank.
    pub fn opt_text(&self, field: Field) -> Option<String> {
        Some(self.text(field)).filter(|t| !t.is_empty())
    }

    /// A date entry's day (`today` resolved); `None` when not a date.
    pub fn date(&self, field: Field) -> Option<NaiveDate> {
        rule::day(self.raw(field), self.today)
    }

    /// A number entry's value; `None` when blank or not a count.
    pub fn count(&self, field: Field) -> Option<u32> {
        let raw = self.raw(field);
        (!raw.trim().is_empty()).then(|| crate::exchange::validate::count(field.key(), raw).ok()).flatten()
    }

    /// A defects entry's (code, count) pairs, sorted by code.
    pub fn defects(&self, field: Field) -> Vec<(String, u32)> {
        rule::defects(field.key(), self.raw(field)).unwrap_or_default()
    }

    /// A choice entry's value as its vocabulary type.
    pub fn choice<T: Word>(&self, field: Field) -> Option<T> {
        match self.entry(field).map(|e| &e.kind) {
            Some(Kind::Choice { options, at }) => options.get(*at).and_then(|w| T::from_word(w)),
            _ => None,
        }
    }

    /// A multi-choice entry's ticked values as their vocabulary type.
    pub fn ticked<T: Word>(&self, field: Field) -> Vec<T> {
        match self.entry(field).map(|e| &e.kind) {
            Some(Kind::Multi { options, on, .. }) => {
                options.iter().zip(on).filter(|(_, on)| **on).filter_map(|(o, _)| T::from_word(o)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Replaces a text entry's value unless the user has edited it (a
    /// default that follows another entry, such as a finding's due date).
    pub fn follow(&mut self, field: Field, value: &str) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.id == field && !e.touched)
            && let Kind::Text { input, .. } = &mut entry.kind
        {
            input.set(value);
            entry.error = None;
        }
    }
}

#[cfg(test)]
mod tests;
