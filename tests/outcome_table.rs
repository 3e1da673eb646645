//! The Hillstrom e-mail campaign test read as an outcome table, checked against pandas
//! (tools/hillstrom_golden.py, which wrote tools/golden/hillstrom.json).
//!
//! tests/fixtures/hillstrom.csv has one row per customer, no id and no time. `segment` is the
//! campaign group, `visit` and `conversion` are 0/1 outcomes and `spend` is the amount spent.
//! The published figures per group: Mens E-Mail 21,307 customers, 18.28% visit, 1.253% convert,
//! $1.42 spend per customer; Womens E-Mail 21,387, 15.14%, 0.884%, $1.08; No E-Mail 21,306,
//! 10.62%, 0.573%, $0.65.

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::ingest::decode::decode_all;
use pathlight::ingest::{self, ReadSettings};
use pathlight::model::{EventLog, Journeys};
use pathlight::{AnalysisOptions, FileInspection, LoadConfig, Workspace};
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hillstrom.csv");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/hillstrom.json");
const SEGMENTS: [&str; 3] = ["Mens E-Mail", "Womens E-Mail", "No E-Mail"];

fn golden() -> Value {
    serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap()
}

fn close(actual: f64, expected: f64, what: &str) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!((actual - expected).abs() <= tolerance, "{what}: {actual} against {expected}");
}

fn inspect() -> (Workspace, FileInspection) {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("hillstrom.csv", std::fs::read(FIXTURE).unwrap());
    let inspection = workspace.inspect(index, None).unwrap();
    (workspace, inspection)
}

#[test]
fn hillstrom_is_an_outcome_table() {
    let (_, inspection) = inspect();
    assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("outcome_table"));
    let table = inspection.mapping.outcome_table.as_ref().unwrap();
    assert_eq!(table.steps, ["visit", "conversion"]);
    assert_eq!(table.entry_event, "included");
    assert_eq!(inspection.mapping.person, None);
    assert_eq!(inspection.mapping.value.as_deref(), Some("spend"));
    assert_eq!(inspection.mapping.channel.as_deref(), Some("channel"));
    let flags: Vec<&str> = inspection.columns.iter().filter(|column| column.flag).map(|column| column.name.as_str()).collect();
    assert_eq!(flags, ["mens", "womens", "newbie", "visit", "conversion"]);
}

#[test]
fn hillstrom_funnel_by_segment() {
    let golden = golden();
    let (mut workspace, inspection) = inspect();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.people, 64_000);
    assert_eq!(summary.skipped_rows, 0);
    assert!(summary.synthetic_times);
    assert_eq!(summary.suggested_conversion.as_deref(), Some("conversion"));
    assert_eq!(summary.suggested_funnel, ["included", "visit", "conversion"]);

    let step = |event: &str| FunnelStep { event: event.into(), ..FunnelStep::default() };
    let options = AnalysisOptions {
        conversion: Some("conversion".into()),
        funnel: FunnelOptions { steps: vec![step("included"), step("visit"), step("conversion")], breakdown: Some("segment".into()), ..FunnelOptions::default() },
        ..AnalysisOptions::default()
    };
    let report = workspace.analyze(&options).unwrap();
    let total = &golden["total"];
    assert_eq!(report.summary.people, total["customers"].as_u64().unwrap());
    assert_eq!(report.summary.converters, total["converters"].as_u64().unwrap());
    close(report.summary.total_value.unwrap(), total["spend"].as_f64().unwrap(), "total spend");

    let funnel = report.funnel.unwrap();
    assert_eq!(funnel.breakdown.len(), 3);
    for segment in SEGMENTS {
        let expected = &golden["segments"][segment];
        let row = funnel.breakdown.iter().find(|row| row.value == segment).unwrap_or_else(|| panic!("no breakdown row {segment}"));
        let customers = row.steps[0] as f64;
        assert_eq!(row.steps[0], expected["customers"].as_u64().unwrap(), "{segment}: customers");
        assert_eq!(row.steps[1], expected["visitors"].as_u64().unwrap(), "{segment}: visitors");
        assert_eq!(row.steps[2], expected["converters"].as_u64().unwrap(), "{segment}: converters");
        close(row.steps[1] as f64 / customers, expected["visit_rate"].as_f64().unwrap(), &format!("{segment}: visit rate"));
        close(row.steps[2] as f64 / customers, expected["conversion_rate"].as_f64().unwrap(), &format!("{segment}: conversion rate"));
    }
}

#[test]
fn hillstrom_spend_per_segment() {
    let golden = golden();
    let (_, inspection) = inspect();
    let config = LoadConfig::from_inspections(std::slice::from_ref(&inspection));
    let settings = ReadSettings { zone: chrono_tz::Tz::UTC, strict: true, date_order: config.date_order };
    let mut log = EventLog::default();
    let mut problems = ingest::Problems::default();
    let mut warnings = Vec::new();
    let decoded = decode_all(&std::fs::read(FIXTURE).unwrap());
    ingest::read_events(0, "hillstrom.csv", &decoded, &config.files[0], &settings, &mut log, &mut problems, &mut warnings).unwrap();
    let journeys = Journeys::build(&log);
    let segment = &log.properties[log.find_property("segment").unwrap()];

    for name in SEGMENTS {
        let expected = &golden["segments"][name];
        let code = segment.values.get(name).unwrap();
        let customers = (0..journeys.people()).filter(|&person| segment.codes[journeys.journey(person)[0] as usize] == code).count();
        let spend: f64 = (0..log.len()).filter(|&at| segment.codes[at] == code && !log.value[at].is_nan()).map(|at| log.value[at]).sum();
        assert_eq!(customers as u64, expected["customers"].as_u64().unwrap(), "{name}: customers");
        close(spend, expected["spend"].as_f64().unwrap(), &format!("{name}: spend"));
        close(spend / customers as f64, expected["spend_per_customer"].as_f64().unwrap(), &format!("{name}: spend per customer"));
    }
}
