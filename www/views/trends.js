// Trends and changes: the weekly rate of each funnel step with the change
// points the engine found, and comparisons of two periods, of before and after
// a change the user made, and with a saved baseline. The alerts from them go
// on the overview. The controls edit the trends options and re-run the
// analysis. A baseline contains aggregates only and is kept in this browser.

import { line, scaleLinear } from '../build/vendor.js';
import { chartExportButtons } from './chart-export.js';
import { downloadText } from './download.js';
import { h, metricLink, replaceChildren, svg } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';

// The trends options right after a load: the engine's defaults.
// `drafts` keeps what the user typed but has not applied yet, so that a report
// arriving meanwhile redraws the controls without losing it.
export const TRENDS_DEFAULTS = { window: '30d', changeDates: [], periods: null, baseline: null, drafts: {} };

// The localStorage key of the saved baselines, an object from name to
// { saved, json }, where json is the engine's aggregate-only baseline.
const BASELINES_KEY = 'pathlight.baselines';

const CHART = { width: 640, height: 180, left: 48, right: 12, top: 10, bottom: 28 };

/** Returns the trends options in engine form. */
export function trendsOptions(settings) {
  return {
    window: settings.window,
    change_dates: settings.changeDates.map(({ date, label }) => ({ date, label })),
    periods: settings.periods,
    baseline: settings.baseline?.json ?? null,
  };
}

/** Returns the page's trends settings from the engine form of a saved setup. */
export function trendsSettings(options) {
  if (!options) {
    return { ...TRENDS_DEFAULTS };
  }
  return {
    window: options.window ?? TRENDS_DEFAULTS.window,
    changeDates: (options.change_dates ?? []).map(({ date, label }) => ({ date, label: label ?? '' })),
    periods: options.periods ?? null,
    baseline: options.baseline ? { name: 'from the setup', json: options.baseline } : null,
    drafts: {},
  };
}

/**
 * Renders the alerts of the report's trends into `root`, for the overview:
 * nothing when there are none.
 */
export function renderAlertsView(root, trends) {
  const alerts = trends?.alerts ?? [];
  root.hidden = alerts.length === 0;
  if (alerts.length === 0) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('trends-and-comparisons', 'What changed')),
    h('ul', { className: 'alerts', dataset: { testid: 'alerts-list' } },
      alerts.map((alert) => h('li', { dataset: { testid: 'alert', kind: alert.kind } },
        h('span', { className: 'alert-source' }, `${alert.source}: `),
        alert.message))));
}

/**
 * Renders the report's trends into `root`, or nothing when they are missing
 * (synthetic times). The controls edit `settings` (see TRENDS_DEFAULTS) and
 * call `apply()`, which re-runs the analysis and resolves to an error
 * message or null.
 */
export function renderTrendsView(root, trends, settings, apply) {
  root.hidden = !trends;
  if (!trends) {
    replaceChildren(root);
    return;
  }
  const error = h('p', { className: 'field-error', dataset: { testid: 'trends-error' }, attrs: { role: 'alert' } });
  // Applies `change` to the settings and re-runs the analysis; a change the
  // engine rejects is undone, so later runs do not fail on it too.
  const run = async (change) => {
    const before = structuredClone(settings);
    change();
    error.textContent = '';
    const message = await apply();
    if (message) {
      Object.assign(settings, before);
      error.textContent = message;
    }
  };
  const complete = trends.weeks.filter((week) => week.complete).length;
  replaceChildren(root,
    h('h3', {}, metricLink('trends-and-comparisons', 'Trends and changes')),
    h('p', { className: 'hint' },
      `People are grouped by the week of their first event. A step counts when it happens within ${formatDuration(trends.window_ms)} of it, `,
      `so the ${formatCount(trends.weeks.length - complete)} most recent weeks, whose people have not had that long, are shown but not tested.`),
    renderControls(settings, trends, run),
    error,
    renderSeries(trends),
    renderTiming(trends),
    trends.periods ? renderComparison(trends.periods, 'Two periods', 'trends-periods') : null,
    trends.changes.map((change) => renderComparison(change.comparison,
      `Before and after ${change.label ? `“${change.label}” on ` : ''}${change.date} (${change.weeks} weeks each side)`, 'trends-change')),
    trends.baseline_comparison ? renderComparison(trends.baseline_comparison, `Against the baseline “${settings.baseline?.name ?? ''}”`, 'trends-baseline') : null);
}

