//! Reading files: bytes to events.
//!
//! [`inspect`] decodes a file, sniffs its dialect and proposes a column [`Mapping`] for the user to
//! confirm. [`read_events`] then reads every row with the confirmed mapping into the
//! [`EventLog`]. A bad value becomes a [`Problem`]: in lenient mode its row is skipped and
//! counted, in strict mode it stops the load.

pub mod decode;
pub mod dialect;
pub mod formats;
pub mod parts;
pub mod roles;
pub mod stream;
pub mod table;
pub mod time;

use std::collections::HashSet;

use chrono_tz::Tz;
use csv::StringRecord;
use serde::{Deserialize, Serialize};

use crate::error::{shorten, Error, Problem};
use crate::model::identity::{self, IdentityKind};
use crate::model::EventLog;
use crate::report::{counted, Warning};
use decode::StreamDecoder;
pub use roles::{ColumnKind, DateEvent, Mapping};
pub use table::DialectChoice;
use table::Table;
use time::{DateOrder, EpochUnit, TimeFormat, TimeParser};

/// Rows looked at to describe columns and propose roles.
const INSPECT_ROWS: usize = 1_000;
/// Times outside 1980-01-01 to 2100-01-01 UTC are read but reported, because they usually mean a
/// wrong unit or a placeholder value.
const PLAUSIBLE_FROM_MS: i64 = 315_532_800_000;
const PLAUSIBLE_UNTIL_MS: i64 = 4_102_444_800_000;
/// Dates in year 1 or from year 9999 on, such as `9999-12-31`, are sentinels that systems write
/// for "no date" or "never". They are read as empty and counted like other placeholders.
const SENTINEL_FROM_MS: i64 = -62_104_060_800_000;
const SENTINEL_UNTIL_MS: i64 = 253_370_764_800_000;
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 10;
/// Examples kept of each kind of row that a warning counts.
const EXAMPLES: usize = 3;
/// Problems kept as examples; the count covers all of them.
pub const MAX_PROBLEM_EXAMPLES: usize = 20;

/// One column as the inspection found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ColumnKind,
    pub examples: Vec<String>,
    /// For time columns, the inferred format in words.
    pub time_format: Option<String>,
    /// True when no sampled value shows whether dates are day first or month first, so the user
    /// must choose `date_order` in the load configuration.
    pub ambiguous_date_order: bool,
    /// True when every sampled non-empty value is a yes/no flag: 1 or 0 (also 1.0 or 0.0), true
    /// or false, yes or no, y or n, in any case. Such columns are the step candidates of an outcome table.
    pub flag: bool,
}

/// The result of [`inspect`]: the file's dialect, columns, preview and proposed mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInspection {
    pub index: usize,
    pub name: String,
    pub bytes: u64,
    pub encoding: String,
    pub bom: bool,
    /// `,` `;` `|` or `tab`.
    pub delimiter: String,
    pub delimiter_sniffed: bool,
    /// False when the file has no header row: its columns are `column_1`, … or named by the user.
    pub has_header: bool,
    /// Blank and `#` lines skipped before the header.
    pub preamble_lines: usize,
    /// The reporting period named in the preamble, if any.
    pub period: Option<dialect::Period>,
    /// `"` or `'`.
    pub quote: String,
    /// `LF`, `CRLF` or `CR`.
    pub line_ending: String,
    /// True when a number column writes decimals with a comma (`1,25`).
    pub decimal_comma: bool,
    pub columns: Vec<ColumnInfo>,
    pub preview: Vec<Vec<String>>,
    pub mapping: Mapping,
    /// The export format recognised from the header, whose preset filled `mapping`.
    pub format: Option<formats::KnownFormat>,
    pub warnings: Vec<Warning>,
}

/// The confirmed settings of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileConfig {
    pub index: usize,
    /// `,` `;` `|` `tab` or `whitespace`; `None` to sniff.
    pub delimiter: Option<String>,
    /// `"` or `'`; `None` to sniff.
    pub quote: Option<String>,
    /// Whether the first row is a header; `None` to sniff.
    pub header: Option<bool>,
    /// Names for the columns of a file without a header row.
    pub column_names: Vec<String>,
    pub mapping: Mapping,
}

impl FileConfig {
    /// Turns the user's dialect settings into a [`DialectChoice`].
    pub fn dialect_choice(&self, name: &str) -> Result<DialectChoice, Error> {
        Ok(DialectChoice {
            delimiter: parse_delimiter_choice(name, self.delimiter.as_deref())?,
            quote: match self.quote.as_deref() {
                None | Some("") => None,
                Some("\"") => Some(b'"'),
                Some("'") => Some(b'\''),
                Some(other) => {
                    return Err(Error::Options(format!("{name}: the quote character \"{other}\" is not supported. Use \" or '.")))
                }
            },
            header: self.header,
            column_names: self.column_names.clone(),
        })
    }
}

