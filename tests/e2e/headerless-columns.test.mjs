// A file without a header row: the user unticks or keeps "First row is a
// header", names the columns, and turns the date column into an event. The
// CDNOW purchases (whitespace separated: customer id, customer index, date
// YYYYMMDD, number of CDs, dollar value) load end to end this way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const CDNOW_HEAD = await readFile(new URL('../fixtures/cdnow-head.txt', import.meta.url), 'utf8');
const CDNOW_NAMES = ['customer_id', 'customer_index', 'date', 'cds', 'dollars'];

// Figures of the 50 rows, counted with awk: 13 distinct customer ids, and
// the dollar values sum to 1,928.37.
const CDNOW_CUSTOMERS = 13;
const CDNOW_ROWS = 50;

const WITH_HEADER_CSV = [
  'user,event,ts',
  'u1,page_view,2024-04-01T10:00:00Z',
  'u2,sign_up,2024-04-01T11:00:00Z',
  '',
].join('\n');

function card(page, name) {
  return page.locator(`[data-testid=file-card][data-file="${name}"]`);
}

async function columnNames(fileCard) {
  return fileCard.locator('[data-testid=map-person] option').evaluateAll((options) => options.slice(1).map((option) => option.value));
}

test('CDNOW loads after naming columns', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'cdnow-head.txt', text: CDNOW_HEAD }]);
  const cdnow = card(page, 'cdnow-head.txt');
  await cdnow.waitFor();

  assert.equal(await cdnow.locator('[data-testid=delimiter]').inputValue(), 'whitespace', 'the sniffed delimiter');
  assert.equal(await cdnow.locator('[data-testid=has-header]').isChecked(), false, 'no header row is detected');
  assert.equal(await cdnow.locator('[data-testid=dialect-line-ending]').textContent(), 'CRLF (Windows)');
  const inputs = cdnow.locator('[data-testid=column-name]');
  assert.deepEqual(await inputs.evaluateAll((nodes) => nodes.map((node) => node.value)),
    ['column_1', 'column_2', 'column_3', 'column_4', 'column_5'], 'prefilled names');
  assert.ok(await cdnow.locator('[data-testid=apply-column-names]').isDisabled(), 'nothing to apply yet');

  for (const [position, name] of CDNOW_NAMES.entries()) {
    await inputs.nth(position).fill(name);
  }
  await page.click('[data-testid=analyse-button]');
  assert.match(await page.textContent('[data-testid=mapping-problems]'), /Use these names/, 'typed names must be applied first');

  await cdnow.locator('[data-testid=apply-column-names]').click();
  await page.waitForSelector('[data-testid=map-person] option[value=customer_id]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await columnNames(card(page, 'cdnow-head.txt')), CDNOW_NAMES);

  const named = card(page, 'cdnow-head.txt');
  await named.locator('[data-testid=map-person]').selectOption('customer_id');
  await named.locator('[data-testid=map-value]').selectOption('dollars');
  await named.locator('[data-testid=date-event-name][data-column=date]').fill('purchase');
  await analyse(page);

  assert.equal(await readCount(page, 'summary-people'), CDNOW_CUSTOMERS);
  assert.equal(await readCount(page, 'summary-events'), CDNOW_ROWS);
  assert.equal(await page.textContent('[data-testid=summary-total-value]'), '1,928.37');
  const eventNames = await page.locator('[data-testid=conversion-event] option').evaluateAll((options) => options.slice(1).map((option) => option.value));
  assert.deepEqual(eventNames, ['purchase']);
  assert.deepEqual(pageErrors, []);
});

test('whitespace delimiter listed once', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'cdnow-head.txt', text: CDNOW_HEAD }, { name: 'events.csv', text: WITH_HEADER_CSV }]);
  await card(page, 'events.csv').waitFor();

  for (const name of ['cdnow-head.txt', 'events.csv']) {
    const values = await card(page, name).locator('[data-testid=delimiter] option').evaluateAll((options) => options.map((option) => option.value));
    assert.deepEqual(values, [',', ';', 'tab', '|', 'whitespace'], `${name}: one option per delimiter`);
  }
  const cdnowLabels = await card(page, 'cdnow-head.txt').locator('[data-testid=delimiter] option').allTextContents();
  assert.deepEqual(cdnowLabels.filter((label) => label.includes('(detected)')), ['Whitespace (detected)']);
});

test('header toggle re-reads first row', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'events.csv', text: WITH_HEADER_CSV }]);
  const events = card(page, 'events.csv');
  await events.waitFor();
  assert.ok(await events.locator('[data-testid=has-header]').isChecked());
  assert.equal(await events.locator('[data-testid=column-names]').count(), 0, 'a file with a header needs no names');

  await events.locator('[data-testid=has-header]').uncheck();
  await page.waitForSelector('[data-testid=column-name]', { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await columnNames(card(page, 'events.csv')), ['column_1', 'column_2', 'column_3']);
  assert.equal(await card(page, 'events.csv').locator('[data-testid=delimiter]').inputValue(), ',', 'the delimiter is kept');

  await card(page, 'events.csv').locator('[data-testid=has-header]').check();
  await page.waitForSelector('[data-testid=column-names]', { state: 'detached', timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await columnNames(card(page, 'events.csv')), ['user', 'event', 'ts']);
});
