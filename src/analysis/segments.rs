//! Segments people can use elsewhere: groups of people picked by behavioural triggers, each with a
//! plain-language definition, its size and its conversion rate, whose members can be listed and
//! exported as a CSV of person ids.
//!
//! The triggers, by segment id (docs/metrics.md, "Segments", defines each):
//! - `repeat_visit`: non-converters with at least `repeat_min` sessions that have an event
//!   matching `repeat_pattern`.
//! - `did_event`: people with an event matching `did_pattern`.
//! - `high_engagement`, `low_engagement`: non-converters in the top or bottom quartile of events
//!   per active day.
//! - `fast_movers`, `slow_movers`: converters in the speed analysis's fast and slow segments.
//! - `stalled`: open journeys that have already lasted longer than the slow cut-off.
//! - `ready_to_buy`, `at_risk`: open journeys in the top propensity decile, or silent nearly as
//!   long as the "rarely come back" length, shown only when the propensity model beat its baseline.
//!
//! A pattern matches an event when it matches the event name or the event's value in one of the
//! `page_columns`, ignoring case.

use regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::parse_duration;
use super::predict::{self, PredictionReport};
use super::{silences, speed, stats, AnalysisOptions, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};

/// The share of non-converters in each of the high and low engagement segments.
pub const ENGAGEMENT_SHARE: f64 = 0.25;
/// The minimum number of non-converters the engagement quartiles are computed from.
pub const MIN_ENGAGEMENT_PEOPLE: usize = 4;
/// The share of open journeys, by highest propensity, in the ready-to-buy segment.
pub const READY_SHARE: f64 = 0.1;
const DAY_MS: i64 = 86_400_000;

/// Options for the segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentsOptions {
    /// The regular expression of the repeated visit, such as `pricing`.
    pub repeat_pattern: String,
    /// The minimum number of sessions with a matching event that make a repeated visit.
    pub repeat_min: u64,
    /// The regular expression of the event or page done at least once, such as a guide download.
    pub did_pattern: String,
    /// Input columns, such as `page`, whose values the patterns also match; missing ones are ignored.
    pub page_columns: Vec<String>,
    /// People count as at risk when silent for at least (1 − this share) of the "rarely come back"
    /// length.
    pub at_risk_margin: f64,
}

impl Default for SegmentsOptions {
    fn default() -> SegmentsOptions {
        SegmentsOptions {
            repeat_pattern: "pricing".to_string(),
            repeat_min: 2,
            did_pattern: "download|guide|ebook|whitepaper".to_string(),
            page_columns: vec!["page".to_string()],
            at_risk_margin: 0.2,
        }
    }
}

/// One segment as reported, without its members.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// A stable id, such as `repeat_visit`, that selects the segment's people.
    pub id: String,
    pub name: String,
    /// The trigger in plain language, with the values used.
    pub definition: String,
    /// False when the data or the prediction cannot support the trigger, and `reason` then gives why.
    pub available: bool,
    pub reason: Option<String>,
    pub people: u64,
    pub converters: u64,
    /// converters / people; `None` for an empty or unavailable segment.
    pub conversion_rate: Option<f64>,
}

/// The segments part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentsReport {
    pub segments: Vec<Segment>,
}

/// A segment with its members, as person indexes in the order of their first event.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentMembers {
    pub segment: Segment,
    pub members: Vec<usize>,
}

/// Everything the triggers read, computed once.
struct Context<'a> {
    log: &'a EventLog,
    journeys: &'a Journeys,
    conversion: Conversion,
    data_end: i64,
    recent_ms: i64,
    /// The inactivity that ends a session; `None` with synthetic times, where every event counts
    /// as its own visit.
    session_gap_ms: Option<i64>,
    speed: Option<speed::SpeedReport>,
    rarely_back_after_ms: Option<i64>,
    /// The prediction with every open journey listed, or the reason it is unavailable.
    prediction: Result<PredictionReport, String>,
    synthetic_times: bool,
}

/// Computes the segments with their counts and rates.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, synthetic_times: bool, computed: Computed) -> Result<SegmentsReport, Error> {
    let segments = members_with(log, journeys, options, synthetic_times, Some(computed))?.into_iter().map(|segment| segment.segment).collect();
    Ok(SegmentsReport { segments })
}

