//! Small inputs that break journey analyzers, each with its right value.

use pathlight::analysis::funnel::{Counting, FunnelExclusion, FunnelKind, FunnelOptions, FunnelStep, MatchKind};
use pathlight::{AnalysisOptions, Error, LoadConfig, LoadSummary, Report, Workspace};

/// Loads `files` with their proposed mappings and returns the workspace and the load summary.
fn load(files: &[(&str, &[u8])]) -> (Workspace, LoadSummary) {
    let mut workspace = Workspace::new();
    let mut inspections = Vec::new();
    for (name, bytes) in files {
        let index = workspace.add_file(name, bytes.to_vec());
        inspections.push(workspace.inspect(index, None).unwrap());
    }
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    (workspace, summary)
}

fn funnel(steps: &[&str], window: Option<&str>) -> AnalysisOptions {
    AnalysisOptions {
        funnel: FunnelOptions {
            steps: steps.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect(),
            window: window.map(str::to_string),
            ..FunnelOptions::default()
        },
        ..AnalysisOptions::default()
    }
}

fn step_counts(report: &Report) -> Vec<u64> {
    report.funnel.as_ref().unwrap().steps.iter().map(|step| step.people).collect()
}

fn analyze(csv: &str, options: &AnalysisOptions) -> Report {
    let (workspace, _) = load(&[("case.csv", csv.as_bytes())]);
    workspace.analyze(options).unwrap()
}

#[test]
fn bom_before_comment_line() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c01.csv", b"\xEF\xBB\xBF# exported for demo property\nevent,count\nsign_up,7\n".to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let names: Vec<&str> = inspection.columns.iter().map(|column| column.name.as_str()).collect();
    assert_eq!(names, ["event", "count"]);
    assert_eq!(inspection.preview.len(), 1);
}

#[test]
fn preamble_and_blank_line_before_header() {
    let text = "# ----\n# Demo property - events\n# Start date: 20240101\n# End date: 20240131\n# ----\n\nEvent name,Event count\npage_view,120\nsign_up,7\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c02.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.columns[0].name, "Event name");
    assert_eq!(inspection.preview.len(), 2);
    assert_eq!(inspection.preamble_lines, 6);
}

#[test]
fn semicolon_file_with_decimal_comma() {
    let text = "user;date;event;amount\nu1;08/01/2024;purchase;1,25\nu2;09/01/2024;purchase;300,00\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c03.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.delimiter, ";");
    assert_eq!(inspection.mapping.value.as_deref(), Some("amount"));
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.events, 2);
    assert_eq!(summary.skipped_rows, 0);
}

#[test]
fn duplicate_headers_keep_every_value() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c04.csv", b"step,step,step,step_1\na,b,c,d\n".to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let names: Vec<&str> = inspection.columns.iter().map(|column| column.name.as_str()).collect();
    assert_eq!(names, ["step", "step_2", "step_3", "step_1"]);
    assert_eq!(inspection.preview[0], ["a", "b", "c", "d"]);
    assert!(inspection.warnings.iter().any(|warning| warning.kind == "renamed_columns"));
}

#[test]
fn ragged_rows_are_read_and_counted() {
    let text = "user_id,event,ts,campaign\nu1,open,2024-01-01T10:00:00Z\nu2,click,2024-01-01T11:00:00Z,spring\nu3\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c05.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let summary = workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    assert_eq!(summary.files[0].rows, 3);
    assert_eq!(summary.events, 2);
    // u3 has no event name or time: skipped with a message, not dropped silently.
    assert_eq!(summary.skipped_rows, 1);
    assert_eq!(summary.problems[0].row, 4);
    assert_eq!(summary.problems[0].column, "event");
    let short = summary.warnings.iter().find(|warning| warning.kind == "short_rows").unwrap();
    assert_eq!(short.count, 2);
}

#[test]
fn unnamed_trailing_column_is_dropped() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c05b.csv", b"user_id,event,\nu1,open\n".to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.columns.len(), 2);
    assert_eq!(inspection.preview.len(), 1);
}

#[test]
fn longer_rows_are_flagged() {
    let text = "user,event,ts\nu1,a,2024-01-01T10:00:00Z,extra\nu1,b,2024-01-01T11:00:00Z\n";
    let (_, summary) = load(&[("long.csv", text.as_bytes())]);
    let long = summary.warnings.iter().find(|warning| warning.kind == "long_rows").unwrap();
    assert_eq!(long.count, 1);
    assert_eq!(summary.events, 2);
}

#[test]
fn utf16_excel_unicode_text() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("event\tuser\tts\r\nsignup\tu1\t2024-01-01\r\n".encode_utf16().flat_map(u16::to_le_bytes));
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c06.txt", bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.delimiter, "tab");
    assert_eq!(inspection.columns[0].name, "event");
    assert_eq!(inspection.preview[0][..2], ["signup", "u1"]);
}

#[test]
fn chunk_boundary_inside_a_character() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c07.csv", Vec::new());
    workspace.push_chunk(index, b"page,title\n/p1,Caf\xC3").unwrap();
    workspace.push_chunk(index, b"\xA9\n").unwrap();
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.encoding, "UTF-8");
    assert_eq!(inspection.preview[0][1], "Café");
}

