//! Drivers: the touchpoints and property values that converters had more or less often than
//! non-converters, each tested on its 2×2 table of people.
//!
//! A person's observed events run from the start of the journey up to, and not including, their
//! first conversion for converters, or to the end of the journey for everyone else. With a funnel
//! window, a person converts only when their first conversion falls within the window from their
//! first event (boundary included), and a person who does not is observed up to the end of that
//! window. A feature is an event name, a channel, or a value of a filter column with at most
//! `max_values_per_column` distinct values, and a person has it when one of their observed
//! events carries it. These are associations, never causes.

pub(crate) mod contingency;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use self::contingency::{benjamini_hochberg, Table, MIN_EXPECTED};
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys, Property, NONE};
use crate::sorting;

/// The largest `max_tests` accepted.
pub const MAX_TESTS: usize = 5_000;
/// The largest `max_values_per_column` accepted.
pub const MAX_VALUES_PER_COLUMN: usize = 1_000;
/// The largest `top` accepted.
pub const MAX_TOP: usize = 100;

/// The sentence the report carries with every drivers result.
pub const ASSOCIATION_NOTE: &str = "These are associations between what people did before converting and whether they converted, not causes: people who were going to convert anyway may simply do more of some things.";

/// Options for the drivers analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriversOptions {
    /// Minimum people, both groups together, who must have a feature for it to be tested.
    pub min_people: u64,
    /// Minimum converters, and minimum non-converters, who must have a feature. A group smaller
    /// than this needs only its own size.
    pub min_people_per_group: u64,
    /// Filter columns with more distinct values than this are not tested.
    pub max_values_per_column: usize,
    /// Maximum features tested. Beyond it, the features that the fewest people had are dropped.
    pub max_tests: usize,
    /// How many of the strongest positive and negative signals to list.
    pub top: usize,
    /// The q-value below which a signal is listed as positive or negative.
    pub false_discovery_rate: f64,
}

impl Default for DriversOptions {
    fn default() -> DriversOptions {
        DriversOptions { min_people: 10, min_people_per_group: 5, max_values_per_column: 50, max_tests: 500, top: 10, false_discovery_rate: 0.05 }
    }
}

/// Kind of feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    Event,
    Channel,
    Property,
}

/// The test behind a p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Fisher's exact test, two-sided, when an expected cell count is below 5.
    Fisher,
    /// Pearson's chi-square test with 1 degree of freedom and no continuity correction.
    ChiSquare,
}

/// One tested feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    pub kind: FeatureKind,
    /// The filter column of a `property` feature; `None` otherwise.
    pub column: Option<String>,
    /// The event name, the channel or the column's value.
    pub value: String,
    /// Converters who had the feature.
    pub converters: u64,
    /// Non-converters who had the feature.
    pub non_converters: u64,
    pub converter_share: f64,
    pub non_converter_share: f64,
    pub odds_ratio: f64,
    pub lower_95: f64,
    pub upper_95: f64,
    /// True when a cell of the table was 0 and 0.5 was added to every cell.
    pub zero_corrected: bool,
    pub test: TestKind,
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value across every tested feature.
    pub q_value: f64,
}

/// Reason a filter column was not tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// More distinct values than `max_values_per_column`.
    TooManyValues,
    /// Every event has the same value in it as its channel, so it repeats the channel features.
    SameAsChannel,
}

/// A filter column left out of the tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedColumn {
    pub column: String,
    pub values: u64,
    pub reason: SkipReason,
}

/// The drivers part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriversReport {
    /// The funnel window that bounds each person's observed events, or `None` without one.
    pub window_ms: Option<i64>,
    /// People whose first conversion falls in their observed span.
    pub converters: u64,
    pub non_converters: u64,
    pub min_people: u64,
    pub min_people_per_group: u64,
    pub max_tests: usize,
    pub false_discovery_rate: f64,
    /// Features that at least one person had.
    pub candidates: u64,
    /// Features that too few people had, overall or in a group.
    pub below_support: u64,
    /// Features whose table has an empty row or column: everyone had them, or a group is empty.
    pub untestable: u64,
    /// Features with enough support that were not tested because of `max_tests`.
    pub over_cap: u64,
    pub tested: u64,
    pub skipped_columns: Vec<SkippedColumn>,
    /// Every tested feature, by p-value, smallest first.
    pub tests: Vec<Driver>,
    /// Features with q below the false discovery rate and an odds ratio above 1, largest first.
    pub positive: Vec<Driver>,
    /// Features with q below the false discovery rate and an odds ratio below 1, smallest first.
    pub negative: Vec<Driver>,
    pub note: String,
}

