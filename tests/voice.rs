//! Voice of the customer on tests/fixtures/voice-fixture.csv, written by tools/voice_fixture.py.
//!
//! The fixture has 60 people. p01-p15 answer about price and stop at pricing (p14 and p15 sign
//! up), p16-p30 answer about trust and reviews and stop at signup (p29 and p30 buy), p31-p45
//! answer about setup and buy (p44 and p45 stop at signup), p46-p50 answer stop words only,
//! p51-p54 leave the free-text answer empty after a single visit, and p55-p60 take no survey.
//! tools/golden/voice_fixture.json holds the TF-IDF terms and the channel comparison from
//! tools/voice_golden.py (pandas and numpy).

use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::analysis::voice::{ThemeCountRule, VoiceOptions, VoiceReport};
use pathlight::{AnalysisOptions, Error, LoadConfig, Workspace};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/voice-fixture.csv");
const GOLDEN: &str = include_str!("../tools/golden/voice_fixture.json");

fn workspace(csv: &str) -> Workspace {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("voice-fixture.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace
}

fn options(voice: VoiceOptions) -> AnalysisOptions {
    let steps = ["visit", "pricing", "signup", "purchase"].iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    AnalysisOptions { conversion: Some("purchase".to_string()), funnel: FunnelOptions { steps, ..FunnelOptions::default() }, voice, ..AnalysisOptions::default() }
}

fn voice(csv: &str, voice: VoiceOptions) -> VoiceReport {
    workspace(csv).analyze(&options(voice)).unwrap().voice.unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1e-300)
}

/// Returns the fixture with its data rows in another order: every seventh row, cycling.
fn shuffled(csv: &str) -> String {
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    let count = lines.len();
    let mut order: Vec<usize> = (0..count).map(|at| (at * 7) % count).collect();
    order.sort_unstable();
    order.dedup();
    assert_eq!(order.len(), count, "7 must be coprime with the row count {count}");
    let mut text = String::from(header);
    text.push('\n');
    for at in 0..count {
        text.push_str(lines[(at * 7) % count]);
        text.push('\n');
    }
    text
}

#[test]
fn columns_detected() {
    let report = voice(FIXTURE, VoiceOptions::default());
    // heard_about has 9 distinct values in 54 cells, far below half, so it is not free text. Its
    // header contains "hear", so it is the channel column.
    assert_eq!(report.text_columns, vec!["almost_stopped"]);
    assert!(report.detected_columns);
    assert_eq!(report.channel_column.as_deref(), Some("heard_about"));
}

#[test]
fn response_counts() {
    let report = voice(FIXTURE, VoiceOptions::default());
    // p01-p54 each have one survey row: 54 responses by 54 people.
    assert_eq!(report.responses, 54);
    assert_eq!(report.respondents, 54);
    // p51-p54 leave almost_stopped empty.
    assert_eq!(report.empty, 4);
    // p46-p50: "Nothing", "No", "Nothing really", "Not really", "Nothing at all".
    assert_eq!(report.stop_words_only, 5);
    // 3 planted themes × 15 answers.
    assert_eq!(report.analysed, 45);
}

#[test]
fn counts_match_golden() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let report = voice(FIXTURE, VoiceOptions::default());
    let counts = &golden["counts"];
    assert_eq!(report.responses, counts["responses"].as_u64().unwrap());
    assert_eq!(report.respondents, counts["respondents"].as_u64().unwrap());
    assert_eq!(report.empty, counts["empty"].as_u64().unwrap());
    assert_eq!(report.stop_words_only, counts["stop_words_only"].as_u64().unwrap());
    assert_eq!(report.analysed, counts["analysed"].as_u64().unwrap());
}

#[test]
fn tfidf_terms_match_golden() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let report = voice(FIXTURE, VoiceOptions::default());
    let expected = golden["terms"].as_array().unwrap();
    assert_eq!(report.terms.len(), expected.len());
    for (term, expected) in report.terms.iter().zip(expected) {
        assert_eq!(term.term, expected["term"].as_str().unwrap());
        assert_eq!(term.answers, expected["answers"].as_u64().unwrap(), "answers of {}", term.term);
        assert!(close(term.idf, expected["idf"].as_f64().unwrap()), "idf of {}: {}", term.term, term.idf);
        assert!(close(term.mean_weight, expected["mean_weight"].as_f64().unwrap()), "mean weight of {}: {}", term.term, term.mean_weight);
    }
}

