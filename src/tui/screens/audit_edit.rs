//! The audit editor: a draft audit walked question by question on the
//! factory floor. One key answers the selected question (and moves on):
//! the editor returns the answer as a write, the app writes it at once in
//! its own transaction and hands the audit back as stored, so the live
//! score, section by section, is always what the database holds. Evidence
//! and findings have their own panes and forms. The selected question is
//! remembered in the database when the auditor pauses or leaves the editor
//! (not on every key), so it reopens where it was left.
//!
//! Drawing is in `audit_edit_view`.

use super::{Outcome, Screen, View};
use crate::model::{Answer, AnswerResult};
use crate::store::{AuditHeader, SupplierId};
use crate::tui::data::{EditorDetail, Fresh, Load, VoidTarget, Write};
use crate::tui::input::contains_folded;
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Cursor, Listed, Listing, switch_pane};
use crate::tui::message::Message;
use crate::tui::popup::SubmitConfirm;
use crate::tui::record_forms::Purpose;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditPane {
    Checklist,
    Evidence,
    Findings,
}

impl EditPane {
    pub const ALL: [Self; 3] = [Self::Checklist, Self::Evidence, Self::Findings];

    pub fn title(self) -> &'static str {
        match self {
            Self::Checklist => "Checklist",
            Self::Evidence => "Evidence",
            Self::Findings => "Findings",
        }
    }
}

pub struct AuditEditor {
    pub detail: EditorDetail,
    pub(super) pane: EditPane,
    /// Over the template's questions, filtered by `/`.
    pub(super) questions: Listing,
    pub(super) evidence: Cursor,
    pub(super) findings: Cursor,
    /// The question stored as the place to come back to.
    saved_place: Option<String>,
    /// Something of this audit was written: reload before drawing.
    stale: bool,
}

impl AuditEditor {
    /// Opens on the question last selected, else the first unanswered one.
    pub fn new(detail: EditorDetail) -> Self {
        let mut editor = Self {
            detail,
            pane: EditPane::Checklist,
            questions: Listing::default(),
            evidence: Cursor::default(),
            findings: Cursor::default(),
            saved_place: None,
            stale: false,
        };
        editor.saved_place.clone_from(&editor.detail.cursor);
        editor.sync_lengths();
        let questions = &editor.detail.template.questions;
        let remembered = editor.detail.cursor.as_ref().and_then(|c| questions.iter().position(|q| &q.code == c));
        let unanswered =
            editor.detail.score.unanswered.first().and_then(|c| questions.iter().position(|q| &q.code == c));
        editor.questions.select_item(remembered.or(unanswered).unwrap_or(0));
        editor
    }

    pub fn audit(&self) -> i64 {
        self.detail.row.id
    }

    pub fn pane(&self) -> EditPane {
        self.pane
    }

    /// Takes in the audit as stored now, keeping the selections.
    pub fn reload(&mut self, detail: EditorDetail) {
        self.detail = detail;
        self.stale = false;
        self.sync_lengths();
    }

    fn sync_lengths(&mut self) {
        self.refilter();
        self.evidence.set_len(self.detail.evidence.len());
        self.findings.set_len(self.detail.findings.len());
    }

    /// Shows the questions whose code, section or text has the filter's text.
    fn refilter(&mut self) {
        let questions = &self.detail.template.questions;
        self.questions.refilter(questions.len(), |i, needle| {
            let q = &questions[i];
            [q.code.as_str(), q.section.label(), &q.text].iter().any(|t| contains_folded(t, needle))
        });
    }

    /// The selected question's code.
    pub fn question(&self) -> Option<&crate::assess::checklist::Question> {
        self.questions.selected().and_then(|i| self.detail.template.questions.get(i))
    }

    pub fn answer(&self, code: &str) -> Option<&Answer> {
        self.detail.row.audit.answers.iter().find(|a| a.question == code)
    }

    fn on_message(&mut self, msg: Message) -> Outcome {
        match msg {
            Message::NextPane | Message::PrevPane | Message::Pane(_) => {
                self.pane = switch_pane(&EditPane::ALL, self.pane, msg);
            }
            Message::AddEvidence => return Outcome::Form(self.evidence_purpose()),
            Message::AddFinding => return Outcome::Form(self.finding_purpose()),
            Message::AddLot => return Outcome::Form(Purpose::Lot(self.detail.supplier)),
            Message::ImportLots => return Outcome::Form(Purpose::Import),
            Message::Submit => return Outcome::ConfirmSubmit(Box::new(self.confirmation())),
            Message::EditHeader => return Outcome::Form(self.header_purpose()),
            Message::WriteReport => {
                return Outcome::Report(crate::report::Subject::Audit(self.detail.row.audit.id.clone()));
            }
            Message::Back => return Outcome::Back,
            other => {
                return match self.pane {
                    EditPane::Checklist => self.checklist(other),
                    EditPane::Evidence => self.on_evidence(other),
                    EditPane::Findings => self.on_findings(other),
                };
            }
        }
        Outcome::None
    }

