//! The application: which screen is showing, the screens' states, at most
//! one popup, and the shared catalog. [`App::update`] routes each message
//! to the popup or the screen in front and acts on the [`Outcome`] it gets
//! back (open a screen, mark a supplier, export); drawing only reads.
//!
//! Three top-level tabs (Suppliers, Flags, Shortlist) each keep a stack of
//! screens opened on top of them (Supplier, Audit, Yield): Esc pops,
//! Tab switches tabs and keeps each tab's stack. The audit editor is a
//! screen like these; forms are popups. Recording (forms, submission,
//! imports, keeping screens up to date after a write) is in `app_record`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{Event, MouseEventKind};

use super::catalog::Catalog;
use super::data::{self, Data, ExportFormat, Loading};
use super::keys::KeyMap;
use super::message::Message;
use super::popup::{Closing, Popup};
use super::screens::audit::AuditScreen;
use super::screens::audit_edit::AuditEditor;
use super::screens::flags::FlagsScreen;
use super::screens::shortlist::ShortlistScreen;
use super::screens::supplier::SupplierScreen;
use super::screens::suppliers::SuppliersScreen;
use super::screens::yields::YieldScreen;
use super::screens::{Outcome, Target, View};
use super::theme::{Theme, Tone};
use crate::assess::verdict::Assessment;
use crate::error::{Error, Result};
use crate::store::{Store, SupplierId};

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

/// Each tab's screens opened on top of it, the one in front last.
#[derive(Default)]
pub(super) struct Stacks([Vec<Screen>; 3]);

impl Stacks {
    pub fn of(&self, tab: Tab) -> &Vec<Screen> {
        &self.0[tab.index()]
    }

    pub fn of_mut(&mut self, tab: Tab) -> &mut Vec<Screen> {
        &mut self.0[tab.index()]
    }

    /// Every opened screen, of every tab.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Screen> {
        self.0.iter_mut().flatten()
    }
}

/// A screen opened on top of a tab.
pub enum Screen {
    Supplier(Box<SupplierScreen>),
    Audit(Box<AuditScreen>),
    AuditEdit(Box<AuditEditor>),
    Yield(Box<YieldScreen>),
}

impl Screen {
    pub fn keys(&self) -> &'static KeyMap {
        match self {
            Self::Supplier(_) => SupplierScreen::KEYS,
            Self::Audit(_) => AuditScreen::KEYS,
            Self::AuditEdit(s) => s.keys(),
            Self::Yield(_) => YieldScreen::KEYS,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Self::Supplier(s) => s.title(),
            Self::Audit(s) => s.title(),
            Self::AuditEdit(s) => s.title(),
            Self::Yield(_) => YieldScreen::TITLE.to_owned(),
        }
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
    pub(super) suppliers: SuppliersScreen,
    pub(super) flags: FlagsScreen,
    pub(super) shortlist: ShortlistScreen,
    pub(super) stacks: Stacks,
    pub(super) popup: Option<Popup>,
    pub(super) state: State,
    export_dir: PathBuf,
    /// How assessments run (again after an import).
    pub(super) loading: Loading,
}

impl App {
    /// Reads the supplier list and starts assessing (see [`Loading`]).
    pub fn new(store: Store, options: Options) -> Result<Self> {
        let mut data = Data::new(store, options.as_of, &options.actor);
        let catalog = data.catalog()?;
        let first = data.start_assessment(options.loading);
        let mut app = Self {
            suppliers: SuppliersScreen::new(&catalog),
            flags: FlagsScreen::new(&catalog),
            shortlist: ShortlistScreen::new(),
            data,
            catalog,
            theme: options.theme,
            tab: Tab::Suppliers,
            stacks: Stacks::default(),
            popup: None,
            state: State::Running,
            export_dir: options.export_dir,
            loading: options.loading,
        };
        if let Some(result) = first {
            app.assessed(result);
        }
        Ok(app)
    }

    pub fn is_running(&self) -> bool {
        self.state == State::Running
    }

    /// Whether background work (the assessment, an import) is running.
    pub fn is_loading(&self) -> bool {
        self.data.is_loading() || matches!(self.popup, Some(Popup::Importing(_)))
    }

