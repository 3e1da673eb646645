//! Statistics of one 2×2 table: the odds ratio with Woolf's interval, Fisher's exact test,
//! Pearson's chi-square test and the Benjamini–Hochberg adjustment across many tables.

use statrs::distribution::{ChiSquared, ContinuousCDF, Discrete, Hypergeometric, Normal};

use crate::sorting;

/// The relative tolerance under which two tables count as equally likely in Fisher's two-sided
/// test, so that rounding in the log-factorials does not drop a tied table (R's `fisher.test`
/// uses the same 1e-7).
const TIE_TOLERANCE: f64 = 1e-7;

/// Fisher's test stops walking away from the mode once a term falls below this share of the
/// observed table's term. Past the mode the ratio of neighbouring terms keeps falling, so the rest
/// of that side adds at most the last term divided by one minus the last ratio. The unit tests
/// check the result against the full sum to 1e-9 of the p-value.
const NEGLIGIBLE_SHARE: f64 = 1e-16;

/// Below this expected count in any cell, the chi-square approximation is poor (Cochran's rule)
/// and Fisher's exact test is used instead.
pub const MIN_EXPECTED: f64 = 5.0;

/// Counts of people: `a` converters who had the feature, `b` converters who did not, `c`
/// non-converters who had it and `d` non-converters who did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub a: u64,
    pub b: u64,
    pub c: u64,
    pub d: u64,
}

/// An odds ratio with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OddsRatio {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// True when a cell was 0 and 0.5 was added to every cell (Haldane–Anscombe).
    pub corrected: bool,
}

impl Table {
    fn total(&self) -> u64 {
        self.a + self.b + self.c + self.d
    }

    /// Returns the smallest expected cell count under independence.
    pub fn min_expected(&self) -> f64 {
        let rows = (self.a + self.b).min(self.c + self.d) as f64;
        let columns = (self.a + self.c).min(self.b + self.d) as f64;
        rows * columns / self.total() as f64
    }

    /// Returns the odds ratio ad / bc and Woolf's interval exp(ln OR ± z √(1/a + 1/b + 1/c + 1/d)),
    /// with 0.5 added to every cell when any cell is 0.
    pub fn odds_ratio(&self) -> OddsRatio {
        let corrected = [self.a, self.b, self.c, self.d].contains(&0);
        let shift = if corrected { 0.5 } else { 0.0 };
        let [a, b, c, d] = [self.a, self.b, self.c, self.d].map(|count| count as f64 + shift);
        let log_odds = (a * d / (b * c)).ln();
        let standard_error = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        let z = z_975();
        OddsRatio {
            estimate: log_odds.exp(),
            lower: (log_odds - z * standard_error).exp(),
            upper: (log_odds + z * standard_error).exp(),
            corrected,
        }
    }

    /// Returns Fisher's exact two-sided p-value: the total probability, under the hypergeometric
    /// distribution of `a` given the margins, of every table no more likely than the observed one.
    ///
    /// The probabilities are walked outwards from the mode, relative to the mode's, with the
    /// ratio of neighbouring terms. Only the mode's and the observed table's need logarithms. The
    /// distribution is unimodal, so each side stops once its terms are too small to change the sum.
    pub fn fisher_exact(&self) -> f64 {
        let population = self.total();
        let converters = self.a + self.b;
        let had = self.a + self.c;
        let Ok(distribution) = Hypergeometric::new(population, converters, had) else {
            return 1.0;
        };
        let lowest = had.saturating_sub(population - converters);
        let highest = had.min(converters);
        let mode = ((had + 1) as f64 * (converters + 1) as f64 / (population + 2) as f64).floor() as u64;
        let mode = mode.clamp(lowest, highest);
        let ln_mode = distribution.ln_pmf(mode);
        // Terms are relative to the mode's: a table counts when its term is at most `limit`.
        let limit = (distribution.ln_pmf(self.a) - ln_mode).exp() * (1.0 + TIE_TOLERANCE);
        let negligible = limit.min(1.0) * NEGLIGIBLE_SHARE;
        let (n, k, others) = (had as f64, converters as f64, (population - converters) as f64);
        // The ratio of the term at x + 1 to the term at x.
        let ratio = |x: f64| (k - x) * (n - x) / ((x + 1.0) * (others - n + x + 1.0));

        let mut sum = if limit >= 1.0 { 1.0 } else { 0.0 };
        let mut term = 1.0;
        for x in mode..highest {
            term *= ratio(x as f64);
            if term <= limit {
                sum += term;
            }
            if term < negligible {
                break;
            }
        }
        term = 1.0;
        for x in (lowest..mode).rev() {
            term /= ratio(x as f64);
            if term <= limit {
                sum += term;
            }
            if term < negligible {
                break;
            }
        }
        (sum * ln_mode.exp()).min(1.0)
    }

