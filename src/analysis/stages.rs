//! Stages: the user's ordered stages (such as discovery, evaluation and purchase), each a list
//! of event rules, and the analyses of how people move through them.
//!
//! Each event takes the first stage, in stage order, with a rule that matches it, or no stage.
//! Events without a stage are left out of every stage figure, so they neither end a visit nor
//! break a move between stages. A visit is a run of a person's consecutive staged events in the
//! same stage, so repeats within a stage are one visit. Without stages from the user, the
//! stages come from [`suggest`]. docs/metrics.md defines every figure.

mod suggest;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::drivers::contingency::{benjamini_hochberg, Table};
use super::drivers::{observed_events, test_table, TestKind};
use super::funnel::search::Matcher;
use super::funnel::{resolve, MatchKind};
use super::{stats, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};

pub use suggest::{classify, KEYWORDS, PAGE_COLUMNS};

/// The largest number of stages accepted.
pub const MAX_STAGES: usize = 20;

/// Marks an event without a stage.
const NO_STAGE: u16 = u16::MAX;

/// One rule of a stage: an event name, optionally only where a column's value matches `value`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageRule {
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
}

/// One stage as the user sets it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageDefinition {
    pub name: String,
    pub rules: Vec<StageRule>,
}

/// A rule in the report, with the keyword that suggested it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedRule {
    #[serde(flatten)]
    pub rule: StageRule,
    /// The keyword behind a suggested rule; `None` for the user's own rules.
    pub keyword: Option<String>,
}

/// A stage in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedStage {
    pub name: String,
    pub rules: Vec<ReportedRule>,
}

/// Moves between stages, indexed by stage order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transitions {
    /// `counts[a][b]`: moves from a visit of stage a to the next visit, of stage b. The diagonal
    /// is always 0, because consecutive visits have different stages.
    pub counts: Vec<Vec<u64>>,
    /// People whose first visit is in each stage.
    pub entries: Vec<u64>,
    /// People whose last visit is in each stage.
    pub exits: Vec<u64>,
    pub moves: u64,
}

/// Quartiles and mean of durations in milliseconds; every field is `None` without durations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DurationSummary {
    pub median_ms: Option<f64>,
    pub p25_ms: Option<f64>,
    pub p75_ms: Option<f64>,
    pub mean_ms: Option<f64>,
}

/// Time spent in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeInStage {
    pub stage: String,
    pub visits: u64,
    /// People with at least one visit.
    pub people: u64,
    /// Visits followed by a visit to another stage, whose length is known.
    pub closed_visits: u64,
    /// Each journey's last visit, which has no end.
    pub open_visits: u64,
    /// Over closed visits; `None` with synthetic times.
    pub duration: DurationSummary,
}

/// Time from a person's first event in one stage to their first event in a later stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTiming {
    pub from: String,
    pub to: String,
    /// People whose first `from` event comes before their first `to` event.
    pub people: u64,
    /// People who reached both stages, `to` first.
    pub reversed: u64,
    /// Over `people`; `None` with synthetic times.
    pub duration: DurationSummary,
}

/// People whose furthest stage, by stage order, is one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FurthestStage {
    /// `None` for people without any staged event.
    pub stage: Option<String>,
    pub people: u64,
    /// Share of all people.
    pub share: f64,
    /// `None` without a conversion event, as are the shares.
    pub converters: Option<u64>,
    pub non_converters: Option<u64>,
    pub converter_share: Option<f64>,
    pub non_converter_share: Option<f64>,
}

/// People who reached a stage with no event in an earlier stage before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSkip {
    pub skipped: String,
    pub reached: String,
    /// People who reached `reached`.
    pub reached_people: u64,
    /// Of those, people with no `skipped` event before their first `reached` event.
    pub people: u64,
    /// `people / reached_people`; `None` when no one reached it.
    pub share: Option<f64>,
}

