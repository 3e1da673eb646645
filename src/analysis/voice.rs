//! Voice of the customer: themes of free-text survey answers, where in the journey their authors
//! were, and self-reported channels against tracked first touches.
//!
//! A survey response is an event of its person with the answers in property columns. A response
//! is an event with a non-empty cell in any voice column (the free-text columns and the channel
//! column). Each (response, free-text column) pair is one answer: empty cells count as `empty`,
//! answers with no content word after [`text::tokenize`] count as `stop_words_only`, and the rest
//! are analysed. Analysed answers are ordered by person id, text and column before clustering, so
//! the themes do not depend on the order of the rows. docs/metrics.md defines every figure.

pub mod channel;
pub mod cluster;
pub mod columns;
pub mod journey;
pub mod periods;
pub mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::funnel::{self, FunnelOptions};
use super::{stages, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;
use channel::ChannelComparison;
use journey::{JourneyLink, Positions};
use text::{SparseVector, Vocabulary};

/// The largest number of themes that the silhouette rule tries.
pub const MAX_AUTO_THEMES: usize = 8;

/// Answers beyond which the number of themes is chosen on an evenly spaced subset of about this
/// many, because each k tried runs k-means several times.
pub const THEME_CHOICE_SAMPLE: usize = 5000;

/// The largest number of themes a user may request.
pub const MAX_THEMES: usize = 20;

/// Terms listed in the report's overall term table.
pub const TOP_TERMS: usize = 20;

/// Terms listed for each theme; the first three make its label.
pub const THEME_TERMS: usize = 5;

/// Example answers shown for each theme.
pub const EXAMPLES: usize = 3;

/// Key phrases listed overall.
pub const KEY_PHRASES: usize = 10;

/// Key phrases listed for each theme.
pub const THEME_KEY_PHRASES: usize = 3;

/// Answers a bigram needs to be a key phrase.
pub const MIN_PHRASE_ANSWERS: u64 = 2;

/// Options for the voice of the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceOptions {
    /// Property columns with free-text answers; empty to detect them.
    pub text_columns: Vec<String>,
    /// The "how did you hear about us" column; `None` to detect it from its header.
    pub channel_column: Option<String>,
    /// The number of themes; `None` to choose it by the silhouette.
    pub themes: Option<usize>,
}

/// The rule that chose the number of themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeCountRule {
    /// The user's `themes` option, lowered to the number of distinct answer vectors if larger.
    User,
    /// The k in 2..=8 with the highest mean silhouette, the smaller k on ties.
    Silhouette,
    /// Fewer than three distinct answer vectors, so each distinct vector is a theme.
    TooFewAnswers,
}

/// The mean silhouette of one tried number of themes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilhouetteScore {
    pub themes: usize,
    pub silhouette: f64,
}

/// A term over all analysed answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermWeight {
    pub term: String,
    /// Analysed answers that contain the term.
    pub answers: u64,
    /// ln((1 + n) / (1 + answers)) + 1 over n analysed answers.
    pub idf: f64,
    /// The term's TF-IDF weight averaged over every analysed answer (0 where absent).
    pub mean_weight: f64,
}

/// A frequent bigram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyPhrase {
    pub phrase: String,
    /// Analysed answers that contain it.
    pub answers: u64,
}

/// A term of a theme with its weight in the theme's mean TF-IDF vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeTerm {
    pub term: String,
    pub weight: f64,
}

/// A group of similar answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// The top three terms, joined by " / ".
    pub label: String,
    pub answers: u64,
    /// `answers` over all analysed answers.
    pub share: f64,
    pub terms: Vec<ThemeTerm>,
    pub key_phrases: Vec<KeyPhrase>,
    /// Up to three of the shortest answers among the half most similar to the theme's centre,
    /// as the customers wrote them.
    pub examples: Vec<String>,
}

