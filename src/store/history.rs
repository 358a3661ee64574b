//! The append-only history of every change made through casebook: what
//! changed, old → new, when and by whom. Triggers forbid editing it, and every
//! row is chained to the one before it (`chain_hash = H(previous chain hash ‖
//! this row's canonical content)`), so an edited, removed or reordered row
//! shows in `casebook check` even when the triggers were dropped.
//!
//! A row that records a fact (a submitted audit, a closure, an attachment)
//! carries that fact's hash, so the chain covers the fact as well. The chain
//! is local: each database's chain orders what it received.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Reader, SupplierId, Writer, hex};
use crate::error::Result;
use crate::model::{HistoryAction, HistoryEntity};

/// The hash the first history row is chained to.
pub const HISTORY_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record. `field` is `None` for whole-record actions.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub supplier: Option<SupplierId>,
    pub entity: HistoryEntity,
    pub key: &'a str,
    pub action: HistoryAction,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    /// The hash of the fact this change records, if it records one.
    pub fact: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A whole-record change with no values; fill in the rest with `..`.
    pub fn of(supplier: Option<SupplierId>, entity: HistoryEntity, key: &'a str, action: HistoryAction) -> Self {
        Self { supplier, entity, key, action, field: None, old: None, new: None, fact: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub supplier: Option<String>,
    pub entity: HistoryEntity,
    pub key: String,
    pub action: HistoryAction,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A history row as the chain sees it: everything but the row id, with the
/// supplier by code (so the content does not depend on local row ids).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChainedRow<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub supplier: Option<&'a str>,
    pub entity: &'a str,
    pub key: &'a str,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub fact: Option<&'a str>,
}

/// The next link of the history chain after `previous`.
pub(crate) fn history_link(previous: &str, row: &ChainedRow<'_>) -> String {
    // Serialising plain strings to a Vec cannot fail.
    let content = serde_json::to_vec(row).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(b"casebook-history/1\x1f");
    h.update(previous.as_bytes());
    h.update(b"\x1f");
    h.update(&content);
    hex(&h.finalize())
}

/// The last link of the history chain: (row id, chain hash), genesis if empty.
pub(crate) fn history_head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT id, chain_hash FROM history ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_else(|| (0, HISTORY_GENESIS.to_owned())))
}

/// Appends one row to the history chain, as the migration that introduced
/// the chain re-records the rows written before it (before rows had global
/// ids: migration 5 gives them theirs).
pub(crate) fn append(conn: &Connection, at: &str, actor: &str, change: &Change<'_>) -> Result<()> {
    insert(conn, at, actor, change, None)
}

/// Appends one row with its global id to the history chain.
pub(crate) fn append_identified(
    conn: &Connection,
    at: &str,
    actor: &str,
    change: &Change<'_>,
    gid: crate::model::Gid,
) -> Result<()> {
    insert(conn, at, actor, change, Some(gid))
}

