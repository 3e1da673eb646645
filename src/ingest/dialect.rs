//! The CSV dialect: preamble lines, delimiter, and a clean header.
//!
//! The delimiter is chosen from `,` `;` tab `|` by parsing the first rows with each candidate
//! (quotes respected) and keeping the one whose field count is the most constant from the header
//! on, preferring more fields on ties. Leading blank lines and `#` comment lines, as analytics
//! exports write them, are a preamble and are skipped.

use std::collections::{HashMap, HashSet};

use csv::{ReaderBuilder, StringRecord};

/// The candidates, in the order that breaks exact ties.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Stands for "runs of spaces and tabs", for files such as fixed-width exports. Such files have
/// no quoting.
pub const WHITESPACE: u8 = b' ';

/// How many records the sniffer parses with each candidate.
const SNIFF_RECORDS: usize = 200;

/// The delimiter, quote character, line ending and preamble of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dialect {
    pub delimiter: u8,
    /// False when the user chose the delimiter.
    pub sniffed: bool,
    /// Lines before the header: blank lines and `#` comments.
    pub preamble_lines: usize,
    /// `"` unless fields are wrapped in `'` and never in `"`.
    pub quote: u8,
    /// `LF`, `CRLF` or `CR`, whichever ends most lines of the sample. Only the inspection shows it.
    #[serde(skip)]
    pub line_ending: &'static str,
}

/// The reporting period that analytics exports write in their `#` preamble, such as
/// `# Start date: 20240101` and `# End date: 20240131`, as ISO dates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// Reads the period from the preamble lines of `text`, if they name one.
pub fn preamble_period(text: &str) -> Option<Period> {
    let (lines, _) = skip_preamble(text);
    let mut period = Period { start: None, end: None };
    for line in text.lines().take(lines) {
        let Some((label, value)) = line.trim_start_matches('#').split_once(':') else { continue };
        let label = label.trim().to_lowercase();
        let value = value.trim();
        let date = chrono::NaiveDate::parse_from_str(value, "%Y%m%d")
            .or_else(|_| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d"))
            .ok()
            .map(|date| date.format("%Y-%m-%d").to_string());
        match label.as_str() {
            "start date" | "start" | "from" => period.start = date,
            "end date" | "end" | "to" => period.end = date,
            _ => {}
        }
    }
    (period.start.is_some() || period.end.is_some()).then_some(period)
}

/// Names the line ending used by most lines of `sample`.
fn line_ending(sample: &str) -> &'static str {
    let crlf = sample.matches("\r\n").count();
    let lf = sample.matches('\n').count() - crlf;
    let cr = sample.matches('\r').count() - crlf;
    if cr > lf && cr > crlf {
        "CR"
    } else if crlf > lf {
        "CRLF"
    } else {
        "LF"
    }
}

/// Returns `'` when some rows wrap a field in single quotes and none in double quotes. A field
/// is wrapped when a quote opens it (at the line start or after a delimiter) and a quote closes
/// it (before a delimiter or at the line end).
fn quote_character(sample: &str, delimiter: u8) -> u8 {
    let delimiter = delimiter as char;
    let wrapped = |quote: char| {
        let opens = format!("{delimiter}{quote}");
        let closes = format!("{quote}{delimiter}");
        sample
            .lines()
            .take(SNIFF_RECORDS)
            .map(str::trim_end)
            .filter(|line| (line.starts_with(quote) || line.contains(&opens)) && (line.ends_with(quote) || line.contains(&closes)))
            .count()
    };
    if wrapped('\'') > 0 && wrapped('"') == 0 {
        b'\''
    } else {
        b'"'
    }
}

/// Returns the name users see for a delimiter byte.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        WHITESPACE => "whitespace".to_string(),
        other => (other as char).to_string(),
    }
}

/// Parses a delimiter as users write it: `,` `;` `|`, `tab` or `\t`.
pub fn parse_delimiter(text: &str) -> Option<u8> {
    match text {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        "," => Some(b','),
        ";" => Some(b';'),
        "|" => Some(b'|'),
        "whitespace" | "space" | " " => Some(WHITESPACE),
        _ => None,
    }
}