/// One feature: its kind, the property index for a `property` feature, and the interned id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Feature {
    kind: FeatureKind,
    property: usize,
    id: u32,
}

/// Compares converters with non-converters. Returns `None` without a conversion event.
/// `window_ms` is the funnel window, or `None` when there is none or the times are synthetic.
pub fn compute(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    options: &DriversOptions,
    window_ms: Option<i64>,
) -> Result<Option<DriversReport>, Error> {
    validate(options)?;
    if conversion.event.is_none() {
        return Ok(None);
    }
    let (columns, skipped_columns) = tested_columns(log, options.max_values_per_column);
    let counts = count_people(log, journeys, conversion, &columns, window_ms);
    let Counts { converters, non_converters, .. } = counts;

    let group_minimum = (options.min_people_per_group.min(converters), options.min_people_per_group.min(non_converters));
    let mut report = DriversReport {
        window_ms,
        converters,
        non_converters,
        min_people: options.min_people,
        min_people_per_group: options.min_people_per_group,
        max_tests: options.max_tests,
        false_discovery_rate: options.false_discovery_rate,
        candidates: counts.features.len() as u64,
        below_support: 0,
        untestable: 0,
        over_cap: 0,
        tested: 0,
        skipped_columns,
        tests: Vec::new(),
        positive: Vec::new(),
        negative: Vec::new(),
        note: ASSOCIATION_NOTE.to_string(),
    };
    let mut eligible: Vec<(Feature, Table)> = Vec::new();
    for (&feature, &(had_converters, had_others)) in &counts.features {
        let table = Table { a: had_converters, b: converters - had_converters, c: had_others, d: non_converters - had_others };
        if had_converters + had_others < options.min_people || had_converters < group_minimum.0 || had_others < group_minimum.1 {
            report.below_support += 1;
        } else if converters == 0 || non_converters == 0 || table.b + table.d == 0 {
            report.untestable += 1;
        } else {
            eligible.push((feature, table));
        }
    }

    // The most widely held features are kept when there are more than `max_tests`.
    let label = |feature: &Feature| (feature.kind, column_name(log, feature), value_name(log, feature));
    sorting::sort_by(&mut eligible, |(x, x_table), (y, y_table)| (y_table.a + y_table.c).cmp(&(x_table.a + x_table.c)).then_with(|| label(x).cmp(&label(y))));
    report.over_cap = eligible.len().saturating_sub(options.max_tests) as u64;
    eligible.truncate(options.max_tests);
    report.tested = eligible.len() as u64;

    let mut tests: Vec<Driver> = eligible.iter().map(|(feature, table)| test(log, feature, table)).collect();
    let q_values = benjamini_hochberg(&tests.iter().map(|driver| driver.p_value).collect::<Vec<_>>());
    for (driver, q_value) in tests.iter_mut().zip(q_values) {
        driver.q_value = q_value;
    }
    sorting::sort_by(&mut tests, |x, y| x.p_value.total_cmp(&y.p_value).then_with(|| driver_label(x).cmp(&driver_label(y))));

    let significant = |driver: &&Driver| driver.q_value < options.false_discovery_rate;
    let mut positive: Vec<Driver> = tests.iter().filter(significant).filter(|driver| driver.odds_ratio > 1.0).cloned().collect();
    sorting::sort_by(&mut positive, |x, y| y.odds_ratio.total_cmp(&x.odds_ratio).then_with(|| driver_label(x).cmp(&driver_label(y))));
    positive.truncate(options.top);
    let mut negative: Vec<Driver> = tests.iter().filter(significant).filter(|driver| driver.odds_ratio < 1.0).cloned().collect();
    sorting::sort_by(&mut negative, |x, y| x.odds_ratio.total_cmp(&y.odds_ratio).then_with(|| driver_label(x).cmp(&driver_label(y))));
    negative.truncate(options.top);
    report.tests = tests;
    report.positive = positive;
    report.negative = negative;
    Ok(Some(report))
}

