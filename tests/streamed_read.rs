//! Reading files while their bytes arrive. A streamed load cuts each event file into parts between
//! two records and drops their text as it goes. It must give the same load summary, the same
//! errors and the same report as a load of the whole texts, however the bytes are sliced.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::fmt::Write;

use pathlight::ingest::stream::StreamSizes;
use pathlight::synth::{write_csv, SynthOptions};
use common::{first_difference, outcome};
use pathlight::{LoadConfig, Workspace};

/// Plans after at least 1 KiB of text and reads parts of about 4 KiB, so that files of a few
/// hundred kilobytes are cut into many parts.
const SMALL: StreamSizes = StreamSizes { head: 1024, part: 4096 };

/// Adds and inspects `files`, each whole or from its first `head` bytes only, and returns the
/// workspace with the proposed load settings changed by `change`.
fn prepared(files: &[(&str, &[u8])], head: Option<usize>, change: &dyn Fn(&mut LoadConfig)) -> (Workspace, LoadConfig) {
    let mut workspace = Workspace::new();
    let inspections: Vec<_> = files
        .iter()
        .map(|(name, bytes)| match head {
            None => {
                let index = workspace.add_file(name, bytes.to_vec());
                workspace.inspect(index, None).unwrap()
            }
            Some(head) => {
                let index = workspace.add_file(name, bytes[..head.min(bytes.len())].to_vec());
                workspace.finish_head(index).unwrap();
                workspace.inspect(index, None).unwrap()
            }
        })
        .collect();
    let mut config = LoadConfig::from_inspections(&inspections);
    change(&mut config);
    (workspace, config)
}

fn load_whole(files: &[(&str, &[u8])], change: &dyn Fn(&mut LoadConfig), conversion: &str) -> String {
    let (mut workspace, config) = prepared(files, None, change);
    let loaded = workspace.load(&config);
    outcome(&mut workspace, loaded, conversion)
}

/// Loads `files` while pushing their bytes in slices of `chunk` bytes.
fn load_streamed(files: &[(&str, &[u8])], change: &dyn Fn(&mut LoadConfig), conversion: &str, sizes: StreamSizes, chunk: usize) -> String {
    // The page reads the first 8 MiB for the inspection; 256 KiB hold the inspected rows here.
    let (mut workspace, config) = prepared(files, Some(256 * 1024), change);
    workspace.set_stream_sizes(sizes);
    let loaded = stream(&mut workspace, &config, files, chunk);
    outcome(&mut workspace, loaded, conversion)
}

fn stream(workspace: &mut Workspace, config: &LoadConfig, files: &[(&str, &[u8])], chunk: usize) -> Result<pathlight::LoadSummary, pathlight::Error> {
    workspace.begin_stream(config)?;
    for (position, file) in config.files.iter().enumerate() {
        let bytes = files[file.index].1;
        workspace.stream_file(position, Some(bytes.len() as u64))?;
        for slice in bytes.chunks(chunk) {
            workspace.push_chunk(file.index, slice)?;
        }
    }
    workspace.finish_stream()
}

/// Checks that streamed loads with several slice sizes give the whole load's outcome.
fn assert_same(files: &[(&str, &[u8])], change: &dyn Fn(&mut LoadConfig), conversion: &str) -> String {
    let whole = load_whole(files, change, conversion);
    for chunk in [997, 4096, 65_536] {
        let streamed = load_streamed(files, change, conversion, SMALL, chunk);
        assert!(streamed == whole, "a streamed load in slices of {chunk} bytes differs from the whole read:\n{}", first_difference(&whole, &streamed));
    }
    let streamed = load_streamed(files, change, conversion, StreamSizes::default(), 1 << 20);
    assert!(streamed == whole, "a streamed load with the default sizes differs:\n{}", first_difference(&whole, &streamed));
    whole
}

fn keep(_: &mut LoadConfig) {}

fn strict(config: &mut LoadConfig) {
    config.strict = true;
}

fn generated(people: u32, seed: u64) -> String {
    let mut csv = Vec::new();
    write_csv(&SynthOptions { people, seed, days: 90, ..SynthOptions::default() }, &mut csv).unwrap();
    String::from_utf8(csv).unwrap()
}

