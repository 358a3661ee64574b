//! Cursors over long content shown through a window of rows. Drawing only
//! reads them, except for noting the window's height (a `Cell`), which the
//! next page-up or page-down needs; so a list of 5,000 rows draws only the
//! rows in view. Also the small moves the screens share: cycling a filter's
//! value and switching panes.

use std::cell::Cell;
use std::ops::Range;

use super::input::Filter;
use super::message::Message;

/// Rows the mouse wheel moves.
const WHEEL_STEP: usize = 3;

/// A selected row in a list, and the first row in view.
#[derive(Debug, Default)]
pub struct Cursor {
    selected: usize,
    offset: usize,
    len: usize,
    viewport: Cell<usize>,
}

impl Cursor {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn selected(&self) -> Option<usize> {
        (self.len > 0).then_some(self.selected)
    }

    /// The list changed length: keep the selection inside it.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
        self.selected = self.selected.min(len.saturating_sub(1));
        self.keep_visible();
    }

    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.len.saturating_sub(1));
        self.keep_visible();
    }

    /// The item selected in `view`, the list this cursor runs over.
    pub fn selected_in<T: Copy>(&self, view: &[T]) -> Option<T> {
        self.selected().and_then(|i| view.get(i).copied())
    }

    /// The list was rebuilt as `view` (sorted or filtered again): keeps
    /// `before` (from [`Cursor::selected_in`] on the old list) selected
    /// when it is still in the list, else goes to the top.
    pub fn keep<T: PartialEq>(&mut self, before: Option<T>, view: &[T]) {
        self.set_len(view.len());
        let position = before.and_then(|item| view.iter().position(|x| *x == item));
        self.select(position.unwrap_or(0));
    }

    /// Moves for a movement message; `false` when `msg` is not one.
    pub fn apply(&mut self, msg: Message) -> bool {
        let Some(target) = step(self.selected, self.page(), msg) else { return false };
        self.select(target);
        true
    }

    fn page(&self) -> usize {
        self.viewport.get().max(1)
    }

    fn keep_visible(&mut self) {
        self.offset = visible_offset(self.offset, self.selected, self.viewport.get(), self.len);
    }

    /// The rows to draw in a window `height` rows high (and notes the height).
    pub fn window(&self, height: usize) -> Range<usize> {
        self.viewport.set(height);
        let offset = visible_offset(self.offset, self.selected, height, self.len);
        offset..(offset + height).min(self.len)
    }
}

/// A list that `/` filters: the items shown (indices into the caller's
/// items, in order) and a cursor over them. The caller says what an item
/// says ([`Listing::refilter`]); rows are drawn from [`Listing::shown`].
#[derive(Debug, Default)]
pub struct Listing {
    pub cursor: Cursor,
    pub filter: Filter,
    shown: Vec<usize>,
    len: usize,
}

/// What a message did to a [`Listing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// It was the listing's (a move, the filter).
    Handled,
    /// The filter text changed: call [`Listing::refilter`].
    Refilter,
    /// Not the listing's.
    Ignored,
}

impl Listing {
    /// Whether the filter is being typed (keys type into it).
    pub fn typing(&self) -> bool {
        self.filter.editing
    }

    /// The list now has `len` items; shows those `matches` lets through
    /// (`matches(i, needle)`, the needle lower case), keeping the selected
    /// item selected when it is still shown.
    pub fn refilter(&mut self, len: usize, matches: impl Fn(usize, &str) -> bool) {
        let before = self.selected();
        let needle = self.filter.needle();
        self.len = len;
        self.shown = (0..len).filter(|i| needle.is_empty() || matches(*i, &needle)).collect();
        self.cursor.keep(before, &self.shown);
    }

    /// Moves, starts the filter, types into it or clears it.
    pub fn apply(&mut self, msg: Message) -> Listed {
        if self.filter.editing {
            return if self.filter.apply(msg) { Listed::Refilter } else { Listed::Handled };
        }
        match msg {
            Message::StartFilter => {
                self.filter.start();
                Listed::Handled
            }
            Message::Back if self.filter.clear() => Listed::Refilter,
            other if self.cursor.apply(other) => Listed::Handled,
            _ => Listed::Ignored,
        }
    }

    /// Pasted text into the filter being typed; `true` when it changed.
    pub fn paste(&mut self, text: &str) -> bool {
        self.filter.paste(text)
    }

    /// The selected item (an index into the caller's items).
    pub fn selected(&self) -> Option<usize> {
        self.cursor.selected_in(&self.shown)
    }

    /// Selects `item` if it is shown.
    pub fn select_item(&mut self, item: usize) {
        if let Some(at) = self.shown.iter().position(|i| *i == item) {
            self.cursor.select(at);
        }
    }

    /// The items shown, in order.
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    /// Items in the whole list (shown or not).
    pub fn total(&self) -> usize {
        self.len
    }

    /// The items in a window `height` rows high, each with whether it is selected.
    pub fn window(&self, height: usize) -> impl Iterator<Item = (usize, bool)> + '_ {
        let selected = self.cursor.selected();
        self.cursor.window(height).map(move |at| (self.shown[at], Some(at) == selected))
    }

    /// The selected position among the items shown.
    pub fn position(&self) -> Option<usize> {
        self.cursor.selected()
    }
}

/// Where a movement message takes a position (`None`: not a movement).
fn step(at: usize, page: usize, msg: Message) -> Option<usize> {
    Some(match msg {
        Message::Up => at.saturating_sub(1),
        Message::Down => at.saturating_add(1),
        Message::PageUp => at.saturating_sub(page),
        Message::PageDown => at.saturating_add(page),
        Message::WheelUp => at.saturating_sub(WHEEL_STEP),
        Message::WheelDown => at.saturating_add(WHEEL_STEP),
        Message::Home => 0,
        Message::End => usize::MAX,
        _ => return None,
    })
}

