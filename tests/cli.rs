//! The command-line tool, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn write_fixture(name: &str, text: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("pathlight-cli-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn pathlight(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pathlight")).args(args).output().unwrap()
}

#[test]
fn session_gap_and_path_cleaning_flags() {
    let events = write_fixture(
        "sessions.csv",
        "user,event,page,ts
u1,view,/account/8812/settings?tab=2,2024-01-01T10:00:00Z
u1,view,/account/77/settings,2024-01-01T10:20:00Z
u2,view,/home,2024-01-01T10:00:00Z
",
    );
    let path = events.to_str().unwrap();
    let output = pathlight(&["analyze", path, "--session-gap", "10m", "--path-label", "page", "--clean-urls", "--path-rule", r"\?.*$=>"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["sessions"]["gap_ms"], 600_000);
    assert_eq!(report["sessions"]["sessions"], 3);
    assert_eq!(report["paths"]["non_converters"]["top"][0]["steps"][0], "/account/*/settings");
    assert_eq!(report["paths"]["non_converters"]["top"][0]["people"], 1);
    assert_eq!(report["paths"]["non_converters"]["distinct"], 2);

    let output = pathlight(&["analyze", path, "--path-between", "1"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--path-between"));
}

#[test]
fn analyze_prints_the_json_report() {
    let events = write_fixture(
        "events.csv",
        "user,event,page,ts\nu1,page_view,/pricing,2024-01-01T10:00:00Z\nu1,purchase,,2024-01-01T10:30:00Z\nu2,page_view,/home,2024-01-01T11:00:00Z\n",
    );
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--funnel", "page_view[page=/pricing],purchase", "--window", "1h", "--json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["people"], 2);
    assert_eq!(report["summary"]["conversion_event"], "purchase");
    assert_eq!(report["funnel"]["steps"][0]["people"], 1);
    assert_eq!(report["funnel"]["steps"][1]["people"], 1);
    assert_eq!(report["funnel"]["steps"][1]["median_ms_from_previous"], 1_800_000.0);
}

#[test]
fn files_join_through_mapped_person_column() {
    let leads = write_fixture("leads.csv", "mql_id,first_contact_date,origin\nm1,01-02-2018,organic_search\nm2,03-02-2018,paid_search\n");
    let deals = write_fixture("deals.csv", "mql_id,seller_id,won_date\nm1,s9,15-02-2018 10:00\n");
    let output = pathlight(&[
        "analyze",
        leads.to_str().unwrap(),
        deals.to_str().unwrap(),
        "--map",
        "person=mql_id",
        "--date-event",
        "first_contact_date=lead created",
        "--date-event",
        "won_date=deal won",
        "--conversion",
        "deal won",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["people"], 2);
    assert_eq!(report["summary"]["converters"], 1);
    assert_eq!(report["time_to_convert"]["median_ms"], (14.0 * 24.0 + 10.0) * 3_600_000.0);
}

#[test]
fn strict_mode_fails_with_the_location() {
    let events = write_fixture("bad.csv", "user,event,ts\nu1,a,2024-01-01T10:00:00Z\nu2,b,not a time\nu3,c,2024-01-02T10:00:00Z\n");
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--strict"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("bad.csv, row 3, column \"ts\""), "{message}");
    assert!(message.contains("not a time"), "{message}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let output = pathlight(&["analyze", "/nonexistent/events.csv"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("/nonexistent/events.csv: cannot be read"), "{message}");
}

#[test]
fn generate_is_deterministic_for_a_seed() {
    let first = pathlight(&["generate", "--people", "50", "--seed", "3"]);
    let second = pathlight(&["generate", "--people", "50", "--seed", "3"]);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.starts_with("user_id,timestamp,event,channel,page,revenue\n"));
}

#[test]
fn generate_plants_effects_on_request() {
    let planted = pathlight(&["generate", "--people", "20", "--seed", "3", "--plant", "exit-step,touchpoint"]);
    assert!(planted.status.success());
    let text = String::from_utf8(planted.stdout).unwrap();
    assert!(text.starts_with("user_id,timestamp,event,channel,page,revenue,campaign\n"));
    assert!(text.contains(",email_sent,,,,welcome\n"), "{text}");

    let unknown = pathlight(&["generate", "--people", "20", "--plant", "slow-channel"]);
    assert!(!unknown.status.success());
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(message.contains("--plant: unknown effect \"slow-channel\""), "{message}");
}

#[test]
fn unknown_mapped_column_is_an_error() {
    let events = write_fixture("map.csv", "user,event,ts\nu1,a,2024-01-01T10:00:00Z\n");
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--map", "person=nosuch"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("--map: no file has a column named \"nosuch\""), "{message}");
}

