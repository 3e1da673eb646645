//! Outcome tables: one row per person, with yes/no outcome columns and no times.
//!
//! An e-mail campaign test export such as `segment,visit,conversion,spend` with rows
//! `Mens E-Mail,1,0,0` is one. The reader turns each row into one person with an entry event
//! (`included` unless the mapping names another), then one event per step column whose value is
//! true, in the order of the steps. The table has no times, so the events get synthetic ones, as
//! in channel path tables: the entry event at 2000-01-01T00:00:00Z and the step at position `k`
//! (from 0) `k + 1` hours later. Every other column becomes a property on each of the person's
//! events, so a column such as `segment` can split the funnel.

use csv::StringRecord;
use serde::{Deserialize, Serialize};

use super::paths::{SYNTHETIC_START_MS, SYNTHETIC_STEP_MS};
use super::{Header, KnownFormat};
use crate::error::{shorten, Error, Problem};
use crate::ingest::roles::{self, Mapping};
use crate::ingest::table::{DialectChoice, Table};
use crate::ingest::{file_warnings, is_note_row, parse_number, FileStats, Problems};
use crate::model::identity::{self, IdentityKind};
use crate::model::{EventLog, NewEvent};
use crate::report::{counted, Warning};
use crate::ingest::decode::StreamDecoder;

/// The event every row starts with, unless the mapping names another.
pub const DEFAULT_ENTRY_EVENT: &str = "included";

/// The minimum share of distinct values among a person column's sampled values in an outcome
/// table. A table with one row per person has nearly unique ids, so a column below this share,
/// such as a `lead_source` that role detection took for an id, would merge unrelated rows.
/// NOTE: one half is a judgment, not a cut-off measured on real exports.
const MIN_PERSON_DISTINCT_SHARE: f64 = 0.5;

/// Normalised column names that mean an outcome a person reached, so that their flag columns are
/// proposed as steps. A name also matches with an `is_`, `has_` or `did_` prefix, or as the last
/// word of a longer name (`email_opened`).
const OUTCOME_WORDS: &[&str] = &[
    "visit", "visited", "click", "clicked", "open", "opened", "signup", "sign_up", "signed_up",
    "register", "registered", "registration", "subscribe", "subscribed", "lead", "trial", "demo",
    "booked", "convert", "converted", "conversion", "purchase", "purchased", "order", "ordered",
    "bought", "buy", "won", "activated", "activation", "responded", "response", "replied",
];

/// The outcome columns of an outcome table, chosen in the mapping. The person, channel and value
/// columns are the mapping's own roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeTable {
    /// Yes/no columns that are steps a person reached, in funnel order. Each true cell becomes an
    /// event named after its column.
    pub steps: Vec<String>,
    /// The name of the first event of every row, which records that the person is in the table.
    pub entry_event: String,
}

impl Default for OutcomeTable {
    fn default() -> OutcomeTable {
        OutcomeTable { steps: Vec::new(), entry_event: DEFAULT_ENTRY_EVENT.to_string() }
    }
}

/// Returns the flag a cell holds: `Some(Some(true))` for 1 (also written `1.0`), true, yes or y
/// (any case), `Some(Some(false))` for 0 (`0.0`), false, no or n, `Some(None)` for an empty cell,
/// and `None` for any other value.
pub fn parse_flag(text: &str) -> Option<Option<bool>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(None);
    }
    let lowered = trimmed.to_ascii_lowercase();
    match lowered.as_str() {
        "1" | "true" | "yes" | "y" => Some(Some(true)),
        "0" | "false" | "no" | "n" => Some(Some(false)),
        _ => match lowered.parse::<f64>() {
            Ok(number) if number == 1.0 => Some(Some(true)),
            Ok(number) if number == 0.0 => Some(Some(false)),
            _ => None,
        },
    }
}

