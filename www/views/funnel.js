// The funnel chart: one row per step with a bar for its people, the share of
// the previous and of the first step, the drop-off and the median time from
// the previous step, and the report's rule text beside it. Below it, the
// funnel completion time of the people who reached the last step, the people
// removed by exclusion steps, what dropped people did next and the breakdown
// table. Each step's people and drop-off counts open the people behind them.

import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';

/**
 * Renders the report's funnel into `root`, or a hint when there is none.
 * With synthetic times the step times and completion time are null, and a
 * note replaces the completion figures. `onPeople(step, group, title)` opens
 * the people who reached (`reached`) or dropped before (`dropped`) a step.
 */
export function renderFunnelView(root, funnel, { syntheticTimes = false, onPeople = null } = {}) {
  if (!funnel || funnel.steps.length === 0) {
    replaceChildren(root, h('p', { className: 'empty' }, 'Add at least one step above to see the funnel.'));
    return;
  }
  const firstPeople = funnel.steps[0].people;
  const countLabel = funnel.counting === 'totals'
    ? metricLink('funnel-counting', 'Attempts')
    : metricLink('people', 'People');
  const header = h('tr', {},
    h('th', { scope: 'col' }, 'Step'),
    h('th', { scope: 'col', className: 'number' }, countLabel),
    h('th', { scope: 'col', className: 'number' }, metricLink('of-previous', '% of previous')),
    h('th', { scope: 'col', className: 'number' }, metricLink('of-first', '% of first')),
    h('th', { scope: 'col', className: 'number' }, metricLink('drop-off', 'Drop-off')),
    h('th', { scope: 'col', className: 'number' }, metricLink('median-time-between-steps', 'Median time from previous')),
  );
  const rows = funnel.steps.map((step, position) => renderStepRow(step, position, firstPeople, onPeople));
  const windowText = funnel.window_label ? `Window: ${funnel.window_label}.` : 'No window.';

  replaceChildren(root,
    chartExportButtons(() => funnelChart(funnel), 'pathlight-funnel', 'funnel chart'),
    h('div', { className: 'funnel-layout' },
      h('div', { className: 'table-scroll' },
        h('table', { className: 'funnel-table', dataset: { testid: 'funnel-table' } },
          h('thead', {}, header),
          h('tbody', {}, rows))),
      h('aside', { className: 'rule', dataset: { testid: 'funnel-rule' } },
        h('h4', {}, 'How it is counted'),
        h('p', {}, funnel.rule),
        h('p', {}, windowText)),
    ),
    renderExcluded(funnel),
    renderDropNext(funnel),
    renderBreakdown(funnel),
    syntheticTimes
      ? h('p', { className: 'hint', dataset: { testid: 'funnel-times-unavailable' } },
        'Times between steps, the completion time and the window do not apply: the times of a channel path table or an outcome table are made up.')
      : renderCompletion(funnel),
  );
}

// Reports from before the engine measured completion have no `completion`
// field, so nothing is shown. It is null for a one-step funnel, where there is
// nothing to measure, and when nobody reached the last step.
function renderCompletion(funnel) {
  const { completion } = funnel;
  if (completion === undefined || (completion === null && funnel.steps.length < 2)) {
    return null;
  }
  // window_label is also set without a window ("no window"), so window_ms decides.
  const within = typeof funnel.window_ms === 'number' ? `, within the window of ${funnel.window_label}` : '';
  const title = metricLink('funnel-completion-time', 'Funnel completion time');
  if (completion === null) {
    return h('p', { className: 'hint', dataset: { testid: 'funnel-completion' } },
      title, `: nobody completed the funnel${within}.`);
  }

  const figures = [
    ['Median', completion.median_ms, 'median'],
    ['Mean', completion.mean_ms, 'mean'],
  ].map(([label, ms, testid]) => h('div', { className: 'figure' },
    h('dt', {}, label),
    h('dd', { dataset: { testid: `funnel-completion-${testid}` } }, formatDuration(ms))));
  const people = completion.people === 1 ? 'person' : 'people';
  return h('div', { className: 'funnel-completion', dataset: { testid: 'funnel-completion' } },
    h('p', { className: 'hint', dataset: { testid: 'funnel-completion-caption' } },
      title,
      `: from the step-1 event to the last step's event, for the ${formatCount(completion.people)} ${people} who completed the funnel${within}.`),
    h('dl', { className: 'figures small' }, figures));
}

