//! The friction finder: every place where people stop on their way to converting, ranked by the
//! conversions and revenue estimated lost there.
//!
//! Each candidate is a point some people reach. Of those, some stop there and the rest go on. The
//! conversions lost at the point are the people who stopped times the conversion rate of the
//! people who went on, as if the stopped people had gone on and converted alike. That rate gets a
//! Wilson score interval, and the lost conversions the same interval scaled by the people who
//! stopped. Lost revenue multiplies by the average order value. The estimate is an upper bound on
//! what removing the leak could win, and an association: the people who stop may differ from
//! those who go on. docs/metrics.md defines each candidate.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::email::person_messages;
use super::funnel::{self, FunnelOptions};
use super::stages::{self, Layout, StageDefinition};
use super::hypotheses::{self, Hypothesis};
use super::interventions::{self, Intervention};
use super::plan::{self, TestPlan};
use super::stats::share;
use super::voice::journey::PositionKind;
use super::voice::VoiceReport;
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The z value of a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Column names, in lower case, whose value names a page for exit pages.
const PAGE_COLUMNS: [&str; 6] = ["page", "page_path", "pagepath", "url", "page_url", "page_location"];

/// Options for the friction finder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrictionOptions {
    /// Candidates where fewer people stopped are left out.
    pub min_stopped: u64,
    /// The number of findings listed, largest first.
    pub top: usize,
}

impl Default for FrictionOptions {
    fn default() -> FrictionOptions {
        FrictionOptions { min_stopped: 10, top: 10 }
    }
}

/// The kind of place where people stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FrictionKind {
    /// People who reached the previous funnel step and not this one.
    FunnelStep,
    /// Non-converters whose journey ends at a page or event.
    ExitPage,
    /// People who opened an e-mail and opened none of the later ones they were sent.
    EmailStop,
    /// Non-converters silent for at least the "rarely come back" length at the end of the data.
    Silence,
    /// People who reached a stage without a touchpoint in an earlier one.
    StageSkip,
}

/// One ranked place where people stop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FrictionKind,
    /// The place, such as `step 3 (add_to_cart)` or `/pricing`.
    pub label: String,
    /// The finding in one sentence, written from the numbers.
    pub sentence: String,
    /// People who reached the place.
    pub reached: u64,
    /// People who stopped there.
    pub stopped: u64,
    /// People who went on.
    pub went_on: u64,
    /// Converters among the people who went on.
    pub converted: u64,
    /// `converted / went_on`, with its 95% Wilson interval.
    pub went_on_rate: f64,
    pub went_on_rate_low: f64,
    pub went_on_rate_high: f64,
    /// `stopped × went_on_rate`, with the interval scaled alike.
    pub lost_conversions: f64,
    pub lost_conversions_low: f64,
    pub lost_conversions_high: f64,
    /// Lost conversions times the average order value; `None` without values.
    pub lost_revenue: Option<f64>,
    pub lost_revenue_low: Option<f64>,
    pub lost_revenue_high: Option<f64>,
    /// The report section that shows the evidence, such as `funnel` or `silences`.
    pub section: String,
    /// Changes worth testing here.
    pub interventions: Vec<Intervention>,
    /// A test of the went-on rate here; `None` when the times are synthetic.
    pub test_plan: Option<TestPlan>,
    /// Touchpoints before the place that go with stopping less or more often, strongest first;
    /// empty when none passes the test.
    pub hypotheses: Vec<Hypothesis>,
    /// The funnel step people stopped before, counted from 1; `None` for other kinds.
    pub funnel_step: Option<usize>,
    /// Survey themes more common among the people who stopped here than among all answers.
    pub themes: Vec<ThemeEvidence>,
}

/// A survey theme over-represented among the answers of the people who stopped at a place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeEvidence {
    /// The evidence in words, written from the numbers.
    pub sentence: String,
    pub theme: String,
    /// Analysed answers from people who stopped here, and those in the theme.
    pub answers_here: u64,
    pub theme_answers_here: u64,
    /// `theme_answers_here / answers_here`, and the theme's share of all analysed answers.
    pub share_here: f64,
    pub share_overall: f64,
    pub q_value: f64,
}

/// Adds to each funnel-step finding the speed segments' interventions: a compressed path for
/// fast movers and deeper proof for slow researchers.
pub fn add_speed_interventions(report: &mut FrictionReport, speed: &super::speed::SpeedReport) {
    let segment = |name: &str| speed.segments.iter().find(|segment| segment.name == name);
    let (fast, slow) = (segment("fast"), segment("slow"));
    let interventions = interventions::for_speed(
        fast.and_then(|segment| segment.median_ms),
        fast.and_then(|segment| segment.mean_events),
        slow.and_then(|segment| segment.median_ms),
        slow.and_then(|segment| segment.mean_events),
    );
    for finding in report.findings.iter_mut().filter(|finding| finding.kind == FrictionKind::FunnelStep) {
        finding.interventions.extend(interventions.iter().cloned());
    }
}

