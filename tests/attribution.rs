//! Channel attribution on path tables with known right values.

use pathlight::analysis::attribution::{AttributionReport, ChannelCredit};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

/// Loads a channel path table with its proposed mapping and returns the report's attribution.
fn attribute(name: &str, text: &str) -> AttributionReport {
    let mut workspace = Workspace::new();
    let index = workspace.add_file(name, text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert!(summary.synthetic_times, "{name} was not read as a path table");
    let options = AnalysisOptions { conversion: Some("conversion".to_string()), ..AnalysisOptions::default() };
    workspace.analyze(&options).unwrap().attribution.unwrap()
}

fn channel<'r>(report: &'r AttributionReport, name: &str) -> &'r ChannelCredit {
    report.channels.iter().find(|row| row.channel == name).unwrap()
}

fn assert_close(actual: f64, expected: f64, label: &str) {
    assert!((actual - expected).abs() < 1e-9, "{label}: {actual}, expected {expected}");
}

#[test]
fn return_visits_change_markov_credit() {
    // search > email > search converts once and email alone fails once. Keeping the return to
    // search gives search the larger share; de-duplicating the path would reverse the split.
    let report = attribute("c20.csv", "path,conversions,nulls\nsearch>email>search,1,0\nemail,0,1\n");
    let search = channel(&report, "search");
    let email = channel(&report, "email");
    assert_close(report.conversion_probability.unwrap(), 0.5, "conversion probability");
    assert_close(search.removal_effect.unwrap(), 1.0, "search removal effect");
    assert_close(email.removal_effect.unwrap(), 0.5, "email removal effect");
    assert_close(search.markov.unwrap(), 2.0 / 3.0, "search Markov credit");
    assert_close(email.markov.unwrap(), 1.0 / 3.0, "email Markov credit");
}

#[test]
fn worked_example_figures() {
    let text = std::fs::read_to_string("tests/fixtures/attribution-worked-example.csv").unwrap();
    let report = attribute("attribution-worked-example.csv", &text);
    let a = channel(&report, "A");
    let b = channel(&report, "B");
    assert_eq!(report.conversions, 3);
    assert_close(a.removal_effect.unwrap(), 1.0, "A removal effect");
    assert_close(b.removal_effect.unwrap(), 0.5, "B removal effect");
    assert_close(a.markov.unwrap(), 2.0, "A Markov credit");
    assert_close(b.markov.unwrap(), 1.0, "B Markov credit");
    assert_close(a.first_touch, 3.0, "A first touch");
    assert_close(a.last_touch, 3.0, "A last touch");
    assert_close(b.first_touch + b.last_touch, 0.0, "B first and last touch");
}

#[test]
fn path_table_has_no_time_decay() {
    let report = attribute("paths.csv", "path,conversions\na > b,1\n");
    assert_eq!(report.half_life_ms, None);
    assert_eq!(channel(&report, "a").time_decay, None);
}
