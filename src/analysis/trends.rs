//! Change over time: weekly cohorts with change-point detection on their rates, a comparison of
//! two chosen periods, before and after each marked change, and against a saved baseline, with
//! alerts for the shifts that matter.
//!
//! A person belongs to the ISO week (Monday to Sunday, in the load's time zone) and to the period
//! of their first event. Steps and conversions count only within the window from that first
//! event, and a week whose last person has not had the whole window before the data ends is
//! marked incomplete and left out of change detection. docs/metrics.md (Trends) gives the rules.

pub mod changepoint;

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::aggregates::{Facts, PeriodAggregates};
use super::compare::{compare, Comparison, Direction, Metric};
use super::funnel::{parse_duration, FunnelOptions};
use super::memo::Cached;
use super::stats::{self, median};
use super::voice::VoiceReport;
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};
use changepoint::Counts;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// The seed of the simulations that set the penalties, so that a report is reproducible.
const SEED: u64 = 0x7472_656E_6473;

/// Options of the trends and comparisons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendsOptions {
    /// The time from a person's first event within which steps and conversions count, such as
    /// `30d`.
    pub window: String,
    /// The probability, over all rate series together, of flagging a change in data without one.
    /// It is also the q-value under which a compared difference counts as significant.
    pub alpha: f64,
    /// The minimum number of weeks in a segment between change points.
    pub min_weeks: usize,
    /// Two periods of this upload to compare; `None` for no period comparison.
    pub periods: Option<PeriodPair>,
    /// Dates of changes the user made, each compared before and after.
    pub change_dates: Vec<ChangeDate>,
    /// Weeks before and after each change date to compare, fewer when the data is shorter.
    pub change_weeks: usize,
    /// A saved baseline (the JSON of [`PeriodAggregates`]) to compare this upload with.
    pub baseline: Option<String>,
}

impl Default for TrendsOptions {
    fn default() -> Self {
        TrendsOptions { window: "30d".to_string(), alpha: 0.05, min_weeks: 2, periods: None, change_dates: Vec::new(), change_weeks: 4, baseline: None }
    }
}

/// Dates as `YYYY-MM-DD` in the load's time zone; `from` is included and `to` is not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    pub from: String,
    pub to: String,
}

/// The two periods of a period comparison: A, usually the earlier, and B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodPair {
    pub a: DateRange,
    pub b: DateRange,
}

/// A change the user made, such as a new pricing page, on a `YYYY-MM-DD` date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeDate {
    pub date: String,
    pub label: String,
}

/// One weekly cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The Monday that starts the week, `YYYY-MM-DD`.
    pub start: String,
    pub people: u64,
    /// False when the week ends less than the window before the last event, so its people have
    /// not all had the whole window.
    pub complete: bool,
    pub converters: u64,
    /// People reaching each funnel step within the window, in step order.
    pub steps: Vec<u64>,
    /// Median time from the previous step's event, per step; `None` for step 1 and for steps
    /// that no person reached.
    pub median_ms_from_previous: Vec<Option<f64>>,
    pub median_ms_to_convert: Option<f64>,
}

/// A shift in a weekly rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoint {
    /// The Monday of the first week at the new rate.
    pub date: String,
    /// Index of that week in `weeks`.
    pub week: usize,
    /// Pooled rates of the segments before and after.
    pub rate_before: f64,
    pub rate_after: f64,
    /// The likelihood ratio of splitting the two segments here, divided by the dispersion.
    pub likelihood_ratio: f64,
    /// The share of simulated series over the two segments without a change whose largest split
    /// is at least as large.
    pub p_value: f64,
}

/// One weekly rate with its change points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateSeries {
    pub metric: Metric,
    /// `conversion` or `step 3 (checkout)`.
    pub label: String,
    /// The rate per week; `None` for an incomplete week or one without trials.
    pub rates: Vec<Option<f64>>,
    /// The overdispersion factor the costs are divided by, at least 1.
    pub dispersion: f64,
    /// The penalty per change point.
    pub penalty: f64,
    pub change_points: Vec<ChangePoint>,
}