/// Parses a delimiter as the user gave it; `None` or "" means sniff.
pub fn parse_delimiter_choice(name: &str, text: Option<&str>) -> Result<Option<u8>, Error> {
    let Some(text) = text.filter(|text| !text.is_empty()) else { return Ok(None) };
    // A lone tab or space is itself the choice; only longer names lose surrounding spaces.
    let trimmed = if text.trim().is_empty() { text } else { text.trim_matches(' ') };
    dialect::parse_delimiter(trimmed).map(Some).ok_or_else(|| {
        Error::Options(format!("{name}: the delimiter \"{text}\" is not supported. Use , ; | tab or whitespace."))
    })
}

/// Everything `load` needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadConfig {
    /// IANA zone for times without an offset.
    pub time_zone: String,
    /// Stop at the first bad value instead of skipping its row.
    pub strict: bool,
    /// Day-first or month-first, for dates that no value decides.
    pub date_order: DateOrder,
    /// Keep exact duplicate events, for data where two identical rows are two real events (two
    /// equal purchases on one day). They are still counted.
    pub keep_duplicates: bool,
    pub files: Vec<FileConfig>,
}

impl Default for LoadConfig {
    fn default() -> LoadConfig {
        LoadConfig {
            time_zone: "UTC".to_string(),
            strict: false,
            date_order: DateOrder::DayFirst,
            keep_duplicates: false,
            files: Vec::new(),
        }
    }
}

impl LoadConfig {
    /// Builds a configuration that accepts every proposed mapping as it is.
    pub fn from_inspections(inspections: &[FileInspection]) -> LoadConfig {
        LoadConfig {
            files: inspections
                .iter()
                .map(|inspection| FileConfig { index: inspection.index, mapping: inspection.mapping.clone(), ..FileConfig::default() })
                .collect(),
            ..LoadConfig::default()
        }
    }
}

/// Counts for one file after [`read_events`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileStats {
    pub name: String,
    /// Data rows read, the header and preamble not included.
    pub rows: u64,
    pub events: u64,
    pub skipped: u64,
}

/// Problems found while reading, with a capped list of examples.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Problems {
    pub examples: Vec<Problem>,
    pub count: u64,
}

impl Problems {
    fn add(&mut self, problem: Problem) {
        self.count += 1;
        if self.examples.len() < MAX_PROBLEM_EXAMPLES {
            self.examples.push(problem);
        }
    }
}

/// Sniffs a decoded file, describes its columns and proposes a mapping.
pub fn inspect(index: usize, name: &str, decoded: &StreamDecoder, choice: &DialectChoice) -> Result<FileInspection, Error> {
    let mut table = Table::open(name, decoded.text(), choice)?;
    let width = table.header.names.len();

    let mut samples: Vec<Vec<String>> = vec![Vec::new(); width];
    let mut preview = Vec::new();
    let mut record = StringRecord::new();
    let mut rows = 0;
    while rows < INSPECT_ROWS {
        if table.next_row(name, &mut record)?.is_none() {
            break;
        }
        rows += 1;
        if preview.len() < PREVIEW_ROWS {
            preview.push((0..width).map(|at| inspected_cell(record.get(at).unwrap_or(""))).collect());
        }
        for (at, sample) in samples.iter_mut().enumerate() {
            sample.push(inspected_cell(record.get(at).unwrap_or("").trim()));
        }
    }

    if rows == 0 {
        return Err(Error::File {
            file: name.to_string(),
            message: "the file has a header row but no data rows.".to_string(),
        });
    }

    let mut columns = Vec::with_capacity(width);
    let mut facts_distinct = Vec::with_capacity(width);
    for (name, values) in table.header.names.iter().zip(&samples) {
        let (kind, inferred) = column_kind(name, values);
        let non_empty: Vec<&String> = values.iter().filter(|value| !value.is_empty()).collect();
        let distinct: HashSet<&String> = non_empty.iter().copied().collect();
        facts_distinct.push(if non_empty.is_empty() { 0.0 } else { distinct.len() as f64 / non_empty.len() as f64 });
        let mut examples = Vec::new();
        for value in &non_empty {
            if examples.len() == 3 {
                break;
            }
            if !examples.contains(*value) {
                examples.push(shorten(value, 60));
            }
        }
        columns.push(ColumnInfo {
            name: name.clone(),
            kind,
            examples,
            time_format: inferred.map(|inferred| inferred.format.describe()),
            ambiguous_date_order: inferred.is_some_and(|inferred| inferred.ambiguous_order),
            flag: !non_empty.is_empty() && non_empty.iter().all(|value| formats::outcome::parse_flag(value).is_some()),
        });
    }

    let facts: Vec<roles::ColumnFacts<'_>> = columns
        .iter()
        .zip(&facts_distinct)
        .map(|(column, &distinct_share)| roles::ColumnFacts { name: &column.name, kind: column.kind, distinct_share })
        .collect();
    let detected = roles::detect(&facts);
    let (format, mapping) = match formats::recognise(&columns, table.dialect.preamble_lines, &detected, &facts) {
        Some((format, mut mapping)) => {
            roles::complete_people_roles(&mut mapping, &facts);
            (Some(format), mapping)
        }
        None => (None, detected),
    };

    Ok(FileInspection {
        index,
        name: name.to_string(),
        bytes: decoded.file_bytes(),
        encoding: decoded.encoding().to_string(),
        bom: decoded.bom(),
        delimiter: dialect::delimiter_name(table.dialect.delimiter),
        has_header: table.has_header,
        delimiter_sniffed: table.dialect.sniffed,
        preamble_lines: table.dialect.preamble_lines,
        period: dialect::preamble_period(decoded.text()),
        quote: (table.dialect.quote as char).to_string(),
        line_ending: table.dialect.line_ending.to_string(),
        decimal_comma: columns
            .iter()
            .zip(&samples)
            .any(|(column, values)| column.kind == ColumnKind::Number && values.iter().any(|value| uses_decimal_comma(value))),
        columns,
        preview,
        warnings: file_warnings(name, &table.header, decoded).into_iter().chain(table.shape_warnings(name)).collect(),
        mapping,
        format,
    })
}

