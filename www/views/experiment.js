// The A/B experiment view. Its settings choose the variant source (a column,
// or one file per variant), the control and the planned people per variant.
// Below them come each variant's rates with intervals, the comparisons with the
// control, revenue per person, the sample ratio check, the peeking warning and
// the sample-size calculator. Variant names come from the user's files, so
// they go in as text.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatShare } from './format.js';

// The settings right after a load: no experiment.
export const EXPERIMENT_DEFAULTS = { source: '', control: '', plannedPeople: '' };

// The selector value that makes each input file one variant. Column names
// cannot start with a NUL character, so it never clashes with one.
const FROM_FILES = '\u0000files';

/** Returns the experiment options in engine form. */
export function experimentOptions(settings) {
  const planned = Number.parseInt(settings.plannedPeople, 10);
  return {
    variant_column: settings.source && settings.source !== FROM_FILES ? settings.source : null,
    variants_from_files: settings.source === FROM_FILES,
    control: settings.control || null,
    planned_people_per_variant: Number.isInteger(planned) && planned > 0 ? planned : null,
  };
}

/** Returns the view's settings for experiment options in engine form, such as a saved setup's. */
export function experimentSettings(options) {
  if (!options) {
    return { ...EXPERIMENT_DEFAULTS };
  }
  const planned = options.planned_people_per_variant;
  return {
    source: options.variants_from_files ? FROM_FILES : (options.variant_column ?? ''),
    control: options.control ?? '',
    plannedPeople: planned === null || planned === undefined ? '' : String(planned),
  };
}

/**
 * Renders the experiment settings and, when the report has one, the
 * experiment into `root`. `summary` is the load summary, whose property
 * columns and files are the variant sources; `onChange()` re-runs the analysis
 * after an edit of `settings`.
 */
export function renderExperimentView(root, experiment, warnings, summary, settings, onChange) {
  const sources = [
    ...(summary?.properties ?? []).map((property) => [property.column, `column ${property.column}`]),
    ...((summary?.files ?? []).length > 1 ? [[FROM_FILES, 'one file per variant']] : []),
  ];
  root.hidden = sources.length === 0;
  if (sources.length === 0) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('experiments', 'A/B experiment')),
    renderSettings(sources, experiment, settings, onChange),
    experiment ? renderResults(experiment, warnings ?? []) : h('p', { className: 'hint' },
      'Choose the column with each person\'s variant, or one file per variant, to compare the variants with a control.'));
}

function renderSettings(sources, experiment, settings, onChange) {
  const sourceSelect = h('select', {
    dataset: { testid: 'experiment-source' },
    on: {
      change: () => {
        settings.source = sourceSelect.value;
        settings.control = '';
        onChange();
      },
    },
  },
  h('option', { value: '', selected: settings.source === '' }, 'no experiment'),
  sources.map(([value, label]) => h('option', { value, selected: value === settings.source }, label)));

  const variants = experiment?.variants ?? [];
  const controlSelect = h('select', {
    dataset: { testid: 'experiment-control' },
    disabled: variants.length === 0,
    on: { change: () => { settings.control = controlSelect.value; onChange(); } },
  },
  h('option', { value: '', selected: settings.control === '' }, 'chosen by name or size'),
  variants.map((variant) => h('option', { value: variant.name, selected: variant.name === settings.control }, variant.name)));

  const plannedInput = h('input', {
    type: 'number',
    min: '1',
    step: '1',
    value: settings.plannedPeople,
    placeholder: 'not set',
    size: 10,
    dataset: { testid: 'experiment-planned' },
    on: { change: () => { settings.plannedPeople = plannedInput.value; onChange(); } },
  });

  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, metricLink('variants-and-control', 'Variants from')), sourceSelect),
    h('label', { className: 'field inline' }, h('span', {}, 'Control'), controlSelect),
    h('label', { className: 'field inline' },
      h('span', { title: 'The people each variant should reach before the results are read. Fewer gives a warning.' },
        metricLink('peeking-and-always-valid-p-values', 'Planned people per variant')),
      plannedInput));
}

