//! The application: which tab is showing, each tab's stack of screens, at
//! most one popup, and the shared catalog. Every screen is a [`Screen`]:
//! [`App::update`] routes each message to the popup or to the screen in
//! front (one place, [`App::front_mut`]) and carries out the [`Outcome`] it
//! gets back (open a screen, load, write, open a form); drawing only reads.
//!
//! Three tabs (Suppliers, Flags, Shortlist) each keep a stack of screens,
//! their own list at the bottom and what was opened on it above (Supplier,
//! Audit, the audit editor, Yield): Esc pops, Tab switches tabs and keeps
//! each stack. Forms are popups. Carrying out writes, forms, submission and
//! imports is in `app_record`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{Event, MouseEventKind};

use super::catalog::Catalog;
use super::data::{Data, Loading, SyncJob};
use super::input::TextInput;
use super::keys::KeyMap;
use super::message::Message;
use super::popup::{Closing, Popup};
use super::screens::flags::FlagsScreen;
use super::screens::shortlist::ShortlistScreen;
use super::screens::suppliers::SuppliersScreen;
use super::screens::{Outcome, Screen, View};
use super::theme::{Theme, Tone};
use crate::assess::verdict::Assessment;
use crate::error::Result;
use crate::store::Store;
use crate::workflow::HubLocal;

/// How long without a key before the editor's place is written.
const PAUSE: Duration = Duration::from_millis(800);

/// How the app is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    pub actor: String,
    pub theme: Theme,
    pub loading: Loading,
    /// Where exports are offered to go (the current directory by default).
    pub export_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Suppliers,
    Flags,
    Shortlist,
}

impl Tab {
    pub const ALL: [Self; 3] = [Self::Suppliers, Self::Flags, Self::Shortlist];

    pub fn title(self) -> &'static str {
        match self {
            Self::Suppliers => "Suppliers",
            Self::Flags => "Flags",
            Self::Shortlist => "Shortlist",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Each tab's screens, its own list first and the one in front last.
pub(super) struct Stacks([Vec<Box<dyn Screen>>; 3]);

impl Stacks {
    pub fn of(&self, tab: Tab) -> &[Box<dyn Screen>] {
        &self.0[tab.index()]
    }

    pub fn of_mut(&mut self, tab: Tab) -> &mut Vec<Box<dyn Screen>> {
        &mut self.0[tab.index()]
    }

    /// Every screen, of every tab.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Box<dyn Screen>> {
        self.0.iter_mut().flatten()
    }

    pub fn all(&self) -> impl Iterator<Item = &Box<dyn Screen>> {
        self.0.iter().flatten()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Quitting,
}

pub struct App {
    pub(super) data: Data,
    pub(super) catalog: Catalog,
    pub(super) theme: Theme,
    pub(super) tab: Tab,
    pub(super) stacks: Stacks,
    pub(super) popup: Option<Popup>,
    pub(super) state: State,
    pub(super) export_dir: PathBuf,
    /// How assessments run (again after an import).
    pub(super) loading: Loading,
    /// The last key or paste: held-back writes go out after a pause.
    last_input: Instant,
    /// A sync with the hub running in the background (`Ctrl-S`), and its
    /// notice while another popup is open.
    pub(super) sync: Option<SyncJob>,
    pub(super) sync_notice: Option<Popup>,
    /// What the status line says of the hub (`None`: no hub set).
    pub(super) hub: Option<HubLocal>,
}

impl App {
    /// Reads the supplier list and starts assessing (see [`Loading`]).
    pub fn new(store: Store, options: Options) -> Result<Self> {
        let mut data = Data::new(store, options.as_of, &options.actor);
        let catalog = data.catalog()?;
        let first = data.start_assessment(options.loading);
        let roots: [Box<dyn Screen>; 3] = [
            Box::new(SuppliersScreen::new(&catalog)),
            Box::new(FlagsScreen::new(&catalog)),
            Box::new(ShortlistScreen::new()),
        ];
        let mut app = Self {
            stacks: Stacks(roots.map(|root| vec![root])),
            data,
            catalog,
            theme: options.theme,
            tab: Tab::Suppliers,
            popup: None,
            state: State::Running,
            export_dir: options.export_dir,
            loading: options.loading,
            last_input: Instant::now(),
            sync: None,
            sync_notice: None,
            hub: None,
        };
        app.refresh_hub();
        if let Some(result) = first {
            app.assessed(result);
        }
        Ok(app)
    }

    pub fn is_running(&self) -> bool {
        self.state == State::Running
    }

    /// Whether background work (the assessment, an import, a report, a
    /// sync) is running.
    pub fn is_loading(&self) -> bool {
        self.data.is_loading()
            || self.sync.is_some()
            || matches!(self.popup, Some(Popup::Importing(_) | Popup::Reporting(_)))
    }

    pub fn popup(&self) -> Option<&Popup> {
        self.popup.as_ref()
    }

    /// Picks up background work that has finished (the assessment, an
    /// import), and writes what screens held back once the user pauses;
    /// `true` if anything changed on screen.
    pub fn tick(&mut self) -> bool {
        if self.last_input.elapsed() >= PAUSE {
            self.flush_pending();
        }
        let imported = self.poll_import() | self.poll_report() | self.poll_sync();
        if imported {
            self.refresh_hub();
        }
        match self.data.poll() {
            Some(result) => {
                self.assessed(result);
                true
            }
            None => imported,
        }
    }

    /// Waits for background work (benchmarks, tests).
    pub fn wait_for_assessment(&mut self) {
        while self.is_loading() {
            if !self.tick() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }

    pub(super) fn assessed(&mut self, result: Result<Vec<Assessment>>) {
        match result {
            Ok(list) => self.catalog.set_assessments(list),
            Err(e) => self.catalog.fail(e.to_string()),
        }
        self.catalog_changed();
    }

    /// Suppliers, their assessments or the marks changed: every screen
    /// hears it, and the one in front reloads what it needs now.
    pub(super) fn catalog_changed(&mut self) {
        let catalog = &self.catalog;
        for screen in self.stacks.all_mut() {
            screen.catalog_changed(catalog);
        }
        self.refresh_front();
    }

    /// The screens of the tab in view, its list first.
    pub(super) fn stack(&self) -> &[Box<dyn Screen>] {
        self.stacks.of(self.tab)
    }

    /// The screen in front: the one every key goes to and that is drawn.
    pub(super) fn front(&self) -> Option<&dyn Screen> {
        self.stack().last().map(AsRef::as_ref)
    }

    pub(super) fn front_mut(&mut self) -> Option<&mut Box<dyn Screen>> {
        self.stacks.of_mut(self.tab).last_mut()
    }

    /// What [`Screen`]s read while updating and drawing.
    pub(super) fn view(&self) -> View<'_> {
        View { catalog: &self.catalog, theme: self.theme, as_of: self.data.as_of }
    }

    /// The key map of whatever has the keyboard: the popup, else the screen.
    pub fn keymap(&self) -> &'static KeyMap {
        self.popup.as_ref().map_or_else(|| self.screen_keys(), Popup::keys)
    }

    fn screen_keys(&self) -> &'static KeyMap {
        self.front().map_or(&super::keys::SUPPLIERS, Screen::keys)
    }

