// A long path keeps its first three and last four steps on screen, counts
// the steps between, and carries the whole path in its tooltip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const STEPS = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10', 's11'];
const LONG_CSV = [
  'user,event,ts',
  ...STEPS.map((step, minute) => `u1,${step},2024-01-01T10:${String(minute).padStart(2, '0')}:00Z`),
  'u1,purchase,2024-01-01T11:00:00Z',
  '',
].join('\n');

test('long paths show their ends', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'long.csv', text: LONG_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=paths-converters] [data-testid=path-row]', { timeout: RESULT_TIMEOUT_MS });

  // The converter's path has 12 steps: 3 shown, 5 counted, 4 shown.
  const path = page.locator('[data-testid=paths-converters] [data-testid=path-row] .path').first();
  const chips = await path.locator('.chip').allTextContents();
  assert.deepEqual(chips, ['s01', 's02', 's03', '… 5 more …', 's09', 's10', 's11', 'purchase']);
  assert.equal(await path.getAttribute('title'), [...STEPS, 'purchase'].join(' → '));

  // Before converting the path has 11 steps: 3 shown, 4 counted, 4 shown.
  await page.waitForSelector('[data-testid=speed-path]', { timeout: RESULT_TIMEOUT_MS });
  const speedPath = page.locator('[data-testid=speed-path]').first();
  assert.match(await speedPath.textContent(), /^s01 → s02 → s03 → … 4 more steps … → s08 → s09 → s10 → s11 /);
  assert.equal(await speedPath.getAttribute('title'), STEPS.join(' → '));
  assert.deepEqual(pageErrors, []);
});
