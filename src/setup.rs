//! Saved setups: the column mappings, load settings and analysis options of a session, as one
//! JSON document that the page stores, exports and imports.
//!
//! A setup contains no rows of data. It names each file it was made for by its file name and its
//! header (the column names in order), so that a later session can tell whether the files on
//! screen are the same kind of export. The analysis options are the very [`AnalysisOptions`] that
//! `analyze` takes, and each file's mapping is the [`Mapping`] that `load` takes.
//!
//! [`Setup::parse`] reads untrusted text. It rejects an unknown version, a value of the wrong type
//! and a value out of range, with an error that names the field path (such as
//! `analysis.funnel.steps[1].window`), the value and what to write instead. It does not panic on
//! any input, which the `setup_json` fuzz target checks.
//!
//! ```
//! use pathlight::setup::Setup;
//!
//! let setup = Setup::parse(r#"{ "version": 1, "analysis": { "conversion": "purchase" } }"#).unwrap();
//! assert_eq!(setup.analysis.conversion.as_deref(), Some("purchase"));
//!
//! let error = Setup::parse(r#"{ "version": 2 }"#).unwrap_err();
//! assert_eq!(error.path, "version");
//! ```

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::analysis::funnel::{parse_duration, MatchKind};
use crate::analysis::{attribution, AnalysisOptions};
use crate::error::shorten;
use crate::ingest::time::{parse_zone, DateOrder};
use crate::ingest::{parse_delimiter_choice, FileConfig, FileInspection, LoadConfig, Mapping};

/// The setup format this version of Pathlight writes and reads.
pub const SETUP_VERSION: u64 = 1;

/// The maximum size of a setup text, in bytes. A setup contains names and options only, so a
/// real one is a few kilobytes.
pub const MAX_SETUP_BYTES: usize = 1 << 20;

/// Characters of a rejected value quoted in an error message.
const QUOTED_CHARS: usize = 60;

/// A saved setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Setup {
    /// The format version, [`SETUP_VERSION`].
    pub version: u64,
    /// The name the user saved the setup under; may be empty.
    pub name: String,
    pub load: LoadSettings,
    /// The files the setup was made for, with their dialect and mapping.
    pub files: Vec<FileSetup>,
    pub analysis: AnalysisOptions,
}

/// The load settings that apply to every file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadSettings {
    /// IANA zone for times without an offset.
    pub time_zone: String,
    /// Stop at the first bad value instead of skipping its row.
    pub strict: bool,
    /// Keep exact duplicate events.
    pub keep_duplicates: bool,
    /// The user's answer to the day-first or month-first question; `None` when it was not asked.
    pub date_order: Option<DateOrder>,
}

/// One file the setup was made for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileSetup {
    /// The file name, such as `events.csv`.
    pub name: String,
    /// The file's column names in order, as the inspection lists them. A file whose columns are
    /// equal gets this entry's dialect and mapping.
    ///
    /// NOTE: a file read without a header row has generated names (`column_1`, …) until the
    /// user names them, so any such file with as many columns matches.
    pub columns: Vec<String>,
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

/// The reason a setup was rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError {
    /// The field path, such as `analysis.funnel.steps[1].window`; empty for the whole document.
    pub path: String,
    /// The problem and the fix.
    pub message: String,
    /// The 1-based line and column of a syntax or type error in the JSON text.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Invalid setup: ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some((line, column)) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SetupError {}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            version: SETUP_VERSION,
            name: String::new(),
            load: LoadSettings::default(),
            files: Vec::new(),
            analysis: AnalysisOptions::default(),
        }
    }
}

impl Default for LoadSettings {
    fn default() -> LoadSettings {
        LoadSettings { time_zone: "UTC".to_string(), strict: false, keep_duplicates: false, date_order: None }
    }
}

