//! Silences: the gaps of inactivity between a person's consecutive events, and how often people
//! come back after a silence of a given length.
//!
//! A closed gap runs from one event of a person to their next event in journey order. Each person
//! also has one open gap, from their last event to the end of the data (the last event time in the
//! whole log), because the data cannot show yet whether it ends. For a threshold g, a silence of at least g
//! is a closed gap of at least g, which ended in a return, or an open gap of at least g, which has
//! not. An open gap shorter than g is censored: it could still reach g, so it is left out of the
//! count for g rather than counted as a return or as a loss.

use serde::{Deserialize, Serialize};

use super::timing::{histogram, LADDER};
use super::{stats, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys};

/// The shortest comeback threshold. Shorter gaps mostly fall inside one visit, which sessions
/// describe.
const MIN_THRESHOLD_MS: i64 = 3_600_000;

/// Options for silences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SilencesOptions {
    /// People rarely come back after a threshold from which on at most this share of silences end
    /// in a return.
    pub return_rule: f64,
    /// Thresholds with fewer silences than this are not used by the rule.
    pub min_silences: u64,
}

impl Default for SilencesOptions {
    fn default() -> SilencesOptions {
        SilencesOptions { return_rule: 0.1, min_silences: 10 }
    }
}

/// One histogram bin: closed gaps at least `from_ms` and below `to_ms` long.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapBin {
    pub label: String,
    pub from_ms: i64,
    /// `None` for the last, open-ended bin.
    pub to_ms: Option<i64>,
    pub gaps: u64,
}

/// The silences of at least one threshold and how they ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComebackRow {
    pub label: String,
    pub threshold_ms: i64,
    /// Closed gaps of at least the threshold plus open gaps of at least the threshold.
    pub silences: u64,
    /// Closed gaps of at least the threshold: the person came back.
    pub returned: u64,
    /// Open gaps of at least the threshold: the person has not come back by the end of the data.
    pub not_returned: u64,
    /// Open gaps shorter than the threshold, left out of `silences`.
    pub censored: u64,
    /// `returned / silences`.
    pub return_share: f64,
    /// Silences of at least the threshold that start before the person's first conversion; 0
    /// without a conversion event.
    pub before_conversion: u64,
    /// Of `before_conversion`, those of people who converted later.
    pub converted_after: u64,
    /// `converted_after / before_conversion`; `None` without a conversion event or without such
    /// silences.
    pub converted_share: Option<f64>,
}

/// The silences part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilencesReport {
    pub return_rule: f64,
    pub min_silences: u64,
    /// People with at least one event; each has one open gap.
    pub people: u64,
    /// Closed gaps over all people.
    pub gaps: u64,
    pub median_gap_ms: Option<f64>,
    pub p90_gap_ms: Option<f64>,
    pub histogram: Vec<GapBin>,
    /// One row per threshold from 1 hour up, while at least one silence reaches it.
    pub comeback: Vec<ComebackRow>,
    /// The smallest threshold from which on every row with at least `min_silences` silences has
    /// a return share of at most `return_rule`. It is `None` when no threshold qualifies.
    pub rarely_back_after_ms: Option<i64>,
    pub rarely_back_after_label: Option<String>,
}

/// Lists the comeback thresholds in increasing order: the ladder edges from [`MIN_THRESHOLD_MS`] up.
fn thresholds() -> impl Iterator<Item = i64> {
    LADDER.iter().map(|&(edge, _)| edge).filter(|&edge| edge >= MIN_THRESHOLD_MS)
}

/// Gap counts by how many comeback thresholds each gap reaches. The comeback table needs only
/// these counts, so the gaps themselves are not kept.
struct Tally {
    thresholds: Vec<i64>,
    /// `by_reached[k]` counts the gaps that reach exactly the `k` smallest thresholds.
    by_reached: Vec<u64>,
    total: u64,
}

impl Tally {
    fn new() -> Tally {
        let thresholds: Vec<i64> = thresholds().collect();
        let by_reached = vec![0; thresholds.len() + 1];
        Tally { thresholds, by_reached, total: 0 }
    }

    fn add(&mut self, gap: i64) {
        let reached = self.thresholds.partition_point(|&threshold| threshold <= gap);
        self.by_reached[reached] += 1;
        self.total += 1;
    }

    /// Counts the gaps that are at least the threshold at `index` in [`thresholds`] long.
    fn at_least(&self, index: usize) -> u64 {
        self.by_reached.get(index + 1..).map_or(0, |counts| counts.iter().sum())
    }
}

/// Every person's gaps: the closed ones in full, for their quantiles and histogram, and the
/// rest as tallies for the comeback table.
struct Gaps {
    /// The closed gaps, sorted in increasing order.
    closed: Vec<i64>,
    closed_tally: Tally,
    open: Tally,
    /// Closed and open gaps that start before a first conversion, and closed ones of people who
    /// converted after them.
    closed_before_conversion: Tally,
    open_before_conversion: Tally,
    converted_after: Tally,
}

