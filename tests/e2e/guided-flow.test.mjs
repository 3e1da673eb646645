// The guided first run and the view bar. The four steps are drop files,
// check the columns, choose the conversion and see the overview. The current
// step is marked, the focus moves to each new step's heading, and earlier
// steps stay reachable. The results have one link per view.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'timing-fixture.csv');

const VIEW_LABELS = ['Overview', 'Funnel', 'Paths', 'Stages', 'Timing', 'Drivers', 'Channels', 'E-mail', 'Segments', 'Experiments', 'Trends'];

/** Returns, per step, { state, current, link } read from the step indicator. */
async function readSteps(page) {
  return page.locator('[data-testid=step]').evaluateAll((items) => items.map((item) => ({
    state: item.dataset.state,
    current: item.querySelector('[aria-current=step]') !== null,
    link: item.querySelector('a') !== null,
  })));
}

/** Waits until the keyboard focus is on the element with this id. */
async function waitForFocus(page, id) {
  await page.waitForFunction((expected) => document.activeElement?.id === expected, id, { timeout: RESULT_TIMEOUT_MS });
}

/** Records the type of every request the page posts to a worker, in window.sentTypes. */
async function recordWorkerRequests(page) {
  await page.addInitScript(() => {
    window.sentTypes = [];
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function recordAndPost(message, ...rest) {
      window.sentTypes.push(message?.type);
      return original.call(this, message, ...rest);
    };
  });
}

test('four steps on a fixture file', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await recordWorkerRequests(page);
  await page.reload();
  await page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });

  let steps = await readSteps(page);
  assert.equal(steps.length, 4);
  assert.deepEqual(await page.locator('[data-testid=step]').allTextContents(),
    ['1 Drop files', '2 Check the columns', '3 Choose the conversion', '4 See the overview']);
  assert.deepEqual(steps.map((step) => step.current), [true, false, false, false], 'step 1 is current at first');
  assert.deepEqual(steps.map((step) => step.link), [true, false, false, false], 'later steps are not links yet');

  // Step 2: the file is read and the focus moves to the column check.
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await waitForFocus(page, 'mapping-heading');
  steps = await readSteps(page);
  assert.deepEqual(steps.map((step) => step.current), [false, true, false, false], 'step 2 is current');
  assert.equal(steps[0].link, true, 'step 1 stays reachable');
  assert.equal(await page.locator('[data-testid=conversion-step]').isHidden(), true, 'step 3 waits for Analyse');

  // Step 3: the conversion is chosen with the engine's suggestion as default,
  // and the overview with that default is already drawn below it.
  await page.click('[data-testid=analyse-button]');
  await waitForFocus(page, 'conversion-heading');
  await page.waitForSelector('[data-testid=results]:not([hidden]) [data-testid=summary-people]', { timeout: RESULT_TIMEOUT_MS });
  steps = await readSteps(page);
  assert.deepEqual(steps.map((step) => step.current), [false, false, true, false], 'step 3 is current');
  assert.equal(await page.inputValue('[data-testid=conversion-choice]'), 'purchase', 'the suggested conversion is the default');
  assert.equal(await page.inputValue('[data-testid=conversion-event]'), 'purchase', 'the options panel shows the same default');
  assert.match(await page.textContent('[data-testid=conversion-explanation]'), /suggests purchase/);
  const purchasers = await readCount(page, 'summary-converters');
  const axe = await new AxeBuilder({ page }).include('[data-testid=steps]').include('[data-testid=conversion-step]').include('[data-testid=view-nav]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(axe.violations.map((violation) => violation.id), [], 'axe finds no WCAG violation in the steps, step 3 or the view bar');

  // Changing the conversion re-runs the analysis only, and the options panel follows.
  await page.evaluate(() => { window.sentTypes = []; });
  await page.selectOption('[data-testid=conversion-choice]', 'demo');
  await page.waitForFunction(() => document.querySelector('[data-testid=results] .hint strong')?.textContent === 'demo', null, { timeout: RESULT_TIMEOUT_MS });
  assert.notEqual(await readCount(page, 'summary-converters'), purchasers, 'the report counts demo converters');
  assert.equal(await page.inputValue('[data-testid=conversion-event]'), 'demo', 'the options panel shows the choice');
  assert.deepEqual(await page.evaluate(() => window.sentTypes), ['analyze'], 'only analyze ran');

  // The same choice made in the options panel shows in step 3.
  await page.selectOption('[data-testid=conversion-event]', 'purchase');
  await page.waitForFunction(() => document.querySelector('[data-testid=results] .hint strong')?.textContent === 'purchase', null, { timeout: RESULT_TIMEOUT_MS });
  assert.equal(await page.inputValue('[data-testid=conversion-choice]'), 'purchase');
  assert.deepEqual(await page.evaluate(() => window.sentTypes), ['analyze', 'analyze'], 'only analyze ran again');

  // Step 4: the overview.
  await page.click('[data-testid=conversion-done]');
  await waitForFocus(page, 'overview-heading');
  steps = await readSteps(page);
  assert.deepEqual(steps.map((step) => step.current), [false, false, false, true], 'step 4 is current');
  assert.deepEqual(steps.map((step) => step.link), [true, true, true, true], 'every step is reachable');

  // An earlier step is reachable from the indicator, and the later ones stay reachable.
  await page.click('[data-testid=step][data-step="2"] a');
  await waitForFocus(page, 'mapping-heading');
  steps = await readSteps(page);
  assert.deepEqual(steps.map((step) => step.current), [false, true, false, false], 'step 2 is current again');
  assert.equal(steps[3].link, true, 'step 4 stays reachable');
  assert.deepEqual(pageErrors, []);
});

