// The confirm-columns view, with one card per file. A card shows the
// recognised export format and the reading settings (www/views/dialect.js),
// a select per role (person id, event time, event name, channel, value,
// sequence number), the other id columns of the same person, and a preview.
// A file without an event column can turn date columns into events with a
// name the user types. A channel path table shows its path columns instead of
// the role selects, and an outcome table (one row per person, no times) shows
// the person, channel and value selects and its step columns.

import { hasUnappliedColumnNames, renderDetectedFormat, renderDialect } from './dialect.js';
import { h, replaceChildren } from './dom.js';
import { formatBytes, formatCount } from './format.js';
import { chosenIds, renderIdentities } from './identities.js';
import { renderOutcomeTable } from './outcome-table.js';
import { renderPathTable } from './path-table.js';

const ROLES = [
  { key: 'person', label: 'Person id', required: true, hint: 'who did it: user, customer, lead or case id' },
  { key: 'time', label: 'Event time', required: true, hint: 'when it happened' },
  { key: 'event', label: 'Event name', required: false, hint: 'what happened; leave empty to use date columns as events' },
  { key: 'channel', label: 'Channel', required: false, hint: 'source or medium, if any' },
  { key: 'value', label: 'Value', required: false, hint: 'revenue or amount, if any' },
  { key: 'ordinal', label: 'Sequence number', required: false, hint: 'a number that orders events with the same time, if any' },
];

const TIME_ROLE = ROLES.find((role) => role.key === 'time');

// The roles of an outcome table, which has no time or event column and can
// do without a person id.
const OUTCOME_ROLES = [
  { key: 'person', label: 'Person id', required: false, hint: 'leave empty to count each row as one person' },
  ...ROLES.filter((role) => role.key === 'channel' || role.key === 'value'),
];

const PREVIEW_ROWS = 5;
const NO_COLUMN = '';

/**
 * Renders one card per file into `root`. `files` contains entries of
 * { inspection, dialect, detectedDelimiter, pathTable, mapping }, and the
 * view edits `mapping` in place. `handlers.onDialectChange(index, dialect)`
 * requests a new inspection, `handlers.onRemove(index)` drops a file, and
 * `handlers.onChange()` runs after any mapping edit.
 */
export function renderMappingView(root, files, handlers) {
  replaceChildren(root, files.map((file) => renderFileCard(file, handlers)));
}

/** Returns the problems that stop a file's mapping from loading, as sentences. */
export function mappingProblems(file) {
  const { mapping, inspection } = file;
  const problems = [];
  if (hasUnappliedColumnNames(file)) {
    problems.push(`${inspection.name}: press "Use these names" to apply the column names you typed.`);
  }
  if (mapping.path_table || mapping.outcome_table) {
    return problems;
  }
  if (!mapping.person) {
    problems.push(`${inspection.name}: choose the person id column.`);
  }
  if (!mapping.event) {
    const named = mapping.date_events.filter((entry) => entry.name.trim() !== '');
    if (named.length === 0) {
      problems.push(`${inspection.name}: choose the event name column, or name at least one date column as an event.`);
    }
  } else if (!mapping.time) {
    problems.push(`${inspection.name}: choose the event time column.`);
  }
  return problems;
}

/**
 * Returns the mapping to load for a file: a channel path table as the
 * inspection proposed it, an outcome table with its person, channel, value
 * and step columns, or else the event column with its time column, or else
 * the date columns as events. The view hides the choices not taken, so they
 * are not loaded even when the mapping still contains them.
 */
export function mappingToLoad(file) {
  const { mapping } = file;
  if (mapping.path_table) {
    return mapping;
  }
  if (mapping.outcome_table) {
    const identities = mapping.person ? chosenIds(mapping) : [];
    return { ...mapping, identities, time: null, event: null, ordinal: null, date_events: [] };
  }
  const rest = { ...mapping, identities: chosenIds(mapping), path_table: null };
  if (mapping.event) {
    return { ...rest, date_events: [] };
  }
  return { ...rest, time: null };
}

