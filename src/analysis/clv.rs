//! Customer lifetime value. The BG/NBD model of repeat purchases (Fader, Hardie and Lee, 2005) and
//! the Gamma-Gamma model of the value per purchase are both fitted by maximum likelihood on
//! per-customer summaries of a calibration period.
//!
//! A purchase is an event of the conversion event, or any event with a value when no conversion
//! event is set. Purchases are counted on whole days in the load's time zone, so several on one
//! day are one transaction whose value is their sum. For each customer whose first purchase falls
//! on or before the cut-off date: frequency x is the number of purchase days after the first,
//! recency t_x the time from the first to the last purchase day, and age T the time from the first
//! purchase day to the cut-off date, in the chosen unit. The monetary value of the Gamma-Gamma
//! model is the mean value of the repeat purchase days, as the lifetimes package computes it.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use argmin_math::{ArgminAdd, ArgminMul, ArgminSub};
use chrono::{DateTime, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;
use std::collections::BTreeMap;

use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys};
use crate::sorting;

/// Iterations of one Nelder-Mead run; the fit restarts once from the best point.
const MAX_ITERATIONS: u64 = 4_000;

/// Terms of the Gauss hypergeometric series before it is taken as converged.
const MAX_SERIES_TERMS: usize = 10_000;

/// The unit of recency, age and the prediction horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Days,
    /// Seven days, the unit of the published CDNOW fits.
    #[default]
    Weeks,
}

impl TimeUnit {
    fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }
}

/// Options for customer lifetime value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClvOptions {
    /// The last day of the calibration period, as YYYY-MM-DD. `None` takes the day of the last
    /// event, so every purchase is in the calibration period.
    pub cutoff: Option<String>,
    pub unit: TimeUnit,
    /// False skips both fits and reports only the summaries.
    pub fit: bool,
    /// The prediction horizon after the cut-off, in `unit`.
    pub horizon: f64,
    /// The number of customers listed, by expected lifetime value.
    pub top: usize,
}

impl Default for ClvOptions {
    fn default() -> ClvOptions {
        ClvOptions { cutoff: None, unit: TimeUnit::Weeks, fit: true, horizon: 52.0, top: 20 }
    }
}

/// One customer's calibration summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerSummary {
    pub person: usize,
    pub frequency: f64,
    pub recency: f64,
    pub age: f64,
    /// The mean value of the repeat purchase days; `None` without repeats or without values.
    pub monetary: Option<f64>,
    /// Purchase days after the cut-off.
    pub holdout_purchases: u64,
}

/// BG/NBD parameters: r and alpha of the gamma purchase rates, a and b of the beta dropout
/// probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
    pub customers: u64,
}

/// Gamma-Gamma parameters of the value per purchase: shape p, and q and v of the gamma
/// distribution of each customer's scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub v: f64,
    pub log_likelihood: f64,
    /// Customers with at least one repeat purchase and a positive mean value, the ones fitted.
    pub customers: u64,
}

/// A customer's summary and predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerValue {
    pub person: String,
    pub frequency: f64,
    pub recency: f64,
    pub age: f64,
    pub monetary: Option<f64>,
    /// The probability that the customer is still active at the cut-off.
    pub probability_alive: f64,
    /// Expected purchase days in the horizon after the cut-off.
    pub expected_purchases: f64,
    /// Expected mean value per purchase from the Gamma-Gamma model.
    pub expected_value: Option<f64>,
    /// Expected purchases times expected value, undiscounted.
    pub clv: Option<f64>,
    /// Purchase days after the cut-off, to compare with `expected_purchases`.
    pub holdout_purchases: u64,
}

/// The lifetime-value part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClvReport {
    /// The purchase event; `None` when purchases are the events with a value.
    pub purchase_event: Option<String>,
    pub cutoff: String,
    pub unit: TimeUnit,
    pub horizon: f64,
    pub customers: u64,
    pub repeat_customers: u64,
    /// `None` when the fit was skipped or failed, and `note` then gives the reason.
    pub bg_nbd: Option<BgNbd>,
    /// `None` when the fit was skipped, no purchase has a value or the fit failed.
    pub gamma_gamma: Option<GammaGamma>,
    /// The `top` customers by lifetime value, else by expected purchases.
    pub top_customers: Vec<CustomerValue>,
    pub note: Option<String>,
}

