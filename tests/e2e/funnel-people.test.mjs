// The people behind a funnel bar, the column held constant across steps and
// what dropped people did next. A person id that starts with = must reach the
// CSV export as text, never as a formula.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, readFunnelPeople, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

// With the product held constant, u1 (views p1, purchases p2) and =HYPERLINK (views p4 only) drop
// before step 2; u2 views and purchases p3. Without it, u1 reaches step 2 too.
const PRODUCTS_CSV = [
  'user,event,product,ts',
  'u1,view,p1,2024-01-01T10:00:00Z',
  'u1,purchase,p2,2024-01-01T10:05:00Z',
  'u2,view,p3,2024-01-01T10:00:00Z',
  'u2,purchase,p3,2024-01-01T10:09:00Z',
  '"=HYPERLINK(""x"")",view,p4,2024-01-01T11:00:00Z',
  '',
].join('\n');

test('a held column, the drop-off list and the people behind a bar', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'products.csv', text: PRODUCTS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['view', 'purchase']);
  assert.deepEqual(await readFunnelPeople(page), [3, 2]);

  await page.selectOption('[data-testid=funnel-hold-constant]', 'product');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=funnel-step-people]')[1]?.textContent.trim() === '1',
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.match(await page.textContent('[data-testid=funnel-rule]'), /same product as the step-1 event/);
  const next = await page.textContent('[data-testid=funnel-drop-next]');
  assert.match(next, /Before step 2, 2 dropped/);
  assert.match(next, /\(journey ended\): 1 \(50/);
  assert.match(next, /purchase p2: 1 \(50/);

  await page.click('[data-testid=funnel-step-dropped] button');
  await page.waitForSelector('[data-testid=people-table]', { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.textContent('[data-testid=people-description]'), '2 people reached step 1 and not step 2 (purchase).');
  const rows = await page.locator('[data-testid=people-row]').evaluateAll((nodes) => nodes.map((row) => [...row.children].map((cell) => cell.textContent)));
  assert.deepEqual(rows, [
    ['u1', '2', 'yes', 'view → purchase'],
    ['=HYPERLINK("x")', '1', 'no', 'view'],
  ]);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=people-export]')]);
  const text = await readFile(await download.path(), 'utf8');
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'person,events,converted,first_time,last_listed_time,journey');
  assert.equal(lines[1], 'u1,2,yes,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,view → purchase');
  assert.equal(lines[2], `"'=HYPERLINK(""x"")",1,no,2024-01-01T11:00:00Z,2024-01-01T11:00:00Z,view`);

  await page.click('[data-testid=people-close]');
  assert.equal(await page.isHidden('[data-testid=people]'), true);
  assert.deepEqual(pageErrors, []);
});
