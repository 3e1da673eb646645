//! Journey features for the conversion propensity model, computed from the events a person had
//! before a given time.
//!
//! The columns, in order:
//! - `log1p` of the number of events, then `log1p` of the count of each of the [`TOP_EVENTS`]
//!   most frequent event names;
//! - the number of distinct channels;
//! - one 0/1 column for each of the [`TOP_CHANNELS`] most frequent first-touch channels (the
//!   channel of the first event that has one);
//! - the number of distinct UTC calendar days with an event, and events per such day;
//! - days from the last event to the reference time (recency), and from the first (tenure);
//! - the number of sessions, where a gap of more than [`SESSION_GAP_MS`] between consecutive
//!   events starts a new one.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{EventLog, NONE};
use crate::sorting;

/// Event names with their own count column.
pub const TOP_EVENTS: usize = 10;
/// First-touch channels with their own 0/1 column.
pub const TOP_CHANNELS: usize = 5;
/// The inactivity that separates sessions in the session count: 30 minutes.
pub const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

const DAY_MS: i64 = 86_400_000;

/// The event names and channels that get columns, chosen from the training data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSpec {
    pub events: Vec<u32>,
    pub channels: Vec<u32>,
}

impl FeatureSpec {
    /// Picks the most frequent event names (leaving out `excluded`, the conversion event) over
    /// all `observed` events, and the most frequent first-touch channels over the people, each
    /// ranked by count and then by name.
    pub fn choose(log: &EventLog, observed: &[&[u32]], excluded: Option<u32>) -> FeatureSpec {
        let mut events: HashMap<u32, u64> = HashMap::default();
        let mut channels: HashMap<u32, u64> = HashMap::default();
        for &journey in observed {
            for &at in journey {
                let event = log.event[at as usize];
                if Some(event) != excluded {
                    *events.entry(event).or_insert(0) += 1;
                }
            }
            if let Some(channel) = first_channel(log, journey) {
                *channels.entry(channel).or_insert(0) += 1;
            }
        }
        FeatureSpec {
            events: most_frequent(events, TOP_EVENTS, |id| log.event_names.name(id)),
            channels: most_frequent(channels, TOP_CHANNELS, |id| log.channels.name(id)),
        }
    }

    /// Returns the column names, in the order of [`FeatureSpec::row`].
    pub fn names(&self, log: &EventLog) -> Vec<String> {
        let mut names = vec!["log_events".to_string()];
        names.extend(self.events.iter().map(|&id| format!("log_count:{}", log.event_names.name(id))));
        names.push("distinct_channels".to_string());
        names.extend(self.channels.iter().map(|&id| format!("first_channel:{}", log.channels.name(id))));
        names.extend(["days_active", "events_per_day", "recency_days", "tenure_days", "sessions"].map(String::from));
        names
    }

    /// Computes the features of one person from `journey`, their events before `as_of` in journey
    /// order (at least one), with recency and tenure measured to `as_of`.
    pub fn row(&self, log: &EventLog, journey: &[u32], as_of: i64) -> Vec<f64> {
        let times: Vec<i64> = journey.iter().map(|&at| log.time[at as usize]).collect();
        let mut row = vec![(journey.len() as f64).ln_1p()];
        for &event in &self.events {
            let count = journey.iter().filter(|&&at| log.event[at as usize] == event).count();
            row.push((count as f64).ln_1p());
        }
        let mut channels: Vec<u32> = journey.iter().map(|&at| log.channel[at as usize]).filter(|&channel| channel != NONE).collect();
        channels.sort_unstable();
        channels.dedup();
        row.push(channels.len() as f64);
        let first = first_channel(log, journey);
        row.extend(self.channels.iter().map(|&channel| f64::from(u8::from(first == Some(channel)))));

        // A journey is in time order, so each new calendar day starts where the day number changes.
        let new_days = times.windows(2).filter(|pair| pair[1].div_euclid(DAY_MS) != pair[0].div_euclid(DAY_MS)).count();
        let days_active = (usize::from(!times.is_empty()) + new_days).max(1) as f64;
        row.push(days_active);
        row.push(journey.len() as f64 / days_active);
        let (first_time, last_time) = (times.first().copied().unwrap_or(as_of), times.last().copied().unwrap_or(as_of));
        row.push((as_of - last_time) as f64 / DAY_MS as f64);
        row.push((as_of - first_time) as f64 / DAY_MS as f64);
        let sessions = 1 + times.windows(2).filter(|pair| pair[1] - pair[0] > SESSION_GAP_MS).count();
        row.push(sessions as f64);
        row
    }
}

/// Returns the channel of the first event in `journey` that has one.
fn first_channel(log: &EventLog, journey: &[u32]) -> Option<u32> {
    journey.iter().map(|&at| log.channel[at as usize]).find(|&channel| channel != NONE)
}

/// Returns up to `top` ids, most counted first, ties by name.
fn most_frequent<'a>(counts: HashMap<u32, u64>, top: usize, name: impl Fn(u32) -> &'a str) -> Vec<u32> {
    let mut ranked: Vec<(u32, u64)> = counts.into_iter().collect();
    sorting::sort_by(&mut ranked, |a, b| b.1.cmp(&a.1).then_with(|| name(a.0).cmp(name(b.0))));
    ranked.into_iter().take(top).map(|(id, _)| id).collect()
}
