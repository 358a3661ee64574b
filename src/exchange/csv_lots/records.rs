//! CSV records (RFC 4180, as the `csv` crate reads them) out of fixed
//! buffers: a record longer than [`MAX_ROW_BYTES`] or with more fields than
//! the reader was made for is reported and skipped, never held. So no file,
//! however hostile (a 1 GB quoted field, a million columns), makes the
//! importer hold more than one bounded record.

use std::io::Read;

use csv_core::ReadRecordResult;

use crate::model::validate::MAX_ROW_BYTES;

/// What the next record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// A whole record, now in the reader's buffers.
    Record,
    /// A record of more than [`MAX_ROW_BYTES`] bytes, skipped.
    TooLong,
    /// A record of more fields than the reader takes, skipped.
    TooWide,
    /// The end of the input.
    End,
}

pub(super) struct Records<R> {
    input: R,
    core: csv_core::Reader,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    eof: bool,
    at_start: bool,
    out: Box<[u8]>,
    ends: Box<[usize]>,
    len: usize,
    line: u64,
    consumed: u64,
    /// The last byte csv-core consumed: whether a record ended on `\n`.
    last: u8,
}

impl<R: Read> Records<R> {
    /// A reader taking records of at most `max_fields` fields.
    pub fn new(input: R, max_fields: usize) -> Self {
        Self {
            input,
            core: csv_core::Reader::new(),
            buf: vec![0; 1 << 16].into_boxed_slice(),
            pos: 0,
            filled: 0,
            eof: false,
            at_start: true,
            out: vec![0; MAX_ROW_BYTES].into_boxed_slice(),
            ends: vec![0; max_fields].into_boxed_slice(),
            len: 0,
            line: 1,
            consumed: 0,
            last: 0,
        }
    }

    /// Reads the next record.
    pub fn next(&mut self) -> std::io::Result<Next> {
        let (mut nout, mut nend) = (0, 0);
        let mut breaks = 0;
        let mut overflow = None;
        loop {
            if self.pos == self.filled && !self.eof {
                self.refill()?;
            }
            let (result, nin, written, ended) =
                self.core.read_record(&self.buf[self.pos..self.filled], &mut self.out[nout..], &mut self.ends[nend..]);
            if nin > 0 {
                self.last = self.buf[self.pos + nin - 1];
            }
            self.pos += nin;
            self.consumed += nin as u64;
            breaks += newlines(&self.out[nout..nout + written]);
            nout += written;
            nend += ended;
            match result {
                ReadRecordResult::InputEmpty => {}
                // Keep reading to the record's end, into the same space.
                ReadRecordResult::OutputFull => {
                    overflow.get_or_insert(Next::TooLong);
                    nout = 0;
                }
                ReadRecordResult::OutputEndsFull => {
                    overflow.get_or_insert(Next::TooWide);
                    nend = 0;
                }
                ReadRecordResult::Record => {
                    // csv-core counts a `\n` once consumed: a record ending
                    // on one (LF) has it counted, one ending on `\r` (CRLF)
                    // not yet; line breaks inside quoted fields are counted
                    // too. (The `csv` crate's positions lag behind on CRLF.)
                    // (At the end of the input nothing terminated it.)
                    let last_line = self.core.line() - u64::from(nin > 0 && self.last == b'\n');
                    self.line = last_line.saturating_sub(breaks);
                    self.len = if overflow.is_some() { 0 } else { nend };
                    return Ok(overflow.unwrap_or(Next::Record));
                }
                ReadRecordResult::End => return Ok(Next::End),
            }
        }
    }

    fn refill(&mut self) -> std::io::Result<()> {
        let n = loop {
            match self.input.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        (self.pos, self.filled, self.eof) = (0, n, n == 0);
        if self.at_start && n > 0 {
            self.at_start = false;
            // A UTF-8 byte order mark before the header is not part of it.
            if self.buf[..n].starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
                self.consumed += 3;
            }
        }
        Ok(())
    }

    /// The line the last record started on (1-based), CRLF or LF.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Bytes of input consumed so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Fields of the last record.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Field `i` of the last record (empty past its end).
    pub fn field(&self, i: usize) -> &[u8] {
        if i >= self.len {
            return &[];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.out.get(start..self.ends[i]).unwrap_or_default()
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.split(|b| *b == b'\n').count() as u64 - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max_fields: usize) -> Vec<(Next, u64, Vec<String>)> {
        let mut records = Records::new(input, max_fields);
        let mut out = Vec::new();
        loop {
            let next = records.next().unwrap();
            if next == Next::End {
                return out;
            }
            let fields = (0..records.len()).map(|i| String::from_utf8_lossy(records.field(i)).into_owned()).collect();
            out.push((next, records.line(), fields));
        }
    }

    #[test]
    fn reads_rfc_4180_and_counts_lines_with_lf_or_crlf() {
        for end in ["\n", "\r\n"] {
            let doc = format!(
                "\u{feff}a,b{end}\"x,1\",\"say \"\"hi\"\"\"{end}{end}last,\"two{end}lines\"{end}z,9{end}\"open{end}"
            );
            let got = all(doc.as_bytes(), 4);
            let want = [
                (Next::Record, 1, vec!["a".to_owned(), "b".to_owned()]),
                (Next::Record, 2, vec!["x,1".to_owned(), "say \"hi\"".to_owned()]),
                (Next::Record, 4, vec!["last".to_owned(), format!("two{end}lines")]),
                (Next::Record, 6, vec!["z".to_owned(), "9".to_owned()]),
                (Next::Record, 7, vec![format!("open{end}")]),
            ];
            assert_eq!(got, want, "line ends {end:?}");
        }
    }

    #[test]
    fn an_overlong_or_overwide_record_is_skipped_and_the_next_one_read() {
        let mut input = b"a,b\n\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES * 3));
        input.extend(b"\",y\nc,d\ne,f,g,h,i\nj,k\n");
        let got = all(&input, 4);
        let kinds: Vec<(Next, u64)> = got.iter().map(|(n, l, _)| (*n, *l)).collect();
        assert_eq!(
            kinds,
            [(Next::Record, 1), (Next::TooLong, 2), (Next::Record, 3), (Next::TooWide, 4), (Next::Record, 5)]
        );
        assert_eq!(got[4].2, ["j", "k"]);
    }
}
