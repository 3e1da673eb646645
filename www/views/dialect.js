// The reading settings on a file's card in the confirm-columns view. They
// show the export format the engine recognised, the delimiter, whether the
// first row is a header, and names for the columns of a header-less file.
// Below them are the sniffed facts: encoding, quote character, line ending,
// decimal comma and the reporting period of an analytics preamble.

import { h } from './dom.js';

// Values as the engine's inspect() accepts them and FileInspection.delimiter
// reports them, so a sniffed delimiter selects its own option.
const DELIMITERS = [
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: 'tab', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
  { value: 'whitespace', label: 'Whitespace' },
];

const LINE_ENDINGS = {
  LF: 'LF (Unix)',
  CRLF: 'CRLF (Windows)',
  CR: 'CR (old Mac)',
};

/** Renders "Recognised as …" with the preset's note, or nothing for an unknown format. */
export function renderDetectedFormat(inspection) {
  const { format } = inspection;
  if (!format) {
    return null;
  }
  return h('div', { className: 'detected-format', dataset: { testid: 'detected-format', format: format.id } },
    h('p', {}, 'Recognised as ', h('strong', {}, format.name), ', so its columns are already chosen below.'),
    format.note ? h('p', { className: 'hint', dataset: { testid: 'detected-format-note' } }, format.note) : null,
  );
}

/**
 * Renders the reading settings of one file. `handlers.onDialectChange(index,
 * dialect)` requests a new inspection with { delimiter, header, column_names }.
 */
export function renderDialect(file, handlers) {
  const { inspection } = file;
  return h('div', { className: 'dialect', dataset: { testid: 'dialect' } },
    h('div', { className: 'dialect-controls' },
      renderDelimiterSelect(file, handlers),
      renderQuoteSelect(file, handlers),
      renderHeaderToggle(file, handlers),
    ),
    renderDialectFacts(inspection),
    inspection.has_header ? null : renderColumnNames(file, handlers),
    renderPeriod(inspection.period),
  );
}

/**
 * Returns true when the column names typed on a header-less file's card
 * differ from the names the current inspection used.
 */
export function hasUnappliedColumnNames(file) {
  if (file.inspection.has_header || !file.pendingColumnNames) {
    return false;
  }
  return file.pendingColumnNames.some((name, position) => {
    const trimmed = name.trim();
    return trimmed !== '' && trimmed !== file.inspection.columns[position]?.name;
  });
}

function renderDelimiterSelect(file, handlers) {
  const { inspection, detectedDelimiter } = file;
  const detectedSuffix = (value) => (value === detectedDelimiter ? ' (detected)' : '');
  const options = DELIMITERS.map(({ value, label }) => h('option', {
    value,
    selected: value === inspection.delimiter,
  }, `${label}${detectedSuffix(value)}`));
  if (!DELIMITERS.some(({ value }) => value === inspection.delimiter)) {
    options.push(h('option', { value: inspection.delimiter, selected: true }, `"${inspection.delimiter}"${detectedSuffix(inspection.delimiter)}`));
  }
  const select = h('select', {
    dataset: { testid: 'delimiter' },
    on: {
      change: () => handlers.onDialectChange(inspection.index, {
        delimiter: select.value,
        quote: file.dialect.quote ?? null,
        header: file.dialect.header,
        column_names: [],
      }),
    },
  }, options);
  return h('label', { className: 'field inline' }, h('span', {}, 'Delimiter'), select);
}

// The quote character that wraps fields holding the delimiter: " by default,
// ' when the engine finds fields wrapped in it.
function renderQuoteSelect(file, handlers) {
  const { inspection } = file;
  const choices = [['"', 'Double quote "'], ["'", "Single quote '"]];
  const select = h('select', {
    dataset: { testid: 'quote' },
    on: {
      change: () => handlers.onDialectChange(inspection.index, {
        delimiter: inspection.delimiter,
        quote: select.value,
        header: file.dialect.header,
        column_names: file.dialect.column_names ?? [],
      }),
    },
  }, choices.map(([value, label]) => h('option', { value, selected: value === inspection.quote }, label)));
  return h('label', { className: 'field inline' }, h('span', {}, 'Quote'), select);
}

