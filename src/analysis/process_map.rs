//! Process map: the directly-follows graph over event names, start and end activities, and
//! variants, as process mining defines them.
//!
//! Every event is kept, so a repeated event gives a self-loop. The graph keeps the `max_activities`
//! most frequent event names and merges the others into one "Other" activity, so the report stays
//! bounded however many event names the data has. Variants always use the real names.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::paths::{journey_path, MAX_PATH_STEPS};
use super::stats::{median, sum};
use crate::error::Error;
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// The largest `max_activities` accepted.
pub const MAX_ACTIVITIES: usize = 200;
/// The largest `top_variants` accepted.
pub const MAX_TOP_VARIANTS: usize = 200;

/// Options for the process map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessMapOptions {
    /// How many of the most frequent event names the graph keeps before "Other".
    pub max_activities: usize,
    /// How many of the most frequent variants to list.
    pub top_variants: usize,
}

impl Default for ProcessMapOptions {
    fn default() -> ProcessMapOptions {
        ProcessMapOptions { max_activities: 30, top_variants: 20 }
    }
}

/// An activity (node) of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub name: String,
    pub events: u64,
    /// True for the node that gathers the event names outside the top `max_activities`.
    pub other: bool,
}

/// An activity that starts or ends journeys, with the number of people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointCount {
    pub name: String,
    pub people: u64,
}

/// A directly-follows edge: `target` is the next event after `source` in some journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    /// Times `target` directly follows `source`, over all journeys.
    pub frequency: u64,
    /// People in whose journey `target` directly follows `source` at least once.
    pub people: u64,
    /// Median and mean time from `source` to `target`; `None` with synthetic times.
    pub median_ms: Option<f64>,
    pub mean_ms: Option<f64>,
}

/// One variant (whole event sequence, repeats kept) and its people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// The variant's first [`MAX_PATH_STEPS`] events.
    pub steps: Vec<String>,
    /// Events after the first [`MAX_PATH_STEPS`], left out of `steps`; 0 for a variant listed whole.
    pub omitted_steps: u64,
    pub people: u64,
    /// Share of all people.
    pub share: f64,
}

/// The process-map part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessMap {
    pub max_activities: usize,
    /// Distinct event names in the data.
    pub distinct_activities: u64,
    /// Event names merged into the "Other" activity; 0 when the graph shows every name.
    pub merged_activities: u64,
    /// A sentence saying which names were merged, when some were.
    pub note: Option<String>,
    /// Most events first; the "Other" activity, if any, last.
    pub activities: Vec<Activity>,
    pub start_activities: Vec<EndpointCount>,
    pub end_activities: Vec<EndpointCount>,
    /// Most frequent first.
    pub edges: Vec<Edge>,
    /// Distinct variants in the data.
    pub variants_total: u64,
    pub variants: Vec<Variant>,
}

/// Builds the process map. With `synthetic_times`, edge durations are `None`.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &ProcessMapOptions, synthetic_times: bool) -> Result<ProcessMap, Error> {
    if options.max_activities == 0 || options.max_activities > MAX_ACTIVITIES {
        return Err(Error::Options(format!(
            "The process map's max_activities must be between 1 and {MAX_ACTIVITIES}, not {}.",
            options.max_activities
        )));
    }
    if options.top_variants == 0 || options.top_variants > MAX_TOP_VARIANTS {
        return Err(Error::Options(format!(
            "The process map's top_variants must be between 1 and {MAX_TOP_VARIANTS}, not {}.",
            options.top_variants
        )));
    }
    let nodes = Nodes::rank(log, options.max_activities);

    let mut starts: HashMap<u32, u64> = HashMap::default();
    let mut ends: HashMap<u32, u64> = HashMap::default();
    let mut durations: HashMap<(u32, u32), Vec<f64>> = HashMap::default();
    let mut edge_people: HashMap<(u32, u32), u64> = HashMap::default();
    let mut person_edges: Vec<(u32, u32)> = Vec::new();
    let mut variants: HashMap<Vec<u32>, u64> = HashMap::default();
    let mut path = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let (Some(&first), Some(&last)) = (journey.first(), journey.last()) else { continue };
        *starts.entry(nodes.of(log, first)).or_insert(0) += 1;
        *ends.entry(nodes.of(log, last)).or_insert(0) += 1;
        person_edges.clear();
        for pair in journey.windows(2) {
            let key = (nodes.of(log, pair[0]), nodes.of(log, pair[1]));
            let duration = (log.time[pair[1] as usize] - log.time[pair[0] as usize]) as f64;
            durations.entry(key).or_default().push(duration);
            person_edges.push(key);
        }
        person_edges.sort_unstable();
        person_edges.dedup();
        for &key in &person_edges {
            *edge_people.entry(key).or_insert(0) += 1;
        }
        journey_path(log, journey, false, &mut path);
        *variants.entry(path.clone()).or_insert(0) += 1;
    }

    let people = journeys.people() as u64;
    let merged = nodes.merged_names;
    Ok(ProcessMap {
        max_activities: options.max_activities,
        distinct_activities: log.event_names.len() as u64,
        merged_activities: merged,
        note: (merged > 0).then(|| {
            format!(
                "The graph shows the {} most frequent of {} activities; the other {merged} are merged into \"{}\".",
                options.max_activities,
                log.event_names.len(),
                nodes.other_label
            )
        }),
        activities: nodes.activities(),
        start_activities: nodes.endpoints(starts),
        end_activities: nodes.endpoints(ends),
        edges: nodes.edges(durations, &edge_people, synthetic_times),
        variants_total: variants.len() as u64,
        variants: top_variants(log, variants, people, options.top_variants),
    })
}