impl Setup {
    /// Parses and checks a setup from JSON text.
    pub fn parse(text: &str) -> Result<Setup, SetupError> {
        if text.len() > MAX_SETUP_BYTES {
            return Err(SetupError::at(
                "",
                format!("the file has {} bytes, more than the {MAX_SETUP_BYTES} a setup may have. Choose a setup file exported by Pathlight.", text.len()),
            ));
        }
        let document: Value = serde_json::from_str(text).map_err(|error| SetupError {
            path: String::new(),
            message: format!("the file is not valid JSON: {}. Choose a setup file exported by Pathlight.", syntax_message(&error)),
            position: Some((error.line(), error.column())),
        })?;
        let Value::Object(fields) = &document else {
            return Err(SetupError::at("", format!("expected a JSON object, found {}.", kind_of(&document))));
        };
        check_version(fields)?;

        let setup: Setup = serde_json::from_str(text).map_err(|error| {
            let (path, message) = locate_error(&document).unwrap_or_else(|| (String::new(), syntax_message(&error)));
            SetupError { path, message: format!("{message}. Fix the value or export the setup again."), position: Some((error.line(), error.column())) }
        })?;
        // Through JSON text rather than `serde_json::to_value`, so the wasm module needs no
        // serializer into `Value` for the setup types.
        let written: Value = serde_json::to_string(&setup)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|error| SetupError::at("", format!("the setup cannot be written back as JSON: {error}.")))?;
        check_shape(&document, &written, "")?;
        setup.check()?;
        Ok(setup)
    }

    /// Writes the setup as indented JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Returns the entry for a file with these columns, preferring one with the same file name.
    pub fn file_for(&self, name: &str, columns: &[String]) -> Option<&FileSetup> {
        let mut matching = self.files.iter().filter(|file| file.columns == columns);
        let first = matching.clone().next();
        matching.find(|file| file.name == name).or(first)
    }

    /// Builds the load configuration for inspected files: each file takes the dialect and mapping
    /// of the setup's entry with equal columns, and keeps its proposed mapping when none matches.
    pub fn load_config(&self, inspections: &[FileInspection]) -> LoadConfig {
        let files = inspections
            .iter()
            .map(|inspection| {
                let columns: Vec<String> = inspection.columns.iter().map(|column| column.name.clone()).collect();
                match self.file_for(&inspection.name, &columns) {
                    Some(file) => FileConfig {
                        index: inspection.index,
                        delimiter: file.delimiter.clone(),
                        quote: file.quote.clone(),
                        header: file.header,
                        column_names: file.column_names.clone(),
                        mapping: file.mapping.clone(),
                    },
                    None => FileConfig { index: inspection.index, mapping: inspection.mapping.clone(), ..FileConfig::default() },
                }
            })
            .collect();
        LoadConfig {
            time_zone: self.load.time_zone.clone(),
            strict: self.load.strict,
            date_order: self.load.date_order.unwrap_or_default(),
            keep_duplicates: self.load.keep_duplicates,
            files,
        }
    }

    /// Rejects values that have the right type but no meaning: an unknown time zone, a mapped
    /// column that the file lacks, a window that is not a duration, a share outside 0 to 1.
    ///
    /// NOTE: names that depend on the data, such as a funnel event that the loaded files lack,
    /// are checked by `analyze`, which lists the names that do occur.
    fn check(&self) -> Result<(), SetupError> {
        if parse_zone(&self.load.time_zone).is_none() {
            return Err(SetupError::value("load.time_zone", &self.load.time_zone, "is not a known time zone. Use an IANA name such as UTC or Europe/Paris."));
        }
        let mut names = HashSet::new();
        for (position, file) in self.files.iter().enumerate() {
            let path = format!("files[{position}]");
            if file.name.trim().is_empty() {
                return Err(SetupError::at(format!("{path}.name"), "is empty. Give the file name the setup was made for.".to_string()));
            }
            if !names.insert((file.name.as_str(), file.columns.as_slice())) {
                return Err(SetupError::value(&format!("{path}.name"), &file.name, "appears twice with the same columns. Keep one entry per file."));
            }
            check_file(&path, file)?;
        }
        check_analysis(&self.analysis)
    }
}

