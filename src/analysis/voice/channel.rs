//! Self-reported channels ("how did you hear about us") normalised to channel names and compared
//! with each respondent's tracked first touch.
//!
//! An answer is normalised in this order, and the first rule that matches wins:
//! 1. the whole answer equals a channel name of the data;
//! 2. a word of the answer equals a channel name of the data (names of three or more characters);
//! 3. a word or phrase of the answer is in [`SYNONYMS`], which gives a generic channel such as
//!    `search`; that generic name then becomes the data's channel of the same name, or else the
//!    first channel, in alphabetical order, with the generic name among its words (so `search`
//!    becomes `organic_search`), or else stays as it is;
//! 4. otherwise the answer is unrecognised.
//!
//! Names are compared in lower case with every run of characters other than letters and digits
//! read as one space, so `Organic_Search` and "organic search" are the same name.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text::fold_plural;

/// Words and phrases of self-reported answers with the generic channel they name. Paid words come
/// first, so that "Google ad" is paid rather than search.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("ad", "paid"),
    ("ads", "paid"),
    ("advert", "paid"),
    ("advertisement", "paid"),
    ("advertising", "paid"),
    ("sponsored", "paid"),
    ("ppc", "paid"),
    ("adword", "paid"),
    ("banner", "paid"),
    ("newsletter", "email"),
    ("email", "email"),
    ("e mail", "email"),
    ("mail", "email"),
    ("mailing", "email"),
    ("facebook", "social"),
    ("instagram", "social"),
    ("tiktok", "social"),
    ("linkedin", "social"),
    ("twitter", "social"),
    ("youtube", "social"),
    ("reddit", "social"),
    ("pinterest", "social"),
    ("social", "social"),
    ("word of mouth", "referral"),
    ("friend", "referral"),
    ("colleague", "referral"),
    ("coworker", "referral"),
    ("recommendation", "referral"),
    ("recommended", "referral"),
    ("referral", "referral"),
    ("referred", "referral"),
    ("google", "search"),
    ("bing", "search"),
    ("duckduckgo", "search"),
    ("yahoo", "search"),
    ("search", "search"),
    ("podcast", "podcast"),
    ("conference", "event"),
    ("webinar", "event"),
    ("meetup", "event"),
    ("event", "event"),
    ("direct", "direct"),
];

/// The column header for respondents without a tracked touch in the confusion table.
pub const NO_TRACKED_TOUCH: &str = "(none)";

/// One cell of the confusion table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionCell {
    /// The normalised self-reported channel.
    pub reported: String,
    /// The tracked first-touch channel, or `(none)`.
    pub tracked: String,
    pub people: u64,
}

/// Self-reported channels against tracked first touches, one respondent each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelComparison {
    /// The property column with the self-reported answers.
    pub column: String,
    /// People with a non-empty answer (their first one in journey order).
    pub respondents: u64,
    /// Respondents whose answer matched no channel name or synonym.
    pub unrecognised: u64,
    /// Respondents with a recognised answer and a tracked first touch.
    pub compared: u64,
    /// Compared respondents whose normalised answer equals their tracked first touch.
    pub agree: u64,
    /// `agree / compared`; `None` when no respondent could be compared.
    pub agreement_share: Option<f64>,
    /// Respondents without any tracked touch, recognised or not.
    pub no_tracked_touch: u64,
    /// `no_tracked_touch / respondents`; `None` without respondents.
    pub no_tracked_share: Option<f64>,
    /// Recognised answers by tracked first touch; non-zero cells only, ordered by reported
    /// channel and then tracked channel.
    pub cells: Vec<ConfusionCell>,
}