    /// A terminal event: keys through the key map in force, the wheel as
    /// movement, a paste as text; anything else (a resize) only needs the
    /// next frame.
    pub fn handle_event(&mut self, event: &Event) {
        let msg = match event {
            Event::Key(key) => self.keymap().message(*key),
            Event::Paste(text) => {
                self.last_input = Instant::now();
                return self.paste(text);
            }
            Event::Mouse(m) if m.kind == MouseEventKind::ScrollDown => Some(Message::WheelDown),
            Event::Mouse(m) if m.kind == MouseEventKind::ScrollUp => Some(Message::WheelUp),
            _ => None,
        };
        if let Some(msg) = msg {
            self.last_input = Instant::now();
            self.update(msg);
            self.refresh_hub();
        }
    }

    /// Pasted text goes whole into the text being typed (a form's field, a
    /// filter, a path); where keys would act instead, it is ignored.
    pub fn paste(&mut self, text: &str) {
        match &mut self.popup {
            Some(Popup::Form(popup)) => popup.paste(text),
            Some(Popup::Export { path, .. } | Popup::ReportPath { path, .. }) => {
                path.insert(&text.replace(['\n', '\r'], ""));
            }
            Some(_) => {}
            None => {
                let view = View { catalog: &self.catalog, theme: self.theme, as_of: self.data.as_of };
                if let Some(front) = self.stacks.of_mut(self.tab).last_mut() {
                    front.paste(text, view);
                }
            }
        }
    }

    pub fn update(&mut self, msg: Message) {
        if self.popup.is_some() {
            return self.update_popup(msg);
        }
        match msg {
            Message::Quit => self.quit(),
            Message::NextTab => self.switch_tab(1),
            Message::PrevTab => self.switch_tab(Tab::ALL.len() - 1),
            Message::Help => self.popup = Some(Popup::help(self.screen_keys())),
            Message::Sync => self.start_sync(),
            other => {
                let view = View { catalog: &self.catalog, theme: self.theme, as_of: self.data.as_of };
                let outcome = match self.stacks.of_mut(self.tab).last_mut() {
                    Some(front) => front.update(other, view),
                    None => Outcome::None,
                };
                self.carry_out(outcome);
            }
        }
    }