/// Adds to each funnel-step finding the survey themes that the voice report found
/// over-represented among people whose furthest step is the one before it. The voice report
/// must count steps over the same funnel, so nothing is added when its funnel differs.
pub fn add_theme_evidence(report: &mut FrictionReport, voice: &VoiceReport, funnel: &FunnelOptions) {
    let events: Vec<&str> = funnel.steps.iter().map(|step| step.event.trim()).collect();
    if voice.journey.funnel_steps.len() != events.len() || voice.journey.funnel_steps.iter().zip(&events).any(|(a, b)| a != b) {
        return;
    }
    for finding in &mut report.findings {
        let Some(step) = finding.funnel_step else { continue };
        for entry in &voice.journey.over_represented {
            if !entry.significant || entry.kind != PositionKind::FunnelStep || entry.position + 1 != step {
                continue;
            }
            let Some(theme) = voice.themes.get(entry.theme) else { continue };
            let sentence = format!(
                "Survey answers about \"{}\" are {:.0}% of the {} answers from people who stopped before {}, against {:.0}% of all answers. What they wrote may say why they stop here.",
                theme.label,
                entry.share_at * 100.0,
                entry.answers_at,
                finding.label,
                entry.share_overall * 100.0
            );
            finding.themes.push(ThemeEvidence {
                sentence,
                theme: theme.label.clone(),
                answers_here: entry.answers_at,
                theme_answers_here: entry.theme_answers_at,
                share_here: entry.share_at,
                share_overall: entry.share_overall,
                q_value: entry.q_value,
            });
        }
    }
}

/// The friction part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrictionReport {
    /// The mean value of the conversion events that have a positive value; `None` when none has.
    pub average_order_value: Option<f64>,
    /// Conversion events with a positive value.
    pub orders_with_value: u64,
    pub min_stopped: u64,
    /// Candidates evaluated, listed or not.
    pub candidates: u64,
    /// The top findings by lost conversions, largest first; ties by label.
    pub findings: Vec<Finding>,
}

/// A finding with the people who stopped there, for the people list behind it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub finding: Finding,
    pub stopped_people: Vec<u32>,
    pub reaches: Vec<Reach>,
    /// The hypotheses of [`hypotheses::for_place`] when they were tested in advance.
    pub tested: Option<Vec<Hypothesis>>,
}

/// Reports the places where people stop from the ranked `candidates` of [`with_funnel`], testing
/// hypotheses for the first `top`.
pub(crate) fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &FrictionOptions, candidates: Vec<Candidate>) -> FrictionReport {
    let (average_order_value, orders_with_value) = average_order_value(log, journeys, conversion);
    let count = candidates.len() as u64;
    let page = page_column(log);
    // Hypotheses are tested for the listed findings only, because each costs a pass over the
    // journeys of everyone who reached the place.
    let listed: Vec<Candidate> = candidates.into_iter().take(options.top).collect();
    let tested = listed
        .iter()
        .map(|candidate| match &candidate.tested {
            Some(tested) => tested.clone(),
            None => hypotheses::for_place(log, journeys, &candidate.reaches, &candidate.finding.label, page),
        })
        .collect();
    let places: Vec<(String, u64)> = listed.iter().map(|candidate| (candidate.finding.label.clone(), candidate.finding.reached)).collect();
    let kept = hypotheses::keep_significant(tested, &places);
    let findings = listed
        .into_iter()
        .zip(kept)
        .map(|(candidate, hypotheses)| Finding { hypotheses, ..candidate.finding })
        .collect();
    FrictionReport { average_order_value, orders_with_value, min_stopped: options.min_stopped, candidates: count, findings }
}

/// The candidates that do not depend on the funnel: exits, e-mails, the long silence and stage
/// skips. A report can keep them while the user tries other funnel steps or windows.
#[derive(Debug, Clone)]
pub struct OutsideFunnel {
    candidates: Vec<Candidate>,
}

impl OutsideFunnel {
    /// Tests the hypotheses of every candidate that a report could list, and drops what only
    /// those tests read. Whatever the funnel adds, the listed candidates from outside it are the
    /// first `top` of these at most, because the report lists the first `top` in the same order.
    pub fn test_in_advance(mut self, log: &EventLog, journeys: &Journeys, options: &FrictionOptions) -> OutsideFunnel {
        let page = page_column(log);
        for (at, candidate) in self.candidates.iter_mut().enumerate() {
            if at < options.top {
                candidate.tested = Some(hypotheses::for_place(log, journeys, &candidate.reaches, &candidate.finding.label, page));
            }
            candidate.reaches = Vec::new();
        }
        self
    }
}

