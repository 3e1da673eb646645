//! Faster combinations: pairs of a first-touch channel and an event before converting whose
//! converters convert faster than the other converters.
//!
//! Times to convert and the people left out are those of the conversion curve, censored at the
//! end of the data: converters whose first conversion is their first event are left out. A
//! person is in the pair (c, e) when c is their first-touch channel (as in channel speed) and e is
//! among their events before converting (every event for non-converters).

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::mann_whitney::RankedSample;
use super::PatternsOptions;
use crate::analysis::drivers::contingency::benjamini_hochberg;
use crate::analysis::speed::first_touch;
use crate::analysis::survival::{person_times, summarise};
use crate::analysis::{stats, Conversion};
use crate::model::{EventLog, Journeys};

/// One pair of first-touch channel and event, tested against the other converters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FasterCombination {
    pub channel: String,
    pub event: String,
    /// People in the pair, converters or not.
    pub people: u64,
    pub converters: u64,
    /// The median time to convert of the pair's converters.
    pub median_ms: Option<f64>,
    /// The Kaplan–Meier median of the pair's people; `None` when their curve never reaches 50%.
    pub km_median_ms: Option<i64>,
    /// Mann–Whitney U of the pair's converters' times against the other converters' times.
    pub u: f64,
    /// Two-sided p-value of the normal approximation with tie and continuity corrections.
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value across every tested pair.
    pub q_value: f64,
    /// q below the false discovery rate and `median_ms` below the median of all converters.
    pub faster: bool,
}

/// The faster-combinations part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FasterReport {
    /// People on the conversion curve.
    pub people: u64,
    /// Converters on the conversion curve.
    pub converters: u64,
    /// The median time to convert of every converter on the curve.
    pub median_ms: Option<f64>,
    /// The Kaplan–Meier median of everyone on the curve.
    pub km_median_ms: Option<i64>,
    /// Pairs with at least `min_people` converters in them and outside them.
    pub tested: u64,
    /// Tested pairs that are faster.
    pub significant: u64,
    /// Faster pairs first, then by p-value, then by median; at most `top`.
    pub combinations: Vec<FasterCombination>,
}

/// Tests every pair with enough converters. Returns `None` when no event has a channel.
pub(super) fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &PatternsOptions) -> Option<FasterReport> {
    if log.channels.is_empty() {
        return None;
    }
    let times = person_times(log, journeys, conversion);
    let observed: Vec<(i64, bool)> = times.iter().flatten().copied().collect();
    // Converter times in person order, and each converter's index among them.
    let mut converter_times: Vec<f64> = Vec::new();
    let mut groups: HashMap<(u32, u32), Vec<(usize, (i64, bool))>> = HashMap::default();
    for (person, observation) in times.iter().enumerate() {
        let Some(observation) = *observation else { continue };
        let converter_index = observation.1.then(|| {
            converter_times.push(observation.0 as f64);
            converter_times.len() - 1
        });
        let journey = journeys.journey(person);
        let before = conversion.first[person].map_or(journey, |position| &journey[..position]);
        let Some(channel) = first_touch(log, before) else { continue };
        let mut events: Vec<u32> = before.iter().map(|&at| log.event[at as usize]).collect();
        events.sort_unstable();
        events.dedup();
        for event in events {
            groups.entry((channel, event)).or_default().push((converter_index.unwrap_or(usize::MAX), observation));
        }
    }

    let ranked = RankedSample::new(&converter_times);
    let median_ms = stats::median(&mut converter_times.clone());
    let total = converter_times.len() as u64;
    let mut rows: Vec<FasterCombination> = groups
        .into_iter()
        .filter_map(|((channel, event), members)| {
            let indexes: Vec<usize> = members.iter().map(|&(index, _)| index).filter(|&index| index != usize::MAX).collect();
            let inside = indexes.len() as u64;
            if inside < options.min_people || total - inside < options.min_people {
                return None;
            }
            let test = ranked.test(&indexes)?;
            let mut times: Vec<f64> = indexes.iter().filter_map(|&index| converter_times.get(index).copied()).collect();
            let curve = summarise(&members.iter().map(|&(_, observation)| observation).collect::<Vec<_>>());
            Some(FasterCombination {
                channel: log.channels.name(channel).to_string(),
                event: log.event_names.name(event).to_string(),
                people: members.len() as u64,
                converters: inside,
                median_ms: stats::median(&mut times),
                km_median_ms: curve.median_ms,
                u: test.u,
                p_value: test.p_value,
                q_value: 1.0,
                faster: false,
            })
        })
        .collect();

    let q_values = benjamini_hochberg(&rows.iter().map(|row| row.p_value).collect::<Vec<_>>());
    for (row, q_value) in rows.iter_mut().zip(q_values) {
        row.q_value = q_value;
        row.faster = q_value < options.false_discovery_rate && matches!((row.median_ms, median_ms), (Some(pair), Some(all)) if pair < all);
    }
    rows.sort_by(|x, y| {
        y.faster
            .cmp(&x.faster)
            .then_with(|| x.p_value.total_cmp(&y.p_value))
            .then_with(|| x.median_ms.unwrap_or(f64::INFINITY).total_cmp(&y.median_ms.unwrap_or(f64::INFINITY)))
            .then_with(|| (&x.channel, &x.event).cmp(&(&y.channel, &y.event)))
    });
    let tested = rows.len() as u64;
    let significant = rows.iter().filter(|row| row.faster).count() as u64;
    rows.truncate(options.top);
    let overall = summarise(&observed);
    Some(FasterReport { people: observed.len() as u64, converters: total, median_ms, km_median_ms: overall.median_ms, tested, significant, combinations: rows })
}