impl SetupError {
    fn at(path: impl Into<String>, message: String) -> SetupError {
        SetupError { path: path.into(), message, position: None }
    }

    /// Builds an error that quotes the rejected value.
    fn value(path: &str, value: &str, problem: &str) -> SetupError {
        SetupError::at(path, format!("\"{}\" {problem}", shorten(value, QUOTED_CHARS)))
    }
}

fn check_version(fields: &Map<String, Value>) -> Result<(), SetupError> {
    match fields.get("version") {
        None => Err(SetupError::at("version", format!("is missing. A setup starts with \"version\": {SETUP_VERSION}; choose a setup file exported by Pathlight."))),
        Some(Value::Number(number)) if number.as_u64() == Some(SETUP_VERSION) => Ok(()),
        Some(Value::Number(number)) => Err(SetupError::at(
            "version",
            format!("{number} is not supported. This Pathlight reads version {SETUP_VERSION} setups; export the setup again from the Pathlight that made it, or update Pathlight."),
        )),
        Some(other) => Err(SetupError::at("version", format!("expected the number {SETUP_VERSION}, found {}.", kind_of(other)))),
    }
}

/// Finds the deepest field of the document that fails to deserialize, and the reason.
///
/// serde reports only the line and column of a type error, so the field path is found by
/// deserializing parts of the document. A part is tried alone, placed where it sits in the
/// document with its siblings left out, which works because every setup type fills missing fields
/// with defaults. A text or number field whose only fault is a missing sibling (a date event's
/// name) is not blamed, and its object is reported instead.
fn locate_error(document: &Value) -> Option<(String, String)> {
    locate(&|value| value, document, String::new())
}

fn locate(place: &dyn Fn(Value) -> Value, value: &Value, path: String) -> Option<(String, String)> {
    let error = deserialize_setup(&place(value.clone())).err()?;
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                let place_field = |inner: Value| {
                    let mut single = Map::new();
                    single.insert(key.clone(), inner);
                    place(Value::Object(single))
                };
                let container = matches!(child, Value::Object(_) | Value::Array(_));
                let blamed = deserialize_setup(&place_field(child.clone())).err().is_some_and(|error| container || !error.starts_with("missing field"));
                if blamed {
                    let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    return locate(&place_field, child, child_path);
                }
            }
        }
        Value::Array(items) => {
            for (position, item) in items.iter().enumerate() {
                let place_item = |inner: Value| place(Value::Array(vec![inner]));
                if deserialize_setup(&place_item(item.clone())).is_err() {
                    return locate(&place_item, item, format!("{path}[{position}]"));
                }
            }
        }
        _ => {}
    }
    Some((path, error))
}

/// Reads a setup from `document` and returns serde's message without its line and column, which
/// would point into the rewritten part rather than the user's file.
///
/// The document goes through its JSON text, not `Setup::deserialize(Value)`, so the wasm module
/// contains one deserializer for every setup and option type (for `&str`) instead of two.
fn deserialize_setup(document: &Value) -> Result<Setup, String> {
    serde_json::from_str(&document.to_string()).map_err(|error| {
        let message = error.to_string();
        let position = format!(" at line {} column {}", error.line(), error.column());
        message.strip_suffix(&position).map_or(message.clone(), str::to_string)
    })
}

/// Compares the document with the setup that was read from it, and rejects what serde accepted
/// silently: a field that no type has ([`Mapping`] ignores unknown fields) and a list where an
/// object belongs (serde reads a struct from a list of its field values in order).
fn check_shape(input: &Value, output: &Value, path: &str) -> Result<(), SetupError> {
    match (input, output) {
        (Value::Object(fields), Value::Object(known)) => {
            for (key, child) in fields {
                let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                let Some(expected) = known.get(key) else {
                    let names: Vec<&str> = known.keys().map(String::as_str).collect();
                    return Err(SetupError::at(child_path, format!("is not a known field. Use one of {}.", names.join(", "))));
                };
                check_shape(child, expected, &child_path)?;
            }
            Ok(())
        }
        (Value::Array(items), Value::Array(expected)) if items.len() == expected.len() => {
            for (position, (item, expected_item)) in items.iter().zip(expected).enumerate() {
                check_shape(item, expected_item, &format!("{path}[{position}]"))?;
            }
            Ok(())
        }
        (Value::Array(_), Value::Object(_)) => Err(SetupError::at(path, "expected an object, found a list. Write the fields by name.".to_string())),
        _ => Ok(()),
    }
}