    /// Returns Pearson's chi-square statistic without continuity correction,
    /// N (ad − bc)² / ((a + b)(c + d)(a + c)(b + d)).
    pub fn chi_square(&self) -> f64 {
        let difference = (self.a as i128 * self.d as i128 - self.b as i128 * self.c as i128) as f64;
        let margins = [self.a + self.b, self.c + self.d, self.a + self.c, self.b + self.d].iter().map(|&margin| margin as f64).product::<f64>();
        self.total() as f64 * difference * difference / margins
    }

    /// Returns the chi-square test's p-value, the upper tail of the chi-square distribution with 1
    /// degree of freedom.
    pub fn chi_square_p(&self) -> f64 {
        match ChiSquared::new(1.0) {
            Ok(distribution) => distribution.sf(self.chi_square()),
            Err(_) => 1.0,
        }
    }
}

/// Returns the 0.975 quantile of the standard normal distribution, about 1.96.
fn z_975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

/// Returns the Benjamini–Hochberg adjusted p-values (q-values) of `p_values`, in their order:
/// q of the k-th smallest of m p-values is the minimum of p_(j) m / j over j ≥ k, capped at 1.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let count = p_values.len();
    let mut order: Vec<usize> = (0..count).collect();
    sorting::sort_by(&mut order, |&x, &y| p_values[x].total_cmp(&p_values[y]));
    let mut q_values = vec![1.0; count];
    let mut running = 1.0f64;
    for (rank, &index) in order.iter().enumerate().rev() {
        running = running.min(p_values[index] * count as f64 / (rank + 1) as f64);
        q_values[index] = running;
    }
    q_values
}

/// An order-free fingerprint of a set of people, so that tests run on the same people can be
/// recognised as one test. Add each member once; two sets with the same members get the same
/// value, and different sets collide with probability about 2^-64.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MemberSet(u64);

impl MemberSet {
    /// Mixes `member` with SplitMix64's finaliser and adds it, so that the order of adding does
    /// not matter.
    pub fn add(&mut self, member: u64) {
        let mut mixed = member.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = self.0.wrapping_add(mixed ^ (mixed >> 31));
    }

    /// Combines this set with another fingerprint, such as that of the population it was taken
    /// from, keeping the order of the two.
    pub fn with(self, other: MemberSet) -> MemberSet {
        let mut combined = MemberSet(self.0.rotate_left(17));
        combined.add(other.0);
        combined
    }
}