/// A parameter vector for argmin's Nelder-Mead, on the log scale so every parameter stays
/// positive.
#[derive(Debug, Clone, PartialEq)]
struct Point(Vec<f64>);

impl ArgminAdd<Point, Point> for Point {
    fn add(&self, other: &Point) -> Point {
        Point(self.0.iter().zip(&other.0).map(|(x, y)| x + y).collect())
    }
}

impl ArgminSub<Point, Point> for Point {
    fn sub(&self, other: &Point) -> Point {
        Point(self.0.iter().zip(&other.0).map(|(x, y)| x - y).collect())
    }
}

impl ArgminMul<f64, Point> for Point {
    fn mul(&self, factor: &f64) -> Point {
        Point(self.0.iter().map(|x| x * factor).collect())
    }
}

/// The mean negative log-likelihood of a model, as a function of the log parameters.
struct NegativeLogLikelihood<'a> {
    /// Each distinct customer summary once, with the number of customers who share it.
    groups: &'a [(CustomerSummary, f64)],
    customers: usize,
    /// The model's log-likelihood summed over weighted groups.
    total: fn(&[f64], &[(CustomerSummary, f64)]) -> f64,
}

impl CostFunction for NegativeLogLikelihood<'_> {
    type Param = Point;
    type Output = f64;

    fn cost(&self, point: &Point) -> Result<f64, argmin::core::Error> {
        let parameters: Vec<f64> = point.0.iter().map(|x| x.exp()).collect();
        let total = (self.total)(&parameters, self.groups);
        let mean = -total / self.customers.max(1) as f64;
        // Nelder-Mead only compares costs, so a point outside the domain just loses.
        Ok(if mean.is_finite() { mean } else { f64::MAX })
    }
}

/// Computes the lifetime-value report; `None` when there are no purchases.
pub fn compute(log: &EventLog, journeys: &Journeys, conversion: &Conversion, options: &ClvOptions, zone: Tz) -> Result<Option<ClvReport>, Error> {
    if !(options.horizon > 0.0 && options.horizon.is_finite()) {
        return Err(Error::Options(format!("The lifetime-value horizon must be a positive number, not {}.", options.horizon)));
    }
    let has_values = log.value.iter().any(|value| !value.is_nan());
    if conversion.event.is_none() && !has_values {
        return Ok(None);
    }
    let cutoff = match options.cutoff.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Error::Options(format!("The lifetime-value cut-off \"{text}\" is not a date; write it as YYYY-MM-DD, such as 1997-09-30."))
        })?,
        None => match log.time.iter().max() {
            Some(&last) => local_date(last, zone),
            None => return Ok(None),
        },
    };
    let summaries = summarise(log, journeys, conversion.event, cutoff, options.unit, zone);
    if summaries.is_empty() {
        return Ok(None);
    }

    let mut note = None;
    let (bg_nbd, gamma_gamma) = if options.fit {
        let bg_nbd = fit_bg_nbd(&summaries);
        let gamma_gamma = fit_gamma_gamma(&summaries);
        if bg_nbd.is_none() {
            note = Some("The BG/NBD fit did not converge to finite parameters.".to_string());
        }
        (bg_nbd, gamma_gamma)
    } else {
        note = Some("The fit was skipped (fit: false), so only the summaries are reported.".to_string());
        (None, None)
    };

    let mut customers: Vec<CustomerValue> = summaries
        .iter()
        .map(|summary| predict(log, summary, bg_nbd.as_ref(), gamma_gamma.as_ref(), options.horizon))
        .collect();
    // Ties go by person id, so the list does not depend on the order of the rows.
    sorting::sort_by(&mut customers, |x, y| {
        let key = |customer: &CustomerValue| (customer.clv.unwrap_or(f64::NEG_INFINITY), customer.expected_purchases, customer.frequency);
        key(y).partial_cmp(&key(x)).unwrap_or(std::cmp::Ordering::Equal).then_with(|| x.person.cmp(&y.person))
    });
    customers.truncate(options.top);

    Ok(Some(ClvReport {
        purchase_event: conversion.event.map(|id| log.event_names.name(id).to_string()),
        cutoff: cutoff.format("%Y-%m-%d").to_string(),
        unit: options.unit,
        horizon: options.horizon,
        customers: summaries.len() as u64,
        repeat_customers: summaries.iter().filter(|summary| summary.frequency > 0.0).count() as u64,
        bg_nbd,
        gamma_gamma,
        top_customers: customers,
        note,
    }))
}

