// The process map: the directly-follows graph over event names. Its most
// frequent edges are drawn as a graph (process-graph.js) and listed in a table,
// beside the start and end activities and the most frequent variants.

import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';
import { renderProcessGraph } from './process-graph.js';

// Sent to the engine as process_map options, except `edgesShown`, the number
// of edges the graph draws and the table lists until the user picks another,
// and `variantsShown`, the variants the table lists. Past about 30 edges the
// graph's arrows cross so often that it is hard to follow.
export const PROCESS_MAP_DEFAULTS = { maxActivities: 30, topVariants: 20, edgesShown: 30, variantsShown: 10 };

// How to open an edge's people, shown after the caption when they can be opened.
const PEOPLE_HINT = 'Click an arrow, or a people count in the table, for its people. '
  + 'On the keyboard, Tab reaches the arrows, the arrow keys move between them from the most frequent, and Enter or Space opens one.';

// The choices of the "Edges shown" control, besides "all".
const EDGE_LIMITS = [10, 20, 30, 50, 100];

// The edge limit the user picked last, kept when the report is redrawn.
let chosenEdgeLimit = PROCESS_MAP_DEFAULTS.edgesShown;

/** Returns the process map options in engine form. */
export function processMapOptions() {
  return { max_activities: PROCESS_MAP_DEFAULTS.maxActivities, top_variants: PROCESS_MAP_DEFAULTS.topVariants };
}

/**
 * Renders the report's process map into `root`, or nothing when it is
 * missing. `people` is everyone in the report, the base of the tooltips'
 * shares. `onPeople(selection, title)`, when given, opens the people of an
 * edge or of a start or end activity from its count or from a drawn edge.
 */
export function renderProcessMapView(root, processMap, { people = 0, onPeople = null } = {}) {
  if (!processMap) {
    replaceChildren(root);
    return;
  }
  const allEdges = processMap.edges ?? [];
  const caption = h('p', { className: 'hint', dataset: { testid: 'process-map-caption' } });
  const edgesPart = h('div', { className: 'process-edges-part' });
  const openEdge = onPeople && ((edge) => onPeople({ kind: 'process_edge', source: edge.source, target: edge.target }, `Process map: ${edge.source} → ${edge.target}`));
  const draw = (limit) => {
    const edges = allEdges.slice(0, limit);
    const edgeSummary = edges.length < allEdges.length
      ? `The ${formatCount(edges.length)} most frequent of ${formatCount(allEdges.length)} edges.`
      : `All ${formatCount(edges.length)} edges.`;
    replaceChildren(caption,
      metricLink('process-map', 'Directly-follows graph'),
      `: how often one event comes right after another. ${edgeSummary}${openEdge ? ` ${PEOPLE_HINT}` : ''}`);
    replaceChildren(edgesPart,
      renderGraph(edges, processMap, people, openEdge),
      h('div', { className: 'table-scroll' }, renderEdges(edges, people, openEdge)));
  };

  replaceChildren(root,
    caption,
    processMap.note ? h('p', { className: 'hint', dataset: { testid: 'process-map-note' } }, processMap.note) : null,
    allEdges.length > 0 ? edgeLimitControl(allEdges.length, draw) : null,
    edgesPart,
    h('div', { className: 'process-columns' },
      renderActivities('Start activities', processMap.start_activities ?? [], 'start-activities', { position: 'start', people, onPeople }),
      renderActivities('End activities', processMap.end_activities ?? [], 'end-activities', { position: 'end', people, onPeople })),
    renderVariants(processMap));
  draw(chosenEdgeLimit);
}

// The "Edges shown" select, which redraws the graph and the edge table with
// the most frequent edges up to the chosen number.
function edgeLimitControl(edgeCount, draw) {
  const limits = EDGE_LIMITS.filter((limit) => limit < edgeCount);
  const options = [
    ...limits.map((limit) => h('option', { value: String(limit) }, `${formatCount(limit)} most frequent`)),
    h('option', { value: 'all' }, `All ${formatCount(edgeCount)}`),
  ];
  const select = h('select', {
    dataset: { testid: 'process-edge-limit' },
    on: {
      change: () => {
        chosenEdgeLimit = select.value === 'all' ? Infinity : Number(select.value);
        draw(chosenEdgeLimit);
      },
    },
  }, options);
  select.value = chosenEdgeLimit >= edgeCount ? 'all' : String(chosenEdgeLimit);
  if (select.value === '') {
    select.value = 'all';
  }
  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, 'Edges shown'), select));
}