/// The analyses the segments build on, when the report has already run them.
pub struct Computed {
    pub speed: Option<speed::SpeedReport>,
    pub rarely_back_after_ms: Option<i64>,
    /// The prediction with every open journey listed, or the reason there is none.
    pub prediction: Result<PredictionReport, String>,
}

/// Computes every segment with its members, running the speed, silences and prediction analyses
/// they build on.
pub fn members(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, synthetic_times: bool) -> Result<Vec<SegmentMembers>, Error> {
    members_with(log, journeys, options, synthetic_times, None)
}

fn members_with(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, synthetic_times: bool, computed: Option<Computed>) -> Result<Vec<SegmentMembers>, Error> {
    let settings = &options.segments;
    check(settings)?;
    let context = context(log, journeys, options, synthetic_times, computed)?;
    let repeat = Matcher::new(log, &settings.repeat_pattern, &settings.page_columns, "segments.repeat_pattern")?;
    let did = Matcher::new(log, &settings.did_pattern, &settings.page_columns, "segments.did_pattern")?;

    let mut segments = vec![repeat_visit(&context, &repeat, settings), did_event(&context, &did, settings)];
    segments.extend(engagement(&context));
    segments.extend(movers(&context));
    segments.extend(predicted(&context, settings));
    Ok(segments)
}

/// Rejects option values outside their ranges.
fn check(options: &SegmentsOptions) -> Result<(), Error> {
    if options.repeat_min == 0 {
        return Err(Error::Options("segments.repeat_min 0 is invalid. Use a count of at least 1, such as 2.".to_string()));
    }
    if !(options.at_risk_margin.is_finite() && (0.0..1.0).contains(&options.at_risk_margin)) {
        return Err(Error::Options(format!(
            "segments.at_risk_margin {} is out of range. Use a share from 0 to below 1, such as 0.2.",
            options.at_risk_margin
        )));
    }
    Ok(())
}

fn context<'a>(log: &'a EventLog, journeys: &'a Journeys, options: &AnalysisOptions, synthetic_times: bool, computed: Option<Computed>) -> Result<Context<'a>, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    let recent_ms = parse_duration(&options.prediction.recent).map_err(|_| {
        Error::Options(format!("The prediction recent window \"{}\" is not a duration. Write a number and a unit, such as 30d.", options.prediction.recent))
    })?;
    let timed = !synthetic_times;
    let session_gap_ms = parse_duration(&options.sessions.gap).map_err(|_| {
        Error::Options(format!("The session gap \"{}\" is not a duration. Write a number and a unit, such as 30m or 1h.", options.sessions.gap))
    })?;
    let (speed, rarely_back_after_ms, prediction) = match computed {
        Some(Computed { speed, rarely_back_after_ms, prediction }) => (speed, rarely_back_after_ms, prediction),
        None => {
            let speed = if timed && conversion.event.is_some() { Some(speed::compute(log, journeys, &conversion, &options.speed)?) } else { None };
            let rarely_back_after_ms = if timed { silences::compute(log, journeys, &conversion, &options.silences)?.rarely_back_after_ms } else { None };
            let prediction = if options.prediction.enabled {
                let all_open = predict::PredictionOptions { people: 0, ..options.prediction.clone() };
                predict::compute(log, journeys, &conversion, &all_open, &options.paths, synthetic_times)?
            } else {
                Err("Prediction is turned off.".to_string())
            };
            (speed, rarely_back_after_ms, prediction)
        }
    };
    Ok(Context {
        log,
        journeys,
        data_end: log.time.iter().copied().max().unwrap_or_default(),
        conversion,
        recent_ms,
        session_gap_ms: timed.then_some(session_gap_ms),
        speed,
        rarely_back_after_ms,
        prediction,
        synthetic_times,
    })
}

/// Tells which events match a pattern, by event name or by a value in a page column.
struct Matcher {
    events: Vec<bool>,
    /// For each page column: its index in the log's properties and which of its values match.
    columns: Vec<(usize, Vec<bool>)>,
}

