//! Known export formats: each fixture in tests/fixtures/formats/ is recognised, mapped to the
//! right columns and loaded into the expected people and events.

use std::path::Path;

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::{AnalysisOptions, FileInspection, LoadConfig, LoadSummary, Mapping, Workspace};

const FIXTURES: &str = "tests/fixtures/formats";

/// What one fixture must yield.
struct Expected {
    file: &'static str,
    format: &'static str,
    person: Option<&'static str>,
    time: Option<&'static str>,
    event: Option<&'static str>,
    channel: Option<&'static str>,
    value: Option<&'static str>,
    /// (column, event name) of each date event.
    date_events: &'static [(&'static str, &'static str)],
    people: u64,
    events: u64,
    skipped: u64,
}

const NONE: Expected = Expected {
    file: "",
    format: "",
    person: None,
    time: None,
    event: None,
    channel: None,
    value: None,
    date_events: &[],
    people: 0,
    events: 0,
    skipped: 0,
};

const CASES: &[Expected] = &[
    Expected {
        file: "ga4_bigquery.csv",
        format: "ga4_bigquery",
        person: Some("user_pseudo_id"),
        time: Some("event_timestamp"),
        event: Some("event_name"),
        channel: Some("traffic_source.medium"),
        value: Some("ecommerce.purchase_revenue"),
        people: 2,
        events: 5,
        ..NONE
    },
    Expected {
        file: "ga4_exploration.csv",
        format: "ga4_exploration",
        person: Some("Effective user ID"),
        time: Some("Date"),
        event: Some("Event name"),
        channel: Some("Session default channel group"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "mixpanel.csv",
        format: "mixpanel",
        person: Some("distinct_id"),
        time: Some("time"),
        event: Some("event"),
        channel: Some("utm_source"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "amplitude.csv",
        format: "amplitude",
        person: Some("amplitude_id"),
        time: Some("event_time"),
        event: Some("event_type"),
        value: Some("revenue"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "posthog.csv",
        format: "posthog",
        person: Some("person_id"),
        time: Some("timestamp"),
        event: Some("event"),
        channel: Some("properties.$referring_domain"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "segment.csv",
        format: "segment",
        person: Some("anonymous_id"),
        time: Some("timestamp"),
        event: Some("event"),
        channel: Some("context_campaign_medium"),
        value: Some("properties_revenue"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "snowplow.csv",
        format: "snowplow_enriched",
        person: Some("domain_userid"),
        time: Some("derived_tstamp"),
        event: Some("event_name"),
        channel: Some("mkt_medium"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "ecommerce_clickstream.csv",
        format: "ecommerce_clickstream",
        person: Some("user_id"),
        time: Some("event_time"),
        event: Some("event_type"),
        value: Some("price"),
        people: 2,
        events: 4,
        ..NONE
    },
    Expected {
        file: "hubspot_email_events.csv",
        format: "hubspot_email_events",
        person: Some("recipient"),
        time: Some("created"),
        event: Some("type"),
        channel: Some("emailCampaignId"),
        people: 2,
        events: 5,
        ..NONE
    },
    Expected {
        file: "mailchimp_email_activity.csv",
        format: "mailchimp_email_activity",
        person: Some("email_address"),
        time: Some("timestamp"),
        event: Some("action"),
        channel: Some("campaign_title"),
        people: 2,
        events: 3,
        ..NONE
    },
    Expected {
        file: "activecampaign_email_activity.csv",
        format: "activecampaign_email_activity",
        person: Some("email"),
        time: Some("tstamp"),
        event: Some("type"),
        channel: Some("campaign"),
        people: 2,
        events: 4,
        ..NONE
    },
    Expected {
        file: "salesforce_opportunity_history.csv",
        format: "salesforce_opportunity_history",
        person: Some("OpportunityId"),
        time: Some("CreatedDate"),
        event: Some("StageName"),
        value: Some("Amount"),
        people: 2,
        events: 4,
        ..NONE
    },
    Expected {
        file: "crm_stage_history.csv",
        format: "crm_stage_history",
        person: Some("deal_id"),
        time: Some("changed_at"),
        event: Some("stage"),
        channel: Some("pipeline"),
        value: Some("amount"),
        people: 2,
        events: 5,
        ..NONE
    },
    Expected {
        file: "crm_date_table.csv",
        format: "crm_date_table",
        person: Some("Email"),
        channel: Some("Original Source"),
        date_events: &[("Create Date", "create"), ("Became a Lead Date", "became a lead"), ("Became a Customer Date", "became a customer")],
        people: 3,
        events: 6,
        ..NONE
    },
    Expected {
        file: "xes_event_log.csv",
        format: "xes_event_log",
        person: Some("case:concept:name"),
        time: Some("time:timestamp"),
        event: Some("concept:name"),
        channel: Some("case:channel"),
        people: 2,
        events: 4,
        ..NONE
    },
];

fn inspect_and_load(path: &Path) -> (FileInspection, LoadSummary, Workspace) {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut workspace = Workspace::new();
    let index = workspace.add_file(&path.file_name().unwrap().to_string_lossy(), bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(std::slice::from_ref(&inspection))).unwrap();
    (inspection, summary, workspace)
}

fn roles(mapping: &Mapping) -> [Option<&str>; 5] {
    [mapping.person.as_deref(), mapping.time.as_deref(), mapping.event.as_deref(), mapping.channel.as_deref(), mapping.value.as_deref()]
}

#[test]
fn fixtures_are_recognised_and_loaded() {
    for case in CASES {
        let (inspection, summary, _) = inspect_and_load(&Path::new(FIXTURES).join(case.file));
        let format = inspection.format.as_ref().map(|format| format.id.as_str());
        assert_eq!(format, Some(case.format), "{}: format", case.file);
        assert_eq!(roles(&inspection.mapping), [case.person, case.time, case.event, case.channel, case.value], "{}: person, time, event, channel, value", case.file);
        let date_events: Vec<(&str, &str)> = inspection.mapping.date_events.iter().map(|date| (date.column.as_str(), date.name.as_str())).collect();
        assert_eq!(date_events, case.date_events, "{}: date events", case.file);
        assert_eq!(summary.people, case.people, "{}: people", case.file);
        assert_eq!(summary.events, case.events, "{}: events", case.file);
        assert_eq!(summary.skipped_rows, case.skipped, "{}: skipped rows", case.file);
        assert!(!summary.synthetic_times, "{}: synthetic times", case.file);
    }
}

#[test]
fn format_reported_as_id_and_name() {
    let (inspection, _, _) = inspect_and_load(&Path::new(FIXTURES).join("ga4_bigquery.csv"));
    let json = serde_json::to_value(&inspection).unwrap();
    assert_eq!(json["format"]["id"], "ga4_bigquery");
    assert_eq!(json["format"]["name"], "GA4 BigQuery export");
    assert!(json["format"]["note"].is_null());
}

#[test]
fn plain_file_has_no_format() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("plain.csv", b"user,ts,event\nu1,2024-01-01T10:00:00Z,visit\n".to_vec());
    assert_eq!(workspace.inspect(index, None).unwrap().format, None);
}

#[test]
fn ga4_microseconds_are_read() {
    let (_, _, workspace) = inspect_and_load(&Path::new(FIXTURES).join("ga4_bigquery.csv"));
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-03-01T09:00:00Z"));
    assert_eq!(report.summary.total_value, Some(49.5));
}

/// Checks the inspection of a survey fixture: its format, person, channel and date event.
fn check_survey_inspection(file: &str, format: &str, person: &str, submitted: &str) {
    let bytes = std::fs::read(Path::new(FIXTURES).join(file)).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file(file, bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some(format));
    assert_eq!(inspection.mapping.person.as_deref(), Some(person));
    assert_eq!(inspection.mapping.channel.as_deref(), Some("How did you hear about us?"));
    assert_eq!(inspection.mapping.event, None);
    let date_events: Vec<(&str, &str)> = inspection.mapping.date_events.iter().map(|date| (date.column.as_str(), date.name.as_str())).collect();
    assert_eq!(date_events, [(submitted, "survey submitted")]);
}

#[test]
fn surveymonkey_is_recognised() {
    check_survey_inspection("surveymonkey_responses.csv", "surveymonkey_responses", "Respondent ID", "End Date");
}

#[test]
fn surveymonkey_responses_load() {
    let (_, summary, _) = inspect_and_load(&Path::new(FIXTURES).join("surveymonkey_responses.csv"));
    assert_eq!(summary.people, 2);
    assert_eq!(summary.events, 2);
    // The second header row, which has no respondent id.
    assert_eq!(summary.skipped_rows, 1);
}

#[test]
fn typeform_is_recognised_and_loaded() {
    check_survey_inspection("typeform_responses.csv", "typeform_responses", "What's your email?", "Submit Date (UTC)");
    let (_, summary, _) = inspect_and_load(&Path::new(FIXTURES).join("typeform_responses.csv"));
    assert_eq!(summary.people, 3);
    assert_eq!(summary.events, 3);
    let stopped = summary.properties.iter().find(|property| property.column == "What almost stopped you from signing up?").unwrap();
    assert_eq!(stopped.distinct, 2);
}

#[test]
fn path_table_fixture_expands_rows() {
    let (inspection, summary, workspace) = inspect_and_load(&Path::new(FIXTURES).join("channel_paths.csv"));
    assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("channel_path_table"));
    let table = inspection.mapping.path_table.as_ref().unwrap();
    assert_eq!(table.path, "path");
    assert_eq!(table.conversions, "total_conversions");
    assert_eq!(table.value.as_deref(), Some("total_conversion_value"));
    assert_eq!(table.non_conversions.as_deref(), Some("total_null"));
    assert_eq!(inspection.mapping.person, None);
    // 2 + 3 + 0 + 4 + 1 + 0 journeys; 5 × 3 + 4 × 1 + 1 × 2 channel events and 3 conversions.
    assert_eq!(summary.people, 10);
    assert_eq!(summary.events, 15 + 4 + 2 + 3);
    assert!(summary.synthetic_times);
    assert_eq!(summary.suggested_conversion.as_deref(), Some("conversion"));

    let options = AnalysisOptions {
        conversion: Some("conversion".into()),
        funnel: FunnelOptions {
            steps: vec![FunnelStep { event: "search".into(), ..FunnelStep::default() }, FunnelStep { event: "conversion".into(), ..FunnelStep::default() }],
            window: Some("1h".into()),
            ..FunnelOptions::default()
        },
        ..AnalysisOptions::default()
    };
    let report = workspace.analyze(&options).unwrap();
    assert_eq!(report.summary.converters, 3);
    assert_eq!(report.summary.total_value, Some(42.5));
    assert!(report.summary.synthetic_times);
    assert_eq!(report.summary.first_event, None);
    assert_eq!(report.time_to_convert, None);
    let funnel = report.funnel.unwrap();
    // The 1h window is ignored: the second step comes 3 synthetic hours after the first.
    assert_eq!(funnel.steps[1].people, 2);
    assert_eq!(funnel.steps[1].median_ms_from_previous, None);
    assert_eq!(funnel.completion, None);
    assert!(report.warnings.iter().any(|warning| warning.kind == "synthetic_times"));
}

/// Returns a file of the shared data folder beside the repository, if that folder is present.
fn shared(path: &str) -> Option<std::path::PathBuf> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(path);
    full.exists().then_some(full)
}

#[test]
fn real_path_table_totals() {
    let Some(path) = shared("attribution-paths/paths.csv") else { return };
    let (inspection, summary, workspace) = inspect_and_load(&path);
    assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("channel_path_table"));
    assert_eq!(summary.people, 88_387);
    assert_eq!(summary.skipped_rows, 0);
    let report = workspace.analyze(&AnalysisOptions { conversion: Some("conversion".into()), ..AnalysisOptions::default() }).unwrap();
    assert_eq!(report.summary.converters, 19_785);
    assert_eq!(report.summary.people - report.summary.converters, 68_602);
    let value = report.summary.total_value.unwrap();
    assert!((value - 74_802.97).abs() < 0.01, "total value {value}");
}

#[test]
fn real_snowplow_and_clickstream_samples() {
    if let Some(path) = shared("snowplow-web/snowplow_web_events.csv") {
        let (inspection, summary, _) = inspect_and_load(&path);
        assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("snowplow_enriched"));
        assert_eq!(inspection.mapping.time.as_deref(), Some("derived_tstamp"));
        assert_eq!(inspection.mapping.event.as_deref(), Some("event_name"));
        assert!(summary.events > 0);
        assert!(summary.properties.iter().any(|property| property.column == "page_urlpath"));
    }
    if let Some(path) = shared("ecommerce-rees46-head/2019-Oct-sample.csv") {
        let (inspection, summary, _) = inspect_and_load(&path);
        assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("ecommerce_clickstream"));
        assert_eq!(summary.events, 1_000);
    }
}

#[test]
fn snowplow_times_are_utc_whatever_the_load_zone() {
    let text = "domain_userid,collector_tstamp,derived_tstamp,event_name\nd1,2024-01-15 10:00:00,2024-01-15 10:00:00,page_view\n";
    let mut workspace = pathlight::Workspace::new();
    let index = workspace.add_file("snowplow.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.mapping.time_zone.as_deref(), Some("UTC"));
    let mut config = pathlight::LoadConfig::from_inspections(&[inspection]);
    config.time_zone = "America/New_York".into();
    workspace.load(&config).unwrap();
    let report = workspace.analyze(&pathlight::AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-15T10:00:00Z"));
}