/// The voice-of-the-customer part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceReport {
    pub text_columns: Vec<String>,
    /// True when the free-text columns were detected rather than named by the user.
    pub detected_columns: bool,
    /// The self-reported channel column; `None` when there is none.
    pub channel_column: Option<String>,
    /// Events with a non-empty cell in any voice column.
    pub responses: u64,
    /// People with at least one response.
    pub respondents: u64,
    /// Responses with an empty cell in a free-text column, counted per column.
    pub empty: u64,
    /// Answers without any content word.
    pub stop_words_only: u64,
    /// Answers with at least one content word, which the themes group.
    pub analysed: u64,
    pub theme_count_rule: ThemeCountRule,
    /// The silhouette of each k tried; empty unless the rule is `silhouette`.
    pub silhouettes: Vec<SilhouetteScore>,
    /// The terms with the highest mean weight, highest first, ties by term.
    pub terms: Vec<TermWeight>,
    pub key_phrases: Vec<KeyPhrase>,
    /// Largest theme first, ties by label.
    pub themes: Vec<Theme>,
    pub journey: JourneyLink,
    /// `None` without a self-reported channel column.
    pub channel: Option<ChannelComparison>,
    /// Theme counts by month of the answer, with growing themes; `None` without free-text answers
    /// or with synthetic times.
    pub by_month: Option<periods::ThemesByMonth>,
}

/// One analysed answer.
struct Answer<'a> {
    person: usize,
    person_id: &'a str,
    text: &'a str,
    column: usize,
    tokens: Vec<String>,
    /// The time of the response event.
    time_ms: i64,
}

/// One analysed answer with its theme, for listing the people behind a theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerTheme {
    /// The author's person id.
    pub person: String,
    /// The property column of the answer.
    pub column: String,
    pub text: String,
    /// Index in the report's themes.
    pub theme: usize,
}

/// Inputs from the rest of the analysis run.
pub struct VoiceInputs<'a> {
    pub conversion: &'a Conversion,
    /// The funnel, already checked by the funnel analysis; `None` without one.
    pub funnel: Option<&'a FunnelOptions>,
    pub stages: &'a [stages::StageDefinition],
    /// The load's time zone for the months; `None` with synthetic times, which have no months.
    pub zone: Option<chrono_tz::Tz>,
}

/// The voice columns and the answers collected from them.
struct Collected<'a> {
    text_columns: Vec<usize>,
    detected_columns: bool,
    channel_column: Option<usize>,
    voice_columns: Vec<usize>,
    responses: u64,
    respondents: u64,
    empty: u64,
    stop_words_only: u64,
    /// The event names of the responses, sorted.
    response_events: Vec<&'a str>,
    /// Ordered by person id, text and column.
    answers: Vec<Answer<'a>>,
}

/// The themes of the analysed answers.
struct Grouped {
    vocabulary: Vocabulary,
    vectors: Vec<SparseVector>,
    theme_count_rule: ThemeCountRule,
    silhouettes: Vec<SilhouetteScore>,
    themes: Vec<Theme>,
    /// Each answer's theme, in the order of the collected answers.
    assignment: Vec<usize>,
}

/// Computes the voice report, or `None` when the data has neither a free-text column nor a
/// self-reported channel column.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &VoiceOptions, inputs: &VoiceInputs) -> Result<Option<VoiceReport>, Error> {
    let Some(collected) = collect(log, journeys, options)? else { return Ok(None) };
    let grouped = group(&collected.answers, options.themes);
    let positions = positions(log, journeys, &collected, inputs)?;
    let journey = journey::link(&grouped.assignment, grouped.themes.len(), &positions);
    let channel = collected.channel_column.map(|column| compare_channels(log, journeys, column, &collected.voice_columns));
    let name = |column: usize| log.properties[column].name.clone();
    let by_month = match inputs.zone {
        Some(zone) if !collected.answers.is_empty() => {
            let times: Vec<i64> = collected.answers.iter().map(|answer| answer.time_ms).collect();
            Some(periods::by_month(&times, &grouped.assignment, grouped.themes.len(), zone))
        }
        _ => None,
    };
    Ok(Some(VoiceReport {
        text_columns: collected.text_columns.iter().map(|&column| name(column)).collect(),
        detected_columns: collected.detected_columns,
        channel_column: collected.channel_column.map(name),
        responses: collected.responses,
        respondents: collected.respondents,
        empty: collected.empty,
        stop_words_only: collected.stop_words_only,
        analysed: collected.answers.len() as u64,
        theme_count_rule: grouped.theme_count_rule,
        silhouettes: grouped.silhouettes,
        terms: top_terms(&grouped.vocabulary, &grouped.vectors),
        key_phrases: key_phrases(collected.answers.iter().map(|answer| answer.tokens.as_slice()), KEY_PHRASES),
        themes: grouped.themes,
        by_month,
        journey,
        channel,
    }))
}

