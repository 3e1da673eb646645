//! Prediction: the engine's figures on tests/fixtures/predict-fixture.csv against an independent
//! pandas and scikit-learn computation (tools/predict_golden.py, which wrote
//! tools/golden/predict_fixture.json), and the baseline rule on data with and without signal.
//! Native only: the data without signal comes from the generator, which the wasm build lacks.
#![cfg(not(target_arch = "wasm32"))]

use pathlight::analysis::predict::{PredictionOptions, PredictionReport};
use pathlight::synth::{write_csv, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Report, Workspace};
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/predict-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/predict_fixture.json");
const PATHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/markov-paths.csv");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

fn count(value: &Value, label: &str) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("{label}: golden count missing"))
}

/// Loads one CSV and runs every analysis with `options`.
fn analyze(name: &str, bytes: Vec<u8>, options: &AnalysisOptions) -> Result<Report, pathlight::Error> {
    let mut workspace = Workspace::new();
    let index = workspace.add_file(name, bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace.analyze(options)
}

fn with_conversion(event: &str, prediction: PredictionOptions) -> AnalysisOptions {
    AnalysisOptions { conversion: Some(event.to_string()), prediction, ..AnalysisOptions::default() }
}

fn fixture_prediction() -> PredictionReport {
    prediction_with(PredictionOptions::default())
}

fn prediction_with(prediction: PredictionOptions) -> PredictionReport {
    let options = with_conversion("purchase", prediction);
    analyze("predict-fixture.csv", std::fs::read(FIXTURE).unwrap(), &options).unwrap().prediction.expect("prediction")
}

/// Returns each golden setting with the engine's prediction under the same cut and horizon.
fn golden_settings() -> Vec<(Value, PredictionReport)> {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let settings = golden["settings"].as_array().unwrap().clone();
    assert_eq!(settings.len(), 2);
    settings
        .into_iter()
        .map(|setting| {
            let text = |key: &str| setting["options"][key].as_str().map(str::to_string);
            let prediction = PredictionOptions { cut: text("cut"), horizon: text("horizon"), ..PredictionOptions::default() };
            let report = prediction_with(prediction);
            (setting, report)
        })
        .collect()
}

/// Journeys with no signal: event names drawn independently and uniformly, and a purchase at a
/// time drawn independently of everything the person did.
fn noise_csv() -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |bound: u64| {
        // SplitMix64, enough for a test's made-up data.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    };
    let start = 1_704_067_200_i64; // 2024-01-01T00:00:00Z in seconds
    let names = ["alpha", "bravo", "charlie", "delta"];
    let mut rows = Vec::new();
    for person in 0..2_000 {
        let mut time = start + next(90 * 86_400) as i64;
        for _ in 0..3 + next(10) {
            time += 60 + next(3 * 86_400) as i64;
            rows.push((time, person, names[next(4) as usize]));
        }
        if next(10) < 3 {
            rows.push((start + next(120 * 86_400) as i64, person, "purchase"));
        }
    }
    rows.sort();
    let mut csv = String::from("user_id,timestamp,event\n");
    for (time, person, event) in rows {
        let stamp = chrono::DateTime::from_timestamp(time, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
        csv.push_str(&format!("n{person:05},{stamp},{event}\n"));
    }
    csv.into_bytes()
}

#[test]
fn next_step_matches_python() {
    for (golden, report) in golden_settings() {
        let setting = golden["options"].to_string();
        let cut = chrono::DateTime::from_timestamp_millis(golden["cut_ms"].as_i64().unwrap()).unwrap();
        assert_eq!(report.cut, cut.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "{setting}: cut");
        assert_eq!(report.training_events, count(&golden["training_events"], "training events"), "{setting}");
        assert_eq!(report.test_events, count(&golden["test_events"], "test events"), "{setting}");
        assert_eq!(report.open_total, count(&golden["open_total"], "open journeys"), "{setting}");
        check_next_step(&golden["next_step"], &report, &setting);
    }
}

fn check_next_step(expected: &Value, report: &PredictionReport, setting: &str) {
    let next = &report.next_step;
    assert_eq!(next.chosen_order as u64, count(&expected["chosen_order"], "chosen order"), "{setting}");
    assert_eq!(next.test_positions, count(&expected["test_positions"], "test positions"), "{setting}");
    assert_eq!(next.validation_positions, count(&expected["validation_positions"], "validation positions"), "{setting}");
    assert_eq!(next.baseline_event, expected["baseline_event"].as_str().unwrap(), "{setting}");
    assert_close(next.mcnemar_z.unwrap(), &expected["mcnemar_z"], &format!("{setting}: McNemar z"));
    let orders = expected["orders"].as_array().unwrap();
    assert_eq!(next.orders.len(), orders.len());
    for (row, want) in next.orders.iter().zip(orders) {
        let label = format!("{setting}: order {}", row.order);
        assert_eq!(row.contexts, count(&want["contexts"], &label), "{label}: contexts");
        assert_eq!(row.top1_hits, count(&want["top1_hits"], &label), "{label}: top-1 hits");
        assert_eq!(row.top3_hits, count(&want["top3_hits"], &label), "{label}: top-3 hits");
        assert_eq!(row.wins, count(&want["wins"], &label), "{label}: wins");
        assert_eq!(row.losses, count(&want["losses"], &label), "{label}: losses");
        let validation_hits = count(&want["validation_top1_hits"], &label) as f64 / next.validation_positions as f64;
        assert_eq!(row.validation_top1, Some(validation_hits), "{label}: validation top-1");
        assert_eq!(row.top1, row.top1_hits as f64 / next.test_positions as f64, "{label}: top-1");
    }
}

#[test]
fn propensity_matches_scikit_learn() {
    for (golden, report) in golden_settings() {
        let setting = golden["options"].to_string();
        check_propensity(&golden["propensity"], &report, &setting);
    }
}

fn check_propensity(expected: &Value, report: &PredictionReport, setting: &str) {
    let propensity = report.propensity.as_ref().expect("propensity");
    assert_eq!(propensity.horizon_ms, expected["horizon_ms"].as_i64().unwrap(), "{setting}");
    for field in ["training_people", "training_converters", "test_people", "test_converters"] {
        let actual = match field {
            "training_people" => propensity.training_people,
            "training_converters" => propensity.training_converters,
            "test_people" => propensity.test_people,
            _ => propensity.test_converters,
        };
        assert_eq!(actual, count(&expected[field], field), "{setting}: {field}");
    }

    let features = expected["features"].as_array().unwrap();
    assert_eq!(propensity.coefficients.len(), features.len(), "{setting}");
    for (at, row) in propensity.coefficients.iter().enumerate() {
        let label = format!("{setting}: {}", row.feature);
        assert_eq!(row.feature, features[at].as_str().unwrap(), "{setting}");
        assert_close(row.mean, &expected["means"][at], &format!("{label}: mean"));
        assert_close(row.scale, &expected["scales"][at], &format!("{label}: scale"));
        assert_close(row.weight, &expected["weights"][at], &format!("{label}: weight"));
    }

    assert_close(propensity.intercept, &expected["intercept"], &format!("{setting}: intercept"));
    assert_close(propensity.base_rate, &expected["base_rate"], &format!("{setting}: base rate"));
    assert_close(propensity.auc, &expected["auc"], &format!("{setting}: AUC"));
    assert_close(propensity.auc, &expected["auc_pairwise"], &format!("{setting}: AUC from pairs"));
    assert_close(propensity.auc_ci_low, &expected["auc_ci_low"], &format!("{setting}: AUC interval low"));
    assert_close(propensity.auc_ci_high, &expected["auc_ci_high"], &format!("{setting}: AUC interval high"));
    assert_close(propensity.baseline_log_loss, &expected["baseline_log_loss"], &format!("{setting}: baseline log loss"));
    assert_close(propensity.baseline_brier, &expected["baseline_brier"], &format!("{setting}: baseline Brier"));
    assert_close(propensity.log_loss, &expected["log_loss"], &format!("{setting}: log loss"));
    assert_close(propensity.brier, &expected["brier"], &format!("{setting}: Brier"));

    let rows = expected["calibration"].as_array().unwrap();
    assert_eq!(propensity.calibration.len(), rows.len(), "{setting}");
    for (at, (row, want)) in propensity.calibration.iter().zip(rows).enumerate() {
        let label = format!("{setting}: decile {at}");
        assert_eq!(row.people, count(&want["people"], "calibration people"), "{label}: people");
        assert_close(row.observed_rate, &want["observed_rate"], &format!("{label}: observed"));
        assert_close(row.mean_predicted, &want["mean_predicted"], &format!("{label}: predicted"));
    }
}

#[test]
fn fixture_beats_both_baselines() {
    let report = fixture_prediction();
    assert!(report.next_step.better_than_baseline);
    assert!(report.propensity.as_ref().is_some_and(|propensity| propensity.better_than_baseline));
    assert_eq!(report.open_reason, None);
    assert!(report.open_journeys.iter().all(|journey| journey.score.is_some()));
    assert!(report.open_journeys.iter().all(|journey| !journey.next.is_empty()));
}

#[test]
fn generated_journeys_beat_the_baseline() {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 10_000, seed: 42, ..SynthOptions::default() }, &mut csv).unwrap();
    let options = with_conversion("purchase", PredictionOptions::default());
    let report = analyze("generated.csv", csv, &options).unwrap().prediction.expect("prediction");

    let next = &report.next_step;
    let chosen = &next.orders[next.chosen_order];
    assert!(next.chosen_order > 0, "order 0 chosen");
    assert!(chosen.top1 > next.orders[0].top1, "top-1 {} against baseline {}", chosen.top1, next.orders[0].top1);
    assert!(next.better_than_baseline);
    let propensity = report.propensity.expect("propensity");
    assert!(propensity.auc_ci_low > 0.5, "AUC interval low {}", propensity.auc_ci_low);
    assert!(propensity.log_loss < propensity.baseline_log_loss);
    assert!(propensity.better_than_baseline);
    assert!(report.open_journeys.first().is_some_and(|journey| journey.score.is_some()));
}

