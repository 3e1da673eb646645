//! The analyses recover every effect that the planted generator puts in its journeys. When none is
//! planted, each list of significant results is empty on all but about 5% of files, as its
//! false discovery rate allows: with no real effect, a false discovery is any discovery at all.
//!
//! `pathlight::synth` with `plant` set writes journeys whose conversion, e-mail opens, exits and
//! delays follow known rules (src/synth/planted.rs). Several seeds are checked, so that a result
//! cannot come from one lucky draw. Native only, as the generator is.
#![cfg(not(target_arch = "wasm32"))]

use pathlight::analysis::drivers::FeatureKind;
use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::report::Report;
use pathlight::synth::{write_csv, Plants, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use std::sync::OnceLock;

/// People per generated file: enough for the odds ratio to land within the tolerance below, and
/// few enough for a debug build to analyse each file in a few seconds.
const PEOPLE: u32 = 3_000;
const SEEDS: [u64; 3] = [1, 2, 3];
/// Seeds of the files with nothing planted.
const NULL_SEEDS: std::ops::RangeInclusive<u64> = 1..=20;
/// The maximum number of null seeds on which one list may report a signal. At a 5% rate, 5 or more
/// of 20 has a binomial probability of about 0.3%.
const MAX_NULL_SEEDS: usize = 4;
/// The maximum number of null seeds on which any of the five lists reports a signal. At the rate of
/// five independent lists, 1 − 0.95⁵ or about 23%, 10 or more of 20 has a binomial probability of
/// about 0.7%.
const MAX_NULL_SEEDS_ANY: usize = 9;
/// The planted odds ratio is 3. With 3,000 people its standard error on the log scale is about
/// 0.08, so 2.4 to 3.75 is about 2.7 standard errors either side.
const ODDS_RATIO_RANGE: (f64, f64) = (2.4, 3.75);

fn analyse(plants: Plants, seed: u64) -> Report {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: PEOPLE, seed, days: 60, plant: Some(plants), ..SynthOptions::default() }, &mut csv).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("planted.csv", csv);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let steps = ["visit", "pricing", "checkout", "purchase"].iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    let mut options = AnalysisOptions { conversion: Some("purchase".to_string()), funnel: FunnelOptions { steps, ..FunnelOptions::default() }, ..AnalysisOptions::default() };
    // Prediction is not part of these checks and is the slowest analysis in a debug build.
    options.prediction.enabled = false;
    workspace.analyze(&options).unwrap()
}

/// Returns the reports of the fully planted files, one per seed, analysed once for all tests.
fn planted_reports() -> &'static [(u64, Report)] {
    static REPORTS: OnceLock<Vec<(u64, Report)>> = OnceLock::new();
    REPORTS.get_or_init(|| SEEDS.iter().map(|&seed| (seed, analyse(Plants::ALL, seed))).collect())
}

fn finding_labels(report: &Report) -> Vec<String> {
    report.friction.as_ref().unwrap().findings.iter().map(|finding| finding.label.clone()).collect()
}

#[test]
fn planted_exit_step_in_top_three() {
    for (seed, report) in planted_reports() {
        let findings = &report.friction.as_ref().unwrap().findings;
        let top: Vec<&str> = findings.iter().take(3).map(|finding| finding.label.as_str()).collect();
        assert!(top.contains(&"step 3 (checkout)") || top.contains(&"/pricing"), "seed {seed}: top three {top:?}");
    }
}

#[test]
fn planted_email_collapse_found() {
    for (seed, report) in planted_reports() {
        let email = report.email.as_ref().unwrap();
        assert_eq!(email.falloff_message, Some(3), "seed {seed}");
        let labels = finding_labels(&report);
        assert!(labels.iter().any(|label| label == "e-mail 2"), "seed {seed}: findings {labels:?}");
    }
}

