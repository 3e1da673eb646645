//! Speed segments: converters split into fast, medium and slow movers by their time to convert,
//! with what each segment did before converting.
//!
//! Time to convert runs from a converter's first event to their first conversion event, as in
//! [`super::timing`], and converters whose first conversion is their first event are left out. A
//! converter's journey before conversion is their events before the first conversion event.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::parse_duration;
use super::paths::{journey_path, rank_paths, PathCount, MAX_TOP};
use super::{stats, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// Segment names, fastest first.
pub const SEGMENTS: [&str; 3] = ["fast", "medium", "slow"];

/// Options for speed segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeedOptions {
    /// Two durations such as `1d` and `7d` that end the fast and the medium segment; empty for
    /// terciles.
    pub cuts: Vec<String>,
    /// How many of the most frequent paths to list per segment.
    pub top: usize,
}

impl Default for SpeedOptions {
    fn default() -> SpeedOptions {
        SpeedOptions { cuts: Vec::new(), top: 5 }
    }
}

/// The rule that sets the segment boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CutRule {
    Terciles,
    Durations,
}

/// A first-touch channel and its people in a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelShare {
    pub channel: String,
    pub people: u64,
    /// Share of the segment's people, those without a channel included.
    pub share: f64,
}

/// One speed segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedSegment {
    pub name: String,
    /// Times to convert above `from_ms` (`None`: from 0) and up to `to_ms` (`None`: no limit).
    pub from_ms: Option<f64>,
    pub to_ms: Option<f64>,
    pub people: u64,
    pub median_ms: Option<f64>,
    /// Mean number of events before the first conversion event.
    pub mean_events: Option<f64>,
    /// Mean number of distinct channels among those events.
    pub mean_channels: Option<f64>,
    /// Distinct event sequences before conversion, repeats collapsed.
    pub distinct_paths: u64,
    pub top_paths: Vec<PathCount>,
    /// First-touch channels, most people first; ties by name.
    pub first_touch: Vec<ChannelShare>,
    /// People with no channel on any event before conversion.
    pub without_channel: u64,
}

/// The speed part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedReport {
    pub cut_rule: CutRule,
    /// The upper bounds of the fast and the medium segment; `None` without measured converters.
    pub fast_max_ms: Option<f64>,
    pub medium_max_ms: Option<f64>,
    /// Converters measured.
    pub converters: u64,
    /// Converters left out because their first conversion is their first event.
    pub excluded: u64,
    pub segments: Vec<SpeedSegment>,
}

/// One measured converter.
struct Mover<'a> {
    time_ms: i64,
    /// Journey positions before the first conversion event.
    before: &'a [u32],
}

/// Splits converters into speed segments and describes each.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &SpeedOptions) -> Result<SpeedReport, Error> {
    if options.top == 0 || options.top > MAX_TOP {
        return Err(Error::Options(format!("The number of top paths per speed segment must be between 1 and {MAX_TOP}, not {}.", options.top)));
    }
    let cuts = parse_cuts(&options.cuts)?;
    let mut movers = Vec::new();
    let mut excluded = 0;
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        match conversion.first[person] {
            Some(0) => excluded += 1,
            Some(position) => movers.push(Mover {
                time_ms: log.time[journey[position] as usize] - log.time[journey[0] as usize],
                before: &journey[..position],
            }),
            None => {}
        }
    }
    movers.sort_by_key(|mover| mover.time_ms);
    let times: Vec<i64> = movers.iter().map(|mover| mover.time_ms).collect();
    let bounds = match cuts {
        Some([fast, medium]) => Some([fast as f64, medium as f64]),
        None => tercile_cuts(&times),
    };

    let segments = SEGMENTS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let from = index.checked_sub(1).and_then(|below| bounds.map(|bounds| bounds[below]));
            let to = bounds.and_then(|bounds| bounds.get(index).copied());
            let members: Vec<&Mover> = movers
                .iter()
                .filter(|mover| from.is_none_or(|from| mover.time_ms as f64 > from) && to.is_none_or(|to| mover.time_ms as f64 <= to))
                .collect();
            describe(log, name, from, to, &members, options.top)
        })
        .collect();
    Ok(SpeedReport {
        cut_rule: if cuts.is_some() { CutRule::Durations } else { CutRule::Terciles },
        fast_max_ms: bounds.map(|bounds| bounds[0]),
        medium_max_ms: bounds.map(|bounds| bounds[1]),
        converters: movers.len() as u64,
        excluded,
        segments,
    })
}

