// The prediction view: the Markov orders with the chosen one marked, the
// propensity AUC and calibration table, and the journeys in progress with
// scores and next events only when both models beat their baselines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { analyse, dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = new URL('../fixtures/predict-fixture.csv', import.meta.url);

test('fixture shows prediction with scores', async (t) => {
  const { page, pageErrors, policyViolations } = await openApp(t);
  const text = await readFile(FIXTURE, 'utf8');
  await dropFiles(page, [{ name: 'predict-fixture.csv', text }]);
  await page.waitForSelector('[data-testid=file-card]');
  await analyse(page);
  await page.waitForSelector('[data-testid=prediction-orders]', { timeout: RESULT_TIMEOUT_MS });

  // Orders 0 to 4; tools/golden/predict_fixture.json chooses order 3.
  const orders = page.locator('[data-testid=prediction-order]');
  assert.equal(await orders.count(), 5);
  assert.match(await orders.nth(0).locator('th').textContent(), /baseline/);
  assert.match(await orders.nth(3).locator('th').textContent(), /chosen/);
  assert.match(await page.textContent('[data-testid=propensity-auc]'), /^0\.721 \(95% 0\.610 to 0\.833\)$/);
  assert.equal(await page.locator('[data-testid=propensity-calibration] tbody tr').count(), 10, 'ten calibration rows');
  assert.equal(await page.locator('[data-testid=propensity-plot] circle').count(), 10, 'ten plotted tenths');

  const journeys = page.locator('[data-testid=open-journey]');
  assert.ok(await journeys.count() > 0, 'journeys in progress are listed');
  assert.match(await journeys.nth(0).locator('td').nth(3).textContent(), /%$/);
  assert.equal(await page.locator('[data-testid=open-reason]').count(), 0);

  const anchors = await page.locator('[data-testid=prediction] a.metric-link').evaluateAll((links) => links.map((link) => new URL(link.href).hash));
  for (const anchor of ['#prediction', '#prediction-cut', '#next-step-accuracy', '#conversion-propensity', '#open-journeys']) {
    assert.ok(anchors.includes(anchor), `a link to ${anchor}`);
  }
  // An earlier cut leaves fewer events to learn from.
  const before = await page.textContent('[data-testid=prediction-cut]');
  await page.selectOption('[data-testid=prediction-cut-share]', '0.6');
  await page.waitForFunction((old) => document.querySelector('[data-testid=prediction-cut]')?.textContent !== old, before, { timeout: RESULT_TIMEOUT_MS });
  const events = (text) => Number(text.match(/learn from the ([\d,]+) events/)[1].replaceAll(',', ''));
  assert.ok(events(await page.textContent('[data-testid=prediction-cut]')) < events(before), 'the earlier cut trains on fewer events');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(policyViolations, []);
});

test('sample hides what does not beat baseline', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=prediction-orders]', { timeout: RESULT_TIMEOUT_MS });

  // The 1,000-person sample has too few purchases after the cut for the propensity model.
  assert.match(await page.textContent('[data-testid=propensity-reason]'), /needs at least 10 converters/);
  assert.match(await page.textContent('[data-testid=open-reason]'), /Scores are hidden/);
  const scores = await page.locator('[data-testid=open-journey] td:nth-child(4)').allTextContents();
  assert.ok(scores.every((score) => score === '–'), `no scores shown: ${scores.join(', ')}`);
  assert.deepEqual(pageErrors, []);
});