/// Converters and non-converters with a touchpoint in one stage, and the test of the difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTouchpoint {
    pub stage: String,
    pub converters: u64,
    pub non_converters: u64,
    pub converter_share: f64,
    pub non_converter_share: f64,
    /// `converter_share - non_converter_share`.
    pub difference: f64,
    pub odds_ratio: f64,
    pub lower_95: f64,
    pub upper_95: f64,
    /// True when a cell was 0 and 0.5 was added to every cell.
    pub zero_corrected: bool,
    pub test: TestKind,
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value across the stages.
    pub q_value: f64,
}

/// Stage touchpoints of converters against non-converters, over each person's observed events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTouchpoints {
    /// The funnel window that bounds the observed events, or `None` without one.
    pub window_ms: Option<i64>,
    pub converters: u64,
    pub non_converters: u64,
    pub stages: Vec<StageTouchpoint>,
}

/// Staged events of one channel, indexed by stage order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelStages {
    pub channel: String,
    pub events: Vec<u64>,
    /// People with at least one event of the channel in the stage.
    pub people: Vec<u64>,
    /// Each stage's share of the channel's staged events.
    pub shares: Vec<f64>,
    /// The channel's events without a stage, left out of the shares.
    pub unstaged_events: u64,
}

/// The stages part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagesReport {
    /// True when the stages were suggested from keywords, false when the user set them.
    pub suggested: bool,
    pub stages: Vec<ReportedStage>,
    /// People with at least one staged event.
    pub people: u64,
    pub staged_events: u64,
    pub unstaged_events: u64,
    pub transitions: Transitions,
    pub time_in_stage: Vec<TimeInStage>,
    /// One row per pair of stages in stage order.
    pub stage_timing: Vec<StageTiming>,
    /// One row per stage in order, then the people without a staged event.
    pub furthest: Vec<FurthestStage>,
    /// One row per pair of stages in stage order.
    pub skips: Vec<StageSkip>,
    /// `None` without a conversion event, or when everyone or no one converted.
    pub touchpoints: Option<StageTouchpoints>,
    /// Channels by name; `None` when no event has a channel.
    pub channels: Option<Vec<ChannelStages>>,
}

/// The analysis inputs besides the journeys.
pub struct StageInputs<'a> {
    pub conversion: &'a Conversion,
    /// The funnel window, which bounds the touchpoints as it bounds the drivers.
    pub window_ms: Option<i64>,
    pub synthetic_times: bool,
}

/// Computes the stage analyses. Returns `Ok(Err(reason))` when no stages were given and fewer
/// than two could be suggested.
pub fn compute(log: &EventLog, journeys: &Journeys, definitions: &[StageDefinition], inputs: &StageInputs) -> Result<Result<StagesReport, String>, Error> {
    let (stages, suggested) = if definitions.is_empty() {
        match suggest::suggest(log) {
            Ok(stages) => (stages, true),
            Err(reason) => return Ok(Err(reason)),
        }
    } else {
        (user_stages(definitions)?, false)
    };
    let stage_of = assign_stages(log, &stages)?;
    let names: Vec<String> = stages.iter().map(|stage| stage.name.clone()).collect();
    let tally = Tally::count(log, journeys, &stage_of, stages.len(), inputs);
    Ok(Ok(tally.into_report(log, stages, suggested, &names, inputs)))
}

/// Checks the user's stages and turns them into report stages.
fn user_stages(definitions: &[StageDefinition]) -> Result<Vec<ReportedStage>, Error> {
    if definitions.len() > MAX_STAGES {
        return Err(Error::Options(format!("The stages option has {} stages; at most {MAX_STAGES} are accepted. Merge some stages.", definitions.len())));
    }
    let mut stages: Vec<ReportedStage> = Vec::with_capacity(definitions.len());
    for (index, definition) in definitions.iter().enumerate() {
        let name = definition.name.trim();
        if name.is_empty() {
            return Err(Error::Options(format!("Stage {} has no name. Give every stage a name, such as discovery.", index + 1)));
        }
        if stages.iter().any(|stage| stage.name == name) {
            return Err(Error::Options(format!("The stage name \"{name}\" is used twice. Give each stage its own name.")));
        }
        if definition.rules.iter().all(|rule| rule.event.trim().is_empty()) {
            return Err(Error::Options(format!("The stage \"{name}\" has no rules. Add at least one event to it.")));
        }
        let rules = definition
            .rules
            .iter()
            .filter(|rule| !rule.event.trim().is_empty())
            .map(|rule| ReportedRule { rule: rule.clone(), keyword: None })
            .collect();
        stages.push(ReportedStage { name: name.to_string(), rules });
    }
    Ok(stages)
}

