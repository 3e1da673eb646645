//! The one pass over every journey that gathers the stage counts, and their conversion into
//! the report's rows.

use super::{ChannelStages, DurationSummary, MAX_LISTED_CHANNELS, OTHER_CHANNEL, FurthestStage, ReportedStage, StageInputs, StageSkip, StageTiming, StageTouchpoint, StageTouchpoints, StagesReport, TimeInStage, Transitions, NO_STAGE};
use crate::analysis::drivers::contingency::{benjamini_hochberg, Table};
use crate::analysis::drivers::{observed_events, test_table};
use crate::analysis::stats;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// Counts gathered in one pass over every journey.
pub(super) struct Tally {
    stages: usize,
    people: u64,
    staged_events: u64,
    unstaged_events: u64,
    transitions: Vec<u64>,
    transition_people: Vec<u64>,
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
    /// The channel table's row of each channel id.
    channel_rows: ChannelRows,
    /// Per channel row: events per stage, then people per stage, then the unstaged events.
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
    /// The person's moves as `from * stages + to`, each once.
    moves: Vec<usize>,
    visited: Vec<bool>,
    touched: Vec<bool>,
    /// Channel-and-stage slots that the person has an event in, and the list of them to reset.
    channel_seen: Vec<bool>,
    channel_slots: Vec<usize>,
}

/// The row of the channel table that each channel id counts in. Beyond [`MAX_LISTED_CHANNELS`]
/// channels, the ones with the fewest events share the last row, "Other", so the table and the
/// counting arrays stay bounded on a file where every event has its own channel.
struct ChannelRows {
    row_of: Vec<usize>,
    names: Vec<String>,
    /// Channels counted in the "Other" row; 0 when every channel has its own row.
    merged: u64,
}

impl ChannelRows {
    fn new(log: &EventLog) -> ChannelRows {
        let channels = log.channels.len();
        let name = |channel: usize| log.channels.name(channel as u32).to_string();
        if channels <= MAX_LISTED_CHANNELS {
            return ChannelRows { row_of: (0..channels).collect(), names: (0..channels).map(name).collect(), merged: 0 };
        }

        let mut events = vec![0u64; channels];
        for &channel in log.channel.iter().filter(|&&channel| channel != NONE) {
            events[channel as usize] += 1;
        }
        let mut order: Vec<usize> = (0..channels).collect();
        sorting::sort_by(&mut order, |&a, &b| events[b].cmp(&events[a]).then_with(|| log.channels.name(a as u32).cmp(log.channels.name(b as u32))));

        let listed = MAX_LISTED_CHANNELS - 1;
        let mut row_of = vec![listed; channels];
        for (row, &channel) in order.iter().take(listed).enumerate() {
            row_of[channel] = row;
        }
        let names = order.iter().take(listed).map(|&channel| name(channel)).chain(std::iter::once(OTHER_CHANNEL.to_string())).collect();
        ChannelRows { row_of, names, merged: (channels - listed) as u64 }
    }
}

impl Tally {
    fn new(stages: usize, channel_rows: ChannelRows) -> Tally {
        let channels = channel_rows.names.len();
        Tally {
            stages,
            people: 0,
            staged_events: 0,
            unstaged_events: 0,
            transitions: vec![0; stages * stages],
            transition_people: vec![0; stages * stages],
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
            channel_rows,
            channel_events: vec![0; channels * stages],
            channel_people: vec![0; channels * stages],
            channel_unstaged: vec![0; channels],
        }
    }

