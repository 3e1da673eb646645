//! Channel speed: the time to convert of the people each first-touch channel brought.
//!
//! A person's first-touch channel is the channel of their first event that has one, among the
//! events before their first conversion event (every event for people who have not converted).
//! With `by: "any_touch"` a person belongs instead to every channel among those events, so the
//! groups overlap. Each channel's people get their own conversion curve, the Kaplan–Meier estimate of
//! [`super::survival`] censored at the end of the data, so people who have not converted yet
//! count as observed until then. Converters whose first conversion is their first event are left
//! out, as on the conversion curve.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

use super::speed::first_touch;
use super::survival::{person_times, summarise};
use super::{stats, Conversion};
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The maximum number of channels listed. Beyond it the channels with the fewest people share one
/// "Other" group, so that a log with a channel per person does not list every person's channel.
pub const MAX_LISTED_CHANNELS: usize = 200;
/// The id of the "Other" group; no interned channel has it, because ids count up from 0.
const OTHER_CHANNEL: u32 = NONE - 1;
const OTHER_NAME: &str = "Other";

/// The channels a person is grouped under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelGrouping {
    /// The first channel before conversion, so each person is in one group (the default).
    #[default]
    FirstTouch,
    /// Every channel before conversion, so a person can be in several groups.
    AnyTouch,
}

/// Options for channel speed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelSpeedOptions {
    pub by: ChannelGrouping,
}

/// One first-touch channel's time to convert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSpeed {
    pub channel: String,
    /// People grouped under this channel.
    pub people: u64,
    pub converters: u64,
    /// The Kaplan–Meier median: the first conversion time at which the channel's cumulative
    /// conversion reaches 50%; `None` when it never does.
    pub median_ms: Option<i64>,
    /// The channel's cumulative conversion at its last conversion time.
    pub final_cumulative: f64,
    /// The median time to convert of the converters alone; `None` without converters.
    pub converters_median_ms: Option<f64>,
}

/// The channel-speed part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSpeedReport {
    pub by: ChannelGrouping,
    /// People with a channel before conversion, each counted once.
    pub people: u64,
    /// People on the curve without a channel on any event before conversion.
    pub without_channel: u64,
    /// Converters left out because their first conversion is their first event.
    pub excluded: u64,
    /// Channels by Kaplan–Meier median, fastest first and `None` last, then by the converters'
    /// median, then by name.
    pub channels: Vec<ChannelSpeed>,
    /// Channels whose people are grouped as "Other", because there were more than
    /// [`MAX_LISTED_CHANNELS`]; 0 when every channel has its own row.
    pub merged_channels: u64,
}

/// Groups people by channel and estimates each group's time to convert. Returns `None` when no
/// event has a channel.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &ChannelSpeedOptions) -> Option<ChannelSpeedReport> {
    if log.channels.is_empty() {
        return None;
    }
    let times = person_times(log, journeys, conversion);
    let mut grouped = group_people(log, journeys, conversion, options.by, &times, None);
    let mut merged_channels = 0;
    if grouped.groups.len() > MAX_LISTED_CHANNELS {
        // Group again with the rarest channels as one, so that a person in several of them
        // counts once in "Other".
        let mut sizes: Vec<(u32, usize)> = grouped.groups.iter().map(|(&channel, group)| (channel, group.len())).collect();
        sorting::sort_by(&mut sizes, |a, b| b.1.cmp(&a.1).then_with(|| log.channels.name(a.0).cmp(log.channels.name(b.0))));
        let listed: HashSet<u32> = sizes.iter().take(MAX_LISTED_CHANNELS - 1).map(|&(channel, _)| channel).collect();
        merged_channels = (sizes.len() - listed.len()) as u64;
        grouped = group_people(log, journeys, conversion, options.by, &times, Some(&listed));
    }
    let Grouped { groups, people, without_channel, excluded } = grouped;

    let name = |channel: u32| if channel == OTHER_CHANNEL { OTHER_NAME } else { log.channels.name(channel) };
    let mut channels: Vec<ChannelSpeed> = groups.into_iter().map(|(channel, group)| describe(name(channel), &group)).collect();
    sorting::sort_by(&mut channels, |a, b| {
        let km = (a.median_ms.is_none(), a.median_ms).cmp(&(b.median_ms.is_none(), b.median_ms));
        let converters = (a.converters_median_ms.is_none(), a.converters_median_ms.unwrap_or(0.0))
            .partial_cmp(&(b.converters_median_ms.is_none(), b.converters_median_ms.unwrap_or(0.0)))
            .unwrap_or(std::cmp::Ordering::Equal);
        km.then(converters).then_with(|| a.channel.cmp(&b.channel))
    });
    Some(ChannelSpeedReport { by: options.by, people, without_channel, excluded, channels, merged_channels })
}

/// Returns the warning text for a channel speed table that grouped `merged` channels as "Other".
pub fn merged_channels_message(merged: u64) -> String {
    format!(
        "Channel speed lists at most {MAX_LISTED_CHANNELS} channels, so the people of the {merged} channels with the fewest people are grouped as \"{OTHER_NAME}\". Group channels into fewer, broader ones to see each."
    )
}

/// People's observations grouped by channel, with the counts of people outside every group.
struct Grouped {
    groups: HashMap<u32, Vec<(i64, bool)>>,
    people: u64,
    without_channel: u64,
    excluded: u64,
}

