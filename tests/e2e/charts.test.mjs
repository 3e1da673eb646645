// The SVG charts of the histogram, the weekday × hour heat map and the
// process map graph, checked against the report the page downloads as JSON.
// Each chart has one mark per bin, cell or edge, tooltips with count and
// share, an accessible name and SVG and PNG downloads. A click on a process
// map edge opens its people.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analyse, dropFiles, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';
import { formatCount, formatShare } from '../../www/views/format.js';

const TIMING_FIXTURE = new URL('../fixtures/timing-fixture.csv', import.meta.url);
const PERMIT_FIXTURE = fileURLToPath(new URL('../fixtures/permit-receipt.csv', import.meta.url));
const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Downloads the report as JSON through the page's own button and parses it. */
async function downloadReport(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  return JSON.parse(await readFile(await download.path(), 'utf8'));
}

/**
 * Clicks the SVG and PNG buttons of the export bar inside `container` and
 * checks both files: the SVG parses and contains every text of `labels`, and
 * the PNG starts with the PNG signature. Returns the SVG's text.
 */
async function checkExport(page, container, fileName, labels) {
  const exportBar = container.locator('[data-testid=chart-export]').first();
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), exportBar.locator('[data-testid=chart-export-svg]').click()]);
  assert.equal(svgDownload.suggestedFilename(), `${fileName}.svg`);
  const text = await readFile(await svgDownload.path(), 'utf8');
  const parsed = await page.evaluate((markup) => {
    const document = new DOMParser().parseFromString(markup, 'image/svg+xml');
    return {
      root: document.documentElement.localName,
      errors: document.getElementsByTagName('parsererror').length,
      texts: [...document.querySelectorAll('text')].map((node) => node.textContent),
    };
  }, text);
  assert.equal(parsed.root, 'svg', `${fileName}.svg is an SVG document`);
  assert.equal(parsed.errors, 0, `${fileName}.svg parses without errors`);
  for (const label of labels) {
    assert.ok(parsed.texts.includes(label), `${fileName}.svg contains the label "${label}"`);
  }

  const [pngDownload] = await Promise.all([page.waitForEvent('download'), exportBar.locator('[data-testid=chart-export-png]').click()]);
  assert.equal(pngDownload.suggestedFilename(), `${fileName}.png`);
  const png = await readFile(await pngDownload.path());
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, `${fileName}.png has the PNG signature`);
  assert.ok(png.length > 1000, `${fileName}.png has a drawing (${png.length} bytes)`);
  return text;
}

async function saveScreenshot(locator, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
}

