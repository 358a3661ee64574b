//! The key maps of recording: the Supplier screen's recording keys, the
//! audit editor (one map per pane, so the footer offers what works there),
//! forms, the submit confirmation, the import report and a running import.

use ratatui::crossterm::event::KeyCode;

use super::{GLOBAL, KeyMap, KeyTable, MOVE, bind, code, ctrl, k, main, main_as};
use crate::model::AnswerResult;
use crate::tui::message::Message;

/// On the Supplier screen, beside browsing.
pub(super) const SUPPLIER_RECORD: KeyTable = KeyTable {
    title: "Record",
    bindings: &[
        main(&[k('a')], Message::StartAudit, "new audit", "start an audit of this supplier"),
        bind(&[k('o')], Message::OpenDraft, "open this supplier's draft audit in the editor"),
        main(&[k('e')], Message::EditSupplier, "edit", "edit the supplier"),
        bind(&[k('n')], Message::AddClaim, "add a claim"),
        bind(&[k('r')], Message::RetireClaim, "retire the selected claim (Claims pane)"),
        bind(&[k('c')], Message::CloseFinding, "close the selected finding with closure evidence (Open findings pane)"),
        bind(
            &[k('A')],
            Message::Amend,
            "amend the selected submitted audit: a new draft with its answers (Audits pane)",
        ),
        bind(&[k('X')], Message::Void, "void the selected claim, with a reason (Claims pane)"),
        bind(&[k('l')], Message::AddLot, "enter a yield lot by hand"),
        bind(&[k('i')], Message::ImportLots, "import a yield-lot CSV file"),
    ],
};

const ANSWER: KeyTable = KeyTable {
    title: "Checklist",
    bindings: &[
        main(&[k('y')], Message::Answer(AnswerResult::Yes), "yes", "answer yes, then go to the next question"),
        main(&[k('p')], Message::Answer(AnswerResult::Partial), "partial", "answer partial, then go on"),
        main(&[k('n')], Message::Answer(AnswerResult::No), "no", "answer no, then go on"),
        main(&[k('x')], Message::Answer(AnswerResult::Na), "n/a", "not applicable, then go on"),
        main(&[code(KeyCode::Enter)], Message::EditNote, "note", "write or edit the answer's note"),
        main(&[k('u')], Message::NextUnanswered, "unanswered", "jump to the next unanswered question"),
        bind(&[code(KeyCode::Backspace), code(KeyCode::Delete)], Message::ClearAnswer, "clear the answer"),
        bind(&[k('/')], Message::StartFilter, "filter the questions (Enter keeps it, Esc clears it)"),
    ],
};

const AUDIT_RECORD: KeyTable = KeyTable {
    title: "Audit",
    bindings: &[
        main(&[k('e')], Message::AddEvidence, "evidence", "add an evidence item"),
        main(&[k('f')], Message::AddFinding, "finding", "raise a finding"),
        main(&[k('S')], Message::Submit, "submit", "submit and lock the audit (asks first)"),
        bind(&[k('E')], Message::EditHeader, "correct the audit's header: auditor, day of the visit, summary"),
        main_as(&[k('['), code(KeyCode::Left)], Message::PrevPane, "[ ]", "pane", "previous pane"),
        bind(&[k(']'), code(KeyCode::Right)], Message::NextPane, "next pane"),
        bind(&[k('1')], Message::Pane(1), "checklist pane"),
        bind(&[k('2')], Message::Pane(2), "evidence pane"),
        bind(&[k('3')], Message::Pane(3), "findings pane"),
        bind(&[k('l')], Message::AddLot, "enter a yield lot of this supplier by hand"),
        bind(&[k('i')], Message::ImportLots, "import a yield-lot CSV file"),
        bind(&[k('P')], Message::WriteReport, "write this draft's report (PDF or HTML, marked DRAFT)"),
    ],
};

const FINDINGS: KeyTable = KeyTable {
    title: "Findings",
    bindings: &[
        main(&[code(KeyCode::Enter)], Message::EditItem, "edit", "edit the selected finding (each change in history)"),
        main(&[k('c')], Message::CloseFinding, "close", "close the selected finding with closure evidence"),
        bind(&[k('X'), code(KeyCode::Delete)], Message::Void, "void the selected finding, with a reason"),
    ],
};

const EVIDENCE: KeyTable = KeyTable {
    title: "Evidence",
    bindings: &[
        main(
            &[code(KeyCode::Enter)],
            Message::EditItem,
            "edit",
            "edit the selected evidence item (each change in history)",
        ),
        main(&[k('A')], Message::Attach, "attach", "attach a photo or document to the selected item (several allowed)"),
        bind(&[k('X'), code(KeyCode::Delete)], Message::Void, "void the selected item, with a reason"),
    ],
};

/// The editor's checklist pane: answering keys first.
pub const AUDIT_CHECKLIST: KeyMap =
    KeyMap { name: "Audit editor: checklist", tables: &[ANSWER, AUDIT_RECORD, MOVE, GLOBAL], text_input: false };

