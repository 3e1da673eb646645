// Worker side of the browser benchmark: fetches the CSV as a Blob, then times
// the engine the way the page drives it with a dropped File. Fetching and
// starting the wasm module are not timed. Reading the Blob's slices and
// pushing them, finishFile, load (which, as in the page, drops the text
// afterwards, or for a large file streams it) and analyze are.
// Also records the size of the wasm linear memory after each phase. That size
// only grows, so the value after analyze is the engine's peak. When the request
// lists option changes, it then times `analyze` alone again for each change,
// on the data already loaded, as the page does when the user edits an option.

import init, { Analyzer } from './pkg/pathlight.js';

// The same slice size as www/worker.js uses for dropped files.
const CHUNK_BYTES = 4 * 1024 * 1024;
// As in www/worker.js, a file of STREAM_FROM_BYTES or more is inspected from
// its first HEAD_BYTES and streamed by the load, which reads it again.
const STREAM_FROM_BYTES = 128 * 1024 * 1024;
const HEAD_BYTES = 8 * 1024 * 1024;

self.addEventListener('message', async (event) => {
  try {
    self.postMessage({ result: await run(event.data) });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});

async function run({ url, analysisOptions, optionChanges = [], changeRuns = 0 }) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`fetching ${url} failed with HTTP ${response.status}`);
  }
  // A Blob, as a dropped File is, keeps the bytes out of the worker's heap:
  // only one slice at a time is copied in.
  const blob = await response.blob();
  const { memory } = await init();
  const memoryAfterInit = memory.buffer.byteLength;

  const analyzer = new Analyzer();
  const started = performance.now();

  // The size, as the page passes a File's, lets the engine reserve the text at once.
  const index = analyzer.beginFile(url.split('/').pop(), blob.size);
  const streamed = blob.size >= STREAM_FROM_BYTES;
  await pushSlices(analyzer, index, blob, streamed ? HEAD_BYTES : blob.size);
  if (streamed) {
    analyzer.finishHead(index);
  }
  const inspection = analyzer.finishFile(index);
  const inspected = performance.now();
  const memoryAfterRead = memory.buffer.byteLength;

  const config = {
    time_zone: 'UTC',
    strict: false,
    files: [{ index, delimiter: null, mapping: inspection.mapping }],
  };
  let summary;
  if (streamed) {
    analyzer.beginStream(config);
    analyzer.streamFile(0, blob.size);
    await pushSlices(analyzer, index, blob, blob.size);
    summary = analyzer.finishStream();
  } else {
    summary = analyzer.load(config);
  }
  const loaded = performance.now();
  const memoryAfterLoad = memory.buffer.byteLength;

  const reportJson = analyzer.analyze(analysisOptions);
  const analyzed = performance.now();
  const memoryAfterAnalyze = memory.buffer.byteLength;
  const report = JSON.parse(reportJson);
  const reanalysis = timeOptionChanges(analyzer, optionChanges, changeRuns);
  analyzer.free();

  return {
    bytes: blob.size,
    streamed,
    events: summary.events,
    people: summary.people,
    funnel_people: report.funnel ? report.funnel.steps.map((step) => step.people) : null,
    read_ms: inspected - started,
    load_ms: loaded - inspected,
    analyze_ms: analyzed - loaded,
    total_ms: analyzed - started,
    wasm_memory_bytes: {
      init: memoryAfterInit,
      read: memoryAfterRead,
      load: memoryAfterLoad,
      analyze: memoryAfterAnalyze,
    },
    reanalysis,
  };
}

// Pushes the first `end` bytes of the Blob into the engine in slices.
async function pushSlices(analyzer, index, blob, end) {
  for (let offset = 0; offset < end; offset += CHUNK_BYTES) {
    analyzer.pushChunk(index, new Uint8Array(await blob.slice(offset, Math.min(offset + CHUNK_BYTES, end)).arrayBuffer()));
  }
}

// Times `analyze` with each changed option set `runs` times, alternating the
// changes, so no change is timed right after itself. Returns one entry per
// change with its times in milliseconds.
function timeOptionChanges(analyzer, changes, runs) {
  const timings = changes.map((change) => ({ label: change.label, ms: [] }));
  for (let run = 0; run < runs; run += 1) {
    changes.forEach((change, index) => {
      const started = performance.now();
      analyzer.analyze(change.options);
      timings[index].ms.push(performance.now() - started);
    });
  }
  return timings;
}
