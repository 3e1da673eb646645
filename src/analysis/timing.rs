//! Time to convert: from a converter's first event to their first conversion event.
//!
//! Only converters are measured. A converter whose first conversion comes before every other
//! event of theirs has no journey before converting; such people are left out and reported,
//! because the data either misses their start or contains a date error.

use serde::Serialize;

use super::stats::quantile;
use super::Conversion;
use crate::ingest::time::to_rfc3339;
use crate::model::{EventLog, Journeys};
use crate::report::{counted, Warning};

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Histogram bin edges to choose from, with their labels.
pub(crate) const LADDER: [(i64, &str); 19] = [
    (10 * SECOND, "10 s"),
    (MINUTE, "1 min"),
    (5 * MINUTE, "5 min"),
    (15 * MINUTE, "15 min"),
    (HOUR, "1 h"),
    (3 * HOUR, "3 h"),
    (6 * HOUR, "6 h"),
    (12 * HOUR, "12 h"),
    (DAY, "1 day"),
    (2 * DAY, "2 days"),
    (3 * DAY, "3 days"),
    (7 * DAY, "7 days"),
    (14 * DAY, "14 days"),
    (30 * DAY, "30 days"),
    (60 * DAY, "60 days"),
    (90 * DAY, "90 days"),
    (180 * DAY, "180 days"),
    (365 * DAY, "365 days"),
    (730 * DAY, "730 days"),
];
const MAX_BINS: usize = 12;

/// One histogram bin: people whose time to convert is at least `from_ms` and below `to_ms`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub label: String,
    pub from_ms: i64,
    /// `None` for the last, open-ended bin.
    pub to_ms: Option<i64>,
    pub people: u64,
}

/// Time-to-convert statistics over converters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToConvert {
    /// Converters measured.
    pub measured: u64,
    /// Converters left out because nothing preceded their conversion.
    pub excluded: u64,
    pub mean_ms: Option<f64>,
    pub p25_ms: Option<f64>,
    pub median_ms: Option<f64>,
    pub p75_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub histogram: Vec<Bin>,
}

/// Measures every converter and adds a warning for those left out.
pub fn time_to_convert(log: &EventLog, journeys: &Journeys, conversion: &Conversion, warnings: &mut Vec<Warning>) -> TimeToConvert {
    let mut durations = Vec::new();
    let mut before_first_touch = 0u64;
    let mut no_touch = 0u64;
    let mut examples = Vec::new();
    for person in 0..journeys.people() {
        let Some(position) = conversion.first[person] else { continue };
        let journey = journeys.journey(person);
        if position == 0 {
            let converted_at = journey[0] as usize;
            if journey.iter().any(|&at| Some(log.event[at as usize]) != conversion.event) {
                before_first_touch += 1;
                if examples.len() < 5 {
                    let next = journey.iter().find(|&&at| Some(log.event[at as usize]) != conversion.event).map_or(0, |&at| at as usize);
                    examples.push(format!(
                        "{}: {} at {} comes before {} at {}",
                        log.people.name(log.person[converted_at]),
                        log.event_names.name(log.event[converted_at]),
                        to_rfc3339(log.time[converted_at]),
                        log.event_names.name(log.event[next]),
                        to_rfc3339(log.time[next]),
                    ));
                }
            } else {
                no_touch += 1;
            }
            continue;
        }
        let first = journey[0] as usize;
        let converted = journey[position] as usize;
        durations.push((log.time[converted] - log.time[first]) as f64);
    }

    if before_first_touch > 0 {
        warnings.push(
            Warning::new(
                "conversion_before_first_touch",
                before_first_touch,
                format!("{} converted before any other event of theirs, so their time to convert cannot be measured and they are left out of it. Check the data: a deal won before its lead was created is a data error, and journeys that start before the data does look the same.", people(before_first_touch)),
            )
            .with_examples(examples),
        );
    }
    if no_touch > 0 {
        warnings.push(Warning::new(
            "conversion_without_journey",
            no_touch,
            format!("{} converted with no other event of theirs in the data; they are left out of time to convert.", people(no_touch)),
        ));
    }

    durations.sort_by(f64::total_cmp);
    let mean = (!durations.is_empty()).then(|| durations.iter().sum::<f64>() / durations.len() as f64);
    TimeToConvert {
        measured: durations.len() as u64,
        excluded: before_first_touch + no_touch,
        mean_ms: mean,
        p25_ms: quantile(&durations, 0.25),
        median_ms: quantile(&durations, 0.5),
        p75_ms: quantile(&durations, 0.75),
        p90_ms: quantile(&durations, 0.9),
        max_ms: durations.last().copied(),
        histogram: histogram(&durations),
    }
}

