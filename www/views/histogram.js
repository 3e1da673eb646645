// A histogram of duration bins as an SVG bar chart: one bar per bin, a count
// axis and a title per bar with its count and share of the total. The chart
// is role="img" with a summary, and the caller keeps a table beside it as the
// text alternative.

import { scaleBand, scaleLinear } from '../build/vendor.js';
import { bottomAxis, leftAxis } from './chart-axis.js';
import { svg } from './dom.js';
import { formatCount, formatShare } from './format.js';

// Drawing size in SVG units. The SVG scales to the width of its container,
// and the bottom margin leaves room for bin labels turned by LABEL_ANGLE.
const SIZE = { width: 640, height: 300 };
const MARGIN = { top: 12, right: 12, bottom: 104, left: 64 };
const LABEL_ANGLE = -35;
const COUNT_TICKS = 5;

/**
 * Draws `bins` as an SVG bar chart and returns it, or null for no bins.
 * `count(bin)` reads a bin's count, `countLabel` names the count axis
 * ("People"), `binLabel` names the bin axis and its unit, and `unit` names
 * what is counted in the titles ("converters"). `testid` prefixes the test ids.
 */
export function renderHistogramChart(bins, { count, countLabel, binLabel, unit, title, testid }) {
  if (!bins || bins.length === 0) {
    return null;
  }
  const total = bins.reduce((sum, bin) => sum + count(bin), 0);
  const largest = Math.max(1, ...bins.map(count));
  const plotWidth = SIZE.width - MARGIN.left - MARGIN.right;
  const plotHeight = SIZE.height - MARGIN.top - MARGIN.bottom;
  const x = scaleBand().domain(bins.map((_, index) => index)).range([0, plotWidth]).padding(0.12);
  const y = scaleLinear().domain([0, largest]).nice(COUNT_TICKS).range([plotHeight, 0]);

  const bars = bins.map((bin, index) => {
    const value = count(bin);
    return svg('rect', {
      class: 'histogram-bar',
      'data-testid': `${testid}-bar`,
      'data-count': value,
      x: x(index),
      y: y(value),
      width: x.bandwidth(),
      height: Math.max(0, plotHeight - y(value)),
    }, svg('title', {}, barTitle(bin.label, value, total, unit)));
  });

  const binAxis = bottomAxis(x, { format: (index) => bins[index].label });
  binAxis.setAttribute('transform', `translate(0,${plotHeight})`);
  // Turns each label about the end of its tick, so its last letter sits there.
  for (const text of binAxis.querySelectorAll('text')) {
    const below = text.getAttribute('y');
    text.setAttribute('y', '0');
    text.setAttribute('transform', `translate(0,${below}) rotate(${LABEL_ANGLE})`);
    text.setAttribute('text-anchor', 'end');
    text.setAttribute('dy', '0.32em');
  }
  const countAxis = leftAxis(y, { ticks: COUNT_TICKS, format: (value) => (Number.isInteger(value) ? formatCount(value) : '') });

  return svg('svg', {
    class: 'histogram-chart',
    'data-testid': `${testid}-chart`,
    viewBox: `0 0 ${SIZE.width} ${SIZE.height}`,
    role: 'img',
    'aria-label': chartSummary(bins, count, total, { title, unit }),
  },
  svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` },
    bars, binAxis, countAxis,
    svg('text', { class: 'axis-title', x: plotWidth / 2, y: plotHeight + MARGIN.bottom - 6, 'text-anchor': 'middle' }, binLabel),
    svg('text', { class: 'axis-title', transform: `translate(${-MARGIN.left + 14},${plotHeight / 2}) rotate(-90)`, 'text-anchor': 'middle' }, countLabel)));
}

function barTitle(label, value, total, unit) {
  const share = total > 0 ? `, ${formatShare(value / total)} of all ${formatCount(total)} ${unit}` : '';
  return `${label}: ${formatCount(value)} ${unit}${share}`;
}

// The accessible name: what the chart shows and its tallest bar, because a
// screen reader does not read the bars' titles of a role="img" element.
function chartSummary(bins, count, total, { title, unit }) {
  const tallest = bins.reduce((best, bin) => (count(bin) > count(best) ? bin : best), bins[0]);
  return `${title}: bar chart of ${formatCount(total)} ${unit} in ${formatCount(bins.length)} bins. `
    + `The tallest bar is ${tallest.label} with ${formatCount(count(tallest))}. The table below lists every bin.`;
}