function renderControls(settings, trends, run) {
  const windowInput = draftInput(settings, 'window', { type: 'text', value: settings.window, size: 6, dataset: { testid: 'trends-window' } });
  const windowField = h('label', { className: 'field inline' }, h('span', {}, 'Count steps within'), windowInput,
    h('button', { type: 'button', className: 'button', on: { click: () => run(() => { settings.window = typed(settings, 'window', windowInput).trim(); }) } }, 'Apply'));

  const changeDate = draftInput(settings, 'changeDate', { type: 'date', dataset: { testid: 'change-date' } });
  const changeLabel = draftInput(settings, 'changeLabel', { type: 'text', placeholder: 'What changed, such as new pricing page', size: 28, dataset: { testid: 'change-label' } });
  const changeList = h('ul', { className: 'change-dates', dataset: { testid: 'change-dates' } },
    settings.changeDates.map((change, index) => h('li', {},
      `${change.date}${change.label ? ` ${change.label}` : ''} `,
      h('button', {
        type: 'button',
        className: 'button small',
        attrs: { 'aria-label': `Remove the change on ${change.date}` },
        on: { click: () => run(() => settings.changeDates.splice(index, 1)) },
      }, 'Remove'))));
  const addChange = h('button', {
    type: 'button',
    className: 'button',
    dataset: { testid: 'add-change' },
    on: {
      click: () => {
        const date = typed(settings, 'changeDate', changeDate);
        if (!date) {
          changeDate.focus();
          return;
        }
        const label = typed(settings, 'changeLabel', changeLabel).trim();
        run(() => {
          settings.changeDates.push({ date, label });
          settings.drafts = { ...settings.drafts, changeDate: '', changeLabel: '' };
        });
      },
    },
  }, 'Compare before and after');

  const applied = settings.periods ? [settings.periods.a.from, settings.periods.a.to, settings.periods.b.from, settings.periods.b.to] : [];
  const [aFrom, aTo, bFrom, bTo] = ['a-from', 'a-to', 'b-from', 'b-to'].map((name, index) => draftInput(settings, name, {
    type: 'date',
    value: applied[index],
    dataset: { testid: `period-${name}` },
  }));
  const comparePeriods = h('button', {
    type: 'button',
    className: 'button',
    dataset: { testid: 'compare-periods' },
    on: {
      click: () => {
        run(() => {
          const [from, to] = [typed(settings, 'a-from', aFrom), typed(settings, 'a-to', aTo)];
          settings.periods = { a: { from, to }, b: { from: typed(settings, 'b-from', bFrom), to: typed(settings, 'b-to', bTo) } };
        });
      },
    },
  }, 'Compare periods');
  const clearPeriods = settings.periods
    ? h('button', { type: 'button', className: 'button', on: { click: () => run(() => { settings.periods = null; }) } }, 'Stop comparing')
    : null;

  return h('div', { className: 'trend-controls' },
    windowField,
    h('fieldset', {},
      h('legend', {}, 'A change you made'),
      changeList,
      h('label', { className: 'field inline' }, h('span', {}, 'On'), changeDate),
      h('label', { className: 'field inline' }, h('span', {}, 'Label'), changeLabel),
      addChange),
    h('fieldset', {},
      h('legend', {}, 'Two periods, by first event (the end day is not included)'),
      h('label', { className: 'field inline' }, h('span', {}, 'A from'), aFrom),
      h('label', { className: 'field inline' }, h('span', {}, 'to'), aTo),
      h('label', { className: 'field inline' }, h('span', {}, 'B from'), bFrom),
      h('label', { className: 'field inline' }, h('span', {}, 'to'), bTo),
      comparePeriods, clearPeriods),
    renderBaselineControls(settings, trends, run));
}

/**
 * Creates an input that shows the draft the user typed under `key`, or else
 * `props.value`, and keeps each new keystroke in `settings.drafts`.
 */
function draftInput(settings, key, props) {
  settings.drafts ??= {};
  const input = h('input', {
    ...props,
    value: settings.drafts[key] ?? props.value ?? '',
    on: { input: () => { settings.drafts[key] = input.value; } },
  });
  return input;
}

/**
 * Returns what the user typed under `key`. The draft is newer than `input`
 * when a report redrew the controls between a keystroke and a click, so the
 * click's input element is no longer the one that was typed in.
 */