/// Builds every candidate outside the funnel with at least `min_stopped` people stopped. Returns
/// `None` without a conversion event, since nothing can be lost without one.
///
/// `stages` is the stage layout of the same log, for the stage skips, or `None` without stages.
pub fn outside_funnel(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    stages: Option<&Layout>,
    options: &FrictionOptions,
    rarely_back_after_ms: Option<i64>,
    timed: bool,
) -> Option<OutsideFunnel> {
    conversion.event?;
    let min_stopped = options.min_stopped.max(1);
    let mut found = exit_candidates(log, journeys, conversion, min_stopped);
    found.extend(email_candidates(log, journeys, conversion));
    if let Some(threshold) = rarely_back_after_ms {
        found.extend(silence_candidate(log, journeys, conversion, threshold));
    }
    if let Some(layout) = stages {
        found.extend(stage_skip_candidates(journeys, conversion, &layout.names(), layout.stage_of()));
    }
    Some(OutsideFunnel { candidates: ranked(log, journeys, conversion, options, timed, found) })
}

/// Builds and ranks every candidate with at least `min_stopped` people stopped; `None` without a
/// conversion event.
#[allow(clippy::too_many_arguments)]
pub(crate) fn candidates(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    funnel: &FunnelOptions,
    stages: &[StageDefinition],
    options: &FrictionOptions,
    rarely_back_after_ms: Option<i64>,
    timed: bool,
) -> Result<Option<Vec<Candidate>>, Error> {
    if conversion.event.is_none() {
        return Ok(None);
    }
    let layout = stages::layout(log, stages)?;
    let Some(outside) = outside_funnel(log, journeys, conversion, layout.as_ref().ok(), options, rarely_back_after_ms, timed) else { return Ok(None) };
    let chains = if funnel.steps.is_empty() { Vec::new() } else { funnel::person_chains(log, journeys, funnel)? };
    Ok(Some(with_funnel(log, journeys, conversion, funnel, &chains, options, timed, outside)))
}

/// Adds the funnel's candidates to those that [`outside_funnel`] found for the same conversion,
/// stages and options, and ranks them all. `chains` are [`funnel::person_chains`] of `funnel`,
/// or empty when it has no steps.
#[allow(clippy::too_many_arguments)]
pub(crate) fn with_funnel(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    funnel: &FunnelOptions,
    chains: &[Vec<usize>],
    options: &FrictionOptions,
    timed: bool,
    outside: OutsideFunnel,
) -> Vec<Candidate> {
    let mut candidates = if funnel.steps.is_empty() { Vec::new() } else { ranked(log, journeys, conversion, options, timed, funnel_candidates(conversion, funnel, chains)) };
    candidates.extend(outside.candidates);
    sort_by_loss(&mut candidates);
    candidates
}

/// Turns the tallies with at least `min_stopped` people stopped into candidates, sorted by the
/// conversions lost.
fn ranked(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &FrictionOptions, timed: bool, found: Vec<Tally>) -> Vec<Candidate> {
    let weeks = if timed { data_weeks(log) } else { None };
    let (average_order_value, _) = average_order_value(log, journeys, conversion);
    let mut candidates: Vec<Candidate> = found
        .into_iter()
        .filter(|tally| tally.stopped.len() as u64 >= options.min_stopped.max(1))
        .map(|tally| tally.into_candidate(average_order_value, weeks))
        .collect();
    sort_by_loss(&mut candidates);
    candidates
}

/// Sorts candidates by the conversions lost, most first, then by label.
fn sort_by_loss(candidates: &mut [Candidate]) {
    sorting::sort_by(candidates, |a, b| {
        b.finding.lost_conversions.total_cmp(&a.finding.lost_conversions).then_with(|| a.finding.label.cmp(&b.finding.label))
    });
}

/// One person who reached a place: their journey position there, and whether they stopped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reach {
    pub person: u32,
    pub position: u32,
    pub stopped: bool,
}

/// The counts behind one candidate before its rates are worked out.
struct Tally {
    kind: FrictionKind,
    label: String,
    /// Everyone who reached the place, for the hypotheses.
    reaches: Vec<Reach>,
    funnel_step: Option<usize>,
    /// For a stage skip: the stage skipped and the stage reached, and the converters among the
    /// people who skipped it.
    skip: Option<(String, String)>,
    stopped_converted: u64,
    section: &'static str,
    stopped: Vec<u32>,
    went_on: u64,
    converted: u64,
}

