//! Gaps: stages without touchpoints, and the silences after each touchpoint.
//!
//! Gaps between events follow the silences analysis: a closed gap runs from an event to the
//! person's next event, and each person's open gap runs from their last event to the end of the
//! data. At the long-gap length g, a closed gap of at least g is a return, and an open gap of at
//! least g is a person who has not come back. An open gap shorter than g is censored.

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::PatternsOptions;
use crate::analysis::stages::StagesReport;
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// The kind of stage gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageGapKind {
    /// No event of the data is in the stage.
    NoTouchpoints,
    /// At least half of the converters have a touchpoint in the stage, but the stage has at most
    /// `thin_stage_events` distinct events.
    Thin,
}

/// A stage without touchpoints or with little content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageGap {
    pub stage: String,
    pub kind: StageGapKind,
    /// People with at least one event in the stage.
    pub people: u64,
    /// Distinct event names among the stage's rules that occur in the data.
    pub distinct_events: u64,
    /// Share of converters with a touchpoint in the stage before converting; `None` when the
    /// stages analysis has no touchpoint split.
    pub converter_share: Option<f64>,
}

/// Silences after events with one name, at the long-gap length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceAfter {
    pub event: String,
    /// Closed gaps after the event.
    pub gaps: u64,
    pub median_gap_ms: Option<f64>,
    /// Closed and open gaps of at least the long-gap length.
    pub silences: u64,
    /// Closed gaps of at least the long-gap length.
    pub returned: u64,
    /// People whose last event has this name and whose open gap is at least the long-gap length.
    pub not_returned: u64,
    /// Open gaps after the event shorter than the long-gap length.
    pub censored: u64,
    /// `not_returned / silences`; `None` without silences.
    pub not_returned_share: Option<f64>,
}

/// The gaps from events of one name to the next event, of another or the same name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionGap {
    pub from: String,
    pub to: String,
    pub transitions: u64,
    pub median_gap_ms: Option<f64>,
    /// Transitions whose gap is at least the long-gap length.
    pub long_gaps: u64,
    /// `long_gaps / transitions`.
    pub long_share: f64,
    /// The `from` event's `not_returned_share`.
    pub not_returned_share_after: Option<f64>,
    /// A `long_share` above the overall one and a `not_returned_share_after` above the overall
    /// one.
    pub momentum_lost: bool,
}

/// Gaps between consecutive events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionGaps {
    pub long_gap_ms: i64,
    /// The median of every closed gap, as in the silences analysis.
    pub median_gap_ms: Option<f64>,
    /// The share of all closed gaps that are at least the long-gap length; `None` without gaps.
    pub long_share: Option<f64>,
    /// Over all events: the silences analysis's comeback row at the long-gap length.
    pub silences: u64,
    pub not_returned: u64,
    pub not_returned_share: Option<f64>,
    /// Events by `not_returned`, largest first, at most `top`.
    pub after: Vec<SilenceAfter>,
    /// Transitions with at least `min_people` gaps, those losing momentum first, then by median
    /// gap, longest first. At most `top` are kept.
    pub transitions: Vec<TransitionGap>,
}

/// Finds stages without touchpoints and thin stages, in stage order.
pub(super) fn stage_gaps(log: &EventLog, stages: &StagesReport, options: &PatternsOptions) -> Vec<StageGap> {
    let mut gaps = Vec::new();
    for (index, stage) in stages.stages.iter().enumerate() {
        let mut names: Vec<&str> = stage.rules.iter().map(|rule| rule.rule.event.trim()).filter(|name| log.event_names.get(name).is_some()).collect();
        names.sort_unstable();
        names.dedup();
        let people = stages.time_in_stage.get(index).map_or(0, |time| time.people);
        let converter_share = stages.touchpoints.as_ref().and_then(|split| split.stages.get(index)).map(|row| row.converter_share);
        let kind = if people == 0 {
            Some(StageGapKind::NoTouchpoints)
        } else if converter_share.is_some_and(|share| share >= 0.5) && names.len() as u64 <= options.thin_stage_events {
            Some(StageGapKind::Thin)
        } else {
            None
        };
        if let Some(kind) = kind {
            gaps.push(StageGap { stage: stage.name.clone(), kind, people, distinct_events: names.len() as u64, converter_share });
        }
    }
    gaps
}

/// Gap lengths after events of one name, or of all names together.
struct After<'g> {
    /// Gaps to the person's next event.
    closed: &'g mut [i64],
    /// Gaps from the person's last event to the end of the data.
    open: &'g [i64],
}

