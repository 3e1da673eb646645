//! The people behind each chart mark and table row. Every Sankey band, top path, process-map edge
//! and start or end activity, drivers row and channel row of a report is selected in turn. Its
//! people list must count exactly the number the report shows, each person once. The checks run
//! on the permit log, the drivers fixture and a generated multi-channel log.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use pathlight::analysis::drivers::FeatureKind;
use pathlight::analysis::people::{ActivityPosition, ChannelTouch, ConversionGroup, PeopleList, PeopleQuery, Selection};
use pathlight::analysis::sankey::SankeyOptions;
use pathlight::report::Report;
use pathlight::synth::{write_csv, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

const PERMIT_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/permit-receipt.csv");
const DRIVERS_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drivers-fixture.csv");
const PATH_TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attribution-worked-example.csv");
const STAGES_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stages-fixture.csv");
const STAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stages-fixture-stages.json");

fn workspace_of(name: &str, bytes: Vec<u8>) -> Workspace {
    let mut workspace = Workspace::new();
    let index = workspace.add_file(name, bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace
}

fn generated() -> Workspace {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 600, seed: 7, days: 60, ..SynthOptions::default() }, &mut csv).unwrap();
    workspace_of("generated.csv", csv)
}

fn options(conversion: Option<&str>) -> AnalysisOptions {
    let mut options = AnalysisOptions { conversion: conversion.map(str::to_string), ..AnalysisOptions::default() };
    // Prediction plays no part here and is the slowest analysis in a debug build.
    options.prediction.enabled = false;
    options
}

fn select(workspace: &Workspace, options: &AnalysisOptions, selection: Selection) -> PeopleList {
    let query = PeopleQuery { selection: Some(selection.clone()), limit: None, ..PeopleQuery::default() };
    workspace.list_people(options, &query).unwrap_or_else(|error| panic!("{selection:?}: {error}"))
}

/// Checks that the list counts `expected` distinct people, lists them all and gives journeys.
fn assert_count(list: &PeopleList, expected: u64, element: &str) {
    assert_eq!(list.total, expected, "{element}: {}", list.description);
    assert_eq!(list.people.len() as u64, expected, "{element}: every person is listed without a limit");
    let distinct: HashSet<&str> = list.people.iter().map(|row| row.person.as_str()).collect();
    assert_eq!(distinct.len() as u64, expected, "{element}: each person once");
    assert!(list.people.iter().all(|row| !row.journey.is_empty()), "{element}: every person has a journey");
    assert!(list.description.starts_with(&expected.to_string()) || (expected == 1 && list.description.starts_with("1 person")), "{element}: {}", list.description);
}

fn check_sankey(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    for link in &report.sankey.links {
        let list = select(workspace, options, Selection::SankeyLink { source: link.source, target: link.target });
        assert_count(&list, link.people, &format!("sankey link {} → {}", link.source, link.target));
    }
    report.sankey.links.len()
}

fn check_paths(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    let groups = [(ConversionGroup::Converters, &report.paths.converters), (ConversionGroup::NonConverters, &report.paths.non_converters)];
    let mut checked = 0;
    for (group, paths) in groups {
        for path in &paths.top {
            let list = select(workspace, options, Selection::Path { group, steps: path.steps.clone() });
            assert_count(&list, path.people, &format!("{group:?} path {:?}", path.steps));
            assert!(list.people.iter().all(|row| row.converted == (group == ConversionGroup::Converters)));
            checked += 1;
        }
    }
    checked
}

fn check_process_map(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    let map = &report.process_map;
    for edge in &map.edges {
        let list = select(workspace, options, Selection::ProcessEdge { source: edge.source.clone(), target: edge.target.clone() });
        assert_count(&list, edge.people, &format!("edge {} → {}", edge.source, edge.target));
        assert!(edge.people <= edge.frequency, "a person has an edge at least once");
    }
    for (position, endpoints) in [(ActivityPosition::Start, &map.start_activities), (ActivityPosition::End, &map.end_activities)] {
        for endpoint in endpoints {
            let list = select(workspace, options, Selection::ProcessActivity { name: endpoint.name.clone(), position });
            assert_count(&list, endpoint.people, &format!("{position:?} activity {}", endpoint.name));
        }
    }
    map.edges.len()
}

