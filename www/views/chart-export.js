// Chart export: an SVG chart drawn by the page saved as a standalone .svg
// file or as a .png image. The copy carries the computed styles it needs as
// presentation attributes, so it looks the same without the page's style
// sheet. The PNG is drawn from a blob: URL onto a canvas, so nothing leaves
// the page; the page's Content-Security-Policy allows blob: images.

import { h } from './dom.js';
import { downloadBlob, downloadText } from './download.js';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

// The computed style properties copied onto the elements of the export. Each
// is also an SVG presentation attribute, and all but opacity are inherited.
const STYLE_PROPERTIES = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linejoin',
  'stroke-linecap', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline',
  'paint-order', 'visibility',
];

// The PNG has this many pixels per SVG unit, so it stays sharp on high-density
// screens, and at most MAX_PNG_SIDE pixels on a side, below the canvas limits
// of current browsers.
const PNG_SCALE = 2;
const MAX_PNG_SIDE = 8192;

// The getChart function of each bar of download buttons, so that the HTML
// report can take the same chart that a view offers (see offeredChart).
const chartSources = new WeakMap();

/**
 * Returns the buttons that download the chart `getChart()` returns (an SVG
 * element, or null when there is none) as `${fileName}.svg` or `.png`.
 * `label` names the chart in the buttons' accessible names.
 */
export function chartExportButtons(getChart, fileName, label) {
  const error = h('span', { className: 'field-error', dataset: { testid: 'chart-export-error' }, attrs: { role: 'alert' } });
  const run = async (button, save) => {
    const chart = getChart();
    if (!chart) {
      error.textContent = `The ${label} is not drawn, so there is nothing to download.`;
      return;
    }
    error.textContent = '';
    button.disabled = true;
    try {
      await save(chart);
    } catch (failure) {
      error.textContent = `The ${label} could not be saved: ${failure.message}`;
    } finally {
      button.disabled = false;
    }
  };
  const svgButton = h('button', {
    type: 'button',
    className: 'secondary',
    dataset: { testid: 'chart-export-svg' },
    attrs: { 'aria-label': `Download the ${label} as SVG` },
    on: { click: () => run(svgButton, (chart) => downloadText(`${fileName}.svg`, standaloneSvg(chart).text, 'image/svg+xml')) },
  }, 'SVG');
  const pngButton = h('button', {
    type: 'button',
    className: 'secondary',
    dataset: { testid: 'chart-export-png' },
    attrs: { 'aria-label': `Download the ${label} as PNG` },
    on: { click: () => run(pngButton, async (chart) => downloadBlob(`${fileName}.png`, await chartPng(chart))) },
  }, 'PNG');
  const bar = h('div', { className: 'chart-export', dataset: { testid: 'chart-export' } },
    h('span', { className: 'hint' }, 'Download chart:'), ' ', svgButton, ' ', pngButton, ' ', error);
  chartSources.set(bar, getChart);
  return bar;
}

/**
 * Returns the SVG chart that the first bar of download buttons inside `root`
 * saves, as its view draws it, or null when `root` is null or has no such
 * bar or no chart. The chart may be the element shown in `root`, so a caller
 * that changes it must clone it first.
 */
export function offeredChart(root) {
  const bar = root?.querySelector('[data-testid=chart-export]');
  const getChart = bar ? chartSources.get(bar) : undefined;
  return getChart ? getChart() ?? null : null;
}

/**
 * Copies `chart` into a standalone SVG document with its computed styles, a
 * width and height in pixels and a white background. Returns its text and size.
 */
export function standaloneSvg(chart) {
  const { x, y, width, height } = chartBox(chart);
  const copy = chart.cloneNode(true);
  inlineStyles(chart, copy);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', `${x} ${y} ${width} ${height}`);
  copy.removeAttribute('style');
  const background = document.createElementNS(SVG_NAMESPACE, 'rect');
  for (const [name, value] of Object.entries({ x, y, width, height, fill: '#ffffff' })) {
    background.setAttribute(name, String(value));
  }
  copy.insertBefore(background, copy.firstChild);
  // The serializer writes the SVG namespace on the root and escapes every text.
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
  return { text, width, height };
}

/** Draws `chart` onto a canvas and returns a promise of the PNG as a Blob. */
export async function chartPng(chart) {
  const { text, width, height } = standaloneSvg(chart);
  const scale = Math.min(PNG_SCALE, MAX_PNG_SIDE / Math.max(width, height, 1));
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error('the browser could not read the chart as an image'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas could not be encoded as PNG'))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The chart's drawing area in SVG units: its viewBox, or its size on screen
// when it has none.
function chartBox(chart) {
  const box = chart.viewBox?.baseVal;
  if (box && box.width > 0 && box.height > 0) {
    return { x: box.x, y: box.y, width: box.width, height: box.height };
  }
  const rect = chart.getBoundingClientRect();
  return { x: 0, y: 0, width: Math.max(1, Math.round(rect.width)), height: Math.max(1, Math.round(rect.height)) };
}

// Elements that draw nothing, so their styles are not copied.
const UNDRAWN = new Set(['title', 'desc']);

// Copies the computed styles of `source` and its descendants onto `target`,
// a deep clone with the same structure. The root gets every property, and a
// descendant only those that differ from what it inherits, which keeps the
// file small. Opacity is not inherited, so it is written unless it is 1.
function inlineStyles(source, target, inherited = null) {
  const style = getComputedStyle(source);
  const values = {};
  for (const property of STYLE_PROPERTIES) {
    const value = style.getPropertyValue(property);
    values[property] = value;
    const implied = property === 'opacity' ? '1' : inherited?.[property];
    if (value && value !== implied) {
      target.setAttribute(property, value);
    }
  }
  const sources = source.children;
  const targets = target.children;
  for (let index = 0; index < sources.length && index < targets.length; index += 1) {
    if (!UNDRAWN.has(sources[index].localName)) {
      inlineStyles(sources[index], targets[index], values);
    }
  }
}
