//! The frame around the screens: the tab bar (with the path of opened
//! screens, the team hub's status when one is set, and the as-of day) on
//! top, the footer of main keys below, and the popup over everything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::app::{App, Tab};
use super::catalog::Assessing;
use super::screens::View;
use unicode_width::UnicodeWidthStr;

pub fn render(app: &App, frame: &mut Frame, view: View<'_>) {
    let [top, body, foot] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(frame.area());
    render_tabs(app, frame, top, view);
    render_body(app, frame, body, view);
    render_footer(app, frame, foot, view);
    if let Some(popup) = &app.popup {
        popup.render(frame, body, view.theme);
    }
}

fn render_body(app: &App, frame: &mut Frame, area: Rect, view: View<'_>) {
    if let Some(front) = app.front() {
        front.render(frame, area, view);
    }
}

fn render_tabs(app: &App, frame: &mut Frame, area: Rect, view: View<'_>) {
    let theme = view.theme;
    let mut spans = Vec::new();
    for tab in Tab::ALL {
        spans.push(Span::styled("│", theme.border()));
        let mut title = match tab {
            Tab::Flags if view.catalog.assessing == Assessing::Running => format!(" {} (…) ", tab.title()),
            Tab::Flags => format!(" {} ({}) ", tab.title(), view.catalog.flag_total()),
            Tab::Shortlist => format!(" {} ({}) ", tab.title(), view.catalog.marked.len()),
            Tab::Suppliers => format!(" {} ", tab.title()),
        };
        if tab == app.tab {
            for screen in app.stack().iter().skip(1) {
                title = format!("{title}› {} ", screen.title());
            }
            spans.push(Span::styled(title, theme.active_tab()));
        } else {
            spans.push(Span::styled(title, theme.dim()));
        }
    }
    // When the path of opened screens is long, the name goes first, then
    // the hub's status, then the day.
    let brand = Span::styled(" casebook ", theme.title());
    let day = format!("  as of {} ", view.as_of);
    let hub = app.hub_words().map(|words| format!("  {words} │"));
    let room = usize::from(area.width);
    let tabs = Line::from(spans.clone()).width();
    let hub_width = hub.as_ref().map_or(0, |h| h.width());
    if tabs + brand.width() + hub_width + day.width() <= room {
        spans.insert(0, brand);
    }
    let right = match hub {
        Some(hub) if tabs + hub.width() + day.width() <= room => format!("{hub}{day}"),
        _ => day,
    };
    if tabs + right.width() <= room {
        frame.render_widget(Line::styled(right, theme.dim()).right_aligned(), area);
    }
    frame.render_widget(Line::from(spans), area);
}

/// The main keys of the key map in force, as many as fit; the last two
/// (help and quit, from the global table) always.
fn render_footer(app: &App, frame: &mut Frame, area: Rect, view: View<'_>) {
    let theme = view.theme;
    let entries = app.keymap().footer();
    let width = |(keys, help): &(String, &str)| keys.width() + help.width() + 3;
    let (screen, always) = entries.split_at(entries.len().saturating_sub(2));
    let mut room = usize::from(area.width).saturating_sub(always.iter().map(width).sum());
    let mut shown: Vec<&(String, &str)> = Vec::new();
    for entry in screen {
        if width(entry) > room {
            break;
        }
        room -= width(entry);
        shown.push(entry);
    }
    shown.extend(always);
    let spans = shown
        .into_iter()
        .flat_map(|(keys, help)| [Span::styled(format!(" {keys}"), theme.key()), Span::raw(format!(" {help} "))]);
    frame.render_widget(Line::from(spans.collect::<Vec<_>>()), area);
}