/// Rejects option values outside their documented ranges.
fn validate(options: &DriversOptions) -> Result<(), Error> {
    let invalid = |message: String| Err(Error::Options(message));
    if options.min_people == 0 {
        return invalid("The drivers' min_people must be at least 1, not 0.".to_string());
    }
    if options.max_tests == 0 || options.max_tests > MAX_TESTS {
        return invalid(format!("The drivers' max_tests must be between 1 and {MAX_TESTS}, not {}.", options.max_tests));
    }
    if options.max_values_per_column == 0 || options.max_values_per_column > MAX_VALUES_PER_COLUMN {
        return invalid(format!(
            "The drivers' max_values_per_column must be between 1 and {MAX_VALUES_PER_COLUMN}, not {}.",
            options.max_values_per_column
        ));
    }
    if options.top == 0 || options.top > MAX_TOP {
        return invalid(format!("The drivers' top must be between 1 and {MAX_TOP}, not {}.", options.top));
    }
    let rate = options.false_discovery_rate;
    if !(rate > 0.0 && rate <= 1.0) {
        return invalid(format!("The drivers' false_discovery_rate must be above 0 and at most 1, not {rate}."));
    }
    Ok(())
}

/// Runs the tests of one feature's table. The q-value is filled in later.
fn test(log: &EventLog, feature: &Feature, table: &Table) -> Driver {
    let ratio = table.odds_ratio();
    let (test, p_value) = test_table(table);
    Driver {
        kind: feature.kind,
        column: column_name(log, feature).map(str::to_string),
        value: value_name(log, feature).to_string(),
        converters: table.a,
        non_converters: table.c,
        converter_share: table.a as f64 / (table.a + table.b) as f64,
        non_converter_share: table.c as f64 / (table.c + table.d) as f64,
        odds_ratio: ratio.estimate,
        lower_95: ratio.lower,
        upper_95: ratio.upper,
        zero_corrected: ratio.corrected,
        test,
        p_value,
        q_value: 1.0,
    }
}

/// Returns the test used on a table and its p-value: Fisher's exact test when an expected cell
/// count is below [`MIN_EXPECTED`], Pearson's chi-square test otherwise.
pub(crate) fn test_table(table: &Table) -> (TestKind, f64) {
    if table.min_expected() < MIN_EXPECTED {
        (TestKind::Fisher, table.fisher_exact())
    } else {
        (TestKind::ChiSquare, table.chi_square_p())
    }
}

fn column_name<'l>(log: &'l EventLog, feature: &Feature) -> Option<&'l str> {
    (feature.kind == FeatureKind::Property).then(|| log.properties[feature.property].name.as_str())
}

fn value_name<'l>(log: &'l EventLog, feature: &Feature) -> &'l str {
    match feature.kind {
        FeatureKind::Event => log.event_names.name(feature.id),
        FeatureKind::Channel => log.channels.name(feature.id),
        FeatureKind::Property => log.properties[feature.property].values.name(feature.id),
    }
}

/// Orders drivers with equal statistics by kind, column and value, so the report is stable.
fn driver_label(driver: &Driver) -> (FeatureKind, Option<&str>, &str) {
    (driver.kind, driver.column.as_deref(), driver.value.as_str())
}

/// Splits the filter columns into those tested and those skipped, with the reason.
fn tested_columns(log: &EventLog, max_values: usize) -> (Vec<usize>, Vec<SkippedColumn>) {
    let mut tested = Vec::new();
    let mut skipped = Vec::new();
    for (index, property) in log.properties.iter().enumerate() {
        let values = property.values.len();
        let reason = if values > max_values {
            Some(SkipReason::TooManyValues)
        } else if same_as_channel(log, property) {
            Some(SkipReason::SameAsChannel)
        } else {
            None
        };
        match reason {
            Some(reason) => skipped.push(SkippedColumn { column: property.name.clone(), values: values as u64, reason }),
            None => tested.push(index),
        }
    }
    (tested, skipped)
}

/// Returns true when every event's value in `property` is its channel, both missing included:
/// the column was read as the channel.
fn same_as_channel(log: &EventLog, property: &Property) -> bool {
    !log.channels.is_empty()
        && property.codes.iter().zip(&log.channel).all(|(&code, &channel)| match (code, channel) {
            (NONE, NONE) => true,
            (NONE, _) | (_, NONE) => false,
            (code, channel) => property.values.name(code) == log.channels.name(channel),
        })
}

/// The group sizes and, for each feature, the converters and non-converters who had it.
struct Counts {
    converters: u64,
    non_converters: u64,
    features: HashMap<Feature, (u64, u64)>,
}

