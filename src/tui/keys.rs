//! The key tables: one [`KeyMap`] per screen, mode and popup. Each maps a
//! key press to a [`Message`] through one pure function ([`KeyMap::message`]),
//! and the help overlay and the footer are generated from the same tables,
//! so what is shown is what works. The maps of recording (forms, the audit
//! editor, confirmations) are in [`record`].

mod record;
mod reference;

pub use record::*;
pub use reference::{ALL, reference_markdown};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::message::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> KeyPress {
    KeyPress { code: KeyCode::Char(c), mods: KeyModifiers::NONE }
}

const fn code(code: KeyCode) -> KeyPress {
    KeyPress { code, mods: KeyModifiers::NONE }
}

const fn ctrl(c: char) -> KeyPress {
    KeyPress { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
}

/// One line of a key table.
#[derive(Debug, Clone, Copy)]
pub struct KeyBinding {
    pub keys: &'static [KeyPress],
    pub message: Message,
    pub help: &'static str,
    /// The word shown in the footer, for the screen's main keys.
    pub footer: Option<&'static str>,
    /// How the footer names the key, when not by the first key's name
    /// (`[ ]` for a pair of keys whose other half has its own line).
    pub shown: Option<&'static str>,
}

const fn bind(keys: &'static [KeyPress], message: Message, help: &'static str) -> KeyBinding {
    KeyBinding { keys, message, help, footer: None, shown: None }
}

/// A main key: in the footer as `footer`, in the help as `help`.
const fn main(keys: &'static [KeyPress], message: Message, footer: &'static str, help: &'static str) -> KeyBinding {
    KeyBinding { keys, message, help, footer: Some(footer), shown: None }
}

/// A main key named `shown` in the footer.
const fn main_as(
    keys: &'static [KeyPress],
    message: Message,
    shown: &'static str,
    footer: &'static str,
    help: &'static str,
) -> KeyBinding {
    KeyBinding { keys, message, help, footer: Some(footer), shown: Some(shown) }
}

/// A titled group of bindings (a section of the help overlay).
#[derive(Debug, Clone, Copy)]
pub struct KeyTable {
    pub title: &'static str,
    pub bindings: &'static [KeyBinding],
}

/// What a screen (or popup, or mode) answers to: its tables, first match
/// wins; with `text_input`, other printable keys are typed.
#[derive(Debug, Clone, Copy)]
pub struct KeyMap {
    pub name: &'static str,
    pub tables: &'static [KeyTable],
    pub text_input: bool,
}

impl KeyMap {
    /// The message a key press means here, if any.
    pub fn message(&self, key: KeyEvent) -> Option<Message> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let found = self.bindings().find(|b| b.keys.iter().any(|press| matches(*press, key)));
        if let Some(binding) = found {
            return Some(binding.message);
        }
        match key.code {
            KeyCode::Char(c) if self.text_input && !key.modifiers.intersects(CHORD) => Some(Message::Input(c)),
            _ => None,
        }
    }

    pub fn bindings(&self) -> impl Iterator<Item = &'static KeyBinding> + use<> {
        let tables = self.tables;
        tables.iter().flat_map(|t| t.bindings.iter())
    }

    /// The footer's entries: the first key's name and the footer word, in
    /// table order.
    pub fn footer(&self) -> Vec<(String, &'static str)> {
        self.bindings()
            .filter_map(|b| {
                let keys = b.shown.map_or_else(|| keys_label(&b.keys[..1]), str::to_owned);
                Some((keys, b.footer?))
            })
            .collect()
    }
}

const CHORD: KeyModifiers = KeyModifiers::CONTROL.union(KeyModifiers::ALT);

/// Shift is part of the character (`G`, `?`), and crossterm sends it with
/// Shift-Tab, so it is ignored; Control and Alt must match.
fn matches(press: KeyPress, key: KeyEvent) -> bool {
    press.code == key.code && press.mods.intersection(CHORD) == key.modifiers.intersection(CHORD)
}

/// `↑/k`, `PgDn`, `C-u`: how the help and the footer name keys.
pub fn keys_label(keys: &[KeyPress]) -> String {
    keys.iter().map(|k| key_name(*k)).collect::<Vec<_>>().join("/")
}

pub(super) fn key_name(press: KeyPress) -> String {
    let name = match press.code {
        KeyCode::Up => "↑".to_owned(),
        KeyCode::Down => "↓".to_owned(),
        KeyCode::Left => "←".to_owned(),
        KeyCode::Right => "→".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        KeyCode::BackTab => "S-Tab".to_owned(),
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        other => other.to_string(),
    };
    if press.mods.contains(KeyModifiers::CONTROL) { format!("C-{name}") } else { name }
}

