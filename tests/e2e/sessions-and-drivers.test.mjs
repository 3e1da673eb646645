// Sessions and conversion drivers appear when the report has them: on the
// sample, every person has a session and add_to_cart is a driver.
// NOTE: each block is checked only when the engine build reports it, so an
// engine without sessions or drivers passes this test with no check run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

test('sample shows sessions and drivers', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=channels-table]', { timeout: RESULT_TIMEOUT_MS });

  const sessions = page.locator('[data-testid=sessions]');
  if (await sessions.isVisible()) {
    assert.ok(await readCount(page, 'sessions-count') >= 1000, 'each of the 1,000 people has a session');
    const entries = await page.locator('[data-testid=sessions-entry] tbody tr').count();
    assert.ok(entries > 0, 'entry events are listed');
  }

  const drivers = page.locator('[data-testid=drivers]');
  if (await drivers.isVisible()) {
    const features = await page.locator('[data-testid=drivers-positive] [data-testid=driver-row] td:first-child').allTextContents();
    assert.ok(features.includes('add_to_cart'), `add_to_cart is among ${features.join(', ')}`);
    assert.match(await page.textContent('[data-testid=drivers-caption]'), /not causes/);
  }
  assert.deepEqual(pageErrors, []);
});
