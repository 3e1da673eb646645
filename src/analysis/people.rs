//! The people behind a figure: those who reached a funnel step, dropped before it, stopped at a
//! friction finding, belong to a segment, or make up a Sankey band, a top path, a process-map edge,
//! a drivers row or a channel row. Each comes with the start of their journey, so a count on the
//! page opens into the people it counts.

mod selection;

pub use selection::{ActivityPosition, ChannelTouch, ConversionGroup, Selection};

use serde::{Deserialize, Serialize};

use super::segments::{self, Suggestions};
use super::{friction, funnel, silences, AnalysisOptions, Conversion};
use crate::error::Error;
use crate::ingest::time::to_rfc3339;
use crate::model::{EventLog, Journeys, NONE};
use crate::report::counted;

/// The events shown of each person's journey; the rest are counted in `more_events`.
pub const JOURNEY_EVENTS: usize = 30;

/// The group of people behind a funnel step to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepGroup {
    /// The people who reached the step (the default).
    #[default]
    Reached,
    /// The people who reached the previous step and not this one.
    Dropped,
}

/// A request for the people behind one funnel bar or one friction finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeopleQuery {
    /// The funnel step, counted from 1.
    pub step: usize,
    pub group: StepGroup,
    /// A friction finding's place in the report's list, counted from 0; when set, the people who
    /// stopped there are listed and `step` and `group` are ignored.
    pub finding: Option<usize>,
    /// A segment id, such as `repeat_visit`; when set, the segment's members are listed with a
    /// suggested next touchpoint, and `step`, `group` and `finding` are ignored.
    pub segment: Option<String>,
    /// A chart mark or table row; when set, its people are listed and every other selector is
    /// ignored.
    pub selection: Option<Selection>,
    /// The largest number of people to return, in the order of their first event; `None` for all.
    pub limit: Option<usize>,
}

impl Default for PeopleQuery {
    fn default() -> PeopleQuery {
        PeopleQuery { step: 1, group: StepGroup::Reached, finding: None, segment: None, selection: None, limit: Some(100) }
    }
}

/// One event of a listed journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyEvent {
    /// `None` when the times are synthetic.
    pub time: Option<String>,
    pub event: String,
    pub channel: Option<String>,
}

/// One listed person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonRow {
    pub person: String,
    pub events: u64,
    /// True when the person did the conversion event.
    pub converted: bool,
    /// The first [`JOURNEY_EVENTS`] events of the journey.
    pub journey: Vec<JourneyEvent>,
    /// Events beyond those listed.
    pub more_events: u64,
    /// The time of the last event; `None` when the times are synthetic.
    pub last_event: Option<String>,
    /// The suggested next touchpoint, set only in segment lists (docs/metrics.md, "Suggested next
    /// touchpoint"); `None` there when nothing can be suggested.
    pub suggested_next: Option<String>,
}

/// The people behind a funnel bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleList {
    /// A one-sentence description of the people listed.
    pub description: String,
    /// Everyone in the group, listed or not.
    pub total: u64,
    pub people: Vec<PersonRow>,
}

/// Lists the people behind one funnel step, friction finding, segment or selection. The funnel's
/// list always contains people, each once, by the people-counting rules of the funnel, even when
/// the funnel itself counts attempts.
pub fn list_people(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, query: &PeopleQuery, synthetic_times: bool) -> Result<PeopleList, Error> {
    if let Some(selection) = &query.selection {
        return selected_people(log, journeys, options, selection, query.limit, synthetic_times);
    }
    if let Some(id) = &query.segment {
        return segment_people(log, journeys, options, id, query.limit, synthetic_times);
    }
    match query.finding {
        Some(index) => finding_people(log, journeys, options, index, query.limit, synthetic_times),
        None => funnel_people(log, journeys, options, query, synthetic_times),
    }
}

