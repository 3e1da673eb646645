// Times the wasm engine in headless Chromium, inside a Web Worker, on CSV
// files made by the synthetic journey generator.
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

    for (const file of options.files) {
      const url = `${server.url}data/${basename(file)}`;
      const runs = [];
      for (let run = 1; run <= options.runs; run += 1) {
        const timing = await page.evaluate(
          (request) => window.runBenchmark(request),
          { url, analysisOptions: ANALYSIS_OPTIONS },
        );
        console.log(
          `browser: ${basename(file)} run ${run}/${options.runs}: ${timing.events} events in ${timing.total_ms.toFixed(0)} ms ` +
            `(read ${timing.read_ms.toFixed(0)}, load ${timing.load_ms.toFixed(0)}, analyze ${timing.analyze_ms.toFixed(0)})`,
        );
        runs.push(timing);
      }
      const medians = {};
      for (const key of ['read_ms', 'load_ms', 'analyze_ms', 'total_ms']) {
        medians[key] = median(runs.map((timing) => timing[key]));
      }
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
