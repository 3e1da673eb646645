// The self-contained HTML report: one file with inline CSS, inline SVG charts
// and no script, whose Content-Security-Policy lets it load nothing at all, so
// it opens offline and makes no request. It contains aggregates only: the
// overview figures, the biggest leaks, the report's tables and the page's
// charts, never a person id. Each chart is a copy of the SVG the page draws
// (report-charts.js), followed by its table. Every name from the data is
// escaped, so an event named like an HTML tag shows as text.

import { formatAmount, formatCount, formatDateTime, formatDuration, formatShare } from './format.js';
import { formatCell, reportTables } from './report-tables.js';

const POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// The drawing sizes of the channel bar chart, which the page does not draw
// as SVG, in SVG units.
const BARS = { width: 640, rowHeight: 22, labelWidth: 230, valueWidth: 70, maxRows: 12 };

// The elements and attributes an SVG copied from the page may keep. Anything
// else, such as event handlers, links, images and embedded HTML, is dropped.
// The heat map's legend needs defs, linearGradient and stop, and `id` names
// its gradient. data-count keeps the count of a histogram bar or a heat map
// cell readable by a program.
const SVG_ELEMENTS = new Set([
  'svg', 'g', 'path', 'rect', 'line', 'polyline', 'circle', 'text', 'tspan', 'title', 'desc', 'defs', 'linearGradient', 'stop',
]);
const SVG_ATTRIBUTES = new Set([
  'viewBox', 'width', 'height', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'd', 'points', 'dx', 'dy',
  'class', 'transform', 'text-anchor', 'dominant-baseline', 'fill', 'stroke', 'stroke-width', 'stroke-opacity',
  'stroke-dasharray', 'stroke-linejoin', 'paint-order', 'fill-opacity', 'opacity', 'font-size', 'font-family',
  'font-weight', 'role', 'aria-label', 'id', 'offset', 'stop-color', 'stop-opacity', 'data-count',
]);

// The only url() value a copied attribute may have: a reference to an element
// of the report itself, such as fill="url(#rhythm-ramp)".
const LOCAL_REFERENCE = /^url\(#[\w-]+\)$/;

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; background: #fff;
  max-width: 980px; margin: 24px auto; padding: 0 16px; line-height: 1.45; font-size: 15px; }
