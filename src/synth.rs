//! Seeded generator of realistic multi-channel web journeys, written as CSV.
//!
//! Benchmarks and demos need inputs of any size that look like a web analytics export: people
//! arrive through a channel, read the blog, compare prices, sign up, and a few buy. The output
//! has the columns `user_id,timestamp,event,channel,page,revenue`, with timestamps in ISO 8601
//! UTC to the second and revenue as a decimal amount on `purchase` rows only.
//!
//! The random numbers come from ChaCha8, whose stream is fixed by the seed on every platform, so
//! the same [`SynthOptions`] give the same bytes on every run.
//! NOTE: native and wasm builds may still differ in rare rows, because the exponential draws call
//! `f64::ln`, whose last bit of rounding depends on the platform's math library.
//!
//! ```
//! use pathlight::synth::{write_csv, SynthOptions};
//!
//! let options = SynthOptions { people: 50, ..SynthOptions::default() };
//! let mut csv = Vec::new();
//! let summary = write_csv(&options, &mut csv).unwrap();
//! assert_eq!(summary.people, 50);
//! assert!(csv.starts_with(b"user_id,timestamp,event,channel,page,revenue\n"));
//! ```

use std::cell::Cell;
use std::io::{self, Write};

use chrono::{DateTime, Datelike, SecondsFormat, TimeZone, Utc};
use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub mod planted;

pub use planted::Plants;

/// Column names of the generated CSV, in order.
pub const HEADER: [&str; 6] = [
    "user_id",
    "timestamp",
    "event",
    "channel",
    "page",
    "revenue",
];

/// Event names, indexed by [`EventKind`].
const EVENT_NAMES: [&str; 5] = [
    "session_start",
    "page_view",
    "sign_up",
    "add_to_cart",
    "purchase",
];

const CHANNELS: [&str; 6] = [
    "organic_search",
    "paid_search",
    "email",
    "social",
    "direct",
    "referral",
];
/// Relative weights of each channel for a person's first session, in the order of `CHANNELS`.
const FIRST_TOUCH_WEIGHTS: [u32; 6] = [30, 20, 8, 17, 15, 10];
/// Relative weights for returning sessions, where e-mail and direct visits dominate.
const RETURN_WEIGHTS: [u32; 6] = [15, 10, 25, 10, 35, 5];

const BLOG_POSTS: [&str; 10] = [
    "/blog/customer-journey-basics",
    "/blog/funnel-metrics",
    "/blog/attribution-models",
    "/blog/cohort-retention",
    "/blog/pricing-pages-that-convert",
    "/blog/email-onboarding",
    "/blog/seo-checklist",
    "/blog/product-updates",
    "/blog/case-study-retail",
    "/blog/case-study-saas",
];

/// Plan prices in cents and their relative weights.
const PLAN_PRICES_CENTS: [u32; 4] = [1_900, 4_900, 9_900, 24_900];
const PLAN_WEIGHTS: [u32; 4] = [40, 35, 20, 5];

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Returning sessions stop this long after the end of the arrival period.
const TRAILING_DAYS: i64 = 60;

/// Order of the rows in the generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RowOrder {
    /// All rows sorted by time, as an analytics export usually is (the default). Holds every
    /// event in memory, about 24 bytes each, before writing.
    #[default]
    ByTime,
    /// Each person's rows together, in time order. Streams in constant memory.
    ByPerson,
}

/// Options of the generator. [`Default`] gives 10,000 people over 180 days from 2024-01-01.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Number of people. Each has about 10 events on average, with a long tail.
    pub people: u32,
    /// Seed of the random stream. The same options with the same seed give the same bytes.
    pub seed: u64,
    /// Start of the period in which first visits fall.
    pub start: DateTime<Utc>,
    /// Length of that period in days, at least 1. Returning visits may run up to 60 days past it.
    pub days: u32,
    /// Order of the rows.
    pub order: RowOrder,
    /// `None` for the journeys described above. `Some` for the simpler journeys of
    /// [`planted`], with the given effects planted, or with none for journeys where conversion
    /// depends on nothing. Those add a last column, `campaign`, after [`HEADER`].
    pub plant: Option<Plants>,
    /// The date from which `step-drop` lowers conversion; `None` for the middle of the period.
    pub drop_date: Option<DateTime<Utc>>,
    /// Whether each session's landing page carries the query string that analytics exports keep:
    /// utm parameters by channel, a weekly campaign on e-mail, and a click id on paid search
    /// (`gclid`) and paid social (`fbclid`). Nearly every paid session then has a page of its own.
    /// The journeys are the same as without it.
    pub tracking_urls: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            people: 10_000,
            seed: 42,
            start: Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 180,
            order: RowOrder::ByTime,
            plant: None,
            drop_date: None,
            tracking_urls: false,
        }
    }
}

