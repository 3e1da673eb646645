//! Words of free-text answers: tokens, stop words, plural folding, bigram key phrases and TF-IDF
//! vectors.
//!
//! A token is a run of Unicode letters and digits (`char::is_alphanumeric`) in the lower-cased
//! answer, after apostrophes (`'` and `’`) are removed so that "don't" becomes "dont". Tokens of one
//! character, tokens of digits only and stop words are dropped, and the rest are folded to a
//! singular by [`fold_plural`]. tools/voice_golden.py repeats these rules in Python.

use std::collections::BTreeMap;

/// English words too common to tell answers apart, in lower case and without apostrophes.
pub const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "almost", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cant", "could",
    "couldnt", "did", "didnt", "do", "does", "doesnt", "doing", "dont", "down", "during", "each", "even", "ever",
    "every", "few", "for", "from", "further", "get", "got", "had", "hadnt", "has", "hasnt", "have", "havent",
    "having", "he", "her", "here", "hers", "him", "his", "how", "id", "if", "im", "in", "into", "is", "isnt", "it",
    "its", "ive", "just", "like", "me", "more", "most", "much", "my", "myself", "no", "nor", "not", "nothing", "now",
    "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "quite", "really",
    "same", "she", "should", "so", "some", "still", "such", "than", "that", "thats", "the", "their", "them", "then",
    "there", "these", "they", "thing", "things", "this", "those", "through", "to", "too", "under", "until", "up",
    "us", "very", "was", "wasnt", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "wouldnt", "yes", "you", "your", "yours",
];

/// Returns true when `word` is in [`STOP_WORDS`].
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Folds an English plural to its singular without a dictionary: "-ies" becomes "-y" in words of
/// five or more characters, and a final "s" is dropped from words of four or more characters
/// unless they end in "ss", "us" or "is". Irregular plurals stay as they are.
pub fn fold_plural(word: &str) -> String {
    let length = word.chars().count();
    if length >= 5 {
        if let Some(stem) = word.strip_suffix("ies") {
            return format!("{stem}y");
        }
    }
    let keeps_s = word.ends_with("ss") || word.ends_with("us") || word.ends_with("is");
    match word.strip_suffix('s') {
        Some(stem) if length >= 4 && !keeps_s => stem.to_string(),
        _ => word.to_string(),
    }
}

/// Splits an answer into its content words, in order: lower-cased, stop words dropped and plurals
/// folded.
pub fn tokenize(text: &str) -> Vec<String> {
    let lower: String = text.to_lowercase().chars().filter(|&c| c != '\'' && c != '\u{2019}').collect();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 2)
        .filter(|word| !word.chars().all(|c| c.is_numeric()))
        .filter(|word| !is_stop_word(word))
        .map(fold_plural)
        .filter(|word| !is_stop_word(word))
        .collect()
}

/// Returns the distinct bigrams of adjacent content words, as "first second".
pub fn bigrams(tokens: &[String]) -> Vec<String> {
    let mut phrases: Vec<String> = tokens.windows(2).map(|pair| pair.join(" ")).collect();
    phrases.sort();
    phrases.dedup();
    phrases
}

/// The terms of the analysed answers with their inverse document frequencies.
pub struct Vocabulary {
    /// Every term, in alphabetical order; a term's id is its index.
    pub terms: Vec<String>,
    /// Answers that contain each term.
    pub document_frequency: Vec<u64>,
    /// Smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1, with n answers.
    pub idf: Vec<f64>,
}

/// One answer as a unit-length TF-IDF vector: (term id, weight) pairs in term order.
pub type SparseVector = Vec<(usize, f64)>;

impl Vocabulary {
    /// Collects the terms of `documents`, each a tokenised answer.
    pub fn build<Tokens: AsRef<[String]>>(documents: &[Tokens]) -> Vocabulary {
        let mut frequency: BTreeMap<&str, u64> = BTreeMap::new();
        for tokens in documents {
            let mut distinct: Vec<&str> = tokens.as_ref().iter().map(String::as_str).collect();
            distinct.sort_unstable();
            distinct.dedup();
            for term in distinct {
                *frequency.entry(term).or_insert(0) += 1;
            }
        }
        let count = documents.len() as f64;
        let terms: Vec<String> = frequency.keys().map(|term| term.to_string()).collect();
        let document_frequency: Vec<u64> = frequency.values().copied().collect();
        let idf = document_frequency.iter().map(|&df| ((1.0 + count) / (1.0 + df as f64)).ln() + 1.0).collect();
        Vocabulary { terms, document_frequency, idf }
    }