fn column_kind(name: &str, values: &[String]) -> (ColumnKind, Option<time::Inferred>) {
    let non_empty: Vec<&str> = values.iter().map(String::as_str).filter(|value| !value.is_empty()).collect();
    if non_empty.is_empty() {
        return (ColumnKind::Empty, None);
    }
    // Ids such as `user_id = 541312140` look like epoch seconds; a column named as an id is not
    // a time column.
    let normalised = roles::normalise(name);
    let named_id = normalised == "id" || normalised.ends_with("_id") || name.ends_with("Id");
    let inferred = if named_id { None } else { time::infer_format(name, non_empty.iter().copied(), DateOrder::DayFirst) };
    if let Some(inferred) = inferred {
        // A majority is enough: the bad values are reported row by row when the file is loaded.
        if inferred.parsed * 2 > inferred.sampled {
            return (ColumnKind::Time, Some(inferred));
        }
    }
    let numbers = non_empty.iter().filter(|value| parse_number(value).is_some()).count();
    if numbers * 10 >= non_empty.len() * 9 {
        return (ColumnKind::Number, None);
    }
    (ColumnKind::Text, None)
}

/// Returns true for a note or footer row in a table of three or more columns: one that starts
/// with "Total" or "Grand total", or whose only non-empty cell is the first and contains words,
/// such as "Exported by …" under the data. A lone id such as `u3` is a short data row.
fn is_note_row(record: &StringRecord, width: usize) -> bool {
    if width < 3 {
        return false;
    }
    let first = record.get(0).unwrap_or("").trim().to_lowercase();
    let only_first = record.iter().skip(1).all(|cell| cell.trim().is_empty());
    let sentence = first.split_whitespace().count() >= 3;
    (only_first && sentence) || first == "total" || first == "totals" || first == "grand total"
}

/// Returns true for a number written with a decimal comma, such as `1,25`.
fn uses_decimal_comma(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.parse::<f64>().is_err() && trimmed.matches(',').count() == 1 && !trimmed.contains('.') && parse_number(trimmed).is_some()
}

/// Parses a number, accepting a decimal comma (`1,25`) and surrounding currency signs.
///
/// Grouping separators are read too: with both `.` and `,` the later one is the decimal mark
/// (`1.234,56` and `1,234.56` are both 1234.56), a mark that repeats groups thousands
/// (`1.000.000`), and spaces group digits (`1 234,56`). A lone comma is a decimal mark, so
/// `1,234` is 1.234. Accounting negatives in brackets, `(12,00)`, are -12.
pub fn parse_number(text: &str) -> Option<f64> {
    let mut trimmed = text.trim().trim_start_matches(['$', '€', '£']).trim_end_matches(['€', '$', '£']).trim();
    let negative = trimmed.starts_with('(') && trimmed.ends_with(')');
    if negative {
        trimmed = trimmed[1..trimmed.len() - 1].trim().trim_start_matches(['$', '€', '£']).trim_end_matches(['€', '$', '£']).trim();
    }
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(parsed) = trimmed.parse::<f64>() {
        return (parsed.is_finite() && !trimmed.eq_ignore_ascii_case("inf") && !trimmed.eq_ignore_ascii_case("infinity"))
            .then_some(if negative { -parsed } else { parsed });
    }
    let compact: String = trimmed.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
    if !compact.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')) {
        return None;
    }
    let decimal = match (compact.rfind('.'), compact.rfind(',')) {
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        (None, Some(_)) if compact.matches(',').count() == 1 => Some(','),
        (Some(_), None) if compact.matches('.').count() == 1 => Some('.'),
        _ => None,
    };
    let normalised: String = compact
        .chars()
        .filter_map(|c| match c {
            '.' | ',' if Some(c) == decimal => Some('.'),
            '.' | ',' => None,
            other => Some(other),
        })
        .collect();
    let parsed = normalised.parse::<f64>().ok()?;
    parsed.is_finite().then_some(if negative { -parsed } else { parsed })
}

