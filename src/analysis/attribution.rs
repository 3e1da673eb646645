//! Channel attribution: how much of the conversions each marketing channel earns, by seven models.
//!
//! A journey's touchpoints are the channels of its events in journey order, events without a
//! channel skipped. A converter's touchpoints run from the journey start up to and including
//! their first conversion event. A non-converter's cover the whole journey, because the Markov
//! model learns from both. Repeats are kept (`search > email > search` stays three touchpoints),
//! since removing return visits changes the Markov transitions. Every model hands out exactly the
//! weight of the converters that have a touchpoint, so no credit is negative and each model's
//! credits sum to the same total.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::parse_duration;
use super::stats;
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// Channels above which the Markov model is skipped: each removal solves a dense linear system,
/// so the cost grows with the fourth power of the channel count.
pub const MAX_MARKOV_CHANNELS: usize = 200;

/// States above which the Markov model is skipped, for higher orders, where each state is a
/// sequence of channels.
pub const MAX_MARKOV_STATES: usize = 50_000;

/// The highest Markov order accepted.
pub const MAX_MARKOV_ORDER: usize = 4;
/// The maximum number of rows in the channel table. Beyond it the channels with the least linear
/// credit are summed into one "Other" row, so that a log with a channel per person does not list
/// every person's channel.
pub const MAX_LISTED_CHANNELS: usize = 200;

/// Options for channel attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributionOptions {
    /// Half-life of the time-decay model, such as `7d` or `12h`.
    pub half_life: String,
    pub weight: AttributionWeight,
    /// The Markov chain's order: how many of the latest channels make one state, from 1 to
    /// [`MAX_MARKOV_ORDER`].
    pub markov_order: usize,
    /// Whether the Markov model merges runs of one channel (`search > search`) into one
    /// touchpoint.
    pub markov_collapse_repeats: bool,
}

impl Default for AttributionOptions {
    fn default() -> AttributionOptions {
        AttributionOptions { half_life: "7d".to_string(), weight: AttributionWeight::Conversions, markov_order: 1, markov_collapse_repeats: false }
    }
}

/// The worth of one conversion when credit is shared out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributionWeight {
    /// Each converter counts 1 (the default).
    #[default]
    Conversions,
    /// Each converter counts the value of their first conversion event.
    Value,
}

/// One channel's credit under every model, in conversions or in value as `weight` sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCredit {
    pub channel: String,
    /// Journeys with at least one touchpoint of this channel.
    pub journeys: u64,
    /// Converters with at least one touchpoint of this channel before or at their conversion.
    pub converting_journeys: u64,
    pub first_touch: f64,
    pub last_touch: f64,
    pub linear: f64,
    /// `None` when the times are synthetic (a channel path table).
    pub time_decay: Option<f64>,
    pub position_based: f64,
    /// `None` when there are more than [`MAX_MARKOV_CHANNELS`] channels.
    pub markov: Option<f64>,
    /// The share of the Markov conversion probability lost when this channel is removed.
    pub removal_effect: Option<f64>,
    pub shapley: f64,
}

/// The attribution part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionReport {
    pub weight: AttributionWeight,
    /// `None` when the times are synthetic and the time-decay model does not apply.
    pub half_life_ms: Option<i64>,
    /// Every converter, with or without a touchpoint.
    pub conversions: u64,
    /// Converters with no touchpoint before or at their conversion; no model can credit them.
    pub conversions_without_touchpoints: u64,
    /// The weight every model shares out: the converters with a touchpoint, or their value.
    pub credited: f64,
    /// The weight of the converters without a touchpoint.
    pub uncredited: f64,
    /// With value weight, converters whose conversion value is missing or negative and so
    /// counts as 0.
    pub conversions_without_value: u64,
    /// The Markov chain's probability of reaching a conversion from the start; `None` when the
    /// Markov model is skipped.
    pub conversion_probability: Option<f64>,
    pub markov_order: usize,
    pub markov_collapse_repeats: bool,
    /// The Markov chain's transient states; `None` when the model is skipped.
    pub markov_states: Option<u64>,
    /// The reason the Markov model was skipped; `None` when it ran.
    pub markov_skipped: Option<String>,
    /// Channels by linear credit, largest first; ties by name. With more than
    /// [`MAX_LISTED_CHANNELS`] channels, the last row is "Other", which sums the rest.
    pub channels: Vec<ChannelCredit>,
    /// Channels summed into the "Other" row; 0 when every channel has its own row.
    pub merged_channels: u64,
}

/// One journey's touchpoints, borrowed from a [`PathList`].
#[derive(Clone, Copy)]
struct TouchPath<'a> {
    /// Dense channel indexes in journey order.
    channels: &'a [u32],
    /// The touch times, for converters only, because only time decay reads them.
    times: &'a [i64],
    converted: bool,
    /// The conversion's worth: 1 or its value. It is 0 for non-converters.
    weight: f64,
}

/// The touchpoints of many journeys in a few shared blocks, so that a million journeys cost a few
/// allocations rather than two each.
#[derive(Default)]
struct PathList {
    channels: Vec<u32>,
    /// The end of each path in `channels`.
    ends: Vec<u32>,
    times: Vec<i64>,
    /// The end of each path in `times`.
    time_ends: Vec<u32>,
    converted: Vec<bool>,
    weight: Vec<f64>,
}