/// Lists every analysed answer with its theme, as [`compute`] groups them, ordered by person id,
/// text and column. Empty when the data has no free-text column.
pub fn answer_themes(log: &EventLog, journeys: &Journeys, options: &VoiceOptions) -> Result<Vec<AnswerTheme>, Error> {
    let Some(collected) = collect(log, journeys, options)? else { return Ok(Vec::new()) };
    let grouped = group(&collected.answers, options.themes);
    Ok(collected
        .answers
        .iter()
        .zip(&grouped.assignment)
        .map(|(answer, &theme)| AnswerTheme {
            person: answer.person_id.to_string(),
            column: log.properties[answer.column].name.clone(),
            text: answer.text.to_string(),
            theme,
        })
        .collect())
}

/// Finds the voice columns and collects their answers; `None` when there is no voice column.
fn collect<'a>(log: &'a EventLog, journeys: &Journeys, options: &VoiceOptions) -> Result<Option<Collected<'a>>, Error> {
    if options.themes.is_some_and(|themes| themes == 0 || themes > MAX_THEMES) {
        let value = options.themes.unwrap_or(0);
        return Err(Error::Options(format!("The voice.themes option is {value}; give a number of themes from 1 to {MAX_THEMES}, or leave it empty to choose by the silhouette.")));
    }
    let channel_column = columns::channel_column(log, options.channel_column.as_deref())?;
    let (text_columns, detected_columns) = columns::text_columns(log, &options.text_columns, channel_column)?;
    if text_columns.is_empty() && channel_column.is_none() {
        return Ok(None);
    }
    let mut voice_columns = text_columns.clone();
    voice_columns.extend(channel_column);

    let mut collected = Collected { text_columns, detected_columns, channel_column, voice_columns, responses: 0, respondents: 0, empty: 0, stop_words_only: 0, response_events: Vec::new(), answers: Vec::new() };
    for person in 0..journeys.people() {
        let mut responded = false;
        for &at in journeys.journey(person) {
            let at = at as usize;
            if collected.voice_columns.iter().all(|&column| cell(log, column, at).is_empty()) {
                continue;
            }
            collected.responses += 1;
            collected.response_events.push(log.event_names.name(log.event[at]));
            responded = true;
            for &column in &collected.text_columns {
                let text = cell(log, column, at);
                let tokens = text::tokenize(text);
                if text.is_empty() {
                    collected.empty += 1;
                } else if tokens.is_empty() {
                    collected.stop_words_only += 1;
                } else {
                    collected.answers.push(Answer { person, person_id: log.people.name(person as u32), text, column, tokens, time_ms: log.time[at] });
                }
            }
        }
        collected.respondents += u64::from(responded);
    }
    sorting::sort_by(&mut collected.answers, |a, b| a.person_id.cmp(b.person_id).then(a.text.cmp(b.text)).then(a.column.cmp(&b.column)));
    collected.response_events.sort_unstable();
    collected.response_events.dedup();
    Ok(Some(collected))
}

/// Builds the TF-IDF vectors of the answers and groups them into themes.
fn group(answers: &[Answer], requested: Option<usize>) -> Grouped {
    let documents: Vec<&[String]> = answers.iter().map(|answer| answer.tokens.as_slice()).collect();
    let vocabulary = Vocabulary::build(&documents);
    let vectors: Vec<SparseVector> = documents.iter().map(|tokens| vocabulary.vector(tokens)).collect();
    let (clustering, theme_count_rule, silhouettes) = choose_themes(&vectors, vocabulary.terms.len(), requested);
    let (themes, assignment) = describe_themes(answers, &vocabulary, &vectors, &clustering);
    Grouped { vocabulary, vectors, theme_count_rule, silhouettes, themes, assignment }
}

