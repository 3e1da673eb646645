//! A/B experiments. People are split into variants by a column or by input file. Each variant is
//! compared with a control at each funnel step and at the conversion, and on revenue per person.
//! The split itself is tested for a sample ratio mismatch, and a calculator gives the sample size
//! and the minimum detectable effect.
//!
//! docs/metrics.md (Experiments) defines every figure. The tests and intervals are in
//! [`inference`]; the sample-size formula is Fleiss's, shared with [`super::plan`].

pub mod inference;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::funnel::{self, FunnelOptions};
use super::plan::{minimum_detectable_effect_at, people_per_arm_at};
use super::stats::{share, sum, wilson};
use super::Conversion;
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::report::{counted, Warning};
use crate::sorting;
use inference::{
    bootstrap_means, chi_square_goodness_of_fit, holm, msprt_p_value, newcombe_difference, percentile_interval, probability_to_beat, two_proportion_z_test,
    two_sided_z, welch_t_test,
};

/// Below this p-value the split of people across variants is flagged as a sample ratio mismatch.
pub const SRM_THRESHOLD: f64 = 0.001;
/// The maximum number of bootstrap resamples. Each resample draws every assigned person once, so
/// this bounds the time the revenue intervals take.
pub const MAX_RESAMPLES: usize = 100_000;
/// The first words of a variant name that make it the control when none is set.
const CONTROL_WORDS: [&str; 5] = ["control", "baseline", "holdout", "none", "no"];
const WEEK_MS: f64 = 7.0 * 86_400_000.0;
/// Mixed people listed as examples in the warning.
const EXAMPLES: usize = 3;

/// The experiment to evaluate. Nothing is computed unless `variant_column` is set or
/// `variants_from_files` is true.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentOptions {
    /// The property column whose first non-empty value in a person's journey is their variant.
    pub variant_column: Option<String>,
    /// Each input file is one variant, named by the file; a person's variant is the file of their
    /// first event.
    pub variants_from_files: bool,
    /// The control variant's name. Without it, the control is the largest variant with people
    /// whose name starts with the word control, baseline, holdout, none or no. Without such a
    /// variant, it is the largest variant, the first by name on ties.
    pub control: Option<String>,
    /// The intended share of people in each variant, in the order of the variants sorted by name;
    /// empty for equal shares. Shares are divided by their sum.
    pub expected_shares: Vec<f64>,
    /// The people each variant is meant to reach before the results are read.
    pub planned_people_per_variant: Option<u64>,
    /// Resamples of the percentile bootstrap for revenue per person; 0 to skip the intervals.
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap's random stream.
    pub seed: u64,
    /// Confidence level of every interval, between 0 and 1.
    pub confidence: f64,
    /// Power of the calculator's test, between 0 and 1.
    pub power: f64,
    /// The relative rise of the conversion rate the calculator sizes the test for, such as 0.1
    /// for a rise of a tenth of the control's rate.
    pub minimum_detectable_uplift: f64,
    /// Variance τ² of the normal mixing distribution of the sequential test, in squared rate
    /// points: 1e-4 puts most of the mixing weight on differences within about ±2 points.
    pub mixing_variance: f64,
}

impl Default for ExperimentOptions {
    fn default() -> ExperimentOptions {
        ExperimentOptions {
            variant_column: None,
            variants_from_files: false,
            control: None,
            expected_shares: Vec::new(),
            planned_people_per_variant: None,
            bootstrap_resamples: 2000,
            seed: 1,
            confidence: 0.95,
            power: 0.8,
            minimum_detectable_uplift: 0.1,
            mixing_variance: 1e-4,
        }
    }
}

impl ExperimentOptions {
    /// True when a variant source is set, so the experiment is evaluated.
    pub fn enabled(&self) -> bool {
        self.variants_from_files || self.variant_column.as_deref().is_some_and(|column| !column.trim().is_empty())
    }
}

/// The rule that chose the control variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ControlRule {
    /// Set in the options.
    Set,
    /// Its name starts with control, baseline, holdout, none or no.
    Named,
    /// The variant with the most people.
    Largest,
}

/// One variant's people at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRate {
    pub people: u64,
    /// `people` divided by the variant's people; 0 for a variant without people.
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Revenue per person of one variant: the value column summed over each person's events, 0 for
/// a person without a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revenue {
    pub total: f64,
    /// `None` for a variant without people.
    pub per_person: Option<f64>,
    /// The percentile bootstrap interval of `per_person`; `None` without resamples or people.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// One variant's people, rates and revenue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantReport {
    pub name: String,
    pub control: bool,
    pub people: u64,
    /// Share of the assigned people.
    pub share: f64,
    /// The expected share, after dividing by the sum of all.
    pub expected_share: f64,
    /// One entry per step of the report, in its order.
    pub steps: Vec<StepRate>,
    /// `None` when no event has a value.
    pub revenue: Option<Revenue>,
}

/// A variant against the control at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepComparison {
    pub variant: String,
    /// Index into the report's `steps`.
    pub step: usize,
    /// The variant's rate minus the control's, in points from −1 to 1.
    pub difference: f64,
    /// Newcombe's hybrid score interval of `difference`; `None` when a group has no people.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// `difference` divided by the control's rate; `None` when that rate is 0.
    pub relative_difference: Option<f64>,
    /// The pooled two-proportion z statistic; `None` when a group is empty or the pooled rate is
    /// 0 or 1.
    pub z: Option<f64>,
    /// Its two-sided p-value.
    pub p_value: Option<f64>,
    /// Holm's adjustment over every comparison that has a p-value.
    pub holm_p_value: Option<f64>,
    /// P(variant's rate > control's rate) under Beta(1, 1) priors; `None` when a group is empty.
    pub probability_to_beat: Option<f64>,
    /// The mixture sequential test's p-value, valid however often the results are looked at.
    pub always_valid_p_value: Option<f64>,
}

