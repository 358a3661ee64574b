//! Reports from the UI (`P` on an audit or a supplier): the path prompt's
//! answer starts the report in the background, the progress line shows its
//! step, and a notice says where it went and what could not be shown.

use std::path::Path;

use super::app::App;
use super::data::ReportStarted;
use super::popup::Popup;
use super::theme::Tone;
use crate::error::Result;
use crate::report::{Format, Subject, Written};

impl App {
    /// Enter in the report prompt: the format comes from the file name.
    pub(super) fn start_report(&mut self, subject: &Subject, path: &Path) {
        let Some(format) = Format::from_path(path) else {
            self.popup = Some(Popup::error(format!(
                "{}: end the file name with .pdf or .html to choose the report's format",
                path.display()
            )));
            return;
        };
        // The draft editor holds its place back; the report reads the database.
        self.flush_pending();
        match self.data.start_report(subject.clone(), format, path) {
            ReportStarted::Running(job) => self.popup = Some(Popup::Reporting(job)),
            ReportStarted::Done(result) => self.reported(subject, path, result),
        }
    }

    /// A running report that has finished; `true` if so.
    pub(super) fn poll_report(&mut self) -> bool {
        let Some(Popup::Reporting(job)) = &self.popup else { return false };
        let Some(result) = job.poll() else { return false };
        let (subject, path) = (job.subject.clone(), job.path.clone());
        self.reported(&subject, &path, result);
        true
    }

    fn reported(&mut self, subject: &Subject, path: &Path, result: Result<Written>) {
        self.popup = Some(match result {
            Ok(written) => {
                let mut lines = vec![format!("The report of {} ({} bytes) is in", subject.describe(), written.bytes)];
                lines.push(path.display().to_string());
                lines.extend(written.warnings.iter().map(|w| format!("Warning: {w}")));
                let tone = if written.warnings.is_empty() { Tone::Good } else { Tone::Warn };
                Popup::Notice { title: "Report written".to_owned(), lines, tone }
            }
            Err(e) => Popup::error(format!("The report of {} was not written: {e}", subject.describe())),
        });
    }
}
