//! Reading event files in parts side by side. A load read in parts, on several threads, must give
//! the same load summary, the same errors and the same report as a load that reads each file
//! whole: the same ids, row numbers, problems, counts and warnings.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::fmt::Write;

use pathlight::ingest::parts::{self, FilePlan, PartRead, PartText, Split, SENT_PART_COST};
use pathlight::synth::{write_csv, SynthOptions};
use common::{first_difference, outcome};
use pathlight::{LoadConfig, Workspace};

/// Adds `files`, inspects them and returns the workspace with the proposed load settings.
fn prepared(files: &[(&str, &str)]) -> (Workspace, LoadConfig) {
    let mut workspace = Workspace::new();
    let inspections: Vec<_> = files
        .iter()
        .map(|(name, text)| {
            let index = workspace.add_file(name, text.as_bytes().to_vec());
            workspace.inspect(index, None).unwrap()
        })
        .collect();
    let config = LoadConfig::from_inspections(&inspections);
    (workspace, config)
}

/// The way the parts of a load are read.
#[derive(Clone, Copy, PartialEq)]
enum Readers {
    /// One thread per part, sharing the plan and the text.
    Threads,
    /// Each later part as another engine in a Web Worker reads it: from the plan's bytes and a copy
    /// of its text, sending back the bytes of its result.
    Engines,
}

/// Reads one later part the way an engine that has only the plan's bytes and the part's text does.
fn read_as_another_engine(plan: &FilePlan, text: PartText<'_>) -> PartRead {
    let PartText::Later { text, limit } = text else { panic!("the first part is read where the whole file is") };
    let plan = FilePlan::from_bytes(&plan.to_bytes()).unwrap();
    let copy = text.to_string();
    let bytes = parts::read_part(&plan, PartText::Later { text: &copy, limit }).to_bytes();
    PartRead::from_bytes(&bytes).unwrap()
}

/// Loads in at most `parts` parts of at least `min_bytes` bytes. Returns the outcome, the number
/// of parts read and how many of them ran past their limit.
fn load_in_parts(files: &[(&str, &str)], change: &dyn Fn(&mut LoadConfig), parts: usize, min_bytes: usize, readers: Readers, conversion: &str) -> (String, usize, usize) {
    let (mut workspace, mut config) = prepared(files);
    change(&mut config);
    // Threads share the text, so their parts are even; other engines get a larger first part.
    let first_weight = if readers == Readers::Threads { 1.0 } else { 1.0 + SENT_PART_COST };
    let plan = match workspace.plan_load(&config, &Split { parts, min_part_bytes: min_bytes, first_weight }) {
        Ok(plan) => plan,
        Err(error) => return (format!("error: {error}"), 0, 0),
    };
    let jobs = plan.jobs();
    let texts: Vec<_> = jobs.iter().map(|job| workspace.part_text(&plan, job).unwrap()).collect();
    let reads: Vec<PartRead> = match readers {
        Readers::Threads => std::thread::scope(|scope| {
            let plan = &plan;
            let handles: Vec<_> = jobs.iter().zip(texts).map(|(job, text)| scope.spawn(move || plan.read_part(job, text).unwrap())).collect();
            handles.into_iter().map(|handle| handle.join().unwrap()).collect()
        }),
        Readers::Engines => jobs
            .iter()
            .zip(texts)
            .map(|(job, text)| match text {
                PartText::First { .. } => plan.read_part(job, text).unwrap(),
                PartText::Later { .. } => read_as_another_engine(plan.file_plan(job).unwrap(), text),
            })
            .collect(),
    };
    let overran = reads.iter().filter(|read| read.overran()).count();
    let loaded = workspace.join_parts(plan, reads).and_then(|joined| workspace.finish_load(joined));
    (outcome(&mut workspace, loaded, conversion), jobs.len(), overran)
}

fn load_whole(files: &[(&str, &str)], change: &dyn Fn(&mut LoadConfig), conversion: &str) -> String {
    let (mut workspace, mut config) = prepared(files);
    change(&mut config);
    let loaded = workspace.load(&config);
    outcome(&mut workspace, loaded, conversion)
}

