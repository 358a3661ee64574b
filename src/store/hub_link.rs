//! The laptop's side of the team hub, in SQLite: which hub `casebook hub
//! set` remembered, and how far this database has synced with each hub it
//! knows (by the hub's identity).

use rusqlite::{OptionalExtension, params};

use super::hub::HubUrl;
use super::{Reader, Writer};
use crate::error::Result;

/// The remembered hub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HubLink {
    pub url: String,
    pub set_at: String,
    pub set_by: String,
}

/// How far this database has synced with one hub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HubState {
    pub hub_id: String,
    pub url: String,
    /// Every hub row with a `seq` up to this one is merged here.
    pub pulled_seq: i64,
    /// Local history entries up to this id were on the hub after the last sync.
    pub history_mark: i64,
    /// When the last complete sync ended.
    pub synced_at: Option<String>,
}

impl Writer<'_> {
    /// Remembers `url` as this database's hub. A URL carrying a password is
    /// refused: casebook never stores one.
    pub fn set_hub_link(&self, url: &HubUrl) -> Result<()> {
        let text = url.storable()?;
        self.conn()
            .prepare_cached(
                "INSERT INTO hub_link (id, url, set_at, set_by) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET url = excluded.url, set_at = excluded.set_at, set_by = excluded.set_by",
            )?
            .execute(params![text, self.at, self.actor])?;
        Ok(())
    }

    /// Records how far this database has synced with a hub.
    pub fn save_hub_state(&self, state: &HubState) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO hub_state (hub_id, url, pulled_seq, history_mark, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (hub_id) DO UPDATE SET url = excluded.url, pulled_seq = excluded.pulled_seq,
                    history_mark = excluded.history_mark, synced_at = excluded.synced_at",
            )?
            .execute(params![state.hub_id, state.url, state.pulled_seq, state.history_mark, state.synced_at])?;
        Ok(())
    }
}

impl Reader<'_> {
    pub fn hub_link(&self) -> Result<Option<HubLink>> {
        Ok(self
            .conn
            .prepare_cached("SELECT url, set_at, set_by FROM hub_link WHERE id = 1")?
            .query_row([], |r| Ok(HubLink { url: r.get(0)?, set_at: r.get(1)?, set_by: r.get(2)? }))
            .optional()?)
    }

    /// What this database has of the hub `hub_id`.
    pub fn hub_state(&self, hub_id: &str) -> Result<Option<HubState>> {
        self.hub_state_where("hub_id = ?1", hub_id)
    }

    /// The state of the hub last synced with at `url` (the UI's status line
    /// uses it without connecting).
    pub fn hub_state_for_url(&self, url: &str) -> Result<Option<HubState>> {
        self.hub_state_where("url = ?1 ORDER BY synced_at DESC", url)
    }

    fn hub_state_where(&self, filter: &str, arg: &str) -> Result<Option<HubState>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT hub_id, url, pulled_seq, history_mark, synced_at FROM hub_state WHERE {filter} LIMIT 1"
            ))?
            .query_row([arg], |r| {
                Ok(HubState {
                    hub_id: r.get(0)?,
                    url: r.get(1)?,
                    pulled_seq: r.get(2)?,
                    history_mark: r.get(3)?,
                    synced_at: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// History entries recorded after `mark` that a push carries: changes
    /// made here since the last sync (not what merges noted about
    /// themselves, nor checklist templates, which stay local).
    pub fn history_after(&self, mark: i64) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM history WHERE id > ?1 AND entity NOT IN ('merge', 'sync', 'checklist')",
            )?
            .query_row([mark], |r| r.get(0))?)
    }

    /// What changed here in the history ids `after..` (but for the range
    /// `skip`, what a pull merged): the suppliers concerned, and whether
    /// anything not tied to a supplier (the policy) changed.
    pub fn changed_since(&self, after: i64, skip: (i64, i64)) -> Result<super::PushScope> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT supplier_id FROM history WHERE id > ?1 AND NOT (id > ?2 AND id <= ?3)
               AND entity NOT IN ('merge', 'sync')",
        )?;
        let ids: Vec<Option<i64>> =
            stmt.query_map(params![after, skip.0, skip.1], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(super::PushScope {
            all: false,
            global: ids.iter().any(Option::is_none),
            suppliers: ids.into_iter().flatten().map(super::SupplierId).collect(),
            shape: super::RowShape::HubV1,
        })
    }

    /// The highest history id (0 when there is none).
    pub fn history_head(&self) -> Result<i64> {
        Ok(self.conn.prepare_cached("SELECT coalesce(max(id), 0) FROM history")?.query_row([], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::store::hub::HubUrl;

    #[test]
    fn a_url_with_a_password_is_never_stored() {
        let mut store = Store::open_in_memory().unwrap();
        let w = store.begin("t").unwrap();
        let env = |_: &str| None;
        let secret = HubUrl::parse_with("postgresql://lin:s3cret@hub/team", &env).unwrap();
        let err = w.set_hub_link(&secret).unwrap_err();
        assert!(err.to_string().contains("never stores"), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        let plain = HubUrl::parse_with("postgresql://lin@hub/team", &env).unwrap();
        w.set_hub_link(&plain).unwrap();
        w.commit().unwrap();
        let link = store.read().hub_link().unwrap().unwrap();
        assert_eq!((link.url.as_str(), link.set_by.as_str()), ("postgresql://lin@hub/team", "t"));
    }
}