#[test]
fn microsecond_epochs() {
    let csv = "user_pseudo_id,event_name,event_timestamp\np1,session_start,1704067200000000\np1,purchase,1704067260000000\n";
    let report = analyze(csv, &AnalysisOptions { conversion: Some("purchase".into()), ..AnalysisOptions::default() });
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(report.time_to_convert.unwrap().median_ms, Some(60_000.0));
}

#[test]
fn mixed_epoch_units_are_flagged() {
    let csv = "user_pseudo_id,event_name,event_timestamp\np1,session_start,1704067200000000\np1,purchase,1704067260000000\np2,session_start,1704067200\n";
    let (workspace, summary) = load(&[("c08.csv", csv.as_bytes())]);
    assert!(summary.warnings.iter().any(|warning| warning.kind == "mixed_epoch_units" && warning.count == 1));
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-01T00:00:00Z"));
}

#[test]
fn offsets_are_converted() {
    let csv = "case,activity,ts\nc1,lead_created,2024-07-23T10:00:00+05:00\nc1,deal_won,2024-07-23T06:00:00+00:00\n";
    let report = analyze(csv, &AnalysisOptions { conversion: Some("deal_won".into()), ..funnel(&["lead_created", "deal_won"], None) });
    assert_eq!(step_counts(&report), [1, 1]);
    assert_eq!(report.time_to_convert.unwrap().median_ms, Some(3_600_000.0));
}

#[test]
fn repeated_step_with_identical_timestamps() {
    let csv = "user,event,ts\nu1,onboarding_done,2024-03-22T13:01:00Z\nu1,page_view,2024-03-22T13:10:00Z\nu1,page_view,2024-03-22T13:10:00Z\nu1,page_view,2024-03-22T13:11:00Z\n";
    let report = analyze(csv, &funnel(&["onboarding_done", "page_view", "page_view"], Some("1d")));
    assert_eq!(step_counts(&report), [1, 1, 1]);
}

#[test]
fn one_event_fills_one_step() {
    let csv = "user,event,ts\nu1,page_view,2024-05-01T10:00:00Z\nu2,page_view,2024-05-01T10:00:00Z\nu2,page_view,2024-05-01T10:03:00Z\n";
    let report = analyze(csv, &funnel(&["page_view", "page_view"], None));
    assert_eq!(step_counts(&report), [2, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].median_ms_from_previous, Some(180_000.0));
}

#[test]
fn events_are_ordered_by_event_time_not_row() {
    let csv = "user,event,sent_at,received_at\nu1,signup_done,2024-02-01T10:00:05Z,2024-02-01T10:00:09Z\nu1,signup_started,2024-02-01T10:00:01Z,2024-02-01T10:00:10Z\n";
    let (workspace, _) = load(&[("c13.csv", csv.as_bytes())]);
    let report = workspace.analyze(&funnel(&["signup_started", "signup_done"], None)).unwrap();
    assert_eq!(step_counts(&report), [1, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].median_ms_from_previous, Some(4_000.0));
}

#[test]
fn window_is_measured_from_step_one_inclusive() {
    let csv = "user,event,ts\nu1,A,2024-04-01T10:00:00Z\nu1,B,2024-04-01T10:40:00Z\nu1,C,2024-04-01T11:20:00Z\nu2,A,2024-04-01T10:00:00Z\nu2,B,2024-04-01T11:00:00Z\n";
    let report = analyze(csv, &funnel(&["A", "B", "C"], Some("60m")));
    assert_eq!(step_counts(&report), [2, 2, 0]);
    let funnel = report.funnel.unwrap();
    assert_eq!(funnel.window_ms, Some(3_600_000));
    assert!(funnel.rule.contains("boundary included"));
}

#[test]
fn a_later_start_can_reach_further_within_the_window() {
    let csv = "user,event,ts\nu1,A,2024-04-01T08:00:00Z\nu1,A,2024-04-01T10:00:00Z\nu1,B,2024-04-01T10:30:00Z\n";
    let report = analyze(csv, &funnel(&["A", "B"], Some("1h")));
    assert_eq!(step_counts(&report), [1, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].median_ms_from_previous, Some(1_800_000.0));
}

#[test]
fn time_to_convert_stays_inside_the_window() {
    let csv = "user,event,ts\nu1,open_modal,2024-08-21T10:00:00Z\nu1,submit,2024-08-21T10:00:30Z\nu2,open_modal,2024-08-21T10:00:00Z\nu2,submit,2024-08-21T10:45:00Z\n";
    let report = analyze(csv, &funnel(&["open_modal", "submit"], Some("1m")));
    let funnel = report.funnel.unwrap();
    assert_eq!(funnel.steps[1].people, 1);
    assert_eq!(funnel.steps[1].of_previous, 0.5);
    assert_eq!(funnel.steps[1].median_ms_from_previous, Some(30_000.0));
    let completion = funnel.completion.unwrap();
    assert_eq!(completion.people, 1);
    assert_eq!(completion.mean_ms, 30_000.0);
    assert_eq!(completion.median_ms, 30_000.0);
}