#[test]
fn noise_is_not_better_than_baseline() {
    let options = with_conversion("purchase", PredictionOptions::default());
    let report = analyze("noise.csv", noise_csv(), &options).unwrap().prediction.expect("prediction");

    assert!(!report.next_step.better_than_baseline, "McNemar z {:?}", report.next_step.mcnemar_z);
    let propensity = report.propensity.expect("propensity");
    assert!(propensity.auc_ci_low <= 0.5, "AUC {} from {}", propensity.auc, propensity.auc_ci_low);
    assert!(!propensity.better_than_baseline);
    let reason = report.open_reason.expect("reason");
    assert!(reason.contains("Next events are hidden"), "{reason}");
    assert!(reason.contains("Scores are hidden"), "{reason}");
    assert!(report.open_journeys.iter().all(|journey| journey.score.is_none()));
    assert!(report.open_journeys.iter().all(|journey| journey.next.is_empty()));
    assert!(report.continuations.is_empty());
}

#[test]
fn synthetic_times_give_a_reason() {
    let report = analyze("markov-paths.csv", std::fs::read(PATHS).unwrap(), &AnalysisOptions::default()).unwrap();
    assert_eq!(report.prediction, None);
    let warning = report.warnings.iter().find(|warning| warning.kind == "no_prediction").expect("no_prediction warning");
    assert!(warning.message.contains("made up"), "{}", warning.message);
}