/// Before and after one marked change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeComparison {
    pub date: String,
    pub label: String,
    /// Weeks compared on each side; 0 when the data has no complete week on one side.
    pub weeks: usize,
    /// `None` when `weeks` is 0.
    pub comparison: Option<Comparison>,
}

/// The kind of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A weekly rate shifted.
    ChangePoint,
    /// A step's rate fell significantly between compared periods: its drop-off grew.
    DropOffGrew,
    /// One metric improved significantly and another worsened significantly.
    TradeOff,
    /// A survey theme's share of answers grew significantly in the latest month.
    ThemeGrowing,
}

/// Something that changed and deserves a look, for the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// `weekly trend`, `periods`, `baseline`, `change on DATE` or `survey themes`.
    pub source: String,
    /// The metric's label.
    pub label: String,
    pub message: String,
}

/// Trends, comparisons and the baseline of this upload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendsReport {
    pub window_ms: i64,
    pub weeks: Vec<Week>,
    pub series: Vec<RateSeries>,
    /// `None` without periods in the options.
    pub periods: Option<Comparison>,
    pub changes: Vec<ChangeComparison>,
    /// The comparison with the baseline in the options (A) and this upload's complete cohorts (B).
    pub baseline_comparison: Option<Comparison>,
    /// The aggregates of this upload's people who have had the whole window, to save as a baseline.
    pub baseline: PeriodAggregates,
    pub alerts: Vec<Alert>,
}

/// Computes the weekly trends and every comparison the options ask for. `None` for an empty log.
#[allow(clippy::too_many_arguments)]
pub(super) fn compute(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    funnel: &FunnelOptions,
    chains: &[Vec<usize>],
    collapse_repeats: bool,
    options: &TrendsOptions,
    zone: Tz,
    null_maxima: &mut Cached<Arc<Vec<f64>>>,
) -> Result<Option<TrendsReport>, Error> {
    check(options)?;
    let window_ms = parse_duration(&options.window).map_err(|_| {
        Error::Options(format!("The trend window \"{}\" is not a duration. Write a number and a unit, such as 30d or 12w.", options.window))
    })?;
    let facts = Facts::collect(log, journeys, conversion, funnel, chains, window_ms, collapse_repeats);
    let Some(data_start_ms) = facts.people.iter().map(|person| person.first_ms).min() else { return Ok(None) };
    let complete_end_ms = facts.data_end_ms - window_ms + 1;

    let weeks = weekly(&facts, zone, data_start_ms);
    let series = rate_series(&facts, &weeks, options, null_maxima);
    let mut alerts: Vec<Alert> = series.iter().flat_map(change_point_alerts).collect();

    let periods = match &options.periods {
        None => None,
        Some(pair) => {
            let a = period(&facts, &pair.a, "A", zone)?;
            let b = period(&facts, &pair.b, "B", zone)?;
            let mut comparison = compare(&a.0, &b.0, options.alpha);
            for (name, end_ms) in [("A", a.1), ("B", b.1)] {
                if end_ms > complete_end_ms {
                    comparison.notes.push(format!("Period {name} ends less than the window before the last event, so its last people have had less time to convert. Their steps and conversions after the data ends are missing."));
                }
            }
            alerts.extend(comparison_alerts(&comparison, "periods"));
            Some(comparison)
        }
    };

    let mut changes = Vec::new();
    for change in &options.change_dates {
        let date_ms = local_midnight(parse_date(&change.date, "change date")?, zone);
        let before = (date_ms - data_start_ms).div_euclid(WEEK_MS);
        let after = (complete_end_ms - date_ms).div_euclid(WEEK_MS);
        let weeks = (options.change_weeks as i64).min(before).min(after).max(0) as usize;
        let comparison = (weeks > 0).then(|| {
            let span = weeks as i64 * WEEK_MS;
            compare(&facts.aggregate("before", date_ms - span, date_ms), &facts.aggregate("after", date_ms, date_ms + span), options.alpha)
        });
        let source = format!("change on {}", change.date.trim());
        alerts.extend(comparison.iter().flat_map(|comparison| comparison_alerts(comparison, &source)));
        changes.push(ChangeComparison { date: change.date.trim().to_string(), label: change.label.clone(), weeks, comparison });
    }

    let baseline = facts.aggregate("complete cohorts", i64::MIN, complete_end_ms);
    let baseline_comparison = match options.baseline.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => {
            let saved = PeriodAggregates::parse_baseline(text)?;
            let comparison = compare(&saved, &baseline, options.alpha);
            alerts.extend(comparison_alerts(&comparison, "baseline"));
            Some(comparison)
        }
    };
    Ok(Some(TrendsReport { window_ms, weeks, series, periods, changes, baseline_comparison, baseline, alerts }))
}

