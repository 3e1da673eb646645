//! Sessions against the Snowplow web model's own sessions of the same events.
//!
//! docs/metrics.md (Sessions) explains each difference that these counts check.

use pathlight::analysis::sessions::SessionsOptions;
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

const EVENTS: &[u8] = include_bytes!("fixtures/snowplow-web/snowplow_web_events.csv");
const EXPECTED_SESSIONS: &str = include_str!("fixtures/snowplow-web/snowplow_web_sessions_expected.csv");

fn snowplow_sessions(events: &[&str]) -> u64 {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("snowplow_web_events.csv", EVENTS.to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let options = AnalysisOptions {
        sessions: SessionsOptions { events: events.iter().map(|event| event.to_string()).collect(), ..SessionsOptions::default() },
        ..AnalysisOptions::default()
    };
    workspace.analyze(&options).unwrap().sessions.unwrap().sessions
}

#[test]
fn reference_keeps_eighteen_sessions() {
    // One data row per session after the header.
    assert_eq!(EXPECTED_SESSIONS.lines().count() - 1, 18);
}

#[test]
fn every_event_gives_thirty_three_sessions() {
    assert_eq!(snowplow_sessions(&[]), 33);
}

#[test]
fn page_views_and_pings_give_twenty_three() {
    // 18 reference sessions, +3 for the long session split at its day-long gaps, +1 for the
    // unexpired session's page view 8 months later, +1 for the rotating-id person's two later
    // days (their first day falls inside the no-edge-case session of the same linked person),
    // -2 for the two pairs of overlapping sessions of one device, +2 for the late-arriving
    // session and the session whose page view has no page view id.
    assert_eq!(snowplow_sessions(&["page_view", "page_ping"]), 18 + 3 + 1 + 1 - 2 + 2);
}
