//! The real permit log against the figures of an independent computation
//! (tools/permit_funnel.py, which wrote tools/golden/permit_funnel.json).

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/permit-receipt.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/permit_funnel.json");

#[test]
fn permit_log_matches_the_independent_figures() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("permit-receipt.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.mapping.person.as_deref(), Some("case:concept:name"));
    assert_eq!(inspection.mapping.event.as_deref(), Some("concept:name"));
    assert_eq!(inspection.mapping.time.as_deref(), Some("time:timestamp"));

    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.skipped_rows, 0);
    assert_eq!(summary.people, 1_434);
    assert_eq!(summary.events, 8_577);

    let steps: Vec<FunnelStep> = golden["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| FunnelStep { event: step["event"].as_str().unwrap().to_string(), ..FunnelStep::default() })
        .collect();
    let options = AnalysisOptions { funnel: FunnelOptions { steps, ..FunnelOptions::default() }, ..AnalysisOptions::default() };
    let report = workspace.analyze(&options).unwrap();
    assert_eq!(report.summary.people, golden["cases"].as_u64().unwrap());
    assert_eq!(report.summary.distinct_journeys, golden["distinct_journeys"].as_u64().unwrap());
    assert_eq!(report.summary.distinct_journeys, 116);

    let funnel = report.funnel.unwrap();
    for (step, expected) in funnel.steps.iter().zip(golden["steps"].as_array().unwrap()) {
        assert_eq!(step.people, expected["people"].as_u64().unwrap(), "people at {}", step.event);
        assert_eq!(step.median_ms_from_previous, expected["median_ms_from_previous"].as_f64(), "median at {}", step.event);
    }
}

#[test]
fn permit_log_sankey_starts_with_every_case() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("permit-receipt.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    let first: Vec<_> = report.sankey.nodes.iter().filter(|node| node.step == 1).collect();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].label, "Confirmation of receipt");
    assert_eq!(first[0].people, 1_434);
}
