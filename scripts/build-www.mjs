// Builds the same-origin files that www/ loads besides its own modules:
//   www/build/vendor.js    the chart libraries, bundled from node_modules by esbuild
//   www/build/metrics.html docs/metrics.md as a page, with one anchor per heading
// Run it as `npm run build:www`. The output folder is git-ignored.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import MarkdownIt from 'markdown-it';
import markdownItAnchor from 'markdown-it-anchor';

const topDir = fileURLToPath(new URL('../', import.meta.url));
const outDir = `${topDir}www/build/`;
const metricsSource = `${topDir}docs/metrics.md`;

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

await mkdir(outDir, { recursive: true });
await bundleVendor();
await renderMetricsPage();
console.log('build:www: wrote www/build/vendor.js and www/build/metrics.html');
