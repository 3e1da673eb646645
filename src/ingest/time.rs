//! Timestamps: the accepted formats, how one format is chosen per column, and how times without
//! a zone are placed on the UTC time line.
//!
//! Accepted formats, tried in this order:
//! 1. Epoch numbers: whole seconds, milliseconds, microseconds or nanoseconds since 1970-01-01 UTC,
//!    distinguished by magnitude (about 10, 13, 16 or 19 digits for dates from 2001 to 2286).
//! 2. ISO 8601 with an offset: `2024-01-01T10:00:00Z`, `2024-01-01 10:00:00.250+02:00`,
//!    `+0200` or `+02`. The offset is converted, never relabelled.
//! 3. ISO 8601 without an offset, `T` or a space between date and time, seconds and fractions
//!    optional. A ` UTC` suffix (`2019-10-01 00:00:00 UTC`) makes it UTC; otherwise it is read in
//!    the load's time zone.
//! 4. An ISO date, `2024-01-01`, kept at day precision (midnight in the load's time zone).
//! 5. Day first, `31-12-2024`, `31/12/2024` or `31.12.2024`, optionally followed by `HH:MM` or
//!    `HH:MM:SS`.
//! 6. Month first, `12/31/2024`, optionally followed by a time. Day-first and month-first dates
//!    with a slash also take a 12-hour time, `03/01/2024 9:04:00 AM`, as survey tools write it.
//! 7. RFC 2822, as e-mail tools write it: `Tue, 1 Jul 2003 10:52:37 +0200`.
//! 8. A compact date, `20240131`, at day precision.
//! 9. Spreadsheet serial dates in the 1900 system (`45292` is 2024-01-01, fractions are the time
//!    of day), only in a column whose name says it holds dates (`created`, `won_date`, …) and
//!    whose values are mostly between 20,000 and 80,000 (years 1954 to 2119). Serials below 367
//!    (within 1900, such as the `1` many CRMs write for "no date") and serial 60 (the
//!    29 February 1900 that never existed) are placeholders: they are read as empty and counted.
//!
//! A column gets one format, inferred from its first values ([`infer_format`]); Pathlight never
//! switches format from row to row. Day-first and month-first are decided by a value that proves
//! one of them, such as `25/12/2024`. When no value decides, the caller's preference applies and
//! the choice is reported as ambiguous.
//!
//! A local time that a daylight-saving change makes ambiguous takes the earlier instant. A local
//! time that falls into a gap moves forward by the length of the gap. Both are counted.

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// How many values [`infer_format`] looks at.
pub const INFERENCE_SAMPLE: usize = 2_000;