fn file_warnings(file: &str, header: &dialect::Header, decoded: &StreamDecoder) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if decoded.replaced() > 0 {
        warnings.push(Warning::new(
            "invalid_bytes",
            decoded.replaced(),
            format!(
                "{file}: {} not valid {} and replaced with the replacement character (U+FFFD). Save the file as UTF-8 to keep those characters.",
                counted(decoded.replaced(), "byte sequence was", "byte sequences were"),
                decoded.encoding()
            ),
        ));
    }
    if !header.renamed.is_empty() {
        let examples = header.renamed.iter().map(|(old, new)| format!("{old} → {new}")).collect();
        warnings.push(
            Warning::new(
                "renamed_columns",
                header.renamed.len() as u64,
                format!("{file}: duplicate column names were renamed so that no values are lost."),
            )
            .with_examples(examples),
        );
    }
    if header.dropped_trailing > 0 {
        warnings.push(Warning::new(
            "dropped_empty_column",
            header.dropped_trailing as u64,
            format!("{file}: an unnamed column at the end of the header was dropped."),
        ));
    }
    warnings
}

/// The column position of each role in one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Columns {
    person: usize,
    /// The person column, then the identity columns, each with the kind of id it holds.
    identifiers: Vec<(usize, IdentityKind)>,
    ordinal: Option<usize>,
    time: Option<(usize, TimeParser)>,
    event: Option<usize>,
    channel: Option<usize>,
    value: Option<usize>,
    date_events: Vec<(usize, String, TimeParser)>,
    /// (column position, property name) of every column without a role
    properties: Vec<(usize, String)>,
}

/// Copies a cell for the preview and the column samples, cutting a cell longer than
/// [`table::MAX_FIELD_BYTES`] to its first 200 characters, because the load rejects its row anyway.
fn inspected_cell(value: &str) -> String {
    if value.len() > table::MAX_FIELD_BYTES {
        shorten(value, 200)
    } else {
        value.to_string()
    }
}

/// Settings shared by every file of one load.
#[derive(Debug, Clone, Copy)]
pub struct ReadSettings {
    pub zone: Tz,
    pub strict: bool,
    pub date_order: DateOrder,
}

/// The rows read before the events of the whole file are estimated from their length.
const SAMPLE_ROWS: u64 = 1_000;

/// Estimates the events still to come in a file of `text_bytes` bytes, from the `rows` rows read
/// so far, which took `read_bytes` and gave `events`, plus 2% for rows that run longer than these.
/// The estimate only sizes the event columns in advance.
fn estimated_events(text_bytes: usize, read_bytes: usize, rows: u64, events: u64) -> usize {
    let rows = rows.max(1) as f64;
    let bytes_per_row = (read_bytes as f64 / rows).max(1.0);
    let events_per_row = events as f64 / rows;
    let remaining_rows = text_bytes.saturating_sub(read_bytes) as f64 / bytes_per_row;
    (remaining_rows * events_per_row * 1.02) as usize
}

/// Reads every row of one file into `log` with the confirmed `config`.
pub fn read_events(
    file_index: u16,
    name: &str,
    decoded: &StreamDecoder,
    config: &FileConfig,
    settings: &ReadSettings,
    log: &mut EventLog,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) -> Result<FileStats, Error> {
    let choice = config.dialect_choice(name)?;
    // An unknown zone is an error for every kind of file, though only event files read times.
    file_zone(name, config, settings)?;
    let text = decoded.text();
    if let Some(path_table) = &config.mapping.path_table {
        return formats::paths::read(file_index, name, text, &choice, path_table, settings.strict, log, problems, warnings);
    }
    if let Some(outcome_table) = &config.mapping.outcome_table {
        let mapping = &config.mapping;
        return formats::outcome::read(file_index, name, decoded, &choice, mapping, outcome_table, settings.strict, log, problems, warnings);
    }
    let plan = parts::FilePlan::new(file_index, name, decoded, config, settings)?;
    parts::read_whole(&plan, text, log, problems, warnings)
}

/// Returns the time zone of a file's local times: its own, or the load's.
fn file_zone(name: &str, config: &FileConfig, settings: &ReadSettings) -> Result<Tz, Error> {
    match config.mapping.time_zone.as_deref().map(str::trim).filter(|zone| !zone.is_empty()) {
        None => Ok(settings.zone),
        Some(zone) => time::parse_zone(zone).ok_or_else(|| {
            Error::Options(format!("{name}: the time zone \"{zone}\" is unknown. Use an IANA name such as UTC or Europe/Paris."))
        }),
    }
}

/// Counters of row shapes and time adjustments seen while reading one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RowCounts {
    short: u64,
    long: u64,
    /// (row, fields against the header's) of the first long rows
    long_examples: Vec<(u64, String)>,
    shifted: u64,
    /// How many epoch times had each unit, in the order the units first appeared.
    epoch_units: Vec<(EpochUnit, u64)>,
    implausible: u64,
    implausible_examples: Vec<String>,
    placeholders: u64,
    placeholder_examples: Vec<String>,
    notes: u64,
    /// (row, text) of the first note rows
    note_examples: Vec<(u64, String)>,
    unreadable_values: u64,
    unreadable_examples: Vec<String>,
}

