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

// A file of this size or more is streamed. Only its first HEAD_BYTES are read
// for the inspection, and a load reads it again slice by slice, so the engine
// never keeps its whole text, which takes about as much memory as its events.
// Smaller files are kept whole, so that helpers can read their parts.
const STREAM_FROM_BYTES = 128 * 1024 * 1024;
const HEAD_BYTES = 8 * 1024 * 1024;
// The tests lower the size with the `streamFrom` request.
let streamFromBytes = STREAM_FROM_BYTES;

// Large files are read in parts side by side: this worker reads the first
// part of each file, and helper workers (part-worker.js), each with an engine
// of its own, read the others. One helper per spare core, at most this many.
const MAX_PART_READERS = 3;

const engineReady = init().then(() => new Analyzer());

// The helpers, started once the engine is ready, so that their pages and
// modules load with the page rather than at the first drop.
const partReaders = [];
engineReady.then(() => {
  const cores = self.navigator?.hardwareConcurrency ?? 1;
  try {
    for (let count = 0; count < Math.min(cores - 1, MAX_PART_READERS); count += 1) {
      partReaders.push(new PartReader());
    }
  } catch {
    // A browser without workers inside workers reads every file in this worker.
    console.warn('Pathlight: no helper worker could start, so large files are read in one worker.');
  }
}, () => {});

// Each file the engine holds, by its index, so that a file whose text the
// engine dropped after a load can be read again from disk.
const sources = new Map();

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
  inspect: async (analyzer, { index, dialect }) => {
    await readAgainIfReleased(analyzer, index);
    return analyzer.inspect(index, dialect);
  },
  // Sets the size from which files are streamed, for the tests.
  streamFrom: async (analyzer, { bytes }) => {
    streamFromBytes = bytes;
    return null;
  },
  removeFile: (analyzer, { index }) => {
    analyzer.removeFile(index);
    sources.delete(index);
    return null;
  },
  // `readers` caps the helpers that read parts of large files: 0 reads every
  // file in this worker. Missing, every helper takes part.
  load: async (analyzer, { id, config, readers }) => {
    const files = config.files ?? [];
    if (files.some((file) => isStreamed(sources.get(file.index)))) {
      return loadStreamed(analyzer, id, config);
    }
    if (files.some((file) => sources.has(file.index) && analyzer.isReleased(file.index))) {
      // The load replaces the earlier one anyway; gone now, its memory takes
      // the text read again instead of adding to it.
      analyzer.clearLoad();
    }
    for (const file of files) {
      await readAgainIfReleased(analyzer, file.index);
    }
    // The engine drops each file's text once the events are read, because
    // the text takes about as much memory as the events. A later inspect or
    // load reads the file again.
    return loadInParts(analyzer, config, readers);
  },
  // The indexes of the files whose text the engine holds, for the tests.
  heldTexts: async (analyzer) => [...sources.keys()].filter((index) => !analyzer.isReleased(index)),
  // The phases of the last load, for the benchmark: see loadInParts().
  loadTiming: async () => lastLoadTiming,
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
      index = analyzer.beginFile(file.name, file.size);
      if (isStreamed(file)) {
        await pushFile(analyzer, index, file, report, HEAD_BYTES);
        analyzer.finishHead(index);
        report(file.size);
      } else {
        await pushFile(analyzer, index, file, report);
      }
      inspections.push(analyzer.finishFile(index));
      sources.set(index, file);
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

/** True for a File that is streamed: see STREAM_FROM_BYTES. */
function isStreamed(file) {
  return file !== undefined && file.size >= streamFromBytes;
}

/**
 * Pushes the first `end` bytes of a File (all of them by default) into the
 * engine in slices, reporting the bytes read.
 */
async function pushFile(analyzer, index, file, report = () => {}, end = file.size) {
  report(0);
  const stop = Math.min(end, file.size);
  for (let offset = 0; offset < stop; offset += CHUNK_BYTES) {
    const slice = file.slice(offset, Math.min(offset + CHUNK_BYTES, stop));
    const bytes = new Uint8Array(await slice.arrayBuffer());
    analyzer.pushChunk(index, bytes);
    report(Math.min(offset + CHUNK_BYTES, stop));
  }
}

/**
 * Reads a file again from its File when the engine dropped its text after a
 * load. A file that changed or went away on disk since then fails here, with a
 * message that names the file and advises adding it again.
 */
async function readAgainIfReleased(analyzer, index) {
  const file = sources.get(index);
  if (file === undefined || !analyzer.isReleased(index)) {
    return;
  }
  analyzer.readAgain(index);
  try {
    if (isStreamed(file)) {
      await pushFile(analyzer, index, file, () => {}, HEAD_BYTES);
      analyzer.finishHead(index);
    } else {
      await pushFile(analyzer, index, file);
    }
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      throw error;
    }
    // The engine counts the file as dropped until all of its bytes arrive,
    // so the next inspect or load tries again.
    throw new Error(`${file.name} could not be read again from disk (${messageOf(error)}). If it changed, remove it and add it again.`);
  }
}

