//! Stages: the user's ordered stages (such as discovery, evaluation and purchase), each a list
//! of event rules, and the analyses of how people move through them.
//!
//! Each event takes the first stage, in stage order, with a rule that matches it, or no stage.
//! Events without a stage are left out of every stage figure, so they neither end a visit nor
//! break a move between stages. A visit is a run of a person's consecutive staged events in the
//! same stage, so repeats within a stage are one visit. Without stages from the user, the
//! stages come from [`suggest`]. docs/metrics.md defines every figure.

mod suggest;
mod tally;

use serde::{Deserialize, Serialize};

use super::drivers::TestKind;
use super::funnel::search::Matcher;
use super::funnel::{resolve_cached, FilterCache, MatchKind};
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};
use tally::Tally;

pub use suggest::{classify, KEYWORDS, PAGE_COLUMNS};
pub(crate) use suggest::page_column;

/// The largest number of stages accepted.
pub const MAX_STAGES: usize = 20;

/// Marks an event without a stage.
pub(crate) const NO_STAGE: u16 = u16::MAX;

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
    /// `people[a][b]`: people who moved from stage a straight to stage b at least once, so at
    /// most `counts[a][b]`.
    pub people: Vec<Vec<u64>>,
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
    /// The odds ratio and its interval; `None`, like the test, when everyone or no one had a
    /// touchpoint in the stage, because such a table cannot be tested.
    pub odds_ratio: Option<f64>,
    pub lower_95: Option<f64>,
    pub upper_95: Option<f64>,
    /// True when a cell was 0 and 0.5 was added to every cell.
    pub zero_corrected: bool,
    pub test: Option<TestKind>,
    pub p_value: Option<f64>,
    /// The Benjamini–Hochberg adjusted p-value across the stages that were tested.
    pub q_value: Option<f64>,
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
    /// Channels by name; `None` when no event has a channel. Beyond [`MAX_LISTED_CHANNELS`]
    /// channels, the last row is "Other", which counts the channels with the fewest events.
    pub channels: Option<Vec<ChannelStages>>,
    /// Channels counted in the "Other" row; 0 when every channel has its own row.
    pub merged_channels: u64,
}

/// The maximum number of rows of the channel-by-stage table, "Other" included.
pub const MAX_LISTED_CHANNELS: usize = 200;

/// The name of the row that counts the channels beyond the listed ones.
pub(crate) const OTHER_CHANNEL: &str = "Other";

/// Returns the warning text for a channel-by-stage table that counted `merged` channels as "Other".
pub fn merged_channels_message(merged: u64) -> String {
    format!(
        "The channel-by-stage table lists at most {MAX_LISTED_CHANNELS} rows, so the {merged} channels with the fewest events are counted in one \"{OTHER_CHANNEL}\" row. Group channels into fewer, broader ones to see each."
    )
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
    Ok(layout(log, definitions)?.map(|layout| report(log, journeys, &layout, inputs)))
}

/// The stages, given or suggested, and each event's stage: the part of the analysis that reads
/// neither the conversion nor the window, so a report can keep it while the user tries others.
#[derive(Debug, Clone)]
pub struct Layout {
    stages: Vec<ReportedStage>,
    suggested: bool,
    stage_of: Vec<u16>,
}

/// Finds the [`Layout`]. Returns `Ok(Err(reason))` when no stages were given and fewer than two
/// could be suggested.
pub fn layout(log: &EventLog, definitions: &[StageDefinition]) -> Result<Result<Layout, String>, Error> {
    let (stages, suggested) = if definitions.is_empty() {
        match suggest::suggest(log) {
            Ok(stages) => (stages, true),
            Err(reason) => return Ok(Err(reason)),
        }
    } else {
        (user_stages(definitions)?, false)
    };
    let stage_of = assign_stages(log, &stages)?;
    Ok(Ok(Layout { stages, suggested, stage_of }))
}

impl Layout {
    /// Returns the names of the stages, in order.
    pub fn names(&self) -> Vec<String> {
        self.stages.iter().map(|stage| stage.name.clone()).collect()
    }

    /// Returns each event's stage index, or [`NO_STAGE`].
    pub fn stage_of(&self) -> &[u16] {
        &self.stage_of
    }
}

/// Computes the stage analyses on a [`Layout`] found for the same log.
pub fn report(log: &EventLog, journeys: &Journeys, layout: &Layout, inputs: &StageInputs) -> StagesReport {
    let names = layout.names();
    let tally = Tally::count(log, journeys, &layout.stage_of, layout.stages.len(), inputs);
    tally.into_report(log, layout.stages.clone(), layout.suggested, &names, inputs)
}

/// Returns the stage names and each event's stage index ([`u16::MAX`] for none), or `None` when
/// no stages were given and fewer than two could be suggested.
pub(crate) fn event_stages(log: &EventLog, definitions: &[StageDefinition]) -> Result<Option<(Vec<String>, Vec<u16>)>, Error> {
    let Ok(layout) = layout(log, definitions)? else { return Ok(None) };
    Ok(Some((layout.names(), layout.stage_of)))
}

/// Returns the stage names and each person's furthest stage (the highest stage index among their
/// events), or `None` when no stages were given and fewer than two could be suggested.
pub fn furthest_stages(log: &EventLog, journeys: &Journeys, definitions: &[StageDefinition]) -> Result<Option<(Vec<String>, Vec<Option<usize>>)>, Error> {
    let Some((names, stage_of)) = event_stages(log, definitions)? else { return Ok(None) };
    let furthest = (0..journeys.people())
        .map(|person| journeys.journey(person).iter().map(|&at| stage_of[at as usize]).filter(|&stage| stage != NO_STAGE).max().map(usize::from))
        .collect();
    Ok(Some((names, furthest)))
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
    // The rules of each event, indexed by event id.
    let mut by_event: Vec<Vec<(u16, Matcher)>> = Vec::new();
    by_event.resize_with(log.event_names.len(), Vec::new);
    // The suggested stages give the same page rule to every event with such pages.
    let mut filters = FilterCache::default();
    for (stage_index, stage) in stages.iter().enumerate() {
        for (rule_index, reported) in stage.rules.iter().enumerate() {
            let rule = &reported.rule;
            let subject = format!("rule {} (\"{}\") of the stage \"{}\"", rule_index + 1, rule.event.trim(), stage.name);
            let matcher = resolve_cached(log, &subject, &rule.event, rule.column.as_deref(), rule.value.as_deref(), rule.match_kind, &mut filters)
                .map_err(|error| in_stage(error, &stage.name))?;
            if let Some(rules) = by_event.get_mut(matcher.event as usize) {
                rules.push((stage_index as u16, matcher));
            }
        }
    }
    let stage_of = (0..log.len())
        .map(|at| {
            let Some(candidates) = by_event.get(log.event[at] as usize) else { return NO_STAGE };
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_MS: i64 = 60_000;

    /// Builds a log from (person, minute, event) triples.
    fn build(events: &[(&str, i64, &str)]) -> (EventLog, Journeys) {
        crate::model::test_log(events, MINUTE_MS)
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