/// Returns a property cell's trimmed text, or "" where it is empty.
fn cell(log: &EventLog, column: usize, at: usize) -> &str {
    let Some(property) = log.properties.get(column) else { return "" };
    match property.codes.get(at) {
        Some(&code) if code != NONE => property.values.name(code).trim(),
        _ => "",
    }
}

/// Clusters the answers with the user's number of themes or the best silhouette.
fn choose_themes(vectors: &[SparseVector], dimensions: usize, requested: Option<usize>) -> (cluster::Clustering, ThemeCountRule, Vec<SilhouetteScore>) {
    let distinct = distinct_count(vectors);
    if let Some(themes) = requested {
        return (cluster::kmeans(vectors, dimensions, themes.min(distinct)), ThemeCountRule::User, Vec::new());
    }
    if distinct < 3 {
        return (cluster::kmeans(vectors, dimensions, distinct), ThemeCountRule::TooFewAnswers, Vec::new());
    }
    // Many answers choose k on an evenly spaced subset, as the silhouette itself does, and only
    // the chosen k is then fitted to them all.
    let step = vectors.len().div_ceil(THEME_CHOICE_SAMPLE).max(1);
    let subset: Vec<SparseVector>;
    let (chosen_on, distinct) = if step > 1 {
        subset = vectors.iter().step_by(step).cloned().collect();
        match distinct_count(&subset) {
            in_subset if in_subset >= 3 => (subset.as_slice(), in_subset),
            _ => (vectors, distinct),
        }
    } else {
        (vectors, distinct)
    };
    let mut best: Option<(f64, usize, cluster::Clustering)> = None;
    let mut scores = Vec::new();
    for k in 2..=MAX_AUTO_THEMES.min(distinct - 1) {
        let clustering = cluster::kmeans(chosen_on, dimensions, k);
        let silhouette = cluster::silhouette(chosen_on, &clustering.assignment, k);
        scores.push(SilhouetteScore { themes: k, silhouette });
        if best.as_ref().is_none_or(|(kept, _, _)| silhouette > kept + 1e-12) {
            best = Some((silhouette, k, clustering));
        }
    }
    let clustering = match best {
        None => cluster::kmeans(vectors, dimensions, 1),
        Some((_, _, clustering)) if chosen_on.len() == vectors.len() => clustering,
        Some((_, k, _)) => cluster::kmeans(vectors, dimensions, k),
    };
    (clustering, ThemeCountRule::Silhouette, scores)
}

/// Returns the number of distinct vectors.
fn distinct_count(vectors: &[SparseVector]) -> usize {
    let mut distinct: Vec<&SparseVector> = vectors.iter().collect();
    sorting::sort_by(&mut distinct, |a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    distinct.len()
}

/// Describes each cluster as a theme, largest first, and returns each answer's theme index.
fn describe_themes(answers: &[Answer], vocabulary: &Vocabulary, vectors: &[SparseVector], clustering: &cluster::Clustering) -> (Vec<Theme>, Vec<usize>) {
    let total = answers.len();
    let mut themes: Vec<(usize, Theme)> = (0..clustering.centres.len())
        .map(|cluster_index| (cluster_index, describe_theme(cluster_index, answers, vocabulary, vectors, clustering, total)))
        .filter(|(_, theme)| theme.answers > 0)
        .collect();
    sorting::sort_by(&mut themes, |(_, a), (_, b)| b.answers.cmp(&a.answers).then(a.label.cmp(&b.label)));
    let mut renumber = vec![0usize; clustering.centres.len()];
    for (index, (cluster_index, _)) in themes.iter().enumerate() {
        renumber[*cluster_index] = index;
    }
    let assignment = clustering.assignment.iter().map(|&cluster_index| renumber[cluster_index]).collect();
    (themes.into_iter().map(|(_, theme)| theme).collect(), assignment)
}

/// Describes one cluster: its mean-vector terms, key phrases and examples.
fn describe_theme(cluster_index: usize, answers: &[Answer], vocabulary: &Vocabulary, vectors: &[SparseVector], clustering: &cluster::Clustering, total: usize) -> Theme {
    let members: Vec<usize> = (0..answers.len()).filter(|&at| clustering.assignment[at] == cluster_index).collect();
    let mut sums = vec![0.0; vocabulary.terms.len()];
    for &at in &members {
        for &(term, weight) in &vectors[at] {
            sums[term] += weight;
        }
    }
    let size = members.len().max(1) as f64;
    let terms: Vec<ThemeTerm> = ranked(&sums, &vocabulary.terms, THEME_TERMS).into_iter().map(|(term, sum)| ThemeTerm { term, weight: sum / size }).collect();
    let label = terms.iter().take(3).map(|term| term.term.as_str()).collect::<Vec<_>>().join(" / ");

    let centre = clustering.centres.get(cluster_index).map(Vec::as_slice).unwrap_or(&[]);
    let mut by_similarity: Vec<(f64, usize)> = members.iter().map(|&at| (cluster::cosine(&vectors[at], centre), at)).collect();
    sorting::sort_by(&mut by_similarity, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut representative: Vec<&str> = by_similarity.iter().take(members.len().div_ceil(2)).map(|&(_, at)| answers[at].text).collect();
    sorting::sort_by(&mut representative, |a, b| a.chars().count().cmp(&b.chars().count()).then(a.cmp(b)));
    representative.dedup();

    Theme {
        label,
        answers: members.len() as u64,
        share: if total == 0 { 0.0 } else { members.len() as f64 / total as f64 },
        terms,
        key_phrases: key_phrases(members.iter().map(|&at| answers[at].tokens.as_slice()), THEME_KEY_PHRASES),
        examples: representative.into_iter().take(EXAMPLES).map(str::to_string).collect(),
    }
}

/// Returns the `limit` largest positive values with their terms, largest first, ties by term.
fn ranked(values: &[f64], terms: &[String], limit: usize) -> Vec<(String, f64)> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&at| values[at] > 0.0).collect();
    sorting::sort_by(&mut order, |&a, &b| values[b].total_cmp(&values[a]).then(terms[a].cmp(&terms[b])));
    order.into_iter().take(limit).map(|at| (terms[at].clone(), values[at])).collect()
}

