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

/// Adds text files to a new workspace and inspects each.
fn inspect_texts(files: &[(&str, &str)]) -> (Workspace, Vec<FileInspection>) {
    let mut workspace = Workspace::new();
    let inspections = files
        .iter()
        .map(|(name, text)| {
            let index = workspace.add_file(name, text.as_bytes().to_vec());
            workspace.inspect(index, None).unwrap()
        })
        .collect();
    (workspace, inspections)
}

fn steps(inspection: &FileInspection) -> Vec<&str> {
    inspection.mapping.outcome_table.as_ref().map_or_else(Vec::new, |table| table.steps.iter().map(String::as_str).collect())
}

#[test]
fn outcome_table_fixture_loads() {
    let (inspection, summary, workspace) = inspect_and_load(&Path::new(FIXTURES).join("outcome_table.csv"));
    assert_eq!(inspection.format.as_ref().map(|format| format.id.as_str()), Some("outcome_table"));
    assert_eq!(steps(&inspection), ["opened", "clicked", "purchased"], "newbie is a flag but no outcome");
    assert_eq!(inspection.mapping.person.as_deref(), Some("customer_id"));
    assert_eq!(inspection.mapping.value.as_deref(), Some("revenue"));
    assert_eq!((inspection.mapping.time.as_deref(), inspection.mapping.event.as_deref()), (None, None));
    // Five entry events, then opened 3, clicked 2 and purchased 2.
    assert_eq!(summary.people, 5);
    assert_eq!(summary.events, 5 + 3 + 2 + 2);
    assert!(summary.synthetic_times);
    assert_eq!(summary.suggested_conversion.as_deref(), Some("purchased"));
    assert!(summary.properties.iter().any(|property| property.column == "newbie"));
    assert!(!summary.properties.iter().any(|property| property.column == "opened"));

    let report = workspace.analyze(&AnalysisOptions { conversion: Some("purchased".into()), ..AnalysisOptions::default() }).unwrap();
    assert_eq!(report.summary.converters, 2);
    assert_eq!(report.summary.total_value, Some(32.5));
    assert_eq!(report.summary.events_with_value, 2, "zero revenue is no value");
    assert!(report.warnings.iter().any(|warning| warning.kind == "synthetic_times"));
}

#[test]
fn outcome_table_needs_flags_and_no_times() {
    let (_, inspections) = inspect_texts(&[
        ("no_flags.csv", "segment,visits\nA,3\nB,5\nC,2\n"),
        ("timed.csv", "user,ts,visit\nu1,2024-01-01T10:00:00Z,1\nu2,2024-01-02T10:00:00Z,0\n"),
        ("flags.csv", "segment,visit\nA,1\nB,0\n"),
        ("words.csv", "group,opened,is_converted\nA,true,no\nB,FALSE,Yes\n"),
    ]);
    let formats: Vec<Option<&str>> = inspections.iter().map(|inspection| inspection.format.as_ref().map(|format| format.id.as_str())).collect();
    assert_eq!(formats, [None, None, Some("outcome_table"), Some("outcome_table")]);
    assert_eq!(steps(&inspections[3]), ["opened", "is_converted"]);
}

#[test]
fn outcome_table_without_outcome_names_has_no_steps() {
    let (mut workspace, inspections) = inspect_texts(&[("attributes.csv", "region,vip\nnorth,1\nsouth,0\n")]);
    assert_eq!(inspections[0].format.as_ref().map(|format| format.id.as_str()), Some("outcome_table"));
    assert!(steps(&inspections[0]).is_empty());
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 2);
    assert_eq!(summary.events, 2, "only the entry events");
}

#[test]
fn outcome_table_explicit_steps() {
    let text = "segment,mens,visit,conversion,spend\nA,1,1,1,10\nB,0,1,0,0\nC,1,0,0,0\n";
    let (mut workspace, inspections) = inspect_texts(&[("campaign.csv", text)]);
    let mut config = LoadConfig::from_inspections(&inspections);
    let table = config.files[0].mapping.outcome_table.as_mut().unwrap();
    table.steps = vec!["mens".into(), "conversion".into()];
    table.entry_event = "sent".into();
    let summary = workspace.load(&config).unwrap();
    let names: Vec<(&str, u64)> = summary.event_names.iter().map(|name| (name.name.as_str(), name.count)).collect();
    assert_eq!(names, [("sent", 3), ("mens", 2), ("conversion", 1)]);
    assert!(summary.properties.iter().any(|property| property.column == "visit"), "a flag that is no step stays a property");
}

