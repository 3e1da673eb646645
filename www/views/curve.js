// The conversion curve: the Kaplan–Meier cumulative conversion over time
// since each person's first event, as a step line with its 95% band, the
// number at risk at the landmarks below the axis, and the median.

import { area, curveStepAfter, line, scaleLinear } from '../build/vendor.js';
import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';

// The curve options right after a load, which are the engine's defaults.
export const CURVE_DEFAULTS = { censorAt: 'data_end' };

const CHART = { width: 640, height: 260, left: 56, right: 16, top: 10, bottom: 60 };

// The minimum distance, in chart units, between two numbers at risk. A
// landmark closer than this to the previous one shows its number in the table only.
const AT_RISK_SPACING = 30;

// Maximum rows of the table under the chart, plus one for the last
// step, so a curve with thousands of steps stays quick to open.
const CURVE_TABLE_MAX_ROWS = 100;

const TIME_UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
];

/** Returns the curve options in engine form. */
export function curveOptions(settings) {
  return { censor_at: settings.censorAt };
}

/**
 * Renders the report's conversion curve into `root`, or nothing when it is
 * null. The view edits `settings` (see CURVE_DEFAULTS) and calls `onChange()`.
 */
export function renderCurveView(root, curve, settings, onChange) {
  if (!curve) {
    replaceChildren(root);
    return;
  }
  const censor = h('select', {
    dataset: { testid: 'curve-censor-at' },
    on: { change: () => { settings.censorAt = censor.value; onChange(); } },
  },
  h('option', { value: 'data_end', selected: curve.censor_at === 'data_end' }, 'at the end of the data'),
  h('option', { value: 'last_event', selected: curve.censor_at === 'last_event' }, 'at their own last event'));

  const median = curve.median_ms === null
    ? h('p', { className: 'hint', dataset: { testid: 'curve-median' } },
      'Median time to convert: not reached, because fewer than half converted.')
    : h('dl', { className: 'figures small' },
      h('div', { className: 'figure' },
        h('dt', {}, 'Median time to convert'),
        h('dd', { dataset: { testid: 'curve-median' } }, formatDuration(curve.median_ms))));
  replaceChildren(root,
    h('h4', {}, metricLink('conversion-curve', 'Conversion curve')),
    h('div', { className: 'section-tools' },
      h('label', { className: 'field inline' }, h('span', {}, 'Censor people who have not converted'), censor)),
    h('p', { className: 'hint', dataset: { testid: 'curve-caption' } },
      `${formatCount(curve.people)} people, ${formatCount(curve.converters)} converted and ${formatCount(curve.censored)} censored. `,
      `Converted by the end: ${formatShare(curve.final_cumulative)}.`),
    median,
    curve.steps.length > 0 ? renderChart(curve) : h('p', { className: 'empty' }, 'Nobody converted, so the curve stays at 0.'),
    curve.steps.length > 0 ? renderStepTable(curve.steps) : null,
    renderLandmarks(curve.landmarks ?? []));
}

