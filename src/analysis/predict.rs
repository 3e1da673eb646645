//! Prediction with measured accuracy: the next event of each journey and each person's chance to
//! convert, each scored on data held out by time, and shown per person only when it beats a
//! baseline.
//!
//! The events are split at a cut time (by default the time by which [`PredictionOptions::cut_share`]
//! of the events had happened). Models learn only from events before the cut.
//! - **Next step.** A variable-order Markov model ([`markov`]) of the next event name. Its order
//!   (0 to [`markov::MAX_ORDER`]) is chosen by top-1 accuracy on a validation slice at the end of
//!   the training period, and every order is then scored on the events at or after the cut.
//! - **Conversion propensity.** L2-regularised logistic regression ([`logistic`]) on journey
//!   features before the cut ([`features`]), labelled by a conversion within the horizon after it.
//!   People are split into training and test groups by a hash of their id, so the held-out
//!   scores ([`metrics`]) come from people the model never saw.
//!
//! docs/metrics.md ("Prediction") defines every number.

pub mod features;
pub mod logistic;
pub mod markov;
pub mod metrics;

use chrono::{DateTime, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use self::features::FeatureSpec;
use self::markov::{Hits, MarkovModel, MAX_ORDER};
use self::metrics::CalibrationRow;
use super::funnel::parse_duration;
use super::paths::{Labeller, PathsOptions};
use super::Conversion;
use crate::error::Error;
use crate::ingest::time::to_rfc3339;
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// Training and test periods each need at least this many scored next-event positions.
pub const MIN_POSITIONS: u64 = 20;
/// The propensity training and test groups each need at least this many converters and this
/// many non-converters.
pub const MIN_CLASS_PEOPLE: u64 = 10;
/// The McNemar statistic above which the chosen Markov order beats the baseline.
pub const MCNEMAR_Z: f64 = 1.96;
/// The largest `people` accepted.
pub const MAX_PEOPLE: usize = 100_000;
/// The most predicted next events listed per person.
pub const TOP_NEXT: usize = 3;
/// The length of each person's likely continuation.
pub const CONTINUATION_STEPS: usize = 3;
/// The most likely continuations listed in the summary.
pub const TOP_CONTINUATIONS: usize = 10;
/// The maximum number of distinct labels the Markov model distinguishes. With more, the most
/// frequent ones keep their own label and the rest share one "Other" label, so a log of a
/// million distinct event names does not build a context for every event.
pub const MAX_LABELS: usize = 1_000;
/// The text of the label that the names beyond [`MAX_LABELS`] share.
pub const OTHER_LABEL: &str = "Other";

/// Options for prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PredictionOptions {
    /// Run the prediction at all.
    pub enabled: bool,
    /// The cut time, as an RFC 3339 time or a YYYY-MM-DD date (UTC midnight); `None` for the
    /// time given by `cut_share`.
    pub cut: Option<String>,
    /// Without `cut`, the cut is the time of the event at this share of all events in time order.
    pub cut_share: f64,
    /// How long after the cut a conversion counts for the propensity label, such as `30d`; `None`
    /// for up to the last event.
    pub horizon: Option<String>,
    /// The largest Markov order tried, 0 to 4.
    pub max_order: usize,
    /// Label the Markov model's events as the paths do (the paths' label column and cleaning
    /// rules) instead of by event name. Likely continuations then do not stop at a conversion.
    pub path_labels: bool,
    /// Inverse L2 regularisation strength of the logistic regression, as scikit-learn's `C`.
    pub regularization: f64,
    /// Percent of people, chosen by a hash of their id, held out to test the propensity model.
    pub test_percent: u32,
    /// People count as in progress when their last event is at most this long before the last
    /// event of the data, such as `30d`.
    pub recent: String,
    /// The maximum number of open journeys listed, highest propensity first; 0 for all.
    pub people: usize,
    /// The propensity model beats the baseline only when its AUC is at least 0.5 plus this and
    /// the lower end of its 95% interval is above 0.5.
    pub min_auc_gain: f64,
}

impl Default for PredictionOptions {
    fn default() -> PredictionOptions {
        PredictionOptions {
            enabled: true,
            cut: None,
            cut_share: 0.8,
            horizon: None,
            max_order: MAX_ORDER,
            path_labels: false,
            regularization: 1.0,
            test_percent: 30,
            recent: "30d".to_string(),
            people: 50,
            min_auc_gain: 0.02,
        }
    }
}

