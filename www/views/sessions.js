// Sessions: journeys split at gaps of inactivity, with the sessions per
// person, their length and the entry and exit events. Reports from engines
// without sessions have no `sessions` field, and then the view shows nothing.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatDuration, formatShare } from './format.js';

/** Renders the report's sessions into `root`, or nothing when they are missing or null. */
export function renderSessionsView(root, sessions) {
  root.hidden = !sessions;
  if (!sessions) {
    replaceChildren(root);
    return;
  }
  const figures = [
    ['Sessions', formatCount(sessions.sessions), 'sessions-count'],
    ['Sessions per person (median)', formatAmount(sessions.sessions_per_person?.median), 'sessions-per-person'],
    ['Session length (median)', formatDuration(sessions.length_ms?.median), 'sessions-length'],
    ['Events per session (median)', formatAmount(sessions.events_per_session?.median), 'sessions-events'],
    ['Converters\' sessions with the conversion', formatShare(sessions.converting_share), 'sessions-converting'],
  ].map(([label, text, testid]) => h('div', { className: 'figure' },
    h('dt', {}, metricLink('sessions', label)),
    h('dd', { dataset: { testid } }, text)));

  replaceChildren(root,
    h('h3', {}, metricLink('sessions', 'Sessions')),
    h('p', { className: 'hint' },
      `A new session starts after ${formatDuration(sessions.gap_ms)} without an event. `,
      `${formatCount(sessions.people)} people have at least one session.`),
    h('dl', { className: 'figures small' }, figures),
    h('div', { className: 'process-columns' },
      renderEvents('Entry events', sessions.entry_events ?? [], 'sessions-entry'),
      renderEvents('Exit events', sessions.exit_events ?? [], 'sessions-exit')));
}

function renderEvents(title, events, testid) {
  const rows = events.map((entry) => h('tr', {},
    h('td', {}, entry.event),
    h('td', { className: 'number' }, formatCount(entry.sessions)),
    h('td', { className: 'number' }, formatShare(entry.share))));
  return h('table', { className: 'process-activities', dataset: { testid } },
    h('caption', {}, title),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Event'),
      h('th', { scope: 'col', className: 'number' }, 'Sessions'),
      h('th', { scope: 'col', className: 'number' }, 'Share'))),
    h('tbody', {}, rows));
}