/** Returns the relative luminance of an `rgb(r, g, b)` or `#rrggbb` colour (WCAG 2.1). */
function luminance(colour) {
  const channels = colour.startsWith('#')
    ? [1, 3, 5].map((start) => Number.parseInt(colour.slice(start, start + 2), 16))
    : colour.match(/\d+/g).slice(0, 3).map(Number);
  const linear = channels.map((value) => {
    const share = value / 255;
    return share <= 0.03928 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

function contrast(first, second) {
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}

async function readMarks(locator) {
  return locator.evaluateAll((nodes) => nodes.map((node) => ({
    count: Number(node.dataset.count),
    title: node.querySelector('title')?.textContent ?? '',
    fill: node.getAttribute('fill'),
  })));
}

test('histogram and heat map match report', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 1200 });
  await dropFiles(page, [{ name: 'timing-fixture.csv', text: await readFile(TIMING_FIXTURE, 'utf8') }]);
  await page.waitForSelector('[data-testid=file-card]');
  await page.selectOption('[data-testid=time-zone]', 'Europe/Berlin');
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForSelector('[data-testid=channel-speed-table]', { timeout: RESULT_TIMEOUT_MS });
  const report = await downloadReport(page);

  // Time to convert: one bar per bin, with the bin's count and its share of all converters.
  const bins = report.time_to_convert.histogram;
  const converters = bins.reduce((sum, bin) => sum + bin.people, 0);
  assert.ok(bins.length > 1, 'the fixture has several bins');
  const bars = await readMarks(page.locator('svg[data-testid=histogram-chart] [data-testid=histogram-bar]'));
  assert.equal(bars.length, bins.length, 'one bar per bin');
  bins.forEach((bin, index) => {
    assert.equal(bars[index].count, bin.people, `bar ${bin.label}: count`);
    assert.equal(bars[index].title, `${bin.label}: ${formatCount(bin.people)} converters, ${formatShare(bin.people / converters)} of all ${formatCount(converters)} converters`);
  });
  const histogramLabel = await page.getAttribute('svg[data-testid=histogram-chart]', 'aria-label');
  assert.match(histogramLabel, new RegExp(`^Converters by time to convert: bar chart of ${formatCount(converters)} converters in ${bins.length} bins`));
  assert.equal(await page.getAttribute('svg[data-testid=histogram-chart]', 'role'), 'img');
  assert.equal(await page.locator('[data-testid=histogram-bin]').count(), bins.length, 'the table alternative stays');
  const histogramFigure = page.locator('[data-testid=histogram-figure]');
  const histogramSvg = await checkExport(page, histogramFigure, 'pathlight-histogram', [bins[0].label, bins.at(-1).label, 'People']);
  assert.match(histogramSvg, /<rect [^>]*class="histogram-bar"[^>]*fill="/, 'the bars keep their colour without the page');
  await saveScreenshot(histogramFigure, 'chart-histogram');

  // The gap histogram of the silences uses the same chart.
  const gapBins = report.silences.histogram;
  const gapBars = await readMarks(page.locator('[data-testid=silences-histogram-bar]'));
  assert.deepEqual(gapBars.map((bar) => bar.count), gapBins.map((bin) => bin.gaps));
  assert.match(gapBars[0].title, /^.+: [\d,]+ gaps, \d+\.\d% of all [\d,]+ gaps$/);

  // Heat map: 7 × 24 cells with the report's counts, in the report's order.
  const rhythm = report.rhythm;
  const cells = await readMarks(page.locator('svg[data-testid=rhythm-chart] [data-testid=rhythm-heat-cell]'));
  assert.equal(cells.length, 7 * 24, 'one cell per weekday and hour');
  assert.deepEqual(cells.map((cell) => cell.count), rhythm.counts.flat());
  const peakIndex = rhythm.peak_weekday * 24 + rhythm.peak_hour;
  const peak = rhythm.counts[rhythm.peak_weekday][rhythm.peak_hour];
  const hour = String(rhythm.peak_hour).padStart(2, '0');
  const nextHour = String(rhythm.peak_hour + 1).padStart(2, '0');
  assert.equal(cells[peakIndex].title,
    `${WEEKDAYS[rhythm.peak_weekday]} ${hour}:00 to ${nextHour}:00: ${formatCount(peak)} "purchase" events, ${formatShare(peak / rhythm.events)} of all ${formatCount(rhythm.events)}`);

  // Darker cells hold more, and an empty cell differs from every filled one.
  const filled = cells.filter((cell) => cell.count > 0).sort((a, b) => a.count - b.count);
  for (let index = 1; index < filled.length; index += 1) {
    assert.ok(luminance(filled[index].fill) <= luminance(filled[index - 1].fill) + 1e-9,
      `a cell of ${filled[index].count} is not lighter than one of ${filled[index - 1].count}`);
  }
  const emptyFills = new Set(cells.filter((cell) => cell.count === 0).map((cell) => cell.fill));
  assert.equal(emptyFills.size, 1, 'every empty cell has the same fill');
  const [emptyFill] = emptyFills;
  // WCAG 2.1 requires 3:1 for graphics: each filled cell against white and against an empty cell.
  for (const cell of filled) {
    assert.ok(contrast(cell.fill, '#ffffff') >= 3, `a cell of ${cell.count} (${cell.fill}) reaches 3:1 on white`);
    assert.ok(contrast(cell.fill, emptyFill) >= 3, `a cell of ${cell.count} (${cell.fill}) reaches 3:1 against an empty cell`);
  }

  const heatmapLabel = await page.getAttribute('svg[data-testid=rhythm-chart]', 'aria-label');
  assert.match(heatmapLabel, new RegExp(`^Heat map of ${formatCount(rhythm.events)} "purchase" events by weekday and hour in Europe/Berlin`));
  assert.equal(await page.locator('[data-testid=rhythm-legend]').count(), 1, 'the heat map has a legend');
  assert.equal(await page.locator('[data-testid=rhythm-cell]').count(), 7 * 24, 'the table alternative stays');
  const rhythmView = page.locator('[data-testid=rhythm-chart]').locator('xpath=../..');
  await checkExport(page, rhythmView, 'pathlight-rhythm', ['Monday', 'Sunday', 'Hour of the day (Europe/Berlin)', 'Weekday']);
  await saveScreenshot(page.locator('svg[data-testid=rhythm-chart]'), 'chart-heatmap');
  assert.deepEqual(pageErrors, []);
});

test('process map graph draws chosen edges', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 1200 });
  await page.setInputFiles('[data-testid=file-input]', PERMIT_FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('svg[data-testid=process-graph]', { timeout: RESULT_TIMEOUT_MS });
  const report = await downloadReport(page);
  const allEdges = report.process_map.edges;
  assert.ok(allEdges.length > 10, `the permit log has ${allEdges.length} edges`);

  const graph = page.locator('svg[data-testid=process-graph]');
  const checkGraph = async (edgeLimit) => {
    const expected = allEdges.slice(0, edgeLimit);
    const drawn = await graph.locator('[data-testid=process-graph-edge]').evaluateAll((nodes) => nodes.map((node) => ({
      source: node.dataset.source,
      target: node.dataset.target,
      label: node.querySelector('text').textContent,
      title: node.querySelector('title').textContent,
    })));
    assert.equal(drawn.length, expected.length, `${expected.length} edges drawn`);
    const key = (edge) => `${edge.source}\u0000${edge.target}`;
    assert.deepEqual(new Set(drawn.map(key)), new Set(expected.map(key)), 'the most frequent edges are drawn');
    const activities = new Set(expected.flatMap((edge) => [edge.source, edge.target]));
    const nodes = await graph.locator('[data-testid=process-graph-node]').evaluateAll((items) => items.map((item) => item.dataset.name));
    assert.deepEqual(new Set(nodes), activities, 'one box per activity of the drawn edges');
    assert.equal(nodes.length, activities.size);
    assert.equal(await page.locator('[data-testid=process-edge]').count(), expected.length, 'the table lists the drawn edges');
    for (const edge of expected) {
      const match = drawn.find((item) => key(item) === key(edge));
      assert.ok(match.label.startsWith(formatCount(edge.frequency)), `label "${match.label}" starts with the count`);
      assert.ok(match.title.includes(`${formatCount(edge.frequency)} times`), `title "${match.title}" has the count`);
      assert.match(match.title, /\d+\.\d% of all [\d,]+/, `title "${match.title}" has the share`);
    }
    return expected;
  };

  // The default keeps the graph readable: the 30 most frequent edges.
  const shownByDefault = await checkGraph(Math.min(30, allEdges.length));
  assert.equal(await page.inputValue('[data-testid=process-edge-limit]'), allEdges.length > 30 ? '30' : 'all');
  assert.equal(await graph.getAttribute('role'), 'img');
  assert.match(await graph.getAttribute('aria-label'), new RegExp(`^Process map graph of the ${shownByDefault.length} most frequent directly-follows edges`));
  assert.equal(await graph.locator('[data-testid=process-graph-start]').count(), 1, 'a Start marker');
  assert.equal(await graph.locator('[data-testid=process-graph-end]').count(), 1, 'an End marker');
  assert.ok(await graph.locator('[data-testid=process-graph-start-edge]').count() > 0, 'Start links to the start activities');
  await saveScreenshot(page.locator('.process-graph-scroll'), 'chart-process-map');

  await page.selectOption('[data-testid=process-edge-limit]', '10');
  await checkGraph(10);
  await page.selectOption('[data-testid=process-edge-limit]', 'all');
  await checkGraph(allEdges.length);
  await page.selectOption('[data-testid=process-edge-limit]', '10');
  await checkGraph(10);

  const processMap = page.locator('[data-testid=process-map]');
  await checkExport(page, processMap, 'pathlight-process-map', ['Start', 'End', 'Confirmation of receipt']);

  // Clicking an arrow's label opens the people of that edge.
  const edge = allEdges.find((item) => typeof item.people === 'number' && item.people > 0);
  const drawnEdge = graph.locator(`[data-testid=process-graph-edge][data-source="${edge.source}"][data-target="${edge.target}"]`);
  await drawnEdge.locator('text').click();
  const title = `Process map: ${edge.source} → ${edge.target}`;
  await page.waitForFunction((expected) => document.querySelector('[data-testid=people] h3')?.textContent === expected, title, { timeout: RESULT_TIMEOUT_MS });
  const description = await page.textContent('[data-testid=people-description]');
  assert.equal(parseCount(description.split(' ')[0]), edge.people, `"${description}" counts the edge's ${edge.people} people`);
  assert.deepEqual(pageErrors, []);
});