/// Accuracy of one Markov order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderAccuracy {
    pub order: usize,
    /// Distinct contexts of exactly this many events in the training period.
    pub contexts: u64,
    /// Top-1 accuracy on the validation slice, which chose the order; `None` without positions.
    pub validation_top1: Option<f64>,
    pub top1: f64,
    pub top3: f64,
    pub top1_hits: u64,
    pub top3_hits: u64,
    /// Test positions where this order's top-1 was right and the baseline's wrong.
    pub wins: u64,
    /// Test positions where the baseline's top-1 was right and this order's wrong.
    pub losses: u64,
}

/// The next-step part of the prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStepReport {
    /// Start of the validation slice: the time at `cut_share` of the training events.
    pub validation_cut: String,
    pub validation_positions: u64,
    /// Events at or after the cut that have an earlier event of the same person.
    pub test_positions: u64,
    pub chosen_order: usize,
    /// Every order from 0; order 0 is the baseline, the most frequent next event overall.
    pub orders: Vec<OrderAccuracy>,
    /// The baseline's prediction: the most frequent next event in the training period.
    pub baseline_event: String,
    /// McNemar's statistic `(wins - losses) / sqrt(wins + losses)` of the chosen order against the
    /// baseline on the test positions; `None` when they never disagree.
    pub mcnemar_z: Option<f64>,
    /// True when the chosen order wins more test positions from the baseline than it loses, with
    /// `mcnemar_z` above [`MCNEMAR_Z`] (a one-sided test at about the 2.5% level).
    pub better_than_baseline: bool,
}

/// One feature's weight in the propensity model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    pub feature: String,
    /// The weight on the standardised feature.
    pub weight: f64,
    pub mean: f64,
    pub scale: f64,
}

/// The conversion-propensity part of the prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropensityReport {
    pub horizon_ms: i64,
    pub regularization: f64,
    pub coefficients: Vec<Coefficient>,
    pub intercept: f64,
    pub iterations: u64,
    pub converged: bool,
    pub training_people: u64,
    pub training_converters: u64,
    pub test_people: u64,
    pub test_converters: u64,
    /// The training group's conversion rate, which the baseline predicts for everyone.
    pub base_rate: f64,
    pub auc: f64,
    pub auc_ci_low: f64,
    pub auc_ci_high: f64,
    pub log_loss: f64,
    pub brier: f64,
    pub baseline_log_loss: f64,
    pub baseline_brier: f64,
    /// Test people in deciles of the prediction.
    pub calibration: Vec<CalibrationRow>,
    pub better_than_baseline: bool,
}

/// A predicted next event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextEvent {
    pub event: String,
    pub probability: f64,
}

/// A person still in progress and what the models expect of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenJourney {
    pub person: String,
    pub last_event: String,
    pub events: u64,
    /// The conversion propensity; `None` unless that model beats its baseline.
    pub score: Option<f64>,
    /// Up to three likely next events; empty unless the next-step model beats its baseline.
    pub next: Vec<NextEvent>,
    /// The most likely next events in a row; empty unless the next-step model beats its baseline.
    pub likely_path: Vec<String>,
}

/// How many open journeys share a likely continuation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuationRow {
    pub path: Vec<String>,
    pub people: u64,
}

/// The prediction part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionReport {
    pub cut: String,
    /// The share used for the cut; `None` when the cut was given as a time.
    pub cut_share: Option<f64>,
    pub training_events: u64,
    pub test_events: u64,
    pub next_step: NextStepReport,
    /// `None` when the model could not run, and `propensity_reason` then gives the reason.
    pub propensity: Option<PropensityReport>,
    pub propensity_reason: Option<String>,
    /// People who never converted and whose last event is within `recent` of the data end.
    pub open_total: u64,
    /// The first `people` open journeys, by propensity when it is shown, else most recent first.
    pub open_journeys: Vec<OpenJourney>,
    /// The reason scores or next events are missing from the open journeys; `None` when both are shown.
    pub open_reason: Option<String>,
    /// The most common likely continuations among all open journeys.
    pub continuations: Vec<ContinuationRow>,
    /// Distinct labels merged into the "Other" label, because there were more than
    /// [`MAX_LABELS`]; 0 when every label is its own.
    pub merged_labels: u64,
}