    fn checklist(&mut self, msg: Message) -> Outcome {
        match self.questions.apply(msg) {
            Listed::Handled => return Outcome::None,
            Listed::Refilter => {
                self.refilter();
                return Outcome::None;
            }
            Listed::Ignored => {}
        }
        match msg {
            Message::Answer(result) => self.set_answer(result),
            Message::ClearAnswer => self.clear_answer(),
            Message::EditNote => self.note(),
            Message::NextUnanswered => self.next_unanswered(),
            _ => Outcome::None,
        }
    }

    /// The answer to write; the selection moves on at once (the audit
    /// comes back as stored right after the write).
    fn set_answer(&mut self, result: AnswerResult) -> Outcome {
        let Some(q) = self.question() else { return Outcome::None };
        let note = self.answer(&q.code).and_then(|a| a.note.clone());
        let answer = Answer { question: q.code.clone(), result, note };
        self.questions.cursor.apply(Message::Down);
        Outcome::Write(Write::Answer { audit: self.audit(), answer })
    }

    fn clear_answer(&mut self) -> Outcome {
        let Some(code) = self.question().map(|q| q.code.clone()) else { return Outcome::None };
        Outcome::Write(Write::ClearAnswer { audit: self.audit(), question: code })
    }

    fn confirmation(&self) -> SubmitConfirm {
        let d = &self.detail;
        SubmitConfirm {
            audit: self.audit(),
            reference: d.row.audit.id.clone(),
            supplier: d.row.supplier.clone(),
            score: d.score.clone(),
        }
    }

    /// The note of the selected question, answered or not yet.
    fn note(&self) -> Outcome {
        let Some(q) = self.question() else { return Outcome::None };
        let answer = self.answer(&q.code);
        let note = match answer {
            Some(a) => a.note.clone(),
            None => self.pending_note(&q.code).map(str::to_owned),
        };
        Outcome::Form(Purpose::Note {
            audit: self.audit(),
            question: q.code.clone(),
            result: answer.map(|a| a.result),
            note,
        })
    }

    /// A note written on a question not answered yet.
    pub fn pending_note(&self, code: &str) -> Option<&str> {
        self.detail.notes.iter().find(|(c, _)| c == code).map(|(_, n)| n.as_str())
    }

    fn header_purpose(&self) -> Purpose {
        let a = &self.detail.row.audit;
        let header = AuditHeader { auditor: a.auditor.clone(), visited_on: a.visited_on, summary: a.summary.clone() };
        Purpose::Header { audit: self.audit(), reference: a.id.clone(), header }
    }

    fn on_evidence(&mut self, msg: Message) -> Outcome {
        if !matches!(msg, Message::EditItem | Message::Attach | Message::Void) {
            self.evidence.apply(msg);
            return Outcome::None;
        }
        let Some((id, e)) = self.evidence.selected().and_then(|i| self.detail.evidence.get(i)) else {
            return Outcome::Info("No evidence yet: e adds an item.".to_owned());
        };
        let reference = self.detail.row.audit.id.clone();
        if msg == Message::Attach {
            let what = format!("Evidence of {reference}: {} · {} · {}", e.pillar, e.kind, e.description);
            return Outcome::Form(Purpose::Attach { audit: self.audit(), evidence: *id, what });
        }
        if msg == Message::Void {
            let what = format!("Evidence item {id} of {reference}: {} · {} · {}", e.pillar, e.kind, e.description);
            let target = VoidTarget::Evidence { audit: self.audit(), id: *id };
            return Outcome::Form(Purpose::Void { target, what });
        }
        Outcome::Form(Purpose::EditEvidence { audit: self.audit(), id: *id, reference, evidence: e.clone() })
    }

    /// The files attached to an evidence item: (path, size).
    pub fn files_of(&self, evidence: i64) -> impl Iterator<Item = (&str, u64)> {
        self.detail
            .attachments
            .iter()
            .filter(move |a| a.evidence_id == evidence)
            .map(|a| (a.path.to_str().unwrap_or_default(), a.size))
    }

