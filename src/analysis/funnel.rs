//! Ordered funnels with a conversion window measured from the step-1 event.
//!
//! A person reaches step k when their journey contains events e1, …, ek, in this order (by time,
//! ties by file and row), where ei matches step i and every ei is a different event. Other events
//! may come in between. With a window, ek must lie at most the window after e1, boundary
//! included. Among all step-1 events, the one that takes the person furthest is used (the
//! earliest on ties), and each later step takes the earliest matching event after the previous
//! one, which is what makes the reached step the furthest possible.

use serde::{Deserialize, Serialize};

use super::stats::{median, quantile};
use super::unknown_event;
use crate::error::Error;
use crate::model::{EventLog, Journeys};

/// One funnel step: an event name, optionally only where a column has a given value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelStep {
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
}

/// The funnel to compute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelOptions {
    pub steps: Vec<FunnelStep>,
    /// Such as `30d`, `12h` or `90m`; `None` for no window.
    pub window: Option<String>,
}

/// One step's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStepReport {
    pub label: String,
    pub event: String,
    pub column: Option<String>,
    pub value: Option<String>,
    /// People who reached this step.
    pub people: u64,
    /// Share of the previous step's people; 1 for step 1.
    pub of_previous: f64,
    /// Share of step 1's people.
    pub of_first: f64,
    /// People who reached the previous step but not this one; 0 for step 1.
    pub dropped: u64,
    /// Median time from the previous step's event to this step's event.
    pub median_ms_from_previous: Option<f64>,
}

/// Time from the step-1 event to the last step's event, over the people who completed the
/// funnel. With a window, every such time lies within the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelCompletion {
    pub people: u64,
    pub mean_ms: f64,
    pub p25_ms: f64,
    pub median_ms: f64,
    pub p75_ms: f64,
    pub p90_ms: f64,
}

/// The funnel part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelReport {
    pub window_ms: Option<i64>,
    pub window_label: String,
    /// The counting rule in one sentence, shown beside the chart.
    pub rule: String,
    pub steps: Vec<FunnelStepReport>,
    /// `None` for a one-step funnel or when nobody completed it.
    pub completion: Option<FunnelCompletion>,
}

/// A step resolved to ids. `None` ids mean the step can never match.
struct Matcher {
    event: Option<u32>,
    filter: Option<(usize, Option<u32>)>,
}

impl Matcher {
    fn matches(&self, log: &EventLog, at: usize) -> bool {
        if self.event != Some(log.event[at]) {
            return false;
        }
        match self.filter {
            None => true,
            Some((property, code)) => code.is_some_and(|code| log.properties[property].codes[at] == code),
        }
    }
}

/// Parses a duration such as `30d`, `2w`, `12h`, `90m` or `45s` into milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, Error> {
    let text = text.trim();
    let invalid = || Error::Options(format!("The window \"{text}\" is not a duration. Write a number and a unit, such as 30d, 12h, 90m or 45s."));
    let unit_at = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
    let (number, unit) = text.split_at(unit_at);
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let unit_ms = match unit.trim() {
        "s" | "sec" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "minute" | "minutes" => 60_000.0,
        "h" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        "w" | "week" | "weeks" => 604_800_000.0,
        _ => return Err(invalid()),
    };
    let millis = (number * unit_ms).round();
    if !millis.is_finite() || millis >= 1e15 {
        return Err(invalid());
    }
    if millis < 1.0 {
        return Err(Error::Options(format!("The window \"{text}\" is shorter than a millisecond. Use a longer window, or none.")));
    }
    Ok(millis as i64)
}