#[test]
fn streamed_generated_journeys() {
    let text = generated(700, 11);
    assert!(text.len() > 200 * 1024, "the file is long enough for many parts: {} bytes", text.len());
    assert_same(&[("generated.csv", text.as_bytes())], &keep, "purchase");
}

/// Returns a file with a preamble, Windows line endings, bad rows of every kind spread over it,
/// and notes whose quoted text spans lines.
fn troubled(rows: usize) -> String {
    let mut text = String::from("# exported 2024-05-01\r\n# all users\r\nuser_id,event,timestamp,value,note\r\n");
    for row in 0..rows {
        let line = match row % 23 {
            0 => format!("u{},visit,not a time,,", row % 31),
            5 => format!(",visit,2024-04-{:02} 09:00:00,,", 1 + row % 28),
            9 => format!("u{},cart,2024-04-{:02} 09:{:02}:00,lots,", row % 31, 1 + row % 28, row % 60),
            11 => format!("u{},visit,2024-04-{:02} 11:00:00,,\"one\r\ntwo, \"\"three\"\"\nfour\"", row % 31, 1 + row % 28),
            13 => format!("u{},visit,2024-04-{:02} 11:00:00", row % 31, 1 + row % 28),
            17 => format!("u{},visit,2024-04-{:02} 12:00:00,,,extra,cells", row % 31, 1 + row % 28),
            19 => format!("u{},visit,2024-04-{:02} 12:30:00,,5\" screen", row % 31, 1 + row % 28),
            21 => "Total,,,1234,".to_string(),
            _ => format!("u{},{},2024-04-{:02} {:02}:{:02}:00,{},", row % 31, ["visit", "cart", "purchase"][row % 3], 1 + row % 28, row % 24, row % 60, row % 7),
        };
        text.push_str(&line);
        text.push_str("\r\n");
    }
    text
}

#[test]
fn streamed_problems_quotes_row_numbers() {
    let text = troubled(9_000);
    let whole = assert_same(&[("troubled.csv", text.as_bytes())], &keep, "purchase");
    assert!(whole.contains("\"skipped_rows\":"), "{}", &whole[..400]);
}

#[test]
fn streamed_strict_error_late_row() {
    let mut late = String::from("user_id,event,timestamp\n");
    for row in 0..12_000 {
        let time = if row == 11_000 { "never".to_string() } else { format!("2024-04-{:02} 10:{:02}:00", 1 + row % 28, row % 60) };
        writeln!(late, "u{},visit,{time}", row % 13).unwrap();
    }
    let whole = assert_same(&[("late.csv", late.as_bytes())], &strict, "visit");
    assert!(whole.starts_with("error"), "{}", &whole[..whole.len().min(300)]);
    assert!(whole.contains("row 11002"), "{whole}");
}

#[test]
fn streamed_byte_order_marks_second_table() {
    // Files joined with `cat` keep each file's byte-order mark at the start of a line, and a `#`
    // line after the data starts a table that is not read.
    let mut text = String::from("user_id,event,timestamp\n");
    for row in 0..9_000 {
        let mark = if row % 5 == 0 { "\u{FEFF}" } else { "" };
        writeln!(text, "{mark}u{},{},2024-04-{:02} 10:{:02}:00", row % 13, ["visit", "purchase"][row % 2], 1 + row % 28, row % 60).unwrap();
    }
    text.push_str("# Totals\nvisits,100\n");
    for row in 0..3_000 {
        writeln!(text, "x{},visit,2024-05-{:02} 10:00:00", row % 13, 1 + row % 28).unwrap();
    }
    let whole = assert_same(&[("joined.csv", text.as_bytes())], &keep, "purchase");
    assert!(whole.contains("reading stopped at row 9002"), "{}", &whole[..600]);
}

