//! Funnels: ordered, strict or any-order steps, with a conversion window from the first matched
//! event, optional per-step windows, exclusion steps, people or totals counting and a breakdown.
//!
//! docs/metrics.md defines each kind. In an ordered funnel, a person reaches step k when their
//! journey contains events e1, …, ek in this order (by time, ties by file and row). Each ei
//! matches step i and is a different event, and other events may come in between. With a
//! window, ek must lie at most the window after e1, boundary included. Among all step-1 events,
//! the one that takes the person furthest is used (the earliest on ties), and each later step
//! takes the earliest matching event after the previous one, which is what makes the reached step
//! the furthest possible. The search itself is in [`search`].

pub(crate) mod search;

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::stats::{median, quantile, share};
use super::unknown_event;
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;
use search::{Exclusion, Filter, Matcher, Search};

/// The order rule between a funnel's steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FunnelKind {
    /// The steps in order, other events allowed in between (the default).
    #[default]
    Ordered,
    /// The steps in order, each the very next event of the journey after the previous step.
    Strict,
    /// The steps in any order, each event filling at most one step.
    AnyOrder,
}

/// The comparison between a step's `value` and the column's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchKind {
    /// Equal strings (the default).
    #[default]
    Exact,
    /// A glob over the whole value: `*` is any run of characters and `?` is one character.
    Glob,
    /// A regular expression in the `regex` crate's syntax that must match the whole value.
    Regex,
}

/// The unit a funnel counts: people or attempts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Counting {
    /// Each person once, by their furthest chain (the default).
    #[default]
    People,
    /// Every attempt: an attempt starts at the first step-1 event after the previous attempt's
    /// last matched event.
    Totals,
}

/// One funnel step: an event name, optionally only where a column's value matches `value`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelStep {
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// Maximum time from the previous step's event, such as `1h`; `None` for no limit. Step 1
    /// cannot have one.
    pub window: Option<String>,
}

/// People who do a matching event between two steps are removed from every step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelExclusion {
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The two step numbers, counted from 1; `None` for the first and the last step.
    pub between: Option<[usize; 2]>,
}

/// The funnel to compute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelOptions {
    pub steps: Vec<FunnelStep>,
    /// Such as `30d`, `12h` or `90m`, measured from the step-1 event; `None` for no window.
    pub window: Option<String>,
    pub kind: FunnelKind,
    pub exclusions: Vec<FunnelExclusion>,
    pub counting: Counting,
    /// `first_touch_channel`, `channel` or a filter column; `None` for no breakdown.
    pub breakdown: Option<String>,
    /// A filter column, such as `product` or `deal`, whose value every step's event must share
    /// with the step-1 event; `None` to hold nothing constant.
    pub hold_constant: Option<String>,
}

impl FunnelOptions {
    /// Returns these options with every window removed, for journeys whose times are synthetic.
    pub fn without_windows(&self) -> FunnelOptions {
        let mut options = self.clone();
        options.window = None;
        for step in &mut options.steps {
            step.window = None;
        }
        options
    }
}

/// One step's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStepReport {
    pub label: String,
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The maximum time from the previous step's event; `None` when the step has no window.
    pub window_ms: Option<i64>,
    /// People (or attempts, when counting totals) who reached this step.
    pub people: u64,
    /// Share of the previous step's people; 1 for step 1.
    pub of_previous: f64,
    /// Share of step 1's people.
    pub of_first: f64,
    /// People who reached the previous step but not this one; 0 for step 1.
    pub dropped: u64,
    /// Median time from the previous step's event to this step's event; `None` for an any-order
    /// funnel, whose steps have no fixed previous step.
    pub median_ms_from_previous: Option<f64>,
    /// The events that the people who dropped before this step did next, most common first: the top
    /// [`DROP_NEXT_TOP`] events, then `Other`. Empty for step 1.
    pub next_after_drop: Vec<DropNext>,
}

/// One event that followed a drop-off, with how many dropped people did it next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropNext {
    /// The event name, followed by its value in `label_column` when it has one; `(journey ended)`
    /// when nothing followed, or `Other` for the events outside the top.
    pub label: String,
    /// True when the journey ended at the last step reached.
    pub ended: bool,
    /// True for the row that gathers the events outside the top.
    pub other: bool,
    /// People (or attempts, when counting totals).
    pub people: u64,
}

/// The number of next events listed for each drop-off before the rest is gathered into `Other`.
pub const DROP_NEXT_TOP: usize = 5;

/// Time from the first to the last matched event, over the people who completed the funnel.
/// With a window, every such time lies within the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelCompletion {
    pub people: u64,
    pub mean_ms: f64,
    pub p25_ms: f64,
    pub median_ms: f64,
    pub p75_ms: f64,
    pub p90_ms: f64,
}

/// One breakdown value's step counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelBreakdownRow {
    /// The value, `(none)` for an empty one, or `Other` for the values outside the top 10.
    pub value: String,
    /// True for the row that gathers the values outside the top 10.
    pub other: bool,
    /// People (or attempts) per step, in step order.
    pub steps: Vec<u64>,
}

/// The funnel part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelReport {
    pub window_ms: Option<i64>,
    pub window_label: String,
    pub kind: FunnelKind,
    pub counting: Counting,
    /// The counting rule in a few sentences, shown beside the chart.
    pub rule: String,
    pub steps: Vec<FunnelStepReport>,
    /// `None` for a one-step funnel or when nobody completed it.
    pub completion: Option<FunnelCompletion>,
    /// People (or attempts, when counting totals) removed by the exclusion steps.
    pub excluded: u64,
    /// The column held constant across steps; `None` when nothing is held.
    pub hold_constant: Option<String>,
    /// The breakdown option in force; `None` without a breakdown.
    pub breakdown_by: Option<String>,
    /// The top 10 values by step-1 count, then `Other`; empty without a breakdown.
    pub breakdown: Vec<FunnelBreakdownRow>,
}

/// The number of breakdown values shown before the rest is gathered into `Other`.
pub const BREAKDOWN_TOP: usize = 10;