fn people(count: u64) -> String {
    counted(count, "person", "people")
}

/// Bins sorted durations on edges from [`LADDER`] that span the data, at most [`MAX_BINS`] bins.
/// The last bin is open-ended only when the largest value is beyond the ladder.
pub fn histogram(sorted: &[f64]) -> Vec<Bin> {
    let Some(&max) = sorted.last() else { return Vec::new() };
    let covered = LADDER.iter().position(|&(edge, _)| (edge as f64) > max).map_or(LADDER.len(), |at| at + 1);
    let mut edges: Vec<(i64, &str)> = LADDER[..covered].to_vec();
    while edges.len() > MAX_BINS {
        // Keep every other edge, always keeping the largest.
        let last = edges.len() - 1;
        edges = edges.into_iter().enumerate().filter(|(i, _)| (last - i) % 2 == 0).map(|(_, edge)| edge).collect();
    }

    let mut bins = Vec::with_capacity(edges.len() + 1);
    let mut from: (i64, &str) = (0, "0");
    for &edge in &edges {
        bins.push(Bin { label: format!("{} to {}", from.1, edge.1), from_ms: from.0, to_ms: Some(edge.0), people: 0 });
        from = edge;
    }
    if covered == LADDER.len() && (LADDER[LADDER.len() - 1].0 as f64) <= max {
        bins.push(Bin { label: format!("{} or more", from.1), from_ms: from.0, to_ms: None, people: 0 });
    }

    for &duration in sorted {
        let at = bins.iter().position(|bin| bin.to_ms.is_none_or(|to| duration < to as f64)).unwrap_or(bins.len() - 1);
        bins[at].people += 1;
    }

    // Leading empty bins merge into the first bin that has people, which then starts at 0.
    let first = bins.iter().position(|bin| bin.people > 0).unwrap_or(0);
    bins.drain(..first);
    if let Some(bin) = bins.first_mut().filter(|bin| bin.from_ms > 0) {
        bin.from_ms = 0;
        bin.label = match LADDER.iter().find(|&&(edge, _)| Some(edge) == bin.to_ms) {
            Some((_, name)) => format!("under {name}"),
            None => "any time".to_string(),
        };
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_covers_every_value_once() {
        let values = [0.0, 30_000.0, 3_600_000.0, 90_000_000.0, 1e11];
        let bins = histogram(&values);
        assert_eq!(bins.iter().map(|bin| bin.people).sum::<u64>(), 5);
        assert!(bins.len() <= MAX_BINS);
        assert_eq!(bins.last().unwrap().to_ms, None, "1e11 ms is beyond the ladder");
        assert_eq!(bins[0].from_ms, 0);
    }

    #[test]
    fn histogram_of_seconds() {
        let bins = histogram(&[5_000.0, 30_000.0]);
        let labels: Vec<&str> = bins.iter().map(|bin| bin.label.as_str()).collect();
        assert_eq!(labels, ["0 to 10 s", "10 s to 1 min"]);
        assert_eq!(bins[0].people, 1);
        assert_eq!(bins[1].people, 1);
    }

    #[test]
    fn histogram_starts_at_the_first_filled_bin() {
        let bins = histogram(&[5.0 * HOUR as f64, 2.5 * DAY as f64]);
        let labels: Vec<&str> = bins.iter().map(|bin| bin.label.as_str()).collect();
        assert_eq!(labels, ["under 6 h", "6 h to 12 h", "12 h to 1 day", "1 day to 2 days", "2 days to 3 days"]);
        assert_eq!(bins[0].from_ms, 0);
        assert_eq!(bins[0].people, 1);
        assert_eq!(bins[4].people, 1);
    }

    #[test]
    fn empty_histogram() {
        assert!(histogram(&[]).is_empty());
    }
}
