//! When people buy: conversion events by hour of day and day of week in the load's time zone.
//!
//! Every conversion event counts, repeats included, so a person who buys twice counts twice.
//! Without a conversion event, or with `all_events`, every event counts instead. Each time is
//! converted from UTC to the zone with its own offset, so events on either side of a daylight
//! saving change keep their local hour. Events read from a date without a time of day have no
//! hour and are left out and counted.

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Conversion;
use crate::model::{EventLog, Journeys};

/// Weekday names, Monday first as in ISO 8601.
pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Options for the hour and weekday counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RhythmOptions {
    /// Count every event even when a conversion event is set.
    pub all_events: bool,
}

/// The events counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RhythmBasis {
    Conversions,
    AllEvents,
}

/// The hour-and-weekday part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RhythmReport {
    pub basis: RhythmBasis,
    /// The conversion event's name when `basis` is `conversions`.
    pub event: Option<String>,
    /// The IANA zone the hours are in.
    pub time_zone: String,
    /// Events counted in the matrix.
    pub events: u64,
    /// Events of the basis left out because they carry a date only.
    pub date_only: u64,
    /// `counts[weekday][hour]`, Monday first, hours 0 to 23.
    pub counts: Vec<Vec<u64>>,
    pub by_hour: Vec<u64>,
    pub by_weekday: Vec<u64>,
    /// `by_hour` and `by_weekday` divided by `events`; 0 when nothing was counted.
    pub hour_shares: Vec<f64>,
    pub weekday_shares: Vec<f64>,
    /// The cell with the most events; ties go to the earlier weekday, then the earlier hour.
    /// `None` when nothing was counted.
    pub peak_weekday: Option<u8>,
    pub peak_hour: Option<u8>,
}

/// Counts the events of the basis by local weekday and hour.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &RhythmOptions, zone: Tz, zone_name: &str) -> RhythmReport {
    let target = conversion.event.filter(|_| !options.all_events);
    let mut counts = vec![vec![0u64; 24]; 7];
    let mut date_only = 0;
    for person in 0..journeys.people() {
        for &at in journeys.journey(person) {
            let at = at as usize;
            if target.is_some_and(|event| log.event[at] != event) {
                continue;
            }
            if log.date_only[at] {
                date_only += 1;
                continue;
            }
            let Some(utc) = DateTime::from_timestamp_millis(log.time[at]) else { continue };
            let local = utc.with_timezone(&zone);
            counts[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
        }
    }

    let by_hour: Vec<u64> = (0..24).map(|hour| counts.iter().map(|row| row[hour]).sum()).collect();
    let by_weekday: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let events: u64 = by_weekday.iter().sum();
    let share = |count: &u64| if events == 0 { 0.0 } else { *count as f64 / events as f64 };
    let peak = peak_cell(&counts);
    RhythmReport {
        basis: if target.is_some() { RhythmBasis::Conversions } else { RhythmBasis::AllEvents },
        event: target.map(|event| log.event_names.name(event).to_string()),
        time_zone: zone_name.to_string(),
        events,
        date_only,
        hour_shares: by_hour.iter().map(share).collect(),
        weekday_shares: by_weekday.iter().map(share).collect(),
        by_hour,
        by_weekday,
        peak_weekday: peak.map(|(weekday, _)| weekday),
        peak_hour: peak.map(|(_, hour)| hour),
        counts,
    }
}

/// Returns the (weekday, hour) of the largest count, the first in reading order on ties.
fn peak_cell(counts: &[Vec<u64>]) -> Option<(u8, u8)> {
    let mut best: Option<(u64, u8, u8)> = None;
    for (weekday, row) in counts.iter().enumerate() {
        for (hour, &count) in row.iter().enumerate() {
            if count > 0 && best.is_none_or(|(most, _, _)| count > most) {
                best = Some((count, weekday as u8, hour as u8));
            }
        }
    }
    best.map(|(_, weekday, hour)| (weekday, hour))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from (person, RFC 3339 time, event, date only) rows.
    fn build(events: &[(&str, &str, &str, bool)]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (row, &(person, time, event, date_only)) in events.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let time = DateTime::parse_from_rfc3339(time).unwrap().timestamp_millis();
            log.push(NewEvent { person, time, event, channel: None, value: f64::NAN, ordinal: None, date_only, file: 0, row: row as u32 + 2 }, []);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    #[test]
    fn local_hour_follows_daylight_saving() {
        // Berlin is UTC+1 until 2024-03-31 01:00 UTC and UTC+2 after it. Both purchases are at
        // 09:30 UTC: 10:30 local on Saturday 30 March and 11:30 local on Sunday 31 March.
        let events = [
            ("u1", "2024-03-30T09:30:00Z", "purchase", false),
            ("u1", "2024-03-31T09:30:00Z", "purchase", false),
            ("u1", "2024-03-31T10:00:00Z", "visit", false),
            ("u2", "2024-04-01T00:00:00Z", "purchase", true),
        ];
        let (log, journeys) = build(&events);
        let conversion = Conversion::find(&log, &journeys, Some("purchase")).unwrap();
        let report = compute(&log, &journeys, &conversion, &RhythmOptions::default(), chrono_tz::Europe::Berlin, "Europe/Berlin");
        assert_eq!(report.basis, RhythmBasis::Conversions);
        assert_eq!((report.events, report.date_only), (2, 1));
        assert_eq!(report.counts[5][10], 1, "Saturday 10:00");
        assert_eq!(report.counts[6][11], 1, "Sunday 11:00");
        assert_eq!(report.by_weekday, [0, 0, 0, 0, 0, 1, 1]);
        assert_eq!(report.hour_shares[10], 0.5);
        assert_eq!((report.peak_weekday, report.peak_hour), (Some(5), Some(10)));

        let every = compute(&log, &journeys, &conversion, &RhythmOptions { all_events: true }, chrono_tz::UTC, "UTC");
        assert_eq!(every.basis, RhythmBasis::AllEvents);
        assert_eq!(every.event, None);
        assert_eq!(every.events, 3);
        assert_eq!(every.counts[6][10], 1, "the visit at 10:00 UTC on Sunday");
    }

    #[test]
    fn empty_matrix_has_no_peak() {
        let (log, journeys) = build(&[("u1", "2024-01-01T00:00:00Z", "visit", true)]);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        let report = compute(&log, &journeys, &conversion, &RhythmOptions::default(), chrono_tz::UTC, "UTC");
        assert_eq!(report.events, 0);
        assert_eq!(report.peak_hour, None);
        assert!(report.hour_shares.iter().all(|&share| share == 0.0));
    }
}
