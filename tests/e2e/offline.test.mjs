// After its first load the page opens and analyses files with the network
// switched off, because its service worker (www/sw.js) keeps a copy of every
// file it needs. Each test runs on a new port in a new browser context, so it
// starts with no service worker and an empty cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const EVENTS_CSV = [
  'user_id,timestamp,event',
  'u1,2024-05-01T09:00:00Z,page_view',
  'u1,2024-05-01T09:05:00Z,sign_up',
  'u2,2024-05-01T11:00:00Z,page_view',
  'u3,2024-05-03T08:00:00Z,page_view',
  'u3,2024-05-03T08:10:00Z,sign_up',
  '',
].join('\n');

async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: RESULT_TIMEOUT_MS });
}

test('offline reload analyses a dropped file', async (t) => {
  const { page, context, pageErrors } = await openApp(t);
  await waitForServiceWorker(page);
  assert.ok(await page.isVisible('[data-testid=offline-note]'), 'the offline note is shown');

  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-engine]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.getAttribute('html', 'data-engine'), 'ready');

  await dropFiles(page, [{ name: 'events.csv', text: EVENTS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 3);

  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(pageErrors, []);
});

test('offline fetch of an uncached file fails', async (t) => {
  const { page, context } = await openApp(t);
  await waitForServiceWorker(page);
  await context.setOffline(true);

  // The service worker has no copy of this file and passes the request on,
  // so it fails. This shows that the network is off for the service worker too.
  const outcome = await page.evaluate(() => fetch('not-cached.txt').then((response) => `status ${response.status}`, (error) => error.name));
  assert.equal(outcome, 'TypeError');
});

test('offline reload fails without the service worker', async (t) => {
  const { page, context } = await openApp(t);
  await waitForServiceWorker(page);
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.unregister();
  });

  await context.setOffline(true);
  await assert.rejects(page.reload(), /ERR_INTERNET_DISCONNECTED/);
});
