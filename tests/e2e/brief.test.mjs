// The AI brief on tests/fixtures/brief-identifiers.csv. The text box shows
// exactly what the "Copy brief" button puts on the clipboard, and that text
// has none of the fixture's person ids or e-mail addresses. Without the
// clipboard API, the button selects the whole text instead.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = new URL('../fixtures/brief-identifiers.csv', import.meta.url);

/** Returns the fixture text and its person ids and contact addresses. */
async function readFixture() {
  const text = await readFile(FIXTURE, 'utf8');
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(','));
  const identifiers = new Set(rows.flatMap((row) => [row[0], row[5]]));
  return { text, identifiers: [...identifiers] };
}

async function showBrief(t) {
  const app = await openApp(t);
  const { text, identifiers } = await readFixture();
  await dropFiles(app.page, [{ name: 'brief-identifiers.csv', text }]);
  await app.page.waitForSelector('[data-testid=file-card]');
  await analyse(app.page);
  await app.page.waitForSelector('[data-testid=brief-text]', { timeout: RESULT_TIMEOUT_MS });
  return { ...app, identifiers };
}

test('copied brief equals shown text', async (t) => {
  const { page, context, server, identifiers, requests, pageErrors } = await showBrief(t);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });

  const shown = await page.inputValue('[data-testid=brief-text]');
  assert.match(shown, /^# Customer journey findings/);
  assert.match(await page.textContent('[data-testid=brief-privacy]'), /Nothing is sent anywhere/);

  const requestsBefore = requests.length;
  await page.click('[data-testid=brief-copy]');
  await page.waitForFunction(() => document.querySelector('[data-testid=brief-copied]').textContent === 'Copied.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, shown);
  assert.equal(requests.length, requestsBefore, 'copying sends no request');

  const lowered = copied.toLowerCase();
  const leaked = identifiers.filter((identifier) => lowered.includes(identifier.toLowerCase()));
  assert.deepEqual(leaked, []);
  assert.ok(!copied.includes('@'), 'no @ in the brief');
  assert.deepEqual(pageErrors, []);
});

test('brief selected without clipboard API', async (t) => {
  const { page, pageErrors } = await showBrief(t);
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
  });

  const shown = await page.inputValue('[data-testid=brief-text]');
  await page.click('[data-testid=brief-copy]');
  await page.waitForFunction(() => /selected/.test(document.querySelector('[data-testid=brief-copied]').textContent));
  const selected = await page.evaluate(() => {
    const box = document.querySelector('[data-testid=brief-text]');
    return box.value.slice(box.selectionStart, box.selectionEnd);
  });
  assert.equal(selected, shown);
  assert.deepEqual(pageErrors, []);
});
