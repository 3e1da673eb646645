//! Sessions: each journey split into visits at gaps of inactivity.
//!
//! A session is a run of a person's events in journey order in which no two consecutive events
//! are more than `gap` apart. An event exactly `gap` after the previous one stays in the same
//! session, and one a millisecond later starts a new session. With `events` set, only events of
//! those names take part: the others neither start nor extend a session.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::parse_duration;
use super::{stats, unknown_event, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// How many entry and exit events the report lists.
pub const TOP_EVENTS: usize = 10;

/// The largest sessions-per-person count with its own row; higher counts share the last row.
pub const MAX_COUNT_ROW: u64 = 10;

/// Options for sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionsOptions {
    /// The inactivity that ends a session, such as `30m`.
    pub gap: String,
    /// Event names that take part in sessions; empty for every event.
    pub events: Vec<String>,
}

impl Default for SessionsOptions {
    fn default() -> SessionsOptions {
        SessionsOptions { gap: "30m".to_string(), events: Vec::new() }
    }
}

/// A median and a mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Average {
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

/// How many people have a given number of sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionCountRow {
    /// The number of sessions; the last row, with `or_more` true, counts people with at least
    /// this many.
    pub sessions: u64,
    pub or_more: bool,
    pub people: u64,
}

/// An event that opens or closes sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionEdgeEvent {
    pub event: String,
    pub sessions: u64,
    /// Share of all sessions.
    pub share: f64,
}

/// The sessions part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionsReport {
    pub gap_ms: i64,
    /// The event names that take part; empty for every event.
    pub events: Vec<String>,
    pub sessions: u64,
    /// People with at least one session.
    pub people: u64,
    pub sessions_per_person: Average,
    pub sessions_per_person_rows: Vec<SessionCountRow>,
    /// Time from the first to the last event of a session; 0 for a one-event session.
    pub length_ms: Average,
    pub events_per_session: Average,
    /// Sessions of people who converted.
    pub converter_sessions: u64,
    /// Sessions of converters that contain at least one conversion event.
    pub converting_sessions: u64,
    /// `converting_sessions / converter_sessions`; `None` with no conversion event or no converter.
    pub converting_share: Option<f64>,
    /// The events that open sessions, most sessions first, ties by name.
    pub entry_events: Vec<SessionEdgeEvent>,
    /// The events that close sessions, most sessions first, ties by name.
    pub exit_events: Vec<SessionEdgeEvent>,
}

/// One session as positions in a journey's filtered events.
struct Session {
    first: u32,
    last: u32,
    events: u64,
    converts: bool,
}

/// Splits every journey into sessions and summarises them.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &SessionsOptions) -> Result<SessionsReport, Error> {
    let gap_ms = parse_duration(&options.gap).map_err(|_| {
        Error::Options(format!("The session gap \"{}\" is not a duration. Write a number and a unit, such as 30m or 1h.", options.gap))
    })?;
    let kept = kept_events(log, &options.events)?;

    let mut per_person: Vec<f64> = Vec::new();
    let mut count_rows = vec![0u64; MAX_COUNT_ROW as usize];
    let mut lengths: Vec<f64> = Vec::new();
    let mut sizes: Vec<f64> = Vec::new();
    let mut entries: HashMap<u32, u64> = HashMap::default();
    let mut exits: HashMap<u32, u64> = HashMap::default();
    let (mut converter_sessions, mut converting_sessions) = (0u64, 0u64);
    let mut sessions = Vec::new();
    for person in 0..journeys.people() {
        split(log, journeys.journey(person), gap_ms, &kept, conversion.event, &mut sessions);
        if sessions.is_empty() {
            continue;
        }
        per_person.push(sessions.len() as f64);
        count_rows[(sessions.len() as u64).min(MAX_COUNT_ROW) as usize - 1] += 1;
        for session in &sessions {
            lengths.push((log.time[session.last as usize] - log.time[session.first as usize]) as f64);
            sizes.push(session.events as f64);
            *entries.entry(log.event[session.first as usize]).or_insert(0) += 1;
            *exits.entry(log.event[session.last as usize]).or_insert(0) += 1;
            if conversion.converted(person) {
                converter_sessions += 1;
                converting_sessions += u64::from(session.converts);
            }
        }
    }

    let total = sizes.len() as u64;
    Ok(SessionsReport {
        gap_ms,
        events: options.events.clone(),
        sessions: total,
        people: per_person.len() as u64,
        sessions_per_person: average(&mut per_person),
        sessions_per_person_rows: count_rows
            .iter()
            .enumerate()
            .filter(|&(_, &people)| people > 0)
            .map(|(at, &people)| SessionCountRow { sessions: at as u64 + 1, or_more: at as u64 + 1 == MAX_COUNT_ROW, people })
            .collect(),
        length_ms: average(&mut lengths),
        events_per_session: average(&mut sizes),
        converter_sessions,
        converting_sessions,
        converting_share: (conversion.event.is_some() && converter_sessions > 0).then(|| converting_sessions as f64 / converter_sessions as f64),
        entry_events: top_events(log, entries, total),
        exit_events: top_events(log, exits, total),
    })
}

