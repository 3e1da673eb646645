// The funnel breakdown by a property: each person goes to the value of the
// column on the event that filled step 1, and the table lists the step counts
// of each value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const PLAN_CSV = [
  'user,event,ts,plan',
  'u1,view_pricing,2024-04-01T10:00:00Z,team',
  'u1,purchase,2024-04-01T10:10:00Z,team',
  'u2,view_pricing,2024-04-01T10:00:00Z,solo',
  'u2,purchase,2024-04-01T10:20:00Z,solo',
  'u3,view_pricing,2024-04-01T10:00:00Z,team',
  '',
].join('\n');

test('breakdown by property lists values', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await dropFiles(page, [{ name: 'plans.csv', text: PLAN_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await setFunnel(page, ['view_pricing', 'purchase']);
  assert.equal(await page.locator('[data-testid=funnel-breakdown-table]').count(), 0, 'no table without a breakdown');

  await page.selectOption('[data-testid=funnel-breakdown]', 'plan');
  await page.waitForSelector('[data-testid=funnel-breakdown-table]', { timeout: RESULT_TIMEOUT_MS });
  const rows = await page.locator('[data-testid=breakdown-row]').evaluateAll((nodes) => nodes.map((row) => [...row.children].map((cell) => cell.textContent)));
  const byValue = Object.fromEntries(rows.map(([value, ...counts]) => [value, counts]));
  assert.deepEqual(byValue.team, ['2', '1']);
  assert.deepEqual(byValue.solo, ['1', '1']);
  assert.match(await page.textContent('[data-testid=funnel-breakdown-table] caption'), /by plan/);
  assert.deepEqual(pageErrors, []);
});