#[test]
fn sankey_of_a_cycle_is_step_indexed() {
    let csv = "user,page,ts\nu1,/home,2024-04-01T10:00:00Z\nu1,/pricing,2024-04-01T10:01:00Z\nu1,/home,2024-04-01T10:02:00Z\nu1,/signup,2024-04-01T10:03:00Z\n";
    let report = analyze(csv, &AnalysisOptions::default());
    let labels: Vec<(u32, &str)> = report.sankey.nodes.iter().map(|node| (node.step, node.label.as_str())).collect();
    assert_eq!(labels, [(1, "/home"), (2, "/pricing"), (3, "/home"), (4, "/signup")]);
    for link in &report.sankey.links {
        let source = &report.sankey.nodes[link.source as usize];
        let target = &report.sankey.nodes[link.target as usize];
        assert_eq!(target.step, source.step + 1, "every link goes one step forward");
    }
}

#[test]
fn sankey_groups_the_rest_into_other() {
    let mut csv = String::from("user,event,ts\n");
    for person in 0..12 {
        csv.push_str(&format!("u{person},start,2024-04-01T10:00:00Z\nu{person},page_{person},2024-04-01T10:01:00Z\n"));
    }
    let options = AnalysisOptions { sankey: pathlight::analysis::sankey::SankeyOptions { steps: 2, top_k: 3 }, ..AnalysisOptions::default() };
    let report = analyze(&csv, &options);
    let step_two: Vec<_> = report.sankey.nodes.iter().filter(|node| node.step == 2).collect();
    assert_eq!(step_two.len(), 4);
    let other = step_two.iter().find(|node| node.other).unwrap();
    assert_eq!(other.people, 9);
}

#[test]
fn id_segments_merge_into_one_node() {
    let csv = "user,page,ts\nu1,/account/8812/settings,2024-04-01T10:00:00Z\nu2,/account/9120/settings,2024-04-01T10:00:00Z\nu3,/account/4471/settings,2024-04-01T10:00:00Z\n";
    assert_eq!(analyze(csv, &AnalysisOptions::default()).sankey.nodes.len(), 3, "without cleaning each id is a node");
    let mut options = AnalysisOptions::default();
    options.paths.clean_urls = true;
    let report = analyze(csv, &options);
    let nodes: Vec<(&str, u64)> = report.sankey.nodes.iter().map(|node| (node.label.as_str(), node.people)).collect();
    assert_eq!(nodes, [("/account/*/settings", 3)]);
    assert_eq!(report.paths.non_converters.top[0].people, 3);
}

#[test]
fn sankey_links_carry_the_median_time() {
    let csv = "user,event,ts\nu1,a,2024-04-01T10:00:00Z\nu1,b,2024-04-01T10:01:00Z\nu2,a,2024-04-01T10:00:00Z\nu2,b,2024-04-01T10:03:00Z\nu3,a,2024-04-01T10:00:00Z\nu3,a,2024-04-01T10:05:00Z\nu3,b,2024-04-01T10:10:00Z\n";
    let report = analyze(csv, &AnalysisOptions::default());
    let link = &report.sankey.links[0];
    assert_eq!(link.people, 3);
    // u3's repeated a collapses into one step entered at 10:00, so its time to b is 10 minutes.
    assert_eq!(link.median_ms, Some(180_000.0));
}

#[test]
fn files_merge_by_person_id() {
    let leads = "lead_id,created_date,origin\nL1,01-03-2024,organic_search\nL2,02-03-2024,paid_search\n";
    let deals = "lead_id,won_date\nL1,15-03-2024 10:00\n";
    let mut workspace = Workspace::new();
    let first = workspace.add_file("leads.csv", leads.as_bytes().to_vec());
    let second = workspace.add_file("deals.csv", deals.as_bytes().to_vec());
    let inspections = [workspace.inspect(first, None).unwrap(), workspace.inspect(second, None).unwrap()];
    assert_eq!(inspections[0].mapping.date_events[0].name, "created");
    assert_eq!(inspections[1].mapping.date_events[0].name, "won");
    let summary = workspace.load(&LoadConfig::from_inspections(&inspections)).unwrap();
    assert_eq!(summary.people, 2);
    assert_eq!(summary.suggested_conversion.as_deref(), Some("won"));
    let report = workspace.analyze(&AnalysisOptions { conversion: Some("won".into()), ..AnalysisOptions::default() }).unwrap();
    assert_eq!(report.summary.converters, 1);
    assert_eq!(report.time_to_convert.unwrap().median_ms, Some((14.0 * 24.0 + 10.0) * 3_600_000.0));
}

#[test]
fn conversion_before_first_touch_is_reported() {
    let leads = "lead_id,created_date\nL1,10-03-2024\nL2,01-03-2024\n";
    let deals = "lead_id,won_date\nL1,05-03-2024\nL2,04-03-2024\n";
    let (workspace, _) = load(&[("leads.csv", leads.as_bytes()), ("deals.csv", deals.as_bytes())]);
    let report = workspace.analyze(&AnalysisOptions { conversion: Some("won".into()), ..AnalysisOptions::default() }).unwrap();
    let timing = report.time_to_convert.unwrap();
    assert_eq!(timing.measured, 1);
    assert_eq!(timing.excluded, 1);
    let warning = report.warnings.iter().find(|warning| warning.kind == "conversion_before_first_touch").unwrap();
    assert_eq!(warning.count, 1);
    assert!(warning.examples[0].starts_with("L1:"));
}