/** Returns the columns that the mapping reads times from. */
export function mappedTimeColumns(file) {
  const { mapping } = file;
  if (mapping.path_table || mapping.outcome_table) {
    return [];
  }
  if (mapping.event) {
    return mapping.time ? [mapping.time] : [];
  }
  return mapping.date_events.filter((entry) => entry.name.trim() !== '').map((entry) => entry.column);
}

function renderFileCard(file, handlers) {
  const { inspection } = file;
  return h('article', { className: 'file-card', dataset: { testid: 'file-card', file: inspection.name } },
    h('header', { className: 'file-card-header' },
      h('h3', {}, inspection.name),
      h('span', { className: 'file-facts' }, formatBytes(inspection.bytes)),
      h('button', {
        type: 'button',
        className: 'link-button',
        dataset: { testid: 'remove-file' },
        on: { click: () => handlers.onRemove(inspection.index) },
      }, 'Remove'),
    ),
    renderDetectedFormat(inspection),
    renderDialect(file, handlers),
    renderMappingFields(file, handlers),
    renderInspectionWarnings(inspection.warnings),
    renderPreview(inspection),
  );
}

// The role selects, or the columns of a channel path table. Switching
// between the two redraws only this block.
function renderMappingFields(file, handlers) {
  const block = h('div', { className: 'mapping-fields' });
  const switchTo = (pathTable) => {
    file.mapping.path_table = pathTable;
    redraw();
    handlers.onChange();
  };
  const redraw = () => {
    if (file.mapping.outcome_table) {
      replaceChildren(block, renderOutcomeRoles(file, handlers));
      return;
    }
    replaceChildren(block, file.mapping.path_table
      ? renderPathTable(file.mapping.path_table, () => switchTo(null))
      : renderRoles(file, handlers, () => switchTo(file.pathTable)));
  };
  redraw();
  return block;
}

function renderRoles(file, handlers, onUsePathTable) {
  const dateEventsBlock = h('div', { className: 'date-events' });
  const refreshDateEvents = () => {
    replaceChildren(dateEventsBlock, renderDateEvents(file, handlers));
  };
  refreshDateEvents();
  const identitiesBlock = h('div', { className: 'identities' });
  const refreshIdentities = () => {
    replaceChildren(identitiesBlock, renderIdentities(file, handlers.onChange));
  };
  refreshIdentities();

  // Choosing or clearing the event column shows or hides the date-event
  // editor and decides whether the time select is needed. The person column
  // is left out of the list of other ids.
  const roleFields = new Map();
  const renderRole = (role) => renderRoleSelect(file, role, () => {
    if (role.key === 'event') {
      refreshDateEvents();
      const timeField = renderRole(TIME_ROLE);
      roleFields.get(TIME_ROLE.key).replaceWith(timeField);
      roleFields.set(TIME_ROLE.key, timeField);
    }
    if (role.key === 'person') {
      refreshIdentities();
    }
    handlers.onChange();
  });
  for (const role of ROLES) {
    roleFields.set(role.key, renderRole(role));
  }

  const backToPathTable = file.pathTable
    ? h('p', { className: 'hint' },
      'Pathlight recognised this file as a channel path table. ',
      h('button', {
        type: 'button',
        className: 'link-button',
        dataset: { testid: 'use-path-table' },
        on: { click: onUsePathTable },
      }, 'Read it as a path table'))
    : null;

  return [
    backToPathTable,
    h('div', { className: 'role-grid' }, [...roleFields.values()]),
    identitiesBlock,
    dateEventsBlock,
  ];
}

// The person, channel and value selects of an outcome table, the other ids
// of a chosen person column, and the step columns.
function renderOutcomeRoles(file, handlers) {
  const identitiesBlock = h('div', { className: 'identities' });
  const refreshIdentities = () => {
    replaceChildren(identitiesBlock, file.mapping.person ? renderIdentities(file, handlers.onChange) : null);
  };
  refreshIdentities();
  const selects = OUTCOME_ROLES.map((role) => renderRoleSelect(file, role, () => {
    if (role.key === 'person') {
      refreshIdentities();
    }
    handlers.onChange();
  }));
  return [
    h('div', { className: 'role-grid' }, selects),
    identitiesBlock,
    renderOutcomeTable(file, handlers.onChange),
  ];
}