/// The shape of the values in one time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// Integers since the Unix epoch; the unit comes from each value's magnitude.
    Epoch,
    /// Date and time with an offset or `Z`.
    Offset(&'static str),
    /// Date and time with a ` UTC` suffix.
    UtcSuffix(&'static str),
    /// Date and time with no zone: read in the load's time zone.
    Local(&'static str),
    /// A date alone, at day precision.
    Date(&'static str),
    /// RFC 2822, with its own offset.
    Rfc2822,
    /// Days since 1899-12-30, as spreadsheets store dates; read in the load's time zone.
    SpreadsheetSerial,
}

/// The stored form of a [`TimeFormat`], whose format strings are read back as the known ones.
#[derive(serde::Serialize, serde::Deserialize)]
enum StoredFormat {
    Epoch,
    Offset(String),
    UtcSuffix(String),
    Local(String),
    Date(String),
    Rfc2822,
    SpreadsheetSerial,
}

impl serde::Serialize for TimeFormat {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let stored = match *self {
            TimeFormat::Epoch => StoredFormat::Epoch,
            TimeFormat::Offset(text) => StoredFormat::Offset(text.to_string()),
            TimeFormat::UtcSuffix(text) => StoredFormat::UtcSuffix(text.to_string()),
            TimeFormat::Local(text) => StoredFormat::Local(text.to_string()),
            TimeFormat::Date(text) => StoredFormat::Date(text.to_string()),
            TimeFormat::Rfc2822 => StoredFormat::Rfc2822,
            TimeFormat::SpreadsheetSerial => StoredFormat::SpreadsheetSerial,
        };
        stored.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for TimeFormat {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TimeFormat, D::Error> {
        let known = |text: String| {
            OFFSET_FORMATS
                .iter()
                .chain(&LOCAL_FORMATS)
                .chain(&DATE_FORMATS)
                .chain(&DAY_FIRST_FORMATS)
                .chain(&MONTH_FIRST_FORMATS)
                .copied()
                .find(|format| *format == text)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown time format {text}")))
        };
        Ok(match StoredFormat::deserialize(deserializer)? {
            StoredFormat::Epoch => TimeFormat::Epoch,
            StoredFormat::Offset(text) => TimeFormat::Offset(known(text)?),
            StoredFormat::UtcSuffix(text) => TimeFormat::UtcSuffix(known(text)?),
            StoredFormat::Local(text) => TimeFormat::Local(known(text)?),
            StoredFormat::Date(text) => TimeFormat::Date(known(text)?),
            StoredFormat::Rfc2822 => TimeFormat::Rfc2822,
            StoredFormat::SpreadsheetSerial => TimeFormat::SpreadsheetSerial,
        })
    }
}

/// Day-first or month-first, for dates such as `03/04/2024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    #[default]
    DayFirst,
    MonthFirst,
}

/// A time placed on the UTC time line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub millis: i64,
    /// The value held a date only.
    pub date_only: bool,
    /// A daylight-saving change made the local time ambiguous or nonexistent.
    pub shifted: bool,
    /// The epoch unit differs from the one the column's first values use.
    pub epoch_unit: Option<EpochUnit>,
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EpochUnit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

const OFFSET_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%d %H:%M%#z",
];
const LOCAL_FORMATS: [&str; 6] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
];
const DATE_FORMATS: [&str; 2] = ["%Y-%m-%d", "%Y/%m/%d"];
const COMPACT_DATE: &str = "%Y%m%d";
/// Serials of real dates: 1954 to 2119.
const SERIAL_RANGE: std::ops::Range<f64> = 20_000.0..80_000.0;
/// Serials below this fall within 1900 and are taken as placeholders.
const SERIAL_PLACEHOLDER_BELOW: f64 = 367.0;
/// Milliseconds from 1899-12-30 to 1970-01-01.
const SERIAL_EPOCH_OFFSET_DAYS: f64 = 25_569.0;
const DAY_FIRST_FORMATS: [&str; 11] = [
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
];
const MONTH_FIRST_FORMATS: [&str; 8] = [
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m-%d-%Y %H:%M:%S",
    "%m-%d-%Y %H:%M",
    "%m-%d-%Y",
];

/// The format chosen for a column, and whether the day/month order was a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inferred {
    pub format: TimeFormat,
    /// How many of the sampled values the format parses.
    pub parsed: usize,
    pub sampled: usize,
    /// True when both day-first and month-first fit every sampled value.
    pub ambiguous_order: bool,
}

impl TimeFormat {
    /// A short description for people, such as "ISO 8601 with offset".
    pub fn describe(&self) -> String {
        match self {
            TimeFormat::Epoch => "epoch number (unit by magnitude)".to_string(),
            TimeFormat::Offset(_) => "ISO 8601 with offset".to_string(),
            TimeFormat::UtcSuffix(_) => "date and time in UTC".to_string(),
            TimeFormat::Local(format) => format!("local date and time ({})", pattern_for_people(format)),
            TimeFormat::Date(format) => format!("date only ({})", pattern_for_people(format)),
            TimeFormat::Rfc2822 => "RFC 2822 date and time".to_string(),
            TimeFormat::SpreadsheetSerial => "spreadsheet serial date (1900 system)".to_string(),
        }
    }

