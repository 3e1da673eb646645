//! Hostile input shapes through the workspace API, as the page calls it: very many distinct event
//! names, one huge field, pathological quoting, very wide rows and one endless line.
//!
//! Each shape is generated here at a size that a debug build reads in a few seconds, large enough
//! to cross the limit it tests. The checks are on what is bounded (list lengths, model contexts,
//! skipped rows and the messages naming row and column), never on time or memory, which
//! tools/hostile_shapes.sh measures at full size with the release CLI (see docs/limits.md).

#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;

use pathlight::analysis::attribution::MAX_LISTED_CHANNELS;
use pathlight::analysis::channel_speed::MAX_LISTED_CHANNELS as CHANNEL_SPEED_MAX_LISTED;
use pathlight::analysis::paths::MAX_PATH_STEPS;
use pathlight::analysis::predict::MAX_LABELS;
use pathlight::analysis::stages::MAX_LISTED_CHANNELS as STAGE_MAX_LISTED;
use pathlight::ingest::table::{MAX_COLUMNS, MAX_FIELD_BYTES};
use pathlight::workspace::MAX_LISTED_EVENT_NAMES;
use pathlight::{AnalysisOptions, Error, LoadConfig, LoadSummary, Report, Workspace};

/// Distinct event names in the generated logs: more than every limit on names.
const DISTINCT_NAMES: usize = 100_000;
/// Length of the generated huge field: twenty times the field limit.
const HUGE_FIELD_BYTES: usize = 20 * MAX_FIELD_BYTES;

/// Returns an ISO time `second` seconds after 2024-01-01T00:00:00Z, for up to 28 days.
fn time_at(second: usize) -> String {
    let (day, rest) = (second / 86_400, second % 86_400);
    format!("2024-01-{:02}T{:02}:{:02}:{:02}Z", day % 28 + 1, rest / 3_600, rest / 60 % 60, rest % 60)
}

/// Builds a log where every row has its own URL-like event name, spread over 500 people.
fn distinct_rows_csv(rows: usize) -> String {
    let mut text = String::from("user_id,timestamp,event\n");
    for row in 0..rows {
        let _ = writeln!(text, "u{},{},/page/{row}?ref={}", row % 500, time_at(row), row * 7);
    }
    text
}

/// Builds a log of `people` people with five events each, every event name unique.
fn distinct_people_csv(people: usize) -> String {
    let mut text = String::from("user_id,timestamp,event,channel\n");
    for person in 0..people {
        for step in 0..5 {
            let _ = writeln!(text, "p{person},{},event_{person}_{step},channel_{}", time_at(person + step * 60), (person + step) % 40);
        }
    }
    text
}

/// Builds a small log whose second row has `field` as its `note` cell.
fn log_with_note(field: &str) -> String {
    format!("user_id,timestamp,event,note\nu1,2024-01-01T00:00:00Z,visit,{field}\nu1,2024-01-01T00:01:00Z,buy,ok\nu2,2024-01-01T00:02:00Z,visit,ok\n")
}

/// Adds one file, inspects it with sniffing and returns the workspace and the inspection result.
fn inspect(text: String) -> (Workspace, Result<pathlight::FileInspection, Error>) {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("hostile.csv", text.into_bytes());
    let inspection = workspace.inspect(index, None);
    (workspace, inspection)
}

/// Inspects and loads one file with the proposed mapping, in lenient or strict mode.
fn load(text: String, strict: bool) -> (Workspace, Result<LoadSummary, Error>) {
    let (mut workspace, inspection) = inspect(text);
    let inspection = inspection.expect("inspect");
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.strict = strict;
    let summary = workspace.load(&config);
    (workspace, summary)
}

fn analyze(workspace: &Workspace) -> Report {
    workspace.analyze(&AnalysisOptions::default()).expect("analyze")
}

fn has_warning(warnings: &[pathlight::report::Warning], kind: &str) -> bool {
    warnings.iter().any(|warning| warning.kind == kind)
}

