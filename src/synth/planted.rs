//! A generator of journeys with known effects planted in them, to check that the analyses find
//! them, and with none planted, that they find nothing.
//!
//! Each person arrives through one first-touch channel, visits `/`, signs up, may read the case
//! study, and is sent four e-mails a few hours apart: `welcome`, `tips`, `offer` and `reminder`.
//! An extra last column, `campaign`, names the message of each `email_sent` and `email_open` row,
//! so that messages are not counted as channels. About a day
//! after arriving, the person views pricing and then checkout. Whether the person converts is drawn first, from
//! [`BASE_CONVERSION`]. A converter comes back after a delay and buys (`purchase`). A
//! non-converter's journey ends at checkout.
//!
//! With no effect planted, conversion is independent of every event, page and channel before it,
//! and the delay is independent of the channel, so no driver, hypothesis or faster pair is
//! implied. Each planted effect changes one thing:
//! - `exit-step`: [`EXIT_SHARE`] of the non-converters leave at pricing, without checkout;
//! - `email-collapse`: the open rate of the third and fourth message falls from [`OPEN_RATE`] to
//!   [`COLLAPSED_OPEN_RATE`];
//! - `touchpoint`: reading the case study multiplies the odds of converting by [`TOUCHPOINT_ODDS`];
//! - `fast-channel`: converters who arrived through [`FAST_CHANNEL`] come back after a mean of
//!   [`FAST_DELAY_DAYS`] days instead of [`DELAY_DAYS`];
//! - `step-drop`: people whose first visit is on or after [`SynthOptions::drop_date`] (by default
//!   the middle of the period) convert from checkout [`STEP_DROP_FACTOR`] times as often. `all`
//!   leaves this one out, because it changes conversion over time, which the other checks do not
//!   expect.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{SynthOptions, SynthSummary, DAY_MS, HEADER, HOUR_MS, MINUTE_MS, RowOrder};

/// First-touch channels, drawn with equal weight.
pub const CHANNELS: [&str; 4] = ["organic_search", "paid_search", "social", "referral"];
/// The channel whose converters convert faster when `fast-channel` is planted.
pub const FAST_CHANNEL: &str = "paid_search";
/// The touchpoint that multiplies the odds of converting when `touchpoint` is planted.
pub const TOUCHPOINT: &str = "case_study";
/// The page people leave at when `exit-step` is planted.
pub const EXIT_PAGE: &str = "/pricing";
/// The e-mail messages, in the order they are sent.
pub const MESSAGES: [&str; 4] = ["welcome", "tips", "offer", "reminder"];
/// The first message number (from 1) whose opens collapse when `email-collapse` is planted.
pub const COLLAPSED_FROM: usize = 3;

/// The chance to convert without the touchpoint effect.
pub const BASE_CONVERSION: f64 = 0.25;
/// The factor on the odds of converting after reading the case study, when planted.
pub const TOUCHPOINT_ODDS: f64 = 3.0;
/// The share of people who read the case study, planted or not.
pub const TOUCHPOINT_SHARE: f64 = 0.3;
/// The share of non-converters who leave at pricing when `exit-step` is planted.
pub const EXIT_SHARE: f64 = 0.8;
/// The open rate of every message unless `email-collapse` is planted.
pub const OPEN_RATE: f64 = 0.5;
/// The open rate of the messages from [`COLLAPSED_FROM`] on when `email-collapse` is planted.
pub const COLLAPSED_OPEN_RATE: f64 = 0.05;
/// The mean delay in days between checkout and purchase, exponential.
pub const DELAY_DAYS: f64 = 6.0;
/// The mean delay for converters from [`FAST_CHANNEL`] when `fast-channel` is planted.
pub const FAST_DELAY_DAYS: f64 = 1.0;

/// The factor on the chance to convert for people who arrive on or after the drop date when
/// `step-drop` is planted: 0.25 becomes 0.1.
pub const STEP_DROP_FACTOR: f64 = 0.4;

/// The effects to plant. `Plants::default()` plants none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plants {
    /// Most non-converters leave at [`EXIT_PAGE`].
    pub exit_step: bool,
    /// Opens collapse from message [`COLLAPSED_FROM`] on.
    pub email_collapse: bool,
    /// [`TOUCHPOINT`] multiplies the odds of converting by [`TOUCHPOINT_ODDS`].
    pub touchpoint: bool,
    /// Converters from [`FAST_CHANNEL`] buy sooner.
    pub fast_channel: bool,
    /// Conversion from checkout falls for people who arrive from the drop date on.
    pub step_drop: bool,
}