/// Parses a duration such as `30d`, `2w`, `12h`, `90m` or `45s` into milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, Error> {
    let text = text.trim();
    let invalid = || Error::Options(format!("The window \"{text}\" is not a duration. Write a number and a unit, such as 30d, 12h, 90m or 45s."));
    let unit_at = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
    let (number, unit) = text.split_at(unit_at);
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let unit_ms = match unit.trim() {
        "s" | "sec" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "minute" | "minutes" => 60_000.0,
        "h" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        "w" | "week" | "weeks" => 604_800_000.0,
        _ => return Err(invalid()),
    };
    let millis = (number * unit_ms).round();
    if !millis.is_finite() || millis >= 1e15 {
        return Err(invalid());
    }
    if millis < 1.0 {
        return Err(Error::Options(format!("The window \"{text}\" is shorter than a millisecond. Use a longer window, or none.")));
    }
    Ok(millis as i64)
}

/// Formats a duration in the largest unit that divides it, such as "30 days" or "90 minutes".
pub fn describe_duration(millis: i64) -> String {
    let units = [(604_800_000, "week"), (86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute"), (1_000, "second")];
    for (size, name) in units {
        if millis % size == 0 {
            let count = millis / size;
            return format!("{count} {name}{}", if count == 1 { "" } else { "s" });
        }
    }
    format!("{millis} ms")
}

/// Returns a step's readable name, such as "visit where page = /pricing".
pub(crate) fn label(step: &FunnelStep) -> String {
    let relation = match step.match_kind {
        MatchKind::Exact => "=",
        MatchKind::Glob => "matches",
        MatchKind::Regex => "matches the pattern",
    };
    match (&step.column, &step.value) {
        (Some(column), Some(value)) if !column.is_empty() => format!("{} where {column} {relation} {value}", step.event),
        _ => step.event.clone(),
    }
}

/// The values that each glob or regular expression accepted, by column, kind and pattern, so that
/// rules of many events with the same filter compile and match it once.
#[derive(Default)]
pub(crate) struct FilterCache {
    accepted: HashMap<(usize, MatchKind, String), Arc<[bool]>>,
}

/// Resolves an event name and its optional column filter. `subject` names the step or exclusion
/// in error messages, such as `step 2 ("page_view")`.
pub(crate) fn resolve(log: &EventLog, subject: &str, event: &str, column: Option<&str>, value: Option<&str>, match_kind: MatchKind) -> Result<Matcher, Error> {
    resolve_cached(log, subject, event, column, value, match_kind, &mut FilterCache::default())
}

/// Resolves like [`resolve`], taking a glob's or regular expression's accepted values from
/// `cache` when an earlier rule had the same column and pattern.
pub(crate) fn resolve_cached(
    log: &EventLog,
    subject: &str,
    event: &str,
    column: Option<&str>,
    value: Option<&str>,
    match_kind: MatchKind,
    cache: &mut FilterCache,
) -> Result<Matcher, Error> {
    let event = log.event_names.get(event.trim()).ok_or_else(|| unknown_event(log, event.trim()))?;
    let Some(column) = column.filter(|column| !column.is_empty()) else {
        return Ok(Matcher { event, filter: None });
    };
    let property = log.find_property(column).ok_or_else(|| {
        Error::Options(format!(
            "The {subject} filters on the column \"{column}\", which is not a filter column. The person, event and time columns cannot be filtered on. Filter columns: {}.",
            filter_columns(log)
        ))
    })?;
    let value = value.unwrap_or("");
    let values = &log.properties[property].values;
    let pattern = match match_kind {
        MatchKind::Exact => {
            return Ok(Matcher { event, filter: Some(Filter::Exact { property, code: values.get(value).unwrap_or(NONE) }) });
        }
        MatchKind::Regex => format!("^(?:{value})$"),
        MatchKind::Glob => glob_to_regex(value),
    };
    let key = (property, match_kind, value.to_string());
    if let Some(accepted) = cache.accepted.get(&key) {
        return Ok(Matcher { event, filter: Some(Filter::Set { property, accepted: Arc::clone(accepted) }) });
    }
    let pattern = regex::Regex::new(&pattern).map_err(|error| {
        let kind = if match_kind == MatchKind::Glob { "glob" } else { "regular expression" };
        Error::Options(format!("The {subject} has an invalid {kind} \"{value}\": {error}"))
    })?;
    let accepted: Arc<[bool]> = (0..values.len() as u32).map(|id| pattern.is_match(values.name(id))).collect();
    cache.accepted.insert(key, Arc::clone(&accepted));
    Ok(Matcher { event, filter: Some(Filter::Set { property, accepted }) })
}

fn filter_columns(log: &EventLog) -> String {
    let names: Vec<&str> = log.properties.iter().take(30).map(|property| property.name.as_str()).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Translates a glob, where `*` is any run of characters and `?` is one character, into an
/// anchored pattern for the `regex` crate. Every other character is literal.
fn glob_to_regex(glob: &str) -> String {
    let mut pattern = String::from("^");
    let mut buffer = [0u8; 4];
    for character in glob.chars() {
        match character {
            '*' => pattern.push_str(".*"),
            '?' => pattern.push('.'),
            other => pattern.push_str(&regex::escape(other.encode_utf8(&mut buffer))),
        }
    }
    pattern.push('$');
    pattern
}

fn resolve_step(log: &EventLog, index: usize, step: &FunnelStep) -> Result<Matcher, Error> {
    let subject = format!("step {} (\"{}\")", index + 1, step.event.trim());
    resolve(log, &subject, &step.event, step.column.as_deref(), step.value.as_deref(), step.match_kind)
}

/// Parses the per-step windows. Step 1 has none, because a step's window is measured from the
/// previous step's event.
fn step_windows(options: &FunnelOptions) -> Result<Vec<Option<i64>>, Error> {
    let mut windows = Vec::with_capacity(options.steps.len());
    for (index, step) in options.steps.iter().enumerate() {
        let window = match step.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
            None => None,
            Some(_) if index == 0 => {
                return Err(Error::Options(
                    "Step 1 cannot have a window, because a step's window is measured from the previous step. Use the funnel's window instead.".to_string(),
                ))
            }
            Some(_) if options.kind == FunnelKind::AnyOrder => {
                return Err(Error::Options(format!(
                    "Step {} has a window, but the steps of an any-order funnel have no previous step to measure it from. Remove the step's window or use the funnel's window.",
                    index + 1
                )))
            }
            Some(text) => Some(parse_duration(text)?),
        };
        windows.push(window);
    }
    Ok(windows)
}

/// Resolves the exclusion steps. An exclusion that matches the same events as a step is
/// rejected: the events that fill a step cannot also remove the person.
fn exclusions(log: &EventLog, options: &FunnelOptions) -> Result<Vec<Exclusion>, Error> {
    let steps = options.steps.len();
    let mut resolved = Vec::with_capacity(options.exclusions.len());
    for (index, exclusion) in options.exclusions.iter().enumerate() {
        let subject = format!("exclusion {} (\"{}\")", index + 1, exclusion.event.trim());
        let [a, b] = exclusion.between.unwrap_or([1, steps]);
        if a < 1 || b > steps || a >= b {
            return Err(Error::Options(format!(
                "The {subject} is between steps {a} and {b}, but it needs two step numbers from 1 to {steps}, the first lower than the second."
            )));
        }
        let column = exclusion.column.as_deref().filter(|column| !column.is_empty());
        let same_as_step = options.steps.iter().position(|step| {
            let step_column = step.column.as_deref().filter(|column| !column.is_empty());
            step.event.trim() == exclusion.event.trim()
                && (column.is_none() || step_column.is_none() || (step_column == column && step.value == exclusion.value && step.match_kind == exclusion.match_kind))
        });
        if let Some(step) = same_as_step {
            return Err(Error::Options(format!(
                "The {subject} is invalid because it matches the same events as step {}. An exclusion must be an event that is not a funnel step.",
                step + 1
            )));
        }
        let matcher = resolve(log, &subject, &exclusion.event, column, exclusion.value.as_deref(), exclusion.match_kind)?;
        resolved.push(Exclusion { matcher, between: (a - 1, b - 1) });
    }
    Ok(resolved)
}

/// Resolves the column held constant across steps.
fn hold_constant(log: &EventLog, name: Option<&str>) -> Result<Option<usize>, Error> {
    let Some(name) = name.map(str::trim).filter(|name| !name.is_empty()) else {
        return Ok(None);
    };
    log.find_property(name).map(Some).ok_or_else(|| {
        Error::Options(format!(
            "The funnel holds the column \"{name}\" constant, but it is not a filter column. Choose one of: {}.",
            filter_columns(log)
        ))
    })
}

/// The source of each counted chain's breakdown value.
#[derive(Clone, Copy)]
enum BreakdownSource {
    /// The channel of the person's first event that has one.
    FirstTouchChannel,
    /// The channel of the event that filled step 1.
    Channel,
    /// A filter column's value on the event that filled step 1.
    Property(usize),
}

fn breakdown_source(log: &EventLog, name: Option<&str>) -> Result<Option<BreakdownSource>, Error> {
    let Some(name) = name.map(str::trim).filter(|name| !name.is_empty()) else {
        return Ok(None);
    };
    if name == "first_touch_channel" {
        return Ok(Some(BreakdownSource::FirstTouchChannel));
    }
    if let Some(property) = log.find_property(name) {
        return Ok(Some(BreakdownSource::Property(property)));
    }
    if name == "channel" {
        return Ok(Some(BreakdownSource::Channel));
    }
    Err(Error::Options(format!(
        "The funnel breakdown \"{name}\" is not a filter column. Use first_touch_channel, channel or one of: {}.",
        filter_columns(log)
    )))
}

/// Step counts per breakdown value id, in first-seen order.
struct Breakdown {
    source: BreakdownSource,
    steps: usize,
    rows: HashMap<u32, usize>,
    codes: Vec<u32>,
    counts: Vec<u64>,
}

impl Breakdown {
    fn code(&self, log: &EventLog, journey: &[u32], first_step: usize) -> u32 {
        match self.source {
            BreakdownSource::FirstTouchChannel => {
                journey.iter().map(|&at| log.channel[at as usize]).find(|&channel| channel != NONE).unwrap_or(NONE)
            }
            BreakdownSource::Channel => log.channel[first_step],
            BreakdownSource::Property(property) => log.properties[property].codes[first_step],
        }
    }

    fn add(&mut self, code: u32, depth: usize) {
        let next = self.codes.len();
        let row = *self.rows.entry(code).or_insert(next);
        if row == next {
            self.codes.push(code);
            self.counts.resize(self.counts.len() + self.steps, 0);
        }
        for count in &mut self.counts[row * self.steps..row * self.steps + depth] {
            *count += 1;
        }
    }

    /// Returns the top values by step-1 count (ties by value), then `Other` for the rest.
    fn rows(&self, log: &EventLog) -> Vec<FunnelBreakdownRow> {
        let name = |code: u32| {
            let text = match self.source {
                BreakdownSource::FirstTouchChannel | BreakdownSource::Channel => log.channels.name(code),
                BreakdownSource::Property(property) => log.properties[property].values.name(code),
            };
            if code == NONE || text.is_empty() {
                "(none)".to_string()
            } else {
                text.to_string()
            }
        };
        let mut rows: Vec<FunnelBreakdownRow> = self
            .codes
            .iter()
            .enumerate()
            .map(|(row, &code)| FunnelBreakdownRow {
                value: name(code),
                other: false,
                steps: self.counts[row * self.steps..(row + 1) * self.steps].to_vec(),
            })
            .collect();
        sorting::sort_by(&mut rows, |a, b| b.steps[0].cmp(&a.steps[0]).then_with(|| a.value.cmp(&b.value)));
        if rows.len() > BREAKDOWN_TOP {
            let mut other = FunnelBreakdownRow { value: "Other".to_string(), other: true, steps: vec![0; self.steps] };
            for row in rows.drain(BREAKDOWN_TOP..) {
                for (total, count) in other.steps.iter_mut().zip(row.steps) {
                    *total += count;
                }
            }
            rows.push(other);
        }
        rows
    }
}

/// Counts gathered over every person.
struct Tally {
    reached: Vec<u64>,
    gaps: Vec<Vec<f64>>,
    completions: Vec<f64>,
    excluded: u64,
    /// Per step, how many chains that stopped before it were followed by each (event, value) pair;
    /// the key's event is [`NONE`] when the journey ended.
    next_after_drop: Vec<HashMap<(u32, u32), u64>>,
    /// The column whose value is added to each next event's name, if any.
    label_column: Option<usize>,
}

/// Computes the funnel.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &FunnelOptions) -> Result<FunnelReport, Error> {
    counted(log, journeys, options, None)
}

/// Computes the funnel and each person's chain, as [`person_chains`] gives it. When the funnel
/// counts totals the chains come from a second search.
pub fn compute_with_chains(log: &EventLog, journeys: &Journeys, options: &FunnelOptions) -> Result<(FunnelReport, Vec<Vec<usize>>), Error> {
    if options.counting != Counting::People {
        return Ok((compute(log, journeys, options)?, person_chains(log, journeys, options)?));
    }
    let mut chains = Vec::with_capacity(journeys.people());
    let report = counted(log, journeys, options, Some(&mut chains))?;
    Ok((report, chains))
}

/// Computes the funnel, adding each person's chain to `chains` when the funnel counts people.
fn counted(log: &EventLog, journeys: &Journeys, options: &FunnelOptions, mut chains: Option<&mut Vec<Vec<usize>>>) -> Result<FunnelReport, Error> {
    let window_ms = match options.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(parse_duration(text)?),
    };
    if options.steps.is_empty() {
        return Err(Error::Options("A funnel needs at least one step.".to_string()));
    }
    let matchers = options.steps.iter().enumerate().map(|(index, step)| resolve_step(log, index, step)).collect::<Result<Vec<_>, _>>()?;
    let step_windows = step_windows(options)?;
    let exclusions = exclusions(log, options)?;
    let source = breakdown_source(log, options.breakdown.as_deref())?;
    let hold = hold_constant(log, options.hold_constant.as_deref())?;
    let steps = matchers.len();

    let mut search = Search::new(log, options.kind, matchers, window_ms, step_windows.clone(), exclusions, hold);
    let mut breakdown = source.map(|source| Breakdown { source, steps, rows: HashMap::default(), codes: Vec::new(), counts: Vec::new() });
    let label_column =
        options.steps.iter().find_map(|step| step.column.as_deref().and_then(|column| log.find_property(column.trim()))).or(hold);
    let mut tally = Tally {
        reached: vec![0; steps],
        gaps: vec![Vec::new(); steps],
        completions: Vec::new(),
        excluded: 0,
        next_after_drop: vec![HashMap::default(); steps],
        label_column,
    };
    let mut best = vec![0usize; steps];
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        match options.counting {
            Counting::People => {
                let depth = search.furthest(journey, 0, &mut best);
                let is_counted = count_chain(log, &search, journey, &best, depth, options.kind, &mut tally, breakdown.as_mut());
                if let Some(chains) = chains.as_deref_mut() {
                    chains.push(if is_counted { best[..depth].to_vec() } else { Vec::new() });
                }
            }
            Counting::Totals => {
                // NOTE: each attempt scans up to its window's end, or to the journey's end without
                // one, so a person with many step-1 events and no completion costs quadratic time.
                let mut from = 0;
                while let Some(start) = (from..journey.len()).find(|&position| search.starts_at(journey, position)) {
                    let depth = search.chain_from(journey, start);
                    best[..depth].copy_from_slice(&search.chain()[..depth]);
                    count_chain(log, &search, journey, &best, depth, options.kind, &mut tally, breakdown.as_mut());
                    from = best[..depth].iter().copied().max().unwrap_or(start) + 1;
                }
            }
        }
    }
    debug_assert_eq!(search.steps(), steps);

    let next_after_drop: Vec<Vec<DropNext>> = tally.next_after_drop.iter().map(|counts| drop_next(log, counts, label_column)).collect();
    let Tally { reached, mut gaps, completions, excluded, .. } = tally;
    let first = reached.first().copied().unwrap_or(0);
    let report_steps = options
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let previous = if i == 0 { reached[0] } else { reached[i - 1] };
            let filtered = step.column.as_deref().is_some_and(|column| !column.is_empty());
            FunnelStepReport {
                label: label(step),
                event: step.event.clone(),
                column: step.column.clone().filter(|_| filtered),
                value: step.value.clone().filter(|_| filtered),
                match_kind: step.match_kind,
                window_ms: step_windows[i],
                people: reached[i],
                of_previous: share(reached[i], previous),
                of_first: share(reached[i], first),
                dropped: previous.saturating_sub(reached[i]),
                median_ms_from_previous: if i == 0 { None } else { median(&mut gaps[i]) },
                next_after_drop: next_after_drop[i].clone(),
            }
        })
        .collect();

    let window_label = window_ms.map_or("no window".to_string(), describe_duration);
    let mut rule = rule(options, window_ms, &step_windows);
    if let (Some(property), 0) = (hold, first) {
        rule.push_str(&format!(
            " No one reached step 1 with a {} value, so nothing can be held constant; choose a column that the step-1 events have.",
            log.properties[property].name
        ));
    }
    Ok(FunnelReport {
        window_ms,
        window_label,
        kind: options.kind,
        counting: options.counting,
        rule,
        steps: report_steps,
        completion: completion(completions),
        excluded,
        hold_constant: hold.map(|property| log.properties[property].name.clone()),
        breakdown_by: source.and(options.breakdown.as_ref().map(|name| name.trim().to_string())),
        breakdown: breakdown.map_or_else(Vec::new, |breakdown| breakdown.rows(log)),
    })
}

