//! After the sale: what buyers do after their first conversion. Repeat purchases, the time to the
//! second one, revenue per customer and how many buyers reach referral, invitation, onboarding or
//! review events afterwards.

use serde::Serialize;

use super::{stats, Conversion};
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// Name prefixes, compared in lower case, of the events counted as follow-ups of a sale.
const FOLLOW_UP_PREFIXES: [&str; 4] = ["refer", "invite", "onboard", "review"];

/// Quartiles of a duration in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    pub p25_ms: f64,
    pub median_ms: f64,
    pub p75_ms: f64,
}

/// Buyers who reach one follow-up event after their first purchase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub event: String,
    pub buyers: u64,
    /// `buyers` divided by all buyers.
    pub share: f64,
    /// Median time from the first purchase to the buyer's first such event after it.
    pub median_ms: Option<f64>,
}

/// The after-the-sale part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterSale {
    pub conversion_event: String,
    pub buyers: u64,
    /// Buyers with a second event of the conversion event.
    pub repeat_buyers: u64,
    pub repeat_purchase_rate: f64,
    /// From the first to the second purchase, over repeat buyers; `None` without any.
    pub time_to_second_purchase: Option<Quartiles>,
    /// The value of every conversion event of the buyers, summed, divided by buyers; `None` when
    /// no conversion event has a value.
    pub revenue_per_customer: Option<f64>,
    /// Conversion events with a value.
    pub purchases_with_value: u64,
    /// Event names starting with refer, invite, onboard or review, sorted by buyers, largest first.
    pub follow_ups: Vec<FollowUp>,
}

/// Computes the after-the-sale figures; `None` without a conversion event.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> Option<AfterSale> {
    let target = conversion.event?;
    let follow_up_events: Vec<u32> = (0..log.event_names.len() as u32)
        .filter(|&id| {
            let name = log.event_names.name(id).to_lowercase();
            id != target && FOLLOW_UP_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        })
        .collect();

    let mut buyers = 0u64;
    let mut second_gaps: Vec<f64> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut follow_up_gaps: Vec<Vec<f64>> = vec![Vec::new(); follow_up_events.len()];
    for person in 0..journeys.people() {
        let Some(first) = conversion.first[person] else { continue };
        buyers += 1;
        let journey = journeys.journey(person);
        let bought_at = log.time[journey[first] as usize];
        let mut seen = vec![false; follow_up_events.len()];
        let mut second_found = false;
        for (position, &at) in journey.iter().enumerate().skip(first) {
            let at = at as usize;
            if log.event[at] == target {
                if !log.value[at].is_nan() {
                    values.push(log.value[at]);
                }
                if position > first && !second_found {
                    second_found = true;
                    second_gaps.push((log.time[at] - bought_at) as f64);
                }
                continue;
            }
            if let Some(slot) = follow_up_events.iter().position(|&id| id == log.event[at]) {
                if !seen[slot] {
                    seen[slot] = true;
                    follow_up_gaps[slot].push((log.time[at] - bought_at) as f64);
                }
            }
        }
    }

    let repeat_buyers = second_gaps.len() as u64;
    second_gaps.sort_by(f64::total_cmp);
    let (revenue, purchases_with_value) = stats::sum(values.into_iter());
    let share = |count: u64| if buyers == 0 { 0.0 } else { count as f64 / buyers as f64 };
    let mut follow_ups: Vec<FollowUp> = follow_up_events
        .iter()
        .zip(follow_up_gaps.iter_mut())
        .map(|(&id, gaps)| FollowUp {
            event: log.event_names.name(id).to_string(),
            buyers: gaps.len() as u64,
            share: share(gaps.len() as u64),
            median_ms: stats::median(gaps),
        })
        .collect();
    sorting::sort_by(&mut follow_ups, |x, y| y.buyers.cmp(&x.buyers).then_with(|| x.event.cmp(&y.event)));

    Some(AfterSale {
        conversion_event: log.event_names.name(target).to_string(),
        buyers,
        repeat_buyers,
        repeat_purchase_rate: share(repeat_buyers),
        time_to_second_purchase: quartiles(&second_gaps),
        revenue_per_customer: (purchases_with_value > 0 && buyers > 0).then(|| revenue / buyers as f64),
        purchases_with_value,
        follow_ups,
    })
}

fn quartiles(sorted: &[f64]) -> Option<Quartiles> {
    Some(Quartiles {
        p25_ms: stats::quantile(sorted, 0.25)?,
        median_ms: stats::quantile(sorted, 0.5)?,
        p75_ms: stats::quantile(sorted, 0.75)?,
    })
}
