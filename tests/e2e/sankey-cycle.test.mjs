// A journey that comes back to a page (/home, /pricing, /home, /signup) is a
// cycle in a page graph. The Sankey numbers nodes by step, so it must draw
// four nodes in four columns, quickly, instead of hanging the layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, mapColumns, openApp } from './helpers.mjs';

const CYCLE_CSV = [
  'user,page,ts',
  'u1,/home,2024-04-01T10:00:00Z',
  'u1,/pricing,2024-04-01T10:01:00Z',
  'u1,/home,2024-04-01T10:02:00Z',
  'u1,/signup,2024-04-01T10:03:00Z',
  '',
].join('\n');

// Generous for four events: a hanging layout never finishes at all.
const SANKEY_TIMEOUT_MS = 10_000;

test('sankey of a page cycle renders', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'cycle.csv', text: CYCLE_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'page', time: 'ts' });

  const started = Date.now();
  await analyse(page);
  await page.waitForSelector('svg[data-testid=sankey] [data-testid=sankey-node]', { timeout: SANKEY_TIMEOUT_MS });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < SANKEY_TIMEOUT_MS, `the Sankey took ${elapsed} ms`);

  const titles = await page.locator('svg[data-testid=sankey] [data-testid=sankey-node] rect title').allTextContents();
  assert.deepEqual(titles.map((title) => title.replace(/, .*$/, '')).sort(), [
    'Step 1: /home',
    'Step 2: /pricing',
    'Step 3: /home',
    'Step 4: /signup',
  ]);
  const columns = await page.locator('svg[data-testid=sankey] [data-testid=sankey-node] rect')
    .evaluateAll((rects) => new Set(rects.map((rect) => rect.getAttribute('x'))).size);
  assert.equal(columns, 4, 'one column per step');
  assert.deepEqual(pageErrors, []);
});
