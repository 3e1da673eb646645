// Reading a large file in parts: the engine worker reads the first part and
// helper workers, each with an engine of its own and no shared memory, read
// the others. The load summary and the report must equal those of a read in
// the engine worker alone.
//
// The test starts an engine worker of its own through the page's EngineClient,
// so that it can ask for both reads of the same file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, dropFiles, engineWorker, journeysCsv, openApp, RESULT_TIMEOUT_MS } from './helpers.mjs';

/** Returns a CSV of about 3 MB: journeys of 6,000 people in 60,000 rows. */
function largeCsv() {
  return journeysCsv(60_000, 6000, '"first line\nsecond line"');
}

/**
 * Returns a CSV of 2.4 MB with one quoted note of 8,000 lines (0.35 MB) from
 * 43% to 57% of the file. The cut between the two parts, at 52%, falls inside
 * it, so the part before the cut reads past its end and the engine reads the
 * file whole.
 */
function quotedMiddleCsv() {
  const row = (number) => {
    const day = String(1 + (number % 28)).padStart(2, '0');
    const time = `${String(number % 24).padStart(2, '0')}:${String(number % 60).padStart(2, '0')}`;
    return `p${number % 5000},${number % 3 === 2 ? 'purchase' : 'visit'},2024-03-${day}T${time}:00Z,`;
  };
  const lines = ['user_id,event,timestamp,note'];
  for (let number = 0; number < 30_000; number += 1) {
    lines.push(row(number));
  }
  const note = Array.from({ length: 8_000 }, (_, line) => `line ${line} of a note pasted with its breaks`).join('\n');
  lines.push(`${row(30_000)}"${note}"`);
  for (let number = 30_001; number < 60_000; number += 1) {
    lines.push(row(number));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Loads `text` in a new engine worker of the page, read in that worker alone
 * and then in parts with the helpers, and returns both summaries and reports.
 */
async function readBothWays(page, text) {
  return page.evaluate(async (csv) => {
    const { EngineClient } = await import(new URL('./engine.js', document.baseURI).href);
    const client = new EngineClient(new URL('./worker.js', document.baseURI));
    const call = (type, payload) => client.request(type, payload);

    await call('ping');
    const file = new File([csv], 'large.csv', { type: 'text/csv' });
    const { inspections } = await call('addFiles', { files: [file] });
    const config = { time_zone: 'UTC', strict: false, files: [{ index: 0, delimiter: null, mapping: inspections[0].mapping }] };
    const options = { conversion: 'purchase' };

    const single = await call('load', { config, readers: 0 });
    const singleReport = await call('analyze', { options });
    const parallel = await call('load', { config });
    const timing = await call('loadTiming');
    const parallelReport = await call('analyze', { options });
    client.worker.terminate();
    return {
      cores: navigator.hardwareConcurrency,
      helpers: timing?.helpers,
      single: JSON.stringify(single),
      parallel: JSON.stringify(parallel),
      singleReport,
      parallelReport,
      events: single.events,
      skipped: single.skipped_rows,
    };
  }, text);
}

test('parallel read equals single read', async (t) => {
  const { page } = await openApp(t);
  const warnings = [];
  page.on('console', (message) => warnings.push(message.text()));
  const outcome = await readBothWays(page, largeCsv());

  assert.deepEqual(warnings.filter((line) => line.includes('helper')), [], 'no helper failed');
  assert.ok(outcome.cores >= 2, `the browser has ${outcome.cores} core, so no helper would read a part`);
  assert.ok(outcome.helpers >= 1, 'a helper read a part');
  assert.equal(outcome.events, 60_000 - 61);
  assert.equal(outcome.skipped, 61);
  assert.equal(outcome.parallel, outcome.single, 'load summaries');
  assert.ok(outcome.parallelReport === outcome.singleReport, 'reports differ');
});

test('cut inside a quoted note reads whole', async (t) => {
  const { page } = await openApp(t);
  const outcome = await readBothWays(page, quotedMiddleCsv());

  assert.ok(outcome.helpers >= 1, 'a helper read a part');
  assert.equal(outcome.events, 60_000);
  assert.match(outcome.single, /long_quoted_field/, 'the 8,000-line note is reported');
  assert.equal(outcome.parallel, outcome.single, 'load summaries');
  assert.ok(outcome.parallelReport === outcome.singleReport, 'reports differ');
});

/**
 * Returns the engine worker's timing of the page's last load, asked through
 * the worker's own request handler with a reply caught before it is posted.
 */
async function lastLoadTiming(page) {
  return engineWorker(page).evaluate(
    () =>
      new Promise((resolve) => {
        const post = self.postMessage.bind(self);
        const id = -1;
        self.postMessage = (message, ...rest) => {
          if (message?.id !== id) {
            post(message, ...rest);
            return;
          }
          self.postMessage = post;
          resolve(message.result);
        };
        self.dispatchEvent(new MessageEvent('message', { data: { id, type: 'loadTiming' } }));
      }),
  );
}

test('memory budget keeps helpers out', async (t) => {
  const app = await openApp(t);
  const text = largeCsv();
  // The estimate for this file is about 17 MB. Under a budget of 25 MB it fits,
  // but not twice over, so the page reads it in the engine worker alone.
  for (const [search, helpers] of [['', 1], ['?memoryBudget=25000000', 0]]) {
    await app.page.goto(`${app.server.url}${search}`);
    await app.page.waitForSelector('html[data-engine=ready]', { state: 'attached', timeout: RESULT_TIMEOUT_MS });
    await dropFiles(app.page, [{ name: 'large.csv', text }]);
    await app.page.waitForSelector('[data-testid=file-card]');
    await analyse(app.page);
    const timing = await lastLoadTiming(app.page);
    assert.equal(timing.helpers, helpers, `helpers with "${search}"`);
  }
});
