//! The key reference the README carries, written from the same tables the
//! keys run on and the help overlay shows.

use super::{
    AUDIT, AUDIT_CHECKLIST, AUDIT_EVIDENCE, AUDIT_FINDINGS, BUSY, CONFIRM, CONFIRM_QUIT, CONFIRM_VOID, FILTER, FLAGS,
    FORM, HELP, KeyMap, KeyTable, NOTICE, PROMPT, REPORT, SHORTLIST, SUPPLIER, SUPPLIERS, YIELD, key_name,
};

/// Every key map a user meets, in the order the README lists them.
pub const ALL: &[&KeyMap] = &[
    &SUPPLIERS,
    &FLAGS,
    &SHORTLIST,
    &SUPPLIER,
    &AUDIT,
    &AUDIT_CHECKLIST,
    &AUDIT_EVIDENCE,
    &AUDIT_FINDINGS,
    &YIELD,
    &FILTER,
    &FORM,
    &CONFIRM,
    &CONFIRM_VOID,
    &CONFIRM_QUIT,
    &PROMPT,
    &HELP,
    &NOTICE,
    &REPORT,
    &BUSY,
];

/// The key reference in Markdown, generated from the tables the keys run
/// on (the help overlay is generated from the same tables): each map's own
/// tables, and the tables several maps share listed once, where first met.
pub fn reference_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut printed: Vec<&str> = Vec::new();
    for map in ALL {
        let _ = writeln!(out, "**{}**\n", map.name);
        let mut shared = Vec::new();
        let mut rows = String::new();
        for table in map.tables {
            let id = table_id(table);
            if printed.contains(&id) {
                shared.push(table.title);
                continue;
            }
            printed.push(id);
            for b in table.bindings {
                let keys = b.keys.iter().map(|k| format!("`{}`", key_name(*k))).collect::<Vec<_>>().join(" ");
                let _ = writeln!(rows, "| {keys} | {} | {} |", table.title, b.help.replace('|', "\\|"));
            }
        }
        if !rows.is_empty() {
            out.push_str("| keys | group | does |\n|---|---|---|\n");
            out.push_str(&rows);
        }
        if map.text_input {
            out.push_str("\nOther keys type text.\n");
        }
        if !shared.is_empty() {
            let _ = writeln!(out, "\nAlso: {} (listed above).", shared.join(", "));
        }
        out.push('\n');
    }
    out
}

/// Tables are `const`s copied into maps: a table is known by its title,
/// which no two different tables share (a test checks).
fn table_id(table: &KeyTable) -> &'static str {
    table.title
}