function renderResults(experiment, warnings) {
  const experimentWarnings = warnings.filter((warning) =>
    warning.kind === 'sample_ratio_mismatch' || warning.kind.startsWith('experiment_'));
  return h('div', {},
    h('p', { className: 'hint', dataset: { testid: 'experiment-people' } },
      `${formatCount(experiment.assigned_people)} people in the experiment; `,
      `${formatCount(experiment.mixed_people)} with more than one variant and `,
      `${formatCount(experiment.people_without_variant)} without one are left out. `,
      `Control: ${experiment.control}. Intervals at ${formatShare(experiment.confidence)} confidence.`),
    experimentWarnings.length > 0
      ? h('div', { className: 'warning', dataset: { testid: 'experiment-warnings' }, attrs: { role: 'status' } },
        experimentWarnings.map((warning) => h('p', { dataset: { kind: warning.kind } }, warning.message)))
      : null,
    renderVariants(experiment),
    experiment.comparisons.length > 0 ? renderComparisons(experiment) : null,
    experiment.revenue_comparisons.length > 0 ? renderRevenueComparisons(experiment) : null,
    renderSampleRatio(experiment.sample_ratio),
    renderCalculator(experiment.calculator),
    (experiment.notes ?? []).length > 0
      ? h('ul', { className: 'hint', dataset: { testid: 'experiment-notes' } }, experiment.notes.map((note) => h('li', {}, note)))
      : null);
}

function renderVariants(experiment) {
  const hasRevenue = experiment.variants.some((variant) => variant.revenue);
  const rows = experiment.variants.map((variant) => h('tr', { dataset: { testid: 'experiment-variant', variant: variant.name } },
    h('th', { scope: 'row' }, variant.control ? `${variant.name} (control)` : variant.name),
    h('td', { className: 'number', dataset: { testid: 'experiment-variant-people' } }, formatCount(variant.people)),
    h('td', { className: 'number' }, formatShare(variant.share)),
    variant.steps.map((step) => h('td', { className: 'number', dataset: { testid: 'experiment-step-rate' } },
      formatShare(step.rate), h('br'), h('span', { className: 'hint' }, `${formatShare(step.lower)} to ${formatShare(step.upper)}`))),
    hasRevenue ? h('td', { className: 'number', dataset: { testid: 'experiment-revenue' } }, revenueText(variant.revenue)) : null));
  return h('div', { className: 'table-scroll' },
    h('table', { dataset: { testid: 'experiment-variants' } },
      h('caption', {}, 'People and rates of each variant, with their intervals'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Variant'),
        h('th', { scope: 'col', className: 'number' }, 'People'),
        h('th', { scope: 'col', className: 'number' }, 'Share'),
        experiment.steps.map((label) => h('th', { scope: 'col', className: 'number' }, metricLink('experiment-steps', label))),
        hasRevenue ? h('th', { scope: 'col', className: 'number' }, metricLink('revenue-per-person', 'Revenue per person')) : null)),
      h('tbody', {}, rows)));
}

function revenueText(revenue) {
  if (!revenue) {
    return '–';
  }
  const interval = revenue.lower === null || revenue.upper === null ? '' : ` (${formatAmount(revenue.lower)} to ${formatAmount(revenue.upper)})`;
  return `${formatAmount(revenue.per_person)}${interval}`;
}

function renderComparisons(experiment) {
  const rows = experiment.comparisons.map((comparison) => h('tr', { dataset: { testid: 'experiment-comparison' } },
    h('th', { scope: 'row' }, comparison.variant),
    h('td', {}, experiment.steps[comparison.step] ?? ''),
    h('td', { className: 'number', dataset: { testid: 'experiment-difference' } }, points(comparison.difference)),
    h('td', { className: 'number' }, comparison.lower === null ? '–' : `${points(comparison.lower)} to ${points(comparison.upper)}`),
    h('td', { className: 'number', dataset: { testid: 'experiment-p' } }, pValue(comparison.p_value)),
    h('td', { className: 'number' }, pValue(comparison.holm_p_value)),
    h('td', { className: 'number', dataset: { testid: 'experiment-beat' } }, formatShare(comparison.probability_to_beat)),
    h('td', { className: 'number' }, pValue(comparison.always_valid_p_value))));
  return h('div', { className: 'table-scroll' },
    h('table', { dataset: { testid: 'experiment-comparisons' } },
      h('caption', {}, `Each variant against the control (${formatCount(experiment.comparison_count)} tests)`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Variant'),
        h('th', { scope: 'col' }, 'Step'),
        h('th', { scope: 'col', className: 'number' }, metricLink('difference-and-z-test', 'Difference')),
        h('th', { scope: 'col', className: 'number' }, 'Interval'),
        h('th', { scope: 'col', className: 'number' }, metricLink('difference-and-z-test', 'p')),
        h('th', { scope: 'col', className: 'number' }, metricLink('holm-adjustment', 'Holm p')),
        h('th', { scope: 'col', className: 'number' }, metricLink('probability-to-beat-control', 'Chance to beat control')),
        h('th', { scope: 'col', className: 'number' }, metricLink('peeking-and-always-valid-p-values', 'Always-valid p')))),
      h('tbody', {}, rows)));
}

