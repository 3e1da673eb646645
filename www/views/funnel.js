// The funnel chart: one row per step with a bar for its people, the share of
// the previous and of the first step, the drop-off and the median time from
// the previous step, and the report's rule text beside it. Below it, the
// funnel completion time of the people who reached the last step, the people
// removed by exclusion steps, what dropped people did next and the breakdown
// table. Each step's people and drop-off counts open the people behind them.

import { h, metricLink, replaceChildren } from './dom.js';
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
// or when the count is 0.
function peopleButton(count, label, open) {
  if (!open || count === 0) {
    return formatCount(count);
  }
  return h('button', {
    type: 'button',
    className: 'link-button',
    attrs: { 'aria-label': label },
    on: { click: open },
  }, formatCount(count));
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
      h('div', { className: 'bar-track' }, bar)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-people' } },
      peopleButton(step.people, `Show the people who reached step ${stepNumber}`,
        onPeople && (() => onPeople(stepNumber, 'reached', `Reached step ${stepNumber}: ${step.label}`)))),
    h('td', { className: 'number' }, position === 0 ? '–' : formatShare(step.of_previous)),
    h('td', { className: 'number' }, formatShare(step.of_first)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-dropped' } }, position === 0
      ? '–'
      : peopleButton(step.dropped, `Show the people who dropped before step ${stepNumber}`,
        onPeople && (() => onPeople(stepNumber, 'dropped', `Dropped before step ${stepNumber}: ${step.label}`)))),
    h('td', { className: 'number' }, formatDuration(step.median_ms_from_previous)),
  );
}
