//! Cursors over long content shown through a window of rows. Drawing only
//! reads them, except for noting the window's height (a `Cell`), which the
//! next page-up or page-down needs; so a list of 5,000 rows draws only the
//! rows in view.

use std::cell::Cell;
use std::ops::Range;

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
