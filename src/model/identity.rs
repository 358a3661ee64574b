//! Identity that survives copies, exports and merges: global ids (UUIDv7),
//! the installation tag that keeps human references of two copies of one
//! file apart, and the hybrid logical clock (HLC) that orders edits of the
//! mutable fields across laptops whose wall clocks disagree.
//!
//! Everything here is pure: the wall clock and the random bits come in as
//! arguments, so the rules can be property-tested. `store` reads the real
//! clock and keeps the state.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A record's global identity: a UUIDv7 (sortable by creation time) in its
/// lower-case hyphenated text form, never reused. Records that existed
/// before identities were introduced get a name-based id instead (see
/// [`Gid::derived`]) so that two copies migrated apart agree on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gid(Uuid);

impl Gid {
    /// A new id for a record made now: a UUIDv7 from the system clock and
    /// the operating system's random numbers.
    #[allow(clippy::new_without_default)] // a new id each call, not a default value
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// A UUIDv7 for the Unix time `unix_ms` with 74 random bits.
    pub fn v7(unix_ms: u64, random: [u8; 10]) -> Self {
        let mut bytes = [0_u8; 16];
        bytes[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
        bytes[6..].copy_from_slice(&random);
        bytes[6] = 0x70 | (bytes[6] & 0x0f);
        bytes[8] = 0x80 | (bytes[8] & 0x3f);
        Self(Uuid::from_bytes(bytes))
    }

    /// A name-based id (UUIDv8 over SHA-256) for a record that predates
    /// global ids: `kind` and `parts` are its natural key and content, so
    /// the same record migrated in two copies of a database gets one id,
    /// and two different records never share one.
    pub fn derived(kind: &str, parts: &[&str]) -> Self {
        let mut h = Sha256::new();
        h.update(b"casebook gid v1\0");
        h.update(kind.as_bytes());
        for part in parts {
            // Length-prefixed: ("ab", "c") and ("a", "bc") differ.
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let digest = h.finalize();
        let mut bytes = [0_u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Self(Uuid::new_v8(bytes))
    }

    /// The Unix time in milliseconds a UUIDv7 was made at (`None` for a
    /// derived id).
    pub fn unix_ms(self) -> Option<u64> {
        (self.0.get_version_num() == 7).then(|| {
            let b = self.0.as_bytes();
            b[..6].iter().fold(0_u64, |ms, byte| (ms << 8) | u64::from(*byte))
        })
    }

    pub fn is_derived(self) -> bool {
        self.0.get_version_num() == 8
    }
}

impl fmt::Display for Gid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// A text that is not a global id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a global id; expected a UUID such as 0190f3c2-7b1e-7cc0-9a4e-2f1d0c3b5a61")]
pub struct BadGid(pub String);

impl FromStr for Gid {
    type Err = BadGid;

    /// Only the canonical form casebook writes: 36 characters, lower case,
    /// version 7 or 8 — so one record never has two spellings.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadGid(text.to_owned());
        let uuid = Uuid::parse_str(text).map_err(|_| bad())?;
        let canonical = uuid.hyphenated().to_string() == text;
        if canonical && matches!(uuid.get_version_num(), 7 | 8) { Ok(Self(uuid)) } else { Err(bad()) }
    }
}

impl serde::Serialize for Gid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl rusqlite::types::ToSql for Gid {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
    }
}

impl rusqlite::types::FromSql for Gid {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value.as_str()?.parse().map_err(|e: BadGid| rusqlite::types::FromSqlError::Other(e.to_string().into()))
    }
}

