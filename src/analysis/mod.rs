//! The analyses. Each module is a function of the journeys and its own options; [`run`] resolves
//! the conversion once and feeds every analysis from it.

pub mod aggregates;
pub mod attribution;
pub mod brief;
pub mod channel_speed;
pub mod clv;
pub mod compare;
pub mod drivers;
pub mod email;
pub mod experiment;
pub mod friction;
pub mod hypotheses;
pub mod interventions;
pub mod funnel;
pub mod memo;
pub mod paths;
pub mod patterns;
pub mod people;
pub mod plan;
pub mod predict;
pub mod process_map;
pub mod retention;
pub mod rhythm;
pub mod sankey;
pub mod segments;
pub mod sessions;
pub mod silences;
pub mod speed;
pub mod stages;
pub mod stats;
pub mod survival;
pub mod timing;
pub mod trends;
pub mod voice;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ingest::time::{parse_zone, to_rfc3339};
use crate::model::{EventLog, Journeys};
use crate::report::{Report, Summary, TimingExtras, Warning};

/// Options for every analysis. Missing fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisOptions {
    /// The event that counts as a conversion; `None` for no conversion.
    pub conversion: Option<String>,
    pub clv: clv::ClvOptions,
    pub email: email::EmailOptions,
    pub funnel: funnel::FunnelOptions,
    pub paths: paths::PathsOptions,
    pub sankey: sankey::SankeyOptions,
    pub attribution: attribution::AttributionOptions,
    pub drivers: drivers::DriversOptions,
    pub conversion_curve: survival::SurvivalOptions,
    pub process_map: process_map::ProcessMapOptions,
    pub sessions: sessions::SessionsOptions,
    /// The user's stages in order; empty for the suggested stages.
    pub stages: Vec<stages::StageDefinition>,
    pub silences: silences::SilencesOptions,
    pub rhythm: rhythm::RhythmOptions,
    pub speed: speed::SpeedOptions,
    pub channel_speed: channel_speed::ChannelSpeedOptions,
    pub friction: friction::FrictionOptions,
    pub patterns: patterns::PatternsOptions,
    pub prediction: predict::PredictionOptions,
    pub voice: voice::VoiceOptions,
    pub segments: segments::SegmentsOptions,
    pub experiment: experiment::ExperimentOptions,
    pub trends: trends::TrendsOptions,
}

/// The converters: for each person, the position in their journey of their first conversion.
pub struct Conversion {
    pub event: Option<u32>,
    pub first: Vec<Option<usize>>,
}

impl Conversion {
    /// Finds each person's first conversion event.
    pub fn find(log: &EventLog, journeys: &Journeys, name: Option<&str>) -> Result<Conversion, Error> {
        let event = match name.map(str::trim).filter(|name| !name.is_empty()) {
            None => None,
            Some(name) => Some(log.event_names.get(name).ok_or_else(|| unknown_event(log, name))?),
        };
        let first = (0..journeys.people())
            .map(|person| {
                let target = event?;
                journeys.journey(person).iter().position(|&at| log.event[at as usize] == target)
            })
            .collect();
        Ok(Conversion { event, first })
    }

    pub fn converted(&self, person: usize) -> bool {
        self.first[person].is_some()
    }

    pub fn converters(&self) -> u64 {
        self.first.iter().filter(|first| first.is_some()).count() as u64
    }
}

/// An error for an event name that does not occur, listing some that do.
pub(crate) fn unknown_event(log: &EventLog, name: &str) -> Error {
    let known: Vec<&str> = (0..log.event_names.len().min(12) as u32).map(|id| log.event_names.name(id)).collect();
    Error::Options(format!(
        "The event \"{name}\" does not occur in the loaded data. Events include: {}.",
        known.join(", ")
    ))
}