impl Matcher {
    fn new(log: &EventLog, pattern: &str, page_columns: &[String], option: &str) -> Result<Matcher, Error> {
        if pattern.trim().is_empty() {
            return Err(Error::Options(format!("{option} is empty. Write a regular expression, such as pricing.")));
        }
        let regex: Regex = RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|error| Error::Options(format!("{option} \"{pattern}\" is an invalid regular expression: {error}")))?;
        let matches = |names: &crate::model::Interner| (0..names.len() as u32).map(|id| regex.is_match(names.name(id))).collect::<Vec<bool>>();
        let columns = log
            .properties
            .iter()
            .enumerate()
            .filter(|(_, property)| page_columns.iter().any(|column| column.trim().eq_ignore_ascii_case(&property.name)))
            .map(|(index, property)| (index, matches(&property.values)))
            .collect();
        Ok(Matcher { events: matches(&log.event_names), columns })
    }

    fn is_match(&self, log: &EventLog, at: usize) -> bool {
        if self.events.get(log.event[at] as usize).copied().unwrap_or(false) {
            return true;
        }
        self.columns.iter().any(|(index, values)| {
            let code = log.properties.get(*index).and_then(|property| property.codes.get(at)).copied().unwrap_or(NONE);
            code != NONE && values.get(code as usize).copied().unwrap_or(false)
        })
    }

    fn count(&self, log: &EventLog, journey: &[u32]) -> u64 {
        journey.iter().filter(|&&at| self.is_match(log, at as usize)).count() as u64
    }

    /// Counts the sessions of a journey that contain a matching event. A session ends after more
    /// than `gap_ms` without an event, as in the sessions analysis; without a gap, every matching
    /// event counts.
    fn sessions(&self, log: &EventLog, journey: &[u32], gap_ms: Option<i64>) -> u64 {
        let Some(gap_ms) = gap_ms else { return self.count(log, journey) };
        let mut sessions = 0;
        let mut previous: Option<i64> = None;
        let mut counted_session = false;
        for &at in journey {
            let time = log.time[at as usize];
            if previous.is_some_and(|previous| time - previous > gap_ms) {
                counted_session = false;
            }
            previous = Some(time);
            if !counted_session && self.is_match(log, at as usize) {
                sessions += 1;
                counted_session = true;
            }
        }
        sessions
    }
}

/// Builds a segment from its members, counting its converters.
fn segment(context: &Context, id: &str, name: &str, definition: String, members: Vec<usize>) -> SegmentMembers {
    let converters = members.iter().filter(|&&person| context.conversion.converted(person)).count() as u64;
    let people = members.len() as u64;
    let segment = Segment {
        id: id.to_string(),
        name: name.to_string(),
        definition,
        available: true,
        reason: None,
        people,
        converters,
        conversion_rate: (people > 0).then(|| stats::share(converters, people)),
    };
    SegmentMembers { segment, members }
}

/// Builds a segment the data cannot support.
fn unavailable(id: &str, name: &str, definition: String, reason: String) -> SegmentMembers {
    let segment = Segment { id: id.to_string(), name: name.to_string(), definition, available: false, reason: Some(reason), people: 0, converters: 0, conversion_rate: None };
    SegmentMembers { segment, members: Vec::new() }
}

fn people_where(context: &Context, keep: impl Fn(usize) -> bool) -> Vec<usize> {
    (0..context.journeys.people()).filter(|&person| keep(person)).collect()
}

fn repeat_visit(context: &Context, matcher: &Matcher, options: &SegmentsOptions) -> SegmentMembers {
    let definition = format!(
        "People who never converted and had at least {} sessions with an event or page matching \"{}\".",
        options.repeat_min, options.repeat_pattern
    );
    let members = people_where(context, |person| {
        !context.conversion.converted(person) && matcher.sessions(context.log, context.journeys.journey(person), context.session_gap_ms) >= options.repeat_min
    });
    segment(context, "repeat_visit", "Repeat visits without converting", definition, members)
}

fn did_event(context: &Context, matcher: &Matcher, options: &SegmentsOptions) -> SegmentMembers {
    let definition = format!("People with at least one event or page matching \"{}\".", options.did_pattern);
    let members = people_where(context, |person| matcher.count(context.log, context.journeys.journey(person)) > 0);
    segment(context, "did_event", "Did the chosen event", definition, members)
}

