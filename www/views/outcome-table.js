// The step columns of an outcome table, shown on its card in the
// confirm-columns view below the person, channel and value selects. Such a
// table has one row per person and yes/no outcome columns but no times: the
// engine gives each row an entry event, then one event per step column that
// is true, in the order listed here. The view edits
// `mapping.outcome_table.steps` in place.

import { h, replaceChildren } from './dom.js';

/**
 * Renders the summary of the table and the ordered list of its flag
 * columns: ticked ones are steps, in order, and "Move up" changes the order.
 * `onChange()` runs after each edit.
 */
export function renderOutcomeTable(file, onChange) {
  const table = file.mapping.outcome_table;
  const flags = file.inspection.columns.filter((column) => column.flag).map((column) => column.name);
  const list = h('ul', { className: 'outcome-steps', dataset: { testid: 'outcome-steps' } });
  const chosen = h('span', { dataset: { testid: 'outcome-steps-chosen' } });
  const edit = (steps) => {
    table.steps = steps;
    redraw();
    onChange();
  };
  const redraw = () => {
    chosen.textContent = stepsText(table);
    replaceChildren(list, orderedColumns(table.steps, flags).map((column) => renderStepRow(column, table.steps, edit)));
  };
  redraw();

  const entryInput = h('input', {
    type: 'text',
    value: table.entry_event,
    placeholder: 'included',
    dataset: { testid: 'outcome-entry-event' },
    on: {
      input: () => {
        table.entry_event = entryInput.value.trim();
        chosen.textContent = stepsText(table);
        onChange();
      },
    },
  });

  return h('fieldset', { className: 'outcome-table', dataset: { testid: 'outcome-table' } },
    h('legend', {}, 'Outcome table'),
    h('p', { dataset: { testid: 'outcome-table-summary' } },
      'Each row is one person. The funnel events are: ', chosen, '.'),
    h('p', { className: 'hint' },
      'Tick the yes/no columns that are steps a person reaches, in funnel order. The other columns become properties, so a column such as a test group can split the funnel. A table without times gets synthetic ones, so time to convert and the funnel times will not be shown.'),
    flags.length === 0
      ? h('p', { className: 'hint' }, 'This file has no yes/no column to use as a step.')
      : list,
    h('label', { className: 'field inline' }, h('span', {}, 'Event for being in the table'), entryInput),
  );
}

/** Returns the steps in order, then the other flag columns in header order. */
function orderedColumns(steps, flags) {
  return [...steps.filter((step) => flags.includes(step)), ...flags.filter((column) => !steps.includes(column))];
}

function renderStepRow(column, steps, edit) {
  const position = steps.indexOf(column);
  const checkbox = h('input', {
    type: 'checkbox',
    checked: position >= 0,
    dataset: { testid: 'outcome-step', column },
    on: {
      change: () => {
        const others = steps.filter((step) => step !== column);
        edit(checkbox.checked ? [...others, column] : others);
      },
    },
  });
  const moveUp = position > 0
    ? h('button', {
      type: 'button',
      className: 'link-button',
      dataset: { testid: 'outcome-step-up', column },
      attrs: { 'aria-label': `Move ${column} one step earlier` },
      on: {
        click: () => {
          const reordered = [...steps];
          reordered.splice(position - 1, 2, column, steps[position - 1]);
          edit(reordered);
        },
      },
    }, 'Move up')
    : null;
  return h('li', {}, h('label', { className: 'toggle' }, checkbox, ` ${column}`), moveUp ? ' ' : null, moveUp);
}

function stepsText(table) {
  const entry = table.entry_event || 'included';
  return [entry, ...table.steps].join(' → ');
}
