// A helper of the engine worker (worker.js) that reads parts of large files.
// It runs an engine instance of its own and shares no memory with the engine
// worker: each request brings one part's plan (bytes), its UTF-8 text and
// the byte where its rows end, and the reply carries the part's events as
// bytes, which the engine worker joins with the other parts.
//
// Requests are { id, plan, text, limit }. Replies are { id, bytes } or
// { id, error, fatal }, where `fatal` means the instance trapped and the engine
// worker must replace this helper.

import init, { readFilePart } from './pkg/pathlight.js';

const ready = init();

self.addEventListener('message', async (event) => {
  const { id, plan, text, limit } = event.data;
  try {
    await ready;
    const bytes = readFilePart(plan, text, limit);
    self.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (error) {
    self.postMessage({
      id,
      error: error instanceof Error ? error.message : String(error),
      fatal: error instanceof WebAssembly.RuntimeError,
    });
  }
});