/// Formats a duration in the largest unit that divides it, such as "30 days" or "90 minutes".
pub fn describe_duration(millis: i64) -> String {
    let units = [(604_800_000, "week"), (86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute"), (1_000, "second")];
    for (size, name) in units {
        if millis % size == 0 {
            let count = millis / size;
            return format!("{count} {name}{}", if count == 1 { "" } else { "s" });
        }
    }
    format!("{millis} ms")
}

fn label(step: &FunnelStep) -> String {
    match (&step.column, &step.value) {
        (Some(column), Some(value)) if !column.is_empty() => format!("{} where {column} = {value}", step.event),
        _ => step.event.clone(),
    }
}

fn resolve(log: &EventLog, step: &FunnelStep) -> Result<Matcher, Error> {
    let event = log.event_names.get(step.event.trim());
    if event.is_none() {
        return Err(unknown_event(log, step.event.trim()));
    }
    let filter = match step.column.as_deref().filter(|column| !column.is_empty()) {
        None => None,
        Some(column) => {
            let property = log.find_property(column).ok_or_else(|| {
                let names: Vec<&str> = log.properties.iter().take(30).map(|property| property.name.as_str()).collect();
                let available = if names.is_empty() { "none".to_string() } else { names.join(", ") };
                Error::Options(format!(
                    "The step \"{}\" filters on the column \"{column}\", which is not a filter column. The person, event and time columns cannot be filtered on. Filter columns: {available}.",
                    step.event
                ))
            })?;
            let value = step.value.as_deref().unwrap_or("");
            Some((property, log.properties[property].values.get(value)))
        }
    };
    Ok(Matcher { event, filter })
}

/// Computes the funnel.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &FunnelOptions) -> Result<FunnelReport, Error> {
    let window_ms = match options.window.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(parse_duration(text)?),
    };
    if options.steps.is_empty() {
        return Err(Error::Options("A funnel needs at least one step.".to_string()));
    }
    let matchers = options.steps.iter().map(|step| resolve(log, step)).collect::<Result<Vec<_>, _>>()?;
    let steps = matchers.len();

    let mut reached = vec![0u64; steps];
    let mut gaps: Vec<Vec<f64>> = vec![Vec::new(); steps];
    let mut times = vec![0i64; steps];
    let mut best_times = vec![0i64; steps];
    let mut completions: Vec<f64> = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let depth = furthest_step(log, journey, &matchers, window_ms, &mut times, &mut best_times);
        for step in 0..depth {
            reached[step] += 1;
            if step > 0 {
                gaps[step].push((best_times[step] - best_times[step - 1]) as f64);
            }
        }
        if depth == steps && steps > 1 {
            completions.push((best_times[steps - 1] - best_times[0]) as f64);
        }
    }

    let first = reached.first().copied().unwrap_or(0);
    let report_steps = options
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let previous = if i == 0 { reached[0] } else { reached[i - 1] };
            FunnelStepReport {
                label: label(step),
                event: step.event.clone(),
                column: step.column.clone().filter(|column| !column.is_empty()),
                value: step.value.clone().filter(|_| step.column.as_deref().is_some_and(|column| !column.is_empty())),
                people: reached[i],
                of_previous: share(reached[i], previous),
                of_first: share(reached[i], first),
                dropped: previous.saturating_sub(reached[i]),
                median_ms_from_previous: if i == 0 { None } else { median(&mut gaps[i]) },
            }
        })
        .collect();

    let window_label = window_ms.map_or("no window".to_string(), describe_duration);
    let within = match window_ms {
        Some(_) => format!(" within {window_label} of their step-1 event (boundary included)"),
        None => String::new(),
    };
    let rule = format!(
        "A person reaches a step when they do its event after the previous step's event{within}. Each event fills at most one step, other events in between are allowed, and each person counts once."
    );
    Ok(FunnelReport { window_ms, window_label, rule, steps: report_steps, completion: completion(completions) })
}

/// Clears every duration of a funnel report, for journeys whose times are synthetic.
pub fn without_times(mut report: FunnelReport) -> FunnelReport {
    for step in &mut report.steps {
        step.median_ms_from_previous = None;
    }
    report.completion = None;
    report
}

fn completion(mut durations: Vec<f64>) -> Option<FunnelCompletion> {
    if durations.is_empty() {
        return None;
    }
    durations.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&durations, q).unwrap_or(0.0);
    Some(FunnelCompletion {
        people: durations.len() as u64,
        mean_ms: durations.iter().sum::<f64>() / durations.len() as f64,
        p25_ms: at(0.25),
        median_ms: at(0.5),
        p75_ms: at(0.75),
        p90_ms: at(0.9),
    })
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Returns how many steps one journey reaches and fills `best` with the matched event times.
fn furthest_step(
    log: &EventLog,
    journey: &[u32],
    matchers: &[Matcher],
    window_ms: Option<i64>,
    times: &mut [i64],
    best: &mut [i64],
) -> usize {
    let mut best_depth = 0;
    for (start, &first) in journey.iter().enumerate() {
        let first = first as usize;
        if !matchers[0].matches(log, first) {
            continue;
        }
        let start_time = log.time[first];
        times[0] = start_time;
        let mut depth = 1;
        for &later in &journey[start + 1..] {
            if depth == matchers.len() {
                break;
            }
            let later = later as usize;
            if window_ms.is_some_and(|window| log.time[later] - start_time > window) {
                break;
            }
            if matchers[depth].matches(log, later) {
                times[depth] = log.time[later];
                depth += 1;
            }
        }
        if depth > best_depth {
            best_depth = depth;
            best[..depth].copy_from_slice(&times[..depth]);
        }
        // Without a window the earliest start already reaches the furthest step.
        if best_depth == matchers.len() || window_ms.is_none() {
            break;
        }
    }
    best_depth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * 86_400_000);
        assert_eq!(parse_duration("90m").unwrap(), 90 * 60_000);
        assert_eq!(parse_duration(" 1.5h ").unwrap(), 5_400_000);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0d").unwrap_err().to_string().contains("shorter than a millisecond"));
        assert!(parse_duration("0.0000001s").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn duration_labels() {
        assert_eq!(describe_duration(30 * 86_400_000), "30 days");
        assert_eq!(describe_duration(3_600_000), "1 hour");
        assert_eq!(describe_duration(1_500), "1500 ms");
    }
}
