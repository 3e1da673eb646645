//! Reading one event file in parts, so that several engines can read a large file side by side.
//!
//! A [`FilePlan`] contains what every part needs to read rows the way one read of the whole file
//! would: the dialect, the header and the resolved columns with their time formats.
//! [`FilePlan::split`] cuts the body at line starts, and [`read_part`] reads the rows of one cut
//! into an event log of its own. [`join`] then appends the parts in file order to the load's log,
//! with the problems, counts and warnings of a single read. A cut can fall inside a quoted field
//! that spans lines: the part before it then reads a record past its limit, and [`join`] declines,
//! so that the caller reads the file in one part instead.

use chrono_tz::Tz;
use csv::StringRecord;
use serde::{Deserialize, Serialize};

use super::decode::StreamDecoder;
use super::dialect::{Dialect, Header, WHITESPACE};
use super::table::{self, DialectChoice, Table};
use super::{
    estimated_events, file_warnings, file_zone, identify_row, is_note_row, parse_row, resolve_columns, Columns, FileConfig, FileStats,
    Problems, ReadSettings, RowCounts, EXAMPLES, SAMPLE_ROWS,
};
use crate::error::{shorten, Error, Problem};
use crate::model::{EventLog, NewEvent};
use crate::report::Warning;

/// The smallest part worth a reader of its own: below it, starting a reader costs more than
/// sharing the rows saves.
pub const MIN_PART_BYTES: usize = 1 << 20;

/// How many parts each event file is cut into, and how large they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// The maximum number of parts per file.
    pub parts: usize,
    /// The minimum size of a part in bytes. A smaller file has fewer parts.
    pub min_part_bytes: usize,
    /// The size of the first part against each other part's.
    pub first_weight: f64,
}

/// How much longer a part takes when another engine reads it than where the file is: its text is
/// copied over and checked as UTF-8, and its events are packed, sent back and unpacked. An
/// estimate from one run in Chromium on 1 million events, where part 0 took 437 ms and part 1 479.
pub const SENT_PART_COST: f64 = 0.1;

impl Split {
    /// Equal parts of at least [`MIN_PART_BYTES`], for readers that share the text, such as threads.
    pub fn even(parts: usize) -> Split {
        Split { parts, min_part_bytes: MIN_PART_BYTES, first_weight: 1.0 }
    }

    /// Parts for engines in other workers, where the first part is read where the file is and the
    /// others are sent: the first part is larger by [`SENT_PART_COST`], so that all end together.
    pub fn for_engines(parts: usize) -> Split {
        Split { first_weight: 1.0 + SENT_PART_COST, ..Split::even(parts) }
    }
}

/// The settings that every part of one event file reads its rows with. Another engine gets them
/// as the bytes of [`FilePlan::to_bytes`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilePlan {
    pub file_index: u16,
    pub name: String,
    choice: DialectChoice,
    header: Header,
    dialect: Dialect,
    columns: Columns,
    #[serde(with = "zone_name")]
    zone: Tz,
    strict: bool,
    /// The warnings about the columns and the header, which come before those about the rows.
    warnings: Vec<Warning>,
    /// How many of `warnings` are about the columns; those after them are about the decoding and
    /// the header.
    column_warnings: usize,
}

/// The rows of one part: those that start at byte `start` of the file's body or later, and
/// before byte `limit`. The body is the decoded text after a byte-order mark and the preamble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartRange {
    pub start: usize,
    pub limit: usize,
}

