//! Weekly change points, before-and-after comparisons, period comparisons and baselines on
//! planted journeys (src/synth/planted.rs). A conversion drop from checkout on a known date is
//! found within a week of it at the right step. Files with nothing planted raise no alert on all
//! but a few seeds, as the stated false-alarm rate allows. Native only, as the generator is.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, Duration};
use pathlight::analysis::compare::{Direction, Metric};
use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::analysis::trends::{ChangeDate, DateRange, PeriodPair, TrendsOptions};
use pathlight::report::Report;
use pathlight::synth::planted::drop_ms;
use pathlight::synth::{write_csv, Plants, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

/// About 115 people a week over 26 weeks.
const PEOPLE: u32 = 3_000;
const DAYS: u32 = 180;
const SEEDS: [u64; 3] = [1, 2, 3];
const NULL_SEEDS: std::ops::RangeInclusive<u64> = 1..=20;
/// The change-point search flags a null file with probability about 5% over all its series
/// together, and so does a period comparison at a false discovery rate of 5%. 4 or more of 20
/// seeds has a binomial probability of about 1.6% at that rate.
const MAX_NULL_SEEDS: usize = 3;
/// The last step of the funnel, where the planted drop is.
const PURCHASE_STEP: &str = "step 4 (purchase)";

fn options(trends: TrendsOptions) -> AnalysisOptions {
    let steps = ["visit", "pricing", "checkout", "purchase"].iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    let mut options = AnalysisOptions { conversion: Some("purchase".to_string()), funnel: FunnelOptions { steps, ..FunnelOptions::default() }, trends, ..AnalysisOptions::default() };
    // The prediction is not part of these checks and is the slowest analysis in a debug build.
    options.prediction.enabled = false;
    options
}

fn synth(plants: Plants, seed: u64) -> SynthOptions {
    SynthOptions { people: PEOPLE, seed, days: DAYS, plant: Some(plants), ..SynthOptions::default() }
}

fn analyse(synth: &SynthOptions, trends: TrendsOptions) -> Result<Report, String> {
    let mut csv = Vec::new();
    write_csv(synth, &mut csv).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("planted.csv", csv);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace.analyze(&options(trends)).map_err(|error| error.to_string())
}

fn drop_date(synth: &SynthOptions) -> chrono::NaiveDate {
    DateTime::from_timestamp_millis(drop_ms(synth)).unwrap().date_naive()
}

#[test]
fn planted_drop_flagged_within_week() {
    for seed in SEEDS {
        let synth = synth(Plants { step_drop: true, ..Plants::default() }, seed);
        let report = analyse(&synth, TrendsOptions::default()).unwrap();
        let trends = report.trends.as_ref().unwrap();
        let series = trends.series.iter().find(|series| series.label == PURCHASE_STEP).unwrap();
        assert_eq!(series.change_points.len(), 1, "seed {seed}: {:?}", series.change_points);
        let point = &series.change_points[0];
        let found: chrono::NaiveDate = point.date.parse().unwrap();
        let off = (found - drop_date(&synth)).num_days().abs();
        assert!(off <= 7, "seed {seed}: found {found}, planted {}", drop_date(&synth));
        assert!(point.rate_before > 0.2, "seed {seed}: {point:?}");
        assert!(point.rate_after < 0.13, "seed {seed}: {point:?}");
        assert!(point.p_value < 0.01, "seed {seed}: p {}", point.p_value);
        for quiet in ["step 2 (pricing)", "step 3 (checkout)"] {
            let series = trends.series.iter().find(|series| series.label == quiet).unwrap();
            assert!(series.change_points.is_empty(), "seed {seed}: {quiet} {:?}", series.change_points);
        }
        assert!(trends.alerts.iter().any(|alert| alert.label == PURCHASE_STEP), "seed {seed}: {:?}", trends.alerts);

        // Weeks whose people have not all had the 30-day window are listed without a rate.
        let last_event: DateTime<chrono::Utc> = report.summary.last_event.as_deref().unwrap().parse().unwrap();
        for (week, rate) in trends.weeks.iter().zip(&series.rates) {
            let start: chrono::NaiveDate = week.start.parse().unwrap();
            let whole_window = start + Duration::days(7 + 30) <= last_event.date_naive();
            assert_eq!(week.complete, whole_window, "seed {seed}: week {}", week.start);
            assert_eq!(rate.is_some(), week.complete && week.steps[2] > 0, "seed {seed}: week {}", week.start);
        }
    }
}

#[test]
fn before_after_finds_drop_at_step() {
    for seed in SEEDS {
        let synth = synth(Plants { step_drop: true, ..Plants::default() }, seed);
        let change = ChangeDate { date: drop_date(&synth).to_string(), label: "new checkout".to_string() };
        let report = analyse(&synth, TrendsOptions { change_dates: vec![change], ..TrendsOptions::default() }).unwrap();
        let trends = report.trends.as_ref().unwrap();
        let before_after = &trends.changes[0];
        assert_eq!(before_after.weeks, 4, "seed {seed}");
        let comparison = before_after.comparison.as_ref().unwrap();
        let step = comparison.changes.iter().find(|change| change.label == PURCHASE_STEP).unwrap();
        assert_eq!(step.direction, Direction::Worse, "seed {seed}: {step:?}");
        assert!(step.q_value < 0.001, "seed {seed}: q {}", step.q_value);
        assert_eq!(comparison.worsened, vec!["conversion".to_string(), PURCHASE_STEP.to_string()], "seed {seed}");
        assert!(comparison.improved.is_empty(), "seed {seed}: {:?}", comparison.improved);
        assert!(!comparison.trade_off, "seed {seed}");
        assert!(trends.alerts.iter().any(|alert| alert.source.starts_with("change on") && alert.label == PURCHASE_STEP), "seed {seed}");
    }
}

#[test]
fn null_files_raise_few_alerts() {
    let first = synth(Plants::default(), 1);
    let middle = first.start.date_naive() + Duration::days(i64::from(DAYS) / 2);
    let periods = PeriodPair {
        a: DateRange { from: first.start.date_naive().to_string(), to: middle.to_string() },
        b: DateRange { from: middle.to_string(), to: (middle + Duration::days(i64::from(DAYS) / 2)).to_string() },
    };
    let mut flagged = Vec::new();
    let mut significant = Vec::new();
    let mut alerted = Vec::new();
    for seed in NULL_SEEDS {
        let report = analyse(&synth(Plants::default(), seed), TrendsOptions { periods: Some(periods.clone()), ..TrendsOptions::default() }).unwrap();
        let trends = report.trends.as_ref().unwrap();
        if trends.series.iter().any(|series| !series.change_points.is_empty()) {
            flagged.push(seed);
        }
        if trends.periods.as_ref().unwrap().changes.iter().any(|change| change.q_value < 0.05) {
            significant.push(seed);
        }
        if !trends.alerts.is_empty() {
            alerted.push(seed);
        }
    }
    assert!(flagged.len() <= MAX_NULL_SEEDS, "change points on null seeds {flagged:?}");
    assert!(significant.len() <= MAX_NULL_SEEDS, "period differences on null seeds {significant:?}");
    assert!(alerted.len() <= MAX_NULL_SEEDS, "alerts on null seeds {alerted:?}");
}

#[test]
fn baseline_round_trip_finds_drop() {
    let earlier = analyse(&synth(Plants::default(), 4), TrendsOptions::default()).unwrap();
    let saved = serde_json::to_string(&earlier.trends.as_ref().unwrap().baseline).unwrap();
    assert!(!saved.contains("p0000"), "the baseline contains a person id");

    let same = analyse(&synth(Plants::default(), 5), TrendsOptions { baseline: Some(saved.clone()), ..TrendsOptions::default() }).unwrap();
    let comparison = same.trends.as_ref().unwrap().baseline_comparison.as_ref().unwrap();
    assert!(comparison.worsened.is_empty(), "{:?}", comparison.worsened);
    assert!(comparison.improved.is_empty(), "{:?}", comparison.improved);
    assert!(comparison.changes.iter().any(|change| change.metric == Metric::Path), "no path compared");

    let dropped = analyse(&synth(Plants { step_drop: true, ..Plants::default() }, 5), TrendsOptions { baseline: Some(saved), ..TrendsOptions::default() }).unwrap();
    let comparison = dropped.trends.as_ref().unwrap().baseline_comparison.as_ref().unwrap();
    assert!(comparison.worsened.contains(&PURCHASE_STEP.to_string()), "{:?}", comparison.worsened);
}

#[test]
fn bad_inputs_name_the_option() {
    let synth = synth(Plants::default(), 6);
    let error = analyse(&synth, TrendsOptions { baseline: Some("{\"version\": 1}".to_string()), ..TrendsOptions::default() }).unwrap_err();
    assert!(error.contains("not a saved Pathlight baseline"), "{error}");
    let error = analyse(&synth, TrendsOptions { change_dates: vec![ChangeDate { date: "2024-13-01".to_string(), label: String::new() }], ..TrendsOptions::default() }).unwrap_err();
    assert!(error.contains("change date \"2024-13-01\""), "{error}");
    let backwards = PeriodPair { a: DateRange { from: "2024-02-01".into(), to: "2024-01-01".into() }, b: DateRange { from: "2024-02-01".into(), to: "2024-03-01".into() } };
    let error = analyse(&synth, TrendsOptions { periods: Some(backwards), ..TrendsOptions::default() }).unwrap_err();
    assert!(error.contains("Period A ends on 2024-01-01"), "{error}");
    let error = analyse(&synth, TrendsOptions { window: "soon".to_string(), ..TrendsOptions::default() }).unwrap_err();
    assert!(error.contains("trend window \"soon\""), "{error}");
}
