//! Unexpected paths: frequent patterns of converters that the funnel does not contain, and the
//! funnel and stage events that converters skip.

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::prefixspan::{self, contains, Limits, Pattern};
use super::PatternsOptions;
use crate::analysis::drivers::contingency::{benjamini_hochberg, Table};
use crate::analysis::funnel::FunnelOptions;
use crate::analysis::stages::StagesReport;
use crate::analysis::Conversion;
use crate::model::EventLog;
use crate::sorting;

/// One mined pattern that is not in the funnel, with its test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnexpectedPattern {
    /// Event names in order; other events may come between them.
    pub events: Vec<String>,
    /// Converters whose events before converting contain the pattern.
    pub converters: u64,
    /// Non-converters whose events contain the pattern.
    pub non_converters: u64,
    pub converter_share: f64,
    pub non_converter_share: f64,
    /// `converter_share / non_converter_share`; `None` when no non-converter has the pattern.
    pub ratio: Option<f64>,
    /// Fisher's exact test, two-sided, on the 2×2 table of people.
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value across every tested pattern.
    pub q_value: f64,
    /// q below the false discovery rate and the converter share above the non-converter share.
    pub significant: bool,
}

/// The mined patterns and the funnel they were compared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnexpectedPatterns {
    pub min_support: f64,
    /// The minimum converters a pattern needs: the larger of `min_support_count` and
    /// `min_support` × converters rounded up.
    pub min_converters: u64,
    pub max_length: usize,
    /// The funnel's step events in order; empty without a funnel.
    pub funnel_events: Vec<String>,
    /// Patterns frequent among converters.
    pub mined: u64,
    /// True when mining stopped at `max_patterns`.
    pub truncated: bool,
    /// Mined patterns that are subsequences of `funnel_events`, left out of the tests.
    pub in_funnel: u64,
    /// Patterns outside the funnel with a one-event-shorter mined pattern that the same
    /// converters and non-converters contain, left out of the tests because the extra event adds
    /// nothing.
    pub redundant: u64,
    /// Patterns tested: `mined − in_funnel − redundant`.
    pub tested: u64,
    /// Tested patterns that are significant.
    pub significant: u64,
    /// The first `top` tested patterns by p-value, then shorter first, then more converters.
    pub patterns: Vec<UnexpectedPattern>,
}

/// One funnel step or stage event and the converters who never did it before converting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedTouchpoint {
    pub event: String,
    /// The first funnel step, counted from 1, with this event; `None` when it is only in stages.
    pub funnel_step: Option<usize>,
    /// The stages with a rule on this event.
    pub stages: Vec<String>,
    /// Converters who did it before converting.
    pub converters_did: u64,
    /// Converters who did not.
    pub converters_skipped: u64,
    /// `converters_skipped / converters`.
    pub skipped_share: f64,
    pub non_converters_did: u64,
    /// `non_converters_did / non_converters`; `None` without non-converters.
    pub non_converter_share: Option<f64>,
    /// `skipped_share` is at least the `skip_share` option.
    pub flagged: bool,
}

/// The people's observed event ids, grouped.
struct Groups {
    converters: u64,
    non_converters: u64,
}

fn groups(conversion: &Conversion) -> Groups {
    let converters = conversion.converters();
    Groups { converters, non_converters: conversion.first.len() as u64 - converters }
}

/// The converters' frequent patterns, each tested unless it is redundant. Neither depends on the
/// funnel, so one mining serves every funnel the user tries.
#[derive(Debug, Clone)]
pub(super) struct Mining {
    min_converters: u64,
    truncated: bool,
    /// The tested patterns in the order of the report's list, then the redundant ones.
    patterns: Vec<MinedPattern>,
}

#[derive(Debug, Clone)]
struct MinedPattern {
    items: Vec<u32>,
    /// `None` when the pattern is redundant, as [`is_redundant`] defines it.
    test: Option<UnexpectedPattern>,
}

