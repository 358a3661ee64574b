//! The team hub in the UI: `Ctrl-S` syncs with the remembered hub in the
//! background while the UI goes on; the status line shows the stage, then
//! the last sync and the changes not yet on the hub (read from this
//! database after every key, never by connecting); the result arrives as a
//! notice once no other popup is open.

use super::app::App;
use super::data::SyncStarted;
use super::list::Scroll;
use super::popup::Popup;
use super::theme::Tone;
use crate::error::Result;
use crate::workflow::sync::SyncReport;

impl App {
    /// `Ctrl-S`: starts a sync, unless one is running.
    pub(super) fn start_sync(&mut self) {
        if self.sync.is_some() {
            self.popup = Some(Popup::Notice {
                title: "Already syncing".to_owned(),
                lines: vec!["A sync with the hub is running; the status line shows where it is.".to_owned()],
                tone: Tone::Warn,
            });
            return;
        }
        // The draft editor holds its place back; the sync reads the database.
        self.flush_pending();
        match self.data.start_sync() {
            SyncStarted::Running(job) => self.sync = Some(job),
            SyncStarted::Done(result) => self.synced(*result),
        }
        self.refresh_hub();
    }

    /// A running sync that has finished, and a result waiting for the
    /// popup in the way to close; `true` if anything changed on screen.
    pub(super) fn poll_sync(&mut self) -> bool {
        let finished = match &self.sync {
            Some(job) => job.poll(),
            None => None,
        };
        let done = finished.is_some();
        if let Some(result) = finished {
            self.sync = None;
            self.synced(result);
        }
        if self.popup.is_none()
            && let Some(notice) = self.sync_notice.take()
        {
            self.popup = Some(notice);
            return true;
        }
        done
    }

    fn synced(&mut self, result: Result<SyncReport>) {
        let notice = match result {
            Ok(report) => {
                let merged = report.merged.as_ref().is_some_and(|m| m.added.total() + m.updated.total() > 0);
                let tone = if report.clean() { Tone::Good } else { Tone::Warn };
                let (title, lines) = ("Synced with the hub".to_owned(), sync_lines(&report));
                let notice = Popup::Report { title, lines, tone, scroll: Scroll::default() };
                if merged {
                    self.reassess_all();
                }
                notice
            }
            Err(e) => Popup::error(format!("The sync with the hub did not finish: {e}")),
        };
        self.refresh_hub();
        if self.popup.is_none() {
            self.popup = Some(notice);
        } else {
            self.sync_notice = Some(notice);
        }
    }

    /// Reads again what the status line says of the hub (this database only).
    pub(super) fn refresh_hub(&mut self) {
        self.hub = self.data.hub_line().ok().flatten();
    }

    /// The status line's words about the hub: `None` when no hub is set.
    pub(super) fn hub_words(&self) -> Option<String> {
        if let Some(job) = &self.sync {
            return Some(format!("hub: syncing, {}", job.stage()));
        }
        let hub = self.hub.as_ref()?;
        let last = hub.state.as_ref().and_then(|s| s.synced_at.as_deref()).map_or_else(
            || "never synced".to_owned(),
            |at| format!("last sync {} UTC", at.get(..16).unwrap_or(at).replace('T', " ")),
        );
        Some(format!("hub: {last} · {} not on the hub", hub.unsynced))
    }
}

/// How many refused records the notice names (`casebook sync` names more).
const NAMED: usize = 3;

/// The notice of a finished sync: what came, what went, what was refused
/// and why.
fn sync_lines(report: &SyncReport) -> Vec<String> {
    let mut lines = vec![format!("{} as {}.", report.hub, report.login)];
    match &report.merged {
        None => lines.push("Pulled: nothing new on the hub.".to_owned()),
        Some(m) => {
            lines.push(format!(
                "Pulled {} hub row(s): added here {}; already here {}.",
                report.pulled.total(),
                m.added,
                m.already
            ));
            lines.extend(m.refused.iter().map(|r| format!("Refused here: {r}.")));
            lines.extend(m.conflicts.iter().map(|c| format!("Conflict resolved: {c}.")));
        }
    }
    let p = &report.pushed;
    let words = |map: &std::collections::BTreeMap<&str, u64>| {
        let parts: Vec<String> = map.iter().filter(|(_, n)| **n > 0).map(|(t, n)| format!("{t} {n}")).collect();
        if parts.is_empty() { "nothing".to_owned() } else { parts.join(", ") }
    };
    lines.push(format!("Pushed: added {}; already on the hub {}.", words(&p.added), words(&p.already)));
    for r in &p.refused {
        let named: Vec<&str> = r.records.iter().take(NAMED).map(String::as_str).collect();
        let more = r.count.saturating_sub(named.len() as u64);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        lines.push(format!("Refused by the hub ({}): {}{more}.", r.why, named.join(", ")));
    }
    lines.extend(p.conflicts.iter().map(|c| format!("Not pushed, a conflict of facts: {}.", c.record)));
    if !p.refused.is_empty() || !p.conflicts.is_empty() {
        lines.push("Nothing refused was pushed; this database is unchanged by the refusal.".to_owned());
    }
    lines
}