function renderChart(curve) {
  const lastTime = curve.steps.at(-1).time_ms;
  const [unit, unitMs] = TIME_UNITS.find(([, size]) => lastTime >= 2 * size) ?? TIME_UNITS.at(-1);
  const domainEnd = Math.max(lastTime * 1.05, unitMs);
  const x = scaleLinear().domain([0, domainEnd / unitMs]).range([CHART.left, CHART.width - CHART.right]).nice();
  // A low curve would hug the axis on a 0 to 100% scale, so the scale ends
  // just above the highest point of the line and its band.
  const highest = Math.max(...curve.steps.map((step) => Math.max(step.cumulative, step.upper_95 ?? 0)));
  const y = scaleLinear().domain([0, Math.min(1, highest * 1.1)]).range([CHART.height - CHART.bottom, CHART.top]).nice();
  const xOf = (ms) => x(ms / unitMs);
  const end = x.domain()[1] * unitMs;

  // The curve starts at 0 and keeps each step's value until the next step.
  const points = [{ time_ms: 0, cumulative: 0, lower_95: 0, upper_95: 0 }, ...curve.steps];
  points.push({ ...points.at(-1), time_ms: end });
  const banded = points.filter((point) => typeof point.lower_95 === 'number' && typeof point.upper_95 === 'number');
  const band = area().curve(curveStepAfter).x((point) => xOf(point.time_ms)).y0((point) => y(point.lower_95)).y1((point) => y(point.upper_95));
  const curveLine = line().curve(curveStepAfter).x((point) => xOf(point.time_ms)).y((point) => y(point.cumulative));

  const axisY = CHART.height - CHART.bottom;
  const xTicks = x.ticks(6).map((tick) => svg('g', {},
    svg('line', { x1: x(tick), x2: x(tick), y1: axisY, y2: axisY + 4, class: 'tick' }),
    textNode(x(tick), axisY + 16, `${tick} ${unit}`, 'middle')));
  const yTicks = y.ticks(5).map((share) => svg('g', {},
    svg('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: y(share), y2: y(share), class: 'grid' }),
    textNode(CHART.left - 6, y(share) + 4, formatShare(share), 'end')));

  // The number at risk sits under the axis at each landmark inside the chart.
  const landmarks = [];
  for (const landmark of curve.landmarks ?? []) {
    const previous = landmarks.at(-1);
    if (landmark.time_ms <= end && (!previous || xOf(landmark.time_ms) - xOf(previous.time_ms) >= AT_RISK_SPACING)) {
      landmarks.push(landmark);
    }
  }
  const atRisk = landmarks.map((landmark) => svg('g', { 'data-testid': 'curve-at-risk' },
    svg('line', { x1: xOf(landmark.time_ms), x2: xOf(landmark.time_ms), y1: CHART.top, y2: axisY, class: 'landmark' }),
    textNode(xOf(landmark.time_ms), axisY + 34, formatCount(landmark.at_risk), 'middle')));

  const medianLine = typeof curve.median_ms === 'number' && curve.median_ms <= end
    ? svg('line', { x1: xOf(curve.median_ms), x2: xOf(curve.median_ms), y1: y(0.5), y2: axisY, class: 'median', 'data-testid': 'curve-median-line' })
    : null;

  const figure = h('figure', { className: 'curve-figure' },
    svg('svg', {
      viewBox: `0 0 ${CHART.width} ${CHART.height}`,
      class: 'curve-chart',
      role: 'img',
      'aria-label': 'Cumulative conversion over time since the first event, with its 95% interval',
      'data-testid': 'curve-chart',
    },
    yTicks,
    banded.length > 1 ? svg('path', { d: band(banded), class: 'band' }) : null,
    svg('path', { d: curveLine(points), class: 'curve-line', 'data-testid': 'curve-line' }),
    medianLine,
    svg('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: axisY, y2: axisY, class: 'axis' }),
    xTicks,
    atRisk,
    landmarks.length > 0 ? textNode(CHART.left, axisY + 52, 'People at risk at each dotted line', 'start') : null),
    h('figcaption', { className: 'hint' },
      'Line: share converted by each time since the first event. Band: 95% interval. Dashed line: median.'));
  figure.prepend(chartExportButtons(() => figure.querySelector('svg'), 'pathlight-conversion-curve', 'conversion curve'));
  return figure;
}

// The chart's steps as a table, for screen readers and for reading exact
// shares. A long curve is thinned to every n-th step, keeping the last.
function renderStepTable(steps) {
  const stride = Math.ceil(steps.length / CURVE_TABLE_MAX_ROWS);
  const shownSteps = steps.filter((_, index) => index % stride === 0 || index === steps.length - 1);
  const interval = (step) => (typeof step.lower_95 === 'number' && typeof step.upper_95 === 'number'
    ? `${formatShare(step.lower_95)} – ${formatShare(step.upper_95)}`
    : '–');
  const rows = shownSteps.map((step) => h('tr', { dataset: { testid: 'curve-table-row' } },
    h('td', {}, formatDuration(step.time_ms)),
    h('td', { className: 'number' }, formatShare(step.cumulative)),
    h('td', { className: 'number' }, interval(step))));
  const summary = stride > 1
    ? `The curve as a table (one step in ${formatCount(stride)} of ${formatCount(steps.length)}, and the last)`
    : 'The curve as a table';
  return h('details', { className: 'chart-table', dataset: { testid: 'curve-table' } },
    h('summary', {}, summary),
    h('div', { className: 'table-scroll' },
      h('table', { className: 'compact' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Time since the first event'),
          h('th', { scope: 'col', className: 'number' }, 'Converted'),
          h('th', { scope: 'col', className: 'number' }, '95% interval'))),
        h('tbody', {}, rows))));
}

function renderLandmarks(landmarks) {
  if (landmarks.length === 0) {
    return null;
  }
  const rows = landmarks.map((landmark) => h('tr', { dataset: { testid: 'curve-landmark' } },
    h('th', { scope: 'row' }, landmark.label),
    h('td', { className: 'number', dataset: { testid: 'curve-landmark-at-risk' } }, formatCount(landmark.at_risk)),
    h('td', { className: 'number' }, formatShare(landmark.cumulative))));
  return h('table', { className: 'curve-landmarks', dataset: { testid: 'curve-landmarks' } },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'After'),
      h('th', { scope: 'col', className: 'number' }, metricLink('conversion-curve', 'At risk')),
      h('th', { scope: 'col', className: 'number' }, metricLink('conversion-curve', 'Converted')))),
    h('tbody', {}, rows));
}

function textNode(xPosition, yPosition, text, anchor) {
  const node = svg('text', { x: xPosition, y: yPosition, 'text-anchor': anchor, class: 'tick-label' });
  node.textContent = text;
  return node;
}
