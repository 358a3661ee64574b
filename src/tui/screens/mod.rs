//! One module per screen, every screen one shape ([`Screen`]): its key map
//! and title, `update` (a message in, an [`Outcome`] out, no database) and
//! `render` (only reads). What a screen needs from the database it asks
//! for in its outcome ([`Outcome::Load`], [`Outcome::Write`]); the app
//! carries that out in one place and hands the result back
//! ([`Screen::receive`]).
//!
//! The three top-level screens (Suppliers, Flags, Shortlist) list the
//! catalog; Supplier, Audit, the audit editor and Yield are opened on top.

pub mod audit;
pub mod audit_edit;
mod audit_edit_view;
pub mod flags;
pub mod shortlist;
pub mod supplier;
mod supplier_log;
mod supplier_panes;
pub mod suppliers;
mod yield_charts;
pub mod yields;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::catalog::Catalog;
use super::data::{ExportFormat, Fresh, Load, Write};
use super::keys::KeyMap;
use super::message::Message;
use super::popup::SubmitConfirm;
use super::record_forms::Purpose;
use super::theme::Theme;
use crate::store::SupplierId;

/// What every screen may read while updating and drawing: memory only.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub catalog: &'a Catalog,
    pub theme: Theme,
    pub as_of: NaiveDate,
}

/// A screen to open on top of the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Supplier(SupplierId),
    /// An audit, by row id: a draft in the editor, else read-only.
    Audit(i64),
    Yield(SupplierId),
}

/// What a screen asks the app to do after a message.
#[derive(Debug, Clone)]
pub enum Outcome {
    None,
    /// Leave this screen (Esc with nothing left to clear).
    Back,
    Open(Target),
    /// Read this for me; the result comes back through [`Screen::receive`].
    Load(Load),
    /// Write this; screens showing what it changed are reloaded.
    Write(Write),
    /// Open a form to record something.
    Form(Purpose),
    /// Ask before submitting (locking) this audit.
    ConfirmSubmit(Box<SubmitConfirm>),
    Export(ExportFormat),
    Info(String),
}

/// Every screen's interface.
pub trait Screen {
    /// The keys it answers to now (a filter being typed has its own).
    fn keys(&self) -> &'static KeyMap;

    /// Its name in the path of opened screens.
    fn title(&self) -> String;

    /// A message in, state changed, what the app should do out.
    fn update(&mut self, msg: Message, view: View<'_>) -> Outcome;

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>);

    /// Pasted text: into the text being typed (a filter), else ignored —
    /// a paste never runs as keys.
    fn paste(&mut self, _text: &str, _view: View<'_>) {}

    /// What it asked for with [`Outcome::Load`] (or [`Screen::wants`]) has arrived.
    fn receive(&mut self, _fresh: Fresh) {}

    /// What it must reload before it is drawn again (something it shows changed).
    fn wants(&self) -> Option<Load> {
        None
    }

    /// The catalog (suppliers, verdicts, marks) changed.
    fn catalog_changed(&mut self, _catalog: &Catalog) {}

    /// Something of this supplier's was written: reload if showing it.
    fn touched(&mut self, _supplier: SupplierId) {}

    /// The supplier it is about, if one.
    fn supplier(&self) -> Option<SupplierId> {
        None
    }

    /// A write it has held back (the editor's place), taken when the user
    /// pauses, leaves the screen or quits.
    fn pending(&mut self) -> Option<Write> {
        None
    }

    /// The draft audit it edits, if it is the editor (quitting asks first).
    fn draft(&self) -> Option<i64> {
        None
    }
}
