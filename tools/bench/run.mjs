// Times an engine in headless Chromium, inside a Web Worker, on CSV files made
// by the synthetic journey generator. The engine is Pathlight's wasm build
// (the default) or the DuckDB-wasm peer running tools/bench/duckdb_job.sql.
//
//   node tools/bench/run.mjs [--engine pathlight|duckdb-wasm] --runs 5 \
//     [--changes-on journeys-1m.csv] [--parallel-on journeys-1m.csv] \
//     --out results.json FILE.csv [FILE.csv ...]
//
// Serves a staging folder on a loopback port picked by the system, with the
// pages from tools/bench/, the wasm package from www/pkg/, DuckDB-wasm's files
// from tools/bench/duckdb-wasm/node_modules/ and the CSV files. Chromium may
// reach no other host. Every run gets its own browser context, so its own
// renderer process, whose peak resident set size is recorded. For Pathlight
// it also records the wasm linear memory and the worker's JS heap, and on the
// files named by --changes-on it times `analyze` after option changes, and on
// those named by --parallel-on it times loads through the page's engine worker
// read alone and read in parts with its helper workers.
// Writes the runs and their medians as JSON.

import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const STAGING = join(REPO, 'bench-out', 'site');
const DUCKDB_DIST = join(REPO, 'tools', 'bench', 'duckdb-wasm', 'node_modules', '@duckdb', 'duckdb-wasm', 'dist');
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
  // Every host name fails to resolve, so nothing can leave the machine even
  // if a library has a default remote address. The bench server is 127.0.0.1.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
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

// Option changes that need no re-read, each timed with `analyze` alone.
const OPTION_CHANGES = [
  {
    label: 'a new funnel step (a /pricing page view after session_start)',
    options: {
      ...ANALYSIS_OPTIONS,
      funnel: {
        ...ANALYSIS_OPTIONS.funnel,
        steps: [
          { event: 'session_start' },
          { event: 'page_view', column: 'page', value: '/pricing' },
          { event: 'sign_up' },
          { event: 'add_to_cart' },
          { event: 'purchase' },
        ],
      },
    },
  },
  { label: 'the window from 30 days to 7 days', options: { ...ANALYSIS_OPTIONS, funnel: { ...ANALYSIS_OPTIONS.funnel, window: '7d' } } },
  {
    label: 'a filter: step 1 only from paid search',
    options: {
      ...ANALYSIS_OPTIONS,
      funnel: {
        ...ANALYSIS_OPTIONS.funnel,
        steps: [
          { event: 'session_start', column: 'channel', value: 'paid_search' },
          ...ANALYSIS_OPTIONS.funnel.steps.slice(1),
        ],
      },
    },
  },
];
// How often each option change is timed in a run.
const CHANGE_RUNS = 2;

const ENGINES = ['pathlight', 'duckdb-wasm'];

function parseArguments(argv) {
  const options = { engine: 'pathlight', runs: 5, out: null, changesOn: [], parallelOn: [], files: [] };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--runs') {
      options.runs = Number.parseInt(argv[i + 1], 10);
      i += 1;
    } else if (argv[i] === '--out') {
      options.out = argv[i + 1];
      i += 1;
    } else if (argv[i] === '--engine') {
      options.engine = argv[i + 1];
      i += 1;
    } else if (argv[i] === '--changes-on') {
      options.changesOn.push(argv[i + 1]);
      i += 1;
    } else if (argv[i] === '--parallel-on') {
      options.parallelOn.push(argv[i + 1]);
      i += 1;
    } else {
      options.files.push(resolve(argv[i]));
    }
  }
  if (!ENGINES.includes(options.engine)) {
    throw new Error(`--engine ${options.engine} is invalid. Use one of: ${ENGINES.join(', ')}.`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.files.length === 0) {
    throw new Error(
      'Usage: node tools/bench/run.mjs [--engine pathlight|duckdb-wasm] --runs 5 [--changes-on NAME.csv] [--parallel-on NAME.csv] --out results.json FILE.csv [FILE.csv ...]',
    );
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

// Links the pages, the wasm packages and the data into one folder to serve,
// because scripts/serve.mjs serves a single root. Bundles the DuckDB-wasm page
// script with its apache-arrow dependency when that engine runs.
async function stageSite(engine, files) {
  await rm(STAGING, { recursive: true, force: true });
  await mkdir(join(STAGING, 'data'), { recursive: true });
  for (const name of ['bench.html', 'bench.js', 'bench-worker.js', 'duckdb.html', 'duckdb_job.sql']) {
    await symlink(join(REPO, 'tools', 'bench', name), join(STAGING, name));
  }
  await symlink(join(REPO, 'www', 'pkg'), join(STAGING, 'pkg'));
  // The page's engine worker, its helper and its client, for the parallel reading runs.
  for (const name of ['worker.js', 'part-worker.js', 'engine.js']) {
    await symlink(join(REPO, 'www', name), join(STAGING, name));
  }
  if (engine === 'duckdb-wasm') {
    await stageDuckdb();
  }
  for (const file of files) {
    await symlink(file, join(STAGING, 'data', basename(file)));
  }
}

async function stageDuckdb() {
  let names;
  try {
    names = await readdir(DUCKDB_DIST);
  } catch {
    throw new Error(`DuckDB-wasm is not installed in ${DUCKDB_DIST}. Run scripts/setup.sh --bench.`);
  }
  await mkdir(join(STAGING, 'duckdb'));
  for (const name of names.filter((entry) => entry.endsWith('.wasm') || entry.endsWith('.worker.js'))) {
    await symlink(join(DUCKDB_DIST, name), join(STAGING, 'duckdb', name));
  }
  await build({
    entryPoints: [join(REPO, 'tools', 'bench', 'duckdb-bench.js')],
    outfile: join(STAGING, 'duckdb-bundle.js'),
    bundle: true,
    format: 'esm',
    nodePaths: [join(REPO, 'tools', 'bench', 'duckdb-wasm', 'node_modules')],
    logLevel: 'warning',
  });
}

// Returns the process ids of Chromium's renderer processes started by this
// Node process, found through the parent links in /proc.
async function rendererProcesses() {
  const parents = new Map();
  const commands = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // The command name in brackets may hold spaces, so the fields after it are counted from its end.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      commands.set(Number(entry), await readFile(`/proc/${entry}/cmdline`, 'utf8'));
    } catch {
      // The process ended while the list was read.
    }
  }
  const descendsFromUs = (pid) => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) {
      if (current === process.pid) {
        return true;
      }
    }
    return false;
  };
  return [...commands.keys()].filter((pid) => commands.get(pid).includes('--type=renderer') && descendsFromUs(pid));
}

