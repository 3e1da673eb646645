// The guided first run: a four-step indicator above the page's sections.
// Each step names the heading it leads to. Steps already reached stay links,
// so the user can go back to one, and the current step has aria-current.

import { h, replaceChildren } from './dom.js';

/** The steps in order, each with the id of the heading that starts it. */
export const STEPS = [
  { label: 'Drop files', heading: 'input-heading' },
  { label: 'Check the columns', heading: 'mapping-heading' },
  { label: 'Choose the conversion', heading: 'conversion-heading' },
  { label: 'See the overview', heading: 'overview-heading' },
];

/**
 * Builds the step indicator inside `root` and returns { show, reset, reached }.
 * `step` counts from 1. show() marks it current and every step up to the
 * furthest one shown as reachable, and with `focus` moves the keyboard focus
 * to the step's heading.
 */
export function createStepsView(root) {
  let current = 1;
  let reached = 1;

  const draw = () => {
    const items = STEPS.map((step, position) => {
      const number = position + 1;
      const text = [h('span', { className: 'step-number' }, String(number)), ` ${step.label}`];
      let state = 'later';
      if (number === current) {
        state = 'current';
      } else if (number <= reached) {
        state = 'done';
      }
      const attrs = number === current ? { 'aria-current': 'step' } : {};
      const content = number <= reached
        ? h('a', { href: `#${step.heading}`, attrs, on: { click: (event) => { event.preventDefault(); show(number, true); } } }, ...text)
        : h('span', { attrs }, ...text);
      return h('li', { className: `step ${state}`, dataset: { testid: 'step', step: String(number), state } }, content);
    });
    replaceChildren(root, h('ol', { className: 'steps' }, items));
  };

  const show = (step, focus = false) => {
    current = step;
    reached = Math.max(reached, step);
    draw();
    if (focus) {
      focusHeading(STEPS[step - 1].heading);
    }
  };

  // Removing every file starts the guide again from step 1.
  const reset = () => {
    current = 1;
    reached = 1;
    draw();
  };

  draw();
  return {
    show,
    reset,
    /** The furthest step shown since the last reset. */
    get reached() {
      return reached;
    },
  };
}

// Headings are not focusable by default, so each gets tabindex=-1: the focus
// can be moved there by script without adding a stop to the Tab order.
function focusHeading(id) {
  const heading = document.getElementById(id);
  if (!heading) {
    return;
  }
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
  heading.scrollIntoView({ block: 'start' });
}
