// The stage editor: the stages in order, each a name and rules (an event,
// optionally filtered on a column exactly, by glob or by regular
// expression). Edits change a draft; "Apply stages" sends it to the engine,
// and "Use suggested stages" goes back to the engine's suggestion.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

const MATCHES = [
  ['exact', 'is'],
  ['glob', 'matches glob'],
  ['regex', 'matches regex'],
];

const NO_COLUMN = '';

/**
 * Returns the `stages` option for the engine: `[]` (the suggested stages)
 * while the user has applied none, else their stages with empty rules left out.
 */
export function stageOptions(applied) {
  if (!applied) {
    return [];
  }
  return applied.map((stage) => ({
    name: stage.name,
    rules: stage.rules.filter((rule) => rule.event).map(ruleOptions),
  }));
}

function ruleOptions(rule) {
  if (!rule.column) {
    return { event: rule.event };
  }
  return { event: rule.event, column: rule.column, value: rule.value ?? '', match: rule.match ?? 'exact' };
}

/** Returns an editable copy of the report's stages, without the suggestion keywords. */
export function draftFromReport(stages) {
  return (stages?.stages ?? []).map((stage) => ({
    name: stage.name,
    rules: stage.rules.map((rule) => ({ event: rule.event, column: rule.column, value: rule.value, match: rule.match })),
  }));
}

/**
 * Renders the editor into `root`. `editor` contains `draft` (the stages being
 * edited) and `applied` (null for the suggestion); `onApply()` re-runs the
 * analysis after `editor.applied` changed and returns a promise of the
 * engine's error message, or null when the analysis ran. The message is shown
 * beside the button, where the user is looking.
 */
export function renderStageEditor(root, summary, editor, onApply) {
  const redraw = () => renderStageEditor(root, summary, editor, onApply);
  const problem = h('p', { className: 'field-error', dataset: { testid: 'stage-error' }, attrs: { role: 'alert' } });
  const applyDraft = async () => {
    if (editor.draft.length === 0) {
      problem.textContent = 'Add at least one stage, or use the suggested stages.';
      return;
    }
    problem.textContent = '';
    editor.applied = structuredClone(editor.draft);
    const message = await onApply();
    if (message) {
      problem.textContent = `These stages cannot be applied: ${message}`;
    }
  };
  const stages = editor.draft.map((stage, position) => renderStage(stage, position, summary, editor, redraw));
  const addStage = h('button', {
    type: 'button',
    dataset: { testid: 'stage-add' },
    on: { click: () => { editor.draft.push({ name: `stage ${editor.draft.length + 1}`, rules: [newRule(summary)] }); redraw(); } },
  }, '+ Add stage');
  const apply = h('button', {
    type: 'button',
    className: 'button primary',
    dataset: { testid: 'stage-apply' },
    on: { click: applyDraft },
  }, 'Apply stages');
  const suggested = h('button', {
    type: 'button',
    dataset: { testid: 'stage-use-suggested' },
    disabled: editor.applied === null,
    on: { click: () => { editor.applied = null; editor.draft = null; onApply(); } },
  }, 'Use suggested stages');

  replaceChildren(root,
    h('p', { className: 'hint' },
      'An event takes the first stage, from the top, with a rule that matches it. ',
      metricLink('stages', 'How stages are assigned')),
    h('ol', { className: 'stage-list', dataset: { testid: 'stage-list' } }, stages),
    h('div', { className: 'stage-actions' }, addStage, apply, suggested),
    problem);
}

function renderStage(stage, position, summary, editor, redraw) {
  const nameInput = h('input', {
    type: 'text',
    value: stage.name,
    dataset: { testid: 'stage-name' },
    attrs: { 'aria-label': `Name of stage ${position + 1}` },
    on: { input: () => { stage.name = nameInput.value; } },
  });
  const rules = stage.rules.map((rule, index) => renderRule(rule, index, stage, position, summary, redraw));
  const button = (text, label, testid, action, disabled = false) => h('button', {
    type: 'button',
    className: 'icon-button',
    title: label,
    disabled,
    dataset: { testid },
    attrs: { 'aria-label': `${label} ${position + 1}` },
    on: { click: () => { action(); redraw(); } },
  }, text);

  return h('li', { className: 'stage-row', dataset: { testid: 'stage-row' } },
    h('div', { className: 'stage-head' },
      nameInput,
      button('↑', 'Move up stage', 'stage-up', () => {
        editor.draft.splice(position - 1, 0, ...editor.draft.splice(position, 1));
      }, position === 0),
      button('✕', 'Remove stage', 'stage-remove', () => { editor.draft.splice(position, 1); })),
    h('ul', { className: 'stage-rules' }, rules),
    h('button', {
      type: 'button',
      dataset: { testid: 'stage-add-rule' },
      on: { click: () => { stage.rules.push(newRule(summary)); redraw(); } },
    }, '+ Add event or page'));
}

function renderRule(rule, index, stage, stagePosition, summary, redraw) {
  const label = `rule ${index + 1} of stage ${stagePosition + 1}`;
  const eventSelect = h('select', {
    dataset: { testid: 'stage-rule-event' },
    attrs: { 'aria-label': `Event of ${label}` },
    on: { change: () => { rule.event = eventSelect.value; } },
  }, eventChoices(summary, rule.event));
  const columnSelect = h('select', {
    dataset: { testid: 'stage-rule-column' },
    attrs: { 'aria-label': `Column filter of ${label}` },
    on: {
      change: () => {
        rule.column = columnSelect.value === NO_COLUMN ? null : columnSelect.value;
        rule.value = rule.column ? (rule.value ?? '') : null;
        redraw();
      },
    },
  }, [h('option', { value: NO_COLUMN, selected: !rule.column }, 'any value'),
    ...summary.properties.map((property) => h('option', { value: property.column, selected: property.column === rule.column }, `where ${property.column}`))]);

  const filter = rule.column ? [
    selectMatch(rule, label),
    h('input', {
      type: 'text',
      value: rule.value ?? '',
      dataset: { testid: 'stage-rule-value' },
      attrs: { 'aria-label': `Value of ${label}` },
      on: { input: (event) => { rule.value = event.target.value; } },
    }),
  ] : [];

  return h('li', { className: 'stage-rule', dataset: { testid: 'stage-rule' } },
    eventSelect,
    columnSelect,
    filter,
    h('button', {
      type: 'button',
      className: 'icon-button',
      title: 'Remove rule',
      dataset: { testid: 'stage-rule-remove' },
      attrs: { 'aria-label': `Remove ${label}` },
      on: { click: () => { stage.rules.splice(index, 1); redraw(); } },
    }, '✕'));
}

function selectMatch(rule, label) {
  const element = h('select', {
    dataset: { testid: 'stage-rule-match' },
    attrs: { 'aria-label': `Comparison of ${label}` },
    on: { change: () => { rule.match = element.value; } },
  }, MATCHES.map(([value, text]) => h('option', { value, selected: value === (rule.match ?? 'exact') }, text)));
  return element;
}

// A rule may name an event that the loaded data lacks, from an earlier load.
// It stays selectable, so the engine's error names it instead of it vanishing.
function eventChoices(summary, current) {
  const options = summary.event_names.map((entry) => h('option', { value: entry.name, selected: entry.name === current },
    `${entry.name} (${formatCount(entry.count)})`));
  if (current && !summary.event_names.some((entry) => entry.name === current)) {
    options.unshift(h('option', { value: current, selected: true }, current));
  }
  return options;
}

function newRule(summary) {
  return { event: summary.event_names[0]?.name ?? '', column: null, value: null, match: 'exact' };
}