// How long the last load took to read the files into one event log
// (`readMs`: planning, reading the parts and joining them) and to build the
// journeys (`buildMs`), and how many helpers took part. Null after a load
// that a failed helper sent back to one worker.
let lastLoadTiming = null;

/**
 * Loads the configured files, reading the later parts of each large file in
 * the helpers while this worker reads the first parts. The result equals
 * analyzer.load(config). When a helper fails, this worker reads every file
 * whole instead.
 */
async function loadInParts(analyzer, config, readers = partReaders.length) {
  const helpers = partReaders.filter((helper) => !helper.broken).slice(0, Math.max(0, readers));
  lastLoadTiming = null;
  const started = performance.now();
  const readHere = analyzer.planLoad(config, helpers.length + 1);

  const elsewhere = [];
  readHere.forEach((local, job) => {
    if (!local) {
      const { plan, text, limit } = analyzer.partJob(job);
      const helper = helpers[elsewhere.length % helpers.length];
      elsewhere.push(helper.read(plan, text, limit).then((bytes) => ({ job, bytes })));
    }
  });
  readHere.forEach((local, job) => {
    if (local) {
      analyzer.readPart(job);
    }
  });

  let results;
  try {
    results = await Promise.all(elsewhere);
  } catch {
    // The helper's message may quote the file, so only the fact is logged.
    console.warn('Pathlight: a helper failed to read part of a file, so the files are read again in one worker.');
    return analyzer.load(config);
  }
  for (const { job, bytes } of results) {
    analyzer.addPartRead(job, bytes);
  }
  analyzer.joinParts();

  const joined = performance.now();
  const summary = analyzer.finishLoad();
  lastLoadTiming = { readMs: joined - started, buildMs: performance.now() - joined, helpers: helpers.length };
  return summary;
}

/**
 * Loads the configured files while reading each again from its File, so that
 * the engine keeps only the text not yet read. Files are read in the order of
 * the configuration, and the progress counts their bytes.
 */
async function loadStreamed(analyzer, id, config) {
  lastLoadTiming = null;
  const files = config.files.map((file) => sources.get(file.index));
  const totalBytes = files.reduce((sum, file) => sum + (file?.size ?? 0), 0);
  // The earlier load's memory goes to this one.
  analyzer.clearLoad();
  analyzer.beginStream(config);
  let bytesBefore = 0;
  for (const [position, file] of files.entries()) {
    const index = config.files[position].index;
    if (file === undefined) {
      throw new Error(`File number ${index} of the load is not open. Add it again.`);
    }
    analyzer.streamFile(position, file.size);
    for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
      let bytes;
      try {
        bytes = new Uint8Array(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
      } catch (error) {
        throw new Error(`${file.name} could not be read again from disk (${messageOf(error)}). If it changed, remove it and add it again.`);
      }
      analyzer.pushChunk(index, bytes);
      const progress = {
        fileName: file.name,
        fileNumber: position + 1,
        fileCount: files.length,
        bytesRead: bytesBefore + Math.min(offset + CHUNK_BYTES, file.size),
        totalBytes,
      };
      self.postMessage({ id, progress });
    }
    bytesBefore += file.size;
  }
  return analyzer.finishStream();
}

/** A helper worker that reads parts of files, one request after another. */
class PartReader {
  constructor() {
    this.nextId = 1;
    this.pending = new Map();
    // Set when the helper failed outside a request, such as when its script
    // failed to load. A broken helper takes no part.
    this.broken = false;
    this.start();
  }

  start() {
    this.worker = new Worker(new URL('./part-worker.js', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (event) => this.receive(event.data));
    this.worker.addEventListener('error', () => {
      this.broken = true;
      this.failAll('The helper worker stopped.');
    });
  }

  /** Reads one part; resolves with the bytes of its events. */
  read(plan, text, limit) {
    return new Promise((resolve, reject) => {
      const id = this.nextId;
      this.nextId += 1;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, plan, text, limit }, [plan.buffer, text.buffer]);
    });
  }

  receive({ id, bytes, error, fatal }) {
    const request = this.pending.get(id);
    this.pending.delete(id);
    if (error !== undefined) {
      request?.reject(new Error(error));
      if (fatal) {
        this.restart('The helper worker stopped on an internal error.');
      }
      return;
    }
    request?.resolve(bytes);
  }

  /** Fails every open request and starts a new helper for the next load. */
  restart(message) {
    this.worker.terminate();
    this.failAll(message);
    this.start();
  }

  failAll(message) {
    for (const request of this.pending.values()) {
      request.reject(new Error(message));
    }
    this.pending.clear();
  }
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
