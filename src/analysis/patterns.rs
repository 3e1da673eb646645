//! Gaps and unexpected paths: where journeys have no touchpoint or lose momentum, and what
//! converters do that the designed funnel does not expect.
//!
//! Gaps are stages without touchpoints, long silences after a touchpoint, and the touchpoints
//! that converters had more often than others (the positive drivers). Unexpected paths are
//! three lists. The first contains the converters' frequent ordered patterns that the funnel
//! does not contain, mined with PrefixSpan. The second contains the funnel and stage events that
//! many converters skip. The third contains the pairs of first-touch channel and event whose
//! converters convert faster than the rest. A converter's events are those before their first
//! conversion event, and everyone else's are their whole journey.
//! docs/metrics.md defines every figure. These are associations, never causes.

mod faster;
mod gaps;
pub mod mann_whitney;
pub mod prefixspan;
mod unexpected;

use serde::{Deserialize, Serialize};

use super::drivers::{Driver, DriversReport};
use super::funnel::FunnelOptions;
use super::silences::SilencesReport;
use super::stages::StagesReport;
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};

pub use faster::{ContentKind, FasterCombination, FasterReport};
pub use gaps::{SilenceAfter, StageGap, StageGapKind, TransitionGap, TransitionGaps};
pub use unexpected::{SkippedTouchpoint, UnexpectedPattern, UnexpectedPatterns};

/// The largest `max_length` accepted.
pub const MAX_LENGTH: usize = 8;
/// The largest `max_patterns` accepted.
pub const MAX_PATTERNS: usize = 100_000;
/// The largest `top` accepted.
pub const MAX_TOP: usize = 200;

/// Options for gaps and unexpected paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatternsOptions {
    /// The minimum share of converters whose events contain a pattern for it to be mined.
    pub min_support: f64,
    /// The minimum number of converters, whatever `min_support` gives.
    pub min_support_count: u64,
    /// The maximum number of events in a pattern.
    pub max_length: usize,
    /// Mining stops after this many patterns and marks the result truncated.
    pub max_patterns: usize,
    /// A funnel or stage event counts as skipped when at least this share of converters never
    /// did it before converting.
    pub skip_share: f64,
    /// The minimum converters on each side of a faster-combination test, and the minimum
    /// transitions for a transition row.
    pub min_people: u64,
    /// The silence length for the momentum figures, such as `1d`; `None` to take the silences
    /// analysis's "rarely back after" length, or 1 day when it has none.
    pub long_gap: Option<String>,
    /// A stage is thin when converters pass through it with at most this many distinct events.
    pub thin_stage_events: u64,
    /// The q-value below which a pattern or a combination is listed as significant.
    pub false_discovery_rate: f64,
    /// How many rows each list keeps.
    pub top: usize,
}

impl Default for PatternsOptions {
    fn default() -> PatternsOptions {
        PatternsOptions {
            min_support: 0.2,
            min_support_count: 5,
            max_length: 4,
            max_patterns: 20_000,
            skip_share: 0.3,
            min_people: 10,
            long_gap: None,
            thin_stage_events: 1,
            false_discovery_rate: 0.05,
            top: 20,
        }
    }
}

/// The gaps and unexpected-paths part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternsReport {
    pub converters: u64,
    pub non_converters: u64,
    /// Stages without touchpoints, and thin stages; `None` without stages.
    pub stage_gaps: Option<Vec<StageGap>>,
    /// Time between consecutive events and who came back; `None` with synthetic times.
    pub transition_gaps: Option<TransitionGaps>,
    /// The drivers analysis's positive signals: what converters had and others skipped.
    pub successful_touchpoints: Vec<Driver>,
    pub unexpected: UnexpectedPatterns,
    /// Funnel steps and stage events with the share of converters who never did them.
    pub skipped_touchpoints: Vec<SkippedTouchpoint>,
    /// `None` with synthetic times or when no event has a channel.
    pub faster: Option<FasterReport>,
    pub note: String,
}

/// The other analyses' results that this one builds on.
pub struct PatternInputs<'a> {
    pub conversion: &'a Conversion,
    pub funnel: &'a FunnelOptions,
    pub stages: Option<&'a StagesReport>,
    pub silences: Option<&'a SilencesReport>,
    pub drivers: Option<&'a DriversReport>,
    pub synthetic_times: bool,
}

/// The parts of the analysis that read neither the funnel, the stages nor the drivers: the mined
/// patterns, the transition gaps and the faster combinations. They cost most of its time, so a
/// report can keep them while the user tries other funnel steps or windows.
#[derive(Debug, Clone)]
pub struct Groundwork {
    mining: unexpected::Mining,
    transition_gaps: Option<TransitionGaps>,
    faster: Option<FasterReport>,
}