/// On screens opened on top of a list: `q` does nothing there (Esc goes
/// back), so typing where no text is taken never quits.
const GLOBAL: KeyTable = KeyTable {
    title: "Everywhere (opened screens)",
    bindings: &[
        main(&[code(KeyCode::Tab)], Message::NextTab, "screens", "next screen"),
        bind(&[code(KeyCode::BackTab)], Message::PrevTab, "previous screen"),
        main(&[code(KeyCode::Esc)], Message::Back, "back", "back (or clear the filter)"),
        bind(&[ctrl('s')], Message::Sync, "sync with the team hub now, in the background"),
        main(&[k('?')], Message::Help, "help", "help"),
        main(&[ctrl('c')], Message::Quit, "quit", "quit (asks first when a form or a draft is open)"),
    ],
};

/// On the three lists at the top: `q` quits too.
const TOP: KeyTable = KeyTable {
    title: "Everywhere (the three lists)",
    bindings: &[
        main(&[code(KeyCode::Tab)], Message::NextTab, "screens", "next screen"),
        bind(&[code(KeyCode::BackTab)], Message::PrevTab, "previous screen"),
        main(&[code(KeyCode::Esc)], Message::Back, "back", "clear the filter"),
        bind(&[ctrl('s')], Message::Sync, "sync with the team hub now, in the background"),
        main(&[k('?')], Message::Help, "help", "help"),
        main(&[k('q'), ctrl('c')], Message::Quit, "quit", "quit (asks first when a form or a draft is open)"),
    ],
};

const MOVE: KeyTable = KeyTable {
    title: "Moving",
    bindings: &[
        bind(&[code(KeyCode::Up), k('k')], Message::Up, "up"),
        bind(&[code(KeyCode::Down), k('j')], Message::Down, "down"),
        bind(&[code(KeyCode::PageUp), ctrl('b')], Message::PageUp, "page up"),
        bind(&[code(KeyCode::PageDown), ctrl('f')], Message::PageDown, "page down"),
        bind(&[code(KeyCode::Home), k('g')], Message::Home, "first"),
        bind(&[code(KeyCode::End), k('G')], Message::End, "last"),
    ],
};

pub const SUPPLIERS: KeyMap = KeyMap {
    name: "Suppliers",
    tables: &[
        KeyTable {
            title: "Suppliers",
            bindings: &[
                main(&[code(KeyCode::Enter)], Message::Open, "open", "open the supplier"),
                main(&[k('/')], Message::StartFilter, "filter", "filter by text (Enter keeps it, Esc clears it)"),
                main(&[k('s')], Message::NextSort, "sort", "sort by the next column"),
                bind(&[k('d')], Message::FlipSort, "flip sort direction"),
                main(&[k('v')], Message::NextVerdict, "verdict", "show one verdict, then the next, then all"),
                main(&[k('m')], Message::Mark, "mark", "mark or unmark for the shortlist"),
                bind(&[k('y')], Message::OpenYield, "yield charts of the selected supplier"),
                main(&[k('n')], Message::NewSupplier, "new", "record a new supplier"),
                bind(&[k('o')], Message::OpenDraft, "open the selected supplier's draft audit (see the Drafts line)"),
            ],
        },
        MOVE,
        TOP,
    ],
    text_input: false,
};

pub const SUPPLIER: KeyMap = KeyMap {
    name: "Supplier",
    tables: &[
        KeyTable {
            title: "Supplier",
            bindings: &[
                main_as(&[k('['), code(KeyCode::Left)], Message::PrevPane, "[ ]", "pane", "previous pane"),
                bind(&[k(']'), code(KeyCode::Right)], Message::NextPane, "next pane"),
                bind(&[k('1')], Message::Pane(1), "flags pane"),
                bind(&[k('2')], Message::Pane(2), "evidence pane"),
                bind(&[k('3')], Message::Pane(3), "audits pane"),
                bind(&[k('4')], Message::Pane(4), "open findings pane"),
                bind(&[k('5')], Message::Pane(5), "claims pane"),
                bind(&[k('6')], Message::Pane(6), "history pane"),
                main(
                    &[code(KeyCode::Enter)],
                    Message::Open,
                    "audit",
                    "open the audit of the selected row (a draft: the editor)",
                ),
                main(&[k('y')], Message::OpenYield, "yield", "the yield charts of this supplier"),
                main(&[k('m')], Message::Mark, "mark", "mark or unmark for the shortlist"),
                bind(&[k('/')], Message::StartFilter, "filter the pane's list (Enter keeps it, Esc clears it)"),
                bind(&[k('P')], Message::WriteReport, "write this supplier's report (PDF or HTML)"),
            ],
        },
        SUPPLIER_RECORD,
        MOVE,
        GLOBAL,
    ],
    text_input: false,
};