/// Counts the preamble lines at the start of `text` and returns the text after them.
pub fn skip_preamble(text: &str) -> (usize, &str) {
    let mut lines = 0;
    let mut rest = text;
    // Comment lines and report blocks may alternate any number of times, so this is a loop: one
    // call per block would run out of stack on a file of thousands of blocks.
    loop {
        loop {
            let line_end = rest.find('\n').map_or(rest.len(), |at| at + 1);
            let line = rest[..line_end].trim();
            if line_end == 0 || !(line.is_empty() || is_comment(line)) {
                break;
            }
            lines += 1;
            rest = &rest[line_end..];
        }
        match report_block(rest) {
            Some((block_lines, after)) => {
                lines += block_lines;
                rest = after;
            }
            None => return (lines, rest),
        }
    }
}

/// Recognises a report block before the table, as some analytics tools write it without `#`:
/// at most ten short lines such as `Report Name,Events Overview`, then a blank line, then a row
/// with more fields than any line of the block. Returns the lines to skip and the text after them.
fn report_block(text: &str) -> Option<(usize, &str)> {
    const MAX_BLOCK_LINES: usize = 10;
    let fields = |line: &str| DELIMITERS.iter().map(|&delimiter| line.matches(delimiter as char).count()).max().unwrap_or(0) + 1;
    let mut offset = 0;
    let mut widest = 0;
    for (index, line) in text.split_inclusive('\n').enumerate().take(MAX_BLOCK_LINES + 1) {
        if line.trim().is_empty() {
            if index == 0 {
                return None;
            }
            let after = &text[offset + line.len()..];
            let next = after.lines().find(|next| !next.trim().is_empty())?;
            return (fields(next) > widest && fields(next) > 2).then_some((index + 1, after));
        }
        widest = widest.max(fields(line));
        offset += line.len();
    }
    None
}

/// Returns true for a `#` comment line. A `#` followed by a delimiter is a column named `#`, as
/// in Typeform's exports, not a comment.
fn is_comment(line: &str) -> bool {
    line.strip_prefix('#').is_some_and(|rest| !rest.starts_with([',', ';', '\t', '|']))
}

/// Sniffs the dialect of `text`, or keeps `delimiter` when the user chose one.
pub fn sniff(text: &str, delimiter: Option<u8>) -> Dialect {
    let (preamble_lines, body) = skip_preamble(text);
    let sample = &body[..floor_char_boundary(body, 256 * 1024)];
    let ending = line_ending(sample);
    let dialect = |delimiter: u8, sniffed: bool| Dialect {
        delimiter,
        sniffed,
        preamble_lines,
        quote: if delimiter == WHITESPACE { b'"' } else { quote_character(sample, delimiter) },
        line_ending: ending,
    };
    if let Some(delimiter) = delimiter {
        return dialect(delimiter, false);
    }
    let mut best = (b',', (false, 0.0, 0));
    for candidate in DELIMITERS {
        let score = consistency(sample, candidate);
        if score.0 > best.1 .0
            || (score.0 == best.1 .0 && (score.1 > best.1 .1 || (score.1 == best.1 .1 && score.2 > best.1 .2)))
        {
            best = (candidate, score);
        }
    }
    if !best.1 .0 && splits_on_whitespace(sample) {
        return dialect(WHITESPACE, true);
    }
    dialect(best.0, true)
}

/// Returns true when the first lines split on runs of spaces and tabs into a constant number of
/// fields, two or more.
fn splits_on_whitespace(sample: &str) -> bool {
    let mut counts = sample.lines().filter(|line| !line.trim().is_empty()).take(SNIFF_RECORDS).map(|line| line.split_whitespace().count());
    let Some(first) = counts.next() else { return false };
    first > 1 && counts.all(|count| count == first)
}

