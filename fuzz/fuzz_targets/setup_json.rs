//! Parses arbitrary text as a saved setup. An accepted setup must parse again from its own
//! output, and is applied to the embedded files: load with its settings, then analyze with its
//! options.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pathlight::setup::Setup;
use pathlight::Workspace;
use pathlight_fuzz::add_embedded_files;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(setup) = Setup::parse(text) else { return };
    let written = setup.to_json();
    if let Err(error) = Setup::parse(&written) {
        panic!("a setup written by to_json is rejected: {error}\n{written}");
    }

    let mut workspace = Workspace::new();
    let (events, outcomes) = add_embedded_files(&mut workspace);
    let mut inspections = Vec::new();
    for index in [events, outcomes] {
        let Ok(inspection) = workspace.inspect(index, None) else { return };
        inspections.push(inspection);
    }
    let config = setup.load_config(&inspections);
    if workspace.load(&config).is_ok() {
        let _ = workspace.analyze(&setup.analysis);
    }
});