pub const AUDIT: KeyMap = KeyMap {
    name: "Audit",
    tables: &[
        KeyTable {
            title: "Submitted audit",
            bindings: &[bind(&[k('P')], Message::WriteReport, "write this audit's report (PDF or HTML)")],
        },
        MOVE,
        GLOBAL,
    ],
    text_input: false,
};

pub const YIELD: KeyMap = KeyMap {
    name: "Yield",
    tables: &[
        KeyTable {
            title: "Yield",
            bindings: &[
                main_as(
                    &[code(KeyCode::Left)],
                    Message::Left,
                    "←→",
                    "lot",
                    "previous lot on the chart (→ the next; PgUp/PgDn a screen of lots, Home/End the ends)",
                ),
                bind(&[code(KeyCode::Right)], Message::Right, "next lot on the chart"),
                bind(&[code(KeyCode::PageUp), ctrl('b')], Message::PageUp, "a screen of lots back"),
                bind(&[code(KeyCode::PageDown), ctrl('f')], Message::PageDown, "a screen of lots on"),
                bind(&[code(KeyCode::Home), k('g')], Message::Home, "first lot"),
                bind(&[code(KeyCode::End), k('G')], Message::End, "last lot"),
                main_as(&[k('+'), k('=')], Message::ZoomIn, "+-", "zoom", "zoom in: every lot wider"),
                bind(&[k('-')], Message::ZoomOut, "zoom out, down to fitting every lot in the width"),
                bind(&[code(KeyCode::Up), k('k')], Message::Up, "previous violation in the list"),
                bind(&[code(KeyCode::Down), k('j')], Message::Down, "next violation in the list"),
                main(&[code(KeyCode::Enter)], Message::Open, "go to", "move the chart's cursor to the violation's lot"),
                main(&[k('a')], Message::Annotate, "cause", "note an assignable cause on the lot under the cursor"),
                bind(&[k('X')], Message::Void, "void the lot under the cursor, with a reason"),
                main(&[k('v')], Message::NextView, "view", "chart, FPY by material, FPY by process, defects"),
                main(&[k('c')], Message::ToggleChart, "chart", "next chart: p → Laney p′ → u → Laney u′"),
                main(&[k('r')], Message::ToggleRules, "rules", "attribute or Western Electric run rules"),
                bind(&[k('p')], Message::NextProcess, "next process (then all)"),
                bind(&[k('t')], Message::NextMaterial, "next material (then all)"),
                bind(&[k('s')], Message::NextSku, "next SKU (then all)"),
                bind(&[k('x')], Message::ClearDimensions, "clear process, material and SKU"),
                main(&[k('w')], Message::ToggleWindow, "window", "the policy's yield window or all lots"),
                bind(&[k('m')], Message::Mark, "mark for shortlist"),
                bind(&[k('/')], Message::StartFilter, "filter the violations (Enter keeps it, Esc clears it)"),
            ],
        },
        GLOBAL,
    ],
    text_input: false,
};

pub const FLAGS: KeyMap = KeyMap {
    name: "Flags",
    tables: &[
        KeyTable {
            title: "Flags",
            bindings: &[
                main(&[code(KeyCode::Enter)], Message::Open, "open", "open the supplier of the flag"),
                main(&[k('/')], Message::StartFilter, "filter", "filter by text (Enter keeps it, Esc clears it)"),
                main(&[k('s')], Message::NextSort, "sort", "sort by the next column"),
                bind(&[k('d')], Message::FlipSort, "flip sort direction"),
                main(&[k('m')], Message::Mark, "mark", "mark or unmark its supplier for the shortlist"),
            ],
        },
        MOVE,
        TOP,
    ],
    text_input: false,
};

pub const SHORTLIST: KeyMap = KeyMap {
    name: "Shortlist",
    tables: &[
        KeyTable {
            title: "Shortlist",
            bindings: &[
                main_as(&[code(KeyCode::Left), k('h')], Message::Left, "← →", "move", "previous supplier"),
                bind(&[code(KeyCode::Right), k('l')], Message::Right, "next supplier"),
                main(&[code(KeyCode::Enter)], Message::Open, "open", "open the supplier"),
                main(&[k('x'), code(KeyCode::Delete)], Message::Remove, "remove", "remove from the shortlist"),
                main(&[k('e')], Message::ExportMarkdown, "Markdown", "export as Markdown (side by side)"),
                main(&[k('E')], Message::ExportCsv, "CSV", "export as CSV (one row per supplier)"),
                bind(&[code(KeyCode::Home), k('g')], Message::Home, "first supplier"),
                bind(&[code(KeyCode::End), k('G')], Message::End, "last supplier"),
            ],
        },
        TOP,
    ],
    text_input: false,
};