impl PathList {
    /// Creates an empty list with room for `touches` touchpoints.
    fn with_capacity(touches: usize) -> PathList {
        PathList { channels: Vec::with_capacity(touches), ..PathList::default() }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Counts the touchpoints added since the last finished path.
    fn open_touches(&self) -> usize {
        self.channels.len() - self.ends.last().map_or(0, |&end| end as usize)
    }

    /// Adds a touchpoint to the path being built. `time` is kept when given.
    fn push_touch(&mut self, channel: u32, time: Option<i64>) {
        self.channels.push(channel);
        self.times.extend(time);
    }

    /// Finishes the path being built from the touchpoints added since the last one.
    fn finish_path(&mut self, converted: bool, weight: f64) {
        // Event indexes are 32-bit, so the number of touchpoints fits too.
        self.ends.push(self.channels.len() as u32);
        self.time_ends.push(self.times.len() as u32);
        self.converted.push(converted);
        self.weight.push(weight);
    }

    fn get(&self, index: usize) -> TouchPath<'_> {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        let time_start = index.checked_sub(1).map_or(0, |before| self.time_ends[before] as usize);
        TouchPath {
            channels: &self.channels[start..self.ends[index] as usize],
            times: &self.times[time_start..self.time_ends[index] as usize],
            converted: self.converted[index],
            weight: self.weight[index],
        }
    }

    fn iter(&self) -> impl Iterator<Item = TouchPath<'_>> {
        (0..self.len()).map(|index| self.get(index))
    }
}

/// Credits channels for the conversions. Returns `None` when there is no conversion event or no
/// event has a channel. With `timed` false the times are synthetic and time decay is skipped.
pub fn compute(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    options: &AttributionOptions,
    timed: bool,
) -> Result<Option<AttributionReport>, Error> {
    let half_life_ms = parse_half_life(&options.half_life)?;
    if !(1..=MAX_MARKOV_ORDER).contains(&options.markov_order) {
        return Err(Error::Options(format!(
            "The Markov order {} is out of range. Use an order from 1 to {MAX_MARKOV_ORDER}.",
            options.markov_order
        )));
    }
    if conversion.event.is_none() || log.channels.is_empty() {
        return Ok(None);
    }
    let TouchPaths { names, paths, conversions, untouched, without_value } = touch_paths(log, journeys, conversion, options.weight);
    let channels = names.len();
    let credited = stats::sum(paths.iter().filter(|path| path.converted).map(|path| path.weight)).0;
    let mut credits = Credits::new(channels, timed);
    for path in paths.iter() {
        credits.count(&path);
        if path.converted {
            credits.add(&path, half_life_ms as f64);
        }
    }
    let (markov, markov_skipped) = match markov(&paths, channels, options.markov_order, options.markov_collapse_repeats) {
        Ok(chain) => (Some(chain), None),
        Err(reason) => (None, Some(reason)),
    };

    let rows: Vec<(usize, ChannelCredit)> = (0..channels)
        .map(|index| (index, ChannelCredit {
            channel: log.channels.name(names[index]).to_string(),
            journeys: credits.journeys[index],
            converting_journeys: credits.converting_journeys[index],
            first_touch: credits.first_touch[index],
            last_touch: credits.last_touch[index],
            linear: credits.linear[index],
            time_decay: timed.then(|| credits.time_decay[index]),
            position_based: credits.position_based[index],
            markov: markov.as_ref().map(|chain| chain.credit(index, credited)),
            removal_effect: markov.as_ref().map(|chain| chain.removal_effects[index]),
            shapley: credits.shapley[index],
        }))
        .collect();
    // Each key once, because rounding goes through text and a channel column can hold a
    // distinct referrer for nearly every event.
    let mut keyed: Vec<(f64, (usize, ChannelCredit))> = rows.into_iter().map(|row| (ranking_key(row.1.linear), row)).collect();
    sorting::sort_by(&mut keyed, |(a_key, (_, a)), (b_key, (_, b))| b_key.total_cmp(a_key).then_with(|| a.channel.cmp(&b.channel)));
    let rows: Vec<(usize, ChannelCredit)> = keyed.into_iter().map(|(_, row)| row).collect();
    let (rows, merged_channels) = merge_rare_channels(rows, &paths, channels);
    Ok(Some(AttributionReport {
        weight: options.weight,
        half_life_ms: timed.then_some(half_life_ms),
        conversions,
        conversions_without_touchpoints: untouched.0,
        credited,
        uncredited: untouched.1,
        conversions_without_value: without_value,
        conversion_probability: markov.as_ref().map(|chain| chain.conversion_probability),
        markov_order: options.markov_order,
        markov_collapse_repeats: options.markov_collapse_repeats,
        markov_states: markov.as_ref().map(|chain| chain.states as u64),
        markov_skipped,
        channels: rows,
        merged_channels,
    }))
}

/// Returns the warning text for an attribution table that summed `merged` channels into "Other".
pub fn merged_channels_message(merged: u64) -> String {
    format!(
        "The attribution table lists at most {MAX_LISTED_CHANNELS} rows, so the {merged} channels with the least linear credit are summed into one \"Other\" row. Group channels into fewer, broader ones to see each."
    )
}

/// Keeps the first [`MAX_LISTED_CHANNELS`] - 1 of the sorted `rows` and sums the others into one
/// "Other" row. Its credits are the sums of theirs, and its journeys count the journeys that touch
/// any of them, once each. Returns the rows and how many channels were summed.
fn merge_rare_channels(mut rows: Vec<(usize, ChannelCredit)>, paths: &PathList, channels: usize) -> (Vec<ChannelCredit>, u64) {
    if rows.len() <= MAX_LISTED_CHANNELS {
        return (rows.into_iter().map(|(_, row)| row).collect(), 0);
    }
    let rest = rows.split_off(MAX_LISTED_CHANNELS - 1);
    let mut merged = vec![false; channels];
    let mut other = ChannelCredit {
        channel: "Other".to_string(),
        journeys: 0,
        converting_journeys: 0,
        first_touch: 0.0,
        last_touch: 0.0,
        linear: 0.0,
        time_decay: rest.first().and_then(|(_, row)| row.time_decay).map(|_| 0.0),
        position_based: 0.0,
        markov: None,
        removal_effect: None,
        shapley: 0.0,
    };
    for (index, row) in &rest {
        if let Some(slot) = merged.get_mut(*index) {
            *slot = true;
        }
        other.first_touch += row.first_touch;
        other.last_touch += row.last_touch;
        other.linear += row.linear;
        other.time_decay = other.time_decay.zip(row.time_decay).map(|(sum, credit)| sum + credit);
        other.position_based += row.position_based;
        other.shapley += row.shapley;
    }
    for path in paths.iter() {
        if path.channels.iter().any(|&channel| merged.get(channel as usize).copied().unwrap_or(false)) {
            other.journeys += 1;
            other.converting_journeys += u64::from(path.converted);
        }
    }
    let count = rest.len() as u64;
    let mut listed: Vec<ChannelCredit> = rows.into_iter().map(|(_, row)| row).collect();
    listed.push(other);
    (listed, count)
}

