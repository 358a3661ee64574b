//! Output helpers shared by commands: the `--format` choice and a plain
//! text table aligned by display width (CJK names take two columns).

use std::io::Write;

use unicode_width::UnicodeWidthStr;

use crate::error::Result;
use crate::exchange::cells;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Rows of text under headers; rendered aligned, or as CSV.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    right: Vec<bool>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new(), right: vec![false; headers.len()] }
    }

    #[must_use]
    pub fn right_aligned(mut self, columns: &[usize]) -> Self {
        for c in columns {
            if let Some(slot) = self.right.get_mut(*c) {
                *slot = true;
            }
        }
        self
    }

    /// Adds a row; its cells are made safe for a terminal (one line, no
    /// control sequences) here, for every table.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row.into_iter().map(|cell| cells::table_cell(&cell).into_owned()).collect());
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
                let pad = " ".repeat(w.saturating_sub(cell.width()));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// CSV for scripts: the table's "—" for a missing value is an empty
    /// cell; a cell a spreadsheet would take for a formula is neutralised.
    pub fn write_csv(&self, out: &mut dyn Write) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.headers).map_err(csv_error)?;
        for row in &self.rows {
            let row = row.iter().map(|cell| if cell == NONE { "".into() } else { cells::csv_cell(cell) });
            w.write_record(row.collect::<Vec<_>>().iter().map(|c| c.as_bytes())).map_err(csv_error)?;
        }
        w.flush()?;
        Ok(())
    }

    /// Prints as an aligned table or CSV (JSON is the caller's own shape).
    pub fn print(&self, format: Format) -> Result<()> {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        match format {
            Format::Csv => self.write_csv(&mut lock),
            _ => Ok(lock.write_all(self.render().as_bytes())?),
        }
    }
}

fn csv_error(e: csv::Error) -> crate::Error {
    crate::Error::Io(std::io::Error::other(e))
}

/// Writes a value as JSON with a final newline: indented when `pretty`.
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T, pretty: bool) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    let written =
        if pretty { serde_json::to_writer_pretty(&mut out, value) } else { serde_json::to_writer(&mut out, value) };
    written.map_err(|e| crate::Error::Io(std::io::Error::other(e)))?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Whether JSON headed for `file` (or stdout when `None`) should be
/// indented: for a file or a person at a terminal, not for a pipe.
pub fn json_pretty(file: Option<&std::path::Path>) -> bool {
    use std::io::IsTerminal;
    file.is_some() || std::io::stdout().is_terminal()
}

/// Prints a value as JSON with a final newline: indented for a person at a
/// terminal, compact when piped (a script reads it; megabytes print faster).
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let pretty = stdout.is_terminal();
    let mut lock = std::io::BufWriter::new(stdout.lock());
    let written =
        if pretty { serde_json::to_writer_pretty(&mut lock, value) } else { serde_json::to_writer(&mut lock, value) };
    written.map_err(|e| crate::Error::Io(std::io::Error::other(e)))?;
    lock.write_all(b"\n")?;
    lock.flush()?;
    Ok(())
}

/// Whether the reader of stdout went away, however the writer wrapped it.
pub fn closed_pipe(error: &crate::Error) -> bool {
    let crate::Error::Io(io) = error else { return false };
    let kind = match io.get_ref() {
        Some(inner) if inner.is::<serde_json::Error>() => {
            inner.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind)
        }
        Some(inner) => match inner.downcast_ref::<csv::Error>().map(csv::Error::kind) {
            Some(csv::ErrorKind::Io(e)) => Some(e.kind()),
            _ => Some(io.kind()),
        },
        None => Some(io.kind()),
    };
    kind == Some(std::io::ErrorKind::BrokenPipe)
}

pub use crate::exchange::shortlist::{NONE, opt};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_by_display_width() {
        let mut t = Table::new(&["code", "name", "lots"]).right_aligned(&[2]);
        t.push(vec!["SZ-A".into(), "深圳盔甲".into(), "7".into()]);
        t.push(vec!["DG-PRIME".into(), "Prime".into(), "1200".into()]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "code      name      lots");
        assert_eq!(lines[1], "SZ-A      深圳盔甲     7");
        assert_eq!(lines[2], "DG-PRIME  Prime     1200");
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_json_and_csv_writers() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(closed_pipe(&crate::Error::Io(pipe())));
        assert!(closed_pipe(&crate::Error::Io(std::io::Error::other(serde_json::Error::io(pipe())))));
        assert!(closed_pipe(&crate::Error::Io(std::io::Error::other(csv::Error::from(pipe())))));
        assert!(!closed_pipe(&crate::Error::Io(std::io::Error::other("disk full"))));
        assert!(!closed_pipe(&crate::Error::Invalid("broken pipe".into())));
    }
}
