//! The stage analyses of a hand-made eight-person fixture, checked against figures worked out by
//! hand below and against pandas, scipy and statsmodels (tools/stages_golden.py, which wrote
//! tools/golden/stages_fixture.json).
//!
//! The fixture's stages (tests/fixtures/stages-fixture-stages.json) are D discovery (visit, blog
//! pages by glob), E evaluation (the /pricing page exactly, demo), P purchase and A after purchase
//! (referral, onboarding pages by regular expression). Each person's visits, with the hours at
//! which each begins, and with closed visit lengths in brackets:
//!
//! - p1: D0 (3h), E3 (17h), P20 (10h), A30 open; the newsletter at hour 4 has no stage.
//! - p2: D0 (2h), E2 (3h), D5 (3h), E8 open; the page "/" at hour 6 has no stage.
//! - p3: P0 (48h), A48 open.
//! - p4: D0 open: three visits in a row are one visit.
//! - p5: no staged event.
//! - p6: E0 (5h), P5 (1h), A6 open: both onboarding pages fall into one visit.
//! - p7: D0 (24h), E24 (1h), D25 (25h), P50 open.
//! - p8: E0 (2h), D2 open.
//!
//! So the moves are D→E 4 (p1, p2 twice, p7), D→P 1 (p7), E→D 3 (p2, p7, p8), E→P 2 (p1, p6) and
//! P→A 3 (p1, p3, p6). Converters (purchase) are p1, p3, p6 and p7.

use pathlight::analysis::stages::{StageDefinition, StagesReport};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stages-fixture.csv");
const STAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stages-fixture-stages.json");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/stages_fixture.json");
const HOUR_MS: f64 = 3_600_000.0;

fn workspace() -> Workspace {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("stages-fixture.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace
}

fn fixture_stages() -> Vec<StageDefinition> {
    serde_json::from_str(&std::fs::read_to_string(STAGES).unwrap()).unwrap()
}

fn stages_report(stages: Vec<StageDefinition>) -> StagesReport {
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), stages, ..AnalysisOptions::default() };
    workspace().analyze(&options).unwrap().stages.unwrap()
}

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0; `null` matches `None`.
fn assert_close(actual: Option<f64>, expected: &Value, label: &str) {
    match (actual, expected.as_f64()) {
        (None, None) => {}
        (Some(actual), Some(expected)) => {
            let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
            assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
        }
        (actual, _) => panic!("{label}: {actual:?} against {expected}"),
    }
}

fn counts(value: &Value) -> Vec<u64> {
    value.as_array().unwrap().iter().map(|count| count.as_u64().unwrap()).collect()
}

#[test]
fn hand_worked_transitions() {
    let report = stages_report(fixture_stages());
    let counts = &report.transitions.counts;
    assert_eq!(counts[0], [0, 4, 1, 0], "moves from discovery");
    assert_eq!(counts[1], [3, 0, 2, 0], "moves from evaluation");
    assert_eq!(counts[2], [0, 0, 0, 3], "moves from purchase");
    assert_eq!(counts[3], [0, 0, 0, 0], "moves from after purchase");
    assert_eq!(report.transitions.moves, 13);
    // First visits: D for p1, p2, p4, p7; E for p6, p8; P for p3.
    assert_eq!(report.transitions.entries, [4, 2, 1, 0]);
    // Last visits: D for p4, p8; E for p2; P for p7; A for p1, p3, p6.
    assert_eq!(report.transitions.exits, [2, 1, 1, 3]);
    assert_eq!(report.people, 7, "p5 has no staged event");
    assert_eq!(report.unstaged_events, 3, "two newsletters and the page \"/\"");
}

#[test]
fn hand_worked_visits() {
    let report = stages_report(fixture_stages());
    let discovery = &report.time_in_stage[0];
    // Visits of p1, p2 (2), p4, p7 (2), p8; p4 and p8 end their journeys in discovery.
    assert_eq!((discovery.visits, discovery.people), (7, 5));
    assert_eq!((discovery.closed_visits, discovery.open_visits), (5, 2));
    // Closed lengths 2, 3, 3, 24 and 25 hours.
    assert_eq!(discovery.duration.median_ms, Some(3.0 * HOUR_MS));
    assert_eq!(discovery.duration.mean_ms, Some(11.4 * HOUR_MS));
    let after = &report.time_in_stage[3];
    assert_eq!((after.visits, after.closed_visits, after.open_visits), (3, 0, 3));
    assert_eq!(after.duration.median_ms, None, "open visits have no length");
}