/// Returns the overall top terms by mean TF-IDF weight.
fn top_terms(vocabulary: &Vocabulary, vectors: &[SparseVector]) -> Vec<TermWeight> {
    let mut sums = vec![0.0; vocabulary.terms.len()];
    for vector in vectors {
        for &(term, weight) in vector {
            sums[term] += weight;
        }
    }
    let count = vectors.len().max(1) as f64;
    ranked(&sums, &vocabulary.terms, TOP_TERMS)
        .into_iter()
        .filter_map(|(term, sum)| {
            let id = vocabulary.id(&term)?;
            Some(TermWeight { term, answers: vocabulary.document_frequency[id], idf: vocabulary.idf[id], mean_weight: sum / count })
        })
        .collect()
}

/// Returns the bigrams found in at least [`MIN_PHRASE_ANSWERS`] answers, most answers first, ties
/// by phrase.
fn key_phrases<'t>(answers: impl Iterator<Item = &'t [String]>, limit: usize) -> Vec<KeyPhrase> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for tokens in answers {
        for phrase in text::bigrams(tokens) {
            *counts.entry(phrase).or_insert(0) += 1;
        }
    }
    let mut phrases: Vec<KeyPhrase> = counts.into_iter().filter(|&(_, answers)| answers >= MIN_PHRASE_ANSWERS).map(|(phrase, answers)| KeyPhrase { phrase, answers }).collect();
    sorting::sort_by(&mut phrases, |a, b| b.answers.cmp(&a.answers).then(a.phrase.cmp(&b.phrase)));
    phrases.truncate(limit);
    phrases
}

/// Returns the funnel without the steps on the responses' own events, which every respondent
/// has, or `None` when no step is left. Exclusions between given steps are dropped when a step
/// is removed, because their step numbers would no longer match.
fn funnel_without_responses(funnel: &FunnelOptions, response_events: &[&str]) -> Option<FunnelOptions> {
    let mut options = funnel.clone();
    options.steps.retain(|step| response_events.binary_search(&step.event.trim()).is_err());
    if options.steps.len() < funnel.steps.len() {
        // NOTE: a removed step's window is lost too, so the next step's window then counts from
        // the step before the removed one.
        options.exclusions.retain(|exclusion| exclusion.between.is_none());
    }
    (!options.steps.is_empty()).then_some(options)
}

