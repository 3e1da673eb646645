//! Channel path tables: aggregated journeys without times, one row per channel sequence.
//!
//! A row such as `eta > iota > alpha;2;6.75;5` means that 2 + 5 people followed the channels eta,
//! iota and alpha, and that 2 of them converted for a total value of 6.75. The reader expands
//! each row into that many journeys: one event per channel, named after the channel and with the
//! channel as its channel, and for each converter a final conversion event that carries
//! value / conversions. The table has no times, so every journey gets synthetic ones: it starts
//! at 2000-01-01T00:00:00Z and each event comes one hour after the previous one. The load reports
//! this, and the analyses leave every time-based figure empty.

use csv::StringRecord;
use serde::{Deserialize, Serialize};

use super::{Header, KnownFormat};
use crate::error::{shorten, Error, Problem};
use crate::ingest::roles::Mapping;
use crate::ingest::table::{DialectChoice, Table};
use crate::ingest::{parse_number, FileStats, Problems};
use crate::model::identity::IdentityKind;
use crate::model::{EventLog, NewEvent};
use crate::report::{counted, Warning};

/// The synthetic start of every journey: 2000-01-01T00:00:00Z in milliseconds.
pub(crate) const SYNTHETIC_START_MS: i64 = 946_684_800_000;
/// The synthetic time between two events of one journey.
pub(crate) const SYNTHETIC_STEP_MS: i64 = 3_600_000;
/// Journeys one path table may expand to. Each journey costs about 40 bytes per event in the
/// event log, so this bounds the log at a few hundred megabytes for long paths.
pub const MAX_JOURNEYS: u64 = 2_000_000;

const PATH_NAMES: &[&str] = &["path", "paths", "channel_path", "user_path", "journey"];
const CONVERSION_NAMES: &[&str] = &["total_conversions", "conversions", "total_conversion", "conversion"];
const VALUE_NAMES: &[&str] = &["total_conversion_value", "conversion_value", "total_value", "value", "revenue"];
const NULL_NAMES: &[&str] = &["total_null", "total_nulls", "null", "nulls", "non_conversions", "total_non_conversions"];

/// The columns of a channel path table, chosen in the mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PathTable {
    /// The column with channel sequences such as `a > b > c`.
    pub path: String,
    /// The column with the number of journeys of that path that converted.
    pub conversions: String,
    /// The column with the total conversion value of those journeys, if any.
    pub value: Option<String>,
    /// The column with the number of journeys of that path that did not convert, if any.
    pub non_conversions: Option<String>,
    /// The text between two channels of a path.
    pub separator: String,
    /// The event name given to each conversion.
    pub conversion_event: String,
}

impl Default for PathTable {
    fn default() -> PathTable {
        PathTable {
            path: String::new(),
            conversions: String::new(),
            value: None,
            non_conversions: None,
            separator: ">".to_string(),
            conversion_event: "conversion".to_string(),
        }
    }
}

/// Recognises a path table: a path column whose values contain `>` and a conversions column.
pub(super) fn recognise(header: &Header<'_>) -> Option<(KnownFormat, Mapping)> {
    let path = header.find(PATH_NAMES)?;
    let examples = &header.column(path)?.examples;
    if examples.is_empty() || !examples.iter().any(|example| example.contains('>')) {
        return None;
    }
    let table = PathTable {
        path: path.to_string(),
        conversions: header.find(CONVERSION_NAMES)?.to_string(),
        value: header.find(VALUE_NAMES).map(str::to_string),
        non_conversions: header.find(NULL_NAMES).map(str::to_string),
        ..PathTable::default()
    };
    let format = KnownFormat {
        id: "channel_path_table".to_string(),
        name: "Channel path table".to_string(),
        note: Some("Each row is expanded into conversions + non-conversions journeys with synthetic, evenly spaced times, so time to convert and funnel times are not reported.".to_string()),
    };
    Some((format, Mapping { path_table: Some(table), ..Mapping::default() }))
}

/// The column positions of a path table in one file.
struct Positions {
    path: usize,
    conversions: usize,
    value: Option<usize>,
    non_conversions: Option<usize>,
}