function renderRoleSelect(file, role, onChange) {
  const { inspection, mapping } = file;
  if (role.key === TIME_ROLE.key && !mapping.event) {
    return h('label', { className: 'field', title: 'Each date column turned into an event gives that event its time.' },
      h('span', {}, role.label),
      h('select', { disabled: true, dataset: { testid: 'map-time' } },
        h('option', { value: NO_COLUMN, selected: true }, 'not needed')),
      h('span', { className: 'field-note', dataset: { testid: 'map-time-note' } }, 'Date columns are events.'));
  }
  const current = mapping[role.key] ?? NO_COLUMN;
  const options = [
    h('option', { value: NO_COLUMN, selected: current === NO_COLUMN }, role.required ? '– choose a column –' : '– none –'),
    inspection.columns.map((column) => h('option', {
      value: column.name,
      selected: column.name === current,
    }, `${column.name} (${column.kind})`)),
  ];
  const select = h('select', {
    dataset: { testid: `map-${role.key}` },
    on: {
      change: () => {
        mapping[role.key] = select.value === NO_COLUMN ? null : select.value;
        onChange();
      },
    },
  }, options);
  return h('label', { className: 'field', title: role.hint },
    h('span', {}, role.label, role.required ? null : h('span', { className: 'optional' }, ' optional')),
    select,
  );
}

function renderDateEvents(file, handlers) {
  const { inspection, mapping } = file;
  if (mapping.event) {
    return null;
  }
  const dateColumns = inspection.columns.filter((column) => column.kind === 'time');
  if (dateColumns.length === 0) {
    return h('p', { className: 'hint' }, 'This file has no event column and no date column, so it adds no events.');
  }
  const rows = dateColumns.map((column) => {
    const entry = mapping.date_events.find((candidate) => candidate.column === column.name);
    const input = h('input', {
      type: 'text',
      value: entry ? entry.name : '',
      placeholder: 'not used',
      dataset: { testid: 'date-event-name', column: column.name },
      attrs: { 'aria-label': `Event name for dates in ${column.name}` },
      on: {
        input: () => {
          setDateEvent(mapping, column.name, input.value);
          handlers.onChange();
        },
      },
    });
    return h('label', { className: 'field inline' }, h('span', {}, column.name, ' becomes'), input);
  });
  return h('fieldset', { className: 'date-events-editor' },
    h('legend', {}, 'Date columns as events'),
    h('p', { className: 'hint' }, 'Each date column with a name becomes one event per row, at that date, so this file needs no event time column.'),
    rows,
  );
}

function setDateEvent(mapping, column, name) {
  const others = mapping.date_events.filter((entry) => entry.column !== column);
  mapping.date_events = name.trim() === '' ? others : [...others, { column, name: name.trim() }];
}

function renderInspectionWarnings(warnings) {
  if (!warnings || warnings.length === 0) {
    return null;
  }
  return h('ul', { className: 'file-warnings' },
    warnings.map((warning) => h('li', {}, typeof warning === 'string' ? warning : warning.message ?? JSON.stringify(warning))));
}

function renderPreview(inspection) {
  const rows = inspection.preview.slice(0, PREVIEW_ROWS);
  const header = h('tr', {}, inspection.columns.map((column) => h('th', { title: examplesTitle(column) },
    column.name, h('span', { className: 'kind' }, column.kind))));
  const body = rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, cell))));
  return h('details', { className: 'preview' },
    h('summary', {}, `Preview: ${formatCount(inspection.columns.length)} columns, first ${formatCount(rows.length)} rows`),
    h('div', { className: 'table-scroll' }, h('table', { className: 'compact' }, h('thead', {}, header), h('tbody', {}, body))),
  );
}

function examplesTitle(column) {
  const examples = column.examples?.length ? `Examples: ${column.examples.join(', ')}` : 'No examples';
  return column.time_format ? `${examples}. Time format: ${column.time_format}` : examples;
}