h1 { margin-bottom: 0; } h2 { margin-top: 32px; border-bottom: 1px solid #d8dee4; padding-bottom: 4px; }
.hint { color: #59636e; font-size: 0.9rem; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; }
.figure { border: 1px solid #d8dee4; border-radius: 8px; padding: 8px 12px; min-width: 130px; }
.figure dt { color: #59636e; font-size: 0.85rem; } .figure dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d8dee4; padding: 4px 10px; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
svg { display: block; max-width: 100%; height: auto; font-size: 11px; }
figure.chart { margin: 16px 0 8px; } figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg { width: 100%; }
#chart-funnel svg, .histogram-chart { max-width: 720px; } .heatmap-chart { max-width: 860px; }
.bar { fill: #5b82e0; } .bar-label, .bar-value { fill: #1f2328; }
.histogram-bar { fill: #2f5fd0; }
.chart-axis text { fill: #1f2328; font-size: 11px; } .chart-axis path, .chart-axis line { fill: none; stroke: #59636e; }
.axis-title, .legend-text { fill: #1f2328; font-size: 12px; }
.sankey-link { fill: none; stroke-opacity: 0.35; } .sankey-step { fill: #59636e; font-weight: 600; }
.sankey-label { fill: #1f2328; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.curve-chart .band { fill: #e8eefc; } .curve-chart .curve-line { fill: none; stroke: #2f5fd0; stroke-width: 2; }
.curve-chart .axis, .curve-chart .tick { stroke: #59636e; } .curve-chart .grid { stroke: #d8dee4; }
.curve-chart .landmark { stroke: #d8dee4; stroke-dasharray: 2 3; } .curve-chart .median { stroke: #1f2328; stroke-dasharray: 5 3; }
.curve-chart .tick-label { fill: #59636e; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
`;

/** Replaces the five characters that HTML gives a meaning, so `value` reads as text in content and in attributes. */
export function escapeHtml(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Builds the HTML report for `report`. `charts` may hold SVG elements drawn
 * by the page's views ({ funnel, histogram, heatmap, sankey, curve }, see
 * report-charts.js); they are copied without anything but their drawing,
 * each with a caption and followed by its table. `createdAt` is a Date.
 */
export function buildHtmlReport(report, charts = {}, createdAt = new Date()) {
  const summary = report.summary;
  const tables = new Map(reportTables(report).map((table) => [table.id, table]));
  const sections = [
    overviewSection(summary),
    findingsSection(tables.get('findings')),
    section('Funnel', [chartFigure('funnel', 'Funnel: people at each step', charts.funnel), renderTable(tables.get('funnel'))]),
    section('Top paths', [renderTable(tables.get('paths-converters')), renderTable(tables.get('paths-non-converters'))]),
    section('Journeys step by step', [chartFigure('sankey', 'Sankey diagram of the first steps of each journey', charts.sankey), renderTable(tables.get('sankey'))]),
    timingSection(report.time_to_convert, tables.get('time-to-convert'), charts.histogram),
    curveSection(report.conversion_curve, tables.get('conversion-curve'), charts.curve),
    section('When people buy', [chartFigure('rhythm', 'Weekday and hour heat map', charts.heatmap), renderTable(tables.get('rhythm'))]),
    channelsSection(tables.get('channels'), tables.get('channel-speed')),
    section('Stages', [renderTable(tables.get('stages'))]),
    section('What changed', [renderTable(tables.get('alerts'))]),
    section('Experiment', [renderTable(tables.get('experiment')), renderTable(tables.get('experiment-comparisons'))]),
  ];
  const created = createdAt.toISOString().slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pathlight report, ${escapeHtml(created)} UTC</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Pathlight report</h1>
<p class="hint">Made on ${escapeHtml(created)} UTC. It contains aggregate figures only: no person ids, e-mail addresses or rows of data. Definitions of every figure are in Pathlight's metrics page (docs/metrics.md).</p>
${sections.filter(Boolean).join('\n')}
</body>
</html>
`;
}

function section(title, parts) {
  const body = parts.filter(Boolean);
  if (body.length === 0) {
    return '';
  }
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${body.join('\n')}\n</section>`;
}

function overviewSection(summary) {
  const hasConversion = Boolean(summary.conversion_event);
  const figures = [
    ['People', formatCount(summary.people), 'people'],
    ['Events', formatCount(summary.events), 'events'],
    ['Converters', hasConversion ? formatCount(summary.converters) : '–', 'converters'],
    ['Conversion rate', hasConversion ? formatShare(summary.conversion_rate) : '–', 'conversion-rate'],
    ['Distinct journeys', formatCount(summary.distinct_journeys), 'distinct-journeys'],
  ];
  if (typeof summary.total_value === 'number') {
    figures.push(['Total value', formatAmount(summary.total_value), 'total-value']);
  }
  const span = summary.synthetic_times
    ? 'The times are synthetic, so the data covers no real dates.'
    : `From ${formatDateTime(summary.first_event, summary.time_zone)} to ${formatDateTime(summary.last_event, summary.time_zone)} (${summary.time_zone}).`;
  const conversion = hasConversion ? `Converting means doing ${summary.conversion_event}.` : 'No conversion event is chosen.';
  const items = figures.map(([label, value, id]) => `<div class="figure"><dt>${escapeHtml(label)}</dt><dd id="summary-${id}">${escapeHtml(value)}</dd></div>`);
  return section('Overview', [`<dl class="figures">${items.join('')}</dl>`, `<p class="hint">${escapeHtml(span)} ${escapeHtml(conversion)}</p>`]);
}

function findingsSection(table) {
  if (!table) {
    return '';
  }
  const items = table.rows.slice(0, 5).map(([sentence]) => `<li>${escapeHtml(sentence)}</li>`);
  return section('Biggest leaks', [`<ol>${items.join('')}</ol>`, renderTable(table)]);
}

function timingSection(timing, table, histogram) {
  if (!timing || timing.measured === 0) {
    return '';
  }
  const figures = [['Median', timing.median_ms], ['25th percentile', timing.p25_ms], ['75th percentile', timing.p75_ms], ['90th percentile', timing.p90_ms], ['Mean', timing.mean_ms]]
    .map(([label, ms]) => `<div class="figure"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(formatDuration(ms))}</dd></div>`);
  return section('Time to convert', [
    `<p class="hint">Converters only: measured for ${escapeHtml(formatCount(timing.measured))} people.</p>`,
    `<dl class="figures">${figures.join('')}</dl>`,
    chartFigure('time-to-convert', 'Converters by time to convert', histogram),
    renderTable(table),
  ]);
}

function curveSection(curve, table, chart) {
  if (!curve) {
    return '';
  }
  const median = curve.median_ms === null
    ? 'The median is not reached, because fewer than half converted.'
    : `Median time to convert: ${formatDuration(curve.median_ms)}.`;
  const caption = `${formatCount(curve.people)} people, ${formatCount(curve.converters)} converted and ${formatCount(curve.censored)} censored. `
    + `Converted by the end: ${formatShare(curve.final_cumulative)}. ${median}`;
  return section('Conversion curve', [
    `<p class="hint">${escapeHtml(caption)}</p>`,
    chartFigure('conversion-curve', 'Share converted by each time since the first event, with its 95% interval', chart),
    renderTable(table),
  ]);
}

function channelsSection(channels, channelSpeed) {
  const markov = channels?.columns.findIndex((column) => column.label === 'Markov') ?? -1;
  const bars = channels && markov > 0
    ? barChart('Conversions credited by the Markov model', channels.rows.map((row) => [row[0], row[markov] ?? 0]), (value) => formatAmount(value))
    : '';
  return section('Channels', [bars, renderTable(channels), renderTable(channelSpeed)]);
}

function renderTable(table) {
  if (!table) {
    return '';
  }
  const head = table.columns.map((column) => `<th scope="col"${column.kind === 'text' ? '' : ' class="number"'}>${escapeHtml(column.label)}</th>`).join('');
  const rows = table.rows.map((row) => `<tr>${row.map((value, position) => {
    const { kind } = table.columns[position];
    return `<td${kind === 'text' ? '' : ' class="number"'}>${escapeHtml(formatCell(kind, value))}</td>`;
  }).join('')}</tr>`);
  return `<table id="table-${escapeHtml(table.id)}"><caption>${escapeHtml(table.title)}</caption><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Draws horizontal bars for [label, value] pairs, the longest bar for the largest value. */
function barChart(title, pairs, format) {
  const drawn = pairs.slice(0, BARS.maxRows);
  if (drawn.length === 0) {
    return '';
  }
  const max = Math.max(...drawn.map(([, value]) => value ?? 0), 0);
  const barSpace = BARS.width - BARS.labelWidth - BARS.valueWidth;
  const height = drawn.length * BARS.rowHeight + 4;
  const rows = drawn.map(([label, value], position) => {
    const y = position * BARS.rowHeight + 2;
    const width = max > 0 ? Math.max(1, ((value ?? 0) / max) * barSpace) : 1;
    const short = String(label).length > 34 ? `${String(label).slice(0, 33)}…` : String(label);
    return `<g><title>${escapeHtml(label)}: ${escapeHtml(format(value))}</title>`
      + `<text class="bar-label" x="${BARS.labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(short)}</text>`
      + `<rect class="bar" x="${BARS.labelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${BARS.rowHeight - 6}"></rect>`
      + `<text class="bar-value" x="${(BARS.labelWidth + width + 4).toFixed(1)}" y="${y + 15}">${escapeHtml(format(value))}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${BARS.width} ${height}" width="${BARS.width}" role="img" aria-label="${escapeHtml(title)}">${rows.join('')}</svg>`;
}

/**
 * Returns a figure with `title` as its caption and a copy of `chart`, an SVG
 * drawn by the page, or '' when there is no chart. The copy keeps the chart's
 * role="img" and aria-label, and gets `title` as its name if it has none.
 */
function chartFigure(id, title, chart) {
  const markup = copySvg(chart, title);
  if (!markup) {
    return '';
  }
  return `<figure class="chart" id="chart-${escapeHtml(id)}"><figcaption>${escapeHtml(title)}</figcaption>${markup}</figure>`;
}

/**
 * Returns a copy of an SVG drawn by the page as markup, keeping only drawing
 * elements and attributes, or '' when there is none. The serializer escapes
 * the text of labels and titles, and the quotes and angle brackets of
 * attribute values.
 */
function copySvg(element, name) {
  if (!element) {
    return '';
  }
  const copy = element.cloneNode(true);
  clean(copy);
  copy.setAttribute('role', 'img');
  if (!copy.getAttribute('aria-label')) {
    copy.setAttribute('aria-label', name);
  }
  return new XMLSerializer().serializeToString(copy);
}

function clean(element) {
  for (const attribute of [...element.attributes]) {
    const external = /url\s*\(/i.test(attribute.value) && !LOCAL_REFERENCE.test(attribute.value.trim());
    if (!SVG_ATTRIBUTES.has(attribute.name) || external) {
      element.removeAttribute(attribute.name);
    }
  }
  for (const child of [...element.children]) {
    if (SVG_ELEMENTS.has(child.localName) && child.namespaceURI === 'http://www.w3.org/2000/svg') {
      clean(child);
    } else {
      child.remove();
    }
  }
}