/// Mines the converters' frequent patterns from each person's observed events and tests each
/// pattern that is not redundant.
pub(super) fn mine(log: &EventLog, observed: &[Vec<u32>], conversion: &Conversion, options: &PatternsOptions) -> Mining {
    let Groups { converters, non_converters } = groups(conversion);
    let min_converters = ((options.min_support * converters as f64).ceil() as u64).max(options.min_support_count).max(1);
    let converted: Vec<bool> = (0..observed.len()).map(|person| conversion.converted(person)).collect();
    let limits = Limits { min_support: min_converters, max_length: options.max_length, max_patterns: options.max_patterns };
    let mined = prefixspan::mine(observed, &converted, log.event_names.len(), limits);
    let supports: HashMap<&[u32], (u64, u64)> = mined.patterns.iter().map(|pattern| (pattern.items.as_slice(), (pattern.support, pattern.other_support))).collect();
    let mut patterns: Vec<MinedPattern> = mined
        .patterns
        .iter()
        .map(|pattern| MinedPattern {
            items: pattern.items.clone(),
            test: (!is_redundant(pattern, &supports)).then(|| test(log, pattern, converters, non_converters)),
        })
        .collect();
    sorting::sort_by(&mut patterns, |x, y| match (&x.test, &y.test) {
        (Some(x), Some(y)) => list_order(x, y),
        (x, y) => y.is_some().cmp(&x.is_some()),
    });
    Mining { min_converters, truncated: mined.truncated, patterns }
}

/// Orders the list by p-value. On equal p-values the shorter, more general pattern comes first.
fn list_order(x: &UnexpectedPattern, y: &UnexpectedPattern) -> std::cmp::Ordering {
    x.p_value
        .total_cmp(&y.p_value)
        .then_with(|| x.events.len().cmp(&y.events.len()))
        .then_with(|| y.converters.cmp(&x.converters))
        .then_with(|| x.events.cmp(&y.events))
}

/// Lists the mined patterns that the funnel does not contain, with their q-values among them.
pub(super) fn unexpected_patterns(log: &EventLog, mining: &Mining, funnel: &FunnelOptions, options: &PatternsOptions) -> UnexpectedPatterns {
    let funnel_events = funnel_events(funnel);
    // A pattern is in the funnel when it is a subsequence of the step events. Funnel options name
    // only events that occur, or the funnel analysis rejects them first.
    let funnel_sequence: Vec<u32> = funnel_events.iter().filter_map(|name| log.event_names.get(name)).collect();
    let (in_funnel, outside): (Vec<&MinedPattern>, Vec<&MinedPattern>) = mining.patterns.iter().partition(|pattern| contains(&funnel_sequence, &pattern.items));
    let redundant = outside.iter().filter(|pattern| pattern.test.is_none()).count();

    // The mining sorted the tests in list order, so only the listed rows are copied.
    let tested: Vec<&UnexpectedPattern> = outside.iter().filter_map(|pattern| pattern.test.as_ref()).collect();
    let q_values = benjamini_hochberg(&tested.iter().map(|row| row.p_value).collect::<Vec<_>>());
    let is_significant = |row: &UnexpectedPattern, q_value: f64| q_value < options.false_discovery_rate && row.converter_share > row.non_converter_share;
    let significant = tested.iter().zip(&q_values).filter(|&(row, &q_value)| is_significant(row, q_value)).count() as u64;
    let count = tested.len() as u64;
    let listed = tested
        .iter()
        .zip(&q_values)
        .take(options.top)
        .map(|(&row, &q_value)| UnexpectedPattern { q_value, significant: is_significant(row, q_value), ..row.clone() })
        .collect();
    UnexpectedPatterns {
        min_support: options.min_support,
        min_converters: mining.min_converters,
        max_length: options.max_length,
        funnel_events,
        mined: mining.patterns.len() as u64,
        truncated: mining.truncated,
        in_funnel: in_funnel.len() as u64,
        redundant: redundant as u64,
        tested: count,
        significant,
        patterns: listed,
    }
}

/// Returns true when deleting one event from the pattern gives a mined pattern with the same
/// support in both groups. Every such shorter pattern is mined unless mining was truncated,
/// because support never grows when a pattern gets longer.
fn is_redundant(pattern: &Pattern, supports: &HashMap<&[u32], (u64, u64)>) -> bool {
    let counts = (pattern.support, pattern.other_support);
    let items = &pattern.items;
    items.len() > 1
        && (0..items.len()).any(|skip| {
            let shorter: Vec<u32> = items.iter().enumerate().filter(|&(index, _)| index != skip).map(|(_, &item)| item).collect();
            supports.get(shorter.as_slice()) == Some(&counts)
        })
}