// Unticking reads the first row as data, and the columns become column_1, …
// until the user names them.
function renderHeaderToggle(file, handlers) {
  const { inspection } = file;
  const checkbox = h('input', {
    type: 'checkbox',
    checked: inspection.has_header,
    dataset: { testid: 'has-header' },
    on: {
      change: () => handlers.onDialectChange(inspection.index, {
        delimiter: inspection.delimiter,
        quote: file.dialect.quote ?? null,
        header: checkbox.checked,
        column_names: [],
      }),
    },
  });
  return h('label', { className: 'toggle', title: 'Untick when the first row already contains data, not column names.' },
    checkbox, ' First row is a header');
}

function renderDialectFacts(inspection) {
  const encoding = inspection.bom ? `${inspection.encoding} with BOM` : inspection.encoding;
  const facts = [
    ['Encoding', encoding, 'encoding'],
    ['Line ending', LINE_ENDINGS[inspection.line_ending] ?? inspection.line_ending, 'line-ending'],
    ['Decimal separator', inspection.decimal_comma ? 'comma (1,25)' : 'point (1.25)', 'decimal'],
  ];
  return h('dl', { className: 'dialect-facts' },
    facts.map(([label, value, testid]) => h('div', {},
      h('dt', {}, label),
      h('dd', { dataset: { testid: `dialect-${testid}` } }, value))));
}

// One input per column. The names are sent only when the user applies them,
// because a new inspection proposes a new mapping and redraws the card.
function renderColumnNames(file, handlers) {
  const { inspection } = file;
  if (!file.pendingColumnNames || file.pendingColumnNames.length !== inspection.columns.length) {
    file.pendingColumnNames = inspection.columns.map((column) => column.name);
  }
  const applyButton = h('button', {
    type: 'button',
    dataset: { testid: 'apply-column-names' },
    on: { click: () => applyNames() },
  }, 'Use these names');
  const refreshButton = () => {
    applyButton.disabled = !hasUnappliedColumnNames(file);
  };
  const applyNames = () => {
    if (!hasUnappliedColumnNames(file)) {
      return;
    }
    handlers.onDialectChange(inspection.index, {
      delimiter: inspection.delimiter,
      quote: file.dialect.quote ?? null,
      header: false,
      column_names: file.pendingColumnNames.map((name) => name.trim()),
    });
  };

  const inputs = inspection.columns.map((column, position) => {
    const input = h('input', {
      type: 'text',
      value: file.pendingColumnNames[position],
      size: 14,
      dataset: { testid: 'column-name', position: String(position) },
      attrs: { 'aria-label': `Name of column ${position + 1}, for example ${column.examples[0] ?? 'empty'}` },
      on: {
        input: () => {
          file.pendingColumnNames[position] = input.value;
          refreshButton();
          handlers.onChange();
        },
        keydown: (event) => {
          if (event.key === 'Enter') {
            applyNames();
          }
        },
      },
    });
    const example = column.examples[0] ?? '';
    return h('label', { className: 'column-name' },
      input,
      h('span', { className: 'column-example', title: column.examples.join(', ') }, example === '' ? 'empty' : `e.g. ${example}`));
  });
  refreshButton();

  return h('fieldset', { className: 'column-names', dataset: { testid: 'column-names' } },
    h('legend', {}, 'Column names'),
    h('p', { className: 'hint' }, 'This file has no header row. Name its columns, then press "Use these names" to choose the roles below.'),
    h('div', { className: 'column-name-list' }, inputs),
    applyButton,
  );
}

function renderPeriod(period) {
  if (!period || (!period.start && !period.end)) {
    return null;
  }
  let text;
  if (period.start && period.end) {
    text = `${period.start} to ${period.end}`;
  } else if (period.start) {
    text = `from ${period.start}`;
  } else {
    text = `up to ${period.end}`;
  }
  return h('p', { className: 'hint', dataset: { testid: 'period' } }, `Reporting period in the file: ${text}`);
}