/// Returns the date of a time in the load's zone.
fn local_date(millis: i64, zone: Tz) -> NaiveDate {
    DateTime::from_timestamp_millis(millis).map_or(NaiveDate::MIN, |time| zone.from_utc_datetime(&time.naive_utc()).date_naive())
}

/// Builds each customer's calibration summary. `purchase` is the purchase event, or `None` for
/// every event with a value.
pub fn summarise(log: &EventLog, journeys: &Journeys, purchase: Option<u32>, cutoff: NaiveDate, unit: TimeUnit, zone: Tz) -> Vec<CustomerSummary> {
    let mut summaries = Vec::new();
    for person in 0..journeys.people() {
        // (day, summed value, whether any value was present), one entry per purchase day.
        let mut days: Vec<(NaiveDate, f64, bool)> = Vec::new();
        for &at in journeys.journey(person) {
            let at = at as usize;
            let value = log.value[at];
            let is_purchase = match purchase {
                Some(event) => log.event[at] == event,
                None => !value.is_nan(),
            };
            if !is_purchase {
                continue;
            }
            let day = local_date(log.time[at], zone);
            match days.last_mut() {
                Some(last) if last.0 == day => {
                    if !value.is_nan() {
                        last.1 += value;
                        last.2 = true;
                    }
                }
                _ => days.push((day, if value.is_nan() { 0.0 } else { value }, !value.is_nan())),
            }
        }
        let Some(&(first, _, _)) = days.first() else { continue };
        if first > cutoff {
            continue;
        }
        let calibration: Vec<&(NaiveDate, f64, bool)> = days.iter().filter(|(day, _, _)| *day <= cutoff).collect();
        let last = calibration.last().map_or(first, |entry| entry.0);
        let repeats: Vec<f64> = calibration.iter().skip(1).filter(|entry| entry.2).map(|entry| entry.1).collect();
        let per_unit = unit.days();
        summaries.push(CustomerSummary {
            person,
            frequency: (calibration.len() - 1) as f64,
            recency: (last - first).num_days() as f64 / per_unit,
            age: (cutoff - first).num_days() as f64 / per_unit,
            monetary: (!repeats.is_empty()).then(|| repeats.iter().sum::<f64>() / repeats.len() as f64),
            holdout_purchases: (days.len() - calibration.len()) as u64,
        });
    }
    summaries
}

/// Returns the BG/NBD log-likelihood of one customer for parameters [r, alpha, a, b].
pub fn bg_nbd_log_likelihood(parameters: &[f64], summary: &CustomerSummary) -> f64 {
    bg_nbd_shared(parameters, summary.frequency) + bg_nbd_own(parameters, summary)
}

/// Returns the terms of [`bg_nbd_log_likelihood`] that depend only on the parameters and the frequency.
fn bg_nbd_shared(parameters: &[f64], x: f64) -> f64 {
    let (r, alpha, a, b) = (parameters[0], parameters[1], parameters[2], parameters[3]);
    ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x)
}

/// Returns the terms of [`bg_nbd_log_likelihood`] that depend on recency and age too.
fn bg_nbd_own(parameters: &[f64], summary: &CustomerSummary) -> f64 {
    let (r, alpha, a, b) = (parameters[0], parameters[1], parameters[2], parameters[3]);
    let (x, recency, age) = (summary.frequency, summary.recency, summary.age);
    // Still active at T, or dropped out right after the last purchase (only possible with x > 0).
    let active = -(r + x) * (alpha + age).ln();
    if x > 0.0 {
        let dropped = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + recency).ln();
        log_sum_exp(active, dropped)
    } else {
        active
    }
}

