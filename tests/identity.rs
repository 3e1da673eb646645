//! People and events: identity stitching across files, duplicate removal and the order of events
//! with equal times.

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::ingest::FileInspection;
use pathlight::{AnalysisOptions, Error, LoadConfig, LoadSummary, Report, Workspace};

/// Adds and inspects `files`, returning the workspace and the inspections.
fn inspect(files: &[(&str, &str)]) -> (Workspace, Vec<FileInspection>) {
    let mut workspace = Workspace::new();
    let mut inspections = Vec::new();
    for (name, text) in files {
        let index = workspace.add_file(name, text.as_bytes().to_vec());
        inspections.push(workspace.inspect(index, None).unwrap());
    }
    (workspace, inspections)
}

/// Loads `files` with their proposed mappings.
fn load(files: &[(&str, &str)]) -> (Workspace, LoadSummary) {
    let (mut workspace, inspections) = inspect(files);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    (workspace, summary)
}

fn funnel(steps: &[&str]) -> AnalysisOptions {
    AnalysisOptions {
        funnel: FunnelOptions {
            steps: steps.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect(),
            ..FunnelOptions::default()
        },
        ..AnalysisOptions::default()
    }
}

fn step_counts(report: &Report) -> Vec<u64> {
    report.funnel.as_ref().unwrap().steps.iter().map(|step| step.people).collect()
}

fn warning_count(summary: &LoadSummary, kind: &str) -> Option<u64> {
    summary.warnings.iter().find(|warning| warning.kind == kind).map(|warning| warning.count)
}

const C16: &str = "anonymous_id,user_id,event,ts\n\
anon-7,,view_pricing,2024-02-01T09:00:00Z\n\
anon-7,U-1,login,2024-02-01T09:05:00Z\n\
,U-1,purchase,2024-02-01T09:30:00Z\n";

#[test]
fn anonymous_and_user_id_merge() {
    let (mut workspace, inspections) = inspect(&[("c16.csv", C16)]);
    assert_eq!(inspections[0].mapping.person.as_deref(), Some("user_id"));
    assert_eq!(inspections[0].mapping.identities, ["anonymous_id"]);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.skipped_rows, 0);
    assert_eq!(summary.people, 1);
    assert_eq!(summary.identifiers, 2);
    assert_eq!(summary.merged_identifiers, 2);
    assert_eq!(summary.merged_people, 1);
    let merged = summary.warnings.iter().find(|warning| warning.kind == "merged_identities").unwrap();
    assert_eq!(merged.count, 2);
    assert_eq!(merged.examples, ["U-1: anon-7"]);

    let options = AnalysisOptions { conversion: Some("purchase".into()), ..funnel(&["view_pricing", "purchase"]) };
    let report = workspace.analyze(&options).unwrap();
    assert_eq!(step_counts(&report), [1, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].median_ms_from_previous, Some(1_800_000.0));
    assert_eq!(report.summary.converters, 1);
    assert_eq!(report.time_to_convert.unwrap().median_ms, Some(1_800_000.0));
}

#[test]
fn without_identity_columns_ids_stay_apart() {
    let (mut workspace, mut inspections) = inspect(&[("c16.csv", C16)]);
    inspections[0].mapping.identities.clear();
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    // The first row has no user id, so it is skipped; the other two rows are one person.
    assert_eq!(summary.skipped_rows, 1);
    assert_eq!(summary.merged_people, 0);
    assert_eq!(warning_count(&summary, "merged_identities"), None);
    assert!(summary.event_names.iter().all(|event| event.name != "view_pricing"));
}

#[test]
fn web_crm_and_signup_files_form_one_person() {
    let web = "anonymous_id,event,ts\n\
a1,page_view,2024-03-01T10:00:00Z\n\
a1,pricing_view,2024-03-01T10:02:00Z\n\
a2,page_view,2024-03-01T11:00:00Z\n";
    let signup = "anonymous_id,email,event,ts\na1,Ada@Example.com,sign_up,2024-03-01T10:05:00Z\n";
    let crm = "email,deal_stage,deal_won_date\n ada@example.com ,won,2024-03-08T09:00:00Z\ngrace@example.com,won,2024-03-09T09:00:00Z\n";
    let (mut workspace, inspections) = inspect(&[("web.csv", web), ("signup.csv", signup), ("crm.csv", crm)]);
    assert_eq!(inspections[1].mapping.person.as_deref(), Some("anonymous_id"));
    assert_eq!(inspections[1].mapping.identities, ["email"]);
    assert_eq!(inspections[2].mapping.person.as_deref(), Some("email"));
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.identifiers, 4);
    assert_eq!(summary.people, 3);
    assert_eq!(summary.merged_identifiers, 2);
    assert_eq!(summary.merged_people, 1);

    let options = AnalysisOptions { conversion: Some("deal won".into()), ..funnel(&["page_view", "sign_up", "deal won"]) };
    let report = workspace.analyze(&options).unwrap();
    assert_eq!(step_counts(&report), [2, 1, 1]);
    assert_eq!(report.summary.converters, 2);
    // The merged person is shown by the e-mail address, not the anonymous id.
    let merged = summary.warnings.iter().find(|warning| warning.kind == "merged_identities").unwrap();
    assert_eq!(merged.examples, ["ada@example.com: a1"]);
}