function renderGraph(edges, processMap, people, openEdge) {
  if (edges.length === 0) {
    return null;
  }
  let graph;
  try {
    graph = renderProcessGraph(edges, {
      startActivities: processMap.start_activities ?? [],
      endActivities: processMap.end_activities ?? [],
      edgeTitle: (edge) => edgeTooltip(edge, people),
      edgeName: (edge) => edgeButtonName(edge, people),
      onEdge: openEdge,
    });
  } catch (error) {
    return h('p', { className: 'field-error', attrs: { role: 'alert' } }, `The process map graph could not be laid out: ${error.message}`);
  }
  return h('div', {},
    chartExportButtons(() => graph.chart, 'pathlight-process-map', 'process map graph'),
    h('div', { className: 'chart-scroll process-graph-scroll' }, graph.figure));
}

function edgeTooltip(edge, people) {
  return `${edge.source} → ${edge.target}: ${edgeFigures(edge, people)}`;
}

// The accessible name of an edge's keyboard button: the figures of its
// tooltip, with the move in words, because a screen reader may skip the arrow.
function edgeButtonName(edge, people) {
  return `From ${edge.source} to ${edge.target}: ${edgeFigures(edge, people)}. Show these people.`;
}

function edgeFigures(edge, people) {
  const who = typeof edge.people === 'number' ? `, ${shareOf(edge.people, people)}` : '';
  const median = typeof edge.median_ms === 'number' ? `, median time ${formatDuration(edge.median_ms)}` : '';
  return `${formatCount(edge.frequency)} times${who}${median}`;
}

// A count with a tooltip of its share of everyone, as a button that opens its
// people when `open` is given. Reports from before edge people have no count.
function peopleCount(count, tooltip, open, testid) {
  if (typeof count !== 'number') {
    return '–';
  }
  if (!open || count === 0) {
    return h('span', { title: tooltip, dataset: { testid } }, formatCount(count));
  }
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    dataset: { testid },
    attrs: { 'aria-label': `${tooltip}. Show these people.` },
    on: { click: open },
  }, formatCount(count));
}

function shareOf(count, people) {
  const unit = count === 1 ? 'person' : 'people';
  return people > 0 ? `${formatCount(count)} ${unit}, ${formatShare(count / people)} of all ${formatCount(people)}` : `${formatCount(count)} ${unit}`;
}

function renderEdges(edges, people, openEdge) {
  const rows = edges.map((edge) => h('tr', { dataset: { testid: 'process-edge' } },
    h('td', { dataset: { testid: 'edge-source' } }, edge.source),
    h('td', { dataset: { testid: 'edge-target' } }, edge.target),
    h('td', { className: 'number', dataset: { testid: 'edge-frequency' } },
      h('span', { title: `${edge.target} came right after ${edge.source} ${formatCount(edge.frequency)} times` }, formatCount(edge.frequency))),
    h('td', { className: 'number' }, peopleCount(edge.people,
      `${shareOf(edge.people, people)}, did ${edge.target} right after ${edge.source}`,
      openEdge && (() => openEdge(edge)),
      'edge-people')),
    h('td', { className: 'number' }, formatDuration(edge.median_ms))));
  return h('table', { className: 'process-edges', dataset: { testid: 'process-edges' } },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'From'),
      h('th', { scope: 'col' }, 'Then'),
      h('th', { scope: 'col', className: 'number' }, 'Times'),
      h('th', { scope: 'col', className: 'number' }, metricLink('process-map', 'People')),
      h('th', { scope: 'col', className: 'number' }, 'Median time'))),
    h('tbody', {}, rows));
}

function renderActivities(title, activities, testid, { position, people, onPeople }) {
  const verb = position === 'start' ? 'started' : 'ended';
  const rows = activities.map((activity) => h('tr', {},
    h('td', {}, activity.name),
    h('td', { className: 'number' }, peopleCount(activity.people,
      `${shareOf(activity.people, people)}, ${verb} with ${activity.name}`,
      onPeople && (() => onPeople({ kind: 'process_activity', name: activity.name, position }, `Journeys that ${verb} with ${activity.name}`)),
      'activity-people'))));
  return h('table', { className: 'process-activities', dataset: { testid } },
    h('caption', {}, metricLink('process-map', title)),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Event'), h('th', { scope: 'col', className: 'number' }, 'People'))),
    h('tbody', {}, rows));
}

function renderVariants(processMap) {
  const variants = (processMap.variants ?? []).slice(0, PROCESS_MAP_DEFAULTS.variantsShown);
  if (variants.length === 0) {
    return null;
  }
  const rows = variants.map((variant) => h('tr', { dataset: { testid: 'process-variant' } },
    h('td', { className: 'path-steps' }, variant.steps.join(' → ')),
    h('td', { className: 'number' }, formatCount(variant.people)),
    h('td', { className: 'number' }, formatShare(variant.share))));
  return h('table', { className: 'process-variants', dataset: { testid: 'process-variants' } },
    h('caption', {}, metricLink('process-map', 'Top variants'),
      ` (${formatCount(variants.length)} of ${formatCount(processMap.variants_total)})`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Whole journey'),
      h('th', { scope: 'col', className: 'number' }, 'People'),
      h('th', { scope: 'col', className: 'number' }, 'Share'))),
    h('tbody', {}, rows));
}
