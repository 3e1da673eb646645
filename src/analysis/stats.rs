//! Small statistics shared by the analyses.

/// Returns the `q` quantile (0 to 1) of sorted values, interpolating linearly between the two
/// nearest ranks (the definition numpy and R use by default). `None` for no values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
}

/// Sums values with Neumaier's compensated summation, so that a total of many amounts in cents
/// does not drift (244091.94 rather than 244091.93999999564), and counts them.
pub fn sum(values: impl Iterator<Item = f64>) -> (f64, u64) {
    let (mut total, mut compensation, mut count) = (0.0f64, 0.0f64, 0u64);
    for value in values {
        let next = total + value;
        compensation += if total.abs() >= value.abs() { (total - next) + value } else { (value - next) + total };
        total = next;
        count += 1;
    }
    (total + compensation, count)
}

/// Returns the median of `values`, the [`quantile`] at 0.5 of their sorted order, reordering them
/// in place. Selection finds the middle values in linear time, where a sort takes `n log n`.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let (middle, odd) = (values.len() / 2, values.len() % 2 == 1);
    let (below, &mut upper, _) = values.select_nth_unstable_by(middle, f64::total_cmp);
    if odd {
        return Some(upper);
    }
    // An even count has its median halfway between the middle value and the largest one below it.
    let lower = below.iter().copied().max_by(f64::total_cmp)?;
    Some(lower + (upper - lower) * 0.5)
}

/// Returns the Wilson score interval of `successes` out of `trials` for the normal quantile `z`
/// (1.96 for 95%), clamped to 0..1; (0, 0) for no trials.
pub fn wilson(successes: u64, trials: u64, z: f64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 0.0);
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Returns `part / whole`, or 0 when `whole` is 0.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Writes a p- or q-value for a sentence, as `q = 0.012`, or `q < 0.001` below 0.001, where three
/// decimals would round to zero.
pub fn probability_text(name: &str, value: f64) -> String {
    if value < 0.001 {
        format!("{name} < 0.001")
    } else {
        format!("{name} = {value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let values = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&values, 0.5), Some(2.5));
        assert_eq!(quantile(&values, 0.25), Some(1.75));
        assert_eq!(quantile(&values, 1.0), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn compensated_sum_does_not_drift() {
        let (total, count) = sum(std::iter::repeat_n(0.1, 10));
        assert_eq!(total, 1.0);
        assert_eq!(count, 10);
    }

    #[test]
    fn median_of_odd_count() {
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
    }

    #[test]
    fn median_by_selection_equals_the_sorted_quantile() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // Lengths 1 to 40 of values with repeats, in a scrambled order.
        for length in 1..=40u64 {
            let mut values: Vec<f64> = (0..length).map(|at| ((at * 7919) % 13) as f64 - 4.5).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(median(&mut values), quantile(&sorted, 0.5), "{length} values");
        }
    }
}
