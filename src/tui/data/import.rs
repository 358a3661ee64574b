//! A file import from the UI: on its own thread with its own connection
//! (the importer holds the write lock for the whole file), telling its
//! progress through two counters the progress bar reads, and its report
//! through a channel. A database only in memory has no second connection,
//! so there the import runs at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::Data;
use crate::error::{Error, Result};
use crate::exchange::{self, ImportOptions, ImportReport};

#[derive(Debug, Default)]
struct Progress {
    read: AtomicU64,
    total: AtomicU64,
}

#[derive(Debug)]
pub struct ImportJob {
    pub path: PathBuf,
    progress: Arc<Progress>,
    receiver: Receiver<Result<ImportReport>>,
}

/// An import started: running, or (in memory) already done.
#[derive(Debug)]
pub enum Started {
    Running(ImportJob),
    Done(Box<Result<ImportReport>>),
}

impl ImportJob {
    /// (bytes read, bytes in the file).
    pub fn progress(&self) -> (u64, u64) {
        (self.progress.read.load(Ordering::Relaxed), self.progress.total.load(Ordering::Relaxed))
    }

    /// The report, once the import has finished.
    pub fn poll(&self) -> Option<Result<ImportReport>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(Error::Invalid("the import thread stopped".into()))),
        }
    }
}

impl Data {
    /// Imports `path` (CSV lots or a dossier, chosen by content) as the
    /// command line's `import` does: all or nothing.
    pub fn start_import(&mut self, path: &Path) -> Started {
        let second = match self.store.reopen() {
            Ok(Some(second)) => second,
            Ok(None) => {
                let options = ImportOptions::default();
                return Started::Done(Box::new(exchange::import_file(&mut self.store, path, &self.actor, options)));
            }
            Err(e) => return Started::Done(Box::new(Err(e))),
        };
        let (sender, receiver) = mpsc::channel();
        let progress = Arc::new(Progress::default());
        let (shared, actor, file) = (Arc::clone(&progress), self.actor.clone(), path.to_owned());
        let spawned = std::thread::Builder::new().name("casebook-import".into()).spawn(move || {
            let mut store = second;
            let tell = move |read: u64, total: u64| {
                shared.read.store(read, Ordering::Relaxed);
                shared.total.store(total, Ordering::Relaxed);
            };
            let options = ImportOptions { on_progress: Some(&tell), ..ImportOptions::default() };
            // The receiver is gone only when the UI has quit.
            let _ = sender.send(exchange::import_file(&mut store, &file, &actor, options));
        });
        match spawned {
            Ok(_) => Started::Running(ImportJob { path: path.to_owned(), progress, receiver }),
            Err(e) => Started::Done(Box::new(Err(Error::Io(e)))),
        }
    }
}