#[test]
fn bad_value_names_file_row_column_and_value() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\nu2,b,yesterday\nu3,c,2024-01-02T10:00:00Z\n";
    let (_, summary) = load(&[("bad.csv", csv.as_bytes())]);
    assert_eq!(summary.skipped_rows, 1);
    let problem = &summary.problems[0];
    assert_eq!((problem.file.as_str(), problem.row, problem.column.as_str(), problem.value.as_str()), ("bad.csv", 3, "ts", "yesterday"));
    assert_eq!(summary.warnings[0].kind, "skipped_rows");
    assert_eq!(summary.warnings[0].examples[0], "bad.csv, row 3, column \"ts\": this is not a time in the column's format (ISO 8601 with offset) (value \"yesterday\")");
}

#[test]
fn strict_mode_stops_at_the_first_bad_value() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\nu2,b,yesterday\nu3,c,2024-01-02T10:00:00Z\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("bad.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.strict = true;
    let error = workspace.load(&config).unwrap_err();
    assert!(matches!(error, Error::Value(_)));
    let message = error.to_string();
    assert!(message.contains("bad.csv, row 3, column \"ts\""), "{message}");
    assert!(message.contains("yesterday"), "{message}");
}

#[test]
fn quoted_fields_hold_delimiters_quotes_and_newlines() {
    let csv = "user,event,ts,note\nu1,a,2024-01-01T10:00:00Z,\"x, \"\"y\"\"\nz\"\nu1,b,2024-01-01T11:00:00Z,plain\n";
    let (_, summary) = load(&[("quoted.csv", csv.as_bytes())]);
    assert_eq!(summary.events, 2);
    let note = summary.properties.iter().find(|property| property.column == "note").unwrap();
    assert!(note.values.iter().any(|value| value.value == "x, \"y\"\nz"));
}

#[test]
fn zone_applies_to_times_without_offset() {
    let csv = "user,event,ts\nu1,a,2024-01-15 10:00:00\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("zone.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.time_zone = "America/New_York".into();
    workspace.load(&config).unwrap();
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-15T15:00:00Z"));
    config.time_zone = "Mars/Olympus".into();
    assert!(workspace.load(&config).unwrap_err().to_string().contains("Mars/Olympus"));
}

#[test]
fn step_filter_on_a_property() {
    let csv = "user,event,page,ts\nu1,page_view,/home,2024-01-01T10:00:00Z\nu1,page_view,/pricing,2024-01-01T10:01:00Z\nu2,page_view,/home,2024-01-01T10:00:00Z\n";
    let options = AnalysisOptions {
        funnel: FunnelOptions {
            steps: vec![
                FunnelStep { event: "page_view".into(), column: Some("page".into()), value: Some("/home".into()), ..FunnelStep::default() },
                FunnelStep { event: "page_view".into(), column: Some("page".into()), value: Some("/pricing".into()), ..FunnelStep::default() },
            ],
            ..FunnelOptions::default()
        },
        ..AnalysisOptions::default()
    };
    let report = analyze(csv, &options);
    assert_eq!(step_counts(&report), [2, 1]);
    assert_eq!(report.funnel.unwrap().steps[1].label, "page_view where page = /pricing");
}

#[test]
fn unknown_funnel_event_is_a_clear_error() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\n";
    let (workspace, _) = load(&[("a.csv", csv.as_bytes())]);
    let error = workspace.analyze(&funnel(&["missing"], None)).unwrap_err();
    assert!(error.to_string().contains("\"missing\" does not occur"), "{error}");
}

#[test]
fn paths_collapse_repeats_by_default() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\nu1,a,2024-01-01T10:01:00Z\nu1,buy,2024-01-01T10:02:00Z\nu2,a,2024-01-01T10:00:00Z\nu2,buy,2024-01-01T10:05:00Z\nu3,a,2024-01-01T10:00:00Z\n";
    let mut options = AnalysisOptions { conversion: Some("buy".into()), ..AnalysisOptions::default() };
    let report = analyze(csv, &options);
    assert_eq!(report.paths.converters.top[0].steps, ["a", "buy"]);
    assert_eq!(report.paths.converters.top[0].people, 2);
    assert_eq!(report.paths.non_converters.people, 1);
    assert_eq!(report.summary.distinct_journeys, 3);

    options.paths.collapse_repeats = false;
    let report = analyze(csv, &options);
    assert_eq!(report.paths.converters.distinct, 2);
}

#[test]
fn tab_override_takes_effect() {
    let text = "user,x\tevent,y\tts\nu1,1\ta,2\t2024-01-01T10:00:00Z\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("tabs.csv", text.as_bytes().to_vec());
    assert_eq!(workspace.inspect(index, None).unwrap().delimiter, ",");
    for spelling in ["tab", "\t", "\\t"] {
        let inspection = workspace.inspect(index, Some(spelling)).unwrap();
        assert_eq!(inspection.delimiter, "tab", "spelling {spelling:?}");
        assert!(!inspection.delimiter_sniffed);
        assert_eq!(inspection.columns[1].name, "event,y");
    }
}

#[test]
fn header_only_file_is_a_clear_error() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("header.csv", b"user,event,ts\n".to_vec());
    let message = workspace.inspect(index, None).unwrap_err().to_string();
    assert_eq!(message, "header.csv: the file has a header row but no data rows.");
}

