// CSV export. A cell that a spreadsheet would read as a formula (one that
// starts with =, +, -, @, a tab or a carriage return) gets a leading
// apostrophe, so an exported event name or id never runs as a formula.

import { downloadText } from './download.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** Returns `value` as one CSV cell: neutralised, then quoted where needed. */
export function csvCell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Joins rows of cells into CSV text with CRLF line endings. */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Offers `rows` to the user as a CSV file named `fileName`. The file is built
 * in the page and handed over through a blob: URL, so nothing is sent anywhere.
 */
export function downloadCsv(fileName, rows) {
  downloadText(fileName, toCsv(rows), 'text/csv');
}
