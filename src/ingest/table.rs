//! A decoded file as a table: a header and the rows after it, in whichever dialect the file uses.
//!
//! Rows come from the csv crate for delimited files, or from splitting lines on runs of spaces
//! and tabs for whitespace-separated files, which have no quoting. A file without a header row
//! gets the names `column_1`, `column_2`, … or the names the user gave, and its first row is
//! data.

use csv::{ReaderBuilder, StringRecord};

use super::dialect::{self, Dialect, Header};
use crate::error::{shorten, Error, Problem};

/// The maximum number of columns in a file: as many as a spreadsheet sheet has.
pub const MAX_COLUMNS: usize = 16_384;
/// The maximum length of one field, in bytes of decoded UTF-8 text: 1 MiB. A longer field is
/// almost always a quote that was never closed, and the analyses would copy it into every list
/// that names it, so its row is rejected with a problem naming the row and column.
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// A quoted field spanning more lines than this is reported, because a missing closing quote
/// makes the rest of the file one field.
const LONG_FIELD_LINES: usize = 100;

/// The user's dialect choices. A `None` field is sniffed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DialectChoice {
    pub delimiter: Option<u8>,
    /// `"` or `'`.
    pub quote: Option<u8>,
    /// Whether the first row is a header.
    pub header: Option<bool>,
    /// Column names for a file without a header row, in column order. Missing names keep
    /// their generated `column_N`.
    pub column_names: Vec<String>,
}

enum Rows<'t> {
    /// The csv crate's line numbers leave out blank lines, so lines are counted here from the
    /// byte offset of each record: `counted` newlines lie before byte `offset` of `body`.
    /// Records that start at or after byte `limit` belong to the next part of the file (see
    /// [`Table::stop_at`]). `overran` is set when a record starts before it but ends after it.
    Csv { reader: csv::Reader<&'t [u8]>, body: &'t [u8], offset: usize, counted: u64, limit: usize, overran: bool },
    Whitespace { lines: std::str::Lines<'t>, line: u64 },
}

/// A header and a reader positioned on the first data row.
pub struct Table<'t> {
    pub header: Header,
    pub dialect: Dialect,
    /// False when the file had no header row and the names were generated or given.
    pub has_header: bool,
    rows: Rows<'t>,
    /// The first row of a header-less file, read while looking for a header, with its line.
    pending: Option<(StringRecord, u64)>,
    /// The row of a `#` line after the data, where reading stopped: a second table or notes.
    pub stopped_at: Option<u64>,
    /// The first row with a quoted field of more than [`LONG_FIELD_LINES`] lines, and its line count.
    pub long_field: Option<(u64, usize)>,
}