test('process map graph draws self-loops', async (t) => {
  const { page, pageErrors } = await openApp(t, { width: 1200 });
  const rows = [
    'user,ts,event',
    'p1,2024-03-01T00:00:00Z,visit', 'p1,2024-03-01T01:00:00Z,visit', 'p1,2024-03-01T02:00:00Z,cart',
    'p2,2024-03-01T00:00:00Z,visit', 'p2,2024-03-01T00:30:00Z,cart', 'p2,2024-03-01T01:00:00Z,cart', 'p2,2024-03-01T02:00:00Z,buy',
    'p3,2024-03-02T00:00:00Z,visit', 'p3,2024-03-02T00:10:00Z,visit', 'p3,2024-03-02T00:20:00Z,visit',
  ];
  await dropFiles(page, [{ name: 'loops.csv', text: `${rows.join('\n')}\n` }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('svg[data-testid=process-graph]', { timeout: RESULT_TIMEOUT_MS });
  const report = await downloadReport(page);
  const loops = report.process_map.edges.filter((edge) => edge.source === edge.target);
  assert.deepEqual(loops.map((edge) => edge.source).sort(), ['cart', 'visit'], 'the fixture has two self-loops');

  for (const loop of loops) {
    const drawn = page.locator(`svg[data-testid=process-graph] [data-testid=process-graph-edge][data-source="${loop.source}"][data-target="${loop.source}"]`);
    assert.equal(await drawn.count(), 1, `the self-loop of ${loop.source} is drawn once`);
    assert.ok((await drawn.locator('text').textContent()).startsWith(formatCount(loop.frequency)), `the loop of ${loop.source} is labelled with its count`);
    // In SVG units: the loop's start and end lie on the right side of its box, and its farthest point right of it.
    const rect = page.locator(`svg[data-testid=process-graph] [data-testid=process-graph-node][data-name="${loop.source}"] rect`);
    const right = await rect.evaluate((node) => node.x.baseVal.value + node.width.baseVal.value);
    const ends = await drawn.locator('.process-edge-line').evaluate((path) => {
      const length = path.getTotalLength();
      return { start: path.getPointAtLength(0).x, middle: path.getPointAtLength(length / 2).x, end: path.getPointAtLength(length).x };
    });
    assert.ok(Math.abs(ends.start - right) < 0.5, `the loop of ${loop.source} starts at the box's right side (${ends.start} and ${right})`);
    assert.ok(Math.abs(ends.end - right) < 0.5, `the loop of ${loop.source} ends at the box's right side (${ends.end} and ${right})`);
    assert.ok(ends.middle > right + 10, `the loop of ${loop.source} bends away from its box (${ends.middle} and ${right})`);
  }
  assert.equal(await page.locator('svg[data-testid=process-graph] [data-testid=process-graph-edge]').count(), report.process_map.edges.length);
  assert.deepEqual(pageErrors, []);
});