/// Each person's events as labels (label texts in alphabetical rank). Their times are those of
/// the journeys, read from the log.
struct Sequences<'j> {
    /// The label of every event, person after person in journey order: person `p`'s are
    /// `labels[starts[p] - starts[0]..starts[p + 1] - starts[0]]` of the journeys' `starts`.
    labels: Vec<u32>,
    log: &'j EventLog,
    journeys: &'j Journeys,
    /// Text of each label: an event name, or a path label with `path_labels`.
    names: Vec<String>,
    /// Labels merged into "Other" by [`merge_rare_labels`].
    merged: u64,
}

impl<'j> Sequences<'j> {
    /// Labels every event by its event name, or through `labeller` when one is given. Beyond
    /// [`MAX_LABELS`] labels the rarest share the "Other" label, except the label `kept`.
    fn build(log: &'j EventLog, journeys: &'j Journeys, labeller: Option<Labeller>, kept: Option<&str>) -> Sequences<'j> {
        let events = (0..journeys.people()).flat_map(|p| journeys.journey(p).iter().map(|&at| at as usize));
        // Reserved in advance, because a flattened iterator's length is not known and growing to
        // it would reserve up to twice the room.
        let mut raw: Vec<u32> = Vec::with_capacity(log.len());
        let texts: Vec<String> = match labeller {
            Some(mut labeller) => {
                raw.extend(events.map(|at| labeller.label(log, at)));
                labeller.labels
            }
            None => {
                raw.extend(events.map(|at| log.event[at]));
                (0..log.event_names.len() as u32).map(|id| log.event_names.name(id).to_string()).collect()
            }
        };
        let (mut labels, texts, merged) = merge_rare_labels(raw, texts, kept);
        let mut ids: Vec<usize> = (0..texts.len()).collect();
        sorting::sort_by(&mut ids, |&a, &b| texts[a].cmp(&texts[b]));
        let mut rank = vec![0u32; ids.len()];
        for (position, &id) in ids.iter().enumerate() {
            rank[id] = position as u32;
        }
        for label in &mut labels {
            *label = rank[*label as usize];
        }
        let names = ids.iter().map(|&id| texts[id].clone()).collect();
        Sequences { labels, log, journeys, names, merged }
    }

    fn people(&self) -> usize {
        self.journeys.people()
    }

    /// Returns person `p`'s labels, in journey order.
    fn labels(&self, p: usize) -> &[u32] {
        let starts = &self.journeys.starts;
        let first = starts.first().copied().unwrap_or(0) as usize;
        let range = (starts[p] as usize - first)..(starts[p + 1] as usize - first);
        self.labels.get(range).unwrap_or_default()
    }

    /// Returns the times of person `p`'s first `length` events.
    fn times(&self, p: usize, length: usize) -> impl Iterator<Item = i64> + '_ {
        self.journeys.journey(p)[..length].iter().map(|&at| self.log.time[at as usize])
    }

    /// Returns how many of person `p`'s events happened before `time`.
    fn before(&self, p: usize, time: i64) -> usize {
        self.journeys.journey(p).partition_point(|&at| self.log.time[at as usize] < time)
    }

    fn name(&self, label: u32) -> String {
        self.names.get(label as usize).cloned().unwrap_or_default()
    }
}