/// Groups each person's observation under the channels that `by` gives them. With `listed`, a
/// channel outside it counts as [`OTHER_CHANNEL`], once per person.
fn group_people(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    by: ChannelGrouping,
    times: &[Option<(i64, bool)>],
    listed: Option<&HashSet<u32>>,
) -> Grouped {
    let mut grouped = Grouped { groups: HashMap::default(), people: 0, without_channel: 0, excluded: 0 };
    let mut touched = Vec::new();
    for (person, &observation) in times.iter().enumerate() {
        let journey = journeys.journey(person);
        let Some(observation) = observation else {
            grouped.excluded += u64::from(conversion.converted(person));
            continue;
        };
        let before = conversion.first[person].map_or(journey, |position| &journey[..position]);
        touched.clear();
        match by {
            ChannelGrouping::FirstTouch => touched.extend(first_touch(log, before)),
            ChannelGrouping::AnyTouch => touched.extend(before.iter().map(|&at| log.channel[at as usize]).filter(|&channel| channel != NONE)),
        }
        if let Some(listed) = listed {
            for channel in touched.iter_mut() {
                if !listed.contains(channel) {
                    *channel = OTHER_CHANNEL;
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        if touched.is_empty() {
            grouped.without_channel += 1;
            continue;
        }
        grouped.people += 1;
        for &channel in &touched {
            grouped.groups.entry(channel).or_default().push(observation);
        }
    }
    grouped
}

fn describe(channel: &str, group: &[(i64, bool)]) -> ChannelSpeed {
    let curve = summarise(group);
    let mut converter_times: Vec<f64> = group.iter().filter(|(_, converted)| *converted).map(|&(time, _)| time as f64).collect();
    ChannelSpeed {
        channel: channel.to_string(),
        people: group.len() as u64,
        converters: converter_times.len() as u64,
        median_ms: curve.median_ms,
        final_cumulative: curve.final_cumulative,
        converters_median_ms: stats::median(&mut converter_times),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::speed::tests::build;

    const HOUR_MS: i64 = 3_600_000;

    #[test]
    fn channels_sorted_by_kaplan_meier_median() {
        // The data ends at hour 20.
        // email: a buys at 2 h, b at 4 h, c censored at 20 h (first event at 0).
        //   KM: at 2 h, 3 at risk, S = 2/3; at 4 h, 2 at risk, S = 1/3. The median is 4 h.
        // search: d buys at 1 h; e and f are censored at 20 − 10 = 10 h.
        //   KM: at 1 h, S = 2/3 and never lower, so no median. Converters' median 1 h.
        // g buys on its first event and is left out; h has no channel before buying.
        let events = [
            ("a", 0, "visit", "email"), ("a", 2, "buy", ""),
            ("b", 0, "visit", "email"), ("b", 4, "buy", ""),
            ("c", 0, "visit", "email"),
            ("d", 0, "visit", "search"), ("d", 1, "buy", ""),
            ("e", 10, "visit", "search"), ("f", 10, "visit", "search"),
            ("g", 5, "buy", "email"),
            ("h", 0, "visit", ""), ("h", 3, "buy", "social"),
            ("z", 20, "visit", ""),
        ];
        let (log, journeys) = build(&events);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let report = compute(&log, &journeys, &conversion, &ChannelSpeedOptions::default()).unwrap();
        assert_eq!((report.people, report.without_channel, report.excluded), (6, 2, 1));
        let names: Vec<&str> = report.channels.iter().map(|row| row.channel.as_str()).collect();
        assert_eq!(names, ["email", "search"]);

        let email = &report.channels[0];
        assert_eq!((email.people, email.converters), (3, 2));
        assert_eq!(email.median_ms, Some(4 * HOUR_MS));
        assert!((email.final_cumulative - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(email.converters_median_ms, Some(3.0 * HOUR_MS as f64));

        let search = &report.channels[1];
        assert_eq!(search.median_ms, None);
        assert!((search.final_cumulative - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(search.converters_median_ms, Some(HOUR_MS as f64));
    }

    #[test]
    fn no_channels_gives_none() {
        let (log, journeys) = build(&[("a", 0, "visit", ""), ("a", 1, "buy", "")]);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        assert_eq!(compute(&log, &journeys, &conversion, &ChannelSpeedOptions::default()), None);
    }

    #[test]
    fn any_touch_puts_people_in_every_channel() {
        // a touches email then search before buying at 2 h. b touches search and buys at 6 h. c
        // touches email and never buys, so c is censored at the data end, 6 h after their start.
        // email: a at 2 h and c censored at 6 h, so S = 1/2 at 2 h and the median is 2 h.
        // search: a at 2 h and b at 6 h, so the median is 2 h and everyone converted.
        let events = [
            ("a", 0, "visit", "email"), ("a", 1, "visit", "search"), ("a", 2, "buy", "social"),
            ("b", 0, "visit", "search"), ("b", 6, "buy", ""),
            ("c", 0, "visit", "email"),
        ];
        let (log, journeys) = build(&events);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let options = ChannelSpeedOptions { by: ChannelGrouping::AnyTouch };
        let report = compute(&log, &journeys, &conversion, &options).unwrap();
        assert_eq!(report.people, 3, "each person counted once");
        let rows: Vec<(&str, u64, u64, Option<i64>)> =
            report.channels.iter().map(|row| (row.channel.as_str(), row.people, row.converters, row.median_ms)).collect();
        // Equal Kaplan-Meier medians, so the converters' medians decide: email 2 h, search 4 h.
        assert_eq!(rows, [("email", 2, 1, Some(2 * HOUR_MS)), ("search", 2, 2, Some(2 * HOUR_MS))]);
        assert_eq!(report.channels[1].final_cumulative, 1.0);

        let first = compute(&log, &journeys, &conversion, &ChannelSpeedOptions::default()).unwrap();
        let names: Vec<&str> = first.channels.iter().map(|row| row.channel.as_str()).collect();
        assert_eq!(names, ["email", "search"], "social only comes with the purchase");
        assert_eq!(first.channels[1].people, 1);
    }
}