/// Checks the bounds that every log of many distinct names must keep.
fn assert_names_bounded(summary: &LoadSummary, report: &Report) {
    assert_eq!(summary.distinct_event_names, DISTINCT_NAMES as u64);
    assert_eq!(summary.event_names.len(), MAX_LISTED_EVENT_NAMES, "the load summary lists a bounded number of names");
    assert!(has_warning(&summary.warnings, "event_names_not_listed"), "the unlisted names are reported");

    let map = &report.process_map;
    assert!(map.activities.len() <= map.max_activities + 1, "process map keeps {} activities", map.activities.len());
    assert_eq!(map.merged_activities, (DISTINCT_NAMES - map.max_activities) as u64);
    assert!(map.note.is_some(), "the process map says it merged activities");
    assert!(map.variants.iter().all(|variant| variant.steps.len() <= MAX_PATH_STEPS));

    assert!(report.sankey.nodes.len() <= report.sankey.steps * (report.sankey.top_k + 1));

    let prediction = report.prediction.as_ref().expect("prediction runs on these logs");
    assert_eq!(prediction.merged_labels, (DISTINCT_NAMES - MAX_LABELS + 1) as u64);
    assert!(has_warning(&report.warnings, "prediction_labels_merged"), "the merged labels are reported");
    for order in &prediction.next_step.orders {
        let bound = (MAX_LABELS as u64).pow(order.order as u32);
        assert!(order.contexts <= bound, "order {} has {} contexts, more than {bound}", order.order, order.contexts);
    }
    // Order 1 has one context per label at most, instead of one per distinct event name.
    let first_order = prediction.next_step.orders.iter().find(|order| order.order == 1).expect("order 1");
    assert!(first_order.contexts <= MAX_LABELS as u64);
}

#[test]
fn distinct_name_per_row() {
    let (workspace, summary) = load(distinct_rows_csv(DISTINCT_NAMES), false);
    let summary = summary.expect("load");
    assert_eq!(summary.events, DISTINCT_NAMES as u64);
    let report = analyze(&workspace);
    assert_names_bounded(&summary, &report);

    // Each of the 500 people has 200 events, so every listed path is cut to its first steps.
    let listed = &report.paths.non_converters.top;
    assert!(!listed.is_empty());
    for path in listed {
        assert_eq!(path.steps.len(), MAX_PATH_STEPS);
        assert_eq!(path.omitted_steps, (200 - MAX_PATH_STEPS) as u64);
    }
}

#[test]
fn distinct_names_per_person() {
    let people = DISTINCT_NAMES / 5;
    let (workspace, summary) = load(distinct_people_csv(people), false);
    let summary = summary.expect("load");
    assert_eq!(summary.people, people as u64);
    let report = analyze(&workspace);
    assert_names_bounded(&summary, &report);
    assert_eq!(report.process_map.variants_total, people as u64);
    assert!(report.process_map.variants.len() <= 20);
    assert!(report.paths.non_converters.top.len() <= 200);
}

#[test]
fn huge_quoted_field_skips_its_row() {
    let field = format!("\"{}\"", "x".repeat(HUGE_FIELD_BYTES));
    let (workspace, summary) = load(log_with_note(&field), false);
    let summary = summary.expect("lenient load goes on");
    assert_eq!(summary.skipped_rows, 1);
    assert_eq!(summary.events, 2);
    let problem = summary.problems.first().expect("the skipped row is listed");
    assert_eq!(problem.row, 2);
    assert_eq!(problem.column, "note");
    assert!(problem.message.contains(&format!("{HUGE_FIELD_BYTES} bytes long")), "{}", problem.message);
    assert!(problem.value.chars().count() <= 201, "the problem keeps only the start of the value");
    assert!(has_warning(&analyze(&workspace).warnings, "skipped_rows"));
}

#[test]
fn huge_unquoted_field_stops_strict_load() {
    let field = "y".repeat(HUGE_FIELD_BYTES);
    let (_, summary) = load(log_with_note(&field), true);
    let error = summary.expect_err("strict mode stops at the huge field");
    let text = error.to_string();
    assert!(text.contains("hostile.csv, row 2, column \"note\""), "{text}");
    assert!(text.contains("Check the quoting of this file, or choose another delimiter"), "{text}");
}