/// Returns each event's stage index, or [`NO_STAGE`].
fn assign_stages(log: &EventLog, stages: &[ReportedStage]) -> Result<Vec<u16>, Error> {
    let mut by_event: HashMap<u32, Vec<(u16, Matcher)>> = HashMap::default();
    for (stage_index, stage) in stages.iter().enumerate() {
        for (rule_index, reported) in stage.rules.iter().enumerate() {
            let rule = &reported.rule;
            let subject = format!("rule {} (\"{}\") of the stage \"{}\"", rule_index + 1, rule.event.trim(), stage.name);
            let matcher = resolve(log, &subject, &rule.event, rule.column.as_deref(), rule.value.as_deref(), rule.match_kind)
                .map_err(|error| in_stage(error, &stage.name))?;
            by_event.entry(matcher.event).or_default().push((stage_index as u16, matcher));
        }
    }
    let stage_of = (0..log.len())
        .map(|at| {
            let Some(candidates) = by_event.get(&log.event[at]) else { return NO_STAGE };
            candidates.iter().filter(|(_, matcher)| matcher.matches(log, at)).map(|(stage, _)| *stage).min().unwrap_or(NO_STAGE)
        })
        .collect();
    Ok(stage_of)
}

/// Prefixes an unknown-event message with the stage it came from.
fn in_stage(error: Error, stage: &str) -> Error {
    match error {
        Error::Options(message) if !message.contains("of the stage") => Error::Options(format!("In the stage \"{stage}\": {message}")),
        other => other,
    }
}

/// Counts gathered in one pass over every journey.
struct Tally {
    stages: usize,
    people: u64,
    staged_events: u64,
    unstaged_events: u64,
    transitions: Vec<u64>,
    entries: Vec<u64>,
    exits: Vec<u64>,
    visits: Vec<u64>,
    visit_people: Vec<u64>,
    open_visits: Vec<u64>,
    visit_lengths: Vec<Vec<f64>>,
    /// Per pair (a, b) with a < b, at `a * stages + b`.
    pair_times: Vec<Vec<f64>>,
    pair_reversed: Vec<u64>,
    skips: Vec<u64>,
    /// Furthest stage per stage, then people without a staged event; split by conversion.
    furthest_converters: Vec<u64>,
    furthest_others: Vec<u64>,
    touch_converters: Vec<u64>,
    touch_others: Vec<u64>,
    observed_converters: u64,
    observed_others: u64,
    /// Per channel id: events per stage, then people per stage, then the unstaged events.
    channel_events: Vec<u64>,
    channel_people: Vec<u64>,
    channel_unstaged: Vec<u64>,
}

/// One person's staged events as (position in the journey, stage), with scratch buffers that are
/// allocated once for all people.
struct Staged {
    events: Vec<(usize, usize)>,
    /// Index in `events` of the first event of each stage.
    first: Vec<Option<usize>>,
    /// Each visit as (stage, position of its first event).
    visits: Vec<(usize, usize)>,
    visited: Vec<bool>,
    touched: Vec<bool>,
    /// Channel-and-stage slots that the person has an event in, and the list of them to reset.
    channel_seen: Vec<bool>,
    channel_slots: Vec<usize>,
}