/// Checks that every way of cutting the files into 2 to 9 parts gives the whole read's outcome,
/// with parts read on threads and, for some cuts, by other engines. Returns the largest number of parts read and of parts that ran past their limit.
fn assert_same(files: &[(&str, &str)], change: &dyn Fn(&mut LoadConfig), conversion: &str) -> (usize, usize) {
    let whole = load_whole(files, change, conversion);
    let (mut max_parts, mut max_overran) = (0, 0);
    for parts in 2..=9 {
        let (in_parts, jobs, overran) = load_in_parts(files, change, parts, 1, Readers::Threads, conversion);
        assert!(in_parts == whole, "{parts} parts on threads differ from the whole read:\n{}", first_difference(&whole, &in_parts));
        max_parts = max_parts.max(jobs);
        max_overran = max_overran.max(overran);
        if [2, 3, 9].contains(&parts) {
            let (in_parts, _, _) = load_in_parts(files, change, parts, 1, Readers::Engines, conversion);
            assert!(in_parts == whole, "{parts} parts in other engines differ from the whole read:\n{}", first_difference(&whole, &in_parts));
        }
    }
    (max_parts, max_overran)
}

fn keep(_: &mut LoadConfig) {}

fn strict(config: &mut LoadConfig) {
    config.strict = true;
}

#[test]
fn read_in_parts_generated_journeys() {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 300, seed: 5, days: 60, ..SynthOptions::default() }, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let (parts, overran) = assert_same(&[("generated.csv", &text)], &keep, "purchase");
    assert_eq!(parts, 9, "the file is long enough for 9 parts");
    assert_eq!(overran, 0, "no row of the generated file spans lines");
}

#[test]
fn read_in_parts_file_below_minimum_stays_whole() {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people: 40, seed: 5, days: 30, ..SynthOptions::default() }, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let (mut workspace, config) = prepared(&[("small.csv", &text)]);
    let plan = workspace.plan_load(&config, &Split { min_part_bytes: text.len(), ..Split::even(4) }).unwrap();
    assert_eq!(plan.jobs().len(), 1);
    let plan = workspace.plan_load(&config, &Split { min_part_bytes: text.len() / 4, ..Split::even(4) }).unwrap();
    assert_eq!(plan.jobs().len(), 4);
    // A first part of twice the weight takes about two fifths of the file.
    let plan = workspace.plan_load(&config, &Split { min_part_bytes: 1, first_weight: 2.0, ..Split::even(4) }).unwrap();
    let first = plan.jobs()[0].range.limit as f64 / text.len() as f64;
    assert!((0.38..0.42).contains(&first), "the first part has {first:.3} of the file");
}

/// Returns rows whose notes hold line breaks inside quotes, so that many cuts fall inside a row.
fn quoted_lines() -> String {
    let mut text = String::from("user_id,event,timestamp,note\n");
    for row in 0..120 {
        let note = if row % 3 == 0 { format!("\"line one\nline \"\"two\"\"\n{row}\"") } else { format!("plain {row}") };
        writeln!(text, "u{},{},2024-03-{:02} 10:{:02}:00,{note}", row % 17, ["visit", "cart", "purchase"][row % 3], 1 + row % 28, row % 60).unwrap();
    }
    text
}

#[test]
fn read_in_parts_cut_inside_quoted_row() {
    let text = quoted_lines();
    let (_, overran) = assert_same(&[("quoted.csv", &text)], &keep, "purchase");
    assert!(overran > 0, "some cut fell inside a quoted row");
}

/// Returns a file with a preamble, bad rows of every kind spread over it, and Windows line endings.
fn troubled() -> String {
    let mut text = String::from("# exported 2024-05-01\r\n# all users\r\nuser_id,event,timestamp,value,page\r\n");
    for row in 0..400 {
        let line = match row % 23 {
            0 => format!("u{},visit,not a time,,/home", row % 31),
            5 => format!(",visit,2024-04-{:02} 09:00:00,,/home", 1 + row % 28),
            9 => format!("u{},cart,2024-04-{:02} 09:{:02}:00,lots,/cart", row % 31, 1 + row % 28, row % 60),
            13 => format!("u{},visit,2024-04-{:02} 11:00:00", row % 31, 1 + row % 28),
            17 => format!("u{},visit,2024-04-{:02} 12:00:00,,/home,extra,cells", row % 31, 1 + row % 28),
            21 => "Total,,,1234,".to_string(),
            _ => format!("u{},{},2024-04-{:02} {:02}:{:02}:00,{},/p{}", row % 31, ["visit", "cart", "purchase"][row % 3], 1 + row % 28, row % 24, row % 60, row % 7, row % 5),
        };
        text.push_str(&line);
        text.push_str("\r\n");
    }
    text
}

