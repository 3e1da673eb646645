//! PrefixSpan: frequent sequential patterns by growing prefixes over projected databases.
//!
//! A pattern is a sequence of items, and a sequence contains it when the pattern's items occur
//! in it in order, with any number of other items between them (a gapped subsequence). The
//! support of a pattern is the number of sequences that contain it, so a sequence counts once
//! however often the pattern repeats in it. Each sequence belongs to one of two groups: the
//! mined group, whose support decides which patterns are frequent, and the other group, whose
//! support is counted alongside for the same patterns without pruning anything.

/// One sequence's suffix in a projected database: the sequence index and the position after the
/// last matched item.
#[derive(Debug, Clone, Copy)]
struct Suffix {
    sequence: usize,
    start: usize,
}

/// A frequent pattern and its support in each group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub items: Vec<u32>,
    /// Sequences of the mined group that contain the pattern.
    pub support: u64,
    /// Sequences of the other group that contain the pattern.
    pub other_support: u64,
}

/// The limits of one mining run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The minimum support in the mined group, as a count of sequences (at least 1).
    pub min_support: u64,
    /// The maximum number of items in a pattern.
    pub max_length: usize,
    /// Mining stops after this many patterns.
    pub max_patterns: usize,
}

/// The patterns found and whether `max_patterns` stopped the search early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    pub patterns: Vec<Pattern>,
    pub truncated: bool,
}

/// Mines every pattern whose support among the sequences with `mined[i]` true is at least
/// `limits.min_support`. Items must be below `item_count`.
pub fn mine(sequences: &[Vec<u32>], mined: &[bool], item_count: usize, limits: Limits) -> Mined {
    let mut miner = Miner {
        sequences,
        mined,
        limits: Limits { min_support: limits.min_support.max(1), ..limits },
        // `seen[item]` is the last sequence index + 1 that counted the item, so each sequence
        // counts an item once per projection.
        seen: vec![0; item_count],
        counts: vec![(0, 0); item_count],
        found: Vec::new(),
        truncated: false,
    };
    let whole: Vec<Suffix> = (0..sequences.len()).map(|sequence| Suffix { sequence, start: 0 }).collect();
    let mut prefix = Vec::new();
    miner.grow(&mut prefix, &whole);
    Mined { patterns: miner.found, truncated: miner.truncated }
}

/// Returns true when `sequence` contains `pattern` as a gapped subsequence.
pub fn contains(sequence: &[u32], pattern: &[u32]) -> bool {
    let mut remaining = pattern.iter().peekable();
    for item in sequence {
        if remaining.peek() == Some(&item) {
            remaining.next();
        }
    }
    remaining.peek().is_none()
}

struct Miner<'a> {
    sequences: &'a [Vec<u32>],
    mined: &'a [bool],
    limits: Limits,
    seen: Vec<usize>,
    counts: Vec<(u64, u64)>,
    found: Vec<Pattern>,
    truncated: bool,
}

