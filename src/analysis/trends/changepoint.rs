//! Change points in a weekly rate: the segmentation that minimises the binomial cost plus a
//! penalty per change. This is the objective of PELT, solved exactly by optimal partitioning,
//! because a series has at most a few hundred weeks. The penalty is set by simulation, so that a
//! series without a change gets one with a stated probability.
//!
//! The cost of a segment is −2 times its binomial log-likelihood at the segment's pooled rate,
//! divided by the overdispersion factor from [`dispersion`]. The penalty is the `1 − level`
//! quantile of the largest single-split likelihood ratio over [`SIMULATIONS`] series drawn with
//! the same weekly trials and one rate. The draws use the normal approximation of the binomial,
//! under which that ratio does not depend on the rate.

/// Simulated null series per penalty and per p-value.
pub const SIMULATIONS: usize = 1999;

/// One week's successes and trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub successes: u64,
    pub trials: u64,
}

/// Returns −2 times the binomial log-likelihood of `successes` out of `trials` at their own rate,
/// without the binomial coefficients (which cancel between segmentations); 0 for no trials.
pub fn binomial_cost(successes: f64, trials: f64) -> f64 {
    let term = |count: f64| if count > 0.0 { count * (count / trials).ln() } else { 0.0 };
    if trials <= 0.0 {
        return 0.0;
    }
    -2.0 * (term(successes) + term(trials - successes))
}

/// Prefix sums of a series, so that any segment's cost takes constant time.
struct Prefix {
    successes: Vec<f64>,
    trials: Vec<f64>,
}

impl Prefix {
    fn new(series: &[Counts]) -> Prefix {
        let mut successes = vec![0.0];
        let mut trials = vec![0.0];
        for week in series {
            successes.push(successes[successes.len() - 1] + week.successes as f64);
            trials.push(trials[trials.len() - 1] + week.trials as f64);
        }
        Prefix { successes, trials }
    }

    /// Returns the cost of weeks `start..end`.
    fn cost(&self, start: usize, end: usize) -> f64 {
        binomial_cost(self.successes[end] - self.successes[start], self.trials[end] - self.trials[start])
    }

    /// Returns the pooled rate of weeks `start..end`, 0 without trials.
    fn rate(&self, start: usize, end: usize) -> f64 {
        let trials = self.trials[end] - self.trials[start];
        if trials > 0.0 { (self.successes[end] - self.successes[start]) / trials } else { 0.0 }
    }
}

/// Returns the overdispersion factor of a rate series: the squared robust spread
/// (1.4826 × median absolute value) of the standardised differences between consecutive weeks
/// with trials, at least 1. Differences are used, so that a level shift moves only one of them.
/// Fewer than 6 differences give 1.
pub fn dispersion(series: &[Counts]) -> f64 {
    let weeks: Vec<&Counts> = series.iter().filter(|week| week.trials > 0).collect();
    let successes: u64 = weeks.iter().map(|week| week.successes).sum();
    let trials: u64 = weeks.iter().map(|week| week.trials).sum();
    if trials == 0 {
        return 1.0;
    }
    let pooled = successes as f64 / trials as f64;
    let variance = pooled * (1.0 - pooled);
    if variance <= 0.0 {
        return 1.0;
    }
    let mut differences: Vec<f64> = weeks
        .windows(2)
        .map(|pair| {
            let rate = |week: &Counts| week.successes as f64 / week.trials as f64;
            let error = (variance * (1.0 / pair[0].trials as f64 + 1.0 / pair[1].trials as f64)).sqrt();
            ((rate(pair[1]) - rate(pair[0])) / error).abs()
        })
        .collect();
    if differences.len() < 6 {
        return 1.0;
    }
    let spread = super::super::stats::median(&mut differences).unwrap_or(0.0) * 1.4826;
    (spread * spread).max(1.0)
}

/// Returns the weeks at which a new segment starts, in order, for the segmentation of `series`
/// that minimises the sum of segment costs (divided by `dispersion`) plus `penalty` per change,
/// with every segment at least `min_length` weeks long.
pub fn segment(series: &[Counts], penalty: f64, dispersion: f64, min_length: usize) -> Vec<usize> {
    let weeks = series.len();
    let min_length = min_length.max(1);
    let prefix = Prefix::new(series);
    let mut best = vec![f64::INFINITY; weeks + 1];
    let mut previous = vec![0usize; weeks + 1];
    best[0] = -penalty;

    for end in min_length..=weeks {
        for start in 0..=end - min_length {
            if !best[start].is_finite() {
                continue;
            }
            let total = best[start] + prefix.cost(start, end) / dispersion + penalty;
            if total < best[end] {
                best[end] = total;
                previous[end] = start;
            }
        }
    }
    if weeks < min_length {
        return Vec::new();
    }

    let mut changes = Vec::new();
    let mut end = weeks;
    while end > 0 {
        end = previous[end];
        if end > 0 {
            changes.push(end);
        }
    }
    changes.reverse();
    changes
}

/// Returns the likelihood ratio of splitting weeks `start..end` at `at`, divided by `dispersion`.
pub fn split_ratio(series: &[Counts], start: usize, at: usize, end: usize, dispersion: f64) -> f64 {
    let prefix = Prefix::new(series);
    (prefix.cost(start, end) - prefix.cost(start, at) - prefix.cost(at, end)) / dispersion
}