function typed(settings, key, input) {
  return settings.drafts?.[key] ?? input.value;
}

function renderBaselineControls(settings, trends, run) {
  const saved = readBaselines();
  const nameInput = draftInput(settings, 'baselineName', { type: 'text', size: 20, value: defaultBaselineName(trends.baseline), dataset: { testid: 'baseline-name' } });
  const note = h('span', { className: 'hint', attrs: { role: 'status' } });
  const save = h('button', {
    type: 'button',
    className: 'button',
    dataset: { testid: 'save-baseline' },
    on: {
      click: () => {
        const name = typed(settings, 'baselineName', nameInput).trim() || defaultBaselineName(trends.baseline);
        if (!storeBaseline(name, trends.baseline)) {
          note.textContent = 'This browser does not allow saving; use Download instead.';
          return;
        }
        note.textContent = `Saved “${name}” in this browser.`;
        if (![...choice.options].some((option) => option.value === name)) {
          choice.append(h('option', { value: name }, name));
        }
      },
    },
  }, 'Save as baseline');
  const download = h('button', {
    type: 'button',
    className: 'button',
    on: { click: () => downloadText(`${safeName(typed(settings, 'baselineName', nameInput)) || 'baseline'}.json`, JSON.stringify(trends.baseline, null, 2), 'application/json') },
  }, 'Download baseline');

  const choice = h('select', { dataset: { testid: 'baseline-choice' }, attrs: { 'aria-label': 'Saved baseline' } },
    h('option', { value: '' }, saved.length ? 'Choose a saved baseline' : 'No saved baseline'),
    saved.map(([name]) => h('option', { value: name, selected: settings.baseline?.name === name }, name)));
  const compare = h('button', {
    type: 'button',
    className: 'button',
    dataset: { testid: 'compare-baseline' },
    on: {
      click: () => {
        const entry = readBaselines().find(([name]) => name === choice.value);
        if (entry) {
          run(() => {
            settings.baseline = { name: entry[0], json: entry[1].json };
          });
        }
      },
    },
  }, 'Compare with it');
  const fileInput = h('input', {
    type: 'file',
    accept: '.json,application/json',
    className: 'visually-hidden',
    // The "Compare with a file…" button opens this input, so Tab skips it.
    tabIndex: -1,
    attrs: { 'aria-label': 'Baseline file to compare with' },
    dataset: { testid: 'baseline-file' },
    on: {
      change: async () => {
        const file = fileInput.files?.[0];
        if (file) {
          const json = await file.text();
          run(() => {
            settings.baseline = { name: file.name, json };
          });
        }
      },
    },
  });
  const importButton = h('button', { type: 'button', className: 'button', on: { click: () => fileInput.click() } }, 'Compare with a file…');
  const stop = settings.baseline
    ? h('button', { type: 'button', className: 'button', on: { click: () => run(() => { settings.baseline = null; }) } }, 'Stop comparing')
    : null;

  return h('fieldset', {},
    h('legend', {}, 'Baseline: this upload\'s aggregate figures, with no person ids, to compare next month\'s upload with'),
    h('label', { className: 'field inline' }, h('span', {}, 'Name'), nameInput),
    save, download, note,
    h('div', {}, choice, compare, importButton, fileInput, stop));
}

function renderSeries(trends) {
  const weeks = trends.weeks;
  const series = trends.series.filter((row) => row.rates.some((rate) => rate !== null));
  if (series.length === 0) {
    return h('p', { className: 'hint' }, 'No complete week has people in it yet.');
  }
  return h('div', { className: 'trend-series' }, series.map((row) => {
    const changes = row.change_points.length
      ? row.change_points.map((point) => `changed in the week of ${point.date}: ${formatShare(point.rate_before)} before, ${formatShare(point.rate_after)} after`).join('; ')
      : 'no change found';
    const chart = renderLine(row, weeks);
    return h('figure', { className: 'trend', dataset: { testid: 'trend-series', metric: row.metric } },
      h('figcaption', {}, h('strong', {}, row.label), `: ${changes}.`),
      chartExportButtons(() => chart, `pathlight-trend-${row.metric}`, `weekly chart of ${row.label}`),
      chart,
      h('details', {},
        h('summary', {}, `Weekly figures for ${row.label}`),
        h('table', { className: 'compact' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'Week of'),
            h('th', { scope: 'col', className: 'number' }, 'People'),
            h('th', { scope: 'col', className: 'number' }, 'Rate'))),
          h('tbody', {}, weeks.map((week, index) => h('tr', { className: week.complete ? null : 'muted' },
            h('th', { scope: 'row' }, week.start),
            h('td', { className: 'number' }, formatCount(week.people)),
            h('td', { className: 'number' }, weeklyRate(row.rates[index], week))))))));
  }));
}