impl Plants {
    /// Every effect planted except `step-drop`.
    pub const ALL: Plants = Plants { exit_step: true, email_collapse: true, touchpoint: true, fast_channel: true, step_drop: false };

    /// Parses a comma-separated list of `exit-step`, `email-collapse`, `touchpoint`,
    /// `fast-channel` and `step-drop`, or `all` (every one but `step-drop`), or `none`.
    pub fn parse(text: &str) -> Result<Plants, String> {
        let mut plants = Plants::default();
        for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            match name {
                "none" => {}
                "all" => plants = Plants { step_drop: plants.step_drop, ..Plants::ALL },
                "exit-step" => plants.exit_step = true,
                "email-collapse" => plants.email_collapse = true,
                "touchpoint" => plants.touchpoint = true,
                "fast-channel" => plants.fast_channel = true,
                "step-drop" => plants.step_drop = true,
                other => {
                    return Err(format!(
                        "--plant: unknown effect \"{other}\"; use exit-step, email-collapse, touchpoint, fast-channel, step-drop, all or none"
                    ))
                }
            }
        }
        Ok(plants)
    }
}

/// The column after [`HEADER`] that names an e-mail row's message.
const CAMPAIGN_COLUMN: &str = "campaign";

/// One generated row.
#[derive(Debug, Clone, Copy)]
struct Row {
    time_ms: i64,
    person: u32,
    event: &'static str,
    channel: &'static str,
    page: &'static str,
    revenue_cents: u32,
    campaign: &'static str,
}

/// Writes a header and the planted journeys of `options.people` people as CSV to `output`.
pub(super) fn write_csv(options: &SynthOptions, plants: Plants, output: &mut impl Write) -> io::Result<SynthSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut output = io::BufWriter::new(output);
    writeln!(output, "{},{CAMPAIGN_COLUMN}", HEADER.join(","))?;
    let mut summary = SynthSummary { people: options.people, ..SynthSummary::default() };
    let mut rows = Vec::new();
    let mut journey = Vec::new();
    for person in 0..options.people {
        journey.clear();
        generate_person(options, plants, person, &mut rng, &mut journey);
        summary.events += journey.len() as u64;
        summary.sign_ups += 1;
        let revenue: u32 = journey.iter().map(|row| row.revenue_cents).sum();
        summary.buyers += u32::from(revenue > 0);
        summary.revenue_cents += u64::from(revenue);
        match options.order {
            RowOrder::ByPerson => write_rows(&mut output, &journey)?,
            RowOrder::ByTime => rows.extend_from_slice(&journey),
        }
    }
    if options.order == RowOrder::ByTime {
        rows.sort_by_key(|row| row.time_ms);
        write_rows(&mut output, &rows)?;
    }
    output.flush()?;
    Ok(summary)
}

/// Appends one person's rows to `journey` in time order.
fn generate_person(options: &SynthOptions, plants: Plants, person: u32, rng: &mut ChaCha8Rng, journey: &mut Vec<Row>) {
    let channel = CHANNELS[rng.random_range(0..CHANNELS.len())];
    let read_case_study = rng.random_bool(TOUCHPOINT_SHARE);
    let odds = BASE_CONVERSION / (1.0 - BASE_CONVERSION) * if plants.touchpoint && read_case_study { TOUCHPOINT_ODDS } else { 1.0 };
    let mut converts = rng.random_bool(odds / (1.0 + odds));

    let start_ms = options.start.timestamp_millis() + rng.random_range(0..i64::from(options.days) * DAY_MS);
    // Thinning the converters after the draw keeps the random stream of files without this effect
    // unchanged.
    if plants.step_drop && converts && start_ms >= drop_ms(options) {
        converts = rng.random_bool(STEP_DROP_FACTOR);
    }
    let mut push = |time_ms: i64, event: &'static str, channel: &'static str, page: &'static str, revenue_cents: u32, campaign: &'static str| {
        journey.push(Row { time_ms, person, event, channel, page, revenue_cents, campaign });
    };
    push(start_ms, "visit", channel, "/", 0, "");
    let mut time_ms = start_ms + rng.random_range(MINUTE_MS..10 * MINUTE_MS);
    push(time_ms, "sign_up", "", "/signup", 0, "");
    if read_case_study {
        time_ms += rng.random_range(MINUTE_MS..20 * MINUTE_MS);
        push(time_ms, TOUCHPOINT, "", "/case-study", 0, "");
    }

    for (number, message) in MESSAGES.iter().enumerate() {
        let sent_ms = start_ms + (2 + 5 * number as i64) * HOUR_MS;
        push(sent_ms, "email_sent", "", "", 0, message);
        let collapsed = plants.email_collapse && number + 1 >= COLLAPSED_FROM;
        if rng.random_bool(if collapsed { COLLAPSED_OPEN_RATE } else { OPEN_RATE }) {
            push(sent_ms + rng.random_range(10 * MINUTE_MS..3 * HOUR_MS), "email_open", "", "", 0, message);
        }
    }

    time_ms = start_ms + 24 * HOUR_MS + rng.random_range(0..4 * HOUR_MS);
    push(time_ms, "pricing", "", EXIT_PAGE, 0, "");
    if !converts && plants.exit_step && rng.random_bool(EXIT_SHARE) {
        return;
    }
    time_ms += rng.random_range(2 * MINUTE_MS..10 * MINUTE_MS);
    push(time_ms, "checkout", "", "/checkout", 0, "");
    if converts {
        let mean_days = if plants.fast_channel && channel == FAST_CHANNEL { FAST_DELAY_DAYS } else { DELAY_DAYS };
        let uniform: f64 = rng.random();
        let delay_ms = (-(1.0 - uniform).ln() * mean_days * DAY_MS as f64) as i64;
        push(time_ms + delay_ms.max(HOUR_MS), "purchase", "", "/checkout", 4_900, "");
    }
}