/// Returns true when a column name is an outcome word (see [`OUTCOME_WORDS`]).
pub fn is_outcome_name(column: &str) -> bool {
    let normalised = roles::normalise(column);
    let bare = ["is_", "has_", "did_"].iter().find_map(|prefix| normalised.strip_prefix(prefix)).unwrap_or(&normalised);
    let last_word = normalised.rsplit('_').next().unwrap_or(&normalised);
    OUTCOME_WORDS.iter().any(|word| *word == normalised || *word == bare || *word == last_word)
}

/// Recognises an outcome table: no time column and at least one flag column. The flag columns
/// named like outcomes become the steps, in header order, and the other flag columns stay
/// properties. `detected` is the mapping that role detection proposed, whose person, identity,
/// channel and value columns are kept unless they are flag columns. The person column is also
/// dropped when its sampled values repeat too often to be one id per row (see `facts`).
pub(super) fn recognise(header: &Header<'_>, detected: &Mapping, facts: &[roles::ColumnFacts<'_>]) -> Option<(KnownFormat, Mapping)> {
    let columns = header.columns;
    if columns.iter().any(|column| column.kind == roles::ColumnKind::Time) {
        return None;
    }

    let flags: Vec<&str> = columns.iter().filter(|column| column.flag).map(|column| column.name.as_str()).collect();
    if flags.is_empty() {
        return None;
    }

    let steps: Vec<String> = flags.iter().filter(|name| is_outcome_name(name)).map(|name| name.to_string()).collect();
    let not_flag = |column: &Option<String>| column.clone().filter(|name| !flags.contains(&name.as_str()));
    let unique_enough = |column: &String| {
        facts.iter().find(|fact| fact.name == column).is_none_or(|fact| fact.distinct_share >= MIN_PERSON_DISTINCT_SHARE)
    };
    let person = not_flag(&detected.person).filter(unique_enough);

    let mapping = Mapping {
        identities: if person.is_some() { detected.identities.iter().filter(|name| !flags.contains(&name.as_str())).cloned().collect() } else { Vec::new() },
        person,
        channel: not_flag(&detected.channel),
        value: not_flag(&detected.value),
        outcome_table: Some(OutcomeTable { steps: steps.clone(), ..OutcomeTable::default() }),
        ..Mapping::default()
    };

    let identity = if mapping.person.is_some() {
        "Each row is one person of the id column"
    } else {
        "Each row is one person, numbered by file and row because no id column was recognised"
    };
    let chosen = if steps.is_empty() {
        "No yes/no column is named like an outcome, so choose the step columns".to_string()
    } else {
        format!("The steps are {}", steps.join(", "))
    };

    let format = KnownFormat {
        id: "outcome_table".to_string(),
        name: "Outcome table (one row per person)".to_string(),
        note: Some(format!(
            "{identity}. Every person gets an \"{DEFAULT_ENTRY_EVENT}\" event, then one event per step column that is true, at synthetic times, so time to convert and funnel times are not reported. {chosen}; the other columns become properties."
        )),
    };
    Some((format, mapping))
}

/// The column positions of an outcome table in one file.
struct Positions {
    /// The person column, then the identity columns, each with the kind of id it holds. Empty
    /// when the mapping has no person column.
    identifiers: Vec<(usize, IdentityKind)>,
    /// Step columns in step order, each with its event name.
    steps: Vec<(usize, String)>,
    channel: Option<usize>,
    value: Option<usize>,
    /// (column position, property index in the log)
    properties: Vec<(usize, usize)>,
}

/// One parsed row: the positions in step order of the steps reached, and the row's value.
struct OutcomeRow {
    reached: Vec<usize>,
    value: f64,
}

/// Counters of cells that were read with an adjustment, reported as warnings.
#[derive(Default)]
struct CellCounts {
    empty_steps: u64,
    empty_step_examples: Vec<String>,
    unreadable_values: u64,
    unreadable_examples: Vec<String>,
    notes: u64,
}

