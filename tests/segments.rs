//! The segments of a hand-made fixture, checked against members worked out by hand below and
//! against pandas (tools/segments_golden.py, which wrote tools/golden/segments_fixture.json and,
//! for the 900-person prediction fixture, tools/golden/segments_predict.json).
//!
//! tests/fixtures/segments-fixture.csv, with `purchase` the conversion and 2024-03-01T12:00Z the
//! end of the data:
//! - Converters c1 to c5 take 1 hour, 2, 10, 20 and 40 days to convert, so the tercile cut-offs
//!   are 4.67 and 16.67 days: c1 and c2 are fast movers, c4 and c5 slow movers. c6 converts at
//!   its first event and is not measured.
//! - `=1+2` views /pricing in two sessions, and `+44 20` does the event `pricing` and views
//!   /Pricing-Plans in one session and /pricing two days later, so both repeat a pricing visit
//!   without converting. n9 views /pricing and does `pricing` five minutes apart, which is one
//!   session. n3 views pricing once, and c1 twice but converts.
//! - c3 views /whitepaper, n4 does `download_guide` and n5 views /resources/ebook.
//! - Non-converters' events per active day: n7 6, `+44 20` 2.5, n4 2, n5 1.67, `=1+2` 1.5, n9
//!   1.33 and n3, n6, n8 1, so the quartiles are 1 and 2: n7, `+44 20` and n4 (at the cut-off)
//!   are highly engaged, n3, n6 and n8 little engaged.
//! - `=1+2` (first event 29 days before the end) and n5 (20 days) are open journeys past the
//!   16.67-day slow cut-off; n7 (15 days), `+44 20` (10 days) and n9 are not yet, and n4 and n6 are
//!   not open because their last event is more than 30 days before the end.

use pathlight::analysis::people::{PeopleList, PeopleQuery};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/segments-fixture.csv");
const PREDICT_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/predict-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/segments_fixture.json");
const PREDICT_GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/segments_predict.json");
const GOLDEN_SEGMENTS: [&str; 7] = ["repeat_visit", "did_event", "high_engagement", "low_engagement", "fast_movers", "slow_movers", "stalled"];

fn workspace(path: &str) -> Workspace {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("events.csv", std::fs::read(path).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace
}

fn options() -> AnalysisOptions {
    AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() }
}

fn predict_options() -> AnalysisOptions {
    let mut options = options();
    options.segments.repeat_pattern = "cart".to_string();
    options.segments.did_pattern = "review".to_string();
    options
}

fn list(workspace: &Workspace, options: &AnalysisOptions, segment: &str) -> PeopleList {
    let query = PeopleQuery { segment: Some(segment.to_string()), limit: None, ..PeopleQuery::default() };
    workspace.list_people(options, &query).unwrap()
}

fn sorted_names(list: &PeopleList) -> Vec<String> {
    let mut names: Vec<String> = list.people.iter().map(|row| row.person.clone()).collect();
    names.sort();
    names
}