/// A variant against the control on revenue per person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueComparison {
    pub variant: String,
    /// `None` when a group has no people.
    pub difference: Option<f64>,
    /// The percentile bootstrap interval of `difference`.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Welch's t statistic, degrees of freedom and two-sided p-value; `None` when a group has
    /// fewer than 2 people or neither varies.
    pub t: Option<f64>,
    pub degrees_of_freedom: Option<f64>,
    pub p_value: Option<f64>,
}

/// Pearson's chi-square test of the people per variant against the expected shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRatio {
    pub chi_square: f64,
    pub degrees_of_freedom: f64,
    pub p_value: f64,
    /// True when `p_value` is below 0.001.
    pub mismatch: bool,
}

/// Whether each variant has reached the planned people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peeking {
    pub planned_people_per_variant: u64,
    pub smallest_variant_people: u64,
    pub reached: bool,
}

/// The sample-size and minimum-detectable-effect calculator for the primary step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calculator {
    /// Label of the step it is for: the conversion, else the last funnel step.
    pub step: String,
    /// The control's rate at that step.
    pub baseline_rate: f64,
    /// The control's people, the size of each arm the effect below is for.
    pub people_per_variant: u64,
    /// Two-sided significance level, 1 − confidence.
    pub alpha: f64,
    pub power: f64,
    /// The smallest rise of the rate, in points, that `people_per_variant` people in each arm
    /// detect; `None` when even a rise to 1 would go unseen.
    pub minimum_detectable_effect: Option<f64>,
    /// The same rise as a share of the baseline rate.
    pub minimum_detectable_uplift: Option<f64>,
    /// The relative rise that the people needed are given for.
    pub target_uplift: f64,
    /// People per variant to detect `target_uplift`; `None` when the baseline is 0 or the raised
    /// rate would reach 1.
    pub people_needed_per_variant: Option<u64>,
    /// People assigned to any variant per week, over the span of their events; `None` with
    /// synthetic times or a span under one day.
    pub weekly_people: Option<f64>,
    /// Weeks at `weekly_people` until every variant has `people_needed_per_variant`.
    pub weeks_needed: Option<f64>,
}

/// Everything about the experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentReport {
    /// The variant column, or `None` when the variants are the input files.
    pub variant_column: Option<String>,
    pub control: String,
    pub control_rule: ControlRule,
    pub confidence: f64,
    /// People with exactly one variant, the people every figure is about.
    pub assigned_people: u64,
    /// People with two or more different variants, left out.
    pub mixed_people: u64,
    /// People with no variant, left out.
    pub people_without_variant: u64,
    /// Step labels: the funnel steps, then the conversion event.
    pub steps: Vec<String>,
    /// Variants sorted by name.
    pub variants: Vec<VariantReport>,
    /// Each non-control variant against the control at each step.
    pub comparisons: Vec<StepComparison>,
    /// The number of comparisons with a p-value, which Holm's adjustment accounts for.
    pub comparison_count: u64,
    /// Empty when no event has a value.
    pub revenue_comparisons: Vec<RevenueComparison>,
    pub bootstrap_resamples: usize,
    /// `None` with fewer than two variants.
    pub sample_ratio: Option<SampleRatio>,
    /// τ² of the sequential test.
    pub mixing_variance: f64,
    /// `None` without a planned number of people.
    pub peeking: Option<Peeking>,
    /// `None` without any step.
    pub calculator: Option<Calculator>,
    /// Plain sentences on figures that could not be computed and why.
    pub notes: Vec<String>,
}

/// Each variant's revenue per assigned person, and the means of its bootstrap resamples.
struct RevenueSamples {
    values: Vec<Vec<f64>>,
    resampled: Vec<Vec<f64>>,
}

/// The people of each variant: `of[person]` is a variant index or `None`.
struct Assignment {
    names: Vec<String>,
    of: Vec<Option<usize>>,
    mixed: u64,
    mixed_examples: Vec<String>,
    without: u64,
}

