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

window.benchReady = true;
