// A channel path table's columns, shown on its card in the confirm-columns
// view in place of the role selects. Such a table has no person, time or
// event column: the engine expands each row into journeys, so the page sends
// `mapping.path_table` back as the inspection proposed it.

import { h } from './dom.js';

/**
 * Renders the path table's columns and a button that switches the file to
 * the usual role selects; `onMapNormally()` runs after that switch.
 */
export function renderPathTable(table, onMapNormally) {
  const journeys = table.non_conversions
    ? [h('code', {}, table.conversions), ' + ', h('code', {}, table.non_conversions)]
    : [h('code', {}, table.conversions)];
  const columns = [
    ['Path', 'path', table.path, `channels separated by "${table.separator}"`],
    ['Conversions', 'conversions', table.conversions, `each converting journey ends with a "${table.conversion_event}" event`],
    ['Value', 'value', table.value, 'the row\'s conversion value, split evenly among its conversions'],
    ['Non-conversions', 'non-conversions', table.non_conversions, 'journeys of this path that did not convert'],
  ];

  return h('div', { className: 'path-table', dataset: { testid: 'path-table' } },
    h('p', { dataset: { testid: 'path-table-summary' } },
      h('strong', {}, 'Channel path table'), ': each row is ', journeys, ' journeys.'),
    h('dl', { className: 'path-table-columns' },
      columns.map(([label, testid, column, note]) => h('div', {},
        h('dt', {}, label),
        h('dd', { dataset: { testid: `path-table-${testid}` } },
          column ? h('code', {}, column) : 'none',
          column ? h('span', { className: 'hint' }, ` – ${note}`) : null)))),
    h('p', { className: 'hint' },
      'A path table has no times, so time to convert and the funnel times will not be shown. ',
      h('button', {
        type: 'button',
        className: 'link-button',
        dataset: { testid: 'map-normally' },
        on: { click: onMapNormally },
      }, 'Map the columns as usual instead')),
  );
}