    fn candidates(order: DateOrder, serial_allowed: bool) -> Vec<TimeFormat> {
        let mut all = vec![TimeFormat::Epoch];
        if serial_allowed {
            all.push(TimeFormat::SpreadsheetSerial);
        }
        all.extend(OFFSET_FORMATS.iter().map(|&f| TimeFormat::Offset(f)));
        all.extend(LOCAL_FORMATS.iter().map(|&f| TimeFormat::UtcSuffix(f)));
        all.extend(LOCAL_FORMATS.iter().map(|&f| TimeFormat::Local(f)));
        all.extend(DATE_FORMATS.iter().map(|&f| TimeFormat::Date(f)));
        let (first, second) = match order {
            DateOrder::DayFirst => (&DAY_FIRST_FORMATS[..], &MONTH_FIRST_FORMATS[..]),
            DateOrder::MonthFirst => (&MONTH_FIRST_FORMATS[..], &DAY_FIRST_FORMATS[..]),
        };
        for &format in first.iter().chain(second) {
            all.push(if format.contains("%H") || format.contains("%I") { TimeFormat::Local(format) } else { TimeFormat::Date(format) });
        }
        all.push(TimeFormat::Rfc2822);
        all.push(TimeFormat::Date(COMPACT_DATE));
        all
    }

    /// Parses one value in the time zone `zone`. Returns `None` when the value does not fit.
    /// To parse a whole column, build a [`TimeParser`] once instead.
    pub fn parse(&self, value: &str, zone: Tz) -> Option<Instant> {
        TimeParser::new(*self).parse(value, zone)
    }
}

/// A [`TimeFormat`] with its format string compiled once, for parsing many values.
#[derive(Debug, Clone)]
pub struct TimeParser {
    pub format: TimeFormat,
    items: Vec<Item<'static>>,
    /// For [`TimeFormat::Offset`], the same format without the offset, for values ending in `Z`.
    utc_items: Vec<Item<'static>>,
    /// Formats of the same family, tried when `format` does not fit a value: see
    /// [`TimeParser::for_column`].
    fallbacks: Vec<TimeParser>,
}

/// A parser is stored as its column's format and built again on reading.
impl serde::Serialize for TimeParser {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.format.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for TimeParser {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TimeParser, D::Error> {
        TimeFormat::deserialize(deserializer).map(TimeParser::for_column)
    }
}

impl TimeParser {
    /// Builds a parser for a whole column. A value that does not fit the column's format is
    /// tried with the other formats of its family, which share the order of year, month and
    /// day: ISO 8601 with or without seconds, offset or time of day; or all day-first; or all
    /// month-first forms. So `2024-01-01 10:00` fits a `10:00:00` column, but the day/month
    /// order is never guessed row by row.
    pub fn for_column(format: TimeFormat) -> TimeParser {
        let mut parser = TimeParser::new(format);
        parser.fallbacks = family(format).into_iter().filter(|&other| other != format).map(TimeParser::new).collect();
        parser
    }

    pub fn new(format: TimeFormat) -> TimeParser {
        let compile = |text: &'static str| StrftimeItems::new(text).parse().unwrap_or_default();
        let (items, utc_items) = match format {
            TimeFormat::Epoch | TimeFormat::Rfc2822 | TimeFormat::SpreadsheetSerial => (Vec::new(), Vec::new()),
            TimeFormat::Offset(text) => (compile(text), compile(text.strip_suffix("%#z").unwrap_or(text))),
            TimeFormat::UtcSuffix(text) | TimeFormat::Local(text) | TimeFormat::Date(text) => (compile(text), Vec::new()),
        };
        TimeParser { format, items, utc_items, fallbacks: Vec::new() }
    }

    /// Parses one value in the time zone `zone`. Returns `None` when the value does not fit.
    pub fn parse(&self, value: &str, zone: Tz) -> Option<Instant> {
        self.parse_own(value, zone).or_else(|| self.fallbacks.iter().find_map(|fallback| fallback.parse_own(value, zone)))
    }

