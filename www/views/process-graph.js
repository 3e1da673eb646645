// The process map as a drawn graph: activities as boxes and directly-follows
// edges as arrows, laid out top to bottom by dagre. An edge's stroke width
// grows linearly with its count, and its label gives the count and the median
// time between the two events. Start and End circles link to the start and
// end activities. The chart is role="img" with a summary, and the caller keeps
// the tables as the text alternative. An image's children are presentational
// in ARIA, so each edge's keyboard target is a button laid over its label,
// outside the SVG. An exported copy of the chart therefore stays a picture.

import { curveBasis, dagreLayout, graphlib, line, scaleLinear } from '../build/vendor.js';
import { h, svg } from './dom.js';
import { formatCount, formatDuration } from './format.js';

const LAYOUT = { rankdir: 'TB', nodesep: 28, edgesep: 14, ranksep: 56, marginx: 16, marginy: 16 };
// Box size of an activity: an estimate of the text width at the 12px font of
// .process-node text, plus padding. A name is wrapped at spaces onto at most
// `maxLines` lines of `lineCharacters`, the rest is cut with an ellipsis, and
// the box's tooltip keeps the full name.
const NODE = { lineHeight: 15, padding: 20, verticalPadding: 10, characterWidth: 7, lineCharacters: 24, maxLines: 2 };
const LABEL = { height: 16, characterWidth: 6.2 };
const MARKER_RADIUS = 18;
// How far a self-loop (an event right after itself) reaches right of its box,
// and the gap before its label. dagre draws a self-loop through the box, so
// the loop is drawn here and the box reserves room for it on both sides.
const LOOP = { reach: 36, labelGap: 2, spread: 26, end: 7 };
// The graph shrinks to fit its container down to this share of its natural
// size, so its 12px text stays at least about 8px, and scrolls beyond that.
const MIN_SCALE = 0.7;
const EDGE_WIDTH = { min: 1.5, max: 10 };
// Space in SVG units between an edge's label and the edge of its keyboard
// button, so that the button's focus ring does not cover the label's text.
const BUTTON_PADDING = 3;
// The keys that move the focus between the edge buttons, as a step in the
// order of the edges.
const FOCUS_STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
const START = '\u0000start';
const END = '\u0000end';

/**
 * Lays out and draws `edges` (directly-follows edges of the report) with the
 * start and end activities that appear in them. Returns `{ chart, figure }`:
 * the SVG, which is what an export copies, and the element to show, which
 * contains the SVG and, when `onEdge` is given, the edges' keyboard buttons.
 * `edgeTitle(edge)` returns an edge's tooltip and `edgeName(edge)` the
 * accessible name of its button. `onEdge(edge)` is called when an edge is
 * clicked or its button is pressed.
 */
export function renderProcessGraph(edges, { startActivities = [], endActivities = [], edgeTitle, edgeName, onEdge = null }) {
  const graph = buildGraph(edges, startActivities, endActivities);
  dagreLayout(graph);
  const { width, height } = graph.graph();
  const largest = Math.max(1, ...edges.map((edge) => edge.frequency));
  const edgeWidth = scaleLinear().domain([0, largest]).range([EDGE_WIDTH.min, EDGE_WIDTH.max]);

  // Each drawn edge between activities with its shape, for the keyboard buttons.
  const activityEdges = [];
  const drawActivityEdge = (shape) => {
    const group = drawEdge(shape, edgeWidth(shape.edge.frequency), edgeTitle(shape.edge), onEdge);
    activityEdges.push({ shape, group });
    return group;
  };
  const drawnEdges = graph.edges().map((key) => {
    const data = graph.edge(key);
    return data.edge ? drawActivityEdge(data) : drawMarkerEdge(data);
  });
  for (const name of graph.nodes()) {
    const node = graph.node(name);
    if (node.loop) {
      drawnEdges.push(drawActivityEdge(loopShape(node)));
    }
  }
  const drawnNodes = graph.nodes().map((name) => drawNode(name, graph.node(name)));
  const activities = graph.nodes().filter((name) => name !== START && name !== END).length;

  const chart = svg('svg', {
    class: 'process-graph',
    'data-testid': 'process-graph',
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    role: 'img',
    'aria-label': `Process map graph of the ${formatCount(edges.length)} most frequent directly-follows edges between `
      + `${formatCount(activities)} events, drawn from top to bottom; wider arrows happened more often. The tables below list every edge.`,
  },
  svg('defs', {}, svg('marker', {
    id: 'process-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
    markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'process-arrow-head' }))),
  svg('g', { class: 'process-edges-drawn' }, drawnEdges),
  svg('g', { class: 'process-nodes' }, drawnNodes));
  chart.style.width = '100%';

  // The buttons are placed in percentages of the figure, which has the
  // chart's size because the chart fills its width and keeps its aspect ratio.
  const figure = h('div', { className: 'process-graph-figure' },
    chart,
    onEdge ? edgeButtons(edges, activityEdges, { width, height }, edgeName, onEdge) : null);
  figure.style.maxWidth = `${Math.ceil(width)}px`;
  figure.style.minWidth = `${Math.ceil(width * MIN_SCALE)}px`;
  return { chart, figure };
}

