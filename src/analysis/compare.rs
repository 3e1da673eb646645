//! Compares the aggregates of two periods, A (earlier or baseline) and B (later or current), with a
//! significance test for each difference and Benjamini–Hochberg q-values across all of them.
//!
//! Rates (conversion, each funnel step's share of the step before, each channel's and each top
//! path's share of people) get a two-proportion z-test. Channel mix and the time-to-convert bins
//! get Pearson's chi-square test of homogeneity.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::aggregates::{LabelCount, PeriodAggregates, PATH_TOP};
/// Re-exported, so that the golden tests can check the q-values on their own.
pub use super::drivers::contingency::benjamini_hochberg;

/// Below this expected count, a time-to-convert bin is merged with its neighbour before the
/// chi-square test (Cochran's rule of thumb).
const MIN_EXPECTED: f64 = 5.0;

/// A two-proportion z-test: `b_rate − a_rate` with its 95% Wald interval, and the two-sided
/// p-value from the pooled standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProportionTest {
    pub a_count: u64,
    pub a_total: u64,
    pub b_count: u64,
    pub b_total: u64,
    pub a_rate: f64,
    pub b_rate: f64,
    pub difference: f64,
    pub lower: f64,
    pub upper: f64,
    pub z: f64,
    pub p_value: f64,
}

/// Pearson's chi-square test of homogeneity of a 2 × k table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HomogeneityTest {
    pub chi_square: f64,
    pub degrees_of_freedom: u64,
    pub p_value: f64,
}

/// The kind of a compared rate, which sets whether a rise is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Converters within the window over people.
    Conversion,
    /// People reaching a funnel step over people reaching the step before; its complement is the
    /// drop-off.
    Step,
    /// A first-touch channel's share of people.
    Channel,
    /// A top path's share of people.
    Path,
}

/// Whether B is better than A on a metric with a significant difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Better,
    Worse,
    /// Not significant, or a metric without a better direction (channel and path shares).
    Neutral,
}

/// One compared rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricChange {
    pub metric: Metric,
    /// The step (`step 3 (checkout)`), channel or path.
    pub label: String,
    #[serde(flatten)]
    pub test: ProportionTest,
    /// Benjamini–Hochberg q-value across every test of the comparison.
    pub q_value: f64,
    pub direction: Direction,
}

/// A compared distribution: the channel mix or the time to convert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionChange {
    #[serde(flatten)]
    pub test: HomogeneityTest,
    pub q_value: f64,
    /// For the time to convert, each period's median, from the raw durations; `None` otherwise.
    pub a_median_ms: Option<f64>,
    pub b_median_ms: Option<f64>,
    pub direction: Direction,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodSummary {
    pub label: String,
    pub first_event: Option<String>,
    pub last_first_event: Option<String>,
    pub people: u64,
    pub converters: u64,
}

/// Everything that differs between two periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: PeriodSummary,
    pub b: PeriodSummary,
    /// The q-value under which a difference counts as significant.
    pub alpha: f64,
    /// Conversion, then the steps in order, then the channels and the paths.
    pub changes: Vec<MetricChange>,
    /// `None` when fewer than two channels have people.
    pub channel_mix: Option<DistributionChange>,
    /// `None` when either period has no converter measured or the bins merge into one.
    pub time_to_convert: Option<DistributionChange>,
    /// Labels of the metrics significantly better, and worse, in B.
    pub improved: Vec<String>,
    pub worsened: Vec<String>,
    /// True when one metric improved significantly and another worsened significantly.
    pub trade_off: bool,
    /// Reasons why parts of the periods could not be compared.
    pub notes: Vec<String>,
}

/// Returns the two-proportion z-test of `a_count / a_total` against `b_count / b_total`, or `None`
/// when a total is 0. When both rates are 0 or both 1, z is 0 and p is 1.
pub fn two_proportions(a_count: u64, a_total: u64, b_count: u64, b_total: u64) -> Option<ProportionTest> {
    if a_total == 0 || b_total == 0 || a_count > a_total || b_count > b_total {
        return None;
    }
    let (n1, n2) = (a_total as f64, b_total as f64);
    let (p1, p2) = (a_count as f64 / n1, b_count as f64 / n2);
    let pooled = (a_count + b_count) as f64 / (n1 + n2);
    let pooled_error = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = if pooled_error > 0.0 { (p2 - p1) / pooled_error } else { 0.0 };
    let normal = Normal::standard();
    let p_value = (2.0 * normal.sf(z.abs())).min(1.0);
    let wald_error = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    let critical = normal.inverse_cdf(0.975);
    let difference = p2 - p1;
    Some(ProportionTest {
        a_count,
        a_total,
        b_count,
        b_total,
        a_rate: p1,
        b_rate: p2,
        difference,
        lower: difference - critical * wald_error,
        upper: difference + critical * wald_error,
        z,
        p_value,
    })
}