    /// Returns a term's id.
    pub fn id(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|probe| probe.as_str().cmp(term)).ok()
    }

    /// Returns the TF-IDF vector of a tokenised answer: raw term counts times idf, scaled to unit
    /// Euclidean length. The scheme is scikit-learn's `TfidfVectorizer` default (smooth idf, l2
    /// norm, no sublinear tf).
    pub fn vector(&self, tokens: &[String]) -> SparseVector {
        let mut counts: BTreeMap<usize, f64> = BTreeMap::new();
        for token in tokens {
            if let Some(id) = self.id(token) {
                *counts.entry(id).or_insert(0.0) += 1.0;
            }
        }
        let mut vector: SparseVector = counts.into_iter().map(|(id, count)| (id, count * self.idf[id])).collect();
        let norm = vector.iter().map(|&(_, weight)| weight * weight).sum::<f64>().sqrt();
        if norm > 0.0 {
            for entry in &mut vector {
                entry.1 /= norm;
            }
        }
        vector
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_sorted() {
        // `is_stop_word` uses a binary search.
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn tokenize_drops_stop_words_and_punctuation() {
        assert_eq!(tokenize("The price was TOO high!"), vec!["price", "high"]);
    }

    #[test]
    fn tokenize_removes_apostrophes() {
        assert_eq!(tokenize("I didn't trust the reviews"), vec!["trust", "review"]);
        assert_eq!(tokenize("I couldn\u{2019}t find pricing"), vec!["find", "pricing"]);
    }

    #[test]
    fn tokenize_keeps_unicode_letters() {
        assert_eq!(tokenize("Écran TROP lent"), vec!["écran", "trop", "lent"]);
    }

    #[test]
    fn tokenize_drops_digits_and_single_letters() {
        assert_eq!(tokenize("3 steps, a 2fa code and 100 forms"), vec!["step", "2fa", "code", "form"]);
    }

    #[test]
    fn tokenize_stop_words_only() {
        assert!(tokenize("Nothing, really. It was just me.").is_empty());
    }

    #[test]
    fn plural_folding() {
        assert_eq!(fold_plural("reviews"), "review");
        assert_eq!(fold_plural("companies"), "company");
        assert_eq!(fold_plural("ties"), "tie");
        assert_eq!(fold_plural("business"), "business");
        assert_eq!(fold_plural("status"), "status");
        assert_eq!(fold_plural("analysis"), "analysis");
        assert_eq!(fold_plural("gas"), "gas");
    }

    #[test]
    fn bigrams_distinct_and_sorted() {
        let tokens: Vec<String> = ["setup", "took", "setup", "took"].iter().map(|word| word.to_string()).collect();
        assert_eq!(bigrams(&tokens), vec!["setup took", "took setup"]);
    }

    #[test]
    fn tfidf_unit_length_with_smooth_idf() {
        let documents: Vec<Vec<String>> = vec![tokenize("price price cost"), tokenize("price")];
        let vocabulary = Vocabulary::build(&documents);
        assert_eq!(vocabulary.terms, vec!["cost", "price"]);
        // n = 2: cost has df 1, so idf = ln(3/2) + 1; price has df 2, so idf = ln(3/3) + 1 = 1.
        let cost_idf = (1.5f64).ln() + 1.0;
        assert!((vocabulary.idf[0] - cost_idf).abs() < 1e-12);
        assert!((vocabulary.idf[1] - 1.0).abs() < 1e-12);
        let vector = vocabulary.vector(&documents[0]);
        let norm = (cost_idf * cost_idf + 4.0).sqrt();
        assert!((vector[0].1 - cost_idf / norm).abs() < 1e-12);
        assert!((vector[1].1 - 2.0 / norm).abs() < 1e-12);
    }
}