/// Parses the two cut-off durations, or returns `None` for terciles.
fn parse_cuts(cuts: &[String]) -> Result<Option<[i64; 2]>, Error> {
    if cuts.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        Error::Options(format!(
            "The speed cuts \"{}\" must be two increasing durations, such as 1d,7d, or none for terciles.",
            cuts.join(",")
        ))
    };
    let [fast, medium] = cuts else { return Err(invalid()) };
    let fast = parse_duration(fast).map_err(|_| invalid())?;
    let medium = parse_duration(medium).map_err(|_| invalid())?;
    if fast >= medium {
        return Err(invalid());
    }
    Ok(Some([fast, medium]))
}

/// Returns the 1/3 and 2/3 quantiles of sorted times, interpolating linearly between the two
/// nearest ranks at rank (n − 1) k / 3, with the rank computed in whole numbers so that it is
/// exact.
fn tercile_cuts(sorted: &[i64]) -> Option<[f64; 2]> {
    let last = sorted.len().checked_sub(1)?;
    let cut = |k: usize| {
        let lower = last * k / 3;
        let fraction = (last * k % 3) as f64 / 3.0;
        let low = sorted[lower] as f64;
        let high = sorted[(lower + 1).min(last)] as f64;
        low + (high - low) * fraction
    };
    Some([cut(1), cut(2)])
}

/// Describes one segment's members.
fn describe(log: &EventLog, name: &str, from_ms: Option<f64>, to_ms: Option<f64>, members: &[&Mover], top: usize) -> SpeedSegment {
    let people = members.len() as u64;
    let mut times: Vec<f64> = members.iter().map(|mover| mover.time_ms as f64).collect();
    let mean = |values: &mut dyn Iterator<Item = f64>| (people > 0).then(|| stats::sum(values).0 / people as f64);

    let mut channels_seen = Vec::new();
    let mean_channels = mean(&mut members.iter().map(|mover| {
        channels_seen.clear();
        channels_seen.extend(mover.before.iter().map(|&at| log.channel[at as usize]).filter(|&channel| channel != NONE));
        channels_seen.sort_unstable();
        channels_seen.dedup();
        channels_seen.len() as f64
    }));

    let mut path_counts: HashMap<Vec<u32>, u64> = HashMap::default();
    let mut path = Vec::new();
    let mut first_touches: HashMap<u32, u64> = HashMap::default();
    for mover in members {
        journey_path(log, mover.before, true, &mut path);
        *path_counts.entry(path.clone()).or_insert(0) += 1;
        if let Some(channel) = first_touch(log, mover.before) {
            *first_touches.entry(channel).or_insert(0) += 1;
        }
    }
    let with_channel: u64 = first_touches.values().sum();
    let borrowed: HashMap<&[u32], u64> = path_counts.iter().map(|(path, &count)| (path.as_slice(), count)).collect();

    SpeedSegment {
        name: name.to_string(),
        from_ms,
        to_ms,
        people,
        median_ms: stats::median(&mut times),
        mean_events: mean(&mut members.iter().map(|mover| mover.before.len() as f64)),
        mean_channels,
        distinct_paths: path_counts.len() as u64,
        top_paths: rank_paths(borrowed, people, top, |event| log.event_names.name(event)),
        first_touch: channel_shares(log, first_touches, people),
        without_channel: people - with_channel,
    }
}

/// Returns the channel of the first of `events` that has one.
pub(crate) fn first_touch(log: &EventLog, events: &[u32]) -> Option<u32> {
    events.iter().map(|&at| log.channel[at as usize]).find(|&channel| channel != NONE)
}

