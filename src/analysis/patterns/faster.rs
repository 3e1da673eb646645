//! Faster combinations: pairs of a first-touch channel and a piece of content before converting
//! (an event name, or a page when the data has a page column) whose converters convert faster
//! than the other converters.
//!
//! Times to convert and the people left out are those of the conversion curve, censored at the
//! end of the data: converters whose first conversion is their first event are left out. A
//! person is in the pair (c, e) when c is their first-touch channel (as in channel speed) and e is
//! the name or the page of one of their events before converting (every event for
//! non-converters).

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::mann_whitney::RankedSample;
use super::PatternsOptions;
use crate::analysis::drivers::contingency::{benjamini_hochberg_distinct, MemberSet};
use crate::analysis::speed::first_touch;
use crate::analysis::stages::page_column;
use crate::analysis::survival::{person_times, summarise};
use crate::analysis::{stats, Conversion};
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The kind of content in a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// An event name.
    Event,
    /// A value of the page column.
    Page,
}

/// One pair of first-touch channel and content, tested against the other converters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FasterCombination {
    pub channel: String,
    pub kind: ContentKind,
    /// The event name or the page.
    pub label: String,
    /// People in the pair, converters or not.
    pub people: u64,
    pub converters: u64,
    /// The median time to convert of the pair's converters.
    pub median_ms: Option<f64>,
    /// The Kaplan–Meier median of the pair's people; `None` when their curve never reaches 50%.
    pub km_median_ms: Option<i64>,
    /// Mann–Whitney U of the pair's converters' times against the other converters' times.
    pub u: f64,
    /// Two-sided p-value of the normal approximation with tie and continuity corrections.
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value across every tested pair, where pairs with the very
    /// same converters count as one test.
    pub q_value: f64,
    /// q below the false discovery rate and `median_ms` below the median of all converters.
    pub faster: bool,
    /// The pair's converters, so that pairs with the same ones are adjusted as one test.
    #[serde(skip)]
    key: MemberSet,
}

/// The faster-combinations part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FasterReport {
    /// People on the conversion curve.
    pub people: u64,
    /// Converters on the conversion curve.
    pub converters: u64,
    /// The median time to convert of every converter on the curve.
    pub median_ms: Option<f64>,
    /// The Kaplan–Meier median of everyone on the curve.
    pub km_median_ms: Option<i64>,
    /// Pairs with at least `min_people` converters in them and outside them.
    pub tested: u64,
    /// Tested pairs that are faster.
    pub significant: u64,
    /// Faster pairs first, then by p-value, then by median; at most `top`.
    pub combinations: Vec<FasterCombination>,
}

/// The `converter_index` entry of a person who did not convert.
const NOT_CONVERTED: u32 = u32::MAX;