test('sample shows every step as done', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await waitForFocus(page, 'overview-heading');
  const steps = await readSteps(page);
  assert.deepEqual(steps.map((step) => step.current), [false, false, false, true], 'step 4 is current');
  assert.deepEqual(steps.map((step) => step.link), [true, true, true, true], 'every step is reachable');
  assert.notEqual(await page.inputValue('[data-testid=conversion-choice]'), '', 'the sample has a conversion chosen');
  assert.deepEqual(pageErrors, []);
});

test('view bar links each view', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=view-nav] [data-testid=view-link]', { timeout: RESULT_TIMEOUT_MS });

  const links = page.locator('[data-testid=view-nav] [data-testid=view-link]');
  const labels = await links.evaluateAll((nodes) => nodes.map((node) => node.firstChild.textContent));
  assert.deepEqual(labels, VIEW_LABELS);

  const entries = await links.evaluateAll((nodes) => nodes.map((node) => ({
    view: node.dataset.view,
    empty: node.dataset.empty === 'true',
    href: node.getAttribute('href'),
  })));
  const linked = entries.filter((entry) => !entry.empty);
  assert.ok(linked.length >= 6, `at least six views have data in the sample, found ${linked.map((entry) => entry.view)}`);
  for (const entry of entries) {
    if (entry.empty) {
      assert.equal(entry.href, null, `${entry.view} is marked empty, not linked`);
      continue;
    }
    const target = page.locator(entry.href);
    assert.equal(await target.count(), 1, `${entry.view} links to one element`);
    assert.equal(await target.isVisible(), true, `${entry.view} links to a visible element`);
  }

  // Following a link brings its view below the sticky bar.
  for (const view of ['timing', 'funnel']) {
    await page.click(`[data-testid=view-link][data-view=${view}]`);
    const href = await page.getAttribute(`[data-testid=view-link][data-view=${view}]`, 'href');
    await page.waitForFunction((selector) => {
      const top = document.querySelector(selector).getBoundingClientRect().top;
      return top >= 0 && top < window.innerHeight / 2;
    }, href, { timeout: RESULT_TIMEOUT_MS });
    const bar = await page.locator('[data-testid=view-nav]').boundingBox();
    assert.ok(bar.y <= 1, `the view bar stays at the top after jumping to ${view}, found y=${bar.y}`);
  }
  assert.deepEqual(pageErrors, []);
});

test('view bar marks views without data', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', FIXTURE);
  await page.waitForSelector('[data-testid=file-card]');
  await page.click('[data-testid=analyse-button]');
  await page.waitForSelector('[data-testid=view-nav] [data-testid=view-link]', { timeout: RESULT_TIMEOUT_MS });

  // The fixture has no e-mail events, so the e-mail view is hidden and empty.
  const email = page.locator('[data-testid=view-link][data-view=email]');
  assert.equal(await page.locator('[data-testid=email]').isHidden(), true);
  assert.equal(await email.getAttribute('data-empty'), 'true');
  assert.equal(await email.getAttribute('href'), null, 'an empty view is not a link');
  assert.match(await email.textContent(), /nothing to show/);
  const overview = page.locator('[data-testid=view-link][data-view=overview]');
  assert.equal(await overview.getAttribute('data-empty'), null, 'the overview always has data');
  assert.deepEqual(pageErrors, []);
});