function buildGraph(edges, startActivities, endActivities) {
  const graph = new graphlib.Graph({ multigraph: false });
  graph.setGraph({ ...LAYOUT });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const edge of edges) {
    addActivity(graph, edge.source);
    addActivity(graph, edge.target);
  }

  const starts = startActivities.filter((activity) => graph.hasNode(activity.name));
  const ends = endActivities.filter((activity) => graph.hasNode(activity.name));
  if (starts.length > 0) {
    graph.setNode(START, { label: 'Start', width: MARKER_RADIUS * 2, height: MARKER_RADIUS * 2, marker: true });
  }
  if (ends.length > 0) {
    graph.setNode(END, { label: 'End', width: MARKER_RADIUS * 2, height: MARKER_RADIUS * 2, marker: true });
  }

  for (const edge of edges) {
    const text = edgeLabel(edge);
    if (edge.source === edge.target) {
      const node = graph.node(edge.source);
      node.loop = { edge, text };
      node.width += 2 * (LOOP.reach + LOOP.labelGap + text.length * LABEL.characterWidth);
      continue;
    }
    graph.setEdge(edge.source, edge.target, { edge, text, width: text.length * LABEL.characterWidth, height: LABEL.height, labelpos: 'c' });
  }
  for (const activity of starts) {
    graph.setEdge(START, activity.name, { activity, position: 'start' });
  }
  for (const activity of ends) {
    graph.setEdge(activity.name, END, { activity, position: 'end' });
  }
  return graph;
}

function addActivity(graph, name) {
  if (!graph.hasNode(name)) {
    const lines = wrapName(name);
    const longest = Math.max(...lines.map((text) => text.length));
    graph.setNode(name, {
      lines,
      name,
      width: longest * NODE.characterWidth + NODE.padding,
      boxWidth: longest * NODE.characterWidth + NODE.padding,
      height: lines.length * NODE.lineHeight + NODE.verticalPadding,
    });
  }
}

// Splits `name` at spaces into lines of at most NODE.lineCharacters, cutting
// a longer word, and ends the last kept line with an ellipsis when more is left.
function wrapName(name) {
  const lines = [];
  let current = '';
  for (const word of name.split(/\s+/).filter(Boolean)) {
    const joined = current ? `${current} ${word}` : word;
    if (joined.length <= NODE.lineCharacters) {
      current = joined;
      continue;
    }
    if (current) {
      lines.push(current);
    }
    current = word;
  }
  if (current) {
    lines.push(current);
  }
  const shownLines = lines.slice(0, NODE.maxLines).map((line) => shorten(line, NODE.lineCharacters));
  if (lines.length > NODE.maxLines) {
    const last = shownLines.length - 1;
    shownLines[last] = `${shownLines[last].slice(0, NODE.lineCharacters - 1)}…`;
  }
  return shownLines.length > 0 ? shownLines : [name];
}

function edgeLabel(edge) {
  const median = typeof edge.median_ms === 'number' ? ` · ${formatDuration(edge.median_ms)}` : '';
  return `${formatCount(edge.frequency)}${median}`;
}

function shorten(text, maxCharacters) {
  return text.length > maxCharacters ? `${text.slice(0, maxCharacters - 1)}…` : text;
}

const edgePath = line().x((point) => point.x).y((point) => point.y).curve(curveBasis);

// The path and label position of a node's self-loop: a curve out of the right
// side of its box and back in, with the label right of it.
function loopShape(node) {
  const side = node.x + node.boxWidth / 2;
  const out = side + LOOP.reach;
  return {
    edge: node.loop.edge,
    text: node.loop.text,
    path: `M${side},${node.y - LOOP.end} C${out},${node.y - LOOP.spread} ${out},${node.y + LOOP.spread} ${side},${node.y + LOOP.end}`,
    x: side + LOOP.reach * 0.75 + LOOP.labelGap,
    y: node.y,
    anchor: 'start',
  };
}

function drawEdge(data, width, title, onEdge) {
  const path = data.path ?? edgePath(data.points);
  const group = svg('g', {
    class: onEdge ? 'process-edge-drawn clickable' : 'process-edge-drawn',
    'data-testid': 'process-graph-edge',
    'data-source': data.edge.source,
    'data-target': data.edge.target,
  },
  svg('title', {}, onEdge ? `${title}. Click to show these people.` : title),
  // A wide transparent copy of the path, so a thin edge is easy to click.
  svg('path', { d: path, class: 'process-edge-hit' }),
  svg('path', { d: path, class: 'process-edge-line', 'stroke-width': width.toFixed(2), 'marker-end': 'url(#process-arrow)' }),
  svg('text', { class: 'process-edge-label', x: data.x, y: data.y, 'text-anchor': data.anchor ?? 'middle', 'dominant-baseline': 'central' }, data.text));
  if (onEdge) {
    group.addEventListener('click', () => onEdge(data.edge));
  }
  return group;
}

