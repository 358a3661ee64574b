//! Waiting for another process's write to finish, and saying so.
//!
//! SQLite lets one writer at a time hold a database. A long import holds the
//! write lock for the whole file, so a tenth import started beside nine
//! others may wait minutes: rather than failing with a bare "database is
//! locked" after a fixed timeout, a write waits up to its [`Patience`], tells
//! (once, after a second) what it is waiting for, and fails with a sentence
//! saying what to do when the wait runs out.
//!
//! SQLite's busy handler is a plain function, so what the wait is for lives
//! in a thread-local set around the statement that may wait.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a statement waits for another process's lock when nothing
/// else was said: reads and commits, which rarely wait at all.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(30);

/// After how long a waiting write says that it is waiting.
const TELL_AFTER: Duration = Duration::from_secs(1);

/// Told where a write waits, and for how long it will.
pub type Notice = Arc<dyn Fn(&Path, Duration) + Send + Sync>;

/// How long a write waits for another process's write lock, and whom it
/// tells that it is waiting.
#[derive(Clone)]
pub struct Patience {
    pub limit: Duration,
    pub notice: Option<Notice>,
}

impl Default for Patience {
    fn default() -> Self {
        Self { limit: DEFAULT_PATIENCE, notice: None }
    }
}

impl std::fmt::Debug for Patience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patience").field("limit", &self.limit).field("notice", &self.notice.is_some()).finish()
    }
}

struct Waiting {
    path: PathBuf,
    patience: Patience,
    started: Instant,
    told: bool,
}

thread_local! {
    static WAITING: RefCell<Option<Waiting>> = const { RefCell::new(None) };
}

/// The wait of the statements run while the guard lives (on this thread).
pub(super) struct Scope;

impl Scope {
    pub(super) fn enter(path: &Path, patience: &Patience) -> Self {
        WAITING.with_borrow_mut(|w| {
            *w = Some(Waiting {
                path: path.to_owned(),
                patience: patience.clone(),
                started: Instant::now(),
                told: false,
            });
        });
        Self
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        WAITING.with_borrow_mut(|w| *w = None);
    }
}

thread_local! {
    /// When the current run of busy calls began, outside a [`Scope`].
    static BUSY_SINCE: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

/// SQLite's busy handler: `true` to try again after a short sleep.
pub(super) fn busy(count: i32) -> bool {
    let now = Instant::now();
    let go_on = WAITING.with_borrow_mut(|w| {
        let Some(w) = w else {
            if count == 0 {
                BUSY_SINCE.set(Some(now));
            }
            return now - BUSY_SINCE.get().unwrap_or(now) < DEFAULT_PATIENCE;
        };
        if count == 0 {
            w.started = now;
        }
        let waited = now - w.started;
        if !w.told && waited >= TELL_AFTER {
            w.told = true;
            if let Some(notice) = &w.patience.notice {
                notice(&w.path, w.patience.limit);
            }
        }
        waited < w.patience.limit
    });
    if go_on {
        // Short sleeps first (another save ends in milliseconds), then 50 ms.
        let ms = u64::try_from(count).unwrap_or(0).saturating_add(1).min(50);
        std::thread::sleep(Duration::from_millis(ms));
    }
    go_on
}

/// "10 min", "45 s": a wait limit for messages.
pub fn describe(limit: Duration) -> String {
    let secs = limit.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) { format!("{} min", secs / 60) } else { format!("{secs} s") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_write_waits_its_patience_and_tells_once_after_a_second() {
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&told);
        let patience = Patience {
            limit: Duration::from_millis(1300),
            notice: Some(Arc::new(move |path: &Path, limit| sink.lock().unwrap().push((path.to_owned(), limit)))),
        };
        let scope = Scope::enter(Path::new("x.db"), &patience);
        let start = Instant::now();
        let mut count = 0;
        while busy(count) {
            count += 1;
        }
        let waited = start.elapsed();
        drop(scope);
        assert!(waited >= Duration::from_millis(1300) && waited < Duration::from_secs(3), "{waited:?}");
        assert_eq!(*told.lock().unwrap(), [(PathBuf::from("x.db"), Duration::from_millis(1300))]);
    }

    #[test]
    fn limits_are_described_in_minutes_or_seconds() {
        assert_eq!(describe(Duration::from_secs(600)), "10 min");
        assert_eq!(describe(Duration::from_secs(90)), "90 s");
        assert_eq!(describe(Duration::from_secs(2)), "2 s");
    }
}