/// Adds an alert for each survey theme that grew significantly in the latest month.
pub fn add_theme_alerts(report: &mut TrendsReport, voice: &VoiceReport) {
    let Some(by_month) = voice.by_month.as_ref() else { return };
    let latest = by_month.months.last().cloned().unwrap_or_default();
    for growth in by_month.growth.iter().filter(|growth| growth.growing) {
        let label = voice.themes.get(growth.theme).map_or_else(String::new, |theme| theme.label.clone());
        report.alerts.push(Alert {
            kind: AlertKind::ThemeGrowing,
            source: "survey themes".to_string(),
            message: format!(
                "The survey theme \"{label}\" grew from {:.1}% to {:.1}% of answers in {latest} ({}).",
                100.0 * growth.previous_share,
                100.0 * growth.latest_share,
                stats::probability_text("q", growth.q_value)
            ),
            label,
        });
    }
}

fn check(options: &TrendsOptions) -> Result<(), Error> {
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(Error::Options(format!("The trend alpha must lie between 0 and 1, not {}.", options.alpha)));
    }
    if options.min_weeks == 0 {
        return Err(Error::Options("The minimum number of weeks between change points (min_weeks) must be at least 1, not 0.".to_string()));
    }
    if options.change_weeks == 0 {
        return Err(Error::Options("The weeks compared around a change date must be at least 1, not 0.".to_string()));
    }
    Ok(())
}

/// Builds the weekly cohorts from the first week with people to the last.
fn weekly(facts: &Facts, zone: Tz, data_start_ms: i64) -> Vec<Week> {
    let first_monday = monday(data_start_ms, zone);
    let last_monday = monday(facts.data_end_ms, zone);
    let count = ((last_monday - first_monday).num_days() / 7 + 1).max(1) as usize;
    let steps = facts.steps.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (index, person) in facts.people.iter().enumerate() {
        let week = ((monday(person.first_ms, zone) - first_monday).num_days() / 7) as usize;
        if let Some(list) = members.get_mut(week) {
            list.push(index);
        }
    }
    members
        .iter()
        .enumerate()
        .map(|(week, list)| {
            let start = first_monday.checked_add_signed(Duration::days(7 * week as i64)).unwrap_or(first_monday);
            let end_ms = local_midnight(start.checked_add_signed(Duration::days(7)).unwrap_or(start), zone);
            let people: Vec<_> = list.iter().map(|&index| &facts.people[index]).collect();
            let mut reached = vec![0u64; steps];
            let mut gaps: Vec<Vec<f64>> = vec![Vec::new(); steps];
            for person in &people {
                for (step, &at) in person.step_ms.iter().enumerate() {
                    reached[step] += 1;
                    if step > 0 {
                        gaps[step].push((at - person.step_ms[step - 1]) as f64);
                    }
                }
            }
            let mut to_convert: Vec<f64> = people.iter().filter_map(|person| person.to_convert_ms).map(|ms| ms as f64).collect();
            Week {
                start: start.format("%Y-%m-%d").to_string(),
                people: people.len() as u64,
                complete: end_ms - 1 + facts.window_ms <= facts.data_end_ms,
                converters: people.iter().filter(|person| person.converted).count() as u64,
                steps: reached,
                median_ms_from_previous: gaps.iter_mut().map(|gap| median(gap)).collect(),
                median_ms_to_convert: median(&mut to_convert),
            }
        })
        .collect()
}