impl Tally {
    fn new(stages: usize, channels: usize) -> Tally {
        Tally {
            stages,
            people: 0,
            staged_events: 0,
            unstaged_events: 0,
            transitions: vec![0; stages * stages],
            entries: vec![0; stages],
            exits: vec![0; stages],
            visits: vec![0; stages],
            visit_people: vec![0; stages],
            open_visits: vec![0; stages],
            visit_lengths: vec![Vec::new(); stages],
            pair_times: vec![Vec::new(); stages * stages],
            pair_reversed: vec![0; stages * stages],
            skips: vec![0; stages * stages],
            furthest_converters: vec![0; stages + 1],
            furthest_others: vec![0; stages + 1],
            touch_converters: vec![0; stages],
            touch_others: vec![0; stages],
            observed_converters: 0,
            observed_others: 0,
            channel_events: vec![0; channels * stages],
            channel_people: vec![0; channels * stages],
            channel_unstaged: vec![0; channels],
        }
    }

    fn count(log: &EventLog, journeys: &Journeys, stage_of: &[u16], stages: usize, inputs: &StageInputs) -> Tally {
        let mut tally = Tally::new(stages, log.channels.len());
        let mut staged = Staged {
            events: Vec::new(),
            first: vec![None; stages],
            visits: Vec::new(),
            visited: vec![false; stages],
            touched: vec![false; stages],
            channel_seen: vec![false; log.channels.len() * stages],
            channel_slots: Vec::new(),
        };
        for person in 0..journeys.people() {
            let journey = journeys.journey(person);
            staged.events.clear();
            staged.first.fill(None);
            for (position, &at) in journey.iter().enumerate() {
                let stage = stage_of[at as usize];
                let channel = log.channel[at as usize];
                if stage == NO_STAGE {
                    tally.unstaged_events += 1;
                    if channel != NONE {
                        tally.channel_unstaged[channel as usize] += 1;
                    }
                    continue;
                }
                let stage = stage as usize;
                tally.staged_events += 1;
                if staged.first[stage].is_none() {
                    staged.first[stage] = Some(staged.events.len());
                }
                staged.events.push((position, stage));
            }
            tally.count_furthest(&staged, inputs.conversion.converted(person));
            if inputs.conversion.event.is_some() {
                let (observed, converted) = observed_events(log, journey, inputs.conversion.first[person], inputs.window_ms);
                tally.count_touchpoints(&mut staged, observed.len(), converted);
            }
            if staged.events.is_empty() {
                continue;
            }
            tally.people += 1;
            tally.count_visits(log, journey, &mut staged);
            tally.count_pairs(log, journey, &staged);
            tally.count_channels(log, journey, &mut staged);
        }
        tally
    }

    /// Counts visits, their lengths, and the moves between them.
    fn count_visits(&mut self, log: &EventLog, journey: &[u32], staged: &mut Staged) {
        let time = |position: usize| log.time[journey[position] as usize];
        let visits = &mut staged.visits;
        visits.clear();
        for &(position, stage) in &staged.events {
            if visits.last().is_none_or(|&(last, _)| last != stage) {
                visits.push((stage, position));
            }
        }
        let seen = &mut staged.visited;
        seen.fill(false);
        for pair in visits.windows(2) {
            let [(from, start), (to, next_start)] = [pair[0], pair[1]];
            self.transitions[from * self.stages + to] += 1;
            self.visit_lengths[from].push((time(next_start) - time(start)) as f64);
        }
        for &(stage, _) in visits.iter() {
            self.visits[stage] += 1;
            if !seen[stage] {
                seen[stage] = true;
                self.visit_people[stage] += 1;
            }
        }
        if let (Some(&(first, _)), Some(&(last, _))) = (visits.first(), visits.last()) {
            self.entries[first] += 1;
            self.exits[last] += 1;
            self.open_visits[last] += 1;
        }
    }