fn check_file(path: &str, file: &FileSetup) -> Result<(), SetupError> {
    parse_delimiter_choice(&file.name, file.delimiter.as_deref())
        .map_err(|error| SetupError::at(format!("{path}.delimiter"), format!("{error}")))?;
    let config = FileConfig { quote: file.quote.clone(), ..FileConfig::default() };
    config.dialect_choice(&file.name).map_err(|error| SetupError::at(format!("{path}.quote"), format!("{error}")))?;

    let columns: HashSet<&str> = file.columns.iter().chain(&file.column_names).map(String::as_str).collect();
    let mapping = &file.mapping;
    let mut mapped: Vec<(String, &str)> = Vec::new();
    for (role, column) in [
        ("person", &mapping.person),
        ("time", &mapping.time),
        ("event", &mapping.event),
        ("channel", &mapping.channel),
        ("value", &mapping.value),
        ("ordinal", &mapping.ordinal),
    ] {
        if let Some(column) = column {
            mapped.push((format!("mapping.{role}"), column));
        }
    }
    for (position, date_event) in mapping.date_events.iter().enumerate() {
        mapped.push((format!("mapping.date_events[{position}].column"), &date_event.column));
        if date_event.name.trim().is_empty() {
            return Err(SetupError::at(format!("{path}.mapping.date_events[{position}].name"), "is empty. Name the event, such as \"deal won\".".to_string()));
        }
    }
    for (position, identity) in mapping.identities.iter().enumerate() {
        mapped.push((format!("mapping.identities[{position}]"), identity));
    }
    if let Some(table) = &mapping.path_table {
        mapped.push(("mapping.path_table.path".to_string(), &table.path));
        mapped.push(("mapping.path_table.conversions".to_string(), &table.conversions));
        if let Some(value) = &table.value {
            mapped.push(("mapping.path_table.value".to_string(), value));
        }
        if let Some(non_conversions) = &table.non_conversions {
            mapped.push(("mapping.path_table.non_conversions".to_string(), non_conversions));
        }
    }
    if let Some(table) = &mapping.outcome_table {
        for (position, step) in table.steps.iter().enumerate() {
            mapped.push((format!("mapping.outcome_table.steps[{position}]"), step));
        }
    }
    if let Some(zone) = &mapping.time_zone {
        if parse_zone(zone).is_none() {
            return Err(SetupError::value(&format!("{path}.mapping.time_zone"), zone, "is not a known time zone. Use an IANA name such as UTC or Europe/Paris."));
        }
    }
    // A setup made without the header list cannot be checked against it.
    if columns.is_empty() {
        return Ok(());
    }
    for (field, column) in mapped {
        if !columns.contains(column) {
            return Err(SetupError::value(
                &format!("{path}.{field}"),
                column,
                &format!("is not one of the file's columns. Use a name listed in {path}.columns."),
            ));
        }
    }
    Ok(())
}

