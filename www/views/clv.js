// Customer lifetime value: the fitted BG/NBD and Gamma-Gamma parameters and
// the customers with the highest predicted lifetime value.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatShare } from './format.js';

const ANCHOR = 'customer-lifetime-value';

// Fitted parameters range from near 0 to the millions on small data, so they
// keep four significant digits rather than a fixed number of decimals.
const parameterFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** Renders the report's `clv` into `root`, or nothing when it is missing or null. */
export function renderClvView(root, clv) {
  root.hidden = !clv;
  if (!clv) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink(ANCHOR, 'Customer lifetime value')),
    h('p', { className: 'hint', dataset: { testid: 'clv-caption' } },
      `${formatCount(clv.customers)} customers, ${formatCount(clv.repeat_customers)} with a repeat purchase. `,
      `Calibration ends ${clv.cutoff}; predictions cover ${formatAmount(clv.horizon)} ${clv.unit}.`),
    clv.note ? h('p', { className: 'hint', dataset: { testid: 'clv-note' } }, clv.note) : null,
    renderParameters(clv),
    renderCustomers(clv));
}

function renderParameters(clv) {
  const models = [
    ['BG/NBD', clv.bg_nbd, ['r', 'alpha', 'a', 'b'], 'clv-bg-nbd'],
    ['Gamma-Gamma', clv.gamma_gamma, ['p', 'q', 'v'], 'clv-gamma-gamma'],
  ];
  const rows = models.map(([label, fit, names, testid]) => h('tr', { dataset: { testid } },
    h('th', { scope: 'row' }, metricLink(ANCHOR, label)),
    h('td', {}, fit ? names.map((name) => `${name} = ${parameterFormat.format(fit[name])}`).join(', ') : 'not fitted'),
    h('td', { className: 'number' }, fit ? formatAmount(fit.log_likelihood) : '–'),
    h('td', { className: 'number' }, fit ? formatCount(fit.customers) : '–')));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'clv-fits', dataset: { testid: 'clv-fits' } },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Model'),
        h('th', { scope: 'col' }, 'Parameters'),
        h('th', { scope: 'col', className: 'number' }, 'Log-likelihood'),
        h('th', { scope: 'col', className: 'number' }, 'Customers'))),
      h('tbody', {}, rows)));
}

function renderCustomers(clv) {
  const customers = clv.top_customers ?? [];
  if (customers.length === 0) {
    return h('p', { className: 'empty' }, 'No customer made a purchase on or before the cut-off.');
  }
  const rows = customers.map((customer) => h('tr', { dataset: { testid: 'clv-customer' } },
    h('th', { scope: 'row' }, customer.person),
    h('td', { className: 'number' }, formatAmount(customer.frequency)),
    h('td', { className: 'number' }, formatShare(customer.probability_alive)),
    h('td', { className: 'number' }, formatAmount(customer.expected_purchases)),
    h('td', { className: 'number', dataset: { testid: 'clv-value' } }, formatAmount(customer.clv))));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'compact', dataset: { testid: 'clv-customers' } },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Customer'),
        h('th', { scope: 'col', className: 'number' }, 'Repeat purchases'),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Probability alive')),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, `Expected purchases in ${formatAmount(clv.horizon)} ${clv.unit}`)),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'CLV')))),
      h('tbody', {}, rows)));
}