    /// Counts the time between first events of each pair of stages, and the skips.
    fn count_pairs(&mut self, log: &EventLog, journey: &[u32], staged: &Staged) {
        let time = |index: usize| log.time[journey[staged.events[index].0] as usize];
        for later in 0..self.stages {
            let Some(reached) = staged.first[later] else { continue };
            for earlier in 0..later {
                let slot = earlier * self.stages + later;
                match staged.first[earlier] {
                    Some(first) if first < reached => self.pair_times[slot].push((time(reached) - time(first)) as f64),
                    Some(_) => {
                        self.pair_reversed[slot] += 1;
                        self.skips[slot] += 1;
                    }
                    None => self.skips[slot] += 1,
                }
            }
        }
    }

    fn count_furthest(&mut self, staged: &Staged, converted: bool) {
        let furthest = staged.events.iter().map(|&(_, stage)| stage).max().unwrap_or(self.stages);
        if converted {
            self.furthest_converters[furthest] += 1;
        } else {
            self.furthest_others[furthest] += 1;
        }
    }

    fn count_channels(&mut self, log: &EventLog, journey: &[u32], staged: &mut Staged) {
        for &slot in &staged.channel_slots {
            staged.channel_seen[slot] = false;
        }
        staged.channel_slots.clear();
        for &(position, stage) in &staged.events {
            let channel = log.channel[journey[position] as usize];
            if channel == NONE {
                continue;
            }
            let slot = channel as usize * self.stages + stage;
            self.channel_events[slot] += 1;
            if !staged.channel_seen[slot] {
                staged.channel_seen[slot] = true;
                staged.channel_slots.push(slot);
                self.channel_people[slot] += 1;
            }
        }
    }

    /// Counts the stages touched by the person's observed events, the first `observed` of the
    /// journey.
    fn count_touchpoints(&mut self, staged: &mut Staged, observed: usize, converted: bool) {
        staged.touched.fill(false);
        for &(_, stage) in staged.events.iter().take_while(|&&(position, _)| position < observed) {
            staged.touched[stage] = true;
        }
        let (people, counts) = if converted {
            (&mut self.observed_converters, &mut self.touch_converters)
        } else {
            (&mut self.observed_others, &mut self.touch_others)
        };
        *people += 1;
        for (count, &touched) in counts.iter_mut().zip(&staged.touched) {
            *count += u64::from(touched);
        }
    }

    fn into_report(self, log: &EventLog, stages: Vec<ReportedStage>, suggested: bool, names: &[String], inputs: &StageInputs) -> StagesReport {
        let count = self.stages;
        let transitions = Transitions {
            counts: self.transitions.chunks(count.max(1)).map(<[u64]>::to_vec).take(count).collect(),
            entries: self.entries.clone(),
            exits: self.exits.clone(),
            moves: self.transitions.iter().sum(),
        };
        StagesReport {
            suggested,
            stages,
            people: self.people,
            staged_events: self.staged_events,
            unstaged_events: self.unstaged_events,
            transitions,
            time_in_stage: self.time_in_stage(names, inputs.synthetic_times),
            stage_timing: self.stage_timing(names, inputs.synthetic_times),
            furthest: self.furthest(names, inputs.conversion.event.is_some()),
            skips: self.skips(names),
            touchpoints: self.touchpoints(names, inputs),
            channels: self.channels(log),
        }
    }

    fn time_in_stage(&self, names: &[String], synthetic_times: bool) -> Vec<TimeInStage> {
        names
            .iter()
            .enumerate()
            .map(|(stage, name)| TimeInStage {
                stage: name.clone(),
                visits: self.visits[stage],
                people: self.visit_people[stage],
                closed_visits: self.visit_lengths[stage].len() as u64,
                open_visits: self.open_visits[stage],
                duration: summarise(&self.visit_lengths[stage], synthetic_times),
            })
            .collect()
    }

    fn stage_timing(&self, names: &[String], synthetic_times: bool) -> Vec<StageTiming> {
        stage_pairs(names)
            .map(|(earlier, later)| {
                let slot = earlier * self.stages + later;
                StageTiming {
                    from: names[earlier].clone(),
                    to: names[later].clone(),
                    people: self.pair_times[slot].len() as u64,
                    reversed: self.pair_reversed[slot],
                    duration: summarise(&self.pair_times[slot], synthetic_times),
                }
            })
            .collect()
    }