/// Returns true when a first row reads as data rather than names: a field is a date or a time,
/// which no column name is, or most fields are numbers.
pub fn looks_like_data(record: &StringRecord) -> bool {
    let fields: Vec<&str> = record.iter().map(str::trim).filter(|field| !field.is_empty()).collect();
    let is_time = |field: &&str| field.len() >= 8 && super::time::infer_format("", [*field], super::time::DateOrder::DayFirst).is_some();
    if fields.iter().any(is_time) {
        return true;
    }
    let numeric = fields
        .iter()
        .filter(|field| field.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | ':' | ',' | ' ' | 'T' | 'Z' | '+')))
        .filter(|field| field.chars().any(|c| c.is_ascii_digit()))
        .count();
    !fields.is_empty() && numeric * 2 > fields.len()
}

/// Scores a candidate: (splits the header, share of rows matching the header's field count,
/// header field count).
fn consistency(sample: &str, delimiter: u8) -> (bool, f64, usize) {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(sample.as_bytes());
    let mut records = reader.records().take(SNIFF_RECORDS + 1);
    let header_fields = match records.next() {
        Some(Ok(record)) => record.len(),
        _ => return (false, 0.0, 0),
    };
    let (mut rows, mut matching) = (0usize, 0usize);
    for record in records.flatten() {
        rows += 1;
        if record.len() == header_fields {
            matching += 1;
        }
    }
    // The sample may end inside the last row, so one short row is forgiven.
    let share = if rows == 0 { 1.0 } else { matching.min(rows) as f64 / rows.saturating_sub(1).max(1) as f64 };
    (header_fields > 1, share.min(1.0), header_fields)
}

/// The header after clean-up, and what the clean-up changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub names: Vec<String>,
    /// (original, new) for each renamed duplicate.
    pub renamed: Vec<(String, String)>,
    /// How many unnamed trailing columns were dropped.
    pub dropped_trailing: usize,
}

/// Cleans a header record: trims names, names unnamed columns `column_N`, drops unnamed
/// trailing columns, and renames duplicates with a suffix that no other column has.
pub fn clean_header(record: &StringRecord) -> Header {
    let mut raw: Vec<String> = record.iter().map(|name| name.trim().to_string()).collect();
    let mut dropped_trailing = 0;
    while raw.len() > 1 && raw.last().is_some_and(|name| name.is_empty()) {
        raw.pop();
        dropped_trailing += 1;
    }
    for (position, name) in raw.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("column_{}", position + 1);
        }
    }

    // Every name in the header is taken up front, so a generated suffix never collides with a
    // column that comes later.
    // The next suffix to try per name keeps many copies of one name linear.
    let mut taken: HashSet<String> = raw.iter().cloned().collect();
    let mut seen: HashSet<&str> = HashSet::with_capacity(raw.len());
    let mut next_suffix: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut renamed = Vec::new();
    for name in &raw {
        if seen.insert(name.as_str()) {
            names.push(name.clone());
            continue;
        }
        let suffix = next_suffix.entry(name.as_str()).or_insert(2);
        let unique = loop {
            let candidate = format!("{name}_{suffix}");
            *suffix += 1;
            if !taken.contains(&candidate) {
                break candidate;
            }
        };
        taken.insert(unique.clone());
        renamed.push((name.clone(), unique.clone()));
        names.push(unique);
    }
    Header { names, renamed, dropped_trailing }
}