impl RowCounts {
    /// Adds the counts of the next part of the same file, whose rows come after these.
    fn absorb(&mut self, next: RowCounts) {
        fn extend<T>(examples: &mut Vec<T>, more: Vec<T>) {
            let room = EXAMPLES.saturating_sub(examples.len());
            examples.extend(more.into_iter().take(room));
        }
        self.short += next.short;
        self.long += next.long;
        extend(&mut self.long_examples, next.long_examples);
        self.shifted += next.shifted;
        for (unit, count) in next.epoch_units {
            match self.epoch_units.iter_mut().find(|(known, _)| *known == unit) {
                Some((_, known)) => *known += count,
                None => self.epoch_units.push((unit, count)),
            }
        }
        self.implausible += next.implausible;
        extend(&mut self.implausible_examples, next.implausible_examples);
        self.placeholders += next.placeholders;
        extend(&mut self.placeholder_examples, next.placeholder_examples);
        self.notes += next.notes;
        extend(&mut self.note_examples, next.note_examples);
        self.unreadable_values += next.unreadable_values;
        extend(&mut self.unreadable_examples, next.unreadable_examples);
    }

    /// Moves the rows of the examples down by `lines`, the lines of the file before this part.
    fn shift_rows(&mut self, lines: u64) {
        for (row, _) in &mut self.long_examples {
            *row += lines;
        }
        for (row, _) in &mut self.note_examples {
            *row += lines;
        }
    }

    fn into_warnings(self, file: &str) -> Vec<Warning> {
        let mut warnings = Vec::new();
        // Epoch times with another number of digits than the first one's, each read by its own.
        let epoch_times: u64 = self.epoch_units.iter().map(|(_, count)| count).sum();
        let mixed_epoch = epoch_times - self.epoch_units.first().map_or(0, |(_, count)| *count);
        if self.short > 0 {
            warnings.push(Warning::new(
                "short_rows",
                self.short,
                format!("{file}: {} fewer fields than the header; the missing cells were read as empty.", counted(self.short, "row had", "rows had")),
            ));
        }
        if self.long > 0 {
            warnings.push(
                Warning::new(
                    "long_rows",
                    self.long,
                    format!("{file}: {} more fields than the header; the extra cells were not read. Check the delimiter and quoting.", counted(self.long, "row had", "rows had")),
                )
                .with_examples(self.long_examples.into_iter().map(|(row, text)| format!("row {row}: {text}")).collect()),
            );
        }
        if self.shifted > 0 {
            warnings.push(Warning::new(
                "daylight_saving",
                self.shifted,
                format!("{file}: {} on a daylight-saving change; ambiguous times took the earlier instant and times in a gap moved forward by the gap.", counted(self.shifted, "local time fell", "local times fell")),
            ));
        }
        if mixed_epoch > 0 {
            warnings.push(Warning::new(
                "mixed_epoch_units",
                mixed_epoch,
                format!("{file}: {} a different number of digits from the first ones; each was converted by its own magnitude.", counted(mixed_epoch, "epoch timestamp had", "epoch timestamps had")),
            ));
        }
        if self.unreadable_values > 0 {
            warnings.push(
                Warning::new(
                    "unreadable_values",
                    self.unreadable_values,
                    format!(
                        "{file}: {} in the value column could not be read as numbers; those events were kept without a value.",
                        counted(self.unreadable_values, "value", "values")
                    ),
                )
                .with_examples(self.unreadable_examples),
            );
        }
        if self.notes > 0 {
            warnings.push(
                Warning::new(
                    "note_rows",
                    self.notes,
                    format!("{file}: {} a note or a total rather than data and {} not read.", counted(self.notes, "row is", "rows are"), if self.notes == 1 { "was" } else { "were" }),
                )
                .with_examples(self.note_examples.into_iter().map(|(row, text)| format!("row {row}: {text}")).collect()),
            );
        }
        if self.placeholders > 0 {
            warnings.push(
                Warning::new(
                    "placeholder_dates",
                    self.placeholders,
                    format!("{file}: {} a placeholder for a missing date and read as empty.", counted(self.placeholders, "date was", "dates were")),
                )
                .with_examples(self.placeholder_examples),
            );
        }
        if self.implausible > 0 {
            warnings.push(
                Warning::new(
                    "implausible_times",
                    self.implausible,
                    format!("{file}: {} before 1980 or after 2100. Check the time column and its unit.", counted(self.implausible, "time is", "times are")),
                )
                .with_examples(self.implausible_examples),
            );
        }
        warnings
    }
}

struct ParsedRow<'r> {
    /// (event name, time, date only)
    events: Vec<(&'r str, i64, bool)>,
    value: f64,
    ordinal: Option<f64>,
}

/// Returns an identifier cell, or `None` when it is empty. In a file with several identifier
/// columns a placeholder such as `null` also counts as empty, so that it links nobody.
fn identifier_cell<'r>(columns: &Columns, cell: &dyn Fn(usize) -> &'r str, at: usize) -> Option<&'r str> {
    let value = cell(at);
    let linking = columns.identifiers.len() > 1;
    (!value.is_empty() && !(linking && identity::is_placeholder(value))).then_some(value)
}

