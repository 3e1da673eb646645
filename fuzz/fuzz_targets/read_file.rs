//! Reads arbitrary bytes as a file the way the page does: in two chunks, then inspection
//! (encoding and dialect detection) and a load with the proposed mapping. The analyses are
//! left to `options_json`, because running them all made this target about six times slower.
//!
//! The first input byte sets where the bytes are split into chunks, so that chunk borders fall
//! inside multi-byte characters and byte-order marks. The second byte picks the dialect: sniffed,
//! or one forced delimiter, quote or header choice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pathlight::ingest::FileConfig;
use pathlight::{LoadConfig, Workspace};

fuzz_target!(|data: &[u8]| {
    let [split, dialect, bytes @ ..] = data else { return };
    let cut = bytes.len() * usize::from(*split) / 255;
    let (head, tail) = bytes.split_at(cut);

    let mut workspace = Workspace::new();
    let index = workspace.add_file("fuzz.csv", head.to_vec());
    if workspace.push_chunk(index, tail).is_err() {
        return;
    }
    let mut file = FileConfig { index, ..FileConfig::default() };
    match dialect % 8 {
        3 => file.delimiter = Some(";".to_string()),
        4 => file.delimiter = Some("tab".to_string()),
        5 => file.quote = Some("'".to_string()),
        6 => {
            file.header = Some(false);
            file.column_names = vec!["user".to_string(), "event".to_string(), "time".to_string()];
        }
        7 => file.header = Some(true),
        _ => {}
    }
    let Ok(choice) = file.dialect_choice("fuzz.csv") else { return };
    let Ok(inspection) = workspace.inspect_with(index, &choice) else { return };
    file.mapping = inspection.mapping;
    let config = LoadConfig { strict: dialect & 0x80 != 0, files: vec![file], ..LoadConfig::default() };
    let _ = workspace.load(&config);
});