#[test]
fn binary_file_is_rejected() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("junk.bin", bytes);
    let message = workspace.inspect(index, None).unwrap_err().to_string();
    assert!(message.contains("does not look like a text file"), "{message}");
}

#[test]
fn implausible_times_are_reported() {
    let csv = "user,event,ts\nu1,a,1704067200\nu1,b,-1704067200\nu2,a,1704067300\n";
    let (_, summary) = load(&[("epochs.csv", csv.as_bytes())]);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "implausible_times").unwrap();
    assert_eq!(warning.count, 1);
    assert_eq!(warning.examples, ["-1704067200 read as 1916-01-02T00:00:00Z"]);
}

#[test]
fn opening_event_is_not_suggested_as_conversion() {
    let csv = "case,activity,ts\nc1,register request,2024-01-01T10:00:00Z\nc1,pay,2024-01-02T10:00:00Z\nc2,register request,2024-01-01T11:00:00Z\n";
    let (_, summary) = load(&[("process.csv", csv.as_bytes())]);
    assert_eq!(summary.suggested_conversion, None);
}

#[test]
fn total_value_sums_the_value_column() {
    let csv = "user,event,ts,revenue\nu1,visit,2024-01-01T10:00:00Z,\nu1,purchase,2024-01-01T10:05:00Z,49.50\nu2,purchase,2024-01-02T09:00:00Z,10\n";
    let report = analyze(csv, &AnalysisOptions::default());
    assert_eq!(report.summary.total_value, Some(59.5));
    assert_eq!(report.summary.events_with_value, 2);
}

#[test]
fn spreadsheet_serial_dates_with_placeholders() {
    let csv = "deal_id,created,closed\nd1,45292,45306\nd2,1,45300\nd3,45293,60\n";
    let (workspace, summary) = load(&[("c10.csv", csv.as_bytes())]);
    // deal_id is not a name the detector recognises, so the first column is the person.
    assert_eq!(summary.people, 3);
    let placeholders = summary.warnings.iter().find(|warning| warning.kind == "placeholder_dates").unwrap();
    assert_eq!(placeholders.count, 2);
    assert_eq!(summary.events, 4);
    let report = workspace.analyze(&AnalysisOptions { conversion: Some("closed".into()), ..AnalysisOptions::default() }).unwrap();
    let timing = report.time_to_convert.unwrap();
    assert_eq!(timing.measured, 1, "only d1 has both dates");
    assert_eq!(timing.median_ms, Some(14.0 * 86_400_000.0));
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-01T00:00:00Z"));
}

#[test]
fn headerless_whitespace_file_with_named_columns() {
    let text = " 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n 00018 0003 19970102  2   77.00\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("cdnow.txt", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.delimiter, "whitespace");
    assert!(!inspection.has_header);
    assert_eq!(inspection.preview.len(), 3);
    assert_eq!(inspection.columns[2].kind, pathlight::ingest::ColumnKind::Time);

    let names: Vec<String> = ["customer", "index", "date", "cds", "amount"].map(String::from).to_vec();
    let file = pathlight::ingest::FileConfig {
        index,
        column_names: names,
        mapping: pathlight::Mapping {
            person: Some("customer".into()),
            value: Some("amount".into()),
            date_events: vec![pathlight::ingest::DateEvent { column: "date".into(), name: "purchase".into() }],
            ..pathlight::Mapping::default()
        },
        ..pathlight::ingest::FileConfig::default()
    };
    let config = LoadConfig { files: vec![file], ..LoadConfig::default() };
    let summary = workspace.load(&config).unwrap();
    assert_eq!(summary.people, 2);
    assert_eq!(summary.events, 3);
    assert_eq!(summary.skipped_rows, 0);
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.total_value, Some(29.33 + 29.73 + 77.0));
    assert_eq!(report.summary.first_event.as_deref(), Some("1997-01-01T00:00:00Z"));
}

#[test]
fn row_numbers_count_blank_lines() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\n\n\nu2,b,not a time\nu3,c,2024-01-02T10:00:00Z\n";
    let (_, summary) = load(&[("blank.csv", csv.as_bytes())]);
    assert_eq!(summary.problems[0].row, 5);
}

#[test]
fn dialect_details_are_shown() {
    let text = "# Start date: 20240101\n# End date: 20240131\n\ndate;channel;amount\r\n08/01/2024;email;1,25\r\n09/01/2024;ads;300,00\r\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c03.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.delimiter, ";");
    assert_eq!(inspection.quote, "\"");
    assert_eq!(inspection.line_ending, "CRLF");
    assert!(inspection.decimal_comma);
    let period = inspection.period.unwrap();
    assert_eq!((period.start.as_deref(), period.end.as_deref()), (Some("2024-01-01"), Some("2024-01-31")));
}

#[test]
fn undecided_date_order_is_asked() {
    let csv = "user,event,date\nu1,a,03/04/2024\nu1,b,05/06/2024\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("dates.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert!(inspection.columns[2].ambiguous_date_order);

    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.date_order = pathlight::ingest::time::DateOrder::MonthFirst;
    workspace.load(&config).unwrap();
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-03-04T00:00:00Z"));
}

