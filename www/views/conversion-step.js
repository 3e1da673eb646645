// Step 3 of the guided first run: the conversion event, chosen from the
// loaded event names with the engine's suggestion as the default. The same
// choice stays editable in place in the options panel of the results.

import { h, metricLink, replaceChildren } from './dom.js';
import { eventOptions } from './options.js';

const NO_CONVERSION = '';

/**
 * Renders the conversion choice into `root`. `onChange(conversion)` gets the
 * chosen event name, or null for none, and `onDone()` runs when the user goes
 * on to the overview. Returns { sync(conversion) } to show a choice made in
 * the options panel.
 */
export function renderConversionStep(root, summary, conversion, { onChange, onDone }) {
  const current = conversion ?? NO_CONVERSION;
  const select = h('select', {
    id: 'conversion-choice-select',
    dataset: { testid: 'conversion-choice' },
    on: { change: () => onChange(select.value === NO_CONVERSION ? null : select.value) },
  },
  h('option', { value: NO_CONVERSION, selected: current === NO_CONVERSION }, '– no conversion event –'),
  eventOptions(summary, current));

  const suggestion = summary.suggested_conversion;
  const explanation = suggestion
    ? `Pathlight suggests ${suggestion} because its name reads like a purchase, order, sign-up, booking, lead or won deal. Pick another event if your goal is different.`
    : 'No event name reads like a purchase, order, sign-up, booking, lead or won deal, so no conversion is chosen. Pick the event that counts as success, or keep none to see paths and stages only.';
  replaceChildren(root,
    h('p', { className: 'hint', dataset: { testid: 'conversion-explanation' } }, explanation, ' ', metricLink('conversion-rate', 'How conversion is counted')),
    h('div', { className: 'actions' },
      h('label', { className: 'field inline', attrs: { for: 'conversion-choice-select' } }, h('span', {}, 'Conversion event')),
      select,
      h('button', { type: 'button', className: 'button primary', dataset: { testid: 'conversion-done' }, on: { click: onDone } }, 'See the overview'),
    ),
  );
  return {
    sync(value) {
      select.value = value ?? NO_CONVERSION;
    },
  };
}