/// The text that one part reads.
#[derive(Debug, Clone, Copy)]
pub enum PartText<'t> {
    /// The whole decoded file. The part reads the header and then the rows before byte `limit`
    /// of the body.
    First { text: &'t str, limit: usize },
    /// The body from the part's first line on. The part reads the rows that start before byte
    /// `limit` of `text`, which must reach at least one character past the limit when more of the
    /// file follows, so that a row running past the limit shows.
    Later { text: &'t str, limit: usize },
}

impl<'t> PartText<'t> {
    /// Returns the text of `range` in the decoded file `text`.
    pub fn of(text: &'t str, range: PartRange) -> PartText<'t> {
        if range.start == 0 {
            return PartText::First { text, limit: range.limit };
        }
        let body = table::body(text);
        let start = range.start.min(body.len());
        let end = next_char_boundary(body, range.limit);
        PartText::Later { text: body.get(start..end).unwrap_or(""), limit: range.limit - start }
    }
}

/// The reason a part stopped before its limit.
#[derive(Debug, Serialize, Deserialize)]
enum Failure {
    /// In strict mode, the first bad row. Its row is counted from the part's first line.
    Row(Problem),
    /// The reader could not go on. The error names lines of the whole file only in the first part.
    Unreadable(Error),
}

/// The events, problems and counts of one part, with rows numbered from the part's first line.
/// Another engine sends it back as the bytes of [`PartRead::to_bytes`].
#[derive(Debug, Serialize, Deserialize)]
pub struct PartRead {
    log: EventLog,
    problems: Problems,
    counts: RowCounts,
    stats: FileStats,
    stopped_at: Option<u64>,
    long_field: Option<(u64, usize)>,
    /// The newlines before the part's limit, which number the rows of the next part.
    lines: u64,
    /// A row started before the limit and ended after it.
    overran: bool,
    failure: Option<Failure>,
}

impl PartRead {
    /// Returns the part in a compact binary form, for the engine that joins the parts.
    pub fn to_bytes(&self) -> Vec<u8> {
        // postcard fails only on a sequence of unknown length, which these types have none of. An
        // empty result would be rejected when read back.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Reads a part back from the bytes of [`PartRead::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<PartRead, Error> {
        let damaged = |detail: String| Error::Options(format!("A part of a file read by another engine is damaged: {detail}."));
        let mut part: PartRead = postcard::from_bytes(bytes).map_err(|error| damaged(error.to_string()))?;
        if !part.log.is_consistent() {
            return Err(damaged("its events point outside their columns".to_string()));
        }
        part.log.index_properties();
        Ok(part)
    }

    /// Counts the events read.
    pub fn events(&self) -> usize {
        self.log.len()
    }

    /// Counts the data rows read.
    pub fn rows(&self) -> u64 {
        self.stats.rows
    }

    /// True when a row started before the part's limit and ended after it, so that the cut after
    /// this part fell inside a quoted field.
    pub fn overran(&self) -> bool {
        self.overran
    }
}

impl FilePlan {
    /// Returns the plan in the binary form of [`PartRead::to_bytes`], for another engine that
    /// reads parts of the file.
    pub fn to_bytes(&self) -> Vec<u8> {
        // postcard fails only on a sequence of unknown length, which these types have none of. An
        // empty result would be rejected when read back.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Reads a plan back from the bytes of [`FilePlan::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<FilePlan, Error> {
        postcard::from_bytes(bytes).map_err(|error| Error::Options(format!("The plan for reading a part of a file is invalid: {error}.")))
    }

    /// Resolves the columns of an event file (not a channel path table or an outcome table) and
    /// infers their time formats from the whole file, as [`super::read_events`] does.
    pub fn new(file_index: u16, name: &str, decoded: &StreamDecoder, config: &FileConfig, settings: &ReadSettings) -> Result<FilePlan, Error> {
        let plan = FilePlan::build(file_index, name, decoded.text(), true, decoded, config, settings)?;
        // A whole file always gives the columns.
        plan.ok_or_else(|| Error::File { file: name.to_string(), message: "its columns could not be resolved".to_string() })
    }

    /// Makes the plan of an event file from its first rows, `head`, which end at the end of a
    /// record, while the rest is still to come. Returns `None` when these rows cannot tell what
    /// [`FilePlan::new`] would make of the whole file: the sample of times or an open day/month
    /// order reaches past them. Call [`FilePlan::update_decoding`] once the whole file is decoded.
    pub fn from_head(file_index: u16, name: &str, head: &str, decoded: &StreamDecoder, config: &FileConfig, settings: &ReadSettings) -> Result<Option<FilePlan>, Error> {
        FilePlan::build(file_index, name, head, false, decoded, config, settings)
    }

    fn build(
        file_index: u16,
        name: &str,
        text: &str,
        complete: bool,
        decoded: &StreamDecoder,
        config: &FileConfig,
        settings: &ReadSettings,
    ) -> Result<Option<FilePlan>, Error> {
        let choice = config.dialect_choice(name)?;
        let zone = file_zone(name, config, settings)?;
        let mut warnings = Vec::new();
        let Some(columns) = resolve_columns(name, text, complete, &choice, &config.mapping, settings.date_order, &mut warnings)? else {
            return Ok(None);
        };
        let table = Table::open(name, text, &choice)?;
        let column_warnings = warnings.len();
        warnings.extend(file_warnings(name, &table.header, decoded));
        Ok(Some(FilePlan {
            file_index,
            name: name.to_string(),
            choice,
            header: table.header,
            dialect: table.dialect,
            columns,
            zone,
            strict: settings.strict,
            warnings,
            column_warnings,
        }))
    }

    /// Renews the warnings about the decoding from `decoded`, which has decoded the whole file
    /// since [`FilePlan::from_head`] saw its first rows.
    pub fn update_decoding(&mut self, decoded: &StreamDecoder) {
        self.warnings.truncate(self.column_warnings);
        self.warnings.extend(file_warnings(&self.name, &self.header, decoded));
    }

    /// True for a file that can be cut into parts: a whitespace-separated file cannot, because its
    /// reader does not stop at a limit.
    pub fn can_split(&self) -> bool {
        self.dialect.delimiter != WHITESPACE
    }

    /// Returns the delimiter and the quote of the file's rows.
    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// Cuts the body of the decoded file `text` into the ranges that `split` describes, each
    /// starting at a line. A whitespace-separated file stays whole, because its reader does not stop at a limit.
    pub fn split(&self, text: &str, split: &Split) -> Vec<PartRange> {
        let body = table::body(text).as_bytes();
        let whole = vec![PartRange { start: 0, limit: body.len() }];
        let parts = split.parts.min(body.len() / split.min_part_bytes.max(1));
        if parts <= 1 || !self.can_split() {
            return whole;
        }
        let first_weight = split.first_weight.max(0.0);
        let weights = first_weight + (parts - 1) as f64;
        let mut starts = vec![0];
        for cut in 1..parts {
            let share = (first_weight + (cut - 1) as f64) / weights;
            let target = ((body.len() as f64 * share) as usize).max(starts[starts.len() - 1]);
            let Some(start) = cut_after(body, target) else { break };
            starts.push(start);
        }
        let limits = starts.iter().skip(1).copied().chain([body.len()]);
        starts.iter().zip(limits).map(|(&start, limit)| PartRange { start, limit }).collect()
    }
}

/// Returns the start of the first line after byte `at` of `body` where a part can begin, or `None`
/// at the end. A line that begins with a byte-order mark is passed over: the CSV reader drops a
/// mark at the start of its text, so a part beginning there would read that line differently.
fn cut_after(body: &[u8], at: usize) -> Option<usize> {
    const BYTE_ORDER_MARK: &[u8] = "\u{FEFF}".as_bytes();
    let mut from = at;
    loop {
        let start = from + body.get(from..)?.iter().position(|&byte| byte == b'\n')? + 1;
        if start >= body.len() {
            return None;
        }
        if !body[start..].starts_with(BYTE_ORDER_MARK) {
            return Some(start);
        }
        from = start;
    }
}

/// Returns the first character boundary of `text` after byte `at`, or its length.
fn next_char_boundary(text: &str, at: usize) -> usize {
    (at + 1..text.len()).find(|&end| text.is_char_boundary(end)).unwrap_or(text.len())
}

/// Reads the rows of one part into a log of its own.
pub fn read_part(plan: &FilePlan, text: PartText<'_>) -> PartRead {
    let name = plan.name.as_str();
    let mut part = PartRead {
        log: EventLog::default(),
        problems: Problems::default(),
        counts: RowCounts::default(),
        stats: FileStats { name: name.to_string(), ..FileStats::default() },
        stopped_at: None,
        long_field: None,
        lines: 0,
        overran: false,
        failure: None,
    };
    let (mut table, limit, bytes) = match text {
        PartText::First { text, limit } => match Table::open(name, text, &plan.choice) {
            Ok(table) => (table, limit, limit),
            Err(error) => {
                part.failure = Some(Failure::Unreadable(error));
                return part;
            }
        },
        PartText::Later { text, limit } => (Table::part(text, plan.header.clone(), &plan.dialect), limit, limit),
    };
    table.stop_at(limit);
    if let Err(failure) = read_rows(plan, &mut table, bytes, &mut part) {
        part.failure = Some(failure);
    }
    part.stopped_at = table.stopped_at;
    part.long_field = table.long_field;
    part.overran = table.overran();
    part.lines = table.lines_before(limit);
    part
}

/// Reads every row of `table` into `part`, stopping at the first bad row in strict mode.
fn read_rows(plan: &FilePlan, table: &mut Table<'_>, bytes: usize, part: &mut PartRead) -> Result<(), Failure> {
    let name = plan.name.as_str();
    let columns = &plan.columns;
    let log = &mut part.log;
    let properties: Vec<(usize, usize)> = columns.properties.iter().map(|(at, property)| (*at, log.property_index(property))).collect();
    let width = table.header.names.len();
    let header = &table.header.names.clone();
    let mut record = StringRecord::new();
    // Holds a lower-cased e-mail address, reused from row to row.
    let mut identifier_buffer = String::new();
    // The bytes of the rows read so far, for the estimate of the part's events.
    let mut read_bytes = 0usize;
    loop {
        let row = match table.next_row(name, &mut record) {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(()),
            Err(error) => return Err(Failure::Unreadable(error)),
        };
        let stats = &mut part.stats;
        stats.rows += 1;
        read_bytes += record.as_slice().len() + record.len();
        // The columns are sized from the first rows, and sized again from all rows read so far
        // whenever they run full, so that they grow by a few percent where doubling would
        // leave up to half of them empty.
        if stats.rows == SAMPLE_ROWS || (stats.rows > SAMPLE_ROWS && log.is_full()) {
            let more = estimated_events(bytes, read_bytes, stats.rows, stats.events);
            log.reserve(more.max(log.len() / 64 + 1));
        }
        if let Some(problem) = table.oversized_problem(name, row, &record) {
            if plan.strict {
                return Err(Failure::Row(problem));
            }
            part.problems.add(problem);
            stats.skipped += 1;
            continue;
        }
        let counts = &mut part.counts;
        if is_note_row(&record, width) {
            counts.notes += 1;
            if counts.note_examples.len() < EXAMPLES {
                counts.note_examples.push((row, shorten(record.iter().map(str::trim).collect::<Vec<_>>().join(" ").trim(), 60)));
            }
            continue;
        }
        if record.len() < width {
            counts.short += 1;
        } else if record.len() > width && record.iter().skip(width).any(|cell| !cell.trim().is_empty()) {
            counts.long += 1;
            if counts.long_examples.len() < EXAMPLES {
                counts.long_examples.push((row, format!("{} fields, header has {width}", record.len())));
            }
        }

        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let parsed = match parse_row(columns, &cell, plan.zone, counts) {
            Ok(parsed) => parsed,
            Err((column, message)) => {
                let problem = Problem {
                    file: name.to_string(),
                    row,
                    column: header[column].clone(),
                    value: shorten(cell(column), 200),
                    message,
                };
                if plan.strict {
                    return Err(Failure::Row(problem));
                }
                part.problems.add(problem);
                stats.skipped += 1;
                continue;
            }
        };
        if parsed.events.is_empty() {
            continue;
        }
        // `parse_row` has checked that the row has an identifier.
        let Some(person) = identify_row(columns, &cell, log, &mut identifier_buffer) else { continue };
        let channel = columns.channel.map(cell).filter(|value| !value.is_empty());
        for (event, time, date_only) in parsed.events {
            log.push(
                NewEvent {
                    person,
                    time,
                    event,
                    channel,
                    value: parsed.value,
                    ordinal: parsed.ordinal,
                    date_only,
                    file: plan.file_index,
                    row: row.min(u32::MAX as u64) as u32,
                },
                properties.iter().map(|&(at, property)| (property, record.get(at).unwrap_or("").trim())),
            );
            stats.events += 1;
        }
    }
}

/// Appends the parts of one file, in file order, to `log`, `problems` and `warnings`, and returns
/// the file's counts. Returns `None`, and changes nothing, when a cut between two parts fell inside
/// a row: the file must then be read in one part.
pub fn join(plan: &FilePlan, parts: Vec<PartRead>, log: &mut EventLog, problems: &mut Problems, warnings: &mut Vec<Warning>) -> Result<Option<FileStats>, Error> {
    // The parts up to the first that stopped early count, and each cut before them must fall
    // between rows. A part can stop at the very row that ran past its limit, so that comes
    // first. A later part's unreadable row is named by the whole file's read.
    let mut used = 0;
    for (index, part) in parts.iter().enumerate() {
        used += 1;
        if part.overran && index + 1 < parts.len() {
            return Ok(None);
        }
        if index > 0 && matches!(part.failure, Some(Failure::Unreadable(_))) {
            return Ok(None);
        }
        if part.failure.is_some() || part.stopped_at.is_some() {
            break;
        }
    }

    let mut joined = FileJoin::new(plan);
    for part in parts.into_iter().take(used) {
        joined.add(part, log, problems)?;
    }
    joined.finish(plan, warnings).map(Some)
}

/// The parts of one file, appended one after another in file order as they are read.
pub struct FileJoin {
    stats: FileStats,
    counts: RowCounts,
    stopped_at: Option<u64>,
    long_field: Option<(u64, usize)>,
    /// The lines of the file before the next part. The first part numbers its own rows.
    lines_before: u64,
    first: bool,
    /// A part stopped at a `#` line after the data, so the parts after it are not the file's rows.
    ended: bool,
}

impl FileJoin {
    pub fn new(plan: &FilePlan) -> FileJoin {
        FileJoin {
            stats: FileStats { name: plan.name.clone(), ..FileStats::default() },
            counts: RowCounts::default(),
            stopped_at: None,
            long_field: None,
            lines_before: plan.dialect.preamble_lines as u64,
            first: true,
            ended: false,
        }
    }

    /// Returns the counts of the parts joined so far.
    pub fn stats(&self) -> &FileStats {
        &self.stats
    }

    /// True once a part stopped before its end: the rest of the file is not read.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Appends the next part of the file to `log` and `problems`. Fails at the part's first bad
    /// row in strict mode, and at a row it could not read. A part after one that ended is ignored.
    pub fn add(&mut self, part: PartRead, log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
        if self.ended {
            return Ok(());
        }
        let shift = if self.first { 0 } else { self.lines_before };
        self.first = false;
        match part.failure {
            Some(Failure::Row(mut problem)) => {
                problem.row += shift;
                return Err(Error::Value(problem));
            }
            Some(Failure::Unreadable(error)) => return Err(error),
            None => {}
        }
        log.append(part.log, shift);
        problems.count += part.problems.count;
        for mut problem in part.problems.examples {
            if problems.examples.len() < super::MAX_PROBLEM_EXAMPLES {
                problem.row += shift;
                problems.examples.push(problem);
            }
        }
        let mut part_counts = part.counts;
        part_counts.shift_rows(shift);
        self.counts.absorb(part_counts);
        self.stats.rows += part.stats.rows;
        self.stats.events += part.stats.events;
        self.stats.skipped += part.stats.skipped;
        self.stopped_at = self.stopped_at.or(part.stopped_at.map(|row| row + shift));
        self.long_field = self.long_field.or(part.long_field.map(|(row, lines)| (row + shift, lines)));
        self.lines_before += part.lines;
        self.ended = part.stopped_at.is_some();
        Ok(())
    }

    /// Adds the file's warnings after the plan's, and returns its counts.
    pub fn finish(self, plan: &FilePlan, warnings: &mut Vec<Warning>) -> Result<FileStats, Error> {
        warnings.extend(plan.warnings.iter().cloned());
        warnings.extend(self.counts.into_warnings(&plan.name));
        if let (true, Some((row, lines))) = (plan.strict, self.long_field) {
            return Err(Error::File {
                file: plan.name.clone(),
                message: format!("a quoted field that starts at row {row} spans {lines} lines; a closing quote is probably missing. Fix the quote, or switch to lenient mode."),
            });
        }
        warnings.extend(table::shape_warnings(&plan.name, self.stopped_at, self.long_field));
        Ok(self.stats)
    }
}

/// Reads a whole event file in one part into `log`.
pub fn read_whole(plan: &FilePlan, text: &str, log: &mut EventLog, problems: &mut Problems, warnings: &mut Vec<Warning>) -> Result<FileStats, Error> {
    let range = PartRange { start: 0, limit: table::body(text).len() };
    let part = read_part(plan, PartText::of(text, range));
    // One part has no cut to fall inside a row, so `join` always takes it.
    join(plan, vec![part], log, problems, warnings)?.ok_or_else(|| Error::File {
        file: plan.name.clone(),
        message: "the file could not be read in one part".to_string(),
    })
}

/// Stores a time zone as its IANA name.
mod zone_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zone: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(zone.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(deserializer)?;
        super::super::time::parse_zone(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown time zone {name}")))
    }
}