/// Runs the prediction, labelling events with `path_options` when `options.path_labels` is set.
/// Returns `Ok(Err(reason))` when the data cannot support it: synthetic times, or too few events
/// on either side of the cut.
pub fn compute(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    options: &PredictionOptions,
    path_options: &PathsOptions,
    synthetic_times: bool,
) -> Result<Result<PredictionReport, String>, Error> {
    check(options)?;
    let labeller = if options.path_labels { Some(Labeller::new(log, path_options)?) } else { None };
    if synthetic_times {
        return Ok(Err("Prediction needs real event times to hold out the latest events, and these times were made up.".to_string()));
    }
    let Some(data_end) = log.time.iter().copied().max() else {
        return Ok(Err("Prediction needs events, and none were loaded.".to_string()));
    };
    let (cut, cut_share) = match options.cut.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => (parse_cut(text)?, None),
        None => (share_time(|| log.time.iter().copied(), options.cut_share), Some(options.cut_share)),
    };
    let training_events = log.time.iter().filter(|&&time| time < cut).count() as u64;
    // The propensity model reads the log alone, so it is fitted before the labels of every event
    // take their room.
    let (propensity, propensity_reason) = match propensity(log, journeys, conversion, cut, data_end, options)? {
        Ok((report, fitted)) => (Some((report, fitted)), None),
        Err(reason) => (None, Some(reason)),
    };
    let conversion_name = conversion.event.filter(|_| !options.path_labels).map(|id| log.event_names.name(id));
    let sequences = Sequences::build(log, journeys, labeller, conversion_name);

    let next_step = match next_step(&sequences, cut, options) {
        Ok(report) => report,
        Err(reason) => return Ok(Err(reason)),
    };
    let (model, order) = (next_step.1, next_step.0.chosen_order);
    let open = OpenInputs {
        markov: next_step.0.better_than_baseline.then_some((&model, order)),
        propensity: propensity.as_ref().filter(|(report, _)| report.better_than_baseline).map(|(_, fitted)| fitted),
        stop: conversion
            .event
            .filter(|_| !options.path_labels)
            .map(|id| log.event_names.name(id))
            .and_then(|name| sequences.names.iter().position(|label| label == name))
            .map(|at| at as u32),
    };
    let (open_total, open_journeys, continuations) = open_journeys(log, journeys, conversion, &sequences, &open, data_end, options)?;
    let open_reason = open_reason(&next_step.0, propensity.as_ref().map(|(report, _)| report), propensity_reason.as_deref());
    Ok(Ok(PredictionReport {
        cut: to_rfc3339(cut),
        cut_share,
        training_events,
        test_events: log.len() as u64 - training_events,
        next_step: next_step.0,
        propensity: propensity.map(|(report, _)| report),
        propensity_reason,
        open_total,
        open_journeys,
        open_reason,
        continuations,
        merged_labels: sequences.merged,
    }))
}

/// Returns the warning text for a prediction that merged `merged` labels into "Other".
pub fn merged_labels_message(merged: u64) -> String {
    format!(
        "The next-step prediction tells apart at most {MAX_LABELS} event names, so it merged the {merged} rarest into \"{OTHER_LABEL}\" and may predict \"{OTHER_LABEL}\" as a next event. Turn on path labels or clean the event names to have fewer distinct ones."
    )
}

/// Keeps the [`MAX_LABELS`] most frequent labels of `raw` (ties by text), and the label whose text
/// is `kept`, and maps every other label to one "Other" label. Returns the relabelled sequences,
/// the texts of the new labels and how many labels that occur in `raw` were merged.
fn merge_rare_labels(raw: Vec<u32>, texts: Vec<String>, kept: Option<&str>) -> (Vec<u32>, Vec<String>, u64) {
    if texts.len() <= MAX_LABELS {
        return (raw, texts, 0);
    }
    let mut counts = vec![0u64; texts.len()];
    for &label in &raw {
        if let Some(count) = counts.get_mut(label as usize) {
            *count += 1;
        }
    }
    let mut by_count: Vec<usize> = (0..texts.len()).filter(|&id| counts[id] > 0).collect();
    if by_count.len() <= MAX_LABELS {
        return (raw, texts, 0);
    }
    sorting::sort_by(&mut by_count, |&a, &b| counts[b].cmp(&counts[a]).then_with(|| texts[a].cmp(&texts[b])));
    let occurring = by_count.len() as u64;
    let kept_id = kept.and_then(|name| texts.iter().position(|text| text == name));
    let mut new_id = vec![u32::MAX; texts.len()];
    let mut new_texts = Vec::with_capacity(MAX_LABELS + 1);
    for id in by_count.into_iter().take(MAX_LABELS - 1).chain(kept_id) {
        if new_id[id] == u32::MAX {
            new_id[id] = new_texts.len() as u32;
            new_texts.push(texts[id].clone());
        }
    }
    let other = new_texts.len() as u32;
    let merged = occurring - other as u64;
    new_texts.push(OTHER_LABEL.to_string());
    let relabel = |label: u32| new_id.get(label as usize).copied().filter(|&id| id != u32::MAX).unwrap_or(other);
    let raw = raw.into_iter().map(relabel).collect();
    (raw, new_texts, merged)
}