/// Computes the [`Groundwork`]; `None` without a conversion event. `silences` gives the momentum
/// figures' silence length when the options name none.
pub fn groundwork(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    options: &PatternsOptions,
    silences: Option<&SilencesReport>,
    synthetic_times: bool,
) -> Result<Option<Groundwork>, Error> {
    validate(options)?;
    let long_gap_ms = long_gap(options, silences)?;
    if conversion.event.is_none() {
        return Ok(None);
    }
    let observed = observed_events(log, journeys, conversion);
    let mining = unexpected::mine(log, &observed, conversion, options);
    // Only the mining reads the observed events, so their room is free for the rest.
    drop(observed);
    let transition_gaps = (!synthetic_times).then(|| gaps::transition_gaps(log, journeys, long_gap_ms, options));
    let faster = if synthetic_times { None } else { faster::compute(log, journeys, conversion, options) };
    Ok(Some(Groundwork { mining, transition_gaps, faster }))
}

/// Computes gaps and unexpected paths. Returns `None` without a conversion event.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &PatternsOptions, inputs: &PatternInputs) -> Result<Option<PatternsReport>, Error> {
    let groundwork = groundwork(log, journeys, inputs.conversion, options, inputs.silences, inputs.synthetic_times)?;
    Ok(groundwork.map(|groundwork| finish(log, journeys, options, inputs, groundwork)))
}

/// Completes the report from its [`Groundwork`], which must come from the same options,
/// conversion and silences as `options` and `inputs`.
pub fn finish(log: &EventLog, journeys: &Journeys, options: &PatternsOptions, inputs: &PatternInputs, groundwork: Groundwork) -> PatternsReport {
    let conversion = inputs.conversion;
    let observed = observed_events(log, journeys, conversion);
    let converters = conversion.converters();
    let non_converters = journeys.people() as u64 - converters;
    PatternsReport {
        converters,
        non_converters,
        stage_gaps: inputs.stages.map(|stages| gaps::stage_gaps(log, stages, options)),
        transition_gaps: groundwork.transition_gaps,
        successful_touchpoints: inputs.drivers.map(|drivers| drivers.positive.clone()).unwrap_or_default(),
        unexpected: unexpected::unexpected_patterns(log, &groundwork.mining, inputs.funnel, options),
        skipped_touchpoints: unexpected::skipped_touchpoints(log, &observed, conversion, inputs.funnel, inputs.stages, options),
        faster: groundwork.faster,
        note: super::drivers::ASSOCIATION_NOTE.to_string(),
    }
}

/// Returns each person's observed event ids: a converter's events before their first conversion,
/// everyone else's whole journey.
// NOTE: unlike drivers, the funnel window does not bound these events, so a late converter
// counts as a converter here and may be a non-converter in the drivers table.
fn observed_events(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> Vec<Vec<u32>> {
    (0..journeys.people())
        .map(|person| {
            let journey = journeys.journey(person);
            let before = conversion.first[person].map_or(journey, |position| &journey[..position]);
            before.iter().map(|&at| log.event[at as usize]).collect()
        })
        .collect()
}

/// Returns the silence length for the momentum figures in milliseconds.
fn long_gap(options: &PatternsOptions, silences: Option<&SilencesReport>) -> Result<i64, Error> {
    const DAY_MS: i64 = 86_400_000;
    match options.long_gap.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => {
            let millis = super::funnel::parse_duration(text)
                .map_err(|_| Error::Options(format!("The patterns long_gap \"{text}\" is not a duration. Write a number and a unit, such as 1d, 12h or 90m.")))?;
            if millis <= 0 {
                return Err(Error::Options(format!("The patterns long_gap must be longer than 0, not \"{text}\".")));
            }
            Ok(millis)
        }
        None => Ok(silences.and_then(|report| report.rarely_back_after_ms).unwrap_or(DAY_MS)),
    }
}

