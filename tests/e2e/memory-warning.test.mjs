// The memory warning. Before a file is read, the page estimates the wasm
// memory that all loaded files will need. Past the budget it names the file,
// its size, the estimate and the budget, and the user reads it anyway or
// leaves it out. The `memoryBudget` URL parameter lowers the budget so that
// small files reach the warning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { dropFiles, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

// With the engine's 2.1 MiB base and 5 bytes per file byte, this budget fits
// about 260 KB of CSV: one file of 5,000 rows, but not two.
const BUDGET = 3_500_000;
const WARNING = '[data-testid=memory-warning]';

/** Returns a CSV text of `rows` visits, about 40 bytes a row. */
function visitsCsv(rows, prefix) {
  const lines = ['user,event,ts'];
  for (let row = 0; row < rows; row += 1) {
    lines.push(`${prefix}${row},visit,2024-04-01T10:00:00Z`);
  }
  return `${lines.join('\n')}\n`;
}

async function openWithBudget(t) {
  const app = await openApp(t);
  await app.page.addInitScript(() => {
    window.sentTypes = [];
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function recordAndPost(message, ...rest) {
      window.sentTypes.push(message?.type);
      return original.call(this, message, ...rest);
    };
  });
  await app.page.goto(`${app.server.url}?memoryBudget=${BUDGET}`);
  await app.page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  return app;
}

async function fileCardNames(page) {
  return page.locator('[data-testid=file-card]').evaluateAll((cards) => cards.map((card) => card.textContent.match(/\w+\.csv/)?.[0]));
}

test('memory warning skips or reads', async (t) => {
  const { page, pageErrors } = await openWithBudget(t);
  await dropFiles(page, [{ name: 'small.csv', text: visitsCsv(10, 's') }]);
  await page.waitForSelector('[data-testid=file-card]');
  assert.equal(await page.isHidden(WARNING), true, 'a small file reads without a warning');

  // A file past the budget waits for the user's choice before any byte is read.
  const large = visitsCsv(12_000, 'large');
  await page.evaluate(() => { window.sentTypes = []; });
  await dropFiles(page, [{ name: 'large.csv', text: large }]);
  await page.waitForSelector(`${WARNING}:not([hidden])`);
  const text = await page.textContent(WARNING);
  assert.match(text, /large\.csv/, 'names the file');
  assert.match(text, /\(\d+ KB\)/, 'gives its size');
  assert.match(text, /about \d+(\.\d)? MB of memory together with the file already loaded/, 'gives the estimate');
  assert.match(text, /at most 3\.3 MB/, 'gives the budget');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'memory-warning-heading', 'the focus moves to the warning');
  assert.deepEqual(await page.evaluate(() => window.sentTypes), [], 'nothing was sent to the engine yet');
  const axe = await new AxeBuilder({ page }).include(WARNING).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(axe.violations.map((violation) => violation.id), [], 'axe finds no WCAG violation in the warning');

  await page.click('[data-testid=memory-skip]');
  await page.waitForSelector(`${WARNING}[hidden]`, { state: 'attached' });
  assert.match(await page.textContent('[data-testid=status-notice]'), /Did not read large\.csv/);
  assert.deepEqual(await fileCardNames(page), ['small.csv'], 'the skipped file is not read');
  assert.ok(!(await page.evaluate(() => window.sentTypes)).includes('addFiles'), 'no addFiles request was sent');

  // Escape on the warning leaves the file out too.
  await dropFiles(page, [{ name: 'large.csv', text: large }]);
  await page.waitForSelector(`${WARNING}:not([hidden])`);
  await page.keyboard.press('Escape');
  await page.waitForSelector(`${WARNING}[hidden]`, { state: 'attached' });
  assert.deepEqual(await fileCardNames(page), ['small.csv'], 'Escape leaves the file out');

  await dropFiles(page, [{ name: 'large.csv', text: large }]);
  await page.waitForSelector(`${WARNING}:not([hidden])`);
  await page.click('[data-testid=memory-read]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=file-card]').length === 2, null, { timeout: RESULT_TIMEOUT_MS });
  assert.deepEqual(await fileCardNames(page), ['small.csv', 'large.csv'], 'Read anyway reads the file');
  assert.deepEqual(pageErrors, []);
});

