// The list of other id columns of the same person, part of a file's card in
// the confirm-columns view. It edits `mapping.identities`, which the engine
// uses to merge ids that share a row into one person.

import { h } from './dom.js';

/** Renders the tick list of id columns; `onChange()` runs after each tick. */
export function renderIdentities(file, onChange) {
  const { inspection, mapping } = file;
  const candidates = inspection.columns.filter((column) => column.name !== mapping.person);
  if (candidates.length === 0) {
    return null;
  }
  const chosenLabel = h('span', { dataset: { testid: 'identities-chosen' } }, chosenText(mapping));
  const boxes = candidates.map((column) => {
    const checkbox = h('input', {
      type: 'checkbox',
      checked: mapping.identities.includes(column.name),
      dataset: { testid: 'identity', column: column.name },
      on: {
        change: () => {
          const others = mapping.identities.filter((name) => name !== column.name);
          mapping.identities = checkbox.checked ? [...others, column.name] : others;
          chosenLabel.textContent = chosenText(mapping);
          onChange();
        },
      },
    });
    return h('label', { className: 'toggle' }, checkbox, ` ${column.name}`);
  });

  // The list starts open when the inspection already linked ids, so the user sees them.
  return h('details', { className: 'identities-editor', open: chosenIds(mapping).length > 0, dataset: { testid: 'identities' } },
    h('summary', {}, 'Other ids of the same person: ', chosenLabel),
    h('p', { className: 'hint' }, 'Tick the columns that contain another id of the same person, such as a user id beside an anonymous id. Ids found on one row are merged into one person, across all files.'),
    h('div', { className: 'identity-list' }, boxes),
  );
}

/** Returns the identity columns to load: the ticked ones except the person column. */
export function chosenIds(mapping) {
  return mapping.identities.filter((column) => column !== mapping.person);
}

function chosenText(mapping) {
  const chosen = chosenIds(mapping);
  return chosen.length > 0 ? chosen.join(', ') : 'none';
}