    fn parse_own(&self, value: &str, zone: Tz) -> Option<Instant> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match self.format {
            TimeFormat::Epoch => parse_epoch(value),
            TimeFormat::Offset(_) => match value.strip_suffix(['Z', 'z']) {
                Some(head) => {
                    let naive = fields(head, &self.utc_items)?.to_naive_datetime_with_offset(0).ok()?;
                    Some(Instant::exact(naive.and_utc().timestamp_millis()))
                }
                None => {
                    let time = fields(value, &self.items)?.to_datetime().ok()?;
                    Some(Instant::exact(time.timestamp_millis()))
                }
            },
            TimeFormat::UtcSuffix(_) => {
                let head = value.strip_suffix(" UTC").or_else(|| value.strip_suffix(" utc"))?;
                let naive = fields(head.trim_end(), &self.items)?.to_naive_datetime_with_offset(0).ok()?;
                Some(Instant::exact(naive.and_utc().timestamp_millis()))
            }
            TimeFormat::Local(_) => {
                let naive = fields(value, &self.items)?.to_naive_datetime_with_offset(0).ok()?;
                Some(place_local(naive, zone, false))
            }
            TimeFormat::Date(format) => {
                if format == COMPACT_DATE && value.len() != 8 {
                    return None;
                }
                let date = fields(value, &self.items)?.to_naive_date().ok()?;
                Some(place_local(date.and_hms_opt(0, 0, 0)?, zone, true))
            }
            TimeFormat::Rfc2822 => {
                let time = DateTime::parse_from_rfc2822(value).ok()?;
                Some(Instant::exact(time.timestamp_millis()))
            }
            TimeFormat::SpreadsheetSerial => {
                let serial: f64 = value.parse().ok()?;
                if !(SERIAL_PLACEHOLDER_BELOW..SERIAL_RANGE.end).contains(&serial) {
                    return None;
                }
                let millis = ((serial - SERIAL_EPOCH_OFFSET_DAYS) * DAY_MS as f64).round() as i64;
                let naive = DateTime::from_timestamp_millis(millis)?.naive_utc();
                Some(place_local(naive, zone, serial.fract() == 0.0))
            }
        }
    }

    /// Returns why `value` counts as a placeholder rather than a time, for formats that have
    /// placeholders: spreadsheet serials within 1900, including the nonexistent 29 February.
    pub fn placeholder(&self, value: &str) -> Option<&'static str> {
        if self.format != TimeFormat::SpreadsheetSerial {
            return None;
        }
        let serial: f64 = value.trim().parse().ok()?;
        if serial == 60.0 {
            Some("spreadsheet serial 60 is 29 February 1900, a date that never existed")
        } else if (0.0..SERIAL_PLACEHOLDER_BELOW).contains(&serial) {
            Some("spreadsheet serials within 1900 are placeholders for a missing date")
        } else {
            None
        }
    }
}

/// Splits `value` into date and time fields with compiled format items.
fn fields(value: &str, items: &[Item<'static>]) -> Option<Parsed> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, value, items.iter()).ok()?;
    Some(parsed)
}

impl Instant {
    fn exact(millis: i64) -> Instant {
        Instant { millis, date_only: false, shifted: false, epoch_unit: None }
    }
}

/// Returns true for column names that show the column contains dates, such as `created`,
/// `won_date` or `Close Date`. Only such columns may hold spreadsheet serials.
pub fn is_date_name(column: &str) -> bool {
    let lower = column.to_lowercase();
    ["date", "time", "day", "created", "closed", "won", "lost", "updated", "_at", "when", "stamp"]
        .iter()
        .any(|word| lower.contains(word))
}

/// Chooses the format that parses the most of `values` (up to [`INFERENCE_SAMPLE`] non-empty
/// ones) of the column named `column`. Returns `None` when no format parses any of them.
pub fn infer_format<'a>(column: &str, values: impl IntoIterator<Item = &'a str>, order: DateOrder) -> Option<Inferred> {
    let sample: Vec<&str> = values
        .into_iter()
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .take(INFERENCE_SAMPLE)
        .collect();
    if sample.is_empty() {
        return None;
    }
    let zone = Tz::UTC;
    let mut best: Option<(TimeFormat, usize)> = None;
    let mut fits_all = Vec::new();
    let epoch_allowed = plausible_epoch(&sample);
    for candidate in TimeFormat::candidates(order, is_date_name(column) && mostly_serials(&sample)) {
        if candidate == TimeFormat::Epoch && !epoch_allowed {
            continue;
        }
        let parser = TimeParser::new(candidate);
        let parsed = sample.iter().filter(|value| parser.parse(value, zone).is_some() || parser.placeholder(value).is_some()).count();
        if parsed == sample.len() {
            fits_all.push(candidate);
        }
        if parsed > best.map_or(0, |(_, count)| count) {
            best = Some((candidate, parsed));
        }
    }
    let (format, parsed) = best?;
    let ambiguous_order = is_day_month(format) && fits_all.iter().any(|other| is_day_month(*other) && !same_order(format, *other));
    Some(Inferred { format, parsed, sampled: sample.len(), ambiguous_order })
}

