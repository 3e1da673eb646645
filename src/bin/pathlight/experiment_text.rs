//! The experiment section of the report as plain-text tables, for `--experiment-text`.

use std::fmt::Write;

use pathlight::analysis::experiment::ExperimentReport;
use pathlight::report::Warning;

/// Renders the variants, the comparisons, revenue, the checks and the calculator, then the
/// experiment's warnings and notes.
pub fn render(report: &ExperimentReport, warnings: &[Warning]) -> String {
    let mut out = String::new();
    let level = format!("{}%", report.confidence * 100.0);
    let source = report.variant_column.as_deref().map_or_else(|| "the input files".to_string(), |column| format!("column \"{column}\""));
    // Writing to a String cannot fail, so the results of writeln! are ignored.
    let _ = writeln!(out, "Experiment: variants from {source}, control \"{}\"", report.control);
    let _ = writeln!(out, "People: {} assigned, {} with several variants and {} without one left out", report.assigned_people, report.mixed_people, report.people_without_variant);

    let _ = writeln!(out, "\nRates ({level} Wilson intervals)");
    for variant in &report.variants {
        let marker = if variant.control { " (control)" } else { "" };
        let _ = writeln!(out, "  {}{marker}: {} people", variant.name, variant.people);
        for (label, step) in report.steps.iter().zip(&variant.steps) {
            let _ = writeln!(out, "    {label}: {} ({}, {} to {})", step.people, percent(step.rate), percent(step.lower), percent(step.upper));
        }
    }

    if !report.comparisons.is_empty() {
        let _ = writeln!(out, "\nAgainst the control ({} tests; Holm adjusts for all of them)", report.comparison_count);
        for comparison in &report.comparisons {
            let label = report.steps.get(comparison.step).map_or("", String::as_str);
            let interval = match (comparison.lower, comparison.upper) {
                (Some(lower), Some(upper)) => format!(" [{} to {}]", points(lower), points(upper)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} at {label}: {}{interval}, p {}, Holm p {}, P(beat) {}, always-valid p {}",
                comparison.variant,
                points(comparison.difference),
                optional(comparison.p_value),
                optional(comparison.holm_p_value),
                optional(comparison.probability_to_beat),
                optional(comparison.always_valid_p_value)
            );
        }
    }

    if report.variants.iter().any(|variant| variant.revenue.is_some()) {
        let _ = writeln!(out, "\nRevenue per person ({level} bootstrap intervals of {} resamples)", report.bootstrap_resamples);
        for variant in &report.variants {
            let Some(revenue) = &variant.revenue else { continue };
            let _ = writeln!(out, "  {}: {}{}", variant.name, optional(revenue.per_person), interval(revenue.lower, revenue.upper));
        }
        for comparison in &report.revenue_comparisons {
            let _ = writeln!(
                out,
                "  {} minus control: {}{}, Welch p {}",
                comparison.variant,
                optional(comparison.difference),
                interval(comparison.lower, comparison.upper),
                optional(comparison.p_value)
            );
        }
    }

    if let Some(ratio) = &report.sample_ratio {
        let verdict = if ratio.mismatch { "MISMATCH" } else { "as planned" };
        let _ = writeln!(out, "\nSample ratio: chi-square {:.3} on {} df, p {}: {verdict}", ratio.chi_square, ratio.degrees_of_freedom, significant(ratio.p_value));
    }
    if let Some(calculator) = &report.calculator {
        let _ = writeln!(out, "\nCalculator for {} (baseline {}, alpha {}, power {})", calculator.step, percent(calculator.baseline_rate), significant(calculator.alpha), significant(calculator.power));
        let effect = calculator.minimum_detectable_effect.map_or_else(|| "none within reach".to_string(), points);
        let _ = writeln!(out, "  Minimum detectable effect with {} people per variant: {effect}", calculator.people_per_variant);
        let needed = calculator.people_needed_per_variant.map_or_else(|| "not computable".to_string(), |people| people.to_string());
        let _ = writeln!(out, "  People per variant for a {}% rise: {needed}", calculator.target_uplift * 100.0);
        if let Some(weeks) = calculator.weeks_needed {
            let _ = writeln!(out, "  Weeks at the current traffic: {weeks:.1}");
        }
    }

    let experiment_warnings = warnings.iter().filter(|warning| warning.kind.starts_with("experiment") || warning.kind == "sample_ratio_mismatch");
    for warning in experiment_warnings {
        let _ = writeln!(out, "\nWarning: {}", warning.message);
    }
    for note in &report.notes {
        let _ = writeln!(out, "\nNote: {note}");
    }
    out.trim_end().to_string()
}

fn percent(rate: f64) -> String {
    format!("{:.2}%", rate * 100.0)
}

/// Writes a difference of rates in percentage points.
fn points(difference: f64) -> String {
    format!("{:+.2} pts", difference * 100.0)
}

fn significant(value: f64) -> String {
    if value != 0.0 && value.abs() < 1e-4 {
        format!("{value:.2e}")
    } else {
        format!("{value:.4}")
    }
}

fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), significant)
}

fn interval(lower: Option<f64>, upper: Option<f64>) -> String {
    match (lower, upper) {
        (Some(lower), Some(upper)) => format!(" [{} to {}]", significant(lower), significant(upper)),
        _ => String::new(),
    }
}