#[test]
fn top_term_by_hand() {
    let report = voice(FIXTURE, VoiceOptions::default());
    // Every price answer contains "price" and no other answer does: df 15 of n = 45, so the
    // smoothed idf is ln(46 / 16) + 1.
    let price = report.terms.iter().find(|term| term.term == "price").unwrap();
    assert_eq!(price.answers, 15);
    assert!(close(price.idf, (46.0f64 / 16.0).ln() + 1.0));
    assert_eq!(report.terms[0].term, "price");
}

#[test]
fn channel_comparison_matches_golden() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let expected = &golden["channel"];
    let channel = voice(FIXTURE, VoiceOptions::default()).channel.unwrap();
    assert_eq!(channel.respondents, expected["respondents"].as_u64().unwrap());
    assert_eq!(channel.unrecognised, expected["unrecognised"].as_u64().unwrap());
    assert_eq!(channel.compared, expected["compared"].as_u64().unwrap());
    assert_eq!(channel.agree, expected["agree"].as_u64().unwrap());
    assert_eq!(channel.no_tracked_touch, expected["no_tracked_touch"].as_u64().unwrap());
    let cells = expected["cells"].as_array().unwrap();
    assert_eq!(channel.cells.len(), cells.len());
    for (cell, expected) in channel.cells.iter().zip(cells) {
        assert_eq!(cell.reported, expected["reported"].as_str().unwrap());
        assert_eq!(cell.tracked, expected["tracked"].as_str().unwrap());
        assert_eq!(cell.people, expected["people"].as_u64().unwrap(), "{} / {}", cell.reported, cell.tracked);
    }
}

#[test]
fn channel_comparison_by_hand() {
    let channel = voice(FIXTURE, VoiceOptions::default()).channel.unwrap();
    // Each block of nine respondents: Google, Search engine, Instagram, A friend and Your
    // newsletter agree with their tracked touch; Facebook ad (paid_social against
    // organic_search) and Colleague (referral against paid_social) disagree; Podcast has no
    // tracked touch; Can't remember is unrecognised. 54 respondents are six blocks.
    assert_eq!(channel.respondents, 54);
    assert_eq!(channel.agree, 30);
    assert_eq!(channel.compared, 42);
    assert_eq!(channel.agreement_share, Some(30.0 / 42.0));
    assert_eq!(channel.unrecognised, 6);
    assert_eq!(channel.no_tracked_touch, 6);
    assert_eq!(channel.no_tracked_share, Some(6.0 / 54.0));
}

#[test]
fn planted_themes_recovered() {
    let workspace = workspace(FIXTURE);
    let answers = workspace.voice_answers(&options(VoiceOptions::default())).unwrap();
    assert_eq!(answers.len(), 45);
    let group_of = |person: &str| -> usize { (person[1..].parse::<usize>().unwrap() - 1) / 15 };
    let mut counts = [[0usize; 3]; 3];
    for answer in &answers {
        assert!(answer.theme < 3, "theme {} of {}", answer.theme, answer.person);
        counts[group_of(&answer.person)][answer.theme] += 1;
    }
    let mut themes_used = Vec::new();
    for (group, row) in counts.iter().enumerate() {
        let (theme, &largest) = row.iter().enumerate().max_by_key(|&(_, &count)| count).unwrap();
        // At least 90% of each planted group in one theme, and at least 90% of that theme from
        // the group.
        assert!(largest * 10 >= 15 * 9, "group {group}: {row:?}");
        let theme_size: usize = counts.iter().map(|row| row[theme]).sum();
        assert!(largest * 10 >= theme_size * 9, "theme {theme}: {largest} of {theme_size}");
        themes_used.push(theme);
    }
    themes_used.sort_unstable();
    themes_used.dedup();
    assert_eq!(themes_used.len(), 3);
}

#[test]
fn silhouette_picks_three_themes() {
    let report = voice(FIXTURE, VoiceOptions::default());
    assert_eq!(report.theme_count_rule, ThemeCountRule::Silhouette);
    assert_eq!(report.silhouettes.len(), 7);
    assert_eq!(report.themes.len(), 3);
    let labels: Vec<&str> = report.themes.iter().map(|theme| theme.label.as_str()).collect();
    assert!(labels.iter().any(|label| label.starts_with("price")), "{labels:?}");
    assert!(labels.iter().any(|label| label.contains("review")), "{labels:?}");
    assert!(labels.iter().any(|label| label.starts_with("setup")), "{labels:?}");
    for theme in &report.themes {
        assert_eq!(theme.answers, 15);
        assert!(close(theme.share, 1.0 / 3.0));
        assert!(!theme.examples.is_empty(), "{} has no example", theme.label);
        assert!(theme.examples.len() <= 3, "{} has {} examples", theme.label, theme.examples.len());
    }
}

