//! Syncing with the team hub from the UI (`Ctrl-S`): on its own thread with
//! its own connection, as `casebook sync` does with the remembered hub,
//! telling its stage through counters the status line reads, and its report
//! through a channel. The UI goes on meanwhile. A database only in memory
//! has no second connection, so there the sync runs at once.
//!
//! The status line's other half ([`Data::hub_line`]) reads only this
//! database: connecting is for `Ctrl-S`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::Data;
use crate::error::{Error, Result};
use crate::workflow::sync::{Stage, SyncReport, sync};
use crate::workflow::{HubLocal, hub_local, remembered_hub};

#[derive(Debug, Default)]
struct Progress {
    /// 0 connecting, 1 pulling, 2 merging, 3 pushing, 4 lots pulled and merged at once.
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    fn tell(&self, stage: Stage) {
        let (at, done, total) = match stage {
            Stage::Pulling { done, total } => (1, done, total),
            Stage::Merging => (2, 0, 0),
            Stage::Pushing { rows } => (3, 0, rows),
            Stage::MergingLots { done, total } => (4, done, total),
        };
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.stage.store(at, Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub struct SyncJob {
    progress: Arc<Progress>,
    receiver: Receiver<Result<SyncReport>>,
}

/// A sync started: running, or (in memory, or refused before starting)
/// already done.
#[derive(Debug)]
pub enum SyncStarted {
    Running(SyncJob),
    Done(Box<Result<SyncReport>>),
}

impl SyncJob {
    /// Where the sync is, in a few words for the status line.
    pub fn stage(&self) -> String {
        let (done, total) = (self.progress.done.load(Ordering::Relaxed), self.progress.total.load(Ordering::Relaxed));
        match self.progress.stage.load(Ordering::Relaxed) {
            0 => "connecting…".to_owned(),
            1 => format!("pulling {done}/{total} rows…"),
            2 => "merging…".to_owned(),
            4 => format!("pulling and merging lots {done}/{total} rows…"),
            _ => format!("pushing {total} rows…"),
        }
    }

    /// The report, once the sync has finished (or failed).
    pub fn poll(&self) -> Option<Result<SyncReport>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(Error::Invalid("the sync thread stopped".into()))),
        }
    }
}

impl Data {
    /// The remembered hub, the last sync and the changes not yet on the hub
    /// (`None`: no hub set). Reads this database only.
    pub fn hub_line(&self) -> Result<Option<HubLocal>> {
        hub_local(&self.store)
    }

    /// Syncs with the remembered hub as `casebook sync` does.
    pub fn start_sync(&mut self) -> SyncStarted {
        let url = match remembered_hub(&self.store) {
            Ok(url) => url,
            Err(e) => return SyncStarted::Done(Box::new(Err(e))),
        };
        let mut second = match self.store.reopen() {
            Ok(Some(second)) => second,
            Ok(None) => return SyncStarted::Done(Box::new(sync(&mut self.store, &url, &self.actor, &mut |_| {}))),
            Err(e) => return SyncStarted::Done(Box::new(Err(e))),
        };
        let (sender, receiver) = mpsc::channel();
        let progress = Arc::new(Progress::default());
        let (shared, actor) = (Arc::clone(&progress), self.actor.clone());
        let spawned = std::thread::Builder::new().name("casebook-sync".into()).spawn(move || {
            let result = sync(&mut second, &url, &actor, &mut |stage| shared.tell(stage));
            drop(second);
            // The receiver is gone only when the UI has quit.
            let _ = sender.send(result);
        });
        match spawned {
            Ok(_) => SyncStarted::Running(SyncJob { progress, receiver }),
            Err(e) => SyncStarted::Done(Box::new(Err(Error::Io(e)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status line names each stage with its own counts: lots are
    /// pulled and merged at once, and said so (not "pulling").
    #[test]
    fn the_status_line_follows_the_stages() {
        let (_tx, receiver) = std::sync::mpsc::channel();
        let job = SyncJob { progress: Arc::new(Progress::default()), receiver };
        assert_eq!(job.stage(), "connecting…");
        let said: Vec<String> = [
            Stage::Pulling { done: 3, total: 10 },
            Stage::Merging,
            Stage::MergingLots { done: 7, total: 10 },
            Stage::Pushing { rows: 4 },
        ]
        .into_iter()
        .map(|stage| {
            job.progress.tell(stage);
            job.stage()
        })
        .collect();
        assert_eq!(said, ["pulling 3/10 rows…", "merging…", "pulling and merging lots 7/10 rows…", "pushing 4 rows…"]);
    }
}