// The weekly medians of the time between funnel steps and of the time to
// convert, for the weeks whose people have had the whole window.
function renderTiming(trends) {
  const weeks = trends.weeks.filter((week) => week.complete);
  const stepLabels = trends.series.filter((row) => row.metric === 'step').map((row) => row.label);
  const stepCount = weeks[0]?.median_ms_from_previous.length ?? 0;
  if (weeks.length === 0 || weeks.every((week) => week.median_ms_to_convert === null && week.median_ms_from_previous.every((value) => value === null))) {
    return null;
  }
  const stepColumns = Array.from({ length: Math.max(stepCount - 1, 0) }, (_, index) => index + 1);
  return h('details', { className: 'trend-timing', dataset: { testid: 'trend-timing' } },
    h('summary', {}, 'Weekly timing: median time from the step before, and to convert'),
    h('div', { className: 'table-scroll' },
      h('table', { className: 'compact' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Week of'),
          h('th', { scope: 'col', className: 'number' }, 'People'),
          stepColumns.map((step) => h('th', { scope: 'col', className: 'number' }, `To ${stepLabels[step - 1] ?? `step ${step + 1}`}`)),
          h('th', { scope: 'col', className: 'number' }, 'To convert'))),
        h('tbody', {}, weeks.map((week) => h('tr', {},
          h('th', { scope: 'row' }, week.start),
          h('td', { className: 'number' }, formatCount(week.people)),
          stepColumns.map((step) => h('td', { className: 'number' }, formatDuration(week.median_ms_from_previous[step]))),
          h('td', { className: 'number' }, formatDuration(week.median_ms_to_convert))))))));
}

function weeklyRate(rate, week) {
  if (rate !== null) {
    return formatShare(rate);
  }
  return week.complete ? '–' : 'not complete';
}

