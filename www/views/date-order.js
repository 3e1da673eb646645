// The date-order question of the confirm-columns step. When a mapped time
// column only contains dates such as 03/04/2024, no value shows whether the day
// or the month comes first, so the user must answer before Analyse. The
// answer is LoadConfig.date_order and applies to every file.

import { h, replaceChildren } from './dom.js';
import { mappedTimeColumns } from './mapping.js';

const ORDERS = [
  { value: 'day_first', label: 'Day first', order: ['day', 'month'] },
  { value: 'month_first', label: 'Month first', order: ['month', 'day'] },
];

// Two numbers of one or two digits and a year, with the same separator twice.
const NUMERIC_DATE = /^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})\b/;

const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' });

/**
 * Returns { file, column, example } for the first mapped time column whose
 * date order is ambiguous, or null when every mapped column is clear.
 */
export function ambiguousDateColumn(files) {
  for (const file of files) {
    const mapped = new Set(mappedTimeColumns(file));
    const column = file.inspection.columns.find((candidate) => candidate.ambiguous_date_order && mapped.has(candidate.name));
    if (column) {
      return { file: file.inspection.name, column: column.name, example: column.examples[0] ?? '03/04/2024' };
    }
  }
  return null;
}

/**
 * Renders the question into `root`, or hides `root` when no mapped column
 * needs it. `state.dateOrder` is the answer ("day_first", "month_first"
 * or null), and `onChange()` runs after the user picks one.
 */
export function renderDateOrder(root, files, state, onChange) {
  const ambiguous = ambiguousDateColumn(files);
  root.hidden = ambiguous === null;
  if (ambiguous === null) {
    root.replaceChildren();
    return;
  }
  const example = ambiguous.example;
  const radios = ORDERS.map(({ value, label, order }) => {
    const radio = h('input', {
      type: 'radio',
      name: 'date-order',
      value,
      checked: state.dateOrder === value,
      dataset: { testid: `date-order-${value.replace('_', '-')}` },
      on: {
        change: () => {
          state.dateOrder = value;
          onChange();
        },
      },
    });
    const reading = readDate(example, order);
    return h('label', { className: 'toggle' }, radio, ` ${label}`, reading ? h('span', { className: 'hint' }, ` (${example} is ${reading})`) : null);
  });
  replaceChildren(root,
    h('fieldset', { className: 'date-order' },
      h('legend', {}, `Are dates like ${example} day first or month first?`),
      h('p', { className: 'hint' }, `No value in ${ambiguous.file} (column ${ambiguous.column}) settles it, and the answer applies to every file.`),
      h('div', { className: 'date-order-choices' }, radios)));
}

// Reads "03/04/2024" as "3 April 2024" for order ['day', 'month'], or
// returns null when the example is not such a date.
function readDate(example, order) {
  const match = NUMERIC_DATE.exec(example);
  if (!match) {
    return null;
  }
  const parts = { [order[0]]: Number(match[1]), [order[1]]: Number(match[3]) };
  if (parts.month < 1 || parts.month > 12 || parts.day < 1) {
    return null;
  }
  const month = monthName.format(new Date(Date.UTC(2000, parts.month - 1, 1)));
  return `${parts.day} ${month} ${match[4]}`;
}
