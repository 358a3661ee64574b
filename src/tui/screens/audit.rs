//! A read-only view of one audit: header, score and grade, the checklist
//! answers section by section, the evidence and the findings. A separate
//! screen type, so the audit editor of the next UI part can take its place.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::audit_edit_view::answer_word;
use super::{Outcome, Screen, View};
use crate::assess::checklist::Question;
use crate::model::{Answer, AuditStatus};
use crate::store::SupplierId;
use crate::tui::data::AuditDetail;
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::Scroll;
use crate::tui::message::Message;
use crate::tui::theme::{Theme, Tone, finding_tone};
use crate::tui::widgets::{self, heading, opt};

pub struct AuditScreen {
    pub detail: AuditDetail,
    scroll: Scroll,
}

impl AuditScreen {
    pub fn new(detail: AuditDetail) -> Self {
        Self { detail, scroll: Scroll::default() }
    }

    fn document(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let mut lines = self.header(width, theme);
        self.answers(width, theme, &mut lines);
        self.evidence(width, theme, &mut lines);
        self.findings(width, theme, &mut lines);
        self.voided(width, theme, &mut lines);
        lines
    }

    /// Items voided while it was a draft: struck, each with its reason.
    fn voided(&self, width: usize, theme: Theme, lines: &mut Vec<Line<'static>>) {
        if self.detail.voided.is_empty() {
            return;
        }
        lines.push(Line::raw(""));
        lines.push(heading("Voided before submission (on file, counted nowhere)".to_owned(), theme));
        for v in &self.detail.voided {
            lines.push(Line::styled(
                widgets::fit(&format!("{} {}: {}", v.kind, v.id, v.summary), width),
                theme.struck(),
            ));
            let said = format!("  voided by {} on {}: {}", v.voided.by, v.voided.at, v.voided.reason);
            lines.push(Line::raw(widgets::fit(&said, width)));
        }
    }

    fn header(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let (row, a) = (&self.detail.row, &self.detail.row.audit);
        let title = format!("Audit {} of {} · {} · {}", a.id, row.supplier, a.kind, a.status);
        let mut lines = vec![
            Line::styled(title, theme.title()),
            Line::raw(format!(
                "auditor {} · visited {} · checklist {} · amends {}",
                a.auditor,
                a.visited_on,
                a.template,
                opt(a.amends.as_deref())
            )),
        ];
        let live = Some(&self.detail.score);
        let (pct, grade, how) = match a.status {
            AuditStatus::Submitted => (row.score_pct, row.grade.map(|g| g.to_string()), "sealed at submission"),
            AuditStatus::Draft => (live.and_then(|s| s.pct), live.map(|s| s.grade.to_string()), "live, not submitted"),
        };
        let score = widgets::score_pct(pct);
        lines.push(Line::from(vec![
            Span::styled(format!("score {score} · grade {}", opt(grade)), theme.header()),
            Span::styled(format!(" ({how})"), theme.dim()),
        ]));
        if !row.critical_no.is_empty() {
            let text = format!("critical questions answered no: {}", row.critical_no.join(", "));
            lines.push(Line::styled(text, theme.tone(Tone::Bad)));
        }
        if let Some(summary) = &a.summary {
            lines.extend(widgets::wrap(summary, width).into_iter().map(Line::raw));
        }
        lines
    }

    /// The answers under their checklist sections, with each section's score.
    fn answers(&self, width: usize, theme: Theme, lines: &mut Vec<Line<'static>>) {
        let answers: HashMap<&str, &Answer> =
            self.detail.row.audit.answers.iter().map(|a| (a.question.as_str(), a)).collect();
        let template = &self.detail.template;
        let sections = self.detail.score.sections.as_slice();
        for section in sections {
            let pct = widgets::score_pct(section.pct);
            let t = &section.tally;
            lines.push(Line::raw(""));
            let text = format!("{} — {pct} ({} of {} answered)", section.section.label(), t.answered, t.applicable);
            lines.push(heading(text, theme));
            for q in template.questions.iter().filter(|q| q.section == section.section) {
                lines.extend(answer_lines(q, answers.get(q.code.as_str()).copied(), width, theme));
            }
        }
    }

    fn evidence(&self, width: usize, theme: Theme, lines: &mut Vec<Line<'static>>) {
        let items = &self.detail.row.audit.evidence;
        lines.push(Line::raw(""));
        lines.push(heading(format!("Evidence ({})", items.len()), theme));
        for e in items {
            let text = format!(
                "{:<22} {:<17} {:<8} {}  {}",
                e.pillar.as_str(),
                e.kind.as_str(),
                e.strength.as_str(),
                e.collected_on,
                e.description
            );
            lines.push(Line::raw(widgets::fit(&text, width)));
        }
    }

    fn findings(&self, width: usize, theme: Theme, lines: &mut Vec<Line<'static>>) {
        let items = &self.detail.row.audit.findings;
        lines.push(Line::raw(""));
        lines.push(heading(format!("Findings ({})", items.len()), theme));
        for f in items {
            let state = f.closure.as_ref().map_or_else(|| "open".to_owned(), |c| format!("closed {}", c.closed_on));
            lines.push(Line::from(vec![
                Span::styled(format!("{:<9}", f.severity.as_str()), theme.tone(finding_tone(f.severity))),
                Span::raw(format!("due {} · {state}", f.due_on)),
            ]));
            lines.extend(
                widgets::wrap(&f.description, width.saturating_sub(2)).into_iter().map(|l| Line::raw(format!("  {l}"))),
            );
        }
    }
}

impl Screen for AuditScreen {
    fn keys(&self) -> &'static KeyMap {
        &keys::AUDIT
    }

    fn title(&self) -> String {
        self.detail.row.audit.id.clone()
    }

    fn update(&mut self, msg: Message, _view: View<'_>) -> Outcome {
        match msg {
            Message::Back => return Outcome::Back,
            Message::WriteReport => {
                return Outcome::Report(crate::report::Subject::Audit(self.detail.row.audit.id.clone()));
            }
            _ => {}
        }
        self.scroll.apply(msg);
        Outcome::None
    }

    fn render(&self, frame: &mut Frame, area: Rect, view: View<'_>) {
        let width = usize::from(area.width.saturating_sub(1));
        let lines = self.document(width, view.theme);
        let top = self.scroll.top(lines.len(), usize::from(area.height));
        let top = u16::try_from(top).unwrap_or(u16::MAX);
        frame.render_widget(Paragraph::new(lines).scroll((top, 0)), area);
    }

    fn supplier(&self) -> Option<SupplierId> {
        Some(self.detail.supplier)
    }
}

fn answer_lines(q: &Question, answer: Option<&Answer>, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let (word, tone) = answer_word(answer.map(|a| a.result));
    let critical = if q.critical { "!" } else { " " };
    let text = widgets::fit(&q.text, width.saturating_sub(19));
    let mut lines = vec![Line::from(vec![
        Span::raw(format!("  {:<6}{critical} ", q.code)),
        Span::styled(format!("{word:<8}"), theme.tone(tone)),
        Span::raw(text),
    ])];
    if let Some(note) = answer.and_then(|a| a.note.as_deref()) {
        let wrapped = widgets::wrap(note, width.saturating_sub(18));
        lines.extend(wrapped.into_iter().map(|l| Line::styled(format!("{:18}{l}", ""), theme.dim())));
    }
    lines
}