/// Builds the conversion series and one series per funnel step after the first, and finds their
/// change points with a penalty that shares `alpha` equally among the series whose rate varies.
/// A series whose every week is at 0 or at 1 cannot have a change point, so it takes no share.
/// Takes the simulated maxima from `null_maxima` where an earlier report simulated the same trials.
fn rate_series(facts: &Facts, weeks: &[Week], options: &TrendsOptions, null_maxima: &mut Cached<Arc<Vec<f64>>>) -> Vec<RateSeries> {
    let mut simulate = |trials: &[u64], seed: u64| -> Arc<Vec<f64>> {
        let compute = || Ok(Arc::new(changepoint::null_maxima(trials, options.min_weeks, seed)));
        // `compute` never returns an error, so neither does `get_or`.
        null_maxima.get_or(&(trials, options.min_weeks, seed), compute).unwrap_or_default()
    };
    let mut candidates: Vec<(Metric, String, Vec<Counts>)> = Vec::new();
    let counts = |pick: &dyn Fn(&Week) -> (u64, u64)| -> Vec<Counts> {
        weeks
            .iter()
            .map(|week| {
                let (successes, trials) = if week.complete { pick(week) } else { (0, 0) };
                Counts { successes, trials }
            })
            .collect()
    };
    if facts.conversion_event.is_some() {
        candidates.push((Metric::Conversion, "conversion".to_string(), counts(&|week| (week.converters, week.people))));
    }
    for step in 1..facts.steps.len() {
        let label = format!("step {} ({})", step + 1, facts.steps[step]);
        candidates.push((Metric::Step, label, counts(&|week| (week.steps[step], week.steps[step - 1]))));
    }
    let varying = candidates.iter().filter(|(_, _, series)| series.iter().any(|week| week.successes > 0 && week.successes < week.trials)).count();
    let level = options.alpha / varying.max(1) as f64;
    candidates
        .into_iter()
        .enumerate()
        .map(|(index, (metric, label, series))| {
            let trials: Vec<u64> = series.iter().map(|week| week.trials).collect();
            let maxima = simulate(&trials, SEED + index as u64);
            let penalty = changepoint::upper_quantile(&maxima, level);
            let dispersion = changepoint::dispersion(&series);
            // A penalty of 0 means no split was possible in the simulations, so none is tried.
            let cuts = if penalty > 0.0 { changepoint::segment(&series, penalty, dispersion, options.min_weeks) } else { Vec::new() };
            let mut bounds = vec![0];
            bounds.extend(&cuts);
            bounds.push(series.len());
            let change_points = cuts
                .iter()
                .enumerate()
                .map(|(at, &week)| {
                    let (start, end) = (bounds[at], bounds[at + 2]);
                    let likelihood_ratio = changepoint::split_ratio(&series, start, week, end, dispersion);
                    let local = simulate(&trials[start..end], SEED + index as u64);
                    ChangePoint {
                        date: weeks[week].start.clone(),
                        week,
                        rate_before: changepoint::pooled_rate(&series, start, week),
                        rate_after: changepoint::pooled_rate(&series, week, end),
                        likelihood_ratio,
                        p_value: changepoint::simulated_p(&local, likelihood_ratio),
                    }
                })
                .collect();
            let rates = series.iter().map(|week| (week.trials > 0).then(|| week.successes as f64 / week.trials as f64)).collect();
            RateSeries { metric, label, rates, dispersion, penalty, change_points }
        })
        .collect()
}

fn change_point_alerts(series: &RateSeries) -> Vec<Alert> {
    series
        .change_points
        .iter()
        .map(|point| {
            let verb = if point.rate_after < point.rate_before { "fell" } else { "rose" };
            Alert {
                kind: AlertKind::ChangePoint,
                source: "weekly trend".to_string(),
                label: series.label.clone(),
                message: format!(
                    "{}: the rate {verb} from {:.1}% to {:.1}% for people who arrived from the week of {} on (likelihood ratio {:.1}, {}).",
                    capitalise(&series.label),
                    100.0 * point.rate_before,
                    100.0 * point.rate_after,
                    point.date,
                    point.likelihood_ratio,
                    stats::probability_text("p", point.p_value)
                ),
            }
        })
        .collect()
}