#[test]
fn date_only_order_against_timed_events_is_flagged() {
    let leads = "lead_id,created_date\nL1,2024-03-01\nL2,2024-03-01\n";
    let visits = "lead_id,event,ts\nL1,visit,2024-03-01T15:00:00Z\nL2,visit,2024-03-05T15:00:00Z\n";
    let (_, summary) = load(&[("leads.csv", leads.as_bytes()), ("visits.csv", visits.as_bytes())]);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "date_only_order").unwrap();
    assert_eq!(warning.count, 1, "only L1's visit falls on the day of its date-only event");
}

#[test]
fn second_table_starts_a_new_table_not_more_rows() {
    let text = "# a\nuser,event,ts\nu1,a,2024-01-01T00:00:00Z\n\n# export 2\nid,name,when\nu9,b,2024-01-02T00:00:00Z\n";
    let (_, summary) = load(&[("c02.csv", text.as_bytes())]);
    assert_eq!(summary.people, 1);
    assert_eq!(summary.skipped_rows, 0);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "second_table").unwrap();
    assert!(warning.message.contains("row 5"), "{}", warning.message);
}

#[test]
fn utf16_without_bom_is_detected() {
    let bytes: Vec<u8> = "event\tuser\tts\r\nsignup\tu1\t2024-01-01\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("c06.txt", bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.encoding, "UTF-16LE");
    assert!(!inspection.bom);
    assert_eq!(inspection.columns[0].name, "event");
}

#[test]
fn footer_notes_are_reported_not_read() {
    let csv = "user,event,ts\nu1,a,2024-01-01T10:00:00Z\nu2,b,2024-01-01T11:00:00Z\nTotal,2,\nExported by Demo Analytics on 2024-02-01\n";
    let (_, summary) = load(&[("footer.csv", csv.as_bytes())]);
    assert_eq!(summary.events, 2);
    assert_eq!(summary.skipped_rows, 0);
    let notes = summary.warnings.iter().find(|warning| warning.kind == "note_rows").unwrap();
    assert_eq!(notes.count, 2);
    assert_eq!(notes.examples[0], "row 4: Total 2");
}

#[test]
fn c10_created_column_with_a_placeholder() {
    let csv = "deal_id,created,closed\nd1,45292,45306\nd2,1,45300\n";
    let (workspace, summary) = load(&[("c10.csv", csv.as_bytes())]);
    assert_eq!(summary.events, 3, "d1 created, d1 closed, d2 closed");
    let placeholders = summary.warnings.iter().find(|warning| warning.kind == "placeholder_dates").unwrap();
    assert_eq!(placeholders.count, 1);
    let report = workspace.analyze(&AnalysisOptions { conversion: Some("closed".into()), ..AnalysisOptions::default() }).unwrap();
    assert_eq!(report.time_to_convert.unwrap().median_ms, Some(14.0 * 86_400_000.0));
}

#[test]
fn missing_closing_quote_is_reported() {
    let mut csv = String::from("user,ts,event,note\nu1,2024-01-01T00:00:00Z,view,\"oops\n");
    for _ in 0..200 {
        csv.push_str("u1,2024-01-01T00:01:00Z,buy,x\n");
    }
    let (_, summary) = load(&[("quote.csv", csv.as_bytes())]);
    let warning = summary.warnings.iter().find(|warning| warning.kind == "long_quoted_field").unwrap();
    assert!(warning.message.contains("row 2"), "{}", warning.message);

    let mut workspace = Workspace::new();
    let index = workspace.add_file("quote.csv", csv.into_bytes());
    let inspection = workspace.inspect(index, None).unwrap();
    let mut config = LoadConfig::from_inspections(&[inspection]);
    config.strict = true;
    assert!(workspace.load(&config).unwrap_err().to_string().contains("closing quote"));
}

#[test]
fn too_many_columns_is_a_clear_error() {
    let mut text = vec!["a"; 20_000].join(",");
    text.push('\n');
    let mut workspace = Workspace::new();
    let index = workspace.add_file("wide.csv", text.into_bytes());
    let message = workspace.inspect(index, None).unwrap_err().to_string();
    assert!(message.contains("20000 fields"), "{message}");
}

#[test]
fn headerless_first_row_with_a_timestamp_is_data() {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("noheader.csv", b"u1,2024-01-01T00:00:00Z,view\nu2,2024-01-02T00:00:00Z,buy\n".to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert!(!inspection.has_header);
    assert_eq!(inspection.preview.len(), 2);
}

#[test]
fn second_byte_order_mark_is_ignored() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("\u{FEFF}# note\nuser,event,ts\nu1,a,2024-01-01T00:00:00Z\n".encode_utf16().flat_map(u16::to_le_bytes));
    let mut workspace = Workspace::new();
    let index = workspace.add_file("double-bom.csv", bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    assert_eq!(inspection.columns[0].name, "user");
    assert_eq!(inspection.preview.len(), 1);
}

#[test]
fn grouped_numbers_are_read_and_bad_values_keep_the_event() {
    let mut csv = String::from("user;event;ts;revenue\nu1;purchase;2024-01-01T10:00:00Z;1.234,56\nu2;purchase;2024-01-01T11:00:00Z;12,50\n");
    // Enough readable values that the column is still proposed as the value column.
    for person in 3..12 {
        csv.push_str(&format!("u{person};visit;2024-01-01T12:00:00Z;0\n"));
    }
    csv.push_str("u12;purchase;2024-01-01T12:00:00Z;call us\n");
    let (workspace, summary) = load(&[("grouped.csv", csv.as_bytes())]);
    assert_eq!(summary.events, 12);
    assert_eq!(summary.skipped_rows, 0);
    let unreadable = summary.warnings.iter().find(|warning| warning.kind == "unreadable_values").unwrap();
    assert_eq!(unreadable.examples, ["call us"]);
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.total_value, Some(1234.56 + 12.5));
    assert_eq!(report.summary.events_with_value, 11);
}

