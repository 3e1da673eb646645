// The top paths of converters and of non-converters, side by side, with the
// "keep repeated steps" toggle.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatShare, splitPath } from './format.js';

// How many paths each table lists; sent to the engine as paths.top.
export const PATHS_DEFAULTS = { top: 10 };

/**
 * Renders the report's paths into `root`. `onToggleRepeats(keep)` runs when
 * the user changes the "keep repeated steps" toggle. `onPeople(selection,
 * title)`, when given, opens the people of a path from its count.
 */
export function renderPathsView(root, paths, onToggleRepeats, { onPeople = null } = {}) {
  const toggle = h('input', {
    type: 'checkbox',
    checked: !paths.collapse_repeats,
    dataset: { testid: 'keep-repeats' },
    on: { change: () => onToggleRepeats(toggle.checked) },
  });
  const explanation = paths.collapse_repeats
    ? 'A step repeated in a row counts once, so page_view, page_view, purchase reads page_view → purchase.'
    : 'Every step counts, repeats included.';

  replaceChildren(root,
    h('div', { className: 'section-tools' },
      h('label', { className: 'toggle' }, toggle, ' Keep repeated steps'),
      h('span', { className: 'hint' }, explanation)),
    renderScope(paths),
    h('div', { className: 'paths-columns' },
      renderGroup('Converters', paths.converters, 'paths-converters', 'converters', onPeople),
      renderGroup('Non-converters', paths.non_converters, 'paths-non-converters', 'non_converters', onPeople)),
  );
}

// Reports from before path scopes have no `scope`, and then no line is shown.
function renderScope(paths) {
  if (typeof paths.scope !== 'string') {
    return null;
  }
  const outside = paths.out_of_scope > 0
    ? ` ${formatCount(paths.out_of_scope)} ${paths.out_of_scope === 1 ? 'person has' : 'people have'} no path in this scope.`
    : '';
  return h('p', { className: 'hint', dataset: { testid: 'paths-scope' } }, `${paths.scope}${outside}`);
}

function renderGroup(title, group, testid, groupId, onPeople) {
  const heading = h('h4', {}, title, h('span', { className: 'hint' },
    ` ${formatCount(group.people)} people, ${formatCount(group.distinct)} distinct paths`));
  if (group.top.length === 0) {
    return h('div', { className: 'paths-group', dataset: { testid } }, heading, h('p', { className: 'empty' }, 'No paths.'));
  }
  const rows = group.top.map((path) => h('tr', { dataset: { testid: 'path-row' } },
    h('td', {}, renderSteps(path.steps)),
    h('td', { className: 'number', dataset: { testid: 'path-people' } }, pathCount(path, group, title, groupId, onPeople)),
    h('td', { className: 'number' }, formatShare(path.share)),
  ));
  return h('div', { className: 'paths-group', dataset: { testid } },
    heading,
    h('table', { className: 'paths-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, metricLink('paths', 'Path')),
        h('th', { scope: 'col', className: 'number' }, 'People'),
        h('th', { scope: 'col', className: 'number' }, 'Share'))),
      h('tbody', {}, rows)),
  );
}

// A path's count with a tooltip of its share of the group, as a button that
// opens its people when `onPeople` is given.
function pathCount(path, group, title, groupId, onPeople) {
  const tooltip = `${formatCount(path.people)} ${path.people === 1 ? 'person' : 'people'}, ${formatShare(path.share)} of the ${formatCount(group.people)} ${title.toLowerCase()} with a path`;
  if (!onPeople) {
    return h('span', { title: tooltip }, formatCount(path.people));
  }
  const open = () => onPeople({ kind: 'path', group: groupId, steps: path.steps }, `${title} who followed ${path.steps.join(' → ')}`);
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    attrs: { 'aria-label': `${tooltip}. Show these people.` },
    on: { click: open },
  }, formatCount(path.people));
}

// A long path shows its ends and one chip that counts the steps between. The
// whole path is in the tooltip and the label.
function renderSteps(steps) {
  const { head, hidden, tail } = splitPath(steps);
  const chip = (step) => h('span', { className: 'chip' }, step);
  const more = hidden > 0 ? [h('span', { className: 'chip more' }, `… ${formatCount(hidden)} more …`)] : [];
  const chips = [...head.map(chip), ...more, ...tail.map(chip)];
  const items = [];
  chips.forEach((node, position) => {
    // The spaces around the arrow are where a long path may wrap.
    if (position > 0) {
      items.push(' ', h('span', { className: 'arrow', attrs: { 'aria-hidden': 'true' } }, '→'), ' ');
    }
    items.push(node);
  });
  return h('span', { className: 'path', title: steps.join(' → '), attrs: { 'aria-label': steps.join(', then ') } }, items);
}