/// The touchpoints of every journey, with the counts that no model credits.
struct TouchPaths {
    /// The channel id in the log of each dense channel index.
    names: Vec<u32>,
    /// The journeys with at least one touchpoint.
    paths: PathList,
    conversions: u64,
    /// Converters without a touchpoint, and their total weight.
    untouched: (u64, f64),
    without_value: u64,
}

/// Collects each journey's touchpoints: up to and including the first conversion for converters,
/// the whole journey for everyone else.
fn touch_paths(log: &EventLog, journeys: &Journeys, conversion: &Conversion, weight: AttributionWeight) -> TouchPaths {
    let mut names: Vec<u32> = Vec::new();
    let mut dense: HashMap<u32, u32> = HashMap::default();
    let touches = log.channel.iter().filter(|&&channel| channel != NONE).count();
    let mut paths = PathList::with_capacity(touches);
    let mut untouched = (0u64, 0.0f64);
    let mut without_value = 0u64;
    let mut conversions = 0u64;
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let first = conversion.first[person];
        let end = first.map_or(journey.len(), |position| position + 1);
        for &at in &journey[..end] {
            let channel = log.channel[at as usize];
            if channel == NONE {
                continue;
            }
            let index = *dense.entry(channel).or_insert_with(|| {
                names.push(channel);
                (names.len() - 1) as u32
            });
            paths.push_touch(index, first.map(|_| log.time[at as usize]));
        }
        let touched = paths.open_touches() > 0;
        let mut path_weight = 0.0;
        if let Some(position) = first {
            let at = journey[position] as usize;
            conversions += 1;
            path_weight = match weight {
                AttributionWeight::Conversions => 1.0,
                AttributionWeight::Value if log.value[at] >= 0.0 => log.value[at],
                AttributionWeight::Value => {
                    without_value += 1;
                    0.0
                }
            };
            if !touched {
                untouched.0 += 1;
                untouched.1 += path_weight;
            }
        }
        if touched {
            paths.finish_path(first.is_some(), path_weight);
        }
    }

    TouchPaths { names, paths, conversions, untouched, without_value }
}

/// Parses the half-life option into milliseconds.
fn parse_half_life(text: &str) -> Result<i64, Error> {
    parse_duration(text).map_err(|_| {
        Error::Options(format!("The half-life \"{text}\" is not a duration. Write a number and a unit, such as 7d, 12h or 30m."))
    })
}

/// The per-model credits of every channel, filled one converting journey at a time.
struct Credits {
    journeys: Vec<u64>,
    converting_journeys: Vec<u64>,
    first_touch: Vec<f64>,
    last_touch: Vec<f64>,
    linear: Vec<f64>,
    time_decay: Vec<f64>,
    position_based: Vec<f64>,
    shapley: Vec<f64>,
    timed: bool,
    /// Scratch space: whether a channel was already seen in the current journey.
    seen: Vec<bool>,
}

impl Credits {
    fn new(channels: usize, timed: bool) -> Credits {
        Credits {
            journeys: vec![0; channels],
            converting_journeys: vec![0; channels],
            first_touch: vec![0.0; channels],
            last_touch: vec![0.0; channels],
            linear: vec![0.0; channels],
            time_decay: vec![0.0; channels],
            position_based: vec![0.0; channels],
            shapley: vec![0.0; channels],
            timed,
            seen: vec![false; channels],
        }
    }

    /// Counts the journey, and the converting journey of a converter, for each channel it touches.
    fn count(&mut self, path: &TouchPath) {
        for &channel in &self.distinct(path.channels) {
            self.journeys[channel] += 1;
            if path.converted {
                self.converting_journeys[channel] += 1;
            }
        }
    }

    /// Returns the distinct channels of `touches` in first-touch order.
    fn distinct(&mut self, touches: &[u32]) -> Vec<usize> {
        let mut distinct = Vec::new();
        for channel in touches.iter().map(|&channel| channel as usize) {
            if !self.seen[channel] {
                self.seen[channel] = true;
                distinct.push(channel);
            }
        }
        for &channel in &distinct {
            self.seen[channel] = false;
        }
        distinct
    }

    /// Shares one converting journey's weight out under every rule-based model and Shapley.
    fn add(&mut self, path: &TouchPath, half_life_ms: f64) {
        let touches = path.channels;
        let count = touches.len();
        let weight = path.weight;
        self.first_touch[touches[0] as usize] += weight;
        self.last_touch[touches[count - 1] as usize] += weight;
        for &channel in touches {
            self.linear[channel as usize] += weight / count as f64;
        }
        for (position, &channel) in touches.iter().enumerate() {
            self.position_based[channel as usize] += weight * position_share(position, count);
        }
        if self.timed {
            self.add_time_decay(path, half_life_ms);
        }

        // The characteristic function v(S) = the weight of the converting journeys whose channel
        // set is a subset of S is a sum of one unanimity game per journey. A unanimity game's
        // Shapley value splits its weight equally over its channels, and Shapley values add, so
        // this is the exact value for any number of channels.
        let distinct = self.distinct(touches);
        for &channel in &distinct {
            self.shapley[channel] += weight / distinct.len() as f64;
        }
    }