fn check_analysis(options: &AnalysisOptions) -> Result<(), SetupError> {
    let funnel = &options.funnel;
    if let Some(window) = &funnel.window {
        check_duration("analysis.funnel.window", window)?;
    }
    for (position, step) in funnel.steps.iter().enumerate() {
        let path = format!("analysis.funnel.steps[{position}]");
        if step.event.trim().is_empty() {
            return Err(SetupError::at(format!("{path}.event"), "is empty. Name the step's event.".to_string()));
        }
        if let Some(window) = &step.window {
            if position == 0 {
                return Err(SetupError::value(&format!("{path}.window"), window, "is set on step 1, which has no previous step. Remove it."));
            }
            check_duration(&format!("{path}.window"), window)?;
        }
        check_pattern(&format!("{path}.value"), step.match_kind, step.value.as_deref())?;
    }
    let steps = funnel.steps.len();
    for (position, exclusion) in funnel.exclusions.iter().enumerate() {
        let path = format!("analysis.funnel.exclusions[{position}]");
        if exclusion.event.trim().is_empty() {
            return Err(SetupError::at(format!("{path}.event"), "is empty. Name the event to exclude.".to_string()));
        }
        if let Some([from, to]) = exclusion.between {
            if from < 1 || to > steps || from >= to {
                return Err(SetupError::at(
                    format!("{path}.between"),
                    format!("[{from}, {to}] is out of range. Give two step numbers from 1 to {steps}, the first smaller than the second."),
                ));
            }
        }
        check_pattern(&format!("{path}.value"), exclusion.match_kind, exclusion.value.as_deref())?;
    }

    check_duration("analysis.attribution.half_life", &options.attribution.half_life)?;
    let order = options.attribution.markov_order;
    if !(1..=attribution::MAX_MARKOV_ORDER).contains(&order) {
        return Err(SetupError::at(
            "analysis.attribution.markov_order",
            format!("{order} is out of range. Use an order from 1 to {}.", attribution::MAX_MARKOV_ORDER),
        ));
    }
    check_share("analysis.prediction.cut_share", options.prediction.cut_share)?;
    if let Some(horizon) = &options.prediction.horizon {
        check_duration("analysis.prediction.horizon", horizon)?;
    }
    check_share("analysis.silences.return_rule", options.silences.return_rule)?;
    let cuts = &options.speed.cuts;
    if !cuts.is_empty() && cuts.len() != 2 {
        return Err(SetupError::at(
            "analysis.speed.cuts",
            format!(
                "has {} {}. Give two, such as [\"1d\", \"7d\"], or none for terciles.",
                cuts.len(),
                if cuts.len() == 1 { "duration" } else { "durations" }
            ),
        ));
    }
    for (position, cut) in cuts.iter().enumerate() {
        check_duration(&format!("analysis.speed.cuts[{position}]"), cut)?;
    }
    check_stages(options)
}

fn check_stages(options: &AnalysisOptions) -> Result<(), SetupError> {
    for (position, stage) in options.stages.iter().enumerate() {
        let path = format!("analysis.stages[{position}]");
        if stage.name.trim().is_empty() {
            return Err(SetupError::at(format!("{path}.name"), "is empty. Name the stage.".to_string()));
        }
        if stage.rules.is_empty() {
            return Err(SetupError::at(format!("{path}.rules"), "is empty. Give the stage at least one event.".to_string()));
        }
        for (index, rule) in stage.rules.iter().enumerate() {
            let rule_path = format!("{path}.rules[{index}]");
            if rule.event.trim().is_empty() {
                return Err(SetupError::at(format!("{rule_path}.event"), "is empty. Name the rule's event.".to_string()));
            }
            check_pattern(&format!("{rule_path}.value"), rule.match_kind, rule.value.as_deref())?;
        }
    }
    Ok(())
}

fn check_duration(path: &str, text: &str) -> Result<(), SetupError> {
    parse_duration(text).map(|_| ()).map_err(|_| {
        SetupError::value(path, text, "is not a duration. Write a number and a unit, such as 30d, 12h, 90m or 45s.")
    })
}

fn check_share(path: &str, share: f64) -> Result<(), SetupError> {
    if share > 0.0 && share < 1.0 {
        return Ok(());
    }
    Err(SetupError::at(path, format!("{share} is out of range. Use a share between 0 and 1, such as 0.1.")))
}

fn check_pattern(path: &str, kind: MatchKind, value: Option<&str>) -> Result<(), SetupError> {
    let (MatchKind::Regex, Some(pattern)) = (kind, value) else { return Ok(()) };
    regex::Regex::new(pattern).map(|_| ()).map_err(|_| {
        SetupError::value(path, pattern, "is not a valid regular expression. Fix it, or choose the exact or glob match.")
    })
}