#[test]
fn hand_worked_skips_and_timing() {
    let report = stages_report(fixture_stages());
    let skip = |skipped: &str, reached: &str| {
        report.skips.iter().find(|row| row.skipped == skipped && row.reached == reached).unwrap().clone()
    };
    // Evaluation is reached by p1, p2, p6, p7 and p8: p6 has no discovery, and p8's comes later.
    let discovery_evaluation = skip("discovery", "evaluation");
    assert_eq!((discovery_evaluation.people, discovery_evaluation.reached_people), (2, 5));
    // Purchase is reached by p1, p3, p6 and p7: only p3 has no evaluation before it.
    assert_eq!(skip("evaluation", "purchase").people, 1);
    assert_eq!(skip("purchase", "after purchase").people, 0);

    let timing = report.stage_timing.iter().find(|row| row.from == "discovery" && row.to == "evaluation").unwrap();
    // p1 after 3 hours, p2 after 2 and p7 after 24; p8 reached evaluation first.
    assert_eq!((timing.people, timing.reversed), (3, 1));
    assert_eq!(timing.duration.median_ms, Some(3.0 * HOUR_MS));
}

#[test]
fn hand_worked_furthest_and_touchpoints() {
    let report = stages_report(fixture_stages());
    let furthest: Vec<(Option<&str>, u64, Option<u64>)> =
        report.furthest.iter().map(|row| (row.stage.as_deref(), row.people, row.converters)).collect();
    assert_eq!(
        furthest,
        [(Some("discovery"), 1, Some(0)), (Some("evaluation"), 2, Some(0)), (Some("purchase"), 1, Some(1)), (Some("after purchase"), 3, Some(3)), (None, 1, Some(0))]
    );
    let touchpoints = report.touchpoints.unwrap();
    assert_eq!((touchpoints.converters, touchpoints.non_converters), (4, 4));
    // Before purchase: discovery for p1 and p7, evaluation for p1, p6 and p7; p3 buys first.
    assert_eq!((touchpoints.stages[0].converters, touchpoints.stages[0].non_converters), (2, 3));
    assert_eq!((touchpoints.stages[1].converters, touchpoints.stages[1].non_converters), (3, 2));
    assert_eq!(touchpoints.stages[1].difference, 0.25);
}

#[test]
fn stages_match_pandas_golden() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let report = stages_report(fixture_stages());

    assert_eq!(report.people, golden["people"].as_u64().unwrap(), "people");
    assert_eq!(report.staged_events, golden["staged_events"].as_u64().unwrap(), "staged events");
    assert_eq!(report.unstaged_events, golden["unstaged_events"].as_u64().unwrap(), "unstaged events");
    let transitions = &golden["transitions"];
    for (from, row) in report.transitions.counts.iter().enumerate() {
        assert_eq!(row, &counts(&transitions["counts"][from]), "transitions from stage {from}");
    }
    assert_eq!(report.transitions.entries, counts(&transitions["entries"]), "entries");
    assert_eq!(report.transitions.exits, counts(&transitions["exits"]), "exits");

    compare_time_in_stage(&report, &golden["time_in_stage"]);
    compare_timing(&report, &golden["stage_timing"]);
    compare_furthest(&report, &golden["furthest"]);
    compare_skips(&report, &golden["skips"]);
    compare_touchpoints(&report, &golden["touchpoints"]);
    compare_channels(&report, &golden["channels"]);
}

fn compare_durations(duration: &pathlight::analysis::stages::DurationSummary, expected: &Value, label: &str) {
    assert_close(duration.median_ms, &expected["median_ms"], &format!("{label}: median"));
    assert_close(duration.p25_ms, &expected["p25_ms"], &format!("{label}: 25th percentile"));
    assert_close(duration.p75_ms, &expected["p75_ms"], &format!("{label}: 75th percentile"));
    assert_close(duration.mean_ms, &expected["mean_ms"], &format!("{label}: mean"));
}

fn compare_time_in_stage(report: &StagesReport, expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(report.time_in_stage.len(), expected.len(), "time-in-stage rows");
    for (row, expected) in report.time_in_stage.iter().zip(expected) {
        let label = format!("time in {}", row.stage);
        assert_eq!(row.stage, expected["stage"].as_str().unwrap(), "{label}: stage");
        assert_eq!(row.visits, expected["visits"].as_u64().unwrap(), "{label}: visits");
        assert_eq!(row.people, expected["people"].as_u64().unwrap(), "{label}: people");
        assert_eq!(row.closed_visits, expected["closed_visits"].as_u64().unwrap(), "{label}: closed visits");
        assert_eq!(row.open_visits, expected["open_visits"].as_u64().unwrap(), "{label}: open visits");
        compare_durations(&row.duration, &expected["duration"], &label);
    }
}