fn golden(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn golden_members(golden: &Value, segment: &str) -> Vec<String> {
    golden["segments"][segment].as_array().unwrap().iter().map(|name| name.as_str().unwrap().to_string()).collect()
}

#[test]
fn fixture_members_by_hand() {
    let workspace = workspace(LOG);
    let options = options();
    let expected: [(&str, &[&str]); 7] = [
        ("repeat_visit", &["+44 20", "=1+2"]),
        ("did_event", &["c3", "n4", "n5"]),
        ("high_engagement", &["+44 20", "n4", "n7"]),
        ("low_engagement", &["n3", "n6", "n8"]),
        ("fast_movers", &["c1", "c2"]),
        ("slow_movers", &["c4", "c5"]),
        ("stalled", &["=1+2", "n5"]),
    ];
    for (segment, members) in expected {
        assert_eq!(sorted_names(&list(&workspace, &options, segment)), members, "segment {segment}");
    }
}

#[test]
fn fixture_members_match_pandas() {
    let workspace = workspace(LOG);
    let golden = golden(GOLDEN);
    for segment in GOLDEN_SEGMENTS {
        assert_eq!(sorted_names(&list(&workspace, &options(), segment)), golden_members(&golden, segment), "segment {segment}");
    }
}

#[test]
fn prediction_fixture_members_match_pandas() {
    let workspace = workspace(PREDICT_LOG);
    let options = predict_options();
    let golden = golden(PREDICT_GOLDEN);
    let report = serde_json::to_value(workspace.analyze(&options).unwrap()).unwrap();
    for segment in GOLDEN_SEGMENTS {
        let members = golden_members(&golden, segment);
        assert!(!members.is_empty(), "segment {segment} is empty in the golden file");
        assert_eq!(sorted_names(&list(&workspace, &options, segment)), members, "segment {segment}");
        let reported = report["segments"]["segments"].as_array().unwrap().iter().find(|row| row["id"] == segment).unwrap();
        assert_eq!(reported["people"].as_u64().unwrap(), members.len() as u64, "segment {segment} size");
    }
}

#[test]
fn report_counts_and_rates() {
    let workspace = workspace(LOG);
    let report = serde_json::to_value(workspace.analyze(&options()).unwrap()).unwrap();
    let segments = report["segments"]["segments"].as_array().unwrap();
    let by_id = |id: &str| segments.iter().find(|row| row["id"] == id).unwrap().clone();

    let did = by_id("did_event");
    assert_eq!(did["people"], 3);
    assert_eq!(did["converters"], 1);
    assert!((did["conversion_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(by_id("fast_movers")["conversion_rate"], 1.0);
    assert_eq!(by_id("repeat_visit")["conversion_rate"], 0.0);
    assert!(did["definition"].as_str().unwrap().contains("download|guide|ebook|whitepaper"));
    assert!(report["segments"]["segments"][0].get("members").is_none(), "the report must not list members");
}

#[test]
fn predicted_segments_unavailable_on_small_data() {
    let workspace = workspace(LOG);
    let report = serde_json::to_value(workspace.analyze(&options()).unwrap()).unwrap();
    for id in ["ready_to_buy", "at_risk"] {
        let row = report["segments"]["segments"].as_array().unwrap().iter().find(|row| row["id"] == id).unwrap().clone();
        assert_eq!(row["available"], false, "segment {id}");
        assert!(row["reason"].as_str().unwrap().contains("at least 20 next events"), "segment {id}: {}", row["reason"]);
        let query = PeopleQuery { segment: Some(id.to_string()), ..PeopleQuery::default() };
        let error = workspace.list_people(&options(), &query).unwrap_err().to_string();
        assert!(error.contains("is unavailable"), "{error}");
    }
}

#[test]
fn ready_to_buy_is_top_propensity_decile() {
    let workspace = workspace(PREDICT_LOG);
    let mut options = predict_options();
    options.prediction.people = 0;
    let report = serde_json::to_value(workspace.analyze(&options).unwrap()).unwrap();
    let gate = report["prediction"]["propensity"]["better_than_baseline"].as_bool().unwrap();
    assert!(gate, "the prediction fixture's propensity model should beat its baseline");

    let mut scores: Vec<(String, f64)> = report["prediction"]["open_journeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|open| (open["person"].as_str().unwrap().to_string(), open["score"].as_f64().unwrap()))
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let take = (scores.len() as f64 / 10.0).ceil() as usize;
    let cut = scores[take - 1].1;
    let mut expected: Vec<String> = scores.iter().filter(|(_, score)| *score >= cut).map(|(person, _)| person.clone()).collect();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(sorted_names(&list(&workspace, &options, "ready_to_buy")), expected);
}

#[test]
fn at_risk_uses_rarely_back_length() {
    let workspace = workspace(PREDICT_LOG);
    let mut options = predict_options();
    // With a margin of 0.9, people silent for a tenth of the "rarely come back" length are at risk.
    options.segments.at_risk_margin = 0.9;
    options.prediction.people = 0;
    let report = serde_json::to_value(workspace.analyze(&options).unwrap()).unwrap();
    let rarely_back = report["silences"]["rarely_back_after_ms"].as_f64().unwrap();
    let data_end = millis(report["summary"]["last_event"].as_str().unwrap());
    let mut expected: Vec<String> = report["prediction"]["open_journeys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|open| (data_end - millis(open["last_event"].as_str().unwrap())) as f64 >= 0.1 * rarely_back)
        .map(|open| open["person"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());

    let list = list(&workspace, &options, "at_risk");
    assert_eq!(sorted_names(&list), expected);
    assert!(list.people.iter().all(|person| !person.converted));
}

fn millis(time: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time).unwrap().timestamp_millis()
}

#[test]
fn suggested_next_matches_pandas() {
    let workspace = workspace(LOG);
    let golden = golden(GOLDEN);
    let mut checked = 0;
    for segment in GOLDEN_SEGMENTS {
        for person in list(&workspace, &options(), segment).people {
            let expected = golden["suggested_next"][&person.person].as_str().map(str::to_string);
            assert_eq!(person.suggested_next, expected, "person {}", person.person);
            checked += 1;
        }
    }
    assert!(checked >= 15);
}

#[test]
fn rejects_invalid_segment_options() {
    let workspace = workspace(LOG);
    let mut options = options();
    options.segments.repeat_pattern = "(".to_string();
    let error = workspace.analyze(&options).unwrap_err().to_string();
    assert!(error.contains("segments.repeat_pattern"), "{error}");

    let mut options = self::options();
    options.segments.repeat_min = 0;
    assert!(workspace.analyze(&options).unwrap_err().to_string().contains("segments.repeat_min"));

    let query = PeopleQuery { segment: Some("nope".to_string()), ..PeopleQuery::default() };
    let error = workspace.list_people(&self::options(), &query).unwrap_err().to_string();
    assert!(error.contains("no segment \"nope\""), "{error}");
    assert!(error.contains("repeat_visit"), "{error}");
}