    fn switch_tab(&mut self, step: usize) {
        self.flush_pending();
        self.tab = Tab::ALL[(self.tab.index() + step) % Tab::ALL.len()];
        self.refresh_front();
    }

    fn update_popup(&mut self, msg: Message) {
        let Some(popup) = &mut self.popup else { return };
        match popup.update(msg) {
            Closing::Stay => {}
            Closing::Close => self.popup = self.popup.take().and_then(Popup::closed),
            Closing::Quit => self.quit(),
            Closing::Submit => match self.popup.take() {
                Some(Popup::Export { format, path }) => self.export(format, &PathBuf::from(path.value().trim())),
                Some(Popup::ReportPath { subject, path }) => {
                    self.start_report(&subject, &super::paths::expand(path.value().trim()));
                }
                Some(Popup::Form(form)) => self.save_form(*form),
                Some(Popup::Submit(confirm)) => self.submit(&confirm),
                Some(Popup::ConfirmVoid(confirm)) => self.write(&confirm.change),
                Some(Popup::ConfirmQuit { .. }) => self.stop(),
                other => self.popup = other,
            },
        }
    }

    /// Quits, asking first when a form or a draft audit is open.
    fn quit(&mut self) {
        if matches!(self.popup, Some(Popup::ConfirmQuit { .. })) {
            return self.stop();
        }
        let form = matches!(self.popup, Some(Popup::Form(_) | Popup::ConfirmVoid(_)));
        let draft = self.stacks.all().any(|s| s.draft().is_some());
        if !form && !draft {
            return self.stop();
        }
        let behind = self.popup.take().map(Box::new);
        self.popup = Some(Popup::confirm_quit(form, draft, behind));
    }

    /// Writes what screens held back, and stops.
    fn stop(&mut self) {
        self.flush_pending();
        self.state = State::Quitting;
    }

    /// Carries out what a screen asked for.
    pub(super) fn carry_out(&mut self, outcome: Outcome) {
        let done = match outcome {
            Outcome::None => Ok(()),
            Outcome::Back => {
                self.back();
                Ok(())
            }
            Outcome::Open(target) => self.open(target),
            Outcome::Load(load) => self.data.load(&load, &self.catalog).map(|fresh| {
                if let Some(front) = self.front_mut() {
                    front.receive(fresh);
                }
            }),
            Outcome::Write(change) => {
                self.write(&change);
                Ok(())
            }
            Outcome::Form(purpose) => self.open_form(purpose),
            Outcome::ConfirmSubmit(confirm) => {
                self.popup = Some(Popup::Submit(confirm));
                Ok(())
            }
            Outcome::Export(format) => {
                let path = self.export_dir.join(format!("shortlist-{}.{}", self.data.as_of, format.extension()));
                self.popup = Some(Popup::export(format, &path));
                Ok(())
            }
            Outcome::Report(subject) => {
                let path = self.export_dir.join(subject.file_name(crate::report::Format::Pdf));
                self.popup = Some(Popup::ReportPath { subject, path: TextInput::new(path.display().to_string()) });
                Ok(())
            }
            Outcome::Info(message) => {
                self.popup =
                    Some(Popup::Notice { title: "Heads up".to_owned(), lines: vec![message], tone: Tone::Warn });
                Ok(())
            }
        };
        if let Err(e) = done {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }

    /// Esc on a screen with nothing left to clear: back to the one below
    /// (the tab's own list stays).
    fn back(&mut self) {
        if self.stack().len() < 2 {
            return;
        }
        let held = self.front_mut().and_then(|s| s.pending());
        if let Some(change) = held {
            self.write(&change);
        }
        self.stacks.of_mut(self.tab).pop();
        self.refresh_front();
    }

    /// Writes whatever any screen held back (the editor's place).
    pub(super) fn flush_pending(&mut self) {
        let held: Vec<_> = self.stacks.all_mut().filter_map(|s| s.pending()).collect();
        for change in held {
            self.write(&change);
        }
    }

    /// Loads what the screen in front wants before it is drawn again.
    pub(super) fn refresh_front(&mut self) {
        let Some(load) = self.front().and_then(Screen::wants) else { return };
        match self.data.load(&load, &self.catalog) {
            Ok(fresh) => {
                if let Some(front) = self.front_mut() {
                    front.receive(fresh);
                }
            }
            Err(e) => self.popup = Some(Popup::error(e.to_string())),
        }
    }

    pub fn render(&self, frame: &mut Frame) {
        super::chrome::render(self, frame, self.view());
    }
}