    fn furthest(&self, names: &[String], with_conversion: bool) -> Vec<FurthestStage> {
        let total_converters: u64 = self.furthest_converters.iter().sum();
        let total_others: u64 = self.furthest_others.iter().sum();
        let everyone = total_converters + total_others;
        (0..=self.stages)
            .map(|stage| {
                let (converters, others) = (self.furthest_converters[stage], self.furthest_others[stage]);
                FurthestStage {
                    stage: names.get(stage).cloned(),
                    people: converters + others,
                    share: ratio(converters + others, everyone).unwrap_or(0.0),
                    converters: with_conversion.then_some(converters),
                    non_converters: with_conversion.then_some(others),
                    converter_share: ratio(converters, total_converters).filter(|_| with_conversion),
                    non_converter_share: ratio(others, total_others).filter(|_| with_conversion),
                }
            })
            .collect()
    }

    fn skips(&self, names: &[String]) -> Vec<StageSkip> {
        stage_pairs(names)
            .map(|(earlier, later)| {
                let people = self.skips[earlier * self.stages + later];
                StageSkip {
                    skipped: names[earlier].clone(),
                    reached: names[later].clone(),
                    reached_people: self.visit_people[later],
                    people,
                    share: ratio(people, self.visit_people[later]),
                }
            })
            .collect()
    }

    fn touchpoints(&self, names: &[String], inputs: &StageInputs) -> Option<StageTouchpoints> {
        if inputs.conversion.event.is_none() || self.observed_converters == 0 || self.observed_others == 0 {
            return None;
        }
        let (converters, others) = (self.observed_converters, self.observed_others);
        let mut rows: Vec<StageTouchpoint> = names
            .iter()
            .enumerate()
            .map(|(stage, name)| {
                let (a, c) = (self.touch_converters[stage], self.touch_others[stage]);
                touchpoint(name, Table { a, b: converters - a, c, d: others - c })
            })
            .collect();
        let p_values: Vec<f64> = rows.iter().map(|row| row.p_value).collect();
        for (row, q_value) in rows.iter_mut().zip(benjamini_hochberg(&p_values)) {
            row.q_value = q_value;
        }
        Some(StageTouchpoints { window_ms: inputs.window_ms, converters, non_converters: others, stages: rows })
    }

    fn channels(&self, log: &EventLog) -> Option<Vec<ChannelStages>> {
        if log.channels.is_empty() {
            return None;
        }
        let mut rows: Vec<ChannelStages> = (0..log.channels.len())
            .map(|channel| {
                let range = channel * self.stages..(channel + 1) * self.stages;
                let events = self.channel_events[range.clone()].to_vec();
                let staged: u64 = events.iter().sum();
                ChannelStages {
                    channel: log.channels.name(channel as u32).to_string(),
                    shares: events.iter().map(|&count| ratio(count, staged).unwrap_or(0.0)).collect(),
                    events,
                    people: self.channel_people[range].to_vec(),
                    unstaged_events: self.channel_unstaged[channel],
                }
            })
            .collect();
        rows.sort_by(|a, b| a.channel.cmp(&b.channel));
        Some(rows)
    }
}

/// Yields every pair of stage indices (earlier, later) in stage order.
fn stage_pairs(names: &[String]) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..names.len()).flat_map(move |earlier| (earlier + 1..names.len()).map(move |later| (earlier, later)))
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Summarises durations with the quartiles numpy's default (linear) interpolation gives.
fn summarise(durations: &[f64], synthetic_times: bool) -> DurationSummary {
    if synthetic_times || durations.is_empty() {
        return DurationSummary::default();
    }
    let mut sorted = durations.to_vec();
    sorted.sort_by(f64::total_cmp);
    DurationSummary {
        median_ms: stats::quantile(&sorted, 0.5),
        p25_ms: stats::quantile(&sorted, 0.25),
        p75_ms: stats::quantile(&sorted, 0.75),
        mean_ms: Some(stats::sum(sorted.iter().copied()).0 / sorted.len() as f64),
    }
}