/// One parsed row: its channels, journey counts and the value of each conversion.
struct PathRow<'r> {
    channels: Vec<&'r str>,
    conversions: u64,
    non_conversions: u64,
    value_per_conversion: f64,
}

/// Reads a path table into `log`, one synthetic person per journey.
#[allow(clippy::too_many_arguments)]
pub fn read(
    file_index: u16,
    name: &str,
    text: &str,
    choice: &DialectChoice,
    table: &PathTable,
    strict: bool,
    log: &mut EventLog,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) -> Result<FileStats, Error> {
    let mut reader = Table::open(name, text, choice)?;
    let header = reader.header.names.clone();
    let positions = resolve(name, &header, table)?;
    let separator = if table.separator.trim().is_empty() { ">" } else { table.separator.trim() };
    let conversion_event = if table.conversion_event.trim().is_empty() { "conversion" } else { table.conversion_event.trim() };

    let mut stats = FileStats { name: name.to_string(), ..FileStats::default() };
    let mut journeys = 0u64;
    let mut record = StringRecord::new();
    while let Some(row) = reader.next_row(name, &mut record)? {
        stats.rows += 1;
        if reader.reject_oversized(name, row, &record, strict, problems)? {
            stats.skipped += 1;
            continue;
        }
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let parsed = match parse_path_row(&positions, &cell, separator) {
            Ok(parsed) => parsed,
            Err((column, message)) => {
                let problem = Problem { file: name.to_string(), row, column: header[column].clone(), value: shorten(cell(column), 200), message };
                if strict {
                    return Err(Error::Value(problem));
                }
                problems.add(problem);
                stats.skipped += 1;
                continue;
            }
        };

        journeys += parsed.conversions + parsed.non_conversions;
        if journeys > MAX_JOURNEYS {
            return Err(Error::File {
                file: name.to_string(),
                message: format!("the path table expands to more than {MAX_JOURNEYS} journeys by row {row}. Load a sample of its rows, or divide its counts."),
            });
        }
        for number in 0..parsed.conversions + parsed.non_conversions {
            let person = log.identifier(&format!("{file_index}:{row}:{}", number + 1), IdentityKind::Anonymous);
            let converted = number < parsed.conversions;
            stats.events += push_journey(log, person, &parsed, converted.then_some(conversion_event), file_index, row);
        }
    }

    warnings.extend(reader.shape_warnings(name));
    warnings.push(Warning::new(
        "synthetic_times",
        journeys,
        format!(
            "{name}: a channel path table has no times. Its rows were read as {}, with evenly spaced synthetic times, so time to convert, funnel times and the funnel window do not apply.",
            counted(journeys, "journey", "journeys")
        ),
    ));
    Ok(stats)
}

/// Appends one journey's events and returns how many were added.
fn push_journey(log: &mut EventLog, person: u32, row: &PathRow<'_>, conversion: Option<&str>, file: u16, source_row: u64) -> u64 {
    let source_row = source_row.min(u32::MAX as u64) as u32;
    let mut time = SYNTHETIC_START_MS;
    for channel in &row.channels {
        let event = NewEvent { person, time, event: channel, channel: Some(channel), value: f64::NAN, ordinal: None, date_only: false, file, row: source_row };
        log.push(event, []);
        time += SYNTHETIC_STEP_MS;
    }
    let Some(conversion) = conversion else {
        return row.channels.len() as u64;
    };
    let event = NewEvent { person, time, event: conversion, channel: None, value: row.value_per_conversion, ordinal: None, date_only: false, file, row: source_row };
    log.push(event, []);
    row.channels.len() as u64 + 1
}

fn resolve(name: &str, header: &[String], table: &PathTable) -> Result<Positions, Error> {
    let find = |role: &str, column: &str| -> Result<usize, Error> {
        header.iter().position(|name| name == column).ok_or_else(|| {
            Error::Options(format!("{name}: the {role} column \"{column}\" is not in the header. The columns are: {}.", header.join(", ")))
        })
    };
    let optional = |role: &str, column: &Option<String>| -> Result<Option<usize>, Error> {
        match column.as_deref() {
            None | Some("") => Ok(None),
            Some(column) => find(role, column).map(Some),
        }
    };
    Ok(Positions {
        path: find("path", &table.path)?,
        conversions: find("conversions", &table.conversions)?,
        value: optional("conversion value", &table.value)?,
        non_conversions: optional("non-conversions", &table.non_conversions)?,
    })
}

