// The Web Worker that owns the engine. It is the only module that imports the
// wasm package, and it keeps one Analyzer, so files are read once and each
// change of options costs one analyze() call.
//
// Requests arrive as { id, type, ...arguments }. Each gets exactly one reply,
// { id, result } or { id, error: { message, fatal } }. While files are read the
// worker also posts { id, progress: { ... } } for that request. `fatal` is true
// when the wasm instance trapped, as a Rust panic ends in an `unreachable` trap.
// Its memory may then hold half-done work, so the page must start a new worker.

import init, { Analyzer, parseSetup } from './pkg/pathlight.js';

// Files are read in slices of this size, so JS holds at most one slice of a
// file at a time and only the engine keeps the whole file.
const CHUNK_BYTES = 4 * 1024 * 1024;

const engineReady = init().then(() => new Analyzer());

// Requests run one at a time in arrival order. Reading a file awaits between
// slices, and a load() must not start while a file is half pushed.
let queue = Promise.resolve();

// Set by the first wasm trap. Every later request fails as fatal, because the
// instance cannot be trusted after a trap.
let poisoned = false;

const handlers = {
  ping: async () => 'ready',
  addFiles: addFiles,
  // `dialect` is { delimiter, header, column_names }; a null field is sniffed.
  inspect: (analyzer, { index, dialect }) => analyzer.inspect(index, dialect),
  removeFile: (analyzer, { index }) => {
    analyzer.removeFile(index);
    return null;
  },
  load: (analyzer, { config }) => analyzer.load(config),
  analyze: (analyzer, { options }) => analyzer.analyze(options),
  listPeople: (analyzer, { options, query }) => analyzer.listPeople(options, query),
  // Checks a setup's JSON text and returns it with every default filled in.
  parseSetup: (analyzer, { text }) => parseSetup(text),
};

self.addEventListener('message', (event) => {
  const request = event.data;
  queue = queue.then(() => run(request));
});

async function run(request) {
  const handler = handlers[request.type];
  try {
    if (!handler) {
      throw new Error(`Unknown request type ${request.type}.`);
    }
    const analyzer = await engineReady.catch((error) => {
      throw new Error(`The analysis engine failed to start: ${messageOf(error)}`);
    });
    if (poisoned) {
      throw new Error('The analysis engine stopped on an earlier internal error.');
    }
    const result = await handler(analyzer, request);
    self.postMessage({ id: request.id, result });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      poisoned = true;
    }
    self.postMessage({ id: request.id, error: { message: messageOf(error), fatal: poisoned } });
  }
}

/**
 * Reads each File in slices into the engine and inspects it. A file that
 * fails is forgotten by the engine and reported, and the others still load.
 */
async function addFiles(analyzer, { id, files }) {
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const inspections = [];
  const failures = [];
  let bytesBefore = 0;

  for (const [position, file] of files.entries()) {
    const report = (fileBytesRead) => {
      self.postMessage({
        id,
        progress: {
          fileName: file.name,
          fileNumber: position + 1,
          fileCount: files.length,
          bytesRead: bytesBefore + fileBytesRead,
          totalBytes,
        },
      });
    };

    let index = null;
    try {
      index = analyzer.beginFile(file.name);
      report(0);
      for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
        const slice = file.slice(offset, offset + CHUNK_BYTES);
        const bytes = new Uint8Array(await slice.arrayBuffer());
        analyzer.pushChunk(index, bytes);
        report(Math.min(offset + CHUNK_BYTES, file.size));
      }
      inspections.push(analyzer.finishFile(index));
    } catch (error) {
      // A trap is no fault of this file, and the instance is unusable after it.
      if (error instanceof WebAssembly.RuntimeError) {
        throw error;
      }
      if (index !== null) {
        forgetFile(analyzer, index);
      }
      failures.push({ name: file.name, message: messageOf(error) });
    }
    bytesBefore += file.size;
  }

  return { inspections, failures };
}

function forgetFile(analyzer, index) {
  try {
    analyzer.removeFile(index);
  } catch {
    // The file already failed, and that failure is the one worth reporting.
  }
}

function messageOf(error) {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