/// Tests every pair with enough converters. Returns `None` when no event has a channel.
pub(super) fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &PatternsOptions) -> Option<FasterReport> {
    if log.channels.is_empty() {
        return None;
    }
    let times = person_times(log, journeys, conversion);
    let observed: Vec<(i64, bool)> = times.iter().flatten().copied().collect();
    // Converter times in person order, and each person's index among them.
    let mut converter_times: Vec<f64> = Vec::new();
    let mut converter_index = vec![NOT_CONVERTED; times.len()];
    let page = page_column(log);
    // The people of each pair, as person indexes of four bytes, because each person is counted
    // in several pairs and the lists together hold many times as many entries as there are people.
    let mut groups: HashMap<(u32, ContentKind, u32), Vec<u32>> = HashMap::default();
    let mut contents: Vec<(ContentKind, u32)> = Vec::new();
    for (person, observation) in times.iter().enumerate() {
        let Some(observation) = *observation else { continue };
        if observation.1 {
            converter_index[person] = converter_times.len() as u32;
            converter_times.push(observation.0 as f64);
        }
        let journey = journeys.journey(person);
        let before = conversion.first[person].map_or(journey, |position| &journey[..position]);
        let Some(channel) = first_touch(log, before) else { continue };
        contents.clear();
        contents.extend(before.iter().map(|&at| (ContentKind::Event, log.event[at as usize])));
        if let Some(column) = page {
            let codes = &log.properties[column].codes;
            contents.extend(before.iter().filter_map(|&at| codes.get(at as usize).copied()).filter(|&code| code != NONE).map(|code| (ContentKind::Page, code)));
        }
        contents.sort_unstable();
        contents.dedup();
        for &(kind, id) in &contents {
            groups.entry((channel, kind, id)).or_default().push(person as u32);
        }
    }

    let ranked = RankedSample::new(&converter_times);
    let median_ms = stats::median(&mut converter_times.clone());
    let total = converter_times.len() as u64;
    let mut rows: Vec<FasterCombination> = groups
        .into_iter()
        .filter_map(|((channel, kind, id), members)| {
            let indexes: Vec<usize> =
                members.iter().map(|&person| converter_index[person as usize]).filter(|&index| index != NOT_CONVERTED).map(|index| index as usize).collect();
            let inside = indexes.len() as u64;
            if inside < options.min_people || total - inside < options.min_people {
                return None;
            }
            let test = ranked.test(&indexes)?;
            let mut key = MemberSet::default();
            indexes.iter().for_each(|&index| key.add(index as u64));
            let mut pair_times: Vec<f64> = indexes.iter().filter_map(|&index| converter_times.get(index).copied()).collect();
            let curve = summarise(&members.iter().filter_map(|&person| times[person as usize]).collect::<Vec<_>>());
            Some(FasterCombination {
                channel: log.channels.name(channel).to_string(),
                kind,
                label: content_label(log, page, kind, id),
                people: members.len() as u64,
                converters: inside,
                median_ms: stats::median(&mut pair_times),
                km_median_ms: curve.median_ms,
                u: test.u,
                p_value: test.p_value,
                q_value: 1.0,
                faster: false,
                key,
            })
        })
        .collect();

    // Where every converter of a channel saw the same pages, all of its pairs contain the same
    // people. Counted apart, they would pass at a looser threshold than one test.
    let keys: Vec<MemberSet> = rows.iter().map(|row| row.key).collect();
    let q_values = benjamini_hochberg_distinct(&rows.iter().map(|row| row.p_value).collect::<Vec<_>>(), &keys);
    for (row, q_value) in rows.iter_mut().zip(q_values) {
        row.q_value = q_value;
        row.faster = q_value < options.false_discovery_rate && matches!((row.median_ms, median_ms), (Some(pair), Some(all)) if pair < all);
    }
    sorting::sort_by(&mut rows, |x, y| {
        y.faster
            .cmp(&x.faster)
            .then_with(|| x.p_value.total_cmp(&y.p_value))
            .then_with(|| x.median_ms.unwrap_or(f64::INFINITY).total_cmp(&y.median_ms.unwrap_or(f64::INFINITY)))
            .then_with(|| (&x.channel, x.kind, &x.label).cmp(&(&y.channel, y.kind, &y.label)))
    });
    let tested = rows.len() as u64;
    let significant = rows.iter().filter(|row| row.faster).count() as u64;
    rows.truncate(options.top);
    let overall = summarise(&observed);
    Some(FasterReport { people: observed.len() as u64, converters: total, median_ms, km_median_ms: overall.median_ms, tested, significant, combinations: rows })
}

fn content_label(log: &EventLog, page: Option<usize>, kind: ContentKind, id: u32) -> String {
    match (kind, page) {
        (ContentKind::Page, Some(column)) => log.properties[column].values.name(id).to_string(),
        _ => log.event_names.name(id).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::patterns::PatternsOptions;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    const HOUR_MS: i64 = 3_600_000;

    /// Builds 12 people from search who view /fast and buy 1 to 12 hours later, and 12 from ads
    /// who view /slow and buy 100 to 111 hours later.
    fn build() -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        let page = log.property_index("page");
        for number in 0..24i64 {
            let person = log.identifier(&format!("p{number}"), IdentityKind::UserId);
            let (channel, path, wait) = if number < 12 { ("search", "/fast", 1 + number) } else { ("ads", "/slow", 88 + number) };
            let visit = NewEvent { person, time: 0, event: "visit", channel: Some(channel), value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 2 };
            log.push(visit, [(page, path)]);
            let buy = NewEvent { person, time: wait * HOUR_MS, event: "buy", channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 3 };
            log.push(buy, []);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    #[test]
    fn page_content_pairs_are_tested() {
        let (log, journeys) = build();
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let report = compute(&log, &journeys, &conversion, &PatternsOptions::default()).unwrap();

        // Each channel has one event and one page, and each group has 12 converters on both sides.
        assert_eq!(report.tested, 4);
        assert_eq!(report.converters, 24);
        let fast = report.combinations.iter().find(|pair| pair.kind == ContentKind::Page && pair.label == "/fast").unwrap();
        assert_eq!((fast.channel.as_str(), fast.converters), ("search", 12));
        assert_eq!(fast.median_ms, Some(6.5 * HOUR_MS as f64));
        // Every fast time is below every slow one, so U is 0.
        assert_eq!(fast.u, 0.0);
        assert!(fast.faster);
        let slow = report.combinations.iter().find(|pair| pair.label == "/slow").unwrap();
        assert!(!slow.faster, "slower than the median is not faster");
    }
}
