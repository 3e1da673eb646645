//! Conversion curve: the Kaplan–Meier estimate of the time to convert, counting people who have
//! not converted yet as censored rather than as people who never convert.
//!
//! Each person's clock starts at their first event. A converter has an event at their first
//! conversion. A person who has not converted is censored at the end of the data (the last event
//! time in the whole log), because they could still have converted until then and the log records
//! nothing after it. `censor_at: "last_event"` censors them at their own last event instead, for
//! logs whose people were observed for different spans. At a time that holds both conversions and
//! censorings, the conversions count first, so the censored people are still at risk for them.

use serde::{Deserialize, Serialize};

use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};

const DAY: i64 = 86_400_000;

/// Times at which the report gives the number at risk and the cumulative conversion.
const LANDMARKS: [(i64, &str); 4] = [(DAY, "1 day"), (7 * DAY, "7 days"), (30 * DAY, "30 days"), (90 * DAY, "90 days")];

/// The 0.975 quantile of the standard normal distribution, for two-sided 95% intervals.
const Z_95: f64 = 1.959_963_984_540_054;

/// The largest `max_steps` accepted, to keep the report small.
pub const MAX_STEPS: usize = 5_000;

/// The censoring time of people who have not converted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CensorAt {
    /// The last event time of the whole log.
    #[default]
    DataEnd,
    /// The person's own last event.
    LastEvent,
}

/// Options for the conversion curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurvivalOptions {
    pub censor_at: CensorAt,
    /// The maximum number of steps listed. Beyond it, consecutive steps merge (see [`CurveStep`]).
    pub max_steps: usize,
}

impl Default for SurvivalOptions {
    fn default() -> SurvivalOptions {
        SurvivalOptions { censor_at: CensorAt::DataEnd, max_steps: 500 }
    }
}

/// One step of the curve, at a time when at least one person converted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveStep {
    /// Time since the person's first event. For a merged step, the time of its last conversion.
    pub time_ms: i64,
    /// People still under observation and not converted just before the step's (first) time.
    pub at_risk: u64,
    /// People who converted at this time (in a merged step, at any of its times).
    pub events: u64,
    /// People censored from this time up to, not including, the next step's time.
    pub censored: u64,
    /// 1 − S(t): the estimated share of people converted by `time_ms`.
    pub cumulative: f64,
    /// Greenwood standard error of S(t), which is also that of the cumulative conversion.
    pub std_error: Option<f64>,
    /// 95% interval of the cumulative conversion from the log(−log S) transform of Greenwood's
    /// variance; `None` once S(t) reaches 0.
    pub lower_95: Option<f64>,
    pub upper_95: Option<f64>,
}

/// The number at risk and the cumulative conversion at a fixed time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landmark {
    pub label: String,
    pub time_ms: i64,
    /// People whose observed time is at least `time_ms`: not converted and not censored before it.
    pub at_risk: u64,
    pub cumulative: f64,
}

/// The conversion-curve part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversionCurve {
    pub censor_at: CensorAt,
    /// People on the curve.
    pub people: u64,
    pub converters: u64,
    pub censored: u64,
    /// Converters left out because their first conversion is also their first event, as in time
    /// to convert.
    pub excluded: u64,
    /// People censored before the first conversion time, so in no step.
    pub censored_before_first_step: u64,
    /// Time of the first step at which the cumulative conversion reaches 50%; `None` if it never
    /// does.
    pub median_ms: Option<i64>,
    /// The cumulative conversion at the end of the curve.
    pub final_cumulative: f64,
    /// True when the steps were merged to stay within `max_steps`.
    pub steps_merged: bool,
    pub steps: Vec<CurveStep>,
    pub landmarks: Vec<Landmark>,
}

/// One person's observed time and whether it ends in a conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Observation {
    time: i64,
    converted: bool,
}

