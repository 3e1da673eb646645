// Streaming a large file: the engine worker inspects only its first bytes, and
// a load reads it again slice by slice, keeping only the text not yet read.
// The inspection, the load summary and the report must equal those of the
// file read whole.
//
// The test starts engine workers of its own through the page's EngineClient,
// and lowers the size from which files are streamed with the `streamFrom`
// request, so that a file of 29 MB is cut into a few parts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journeysCsv, openApp } from './helpers.mjs';

/** Returns a CSV of about 29 MB: journeys of 40,000 people in 600,000 rows. */
function largeCsv() {
  return journeysCsv(600_000, 40_000, '"first line\nsecond, ""quoted"" line"');
}

test('streamed load equals whole load', async (t) => {
  const { page } = await openApp(t);
  const outcome = await page.evaluate(async (csv) => {
    const { EngineClient } = await import(new URL('./engine.js', document.baseURI).href);
    const file = new File([csv], 'large.csv', { type: 'text/csv' });
    const options = { conversion: 'purchase' };

    // Returns the inspection, the summaries of two loads and the report of
    // the first, read with files streamed from `streamFrom` bytes.
    async function readWith(streamFrom) {
      const client = new EngineClient(new URL('./worker.js', document.baseURI));
      const call = (type, payload, onProgress) => client.request(type, payload, onProgress);
      await call('streamFrom', { bytes: streamFrom });
      const { inspections } = await call('addFiles', { files: [file] });
      const heldAfterAdding = await call('heldTexts');
      const config = { time_zone: 'UTC', strict: false, files: [{ index: 0, delimiter: null, mapping: inspections[0].mapping }] };
      let progress = 0;
      const first = await call('load', { config, readers: 0 }, () => {
        progress += 1;
      });
      const report = await call('analyze', { options });
      const heldAfterLoad = await call('heldTexts');
      const inspectedAgain = await call('inspect', { index: 0, dialect: { delimiter: null } });
      const second = await call('load', { config, readers: 0 });
      client.worker.terminate();
      return {
        inspection: JSON.stringify(inspections[0]),
        inspectedAgain: JSON.stringify(inspectedAgain),
        first: JSON.stringify(first),
        second: JSON.stringify(second),
        events: first.events,
        report,
        progress,
        heldAfterAdding,
        heldAfterLoad,
      };
    }

    return { size: file.size, whole: await readWith(Infinity), streamed: await readWith(1024 * 1024) };
  }, largeCsv());

  const { whole, streamed } = outcome;
  assert.ok(outcome.size > 26 * 1024 * 1024, `the file has ${outcome.size} bytes, too few for a second part`);
  assert.equal(whole.events, 600_000 - 602);
  assert.equal(whole.progress, 0, 'a load of a kept text reports no reading');
  assert.ok(streamed.progress >= 7, `the streamed load reported ${streamed.progress} slices read`);
  assert.deepEqual(streamed.heldAfterAdding, [0], 'the first bytes are kept for the inspection');
  assert.deepEqual(streamed.heldAfterLoad, []);
  assert.equal(streamed.inspection, whole.inspection, 'inspections');
  assert.equal(streamed.inspectedAgain, whole.inspection, 'inspections after the load');
  assert.equal(streamed.first, whole.first, 'load summaries');
  assert.equal(streamed.second, whole.first, 'load summaries of the second load');
  assert.ok(streamed.report === whole.report, 'reports differ');
});