// Returns the largest peak resident set size (VmHWM) in bytes over the
// renderer processes, or null when none was found. Called while exactly one
// page is open, so the one renderer hosts that page and its workers.
async function rendererPeakBytes() {
  let peak = null;
  for (const pid of await rendererProcesses()) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
      if (match) {
        peak = Math.max(peak ?? 0, Number(match[1]) * 1024);
      }
    } catch {
      // The process ended while it was read.
    }
  }
  if (peak === null) {
    console.error('bench: renderer peak RSS not measured: no renderer process of this run was found');
  }
  return peak;
}

// Opens the engine's page in a new browser context and lets it reach only the bench server.
async function openPage(browser, engine, serverUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(RUN_TIMEOUT_MS);
  page.on('pageerror', (error) => console.error(`bench page error: ${error.message}`));
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(serverUrl)) {
      return route.continue();
    }
    console.error(`bench: blocked a request to ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`${serverUrl}${engine === 'pathlight' ? 'bench.html' : 'duckdb.html'}`);
  await page.waitForFunction(() => window.benchReady === true);
  return { context, page };
}

// Runs the engine once on one file in a fresh context and returns the timings.
async function runOnce(browser, engine, serverUrl, file, withChanges) {
  const { context, page } = await openPage(browser, engine, serverUrl);
  try {
    const url = `${serverUrl}data/${basename(file)}`;
    const request =
      engine === 'pathlight'
        ? { url, analysisOptions: ANALYSIS_OPTIONS, optionChanges: withChanges ? OPTION_CHANGES : [], changeRuns: CHANGE_RUNS }
        : { url, sqlUrl: `${serverUrl}duckdb_job.sql` };
    const timing = await page.evaluate((body) => window.runBenchmark(body), request);
    if (engine === 'pathlight') {
      // The worker has posted its result and idles until endBenchmarkRun().
      timing.worker_heap = await (await createWorkerHeapProbe(page)).heapUsage();
    }
    timing.renderer_peak_rss_bytes = await rendererPeakBytes();
    await page.evaluate(() => window.endBenchmarkRun());
    return timing;
  } finally {
    await context.close();
  }
}

// Times loads read alone and in parts in one page, alternating, and returns
// the times with their medians and the ratio of the medians.
async function parallelReading(browser, serverUrl, file, runs) {
  const { context, page } = await openPage(browser, 'pathlight', serverUrl);
  try {
    const url = `${serverUrl}data/${basename(file)}`;
    const result = await page.evaluate((body) => window.runParallelReading(body), { url, runs });
    // One renderer hosts the page, the engine worker and its helpers, so this is their peak together.
    result.renderer_peak_rss_bytes = await rendererPeakBytes();
    result.helpers = result.parallel[0].helpers;
    result.medians = {};
    for (const key of ['load_ms', 'read_ms', 'build_ms']) {
      const single = median(result.single.map((run) => run[key]));
      const parallel = median(result.parallel.map((run) => run[key]));
      result.medians[key] = { single, parallel, speedup: single / parallel };
    }
    const times = (runs, key) => runs.map((run) => run[key].toFixed(0)).join(', ');
    const { read_ms: read, load_ms: load } = result.medians;
    console.log(
      `pathlight: ${basename(file)} reading in one worker ${times(result.single, 'read_ms')} ms, ` +
        `in parts with ${result.helpers} helper(s) ${times(result.parallel, 'read_ms')} ms: ${read.speedup.toFixed(2)} times as fast; ` +
        `whole load ${load.speedup.toFixed(2)} times` +
        (result.same_summary ? '' : ', BUT THE LOAD SUMMARIES DIFFER'),
    );
    return result;
  } finally {
    await context.close();
  }
}

function describeRun(engine, timing) {
  const mebibytes = (bytes) => (bytes === null ? 'not measured' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
  let text = `${timing.events} events in ${timing.total_ms.toFixed(0)} ms, renderer peak RSS ${mebibytes(timing.renderer_peak_rss_bytes)}`;
  if (engine === 'pathlight') {
    text +=
      ` (read ${timing.read_ms.toFixed(0)}, load ${timing.load_ms.toFixed(0)}, analyze ${timing.analyze_ms.toFixed(0)}), ` +
      `wasm memory ${mebibytes(timing.wasm_memory_bytes.analyze)}, ` +
      `worker JS heap ${timing.worker_heap ? mebibytes(timing.worker_heap.used_bytes) : 'not measured'}`;
    for (const change of timing.reanalysis) {
      text += `\n  after ${change.label}: analyze ${change.ms.map((ms) => ms.toFixed(0)).join(', ')} ms`;
    }
  } else {
    text += ` (read ${timing.read_ms.toFixed(0)} ms), ${timing.bundle}, funnel ${timing.funnel_people.join(', ')}`;
  }
  return text;
}

// Returns the medians over the runs of one file. A value missing from some
// runs (null) is left out, and the count of runs that had it is kept.
function summarize(engine, runs) {
  const present = (values) => values.filter((value) => value !== null && value !== undefined);
  const medianOrNull = (values) => (present(values).length > 0 ? median(present(values)) : null);
  const medians = {};
  const timingKeys = engine === 'pathlight' ? ['read_ms', 'load_ms', 'analyze_ms', 'total_ms'] : ['read_ms', 'total_ms'];
  for (const key of timingKeys) {
    medians[key] = median(runs.map((timing) => timing[key]));
  }
  medians.renderer_peak_rss_bytes = medianOrNull(runs.map((timing) => timing.renderer_peak_rss_bytes));
  if (engine === 'pathlight') {
    medians.wasm_memory_bytes = {};
    for (const phase of ['init', 'read', 'load', 'analyze']) {
      medians.wasm_memory_bytes[phase] = median(runs.map((timing) => timing.wasm_memory_bytes[phase]));
    }
    const heapSamples = present(runs.map((timing) => timing.worker_heap));
    medians.worker_heap_used_bytes = heapSamples.length > 0 ? median(heapSamples.map((heap) => heap.used_bytes)) : null;
    medians.worker_heap_samples = heapSamples.length;
    const changeTimes = runs.flatMap((timing) => timing.reanalysis.flatMap((change) => change.ms));
    medians.reanalysis_ms = changeTimes.length > 0 ? median(changeTimes) : null;
    medians.reanalysis_samples = changeTimes.length;
  }
  return medians;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  await stageSite(options.engine, options.files);
  const server = await startServer({ port: 0, host: '127.0.0.1', root: STAGING });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const results = { engine: options.engine, browser: `Chromium ${browser.version()}`, runs_per_file: options.runs, files: [] };

  try {
    for (const file of options.files) {
      const withChanges = options.engine === 'pathlight' && options.changesOn.includes(basename(file));
      const runs = [];
      const failures = [];
      for (let run = 1; run <= options.runs; run += 1) {
        const label = `${options.engine}: ${basename(file)} run ${run}/${options.runs}`;
        try {
          const timing = await runOnce(browser, options.engine, server.url, file, withChanges);
          console.log(`${label}: ${describeRun(options.engine, timing)}`);
          runs.push(timing);
        } catch (error) {
          // A peer that runs out of memory on a large file is a result, not a reason to stop the bench.
          console.error(`${label} failed: ${error.message}`);
          failures.push(error.message.split('\n')[0]);
        }
      }
      const entry = { file: basename(file), runs, failures };
      if (runs.length > 0) {
        Object.assign(entry, { events: runs[0].events, bytes: runs[0].bytes, medians: summarize(options.engine, runs) });
      }
      if (options.engine === 'pathlight' && options.parallelOn.includes(basename(file))) {
        entry.parallel_reading = await parallelReading(browser, server.url, file, options.runs);
      }
      results.files.push(entry);
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
