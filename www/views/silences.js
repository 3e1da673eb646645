// Silences: the gaps of inactivity between a person's events, the comeback
// curve (of the silences that reached a length, the share that ended in a
// return) and the length after which people rarely come back. Reports without
// silences (synthetic times, or engines without them) show nothing.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';
import { renderBinTable } from './timing.js';

// The silences options right after a load, which are the engine's defaults.
export const SILENCES_DEFAULTS = { returnRule: 0.1 };

// The return shares the page offers for the "rarely come back after" rule.
const RETURN_RULES = [0.05, 0.1, 0.2, 0.3];

/** Returns the silences options in engine form. */
export function silencesOptions(settings) {
  return { return_rule: settings.returnRule };
}

/**
 * Renders the report's silences into `root`, or nothing when they are missing
 * or null. The view edits `settings` (see SILENCES_DEFAULTS) and calls `onChange()`.
 */
export function renderSilencesView(root, silences, settings, onChange) {
  root.hidden = !silences;
  if (!silences) {
    replaceChildren(root);
    return;
  }
  const rule = formatShare(silences.return_rule);
  const rarely = silences.rarely_back_after_label
    ? `${silences.rarely_back_after_label} of silence. From that length on, at most ${rule} of silences end in a return.`
    : `not found. Either the longest silences with at least ${formatCount(silences.min_silences)} cases still end in a return more than ${rule} of the time, or no length has that many.`;
  const figures = [
    ['Gaps between events', formatCount(silences.gaps), 'silences-gaps'],
    ['Median gap', formatDuration(silences.median_gap_ms), 'silences-median'],
    ['90th percentile gap', formatDuration(silences.p90_gap_ms), 'silences-p90'],
    ['Rarely come back after', silences.rarely_back_after_label ?? '–', 'silences-rarely-back'],
  ].map(([label, text, testid]) => h('div', { className: 'figure' },
    h('dt', {}, metricLink(testid === 'silences-rarely-back' ? 'rarely-come-back-after' : 'silences', label)),
    h('dd', { dataset: { testid } }, text)));

  const ruleSelect = h('select', {
    dataset: { testid: 'silences-return-rule' },
    on: { change: () => { settings.returnRule = Number(ruleSelect.value); onChange(); } },
  }, RETURN_RULES.map((share) => h('option', { value: String(share), selected: share === silences.return_rule }, formatShare(share))));

  replaceChildren(root,
    h('h3', {}, metricLink('silences', 'Silences')),
    h('div', { className: 'section-tools' },
      h('label', { className: 'field inline' }, h('span', {}, 'Rarely come back: at most this share of silences end in a return'), ruleSelect)),
    h('p', { className: 'hint' },
      `Gaps of inactivity between consecutive events of ${formatCount(silences.people)} people. `,
      'A silence still running at the end of the data counts as "not returned" once it is at least the length in the row, and as censored (left out) while it is shorter.'),
    h('dl', { className: 'figures small' }, figures),
    h('p', { dataset: { testid: 'silences-rule' } }, metricLink('rarely-come-back-after', 'Rarely come back after'), `: ${rarely}`),
    h('div', { className: 'table-scroll' }, renderComeback(silences)),
    renderBinTable(silences.histogram, {
      caption: 'Gaps between events by length',
      countHeader: 'Gaps',
      count: (bin) => bin.gaps,
      testid: 'silences-histogram',
    }));
}

function renderComeback(silences) {
  const rows = silences.comeback.map((row) => {
    const bar = h('div', { className: 'bar' });
    bar.style.width = `${(row.return_share * 100).toFixed(2)}%`;
    const marked = row.threshold_ms === silences.rarely_back_after_ms;
    return h('tr', { className: marked ? 'marked' : null, dataset: { testid: 'comeback-row' } },
      h('th', { scope: 'row' }, row.label),
      h('td', { className: 'number' }, formatCount(row.silences)),
      h('td', { className: 'number' }, formatCount(row.returned)),
      h('td', { className: 'number' }, formatCount(row.censored)),
      h('td', { className: 'number', dataset: { testid: 'comeback-share' } }, formatShare(row.return_share)),
      h('td', { className: 'bar-cell' }, h('div', { className: 'bar-track' }, bar)),
      h('td', { className: 'number' }, formatShare(row.converted_share)));
  });
  return h('table', { className: 'histogram comeback', dataset: { testid: 'comeback' } },
    h('caption', {}, metricLink('comeback-curve', 'Comeback curve'), ': of the silences at least this long, the share that ended in a return'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Silent for at least'),
      h('th', { scope: 'col', className: 'number' }, metricLink('comeback-curve', 'Silences')),
      h('th', { scope: 'col', className: 'number' }, metricLink('comeback-curve', 'Returned')),
      h('th', { scope: 'col', className: 'number' }, metricLink('comeback-curve', 'Censored')),
      h('th', { scope: 'col', className: 'number' }, metricLink('comeback-curve', 'Return share')),
      h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Bar')),
      h('th', { scope: 'col', className: 'number' }, metricLink('comeback-curve', 'Converted after')))),
    h('tbody', {}, rows));
}