/// Interns the row's identifiers, links each to the first, and returns the first one's id.
fn identify_row<'r>(columns: &Columns, cell: &dyn Fn(usize) -> &'r str, log: &mut EventLog, buffer: &mut String) -> Option<u32> {
    let mut first = None;
    for &(at, kind) in &columns.identifiers {
        let Some(value) = identifier_cell(columns, cell, at) else { continue };
        let (value, kind) = identity::normalise_identifier(value, kind, buffer);
        let id = log.identifier(value, kind);
        match first {
            None => first = Some(id),
            Some(first) => log.link(first, id),
        }
    }
    first
}

/// Parses the role cells of one row. An error names the column position and what is wrong.
fn parse_row<'r>(
    columns: &'r Columns,
    cell: &dyn Fn(usize) -> &'r str,
    zone: Tz,
    counts: &mut RowCounts,
) -> Result<ParsedRow<'r>, (usize, String)> {
    if !columns.identifiers.iter().any(|&(at, _)| identifier_cell(columns, cell, at).is_some()) {
        let message = if columns.identifiers.len() > 1 {
            "the person id and every identity column are empty"
        } else {
            "the person id is missing"
        };
        return Err((columns.person, message.to_string()));
    }
    let ordinal = match columns.ordinal {
        Some(at) if !cell(at).is_empty() => {
            Some(parse_number(cell(at)).ok_or_else(|| (at, "this is not a number, so it cannot order events".to_string()))?)
        }
        _ => None,
    };
    // An unreadable value leaves the event without a value rather than dropping it.
    let value = match columns.value {
        Some(at) if !cell(at).is_empty() => parse_number(cell(at)).unwrap_or_else(|| {
            counts.unreadable_values += 1;
            if counts.unreadable_examples.len() < EXAMPLES {
                counts.unreadable_examples.push(shorten(cell(at), 40));
            }
            f64::NAN
        }),
        _ => f64::NAN,
    };

    let mut place = |at: usize, parser: &TimeParser| -> Result<Option<(i64, bool)>, (usize, String)> {
        if let Some(reason) = parser.placeholder(cell(at)) {
            counts.placeholders += 1;
            if counts.placeholder_examples.len() < EXAMPLES {
                counts.placeholder_examples.push(format!("{}: {reason}", cell(at)));
            }
            return Ok(None);
        }
        let instant = parser.parse(cell(at), zone).ok_or_else(|| {
            (at, format!("this is not a time in the column's format ({})", parser.format.describe()))
        })?;
        if instant.shifted {
            counts.shifted += 1;
        }
        if !(SENTINEL_FROM_MS..SENTINEL_UNTIL_MS).contains(&instant.millis) {
            counts.placeholders += 1;
            if counts.placeholder_examples.len() < EXAMPLES {
                counts.placeholder_examples.push(format!("{}: a date in year 1 or 9999 stands for no date", cell(at)));
            }
            return Ok(None);
        }
        if !(PLAUSIBLE_FROM_MS..PLAUSIBLE_UNTIL_MS).contains(&instant.millis) {
            counts.implausible += 1;
            if counts.implausible_examples.len() < EXAMPLES {
                counts.implausible_examples.push(format!("{} read as {}", shorten(cell(at), 40), time::to_rfc3339(instant.millis)));
            }
        }
        if let Some(unit) = instant.epoch_unit {
            match counts.epoch_units.iter_mut().find(|(known, _)| *known == unit) {
                Some((_, count)) => *count += 1,
                None => counts.epoch_units.push((unit, 1)),
            }
        }
        Ok(Some((instant.millis, instant.date_only)))
    };

    let mut events = Vec::new();
    if let Some(event_at) = columns.event {
        let name = cell(event_at);
        if name.is_empty() {
            return Err((event_at, "the event name is missing".to_string()));
        }
        let (time_at, parser) = columns.time.as_ref().ok_or((event_at, "no time column is mapped".to_string()))?;
        if cell(*time_at).is_empty() {
            return Err((*time_at, "the event time is missing".to_string()));
        }
        match place(*time_at, parser)? {
            Some((time, date_only)) => events.push((name, time, date_only)),
            None => return Err((*time_at, "the event time is a placeholder for a missing date".to_string())),
        }
    }
    for (at, event_name, parser) in &columns.date_events {
        if cell(*at).is_empty() {
            continue;
        }
        if let Some((time, date_only)) = place(*at, parser)? {
            events.push((event_name.as_str(), time, date_only));
        }
    }
    Ok(ParsedRow { events, value, ordinal })
}