/// Estimates the conversion curve.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &SurvivalOptions) -> Result<ConversionCurve, Error> {
    if options.max_steps < 2 || options.max_steps > MAX_STEPS {
        return Err(Error::Options(format!(
            "The conversion curve's max_steps must be between 2 and {MAX_STEPS}, not {}.",
            options.max_steps
        )));
    }
    let (mut observations, excluded) = observe(log, journeys, conversion, options.censor_at);
    observations.sort_by_key(|observation| observation.time);
    let full = estimate(&observations);

    let censored = observations.iter().filter(|observation| !observation.converted).count() as u64;
    let median_ms = median_time(&full);
    let final_cumulative = full.last().map_or(0.0, |step| step.cumulative);
    let censored_before_first_step = match full.first() {
        Some(first) => observations.iter().filter(|observation| observation.time < first.time_ms).count() as u64,
        None => censored,
    };
    let landmarks = LANDMARKS
        .iter()
        .map(|&(time_ms, label)| Landmark {
            label: label.to_string(),
            time_ms,
            at_risk: observations.iter().filter(|observation| observation.time >= time_ms).count() as u64,
            cumulative: full.iter().take_while(|step| step.time_ms <= time_ms).last().map_or(0.0, |step| step.cumulative),
        })
        .collect();
    let steps_merged = full.len() > options.max_steps;
    let steps = if steps_merged { merge(&full, options.max_steps) } else { full };

    Ok(ConversionCurve {
        censor_at: options.censor_at,
        people: observations.len() as u64,
        converters: observations.len() as u64 - censored,
        censored,
        excluded,
        censored_before_first_step,
        median_ms,
        final_cumulative,
        steps_merged,
        steps,
        landmarks,
    })
}

/// Returns each person's observation and the number of converters left out.
fn observe(log: &EventLog, journeys: &Journeys, conversion: &Conversion, censor_at: CensorAt) -> (Vec<Observation>, u64) {
    let data_end = log.time.iter().copied().max().unwrap_or(0);
    let mut observations = Vec::with_capacity(journeys.people());
    let mut excluded = 0;
    for person in 0..journeys.people() {
        match observe_person(log, journeys, conversion, censor_at, data_end, person) {
            Some(Some(observation)) => observations.push(observation),
            Some(None) => excluded += 1,
            None => {}
        }
    }
    (observations, excluded)
}

/// Returns one person's observation: `None` for an empty journey, `Some(None)` for a converter
/// left out because their first conversion is their first event.
fn observe_person(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    censor_at: CensorAt,
    data_end: i64,
    person: usize,
) -> Option<Option<Observation>> {
    let journey = journeys.journey(person);
    let start = log.time[*journey.first()? as usize];
    let observation = match conversion.first[person] {
        Some(0) => return Some(None),
        Some(position) => Observation { time: log.time[journey[position] as usize] - start, converted: true },
        None => {
            let end = match censor_at {
                CensorAt::DataEnd => data_end,
                CensorAt::LastEvent => journey.last().map_or(start, |&last| log.time[last as usize]),
            };
            Observation { time: end - start, converted: false }
        }
    };
    Some(Some(observation))
}

/// Returns each person's time on the conversion curve censored at the end of the data, as
/// (time in ms, converted), or `None` for a person the curve leaves out.
pub(crate) fn person_times(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> Vec<Option<(i64, bool)>> {
    let data_end = log.time.iter().copied().max().unwrap_or(0);
    (0..journeys.people())
        .map(|person| {
            let observation = observe_person(log, journeys, conversion, CensorAt::DataEnd, data_end, person).flatten()?;
            Some((observation.time, observation.converted))
        })
        .collect()
}

/// A Kaplan–Meier summary of one group of people.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CurveSummary {
    /// Time of the first step at which the cumulative conversion reaches 50%, as in
    /// [`ConversionCurve::median_ms`].
    pub median_ms: Option<i64>,
    /// The cumulative conversion at the last step; 0 without conversions.
    pub final_cumulative: f64,
}

/// Estimates the curve of (time in ms, converted) observations and summarises it.
pub(crate) fn summarise(times: &[(i64, bool)]) -> CurveSummary {
    let mut observations: Vec<Observation> = times.iter().map(|&(time, converted)| Observation { time, converted }).collect();
    observations.sort_by_key(|observation| observation.time);
    let steps = estimate(&observations);
    CurveSummary {
        median_ms: median_time(&steps),
        final_cumulative: steps.last().map_or(0.0, |step| step.cumulative),
    }
}

/// Returns the time of the first step whose cumulative conversion reaches 50%. A product such as
/// (1 − 1/38) ⋯ (1 − 1/20), which is exactly 1/2, can round to just above 1/2, so a cumulative
/// conversion within 1e-12 below 0.5 counts as reaching it.
fn median_time(steps: &[CurveStep]) -> Option<i64> {
    steps.iter().find(|step| step.cumulative >= 0.5 - 1e-12).map(|step| step.time_ms)
}

