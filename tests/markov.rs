//! Higher-order Markov attribution of a channel path table against an independent numpy solution
//! (tools/markov_golden.py, which wrote tools/golden/markov_paths.json).

use pathlight::analysis::attribution::{AttributionOptions, AttributionReport};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const PATHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/markov-paths.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/markov_paths.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

/// Loads the path table and returns the workspace with the conversion event it suggests.
fn load() -> (Workspace, Option<String>) {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("markov-paths.csv", std::fs::read(PATHS).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    (workspace, summary.suggested_conversion)
}

fn attribution((workspace, conversion): &(Workspace, Option<String>), order: usize, collapse_repeats: bool) -> AttributionReport {
    let attribution = AttributionOptions { markov_order: order, markov_collapse_repeats: collapse_repeats, ..AttributionOptions::default() };
    let options = AnalysisOptions { conversion: conversion.clone(), attribution, ..AnalysisOptions::default() };
    workspace.analyze(&options).unwrap().attribution.unwrap()
}

#[test]
fn markov_orders_match_numpy() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let workspace = load();
    let settings = golden["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 6);
    for expected in settings {
        let order = expected["order"].as_u64().unwrap() as usize;
        let collapse = expected["collapse_repeats"].as_bool().unwrap();
        let label = format!("order {order}, collapse {collapse}");
        let report = attribution(&workspace, order, collapse);
        assert_eq!(report.conversions, golden["conversions"].as_u64().unwrap(), "{label}: conversions");
        assert_eq!(report.markov_states, expected["states"].as_u64(), "{label}: states");
        assert_close(report.conversion_probability.unwrap(), &expected["conversion_probability"], &format!("{label}: probability"));
        let effects = expected["removal_effects"].as_object().unwrap();
        assert_eq!(report.channels.len(), effects.len(), "{label}: channels");
        for row in &report.channels {
            let name = &row.channel;
            assert_close(row.removal_effect.unwrap(), &effects[name], &format!("{label}: {name} removal effect"));
            assert_close(row.markov.unwrap(), &expected["credits"][name], &format!("{label}: {name} credit"));
        }
    }
}

#[test]
fn higher_orders_change_the_credit() {
    let workspace = load();
    let first = attribution(&workspace, 1, false);
    let third = attribution(&workspace, 3, false);
    let email = |report: &AttributionReport| report.channels.iter().find(|row| row.channel == "email").unwrap().markov.unwrap();
    assert!((email(&first) - email(&third)).abs() > 1e-6, "orders 1 and 3 give the same email credit");
}