/// Returns a journey's events per active day, counting days in UTC.
fn events_per_day(log: &EventLog, journey: &[u32]) -> f64 {
    let mut days: Vec<i64> = journey.iter().map(|&at| log.time[at as usize].div_euclid(DAY_MS)).collect();
    days.dedup();
    journey.len() as f64 / days.len().max(1) as f64
}

fn engagement(context: &Context) -> Vec<SegmentMembers> {
    let high = "Non-converters in the top quartile of events per active day (UTC calendar days with an event).".to_string();
    let low = "Non-converters in the bottom quartile of events per active day (UTC calendar days with an event).".to_string();
    let unavailable_both = |reason: String| {
        vec![
            unavailable("high_engagement", "High engagement", high.clone(), reason.clone()),
            unavailable("low_engagement", "Low engagement", low.clone(), reason),
        ]
    };
    if context.synthetic_times {
        return unavailable_both("Engagement counts events per active day, and these times were made up.".to_string());
    }
    let open: Vec<(usize, f64)> = people_where(context, |person| !context.conversion.converted(person) && !context.journeys.journey(person).is_empty())
        .into_iter()
        .map(|person| (person, events_per_day(context.log, context.journeys.journey(person))))
        .collect();
    if open.len() < MIN_ENGAGEMENT_PEOPLE {
        return unavailable_both(format!("Engagement quartiles need at least {MIN_ENGAGEMENT_PEOPLE} non-converters, and there are {}.", open.len()));
    }
    let mut sorted: Vec<f64> = open.iter().map(|&(_, rate)| rate).collect();
    sorted.sort_by(f64::total_cmp);
    let low_cut = stats::quantile(&sorted, ENGAGEMENT_SHARE).unwrap_or(f64::NEG_INFINITY);
    let high_cut = stats::quantile(&sorted, 1.0 - ENGAGEMENT_SHARE).unwrap_or(f64::INFINITY);
    let high_members = open.iter().filter(|&&(_, rate)| rate >= high_cut).map(|&(person, _)| person).collect();
    let low_members = open.iter().filter(|&&(_, rate)| rate <= low_cut).map(|&(person, _)| person).collect();
    vec![
        segment(context, "high_engagement", "High engagement", format!("{high} Cut-off: at least {high_cut:.2} events per day."), high_members),
        segment(context, "low_engagement", "Low engagement", format!("{low} Cut-off: at most {low_cut:.2} events per day."), low_members),
    ]
}

/// Returns a converter's time from first event to first conversion, `None` for non-converters and
/// for converters whose first event is the conversion (the speed analysis leaves those out).
fn time_to_convert(context: &Context, person: usize) -> Option<i64> {
    let journey = context.journeys.journey(person);
    let position = context.conversion.first.get(person).copied().flatten().filter(|&position| position > 0)?;
    let (&first, &converted) = (journey.first()?, journey.get(position)?);
    Some(context.log.time[converted as usize] - context.log.time[first as usize])
}

/// Tells whether a person never converted and had an event within the recent window of the data end.
fn is_open(context: &Context, person: usize) -> bool {
    let last = context.journeys.journey(person).last().map(|&at| context.log.time[at as usize]);
    !context.conversion.converted(person) && last.is_some_and(|time| time >= context.data_end.saturating_sub(context.recent_ms))
}

