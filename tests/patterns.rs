//! Gaps and unexpected paths: the fixture against prefixspan, scipy and statsmodels
//! (tools/patterns_golden.py, which wrote tools/golden/patterns_fixture.json), and generated
//! journeys with and without a planted converter pattern.

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::analysis::patterns::{ContentKind, PatternsOptions, PatternsReport};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use serde_json::Value;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/patterns-fixture.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/patterns_fixture.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

fn funnel(events: &[&str]) -> FunnelOptions {
    let steps = events.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    FunnelOptions { steps, ..FunnelOptions::default() }
}

fn analyze(name: &str, bytes: Vec<u8>, patterns: PatternsOptions) -> PatternsReport {
    let mut workspace = Workspace::new();
    let index = workspace.add_file(name, bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let options = AnalysisOptions {
        conversion: Some("purchase".to_string()),
        funnel: funnel(&["visit", "pricing", "purchase"]),
        patterns,
        ..AnalysisOptions::default()
    };
    workspace.analyze(&options).unwrap().patterns.unwrap()
}

fn golden_options(golden: &Value) -> PatternsOptions {
    PatternsOptions {
        min_support: golden["min_support"].as_f64().unwrap(),
        min_support_count: golden["min_support_count"].as_u64().unwrap(),
        max_length: golden["max_length"].as_u64().unwrap() as usize,
        min_people: golden["min_people"].as_u64().unwrap(),
        long_gap: Some("1d".to_string()),
        top: 200,
        ..PatternsOptions::default()
    }
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|item| item.as_str().unwrap().to_string()).collect()
}

#[test]
fn unexpected_patterns_match_prefixspan() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let report = analyze("patterns-fixture.csv", std::fs::read(LOG).unwrap(), golden_options(&golden));
    let expected = &golden["unexpected"];
    let unexpected = &report.unexpected;

    assert_eq!(report.converters, expected["converters"].as_u64().unwrap());
    assert_eq!(report.non_converters, expected["non_converters"].as_u64().unwrap());
    assert_eq!(unexpected.min_converters, expected["min_converters"].as_u64().unwrap());
    assert_eq!(unexpected.mined, expected["mined"].as_u64().unwrap());
    assert_eq!(unexpected.in_funnel, expected["in_funnel"].as_u64().unwrap());
    assert_eq!(unexpected.redundant, expected["redundant"].as_u64().unwrap());
    assert_eq!(unexpected.tested, expected["tested"].as_u64().unwrap());
    assert_eq!(unexpected.patterns.len() as u64, unexpected.tested, "every tested pattern is listed");
    assert_eq!(unexpected.funnel_events, strings(&golden["funnel"]));
    for row in expected["patterns"].as_array().unwrap() {
        let events = strings(&row["events"]);
        let label = events.join(" > ");
        let found = unexpected.patterns.iter().find(|pattern| pattern.events == events).unwrap_or_else(|| panic!("{label} was not tested"));
        assert_eq!(found.converters, row["converters"].as_u64().unwrap(), "{label}: converters");
        assert_eq!(found.non_converters, row["non_converters"].as_u64().unwrap(), "{label}: non-converters");
        assert_close(found.p_value, &row["p_value"], &format!("{label}: p-value"));
        assert_close(found.q_value, &row["q_value"], &format!("{label}: q-value"));
    }
}

#[test]
fn skipped_and_gaps_match_python() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let report = analyze("patterns-fixture.csv", std::fs::read(LOG).unwrap(), golden_options(&golden));

    for row in golden["skipped"].as_array().unwrap() {
        let event = row["event"].as_str().unwrap();
        let found = report.skipped_touchpoints.iter().find(|skipped| skipped.event == event).unwrap_or_else(|| panic!("{event} missing"));
        assert_eq!(found.converters_did, row["converters_did"].as_u64().unwrap(), "{event}");
        assert_eq!(found.converters_did + found.converters_skipped, report.converters, "{event}");
    }
    assert!(report.skipped_touchpoints.iter().all(|row| row.event != "purchase"), "the conversion is not a skipped touchpoint");

    let gaps = report.transition_gaps.as_ref().unwrap();
    assert_eq!(gaps.long_gap_ms, golden["long_gap_ms"].as_i64().unwrap());
    let expected = golden["transitions"].as_array().unwrap();
    assert_eq!(gaps.transitions.len(), expected.len(), "transitions with enough gaps");
    for row in expected {
        let (from, to) = (row["from"].as_str().unwrap(), row["to"].as_str().unwrap());
        let found = gaps.transitions.iter().find(|gap| gap.from == from && gap.to == to).unwrap_or_else(|| panic!("{from} > {to} missing"));
        assert_eq!(found.transitions, row["transitions"].as_u64().unwrap(), "{from} > {to}");
        assert_eq!(found.long_gaps, row["long_gaps"].as_u64().unwrap(), "{from} > {to}");
        assert_close(found.median_gap_ms.unwrap(), &row["median_gap_ms"], &format!("{from} > {to}: median"));
    }
}

