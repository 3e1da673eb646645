//! Exact duplicate events and tied timestamps, found within each person's sorted journey.
//!
//! Two events are duplicates when they belong to the same person and have the same time, event
//! name, channel, value, ordinal and property cells. Only events with equal times can be
//! duplicates, so each run of equal times in a journey is checked on its own: its events are
//! hashed, sorted by hash and compared in full where hashes are equal.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use super::{EventLog, Journeys};

/// Returns the indexes of duplicate events in ascending order. Of each set of duplicates the
/// first in file and row order is kept and the others are returned.
pub fn find(log: &EventLog, journeys: &Journeys) -> Vec<u32> {
    let mut duplicates = Vec::new();
    // (hash, event index) of the current run, reused from run to run.
    let mut run: Vec<(u64, u32)> = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let mut start = 0;
        while start < journey.len() {
            let time = log.time[journey[start] as usize];
            let mut end = start + 1;
            while end < journey.len() && log.time[journey[end] as usize] == time {
                end += 1;
            }
            if end - start > 1 {
                run.clear();
                run.extend(journey[start..end].iter().map(|&event| (hash_event(log, event), event)));
                mark_run(log, &mut run, &mut duplicates);
            }
            start = end;
        }
    }
    duplicates.sort_unstable();
    duplicates
}

/// Counts events that share their time with the previous event of the same person.
pub fn tied_timestamps(log: &EventLog, journeys: &Journeys) -> u64 {
    let mut ties = 0;
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        for pair in journey.windows(2) {
            if log.time[pair[0] as usize] == log.time[pair[1] as usize] {
                ties += 1;
            }
        }
    }
    ties
}

/// Adds to `duplicates` every event of one equal-time run that repeats an earlier event.
fn mark_run(log: &EventLog, run: &mut [(u64, u32)], duplicates: &mut Vec<u32>) {
    // Sorting by (hash, index) puts the first occurrence of each event before its repeats.
    run.sort_unstable();
    for at in 1..run.len() {
        let (hash, event) = run[at];
        let repeats = run[..at]
            .iter()
            .rev()
            .take_while(|(earlier_hash, _)| *earlier_hash == hash)
            .any(|&(_, earlier)| same_event(log, earlier, event));
        if repeats {
            duplicates.push(event);
        }
    }
}

fn hash_event(log: &EventLog, event: u32) -> u64 {
    let at = event as usize;
    let mut hasher = FxHasher::default();
    log.event[at].hash(&mut hasher);
    log.channel[at].hash(&mut hasher);
    log.value[at].to_bits().hash(&mut hasher);
    if let Some(ordinal) = log.ordinal.get(at) {
        ordinal.to_bits().hash(&mut hasher);
    }
    for property in &log.properties {
        property.codes[at].hash(&mut hasher);
    }
    hasher.finish()
}

/// Compares every field of two events except file and row. The caller has checked person and
/// time.
fn same_event(log: &EventLog, a: u32, b: u32) -> bool {
    let (a, b) = (a as usize, b as usize);
    log.event[a] == log.event[b]
        && log.channel[a] == log.channel[b]
        && log.value[a].to_bits() == log.value[b].to_bits()
        && log.ordinal.get(a).map(|ordinal| ordinal.to_bits()) == log.ordinal.get(b).map(|ordinal| ordinal.to_bits())
        && log.properties.iter().all(|property| property.codes[a] == property.codes[b])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    fn push(log: &mut EventLog, person: &str, time: i64, event: &str, value: f64, page: &str) {
        let person = log.identifier(person, IdentityKind::UserId);
        let property = log.property_index("page");
        log.push(NewEvent { person, time, event, channel: None, value, ordinal: None, date_only: false, file: 0, row: log.len() as u32 + 2 }, [(property, page)]);
    }

    #[test]
    fn exact_repeats_are_found() {
        let mut log = EventLog::default();
        push(&mut log, "u1", 10, "view", f64::NAN, "/a");
        push(&mut log, "u1", 10, "view", f64::NAN, "/b");
        push(&mut log, "u1", 10, "view", f64::NAN, "/a");
        push(&mut log, "u1", 20, "view", f64::NAN, "/a");
        push(&mut log, "u2", 10, "view", f64::NAN, "/a");
        push(&mut log, "u1", 10, "view", f64::NAN, "/a");
        let journeys = Journeys::build(&log);
        assert_eq!(find(&log, &journeys), [2, 5]);
    }

    #[test]
    fn value_tells_events_apart() {
        let mut log = EventLog::default();
        push(&mut log, "u1", 10, "purchase", 5.0, "");
        push(&mut log, "u1", 10, "purchase", 7.0, "");
        push(&mut log, "u1", 10, "purchase", f64::NAN, "");
        let journeys = Journeys::build(&log);
        assert!(find(&log, &journeys).is_empty());
        assert_eq!(tied_timestamps(&log, &journeys), 2);
    }

    #[test]
    fn removing_duplicates_keeps_the_first() {
        let mut log = EventLog::default();
        push(&mut log, "u1", 10, "view", f64::NAN, "/a");
        push(&mut log, "u1", 10, "view", f64::NAN, "/a");
        push(&mut log, "u1", 30, "buy", 3.0, "/c");
        let journeys = Journeys::build(&log);
        let duplicates = find(&log, &journeys);
        log.remove_events(&duplicates);
        assert_eq!(log.len(), 2);
        assert_eq!(log.row, [2, 4]);
        assert_eq!(log.properties[0].codes.len(), 2);
        assert_eq!(tied_timestamps(&log, &Journeys::build(&log)), 0);
    }
}