    pub(super) fn count(log: &EventLog, journeys: &Journeys, stage_of: &[u16], stages: usize, inputs: &StageInputs) -> Tally {
        let mut tally = Tally::new(stages, ChannelRows::new(log));
        let mut staged = Staged {
            events: Vec::new(),
            first: vec![None; stages],
            visits: Vec::new(),
            moves: Vec::new(),
            visited: vec![false; stages],
            touched: vec![false; stages],
            channel_seen: vec![false; tally.channel_rows.names.len() * stages],
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
                        tally.channel_unstaged[tally.channel_rows.row_of[channel as usize]] += 1;
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
        let moves = &mut staged.moves;
        moves.clear();
        for pair in visits.windows(2) {
            let [(from, start), (to, next_start)] = [pair[0], pair[1]];
            self.transitions[from * self.stages + to] += 1;
            moves.push(from * self.stages + to);
            self.visit_lengths[from].push((time(next_start) - time(start)) as f64);
        }
        moves.sort_unstable();
        moves.dedup();
        for &slot in moves.iter() {
            self.transition_people[slot] += 1;
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
            let slot = self.channel_rows.row_of[channel as usize] * self.stages + stage;
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

    pub(super) fn into_report(self, log: &EventLog, stages: Vec<ReportedStage>, suggested: bool, names: &[String], inputs: &StageInputs) -> StagesReport {
        let count = self.stages;
        let transitions = Transitions {
            counts: self.transitions.chunks(count.max(1)).map(<[u64]>::to_vec).take(count).collect(),
            people: self.transition_people.chunks(count.max(1)).map(<[u64]>::to_vec).take(count).collect(),
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
            merged_channels: self.channel_rows.merged,
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
        let p_values: Vec<f64> = rows.iter().filter_map(|row| row.p_value).collect();
        let mut q_values = benjamini_hochberg(&p_values).into_iter();
        for row in rows.iter_mut().filter(|row| row.p_value.is_some()) {
            row.q_value = q_values.next();
        }
        Some(StageTouchpoints { window_ms: inputs.window_ms, converters, non_converters: others, stages: rows })
    }

    fn channels(&self, log: &EventLog) -> Option<Vec<ChannelStages>> {
        if log.channels.is_empty() {
            return None;
        }
        let mut rows: Vec<ChannelStages> = (0..self.channel_rows.names.len())
            .map(|row| {
                let range = row * self.stages..(row + 1) * self.stages;
                let events = self.channel_events[range.clone()].to_vec();
                let staged: u64 = events.iter().sum();
                ChannelStages {
                    channel: self.channel_rows.names[row].clone(),
                    shares: events.iter().map(|&count| ratio(count, staged).unwrap_or(0.0)).collect(),
                    events,
                    people: self.channel_people[range].to_vec(),
                    unstaged_events: self.channel_unstaged[row],
                }
            })
            .collect();
        // By name, with "Other" last.
        let other = if self.channel_rows.merged > 0 { rows.pop() } else { None };
        sorting::sort_by(&mut rows, |a, b| a.channel.cmp(&b.channel));
        rows.extend(other);
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

/// Tests one stage's table as the drivers analysis tests a feature. A stage that everyone or no
/// one touched is untestable, as in the drivers, and gets no odds ratio or test. The q-value is
/// filled in later.
fn touchpoint(name: &str, table: Table) -> StageTouchpoint {
    let converter_share = table.a as f64 / (table.a + table.b) as f64;
    let non_converter_share = table.c as f64 / (table.c + table.d) as f64;
    let testable = table.a + table.c > 0 && table.b + table.d > 0;
    let ratio = testable.then(|| table.odds_ratio());
    let tested = testable.then(|| test_table(&table));
    StageTouchpoint {
        stage: name.to_string(),
        converters: table.a,
        non_converters: table.c,
        converter_share,
        non_converter_share,
        difference: converter_share - non_converter_share,
        odds_ratio: ratio.map(|ratio| ratio.estimate),
        lower_95: ratio.map(|ratio| ratio.lower),
        upper_95: ratio.map(|ratio| ratio.upper),
        zero_corrected: ratio.is_some_and(|ratio| ratio.corrected),
        test: tested.map(|(test, _)| test),
        p_value: tested.map(|(_, p_value)| p_value),
        q_value: None,
    }
}
