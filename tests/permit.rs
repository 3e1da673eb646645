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

#[test]
fn permit_log_process_map_matches_pm4py() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("permit-receipt.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let map = workspace.analyze(&AnalysisOptions::default()).unwrap().process_map;

    // Figures published in a pm4py tutorial notebook for this log and recomputed with pm4py 2.7.
    assert_eq!(map.distinct_activities, 27);
    assert_eq!(map.merged_activities, 0, "27 activities fit under the default cap of 30");
    assert_eq!(map.variants_total, 116);
    assert_eq!(map.variants[0].people, 713);
    assert_eq!(map.variants.len(), 20);

    let starts: Vec<(&str, u64)> = map.start_activities.iter().map(|start| (start.name.as_str(), start.people)).collect();
    assert_eq!(starts, [("Confirmation of receipt", 1_434)]);
    // The published list stops at the five most frequent end activities.
    let ends: Vec<(&str, u64)> = map.end_activities.iter().take(5).map(|end| (end.name.as_str(), end.people)).collect();
    assert_eq!(
        ends,
        [
            ("T10 Determine necessity to stop indication", 828),
            ("T05 Print and send confirmation of receipt", 400),
            ("Confirmation of receipt", 116),
            ("T15 Print document X request unlicensed", 39),
            ("T06 Determine necessity of stop advice", 16),
        ]
    );

    let follows = |source: &str, target: &str| {
        map.edges.iter().find(|edge| edge.source == source && edge.target == target).map_or(0, |edge| edge.frequency)
    };
    let receipt = "Confirmation of receipt";
    let t02 = "T02 Check confirmation of receipt";
    let t06 = "T06 Determine necessity of stop advice";
    assert_eq!(follows(receipt, t02), 1_079);
    assert_eq!(follows(receipt, t06), 239);
    assert_eq!(follows(t02, "T04 Determine confirmation of receipt"), 1_119);
    assert_eq!(follows(t02, t06), 178);
    assert_eq!(follows(t02, "T03 Adjust confirmation of receipt"), 43);
    assert_eq!(follows("T04 Determine confirmation of receipt", "T05 Print and send confirmation of receipt"), 1_177);
    assert_eq!(map.edges.iter().map(|edge| edge.frequency).sum::<u64>(), 8_577 - 1_434, "one edge per event after the first");
}
