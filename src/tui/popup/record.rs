//! Recording's popups drawn: the submit confirmation (the score, the grade
//! and what is still unanswered), an import's progress bar, and its report.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::assess::checklist::Score;
use crate::exchange::ImportReport;
use crate::tui::data::ImportJob;
use crate::tui::list::Scroll;
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::{centered, popup_frame, score_pct};

/// A void about to be written, shown before it is: what, why, and that
/// it is never undone. `form` is the reason's form, back on `n`.
#[derive(Debug, Clone)]
pub struct VoidConfirm {
    pub change: crate::tui::data::Write,
    pub title: String,
    pub lines: Vec<String>,
    pub form: crate::tui::record_forms::FormPopup,
}

impl VoidConfirm {
    /// The confirmation of the void `form` asks for (`change`), by `actor`.
    pub fn new(change: crate::tui::data::Write, form: crate::tui::record_forms::FormPopup, actor: &str) -> Self {
        let (title, what) = match &form.purpose {
            crate::tui::record_forms::Purpose::Void { target, what } => {
                (format!("Void {}?", target.noun()), what.clone())
            }
            _ => ("Void?".to_owned(), String::new()),
        };
        let reason = match &change {
            crate::tui::data::Write::Void { reason, .. } => reason.clone(),
            _ => String::new(),
        };
        let lines = vec![
            what,
            format!("reason: {reason}"),
            String::new(),
            format!("It stays on file, marked voided by {actor} with this reason;"),
            "verdicts, charts, scores and counts leave it out.".to_owned(),
            "Voiding is never undone.".to_owned(),
        ];
        Self { change, title, lines, form }
    }
}

/// What submitting would seal, shown before it does.
#[derive(Debug, Clone)]
pub struct SubmitConfirm {
    pub audit: i64,
    pub reference: String,
    pub supplier: String,
    pub score: Score,
}

impl SubmitConfirm {
    pub fn title(&self) -> String {
        format!("Submit audit {} of {}?", self.reference, self.supplier)
    }

    pub fn lines(&self, theme: Theme) -> Vec<Line<'static>> {
        let s = &self.score;
        let pct = score_pct(s.pct);
        let mut lines =
            vec![Line::styled(format!("score {pct} · grade {} · {}", s.grade, s.overall.progress()), theme.header())];
        if !s.critical_no.is_empty() {
            let text = format!("critical questions answered no: {}", s.critical_no.join(", "));
            lines.push(Line::styled(text, theme.tone(Tone::Bad)));
        }
        if s.unanswered.is_empty() {
            lines.push(Line::styled("every question is answered", theme.tone(Tone::Good)));
        } else {
            lines.push(Line::styled(unanswered(&s.unanswered), theme.tone(Tone::Warn)));
        }
        lines.push(Line::raw(""));
        lines.push(Line::raw(
            "Once submitted the audit is locked: its answers, evidence and findings cannot change \
             (findings can still be closed; a correction is a new audit).",
        ));
        lines
    }
}

/// `25 unanswered: LG-03, LG-04, LG-05, LG-06, LG-07 … QC-06`: the first
/// few and the last, so the warning below always fits.
fn unanswered(codes: &[String]) -> String {
    const SHOWN: usize = 6;
    let listed = if codes.len() <= SHOWN + 1 {
        codes.join(", ")
    } else {
        format!("{} … {}", codes[..SHOWN].join(", "), codes[codes.len() - 1])
    };
    format!("{} unanswered: {listed}", codes.len())
}

/// `███████░░░░░░  52% · 1.3 of 2.5 MB`
pub fn progress_lines(job: &ImportJob, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let (read, total) = job.progress();
    vec![
        Line::raw(job.path.display().to_string()),
        Line::from(vec![
            Span::styled(bar(read, total, width.saturating_sub(24).max(10)), theme.key()),
            Span::raw(amount(read, total)),
        ]),
    ]
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a share of a bar's width
fn bar(read: u64, total: u64, width: usize) -> String {
    let share = if total == 0 { 0.0 } else { (read as f64 / total as f64).clamp(0.0, 1.0) };
    let full = (share * width as f64).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full.min(width)))
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a percentage
fn amount(read: u64, total: u64) -> String {
    if total == 0 {
        return "  reading…".to_owned();
    }
    let pct = (read as f64 * 100.0 / total as f64).round() as u64;
    let mb = |b: u64| b as f64 / 1_000_000.0;
    format!(" {pct:>3}% · {:.1} of {:.1} MB", mb(read), mb(total))
}

/// An import's report: the summary line and every problem listed.
pub fn report_lines(report: &ImportReport) -> (String, Vec<String>, Tone) {
    let title = if report.committed { "Import done" } else { "Import rejected: nothing written" };
    let mut lines = vec![
        report.file.clone(),
        format!("inserted {}", report.inserted),
        format!("duplicates {} (already recorded, left unchanged)", report.duplicates),
        format!("rejected {}", report.rejected),
    ];
    if !report.problems.is_empty() {
        lines.push(String::new());
        lines.push(format!("Problems ({}):", report.problems.len() + report.unlisted));
        lines.extend(report.problems.iter().map(ToString::to_string));
        if report.unlisted > 0 {
            lines.push(format!("… and {} more not listed", report.unlisted));
        }
    }
    (title.to_owned(), lines, if report.committed { Tone::Good } else { Tone::Bad })
}

pub fn render_report(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: &[String],
    tone: Tone,
    scroll: &Scroll,
    theme: Theme,
) {
    let width = area.width.saturating_sub(4).min(96);
    let text: Vec<Line<'static>> = lines.iter().map(|l| Line::raw(l.clone())).collect();
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let wrapped: usize =
        lines.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()).div_ceil(inner).max(1)).sum();
    let rect = centered(area, width, u16::try_from(wrapped + 2).unwrap_or(u16::MAX));
    let top = scroll.top(wrapped, usize::from(rect.height.saturating_sub(2)));
    let inner = popup_frame(frame, rect, title, "Enter or Esc closes · ↑↓ scroll", theme.tone(tone), theme);
    let paragraph = Paragraph::new(text).wrap(Wrap { trim: false }).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0));
    frame.render_widget(paragraph, inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_unanswered_list_is_summarised() {
        let codes: Vec<String> = (1..=25).map(|i| format!("Q-{i:02}")).collect();
        assert_eq!(unanswered(&codes), "25 unanswered: Q-01, Q-02, Q-03, Q-04, Q-05, Q-06 … Q-25");
        assert_eq!(unanswered(&codes[..3]), "3 unanswered: Q-01, Q-02, Q-03");
    }

    #[test]
    fn the_bar_fills_with_the_share_read() {
        assert_eq!(bar(0, 100, 10), "░".repeat(10));
        assert_eq!(bar(50, 100, 10), format!("{}{}", "█".repeat(5), "░".repeat(5)));
        assert_eq!(bar(100, 100, 10), "█".repeat(10));
        assert_eq!(amount(1_300_000, 2_500_000), "  52% · 1.3 of 2.5 MB");
        assert_eq!(amount(0, 0), "  reading…");
    }
}