/// Counts of what [`write_csv`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SynthSummary {
    /// People written, equal to [`SynthOptions::people`].
    pub people: u32,
    /// Data rows written, not counting the header.
    pub events: u64,
    /// People with at least one `sign_up` row.
    pub sign_ups: u32,
    /// People with at least one `purchase` row.
    pub buyers: u32,
    /// Sum of the `revenue` column, in cents.
    pub revenue_cents: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    SessionStart = 0,
    PageView = 1,
    SignUp = 2,
    AddToCart = 3,
    Purchase = 4,
}

/// A page of the simulated site. `Blog` carries an index into `BLOG_POSTS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Blog(u8),
    Pricing,
    Signup,
    Checkout,
}

impl Page {
    fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Blog(post) => BLOG_POSTS[usize::from(post) % BLOG_POSTS.len()],
            Page::Pricing => "/pricing",
            Page::Signup => "/signup",
            Page::Checkout => "/checkout",
        }
    }
}

/// One generated row, kept small so that a million of them fit in about 24 MB.
#[derive(Debug, Clone, Copy)]
struct Event {
    time_ms: i64,
    person: u32,
    revenue_cents: u32,
    kind: EventKind,
    channel: u8,
    page: Page,
    /// The person's session, counted from 0.
    session: u16,
    /// The session start or the first page view of a session, whose page is where it landed.
    landing: bool,
}

/// Draws that do not change between people, built once.
struct Distributions {
    first_touch: WeightedIndex<u32>,
    returning: WeightedIndex<u32>,
    plan: WeightedIndex<u32>,
}

/// Progress of one person through the site, which shapes their next steps.
struct PersonState {
    /// Propensity to sign up and buy, from 0 to 1, skewed towards low values.
    intent: f64,
    signed_up: bool,
    bought: bool,
    revenue_cents: u64,
}

/// Writes a header and the journeys of `options.people` people as CSV to `output`.
///
/// Returns the counts of what was written. Fails with [`io::ErrorKind::InvalidInput`] when
/// `options.days` is 0, and with the writer's error when a write fails.
pub fn write_csv(options: &SynthOptions, output: &mut impl Write) -> io::Result<SynthSummary> {
    if options.days == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "synthetic journeys need a period of at least 1 day, but days is 0",
        ));
    }

    if let Some(plants) = options.plant {
        return planted::write_csv(options, plants, output);
    }

    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let distributions = Distributions::new()?;
    let mut output = io::BufWriter::new(output);
    writeln!(output, "{}", HEADER.join(","))?;

    let mut summary = SynthSummary {
        people: options.people,
        ..SynthSummary::default()
    };
    let mut journey = Vec::new();
    let mut all_events = Vec::new();

    for person in 0..options.people {
        journey.clear();
        let state = generate_person(options, person, &distributions, &mut rng, &mut journey);
        summary.events += journey.len() as u64;
        summary.sign_ups += u32::from(state.signed_up);
        summary.buyers += u32::from(state.bought);
        summary.revenue_cents += state.revenue_cents;

        match options.order {
            RowOrder::ByPerson => write_events(&mut output, &journey, options)?,
            RowOrder::ByTime => all_events.extend_from_slice(&journey),
        }
    }

    if options.order == RowOrder::ByTime {
        // A stable sort keeps each person's rows in their generated order on equal times.
        all_events.sort_by_key(|event| event.time_ms);
        write_events(&mut output, &all_events, options)?;
    }

    output.flush()?;
    Ok(summary)
}

impl Distributions {
    fn new() -> io::Result<Self> {
        let invalid = |error: rand::distr::weighted::Error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid weights in synth: {error}"),
            )
        };
        Ok(Distributions {
            first_touch: WeightedIndex::new(FIRST_TOUCH_WEIGHTS).map_err(invalid)?,
            returning: WeightedIndex::new(RETURN_WEIGHTS).map_err(invalid)?,
            plan: WeightedIndex::new(PLAN_WEIGHTS).map_err(invalid)?,
        })
    }
}

