// After a load the engine drops each file's decoded text, which only inspecting
// and loading read, so that the analyses have its memory. The engine worker
// keeps the File and reads it again before the next inspect or load. The
// results must be the same as from a file that was never dropped.
//
// The test starts an engine worker of its own through the page's EngineClient.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './helpers.mjs';

/** Returns a CSV of 20,000 rows of 3,000 people, with a bad time every 487 rows. */
function journeysCsv() {
  const lines = ['user_id,event,timestamp,page'];
  const events = ['session_start', 'view_item', 'add_to_cart', 'purchase'];
  for (let row = 0; row < 20_000; row += 1) {
    const day = String(1 + (row % 28)).padStart(2, '0');
    const time = row % 487 === 3 ? 'soon' : `2024-05-${day}T${String(row % 24).padStart(2, '0')}:00:00Z`;
    lines.push(`p${(row * 31) % 3000},${events[row % 4]},${time},/p/${row % 11}`);
  }
  return `${lines.join('\n')}\n`;
}

test('text is dropped after a load and read again', async (t) => {
  const { page } = await openApp(t);
  const outcome = await page.evaluate(async (csv) => {
    const { EngineClient } = await import(new URL('./engine.js', document.baseURI).href);
    const client = new EngineClient(new URL('./worker.js', document.baseURI));
    const call = (type, payload) => client.request(type, payload);
    const file = new File([csv], 'journeys.csv', { type: 'text/csv' });
    const second = new File([csv.replaceAll('p/', 'q/')], 'second.csv', { type: 'text/csv' });

    const { inspections } = await call('addFiles', { files: [file, second] });
    const heldAfterAdding = await call('heldTexts');
    const config = {
      time_zone: 'UTC',
      strict: false,
      files: [{ index: 0, delimiter: null, mapping: inspections[0].mapping }],
    };
    const options = { conversion: 'purchase' };
    const first = await call('load', { config, readers: 0 });
    const firstReport = await call('analyze', { options });
    const heldAfterLoad = await call('heldTexts');

    // Inspecting reads the file again; the text then stays until the next load.
    const inspectedAgain = await call('inspect', { index: 0, dialect: { delimiter: null } });
    const heldAfterInspect = await call('heldTexts');

    // Both files this time, the second read again from its File.
    const both = { ...config, files: [...config.files, { index: 1, delimiter: null, mapping: inspections[1].mapping }] };
    const bothSummary = await call('load', { config: both });
    // And the first file alone once more, in parts where the browser has helpers.
    const again = await call('load', { config });
    const againReport = await call('analyze', { options });
    const heldAtEnd = await call('heldTexts');
    client.worker.terminate();
    return {
      heldAfterAdding,
      heldAfterLoad,
      heldAfterInspect,
      heldAtEnd,
      inspection: JSON.stringify(inspections[0]),
      inspectedAgain: JSON.stringify(inspectedAgain),
      first: JSON.stringify(first),
      again: JSON.stringify(again),
      firstEvents: first.events,
      bothEvents: bothSummary.events,
      firstReport,
      againReport,
    };
  }, journeysCsv());

  assert.deepEqual(outcome.heldAfterAdding, [0, 1]);
  assert.deepEqual(outcome.heldAfterLoad, [], 'every text is dropped after the load');
  assert.deepEqual(outcome.heldAfterInspect, [0]);
  assert.deepEqual(outcome.heldAtEnd, []);
  assert.equal(outcome.inspectedAgain, outcome.inspection, 'inspections');
  assert.equal(outcome.firstEvents, 20_000 - 42);
  assert.equal(outcome.bothEvents, 2 * outcome.firstEvents);
  assert.equal(outcome.again, outcome.first, 'load summaries');
  assert.ok(outcome.againReport === outcome.firstReport, 'reports differ');
});
