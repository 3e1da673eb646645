//! Hypothesis tests and intervals of an A/B experiment, each a plain function of counts or values.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};
use statrs::function::gamma::ln_gamma;

use crate::analysis::compare::two_proportions;
use crate::analysis::stats::{quantile, sum, wilson};
use crate::sorting;

/// Returns the standard normal quantile z with P(|Z| ≤ z) = `confidence`, such as 1.96 for 0.95.
pub fn two_sided_z(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + confidence / 2.0)
}

/// A two-proportion z-test of a variant (`x1` of `n1`) against the control (`x0` of `n0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionTest {
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Runs the pooled two-sided z-test of `x1 / n1 − x0 / n0` with the period comparisons' test.
/// `None` when either group is empty or the pooled rate is 0 or 1: the standard error is then 0,
/// and the experiment reports no test rather than p = 1.
pub fn two_proportion_z_test(x1: u64, n1: u64, x0: u64, n0: u64) -> Option<ProportionTest> {
    let pooled = (x1 + x0) as f64 / (n1 + n0) as f64;
    if n1 == 0 || n0 == 0 || !(pooled > 0.0 && pooled < 1.0) {
        return None;
    }
    let test = two_proportions(x0, n0, x1, n1)?;
    Some(ProportionTest { z: test.z, p_value: test.p_value })
}

/// Returns Newcombe's hybrid score interval (his method 10) of the difference `x1 / n1 − x0 / n0`,
/// built from the two Wilson intervals for the quantile `z`. `None` when either group is empty.
pub fn newcombe_difference(x1: u64, n1: u64, x0: u64, n0: u64, z: f64) -> Option<(f64, f64)> {
    if n1 == 0 || n0 == 0 {
        return None;
    }
    let (p1, p0) = (x1 as f64 / n1 as f64, x0 as f64 / n0 as f64);
    let (low1, high1) = wilson(x1, n1, z);
    let (low0, high0) = wilson(x0, n0, z);
    let difference = p1 - p0;
    let lower = difference - ((p1 - low1).powi(2) + (high0 - p0).powi(2)).sqrt();
    let upper = difference + ((high1 - p1).powi(2) + (p0 - low0).powi(2)).sqrt();
    Some((lower, upper))
}

/// Returns Holm's step-down adjusted p-values of `p_values`, in their order: the k-th smallest of
/// m becomes the maximum over j ≤ k of min(1, (m − j + 1) p_(j)).
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let count = p_values.len();
    let mut order: Vec<usize> = (0..count).collect();
    sorting::sort_by(&mut order, |&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![1.0; count];
    let mut running = 0.0f64;
    for (rank, &index) in order.iter().enumerate() {
        running = running.max(((count - rank) as f64 * p_values[index]).min(1.0));
        adjusted[index] = running;
    }
    adjusted
}

/// Returns P(p1 > p0) for independent p1 ~ Beta(1 + x1, 1 + n1 − x1) and
/// p0 ~ Beta(1 + x0, 1 + n0 − x0), the posteriors of two rates under uniform priors.
///
/// With a = 1 + x and b = 1 + n − x, the exact sum is
/// P(p1 > p0) = Σ_{i=0}^{a1−1} B(a0 + i, b0 + b1) / ((b1 + i) B(1 + i, b1) B(a0, b0)),
/// evaluated in logarithms. The sum runs over the smaller of a1 and a0: for a0 < a1 it gives
/// P(p0 > p1) and the result is its complement.
pub fn probability_to_beat(x1: u64, n1: u64, x0: u64, n0: u64) -> f64 {
    let (a1, b1) = ((1 + x1) as f64, (1 + n1.saturating_sub(x1)) as f64);
    let (a0, b0) = ((1 + x0) as f64, (1 + n0.saturating_sub(x0)) as f64);
    if a1 <= a0 {
        beta_greater(a1, b1, a0, b0)
    } else {
        1.0 - beta_greater(a0, b0, a1, b1)
    }
}

/// Returns P(X > Y) for X ~ Beta(a, b) and Y ~ Beta(c, d) with a a whole number, by the sum of
/// [`probability_to_beat`] over i from 0 to a − 1.
fn beta_greater(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let ln_beta = |x: f64, y: f64| ln_gamma(x) + ln_gamma(y) - ln_gamma(x + y);
    let constant = ln_beta(c, d);
    let terms = (0..a as u64).map(|i| {
        let i = i as f64;
        (ln_beta(c + i, d + b) - (b + i).ln() - ln_beta(1.0 + i, b) - constant).exp()
    });
    sum(terms).0.clamp(0.0, 1.0)
}

