//! One generic form: fields of a few kinds (text, number, date, choice,
//! multi-choice), each checked as it is typed by the validators the
//! importers use (`model::validate`, through [`Rule`]), the message shown
//! next to the field. Tab/Shift-Tab (and ↓/↑) move between fields, Enter
//! asks to save, Esc to cancel. What saving means is the caller's
//! (`tui::forms`); the form only holds text until then, so nothing is
//! written before Enter and everything is written by it.

mod rule;
pub mod view;

use chrono::NaiveDate;

pub use rule::Rule;

use super::input::{Edit, TextInput};
use super::message::Message;

/// What a field holds and how it is edited.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Typed text, checked by its rule (numbers and dates are typed too).
    Text { input: TextInput, rule: Rule },
    /// One of a fixed list of words: ←/→ or Space cycle, a letter jumps.
    Choice { options: Vec<&'static str>, at: usize },
    /// Any of a fixed list of words: ←/→ move, Space ticks.
    Multi { options: Vec<&'static str>, on: Vec<bool>, at: usize },
    /// Shown, not edited (a supplier's code once created, the checklist).
    Fixed(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The validators' name for it (as in the CSV and the dossier).
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// What is wrong with the value, shown next to it.
    pub error: Option<String>,
    /// Edited since the form opened (defaults follow other fields until then).
    pub touched: bool,
    /// Shown under the field while it has the focus.
    pub hint: Option<&'static str>,
}

impl Field {
    fn new(key: &'static str, label: &'static str, kind: Kind) -> Self {
        Self { key, label, kind, error: None, touched: false, hint: None }
    }

    pub fn text(key: &'static str, label: &'static str, value: impl Into<String>, rule: Rule) -> Self {
        Self::new(key, label, Kind::Text { input: TextInput::new(value), rule })
    }

    pub fn date(key: &'static str, label: &'static str, value: NaiveDate) -> Self {
        Self::text(key, label, value.to_string(), Rule::Date)
    }

    /// A date that may not be after today (a visit, a lot, a closure…).
    pub fn past_date(key: &'static str, label: &'static str, value: NaiveDate) -> Self {
        Self::text(key, label, value.to_string(), Rule::PastDate)
    }

    /// A choice among `options`, starting at `selected` (the first if absent).
    pub fn choice(key: &'static str, label: &'static str, options: Vec<&'static str>, selected: &str) -> Self {
        let at = options.iter().position(|o| *o == selected).unwrap_or(0);
        Self::new(key, label, Kind::Choice { options, at })
    }

    pub fn multi(key: &'static str, label: &'static str, options: Vec<&'static str>, on: &[&str]) -> Self {
        let ticked = options.iter().map(|o| on.contains(o)).collect();
        Self::new(key, label, Kind::Multi { options, on: ticked, at: 0 })
    }

    pub fn fixed(key: &'static str, label: &'static str, value: impl Into<String>) -> Self {
        Self::new(key, label, Kind::Fixed(value.into()))
    }

    #[must_use]
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    fn focusable(&self) -> bool {
        !matches!(self.kind, Kind::Fixed(_))
    }

    /// Checks the value against its rule; `true` when it passes.
    fn validate(&mut self) -> bool {
        self.error = match &self.kind {
            Kind::Text { input, rule } => rule.check(self.key, input.value()).err(),
            _ => None,
        };
        self.error.is_none()
    }

    /// Applies an editing message; `true` when the value changed.
    fn apply(&mut self, msg: Message) -> bool {
        match &mut self.kind {
            Kind::Text { input, .. } => input.apply(msg) == Edit::Changed,
            Kind::Choice { options, at } => cycle(options, at, msg),
            Kind::Multi { on, at, .. } => tick(on, at, msg),
            Kind::Fixed(_) => false,
        }
    }
}

fn cycle(options: &[&str], at: &mut usize, msg: Message) -> bool {
    let n = options.len().max(1);
    let next = match msg {
        Message::Left => (*at + n - 1) % n,
        Message::Right | Message::Input(' ') => (*at + 1) % n,
        // A letter: the next value starting with it.
        Message::Input(c) => {
            let starts = |i: &usize| options[*i % n].starts_with(c.to_ascii_lowercase());
            match (1..=n).map(|step| (*at + step) % n).find(starts) {
                Some(i) => i,
                None => return false,
            }
        }
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

/// What a message did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    /// A field's value changed (the caller may update defaults).
    Changed,
    /// Enter, and every field is valid.
    Save,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    /// Context above the fields: whose record this is.
    pub intro: Vec<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The day `today` stands for (the app's as-of day).
    pub today: NaiveDate,
    /// A refusal that is not about one field (the database said no).
    pub notice: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, today: NaiveDate, fields: Vec<Field>) -> Self {
        let focus = fields.iter().position(Field::focusable).unwrap_or(0);
        Self { title: title.into(), intro: Vec::new(), fields, focus, today, notice: None }
    }

    #[must_use]
    pub fn intro(mut self, line: impl Into<String>) -> Self {
        self.intro.push(line.into());
        self
    }

    pub fn update(&mut self, msg: Message) -> Step {
        match msg {
            Message::NextField => self.move_focus(1),
            Message::PrevField => self.move_focus(self.fields.len().saturating_sub(1)),
            Message::Accept if self.check() => return Step::Save,
            Message::Cancel => return Step::Cancel,
            other => return self.edit(other),
        }
        Step::Stay
    }

    fn edit(&mut self, msg: Message) -> Step {
        let Some(field) = self.fields.get_mut(self.focus) else { return Step::Stay };
        if !field.apply(msg) {
            return Step::Stay;
        }
        field.touched = true;
        field.validate();
        self.notice = None;
        Step::Changed
    }

    /// Moves the focus `step` fields on (wrapping), skipping fixed ones.
    fn move_focus(&mut self, step: usize) {
        let n = self.fields.len();
        for i in 1..=n {
            let at = (self.focus + i * step) % n;
            if self.fields[at].focusable() {
                self.focus = at;
                return;
            }
        }
    }

    /// Validates every field; focuses the first refused one. `true` if all pass.
    pub fn check(&mut self) -> bool {
        let mut first_bad = None;
        for (i, field) in self.fields.iter_mut().enumerate() {
            if !field.validate() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
        }
        first_bad.is_none()
    }

    /// Refuses the value of `key` with `message` (a rule across fields, or
    /// the database's answer) and puts the focus there.
    pub fn refuse(&mut self, key: &str, message: impl Into<String>) {
        match self.fields.iter().position(|f| f.key == key) {
            Some(i) => {
                self.fields[i].error = Some(message.into());
                self.focus = i;
            }
            None => self.notice = Some(message.into()),
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn raw(&self, key: &str) -> &str {
        match self.field(key).map(|f| &f.kind) {
            Some(Kind::Text { input, .. }) => input.value(),
            Some(Kind::Fixed(text)) => text,
            _ => "",
        }
    }

    /// A text field's value, trimmed.
    pub fn text(&self, key: &str) -> String {
        self.raw(key).trim().to_owned()
    }

    /// A text field's value, trimmed; `None` when blank.
    pub fn opt_text(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|t| !t.is_empty())
    }

    /// A date field's day (`today` resolved); `None` when not a date.
    pub fn date(&self, key: &str) -> Option<NaiveDate> {
        rule::day(self.raw(key), self.today)
    }

    /// A number field's value; `None` when blank or not a count.
    pub fn count(&self, key: &str) -> Option<u32> {
        let raw = self.raw(key);
        (!raw.trim().is_empty()).then(|| crate::model::validate::count(key, raw).ok()).flatten()
    }

    /// A defects field's (code, count) pairs, sorted by code.
    pub fn defects(&self, key: &str) -> Vec<(String, u32)> {
        rule::defects(key, self.raw(key)).unwrap_or_default()
    }

    /// A choice field's word.
    pub fn choice(&self, key: &str) -> &'static str {
        match self.field(key).map(|f| &f.kind) {
            Some(Kind::Choice { options, at }) => options.get(*at).copied().unwrap_or_default(),
            _ => "",
        }
    }

    /// A multi-choice field's ticked words.
    pub fn ticked(&self, key: &str) -> Vec<&'static str> {
        match self.field(key).map(|f| &f.kind) {
            Some(Kind::Multi { options, on, .. }) => {
                options.iter().zip(on).filter(|(_, on)| **on).map(|(o, _)| *o).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Replaces a text field's value unless the user has edited it (a
    /// default that follows another field, such as a finding's due date).
    pub fn follow(&mut self, key: &str, value: &str) {
        if let Some(field) = self.fields.iter_mut().find(|f| f.key == key && !f.touched)
            && let Kind::Text { input, .. } = &mut field.kind
        {
            input.set(value);
            field.error = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
    }

    fn form() -> Form {
        Form::new(
            "Test",
            day(),
            vec![
                Field::fixed("template", "Checklist", "odm-capability/1"),
                Field::text("name", "Name", "", Rule::Text(200)),
                Field::text("started", "Started", "", Rule::Count),
                Field::date("produced_on", "Produced", day()),
                Field::choice("kind", "Kind", vec!["on_site", "desk_review"], "desk_review"),
                Field::multi("models", "Models", vec!["oem", "odm"], &["odm"]),
            ],
        )
    }

    fn type_text(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.update(Message::Input(c));
        }
    }

    #[test]
    fn fields_check_as_they_are_typed() {
        let mut f = form();
        assert_eq!(f.focus, 1, "fixed fields take no focus");
        type_text(&mut f, "厦门");
        assert_eq!(f.text("name"), "厦门");
        f.update(Message::NextField);
        type_text(&mut f, "-3");
        assert!(f.fields[2].error.as_deref().unwrap().contains("negative"), "{:?}", f.fields[2].error);
        f.update(Message::ClearInput);
        type_text(&mut f, "1200");
        assert_eq!((f.fields[2].error.as_ref(), f.count("started")), (None, Some(1200)));
        f.update(Message::NextField);
        f.update(Message::ClearInput);
        type_text(&mut f, "today");
        assert_eq!(f.date("produced_on"), Some(day()));
        f.update(Message::ClearInput);
        type_text(&mut f, "2026-02-30");
        assert!(f.fields[3].error.as_deref().unwrap().contains("real calendar date"));
        assert_eq!(f.update(Message::Accept), Step::Stay);
        assert_eq!(f.focus, 3);
    }

    #[test]
    fn enter_refuses_blank_required_fields_and_focuses_the_first() {
        let mut f = form();
        f.update(Message::NextField);
        assert_eq!(f.update(Message::Accept), Step::Stay);
        assert_eq!(f.focus, 1);
        assert!(f.fields[1].error.as_deref().unwrap().contains("required"));
        assert_eq!(f.update(Message::Cancel), Step::Cancel);
    }

    #[test]
    fn choices_cycle_and_jump_by_letter_and_multis_tick() {
        let mut f = form();
        f.focus = 4;
        assert_eq!(f.choice("kind"), "desk_review");
        f.update(Message::Right);
        assert_eq!(f.choice("kind"), "on_site");
        f.update(Message::Input('d'));
        assert_eq!(f.choice("kind"), "desk_review");
        f.update(Message::NextField);
        assert_eq!(f.ticked("models"), ["odm"]);
        f.update(Message::Input(' '));
        assert_eq!(f.ticked("models"), ["oem", "odm"]);
        f.update(Message::Right);
        f.update(Message::Input(' '));
        assert_eq!(f.ticked("models"), ["oem"]);
        // Tab wraps past the fixed field.
        f.update(Message::NextField);
        assert_eq!(f.focus, 1);
        f.update(Message::PrevField);
        assert_eq!(f.focus, 5);
    }

    #[test]
    fn defaults_follow_until_the_field_is_edited() {
        let mut f = form();
        f.follow("started", "7");
        assert_eq!(f.count("started"), Some(7));
        f.focus = 2;
        type_text(&mut f, "0");
        f.follow("started", "9");
        assert_eq!(f.count("started"), Some(70));
        f.refuse("started", "is more than you think");
        assert_eq!(f.fields[2].error.as_deref(), Some("is more than you think"));
    }
}
