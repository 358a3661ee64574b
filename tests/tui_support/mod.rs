//! Shared by the UI tests: the app on the demo data (built exactly as
//! `casebook demo` builds it, assessed synchronously, as of 2026-11-15), key
//! presses from a compact script, and the screen as text from `TestBackend`.

#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use casebook::cli::{DEMO_AS_OF, create_demo};
use casebook::store::{OpenMode, Store};
use casebook::tui::{App, Loading, Options, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

/// A temporary directory holding the demo database and receiving exports.
pub struct Demo {
    pub dir: tempfile::TempDir,
}

impl Demo {
    /// A fresh copy of the demo database (imported once per test process).
    pub fn new() -> Self {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        let bytes = BYTES.get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("demo.db");
            // Closing the only connection checkpoints the WAL into the file.
            drop(create_demo(&path, "tester").expect("demo database"));
            std::fs::read(&path).expect("read demo database")
        });
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("demo.db"), bytes).expect("copy demo database");
        let demo = Self { dir };
        // A copied file takes its own installation tag when first opened.
        drop(demo.store());
        demo
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("demo.db")
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db(), OpenMode::Existing).expect("open demo database")
    }

    /// The app, plain (`NO_COLOR`) so that snapshots are only text.
    pub fn app(&self) -> App {
        self.app_with(Theme::plain())
    }

    pub fn app_with(&self, theme: Theme) -> App {
        App::new(self.store(), options(theme, self.dir.path())).expect("app")
    }
}

pub fn options(theme: Theme, export_dir: &Path) -> Options {
    Options {
        as_of: DEMO_AS_OF,
        actor: "tester".to_owned(),
        theme,
        loading: Loading::Blocking,
        export_dir: export_dir.to_owned(),
    }
}

/// The sizes every snapshot is taken at: the smallest supported terminal and a roomy one.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The screen after `script`, then `then(&mut app, &demo)`, played at each
/// of [`SIZES`] on its own copy of the demo database: `("{w}x{h}", screen)`.
/// `[TMP]` in `script` stands for the demo's directory, and the screen shows
/// it as `[TMP]` too; history times are masked ([`mask_times`]).
pub fn screens_after(script: &str, then: impl Fn(&mut App, &Demo)) -> Vec<(String, String)> {
    SIZES
        .iter()
        .map(|&(w, h)| {
            let demo = Demo::new();
            let mut app = demo.app();
            let dir = demo.dir.path().display().to_string();
            press_at(&mut app, &script.replace("[TMP]", &dir), (w, h));
            then(&mut app, &demo);
            let screen = text(&app, w, h).replace(&dir, "[TMP]");
            (format!("{w}x{h}"), mask_tag(&mask_times(&screen), &demo))
        })
        .collect()
}

/// Snapshots the app after `script` and then `then` (given the app and the
/// demo), as [`screens_after`] draws it, under `{name}_{w}x{h}`.
///
/// A macro rather than a function so that insta names and stores each
/// snapshot as the calling test file's own (`tests/snapshots/<file>__…`).
/// The expression insta records in a snapshot's header is the calling
/// file's `SNAPSHOT_EXPRESSION`, the one its snapshots were recorded with,
/// so they also pass `--require-full-match`.
#[allow(unused_macros)] // each test crate uses a different subset
macro_rules! snap_then {
    ($name:expr, $script:expr, $then:expr $(,)?) => {
        for (size, screen) in $crate::tui_support::screens_after($script, $then) {
            insta::assert_snapshot!(format!("{}_{size}", $name), screen, SNAPSHOT_EXPRESSION);
        }
    };
}

/// [`snap_then!`] with nothing after the script.
#[allow(unused_macros)] // each test crate uses a different subset
macro_rules! snap {
    ($name:expr, $script:expr $(,)?) => {
        $crate::tui_support::snap_then!($name, $script, |_, _| {})
    };
}

#[allow(unused_imports)] // each test crate uses a different subset
pub(crate) use {snap, snap_then};

/// An app on an empty database in memory.
pub fn empty_app() -> App {
    let store = Store::open_in_memory().expect("memory store");
    App::new(store, options(Theme::plain(), Path::new("."))).expect("app")
}