fn insert(conn: &Connection, at: &str, actor: &str, change: &Change<'_>, gid: Option<crate::model::Gid>) -> Result<()> {
    let code: Option<String> = match change.supplier {
        Some(id) => conn
            .prepare_cached("SELECT code FROM suppliers WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let (_, previous) = history_head(conn)?;
    insert_linked(conn, &previous, code.as_deref(), (at, actor), change, gid)?;
    Ok(())
}

/// Appends one row with its global id after the link `previous` unless a
/// row with that id is here already; returns the new head's hash, or
/// `None` when the row was here.
pub(crate) fn insert_linked_once(
    conn: &Connection,
    previous: &str,
    code: Option<&str>,
    (at, actor): (&str, &str),
    change: &Change<'_>,
    gid: crate::model::Gid,
) -> Result<Option<String>> {
    let before = conn.total_changes();
    let link = insert_linked(conn, previous, code, (at, actor), change, Some(gid))?;
    Ok((conn.total_changes() > before).then_some(link))
}

/// Appends one row after the link `previous` (the chain's head, which the
/// caller knows: a merge appends many rows in a row), for the supplier with
/// `code`; returns the new head's hash.
pub(crate) fn insert_linked(
    conn: &Connection,
    previous: &str,
    code: Option<&str>,
    (at, actor): (&str, &str),
    change: &Change<'_>,
    gid: Option<crate::model::Gid>,
) -> Result<String> {
    let row = ChainedRow {
        at,
        actor,
        supplier: code,
        entity: change.entity.as_str(),
        key: change.key,
        action: change.action.as_str(),
        field: change.field,
        old: change.old,
        new: change.new,
        fact: change.fact,
    };
    let link = history_link(previous, &row);
    let sql = if gid.is_some() {
        "INSERT INTO history (at, actor, supplier_id, entity, entity_key, action, field, old_value, new_value,
                              fact_hash, chain_hash, gid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (gid) DO NOTHING"
    } else {
        "INSERT INTO history (at, actor, supplier_id, entity, entity_key, action, field, old_value, new_value,
                              fact_hash, chain_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let gid = gid.map(|g| g.to_string());
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&at, &actor];
    let supplier = change.supplier.map(|s| s.0);
    values.extend_from_slice(&[
        &supplier,
        &change.entity,
        &change.key,
        &change.action,
        &change.field,
        &change.old,
        &change.new,
        &change.fact,
        &link,
    ]);
    if let Some(g) = &gid {
        values.push(g);
    }
    stmt.execute(values.as_slice())?;
    Ok(link)
}

impl Writer<'_> {
    pub(crate) fn record(&self, change: &Change<'_>) -> Result<()> {
        append_identified(self.conn(), &self.at, &self.actor, change, crate::model::Gid::new())
    }

    /// Records one `update` row per field whose value differs.
    pub(crate) fn record_diff(
        &self,
        base: &Change<'_>,
        old: &[(&str, Option<String>)],
        new: &[(&str, Option<String>)],
    ) -> Result<usize> {
        let mut changed = 0;
        for ((field, before), (_, after)) in old.iter().zip(new) {
            if before != after {
                self.record(&Change {
                    action: HistoryAction::Update,
                    field: Some(field),
                    old: before.as_deref(),
                    new: after.as_deref(),
                    ..base.clone()
                })?;
                changed += 1;
            }
        }
        Ok(changed)
    }
}

impl Reader<'_> {
    /// History of one supplier (or, with `None`, of changes not tied to one,
    /// such as policy), oldest first.
    pub fn history(&self, supplier: Option<SupplierId>) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value, h.new_value
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id
             WHERE h.supplier_id IS ?1 ORDER BY h.id",
        )?;
        let rows = stmt.query_map([supplier.map(|s| s.0)], |r| {
            Ok(HistoryEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                supplier: r.get(2)?,
                entity: r.get(3)?,
                key: r.get(4)?,
                action: r.get(5)?,
                field: r.get(6)?,
                old: r.get(7)?,
                new: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Follows the history chain row by row; returns one sentence per
    /// problem, the number of rows, and the head (row id, hash) to note down.
    pub fn verify_history(&self) -> Result<(Vec<String>, usize, (i64, String))> {
        let mut stmt = self.conn.prepare(
            "SELECT h.id, h.at, h.actor, s.code, h.entity, h.entity_key, h.action, h.field, h.old_value,
                    h.new_value, h.fact_hash, h.chain_hash
             FROM history h LEFT JOIN suppliers s ON s.id = h.supplier_id ORDER BY h.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut problems = Vec::new();
        let mut previous = HISTORY_GENESIS.to_owned();
        let mut head = (0, HISTORY_GENESIS.to_owned());
        let mut count = 0;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let text = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str_or_null().ok().flatten());
            let row = ChainedRow {
                at: text(1).unwrap_or_default(),
                actor: text(2).unwrap_or_default(),
                supplier: text(3),
                entity: text(4).unwrap_or_default(),
                key: text(5).unwrap_or_default(),
                action: text(6).unwrap_or_default(),
                field: text(7),
                old: text(8),
                new: text(9),
                fact: text(10),
            };
            let stored = text(11).unwrap_or_default().to_owned();
            if history_link(&previous, &row) != stored {
                problems.push(format!(
                    "history row {id} ({} {} {}) does not follow from the row before it: a history row was \
                     edited, removed or moved",
                    row.action, row.entity, row.key
                ));
            }
            count += 1;
            head = (id, stored.clone());
            previous = stored;
        }
        Ok((problems, count, head))
    }

    /// Whether the history chain still holds a head noted down earlier; a
    /// sentence saying what is wrong if not.
    pub fn history_head_problem(&self, noted: &super::NotedHead) -> Result<Option<String>> {
        let mut links: Vec<(i64, String)> = match noted.seq {
            Some(seq) => self
                .conn
                .prepare_cached("SELECT id, chain_hash FROM history WHERE id = ?1")?
                .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?,
            None => self
                .conn
                .prepare_cached("SELECT id, chain_hash FROM history WHERE chain_hash = ?1")?
                .query_map([&noted.hash], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?,
        };
        // The last link tells where the chain ends now.
        links.push(history_head(self.conn)?);
        Ok(super::head_problem(noted, &links, "history chain"))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::Index;
    use rusqlite::params;

    use super::*;
    use crate::store::Store;

    /// A database whose history holds `n` policy changes, values `v0`…,
    /// with the history's triggers dropped, as an attacker would.
    fn history_of(n: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let w = store.begin("tester").unwrap();
        for i in 0..n {
            let (key, value) = (format!("k{i}"), format!("v{i}"));
            w.record(&Change {
                new: Some(&value),
                ..Change::of(None, HistoryEntity::Policy, &key, HistoryAction::Update)
            })
            .unwrap();
        }
        w.commit().unwrap();
        store
            .conn()
            .execute_batch("DROP TRIGGER history_append_only_update; DROP TRIGGER history_append_only_delete;")
            .unwrap();
        store
    }

    fn problems(store: &Store) -> Vec<String> {
        store.read().verify_history().unwrap().0
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Editing any row, deleting any row but the newest, or swapping two
        /// rows' values shows; an untouched chain verifies.
        #[test]
        fn any_change_to_history_but_dropping_the_newest_row_shows(
            n in 2_usize..24,
            op in 0_u8..3,
            a in any::<Index>(),
            b in any::<Index>(),
            text in "[a-z]{1,8}",
        ) {
            let store = history_of(n);
            prop_assert!(problems(&store).is_empty());
            let conn = store.conn();
            let id = |k: usize| i64::try_from(k).unwrap() + 1;
            let (i, j) = (id(a.index(n)), id(b.index(n)));
            match op {
                0 => { conn.execute("UPDATE history SET new_value = ?2 WHERE id = ?1", params![i, text]).unwrap(); }
                1 => { conn.execute("DELETE FROM history WHERE id = ?1", [id(a.index(n - 1))]).unwrap(); }
                _ => {
                    let j = if i == j { i % id(n - 1) + 1 } else { j };
                    conn.execute(
                        "UPDATE history SET new_value = CASE id WHEN ?1 THEN (SELECT new_value FROM history WHERE id = ?2)
                                                                  ELSE (SELECT new_value FROM history WHERE id = ?1) END
                         WHERE id IN (?1, ?2)",
                        params![i, j],
                    ).unwrap();
                }
            }
            prop_assert!(!problems(&store).is_empty(), "op {} at {} / {} of {} went unseen", op, i, j, n);
        }
    }

    #[test]
    fn dropping_the_newest_row_shows_only_against_a_noted_head() {
        let store = history_of(5);
        let (_, _, head) = store.read().verify_history().unwrap();
        let noted = crate::store::NotedHead { seq: Some(head.0), hash: head.1 };
        store.conn().execute("DELETE FROM history WHERE id = 5", []).unwrap();
        assert!(problems(&store).is_empty());
        let problem = store.read().history_head_problem(&noted).unwrap().unwrap();
        assert!(problem.contains("the chain now ends at #4"), "{problem}");
    }
}