/// Welch's unequal-variance t-test of the difference of two means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchTest {
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub degrees_of_freedom: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Runs Welch's t-test of mean(`values1`) − mean(`values0`), with sample variances (n − 1 in the
/// denominator). `None` when a group has fewer than 2 values or both variances are 0.
pub fn welch_t_test(values1: &[f64], values0: &[f64]) -> Option<WelchTest> {
    let (mean1, variance1) = mean_and_variance(values1)?;
    let (mean0, variance0) = mean_and_variance(values0)?;
    let (n1, n0) = (values1.len() as f64, values0.len() as f64);
    let (share1, share0) = (variance1 / n1, variance0 / n0);
    let standard_error = (share1 + share0).sqrt();
    if standard_error <= 0.0 {
        return None;
    }
    let t = (mean1 - mean0) / standard_error;
    let degrees_of_freedom = (share1 + share0).powi(2) / (share1 * share1 / (n1 - 1.0) + share0 * share0 / (n0 - 1.0));
    let distribution = StudentsT::new(0.0, 1.0, degrees_of_freedom).ok()?;
    Some(WelchTest { t, degrees_of_freedom, p_value: 2.0 * distribution.sf(t.abs()) })
}

/// Returns the mean and the sample variance of `values`; `None` for fewer than 2 values.
fn mean_and_variance(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = sum(values.iter().copied()).0 / n;
    let squares = sum(values.iter().map(|value| (value - mean).powi(2))).0;
    Some((mean, squares / (n - 1.0)))
}

/// Pearson's chi-square goodness-of-fit test of `observed` counts against expected `shares`
/// (which sum to 1): the statistic, its degrees of freedom and its p-value. `None` for fewer than
/// two groups or no observations.
pub fn chi_square_goodness_of_fit(observed: &[u64], shares: &[f64]) -> Option<(f64, f64, f64)> {
    let total: u64 = observed.iter().sum();
    if observed.len() < 2 || observed.len() != shares.len() || total == 0 {
        return None;
    }
    let statistic = sum(observed.iter().zip(shares).map(|(&count, &share)| {
        let expected = total as f64 * share;
        (count as f64 - expected).powi(2) / expected
    }))
    .0;
    let degrees_of_freedom = (observed.len() - 1) as f64;
    let p_value = ChiSquared::new(degrees_of_freedom).ok()?.sf(statistic);
    Some((statistic, degrees_of_freedom, p_value))
}

/// Returns the always-valid p-value of the mixture sequential probability ratio test for the
/// difference of two rates, `x1 / n1 − x0 / n0`, with a normal mixing distribution of variance
/// `mixing_variance` centred on 0.
///
/// With d the observed difference and V = p1 (1 − p1) / n1 + p0 (1 − p0) / n0 its estimated
/// variance, the mixture likelihood ratio is Λ = √(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²)))
/// and the p-value is min(1, 1 / Λ). `None` when either group is empty or V is 0.
pub fn msprt_p_value(x1: u64, n1: u64, x0: u64, n0: u64, mixing_variance: f64) -> Option<f64> {
    if n1 == 0 || n0 == 0 || mixing_variance <= 0.0 {
        return None;
    }
    let (p1, p0) = (x1 as f64 / n1 as f64, x0 as f64 / n0 as f64);
    let variance = p1 * (1.0 - p1) / n1 as f64 + p0 * (1.0 - p0) / n0 as f64;
    if variance <= 0.0 {
        return None;
    }
    let difference = p1 - p0;
    let ln_ratio = 0.5 * (variance / (variance + mixing_variance)).ln()
        + mixing_variance * difference * difference / (2.0 * variance * (variance + mixing_variance));
    Some((-ln_ratio).exp().min(1.0))
}

/// A percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapInterval {
    pub lower: f64,
    pub upper: f64,
}

/// Returns the means of `resamples` bootstrap resamples of `values`, each drawn with replacement
/// at the size of `values` from a ChaCha8 stream seeded with `seed`. The same inputs give the same
/// means on every platform. Empty for no values.
///
/// Two groups resampled from separate streams give the bootstrap of the difference of their
/// means as the differences of their resampled means, taken in order.
pub fn bootstrap_means(values: &[f64], resamples: usize, seed: u64) -> Vec<f64> {
    if values.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..resamples).map(|_| resampled_mean(values, &mut rng)).collect()
}

/// Returns the percentile interval at `confidence` of the bootstrap `estimates`, between their
/// (1 − confidence)/2 and (1 + confidence)/2 quantiles. `None` for no estimates.
pub fn percentile_interval(mut estimates: Vec<f64>, confidence: f64) -> Option<BootstrapInterval> {
    estimates.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Some(BootstrapInterval { lower: quantile(&estimates, tail)?, upper: quantile(&estimates, 1.0 - tail)? })
}

