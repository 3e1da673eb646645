// Segments on the page: the table of segments with their sizes, the people
// of one segment in the people panel, and its CSV export, in which person ids
// that start with = or + must arrive as text, never as formulas.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = new URL('../fixtures/segments-fixture.csv', import.meta.url);

test('a segment opens, lists its people and exports as CSV', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const text = await readFile(FIXTURE, 'utf8');
  await dropFiles(page, [{ name: 'segments-fixture.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  const repeatRow = '[data-testid=segment-row][data-segment=repeat_visit]';
  await page.waitForFunction((selector) => document.querySelector(`${selector} [data-testid=segment-people]`)?.textContent.trim() === '2',
    repeatRow, { timeout: RESULT_TIMEOUT_MS });

  const sizes = await page.locator('[data-testid=segment-row]').evaluateAll((rows) => Object.fromEntries(rows.map((row) => [
    row.dataset.segment, row.querySelector('[data-testid=segment-people]').textContent.trim(),
  ])));
  assert.equal(parseCount(sizes.did_event), 3);
  assert.equal(parseCount(sizes.fast_movers), 2);
  assert.equal(parseCount(sizes.stalled), 2);
  assert.equal(sizes.ready_to_buy, '–');
  assert.match(await page.textContent('[data-testid=segment-row][data-segment=ready_to_buy] [data-testid=segment-definition]'), /Unavailable: /);

  await page.click(`${repeatRow} [data-testid=segment-people-button]`);
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  assert.match(await page.textContent('[data-testid=people-description]'), /^2 people in the segment Repeat visits without converting/);
  const people = await page.locator('[data-testid=people-row] th').allTextContents();
  assert.deepEqual(people, ['=1+2', '+44 20']);
  assert.deepEqual(await page.locator('[data-testid=people-suggested-next]').allTextContents(), ['purchase', 'purchase']);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${repeatRow} [data-testid=segment-export]`)]);
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
  assert.deepEqual(lines, [
    'person_id,segment,events,converted,last_event_time,suggested_next_touchpoint',
    "'=1+2,repeat_visit,3,no,2024-02-25T10:00:00Z,purchase",
    "'+44 20,repeat_visit,5,no,2024-02-22T10:00:00Z,purchase",
  ]);
  assert.deepEqual(pageErrors, []);
});