/// Returns Benjamini–Hochberg q-values in the order of `p_values`, counting tests with equal `keys`
/// once. Two features held by exactly the same people (an event and the page it always has, say)
/// are one test, because counting it twice would let it pass at a looser threshold than a test
/// counted once. Each distinct key takes the p-value of its first test, and every test with that key gets
/// its q-value.
pub fn benjamini_hochberg_distinct(p_values: &[f64], keys: &[MemberSet]) -> Vec<f64> {
    let mut first: rustc_hash::FxHashMap<MemberSet, usize> = rustc_hash::FxHashMap::default();
    let mut distinct: Vec<f64> = Vec::new();
    let slots: Vec<usize> = keys
        .iter()
        .zip(p_values)
        .map(|(key, &p_value)| {
            *first.entry(*key).or_insert_with(|| {
                distinct.push(p_value);
                distinct.len() - 1
            })
        })
        .collect();
    let q_values = benjamini_hochberg(&distinct);
    slots.into_iter().map(|slot| q_values[slot]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(a: u64, b: u64, c: u64, d: u64) -> Table {
        Table { a, b, c, d }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12 + 1e-9 * expected.abs()
    }

    #[test]
    fn fisher_matches_known_tables() {
        // The lady tasting tea: scipy.stats.fisher_exact([[8, 2], [1, 5]]).
        let p = table(8, 2, 1, 5).fisher_exact();
        assert!(close(p, 0.034965034965034975), "{p}");
        // A symmetric table: every table's twin is tied, so p is 1.
        assert!(close(table(3, 3, 3, 3).fisher_exact(), 1.0));
    }

    /// Sums every table's probability from its own log-probability: the definition, slowly.
    fn fisher_by_definition(table: &Table) -> f64 {
        let population = table.total();
        let distribution = Hypergeometric::new(population, table.a + table.b, table.a + table.c).unwrap();
        let lowest = (table.a + table.c).saturating_sub(table.c + table.d);
        let highest = (table.a + table.c).min(table.a + table.b);
        let limit = distribution.ln_pmf(table.a) + TIE_TOLERANCE.ln_1p();
        let p: f64 = (lowest..=highest).map(|x| distribution.ln_pmf(x)).filter(|&ln| ln <= limit).map(f64::exp).sum();
        p.min(1.0)
    }

    #[test]
    fn fisher_walk_matches_definition() {
        let tables = [
            table(8, 2, 1, 5),
            table(0, 10, 5, 5),
            table(10, 0, 0, 10),
            table(1, 0, 0, 1),
            table(0, 0, 3, 4),
            table(3900, 0, 20_000, 78_100),
            table(900, 3000, 15_000, 83_100),
            table(600, 3300, 14_400, 83_700),
            table(2, 3898, 19_998, 78_102),
            table(40, 60, 4000, 6000),
            table(1, 99_999, 1, 99_999),
        ];
        for table in tables {
            let (walked, defined) = (table.fisher_exact(), fisher_by_definition(&table));
            assert!((walked - defined).abs() <= 1e-300 + 1e-9 * defined, "{table:?}: {walked} against {defined}");
        }
    }

    #[test]
    fn chi_square_without_correction() {
        // 100 (20·40 − 30·10)² / (50·50·30·70) = 4.7619…
        let chi = table(20, 30, 10, 40).chi_square();
        assert!(close(chi, 100.0 * 500.0 * 500.0 / (50.0 * 50.0 * 30.0 * 70.0)), "{chi}");
        assert!(close(table(20, 30, 10, 40).chi_square_p(), 0.029096331741252), "{}", table(20, 30, 10, 40).chi_square_p());
    }

    #[test]
    fn zero_cell_adds_one_half() {
        let ratio = table(0, 10, 5, 5).odds_ratio();
        assert!(ratio.corrected);
        assert!(close(ratio.estimate, 0.5 * 5.5 / (10.5 * 5.5)));
        assert!(ratio.lower < ratio.estimate);
        assert!(ratio.estimate < ratio.upper);
        assert!(!table(1, 1, 1, 1).odds_ratio().corrected);
    }

    #[test]
    fn woolf_interval_is_symmetric_in_logs() {
        let ratio = table(20, 30, 10, 40).odds_ratio();
        assert!(close(ratio.estimate, 800.0 / 300.0));
        let half_width = 1.959963984540054 * (1.0f64 / 20.0 + 1.0 / 30.0 + 1.0 / 10.0 + 1.0 / 40.0).sqrt();
        assert!(close(ratio.upper.ln() - ratio.estimate.ln(), half_width));
        assert!(close(ratio.estimate.ln() - ratio.lower.ln(), half_width));
    }

    #[test]
    fn benjamini_hochberg_steps_down() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        let expected = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.5];
        for (actual, expected) in q.iter().zip(expected) {
            assert!(close(*actual, expected), "{q:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn repeated_tests_count_once() {
        let set = |members: &[u64]| {
            let mut set = MemberSet::default();
            members.iter().for_each(|&member| set.add(member));
            set
        };
        assert_eq!(set(&[1, 2, 3]), set(&[3, 1, 2]));
        assert_ne!(set(&[1, 2, 3]), set(&[1, 2, 4]));
        // The first test appears three times; as one of two distinct tests its q is 0.01 × 2.
        let keys = [set(&[1]), set(&[1]), set(&[1]), set(&[2])];
        let q = benjamini_hochberg_distinct(&[0.01, 0.01, 0.01, 0.5], &keys);
        assert!(q[..3].iter().all(|&value| close(value, 0.02)), "{q:?}");
        assert!(close(q[3], 0.5));
        // Counted four times, the repeated test would get 0.01 × 4 / 3 instead.
        assert!(close(benjamini_hochberg(&[0.01, 0.01, 0.01, 0.5])[0], 0.04 / 3.0));
    }
}
