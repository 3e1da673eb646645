//! Hypotheses for a friction finding, each from evidence the engine computed: among the people who
//! reached the place, those who had a touchpoint before it stopped more or less often than those
//! who did not.
//!
//! A touchpoint is an event name, a page (the value of the page column) or a channel, anywhere
//! in the journey up to and including the person's event at the place. Each touchpoint had or
//! lacked by at least [`MIN_GROUP`] people is tested with Fisher's exact test or the chi-square
//! test, as the drivers are, and the p-values of all the listed findings together get the
//! Benjamini–Hochberg adjustment in [`keep_significant`]. Only touchpoints with a q-value below
//! [`MAX_Q`] become hypotheses, so a finding without such evidence has none.

use serde::Serialize;

use super::drivers::contingency::{benjamini_hochberg_distinct, MemberSet, Table};
use super::drivers::test_table;
use super::friction::Reach;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The minimum number of people on each side of a touchpoint (had it, lacked it) for a test.
pub const MIN_GROUP: u64 = 10;
/// The largest q-value a hypothesis may have.
pub const MAX_Q: f64 = 0.05;
/// Hypotheses kept per finding, by the size of the difference.
pub const TOP: usize = 3;

/// The kind of touchpoint behind a hypothesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchpointKind {
    Event,
    Page,
    Channel,
}

/// A hypothesis with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hypothesis {
    /// The hypothesis in words, written from the numbers.
    pub sentence: String,
    pub kind: TouchpointKind,
    pub touchpoint: String,
    /// People at the place who had the touchpoint before it, and the share of them who stopped.
    pub with_people: u64,
    pub with_stop_rate: f64,
    /// People at the place without it, and the share of them who stopped.
    pub without_people: u64,
    pub without_stop_rate: f64,
    pub p_value: f64,
    pub q_value: f64,
    /// The people at the place with their outcome, and those of them with the touchpoint: equal
    /// keys mark the same test, which the adjustment counts once.
    #[serde(skip)]
    pub(crate) key: MemberSet,
}

/// The people at a place who had one touchpoint.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    /// People who stopped at the place.
    stopped: u64,
    /// People who went on.
    went_on: u64,
    members: MemberSet,
    /// One more than the index of the last reach counted, or 0 before the first.
    stamp: u32,
}

impl Tally {
    /// Counts the person of `reach`, the reach with this `stamp`.
    fn count(&mut self, stamp: u32, reach: &Reach) {
        self.stamp = stamp;
        self.members.add(u64::from(reach.person));
        if reach.stopped {
            self.stopped += 1;
        } else {
            self.went_on += 1;
        }
    }
}