/// Returns the largest char boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut at = at;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_with_decimal_comma() {
        let text = "date;channel;amount\n08/01/2024;email;1,25\n09/01/2024;ads;300,00\n";
        assert_eq!(sniff(text, None).delimiter, b';');
    }

    #[test]
    fn comma_inside_quotes_is_ignored() {
        let text = "a;b\n\"x,y,z\";1\n\"p,q\";2\n";
        assert_eq!(sniff(text, None).delimiter, b';');
    }

    #[test]
    fn single_quotes_and_line_endings() {
        let dialect = sniff("a,b\r\n'x, y',1\r\n'z',2\r\n", None);
        assert_eq!(dialect.quote, b'\'');
        assert_eq!(dialect.line_ending, "CRLF");
        assert_eq!(sniff("user,note,ts\nu1,'a, b',1\nu2,'c, d',2\n", Some(b',')).quote, b'\'');
        assert_eq!(sniff("a,b\n\"x\",1\n", None).quote, b'"');
        assert_eq!(sniff("a,b\r1,2\r", None).line_ending, "CR");
    }

    #[test]
    fn period_from_the_preamble() {
        let text = "# ----\n# Demo property - events\n# Start date: 20240101\n# End date: 20240131\n\nEvent name,Event count\n";
        let period = preamble_period(text).unwrap();
        assert_eq!(period.start.as_deref(), Some("2024-01-01"));
        assert_eq!(period.end.as_deref(), Some("2024-01-31"));
        assert_eq!(preamble_period("a,b\n1,2\n"), None);
    }

    #[test]
    fn tab_and_pipe() {
        assert_eq!(sniff("a\tb\tc\n1\t2\t3\n", None).delimiter, b'\t');
        assert_eq!(sniff("a|b\n1|2\n", None).delimiter, b'|');
    }

    #[test]
    fn report_block_before_the_table_is_skipped() {
        let text = "Report Name,Events Overview\nDate Range,Jan 2024\n\nuser,event,ts,page\nu1,a,2024-01-01T00:00:00Z,/\n";
        let (lines, rest) = skip_preamble(text);
        assert_eq!(lines, 3);
        assert!(rest.starts_with("user,event"));
        // An ordinary table with a blank line inside keeps its header.
        let (lines, _) = skip_preamble("user,event,ts\nu1,a,1\n\nu2,b,2\n");
        assert_eq!(lines, 0);
    }

    #[test]
    fn thousands_of_report_blocks_need_no_stack() {
        // Each block is one line wider than the one before, so each is a report block before the
        // next, and the header is wider than all of them.
        let blocks: String = (0..2_000).map(|width| format!("{}\n\n", "|".repeat(2 + width))).collect();
        let columns: Vec<String> = (0..2_100).map(|column| format!("c{column}")).collect();
        let text = format!("{blocks}{}\n", columns.join(","));
        // A thread with a small stack, on which one call per block would overflow.
        let skipped = std::thread::Builder::new().stack_size(64 * 1024).spawn(move || skip_preamble(&text).0).unwrap().join().unwrap();
        assert_eq!(skipped, 4_000);
    }

    #[test]
    fn hash_column_is_not_a_comment() {
        let (lines, rest) = skip_preamble("#,What is your name?,Submit Date (UTC)\nabc,Ann,2024-01-01 10:00:00\n");
        assert_eq!(lines, 0);
        assert!(rest.starts_with("#,What"));
    }

    #[test]
    fn preamble_is_skipped() {
        let text = "# Demo property\n# Start date: 20240101\n\nEvent name,Event count\npage_view,120\n";
        let (lines, rest) = skip_preamble(text);
        assert_eq!(lines, 3);
        assert!(rest.starts_with("Event name"));
    }

    #[test]
    fn duplicate_names_skip_existing_suffixes() {
        let header = clean_header(&StringRecord::from(vec!["step", "step", "step", "step_2"]));
        assert_eq!(header.names, vec!["step", "step_3", "step_4", "step_2"]);
        assert_eq!(header.renamed.len(), 2);
    }

    #[test]
    fn many_duplicates_are_renamed_quickly() {
        let mut fields = vec!["user", "event", "ts"];
        fields.extend(std::iter::repeat_n("c", 20_000));
        let header = clean_header(&StringRecord::from(fields));
        assert_eq!(header.names.len(), 20_003);
        assert_eq!(header.names[4], "c_2");
        assert_eq!(header.names[20_002], "c_20000");
        assert_eq!(header.renamed.len(), 19_999);
    }

    #[test]
    fn unnamed_trailing_column_is_dropped() {
        let header = clean_header(&StringRecord::from(vec!["user_id", "event", ""]));
        assert_eq!(header.names, vec!["user_id", "event"]);
        assert_eq!(header.dropped_trailing, 1);
    }

    #[test]
    fn unnamed_leading_column_gets_a_name() {
        let header = clean_header(&StringRecord::from(vec!["", "concept:name"]));
        assert_eq!(header.names, vec!["column_1", "concept:name"]);
    }
}
