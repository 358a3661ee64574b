//! casebook: audits of protective-case factories, and flags for ODM claims
//! that lack manufacturing evidence.
//!
//! Data flows one way: files or keystrokes → [`exchange`] / [`tui`] → [`store`]
//! → [`assess`] (pure) → `cli` / `tui` output.

pub mod assess;
pub mod charts;
pub mod cli;
pub mod error;
pub mod exchange;
pub mod model;
pub mod store;
pub mod trace;
pub mod tui;
pub mod workflow;

pub use error::{Error, Result};