/// Rejects option values outside their ranges, naming the option and what to write instead.
fn check(options: &PredictionOptions) -> Result<(), Error> {
    if !(options.cut_share > 0.0 && options.cut_share < 1.0) {
        return Err(Error::Options(format!("prediction.cut_share {} is out of range. Use a share between 0 and 1, such as 0.8.", options.cut_share)));
    }
    if options.max_order > MAX_ORDER {
        return Err(Error::Options(format!("prediction.max_order {} is too large. Use an order from 0 to {MAX_ORDER}.", options.max_order)));
    }
    if !(options.regularization.is_finite() && options.regularization > 0.0) {
        return Err(Error::Options(format!("prediction.regularization {} is invalid. Use a positive number, such as 1.", options.regularization)));
    }
    if !(1..=99).contains(&options.test_percent) {
        return Err(Error::Options(format!("prediction.test_percent {} is out of range. Use a percent from 1 to 99, such as 30.", options.test_percent)));
    }
    if options.people > MAX_PEOPLE {
        return Err(Error::Options(format!("prediction.people {} is too large. Use at most {MAX_PEOPLE}, or 0 for all.", options.people)));
    }
    if !(options.min_auc_gain.is_finite() && (0.0..0.5).contains(&options.min_auc_gain)) {
        return Err(Error::Options(format!("prediction.min_auc_gain {} is out of range. Use a number from 0 to below 0.5, such as 0.02.", options.min_auc_gain)));
    }
    Ok(())
}

/// Parses a cut given as an RFC 3339 time or a YYYY-MM-DD date, which means UTC midnight.
fn parse_cut(text: &str) -> Result<i64, Error> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc().timestamp_millis())
        .ok_or_else(|| Error::Options(format!("The prediction cut \"{text}\" is not a time. Write a date such as 2024-05-01 or a time such as 2024-05-01T12:00:00Z.")))
}

/// The number of buckets in the counting pass of [`share_time`].
const SHARE_BUCKETS: usize = 1 << 16;

/// Selects the `ceil(share · n)`-th smallest of the `n` times that `times` yields (at least the
/// first), or returns 0 when there are none.
///
/// The times can be every event of the log, so they are read three times instead of copied. The
/// first pass finds their range and the second counts them in [`SHARE_BUCKETS`] buckets of equal
/// width. The third collects the bucket that contains the requested rank and selects in it.
fn share_time<I: Iterator<Item = i64>>(times: impl Fn() -> I, share: f64) -> i64 {
    let (count, min, max) = times().fold((0usize, i64::MAX, i64::MIN), |(count, min, max), time| (count + 1, min.min(time), max.max(time)));
    if count == 0 {
        return 0;
    }
    let rank = ((share * count as f64).ceil() as usize).clamp(1, count);
    let width = ((i128::from(max) - i128::from(min)) / SHARE_BUCKETS as i128 + 1) as u128;
    let bucket = |time: i64| ((i128::from(time) - i128::from(min)) as u128 / width) as usize;
    let mut counts = vec![0usize; SHARE_BUCKETS];
    times().for_each(|time| counts[bucket(time)] += 1);
    let mut below = 0;
    let mut target = 0;
    for (index, &inside) in counts.iter().enumerate() {
        if below + inside >= rank {
            target = index;
            break;
        }
        below += inside;
    }
    let mut candidates: Vec<i64> = times().filter(|&time| bucket(time) == target).collect();
    *candidates.select_nth_unstable(rank - below - 1).1
}

