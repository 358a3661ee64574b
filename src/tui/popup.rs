//! Popups over the current screen, at most one at a time: the help overlay
//! (generated from the screen's key tables), a notice (an export's path, an
//! error), the export path prompt, and recording's: a form, the submit
//! confirmation, a running import and its report (drawn in [`record`]).

mod record;

use std::path::Path;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::data::{ExportFormat, ImportJob, ReportJob};
use super::form_kit::Step;
use super::input::{Edit, TextInput};
use super::keys::{self, KeyMap, keys_label};
use super::list::Scroll;
use super::message::Message;
use super::record_forms::FormPopup;
use super::theme::{Theme, Tone};
use super::widgets::{centered, popup_frame};

#[derive(Debug)]
pub enum Popup {
    Help {
        keys: &'static KeyMap,
        scroll: Scroll,
    },
    Notice {
        title: String,
        lines: Vec<String>,
        tone: Tone,
    },
    Export {
        format: ExportFormat,
        path: TextInput,
    },
    /// Where to write the report of an audit or a supplier.
    ReportPath {
        subject: crate::report::Subject,
        path: TextInput,
    },
    /// A report being written, with the step it is on.
    Reporting(ReportJob),
    Form(Box<FormPopup>),
    Submit(Box<record::SubmitConfirm>),
    /// Void this record for the reason typed? (`n` goes back to the form.)
    ConfirmVoid(Box<record::VoidConfirm>),
    Importing(ImportJob),
    /// A long notice that scrolls (an import's report).
    Report {
        title: String,
        lines: Vec<String>,
        tone: Tone,
        scroll: Scroll,
    },
    /// Quit with a form or a draft open? `behind` is the popup it covers
    /// (a form), back if the answer is no.
    ConfirmQuit {
        lines: Vec<String>,
        behind: Option<Box<Popup>>,
    },
}

pub use record::{SubmitConfirm, VoidConfirm, report_lines};

/// What a message did to the popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Stay,
    Close,
    /// Enter in a prompt: the app acts on what was typed.
    Submit,
    Quit,
}

impl Popup {
    pub fn help(keys: &'static KeyMap) -> Self {
        Self::Help { keys, scroll: Scroll::default() }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::Notice { title: "Something went wrong".to_owned(), lines: vec![message.into()], tone: Tone::Bad }
    }

    pub fn export(format: ExportFormat, path: &Path) -> Self {
        Self::Export { format, path: TextInput::new(path.display().to_string()) }
    }

    pub fn confirm_quit(form: bool, draft: bool, behind: Option<Box<Popup>>) -> Self {
        let mut lines = Vec::new();
        if form {
            lines.push("The form open is not saved: quitting drops what it holds.".to_owned());
        }
        if draft {
            lines.push(
                "A draft audit is open. Everything recorded in it is saved; it reopens from the Audits pane \
                 (or the Suppliers screen's drafts line)."
                    .to_owned(),
            );
        }
        Self::ConfirmQuit { lines, behind }
    }

    /// What is left when this popup closes (a declined quit goes back to the form).
    pub fn closed(self) -> Option<Self> {
        match self {
            Self::ConfirmQuit { behind, .. } => behind.map(|b| *b),
            Self::ConfirmVoid(confirm) => Some(Self::Form(Box::new(confirm.form))),
            _ => None,
        }
    }