/// Reads the rest of the table for values that decide the day/month order of the `undecided`
/// time columns. A value that only the other order reads switches the column to it, with a
/// warning. A value that only the current order reads settles it. Returns true when the rows ran
/// out first.
fn decide_date_order(
    name: &str,
    table: &mut Table<'_>,
    positions: &[usize],
    formats: &mut [TimeFormat],
    undecided: &mut [bool],
    warnings: &mut Vec<Warning>,
) -> Result<bool, Error> {
    let zone = chrono_tz::Tz::UTC;
    // (current parser, parser with day and month swapped) per column, built once.
    let parsers: Vec<Option<(TimeParser, TimeParser)>> = formats
        .iter()
        .map(|&format| time::swapped_order(format).map(|other| (TimeParser::for_column(format), TimeParser::for_column(other))))
        .collect();
    let mut record = StringRecord::new();
    while undecided.iter().any(|&open| open) {
        let Some(row) = table.next_row(name, &mut record)? else { return Ok(true) };
        for (column, &at) in positions.iter().enumerate() {
            if !undecided[column] {
                continue;
            }
            let Some((current_parser, swapped_parser)) = &parsers[column] else {
                undecided[column] = false;
                continue;
            };
            let value = record.get(at).unwrap_or("").trim();
            let current = current_parser.parse(value, zone).is_some();
            let swapped = swapped_parser.parse(value, zone).is_some();
            let other = swapped_parser.format;
            if current && !swapped {
                undecided[column] = false;
            } else if swapped && !current {
                formats[column] = other;
                undecided[column] = false;
                warnings.push(Warning::new(
                    "date_order_decided",
                    1,
                    format!("{name}: row {row} has \"{}\", which only reads as {}, so the whole column is read that way.", shorten(value, 40), other.describe()),
                ));
            }
        }
    }
    Ok(false)
}

