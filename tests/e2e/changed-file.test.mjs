// A file that changes on disk after a load. The engine dropped its text after
// the load, so the next load reads the File again, and the browser refuses to
// read a File whose file has changed since it was chosen. Every later load
// must then fail with the same clear message. None may load the part of the
// file read before the failure, or report the file as empty.
//
// The test chooses a real file through the page's file input, so the File is
// backed by the disk, and talks to an engine worker of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from './helpers.mjs';

/** Returns a CSV of 30,000 rows, about 1.2 MB, so that it is pushed in several slices. */
function visitsCsv() {
  const lines = ['user_id,event,timestamp'];
  for (let row = 0; row < 30_000; row += 1) {
    const day = String(1 + (row % 28)).padStart(2, '0');
    // Each person's rows differ in their minute, so no row is a duplicate of another.
    const minute = String(Math.floor(row / 4000)).padStart(2, '0');
    lines.push(`person-${row % 4000},${row % 9 === 0 ? 'purchase' : 'visit'},2024-06-${day}T10:${minute}:00Z`);
  }
  return `${lines.join('\n')}\n`;
}

test('file changed on disk fails every later load', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'pathlight-changed-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'visits.csv');
  writeFileSync(path, visitsCsv());

  const { page } = await openApp(t);
  // The page empties the input once it has taken the files, so the File is
  // caught on its way down to the input.
  await page.evaluate(() => {
    document.addEventListener('change', (event) => { window.chosenFiles = [...event.target.files]; }, { capture: true });
  });
  await page.setInputFiles('[data-testid=file-input]', path);
  const first = await page.evaluate(async () => {
    const { EngineClient } = await import(new URL('./engine.js', document.baseURI).href);
    const client = new EngineClient(new URL('./worker.js', document.baseURI));
    window.testClient = client;
    const file = window.chosenFiles[0];
    const { inspections } = await client.request('addFiles', { files: [file] });
    window.testConfig = { time_zone: 'UTC', strict: false, files: [{ index: 0, delimiter: null, mapping: inspections[0].mapping }] };
    const summary = await client.request('load', { config: window.testConfig, readers: 0 });
    return { events: summary.events, held: await client.request('heldTexts') };
  });
  assert.equal(first.events, 30_000);
  assert.deepEqual(first.held, [], 'the text is dropped after the load');

  appendFileSync(path, 'person-1,visit,2024-06-30T10:00:00Z\n');
  const later = await page.evaluate(async () => {
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const summary = await window.testClient.request('load', { config: window.testConfig, readers: 0 });
        outcomes.push(`loaded ${summary.events} events`);
      } catch (error) {
        outcomes.push(error.message);
      }
    }
    outcomes.push(JSON.stringify(await window.testClient.request('heldTexts')));
    window.testClient.worker.terminate();
    return outcomes;
  });

  for (const [attempt, outcome] of later.slice(0, 3).entries()) {
    assert.match(outcome, /^visits\.csv could not be read again from disk/, `load ${attempt + 2}`);
    assert.match(outcome, /add it again/, `load ${attempt + 2} says what to do`);
  }
  assert.equal(later[3], '[]', 'no part of the file counts as its text');
});