/// Parses one row. An error names the column position and what is wrong.
fn parse_path_row<'r>(positions: &Positions, cell: &dyn Fn(usize) -> &'r str, separator: &str) -> Result<PathRow<'r>, (usize, String)> {
    let conversions = parse_count(cell(positions.conversions)).map_err(|message| (positions.conversions, message))?;
    let non_conversions = match positions.non_conversions {
        Some(at) => parse_count(cell(at)).map_err(|message| (at, message))?,
        None => 0,
    };
    let value = match positions.value {
        Some(at) if !cell(at).is_empty() => parse_number(cell(at)).ok_or_else(|| (at, "this is not a number".to_string()))?,
        _ => f64::NAN,
    };
    let channels: Vec<&str> = cell(positions.path).split(separator).map(str::trim).filter(|channel| !channel.is_empty()).collect();
    if channels.is_empty() && conversions + non_conversions > 0 {
        return Err((positions.path, "the path is empty".to_string()));
    }
    let value_per_conversion = if conversions > 0 { value / conversions as f64 } else { f64::NAN };
    Ok(PathRow { channels, conversions, non_conversions, value_per_conversion })
}

/// Parses a journey count: a whole number of zero or more. An empty cell counts as zero.
fn parse_count(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Ok(0);
    }
    match parse_number(text) {
        Some(number) if number >= 0.0 && number.fract() == 0.0 && number <= MAX_JOURNEYS as f64 => Ok(number as u64),
        Some(_) => Err(format!("a journey count must be a whole number from 0 to {MAX_JOURNEYS}")),
        None => Err("this is not a number".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::decode;
    use crate::model::Journeys;

    fn read_text(text: &str, table: &PathTable) -> (EventLog, FileStats, Problems, Vec<Warning>) {
        let decoded = decode::decode_all(text.as_bytes());
        let mut log = EventLog::default();
        let mut problems = Problems::default();
        let mut warnings = Vec::new();
        let stats = read(0, "paths.csv", decoded.text(), &DialectChoice::default(), table, false, &mut log, &mut problems, &mut warnings).unwrap();
        (log, stats, problems, warnings)
    }

    fn table() -> PathTable {
        PathTable {
            path: "path".into(),
            conversions: "total_conversions".into(),
            value: Some("total_conversion_value".into()),
            non_conversions: Some("total_null".into()),
            ..PathTable::default()
        }
    }

    #[test]
    fn rows_expand_into_journeys() {
        let text = "path;total_conversions;total_conversion_value;total_null\na > b;2;10;1\nc;0;0;2\n";
        let (log, stats, problems, warnings) = read_text(text, &table());
        let journeys = Journeys::build(&log);
        assert_eq!(journeys.people(), 5);
        assert_eq!(stats.events, 2 * 3 + 2 + 2);
        assert_eq!(problems.count, 0);
        assert_eq!(warnings[0].kind, "synthetic_times");
        let conversion = log.event_names.get("conversion").unwrap();
        let values: Vec<f64> = (0..log.len()).filter(|&at| log.event[at] == conversion).map(|at| log.value[at]).collect();
        assert_eq!(values, vec![5.0, 5.0]);
    }

    #[test]
    fn events_are_one_hour_apart() {
        let (log, _, _, _) = read_text("path;total_conversions\nx > y;1\n", &PathTable { value: None, non_conversions: None, ..table() });
        assert_eq!(log.time, vec![SYNTHETIC_START_MS, SYNTHETIC_START_MS + SYNTHETIC_STEP_MS, SYNTHETIC_START_MS + 2 * SYNTHETIC_STEP_MS]);
        assert_eq!(log.channels.name(log.channel[0]), "x");
    }

    #[test]
    fn bad_count_is_a_problem() {
        let text = "path;total_conversions;total_conversion_value;total_null\na;1.5;1;0\nb;1;1;0\n";
        let (_, stats, problems, _) = read_text(text, &table());
        assert_eq!(stats.skipped, 1);
        assert_eq!(problems.examples[0].row, 2);
        assert_eq!(problems.examples[0].column, "total_conversions");
    }
}
