// After the sale: the repeat-purchase rate, the time from the first to the
// second purchase, the revenue per customer and the follow-up events of buyers.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatDuration, formatShare } from './format.js';

const ANCHOR = 'after-the-sale';

/** Renders the report's `after_sale` into `root`, or nothing when it is missing or null. */
export function renderAfterSaleView(root, afterSale) {
  root.hidden = !afterSale;
  if (!afterSale) {
    replaceChildren(root);
    return;
  }
  const second = afterSale.time_to_second_purchase;
  const figures = [
    ['Repeat-purchase rate', formatShare(afterSale.repeat_purchase_rate), 'after-sale-repeat-rate'],
    ['Repeat buyers', formatCount(afterSale.repeat_buyers), 'after-sale-repeat-buyers'],
    ['Time to second purchase (median)', second ? formatDuration(second.median_ms) : '–', 'after-sale-second-median'],
    ['Revenue per customer', formatAmount(afterSale.revenue_per_customer), 'after-sale-revenue'],
  ].map(([label, text, testid]) => h('div', { className: 'figure' },
    h('dt', {}, metricLink(ANCHOR, label)),
    h('dd', { dataset: { testid } }, text)));

  replaceChildren(root,
    h('h3', {}, metricLink(ANCHOR, 'After the sale')),
    h('p', { className: 'hint', dataset: { testid: 'after-sale-caption' } },
      `${formatCount(afterSale.buyers)} buyers of ${afterSale.conversion_event}. `,
      second
        ? `Second purchase: 25% within ${formatDuration(second.p25_ms)}, 75% within ${formatDuration(second.p75_ms)}.`
        : 'Nobody bought twice.'),
    h('dl', { className: 'figures small' }, figures),
    renderFollowUps(afterSale.follow_ups ?? []));
}

function renderFollowUps(followUps) {
  if (followUps.length === 0) {
    return h('p', { className: 'empty' }, 'No buyer has a referral, invitation, onboarding or review event after buying.');
  }
  const rows = followUps.map((followUp) => h('tr', { dataset: { testid: 'after-sale-follow-up' } },
    h('th', { scope: 'row' }, followUp.event),
    h('td', { className: 'number' }, formatCount(followUp.buyers)),
    h('td', { className: 'number' }, formatShare(followUp.share)),
    h('td', { className: 'number' }, formatDuration(followUp.median_ms))));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'compact', dataset: { testid: 'after-sale-follow-ups' } },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, metricLink(ANCHOR, 'Follow-up event')),
        h('th', { scope: 'col', className: 'number' }, 'Buyers'),
        h('th', { scope: 'col', className: 'number' }, 'Share of buyers'),
        h('th', { scope: 'col', className: 'number' }, 'Median time after purchase'))),
      h('tbody', {}, rows)));
}