/// Reads an outcome table into `log`: one person per row (see the module documentation).
#[allow(clippy::too_many_arguments)]
pub fn read(
    file_index: u16,
    name: &str,
    decoded: &StreamDecoder,
    choice: &DialectChoice,
    mapping: &Mapping,
    table: &OutcomeTable,
    strict: bool,
    log: &mut EventLog,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) -> Result<FileStats, Error> {
    let mut reader = Table::open(name, decoded.text(), choice)?;
    warnings.extend(file_warnings(name, &reader.header, decoded));
    let header = reader.header.names.clone();
    let entry_event = match table.entry_event.trim() {
        "" => DEFAULT_ENTRY_EVENT,
        named => named,
    };
    let positions = resolve(name, &header, mapping, table, entry_event, log)?;
    let width = header.len();

    let mut stats = FileStats { name: name.to_string(), ..FileStats::default() };
    let mut counts = CellCounts::default();
    let mut record = StringRecord::new();
    let mut identifier_buffer = String::new();
    let mut people = 0u64;
    while let Some(row) = reader.next_row(name, &mut record)? {
        stats.rows += 1;
        if reader.reject_oversized(name, row, &record, strict, problems)? {
            stats.skipped += 1;
            continue;
        }
        if is_note_row(&record, width) {
            counts.notes += 1;
            continue;
        }
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let parsed = parse_outcome_row(&positions, &cell, &mut counts, row, &header).and_then(|parsed| {
            let person = identify(&positions, &cell, log, &mut identifier_buffer, name, row)?;
            Ok((person, parsed))
        });
        let (person, parsed) = match parsed {
            Ok(found) => found,
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
        people += 1;
        stats.events += push_person(log, person, &positions, &parsed, entry_event, &record, file_index, row);
    }

    warnings.extend(counts.into_warnings(name));
    warnings.extend(reader.shape_warnings(name));
    let steps: Vec<&str> = positions.steps.iter().map(|(_, step)| step.as_str()).collect();
    let step_list = if steps.is_empty() { "no step columns".to_string() } else { format!("the step columns {}", steps.join(", ")) };
    warnings.push(Warning::new(
        "synthetic_times",
        people,
        format!(
            "{name}: an outcome table has no times. Its rows were read as {}, each with an \"{entry_event}\" event and one event for each of {step_list} that is true, at evenly spaced synthetic times, so time to convert, funnel times and the funnel window do not apply.",
            counted(people, "person", "people")
        ),
    ));
    Ok(stats)
}

/// Finds the mapped columns. Every column that is not a person id or a step becomes a property.
fn resolve(name: &str, header: &[String], mapping: &Mapping, table: &OutcomeTable, entry_event: &str, log: &mut EventLog) -> Result<Positions, Error> {
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

    let mut identifiers = Vec::new();
    if let Some(person) = optional("person id", &mapping.person)? {
        identifiers.push((person, roles::identity_kind(&header[person])));
        for column in mapping.identities.iter().filter(|column| !column.is_empty()) {
            let at = find("identity", column)?;
            if !identifiers.iter().any(|&(known, _)| known == at) {
                identifiers.push((at, roles::identity_kind(column)));
            }
        }
    }
    let mut steps: Vec<(usize, String)> = Vec::new();
    for column in table.steps.iter().map(|column| column.trim()).filter(|column| !column.is_empty()) {
        let at = find("step", column)?;
        if identifiers.iter().any(|&(known, _)| known == at) {
            return Err(Error::Options(format!("{name}: the column \"{column}\" is both the person id and a step. Choose one role for it.")));
        }
        if column == entry_event {
            return Err(Error::Options(format!(
                "{name}: the step column \"{column}\" has the name of the event that starts every row. Name that event differently."
            )));
        }
        if !steps.iter().any(|(known, _)| *known == at) {
            steps.push((at, column.to_string()));
        }
    }
    let channel = optional("channel", &mapping.channel)?;
    let value = optional("value", &mapping.value)?;
    if let Some(at) = value.filter(|at| steps.iter().any(|(step, _)| step == at)) {
        return Err(Error::Options(format!("{name}: the column \"{}\" is both the value and a step. Choose one role for it.", header[at])));
    }

    let mut properties = Vec::new();
    for (at, column) in header.iter().enumerate() {
        let role = identifiers.iter().any(|&(known, _)| known == at) || steps.iter().any(|(step, _)| *step == at);
        if !role {
            properties.push((at, log.property_index(column)));
        }
    }
    Ok(Positions { identifiers, steps, channel, value, properties })
}

/// Parses the step and value cells of one row. An error names the column position and what is
/// wrong.
fn parse_outcome_row<'r>(
    positions: &Positions,
    cell: &dyn Fn(usize) -> &'r str,
    counts: &mut CellCounts,
    row: u64,
    header: &[String],
) -> Result<OutcomeRow, (usize, String)> {
    let mut reached = Vec::new();
    for (position, (at, _)) in positions.steps.iter().enumerate() {
        match parse_flag(cell(*at)) {
            Some(Some(true)) => reached.push(position),
            Some(Some(false)) => {}
            Some(None) => {
                counts.empty_steps += 1;
                if counts.empty_step_examples.len() < 3 {
                    counts.empty_step_examples.push(format!("row {row}, {}", header[*at]));
                }
            }
            None => return Err((*at, "a step column must hold yes/no values: 1 or 0, true or false, yes or no, y or n".to_string())),
        }
    }
    // An unreadable value leaves the person without a value rather than dropping the row.
    let value = match positions.value {
        Some(at) if !cell(at).is_empty() => parse_number(cell(at)).unwrap_or_else(|| {
            counts.unreadable_values += 1;
            if counts.unreadable_examples.len() < 3 {
                counts.unreadable_examples.push(format!("row {row}: {}", shorten(cell(at), 40)));
            }
            f64::NAN
        }),
        _ => f64::NAN,
    };
    Ok(OutcomeRow { reached, value })
}