impl Tally {
    /// Works out the rates and, over a data span of `weeks`, the test plan.
    fn into_candidate(self, average_order_value: Option<f64>, weeks: Option<f64>) -> Candidate {
        let stopped = self.stopped.len() as u64;
        let rate = share(self.converted, self.went_on);
        let (low, high) = wilson(self.converted, self.went_on);
        // People who skip a stage can still convert, so a skip loses only the difference between
        // the two rates, with Newcombe's interval for a difference of two Wilson intervals.
        let (lost, lost_low, lost_high) = if self.kind == FrictionKind::StageSkip {
            let skip_rate = share(self.stopped_converted, stopped);
            let (skip_low, skip_high) = wilson(self.stopped_converted, stopped);
            let gap = rate - skip_rate;
            let below = ((rate - low).powi(2) + (skip_high - skip_rate).powi(2)).sqrt();
            let above = ((high - rate).powi(2) + (skip_rate - skip_low).powi(2)).sqrt();
            let people = stopped as f64;
            (people * gap.max(0.0), people * (gap - below).max(0.0), people * (gap + above).max(0.0))
        } else {
            let people = stopped as f64;
            (people * rate, people * low, people * high)
        };

        let revenue = |conversions: f64| average_order_value.map(|value| conversions * value);
        let sentence = match &self.skip {
            Some((skipped, reached)) => format!(
                "{stopped} people reached {reached} without a touchpoint in {skipped}, and {:.1}% of them converted, against {:.1}% of the {} who went through it, so about {lost:.1} conversions may have been lost by the skip.",
                share(self.stopped_converted, stopped) * 100.0,
                rate * 100.0,
                self.went_on
            ),
            None => sentence(self.kind, &self.label, stopped, self.went_on, rate, lost),
        };

        let reached = stopped + self.went_on;
        let interventions = interventions::for_finding(self.kind, &self.label);
        let metric = match self.kind {
            FrictionKind::FunnelStep => format!("the share of people at the step before who reach {}", self.label),
            FrictionKind::ExitPage => format!("the share of people at {} who go on", self.label),
            FrictionKind::EmailStop => format!("the share of people who opened {} and open a later message", self.label),
            FrictionKind::Silence => format!("the share of people silent for {} who come back", self.label),
            FrictionKind::StageSkip => format!("the share of people reaching {} through the earlier stage", self.label),
        };
        let test_plan = weeks.map(|weeks| plan::plan(metric, share(self.went_on, reached), reached as f64 / weeks));

        let finding = Finding {
            kind: self.kind,
            label: self.label,
            sentence,
            reached,
            stopped,
            went_on: self.went_on,
            converted: self.converted,
            went_on_rate: rate,
            went_on_rate_low: low,
            went_on_rate_high: high,
            lost_conversions: lost,
            lost_conversions_low: lost_low,
            lost_conversions_high: lost_high,
            lost_revenue: revenue(lost),
            lost_revenue_low: revenue(lost_low),
            lost_revenue_high: revenue(lost_high),
            section: self.section.to_string(),
            interventions,
            test_plan,
            hypotheses: Vec::new(),
            funnel_step: self.funnel_step,
            themes: Vec::new(),
        };
        Candidate { finding, stopped_people: self.stopped, reaches: self.reaches, tested: None }
    }
}

/// Writes a finding as one sentence from its numbers.
fn sentence(kind: FrictionKind, label: &str, stopped: u64, went_on: u64, rate: f64, lost: f64) -> String {
    let percent = rate * 100.0;
    let place = match kind {
        FrictionKind::FunnelStep => format!("{stopped} people dropped before {label}"),
        FrictionKind::ExitPage => format!("{stopped} people who did not convert left at {label}"),
        FrictionKind::EmailStop => format!("{stopped} people stopped opening after {label}"),
        FrictionKind::Silence => format!("{stopped} people who did not convert went silent for at least {label}"),
        FrictionKind::StageSkip => format!("{stopped} people reached {label}"),
    };
    format!("{place}. Of the {went_on} who went on, {percent:.1}% converted, so about {lost:.1} conversions were lost here.")
}

/// Funnel steps 2 and on: the people at the previous step who did not reach this one.
fn funnel_candidates(conversion: &Conversion, options: &FunnelOptions, chains: &[Vec<usize>]) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = options
        .steps
        .iter()
        .enumerate()
        .skip(1)
        .map(|(index, step)| Tally {
            kind: FrictionKind::FunnelStep,
            label: format!("step {} ({})", index + 1, step.event.trim()),
            reaches: Vec::new(),
            funnel_step: Some(index + 1),
            skip: None,
            stopped_converted: 0,
            section: "funnel",
            stopped: Vec::new(),
            went_on: 0,
            converted: 0,
        })
        .collect();
    for (person, chain) in chains.iter().enumerate() {
        let depth = chain.len();
        // Step k (1-based, k >= 2) is tallies[k - 2]: reached by depth >= k, stopped at depth k - 1.
        for (offset, tally) in tallies.iter_mut().enumerate() {
            let step = offset + 2;
            if depth < step - 1 {
                continue;
            }
            // The place is the event that filled the previous step.
            let reach = Reach { person: person as u32, position: chain[step - 2] as u32, stopped: depth == step - 1 };
            tally.reaches.push(reach);
            if reach.stopped {
                tally.stopped.push(person as u32);
            } else {
                tally.went_on += 1;
                tally.converted += u64::from(conversion.converted(person));
            }
        }
    }
    tallies
}