/// Computes the product-limit estimate over observations sorted by time, one step per distinct
/// conversion time.
fn estimate(sorted: &[Observation]) -> Vec<CurveStep> {
    let total = sorted.len() as u64;
    let mut steps: Vec<CurveStep> = Vec::new();
    let mut survival = 1.0f64;
    // Greenwood's sum of d / (n (n − d)) over the steps so far.
    let mut greenwood = 0.0f64;
    let mut leaving = 0u64;
    let mut at = 0;
    while at < sorted.len() {
        let time = sorted[at].time;
        let end = at + sorted[at..].iter().take_while(|observation| observation.time == time).count();
        let events = sorted[at..end].iter().filter(|observation| observation.converted).count() as u64;
        let censored = (end - at) as u64 - events;
        let at_risk = total - leaving;
        leaving += (end - at) as u64;
        at = end;

        if events == 0 {
            // Censorings only: they belong to the previous step, or come before the first one.
            if let Some(step) = steps.last_mut() {
                step.censored += censored;
            }
            continue;
        }
        survival *= 1.0 - events as f64 / at_risk as f64;
        greenwood += if events < at_risk { events as f64 / (at_risk as f64 * (at_risk - events) as f64) } else { f64::INFINITY };
        let (std_error, lower_95, upper_95) = uncertainty(survival, greenwood);
        steps.push(CurveStep { time_ms: time, at_risk, events, censored, cumulative: 1.0 - survival, std_error, lower_95, upper_95 });
    }
    steps
}

/// Returns the Greenwood standard error and the 95% interval of the cumulative conversion.
fn uncertainty(survival: f64, greenwood: f64) -> (Option<f64>, Option<f64>, Option<f64>) {
    if survival <= 0.0 || !greenwood.is_finite() {
        return (None, None, None);
    }
    let std_error = survival * greenwood.sqrt();
    // The interval of log(−log S) is symmetric, and maps back to one inside [0, 1] for S.
    let log_survival = survival.ln();
    let spread = Z_95 * greenwood.sqrt() / log_survival;
    let survival_low = (-((-log_survival).ln() - spread).exp()).exp();
    let survival_high = (-((-log_survival).ln() + spread).exp()).exp();
    (Some(std_error), Some(1.0 - survival_high), Some(1.0 - survival_low))
}

/// Merges consecutive steps into at most `max_steps` groups of nearly equal size. A group reports
/// the curve at its last step, the number at risk before its first, and the sums of its events and
/// censorings.
fn merge(steps: &[CurveStep], max_steps: usize) -> Vec<CurveStep> {
    let size = steps.len().div_ceil(max_steps);
    steps
        .chunks(size)
        .filter_map(|group| {
            let first = group.first()?;
            let last = group.last()?;
            Some(CurveStep {
                at_risk: first.at_risk,
                events: group.iter().map(|step| step.events).sum(),
                censored: group.iter().map(|step| step.censored).sum(),
                ..last.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observations(list: &[(i64, bool)]) -> Vec<Observation> {
        let mut list: Vec<Observation> = list.iter().map(|&(time, converted)| Observation { time, converted }).collect();
        list.sort_by_key(|observation| observation.time);
        list
    }

    #[test]
    fn estimate_counts_events_before_censorings() {
        // At time 2 one converts and one is censored: both were at risk for the conversion.
        let steps = estimate(&observations(&[(2, true), (2, false), (4, true), (5, false)]));
        assert_eq!(steps.len(), 2);
        assert_eq!((steps[0].at_risk, steps[0].events, steps[0].censored), (4, 1, 1));
        assert!((steps[0].cumulative - 0.25).abs() < 1e-12);
        assert_eq!((steps[1].at_risk, steps[1].events, steps[1].censored), (2, 1, 1));
        assert!((steps[1].cumulative - (1.0 - 0.75 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn estimate_of_everyone_converting_has_no_interval() {
        let steps = estimate(&observations(&[(1, true), (3, true)]));
        assert_eq!(steps[1].cumulative, 1.0);
        assert_eq!(steps[1].std_error, None);
        assert_eq!(steps[1].lower_95, None);
    }

    #[test]
    fn median_at_exactly_half() {
        // 24 people convert one at a time at times 1, 2, …: after 12 conversions S is 12/24 = 1/2
        // exactly, but the product of the factors rounds to 0.5000000000000001.
        let times: Vec<(i64, bool)> = (1..=24).map(|time| (time, true)).collect();
        assert_eq!(summarise(&times).median_ms, Some(12));
    }

    #[test]
    fn merge_keeps_the_totals() {
        let list: Vec<(i64, bool)> = (1..=10).map(|time| (time, time % 3 != 0)).collect();
        let steps = estimate(&observations(&list));
        let merged = merge(&steps, 3);
        assert!(merged.len() <= 3);
        assert_eq!(merged.iter().map(|step| step.events + step.censored).sum::<u64>(), 10);
        assert_eq!(merged[0].at_risk, 10);
        assert_eq!(merged.last().unwrap().cumulative, steps.last().unwrap().cumulative);
    }
}
