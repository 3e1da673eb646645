// The Sankey diagram of the first steps of every journey. The engine numbers
// nodes by step (1:/home, 2:/pricing, 3:/home...), so the graph has no cycles,
// and d3-sankey lays it out with one column per step.

import { sankey, sankeyLinkHorizontal } from '../build/vendor.js';
import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';

// Sent to the engine as sankey.steps and sankey.top_k: how many steps of each
// journey to draw, and how many events per step before the rest become "other".
export const SANKEY_DEFAULTS = { steps: 5, top_k: 8 };

const LAYOUT = {
  // Used when the view has no width yet, for example while it is hidden.
  fallbackWidth: 660,
  // The SVG never gets narrower than this, and .sankey-scroll scrolls instead.
  minWidth: 520,
  minHeight: 280,
  heightPerNode: 34,
  headerHeight: 22,
  nodeWidth: 12,
  nodePadding: 12,
  // Space between a node and its label, in pixels.
  labelGap: 4,
  // The widest a label gets when the drawing has room to spare, in pixels.
  maxLabelWidth: 200,
  // A label is dropped rather than cut to fewer characters of its name than this.
  minLabelCharacters: 3,
  // Nodes thinner than this get no label, because neighbouring labels would
  // overlap. Their tooltip still names them.
  minLabelledHeight: 9,
  // A change of the view's width smaller than this keeps the current drawing,
  // so a scroll bar that comes and goes cannot make it redraw in a loop.
  redrawWidthChange: 24,
};

const PALETTE = ['#3b6fd8', '#c8661f', '#2f9e77', '#c2417c', '#7a5cc8', '#a4861e', '#2a8bb0', '#cc4b4b', '#5d8a2f', '#8c6d5a'];
const OTHER_COLOR = '#868e96';

// Each view root's latest report and the width it was drawn at, so a resize
// can redraw it.
const drawnViews = new WeakMap();

/**
 * Renders the report's Sankey into `root`, as wide as `root` is.
 * `onPeople(selection, title)`, when given, opens the people of a band; each
 * band and each row of the table below is then a button.
 */
export function renderSankeyView(root, report, { onPeople = null } = {}) {
  const data = report.sankey;
  if (!data || data.nodes.length === 0) {
    replaceChildren(root, h('p', { className: 'empty' }, 'No journeys to draw.'));
    return;
  }

  const width = viewWidth(root) ?? LAYOUT.fallbackWidth;
  let layout;
  try {
    layout = computeLayout(data, width);
  } catch (error) {
    replaceChildren(root, h('p', { className: 'field-error', attrs: { role: 'alert' } },
      `The Sankey diagram could not be laid out: ${error.message}`));
    return;
  }

  const hint = h('p', { className: 'hint' },
    metricLink('sankey', 'Journeys step by step'),
    `: the first ${formatCount(data.steps)} steps of each journey. Each bar is as tall as the people at that step, so a band that narrows shows people whose journey ends there. Per step, events outside the ${formatCount(data.top_k)} most common are grouped as "other". Hover a bar or band for its count${onPeople ? ', and click a band, or its count in the table below, for its people' : ''}.`);
  const openLink = onPeople && ((link) => onPeople(
    { kind: 'sankey_link', source: link.source.id, target: link.target.id },
    `Sankey band: ${link.source.label} (step ${link.source.step}) → ${link.target.label} (step ${link.target.step})`));
  const chart = drawLayout(layout, data, openLink);
  replaceChildren(root,
    hint,
    chartExportButtons(() => root.querySelector('svg.sankey'), 'pathlight-sankey', 'Sankey diagram'),
    h('div', { className: 'sankey-scroll' }, chart),
    renderLinkTable(layout.graph.links, openLink));
  fitLabels(chart, layout.labelWidth);
  redrawOnResize(root, report, width, onPeople);
}

// The width to lay the diagram out at, or null while `root` is not displayed.
function viewWidth(root) {
  if (root.clientWidth === 0) {
    return null;
  }
  return Math.max(LAYOUT.minWidth, Math.floor(root.clientWidth));
}

function redrawOnResize(root, report, width, onPeople) {
  const drawn = drawnViews.get(root);
  if (drawn) {
    drawn.report = report;
    drawn.width = width;
    drawn.onPeople = onPeople;
    return;
  }
  const view = { report, width, onPeople, frame: 0 };
  drawnViews.set(root, view);
  if (typeof ResizeObserver !== 'function') {
    return;
  }
  // The redraw waits for the next frame: redrawing inside the observer's
  // callback would resize `root` again while the browser delivers sizes.
  new ResizeObserver(() => {
    cancelAnimationFrame(view.frame);
    view.frame = requestAnimationFrame(() => {
      const current = viewWidth(root);
      if (current !== null && Math.abs(current - view.width) >= LAYOUT.redrawWidthChange) {
        renderSankeyView(root, view.report, { onPeople: view.onPeople });
      }
    });
  }).observe(root);
}