#[test]
fn invalid_options_name_the_option() {
    let bytes = std::fs::read(FIXTURE).unwrap();
    let cases = [
        (PredictionOptions { cut_share: 1.5, ..PredictionOptions::default() }, "prediction.cut_share"),
        (PredictionOptions { max_order: 7, ..PredictionOptions::default() }, "prediction.max_order"),
        (PredictionOptions { regularization: 0.0, ..PredictionOptions::default() }, "prediction.regularization"),
        (PredictionOptions { test_percent: 100, ..PredictionOptions::default() }, "prediction.test_percent"),
        (PredictionOptions { cut: Some("soon".to_string()), ..PredictionOptions::default() }, "\"soon\""),
        (PredictionOptions { horizon: Some("long".to_string()), ..PredictionOptions::default() }, "\"long\""),
    ];
    for (prediction, expected) in cases {
        let error = analyze("predict-fixture.csv", bytes.clone(), &with_conversion("purchase", prediction)).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn explicit_cut_and_horizon() {
    let prediction = PredictionOptions { cut: Some("2024-04-15".to_string()), horizon: Some("14d".to_string()), ..PredictionOptions::default() };
    let options = with_conversion("purchase", prediction);
    let report = analyze("predict-fixture.csv", std::fs::read(FIXTURE).unwrap(), &options).unwrap().prediction.expect("prediction");
    assert_eq!(report.cut, "2024-04-15T00:00:00Z");
    assert_eq!(report.cut_share, None);
    let horizon = report.propensity.map(|propensity| propensity.horizon_ms);
    assert!(horizon.is_none() || horizon == Some(14 * 86_400_000), "{horizon:?}");
}

#[test]
fn turned_off_gives_no_warning() {
    let options = with_conversion("purchase", PredictionOptions { enabled: false, ..PredictionOptions::default() });
    let report = analyze("predict-fixture.csv", std::fs::read(FIXTURE).unwrap(), &options).unwrap();
    assert_eq!(report.prediction, None);
    assert!(report.warnings.iter().all(|warning| warning.kind != "no_prediction"));
}

#[test]
fn path_labels_follow_the_paths() {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 2_000, seed: 7, ..SynthOptions::default() }, &mut csv).unwrap();
    let mut options = with_conversion("purchase", PredictionOptions { path_labels: true, ..PredictionOptions::default() });
    options.paths.label_column = Some("page".to_string());
    let report = analyze("generated.csv", csv.clone(), &options).unwrap().prediction.expect("prediction");
    assert!(report.next_step.baseline_event.starts_with('/'), "{}", report.next_step.baseline_event);
    let pages = report.open_journeys.iter().flat_map(|journey| &journey.next).all(|next| next.event.starts_with('/'));
    assert!(pages, "every predicted label is a page");

    options.paths.label_column = Some("missing".to_string());
    let error = analyze("generated.csv", csv, &options).unwrap_err();
    assert!(error.to_string().contains("\"missing\""), "{error}");
}
