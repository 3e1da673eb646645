// Time to convert, for converters only: the percentiles and a histogram of
// how many converters took how long.

import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration } from './format.js';
import { renderHistogramChart } from './histogram.js';

/**
 * Renders the report's time to convert into `root`. With synthetic times
 * (a channel path table or an outcome table) it renders why there is no time to convert.
 */
export function renderTimingView(root, timing, { syntheticTimes = false } = {}) {
  if (syntheticTimes) {
    replaceChildren(root, h('p', { className: 'empty', dataset: { testid: 'timing-unavailable' } },
      'Time to convert is not available: a channel path table or an outcome table has no times, so its journeys were given evenly spaced made-up times.'));
    return;
  }
  if (!timing) {
    replaceChildren(root, h('p', { className: 'empty' }, 'Choose a conversion event to measure the time to convert.'));
    return;
  }

  const excluded = timing.excluded > 0
    ? ` ${formatCount(timing.excluded)} more could not be measured, and the warnings above say why.`
    : '';
  const caption = h('p', { className: 'hint', dataset: { testid: 'timing-caption' } },
    metricLink('time-to-convert', 'Time to convert'),
    `, converters only: measured for ${formatCount(timing.measured)} people.${excluded}`);

  if (timing.measured === 0) {
    replaceChildren(root, caption, h('p', { className: 'empty' }, 'No converter could be measured.'));
    return;
  }

  const figures = [
    ['Median', timing.median_ms, 'median'],
    ['25th percentile', timing.p25_ms, 'p25'],
    ['75th percentile', timing.p75_ms, 'p75'],
    ['90th percentile', timing.p90_ms, 'p90'],
    ['Mean', timing.mean_ms, 'mean'],
  ].map(([label, ms, testid]) => h('div', { className: 'figure' },
    h('dt', {}, metricLink('time-to-convert', label)),
    h('dd', { dataset: { testid: `timing-${testid}` } }, formatDuration(ms))));

  replaceChildren(root,
    caption,
    h('dl', { className: 'figures small' }, figures),
    renderHistogram(timing.histogram),
  );
}

function renderHistogram(bins) {
  return renderBinTable(bins, {
    caption: 'Converters by time to convert',
    countHeader: 'People',
    count: (bin) => bin.people,
    testid: 'histogram',
    unit: 'converters',
    binLabel: 'Time to convert (each bar covers the range in its label)',
  });
}

/**
 * Renders duration bins as an SVG histogram with download buttons, followed
 * by the same bins as a table with one bar per row, its text alternative.
 * `count` reads a bin's count, and `countHeader` names it. `unit` names what
 * is counted in the tooltips (default: `countHeader` in lower case), and
 * `binLabel` is the title of the duration axis. Returns null for no bins.
 */
export function renderBinTable(bins, { caption, countHeader, count, testid, unit = countHeader.toLowerCase(), binLabel = 'Duration (each bar covers the range in its label)' }) {
  if (!bins || bins.length === 0) {
    return null;
  }
  const chart = renderHistogramChart(bins, { count, countLabel: countHeader, binLabel, unit, title: caption, testid });
  return h('div', { className: 'bin-chart', dataset: { testid: `${testid}-figure` } },
    chartExportButtons(() => chart, `pathlight-${testid}`, `chart of ${caption.toLowerCase()}`),
    h('div', { className: 'chart-scroll' }, chart),
    renderBins(bins, { caption, countHeader, count, testid }));
}

function renderBins(bins, { caption, countHeader, count, testid }) {
  const largest = Math.max(1, ...bins.map(count));
  const rows = bins.map((bin) => {
    const bar = h('div', { className: 'bar' });
    bar.style.width = `${((count(bin) / largest) * 100).toFixed(2)}%`;
    return h('tr', { dataset: { testid: `${testid}-bin` } },
      h('th', { scope: 'row' }, bin.label),
      h('td', { className: 'bar-cell' }, h('div', { className: 'bar-track' }, bar)),
      h('td', { className: 'number' }, formatCount(count(bin))));
  });
  return h('table', { className: 'histogram', dataset: { testid } },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Bar')), h('th', { scope: 'col', className: 'number' }, countHeader))),
    h('tbody', {}, rows));
}