fn channel_shares(log: &EventLog, counts: HashMap<u32, u64>, people: u64) -> Vec<ChannelShare> {
    let mut rows: Vec<ChannelShare> = counts
        .into_iter()
        .map(|(channel, count)| ChannelShare { channel: log.channels.name(channel).to_string(), people: count, share: count as f64 / people.max(1) as f64 })
        .collect();
    sorting::sort_by(&mut rows, |a, b| b.people.cmp(&a.people).then_with(|| a.channel.cmp(&b.channel)));
    rows
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    const HOUR_MS: i64 = 3_600_000;

    /// Builds a log from (person, hour, event, channel) rows. An empty channel means the event has no channel.
    pub(crate) fn build(events: &[(&str, i64, &str, &str)]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        for (row, &(person, hour, event, channel)) in events.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let channel = (!channel.is_empty()).then_some(channel);
            log.push(NewEvent { person, time: hour * HOUR_MS, event, channel, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 }, []);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn speed_of(events: &[(&str, i64, &str, &str)], options: &SpeedOptions) -> Result<SpeedReport, Error> {
        let (log, journeys) = build(events);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        compute(&log, &journeys, &conversion, options)
    }

    /// Four converters taking 1, 2, 2 and 10 hours, one left out and one who never buys.
    const EVENTS: [(&str, i64, &str, &str); 14] = [
        ("a", 0, "visit", "email"), ("a", 1, "buy", "email"),
        ("b", 0, "visit", ""), ("b", 1, "visit", "search"), ("b", 2, "buy", ""),
        ("c", 0, "visit", "search"), ("c", 1, "pricing", "email"), ("c", 2, "buy", ""),
        ("d", 0, "visit", "social"), ("d", 5, "visit", "social"), ("d", 10, "buy", ""),
        ("e", 0, "buy", ""), ("e", 1, "visit", ""),
        ("f", 0, "visit", ""),
    ];

    #[test]
    fn terciles_keep_ties_together() {
        let report = speed_of(&EVENTS, &SpeedOptions::default()).unwrap();
        // Times 1, 2, 2, 10 hours: rank (4 − 1) / 3 = 1 gives 2 h, rank 2 gives 2 h. So fast holds
        // times up to 2 h (a, b, c), medium the times above 2 h and up to 2 h (no converter), slow d.
        assert_eq!((report.converters, report.excluded), (4, 1));
        assert_eq!(report.fast_max_ms, Some(2.0 * HOUR_MS as f64));
        assert_eq!(report.medium_max_ms, Some(2.0 * HOUR_MS as f64));
        let people: Vec<u64> = report.segments.iter().map(|segment| segment.people).collect();
        assert_eq!(people, [3, 0, 1]);

        let fast = &report.segments[0];
        assert_eq!(fast.median_ms, Some(2.0 * HOUR_MS as f64));
        // Events before buying: a 1, b 2, c 2; channels: a {email}, b {search}, c {search, email}.
        assert_eq!(fast.mean_events, Some(5.0 / 3.0));
        assert_eq!(fast.mean_channels, Some(4.0 / 3.0));
        // Paths: a [visit], b [visit] (repeat collapsed), c [visit, pricing].
        assert_eq!(fast.distinct_paths, 2);
        assert_eq!(fast.top_paths[0].steps, ["visit"]);
        assert_eq!(fast.top_paths[0].people, 2);
        // First touch: a email, b search (its first event has none), c search.
        let touches: Vec<(&str, u64)> = fast.first_touch.iter().map(|row| (row.channel.as_str(), row.people)).collect();
        assert_eq!(touches, [("search", 2), ("email", 1)]);
        assert_eq!(fast.without_channel, 0);

        assert_eq!(report.segments[1].median_ms, None);
        assert_eq!(report.segments[2].mean_events, Some(2.0));
        assert_eq!(report.segments[2].mean_channels, Some(1.0));
    }

    #[test]
    fn duration_cuts_bound_segments() {
        let options = SpeedOptions { cuts: vec!["1h".into(), "3h".into()], ..SpeedOptions::default() };
        let report = speed_of(&EVENTS, &options).unwrap();
        assert_eq!(report.cut_rule, CutRule::Durations);
        let people: Vec<u64> = report.segments.iter().map(|segment| segment.people).collect();
        // 1 h is fast (up to and including the cut), 2 h and 2 h medium, 10 h slow.
        assert_eq!(people, [1, 2, 1]);
        assert_eq!(report.segments[1].from_ms, Some(HOUR_MS as f64));
        assert_eq!(report.segments[2].to_ms, None);
    }

    #[test]
    fn invalid_cuts_are_rejected() {
        for cuts in [vec!["7d".to_string(), "1d".to_string()], vec!["1d".to_string()], vec!["soon".to_string(), "1d".to_string()]] {
            let error = speed_of(&EVENTS, &SpeedOptions { cuts, ..SpeedOptions::default() }).unwrap_err().to_string();
            assert!(error.contains("speed cuts"), "{error}");
        }
    }

    #[test]
    fn tercile_rank_is_exact() {
        // With 7 times, rank 6 / 3 = 2 and 12 / 3 = 4 fall on values exactly.
        assert_eq!(tercile_cuts(&[1, 2, 3, 4, 5, 6, 7]), Some([3.0, 5.0]));
        // With 5 times, rank 4 / 3 is 1 + 1/3.
        assert_eq!(tercile_cuts(&[0, 3, 6, 9, 12]), Some([4.0, 8.0]));
        assert_eq!(tercile_cuts(&[]), None);
    }
}
