// The status area: the progress bar with its Cancel button, errors
// (role=alert), short notices, and the warnings, skipped rows and problem
// examples that loading and analysis return as data.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

// Work that ends sooner than this shows no progress bar, so quick steps do
// not make the page flicker.
const PROGRESS_DELAY_MS = 300;

/** Builds the status view inside `root` and returns its update functions. */
export function createStatusView(root) {
  const progressLabel = h('span', { id: 'progress-label', className: 'progress-label', dataset: { testid: 'progress-label' } });
  const progressBar = h('progress', { max: 1, attrs: { 'aria-labelledby': 'progress-label' }, dataset: { testid: 'progress' } });
  const cancelButton = h('button', {
    type: 'button',
    className: 'button',
    dataset: { testid: 'cancel-button' },
    on: { click: () => shownWork()?.onCancel?.() },
  }, 'Cancel');
  const progress = h('div', { className: 'progress', hidden: true, dataset: { testid: 'progress-box' } }, progressLabel, progressBar, cancelButton);
  const error = h('div', { className: 'status-error', attrs: { role: 'alert' }, dataset: { testid: 'status-error' } });
  const notice = h('div', { className: 'status-notice', attrs: { role: 'status' }, dataset: { testid: 'status-notice' } });
  const loadWarnings = h('div', { className: 'status-warnings', dataset: { testid: 'load-warnings' } });
  const reportWarnings = h('div', { className: 'status-warnings', dataset: { testid: 'report-warnings' } });
  replaceChildren(root, progress, error, notice, loadWarnings, reportWarnings);
  let loadWarningKeys = new Set();
  // The work in progress, oldest first, each { label, fraction, onCancel, due }.
  // `due` turns true when the delay has passed. The bar shows the newest due
  // work, and when that ends, the one before it again.
  const works = [];
  const shownWork = () => works.findLast((work) => work.due) ?? null;

  const drawProgress = () => {
    const work = shownWork();
    if (!work) {
      // A keyboard user who pressed Cancel keeps the focus in the status
      // area, on the notice that reports what happened, instead of losing it.
      const hadFocus = progress.contains(document.activeElement);
      progress.hidden = true;
      if (hadFocus) {
        notice.setAttribute('tabindex', '-1');
        notice.focus();
      }
      return;
    }
    progress.hidden = false;
    progressLabel.textContent = work.label;
    // A <progress> without a value is indeterminate.
    if (work.fraction === null) {
      progressBar.removeAttribute('value');
    } else {
      progressBar.value = Math.max(0, Math.min(1, work.fraction));
    }
    cancelButton.hidden = !work.onCancel;
  };

  // Escape cancels the work whose bar is on screen.
  document.addEventListener('keydown', (event) => {
    const work = shownWork();
    if (event.key === 'Escape' && work?.onCancel && !progress.hidden) {
      event.preventDefault();
      work.onCancel();
    }
  });

  return {
    /**
     * Starts showing the progress of one piece of work: after PROGRESS_DELAY_MS
     * the bar appears with `label` and, when `onCancel` is given, a Cancel
     * button. A `fraction` of null draws an indeterminate bar. Returns the
     * handle whose update() and end() belong to this work only.
     */
    beginWork(label, { fraction = null, onCancel = null } = {}) {
      const work = { label, fraction, onCancel, due: false };
      works.push(work);
      drawProgress();
      const timer = setTimeout(() => {
        work.due = true;
        drawProgress();
      }, PROGRESS_DELAY_MS);
      return {
        update(newLabel, newFraction) {
          work.label = newLabel;
          work.fraction = newFraction;
          drawProgress();
        },
        end() {
          clearTimeout(timer);
          const position = works.indexOf(work);
          if (position >= 0) {
            works.splice(position, 1);
          }
          drawProgress();
        },
      };
    },
    showError(message) {
      replaceChildren(error, h('p', {}, message));
    },
    clearError() {
      error.replaceChildren();
    },
    showNotice(message) {
      notice.textContent = message;
    },
    showFileFailures(failures) {
      if (failures.length === 0) {
        return;
      }
      replaceChildren(error, failures.map((failure) => h('p', {}, messageWithFileName(failure.name, failure.message))));
    },
    showLoadSummary(summary) {
      // renderSkippedRows already shows the count and examples of skipped rows.
      const listed = (summary.warnings ?? []).filter((warning) => !(summary.skipped_rows > 0 && warning.kind === 'skipped_rows'));
      loadWarningKeys = new Set((summary.warnings ?? []).map(warningKey));
      replaceChildren(loadWarnings, renderFilesRead(summary), renderSkippedRows(summary), renderWarnings(listed));
    },
    showReportWarnings(report) {
      // The report repeats the load's warnings, which are already on screen.
      const listed = (report.warnings ?? []).filter((warning) => !loadWarningKeys.has(warningKey(warning)));
      replaceChildren(reportWarnings, renderWarnings(listed));
    },
    clearResults() {
      loadWarningKeys = new Set();
      loadWarnings.replaceChildren();
      reportWarnings.replaceChildren();
    },
  };
}

