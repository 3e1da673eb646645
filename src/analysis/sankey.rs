//! The Sankey diagram of the first steps of every path.
//!
//! It follows the paths' labels, cleaning, scope and collapsing (see `paths`). Nodes are indexed by step: the same event at step 1 and at step 3 is two nodes, so the graph
//! has no cycle and any layout terminates. Each step keeps its `top_k` most frequent events;
//! the rest of that step merges into one "Other" node.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::paths::PathSet;
use super::stats;
use crate::error::Error;
use crate::model::EventLog;
use crate::sorting;

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
    /// The median time from entering the source step to entering the target step; `None` with
    /// synthetic times.
    pub median_ms: Option<f64>,
}

/// The Sankey part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SankeyReport {
    pub steps: usize,
    pub top_k: usize,
    pub nodes: Vec<SankeyNode>,
    pub links: Vec<SankeyLink>,
}

/// Builds the step-indexed Sankey graph from the paths. With `synthetic_times` the links carry no
/// time.
pub fn compute(log: &EventLog, set: &PathSet, options: &SankeyOptions, synthetic_times: bool) -> Result<SankeyReport, Error> {
    if options.steps < 2 || options.steps > MAX_STEPS {
        return Err(Error::Options(format!("The Sankey diagram needs between 2 and {MAX_STEPS} steps, not {}.", options.steps)));
    }
    if options.top_k == 0 || options.top_k > MAX_TOP_K {
        return Err(Error::Options(format!("Each Sankey step shows between 1 and {MAX_TOP_K} events, not {}.", options.top_k)));
    }

    // Label counts per step.
    let mut per_step: Vec<HashMap<u32, u64>> = vec![HashMap::default(); options.steps];
    for path in set.paths().flatten() {
        for (step, &label) in path.labels.iter().take(options.steps).enumerate() {
            *per_step[step].entry(label).or_insert(0) += 1;
        }
    }

    // Keep each step's top labels; everything else maps to that step's "Other" node.
    let mut nodes = Vec::new();
    let mut node_of: Vec<HashMap<u32, u32>> = Vec::with_capacity(options.steps);
    let mut other_of: Vec<Option<u32>> = Vec::with_capacity(options.steps);
    for (step, counts) in per_step.iter().enumerate() {
        let mut ranked: Vec<(u32, u64)> = counts.iter().map(|(&label, &count)| (label, count)).collect();
        sorting::sort_by(&mut ranked, |a, b| b.1.cmp(&a.1).then_with(|| set.label(a.0).cmp(set.label(b.0))));
        let mut ids = HashMap::default();
        for &(label, count) in ranked.iter().take(options.top_k) {
            let id = nodes.len() as u32;
            ids.insert(label, id);
            nodes.push(SankeyNode { id, step: step as u32 + 1, label: set.label(label).to_string(), people: count, other: false });
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

    // Each link gathers the times between its two steps, for the median.
    let mut link_times: HashMap<(u32, u32), Vec<f64>> = HashMap::default();
    let node = |step: usize, label: u32| node_of[step].get(&label).copied().or(other_of[step]);
    let time = |event: u32| log.time[event as usize];
    for path in set.paths().flatten() {
        for step in 1..path.labels.len().min(options.steps) {
            if let (Some(source), Some(target)) = (node(step - 1, path.labels[step - 1]), node(step, path.labels[step])) {
                link_times.entry((source, target)).or_default().push((time(path.events[step]) - time(path.events[step - 1])) as f64);
            }
        }
    }
    let mut links: Vec<SankeyLink> = link_times
        .into_iter()
        .map(|((source, target), mut times)| SankeyLink {
            source,
            target,
            people: times.len() as u64,
            median_ms: if synthetic_times { None } else { stats::median(&mut times) },
        })
        .collect();
    sorting::sort_by_key(&mut links, |link| (link.source, link.target));

    Ok(SankeyReport { steps: options.steps, top_k: options.top_k, nodes, links })
}
