//! This installation of the database file: its tag (part of the audit
//! references minted here and of its clock readings), which file the tag
//! belongs to, and the hybrid logical clock.
//!
//! A copy of a database file is recognised when it is first opened: the
//! device and inode numbers recorded with the tag are not those of the file
//! (read with `stat`, which opens no descriptor, so no lock SQLite holds on
//! the file is disturbed). The copy then takes a new tag, so two people
//! working on copies of one file never mint the same reference.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Reader, Writer, now_stamp};
use crate::error::Result;
use crate::model::{Hlc, Tag};

/// Which file a tag was made for: `stat`'s device and inode numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    pub device: u64,
    pub inode: u64,
}

impl FileId {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self { device: meta.dev(), inode: meta.ino() })
    }

    /// Elsewhere there is no stable file number in the standard library:
    /// copies are then not recognised (documented in the README).
    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Self> {
        None
    }

    /// The file at `path` (following symbolic links), if it exists.
    pub fn at(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().as_ref().and_then(Self::of)
    }
}

/// Which file the installation row says it belongs to.
enum Recorded {
    /// No installation row (it was removed by hand).
    Missing,
    /// Not yet tied to a file: created or migrated, never opened as a file.
    Untied,
    File(FileId),
}

/// This installation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installation {
    pub tag: Tag,
    /// When this tag was made (RFC 3339).
    pub made_at: String,
    /// The highest clock reading issued or seen here.
    pub clock: Option<Hlc>,
}

/// Random bits from the operating system's generator (through the `uuid`
/// crate's, whose v7 ids end in 32 random bits).
pub(crate) fn random_u32() -> u32 {
    let bytes = uuid::Uuid::now_v7().into_bytes();
    u32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
}

/// A random tag that is none of `taken`.
fn fresh_tag(taken: &HashSet<Tag>) -> Tag {
    let mut tag = Tag::from_bits((random_u32() & 0x7fff) as u16);
    // 32,768 tags: a team's handful are dodged in a few draws.
    for _ in 0..64 {
        if !taken.contains(&tag) {
            break;
        }
        tag = Tag::from_bits((random_u32() & 0x7fff) as u16);
    }
    tag
}

/// Tags already in use here: the installation's own and those in the
/// references of audits (minted here or merged in).
fn tags_in_use(conn: &Connection) -> Result<HashSet<Tag>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT substr(ref, 8, 3) FROM audits WHERE ref GLOB 'A-[0-9][0-9][0-9][0-9]-[0-9A-Z][0-9A-Z][0-9A-Z]-*'
         UNION SELECT tag FROM installation",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = HashSet::new();
    for text in rows {
        if let Ok(tag) = text?.parse() {
            out.insert(tag);
        }
    }
    Ok(out)
}

/// Migration hook: the new database's installation, not yet tied to a file
/// (the open that migrated it ties it: [`super::Store::tie_new_installation`]).
pub(super) fn seed(conn: &Connection) -> Result<()> {
    let tag = fresh_tag(&tags_in_use(conn)?);
    conn.execute("INSERT INTO installation (id, tag, made_at) VALUES (1, ?1, ?2)", params![tag.as_str(), now_stamp()])?;
    Ok(())
}

/// Ties the installation to the file being written, inside the writer's
/// transaction (so a refused or rolled-back write leaves the file exactly
/// as it was, and a read never writes): records the file's numbers the
/// first time, and gives a copy (other numbers) a new tag.
/// Returns whether it wrote anything.
pub(super) fn claim(conn: &Connection, file: Option<FileId>) -> Result<bool> {
    let Some(file) = file else { return Ok(false) };
    match (Reader { conn }).installation_record()? {
        Recorded::File(f) if f == file => return Ok(false),
        // Created (or migrated) here and never written as a file before.
        Recorded::Untied => {
            conn.execute(
                "UPDATE installation SET device = ?1, inode = ?2 WHERE id = 1",
                params![file.device.cast_signed(), file.inode.cast_signed()],
            )?;
        }
        // A copy: a new tag, none of those it knows of.
        Recorded::File(_) | Recorded::Missing => {
            let tag = fresh_tag(&tags_in_use(conn)?);
            conn.execute(
                "INSERT INTO installation (id, tag, device, inode, made_at) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET tag = excluded.tag, device = excluded.device,
                    inode = excluded.inode, made_at = excluded.made_at",
                params![tag.as_str(), file.device.cast_signed(), file.inode.cast_signed(), now_stamp()],
            )?;
        }
    }
    Ok(true)
}