/// Appends one person's events to `journey` in time order and returns what they did.
fn generate_person(
    options: &SynthOptions,
    person: u32,
    distributions: &Distributions,
    rng: &mut ChaCha8Rng,
    journey: &mut Vec<Event>,
) -> PersonState {
    let first_uniform: f64 = rng.random();
    let second_uniform: f64 = rng.random();
    let mut state = PersonState {
        intent: first_uniform * second_uniform,
        signed_up: false,
        bought: false,
        revenue_cents: 0,
    };

    let period_start_ms = options.start.timestamp_millis();
    let arrival_offset_ms = rng.random_range(0..i64::from(options.days) * DAY_MS);
    let last_session_ms = period_start_ms + (i64::from(options.days) + TRAILING_DAYS) * DAY_MS;

    let sessions = draw_session_count(rng);
    let mut time_ms = period_start_ms + arrival_offset_ms;
    for session in 0..sessions {
        let channel = if session == 0 {
            distributions.first_touch.sample(rng)
        } else {
            distributions.returning.sample(rng)
        };
        let channel = u8::try_from(channel).unwrap_or(0);
        time_ms = generate_session(
            person,
            u16::try_from(session).unwrap_or(u16::MAX),
            channel,
            time_ms,
            &mut state,
            distributions,
            rng,
            journey,
        );

        time_ms += draw_gap_between_sessions_ms(rng);
        if time_ms > last_session_ms {
            break;
        }
    }
    state
}

/// Appends one session's events, starting at `time_ms`, and returns the time of its last event.
#[allow(clippy::too_many_arguments)]
fn generate_session(
    person: u32,
    session: u16,
    channel: u8,
    mut time_ms: i64,
    state: &mut PersonState,
    distributions: &Distributions,
    rng: &mut ChaCha8Rng,
    journey: &mut Vec<Event>,
) -> i64 {
    let landing = Cell::new(true);
    let mut push = |time_ms: i64, kind: EventKind, page: Page, revenue_cents: u32| {
        journey.push(Event {
            time_ms,
            person,
            revenue_cents,
            kind,
            channel,
            page,
            session,
            landing: landing.get(),
        });
    };

    let mut page = draw_landing_page(channel, rng);
    push(time_ms, EventKind::SessionStart, page, 0);
    time_ms += rng.random_range(SECOND_MS..3 * SECOND_MS);
    push(time_ms, EventKind::PageView, page, 0);
    landing.set(false);

    loop {
        if page == Page::Signup && !state.signed_up && rng.random_bool(0.3 + 0.6 * state.intent) {
            time_ms += rng.random_range(20 * SECOND_MS..3 * MINUTE_MS);
            push(time_ms, EventKind::SignUp, page, 0);
            state.signed_up = true;
        }

        if page == Page::Pricing && state.signed_up && rng.random_bool(0.1 + 0.5 * state.intent) {
            time_ms += rng.random_range(15 * SECOND_MS..2 * MINUTE_MS);
            push(time_ms, EventKind::AddToCart, page, 0);
            time_ms += rng.random_range(5 * SECOND_MS..30 * SECOND_MS);
            push(time_ms, EventKind::PageView, Page::Checkout, 0);

            if rng.random_bool(0.55) {
                let quantity: u32 = if rng.random_bool(0.1) {
                    rng.random_range(2..=3)
                } else {
                    1
                };
                let revenue_cents = PLAN_PRICES_CENTS[distributions.plan.sample(rng)] * quantity;
                time_ms += rng.random_range(30 * SECOND_MS..5 * MINUTE_MS);
                push(time_ms, EventKind::Purchase, Page::Checkout, revenue_cents);
                state.bought = true;
                state.revenue_cents += u64::from(revenue_cents);
            }
            return time_ms;
        }

        // Further page views follow a geometric distribution with a mean of 1.5.
        if !rng.random_bool(0.6) {
            return time_ms;
        }
        page = draw_next_page(page, state.signed_up, rng);
        time_ms += draw_page_dwell_ms(rng);
        push(time_ms, EventKind::PageView, page, 0);
    }
}

/// Draws the number of sessions: mostly 1 to 5, with 3% of people returning 10 to 40 times.
fn draw_session_count(rng: &mut ChaCha8Rng) -> u32 {
    if rng.random_bool(0.03) {
        return rng.random_range(10..=40);
    }
    let uniform: f64 = rng.random();
    let extra_sessions = (-(1.0 - uniform).ln() * 1.6).floor();
    1 + extra_sessions.min(30.0) as u32
}