/// Evaluates the experiment, or returns `None` when no variant source is set. Warnings about mixed
/// and unassigned people, the split and early looks are added to `warnings`.
pub fn compute(
    log: &EventLog,
    journeys: &Journeys,
    conversion: &Conversion,
    funnel_options: &FunnelOptions,
    options: &ExperimentOptions,
    synthetic_times: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Option<ExperimentReport>, Error> {
    if !options.enabled() {
        return Ok(None);
    }
    check(options)?;
    let assignment = assign(log, journeys, options)?;
    let variant_count = assignment.names.len();
    let (control, control_rule) = choose_control(&assignment, options)?;
    let expected = expected_shares(options, &assignment.names)?;
    let z = two_sided_z(options.confidence);
    let mut notes = Vec::new();

    let (labels, reached) = steps(log, journeys, conversion, funnel_options, &assignment)?;
    if labels.is_empty() {
        notes.push("No funnel steps and no conversion event are set, so no rates are compared.".to_string());
    }
    let people = people_per_variant(&assignment);
    let assigned: u64 = people.iter().sum();
    let revenue = revenue_samples(log, journeys, &assignment, options);
    if revenue.is_none() {
        notes.push("No event has a value, so revenue per person is not computed.".to_string());
    }
    let variants = variant_reports(&assignment, control, &expected, &reached, revenue.as_ref(), options, &mut notes);
    if variant_count < 2 {
        notes.push(format!("Only one variant, \"{}\", was found, so there is nothing to compare it with.", assignment.names[control]));
    }

    let mut comparisons = compare_steps(&variants, control, &reached, options, z);
    untested_notes(&comparisons, &labels, variant_count, &mut notes);
    let comparison_count = add_holm(&mut comparisons);
    let revenue_comparisons = match &revenue {
        Some(revenue) => compare_revenue(&assignment.names, revenue, control, options.confidence),
        None => Vec::new(),
    };

    let sample_ratio = chi_square_goodness_of_fit(&people, &expected).map(|(chi_square, degrees_of_freedom, p_value)| SampleRatio {
        chi_square,
        degrees_of_freedom,
        p_value,
        mismatch: p_value < SRM_THRESHOLD,
    });
    let peeking = options.planned_people_per_variant.map(|planned| {
        let smallest = people.iter().copied().min().unwrap_or(0);
        Peeking { planned_people_per_variant: planned, smallest_variant_people: smallest, reached: smallest >= planned }
    });
    let weekly_people = weekly_people(log, journeys, &assignment, assigned, synthetic_times);
    let calculator = labels.last().map(|label| {
        let control_counts = &variants[control];
        let baseline = control_counts.steps.last().map_or(0.0, |step| step.rate);
        calculator(label.clone(), baseline, control_counts.people, variant_count, weekly_people, options)
    });

    let report = ExperimentReport {
        variant_column: if options.variants_from_files { None } else { options.variant_column.as_deref().map(|column| column.trim().to_string()) },
        control: assignment.names[control].clone(),
        control_rule,
        confidence: options.confidence,
        assigned_people: assigned,
        mixed_people: assignment.mixed,
        people_without_variant: assignment.without,
        steps: labels,
        comparison_count,
        variants,
        comparisons,
        revenue_comparisons,
        bootstrap_resamples: options.bootstrap_resamples,
        sample_ratio,
        mixing_variance: options.mixing_variance,
        peeking,
        calculator,
        notes,
    };
    warnings.extend(experiment_warnings(&report, &assignment));
    Ok(Some(report))
}

/// Rejects options outside their ranges, naming the option.
fn check(options: &ExperimentOptions) -> Result<(), Error> {
    let invalid = |name: &str, value: f64, range: &str| Error::Options(format!("The experiment option {name} is {value}; set it {range}."));
    if options.variants_from_files && options.variant_column.as_deref().is_some_and(|column| !column.trim().is_empty()) {
        return Err(Error::Options("Set either a variant column or variants from files for the experiment, not both.".to_string()));
    }
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return Err(invalid("confidence", options.confidence, "between 0 and 1, such as 0.95"));
    }
    if !(options.power > 0.0 && options.power < 1.0) {
        return Err(invalid("power", options.power, "between 0 and 1, such as 0.8"));
    }
    if !(options.minimum_detectable_uplift > 0.0 && options.minimum_detectable_uplift.is_finite()) {
        return Err(invalid("minimum_detectable_uplift", options.minimum_detectable_uplift, "above 0, such as 0.1 for a rise of a tenth"));
    }
    if !(options.mixing_variance > 0.0 && options.mixing_variance.is_finite()) {
        return Err(invalid("mixing_variance", options.mixing_variance, "above 0, such as 0.0001"));
    }
    if options.bootstrap_resamples > MAX_RESAMPLES {
        return Err(Error::Options(format!(
            "The experiment option bootstrap_resamples is {}; set it to at most {MAX_RESAMPLES}.",
            options.bootstrap_resamples
        )));
    }
    Ok(())
}

/// Gives each person the variant of their first event that has one (the first non-empty value of
/// the variant column, or the first event's file), and leaves out people with two or more.
fn assign(log: &EventLog, journeys: &Journeys, options: &ExperimentOptions) -> Result<Assignment, Error> {
    let (codes, names): (Vec<u32>, Vec<String>) = if options.variants_from_files {
        let names = (0..=log.file.iter().copied().max().unwrap_or(0))
            .map(|index| log.file_names.get(index as usize).cloned().unwrap_or_else(|| format!("file {}", index + 1)))
            .collect();
        (log.file.iter().map(|&file| u32::from(file)).collect(), names)
    } else {
        let column = options.variant_column.as_deref().unwrap_or_default().trim();
        let property = log.find_property(column).ok_or_else(|| unknown_column(log, column))?;
        let property = &log.properties[property];
        let names = (0..property.values.len() as u32).map(|code| property.values.name(code).trim().to_string()).collect();
        (property.codes.clone(), names)
    };

    let (sorted_names, code_variant) = variants_by_name(&names);

    let mut of = Vec::with_capacity(journeys.people());
    let (mut mixed, mut without, mut mixed_examples) = (0u64, 0u64, Vec::new());
    for person in 0..journeys.people() {
        let mut seen: Option<usize> = None;
        let mut several = false;
        for &event in journeys.journey(person) {
            let code = codes[event as usize];
            let Some(variant) = (code != NONE).then(|| code_variant.get(code as usize).copied().flatten()).flatten() else {
                continue;
            };
            match seen {
                None => seen = Some(variant),
                Some(first) if first != variant => several = true,
                Some(_) => {}
            }
        }
        if several {
            mixed += 1;
            if mixed_examples.len() < EXAMPLES {
                mixed_examples.push(log.people.name(log.person[journeys.journey(person)[0] as usize]).to_string());
            }
            of.push(None);
        } else {
            without += u64::from(seen.is_none());
            of.push(seen);
        }
    }
    if sorted_names.is_empty() {
        let source = if options.variants_from_files { "the input files".to_string() } else { format!("the column \"{}\"", options.variant_column.as_deref().unwrap_or_default().trim()) };
        return Err(Error::Options(format!("No person has a variant in {source} because every value is missing. Choose the column with the variant names.")));
    }
    Ok(Assignment { names: sorted_names, of, mixed, mixed_examples, without })
}

/// Returns the distinct non-empty `names` sorted, and for each code (an index into `names`) the
/// index of its variant in that order, `None` for an empty name.
fn variants_by_name(names: &[String]) -> (Vec<String>, Vec<Option<usize>>) {
    // Values that differ only in surrounding spaces are one variant.
    let mut variant_of_name: HashMap<&str, usize> = HashMap::default();
    let mut unique: Vec<String> = Vec::new();
    let mut code_variant = Vec::with_capacity(names.len());
    for name in names {
        if name.is_empty() {
            code_variant.push(None);
            continue;
        }
        let next = unique.len();
        let variant = *variant_of_name.entry(name.as_str()).or_insert(next);
        if variant == next {
            unique.push(name.clone());
        }
        code_variant.push(Some(variant));
    }
    // Sort the variants by name and renumber.
    let mut order: Vec<usize> = (0..unique.len()).collect();
    sorting::sort_by(&mut order, |&a, &b| unique[a].cmp(&unique[b]));
    let mut rank = vec![0usize; unique.len()];
    for (position, &variant) in order.iter().enumerate() {
        rank[variant] = position;
    }
    let code_variant: Vec<Option<usize>> = code_variant.iter().map(|variant| variant.map(|variant| rank[variant])).collect();
    let sorted_names: Vec<String> = order.iter().map(|&variant| unique[variant].clone()).collect();
    (sorted_names, code_variant)
}

