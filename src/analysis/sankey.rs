//! The Sankey diagram of the first steps of every journey.
//!
//! Nodes are indexed by step: the same event at step 1 and at step 3 is two nodes, so the graph
//! has no cycle and any layout terminates. Each step keeps its `top_k` most frequent events;
//! the rest of that step merges into one "Other" node.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::paths::journey_path;
use crate::error::Error;
use crate::model::{EventLog, Journeys};

pub const MAX_STEPS: usize = 20;
pub const MAX_TOP_K: usize = 50;

/// Options for the Sankey diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SankeyOptions {
    /// How many steps from the start of each journey.
    pub steps: usize,
    /// How many events each step shows before "Other".
    pub top_k: usize,
}

impl Default for SankeyOptions {
    fn default() -> SankeyOptions {
        SankeyOptions { steps: 5, top_k: 8 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SankeyNode {
    pub id: u32,
    /// 1 for the first step.
    pub step: u32,
    pub label: String,
    pub people: u64,
    /// True for the node that gathers the events outside the step's top `top_k`.
    pub other: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SankeyLink {
    pub source: u32,
    pub target: u32,
    pub people: u64,
}

/// The Sankey part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SankeyReport {
    pub steps: usize,
    pub top_k: usize,
    pub nodes: Vec<SankeyNode>,
    pub links: Vec<SankeyLink>,
}

/// Builds the step-indexed Sankey graph. `collapse_repeats` follows the paths option.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &SankeyOptions, collapse_repeats: bool) -> Result<SankeyReport, Error> {
    if options.steps < 2 || options.steps > MAX_STEPS {
        return Err(Error::Options(format!("The Sankey diagram needs between 2 and {MAX_STEPS} steps, not {}.", options.steps)));
    }
    if options.top_k == 0 || options.top_k > MAX_TOP_K {
        return Err(Error::Options(format!("Each Sankey step shows between 1 and {MAX_TOP_K} events, not {}.", options.top_k)));
    }

    // Event counts per step.
    let mut per_step: Vec<HashMap<u32, u64>> = vec![HashMap::default(); options.steps];
    let mut path = Vec::new();
    for person in 0..journeys.people() {
        journey_path(log, journeys.journey(person), collapse_repeats, &mut path);
        for (step, &event) in path.iter().take(options.steps).enumerate() {
            *per_step[step].entry(event).or_insert(0) += 1;
        }
    }

    // Keep each step's top events; everything else maps to that step's "Other" node.
    let mut nodes = Vec::new();
    let mut node_of: Vec<HashMap<u32, u32>> = Vec::with_capacity(options.steps);
    let mut other_of: Vec<Option<u32>> = Vec::with_capacity(options.steps);
    for (step, counts) in per_step.iter().enumerate() {
        let mut ranked: Vec<(u32, u64)> = counts.iter().map(|(&event, &count)| (event, count)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| log.event_names.name(a.0).cmp(log.event_names.name(b.0))));
        let mut ids = HashMap::default();
        for &(event, count) in ranked.iter().take(options.top_k) {
            let id = nodes.len() as u32;
            ids.insert(event, id);
            nodes.push(SankeyNode { id, step: step as u32 + 1, label: log.event_names.name(event).to_string(), people: count, other: false });
        }
        let rest: u64 = ranked.iter().skip(options.top_k).map(|&(_, count)| count).sum();
        let other = (rest > 0).then(|| {
            let id = nodes.len() as u32;
            nodes.push(SankeyNode { id, step: step as u32 + 1, label: "Other".to_string(), people: rest, other: true });
            id
        });
        node_of.push(ids);
        other_of.push(other);
    }

    let mut link_counts: HashMap<(u32, u32), u64> = HashMap::default();
    let node = |step: usize, event: u32| node_of[step].get(&event).copied().or(other_of[step]);
    for person in 0..journeys.people() {
        journey_path(log, journeys.journey(person), collapse_repeats, &mut path);
        for step in 1..path.len().min(options.steps) {
            if let (Some(source), Some(target)) = (node(step - 1, path[step - 1]), node(step, path[step])) {
                *link_counts.entry((source, target)).or_insert(0) += 1;
            }
        }
    }
    let mut links: Vec<SankeyLink> = link_counts.into_iter().map(|((source, target), people)| SankeyLink { source, target, people }).collect();
    links.sort_by_key(|link| (link.source, link.target));

    Ok(SankeyReport { steps: options.steps, top_k: options.top_k, nodes, links })
}
