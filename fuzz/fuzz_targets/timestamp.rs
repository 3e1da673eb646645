//! Infers a time format from arbitrary lines and parses every line with it, with its fallbacks,
//! and with the formats that inference never tries first (epoch, RFC 2822, spreadsheet serial).
//!
//! The first input byte picks the load's time zone and the day/month order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pathlight::ingest::time::{infer_format, parse_zone, to_rfc3339, DateOrder, TimeFormat, TimeParser};

const ZONES: [&str; 4] = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"];

fuzz_target!(|data: &[u8]| {
    let [selector, bytes @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Some(zone) = parse_zone(ZONES[usize::from(selector % 4)]) else { return };
    let order = if selector & 0x10 == 0 { DateOrder::DayFirst } else { DateOrder::MonthFirst };
    let column = if selector & 0x20 == 0 { "created_at" } else { "value" };
    let lines: Vec<&str> = text.lines().collect();

    let mut parsers: Vec<TimeParser> =
        [TimeFormat::Epoch, TimeFormat::Rfc2822, TimeFormat::SpreadsheetSerial].into_iter().map(TimeParser::new).collect();
    if let Some(inferred) = infer_format(column, lines.iter().copied(), order) {
        let _ = inferred.format.describe();
        parsers.push(TimeParser::for_column(inferred.format));
    }
    for parser in &parsers {
        for line in &lines {
            let _ = parser.placeholder(line);
            if let Some(instant) = parser.parse(line, zone) {
                let _ = to_rfc3339(instant.millis);
            }
        }
    }
});