/// The letters of Crockford's base 32: no I, L, O or U, so a tag read
/// aloud or copied by hand is not mistaken for another.
const TAG_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The short tag of one database installation (three letters or digits,
/// e.g. `K7Q`): part of the audit references it mints (`A-2026-K7Q-042`)
/// and of its clock readings. Made when a database is created and made
/// anew when a copy of the file is first opened, so two copies of one file
/// never mint the same reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag([u8; 3]);

impl Tag {
    /// The tag for 15 random bits.
    pub fn from_bits(bits: u16) -> Self {
        let at = |shift: u16| TAG_ALPHABET[usize::from((bits >> shift) & 31)];
        Self([at(10), at(5), at(0)])
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from TAG_ALPHABET, which is ASCII.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an installation tag; expected three of 0-9 and A-Z except I, L, O, U (e.g. K7Q)")]
pub struct BadTag(pub String);

impl FromStr for Tag {
    type Err = BadTag;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(|x| TAG_ALPHABET.contains(x)) => Ok(Self([a, b, c])),
            _ => Err(BadTag(text.to_owned())),
        }
    }
}

/// A hybrid logical clock reading: wall-clock milliseconds, a counter for
/// events within one millisecond (or while the wall clock lags behind a
/// reading already seen), and the tag of the installation that made it.
///
/// Readings are totally ordered (time, counter, tag), and the text form
/// sorts the same way. An installation never issues a reading below one it
/// has issued or seen, so an edit made after another was seen always
/// orders after it, whatever either wall clock said; and the time part
/// never runs ahead of the fastest wall clock involved. A laptop whose
/// clock is ahead wins only until someone who has seen its edits edits
/// again, or until real time passes its readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub node: Tag,
}

/// Counters above this spill into the next millisecond (the text form has
/// five digits for it).
const COUNTER_MAX: u32 = 99_999;
/// The text form has 13 digits of milliseconds (until the year 2286).
const MILLIS_MAX: u64 = 9_999_999_999_999;

impl Hlc {
    /// The reading for a local event at wall-clock time `wall_ms`, after
    /// `last` (the highest reading this installation has issued or seen).
    /// Always above `last`, whatever the wall clock says.
    pub fn tick(last: Option<Hlc>, wall_ms: u64, node: Tag) -> Hlc {
        let wall = wall_ms.min(MILLIS_MAX);
        match last {
            Some(last) if last.millis >= wall => {
                if last.counter >= COUNTER_MAX {
                    Hlc { millis: last.millis + 1, counter: 0, node }
                } else {
                    Hlc { millis: last.millis, counter: last.counter + 1, node }
                }
            }
            _ => Hlc { millis: wall, counter: 0, node },
        }
    }

    /// What an installation knows after seeing `seen` (a reading from
    /// another database): the later of the two, so its next tick orders
    /// after everything it has merged.
    pub fn observe(last: Option<Hlc>, seen: Hlc) -> Hlc {
        last.map_or(seen, |l| l.max(seen))
    }

    /// The reading's wall-clock time as an RFC 3339 stamp (UTC, to the
    /// millisecond), the form of casebook's other time stamps.
    pub fn stamp(&self) -> Option<String> {
        let ms = i64::try_from(self.millis).ok()?;
        chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }

    /// The calendar day of the reading (UTC), for reports.
    pub fn day(&self) -> Option<chrono::NaiveDate> {
        let ms = i64::try_from(self.millis).ok()?;
        chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
    }
}

impl fmt::Display for Hlc {
    /// `1763712000000.00003.K7Q`: fixed widths, so text order is clock order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}.{:05}.{}", self.millis, self.counter, self.node)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a clock reading; expected 13 digits, a dot, 5 digits, a dot and a tag (1763712000000.00003.K7Q)")]
pub struct BadHlc(pub String);

impl FromStr for Hlc {
    type Err = BadHlc;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadHlc(text.to_owned());
        let mut parts = text.split('.');
        let (Some(ms), Some(counter), Some(node), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(ms, 13) || !digits(counter, 5) {
            return Err(bad());
        }
        Ok(Hlc {
            millis: ms.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            node: node.parse().map_err(|_| bad())?,
        })
    }
}

impl rusqlite::types::ToSql for Hlc {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
    }
}

impl rusqlite::types::FromSql for Hlc {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value.as_str()?.parse().map_err(|e: BadHlc| rusqlite::types::FromSqlError::Other(e.to_string().into()))
    }
}

impl serde::Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
