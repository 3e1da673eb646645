// The navigation bar of the results: one link per view, in the order of the
// page. Every view stays rendered, and a view with nothing to show for the
// data is marked in the bar as empty instead of being left out.

import { h, replaceChildren } from './dom.js';

/**
 * The views: `target` is the id the link jumps to, and `content` the id of the
 * element whose emptiness (hidden, or no child) marks the view as empty.
 */
export const VIEWS = [
  { key: 'overview', label: 'Overview', target: 'overview-heading', content: 'summary-view' },
  { key: 'funnel', label: 'Funnel', target: 'funnel-heading', content: 'funnel-view' },
  { key: 'paths', label: 'Paths', target: 'paths-heading', content: 'paths-view' },
  { key: 'stages', label: 'Stages', target: 'stages-heading', content: 'stages-view' },
  { key: 'timing', label: 'Timing', target: 'timing-heading', content: 'timing-view' },
  { key: 'drivers', label: 'Drivers', target: 'drivers-view', content: 'drivers-view' },
  { key: 'channels', label: 'Channels', target: 'channels-heading', content: 'channels-view' },
  { key: 'email', label: 'E-mail', target: 'email-view', content: 'email-view' },
  { key: 'segments', label: 'Segments', target: 'segments-view', content: 'segments-view' },
  { key: 'experiments', label: 'Experiments', target: 'experiment-view', content: 'experiment-view' },
  { key: 'trends', label: 'Trends', target: 'trends-view', content: 'trends-view' },
];

/** Draws the bar into `root` for the views as they are rendered now. */
export function renderViewNav(root) {
  const items = VIEWS.map((view) => {
    const content = document.getElementById(view.content);
    const empty = !content || content.hidden || content.childElementCount === 0;
    const link = empty
      ? h('span', { className: 'view-link empty', title: `${view.label}: nothing to show for this data`, dataset: { testid: 'view-link', view: view.key, empty: 'true' } },
        view.label, h('span', { className: 'visually-hidden' }, ' (nothing to show for this data)'))
      : h('a', { className: 'view-link', href: `#${view.target}`, dataset: { testid: 'view-link', view: view.key } }, view.label);
    return h('li', {}, link);
  });
  replaceChildren(root, h('ul', {}, items));
}
