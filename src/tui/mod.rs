//! The terminal UI (ratatui, Elm style): one loop that draws the app, waits
//! for a terminal event (or the background assessment), and updates.
//!
//! - [`app`]: the state and its update function; [`chrome`] frames it.
//! - [`keys`]: one key table per screen, popup and mode; [`message`]: what keys mean.
//! - `screens/`: one module per screen; [`popup`]: help, notices, prompts.
//! - [`data`]: all loading, through `workflow` and the store's `Reader`.
//! - [`theme`]: colours, or none under `NO_COLOR`.
//!
//! The terminal is restored on every way out: a normal quit, an error
//! (the session guard's `Drop`), and a panic of the UI's thread (the hook
//! `ratatui::init` installs, wrapped here to release the mouse first and to
//! leave the terminal alone when a background thread panics).

pub mod app;
mod app_open;
mod app_record;
mod app_report;
mod app_sync;
mod catalog;
pub mod chart;
mod chrome;
pub mod data;
mod form_kit;
mod input;
pub mod keys;
mod list;
pub mod message;
mod paths;
mod popup;
mod record_forms;
mod screens;
mod sorting;
pub mod theme;
mod widgets;

use std::io::IsTerminal;
use std::thread::ThreadId;
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

pub use app::{App, Options, Tab};
pub use data::Loading;
pub use message::Message;
pub use theme::Theme;

use crate::error::{Error, Result};
use crate::store::Store;

/// How long to wait for a key while the verdicts are still being computed
/// (then the screen updates as soon as they arrive), and otherwise.
const POLL_LOADING: Duration = Duration::from_millis(25);
const POLL_IDLE: Duration = Duration::from_secs(1);

/// Runs the UI on `store` until the user quits.
pub fn run(store: Store, options: Options) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        return Err(Error::Invalid(
            "the terminal UI needs a terminal, and stdout is not one; see `casebook --help` for the commands".into(),
        ));
    }
    let mut app = App::new(store, options)?;
    let mut session = Session::start()?;
    event_loop(&mut session.terminal, &mut app)
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
    while app.is_running() {
        terminal.draw(|frame| app.render(frame))?;
        let timeout = if app.is_loading() { POLL_LOADING } else { POLL_IDLE };
        if event::poll(timeout)? {
            // Everything already queued (held keys, wheel bursts, a paste)
            // before the next frame: a frame is never drawn between them.
            loop {
                app.handle_event(&event::read()?);
                if !app.is_running() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        app.tick();
    }
    Ok(())
}

/// The terminal in raw mode on the alternate screen, with the mouse
/// captured and bracketed paste on; dropping it (or panicking) gives the
/// terminal back.
struct Session {
    terminal: DefaultTerminal,
}

impl Session {
    fn start() -> Result<Self> {
        let terminal = ratatui::try_init().inspect_err(|_| ratatui::restore())?;
        let ui = std::thread::current().id();
        let restore_terminal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if is_ui_thread(ui) {
                let _ = execute!(std::io::stdout(), DisableBracketedPaste, DisableMouseCapture);
                restore_terminal(info);
            }
        }));
        let session = Self { terminal };
        // Bracketed paste: a paste arrives as one event, never as keys.
        execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok(session)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), DisableBracketedPaste, DisableMouseCapture);
        ratatui::restore();
    }
}

/// Whether a panic here is the UI's own, which ends the program: only then
/// does the panic hook give the terminal back and print the message. A
/// background thread's panic (the assessment, an import, their helpers)
/// reaches the UI as an error through its channel and the UI goes on, so
/// the terminal is left as the UI needs it (and the message unprinted: it
/// would land in the middle of the screen).
fn is_ui_thread(ui: ThreadId) -> bool {
    std::thread::current().id() == ui
}

#[cfg(test)]
mod tests {
    use super::is_ui_thread;

    #[test]
    fn only_the_ui_thread_restores_the_terminal_on_a_panic() {
        let ui = std::thread::current().id();
        assert!(is_ui_thread(ui));
        let worker = std::thread::Builder::new().name("casebook-assess".into()).spawn(move || is_ui_thread(ui));
        assert!(!worker.unwrap().join().unwrap());
    }
}