/// Draws the time between two sessions: exponential with a mean of 6 days, at least 30 minutes.
fn draw_gap_between_sessions_ms(rng: &mut ChaCha8Rng) -> i64 {
    let uniform: f64 = rng.random();
    let gap_ms = -(1.0 - uniform).ln() * 6.0 * DAY_MS as f64;
    (gap_ms as i64).max(30 * MINUTE_MS)
}

/// Draws the time spent on a page before the next one: exponential with a mean of 50 seconds.
fn draw_page_dwell_ms(rng: &mut ChaCha8Rng) -> i64 {
    let uniform: f64 = rng.random();
    let dwell_ms = -(1.0 - uniform).ln() * 50.0 * SECOND_MS as f64;
    (dwell_ms as i64).clamp(2 * SECOND_MS, 30 * MINUTE_MS)
}

/// Draws the first page of a session from its channel: search lands on posts, ads on pricing.
fn draw_landing_page(channel: u8, rng: &mut ChaCha8Rng) -> Page {
    // Weights of home, a blog post and pricing, per channel in the order of `CHANNELS`.
    let [home, blog, pricing] = match CHANNELS[usize::from(channel)] {
        "organic_search" => [20, 70, 10],
        "paid_search" => [40, 10, 50],
        "email" => [20, 40, 40],
        "social" => [20, 80, 0],
        "direct" => [70, 0, 30],
        _ => [50, 50, 0],
    };
    let draw = rng.random_range(0..home + blog + pricing);
    if draw < home {
        Page::Home
    } else if draw < home + blog {
        draw_blog_post(rng)
    } else {
        Page::Pricing
    }
}

/// Draws the page that follows `page`, leaning towards pricing and, before sign-up, the sign-up form.
fn draw_next_page(page: Page, signed_up: bool, rng: &mut ChaCha8Rng) -> Page {
    let signup_weight = if signed_up { 0 } else { 20 };
    // Weights of home, a blog post, pricing and the sign-up form.
    let [home, blog, pricing, signup] = match page {
        Page::Home => [0, 40, 40, signup_weight],
        Page::Blog(_) => [15, 45, 25, signup_weight / 2],
        Page::Pricing => [20, 20, 0, signup_weight + 10],
        Page::Signup | Page::Checkout => [40, 20, 40, 0],
    };
    let draw = rng.random_range(0..home + blog + pricing + signup);
    if draw < home {
        Page::Home
    } else if draw < home + blog {
        draw_blog_post(rng)
    } else if draw < home + blog + pricing {
        Page::Pricing
    } else {
        Page::Signup
    }
}

fn draw_blog_post(rng: &mut ChaCha8Rng) -> Page {
    // Earlier posts are more popular: the minimum of two draws favours low indexes.
    let post_count = BLOG_POSTS.len() as u8;
    let first = rng.random_range(0..post_count);
    let second = rng.random_range(0..post_count);
    Page::Blog(first.min(second))
}

fn write_events(output: &mut impl Write, events: &[Event], options: &SynthOptions) -> io::Result<()> {
    // Every field comes from the constants above or is a number, a timestamp or a click id of
    // letters, digits, `-` and `_`, so none contains a comma, a quote or a line break and no
    // field needs quoting.
    let mut query = String::new();
    for event in events {
        query.clear();
        if options.tracking_urls && event.landing {
            tracking_query(event, options.seed, &mut query);
        }
        let timestamp = DateTime::<Utc>::from_timestamp_millis(event.time_ms)
            .map(|time| time.to_rfc3339_opts(SecondsFormat::Secs, true))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "generated time {} ms is out of range; use a later start",
                        event.time_ms
                    ),
                )
            })?;
        write!(
            output,
            "u{:07},{},{},{},{}{},",
            event.person + 1,
            timestamp,
            EVENT_NAMES[event.kind as usize],
            CHANNELS[usize::from(event.channel)],
            event.page.path(),
            query,
        )?;
        if event.kind == EventKind::Purchase {
            writeln!(
                output,
                "{}.{:02}",
                event.revenue_cents / 100,
                event.revenue_cents % 100
            )?;
        } else {
            writeln!(output)?;
        }
    }
    Ok(())
}

