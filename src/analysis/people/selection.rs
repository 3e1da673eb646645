//! Selections: the people behind one Sankey band, top path, process-map edge or activity, drivers
//! row or channel row. Each selection recomputes its part of the report with the same options, so
//! the people it returns are exactly the ones the clicked figure counts.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::super::drivers::{self, FeatureKind};
use super::super::paths::{self, PathSet};
use super::super::process_map::{self, Nodes};
use super::super::stages::{self, StageInputs};
use super::super::{attribution, funnel, sankey, AnalysisOptions, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::report::counted;

/// The figure whose people to list. It is written as JSON with a `kind` field, such as
/// `{"kind": "sankey_link", "source": 0, "target": 9}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Selection {
    /// A band of the Sankey diagram, between two node ids of the report's `sankey.nodes`.
    SankeyLink { source: u32, target: u32 },
    /// A row of the top paths: the people of `group` whose whole path in scope is `steps`.
    Path { group: ConversionGroup, steps: Vec<String> },
    /// A directly-follows edge of the process map, between two activity names of the report.
    ProcessEdge { source: String, target: String },
    /// An activity of the process map: the people who did it, or whose journey starts or ends
    /// with it.
    ProcessActivity {
        name: String,
        #[serde(default)]
        position: ActivityPosition,
    },
    /// A tested feature of the drivers report and one of its two groups.
    Driver {
        feature: FeatureKind,
        /// The filter column of a `property` feature.
        #[serde(default)]
        column: Option<String>,
        value: String,
        group: ConversionGroup,
    },
    /// A channel of the attribution table and which of its people to list.
    Channel {
        channel: String,
        #[serde(default)]
        touch: ChannelTouch,
    },
    /// A cell of the stage transition matrix: the people who moved from stage `from` straight to
    /// stage `to` at least once.
    StageTransition { from: String, to: String },
}

/// Converters or everyone else, as the report splits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionGroup {
    Converters,
    NonConverters,
}

/// The place in a journey that a process-map activity must have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityPosition {
    /// Anywhere (the default).
    #[default]
    Any,
    /// The first event, as the start activities count it.
    Start,
    /// The last event, as the end activities count it.
    End,
}

/// The people of one channel row, each matching one column of the attribution table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelTouch {
    /// Everyone with a touchpoint of the channel (the `journeys` column, the default).
    #[default]
    Touched,
    /// Converters with a touchpoint of the channel up to their conversion (`converting_journeys`).
    Converted,
    /// Converters whose first touchpoint is the channel; with conversion weight, as many as the
    /// first-touch credit.
    FirstTouch,
    /// Converters whose last touchpoint up to the conversion is the channel; with conversion
    /// weight, as many as the last-touch credit.
    LastTouch,
}

/// The people a selection matched, by person index in journey order, and a sentence about them.
pub(super) struct Selected {
    pub members: Vec<usize>,
    pub description: String,
}

/// Finds the people behind `selection` in the report that `options` produce.
pub(super) fn select(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, selection: &Selection, synthetic_times: bool) -> Result<Selected, Error> {
    match selection {
        Selection::SankeyLink { source, target } => sankey_link(log, journeys, options, *source, *target, synthetic_times),
        Selection::Path { group, steps } => top_path(log, journeys, options, *group, steps),
        Selection::ProcessEdge { source, target } => process_edge(log, journeys, options, source, target, synthetic_times),
        Selection::ProcessActivity { name, position } => process_activity(log, journeys, options, name, *position, synthetic_times),
        Selection::Driver { feature, column, value, group } => {
            let row = DriverRow { kind: *feature, column: column.as_deref(), value, group: *group };
            driver_row(log, journeys, options, &row, synthetic_times)
        }
        Selection::Channel { channel, touch } => channel_row(log, journeys, options, channel, *touch, synthetic_times),
        Selection::StageTransition { from, to } => stage_transition(log, journeys, options, from, to, synthetic_times),
    }
}

