//! The library's error type: the cases callers branch on, each with a message
//! that says what went wrong and what would be valid.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{path}: written by a newer casebook (schema version {found}; this casebook knows up to {known}); \
         upgrade casebook to open it — nothing was changed"
    )]
    SchemaTooNew { path: PathBuf, found: i64, known: i64 },

    #[error("{path}: not a casebook database ({reason}); nothing was changed")]
    NotADatabase { path: PathBuf, reason: String },

    #[error(
        "{path}: the database file is damaged ({reason}); nothing was changed — restore it from a backup \
         (`casebook backup` makes them)"
    )]
    Damaged { path: PathBuf, reason: String },

    #[error("{path}: cannot write the database: {why}; nothing was changed (commands that only read still work)")]
    ReadOnly { path: PathBuf, why: String },

    #[error("{path}: no database here; create one with `casebook init` or `casebook import FILE`")]
    NoDatabase { path: PathBuf },

    #[error("{0}")]
    NotFound(String),

    #[error("{0}")]
    Invalid(String),

    /// A value a rule refuses: which field, the value, and what is valid.
    #[error("{0}")]
    Field(crate::model::validate::FieldError),

    /// The team hub (PostgreSQL) refused or could not be reached; the
    /// message names the hub (never its password) and what was refused.
    #[error("{0}")]
    Hub(String),

    #[error(transparent)]
    Sql(#[from] rusqlite::Error),

    #[error("unexpected value in the database: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),

    #[error(transparent)]
    Io(#[from] std::io::Error),
}