// Labels sit right of their nodes, so the last step keeps a margin for its
// labels, as wide as the space between two columns when the drawing is
// narrow and at most LAYOUT.maxLabelWidth. A node's height follows its people
// (d3-sankey's fixedValue), not the larger of its inflow and outflow, so
// people whose journey ends at a step show as the gap below that node's
// outgoing bands.
function computeLayout(data, width) {
  const stepCount = Math.max(...data.nodes.map((node) => node.step));
  const busiestStep = Math.max(...countBy(data.nodes, (node) => node.step).values());
  const height = Math.max(LAYOUT.minHeight, busiestStep * LAYOUT.heightPerNode + LAYOUT.headerHeight);
  const lastMargin = Math.min((width - 2) / stepCount - LAYOUT.nodeWidth, LAYOUT.maxLabelWidth + 2 * LAYOUT.labelGap);
  const lastNodeRight = width - 1 - lastMargin;
  const columnSpacing = stepCount > 1 ? (lastNodeRight - 1 - LAYOUT.nodeWidth) / (stepCount - 1) : width;
  const labelWidth = Math.min(columnSpacing - LAYOUT.nodeWidth, lastMargin) - 2 * LAYOUT.labelGap;

  const generator = sankey()
    .nodeId((node) => node.id)
    .nodeAlign((node) => node.step - 1)
    .nodeWidth(LAYOUT.nodeWidth)
    .nodePadding(LAYOUT.nodePadding)
    .nodeSort(null)
    .extent([[1, LAYOUT.headerHeight], [lastNodeRight, height - 4]]);

  const graph = generator({
    nodes: data.nodes.map((node) => ({ ...node, fixedValue: node.people })),
    links: data.links.map((link) => ({
      source: link.source, target: link.target, value: link.people, people: link.people, medianMs: link.median_ms ?? null,
    })),
  });
  // d3-sankey spreads columns over (columns - 1) gaps, which leaves a single
  // column at x = NaN.
  if (stepCount === 1) {
    for (const node of graph.nodes) {
      node.x0 = 1;
      node.x1 = 1 + LAYOUT.nodeWidth;
    }
  }
  return { graph, width, height, stepCount, labelWidth };
}

function drawLayout({ graph, width, height, stepCount }, data, openLink) {
  const colors = colorByLabel(data.nodes);
  const linkPath = sankeyLinkHorizontal();
  const stepPeople = peopleByStep(data.nodes);

  const headers = columnPositions(graph.nodes, stepCount).map(({ x, step }) => svg('text', {
    x, y: 14, class: 'sankey-step',
  }, `Step ${step}`));

  const links = graph.links.map((link) => {
    const band = svg('path', {
      d: linkPath(link),
      class: openLink ? 'sankey-link clickable' : 'sankey-link',
      stroke: colors(link.source),
      'stroke-width': Math.max(1, link.width),
      'data-testid': 'sankey-link',
      'data-people': link.people,
    }, svg('title', {}, linkTitle(link)));
    // The chart is role="img", whose parts cannot take focus, so keyboard
    // users open a band with its button in the table below the chart.
    if (openLink) {
      band.addEventListener('click', () => openLink(link));
    }
    return band;
  });

  const nodes = graph.nodes.map((node) => svg('g', { class: 'sankey-node', 'data-testid': 'sankey-node' },
    svg('rect', {
      x: node.x0, y: node.y0, width: node.x1 - node.x0, height: Math.max(1, node.y1 - node.y0), fill: colors(node),
    }, svg('title', {}, nodeTitle(node, stepPeople.get(1)))),
    nodeLabel(node, stepPeople.get(1)),
  ));

  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': `Sankey diagram of the first ${stepCount} steps of each journey`,
    'data-testid': 'sankey',
    class: 'sankey',
  }, headers, svg('g', { class: 'sankey-links' }, links), svg('g', { class: 'sankey-nodes' }, nodes));
}