// Reports from before exclusions have no `excluded` field, and a funnel
// without exclusions reports 0. Neither shows a line.
function renderExcluded(funnel) {
  if (typeof funnel.excluded !== 'number' || funnel.excluded === 0) {
    return null;
  }
  const unit = funnel.counting === 'totals' ? 'attempts' : (funnel.excluded === 1 ? 'person' : 'people');
  return h('p', { className: 'hint', dataset: { testid: 'funnel-excluded-line' } },
    metricLink('exclusion-steps', 'Excluded'), ': ',
    h('span', { dataset: { testid: 'funnel-excluded' } }, formatCount(funnel.excluded)),
    ` ${unit} removed from every step by the exclusion steps.`);
}

function renderBreakdown(funnel) {
  if (!funnel.breakdown_by || !Array.isArray(funnel.breakdown) || funnel.breakdown.length === 0) {
    return null;
  }
  const by = BREAKDOWN_LABELS[funnel.breakdown_by] ?? funnel.breakdown_by;
  const rows = funnel.breakdown.map((row) => h('tr', { dataset: { testid: 'breakdown-row' } },
    h('th', { scope: 'row', className: row.other ? 'other' : null }, row.value),
    row.steps.map((count) => h('td', { className: 'number' }, formatCount(count)))));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'breakdown-table', dataset: { testid: 'funnel-breakdown-table' } },
      h('caption', {}, metricLink('funnel-breakdown', 'Breakdown'), ` by ${by}`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, by),
        funnel.steps.map((step, position) => h('th', { scope: 'col', className: 'number', title: step.label }, `Step ${position + 1}`)))),
      h('tbody', {}, rows)));
}

const BREAKDOWN_LABELS = {
  first_touch_channel: 'first-touch channel',
  channel: 'channel at step 1',
};

// Lists, for each step with a drop-off, what the dropped people did next.
// Reports from before this figure have no next_after_drop and show nothing.
function renderDropNext(funnel) {
  const items = funnel.steps.flatMap((step, position) => {
    const next = step.next_after_drop ?? [];
    if (position === 0 || next.length === 0 || step.dropped === 0) {
      return [];
    }
    const parts = next.map((row) => `${row.label}: ${formatCount(row.people)} (${formatShare(row.people / step.dropped)})`);
    return [h('li', { dataset: { testid: 'drop-next-item' } },
      h('strong', {}, `Before step ${position + 1}, ${formatCount(step.dropped)} dropped. `),
      parts.join('; '), '.')];
  });
  if (items.length === 0) {
    return null;
  }
  return h('div', { className: 'drop-next', dataset: { testid: 'funnel-drop-next' } },
    h('h4', {}, metricLink('next-after-a-drop-off', 'What they did next')),
    h('ul', {}, items));
}

// A count that opens the people behind it, or plain text without a handler
// or when the count is 0. `tooltip` gives the count and its share.
function peopleButton(count, label, open, tooltip) {
  if (!open || count === 0) {
    return h('span', { title: tooltip }, formatCount(count));
  }
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    attrs: { 'aria-label': `${tooltip}. ${label}` },
    on: { click: open },
  }, formatCount(count));
}

// The drawing sizes of the exported funnel chart, in SVG units, and the
// longest step label it shows before cutting it with an ellipsis.
const FUNNEL_CHART = { width: 720, rowHeight: 26, labelWidth: 240, valueWidth: 190, maxLabel: 36 };