/// Returns the mean of `values.len()` values drawn from `values` with replacement.
fn resampled_mean(values: &[f64], rng: &mut ChaCha8Rng) -> f64 {
    // Drawing a u32 index keeps the stream the same where usize is 32 bits wide (WebAssembly).
    let count = values.len().min(u32::MAX as usize) as u32;
    let total: f64 = (0..count).map(|_| values[rng.random_range(0..count) as usize]).sum();
    total / count as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    #[test]
    fn z_test_matches_statsmodels() {
        // statsmodels 0.15.0 proportions_ztest([30, 20], [200, 210]).
        let test = two_proportion_z_test(30, 200, 20, 210).unwrap();
        assert!(close(test.z, 1.6937872782363619, 1e-12), "{}", test.z);
        assert!(close(test.p_value, 0.09030571238938633, 1e-10), "{}", test.p_value);
    }

    #[test]
    fn z_test_without_spread_is_none() {
        assert_eq!(two_proportion_z_test(0, 10, 0, 10), None);
        assert_eq!(two_proportion_z_test(10, 10, 5, 5), None);
        assert_eq!(two_proportion_z_test(1, 10, 0, 0), None);
    }

    #[test]
    fn holm_steps_down() {
        // By hand: sorted 0.01, 0.02, 0.04 times 3, 2 and 1, kept increasing.
        let adjusted = holm(&[0.04, 0.01, 0.02]);
        assert!(close(adjusted[0], 0.04, 1e-15));
        assert!(close(adjusted[1], 0.03, 1e-15));
        assert!(close(adjusted[2], 0.04, 1e-15));
        assert_eq!(holm(&[0.5, 0.6]), vec![1.0, 1.0]);
    }

    #[test]
    fn probability_to_beat_small_cases() {
        // Uniform posteriors on both sides: 1/2 by symmetry.
        assert!(close(probability_to_beat(0, 0, 0, 0), 0.5, 1e-15));
        // Beta(2, 1) against Beta(1, 1): the integral of 2x · x over 0..1 is 2/3.
        assert!(close(probability_to_beat(1, 1, 0, 0), 2.0 / 3.0, 1e-14));
        assert!(close(probability_to_beat(0, 0, 1, 1), 1.0 / 3.0, 1e-14));
        let forward = probability_to_beat(7, 40, 3, 35);
        let backward = probability_to_beat(3, 35, 7, 40);
        assert!(close(forward + backward, 1.0, 1e-12));
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy 1.17.1 ttest_ind([1, 2, 3, 4, 10], [0, 0, 1, 2], equal_var=False).
        let test = welch_t_test(&[1.0, 2.0, 3.0, 4.0, 10.0], &[0.0, 0.0, 1.0, 2.0]).unwrap();
        assert!(close(test.t, 1.9672897619907412, 1e-12), "{}", test.t);
        assert!(close(test.p_value, 0.10976382487089913, 1e-10), "{}", test.p_value);
        assert_eq!(welch_t_test(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(welch_t_test(&[0.0, 0.0], &[0.0, 0.0]), None);
    }

    #[test]
    fn goodness_of_fit_by_hand() {
        // 60 and 40 against 50/50: (10² + 10²) / 50 = 4 on 1 degree of freedom.
        let (statistic, degrees_of_freedom, p_value) = chi_square_goodness_of_fit(&[60, 40], &[0.5, 0.5]).unwrap();
        assert!(close(statistic, 4.0, 1e-12));
        assert_eq!(degrees_of_freedom, 1.0);
        assert!(close(p_value, 0.04550026389635857, 1e-12), "{p_value}");
        assert_eq!(chi_square_goodness_of_fit(&[5], &[1.0]), None);
    }

    #[test]
    fn msprt_is_one_without_a_difference() {
        assert_eq!(msprt_p_value(10, 100, 10, 100, 1e-4), Some(1.0));
        assert_eq!(msprt_p_value(0, 100, 0, 100, 1e-4), None);
        let strong = msprt_p_value(300, 1000, 200, 1000, 1e-2).unwrap();
        assert!(strong < 1e-4, "{strong}");
    }

    #[test]
    fn bootstrap_repeats_for_a_seed() {
        let values: Vec<f64> = (0..50).map(f64::from).collect();
        let means = bootstrap_means(&values, 500, 7);
        assert_eq!(means.len(), 500);
        assert_eq!(bootstrap_means(&values, 500, 7), means);
        let first = percentile_interval(means, 0.95).unwrap();
        assert!(first.lower < 24.5, "{first:?}");
        assert!(first.upper > 24.5, "{first:?}");
        assert!(bootstrap_means(&[], 500, 7).is_empty());
        assert_eq!(percentile_interval(Vec::new(), 0.95), None);
    }
}