fn check_drivers(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    let drivers = report.drivers.as_ref().expect("drivers with a conversion event");
    for driver in &drivers.tests {
        for (group, expected) in [(ConversionGroup::Converters, driver.converters), (ConversionGroup::NonConverters, driver.non_converters)] {
            let selection = Selection::Driver { feature: driver.kind, column: driver.column.clone(), value: driver.value.clone(), group };
            let list = select(workspace, options, selection);
            assert_count(&list, expected, &format!("driver {:?} {:?} {} {group:?}", driver.kind, driver.column, driver.value));
        }
    }
    drivers.tests.len()
}

fn check_channels(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    let attribution = report.attribution.as_ref().expect("attribution with channels");
    for row in &attribution.channels {
        let count = |touch| select(workspace, options, Selection::Channel { channel: row.channel.clone(), touch });
        assert_count(&count(ChannelTouch::Touched), row.journeys, &format!("channel {} touched", row.channel));
        assert_count(&count(ChannelTouch::Converted), row.converting_journeys, &format!("channel {} converted", row.channel));
        // With conversion weight every converter is worth 1, so the credits are counts of people.
        assert_count(&count(ChannelTouch::FirstTouch), row.first_touch.round() as u64, &format!("channel {} first touch", row.channel));
        assert_count(&count(ChannelTouch::LastTouch), row.last_touch.round() as u64, &format!("channel {} last touch", row.channel));
    }
    attribution.channels.len()
}

fn check_stage_transitions(workspace: &Workspace, options: &AnalysisOptions, report: &Report) -> usize {
    let stages = report.stages.as_ref().expect("stages");
    let names: Vec<&str> = stages.stages.iter().map(|stage| stage.name.as_str()).collect();
    let mut checked = 0;
    for (from, row) in stages.transitions.people.iter().enumerate() {
        for (to, &people) in row.iter().enumerate() {
            assert!(people <= stages.transitions.counts[from][to], "people make at least one move each");
            if people == 0 {
                continue;
            }
            let list = select(workspace, options, Selection::StageTransition { from: names[from].to_string(), to: names[to].to_string() });
            assert_count(&list, people, &format!("stage move {} → {}", names[from], names[to]));
            checked += 1;
        }
    }
    checked
}

#[test]
fn stage_transitions_match_report() {
    let workspace = workspace_of("stages-fixture.csv", std::fs::read(STAGES_LOG).unwrap());
    let mut options = options(Some("purchase"));
    options.stages = serde_json::from_str(&std::fs::read_to_string(STAGES).unwrap()).unwrap();
    let report = workspace.analyze(&options).unwrap();
    assert!(check_stage_transitions(&workspace, &options, &report) >= 3);
    let transitions = &report.stages.as_ref().unwrap().transitions;
    let repeated = transitions.counts.iter().flatten().zip(transitions.people.iter().flatten()).any(|(moves, people)| moves > people);
    assert!(repeated, "some person repeats a move, so moves and people differ");

    let query = PeopleQuery { selection: Some(Selection::StageTransition { from: "nowhere".to_string(), to: "discovery".to_string() }), ..PeopleQuery::default() };
    let message = workspace.list_people(&options, &query).unwrap_err().to_string();
    assert!(message.contains("stage_transition from \"nowhere\" to \"discovery\""), "{message}");
}

#[test]
fn permit_log_selections_match_report() {
    let workspace = workspace_of("permit-receipt.csv", std::fs::read(PERMIT_LOG).unwrap());
    let mut options = options(None);
    options.sankey = SankeyOptions { steps: 4, top_k: 4 };
    let report = workspace.analyze(&options).unwrap();
    assert!(report.sankey.nodes.iter().any(|node| node.other), "a step merges events into Other");
    assert!(check_sankey(&workspace, &options, &report) > 5);
    assert!(check_paths(&workspace, &options, &report) >= 5);
    assert!(check_process_map(&workspace, &options, &report) > 5);
}

