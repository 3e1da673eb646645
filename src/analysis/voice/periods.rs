//! Survey themes by calendar month of the answer, with a flag for each theme whose share of the
//! answers grew significantly from the second-latest month to the latest, so that a new objection
//! is seen as it starts to grow.
//!
//! Months are taken in the load's time zone. Each theme's share of a month's analysed answers is
//! compared between the two latest months that have answers by a two-proportion z-test, and the
//! p-values of all themes are adjusted together by Benjamini–Hochberg.

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use crate::analysis::compare::two_proportions;
use crate::analysis::drivers::contingency::benjamini_hochberg;
use crate::sorting;

/// Adjusted p-value under which a theme's growth is flagged.
pub const SIGNIFICANCE: f64 = 0.05;

/// Theme counts per month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemesByMonth {
    /// Months with at least one analysed answer, `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// Analysed answers per month.
    pub answers: Vec<u64>,
    /// Per theme (in the report's theme order), its answers per month.
    pub themes: Vec<Vec<u64>>,
    /// The themes tested between the two latest months, largest growth first; empty with fewer than
    /// two months.
    pub growth: Vec<ThemeGrowth>,
}

/// One theme's share in the two latest months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeGrowth {
    /// Index in the report's themes.
    pub theme: usize,
    pub previous_share: f64,
    pub latest_share: f64,
    pub p_value: f64,
    pub q_value: f64,
    /// True when the share grew and the q-value is below [`SIGNIFICANCE`].
    pub growing: bool,
}

/// Counts the answers of each theme per month. `times` and `assignment` run over the analysed
/// answers in the same order.
pub fn by_month(times: &[i64], assignment: &[usize], theme_count: usize, zone: Tz) -> ThemesByMonth {
    let month_of = |millis: i64| DateTime::from_timestamp_millis(millis).map_or_else(String::new, |time| zone.from_utc_datetime(&time.naive_utc()).format("%Y-%m").to_string());
    let keys: Vec<String> = times.iter().map(|&millis| month_of(millis)).collect();
    let mut months = keys.clone();
    months.sort_unstable();
    months.dedup();
    let mut answers = vec![0u64; months.len()];
    let mut themes = vec![vec![0u64; months.len()]; theme_count];
    for (key, &theme) in keys.iter().zip(assignment) {
        let Ok(month) = months.binary_search(key) else { continue };
        answers[month] += 1;
        if let Some(row) = themes.get_mut(theme) {
            row[month] += 1;
        }
    }
    let growth = if months.len() >= 2 { growth(&answers, &themes) } else { Vec::new() };
    ThemesByMonth { months, answers, themes, growth }
}

fn growth(answers: &[u64], themes: &[Vec<u64>]) -> Vec<ThemeGrowth> {
    let (previous, latest) = (answers.len() - 2, answers.len() - 1);
    let tests: Vec<(usize, crate::analysis::compare::ProportionTest)> = themes
        .iter()
        .enumerate()
        .filter_map(|(theme, counts)| Some((theme, two_proportions(counts[previous], answers[previous], counts[latest], answers[latest])?)))
        .collect();
    let q_values = benjamini_hochberg(&tests.iter().map(|(_, test)| test.p_value).collect::<Vec<_>>());
    let mut rows: Vec<ThemeGrowth> = tests
        .iter()
        .zip(q_values)
        .map(|(&(theme, test), q_value)| ThemeGrowth {
            theme,
            previous_share: test.a_rate,
            latest_share: test.b_rate,
            p_value: test.p_value,
            q_value,
            growing: test.difference > 0.0 && q_value < SIGNIFICANCE,
        })
        .collect();
    sorting::sort_by(&mut rows, |a, b| (b.latest_share - b.previous_share).total_cmp(&(a.latest_share - a.previous_share)).then(a.theme.cmp(&b.theme)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;
    /// 2024-01-01T00:00:00Z.
    const JANUARY_MS: i64 = 1_704_067_200_000;

    #[test]
    fn new_objection_is_flagged() {
        let mut times = Vec::new();
        let mut assignment = Vec::new();
        for answer in 0..60 {
            times.push(JANUARY_MS + answer % 28 * DAY_MS);
            assignment.push(usize::from(answer % 20 == 0));
        }
        for answer in 0..60 {
            times.push(JANUARY_MS + (31 + answer % 28) * DAY_MS);
            assignment.push(usize::from(answer % 2 == 0));
        }
        let months = by_month(&times, &assignment, 2, chrono_tz::UTC);
        assert_eq!(months.months, vec!["2024-01", "2024-02"]);
        assert_eq!(months.answers, vec![60, 60]);
        assert_eq!(months.themes[1], vec![3, 30]);
        let first = &months.growth[0];
        assert_eq!(first.theme, 1);
        assert!(first.growing, "{first:?}");
        assert!(!months.growth[1].growing);
    }

    #[test]
    fn one_month_has_no_growth() {
        let months = by_month(&[JANUARY_MS, JANUARY_MS + DAY_MS], &[0, 1], 2, chrono_tz::UTC);
        assert_eq!(months.months.len(), 1);
        assert!(months.growth.is_empty());
    }
}
