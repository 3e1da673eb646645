//! Aggregate-only figures of a set of people, so that two periods of one upload, or this upload
//! and a saved baseline of an earlier one, can be compared without keeping raw data.
//!
//! A person belongs to the set of their first event. Every figure is counted within the
//! comparison window from that first event, and a step reached or a conversion made later does
//! not count. So a recent period whose people have had less time is not judged by a shorter wait
//! than an older one. [`PeriodAggregates`] contains counts, bins and a median, and no
//! person id, event time or value.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::{self, FunnelOptions};
use super::paths::journey_path;
use super::stats::median;
use super::Conversion;
use crate::error::Error;
use crate::ingest::time::to_rfc3339;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The version of the [`PeriodAggregates`] layout; a baseline of another version is rejected.
pub const AGGREGATES_VERSION: u32 = 1;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Lower edges of the time-to-convert bins after the first, which starts at 0. The last bin is
/// open-ended. Fixed, so that the bins of any two periods line up.
pub const TIME_BIN_EDGES_MS: [i64; 8] = [HOUR_MS, 6 * HOUR_MS, DAY_MS, 3 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 30 * DAY_MS, 90 * DAY_MS];

/// The most frequent paths kept per period.
pub const PATH_TOP: usize = 20;
/// Events of a path kept before the rest is written as `…`.
pub const PATH_EVENTS: usize = 6;
/// The largest count a baseline may contain, so that sums of its counts cannot overflow and
/// every count is exact as a float.
const MAX_COUNT: u64 = 1 << 53;

/// A label and how many people it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelCount {
    pub label: String,
    pub people: u64,
}

/// The aggregate figures of one set of people. This is what a saved baseline contains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodAggregates {
    /// [`AGGREGATES_VERSION`] when written.
    pub version: u32,
    pub label: String,
    /// The earliest and latest first event of the people counted, RFC 3339; `None` without people.
    pub first_event: Option<String>,
    pub last_first_event: Option<String>,
    /// The window in which steps and conversions count, from each person's first event.
    pub window_ms: i64,
    pub people: u64,
    pub conversion_event: Option<String>,
    /// People who converted within the window.
    pub converters: u64,
    /// Funnel step labels in order; empty without a funnel.
    pub steps: Vec<String>,
    /// People who reached each step within the window, in step order.
    pub step_people: Vec<u64>,
    /// First-touch channel counts, `(none)` for people without a channel, most people first.
    pub channels: Vec<LabelCount>,
    /// Converters per time-to-convert bin; bin i starts at 0 for i = 0, else at
    /// `time_bin_edges_ms[i - 1]`.
    pub time_bin_edges_ms: Vec<i64>,
    pub time_bins: Vec<u64>,
    pub median_ms_to_convert: Option<f64>,
    /// The [`PATH_TOP`] most frequent paths (event names, repeats merged, cut after
    /// [`PATH_EVENTS`] events), most people first.
    pub top_paths: Vec<LabelCount>,
    /// People whose path is not in `top_paths`.
    pub other_paths: u64,
}

/// The facts of one person that the aggregates count.
#[derive(Debug, Clone)]
pub(crate) struct PersonFacts {
    pub first_ms: i64,
    /// Time of each funnel step reached within the window, in step order.
    pub step_ms: Vec<i64>,
    /// Time from first event to conversion, when converted within the window.
    pub to_convert_ms: Option<i64>,
    pub converted: bool,
    /// First-touch channel id, or [`NONE`].
    pub channel: u32,
    /// Index into [`Facts::paths`].
    pub path: u32,
}

/// Every person's facts, with the labels they point to.
pub(crate) struct Facts {
    pub people: Vec<PersonFacts>,
    pub steps: Vec<String>,
    pub paths: Vec<String>,
    pub channel_names: Vec<String>,
    pub conversion_event: Option<String>,
    pub window_ms: i64,
    /// The time of the last event in the data.
    pub data_end_ms: i64,
}

