// The Sankey diagram of the first steps of every journey. The engine numbers
// nodes by step (1:/home, 2:/pricing, 3:/home...), so the graph has no cycles,
// and d3-sankey lays it out with one column per step.

import { sankey, sankeyLinkHorizontal } from '../build/vendor.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatCount } from './format.js';

// Sent to the engine as sankey.steps and sankey.top_k: how many steps of each
// journey to draw, and how many events per step before the rest become "other".
export const SANKEY_DEFAULTS = { steps: 5, top_k: 8 };

const LAYOUT = {
  width: 660,
  minHeight: 280,
  heightPerNode: 34,
  headerHeight: 22,
  nodeWidth: 12,
  nodePadding: 12,
  labelCharacters: 22,
  // Nodes thinner than this get no label, because neighbouring labels would
  // overlap. Their tooltip still names them.
  minLabelledHeight: 9,
};

const PALETTE = ['#3b6fd8', '#e07b39', '#2f9e77', '#c2417c', '#7a5cc8', '#a4861e', '#2a8bb0', '#cc4b4b', '#5d8a2f', '#8c6d5a'];
const OTHER_COLOR = '#9aa0a6';

/** Renders the report's Sankey into `root`. */
export function renderSankeyView(root, report) {
  const data = report.sankey;
  if (!data || data.nodes.length === 0) {
    replaceChildren(root, h('p', { className: 'empty' }, 'No journeys to draw.'));
    return;
  }

  let layout;
  try {
    layout = computeLayout(data);
  } catch (error) {
    replaceChildren(root, h('p', { className: 'field-error', attrs: { role: 'alert' } },
      `The Sankey diagram could not be laid out: ${error.message}`));
    return;
  }

  const hint = h('p', { className: 'hint' },
    metricLink('sankey', 'Journeys step by step'),
    `: the first ${formatCount(data.steps)} steps of each journey. Per step, events outside the ${formatCount(data.top_k)} most common are grouped as "other". Hover a band for its count.`);
  replaceChildren(root, hint, h('div', { className: 'sankey-scroll' }, drawLayout(layout, data)));
}

function computeLayout(data) {
  const stepCount = Math.max(...data.nodes.map((node) => node.step));
  const busiestStep = Math.max(...countBy(data.nodes, (node) => node.step).values());
  const height = Math.max(LAYOUT.minHeight, busiestStep * LAYOUT.heightPerNode + LAYOUT.headerHeight);

  const generator = sankey()
    .nodeId((node) => node.id)
    .nodeAlign((node) => node.step - 1)
    .nodeWidth(LAYOUT.nodeWidth)
    .nodePadding(LAYOUT.nodePadding)
    .nodeSort(null)
    .extent([[1, LAYOUT.headerHeight], [LAYOUT.width - 1, height - 4]]);

  const graph = generator({
    nodes: data.nodes.map((node) => ({ ...node })),
    links: data.links.map((link) => ({ source: link.source, target: link.target, value: link.people, people: link.people })),
  });
  return { graph, height, stepCount };
}

function drawLayout({ graph, height, stepCount }, data) {
  const colors = colorByLabel(data.nodes);
  const linkPath = sankeyLinkHorizontal();

  const headers = columnPositions(graph.nodes, stepCount).map(({ x, anchor, step }) => svg('text', {
    x, y: 14, class: 'sankey-step', 'text-anchor': anchor,
  }, `Step ${step}`));

  const links = graph.links.map((link) => svg('path', {
    d: linkPath(link),
    class: 'sankey-link',
    stroke: colors(link.source),
    'stroke-width': Math.max(1, link.width),
  }, svg('title', {}, `${link.source.label} → ${link.target.label}: ${formatCount(link.people)} people`)));

  const nodes = graph.nodes.map((node) => svg('g', { class: 'sankey-node', 'data-testid': 'sankey-node' },
    svg('rect', {
      x: node.x0, y: node.y0, width: node.x1 - node.x0, height: Math.max(1, node.y1 - node.y0), fill: colors(node),
    }, svg('title', {}, `Step ${node.step}: ${node.label}, ${formatCount(node.people)} people`)),
    nodeLabel(node, stepCount),
  ));

  return svg('svg', {
    viewBox: `0 0 ${LAYOUT.width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': `Sankey diagram of the first ${stepCount} steps of each journey`,
    'data-testid': 'sankey',
    class: 'sankey',
  }, headers, svg('g', { class: 'sankey-links' }, links), svg('g', { class: 'sankey-nodes' }, nodes));
}

// Labels sit right of their node, except in the last column, where they sit
// left of it so they stay inside the drawing.
function nodeLabel(node, stepCount) {
  if (node.y1 - node.y0 < LAYOUT.minLabelledHeight) {
    return null;
  }
  const atRight = node.step === stepCount;
  return svg('text', {
    x: atRight ? node.x0 - 4 : node.x1 + 4,
    y: (node.y0 + node.y1) / 2,
    dy: '0.35em',
    'text-anchor': atRight ? 'end' : 'start',
    class: 'sankey-label',
  }, `${shorten(node.label)} (${formatCount(node.people)})`);
}

function columnPositions(nodes, stepCount) {
  const positions = [];
  for (let step = 1; step <= stepCount; step += 1) {
    const node = nodes.find((candidate) => candidate.step === step);
    if (!node) {
      continue;
    }
    if (step === 1) {
      positions.push({ step, x: node.x0, anchor: 'start' });
    } else if (step === stepCount) {
      positions.push({ step, x: node.x1, anchor: 'end' });
    } else {
      positions.push({ step, x: (node.x0 + node.x1) / 2, anchor: 'middle' });
    }
  }
  return positions;
}

// The same event gets the same color in every step, so a page is easy to follow.
function colorByLabel(nodes) {
  const labels = [...new Set(nodes.filter((node) => !node.other).map((node) => node.label))];
  return (node) => (node.other ? OTHER_COLOR : PALETTE[labels.indexOf(node.label) % PALETTE.length]);
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) {
    counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  }
  return counts;
}

function shorten(label) {
  return label.length > LAYOUT.labelCharacters ? `${label.slice(0, LAYOUT.labelCharacters - 1)}…` : label;
}