/// The next value after `current` (none → the first; the last → none: all).
pub fn cycle<T: Clone + PartialEq>(values: &[T], current: Option<&T>) -> Option<T> {
    match current {
        None => values.first().cloned(),
        Some(v) => values.iter().skip_while(|x| *x != v).nth(1).cloned(),
    }
}

/// The pane of `panes` a pane message leads to from `current`: the next or
/// the previous one (wrapping around), or the one numbered (from 1), when
/// there is one; else `current`.
pub fn switch_pane<T: Copy + PartialEq>(panes: &[T], current: T, msg: Message) -> T {
    let n = panes.len();
    let at = panes.iter().position(|p| *p == current).unwrap_or_default();
    match msg {
        Message::NextPane => panes[(at + 1) % n],
        Message::PrevPane => panes[(at + n - 1) % n],
        Message::Pane(k) => panes.get(usize::from(k).wrapping_sub(1)).copied().unwrap_or(current),
        _ => current,
    }
}

/// The first row in view: the old one if the selection is still in view,
/// else just enough to bring it in; never past the end.
fn visible_offset(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return selected;
    }
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

/// A page of text scrolled by lines (the audit view, the help overlay).
#[derive(Debug, Default)]
pub struct Scroll {
    top: usize,
    /// Lines of content and window height, as last drawn.
    extent: Cell<(usize, usize)>,
}

impl Scroll {
    pub fn apply(&mut self, msg: Message) -> bool {
        let (lines, height) = self.extent.get();
        let Some(target) = step(self.top, height.max(1), msg) else { return false };
        self.top = target.min(lines.saturating_sub(height));
        true
    }

    /// The first line to draw, for `lines` of content in `height` rows.
    pub fn top(&self, lines: usize, height: usize) -> usize {
        self.extent.set((lines, height));
        self.top.min(lines.saturating_sub(height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(len: usize, height: usize) -> Cursor {
        let mut c = Cursor::default();
        c.set_len(len);
        let _ = c.window(height);
        c
    }

    #[test]
    fn moving_down_scrolls_only_past_the_window() {
        let mut c = cursor(100, 10);
        for _ in 0..9 {
            c.apply(Message::Down);
        }
        assert_eq!(c.window(10), 0..10);
        c.apply(Message::Down);
        assert_eq!(c.window(10), 1..11);
        c.apply(Message::PageDown);
        assert_eq!(c.selected(), Some(20));
        c.apply(Message::End);
        assert_eq!((c.selected(), c.window(10)), (Some(99), 90..100));
        c.apply(Message::Home);
        assert_eq!((c.selected(), c.window(10)), (Some(0), 0..10));
    }

    #[test]
    fn a_shrinking_list_keeps_the_selection_inside() {
        let mut c = cursor(100, 10);
        c.apply(Message::End);
        c.set_len(5);
        assert_eq!((c.selected(), c.window(10)), (Some(4), 0..5));
        c.set_len(0);
        assert_eq!((c.selected(), c.window(10)), (None, 0..0));
        assert!(!c.apply(Message::Open));
    }

    #[test]
    fn a_taller_window_shows_more_without_moving_the_selection() {
        let mut c = cursor(100, 10);
        c.apply(Message::End);
        assert_eq!(c.window(40), 60..100);
    }

    #[test]
    fn keep_follows_the_selected_item_into_the_rebuilt_list() {
        let mut c = cursor(4, 10);
        let view = [10, 11, 12, 13];
        c.select(2);
        let before = c.selected_in(&view);
        assert_eq!(before, Some(12));
        c.keep(before, &[13, 12, 11, 10]);
        assert_eq!(c.selected(), Some(1));
        c.keep(Some(12), &[10, 11]);
        assert_eq!(c.selected(), Some(0));
        c.keep(Some(12), &[]);
        assert_eq!(c.selected(), None);
    }

    #[test]
    fn cycling_goes_through_every_value_then_back_to_all() {
        let values = ["a".to_owned(), "b".to_owned()];
        let mut at = None;
        let mut seen = Vec::new();
        for _ in 0..3 {
            at = cycle(&values, at.as_ref());
            seen.push(at.clone());
        }
        assert_eq!(seen, [Some("a".to_owned()), Some("b".to_owned()), None]);
    }

    #[test]
    fn pane_messages_wrap_around_and_numbers_pick() {
        let panes = ['a', 'b', 'c'];
        assert_eq!(switch_pane(&panes, 'c', Message::NextPane), 'a');
        assert_eq!(switch_pane(&panes, 'a', Message::PrevPane), 'c');
        assert_eq!(switch_pane(&panes, 'a', Message::Pane(2)), 'b');
        assert_eq!(switch_pane(&panes, 'a', Message::Pane(4)), 'a');
        assert_eq!(switch_pane(&panes, 'b', Message::Pane(0)), 'b');
        assert_eq!(switch_pane(&panes, 'b', Message::Down), 'b');
    }

    #[test]
    fn scroll_stops_at_the_last_page() {
        let mut s = Scroll::default();
        assert_eq!(s.top(30, 10), 0);
        s.apply(Message::PageDown);
        s.apply(Message::PageDown);
        s.apply(Message::PageDown);
        assert_eq!(s.top(30, 10), 20);
        s.apply(Message::Up);
        assert_eq!(s.top(30, 10), 19);
    }
}