/// Sums [`bg_nbd_log_likelihood`] over `groups`, each weighted by its customers. The groups come
/// sorted by frequency first, so the shared terms, with their six log-gamma values, are computed
/// once per frequency instead of once per group.
fn bg_nbd_total(parameters: &[f64], groups: &[(CustomerSummary, f64)]) -> f64 {
    let mut shared: Option<(f64, f64)> = None;
    groups
        .iter()
        .map(|(summary, customers)| {
            let x = summary.frequency;
            let terms = match shared {
                Some((frequency, terms)) if frequency == x => terms,
                _ => {
                    let terms = bg_nbd_shared(parameters, x);
                    shared = Some((x, terms));
                    terms
                }
            };
            customers * (terms + bg_nbd_own(parameters, summary))
        })
        .sum()
}

/// Returns the Gamma-Gamma log-likelihood of one customer's mean value for parameters [p, q, v];
/// 0 for a customer outside the fit (no repeat or no positive mean value).
pub fn gamma_gamma_log_likelihood(parameters: &[f64], summary: &CustomerSummary) -> f64 {
    let (p, q, v) = (parameters[0], parameters[1], parameters[2]);
    let x = summary.frequency;
    let Some(mean) = summary.monetary.filter(|&mean| mean > 0.0 && x > 0.0) else { return 0.0 };
    ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q) + q * v.ln() + (p * x - 1.0) * mean.ln() + p * x * x.ln()
        - (p * x + q) * (x * mean + v).ln()
}

/// Sums [`gamma_gamma_log_likelihood`] over `groups`, each weighted by its customers.
fn gamma_gamma_total(parameters: &[f64], groups: &[(CustomerSummary, f64)]) -> f64 {
    groups.iter().map(|(summary, customers)| customers * gamma_gamma_log_likelihood(parameters, summary)).sum()
}

/// Returns the parts of a summary that [`bg_nbd_log_likelihood`] reads.
fn bg_nbd_key(summary: &CustomerSummary) -> [u64; 3] {
    [summary.frequency.to_bits(), summary.recency.to_bits(), summary.age.to_bits()]
}

/// Returns the parts of a summary that [`gamma_gamma_log_likelihood`] reads.
fn gamma_gamma_key(summary: &CustomerSummary) -> [u64; 3] {
    [summary.frequency.to_bits(), summary.monetary.map_or(u64::MAX, f64::to_bits), 0]
}

fn log_sum_exp(x: f64, y: f64) -> f64 {
    let max = x.max(y);
    max + ((x - max).exp() + (y - max).exp()).ln()
}

/// Fits BG/NBD; `None` when the optimiser fails or ends outside the domain.
pub fn fit_bg_nbd(summaries: &[CustomerSummary]) -> Option<BgNbd> {
    let (parameters, mean_cost) = maximise(summaries, bg_nbd_total, bg_nbd_key, 4)?;
    Some(BgNbd {
        r: parameters[0],
        alpha: parameters[1],
        a: parameters[2],
        b: parameters[3],
        log_likelihood: -mean_cost * summaries.len() as f64,
        customers: summaries.len() as u64,
    })
}

/// Fits Gamma-Gamma on the customers with a repeat purchase and a positive mean value. Returns
/// `None` when there are fewer than two such customers or the optimiser fails.
pub fn fit_gamma_gamma(summaries: &[CustomerSummary]) -> Option<GammaGamma> {
    let fitted: Vec<CustomerSummary> =
        summaries.iter().copied().filter(|summary| summary.frequency > 0.0 && summary.monetary.is_some_and(|mean| mean > 0.0)).collect();
    if fitted.len() < 2 {
        return None;
    }
    let (parameters, mean_cost) = maximise(&fitted, gamma_gamma_total, gamma_gamma_key, 3)?;
    Some(GammaGamma {
        p: parameters[0],
        q: parameters[1],
        v: parameters[2],
        log_likelihood: -mean_cost * fitted.len() as f64,
        customers: fitted.len() as u64,
    })
}

