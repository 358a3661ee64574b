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
use crate::store::SupplierId;
use crate::tui::data::{EditorDetail, Fresh, Load, Write};
use crate::tui::keys::{self, KeyMap};
use crate::tui::list::{Cursor, switch_pane};
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
    /// Over the template's questions.
    pub(super) questions: Cursor,
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
            questions: Cursor::default(),
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
        editor.questions.select(remembered.or(unanswered).unwrap_or(0));
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
        self.questions.set_len(self.detail.template.questions.len());
        self.evidence.set_len(self.detail.evidence.len());
        self.findings.set_len(self.detail.findings.len());
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
            Message::Back => return Outcome::Back,
            other => {
                return match self.pane {
                    EditPane::Checklist => self.checklist(other),
                    EditPane::Evidence => {
                        self.evidence.apply(other);
                        Outcome::None
                    }
                    EditPane::Findings => self.on_findings(other),
                };
            }
        }
        Outcome::None
    }

    fn checklist(&mut self, msg: Message) -> Outcome {
        match msg {
            Message::Answer(result) => self.set_answer(result),
            Message::ClearAnswer => self.clear_answer(),
            Message::EditNote => self.note(),
            Message::NextUnanswered => self.next_unanswered(),
            other => {
                self.questions.apply(other);
                Outcome::None
            }
        }
    }

    /// The answer to write; the selection moves on at once (the audit
    /// comes back as stored right after the write).
    fn set_answer(&mut self, result: AnswerResult) -> Outcome {
        let Some(q) = self.question() else { return Outcome::None };
        let note = self.answer(&q.code).and_then(|a| a.note.clone());
        let answer = Answer { question: q.code.clone(), result, note };
        self.questions.apply(Message::Down);
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

    fn note(&self) -> Outcome {
        let Some(q) = self.question() else { return Outcome::None };
        match self.answer(&q.code) {
            Some(a) => Outcome::Form(Purpose::Note {
                audit: self.audit(),
                question: q.code.clone(),
                result: a.result,
                note: a.note.clone(),
            }),
            None => Outcome::Info(format!("Answer {} first (y, p, n or x): a note is kept with its answer.", q.code)),
        }
    }

    /// Selects the next unanswered question after the selected one, wrapping.
    fn next_unanswered(&mut self) -> Outcome {
        let questions = &self.detail.template.questions;
        let at = self.questions.selected().unwrap_or(0);
        let n = questions.len();
        let next = (1..=n).map(|step| (at + step) % n).find(|i| self.answer(&questions[*i].code).is_none());
        match next {
            Some(i) => {
                self.questions.select(i);
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
        if msg != Message::CloseFinding {
            self.findings.apply(msg);
            return Outcome::None;
        }
        let Some((id, finding)) = self.findings.selected().and_then(|i| self.detail.findings.get(i)) else {
            return Outcome::None;
        };
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