    /// Weighs each touchpoint by 2^(-(conversion time - touch time) / half-life), normalised so
    /// the journey's weights sum to its weight.
    fn add_time_decay(&mut self, path: &TouchPath, half_life_ms: f64) {
        // Ages are measured from the last touchpoint instead of the conversion: the normalised
        // shares are the same, and the last touchpoint's factor of 1 keeps the sum from
        // underflowing to 0 when every touch is hundreds of half-lives old.
        let latest = path.times[path.times.len() - 1];
        let factors: Vec<f64> = path.times.iter().map(|&time| (-((latest - time) as f64) / half_life_ms).exp2()).collect();
        let total: f64 = factors.iter().sum();
        for (&channel, factor) in path.channels.iter().zip(&factors) {
            self.time_decay[channel as usize] += path.weight * factor / total;
        }
    }
}

/// Returns the position-based (40/20/40) share of touchpoint `position` among `count`.
fn position_share(position: usize, count: usize) -> f64 {
    match count {
        1 => 1.0,
        2 => 0.5,
        _ if position == 0 || position == count - 1 => 0.4,
        _ => 0.2 / (count - 2) as f64,
    }
}

/// The Markov chain of the touchpoints and its removal effects.
struct MarkovChain {
    conversion_probability: f64,
    removal_effects: Vec<f64>,
    states: usize,
}

impl MarkovChain {
    /// Returns a channel's share of `credited`: its removal effect over the sum of all of them.
    fn credit(&self, channel: usize, credited: f64) -> f64 {
        let total: f64 = self.removal_effects.iter().sum();
        if total > 0.0 {
            credited * self.removal_effects[channel] / total
        } else {
            0.0
        }
    }
}

/// Builds the chain start → states → conversion or null from every journey with a touchpoint,
/// and solves it once whole and once per removed channel. A state is the last `order` channels
/// up to a touchpoint (fewer at the start of a walk). Returns `None` when there are more than
/// [`MAX_MARKOV_STATES`] states.
fn markov(paths: &PathList, channels: usize, order: usize, collapse_repeats: bool) -> Result<MarkovChain, String> {
    if channels > MAX_MARKOV_CHANNELS {
        return Err(format!(
            "The Markov model was skipped: the data has {channels} channels, more than the {MAX_MARKOV_CHANNELS} it handles. Group channels into fewer, broader ones."
        ));
    }
    let chain = Chain::from_walks(paths, order, collapse_repeats).ok_or_else(|| {
        format!(
            "The Markov model of order {order} was skipped: it has more than {MAX_MARKOV_STATES} states. Use a lower order or merge repeated channels."
        )
    })?;
    let not_converged = || {
        format!(
            "The Markov model of order {order} was skipped: its {} states could not be solved to full precision. Use a lower order or merge repeated channels.",
            chain.members.len()
        )
    };
    let conversion_probability = chain.absorption(None).ok_or_else(not_converged)?;
    let mut removal_effects = Vec::with_capacity(channels);
    for channel in 0..channels {
        let effect = if conversion_probability <= 0.0 {
            0.0
        } else {
            let without = chain.absorption(Some(channel)).ok_or_else(not_converged)?;
            (1.0 - without / conversion_probability).clamp(0.0, 1.0)
        };
        removal_effects.push(effect);
    }
    Ok(MarkovChain { conversion_probability, removal_effects, states: chain.members.len() })
}

/// The destination of a step of a walk.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    State(usize),
    Conversion,
    Null,
}

/// Transition probabilities of the absorbing chain, stored by row.
struct Chain {
    /// The channels in each state.
    members: Vec<Vec<usize>>,
    /// Probability of each state as the first of a walk.
    start: Vec<f64>,
    /// For each state, its transitions to other states with their probabilities.
    transitions: Vec<Vec<(usize, f64)>>,
    /// For each state, its probability of stepping into conversion.
    conversion: Vec<f64>,
}

/// The largest chain solved by Gaussian elimination. Larger chains are iterated, because the
/// cost of elimination grows with the cube of the states.
const DENSE_STATES: usize = 400;

/// The iterative solver stops when the residual is this share of the right-hand side.
const RESIDUAL_TOLERANCE: f64 = 1e-14;
/// The iterations after which the iterative solver gives up.
const MAX_ITERATIONS: usize = 20_000;

impl Chain {
    /// Counts the steps of every walk between states of `order` channels and turns them into
    /// probabilities; `None` beyond [`MAX_MARKOV_STATES`] states.
    fn from_walks(paths: &PathList, order: usize, collapse_repeats: bool) -> Option<Chain> {
        let mut states: HashMap<Vec<usize>, usize> = HashMap::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut start: HashMap<usize, f64> = HashMap::default();
        let mut steps: HashMap<(usize, Target), f64> = HashMap::default();
        let mut walk = Vec::new();
        for path in paths.iter() {
            walk.clear();
            for channel in path.channels.iter().map(|&channel| channel as usize) {
                if !(collapse_repeats && walk.last() == Some(&channel)) {
                    walk.push(channel);
                }
            }
            let mut previous: Option<usize> = None;
            for end in 1..=walk.len() {
                let key = &walk[end.saturating_sub(order)..end];
                let state = match states.get(key) {
                    Some(&state) => state,
                    None if members.len() == MAX_MARKOV_STATES => return None,
                    None => {
                        states.insert(key.to_vec(), members.len());
                        members.push(key.to_vec());
                        members.len() - 1
                    }
                };
                match previous {
                    None => *start.entry(state).or_insert(0.0) += 1.0,
                    Some(from) => *steps.entry((from, Target::State(state))).or_insert(0.0) += 1.0,
                }
                previous = Some(state);
            }
            if let Some(last) = previous {
                let end = if path.converted { Target::Conversion } else { Target::Null };
                *steps.entry((last, end)).or_insert(0.0) += 1.0;
            }
        }
        Some(Chain::new(members, start, steps))
    }

