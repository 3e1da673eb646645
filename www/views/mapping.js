// The confirm-columns view: one card per file with its detected delimiter,
// encoding, a preview, and a select per role (person id, event time, event
// name, channel, value). A file without an event column can turn date columns
// into events with a name the user types.

import { h, replaceChildren } from './dom.js';
import { formatBytes, formatCount } from './format.js';

// Values as the engine's inspect() accepts them and FileInspection.delimiter
// reports them, so a sniffed delimiter selects its own option.
const DELIMITERS = [
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: 'tab', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

const ROLES = [
  { key: 'person', label: 'Person id', required: true, hint: 'who did it: user, customer, lead or case id' },
  { key: 'time', label: 'Event time', required: true, hint: 'when it happened' },
  { key: 'event', label: 'Event name', required: false, hint: 'what happened; leave empty to use date columns as events' },
  { key: 'channel', label: 'Channel', required: false, hint: 'source or medium, if any' },
  { key: 'value', label: 'Value', required: false, hint: 'revenue or amount, if any' },
];

const TIME_ROLE = ROLES.find((role) => role.key === 'time');

const PREVIEW_ROWS = 5;
const NO_COLUMN = '';

/**
 * Renders one card per file into `root`. `files` contains entries of
 * { inspection, mapping }, and the view edits `mapping` in place.
 * `handlers.onDelimiterChange(index, delimiter)` requests a new inspection,
 * `handlers.onRemove(index)` drops a file, and `handlers.onChange()` runs
 * after any mapping edit.
 */
export function renderMappingView(root, files, handlers) {
  replaceChildren(root, files.map((file) => renderFileCard(file, handlers)));
}

/** Returns the problems that stop a file's mapping from loading, as sentences. */
export function mappingProblems(file) {
  const { mapping, inspection } = file;
  const problems = [];
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
 * Returns the mapping to load for a file: the event column with its time
 * column, or else the date columns as events. The view hides the other
 * choice, so it is not loaded even when the mapping still contains it.
 */
export function mappingToLoad(file) {
  const { mapping } = file;
  if (mapping.event) {
    return { ...mapping, date_events: [] };
  }
  return { ...mapping, time: null };
}

function renderFileCard(file, handlers) {
  const { inspection } = file;
  const encoding = inspection.bom ? `${inspection.encoding} with BOM` : inspection.encoding;
  const dateEventsBlock = h('div', { className: 'date-events' });
  const refreshDateEvents = () => {
    replaceChildren(dateEventsBlock, renderDateEvents(file, handlers));
  };
  refreshDateEvents();

  // Choosing or clearing the event column shows or hides the date-event
  // editor and decides whether the time select is needed.
  const roleFields = new Map();
  const renderRole = (role) => renderRoleSelect(file, role, () => {
    if (role.key === 'event') {
      refreshDateEvents();
      const timeField = renderRole(TIME_ROLE);
      roleFields.get(TIME_ROLE.key).replaceWith(timeField);
      roleFields.set(TIME_ROLE.key, timeField);
    }
    handlers.onChange();
  });
  for (const role of ROLES) {
    roleFields.set(role.key, renderRole(role));
  }

  return h('article', { className: 'file-card', dataset: { testid: 'file-card', file: inspection.name } },
    h('header', { className: 'file-card-header' },
      h('h3', {}, inspection.name),
      h('span', { className: 'file-facts' }, `${formatBytes(inspection.bytes)} · ${encoding}`),
      h('button', {
        type: 'button',
        className: 'link-button',
        dataset: { testid: 'remove-file' },
        on: { click: () => handlers.onRemove(inspection.index) },
      }, 'Remove'),
    ),
    renderDelimiterSelect(file, handlers),
    h('div', { className: 'role-grid' }, [...roleFields.values()]),
    dateEventsBlock,
    renderInspectionWarnings(inspection.warnings),
    renderPreview(inspection),
  );
}

function renderDelimiterSelect(file, handlers) {
  const { inspection } = file;
  const detectedSuffix = (value) => (inspection.delimiter_sniffed && value === inspection.delimiter ? ' (detected)' : '');
  const options = DELIMITERS.map(({ value, label }) => h('option', {
    value,
    selected: value === inspection.delimiter,
  }, `${label}${detectedSuffix(value)}`));
  if (!DELIMITERS.some(({ value }) => value === inspection.delimiter)) {
    options.push(h('option', { value: inspection.delimiter, selected: true }, `"${inspection.delimiter}"${detectedSuffix(inspection.delimiter)}`));
  }
  const select = h('select', {
    dataset: { testid: 'delimiter' },
    on: { change: () => handlers.onDelimiterChange(inspection.index, select.value) },
  }, options);
  return h('label', { className: 'field inline' }, h('span', {}, 'Delimiter'), select);
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