#[test]
fn huge_field_preview_is_shortened() {
    let field = "z".repeat(HUGE_FIELD_BYTES);
    let (_, inspection) = inspect(log_with_note(&field));
    let inspection = inspection.expect("inspect");
    let longest = inspection.preview.iter().flatten().map(String::len).max().unwrap_or(0);
    assert!(longest < 1_000, "the preview holds a cell of {longest} bytes");
}

#[test]
fn many_doubled_quotes_are_one_value() {
    let field = format!("\"{}\"", "\"\"".repeat(100_000));
    let (_, summary) = load(log_with_note(&field), false);
    let summary = summary.expect("load");
    assert_eq!(summary.skipped_rows, 0);
    assert_eq!(summary.events, 3);
    let note = summary.properties.iter().find(|property| property.column == "note").expect("note column");
    let longest = note.values.iter().map(|value| value.value.len()).max().unwrap_or(0);
    assert_eq!(longest, 100_000, "each doubled quote reads as one quote");
}

#[test]
fn runaway_quote_names_its_row() {
    let mut text = String::from("user_id,timestamp,event\nu0,2024-01-01T00:00:00Z,\"oops\n");
    for row in 0..60_000 {
        let _ = writeln!(text, "u{},{},view", row % 500, time_at(row));
    }
    assert!(text.len() > MAX_FIELD_BYTES);
    let (_, summary) = load(text, false);
    let message = summary.expect_err("the quote swallowed every row").to_string();
    assert!(message.contains("row 2, column \"event\""), "{message}");
    assert!(message.contains("closing quote is probably missing"), "{message}");
}

#[test]
fn quotes_inside_unquoted_fields_are_kept() {
    let mut text = String::from("user_id,timestamp,event\n");
    for row in 0..2_000 {
        let _ = writeln!(text, "u{},{},say \"hi\" {}", row % 50, time_at(row), row % 10);
    }
    let (_, summary) = load(text, false);
    let summary = summary.expect("load");
    assert_eq!(summary.skipped_rows, 0);
    assert_eq!(summary.events, 2_000);
    assert_eq!(summary.event_names.len(), 10);
    assert!(summary.event_names.iter().all(|name| name.name.starts_with("say \"hi\" ")));
}

#[test]
fn header_of_100k_columns_is_rejected() {
    let mut text = String::from("user_id,timestamp,event");
    for column in 0..100_000 {
        let _ = write!(text, ",c{column}");
    }
    text.push_str("\nu1,2024-01-01T00:00:00Z,visit\n");
    let (_, inspection) = inspect(text);
    let message = inspection.expect_err("too many columns").to_string();
    assert!(message.contains("the first row has 100003 fields"), "{message}");
    assert!(message.contains(&format!("more than the {MAX_COLUMNS} columns")), "{message}");
    assert!(message.contains("Check the delimiter, or split the file"), "{message}");
}

#[test]
fn row_of_a_million_empty_fields_loads() {
    let text = format!("user_id,timestamp,event\nu1,2024-01-01T00:00:00Z,a\nu1,2024-01-01T00:01:00Z,b{}\nu2,2024-01-01T00:02:00Z,c\n", ",".repeat(1_000_000));
    let (_, summary) = load(text, false);
    let summary = summary.expect("load");
    assert_eq!(summary.events, 3);
    assert!(!has_warning(&summary.warnings, "long_rows"), "empty trailing fields hold nothing to report");
}

#[test]
fn row_of_a_million_filled_fields_is_reported() {
    let text = format!("user_id,timestamp,event\nu1,2024-01-01T00:00:00Z,a\nu1,2024-01-01T00:01:00Z,b{}\nu2,2024-01-01T00:02:00Z,c\n", ",x".repeat(1_000_000));
    let (_, summary) = load(text, false);
    let summary = summary.expect("load");
    let warning = summary.warnings.iter().find(|warning| warning.kind == "long_rows").expect("long_rows warning");
    assert_eq!(warning.count, 1);
    assert!(warning.examples.iter().any(|example| example.contains("row 3: 1000003 fields")), "{:?}", warning.examples);
}