/// Builds the error for a variant column that no file has, listing the columns that exist.
fn unknown_column(log: &EventLog, column: &str) -> Error {
    let known: Vec<&str> = log.properties.iter().take(12).map(|property| property.name.as_str()).collect();
    let listed = if known.is_empty() { "no file has any extra column".to_string() } else { format!("columns include: {}", known.join(", ")) };
    Error::Options(format!("The variant column \"{column}\" was not found in the loaded data ({listed}). Choose the column with the variant names."))
}

/// Chooses the control by the rule of [`ExperimentOptions::control`].
fn choose_control(assignment: &Assignment, options: &ExperimentOptions) -> Result<(usize, ControlRule), Error> {
    let names = &assignment.names;
    if let Some(wanted) = options.control.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
        return names.iter().position(|name| name == wanted).map(|index| (index, ControlRule::Set)).ok_or_else(|| {
            Error::Options(format!("The control variant \"{wanted}\" is not among the variants: {}. Set one of these as the control.", names.join(", ")))
        });
    }
    let people = people_per_variant(assignment);
    // The first of the largest, as max_by_key would return the last.
    let largest_of = |candidates: &[usize]| candidates.iter().copied().fold(None, |best: Option<usize>, index| match best {
        Some(best) if people[best] >= people[index] => Some(best),
        _ => Some(index),
    });
    let named: Vec<usize> = (0..names.len()).filter(|&index| people[index] > 0 && named_like_control(&names[index])).collect();
    if let Some(index) = largest_of(&named) {
        return Ok((index, ControlRule::Named));
    }
    let all: Vec<usize> = (0..names.len()).collect();
    Ok((largest_of(&all).unwrap_or(0), ControlRule::Largest))
}

/// True when the first word of `name`, split at anything but letters and digits, is a control word.
fn named_like_control(name: &str) -> bool {
    let first = name.split(|character: char| !character.is_alphanumeric()).find(|word| !word.is_empty()).unwrap_or("");
    CONTROL_WORDS.contains(&first.to_lowercase().as_str())
}

/// Returns the expected share of each variant, equal shares when none are set.
fn expected_shares(options: &ExperimentOptions, names: &[String]) -> Result<Vec<f64>, Error> {
    if options.expected_shares.is_empty() {
        return Ok(vec![1.0 / names.len() as f64; names.len()]);
    }
    if options.expected_shares.len() != names.len() {
        return Err(Error::Options(format!(
            "{} expected shares were given for {}: {}. Give one share per variant, in this order.",
            options.expected_shares.len(),
            counted(names.len() as u64, "variant", "variants"),
            names.join(", ")
        )));
    }
    if let Some(bad) = options.expected_shares.iter().find(|share| !(share.is_finite() && **share > 0.0)) {
        return Err(Error::Options(format!("The expected share {bad} is invalid: every share must be a number above 0, such as 0.5.")));
    }
    let total: f64 = options.expected_shares.iter().sum();
    Ok(options.expected_shares.iter().map(|share| share / total).collect())
}

