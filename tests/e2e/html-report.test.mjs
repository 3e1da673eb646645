// The HTML report export. The downloaded file is opened from file:// in a
// fresh browser context that records every request. It must request nothing
// but the document itself, break no content security policy and run no
// script. It must show the key figures, and an event named like an HTML tag
// as text. The JSON report and the CSV tables download from the same bar.

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

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  return file;
}

test('HTML report opens offline with no request', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'hostile.csv', text: hostileCsv() }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['page_view', HOSTILE, 'purchase']);
  await page.waitForSelector('svg[data-testid=sankey]', { timeout: RESULT_TIMEOUT_MS });
  const people = await readCount(page, 'summary-people');

  const folder = mkdtempSync(join(tmpdir(), 'pathlight-report-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const reportPath = join(folder, 'report.html');
  await (await download(page, 'export-html')).saveAs(reportPath);
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
