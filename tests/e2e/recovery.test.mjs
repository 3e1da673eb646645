// After an internal error in the engine the page shows a readable message,
// starts a new worker with the same files, and Analyse works again without a
// new drop.
//
// The test makes the worker's wasm instance trap the way a Rust panic does: a
// release build aborts on panic with an `unreachable` trap, which reaches JS as
// a WebAssembly.RuntimeError. Here the next analyze() call goes into the real
// wasm export with an Analyzer pointer past the end of linear memory, which
// traps with "memory access out of bounds", also a WebAssembly.RuntimeError.
// This needs no panic switch in the shipped engine: the hook lives only in
// this test, through Playwright's access to the worker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse, dropFiles, engineWorker, mapColumns, openApp, readCount, RESULT_TIMEOUT_MS } from './helpers.mjs';

const EVENTS_CSV = [
  'user,event,ts',
  'u1,page_view,2024-04-01T10:00:00Z',
  'u1,sign_up,2024-04-01T10:05:00Z',
  'u2,page_view,2024-04-01T11:00:00Z',
  'u3,page_view,2024-04-02T09:00:00Z',
  'u3,sign_up,2024-04-02T09:30:00Z',
  '',
].join('\n');

/** Makes the worker's next analyze() trap inside the wasm instance. */
async function trapNextAnalysis(worker) {
  await worker.evaluate(async () => {
    const bindings = await import(new URL('./pkg/pathlight.js', self.location.href).href);
    // The package is initialised already, so init() returns the instance's exports.
    const exports = await bindings.default();
    const original = bindings.Analyzer.prototype.analyze;
    bindings.Analyzer.prototype.analyze = function analyzeOnce() {
      bindings.Analyzer.prototype.analyze = original;
      // The export takes a return pointer, then the Analyzer pointer. Both point just past the
      // end of memory: not 0, which the export rejects as a JS error, and not near 4 GiB, where
      // field offsets would wrap around to low addresses.
      const pastTheEnd = exports.memory.buffer.byteLength + 4096;
      return exports.analyzer_analyze(pastTheEnd, pastTheEnd, undefined);
    };
  });
}

test('engine trap recovers with files kept', async (t) => {
  const { page, pageErrors } = await openApp(t);
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  await dropFiles(page, [{ name: 'events.csv', text: EVENTS_CSV }]);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 3);

  const worker = engineWorker(page);
  assert.ok(worker, 'the engine worker runs before the trap');
  await trapNextAnalysis(worker);
  await page.click('[data-testid=analyse-button]');

  const alert = page.locator('[role=alert][data-testid=status-error]');
  await alert.locator('p').first().waitFor({ state: 'visible', timeout: RESULT_TIMEOUT_MS });
  const text = await alert.textContent();
  assert.match(text, /engine stopped on an internal error/, 'says what happened');
  assert.match(text, /RuntimeError|memory access out of bounds/, 'names the trap');
  assert.match(text, /files are still loaded; press Analyse to retry/, 'says what to do');
  assert.equal(await page.locator('[data-testid=file-card]').count(), 1, 'the file card stays');

  await analyse(page);
  assert.equal(await readCount(page, 'summary-people'), 3, 'the retry reads the same file');
  assert.ok(!page.workers().includes(worker), 'the trapped worker was replaced');
  assert.ok(engineWorker(page), 'a new engine worker runs');
  assert.deepEqual(pageErrors, []);

  // The restart is logged, with no cell of the file in any console line.
  assert.ok(consoleLines.some((line) => /restarting the analysis worker/.test(line)), 'the restart is logged');
  for (const cell of ['u1', 'u2', 'u3', 'page_view', 'sign_up', '2024-04']) {
    assert.ok(!consoleLines.some((line) => line.includes(cell)), `no console line contains ${cell}`);
  }
});

test('trap after file changed names it', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'pathlight-recovery-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'events.csv');
  writeFileSync(path, EVENTS_CSV);

  const { page } = await openApp(t);
  await page.setInputFiles('[data-testid=file-input]', path);
  await page.waitForSelector('[data-testid=file-card]');
  await mapColumns(page, { person: 'user', event: 'event', time: 'ts' });
  await analyse(page);

  // The new worker that the trap starts reads the remembered File again,
  // which the browser refuses once the file has changed on disk.
  appendFileSync(path, 'u4,page_view,2024-04-03T09:00:00Z\n');
  await trapNextAnalysis(engineWorker(page));
  await page.click('[data-testid=analyse-button]');
  await page.waitForFunction(
    () => /could not be read again/.test(document.querySelector('[data-testid=status-error]')?.textContent ?? ''),
    null,
    { timeout: RESULT_TIMEOUT_MS },
  );
  const text = await page.textContent('[data-testid=status-error]');
  assert.match(text, /events\.csv/, 'names the file');
  // The replay or the next load finds the change, depending on when the
  // browser checks the file: either way the message gives the next step.
  assert.match(text, /(add it again|add them again)/i, 'says what to do');
  assert.doesNotMatch(text, /no file number/, 'no internal index');
});