/// Lists the people who stopped at the friction finding at `index` of the report's list.
fn finding_people(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, index: usize, limit: Option<usize>, synthetic_times: bool) -> Result<PeopleList, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let funnel_options = if synthetic_times { options.funnel.without_windows() } else { options.funnel.clone() };
    let rarely_back_after_ms = if synthetic_times {
        None
    } else {
        silences::compute(log, journeys, &conversion, &options.silences)?.rarely_back_after_ms
    };
    let candidates = friction::candidates(log, journeys, &conversion, &funnel_options, &options.stages, &options.friction, rarely_back_after_ms, !synthetic_times)?.unwrap_or_default();
    let listed = candidates.len().min(options.friction.top);
    let candidate = candidates.into_iter().take(listed).nth(index).ok_or_else(|| {
        Error::Options(format!("The friction report lists findings 0 to {}, so there is no finding {index} to list people from.", listed.saturating_sub(1)))
    })?;
    let members = candidate.stopped_people;
    let people = members.iter().take(limit.unwrap_or(usize::MAX)).map(|&person| person_row(log, journeys, &conversion, person as usize, synthetic_times)).collect();
    let description = format!("{} stopped at {}.", counted(members.len() as u64, "person", "people"), candidate.finding.label);
    Ok(PeopleList { description, total: members.len() as u64, people })
}

/// Lists the people behind a chart mark or table row.
fn selected_people(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, selection: &Selection, limit: Option<usize>, synthetic_times: bool) -> Result<PeopleList, Error> {
    let selected = selection::select(log, journeys, options, selection, synthetic_times)?;
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let people = selected.members.iter().take(limit.unwrap_or(usize::MAX)).map(|&person| person_row(log, journeys, &conversion, person, synthetic_times)).collect();
    Ok(PeopleList { description: selected.description, total: selected.members.len() as u64, people })
}

/// Lists the members of the segment with id `id`, each with a suggested next touchpoint.
fn segment_people(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, id: &str, limit: Option<usize>, synthetic_times: bool) -> Result<PeopleList, Error> {
    let all = segments::members(log, journeys, options, synthetic_times)?;
    let ids: Vec<&str> = all.iter().map(|segment| segment.segment.id.as_str()).collect();
    let Some(found) = all.iter().find(|segment| segment.segment.id == id.trim()) else {
        return Err(Error::Options(format!("There is no segment \"{id}\". Use one of: {}.", ids.join(", "))));
    };
    if let Some(reason) = &found.segment.reason {
        return Err(Error::Options(format!("The segment \"{id}\" is unavailable. {reason}")));
    }
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let suggestions = Suggestions::build(log, journeys, options, synthetic_times)?;
    let people = found
        .members
        .iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|&person| PersonRow { suggested_next: suggestions.suggest(log, journeys, person), ..person_row(log, journeys, &conversion, person, synthetic_times) })
        .collect();
    let description = format!("{} in the segment {}: {}", counted(found.members.len() as u64, "person", "people"), found.segment.name, found.segment.definition);
    Ok(PeopleList { description, total: found.members.len() as u64, people })
}

/// Lists the people behind one funnel step.
fn funnel_people(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, query: &PeopleQuery, synthetic_times: bool) -> Result<PeopleList, Error> {
    let steps = options.funnel.steps.len();
    if steps == 0 {
        return Err(Error::Options("There is no funnel to list people from. Add funnel steps first.".to_string()));
    }
    if query.step < 1 || query.step > steps {
        return Err(Error::Options(format!("The funnel has steps 1 to {steps}, so there is no step {} to list people from.", query.step)));
    }
    if query.group == StepGroup::Dropped && query.step == 1 {
        return Err(Error::Options("No one drops before step 1. List the people who dropped before a later step, such as step 2.".to_string()));
    }
    let funnel_options = if synthetic_times { options.funnel.without_windows() } else { options.funnel.clone() };
    let chains = funnel::person_chains(log, journeys, &funnel_options)?;
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let in_group = |person: usize| {
        let depth = chains[person].len();
        match query.group {
            StepGroup::Reached => depth >= query.step,
            StepGroup::Dropped => depth == query.step - 1,
        }
    };
    let members: Vec<usize> = (0..journeys.people()).filter(|&person| in_group(person)).collect();
    let limit = query.limit.unwrap_or(usize::MAX);
    let people = members.iter().take(limit).map(|&person| person_row(log, journeys, &conversion, person, synthetic_times)).collect();
    let step = &options.funnel.steps[query.step - 1];
    let who = counted(members.len() as u64, "person", "people");
    let description = match query.group {
        StepGroup::Reached => format!("{who} reached step {} ({}).", query.step, funnel::label(step)),
        StepGroup::Dropped => format!("{who} reached step {} and not step {} ({}).", query.step - 1, query.step, funnel::label(step)),
    };
    Ok(PeopleList { description, total: members.len() as u64, people })
}