    pub fn popup(&self) -> Option<&Popup> {
        self.popup.as_ref()
    }

    /// Picks up background work that has finished (the assessment, an
    /// import); `true` if any did.
    pub fn tick(&mut self) -> bool {
        let imported = self.poll_import();
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

    /// Suppliers or their assessments changed: the lists rebuild their
    /// views, the shortlist reloads (now if in view).
    pub(super) fn catalog_changed(&mut self) {
        self.suppliers.sync(&self.catalog);
        self.flags.sync(&self.catalog);
        self.shortlist_changed();
    }

    fn shortlist_changed(&mut self) {
        self.shortlist.stale = true;
        self.refresh_shortlist();
    }

    /// The screens opened on the tab in view.
    pub(super) fn stack(&self) -> &Vec<Screen> {
        self.stacks.of(self.tab)
    }

    pub(super) fn stack_mut(&mut self) -> &mut Vec<Screen> {
        self.stacks.of_mut(self.tab)
    }

    /// The screen opened in front; `None` when the tab's own screen is.
    pub(super) fn front(&self) -> Option<&Screen> {
        self.stack().last()
    }

    pub(super) fn front_mut(&mut self) -> Option<&mut Screen> {
        self.stack_mut().last_mut()
    }

    /// The key map of whatever has the keyboard: the popup, else the screen.
    pub fn keymap(&self) -> &'static KeyMap {
        self.popup.as_ref().map_or_else(|| self.screen_keys(), Popup::keys)
    }

