//! A variable-order Markov model of the next event label, with back-off to shorter contexts.
//!
//! Labels are small integers whose order is the alphabetical order of their names, so that ties
//! between equally frequent next labels go to the name that sorts first. The model of order `k`
//! counts, at every position `i ≥ 1` of a sequence, the label at `i` after the context of the
//! `min(k, i)` labels before it. Order 0 has the empty context, so it predicts the most frequent
//! next label overall. To predict after a history, the model uses the longest suffix of at most
//! `k` labels that occurred as a context in training. When a suffix never occurred, it backs off
//! to the suffix one label shorter, down to the empty context, which exists once any position
//! was counted.

use std::cmp::Reverse;

use rustc_hash::FxHashMap as HashMap;

use crate::sorting;

/// The largest order the model counts.
pub const MAX_ORDER: usize = 4;

/// The next labels seen after one context, most frequent first, ties by label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Distribution {
    pub next: Vec<(u32, u64)>,
    pub total: u64,
}

impl Distribution {
    /// Returns the share of the `rank`-th most frequent next label.
    pub fn probability(&self, rank: usize) -> Option<(u32, f64)> {
        let &(label, count) = self.next.get(rank)?;
        Some((label, count as f64 / self.total as f64))
    }

    /// Tells whether `label` is among the first `top` next labels.
    fn ranks(&self, label: u32, top: usize) -> bool {
        self.next.iter().take(top).any(|&(next, _)| next == label)
    }
}

/// Counts of next labels by context, for contexts of 0 to `max_order` labels.
#[derive(Debug, Clone, Default)]
pub struct MarkovModel {
    pub max_order: usize,
    contexts: HashMap<ContextKey, Distribution>,
}

/// A context of at most [`MAX_ORDER`] labels packed into one integer, with one 32-bit lane per
/// label set to `label + 1`. A lane of 0 means no label, so contexts of different lengths get
/// different keys. Scoring looks contexts up several times per position, and a packed key needs
/// neither an allocation nor a slice comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ContextKey(u128);

impl ContextKey {
    /// Packs `labels`, which must contain at most [`MAX_ORDER`] labels below `u32::MAX`.
    fn new(labels: &[u32]) -> ContextKey {
        debug_assert!(labels.len() <= MAX_ORDER);
        ContextKey(labels.iter().fold(0u128, |key, &label| key << 32 | u128::from(label.wrapping_add(1))))
    }

    /// Returns the number of labels in the context.
    fn len(self) -> usize {
        (0..MAX_ORDER).filter(|lane| (self.0 >> (32 * lane)) as u32 != 0).count()
    }
}

/// Top-1 and top-3 hits of one order over the evaluated positions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Hits {
    pub positions: u64,
    pub top1: u64,
    pub top3: u64,
    /// Positions where this order's top-1 was right and order 0's was wrong.
    pub wins: u64,
    /// Positions where order 0's top-1 was right and this order's was wrong.
    pub losses: u64,
}