#[test]
fn email_matches_a_column_of_sha256_hashes() {
    // Some ad platforms export the digest in upper case.
    let hash = sha256_hex("ada@example.com").to_uppercase();
    let crm = "email,event,ts\nAda@example.com,lead_created,2024-03-01T10:00:00Z\n";
    let ads = format!("email_sha256,event,ts\n{hash},ad_click,2024-02-28T10:00:00Z\n");
    let (workspace, summary) = load(&[("crm.csv", crm), ("ads.csv", &ads)]);
    assert_eq!(summary.people, 1);
    assert_eq!(summary.merged_people, 1);
    let report = workspace.analyze(&funnel(&["ad_click", "lead_created"])).unwrap();
    assert_eq!(step_counts(&report), [1, 1]);
}

/// Hashes with the same crate the engine uses, so the test needs no hard-coded digest.
fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn placeholder_ids_link_nobody() {
    let csv = "anonymous_id,user_id,event,ts\n\
a1,null,view,2024-02-01T09:00:00Z\n\
a2,null,view,2024-02-01T09:01:00Z\n\
a3,NULL,view,2024-02-01T09:02:00Z\n";
    let (_, summary) = load(&[("events.csv", csv)]);
    assert_eq!(summary.people, 3);
    assert_eq!(summary.merged_people, 0);
}

#[test]
fn row_without_any_id_names_the_person_column() {
    let csv = "anonymous_id,user_id,event,ts\n,,view,2024-02-01T09:00:00Z\na1,U-1,view,2024-02-01T09:01:00Z\n";
    let (mut workspace, inspections) = inspect(&[("events.csv", csv)]);
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.skipped_rows, 1);
    assert_eq!(summary.problems[0].row, 2);
    assert_eq!(summary.problems[0].column, "user_id");

    let strict = LoadConfig { strict: true, ..LoadConfig::from_inspections(&inspections) };
    let error = workspace.load(&strict).unwrap_err();
    assert!(matches!(error, Error::Value(ref problem) if problem.row == 2), "{error}");
    assert!(error.to_string().contains("every identity column"), "{error}");
}

#[test]
fn duplicate_events_are_removed_and_counted() {
    let first = "user,event,page,ts\nu1,view,/a,2024-01-01T10:00:00Z\nu1,view,/a,2024-01-01T10:00:00Z\nu1,view,/b,2024-01-01T10:00:00Z\n";
    let second = "user,event,page,ts\nu1,view,/a,2024-01-01T10:00:00Z\nu1,buy,/b,2024-01-01T10:05:00Z\n";
    let (workspace, summary) = load(&[("first.csv", first), ("second.csv", second)]);
    assert_eq!(summary.duplicate_events, 2);
    assert_eq!(summary.events, 3);
    let duplicates = summary.warnings.iter().find(|warning| warning.kind == "duplicate_events").unwrap();
    assert_eq!(duplicates.count, 2);
    assert_eq!(duplicates.examples, ["first.csv, row 3", "second.csv, row 2"]);
    // /a and /b at 10:00 are different events with one time.
    assert_eq!(summary.tied_timestamps, 1);
    assert_eq!(warning_count(&summary, "tied_timestamps"), Some(1));
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.events, 3);
}

#[test]
fn same_row_in_two_files_is_kept_once() {
    let csv = "user,event,ts,revenue\nu1,purchase,2024-01-01T10:00:00Z,20\n";
    let (workspace, summary) = load(&[("a.csv", csv), ("b.csv", csv)]);
    assert_eq!(summary.duplicate_events, 1);
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.total_value, Some(20.0));
}

const C13: &str = "user,event,sent_at,received_at\n\
u1,signup_done,2024-02-01T10:00:05Z,2024-02-01T10:00:09Z\n\
u1,signup_started,2024-02-01T10:00:01Z,2024-02-01T10:00:10Z\n";

