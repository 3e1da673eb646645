//! Feeds arbitrary JSON to every entry of the WebAssembly boundary that takes options, the way
//! src/wasm.rs converts them: the input is split at zero bytes into analysis options, a people
//! query, a dialect and a load configuration. Each must end in `Ok` or `Err`, never a panic.
//!
//! Options and the query run against a workspace loaded once from the embedded events file. The
//! dialect and the load configuration run against a fresh workspace that contains both embedded
//! files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pathlight::analysis::people::PeopleQuery;
use pathlight::ingest::FileConfig;
use pathlight::{AnalysisOptions, LoadConfig, Workspace};
use pathlight_fuzz::{add_embedded_files, loaded_workspace, split_parts};

fuzz_target!(|data: &[u8]| {
    let parts = split_parts(data, 4);
    let options: AnalysisOptions = if parts[0].is_empty() {
        AnalysisOptions::default()
    } else {
        match serde_json::from_slice(parts[0]) {
            Ok(options) => options,
            Err(_) => return,
        }
    };
    let loaded = loaded_workspace();
    if let Ok(report) = loaded.analyze(&options) {
        let _ = report.to_json();
    }
    if let Ok(query) = serde_json::from_slice::<PeopleQuery>(parts[1]) {
        let _ = loaded.list_people(&options, &query);
    }

    let dialect = serde_json::from_slice::<FileConfig>(parts[2]).ok();
    let load = serde_json::from_slice::<LoadConfig>(parts[3]).ok();
    if dialect.is_none() && load.is_none() {
        return;
    }
    let mut workspace = Workspace::new();
    let (events, outcomes) = add_embedded_files(&mut workspace);
    let mut inspections = Vec::new();
    for index in [events, outcomes] {
        let inspected = match &dialect {
            Some(dialect) => match dialect.dialect_choice("events.csv") {
                Ok(choice) => workspace.inspect_with(index, &choice),
                Err(_) => return,
            },
            None => workspace.inspect(index, None),
        };
        match inspected {
            Ok(inspection) => inspections.push(inspection),
            Err(_) => return,
        }
    }
    let config = load.unwrap_or_else(|| LoadConfig::from_inspections(&inspections));
    if workspace.load(&config).is_ok() {
        let _ = workspace.analyze(&options);
    }
});
