//! One module per screen: each owns its state, turns messages into state
//! changes and [`Outcome`]s for the app, and draws itself from that state
//! (drawing only reads).
//!
//! The three top-level screens (Suppliers, Flags, Shortlist) list the
//! catalog; Supplier, Audit and Yield are opened on top of them.

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

use super::catalog::Catalog;
use super::data::ExportFormat;
use super::forms::Purpose;
use super::theme::Theme;
use crate::store::SupplierId;

/// What every screen may read while drawing.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub catalog: &'a Catalog,
    pub theme: Theme,
    pub as_of: NaiveDate,
}

/// A screen opened on top of the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Supplier(SupplierId),
    /// An audit, by row id.
    Audit(i64),
    Yield(SupplierId),
}

/// What a screen asks the app to do after a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    Open(Target),
    /// Mark or unmark a supplier for the shortlist.
    ToggleMark(SupplierId),
    Unmark(SupplierId),
    Export(ExportFormat),
    /// Open a form to record something.
    Form(Purpose),
    /// Ask before submitting (locking) this audit.
    ConfirmSubmit(i64),
    /// The screen wrote something of this supplier's (an answer): screens
    /// showing the supplier are out of date.
    Touched(SupplierId),
    Info(String),
    Error(String),
}