fn movers(context: &Context) -> Vec<SegmentMembers> {
    let fast = "Converters in the fast speed segment: time to convert at most the fast cut-off.".to_string();
    let slow = "Converters in the slow speed segment: time to convert above the slow cut-off.".to_string();
    let stalled = "Open journeys (no conversion, an event within the prediction's recent window) whose time since their first event already exceeds the slow cut-off.".to_string();
    let bounds = context.speed.as_ref().and_then(|report| report.fast_max_ms.zip(report.medium_max_ms));
    let Some((fast_max, slow_after)) = bounds else {
        let reason = "Fast and slow movers need real event times, a conversion event and at least one converter to measure.".to_string();
        return vec![
            unavailable("fast_movers", "Fast movers", fast, reason.clone()),
            unavailable("slow_movers", "Slow movers", slow, reason.clone()),
            unavailable("stalled", "Stalled", stalled, reason),
        ];
    };
    let days = |ms: f64| ms / DAY_MS as f64;
    let fast_members = people_where(context, |person| time_to_convert(context, person).is_some_and(|time| time as f64 <= fast_max));
    let slow_members = people_where(context, |person| time_to_convert(context, person).is_some_and(|time| time as f64 > slow_after));
    let stalled_members = people_where(context, |person| {
        let first = context.journeys.journey(person).first().map(|&at| context.log.time[at as usize]);
        is_open(context, person) && first.is_some_and(|time| (context.data_end - time) as f64 > slow_after)
    });
    vec![
        segment(context, "fast_movers", "Fast movers", format!("{} ({:.2} days).", fast.trim_end_matches('.'), days(fast_max)), fast_members),
        segment(context, "slow_movers", "Slow movers", format!("{} ({:.2} days).", slow.trim_end_matches('.'), days(slow_after)), slow_members),
        segment(context, "stalled", "Stalled", format!("{} ({:.2} days).", stalled.trim_end_matches('.'), days(slow_after)), stalled_members),
    ]
}

/// Returns the prediction when its propensity passed the honesty gate, else the reason.
fn gated<'c>(context: &'c Context) -> Result<&'c PredictionReport, String> {
    let report = context.prediction.as_ref().map_err(|reason| format!("The prediction could not run. {reason}"))?;
    match (&report.propensity, &report.propensity_reason) {
        (Some(propensity), _) if propensity.better_than_baseline => Ok(report),
        (Some(propensity), _) => Err(format!(
            "The propensity model's held-out AUC {:.3} (95% interval {:.3} to {:.3}) is not clearly better than the 0.5 of predicting the base rate.",
            propensity.auc, propensity.auc_ci_low, propensity.auc_ci_high
        )),
        (None, reason) => Err(reason.clone().unwrap_or_else(|| "The propensity model could not run.".to_string())),
    }
}

/// Maps each person's display id to their index.
fn person_indexes<'a>(context: &Context<'a>) -> HashMap<&'a str, usize> {
    (0..context.journeys.people())
        .filter_map(|person| context.journeys.journey(person).first().map(|&at| (context.log.people.name(context.log.person[at as usize]), person)))
        .collect()
}