/// Returns every testable touchpoint for the place that `reaches` describe, whose label is
/// `place`, with its p-value and a q-value still to be set by [`keep_significant`].
pub(crate) fn for_place(log: &EventLog, journeys: &Journeys, reaches: &[Reach], place: &str, page_column: Option<usize>) -> Vec<Hypothesis> {
    let stopped_total = reaches.iter().filter(|reach| reach.stopped).count() as u64;
    let went_on_total = reaches.len() as u64 - stopped_total;
    if stopped_total == 0 || went_on_total == 0 {
        return Vec::new();
    }
    // One tally per touchpoint, indexed by id in a table per kind, in the order of TouchpointKind.
    let page_values = page_column.and_then(|column| log.properties.get(column)).map_or(0, |property| property.values.len());
    let mut tallies: [Vec<Tally>; 3] = [
        vec![Tally::default(); log.event_names.len()],
        vec![Tally::default(); page_values],
        vec![Tally::default(); log.channels.len()],
    ];
    let mut population = MemberSet::default();
    for (index, reach) in reaches.iter().enumerate() {
        population.add(u64::from(reach.person) << 1 | u64::from(reach.stopped));
        // The stamp makes each person count a touchpoint once, however often they had it.
        let stamp = index as u32 + 1;
        let journey = journeys.journey(reach.person as usize);
        // The event at the place counts too, so a person who stopped and one who went on are
        // read up to the same point.
        for &at in journey.iter().take(reach.position as usize + 1) {
            let at = at as usize;
            let page = page_column.map_or(NONE, |column| log.properties[column].codes[at]);
            for (table, id) in [(0, log.event[at]), (1, page), (2, log.channel[at])] {
                if let Some(tally) = tallies[table].get_mut(id as usize).filter(|tally| tally.stamp != stamp) {
                    tally.count(stamp, reach);
                }
            }
        }
    }
    let kinds = [TouchpointKind::Event, TouchpointKind::Page, TouchpointKind::Channel];
    let tested: Vec<((TouchpointKind, u32), Table, f64, MemberSet)> = kinds
        .into_iter()
        .zip(&tallies)
        .flat_map(|(kind, table)| table.iter().enumerate().map(move |(id, tally)| ((kind, id as u32), tally)))
        .filter(|(_, tally)| tally.stamp != 0)
        .filter_map(|(touchpoint, tally)| {
            let table = Table { a: tally.stopped, b: stopped_total - tally.stopped, c: tally.went_on, d: went_on_total - tally.went_on };
            (table.a + table.c >= MIN_GROUP && table.b + table.d >= MIN_GROUP).then(|| (touchpoint, table, test_table(&table).1, tally.members.with(population)))
        })
        .collect();
    tested
        .iter()
        .map(|&((kind, id), table, p_value, key)| {
            let touchpoint = name(log, kind, id, page_column);
            let with_people = table.a + table.c;
            let without_people = table.b + table.d;
            Hypothesis {
                sentence: place.to_string(),
                kind,
                touchpoint,
                with_people,
                with_stop_rate: table.a as f64 / with_people as f64,
                without_people,
                without_stop_rate: table.b as f64 / without_people as f64,
                p_value,
                q_value: 1.0,
                key,
            }
        })
        .collect()
}

/// Adjusts the p-values of every finding's touchpoints together by Benjamini–Hochberg, counting
/// the same people tested twice (an event and its page, or two findings with the same people at
/// them) as one test. Keeps
/// those with a q-value below [`MAX_Q`], up to [`TOP`] per finding by the size of the difference,
/// and writes their sentences. `places` contains each finding's label and people at the place, in
/// the order of `tested`.
pub(crate) fn keep_significant(tested: Vec<Vec<Hypothesis>>, places: &[(String, u64)]) -> Vec<Vec<Hypothesis>> {
    let p_values: Vec<f64> = tested.iter().flatten().map(|hypothesis| hypothesis.p_value).collect();
    let keys: Vec<MemberSet> = tested.iter().flatten().map(|hypothesis| hypothesis.key).collect();
    let mut q_values = benjamini_hochberg_distinct(&p_values, &keys).into_iter();
    tested
        .into_iter()
        .zip(places)
        .map(|(hypotheses, (place, people))| {
            let mut kept: Vec<Hypothesis> = hypotheses
                .into_iter()
                .filter_map(|mut hypothesis| {
                    hypothesis.q_value = q_values.next().unwrap_or(1.0);
                    (hypothesis.q_value < MAX_Q).then(|| {
                        hypothesis.sentence = sentence(place, *people, hypothesis.kind, &hypothesis.touchpoint, hypothesis.with_stop_rate, hypothesis.without_stop_rate, hypothesis.q_value);
                        hypothesis
                    })
                })
                .collect();
            sorting::sort_by(&mut kept, |a, b| {
                let gap = |hypothesis: &Hypothesis| (hypothesis.with_stop_rate - hypothesis.without_stop_rate).abs();
                gap(b).total_cmp(&gap(a)).then_with(|| a.touchpoint.cmp(&b.touchpoint))
            });
            kept.truncate(TOP);
            kept
        })
        .collect()
}

fn name(log: &EventLog, kind: TouchpointKind, id: u32, page_column: Option<usize>) -> String {
    match kind {
        TouchpointKind::Event => log.event_names.name(id).to_string(),
        TouchpointKind::Channel => log.channels.name(id).to_string(),
        TouchpointKind::Page => page_column.map_or(String::new(), |column| log.properties[column].values.name(id).to_string()),
    }
}