#[test]
fn read_in_parts_problems_and_row_numbers() {
    let text = troubled();
    let (parts, _) = assert_same(&[("troubled.csv", &text)], &keep, "purchase");
    assert_eq!(parts, 9);
    let whole = load_whole(&[("troubled.csv", &text)], &keep, "purchase");
    assert!(whole.contains("\"skipped_rows\":36"), "{}", &whole[..600]);
    // The first bad row is data row 0, on line 4 after two preamble lines and the header. The
    // last of the 20 listed problems is data row 212, the 10th with a missing id, on line 216.
    let rows: Vec<&str> = whole.split("\"row\":").skip(1).map(|rest| rest.split(',').next().unwrap()).collect();
    assert_eq!(rows.first(), Some(&"4"), "{rows:?}");
    assert_eq!(rows.get(19), Some(&"216"), "{rows:?}");
}

#[test]
fn read_in_parts_strict_mode_error() {
    let text = troubled();
    let (parts, _) = assert_same(&[("troubled.csv", &text)], &strict, "purchase");
    assert_eq!(parts, 9);
    let mut late = String::from("user_id,event,timestamp\n");
    for row in 0..300 {
        let time = if row == 250 { "never".to_string() } else { format!("2024-04-{:02} 10:00:00", 1 + row % 28) };
        writeln!(late, "u{},visit,{time}", row % 13).unwrap();
    }
    assert_same(&[("late.csv", &late)], &strict, "visit");
    assert!(load_whole(&[("late.csv", &late)], &strict, "visit").contains("row 252"));
}

#[test]
fn read_in_parts_strict_error_in_cut_row() {
    // A cut inside the quoted event name leaves its row without a time in the part before the
    // cut, which in strict mode stops that part at the row that ran past its limit.
    let text = "user_id,event,timestamp,note\n\nu1,\"two\nlines\",2024-03-03 10:02:00,\n";
    let strict_roles = |config: &mut LoadConfig| {
        config.strict = true;
        let mapping = &mut config.files[0].mapping;
        mapping.person = Some("user_id".to_string());
        mapping.event = Some("event".to_string());
        mapping.time = Some("timestamp".to_string());
    };
    let (_, overran) = assert_same(&[("cut.csv", text)], &strict_roles, "purchase");
    assert!(overran > 0, "a cut fell inside the quoted row");
    assert!(!load_whole(&[("cut.csv", text)], &strict_roles, "purchase").starts_with("error"));
}

#[test]
fn read_in_parts_byte_order_marks_inside() {
    // Files joined with `cat` keep each file's byte-order mark at the start of a line. The CSV
    // reader drops a mark at the start of its text, so no part may begin at such a line.
    let mut text = String::from("user_id,event,timestamp\n");
    for row in 0..200 {
        let mark = if row % 5 == 0 { "\u{FEFF}" } else { "" };
        let line = if row % 50 == 25 { format!("{mark}# notes {row}") } else { format!("{mark}u{},{},2024-04-{:02} 10:{:02}:00", row % 13, ["visit", "purchase"][row % 2], 1 + row % 28, row % 60) };
        writeln!(text, "{line}").unwrap();
    }
    assert_same(&[("joined.csv", &text)], &keep, "purchase");
    assert_same(&[("joined.csv", &text)], &strict, "purchase");
}

