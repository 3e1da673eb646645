// Page side of the browser benchmark. Exposes runBenchmark(), which starts a
// fresh Web Worker for each run, so every run pays for its own engine
// instance and no memory carries over between runs.

window.runBenchmark = function runBenchmark(request) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
    const finish = (settle, value) => {
      worker.terminate();
      settle(value);
    };
    worker.addEventListener('message', (event) => {
      if (event.data.error) {
        finish(reject, new Error(event.data.error));
      } else {
        finish(resolve, event.data.result);
      }
    });
    worker.addEventListener('error', (event) => {
      finish(reject, new Error(`bench worker failed: ${event.message}`));
    });
    worker.postMessage(request);
  });
};

window.benchReady = true;
