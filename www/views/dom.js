// Small DOM helpers shared by the views. Text always goes in through
// textContent (or a text node), never through innerHTML, because event names,
// column names and cell values come from the user's files.

import { METRIC_NOTES } from './metric-notes.js';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

// The metric definitions, rendered from docs/metrics.md by `npm run build:www`.
export const METRICS_DOC = 'build/metrics.html';

/**
 * Creates an HTML element. `props` sets properties (className, value, ...),
 * except `dataset`, `attrs` and `on`, which set data-*, attributes and event
 * listeners. Children are nodes or strings; null and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

/** Creates an SVG element with the given attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Creates a link from a metric label to its definition in the metrics page.
 * Its tooltip is the metric's one-sentence note from metric-notes.js, or a
 * generic one for an anchor that has no note.
 */
export function metricLink(anchor, label) {
  const note = Object.hasOwn(METRIC_NOTES, anchor) ? METRIC_NOTES[anchor] : null;
  return h('a', {
    className: 'metric-link',
    href: `${METRICS_DOC}#${anchor}`,
    target: '_blank',
    rel: 'noopener',
    title: note ? `${note} Open for the full definition.` : `How "${label}" is counted`,
    dataset: { note: note ? 'yes' : 'no' },
  }, label);
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

function applyProps(element, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined) {
      continue;
    }
    if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'attrs') {
      for (const [attr, attrValue] of Object.entries(value)) {
        if (attrValue !== null && attrValue !== undefined && attrValue !== false) {
          element.setAttribute(attr, attrValue === true ? '' : String(attrValue));
        }
      }
    } else if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) {
        element.addEventListener(type, listener);
      }
    } else {
      element[name] = value;
    }
  }
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}