// The engine's file errors already start with "name: ", but an error from
// reading the File in the browser does not.
function messageWithFileName(name, message) {
  return message.startsWith(`${name}: `) ? message : `${name}: ${message}`;
}

function renderFilesRead(summary) {
  const rows = summary.files.map((file) => h('tr', {},
    h('td', { className: 'file-name' }, file.name),
    h('td', { className: 'number' }, formatCount(file.rows)),
    h('td', { className: 'number' }, formatCount(file.events)),
    h('td', { className: 'number', dataset: { testid: 'file-skipped' } }, formatCount(file.skipped)),
  ));
  return h('details', { className: 'files-read' },
    h('summary', {}, `Read ${formatCount(summary.files.length)} ${summary.files.length === 1 ? 'file' : 'files'}: ${formatCount(summary.events)} events`),
    h('table', { className: 'compact' },
      h('thead', {}, h('tr', {}, h('th', {}, 'File'), h('th', {}, 'Rows'), h('th', {}, 'Events'), h('th', {}, 'Skipped rows'))),
      h('tbody', {}, rows),
    ),
  );
}

function renderSkippedRows(summary) {
  if (summary.skipped_rows === 0) {
    return null;
  }
  const noun = summary.skipped_rows === 1 ? 'row was' : 'rows were';
  const problems = summary.problems.map((problem) => h('li', { dataset: { testid: 'problem' } },
    h('span', { className: 'problem-where' }, `${problem.file}, row ${formatCount(problem.row)}, column ${problem.column}`),
    ': ',
    h('code', {}, problem.value),
    problem.message ? ` – ${problem.message}` : null,
  ));
  const listedNote = summary.problems.length < summary.skipped_rows
    ? h('p', { className: 'hint' }, `The first ${formatCount(summary.problems.length)} are listed.`)
    : null;
  return h('div', { className: 'warning', dataset: { testid: 'skipped-rows' } },
    h('p', {}, h('strong', { dataset: { testid: 'skipped-count' } }, formatCount(summary.skipped_rows)),
      ` ${noun} skipped because a value could not be read. Switch to strict mode to stop at the first one instead. `,
      metricLink('skipped-rows', 'Which rows are skipped')),
    h('ul', { className: 'problems' }, problems),
    listedNote,
  );
}

function warningKey(warning) {
  return `${warning.kind}\n${warning.message}`;
}

function renderWarnings(warnings) {
  return warnings.map((warning) => h('div', { className: 'warning', dataset: { testid: 'warning', kind: warning.kind } },
    h('p', {}, warning.message, warning.count > 1 ? ` (${formatCount(warning.count)})` : null),
    warning.examples?.length
      ? h('ul', { className: 'examples' }, warning.examples.map((example) => h('li', {}, h('code', {}, example))))
      : null,
  ));
}