/// Returns the formats that write year, month and day in the same order as `format`.
fn family(format: TimeFormat) -> Vec<TimeFormat> {
    let iso = || {
        let mut all: Vec<TimeFormat> = OFFSET_FORMATS.iter().map(|&f| TimeFormat::Offset(f)).collect();
        all.extend(LOCAL_FORMATS.iter().map(|&f| TimeFormat::UtcSuffix(f)));
        all.extend(LOCAL_FORMATS.iter().map(|&f| TimeFormat::Local(f)));
        all.extend(DATE_FORMATS.iter().map(|&f| TimeFormat::Date(f)));
        all
    };
    let slashed = |formats: &[&'static str]| -> Vec<TimeFormat> {
        formats
            .iter()
            .map(|&f| if f.contains("%H") || f.contains("%I") { TimeFormat::Local(f) } else { TimeFormat::Date(f) })
            .collect()
    };
    match format {
        TimeFormat::Offset(_) | TimeFormat::UtcSuffix(_) => iso(),
        TimeFormat::Local(text) | TimeFormat::Date(text) if text.starts_with("%Y") && text != COMPACT_DATE => iso(),
        TimeFormat::Local(text) | TimeFormat::Date(text) if text.starts_with("%d") => slashed(&DAY_FIRST_FORMATS),
        TimeFormat::Local(text) | TimeFormat::Date(text) if text.starts_with("%m") => slashed(&MONTH_FIRST_FORMATS),
        _ => Vec::new(),
    }
}

/// Returns the same format with day and month swapped, for day-first and month-first formats.
pub fn swapped_order(format: TimeFormat) -> Option<TimeFormat> {
    if !is_day_month(format) {
        return None;
    }
    let swap = |text: &'static str| -> Option<&'static str> {
        let swapped = text.replace("%d", "#").replace("%m", "%d").replace('#', "%m");
        DAY_FIRST_FORMATS.iter().chain(&MONTH_FIRST_FORMATS).copied().find(|candidate| *candidate == swapped)
    };
    match format {
        TimeFormat::Local(text) => swap(text).map(TimeFormat::Local),
        TimeFormat::Date(text) => swap(text).map(TimeFormat::Date),
        _ => None,
    }
}

/// Returns true when at least half the values are serials of real dates and at least 90% are
/// serials or placeholders.
fn mostly_serials(sample: &[&str]) -> bool {
    let numbers: Vec<f64> = sample.iter().filter_map(|value| value.parse::<f64>().ok()).collect();
    let real = numbers.iter().filter(|number| SERIAL_RANGE.contains(number)).count();
    let placeholders = numbers.iter().filter(|number| (0.0..SERIAL_PLACEHOLDER_BELOW).contains(*number)).count();
    real > 0 && real * 2 >= sample.len() && (real + placeholders) * 10 >= sample.len() * 9
}