/// Returns, for each person, the journey positions of the events that filled the funnel steps
/// they reached, by the rules of [`compute`] with people counting. The list is empty for a person
/// who never reached step 1 or whom an exclusion removes.
pub fn person_chains(log: &EventLog, journeys: &Journeys, options: &FunnelOptions) -> Result<Vec<Vec<usize>>, Error> {
    let window_ms = match options.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(parse_duration(text)?),
    };
    if options.steps.is_empty() {
        return Err(Error::Options("A funnel needs at least one step.".to_string()));
    }
    let matchers = options.steps.iter().enumerate().map(|(index, step)| resolve_step(log, index, step)).collect::<Result<Vec<_>, _>>()?;
    let steps = matchers.len();
    let hold = hold_constant(log, options.hold_constant.as_deref())?;
    let mut search = Search::new(log, options.kind, matchers, window_ms, step_windows(options)?, exclusions(log, options)?, hold);
    let mut best = vec![0usize; steps];
    let mut chains = Vec::with_capacity(journeys.people());
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let depth = search.furthest(journey, 0, &mut best);
        if depth == 0 || search.excluded(journey, &best, depth) {
            chains.push(Vec::new());
        } else {
            chains.push(best[..depth].to_vec());
        }
    }
    Ok(chains)
}

/// Adds one person's (or one attempt's) chain to the counts, unless it is empty or an exclusion
/// removes it. Returns whether it was counted.
#[allow(clippy::too_many_arguments)]
fn count_chain(
    log: &EventLog,
    search: &Search,
    journey: &[u32],
    chain: &[usize],
    depth: usize,
    kind: FunnelKind,
    tally: &mut Tally,
    breakdown: Option<&mut Breakdown>,
) -> bool {
    if depth == 0 {
        return false;
    }
    if search.excluded(journey, chain, depth) {
        tally.excluded += 1;
        return false;
    }
    let time = |step: usize| log.time[journey[chain[step]] as usize];
    for step in 0..depth {
        tally.reached[step] += 1;
        if step > 0 && kind != FunnelKind::AnyOrder {
            tally.gaps[step].push((time(step) - time(step - 1)) as f64);
        }
    }
    let steps = tally.reached.len();
    if depth < steps {
        // The chain's last event is its latest position; in an any-order chain that need not be
        // the last step's.
        let last = chain[..depth].iter().copied().max().unwrap_or(0);
        let key = match journey.get(last + 1) {
            Some(&next) => {
                let code = tally.label_column.map_or(NONE, |property| log.properties[property].codes[next as usize]);
                (log.event[next as usize], code)
            }
            None => (NONE, NONE),
        };
        *tally.next_after_drop[depth].entry(key).or_insert(0) += 1;
    }
    if depth == steps && steps > 1 {
        let earliest = (0..steps).map(time).min().unwrap_or(0);
        let latest = (0..steps).map(time).max().unwrap_or(0);
        tally.completions.push((latest - earliest) as f64);
    }
    if let Some(breakdown) = breakdown {
        let code = breakdown.code(log, journey, journey[chain[0]] as usize);
        breakdown.add(code, depth);
    }
    true
}