/// Counts each person once per feature over their observed events.
fn count_people(log: &EventLog, journeys: &Journeys, conversion: &Conversion, columns: &[usize], window_ms: Option<i64>) -> Counts {
    let mut counts = Counts { converters: 0, non_converters: 0, features: HashMap::default() };
    let mut seen: Vec<Feature> = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let (observed, converted) = observed_events(log, journey, conversion.first[person], window_ms);
        seen.clear();
        for &at in observed {
            let at = at as usize;
            seen.push(Feature { kind: FeatureKind::Event, property: 0, id: log.event[at] });
            if log.channel[at] != NONE {
                seen.push(Feature { kind: FeatureKind::Channel, property: 0, id: log.channel[at] });
            }
            for &property in columns {
                let code = log.properties[property].codes[at];
                if code != NONE {
                    seen.push(Feature { kind: FeatureKind::Property, property, id: code });
                }
            }
        }
        seen.sort_unstable_by_key(|feature| (feature.kind, feature.property, feature.id));
        seen.dedup();
        if converted {
            counts.converters += 1;
        } else {
            counts.non_converters += 1;
        }
        for feature in &seen {
            let entry = counts.features.entry(*feature).or_insert((0, 0));
            if converted {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    counts
}

/// Returns a person's observed events and whether they count as a converter. `first` is the
/// position of their first conversion in `journey`.
pub(crate) fn observed_events<'j>(log: &EventLog, journey: &'j [u32], first: Option<usize>, window_ms: Option<i64>) -> (&'j [u32], bool) {
    let Some(window) = window_ms else {
        return match first {
            Some(position) => (&journey[..position], true),
            None => (journey, false),
        };
    };
    let Some(&start) = journey.first() else {
        return (journey, false);
    };
    let end = log.time[start as usize].saturating_add(window);
    match first {
        Some(position) if log.time[journey[position] as usize] <= end => (&journey[..position], true),
        _ => {
            let inside = journey.partition_point(|&at| log.time[at as usize] <= end);
            (&journey[..inside], false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    const HOUR_MS: i64 = 3_600_000;

    /// Builds a log with one person per journey, events one hour apart. Each event is written
    /// `name` or `name@channel`.
    fn build(journeys: &[&str]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (number, journey) in journeys.iter().enumerate() {
            let person = log.identifier(&format!("p{number}"), IdentityKind::UserId);
            for (step, event) in journey.split('>').map(str::trim).enumerate() {
                let (event, channel) = match event.split_once('@') {
                    Some((event, channel)) => (event, Some(channel)),
                    None => (event, None),
                };
                let time = step as i64 * HOUR_MS;
                log.push(NewEvent { person, time, event, channel, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 2 }, []);
            }
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn analyze(journeys: &[&str], options: &DriversOptions, window_ms: Option<i64>) -> DriversReport {
        let (log, built) = build(journeys);
        let conversion = Conversion::find(&log, &built, Some("buy")).unwrap();
        compute(&log, &built, &conversion, options, window_ms).unwrap().unwrap()
    }

    fn loose() -> DriversOptions {
        DriversOptions { min_people: 1, min_people_per_group: 0, ..DriversOptions::default() }
    }

    fn row<'r>(report: &'r DriversReport, value: &str) -> &'r Driver {
        report.tests.iter().find(|row| row.value == value).unwrap_or_else(|| panic!("{value} was not tested"))
    }

    #[test]
    fn events_after_conversion_not_counted() {
        let report = analyze(&["a > buy > late", "a > b", "b"], &loose(), None);
        assert!(report.tests.iter().all(|row| row.value != "late"), "an event after the conversion was counted");
        assert!(report.tests.iter().all(|row| row.value != "buy"), "the conversion itself was counted");
        assert_eq!(row(&report, "a").converters, 1);
        assert_eq!(row(&report, "a").non_converters, 1);
    }

    #[test]
    fn window_bounds_conversion_and_span() {
        // p0 converts 2 hours after their first event, p1 after 3 hours, beyond a 2-hour window.
        let journeys = ["a > b > buy", "a > b > c > buy", "a > b > c > d"];
        let report = analyze(&journeys, &loose(), Some(2 * HOUR_MS));
        assert_eq!((report.converters, report.non_converters), (1, 2));
        assert_eq!(report.window_ms, Some(2 * HOUR_MS));
        // c, 2 hours after the first event, is inside the window (boundary included); d is not.
        assert_eq!(row(&report, "c").non_converters, 2);
        assert!(report.tests.iter().all(|row| row.value != "d"), "an event after the window was counted");
        let unbounded = analyze(&journeys, &loose(), None);
        assert_eq!((unbounded.converters, unbounded.non_converters), (2, 1));
    }

    #[test]
    fn support_minimums_filter_features() {
        let mut journeys = vec!["a > buy"; 6];
        journeys.extend(["a", "a", "a", "a", "b > buy", "b", "b", "b", "b", "b"]);
        let options = DriversOptions { min_people: 5, min_people_per_group: 2, ..DriversOptions::default() };
        let report = analyze(&journeys, &options, None);
        assert_eq!(report.candidates, 2);
        // b: 1 converter, below the per-group minimum of 2.
        assert_eq!(report.below_support, 1);
        assert_eq!(row(&report, "a").converters, 6);
    }

    #[test]
    fn group_minimum_lowered_to_group_size() {
        let mut journeys = vec!["a > buy"];
        journeys.extend(vec!["a"; 10]);
        journeys.extend(vec!["b"; 10]);
        let report = analyze(&journeys, &DriversOptions::default(), None);
        assert_eq!(row(&report, "a").converters, 1, "1 converter is the whole group");
    }

    #[test]
    fn feature_everyone_had_is_untestable() {
        let report = analyze(&["a > buy", "a > b", "a"], &loose(), None);
        assert_eq!(report.untestable, 1);
        assert!(report.tests.iter().all(|row| row.value != "a"));
    }

    #[test]
    fn channels_are_features() {
        let report = analyze(&["a@mail > buy", "a@ads", "a@mail > b"], &loose(), None);
        let mail = report.tests.iter().find(|row| row.kind == FeatureKind::Channel && row.value == "mail").unwrap();
        assert_eq!((mail.converters, mail.non_converters), (1, 1));
    }

    #[test]
    fn cap_keeps_most_widely_held() {
        let report = analyze(&["a > b > buy", "a > c", "a > b > d", "e"], &DriversOptions { max_tests: 2, ..loose() }, None);
        assert_eq!(report.tested, 2);
        assert_eq!(report.over_cap, 3);
        let mut tested: Vec<&str> = report.tests.iter().map(|row| row.value.as_str()).collect();
        tested.sort();
        assert_eq!(tested, ["a", "b"]);
    }

    #[test]
    fn channel_column_not_tested_twice() {
        let (mut log, _) = build(&["a@mail > buy", "a@ads"]);
        let column = log.property_index("source");
        let plan = log.property_index("plan");
        for at in 0..log.len() {
            let channel = log.channels.name(log.channel[at]).to_string();
            if !channel.is_empty() {
                log.properties[column].codes[at] = log.properties[column].values.intern(&channel);
            }
            log.properties[plan].codes[at] = log.properties[plan].values.intern("pro");
        }
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let report = compute(&log, &journeys, &conversion, &loose(), None).unwrap().unwrap();
        assert_eq!(report.skipped_columns.len(), 1);
        assert_eq!(report.skipped_columns[0].column, "source");
        assert_eq!(report.skipped_columns[0].reason, SkipReason::SameAsChannel);
    }

    #[test]
    fn none_without_conversion() {
        let (log, journeys) = build(&["a > buy"]);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        assert!(compute(&log, &journeys, &conversion, &DriversOptions::default(), None).unwrap().is_none());
    }

    #[test]
    fn invalid_options_rejected() {
        let (log, journeys) = build(&["a > buy"]);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let cases = [
            (DriversOptions { min_people: 0, ..DriversOptions::default() }, "min_people"),
            (DriversOptions { max_tests: 0, ..DriversOptions::default() }, "max_tests"),
            (DriversOptions { max_values_per_column: MAX_VALUES_PER_COLUMN + 1, ..DriversOptions::default() }, "max_values_per_column"),
            (DriversOptions { top: 0, ..DriversOptions::default() }, "top"),
            (DriversOptions { false_discovery_rate: 0.0, ..DriversOptions::default() }, "false_discovery_rate"),
        ];
        for (options, field) in cases {
            let error = compute(&log, &journeys, &conversion, &options, None).unwrap_err().to_string();
            assert!(error.contains(field), "{field}: {error}");
        }
    }
}