/// The graph's nodes: the kept event names, in rank order, then "Other" if any name was merged.
pub(crate) struct Nodes {
    /// Node index of each event id.
    node_of: Vec<u32>,
    pub(crate) labels: Vec<String>,
    events: Vec<u64>,
    other_label: String,
    merged_names: u64,
}

impl Nodes {
    /// Keeps the `max_activities` most frequent event names (equal counts by name).
    pub(crate) fn rank(log: &EventLog, max_activities: usize) -> Nodes {
        let mut counts = vec![0u64; log.event_names.len()];
        for &event in &log.event {
            counts[event as usize] += 1;
        }
        let mut ranked: Vec<u32> = (0..counts.len() as u32).collect();
        sorting::sort_by(&mut ranked, |&a, &b| counts[b as usize].cmp(&counts[a as usize]).then_with(|| log.event_names.name(a).cmp(log.event_names.name(b))));

        let kept = ranked.len().min(max_activities);
        let other = kept as u32;
        let mut node_of = vec![other; counts.len()];
        let mut labels = Vec::with_capacity(kept + 1);
        let mut events = Vec::with_capacity(kept + 1);
        for (node, &event) in ranked[..kept].iter().enumerate() {
            node_of[event as usize] = node as u32;
            labels.push(log.event_names.name(event).to_string());
            events.push(counts[event as usize]);
        }
        // An event really named "Other" keeps its name, and the merged node gets another one.
        let other_label = if labels.iter().any(|label| label == "Other") { "Other activities" } else { "Other" }.to_string();
        let merged_names = (ranked.len() - kept) as u64;
        if merged_names > 0 {
            labels.push(other_label.clone());
            events.push(ranked[kept..].iter().map(|&event| counts[event as usize]).sum());
        }
        Nodes { node_of, labels, events, other_label, merged_names }
    }

    /// Returns the node of the event at position `at` of the log.
    pub(crate) fn of(&self, log: &EventLog, at: u32) -> u32 {
        self.node_of[log.event[at as usize] as usize]
    }

    fn is_other(&self, node: u32) -> bool {
        self.merged_names > 0 && node as usize == self.labels.len() - 1
    }

    fn activities(&self) -> Vec<Activity> {
        (0..self.labels.len())
            .map(|node| Activity { name: self.labels[node].clone(), events: self.events[node], other: self.is_other(node as u32) })
            .collect()
    }

    /// Lists start or end counts, most people first and equal counts by name.
    fn endpoints(&self, counts: HashMap<u32, u64>) -> Vec<EndpointCount> {
        let mut list: Vec<EndpointCount> =
            counts.into_iter().map(|(node, people)| EndpointCount { name: self.labels[node as usize].clone(), people }).collect();
        sorting::sort_by(&mut list, |a, b| b.people.cmp(&a.people).then_with(|| a.name.cmp(&b.name)));
        list
    }

