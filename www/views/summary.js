// The summary figures: people, events, converters, conversion rate,
// distinct journeys and, when a value column is mapped, the total value, with
// the time span the data covers.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatDateTime, formatShare } from './format.js';

/** Renders the report's summary into `root`. */
export function renderSummaryView(root, summary) {
  const hasConversion = Boolean(summary.conversion_event);
  const figures = [
    figure(metricLink('people', 'People'), formatCount(summary.people), 'people'),
    figure(metricLink('events', 'Events'), formatCount(summary.events), 'events'),
    figure(metricLink('converters', 'Converters'), hasConversion ? formatCount(summary.converters) : '–', 'converters'),
    figure(metricLink('conversion-rate', 'Conversion rate'), hasConversion ? formatShare(summary.conversion_rate) : '–', 'conversion-rate'),
    figure(metricLink('distinct-journeys', 'Distinct journeys'), formatCount(summary.distinct_journeys), 'distinct-journeys'),
    totalValueFigure(summary),
  ];
  const span = summary.synthetic_times
    ? 'The times are synthetic, so the data covers no real dates'
    : `From ${formatDateTime(summary.first_event, summary.time_zone)} to ${formatDateTime(summary.last_event, summary.time_zone)} (${summary.time_zone})`;
  const conversion = hasConversion
    ? h('span', {}, 'Converting means doing ', h('strong', {}, summary.conversion_event), '.')
    : 'No conversion event is chosen.';

  replaceChildren(root,
    h('dl', { className: 'figures' }, figures),
    h('p', { className: 'hint' }, span, '. ', conversion),
  );
}

function figure(label, value, testid, note = null) {
  return h('div', { className: 'figure' },
    h('dt', {}, label),
    h('dd', { dataset: { testid: `summary-${testid}` } }, value),
    note ? h('dd', { className: 'figure-note', dataset: { testid: `summary-${testid}-note` } }, note) : null,
  );
}

// Reports from before the engine summed the value column have no
// total_value, and it is null when no event has a value. Either way the
// figure is left out.
function totalValueFigure(summary) {
  if (typeof summary.total_value !== 'number') {
    return null;
  }
  const events = summary.events_with_value;
  const note = typeof events === 'number' ? `over ${formatCount(events)} ${events === 1 ? 'event' : 'events'} with a value` : null;
  return figure(metricLink('total-value', 'Total value'), formatAmount(summary.total_value), 'total-value', note);
}