test('memory warning names files past budget', async (t) => {
  const { page, pageErrors } = await openWithBudget(t);
  // Each file fits alone, but not both together.
  await dropFiles(page, [
    { name: 'first.csv', text: visitsCsv(5_000, 'a') },
    { name: 'second.csv', text: visitsCsv(5_000, 'b') },
  ]);
  await page.waitForSelector(`${WARNING}:not([hidden])`);
  const listed = await page.locator('[data-testid=memory-warning-file]').allTextContents();
  assert.equal(listed.length, 1, 'one file is past the budget');
  assert.match(listed[0], /^second\.csv/);
  await page.click('[data-testid=memory-skip]');
  await page.waitForSelector('[data-testid=file-card]');
  assert.deepEqual(await fileCardNames(page), ['first.csv'], 'the file that fits is read');
  assert.deepEqual(pageErrors, []);
});

test('memory budget sources', async (t) => {
  const { page } = await openApp(t);
  const budgets = await page.evaluate(async () => {
    const { DEFAULT_MEMORY_BUDGET, memoryBudget } = await import('./views/memory.js');
    return {
      fallback: DEFAULT_MEMORY_BUDGET,
      none: memoryBudget('', undefined),
      smallDevice: memoryBudget('', 2),
      largeDevice: memoryBudget('', 8),
      fromUrl: memoryBudget('?memoryBudget=1000', 8),
      invalidUrl: memoryBudget('?memoryBudget=lots', undefined),
    };
  });
  assert.equal(budgets.fallback, 2 * 1024 ** 3);
  assert.equal(budgets.none, budgets.fallback, 'without deviceMemory the default applies');
  assert.equal(budgets.smallDevice, 1024 ** 3, 'half of a 2 GiB device');
  assert.equal(budgets.largeDevice, budgets.fallback, 'the default caps a large device');
  assert.equal(budgets.fromUrl, 1000, 'the URL parameter wins');
  assert.equal(budgets.invalidUrl, budgets.fallback, 'an invalid URL parameter is ignored');
});

test('warning past wasm32 limit', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // A file of 2.5 GB cannot be made in the test, so the check and the warning
  // get objects with its name and size, as a File has.
  const choice = page.evaluate(async () => {
    const { askAboutMemory, checkMemory, DEFAULT_MEMORY_BUDGET } = await import('./views/memory.js');
    const huge = { name: 'huge.csv', size: 2_500_000_000 };
    const { fitting, over } = checkMemory([], [huge], DEFAULT_MEMORY_BUDGET);
    window.checked = { fitting: fitting.length, over: over.length, estimate: over[0]?.estimate };
    return askAboutMemory(document.getElementById('memory-warning'), over, DEFAULT_MEMORY_BUDGET, 0);
  });
  await page.waitForSelector(`${WARNING}:not([hidden])`);
  const checked = await page.evaluate(() => window.checked);
  assert.equal(checked.fitting, 0);
  assert.equal(checked.over, 1);
  assert.ok(checked.estimate > 4 * 1024 ** 3, `the estimate ${checked.estimate} passes 4 GiB`);
  assert.match(await page.textContent(WARNING), /huge\.csv \(2\.3 GB\)/);
  assert.match(await page.textContent('[data-testid=memory-beyond-wasm]'), /4\.0 GB that WebAssembly can address/);
  await page.click('[data-testid=memory-skip]');
  assert.equal(await choice, 'skip');
  assert.deepEqual(pageErrors, []);
});

test('streamed file estimate', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const checked = await page.evaluate(async () => {
    const { checkMemory, estimateMemory, DEFAULT_MEMORY_BUDGET, STREAMED_FROM_BYTES } = await import('./views/memory.js');
    const gigabyte = { name: 'gigabyte.csv', size: 1_000_000_000 };
    const justBelow = STREAMED_FROM_BYTES - 1;
    return {
      gigabyteFits: checkMemory([], [gigabyte], DEFAULT_MEMORY_BUDGET).fitting.length,
      // The second gigabyte goes over the budget together with the first one already loaded.
      secondOver: checkMemory([gigabyte.size], [{ name: 'second.csv', size: 1_000_000_000 }], DEFAULT_MEMORY_BUDGET).over.length,
      belowStreaming: estimateMemory([justBelow]),
      streamed: estimateMemory([STREAMED_FROM_BYTES]),
    };
  });
  assert.equal(checked.gigabyteFits, 1, 'a streamed file of 1 GB fits the default budget');
  assert.equal(checked.secondOver, 1, 'two streamed files of 1 GB do not');
  assert.ok(checked.streamed < checked.belowStreaming, `a streamed file keeps no text: ${checked.streamed} against ${checked.belowStreaming}`);
  assert.deepEqual(pageErrors, []);
});
