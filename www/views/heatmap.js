// The weekday × hour heat map as an SVG chart. Cells use d3's cividis scale
// from dark blue towards yellow, turned around so that darker cells hold
// more. Its lightness changes steadily along the scale, so cells order the
// same by lightness alone, which is what readers with a colour-vision
// deficiency rely on. A cell with no events is the page's pale grey, so
// "none" never looks like "a few". The chart is role="img" with a summary,
// and the caller keeps the table as the text alternative.

import { interpolateCividis, scaleBand, scaleLinear, scaleSequential } from '../build/vendor.js';
import { bottomAxis, leftAxis } from './chart-axis.js';
import { svg } from './dom.js';
import { formatCount, formatShare } from './format.js';

const CELL = { width: 26, height: 22 };
const MARGIN = { top: 12, right: 16, bottom: 96, left: 92 };
const LEGEND = { width: 240, height: 12, ticks: 4 };
const EMPTY_FILL = '#f5f7fa';
// The lightest point of cividis (0 to 1) that a cell with events gets. At 0.6
// the scale is rgb(148, 143, 120), 3.0:1 against EMPTY_FILL and 3.3:1 against
// white, so every filled cell meets the WCAG 2.1 3:1 contrast for graphics.
// The lighter, yellow end of the scale is left out for that reason.
const LIGHTEST_SHARE = 0.6;
const HOURS = [...Array(24).keys()];

/** Returns the fill of a cell containing `count` of at most `largest` events. */
export function heatColour(count, largest) {
  if (count <= 0) {
    return EMPTY_FILL;
  }
  return scaleSequential((share) => interpolateCividis(LIGHTEST_SHARE * (1 - share))).domain([0, Math.max(1, largest)])(count);
}

/**
 * Draws `counts` (one row of 24 hourly counts per weekday, Monday first) as
 * an SVG heat map and returns it. `weekdays` names the rows, `counted` names
 * what is counted ("events"), and `timeZone` labels the hour axis. `total` is
 * the base of the tooltips' shares, and `summary` the accessible name.
 */
export function renderHeatmapChart(counts, { weekdays, counted, timeZone, total, summary }) {
  const largest = Math.max(1, ...counts.flat());
  const plotWidth = CELL.width * HOURS.length;
  const plotHeight = CELL.height * weekdays.length;
  const x = scaleBand().domain(HOURS).range([0, plotWidth]);
  const y = scaleBand().domain(weekdays).range([0, plotHeight]);

  const cells = counts.flatMap((row, weekday) => row.map((count, hour) => svg('rect', {
    class: 'heat-cell',
    'data-testid': 'rhythm-heat-cell',
    'data-count': count,
    x: x(hour),
    y: y(weekdays[weekday]),
    width: CELL.width - 1,
    height: CELL.height - 1,
    fill: heatColour(count, largest),
  }, svg('title', {}, cellTitle(weekdays[weekday], hour, count, total, counted)))));

  const hourAxis = bottomAxis(x);
  hourAxis.setAttribute('transform', `translate(0,${plotHeight})`);
  const dayAxis = leftAxis(y);

  return svg('svg', {
    class: 'heatmap-chart',
    'data-testid': 'rhythm-chart',
    viewBox: `0 0 ${MARGIN.left + plotWidth + MARGIN.right} ${MARGIN.top + plotHeight + MARGIN.bottom}`,
    role: 'img',
    'aria-label': summary,
  },
  svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` },
    cells, hourAxis, dayAxis,
    svg('text', { class: 'axis-title', x: plotWidth / 2, y: plotHeight + 34, 'text-anchor': 'middle' }, `Hour of the day (${timeZone})`),
    svg('text', { class: 'axis-title', transform: `translate(${-MARGIN.left + 12},${plotHeight / 2}) rotate(-90)`, 'text-anchor': 'middle' }, 'Weekday'),
    renderLegend(largest, counted, plotHeight + 52)));
}

// A colour ramp from 1 to `largest` with a count axis, and a grey swatch for
// cells with no events.
function renderLegend(largest, counted, top) {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((share) => svg('stop', {
    offset: `${share * 100}%`,
    'stop-color': heatColour(Math.max(1, share * largest), largest),
  }));
  const scale = scaleLinear().domain([1, Math.max(2, largest)]).range([0, LEGEND.width]);
  const axis = bottomAxis(scale, { ticks: LEGEND.ticks, format: (value) => (Number.isInteger(value) ? formatCount(value) : '') });
  axis.setAttribute('transform', `translate(0,${LEGEND.height})`);
  return svg('g', { class: 'heat-legend', 'data-testid': 'rhythm-legend', transform: `translate(0,${top})` },
    svg('defs', {}, svg('linearGradient', { id: 'rhythm-ramp', x1: '0', x2: '1', y1: '0', y2: '0' }, stops)),
    svg('rect', { x: 0, y: 0, width: LEGEND.width, height: LEGEND.height, fill: 'url(#rhythm-ramp)' }),
    svg('rect', { x: LEGEND.width + 24, y: 0, width: LEGEND.height, height: LEGEND.height, fill: EMPTY_FILL, stroke: '#59636e', 'stroke-width': 0.5 }),
    svg('text', { x: LEGEND.width + 24 + LEGEND.height + 4, y: LEGEND.height - 2, class: 'legend-text' }, 'none'),
    svg('text', { x: 0, y: -4, class: 'legend-text' }, `${counted} per hour`),
    axis);
}

function cellTitle(weekday, hour, count, total, counted) {
  const share = total > 0 ? `, ${formatShare(count / total)} of all ${formatCount(total)}` : '';
  return `${weekday} ${String(hour).padStart(2, '0')}:00 to ${String(hour + 1).padStart(2, '0')}:00: ${formatCount(count)} ${counted}${share}`;
}