/// Lists the people whose path enters node `source` at its step and node `target` at the next,
/// by the Sankey's own rule: a label outside a step's top `top_k` belongs to that step's "Other".
fn sankey_link(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, source: u32, target: u32, synthetic_times: bool) -> Result<Selected, Error> {
    let set = PathSet::build(log, journeys, &options.paths, &options.funnel)?;
    let report = sankey::compute(log, &set, &options.sankey, synthetic_times)?;
    if !report.links.iter().any(|link| link.source == source && link.target == target) {
        return Err(Error::Options(format!(
            "The selection sankey_link from node {source} to node {target} matches no band of the Sankey diagram. Use the source and target ids of a link in the report's sankey.links."
        )));
    }

    let node = |id: u32| report.nodes.iter().find(|node| node.id == id);
    let (Some(from), Some(to)) = (node(source), node(target)) else {
        return Err(Error::Options(format!("The Sankey diagram has no node {source} or no node {target}.")));
    };

    // A label outside a step's named nodes belongs to that step's "Other" node.
    let step = from.step as usize - 1;
    let node_of = |step: usize| -> (HashMap<&str, u32>, Option<u32>) {
        let at_step = report.nodes.iter().filter(|node| node.step as usize == step + 1);
        let named = at_step.clone().filter(|node| !node.other).map(|node| (node.label.as_str(), node.id)).collect();
        (named, at_step.clone().find(|node| node.other).map(|node| node.id))
    };
    let (named_from, other_from) = node_of(step);
    let (named_to, other_to) = node_of(step + 1);
    let node_id = |named: &HashMap<&str, u32>, other: Option<u32>, label: u32| named.get(set.label(label)).copied().or(other);

    let members = set
        .paths()
        .enumerate()
        .filter_map(|(person, path)| Some((person, path?)))
        .filter(|(_, path)| path.labels.len() > step + 1)
        .filter(|(_, path)| node_id(&named_from, other_from, path.labels[step]) == Some(source) && node_id(&named_to, other_to, path.labels[step + 1]) == Some(target))
        .map(|(person, _)| person)
        .collect::<Vec<_>>();
    let description = format!(
        "{} went from {} at step {} to {} at step {} of the Sankey diagram.",
        counted(members.len() as u64, "person", "people"),
        from.label,
        from.step,
        to.label,
        to.step
    );
    Ok(Selected { members, description })
}

/// Lists the people of `group` whose path is `steps`, which must be one of the group's top paths.
fn top_path(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, group: ConversionGroup, steps: &[String]) -> Result<Selected, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let set = PathSet::build(log, journeys, &options.paths, &options.funnel)?;
    let report = paths::compute(&set, &conversion, &options.paths)?;
    let (listed, group_name) = match group {
        ConversionGroup::Converters => (&report.converters, "converters"),
        ConversionGroup::NonConverters => (&report.non_converters, "non-converters"),
    };
    let path_text = steps.join(" → ");
    if !listed.top.iter().any(|path| path.steps == steps) {
        return Err(Error::Options(format!(
            "The selection path \"{path_text}\" is not one of the top paths of {group_name}. Use the steps of a path in the report's paths.{}.top.",
            if group == ConversionGroup::Converters { "converters" } else { "non_converters" }
        )));
    }
    let in_group = |person: usize| conversion.converted(person) == (group == ConversionGroup::Converters);
    let members = set
        .paths()
        .enumerate()
        .filter(|&(person, path)| in_group(person) && path.as_ref().is_some_and(|path| path.labels.iter().map(|&id| set.label(id)).eq(steps.iter().map(String::as_str))))
        .map(|(person, _)| person)
        .collect::<Vec<_>>();
    let description = format!("{} among the {group_name} followed the path {path_text}.", counted(members.len() as u64, "person", "people"));
    Ok(Selected { members, description })
}

/// Computes the process map for `options` and ranks its nodes the same way.
fn process_nodes(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, synthetic_times: bool) -> Result<(process_map::ProcessMap, Nodes), Error> {
    let report = process_map::compute(log, journeys, &options.process_map, synthetic_times)?;
    Ok((report, Nodes::rank(log, options.process_map.max_activities)))
}

fn node_index(nodes: &Nodes, name: &str) -> Option<u32> {
    nodes.labels.iter().position(|label| label == name).map(|index| index as u32)
}

/// Lists the people in whose journey `target` directly follows `source` at least once.
fn process_edge(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, source: &str, target: &str, synthetic_times: bool) -> Result<Selected, Error> {
    let (report, nodes) = process_nodes(log, journeys, options, synthetic_times)?;
    let reported = report.edges.iter().any(|edge| edge.source == source && edge.target == target);
    let (Some(from), Some(to), true) = (node_index(&nodes, source), node_index(&nodes, target), reported) else {
        return Err(Error::Options(format!(
            "The selection process_edge from \"{source}\" to \"{target}\" matches no edge of the process map. Use the source and target of an edge in the report's process_map.edges."
        )));
    };

    let members = (0..journeys.people())
        .filter(|&person| journeys.journey(person).windows(2).any(|pair| nodes.of(log, pair[0]) == from && nodes.of(log, pair[1]) == to))
        .collect::<Vec<_>>();
    let description = format!("{} did {target} directly after {source} at least once.", counted(members.len() as u64, "person", "people"));
    Ok(Selected { members, description })
}