    fn screen_keys(&self) -> &'static KeyMap {
        match self.front() {
            Some(screen) => screen.keys(),
            None => match self.tab {
                Tab::Suppliers => self.suppliers.keys(),
                Tab::Flags => self.flags.keys(),
                Tab::Shortlist => ShortlistScreen::KEYS,
            },
        }
    }

    /// A terminal event: keys through the key map in force, the wheel as
    /// movement; anything else (a resize) only needs the next frame.
    pub fn handle_event(&mut self, event: &Event) {
        let msg = match event {
            Event::Key(key) => self.keymap().message(*key),
            Event::Mouse(m) if m.kind == MouseEventKind::ScrollDown => Some(Message::WheelDown),
            Event::Mouse(m) if m.kind == MouseEventKind::ScrollUp => Some(Message::WheelUp),
            _ => None,
        };
        if let Some(msg) = msg {
            self.update(msg);
        }
    }

    pub fn update(&mut self, msg: Message) {
        if self.popup.is_some() {
            return self.update_popup(msg);
        }
        match msg {
            Message::Quit => self.state = State::Quitting,
            Message::NextTab => self.switch_tab(1),
            Message::PrevTab => self.switch_tab(Tab::ALL.len() - 1),
            Message::Help => self.popup = Some(Popup::help(self.screen_keys())),
            Message::Back if !self.stack().is_empty() => {
                self.stack_mut().pop();
                self.refresh_front();
            }
            other => {
                let outcome = self.update_screen(other);
                self.apply(outcome);
            }
        }
    }

    fn switch_tab(&mut self, step: usize) {
        self.tab = Tab::ALL[(self.tab.index() + step) % Tab::ALL.len()];
        self.refresh_shortlist();
    }

    fn update_screen(&mut self, msg: Message) -> Outcome {
        // The stack itself, not `front_mut`: the screens borrow the data too.
        match self.stacks.of_mut(self.tab).last_mut() {
            Some(Screen::Supplier(s)) => s.update(msg),
            Some(Screen::Audit(s)) => {
                s.update(msg);
                Outcome::None
            }
            Some(Screen::AuditEdit(s)) => s.update(msg, &mut self.data),
            Some(Screen::Yield(s)) => s.update(msg, &self.data),
            None => match self.tab {
                Tab::Suppliers => self.suppliers.update(msg, &self.catalog),
                Tab::Flags => self.flags.update(msg, &self.catalog),
                Tab::Shortlist => self.shortlist.update(msg),
            },
        }
    }

    fn update_popup(&mut self, msg: Message) {
        let Some(popup) = &mut self.popup else { return };
        match popup.update(msg) {
            Closing::Stay => {}
            Closing::Close => self.popup = None,
            Closing::Quit => self.state = State::Quitting,
            Closing::Submit => match self.popup.take() {
                Some(Popup::Export { format, path }) => self.export(format, &PathBuf::from(path.value().trim())),
                Some(Popup::Form(form)) => self.save_form(*form),
                Some(Popup::Submit(confirm)) => self.submit(&confirm),
                other => self.popup = other,
            },
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        let done = match outcome {
            Outcome::None => Ok(()),
            Outcome::Open(target) => self.open(target),
            Outcome::ToggleMark(id) => self.set_mark(id, !self.catalog.is_marked(id)),
            Outcome::Unmark(id) => self.set_mark(id, false),
            Outcome::Export(format) => {
                let path = self.export_dir.join(format!("shortlist-{}.{}", self.data.as_of, format.extension()));
                self.popup = Some(Popup::export(format, &path));
                Ok(())
            }
            Outcome::Form(purpose) => self.open_form(purpose),
            Outcome::ConfirmSubmit(audit) => {
                self.confirm_submit(audit);
                Ok(())
            }
            Outcome::Touched(id) => {
                self.touched(id);
                Ok(())
            }
            Outcome::Info(message) => {
                self.popup =
                    Some(Popup::Notice { title: "Heads up".to_owned(), lines: vec![message], tone: Tone::Warn });
                Ok(())
            }
            Outcome::Error(message) => Err(Error::Invalid(message)),
        };
        if let Err(e) = done {
            self.popup = Some(Popup::error(e.to_string()));
        }
    }

    /// Loads what `target` shows and puts it in front.
    pub(super) fn open(&mut self, target: Target) -> Result<()> {
        let screen = match target {
            Target::Supplier(id) => Screen::Supplier(Box::new(SupplierScreen::new(self.data.supplier_detail(id)?))),
            // A draft opens in the editor, a submitted audit read-only.
            Target::Audit(id) if self.data.is_draft(id)? => {
                Screen::AuditEdit(Box::new(AuditEditor::new(self.data.editor_detail(id)?)))
            }
            Target::Audit(id) => Screen::Audit(Box::new(AuditScreen::new(self.data.audit_detail(id)?))),
            Target::Yield(id) => {
                // Yield opens over its supplier, so Esc leads back through it.
                let over_supplier = matches!(self.front(), Some(Screen::Supplier(s)) if s.detail.id == id);
                if !over_supplier {
                    self.open(Target::Supplier(id))?;
                }
                let row = self.catalog.row(id).ok_or_else(|| Error::NotFound(format!("supplier {}", id.0)))?;
                let (code, name) = (&row.supplier.code, &row.supplier.name);
                Screen::Yield(Box::new(YieldScreen::open(&self.data, id, code, name)?))
            }
        };
        self.stack_mut().push(screen);
        Ok(())
    }

    fn set_mark(&mut self, id: SupplierId, on: bool) -> Result<()> {
        self.data.set_mark(id, on)?;
        if on {
            self.catalog.marked.insert(id);
        } else {
            self.catalog.marked.remove(&id);
        }
        self.shortlist_changed();
        Ok(())
    }

    /// Reloads the shortlist if it changed and is in view.
    pub(super) fn refresh_shortlist(&mut self) {
        if self.tab != Tab::Shortlist || !self.shortlist.stale {
            return;
        }
        match self.data.shortlist(&self.catalog) {
            Ok(items) => self.shortlist.set_items(items),
            Err(e) => self.popup = Some(Popup::error(e.to_string())),
        }
    }

    fn export(&mut self, format: ExportFormat, path: &Path) {
        let items = &self.shortlist.items;
        self.popup = Some(match data::export_shortlist(self.data.database(), items, format, self.data.as_of, path) {
            Ok(written) => Popup::Notice {
                title: "Shortlist exported".to_owned(),
                lines: vec![
                    format!("{} supplier(s) written as {} to", items.len(), format.label()),
                    written.display().to_string(),
                ],
                tone: Tone::Good,
            },
            Err(e) => Popup::error(format!("The shortlist was not exported: {e}")),
        });
    }

    pub fn render(&self, frame: &mut Frame) {
        let view = View { catalog: &self.catalog, theme: self.theme, as_of: self.data.as_of };
        super::chrome::render(self, frame, view);
    }
}