#[test]
fn planted_touchpoint_triples_odds() {
    for (seed, report) in planted_reports() {
        let drivers = report.drivers.as_ref().unwrap();
        let driver = drivers.positive.iter().find(|driver| driver.kind == FeatureKind::Event && driver.value == "case_study");
        let driver = driver.unwrap_or_else(|| panic!("seed {seed}: case_study is not a positive driver"));
        assert!(driver.q_value < 0.05, "seed {seed}: q {}", driver.q_value);
        let (low, high) = ODDS_RATIO_RANGE;
        assert!((low..=high).contains(&driver.odds_ratio), "seed {seed}: odds ratio {}", driver.odds_ratio);
        let findings = &report.friction.as_ref().unwrap().findings;
        let in_hypothesis = findings.iter().flat_map(|finding| &finding.hypotheses).any(|hypothesis| hypothesis.touchpoint == "case_study" && hypothesis.with_stop_rate < hypothesis.without_stop_rate);
        assert!(in_hypothesis, "seed {seed}: case_study in no hypothesis");
    }
}

#[test]
fn planted_fast_channel_fastest() {
    for (seed, report) in planted_reports() {
        let channels = &report.timing_extras.channel_speed.as_ref().unwrap().channels;
        assert_eq!(channels[0].channel, "paid_search", "seed {seed}");
        let faster = report.patterns.as_ref().unwrap().faster.as_ref().unwrap();
        let significant: Vec<&str> = faster.combinations.iter().filter(|pair| pair.faster && pair.q_value < 0.05).map(|pair| pair.channel.as_str()).collect();
        assert!(!significant.is_empty(), "seed {seed}: no significant faster pair");
        assert!(significant.iter().all(|&channel| channel == "paid_search"), "seed {seed}: faster pairs {significant:?}");
    }
}

/// Counts of null seeds on which each list reported something significant.
#[derive(Debug, Default)]
struct NullSignals {
    drivers: Vec<u64>,
    hypotheses: Vec<u64>,
    faster_pairs: Vec<u64>,
    unexpected_patterns: Vec<u64>,
    email_falloff: Vec<u64>,
    any: Vec<u64>,
}

fn null_signals() -> NullSignals {
    let mut signals = NullSignals::default();
    for seed in NULL_SEEDS {
        let report = analyse(Plants::default(), seed);
        if report.drivers.as_ref().unwrap().tests.iter().any(|driver| driver.q_value < 0.05) {
            signals.drivers.push(seed);
        }
        if report.friction.as_ref().unwrap().findings.iter().any(|finding| !finding.hypotheses.is_empty()) {
            signals.hypotheses.push(seed);
        }
        if report.patterns.as_ref().unwrap().faster.as_ref().unwrap().significant > 0 {
            signals.faster_pairs.push(seed);
        }
        if report.patterns.as_ref().unwrap().unexpected.significant > 0 {
            signals.unexpected_patterns.push(seed);
        }
        if report.email.as_ref().unwrap().falloff_message.is_some() {
            signals.email_falloff.push(seed);
        }
        let lists = [&signals.drivers, &signals.hypotheses, &signals.faster_pairs, &signals.unexpected_patterns, &signals.email_falloff];
        if lists.iter().any(|list| list.last() == Some(&seed)) {
            signals.any.push(seed);
        }
    }
    signals
}

#[test]
fn nothing_planted_rarely_significant() {
    // Each list is adjusted as one family at a false discovery rate of 0.05 (the hypotheses of all
    // findings together), so on data where nothing is planted it reports something on at most
    // about 5% of seeds. The e-mail fall-off is a fixed rule, not a test, and never fires here.
    let signals = null_signals();
    assert!(signals.drivers.len() <= MAX_NULL_SEEDS, "drivers on seeds {:?}", signals.drivers);
    assert!(signals.hypotheses.len() <= MAX_NULL_SEEDS, "hypotheses on seeds {:?}", signals.hypotheses);
    assert!(signals.faster_pairs.len() <= MAX_NULL_SEEDS, "faster pairs on seeds {:?}", signals.faster_pairs);
    assert!(signals.unexpected_patterns.len() <= MAX_NULL_SEEDS, "unexpected patterns on seeds {:?}", signals.unexpected_patterns);
    assert!(signals.email_falloff.is_empty(), "e-mail fall-off on seeds {:?}", signals.email_falloff);
    assert!(signals.any.len() <= MAX_NULL_SEEDS_ANY, "some list on seeds {:?}", signals.any);
}