#[test]
fn date_order_decided_far_down_the_column() {
    let mut csv = String::from("user,event,ts\n");
    for row in 0..5000 {
        csv.push_str(&format!("u{row},visit,0{}/0{}/2024 10:00\n", 1 + row % 9, 1 + row % 7));
    }
    csv.push_str("u9999,visit,12/25/2024 10:00\n");
    let (workspace, summary) = load(&[("late.csv", csv.as_bytes())]);
    assert_eq!(summary.skipped_rows, 0);
    assert!(summary.warnings.iter().any(|warning| warning.kind == "date_order_decided" && warning.message.contains("row 5002")));
    assert!(!summary.warnings.iter().any(|warning| warning.kind == "ambiguous_date_order"));
    let report = workspace.analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.summary.last_event.as_deref(), Some("2024-12-25T10:00:00Z"));
    assert_eq!(report.summary.first_event.as_deref(), Some("2024-01-01T10:00:00Z"));
}

#[test]
fn sentinel_dates_read_as_empty() {
    let csv = "lead_id,created_date,closed_date\nL1,2024-01-01,9999-12-31\nL2,2024-01-02,2024-01-09\n";
    let (_, summary) = load(&[("sentinel.csv", csv.as_bytes())]);
    assert_eq!(summary.events, 3);
    let placeholders = summary.warnings.iter().find(|warning| warning.kind == "placeholder_dates").unwrap();
    assert_eq!(placeholders.count, 1);
}

#[test]
fn id_columns_are_not_times() {
    let csv = "user_id,event_type,event_time\n541312140,view,2019-10-01 00:00:00 UTC\n554748717,view,2019-10-01 00:00:01 UTC\n";
    let mut workspace = Workspace::new();
    let index = workspace.add_file("ids.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    assert_ne!(inspection.columns[0].kind, pathlight::ingest::ColumnKind::Time);
    assert_eq!(inspection.mapping.person.as_deref(), Some("user_id"));
}

#[test]
fn one_stray_nul_does_not_reject_a_file() {
    let (_, summary) = load(&[("nul.csv", b"user,event,ts\nu\x001,a,2024-01-01T00:00:00Z\nu2,b,2024-01-01T00:00:00Z\n")]);
    assert_eq!(summary.events, 2);
}

/// Five people observed for different spans: u1 converts on day 2, u4 on day 5, and u2, u3 and
/// u5 are last seen on days 3, 3 and 6 without converting.
const OBSERVED_FOR_DIFFERENT_SPANS: &str = "user,event,ts
u1,visit,2024-01-01T00:00:00Z
u1,purchase,2024-01-03T00:00:00Z
u2,visit,2024-01-01T00:00:00Z
u2,visit,2024-01-04T00:00:00Z
u3,visit,2024-01-01T00:00:00Z
u3,visit,2024-01-04T00:00:00Z
u4,visit,2024-01-01T00:00:00Z
u4,purchase,2024-01-06T00:00:00Z
u5,visit,2024-01-01T00:00:00Z
u5,visit,2024-01-07T00:00:00Z
";

#[test]
fn not_yet_converted_people_are_censored() {
    use pathlight::analysis::survival::{CensorAt, SurvivalOptions};
    const DAY: i64 = 86_400_000;
    let options = AnalysisOptions {
        conversion: Some("purchase".to_string()),
        conversion_curve: SurvivalOptions { censor_at: CensorAt::LastEvent, ..SurvivalOptions::default() },
        ..AnalysisOptions::default()
    };
    let curve = analyze(OBSERVED_FOR_DIFFERENT_SPANS, &options).conversion_curve.unwrap();
    assert_eq!((curve.people, curve.converters, curve.censored), (5, 2, 3));
    assert_eq!(curve.steps.len(), 2);

    let day_2 = &curve.steps[0];
    assert_eq!(day_2.time_ms, 2 * DAY);
    assert_eq!((day_2.at_risk, day_2.events, day_2.censored), (5, 1, 2), "u2 and u3 leave at day 3");
    assert!((day_2.cumulative - 1.0 / 5.0).abs() < 1e-12, "S(2) = 4/5");

    let day_5 = &curve.steps[1];
    assert_eq!(day_5.time_ms, 5 * DAY);
    assert_eq!((day_5.at_risk, day_5.events, day_5.censored), (2, 1, 1), "u5 leaves at day 6");
    assert!((day_5.cumulative - 0.6).abs() < 1e-12, "S(5) = 4/5 × 1/2, so 60% by day 5 where the raw share is 40%");

    assert_eq!(curve.median_ms, Some(5 * DAY));
    let at_risk: Vec<u64> = curve.landmarks.iter().map(|landmark| landmark.at_risk).collect();
    assert_eq!(at_risk, [5, 0, 0, 0], "everyone is observed past day 1, nobody to day 7");
}

#[test]
fn not_yet_converted_people_are_censored_at_data_end_by_default() {
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() };
    let curve = analyze(OBSERVED_FOR_DIFFERENT_SPANS, &options).conversion_curve.unwrap();
    // u2 and u3 count as at risk up to day 6, the end of the data, so S(5) = 4/5 × 3/4.
    assert_eq!(curve.steps[1].at_risk, 4);
    assert!((curve.steps[1].cumulative - 0.4).abs() < 1e-12);
    assert_eq!(curve.median_ms, None);
}