#[test]
fn drivers_fixture_selections_match_report() {
    let workspace = workspace_of("drivers-fixture.csv", std::fs::read(DRIVERS_LOG).unwrap());
    let options = options(Some("purchase"));
    let report = workspace.analyze(&options).unwrap();
    assert!(check_drivers(&workspace, &options, &report) >= 3);
    assert!(check_channels(&workspace, &options, &report) >= 2);
    assert!(check_paths(&workspace, &options, &report) >= 5);
}

#[test]
fn path_table_selections_match_report() {
    // A channel path table has synthetic times, so the Sankey links carry no time.
    let mut workspace = Workspace::new();
    let index = workspace.add_file("attribution-worked-example.csv", std::fs::read(PATH_TABLE).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let options = options(summary.suggested_conversion.as_deref());
    let report = workspace.analyze(&options).unwrap();
    assert!(report.summary.synthetic_times);
    assert!(check_sankey(&workspace, &options, &report) >= 2);
    assert!(check_paths(&workspace, &options, &report) >= 2);
    assert!(check_channels(&workspace, &options, &report) == 2);
}

#[test]
fn generated_log_selections_match_report() {
    let workspace = generated();
    let mut options = options(Some("purchase"));
    options.paths.label_column = Some("page".to_string());
    options.paths.clean_urls = true;
    let report = workspace.analyze(&options).unwrap();
    assert!(check_sankey(&workspace, &options, &report) > 5);
    assert!(check_paths(&workspace, &options, &report) >= 5);
    assert!(check_process_map(&workspace, &options, &report) > 5);
    assert!(check_drivers(&workspace, &options, &report) >= 1);
    assert!(check_channels(&workspace, &options, &report) >= 2);
}

#[test]
fn selection_matching_nothing_is_an_error() {
    let workspace = workspace_of("drivers-fixture.csv", std::fs::read(DRIVERS_LOG).unwrap());
    let options = options(Some("purchase"));
    let error = |selection: Selection| {
        let query = PeopleQuery { selection: Some(selection), ..PeopleQuery::default() };
        workspace.list_people(&options, &query).unwrap_err().to_string()
    };
    let cases = [
        (Selection::SankeyLink { source: 0, target: 0 }, "sankey_link from node 0 to node 0"),
        (Selection::Path { group: ConversionGroup::Converters, steps: vec!["nowhere".to_string()] }, "path \"nowhere\""),
        (Selection::ProcessEdge { source: "visit".to_string(), target: "nowhere".to_string() }, "process_edge from \"visit\" to \"nowhere\""),
        (Selection::ProcessActivity { name: "nowhere".to_string(), position: ActivityPosition::Any }, "process_activity \"nowhere\""),
        (Selection::Driver { feature: FeatureKind::Event, column: None, value: "nowhere".to_string(), group: ConversionGroup::Converters }, "driver \"nowhere\""),
        (Selection::Channel { channel: "nowhere".to_string(), touch: ChannelTouch::Touched }, "channel \"nowhere\""),
    ];
    for (selection, expected) in cases {
        let message = error(selection);
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("Use "), "the message says what to do: {message}");
    }
}

#[test]
fn selection_reads_from_json() {
    let query: PeopleQuery = serde_json::from_str(r#"{"selection": {"kind": "channel", "channel": "search"}, "limit": 5}"#).unwrap();
    assert_eq!(query.selection, Some(Selection::Channel { channel: "search".to_string(), touch: ChannelTouch::Touched }));
    assert_eq!(query.limit, Some(5));
    let old: PeopleQuery = serde_json::from_str(r#"{"step": 2, "group": "dropped"}"#).unwrap();
    assert_eq!((old.step, old.selection), (2, None));
    let unknown = serde_json::from_str::<PeopleQuery>(r#"{"selection": {"kind": "channel", "channel": "x", "colour": 1}}"#);
    assert!(unknown.is_err(), "unknown fields are rejected");
}
