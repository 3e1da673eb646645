// The people behind a funnel bar: a table of the listed people with the start
// of each journey, an export of the whole group as CSV, and a close button.

import { downloadCsv } from './csv.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

// Events of each journey shown in the table; the export has every listed one.
const EVENTS_SHOWN = 8;

/**
 * Renders `list` (the engine's PeopleList) into `root`. `loadAll()` returns a
 * promise of the same list with every person, for the export; `onClose()`
 * empties the panel.
 */
export function renderPeoplePanel(root, list, { title, loadAll, onClose }) {
  root.hidden = false;
  // Only segment lists carry suggested next touchpoints.
  const suggests = list.people.some((person) => typeof person.suggested_next === 'string');
  const rows = list.people.map((person) => h('tr', { dataset: { testid: 'people-row' } },
    h('th', { scope: 'row' }, person.person),
    h('td', { className: 'number' }, formatCount(person.events)),
    h('td', {}, person.converted ? 'yes' : 'no'),
    h('td', { className: 'journey-cell' }, journeyText(person, EVENTS_SHOWN)),
    suggests && h('td', { dataset: { testid: 'people-suggested-next' } }, person.suggested_next ?? '–')));
  const partialNote = list.people.length < list.total
    ? `Showing the first ${formatCount(list.people.length)} of ${formatCount(list.total)}, in the order of their first event.`
    : null;
  const exportButton = h('button', {
    type: 'button',
    dataset: { testid: 'people-export' },
    on: { click: () => exportPeople(exportButton, loadAll) },
  }, `Export all ${formatCount(list.total)} as CSV`);

  replaceChildren(root,
    h('div', { className: 'people-header' },
      h('h3', { tabIndex: -1 }, title),
      h('button', { type: 'button', className: 'secondary', dataset: { testid: 'people-close' }, on: { click: onClose } }, 'Close')),
    h('p', { dataset: { testid: 'people-description' } }, list.description),
    partialNote && h('p', { className: 'hint' }, partialNote),
    list.total > 0 && exportButton,
    list.people.length > 0 && h('div', { className: 'table-scroll' },
      h('table', { dataset: { testid: 'people-table' } },
        h('caption', {}, 'People and the start of their journeys'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Person'),
          h('th', { scope: 'col', className: 'number' }, metricLink('events', 'Events')),
          h('th', { scope: 'col' }, metricLink('converters', 'Converted')),
          h('th', { scope: 'col' }, 'Journey'),
          suggests && h('th', { scope: 'col' }, metricLink('suggested-next-touchpoint', 'Suggested next')))),
        h('tbody', {}, rows))));
  root.querySelector('h3')?.focus();
}

function journeyText(person, limit) {
  const events = person.journey.slice(0, limit).map((event) => event.event);
  const hidden = person.events - events.length;
  return hidden > 0 ? `${events.join(' → ')} … (+${formatCount(hidden)})` : events.join(' → ');
}

async function exportPeople(button, loadAll) {
  button.disabled = true;
  try {
    const list = await loadAll();
    const header = ['person', 'events', 'converted', 'first_time', 'last_listed_time', 'journey'];
    const rows = list.people.map((person) => [
      person.person,
      person.events,
      person.converted ? 'yes' : 'no',
      person.journey[0]?.time ?? '',
      person.journey.at(-1)?.time ?? '',
      journeyText(person, person.journey.length),
    ]);
    downloadCsv('pathlight-people.csv', [header, ...rows]);
  } finally {
    button.disabled = false;
  }
}
