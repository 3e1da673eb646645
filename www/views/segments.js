// Segments: groups of people picked by a behavioural trigger, each with its
// size and conversion rate, a button that lists its people in the people panel
// and an export of its members as CSV for an e-mail or CRM tool.

import { downloadCsv } from './csv.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatShare } from './format.js';

// The docs/metrics.md anchor that defines each segment's trigger.
const ANCHORS = {
  repeat_visit: 'repeat-visits-without-converting',
  did_event: 'did-an-event',
  high_engagement: 'high-and-low-engagement',
  low_engagement: 'high-and-low-engagement',
  fast_movers: 'fast-and-slow-movers-stalled',
  slow_movers: 'fast-and-slow-movers-stalled',
  stalled: 'fast-and-slow-movers-stalled',
  ready_to_buy: 'ready-to-buy-and-at-risk',
  at_risk: 'ready-to-buy-and-at-risk',
};

// The export's header row; one row per member follows.
const CSV_HEADER = ['person_id', 'segment', 'events', 'converted', 'last_event_time', 'suggested_next_touchpoint'];

/**
 * Renders the report's `segments` into `root`, or hides it when there are
 * none. `onPeople(id, title)` lists a segment's people in the people panel,
 * and `loadMembers(id)` returns a promise of the PeopleList of every member.
 */
export function renderSegmentsView(root, segments, { onPeople, loadMembers }) {
  const rows = segments?.segments ?? [];
  root.hidden = rows.length === 0;
  if (rows.length === 0) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('segments', 'Segments')),
    h('p', { className: 'hint' },
      'People picked by what they did, ready to export with a suggested next touchpoint. ',
      'The export is built in this page, and every cell that a spreadsheet would read as a formula is neutralised.'),
    h('div', { className: 'table-scroll' },
      h('table', { dataset: { testid: 'segments-table' } },
        h('caption', {}, 'Segments, their size and their conversion rate'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Segment'),
          h('th', { scope: 'col' }, 'Definition'),
          h('th', { scope: 'col', className: 'number' }, 'People'),
          h('th', { scope: 'col', className: 'number' }, metricLink('conversion-rate', 'Conversion rate')),
          h('th', { scope: 'col' }, 'People and export'))),
        h('tbody', {}, rows.map((segment) => renderRow(segment, onPeople, loadMembers))))));
}

function renderRow(segment, onPeople, loadMembers) {
  const name = ANCHORS[segment.id] ? metricLink(ANCHORS[segment.id], segment.name) : segment.name;
  const definition = segment.available ? segment.definition : `${segment.definition} Unavailable: ${segment.reason}`;
  return h('tr', { dataset: { testid: 'segment-row', segment: segment.id } },
    h('th', { scope: 'row' }, name),
    h('td', { dataset: { testid: 'segment-definition' } }, definition),
    h('td', { className: 'number', dataset: { testid: 'segment-people' } }, segment.available ? formatCount(segment.people) : '–'),
    h('td', { className: 'number' }, segment.conversion_rate === null ? '–' : formatShare(segment.conversion_rate)),
    h('td', {}, segment.available && segment.people > 0 ? renderActions(segment, onPeople, loadMembers) : null));
}

function renderActions(segment, onPeople, loadMembers) {
  const exportButton = h('button', {
    type: 'button',
    className: 'secondary',
    dataset: { testid: 'segment-export' },
    on: { click: () => exportSegment(exportButton, segment, loadMembers) },
  }, 'Export CSV');
  return h('div', { className: 'segment-actions' },
    h('button', {
      type: 'button',
      className: 'secondary',
      dataset: { testid: 'segment-people-button' },
      on: { click: () => onPeople(segment.id, `Segment: ${segment.name}`) },
    }, `Show the ${formatCount(segment.people)} people`),
    exportButton);
}

async function exportSegment(button, segment, loadMembers) {
  button.disabled = true;
  try {
    const list = await loadMembers(segment.id);
    const rows = list.people.map((person) => [
      person.person,
      segment.id,
      person.events,
      person.converted ? 'yes' : 'no',
      person.last_event ?? '',
      person.suggested_next ?? '',
    ]);
    downloadCsv(`pathlight-segment-${segment.id}.csv`, [CSV_HEADER, ...rows]);
  } finally {
    button.disabled = false;
  }
}