/// Measures the gaps after every event name and between every pair of consecutive names.
///
/// Each gap to a next event is stored once, in one array grouped by its pair of names, the pairs
/// in order of their first name. A pair's gaps, a first name's gaps and all gaps are then each
/// one range of that array, whose median is found in place.
pub(super) fn transition_gaps(log: &EventLog, journeys: &Journeys, long_gap_ms: i64, options: &PatternsOptions) -> TransitionGaps {
    let data_end = log.time.iter().copied().max().unwrap_or(0);
    let mut counts: HashMap<(u32, u32), usize> = HashMap::default();
    for person in 0..journeys.people() {
        for pair in journeys.journey(person).windows(2) {
            *counts.entry((log.event[pair[0] as usize], log.event[pair[1] as usize])).or_default() += 1;
        }
    }
    let mut pairs: Vec<((u32, u32), usize)> = counts.into_iter().collect();
    pairs.sort_unstable();
    // Where each pair's gaps start, and then where the next one goes while they are written.
    let mut next: HashMap<(u32, u32), usize> = HashMap::default();
    let mut ranges: Vec<((u32, u32), std::ops::Range<usize>)> = Vec::with_capacity(pairs.len());
    let mut offset = 0;
    for &(pair, count) in &pairs {
        next.insert(pair, offset);
        ranges.push((pair, offset..offset + count));
        offset += count;
    }
    let mut gaps = vec![0i64; offset];
    // Indexed by event id.
    let mut open: Vec<Vec<i64>> = vec![Vec::new(); log.event_names.len()];
    let mut all_open = Vec::with_capacity(journeys.people());
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        for pair in journey.windows(2) {
            let (from, to) = (pair[0] as usize, pair[1] as usize);
            if let Some(at) = next.get_mut(&(log.event[from], log.event[to])) {
                gaps[*at] = log.time[to] - log.time[from];
                *at += 1;
            }
        }
        if let Some(&last) = journey.last() {
            let gap = data_end - log.time[last as usize];
            if let Some(gaps) = open.get_mut(log.event[last as usize] as usize) {
                gaps.push(gap);
            }
            all_open.push(gap);
        }
    }
    drop(next);

    // Pairs first, then first names, then all: each median reorders only its own range.
    let by_pair: Vec<((u32, u32), u64, Option<f64>, u64)> = ranges
        .into_iter()
        .map(|(pair, range)| {
            let slice = &mut gaps[range];
            let long_gaps = slice.iter().filter(|&&gap| gap >= long_gap_ms).count() as u64;
            (pair, slice.len() as u64, median_millis(slice), long_gaps)
        })
        .collect();
    let mut closed_counts = vec![0usize; open.len()];
    for &((from, _), count) in &pairs {
        if let Some(closed) = closed_counts.get_mut(from as usize) {
            *closed += count;
        }
    }
    let mut rows: Vec<SilenceAfter> = Vec::new();
    let mut start = 0;
    for (event, (open, &closed)) in open.iter().zip(&closed_counts).enumerate() {
        if closed > 0 || !open.is_empty() {
            let after = After { closed: &mut gaps[start..start + closed], open };
            rows.push(silence_after(log, event as u32, after, long_gap_ms));
        }
        start += closed;
    }
    let overall = silence_after(log, u32::MAX, After { closed: &mut gaps, open: &all_open }, long_gap_ms);
    drop(gaps);
    let median_gap_ms = overall.median_gap_ms;
    let overall_long_share = (overall.gaps > 0).then(|| overall.returned as f64 / overall.gaps as f64);

    sorting::sort_by(&mut rows, |x, y| y.not_returned.cmp(&x.not_returned).then_with(|| x.event.cmp(&y.event)));
    let share_after: HashMap<&str, Option<f64>> = rows.iter().map(|row| (row.event.as_str(), row.not_returned_share)).collect();

    let mut transitions: Vec<TransitionGap> = by_pair
        .into_iter()
        .filter(|&(_, count, _, _)| count >= options.min_people)
        .map(|((from, to), count, median, long_gaps)| {
            let from = log.event_names.name(from).to_string();
            let after_share = share_after.get(from.as_str()).copied().flatten();
            let long_share = long_gaps as f64 / count as f64;
            let slow = overall_long_share.is_some_and(|overall| long_share > overall);
            let falls_off = matches!((after_share, overall.not_returned_share), (Some(share), Some(overall)) if share > overall);
            TransitionGap {
                to: log.event_names.name(to).to_string(),
                from,
                transitions: count,
                median_gap_ms: median,
                long_gaps,
                long_share,
                not_returned_share_after: after_share,
                momentum_lost: slow && falls_off,
            }
        })
        .collect();
    sorting::sort_by(&mut transitions, |x, y| {
        y.momentum_lost
            .cmp(&x.momentum_lost)
            .then_with(|| y.median_gap_ms.unwrap_or(0.0).total_cmp(&x.median_gap_ms.unwrap_or(0.0)))
            .then_with(|| (&x.from, &x.to).cmp(&(&y.from, &y.to)))
    });
    transitions.truncate(options.top);
    rows.truncate(options.top);
    TransitionGaps {
        long_gap_ms,
        median_gap_ms,
        long_share: overall_long_share,
        silences: overall.silences,
        not_returned: overall.not_returned,
        not_returned_share: overall.not_returned_share,
        after: rows,
        transitions,
    }
}

/// Returns the median of `gaps`, reordering them, equal to what [`crate::analysis::stats::median`]
/// returns for the same values as floating point numbers.
fn median_millis(gaps: &mut [i64]) -> Option<f64> {
    if gaps.is_empty() {
        return None;
    }
    let (middle, odd) = (gaps.len() / 2, gaps.len() % 2 == 1);
    let (below, &mut upper, _) = gaps.select_nth_unstable(middle);
    let upper = upper as f64;
    if odd {
        return Some(upper);
    }
    let lower = below.iter().copied().max()? as f64;
    Some(lower + (upper - lower) * 0.5)
}

/// Summarises the gaps after one event name; `u32::MAX` stands for all events together.
fn silence_after(log: &EventLog, event: u32, gaps: After<'_>, long_gap_ms: i64) -> SilenceAfter {
    let returned = gaps.closed.iter().filter(|&&gap| gap >= long_gap_ms).count() as u64;
    let not_returned = gaps.open.iter().filter(|&&gap| gap >= long_gap_ms).count() as u64;
    let silences = returned + not_returned;
    let name = if event == u32::MAX { String::new() } else { log.event_names.name(event).to_string() };
    SilenceAfter {
        event: name,
        gaps: gaps.closed.len() as u64,
        median_gap_ms: median_millis(gaps.closed),
        silences,
        returned,
        not_returned,
        censored: gaps.open.len() as u64 - not_returned,
        not_returned_share: (silences > 0).then(|| not_returned as f64 / silences as f64),
    }
}
