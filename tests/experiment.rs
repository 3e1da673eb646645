//! The A/B experiment evaluation of the Hillstrom e-mail test against statsmodels and scipy
//! (tools/experiment_golden.py, which wrote tools/golden/experiment_hillstrom.json).

use pathlight::analysis::experiment::{self, ControlRule, ExperimentOptions, ExperimentReport};
use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::analysis::Conversion;
use pathlight::model::identity::IdentityKind;
use pathlight::model::{EventLog, Journeys, NewEvent};
use pathlight::report::Warning;
use serde_json::Value;
use std::sync::OnceLock;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hillstrom.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/experiment_hillstrom.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

/// Builds one journey per customer row: a `customer` event, then `visit` and `conversion` where
/// their flags are 1, every event with the row's `segment`, and the spend on the conversion.
/// The log is built once and shared by the tests.
fn hillstrom_log() -> &'static (EventLog, Journeys) {
    static LOG: OnceLock<(EventLog, Journeys)> = OnceLock::new();
    LOG.get_or_init(read_hillstrom)
}

fn read_hillstrom() -> (EventLog, Journeys) {
    let mut reader = csv::Reader::from_path(DATA).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|column| column == name).unwrap();
    let (segment, visit, conversion, spend) = (column("segment"), column("visit"), column("conversion"), column("spend"));
    let mut log = EventLog::default();
    let property = log.property_index("segment");
    for (line, record) in reader.records().enumerate() {
        let cells = record.unwrap();
        let row = line as u32 + 2;
        let person = log.identifier(&format!("customer {row}"), IdentityKind::UserId);
        let push = |log: &mut EventLog, minute: i64, event: &str, value: f64| {
            let new = NewEvent { person, time: minute * 60_000, event, channel: None, value, ordinal: None, date_only: false, file: 0, row };
            log.push(new, [(property, &cells[segment])]);
        };
        push(&mut log, 0, "customer", f64::NAN);
        if &cells[visit] == "1" {
            push(&mut log, 1, "visit", f64::NAN);
        }
        if &cells[conversion] == "1" {
            push(&mut log, 2, "conversion", cells[spend].parse().unwrap());
        }
    }
    let journeys = Journeys::build(&log);
    (log, journeys)
}

fn evaluate(log: &EventLog, journeys: &Journeys, options: &ExperimentOptions) -> (ExperimentReport, Vec<Warning>) {
    let conversion = Conversion::find(log, journeys, Some("conversion")).unwrap();
    let funnel = FunnelOptions { steps: vec![FunnelStep { event: "visit".to_string(), ..FunnelStep::default() }], ..FunnelOptions::default() };
    let mut warnings = Vec::new();
    let report = experiment::compute(log, journeys, &conversion, &funnel, options, true, &mut warnings).unwrap().unwrap();
    (report, warnings)
}

/// Options without the bootstrap, which only hillstrom_bootstrap_brackets_the_mean runs: its
/// draws are the engine's own, so there are no golden values for it.
fn segment_options() -> ExperimentOptions {
    ExperimentOptions { variant_column: Some("segment".to_string()), bootstrap_resamples: 0, ..ExperimentOptions::default() }
}