/// Lists the people who did the activity `name`, or whose journey starts or ends with it.
fn process_activity(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, name: &str, position: ActivityPosition, synthetic_times: bool) -> Result<Selected, Error> {
    let (_, nodes) = process_nodes(log, journeys, options, synthetic_times)?;
    let node = node_index(&nodes, name).ok_or_else(|| {
        Error::Options(format!(
            "The selection process_activity \"{name}\" matches no activity of the process map. Use a name from the report's process_map.activities."
        ))
    })?;
    let matches = |journey: &[u32]| match position {
        ActivityPosition::Any => journey.iter().any(|&at| nodes.of(log, at) == node),
        ActivityPosition::Start => journey.first().is_some_and(|&at| nodes.of(log, at) == node),
        ActivityPosition::End => journey.last().is_some_and(|&at| nodes.of(log, at) == node),
    };
    let members = (0..journeys.people()).filter(|&person| matches(journeys.journey(person))).collect::<Vec<_>>();
    let people = counted(members.len() as u64, "person", "people");
    let description = match position {
        ActivityPosition::Any => format!("{people} did {name}."),
        ActivityPosition::Start => format!("{people} started their journey with {name}."),
        ActivityPosition::End => format!("{people} ended their journey with {name}."),
    };
    Ok(Selected { members, description })
}

/// Lists the people with at least one move from stage `from` straight to stage `to`. A move joins
/// two consecutive visits, and a visit is a run of events in one stage with unstaged events
/// skipped, as the transition matrix counts them.
fn stage_transition(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, from: &str, to: &str, synthetic_times: bool) -> Result<Selected, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let window_ms = drivers_window(options, synthetic_times)?;
    let inputs = StageInputs { conversion: &conversion, window_ms, synthetic_times };
    let report = stages::compute(log, journeys, &options.stages, &inputs)?
        .map_err(|reason| Error::Options(format!("There are no stages to list people from. {reason}")))?;
    let index = |name: &str| report.stages.iter().position(|stage| stage.name == name);
    let (Some(from_index), Some(to_index)) = (index(from), index(to)) else {
        let names: Vec<&str> = report.stages.iter().map(|stage| stage.name.as_str()).collect();
        return Err(Error::Options(format!(
            "The selection stage_transition from \"{from}\" to \"{to}\" names a stage that is not in the report. Use two of: {}.",
            names.join(", ")
        )));
    };
    let Some((_, stage_of)) = stages::event_stages(log, &options.stages)? else {
        return Err(Error::Options("There are no stages to list people from.".to_string()));
    };
    let moved = |journey: &[u32]| {
        let mut previous = None;
        for &at in journey {
            let stage = stage_of[at as usize];
            if stage == stages::NO_STAGE || previous == Some(usize::from(stage)) {
                continue;
            }
            if previous == Some(from_index) && usize::from(stage) == to_index {
                return true;
            }
            previous = Some(usize::from(stage));
        }
        false
    };
    let members = (0..journeys.people()).filter(|&person| moved(journeys.journey(person))).collect::<Vec<_>>();
    let description = format!("{} moved from the stage {from} straight to the stage {to} at least once.", counted(members.len() as u64, "person", "people"));
    Ok(Selected { members, description })
}

/// Returns the funnel window that bounds the drivers and the stage touchpoints, as the report
/// uses it: none with synthetic times.
fn drivers_window(options: &AnalysisOptions, synthetic_times: bool) -> Result<Option<i64>, Error> {
    match options.funnel.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) if !synthetic_times => Ok(Some(funnel::parse_duration(text)?)),
        _ => Ok(None),
    }
}

/// A drivers row as a selection names it.
struct DriverRow<'a> {
    kind: FeatureKind,
    column: Option<&'a str>,
    value: &'a str,
    group: ConversionGroup,
}

impl DriverRow<'_> {
    fn label(&self) -> String {
        match (self.kind, self.column) {
            (FeatureKind::Property, Some(column)) => format!("{column} = {}", self.value),
            (FeatureKind::Channel, _) => format!("channel {}", self.value),
            _ => self.value.to_string(),
        }
    }
}