// The diagram's bands as a table, for screen readers and for reading exact
// counts. With `openLink`, each count is a button that opens the band's people.
function renderLinkTable(links, openLink) {
  const count = (link) => (openLink
    ? h('button', {
      type: 'button',
      className: 'link-button',
      title: linkTitle(link),
      dataset: { testid: 'sankey-table-people' },
      attrs: { 'aria-label': `${linkTitle(link)}. Show these people.` },
      on: { click: () => openLink(link) },
    }, formatCount(link.people))
    : h('span', { title: linkTitle(link) }, formatCount(link.people)));
  const rows = links.map((link) => h('tr', { dataset: { testid: 'sankey-table-row' } },
    h('td', { className: 'number' }, `${link.source.step} → ${link.target.step}`),
    h('td', {}, link.source.label),
    h('td', {}, link.target.label),
    h('td', { className: 'number' }, count(link)),
    h('td', { className: 'number' }, typeof link.medianMs === 'number' ? formatDuration(link.medianMs) : '–')));
  return h('details', { className: 'chart-table', dataset: { testid: 'sankey-table' } },
    h('summary', {}, 'The diagram as a table'),
    h('div', { className: 'table-scroll' },
      h('table', { className: 'compact' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Steps'),
          h('th', { scope: 'col' }, 'From'),
          h('th', { scope: 'col' }, 'To'),
          h('th', { scope: 'col', className: 'number' }, 'People'),
          h('th', { scope: 'col', className: 'number' }, 'Median time between'))),
        h('tbody', {}, rows))));
}

// A band's tooltip: its people and their share of the people at its source
// node. Reports from before timed links, and channel path tables, have no median time.
function linkTitle(link) {
  const median = typeof link.medianMs === 'number' ? `, median ${formatDuration(link.medianMs)} between the steps` : '';
  const people = link.people === 1 ? 'person' : 'people';
  const base = link.source.people;
  const share = base > 0 ? `, ${formatShare(link.people / base)} of the ${formatCount(base)} at ${link.source.label} in step ${link.source.step}` : '';
  return `${link.source.label} → ${link.target.label}: ${formatCount(link.people)} ${people}${share}${median}`;
}

// A node's tooltip: its people and their share of the people at step 1.
function nodeTitle(node, firstStepPeople) {
  const share = firstStepPeople > 0 ? `, ${formatShare(node.people / firstStepPeople)} of the ${formatCount(firstStepPeople)} at step 1` : '';
  return `Step ${node.step}: ${node.label}, ${formatCount(node.people)} ${node.people === 1 ? 'person' : 'people'}${share}`;
}

function peopleByStep(nodes) {
  const totals = new Map();
  for (const node of nodes) {
    totals.set(node.step, (totals.get(node.step) ?? 0) + node.people);
  }
  return totals;
}

// A label sits right of its node. fitLabels shortens its visible part, the
// tspan, and the <title> keeps the full text for the tooltip.
function nodeLabel(node, firstStepPeople) {
  if (node.y1 - node.y0 < LAYOUT.minLabelledHeight) {
    return null;
  }
  return svg('text', {
    x: node.x1 + LAYOUT.labelGap,
    y: (node.y0 + node.y1) / 2,
    dy: '0.35em',
    class: 'sankey-label',
    'data-testid': 'sankey-label',
  },
  svg('tspan', { 'data-name': node.label, 'data-count': formatCount(node.people) }, labelText(node.label, formatCount(node.people))),
  svg('title', {}, nodeTitle(node, firstStepPeople)));
}

function labelText(name, count) {
  return `${name} (${count})`;
}

/**
 * Shortens each label of the drawn `chart` to fit `maxWidth` user units: the
 * name is cut with an ellipsis and the count kept. A label whose name would
 * keep fewer than LAYOUT.minLabelCharacters shows the count alone, or nothing
 * when even that does not fit. A chart that is not displayed measures every
 * label as 0 wide, so its labels stay whole.
 */
function fitLabels(chart, maxWidth) {
  for (const text of chart.querySelectorAll('text.sankey-label')) {
    const tspan = text.querySelector('tspan');
    const { name, count } = tspan.dataset;
    if (text.getComputedTextLength() <= maxWidth) {
      continue;
    }
    // The longest prefix of the name that fits, found by bisection.
    let fits = 0;
    let tooLong = name.length;
    while (tooLong - fits > 1) {
      const middle = Math.floor((fits + tooLong) / 2);
      tspan.textContent = labelText(`${name.slice(0, middle).trimEnd()}…`, count);
      if (text.getComputedTextLength() <= maxWidth) {
        fits = middle;
      } else {
        tooLong = middle;
      }
    }
    if (fits >= LAYOUT.minLabelCharacters) {
      tspan.textContent = labelText(`${name.slice(0, fits).trimEnd()}…`, count);
      continue;
    }
    tspan.textContent = `(${count})`;
    if (text.getComputedTextLength() > maxWidth) {
      text.remove();
    }
  }
}

function columnPositions(nodes, stepCount) {
  const positions = [];
  for (let step = 1; step <= stepCount; step += 1) {
    const node = nodes.find((candidate) => candidate.step === step);
    if (node) {
      positions.push({ step, x: node.x0 });
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