/**
 * Returns a toolbar with one button over the label of each drawn edge, in the
 * order of `edges` (most frequent first), which opens the edge's people with
 * Enter or Space. A roving tabindex keeps one button in the tab order, so Tab
 * passes the graph in one step however many edges it has, and the arrow keys,
 * Home and End move between the buttons. The buttons take no pointer events,
 * so a click and a tooltip still reach the drawn edge below them.
 */
function edgeButtons(edges, activityEdges, size, edgeName, onEdge) {
  const order = new Map(edges.map((edge, position) => [edge, position]));
  const sorted = [...activityEdges].sort((first, second) => order.get(first.shape.edge) - order.get(second.shape.edge));
  const buttons = sorted.map(({ shape, group }, position) => {
    const button = h('button', {
      type: 'button',
      className: 'process-edge-button',
      tabIndex: position === 0 ? 0 : -1,
      dataset: { testid: 'process-graph-edge-button', source: shape.edge.source, target: shape.edge.target },
      attrs: { 'aria-label': edgeName(shape.edge) },
      on: {
        click: () => onEdge(shape.edge),
        focus: () => {
          for (const other of buttons) {
            other.tabIndex = other === button ? 0 : -1;
          }
          group.classList.add('focused');
          // Focus alone does not scroll a button that is partly in view (seen
          // in Chromium 156), which left its label and focus ring cut off.
          button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        },
        blur: () => group.classList.remove('focused'),
      },
    });
    placeOverLabel(button, shape, size);
    return button;
  });
  return h('div', {
    className: 'process-edge-buttons',
    dataset: { testid: 'process-graph-edge-buttons' },
    attrs: { role: 'toolbar', 'aria-label': 'Arrows of the process map graph, most frequent first' },
    on: { keydown: (event) => moveFocus(event, buttons) },
  }, buttons);
}

// Moves the focus to the next or previous edge button, or the first or last,
// for an arrow key, Home or End pressed without a modifier.
function moveFocus(event, buttons) {
  const current = buttons.indexOf(event.target);
  if (current < 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  let next;
  if (event.key === 'Home') {
    next = 0;
  } else if (event.key === 'End') {
    next = buttons.length - 1;
  } else if (Object.hasOwn(FOCUS_STEPS, event.key)) {
    next = Math.min(buttons.length - 1, Math.max(0, current + FOCUS_STEPS[event.key]));
  } else {
    return;
  }
  event.preventDefault();
  buttons[next].focus();
}

// Sizes and places `button` over the label of `shape`, in percentages of the
// chart's `size` in SVG units. The label's width is the same estimate that
// the layout reserved for it.
function placeOverLabel(button, shape, size) {
  const labelWidth = shape.text.length * LABEL.characterWidth;
  const labelLeft = shape.anchor === 'start' ? shape.x : shape.x - labelWidth / 2;
  const percent = (value, total) => `${((value / total) * 100).toFixed(3)}%`;
  button.style.left = percent(labelLeft - BUTTON_PADDING, size.width);
  button.style.top = percent(shape.y - LABEL.height / 2 - BUTTON_PADDING, size.height);
  button.style.width = percent(labelWidth + 2 * BUTTON_PADDING, size.width);
  button.style.height = percent(LABEL.height + 2 * BUTTON_PADDING, size.height);
}

function drawMarkerEdge(data) {
  const verb = data.position === 'start' ? 'started with' : 'ended with';
  return svg('g', { class: 'process-marker-edge', 'data-testid': `process-graph-${data.position}-edge` },
    svg('title', {}, `${formatCount(data.activity.people)} journeys ${verb} ${data.activity.name}`),
    svg('path', { d: edgePath(data.points), class: 'process-edge-line marker-line', 'marker-end': 'url(#process-arrow)' }));
}

function drawNode(name, node) {
  if (node.marker) {
    return svg('g', { class: `process-marker ${name === START ? 'start' : 'end'}`, 'data-testid': `process-graph-${name === START ? 'start' : 'end'}` },
      svg('circle', { cx: node.x, cy: node.y, r: MARKER_RADIUS }),
      svg('text', { x: node.x, y: node.y, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, node.label));
  }
  const firstLine = node.y - ((node.lines.length - 1) * NODE.lineHeight) / 2;
  const lines = node.lines.map((text, index) => svg('tspan', { x: node.x, y: firstLine + index * NODE.lineHeight }, text));
  return svg('g', { class: 'process-node', 'data-testid': 'process-graph-node', 'data-name': name },
    svg('title', {}, name),
    svg('rect', { x: node.x - node.boxWidth / 2, y: node.y - node.height / 2, width: node.boxWidth, height: node.height, rx: 6 }),
    svg('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' }, lines));
}