// A step's count and its shares of step 1 and of the previous step, for tooltips.
function stepTooltip(step, position, firstPeople) {
  const unit = step.people === 1 ? 'person' : 'people';
  const ofFirst = firstPeople > 0 ? `, ${formatShare(step.people / firstPeople)} of the ${formatCount(firstPeople)} at step 1` : '';
  const ofPrevious = position > 0 ? `, ${formatShare(step.of_previous)} of the previous step` : '';
  return `Step ${position + 1}, ${step.label}: ${formatCount(step.people)} ${unit}${ofFirst}${ofPrevious}`;
}

// Draws the funnel's bars as an SVG for the chart export. The page shows the
// same bars as a table, so this drawing exists only while it is exported.
function funnelChart(funnel) {
  const { width, rowHeight, labelWidth, valueWidth, maxLabel } = FUNNEL_CHART;
  const firstPeople = funnel.steps[0].people;
  const barSpace = width - labelWidth - valueWidth;
  const height = funnel.steps.length * rowHeight + 8;
  const rows = funnel.steps.map((step, position) => {
    const y = position * rowHeight + 4;
    const barWidth = firstPeople > 0 ? Math.max(1, (step.people / firstPeople) * barSpace) : 1;
    const name = `${position + 1}. ${step.label}`;
    const visibleName = name.length > maxLabel ? `${name.slice(0, maxLabel - 1)}…` : name;
    const share = firstPeople > 0 ? ` (${formatShare(step.people / firstPeople)})` : '';
    return svg('g', {},
      svg('title', {}, stepTooltip(step, position, firstPeople)),
      svg('text', { x: labelWidth - 8, y: y + 17, 'text-anchor': 'end', fill: '#1f2328', 'font-size': 12 }, visibleName),
      svg('rect', { x: labelWidth, y: y + 4, width: barWidth.toFixed(1), height: rowHeight - 8, fill: '#3b6fd8' }),
      svg('text', { x: (labelWidth + barWidth + 6).toFixed(1), y: y + 17, fill: '#1f2328', 'font-size': 12 }, `${formatCount(step.people)}${share}`));
  });
  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Funnel of ${funnel.steps.length} steps`,
    'font-family': 'system-ui, sans-serif',
  }, rows);
}

// The drop-off before a step as a count and a share of the previous step.
// The engine's drop-off is the previous step's count minus this step's.
function dropTooltip(step, position) {
  const previous = step.people + step.dropped;
  const share = previous > 0 ? `, ${formatShare(step.dropped / previous)} of the ${formatCount(previous)} at step ${position}` : '';
  return `${formatCount(step.dropped)} dropped before step ${position + 1}${share}`;
}

function renderStepRow(step, position, firstPeople, onPeople) {
  const stepNumber = position + 1;
  const bar = h('div', { className: 'bar' });
  const width = firstPeople > 0 ? (step.people / firstPeople) * 100 : 0;
  bar.style.width = `${width.toFixed(2)}%`;
  return h('tr', { dataset: { testid: 'funnel-step-row' } },
    h('th', { scope: 'row', className: 'step-label' },
      h('span', { className: 'step-number' }, `${position + 1}.`),
      ' ',
      h('span', { dataset: { testid: 'funnel-step-label' } }, step.label),
      h('div', { className: 'bar-track', title: stepTooltip(step, position, firstPeople) }, bar)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-people' } },
      peopleButton(step.people, `Show the people who reached step ${stepNumber}`,
        onPeople && (() => onPeople(stepNumber, 'reached', `Reached step ${stepNumber}: ${step.label}`)),
        stepTooltip(step, position, firstPeople))),
    h('td', { className: 'number' }, position === 0 ? '–' : formatShare(step.of_previous)),
    h('td', { className: 'number' }, formatShare(step.of_first)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-dropped' } }, position === 0
      ? '–'
      : peopleButton(step.dropped, `Show the people who dropped before step ${stepNumber}`,
        onPeople && (() => onPeople(stepNumber, 'dropped', `Dropped before step ${stepNumber}: ${step.label}`)),
        dropTooltip(step, position))),
    h('td', { className: 'number' }, formatDuration(step.median_ms_from_previous)),
  );
}
