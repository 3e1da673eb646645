//! Where the authors of each theme's answers were in their journeys: their furthest funnel step,
//! their furthest stage and whether they converted, with the positions where a theme is
//! over-represented.
//!
//! Each answer counts once, with its author's position. For a theme T and a position P (such as
//! "furthest step 2"), Fisher's exact test compares T's answers at P and elsewhere with the other
//! themes' answers at P and elsewhere. The p-values of every (theme, position) pair with answers
//! at P are adjusted together by Benjamini–Hochberg, and a pair is listed when T's share at P is
//! above its share overall.

use serde::Serialize;

use crate::analysis::drivers::contingency::{benjamini_hochberg, Table};
use crate::sorting;

/// Adjusted p-value under which an over-representation is marked significant.
pub const SIGNIFICANCE: f64 = 0.05;

/// The journey position of each analysed answer's author.
pub struct Positions {
    /// Furthest funnel step reached (0 for none), per answer; empty without a funnel.
    pub step: Vec<usize>,
    pub step_names: Vec<String>,
    /// Furthest stage index, or `stage_names.len()` for no stage, per answer; empty without stages.
    pub stage: Vec<usize>,
    pub stage_names: Vec<String>,
    /// Whether the author converted, per answer; `None` without a conversion event.
    pub converted: Option<Vec<bool>>,
}

/// The journey positions of one theme's authors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeJourney {
    /// Index in the report's themes.
    pub theme: usize,
    pub answers: u64,
    /// Answers by their author's furthest funnel step: entry i counts authors who reached exactly
    /// i steps (entry 0: not even the first). Empty without a funnel.
    pub furthest_step: Vec<u64>,
    /// Answers by their author's furthest stage, in stage order, and a last entry for authors
    /// with no staged event. Empty without stages.
    pub furthest_stage: Vec<u64>,
    /// Answers whose author converted; `None` without a conversion event.
    pub converters: Option<u64>,
    /// `converters / answers`.
    pub converter_share: Option<f64>,
}

/// Kind of journey position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// The furthest funnel step reached.
    FunnelStep,
    /// The furthest stage reached.
    Stage,
}

/// A theme that is more common at one journey position than overall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverRepresentation {
    pub theme: usize,
    pub kind: PositionKind,
    /// The position's index: steps reached, or the stage index (the stage count for no stage).
    pub position: usize,
    /// A readable name, such as "reached step 2 (pricing)".
    pub name: String,
    /// The theme's answers at this position.
    pub theme_answers_at: u64,
    /// All analysed answers at this position.
    pub answers_at: u64,
    /// `theme_answers_at / answers_at`.
    pub share_at: f64,
    /// The theme's share of all analysed answers.
    pub share_overall: f64,
    /// Fisher's exact two-sided p-value.
    pub p_value: f64,
    /// The Benjamini–Hochberg adjusted p-value over every tested pair.
    pub q_value: f64,
    /// `q_value < 0.05`.
    pub significant: bool,
}

/// The journey link of the voice report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyLink {
    /// Funnel step labels; empty without a funnel.
    pub funnel_steps: Vec<String>,
    /// Stage names; empty without stages.
    pub stages: Vec<String>,
    pub themes: Vec<ThemeJourney>,
    /// Over-represented (theme, position) pairs, smallest p-value first.
    pub over_represented: Vec<OverRepresentation>,
}

/// Links each theme to the positions of its answers' authors. `assignment` is each analysed
/// answer's theme, in the order of `positions`.
pub fn link(assignment: &[usize], themes: usize, positions: &Positions) -> JourneyLink {
    let theme_sizes = count_by(assignment, themes);
    let journeys = (0..themes)
        .map(|theme| {
            let answers = theme_sizes[theme];
            let converters = positions.converted.as_ref().map(|converted| assignment.iter().zip(converted).filter(|&(&t, &c)| t == theme && c).count() as u64);
            ThemeJourney {
                theme,
                answers,
                furthest_step: theme_counts(assignment, theme, &positions.step, positions.step_names.len() + 1),
                furthest_stage: theme_counts(assignment, theme, &positions.stage, positions.stage_names.len() + 1),
                converters,
                converter_share: converters.filter(|_| answers > 0).map(|count| count as f64 / answers as f64),
            }
        })
        .collect();

    let mut tests = Vec::new();
    if !positions.step.is_empty() {
        let names: Vec<String> = (0..=positions.step_names.len()).map(|steps| step_name(steps, &positions.step_names)).collect();
        tests.extend(test_positions(assignment, &theme_sizes, &positions.step, &names, PositionKind::FunnelStep));
    }
    if !positions.stage.is_empty() {
        let mut names: Vec<String> = positions.stage_names.iter().map(|name| format!("furthest stage {name}")).collect();
        names.push("no stage".to_string());
        tests.extend(test_positions(assignment, &theme_sizes, &positions.stage, &names, PositionKind::Stage));
    }
    let p_values: Vec<f64> = tests.iter().map(|test| test.p_value).collect();
    for (test, q_value) in tests.iter_mut().zip(benjamini_hochberg(&p_values)) {
        test.q_value = q_value;
        test.significant = q_value < SIGNIFICANCE;
    }
    let mut over_represented: Vec<OverRepresentation> = tests.into_iter().filter(|test| test.share_at > test.share_overall).collect();
    sorting::sort_by(&mut over_represented, |a, b| a.p_value.total_cmp(&b.p_value).then(a.theme.cmp(&b.theme)).then(a.position.cmp(&b.position)));
    JourneyLink { funnel_steps: positions.step_names.clone(), stages: positions.stage_names.clone(), themes: journeys, over_represented }
}

