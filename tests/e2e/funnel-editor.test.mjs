// Editing the analysis options re-runs the analysis: a step filter, a
// window, reordering steps and the "keep repeated steps" toggle each show
// in the next report, and an invalid window is explained next to its input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, readFunnelPeople, RESULT_TIMEOUT_MS } from './helpers.mjs';

async function openSample(t) {
  const app = await openApp(t);
  await app.page.click('[data-testid=sample-button]');
  await app.page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  return app;
}

async function funnelLabels(page) {
  return page.locator('[data-testid=funnel-step-label]').allTextContents();
}

async function waitForFirstLabel(page, label) {
  await waitForLabel(page, 0, label);
}

async function waitForLabel(page, position, label) {
  await page.waitForFunction(([index, expected]) => document.querySelectorAll('[data-testid=funnel-step-label]')[index]?.textContent === expected,
    [position, label], { timeout: RESULT_TIMEOUT_MS });
}

// Returns the position of the first funnel step whose event is `event`. When
// the suggested funnel has no such step, the first step's event is set to it,
// so the test does not depend on the order of the suggestion.
async function stepWithEvent(page, event) {
  const events = await page.locator('[data-testid=funnel-step-event]').evaluateAll((selects) => selects.map((select) => select.value));
  const position = events.indexOf(event);
  if (position >= 0) {
    return position;
  }
  await page.locator('[data-testid=funnel-step-event]').first().selectOption(event);
  await waitForFirstLabel(page, event);
  return 0;
}

test('step filter narrows the step', async (t) => {
  const { page } = await openSample(t);
  const position = await stepWithEvent(page, 'page_view');
  assert.equal((await funnelLabels(page))[position], 'page_view');
  const allViews = (await readFunnelPeople(page))[position];

  const step = page.locator('[data-testid=funnel-step]').nth(position);
  await step.locator('[data-testid=funnel-step-column]').selectOption('page');
  await step.locator('[data-testid=funnel-step-value]').fill('/pricing');
  await step.locator('[data-testid=funnel-step-value]').press('Enter');
  await step.locator('[data-testid=funnel-step-value]').blur();
  await waitForLabel(page, position, 'page_view where page = /pricing');

  const pricingViews = (await readFunnelPeople(page))[position];
  assert.ok(pricingViews > 0, 'someone viewed /pricing');
  assert.ok(pricingViews < allViews, `${pricingViews} people viewed /pricing, ${allViews} any page`);
});

test('window shows in the rule', async (t) => {
  const { page } = await openSample(t);
  await page.fill('[data-testid=funnel-window]', '7d');
  await page.waitForFunction(() => document.querySelector('[data-testid=funnel-rule]')?.textContent.includes('1 week'),
    null, { timeout: RESULT_TIMEOUT_MS });

  await page.fill('[data-testid=funnel-window]', 'soon');
  const error = await page.textContent('[data-testid=window-error]');
  assert.match(error, /Invalid funnel window "soon"/);
  assert.ok(await page.isVisible('[data-testid=window-error]'), 'the window error is visible');
});

test('moving a step reorders the funnel', async (t) => {
  const { page } = await openSample(t);
  const before = await funnelLabels(page);
  assert.ok(before.length >= 2, 'the suggested funnel has two steps or more');

  await page.locator('[data-testid=funnel-step-down]').first().click();
  await waitForFirstLabel(page, before[1]);
  const after = await funnelLabels(page);
  assert.deepEqual(after.slice(0, 2), [before[1], before[0]]);
});

test('keep repeated steps changes paths', async (t) => {
  const { page } = await openSample(t);
  const collapsed = await page.locator('[data-testid=paths-non-converters] [data-testid=path-row]').first().textContent();

  await page.check('[data-testid=keep-repeats]');
  await page.waitForFunction((previous) => {
    const first = document.querySelector('[data-testid=paths-non-converters] [data-testid=path-row]');
    return first && first.textContent !== previous;
  }, collapsed, { timeout: RESULT_TIMEOUT_MS });
  assert.ok(await page.isChecked('[data-testid=keep-repeats]'), 'the toggle stays on after the redraw');
});
