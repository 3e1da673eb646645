// Files of hostile shape on the page: a log where every row has its own event
// name, a header of 100,000 columns, a field longer than the 1 MiB limit and
// a quote that is never closed. Each ends in results or a clear message, and
// the page stays responsive while the worker reads and analyses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const DISTINCT_ROWS = 100_000;
const PEOPLE = 500;

function timeAt(second) {
  return new Date(Date.UTC(2024, 0, 1) + second * 1000).toISOString().replace('.000Z', 'Z');
}

/** Builds a log of DISTINCT_ROWS rows over PEOPLE people, every row with its own URL-like event. */
function distinctNamesCsv() {
  const lines = ['user_id,timestamp,event'];
  for (let row = 0; row < DISTINCT_ROWS; row += 1) {
    lines.push(`u${row % PEOPLE},${timeAt(row)},/page/${row}?ref=${row * 7}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Returns true when the page's main thread runs a script within `ms` milliseconds. */
async function pageResponds(page, ms) {
  const answered = page.evaluate(() => true);
  const timeout = new Promise((resolve) => { setTimeout(() => resolve(false), ms); });
  return Promise.race([answered, timeout]);
}

test('100k-name log stays bounded', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'distinct.csv', text: distinctNamesCsv() }]);
  await page.waitForSelector('[data-testid=file-card]', { timeout: RESULT_TIMEOUT_MS });

  await page.click('[data-testid=analyse-button]');
  // The engine works in a worker, so the page stays responsive while it runs.
  assert.equal(await pageResponds(page, 5000), true, 'the page responded during the analysis');
  await page.waitForSelector('[data-testid=results]:not([hidden]):not(.stale) [data-testid=summary-people]', { timeout: RESULT_TIMEOUT_MS });

  assert.equal(await readCount(page, 'summary-people'), PEOPLE);
  const warnings = await page.textContent('[data-testid=load-warnings]');
  assert.match(warnings, /100000 distinct event names/, 'the unlisted event names are reported');
  const tableRows = await page.locator('[data-testid=results] tr').count();
  assert.ok(tableRows < 5000, `the results draw ${tableRows} table rows`);
  const options = await page.locator('[data-testid=conversion-event] option').count();
  assert.ok(options <= 5001, `the conversion menu has ${options} entries`);
  assert.deepEqual(pageErrors, []);
});

test('100k-column header is rejected', async (t) => {
  const { page } = await openApp(t);
  const header = Array.from({ length: 100_000 }, (_, index) => `c${index}`).join(',');
  const row = Array.from({ length: 100_000 }, () => 'x').join(',');
  await dropFiles(page, [{ name: 'wide.csv', text: `${header}\n${row}\n` }]);

  const error = page.locator('[data-testid=status-error]');
  await error.getByText('wide.csv', { exact: false }).waitFor({ timeout: RESULT_TIMEOUT_MS });
  const message = await error.textContent();
  assert.match(message, /100000 fields/);
  assert.match(message, /Check the delimiter/);
  assert.equal(await pageResponds(page, 5000), true);
});

test('oversized field skips its row', async (t) => {
  const { page } = await openApp(t);
  const lines = ['user_id,timestamp,event,note', `u1,2024-01-01T00:00:00Z,visit,"${'a'.repeat(2 * 1024 * 1024)}"`];
  for (let row = 0; row < 20; row += 1) {
    lines.push(`u${row},${timeAt(60 * row)},buy,ok`);
  }
  await dropFiles(page, [{ name: 'field.csv', text: `${lines.join('\n')}\n` }]);
  await page.waitForSelector('[data-testid=file-card]', { timeout: RESULT_TIMEOUT_MS });
  await analyse(page);

  assert.equal(await readCount(page, 'summary-people'), 20);
  assert.equal(await readCount(page, 'file-skipped'), 1);
  const warnings = await page.textContent('[data-testid=load-warnings]');
  assert.match(warnings, /row 2/);
  assert.match(warnings, /1 MiB/);
});

test('unclosed quote names its row', async (t) => {
  const { page } = await openApp(t);
  const lines = ['user_id,timestamp,event', 'u1,2024-01-01T00:00:00Z,"visit'];
  for (let row = 0; row < 50_000; row += 1) {
    lines.push(`u${row},${timeAt(row)},visit`);
  }
  await dropFiles(page, [{ name: 'quote.csv', text: `${lines.join('\n')}\n` }]);
  await page.waitForSelector('[data-testid=file-card]', { timeout: RESULT_TIMEOUT_MS });
  await page.click('[data-testid=analyse-button]');

  const error = page.locator('[data-testid=status-error]');
  await error.getByText('closing quote', { exact: false }).waitFor({ timeout: RESULT_TIMEOUT_MS });
  const message = await error.textContent();
  assert.match(message, /quote\.csv, row 2, column "event"/);
  assert.match(message, /Close the quote/);
});