impl Miner<'_> {
    /// Extends `prefix` by every item frequent in its projected database `projection`, records
    /// each extension and recurses into it.
    fn grow(&mut self, prefix: &mut Vec<u32>, projection: &[Suffix]) {
        if prefix.len() >= self.limits.max_length {
            return;
        }
        for (item, (support, other_support)) in self.frequent_items(projection) {
            if self.found.len() >= self.limits.max_patterns {
                self.truncated = true;
                return;
            }
            prefix.push(item);
            self.found.push(Pattern { items: prefix.clone(), support, other_support });
            let next = self.project(projection, item);
            self.grow(prefix, &next);
            prefix.pop();
        }
    }

    /// Counts, once per suffix, the items in the projected database and returns those frequent
    /// in the mined group, by item id.
    fn frequent_items(&mut self, projection: &[Suffix]) -> Vec<(u32, (u64, u64))> {
        let mut touched: Vec<u32> = Vec::new();
        for suffix in projection {
            let stamp = suffix.sequence + 1;
            let in_mined = self.mined.get(suffix.sequence).copied().unwrap_or(false);
            for &item in self.sequences[suffix.sequence].get(suffix.start..).unwrap_or(&[]) {
                let index = item as usize;
                if self.seen[index] == stamp {
                    continue;
                }
                self.seen[index] = stamp;
                if self.counts[index] == (0, 0) {
                    touched.push(item);
                }
                if in_mined {
                    self.counts[index].0 += 1;
                } else {
                    self.counts[index].1 += 1;
                }
            }
        }
        touched.sort_unstable();
        let mut frequent = Vec::new();
        for item in touched {
            let index = item as usize;
            let counts = self.counts[index];
            if counts.0 >= self.limits.min_support {
                frequent.push((item, counts));
            }
            self.counts[index] = (0, 0);
            self.seen[index] = 0;
        }
        frequent
    }

    /// Returns the database projected on `item`: each suffix that contains it, from just after
    /// its first occurrence.
    fn project(&self, projection: &[Suffix], item: u32) -> Vec<Suffix> {
        projection
            .iter()
            .filter_map(|suffix| {
                let rest = self.sequences[suffix.sequence].get(suffix.start..)?;
                let offset = rest.iter().position(|&other| other == item)?;
                Some(Suffix { sequence: suffix.sequence, start: suffix.start + offset + 1 })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Turns "abc" into the items 0, 1, 2 (a is 0).
    fn sequence(text: &str) -> Vec<u32> {
        text.bytes().map(|byte| u32::from(byte - b'a')).collect()
    }

    fn items(text: &str) -> Vec<u32> {
        sequence(text)
    }

    fn mine_all(database: &[&str], min_support: u64, max_length: usize) -> Mined {
        let sequences: Vec<Vec<u32>> = database.iter().map(|text| sequence(text)).collect();
        let mined = vec![true; sequences.len()];
        mine(&sequences, &mined, 26, Limits { min_support, max_length, max_patterns: 10_000 })
    }

    fn support(mined: &Mined, pattern: &str) -> Option<u64> {
        mined.patterns.iter().find(|found| found.items == items(pattern)).map(|found| found.support)
    }

    #[test]
    fn textbook_database_supports() {
        // Four sequences of single items. Worked by hand:
        // a: all 4; b: s1, s2, s4 = 3; c: all 4; d: s1, s3 = 2.
        // ab: s1, s2 = 2 (s4 has b before a); ac: all 4; ad: s1, s3 = 2; bc: s1, s2, s4 = 3;
        // ba: s4 only = 1; abc: s1, s2 = 2; acd: s1 (a c d), s3 (a c, skip a, d) = 2.
        let database = ["abcd", "abc", "acad", "bac"];
        let mined = mine_all(&database, 2, 3);
        assert_eq!(support(&mined, "a"), Some(4));
        assert_eq!(support(&mined, "b"), Some(3));
        assert_eq!(support(&mined, "c"), Some(4));
        assert_eq!(support(&mined, "d"), Some(2));
        assert_eq!(support(&mined, "ab"), Some(2));
        assert_eq!(support(&mined, "ac"), Some(4));
        assert_eq!(support(&mined, "ad"), Some(2));
        assert_eq!(support(&mined, "bc"), Some(3));
        assert_eq!(support(&mined, "ba"), None, "b then a is only in s4");
        // cd: s1, s3 = 2. Nothing else reaches 2.
        assert_eq!(support(&mined, "cd"), Some(2));
        assert_eq!(mined.patterns.len(), 11, "a ab abc ac acd ad b bc c cd d");
        assert_eq!(support(&mined, "abc"), Some(2));
        assert_eq!(support(&mined, "acd"), Some(2));
        assert!(!mined.truncated);
    }

    #[test]
    fn repeats_count_once_per_sequence() {
        // "aaa" contains a, aa and aaa once each; "aba" contains a, b, aa, ab, ba, aba.
        let mined = mine_all(&["aaa", "aba"], 1, 3);
        assert_eq!(support(&mined, "a"), Some(2));
        assert_eq!(support(&mined, "aa"), Some(2));
        assert_eq!(support(&mined, "aaa"), Some(1));
        assert_eq!(support(&mined, "aba"), Some(1));
        assert_eq!(support(&mined, "ab"), Some(1));
        assert_eq!(support(&mined, "b"), Some(1));
        assert_eq!(mined.patterns.len(), 7, "a, aa, aaa, ab, aba, b, ba");
    }

    #[test]
    fn every_pattern_agrees_with_brute_force() {
        let database = ["abcab", "bca", "cab", "aabbc", "c"];
        let mined = mine_all(&database, 2, 4);
        let sequences: Vec<Vec<u32>> = database.iter().map(|text| sequence(text)).collect();
        for pattern in &mined.patterns {
            let count = sequences.iter().filter(|sequence| contains(sequence, &pattern.items)).count() as u64;
            assert_eq!(pattern.support, count, "{:?}", pattern.items);
            assert!(count >= 2);
        }
        // "abc" is in s1 and s4 only; "acb" is in s1 only, so it is not frequent.
        assert_eq!(support(&mined, "abc"), Some(2));
        assert_eq!(support(&mined, "acb"), None);
    }

    #[test]
    fn max_length_and_cap_stop_growth() {
        let short = mine_all(&["abc", "abc"], 1, 2);
        assert!(short.patterns.iter().all(|pattern| pattern.items.len() <= 2));
        assert_eq!(short.patterns.len(), 6, "a, ab, ac, b, bc, c");
        let sequences = vec![sequence("abc")];
        let capped = mine(&sequences, &[true], 26, Limits { min_support: 1, max_length: 3, max_patterns: 3 });
        assert_eq!(capped.patterns.len(), 3);
        assert!(capped.truncated);
    }

    #[test]
    fn other_group_counted_without_pruning() {
        // Mined: "ab", "ab"; other: "ab", "ba", "c". c is frequent only in the other group.
        let sequences: Vec<Vec<u32>> = ["ab", "ab", "ab", "ba", "c"].iter().map(|text| sequence(text)).collect();
        let group = [true, true, false, false, false];
        let mined = mine(&sequences, &group, 26, Limits { min_support: 2, max_length: 3, max_patterns: 100 });
        let ab = mined.patterns.iter().find(|pattern| pattern.items == items("ab")).unwrap();
        assert_eq!((ab.support, ab.other_support), (2, 1));
        let b = mined.patterns.iter().find(|pattern| pattern.items == items("b")).unwrap();
        assert_eq!((b.support, b.other_support), (2, 2));
        assert!(mined.patterns.iter().all(|pattern| pattern.items != items("c")));
    }

    #[test]
    fn subsequence_allows_gaps() {
        assert!(contains(&items("axbyc"), &items("abc")));
        assert!(!contains(&items("acb"), &items("abc")));
        assert!(contains(&items("abc"), &[]));
    }
}
