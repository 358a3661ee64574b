//! What a key press (or the mouse wheel) asks for, whatever the key was. The
//! key tables in [`super::keys`] map keys to these; screens and popups act on
//! them. `Copy` and small (typed characters, a pane, an answer), so the
//! tables are plain constants.

use crate::model::AnswerResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    // Everywhere.
    Quit,
    NextTab,
    PrevTab,
    Back,
    Help,
    /// `Ctrl-S`: sync with the team hub now.
    Sync,

    // Moving in a list, a pane or a page.
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// The mouse wheel: move by a few rows.
    WheelUp,
    WheelDown,

    Open,
    Mark,
    OpenYield,

    // Lists: filter and sort.
    StartFilter,
    NextSort,
    FlipSort,
    NextVerdict,

    // Panes of the Supplier screen.
    NextPane,
    PrevPane,
    Pane(u8),

    // Yield screen.
    NextProcess,
    NextMaterial,
    NextSku,
    ClearDimensions,
    ToggleChart,
    ToggleRules,
    ToggleWindow,
    ZoomIn,
    ZoomOut,
    /// Chart → by material → by process → defects.
    NextView,
    /// Note an assignable cause on the lot under the cursor.
    Annotate,

    // Shortlist screen.
    Remove,
    ExportMarkdown,
    ExportCsv,

    /// `P`: write the report of the audit or supplier in view.
    WriteReport,

    // Recording (Suppliers and Supplier screens).
    NewSupplier,
    EditSupplier,
    AddClaim,
    RetireClaim,
    StartAudit,
    CloseFinding,
    AddLot,
    ImportLots,

    // The audit editor.
    Answer(AnswerResult),
    ClearAnswer,
    EditNote,
    NextUnanswered,
    AddEvidence,
    AddFinding,
    Submit,
    /// Edit the selected evidence item or finding of a draft.
    EditItem,
    /// Correct a draft's auditor, day of visit and summary.
    EditHeader,
    /// Amend the selected submitted audit (Audits pane).
    Amend,
    /// Open the supplier's draft audit in the editor.
    OpenDraft,
    /// Attach a file to the selected evidence item.
    Attach,
    /// Void the selected claim, lot, evidence item or finding, with a reason.
    Void,

    // Text entry (filter box, path prompt, form fields).
    Input(char),
    Backspace,
    Delete,
    ClearInput,
    Accept,
    Cancel,
    NextField,
    PrevField,
}