/// Returns the drop date of `step-drop`: [`SynthOptions::drop_date`], or the middle of the period.
pub fn drop_ms(options: &SynthOptions) -> i64 {
    match options.drop_date {
        Some(date) => date.timestamp_millis(),
        None => options.start.timestamp_millis() + i64::from(options.days) * DAY_MS / 2,
    }
}

fn write_rows(output: &mut impl Write, rows: &[Row]) -> io::Result<()> {
    // Every field is a constant without commas or quotes, a number or a timestamp.
    for row in rows {
        let timestamp = DateTime::from_timestamp_millis(row.time_ms)
            .map(|time| time.to_rfc3339_opts(SecondsFormat::Secs, true))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("generated time {} ms is out of range; use a later start", row.time_ms)))?;
        write!(output, "p{:07},{timestamp},{},{},{},", row.person + 1, row.event, row.channel, row.page)?;
        if row.revenue_cents > 0 {
            write!(output, "{}.{:02}", row.revenue_cents / 100, row.revenue_cents % 100)?;
        }
        writeln!(output, ",{}", row.campaign)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_lists_and_keywords() {
        assert_eq!(Plants::parse("none"), Ok(Plants::default()));
        assert_eq!(Plants::parse("all"), Ok(Plants::ALL));
        let some = Plants::parse("exit-step, fast-channel").unwrap();
        assert_eq!(some, Plants { exit_step: true, fast_channel: true, ..Plants::default() });
        assert_eq!(Plants::parse("step-drop,all"), Ok(Plants { step_drop: true, ..Plants::ALL }));
        let error = Plants::parse("exit-step,slow-channel").unwrap_err();
        assert!(error.contains("\"slow-channel\""), "{error}");
    }

    #[test]
    fn nothing_planted_writes_every_step() {
        let options = SynthOptions { people: 200, plant: Some(Plants::default()), order: RowOrder::ByPerson, ..SynthOptions::default() };
        let mut csv = Vec::new();
        let summary = super::super::write_csv(&options, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let count = |event: &str| text.lines().filter(|line| line.split(',').nth(2) == Some(event)).count() as u32;
        assert_eq!(count("visit"), 200);
        assert_eq!(count("pricing"), 200);
        assert_eq!(count("checkout"), 200);
        assert_eq!(count("email_sent"), 800);
        assert_eq!(count("purchase"), summary.buyers);
    }

    #[test]
    fn step_drop_lowers_later_conversion() {
        let options = SynthOptions { people: 4000, days: 60, plant: Some(Plants { step_drop: true, ..Plants::default() }), order: RowOrder::ByPerson, ..SynthOptions::default() };
        let mut csv = Vec::new();
        super::super::write_csv(&options, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let drop = DateTime::from_timestamp_millis(drop_ms(&options)).unwrap().to_rfc3339_opts(SecondsFormat::Secs, true);
        let (mut visits, mut buyers) = ([0u32; 2], [0u32; 2]);
        let mut late = false;
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            if fields[2] == "visit" {
                late = fields[1] >= drop.as_str();
                visits[usize::from(late)] += 1;
            }
            if fields[2] == "purchase" {
                buyers[usize::from(late)] += 1;
            }
        }
        let rate = |side: usize| f64::from(buyers[side]) / f64::from(visits[side]);
        assert!((0.21..0.29).contains(&rate(0)), "before {}", rate(0));
        assert!((0.07..0.13).contains(&rate(1)), "after {}", rate(1));
    }
}