/// Finds each analysed answer's author's furthest funnel step, furthest stage and conversion.
fn positions(log: &EventLog, journeys: &Journeys, collected: &Collected, inputs: &VoiceInputs) -> Result<Positions, Error> {
    let answers = &collected.answers;
    let funnel = inputs.funnel.and_then(|options| funnel_without_responses(options, &collected.response_events));
    let (step, step_names) = match funnel.as_ref() {
        Some(options) => {
            let chains = funnel::person_chains(log, journeys, options)?;
            let names = options.steps.iter().map(funnel::label).collect();
            (answers.iter().map(|answer| chains.get(answer.person).map_or(0, Vec::len)).collect(), names)
        }
        None => (Vec::new(), Vec::new()),
    };
    let (stage, stage_names) = match stages::furthest_stages(log, journeys, inputs.stages)? {
        Some((names, furthest)) => {
            let none = names.len();
            (answers.iter().map(|answer| furthest.get(answer.person).copied().flatten().unwrap_or(none)).collect(), names)
        }
        None => (Vec::new(), Vec::new()),
    };
    let converted = inputs.conversion.event.map(|_| answers.iter().map(|answer| inputs.conversion.converted(answer.person)).collect());
    Ok(Positions { step, step_names, stage, stage_names, converted })
}

/// Pairs each respondent's first self-reported channel with their tracked first touch: the channel
/// of their first event that has a channel and no cell in any voice column.
fn compare_channels(log: &EventLog, journeys: &Journeys, column: usize, voice_columns: &[usize]) -> ChannelComparison {
    let mut pairs = Vec::new();
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        let Some(answer) = journey.iter().map(|&at| cell(log, column, at as usize)).find(|text| !text.is_empty()) else { continue };
        let tracked = journey
            .iter()
            .map(|&at| at as usize)
            .filter(|&at| voice_columns.iter().all(|&voice| cell(log, voice, at).is_empty()))
            .map(|at| log.channel[at])
            .find(|&channel| channel != NONE)
            .map(|channel| log.channels.name(channel).to_string());
        pairs.push((answer.to_string(), tracked));
    }
    // Survey presets also map the answer to the response event's channel, so only the channels of
    // other events are the data's tracked channel names.
    let mut tracked_ids: Vec<u32> = (0..log.len()).filter(|&at| log.channel[at] != NONE && voice_columns.iter().all(|&voice| cell(log, voice, at).is_empty())).map(|at| log.channel[at]).collect();
    tracked_ids.sort_unstable();
    tracked_ids.dedup();
    let channels: Vec<&str> = tracked_ids.into_iter().map(|id| log.channels.name(id)).collect();
    channel::compare(&log.properties[column].name, &pairs, &channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_answers_choose_k_on_subset() {
        let themes = ["price expensive invoice refund", "delivery shipping courier parcel", "support agent helpful friendly"];
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        let answers = THEME_CHOICE_SAMPLE + 1_000;
        let documents: Vec<Vec<String>> = (0..answers).map(|at| text::tokenize(&format!("{} {}", themes[at % 3], days[at / 3 % 7]))).collect();
        let vocabulary = Vocabulary::build(&documents);
        let vectors: Vec<SparseVector> = documents.iter().map(|tokens| vocabulary.vector(tokens)).collect();
        let (clustering, rule, scores) = choose_themes(&vectors, vocabulary.terms.len(), None);
        assert_eq!(rule, ThemeCountRule::Silhouette);
        assert_eq!(scores.iter().map(|score| score.themes).collect::<Vec<_>>(), (2..=MAX_AUTO_THEMES).collect::<Vec<_>>());
        assert_eq!(clustering.centres.len(), 3, "silhouettes: {scores:?}");
        // The chosen k is fitted to every answer: each theme's answers share a cluster, and the
        // three themes have three clusters.
        assert_eq!(clustering.assignment.len(), answers);
        for at in 3..answers {
            assert_eq!(clustering.assignment[at], clustering.assignment[at % 3], "answer {at}");
        }
        let mut clusters = clustering.assignment[..3].to_vec();
        clusters.sort_unstable();
        clusters.dedup();
        assert_eq!(clusters.len(), 3);
    }
}
