// The analysis options: the conversion event and the funnel editor (ordered
// steps, each an event name with an optional column = value filter, and a
// conversion window). Editing them re-runs only the analysis, never the load.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount } from './format.js';
import { defaultFunnelRules, renderExclusions, renderRuleControls } from './funnel-rules.js';

const NO_CONVERSION = '';
const NO_FILTER = '';

// A window is a number and a unit: seconds, minutes, hours, days or weeks.
const WINDOW_PATTERN = /^\d+(\.\d+)?\s*[smhdw]$/;

/** Options as they stand right after a load, taken from the engine's suggestions. */
export function defaultOptions(summary) {
  return {
    conversion: summary.suggested_conversion ?? null,
    funnelSteps: (summary.suggested_funnel ?? []).map(newStep),
    window: '',
    ...defaultFunnelRules(),
    collapseRepeats: true,
  };
}

// A step: an event name, an optional column filter compared by `match`
// ("exact", "glob" or "regex"), and a window from the previous step as typed.
function newStep(event) {
  return { event, column: null, value: null, match: 'exact', window: '' };
}

/**
 * Returns the funnel window as the engine expects it ("30d", or null for no
 * window), or throws an Error whose message gives the expected format.
 */
export function parseWindow(text) {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'none') {
    return null;
  }
  if (!WINDOW_PATTERN.test(trimmed)) {
    throw new Error(`Invalid funnel window "${text}": write a number and a unit (s, m, h, d or w) such as 30d, or leave it empty for no window.`);
  }
  return trimmed.replace(/\s+/g, '');
}

/**
 * Renders the options panel into `root`. The view edits `options` in place
 * and calls `onChange()` after each edit.
 */
export function renderOptionsView(root, summary, options, onChange) {
  const stepsList = h('ol', { className: 'funnel-steps', dataset: { testid: 'funnel-steps' } });
  const exclusionsBox = h('div', { className: 'funnel-exclusions-box' });
  // The exclusions name steps by number, so they are redrawn with the steps.
  const redrawSteps = () => {
    replaceChildren(stepsList, options.funnelSteps.map((step, position) =>
      renderStep(step, position, summary, options, () => { redrawSteps(); onChange(); }, onChange)));
    renderExclusions(exclusionsBox, summary, options, onChange);
  };
  redrawSteps();

  const windowError = h('p', { className: 'field-error', dataset: { testid: 'window-error' }, attrs: { role: 'alert' } });
  const windowInput = h('input', {
    type: 'text',
    value: options.window,
    placeholder: 'none, or e.g. 30d',
    size: 12,
    dataset: { testid: 'funnel-window' },
    on: {
      input: () => {
        options.window = windowInput.value;
        try {
          parseWindow(windowInput.value);
          windowError.textContent = '';
        } catch (error) {
          windowError.textContent = error.message;
          return;
        }
        onChange();
      },
    },
  });

  const addButton = h('button', {
    type: 'button',
    dataset: { testid: 'funnel-add-step' },
    on: {
      click: () => {
        const last = options.funnelSteps.at(-1);
        options.funnelSteps.push(newStep(nextEventAfter(summary, last?.event)));
        redrawSteps();
        onChange();
      },
    },
  }, '+ Add step');

  replaceChildren(root,
    renderConversionSelect(summary, options, onChange),
    h('fieldset', { className: 'funnel-editor' },
      h('legend', {}, metricLink('funnel', 'Funnel steps')),
      stepsList,
      h('div', { className: 'funnel-editor-actions' },
        addButton,
        h('label', { className: 'field inline' },
          h('span', { title: 'Time limit for going through the funnel, as a number and a unit (s, m, h, d or w). Empty means no limit. The rule beside the chart says how it is applied.' }, 'Window'),
          windowInput),
      ),
      windowError,
      renderRuleControls(summary, options, onChange),
      exclusionsBox,
    ),
  );
}

function renderConversionSelect(summary, options, onChange) {
  const current = options.conversion ?? NO_CONVERSION;
  const select = h('select', {
    dataset: { testid: 'conversion-event' },
    on: {
      change: () => {
        options.conversion = select.value === NO_CONVERSION ? null : select.value;
        onChange();
      },
    },
  },
  h('option', { value: NO_CONVERSION, selected: current === NO_CONVERSION }, '– no conversion event –'),
  eventOptions(summary, current));
  return h('label', { className: 'field inline conversion' },
    h('span', {}, 'Conversion event'),
    select);
}