fn compare_timing(report: &StagesReport, expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(report.stage_timing.len(), expected.len(), "stage-timing rows");
    for (row, expected) in report.stage_timing.iter().zip(expected) {
        let label = format!("{} to {}", row.from, row.to);
        assert_eq!(row.from, expected["from"].as_str().unwrap(), "{label}: from");
        assert_eq!(row.to, expected["to"].as_str().unwrap(), "{label}: to");
        assert_eq!(row.people, expected["people"].as_u64().unwrap(), "{label}: people");
        assert_eq!(row.reversed, expected["reversed"].as_u64().unwrap(), "{label}: reversed");
        compare_durations(&row.duration, &expected["duration"], &label);
    }
}

fn compare_furthest(report: &StagesReport, expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(report.furthest.len(), expected.len(), "furthest-stage rows");
    for (row, expected) in report.furthest.iter().zip(expected) {
        let label = format!("furthest {:?}", row.stage);
        assert_eq!(row.stage.as_deref(), expected["stage"].as_str(), "{label}: stage");
        assert_eq!(row.people, expected["people"].as_u64().unwrap(), "{label}: people");
        assert_eq!(row.converters, expected["converters"].as_u64(), "{label}: converters");
        assert_eq!(row.non_converters, expected["non_converters"].as_u64(), "{label}: non-converters");
        assert_close(Some(row.share), &expected["share"], &format!("{label}: share"));
        assert_close(row.converter_share, &expected["converter_share"], &format!("{label}: converter share"));
        assert_close(row.non_converter_share, &expected["non_converter_share"], &format!("{label}: non-converter share"));
    }
}

fn compare_skips(report: &StagesReport, expected: &Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(report.skips.len(), expected.len(), "skip rows");
    for (row, expected) in report.skips.iter().zip(expected) {
        let label = format!("{} skipped before {}", row.skipped, row.reached);
        assert_eq!(row.skipped, expected["skipped"].as_str().unwrap(), "{label}: skipped");
        assert_eq!(row.reached, expected["reached"].as_str().unwrap(), "{label}: reached");
        assert_eq!(row.reached_people, expected["reached_people"].as_u64().unwrap(), "{label}: reached people");
        assert_eq!(row.people, expected["people"].as_u64().unwrap(), "{label}: people");
        assert_close(row.share, &expected["share"], &format!("{label}: share"));
    }
}

fn compare_touchpoints(report: &StagesReport, expected: &Value) {
    let touchpoints = report.touchpoints.as_ref().expect("a conversion event gives touchpoints");
    assert_eq!(touchpoints.converters, expected["converters"].as_u64().unwrap(), "touchpoint converters");
    assert_eq!(touchpoints.non_converters, expected["non_converters"].as_u64().unwrap(), "touchpoint non-converters");
    let expected = expected["stages"].as_array().unwrap();
    assert_eq!(touchpoints.stages.len(), expected.len(), "touchpoint rows");
    for (row, expected) in touchpoints.stages.iter().zip(expected) {
        let label = format!("touchpoints in {}", row.stage);
        assert_eq!(row.stage, expected["stage"].as_str().unwrap(), "{label}: stage");
        assert_eq!(row.converters, expected["converters"].as_u64().unwrap(), "{label}: converters");
        assert_eq!(row.non_converters, expected["non_converters"].as_u64().unwrap(), "{label}: non-converters");
        assert_eq!(row.zero_corrected, expected["zero_corrected"].as_bool().unwrap(), "{label}: zero correction");
        assert_eq!(serde_json::to_value(row.test).unwrap(), expected["test"], "{label}: test");
        for (actual, key) in [
            (Some(row.converter_share), "converter_share"),
            (Some(row.non_converter_share), "non_converter_share"),
            (Some(row.difference), "difference"),
            (row.odds_ratio, "odds_ratio"),
            (row.lower_95, "lower_95"),
            (row.upper_95, "upper_95"),
            (row.p_value, "p_value"),
            (row.q_value, "q_value"),
        ] {
            assert_close(actual, &expected[key], &format!("{label}: {key}"));
        }
    }
}