/// Maximises the summed log-likelihood with Nelder-Mead on log parameters, starting at 1 for every
/// parameter, and restarts once from the best point because the simplex can collapse early.
/// `key` gives the parts of a summary that the likelihood `total` reads, with the frequency first. Returns the parameters and the
/// mean negative log-likelihood.
fn maximise(summaries: &[CustomerSummary], total: fn(&[f64], &[(CustomerSummary, f64)]) -> f64, key: fn(&CustomerSummary) -> [u64; 3], dimensions: usize) -> Option<(Vec<f64>, f64)> {
    // Customers with the same key add the same term, so each distinct key is evaluated once and
    // weighted. Days are whole numbers, so a model of frequency, recency and age has far fewer
    // keys than customers. The groups are summed in the order of their keys, not of the people
    // in the files: where the likelihood is nearly flat, sums rounded in another order lead the
    // simplex to another end point.
    let mut weights: BTreeMap<[u64; 3], (CustomerSummary, f64)> = BTreeMap::new();
    for summary in summaries {
        weights.entry(key(summary)).or_insert((*summary, 0.0)).1 += 1.0;
    }
    let groups: Vec<(CustomerSummary, f64)> = weights.into_values().collect();
    let mut start = vec![0.0; dimensions];
    let mut best = None;
    for _ in 0..2 {
        let mut simplex = vec![Point(start.clone())];
        for axis in 0..dimensions {
            let mut vertex = start.clone();
            vertex[axis] += 0.5;
            simplex.push(Point(vertex));
        }
        let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).ok()?;
        let problem = NegativeLogLikelihood { groups: &groups, customers: summaries.len(), total };
        let result = Executor::new(problem, solver).configure(|state| state.max_iters(MAX_ITERATIONS)).timer(false).run().ok()?;
        let point = result.state().get_best_param()?.0.clone();
        let cost = result.state().get_best_cost();
        start = point.clone();
        best = Some((point, cost));
    }
    let (point, cost) = best?;
    let parameters: Vec<f64> = point.iter().map(|x| x.exp()).collect();
    (cost < f64::MAX && parameters.iter().all(|value| value.is_finite() && *value > 0.0)).then_some((parameters, cost))
}

/// Predicts one customer's purchases and value over `horizon`.
fn predict(log: &EventLog, summary: &CustomerSummary, bg_nbd: Option<&BgNbd>, gamma_gamma: Option<&GammaGamma>, horizon: f64) -> CustomerValue {
    let (probability_alive, expected_purchases) = match bg_nbd {
        Some(model) => (probability_alive(model, summary), expected_purchases(model, summary, horizon)),
        None => (f64::NAN, f64::NAN),
    };
    let expected_value = gamma_gamma.and_then(|model| expected_value(model, summary));
    CustomerValue {
        person: log.people.name(summary.person as u32).to_string(),
        frequency: summary.frequency,
        recency: summary.recency,
        age: summary.age,
        monetary: summary.monetary,
        probability_alive: finite_or_zero(probability_alive),
        expected_purchases: finite_or_zero(expected_purchases),
        expected_value,
        clv: expected_value.filter(|_| expected_purchases.is_finite()).map(|value| value * expected_purchases),
        holdout_purchases: summary.holdout_purchases,
    }
}

fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        0.0
    }
}

/// Returns P(alive | x, t_x, T) under BG/NBD.
pub fn probability_alive(model: &BgNbd, summary: &CustomerSummary) -> f64 {
    let (x, recency, age) = (summary.frequency, summary.recency, summary.age);
    if x == 0.0 {
        return 1.0;
    }
    let odds = (model.a / (model.b + x - 1.0)) * ((model.alpha + age) / (model.alpha + recency)).powf(model.r + x);
    1.0 / (1.0 + odds)
}

