// Keyboard use: the main controls are reached with Tab alone and operated
// with Enter or Space, and each shows a visible focus ring. The drop zone's
// "Choose files" button is the file input behind it, so a keyboard user opens
// the file chooser from it, and the chosen file loads as a dropped one would.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

// Tab presses allowed to reach one control. The sample's results contain a
// few hundred focusable elements, and the funnel editor comes early among them.
const MAX_TABS = 400;

const SMALL_CSV = [
  'user,timestamp,event',
  'u1,2024-05-01T09:00:00Z,visit',
  'u1,2024-05-01T09:05:00Z,signup',
  'u1,2024-05-01T10:00:00Z,purchase',
  'u2,2024-05-02T09:00:00Z,visit',
  'u2,2024-05-02T09:05:00Z,signup',
  'u3,2024-05-03T09:00:00Z,visit',
].join('\n');

/**
 * Presses Tab until the focused element matches `selector`, and returns it.
 * Fails, naming the elements passed, when MAX_TABS presses do not reach it.
 */
async function tabTo(page, selector) {
  const passed = [];
  for (let presses = 0; presses < MAX_TABS; presses += 1) {
    await page.keyboard.press('Tab');
    const reached = await page.evaluate((expected) => document.activeElement?.matches(expected) ?? false, selector);
    if (reached) {
      return page.locator(`${selector}:focus`);
    }
    passed.push(await page.evaluate(() => {
      const element = document.activeElement;
      return element?.dataset?.testid ?? element?.localName ?? 'nothing';
    }));
  }
  throw new Error(`Tab did not reach ${selector} in ${MAX_TABS} presses. It passed ${passed.slice(0, 30).join(', ')}…`);
}

/**
 * Presses Space on the focused file input until the file chooser opens, at
 * most three times. On a loaded machine the first press was once lost. So a
 * press that opens nothing in 5 seconds is tried again after the focus is
 * checked; a chooser that never opens still fails the test.
 */
async function openChooserWithSpace(page) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const focused = await page.evaluate(() => document.activeElement?.matches('[data-testid=file-input]') ?? false);
    if (!focused) {
      await tabTo(page, '[data-testid=file-input]');
    }
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 5_000 }).catch(() => null), page.keyboard.press('Space')]);
    if (chooser) {
      return chooser;
    }
  }
  throw new Error('Space on the focused file input opened no file chooser in three tries.');
}

/** Returns the outline ("style width") and box shadow that show the focus of the element at `selector`. */
async function focusRing(page, selector) {
  return page.evaluate((expected) => {
    let element = document.querySelector(expected);
    // The file input is visually hidden, so its label shows the focus.
    if (element.type === 'file') {
      element = document.querySelector(`label[for="${element.id}"]`);
    }
    const style = getComputedStyle(element);
    return { outline: `${style.outlineStyle} ${style.outlineWidth}`, shadow: style.boxShadow };
  }, selector);
}

function assertVisibleRing(ring, name) {
  const outlined = !ring.outline.startsWith('none') && !ring.outline.endsWith(' 0px');
  assert.ok(outlined || ring.shadow !== 'none', `${name} shows a focus ring, found outline ${ring.outline} and shadow ${ring.shadow}`);
}

test('keyboard opens files and analyses', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // The service worker's first install stores every file of the page; waiting
  // for it keeps that work from running while the keys are pressed.
  await page.evaluate(() => navigator.serviceWorker?.ready);

  await tabTo(page, '[data-testid=file-input]');
  assertVisibleRing(await focusRing(page, '[data-testid=file-input]'), 'the Choose files button');
  const chooser = await openChooserWithSpace(page);
  await chooser.setFiles({ name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(SMALL_CSV) });
  await page.waitForSelector('[data-testid=file-card]');

  await tabTo(page, '[data-testid=analyse-button]');
  assertVisibleRing(await focusRing(page, '[data-testid=analyse-button]'), 'Analyse');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=results]:not([hidden]):not(.stale) [data-testid=summary-people]', { timeout: RESULT_TIMEOUT_MS });

  // The funnel editor: adding a step with Enter, then removing it with Space.
  const steps = await page.locator('[data-testid=funnel-step-remove]').count();
  await tabTo(page, '[data-testid=funnel-add-step]');
  assertVisibleRing(await focusRing(page, '[data-testid=funnel-add-step]'), 'Add step');
  await page.keyboard.press('Enter');
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=funnel-step-remove]').length === count + 1, steps, { timeout: RESULT_TIMEOUT_MS });

  const event = await tabTo(page, '[data-testid=funnel-step-event]');
  assertVisibleRing(await focusRing(page, '[data-testid=funnel-step-event]:focus'), 'the step event list');
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await event.inputValue(), '', 'ArrowDown chooses an event in the focused list');

  await page.focus('[data-testid=funnel-add-step]');
  await tabTo(page, '[data-testid=funnel-step-remove]');
  await page.keyboard.press('Space');
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=funnel-step-remove]').length < count + 1, steps, { timeout: RESULT_TIMEOUT_MS });

  // A collapsed view opens from its summary with Enter.
  await tabTo(page, '[data-testid=results] details:not([open]) > summary');
  assertVisibleRing(await focusRing(page, '[data-testid=results] details:not([open]) > summary:focus'), 'a view summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.parentElement.open), true, 'Enter opens the view');
  assert.deepEqual(pageErrors, []);
});

test('keyboard runs the sample', async (t) => {
  const { page, pageErrors } = await openApp(t);
  await tabTo(page, '[data-testid=sample-button]');
  assertVisibleRing(await focusRing(page, '[data-testid=sample-button]'), 'Try a sample');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=funnel-step-row]', { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(pageErrors, []);
});
