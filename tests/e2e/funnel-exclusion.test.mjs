// The funnel's kind and exclusion steps change its counts. u1 gets a coupon
// between viewing the pricing and buying, u2 buys without one and u3 never
// buys. Excluding the coupon removes u1 from every step, and a strict funnel
// breaks u1's chain at the coupon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, readCount, readFunnelPeople, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const COUPON_CSV = [
  'user,event,ts',
  'u1,view_pricing,2024-04-01T10:00:00Z',
  'u1,got_coupon,2024-04-01T10:05:00Z',
  'u1,purchase,2024-04-01T10:10:00Z',
  'u2,view_pricing,2024-04-01T10:00:00Z',
  'u2,purchase,2024-04-01T10:20:00Z',
  'u3,view_pricing,2024-04-01T10:00:00Z',
  '',
].join('\n');

async function openCouponFunnel(t) {
  const app = await openApp(t);
  await dropFiles(app.page, [{ name: 'coupon.csv', text: COUPON_CSV }]);
  await app.page.waitForSelector('[data-testid=file-card]');
  await analyse(app.page);
  await setFunnel(app.page, ['view_pricing', 'purchase']);
  await app.page.fill('[data-testid=funnel-window]', '1d');
  await app.page.waitForFunction(() => document.querySelector('[data-testid=funnel-rule]')?.textContent.includes('1 day'),
    null, { timeout: RESULT_TIMEOUT_MS });
  return app;
}

async function waitForPeople(page, expected) {
  await page.waitForFunction((counts) => {
    const cells = [...document.querySelectorAll('[data-testid=funnel-step-people]')];
    return cells.length === counts.length && cells.every((cell, index) => cell.textContent === String(counts[index]));
  }, expected, { timeout: RESULT_TIMEOUT_MS });
}

test('exclusion removes people from every step', async (t) => {
  const { page, pageErrors } = await openCouponFunnel(t);
  assert.deepEqual(await readFunnelPeople(page), [3, 2], 'before the exclusion');
  assert.equal(await page.locator('[data-testid=funnel-excluded]').count(), 0, 'no excluded line without exclusions');

  await page.click('[data-testid=funnel-add-exclusion]');
  await page.locator('[data-testid=exclusion-event]').selectOption('got_coupon');
  assert.equal(await page.locator('[data-testid=exclusion-from]').inputValue(), '1');
  assert.equal(await page.locator('[data-testid=exclusion-to]').inputValue(), '2');
  await waitForPeople(page, [2, 1]);

  assert.deepEqual(await readFunnelPeople(page), [2, 1], 'u1 is removed, not dropped');
  assert.equal(await readCount(page, 'funnel-excluded'), 1);
  assert.match(await page.textContent('[data-testid=funnel-rule]'), /got_coupon/);
  assert.deepEqual(pageErrors, []);
});

test('strict kind breaks chain', async (t) => {
  const { page, pageErrors } = await openCouponFunnel(t);
  await page.selectOption('[data-testid=funnel-kind]', 'strict');
  await waitForPeople(page, [3, 1]);
  assert.deepEqual(await readFunnelPeople(page), [3, 1], 'only u2 buys right after the pricing view');

  await page.selectOption('[data-testid=funnel-kind]', 'any_order');
  await waitForPeople(page, [3, 2]);
  assert.deepEqual(pageErrors, []);
});

test('totals counting labels attempts', async (t) => {
  const { page } = await openCouponFunnel(t);
  await page.selectOption('[data-testid=funnel-counting]', 'totals');
  await page.waitForFunction(() => document.querySelector('[data-testid=funnel-table] thead')?.textContent.includes('Attempts'),
    null, { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await readFunnelPeople(page), [3, 2], 'each person has one attempt');
});
