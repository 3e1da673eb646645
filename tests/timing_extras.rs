//! Silences, hours and weekdays, speed segments and channel speed of a 220-person fixture against
//! pandas and lifelines (tools/timing_golden.py, which wrote tools/golden/timing_fixture.json).

use pathlight::analysis::channel_speed::{ChannelGrouping, ChannelSpeedOptions, ChannelSpeedReport};
use pathlight::analysis::rhythm::RhythmOptions;
use pathlight::report::Report;
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/timing-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/timing_fixture.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

fn assert_close_option(actual: Option<f64>, expected: &Value, label: &str) {
    match actual {
        None => assert!(expected.is_null(), "{label}: none against {expected}"),
        Some(actual) => assert_close(actual, expected, label),
    }
}

fn golden() -> Value {
    serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap()
}

fn report(golden: &Value, options: AnalysisOptions) -> Report {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("timing-fixture.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.time_zone = golden["time_zone"].as_str().unwrap().to_string();
    workspace.load(&config).unwrap();
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), ..options };
    workspace.analyze(&options).unwrap()
}

fn u64_of(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("{value} is not a count"))
}

#[test]
fn silences_match_pandas() {
    let golden = golden();
    let report = report(&golden, AnalysisOptions::default());
    let silences = report.timing_extras.silences.unwrap();
    let expected = &golden["silences"];
    assert_eq!(silences.return_rule, golden["return_rule"].as_f64().unwrap(), "default rule");
    assert_eq!(silences.min_silences, u64_of(&golden["min_silences"]), "default minimum");
    assert_eq!(silences.people, u64_of(&expected["people"]));
    assert_eq!(silences.gaps, u64_of(&expected["gaps"]));
    assert_eq!(silences.histogram.iter().map(|bin| bin.gaps).sum::<u64>(), silences.gaps, "histogram total");
    assert_close_option(silences.median_gap_ms, &expected["median_gap_ms"], "median gap");
    assert_close_option(silences.p90_gap_ms, &expected["p90_gap_ms"], "90th percentile gap");

    let rows = expected["comeback"].as_array().unwrap();
    assert_eq!(silences.comeback.len(), rows.len(), "comeback rows");
    for (row, expected) in silences.comeback.iter().zip(rows) {
        let label = &row.label;
        assert_eq!(label, expected["label"].as_str().unwrap());
        assert_eq!(row.threshold_ms, expected["threshold_ms"].as_i64().unwrap(), "{label}: threshold");
        assert_eq!(row.silences, u64_of(&expected["silences"]), "{label}: silences");
        assert_eq!(row.returned, u64_of(&expected["returned"]), "{label}: returned");
        assert_eq!(row.not_returned, u64_of(&expected["not_returned"]), "{label}: not returned");
        assert_eq!(row.censored, u64_of(&expected["censored"]), "{label}: censored");
        assert_close(row.return_share, &expected["return_share"], &format!("{label}: return share"));
        assert_eq!(row.before_conversion, u64_of(&expected["before_conversion"]), "{label}: before conversion");
        assert_eq!(row.converted_after, u64_of(&expected["converted_after"]), "{label}: converted after");
        assert_close_option(row.converted_share, &expected["converted_share"], &format!("{label}: converted share"));
    }
    assert_eq!(silences.rarely_back_after_ms, expected["rarely_back_after_ms"].as_i64(), "rarely back after");
}

#[test]
fn hour_weekday_counts_match_pandas() {
    let golden = golden();
    for (key, all_events) in [("rhythm_purchases", false), ("rhythm_all_events", true)] {
        let options = AnalysisOptions { rhythm: RhythmOptions { all_events }, ..AnalysisOptions::default() };
        let rhythm = report(&golden, options).timing_extras.rhythm.unwrap();
        let expected = &golden[key];
        assert_eq!(rhythm.time_zone, golden["time_zone"].as_str().unwrap());
        assert_eq!(rhythm.events, u64_of(&expected["events"]), "{key}: events");
        assert_eq!(rhythm.date_only, 0, "{key}: date-only events");
        let counts: Vec<Vec<u64>> = serde_json::from_value(expected["counts"].clone()).unwrap();
        assert_eq!(rhythm.counts, counts, "{key}: weekday by hour counts");
        let by_hour: Vec<u64> = (0..24).map(|hour| counts.iter().map(|row| row[hour]).sum()).collect();
        assert_eq!(rhythm.by_hour, by_hour, "{key}: hour totals");
    }
}