#[test]
fn outcome_table_bad_step_cells() {
    let text = "segment,visit,conversion\nA,1,0\nB,2,0\nC,1,maybe\nD,0,0\n";
    let (mut workspace, inspections) = inspect_texts(&[("bad.csv", text)]);
    // The sample decides the format, so the bad cells make `visit` and `conversion` no flags.
    assert_eq!(inspections[0].format, None);
    let mut config = LoadConfig::from_inspections(&inspections);
    config.files[0].mapping.outcome_table = Some(pathlight::ingest::formats::outcome::OutcomeTable {
        steps: vec!["visit".into(), "conversion".into()],
        ..Default::default()
    });
    let summary = workspace.load(&config).unwrap();
    assert_eq!(summary.people, 2);
    assert_eq!(summary.skipped_rows, 2);
    let problems: Vec<(u64, &str, &str)> = summary.problems.iter().map(|problem| (problem.row, problem.column.as_str(), problem.value.as_str())).collect();
    assert_eq!(problems, [(3, "visit", "2"), (4, "conversion", "maybe")]);
    let skipped = summary.warnings.iter().find(|warning| warning.kind == "skipped_rows").unwrap();
    assert!(skipped.examples[0].contains("bad.csv"), "{:?}", skipped.examples);

    config.strict = true;
    let error = workspace.load(&config).unwrap_err().to_string();
    assert!(error.contains("bad.csv"), "{error}");
    assert!(error.contains("visit"), "{error}");
    assert!(error.contains("\"2\""), "{error}");
}

#[test]
fn outcome_table_person_id_column() {
    let text = "user_id,segment,visit\nu1,A,1\nu2,B,0\nu1,A,1\n";
    let (mut workspace, inspections) = inspect_texts(&[("ids.csv", text)]);
    assert_eq!(inspections[0].mapping.person.as_deref(), Some("user_id"));
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 2, "rows of one id are one person");
    assert_eq!(summary.duplicate_events, 2, "the repeated row adds nothing");
}

#[test]
fn outcome_table_flag_named_like_a_person() {
    let (_, inspections) = inspect_texts(&[("leads.csv", "segment,lead,trial\nA,1,0\nB,0,0\n")]);
    assert_eq!(inspections[0].mapping.person, None, "a flag column is no person id");
    assert_eq!(steps(&inspections[0]), ["lead", "trial"]);
}

#[test]
fn outcome_tables_without_ids_never_share_people() {
    let first = "segment,visit\nA,1\nB,0\n";
    let (mut workspace, inspections) = inspect_texts(&[("march.csv", first), ("april.csv", first)]);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 4);
    assert_eq!(summary.duplicate_events, 0);
}

#[test]
fn outcome_tables_with_ids_join_across_files() {
    let (mut workspace, inspections) =
        inspect_texts(&[("opens.csv", "customer_id,opened\nc1,1\nc2,0\n"), ("orders.csv", "customer_id,purchased\nc1,1\nc3,1\n")]);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 3);
    let report = workspace
        .analyze(&AnalysisOptions {
            conversion: Some("purchased".into()),
            funnel: FunnelOptions {
                steps: vec![FunnelStep { event: "opened".into(), ..FunnelStep::default() }, FunnelStep { event: "purchased".into(), ..FunnelStep::default() }],
                ..FunnelOptions::default()
            },
            ..AnalysisOptions::default()
        })
        .unwrap();
    let funnel = report.funnel.unwrap();
    assert_eq!((funnel.steps[0].people, funnel.steps[1].people), (1, 1));
}

#[test]
fn outcome_tables_of_one_name_never_share_people() {
    let text = "segment,visit\nA,1\nB,0\n";
    let (mut workspace, inspections) = inspect_texts(&[("export.csv", text), ("export.csv", text)]);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 4);
    let names: Vec<&str> = summary.files.iter().map(|file| file.name.as_str()).collect();
    assert_eq!(names, ["export.csv", "export.csv (2)"]);
}

#[test]
fn outcome_table_repeated_values_are_no_person() {
    let text = "lead_source,visit\nads,1\nads,0\nseo,1\nads,0\nseo,0\n";
    let (mut workspace, inspections) = inspect_texts(&[("sources.csv", text)]);
    assert_eq!(inspections[0].mapping.person, None, "a column of repeated values is no id");
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 5);
}