/// Returns the row's person: its identifiers interned and linked to the first one, or, without a
/// person column, an id made of the file name and row (`hillstrom.csv:2`).
fn identify<'r>(
    positions: &Positions,
    cell: &dyn Fn(usize) -> &'r str,
    log: &mut EventLog,
    buffer: &mut String,
    name: &str,
    row: u64,
) -> Result<u32, (usize, String)> {
    let Some(&(person_at, _)) = positions.identifiers.first() else {
        return Ok(log.identifier(&format!("{name}:{row}"), IdentityKind::Anonymous));
    };
    let linking = positions.identifiers.len() > 1;
    let mut first = None;
    for &(at, kind) in &positions.identifiers {
        let value = cell(at);
        if value.is_empty() || (linking && identity::is_placeholder(value)) {
            continue;
        }
        let (value, kind) = identity::normalise_identifier(value, kind, buffer);
        let id = log.identifier(value, kind);
        match first {
            None => first = Some(id),
            Some(first) => log.link(first, id),
        }
    }
    let message = if linking { "the person id and every identity column are empty" } else { "the person id is missing" };
    first.ok_or_else(|| (person_at, message.to_string()))
}

/// Appends one person's events and returns how many were added. The value goes on the last step
/// reached, or on the entry event when no step was reached.
#[allow(clippy::too_many_arguments)]
fn push_person(
    log: &mut EventLog,
    person: u32,
    positions: &Positions,
    parsed: &OutcomeRow,
    entry_event: &str,
    record: &StringRecord,
    file: u16,
    source_row: u64,
) -> u64 {
    let source_row = source_row.min(u32::MAX as u64) as u32;
    let channel = positions.channel.map(|at| record.get(at).unwrap_or("").trim()).filter(|value| !value.is_empty());
    let cells = || positions.properties.iter().map(|&(at, property)| (property, record.get(at).unwrap_or("").trim()));
    // A zero, such as the spend of a person who bought nothing, is no revenue: it is read as no
    // value, so that only real amounts count as events with a value.
    let value = if parsed.value == 0.0 { f64::NAN } else { parsed.value };
    let value_on_entry = parsed.reached.is_empty();
    let entry = NewEvent {
        person,
        time: SYNTHETIC_START_MS,
        event: entry_event,
        channel,
        value: if value_on_entry { value } else { f64::NAN },
        ordinal: None,
        date_only: false,
        file,
        row: source_row,
    };
    log.push(entry, cells());
    for (number, &position) in parsed.reached.iter().enumerate() {
        let last = number + 1 == parsed.reached.len();
        let step = NewEvent {
            time: SYNTHETIC_START_MS + (position as i64 + 1) * SYNTHETIC_STEP_MS,
            event: &positions.steps[position].1,
            value: if last { value } else { f64::NAN },
            ..entry
        };
        log.push(step, cells());
    }
    parsed.reached.len() as u64 + 1
}

