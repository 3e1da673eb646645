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
    sequence: u32,
    start: u32,
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
    let limits = Limits { min_support: limits.min_support.max(1), ..limits };
    // An item that is not frequent on its own is in no frequent pattern, because support never
    // grows when a pattern gets longer, so the search skips such items everywhere.
    let mut support = vec![0u64; item_count];
    let mut seen = vec![u32::MAX; item_count];
    for (index, sequence) in sequences.iter().enumerate().filter(|&(index, _)| mined.get(index).copied().unwrap_or(false)) {
        for &item in sequence {
            if let Some(last) = seen.get_mut(item as usize).filter(|last| **last != index as u32) {
                *last = index as u32;
                support[item as usize] += 1;
            }
        }
    }
    let mut miner = Miner {
        sequences,
        mined,
        limits,
        candidate: support.iter().map(|&count| count >= limits.min_support).collect(),
        seen: vec![0; item_count],
        slot: vec![NO_SLOT; item_count],
        found: Vec::new(),
        truncated: false,
    };
    // Sequence indexes and positions are kept in 32 bits; a longer database is cut there.
    let whole: Vec<Suffix> = (0..sequences.len().min(u32::MAX as usize)).map(|sequence| Suffix { sequence: sequence as u32, start: 0 }).collect();
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

/// The value of [`Miner::slot`] for an item not yet seen in the current projection.
const NO_SLOT: u32 = u32::MAX;

struct Miner<'a> {
    sequences: &'a [Vec<u32>],
    mined: &'a [bool],
    limits: Limits,
    /// Items frequent on their own, the only ones a frequent pattern can hold.
    candidate: Vec<bool>,
    /// `seen[item]` is the index + 1 of the last suffix that counted the item, so each suffix
    /// counts an item once per projection.
    seen: Vec<u32>,
    /// `slot[item]` is the item's place among the current projection's extensions.
    slot: Vec<u32>,
    found: Vec<Pattern>,
    truncated: bool,
}

/// One item that follows the prefix: its supports and the database projected on it.
struct Extension {
    item: u32,
    support: u64,
    other_support: u64,
    projection: Vec<Suffix>,
}

impl Miner<'_> {
    /// Extends `prefix` by every item frequent in its projected database `projection`, records
    /// each extension and recurses into it.
    fn grow(&mut self, prefix: &mut Vec<u32>, projection: &[Suffix]) {
        if prefix.len() >= self.limits.max_length {
            return;
        }
        for extension in self.extensions(projection) {
            if self.found.len() >= self.limits.max_patterns {
                self.truncated = true;
                return;
            }
            prefix.push(extension.item);
            self.found.push(Pattern { items: prefix.clone(), support: extension.support, other_support: extension.other_support });
            self.grow(prefix, &extension.projection);
            prefix.pop();
        }
    }

    /// Counts, once per suffix, the candidate items in `projection`, and projects the database on
    /// each of them in the same pass: a suffix continues just after the item's first occurrence.
    /// Returns the items frequent in the mined group, by item id.
    fn extensions(&mut self, projection: &[Suffix]) -> Vec<Extension> {
        let mut extensions: Vec<Extension> = Vec::new();
        for (index, suffix) in projection.iter().enumerate() {
            let stamp = index as u32 + 1;
            let in_mined = self.mined.get(suffix.sequence as usize).copied().unwrap_or(false);
            let rest = self.sequences.get(suffix.sequence as usize).and_then(|sequence| sequence.get(suffix.start as usize..)).unwrap_or(&[]);
            for (offset, &item) in rest.iter().enumerate() {
                let item_index = item as usize;
                if !self.candidate.get(item_index).copied().unwrap_or(false) || self.seen[item_index] == stamp {
                    continue;
                }
                self.seen[item_index] = stamp;
                if self.slot[item_index] == NO_SLOT {
                    self.slot[item_index] = extensions.len() as u32;
                    extensions.push(Extension { item, support: 0, other_support: 0, projection: Vec::new() });
                }
                let extension = &mut extensions[self.slot[item_index] as usize];
                if in_mined {
                    extension.support += 1;
                } else {
                    extension.other_support += 1;
                }
                extension.projection.push(Suffix { sequence: suffix.sequence, start: suffix.start + offset as u32 + 1 });
            }
        }
        for extension in &extensions {
            self.slot[extension.item as usize] = NO_SLOT;
            self.seen[extension.item as usize] = 0;
        }
        extensions.retain(|extension| extension.support >= self.limits.min_support);
        extensions.sort_unstable_by_key(|extension| extension.item);
        extensions
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
    fn both_groups_match_brute_force() {
        // 60 sequences of 1 to 9 items from 5, scrambled by a multiplicative step, every third
        // one in the mined group.
        let sequences: Vec<Vec<u32>> = (0..60u32).map(|at| (0..1 + at % 9).map(|position| (at * 7 + position * position * 3) % 5).collect()).collect();
        let group: Vec<bool> = (0..sequences.len()).map(|at| at % 3 == 0).collect();
        let mined = mine(&sequences, &group, 5, Limits { min_support: 3, max_length: 4, max_patterns: 10_000 });
        assert!(!mined.truncated);
        let count = |pattern: &[u32], in_group: bool| {
            sequences.iter().zip(&group).filter(|&(sequence, &member)| member == in_group && contains(sequence, pattern)).count() as u64
        };
        for pattern in &mined.patterns {
            assert_eq!((pattern.support, pattern.other_support), (count(&pattern.items, true), count(&pattern.items, false)), "{:?}", pattern.items);
        }
        // Every pattern of up to 3 items that reaches the support is found.
        let mut expected = 0;
        for length in 1..=3u32 {
            for code in 0..5u32.pow(length) {
                let pattern: Vec<u32> = (0..length).map(|place| code / 5u32.pow(place) % 5).collect();
                if count(&pattern, true) >= 3 {
                    expected += 1;
                    assert!(mined.patterns.iter().any(|found| found.items == pattern), "{pattern:?} is frequent but was not mined");
                }
            }
        }
        assert!(expected > 10, "the database has only {expected} frequent patterns");
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