/// Fits the Markov models, chooses the order on the validation slice and scores every order on
/// the test period. Returns the report with the model fitted on the whole training period.
fn next_step(sequences: &Sequences, cut: i64, options: &PredictionOptions) -> Result<(NextStepReport, MarkovModel), String> {
    let people = sequences.people();
    let training_lengths: Vec<usize> = (0..people).map(|p| sequences.before(p, cut)).collect();
    let training_times = || (0..people).flat_map(|p| sequences.times(p, training_lengths[p]));
    let validation_cut = share_time(training_times, options.cut_share);
    let max_order = options.max_order;

    let early = MarkovModel::fit((0..people).map(|p| &sequences.labels(p)[..sequences.before(p, validation_cut)]), max_order);
    let mut validation = vec![Hits::default(); max_order + 1];
    for (p, &length) in training_lengths.iter().enumerate() {
        let training = &sequences.labels(p)[..length];
        for at in sequences.before(p, validation_cut).max(1)..training.len() {
            early.score(training, at, &mut validation);
        }
    }

    let model = MarkovModel::fit((0..people).map(|p| &sequences.labels(p)[..training_lengths[p]]), max_order);
    let mut test = vec![Hits::default(); max_order + 1];
    for (p, &length) in training_lengths.iter().enumerate() {
        let labels = sequences.labels(p);
        for at in length.max(1)..labels.len() {
            model.score(labels, at, &mut test);
        }
    }
    let training_positions: u64 = training_lengths.iter().map(|&length| length.saturating_sub(1) as u64).sum();
    let test_positions = test.first().map_or(0, |hits| hits.positions);
    if training_positions < MIN_POSITIONS || test_positions < MIN_POSITIONS {
        return Err(format!(
            "Prediction needs at least {MIN_POSITIONS} next events on each side of the cut {}, and there are {training_positions} before it and {test_positions} after it. Move the cut or load more data.",
            to_rfc3339(cut)
        ));
    }

    let share = |hits: u64, positions: u64| if positions == 0 { 0.0 } else { hits as f64 / positions as f64 };
    let validation_positions = validation.first().map_or(0, |hits| hits.positions);
    // The first order with the highest validation top-1 wins, so ties go to the simpler model.
    let mut chosen_order = 0;
    for (order, hits) in validation.iter().enumerate() {
        if hits.top1 > validation[chosen_order].top1 {
            chosen_order = order;
        }
    }
    let orders: Vec<OrderAccuracy> = test
        .iter()
        .zip(&validation)
        .enumerate()
        .map(|(order, (hits, checked))| OrderAccuracy {
            order,
            contexts: model.contexts_of_order(order),
            validation_top1: (validation_positions > 0).then(|| share(checked.top1, validation_positions)),
            top1: share(hits.top1, hits.positions),
            top3: share(hits.top3, hits.positions),
            top1_hits: hits.top1,
            top3_hits: hits.top3,
            wins: hits.wins,
            losses: hits.losses,
        })
        .collect();
    let baseline_event = model.predict(&[], 0).and_then(|distribution| distribution.next.first()).map(|&(label, _)| sequences.name(label)).unwrap_or_default();
    let chosen = test[chosen_order];
    let disagreements = chosen.wins + chosen.losses;
    let mcnemar_z = (disagreements > 0).then(|| (chosen.wins as f64 - chosen.losses as f64) / (disagreements as f64).sqrt());
    let better_than_baseline = mcnemar_z.is_some_and(|z| z > MCNEMAR_Z);
    let report = NextStepReport {
        validation_cut: to_rfc3339(validation_cut),
        validation_positions,
        test_positions,
        chosen_order,
        orders,
        baseline_event,
        mcnemar_z,
        better_than_baseline,
    };
    Ok((report, model))
}

/// The fitted propensity model with the columns it reads.
struct FittedPropensity {
    spec: FeatureSpec,
    model: logistic::LogisticModel,
}

/// Returns the 64-bit FNV-1a hash of `text`, which assigns people to the test group.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Tells whether the person with display id `person` is in the propensity test group.
pub fn in_test_group(person: &str, test_percent: u32) -> bool {
    fnv1a(person) % 100 < u64::from(test_percent)
}

fn display_id<'a>(log: &'a EventLog, journey: &[u32]) -> &'a str {
    journey.first().map_or("", |&at| log.people.name(log.person[at as usize]))
}

