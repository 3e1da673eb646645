// A value that cannot be read is reported where the user sees it. In lenient
// mode the row is skipped and counted, and the message names the file, row,
// column and value. In strict mode loading stops with an alert. A file that
// cannot be read at all is named once in the alert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, mapColumns, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FILE_NAME = 'bad-time.csv';
// Row 4 as a spreadsheet counts, the header being row 1.
const BAD_TIME_CSV = [
  'user,event,ts',
  'u1,page_view,2024-04-01T10:00:00Z',
  'u1,sign_up,2024-04-01T10:05:00Z',
  'u1,purchase,yesterday',
  'u2,page_view,2024-04-01T11:00:00Z',
  'u2,sign_up,2024-04-01T11:30:00Z',
  'u3,page_view,2024-04-02T09:00:00Z',
  '',
].join('\n');

const COLUMNS = { person: 'user', event: 'event', time: 'ts' };

test('bad time skipped and reported', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: FILE_NAME, text: BAD_TIME_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, COLUMNS);
  await analyse(page);

  const problem = page.locator('[data-testid=problem]').first();
  await problem.waitFor({ state: 'visible' });
  const text = await problem.textContent();
  assert.match(text, /bad-time\.csv/, 'names the file');
  assert.match(text, /row 4\b/, 'names the row');
  assert.match(text, /column ts\b/, 'names the column');
  assert.match(text, /yesterday/, 'shows the value');

  assert.equal(await readCount(page, 'skipped-count'), 1);
  assert.ok(await page.isVisible('[data-testid=skipped-rows]'), 'the skipped rows are visible');
  assert.equal(await readCount(page, 'summary-people'), 3);
});

test('bad time in strict mode alerts', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: FILE_NAME, text: BAD_TIME_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, COLUMNS);
  await page.check('[data-testid=strict]');
  await page.click('[data-testid=analyse-button]');

  const alert = page.locator('[role=alert][data-testid=status-error]');
  await alert.locator('p').first().waitFor({ state: 'visible', timeout: RESULT_TIMEOUT_MS });
  const text = await alert.textContent();
  assert.match(text, /yesterday/, 'shows the value');
  assert.match(text, /\b4\b/, 'names the row');
  assert.ok(await page.isHidden('[data-testid=results]'), 'no results are shown');
});

test('failed file named once', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'empty.csv', text: '' }]);

  const alert = page.locator('[role=alert][data-testid=status-error]');
  await alert.locator('p').first().waitFor({ state: 'visible', timeout: RESULT_TIMEOUT_MS });
  const text = await alert.textContent();
  assert.match(text, /^empty\.csv: /, 'starts with the file name');
  assert.equal(text.split('empty.csv').length - 1, 1, `names the file once: "${text}"`);
  assert.match(text, /empty/, 'says the file is empty');
});
