//! The laptop's link to the team hub: remembering it (`casebook hub set`),
//! what this database knows of it without connecting (the UI's status line
//! reads that on every change), and what `casebook hub status` adds by
//! connecting.

use crate::error::{Error, Result};
use crate::store::hub::{Hub, HubInfo, HubUrl, Login};
use crate::store::{HubLink, HubState, Store};

/// Checks that `url` is a hub this casebook can sync with, then remembers it
/// in `store`. Returns the hub and who the URL logs in as.
pub fn set_hub(store: &mut Store, url: &HubUrl, actor: &str) -> Result<(HubInfo, Login)> {
    // Refused before connecting: a URL with a password is not tried either.
    url.storable()?;
    let mut hub = Hub::connect(url)?;
    let info = hub.info()?;
    let login = hub.login()?;
    let w = store.begin(actor)?;
    w.set_hub_link(url)?;
    w.commit()?;
    Ok((info, login))
}

/// The hub `casebook hub set` remembered, parsed; an error saying how to
/// set one when there is none.
pub fn remembered_hub(store: &Store) -> Result<HubUrl> {
    let link = store.read().hub_link()?.ok_or_else(|| {
        Error::Invalid(
            "no hub for this database: give its URL (casebook sync URL) or remember one with `casebook hub set URL`"
                .into(),
        )
    })?;
    HubUrl::parse(&link.url)
}

/// What this database knows of its hub without connecting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HubLocal {
    pub link: HubLink,
    /// How far it has synced with that hub (`None`: never).
    pub state: Option<HubState>,
    /// Changes recorded here since the last complete sync.
    pub unsynced: i64,
}

/// The remembered hub, how far this database has synced with it and how
/// many changes are not on it yet; `None` when no hub is set. Two small
/// reads, no connection.
pub fn hub_local(store: &Store) -> Result<Option<HubLocal>> {
    let read = store.read();
    let Some(link) = read.hub_link()? else { return Ok(None) };
    let state = read.hub_state_for_url(&link.url)?;
    let unsynced = read.history_after(state.as_ref().map_or(0, |s| s.history_mark))?;
    Ok(Some(HubLocal { link, state, unsynced }))
}

/// What `casebook hub status` says about the hub.
#[derive(Debug, serde::Serialize)]
pub struct HubStatus {
    pub link: Option<HubLink>,
    pub state: Option<HubState>,
    /// Changes recorded here since the last complete sync.
    pub unsynced: i64,
    /// Who the remembered URL logs in as, or why it cannot now.
    #[serde(serialize_with = "reached_json")]
    pub reached: std::result::Result<Login, String>,
}

fn reached_json<S: serde::Serializer>(
    reached: &std::result::Result<Login, String>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::Serialize as _;
    match reached {
        Ok(login) => login.serialize(s),
        Err(why) => serde_json::json!({ "error": why }).serialize(s),
    }
}

/// The remembered hub, how far this database has synced with it, and
/// (connecting) who it logs in as.
pub fn hub_status(store: &Store) -> Result<HubStatus> {
    let Some(local) = hub_local(store)? else {
        let unsynced = store.read().history_after(0)?;
        return Ok(HubStatus { link: None, state: None, unsynced, reached: Err("no hub set".to_owned()) });
    };
    let reached = HubUrl::parse(&local.link.url)
        .and_then(|url| Hub::connect(&url))
        .and_then(|mut hub| {
            hub.info()?;
            hub.login()
        })
        .map_err(|e| e.to_string());
    Ok(HubStatus { link: Some(local.link), state: local.state, unsynced: local.unsynced, reached })
}

/// Hands draft `reference` over, on the remembered hub, to auditor login
/// `to`: from then on that login may push under it too. Returns the hub
/// and whether the hand-over is new.
pub fn hand_over(store: &Store, reference: &str, to: &str) -> Result<(HubUrl, bool)> {
    let url = remembered_hub(store)?;
    let read = store.read();
    let id = read.require_audit(reference)?;
    let gid = read.audit_gid(id)?.to_string();
    let (supplier, _) = read
        .audit_owner(reference)?
        .ok_or_else(|| Error::NotFound(format!("no audit with reference `{reference}`")))?;
    let mut hub = Hub::connect(&url)?;
    hub.info()?;
    let added = hub.hand_over((&gid, reference, &supplier), to)?;
    Ok((url, added))
}
