// The conversion curve in the timing view: a step line with its 95% band,
// the number at risk at the landmarks under the axis and in a table, and the
// censoring rule, which re-runs the analysis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyse, openApp, parseCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/km-fixture.csv', import.meta.url));

async function openFixture(t) {
  const app = await openApp(t);
  await app.page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await app.page.waitForSelector('[data-testid=file-card]');
  await analyse(app.page);
  await app.page.selectOption('[data-testid=conversion-event]', 'purchase');
  await app.page.waitForSelector('[data-testid=curve-chart]', { timeout: RESULT_TIMEOUT_MS });
  return app;
}

test('curve shows at-risk numbers', async (t) => {
  const { page, pageErrors } = await openFixture(t);
  assert.match(await page.getAttribute('[data-testid=curve-line]', 'd'), /^M/, 'the line has a path');

  const landmarks = await page.locator('[data-testid=curve-landmark] th').allTextContents();
  assert.deepEqual(landmarks, ['1 day', '7 days', '30 days', '90 days']);
  const atRisk = (await page.locator('[data-testid=curve-landmark-at-risk]').allTextContents()).map(parseCount);
  assert.ok(atRisk[0] > 0, 'someone is at risk after 1 day');
  assert.ok(atRisk[0] <= 30, `${atRisk[0]} at risk after 1 day, of 30 people`);
  for (let index = 1; index < atRisk.length; index += 1) {
    assert.ok(atRisk[index] <= atRisk[index - 1], 'the number at risk never grows');
  }

  const underAxis = (await page.locator('[data-testid=curve-at-risk] text').allTextContents()).map(parseCount);
  assert.ok(underAxis.length > 0, 'at least one landmark lies inside the chart');
  for (const number of underAxis) {
    assert.ok(atRisk.includes(number), `${number} under the axis is a landmark's number at risk`);
  }
  assert.deepEqual(pageErrors, []);
});

test('censoring rule re-runs curve', async (t) => {
  const { page } = await openFixture(t);
  const before = await page.textContent('[data-testid=curve-caption]');
  await page.selectOption('[data-testid=curve-censor-at]', 'last_event');
  await page.waitForFunction(() => document.querySelector('[data-testid=curve-censor-at]')?.value === 'last_event'
    && !document.querySelector('[data-testid=results]').classList.contains('stale'), null, { timeout: RESULT_TIMEOUT_MS });
  await page.waitForFunction((previous) => document.querySelector('[data-testid=curve-landmarks]')?.textContent !== previous,
    await page.textContent('[data-testid=curve-landmarks]'), { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.inputValue('[data-testid=curve-censor-at]'), 'last_event', 'the select keeps the choice after the redraw');
  const after = await page.textContent('[data-testid=curve-caption]');
  const counts = (caption) => caption.split('.')[0];
  assert.equal(counts(after), counts(before), 'the same people, converters and censored people');
  assert.notEqual(after, before, 'censoring each person at their last event changes the curve');
});
