//! Reports after option changes. A workspace keeps the results of the analyses that an option
//! change did not touch, and every report it gives after a series of changes must equal the report
//! a fresh workspace gives for the last options alone.
#![cfg(not(target_arch = "wasm32"))]

use pathlight::analysis::funnel::FunnelStep;
use pathlight::synth::{write_csv, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

fn generated() -> Workspace {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 800, seed: 11, days: 90, ..SynthOptions::default() }, &mut csv).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("generated.csv", csv);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace
}

fn step(event: &str) -> FunnelStep {
    FunnelStep { event: event.to_string(), ..FunnelStep::default() }
}

/// Returns the options of each report in the series, each a change of the one before.
fn series() -> Vec<(&'static str, AnalysisOptions)> {
    let mut options = AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() };
    options.funnel.steps = vec![step("session_start"), step("sign_up"), step("purchase")];
    let mut changes = vec![("first report", options.clone())];

    options.funnel.steps.insert(2, step("add_to_cart"));
    changes.push(("a new funnel step", options.clone()));

    options.funnel.window = Some("7d".to_string());
    changes.push(("a shorter window", options.clone()));

    options.prediction.cut_share = 0.7;
    changes.push(("another prediction cut", options.clone()));

    options.conversion = Some("sign_up".to_string());
    changes.push(("another conversion", options.clone()));

    options.process_map.max_activities = 5;
    options.clv.horizon = 30.0;
    changes.push(("process map and lifetime-value options", options.clone()));

    options.conversion = Some("purchase".to_string());
    changes.push(("the first conversion again", options.clone()));

    options.patterns.min_support = 0.3;
    options.friction.min_stopped = 3;
    options.segments.repeat_min = 3;
    changes.push(("pattern, friction and segment options", options.clone()));

    options.paths.between_steps = Some([1, 3]);
    changes.push(("paths between two funnel steps", options.clone()));

    options.funnel.steps.remove(1);
    changes.push(("one step fewer, which moves the paths' scope", options.clone()));

    options.funnel.window = None;
    options.paths.between_steps = None;
    options.stages = vec![serde_json::from_value(serde_json::json!({ "name": "trial", "rules": [{ "event": "sign_up" }] })).unwrap()];
    changes.push(("no window, whole-journey paths and one stage", options.clone()));

    options.stages.clear();
    options.funnel.window = Some("7d".to_string());
    changes.push(("the stages and window of an earlier report", options.clone()));

    changes
}

#[test]
fn changed_options_match_a_fresh_report() {
    let workspace = generated();
    for (change, options) in series() {
        let reused = workspace.analyze(&options).unwrap().to_json();
        let fresh = generated().analyze(&options).unwrap().to_json();
        assert!(reused == fresh, "after {change}, the report differs from a fresh workspace's");
    }
}

#[test]
fn repeated_options_give_the_same_report() {
    let workspace = generated();
    let (_, options) = series().remove(1);
    let first = workspace.analyze(&options).unwrap().to_json();
    let second = workspace.analyze(&options).unwrap().to_json();
    assert_eq!(first, second);
}
