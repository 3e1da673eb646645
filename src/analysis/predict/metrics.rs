//! Scores of probability predictions against 0/1 outcomes: ROC AUC with DeLong's confidence
//! interval, log loss, Brier score and a calibration table by deciles of the prediction.

use serde::Serialize;

/// The standard normal quantile for a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Predictions are kept this far from 0 and 1 in the log loss, so that one confident miss gives a
/// large but finite loss.
pub const LOG_LOSS_CLIP: f64 = 1e-15;

/// The number of rows in the calibration table, when there are at least that many predictions.
pub const CALIBRATION_GROUPS: usize = 10;

/// The area under the ROC curve with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Auc {
    pub auc: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// One group of the calibration table: predictions of similar size and the outcomes behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRow {
    pub people: u64,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Returns the midrank (1-based, ties sharing the mean of their ranks) of each value.
fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start + 1 ..= end share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &at in &order[start..end] {
            ranks[at] = rank;
        }
        start = end;
    }
    ranks
}

/// Computes the ROC AUC of `scores` against `labels`, counting a tie between a converter and a
/// non-converter as half, with DeLong's 95% interval clamped to [0, 1]. `None` unless both
/// classes have at least two members (the interval needs a variance within each).
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<Auc> {
    let positives: Vec<f64> = scores.iter().zip(labels).filter(|(_, &label)| label).map(|(&score, _)| score).collect();
    let negatives: Vec<f64> = scores.iter().zip(labels).filter(|(_, &label)| !label).map(|(&score, _)| score).collect();
    let (m, n) = (positives.len(), negatives.len());
    if m < 2 || n < 2 {
        return None;
    }
    let all: Vec<f64> = positives.iter().chain(&negatives).copied().collect();
    let ranks_all = midranks(&all);
    let ranks_positive = midranks(&positives);
    let ranks_negative = midranks(&negatives);

    // DeLong's placement values, from ranks as in Sun and Xu (2014): the share of negatives each
    // positive beats, and the share of positives that beat each negative.
    let placements_positive: Vec<f64> = (0..m).map(|i| (ranks_all[i] - ranks_positive[i]) / n as f64).collect();
    let placements_negative: Vec<f64> = (0..n).map(|j| 1.0 - (ranks_all[m + j] - ranks_negative[j]) / m as f64).collect();
    let auc = mean(&placements_positive);
    let variance = sample_variance(&placements_positive) / m as f64 + sample_variance(&placements_negative) / n as f64;
    let half_width = Z_95 * variance.max(0.0).sqrt();
    Some(Auc { auc, ci_low: (auc - half_width).max(0.0), ci_high: (auc + half_width).min(1.0) })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Computes the variance with n - 1 in the denominator, or 0 for fewer than two values.
fn sample_variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let centre = mean(values);
    values.iter().map(|value| (value - centre).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

/// Returns the mean log loss in nats, with predictions clipped to [`LOG_LOSS_CLIP`] from 0 and 1.
/// `None` for no predictions.
pub fn log_loss(predictions: &[f64], labels: &[bool]) -> Option<f64> {
    if predictions.is_empty() {
        return None;
    }
    let total: f64 = predictions
        .iter()
        .zip(labels)
        .map(|(&p, &label)| {
            let p = p.clamp(LOG_LOSS_CLIP, 1.0 - LOG_LOSS_CLIP);
            if label { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Some(total / predictions.len() as f64)
}

/// Returns the Brier score: the mean squared difference between prediction and outcome.
pub fn brier(predictions: &[f64], labels: &[bool]) -> Option<f64> {
    if predictions.is_empty() {
        return None;
    }
    let total: f64 = predictions.iter().zip(labels).map(|(&p, &label)| (p - f64::from(u8::from(label))).powi(2)).sum();
    Some(total / predictions.len() as f64)
}

/// Groups the predictions, sorted by size with ties in input order, into [`CALIBRATION_GROUPS`]
/// groups: group `g` of `n` contains sorted positions `floor(g n / 10)` up to `floor((g + 1) n / 10)`.
/// Empty groups (fewer than ten predictions) are left out.
pub fn calibration(predictions: &[f64], labels: &[bool]) -> Vec<CalibrationRow> {
    let mut order: Vec<usize> = (0..predictions.len()).collect();
    order.sort_by(|&a, &b| predictions[a].total_cmp(&predictions[b]));
    let n = order.len();
    (0..CALIBRATION_GROUPS)
        .filter_map(|group| {
            let members = order.get(group * n / CALIBRATION_GROUPS..(group + 1) * n / CALIBRATION_GROUPS)?;
            if members.is_empty() {
                return None;
            }
            let size = members.len() as f64;
            let predicted = members.iter().map(|&at| predictions[at]).sum::<f64>() / size;
            let observed = members.iter().filter(|&&at| labels[at]).count() as f64 / size;
            Some(CalibrationRow { people: members.len() as u64, mean_predicted: predicted, observed_rate: observed })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        // Pairs (positive, negative): 0.8 beats 0.3 and 0.5, 0.5 ties 0.5 and beats 0.3,
        // 0.2 loses both. (2 + 1.5 + 0) / 6.
        let scores = [0.8, 0.5, 0.2, 0.5, 0.3];
        let labels = [true, true, true, false, false];
        let result = auc(&scores, &labels).unwrap();
        assert!((result.auc - 3.5 / 6.0).abs() < 1e-12, "{}", result.auc);
        assert!(result.ci_low <= result.auc);
        assert!(result.auc <= result.ci_high);
    }

    #[test]
    fn auc_of_perfect_ranking() {
        let result = auc(&[0.9, 0.8, 0.1, 0.2], &[true, true, false, false]).unwrap();
        assert_eq!(result.auc, 1.0);
        assert_eq!(result.ci_high, 1.0);
    }

    #[test]
    fn auc_needs_two_of_each_class() {
        assert_eq!(auc(&[0.9, 0.1, 0.2], &[true, false, false]), None);
    }

    #[test]
    fn delong_variance_by_hand() {
        // Positives 0.9, 0.4 and negatives 0.5, 0.1: placements of positives are 1 and 0.5,
        // of negatives 0.5 and 0, so the variance is 0.125 / 2 + 0.125 / 2.
        let result = auc(&[0.9, 0.4, 0.5, 0.1], &[true, true, false, false]).unwrap();
        assert!((result.auc - 0.75).abs() < 1e-12);
        let half_width = Z_95 * 0.125f64.sqrt();
        assert!((result.ci_low - (0.75 - half_width).max(0.0)).abs() < 1e-12);
    }

    #[test]
    fn log_loss_and_brier_by_hand() {
        let predictions = [0.8, 0.4];
        let labels = [true, false];
        let expected = -(0.8f64.ln() + 0.6f64.ln()) / 2.0;
        assert!((log_loss(&predictions, &labels).unwrap() - expected).abs() < 1e-12);
        assert!((brier(&predictions, &labels).unwrap() - (0.04 + 0.16) / 2.0).abs() < 1e-12);
        assert_eq!(log_loss(&[], &[]), None);
    }

    #[test]
    fn calibration_splits_into_deciles() {
        let predictions: Vec<f64> = (0..25).map(|at| f64::from(at) / 25.0).collect();
        let labels: Vec<bool> = (0..25).map(|at| at >= 20).collect();
        let rows = calibration(&predictions, &labels);
        assert_eq!(rows.len(), 10);
        assert_eq!(rows.iter().map(|row| row.people).sum::<u64>(), 25);
        assert_eq!(rows[0].people, 2);
        assert_eq!(rows[9].observed_rate, 1.0);
        assert_eq!(rows[0].observed_rate, 0.0);
    }
}
