// Prediction: next-step accuracy by Markov order, conversion propensity with
// its held-out AUC and calibration, and the journeys still in progress with
// their predicted next events and scores. Each prediction appears only when
// its held-out score beat the baseline, and otherwise the report's reason does.

import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatAmount, formatCount, formatDateTime, formatShare } from './format.js';

// Size of the reliability plot, in SVG user units.
const PLOT = { size: 240, left: 48, right: 12, top: 12, bottom: 34 };

/**
 * Renders the report's prediction into `root`. With no prediction, shows the
 * reason from the report's `no_prediction` warning, or nothing without one.
 */
export function renderPredictionView(root, report, timeZone, settings = null, onChange = null) {
  const prediction = report.prediction ?? null;
  const warning = (report.warnings ?? []).find((entry) => entry.kind === 'no_prediction');
  root.hidden = !prediction && !warning;
  const controls = settings && onChange ? renderControls(settings, onChange) : null;
  if (!prediction) {
    replaceChildren(root, ...(warning ? [
      h('h3', {}, metricLink('prediction', 'Prediction')),
      controls,
      h('p', { className: 'hint', dataset: { testid: 'prediction-reason' } }, warning.message),
    ] : []));
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('prediction', 'Prediction')),
    controls,
    h('p', { className: 'hint', dataset: { testid: 'prediction-cut' } },
      'Models learn from the ', formatCount(prediction.training_events), ' events before ',
      formatDateTime(prediction.cut, timeZone), ' (', metricLink('prediction-cut', 'the cut'), ') and are scored on the ',
      formatCount(prediction.test_events), ' events after it.'),
    renderNextStep(prediction.next_step),
    renderPropensity(prediction),
    renderOpenJourneys(prediction, timeZone));
}

// The prediction options right after a load, which are the engine's defaults.
export const PREDICTION_DEFAULTS = { cutShare: 0.8, horizon: null };

const CUT_SHARES = [0.5, 0.6, 0.7, 0.8, 0.9];
const HORIZONS = [[null, 'to the end of the data'], ['7d', '7 days'], ['14d', '14 days'], ['30d', '30 days'], ['90d', '90 days']];

/** Returns the prediction options in engine form. */
export function predictionOptions(settings) {
  return { cut_share: settings.cutShare, horizon: settings.horizon };
}

// The cut and the horizon, which decide how much history the models learn
// from and how long a conversion may take to count.
function renderControls(settings, onChange) {
  const cut = h('select', {
    dataset: { testid: 'prediction-cut-share' },
    on: { change: () => { settings.cutShare = Number(cut.value); onChange(); } },
  }, CUT_SHARES.map((share) => h('option', { value: String(share), selected: share === settings.cutShare }, `${Math.round(share * 100)}% of events`)));
  const horizon = h('select', {
    dataset: { testid: 'prediction-horizon' },
    on: { change: () => { settings.horizon = horizon.value === '' ? null : horizon.value; onChange(); } },
  }, HORIZONS.map(([value, text]) => h('option', { value: value ?? '', selected: value === settings.horizon }, text)));
  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, metricLink('prediction-cut', 'Cut after')), cut),
    h('label', { className: 'field inline' }, h('span', {}, 'Conversions count'), horizon));
}