    fn new(members: Vec<Vec<usize>>, start_counts: HashMap<usize, f64>, step_counts: HashMap<(usize, Target), f64>) -> Chain {
        let count = members.len();
        let mut start = vec![0.0; count];
        let starts: f64 = start_counts.values().sum();
        for (state, walks) in start_counts {
            start[state] = walks / starts;
        }
        let mut outgoing = vec![0.0; count];
        for (&(from, _), steps) in &step_counts {
            outgoing[from] += steps;
        }
        let mut transitions = vec![Vec::new(); count];
        let mut conversion = vec![0.0; count];
        for ((from, target), steps) in step_counts {
            let probability = steps / outgoing[from];
            match target {
                Target::State(to) => transitions[from].push((to, probability)),
                Target::Conversion => conversion[from] = probability,
                Target::Null => {}
            }
        }
        for row in &mut transitions {
            sorting::sort_by_key(row, |&(to, _)| to);
        }
        Chain { members, start, transitions, conversion }
    }

    /// Returns the probability of absorption in conversion from the start, with every state that
    /// contains `removed` (if any) turned into null: its absorption probability is 0. Returns
    /// `None` when the iterative solver does not converge.
    ///
    /// The probabilities x solve (I - Q) x = r, where Q contains the state-to-state transitions
    /// and r the state-to-conversion ones. Every state seen in a walk reaches conversion or null,
    /// so I - Q is nonsingular.
    fn absorption(&self, removed: Option<usize>) -> Option<f64> {
        let dropped: Vec<bool> = self.members.iter().map(|channels| removed.is_some_and(|channel| channels.contains(&channel))).collect();
        let solution = if self.members.len() <= DENSE_STATES { self.solve_dense(&dropped) } else { self.iterate(&dropped)? };
        Some(self.start.iter().zip(&solution).map(|(start, x)| start * x).sum::<f64>().clamp(0.0, 1.0))
    }

    /// Solves the system by Gaussian elimination with partial pivoting.
    fn solve_dense(&self, dropped: &[bool]) -> Vec<f64> {
        let n = self.members.len();
        let mut matrix = vec![vec![0.0f64; n + 1]; n];
        for (i, row) in matrix.iter_mut().enumerate() {
            row[i] = 1.0;
            if dropped[i] {
                continue;
            }
            for &(to, probability) in &self.transitions[i] {
                row[to] -= probability;
            }
            row[n] = self.conversion[i];
        }
        solve(matrix)
    }

    /// Returns (I − Q) v, with the rows of dropped states left as the identity.
    fn multiply(&self, dropped: &[bool], v: &[f64], out: &mut [f64]) {
        for (state, cell) in out.iter_mut().enumerate() {
            *cell = if dropped[state] {
                v[state]
            } else {
                v[state] - self.transitions[state].iter().map(|&(to, probability)| probability * v[to]).sum::<f64>()
            };
        }
    }

    /// Solves the system by the stabilised biconjugate gradient method (BiCGSTAB) with the
    /// diagonal as preconditioner, which also takes a state's steps to itself into account.
    /// Returns `None` when the residual does not fall below [`RESIDUAL_TOLERANCE`] of the
    /// right-hand side within [`MAX_ITERATIONS`] iterations.
    fn iterate(&self, dropped: &[bool]) -> Option<Vec<f64>> {
        let n = self.members.len();
        let rhs: Vec<f64> = (0..n).map(|state| if dropped[state] { 0.0 } else { self.conversion[state] }).collect();
        let diagonal: Vec<f64> = (0..n)
            .map(|state| {
                let own = if dropped[state] { 0.0 } else { self.transitions[state].iter().filter(|&&(to, _)| to == state).map(|&(_, p)| p).sum() };
                1.0 - own
            })
            .collect();
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let target = RESIDUAL_TOLERANCE * norm(&rhs);
        let mut x = vec![0.0; n];
        if target == 0.0 {
            return Some(x);
        }
        let mut r = rhs.clone();
        let shadow = r.clone();
        let (mut rho, mut alpha, mut omega) = (1.0f64, 1.0f64, 1.0f64);
        let (mut v, mut p) = (vec![0.0; n], vec![0.0; n]);
        let (mut y, mut z, mut t) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for _ in 0..MAX_ITERATIONS {
            let rho_next = dot(&shadow, &r);
            if rho_next == 0.0 || omega == 0.0 {
                return None;
            }
            let beta = (rho_next / rho) * (alpha / omega);
            rho = rho_next;
            for i in 0..n {
                p[i] = r[i] + beta * (p[i] - omega * v[i]);
                y[i] = p[i] / diagonal[i];
            }
            self.multiply(dropped, &y, &mut v);
            alpha = rho / dot(&shadow, &v);
            // r becomes s = r − α v.
            for i in 0..n {
                r[i] -= alpha * v[i];
            }
            if norm(&r) <= target {
                for i in 0..n {
                    x[i] += alpha * y[i];
                }
                return Some(x);
            }
            for i in 0..n {
                z[i] = r[i] / diagonal[i];
            }
            self.multiply(dropped, &z, &mut t);
            omega = dot(&t, &r) / dot(&t, &t);
            for i in 0..n {
                x[i] += alpha * y[i] + omega * z[i];
                r[i] -= omega * t[i];
            }
            if !omega.is_finite() || !alpha.is_finite() {
                return None;
            }
            if norm(&r) <= target {
                return Some(x);
            }
        }
        None
    }
}

/// Solves the augmented system `matrix` (n rows of n coefficients and the right-hand side).
fn solve(mut matrix: Vec<Vec<f64>>) -> Vec<f64> {
    let n = matrix.len();
    for column in 0..n {
        let pivot = (column..n).max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs())).unwrap_or(column);
        matrix.swap(column, pivot);
        let divisor = matrix[column][column];
        if divisor == 0.0 {
            continue;
        }
        let (upper, lower) = matrix.split_at_mut(column + 1);
        let pivot_row = &upper[column];
        for row in lower {
            let factor = row[column] / divisor;
            if factor == 0.0 {
                continue;
            }
            for (cell, pivot_cell) in row[column..].iter_mut().zip(&pivot_row[column..]) {
                *cell -= factor * pivot_cell;
            }
        }
    }
    let mut solution = vec![0.0; n];
    for row in (0..n).rev() {
        let known: f64 = (row + 1..n).map(|k| matrix[row][k] * solution[k]).sum();
        let divisor = matrix[row][row];
        solution[row] = if divisor == 0.0 { 0.0 } else { (matrix[row][n] - known) / divisor };
    }
    solution
}