/// Draws the app on a `width` × `height` test terminal.
pub fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| app.render(frame)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen as lines of text, trailing blanks removed.
pub fn text(app: &App, width: u16, height: u16) -> String {
    let buffer = draw(app, width, height);
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Presses keys from a script, drawing on a 120 × 40 terminal after each
/// key as the real loop does (page keys move by what was last drawn).
pub fn press(app: &mut App, script: &str) {
    press_at(app, script, (120, 40));
}

/// Presses keys from a script: plain characters, and `<Enter>`, `<Esc>`,
/// `<Tab>`, `<S-Tab>`, `<Up>`, `<Down>`, `<Left>`, `<Right>`, `<PgUp>`,
/// `<PgDn>`, `<Home>`, `<End>`, `<BS>`, `<Del>`, `<C-u>`, `<C-s>`, `<WheelDown>`, `<WheelUp>`;
/// draws at `size` after each.
pub fn press_at(app: &mut App, script: &str, (width, height): (u16, u16)) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        let event = if let Some(end) = rest.find('>').filter(|_| c == '<') {
            let event = named(&rest[1..end]);
            rest = &rest[end + 1..];
            event
        } else {
            rest = &rest[c.len_utf8()..];
            let mods = if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            Event::Key(KeyEvent::new(KeyCode::Char(c), mods))
        };
        app.handle_event(&event);
        terminal.draw(|frame| app.render(frame)).expect("draw");
    }
}

fn named(name: &str) -> Event {
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let wheel = |kind| Event::Mouse(MouseEvent { kind, column: 10, row: 10, modifiers: KeyModifiers::NONE });
    match name {
        "Enter" => key(KeyCode::Enter),
        "Esc" => key(KeyCode::Esc),
        "Tab" => key(KeyCode::Tab),
        "S-Tab" => Event::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        "Up" => key(KeyCode::Up),
        "Down" => key(KeyCode::Down),
        "Left" => key(KeyCode::Left),
        "Right" => key(KeyCode::Right),
        "PgUp" => key(KeyCode::PageUp),
        "PgDn" => key(KeyCode::PageDown),
        "Home" => key(KeyCode::Home),
        "End" => key(KeyCode::End),
        "BS" => key(KeyCode::Backspace),
        "Del" => key(KeyCode::Delete),
        "C-u" => Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        "C-s" => Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
        "WheelDown" => wheel(MouseEventKind::ScrollDown),
        "WheelUp" => wheel(MouseEventKind::ScrollUp),
        other => panic!("unknown key <{other}> in a test script"),
    }
}

/// The supplier codes in the rows of a Suppliers screen, top to bottom.
pub fn listed_codes(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(2)
        .filter_map(|line| line.get(2..).and_then(|l| l.split_whitespace().next()))
        .filter(|word| word.len() > 3 && word.as_bytes()[2] == b'-')
        .map(str::to_owned)
        .collect()
}

/// Wall-clock times (`2026-11-21 09:12`, as the History pane shows them)
/// replaced by `YYYY-MM-DD hh:mm`, so snapshots do not depend on the day
/// the test database was made.
/// New audit references carry the demo copy's random installation tag
/// (`A-2026-K7Q-001`); snapshots show it as `TAG`, the same width.
pub fn mask_tag(text: &str, demo: &Demo) -> String {
    let tag = demo.store().read().installation().expect("installation").tag;
    text.replace(&format!("-{tag}-"), "-TAG-")
}

pub fn mask_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd";
    let bytes = text.as_bytes();
    let fits = |at: usize| {
        bytes.len() >= at + SHAPE.len()
            && SHAPE.iter().zip(&bytes[at..]).all(|(s, b)| if *s == b'd' { b.is_ascii_digit() } else { s == b })
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if fits(at) {
            out.push_str("YYYY-MM-DD hh:mm");
            at += SHAPE.len();
        } else {
            let c = text[at..].chars().next().expect("a character");
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

/// Rows of a table in the demo database (for "nothing was written" checks).
pub fn count(demo: &Demo, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(demo.db()).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// One text value from the demo database (`''` for NULL).
pub fn value(demo: &Demo, sql: &str) -> String {
    let conn = rusqlite::Connection::open(demo.db()).expect("open");
    conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0)).expect("value").unwrap_or_default()
}

/// A bracketed paste, as the terminal sends it once the app enables it.
pub fn paste(app: &mut App, text: &str) {
    app.handle_event(&Event::Paste(text.to_owned()));
}