/// Returns a name in lower case with every run of other characters than letters and digits as one
/// space.
pub fn normalise_name(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps an answer to a channel name by the rules in the module documentation; `None` when
/// unrecognised. `channels` are the data's tracked channel names.
pub fn normalise_answer(answer: &str, channels: &[&str]) -> Option<String> {
    let key = normalise_name(answer);
    if key.is_empty() {
        return None;
    }
    let mut known: Vec<(String, &str)> = channels.iter().map(|&name| (normalise_name(name), name)).collect();
    known.sort();
    if let Some((_, name)) = known.iter().find(|(normal, _)| *normal == key) {
        return Some(name.to_string());
    }
    let words: Vec<String> = key.split(' ').map(fold_plural).collect();
    let raw_words: Vec<&str> = key.split(' ').collect();
    let has_word = |word: &str| words.iter().any(|candidate| candidate == word) || raw_words.contains(&word);
    if let Some((_, name)) = known.iter().find(|(normal, _)| normal.chars().count() >= 3 && has_word(normal)) {
        return Some(name.to_string());
    }
    let padded = format!(" {key} ");
    let generic = SYNONYMS
        .iter()
        .find(|(phrase, _)| if phrase.contains(' ') { padded.contains(&format!(" {phrase} ")) } else { has_word(phrase) })
        .map(|&(_, generic)| generic)?;
    if let Some((_, name)) = known.iter().find(|(normal, _)| normal == generic) {
        return Some(name.to_string());
    }
    if let Some((_, name)) = known.iter().find(|(normal, _)| normal.split(' ').any(|word| word == generic)) {
        return Some(name.to_string());
    }
    Some(generic.to_string())
}

/// Builds the comparison from one (answer, tracked first touch) pair per respondent.
pub fn compare(column: &str, pairs: &[(String, Option<String>)], channels: &[&str]) -> ChannelComparison {
    let mut cells: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut unrecognised, mut compared, mut agree, mut no_tracked_touch) = (0u64, 0u64, 0u64, 0u64);
    for (answer, tracked) in pairs {
        if tracked.is_none() {
            no_tracked_touch += 1;
        }
        let Some(reported) = normalise_answer(answer, channels) else {
            unrecognised += 1;
            continue;
        };
        if let Some(tracked) = tracked {
            compared += 1;
            agree += u64::from(&reported == tracked);
        }
        let column_name = tracked.clone().unwrap_or_else(|| NO_TRACKED_TOUCH.to_string());
        *cells.entry((reported, column_name)).or_insert(0) += 1;
    }
    let respondents = pairs.len() as u64;
    ChannelComparison {
        column: column.to_string(),
        respondents,
        unrecognised,
        compared,
        agree,
        agreement_share: (compared > 0).then(|| agree as f64 / compared as f64),
        no_tracked_touch,
        no_tracked_share: (respondents > 0).then(|| no_tracked_touch as f64 / respondents as f64),
        cells: cells.into_iter().map(|((reported, tracked), people)| ConfusionCell { reported, tracked, people }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNELS: &[&str] = &["organic_search", "paid_social", "Referral", "email", "podcast"];

    #[test]
    fn data_channel_names_first() {
        assert_eq!(normalise_answer("Organic search", CHANNELS).as_deref(), Some("organic_search"));
        assert_eq!(normalise_answer("A podcast I like", CHANNELS).as_deref(), Some("podcast"));
    }

    #[test]
    fn synonyms_map_to_data_channels() {
        assert_eq!(normalise_answer("Google", CHANNELS).as_deref(), Some("organic_search"));
        assert_eq!(normalise_answer("a friend told me", CHANNELS).as_deref(), Some("Referral"));
        assert_eq!(normalise_answer("Word of mouth", CHANNELS).as_deref(), Some("Referral"));
        assert_eq!(normalise_answer("Instagram", CHANNELS).as_deref(), Some("paid_social"));
        assert_eq!(normalise_answer("your newsletter", CHANNELS).as_deref(), Some("email"));
    }

    #[test]
    fn paid_words_win_over_search() {
        assert_eq!(normalise_answer("Google ads", &[]).as_deref(), Some("paid"));
    }

    #[test]
    fn generic_name_without_data_channel() {
        assert_eq!(normalise_answer("At a conference", CHANNELS).as_deref(), Some("event"));
    }

    #[test]
    fn unrecognised_answer() {
        assert_eq!(normalise_answer("Can't remember", CHANNELS), None);
        assert_eq!(normalise_answer("  ", CHANNELS), None);
    }

    #[test]
    fn compare_counts() {
        let pairs = vec![
            ("Google".to_string(), Some("organic_search".to_string())),
            ("Friend".to_string(), Some("organic_search".to_string())),
            ("Podcast".to_string(), None),
            ("No idea".to_string(), Some("email".to_string())),
        ];
        let comparison = compare("heard", &pairs, CHANNELS);
        assert_eq!(comparison.respondents, 4);
        assert_eq!(comparison.unrecognised, 1);
        assert_eq!(comparison.compared, 2);
        assert_eq!(comparison.agree, 1);
        assert_eq!(comparison.agreement_share, Some(0.5));
        assert_eq!(comparison.no_tracked_touch, 1);
        assert_eq!(comparison.no_tracked_share, Some(0.25));
        assert_eq!(comparison.cells.len(), 3);
        assert_eq!(comparison.cells[2], ConfusionCell { reported: "podcast".to_string(), tracked: "(none)".to_string(), people: 1 });
    }
}