#[test]
fn faster_combinations_match_scipy() {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let report = analyze("patterns-fixture.csv", std::fs::read(LOG).unwrap(), golden_options(&golden));
    let faster = report.faster.as_ref().unwrap();
    let expected = &golden["faster"];

    assert_eq!(faster.converters, expected["converters"].as_u64().unwrap());
    assert_close(faster.median_ms.unwrap(), &expected["median_ms"], "median of all converters");
    let rows = expected["combinations"].as_array().unwrap();
    assert_eq!(faster.tested, rows.len() as u64);
    for row in rows {
        let (channel, event) = (row["channel"].as_str().unwrap(), row["event"].as_str().unwrap());
        let label = format!("{channel} + {event}");
        let found = faster.combinations.iter().find(|pair| pair.channel == channel && pair.label == event).unwrap_or_else(|| panic!("{label} missing"));
        assert_eq!(found.kind, ContentKind::Event, "{label}: the fixture has no page column");
        assert_eq!(found.people, row["people"].as_u64().unwrap(), "{label}: people");
        assert_eq!(found.converters, row["converters"].as_u64().unwrap(), "{label}: converters");
        assert_close(found.median_ms.unwrap(), &row["median_ms"], &format!("{label}: median"));
        assert_eq!(found.km_median_ms, row["km_median_ms"].as_i64(), "{label}: Kaplan–Meier median");
        assert_close(found.u, &row["u"], &format!("{label}: U"));
        assert_close(found.p_value, &row["p_value"], &format!("{label}: p-value"));
        assert_close(found.q_value, &row["q_value"], &format!("{label}: q-value"));
    }
    // The fixture plants email first touches with a webinar that buy within hours, so every
    // faster pair has the email channel, and their events are the ones those people did.
    let webinar = faster.combinations.iter().find(|pair| pair.channel == "email" && pair.label == "webinar").unwrap();
    assert!(webinar.faster);
    assert!(faster.combinations[0].faster);
    for pair in faster.combinations.iter().filter(|pair| pair.faster) {
        assert_eq!(pair.channel, "email", "{} + {}", pair.channel, pair.label);
    }
}

/// A small deterministic generator (xorshift64*), so the generated journeys need no crate.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            items.swap(index, self.below(index as u64 + 1) as usize);
        }
    }
}

/// Writes 400 people who all visit, do case_study, webinar and demo in some order with blog reads
/// between, see pricing and either purchase or not. With `planted`, converters do the three in
/// that order and everyone else in a random order; without it, order and conversion are
/// independent.
fn generated(planted: bool, seed: u64) -> Vec<u8> {
    let mut draw = Draw(seed);
    let mut csv = String::from("user,event,ts,channel\n");
    for person in 0..400 {
        let converts = draw.below(10) < 4;
        let mut middle = ["case_study", "webinar", "demo"];
        if !(planted && converts) {
            draw.shuffle(&mut middle);
        }
        let mut events = vec!["visit"];
        for event in middle {
            if draw.below(3) == 0 {
                events.push("blog");
            }
            events.push(event);
        }
        events.push("pricing");
        if converts {
            events.push("purchase");
        }
        for (hour, event) in events.iter().enumerate() {
            let channel = if hour == 0 { ["search", "email"][draw.below(2) as usize] } else { "" };
            csv.push_str(&format!("p{person},{event},2024-01-{:02}T{:02}:00:00Z,{channel}\n", 1 + person % 28, hour));
        }
    }
    csv.into_bytes()
}

#[test]
fn planted_pattern_ranks_first() {
    let report = analyze("planted.csv", generated(true, 7), PatternsOptions::default());
    let first = &report.unexpected.patterns[0];
    assert_eq!(first.events, ["case_study", "webinar", "demo"]);
    assert!(first.significant);
    assert_eq!(first.converters, report.converters, "every converter did the planted order");
    // Everyone has a pricing event, so adding it to the planted order changes no support.
    assert!(report.unexpected.redundant > 0);
    let extended = ["case_study", "webinar", "demo", "pricing"];
    assert!(report.unexpected.patterns.iter().all(|pattern| pattern.events != extended), "the extended pattern is redundant");
}

#[test]
fn nothing_significant_without_plant() {
    for seed in [3, 11, 29] {
        let report = analyze("null.csv", generated(false, seed), PatternsOptions::default());
        assert!(report.unexpected.tested > 0, "seed {seed}: patterns were tested");
        assert_eq!(report.unexpected.significant, 0, "seed {seed}: {:?}", report.unexpected.patterns.first());
    }
}

#[test]
fn funnel_subsequences_not_tested() {
    let report = analyze("planted.csv", generated(true, 7), PatternsOptions::default());
    assert!(report.unexpected.in_funnel > 0);
    let funnel = ["visit", "pricing"];
    for pattern in &report.unexpected.patterns {
        let inside = pattern.events.iter().all(|event| funnel.contains(&event.as_str()));
        let ordered = pattern.events.len() < 2 || pattern.events.windows(2).all(|pair| pair[0] == "visit" && pair[1] == "pricing");
        assert!(!(inside && ordered), "{:?} is in the funnel", pattern.events);
    }
}

#[test]
fn invalid_options_name_the_option() {
    let cases = [
        (PatternsOptions { min_support: 0.0, ..PatternsOptions::default() }, "min_support"),
        (PatternsOptions { max_length: 0, ..PatternsOptions::default() }, "max_length"),
        (PatternsOptions { skip_share: 1.5, ..PatternsOptions::default() }, "skip_share"),
        (PatternsOptions { long_gap: Some("soon".to_string()), ..PatternsOptions::default() }, "long_gap"),
        (PatternsOptions { top: 0, ..PatternsOptions::default() }, "top"),
    ];
    for (patterns, field) in cases {
        let mut workspace = Workspace::new();
        let index = workspace.add_file("planted.csv", generated(true, 7));
        let inspection = workspace.inspect(index, None).unwrap();
        workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
        let options = AnalysisOptions { conversion: Some("purchase".to_string()), patterns, ..AnalysisOptions::default() };
        let error = workspace.analyze(&options).unwrap_err().to_string();
        assert!(error.contains(field), "{field}: {error}");
    }
}
