// The export bar above the results: the self-contained HTML report, the JSON
// report and one CSV file per table. Every file is built in the page and
// handed over through a blob: URL, so nothing is sent anywhere.

import { downloadCsv } from './csv.js';
import { h, replaceChildren } from './dom.js';
import { downloadText } from './download.js';
import { buildHtmlReport } from './html-report.js';
import { reportCharts } from './report-charts.js';
import { reportTables, tableCsvRows } from './report-tables.js';

/**
 * Renders the export bar for `report` into `root`. `views` contains the page's
 * sankey and curve containers, whose drawn SVG the HTML report copies. The
 * report's other charts are drawn from `report` when the button is pressed.
 */
export function renderExportBar(root, report, views) {
  const tables = reportTables(report);
  const tableSelect = h('select', {
    dataset: { testid: 'export-csv-table' },
    attrs: { 'aria-label': 'Table to download as CSV' },
  }, tables.map((table) => h('option', { value: table.id }, table.title)));

  const htmlButton = h('button', {
    type: 'button',
    dataset: { testid: 'export-html' },
    title: 'One HTML file with the figures, tables and charts, and no person ids. It opens offline and loads nothing.',
    on: {
      click: () => {
        downloadText(`pathlight-report-${today()}.html`, buildHtmlReport(report, reportCharts(report, views)), 'text/html');
      },
    },
  }, 'Download HTML report');
  const jsonButton = h('button', {
    type: 'button',
    dataset: { testid: 'export-json' },
    title: 'The full report as the engine returns it (docs/report.md). Its prediction section lists the ids of people still in progress.',
    on: { click: () => downloadText(`pathlight-report-${today()}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json') },
  }, 'Download JSON report');
  const csvButton = h('button', {
    type: 'button',
    disabled: tables.length === 0,
    dataset: { testid: 'export-csv' },
    on: {
      click: () => {
        const table = tables.find((candidate) => candidate.id === tableSelect.value);
        if (table) {
          downloadCsv(`pathlight-${table.id}.csv`, tableCsvRows(table));
        }
      },
    },
  }, 'Download CSV');

  replaceChildren(root,
    h('span', { className: 'setup-title' }, 'Export'),
    htmlButton,
    jsonButton,
    tableSelect,
    csvButton);
}

function today() {
  return new Date().toISOString().slice(0, 10);
}
