// After its first load the page opens and analyses files with the network
// switched off, because its service worker (www/sw.js) keeps a copy of every
// file it needs. Each test runs on a new port in a new browser context, so it
// starts with no service worker and an empty cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WWW_ROOT } from '../../scripts/serve.mjs';
import { analyse, dropFiles, openApp, readCount, RESULT_TIMEOUT_MS, startServerAndBrowser } from './helpers.mjs';

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

// The versions of the page's caches, the last word of each cache name.
async function readCacheVersions(page) {
  const names = await page.evaluate(() => caches.keys());
  return names.map((name) => name.split(' ').at(-1));
}

// Evaluates the async `check` in the page until it returns true. The polling
// runs in Node because page.waitForFunction() takes a returned promise as a
// true value.
async function waitInPage(page, check, description) {
  const deadline = Date.now() + RESULT_TIMEOUT_MS;
  while (!(await page.evaluate(check))) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${description}.`);
    }
    await page.waitForTimeout(100);
  }
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

test('new build replaces the cached copy', async (t) => {
  // A copy of www/, so the test can change its files as a new build would.
  const root = await mkdtemp(join(tmpdir(), 'pathlight-www-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await cp(WWW_ROOT, root, { recursive: true, dereference: true });

  const { server, browser } = await startServerAndBrowser(t, { root });
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  await waitForServiceWorker(page);
  const firstVersions = await readCacheVersions(page);
  assert.equal(firstVersions.length, 1);
  assert.notEqual(firstVersions[0], 'next-build');

  const manifestPath = join(root, 'build', 'shell.js');
  const manifest = await readFile(manifestPath, 'utf8');
  await writeFile(manifestPath, manifest.replace(/"version": "[^"]*"/, '"version": "next-build"'));
  await appendFile(join(root, 'style.css'), '\n/* next build */\n');

  // Browsers check for a new version after a navigation, but not at a set
  // moment, so the test starts the check itself.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.update();
  });
  await waitInPage(page, async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration.installing === null && (await caches.keys()).some((name) => name.endsWith(' next-build'));
  }, 'the new version to install');

  await page.reload();
  await waitInPage(page, async () => {
    const names = await caches.keys();
    return names.length === 1 && names[0].endsWith(' next-build');
  }, 'the old cache to be deleted');
  const style = await page.evaluate(async () => (await fetch('style.css')).text());
  assert.match(style, /next build/);
});