/// Stage skips: for each stage and each earlier one, the people who reached the stage (up to their
/// conversion) without a touchpoint in the earlier stage before, against those who went through
/// it.
fn stage_skip_candidates(journeys: &Journeys, conversion: &Conversion, names: &[String], stage_of: &[u16]) -> Vec<Tally> {
    let count = names.len();
    let mut tallies: Vec<Tally> = (0..count * count)
        .map(|index| {
            let (skipped, reached) = (index / count, index % count);
            Tally {
                kind: FrictionKind::StageSkip,
                label: format!("{} without {}", names[reached], names[skipped]),
                reaches: Vec::new(),
                funnel_step: None,
                skip: Some((names[skipped].clone(), names[reached].clone())),
                stopped_converted: 0,
                section: "stages",
                stopped: Vec::new(),
                went_on: 0,
                converted: 0,
            }
        })
        .collect();
    let mut first = vec![usize::MAX; count];
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let end = conversion.first[person].map_or(journey.len(), |position| position + 1);
        first.fill(usize::MAX);
        for (position, &at) in journey[..end].iter().enumerate() {
            let stage = usize::from(stage_of[at as usize]);
            if stage < count && first[stage] == usize::MAX {
                first[stage] = position;
            }
        }
        let converted = conversion.converted(person);
        for reached in 1..count {
            if first[reached] == usize::MAX {
                continue;
            }
            for skipped in 0..reached {
                let tally = &mut tallies[skipped * count + reached];
                if first[skipped] > first[reached] {
                    tally.stopped.push(person as u32);
                    tally.stopped_converted += u64::from(converted);
                } else {
                    tally.went_on += 1;
                    tally.converted += u64::from(converted);
                }
            }
        }
    }
    // Only pairs of an earlier and a later stage can be skipped.
    tallies.into_iter().enumerate().filter(|(index, _)| index / count < index % count).map(|(_, tally)| tally).collect()
}

/// Returns the page column for exit pages, if the data has one.
fn page_column(log: &EventLog) -> Option<usize> {
    log.properties.iter().position(|property| PAGE_COLUMNS.contains(&property.name.trim().to_lowercase().as_str()))
}

/// Exit pages: for each page (or event name where an event has no page), the non-converters whose
/// journey ends there, against the people who had it before converting, or anywhere in a
/// non-converting journey that goes on past it. Only places where at least `min_stopped` people
/// stopped are tallied, because a page column of tracking URLs can hold a distinct page for
/// nearly every event.
fn exit_candidates(log: &EventLog, journeys: &Journeys, conversion: &Conversion, min_stopped: u64) -> Vec<Tally> {
    let page = page_column(log);
    // A label is (0, event id) for an event name or (1, page id) for a page.
    let label_of = |at: usize| -> (u32, u32) {
        match page.map(|column| log.properties[column].codes[at]).filter(|&code| code != NONE) {
            Some(code) => (1, code),
            None => (0, log.event[at]),
        }
    };
    // People stop only where a non-converting journey ends, so those ends choose the places.
    let mut stops: HashMap<(u32, u32), u64> = HashMap::default();
    for person in 0..journeys.people() {
        if let Some(&last) = journeys.journey(person).last().filter(|_| !conversion.converted(person)) {
            *stops.entry(label_of(last as usize)).or_default() += 1;
        }
    }
    let mut rows: HashMap<(u32, u32), Tally> = stops
        .into_iter()
        .filter(|&(_, stopped)| stopped >= min_stopped)
        .map(|(label, _)| {
            let name = match label {
                (1, code) => page.map_or(String::new(), |column| log.properties[column].values.name(code).to_string()),
                (_, event) => log.event_names.name(event).to_string(),
            };
            let tally = Tally {
                kind: FrictionKind::ExitPage,
                reaches: Vec::new(),
                funnel_step: None,
                skip: None,
                stopped_converted: 0,
                label: name,
                section: "paths",
                stopped: Vec::new(),
                went_on: 0,
                converted: 0,
            };
            (label, tally)
        })
        .collect();
    // Each tallied label the journey has, with the position of its first event.
    let mut seen: Vec<((u32, u32), usize)> = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let Some(&last) = journey.last() else { continue };
        let converted = conversion.converted(person);
        let end = conversion.first[person].unwrap_or(journey.len());
        seen.clear();
        for (position, &at) in journey[..end].iter().enumerate() {
            let label = label_of(at as usize);
            if rows.contains_key(&label) && !seen.iter().any(|&(known, _)| known == label) {
                seen.push((label, position));
            }
        }
        let exit = (!converted).then(|| label_of(last as usize));
        for &(label, position) in &seen {
            let Some(tally) = rows.get_mut(&label) else { continue };
            let stopped = Some(label) == exit;
            tally.reaches.push(Reach { person: person as u32, position: position as u32, stopped });
            if stopped {
                tally.stopped.push(person as u32);
            } else {
                tally.went_on += 1;
                tally.converted += u64::from(converted);
            }
        }
    }
    let mut tallies: Vec<((u32, u32), Tally)> = rows.into_iter().collect();
    sorting::sort_by(&mut tallies, |(a_key, a), (b_key, b)| a.label.cmp(&b.label).then(a_key.cmp(b_key)));
    tallies.into_iter().map(|(_, tally)| tally).collect()
}