/// Names a funnel depth: "reached no step" or "reached step k (label)".
fn step_name(steps: usize, labels: &[String]) -> String {
    match steps.checked_sub(1).and_then(|at| labels.get(at)) {
        None => "reached no step".to_string(),
        Some(label) => format!("reached step {steps} ({label})"),
    }
}

/// Counts the values of `items` in 0..size.
fn count_by(items: &[usize], size: usize) -> Vec<u64> {
    let mut counts = vec![0u64; size];
    for &item in items {
        if let Some(count) = counts.get_mut(item) {
            *count += 1;
        }
    }
    counts
}

/// Counts one theme's answers by position; empty when there are no positions.
fn theme_counts(assignment: &[usize], theme: usize, position: &[usize], size: usize) -> Vec<u64> {
    if position.is_empty() {
        return Vec::new();
    }
    let mine: Vec<usize> = assignment.iter().zip(position).filter(|&(&t, _)| t == theme).map(|(_, &p)| p).collect();
    count_by(&mine, size)
}

/// Tests every (theme, position) pair with answers at the position. The q-values are filled in
/// later.
fn test_positions(assignment: &[usize], theme_sizes: &[u64], position: &[usize], names: &[String], kind: PositionKind) -> Vec<OverRepresentation> {
    let total = assignment.len() as u64;
    let at_position = count_by(position, names.len());
    let mut tests = Vec::new();
    for (theme, &theme_answers) in theme_sizes.iter().enumerate() {
        for (index, name) in names.iter().enumerate() {
            let answers_at = at_position[index];
            if answers_at == 0 || total == 0 {
                continue;
            }
            let theme_answers_at = assignment.iter().zip(position).filter(|&(&t, &p)| t == theme && p == index).count() as u64;
            let table = Table { a: theme_answers_at, b: theme_answers - theme_answers_at, c: answers_at - theme_answers_at, d: total + theme_answers_at - theme_answers - answers_at };
            tests.push(OverRepresentation {
                theme,
                kind,
                position: index,
                name: name.clone(),
                theme_answers_at,
                answers_at,
                share_at: theme_answers_at as f64 / answers_at as f64,
                share_overall: theme_answers as f64 / total as f64,
                p_value: table.fisher_exact(),
                q_value: 1.0,
                significant: false,
            });
        }
    }
    tests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_representation_at_pricing() {
        // Theme 0: 8 answers, 7 by people who reached step 1 only. Theme 1: 8 answers, 1 there.
        let assignment = vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
        let step = vec![1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 2, 2, 2];
        let positions = Positions {
            step,
            step_names: vec!["pricing".to_string(), "purchase".to_string()],
            stage: Vec::new(),
            stage_names: Vec::new(),
            converted: Some(vec![false, false, false, false, false, false, false, true, false, true, true, true, true, true, true, true]),
        };
        let link = link(&assignment, 2, &positions);
        assert_eq!(link.themes[0].furthest_step, vec![0, 7, 1]);
        assert_eq!(link.themes[1].converters, Some(7));
        let first = &link.over_represented[0];
        assert_eq!((first.theme, first.position), (0, 1));
        assert_eq!(first.name, "reached step 1 (pricing)");
        assert_eq!(first.share_at, 7.0 / 8.0);
        assert_eq!(first.share_overall, 0.5);
        // Two-sided Fisher test of [[7, 1], [1, 7]]: the tables with a = 0, 1, 7 and 8 have
        // C(8, a) C(8, 8 − a) = 1, 64, 64 and 1 of the C(16, 8) = 12870 equally likely draws.
        assert!((first.p_value - 130.0 / 12870.0).abs() < 1e-12);
        assert!(first.significant);
    }
}