function renderStep(step, position, summary, options, onStructureChange, onChange) {
  const steps = options.funnelSteps;
  const eventSelect = h('select', {
    dataset: { testid: 'funnel-step-event' },
    attrs: { 'aria-label': `Event of step ${position + 1}` },
    on: {
      change: () => {
        step.event = eventSelect.value;
        onChange();
      },
    },
  }, eventOptions(summary, step.event));

  const valueList = h('datalist', { id: `funnel-step-values-${position}` });
  const valueInput = h('input', {
    type: 'text',
    value: step.value ?? '',
    placeholder: 'value',
    size: 10,
    disabled: !step.column,
    dataset: { testid: 'funnel-step-value' },
    attrs: { 'aria-label': `Filter value of step ${position + 1}`, list: valueList.id },
    on: {
      change: () => {
        step.value = valueInput.value === '' ? null : valueInput.value;
        if (step.column) {
          onChange();
        }
      },
    },
  });
  const fillValues = () => {
    const property = summary.properties.find((candidate) => candidate.column === step.column);
    replaceChildren(valueList, (property?.values ?? []).map((entry) => h('option', { value: entry.value })));
  };
  fillValues();

  const columnSelect = h('select', {
    dataset: { testid: 'funnel-step-column' },
    attrs: { 'aria-label': `Filter column of step ${position + 1}` },
    on: {
      change: () => {
        step.column = columnSelect.value === NO_FILTER ? null : columnSelect.value;
        valueInput.disabled = !step.column;
        fillValues();
        if (!step.column || step.value) {
          onChange();
        }
      },
    },
  },
  h('option', { value: NO_FILTER, selected: !step.column }, 'any'),
  summary.properties.map((property) => h('option', { value: property.column, selected: property.column === step.column }, property.column)));

  const matchSelect = h('select', {
    dataset: { testid: 'funnel-step-match' },
    attrs: { 'aria-label': `How the filter value of step ${position + 1} matches` },
    title: 'exact: equal text; glob: * is any text and ? one character; regex: a regular expression. Both must match the whole value.',
    on: {
      change: () => {
        step.match = matchSelect.value;
        if (step.column && step.value) {
          onChange();
        }
      },
    },
  }, ['exact', 'glob', 'regex'].map((match) => h('option', { value: match, selected: match === step.match }, match)));

  const stepWindow = position === 0 ? null : renderStepWindow(step, position, onChange);

  const move = (offset) => {
    const target = position + offset;
    [steps[position], steps[target]] = [steps[target], steps[position]];
    onStructureChange();
  };
  const button = (label, title, testid, disabled, action) => h('button', {
    type: 'button',
    className: 'icon-button',
    title,
    disabled,
    dataset: { testid },
    attrs: { 'aria-label': `${title} (step ${position + 1})` },
    on: { click: action },
  }, label);

  return h('li', { className: 'funnel-step', dataset: { testid: 'funnel-step' } },
    h('span', { className: 'step-number' }, `${position + 1}.`),
    eventSelect,
    h('span', { className: 'where' }, 'where'),
    columnSelect,
    h('span', { className: 'where' }, '='),
    matchSelect,
    valueInput,
    valueList,
    stepWindow,
    h('span', { className: 'step-buttons' },
      button('↑', 'Move up', 'funnel-step-up', position === 0, () => move(-1)),
      button('↓', 'Move down', 'funnel-step-down', position === steps.length - 1, () => move(1)),
      button('✕', 'Remove step', 'funnel-step-remove', false, () => {
        steps.splice(position, 1);
        onStructureChange();
      }),
    ),
  );
}

// The window from the previous step; step 1 has none.
function renderStepWindow(step, position, onChange) {
  const error = h('span', { className: 'field-error', dataset: { testid: 'step-window-error' }, attrs: { role: 'alert' } });
  const input = h('input', {
    type: 'text',
    value: step.window,
    placeholder: 'any time',
    size: 7,
    dataset: { testid: 'funnel-step-window' },
    attrs: { 'aria-label': `Window of step ${position + 1} from the previous step` },
    on: {
      change: () => {
        step.window = input.value;
        try {
          parseWindow(input.value);
          error.textContent = '';
        } catch (problem) {
          error.textContent = problem.message;
          return;
        }
        onChange();
      },
    },
  });
  return h('span', { className: 'step-window' },
    h('span', { className: 'where' }, metricLink('per-step-windows', 'within')), input, error);
}

/** Builds the <option> list of the event names in `summary`, with `current` selected. */
export function eventOptions(summary, current) {
  const options = summary.event_names.map((entry) => h('option', {
    value: entry.name,
    selected: entry.name === current,
  }, `${entry.name} (${formatCount(entry.count)})`));
  if (current && !summary.event_names.some((entry) => entry.name === current)) {
    options.unshift(h('option', { value: current, selected: true }, `${current} (not in the data)`));
  }
  return options;
}

// A new step defaults to the event that follows the previous step's event in
// the list of event names, so adding steps walks down the list.
function nextEventAfter(summary, event) {
  const names = summary.event_names.map((entry) => entry.name);
  const position = names.indexOf(event);
  return names[Math.min(position + 1, names.length - 1)] ?? '';
}