#[test]
fn hillstrom_matches_statsmodels_and_scipy() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let (log, journeys) = hillstrom_log();
    let (report, warnings) = evaluate(log, journeys, &segment_options());

    assert_eq!(report.control, golden["control"].as_str().unwrap());
    assert_eq!(report.control_rule, ControlRule::Named);
    assert_eq!(report.assigned_people, 64_000);
    assert_eq!(report.mixed_people, 0);
    assert_eq!(report.people_without_variant, 0);
    assert_eq!(report.steps, vec!["visit".to_string(), "converted (conversion)".to_string()]);
    assert!(warnings.is_empty(), "{warnings:?}");

    let expected_variants = golden["variants"].as_array().unwrap();
    assert_eq!(report.variants.len(), expected_variants.len());
    for (variant, expected) in report.variants.iter().zip(expected_variants) {
        let name = expected["name"].as_str().unwrap();
        assert_eq!(variant.name, name);
        assert_eq!(variant.people, expected["people"].as_u64().unwrap(), "{name}: people");
        for (step, expected_step) in variant.steps.iter().zip(expected["steps"].as_array().unwrap()) {
            assert_eq!(step.people, expected_step["people"].as_u64().unwrap(), "{name}: step people");
            assert_close(step.rate, &expected_step["rate"], &format!("{name}: rate"));
            assert_close(step.lower, &expected_step["lower"], &format!("{name}: Wilson lower"));
            assert_close(step.upper, &expected_step["upper"], &format!("{name}: Wilson upper"));
        }
        let revenue = variant.revenue.as_ref().unwrap();
        assert_close(revenue.total, &expected["revenue_total"], &format!("{name}: revenue"));
        assert_close(revenue.per_person.unwrap(), &expected["revenue_per_person"], &format!("{name}: revenue per person"));
    }

    let expected_comparisons = golden["comparisons"].as_array().unwrap();
    assert_eq!(report.comparisons.len(), expected_comparisons.len());
    assert_eq!(report.comparison_count, 4);
    for (comparison, expected) in report.comparisons.iter().zip(expected_comparisons) {
        let label = format!("{} at step {}", comparison.variant, comparison.step);
        assert_eq!(comparison.variant, expected["variant"].as_str().unwrap());
        assert_eq!(comparison.step as u64, expected["step"].as_u64().unwrap());
        assert_close(comparison.difference, &expected["difference"], &format!("{label}: difference"));
        assert_close(comparison.lower.unwrap(), &expected["lower"], &format!("{label}: Newcombe lower"));
        assert_close(comparison.upper.unwrap(), &expected["upper"], &format!("{label}: Newcombe upper"));
        assert_close(comparison.z.unwrap(), &expected["z"], &format!("{label}: z"));
        assert_close(comparison.p_value.unwrap(), &expected["p_value"], &format!("{label}: p"));
        assert_close(comparison.holm_p_value.unwrap(), &expected["holm_p_value"], &format!("{label}: Holm p"));
        assert_close(comparison.probability_to_beat.unwrap(), &expected["probability_to_beat"], &format!("{label}: P(beat)"));
        assert_close(comparison.always_valid_p_value.unwrap(), &expected["always_valid_p_value"], &format!("{label}: always-valid p"));
    }

    let expected_revenue = golden["revenue"].as_array().unwrap();
    assert_eq!(report.revenue_comparisons.len(), expected_revenue.len());
    for (comparison, expected) in report.revenue_comparisons.iter().zip(expected_revenue) {
        let label = &comparison.variant;
        assert_eq!(comparison.variant, expected["variant"].as_str().unwrap());
        assert_close(comparison.difference.unwrap(), &expected["difference"], &format!("{label}: revenue difference"));
        assert_close(comparison.t.unwrap(), &expected["t"], &format!("{label}: Welch t"));
        assert_close(comparison.degrees_of_freedom.unwrap(), &expected["degrees_of_freedom"], &format!("{label}: Welch df"));
        assert_close(comparison.p_value.unwrap(), &expected["p_value"], &format!("{label}: Welch p"));
    }

    let ratio = report.sample_ratio.as_ref().unwrap();
    assert_close(ratio.chi_square, &golden["sample_ratio"]["chi_square"], "SRM chi-square");
    assert_close(ratio.p_value, &golden["sample_ratio"]["p_value"], "SRM p");
    assert!(!ratio.mismatch);

    let calculator = report.calculator.as_ref().unwrap();
    let expected = &golden["calculator"];
    assert_close(calculator.baseline_rate, &expected["baseline_rate"], "calculator baseline");
    assert_eq!(calculator.people_per_variant, expected["people_per_variant"].as_u64().unwrap());
    assert_close(calculator.minimum_detectable_effect.unwrap(), &expected["minimum_detectable_effect"], "calculator MDE");
    assert_eq!(calculator.people_needed_per_variant, expected["people_needed_per_variant"].as_u64());
    assert_eq!(calculator.weekly_people, None);
    assert_eq!(calculator.weeks_needed, None);
}