impl Facts {
    /// Collects each person's facts, counting steps and conversions within `window_ms` of their
    /// first event. `chains` are [`funnel::person_chains`] of `funnel`, or empty when it has no
    /// steps.
    pub fn collect(log: &EventLog, journeys: &Journeys, conversion: &Conversion, funnel: &FunnelOptions, chains: &[Vec<usize>], window_ms: i64, collapse_repeats: bool) -> Facts {
        // Paths are keyed by their first events' ids, with the id count past the cut as a marker.
        let mut path_ids: HashMap<Vec<u32>, u32> = HashMap::default();
        let mut paths = Vec::new();
        let mut path = Vec::new();
        let mut people = Vec::with_capacity(journeys.people());
        for person in 0..journeys.people() {
            let chain = chains.get(person).map_or(&[][..], Vec::as_slice);
            let journey = journeys.journey(person);
            let Some(&first) = journey.first() else { continue };
            let first_ms = log.time[first as usize];
            let within = |at: u32| log.time[at as usize] - first_ms <= window_ms;
            let step_ms: Vec<i64> = chain.iter().map(|&position| journey[position]).take_while(|&at| within(at)).map(|at| log.time[at as usize]).collect();
            let converted_at = conversion.first[person].map(|position| journey[position]).filter(|&at| within(at));
            let to_convert_ms = match conversion.first[person] {
                Some(position) if position > 0 && converted_at.is_some() => Some(log.time[journey[position] as usize] - first_ms),
                _ => None,
            };
            let channel = journey.iter().map(|&at| log.channel[at as usize]).find(|&channel| channel != NONE).unwrap_or(NONE);

            journey_path(log, journey, collapse_repeats, &mut path);
            let cut = path.len() > PATH_EVENTS;
            path.truncate(PATH_EVENTS);
            if cut {
                path.push(u32::MAX);
            }
            let id = match path_ids.get(&path) {
                Some(&id) => id,
                None => {
                    let names: Vec<&str> = path.iter().map(|&event| if event == u32::MAX { "…" } else { log.event_names.name(event) }).collect();
                    paths.push(names.join(" > "));
                    let id = path_ids.len() as u32;
                    path_ids.insert(path.clone(), id);
                    id
                }
            };
            people.push(PersonFacts { first_ms, step_ms, to_convert_ms, converted: converted_at.is_some(), channel, path: id });
        }
        Facts {
            people,
            steps: funnel.steps.iter().map(step_label).collect(),
            paths,
            channel_names: (0..log.channels.len() as u32).map(|id| log.channels.name(id).to_string()).collect(),
            conversion_event: conversion.event.map(|id| log.event_names.name(id).to_string()),
            window_ms,
            data_end_ms: log.time.iter().copied().max().unwrap_or(0),
        }
    }

    /// Returns the aggregates of the people whose first event lies in `[from_ms, to_ms)`.
    pub fn aggregate(&self, label: &str, from_ms: i64, to_ms: i64) -> PeriodAggregates {
        let members: Vec<&PersonFacts> = self.people.iter().filter(|person| (from_ms..to_ms).contains(&person.first_ms)).collect();
        let mut step_people = vec![0u64; self.steps.len()];
        let mut channels: HashMap<u32, u64> = HashMap::default();
        let mut paths: HashMap<u32, u64> = HashMap::default();
        let mut time_bins = vec![0u64; TIME_BIN_EDGES_MS.len() + 1];
        let mut durations = Vec::new();

        for person in &members {
            for reached in step_people.iter_mut().take(person.step_ms.len()) {
                *reached += 1;
            }
            *channels.entry(person.channel).or_insert(0) += 1;
            *paths.entry(person.path).or_insert(0) += 1;
            if let Some(duration) = person.to_convert_ms {
                time_bins[TIME_BIN_EDGES_MS.partition_point(|&edge| edge <= duration)] += 1;
                durations.push(duration as f64);
            }
        }

        let channel_label = |id: u32| if id == NONE { "(none)".to_string() } else { self.channel_names[id as usize].clone() };
        let channels = sorted_counts(channels.into_iter().map(|(id, people)| LabelCount { label: channel_label(id), people }).collect());
        let mut top_paths = sorted_counts(paths.into_iter().map(|(id, people)| LabelCount { label: self.paths[id as usize].clone(), people }).collect());
        top_paths.truncate(PATH_TOP);
        let people = members.len() as u64;
        let in_top: u64 = top_paths.iter().map(|path| path.people).sum();
        PeriodAggregates {
            version: AGGREGATES_VERSION,
            label: label.to_string(),
            first_event: members.iter().map(|person| person.first_ms).min().map(to_rfc3339),
            last_first_event: members.iter().map(|person| person.first_ms).max().map(to_rfc3339),
            window_ms: self.window_ms,
            people,
            conversion_event: self.conversion_event.clone(),
            converters: members.iter().filter(|person| person.converted).count() as u64,
            steps: self.steps.clone(),
            step_people,
            channels,
            time_bin_edges_ms: TIME_BIN_EDGES_MS.to_vec(),
            time_bins,
            median_ms_to_convert: median(&mut durations),
            top_paths,
            other_paths: people - in_top,
        }
    }
}

impl PeriodAggregates {
    /// Parses a saved baseline. JSON that is not a baseline, or is of another version, is rejected
    /// with a message that names the problem.
    pub fn parse_baseline(text: &str) -> Result<PeriodAggregates, Error> {
        let baseline: PeriodAggregates = serde_json::from_str(text).map_err(|error| {
            Error::Options(format!("The baseline is not a saved Pathlight baseline: {error}. Save one with --save-baseline or the page's save button, and pass that file unchanged."))
        })?;
        if baseline.version != AGGREGATES_VERSION {
            return Err(Error::Options(format!(
                "The baseline has version {}, but this Pathlight reads version {AGGREGATES_VERSION}. Save the baseline again with this version.",
                baseline.version
            )));
        }
        baseline.check()?;
        Ok(baseline)
    }

