// Chart axes drawn with the svg() helper from a d3 scale's ticks. d3-axis
// would need d3-selection, whose bundle also carries an innerHTML setter, and
// the page keeps innerHTML out of every script it loads.

import { svg } from './dom.js';

const TICK_SIZE = 6;
const TICK_PADDING = 3;

/**
 * Returns an axis below a plot for `scale`, a d3 band or linear scale: a line
 * along its range, and a tick with `format(value)` as its label per band or
 * per one of about `ticks` round values. The axis is drawn at y = 0, so the
 * caller moves it under the plot.
 */
export function bottomAxis(scale, { format = String, ticks = 10 } = {}) {
  const [start, end] = scale.range();
  const marks = tickValues(scale, ticks).map((value) => {
    const x = tickPosition(scale, value);
    return svg('g', { class: 'tick', transform: `translate(${x},0)` },
      svg('line', { y2: TICK_SIZE }),
      svg('text', { y: TICK_SIZE + TICK_PADDING, dy: '0.71em', 'text-anchor': 'middle' }, format(value)));
  });
  return svg('g', { class: 'chart-axis' }, svg('path', { class: 'domain', d: `M${start},0H${end}` }), marks);
}

/**
 * Returns an axis left of a plot for `scale`, as bottomAxis does below it.
 * The axis is drawn at x = 0.
 */
export function leftAxis(scale, { format = String, ticks = 10 } = {}) {
  const [start, end] = scale.range();
  const marks = tickValues(scale, ticks).map((value) => {
    const y = tickPosition(scale, value);
    return svg('g', { class: 'tick', transform: `translate(0,${y})` },
      svg('line', { x2: -TICK_SIZE }),
      svg('text', { x: -(TICK_SIZE + TICK_PADDING), dy: '0.32em', 'text-anchor': 'end' }, format(value)));
  });
  return svg('g', { class: 'chart-axis' }, svg('path', { class: 'domain', d: `M0,${start}V${end}` }), marks);
}

// A band scale has no ticks() and marks every band, and a linear scale marks
// its round values.
function tickValues(scale, ticks) {
  return typeof scale.ticks === 'function' ? scale.ticks(ticks) : scale.domain();
}

function tickPosition(scale, value) {
  const offset = typeof scale.bandwidth === 'function' ? scale.bandwidth() / 2 : 0;
  return scale(value) + offset;
}
