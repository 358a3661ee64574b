//! One entry of a form: its name, label, kind and current value, checked
//! by its rule; how keys and pastes change it, and why they may not.

use chrono::NaiveDate;

use super::field::Field;
use super::rule::Rule;
use crate::model::Word;
use crate::tui::input::{Edit, TextInput};
use crate::tui::message::Message;

/// What an entry holds and how it is edited.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Typed text, checked by its rule (numbers and dates are typed too).
    Text { input: TextInput, rule: Rule },
    /// One of a fixed list of words: only ←/→ change it.
    Choice { options: Vec<&'static str>, at: usize },
    /// Any of a fixed list of words: ←/→ move, Space ticks.
    Multi { options: Vec<&'static str>, on: Vec<bool>, at: usize },
    /// Shown and focusable, not edited (a supplier's code once created, the checklist).
    Fixed(String),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: Field,
    pub label: &'static str,
    pub kind: Kind,
    /// What is wrong with the value, shown next to it.
    pub error: Option<String>,
    /// Edited since the form opened (defaults follow other entries until then).
    pub touched: bool,
    /// Shown under the entry while it has the focus.
    pub hint: Option<&'static str>,
}

impl Entry {
    fn new(id: Field, label: &'static str, kind: Kind) -> Self {
        Self { id, label, kind, error: None, touched: false, hint: None }
    }

    pub fn text(id: Field, label: &'static str, value: impl Into<String>, rule: Rule) -> Self {
        Self::new(id, label, Kind::Text { input: TextInput::new(value), rule })
    }

    pub fn date(id: Field, label: &'static str, value: NaiveDate) -> Self {
        Self::text(id, label, value.to_string(), Rule::Date)
    }

    /// A choice among every word of `T`, starting at `selected` (the first if absent).
    pub fn choice<T: Word>(id: Field, label: &'static str, selected: Option<T>) -> Self {
        Self::choice_of(id, label, T::WORDS, selected)
    }

    /// A choice among `options`, in this order.
    pub fn choice_of<T: Word>(id: Field, label: &'static str, options: &[T], selected: Option<T>) -> Self {
        let at = selected.and_then(|s| options.iter().position(|o| *o == s)).unwrap_or(0);
        Self::new(id, label, Kind::Choice { options: options.iter().map(|o| o.word()).collect(), at })
    }

    pub fn multi<T: Word>(id: Field, label: &'static str, on: &[T]) -> Self {
        let options: Vec<&'static str> = T::WORDS.iter().map(|w| w.word()).collect();
        let ticked = T::WORDS.iter().map(|w| on.contains(w)).collect();
        Self::new(id, label, Kind::Multi { options, on: ticked, at: 0 })
    }

    pub fn fixed(id: Field, label: &'static str, value: impl Into<String>) -> Self {
        Self::new(id, label, Kind::Fixed(value.into()))
    }

    #[must_use]
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// The text entry's rule, if it is one.
    pub fn rule(&self) -> Option<Rule> {
        match &self.kind {
            Kind::Text { rule, .. } => Some(*rule),
            _ => None,
        }
    }

    /// Checks the value against its rule; `true` when it passes.
    pub(super) fn validate(&mut self) -> bool {
        self.error = match &self.kind {
            Kind::Text { input, rule } => rule.check(self.id.key(), input.value()).err(),
            _ => None,
        };
        self.error.is_none()
    }

    /// Applies an editing message: `Ok(true)` when the value changed,
    /// `Err(why)` when the key cannot act here (typing into a choice).
    pub(super) fn apply(&mut self, msg: Message) -> Result<bool, String> {
        match &mut self.kind {
            Kind::Text { input, .. } => Ok(input.apply(msg) == Edit::Changed),
            Kind::Choice { options, at } => match msg {
                Message::Left | Message::Right => Ok(cycle(options.len(), at, msg)),
                Message::Input(_) => {
                    Err(format!("{} is a choice: ←/→ change it (typing and Space do not).", self.label))
                }
                _ => Ok(false),
            },
            Kind::Multi { on, at, .. } => Ok(tick(on, at, msg)),
            Kind::Fixed(_) => match msg {
                Message::Input(_) | Message::Backspace | Message::Delete | Message::ClearInput => {
                    Err(format!("{} is fixed here and cannot be edited; Tab moves on.", self.label))
                }
                _ => Ok(false),
            },
        }
    }

    /// Inserts pasted text whole at the cursor; line breaks only where the
    /// entry takes several lines. `Err(why)` and no change otherwise.
    pub(super) fn paste(&mut self, text: &str) -> Result<(), String> {
        let label = self.label;
        let Kind::Text { input, rule } = &mut self.kind else {
            return Err(format!("The paste was not used: {label} is not a text field (Tab to one, then paste)."));
        };
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        if !rule.multiline() && text.contains('\n') {
            // A single trailing line break (copied with the line) is dropped.
            let one = text.strip_suffix('\n').filter(|t| !t.contains('\n'));
            let Some(one) = one else {
                return Err(format!(
                    "The paste was not used: it has several lines, and {label} takes one line. Paste one line."
                ));
            };
            input.insert(one);
            return Ok(());
        }
        input.insert(&text);
        Ok(())
    }
}

/// ←/→ through `n` options, wrapping; `true` when it moved.
fn cycle(n: usize, at: &mut usize, msg: Message) -> bool {
    let n = n.max(1);
    let next = match msg {
        Message::Left => (*at + n - 1) % n,
        Message::Right => (*at + 1) % n,
        _ => return false,
    };
    let changed = next != *at;
    *at = next;
    changed
}

fn tick(on: &mut [bool], at: &mut usize, msg: Message) -> bool {
    match msg {
        Message::Left => *at = at.saturating_sub(1),
        Message::Right => *at = (*at + 1).min(on.len().saturating_sub(1)),
        Message::Input(' ') => {
            if let Some(v) = on.get_mut(*at) {
                *v = !*v;
                return true;
            }
        }
        _ => {}
    }
    false
}