impl MarkovModel {
    /// Counts every position `i ≥ 1` of each sequence. Orders above [`MAX_ORDER`] are cut to it.
    pub fn fit<'a>(sequences: impl Iterator<Item = &'a [u32]>, max_order: usize) -> MarkovModel {
        let max_order = max_order.min(MAX_ORDER);
        // One map entry per (context, next label), so each position costs one lookup per order.
        let mut counts: HashMap<(ContextKey, u32), u64> = HashMap::default();
        for sequence in sequences {
            for at in 1..sequence.len() {
                for order in 0..=max_order.min(at) {
                    let context = ContextKey::new(&sequence[at - order..at]);
                    *counts.entry((context, sequence[at])).or_insert(0) += 1;
                }
            }
        }
        let mut pairs: Vec<((ContextKey, u32), u64)> = counts.into_iter().collect();
        // By context, then most frequent first with ties by label, the order of Distribution.
        sorting::sort_by_key(&mut pairs, |&((context, next), count)| (context.0, Reverse(count), next));
        let mut contexts: HashMap<ContextKey, Distribution> = HashMap::default();
        for ((context, next), count) in pairs {
            let distribution = contexts.entry(context).or_default();
            distribution.next.push((next, count));
            distribution.total += count;
        }
        MarkovModel { max_order, contexts }
    }

    /// Returns the number of distinct contexts of exactly `order` labels seen in training.
    pub fn contexts_of_order(&self, order: usize) -> u64 {
        self.contexts.keys().filter(|context| context.len() == order).count() as u64
    }

    /// Returns the distribution of the next label after `history` with the model of `order`,
    /// backing off to shorter contexts. `None` only when the model counted no position at all.
    pub fn predict(&self, history: &[u32], order: usize) -> Option<&Distribution> {
        let longest = order.min(self.max_order).min(history.len());
        (0..=longest).rev().find_map(|length| self.contexts.get(&ContextKey::new(&history[history.len() - length..])))
    }

    /// Scores the prediction of `sequence[at]` from the labels before it, for every order up to
    /// `max_order`, adding the hits to `hits` (one entry per order).
    pub fn score(&self, sequence: &[u32], at: usize, hits: &mut [Hits]) {
        let Some(&actual) = sequence.get(at) else { return };
        let ranks = |order: usize, top: usize| self.predict(&sequence[..at], order).is_some_and(|distribution| distribution.ranks(actual, top));
        let baseline = ranks(0, 1);
        for (order, entry) in hits.iter_mut().enumerate() {
            let distribution = self.predict(&sequence[..at], order);
            let top1 = distribution.is_some_and(|distribution| distribution.ranks(actual, 1));
            entry.positions += 1;
            entry.top1 += u64::from(top1);
            entry.top3 += u64::from(distribution.is_some_and(|distribution| distribution.ranks(actual, 3)));
            entry.wins += u64::from(top1 && !baseline);
            entry.losses += u64::from(baseline && !top1);
        }
    }

    /// Returns the greedy continuation of `history`: the most likely next label, appended and
    /// predicted from again, up to `steps` labels or until `stop` is predicted (kept).
    pub fn continuation(&self, history: &[u32], order: usize, steps: usize, stop: Option<u32>) -> Vec<u32> {
        let mut extended = history.to_vec();
        let mut path = Vec::new();
        for _ in 0..steps {
            let Some(&(next, _)) = self.predict(&extended, order).and_then(|distribution| distribution.next.first()) else { break };
            path.push(next);
            extended.push(next);
            if Some(next) == stop {
                break;
            }
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Labels: 0 = a, 1 = b, 2 = c.
    fn model() -> MarkovModel {
        let sequences: Vec<Vec<u32>> = vec![vec![0, 1, 2], vec![0, 1, 1], vec![1, 2]];
        MarkovModel::fit(sequences.iter().map(Vec::as_slice), 2)
    }

    #[test]
    fn counts_by_context() {
        let model = model();
        // Next labels overall: b, c, b, b, c → b 3, c 2.
        let overall = model.predict(&[], 0).unwrap();
        assert_eq!(overall.next, vec![(1, 3), (2, 2)]);
        assert_eq!(overall.total, 5);
        // After b: c twice (a b c, b c) and b once.
        assert_eq!(model.predict(&[1], 1).unwrap().next, vec![(2, 2), (1, 1)]);
        // After a b: c once and b once; the tie goes to b, the label that sorts first.
        assert_eq!(model.predict(&[0, 1], 2).unwrap().next, vec![(1, 1), (2, 1)]);
        assert_eq!(model.contexts_of_order(0), 1);
        assert_eq!(model.contexts_of_order(1), 2);
        assert_eq!(model.contexts_of_order(2), 1);
    }

    #[test]
    fn backs_off_to_shorter_contexts() {
        let model = model();
        // "c b" never occurred, "b" did: order 2 backs off to order 1.
        assert_eq!(model.predict(&[2, 1], 2), model.predict(&[1], 1));
        // "c" never occurred as a context: back off to the empty one.
        assert_eq!(model.predict(&[2], 2), model.predict(&[], 0));
    }

    #[test]
    fn accuracy_by_hand() {
        let model = model();
        let mut hits = vec![Hits::default(); 3];
        // Test sequence a b c b: positions 1 (b), 2 (c), 3 (b).
        let test = [0, 1, 2, 1];
        for at in 1..test.len() {
            model.score(&test, at, &mut hits);
        }
        // Order 0 predicts b everywhere: hits at 1 and 3; top 3 hits all.
        assert_eq!(hits[0], Hits { positions: 3, top1: 2, top3: 3, wins: 0, losses: 0 });
        // Order 1: after a → b (hit), after b → c (hit), after c → backs off to b (hit).
        assert_eq!(hits[1], Hits { positions: 3, top1: 3, top3: 3, wins: 1, losses: 0 });
        // Order 2: after a → b (hit), after a b → b (miss), after b c → none, back off to c → b (hit).
        assert_eq!(hits[2], Hits { positions: 3, top1: 2, top3: 3, wins: 0, losses: 0 });
    }

    #[test]
    fn continuation_stops_at_the_stop_label() {
        let model = model();
        assert_eq!(model.continuation(&[0], 1, 5, Some(2)), vec![1, 2]);
    }
}
