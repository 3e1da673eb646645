// Builds the same-origin files that www/ loads besides its own modules:
//   www/build/vendor.js    the chart libraries, bundled from node_modules by esbuild
//   www/build/metrics.html docs/metrics.md as a page, with one anchor per heading
//   www/build/shell.js     the list of files the service worker (www/sw.js) caches
//                          for offline use, and a hash of their contents
// Run it as `npm run build:www`. The output folder is git-ignored.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import MarkdownIt from 'markdown-it';
import markdownItAnchor from 'markdown-it-anchor';

const topDir = fileURLToPath(new URL('../', import.meta.url));
const outDir = `${topDir}www/build/`;
const metricsSource = `${topDir}docs/metrics.md`;
const wwwDir = `${topDir}www/`;

// The page's own files, relative to www/. Folders contribute the files whose
// names end in one of the listed suffixes. www/vendor.js is left out because
// it is only esbuild's entry point and the page loads build/vendor.js.
const SHELL_FILES = ['index.html', 'main.js', 'offline.js', 'engine.js', 'worker.js', 'style.css', 'build/vendor.js', 'build/metrics.html'];
const SHELL_FOLDERS = [
  ['views/', ['.js']],
  ['pkg/', ['.js', '.wasm']],
  ['samples/', ['.csv']],
];

// GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
// The page links to these, so a link works both here and on the repository.
function slugify(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

async function bundleVendor() {
  await build({
    entryPoints: [`${topDir}www/vendor.js`],
    outfile: `${outDir}vendor.js`,
    bundle: true,
    format: 'esm',
    minify: true,
    legalComments: 'eof',
    target: ['es2020'],
    logLevel: 'warning',
  });
}

async function renderMetricsPage() {
  let markdown;
  try {
    markdown = await readFile(metricsSource, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') {
      throw error;
    }
    console.warn('build:www: docs/metrics.md not found, so the metric links lead to a placeholder page.');
    markdown = '# Metrics\n\nThe metric definitions (docs/metrics.md) were missing when this page was built.\n';
  }

  const renderer = new MarkdownIt({ html: false, linkify: false });
  renderer.use(markdownItAnchor, { slugify });
  const body = renderer.render(markdown);

  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'">
<title>Pathlight metrics</title>
<link rel="stylesheet" href="../style.css">
</head>
<body class="doc">
<main class="doc-body">
${body}
</main>
</body>
</html>
`;
  await writeFile(`${outDir}metrics.html`, page);
}

async function listShellFiles() {
  const files = [...SHELL_FILES];
  for (const [folder, suffixes] of SHELL_FOLDERS) {
    let names;
    try {
      names = await readdir(`${wwwDir}${folder}`);
    } catch (error) {
      if (error.code !== 'ENOENT') {
        throw error;
      }
      throw new Error(`www/${folder} not found. Build the wasm package first (make wasm), then run build:www again.`);
    }
    for (const name of names.sort()) {
      if (suffixes.some((suffix) => name.endsWith(suffix))) {
        files.push(`${folder}${name}`);
      }
    }
  }
  return files;
}

// The version changes whenever a cached file or sw.js itself changes, so the
// service worker then fills a new cache and deletes the old one.
async function writeShellManifest() {
  const files = await listShellFiles();
  const hash = createHash('sha256');
  for (const file of [...files, 'sw.js']) {
    hash.update(file);
    hash.update('\0');
    hash.update(await readFile(`${wwwDir}${file}`));
    hash.update('\0');
  }
  const manifest = { version: hash.digest('hex').slice(0, 16), files };
  const script = `// Written by scripts/build-www.mjs and read by www/sw.js through importScripts().
self.PATHLIGHT_SHELL = ${JSON.stringify(manifest, null, 2)};
`;
  await writeFile(`${outDir}shell.js`, script);
  return manifest;
}

await mkdir(outDir, { recursive: true });
await bundleVendor();
await renderMetricsPage();
const shell = await writeShellManifest();
console.log(`build:www: wrote www/build/vendor.js, www/build/metrics.html and www/build/shell.js (${shell.files.length} files, version ${shell.version})`);
