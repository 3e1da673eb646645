// Times the wasm engine in headless Chromium, inside a Web Worker, on CSV
// files made by the synthetic journey generator, and records the size of the
// wasm linear memory and the worker's JS heap for each run.
//
//   node tools/bench/run.mjs --runs 5 --out results.json FILE.csv [FILE.csv ...]
//
// Serves a staging folder on a loopback port picked by the system, with the
// page from tools/bench/, the wasm package from www/pkg/ and the CSV files.
// Writes the runs and their medians as JSON.

import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const STAGING = join(REPO, 'bench-out', 'site');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The flags that let Chromium run headless as root on a machine whose only
// reachable hosts are package registries.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
// Far above any normal run, so the limit only stops a hung page.
const RUN_TIMEOUT_MS = 10 * 60 * 1000;
// A heap sample of an idle worker returns in milliseconds.
const HEAP_SAMPLE_TIMEOUT_MS = 5000;

const ANALYSIS_OPTIONS = {
  conversion: 'purchase',
  funnel: {
    steps: [{ event: 'session_start' }, { event: 'sign_up' }, { event: 'add_to_cart' }, { event: 'purchase' }],
    window: '30d',
  },
};

function parseArguments(argv) {
  const options = { runs: 5, out: null, files: [] };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--runs') {
      options.runs = Number.parseInt(argv[i + 1], 10);
      i += 1;
    } else if (argv[i] === '--out') {
      options.out = argv[i + 1];
      i += 1;
    } else {
      options.files.push(resolve(argv[i]));
    }
  }
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.files.length === 0) {
    throw new Error('Usage: node tools/bench/run.mjs --runs 5 --out results.json FILE.csv [FILE.csv ...]');
  }
  return options;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Returns an object whose heapUsage() samples the V8 heap of the page's
// dedicated worker through the DevTools protocol. performance.memory exists
// only on the main thread (checked in Chromium 156), so the worker cannot
// measure its own heap. heapUsage() attaches to the worker only for the
// sample and detaches again, so no DevTools session is open while a run is
// timed. A playwright-core CDP session cannot address a worker's flattened
// session, so this uses the older Target.sendMessageToTarget messages.
// heapUsage() returns null when Chromium rejects them or gives no reply.
async function createWorkerHeapProbe(page) {
  const cdp = await page.context().newCDPSession(page);
  const pending = new Map();
  let workerSession = null;
  let nextId = 1;

  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    if (targetInfo.type === 'worker') {
      workerSession = sessionId;
    }
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
    if (sessionId === workerSession) {
      workerSession = null;
    }
  });
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const reply = JSON.parse(message);
    const settle = pending.get(reply.id);
    if (settle) {
      pending.delete(reply.id);
      settle(reply);
    }
  });

  // Sends one protocol command to the attached worker and waits for its reply,
  // or for null after HEAP_SAMPLE_TIMEOUT_MS.
  async function sendToWorker(method) {
    const id = nextId;
    nextId += 1;
    let timer;
    const reply = new Promise((resolve) => {
      pending.set(id, resolve);
      timer = setTimeout(() => resolve(null), HEAP_SAMPLE_TIMEOUT_MS);
    });
    try {
      await cdp.send('Target.sendMessageToTarget', { sessionId: workerSession, message: JSON.stringify({ id, method }) });
      return await reply;
    } finally {
      clearTimeout(timer);
      pending.delete(id);
    }
  }

  async function heapUsage() {
    try {
      // Chromium reports the existing worker with Target.attachedToTarget
      // before it replies to this command.
      await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
      if (workerSession === null) {
        console.error('bench: worker JS heap not measured: no worker was attached');
        return null;
      }
      const answer = await sendToWorker('Runtime.getHeapUsage');
      if (answer === null || !answer.result) {
        const reason = answer === null ? `no reply in ${HEAP_SAMPLE_TIMEOUT_MS} ms` : JSON.stringify(answer.error);
        console.error(`bench: worker JS heap not measured: ${reason}`);
        return null;
      }
      return { used_bytes: answer.result.usedSize, total_bytes: answer.result.totalSize };
    } catch (error) {
      console.error(`bench: worker JS heap not measured: ${error.message}`);
      return null;
    } finally {
      await cdp.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: false });
      if (workerSession !== null) {
        await cdp.send('Target.detachFromTarget', { sessionId: workerSession });
        workerSession = null;
      }
    }
  }

  return { heapUsage };
}

