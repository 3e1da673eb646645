//! The conversion curve of a 30-person fixture against lifelines (tools/km_golden.py, which wrote
//! tools/golden/km_fixture.json).

use pathlight::analysis::survival::{CensorAt, SurvivalOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/km-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/km_fixture.json");
const TOLERANCE: f64 = 1e-9;

fn assert_close(actual: Option<f64>, expected: &Value, what: &str) {
    match (actual, expected.as_f64()) {
        (None, None) => {}
        (Some(actual), Some(expected)) => assert!((actual - expected).abs() < TOLERANCE, "{what}: {actual} against {expected}"),
        (actual, _) => panic!("{what}: {actual:?} against {expected}"),
    }
}

fn check(censor_at: CensorAt, key: &str) {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let golden = &golden[key];
    let mut workspace = Workspace::new();
    let index = workspace.add_file("km-fixture.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let options = AnalysisOptions {
        conversion: Some("purchase".to_string()),
        conversion_curve: SurvivalOptions { censor_at, ..SurvivalOptions::default() },
        ..AnalysisOptions::default()
    };
    let curve = workspace.analyze(&options).unwrap().conversion_curve.unwrap();

    assert_eq!(curve.people, golden["people"].as_u64().unwrap());
    assert_eq!(curve.converters, golden["converters"].as_u64().unwrap());
    assert_eq!(curve.excluded, 1, "p30 converts at their first event");
    assert_eq!(curve.median_ms, golden["median_ms"].as_i64());
    let steps = golden["steps"].as_array().unwrap();
    assert_eq!(curve.steps.len(), steps.len());
    for (step, expected) in curve.steps.iter().zip(steps) {
        let at = step.time_ms;
        assert_eq!(at, expected["time_ms"].as_i64().unwrap());
        assert_eq!(step.at_risk, expected["at_risk"].as_u64().unwrap(), "at risk at {at}");
        assert_eq!(step.events, expected["events"].as_u64().unwrap(), "events at {at}");
        assert_eq!(step.censored, expected["censored"].as_u64().unwrap(), "censored at {at}");
        assert_close(Some(step.cumulative), &expected["cumulative"], &format!("cumulative at {at}"));
        assert_close(step.std_error, &expected["std_error"], &format!("standard error at {at}"));
        assert_close(step.lower_95, &expected["lower_95"], &format!("lower bound at {at}"));
        assert_close(step.upper_95, &expected["upper_95"], &format!("upper bound at {at}"));
    }
    for (landmark, expected) in curve.landmarks.iter().zip(golden["landmarks"].as_array().unwrap()) {
        assert_eq!(landmark.time_ms, expected["time_ms"].as_i64().unwrap());
        assert_eq!(landmark.at_risk, expected["at_risk"].as_u64().unwrap(), "at risk at {}", landmark.label);
        assert_close(Some(landmark.cumulative), &expected["cumulative"], &format!("cumulative at {}", landmark.label));
    }
}

#[test]
fn curve_censored_at_data_end_matches_lifelines() {
    check(CensorAt::DataEnd, "data_end");
}

#[test]
fn curve_censored_at_last_event_matches_lifelines() {
    check(CensorAt::LastEvent, "last_event");
}