#[test]
fn sent_at_orders_out_of_order_rows() {
    let (mut workspace, mut inspections) = inspect(&[("c13.csv", C13)]);
    inspections[0].mapping.time = Some("sent_at".into());
    workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    let report = workspace.analyze(&funnel(&["signup_started", "signup_done"])).unwrap();
    assert_eq!(step_counts(&report), [1, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].median_ms_from_previous, Some(4_000.0));
}

#[test]
fn received_at_changes_the_order() {
    let (mut workspace, mut inspections) = inspect(&[("c13.csv", C13)]);
    inspections[0].mapping.time = Some("received_at".into());
    workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    let report = workspace.analyze(&funnel(&["signup_started", "signup_done"])).unwrap();
    assert_eq!(step_counts(&report), [1, 0]);
}

#[test]
fn ordinal_breaks_ties_before_row_order() {
    let csv = "user,event,ts,seq\nu1,checkout,2024-01-01T10:00:00Z,2\nu1,cart,2024-01-01T10:00:00Z,1\nu1,purchase,2024-01-01T10:00:00Z,3\n";
    let (mut workspace, inspections) = inspect(&[("events.csv", csv)]);
    assert_eq!(inspections[0].mapping.ordinal.as_deref(), Some("seq"));
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.tied_timestamps, 2);
    let tied = summary.warnings.iter().find(|warning| warning.kind == "tied_timestamps").unwrap();
    assert!(tied.message.contains("ordinal column"), "{}", tied.message);
    let report = workspace.analyze(&funnel(&["cart", "checkout", "purchase"])).unwrap();
    assert_eq!(step_counts(&report), [1, 1, 1]);

    let mut without = inspections.clone();
    without[0].mapping.ordinal = None;
    workspace.load(&LoadConfig::from_inspections(&without)).unwrap();
    let report = workspace.analyze(&funnel(&["cart", "checkout", "purchase"])).unwrap();
    assert_eq!(step_counts(&report), [1, 0, 0]);
}

#[test]
fn events_with_different_ordinals_are_not_duplicates() {
    let csv = "user,event,ts,sequence\nu1,view,2024-01-01T10:00:00Z,1\nu1,view,2024-01-01T10:00:00Z,2\n";
    let (_, summary) = load(&[("events.csv", csv)]);
    assert_eq!(summary.duplicate_events, 0);
    assert_eq!(summary.events, 2);
}

#[test]
fn bad_ordinal_names_its_cell() {
    let csv = "user,event,ts,seq\nu1,view,2024-01-01T10:00:00Z,1\nu1,view,2024-01-01T10:00:01Z,second\n";
    let (mut workspace, mut inspections) = inspect(&[("events.csv", csv)]);
    // Half the values are not numbers, so the column is not proposed; the user picks it.
    assert_eq!(inspections[0].mapping.ordinal, None);
    inspections[0].mapping.ordinal = Some("seq".into());
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.skipped_rows, 1);
    assert_eq!(summary.problems[0].row, 3);
    assert_eq!(summary.problems[0].column, "seq");
    assert_eq!(summary.problems[0].value, "second");
}

#[test]
fn duplicates_can_be_kept() {
    let csv = "user,event,ts,amount\nu1,purchase,2024-01-01,9.77\nu1,purchase,2024-01-01,9.77\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("repeat.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.keep_duplicates = true;
    let summary = workspace.load(&config).unwrap();
    assert_eq!(summary.events, 2);
    assert_eq!(summary.duplicate_events, 0);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "duplicate_events").unwrap();
    assert_eq!(warning.count, 1);
    assert!(warning.message.contains("kept"), "{}", warning.message);
}

#[test]
fn database_nulls_link_nobody() {
    let mut csv = String::from("anonymous_id,user_id,event,timestamp\n");
    for person in 0..200 {
        csv.push_str(&format!("a{person},\\N,view,2024-01-01T10:00:00Z\na{person},#N/A,buy,2024-01-01T10:05:00Z\n"));
    }
    let mut workspace = Workspace::new();
    let index = workspace.add_file("nulls.csv", csv.into_bytes());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.people, 200);
    assert_eq!(summary.events, 400);
    assert_eq!(summary.merged_people, 0);
}

#[test]
fn huge_identity_group_is_flagged() {
    let mut csv = String::from("anonymous_id,user_id,event,timestamp\n");
    for person in 0..100 {
        csv.push_str(&format!("a{person},shared-label,view,2024-01-01T10:00:00Z\n"));
    }
    let mut workspace = Workspace::new();
    let index = workspace.add_file("shared.csv", csv.into_bytes());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.people, 1);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "large_identity_group").unwrap();
    assert_eq!(warning.count, 101);
    assert!(warning.message.contains("shared-label"), "{}", warning.message);
}