/// Rejects option values outside their documented ranges.
fn validate(options: &PatternsOptions) -> Result<(), Error> {
    let invalid = |message: String| Err(Error::Options(message));
    let support = options.min_support;
    if !(support > 0.0 && support <= 1.0) {
        return invalid(format!("The patterns min_support must be a share above 0 and at most 1, such as 0.2, not {support}."));
    }
    if options.max_length == 0 || options.max_length > MAX_LENGTH {
        return invalid(format!("The patterns max_length must be between 1 and {MAX_LENGTH}, not {}.", options.max_length));
    }
    if options.max_patterns == 0 || options.max_patterns > MAX_PATTERNS {
        return invalid(format!("The patterns max_patterns must be between 1 and {MAX_PATTERNS}, not {}.", options.max_patterns));
    }
    let skip = options.skip_share;
    if !(skip > 0.0 && skip <= 1.0) {
        return invalid(format!("The patterns skip_share must be a share above 0 and at most 1, such as 0.3, not {skip}."));
    }
    if options.min_people == 0 {
        return invalid("The patterns min_people must be at least 1, not 0.".to_string());
    }
    let rate = options.false_discovery_rate;
    if !(rate > 0.0 && rate <= 1.0) {
        return invalid(format!("The patterns false_discovery_rate must be above 0 and at most 1, not {rate}."));
    }
    if options.top == 0 || options.top > MAX_TOP {
        return invalid(format!("The patterns top must be between 1 and {MAX_TOP}, not {}.", options.top));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::silences::{self, SilencesOptions};
    use crate::analysis::stages::{self, StageDefinition, StageInputs, StageRule};

    const HOUR_MS: i64 = 3_600_000;

    /// Builds a log from (person, hour, event) triples.
    fn build(events: &[(&str, i64, &str)]) -> (EventLog, Journeys) {
        crate::model::test_log(events, HOUR_MS)
    }

    fn stage(name: &str, events: &[&str]) -> StageDefinition {
        let rules = events.iter().map(|event| StageRule { event: event.to_string(), ..StageRule::default() }).collect();
        StageDefinition { name: name.to_string(), rules }
    }

    #[test]
    fn momentum_follows_silences() {
        // The data ends at hour 100, and the long-gap length is 24 hours. Closed gaps: x > y 30 h
        // and 40 h, y > y 70 h and 60 h, w > w 1 h, 1 h and 98 h, so 5 of 7 are long. Open gaps:
        // x 30 h (not returned) and 20 h (censored); the rest are 0 h (censored).
        let events = [
            ("p1", 0, "x"), ("p1", 30, "y"), ("p1", 100, "y"),
            ("p2", 0, "x"), ("p2", 40, "y"), ("p2", 100, "y"),
            ("p3", 70, "x"),
            ("p4", 80, "x"),
            ("p5", 0, "w"), ("p5", 1, "w"), ("p5", 2, "w"), ("p5", 100, "w"),
        ];
        let (log, journeys) = build(&events);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        let silences = silences::compute(&log, &journeys, &conversion, &SilencesOptions::default()).unwrap();
        let options = PatternsOptions { min_people: 1, ..PatternsOptions::default() };
        let report = gaps::transition_gaps(&log, &journeys, 24 * HOUR_MS, &options);

        // At 1 day, 5 closed gaps returned and 1 open gap did not, as in the silences.
        let day = silences.comeback.iter().find(|row| row.threshold_ms == 24 * HOUR_MS).unwrap();
        assert_eq!((report.silences, report.not_returned), (day.silences, day.not_returned));
        assert_eq!((report.silences, report.not_returned), (6, 1));
        assert_eq!(report.not_returned_share, Some(1.0 / 6.0));
        assert_eq!(report.long_share, Some(5.0 / 7.0));
        assert_eq!(report.median_gap_ms, silences.median_gap_ms);
        assert_eq!(report.median_gap_ms, Some(40.0 * HOUR_MS as f64));

        let after = |event: &str| report.after.iter().find(|row| row.event == event).unwrap();
        assert_eq!((after("x").returned, after("x").not_returned, after("x").censored), (2, 1, 1));
        assert_eq!(after("x").not_returned_share, Some(1.0 / 3.0));
        assert_eq!(after("y").not_returned_share, Some(0.0));
        assert_eq!((after("w").returned, after("w").censored), (1, 1));

        // x > y: every gap long and 1 of 3 silences after x did not end, both above overall.
        // y > y is as long, but everyone came back after y. w > w is mostly short.
        let pairs: Vec<(&str, &str, bool)> = report.transitions.iter().map(|row| (row.from.as_str(), row.to.as_str(), row.momentum_lost)).collect();
        assert_eq!(pairs, [("x", "y", true), ("y", "y", false), ("w", "w", false)]);
        assert_eq!(report.transitions[0].median_gap_ms, Some(35.0 * HOUR_MS as f64));
        assert_eq!(report.transitions[0].long_gaps, 2);
        assert_eq!(report.transitions[2].long_share, 1.0 / 3.0);
    }

    #[test]
    fn stage_gaps_empty_and_thin() {
        let events = [("p1", 0, "x"), ("p1", 1, "y"), ("p1", 2, "buy"), ("p2", 0, "x"), ("p2", 1, "y"), ("p2", 2, "buy"), ("p3", 0, "z")];
        let (log, journeys) = build(&events);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        // "shadowed" gets no event, because "first" takes every x before it.
        let definitions = [stage("first", &["x", "z"]), stage("shadowed", &["x"]), stage("single", &["y"])];
        let inputs = StageInputs { conversion: &conversion, window_ms: None, synthetic_times: false };
        let stages = stages::compute(&log, &journeys, &definitions, &inputs).unwrap().unwrap();
        let gaps = gaps::stage_gaps(&log, &stages, &PatternsOptions::default());

        let found: Vec<(&str, StageGapKind)> = gaps.iter().map(|gap| (gap.stage.as_str(), gap.kind)).collect();
        assert_eq!(found, [("shadowed", StageGapKind::NoTouchpoints), ("single", StageGapKind::Thin)]);
        assert_eq!(gaps[1].converter_share, Some(1.0));
        assert_eq!(gaps[1].distinct_events, 1);
    }

    #[test]
    fn none_without_conversion() {
        let (log, journeys) = build(&[("p1", 0, "x")]);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        let funnel = FunnelOptions::default();
        let inputs = PatternInputs { conversion: &conversion, funnel: &funnel, stages: None, silences: None, drivers: None, synthetic_times: false };
        assert!(compute(&log, &journeys, &PatternsOptions::default(), &inputs).unwrap().is_none());
    }
}
