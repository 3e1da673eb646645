// A channel path table: the card shows its path columns instead of the role
// selects, the load expands each row into journeys with made-up times, and
// the results replace every time-based figure with an explanation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, readCount } from './helpers.mjs';

const PATHS_CSV = await readFile(new URL('../fixtures/formats/channel_paths.csv', import.meta.url), 'utf8');

// Rows of conversions + non-conversions: 2 + 3, 0 + 4 and 1 + 0 journeys.
const JOURNEYS = 10;
const CONVERTERS = 3;

test('path table hides timing figures', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'channel_paths.csv', text: PATHS_CSV }]);
  const paths = page.locator('[data-testid=file-card]');
  await paths.waitFor();

  assert.match(await paths.locator('[data-testid=detected-format]').textContent(), /^Recognised as Channel path table\b/);
  assert.equal(await paths.locator('[data-testid=path-table-summary]').textContent(),
    'Channel path table: each row is total_conversions + total_null journeys.');
  assert.equal(await paths.locator('[data-testid=path-table-value] code').textContent(), 'total_conversion_value');
  assert.equal(await paths.locator('[data-testid=map-person]').count(), 0, 'no person, time or event selects');

  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), JOURNEYS);
  assert.equal(await readCount(page, 'summary-converters'), CONVERTERS);
  assert.match(await page.textContent('[data-testid=synthetic-times]'), /^The times are synthetic/);
  assert.match(await page.textContent('[data-testid=timing-unavailable]'), /^Time to convert is not available/);
  assert.equal(await page.locator('[data-testid=histogram]').count(), 0, 'no histogram');
  assert.equal(await page.locator('[data-testid=timing-median]').count(), 0, 'no time percentiles');
  assert.equal(await page.locator('[data-testid=funnel-completion]').count(), 0, 'no completion time');
  assert.ok(await page.isVisible('[data-testid=funnel-times-unavailable]'), 'the funnel says why');
  assert.equal(await page.locator('[data-testid=warning][data-kind=synthetic_times]').count(), 1);
});

test('path table can be mapped normally', async (t) => {
  const { page } = await openApp(t);
  await dropFiles(page, [{ name: 'channel_paths.csv', text: PATHS_CSV }]);
  const paths = page.locator('[data-testid=file-card]');
  await paths.waitFor();

  await paths.locator('[data-testid=map-normally]').click();
  assert.equal(await paths.locator('[data-testid=path-table]').count(), 0);
  assert.equal(await paths.locator('[data-testid=map-person]').inputValue(), '', 'the roles start empty');
  await page.click('[data-testid=analyse-button]');
  assert.match(await page.textContent('[data-testid=mapping-problems]'), /choose the person id column/);

  await paths.locator('[data-testid=use-path-table]').click();
  assert.equal(await paths.locator('[data-testid=path-table]').count(), 1, 'the path table is back');
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), JOURNEYS);
});