/// Returns, per event id, whether the event takes part in sessions.
fn kept_events(log: &EventLog, names: &[String]) -> Result<Vec<bool>, Error> {
    if names.is_empty() {
        return Ok(vec![true; log.event_names.len()]);
    }
    let mut kept = vec![false; log.event_names.len()];
    for name in names {
        let id = log.event_names.get(name.trim()).ok_or_else(|| unknown_event(log, name.trim()))?;
        kept[id as usize] = true;
    }
    Ok(kept)
}

/// Fills `sessions` with one journey's sessions, skipping events that do not take part.
fn split(log: &EventLog, journey: &[u32], gap_ms: i64, kept: &[bool], conversion: Option<u32>, sessions: &mut Vec<Session>) {
    sessions.clear();
    for &at in journey {
        let event = log.event[at as usize];
        if !kept[event as usize] {
            continue;
        }
        let converts = Some(event) == conversion;
        match sessions.last_mut() {
            Some(session) if log.time[at as usize] - log.time[session.last as usize] <= gap_ms => {
                session.last = at;
                session.events += 1;
                session.converts |= converts;
            }
            _ => sessions.push(Session { first: at, last: at, events: 1, converts }),
        }
    }
}

fn average(values: &mut [f64]) -> Average {
    let mean = (!values.is_empty()).then(|| stats::sum(values.iter().copied()).0 / values.len() as f64);
    Average { median: stats::median(values), mean }
}

fn top_events(log: &EventLog, counts: HashMap<u32, u64>, sessions: u64) -> Vec<SessionEdgeEvent> {
    let mut ranked: Vec<(u32, u64)> = counts.into_iter().collect();
    sorting::sort_by(&mut ranked, |a, b| b.1.cmp(&a.1).then_with(|| log.event_names.name(a.0).cmp(log.event_names.name(b.0))));
    ranked
        .into_iter()
        .take(TOP_EVENTS)
        .map(|(event, count)| SessionEdgeEvent {
            event: log.event_names.name(event).to_string(),
            sessions: count,
            share: count as f64 / sessions.max(1) as f64,
        })
        .collect()
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

    fn sessions_of(events: &[(&str, i64, &str)], conversion: Option<&str>, options: &SessionsOptions) -> SessionsReport {
        let (log, journeys) = build(events);
        let conversion = Conversion::find(&log, &journeys, conversion).unwrap();
        compute(&log, &journeys, &conversion, options).unwrap()
    }

    #[test]
    fn gap_boundary_is_inclusive() {
        let report = sessions_of(&[("u1", 0, "a"), ("u1", 30, "b"), ("u1", 61, "c")], None, &SessionsOptions::default());
        // 30 minutes exactly stays in the session; 31 minutes starts a new one.
        assert_eq!(report.sessions, 2);
        assert_eq!(report.length_ms.median, Some(15.0 * MINUTE_MS as f64));
        assert_eq!(report.events_per_session.mean, Some(1.5));
    }

    #[test]
    fn entry_exit_and_per_person_rows() {
        let events = [("u1", 0, "home"), ("u1", 5, "cart"), ("u1", 100, "home"), ("u2", 0, "blog")];
        let report = sessions_of(&events, None, &SessionsOptions::default());
        assert_eq!((report.sessions, report.people), (3, 2));
        assert_eq!(report.entry_events[0].event, "home");
        assert_eq!(report.entry_events[0].sessions, 2);
        let exits: Vec<&str> = report.exit_events.iter().map(|row| row.event.as_str()).collect();
        assert_eq!(exits, ["blog", "cart", "home"]);
        let rows: Vec<(u64, u64)> = report.sessions_per_person_rows.iter().map(|row| (row.sessions, row.people)).collect();
        assert_eq!(rows, [(1, 1), (2, 1)]);
        assert_eq!(report.sessions_per_person.mean, Some(1.5));
        assert_eq!(report.converting_share, None);
    }

    #[test]
    fn converting_share_counts_converters_sessions() {
        let events = [("u1", 0, "visit"), ("u1", 100, "visit"), ("u1", 105, "purchase"), ("u2", 0, "visit")];
        let report = sessions_of(&events, Some("purchase"), &SessionsOptions::default());
        assert_eq!(report.converter_sessions, 2);
        assert_eq!(report.converting_sessions, 1);
        assert_eq!(report.converting_share, Some(0.5));
    }

    #[test]
    fn event_filter_ignores_other_events() {
        let events = [("u1", 0, "page_view"), ("u1", 20, "ping_other"), ("u1", 40, "page_view")];
        let options = SessionsOptions { events: vec!["page_view".to_string()], ..SessionsOptions::default() };
        let report = sessions_of(&events, None, &options);
        // Without the 20-minute event the 40-minute gap splits the journey.
        assert_eq!(report.sessions, 2);
        assert_eq!(sessions_of(&events, None, &SessionsOptions::default()).sessions, 1);
    }

    #[test]
    fn invalid_gap_and_unknown_event_are_rejected() {
        let (log, journeys) = build(&[("u1", 0, "a")]);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        let bad_gap = SessionsOptions { gap: "soon".to_string(), ..SessionsOptions::default() };
        let error = compute(&log, &journeys, &conversion, &bad_gap).unwrap_err().to_string();
        assert!(error.contains("session gap \"soon\""), "{error}");
        let unknown = SessionsOptions { events: vec!["nope".to_string()], ..SessionsOptions::default() };
        let error = compute(&log, &journeys, &conversion, &unknown).unwrap_err().to_string();
        assert!(error.contains("\"nope\""), "{error}");
    }
}