function renderLine(row, weeks) {
  const x = scaleLinear().domain([0, Math.max(weeks.length - 1, 1)]).range([CHART.left, CHART.width - CHART.right]);
  const y = scaleLinear().domain([0, Math.max(...row.rates.filter((rate) => rate !== null), 0.01)]).nice().range([CHART.height - CHART.bottom, CHART.top]);
  const points = row.rates.map((rate, index) => [index, rate]);
  const path = line().defined(([, rate]) => rate !== null).x(([index]) => x(index)).y(([, rate]) => y(rate));
  const axisY = CHART.height - CHART.bottom;
  const yTicks = y.ticks(4).map((share) => svg('g', {},
    svg('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: y(share), y2: y(share), class: 'grid' }),
    svg('text', { x: CHART.left - 6, y: y(share) + 4, 'text-anchor': 'end', class: 'tick-label' }, formatShare(share))));
  const labelEvery = Math.max(1, Math.ceil(weeks.length / 6));
  const xLabels = weeks.map((week, index) => (index % labelEvery === 0
    ? svg('text', { x: x(index), y: axisY + 18, 'text-anchor': 'middle', class: 'tick-label' }, week.start)
    : null));
  const marks = row.change_points.map((point) => svg('line', {
    x1: x(point.week), x2: x(point.week), y1: CHART.top, y2: axisY, class: 'change-point', 'data-testid': 'change-point',
  }));
  const changes = row.change_points.map((point) => `a change in the week of ${point.date}`).join(', ');
  return svg('svg', {
    viewBox: `0 0 ${CHART.width} ${CHART.height}`,
    class: 'chart trend-chart',
    role: 'img',
    'aria-label': `Weekly rate of ${row.label} over ${weeks.length} weeks${changes ? `, with ${changes}` : ''}. The table below has the figures.`,
  },
  yTicks,
  svg('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: axisY, y2: axisY, class: 'axis' }),
  xLabels,
  marks,
  svg('path', { d: path(points) ?? '', class: 'curve-line' }));
}

function renderComparison(comparison, title, testid) {
  const rows = comparison.changes.map((change) => h('tr', { className: `direction-${change.direction}`, dataset: { testid: 'comparison-row' } },
    h('th', { scope: 'row' }, change.label),
    h('td', { className: 'number' }, `${formatShare(change.a_rate)} (${formatCount(change.a_count)} of ${formatCount(change.a_total)})`),
    h('td', { className: 'number' }, `${formatShare(change.b_rate)} (${formatCount(change.b_count)} of ${formatCount(change.b_total)})`),
    h('td', { className: 'number' }, `${signedPoints(change.difference)} (${signedPoints(change.lower)} to ${signedPoints(change.upper)})`),
    h('td', { className: 'number' }, formatProbability(change.q_value)),
    h('td', {}, directionLabel(change.direction))));
  const tests = [
    ['Channel mix', comparison.channel_mix],
    ['Time to convert', comparison.time_to_convert],
  ].filter(([, test]) => test).map(([label, test]) => h('li', {},
    `${label}: chi-square ${test.chi_square.toFixed(1)} on ${test.degrees_of_freedom} degrees of freedom, ${formatProbability(test.q_value, 'q')}`,
    test.a_median_ms !== null && test.a_median_ms !== undefined ? `; median ${formatDuration(test.a_median_ms)} against ${formatDuration(test.b_median_ms)}` : '',
    ` (${directionLabel(test.direction)}).`));
  return h('section', { className: 'comparison', dataset: { testid } },
    h('h4', {}, title),
    h('p', { className: 'hint' },
      `${comparison.a.label}: ${formatCount(comparison.a.people)} people; ${comparison.b.label}: ${formatCount(comparison.b.people)} people. `,
      `A difference counts when its q-value (Benjamini–Hochberg across this comparison) is below ${comparison.alpha}.`),
    comparison.trade_off ? h('p', { className: 'warning', dataset: { testid: 'trade-off' } },
      `Improved: ${comparison.improved.join(', ')}. Worse: ${comparison.worsened.join(', ')}. A gain in one place may have moved the friction to another.`) : null,
    comparison.notes.map((note) => h('p', { className: 'hint' }, note)),
    h('div', { className: 'table-scroll' },
      h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Measure'),
          h('th', { scope: 'col', className: 'number' }, comparison.a.label),
          h('th', { scope: 'col', className: 'number' }, comparison.b.label),
          h('th', { scope: 'col', className: 'number' }, 'Difference (95% interval)'),
          h('th', { scope: 'col', className: 'number' }, 'q'),
          h('th', { scope: 'col' }, 'Verdict'))),
        h('tbody', {}, rows))),
    tests.length ? h('ul', {}, tests) : null);
}

function signedPoints(difference) {
  const points = difference * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pts`;
}

function formatProbability(value, name = null) {
  const text = value < 0.001 ? '< 0.001' : value.toFixed(3);
  return name ? `${name} ${value < 0.001 ? text : `= ${text}`}` : text;
}

function directionLabel(direction) {
  return { better: 'better', worse: 'worse', neutral: 'no clear change' }[direction] ?? direction;
}

function defaultBaselineName(baseline) {
  const from = baseline.first_event?.slice(0, 10) ?? '';
  const to = baseline.last_first_event?.slice(0, 10) ?? '';
  return from && to ? `${from} to ${to}` : 'baseline';
}

function safeName(name) {
  return name.trim().replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 80);
}

/** Returns the saved baselines as [name, entry] pairs, newest first. */
function readBaselines() {
  try {
    const stored = JSON.parse(window.localStorage.getItem(BASELINES_KEY) ?? '{}');
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) {
      return [];
    }
    return Object.entries(stored)
      .filter(([, entry]) => entry && typeof entry.json === 'string')
      .sort(([, x], [, y]) => String(y.saved).localeCompare(String(x.saved)));
  } catch {
    return [];
  }
}

/** Saves `baseline` under `name`; returns false when the browser refuses storage. */
function storeBaseline(name, baseline) {
  try {
    const stored = Object.fromEntries(readBaselines());
    stored[name] = { saved: new Date().toISOString(), json: JSON.stringify(baseline) };
    window.localStorage.setItem(BASELINES_KEY, JSON.stringify(stored));
    return true;
  } catch {
    return false;
  }
}