#[test]
fn read_in_parts_oversized_field_cause() {
    // Two quoted fields of more than 100 lines: the first fits, the second is over 1 MiB. Its
    // problem gives the cause, whichever part reads it.
    let line = "a line of a long note pasted with its breaks\n".repeat(10);
    let mut text = String::from("user_id,event,timestamp,note\n");
    for row in 0..2_000 {
        let note = match row {
            500 => format!("\"{}\"", line.repeat(12)),
            1_500 => format!("\"{}\"", line.repeat(2_400)),
            _ => String::new(),
        };
        writeln!(text, "u{},visit,2024-04-{:02} 10:{:02}:00,{note}", row % 13, 1 + row % 28, row % 60).unwrap();
    }
    let whole = load_whole(&[("long.csv", &text)], &keep, "visit");
    assert!(whole.contains("spans 24001 lines, so its closing quote is probably missing"), "{}", &whole[..400]);
    for parts in 2..=3 {
        let (in_parts, _, _) = load_in_parts(&[("long.csv", &text)], &keep, parts, 1, Readers::Threads, "visit");
        assert!(in_parts == whole, "{parts} parts differ:\n{}", first_difference(&whole, &in_parts));
    }
}

#[test]
fn read_in_parts_second_table() {
    let mut text = String::from("user_id,event,timestamp\n");
    for row in 0..200 {
        writeln!(text, "u{},{},2024-04-{:02} 10:{:02}:00", row % 13, ["visit", "purchase"][row % 2], 1 + row % 28, row % 60).unwrap();
    }
    text.push_str("# Totals\nvisits,100\n");
    for row in 0..200 {
        writeln!(text, "x{},visit,2024-05-{:02} 10:00:00", row % 13, 1 + row % 28).unwrap();
    }
    assert_same(&[("two tables.csv", &text)], &keep, "purchase");
    assert!(load_whole(&[("two tables.csv", &text)], &keep, "purchase").contains("reading stopped at row 202"));
}

#[test]
fn read_in_parts_epoch_units_ordinals_identities() {
    let mut text = String::from("user_id,email,event,time,seq,plan\n");
    for row in 0..300u64 {
        // Milliseconds first, then seconds: the warning counts the rows that differ from the first.
        let time = if row < 200 { 1_712_000_000_000 + row * 60_000 } else { 1_712_000_000 + row * 60 };
        // Sequence numbers and the plan column only in the second half.
        let seq = if row >= 150 { (row % 4).to_string() } else { String::new() };
        let plan = if row >= 220 { "pro" } else { "" };
        // Each e-mail links its user ids, first seen in the first half and again in the second.
        let email = if row % 5 == 0 { format!("Person{}@Example.com", row % 7) } else { String::new() };
        writeln!(text, "u{},{email},{},{time},{seq},{plan}", row % 37, ["visit", "cart", "purchase"][row as usize % 3]).unwrap();
    }
    let (mut workspace, mut config) = prepared(&[("mixed.csv", &text)]);
    config.files[0].mapping.identities = vec!["email".to_string()];
    config.files[0].mapping.ordinal = Some("seq".to_string());
    let mapping = config.files[0].mapping.clone();
    let change = move |config: &mut LoadConfig| config.files[0].mapping = mapping.clone();
    assert_same(&[("mixed.csv", &text)], &change, "purchase");
    let summary = workspace.load(&config).unwrap();
    assert!(summary.merged_people > 0, "the e-mail column links user ids");
    assert!(summary.warnings.iter().any(|warning| warning.kind == "mixed_epoch_units" && warning.count == 100));
}

#[test]
fn read_in_parts_several_files() {
    let mut first = String::from("user_id,event,timestamp,source\n");
    let mut second = String::from("customer_id,event,timestamp,campaign\n");
    for row in 0..150 {
        writeln!(first, "u{},{},2024-04-{:02} 10:{:02}:00,s{}", row % 19, ["visit", "cart"][row % 2], 1 + row % 28, row % 60, row % 4).unwrap();
        writeln!(second, "u{},{},2024-05-{:02} 10:{:02}:00,c{}", row % 23, ["email_open", "purchase"][row % 2], 1 + row % 28, row % 60, row % 3).unwrap();
    }
    let paths = "path,total_conversions,total_null\nsearch > email,3,5\nsocial,1,4\n";
    let files = [("web.csv", first.as_str()), ("crm.csv", second.as_str()), ("web.csv", first.as_str()), ("paths.csv", paths)];
    let (parts, _) = assert_same(&files, &keep, "purchase");
    assert_eq!(parts, 27, "each of the three event files in 9 parts");
}

