// Progress and Cancel: reading, loading and analysing show a progress bar with
// a Cancel button when they take more than about 300 ms, and none for quick
// work. Cancel (or Escape) ends the worker at once, the earlier files are read
// again into a new worker, and a cancel during that restore removes them all.
//
// The large files come from `pathlight generate`, written to a temporary
// folder: two files of about 50 MB each. The reading tests also delay each
// slice a little, so the bar appears and Cancel can be pressed in time on a
// fast machine.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { analyse, dropFiles, engineWorker, mapColumns, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// People per generated file: about 10 events, or 640 bytes, each.
const GENERATED_PEOPLE = 80_000;
// The delay of www/views/status.js before a bar appears, in milliseconds.
const PROGRESS_DELAY_MS = 300;
// Wait before each 4 MiB slice is read, in milliseconds: about 1 s more for 100 MB.
const SLICE_DELAY_MS = 40;
// Time allowed from pressing Cancel to the cancelled notice, in milliseconds.
const CANCEL_TIMEOUT_MS = 2_000;
// Time allowed for large files to be read, loaded or restored, in milliseconds.
const LARGE_TIMEOUT_MS = 120_000;

const SMALL_CSV = [
  'user,event,ts',
  'u1,visit,2024-04-01T10:00:00Z',
  'u1,purchase,2024-04-01T10:05:00Z',
  'u2,visit,2024-04-01T11:00:00Z',
  'u3,visit,2024-04-02T09:00:00Z',
  '',
].join('\n');

const PROGRESS = '[data-testid=progress-box]';
const NOTICE = '[data-testid=status-notice]';

let tempDir;
let largeFiles;

/** Returns the pathlight binary, the release build when it exists. */
function pathlightBinary() {
  for (const profile of ['release', 'debug']) {
    const binary = path.join(ROOT, 'target', profile, 'pathlight');
    if (existsSync(binary)) {
      return binary;
    }
  }
  throw new Error('No pathlight binary in target/release or target/debug: run `cargo build --bin pathlight` first.');
}

before(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'pathlight-cancel-'));
  largeFiles = [1, 2].map((seed) => {
    const file = path.join(tempDir, `journeys-${seed}.csv`);
    const csv = execFileSync(pathlightBinary(), ['generate', '--people', String(GENERATED_PEOPLE), '--seed', String(seed)], { maxBuffer: 256 * 1024 * 1024 });
    writeFileSync(file, csv);
    return file;
  });
});