/// E-mail messages: the people who opened message m and opened none of the later messages they
/// were sent, against those who opened a later one.
fn email_candidates(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> Vec<Tally> {
    let Some(people) = person_messages(log, journeys) else { return Vec::new() };
    let mut tallies: Vec<Tally> = Vec::new();
    for (person, messages) in people.iter().enumerate() {
        for (number, message) in messages.iter().enumerate() {
            let later = &messages[number + 1..];
            if !message.opened || later.is_empty() {
                continue;
            }
            while tallies.len() <= number {
                let label = format!("e-mail {}", tallies.len() + 1);
                tallies.push(Tally {
                    kind: FrictionKind::EmailStop,
                    label,
                    reaches: Vec::new(),
                    funnel_step: None,
                    skip: None,
                    stopped_converted: 0,
                    section: "email",
                    stopped: Vec::new(),
                    went_on: 0,
                    converted: 0,
                });
            }
            let tally = &mut tallies[number];
            let stopped = !later.iter().any(|message| message.opened);
            tally.reaches.push(Reach { person: person as u32, position: message.position() as u32, stopped });
            if stopped {
                tally.stopped.push(person as u32);
            } else {
                tally.went_on += 1;
                tally.converted += u64::from(conversion.converted(person));
            }
        }
    }
    tallies
}

/// Silences: non-converters whose last event lies at least `threshold` before the end of the data,
/// against the people who came back after a silence that long before converting, or at all when
/// they never converted.
fn silence_candidate(log: &EventLog, journeys: &Journeys, conversion: &Conversion, threshold: i64) -> Option<Tally> {
    let data_end = log.time.iter().copied().max()?;
    let mut tally = Tally {
        kind: FrictionKind::Silence,
        label: funnel::describe_duration(threshold),
        reaches: Vec::new(),
        funnel_step: None,
        skip: None,
        stopped_converted: 0,
        section: "silences",
        stopped: Vec::new(),
        went_on: 0,
        converted: 0,
    };
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let Some(&last) = journey.last() else { continue };
        // A converter's silences count up to the conversion, a non-converter's over the journey.
        let span = conversion.first[person].map_or(journey, |position| &journey[..=position]);
        let came_back = span.windows(2).position(|pair| log.time[pair[1] as usize] - log.time[pair[0] as usize] >= threshold);
        let converted = conversion.converted(person);
        if let Some(position) = came_back {
            tally.reaches.push(Reach { person: person as u32, position: position as u32, stopped: false });
            tally.went_on += 1;
            tally.converted += u64::from(converted);
        } else if !converted && data_end - log.time[last as usize] >= threshold {
            tally.reaches.push(Reach { person: person as u32, position: journey.len() as u32 - 1, stopped: true });
            tally.stopped.push(person as u32);
        }
    }
    Some(tally)
}

/// Returns the span of the data in weeks, at least one week.
fn data_weeks(log: &EventLog) -> Option<f64> {
    let first = log.time.iter().min()?;
    let last = log.time.iter().max()?;
    Some(((last - first) as f64 / 604_800_000.0).max(1.0))
}

/// Returns the mean value of the first conversion events that have a positive value, and how many
/// do.
fn average_order_value(log: &EventLog, journeys: &Journeys, conversion: &Conversion) -> (Option<f64>, u64) {
    let values = (0..journeys.people()).filter_map(|person| {
        let position = conversion.first[person]?;
        let value = log.value[journeys.journey(person)[position] as usize];
        (value > 0.0).then_some(value)
    });
    let (total, count) = super::stats::sum(values);
    ((count > 0).then(|| total / count as f64), count)
}