fn person_row(log: &EventLog, journeys: &Journeys, conversion: &Conversion, person: usize, synthetic_times: bool) -> PersonRow {
    let journey = journeys.journey(person);
    let name = journey.first().map_or("", |&at| log.people.name(log.person[at as usize]));
    let events = journey
        .iter()
        .take(JOURNEY_EVENTS)
        .map(|&at| {
            let at = at as usize;
            let channel = log.channel[at];
            JourneyEvent {
                time: (!synthetic_times).then(|| to_rfc3339(log.time[at])),
                event: log.event_names.name(log.event[at]).to_string(),
                channel: (channel != NONE).then(|| log.channels.name(channel).to_string()),
            }
        })
        .collect();
    PersonRow {
        person: name.to_string(),
        events: journey.len() as u64,
        converted: conversion.converted(person),
        journey: events,
        more_events: journey.len().saturating_sub(JOURNEY_EVENTS) as u64,
        last_event: journey.last().filter(|_| !synthetic_times).map(|&at| to_rfc3339(log.time[at as usize])),
        suggested_next: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::funnel::{FunnelOptions, FunnelStep};
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    fn log_of(rows: &[(&str, i64, &str)]) -> EventLog {
        let mut log = EventLog::default();
        for (row, &(person, minute, event)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let new = NewEvent { person, time: minute * 60_000, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, []);
        }
        log
    }

    fn options(steps: &[&str]) -> AnalysisOptions {
        let steps = steps.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
        AnalysisOptions { conversion: Some("c".into()), funnel: FunnelOptions { steps, ..FunnelOptions::default() }, ..AnalysisOptions::default() }
    }

    #[test]
    fn lists_reached_and_dropped_people() {
        // u1 does a, b, c; u2 does a only; u3 does b only and never reaches step 1.
        let log = log_of(&[("u1", 0, "a"), ("u1", 1, "b"), ("u1", 2, "c"), ("u2", 0, "a"), ("u3", 0, "b")]);
        let journeys = Journeys::build(&log);
        let options = options(&["a", "b"]);
        let list = |step, group, limit| list_people(&log, &journeys, &options, &PeopleQuery { step, group, limit, ..PeopleQuery::default() }, false).unwrap();
        let names = |list: &PeopleList| list.people.iter().map(|row| row.person.clone()).collect::<Vec<_>>();

        let reached = list(1, StepGroup::Reached, None);
        assert_eq!(names(&reached), ["u1", "u2"]);
        assert_eq!(reached.description, "2 people reached step 1 (a).");
        let dropped = list(2, StepGroup::Dropped, None);
        assert_eq!(names(&dropped), ["u2"]);
        assert_eq!(dropped.description, "1 person reached step 1 and not step 2 (b).");
        let limited = list(1, StepGroup::Reached, Some(1));
        assert_eq!((limited.total, limited.people.len()), (2, 1));

        let u1 = &reached.people[0];
        assert_eq!((u1.events, u1.converted, u1.more_events), (3, true, 0));
        let events: Vec<&str> = u1.journey.iter().map(|event| event.event.as_str()).collect();
        assert_eq!(events, ["a", "b", "c"]);
        assert_eq!(u1.journey[1].time.as_deref(), Some("1970-01-01T00:01:00Z"));
    }

    #[test]
    fn rejects_steps_outside_the_funnel() {
        let log = log_of(&[("u1", 0, "a"), ("u1", 1, "b")]);
        let journeys = Journeys::build(&log);
        let options = options(&["a", "b"]);
        let error = |step, group| list_people(&log, &journeys, &options, &PeopleQuery { step, group, limit: None, ..PeopleQuery::default() }, false).unwrap_err().to_string();
        assert!(error(3, StepGroup::Reached).contains("no step 3"));
        assert!(error(0, StepGroup::Reached).contains("no step 0"));
        assert!(error(1, StepGroup::Dropped).contains("No one drops before step 1"));
    }
}