impl super::Store {
    /// Ties a database just created or brought up to date to its file (that
    /// open writes anyway), so a copy of it made before its first change is
    /// still known as a copy.
    pub(super) fn tie_new_installation(&mut self) -> Result<()> {
        if self.file.is_none() || !matches!(self.read().installation_record()?, Recorded::Untied) {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        claim(&tx, self.file)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether this file is a copy whose installation has not taken its own
    /// tag yet (it does at its first change; until then it shows the tag of
    /// the file it was copied from).
    pub fn is_unclaimed_copy(&self) -> Result<bool> {
        let Some(file) = self.file else { return Ok(false) };
        Ok(match self.read().installation_record()? {
            Recorded::File(f) => f != file,
            Recorded::Missing => true,
            Recorded::Untied => false,
        })
    }
}

impl Reader<'_> {
    pub fn installation(&self) -> Result<Installation> {
        Ok(self.conn.prepare_cached("SELECT tag, made_at, clock FROM installation WHERE id = 1")?.query_row(
            [],
            |r| {
                let tag: String = r.get(0)?;
                let tag = tag.parse().map_err(|e: crate::model::BadTag| {
                    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
                })?;
                Ok(Installation { tag, made_at: r.get(1)?, clock: r.get(2)? })
            },
        )?)
    }

    fn installation_record(&self) -> Result<Recorded> {
        Ok(self
            .conn
            .prepare_cached("SELECT device, inode FROM installation WHERE id = 1")?
            .query_row([], |r| {
                let (device, inode): (Option<i64>, Option<i64>) = (r.get(0)?, r.get(1)?);
                Ok(device.zip(inode).map_or(Recorded::Untied, |(device, inode)| {
                    Recorded::File(FileId { device: device.cast_unsigned(), inode: inode.cast_unsigned() })
                }))
            })
            .optional()?
            .unwrap_or(Recorded::Missing))
    }
}

impl Writer<'_> {
    /// The next clock reading of this installation (one per transaction:
    /// every field a transaction changes carries the same reading). Read
    /// from the real clock: which of two edits is later is a question about
    /// real time, not about the `--as-of` day.
    pub fn clock(&self) -> Result<Hlc> {
        if let Some(h) = self.clock.get() {
            return Ok(h);
        }
        let here = self.read().installation()?;
        let wall = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        let next = Hlc::tick(here.clock, wall, here.tag);
        self.conn().prepare_cached("UPDATE installation SET clock = ?1 WHERE id = 1")?.execute([next])?;
        self.clock.set(Some(next));
        Ok(next)
    }

    /// Takes in a reading seen in merged data, so the next local edit
    /// orders after it.
    pub fn observe_clock(&self, seen: Hlc) -> Result<()> {
        self.clock.set(None);
        let here = self.read().installation()?;
        let known = Hlc::observe(here.clock, seen);
        if Some(known) != here.clock {
            self.conn().prepare_cached("UPDATE installation SET clock = ?1 WHERE id = 1")?.execute([known])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Hlc;
    use crate::store::Store;

    #[test]
    fn the_clock_goes_up_across_transactions_and_past_what_was_seen() {
        let mut store = Store::open_in_memory().unwrap();
        let tag = store.read().installation().unwrap().tag;
        let w = store.begin("t").unwrap();
        let first = w.clock().unwrap();
        assert_eq!(w.clock().unwrap(), first, "one reading per transaction");
        assert_eq!(first.node, tag);
        w.commit().unwrap();
        let w = store.begin("t").unwrap();
        let second = w.clock().unwrap();
        assert!(second > first);
        // A reading from a laptop whose clock is a year ahead.
        let ahead = Hlc { millis: second.millis + 365 * 86_400_000, counter: 7, node: "ZZZ".parse().unwrap() };
        w.observe_clock(ahead).unwrap();
        let third = w.clock().unwrap();
        assert!(third > ahead && third.node == tag);
        w.commit().unwrap();
        assert_eq!(store.read().installation().unwrap().clock, Some(third));
    }

    #[test]
    fn a_rolled_back_transaction_leaves_the_clock() {
        let mut store = Store::open_in_memory().unwrap();
        let before = store.read().installation().unwrap().clock;
        {
            let w = store.begin("t").unwrap();
            w.clock().unwrap();
        }
        assert_eq!(store.read().installation().unwrap().clock, before);
    }
}