/// Measures every gap and the comeback curve.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &SilencesOptions) -> Result<SilencesReport, Error> {
    if !(options.return_rule > 0.0 && options.return_rule < 1.0) {
        return Err(Error::Options(format!(
            "The silences return_rule must be a share between 0 and 1, such as 0.1, not {}.",
            options.return_rule
        )));
    }
    let gaps = collect(log, journeys, conversion);
    let comeback = comeback(&gaps, conversion.event.is_some());
    let rarely_back = rarely_back_after(&comeback, options);
    let people = gaps.open.total;
    // The conversion reuses the sorted gaps' memory, about 8 bytes per event.
    let closed: Vec<f64> = gaps.closed.into_iter().map(|gap| gap as f64).collect();

    Ok(SilencesReport {
        return_rule: options.return_rule,
        min_silences: options.min_silences,
        people,
        gaps: closed.len() as u64,
        median_gap_ms: stats::quantile(&closed, 0.5),
        p90_gap_ms: stats::quantile(&closed, 0.9),
        histogram: histogram(&closed)
            .into_iter()
            .map(|bin| GapBin { label: bin.label, from_ms: bin.from_ms, to_ms: bin.to_ms, gaps: bin.people })
            .collect(),
        rarely_back_after_ms: rarely_back.map(|row| row.threshold_ms),
        rarely_back_after_label: rarely_back.map(|row| row.label.clone()),
        comeback,
    })
}

/// Collects every person's closed gaps and their open gap.
fn collect(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> Gaps {
    let data_end = log.time.iter().copied().max().unwrap_or(0);
    let closed_count: usize = (0..journeys.people()).map(|person| journeys.journey(person).len().saturating_sub(1)).sum();
    let mut gaps = Gaps {
        closed: Vec::with_capacity(closed_count),
        closed_tally: Tally::new(),
        open: Tally::new(),
        closed_before_conversion: Tally::new(),
        open_before_conversion: Tally::new(),
        converted_after: Tally::new(),
    };
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let Some(&last) = journey.last() else { continue };
        let first_conversion = conversion.first[person];
        for (position, pair) in journey.windows(2).enumerate() {
            let gap = log.time[pair[1] as usize] - log.time[pair[0] as usize];
            gaps.closed.push(gap);
            gaps.closed_tally.add(gap);
            // The gap after `position` starts before the first conversion when that conversion
            // comes later in the journey.
            match first_conversion {
                Some(converted) if position < converted => {
                    gaps.closed_before_conversion.add(gap);
                    gaps.converted_after.add(gap);
                }
                Some(_) => {}
                None => gaps.closed_before_conversion.add(gap),
            }
        }
        let open = data_end - log.time[last as usize];
        gaps.open.add(open);
        if first_conversion.is_none() {
            gaps.open_before_conversion.add(open);
        }
    }
    gaps.closed.sort_unstable();
    gaps
}

/// Returns one row per ladder threshold from [`MIN_THRESHOLD_MS`] up, while any silence reaches it.
fn comeback(gaps: &Gaps, has_conversion: bool) -> Vec<ComebackRow> {
    let mut rows = Vec::new();
    let labelled = LADDER.iter().filter(|&&(edge, _)| edge >= MIN_THRESHOLD_MS);
    for (index, &(threshold_ms, label)) in labelled.enumerate() {
        let returned = gaps.closed_tally.at_least(index);
        let not_returned = gaps.open.at_least(index);
        let silences = returned + not_returned;
        if silences == 0 {
            // Longer thresholds cannot have more silences.
            break;
        }
        let (before_conversion, converted_after) = if has_conversion {
            let before = gaps.closed_before_conversion.at_least(index) + gaps.open_before_conversion.at_least(index);
            (before, gaps.converted_after.at_least(index))
        } else {
            (0, 0)
        };
        rows.push(ComebackRow {
            label: label.to_string(),
            threshold_ms,
            silences,
            returned,
            not_returned,
            censored: gaps.open.total - not_returned,
            return_share: returned as f64 / silences as f64,
            before_conversion,
            converted_after,
            converted_share: (has_conversion && before_conversion > 0).then(|| converted_after as f64 / before_conversion as f64),
        });
    }
    rows
}