/// Names and ranks the events that followed a drop-off: the top [`DROP_NEXT_TOP`] by count (ties
/// by label), then `Other`.
fn drop_next(log: &EventLog, counts: &HashMap<(u32, u32), u64>, label_column: Option<usize>) -> Vec<DropNext> {
    let mut rows: Vec<DropNext> = counts
        .iter()
        .map(|(&(event, code), &people)| {
            let ended = event == NONE;
            let label = if ended {
                "(journey ended)".to_string()
            } else {
                let value = label_column.map_or("", |property| log.properties[property].values.name(code));
                let name = log.event_names.name(event);
                if value.is_empty() { name.to_string() } else { format!("{name} {value}") }
            };
            DropNext { label, ended, other: false, people }
        })
        .collect();
    sorting::sort_by(&mut rows, |a, b| b.people.cmp(&a.people).then_with(|| a.label.cmp(&b.label)));
    if rows.len() > DROP_NEXT_TOP {
        let people = rows.drain(DROP_NEXT_TOP..).map(|row| row.people).sum();
        rows.push(DropNext { label: "Other".to_string(), ended: false, other: true, people });
    }
    rows
}

/// States the counting rule in force in plain sentences.
fn rule(options: &FunnelOptions, window_ms: Option<i64>, step_windows: &[Option<i64>]) -> String {
    let within = match window_ms {
        Some(window) => format!(" within {} of their step-1 event (boundary included)", describe_duration(window)),
        None => String::new(),
    };
    let counted = match options.counting {
        Counting::People => "each person counts once".to_string(),
        Counting::Totals => {
            "every attempt counts, and a new attempt starts at the first step-1 event after the previous attempt's last matched event".to_string()
        }
    };
    let mut rule = match options.kind {
        FunnelKind::Ordered => format!(
            "A person reaches a step when they do its event after the previous step's event{within}. Each event fills at most one step, other events in between are allowed, and {counted}."
        ),
        FunnelKind::Strict => format!(
            "A person reaches a step when its event is the very next event of their journey after the previous step's event{within}. Any other event in between breaks the chain, and {counted}."
        ),
        FunnelKind::AnyOrder => {
            let within = match window_ms {
                Some(window) => format!(" within {} of the earliest of those events (boundary included)", describe_duration(window)),
                None => String::new(),
            };
            format!("A person reaches step k when they did steps 1 to k in any order{within}. Each event fills at most one step, and {counted}.")
        }
    };
    let limits: Vec<String> = step_windows
        .iter()
        .enumerate()
        .filter_map(|(index, window)| window.map(|window| format!("step {} within {} of step {index}", index + 1, describe_duration(window))))
        .collect();
    if !limits.is_empty() {
        rule.push_str(&format!(" Per-step windows (boundary included): {}.", limits.join(", ")));
    }
    if let Some(column) = options.hold_constant.as_deref().map(str::trim).filter(|column| !column.is_empty()) {
        rule.push_str(&format!(
            " Every step's event must have the same {column} as the step-1 event; events with no {column} fill no step, and each {column} value is tried in turn, keeping the one that goes furthest."
        ));
    }
    for exclusion in &options.exclusions {
        let [a, b] = exclusion.between.unwrap_or([1, options.steps.len()]);
        let until = if window_ms.is_some() { "the end of the window" } else { "the end of their journey" };
        rule.push_str(&format!(
            " People who do {} between step {a} and step {b} are removed from every step; for someone who never reaches step {b} the interval runs to {until}, and the event does not exclude after step {b}.",
            exclusion.event.trim()
        ));
    }
    rule
}