fn compare_channels(report: &StagesReport, expected: &Value) {
    let channels = report.channels.as_ref().expect("the fixture has channels");
    let expected = expected.as_array().unwrap();
    assert_eq!(channels.len(), expected.len(), "channel rows");
    for (row, expected) in channels.iter().zip(expected) {
        let label = format!("channel {}", row.channel);
        assert_eq!(row.channel, expected["channel"].as_str().unwrap(), "{label}: name");
        assert_eq!(row.events, counts(&expected["events"]), "{label}: events");
        assert_eq!(row.people, counts(&expected["people"]), "{label}: people");
        assert_eq!(row.unstaged_events, expected["unstaged_events"].as_u64().unwrap(), "{label}: unstaged events");
        for (stage, share) in row.shares.iter().enumerate() {
            assert_close(Some(*share), &expected["shares"][stage], &format!("{label}: share of stage {stage}"));
        }
    }
}

#[test]
fn unknown_event_and_column_rejected() {
    let mut stages = fixture_stages();
    stages[1].rules[1].event = "webinar".to_string();
    let options = AnalysisOptions { stages, ..AnalysisOptions::default() };
    let error = workspace().analyze(&options).unwrap_err().to_string();
    assert!(error.contains("\"webinar\""), "{error}");
    assert!(error.contains("evaluation"), "the message names the stage: {error}");

    let mut stages = fixture_stages();
    stages[0].rules[1].column = Some("url".to_string());
    let options = AnalysisOptions { stages, ..AnalysisOptions::default() };
    let error = workspace().analyze(&options).unwrap_err().to_string();
    assert!(error.contains("\"url\""), "{error}");
    assert!(error.contains("discovery"), "the message names the stage: {error}");
}

#[test]
fn duplicate_and_empty_stages_rejected() {
    let mut stages = fixture_stages();
    stages[1].name = "discovery".to_string();
    let error = workspace().analyze(&AnalysisOptions { stages, ..AnalysisOptions::default() }).unwrap_err().to_string();
    assert!(error.contains("\"discovery\" is used twice"), "{error}");

    let mut stages = fixture_stages();
    stages[2].rules.clear();
    let error = workspace().analyze(&AnalysisOptions { stages, ..AnalysisOptions::default() }).unwrap_err().to_string();
    assert!(error.contains("\"purchase\" has no rules"), "{error}");
}

#[test]
fn first_stage_in_order_wins() {
    let mut stages = fixture_stages();
    // Demo now also falls under discovery, which comes first, so evaluation keeps only /pricing.
    stages[0].rules.push(serde_json::from_str(r#"{"event": "demo"}"#).unwrap());
    let report = stages_report(stages);
    let evaluation = &report.time_in_stage[1];
    // Evaluation visits: p1 (/pricing), p2 (/pricing) and p6 (/pricing).
    assert_eq!((evaluation.visits, evaluation.people), (3, 3));
}

#[test]
fn suggested_stages_of_the_fixture() {
    let report = workspace().analyze(&AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() }).unwrap();
    let stages = report.stages.unwrap();
    assert!(stages.suggested);
    let names: Vec<&str> = stages.stages.iter().map(|stage| stage.name.as_str()).collect();
    // Discovery gets visit (a weak keyword) and the blog pages, and engagement the newsletter.
    // Evaluation gets demo and /pricing, and after purchase gets referral and the onboarding pages.
    assert_eq!(names, ["discovery", "engagement", "evaluation", "purchase", "after purchase"]);
    let keywords: Vec<Option<&str>> = stages.stages[0].rules.iter().map(|rule| rule.keyword.as_deref()).collect();
    assert_eq!(keywords, [Some("blog"), Some("visit")]);
}

#[test]
fn crm_stage_history_suggests_its_stages() {
    let mut workspace = Workspace::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/crm_stage_history.csv");
    let index = workspace.add_file("crm_stage_history.csv", std::fs::read(path).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    let stages = report.stages.unwrap();
    let mapped: Vec<(&str, &str)> = stages.stages.iter().flat_map(|stage| stage.rules.iter().map(|rule| (stage.name.as_str(), rule.rule.event.as_str()))).collect();
    assert_eq!(mapped, [("engagement", "qualified"), ("evaluation", "proposal"), ("purchase", "won")]);
    // "lost" has no stage, so d-2 ends in engagement.
    assert_eq!(stages.transitions.exits, [1, 0, 1]);
}

#[test]
fn no_stages_without_two_matching_stages() {
    let mut workspace = Workspace::new();
    let csv = "user,ts,event\nu1,2024-01-01T00:00:00Z,alpha\nu1,2024-01-01T01:00:00Z,purchase\n";
    let index = workspace.add_file("plain.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert!(report.stages.is_none());
    let warning = report.warnings.iter().find(|warning| warning.kind == "no_stages").expect("a reason for the missing stages");
    assert!(warning.message.contains("only one"), "{}", warning.message);
}