    pub fn keys(&self) -> &'static KeyMap {
        match self {
            Self::ConfirmQuit { .. } => &keys::CONFIRM_QUIT,
            Self::Help { .. } => &keys::HELP,
            Self::Notice { .. } => &keys::NOTICE,
            Self::Export { .. } | Self::ReportPath { .. } => &keys::PROMPT,
            Self::Reporting(_) => &keys::REPORTING,
            Self::Form(_) => &keys::FORM,
            Self::Submit(_) => &keys::CONFIRM,
            Self::ConfirmVoid(_) => &keys::CONFIRM_VOID,
            Self::Importing(_) => &keys::BUSY,
            Self::Report { .. } => &keys::REPORT,
        }
    }

    pub fn update(&mut self, msg: Message) -> Closing {
        if msg == Message::Quit {
            return Closing::Quit;
        }
        match self {
            Self::Help { scroll, .. } => {
                if msg == Message::Back {
                    return Closing::Close;
                }
                scroll.apply(msg);
            }
            Self::Notice { .. } | Self::Report { .. } if msg == Message::Back => return Closing::Close,
            Self::Submit(_) | Self::ConfirmQuit { .. } | Self::ConfirmVoid(_) if msg == Message::Accept => {
                return Closing::Submit;
            }
            Self::Submit(_) | Self::ConfirmQuit { .. } | Self::ConfirmVoid(_) if msg == Message::Cancel => {
                return Closing::Close;
            }
            Self::Notice { .. }
            | Self::Submit(_)
            | Self::ConfirmVoid(_)
            | Self::Importing(_)
            | Self::Reporting(_)
            | Self::ConfirmQuit { .. } => {}
            Self::Export { path, .. } | Self::ReportPath { path, .. } => match path.apply(msg) {
                Edit::Accepted if !path.value().trim().is_empty() => return Closing::Submit,
                Edit::Cancelled => return Closing::Close,
                _ => {}
            },
            Self::Form(popup) => match popup.form.update(msg) {
                Step::Save => return Closing::Submit,
                Step::Cancel => return Closing::Close,
                Step::Changed => popup.follow(),
                Step::Stay => {}
            },
            Self::Report { scroll, .. } => {
                scroll.apply(msg);
            }
        }
        Closing::Stay
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: Theme) {
        match self {
            Self::Help { keys, scroll } => render_help(frame, area, keys, scroll, theme),
            Self::Notice { title, lines, tone } => {
                let lines = lines.iter().map(|l| Line::raw(l.clone())).collect();
                let hint = "Enter or Esc closes";
                render_box(frame, area, title, lines, hint, theme.tone(*tone), theme);
            }
            Self::Export { format, path } => {
                let title = format!("Export the shortlist as {}", format.label());
                let lines = vec![
                    Line::raw("Write to this file (edit the path, C-u clears it):"),
                    Line::from(vec![
                        Span::styled(path.value().to_owned(), theme.title()),
                        Span::styled("▏", theme.key()),
                    ]),
                ];
                render_box(frame, area, &title, lines, "Enter writes · Esc cancels", theme.focused_border(), theme);
            }
            Self::ReportPath { subject, path } => {
                let title = format!("Write the report of {}", subject.describe());
                let lines = vec![
                    Line::raw("Write to this file; .pdf or .html chooses the format (C-u clears):"),
                    Line::from(vec![
                        Span::styled(path.value().to_owned(), theme.title()),
                        Span::styled("▏", theme.key()),
                    ]),
                ];
                render_box(frame, area, &title, lines, "Enter writes · Esc cancels", theme.focused_border(), theme);
            }
            Self::Reporting(job) => {
                let lines = vec![
                    Line::raw(format!(
                        "The {} report of {}",
                        job.format.extension().to_uppercase(),
                        job.subject.describe()
                    )),
                    Line::raw(job.path.display().to_string()),
                    Line::styled(format!("… {}", job.step().describe()), theme.title()),
                ];
                render_box(frame, area, "Writing a report", lines, "C-c quits", theme.border(), theme);
            }
            Self::Form(popup) => super::form_kit::view::render(&popup.form, frame, area, theme),
            Self::ConfirmQuit { lines, .. } => {
                let lines = lines.iter().map(|l| Line::raw(l.clone())).collect();
                render_box(
                    frame,
                    area,
                    "Quit casebook?",
                    lines,
                    "y quits · n or Esc goes back",
                    theme.focused_border(),
                    theme,
                );
            }
            Self::Submit(confirm) => {
                let lines = confirm.lines(theme);
                render_box(
                    frame,
                    area,
                    &confirm.title(),
                    lines,
                    "Enter submits · Esc back",
                    theme.focused_border(),
                    theme,
                );
            }
            Self::ConfirmVoid(confirm) => {
                let lines = confirm.lines.iter().map(|l| Line::raw(l.clone())).collect();
                let hint = "y voids · n or Esc back to the reason";
                render_box(frame, area, &confirm.title, lines, hint, theme.tone(Tone::Warn), theme);
            }
            Self::Importing(job) => {
                let lines = record::progress_lines(job, usize::from(area.width.min(76).saturating_sub(6)), theme);
                render_box(
                    frame,
                    area,
                    "Importing",
                    lines,
                    "C-c quits (nothing of it is written)",
                    theme.border(),
                    theme,
                );
            }
            Self::Report { title, lines, tone, scroll } => {
                record::render_report(frame, area, title, lines, *tone, scroll, theme);
            }
        }
    }
}

pub(super) fn render_box(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'_>>,
    hint: &str,
    border: ratatui::style::Style,
    theme: Theme,
) {
    let width = area.width.saturating_sub(4).min(76);
    let text_width = usize::from(width.saturating_sub(2)).max(1);
    let wrapped: usize = lines.iter().map(|l| l.width().div_ceil(text_width).max(1)).sum();
    let height = u16::try_from(wrapped + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    let inner = popup_frame(frame, rect, title, hint, border, theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The help overlay: every table of the screen's key map, titled.
fn help_lines(map: &KeyMap, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for table in map.tables {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(table.title.to_owned(), theme.header()));
        for b in table.bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<14}", keys_label(b.keys)), theme.key()),
                Span::raw(b.help.to_owned()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("The mouse wheel scrolls lists too.", theme.dim()));
    lines
}

fn render_help(frame: &mut Frame, area: Rect, map: &KeyMap, scroll: &Scroll, theme: Theme) {
    let lines = help_lines(map, theme);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, 72, height);
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let top = u16::try_from(scroll.top(lines.len(), inner_height)).unwrap_or(u16::MAX);
    let title = format!("Help: {} keys", map.name);
    let inner = popup_frame(frame, rect, &title, "Esc closes · ↑↓ scroll", theme.focused_border(), theme);
    frame.render_widget(Paragraph::new(lines).scroll((top, 0)), inner);
}
