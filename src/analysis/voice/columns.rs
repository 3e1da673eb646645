//! Which property columns contain free-text answers and which one contains the "how did you hear
//! about us" answer.
//!
//! A column is free text when it has at least [`MIN_ANSWERS`] non-empty cells, at least half of
//! them distinct, a mean of at least two words per cell, and no header word that marks personal
//! details ([`NOT_TEXT_WORDS`], such as `name` or `email`). The channel column is the first property
//! column, in load order, whose lower-cased header contains one of [`CHANNEL_KEYWORDS`] and does
//! not start with `utm`, because UTM parameters are tracked, not self-reported.

use rustc_hash::FxHashSet as HashSet;

use crate::error::Error;
use crate::model::{EventLog, NONE};

/// Non-empty cells a column needs before it can count as free text.
pub const MIN_ANSWERS: usize = 3;

/// Share of distinct values among non-empty cells that a free-text column needs.
pub const MIN_DISTINCT_SHARE: f64 = 0.5;

/// Mean words per non-empty cell that a free-text column needs.
pub const MIN_MEAN_WORDS: f64 = 2.0;

/// Header parts of a self-reported channel question.
pub const CHANNEL_KEYWORDS: &[&str] = &["hear", "find", "found", "source", "referr"];

/// Header words of columns with personal details rather than answers.
pub const NOT_TEXT_WORDS: &[&str] = &["address", "city", "company", "country", "email", "id", "ip", "mail", "name", "phone", "url", "zip"];

/// Returns the property index of the channel column: the user's, or the detected one.
///
/// NOTE: the Typeform and SurveyMonkey presets map the "how did you hear about us" question to the
/// event channel rather than to a property, so with those presets no channel column is found.
pub fn channel_column(log: &EventLog, named: Option<&str>) -> Result<Option<usize>, Error> {
    if let Some(name) = named.map(str::trim).filter(|name| !name.is_empty()) {
        return find(log, name, "voice.channel_column").map(Some);
    }
    Ok(log.properties.iter().position(|property| {
        let header = property.name.to_lowercase();
        !header.starts_with("utm") && CHANNEL_KEYWORDS.iter().any(|keyword| header.contains(keyword)) && property.codes.iter().any(|&code| code != NONE)
    }))
}

/// Returns the property indexes of the free-text columns, the user's or the detected ones, and
/// whether they were detected. The channel column is never detected as free text.
pub fn text_columns(log: &EventLog, named: &[String], channel: Option<usize>) -> Result<(Vec<usize>, bool), Error> {
    let named: Vec<&str> = named.iter().map(|name| name.trim()).filter(|name| !name.is_empty()).collect();
    if !named.is_empty() {
        let columns = named.iter().map(|name| find(log, name, "voice.text_columns")).collect::<Result<Vec<_>, _>>()?;
        return Ok((columns, false));
    }
    let columns = (0..log.properties.len()).filter(|&at| Some(at) != channel && looks_like_free_text(log, at)).collect();
    Ok((columns, true))
}

/// Applies the free-text rule of the module documentation to one property column.
fn looks_like_free_text(log: &EventLog, at: usize) -> bool {
    let Some(property) = log.properties.get(at) else { return false };
    let header_words: Vec<String> = property.name.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_string).collect();
    if header_words.iter().any(|word| NOT_TEXT_WORDS.contains(&word.as_str())) {
        return false;
    }
    let mut cells = 0usize;
    let mut words = 0usize;
    let mut distinct: HashSet<u32> = HashSet::default();
    for &code in &property.codes {
        if code == NONE {
            continue;
        }
        let text = property.values.name(code).trim();
        if text.is_empty() {
            continue;
        }
        cells += 1;
        words += text.split_whitespace().count();
        distinct.insert(code);
    }
    cells >= MIN_ANSWERS && distinct.len() as f64 >= MIN_DISTINCT_SHARE * cells as f64 && words as f64 >= MIN_MEAN_WORDS * cells as f64
}

/// Returns the index of a property column named by an option, or an error listing the columns.
fn find(log: &EventLog, name: &str, option: &str) -> Result<usize, Error> {
    log.find_property(name).ok_or_else(|| {
        let known: Vec<&str> = log.properties.iter().take(12).map(|property| property.name.as_str()).collect();
        let listed = if known.is_empty() { "none".to_string() } else { known.join(", ") };
        Error::Options(format!("The {option} option names the column \"{name}\", which is not among the loaded columns ({listed}). Name one of those columns."))
    })
}
