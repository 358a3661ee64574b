//! Migration 11: every CHECK that tests a column against a list of three or
//! more constants (`result IN ('yes', 'partial', 'no', 'na')`) becomes the
//! same test written as comparisons (`(result = 'yes' OR result = 'partial'
//! OR …)`). The rule does not change — both forms are true, false or null
//! for exactly the same values — but SQLite evaluates such an IN list by
//! building a temporary b-tree each time the statement runs, which for an
//! INSERT is once per row (380,000 one-row inserts into a two-column table
//! with such a CHECK: 1.05 s; with the comparisons: 0.47 s). A first pull
//! spent a tenth of its writing thread opening and closing those b-trees.
//!
//! The tables are not rebuilt (they carry some fifty triggers): their CREATE
//! statements are rewritten in place by SQLite's documented procedure for
//! changing CHECK constraints (`PRAGMA writable_schema`, then a new schema
//! version so that every connection reads the schema again). Each rewritten
//! statement is first created in a scratch database, so a text that does
//! not parse is never written; the step runs in the migration's
//! transaction, so a failure leaves the file as it was.

use rusqlite::Connection;

use crate::error::{Error, Result};

pub(super) fn seed(conn: &Connection) -> Result<()> {
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'table' AND sql LIKE 'CREATE TABLE %' AND sql LIKE '% IN (%' ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let scratch = Connection::open_in_memory()?;
    let mut rewritten = Vec::new();
    for (name, sql) in tables {
        let new = comparisons_for_lists(&sql);
        if new == sql {
            continue;
        }
        scratch.execute_batch(&new).map_err(|e| Error::Invalid(format!("table {name}: rewritten CHECK: {e}")))?;
        rewritten.push((name, new));
    }
    if rewritten.is_empty() {
        return Ok(());
    }
    let version: i64 = conn.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    conn.pragma_update(None, "writable_schema", true)?;
    let written = (|| -> Result<()> {
        let mut update = conn.prepare("UPDATE sqlite_schema SET sql = ?2 WHERE type = 'table' AND name = ?1")?;
        for (name, sql) in &rewritten {
            update.execute([name, sql])?;
        }
        conn.pragma_update(None, "schema_version", version + 1)?;
        Ok(())
    })();
    conn.pragma_update(None, "writable_schema", false)?;
    written?;
    // The schema is read again here: each table must be usable as written.
    for (name, _) in &rewritten {
        conn.prepare(&format!("SELECT * FROM \"{name}\" LIMIT 0"))?;
    }
    Ok(())
}

/// `sql` with each `column IN (c1, c2, c3, …)` whose list holds three or
/// more constants (quoted strings without quotes inside, or integers)
/// written as `(column = c1 OR column = c2 OR …)`; anything else as it is.
/// Comments, string literals and quoted names are copied untouched, and only
/// a bare column name (after a space or a parenthesis) is rewritten.
fn comparisons_for_lists(sql: &str) -> String {
    const LIST: &str = " IN (";
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        let untouched = if rest.starts_with("--") {
            rest.find('\n').map_or(rest.len(), |n| n + 1)
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |n| n + 2)
        } else if c == '\'' || c == '"' {
            quoted_len(rest, c)
        } else if let Some(list) = rest.strip_prefix(LIST) {
            let column_at = out.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            let bare = column_at < out.len() && (column_at == 0 || out[..column_at].ends_with([' ', '\n', '(']));
            match constant_list(list) {
                Some((items, used)) if items.len() >= 3 && bare => {
                    let column = out.split_off(column_at);
                    let tests: Vec<String> = items.iter().map(|item| format!("{column} = {item}")).collect();
                    out.push('(');
                    out.push_str(&tests.join(" OR "));
                    out.push(')');
                    rest = &list[used..];
                    continue;
                }
                _ => LIST.len(),
            }
        } else {
            c.len_utf8()
        };
        out.push_str(&rest[..untouched]);
        rest = &rest[untouched..];
    }
    out
}

/// The length of the quoted text that `text` opens with `quote` (a doubled
/// quote inside it being one character); all of `text` if it never closes.
fn quoted_len(text: &str, quote: char) -> usize {
    let mut at = 1;
    while let Some(n) = text[at..].find(quote) {
        at += n + 1;
        if !text[at..].starts_with(quote) {
            return at;
        }
        at += 1;
    }
    text.len()
}

