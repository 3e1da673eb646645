//! Stable sorting through one shared instance of the standard library's sort.
//!
//! Each `slice::sort_by` call with its own closure compiles a full copy of the sort, about 10 KB
//! of WebAssembly. The report sorts dozens of short lists (table rows, ranked channels, themes),
//! and those copies were about a fifth of the module's code. The functions here sort positions
//! with a comparator behind `&dyn Fn`, so every caller shares one compiled sort, and then move the
//! items into place. The order is exactly that of `sort_by` with the same comparator.
//!
//! The dynamic call costs time in each comparison, so sorts over every event or person of a large
//! log keep the standard library's sort.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, in the order `items.sort_by(compare)` would give.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = stable_order(items.len(), &|a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably by the key that `key` computes for each item.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Returns the positions `0..len` in the stable order of `compare`. This function is not generic,
/// so the sort inside it is compiled once.
fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges `items` so that position `i` contains the item that was at `order[i]`, following each
/// cycle of the permutation once. `order` must be a permutation of `0..items.len()`.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut position = start;
        loop {
            let source = order[position];
            // Marks the position as filled, so that a later start on this cycle stops at once.
            order[position] = position;
            if source == start {
                break;
            }
            items.swap(position, source);
            position = source;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_standard_stable_sort() {
        // Pairs with many equal keys, so that stability decides much of the order.
        let mut state = 12345u32;
        for len in [0, 1, 2, 3, 7, 31, 200, 1000] {
            let items: Vec<(u32, u32)> = (0..len)
                .map(|index| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((state >> 16) % 5, index)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by(|a, b| b.0.cmp(&a.0));
            let mut sorted = items.clone();
            sort_by(&mut sorted, |a, b| b.0.cmp(&a.0));
            assert_eq!(sorted, expected, "{len} items");
        }
    }

    #[test]
    fn sorts_by_key() {
        let mut words = vec!["pear", "fig", "apple", "kiwi", "date"];
        sort_by_key(&mut words, |word| word.len());
        assert_eq!(words, ["fig", "pear", "kiwi", "date", "apple"]);
    }

    #[test]
    fn moves_owned_items() {
        let mut names: Vec<String> = ["c", "a", "d", "b"].iter().map(|name| name.to_string()).collect();
        sort_by(&mut names, |a, b| a.cmp(b));
        assert_eq!(names, ["a", "b", "c", "d"]);
    }
}
