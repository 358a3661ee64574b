//! Writing a report from the UI: on its own thread with its own connection
//! (typesetting a report with many photos takes a moment), telling which
//! step it is on through one counter the progress line reads, and its result
//! through a channel. A database only in memory has no second connection,
//! so there the report is written at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::Data;
use crate::error::{Error, Result};
use crate::report::{self, Format, Step, Subject, Written};

/// The steps in order; the counter holds an index into this.
const STEPS: [fn(Format) -> Step; 3] = [|_| Step::Reading, Step::Rendering, |_| Step::Writing];

#[derive(Debug)]
pub struct ReportJob {
    pub subject: Subject,
    pub format: Format,
    pub path: PathBuf,
    step: Arc<AtomicU8>,
    receiver: Receiver<Result<Written>>,
}

/// A report started: running, or (in memory) already written.
#[derive(Debug)]
pub enum ReportStarted {
    Running(ReportJob),
    Done(Result<Written>),
}

fn step_index(step: Step) -> u8 {
    match step {
        Step::Reading => 0,
        Step::Rendering(_) => 1,
        Step::Writing => 2,
    }
}

impl ReportJob {
    /// The step being carried out now.
    pub fn step(&self) -> Step {
        let at = usize::from(self.step.load(Ordering::Relaxed)).min(STEPS.len() - 1);
        STEPS[at](self.format)
    }

    /// The outcome, once the report is written (or has failed).
    pub fn poll(&self) -> Option<Result<Written>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(Error::Invalid("the report thread stopped".into()))),
        }
    }
}

impl Data {
    /// Writes the report of `subject` to `path` as `casebook report` does.
    pub fn start_report(&mut self, subject: Subject, format: Format, path: &Path) -> ReportStarted {
        let as_of = self.as_of;
        let second = match self.store.reopen() {
            Ok(Some(second)) => second,
            Ok(None) => {
                return ReportStarted::Done(report::write(&self.store, &subject, format, as_of, path, &mut |_| {}));
            }
            Err(e) => return ReportStarted::Done(Err(e)),
        };
        let (sender, receiver) = mpsc::channel();
        let step = Arc::new(AtomicU8::new(0));
        let (shared, target, about) = (Arc::clone(&step), path.to_owned(), subject.clone());
        let spawned = std::thread::Builder::new().name("casebook-report".into()).spawn(move || {
            let mut tell = |s: Step| shared.store(step_index(s), Ordering::Relaxed);
            // The receiver is gone only when the UI has quit.
            let _ = sender.send(report::write(&second, &about, format, as_of, &target, &mut tell));
        });
        match spawned {
            Ok(_) => ReportStarted::Running(ReportJob { subject, format, path: path.to_owned(), step, receiver }),
            Err(e) => ReportStarted::Done(Err(Error::Io(e))),
        }
    }
}