impl CellCounts {
    fn into_warnings(self, file: &str) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.empty_steps > 0 {
            warnings.push(
                Warning::new(
                    "empty_step_cells",
                    self.empty_steps,
                    format!("{file}: {} empty and read as not reached.", counted(self.empty_steps, "step cell was", "step cells were")),
                )
                .with_examples(self.empty_step_examples),
            );
        }
        if self.unreadable_values > 0 {
            warnings.push(
                Warning::new(
                    "unreadable_values",
                    self.unreadable_values,
                    format!(
                        "{file}: {} in the value column could not be read as numbers; those people were kept without a value.",
                        counted(self.unreadable_values, "value", "values")
                    ),
                )
                .with_examples(self.unreadable_examples),
            );
        }
        if self.notes > 0 {
            warnings.push(Warning::new(
                "note_rows",
                self.notes,
                format!("{file}: {} a note or a total rather than data and {} not read.", counted(self.notes, "row is", "rows are"), if self.notes == 1 { "was" } else { "were" }),
            ));
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::decode;
    use crate::model::Journeys;

    fn read_text(text: &str, mapping: &Mapping) -> (EventLog, FileStats, Problems, Vec<Warning>) {
        let decoded = decode::decode_all(text.as_bytes());
        let mut log = EventLog::default();
        let mut problems = Problems::default();
        let mut warnings = Vec::new();
        let table = mapping.outcome_table.clone().unwrap_or_default();
        let stats = read(0, "outcomes.csv", &decoded, &DialectChoice::default(), mapping, &table, false, &mut log, &mut problems, &mut warnings).unwrap();
        (log, stats, problems, warnings)
    }

    fn mapping(steps: &[&str], value: Option<&str>) -> Mapping {
        Mapping {
            value: value.map(str::to_string),
            outcome_table: Some(OutcomeTable { steps: steps.iter().map(|step| step.to_string()).collect(), ..OutcomeTable::default() }),
            ..Mapping::default()
        }
    }

    fn events(log: &EventLog) -> Vec<(&str, i64, f64)> {
        (0..log.len()).map(|at| (log.event_names.name(log.event[at]), log.time[at] - SYNTHETIC_START_MS, log.value[at])).collect()
    }

    #[test]
    fn flags_in_every_spelling() {
        for text in ["1", "1.0", "true", "TRUE", "Yes", "y"] {
            assert_eq!(parse_flag(text), Some(Some(true)), "{text}");
        }
        for text in ["0", "0.00", "false", "No", "N"] {
            assert_eq!(parse_flag(text), Some(Some(false)), "{text}");
        }
        assert_eq!(parse_flag(" "), Some(None));
        assert_eq!(parse_flag("2"), None);
        assert_eq!(parse_flag("0.5"), None);
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn outcome_names() {
        for name in ["visit", "Conversion", "is_converted", "email_opened", "sign up", "has_purchased"] {
            assert!(is_outcome_name(name), "{name}");
        }
        for name in ["mens", "newbie", "womens", "history", "opened_at_hour"] {
            assert!(!is_outcome_name(name), "{name}");
        }
    }

    #[test]
    fn row_becomes_entry_and_reached_steps() {
        let text = "segment,visit,conversion,spend\nA,1,1,30\nB,1,0,0\nC,0,0,0\n";
        let (log, stats, problems, _) = read_text(text, &mapping(&["visit", "conversion"], Some("spend")));
        assert_eq!(problems.count, 0);
        assert_eq!(stats.events, 3 + 2 + 1);
        let hour = SYNTHETIC_STEP_MS;
        let found = events(&log);
        assert_eq!((found[0].0, found[0].1), ("included", 0));
        assert!(found[0].2.is_nan());
        assert_eq!((found[1].0, found[1].1), ("visit", hour));
        assert!(found[1].2.is_nan());
        assert_eq!(found[2], ("conversion", 2 * hour, 30.0));
        assert_eq!((found[4].0, found[4].1), ("visit", hour));
        assert!(found[4].2.is_nan(), "a zero value is no value");
        assert!(found[5].2.is_nan());
        assert_eq!(Journeys::build(&log).people(), 3);
        let segment = log.find_property("segment").unwrap();
        assert_eq!(log.properties[segment].values.name(log.properties[segment].codes[2]), "A");
        assert_eq!(log.find_property("visit"), None, "steps are events, not properties");
    }

    #[test]
    fn value_without_a_step_stays_on_entry() {
        let (log, _, _, _) = read_text("visit,spend\n0,12.5\n", &mapping(&["visit"], Some("spend")));
        assert_eq!(events(&log), vec![("included", 0, 12.5)]);
    }

    #[test]
    fn later_step_without_earlier_keeps_its_time() {
        let (log, _, _, _) = read_text("visit,conversion\n0,1\n", &mapping(&["visit", "conversion"], None));
        let found = events(&log);
        assert_eq!((found[1].0, found[1].1), ("conversion", 2 * SYNTHETIC_STEP_MS));
    }

    #[test]
    fn bad_step_cell_is_a_problem() {
        let text = "visit,conversion\n1,0\n2,0\n1,maybe\n,1\n";
        let (_, stats, problems, warnings) = read_text(text, &mapping(&["visit", "conversion"], None));
        assert_eq!(stats.skipped, 2);
        assert_eq!(problems.count, 2);
        assert_eq!((problems.examples[0].row, problems.examples[0].column.as_str(), problems.examples[0].value.as_str()), (3, "visit", "2"));
        assert_eq!((problems.examples[1].row, problems.examples[1].column.as_str(), problems.examples[1].value.as_str()), (4, "conversion", "maybe"));
        let empty = warnings.iter().find(|warning| warning.kind == "empty_step_cells").unwrap();
        assert_eq!(empty.count, 1);
    }

    #[test]
    fn rows_of_one_person_id_merge() {
        let text = "customer_id,visit\nc1,1\nc1,0\nc2,1\n";
        let with_person = Mapping { person: Some("customer_id".into()), ..mapping(&["visit"], None) };
        let (log, _, _, _) = read_text(text, &with_person);
        assert_eq!(Journeys::build(&log).people(), 2);
        assert_eq!(log.people.name(log.person[0]), "c1");
    }

    #[test]
    fn step_named_like_the_entry_event_is_rejected() {
        let decoded = decode::decode_all(b"included\n1\n");
        let table = OutcomeTable { steps: vec!["included".into()], ..OutcomeTable::default() };
        let mut log = EventLog::default();
        let error = read(0, "t.csv", &decoded, &DialectChoice::default(), &Mapping::default(), &table, false, &mut log, &mut Problems::default(), &mut Vec::new()).unwrap_err();
        assert!(error.to_string().contains("\"included\" has the name of the event that starts every row"), "{error}");
    }
}
