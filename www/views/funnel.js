// The funnel chart: one row per step with a bar for its people, the share of
// the previous and of the first step, the drop-off and the median time from
// the previous step, and the report's rule text beside it.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';

/** Renders the report's funnel into `root`, or a hint when there is none. */
export function renderFunnelView(root, funnel) {
  if (!funnel || funnel.steps.length === 0) {
    replaceChildren(root, h('p', { className: 'empty' }, 'Add at least one step above to see the funnel.'));
    return;
  }
  const firstPeople = funnel.steps[0].people;
  const header = h('tr', {},
    h('th', { scope: 'col' }, 'Step'),
    h('th', { scope: 'col', className: 'number' }, metricLink('people', 'People')),
    h('th', { scope: 'col', className: 'number' }, metricLink('of-previous', '% of previous')),
    h('th', { scope: 'col', className: 'number' }, metricLink('of-first', '% of first')),
    h('th', { scope: 'col', className: 'number' }, metricLink('drop-off', 'Drop-off')),
    h('th', { scope: 'col', className: 'number' }, metricLink('median-time-between-steps', 'Median time from previous')),
  );
  const rows = funnel.steps.map((step, position) => renderStepRow(step, position, firstPeople));
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
  );
}

function renderStepRow(step, position, firstPeople) {
  const bar = h('div', { className: 'bar' });
  const width = firstPeople > 0 ? (step.people / firstPeople) * 100 : 0;
  bar.style.width = `${width.toFixed(2)}%`;
  return h('tr', { dataset: { testid: 'funnel-step-row' } },
    h('th', { scope: 'row', className: 'step-label' },
      h('span', { className: 'step-number' }, `${position + 1}.`),
      ' ',
      h('span', { dataset: { testid: 'funnel-step-label' } }, step.label),
      h('div', { className: 'bar-track' }, bar)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-people' } }, formatCount(step.people)),
    h('td', { className: 'number' }, position === 0 ? '–' : formatShare(step.of_previous)),
    h('td', { className: 'number' }, formatShare(step.of_first)),
    h('td', { className: 'number', dataset: { testid: 'funnel-step-dropped' } }, position === 0 ? '–' : formatCount(step.dropped)),
    h('td', { className: 'number' }, formatDuration(step.median_ms_from_previous)),
  );
}