/// Tests one stage's table as the drivers analysis tests a feature. The q-value is filled in
/// later.
fn touchpoint(name: &str, table: Table) -> StageTouchpoint {
    let ratio = table.odds_ratio();
    let (test, p_value) = test_table(&table);
    let converter_share = table.a as f64 / (table.a + table.b) as f64;
    let non_converter_share = table.c as f64 / (table.c + table.d) as f64;
    StageTouchpoint {
        stage: name.to_string(),
        converters: table.a,
        non_converters: table.c,
        converter_share,
        non_converter_share,
        difference: converter_share - non_converter_share,
        odds_ratio: ratio.estimate,
        lower_95: ratio.lower,
        upper_95: ratio.upper,
        zero_corrected: ratio.corrected,
        test,
        p_value,
        q_value: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    const MINUTE_MS: i64 = 60_000;

    /// Builds a log from (person, minute, event) triples.
    fn build(events: &[(&str, i64, &str)]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (row, &(person, minute, event)) in events.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let time = minute * MINUTE_MS;
            log.push(NewEvent { person, time, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 }, []);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn two_stages() -> Vec<StageDefinition> {
        ["blog", "demo"]
            .iter()
            .map(|event| StageDefinition { name: format!("{event} stage"), rules: vec![StageRule { event: event.to_string(), ..StageRule::default() }] })
            .collect()
    }

    fn analyze(events: &[(&str, i64, &str)], conversion: Option<&str>, synthetic_times: bool) -> StagesReport {
        let (log, journeys) = build(events);
        let conversion = Conversion::find(&log, &journeys, conversion).unwrap();
        let inputs = StageInputs { conversion: &conversion, window_ms: None, synthetic_times };
        compute(&log, &journeys, &two_stages(), &inputs).unwrap().unwrap()
    }

    #[test]
    fn synthetic_times_have_no_durations() {
        let events = [("u1", 0, "blog"), ("u1", 10, "demo")];
        let report = analyze(&events, None, true);
        assert_eq!(report.time_in_stage[0].closed_visits, 1);
        assert_eq!(report.time_in_stage[0].duration, DurationSummary::default());
        assert_eq!(report.stage_timing[0].people, 1);
        assert_eq!(report.stage_timing[0].duration.median_ms, None);
        let timed = analyze(&events, None, false);
        assert_eq!(timed.stage_timing[0].duration.median_ms, Some(10.0 * MINUTE_MS as f64));
    }

    #[test]
    fn no_conversion_leaves_splits_empty() {
        let report = analyze(&[("u1", 0, "blog"), ("u1", 1, "demo"), ("u2", 0, "other")], None, false);
        assert!(report.touchpoints.is_none());
        assert_eq!(report.furthest[0].converters, None);
        assert_eq!(report.furthest[0].converter_share, None);
        assert_eq!(report.furthest[2].people, 1, "u2 has no staged event");
        assert!(report.channels.is_none(), "no event has a channel");
    }

    #[test]
    fn everyone_converting_has_no_touchpoints() {
        let report = analyze(&[("u1", 0, "blog"), ("u1", 5, "demo")], Some("demo"), false);
        assert!(report.touchpoints.is_none(), "a group is empty");
    }

    #[test]
    fn repeats_within_a_stage_are_one_visit() {
        let report = analyze(&[("u1", 0, "blog"), ("u1", 1, "other"), ("u1", 2, "blog"), ("u1", 5, "demo")], None, false);
        assert_eq!(report.time_in_stage[0].visits, 1);
        assert_eq!(report.time_in_stage[0].duration.median_ms, Some(5.0 * MINUTE_MS as f64));
        assert_eq!(report.transitions.counts[0][1], 1);
        assert_eq!(report.unstaged_events, 1);
    }
}
