//! Paths: the most frequent whole journeys, for converters and for everyone else.
//!
//! A path is a person's event names in journey order. By default a run of the same event
//! (`page_view, page_view`) counts as one step; `collapse_repeats: false` keeps every event.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};

/// The largest `top` accepted, to keep the report small.
pub const MAX_TOP: usize = 200;

/// Options for path counting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathsOptions {
    pub collapse_repeats: bool,
    /// How many of the most frequent paths to list per group.
    pub top: usize,
}

impl Default for PathsOptions {
    fn default() -> PathsOptions {
        PathsOptions { collapse_repeats: true, top: 10 }
    }
}

/// One path and how many people followed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    pub steps: Vec<String>,
    pub people: u64,
    /// Share of the group's people.
    pub share: f64,
}

/// The paths of one group of people.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PathGroup {
    pub people: u64,
    /// Distinct paths in the group.
    pub distinct: u64,
    pub top: Vec<PathCount>,
}

/// The paths part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsReport {
    pub collapse_repeats: bool,
    pub converters: PathGroup,
    pub non_converters: PathGroup,
}

/// Fills `path` with one journey's event ids, collapsing runs when asked.
pub fn journey_path(log: &EventLog, journey: &[u32], collapse_repeats: bool, path: &mut Vec<u32>) {
    path.clear();
    for &at in journey {
        let event = log.event[at as usize];
        if collapse_repeats && path.last() == Some(&event) {
            continue;
        }
        path.push(event);
    }
}

/// Counts the paths of converters and non-converters.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &PathsOptions) -> Result<PathsReport, Error> {
    if options.top == 0 || options.top > MAX_TOP {
        return Err(Error::Options(format!("The number of top paths must be between 1 and {MAX_TOP}, not {}.", options.top)));
    }
    let mut counts: [HashMap<Vec<u32>, u64>; 2] = [HashMap::default(), HashMap::default()];
    let mut people = [0u64; 2];
    let mut path = Vec::new();
    for person in 0..journeys.people() {
        journey_path(log, journeys.journey(person), options.collapse_repeats, &mut path);
        let group = usize::from(!conversion.converted(person));
        people[group] += 1;
        *counts[group].entry(path.clone()).or_insert(0) += 1;
    }
    let [converters, non_converters] = counts;
    Ok(PathsReport {
        collapse_repeats: options.collapse_repeats,
        converters: group_report(log, converters, people[0], options.top),
        non_converters: group_report(log, non_converters, people[1], options.top),
    })
}

fn group_report(log: &EventLog, counts: HashMap<Vec<u32>, u64>, people: u64, top: usize) -> PathGroup {
    let distinct = counts.len() as u64;
    let mut ranked: Vec<(Vec<u32>, u64)> = counts.into_iter().collect();
    let names = |path: &[u32]| -> Vec<String> { path.iter().map(|&id| log.event_names.name(id).to_string()).collect() };
    // Most people first; equal counts in a stable order by their names.
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| names(&a.0).cmp(&names(&b.0))));
    let top = ranked
        .into_iter()
        .take(top)
        .map(|(path, count)| PathCount { steps: names(&path), people: count, share: count as f64 / people.max(1) as f64 })
        .collect();
    PathGroup { people, distinct, top }
}

/// Counts distinct whole journeys, every event kept (the "variants" of process mining).
pub fn distinct_journeys(log: &EventLog, journeys: &Journeys) -> u64 {
    let mut seen: HashMap<Vec<u32>, ()> = HashMap::default();
    let mut path = Vec::new();
    for person in 0..journeys.people() {
        journey_path(log, journeys.journey(person), false, &mut path);
        if !seen.contains_key(&path) {
            seen.insert(path.clone(), ());
        }
    }
    seen.len() as u64
}
