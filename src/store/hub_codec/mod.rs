//! Between this database and the hub: its records as hub rows (`out`), and
//! hub rows back as a casebook database for the merge engine (`inbox`).

mod inbox;
mod inbox_parts;
mod out;
mod out_extra;

pub use inbox::{FilledInbox, Inbox};
pub use out::{PushScope, RowShape};
