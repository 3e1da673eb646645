//! The AI brief of a fixture full of identifiers contains none of them, and no count under 10.
//!
//! tests/fixtures/brief-identifiers.csv (written by tools/brief_fixture.py) has e-mail addresses
//! and UUID-like strings as person ids, the address again in a `contact_email` column, a
//! `/account/<uuid>` page per person, a page path with a long digit run, a channel with a digit
//! run, free-text answers that end with the address, and an event and a channel that fewer than
//! 10 people have.

use pathlight::analysis::brief::{PLACEHOLDER, SUPPRESSED};
use pathlight::analysis::friction::FrictionOptions;
use pathlight::analysis::funnel::{FunnelOptions, FunnelStep};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

const FIXTURE: &str = include_str!("fixtures/brief-identifiers.csv");

/// Words after which a whole number below 10 is an ordinal label, not a count.
const ORDINAL_WORDS: [&str; 2] = ["step ", "e-mail "];
/// Units after which a whole number below 10 is a duration, not a count.
const DURATION_UNITS: [&str; 5] = [" second", " minute", " hour", " day", " week"];

fn brief() -> String {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("brief-identifiers.csv", FIXTURE.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let steps = ["visit", "pricing", "checkout", "purchase"].iter().map(|event| FunnelStep { event: event.to_string(), ..FunnelStep::default() }).collect();
    let options = AnalysisOptions {
        conversion: Some("purchase".to_string()),
        funnel: FunnelOptions { steps, ..FunnelOptions::default() },
        // Findings with a single person stopped, so that small counts reach the brief.
        friction: FrictionOptions { min_stopped: 1, top: 50 },
        ..AnalysisOptions::default()
    };
    workspace.analyze(&options).unwrap().brief.unwrap()
}

/// Returns the fixture's cells of `column`, skipping empty ones.
fn column(index: usize) -> Vec<String> {
    FIXTURE.lines().skip(1).filter_map(|line| line.split(',').nth(index)).filter(|cell| !cell.is_empty()).map(str::to_string).collect()
}

/// Returns each maximal run of digits and dots in `text` with its start and end.
fn numbers(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let part = c.is_ascii_digit() || (c == '.' && start.is_some());
        match (part, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                found.push((from, at, text[from..at].trim_end_matches('.')));
                start = None;
            }
            _ => {}
        }
    }
    found
}

#[test]
fn brief_has_no_person_id() {
    let brief = brief().to_lowercase();
    for person in column(0) {
        assert!(!brief.contains(&person.to_lowercase()), "person id {person} in the brief");
    }
    assert!(!brief.contains('@'), "an @ in the brief:\n{brief}");
}

#[test]
fn brief_has_no_identifying_label() {
    let brief = brief();
    let mut hidden = column(4).into_iter().filter(|page| page.starts_with("/account/")).collect::<Vec<_>>();
    hidden.extend(["/promo/2024031599".to_string(), "partner_447102".to_string()]);
    for label in &hidden {
        assert!(!brief.contains(label.as_str()), "label {label} in the brief");
    }
    assert!(brief.contains(PLACEHOLDER), "no label was hidden:\n{brief}");
}

#[test]
fn brief_has_no_free_text_answer() {
    let brief = brief();
    for answer in column(6) {
        let words = answer.split(" - ").next().unwrap();
        assert!(!brief.contains(words), "answer {words:?} in the brief");
    }
}

#[test]
fn brief_has_no_count_under_ten() {
    let brief = brief();
    for (start, end, number) in numbers(&brief) {
        if number.contains('.') || brief[end..].starts_with('%') {
            continue;
        }
        let value: u64 = number.parse().unwrap();
        if value >= 10 {
            continue;
        }
        let ordinal = ORDINAL_WORDS.iter().any(|word| brief[..start].ends_with(word));
        let duration = DURATION_UNITS.iter().any(|unit| brief[end..].starts_with(unit));
        let line = brief[..end].rsplit('\n').next().unwrap_or_default();
        assert!(ordinal || duration, "count {value} in: {line}");
    }
}

#[test]
fn brief_covers_the_findings() {
    let brief = brief();
    for heading in ["## Headline", "## Biggest friction points", "## Strongest drivers", "## Channel credit", "## Request"] {
        assert!(brief.contains(heading), "{heading} missing:\n{brief}");
    }
    assert!(brief.contains("People: 300"), "{brief}");
    assert!(brief.contains(SUPPRESSED), "no share was hidden:\n{brief}");
    assert!(brief.contains("/guide"), "the guide driver is missing:\n{brief}");
}

/// Returns the bullet lines of the brief's section that starts with `heading`.
fn section_lines(brief: &str, heading: &str) -> Vec<String> {
    let lines = brief.lines().skip_while(|line| !line.starts_with(heading)).skip(1);
    lines.take_while(|line| !line.starts_with("## ")).filter(|line| line.starts_with("- ")).map(str::to_string).collect()
}

#[test]
fn brief_figures_match_golden() {
    // tools/brief_golden.py computes these lines from the raw CSV with pandas.
    let golden: serde_json::Value = serde_json::from_str(include_str!("../tools/golden/brief_fixture.json")).unwrap();
    let expected = |key: &str| -> Vec<String> { golden[key].as_array().unwrap().iter().map(|line| line.as_str().unwrap().to_string()).collect() };
    let brief = brief();
    let headline = section_lines(&brief, "## Headline");
    assert_eq!(headline[..4], expected("headline")[..]);
    assert_eq!(section_lines(&brief, "## Channel credit"), expected("channels"));
}

#[test]
fn number_scan_finds_counts() {
    // The scan that the count check relies on.
    let found: Vec<&str> = numbers("step 2 had 7 people, 12.5% and 3 days.").iter().map(|&(_, _, number)| number).collect();
    assert_eq!(found, ["2", "7", "12.5", "3"]);
}