/// Returns Pearson's chi-square test of homogeneity of the rows `a` and `b` (equal lengths).
/// Columns empty in both rows are left out. `None` when fewer than two columns or a row total is 0.
pub fn chi_square_homogeneity(a: &[u64], b: &[u64]) -> Option<HomogeneityTest> {
    let columns: Vec<(f64, f64)> = a.iter().zip(b).filter(|&(&x, &y)| x + y > 0).map(|(&x, &y)| (x as f64, y as f64)).collect();
    let a_total: f64 = columns.iter().map(|column| column.0).sum();
    let b_total: f64 = columns.iter().map(|column| column.1).sum();
    if columns.len() < 2 || a_total == 0.0 || b_total == 0.0 {
        return None;
    }
    let total = a_total + b_total;
    let mut chi_square = 0.0;
    for &(x, y) in &columns {
        let column = x + y;
        let (expected_a, expected_b) = (column * a_total / total, column * b_total / total);
        chi_square += (x - expected_a).powi(2) / expected_a + (y - expected_b).powi(2) / expected_b;
    }
    let degrees_of_freedom = columns.len() as u64 - 1;
    let p_value = ChiSquared::new(degrees_of_freedom as f64).map_or(1.0, |distribution| distribution.sf(chi_square));
    Some(HomogeneityTest { chi_square, degrees_of_freedom, p_value })
}

/// Merges each run of adjacent columns (ordered bins) until the smaller expected count of every
/// merged column is at least [`MIN_EXPECTED`]; a short last run joins the column before it.
pub fn merge_sparse_bins(a: &[u64], b: &[u64]) -> (Vec<u64>, Vec<u64>) {
    let a_total: u64 = a.iter().sum();
    let b_total: u64 = b.iter().sum();
    let total = (a_total + b_total).max(1) as f64;
    let smaller_share = a_total.min(b_total) as f64 / total;
    let (mut merged_a, mut merged_b) = (Vec::new(), Vec::new());
    let (mut run_a, mut run_b) = (0u64, 0u64);
    for (&x, &y) in a.iter().zip(b) {
        run_a += x;
        run_b += y;
        if (run_a + run_b) as f64 * smaller_share >= MIN_EXPECTED {
            merged_a.push(run_a);
            merged_b.push(run_b);
            (run_a, run_b) = (0, 0);
        }
    }
    if run_a + run_b > 0 {
        match (merged_a.last_mut(), merged_b.last_mut()) {
            (Some(last_a), Some(last_b)) => {
                *last_a += run_a;
                *last_b += run_b;
            }
            _ => {
                merged_a.push(run_a);
                merged_b.push(run_b);
            }
        }
    }
    (merged_a, merged_b)
}