function renderNextStep(next) {
  const rows = next.orders.map((row) => {
    const chosen = row.order === next.chosen_order;
    const label = row.order === 0 ? `0 (baseline: always “${next.baseline_event}”)` : String(row.order);
    return h('tr', { className: chosen ? 'chosen' : '', dataset: { testid: 'prediction-order' } },
      h('th', { scope: 'row' }, label, chosen ? ' – chosen' : ''),
      h('td', { className: 'number' }, formatCount(row.contexts)),
      h('td', { className: 'number' }, formatShare(row.validation_top1)),
      h('td', { className: 'number' }, formatShare(row.top1)),
      h('td', { className: 'number' }, formatShare(row.top3)));
  });
  const verdict = next.better_than_baseline
    ? `Order ${next.chosen_order} predicts the next event better than the baseline (McNemar z = ${formatAmount(next.mcnemar_z)}).`
    : `Order ${next.chosen_order} is not significantly better than the baseline, so no next events are shown.`;
  return h('div', {},
    h('h4', {}, metricLink('next-step-accuracy', 'Next-step accuracy')),
    h('table', { dataset: { testid: 'prediction-orders' } },
      h('caption', {}, `${formatCount(next.test_positions)} held-out next events; the order was chosen on ${formatCount(next.validation_positions)} validation events before the cut.`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Markov order'),
        h('th', { scope: 'col', className: 'number' }, 'Contexts'),
        h('th', { scope: 'col', className: 'number' }, 'Validation top-1'),
        h('th', { scope: 'col', className: 'number' }, 'Test top-1'),
        h('th', { scope: 'col', className: 'number' }, 'Test top-3'))),
      h('tbody', {}, rows)),
    h('p', { className: 'hint', dataset: { testid: 'prediction-next-verdict' } }, verdict));
}

function renderPropensity(prediction) {
  const title = h('h4', {}, metricLink('conversion-propensity', 'Conversion propensity'));
  const model = prediction.propensity;
  if (!model) {
    return h('div', {}, title, h('p', { className: 'hint', dataset: { testid: 'propensity-reason' } }, prediction.propensity_reason ?? ''));
  }
  const figures = [
    ['Held-out ROC AUC', `${formatScore(model.auc)} (95% ${formatScore(model.auc_ci_low)} to ${formatScore(model.auc_ci_high)})`, 'propensity-auc'],
    ['Baseline AUC', '0.500', 'propensity-baseline-auc'],
    ['Log loss (baseline)', `${formatScore(model.log_loss)} (${formatScore(model.baseline_log_loss)})`, 'propensity-log-loss'],
    ['Brier score (baseline)', `${formatScore(model.brier)} (${formatScore(model.baseline_brier)})`, 'propensity-brier'],
    ['Test people (converters)', `${formatCount(model.test_people)} (${formatCount(model.test_converters)})`, 'propensity-test-people'],
  ].map(([label, text, testid]) => h('div', { className: 'figure' }, h('dt', {}, label), h('dd', { dataset: { testid } }, text)));
  const verdict = model.better_than_baseline
    ? 'The model ranks held-out people better than the base rate does.'
    : 'The model is not clearly better than predicting the base rate for everyone, so no scores are shown.';
  return h('div', {},
    title,
    h('dl', { className: 'figures small' }, figures),
    h('p', { className: 'hint', dataset: { testid: 'propensity-verdict' } }, verdict),
    h('div', { className: 'process-columns' }, renderCalibrationTable(model.calibration), renderPlotWithExport(model.calibration)));
}

function renderPlotWithExport(rows) {
  const plot = renderReliabilityPlot(rows);
  return h('div', {}, chartExportButtons(() => plot, 'pathlight-reliability-plot', 'reliability plot'), plot);
}

// A person's propensity as a percentage, with scores under 0.1% shown as such
// in place of a misleading 0.0%.
function formatScoreShare(score) {
  if (score === null || score === undefined) {
    return '–';
  }
  return score < 0.001 ? '< 0.1%' : formatShare(score);
}

// AUC, log loss and Brier score with three decimals, as scores are usually quoted.
function formatScore(value) {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

function renderCalibrationTable(rows) {
  return h('table', { dataset: { testid: 'propensity-calibration' } },
    h('caption', {}, 'Calibration: held-out people in tenths by score'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', className: 'number' }, 'People'),
      h('th', { scope: 'col', className: 'number' }, 'Mean score'),
      h('th', { scope: 'col', className: 'number' }, 'Converted'))),
    h('tbody', {}, rows.map((row) => h('tr', {},
      h('td', { className: 'number' }, formatCount(row.people)),
      h('td', { className: 'number' }, formatShare(row.mean_predicted)),
      h('td', { className: 'number' }, formatShare(row.observed_rate))))));
}

