//! Which property columns contain free-text answers and which one contains the "how did you hear
//! about us" answer.
//!
//! A column is free text when it has at least [`MIN_ANSWERS`] non-empty cells, at least half of
//! them distinct, a mean of at least two words with a letter per cell (so dates and times are not
//! free text), and no header word that marks personal details or tracked attribution
//! ([`NOT_TEXT_WORDS`], such as `name`, `email` or `source`).
//!
//! The channel column is the first property column, in load order, with a non-empty cell and a
//! header that asks where the respondent heard of the product: a header word that starts with one
//! of [`CHANNEL_WORD_PREFIXES`], or the word `source` together with a question word or
//! `self`/`reported` ([`SOURCE_QUALIFIERS`]). Tracked columns such as `utm_source`,
//! `traffic_source.source`, `Original Source` or `$referring_domain` do not qualify.


use crate::error::Error;
use crate::model::{EventLog, NONE};

/// Non-empty cells a column needs before it can count as free text.
pub const MIN_ANSWERS: usize = 3;

/// Share of distinct values among non-empty cells that a free-text column needs.
pub const MIN_DISTINCT_SHARE: f64 = 0.5;

/// Mean words with at least one letter per non-empty cell that a free-text column needs.
pub const MIN_MEAN_WORDS: f64 = 2.0;

/// Starts of header words that mark a self-reported channel question, such as "How did you hear
/// about us?", "Where did you find us?" or "Who referred you?".
pub const CHANNEL_WORD_PREFIXES: &[&str] = &["hear", "find", "found", "referred"];

/// Header words that make a `source` header a self-reported one, such as "Which source?" or
/// "Source (self-reported)".
pub const SOURCE_QUALIFIERS: &[&str] = &["how", "reported", "self", "what", "where", "which"];

/// Header words of columns with personal details, tracked attribution or page titles rather than
/// answers.
pub const NOT_TEXT_WORDS: &[&str] = &[
    "address", "campaign", "channel", "city", "company", "country", "domain", "email", "id", "ip", "mail", "medium", "name", "phone",
    "referrer", "source", "title", "url", "utm", "zip",
];

/// Returns the property index of the channel column: the user's, or the detected one.
pub fn channel_column(log: &EventLog, named: Option<&str>) -> Result<Option<usize>, Error> {
    if let Some(name) = named.map(str::trim).filter(|name| !name.is_empty()) {
        return find(log, name, "voice.channel_column").map(Some);
    }
    Ok(log.properties.iter().position(|property| asks_for_channel(&property.name) && property.codes.iter().any(|&code| code != NONE)))
}

/// Applies the channel-question rule of the module documentation to a header.
fn asks_for_channel(header: &str) -> bool {
    let lower = header.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect();
    let asks = words.iter().any(|word| CHANNEL_WORD_PREFIXES.iter().any(|prefix| word.starts_with(prefix)));
    let qualified_source = words.contains(&"source") && words.iter().any(|word| SOURCE_QUALIFIERS.contains(word));
    asks || qualified_source
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
    // Each distinct value is split into words once, and counted as often as it occurs.
    let mut occurrences = vec![0usize; property.values.len()];
    for &code in &property.codes {
        if let Some(count) = occurrences.get_mut(code as usize) {
            *count += 1;
        }
    }
    let (mut cells, mut words, mut distinct) = (0usize, 0usize, 0usize);
    for (code, &count) in occurrences.iter().enumerate().filter(|&(_, &count)| count > 0) {
        let text = property.values.name(code as u32).trim();
        if text.is_empty() {
            continue;
        }
        cells += count;
        words += count * text.split_whitespace().filter(|word| word.chars().any(char::is_alphabetic)).count();
        distinct += 1;
    }
    cells >= MIN_ANSWERS && distinct as f64 >= MIN_DISTINCT_SHARE * cells as f64 && words as f64 >= MIN_MEAN_WORDS * cells as f64
}

/// Returns the index of a property column named by an option, or an error listing the columns.
fn find(log: &EventLog, name: &str, option: &str) -> Result<usize, Error> {
    log.find_property(name).ok_or_else(|| {
        let known: Vec<&str> = log.properties.iter().take(12).map(|property| property.name.as_str()).collect();
        let listed = if known.is_empty() { "none".to_string() } else { known.join(", ") };
        Error::Options(format!("The {option} option names the column \"{name}\", which no loaded file has. Name a loaded property column; they include: {listed}."))
    })
}