/// Finds the smallest threshold from which on every supported row returns at most the rule's
/// share.
fn rarely_back_after<'a>(rows: &'a [ComebackRow], options: &SilencesOptions) -> Option<&'a ComebackRow> {
    let mut found = None;
    for row in rows.iter().rev().filter(|row| row.silences >= options.min_silences) {
        if row.return_share > options.return_rule {
            break;
        }
        found = Some(row);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;

    /// Builds a log from (person, hour, event) triples.
    fn build(events: &[(&str, i64, &str)]) -> (EventLog, Journeys) {
        crate::model::test_log(events, HOUR_MS)
    }

    fn silences_of(events: &[(&str, i64, &str)], conversion: Option<&str>, options: &SilencesOptions) -> SilencesReport {
        let (log, journeys) = build(events);
        let conversion = Conversion::find(&log, &journeys, conversion).unwrap();
        compute(&log, &journeys, &conversion, options).unwrap()
    }

    #[test]
    fn open_gaps_shorter_than_threshold_are_censored() {
        // The data ends at hour 30. u1: closed gaps 2 h and 24 h, open gap 4 h (26 to 30).
        // u2: closed gap 5 h, open gap 0. u3: no closed gap, open gap 30 h.
        let events = [("u1", 0, "a"), ("u1", 2, "a"), ("u1", 26, "buy"), ("u2", 25, "a"), ("u2", 30, "a"), ("u3", 0, "a")];
        let report = silences_of(&events, Some("buy"), &SilencesOptions { min_silences: 1, ..SilencesOptions::default() });
        assert_eq!((report.people, report.gaps), (3, 3));
        let row = |label: &str| report.comeback.iter().find(|row| row.label == label).unwrap().clone();

        // At 1 h: closed 2, 24, 5 all return; open 4 and 30 did not; open 0 is censored.
        let hour = row("1 h");
        assert_eq!((hour.silences, hour.returned, hour.not_returned, hour.censored), (5, 3, 2, 1));
        // Before conversion: u1's 2 h and 24 h (both then converted), u2's 5 h and u3's open 30 h.
        // u2's open gap of 0 is shorter than 1 h.
        assert_eq!((hour.before_conversion, hour.converted_after), (4, 2));
        assert_eq!(hour.converted_share, Some(0.5));

        // At 12 h: closed 24 returns; open 30 did not; open 4 and 0 are censored.
        let half_day = row("12 h");
        assert_eq!((half_day.silences, half_day.returned, half_day.not_returned, half_day.censored), (2, 1, 1, 2));
        assert_eq!(half_day.return_share, 0.5);

        // At 2 days nothing reaches the threshold, so the rows stop at 1 day.
        assert_eq!(report.comeback.last().unwrap().label, "1 day");
        let day = row("1 day");
        assert_eq!((day.silences, day.returned), (2, 1));
    }

    #[test]
    fn rule_needs_every_later_row_low() {
        // One return after 24 h, then 9 people silent for 50 h at the data end.
        let mut events = vec![("u0", 0, "a"), ("u0", 24, "a"), ("u0", 50, "a")];
        let names: Vec<String> = (1..=9).map(|index| format!("p{index}")).collect();
        for name in &names {
            events.push((name.as_str(), 0, "a"));
        }
        let options = SilencesOptions { return_rule: 0.1, min_silences: 1 };
        let report = silences_of(&events, None, &options);
        // At 1 day: 2 returns (24 h and 26 h), 9 not returned, so 2/11 > 0.1.
        // At 2 days: 0 returns of 9 silences, so 0 <= 0.1.
        let day = report.comeback.iter().find(|row| row.label == "1 day").unwrap();
        assert_eq!((day.returned, day.silences), (2, 11));
        assert_eq!(report.rarely_back_after_label.as_deref(), Some("2 days"));
        assert_eq!(report.rarely_back_after_ms, Some(48 * HOUR_MS));
        assert!(report.comeback.iter().all(|row| row.converted_share.is_none()));

        // With a minimum of 10 silences no row after 1 day qualifies, and 1 day is above the rule.
        let strict = silences_of(&events, None, &SilencesOptions { min_silences: 10, ..options });
        assert_eq!(strict.rarely_back_after_ms, None);
    }

    #[test]
    fn histogram_counts_closed_gaps() {
        let report = silences_of(&[("u1", 0, "a"), ("u1", 0, "b"), ("u1", 5, "c")], None, &SilencesOptions::default());
        assert_eq!(report.histogram.iter().map(|bin| bin.gaps).sum::<u64>(), 2);
        assert_eq!(report.median_gap_ms, Some(2.5 * HOUR_MS as f64));
    }

    #[test]
    fn tally_counts_gaps_at_least_each_threshold() {
        let all: Vec<i64> = thresholds().collect();
        // Gaps on, just below and just above every threshold, and a few far from them.
        let mut gaps: Vec<i64> = all.iter().flat_map(|&threshold| [threshold - 1, threshold, threshold + 1]).collect();
        gaps.extend([0, 1, i64::MAX]);
        let mut tally = Tally::new();
        gaps.iter().for_each(|&gap| tally.add(gap));
        assert_eq!(tally.total, gaps.len() as u64);
        for (index, &threshold) in all.iter().enumerate() {
            let expected = gaps.iter().filter(|&&gap| gap >= threshold).count() as u64;
            assert_eq!(tally.at_least(index), expected, "threshold {threshold}");
        }
    }

    #[test]
    fn invalid_return_rule_is_rejected() {
        let (log, journeys) = build(&[("u1", 0, "a")]);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        for rule in [0.0, 1.0, f64::NAN] {
            let options = SilencesOptions { return_rule: rule, ..SilencesOptions::default() };
            let error = compute(&log, &journeys, &conversion, &options).unwrap_err().to_string();
            assert!(error.contains("return_rule"), "{error}");
        }
    }
}