#[test]
fn filter_without_a_column_is_an_error() {
    let events = write_fixture("filter.csv", "user,event,ts\nu1,a,2024-01-01T10:00:00Z\n");
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--funnel", "a[=1]"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("must look like [column=value]"), "{message}");
}

#[test]
fn map_adds_identity_and_ordinal_columns() {
    let events = write_fixture(
        "stitched.csv",
        "device,account,event,ts,n\nd1,,view,2024-01-01T10:00:00Z,2\nd1,,open,2024-01-01T10:00:00Z,1\nd1,A-1,login,2024-01-01T10:01:00Z,3\n,A-1,purchase,2024-01-01T10:05:00Z,4\n",
    );
    let output = pathlight(&[
        "analyze",
        events.to_str().unwrap(),
        "--map",
        "person=device",
        "--map",
        "identity=account",
        "--map",
        "ordinal=n",
        "--funnel",
        "open,view,purchase",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["people"], 1);
    assert_eq!(report["funnel"]["steps"][2]["people"], 1);
    let kinds: Vec<&str> = report["warnings"].as_array().unwrap().iter().filter_map(|warning| warning["kind"].as_str()).collect();
    assert!(kinds.contains(&"merged_identities"), "{kinds:?}");
    assert!(kinds.contains(&"tied_timestamps"), "{kinds:?}");
}

#[test]
fn map_rejects_an_unknown_role() {
    let events = write_fixture("roles.csv", "user,event,ts\nu1,view,2024-01-01T10:00:00Z\n");
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--map", "alias=user"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ordinal, identity or step"));
}