/// Lists the converters, or the other people, who had a tested feature among the events the
/// drivers analysis observes: up to the first conversion, and within the funnel window if set.
fn driver_row(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, row: &DriverRow, synthetic_times: bool) -> Result<Selected, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let window_ms = drivers_window(options, synthetic_times)?;
    let report = drivers::compute(log, journeys, &conversion, &options.drivers, window_ms)?
        .ok_or_else(|| Error::Options("There are no drivers to list people from. Choose a conversion event first.".to_string()))?;
    let tested = report.tests.iter().any(|driver| driver.kind == row.kind && driver.column.as_deref() == row.column.filter(|_| row.kind == FeatureKind::Property) && driver.value == row.value);
    if !tested {
        return Err(Error::Options(format!(
            "The selection driver \"{}\" matches no tested feature of the drivers report. Use the feature, column and value of a row in the report's drivers.tests.",
            row.label()
        )));
    }
    let has_feature = feature_test(log, row);
    let converters = row.group == ConversionGroup::Converters;
    let members = (0..journeys.people())
        .filter(|&person| {
            let (observed, converted) = drivers::observed_events(log, journeys.journey(person), conversion.first[person], window_ms);
            converted == converters && observed.iter().any(|&at| has_feature(at as usize))
        })
        .collect::<Vec<_>>();
    let group_name = if converters { "converters" } else { "non-converters" };
    let description = format!("{} among the {group_name} had {} before converting or leaving.", counted(members.len() as u64, "person", "people"), row.label());
    Ok(Selected { members, description })
}

/// Returns a test of whether the event at a log position carries the row's feature.
fn feature_test<'l>(log: &'l EventLog, row: &DriverRow) -> Box<dyn Fn(usize) -> bool + 'l> {
    match row.kind {
        FeatureKind::Event => {
            let id = log.event_names.get(row.value);
            Box::new(move |at| Some(log.event[at]) == id)
        }
        FeatureKind::Channel => {
            let id = log.channels.get(row.value);
            Box::new(move |at| Some(log.channel[at]) == id)
        }
        FeatureKind::Property => {
            let column = row.column.and_then(|name| log.find_property(name));
            let code = column.and_then(|column| log.properties[column].values.get(row.value).map(|code| (column, code)));
            Box::new(move |at| code.is_some_and(|(column, code)| log.properties[column].codes[at] == code))
        }
    }
}

/// Lists the people of a channel row, with the touchpoints attribution uses: up to and including
/// the first conversion for converters, the whole journey for everyone else.
fn channel_row(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, channel: &str, touch: ChannelTouch, synthetic_times: bool) -> Result<Selected, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let report = attribution::compute(log, journeys, &conversion, &options.attribution, !synthetic_times)?
        .ok_or_else(|| Error::Options("There is no attribution to list people from. It needs a conversion event and a channel column.".to_string()))?;
    let id = log.channels.get(channel).filter(|_| report.channels.iter().any(|row| row.channel == channel)).ok_or_else(|| {
        Error::Options(format!("The selection channel \"{channel}\" matches no row of the attribution table. Use a channel from the report's attribution.channels."))
    })?;
    let members = (0..journeys.people())
        .filter(|&person| {
            let journey = journeys.journey(person);
            let first = conversion.first[person];
            let end = first.map_or(journey.len(), |position| position + 1);
            let mut touches = journey[..end].iter().map(|&at| log.channel[at as usize]).filter(|&channel| channel != NONE);
            match touch {
                ChannelTouch::Touched => touches.any(|channel| channel == id),
                ChannelTouch::Converted => first.is_some() && touches.any(|channel| channel == id),
                ChannelTouch::FirstTouch => first.is_some() && touches.next() == Some(id),
                ChannelTouch::LastTouch => first.is_some() && touches.next_back() == Some(id),
            }
        })
        .collect::<Vec<_>>();
    let people = counted(members.len() as u64, "person", "people");
    let description = match touch {
        ChannelTouch::Touched => format!("{people} had a touchpoint of {channel}."),
        ChannelTouch::Converted => format!("{people} had a touchpoint of {channel} and converted."),
        ChannelTouch::FirstTouch => format!("{people} converted with {channel} as their first touchpoint."),
        ChannelTouch::LastTouch => format!("{people} converted with {channel} as their last touchpoint before converting."),
    };
    Ok(Selected { members, description })
}
