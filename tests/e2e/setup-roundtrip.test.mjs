// Saved setups. A setup exported from one visit and imported on the next
// brings back the funnel, its window, the conversion event and the user's
// stages. An invalid setup file shows the engine's error beside the buttons.
// A setup saved in the browser is offered again for files with the same
// columns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openApp, RESULT_TIMEOUT_MS, setFunnel } from './helpers.mjs';

const FUNNEL = ['page_view', 'add_to_cart', 'purchase'];
// The first person id of the bundled sample, which a setup must not contain.
const SAMPLE_PERSON = 'u0000516';

async function trySample(page) {
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=results]:not([hidden]):not(.stale) [data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
}

async function waitForText(page, selector, pattern) {
  await page.waitForFunction(({ selector: css, source }) => new RegExp(source).test(document.querySelector(css)?.textContent ?? ''),
    { selector, source: pattern.source }, { timeout: RESULT_TIMEOUT_MS });
}

async function reloadPage(page) {
  await page.reload();
  await page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
}

/** Changes the funnel, its window, the conversion event and the first stage's name. */
async function editOptions(page) {
  await setFunnel(page, FUNNEL);
  await page.fill('[data-testid=funnel-window]', '10d');
  await waitForText(page, '[data-testid=funnel-rule]', /Window: 10 days/);
  await page.selectOption('[data-testid=conversion-event]', 'add_to_cart');
  await waitForText(page, '[data-testid=summary]', /Converting means doing add_to_cart/);
  await page.click('[data-testid=stage-editor-box] > summary');
  await page.locator('[data-testid=stage-name]').first().fill('awareness');
  await page.click('[data-testid=stage-apply]');
  await waitForText(page, '[data-testid=stages-source]', /^Your stages/);
}

async function readOptions(page) {
  return {
    steps: await page.locator('[data-testid=funnel-step-event]').evaluateAll((selects) => selects.map((select) => select.value)),
    window: await page.inputValue('[data-testid=funnel-window]'),
    conversion: await page.inputValue('[data-testid=conversion-event]'),
    firstStage: await page.locator('[data-testid=stage-name]').first().inputValue(),
    stagesSource: await page.textContent('[data-testid=stages-source]'),
  };
}

async function importText(page, text) {
  await page.setInputFiles('[data-testid=setup-import-input]', { name: 'setup.json', mimeType: 'application/json', buffer: Buffer.from(text) });
}

test('exported setup restores options after reload', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await trySample(page);
  await editOptions(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=setup-export]')]);
  const text = await readFile(await download.path(), 'utf8');
  const setup = JSON.parse(text);
  assert.equal(setup.version, 1);
  assert.deepEqual(setup.analysis.funnel.steps.map((step) => step.event), FUNNEL);
  assert.equal(setup.analysis.funnel.window, '10d');
  assert.equal(setup.analysis.conversion, 'add_to_cart');
  assert.equal(setup.analysis.stages[0].name, 'awareness');
  assert.deepEqual(setup.files[0].columns, ['user_id', 'timestamp', 'event', 'channel', 'page', 'revenue']);
  assert.equal(setup.files[0].mapping.person, 'user_id');
  assert.ok(!text.includes(SAMPLE_PERSON), 'the setup contains no person id');

  // An option the page has no control for, a path cleaning rule, must reach the engine too.
  setup.analysis.paths.rules = [{ pattern: '^page_view$', replacement: 'viewed a page' }];
  await reloadPage(page);
  await importText(page, JSON.stringify(setup));
  await waitForText(page, '[data-testid=setup-message]', /Imported the setup/);
  assert.match(await page.textContent('[data-testid=setup-active]'), /Using the setup/);
  await trySample(page);

  const options = await readOptions(page);
  assert.deepEqual(options.steps, FUNNEL);
  assert.equal(options.window, '10d');
  assert.equal(options.conversion, 'add_to_cart');
  assert.equal(options.firstStage, 'awareness');
  assert.match(options.stagesSource, /^Your stages/);
  assert.match(await page.textContent('[data-testid=funnel-rule]'), /Window: 10 days/);
  assert.match(await page.textContent('[data-testid=paths]'), /viewed a page/);
  assert.deepEqual(pageErrors, []);
});

test('invalid setup file shows the error inline', async (t) => {
  const { page } = await openApp(t);

  await importText(page, '{"version": 2}');
  await waitForText(page, '[data-testid=setup-error]', /version/);
  assert.match(await page.textContent('[data-testid=setup-error]'), /version: 2 is not supported/);

  await importText(page, '{"version": 1, "analysis": {"funnel": {"window": "soon"}}}');
  await waitForText(page, '[data-testid=setup-error]', /analysis\.funnel\.window/);
  assert.match(await page.textContent('[data-testid=setup-error]'), /"soon" is not a duration/);

  await importText(page, '{"version": 1,');
  await waitForText(page, '[data-testid=setup-error]', /not valid JSON/);
  assert.equal(await page.locator('[data-testid=setup-active]').count(), 0, 'no setup is in use after a rejection');
});

test('saved setup is offered for matching files', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await trySample(page);
  await editOptions(page);
  await page.fill('[data-testid=setup-name]', 'weekly sample');
  await page.click('[data-testid=setup-save]');
  await waitForText(page, '[data-testid=setup-message]', /Saved the setup "weekly sample"/);
  const stored = await page.evaluate(() => window.localStorage.getItem('pathlight.setups'));
  assert.ok(!stored.includes(SAMPLE_PERSON), 'the stored setup contains no person id');

  await reloadPage(page);
  await trySample(page);
  await waitForText(page, '[data-testid=setup-offer]', /weekly sample/);
  assert.equal(await page.inputValue('[data-testid=conversion-event]'), 'purchase', 'the suggestion stands until the offer is taken');

  await page.click('[data-testid=setup-offer-apply]');
  await waitForText(page, '[data-testid=setup-message]', /Applied the setup "weekly sample"\. It fits 1 of 1 file\./);
  await waitForText(page, '[data-testid=summary]', /Converting means doing add_to_cart/);
  const options = await readOptions(page);
  assert.deepEqual(options.steps, FUNNEL);
  assert.equal(options.window, '10d');
  assert.equal(options.firstStage, 'awareness');

  await page.selectOption('[data-testid=setup-saved]', 'weekly sample');
  await page.click('[data-testid=setup-delete]');
  await waitForText(page, '[data-testid=setup-message]', /Deleted the saved setup "weekly sample"/);
  assert.equal(await page.evaluate(() => window.localStorage.getItem('pathlight.setups')), '{}');
  assert.deepEqual(pageErrors, []);
});