#[test]
fn streamed_day_month_order_decided_late() {
    // Every date reads both ways until row 6,000, past the first part, which has a date that only
    // reads month first: the file is read whole, month first.
    let mut text = String::from("user_id,event,date\n");
    for row in 0..7_000 {
        let (first, second) = if row == 6_000 { (1, 25) } else { (1 + row % 12, 1 + (row / 12) % 12) };
        writeln!(text, "u{},{},{first:02}/{second:02}/2024 10:{:02}", row % 41, ["visit", "purchase"][row % 2], row % 60).unwrap();
    }
    let whole = assert_same(&[("dates.csv", text.as_bytes())], &keep, "purchase");
    assert!(whole.contains("date_order_decided"), "{}", &whole[..600]);
}

#[test]
fn streamed_encodings_late_invalid_bytes() {
    let text = generated(400, 3);
    // UTF-16 with a byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_same(&[("utf16.csv", &utf16)], &keep, "purchase");
    // ASCII up to a Windows-1252 byte far after the first part, and UTF-8 with an invalid byte
    // after its first accented letter: the counts of the decoding cover the whole file.
    let mut latin = text.clone().into_bytes();
    let at = latin.len() - 100;
    let line_start = latin[..at].iter().rposition(|&byte| byte == b'\n').unwrap() + 1;
    latin.insert(line_start, b'u');
    latin.insert(line_start + 1, 0xE9);
    assert_same(&[("latin.csv", &latin)], &keep, "purchase");
    let mut broken = text.replacen("purchase", "purchasé", 1).into_bytes();
    broken.insert(line_start, 0xFF);
    let whole = assert_same(&[("broken.csv", &broken)], &keep, "purchase");
    assert!(whole.contains("invalid_bytes"), "{}", &whole[..600]);
}

#[test]
fn streamed_several_files_whole_kinds() {
    let web = generated(300, 5);
    let crm = troubled(4_000);
    let paths = "path,total_conversions,total_null\nsearch > email,3,5\nsocial,1,4\n";
    let mut spaced = String::from("user_id event timestamp\n");
    for row in 0..3_000 {
        writeln!(spaced, "s{} {} 2024-04-{:02}T10:{:02}:00", row % 17, ["visit", "purchase"][row % 2], 1 + row % 28, row % 60).unwrap();
    }
    let files: [(&str, &[u8]); 5] = [
        ("web.csv", web.as_bytes()),
        ("crm.csv", crm.as_bytes()),
        ("web.csv", web.as_bytes()),
        ("paths.csv", paths.as_bytes()),
        ("spaced.txt", spaced.as_bytes()),
    ];
    assert_same(&files, &keep, "purchase");
}

#[test]
fn streamed_load_checks_its_order() {
    let text = generated(50, 1);
    let files: [(&str, &[u8]); 2] = [("a.csv", text.as_bytes()), ("b.csv", text.as_bytes())];
    let (mut workspace, config) = prepared(&files, None, &keep);
    workspace.begin_stream(&config).unwrap();
    let error = workspace.stream_file(1, None).unwrap_err().to_string();
    assert!(error.contains("file 0 comes next"), "{error}");
    // The failed start ends the streamed load.
    assert!(workspace.finish_stream().unwrap_err().to_string().contains("No streamed load"));
    workspace.begin_stream(&config).unwrap();
    workspace.stream_file(0, None).unwrap();
    workspace.push_chunk(0, text.as_bytes()).unwrap();
    let error = workspace.finish_stream().unwrap_err().to_string();
    assert!(error.contains("File 1 of the streamed load was not read"), "{error}");
}

#[test]
fn head_only_file_loads_only_streamed() {
    let text = generated(200, 2);
    let files: [(&str, &[u8]); 1] = [("head.csv", text.as_bytes())];
    let (mut workspace, config) = prepared(&files, Some(4096), &keep);
    let error = workspace.load(&config).unwrap_err().to_string();
    assert!(error.contains("only its first bytes were read"), "{error}");
    let streamed = stream(&mut workspace, &config, &files, 8192).unwrap();
    assert_eq!(streamed.events, load_whole(&files, &keep, "purchase").split("\"events\":").nth(1).unwrap().split(',').next().unwrap().parse::<u64>().unwrap());
    // The text is gone after the load: the file reads again before its next inspection.
    assert!(workspace.is_released(0).unwrap());
}
