//! The drivers tests of a 400-person fixture against scipy and statsmodels
//! (tools/drivers_golden.py, which wrote tools/golden/drivers_fixture.json).

use pathlight::analysis::drivers::{DriversOptions, DriversReport, TestKind};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drivers-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/drivers_fixture.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

fn drivers(options: DriversOptions) -> DriversReport {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("drivers-fixture.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), drivers: options, ..AnalysisOptions::default() };
    workspace.analyze(&options).unwrap().drivers.unwrap()
}

#[test]
fn drivers_match_scipy_and_statsmodels() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let report = drivers(DriversOptions { min_people_per_group: 0, ..DriversOptions::default() });

    assert_eq!(report.converters, golden["converters"].as_u64().unwrap());
    assert_eq!(report.non_converters, golden["non_converters"].as_u64().unwrap());
    let expected_tests = golden["tests"].as_array().unwrap();
    assert_eq!(report.tests.len(), expected_tests.len(), "tested features");
    for expected in expected_tests {
        let value = expected["value"].as_str().unwrap();
        let kind = expected["kind"].as_str().unwrap();
        let row = report
            .tests
            .iter()
            .find(|row| row.value == value && serde_json::to_value(row.kind).unwrap() == kind)
            .unwrap_or_else(|| panic!("{kind} {value} was not tested"));
        assert_eq!(row.column.as_deref(), expected["column"].as_str(), "{value}: column");
        assert_eq!(row.converters, expected["converters"].as_u64().unwrap(), "{value}: converters");
        assert_eq!(row.non_converters, expected["non_converters"].as_u64().unwrap(), "{value}: non-converters");
        assert_eq!(row.zero_corrected, expected["zero_corrected"].as_bool().unwrap(), "{value}: zero correction");
        let test = if row.test == TestKind::Fisher { "fisher" } else { "chi_square" };
        assert_eq!(test, expected["test"].as_str().unwrap(), "{value}: test");
        assert_close(row.odds_ratio, &expected["odds_ratio"], &format!("{value}: odds ratio"));
        assert_close(row.lower_95, &expected["lower_95"], &format!("{value}: lower bound"));
        assert_close(row.upper_95, &expected["upper_95"], &format!("{value}: upper bound"));
        assert_close(row.p_value, &expected["p_value"], &format!("{value}: p-value"));
        assert_close(row.q_value, &expected["q_value"], &format!("{value}: q-value"));
    }
}

#[test]
fn fixture_covers_both_tests_and_zero_cells() {
    let report = drivers(DriversOptions { min_people_per_group: 0, ..DriversOptions::default() });
    assert!(report.tests.iter().any(|row| row.test == TestKind::Fisher && !row.zero_corrected), "no Fisher test without a zero cell");
    assert!(report.tests.iter().any(|row| row.zero_corrected), "no zero cell");
    assert!(report.tests.iter().any(|row| row.test == TestKind::ChiSquare), "no chi-square test");
    assert_eq!(report.untestable, 1, "everyone has a visit");
}

#[test]
fn default_group_minimum_drops_one_sided_features() {
    let report = drivers(DriversOptions::default());
    assert!(report.tests.iter().all(|row| row.value != "unsubscribe"), "unsubscribe has no converter");
    assert_eq!(report.below_support, 1);
    let positive: Vec<&str> = report.positive.iter().map(|row| row.value.as_str()).collect();
    assert_eq!(positive.first(), Some(&"demo"), "{positive:?}");
    assert!(report.negative.iter().any(|row| row.value == "support_ticket"));
    assert!(report.note.contains("not causes"));
}