/// Drops serde_json's own " at line L column C", which the error carries separately.
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::funnel::FunnelStep;
    use crate::analysis::stages::{StageDefinition, StageRule};
    use crate::Workspace;

    fn full_setup() -> Setup {
        let mut setup = Setup { name: "weekly".to_string(), ..Setup::default() };
        setup.load = LoadSettings { time_zone: "Europe/Paris".to_string(), strict: true, keep_duplicates: true, date_order: Some(DateOrder::MonthFirst) };
        setup.files.push(FileSetup {
            name: "events.csv".to_string(),
            columns: vec!["user".to_string(), "ts".to_string(), "event".to_string(), "page".to_string()],
            delimiter: Some(";".to_string()),
            mapping: Mapping {
                person: Some("user".to_string()),
                time: Some("ts".to_string()),
                event: Some("event".to_string()),
                ..Mapping::default()
            },
            ..FileSetup::default()
        });
        setup.analysis.conversion = Some("purchase".to_string());
        setup.analysis.funnel.steps = vec![
            FunnelStep { event: "visit".to_string(), ..FunnelStep::default() },
            FunnelStep { event: "purchase".to_string(), window: Some("2d".to_string()), ..FunnelStep::default() },
        ];
        setup.analysis.funnel.window = Some("30d".to_string());
        setup.analysis.stages = vec![StageDefinition {
            name: "buying".to_string(),
            rules: vec![StageRule { event: "visit".to_string(), column: Some("page".to_string()), value: Some("^/pricing".to_string()), match_kind: MatchKind::Regex }],
        }];
        setup.analysis.prediction.cut_share = 0.7;
        setup
    }

    fn rejection(text: &str) -> SetupError {
        match Setup::parse(text) {
            Ok(setup) => panic!("expected a rejection, parsed {setup:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let setup = full_setup();
        let parsed = Setup::parse(&setup.to_json()).unwrap();
        assert_eq!(parsed, setup);
    }

    #[test]
    fn missing_sections_take_defaults() {
        let setup = Setup::parse(r#"{"version": 1}"#).unwrap();
        assert_eq!(setup, Setup::default());
    }

    #[test]
    fn version_other_than_one_rejected() {
        let error = rejection(r#"{"version": 2}"#);
        assert_eq!(error.path, "version");
        assert!(error.message.contains("2 is not supported"), "{error}");
    }

    #[test]
    fn version_missing_or_text_rejected() {
        assert_eq!(rejection(r#"{"name": "x"}"#).path, "version");
        let error = rejection(r#"{"version": "1"}"#);
        assert_eq!(error.path, "version");
        assert!(error.message.contains("found a string"), "{error}");
    }

    #[test]
    fn syntax_error_has_position() {
        let error = rejection("{\"version\": 1,\n  \"name\": }");
        assert_eq!(error.path, "");
        assert_eq!(error.position, Some((2, 11)));
        assert!(error.to_string().contains("not valid JSON"), "{error}");
    }

    #[test]
    fn non_object_rejected() {
        let error = rejection("[1, 2]");
        assert!(error.message.contains("found a list"), "{error}");
    }

    #[test]
    fn wrong_type_names_nested_path() {
        let text = r#"{"version": 1, "analysis": {"funnel": {"steps": [{"event": "a"}, {"event": "b", "window": 7}]}}}"#;
        let error = rejection(text);
        assert_eq!(error.path, "analysis.funnel.steps[1].window");
        assert!(error.message.contains("invalid type: integer `7`"), "{error}");
        assert!(!error.message.contains(" at line "), "{error}");
        assert!(error.position.is_some());
    }

    #[test]
    fn unknown_option_names_path() {
        let error = rejection(r#"{"version": 1, "analysis": {"silences": {"return_rul": 0.2}}}"#);
        assert_eq!(error.path, "analysis.silences.return_rul");
        assert!(error.message.contains("unknown field `return_rul`"), "{error}");
    }

    #[test]
    fn unknown_top_level_field_rejected() {
        let error = rejection(r#"{"version": 1, "rows": []}"#);
        assert_eq!(error.path, "rows");
    }

    #[test]
    fn unknown_mapping_field_rejected() {
        let error = rejection(r#"{"version": 1, "files": [{"name": "a.csv", "mapping": {"persn": "id"}}]}"#);
        assert_eq!(error.path, "files[0].mapping.persn");
        assert!(error.message.contains("is not a known field"), "{error}");
    }

    #[test]
    fn date_event_without_name_blames_object() {
        let error = rejection(r#"{"version": 1, "files": [{"name": "a.csv", "mapping": {"date_events": [{"column": "won"}]}}]}"#);
        assert_eq!(error.path, "files[0].mapping.date_events[0]");
        assert!(error.message.contains("missing field `name`"), "{error}");
    }

    #[test]
    fn list_in_place_of_object_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"funnel": [[]]}}"#);
        assert_eq!(error.path, "analysis.funnel");
        assert!(error.message.contains("found a list"), "{error}");
    }

    #[test]
    fn unknown_enum_value_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"funnel": {"kind": "sideways"}}}"#);
        assert_eq!(error.path, "analysis.funnel.kind");
        assert!(error.message.contains("unknown variant `sideways`"), "{error}");
    }

    #[test]
    fn unknown_time_zone_rejected() {
        let error = rejection(r#"{"version": 1, "load": {"time_zone": "Mars/Olympus"}}"#);
        assert_eq!(error.path, "load.time_zone");
        assert!(error.message.contains("\"Mars/Olympus\""), "{error}");
    }

    #[test]
    fn bad_window_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"funnel": {"window": "soon"}}}"#);
        assert_eq!(error.path, "analysis.funnel.window");
        assert!(error.message.contains("\"soon\" is not a duration"), "{error}");
    }

    #[test]
    fn window_on_first_step_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"funnel": {"steps": [{"event": "a", "window": "1d"}]}}}"#);
        assert_eq!(error.path, "analysis.funnel.steps[0].window");
    }

    #[test]
    fn exclusion_outside_steps_rejected() {
        let text = r#"{"version": 1, "analysis": {"funnel": {"steps": [{"event": "a"}, {"event": "b"}],
            "exclusions": [{"event": "c", "between": [1, 3]}]}}}"#;
        let error = rejection(text);
        assert_eq!(error.path, "analysis.funnel.exclusions[0].between");
        assert!(error.message.contains("[1, 3] is out of range"), "{error}");
    }

    #[test]
    fn shares_outside_zero_one_rejected() {
        assert_eq!(rejection(r#"{"version": 1, "analysis": {"prediction": {"cut_share": 1.5}}}"#).path, "analysis.prediction.cut_share");
        assert_eq!(rejection(r#"{"version": 1, "analysis": {"silences": {"return_rule": 0}}}"#).path, "analysis.silences.return_rule");
    }

    #[test]
    fn markov_order_out_of_range_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"attribution": {"markov_order": 9}}}"#);
        assert_eq!(error.path, "analysis.attribution.markov_order");
    }

    #[test]
    fn negative_count_rejected_as_type() {
        let error = rejection(r#"{"version": 1, "analysis": {"attribution": {"markov_order": -1}}}"#);
        assert_eq!(error.path, "analysis.attribution.markov_order");
        assert!(error.message.contains("invalid value: integer `-1`"), "{error}");
    }

    #[test]
    fn speed_cuts_need_two() {
        let error = rejection(r#"{"version": 1, "analysis": {"speed": {"cuts": ["1d"]}}}"#);
        assert_eq!(error.path, "analysis.speed.cuts");
    }

    #[test]
    fn stage_without_rules_rejected() {
        let error = rejection(r#"{"version": 1, "analysis": {"stages": [{"name": "a", "rules": []}]}}"#);
        assert_eq!(error.path, "analysis.stages[0].rules");
    }

    #[test]
    fn invalid_regex_rejected() {
        let text = r#"{"version": 1, "analysis": {"stages": [{"name": "a", "rules": [{"event": "v", "column": "p", "value": "(", "match": "regex"}]}]}}"#;
        let error = rejection(text);
        assert_eq!(error.path, "analysis.stages[0].rules[0].value");
    }

    #[test]
    fn mapped_column_missing_from_header_rejected() {
        let text = r#"{"version": 1, "files": [{"name": "a.csv", "columns": ["id", "ts"], "mapping": {"person": "id", "time": "when"}}]}"#;
        let error = rejection(text);
        assert_eq!(error.path, "files[0].mapping.time");
        assert!(error.message.contains("\"when\" is not one of the file's columns"), "{error}");
    }

    #[test]
    fn outcome_step_missing_from_header_rejected() {
        let text = r#"{"version": 1, "files": [{"name": "a.csv", "columns": ["segment", "visit"], "mapping": {"outcome_table": {"steps": ["visit", "conversion"]}}}]}"#;
        let error = rejection(text);
        assert_eq!(error.path, "files[0].mapping.outcome_table.steps[1]");
        assert!(error.message.contains("\"conversion\" is not one of the file's columns"), "{error}");
    }

    #[test]
    fn unsupported_delimiter_rejected() {
        let error = rejection(r#"{"version": 1, "files": [{"name": "a.csv", "delimiter": "^"}]}"#);
        assert_eq!(error.path, "files[0].delimiter");
    }

    #[test]
    fn empty_file_name_rejected() {
        let error = rejection(r#"{"version": 1, "files": [{"columns": ["a"]}]}"#);
        assert_eq!(error.path, "files[0].name");
    }

    #[test]
    fn oversized_text_rejected() {
        let text = format!(r#"{{"version": 1, "name": "{}"}}"#, "x".repeat(MAX_SETUP_BYTES));
        assert!(rejection(&text).message.contains("more than"));
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let inputs = [
            "", "null", "1", "\"x\"", "{", "{\"version\": 1e400}", "{\"version\": -1}", "{\"version\": 1, \"files\": {}}",
            "{\"version\": 1, \"files\": [null]}", "{\"version\": 1, \"analysis\": []}", "{\"version\": 1, \"analysis\": {\"funnel\": {\"steps\": [1]}}}",
            "{\"version\": 1, \"analysis\": {\"funnel\": {\"exclusions\": [{\"event\": \"x\", \"between\": [0, 0]}]}}}",
            "{\"version\": 1, \"load\": {\"date_order\": \"sideways\"}}",
        ];
        for input in inputs {
            assert!(Setup::parse(input).is_err(), "accepted {input}");
        }
    }

    #[test]
    fn load_config_applies_matching_file() {
        let mut workspace = Workspace::new();
        let csv = "user;ts;event;page\nu1;2024-01-01T10:00:00Z;visit;/\nu1;2024-01-01T11:00:00Z;purchase;/buy\n";
        let index = workspace.add_file("renamed.csv", csv.as_bytes().to_vec());
        let inspection = workspace.inspect(index, None).unwrap();
        let mut setup = full_setup();
        setup.load.date_order = None;
        setup.files[0].mapping.event = Some("page".to_string());

        let config = setup.load_config(&[inspection]);
        assert_eq!(config.files[0].mapping.event.as_deref(), Some("page"));
        assert_eq!(config.files[0].delimiter.as_deref(), Some(";"));
        assert_eq!(config.time_zone, "Europe/Paris");
        let summary = workspace.load(&config).unwrap();
        assert_eq!(summary.event_names.len(), 2);
        assert!(summary.event_names.iter().any(|entry| entry.name == "/buy"));
    }

    #[test]
    fn load_config_keeps_proposal_for_other_files() {
        let mut workspace = Workspace::new();
        let index = workspace.add_file("other.csv", b"id,when,what\na,2024-01-01,x\n".to_vec());
        let inspection = workspace.inspect(index, None).unwrap();
        let proposed = inspection.mapping.clone();
        let config = full_setup().load_config(&[inspection]);
        assert_eq!(config.files[0].mapping, proposed);
    }
}
