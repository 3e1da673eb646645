// The HTML report export. The downloaded file is opened from file:// in a
// fresh browser context that records every request. It must request nothing
// but the document itself, break no content security policy and run no
// script. It must show the key figures, and an event named like an HTML tag
// as text. With JavaScript off and the network blocked, it must still show
// the page's charts as SVG, each with its accessible name and its table. The
// JSON report and the CSV tables download from the same bar.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

// Twelve people: every one views a page and does the hostile event, and the
// first five purchase, through two channels.
function hostileCsv() {
  const lines = ['user_id,timestamp,event,channel,revenue'];
  for (let person = 1; person <= 12; person += 1) {
    const id = `person${String(person).padStart(2, '0')}`;
    const day = String(person).padStart(2, '0');
    const channel = person % 2 === 0 ? 'email' : 'paid_search';
    lines.push(`${id},2024-05-${day}T09:00:00Z,page_view,${channel},`);
    lines.push(`${id},2024-05-${day}T09:05:00Z,"${HOSTILE}",${channel},`);
    if (person <= 5) {
      lines.push(`${id},2024-05-${day}T10:00:00Z,purchase,${channel},20.00`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// The charts of the report, by the id of their figure (`#chart-${id}`), with
// their accessible names for the hostile fixture's funnel of 3 steps. Each
// figure is followed by the table of the same id (`#table-${id}`).
const REPORT_CHARTS = [
  ['funnel', /^Funnel of 3 steps$/],
  ['sankey', /^Sankey diagram of the first \d+ steps of each journey$/],
  ['time-to-convert', /^Converters by time to convert: bar chart of 5 converters in \d+ bins\./],
  ['conversion-curve', /^Cumulative conversion over time since the first event, with its 95% interval$/],
  ['rhythm', /^Heat map of 5 "purchase" events by weekday and hour in /],
];

// The SVG elements the page's charts are drawn with. A name from the data
// that became markup would add another element, such as img.
const DRAWING_ELEMENTS = ['svg', 'g', 'path', 'rect', 'line', 'text', 'tspan', 'title', 'defs', 'linearGradient', 'stop'];

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  return file;
}

/**
 * Loads hostileCsv() with the funnel page_view, HOSTILE, purchase, downloads
 * the HTML report into a temporary folder that `t` removes, and returns its path.
 */
async function exportHostileReport(t, page) {
  await dropFiles(page, [{ name: 'hostile.csv', text: hostileCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['page_view', HOSTILE, 'purchase']);
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });
  await page.waitForSelector('svg[data-testid=curve-chart]', { timeout: RESULT_TIMEOUT_MS });

  const folder = mkdtempSync(join(tmpdir(), 'pathlight-report-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const reportPath = join(folder, 'report.html');
  await (await download(page, 'export-html')).saveAs(reportPath);
  return reportPath;
}

test('HTML report opens offline with no request', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  const reportPath = await exportHostileReport(t, page);
  const people = await readCount(page, 'summary-people');
  const html = await readFile(reportPath, 'utf8');

  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i, 'the hostile name is escaped everywhere, the copied charts included');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!html.includes('person01'), 'no person id in the report');

  const offline = await context.browser().newContext({ javaScriptEnabled: true });
  t.after(() => offline.close());
  const requests = [];
  offline.on('request', (request) => requests.push(request.url()));
  const reportPage = await offline.newPage();
  const violations = [];
  reportPage.on('console', (message) => {
    if (message.type() === 'error') {
      violations.push(message.text());
    }
  });
  const dialogs = [];
  reportPage.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    return dialog.dismiss();
  });
  const url = pathToFileURL(reportPath).href;
  await reportPage.goto(url);
  await reportPage.waitForLoadState('load');

  assert.deepEqual(requests, [url], 'only the document itself is requested');
  assert.deepEqual(violations, []);
  assert.deepEqual(dialogs, []);
  assert.equal(await reportPage.locator('img').count(), 0);
  assert.equal(await reportPage.textContent('#summary-people'), String(people));
  assert.equal(await reportPage.textContent('#summary-converters'), '5');
  assert.equal(await reportPage.textContent('#summary-conversion-rate'), '41.7%');
  const funnelRows = await reportPage.locator('#table-funnel tbody tr').evaluateAll((rows) => rows.map((row) => [...row.cells].slice(0, 2).map((cell) => cell.textContent)));
  assert.deepEqual(funnelRows, [['page_view', '12'], [HOSTILE, '12'], ['purchase', '5']]);
  assert.ok(await reportPage.locator('svg[aria-label^="Sankey diagram"]').count() === 1, 'the Sankey diagram is copied');
  assert.ok(await reportPage.locator('#table-channels').count() === 1, 'the channel table is present');
  assert.deepEqual(pageErrors, []);
});