/// Fits and scores the conversion-propensity model, or returns why it cannot run.
fn propensity(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    cut: i64,
    data_end: i64,
    options: &PredictionOptions,
) -> Result<Result<(PropensityReport, FittedPropensity), String>, Error> {
    if conversion.event.is_none() {
        return Ok(Err("Conversion propensity needs a conversion event. Choose one to see it.".to_string()));
    }
    let horizon_ms = match options.horizon.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => parse_duration(text).map_err(|_| {
            Error::Options(format!("The prediction horizon \"{text}\" is not a duration. Write a number and a unit, such as 30d or 12h."))
        })?,
        None => (data_end - cut).max(0),
    };

    // Each row: the person's events before the cut, the label and the test-group flag.
    let mut rows: Vec<(&[u32], bool, bool)> = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let observed = &journey[..journey.partition_point(|&at| log.time[at as usize] < cut)];
        let converted_at = conversion.first[person].and_then(|position| journey.get(position)).map(|&at| log.time[at as usize]);
        if observed.is_empty() || converted_at.is_some_and(|time| time < cut) {
            continue;
        }
        let label = converted_at.is_some_and(|time| time <= cut.saturating_add(horizon_ms));
        rows.push((observed, label, in_test_group(display_id(log, journey), options.test_percent)));
    }
    let count = |test: bool, label: bool| rows.iter().filter(|row| row.2 == test && row.1 == label).count() as u64;
    let smallest = count(false, true).min(count(false, false)).min(count(true, true)).min(count(true, false));
    if smallest < MIN_CLASS_PEOPLE {
        return Ok(Err(format!(
            "Conversion propensity needs at least {MIN_CLASS_PEOPLE} converters and {MIN_CLASS_PEOPLE} non-converters after the cut in both the training and the test group. There are {} and {} in training and {} and {} in test. Move the cut earlier or lengthen the horizon.",
            count(false, true), count(false, false), count(true, true), count(true, false)
        )));
    }

    let training: Vec<&(&[u32], bool, bool)> = rows.iter().filter(|row| !row.2).collect();
    let test: Vec<&(&[u32], bool, bool)> = rows.iter().filter(|row| row.2).collect();
    let observed: Vec<&[u32]> = training.iter().map(|row| row.0).collect();
    let spec = FeatureSpec::choose(log, &observed, conversion.event);
    let names = spec.names(log);
    let mut training_rows = logistic::FeatureRows::with_capacity(names.len(), training.len());
    for row in &training {
        training_rows.push(&spec.row(log, row.0, cut));
    }
    let training_labels: Vec<bool> = training.iter().map(|row| row.1).collect();
    let model = logistic::fit_rows(training_rows, &training_labels, options.regularization);

    let predictions: Vec<f64> = test.iter().map(|row| model.predict(&spec.row(log, row.0, cut))).collect();
    let labels: Vec<bool> = test.iter().map(|row| row.1).collect();
    let base_rate = count(false, true) as f64 / training.len() as f64;
    let baseline = vec![base_rate; labels.len()];
    let report = scores(&predictions, &labels, &baseline, options).map(|scores| PropensityReport {
        horizon_ms,
        regularization: options.regularization,
        coefficients: names
            .into_iter()
            .enumerate()
            .map(|(at, feature)| Coefficient {
                feature,
                weight: model.weights[at],
                mean: model.standardiser.means[at],
                scale: model.standardiser.scales[at],
            })
            .collect(),
        intercept: model.intercept,
        iterations: model.iterations as u64,
        converged: model.converged,
        training_people: training.len() as u64,
        training_converters: count(false, true),
        test_people: test.len() as u64,
        test_converters: count(true, true),
        base_rate,
        ..scores
    });
    Ok(report.map(|report| (report, FittedPropensity { spec, model })).ok_or_else(|| "The held-out scores could not be computed.".to_string()))
}

/// Scores the test predictions; the fields about the fit are left for the caller to fill.
fn scores(predictions: &[f64], labels: &[bool], baseline: &[f64], options: &PredictionOptions) -> Option<PropensityReport> {
    let auc = metrics::auc(predictions, labels)?;
    Some(PropensityReport {
        horizon_ms: 0,
        regularization: 0.0,
        coefficients: Vec::new(),
        intercept: 0.0,
        iterations: 0,
        converged: false,
        training_people: 0,
        training_converters: 0,
        test_people: 0,
        test_converters: 0,
        base_rate: 0.0,
        auc: auc.auc,
        auc_ci_low: auc.ci_low,
        auc_ci_high: auc.ci_high,
        log_loss: metrics::log_loss(predictions, labels)?,
        brier: metrics::brier(predictions, labels)?,
        baseline_log_loss: metrics::log_loss(baseline, labels)?,
        baseline_brier: metrics::brier(baseline, labels)?,
        calibration: metrics::calibration(predictions, labels),
        better_than_baseline: auc.ci_low > 0.5 && auc.auc >= 0.5 + options.min_auc_gain,
    })
}

/// The models allowed to speak about open journeys: only those that beat their baseline.
struct OpenInputs<'a> {
    markov: Option<(&'a MarkovModel, usize)>,
    propensity: Option<&'a FittedPropensity>,
    /// The conversion label, where a likely continuation stops.
    stop: Option<u32>,
}

