//! The Mann–Whitney U test with the normal approximation, tie correction and continuity
//! correction, two-sided (the asymptotic method of `scipy.stats.mannwhitneyu`).
//!
//! Many subgroups are compared with the rest of one pooled sample, so the pooled sample is ranked
//! once and each test sums the ranks of its subgroup.

use statrs::distribution::{ContinuousCDF, Normal};

/// A pooled sample with mid-ranks (ties share the mean of their ranks, counted from 1).
pub struct RankedSample {
    ranks: Vec<f64>,
    /// The sum of t³ − t over groups of t tied values.
    tie_term: f64,
}

/// One test of a subgroup `x` against the rest `y` of the pooled sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of `x`: the number of pairs (x, y) with x > y, ties counting one half.
    pub u: f64,
    /// The standardised statistic of the larger of U and n_x n_y − U, after the continuity
    /// correction; 0 when every value is tied.
    pub z: f64,
    /// Two-sided p-value, 2 P(Z ≥ z) capped at 1.
    pub p_value: f64,
}

impl RankedSample {
    /// Ranks `values` in their order.
    pub fn new(values: &[f64]) -> RankedSample {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&x, &y| values[x].total_cmp(&values[y]));
        let mut ranks = vec![0.0; values.len()];
        let mut tie_term = 0.0;
        let mut start = 0;
        while start < order.len() {
            let value = values[order[start]];
            let end = start + order[start..].iter().take_while(|&&index| values[index] == value).count();
            // Ranks start + 1 to end share their mean.
            let mid_rank = (start + 1 + end) as f64 / 2.0;
            for &index in &order[start..end] {
                ranks[index] = mid_rank;
            }
            let tied = (end - start) as f64;
            tie_term += tied * tied * tied - tied;
            start = end;
        }
        RankedSample { ranks, tie_term }
    }

    /// Tests the values at `members` (distinct indexes) against the others. Returns `None` when
    /// either side is empty.
    pub fn test(&self, members: &[usize]) -> Option<MannWhitney> {
        let total = self.ranks.len();
        let n_x = members.len();
        let n_y = total.checked_sub(n_x)?;
        if n_x == 0 || n_y == 0 {
            return None;
        }
        let rank_sum: f64 = members.iter().filter_map(|&index| self.ranks.get(index)).sum();
        let (n_x, n_y, total) = (n_x as f64, n_y as f64, total as f64);
        let u = rank_sum - n_x * (n_x + 1.0) / 2.0;
        let mean = n_x * n_y / 2.0;
        let variance = n_x * n_y / 12.0 * ((total + 1.0) - self.tie_term / (total * (total - 1.0)));
        let larger = u.max(n_x * n_y - u);
        if variance <= 0.0 {
            return Some(MannWhitney { u, z: 0.0, p_value: 1.0 });
        }
        let z = (larger - mean - 0.5) / variance.sqrt();
        let p_value = (2.0 * Normal::standard().sf(z)).min(1.0);
        Some(MannWhitney { u, z, p_value })
    }
}

/// Tests `x` against `y`. Returns `None` when either is empty.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
    let members: Vec<usize> = (0..x.len()).collect();
    RankedSample::new(&pooled).test(&members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12 + 1e-9 * expected.abs()
    }

    #[test]
    fn hand_values_without_ties() {
        // x = 1, 2, 3 and y = 4, 5, 6, 7: U_x = 0, n_x n_y = 12, mean 6,
        // variance 12 / 12 · 8 = 8, z = (12 − 6 − 0.5) / √8.
        let test = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0]).unwrap();
        assert_eq!(test.u, 0.0);
        let z = 5.5 / 8.0f64.sqrt();
        assert!(close(test.z, z), "{}", test.z);
        // scipy.stats.mannwhitneyu([1, 2, 3], [4, 5, 6, 7], method="asymptotic").pvalue
        assert!(close(test.p_value, 0.05182992721790968), "{}", test.p_value);
    }

    #[test]
    fn hand_values_with_ties() {
        // Pooled 1, 2, 2, 3, 3, 3: mid-ranks 1, 2.5, 2.5, 5, 5, 5. x = 1, 2, 3 has rank sum
        // 1 + 2.5 + 5 = 8.5, so U_x = 8.5 − 6 = 2.5. Tie term (8 − 2) + (27 − 3) = 30, variance
        // 9 / 12 · (7 − 30 / 30) = 4.5, z = (6.5 − 4.5 − 0.5) / √4.5.
        let test = mann_whitney_u(&[1.0, 2.0, 3.0], &[2.0, 3.0, 3.0]).unwrap();
        assert_eq!(test.u, 2.5);
        assert!(close(test.z, 1.5 / 4.5f64.sqrt()), "{}", test.z);
        // scipy.stats.mannwhitneyu([1, 2, 3], [2, 3, 3], method="asymptotic").pvalue
        assert!(close(test.p_value, 0.47950012218695337), "{}", test.p_value);
    }

    #[test]
    fn all_tied_gives_one() {
        let test = mann_whitney_u(&[2.0, 2.0], &[2.0]).unwrap();
        assert_eq!(test.p_value, 1.0);
        assert!(mann_whitney_u(&[], &[1.0]).is_none());
    }
}