#[test]
fn speed_segments_match_pandas() {
    let golden = golden();
    let speed = report(&golden, AnalysisOptions::default()).timing_extras.speed.unwrap();
    let expected = &golden["speed"];
    assert_eq!(speed.converters, u64_of(&expected["converters"]));
    assert_eq!(speed.excluded, u64_of(&expected["excluded"]));
    assert_close_option(speed.fast_max_ms, &expected["fast_max_ms"], "fast cut");
    assert_close_option(speed.medium_max_ms, &expected["medium_max_ms"], "medium cut");

    let segments = expected["segments"].as_array().unwrap();
    assert_eq!(speed.segments.len(), segments.len());
    for (segment, expected) in speed.segments.iter().zip(segments) {
        let name = &segment.name;
        assert_eq!(name, expected["name"].as_str().unwrap());
        assert_eq!(segment.people, u64_of(&expected["people"]), "{name}: people");
        assert_close_option(segment.median_ms, &expected["median_ms"], &format!("{name}: median"));
        assert_close_option(segment.mean_events, &expected["mean_events"], &format!("{name}: mean events"));
        assert_close_option(segment.mean_channels, &expected["mean_channels"], &format!("{name}: mean channels"));
        assert_eq!(segment.distinct_paths, u64_of(&expected["distinct_paths"]), "{name}: distinct paths");
        assert_eq!(segment.without_channel, u64_of(&expected["without_channel"]), "{name}: without channel");
        let paths: Vec<(Vec<String>, u64)> = segment.top_paths.iter().map(|path| (path.steps.clone(), path.people)).collect();
        let expected_paths: Vec<(Vec<String>, u64)> = expected["top_paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|path| (serde_json::from_value(path["steps"].clone()).unwrap(), u64_of(&path["people"])))
            .collect();
        assert_eq!(paths, expected_paths, "{name}: top paths");
        let touches: Vec<(String, u64)> = segment.first_touch.iter().map(|row| (row.channel.clone(), row.people)).collect();
        let expected_touches: Vec<(String, u64)> = expected["first_touch"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["channel"].as_str().unwrap().to_string(), u64_of(&row["people"])))
            .collect();
        assert_eq!(touches, expected_touches, "{name}: first-touch channels");
    }
}

#[test]
fn channel_speed_matches_lifelines() {
    let golden = golden();
    for (key, by) in [("channel_speed", ChannelGrouping::FirstTouch), ("channel_speed_any_touch", ChannelGrouping::AnyTouch)] {
        let options = AnalysisOptions { channel_speed: ChannelSpeedOptions { by }, ..AnalysisOptions::default() };
        let channel_speed = report(&golden, options).timing_extras.channel_speed.unwrap();
        assert_eq!(channel_speed.by, by);
        compare_channel_speed(&channel_speed, &golden[key]);
    }
}

fn compare_channel_speed(channel_speed: &ChannelSpeedReport, expected: &Value) {
    assert_eq!(channel_speed.people, u64_of(&expected["people"]));
    assert_eq!(channel_speed.without_channel, u64_of(&expected["without_channel"]));

    let rows = expected["channels"].as_array().unwrap();
    let names: Vec<&str> = channel_speed.channels.iter().map(|row| row.channel.as_str()).collect();
    let expected_names: Vec<&str> = rows.iter().map(|row| row["channel"].as_str().unwrap()).collect();
    assert_eq!(names, expected_names, "channel order");
    for (row, expected) in channel_speed.channels.iter().zip(rows) {
        let channel = &row.channel;
        assert_eq!(row.people, u64_of(&expected["people"]), "{channel}: people");
        assert_eq!(row.converters, u64_of(&expected["converters"]), "{channel}: converters");
        assert_eq!(row.median_ms, expected["median_ms"].as_i64(), "{channel}: Kaplan-Meier median");
        assert_close(row.final_cumulative, &expected["final_cumulative"], &format!("{channel}: final cumulative"));
        assert_close_option(row.converters_median_ms, &expected["converters_median_ms"], &format!("{channel}: converters' median"));
    }
}

#[test]
fn fixture_covers_the_edge_cases() {
    let golden = golden();
    let report = report(&golden, AnalysisOptions::default());
    let extras = report.timing_extras;
    // A purchase before any other event, a channel with no Kaplan-Meier median, censored open
    // gaps and a threshold after which people rarely come back.
    assert!(extras.speed.unwrap().excluded > 0);
    let channels = extras.channel_speed.unwrap().channels;
    assert!(channels.iter().any(|row| row.median_ms.is_none()));
    assert!(channels.iter().any(|row| row.median_ms.is_some()));
    let silences = extras.silences.unwrap();
    assert!(silences.comeback.iter().any(|row| row.censored > 1));
    assert!(silences.rarely_back_after_ms.is_some());
}