/// Lists the open journeys with their predictions, and counts their likely continuations.
fn open_journeys(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    sequences: &Sequences,
    inputs: &OpenInputs,
    data_end: i64,
    options: &PredictionOptions,
) -> Result<(u64, Vec<OpenJourney>, Vec<ContinuationRow>), Error> {
    let recent_ms = parse_duration(&options.recent).map_err(|_| {
        Error::Options(format!("The prediction recent window \"{}\" is not a duration. Write a number and a unit, such as 30d.", options.recent))
    })?;
    let mut open: Vec<OpenJourney> = Vec::new();
    let mut continuations: HashMap<Vec<u32>, u64> = HashMap::default();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let Some(&last) = journey.last() else { continue };
        if conversion.converted(person) || log.time[last as usize] < data_end.saturating_sub(recent_ms) {
            continue;
        }
        let labels = sequences.labels(person);
        let mut entry = OpenJourney {
            person: display_id(log, journey).to_string(),
            last_event: to_rfc3339(log.time[last as usize]),
            events: journey.len() as u64,
            score: inputs.propensity.map(|fitted| fitted.model.predict(&fitted.spec.row(log, journey, data_end))),
            next: Vec::new(),
            likely_path: Vec::new(),
        };
        if let Some((model, order)) = inputs.markov {
            if let Some(distribution) = model.predict(labels, order) {
                entry.next = (0..TOP_NEXT)
                    .filter_map(|rank| distribution.probability(rank))
                    .map(|(label, probability)| NextEvent { event: sequences.name(label), probability })
                    .collect();
            }
            let path = model.continuation(labels, order, CONTINUATION_STEPS, inputs.stop);
            entry.likely_path = path.iter().map(|&label| sequences.name(label)).collect();
            *continuations.entry(path).or_insert(0) += 1;
        }
        open.push(entry);
    }
    let total = open.len() as u64;
    open.sort_by(|a, b| {
        let by_score = b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0));
        by_score.then_with(|| b.last_event.cmp(&a.last_event)).then_with(|| a.person.cmp(&b.person))
    });
    if options.people > 0 {
        open.truncate(options.people);
    }
    let mut rows: Vec<ContinuationRow> = continuations
        .into_iter()
        .map(|(path, people)| ContinuationRow { path: path.iter().map(|&label| sequences.name(label)).collect(), people })
        .collect();
    sorting::sort_by(&mut rows, |a, b| b.people.cmp(&a.people).then_with(|| a.path.cmp(&b.path)));
    rows.truncate(TOP_CONTINUATIONS);
    Ok((total, open, rows))
}

/// Says which per-person predictions are hidden and why.
fn open_reason(next_step: &NextStepReport, propensity: Option<&PropensityReport>, propensity_reason: Option<&str>) -> Option<String> {
    let mut reasons = Vec::new();
    if !next_step.better_than_baseline {
        reasons.push(format!(
            "Next events are hidden because the chosen order {} was not significantly more accurate on held-out events than always predicting \"{}\".",
            next_step.chosen_order, next_step.baseline_event
        ));
    }
    match (propensity, propensity_reason) {
        (Some(report), _) if !report.better_than_baseline => reasons.push(format!(
            "Scores are hidden because the propensity model's held-out AUC {:.3} (95% interval {:.3} to {:.3}) is not clearly better than the 0.5 of predicting the base rate.",
            report.auc, report.auc_ci_low, report.auc_ci_high
        )),
        (None, Some(reason)) => reasons.push(format!("Scores are hidden. {reason}")),
        _ => {}
    }
    (!reasons.is_empty()).then(|| reasons.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Selects the same rank by sorting a copy, as `share_time` defines it.
    fn sorted_share(times: &[i64], share: f64) -> i64 {
        let mut sorted = times.to_vec();
        sorted.sort_unstable();
        let rank = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    #[test]
    fn share_time_matches_sorting() {
        let spread: Vec<i64> = (0..10_000i64).map(|index| (index * 7_919) % 10_007 * 86_400_000).collect();
        let crowded: Vec<i64> = (0..10_000i64).map(|index| 1_700_000_000_000 + index % 3).collect();
        let extremes = vec![i64::MIN, -1, 0, 1, i64::MAX, i64::MAX];
        for times in [spread, crowded, extremes, vec![42]] {
            for share in [0.0, 0.01, 0.5, 0.8, 0.999, 1.0] {
                assert_eq!(share_time(|| times.iter().copied(), share), sorted_share(&times, share), "share {share} of {} times", times.len());
            }
        }
    }

    #[test]
    fn share_time_of_nothing_is_zero() {
        assert_eq!(share_time(std::iter::empty, 0.5), 0);
    }
}