/// Returns the pooled rate of weeks `start..end`.
pub fn pooled_rate(series: &[Counts], start: usize, end: usize) -> f64 {
    Prefix::new(series).rate(start, end)
}

/// Returns the largest single-split likelihood ratios of [`SIMULATIONS`] null series with the
/// weekly `trials` of the series, under the normal approximation, sorted in ascending order.
/// The draws are fixed by `seed`.
pub fn null_maxima(trials: &[u64], min_length: usize, seed: u64) -> Vec<f64> {
    let mut random = SplitMix64(seed);
    let roots: Vec<f64> = trials.iter().map(|&count| (count as f64).sqrt()).collect();
    let total: f64 = trials.iter().map(|&count| count as f64).sum();
    let min_length = min_length.max(1);
    let mut maxima = Vec::with_capacity(SIMULATIONS);
    let mut sums = vec![0.0f64; trials.len() + 1];
    let mut weights = vec![0.0f64; trials.len() + 1];
    for _ in 0..SIMULATIONS {
        for (week, &root) in roots.iter().enumerate() {
            sums[week + 1] = sums[week] + root * random.normal();
            weights[week + 1] = weights[week] + root * root;
        }
        let all = sums[trials.len()];
        let mut largest = 0.0f64;
        for at in min_length..=trials.len().saturating_sub(min_length) {
            let (before, after) = (weights[at], total - weights[at]);
            if before > 0.0 && after > 0.0 {
                let left = sums[at];
                let right = all - left;
                largest = largest.max(left * left / before + right * right / after - all * all / total);
            }
        }
        maxima.push(largest);
    }
    maxima.sort_by(f64::total_cmp);
    maxima
}

/// Returns the `1 − level` quantile of sorted simulated maxima: the value exceeded by at most a
/// share `level` of them.
pub fn upper_quantile(sorted: &[f64], level: f64) -> f64 {
    if sorted.is_empty() {
        return f64::INFINITY;
    }
    let exceed = ((sorted.len() as f64) * level.clamp(0.0, 1.0)).floor() as usize;
    sorted[sorted.len() - 1 - exceed.min(sorted.len() - 1)]
}

/// Returns the simulated p-value of a statistic, (1 + maxima at or above it) / (1 + simulations).
pub fn simulated_p(sorted: &[f64], statistic: f64) -> f64 {
    let above = sorted.len() - sorted.partition_point(|&value| value < statistic);
    (1 + above) as f64 / (1 + sorted.len()) as f64
}

/// SplitMix64 (Steele, Lea and Flood, 2014), a small seeded generator, with Box–Muller normals.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Draws a uniform number in (0, 1].
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let radius = (-2.0 * self.uniform().ln()).sqrt();
        radius * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(rates: &[(u64, u64)]) -> Vec<Counts> {
        rates.iter().map(|&(successes, trials)| Counts { successes, trials }).collect()
    }

    #[test]
    fn cost_of_pure_segments_is_zero() {
        assert_eq!(binomial_cost(0.0, 10.0), 0.0);
        assert_eq!(binomial_cost(10.0, 10.0), 0.0);
        assert_eq!(binomial_cost(0.0, 0.0), 0.0);
        assert!((binomial_cost(5.0, 10.0) - 20.0 * 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn segment_finds_level_shift() {
        let mut weeks = vec![(25, 100); 8];
        weeks.extend(vec![(10, 100); 8]);
        assert_eq!(segment(&series(&weeks), 15.0, 1.0, 2), vec![8]);
    }

    #[test]
    fn segment_keeps_flat_series_whole() {
        let weeks = [(25, 100), (27, 100), (23, 100), (26, 100), (24, 100), (25, 100)];
        assert!(segment(&series(&weeks), 15.0, 1.0, 2).is_empty());
        assert!(segment(&series(&weeks[..1]), 15.0, 1.0, 2).is_empty());
        assert!(segment(&[], 15.0, 1.0, 2).is_empty());
    }

    #[test]
    fn null_quantile_is_stable() {
        let maxima = null_maxima(&[100; 26], 2, 7);
        assert_eq!(maxima.len(), SIMULATIONS);
        let quantile = upper_quantile(&maxima, 0.05);
        // The 95% point of the largest of about 23 correlated chi-square(1) split statistics.
        assert!((6.0..12.0).contains(&quantile), "{quantile}");
        assert!(simulated_p(&maxima, quantile) <= 0.051);
        assert_eq!(simulated_p(&maxima, f64::INFINITY), 1.0 / 2000.0);
    }

    #[test]
    fn dispersion_of_binomial_noise_is_one() {
        let weeks = [(25, 100), (27, 100), (23, 100), (26, 100), (24, 100), (25, 100), (22, 100), (28, 100)];
        assert_eq!(dispersion(&series(&weeks)), 1.0);
        let noisy = [(10, 100), (40, 100), (12, 100), (38, 100), (11, 100), (42, 100), (9, 100), (39, 100)];
        assert!(dispersion(&series(&noisy)) > 10.0);
    }
}
