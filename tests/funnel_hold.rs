//! Ordered funnels with the product held constant, and what people did after each drop-off, of a
//! 300-person fixture against an independent Python count (tools/funnel_golden.py, which wrote
//! tools/golden/funnel_hold.json).

use pathlight::analysis::funnel::{FunnelOptions, FunnelReport, FunnelStep};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/funnel-hold.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/funnel_hold.json");

fn funnel(steps: &[String], hold: Option<&str>) -> FunnelReport {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("funnel-hold.csv", std::fs::read(LOG).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let steps = steps.iter().map(|event| FunnelStep { event: event.clone(), ..FunnelStep::default() }).collect();
    let funnel = FunnelOptions { steps, hold_constant: hold.map(str::to_string), ..FunnelOptions::default() };
    workspace.analyze(&AnalysisOptions { funnel, ..AnalysisOptions::default() }).unwrap().funnel.unwrap()
}

fn compare(report: &FunnelReport, expected: &Value, label: &str) {
    let expected = expected.as_array().unwrap();
    assert_eq!(report.steps.len(), expected.len(), "{label}: steps");
    for (step, expected) in report.steps.iter().zip(expected) {
        let name = expected["event"].as_str().unwrap();
        assert_eq!(step.people, expected["people"].as_u64().unwrap(), "{label}: people at {name}");
        let next: Vec<(String, u64)> = step.next_after_drop.iter().map(|row| (row.label.clone(), row.people)).collect();
        let expected_next: Vec<(String, u64)> = expected["next_after_drop"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["label"].as_str().unwrap().to_string(), row["people"].as_u64().unwrap()))
            .collect();
        assert_eq!(next, expected_next, "{label}: next events before {name}");
    }
}

#[test]
fn held_and_free_funnels_match_python() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let steps: Vec<String> = golden["steps"].as_array().unwrap().iter().map(|step| step.as_str().unwrap().to_string()).collect();
    let with_hold = funnel(&steps, Some("product"));
    compare(&with_hold, &golden["held"], "held");
    let free = funnel(&steps, None);
    compare(&free, &golden["free"], "free");
    assert!(with_hold.steps[2].people < free.steps[2].people, "holding the product loses people who buy another product");
}