const EDIT: KeyTable = KeyTable {
    title: "Typing",
    bindings: &[
        main(&[code(KeyCode::Enter)], Message::Accept, "done", "done"),
        main(&[code(KeyCode::Esc)], Message::Cancel, "cancel", "cancel"),
        bind(&[code(KeyCode::Backspace)], Message::Backspace, "delete a character"),
        bind(&[ctrl('u')], Message::ClearInput, "clear"),
        bind(&[ctrl('c')], Message::Quit, "quit"),
    ],
};

/// While a filter is typed: keys type, Enter keeps the filter, Esc clears it.
pub const FILTER: KeyMap = KeyMap { name: "Filter", tables: &[EDIT], text_input: true };

/// A path prompt (export): Enter writes, Esc cancels.
pub const PROMPT: KeyMap = KeyMap { name: "Export", tables: &[EDIT], text_input: true };

pub const HELP: KeyMap = KeyMap {
    name: "Help",
    tables: &[
        KeyTable {
            title: "Help",
            bindings: &[
                main(&[code(KeyCode::Esc), k('?'), code(KeyCode::Enter), k('q')], Message::Back, "close", "close"),
                main(&[ctrl('c')], Message::Quit, "quit", "quit"),
            ],
        },
        MOVE,
    ],
    text_input: false,
};

pub const NOTICE: KeyMap = KeyMap {
    name: "Notice",
    tables: &[KeyTable {
        title: "Notice",
        bindings: &[
            main(&[code(KeyCode::Esc), code(KeyCode::Enter), k(' '), k('q')], Message::Back, "close", "close"),
            main(&[ctrl('c')], Message::Quit, "quit", "quit"),
        ],
    }],
    text_input: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn screen_keys_come_before_global_ones() {
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('s'), KeyModifiers::NONE)), Some(Message::NextSort));
        assert_eq!(YIELD.message(press(KeyCode::Char('s'), KeyModifiers::NONE)), Some(Message::NextSku));
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Message::Quit));
        assert_eq!(SUPPLIER.message(press(KeyCode::Char('q'), KeyModifiers::NONE)), None, "q quits from the top only");
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('z'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn shift_is_part_of_the_character_but_control_is_not() {
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Message::End));
        assert_eq!(SUPPLIERS.message(press(KeyCode::BackTab, KeyModifiers::SHIFT)), Some(Message::PrevTab));
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Message::Quit));
        assert_eq!(SUPPLIERS.message(press(KeyCode::Char('g'), KeyModifiers::CONTROL)), None);
    }

    #[test]
    fn text_maps_type_letters_that_are_keys_elsewhere() {
        assert_eq!(FILTER.message(press(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Message::Input('q')));
        assert_eq!(FILTER.message(press(KeyCode::Char('S'), KeyModifiers::SHIFT)), Some(Message::Input('S')));
        assert_eq!(FILTER.message(press(KeyCode::Esc, KeyModifiers::NONE)), Some(Message::Cancel));
        assert_eq!(FILTER.message(press(KeyCode::Char('u'), KeyModifiers::CONTROL)), Some(Message::ClearInput));
    }

    #[test]
    fn releases_are_ignored() {
        let mut key = press(KeyCode::Char('q'), KeyModifiers::NONE);
        key.kind = KeyEventKind::Release;
        assert_eq!(SUPPLIERS.message(key), None);
    }

    #[test]
    fn the_footer_names_keys_as_the_help_does() {
        let footer = SUPPLIERS.footer();
        assert!(footer.contains(&("Enter".to_owned(), "open")));
        assert!(footer.contains(&("q".to_owned(), "quit")));
        assert_eq!(keys_label(MOVE.bindings[0].keys), "↑/k");
    }

    #[test]
    fn a_table_title_names_one_table() {
        let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
        for map in ALL {
            for table in map.tables {
                let helps: Vec<&str> = table.bindings.iter().map(|b| b.help).collect();
                match seen.iter().find(|(t, _)| *t == table.title) {
                    Some((_, known)) => assert_eq!(known, &helps, "two tables titled {}", table.title),
                    None => seen.push((table.title, helps)),
                }
            }
        }
    }

    #[test]
    fn no_key_means_two_things_on_one_map() {
        let maps = [SUPPLIERS, SUPPLIER, AUDIT, YIELD, FLAGS, SHORTLIST, FILTER, PROMPT, HELP, NOTICE];
        let record = [
            FORM,
            AUDIT_CHECKLIST,
            AUDIT_EVIDENCE,
            AUDIT_FINDINGS,
            CONFIRM,
            CONFIRM_VOID,
            CONFIRM_QUIT,
            REPORT,
            BUSY,
            REPORTING,
        ];
        for map in maps.into_iter().chain(record) {
            let presses: Vec<KeyPress> = map.bindings().flat_map(|b| b.keys.iter().copied()).collect();
            for (i, a) in presses.iter().enumerate() {
                assert!(!presses[i + 1..].contains(a), "{}: {a:?} bound twice", map.name);
            }
        }
    }
}
