// The funnel editor's rule controls: the kind, the counting, the breakdown,
// the column held constant and the exclusion steps. options.js edits the steps, and this module edits
// the rest of the funnel options in place and converts them to engine form.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

const NO_BREAKDOWN = '';

// The funnel options right after a load, which are the engine's defaults.
export const FUNNEL_RULE_DEFAULTS = {
  kind: 'ordered',
  counting: 'people',
  breakdown: null,
  holdConstant: null,
  exclusions: [],
};

const KINDS = [
  ['ordered', 'Ordered: other events may come between steps'],
  ['strict', 'Strict: each step is the very next event'],
  ['any_order', 'Any order'],
];

const COUNTINGS = [
  ['people', 'People: once per person'],
  ['totals', 'Totals: every attempt'],
];

/** Returns a fresh copy of the rule defaults, so that edits never reach the constant. */
export function defaultFunnelRules() {
  return structuredClone(FUNNEL_RULE_DEFAULTS);
}

/**
 * Returns the exclusions in engine form for a funnel of `stepCount` steps.
 * Step numbers beyond the funnel are clamped to its last step, and a funnel
 * of fewer than two steps gets none, because an exclusion lies between two steps.
 */
export function exclusionOptions(exclusions, stepCount) {
  if (stepCount < 2) {
    return [];
  }
  return exclusions
    .filter((exclusion) => exclusion.event)
    .map((exclusion) => {
      const to = Math.min(Math.max(exclusion.between[1], 2), stepCount);
      const from = Math.min(Math.max(exclusion.between[0], 1), to - 1);
      return { event: exclusion.event, between: [from, to] };
    });
}

/**
 * Renders the kind, counting, breakdown and hold-constant selects. `onChange()` runs after
 * each edit of `options`.
 */
export function renderRuleControls(summary, options, onChange) {
  const select = (label, anchor, testid, choices, current, apply) => {
    const element = h('select', {
      dataset: { testid },
      on: { change: () => { apply(element.value); onChange(); } },
    }, choices.map(([value, text]) => h('option', { value, selected: value === current }, text)));
    return h('label', { className: 'field inline' }, h('span', {}, metricLink(anchor, label)), element);
  };

  const breakdownChoices = [
    [NO_BREAKDOWN, 'none'],
    ['first_touch_channel', 'first-touch channel'],
    ['channel', 'channel at step 1'],
    ...summary.properties.map((property) => [property.column, `property: ${property.column}`]),
  ];

  const holdChoices = [
    [NO_BREAKDOWN, 'nothing'],
    ...summary.properties.map((property) => [property.column, property.column]),
  ];

  return h('div', { className: 'funnel-rules' },
    select('Kind', 'funnel-kinds', 'funnel-kind', KINDS, options.kind, (value) => { options.kind = value; }),
    select('Counting', 'funnel-counting', 'funnel-counting', COUNTINGS, options.counting, (value) => { options.counting = value; }),
    select('Breakdown', 'funnel-breakdown', 'funnel-breakdown', breakdownChoices, options.breakdown ?? NO_BREAKDOWN,
      (value) => { options.breakdown = value === NO_BREAKDOWN ? null : value; }),
    select('Hold constant', 'hold-constant', 'funnel-hold-constant', holdChoices, options.holdConstant ?? NO_BREAKDOWN,
      (value) => { options.holdConstant = value === NO_BREAKDOWN ? null : value; }),
  );
}

/**
 * Renders the list of exclusion steps and its add button into `root`.
 * `onChange()` runs after each edit of `options.exclusions`.
 */
export function renderExclusions(root, summary, options, onChange) {
  const stepCount = options.funnelSteps.length;
  const redraw = () => {
    renderExclusions(root, summary, options, onChange);
    onChange();
  };
  const rows = options.exclusions.map((exclusion, position) => renderExclusion(exclusion, position, summary, options, redraw, onChange));
  const addButton = h('button', {
    type: 'button',
    disabled: stepCount < 2,
    title: stepCount < 2 ? 'An exclusion lies between two steps, so add a second step first.' : null,
    dataset: { testid: 'funnel-add-exclusion' },
    on: {
      click: () => {
        options.exclusions.push({ event: firstEventOutsideSteps(summary, options), between: [1, stepCount] });
        redraw();
      },
    },
  }, '+ Add exclusion');

  replaceChildren(root,
    h('p', { className: 'hint' },
      metricLink('exclusion-steps', 'Exclusion steps'),
      ': people with this event between the two steps are removed from every step.'),
    h('ul', { className: 'funnel-exclusions', dataset: { testid: 'funnel-exclusions' } }, rows),
    addButton);
}

function renderExclusion(exclusion, position, summary, options, redraw, onChange) {
  const stepCount = options.funnelSteps.length;
  const eventSelect = h('select', {
    dataset: { testid: 'exclusion-event' },
    attrs: { 'aria-label': `Event of exclusion ${position + 1}` },
    on: { change: () => { exclusion.event = eventSelect.value; onChange(); } },
  }, summary.event_names.map((entry) => h('option', { value: entry.name, selected: entry.name === exclusion.event },
    `${entry.name} (${formatCount(entry.count)})`)));

  const stepSelect = (end, testid, label) => {
    const current = Math.min(exclusion.between[end], stepCount);
    const element = h('select', {
      dataset: { testid },
      attrs: { 'aria-label': `${label} of exclusion ${position + 1}` },
      on: { change: () => { exclusion.between[end] = Number(element.value); onChange(); } },
    }, options.funnelSteps.map((step, index) => h('option', { value: String(index + 1), selected: index + 1 === current }, `step ${index + 1}`)));
    return element;
  };

  return h('li', { className: 'funnel-exclusion', dataset: { testid: 'funnel-exclusion' } },
    h('span', { className: 'where' }, 'exclude'),
    eventSelect,
    h('span', { className: 'where' }, 'between'),
    stepSelect(0, 'exclusion-from', 'First step'),
    h('span', { className: 'where' }, 'and'),
    stepSelect(1, 'exclusion-to', 'Last step'),
    h('button', {
      type: 'button',
      className: 'icon-button',
      title: 'Remove exclusion',
      dataset: { testid: 'exclusion-remove' },
      attrs: { 'aria-label': `Remove exclusion ${position + 1}` },
      on: { click: () => { options.exclusions.splice(position, 1); redraw(); } },
    }, '✕'));
}

// An exclusion that matches a step's own events is invalid, so a new one
// starts on the most frequent event that no step uses.
function firstEventOutsideSteps(summary, options) {
  const used = new Set(options.funnelSteps.map((step) => step.event));
  const names = summary.event_names.map((entry) => entry.name);
  return names.find((name) => !used.has(name)) ?? names[0] ?? '';
}