function renderRevenueComparisons(experiment) {
  const rows = experiment.revenue_comparisons.map((comparison) => h('tr', { dataset: { testid: 'experiment-revenue-comparison' } },
    h('th', { scope: 'row' }, comparison.variant),
    h('td', { className: 'number' }, formatAmount(comparison.difference)),
    h('td', { className: 'number' }, comparison.lower === null ? '–' : `${formatAmount(comparison.lower)} to ${formatAmount(comparison.upper)}`),
    h('td', { className: 'number' }, pValue(comparison.p_value))));
  return h('div', { className: 'table-scroll' },
    h('table', { dataset: { testid: 'experiment-revenue-comparisons' } },
      h('caption', {}, 'Revenue per person against the control'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Variant'),
        h('th', { scope: 'col', className: 'number' }, metricLink('revenue-per-person', 'Difference')),
        h('th', { scope: 'col', className: 'number' }, 'Bootstrap interval'),
        h('th', { scope: 'col', className: 'number' }, 'Welch p'))),
      h('tbody', {}, rows)));
}

function renderSampleRatio(ratio) {
  if (!ratio) {
    return null;
  }
  const verdict = ratio.mismatch ? 'the split differs from the plan.' : 'the split matches the plan.';
  return h('p', { className: 'hint', dataset: { testid: 'experiment-srm' } },
    metricLink('sample-ratio-mismatch', 'Sample ratio'),
    `: chi-square ${ratio.chi_square.toFixed(2)}, ${pText(ratio.p_value)}, so ${verdict}`);
}

function renderCalculator(calculator) {
  if (!calculator) {
    return null;
  }
  const effect = calculator.minimum_detectable_effect === null
    ? 'no rise within reach'
    : `${points(calculator.minimum_detectable_effect)} (${formatShare(calculator.minimum_detectable_uplift)} of the baseline)`;
  const needed = calculator.people_needed_per_variant === null ? '–' : formatCount(calculator.people_needed_per_variant);
  const weeks = calculator.weeks_needed === null ? '' : `, about ${calculator.weeks_needed.toFixed(1)} weeks at the current traffic`;
  return h('div', { dataset: { testid: 'experiment-calculator' } },
    h('h4', {}, metricLink('sample-size-and-minimum-detectable-effect', 'Sample size and minimum detectable effect')),
    h('p', {}, `For ${calculator.step}, baseline ${formatShare(calculator.baseline_rate)}, `,
      `a two-sided test at ${formatShare(calculator.alpha)} with ${formatShare(calculator.power)} power.`),
    h('p', { dataset: { testid: 'experiment-mde' } },
      `With ${formatCount(calculator.people_per_variant)} people per variant it detects a rise of ${effect}.`),
    h('p', { dataset: { testid: 'experiment-needed' } },
      `A rise of ${formatShare(calculator.target_uplift)} needs ${needed} people per variant${weeks}.`));
}

/** Formats a difference of rates in percentage points, with its sign. */
function points(difference) {
  if (difference === null || difference === undefined) {
    return '–';
  }
  const sign = difference > 0 ? '+' : '';
  return `${sign}${(difference * 100).toFixed(2)} pts`;
}

function pValue(value) {
  if (value === null || value === undefined) {
    return '–';
  }
  if (value === 0) {
    // Below the smallest positive double: the engine's p-value underflowed.
    return '< 1e-300';
  }
  return value < 0.0001 ? value.toExponential(1) : value.toFixed(4);
}

/** Writes "p = 0.0123", or "p < 1e-300" when the p-value underflowed. */
function pText(value) {
  const text = pValue(value);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}