/// Compares period A with period B. `alpha` is the q-value under which a difference counts.
pub fn compare(a: &PeriodAggregates, b: &PeriodAggregates, alpha: f64) -> Comparison {
    let mut notes = Vec::new();
    let mut changes = Vec::new();
    if a.conversion_event.is_some() && a.conversion_event == b.conversion_event {
        changes.extend(rate_change(Metric::Conversion, "conversion".to_string(), (a.converters, a.people), (b.converters, b.people)));
    } else if a.conversion_event != b.conversion_event {
        notes.push(format!("The conversion events differ ({} and {}), so conversion and time to convert are not compared.", name_or_none(&a.conversion_event), name_or_none(&b.conversion_event)));
    }
    if a.window_ms != b.window_ms {
        notes.push(format!("The windows differ ({} and {} ms), so rates may differ for that reason alone.", a.window_ms, b.window_ms));
    }
    if a.steps == b.steps {
        for step in 1..a.steps.len() {
            let label = format!("step {} ({})", step + 1, a.steps[step]);
            let a_counts = (a.step_people[step], a.step_people[step - 1]);
            let b_counts = (b.step_people[step], b.step_people[step - 1]);
            changes.extend(rate_change(Metric::Step, label, a_counts, b_counts));
        }
    } else {
        notes.push(format!("The funnel steps differ ({} and {}), so the steps are not compared.", a.steps.join(", "), b.steps.join(", ")));
    }
    for (label, a_people, b_people) in shared_labels(&a.channels, &b.channels, true, true) {
        changes.extend(rate_change(Metric::Channel, label, (a_people, a.people), (b_people, b.people)));
    }
    let a_complete = a.top_paths.len() < PATH_TOP;
    let b_complete = b.top_paths.len() < PATH_TOP;
    for (label, a_people, b_people) in shared_labels(&a.top_paths, &b.top_paths, a_complete, b_complete) {
        changes.extend(rate_change(Metric::Path, label, (a_people, a.people), (b_people, b.people)));
    }

    let channel_columns = shared_labels(&a.channels, &b.channels, true, true);
    let a_channels: Vec<u64> = channel_columns.iter().map(|column| column.1).collect();
    let b_channels: Vec<u64> = channel_columns.iter().map(|column| column.2).collect();
    let channel_mix = chi_square_homogeneity(&a_channels, &b_channels).map(|test| DistributionChange { test, q_value: 1.0, a_median_ms: None, b_median_ms: None, direction: Direction::Neutral });
    let time_to_convert = if a.conversion_event == b.conversion_event && a.time_bins.len() == b.time_bins.len() {
        let (a_bins, b_bins) = merge_sparse_bins(&a.time_bins, &b.time_bins);
        chi_square_homogeneity(&a_bins, &b_bins).map(|test| DistributionChange { test, q_value: 1.0, a_median_ms: a.median_ms_to_convert, b_median_ms: b.median_ms_to_convert, direction: Direction::Neutral })
    } else {
        None
    };

    let mut p_values: Vec<f64> = changes.iter().map(|change| change.test.p_value).collect();
    p_values.extend(channel_mix.iter().chain(time_to_convert.iter()).map(|change| change.test.p_value));
    let q_values = benjamini_hochberg(&p_values);
    for (change, &q_value) in changes.iter_mut().zip(&q_values) {
        change.q_value = q_value;
        change.direction = match change.metric {
            Metric::Conversion | Metric::Step if q_value < alpha => if change.test.difference > 0.0 { Direction::Better } else { Direction::Worse },
            _ => Direction::Neutral,
        };
    }
    let mut rest = q_values[changes.len()..].iter();
    let mut channel_mix = channel_mix;
    let mut time_to_convert = time_to_convert;
    if let (Some(mix), Some(&q_value)) = (channel_mix.as_mut(), rest.next()) {
        mix.q_value = q_value;
    }
    if let (Some(timing), Some(&q_value)) = (time_to_convert.as_mut(), rest.next()) {
        timing.q_value = q_value;
        if let (true, Some(a_median), Some(b_median)) = (q_value < alpha, timing.a_median_ms, timing.b_median_ms) {
            timing.direction = if b_median < a_median { Direction::Better } else if b_median > a_median { Direction::Worse } else { Direction::Neutral };
        }
    }

    let mut improved: Vec<String> = changes.iter().filter(|change| change.direction == Direction::Better).map(|change| change.label.clone()).collect();
    let mut worsened: Vec<String> = changes.iter().filter(|change| change.direction == Direction::Worse).map(|change| change.label.clone()).collect();
    match time_to_convert.as_ref().map(|timing| timing.direction) {
        Some(Direction::Better) => improved.push("time to convert".to_string()),
        Some(Direction::Worse) => worsened.push("time to convert".to_string()),
        _ => {}
    }
    let trade_off = !improved.is_empty() && !worsened.is_empty();
    Comparison { a: summary(a), b: summary(b), alpha, changes, channel_mix, time_to_convert, improved, worsened, trade_off, notes }
}

fn rate_change(metric: Metric, label: String, (a_count, a_total): (u64, u64), (b_count, b_total): (u64, u64)) -> Option<MetricChange> {
    let test = two_proportions(a_count, a_total, b_count, b_total)?;
    Some(MetricChange { metric, label, test, q_value: 1.0, direction: Direction::Neutral })
}