fn predicted(context: &Context, options: &SegmentsOptions) -> Vec<SegmentMembers> {
    let ready = "Open journeys in the top tenth by conversion propensity (ties at the cut-off included).".to_string();
    let risk = format!(
        "Open journeys silent for at least {:.0}% of the \"rarely come back\" length.",
        (1.0 - options.at_risk_margin) * 100.0
    );
    let report = match gated(context) {
        Ok(report) => report,
        Err(reason) => return vec![unavailable("ready_to_buy", "Ready to buy", ready, reason.clone()), unavailable("at_risk", "At risk", risk, reason)],
    };
    let indexes = person_indexes(context);
    let mut scored: Vec<(usize, f64)> = report
        .open_journeys
        .iter()
        .filter_map(|open| Some((*indexes.get(open.person.as_str())?, open.score?)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let take = (scored.len() as f64 * READY_SHARE).ceil() as usize;
    let cut = take.checked_sub(1).and_then(|at| scored.get(at)).map(|&(_, score)| score);
    let mut ready_members: Vec<usize> = scored.iter().filter(|&&(_, score)| cut.is_some_and(|cut| score >= cut)).map(|&(person, _)| person).collect();
    ready_members.sort_unstable();
    let ready_segment = segment(context, "ready_to_buy", "Ready to buy", ready, ready_members);

    let Some(rarely_back) = context.rarely_back_after_ms else {
        let reason = "At risk needs the \"rarely come back\" length of the silences, and the data has too few silences to set it.".to_string();
        return vec![ready_segment, unavailable("at_risk", "At risk", risk, reason)];
    };
    let silent_for = rarely_back as f64 * (1.0 - options.at_risk_margin);
    let mut risk_members: Vec<usize> = report
        .open_journeys
        .iter()
        .filter_map(|open| indexes.get(open.person.as_str()).copied())
        .filter(|&person| {
            let last = context.journeys.journey(person).last().map(|&at| context.log.time[at as usize]);
            last.is_some_and(|time| (context.data_end - time) as f64 >= silent_for)
        })
        .collect();
    risk_members.sort_unstable();
    let risk_definition = format!("{} ({:.2} days).", risk.trim_end_matches('.'), silent_for / DAY_MS as f64);
    vec![ready_segment, segment(context, "at_risk", "At risk", risk_definition, risk_members)]
}

/// The suggested next touchpoint of each listed person.
pub struct Suggestions {
    /// The top predicted next event of each open journey, when the next-step model is shown.
    predicted: HashMap<String, String>,
    /// For each event name, the most common different event converters did right after it before
    /// converting.
    successors: HashMap<u32, u32>,
}

impl Suggestions {
    /// Builds the suggestions from the prediction and the converters' journeys.
    pub fn build(log: &EventLog, journeys: &Journeys, options: &AnalysisOptions, synthetic_times: bool) -> Result<Suggestions, Error> {
        let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
        let mut predicted = HashMap::default();
        if options.prediction.enabled {
            let all_open = predict::PredictionOptions { people: 0, ..options.prediction.clone() };
            if let Ok(report) = predict::compute(log, journeys, &conversion, &all_open, &options.paths, synthetic_times)? {
                for open in report.open_journeys {
                    if let Some(next) = open.next.first() {
                        predicted.insert(open.person.clone(), next.event.clone());
                    }
                }
            }
        }
        Ok(Suggestions { predicted, successors: successors(log, journeys, &conversion) })
    }

    /// Returns the suggested next touchpoint of `person`.
    pub fn suggest(&self, log: &EventLog, journeys: &Journeys, person: usize) -> Option<String> {
        let journey = journeys.journey(person);
        let name = journey.first().map(|&at| log.people.name(log.person[at as usize]))?;
        if let Some(event) = self.predicted.get(name) {
            return Some(event.clone());
        }
        let last = log.event[*journey.last()? as usize];
        self.successors.get(&last).map(|&event| log.event_names.name(event).to_string())
    }
}

/// Counts, over every converter's journey up to their first conversion, each event followed by a
/// different event, and keeps each event's most common follower (ties to the first name).
fn successors(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> HashMap<u32, u32> {
    let mut counts: HashMap<(u32, u32), u64> = HashMap::default();
    for person in 0..journeys.people() {
        let Some(position) = conversion.first.get(person).copied().flatten() else { continue };
        let journey = journeys.journey(person);
        let upto = &journey[..(position + 1).min(journey.len())];
        for pair in upto.windows(2) {
            let (from, to) = (log.event[pair[0] as usize], log.event[pair[1] as usize]);
            if from != to {
                *counts.entry((from, to)).or_insert(0) += 1;
            }
        }
    }
    let mut best: HashMap<u32, (u32, u64)> = HashMap::default();
    for (&(from, to), &count) in &counts {
        let entry = best.entry(from).or_insert((to, count));
        let better = count > entry.1 || (count == entry.1 && log.event_names.name(to) < log.event_names.name(entry.0));
        if better {
            *entry = (to, count);
        }
    }
    best.into_iter().map(|(from, (to, _))| (from, to)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from (person, minute, event, page) rows; an empty page is no page.
    fn log_of(rows: &[(&str, i64, &str, &str)]) -> EventLog {
        let mut log = EventLog::default();
        let page = log.property_index("page");
        for (row, &(person, minute, event, url)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let new = NewEvent { person, time: minute * 60_000, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, [(page, url)]);
        }
        log
    }

    fn options() -> AnalysisOptions {
        AnalysisOptions { conversion: Some("buy".into()), ..AnalysisOptions::default() }
    }

    fn find<'a>(segments: &'a [SegmentMembers], id: &str) -> &'a SegmentMembers {
        segments.iter().find(|segment| segment.segment.id == id).unwrap()
    }

    #[test]
    fn matcher_reads_event_names_and_pages() {
        let log = log_of(&[("u1", 0, "view", "/Pricing"), ("u1", 1, "PRICING_click", ""), ("u1", 2, "view", "/blog")]);
        let matcher = Matcher::new(&log, "pricing", &["page".to_string()], "segments.repeat_pattern").unwrap();
        let flags: Vec<bool> = (0..log.len()).map(|at| matcher.is_match(&log, at)).collect();
        assert_eq!(flags, [true, true, false]);

        let events_only = Matcher::new(&log, "pricing", &[], "segments.repeat_pattern").unwrap();
        assert!(!events_only.is_match(&log, 0));
    }

    #[test]
    fn sessions_count_matching_visits_once() {
        // Minutes 0 and 20 share a session; minute 60 starts another (a 40-minute gap).
        let log = log_of(&[("u1", 0, "view", "/pricing"), ("u1", 20, "view", "/pricing"), ("u1", 60, "view", "/pricing"), ("u1", 61, "view", "/home")]);
        let journeys = Journeys::build(&log);
        let matcher = Matcher::new(&log, "pricing", &["page".to_string()], "segments.repeat_pattern").unwrap();
        let journey = journeys.journey(0);
        assert_eq!(matcher.sessions(&log, journey, Some(30 * 60_000)), 2);
        assert_eq!(matcher.sessions(&log, journey, Some(60 * 60_000)), 1);
        assert_eq!(matcher.sessions(&log, journey, None), 3);
    }

    #[test]
    fn successors_skip_repeats_and_break_ties_by_name() {
        // After "a", converters went to "c" twice (u1, u4) and to "b" twice (u2, u3), so "b" wins
        // the tie. The repeat a → a, the event after u1's conversion and the non-converter u5 do
        // not count.
        let log = log_of(&[
            ("u1", 0, "a", ""), ("u1", 1, "a", ""), ("u1", 2, "c", ""), ("u1", 3, "buy", ""), ("u1", 4, "z", ""),
            ("u2", 0, "a", ""), ("u2", 1, "b", ""), ("u2", 2, "buy", ""),
            ("u3", 0, "a", ""), ("u3", 1, "b", ""), ("u3", 2, "c", ""), ("u3", 3, "buy", ""),
            ("u4", 0, "a", ""), ("u4", 1, "c", ""), ("u4", 2, "buy", ""),
            ("u5", 0, "a", ""), ("u5", 1, "c", ""),
        ]);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let followers = successors(&log, &journeys, &conversion);
        let name = |event: &str| log.event_names.get(event).unwrap();
        assert_eq!(followers.get(&name("a")), Some(&name("b")));
        assert_eq!(followers.get(&name("c")), Some(&name("buy")));
        assert_eq!(followers.get(&name("buy")), None);
    }

    #[test]
    fn synthetic_times_leave_timed_segments_unavailable() {
        let log = log_of(&[("u1", 0, "pricing", ""), ("u1", 1, "pricing", ""), ("u2", 0, "view", ""), ("u2", 1, "buy", "")]);
        let journeys = Journeys::build(&log);
        let segments = members(&log, &journeys, &options(), true).unwrap();
        assert_eq!(find(&segments, "repeat_visit").members, [0]);
        for id in ["high_engagement", "low_engagement", "fast_movers", "slow_movers", "stalled", "ready_to_buy", "at_risk"] {
            let segment = &find(&segments, id).segment;
            assert!(!segment.available, "segment {id}");
            assert!(segment.reason.is_some(), "segment {id}");
            assert_eq!(segment.conversion_rate, None, "segment {id}");
        }
    }

    #[test]
    fn rejects_out_of_range_options() {
        let log = log_of(&[("u1", 0, "view", "")]);
        let journeys = Journeys::build(&log);
        let mut options = options();
        options.conversion = None;
        options.segments.at_risk_margin = 1.0;
        let error = members(&log, &journeys, &options, false).unwrap_err().to_string();
        assert!(error.contains("segments.at_risk_margin 1"), "{error}");

        options.segments.at_risk_margin = 0.2;
        options.segments.did_pattern = " ".to_string();
        let error = members(&log, &journeys, &options, false).unwrap_err().to_string();
        assert!(error.contains("segments.did_pattern is empty"), "{error}");
    }
}