test('HTML report charts show without script', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  const reportPath = await exportHostileReport(t, page);
  const url = pathToFileURL(reportPath).href;

  // No script runs, and every request but the one for the document fails.
  const offline = await context.browser().newContext({ javaScriptEnabled: false, offline: true });
  t.after(() => offline.close());
  const requests = [];
  offline.on('request', (request) => requests.push(request.url()));
  await offline.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  const reportPage = await offline.newPage();
  await reportPage.goto(url);
  await reportPage.waitForLoadState('load');
  assert.deepEqual(requests, [url], 'only the document itself is requested');

  for (const [id, name] of REPORT_CHARTS) {
    const figure = reportPage.locator(`#chart-${id}`);
    assert.equal(await figure.locator('svg').count(), 1, `the ${id} chart is one SVG`);
    assert.ok((await figure.locator('figcaption').textContent()).length > 0, `the ${id} chart has a caption`);
    assert.equal(await figure.getByRole('img', { name }).count(), 1, `the ${id} chart is an image named ${name}`);
    assert.equal(await reportPage.locator(`#chart-${id} + table#table-${id}`).count(), 1, `the ${id} table follows its chart`);
    const elements = await figure.locator('svg, svg *').evaluateAll((nodes) => [...new Set(nodes.map((node) => node.localName))]);
    assert.deepEqual(elements.filter((element) => !DRAWING_ELEMENTS.includes(element)), [], `the ${id} chart has drawing elements only`);
  }

  // Each funnel bar is labelled with its step's count in the table, and is
  // as long relative to the first bar as its count is to the first count.
  const bars = await reportPage.locator('#chart-funnel svg g').evaluateAll((groups) => groups.map((group) => ({
    label: group.querySelectorAll('text')[0].textContent,
    value: group.querySelectorAll('text')[1].textContent,
    width: Number(group.querySelector('rect').getAttribute('width')),
  })));
  const tableCounts = await reportPage.locator('#table-funnel tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(tableCounts, ['12', '12', '5']);
  assert.equal(bars.length, tableCounts.length, 'one funnel bar per table row');
  assert.deepEqual(bars.map((bar) => bar.value.split(' ')[0]), tableCounts);
  for (const [position, bar] of bars.entries()) {
    const expected = Number(tableCounts[position]) / Number(tableCounts[0]);
    assert.ok(Math.abs(bar.width / bars[0].width - expected) < 0.01, `bar ${position + 1} is ${bar.width} wide against ${bars[0].width} for the first`);
  }

  const histogramCounts = await reportPage.locator('#chart-time-to-convert rect.histogram-bar')
    .evaluateAll((rects) => rects.map((rect) => rect.getAttribute('data-count')));
  const histogramTable = await reportPage.locator('#table-time-to-convert tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(histogramCounts, histogramTable, 'each histogram bar has its bin count from the table');

  // The hostile event name is text in the charts' labels and tooltips.
  assert.equal(bars[1].label, `2. ${HOSTILE}`);
  const titles = await reportPage.locator('#chart-sankey svg title').allTextContents();
  assert.ok(titles.some((title) => title.startsWith(`Step 2: ${HOSTILE}, 12 people`)), `a Sankey tooltip names ${HOSTILE}`);
  for (const selector of ['img', '[onerror]', 'script', 'foreignObject']) {
    assert.equal(await reportPage.locator(selector).count(), 0, `the report has no ${selector}`);
  }
  assert.deepEqual(pageErrors, []);
});

test('JSON report and CSV tables download', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'hostile.csv', text: hostileCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['page_view', HOSTILE, 'purchase']);

  const json = JSON.parse(await readFile(await (await download(page, 'export-json')).path(), 'utf8'));
  assert.equal(json.summary.converters, 5);
  assert.deepEqual(json.funnel.steps.map((step) => step.people), [12, 12, 5]);

  await page.selectOption('[data-testid=export-csv-table]', 'funnel');
  const csv = await readFile(await (await download(page, 'export-csv')).path(), 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], 'Step,People,% of previous,% of first,Drop-off,Median time from previous (ms)');
  assert.match(lines[2], /^<img src=x onerror=alert\(1\)>,12,1,1,0,300000$/);
  assert.match(lines[3], /^purchase,5,/);
});