    /// Checks that the counts agree with each other, so that no test divides by a wrong total.
    fn check(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::Options(format!("The baseline is inconsistent: {what}. Save it again; a baseline edited by hand cannot be compared.")));
        if self.step_people.len() != self.steps.len() {
            return invalid(format!("{} step labels but {} step counts", self.steps.len(), self.step_people.len()));
        }
        if self.time_bin_edges_ms != TIME_BIN_EDGES_MS || self.time_bins.len() != TIME_BIN_EDGES_MS.len() + 1 {
            return invalid("its time-to-convert bins differ from this version's".to_string());
        }
        if self.window_ms <= 0 {
            return invalid(format!("its window is {} ms", self.window_ms));
        }
        let counts = [self.people, self.converters, self.other_paths].into_iter().chain(self.step_people.iter().copied()).chain(self.time_bins.iter().copied());
        let listed = self.channels.iter().chain(&self.top_paths).map(|entry| entry.people);
        if counts.chain(listed).any(|count| count > MAX_COUNT) {
            return invalid(format!("a count is above {MAX_COUNT}"));
        }
        if self.converters > self.people || self.step_people.iter().any(|&count| count > self.people) || self.step_people.windows(2).any(|pair| pair[1] > pair[0]) {
            return invalid("a step or the converters count more people than the step before or the period".to_string());
        }
        let channel_total: u64 = self.channels.iter().map(|channel| channel.people).sum();
        let path_total: u64 = self.top_paths.iter().map(|path| path.people).sum::<u64>().saturating_add(self.other_paths);
        if channel_total != self.people || path_total != self.people {
            return invalid(format!("channels add up to {channel_total} and paths to {path_total}, but it has {} people", self.people));
        }
        if self.time_bins.iter().sum::<u64>() > self.converters {
            return invalid("its time-to-convert bins count more people than converted".to_string());
        }
        Ok(())
    }
}

/// Returns a funnel step's label: its event, with its filter when it has one.
fn step_label(step: &funnel::FunnelStep) -> String {
    match (&step.column, &step.value) {
        (Some(column), Some(value)) => format!("{}[{column}={value}]", step.event.trim()),
        _ => step.event.trim().to_string(),
    }
}

fn sorted_counts(mut counts: Vec<LabelCount>) -> Vec<LabelCount> {
    sorting::sort_by(&mut counts, |a, b| b.people.cmp(&a.people).then_with(|| a.label.cmp(&b.label)));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PeriodAggregates {
        PeriodAggregates {
            version: AGGREGATES_VERSION,
            label: "all".into(),
            first_event: None,
            last_first_event: None,
            window_ms: 30 * DAY_MS,
            people: 10,
            conversion_event: Some("purchase".into()),
            converters: 3,
            steps: vec!["visit".into(), "purchase".into()],
            step_people: vec![10, 3],
            channels: vec![LabelCount { label: "social".into(), people: 10 }],
            time_bin_edges_ms: TIME_BIN_EDGES_MS.to_vec(),
            time_bins: vec![0, 0, 3, 0, 0, 0, 0, 0, 0],
            median_ms_to_convert: Some(7.0 * HOUR_MS as f64),
            top_paths: vec![LabelCount { label: "visit".into(), people: 7 }],
            other_paths: 3,
        }
    }

    #[test]
    fn baseline_round_trips() {
        let text = serde_json::to_string(&sample()).unwrap();
        assert_eq!(PeriodAggregates::parse_baseline(&text).unwrap(), sample());
    }

    #[test]
    fn baseline_rejects_bad_json() {
        let error = PeriodAggregates::parse_baseline("{\"version\": 1,").unwrap_err().to_string();
        assert!(error.contains("not a saved Pathlight baseline"), "{error}");
        let error = PeriodAggregates::parse_baseline("[]").unwrap_err().to_string();
        assert!(error.contains("not a saved Pathlight baseline"), "{error}");
    }

    #[test]
    fn baseline_rejects_other_version() {
        let mut old = sample();
        old.version = 0;
        let error = PeriodAggregates::parse_baseline(&serde_json::to_string(&old).unwrap()).unwrap_err().to_string();
        assert!(error.contains("version 0"), "{error}");
    }

    #[test]
    fn baseline_rejects_inconsistent_counts() {
        let mut edited = sample();
        edited.step_people = vec![10, 11];
        let error = PeriodAggregates::parse_baseline(&serde_json::to_string(&edited).unwrap()).unwrap_err().to_string();
        assert!(error.contains("inconsistent"), "{error}");
        let mut edited = sample();
        edited.other_paths = 0;
        let error = PeriodAggregates::parse_baseline(&serde_json::to_string(&edited).unwrap()).unwrap_err().to_string();
        assert!(error.contains("paths to 7"), "{error}");
    }

    #[test]
    fn time_bins_split_at_edges() {
        assert_eq!(TIME_BIN_EDGES_MS.partition_point(|&edge| edge <= 0), 0);
        assert_eq!(TIME_BIN_EDGES_MS.partition_point(|&edge| edge <= HOUR_MS), 1);
        assert_eq!(TIME_BIN_EDGES_MS.partition_point(|&edge| edge <= 100 * DAY_MS), 8);
    }
}