#[test]
fn price_theme_at_pricing() {
    let report = voice(FIXTURE, VoiceOptions::default());
    let price = report.themes.iter().position(|theme| theme.label.starts_with("price")).unwrap();
    let journey = &report.journey.themes[price];
    // p01-p13 reach visit and pricing only; p14 and p15 also sign up.
    assert_eq!(journey.furthest_step, vec![0, 0, 13, 2, 0]);
    assert_eq!(journey.converters, Some(0));
    // Only price answers come from people who stopped at pricing: 13 of 13 there against 15 of
    // 45 overall, so the theme is over-represented at step 2.
    let finding = report
        .journey
        .over_represented
        .iter()
        .find(|finding| finding.theme == price && finding.name == "reached step 2 (pricing)")
        .unwrap();
    assert_eq!(finding.theme_answers_at, 13);
    assert_eq!(finding.answers_at, 13);
    assert_eq!(finding.share_at, 1.0);
    assert!(close(finding.share_overall, 1.0 / 3.0));
    assert!(finding.significant);
    assert!(finding.p_value < 1e-4, "{}", finding.p_value);
}

#[test]
fn survey_step_left_out_of_funnel() {
    let steps = ["visit", "pricing", "survey answered", "signup", "purchase"];
    let mut options = options(VoiceOptions::default());
    options.funnel.steps = steps.iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    let report = workspace(FIXTURE).analyze(&options).unwrap().voice.unwrap();
    // Every respondent has the survey event, so it says nothing about where they stopped.
    assert_eq!(report.journey.funnel_steps, vec!["visit", "pricing", "signup", "purchase"]);
    let price = report.themes.iter().position(|theme| theme.label.starts_with("price")).unwrap();
    assert_eq!(report.journey.themes[price].furthest_step, vec![0, 0, 13, 2, 0]);
}

#[test]
fn setup_theme_converts() {
    let report = voice(FIXTURE, VoiceOptions::default());
    let setup = report.themes.iter().position(|theme| theme.label.starts_with("setup")).unwrap();
    // p31-p43 buy; p44 and p45 stop at signup.
    assert_eq!(report.journey.themes[setup].converters, Some(13));
    assert!(close(report.journey.themes[setup].converter_share.unwrap(), 13.0 / 15.0));
}

#[test]
fn same_input_same_report() {
    assert_eq!(voice(FIXTURE, VoiceOptions::default()), voice(FIXTURE, VoiceOptions::default()));
}

#[test]
fn shuffled_rows_same_report() {
    assert_eq!(voice(&shuffled(FIXTURE), VoiceOptions::default()), voice(FIXTURE, VoiceOptions::default()));
}

#[test]
fn named_columns() {
    let named = VoiceOptions { text_columns: vec!["almost_stopped".to_string()], channel_column: Some("heard_about".to_string()), themes: None };
    let report = voice(FIXTURE, named);
    assert!(!report.detected_columns);
    let detected = voice(FIXTURE, VoiceOptions::default());
    assert_eq!(report.themes, detected.themes);
    assert_eq!(report.channel, detected.channel);
}

#[test]
fn unknown_column_rejected() {
    let named = VoiceOptions { text_columns: vec!["comments".to_string()], ..VoiceOptions::default() };
    let error = workspace(FIXTURE).analyze(&options(named)).unwrap_err();
    let Error::Options(message) = error else { panic!("expected an options error, got {error:?}") };
    assert!(message.contains("voice.text_columns"), "{message}");
    assert!(message.contains("\"comments\""), "{message}");
    assert!(message.contains("almost_stopped"), "{message}");
}

#[test]
fn requested_theme_count() {
    let report = voice(FIXTURE, VoiceOptions { themes: Some(2), ..VoiceOptions::default() });
    assert_eq!(report.theme_count_rule, ThemeCountRule::User);
    assert_eq!(report.themes.len(), 2);
    assert!(report.silhouettes.is_empty());
    assert_eq!(report.themes.iter().map(|theme| theme.answers).sum::<u64>(), 45);
}

#[test]
fn zero_themes_rejected() {
    let error = workspace(FIXTURE).analyze(&options(VoiceOptions { themes: Some(0), ..VoiceOptions::default() })).unwrap_err();
    let Error::Options(message) = error else { panic!("expected an options error, got {error:?}") };
    assert!(message.contains("voice.themes"), "{message}");
}

#[test]
fn no_voice_columns() {
    let csv = "person_id,timestamp,event,page\nu1,2024-01-01T10:00:00Z,visit,/home\nu1,2024-01-01T10:05:00Z,purchase,/checkout\nu2,2024-01-01T11:00:00Z,visit,/home\n";
    let report = workspace(csv).analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.voice, None);
}