#[test]
fn analyze_takes_funnel_kind_exclusion_counting_and_breakdown() {
    let events = write_fixture(
        "funnel-flags.csv",
        "user,event,plan,ts\nu1,cart,pro,2024-01-01T10:00:00Z\nu1,coupon,,2024-01-01T10:01:00Z\nu1,pay,,2024-01-01T10:02:00Z\nu2,cart,free,2024-01-01T10:00:00Z\nu2,pay,,2024-01-01T10:02:00Z\nu2,cart,free,2024-01-02T10:00:00Z\nu2,pay,,2024-01-02T10:02:00Z\n",
    );
    let output = pathlight(&[
        "analyze",
        events.to_str().unwrap(),
        "--funnel",
        "cart,pay",
        "--funnel-kind",
        "strict",
        "--exclude",
        "coupon[between=1,2]",
        "--counting",
        "totals",
        "--breakdown",
        "plan",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let funnel = &report["funnel"];
    assert_eq!(funnel["kind"], "strict");
    assert_eq!(funnel["counting"], "totals");
    assert_eq!(funnel["excluded"], 1);
    assert_eq!(funnel["steps"][0]["people"], 2);
    assert_eq!(funnel["steps"][1]["people"], 2);
    assert_eq!(funnel["breakdown"][0]["value"], "free");
    assert_eq!(funnel["breakdown"][0]["steps"][1], 2);
}

#[test]
fn analyze_rejects_an_unknown_funnel_kind() {
    let events = write_fixture("funnel-kind.csv", "user,event,ts\nu1,view,2024-01-01T10:00:00Z\n");
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--funnel", "view", "--funnel-kind", "loose"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("use ordered, strict or any_order"));
}

#[test]
fn analyze_reports_curve_and_process_map() {
    let events = write_fixture(
        "curve.csv",
        "user,event,ts\nu1,visit,2024-01-01T00:00:00Z\nu1,purchase,2024-01-03T00:00:00Z\nu2,visit,2024-01-01T00:00:00Z\nu2,visit,2024-01-04T00:00:00Z\n",
    );
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--conversion", "purchase", "--json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let curve = &report["conversion_curve"];
    assert_eq!(curve["censor_at"], "data_end");
    assert_eq!(curve["people"], 2);
    assert_eq!(curve["steps"][0]["time_ms"], 2 * 86_400_000);
    assert_eq!(curve["steps"][0]["cumulative"], 0.5);
    assert_eq!(curve["median_ms"], 2 * 86_400_000);
    let map = &report["process_map"];
    assert_eq!(map["variants_total"], 2);
    assert_eq!(map["start_activities"][0]["people"], 2);
    assert_eq!(map["edges"][0]["source"], "visit");
}

#[test]
fn censor_at_option_reaches_the_curve() {
    let events = write_fixture("censor.csv", "user,event,ts\nu1,visit,2024-01-01T00:00:00Z\nu1,purchase,2024-01-03T00:00:00Z\n");
    let path = events.to_str().unwrap();
    let output = pathlight(&["analyze", path, "--conversion", "purchase", "--censor-at", "last_event", "--json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["conversion_curve"]["censor_at"], "last_event");

    let output = pathlight(&["analyze", path, "--conversion", "purchase", "--censor-at", "end"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("use data_end or last_event"));
}

#[test]
fn hold_constant_and_people_behind_a_funnel_bar() {
    // u1 views product p1 and buys p2, so with the product held constant u1 stops at step 1 and
    // buys next; u2 views and buys p3; u3 only views.
    let events = write_fixture(
        "products.csv",
        "user,event,product,ts
u1,view,p1,2024-01-01T10:00:00Z
u1,buy,p2,2024-01-01T10:05:00Z
u2,view,p3,2024-01-01T10:00:00Z
u2,buy,p3,2024-01-01T10:09:00Z
u3,view,p4,2024-01-01T11:00:00Z
",
    );
    let path = events.to_str().unwrap();
    let output = pathlight(&["analyze", path, "--funnel", "view,buy", "--hold-constant", "product"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["funnel"]["hold_constant"], "product");
    assert_eq!(report["funnel"]["steps"][1]["people"], 1);
    let next = &report["funnel"]["steps"][1]["next_after_drop"];
    assert_eq!(next[0]["label"], "(journey ended)");
    assert_eq!(next[0]["people"], 1);
    assert_eq!(next[1]["label"], "buy p2");
    assert_eq!(next[1]["people"], 1);

    let output = pathlight(&["analyze", path, "--funnel", "view,buy", "--hold-constant", "product", "--list-people", "2:dropped"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["people"][0]["person"], "u1");
    assert_eq!(list["people"][0]["journey"][1]["event"], "buy");
    assert_eq!(list["people"][1]["person"], "u3");

    let output = pathlight(&["analyze", path, "--funnel", "view,buy", "--list-people", "2:gone"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--list-people"));
}

#[test]
fn markov_order_flags_reach_the_attribution() {
    let paths = write_fixture("orders.csv", "path;total_conversions;total_null\na > b;1;0\nb > a;0;1\n");
    let path = paths.to_str().unwrap();
    let output = pathlight(&["analyze", path, "--markov-order", "2", "--markov-collapse-repeats"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let attribution = &report["attribution"];
    assert_eq!(attribution["markov_order"], 2);
    assert_eq!(attribution["markov_collapse_repeats"], true);
    assert_eq!(attribution["markov_states"], 4);
    assert_eq!(attribution["channels"][0]["markov"], 0.5);

    let output = pathlight(&["analyze", path, "--markov-order", "9"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Markov order 9"));
}

#[test]
fn analyze_takes_stages() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stages-fixture.csv");
    let output = pathlight(&[
        "analyze",
        fixture,
        "--conversion",
        "purchase",
        "--stage",
        "discovery=visit,page_view[page~/blog/*]",
        "--stage",
        "evaluation=page_view[page=/pricing],demo",
        "--stage",
        "purchase=purchase",
        "--stage",
        "after purchase=referral,page_view[page=~/onboard(ing)?/.*]",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let stages = &report["stages"];
    assert_eq!(stages["suggested"], false);
    assert_eq!(stages["stages"][3]["name"], "after purchase");
    assert_eq!(stages["stages"][3]["rules"][1]["match"], "regex");
    // The same moves as the hand-worked counts in tests/stages.rs.
    assert_eq!(stages["transitions"]["counts"][0], serde_json::json!([0, 4, 1, 0]));
    assert_eq!(stages["transitions"]["moves"], 13);

    let output = pathlight(&["analyze", fixture]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stages"]["suggested"], true, "without --stage the stages are suggested");

    let output = pathlight(&["analyze", fixture, "--stage", "evaluation=webinar"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"webinar\""));
    let output = pathlight(&["analyze", fixture, "--stage", "evaluation"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--stage"));
}

#[test]
fn timing_flags_reach_the_analyses() {
    // u1 buys 1 hour after their first visit, u2 after 10 hours and u3 after 50 hours, when the
    // data ends. The open gaps are u1's 49 hours, u2's 40, u3's 0 and u4's 48.
    let events = write_fixture(
        "timing.csv",
        "user,event,ts,channel
u1,visit,2024-01-01T00:00:00Z,email
u1,purchase,2024-01-01T01:00:00Z,
u2,visit,2024-01-01T00:00:00Z,search
u2,purchase,2024-01-01T10:00:00Z,
u3,visit,2024-01-01T00:00:00Z,search
u3,purchase,2024-01-03T02:00:00Z,
u4,visit,2024-01-01T02:00:00Z,social
",
    );
    let path = events.to_str().unwrap();
    let output = pathlight(&[
        "analyze", path, "--conversion", "purchase", "--speed-cuts", "2h,1d", "--silence-return-rule", "0.45",
        "--min-silences", "1", "--rhythm-all-events", "--time-zone", "Europe/Berlin", "--channel-speed-by", "any_touch",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["speed"]["cut_rule"], "durations");
    let people: Vec<u64> = report["speed"]["segments"].as_array().unwrap().iter().map(|segment| segment["people"].as_u64().unwrap()).collect();
    assert_eq!(people, [1, 1, 1]);
    assert_eq!(report["silences"]["return_rule"], 0.45);
    assert_eq!(report["silences"]["min_silences"], 1);
    // Return shares: 1 h 3/6, 3 h and 6 h 2/5, 12 h and 1 day 1/4, 2 days 1/3. From 3 h on all
    // are at most 0.45, but 1 h is above it.
    assert_eq!(report["silences"]["rarely_back_after_label"], "3 h");
    assert_eq!(report["rhythm"]["basis"], "all_events");
    assert_eq!(report["rhythm"]["events"], 7);
    // 00:00 UTC on Monday 1 January is 01:00 in Berlin.
    assert_eq!(report["rhythm"]["counts"][0][1], 3);
    assert_eq!(report["channel_speed"]["by"], "any_touch");
    assert_eq!(report["channel_speed"]["channels"][0]["channel"], "email");

    let output = pathlight(&["analyze", path, "--speed-cuts", "7d"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("speed cuts \"7d\""));
    let output = pathlight(&["analyze", path, "--channel-speed-by", "last_touch"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--channel-speed-by"));
    let output = pathlight(&["analyze", path, "--silence-return-rule", "2"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("return_rule"));
}

#[test]
fn friction_findings_and_their_people() {
    // Of the 12 people who view, 4 go on to the cart and 2 of those buy; the 8 who stop after the
    // view lose 8 × 2/4 = 4 conversions, the largest leak.
    let mut text = String::from("user,event,ts\n");
    for person in 0..12 {
        text.push_str(&format!("u{person:02},view,2024-01-01T10:00:00Z\n"));
        if person < 4 {
            text.push_str(&format!("u{person:02},cart,2024-01-01T10:05:00Z\n"));
        }
        if person < 2 {
            text.push_str(&format!("u{person:02},buy,2024-01-01T10:09:00Z\n"));
        }
    }
    let events = write_fixture("friction.csv", &text);
    let path = events.to_str().unwrap();
    let args = ["analyze", path, "--conversion", "buy", "--funnel", "view,cart,buy", "--friction-min-stopped", "2", "--friction-top", "3"];
    let output = pathlight(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["friction"]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0]["label"], "step 2 (cart)");
    assert_eq!(findings[0]["stopped"], 8);
    assert_eq!(findings[0]["lost_conversions"], 4.0);

    let output = pathlight(&[&args[..], &["--list-people", "finding:0", "--people-limit", "0"]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["total"], 8);
    assert_eq!(list["people"][0]["person"], "u04");

    let output = pathlight(&[&args[..], &["--list-people", "finding:9"]].concat());
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no finding 9"));
}

#[test]
fn pattern_flags_reach_the_analysis() {
    // u1 and u2 buy after blog then demo; u3 does demo then blog and does not buy.
    let events = write_fixture(
        "patterns.csv",
        "user,event,ts
u1,blog,2024-01-01T00:00:00Z
u1,demo,2024-01-01T01:00:00Z
u1,purchase,2024-01-01T02:00:00Z
u2,blog,2024-01-01T00:00:00Z
u2,demo,2024-01-03T00:00:00Z
u2,purchase,2024-01-03T01:00:00Z
u3,demo,2024-01-01T00:00:00Z
u3,blog,2024-01-01T05:00:00Z
",
    );
    let path = events.to_str().unwrap();
    let output = pathlight(&[
        "analyze", path, "--conversion", "purchase", "--funnel", "demo,purchase", "--pattern-min-support", "1", "--pattern-min-count", "2",
        "--pattern-max-length", "2", "--pattern-skip-share", "0.5", "--pattern-long-gap", "12h",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let unexpected = &report["patterns"]["unexpected"];
    assert_eq!(unexpected["min_converters"], 2);
    assert_eq!(unexpected["max_length"], 2);
    // Mined among the two converters: blog, demo and blog > demo; demo alone is in the funnel.
    assert_eq!(unexpected["mined"], 3);
    assert_eq!(unexpected["in_funnel"], 1);
    let tested: Vec<String> = unexpected["patterns"].as_array().unwrap().iter().map(|row| row["events"].to_string()).collect();
    assert!(tested.contains(&r#"["blog","demo"]"#.to_string()), "{tested:?}");
    assert_eq!(report["patterns"]["transition_gaps"]["long_gap_ms"], 12 * 3_600_000);
    let skipped = report["patterns"]["skipped_touchpoints"].as_array().unwrap();
    let demo = skipped.iter().find(|row| row["event"] == "demo").unwrap();
    assert_eq!(demo["funnel_step"], 1);
    assert_eq!(demo["converters_did"], 2);
    assert_eq!(demo["flagged"], false);

    let output = pathlight(&["analyze", path, "--conversion", "purchase", "--pattern-max-length", "9"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("max_length"));
    let output = pathlight(&["analyze", path, "--conversion", "purchase", "--pattern-long-gap", "later"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("long_gap \"later\""));
}

#[test]
fn prediction_flags_reach_the_prediction() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/predict-fixture.csv");
    let output = pathlight(&[
        "analyze", fixture, "--conversion", "purchase", "--predict-cut", "2024-04-20", "--predict-horizon", "20d",
        "--predict-recent", "60d", "--predict-people", "3",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let prediction = &report["prediction"];
    assert_eq!(prediction["cut"], "2024-04-20T00:00:00Z");
    assert_eq!(prediction["cut_share"], Value::Null);
    assert_eq!(prediction["propensity"]["horizon_ms"], 20 * 86_400_000_i64);
    assert!(prediction["open_journeys"].as_array().unwrap().len() <= 3);
    assert!(prediction["open_total"].as_u64().unwrap() > 3);

    let output = pathlight(&["analyze", fixture, "--predict-cut-share", "0.5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["prediction"]["cut_share"], 0.5);

    let output = pathlight(&["analyze", fixture, "--predict-path-labels", "--path-label", "channel"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let baseline = report["prediction"]["next_step"]["baseline_event"].as_str().unwrap();
    assert!(["search", "social", "email", "direct", "ads"].contains(&baseline), "{baseline}");

    let output = pathlight(&["analyze", fixture, "--no-predict"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["prediction"], Value::Null);

    let output = pathlight(&["analyze", fixture, "--predict-cut-share", "1"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("prediction.cut_share 1"));
}

#[test]
fn voice_flags() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/voice-fixture.csv");
    let output = pathlight(&["analyze", path, "--voice-column", "almost_stopped", "--voice-channel-column", "heard_about", "--voice-themes", "2"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["voice"]["text_columns"][0], "almost_stopped");
    assert_eq!(report["voice"]["detected_columns"], false);
    assert_eq!(report["voice"]["channel_column"], "heard_about");
    assert_eq!(report["voice"]["theme_count_rule"], "user");
    assert_eq!(report["voice"]["themes"].as_array().unwrap().len(), 2);
}

#[test]
fn voice_unknown_column_fails() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/voice-fixture.csv");
    let output = pathlight(&["analyze", path, "--voice-column", "comments"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("voice.text_columns"), "{message}");
    assert!(message.contains("\"comments\""), "{message}");
}

#[test]
fn funnel_steps_take_globs_and_regular_expressions() {
    let events = write_fixture(
        "globs.csv",
        "user,event,page,ts
u1,view,/p/a,2024-01-01T10:00:00Z
u1,cart,,2024-01-01T10:01:00Z
u2,view,/p/b,2024-01-01T10:00:00Z
u3,view,/home,2024-01-01T10:00:00Z
u3,cart,,2024-01-01T10:01:00Z
",
    );
    let path = events.to_str().unwrap();
    for (funnel, first, second) in [("view[page~/p/*],cart", 2, 1), ("view[page=~/p/(a|b)],cart", 2, 1), ("view[page=/home],cart", 1, 1)] {
        let output = pathlight(&["analyze", path, "--funnel", funnel]);
        assert!(output.status.success(), "{funnel}: {}", String::from_utf8_lossy(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["funnel"]["steps"][0]["people"], first, "{funnel}");
        assert_eq!(report["funnel"]["steps"][1]["people"], second, "{funnel}");
    }
}

#[test]
fn list_people_of_a_segment() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/segments-fixture.csv");
    let args = ["analyze", path, "--conversion", "purchase"];
    let output = pathlight(&[&args[..], &["--list-people", "segment:repeat_visit"]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["total"], 2);
    let people: Vec<&str> = list["people"].as_array().unwrap().iter().map(|row| row["person"].as_str().unwrap()).collect();
    assert_eq!(people, ["=1+2", "+44 20"]);
    assert_eq!(list["people"][0]["suggested_next"], "purchase");
    assert_eq!(list["people"][0]["last_event"], "2024-02-25T10:00:00Z");

    let output = pathlight(&[&args[..], &["--segment-repeat-pattern", "visit", "--segment-repeat-min", "3", "--list-people", "segment:repeat_visit"]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["people"][0]["person"], "n5");
    assert_eq!(list["total"], 1);

    let output = pathlight(&[&args[..], &["--list-people", "segment:nope"]].concat());
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no segment \"nope\""));
}

#[test]
fn list_people_of_a_selection() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drivers-fixture.csv");
    let args = ["analyze", path, "--conversion", "purchase"];
    let output = pathlight(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = &report["attribution"]["channels"][0];
    let selection = format!(r#"{{"kind": "channel", "channel": {}, "touch": "converted"}}"#, row["channel"]);

    let output = pathlight(&[&args[..], &["--list-people", &selection, "--people-limit", "2"]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["total"], row["converting_journeys"]);
    assert_eq!(list["people"].as_array().unwrap().len(), 2);

    let output = pathlight(&[&args[..], &["--list-people", r#"{"kind": "sankey_band"}"#]].concat());
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("--list-people: the selection"), "{message}");
    assert!(message.contains("sankey_band"), "{message}");
}

#[test]
fn hillstrom_outcome_table_funnel() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hillstrom.csv");
    let output = pathlight(&["analyze", fixture, "--conversion", "conversion", "--funnel", "included,visit,conversion", "--breakdown", "segment"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["people"], 64_000);
    assert_eq!(report["summary"]["synthetic_times"], true);
    let people: Vec<u64> = report["funnel"]["steps"].as_array().unwrap().iter().map(|step| step["people"].as_u64().unwrap()).collect();
    assert_eq!(people, [64_000, 9_394, 578]);
    let mens = report["funnel"]["breakdown"].as_array().unwrap().iter().find(|row| row["value"] == "Mens E-Mail").unwrap();
    assert_eq!(mens["steps"], serde_json::json!([21_307, 3_894, 267]));
}

#[test]
fn map_step_sets_outcome_columns() {
    let table = write_fixture("outcomes.csv", "segment,mens,visit,conversion\nA,1,1,0\nB,0,1,1\nC,1,0,0\n");
    let path = table.to_str().unwrap();
    let output = pathlight(&["analyze", path, "--map", "step=mens", "--map", "step=conversion", "--conversion", "conversion"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["people"], 3);
    assert_eq!(report["summary"]["converters"], 1);
    let events: Vec<&str> = report["paths"]["non_converters"]["top"][0]["steps"].as_array().unwrap().iter().map(|step| step.as_str().unwrap()).collect();
    assert_eq!(events, ["included", "mens"]);

    let unknown = pathlight(&["analyze", path, "--map", "stage=visit"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("step"), "the error lists the step role");
}

#[test]
fn experiment_flags_fill_the_report() {
    let events = write_fixture(
        "experiment.csv",
        "user,ts,event,variant,revenue
u1,2024-03-01T09:00:00Z,visit,control,
u1,2024-03-01T09:05:00Z,purchase,,20
u2,2024-03-02T09:00:00Z,visit,control,
u3,2024-03-05T09:00:00Z,visit,new,
u3,2024-03-05T09:10:00Z,purchase,,35
u4,2024-03-09T09:00:00Z,visit,new,
u4,2024-03-09T09:10:00Z,purchase,,15
u5,2024-03-10T09:00:00Z,visit,control,
u5,2024-03-11T09:00:00Z,visit,new,
",
    );
    let path = events.to_str().unwrap();
    let args = ["analyze", path, "--conversion", "purchase", "--variant-column", "variant", "--expected-shares", "0.5,0.5", "--planned-people", "10"];
    let output = pathlight(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let experiment = &report["experiment"];
    assert_eq!(experiment["control"], "control");
    assert_eq!(experiment["mixed_people"], 1);
    assert_eq!(experiment["variants"][1]["name"], "new");
    assert_eq!(experiment["variants"][1]["steps"][0]["people"], 2);
    assert_eq!(experiment["comparisons"][0]["difference"], 0.5);
    assert_eq!(experiment["peeking"]["reached"], false);
    let kinds: Vec<&str> = report["warnings"].as_array().unwrap().iter().filter_map(|warning| warning["kind"].as_str()).collect();
    assert!(kinds.contains(&"experiment_peeking"), "{kinds:?}");

    let output = pathlight(&[&args[..], &["--experiment-text"]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("control \"control\""), "{text}");
    assert!(text.contains("new at converted (purchase): +50.00 pts"), "{text}");

    let output = pathlight(&["analyze", path, "--variant-column", "arm"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("The variant column \"arm\" was not found"));
}

#[test]
fn variants_from_files_name_the_variants() {
    let control = write_fixture("control.csv", "user,ts,event\nu1,2024-03-01T09:00:00Z,visit\nu2,2024-03-01T10:00:00Z,visit\nu2,2024-03-01T10:05:00Z,purchase\n");
    let treatment = write_fixture("treatment.csv", "user,ts,event\nu3,2024-03-01T09:00:00Z,visit\nu3,2024-03-01T09:05:00Z,purchase\n");
    let output = pathlight(&["analyze", control.to_str().unwrap(), treatment.to_str().unwrap(), "--conversion", "purchase", "--variants-from-files"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["experiment"]["control"], "control.csv");
    assert_eq!(report["experiment"]["control_rule"], "named");
    assert_eq!(report["experiment"]["variants"][1]["name"], "treatment.csv");
    assert_eq!(report["experiment"]["variants"][1]["steps"][0]["rate"], 1.0);
}

#[test]
fn setup_flag_applies_mapping_and_options() {
    let events = write_fixture(
        "setup-events.csv",
        "user;ts;event;page\nu1;2024-01-01T10:00:00Z;visit;/home\nu1;2024-01-02T10:00:00Z;visit;/pricing\nu2;2024-01-01T10:00:00Z;visit;/home\n",
    );
    let setup = write_fixture(
        "setup.json",
        r#"{"version": 1, "files": [{"name": "other-name.csv", "columns": ["user", "ts", "event", "page"], "delimiter": ";",
            "mapping": {"person": "user", "time": "ts", "event": "page"}}],
            "analysis": {"conversion": "/pricing", "funnel": {"steps": [{"event": "/home"}, {"event": "/pricing"}]}}}"#,
    );
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--setup", setup.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["conversion_event"], "/pricing");
    assert_eq!(report["summary"]["converters"], 1);
    assert_eq!(report["funnel"]["steps"][1]["people"], 1);
}

#[test]
fn setup_flag_reports_field_path() {
    let events = write_fixture("setup-bad-events.csv", "user,ts,event\nu1,2024-01-01T10:00:00Z,visit\n");
    let setup = write_fixture("setup-bad.json", r#"{"version": 1, "analysis": {"speed": {"cuts": ["1d"]}}}"#);
    let output = pathlight(&["analyze", events.to_str().unwrap(), "--setup", setup.to_str().unwrap()]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("Invalid setup: analysis.speed.cuts: has 1 duration."), "{message}");
}

#[test]
fn baseline_flags_round_trip() {
    let output = pathlight(&["generate", "--people", "600", "--days", "84", "--seed", "3", "--plant", "step-drop", "--drop-date", "2024-02-05"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let events = write_fixture("trend.csv", &String::from_utf8(output.stdout).unwrap());
    let saved = events.with_file_name("baseline.json");
    let (events, saved) = (events.to_str().unwrap(), saved.to_str().unwrap());
    let flags = ["--conversion", "purchase", "--funnel", "visit,checkout,purchase", "--no-predict", "--trend-window", "20"];
    let mut first = vec!["analyze", events, "--save-baseline", saved, "--change-date", "2024-02-05:new checkout", "--change-weeks", "2"];
    first.extend(flags);
    first.extend(["--compare-periods", "2024-01-01..2024-02-05,2024-02-05..2024-03-01"]);
    let output = pathlight(&first);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["trends"]["window_ms"], 20 * 86_400_000i64);
    assert_eq!(report["trends"]["changes"][0]["label"], "new checkout");
    assert_eq!(report["trends"]["changes"][0]["weeks"], 2);
    assert_eq!(report["trends"]["periods"]["a"]["label"], "A: 2024-01-01 to 2024-02-05");
    let baseline: Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(baseline, report["trends"]["baseline"]);

    let mut second = vec!["analyze", events, "--baseline", saved];
    second.extend(flags);
    let output = pathlight(&second);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["trends"]["baseline_comparison"]["trade_off"], false);
    assert_eq!(report["trends"]["baseline_comparison"]["worsened"], serde_json::json!([]));

    std::fs::write(saved, "{\"version\": 1, \"people\": 3}").unwrap();
    let output = pathlight(&["analyze", events, "--baseline", saved]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a saved Pathlight baseline"));
    let output = pathlight(&["analyze", events, "--compare-periods", "2024-01-01..2024-02-01"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--compare-periods"));
}

#[test]
fn hillstrom_experiment_from_the_file() {
    // The outcome-table reader and the experiment together: the file as a user would drop it.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hillstrom.csv");
    let golden: Value = serde_json::from_str(include_str!("../tools/golden/experiment_hillstrom.json")).unwrap();
    let output = pathlight(&["analyze", fixture, "--conversion", "conversion", "--funnel", "visit,conversion", "--variant-column", "segment", "--no-predict"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let experiment = &report["experiment"];
    assert_eq!(experiment["control"], golden["control"]);
    assert_eq!(experiment["steps"], golden["steps"]);
    for (variant, expected) in experiment["variants"].as_array().unwrap().iter().zip(golden["variants"].as_array().unwrap()) {
        assert_eq!(variant["name"], expected["name"]);
        assert_eq!(variant["people"], expected["people"]);
        for (step, expected_step) in variant["steps"].as_array().unwrap().iter().zip(expected["steps"].as_array().unwrap()) {
            assert_eq!(step["people"], expected_step["people"], "{}", variant["name"]);
        }
    }
    for (comparison, expected) in experiment["comparisons"].as_array().unwrap().iter().zip(golden["comparisons"].as_array().unwrap()) {
        let (actual, wanted) = (comparison["p_value"].as_f64().unwrap(), expected["p_value"].as_f64().unwrap());
        assert!((actual - wanted).abs() <= 1e-9 * wanted.max(1e-300), "{} step {}: p {actual} against {wanted}", comparison["variant"], comparison["step"]);
    }
}

#[test]
fn experiment_notes_untested_step_once() {
    // Everyone starts with `included`, so no variant can be tested there: one note, not one per variant.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hillstrom.csv");
    let output = pathlight(&["analyze", fixture, "--conversion", "conversion", "--funnel", "included,visit,conversion", "--variant-column", "segment", "--no-predict"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let notes: Vec<&str> = report["experiment"]["notes"].as_array().unwrap().iter().map(|note| note.as_str().unwrap()).collect();
    assert_eq!(notes, ["At \"included\" nobody or everybody in each group reached the step, so no variant has a z-test or sequential test there."]);
}

#[test]
fn read_threads_give_the_same_report() {
    // About 3 MB of journeys, so that each thread reads a part of more than 1 MiB.
    let generated = pathlight(&["generate", "--people", "4000", "--seed", "9"]);
    assert!(generated.status.success());
    assert!(generated.stdout.len() > 2 << 20, "the file has {} bytes", generated.stdout.len());
    let path = write_fixture("threads.csv", std::str::from_utf8(&generated.stdout).unwrap());
    let path = path.to_str().unwrap();
    let flags = ["analyze", path, "--conversion", "purchase", "--no-predict", "--json"];
    let single_thread = pathlight(&flags);
    assert!(single_thread.status.success(), "{}", String::from_utf8_lossy(&single_thread.stderr));
    let three = pathlight(&[&flags[..], &["--read-threads", "3"]].concat());
    assert!(three.status.success(), "{}", String::from_utf8_lossy(&three.stderr));
    assert!(single_thread.stdout == three.stdout, "the reports differ");
    let zero_threads = pathlight(&[&flags[..], &["--read-threads", "0"]].concat());
    assert!(!zero_threads.status.success());
}
