//! The AI brief: a Markdown summary of the findings to paste into a general-purpose AI assistant,
//! aggregated and anonymised so that the data stays on the user's machine.
//!
//! The brief is built from the finished report and never from rows. It follows these rules, which
//! docs/metrics.md ("AI brief") repeats for users:
//! - no person id, e-mail address or free-text answer appears, only theme labels;
//! - an event, page, channel or theme label that contains `@`, a person id, a run of five or more
//!   digits, or a run of eight or more hexadecimal characters with a digit (a UUID part or a hash)
//!   is replaced by [`PLACEHOLDER`];
//! - a count below [`MIN_COUNT`] is written "fewer than 10", and a share or rate whose numerator or
//!   denominator is below [`MIN_COUNT`] is written [`SUPPRESSED`];
//! - counts are whole numbers, and rates, odds ratios, q-values and durations always carry a
//!   decimal point, so a bare whole number below 10 appears only in an ordinal label such as
//!   `step 2` or `e-mail 3`, or before a duration unit such as `30 days`.

use super::drivers::{Driver, FeatureKind};
use super::friction::{Finding, FrictionKind};
use super::hypotheses::{Hypothesis, TouchpointKind};
use crate::model::{EventLog, Interner};
use crate::report::Report;

/// The smallest count the brief writes as a number.
pub const MIN_COUNT: u64 = 10;
/// The text that replaces a label that may identify a person.
pub const PLACEHOLDER: &str = "[label hidden: it may identify a person]";
/// The text that replaces a share behind fewer than [`MIN_COUNT`] people.
pub const SUPPRESSED: &str = "(share hidden: fewer than 10 people)";
/// Friction findings listed.
const TOP_FINDINGS: usize = 5;
/// Positive and negative drivers listed, each.
const TOP_DRIVERS: usize = 5;
/// Channels listed by credit.
const TOP_CHANNELS: usize = 8;
/// Survey themes listed.
const TOP_THEMES: usize = 8;

/// The person ids of the data, for checking labels against them.
pub struct PersonIds<'a>(&'a Interner);