/// Returns the funnel's step events in order, trimmed.
// NOTE: a step's column condition is ignored here, so a pattern of the step's event name counts
// as in the funnel even where the step only matches some values of that column.
fn funnel_events(funnel: &FunnelOptions) -> Vec<String> {
    funnel.steps.iter().map(|step| step.event.trim().to_string()).filter(|event| !event.is_empty()).collect()
}

/// Tests one pattern on its table of people. The q-value is filled in later.
fn test(log: &EventLog, pattern: &Pattern, converters: u64, non_converters: u64) -> UnexpectedPattern {
    let table = Table { a: pattern.support, b: converters - pattern.support, c: pattern.other_support, d: non_converters - pattern.other_support };
    let converter_share = share(pattern.support, converters);
    let non_converter_share = share(pattern.other_support, non_converters);
    UnexpectedPattern {
        events: pattern.items.iter().map(|&item| log.event_names.name(item).to_string()).collect(),
        converters: pattern.support,
        non_converters: pattern.other_support,
        converter_share,
        non_converter_share,
        ratio: (non_converter_share > 0.0).then(|| converter_share / non_converter_share),
        p_value: if non_converters == 0 { 1.0 } else { table.fisher_exact() },
        q_value: 1.0,
        significant: false,
    }
}

fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// Counts, for every funnel step event and stage rule event, the converters who did it before
/// converting. The conversion event itself is left out, because no converter does it before
/// their first conversion.
pub(super) fn skipped_touchpoints(
    log: &EventLog,
    observed: &[Vec<u32>],
    conversion: &Conversion,
    funnel: &FunnelOptions,
    stages: Option<&StagesReport>,
    options: &PatternsOptions,
) -> Vec<SkippedTouchpoint> {
    let Groups { converters, non_converters } = groups(conversion);
    let mut rows: Vec<SkippedTouchpoint> = Vec::new();
    // The row of each event name, because suggested stages can have a rule for each of
    // thousands of event names.
    let mut row_of: HashMap<String, usize> = HashMap::default();
    for (index, event) in funnel_events(funnel).into_iter().enumerate() {
        if !row_of.contains_key(&event) {
            row_of.insert(event.clone(), rows.len());
            rows.push(empty_row(event, Some(index + 1)));
        }
    }
    for stage in stages.map(|report| report.stages.as_slice()).unwrap_or(&[]) {
        for rule in &stage.rules {
            let event = rule.rule.event.trim().to_string();
            let position = *row_of.entry(event).or_insert_with_key(|event| {
                rows.push(empty_row(event.clone(), None));
                rows.len() - 1
            });
            if !rows[position].stages.contains(&stage.name) {
                rows[position].stages.push(stage.name.clone());
            }
        }
    }
    rows.retain(|row| log.event_names.get(&row.event) != conversion.event);

    // One pass over the people: the row of each event id, and the last person counted in a row.
    let mut row_of_id: Vec<Option<usize>> = vec![None; log.event_names.len()];
    for (position, row) in rows.iter().enumerate() {
        if let Some(slot) = log.event_names.get(&row.event).and_then(|id| row_of_id.get_mut(id as usize)) {
            *slot = Some(position);
        }
    }
    let mut counted_for: Vec<Option<usize>> = vec![None; rows.len()];
    for (person, events) in observed.iter().enumerate() {
        let converted = conversion.converted(person);
        for &id in events {
            let Some(position) = row_of_id.get(id as usize).copied().flatten() else { continue };
            if counted_for[position] == Some(person) {
                continue;
            }
            counted_for[position] = Some(person);
            if converted {
                rows[position].converters_did += 1;
            } else {
                rows[position].non_converters_did += 1;
            }
        }
    }
    for row in &mut rows {
        row.converters_skipped = converters - row.converters_did;
        row.skipped_share = share(row.converters_skipped, converters);
        row.non_converter_share = (non_converters > 0).then(|| share(row.non_converters_did, non_converters));
        row.flagged = converters > 0 && row.skipped_share >= options.skip_share;
    }
    sorting::sort_by(&mut rows, |x, y| y.skipped_share.total_cmp(&x.skipped_share).then_with(|| x.event.cmp(&y.event)));
    rows
}

fn empty_row(event: String, funnel_step: Option<usize>) -> SkippedTouchpoint {
    SkippedTouchpoint {
        event,
        funnel_step,
        stages: Vec::new(),
        converters_did: 0,
        converters_skipped: 0,
        skipped_share: 0.0,
        non_converters_did: 0,
        non_converter_share: None,
        flagged: false,
    }
}
