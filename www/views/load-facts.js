// The load facts at the top of the results, from the LoadSummary: ids merged
// into people, duplicate events removed, events that share a time, and
// whether the times are synthetic. The matching warnings, with examples, are
// in the status area.

import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

export const SYNTHETIC_TIMES_TEXT = 'The times are synthetic, because a channel path table or an outcome table lists journeys without times. Time-based figures (time to convert, funnel times, the funnel window and the date range) are not available.';

/** Renders the load facts into `root`, or hides `root` when every count is zero. */
export function renderLoadFacts(root, summary) {
  const facts = [
    mergedIdsFact(summary),
    countFact(summary.duplicate_events, 'duplicate-events',
      (count) => `${formatCount(count)} duplicate ${count === 1 ? 'event was' : 'events were'} removed.`),
    countFact(summary.tied_timestamps, 'tied-timestamps',
      (count) => `${formatCount(count)} ${count === 1 ? 'event shares its' : 'events share their'} time with the person's previous event, so the sequence number, or else the file and row, orders them.`),
    summary.synthetic_times ? h('li', { dataset: { testid: 'synthetic-times' } }, SYNTHETIC_TIMES_TEXT) : null,
  ].filter(Boolean);

  root.hidden = facts.length === 0;
  replaceChildren(root, facts.length > 0 ? h('ul', { className: 'load-facts' }, facts) : null);
}

function mergedIdsFact(summary) {
  const merged = summary.merged_identifiers;
  if (typeof merged !== 'number' || merged === 0) {
    return null;
  }
  const people = summary.merged_people;
  return h('li', { dataset: { testid: 'merged-ids' } },
    `${formatCount(merged)} ids merged into ${formatCount(people)} ${people === 1 ? 'person' : 'people'}`,
    typeof summary.identifiers === 'number' ? `, out of ${formatCount(summary.identifiers)} ids read.` : '.');
}

function countFact(count, testid, sentence) {
  if (typeof count !== 'number' || count === 0) {
    return null;
  }
  return h('li', { dataset: { testid } }, sentence(count));
}