/// Finds the mapped columns and infers each time column's format from its first values.
///
/// `text` is the whole file when `complete` is true. Otherwise it is the file's first rows. The
/// result is then `None` when they end before the sample of times does, or before a value decides
/// an open day/month order, because only more of the file gives the columns that the whole would.
fn resolve_columns(
    name: &str,
    text: &str,
    complete: bool,
    choice: &DialectChoice,
    mapping: &Mapping,
    date_order: DateOrder,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Columns>, Error> {
    let mut table = Table::open(name, text, choice)?;
    let header = table.header.names.clone();
    let find = |role: &str, column: &str| -> Result<usize, Error> {
        header.iter().position(|name| name == column).ok_or_else(|| {
            Error::Options(format!(
                "{name}: the {role} column \"{column}\" is not in the header. The columns are: {}.",
                header.join(", ")
            ))
        })
    };
    let optional = |role: &str, column: &Option<String>| -> Result<Option<usize>, Error> {
        match column.as_deref() {
            None | Some("") => Ok(None),
            Some(column) => find(role, column).map(Some),
        }
    };

    let person = match mapping.person.as_deref() {
        Some(column) if !column.is_empty() => find("person id", column)?,
        _ => {
            return Err(Error::Options(format!(
                "{name}: no person id column is chosen. Pick the column that identifies a person, customer, lead or case."
            )))
        }
    };
    let mut identifiers = vec![(person, roles::identity_kind(&header[person]))];
    for column in mapping.identities.iter().filter(|column| !column.is_empty()) {
        let at = find("identity", column)?;
        if !identifiers.iter().any(|&(known, _)| known == at) {
            identifiers.push((at, roles::identity_kind(column)));
        }
    }
    let ordinal = optional("ordinal", &mapping.ordinal)?;
    let event = optional("event", &mapping.event)?;
    let time = optional("time", &mapping.time)?;
    let channel = optional("channel", &mapping.channel)?;
    let value = optional("value", &mapping.value)?;
    if event.is_some() && time.is_none() {
        return Err(Error::Options(format!("{name}: an event column is chosen but no time column. Pick the column with each event's time.")));
    }
    let mut date_columns = Vec::new();
    for date_event in &mapping.date_events {
        if date_event.name.trim().is_empty() {
            return Err(Error::Options(format!("{name}: the date column \"{}\" needs an event name.", date_event.column)));
        }
        date_columns.push((find("date", &date_event.column)?, date_event.name.trim().to_string()));
    }
    if event.is_none() && date_columns.is_empty() {
        return Err(Error::Options(format!(
            "{name}: no event column and no date column turned into an event. Pick an event column, or name an event for a date column."
        )));
    }

    // Sample the time columns to infer one format per column.
    let time_positions: Vec<usize> = time.into_iter().chain(date_columns.iter().map(|(at, _)| *at)).collect();
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); time_positions.len()];
    let mut record = StringRecord::new();
    let mut sampled_rows = 0;
    while sampled_rows < time::INFERENCE_SAMPLE * 4 && samples.iter().any(|sample| sample.len() < time::INFERENCE_SAMPLE) {
        match table.next_row(name, &mut record) {
            Ok(Some(_)) => sampled_rows += 1,
            // The end of the rows, or one that cannot be read, ends the sample of a whole file.
            // The first rows of a file end where more of it is still to come.
            _ if complete || table.stopped_at.is_some() => break,
            _ => return Ok(None),
        }
        for (sample, &at) in samples.iter_mut().zip(&time_positions) {
            let value = record.get(at).unwrap_or("").trim();
            if !value.is_empty() && sample.len() < time::INFERENCE_SAMPLE {
                sample.push(value.to_string());
            }
        }
    }
    let mut formats = Vec::new();
    let mut undecided = Vec::new();
    for (sample, &at) in samples.iter().zip(&time_positions) {
        let column = &header[at];
        let inferred = time::infer_format(column, sample.iter().map(String::as_str), date_order).ok_or_else(|| {
            let example = sample.first().map_or(String::new(), |value| format!(" (first value \"{}\")", shorten(value, 60)));
            Error::Options(format!(
                "{name}: the column \"{column}\" is not a time column{example}. Pick the column that holds dates or timestamps."
            ))
        })?;
        undecided.push(inferred.ambiguous_order);
        formats.push(inferred.format);
    }

    // The sample left the day/month order open: the rest of the column may hold a value that
    // decides it, such as 25/12/2024 far down the file.
    if undecided.iter().any(|&open| open) {
        let ended = decide_date_order(name, &mut table, &time_positions, &mut formats, &mut undecided, warnings)?;
        if ended && !complete && table.stopped_at.is_none() && undecided.iter().any(|&open| open) {
            return Ok(None);
        }
    }
    for (&at, &open) in time_positions.iter().zip(&undecided) {
        let column = &header[at];
        if open {
            let order = match date_order {
                DateOrder::DayFirst => "day first (31/12)",
                DateOrder::MonthFirst => "month first (12/31)",
            };
            warnings.push(Warning::new(
                "ambiguous_date_order",
                1,
                format!("{name}: no value in \"{column}\" shows whether dates are day first or month first; they were read {order}. Change the date order if that is wrong."),
            ));
        }
    }

    let time = time.map(|at| (at, TimeParser::for_column(formats[0])));
    let offset = usize::from(time.is_some());
    let date_events = date_columns
        .into_iter()
        .enumerate()
        .map(|(i, (at, event_name))| (at, event_name, TimeParser::for_column(formats[offset + i])))
        .collect();

    let mut role_columns: Vec<usize> = identifiers.iter().map(|&(at, _)| at).collect();
    role_columns.extend(ordinal);
    role_columns.extend(event);
    role_columns.extend(time.as_ref().map(|(at, _)| *at));
    let properties = header.iter().enumerate().filter(|(at, _)| !role_columns.contains(at)).map(|(at, column)| (at, column.clone())).collect();
    Ok(Some(Columns { person, identifiers, ordinal, time, event, channel, value, date_events, properties }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_estimate_scales_the_sample() {
        // 1,000 rows of 50 bytes with one event each, in a file of 100,050 bytes: 1,001 more rows.
        assert_eq!(estimated_events(100_050, 50_000, 1_000, 1_000), 1_021);
        // Two events per row double it, and a row without events gives none.
        assert_eq!(estimated_events(100_050, 50_000, 1_000, 2_000), 2_042);
        assert_eq!(estimated_events(100_050, 50_000, 1_000, 0), 0);
        assert_eq!(estimated_events(10, 50_000, 1_000, 1_000), 0);
        // Later estimates use every row read so far: 4,000 rows of 25 bytes leave 4,002 rows.
        assert_eq!(estimated_events(200_050, 100_000, 4_000, 4_000), 4_082);
    }

    #[test]
    fn numbers_with_decimal_comma_and_currency() {
        assert_eq!(parse_number("1,25"), Some(1.25));
        assert_eq!(parse_number("300,00"), Some(300.0));
        assert_eq!(parse_number("$12.50"), Some(12.5));
        assert_eq!(parse_number("1,234,567"), Some(1_234_567.0));
        assert_eq!(parse_number("1.234,56"), Some(1234.56));
        assert_eq!(parse_number("1,234.56"), Some(1234.56));
        assert_eq!(parse_number("1.000.000,00"), Some(1_000_000.0));
        assert_eq!(parse_number("€ 1.234,56"), Some(1234.56));
        assert_eq!(parse_number("1 234,56 €"), Some(1234.56));
        assert_eq!(parse_number("(12,00)"), Some(-12.0));
        assert_eq!(parse_number("12.5.3,1.2"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn inspection_of_a_bom_file_with_comment_preamble() {
        let inspection = inspect(0, "a.csv", &decode::decode_all(b"\xEF\xBB\xBF# exported for demo property\nevent,count\nsign_up,7\n"), &DialectChoice::default()).unwrap();
        assert_eq!(inspection.columns[0].name, "event");
        assert_eq!(inspection.columns[1].name, "count");
        assert_eq!(inspection.preview, vec![vec!["sign_up".to_string(), "7".to_string()]]);
        assert_eq!(inspection.preamble_lines, 1);
    }

    #[test]
    fn empty_file_is_a_clear_error() {
        let error = inspect(0, "empty.csv", &decode::decode_all(b""), &DialectChoice::default()).unwrap_err();
        assert!(error.to_string().contains("empty.csv: the file is empty"));
    }
}
