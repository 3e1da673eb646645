// Page side of the DuckDB-wasm peer in the browser benchmark. tools/bench/run.mjs
// bundles this file with esbuild, because @duckdb/duckdb-wasm imports
// apache-arrow by package name. Exposes runBenchmark() like bench.js: every
// run starts a fresh DuckDB worker, and the worker, the module and the CSV all
// come from the loopback server that serves this page.

import * as duckdb from '@duckdb/duckdb-wasm';

// The name under which the fetched CSV is registered in DuckDB's virtual file system.
const REGISTERED_NAME = 'journeys.csv';
// The marker line between two statements of tools/bench/duckdb_job.sql.
const STEP_MARKER = '\n-- step\n';

// The package's own bundles, served from the staging folder instead of a CDN.
const LOCAL_BUNDLES = {
  mvp: {
    mainModule: new URL('./duckdb/duckdb-mvp.wasm', import.meta.url).href,
    mainWorker: new URL('./duckdb/duckdb-browser-mvp.worker.js', import.meta.url).href,
  },
  eh: {
    mainModule: new URL('./duckdb/duckdb-eh.wasm', import.meta.url).href,
    mainWorker: new URL('./duckdb/duckdb-browser-eh.worker.js', import.meta.url).href,
  },
};

let active = null;

// Splits the SQL file into statements, dropping comment lines, and fills in the file name.
function statements(sqlText) {
  return sqlText
    .replaceAll('{{csv}}', REGISTERED_NAME)
    .split(STEP_MARKER)
    .map((chunk) => chunk.split('\n').filter((line) => !line.trimStart().startsWith('--')).join('\n').trim())
    .filter((statement) => statement.length > 0);
}

async function startDatabase() {
  const bundle = await duckdb.selectBundle(LOCAL_BUNDLES);
  const worker = new Worker(bundle.mainWorker);
  const database = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await database.instantiate(bundle.mainModule, bundle.pthreadWorker);
  await database.open({});
  return { database, worker, bundle };
}

window.endBenchmarkRun = async function endBenchmarkRun() {
  if (active !== null) {
    const { database, worker } = active;
    active = null;
    await database.terminate();
    worker.terminate();
  }
};

// Fetches the CSV and the SQL (not timed), then times registering the bytes
// in the DuckDB worker and running every statement of the job.
window.runBenchmark = async function runBenchmark({ url, sqlUrl }) {
  await window.endBenchmarkRun();
  const [csvResponse, sqlResponse] = await Promise.all([fetch(url), fetch(sqlUrl)]);
  if (!csvResponse.ok || !sqlResponse.ok) {
    throw new Error(`fetching ${url} or ${sqlUrl} failed with HTTP ${csvResponse.status}, ${sqlResponse.status}`);
  }
  const bytes = new Uint8Array(await csvResponse.arrayBuffer());
  const byteLength = bytes.length;
  const job = statements(await sqlResponse.text());
  active = await startDatabase();
  const connection = await active.database.connect();
  // The job may read only the registered buffer with built-in features.
  await connection.query('SET autoinstall_known_extensions = false');
  await connection.query('SET autoload_known_extensions = false');

  const started = performance.now();
  // Transfers the buffer to the worker, which copies it into the wasm memory.
  await active.database.registerFileBuffer(REGISTERED_NAME, bytes);
  const results = [];
  let readMs = null;
  for (const statement of job) {
    const table = await connection.query(statement);
    if (/^(WITH|SELECT)\b/i.test(statement)) {
      results.push(table.toArray().map((row) => row.toJSON()));
    }
    if (readMs === null) {
      readMs = performance.now() - started;
    }
  }
  const totalMs = performance.now() - started;

  const eventsTable = await connection.query('SELECT count(*)::INTEGER AS events FROM raw_events');
  const events = eventsTable.toArray()[0].toJSON().events;
  await connection.close();
  const [funnel, paths, , dfg, attribution] = results;
  const funnelRow = funnel[0];
  return {
    bytes: byteLength,
    events,
    bundle: active.bundle.mainModule.split('/').pop(),
    version: await active.database.getVersion(),
    funnel_people: ['step1', 'step2', 'step3', 'step4'].map((key) => Number(funnelRow[key])),
    top_paths: paths.length,
    dfg_edges: dfg.length,
    attribution_channels: attribution.length,
    read_ms: readMs,
    total_ms: totalMs,
  };
};

window.benchReady = true;