/// Returns the 95% Wilson score interval of `successes` out of `trials`; (0, 0) for no trials.
pub fn wilson(successes: u64, trials: u64) -> (f64, f64) {
    super::stats::wilson(successes, trials, Z_95)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::funnel::FunnelStep;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from `(person, minute, event)` rows. An event written `name@channel`, such as
    /// `sent@m1`, gets that channel, which names the message of an e-mail event.
    fn log_of(rows: &[(&str, i64, &str)]) -> EventLog {
        let mut log = EventLog::default();
        for (row, &(person, minute, event)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let (event, channel) = event.split_once('@').map_or((event, None), |(event, channel)| (event, Some(channel)));
            let new = NewEvent { person, time: minute * 60_000, event, channel, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, []);
        }
        log
    }

    /// p1 and p5 do a, b, buy; p2 stops after b; p3 after a; p4 does a, then x.
    const SHOP: &[(&str, i64, &str)] = &[
        ("p1", 0, "a"), ("p1", 1, "b"), ("p1", 2, "buy"),
        ("p2", 0, "a"), ("p2", 1, "b"),
        ("p3", 0, "a"),
        ("p4", 0, "a"), ("p4", 1, "x"),
        ("p5", 0, "a"), ("p5", 1, "b"), ("p5", 2, "buy"),
    ];

    fn funnel_of(steps: &[&str]) -> FunnelOptions {
        FunnelOptions { steps: steps.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect(), ..FunnelOptions::default() }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-12
    }

    #[test]
    fn wilson_matches_statsmodels() {
        // statsmodels 0.15.0 proportion_confint(k, n, alpha=0.05, method="wilson").
        let cases = [(2, 3, 0.2076596008020477, 0.9385080552796037), (0, 5, 0.0, 0.43448246478317487), (5, 5, 0.5655175352168252, 1.0), (37, 120, 0.23272736988916298, 0.39582997723800684)];
        for (successes, trials, low, high) in cases {
            let (actual_low, actual_high) = wilson(successes, trials);
            assert!(close(actual_low, low), "{successes}/{trials}: low {actual_low}");
            assert!(close(actual_high, high), "{successes}/{trials}: high {actual_high}");
        }
        assert_eq!(wilson(0, 0), (0.0, 0.0));
    }

    #[test]
    fn exit_tallies_min_stopped() {
        // The shop's journeys and p6, who also stops after b. Exits: b twice (p2, p6), a once
        // (p3), x once (p4).
        let log = log_of(&[SHOP, &[("p6", 0, "a"), ("p6", 1, "b")]].concat());
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let summary = |min_stopped: u64| -> Vec<(String, u64, u64, u64, Vec<u32>)> {
            let options = FrictionOptions { min_stopped, top: 10 };
            let outside = outside_funnel(&log, &journeys, &conversion, None, &options, None, true).unwrap();
            outside
                .candidates
                .iter()
                .map(|candidate| {
                    let finding = &candidate.finding;
                    (finding.label.clone(), finding.stopped, finding.went_on, finding.converted, candidate.stopped_people.clone())
                })
                .collect()
        };
        let all = summary(1);
        assert_eq!(all.iter().map(|row| row.0.as_str()).collect::<Vec<_>>(), ["b", "a", "x"]);
        let two_or_more: Vec<_> = all.into_iter().filter(|row| row.1 >= 2).collect();
        assert_eq!(summary(2), two_or_more);
        assert_eq!(two_or_more[0], ("b".to_string(), 2, 2, 2, vec![1, 5]));
        assert!(summary(3).is_empty());
    }

    #[test]
    fn ranks_funnel_steps_and_exits_by_lost_conversions() {
        let log = log_of(SHOP);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let options = FrictionOptions { min_stopped: 1, top: 10 };
        let found = candidates(&log, &journeys, &conversion, &funnel_of(&["a", "b", "buy"]), &[], &options, None, true).unwrap().unwrap();
        let ranked: Vec<(&str, u64, u64, u64, f64)> = found
            .iter()
            .map(|candidate| {
                let finding = &candidate.finding;
                (finding.label.as_str(), finding.stopped, finding.went_on, finding.converted, finding.lost_conversions)
            })
            .collect();
        // Step 2: p3 and p4 stop, and 2 of the 3 who go on convert: 2 × 2/3 lost. Step 3 and the
        // exit at b each lose 1: p2 stops, and both who go on convert. The exit at a loses 1/2:
        // p3 stops, and 2 of the 4 who go on convert. No one goes on after x.
        assert_eq!(ranked[0].0, "step 2 (b)");
        assert_eq!(ranked[0].1..=ranked[0].3, 2..=2);
        assert_eq!(ranked[0].2, 3);
        assert!(close(ranked[0].4, 4.0 / 3.0));
        assert_eq!((ranked[1].0, ranked[1].1, ranked[1].2, ranked[1].4), ("b", 1, 2, 1.0));
        assert_eq!((ranked[2].0, ranked[2].1, ranked[2].2, ranked[2].4), ("step 3 (buy)", 1, 2, 1.0));
        assert_eq!((ranked[3].0, ranked[3].1, ranked[3].2, ranked[3].3, ranked[3].4), ("a", 1, 4, 2, 0.5));
        assert_eq!((ranked[4].0, ranked[4].2, ranked[4].4), ("x", 0, 0.0));
        assert_eq!(found[0].stopped_people, [2, 3]);
        let top = &found[0].finding;
        let (low, high) = wilson(2, 3);
        assert!(close(top.lost_conversions_low, 2.0 * low));
        assert!(close(top.lost_conversions_high, 2.0 * high));
        assert_eq!(top.sentence, "2 people dropped before step 2 (b). Of the 3 who went on, 66.7% converted, so about 1.3 conversions were lost here.");

        // The data spans minutes, so a week at least: 5 people a week reach the step, and 3 of 5
        // go on.
        let plan = top.test_plan.as_ref().unwrap();
        assert_eq!(plan.metric, "the share of people at the step before who reach step 2 (b)");
        assert!(close(plan.baseline_rate, 0.6));
        assert!(close(plan.weekly_people, 5.0));
        assert_eq!(top.interventions[0].title, "Answer \"is it worth it\" with testimonials");
    }

    #[test]
    fn silences_and_emails_lose_people() {
        // A day is 1440 minutes. s1 goes quiet for 40 days, comes back and buys. s2 goes quiet for
        // 40 days and comes back without buying. s3 and s4 stop for good 50 days before the data
        // ends. s5 comes back after 50 days, at the end of the data, without buying.
        let day = 1_440;
        let log = log_of(&[
            ("s1", 0, "visit"), ("s1", 40 * day, "visit"), ("s1", 41 * day, "buy"),
            ("s2", 0, "visit"), ("s2", 40 * day, "visit"),
            ("s3", 0, "visit"),
            ("s4", 0, "visit"),
            ("s5", 0, "visit"), ("s5", 50 * day, "visit"),
        ]);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let options = FrictionOptions { min_stopped: 1, top: 10 };
        let found = candidates(&log, &journeys, &conversion, &FunnelOptions::default(), &[], &options, Some(30 * 86_400_000), true).unwrap().unwrap();
        let silence = found.iter().find(|candidate| candidate.finding.kind == FrictionKind::Silence).unwrap();
        assert_eq!(silence.finding.label, "30 days");
        assert_eq!((silence.finding.stopped, silence.finding.went_on, silence.finding.converted), (2, 3, 1));
        assert!(close(silence.finding.lost_conversions, 2.0 / 3.0));
        assert_eq!(silence.stopped_people, [2, 3]);

        // e1 opens both messages and buys; e2 opens the first and not the second; e3 opens none.
        let log = log_of(&[
            ("e1", 0, "sent@m1"), ("e1", 1, "open@m1"), ("e1", 2, "sent@m2"), ("e1", 3, "open@m2"), ("e1", 4, "buy"),
            ("e2", 0, "sent@m1"), ("e2", 1, "open@m1"), ("e2", 2, "sent@m2"),
            ("e3", 0, "sent@m1"), ("e3", 2, "sent@m2"),
        ]);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let found = candidates(&log, &journeys, &conversion, &FunnelOptions::default(), &[], &options, None, true).unwrap().unwrap();
        let email = found.iter().find(|candidate| candidate.finding.kind == FrictionKind::EmailStop).unwrap();
        assert_eq!(email.finding.label, "e-mail 1");
        assert_eq!((email.finding.stopped, email.finding.went_on, email.finding.converted), (1, 1, 1));
        assert_eq!(email.stopped_people, [1]);
    }

    #[test]
    fn stage_skip_loses_rate_difference() {
        // p1, p4 and p5 go through stage A before B, and 2 of the 3 buy. p2 and p3 reach B
        // without A, and 1 of the 2 buys, so the skip loses 2 × (2/3 − 1/2) = 1/3.
        let log = log_of(&[
            ("p1", 0, "a"), ("p1", 1, "b"), ("p1", 2, "buy"),
            ("p2", 0, "b"), ("p2", 1, "buy"),
            ("p3", 0, "b"),
            ("p4", 0, "a"), ("p4", 1, "b"),
            ("p5", 0, "a"), ("p5", 1, "b"), ("p5", 2, "buy"),
        ]);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let stage = |name: &str, event: &str| StageDefinition { name: name.to_string(), rules: vec![stages::StageRule { event: event.to_string(), ..stages::StageRule::default() }] };
        let stages = [stage("A", "a"), stage("B", "b")];
        let options = FrictionOptions { min_stopped: 1, top: 10 };
        let found = candidates(&log, &journeys, &conversion, &FunnelOptions::default(), &stages, &options, None, true).unwrap().unwrap();
        let skip = found.iter().find(|candidate| candidate.finding.kind == FrictionKind::StageSkip).unwrap();
        assert_eq!(skip.finding.label, "B without A");
        assert_eq!((skip.finding.stopped, skip.finding.went_on, skip.finding.converted), (2, 3, 2));
        assert!(close(skip.finding.lost_conversions, 1.0 / 3.0));
        assert!(skip.finding.lost_conversions_low <= skip.finding.lost_conversions);
        assert!(skip.finding.lost_conversions_high >= skip.finding.lost_conversions);
        assert_eq!(skip.stopped_people, [1, 2]);
        assert_eq!(
            skip.finding.sentence,
            "2 people reached B without a touchpoint in A, and 50.0% of them converted, against 66.7% of the 3 who went through it, so about 0.3 conversions may have been lost by the skip."
        );
    }

    #[test]
    fn nothing_is_lost_without_a_conversion_event() {
        let log = log_of(&[("p1", 0, "a")]);
        let journeys = Journeys::build(&log);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        let options = FrictionOptions::default();
        assert!(outside_funnel(&log, &journeys, &conversion, None, &options, None, true).is_none());
        assert!(candidates(&log, &journeys, &conversion, &FunnelOptions::default(), &[], &options, None, true).unwrap().is_none());
    }
}