impl<'t> Table<'t> {
    /// Splits `text` into a header and rows. Fails when the text has no row at all.
    pub fn open(name: &str, text: &'t str, choice: &DialectChoice) -> Result<Table<'t>, Error> {
        check_text(name, text)?;
        // A second byte-order mark, as some tools write after converting a file, is not data.
        let text = text.trim_start_matches('\u{FEFF}');
        let mut dialect = dialect::sniff(text, choice.delimiter);
        if let Some(quote) = choice.quote {
            dialect.quote = quote;
        }
        let mut rows = Rows::new(body(text), &dialect);

        if let Rows::Csv { body, .. } = &rows {
            let fields = count_first_record_fields(body, dialect.delimiter, dialect.quote);
            if fields > MAX_COLUMNS {
                return Err(too_many_columns(name, fields));
            }
        }
        let mut first = StringRecord::new();
        let line = match next_record(&mut rows, &mut first).map_err(|message| Error::File {
            file: name.to_string(),
            message: format!("the first row cannot be read: {message}"),
        })? {
            Some(line) => line,
            None => {
                return Err(Error::File {
                    file: name.to_string(),
                    message: "the file is empty: a header row and at least one data row are expected".to_string(),
                })
            }
        };

        if first.len() > MAX_COLUMNS {
            return Err(too_many_columns(name, first.len()));
        }
        if let Some((column, length)) = oversized_field(&first) {
            return Err(Error::File {
                file: name.to_string(),
                message: format!(
                    "row {}, column {} of the first row is {} bytes long, more than the maximum of {MAX_FIELD_BYTES} bytes (1 MiB) per field. Check the quoting of this file, or choose another delimiter.",
                    dialect.preamble_lines as u64 + line,
                    column + 1,
                    length
                ),
            });
        }
        let has_header = choice.header.unwrap_or_else(|| !dialect::looks_like_data(&first));
        let (header, pending) = if has_header {
            (dialect::clean_header(&first), None)
        } else {
            let names = (0..first.len())
                .map(|position| match choice.column_names.get(position).map(|name| name.trim()) {
                    Some(given) if !given.is_empty() => given.to_string(),
                    _ => format!("column_{}", position + 1),
                })
                .collect::<Vec<String>>();
            (dialect::clean_header(&StringRecord::from(names)), Some((first, line)))
        };
        Ok(Table { header, dialect, has_header, rows, pending, stopped_at: None, long_field: None })
    }

    /// Opens a later part of a file whose first part [`Table::open`] read: `body` starts at a line
    /// of the file's body, after the header. Rows are numbered from 1 at that line, so the caller
    /// adds the lines before it. A whitespace-separated file is never read in parts.
    pub fn part(body: &'t str, header: Header, dialect: &Dialect) -> Table<'t> {
        let dialect = Dialect { preamble_lines: 0, ..dialect.clone() };
        let rows = Rows::new(body, &dialect);
        Table { header, dialect, has_header: true, rows, pending: None, stopped_at: None, long_field: None }
    }

    /// Ends the table before the first record that starts at byte `limit` of the body or later,
    /// where the next part of the file begins.
    pub fn stop_at(&mut self, limit: usize) {
        if let Rows::Csv { reader, limit: stop, overran, .. } = &mut self.rows {
            *stop = limit;
            // The header row, read already, may itself run past the limit.
            *overran |= reader.position().byte() as usize > limit;
        }
    }

    /// True when a record read so far started before the limit of [`Table::stop_at`] and ended
    /// after it: the limit fell inside a quoted field, so it is no place to split the file.
    pub fn overran(&self) -> bool {
        matches!(self.rows, Rows::Csv { overran: true, .. })
    }

    /// Returns the number of newlines before byte `limit` of the body (or before its end), which
    /// is the number of lines before the next part of the file. Call it after the last row.
    pub fn lines_before(&self, limit: usize) -> u64 {
        match &self.rows {
            Rows::Csv { body, offset, counted, .. } => {
                let rest = body.get(*offset..limit.min(body.len())).unwrap_or_default();
                *counted + rest.iter().filter(|&&byte| byte == b'\n').count() as u64
            }
            Rows::Whitespace { line, .. } => *line,
        }
    }

    /// Reads the next data row into `record` and returns its spreadsheet row number (the first
    /// line of the file is row 1), or `None` at the end.
    pub fn next_row(&mut self, name: &str, record: &mut StringRecord) -> Result<Option<u64>, Error> {
        let preamble = self.dialect.preamble_lines as u64;
        if let Some((first, line)) = self.pending.take() {
            *record = first;
            return Ok(Some(preamble + line));
        }
        if self.stopped_at.is_some() {
            return Ok(None);
        }
        let line = next_record(&mut self.rows, record).map_err(|message| Error::File {
            file: name.to_string(),
            message: format!("a row after line {} cannot be read: {message}", preamble + self.line()),
        })?;
        let Some(line) = line else { return Ok(None) };
        // A `#` line after the data starts a second table or notes, as analytics exports write
        // them; its rows are reported, not read as data.
        if record.get(0).is_some_and(|first| first.trim_start().starts_with('#')) && record.iter().skip(1).all(|field| field.trim().is_empty()) {
            self.stopped_at = Some(preamble + line);
            return Ok(None);
        }
        if self.long_field.is_none() && record.as_slice().contains('\n') {
            let lines = field_lines(record);
            if lines > LONG_FIELD_LINES {
                self.long_field = Some((preamble + line, lines));
            }
        }
        Ok(Some(preamble + line))
    }

    /// Returns the warnings about the file's shape: reading stopped before the end, or a quoted
    /// field that spans so many lines that a closing quote is probably missing.
    pub fn shape_warnings(&self, name: &str) -> Vec<crate::report::Warning> {
        shape_warnings(name, self.stopped_at, self.long_field)
    }

    /// Returns the problem of a row that has a field longer than [`MAX_FIELD_BYTES`], naming the
    /// first such field, or `None` when every field fits. A caller skips the row in lenient mode
    /// and stops the load in strict mode.
    pub fn oversized_problem(&self, name: &str, row: u64, record: &StringRecord) -> Option<Problem> {
        let (column, length) = oversized_field(record)?;
        // The row's own fields decide the cause, so the message does not depend on which long
        // field of the file came first, nor on which part of the file the row was read in.
        let lines = field_lines(record);
        let cause = if lines > LONG_FIELD_LINES {
            format!(
                "A quoted field that starts in this row spans {lines} lines, so its closing quote is probably missing. Close the quote in the file and load it again."
            )
        } else {
            "Check the quoting of this file, or choose another delimiter.".to_string()
        };
        Some(Problem {
            file: name.to_string(),
            row,
            column: self.header.names.get(column).cloned().unwrap_or_else(|| format!("column_{}", column + 1)),
            value: shorten(record.get(column).unwrap_or(""), 200),
            message: format!(
                "the field is {length} bytes long, more than the maximum of {MAX_FIELD_BYTES} bytes (1 MiB) per field, so the row was not read. {cause}"
            ),
        })
    }

    /// Handles a row with a field longer than [`MAX_FIELD_BYTES`]: in strict mode returns its
    /// problem as the error, otherwise adds the problem to `problems`. Returns true when the row
    /// must be skipped, and false when every field fits.
    pub fn reject_oversized(&self, name: &str, row: u64, record: &StringRecord, strict: bool, problems: &mut super::Problems) -> Result<bool, Error> {
        let Some(problem) = self.oversized_problem(name, row, record) else { return Ok(false) };
        if strict {
            return Err(Error::Value(problem));
        }
        problems.add(problem);
        Ok(true)
    }

    fn line(&self) -> u64 {
        match &self.rows {
            Rows::Csv { counted, .. } => *counted + 1,
            Rows::Whitespace { line, .. } => *line,
        }
    }
}

/// Returns the warnings about a file's shape: reading stopped at a `#` line before the end, or a
/// quoted field spans so many lines that a closing quote is probably missing.
pub fn shape_warnings(name: &str, stopped_at: Option<u64>, long_field: Option<(u64, usize)>) -> Vec<crate::report::Warning> {
    let mut warnings = Vec::new();
    if let Some(row) = stopped_at {
        warnings.push(crate::report::Warning::new(
            "second_table",
            1,
            format!("{name}: reading stopped at row {row}, a line starting with #. What follows is a second table or notes; save it as its own file to analyse it."),
        ));
    }
    if let Some((row, lines)) = long_field {
        warnings.push(crate::report::Warning::new(
            "long_quoted_field",
            1,
            format!("{name}: a quoted field that starts at row {row} spans {lines} lines. A closing quote is probably missing there, which turns the rows after it into one cell."),
        ));
    }
    warnings
}

/// Returns the body of a decoded file: the text after a byte-order mark and the preamble lines.
pub fn body(text: &str) -> &str {
    dialect::skip_preamble(text.trim_start_matches('\u{FEFF}')).1
}

impl<'t> Rows<'t> {
    fn new(body: &'t str, dialect: &Dialect) -> Rows<'t> {
        if dialect.delimiter == dialect::WHITESPACE {
            return Rows::Whitespace { lines: body.lines(), line: 0 };
        }
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter)
            .quote(dialect.quote)
            .from_reader(body.as_bytes());
        Rows::Csv { reader, body: body.as_bytes(), offset: 0, counted: 0, limit: usize::MAX, overran: false }
    }
}

/// Returns the number of lines that the longest-spanning field of `record` takes.
fn field_lines(record: &StringRecord) -> usize {
    record.iter().map(|field| field.matches('\n').count()).max().unwrap_or(0) + 1
}

/// Returns the position and length of the first field longer than [`MAX_FIELD_BYTES`].
pub fn oversized_field(record: &StringRecord) -> Option<(usize, usize)> {
    record.iter().enumerate().find(|(_, field)| field.len() > MAX_FIELD_BYTES).map(|(column, field)| (column, field.len()))
}

/// Builds the error for a first row with more than [`MAX_COLUMNS`] fields.
fn too_many_columns(name: &str, fields: usize) -> Error {
    Error::File {
        file: name.to_string(),
        message: format!(
            "the first row has {fields} fields, more than the {MAX_COLUMNS} columns a spreadsheet holds. Check the delimiter, or split the file."
        ),
    }
}

/// The position of [`count_first_record_fields`] relative to the field it is reading.
#[derive(Clone, Copy, PartialEq)]
enum FieldState {
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the closing quote, or the first of a doubled quote.
    QuoteInQuoted,
}

/// Counts the fields of the first record of `body` without storing them, so that a header of a
/// million delimiters is rejected before the csv crate stores a million field boundaries. Quoting
/// follows the csv crate: a quote opens a quoted field only at the start of a field, a doubled
/// quote inside it is one quote, and a quote inside an unquoted field is text.
fn count_first_record_fields(body: &[u8], delimiter: u8, quote: u8) -> usize {
    let mut fields = 1;
    let mut state = FieldState::Start;
    for &byte in body {
        let ends_record = byte == b'\n' || byte == b'\r';
        state = match state {
            FieldState::Quoted if byte == quote => FieldState::QuoteInQuoted,
            FieldState::Quoted => FieldState::Quoted,
            FieldState::QuoteInQuoted if byte == quote => FieldState::Quoted,
            FieldState::Start if byte == quote => FieldState::Quoted,
            _ if ends_record => break,
            _ if byte == delimiter => {
                fields += 1;
                FieldState::Start
            }
            _ => FieldState::Unquoted,
        };
    }
    fields
}

/// Reads one record and returns the line it starts on, counted from 1 after the preamble.
fn next_record(rows: &mut Rows<'_>, record: &mut StringRecord) -> Result<Option<u64>, String> {
    match rows {
        Rows::Csv { reader, body, offset, counted, limit, overran } => match reader.read_record(record) {
            Ok(true) => {
                // The position is where the previous record ended, before any blank lines.
                let mut start = record.position().map_or(*offset, |position| position.byte() as usize).min(body.len());
                while matches!(body.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                if start >= *limit {
                    return Ok(None);
                }
                if reader.position().byte() as usize > *limit {
                    *overran = true;
                }
                if start > *offset {
                    *counted += body[*offset..start].iter().filter(|&&byte| byte == b'\n').count() as u64;
                    *offset = start;
                }
                Ok(Some(*counted + 1))
            }
            Ok(false) => Ok(None),
            Err(error) => Err(error.to_string()),
        },
        Rows::Whitespace { lines, line } => loop {
            let Some(text) = lines.next() else { return Ok(None) };
            *line += 1;
            if text.trim().is_empty() {
                continue;
            }
            record.clear();
            for field in text.split_whitespace() {
                record.push_field(field);
            }
            return Ok(Some(*line));
        },
    }
}

/// Rejects bytes that are not text: more than 8 control characters (other than tab, line feed
/// and carriage return), and more than 1% of them, at the start of the decoded file. A stray NUL
/// in a small text file is kept; it shows up in the values it belongs to.
fn check_text(name: &str, text: &str) -> Result<(), Error> {
    let sample: Vec<char> = text.chars().take(8_192).collect();
    let control = sample.iter().filter(|&&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')).count();
    if control > 8 && control * 100 > sample.len() {
        return Err(Error::File {
            file: name.to_string(),
            message: "this does not look like a text file. Export the data as CSV (comma, semicolon or tab separated) and add that file.".to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(table: &mut Table<'_>) -> Vec<(u64, Vec<String>)> {
        let mut record = StringRecord::new();
        let mut all = Vec::new();
        while let Some(row) = table.next_row("t.csv", &mut record).unwrap() {
            all.push((row, record.iter().map(str::to_string).collect()));
        }
        all
    }

    #[test]
    fn whitespace_separated_without_header() {
        let text = "00004 0001 19970101  2   29.33\n00004 0001 19970118  2   29.73\n\n00018 0003 19970102  2   77.00\n";
        let mut table = Table::open("cdnow.txt", text, &DialectChoice::default()).unwrap();
        assert!(!table.has_header);
        assert_eq!(table.header.names, ["column_1", "column_2", "column_3", "column_4", "column_5"]);
        let all = rows(&mut table);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], (1, vec!["00004".into(), "0001".into(), "19970101".into(), "2".into(), "29.33".into()]));
        assert_eq!(all[2].0, 4);
    }

    #[test]
    fn user_names_the_columns() {
        let choice = DialectChoice { column_names: vec!["customer".into(), "".into(), "date".into()], ..DialectChoice::default() };
        let table = Table::open("cdnow.txt", "00004 0001 19970101\n", &choice).unwrap();
        assert_eq!(table.header.names, ["customer", "column_2", "date"]);
    }

    #[test]
    fn header_row_is_kept_apart() {
        let mut table = Table::open("a.csv", "user,event,ts\nu1,a,2024-01-01T10:00:00Z\n", &DialectChoice::default()).unwrap();
        assert!(table.has_header);
        assert_eq!(rows(&mut table), [(2, vec!["u1".to_string(), "a".into(), "2024-01-01T10:00:00Z".into()])]);
    }

    #[test]
    fn second_table_is_not_appended() {
        let text = "# a\nuser,event,ts\nu1,a,2024-01-01T00:00:00Z\n\n# export 2\nid,name,when\nu9,b,2024-01-02T00:00:00Z\n";
        let mut table = Table::open("c02.csv", text, &DialectChoice::default()).unwrap();
        assert_eq!(rows(&mut table).len(), 1);
        assert_eq!(table.stopped_at, Some(5));
        assert!(table.shape_warnings("c02.csv")[0].message.contains("row 5"));
    }

    #[test]
    fn quote_can_be_chosen() {
        let choice = DialectChoice { quote: Some(b'\''), ..DialectChoice::default() };
        let mut table = Table::open("a.csv", "a,b\n'x, y',\"z\"\n", &choice).unwrap();
        assert_eq!(rows(&mut table)[0].1, ["x, y", "\"z\""]);
    }

    #[test]
    fn first_record_fields_follow_quoting() {
        let count = |text: &str| count_first_record_fields(text.as_bytes(), b',', b'"');
        assert_eq!(count("a,b,c\nd,e,f,g,h\n"), 3);
        assert_eq!(count("\"a,b\",c\n"), 2);
        assert_eq!(count("\"a\"\"b\",c\r\nd,e,f\n"), 2);
        assert_eq!(count("\"multi\nline\",c\nd,e,f\n"), 2);
        // A quote inside an unquoted field is text and opens nothing, so the record ends at the newline.
        assert_eq!(count("a,say \"hi,b\nc,d,e,f\n"), 3);
        assert_eq!(count("a,b,"), 3);
    }

    #[test]
    fn header_can_be_forced_off() {
        let choice = DialectChoice { header: Some(false), ..DialectChoice::default() };
        let mut table = Table::open("a.csv", "a,b\nc,d\n", &choice).unwrap();
        assert_eq!(rows(&mut table).len(), 2);
    }
}