/// Writes a hypothesis from its numbers, with a suggestion that follows from its direction.
fn sentence(place: &str, people: u64, kind: TouchpointKind, touchpoint: &str, with_rate: f64, without_rate: f64, q: f64) -> String {
    let had = match kind {
        TouchpointKind::Event => format!("did {touchpoint}"),
        TouchpointKind::Page => format!("saw {touchpoint}"),
        TouchpointKind::Channel => format!("came through {touchpoint}"),
    };
    let (direction, suggestion) = if with_rate < without_rate {
        ("less", format!("Leading more people to {touchpoint} before this point may help."))
    } else {
        ("more", format!("Look at what people who {had} expect here."))
    };
    format!(
        "Among the {people} people at {place}, those who {had} before stopped {direction} often: {:.0}% against {:.0}% (q = {}). {suggestion}",
        with_rate * 100.0,
        without_rate * 100.0,
        significant_figures(q)
    )
}

/// Writes a q-value with two significant figures, such as 0.0031 or 1.2e-7.
fn significant_figures(value: f64) -> String {
    if value >= 0.001 {
        let decimals = (1 - value.log10().floor() as i32).max(0) as usize;
        format!("{value:.decimals$}")
    } else {
        format!("{value:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    #[test]
    fn strong_touchpoint_becomes_hypothesis() {
        // 40 people reach `offer` at their last event. The 20 who read `guide` first stop 4 times
        // in 20; the 20 who did not stop 16 times in 20. Everyone visited, so `visit` is had by
        // all and cannot be tested.
        let mut log = EventLog::default();
        let mut reaches = Vec::new();
        let names: Vec<String> = (0..40).map(|person| format!("p{person}")).collect();
        for (number, name) in names.iter().enumerate() {
            let person = log.identifier(name, IdentityKind::UserId);
            let mut events = vec!["visit"];
            if number < 20 {
                events.push("guide");
            }
            events.push("offer");
            for (minute, event) in events.iter().enumerate() {
                log.push(NewEvent { person, time: minute as i64 * 60_000, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 2 }, []);
            }
            let stopped = if number < 20 { number < 4 } else { number < 36 };
            reaches.push(Reach { person: number as u32, position: events.len() as u32 - 1, stopped });
        }
        let journeys = Journeys::build(&log);
        let tested = for_place(&log, &journeys, &reaches, "offer", None);
        let hypotheses = keep_significant(vec![tested], &[("offer".to_string(), 40)]).remove(0);
        assert_eq!(hypotheses.len(), 1);
        let guide = &hypotheses[0];
        assert_eq!((guide.kind, guide.touchpoint.as_str()), (TouchpointKind::Event, "guide"));
        assert_eq!((guide.with_people, guide.without_people), (20, 20));
        assert_eq!((guide.with_stop_rate, guide.without_stop_rate), (0.2, 0.8));
        // One test, so the q-value equals the p-value.
        assert_eq!(guide.q_value, guide.p_value);
        assert!(guide.p_value < 0.001);
        assert!(guide.sentence.starts_with("Among the 40 people at offer, those who did guide before stopped less often: 20% against 80% (q = "), "{}", guide.sentence);
        assert!(guide.sentence.ends_with("). Leading more people to guide before this point may help."), "{}", guide.sentence);
        assert_eq!(significant_figures(0.0312), "0.031");
        assert_eq!(significant_figures(0.5), "0.50");
        assert_eq!(significant_figures(0.000123), "1.2e-4");
    }

    #[test]
    fn no_evidence_no_hypothesis() {
        let mut log = EventLog::default();
        let mut reaches = Vec::new();
        for number in 0..40u32 {
            let person = log.identifier(&format!("p{number}"), IdentityKind::UserId);
            let events = if number % 2 == 0 { vec!["visit", "guide", "offer"] } else { vec!["visit", "offer"] };
            for (minute, event) in events.iter().enumerate() {
                log.push(NewEvent { person, time: minute as i64 * 60_000, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 2 }, []);
            }
            reaches.push(Reach { person: number, position: events.len() as u32 - 1, stopped: number % 4 < 2 });
        }
        let journeys = Journeys::build(&log);
        let tested = for_place(&log, &journeys, &reaches, "offer", None);
        assert!(keep_significant(vec![tested], &[("offer".to_string(), 40)])[0].is_empty());
    }
}