/// Runs every analysis and assembles the report. `load_warnings` come first in the report.
/// Analyses whose options are unchanged since the last run on the same log come from `memo`.
///
/// With `synthetic_times` (a channel path table was loaded), event times only order each journey,
/// so the funnel window is ignored and every duration and date in the report is left empty.
pub fn run(
    log: &EventLog,
    journeys: &Journeys,
    options: &AnalysisOptions,
    time_zone: &str,
    load_warnings: &[Warning],
    synthetic_times: bool,
    memo: &mut memo::Memo,
) -> Result<Report, Error> {
    let conversion = Conversion::find(log, journeys, options.conversion.as_deref())?;
    // Friction and trends follow each person through the same funnel, so the funnel's chains are
    // kept for them. Made-up times have no windows, in friction as here, and trends need real times.
    let (funnel, chains) = if options.funnel.steps.is_empty() {
        (None, Vec::new())
    } else if synthetic_times {
        let (report, chains) = funnel::compute_with_chains(log, journeys, &options.funnel.without_windows())?;
        (Some(funnel::without_times(report)), chains)
    } else {
        let (report, chains) = funnel::compute_with_chains(log, journeys, &options.funnel)?;
        (Some(report), chains)
    };
    let path_funnel = options.paths.reads_funnel().then_some(&options.funnel);
    let (paths, sankey) = memo.paths.get_or(&(&options.conversion, &options.paths, &options.sankey, path_funnel), || {
        let path_set = paths::PathSet::build(log, journeys, &options.paths, &options.funnel)?;
        Ok((paths::compute(&path_set, &conversion, &options.paths)?, sankey::compute(log, &path_set, &options.sankey, synthetic_times)?))
    })?;
    let attribution = memo.attribution.get_or(&(&options.conversion, &options.attribution), || {
        attribution::compute(log, journeys, &conversion, &options.attribution, !synthetic_times)
    })?;
    let markov_warning = attribution.as_ref().and_then(|report| report.markov_skipped.clone()).map(|reason| Warning::new("markov_skipped", 0, reason));
    let drivers_window = match options.funnel.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) if !synthetic_times => Some(funnel::parse_duration(text)?),
        _ => None,
    };
    let drivers = memo.drivers.get_or(&(&options.conversion, &options.drivers, drivers_window), || {
        drivers::compute(log, journeys, &conversion, &options.drivers, drivers_window)
    })?;
    let mut warnings = load_warnings.to_vec();
    warnings.extend(markov_warning);
    if let Some(merged) = attribution.as_ref().map(|report| report.merged_channels).filter(|&merged| merged > 0) {
        warnings.push(Warning::new("attribution_channels_merged", merged, attribution::merged_channels_message(merged)));
    }
    let time_to_convert = match conversion.event {
        Some(_) if !synthetic_times => Some(timing::time_to_convert(log, journeys, &conversion, &mut warnings)),
        _ => None,
    };
    let conversion_curve = match conversion.event {
        Some(_) if !synthetic_times => {
            Some(memo.conversion_curve.get_or(&(&options.conversion, &options.conversion_curve), || survival::compute(log, journeys, &conversion, &options.conversion_curve))?)
        }
        _ => None,
    };
    let process_map = memo.process_map.get_or(&options.process_map, || process_map::compute(log, journeys, &options.process_map, synthetic_times))?;
    let zone = parse_zone(time_zone).unwrap_or(chrono_tz::UTC);
    let (after_sale, clv) = if synthetic_times {
        (None, None)
    } else {
        memo.lifetime.get_or(&(&options.conversion, &options.clv), || {
            Ok((retention::compute(log, journeys, &conversion), clv::compute(log, journeys, &conversion, &options.clv, zone)?))
        })?
    };
    let email = email::compute(log, journeys, &options.email)?;
    // Made-up times have no gaps of inactivity, so a channel path table has no sessions.
    let sessions = memo.sessions.get_or(&(&options.conversion, &options.sessions), || {
        if synthetic_times { Ok(None) } else { Ok(Some(sessions::compute(log, journeys, &conversion, &options.sessions)?)) }
    })?;
    let timing_inputs = (&options.conversion, &options.silences, &options.rhythm, &options.speed, &options.channel_speed);
    let timing_extras = memo.timing_extras.get_or(&timing_inputs, || timing_extras(log, journeys, &conversion, options, zone, time_zone, synthetic_times))?;
    if let Some(merged) = timing_extras.channel_speed.as_ref().map(|report| report.merged_channels).filter(|&merged| merged > 0) {
        warnings.push(Warning::new("channel_speed_channels_merged", merged, channel_speed::merged_channels_message(merged)));
    }

    let friction_funnel = if synthetic_times { options.funnel.without_windows() } else { options.funnel.clone() };
    let rarely_back_after_ms = timing_extras.silences.as_ref().and_then(|silences| silences.rarely_back_after_ms);
    // The stage skips among the friction candidates and the stages analysis share one layout,
    // whose rules are matched against every distinct value of their columns.
    let layout = memo.stage_layout.get_or(&options.stages, || Ok(Arc::new(stages::layout(log, &options.stages)?)))?;
    let outside_funnel = memo.friction.get_or(&(&options.conversion, &options.stages, &options.friction, rarely_back_after_ms), || {
        let outside = friction::outside_funnel(log, journeys, &conversion, layout.as_ref().as_ref().ok(), &options.friction, rarely_back_after_ms, !synthetic_times);
        Ok(outside.map(|outside| outside.test_in_advance(log, journeys, &options.friction)))
    })?;
    let friction = match outside_funnel {
        Some(outside) => {
            let candidates = friction::with_funnel(log, journeys, &conversion, &friction_funnel, &chains, &options.friction, !synthetic_times, outside);
            Some(friction::compute(log, journeys, &conversion, &options.friction, candidates))
        }
        None => None,
    };

    let stage_inputs = stages::StageInputs { conversion: &conversion, window_ms: drivers_window, synthetic_times };
    let stages = memo.stages.get_or(&(&options.conversion, &options.stages, drivers_window), || {
        Ok(match layout.as_ref() {
            Ok(layout) => Ok(stages::report(log, journeys, layout, &stage_inputs)),
            Err(reason) => Err(reason.clone()),
        })
    })?;
    let stages = match stages {
        Ok(report) => {
            if report.merged_channels > 0 {
                warnings.push(Warning::new("stage_channels_merged", report.merged_channels, stages::merged_channels_message(report.merged_channels)));
            }
            Some(report)
        }
        Err(reason) => {
            warnings.push(Warning::new("no_stages", 0, reason));
            None
        }
    };

    let pattern_inputs = patterns::PatternInputs {
        conversion: &conversion,
        funnel: &options.funnel,
        stages: stages.as_ref(),
        silences: timing_extras.silences.as_ref(),
        drivers: drivers.as_ref(),
        synthetic_times,
    };
    let groundwork = memo.patterns.get_or(&(&options.conversion, &options.patterns, &options.silences), || {
        patterns::groundwork(log, journeys, &conversion, &options.patterns, pattern_inputs.silences, synthetic_times)
    })?;
    let patterns = groundwork.map(|groundwork| patterns::finish(log, journeys, &options.patterns, &pattern_inputs, groundwork));
    // The prediction lists every open journey once, for the segments, and the report keeps the
    // first `people` of them, as the list is sorted before it is cut.
    let all_open = if options.prediction.enabled {
        let prediction_options = predict::PredictionOptions { people: 0, ..options.prediction.clone() };
        memo.prediction.get_or(&(&options.conversion, &prediction_options, &options.paths), || {
            predict::compute(log, journeys, &conversion, &prediction_options, &options.paths, synthetic_times)
        })?
    } else {
        Err("Prediction is turned off.".to_string())
    };
    let prediction = match (&all_open, options.prediction.enabled) {
        (Ok(report), _) => {
            if report.merged_labels > 0 {
                warnings.push(Warning::new("prediction_labels_merged", report.merged_labels, predict::merged_labels_message(report.merged_labels)));
            }
            let mut report = report.clone();
            if options.prediction.people > 0 {
                report.open_journeys.truncate(options.prediction.people);
            }
            Some(report)
        }
        (Err(reason), true) => {
            warnings.push(Warning::new("no_prediction", 0, reason.clone()));
            None
        }
        (Err(_), false) => None,
    };
    let voice_funnel = if synthetic_times { options.funnel.without_windows() } else { options.funnel.clone() };
    let voice_inputs = voice::VoiceInputs { conversion: &conversion, funnel: Some(&voice_funnel), stages: &options.stages, zone: (!synthetic_times).then_some(zone) };
    let voice = voice::compute(log, journeys, &options.voice, &voice_inputs)?;
    let mut friction = friction;
    if let (Some(friction), Some(voice)) = (friction.as_mut(), voice.as_ref()) {
        friction::add_theme_evidence(friction, voice, &friction_funnel);
    }
    if let (Some(friction), Some(speed)) = (friction.as_mut(), timing_extras.speed.as_ref()) {
        friction::add_speed_interventions(friction, speed);
    }
    let computed = segments::Computed {
        speed: timing_extras.speed.clone(),
        rarely_back_after_ms: timing_extras.silences.as_ref().and_then(|silences| silences.rarely_back_after_ms),
        prediction: all_open,
    };
    let segment_inputs = (&options.conversion, &options.segments, &options.prediction, &options.sessions, &options.speed, &options.silences, &options.paths);
    let segments = memo.segments.get_or(&segment_inputs, || segments::compute(log, journeys, options, synthetic_times, computed))?;
    let experiment_funnel = if synthetic_times { options.funnel.without_windows() } else { options.funnel.clone() };
    let experiment = experiment::compute(log, journeys, &conversion, &experiment_funnel, &options.experiment, synthetic_times, &mut warnings)?;
    // Made-up times have no weeks or windows.
    let mut trends = if synthetic_times {
        None
    } else {
        trends::compute(log, journeys, &conversion, &options.funnel, &chains, options.paths.collapse_repeats, &options.trends, zone, &mut memo.null_maxima)?
    };
    if let (Some(trends), Some(voice)) = (trends.as_mut(), voice.as_ref()) {
        trends::add_theme_alerts(trends, voice);
    }

    let people = journeys.people() as u64;
    let converters = conversion.converters();
    let totals = memo.log_totals.get_or(&(), || {
        let (total_value, events_with_value) = stats::sum(log.value.iter().copied().filter(|value| !value.is_nan()));
        Ok(memo::LogTotals { total_value, events_with_value, first_ms: log.time.iter().min().copied(), last_ms: log.time.iter().max().copied() })
    })?;
    let summary = Summary {
        people,
        events: log.len() as u64,
        conversion_event: conversion.event.map(|id| log.event_names.name(id).to_string()),
        converters,
        conversion_rate: if people == 0 { 0.0 } else { converters as f64 / people as f64 },
        distinct_journeys: memo.distinct_journeys.get_or(&(), || Ok(paths::distinct_journeys(log, journeys)))?,
        total_value: (totals.events_with_value > 0).then_some(totals.total_value),
        events_with_value: totals.events_with_value,
        first_event: totals.first_ms.filter(|_| !synthetic_times).map(to_rfc3339),
        last_event: totals.last_ms.filter(|_| !synthetic_times).map(to_rfc3339),
        time_zone: time_zone.to_string(),
        synthetic_times,
    };
    let mut report = Report {
        summary,
        funnel,
        paths,
        sankey,
        sessions,
        stages,
        time_to_convert,
        conversion_curve,
        process_map,
        attribution,
        drivers,
        after_sale,
        clv,
        email,
        timing_extras,
        friction,
        patterns,
        prediction,
        voice,
        segments,
        experiment,
        trends,
        warnings,
        brief: None,
    };
    report.brief = Some(brief::compose(&report, &brief::PersonIds::of(log)));
    Ok(report)
}

/// Runs the silences, hour-and-weekday, speed and channel-speed analyses. With synthetic times
/// all four are `None`, because made-up times have no gaps, hours or durations.
fn timing_extras(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    options: &AnalysisOptions,
    zone: chrono_tz::Tz,
    time_zone: &str,
    synthetic_times: bool,
) -> Result<TimingExtras, Error> {
    if synthetic_times {
        return Ok(TimingExtras::default());
    }
    let converting = conversion.event.is_some();
    Ok(TimingExtras {
        silences: Some(silences::compute(log, journeys, conversion, &options.silences)?),
        rhythm: Some(rhythm::compute(log, journeys, conversion, &options.rhythm, zone, time_zone)),
        speed: if converting { Some(speed::compute(log, journeys, conversion, &options.speed)?) } else { None },
        channel_speed: if converting { channel_speed::compute(log, journeys, conversion, &options.channel_speed) } else { None },
    })
}