// Native only: the seeded generator comes from the rand crate, a native-only dependency, and the
// wasm test build compiles these modules too.
/// Rounds a credit to 11 significant digits for ranking. Credits are sums of fractions taken in
/// journey order, so equal credits can differ in the last bits when the rows come in another
/// order. Rounded, they tie and fall back to the channel name.
fn ranking_key(credit: f64) -> f64 {
    format!("{credit:.10e}").parse().unwrap_or(credit)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    const HOUR_MS: i64 = 3_600_000;

    /// One test journey: channel names (empty for an event without a channel), and the value of
    /// a final `purchase` event for converters.
    struct Journey<'a> {
        touches: Vec<&'a str>,
        purchase: Option<f64>,
    }

    fn journey(path: &str, purchase: Option<f64>) -> Journey<'_> {
        Journey { touches: path.split('>').map(str::trim).collect(), purchase }
    }

    /// Builds a log with one person per journey, events one hour apart.
    fn build(journeys: &[Journey<'_>]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (number, journey) in journeys.iter().enumerate() {
            let person = log.identifier(&format!("p{number}"), IdentityKind::UserId);
            let mut time = 0;
            let mut push = |log: &mut EventLog, event: &str, channel: Option<&str>, value: f64| {
                log.push(NewEvent { person, time, event, channel, value, ordinal: None, date_only: false, file: 0, row: 2 }, []);
                time += HOUR_MS;
            };
            for &touch in &journey.touches {
                push(&mut log, "visit", Some(touch).filter(|touch| !touch.is_empty()), f64::NAN);
            }
            if let Some(value) = journey.purchase {
                push(&mut log, "purchase", None, value);
            }
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn attribute(journeys: &[Journey<'_>], options: &AttributionOptions) -> AttributionReport {
        let (log, built) = build(journeys);
        let conversion = Conversion::find(&log, &built, Some("purchase")).unwrap();
        compute(&log, &built, &conversion, options, true).unwrap().unwrap()
    }

    fn channel<'r>(report: &'r AttributionReport, name: &str) -> &'r ChannelCredit {
        report.channels.iter().find(|row| row.channel == name).unwrap()
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-9
    }

    #[test]
    fn repeats_kept_in_markov() {
        let report = attribute(&[journey("search > email > search", Some(1.0)), journey("email", None)], &AttributionOptions::default());
        let search = channel(&report, "search");
        let email = channel(&report, "email");
        assert!(close(report.conversion_probability.unwrap(), 0.5));
        assert!(close(search.removal_effect.unwrap(), 1.0));
        assert!(close(email.removal_effect.unwrap(), 0.5));
        assert!(close(search.markov.unwrap(), 2.0 / 3.0));
        assert!(close(email.markov.unwrap(), 1.0 / 3.0));
    }

    #[test]
    fn second_order_chain_remembers_the_previous_channel() {
        // a > b converts and b > a does not. Order 1 mixes the two walks: a leads to b half the
        // time and b converts half the time, so P = 1/2, removing a leaves P = 1/4 (effect 1/2)
        // and removing b leaves 0 (effect 1); credits 1/3 and 2/3. Order 2 keeps them apart: only
        // the walk through (a, b) converts, and removing either channel breaks it, so both
        // effects are 1 and the credits 1/2 each.
        let journeys = [journey("a > b", Some(1.0)), journey("b > a", None)];
        let first = attribute(&journeys, &AttributionOptions::default());
        assert!(close(first.conversion_probability.unwrap(), 0.5));
        assert!(close(channel(&first, "a").removal_effect.unwrap(), 0.5));
        assert!(close(channel(&first, "b").removal_effect.unwrap(), 1.0));
        assert!(close(channel(&first, "a").markov.unwrap(), 1.0 / 3.0));
        assert_eq!(first.markov_states, Some(2));

        let second = attribute(&journeys, &AttributionOptions { markov_order: 2, ..AttributionOptions::default() });
        assert!(close(second.conversion_probability.unwrap(), 0.5));
        assert!(close(channel(&second, "a").markov.unwrap(), 0.5));
        assert!(close(channel(&second, "b").markov.unwrap(), 0.5));
        assert_eq!((second.markov_order, second.markov_states), (2, Some(4)));
    }

    #[test]
    fn collapsed_repeats_merge_states() {
        let journeys = [journey("a > a > b", Some(1.0))];
        let kept = attribute(&journeys, &AttributionOptions { markov_order: 2, ..AttributionOptions::default() });
        assert_eq!(kept.markov_states, Some(3));
        let collapsed = attribute(&journeys, &AttributionOptions { markov_order: 2, markov_collapse_repeats: true, ..AttributionOptions::default() });
        assert_eq!(collapsed.markov_states, Some(2));
        assert!(collapsed.markov_collapse_repeats);
    }

    #[test]
    fn markov_order_out_of_range_is_rejected() {
        let (log, built) = build(&[journey("a", Some(1.0))]);
        let conversion = Conversion::find(&log, &built, Some("purchase")).unwrap();
        for order in [0, MAX_MARKOV_ORDER + 1] {
            let options = AttributionOptions { markov_order: order, ..AttributionOptions::default() };
            let error = compute(&log, &built, &conversion, &options, true).unwrap_err();
            assert!(error.to_string().contains("Markov order"), "{error}");
        }
    }

    /// Builds a path list from (channel indexes, converted) pairs without times, each converter
    /// weighing 1.
    fn path_list(paths: impl IntoIterator<Item = (Vec<usize>, bool)>) -> PathList {
        let mut list = PathList::default();
        for (channels, converted) in paths {
            channels.into_iter().for_each(|channel| list.push_touch(channel as u32, None));
            list.finish_path(converted, f64::from(u8::from(converted)));
        }
        list
    }

    #[test]
    fn iteration_agrees_with_elimination() {
        let mut random = ChaCha8Rng::seed_from_u64(11);
        let names = ["a", "b", "c", "d", "e", "f"];
        let paths = path_list((0..400).map(|_| {
            let length = random.random_range(1..7);
            let channels = (0..length).map(|_| random.random_range(0..names.len())).collect();
            (channels, random.random_bool(0.3))
        }));
        let chain = Chain::from_walks(&paths, 3, false).unwrap();
        assert!(chain.members.len() > 100);
        for removed in [None, Some(0), Some(3)] {
            let dropped: Vec<bool> = chain.members.iter().map(|channels| removed.is_some_and(|channel| channels.contains(&channel))).collect();
            let dense = chain.solve_dense(&dropped);
            let iterated = chain.iterate(&dropped).unwrap();
            for (a, b) in dense.iter().zip(&iterated) {
                assert!((a - b).abs() < 1e-12, "{a} {b}");
            }
        }
    }

    #[test]
    fn markov_long_loops_solve_exactly() {
        // Walks that repeat one channel many times make states that mostly step to themselves,
        // which slows plain sweeps to a crawl. The chain's conversion probability must still equal
        // the share of walks that convert.
        let mut random = ChaCha8Rng::seed_from_u64(5);
        let paths = path_list((0..1500).map(|_| {
            let mut channels = Vec::new();
            for _ in 0..random.random_range(1..8) {
                let channel = random.random_range(0..16);
                channels.extend(std::iter::repeat_n(channel, random.random_range(1..30)));
            }
            (channels, random.random_bool(0.2))
        }));
        let share = paths.iter().filter(|path| path.converted).count() as f64 / paths.len() as f64;
        let chain = markov(&paths, 16, 4, false).unwrap();
        assert!(chain.states > DENSE_STATES, "{} states", chain.states);
        assert!((chain.conversion_probability - share).abs() < 1e-10, "{} against {share}", chain.conversion_probability);
    }

    #[test]
    fn skipped_markov_says_why() {
        let paths = path_list((0..MAX_MARKOV_CHANNELS + 1).map(|channel| (vec![channel], true)));
        let reason = markov(&paths, MAX_MARKOV_CHANNELS + 1, 1, false).err().unwrap();
        assert!(reason.contains("201 channels"), "{reason}");
    }

    #[test]
    fn rule_based_models() {
        let report = attribute(&[journey("a > b > c > d", Some(1.0)), journey("b > a", Some(1.0)), journey("c", Some(1.0))], &AttributionOptions::default());
        let a = channel(&report, "a");
        let b = channel(&report, "b");
        let c = channel(&report, "c");
        let d = channel(&report, "d");
        assert_eq!((a.first_touch, b.first_touch, c.first_touch), (1.0, 1.0, 1.0));
        assert_eq!((a.last_touch, c.last_touch, d.last_touch), (1.0, 1.0, 1.0));
        assert!(close(a.linear, 0.25 + 0.5));
        assert!(close(c.linear, 0.25 + 1.0));
        assert!(close(a.position_based, 0.4 + 0.5));
        assert!(close(b.position_based, 0.1 + 0.5));
        assert!(close(c.position_based, 0.1 + 1.0));
        assert!(close(d.position_based, 0.4));
        assert!(close(a.shapley, 0.25 + 0.5));
        assert_eq!(a.converting_journeys, 2);
        assert_eq!(d.journeys, 1);
    }

    #[test]
    fn time_decay_halves_per_half_life() {
        let options = AttributionOptions { half_life: "1h".to_string(), ..AttributionOptions::default() };
        let report = attribute(&[journey("a > b", Some(1.0))], &options);
        // b is 1 h before the conversion and a 2 h: weights 1/2 and 1/4.
        assert!(close(channel(&report, "a").time_decay.unwrap(), 1.0 / 3.0));
        assert!(close(channel(&report, "b").time_decay.unwrap(), 2.0 / 3.0));
    }

    #[test]
    fn time_decay_survives_very_old_touches() {
        let options = AttributionOptions { half_life: "1s".to_string(), ..AttributionOptions::default() };
        let report = attribute(&[journey("a > b", Some(1.0))], &options);
        assert!(close(channel(&report, "a").time_decay.unwrap() + channel(&report, "b").time_decay.unwrap(), 1.0));
    }

    #[test]
    fn equal_credits_rank_by_name() {
        // Ten touches of 1/10 add up to 0.9999999999999999, one touch to exactly 1.
        let report = attribute(&[journey("b", Some(1.0)), journey("a > a > a > a > a > a > a > a > a > a", Some(1.0))], &AttributionOptions::default());
        let order: Vec<&str> = report.channels.iter().map(|row| row.channel.as_str()).collect();
        assert_eq!(order, ["a", "b"]);
    }

    #[test]
    fn value_weight_uses_conversion_value() {
        let options = AttributionOptions { weight: AttributionWeight::Value, ..AttributionOptions::default() };
        let report = attribute(&[journey("a", Some(30.0)), journey("b", Some(f64::NAN)), journey("", Some(5.0))], &options);
        assert_eq!(channel(&report, "a").linear, 30.0);
        assert_eq!(channel(&report, "b").linear, 0.0);
        assert_eq!(report.conversions, 3);
        assert_eq!(report.conversions_without_value, 1);
        assert_eq!(report.conversions_without_touchpoints, 1);
        assert_eq!(report.credited, 30.0);
        assert_eq!(report.uncredited, 5.0);
    }

    #[test]
    fn touchpoints_stop_at_first_conversion() {
        let (mut log, _) = build(&[journey("a", Some(1.0))]);
        let person = log.identifier("p0", IdentityKind::UserId);
        log.push(NewEvent { person, time: 10 * HOUR_MS, event: "visit", channel: Some("late"), value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 3 }, []);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("purchase")).unwrap();
        let report = compute(&log, &journeys, &conversion, &AttributionOptions::default(), true).unwrap().unwrap();
        assert_eq!(channel(&report, "a").last_touch, 1.0);
        assert!(report.channels.iter().all(|row| row.channel != "late"), "a touch after the conversion was credited");
    }

    #[test]
    fn none_without_channels_or_conversion() {
        let (log, journeys) = build(&[journey("", Some(1.0))]);
        let conversion = Conversion::find(&log, &journeys, Some("purchase")).unwrap();
        assert!(compute(&log, &journeys, &conversion, &AttributionOptions::default(), true).unwrap().is_none());
        let (log, journeys) = build(&[journey("a", Some(1.0))]);
        let no_conversion = Conversion::find(&log, &journeys, None).unwrap();
        assert!(compute(&log, &journeys, &no_conversion, &AttributionOptions::default(), true).unwrap().is_none());
    }

    #[test]
    fn bad_half_life_is_rejected() {
        let (log, journeys) = build(&[journey("a", Some(1.0))]);
        let conversion = Conversion::find(&log, &journeys, Some("purchase")).unwrap();
        let options = AttributionOptions { half_life: "soon".to_string(), ..AttributionOptions::default() };
        let error = compute(&log, &journeys, &conversion, &options, true).unwrap_err().to_string();
        assert!(error.contains("half-life \"soon\""), "{error}");
    }

    /// Shapley values by enumerating every coalition, as the definition states.
    fn shapley_by_coalitions(paths: &[(u32, f64)], channels: usize) -> Vec<f64> {
        let worth = |coalition: u32| -> f64 { paths.iter().filter(|(set, _)| set & !coalition == 0).map(|(_, weight)| weight).sum() };
        let factorial = |n: usize| -> f64 { (1..=n).map(|k| k as f64).product() };
        (0..channels)
            .map(|channel| {
                let bit = 1u32 << channel;
                (0..1u32 << channels)
                    .filter(|coalition| coalition & bit == 0)
                    .map(|coalition| {
                        let size = coalition.count_ones() as usize;
                        let share = factorial(size) * factorial(channels - size - 1) / factorial(channels);
                        share * (worth(coalition | bit) - worth(coalition))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn shapley_matches_coalition_enumeration() {
        const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
        let mut random = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..50 {
            let mut owned: Vec<(String, u32)> = Vec::new();
            for _ in 0..random.random_range(1..8) {
                let length = random.random_range(1..6);
                let touches: Vec<usize> = (0..length).map(|_| random.random_range(0..NAMES.len())).collect();
                let set = touches.iter().fold(0u32, |set, &at| set | 1 << at);
                owned.push((touches.iter().map(|&at| NAMES[at]).collect::<Vec<_>>().join(" > "), set));
            }
            let journeys: Vec<Journey<'_>> = owned.iter().map(|(path, _)| journey(path, Some(1.0))).collect();
            let report = attribute(&journeys, &AttributionOptions::default());
            let sets: Vec<(u32, f64)> = owned.iter().map(|(_, set)| (*set, 1.0)).collect();
            let expected = shapley_by_coalitions(&sets, NAMES.len());
            for (at, name) in NAMES.iter().enumerate() {
                let actual = report.channels.iter().find(|row| row.channel == *name).map_or(0.0, |row| row.shapley);
                assert!(close(actual, expected[at]), "{name}: {actual} against {}", expected[at]);
            }
        }
    }

    /// Reads one model's credit from a channel row.
    type ModelCredit = fn(&ChannelCredit) -> f64;

    #[test]
    fn credits_sum_to_weight_and_stay_non_negative() {
        const NAMES: [&str; 5] = ["a", "b", "c", "d", ""];
        let mut random = ChaCha8Rng::seed_from_u64(42);
        for round in 0..200 {
            let weight = if round % 2 == 0 { AttributionWeight::Conversions } else { AttributionWeight::Value };
            let mut owned: Vec<(String, Option<f64>)> = Vec::new();
            for number in 0..random.random_range(1..12) {
                let length = random.random_range(1..7);
                let path: Vec<&str> = (0..length).map(|_| NAMES[random.random_range(0..NAMES.len())]).collect();
                // The first journey always converts, so the conversion event exists.
                let converts = number == 0 || random.random_bool(0.5);
                let purchase = converts.then(|| (random.random_range(-5.0..100.0f64) * 100.0).round() / 100.0);
                owned.push((path.join(" > "), purchase));
            }
            let journeys: Vec<Journey<'_>> = owned.iter().map(|(path, purchase)| journey(path, *purchase)).collect();
            let options = AttributionOptions { weight, half_life: "2h".to_string(), ..AttributionOptions::default() };
            let (log, built) = build(&journeys);
            let conversion = Conversion::find(&log, &built, Some("purchase")).unwrap();
            let Some(report) = compute(&log, &built, &conversion, &options, true).unwrap() else {
                continue;
            };

            let observed: f64 = owned
                .iter()
                .filter_map(|(_, purchase)| *purchase)
                .map(|value| match weight {
                    AttributionWeight::Conversions => 1.0,
                    AttributionWeight::Value => value.max(0.0),
                })
                .sum();
            assert!((report.credited + report.uncredited - observed).abs() < 1e-6, "round {round}: weight lost");
            let models: [(&str, ModelCredit); 7] = [
                ("first touch", |row| row.first_touch),
                ("last touch", |row| row.last_touch),
                ("linear", |row| row.linear),
                ("time decay", |row| row.time_decay.unwrap()),
                ("position-based", |row| row.position_based),
                ("markov", |row| row.markov.unwrap()),
                ("shapley", |row| row.shapley),
            ];
            for (model, credit) in &models {
                let credits: Vec<f64> = report.channels.iter().map(credit).collect();
                assert!(credits.iter().all(|&credit| credit >= 0.0), "round {round}: negative {model} credit");
                let total: f64 = credits.iter().sum();
                assert!((total - report.credited).abs() < 1e-6, "round {round}: {model} credits sum to {total}, not {}", report.credited);
            }
        }
    }
}
