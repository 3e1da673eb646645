// Conversion drivers: the features that converters had more often, or less
// often, than people who did not convert, with odds ratios and q-values.
// Reports from engines without drivers have no `drivers` field, and then the
// view shows nothing.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatShare } from './format.js';

// Odds ratios and their intervals read with three significant digits, and
// q-values with two, in scientific notation below 0.001.
const ratioFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const qValueFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

/** Formats an odds ratio or another ratio with three significant digits, or a dash. */
export function formatRatio(value) {
  return typeof value === 'number' ? ratioFormat.format(value) : '–';
}

/** Formats a p- or q-value with two significant digits, in scientific notation below 0.001. */
export function formatQValue(value) {
  if (typeof value !== 'number') {
    return '–';
  }
  return value < 0.001 ? value.toExponential(1) : qValueFormat.format(value);
}

/**
 * Renders the report's drivers into `root`, or nothing when they are missing
 * or null. `onPeople(selection, title)`, when given, opens the converters or
 * the other people who had a feature from their share.
 */
export function renderDriversView(root, drivers, { onPeople = null } = {}) {
  root.hidden = !drivers;
  if (!drivers) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('drivers', 'Conversion drivers')),
    h('p', { className: 'hint', dataset: { testid: 'drivers-caption' } },
      `${formatCount(drivers.tested)} features tested over ${formatCount(drivers.converters)} converters and `,
      `${formatCount(drivers.non_converters)} other people. `, drivers.note ?? ''),
    renderSignals('More often among converters', drivers.positive ?? [], 'drivers-positive', drivers, onPeople),
    renderSignals('Less often among converters', drivers.negative ?? [], 'drivers-negative', drivers, onPeople));
}

// A group's share of a feature, with a tooltip of the count behind it, as a
// button that opens those people when `onPeople` is given.
function groupShare(row, group, drivers, onPeople) {
  const converters = group === 'converters';
  const count = converters ? row.converters : row.non_converters;
  const base = converters ? drivers.converters : drivers.non_converters;
  const share = converters ? row.converter_share : row.non_converter_share;
  const groupName = converters ? 'converters' : 'other people';
  const tooltip = `${formatCount(count)} of the ${formatCount(base)} ${groupName} (${formatShare(share)}) had ${featureLabel(row)}`;
  if (!onPeople || count === 0) {
    return h('span', { title: tooltip }, formatShare(share));
  }
  const selection = { kind: 'driver', feature: row.kind, column: row.column ?? null, value: row.value, group: converters ? 'converters' : 'non_converters' };
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    dataset: { testid: `driver-${converters ? 'converters' : 'others'}`, people: String(count) },
    attrs: { 'aria-label': `${tooltip}. Show these people.` },
    on: { click: () => onPeople(selection, `${converters ? 'Converters' : 'Other people'} who had ${featureLabel(row)}`) },
  }, formatShare(share));
}

function renderSignals(title, rows, testid, drivers, onPeople) {
  if (rows.length === 0) {
    return h('p', { className: 'empty', dataset: { testid } }, `${title}: no feature passes the false discovery rate.`);
  }
  const body = rows.map((row) => h('tr', { dataset: { testid: 'driver-row' } },
    h('td', {}, featureLabel(row)),
    h('td', { className: 'number' }, groupShare(row, 'converters', drivers, onPeople)),
    h('td', { className: 'number' }, groupShare(row, 'non_converters', drivers, onPeople)),
    h('td', { className: 'number' }, formatRatio(row.odds_ratio)),
    h('td', { className: 'number' }, `${formatRatio(row.lower_95)} to ${formatRatio(row.upper_95)}`),
    h('td', { className: 'number' }, formatQValue(row.q_value))));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'drivers-table', dataset: { testid } },
      h('caption', {}, title),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Feature'),
        h('th', { scope: 'col', className: 'number' }, 'Converters'),
        h('th', { scope: 'col', className: 'number' }, 'Others'),
        h('th', { scope: 'col', className: 'number' }, 'Odds ratio'),
        h('th', { scope: 'col', className: 'number' }, '95% interval'),
        h('th', { scope: 'col', className: 'number' }, 'q-value'))),
      h('tbody', {}, body)));
}

/** Writes a driver's feature as tables show it: the event, "channel X" or "column = value". */
export function featureLabel(row) {
  if (row.kind === 'property') {
    return `${row.column} = ${row.value}`;
  }
  if (row.kind === 'channel') {
    return `channel ${row.value}`;
  }
  return row.value;
}