impl<'a> PersonIds<'a> {
    /// Borrows every person identifier the log interned, including linked ids and e-mail addresses.
    pub fn of(log: &'a EventLog) -> PersonIds<'a> {
        PersonIds(&log.people)
    }

    /// Returns true when `text`, trimmed, is an id as written or in lower case.
    fn contains(&self, text: &str) -> bool {
        let text = text.trim();
        !text.is_empty() && (self.0.get(text).is_some() || self.0.get(&text.to_lowercase()).is_some())
    }
}

/// Writes the brief for `report`, hiding labels that contain any of `people`.
pub fn compose(report: &Report, people: &PersonIds) -> String {
    let mut sections = vec![headline(report, people)];
    sections.extend(friction(report, people));
    sections.extend(email(report));
    sections.extend(drivers(report, people));
    sections.extend(channels(report, people));
    sections.extend(themes(report, people));
    sections.push(request());
    sections.join("\n\n") + "\n"
}

/// Returns `label`, or [`PLACEHOLDER`] when it may identify a person.
pub fn safe_label(label: &str, people: &PersonIds) -> String {
    if may_identify(label, people) {
        PLACEHOLDER.to_string()
    } else {
        label.trim().to_string()
    }
}

/// Returns true for a label that contains `@`, a person id, a long digit run or a hex run with a digit.
fn may_identify(label: &str, people: &PersonIds) -> bool {
    if label.contains('@') || people.contains(label) {
        return true;
    }
    label.split(|c: char| !c.is_ascii_alphanumeric()).filter(|token| !token.is_empty()).any(|token| {
        people.contains(token) || longest_run(token, |c| c.is_ascii_digit()) >= 5 || hex_with_digit(token)
    })
}

fn hex_with_digit(token: &str) -> bool {
    let mut run = 0;
    let mut digit = false;
    for c in token.chars() {
        if c.is_ascii_hexdigit() {
            run += 1;
            digit |= c.is_ascii_digit();
            if run >= 8 && digit {
                return true;
            }
        } else {
            run = 0;
            digit = false;
        }
    }
    false
}

fn longest_run(token: &str, wanted: impl Fn(char) -> bool) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in token.chars() {
        run = if wanted(c) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Writes a count, or "fewer than 10" below [`MIN_COUNT`].
pub fn count(value: u64) -> String {
    if value < MIN_COUNT {
        "fewer than 10".to_string()
    } else {
        value.to_string()
    }
}

/// Writes `numerator / denominator` as a percentage with one decimal, or [`SUPPRESSED`] when
/// either is below [`MIN_COUNT`].
pub fn percent(numerator: u64, denominator: u64) -> String {
    if numerator < MIN_COUNT || denominator < MIN_COUNT {
        SUPPRESSED.to_string()
    } else {
        format!("{:.1}%", numerator as f64 * 100.0 / denominator as f64)
    }
}

/// Writes an estimated number of people, rounded, when every count behind it is at least
/// [`MIN_COUNT`].
fn estimate(value: f64, behind: &[u64]) -> String {
    if behind.iter().any(|&people| people < MIN_COUNT) {
        return "not shown (fewer than 10 people behind it)".to_string();
    }
    if !value.is_finite() || value < MIN_COUNT as f64 {
        return "fewer than 10".to_string();
    }
    format!("about {}", value.round() as u64)
}

/// Writes a duration in days or hours, always with one decimal.
fn duration(millis: f64) -> String {
    let hours = millis / 3_600_000.0;
    if hours >= 24.0 {
        format!("{:.1} days", hours / 24.0)
    } else {
        format!("{hours:.1} hours")
    }
}

/// Writes a q-value with a decimal point and no exponent.
fn q_value(q: f64) -> String {
    super::stats::probability_text("q", q)
}

fn headline(report: &Report, people: &PersonIds) -> String {
    let summary = &report.summary;
    let mut lines = vec![
        "# Customer journey findings".to_string(),
        String::new(),
        "Aggregated figures from a customer-journey analysis. No person ids, e-mail addresses or survey answers are included, and counts below 10 are hidden.".to_string(),
        String::new(),
        "## Headline".to_string(),
        format!("- People: {}", count(summary.people)),
    ];
    if let Some(event) = &summary.conversion_event {
        lines.push(format!("- Conversion: the event \"{}\"", safe_label(event, people)));
        lines.push(format!("- Converters: {}", count(summary.converters)));
        lines.push(format!("- Conversion rate: {}", percent(summary.converters, summary.people)));
    }
    let timing = report.time_to_convert.as_ref().filter(|timing| timing.measured >= MIN_COUNT);
    if let Some(median) = timing.and_then(|timing| timing.median_ms) {
        lines.push(format!("- Median time from first touch to conversion: {}", duration(median)));
    }
    lines.join("\n")
}

fn friction(report: &Report, people: &PersonIds) -> Option<String> {
    let findings = &report.friction.as_ref()?.findings;
    if findings.is_empty() {
        return None;
    }
    let mut lines = vec!["## Biggest friction points, largest estimated loss first".to_string()];
    for finding in findings.iter().take(TOP_FINDINGS) {
        lines.push(finding_line(finding, people));
        for hypothesis in &finding.hypotheses {
            lines.push(format!("  - Evidence: {}", hypothesis_line(hypothesis, people)));
        }
    }
    Some(lines.join("\n"))
}

fn finding_line(finding: &Finding, people: &PersonIds) -> String {
    let label = safe_label(&finding.label, people);
    let place = match finding.kind {
        FrictionKind::FunnelStep => format!("Funnel drop-off before {label}"),
        FrictionKind::ExitPage => format!("Non-converters leaving at {label}"),
        FrictionKind::EmailStop => format!("People who stop opening e-mails after {label}"),
        FrictionKind::Silence => format!("Non-converters silent for at least {label}"),
        FrictionKind::StageSkip => format!("People skipping a stage before {label}"),
    };
    let behind = [finding.stopped, finding.went_on, finding.converted];
    format!(
        "- {place}: {} of {} people stopped here. Of those who went on, {} converted. Estimated lost conversions: {}.",
        count(finding.stopped),
        count(finding.reached),
        percent(finding.converted, finding.went_on),
        estimate(finding.lost_conversions, &behind),
    )
}

fn hypothesis_line(hypothesis: &Hypothesis, people: &PersonIds) -> String {
    let touchpoint = safe_label(&hypothesis.touchpoint, people);
    let had = match hypothesis.kind {
        TouchpointKind::Event => format!("did {touchpoint}"),
        TouchpointKind::Page => format!("saw {touchpoint}"),
        TouchpointKind::Channel => format!("came through {touchpoint}"),
    };
    let with_stopped = (hypothesis.with_stop_rate * hypothesis.with_people as f64).round() as u64;
    let without_stopped = (hypothesis.without_stop_rate * hypothesis.without_people as f64).round() as u64;
    let direction = if hypothesis.with_stop_rate < hypothesis.without_stop_rate { "less" } else { "more" };
    format!(
        "people who {had} before this point stopped {direction} often: {} against {} of the others ({}).",
        percent(with_stopped, hypothesis.with_people),
        percent(without_stopped, hypothesis.without_people),
        q_value(hypothesis.q_value),
    )
}

fn email(report: &Report) -> Option<String> {
    let email = report.email.as_ref()?;
    let number = email.falloff_message?;
    let first = email.steps.first()?;
    let fallen = email.steps.iter().find(|step| step.message_number == number)?;
    Some(format!(
        "## E-mail\n- Opens fall away at e-mail {number}: {} of recipients opened it, against {} for e-mail 1.",
        percent(fallen.opened, fallen.sent),
        percent(first.opened, first.sent),
    ))
}

fn drivers(report: &Report, people: &PersonIds) -> Option<String> {
    let drivers = report.drivers.as_ref()?;
    if drivers.positive.is_empty() && drivers.negative.is_empty() {
        return None;
    }
    let mut lines = vec!["## Strongest drivers (associations, not causes)".to_string()];
    let listed = drivers.positive.iter().take(TOP_DRIVERS).chain(drivers.negative.iter().take(TOP_DRIVERS));
    for driver in listed {
        lines.push(driver_line(driver, drivers.converters, drivers.non_converters, people));
    }
    Some(lines.join("\n"))
}

fn driver_line(driver: &Driver, converters: u64, non_converters: u64, people: &PersonIds) -> String {
    let kind = match driver.kind {
        FeatureKind::Event => "event".to_string(),
        FeatureKind::Channel => "channel".to_string(),
        FeatureKind::Property => format!("{} =", safe_label(driver.column.as_deref().unwrap_or("property"), people)),
    };
    let direction = if driver.odds_ratio > 1.0 { "more" } else { "less" };
    format!(
        "- {kind} {}: converters had it {direction} often, {} of converters against {} of non-converters; odds ratio {:.2} (95% interval {:.2} to {:.2}, {}).",
        safe_label(&driver.value, people),
        percent(driver.converters, converters),
        percent(driver.non_converters, non_converters),
        driver.odds_ratio,
        driver.lower_95,
        driver.upper_95,
        q_value(driver.q_value),
    )
}

fn channels(report: &Report, people: &PersonIds) -> Option<String> {
    let attribution = report.attribution.as_ref()?;
    let conversions = attribution.conversions.saturating_sub(attribution.conversions_without_touchpoints);
    if attribution.channels.is_empty() || conversions < MIN_COUNT || !(attribution.credited > 0.0) {
        return None;
    }
    let mut lines = vec!["## Channel credit (linear attribution, share of converters' credit)".to_string()];
    for channel in attribution.channels.iter().take(TOP_CHANNELS) {
        let share = if channel.converting_journeys < MIN_COUNT {
            SUPPRESSED.to_string()
        } else {
            format!("{:.1}%", channel.linear * 100.0 / attribution.credited)
        };
        lines.push(format!("- {}: {share}", safe_label(&channel.channel, people)));
    }
    Some(lines.join("\n"))
}

fn themes(report: &Report, people: &PersonIds) -> Option<String> {
    let voice = report.voice.as_ref()?;
    if voice.themes.is_empty() {
        return None;
    }
    let mut lines = vec!["## Survey themes (labels only, no answers)".to_string()];
    for theme in voice.themes.iter().take(TOP_THEMES) {
        lines.push(format!("- {}: {} of answers", safe_label(&theme.label, people), percent(theme.answers, voice.analysed)));
    }
    Some(lines.join("\n"))
}

fn request() -> String {
    [
        "## Request",
        "Based on these findings, suggest interventions for the biggest friction points: for each, what to change, why it may help given the evidence above, and which figure to watch to see whether it worked. Treat the drivers and evidence as associations, not proven causes.",
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interner(values: &[&str]) -> Interner {
        let mut interner = Interner::default();
        for value in values {
            interner.intern(value);
        }
        interner
    }

    #[test]
    fn labels_that_may_identify_are_hidden() {
        let interner = interner(&["alice", "u-77"]);
        let people = PersonIds(&interner);
        for label in ["bob@example.com", "/account/550e8400-e29b-41d4-a716-446655440000", "/order/123456", "/u/alice/settings", "u-77", "d41d8cd98f00b204"] {
            assert_eq!(safe_label(label, &people), PLACEHOLDER, "{label}");
        }
        for label in ["/pricing", "step 2 (checkout)", "e-mail 3", "case_study", "/blog/2024-review", "deadbeef"] {
            assert_eq!(safe_label(label, &people), label, "{label}");
        }
    }

    #[test]
    fn small_counts_and_shares_are_hidden() {
        assert_eq!(count(9), "fewer than 10");
        assert_eq!(count(10), "10");
        assert_eq!(percent(9, 100), SUPPRESSED);
        assert_eq!(percent(10, 9), SUPPRESSED);
        assert_eq!(percent(25, 100), "25.0%");
        assert_eq!(estimate(42.4, &[10, 20]), "about 42");
        assert_eq!(estimate(9.4, &[10, 20]), "fewer than 10");
        assert_eq!(estimate(42.0, &[9, 20]), "not shown (fewer than 10 people behind it)");
        assert_eq!(q_value(0.0004), "q < 0.001");
        assert_eq!(q_value(0.0123), "q = 0.012");
    }

    #[test]
    fn finding_with_few_people_hides_counts() {
        let finding = Finding {
            kind: FrictionKind::ExitPage,
            label: "/pricing".to_string(),
            sentence: String::new(),
            reached: 40,
            stopped: 3,
            went_on: 37,
            converted: 12,
            went_on_rate: 12.0 / 37.0,
            went_on_rate_low: 0.2,
            went_on_rate_high: 0.5,
            lost_conversions: 0.97,
            lost_conversions_low: 0.6,
            lost_conversions_high: 1.5,
            lost_revenue: None,
            lost_revenue_low: None,
            lost_revenue_high: None,
            section: "paths".to_string(),
            interventions: Vec::new(),
            test_plan: None,
            hypotheses: Vec::new(),
            funnel_step: None,
            themes: Vec::new(),
        };
        assert_eq!(
            finding_line(&finding, &PersonIds(&interner(&[]))),
            "- Non-converters leaving at /pricing: fewer than 10 of 40 people stopped here. Of those who went on, 32.4% converted. Estimated lost conversions: not shown (fewer than 10 people behind it)."
        );
    }
}
