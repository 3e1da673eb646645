//! Dropping the files' text after a load, and reading a file again. The page and the CLI drop the
//! text once the events are read, so that the analyses have its memory. A file read again must
//! then inspect and load exactly as the first time.
#![cfg(not(target_arch = "wasm32"))]

use pathlight::synth::{write_csv, SynthOptions};
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

fn journeys() -> String {
    let mut bytes = Vec::new();
    write_csv(&SynthOptions { people: 800, seed: 5, ..SynthOptions::default() }, &mut bytes).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Pushes `text` in slices of 4 KiB plus one byte, as the page pushes a File in slices.
fn push(workspace: &mut Workspace, index: usize, text: &str) {
    for chunk in text.as_bytes().chunks(4097) {
        workspace.push_chunk(index, chunk).unwrap();
    }
}

fn summary_and_report(workspace: &mut Workspace, config: &LoadConfig) -> String {
    let summary = workspace.load(config).unwrap();
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() };
    let report = workspace.analyze(&options).unwrap();
    format!("{}\n{}", serde_json::to_string(&summary).unwrap(), serde_json::to_string(&report).unwrap())
}

#[test]
fn file_read_again_after_release_loads_the_same() {
    let text = journeys();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("journeys.csv", Vec::new());
    workspace.expect_size(index, text.len() as u64).unwrap();
    push(&mut workspace, index, &text);
    let inspection = workspace.inspect(index, None).unwrap();
    let config = LoadConfig::from_inspections(std::slice::from_ref(&inspection));
    let first = summary_and_report(&mut workspace, &config);

    assert!(!workspace.is_released(index).unwrap());
    workspace.release_texts();
    assert!(workspace.is_released(index).unwrap());
    // The loaded events stay: the analyses do not read the text.
    let options = AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() };
    assert!(first.ends_with(&serde_json::to_string(&workspace.analyze(&options).unwrap()).unwrap()));
    // Chunks pushed now belong to no reading and change nothing.
    workspace.push_chunk(index, b"p9,purchase,2024-01-01\n").unwrap();
    for error in [workspace.inspect(index, None).unwrap_err(), workspace.load(&config).unwrap_err()] {
        let message = error.to_string();
        assert!(message.starts_with("journeys.csv: "), "{message}");
        assert!(message.contains("read the file again"), "{message}");
    }

    // Read again without an inspection first: the load finishes the reading itself.
    workspace.read_again(index).unwrap();
    assert!(workspace.is_released(index).unwrap(), "released until every byte is back");
    push(&mut workspace, index, &text);
    assert!(!workspace.is_released(index).unwrap());
    assert_eq!(summary_and_report(&mut workspace, &config), first);

    workspace.release_texts();
    workspace.read_again(index).unwrap();
    push(&mut workspace, index, &text);
    assert_eq!(workspace.inspect(index, None).unwrap(), inspection);
}

#[test]
fn partial_read_again_counts_as_released() {
    let text = journeys();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("journeys.csv", text.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    let config = LoadConfig::from_inspections(std::slice::from_ref(&inspection));
    let first = summary_and_report(&mut workspace, &config);
    workspace.release_texts();

    // The reading stops halfway, as when the file changes on disk: nothing of it may be loaded.
    workspace.read_again(index).unwrap();
    push(&mut workspace, index, &text[..text.len() / 2]);
    assert!(workspace.is_released(index).unwrap());
    let message = workspace.load(&config).unwrap_err().to_string();
    assert!(message.contains("read the file again"), "{message}");
    let message = workspace.inspect(index, None).unwrap_err().to_string();
    assert!(message.contains("read the file again"), "{message}");

    // A file read again with more bytes than the first time is not the same file either.
    workspace.read_again(index).unwrap();
    push(&mut workspace, index, &format!("{text}u1,2024-01-01T00:00:00Z,visit,direct,/,\n"));
    assert!(workspace.is_released(index).unwrap());

    workspace.read_again(index).unwrap();
    push(&mut workspace, index, &text);
    assert!(!workspace.is_released(index).unwrap());
    assert_eq!(summary_and_report(&mut workspace, &config), first);
}

#[test]
fn load_drops_texts_when_asked() {
    let text = journeys();
    let mut outcomes = Vec::new();
    for drop in [false, true] {
        let mut workspace = Workspace::new();
        workspace.drop_texts_after_reading(drop);
        let index = workspace.add_file("journeys.csv", text.as_bytes().to_vec());
        let inspection = workspace.inspect(index, None).unwrap();
        outcomes.push(summary_and_report(&mut workspace, &LoadConfig::from_inspections(&[inspection])));
        assert_eq!(workspace.is_released(index).unwrap(), drop);
    }
    assert!(outcomes[0] == outcomes[1], "dropping the text changed the load or the report");
}

#[test]
fn wrong_size_changes_nothing() {
    let text = journeys();
    let mut expected = None;
    for size in [None, Some(text.len() as u64), Some(0), Some(7), Some(text.len() as u64 * 4)] {
        let mut workspace = Workspace::new();
        let index = workspace.add_file("journeys.csv", Vec::new());
        if let Some(size) = size {
            workspace.expect_size(index, size).unwrap();
        }
        push(&mut workspace, index, &text);
        let inspection = workspace.inspect(index, None).unwrap();
        let outcome = summary_and_report(&mut workspace, &LoadConfig::from_inspections(&[inspection]));
        match &expected {
            None => expected = Some(outcome),
            Some(expected) => assert!(&outcome == expected, "size {size:?}"),
        }
    }
}

#[test]
fn unknown_file_cannot_be_released_or_read_again() {
    let mut workspace = Workspace::new();
    assert!(workspace.is_released(3).is_err());
    assert!(workspace.read_again(3).is_err());
    assert!(workspace.expect_size(3, 10).is_err());
    // Releasing with no file is no error.
    workspace.release_texts();
}