// A reliability plot: mean score against the share converted, one dot per
// tenth, with the diagonal of perfect calibration. Both axes run from 0 to the
// largest value rounded up to a tenth, so that low scores do not crowd a corner.
// The table beside it gives the same numbers.
function renderReliabilityPlot(rows) {
  const { size, left, right, top: topMargin, bottom } = PLOT;
  const largest = Math.max(0.1, ...rows.flatMap((row) => [row.mean_predicted, row.observed_rate]));
  const top = Math.min(1, Math.ceil(largest * 10) / 10);
  const x = (share) => left + (share / top) * (size - left - right);
  const y = (share) => size - bottom - (share / top) * (size - topMargin - bottom);
  const dots = rows.map((row) => svg('circle', { cx: x(row.mean_predicted), cy: y(row.observed_rate), r: 3, class: 'calibration-dot' },
    svg('title', {}, `mean score ${formatShare(row.mean_predicted)}, converted ${formatShare(row.observed_rate)}, ${formatCount(row.people)} people`)));
  return svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', class: 'curve-chart', 'aria-label': 'Reliability plot: mean score against share converted', 'data-testid': 'propensity-plot' },
    svg('line', { x1: x(0), y1: y(0), x2: x(top), y2: y(top), class: 'grid' }),
    svg('line', { x1: x(0), y1: y(0), x2: x(top), y2: y(0), class: 'axis' }),
    svg('line', { x1: x(0), y1: y(0), x2: x(0), y2: y(top), class: 'axis' }),
    svg('text', { x: x(top), y: y(0) + 14, 'text-anchor': 'end', class: 'tick-label' }, formatShare(top)),
    svg('text', { x: x(0) - 4, y: y(top) + 4, 'text-anchor': 'end', class: 'tick-label' }, formatShare(top)),
    svg('text', { x: size / 2, y: size - 4, 'text-anchor': 'middle', class: 'tick-label' }, 'mean score'),
    svg('text', { x: 10, y: size / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${size / 2})`, class: 'tick-label' }, 'converted'),
    ...dots);
}

function renderOpenJourneys(prediction, timeZone) {
  const rows = prediction.open_journeys.map((journey) => h('tr', { dataset: { testid: 'open-journey' } },
    h('td', {}, journey.person),
    h('td', {}, formatDateTime(journey.last_event, timeZone)),
    h('td', { className: 'number' }, formatCount(journey.events)),
    h('td', { className: 'number' }, formatScoreShare(journey.score)),
    h('td', {}, journey.next.map((next) => `${next.event} ${formatShare(next.probability)}`).join(', ') || '–'),
    h('td', {}, journey.likely_path.join(' → ') || '–')));
  const continuations = prediction.continuations.map((row) => h('tr', {},
    h('td', {}, row.path.join(' → ')),
    h('td', { className: 'number' }, formatCount(row.people))));
  return h('div', {},
    h('h4', {}, metricLink('open-journeys', 'Journeys in progress')),
    h('p', { className: 'hint' }, `${formatCount(prediction.open_total)} people have not converted and were active recently; the first ${formatCount(prediction.open_journeys.length)} are listed.`),
    prediction.open_reason ? h('p', { className: 'hint', dataset: { testid: 'open-reason' } }, prediction.open_reason) : null,
    h('table', { dataset: { testid: 'open-journeys' } },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Person'),
        h('th', { scope: 'col' }, 'Last event'),
        h('th', { scope: 'col', className: 'number' }, 'Events'),
        h('th', { scope: 'col', className: 'number' }, 'Propensity'),
        h('th', { scope: 'col' }, 'Likely next events'),
        h('th', { scope: 'col' }, 'Likely continuation'))),
      h('tbody', {}, rows)),
    continuations.length === 0 ? null : h('table', { dataset: { testid: 'prediction-continuations' } },
      h('caption', {}, metricLink('likely-continuation', 'Most common likely continuations')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Continuation'), h('th', { scope: 'col', className: 'number' }, 'People'))),
      h('tbody', {}, continuations)));
}