after(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

/**
 * Makes every worker of the page wait `delayMs` before each slice of a file
 * is read, so reading lasts long enough to cancel on a fast machine too. Each
 * worker is patched as it starts, before its engine has finished starting,
 * so the workers started by a cancel read slowly as well.
 */
function slowDownReading(page, delayMs) {
  page.on('worker', (worker) => {
    worker.evaluate((delay) => {
      const original = Blob.prototype.arrayBuffer;
      Blob.prototype.arrayBuffer = async function delayedArrayBuffer() {
        await new Promise((resolve) => setTimeout(resolve, delay));
        return original.call(this);
      };
    }, delayMs).catch(() => {
      // A worker that a cancel terminated meanwhile needs no patch.
    });
  });
}

/**
 * Makes the next call of the Analyzer method `method` in `worker` block the
 * worker for `blockMs` first, as a long wasm call does: a busy loop, not a
 * timer, so only terminating the worker ends it.
 */
async function blockNextCall(worker, method, blockMs) {
  await worker.evaluate(async ([name, duration]) => {
    const bindings = await import(new URL('./pkg/pathlight.js', self.location.href).href);
    const original = bindings.Analyzer.prototype[name];
    bindings.Analyzer.prototype[name] = function blockedCall(...args) {
      bindings.Analyzer.prototype[name] = original;
      const end = performance.now() + duration;
      while (performance.now() < end) {
        // Busy on purpose.
      }
      return original.apply(this, args);
    };
  }, [method, blockMs]);
}

/** Waits until the progress bar is on screen with a label matching `pattern`. */
async function waitForProgress(page, pattern, timeout = LARGE_TIMEOUT_MS) {
  await page.waitForFunction(([selector, source]) => {
    const box = document.querySelector(selector);
    return box && !box.hidden && new RegExp(source).test(box.textContent);
  }, [PROGRESS, pattern.source], { timeout });
}

/** Waits until no progress bar shows and the Analyse button is enabled again. */
async function waitUntilIdle(page) {
  await page.waitForFunction((selector) => document.querySelector(selector).hidden
    && !document.querySelector('[data-testid=analyse-button]').disabled, PROGRESS, { timeout: LARGE_TIMEOUT_MS });
}

/** Runs `press` and returns the milliseconds until the notice shows that the work was cancelled. */
async function cancelAndTime(page, press) {
  const started = Date.now();
  await press();
  await page.waitForFunction((selector) => /^Cancelled/.test(document.querySelector(selector).textContent), NOTICE, { timeout: CANCEL_TIMEOUT_MS });
  return Date.now() - started;
}

async function loadSmallFile(page) {
  await dropFiles(page, [{ name: 'small.csv', text: SMALL_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 3);
}

test('cancel while reading keeps earlier files', async (t) => {
  const { page, pageErrors } = await openApp(t);
  slowDownReading(page, SLICE_DELAY_MS);
  await page.reload();
  await page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  await loadSmallFile(page);
  const firstWorker = engineWorker(page);
  // Playwright reports a terminated worker a moment later, on a busy machine after the notice.
  const firstClosed = new Promise((resolve) => {
    firstWorker.once('close', () => resolve(true));
  });

  await page.setInputFiles('[data-testid=file-input]', largeFiles);
  await waitForProgress(page, /Reading journeys-1\.csv/);
  const fraction = await page.evaluate(() => document.querySelector('[data-testid=progress]').getAttribute('value'));
  assert.notEqual(fraction, null, 'reading shows a byte fraction');
  assert.equal(await page.isDisabled('[data-testid=analyse-button]'), true, 'Analyse is disabled while reading');
  assert.equal(await page.isDisabled('[data-testid=sample-button]'), true, 'the sample is disabled while reading');

  const elapsed = await cancelAndTime(page, () => page.click('[data-testid=cancel-button]'));
  assert.ok(elapsed < CANCEL_TIMEOUT_MS, `cancelled in ${elapsed} ms`);
  assert.equal(await page.textContent(NOTICE), 'Cancelled. Your earlier files are still loaded.');
  assert.equal((await page.textContent('[data-testid=status-error]')).trim(), '', 'a cancel is no error');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'status-notice', 'the focus moves from Cancel to the notice');
  const timedOut = new Promise((resolve) => {
    setTimeout(() => resolve(false), CANCEL_TIMEOUT_MS);
  });
  assert.ok(await Promise.race([firstClosed, timedOut]), 'the reading worker was stopped');

  await waitUntilIdle(page);
  assert.equal(await page.locator('[data-testid=file-card]').count(), 1, 'only the earlier file is listed');
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 3, 'the earlier file analyses again');
  assert.deepEqual(pageErrors, []);
});

test('escape cancels load, then restore', async (t) => {
  const { page, pageErrors } = await openApp(t);
  slowDownReading(page, SLICE_DELAY_MS);
  await page.reload();
  await page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
  // Both files, so that reading them again lasts long enough to cancel.
  await page.setInputFiles('[data-testid=file-input]', largeFiles);
  await page.waitForSelector('[data-testid=file-card]', { timeout: LARGE_TIMEOUT_MS });
  await waitUntilIdle(page);

  await page.click('[data-testid=analyse-button]');
  await waitForProgress(page, /Loading the journeys/);
  const value = await page.evaluate(() => document.querySelector('[data-testid=progress]').getAttribute('value'));
  assert.equal(value, null, 'loading shows an indeterminate bar');
  // Loading both files lasts several seconds, long enough for axe.
  const axe = await new AxeBuilder({ page }).include(PROGRESS).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(axe.violations.map((violation) => violation.id), [], 'axe finds no WCAG violation in the progress bar');
  const elapsed = await cancelAndTime(page, () => page.keyboard.press('Escape'));
  assert.ok(elapsed < CANCEL_TIMEOUT_MS, `Escape cancelled in ${elapsed} ms`);
  assert.equal(await page.locator('[data-testid=results]').isHidden(), true, 'no results were drawn');

  // The new worker reads the file again, and that can be cancelled too.
  await waitForProgress(page, /Restoring your files/);
  assert.equal(await page.isDisabled('[data-testid=analyse-button]'), true, 'Analyse is disabled while restoring');
  await page.click('[data-testid=cancel-button]');
  await page.waitForFunction((selector) => /every file was removed/.test(document.querySelector(selector).textContent), NOTICE, { timeout: CANCEL_TIMEOUT_MS });
  await waitUntilIdle(page);
  assert.equal(await page.locator('[data-testid=file-card]').count(), 0, 'no file is listed');
  assert.equal(await page.isHidden('#mapping-section'), true, 'the column check is hidden');
  const current = await page.getAttribute('[data-testid=step] [aria-current=step]', 'href');
  assert.equal(current, '#input-heading', 'the guide is back at step 1');

  // The page is usable: a new file reads and analyses.
  await loadSmallFile(page);
  assert.deepEqual(pageErrors, []);
});

test('cancel during analyse keeps the report', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // A large file, so that loading it again in the restore lasts long enough to see.
  await page.setInputFiles('[data-testid=file-input]', largeFiles[0]);
  await page.waitForSelector('[data-testid=file-card]', { timeout: LARGE_TIMEOUT_MS });
  await waitUntilIdle(page);
  await page.click('[data-testid=analyse-button]');
  await page.waitForSelector('[data-testid=results]:not([hidden]):not(.stale) [data-testid=summary-people]', { timeout: LARGE_TIMEOUT_MS });
  await waitUntilIdle(page);
  const people = await readCount(page, 'summary-people');

  // The next analyze() blocks the worker as a long wasm call does.
  await blockNextCall(engineWorker(page), 'analyze', 60_000);

  // A conversion change runs analyze() only.
  await page.selectOption('[data-testid=conversion-choice]', 'sign_up');
  await waitForProgress(page, /Analysing/);
  const elapsed = await cancelAndTime(page, () => page.click('[data-testid=cancel-button]'));
  assert.ok(elapsed < CANCEL_TIMEOUT_MS, `cancelled in ${elapsed} ms`);
  assert.equal(await page.getAttribute('[data-testid=results]', 'class').then((names) => names.includes('outdated')), true, 'the report is marked outdated');
  assert.equal(await readCount(page, 'summary-people'), people, 'the earlier report stays');

  // The restore reads the file and loads the journeys again, and the label shows which it is doing.
  await waitForProgress(page, /Restoring your files… loading the journeys/);
  assert.equal(await page.isDisabled('[data-testid=analyse-button]'), true, 'Analyse is disabled while restoring');

  // After the restore the same change analyses again.
  await waitUntilIdle(page);
  await page.selectOption('[data-testid=conversion-choice]', 'purchase');
  await page.waitForFunction(() => {
    const results = document.querySelector('[data-testid=results]');
    return !results.classList.contains('outdated') && results.querySelector('.hint strong')?.textContent === 'purchase';
  }, null, { timeout: LARGE_TIMEOUT_MS });
  assert.equal(await readCount(page, 'summary-people'), people);
  assert.deepEqual(pageErrors, []);
});