/// Returns E[Y(t) | x, t_x, T], the expected purchases in the `horizon` after T, under BG/NBD
/// (Fader, Hardie and Lee, 2005).
pub fn expected_purchases(model: &BgNbd, summary: &CustomerSummary, horizon: f64) -> f64 {
    let (r, alpha, a, b) = (model.r, model.alpha, model.a, model.b);
    let (x, recency, age) = (summary.frequency, summary.recency, summary.age);
    if a + b + x - 1.0 <= 0.0 || a == 1.0 {
        return f64::NAN;
    }
    let z = horizon / (alpha + age + horizon);
    let hypergeometric = hypergeometric_2f1(r + x, b + x, a + b + x - 1.0, z);
    let numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + age) / (alpha + age + horizon)).powf(r + x) * hypergeometric);
    let denominator = if x > 0.0 { 1.0 + (a / (b + x - 1.0)) * ((alpha + age) / (alpha + recency)).powf(r + x) } else { 1.0 };
    numerator / denominator
}

/// Returns the Gamma-Gamma expected mean value per purchase, shrunk toward the population mean;
/// for a customer without repeats, the population mean p v / (q − 1), which exists for q > 1.
pub fn expected_value(model: &GammaGamma, summary: &CustomerSummary) -> Option<f64> {
    let (p, q, v) = (model.p, model.q, model.v);
    match summary.monetary.filter(|_| summary.frequency > 0.0) {
        Some(mean) => Some(p * (v + summary.frequency * mean) / (p * summary.frequency + q - 1.0)),
        None => (q > 1.0).then(|| p * v / (q - 1.0)),
    }
}

/// Sums the Gauss hypergeometric series 2F1(a, b; c; z) for 0 <= z < 1.
///
/// NOTE: c = a + b + x − 1 is at most 0 for a customer without repeats when the fitted a + b is
/// at most 1. The series is then undefined, so [`expected_purchases`] returns NaN and the report
/// shows 0.
fn hypergeometric_2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut total = 1.0;
    for n in 0..MAX_SERIES_TERMS {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        total += term;
        if term.abs() < 1e-15 * total.abs() {
            break;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(frequency: f64, recency: f64, age: f64, monetary: Option<f64>) -> CustomerSummary {
        CustomerSummary { person: 0, frequency, recency, age, monetary, holdout_purchases: 0 }
    }

    /// The published BG/NBD parameters of the CDNOW sample.
    fn cdnow() -> BgNbd {
        BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, log_likelihood: 0.0, customers: 0 }
    }

    #[test]
    fn hypergeometric_matches_closed_form() {
        // 2F1(1, 1; 2; z) = −ln(1 − z) / z.
        let z = 0.6;
        assert!((hypergeometric_2f1(1.0, 1.0, 2.0, z) - (-(1.0f64 - z).ln() / z)).abs() < 1e-12);
    }

    #[test]
    fn expected_purchases_of_paper_example() {
        // x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks, as
        // lifetimes 0.11.3 computes with the same parameters.
        let expected = expected_purchases(&cdnow(), &customer(2.0, 30.43, 38.86, None), 39.0);
        assert!((expected - 1.226).abs() < 0.01, "{expected}");
    }

    #[test]
    fn probability_alive_of_non_repeater_is_one() {
        assert_eq!(probability_alive(&cdnow(), &customer(0.0, 0.0, 30.0, None)), 1.0);
        assert!(probability_alive(&cdnow(), &customer(5.0, 2.0, 38.0, None)) < 0.5);
    }

    #[test]
    fn bg_nbd_log_likelihood_non_repeater() {
        // With x = 0 the beta terms cancel and the likelihood is (alpha / (alpha + T))^r.
        let model = [0.5, 2.0, 1.0, 3.0];
        let summary = customer(0.0, 0.0, 10.0, None);
        let expected = 0.5 * (2.0f64 / 12.0).ln();
        assert!((bg_nbd_log_likelihood(&model, &summary) - expected).abs() < 1e-12);
    }

    #[test]
    fn gamma_gamma_skips_non_repeaters() {
        assert_eq!(gamma_gamma_log_likelihood(&[1.0, 1.0, 1.0], &customer(0.0, 0.0, 5.0, Some(10.0))), 0.0);
    }
}