/// Epoch numbers must look like timestamps, not counts or ids: at least 9 digits.
fn plausible_epoch(sample: &[&str]) -> bool {
    sample.iter().all(|value| value.trim_start_matches('-').len() >= 9)
}

fn is_day_month(format: TimeFormat) -> bool {
    let text = match format {
        TimeFormat::Local(text) | TimeFormat::Date(text) => text,
        _ => return false,
    };
    text.starts_with("%d") || text.starts_with("%m")
}

fn same_order(a: TimeFormat, b: TimeFormat) -> bool {
    let first = |format: TimeFormat| match format {
        TimeFormat::Local(text) | TimeFormat::Date(text) => text.as_bytes().get(1).copied(),
        _ => None,
    };
    first(a) == first(b)
}

fn parse_epoch(value: &str) -> Option<Instant> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i64 = value.parse().ok()?;
    let (unit, millis) = match digits.len() {
        0..=11 => (EpochUnit::Seconds, number.checked_mul(1000)?),
        12..=14 => (EpochUnit::Millis, number),
        15..=17 => (EpochUnit::Micros, number / 1000),
        18..=20 => (EpochUnit::Nanos, number / 1_000_000),
        _ => return None,
    };
    Some(Instant { millis, date_only: false, shifted: false, epoch_unit: Some(unit) })
}

/// Places a local date and time in `zone`, following the daylight-saving rule in the module doc.
fn place_local(naive: NaiveDateTime, zone: Tz, date_only: bool) -> Instant {
    let (millis, shifted) = match zone.from_local_datetime(&naive) {
        LocalResult::Single(time) => (time.timestamp_millis(), false),
        LocalResult::Ambiguous(earlier, _) => (earlier.timestamp_millis(), true),
        LocalResult::None => {
            // Read the time with the offset in force just before the gap, which moves it forward
            // by the gap's length. Gaps last at most a few hours.
            let mut probe = naive;
            let mut millis = None;
            for _ in 0..(6 * 60) {
                probe -= chrono::Duration::minutes(1);
                if let LocalResult::Single(time) = zone.offset_from_local_datetime(&probe) {
                    let offset_seconds = i64::from(time.fix().local_minus_utc());
                    millis = Some(naive.and_utc().timestamp_millis() - offset_seconds * 1000);
                    break;
                }
            }
            (millis.unwrap_or_else(|| naive.and_utc().timestamp_millis()), true)
        }
    };
    Instant { millis, date_only, shifted, epoch_unit: None }
}

/// Parses an IANA time-zone name such as `Europe/Paris` or `UTC`.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// Formats milliseconds since the epoch as RFC 3339 in UTC.
pub fn to_rfc3339(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| millis.to_string())
}