test('quick work shows no progress bar', async (t) => {
  const { page, pageErrors } = await openApp(t);
  // The bar depends on time, so the test measures each request in the page:
  // a bar may only appear when a request took longer than the delay.
  await page.evaluate((selector) => {
    window.progressShown = false;
    window.longestRequestMs = 0;
    const box = document.querySelector(selector);
    new MutationObserver(() => {
      window.progressShown ||= !box.hidden;
    }).observe(box, { attributes: true, attributeFilter: ['hidden'] });

    const started = new Map();
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function timeAndPost(message, ...rest) {
      if (!this.timed) {
        this.timed = true;
        this.addEventListener('message', (event) => {
          if (!event.data.progress && started.has(event.data.id)) {
            window.longestRequestMs = Math.max(window.longestRequestMs, performance.now() - started.get(event.data.id));
          }
        });
      }
      started.set(message.id, performance.now());
      return original.call(this, message, ...rest);
    };
  }, PROGRESS);

  await loadSmallFile(page);
  await page.selectOption('[data-testid=conversion-choice]', 'visit');
  await page.waitForFunction(() => document.querySelector('[data-testid=results] .hint strong')?.textContent === 'visit', null, { timeout: RESULT_TIMEOUT_MS });
  const { shown, longest } = await page.evaluate(() => ({ shown: window.progressShown, longest: window.longestRequestMs }));
  assert.ok(longest > 0, 'the requests were timed');
  if (longest < PROGRESS_DELAY_MS) {
    assert.equal(shown, false, `the bar never appeared, the longest request took ${Math.round(longest)} ms`);
  } else {
    t.diagnostic(`a request took ${Math.round(longest)} ms on this machine, so the bar may appear`);
  }
  assert.deepEqual(pageErrors, []);
});