    /// Selects the next unanswered question shown after the selected one, wrapping.
    fn next_unanswered(&mut self) -> Outcome {
        let questions = &self.detail.template.questions;
        let shown = self.questions.shown();
        let at = self.questions.position().unwrap_or(0);
        let n = shown.len();
        let next = (1..=n).map(|step| shown[(at + step) % n]).find(|i| self.answer(&questions[*i].code).is_none());
        match next {
            Some(i) => {
                self.questions.select_item(i);
                Outcome::None
            }
            None => Outcome::Info("Every question is answered. S submits the audit.".to_owned()),
        }
    }

    fn evidence_purpose(&self) -> Purpose {
        let a = &self.detail.row.audit;
        Purpose::Evidence {
            audit: self.audit(),
            reference: a.id.clone(),
            visited_on: a.visited_on,
            pillar: self.question().and_then(|q| q.pillar),
            kind: a.kind,
        }
    }

    fn finding_purpose(&self) -> Purpose {
        let a = &self.detail.row.audit;
        Purpose::Finding { audit: self.audit(), reference: a.id.clone(), visited_on: a.visited_on }
    }

    fn on_findings(&mut self, msg: Message) -> Outcome {
        if !matches!(msg, Message::CloseFinding | Message::EditItem | Message::Void) {
            self.findings.apply(msg);
            return Outcome::None;
        }
        let Some((id, finding)) = self.findings.selected().and_then(|i| self.detail.findings.get(i)) else {
            return Outcome::Info("No findings: f raises one.".to_owned());
        };
        if msg == Message::Void {
            let reference = &self.detail.row.audit.id;
            let what = format!(
                "Finding {id} of {reference}: {} · due {} · {}",
                finding.severity, finding.due_on, finding.description
            );
            let target = VoidTarget::Finding { audit: self.audit(), id: *id };
            return Outcome::Form(Purpose::Void { target, what });
        }
        if msg == Message::EditItem {
            let reference = self.detail.row.audit.id.clone();
            return Outcome::Form(Purpose::EditFinding {
                audit: self.audit(),
                id: *id,
                reference,
                finding: finding.clone(),
            });
        }
        if let Some(c) = &finding.closure {
            return Outcome::Info(format!(
                "This finding was closed on {}; a closure is never overwritten.",
                c.closed_on
            ));
        }
        let what = format!("{} · due {} · {}", finding.severity, finding.due_on, finding.description);
        Outcome::Form(Purpose::CloseFinding { supplier: self.detail.supplier, finding: *id, what })
    }
}

impl Screen for AuditEditor {
    fn keys(&self) -> &'static KeyMap {
        match self.pane {
            EditPane::Checklist if self.questions.typing() => &keys::FILTER,
            EditPane::Checklist => &keys::AUDIT_CHECKLIST,
            EditPane::Evidence => &keys::AUDIT_EVIDENCE,
            EditPane::Findings => &keys::AUDIT_FINDINGS,
        }
    }

    fn title(&self) -> String {
        format!("{} (draft)", self.detail.row.audit.id)
    }

    fn update(&mut self, msg: Message, _view: View<'_>) -> Outcome {
        self.on_message(msg)
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, view: View<'_>) {
        super::audit_edit_view::render(self, frame, area, view);
    }

    fn paste(&mut self, text: &str, _view: View<'_>) {
        if self.pane == EditPane::Checklist && self.questions.paste(text) {
            self.refilter();
        }
    }

    fn receive(&mut self, fresh: Fresh) {
        if let Fresh::Editor(detail) = fresh
            && detail.row.id == self.audit()
        {
            self.reload(*detail);
        }
    }

    fn wants(&self) -> Option<Load> {
        self.stale.then_some(Load::Editor(self.audit()))
    }

    fn touched(&mut self, supplier: SupplierId) {
        if supplier == self.detail.supplier {
            self.stale = true;
        }
    }

    fn supplier(&self) -> Option<SupplierId> {
        Some(self.detail.supplier)
    }

    /// The selected question, when it is not the place already stored.
    /// Losing the place loses no record, so the app writes it quietly.
    fn pending(&mut self) -> Option<Write> {
        let code = self.question()?.code.clone();
        if self.saved_place.as_ref() == Some(&code) {
            return None;
        }
        self.saved_place = Some(code.clone());
        Some(Write::Cursor { audit: self.audit(), question: code })
    }

    fn draft(&self) -> Option<i64> {
        Some(self.audit())
    }
}
