//! Test plans: how many people an A/B test of a change needs, and the smallest effect a test of a
//! given length can detect, for a rate such as the share of people who go on past a step.
//!
//! Both use the normal approximation for two independent proportions with equal arms, a two-sided
//! significance level of 5% and 80% power. The people per arm for rates p1 and p2 are
//! (z(1 − α/2) √(2 p̄ q̄) + z(1 − β) √(p1 q1 + p2 q2))² / (p2 − p1)², with p̄ the mean of the two
//! rates and q = 1 − p: the formula of Fleiss, which statsmodels also uses.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// The two-sided significance level.
pub const ALPHA: f64 = 0.05;
/// The chance of detecting a real effect of the planned size.
pub const POWER: f64 = 0.8;
/// The length of the test the minimum detectable effect is given for, in weeks.
pub const PLANNED_WEEKS: f64 = 4.0;
/// The relative rise of the rate the sample size is given for.
pub const TARGET_UPLIFT: f64 = 0.1;

/// The test plan for one rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestPlan {
    /// The rate to watch, in words.
    pub metric: String,
    /// The rate now.
    pub baseline_rate: f64,
    /// People who reach the place per week, over the span of the data.
    pub weekly_people: f64,
    pub weeks: f64,
    /// The smallest rise of the rate, in points from 0 to 1, that a test of `weeks` weeks with
    /// half the people in each arm detects; `None` when even the largest rise would go unseen.
    pub minimum_detectable_effect: Option<f64>,
    /// The same rise as a share of the baseline rate.
    pub minimum_detectable_uplift: Option<f64>,
    pub target_uplift: f64,
    /// People per arm to detect a rise of `target_uplift` of the baseline; `None` when the raised
    /// rate would pass 1 or the baseline is 0.
    pub people_per_arm: Option<u64>,
    /// Weeks at the current traffic to reach `people_per_arm` in each arm.
    pub weeks_needed: Option<f64>,
}

/// Plans a test of a change to `metric`, whose rate is `baseline_rate`, reached by `weekly_people`
/// people a week.
pub fn plan(metric: String, baseline_rate: f64, weekly_people: f64) -> TestPlan {
    let per_arm = weekly_people * PLANNED_WEEKS / 2.0;
    let minimum_detectable_effect = minimum_detectable_effect(baseline_rate, per_arm);
    let target = baseline_rate * (1.0 + TARGET_UPLIFT);
    let people_per_arm = (baseline_rate > 0.0 && target < 1.0).then(|| people_per_arm(baseline_rate, target).ceil() as u64);
    TestPlan {
        metric,
        baseline_rate,
        weekly_people,
        weeks: PLANNED_WEEKS,
        minimum_detectable_effect,
        minimum_detectable_uplift: minimum_detectable_effect.filter(|_| baseline_rate > 0.0).map(|effect| effect / baseline_rate),
        target_uplift: TARGET_UPLIFT,
        people_per_arm,
        weeks_needed: people_per_arm.filter(|_| weekly_people > 0.0).map(|people| 2.0 * people as f64 / weekly_people),
    }
}

/// Returns the standard normal quantile of `probability`.
fn quantile(probability: f64) -> f64 {
    // The standard normal's parameters are valid, so construction cannot fail.
    Normal::new(0.0, 1.0).map_or(f64::NAN, |normal| normal.inverse_cdf(probability))
}

/// Returns the people per arm needed to tell `p1` from `p2`, before rounding up.
pub fn people_per_arm(p1: f64, p2: f64) -> f64 {
    people_per_arm_at(p1, p2, ALPHA, POWER)
}

/// Returns the people per arm needed to tell `p1` from `p2` in a two-sided test at significance
/// level `alpha` with the given `power`, before rounding up.
pub fn people_per_arm_at(p1: f64, p2: f64, alpha: f64, power: f64) -> f64 {
    let z_alpha = quantile(1.0 - alpha / 2.0);
    let z_beta = quantile(power);
    let mean = (p1 + p2) / 2.0;
    let spread = z_alpha * (2.0 * mean * (1.0 - mean)).sqrt() + z_beta * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    (spread / (p2 - p1)).powi(2)
}

/// Returns the smallest rise above `rate` that `per_arm` people in each arm detect, by bisection
/// on the people needed, which fall as the rise grows; `None` when even a rise to 1 needs more.
pub fn minimum_detectable_effect(rate: f64, per_arm: f64) -> Option<f64> {
    minimum_detectable_effect_at(rate, per_arm, ALPHA, POWER)
}

/// Returns [`minimum_detectable_effect`] for a two-sided test at significance level `alpha` with
/// the given `power`.
pub fn minimum_detectable_effect_at(rate: f64, per_arm: f64, alpha: f64, power: f64) -> Option<f64> {
    if !(0.0..1.0).contains(&rate) || per_arm < 1.0 {
        return None;
    }
    let (mut low, mut high) = (0.0, 1.0 - rate);
    if people_per_arm_at(rate, rate + high, alpha, power) > per_arm {
        return None;
    }
    for _ in 0..100 {
        let middle = (low + high) / 2.0;
        if people_per_arm_at(rate, rate + middle, alpha, power) > per_arm {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_per_arm_matches_statsmodels() {
        // statsmodels 0.15.0: samplesize_proportions_2indep_onetail(diff, prop2, 0.8, alpha=0.025,
        // alternative="larger"), the one-sided form of a two-sided 5% test.
        let cases = [(0.5, 0.55, 1564.6720527749508), (0.1, 0.11, 14750.790469044958), (0.3, 0.4, 355.94281271162527)];
        for (p1, p2, expected) in cases {
            let actual = people_per_arm(p1, p2);
            assert!((actual - expected).abs() < 1e-6 * expected, "{p1} to {p2}: {actual}");
        }
    }

    #[test]
    fn minimum_detectable_effect_inverts_the_sample_size() {
        let effect = minimum_detectable_effect(0.3, 355.94281271162527).unwrap();
        assert!((effect - 0.1).abs() < 1e-9, "{effect}");
        assert_eq!(minimum_detectable_effect(0.3, 0.5), None);
        assert_eq!(minimum_detectable_effect(1.0, 1000.0), None);
    }

    #[test]
    fn plan_for_a_step() {
        let plan = plan("went-on rate at step 2".to_string(), 0.3, 100.0);
        // 4 weeks of 100 people a week put 200 people in each arm.
        let effect = plan.minimum_detectable_effect.unwrap();
        assert!((people_per_arm(0.3, 0.3 + effect) - 200.0).abs() < 1e-6);
        assert!((plan.minimum_detectable_uplift.unwrap() - effect / 0.3).abs() < 1e-12);
        assert_eq!(plan.people_per_arm, Some(people_per_arm(0.3, 0.33).ceil() as u64));
        assert!((plan.weeks_needed.unwrap() - 2.0 * plan.people_per_arm.unwrap() as f64 / 100.0).abs() < 1e-12);
        assert_eq!(super::plan("rate".to_string(), 0.0, 100.0).people_per_arm, None);
    }
}
