// The memory check made before a file is read. The engine keeps each file's
// decoded text while it reads the events, and the events after, in the
// worker's wasm memory, so the memory a set of files needs grows with their
// size. A large file is streamed instead, and only its events stay.
// docs/limits.md, section "Memory and file size in the page", gives the
// measurements behind these figures.

import { h, replaceChildren } from './dom.js';
import { formatBytes } from './format.js';

/**
 * Estimated bytes of wasm memory per byte of CSV, rounded up from the largest
 * of these measurements by tools/bench/run.mjs after the full report. It was
 * 2.2 per byte on generated web journeys of 63.8 MB (134 MiB), and 2.1 on
 * 10 million events (1,268 MiB). A file of 33-byte rows took 4.2 per byte.
 */
// NOTE: the cost follows the rows more than the bytes, so this over-estimates
// files of long rows by about half. An estimate from the rows of a sample of
// each file would let larger files through without a warning.
export const WASM_BYTES_PER_FILE_BYTE = 5;

/**
 * The size from which the worker streams a file (STREAM_FROM_BYTES in
 * worker.js): it reads the file in slices and keeps none of its text.
 */
export const STREAMED_FROM_BYTES = 128 * 1024 * 1024;

/**
 * Estimated bytes of wasm memory per byte of a streamed file. tools/bench/run.mjs
 * measured 849 MiB after the full report on 10 million generated events in
 * 640 MB, which is 1.39 per byte and 89 bytes per event, with rows of 64 bytes.
 */
// NOTE: rows shorter than about 45 bytes need more than this estimate, because
// the cost follows the events.
export const STREAMED_WASM_BYTES_PER_FILE_BYTE = 2;

/** Wasm memory in use before any file is read: 2.1 MiB, measured after init. */
export const ENGINE_BASE_BYTES = 2.1 * 1024 * 1024;

/** The maximum memory a wasm32 instance can address: 65,536 pages of 64 KiB. */
export const WASM32_MAX_BYTES = 4 * 1024 ** 3;

/**
 * The memory the page plans to give the worker: half of the 4 GiB that a
 * wasm32 memory can address, because the File slices, the report JSON and
 * the page itself need memory outside it.
 */
export const DEFAULT_MEMORY_BUDGET = WASM32_MAX_BYTES / 2;

/**
 * Returns the memory budget in bytes. `navigator.deviceMemory` (GiB, rounded
 * down by the browser and at most 8) lowers it to half the device's memory. A
 * `memoryBudget` URL parameter in bytes replaces both, so tests can reach the
 * warning with small files.
 */
export function memoryBudget(search = window.location.search, deviceMemory = navigator.deviceMemory) {
  const parameter = new URLSearchParams(search).get('memoryBudget');
  if (parameter !== null) {
    const fromUrl = Number(parameter);
    if (Number.isFinite(fromUrl) && fromUrl > 0) {
      return fromUrl;
    }
    console.warn(`Pathlight: ignored the invalid memoryBudget URL parameter "${parameter}": write a number of bytes greater than 0.`);
  }
  if (typeof deviceMemory === 'number' && deviceMemory > 0) {
    return Math.min(DEFAULT_MEMORY_BUDGET, (deviceMemory * 1024 ** 3) / 2);
  }
  return DEFAULT_MEMORY_BUDGET;
}

/** Returns the estimated wasm memory, in bytes, for reading files of the given sizes together. */
export function estimateMemory(sizes) {
  return sizes.reduce((sum, size) => {
    const perByte = size >= STREAMED_FROM_BYTES ? STREAMED_WASM_BYTES_PER_FILE_BYTE : WASM_BYTES_PER_FILE_BYTE;
    return sum + size * perByte;
  }, ENGINE_BASE_BYTES);
}

/**
 * Splits `files` into those that fit the budget together with the files of
 * `loadedSizes` already read, in order, and those from the first one that
 * does not fit onwards. Each file that does not fit comes with the estimate of
 * everything up to and including it.
 */
export function checkMemory(loadedSizes, files, budget) {
  const fitting = [];
  const over = [];
  const sizes = [...loadedSizes];
  for (const file of files) {
    sizes.push(file.size);
    const estimate = estimateMemory(sizes);
    if (over.length > 0 || estimate > budget) {
      over.push({ file, estimate });
    } else {
      fitting.push(file);
    }
  }
  return { fitting, over };
}

/**
 * Shows the warning for the files that do not fit in `root` and returns a
 * promise of the user's choice: 'read' to read them anyway, or 'skip'.
 */
export function askAboutMemory(root, over, budget, loadedCount) {
  return new Promise((resolve) => {
    const choose = (choice) => {
      document.removeEventListener('keydown', onKey);
      root.hidden = true;
      root.replaceChildren();
      resolve(choice);
    };
    const onKey = (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        choose('skip');
      }
    };
    document.addEventListener('keydown', onKey);

    const noun = over.length === 1 ? 'this file' : 'these files';
    const loaded = loadedCount > 0
      ? ` together with the ${loadedCount === 1 ? 'file' : `${loadedCount} files`} already loaded`
      : '';
    const items = over.map(({ file, estimate }) => h('li', { dataset: { testid: 'memory-warning-file' } },
      h('strong', {}, file.name), ` (${formatBytes(file.size)}): about ${formatBytes(estimate)} of memory${loaded}.`));
    const heading = h('h2', { id: 'memory-warning-heading', attrs: { tabindex: '-1' } }, `Reading ${noun} may not fit in the browser's memory`);
    const readButton = h('button', { type: 'button', className: 'button', dataset: { testid: 'memory-read' }, on: { click: () => choose('read') } }, 'Read anyway');
    const skipButton = h('button', { type: 'button', className: 'button primary', dataset: { testid: 'memory-skip' }, on: { click: () => choose('skip') } }, `Don't read ${noun}`);
    const largest = over[over.length - 1].estimate;
    const beyondWasm = largest > WASM32_MAX_BYTES
      ? h('p', { dataset: { testid: 'memory-beyond-wasm' } }, `The estimate passes the ${formatBytes(WASM32_MAX_BYTES)} that WebAssembly can address at all, so reading will almost certainly fail.`)
      : null;
    replaceChildren(root,
      heading,
      h('ul', {}, items),
      beyondWasm,
      h('p', {}, `This page plans on at most ${formatBytes(budget)} for the analysis engine. Past that the browser may stop the page with an out-of-memory error. `
        + 'Reading fewer or smaller files, or the command-line tool, avoids that.'),
      h('div', { className: 'actions' }, skipButton, readButton),
    );
    root.hidden = false;
    heading.focus();
  });
}