fn pattern_for_people(format: &str) -> String {
    format
        .replace("%Y", "YYYY")
        .replace("%m", "MM")
        .replace("%d", "DD")
        .replace("%H", "hh")
        .replace("%I", "hh")
        .replace("%p", "AM/PM")
        .replace("%M", "mm")
        .replace("%S", "ss")
        .replace("%.f", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(value: &str, format: TimeFormat) -> String {
        to_rfc3339(format.parse(value, Tz::UTC).unwrap().millis)
    }

    fn infer(values: &[&str]) -> Inferred {
        infer_format("ts", values.iter().copied(), DateOrder::DayFirst).unwrap()
    }

    #[test]
    fn offset_is_converted_not_relabelled() {
        let inferred = infer(&["2024-07-23T10:00:00+05:00", "2024-07-23T06:00:00+00:00"]);
        assert_eq!(utc("2024-07-23T10:00:00+05:00", inferred.format), "2024-07-23T05:00:00Z");
        assert_eq!(utc("2024-07-23T06:00:00+00:00", inferred.format), "2024-07-23T06:00:00Z");
    }

    #[test]
    fn space_separated_with_fraction_and_offset() {
        let inferred = infer(&["2011-10-11 13:45:40.276000+02:00"]);
        let instant = inferred.format.parse("2011-10-11 13:45:40.276000+02:00", Tz::UTC).unwrap();
        assert_eq!(to_rfc3339(instant.millis), "2011-10-11T11:45:40Z");
        assert_eq!(instant.millis % 1000, 276);
    }

    #[test]
    fn zulu_suffix() {
        let inferred = infer(&["2024-03-22T13:01:00Z"]);
        assert!(matches!(inferred.format, TimeFormat::Offset(_)));
        assert_eq!(utc("2024-03-22T13:01:00Z", inferred.format), "2024-03-22T13:01:00Z");
    }

    #[test]
    fn utc_suffix() {
        let inferred = infer(&["2019-10-01 00:00:00 UTC"]);
        assert!(matches!(inferred.format, TimeFormat::UtcSuffix(_)));
        let paris = parse_zone("Europe/Paris").unwrap();
        let instant = inferred.format.parse("2019-10-01 00:00:00 UTC", paris).unwrap();
        assert_eq!(to_rfc3339(instant.millis), "2019-10-01T00:00:00Z");
    }

    #[test]
    fn local_time_uses_the_zone() {
        let inferred = infer(&["2024-01-15 10:00:00"]);
        let paris = parse_zone("Europe/Paris").unwrap();
        let instant = inferred.format.parse("2024-01-15 10:00:00", paris).unwrap();
        assert_eq!(to_rfc3339(instant.millis), "2024-01-15T09:00:00Z");
    }

    #[test]
    fn epoch_units_by_magnitude() {
        let inferred = infer(&["1704067200000000", "1704067260000000"]);
        assert_eq!(inferred.format, TimeFormat::Epoch);
        assert_eq!(utc("1704067200000000", TimeFormat::Epoch), "2024-01-01T00:00:00Z");
        assert_eq!(utc("1704067200000", TimeFormat::Epoch), "2024-01-01T00:00:00Z");
        assert_eq!(utc("1704067200", TimeFormat::Epoch), "2024-01-01T00:00:00Z");
        assert_eq!(utc("1704067200000000000", TimeFormat::Epoch), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn small_integers_are_not_epochs() {
        assert!(infer_format("ts", ["7", "120"], DateOrder::DayFirst).is_none());
    }

    #[test]
    fn day_first_proved_by_a_value() {
        let inferred = infer_format("ts", ["03/04/2024", "25/12/2024"], DateOrder::MonthFirst).unwrap();
        assert!(!inferred.ambiguous_order);
        assert_eq!(utc("03/04/2024", inferred.format), "2024-04-03T00:00:00Z");
    }

    #[test]
    fn month_first_proved_by_a_value() {
        let inferred = infer(&["03/04/2024", "12/31/2024"]);
        assert!(!inferred.ambiguous_order);
        assert_eq!(utc("03/04/2024", inferred.format), "2024-03-04T00:00:00Z");
    }

    #[test]
    fn undecided_order_is_flagged() {
        let inferred = infer(&["03/04/2024", "05/06/2024"]);
        assert!(inferred.ambiguous_order);
        assert_eq!(utc("03/04/2024", inferred.format), "2024-04-03T00:00:00Z");
    }

    #[test]
    fn olist_day_first_with_minutes() {
        let inferred = infer(&["26-02-2018 19:58", "08-05-2018 20:17"]);
        assert_eq!(utc("26-02-2018 19:58", inferred.format), "2018-02-26T19:58:00Z");
    }

    #[test]
    fn date_only_keeps_day_precision() {
        let inferred = infer(&["2024-01-01"]);
        let instant = inferred.format.parse("2024-01-01", Tz::UTC).unwrap();
        assert!(instant.date_only);
    }

    #[test]
    fn daylight_saving_gap_moves_forward() {
        let paris = parse_zone("Europe/Paris").unwrap();
        let format = TimeFormat::Local("%Y-%m-%d %H:%M:%S%.f");
        let instant = format.parse("2024-03-31 02:30:00", paris).unwrap();
        assert!(instant.shifted);
        assert_eq!(to_rfc3339(instant.millis), "2024-03-31T01:30:00Z");
    }

    #[test]
    fn daylight_saving_overlap_takes_the_earlier_instant() {
        let paris = parse_zone("Europe/Paris").unwrap();
        let format = TimeFormat::Local("%Y-%m-%d %H:%M:%S%.f");
        let instant = format.parse("2024-10-27 02:30:00", paris).unwrap();
        assert!(instant.shifted);
        assert_eq!(to_rfc3339(instant.millis), "2024-10-27T00:30:00Z");
    }

    #[test]
    fn twelve_hour_times() {
        let inferred = infer(&["03/01/2024 9:04:00 AM", "03/13/2024 1:15:00 PM"]);
        assert_eq!(utc("03/01/2024 9:04:00 AM", inferred.format), "2024-03-01T09:04:00Z");
        assert_eq!(utc("03/13/2024 1:15:00 PM", inferred.format), "2024-03-13T13:15:00Z");
    }

    #[test]
    fn column_parser_reads_its_whole_family() {
        let parser = TimeParser::for_column(TimeFormat::Local("%Y-%m-%d %H:%M:%S%.f"));
        assert_eq!(to_rfc3339(parser.parse("2024-01-01 10:00", Tz::UTC).unwrap().millis), "2024-01-01T10:00:00Z");
        assert!(parser.parse("2024-01-01", Tz::UTC).unwrap().date_only);
        assert_eq!(to_rfc3339(parser.parse("2024-01-01T10:00:00+01:00", Tz::UTC).unwrap().millis), "2024-01-01T09:00:00Z");
        let day_first = TimeParser::for_column(TimeFormat::Date("%d/%m/%Y"));
        assert_eq!(to_rfc3339(day_first.parse("1/2/2024 9:05", Tz::UTC).unwrap().millis), "2024-02-01T09:05:00Z");
        assert!(day_first.parse("12/25/2024", Tz::UTC).is_none(), "never switches to month first");
    }

    #[test]
    fn rfc_2822() {
        let inferred = infer(&["Tue, 1 Jul 2003 10:52:37 +0200"]);
        assert_eq!(inferred.format, TimeFormat::Rfc2822);
        assert_eq!(utc("Tue, 1 Jul 2003 10:52:37 +0200", inferred.format), "2003-07-01T08:52:37Z");
    }

    #[test]
    fn compact_dates() {
        let inferred = infer(&["19970101", "19970312"]);
        assert_eq!(inferred.format, TimeFormat::Date(COMPACT_DATE));
        assert_eq!(utc("19970312", inferred.format), "1997-03-12T00:00:00Z");
    }

    #[test]
    fn spreadsheet_serials_in_a_date_column() {
        let values = ["45292", "45306", "1", "45300.5"];
        let inferred = infer_format("created", values, DateOrder::DayFirst).unwrap();
        assert_eq!(inferred.format, TimeFormat::SpreadsheetSerial);
        assert_eq!(inferred.parsed, 4);
        let parser = TimeParser::new(inferred.format);
        assert_eq!(to_rfc3339(parser.parse("45292", Tz::UTC).unwrap().millis), "2024-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(parser.parse("45306", Tz::UTC).unwrap().millis), "2024-01-15T00:00:00Z");
        assert_eq!(to_rfc3339(parser.parse("45300.5", Tz::UTC).unwrap().millis), "2024-01-09T12:00:00Z");
        assert!(parser.parse("1", Tz::UTC).is_none());
        assert!(parser.placeholder("1").is_some());
        assert!(parser.placeholder("60").unwrap().contains("never existed"));
        assert!(parser.placeholder("45292").is_none());
    }

    #[test]
    fn serials_need_a_date_name() {
        let values = ["45292", "45306", "45300"];
        assert!(infer_format("amount", values, DateOrder::DayFirst).is_none());
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(TimeFormat::Date("%d-%m-%Y").parse("01-May", Tz::UTC).is_none());
        assert!(infer_format("ts", ["hello", "world"], DateOrder::DayFirst).is_none());
    }
}