/// Returns the labels of both lists with each side's count. A label missing from a side counts 0
/// when that side's list is complete; otherwise the label is left out, as its count is unknown.
fn shared_labels(a: &[LabelCount], b: &[LabelCount], a_complete: bool, b_complete: bool) -> Vec<(String, u64, u64)> {
    let count = |list: &[LabelCount], label: &str| list.iter().find(|entry| entry.label == label).map(|entry| entry.people);
    let mut labels: Vec<&str> = a.iter().chain(b).map(|entry| entry.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    labels
        .into_iter()
        .filter_map(|label| {
            let a_people = count(a, label).or(a_complete.then_some(0))?;
            let b_people = count(b, label).or(b_complete.then_some(0))?;
            Some((label.to_string(), a_people, b_people))
        })
        .collect()
}

fn summary(period: &PeriodAggregates) -> PeriodSummary {
    PeriodSummary {
        label: period.label.clone(),
        first_event: period.first_event.clone(),
        last_first_event: period.last_first_event.clone(),
        people: period.people,
        converters: period.converters,
    }
}

fn name_or_none(name: &Option<String>) -> &str {
    name.as_deref().unwrap_or("none")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_proportions_known_values() {
        let test = two_proportions(50, 100, 30, 100).unwrap();
        assert!((test.difference + 0.2).abs() < 1e-12);
        // Pooled rate 0.4: z = −0.2 / √(0.24 · 0.02) = −2.8868.
        assert!((test.z + 2.886751345948129).abs() < 1e-9, "{}", test.z);
        assert!(test.p_value < 0.004, "{}", test.p_value);
        assert!(test.p_value > 0.003, "{}", test.p_value);
        assert!(test.lower < -0.2, "{}", test.lower);
        assert!(test.upper > -0.2, "{}", test.upper);
    }

    #[test]
    fn two_proportions_degenerate() {
        assert_eq!(two_proportions(0, 0, 1, 2), None);
        assert_eq!(two_proportions(3, 2, 1, 2), None);
        let all = two_proportions(5, 5, 7, 7).unwrap();
        assert_eq!((all.z, all.p_value), (0.0, 1.0));
    }

    #[test]
    fn homogeneity_drops_empty_columns() {
        let with_empty = chi_square_homogeneity(&[10, 0, 20], &[20, 0, 10]).unwrap();
        let without = chi_square_homogeneity(&[10, 20], &[20, 10]).unwrap();
        assert_eq!(with_empty, without);
        assert_eq!(without.degrees_of_freedom, 1);
        assert_eq!(chi_square_homogeneity(&[5, 0], &[7, 0]), None);
        assert_eq!(chi_square_homogeneity(&[0, 0], &[7, 1]), None);
    }

    fn funnel(label: &str, step_people: Vec<u64>) -> PeriodAggregates {
        let people = step_people[0];
        PeriodAggregates {
            version: super::super::aggregates::AGGREGATES_VERSION,
            label: label.into(),
            first_event: None,
            last_first_event: None,
            window_ms: 1,
            people,
            conversion_event: Some("buy".into()),
            converters: *step_people.last().unwrap(),
            steps: vec!["visit".into(), "cart".into(), "buy".into()],
            step_people,
            channels: vec![LabelCount { label: "direct".into(), people }],
            time_bin_edges_ms: super::super::aggregates::TIME_BIN_EDGES_MS.to_vec(),
            time_bins: vec![0; 9],
            median_ms_to_convert: None,
            top_paths: Vec::new(),
            other_paths: people,
        }
    }

    #[test]
    fn compare_flags_trade_off() {
        let comparison = compare(&funnel("before", vec![1000, 500, 100]), &funnel("after", vec![1000, 700, 80]), 0.05);
        assert_eq!(comparison.improved, vec!["step 2 (cart)".to_string()]);
        assert_eq!(comparison.worsened, vec!["step 3 (buy)".to_string()]);
        assert!(comparison.trade_off);
        assert_eq!(comparison.channel_mix, None);
        assert_eq!(comparison.time_to_convert, None);
        let conversion = &comparison.changes[0];
        assert_eq!(conversion.metric, Metric::Conversion);
        assert_eq!(conversion.direction, Direction::Neutral, "{conversion:?}");
    }

    #[test]
    fn compare_notes_other_funnel() {
        let mut other = funnel("after", vec![1000, 700, 80]);
        other.steps[1] = "pricing".into();
        let comparison = compare(&funnel("before", vec![1000, 500, 100]), &other, 0.05);
        assert!(comparison.changes.iter().all(|change| change.metric != Metric::Step));
        assert!(comparison.notes[0].contains("funnel steps differ"), "{:?}", comparison.notes);
    }

    #[test]
    fn sparse_bins_merge() {
        let (a, b) = merge_sparse_bins(&[1, 1, 20, 30, 2], &[1, 2, 25, 28, 1]);
        assert_eq!(a, vec![22, 32]);
        assert_eq!(b, vec![28, 29]);
        assert_eq!(a.iter().sum::<u64>(), 54);
    }
}
