// A step's filter match and its window from the previous step. u1 buys 10
// minutes after viewing /pricing and u2 20 minutes after viewing
// /pricing/team, and u3 views /plans and never buys.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const PRICING_CSV = [
  'user,event,ts,page',
  'u1,view_pricing,2024-04-01T10:00:00Z,/pricing',
  'u1,purchase,2024-04-01T10:10:00Z,/checkout',
  'u2,view_pricing,2024-04-01T10:00:00Z,/pricing/team',
  'u2,purchase,2024-04-01T10:20:00Z,/checkout',
  'u3,view_pricing,2024-04-01T10:00:00Z,/plans',
  '',
].join('\n');

async function openPricingFunnel(t) {
  const app = await openApp(t);
  await dropFiles(app.page, [{ name: 'pricing.csv', text: PRICING_CSV }]);
  await app.page.waitForSelector('[data-testid=file-card]');
  await analyse(app.page);
  await setFunnel(app.page, ['view_pricing', 'purchase']);
  return app;
}

async function waitForPeople(page, expected) {
  await page.waitForFunction((counts) => {
    const cells = [...document.querySelectorAll('[data-testid=funnel-step-people]')];
    return cells.length === counts.length && cells.every((cell, index) => cell.textContent === String(counts[index]));
  }, expected, { timeout: RESULT_TIMEOUT_MS });
}

test('glob match widens step filter', async (t) => {
  const { page, pageErrors } = await openPricingFunnel(t);
  const step = page.locator('[data-testid=funnel-step]').first();
  await step.locator('[data-testid=funnel-step-column]').selectOption('page');
  await step.locator('[data-testid=funnel-step-value]').fill('/pricing*');
  await step.locator('[data-testid=funnel-step-value]').press('Enter');
  await waitForPeople(page, [0, 0]);

  await step.locator('[data-testid=funnel-step-match]').selectOption('glob');
  await waitForPeople(page, [2, 2]);

  await step.locator('[data-testid=funnel-step-value]').fill('/pricing(/team)?');
  await step.locator('[data-testid=funnel-step-match]').selectOption('regex');
  await waitForPeople(page, [2, 2]);
  assert.deepEqual(pageErrors, []);
});

test('step window limits next step', async (t) => {
  const { page, pageErrors } = await openPricingFunnel(t);
  await waitForPeople(page, [3, 2]);
  assert.equal(await page.locator('[data-testid=funnel-step-window]').count(), 1, 'only step 2 has a window');

  await page.fill('[data-testid=funnel-step-window]', '15m');
  await page.press('[data-testid=funnel-step-window]', 'Enter');
  await waitForPeople(page, [3, 1]);

  await page.fill('[data-testid=funnel-step-window]', 'soon');
  await page.press('[data-testid=funnel-step-window]', 'Enter');
  assert.match(await page.textContent('[data-testid=step-window-error]'), /Invalid funnel window "soon"/);
  assert.deepEqual(pageErrors, []);
});