/// Returns an alert for each step whose rate fell significantly, and one for a trade-off.
fn comparison_alerts(comparison: &Comparison, source: &str) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = comparison
        .changes
        .iter()
        .filter(|change| change.metric == Metric::Step && change.direction == Direction::Worse)
        .map(|change| Alert {
            kind: AlertKind::DropOffGrew,
            source: source.to_string(),
            label: change.label.clone(),
            message: format!(
                "{}: the drop-off grew from {:.1}% to {:.1}% ({}, {}).",
                capitalise(&change.label),
                100.0 * (1.0 - change.test.a_rate),
                100.0 * (1.0 - change.test.b_rate),
                source,
                stats::probability_text("q", change.q_value)
            ),
        })
        .collect();
    if comparison.trade_off {
        alerts.push(Alert {
            kind: AlertKind::TradeOff,
            source: source.to_string(),
            label: comparison.worsened.join(", "),
            message: format!("Improved: {}. Worse: {} ({source}).", comparison.improved.join(", "), comparison.worsened.join(", ")),
        });
    }
    alerts
}

/// Returns the aggregates of one period and the instant its range ends.
fn period(facts: &Facts, range: &DateRange, name: &str, zone: Tz) -> Result<(PeriodAggregates, i64), Error> {
    let from = parse_date(&range.from, &format!("period {name} start"))?;
    let to = parse_date(&range.to, &format!("period {name} end"))?;
    if to <= from {
        return Err(Error::Options(format!("Period {name} ends on {to}, not after it starts on {from}. Give the end as the day after the last day, such as 2024-02-01 for January.")));
    }
    let (from_ms, to_ms) = (local_midnight(from, zone), local_midnight(to, zone));
    Ok((facts.aggregate(&format!("{name}: {from} to {to}"), from_ms, to_ms), to_ms))
}

fn parse_date(text: &str, what: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::Options(format!("The {what} \"{}\" is not a date; write it as YYYY-MM-DD, such as 2024-02-15.", text.trim())))
}

/// Returns the Monday of the local week that contains `millis`.
fn monday(millis: i64, zone: Tz) -> NaiveDate {
    let date = DateTime::from_timestamp_millis(millis).map_or(NaiveDate::MIN, |time| zone.from_utc_datetime(&time.naive_utc()).date_naive());
    date.checked_sub_signed(Duration::days(i64::from(date.weekday().num_days_from_monday()))).unwrap_or(date)
}

/// Returns the instant of local midnight that starts `date`, or the first instant after it when
/// a daylight-saving change skips midnight.
fn local_midnight(date: NaiveDate, zone: Tz) -> i64 {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&naive).earliest() {
        Some(time) => time.timestamp_millis(),
        None => zone.from_local_datetime(&(naive + Duration::hours(1))).earliest().map_or_else(|| naive.and_utc().timestamp_millis(), |time| time.timestamp_millis()),
    }
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    characters.next().map_or_else(String::new, |first| first.to_uppercase().chain(characters).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monday_in_zone() {
        // 2024-03-31 23:30 UTC is Monday 2024-04-01 01:30 in Berlin (summer time).
        let millis = DateTime::parse_from_rfc3339("2024-03-31T23:30:00Z").unwrap().timestamp_millis();
        assert_eq!(monday(millis, chrono_tz::UTC).to_string(), "2024-03-25");
        assert_eq!(monday(millis, chrono_tz::Europe::Berlin).to_string(), "2024-04-01");
    }

    #[test]
    fn dates_reject_other_forms() {
        let error = parse_date("15/02/2024", "change date").unwrap_err().to_string();
        assert!(error.contains("\"15/02/2024\""), "{error}");
        assert!(error.contains("YYYY-MM-DD"), "{error}");
    }

    #[test]
    fn options_are_checked() {
        let error = check(&TrendsOptions { alpha: 1.5, ..TrendsOptions::default() }).unwrap_err().to_string();
        assert!(error.contains("1.5"), "{error}");
        assert!(check(&TrendsOptions { min_weeks: 0, ..TrendsOptions::default() }).is_err());
        assert!(check(&TrendsOptions::default()).is_ok());
    }
}