#[test]
fn hillstrom_matches_published_figures() {
    // The reference table of the data set: customers, visit rate, conversion rate (to the
    // rounding shown) and spend per customer in dollars.
    let published = [("Mens E-Mail", 21_307, 0.1828, 0.01253, 1.42), ("No E-Mail", 21_306, 0.1062, 0.00573, 0.65), ("Womens E-Mail", 21_387, 0.1514, 0.00884, 1.08)];
    let (log, journeys) = hillstrom_log();
    let (report, _) = evaluate(log, journeys, &segment_options());
    for (variant, (name, people, visit, conversion, spend)) in report.variants.iter().zip(published) {
        assert_eq!(variant.name, name);
        assert_eq!(variant.people, people, "{name}: customers");
        assert!((variant.steps[0].rate - visit).abs() < 5e-5, "{name}: visit rate {}", variant.steps[0].rate);
        assert!((variant.steps[1].rate - conversion).abs() < 5e-6, "{name}: conversion rate {}", variant.steps[1].rate);
        let per_person = variant.revenue.as_ref().unwrap().per_person.unwrap();
        assert!((per_person - spend).abs() < 5e-3, "{name}: spend per customer {per_person}");
    }
}

#[test]
fn hillstrom_bootstrap_brackets_the_mean() {
    let (log, journeys) = hillstrom_log();
    // Fewer resamples than the default keep the debug-build test fast.
    let options = ExperimentOptions { bootstrap_resamples: 200, ..segment_options() };
    let (report, _) = evaluate(log, journeys, &options);
    let (again, _) = evaluate(log, journeys, &options);
    for variant in &report.variants {
        let revenue = variant.revenue.as_ref().unwrap();
        let mean = revenue.per_person.unwrap();
        assert!(revenue.lower.unwrap() < mean, "{}: lower {:?}", variant.name, revenue.lower);
        assert!(revenue.upper.unwrap() > mean, "{}: upper {:?}", variant.name, revenue.upper);
    }
    for comparison in &report.revenue_comparisons {
        let difference = comparison.difference.unwrap();
        assert!(comparison.lower.unwrap() < difference, "{}: lower {:?}", comparison.variant, comparison.lower);
        assert!(comparison.upper.unwrap() > difference, "{}: upper {:?}", comparison.variant, comparison.upper);
        // Both e-mails raise spend (Welch p below 0.01), so the interval lies above 0.
        assert!(comparison.lower.unwrap() > 0.0, "{}: lower {:?}", comparison.variant, comparison.lower);
    }
    assert_eq!(report.revenue_comparisons, again.revenue_comparisons, "same seed, same intervals");
}

#[test]
fn hillstrom_uneven_shares_flag_mismatch() {
    let (log, journeys) = hillstrom_log();
    let options = ExperimentOptions { expected_shares: vec![0.4, 0.3, 0.3], planned_people_per_variant: Some(30_000), ..segment_options() };
    let (report, warnings) = evaluate(log, journeys, &options);
    let ratio = report.sample_ratio.as_ref().unwrap();
    assert!(ratio.mismatch, "p = {}", ratio.p_value);
    let kinds: Vec<&str> = warnings.iter().map(|warning| warning.kind.as_str()).collect();
    assert_eq!(kinds, vec!["sample_ratio_mismatch", "experiment_peeking"]);
    let peeking = report.peeking.as_ref().unwrap();
    assert_eq!(peeking.smallest_variant_people, 21_306);
    assert!(!peeking.reached);
}