/// Appends the query string of a landing page from `event`'s channel to `query`. A click id is
/// drawn from the seed, the person and the session, so both landing events of a session share it.
/// It does not come from the journeys' random stream, which stays the same without query strings.
fn tracking_query(event: &Event, seed: u64, query: &mut String) {
    const CLICK_ID_CHARACTERS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let session = (u64::from(event.person) << 16) | u64::from(event.session);
    let mut click_id = ChaCha8Rng::seed_from_u64(seed ^ session.rotate_left(17));
    let mut push_click_id = |query: &mut String| {
        for _ in 0..40 {
            query.push(char::from(CLICK_ID_CHARACTERS[click_id.random_range(0..64)]));
        }
    };
    match CHANNELS[usize::from(event.channel)] {
        "paid_search" => {
            query.push_str("?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=");
            push_click_id(query);
        }
        "social" => {
            query.push_str("?utm_source=facebook&utm_medium=paid_social&fbclid=");
            push_click_id(query);
        }
        "email" => {
            let week = DateTime::<Utc>::from_timestamp_millis(event.time_ms).map_or(0, |time| time.iso_week().week());
            query.push_str(&format!("?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-{week:02}"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn generate(options: &SynthOptions) -> (SynthSummary, String) {
        let mut bytes = Vec::new();
        let summary = write_csv(options, &mut bytes).unwrap();
        (summary, String::from_utf8(bytes).unwrap())
    }

    fn rows(csv: &str) -> Vec<Vec<&str>> {
        csv.lines()
            .skip(1)
            .map(|line| line.split(',').collect())
            .collect()
    }

    #[test]
    fn tracking_urls_change_only_landing_pages() {
        let plain = SynthOptions { people: 400, ..SynthOptions::default() };
        let (plain_summary, plain_csv) = generate(&plain);
        let (summary, csv) = generate(&SynthOptions { tracking_urls: true, ..plain.clone() });
        assert_eq!(summary, plain_summary);
        let (plain_rows, rows) = (rows(&plain_csv), rows(&csv));
        assert_eq!(rows.len(), plain_rows.len());
        let mut click_ids = HashSet::new();
        for (row, plain_row) in rows.iter().zip(&plain_rows) {
            let (path, query) = row[4].split_once('?').unwrap_or((row[4], ""));
            assert_eq!(path, plain_row[4]);
            let mut without_page = row.clone();
            without_page[4] = plain_row[4];
            assert_eq!(&without_page, plain_row, "only the page changes");
            if !query.is_empty() {
                assert!(row[2] == "session_start" || row[2] == "page_view", "a landing event: {row:?}");
            }
            match row[3] {
                "paid_search" if !query.is_empty() => {
                    let click_id = query.split_once("gclid=").map(|(_, id)| id).unwrap_or_default();
                    assert_eq!(click_id.len(), 40, "{query}");
                    if row[2] == "session_start" {
                        click_ids.insert(click_id);
                    } else {
                        assert!(click_ids.contains(click_id), "the landing page view has its session's click id");
                    }
                }
                "social" if row[2] == "session_start" => assert!(query.contains("&fbclid="), "{query}"),
                "email" if row[2] == "session_start" => assert!(query.contains("&utm_campaign=weekly-"), "{query}"),
                "organic_search" | "direct" | "referral" => assert_eq!(query, ""),
                _ => {}
            }
        }
        let paid_sessions = rows.iter().filter(|row| row[2] == "session_start" && row[3] == "paid_search").count();
        assert!(paid_sessions > 50, "{paid_sessions} paid sessions");
        assert_eq!(click_ids.len(), paid_sessions, "each paid session has its own click id");
    }

    #[test]
    fn same_seed_same_bytes() {
        let options = SynthOptions {
            people: 300,
            ..SynthOptions::default()
        };
        assert_eq!(generate(&options).1, generate(&options).1);
    }

    #[test]
    fn different_seed_different_bytes() {
        let first = SynthOptions {
            people: 300,
            seed: 1,
            ..SynthOptions::default()
        };
        let second = SynthOptions {
            people: 300,
            seed: 2,
            ..SynthOptions::default()
        };
        assert_ne!(generate(&first).1, generate(&second).1);
    }

    #[test]
    fn header_and_field_count() {
        let (summary, csv) = generate(&SynthOptions {
            people: 200,
            ..SynthOptions::default()
        });
        assert_eq!(
            csv.lines().next(),
            Some("user_id,timestamp,event,channel,page,revenue")
        );
        let rows = rows(&csv);
        assert_eq!(rows.len() as u64, summary.events);
        for row in &rows {
            assert_eq!(row.len(), HEADER.len(), "row {row:?}");
        }
    }

    #[test]
    fn about_ten_events_per_person() {
        let (summary, _) = generate(&SynthOptions {
            people: 5_000,
            ..SynthOptions::default()
        });
        let per_person = summary.events as f64 / f64::from(summary.people);
        assert!(
            (8.0..=12.0).contains(&per_person),
            "{per_person} events per person"
        );
    }

    #[test]
    fn long_tail_of_events() {
        let (_, csv) = generate(&SynthOptions {
            people: 5_000,
            ..SynthOptions::default()
        });
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for row in rows(&csv) {
            *counts.entry(row[0]).or_default() += 1;
        }
        let max = counts.values().copied().max().unwrap();
        let single_session = counts.values().filter(|&&count| count <= 4).count();
        assert!(max >= 60, "max events for one person is {max}");
        assert!(
            single_session > 1_000,
            "{single_session} people with at most 4 events"
        );
    }

    #[test]
    fn conversion_rates_are_plausible() {
        let (summary, _) = generate(&SynthOptions {
            people: 5_000,
            ..SynthOptions::default()
        });
        let sign_up_rate = f64::from(summary.sign_ups) / f64::from(summary.people);
        let buyer_rate = f64::from(summary.buyers) / f64::from(summary.people);
        assert!(
            (0.05..=0.4).contains(&sign_up_rate),
            "sign-up rate {sign_up_rate}"
        );
        assert!(
            (0.01..=0.15).contains(&buyer_rate),
            "buyer rate {buyer_rate}"
        );
        assert!(buyer_rate < sign_up_rate);
    }

    #[test]
    fn time_order_across_rows() {
        let (_, csv) = generate(&SynthOptions {
            people: 500,
            ..SynthOptions::default()
        });
        let times: Vec<&str> = rows(&csv).iter().map(|row| row[1]).collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
    }

    #[test]
    fn person_order_groups_rows() {
        let options = SynthOptions {
            people: 500,
            order: RowOrder::ByPerson,
            ..SynthOptions::default()
        };
        let (summary, csv) = generate(&options);
        let rows = rows(&csv);
        let mut seen = HashSet::new();
        let mut previous: Option<&[&str]> = None;
        for row in &rows {
            match previous {
                Some(last) if last[0] == row[0] => {
                    assert!(last[1] <= row[1], "{last:?} then {row:?}")
                }
                _ => assert!(seen.insert(row[0]), "rows of {} are split", row[0]),
            }
            previous = Some(row);
        }
        assert_eq!(seen.len() as u32, summary.people);
    }

    #[test]
    fn values_come_from_vocabulary() {
        let (summary, csv) = generate(&SynthOptions {
            people: 1_000,
            ..SynthOptions::default()
        });
        let mut revenue_cents = 0u64;
        for row in rows(&csv) {
            assert!(row[1].ends_with('Z'), "timestamp {}", row[1]);
            assert_eq!(
                row[1].len(),
                "2024-01-01T00:00:00Z".len(),
                "timestamp {}",
                row[1]
            );
            assert!(EVENT_NAMES.contains(&row[2]), "event {}", row[2]);
            assert!(CHANNELS.contains(&row[3]), "channel {}", row[3]);
            assert!(row[4].starts_with('/'), "page {}", row[4]);
            if row[2] == "purchase" {
                let (units, cents) = row[5].split_once('.').unwrap();
                revenue_cents +=
                    units.parse::<u64>().unwrap() * 100 + cents.parse::<u64>().unwrap();
            } else {
                assert_eq!(row[5], "", "revenue on a {} row", row[2]);
            }
        }
        assert_eq!(revenue_cents, summary.revenue_cents);
    }

    #[test]
    fn purchase_follows_sign_up() {
        let options = SynthOptions {
            people: 2_000,
            order: RowOrder::ByPerson,
            ..SynthOptions::default()
        };
        let (_, csv) = generate(&options);
        let mut signed_up = HashSet::new();
        for row in rows(&csv) {
            match row[2] {
                "sign_up" => assert!(signed_up.insert(row[0]), "{} signed up twice", row[0]),
                "add_to_cart" | "purchase" => {
                    assert!(signed_up.contains(row[0]), "{} before sign-up", row[2])
                }
                _ => {}
            }
        }
    }

    #[test]
    fn zero_days_rejected() {
        let options = SynthOptions {
            days: 0,
            ..SynthOptions::default()
        };
        let error = write_csv(&options, &mut Vec::new()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn zero_people_writes_header() {
        let (summary, csv) = generate(&SynthOptions {
            people: 0,
            ..SynthOptions::default()
        });
        assert_eq!(summary.events, 0);
        assert_eq!(csv, "user_id,timestamp,event,channel,page,revenue\n");
    }
}