#[test]
fn conversion_curve_needs_a_conversion_event() {
    let report = analyze(OBSERVED_FOR_DIFFERENT_SPANS, &AnalysisOptions::default());
    assert!(report.conversion_curve.is_none());
}

#[test]
fn excluded_people_leave_every_step() {
    let csv = "user,event,ts\nu1,view_pricing,2024-04-01T10:00:00Z\nu1,got_coupon,2024-04-01T10:05:00Z\nu1,purchase,2024-04-01T10:10:00Z\nu2,view_pricing,2024-04-01T10:00:00Z\nu2,purchase,2024-04-01T10:20:00Z\nu3,view_pricing,2024-04-01T10:00:00Z\n";
    let mut options = funnel(&["view_pricing", "purchase"], Some("1d"));
    options.funnel.exclusions.push(FunnelExclusion { event: "got_coupon".into(), between: Some([1, 2]), ..FunnelExclusion::default() });
    let report = analyze(csv, &options);
    assert_eq!(step_counts(&report), [2, 1]);
    let funnel = report.funnel.unwrap();
    assert_eq!(funnel.steps[1].of_previous, 0.5);
    assert_eq!(funnel.excluded, 1);
    assert!(funnel.rule.contains("removed from every step"), "{}", funnel.rule);
}

#[test]
fn exclusion_of_a_funnel_step_is_invalid() {
    let csv = "user,event,ts\nu1,view_pricing,2024-04-01T10:00:00Z\nu1,purchase,2024-04-01T10:10:00Z\n";
    let (workspace, _) = load(&[("c15.csv", csv.as_bytes())]);
    let mut options = funnel(&["view_pricing", "purchase"], Some("1d"));
    options.funnel.exclusions.push(FunnelExclusion { event: "purchase".into(), ..FunnelExclusion::default() });
    let error = workspace.analyze(&options).unwrap_err();
    assert!(error.to_string().contains("is invalid"), "{error}");
}

#[test]
fn funnel_kinds_differ_on_one_journey() {
    let csv = "user,event,ts\nu1,checkout,2024-01-01T10:00:00Z\nu1,cart,2024-01-01T10:01:00Z\nu1,help,2024-01-01T10:02:00Z\nu1,pay,2024-01-01T10:03:00Z\n";
    let ordered = funnel(&["cart", "checkout", "pay"], None);
    assert_eq!(step_counts(&analyze(csv, &ordered)), [1, 0, 0]);
    let mut any_order = ordered.clone();
    any_order.funnel.kind = FunnelKind::AnyOrder;
    assert_eq!(step_counts(&analyze(csv, &any_order)), [1, 1, 1]);
    let mut strict = funnel(&["cart", "pay"], None);
    assert_eq!(step_counts(&analyze(csv, &strict)), [1, 1]);
    strict.funnel.kind = FunnelKind::Strict;
    assert_eq!(step_counts(&analyze(csv, &strict)), [1, 0]);
}

#[test]
fn totals_count_repeat_purchases() {
    let csv = "user,event,ts\nu1,cart,2024-01-01T10:00:00Z\nu1,pay,2024-01-01T10:01:00Z\nu1,cart,2024-01-02T10:00:00Z\nu1,pay,2024-01-02T10:01:00Z\nu2,cart,2024-01-01T10:00:00Z\n";
    let mut options = funnel(&["cart", "pay"], None);
    options.funnel.counting = Counting::Totals;
    let report = analyze(csv, &options);
    assert_eq!(step_counts(&report), [3, 2]);
    assert!(report.funnel.unwrap().rule.contains("every attempt counts"));
}

#[test]
fn glob_step_and_breakdown_by_column() {
    let csv = "user,event,page,plan,ts\nu1,page_view,/pricing/team,pro,2024-01-01T10:00:00Z\nu1,buy,,,2024-01-01T10:05:00Z\nu2,page_view,/pricing,free,2024-01-01T10:00:00Z\nu3,page_view,/home,free,2024-01-01T10:00:00Z\n";
    let mut options = funnel(&["page_view", "buy"], None);
    options.funnel.steps[0] = FunnelStep { event: "page_view".into(), column: Some("page".into()), value: Some("/pricing*".into()), match_kind: MatchKind::Glob, window: None };
    options.funnel.breakdown = Some("plan".into());
    let report = analyze(csv, &options);
    assert_eq!(step_counts(&report), [2, 1]);
    let breakdown = report.funnel.unwrap().breakdown;
    assert_eq!(breakdown.len(), 2);
    assert_eq!((breakdown[0].value.as_str(), breakdown[0].steps.as_slice()), ("free", [1u64, 0].as_slice()));
    assert_eq!((breakdown[1].value.as_str(), breakdown[1].steps.as_slice()), ("pro", [1u64, 1].as_slice()));
}