/// Notes, one per step, the comparisons without a z-test because nobody or everybody in both
/// groups reached the step, such as a step every person starts with.
fn untested_notes(comparisons: &[StepComparison], labels: &[String], variant_count: usize, notes: &mut Vec<String>) {
    for (step, label) in labels.iter().enumerate() {
        let untested: Vec<&str> = comparisons
            .iter()
            .filter(|comparison| comparison.step == step && comparison.p_value.is_none() && comparison.lower.is_some())
            .map(|comparison| comparison.variant.as_str())
            .collect();
        if untested.is_empty() {
            continue;
        }
        if untested.len() + 1 == variant_count {
            notes.push(format!("At \"{label}\" nobody or everybody in each group reached the step, so no variant has a z-test or sequential test there."));
        } else {
            notes.push(format!(
                "At \"{label}\" nobody or everybody in both groups reached the step for {} against the control, so they have no z-test or sequential test there.",
                untested.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
}

fn people_per_variant(assignment: &Assignment) -> Vec<u64> {
    let mut people = vec![0u64; assignment.names.len()];
    for variant in assignment.of.iter().flatten() {
        people[*variant] += 1;
    }
    people
}

/// Returns the step labels and, per step, the people of each variant who reached it: the funnel's
/// steps by the funnel's rules, then the conversion.
fn steps(log: &EventLog, journeys: &Journeys, conversion: &Conversion, funnel_options: &FunnelOptions, assignment: &Assignment) -> Result<(Vec<String>, Vec<Vec<u64>>), Error> {
    let variants = assignment.names.len();
    let mut labels = Vec::new();
    let mut reached = Vec::new();
    if !funnel_options.steps.is_empty() {
        let chains = funnel::person_chains(log, journeys, funnel_options)?;
        for (index, step) in funnel_options.steps.iter().enumerate() {
            let mut counts = vec![0u64; variants];
            for (person, chain) in chains.iter().enumerate() {
                if let (Some(variant), true) = (assignment.of[person], chain.len() > index) {
                    counts[variant] += 1;
                }
            }
            labels.push(funnel::label(step));
            reached.push(counts);
        }
    }
    if let Some(event) = conversion.event {
        let mut counts = vec![0u64; variants];
        for (person, variant) in assignment.of.iter().enumerate() {
            if let (Some(variant), true) = (variant, conversion.converted(person)) {
                counts[*variant] += 1;
            }
        }
        // A funnel that ends at the conversion and counts the same people already has this row,
        // and a second copy would only make the Holm adjustment stricter.
        let name = log.event_names.name(event);
        let repeats_last_step = funnel_options.steps.last().is_some_and(|step| step.event == name) && reached.last() == Some(&counts);
        if !repeats_last_step {
            labels.push(format!("converted ({name})"));
            reached.push(counts);
        }
    }
    Ok((labels, reached))
}

/// Collects each variant's people's summed values, 0 for a person without one, and resamples each
/// variant once, from its own stream, for its own interval and for its difference to the control.
/// `None` when no event has a value.
fn revenue_samples(log: &EventLog, journeys: &Journeys, assignment: &Assignment, options: &ExperimentOptions) -> Option<RevenueSamples> {
    if log.value.iter().all(|value| value.is_nan()) {
        return None;
    }
    let mut values = vec![Vec::new(); assignment.names.len()];
    for (person, variant) in assignment.of.iter().enumerate() {
        let Some(variant) = variant else { continue };
        let events = journeys.journey(person).iter().map(|&event| log.value[event as usize]).filter(|value| !value.is_nan());
        values[*variant].push(sum(events).0);
    }
    let resampled = values
        .iter()
        .enumerate()
        .map(|(index, values)| bootstrap_means(values, options.bootstrap_resamples, stream_seed(options.seed, index as u64)))
        .collect();
    Some(RevenueSamples { values, resampled })
}

/// Builds each variant's rates at every step and its revenue, noting variants without people.
fn variant_reports(
    assignment: &Assignment,
    control: usize,
    expected: &[f64],
    reached: &[Vec<u64>],
    revenue: Option<&RevenueSamples>,
    options: &ExperimentOptions,
    notes: &mut Vec<String>,
) -> Vec<VariantReport> {
    let z = two_sided_z(options.confidence);
    let people = people_per_variant(assignment);
    let assigned: u64 = people.iter().sum();
    let mut variants = Vec::with_capacity(people.len());
    for (index, name) in assignment.names.iter().enumerate() {
        let steps = reached
            .iter()
            .map(|counts| {
                let (lower, upper) = wilson(counts[index], people[index], z);
                StepRate { people: counts[index], rate: share(counts[index], people[index]), lower, upper }
            })
            .collect();
        if people[index] == 0 {
            notes.push(format!("The variant \"{name}\" has no people left after leaving out mixed people, so its rates are 0 and it has no tests."));
        }
        variants.push(VariantReport {
            name: name.clone(),
            control: index == control,
            people: people[index],
            share: share(people[index], assigned),
            expected_share: expected[index],
            steps,
            revenue: revenue.map(|revenue| revenue_of(&revenue.values[index], &revenue.resampled[index], options.confidence)),
        });
    }
    variants
}

/// Sets Holm's adjusted p-value of every comparison that has a p-value, and returns their number.
fn add_holm(comparisons: &mut [StepComparison]) -> u64 {
    let with_p: Vec<usize> = (0..comparisons.len()).filter(|&at| comparisons[at].p_value.is_some()).collect();
    let adjusted = holm(&with_p.iter().filter_map(|&at| comparisons[at].p_value).collect::<Vec<_>>());
    for (&at, adjusted) in with_p.iter().zip(adjusted) {
        comparisons[at].holm_p_value = Some(adjusted);
    }
    with_p.len() as u64
}

/// Summarises one variant's revenue, with the interval of its `resampled` means.
fn revenue_of(values: &[f64], resampled: &[f64], confidence: f64) -> Revenue {
    let total = sum(values.iter().copied()).0;
    let interval = percentile_interval(resampled.to_vec(), confidence);
    Revenue {
        total,
        per_person: (!values.is_empty()).then(|| total / values.len() as f64),
        lower: interval.map(|interval| interval.lower),
        upper: interval.map(|interval| interval.upper),
    }
}

/// Derives the bootstrap seed of one variant from the option's seed, so that each variant has its
/// own stream.
fn stream_seed(seed: u64, variant: u64) -> u64 {
    seed ^ variant.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Compares each variant with the control at each step; Holm's adjustment is added afterwards.
fn compare_steps(variants: &[VariantReport], control: usize, reached: &[Vec<u64>], options: &ExperimentOptions, z: f64) -> Vec<StepComparison> {
    let mut comparisons = Vec::new();
    let n0 = variants[control].people;
    for (index, variant) in variants.iter().enumerate() {
        if index == control {
            continue;
        }
        let n1 = variant.people;
        for (step, counts) in reached.iter().enumerate() {
            let (x1, x0) = (counts[index], counts[control]);
            let (rate1, rate0) = (share(x1, n1), share(x0, n0));
            let test = two_proportion_z_test(x1, n1, x0, n0);
            let interval = newcombe_difference(x1, n1, x0, n0, z);
            let both = n1 > 0 && n0 > 0;
            comparisons.push(StepComparison {
                variant: variant.name.clone(),
                step,
                difference: rate1 - rate0,
                lower: interval.map(|(lower, _)| lower),
                upper: interval.map(|(_, upper)| upper),
                relative_difference: (rate0 > 0.0).then(|| (rate1 - rate0) / rate0),
                z: test.map(|test| test.z),
                p_value: test.map(|test| test.p_value),
                holm_p_value: None,
                probability_to_beat: both.then(|| probability_to_beat(x1, n1, x0, n0)),
                always_valid_p_value: msprt_p_value(x1, n1, x0, n0, options.mixing_variance),
            });
        }
    }
    comparisons
}

/// Compares each variant's revenue per person with the control's. The bootstrap interval of a
/// difference comes from the differences of the two groups' `resampled` means.
fn compare_revenue(names: &[String], revenue: &RevenueSamples, control: usize, confidence: f64) -> Vec<RevenueComparison> {
    let (values, resampled) = (&revenue.values, &revenue.resampled);
    let control_values = &values[control];
    let mean = |values: &[f64]| (!values.is_empty()).then(|| sum(values.iter().copied()).0 / values.len() as f64);
    (0..names.len())
        .filter(|&index| index != control)
        .map(|index| {
            let difference = mean(&values[index]).zip(mean(control_values)).map(|(variant, control)| variant - control);
            let differences: Vec<f64> = resampled[index].iter().zip(&resampled[control]).map(|(variant, control)| variant - control).collect();
            let interval = percentile_interval(differences, confidence);
            let welch = welch_t_test(&values[index], control_values);
            RevenueComparison {
                variant: names[index].clone(),
                difference,
                lower: interval.map(|interval| interval.lower),
                upper: interval.map(|interval| interval.upper),
                t: welch.map(|test| test.t),
                degrees_of_freedom: welch.map(|test| test.degrees_of_freedom),
                p_value: welch.map(|test| test.p_value),
            }
        })
        .collect()
}

/// Returns the assigned people per week, over the span from the first to the last event of any
/// assigned person. `None` with synthetic times or a span under one day.
fn weekly_people(log: &EventLog, journeys: &Journeys, assignment: &Assignment, assigned: u64, synthetic_times: bool) -> Option<f64> {
    if synthetic_times {
        return None;
    }
    let times = (0..journeys.people()).filter(|&person| assignment.of[person].is_some()).flat_map(|person| journeys.journey(person).iter().map(|&event| log.time[event as usize]));
    let (first, last) = times.fold((i64::MAX, i64::MIN), |(first, last), time| (first.min(time), last.max(time)));
    let weeks = (last as f64 - first as f64) / WEEK_MS;
    (last > first && weeks >= 1.0 / 7.0).then(|| assigned as f64 / weeks)
}

/// Sizes a test of the primary step at the options' confidence, power and target uplift.
fn calculator(step: String, baseline: f64, people: u64, variants: usize, weekly_people: Option<f64>, options: &ExperimentOptions) -> Calculator {
    let alpha = 1.0 - options.confidence;
    let effect = minimum_detectable_effect_at(baseline, people as f64, alpha, options.power);
    let target = baseline * (1.0 + options.minimum_detectable_uplift);
    let needed = (baseline > 0.0 && target < 1.0).then(|| people_per_arm_at(baseline, target, alpha, options.power).ceil() as u64);
    Calculator {
        step,
        baseline_rate: baseline,
        people_per_variant: people,
        alpha,
        power: options.power,
        minimum_detectable_effect: effect,
        minimum_detectable_uplift: effect.filter(|_| baseline > 0.0).map(|effect| effect / baseline),
        target_uplift: options.minimum_detectable_uplift,
        people_needed_per_variant: needed,
        weekly_people,
        weeks_needed: needed.zip(weekly_people.filter(|weekly| *weekly > 0.0)).map(|(needed, weekly)| needed as f64 * variants as f64 / weekly),
    }
}

/// Builds the warnings about mixed and unassigned people, the split and early looks.
fn experiment_warnings(report: &ExperimentReport, assignment: &Assignment) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if report.mixed_people > 0 {
        let message = format!(
            "{} had more than one variant and {} left out of the experiment. Check how people are assigned: a person should see one variant only.",
            counted(report.mixed_people, "person", "people"),
            if report.mixed_people == 1 { "is" } else { "are" }
        );
        warnings.push(Warning::new("experiment_mixed_people", report.mixed_people, message).with_examples(assignment.mixed_examples.clone()));
    }
    if report.people_without_variant > 0 {
        let message = format!(
            "{} had no variant and {} left out of the experiment.",
            counted(report.people_without_variant, "person", "people"),
            if report.people_without_variant == 1 { "is" } else { "are" }
        );
        warnings.push(Warning::new("experiment_people_without_variant", report.people_without_variant, message));
    }
    if let Some(ratio) = report.sample_ratio.as_ref().filter(|ratio| ratio.mismatch) {
        let split: Vec<String> = report.variants.iter().map(|variant| format!("{} {} ({:.1}% against {:.1}% expected)", variant.name, variant.people, variant.share * 100.0, variant.expected_share * 100.0)).collect();
        let message = format!(
            "The people are not split across the variants as planned ({}; chi-square {}). A split this uneven usually means the assignment or the tracking is broken, so the comparisons may be biased: find the cause before trusting them.",
            split.join(", "),
            // A p-value this far below any threshold can underflow to 0.
            if ratio.p_value > 0.0 { format!("p = {:.1e}", ratio.p_value) } else { "p < 1e-300".to_string() }
        );
        warnings.push(Warning::new("sample_ratio_mismatch", report.assigned_people, message));
    }
    if let Some(peeking) = report.peeking.as_ref().filter(|peeking| !peeking.reached) {
        let message = format!(
            "The smallest variant has {} of the {} planned. Reading the fixed-sample p-values before the planned size, and stopping when one looks good, raises the false-positive rate: read the always-valid p-values instead, or wait.",
            counted(peeking.smallest_variant_people, "person", "people"),
            counted(peeking.planned_people_per_variant, "person", "people")
        );
        warnings.push(Warning::new("experiment_peeking", peeking.smallest_variant_people, message));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// One event: person, minute, event name, variant (empty for none), value (NaN for none) and
    /// file index.
    type Row<'a> = (&'a str, i64, &'a str, &'a str, f64, u16);

    fn log_of(rows: &[Row]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        let variant = log.property_index("variant");
        for (row, &(person, minute, event, value_of_variant, value, file)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let new = NewEvent { person, time: minute * 60_000, event, channel: None, value, ordinal: None, date_only: false, file, row: row as u32 + 2 };
            log.push(new, [(variant, value_of_variant)]);
        }
        log.file_names = vec!["a.csv".to_string(), "control.csv".to_string()];
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn by_column() -> ExperimentOptions {
        ExperimentOptions { variant_column: Some("variant".to_string()), bootstrap_resamples: 100, ..ExperimentOptions::default() }
    }

    fn run(rows: &[Row], conversion: Option<&str>, options: &ExperimentOptions) -> Result<(ExperimentReport, Vec<Warning>), Error> {
        let (log, journeys) = log_of(rows);
        let conversion = Conversion::find(&log, &journeys, conversion)?;
        let mut warnings = Vec::new();
        let report = compute(&log, &journeys, &conversion, &FunnelOptions::default(), options, false, &mut warnings)?;
        Ok((report.expect("a variant source is set"), warnings))
    }

    /// Builds two variants of 4 people: in A, 2 buy (values 10 and 30), and in B, 3 buy (20 each).
    fn two_variants() -> Vec<Row<'static>> {
        let mut rows = Vec::new();
        for (person, variant, value) in [("a1", "A", 10.0), ("a2", "A", 30.0), ("a3", "A", f64::NAN), ("a4", "A", f64::NAN), ("b1", "B", 20.0), ("b2", "B", 20.0), ("b3", "B", 20.0), ("b4", "B", f64::NAN)] {
            rows.push((person, 0, "visit", variant, f64::NAN, 0));
            if !value.is_nan() {
                rows.push((person, 5, "buy", "", value, 0));
            }
        }
        rows
    }

    #[test]
    fn disabled_without_a_variant_source() {
        let (log, journeys) = log_of(&two_variants());
        let conversion = Conversion::find(&log, &journeys, Some("buy")).unwrap();
        let report = compute(&log, &journeys, &conversion, &FunnelOptions::default(), &ExperimentOptions::default(), false, &mut Vec::new());
        assert_eq!(report, Ok(None));
    }

    #[test]
    fn two_variants_by_hand() {
        let (report, warnings) = run(&two_variants(), Some("buy"), &by_column()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        // Equal sizes and no control-like name: the first by name is the control.
        assert_eq!(report.control, "A");
        assert_eq!(report.control_rule, ControlRule::Largest);
        assert_eq!(report.steps, vec!["converted (buy)".to_string()]);
        assert_eq!(report.variants[0].steps[0].people, 2);
        assert_eq!(report.variants[1].steps[0].people, 3);
        let comparison = &report.comparisons[0];
        assert_eq!(comparison.variant, "B");
        assert!((comparison.difference - 0.25).abs() < 1e-15);
        assert!((comparison.relative_difference.unwrap() - 0.5).abs() < 1e-15);
        // Pooled rate 5/8: z = 0.25 / √(5/8 · 3/8 · (1/4 + 1/4)).
        let z = 0.25 / (5.0 / 8.0 * 3.0 / 8.0 * 0.5f64).sqrt();
        assert!((comparison.z.unwrap() - z).abs() < 1e-12);
        assert_eq!(report.comparison_count, 1);
        assert_eq!(comparison.holm_p_value, comparison.p_value);
        let revenue = &report.variants[0].revenue.as_ref().unwrap();
        assert_eq!(revenue.total, 40.0);
        assert_eq!(revenue.per_person, Some(10.0));
        let difference = report.revenue_comparisons[0].difference.unwrap();
        assert!((difference - 5.0).abs() < 1e-12, "{difference}");
        let ratio = report.sample_ratio.as_ref().unwrap();
        assert_eq!(ratio.chi_square, 0.0);
        assert_eq!(ratio.p_value, 1.0);
    }

    #[test]
    fn control_chosen_by_name_or_option() {
        let rows = [("p1", 0, "visit", "treatment", f64::NAN, 0), ("p2", 0, "visit", "treatment", f64::NAN, 0), ("p3", 0, "visit", "Control group", f64::NAN, 0)];
        let (report, _) = run(&rows, None, &by_column()).unwrap();
        assert_eq!(report.control, "Control group");
        assert_eq!(report.control_rule, ControlRule::Named);
        let set = ExperimentOptions { control: Some("treatment".to_string()), ..by_column() };
        let (report, _) = run(&rows, None, &set).unwrap();
        assert_eq!(report.control, "treatment");
        assert_eq!(report.control_rule, ControlRule::Set);
        assert!(!named_like_control("nothing"));
        assert!(named_like_control("No E-Mail"));
    }

    #[test]
    fn mixed_and_unassigned_people_are_counted() {
        let mut rows = two_variants();
        rows.push(("m1", 0, "visit", "A", f64::NAN, 0));
        rows.push(("m1", 1, "visit", "B", f64::NAN, 0));
        rows.push(("n1", 0, "visit", "", f64::NAN, 0));
        let (report, warnings) = run(&rows, Some("buy"), &by_column()).unwrap();
        assert_eq!(report.mixed_people, 1);
        assert_eq!(report.people_without_variant, 1);
        assert_eq!(report.assigned_people, 8);
        let kinds: Vec<&str> = warnings.iter().map(|warning| warning.kind.as_str()).collect();
        assert_eq!(kinds, vec!["experiment_mixed_people", "experiment_people_without_variant"]);
        assert_eq!(warnings[0].examples, vec!["m1".to_string()]);
    }

    #[test]
    fn uneven_split_warns_in_plain_words() {
        let mut rows = Vec::new();
        let names: Vec<String> = (0..60).map(|person| format!("p{person}")).collect();
        for (person, name) in names.iter().enumerate() {
            rows.push((name.as_str(), 0, "visit", if person < 50 { "A" } else { "B" }, f64::NAN, 0));
        }
        let (report, warnings) = run(&rows, None, &by_column()).unwrap();
        assert!(report.sample_ratio.as_ref().unwrap().mismatch);
        assert_eq!(warnings[0].kind, "sample_ratio_mismatch");
        // 50 and 10 against 30 each: chi-square 2 · 20² / 30 = 26.67 on 1 degree of freedom.
        assert!(warnings[0].message.contains("A 50 (83.3% against 50.0% expected), B 10 (16.7% against 50.0% expected); chi-square p = 2.4e-7"), "{}", warnings[0].message);
    }

    #[test]
    fn variant_without_people_has_no_tests() {
        let mut rows = two_variants();
        // C occurs only on a person who also has A, so no one is left in C.
        rows.push(("m1", 0, "visit", "C", f64::NAN, 0));
        rows.push(("m1", 1, "visit", "A", f64::NAN, 0));
        let (report, _) = run(&rows, Some("buy"), &by_column()).unwrap();
        let empty = report.variants.iter().find(|variant| variant.name == "C").unwrap();
        assert_eq!(empty.people, 0);
        assert_eq!(empty.steps[0].rate, 0.0);
        assert_eq!(empty.revenue.as_ref().unwrap().per_person, None);
        let comparison = report.comparisons.iter().find(|comparison| comparison.variant == "C").unwrap();
        assert_eq!(comparison.p_value, None);
        assert_eq!(comparison.probability_to_beat, None);
        assert_eq!(comparison.lower, None);
        assert!(report.notes.iter().any(|note| note.contains("\"C\" has no people")), "{:?}", report.notes);
        let revenue = report.revenue_comparisons.iter().find(|comparison| comparison.variant == "C").unwrap();
        assert_eq!(revenue.difference, None);
        assert_eq!(revenue.p_value, None);
    }

    #[test]
    fn no_conversions_and_all_converting() {
        let none = [("p1", 0, "visit", "A", f64::NAN, 0), ("p2", 0, "visit", "B", f64::NAN, 0), ("p3", 0, "buy", "", f64::NAN, 0)];
        let (report, _) = run(&none, Some("buy"), &by_column()).unwrap();
        assert_eq!(report.people_without_variant, 1);
        let comparison = &report.comparisons[0];
        assert_eq!(comparison.z, None);
        assert_eq!(comparison.always_valid_p_value, None);
        assert_eq!(comparison.relative_difference, None);
        assert!((comparison.probability_to_beat.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(report.comparison_count, 0);
        assert!(report.notes.iter().any(|note| note.contains("nobody or everybody")), "{:?}", report.notes);

        let all = [("p1", 0, "buy", "A", f64::NAN, 0), ("p2", 0, "buy", "B", f64::NAN, 0)];
        let (report, _) = run(&all, Some("buy"), &by_column()).unwrap();
        assert_eq!(report.comparisons[0].p_value, None);
        let calculator = report.calculator.as_ref().unwrap();
        assert_eq!(calculator.minimum_detectable_effect, None);
        assert_eq!(calculator.people_needed_per_variant, None);
    }

    #[test]
    fn one_variant_only() {
        let rows = [("p1", 0, "visit", "A", 5.0, 0), ("p2", 0, "visit", "A", f64::NAN, 0)];
        let (report, _) = run(&rows, None, &by_column()).unwrap();
        assert_eq!(report.control, "A");
        assert!(report.comparisons.is_empty());
        assert!(report.revenue_comparisons.is_empty());
        assert_eq!(report.sample_ratio, None);
        assert_eq!(report.calculator, None);
        assert!(report.notes.iter().any(|note| note.contains("Only one variant")), "{:?}", report.notes);
        assert!(report.notes.iter().any(|note| note.contains("No funnel steps")), "{:?}", report.notes);
    }

    #[test]
    fn no_value_column() {
        let rows = [("p1", 0, "buy", "A", f64::NAN, 0), ("p2", 0, "visit", "B", f64::NAN, 0)];
        let (report, _) = run(&rows, Some("buy"), &by_column()).unwrap();
        assert_eq!(report.variants[0].revenue, None);
        assert!(report.revenue_comparisons.is_empty());
        assert!(report.notes.iter().any(|note| note.contains("No event has a value")), "{:?}", report.notes);
    }

    #[test]
    fn variants_from_files() {
        let rows = [("p1", 0, "visit", "", f64::NAN, 0), ("p2", 0, "visit", "", f64::NAN, 1), ("p3", 0, "visit", "", f64::NAN, 1), ("p3", 1, "buy", "", f64::NAN, 0)];
        let options = ExperimentOptions { variants_from_files: true, ..ExperimentOptions::default() };
        let (report, warnings) = run(&rows, Some("buy"), &options).unwrap();
        let names: Vec<&str> = report.variants.iter().map(|variant| variant.name.as_str()).collect();
        assert_eq!(names, vec!["a.csv", "control.csv"]);
        assert_eq!(report.control, "control.csv");
        assert_eq!(report.variant_column, None);
        // p3 has events in both files.
        assert_eq!(report.mixed_people, 1);
        assert_eq!(warnings[0].kind, "experiment_mixed_people");
    }

    #[test]
    fn invalid_options_name_the_fix() {
        let rows = two_variants();
        let cases = [
            (ExperimentOptions { variant_column: Some("arm".to_string()), ..by_column() }, "The variant column \"arm\" was not found"),
            (ExperimentOptions { control: Some("Z".to_string()), ..by_column() }, "The control variant \"Z\" is not among the variants: A, B."),
            (ExperimentOptions { expected_shares: vec![1.0], ..by_column() }, "1 expected shares were given for 2 variants: A, B."),
            (ExperimentOptions { expected_shares: vec![1.0, -1.0], ..by_column() }, "The expected share -1 is invalid"),
            (ExperimentOptions { variants_from_files: true, ..by_column() }, "not both"),
            (ExperimentOptions { confidence: 1.0, ..by_column() }, "confidence is 1"),
            (ExperimentOptions { bootstrap_resamples: MAX_RESAMPLES + 1, ..by_column() }, "bootstrap_resamples"),
        ];
        for (options, expected) in cases {
            let message = run(&rows, Some("buy"), &options).map(|_| ()).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn empty_variant_column_is_an_error() {
        let rows = [("p1", 0, "visit", "", f64::NAN, 0)];
        let message = run(&rows, None, &by_column()).map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("every value is missing"), "{message}");
    }

    #[test]
    fn weekly_traffic_sizes_the_test() {
        // 8 people over 14 days: 4 a week, so each of the 2 variants needs 2 × needed / 4 weeks.
        let mut rows = two_variants();
        rows.push(("a1", 14 * 24 * 60, "visit", "", f64::NAN, 0));
        let (report, _) = run(&rows, Some("buy"), &by_column()).unwrap();
        let calculator = report.calculator.as_ref().unwrap();
        assert!((calculator.weekly_people.unwrap() - 4.0).abs() < 1e-12);
        let needed = calculator.people_needed_per_variant.unwrap() as f64;
        assert!((calculator.weeks_needed.unwrap() - needed * 2.0 / 4.0).abs() < 1e-9);
    }
}