/// The constants of a list up to its closing parenthesis, and how many
/// bytes that took; `None` when the list holds anything but constants.
fn constant_list(text: &str) -> Option<(Vec<&str>, usize)> {
    let mut items = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let start = i;
        match bytes.get(i)? {
            b'\'' => {
                let close = text[i + 1..].find('\'')? + i + 1;
                if bytes.get(close + 1) == Some(&b'\'') {
                    return None; // an escaped quote: leave this list alone
                }
                i = close + 1;
            }
            b'0'..=b'9' => {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return None,
        }
        items.push(&text[start..i]);
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i)? {
            b',' => i += 1,
            b')' => return Some((items, i + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_three_or_more_constants_becomes_comparisons() {
        let sql =
            "CREATE TABLE t (r TEXT CHECK (r IN ('yes', 'no',\n 'na')), p TEXT CHECK (p IS NULL OR p IN (1, 2, 3)))";
        assert_eq!(
            comparisons_for_lists(sql),
            "CREATE TABLE t (r TEXT CHECK ((r = 'yes' OR r = 'no' OR r = 'na')), \
             p TEXT CHECK (p IS NULL OR (p = 1 OR p = 2 OR p = 3)))"
        );
    }

    #[test]
    fn a_list_after_a_comment_with_a_quote_is_still_rewritten() {
        let sql = "CREATE TABLE t (-- the reviewer's words\n r TEXT CHECK (r IN ('a', 'b', 'c')))";
        assert_eq!(
            comparisons_for_lists(sql),
            "CREATE TABLE t (-- the reviewer's words\n r TEXT CHECK ((r = 'a' OR r = 'b' OR r = 'c')))"
        );
    }

    #[test]
    fn short_lists_subqueries_and_escaped_quotes_are_left() {
        for sql in [
            "CREATE TABLE t (b INTEGER CHECK (b IN (0, 1)))",
            "CREATE TRIGGER x WHEN (SELECT 1 FROM a WHERE id IN (OLD.a, NEW.a, 3))",
            "CREATE TABLE t (r TEXT CHECK (r IN ('it''s', 'a', 'b')))",
            "CREATE TABLE t (r TEXT CHECK (r IN (SELECT v FROM w)))",
            "CREATE TABLE t (r TEXT CHECK (t.r IN ('a', 'b', 'c')))",
            "CREATE TABLE t (r TEXT CHECK (\"r\" IN ('a', 'b', 'c')))",
            "CREATE TABLE t (r TEXT DEFAULT 'r IN (1, 2, 3)' -- it's r IN (1, 2, 3)\n)",
            "CREATE TABLE t (r TEXT /* r IN (1, 2, 3) */ DEFAULT 'it''s r IN (1, 2, 3)')",
        ] {
            assert_eq!(comparisons_for_lists(sql), sql);
        }
    }

    /// The rule holds as before on a migrated database: what the list
    /// allowed is allowed, anything else refused, null where it was.
    #[test]
    fn the_rewritten_checks_refuse_and_allow_what_the_lists_did() {
        let conn = super::super::migrate::reference().unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for sql in &tables {
            for list in sql.split(" IN (").skip(1) {
                let list = &list[..list.find(')').unwrap()];
                assert!(list.matches(',').count() < 2, "a list of three or more is left: {list}");
            }
        }
        let answers: String =
            conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'answers'", [], |r| r.get(0)).unwrap();
        assert!(answers.contains("(result = 'yes' OR result = 'partial' OR result = 'no' OR result = 'na')"));
        conn.execute_batch(
            "INSERT INTO suppliers (code, name, country, business_type) VALUES ('S1', 'One', 'CN', 'manufacturer')",
        )
        .unwrap();
        let refused = conn.execute(
            "INSERT INTO suppliers (code, name, country, business_type) VALUES ('S2', 'Two', 'CN', 'broker')",
            [],
        );
        assert!(refused.unwrap_err().to_string().contains("CHECK constraint failed"));
    }
}