// Links the page, the wasm package and the data into one folder to serve,
// because scripts/serve.mjs serves a single root.
async function stageSite(files) {
  await rm(STAGING, { recursive: true, force: true });
  await mkdir(join(STAGING, 'data'), { recursive: true });
  for (const name of ['bench.html', 'bench.js', 'bench-worker.js']) {
    await symlink(join(REPO, 'tools', 'bench', name), join(STAGING, name));
  }
  await symlink(join(REPO, 'www', 'pkg'), join(STAGING, 'pkg'));
  for (const file of files) {
    await symlink(file, join(STAGING, 'data', basename(file)));
  }
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  await stageSite(options.files);
  const server = await startServer({ port: 0, host: '127.0.0.1', root: STAGING });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const results = { browser: `Chromium ${browser.version()}`, runs_per_file: options.runs, files: [] };

  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(RUN_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`bench page error: ${error.message}`));
    await page.goto(`${server.url}bench.html`);
    await page.waitForFunction(() => window.benchReady === true);
    const heapProbe = await createWorkerHeapProbe(page);

    for (const file of options.files) {
      const url = `${server.url}data/${basename(file)}`;
      const runs = [];
      for (let run = 1; run <= options.runs; run += 1) {
        const timing = await page.evaluate(
          (request) => window.runBenchmark(request),
          { url, analysisOptions: ANALYSIS_OPTIONS },
        );
        // The worker has posted its result and idles until endBenchmarkRun().
        timing.worker_heap = await heapProbe.heapUsage();
        await page.evaluate(() => window.endBenchmarkRun());
        const mebibytes = (bytes) => (bytes / 2 ** 20).toFixed(1);
        console.log(
          `browser: ${basename(file)} run ${run}/${options.runs}: ${timing.events} events in ${timing.total_ms.toFixed(0)} ms ` +
            `(read ${timing.read_ms.toFixed(0)}, load ${timing.load_ms.toFixed(0)}, analyze ${timing.analyze_ms.toFixed(0)}), ` +
            `wasm memory ${mebibytes(timing.wasm_memory_bytes.analyze)} MiB, ` +
            `worker JS heap ${timing.worker_heap ? `${mebibytes(timing.worker_heap.used_bytes)} MiB` : 'not measured'}`,
        );
        runs.push(timing);
      }
      const medians = {};
      for (const key of ['read_ms', 'load_ms', 'analyze_ms', 'total_ms']) {
        medians[key] = median(runs.map((timing) => timing[key]));
      }
      medians.wasm_memory_bytes = {};
      for (const phase of ['init', 'read', 'load', 'analyze']) {
        medians.wasm_memory_bytes[phase] = median(runs.map((timing) => timing.wasm_memory_bytes[phase]));
      }
      const heapSamples = runs.filter((timing) => timing.worker_heap !== null);
      // A median over only the runs that were sampled, or null when none was.
      medians.worker_heap_used_bytes =
        heapSamples.length > 0 ? median(heapSamples.map((timing) => timing.worker_heap.used_bytes)) : null;
      medians.worker_heap_samples = heapSamples.length;
      results.files.push({ file: basename(file), events: runs[0].events, bytes: runs[0].bytes, runs, medians });
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const json = JSON.stringify(results, null, 2);
  if (options.out) {
    await writeFile(options.out, json + '\n');
  } else {
    console.log(json);
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