#[test]
fn page_titles_are_not_answers() {
    // Multi-word titles, each distinct, as on a site with a page per product.
    let mut csv = String::from("person_id,timestamp,event,page_title\n");
    for person in 0..6 {
        csv.push_str(&format!("u{person},2024-01-01T10:0{person}:00Z,page_view,Blue running shoes model {person} | Acme store\n"));
    }
    let report = workspace(&csv).analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.voice, None);
    let renamed = csv.replacen("page_title", "comment", 1);
    let report = workspace(&renamed).analyze(&AnalysisOptions::default()).unwrap();
    assert_eq!(report.voice.map(|voice| voice.text_columns), Some(vec!["comment".to_string()]), "the same cells under another header are answers");
}

#[test]
fn channel_column_without_text() {
    // The fixture without its last column, almost_stopped. The first five columns contain no
    // comma, so the fifth comma ends them.
    let csv: String = FIXTURE
        .lines()
        .map(|line| {
            let end = line.match_indices(',').nth(4).unwrap().0;
            format!("{}\n", &line[..end])
        })
        .collect();
    let report = voice(&csv, VoiceOptions::default());
    assert!(report.text_columns.is_empty());
    assert_eq!(report.analysed, 0);
    assert!(report.themes.is_empty());
    assert!(report.journey.themes.is_empty());
    assert_eq!(report.responses, 54);
    let channel = report.channel.unwrap();
    assert_eq!(channel.agree, 30);
    assert_eq!(channel.compared, 42);
}

/// Returns the voice report of a known-format fixture with its detected mapping.
fn format_voice(name: &str) -> Option<VoiceReport> {
    let path = format!("{}/tests/fixtures/formats/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file(name, bytes);
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace.analyze(&AnalysisOptions::default()).unwrap().voice
}

#[test]
fn tracked_exports_have_no_voice() {
    // Timestamps are not free text. utm_source, traffic_source.source, Original Source,
    // $referring_domain and org:resource are tracked, so they are neither free text nor a
    // self-reported channel.
    for name in ["amplitude.csv", "crm_date_table.csv", "ga4_bigquery.csv", "posthog.csv", "segment.csv", "snowplow.csv", "xes_event_log.csv"] {
        assert_eq!(format_voice(name), None, "{name}");
    }
}

#[test]
fn typeform_channel_column() {
    let report = format_voice("typeform_responses.csv").unwrap();
    assert_eq!(report.channel_column.as_deref(), Some("How did you hear about us?"));
    let channel = report.channel.unwrap();
    // The preset also makes each answer the survey event's channel. Those are not tracked
    // channels, so "A friend" is normalised by the synonyms, and no respondent has a tracked
    // touch.
    assert_eq!(channel.respondents, 3);
    assert_eq!(channel.no_tracked_touch, 3);
    let reported: Vec<&str> = channel.cells.iter().map(|cell| cell.reported.as_str()).collect();
    assert_eq!(reported, vec!["podcast", "referral"]);
}

#[test]
fn new_theme_grows_by_month() {
    // Moves the price answers (p01-p15) to April, so that price is new in the latest month.
    let moved: String = FIXTURE
        .lines()
        .map(|line| {
            let person: u32 = line.get(1..3).and_then(|digits| digits.parse().ok()).unwrap_or(0);
            if line.starts_with('p') && (1..=15).contains(&person) { line.replace("2024-03-", "2024-04-") } else { line.to_string() }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let report = workspace(&moved).analyze(&options(VoiceOptions::default())).unwrap();
    let voice = report.voice.as_ref().unwrap();
    let by_month = voice.by_month.as_ref().unwrap();
    assert_eq!(by_month.months, vec!["2024-03", "2024-04"]);
    assert_eq!(by_month.answers.iter().sum::<u64>(), voice.analysed);
    let price = voice.themes.iter().position(|theme| theme.label.contains("price")).unwrap();
    let growing: Vec<usize> = by_month.growth.iter().filter(|growth| growth.growing).map(|growth| growth.theme).collect();
    assert_eq!(growing, vec![price]);
    let alerts = &report.trends.as_ref().unwrap().alerts;
    assert!(alerts.iter().any(|alert| alert.source == "survey themes" && alert.label == voice.themes[price].label), "{alerts:?}");
}

#[test]
fn one_month_has_no_growth() {
    let voice = voice(FIXTURE, VoiceOptions::default());
    let by_month = voice.by_month.as_ref().unwrap();
    assert_eq!(by_month.months, vec!["2024-03"]);
    assert!(by_month.growth.is_empty());
}
