// Builds the same-origin files that www/ loads besides its own modules:
//   www/build/vendor.js    the chart libraries, bundled from node_modules by esbuild
//   www/build/metrics.html docs/metrics.md as a page, with one anchor per heading
//   www/build/guides/*.html the export guides of docs/guides/, one page each
//   www/build/shell.js     the list of files the service worker (www/sw.js) caches
//                          for offline use, and a hash of their contents
// Run it as `npm run build:www`. The output folder is git-ignored.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import MarkdownIt from 'markdown-it';
import markdownItAnchor from 'markdown-it-anchor';

const topDir = fileURLToPath(new URL('../', import.meta.url));
const outDir = `${topDir}www/build/`;
const metricsSource = `${topDir}docs/metrics.md`;
const guidesDir = `${topDir}docs/guides/`;
const wwwDir = `${topDir}www/`;

// The page's own files, relative to www/. Folders contribute the files whose
// names end in one of the listed suffixes. www/vendor.js is left out because
// it is only esbuild's entry point and the page loads build/vendor.js.
const SHELL_FILES = ['index.html', 'main.js', 'offline.js', 'engine.js', 'worker.js', 'part-worker.js', 'style.css', 'build/vendor.js', 'build/metrics.html'];
const SHELL_FOLDERS = [
  ['build/guides/', ['.html']],
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

  await writeFile(`${outDir}metrics.html`, renderDocPage(markdown, { title: 'Pathlight metrics', styleHref: '../style.css' }));
}

/**
 * Renders Markdown as a page that loads only `styleHref` and no script.
 * Relative links to other `.md` files become links to their `.html` pages,
 * so the guides link to each other both here and on the repository.
 */
function renderDocPage(markdown, { title, styleHref }) {
  const renderer = new MarkdownIt({ html: false, linkify: false });
  renderer.use(markdownItAnchor, { slugify });
  const defaultLinkOpen = renderer.renderer.rules.link_open ?? ((tokens, index, options, env, self) => self.renderToken(tokens, index, options));
  renderer.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const href = tokens[index].attrGet('href') ?? '';
    if (!/^[a-z][a-z0-9+.-]*:/i.test(href) && /\.md(#|$)/.test(href)) {
      tokens[index].attrSet('href', href.replace(/\.md(#|$)/, '.html$1'));
    }
    return defaultLinkOpen(tokens, index, options, env, self);
  };
  const body = renderer.render(markdown);
  const escapedTitle = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'">
<title>${escapedTitle}</title>
<link rel="stylesheet" href="${styleHref}">
</head>
<body class="doc">
<main class="doc-body">
${body}
</main>
</body>
</html>
`;
}

// Each docs/guides/NAME.md becomes www/build/guides/NAME.html, titled by its
// first heading. Pages of guides that were removed are deleted.
async function renderGuidePages() {
  const names = (await readdir(guidesDir)).filter((name) => name.endsWith('.md')).sort();
  const guideOutDir = `${outDir}guides/`;
  await mkdir(guideOutDir, { recursive: true });
  const expected = new Set(names.map((name) => name.replace(/\.md$/, '.html')));
  for (const stale of (await readdir(guideOutDir)).filter((name) => !expected.has(name))) {
    await rm(`${guideOutDir}${stale}`);
  }
  for (const name of names) {
    const markdown = await readFile(`${guidesDir}${name}`, 'utf8');
    const heading = /^# (.+)$/m.exec(markdown)?.[1] ?? name;
    const page = renderDocPage(markdown, { title: `Pathlight: ${heading}`, styleHref: '../../style.css' });
    await writeFile(`${guideOutDir}${name.replace(/\.md$/, '.html')}`, page);
  }
  return names.length;
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
const guides = await renderGuidePages();
const shell = await writeShellManifest();
console.log(`build:www: wrote www/build/vendor.js, www/build/metrics.html, ${guides} guides in www/build/guides/ and www/build/shell.js (${shell.files.length} files, version ${shell.version})`);
