//! The `vocab!` macro that declares every closed vocabulary of the model,
//! and the error for a word that is not in one.

/// Declares a closed vocabulary: an enum whose variants map one-to-one to the
/// words DOMAIN.md fixes for storage and interchange.
macro_rules! vocab {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// The valid words, comma separated, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl crate::model::Word for $name {
            const WORDS: &'static [Self] = Self::ALL;
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn from_word(text: &str) -> Option<Self> {
                Self::parse(text)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::model::VocabError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text).ok_or_else(|| crate::model::VocabError {
                    value: text.to_owned(),
                    expected: Self::expected(),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::Borrowed(
                    rusqlite::types::ValueRef::Text(self.as_str().as_bytes()),
                ))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                Self::parse(text).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("`{text}` is not one of {}", Self::expected()).into(),
                    )
                })
            }
        }
    };
}

pub(crate) use vocab;

/// What every closed vocabulary is, for code generic over them (a form's
/// choice field read back as its type).
pub trait Word: Copy + PartialEq + 'static {
    const WORDS: &'static [Self];
    fn word(self) -> &'static str;
    fn from_word(text: &str) -> Option<Self>;
}

/// A word that is not in its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not valid; expected one of: {expected}")]
pub struct VocabError {
    pub value: String,
    pub expected: String,
}