pub const AUDIT_EVIDENCE: KeyMap =
    KeyMap { name: "Audit editor: evidence", tables: &[EVIDENCE, AUDIT_RECORD, MOVE, GLOBAL], text_input: false };

pub const AUDIT_FINDINGS: KeyMap =
    KeyMap { name: "Audit editor: findings", tables: &[FINDINGS, AUDIT_RECORD, MOVE, GLOBAL], text_input: false };

/// A form: keys type, except these. Tab moves between fields here (it
/// switches screens elsewhere).
pub const FORM: KeyMap = KeyMap {
    name: "Form",
    tables: &[KeyTable {
        title: "Form",
        bindings: &[
            main(&[code(KeyCode::Tab), code(KeyCode::Down)], Message::NextField, "next field", "next field"),
            bind(&[code(KeyCode::BackTab), code(KeyCode::Up)], Message::PrevField, "previous field"),
            main(&[code(KeyCode::Enter)], Message::Accept, "save", "save the form (each form is one write)"),
            main(&[code(KeyCode::Esc)], Message::Cancel, "cancel", "cancel: nothing is written"),
            bind(&[code(KeyCode::Left)], Message::Left, "cursor left; in a choice, the previous value"),
            bind(&[code(KeyCode::Right)], Message::Right, "cursor right; in a choice, the next value"),
            bind(&[k(' ')], Message::Input(' '), "a space; in a multi-choice, tick (a choice changes only with ←/→)"),
            bind(&[code(KeyCode::Home)], Message::Home, "start of the field"),
            bind(&[code(KeyCode::End)], Message::End, "end of the field"),
            bind(&[code(KeyCode::Backspace)], Message::Backspace, "delete before the cursor"),
            bind(&[code(KeyCode::Delete)], Message::Delete, "delete at the cursor"),
            bind(&[ctrl('u')], Message::ClearInput, "clear the field"),
            bind(&[ctrl('c')], Message::Quit, "quit (asks first: this form is not written)"),
        ],
    }],
    text_input: true,
};

/// The submit confirmation.
pub const CONFIRM: KeyMap = KeyMap {
    name: "Confirm",
    tables: &[KeyTable {
        title: "Confirm",
        bindings: &[
            main(&[code(KeyCode::Enter), k('y')], Message::Accept, "submit", "submit and lock"),
            main(&[code(KeyCode::Esc), k('n')], Message::Cancel, "back", "back to the audit, nothing submitted"),
            bind(&[ctrl('c')], Message::Quit, "quit"),
        ],
    }],
    text_input: false,
};

/// Void this, with the reason typed?
pub const CONFIRM_VOID: KeyMap = KeyMap {
    name: "Void?",
    tables: &[KeyTable {
        title: "Void?",
        bindings: &[
            main(&[k('y'), code(KeyCode::Enter)], Message::Accept, "void", "void it (never undone)"),
            main(&[k('n'), code(KeyCode::Esc)], Message::Cancel, "back", "back to the reason, nothing voided"),
            bind(&[ctrl('c')], Message::Quit, "quit"),
        ],
    }],
    text_input: false,
};

/// Quit with a form or a draft open?
pub const CONFIRM_QUIT: KeyMap = KeyMap {
    name: "Quit?",
    tables: &[KeyTable {
        title: "Quit?",
        bindings: &[
            main(&[k('y'), code(KeyCode::Enter)], Message::Accept, "quit", "quit"),
            main(&[k('n'), code(KeyCode::Esc)], Message::Cancel, "back", "go back, nothing lost"),
            bind(&[ctrl('c')], Message::Quit, "quit at once"),
        ],
    }],
    text_input: false,
};

/// A long notice (an import's report): scrolls.
pub const REPORT: KeyMap = KeyMap {
    name: "Report",
    tables: &[
        KeyTable {
            title: "Report",
            bindings: &[
                main(&[code(KeyCode::Esc), code(KeyCode::Enter), k('q')], Message::Back, "close", "close"),
                main(&[ctrl('c')], Message::Quit, "quit", "quit"),
            ],
        },
        MOVE,
    ],
    text_input: false,
};

/// While a report is written: only quitting, which abandons it.
pub const REPORTING: KeyMap = KeyMap {
    name: "Writing a report",
    tables: &[KeyTable {
        title: "Writing a report",
        bindings: &[main(&[ctrl('c')], Message::Quit, "quit", "quit; the report is abandoned")],
    }],
    text_input: false,
};

/// While an import runs: only quitting (which abandons it, nothing written).
pub const BUSY: KeyMap = KeyMap {
    name: "Importing",
    tables: &[KeyTable {
        title: "Importing",
        bindings: &[main(
            &[ctrl('c')],
            Message::Quit,
            "quit",
            "quit; the import is abandoned and nothing of it written",
        )],
    }],
    text_input: false,
};