mod random_files {
    use super::*;
    use proptest::prelude::*;

    const PEOPLE: &[&str] = &["u1", "u2", "u3", "\"u 4\"", ""];
    const EVENTS: &[&str] = &["visit", "cart", "purchase", "\"two\nlines\"", "\"a, b\""];
    const NOTES: &[&str] = &["", "plain", "\"one\ntwo\nthree\"", "\"said \"\"hi\"\"\"", "5\" inch", "\"open\n"];

    /// Returns one line of a file: a row, often with quoted fields that span lines, or a blank,
    /// `#` or short line.
    fn line() -> impl Strategy<Value = String> {
        (0usize..12, 0..PEOPLE.len(), 0..EVENTS.len(), 0u32..40, 0..NOTES.len(), any::<bool>()).prop_map(|(kind, person, event, minute, note, crlf)| {
            let ending = if crlf { "\r\n" } else { "\n" };
            let time = match minute {
                0 => "not a time".to_string(),
                1 => String::new(),
                _ => format!("2024-03-{:02} 10:{:02}:00", 1 + minute % 28, minute),
            };
            match kind {
                0 => ending.to_string(),
                1 => format!("# note {minute}{ending}"),
                2 => format!("{},{}{ending}", PEOPLE[person], EVENTS[event]),
                _ => format!("{},{},{time},{}{ending}", PEOPLE[person], EVENTS[event], NOTES[note]),
            }
        })
    }

    fn file() -> impl Strategy<Value = String> {
        proptest::collection::vec(line(), 1..80).prop_map(|lines| format!("user_id,event,timestamp,note\n{}", lines.concat()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn read_in_parts_random_file(text in file(), parts in 2usize..7, strict_mode in any::<bool>()) {
            let mut workspace = Workspace::new();
            let index = workspace.add_file("random.csv", text.as_bytes().to_vec());
            prop_assume!(workspace.inspect(index, None).is_ok(), "a file that does not inspect has nothing to load");
            let files = [("random.csv", text.as_str())];
            let change = move |config: &mut LoadConfig| {
                config.strict = strict_mode;
                let mapping = &mut config.files[0].mapping;
                mapping.person = Some("user_id".to_string());
                mapping.event = Some("event".to_string());
                mapping.time = Some("timestamp".to_string());
            };
            let whole = load_whole(&files, &change, "purchase");
            let (in_parts, _, _) = load_in_parts(&files, &change, parts, 1, Readers::Threads, "purchase");
            prop_assert!(in_parts == whole, "{}", first_difference(&whole, &in_parts));
            let (in_engines, _, _) = load_in_parts(&files, &change, parts, 1, Readers::Engines, "purchase");
            prop_assert!(in_engines == whole, "{}", first_difference(&whole, &in_engines));
        }
    }
}


#[test]
fn read_in_parts_damaged_bytes_are_an_error() {
    let text = troubled();
    let (workspace, config) = prepared(&[("troubled.csv", &text)]);
    let mut workspace = workspace;
    let plan = workspace.plan_load(&config, &Split { parts: 2, min_part_bytes: 1, first_weight: 1.0 }).unwrap();
    let job = plan.jobs()[1];
    let bytes = workspace.read_part(&plan, &job).unwrap().to_bytes();
    assert!(PartRead::from_bytes(&bytes).is_ok());
    // Cut short, the bytes are an error. With one byte changed anywhere, they are an error or a
    // part whose ids all point into its columns, which joins without a panic.
    assert!(PartRead::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    for at in (0..bytes.len()).step_by(bytes.len() / 300 + 1) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        let Ok(part) = PartRead::from_bytes(&damaged) else { continue };
        let plan = workspace.plan_load(&config, &Split { parts: 2, min_part_bytes: 1, first_weight: 1.0 }).unwrap();
        let first = workspace.read_part(&plan, &plan.jobs()[0]).unwrap();
        if let Ok(joined) = workspace.join_parts(plan, vec![first, part]) {
            let _ = workspace.finish_load(joined);
        }
    }
    assert!(FilePlan::from_bytes(b"not a plan").is_err());
}