    /// Lists the edges, most frequent first and equal counts by source and target name.
    fn edges(&self, durations: HashMap<(u32, u32), Vec<f64>>, people: &HashMap<(u32, u32), u64>, synthetic_times: bool) -> Vec<Edge> {
        let mut edges: Vec<Edge> = durations
            .into_iter()
            .map(|((source, target), mut times)| {
                let people = people.get(&(source, target)).copied().unwrap_or(0);
                let frequency = times.len() as u64;
                let (total, count) = sum(times.iter().copied());
                let mean_ms = (!synthetic_times && count > 0).then(|| total / count as f64);
                let median_ms = if synthetic_times { None } else { median(&mut times) };
                Edge {
                    source: self.labels[source as usize].clone(),
                    target: self.labels[target as usize].clone(),
                    frequency,
                    people,
                    median_ms,
                    mean_ms,
                }
            })
            .collect();
        sorting::sort_by(&mut edges, |a, b| b.frequency.cmp(&a.frequency).then_with(|| (&a.source, &a.target).cmp(&(&b.source, &b.target))));
        edges
    }
}

/// Lists the `top` most frequent variants, equal counts in order of their names. Only the listed
/// variants get their names copied, because a log of distinct journeys has a variant per person.
fn top_variants(log: &EventLog, counts: HashMap<Vec<u32>, u64>, people: u64, top: usize) -> Vec<Variant> {
    let name = |id: u32| log.event_names.name(id);
    let mut ranked: Vec<(Vec<u32>, u64)> = counts.into_iter().collect();
    let order = |a: &(Vec<u32>, u64), b: &(Vec<u32>, u64)| b.1.cmp(&a.1).then_with(|| a.0.iter().map(|&id| name(id)).cmp(b.0.iter().map(|&id| name(id))));
    if top > 0 && ranked.len() > top {
        ranked.select_nth_unstable_by(top - 1, order);
        ranked.truncate(top);
    }
    sorting::sort_by(&mut ranked, order);
    ranked
        .into_iter()
        .take(top)
        .map(|(path, count)| Variant {
            steps: path.iter().take(MAX_PATH_STEPS).map(|&id| name(id).to_string()).collect(),
            omitted_steps: path.len().saturating_sub(MAX_PATH_STEPS) as u64,
            people: count,
            share: count as f64 / people.max(1) as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from (person, time, event) triples.
    fn log_of(events: &[(&str, i64, &str)]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (row, &(person, time, event)) in events.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let new = NewEvent { person, time, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, []);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    #[test]
    fn repeats_make_self_loops() {
        let (log, journeys) = log_of(&[("u1", 0, "a"), ("u1", 10, "a"), ("u1", 40, "b"), ("u2", 0, "a"), ("u2", 20, "b")]);
        let map = compute(&log, &journeys, &ProcessMapOptions::default(), false).unwrap();
        let edge = |source: &str, target: &str| map.edges.iter().find(|edge| edge.source == source && edge.target == target).unwrap();
        assert_eq!(edge("a", "a").frequency, 1);
        assert_eq!(edge("a", "b").frequency, 2);
        assert_eq!(edge("a", "b").people, 2);
        assert_eq!(edge("a", "b").median_ms, Some(25.0));
        assert_eq!(edge("a", "b").mean_ms, Some(25.0));
        assert_eq!(map.start_activities, vec![EndpointCount { name: "a".into(), people: 2 }]);
        assert_eq!(map.variants_total, 2);
        assert_eq!(map.note, None);
    }

    #[test]
    fn repeated_edge_counts_person_once() {
        let (log, journeys) = log_of(&[("u1", 0, "a"), ("u1", 1, "b"), ("u1", 2, "a"), ("u1", 3, "b"), ("u2", 0, "a"), ("u2", 1, "b")]);
        let map = compute(&log, &journeys, &ProcessMapOptions::default(), false).unwrap();
        let edge = map.edges.iter().find(|edge| edge.source == "a" && edge.target == "b").unwrap();
        assert_eq!(edge.frequency, 3);
        assert_eq!(edge.people, 2);
    }

    #[test]
    fn rare_activities_merge_into_other() {
        let (log, journeys) = log_of(&[("u1", 0, "a"), ("u1", 1, "x"), ("u1", 2, "y"), ("u2", 0, "a"), ("u2", 1, "b"), ("u2", 2, "b")]);
        let options = ProcessMapOptions { max_activities: 2, ..ProcessMapOptions::default() };
        let map = compute(&log, &journeys, &options, true).unwrap();
        let names: Vec<&str> = map.activities.iter().map(|activity| activity.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "Other"]);
        assert_eq!(map.merged_activities, 2);
        assert!(map.activities[2].other);
        let loop_edge = map.edges.iter().find(|edge| edge.source == "Other" && edge.target == "Other").unwrap();
        assert_eq!(loop_edge.frequency, 1);
        assert_eq!(loop_edge.median_ms, None, "synthetic times have no durations");
        assert_eq!(map.variants[0].steps.len(), 3, "variants keep the real names");
        assert!(map.note.is_some());
    }
}
