// Page side of the browser benchmark. Exposes runBenchmark(), which starts a
// fresh Web Worker for each run, so every run pays for its own engine
// instance and no memory carries over between runs. After a successful run
// the worker stays alive until endBenchmarkRun(), so tools/bench/run.mjs can
// sample the worker's JS heap first.

let activeWorker = null;

window.endBenchmarkRun = function endBenchmarkRun() {
  if (activeWorker !== null) {
    activeWorker.terminate();
    activeWorker = null;
  }
};

window.runBenchmark = function runBenchmark(request) {
  window.endBenchmarkRun();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
    activeWorker = worker;
    const fail = (error) => {
      window.endBenchmarkRun();
      reject(error);
    };
    worker.addEventListener('message', (event) => {
      if (event.data.error) {
        fail(new Error(event.data.error));
      } else {
        resolve(event.data.result);
      }
    });
    worker.addEventListener('error', (event) => {
      fail(new Error(`bench worker failed: ${event.message}`));
    });
    worker.postMessage(request);
  });
};

// Times loads of one file through the page's own engine worker (www/worker.js)
// and its client (www/engine.js),
// alternating a read in that worker alone (`readers: 0`) with a read in parts
// shared with its helper workers, `runs` times each. The file is added once,
// as a dropped file is, and every load reads it again. Returns each load's
// time and its phases as the worker measured them (reading the rows into one
// event log, then building the journeys), the helpers that took part, and
// whether both reads gave the same load summary.
window.runParallelReading = async function runParallelReading({ url, runs }) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`fetching ${url} failed with HTTP ${response.status}`);
  }
  const file = new File([await response.arrayBuffer()], url.split('/').pop(), { type: 'text/csv' });
  const { EngineClient } = await import('./engine.js');
  const client = new EngineClient(new URL('./worker.js', import.meta.url));
  const call = (type, payload) => client.request(type, payload);
  try {
    await call('ping');
    const { inspections, failures } = await call('addFiles', { files: [file] });
    if (failures.length > 0) {
      throw new Error(`the file failed to read: ${failures[0].message}`);
    }
    const config = { time_zone: 'UTC', strict: false, files: [{ index: 0, delimiter: null, mapping: inspections[0].mapping }] };
    const runsOf = { single: [], parallel: [] };
    const summaries = new Set();
    for (let run = 0; run < runs; run += 1) {
      for (const [key, readers] of [['single', 0], ['parallel', undefined]]) {
        const started = performance.now();
        const summary = await call('load', { config, readers });
        const loadMs = performance.now() - started;
        const timing = await call('loadTiming');
        if (timing === null) {
          throw new Error('a helper failed, so the load was read in one worker');
        }
        runsOf[key].push({ load_ms: loadMs, read_ms: timing.readMs, build_ms: timing.buildMs, helpers: timing.helpers });
        summaries.add(JSON.stringify(summary));
      }
    }
    return { ...runsOf, same_summary: summaries.size === 1 };
  } finally {
    client.worker.terminate();
  }
};

window.benchReady = true;