/// Clears every duration of a funnel report, for journeys whose times are synthetic.
pub fn without_times(mut report: FunnelReport) -> FunnelReport {
    for step in &mut report.steps {
        step.median_ms_from_previous = None;
    }
    report.completion = None;
    report
}

fn completion(mut durations: Vec<f64>) -> Option<FunnelCompletion> {
    if durations.is_empty() {
        return None;
    }
    durations.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&durations, q).unwrap_or(0.0);
    Some(FunnelCompletion {
        people: durations.len() as u64,
        mean_ms: durations.iter().sum::<f64>() / durations.len() as f64,
        p25_ms: at(0.25),
        median_ms: at(0.5),
        p75_ms: at(0.75),
        p90_ms: at(0.9),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * 86_400_000);
        assert_eq!(parse_duration("90m").unwrap(), 90 * 60_000);
        assert_eq!(parse_duration(" 1.5h ").unwrap(), 5_400_000);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0d").unwrap_err().to_string().contains("shorter than a millisecond"));
        assert!(parse_duration("0.0000001s").is_err());
        assert!(parse_duration("d").is_err());
    }

    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from `(person, minute, event, page)` rows; an empty page means no value.
    fn log_of(rows: &[(&str, i64, &str, &str)]) -> EventLog {
        let mut log = EventLog::default();
        let page = log.property_index("page");
        for (row, &(person, minute, event, value)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let channel = Some(value).filter(|value| value.starts_with("ch-"));
            let new = NewEvent { person, time: minute * 60_000, event, channel, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, [(page, value)]);
        }
        log
    }

    fn step(event: &str) -> FunnelStep {
        FunnelStep { event: event.to_string(), ..FunnelStep::default() }
    }

    fn counts(log: &EventLog, options: &FunnelOptions) -> Vec<u64> {
        let journeys = Journeys::build(log);
        compute(log, &journeys, options).unwrap().steps.iter().map(|step| step.people).collect()
    }

    fn options(steps: &[&str]) -> FunnelOptions {
        FunnelOptions { steps: steps.iter().map(|event| step(event)).collect(), ..FunnelOptions::default() }
    }

    #[test]
    fn strict_breaks_on_an_event_in_between() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "x", ""), ("u1", 2, "b", ""), ("u2", 0, "a", ""), ("u2", 1, "b", "")]);
        assert_eq!(counts(&log, &options(&["a", "b"])), [2, 2]);
        let strict = FunnelOptions { kind: FunnelKind::Strict, ..options(&["a", "b"]) };
        assert_eq!(counts(&log, &strict), [2, 1]);
    }

    #[test]
    fn strict_tries_a_later_start() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "x", ""), ("u1", 2, "a", ""), ("u1", 3, "b", "")]);
        let strict = FunnelOptions { kind: FunnelKind::Strict, ..options(&["a", "b"]) };
        assert_eq!(counts(&log, &strict), [1, 1]);
    }

    #[test]
    fn any_order_counts_steps_done_in_reverse() {
        let log = log_of(&[("u1", 0, "c", ""), ("u1", 1, "b", ""), ("u1", 2, "a", ""), ("u2", 0, "b", "")]);
        let any = FunnelOptions { kind: FunnelKind::AnyOrder, ..options(&["a", "b", "c"]) };
        assert_eq!(counts(&log, &any), [1, 1, 1]);
        assert_eq!(counts(&log, &options(&["a", "b", "c"])), [1, 0, 0]);
    }

    #[test]
    fn any_order_gives_each_step_an_event() {
        // Step 1 takes /home so that step 2 can take /pricing. A single page_view cannot fill
        // both steps.
        let log = log_of(&[("u1", 0, "page_view", "/pricing"), ("u1", 1, "page_view", "/home")]);
        let mut any = FunnelOptions { kind: FunnelKind::AnyOrder, ..options(&["page_view", "page_view"]) };
        any.steps[1].column = Some("page".into());
        any.steps[1].value = Some("/pricing".into());
        assert_eq!(counts(&log, &any), [1, 1]);
        let single = log_of(&[("u1", 0, "page_view", "/pricing")]);
        assert_eq!(counts(&single, &any), [1, 0]);
    }

    #[test]
    fn any_order_window_spans_the_matched_events() {
        let log = log_of(&[("u1", 0, "b", ""), ("u1", 90, "a", "")]);
        let any = FunnelOptions { kind: FunnelKind::AnyOrder, window: Some("1h".into()), ..options(&["a", "b"]) };
        assert_eq!(counts(&log, &any), [1, 0]);
    }

    #[test]
    fn step_window_takes_a_later_previous_event() {
        // The first b is too early for c's 10-minute window, the second b is not.
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "b", ""), ("u1", 50, "b", ""), ("u1", 55, "c", "")]);
        let mut windowed = options(&["a", "b", "c"]);
        windowed.steps[2].window = Some("10m".into());
        let journeys = Journeys::build(&log);
        let report = compute(&log, &journeys, &windowed).unwrap();
        assert_eq!(report.steps.iter().map(|step| step.people).collect::<Vec<_>>(), [1, 1, 1]);
        assert_eq!(report.steps[2].window_ms, Some(600_000));
        assert_eq!(report.steps[2].median_ms_from_previous, Some(300_000.0));
        assert!(report.rule.contains("step 3 within 10 minutes of step 2"), "{}", report.rule);
        windowed.steps[2].window = Some("4m".into());
        assert_eq!(counts(&log, &windowed), [1, 1, 0]);
    }

    #[test]
    fn step_window_on_step_one_is_rejected() {
        let log = log_of(&[("u1", 0, "a", "")]);
        let mut windowed = options(&["a"]);
        windowed.steps[0].window = Some("1h".into());
        let error = compute(&log, &Journeys::build(&log), &windowed).unwrap_err();
        assert!(error.to_string().contains("Step 1 cannot have a window"), "{error}");
    }

    #[test]
    fn totals_count_each_attempt() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "b", ""), ("u1", 2, "a", ""), ("u1", 3, "b", ""), ("u1", 4, "a", "")]);
        assert_eq!(counts(&log, &options(&["a", "b"])), [1, 1]);
        let totals = FunnelOptions { counting: Counting::Totals, ..options(&["a", "b"]) };
        assert_eq!(counts(&log, &totals), [3, 2]);
    }

    #[test]
    fn exclusion_after_conversion_does_not_exclude() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "b", ""), ("u1", 2, "x", ""), ("u2", 0, "a", ""), ("u2", 1, "x", ""), ("u2", 2, "b", "")]);
        let mut excluding = options(&["a", "b"]);
        excluding.exclusions.push(FunnelExclusion { event: "x".into(), between: Some([1, 2]), ..FunnelExclusion::default() });
        let report = compute(&log, &Journeys::build(&log), &excluding).unwrap();
        assert_eq!(report.steps.iter().map(|step| step.people).collect::<Vec<_>>(), [1, 1]);
        assert_eq!(report.excluded, 1);
    }

    #[test]
    fn exclusion_interval_ends_with_the_window() {
        // u1 never reaches b: x inside the window excludes, x after it does not.
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 30, "x", ""), ("u2", 0, "a", ""), ("u2", 90, "x", ""), ("u3", 0, "b", "")]);
        let mut excluding = FunnelOptions { window: Some("1h".into()), ..options(&["a", "b"]) };
        excluding.exclusions.push(FunnelExclusion { event: "x".into(), ..FunnelExclusion::default() });
        let report = compute(&log, &Journeys::build(&log), &excluding).unwrap();
        assert_eq!(report.steps[0].people, 1);
        assert_eq!(report.excluded, 1);
    }

    #[test]
    fn exclusion_that_is_a_step_is_rejected() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "b", "")]);
        let mut excluding = options(&["a", "b"]);
        excluding.exclusions.push(FunnelExclusion { event: "b".into(), ..FunnelExclusion::default() });
        let error = compute(&log, &Journeys::build(&log), &excluding).unwrap_err();
        assert!(error.to_string().contains("invalid because it matches the same events as step 2"), "{error}");
    }

    #[test]
    fn exclusion_between_must_name_two_steps() {
        let log = log_of(&[("u1", 0, "a", ""), ("u1", 1, "b", ""), ("u1", 2, "x", "")]);
        let mut excluding = options(&["a", "b"]);
        excluding.exclusions.push(FunnelExclusion { event: "x".into(), between: Some([2, 3]), ..FunnelExclusion::default() });
        let error = compute(&log, &Journeys::build(&log), &excluding).unwrap_err();
        assert!(error.to_string().contains("between steps 2 and 3"), "{error}");
    }

    #[test]
    fn filter_cache_shares_patterns() {
        let log = log_of(&[("u1", 0, "view", "/pricing/team"), ("u2", 0, "view", "/home"), ("u3", 1, "click", "/pricing")]);
        let mut cache = FilterCache::default();
        let view = resolve_cached(&log, "rule 1", "view", Some("page"), Some("/pricing*"), MatchKind::Glob, &mut cache).unwrap();
        let click = resolve_cached(&log, "rule 2", "click", Some("page"), Some("/pricing*"), MatchKind::Glob, &mut cache).unwrap();
        let (Some(Filter::Set { accepted: first, .. }), Some(Filter::Set { accepted: second, .. })) = (&view.filter, &click.filter) else {
            panic!("both rules filter on a set of pages");
        };
        assert!(Arc::ptr_eq(first, second), "the second rule reuses the first one's values");
        assert_eq!((0..3).map(|at| view.matches(&log, at)).collect::<Vec<_>>(), [true, false, false]);
        assert_eq!((0..3).map(|at| click.matches(&log, at)).collect::<Vec<_>>(), [false, false, true]);
        // The same text as a regular expression is another filter.
        let regex = resolve_cached(&log, "rule 3", "view", Some("page"), Some("/pricing*"), MatchKind::Regex, &mut cache).unwrap();
        assert_eq!((0..3).map(|at| regex.matches(&log, at)).collect::<Vec<_>>(), [false, false, false]);
        let error = resolve_cached(&log, "rule 4", "view", Some("page"), Some("/pricing("), MatchKind::Regex, &mut cache).err().unwrap();
        assert!(error.to_string().contains("rule 4 has an invalid regular expression"), "{error}");
    }

    #[test]
    fn glob_and_regex_step_filters() {
        let log = log_of(&[("u1", 0, "view", "/pricing/team"), ("u2", 0, "view", "/pricing"), ("u3", 0, "view", "/home")]);
        let mut glob = options(&["view"]);
        glob.steps[0] = FunnelStep { event: "view".into(), column: Some("page".into()), value: Some("/pricing*".into()), match_kind: MatchKind::Glob, window: None };
        assert_eq!(counts(&log, &glob), [2]);
        let mut regex = glob.clone();
        regex.steps[0].match_kind = MatchKind::Regex;
        regex.steps[0].value = Some("/(home|pricing)".into());
        assert_eq!(counts(&log, &regex), [2]);
        regex.steps[0].value = Some("/pricing(".into());
        let error = compute(&log, &Journeys::build(&log), &regex).unwrap_err();
        assert!(error.to_string().contains("step 1 (\"view\") has an invalid regular expression"), "{error}");
    }

    #[test]
    fn glob_characters_other_than_wildcards_are_literal() {
        assert_eq!(glob_to_regex("/a.b*?"), "^/a\\.b.*.$");
    }

    #[test]
    fn breakdown_keeps_top_values_and_other() {
        let mut rows = Vec::new();
        let people: Vec<String> = (0..12).map(|person| format!("u{person}")).collect();
        let channels: Vec<String> = (0..12).map(|channel| format!("ch-{channel}")).collect();
        for person in 0..12 {
            rows.push((people[person].as_str(), 0, "a", channels[person].as_str()));
        }
        rows.push(("u0", 1, "b", ""));
        let log = log_of(&rows);
        let by_channel = FunnelOptions { breakdown: Some("first_touch_channel".into()), ..options(&["a", "b"]) };
        let report = compute(&log, &Journeys::build(&log), &by_channel).unwrap();
        assert_eq!(report.breakdown.len(), BREAKDOWN_TOP + 1);
        assert_eq!(report.breakdown[0].value, "ch-0");
        assert_eq!(report.breakdown[0].steps, [1, 1]);
        let other = report.breakdown.last().unwrap();
        assert!(other.other);
        assert_eq!(other.steps, [2, 0]);
        assert_eq!(report.breakdown_by.as_deref(), Some("first_touch_channel"));
    }

    #[test]
    fn breakdown_by_unknown_column_is_rejected() {
        let log = log_of(&[("u1", 0, "a", "")]);
        let by_column = FunnelOptions { breakdown: Some("plan".into()), ..options(&["a"]) };
        let error = compute(&log, &Journeys::build(&log), &by_column).unwrap_err();
        assert!(error.to_string().contains("\"plan\" is not a filter column"), "{error}");
    }

    #[test]
    fn held_column_keeps_each_chain_to_one_value() {
        // u1 views p1 and p2, carts p2 and buys p1: no single product goes through all three
        // steps, and the p2 chain (view, cart) goes furthest. u2's events have no product, so they
        // fill no step. u3 views p3 and stops.
        let log = log_of(&[
            ("u1", 0, "view", "p1"),
            ("u1", 1, "view", "p2"),
            ("u1", 2, "cart", "p2"),
            ("u1", 3, "buy", "p1"),
            ("u2", 0, "view", ""),
            ("u2", 1, "cart", ""),
            ("u3", 0, "view", "p3"),
        ]);
        let free = options(&["view", "cart", "buy"]);
        assert_eq!(counts(&log, &free), [3, 2, 1]);
        let held = FunnelOptions { hold_constant: Some("page".into()), ..free };
        let report = compute(&log, &Journeys::build(&log), &held).unwrap();
        assert_eq!(report.steps.iter().map(|step| step.people).collect::<Vec<_>>(), [2, 1, 0]);
        assert_eq!(report.hold_constant.as_deref(), Some("page"));
        assert!(report.rule.contains("same page as the step-1 event"), "{}", report.rule);
        let next = |step: usize| -> Vec<(String, u64)> {
            report.steps[step].next_after_drop.iter().map(|row| (row.label.clone(), row.people)).collect()
        };
        assert!(next(0).is_empty());
        assert_eq!(next(1), [("(journey ended)".to_string(), 1)]);
        assert!(report.steps[1].next_after_drop[0].ended);
        assert_eq!(next(2), [("buy p1".to_string(), 1)]);
        let unknown = FunnelOptions { hold_constant: Some("product".into()), ..options(&["view"]) };
        let error = compute(&log, &Journeys::build(&log), &unknown).unwrap_err();
        assert!(error.to_string().contains("holds the column \"product\" constant"), "{error}");
    }

    #[test]
    fn held_column_in_strict_and_any_order_funnels() {
        let log = log_of(&[("u1", 0, "view", "p1"), ("u1", 1, "view", "p2"), ("u1", 2, "cart", "p2"), ("u1", 3, "cart", "p1")]);
        let strict = FunnelOptions { kind: FunnelKind::Strict, hold_constant: Some("page".into()), ..options(&["view", "cart"]) };
        assert_eq!(counts(&log, &strict), [1, 1]);
        let any = FunnelOptions { kind: FunnelKind::AnyOrder, hold_constant: Some("page".into()), ..options(&["cart", "view"]) };
        assert_eq!(counts(&log, &any), [1, 1]);
        let log = log_of(&[("u1", 0, "view", "p1"), ("u1", 1, "cart", "p2")]);
        assert_eq!(counts(&log, &any), [1, 0]);
    }

    #[test]
    fn held_window_tries_later_starts() {
        // The first p1 view is too early for the cart within 10 minutes; the second one is not.
        // The p2 view in between never fills a p1 step.
        let log = log_of(&[("u1", 0, "view", "p1"), ("u1", 50, "view", "p2"), ("u1", 100, "view", "p1"), ("u1", 105, "cart", "p1")]);
        let held = FunnelOptions { window: Some("10m".into()), hold_constant: Some("page".into()), ..options(&["view", "cart"]) };
        assert_eq!(counts(&log, &held), [1, 1]);
        let report = compute(&log, &Journeys::build(&log), &held).unwrap();
        assert_eq!(report.steps[1].median_ms_from_previous, Some(5.0 * 60_000.0));
    }

    #[test]
    fn drop_next_ranks_events_and_gathers_the_rest() {
        let mut rows = Vec::new();
        let people: Vec<String> = (0..9).map(|person| format!("u{person}")).collect();
        let events = ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e6", "e5"];
        for person in 0..9 {
            rows.push((people[person].as_str(), 0, "a", ""));
            rows.push((people[person].as_str(), 1, events[person], ""));
        }
        rows.push(("u9", 0, "a", ""));
        rows.push(("u9", 1, "b", ""));
        let log = log_of(&rows);
        let report = compute(&log, &Journeys::build(&log), &options(&["a", "b"])).unwrap();
        let next: Vec<(&str, u64, bool)> = report.steps[1].next_after_drop.iter().map(|row| (row.label.as_str(), row.people, row.other)).collect();
        assert_eq!(next, [("e5", 2, false), ("e6", 2, false), ("e0", 1, false), ("e1", 1, false), ("e2", 1, false), ("Other", 2, true)]);
        assert_eq!(report.steps[1].dropped, 9);
    }

    #[test]
    fn duration_labels() {
        assert_eq!(describe_duration(30 * 86_400_000), "30 days");
        assert_eq!(describe_duration(3_600_000), "1 hour");
        assert_eq!(describe_duration(1_500), "1500 ms");
    }
}