#[test]
fn endless_line_is_rejected_early() {
    let mut text = String::from("user_id,timestamp,event");
    text.push_str(&",x".repeat(2_500_000));
    let (_, inspection) = inspect(text);
    let message = inspection.expect_err("one line of 5 MB").to_string();
    assert!(message.contains("the first row has 2500003 fields"), "{message}");
}

#[test]
fn huge_header_cell_names_its_column() {
    let text = format!("user_id,timestamp,{}\nu1,2024-01-01T00:00:00Z,visit\n", "n".repeat(2 * MAX_FIELD_BYTES));
    let (_, inspection) = inspect(text);
    let message = inspection.expect_err("a header name of 2 MiB").to_string();
    assert!(message.contains("row 1, column 3"), "{message}");
    assert!(message.contains(&format!("{} bytes long", 2 * MAX_FIELD_BYTES)), "{message}");
}

#[test]
fn channel_per_person_sums_into_other() {
    let people = 5_000;
    let mut text = String::from("user_id,timestamp,event,channel\n");
    for person in 0..people {
        let _ = writeln!(text, "p{person},{},visit,channel_{person}", time_at(person));
        if person % 3 == 0 {
            let _ = writeln!(text, "p{person},{},purchase,channel_{person}", time_at(person + 3_600));
        }
    }
    let (workspace, summary) = load(text, false);
    summary.expect("load");
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() };
    let report = workspace.analyze(&options).expect("analyze");
    let attribution = report.attribution.as_ref().expect("attribution runs with channels and a conversion");

    assert_eq!(attribution.channels.len(), MAX_LISTED_CHANNELS);
    assert_eq!(attribution.merged_channels, (people - MAX_LISTED_CHANNELS + 1) as u64);
    assert!(has_warning(&report.warnings, "attribution_channels_merged"));
    let other = attribution.channels.last().expect("rows");
    assert_eq!(other.channel, "Other");
    // Each person touches one channel, so the merged channels' journeys are their people.
    assert_eq!(other.journeys, attribution.merged_channels);
    let linear: f64 = attribution.channels.iter().map(|row| row.linear).sum();
    let shapley: f64 = attribution.channels.iter().map(|row| row.shapley).sum();
    assert!((linear - attribution.credited).abs() < 1e-6, "linear credits sum to {linear}, not {}", attribution.credited);
    assert!((shapley - attribution.credited).abs() < 1e-6, "Shapley credits sum to {shapley}, not {}", attribution.credited);

    let speed = report.timing_extras.channel_speed.as_ref().expect("channel speed runs with channels and a conversion");
    assert_eq!(speed.channels.len(), CHANNEL_SPEED_MAX_LISTED);
    assert_eq!(speed.merged_channels, (people - CHANNEL_SPEED_MAX_LISTED + 1) as u64);
    assert!(has_warning(&report.warnings, "channel_speed_channels_merged"));
    let grouped = speed.channels.iter().find(|row| row.channel == "Other").expect("an Other row");
    assert_eq!(grouped.people, speed.merged_channels, "each person of a merged channel counts once");
    let listed_people: u64 = speed.channels.iter().map(|row| row.people).sum();
    assert_eq!(listed_people, speed.people, "first-touch groups do not overlap");

    let stages = report.stages.as_ref().expect("stages are suggested from visit and purchase");
    let rows = stages.channels.as_ref().expect("channel-by-stage table");
    assert_eq!(rows.len(), STAGE_MAX_LISTED);
    assert_eq!(stages.merged_channels, (people - STAGE_MAX_LISTED + 1) as u64);
    assert!(has_warning(&report.warnings, "stage_channels_merged"));
    let other = rows.last().expect("rows");
    assert_eq!(other.channel, "Other");
    let staged_events: u64 = rows.iter().flat_map(|row| row.events.iter()).sum();
    assert_eq!(staged_events, stages.staged_events, "every staged event counts in one row");
    // Each person has one channel, so the people of a stage add up across the rows.
    for (stage, time_in_stage) in stages.time_in_stage.iter().enumerate() {
        let people: u64 = rows.iter().map(|row| row.people[stage]).sum();
        assert_eq!(people, time_in_stage.people, "people in stage {}", time_in_stage.stage);
    }
}
