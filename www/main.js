// Page logic: the state of one session (files, their mappings, the load
// summary, the analysis options), the wiring of inputs to the worker, and the
// calls that redraw each view. Reading files and loading them happen once,
// and changing an analysis option re-runs only analyze().

import { EngineClient, isCancellation } from './engine.js';
import { renderAfterSaleView } from './views/after-sale.js';
import { renderBriefView } from './views/brief.js';
import { ambiguousDateColumn, renderDateOrder } from './views/date-order.js';
import { ATTRIBUTION_DEFAULTS, attributionOptions, renderChannelsView } from './views/channels.js';
import { CURVE_DEFAULTS, curveOptions, renderCurveView } from './views/curve.js';
import { renderClvView } from './views/clv.js';
import { renderDriversView } from './views/drivers.js';
import { renderPatternsView } from './views/patterns.js';
import { EMAIL_OPTIONS, renderEmailView } from './views/email.js';
import { EXPERIMENT_DEFAULTS, experimentOptions, renderExperimentView } from './views/experiment.js';
import { renderFrictionView } from './views/friction.js';
import { renderFunnelView } from './views/funnel.js';
import { exclusionOptions } from './views/funnel-rules.js';
import { renderLoadFacts } from './views/load-facts.js';
import { renderPeoplePanel } from './views/people.js';
import { mappingProblems, mappingToLoad, renderMappingView } from './views/mapping.js';
import { defaultOptions, parseWindow, renderOptionsView } from './views/options.js';
import { PATHS_DEFAULTS, renderPathsView } from './views/paths.js';
import { processMapOptions, renderProcessMapView } from './views/process-map.js';
import { SANKEY_DEFAULTS, renderSankeyView } from './views/sankey.js';
import { renderSessionsView } from './views/sessions.js';
import { PREDICTION_DEFAULTS, predictionOptions, renderPredictionView } from './views/prediction.js';
import { renderSegmentsView } from './views/segments.js';
import {
  buildSetup, downloadSetup, forgetSetup, optionsFromAnalysis, readSavedSetups, renderSetupBar, setupFileFor, setupFits, storeSetup,
} from './views/setups.js';
import { renderExportBar } from './views/report-export.js';
import { VOICE_DEFAULTS, renderVoiceView, voiceOptions } from './views/voice.js';
import { stageOptions } from './views/stage-editor.js';
import { newStageEditor, renderStagesView } from './views/stages.js';
import { renderRhythmView } from './views/rhythm.js';
import { SILENCES_DEFAULTS, renderSilencesView, silencesOptions } from './views/silences.js';
import {
  CHANNEL_SPEED_DEFAULTS, SPEED_DEFAULTS, channelSpeedOptions, renderChannelSpeedView, renderSpeedView, speedOptions,
} from './views/speed.js';
import { registerOfflineCopy } from './offline.js';
import { createStatusView } from './views/status.js';
import { renderSummaryView } from './views/summary.js';
import { renderTimingView } from './views/timing.js';
import { TRENDS_DEFAULTS, renderAlertsView, renderTrendsView, trendsOptions } from './views/trends.js';
import { formatCount } from './views/format.js';
import { renderConversionStep } from './views/conversion-step.js';
import { askAboutMemory, checkMemory, estimateMemory, memoryBudget } from './views/memory.js';
import { createStepsView } from './views/steps.js';
import { renderViewNav } from './views/view-nav.js';

const SAMPLE_URL = 'samples/journeys.csv';
const SAMPLE_NAME = 'journeys.csv';

// Quiet time after the last option edit before analyze() runs, so typing a
// window or clicking through steps sends one request, not one per keystroke.
const ANALYZE_DELAY_MS = 150;
// People listed when a funnel bar is opened; the export has every one.
const PEOPLE_SHOWN = 100;

const elements = {
  dropZone: document.getElementById('drop-zone'),
  setupBar: document.getElementById('setup-bar'),
  exportBar: document.getElementById('export-bar'),
  fileInput: document.getElementById('file-input'),
  sampleButton: document.getElementById('sample-button'),
  mappingSection: document.getElementById('mapping-section'),
  fileCards: document.getElementById('file-cards'),
  timeZone: document.getElementById('time-zone'),
  strict: document.getElementById('strict'),
  keepDuplicates: document.getElementById('keep-duplicates'),
  dateOrder: document.getElementById('date-order'),
  mappingProblems: document.getElementById('mapping-problems'),
  analyseButton: document.getElementById('analyse-button'),
  resultsSection: document.getElementById('results-section'),
  loadFactsView: document.getElementById('load-facts-view'),
  summaryView: document.getElementById('summary-view'),
  optionsView: document.getElementById('options-view'),
  funnelView: document.getElementById('funnel-view'),
  peopleView: document.getElementById('people-view'),
  frictionView: document.getElementById('friction-view'),
  pathsView: document.getElementById('paths-view'),
  sankeyView: document.getElementById('sankey-view'),
  timingView: document.getElementById('timing-view'),
  curveView: document.getElementById('curve-view'),
  silencesView: document.getElementById('silences-view'),
  alertsView: document.getElementById('alerts-view'),
  trendsView: document.getElementById('trends-view'),
  rhythmView: document.getElementById('rhythm-view'),
  speedView: document.getElementById('speed-view'),
  channelSpeedView: document.getElementById('channel-speed-view'),
  channelsView: document.getElementById('channels-view'),
  processMapView: document.getElementById('process-map-view'),
  sessionsView: document.getElementById('sessions-view'),
  voiceView: document.getElementById('voice-view'),
  stagesView: document.getElementById('stages-view'),
  driversView: document.getElementById('drivers-view'),
  patternsView: document.getElementById('patterns-view'),
  afterSaleView: document.getElementById('after-sale-view'),
  clvView: document.getElementById('clv-view'),
  emailView: document.getElementById('email-view'),
  predictionView: document.getElementById('prediction-view'),
  segmentsView: document.getElementById('segments-view'),
  experimentView: document.getElementById('experiment-view'),
  briefView: document.getElementById('brief-view'),
  memoryWarning: document.getElementById('memory-warning'),
  conversionSection: document.getElementById('conversion-section'),
  conversionChoice: document.getElementById('conversion-choice'),
  viewNav: document.getElementById('view-nav'),
};

const status = createStatusView(document.getElementById('status'));
const steps = createStepsView(document.getElementById('steps-nav'));
const engine = new EngineClient(new URL('./worker.js', import.meta.url));
engine.onRestore = showRestore;

const state = {
  // The analysis options, as JSON, that the open people list was listed with.
  peopleOptions: null,
  // One entry per file the engine holds; fileEntry() describes its fields.
  files: [],
  // "day_first" or "month_first" once the user answers the date-order
  // question, which is asked only when a mapped date column needs it.
  dateOrder: null,
  summary: null,
  options: null,
  // The setup in use, as parseSetup() returned it, or null: files with the
  // columns it records get its mapping, and analyse() starts from its options.
  setup: null,
  // The name of a saved setup that fits the files on screen, offered to the user.
  setupOffer: null,
  // The setup bar's message line, { text, error }, or null.
  setupMessage: null,
  // The report on screen, for the exports.
  report: null,
  busy: false,
  // The progress handle of the files being read again after a cancel or an
  // internal error, or null.
  restoreWork: null,
  // The conversion step's { sync } after a load, or null.
  conversionStep: null,
  analysisRun: 0,
  analyzeTimer: null,
};

// Start the engine now, so the wasm is fetched while the page loads and not
// later, when the user's data is being analysed.
// The data-engine attribute on <html> shows tests and scripts when it is up.
engine.request('ping')
  .then(() => {
    document.documentElement.dataset.engine = 'ready';
  })
  .catch((error) => {
    document.documentElement.dataset.engine = 'failed';
    status.showError(error.message);
  });

registerOfflineCopy(document.getElementById('offline-note'));
fillTimeZones(elements.timeZone);
wireFileInputs();
renderSetups();
elements.sampleButton.addEventListener('click', () => runTask(trySample));
elements.analyseButton.addEventListener('click', () => runTask(analyseFromMapping));
elements.timeZone.addEventListener('change', markStale);
elements.strict.addEventListener('change', markStale);
elements.keepDuplicates.addEventListener('change', markStale);

function wireFileInputs() {
  elements.fileInput.addEventListener('change', () => {
    const files = [...elements.fileInput.files];
    elements.fileInput.value = '';
    runTask(() => addFiles(files));
  });

  // A file dropped anywhere on the page is taken, instead of the browser
  // navigating away to display it.
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    elements.dropZone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) {
      elements.dropZone.classList.remove('dragging');
    }
  });
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    elements.dropZone.classList.remove('dragging');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) {
      runTask(() => addFiles(files));
    }
  });
}

/** Runs one user action at a time and shows its error, if any, in the status area. */
async function runTask(task) {
  if (state.busy) {
    status.showNotice('Still working on the previous request…');
    return;
  }
  state.busy = true;
  updateControls();
  status.clearError();
  try {
    await task();
  } catch (error) {
    showFailure(error);
  } finally {
    state.busy = false;
    updateControls();
  }
}

/** Shows a failed request: a cancellation as a notice, anything else as an error. */
function showFailure(error) {
  if (!isCancellation(error)) {
    status.showError(error.message);
    return;
  }
  status.showNotice(error.message);
  if (error.cleared) {
    clearSession();
  }
}

/**
 * Sends one request to the engine. When it runs longer than the status
 * area's delay, a progress bar with a Cancel button appears. `describe`, when
 * given, turns each progress message into [label, fraction]. `fraction` is the
 * bar's start, or null for a bar without one.
 */
async function requestWithProgress(type, payload, label, describe = null, fraction = describe ? 0 : null) {
  const work = status.beginWork(label, { fraction, onCancel: () => engine.cancel() });
  const onProgress = describe ? (progress) => work.update(...describe(progress)) : null;
  try {
    return await engine.request(type, payload, onProgress);
  } finally {
    work.end();
  }
}

// While a new worker reads the remembered files again, the page shows its
// progress, which can be cancelled too, and keeps the controls disabled.
function showRestore(event) {
  switch (event.state) {
    case 'start':
      state.restoreWork?.end();
      state.restoreWork = status.beginWork('Restoring your files…', { onCancel: () => engine.cancel() });
      break;
    case 'progress': {
      const { progress } = event;
      const fraction = progress.totalBytes > 0 ? progress.bytesRead / progress.totalBytes : 1;
      state.restoreWork?.update(`Restoring your files… reading ${progress.fileName} (${progress.fileNumber} of ${progress.fileCount})`, fraction);
      break;
    }
    case 'step':
      if (event.type === 'load') {
        state.restoreWork?.update('Restoring your files… loading the journeys', null);
      }
      break;
    default:
      endRestore(event);
  }
  updateControls();
}

function endRestore(event) {
  state.restoreWork?.end();
  state.restoreWork = null;
  if (event.state === 'cleared') {
    clearSession();
    status.showNotice('Cancelled while your files were read again, so every file was removed. Add the files again.');
  } else if (event.state === 'failed') {
    status.showError(event.message);
  }
}

/** Forgets every file and result, as after a cancel that cleared the engine. */
function clearSession() {
  state.files = [];
  state.summary = null;
  state.options = null;
  state.report = null;
  state.conversionStep = null;
  elements.resultsSection.hidden = true;
  elements.conversionSection.hidden = true;
  status.clearResults();
  renderMapping();
  steps.reset();
}

async function addFiles(dropped) {
  const files = await filesThatFit(dropped);
  if (files.length === 0) {
    return;
  }
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  status.showNotice(`Reading ${formatCount(files.length)} ${files.length === 1 ? 'file' : 'files'}…`);

  const { inspections, failures } = await requestWithProgress('addFiles', { files }, `Reading ${files[0].name}`, (progress) => {
    const fraction = totalBytes > 0 ? progress.bytesRead / totalBytes : 1;
    return [`Reading ${progress.fileName} (${progress.fileNumber} of ${progress.fileCount})`, fraction];
  });

  for (const inspection of inspections) {
    state.files.push(fileEntry(inspection));
  }
  await applySetupToFiles();
  status.showFileFailures(failures);
  status.showNotice(inspections.length > 0
    ? `Read ${formatCount(inspections.length)} ${inspections.length === 1 ? 'file' : 'files'}. Check the columns, then press Analyse.`
    : '');
  renderMapping();
  markStale();
  if (inspections.length > 0) {
    steps.show(2, true);
  }
}

/**
 * Returns the files to read. Before any byte is read, files whose estimated
 * memory, with the files already loaded, exceeds the budget are named in a
 * warning, and the user chooses whether to read them.
 */
async function filesThatFit(files) {
  const budget = memoryBudget();
  const loadedSizes = state.files.map((file) => file.inspection.bytes);
  const { fitting, over } = checkMemory(loadedSizes, files, budget);
  if (over.length === 0) {
    return files;
  }
  const choice = await askAboutMemory(elements.memoryWarning, over, budget, state.files.length);
  if (choice === 'read') {
    return files;
  }
  const skipped = over.map(({ file }) => file.name).join(', ');
  status.showNotice(`Did not read ${skipped}, because it may not fit in the browser's memory.`);
  return fitting;
}

async function trySample() {
  for (const file of state.files) {
    await engine.request('removeFile', { index: file.inspection.index });
  }
  state.files = [];

  const response = await fetch(SAMPLE_URL);
  if (!response.ok) {
    throw new Error(`The sample file could not be loaded (HTTP ${response.status}).`);
  }
  const blob = await response.blob();
  await addFiles([new File([blob], SAMPLE_NAME, { type: 'text/csv' })]);
  await analyse();
  // The sample needs no choices, so it goes straight to the overview.
  steps.show(4, true);
}

/**
 * Loads the files with the confirmed columns. The first time for these files
 * it moves on to the conversion step, and later the guide stays where it is.
 */
async function analyseFromMapping() {
  const loaded = await analyse();
  if (loaded && steps.reached < 3) {
    steps.show(3, true);
  }
}

/** Loads the files and analyses them. Returns false when a problem in the columns stopped it before loading. */
async function analyse() {
  const problems = state.files.flatMap(mappingProblems);
  if (state.files.length === 0) {
    problems.push('Add a CSV file first.');
  }
  const ambiguous = ambiguousDateColumn(state.files);
  if (ambiguous && !state.dateOrder) {
    problems.push(`Answer whether dates like ${ambiguous.example} are day first or month first.`);
  }
  elements.mappingProblems.textContent = problems.join(' ');
  if (problems.length > 0) {
    return false;
  }

  const config = {
    time_zone: elements.timeZone.value,
    strict: elements.strict.checked,
    keep_duplicates: elements.keepDuplicates.checked,
    files: state.files.map((file) => ({
      index: file.inspection.index,
      ...file.dialect,
      mapping: mappingToLoad(file),
    })),
  };
  // Without the question on screen no mapped date depends on the order, so
  // the engine's default is kept.
  if (ambiguous) {
    config.date_order = state.dateOrder;
  }
  status.showNotice('Loading the journeys…');
  status.clearResults();
  const started = performance.now();
  // Helper workers read parts of large files, each with a memory of its own
  // that the estimate leaves out (docs/limits.md). Past half the budget the
  // files are read in the engine worker alone, which the estimate covers.
  const loadedSizes = state.files.map((file) => file.inspection.bytes);
  const readers = estimateMemory(loadedSizes) * 2 <= memoryBudget() ? undefined : 0;
  // A load of a large file reads it again from disk and reports its progress.
  // Other loads report none, so the bar starts without a fraction.
  const describeLoad = (progress) => (progress.bytesRead < progress.totalBytes
    ? [`Loading the journeys… reading ${progress.fileName} (${progress.fileNumber} of ${progress.fileCount})`, progress.bytesRead / progress.totalBytes]
    : ['Loading the journeys…', null]);
  const summary = await requestWithProgress('load', { config, readers }, 'Loading the journeys…', describeLoad, null).catch((error) => {
    // The journeys on screen are those of the previous load, not of the
    // columns and settings now chosen.
    if (isCancellation(error) && !elements.resultsSection.hidden) {
      elements.resultsSection.classList.add('stale');
    }
    throw error;
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);

  state.summary = summary;
  // A setup's options lay over the defaults, so a control the setup has no
  // value for keeps its default.
  const defaults = {
    ...defaultOptions(summary),
    attribution: { ...ATTRIBUTION_DEFAULTS },
    curve: { ...CURVE_DEFAULTS },
    stageEditor: newStageEditor(),
    silences: { ...SILENCES_DEFAULTS },
    prediction: { ...PREDICTION_DEFAULTS },
    voice: { ...VOICE_DEFAULTS },
    speed: { ...SPEED_DEFAULTS },
    channelSpeed: { ...CHANNEL_SPEED_DEFAULTS },
    trends: { ...TRENDS_DEFAULTS, changeDates: [], drafts: {} },
    experiment: { ...EXPERIMENT_DEFAULTS },
  };
  state.options = state.setup ? { ...defaults, ...optionsFromAnalysis(state.setup.analysis) } : defaults;
  status.showLoadSummary(summary);
  renderLoadFacts(elements.loadFactsView, summary);
  status.showNotice(`Loaded ${formatCount(summary.people)} people and ${formatCount(summary.events)} events in ${seconds} s.`);
  renderOptionsView(elements.optionsView, summary, state.options, scheduleAnalysis);
  renderConversionChoice(summary);
  renderSetups();
  elements.resultsSection.classList.remove('stale');
  await runAnalysis();
  return true;
}

function renderConversionChoice(summary) {
  elements.conversionSection.hidden = false;
  state.conversionStep = renderConversionStep(elements.conversionChoice, summary, state.options.conversion, {
    onChange: (conversion) => {
      state.options.conversion = conversion;
      // The options panel shows the same choice, so it is drawn again with it.
      renderOptionsView(elements.optionsView, summary, state.options, scheduleAnalysis);
      scheduleAnalysis();
    },
    onDone: () => steps.show(4, true),
  });
}

function scheduleAnalysis() {
  clearTimeout(state.analyzeTimer);
  state.analyzeTimer = setTimeout(() => {
    runAnalysis().catch(showFailure);
  }, ANALYZE_DELAY_MS);
}

/**
 * Runs the analysis at once for an explicit action, such as applying stages,
 * and returns the error message, or null when the report was drawn. The
 * status area shows the error too.
 */
async function analyseNow() {
  clearTimeout(state.analyzeTimer);
  try {
    await runAnalysis();
    return null;
  } catch (error) {
    showFailure(error);
    return error.message;
  }
}

/** Runs analyze() with the current options and draws the report, unless a newer run started meanwhile. */
async function runAnalysis() {
  const options = analysisOptions(state.options);
  state.analysisRun += 1;
  const run = state.analysisRun;

  let json;
  try {
    json = await requestWithProgress('analyze', { options }, 'Analysing…');
  } catch (error) {
    // The report on screen was made with other options.
    if (isCancellation(error) && run === state.analysisRun) {
      elements.resultsSection.classList.add('outdated');
    }
    throw error;
  }
  if (run !== state.analysisRun) {
    return;
  }
  const report = JSON.parse(json);
  status.clearError();
  elements.resultsSection.classList.remove('outdated');
  renderReport(report);
}

function analysisOptions(options) {
  const steps = options.funnelSteps
    .filter((step) => step.event)
    .map(stepOptions);
  return withSetupOptions(options.base ?? {}, {
    conversion: options.conversion,
    funnel: {
      steps,
      window: parseWindow(options.window),
      kind: options.kind,
      counting: options.counting,
      breakdown: options.breakdown,
      hold_constant: options.holdConstant ?? null,
      exclusions: exclusionOptions(options.exclusions, steps.length),
    },
    paths: { collapse_repeats: options.collapseRepeats, top: PATHS_DEFAULTS.top },
    sankey: { ...SANKEY_DEFAULTS },
    attribution: attributionOptions(options.attribution),
    conversion_curve: curveOptions(options.curve),
    silences: silencesOptions(options.silences),
    prediction: predictionOptions(options.prediction),
    voice: voiceOptions(options.voice),
    speed: speedOptions(options.speed),
    channel_speed: channelSpeedOptions(options.channelSpeed),
    process_map: processMapOptions(),
    email: { ...EMAIL_OPTIONS },
    stages: stageOptions(options.stageEditor.applied),
    trends: trendsOptions(options.trends),
    experiment: experimentOptions(options.experiment),
  });
}

// Options from a setup keep, in `base`, those that the page has no control
// for, such as path cleaning rules or prediction.enabled, so they reach the
// engine unchanged. The page's own fields win, and its lists replace the setup's.
function withSetupOptions(base, page) {
  const merged = { ...base, ...page };
  for (const [key, value] of Object.entries(page)) {
    const fromSetup = base[key];
    if (isPlainObject(value) && isPlainObject(fromSetup)) {
      merged[key] = { ...fromSetup, ...value };
    }
  }
  return merged;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Step 1 never has a window from the previous step, so none is sent for it
// even when a reorder moved a step with one to the top.
function stepOptions(step, position) {
  const options = { event: step.event };
  if (step.column && step.value !== null) {
    Object.assign(options, { column: step.column, value: step.value, match: step.match });
  }
  const window = position === 0 ? null : parseWindow(step.window ?? '');
  if (window !== null) {
    options.window = window;
  }
  return options;
}

// The people list belongs to the options it was opened with: a report for
// other options closes it, and a report for the same ones (a run that was
// already on its way when the list opened) leaves it open.
function closePeople() {
  state.peopleOptions = null;
  elements.peopleView.hidden = true;
  elements.peopleView.replaceChildren();
}

function closeStalePeople() {
  if (state.peopleOptions !== JSON.stringify(analysisOptions(state.options))) {
    closePeople();
  }
}

/** Lists the people behind one funnel bar, with the options of the report on screen. */
function openFunnelPeople(step, group, title) {
  return openPeople({ step, group, limit: PEOPLE_SHOWN }, title);
}

/** Lists the people who stopped at one friction finding. */
function openFindingPeople(finding, title) {
  return openPeople({ finding, limit: PEOPLE_SHOWN }, title);
}

/** Lists the members of one segment, with their suggested next touchpoints. */
function openSegmentPeople(segment, title) {
  return openPeople({ segment, limit: PEOPLE_SHOWN }, title);
}

/**
 * Lists the people behind one chart mark or table row: a Sankey band, a top
 * path, a process-map edge or activity, a drivers row, a channel row or a
 * stage transition cell.
 * `selection` is the engine's selection object (docs/api.md, Selections).
 */
function openSelectionPeople(selection, title) {
  return openPeople({ selection, limit: PEOPLE_SHOWN }, title);
}

/** Returns a promise of every member of one segment, for its CSV export. */
function loadSegmentMembers(segment) {
  return engine.request('listPeople', { options: analysisOptions(state.options), query: { segment, limit: null } });
}

async function openPeople(query, title) {
  const options = analysisOptions(state.options);
  try {
    const list = await engine.request('listPeople', { options, query });
    state.peopleOptions = JSON.stringify(options);
    renderPeoplePanel(elements.peopleView, list, {
      title,
      loadAll: () => engine.request('listPeople', { options, query: { ...query, limit: null } }),
      onClose: closePeople,
    });
  } catch (error) {
    showFailure(error);
  }
}

function renderReport(report) {
  const syntheticTimes = report.summary.synthetic_times === true;
  state.report = report;
  elements.resultsSection.hidden = false;
  renderExportBar(elements.exportBar, report, { sankeyView: elements.sankeyView, curveView: elements.curveView });
  renderSummaryView(elements.summaryView, report.summary);
  renderFrictionView(elements.frictionView, report.friction ?? null, { onPeople: openFindingPeople });
  renderFunnelView(elements.funnelView, report.funnel, { syntheticTimes, onPeople: openFunnelPeople });
  closeStalePeople();
  renderPathsView(elements.pathsView, report.paths, (keep) => {
    state.options.collapseRepeats = !keep;
    scheduleAnalysis();
  }, { onPeople: openSelectionPeople });
  renderSankeyView(elements.sankeyView, report, { onPeople: openSelectionPeople });
  renderTimingView(elements.timingView, report.time_to_convert, { syntheticTimes });
  renderCurveView(elements.curveView, report.conversion_curve ?? null, state.options.curve, scheduleAnalysis);
  renderSilencesView(elements.silencesView, report.silences ?? null, state.options.silences, scheduleAnalysis);
  renderAlertsView(elements.alertsView, report.trends ?? null);
  renderTrendsView(elements.trendsView, report.trends ?? null, state.options.trends, analyseNow);
  renderRhythmView(elements.rhythmView, report.rhythm ?? null);
  renderSpeedView(elements.speedView, report.speed ?? null, state.options.speed, scheduleAnalysis);
  renderChannelSpeedView(elements.channelSpeedView, report.channel_speed ?? null, state.options.channelSpeed, scheduleAnalysis);
  renderChannelsView(elements.channelsView, report.attribution ?? null, state.options.attribution, scheduleAnalysis,
    { people: report.summary.people, onPeople: openSelectionPeople });
  renderProcessMapView(elements.processMapView, report.process_map ?? null, { people: report.summary.people, onPeople: openSelectionPeople });
  renderSessionsView(elements.sessionsView, report.sessions ?? null);
  renderStagesView(elements.stagesView, report, state.summary, state.options.stageEditor, analyseNow, { onPeople: openSelectionPeople });
  renderDriversView(elements.driversView, report.drivers ?? null, { onPeople: openSelectionPeople });
  renderPatternsView(elements.patternsView, report.patterns ?? null);
  renderAfterSaleView(elements.afterSaleView, report.after_sale ?? null);
  renderClvView(elements.clvView, report.clv ?? null);
  renderEmailView(elements.emailView, report.email ?? null);
  renderPredictionView(elements.predictionView, report, report.summary.time_zone, state.options.prediction, scheduleAnalysis);
  renderSegmentsView(elements.segmentsView, report.segments ?? null, { onPeople: openSegmentPeople, loadMembers: loadSegmentMembers });
  renderExperimentView(elements.experimentView, report.experiment ?? null, report.warnings, state.summary, state.options.experiment, scheduleAnalysis);
  renderVoiceView(elements.voiceView, report.voice ?? null, state.options.voice, scheduleAnalysis);
  renderBriefView(elements.briefView, report.brief ?? null);
  status.showReportWarnings(report);
  renderViewNav(elements.viewNav);
  state.conversionStep?.sync(state.options.conversion);
}

function renderMapping() {
  renderSetups();
  elements.mappingSection.hidden = state.files.length === 0;
  elements.mappingProblems.textContent = '';
  renderMappingView(elements.fileCards, state.files, {
    onChange: mappingChanged,
    onRemove: (index) => runTask(() => removeFile(index)),
    onDialectChange: (index, dialect) => runTask(() => changeDialect(index, dialect)),
  });
  renderDateOrder(elements.dateOrder, state.files, state, markStale);
}

// A mapping edit can start or stop reading an ambiguous date column, so the
// date-order question is redrawn with it.
function mappingChanged() {
  renderDateOrder(elements.dateOrder, state.files, state, markStale);
  markStale();
}

async function removeFile(index) {
  await engine.request('removeFile', { index });
  state.files = state.files.filter((file) => file.inspection.index !== index);
  state.setupOffer = fittingSavedSetup();
  renderMapping();
  markStale();
  if (state.files.length === 0) {
    state.report = null;
    elements.resultsSection.hidden = true;
    elements.conversionSection.hidden = true;
    status.clearResults();
    status.showNotice('');
    steps.reset();
  }
}

/** Inspects a file again with the user's { delimiter, header, column_names }. */
async function changeDialect(index, dialect) {
  const inspection = await engine.request('inspect', { index, dialect });
  state.files = state.files.map((file) => (file.inspection.index === index ? fileEntry(inspection, dialect, file) : file));
  renderMapping();
  markStale();
}

/**
 * Builds the page's entry for an inspected file:
 *  - `dialect`: the { delimiter, header, column_names } the user chose, sent
 *    again with load(); null fields are sniffed.
 *  - `detectedDelimiter`: the delimiter sniffed on the first reading, which
 *    keeps its "(detected)" label after the user picks another one.
 *  - `pathTable`: the proposed channel path table columns, kept so that the
 *    user can switch back to them after mapping the columns as usual.
 *  - `mapping`: the proposed mapping, edited in place by the view.
 */
function fileEntry(inspection, dialect = { delimiter: null, header: null, column_names: [] }, previous = null) {
  const mapping = structuredClone(inspection.mapping);
  mapping.date_events = mapping.date_events ?? [];
  mapping.identities = mapping.identities ?? [];
  const firstSniffed = inspection.delimiter_sniffed ? inspection.delimiter : null;
  return {
    inspection,
    dialect,
    detectedDelimiter: previous ? previous.detectedDelimiter : firstSniffed,
    pathTable: mapping.path_table ?? null,
    mapping,
  };
}

function renderSetups() {
  renderSetupBar(elements.setupBar, {
    active: state.setup ? state.setup.name : null,
    offer: state.setup ? null : state.setupOffer,
    hasOptions: state.options !== null,
    message: state.setupMessage,
  }, {
    onSave: (name) => runSetupTask(() => saveCurrentSetup(name)),
    onExport: (name) => runSetupTask(() => exportCurrentSetup(name)),
    onImport: (file) => runSetupTask(() => importSetup(file)),
    onApply: (name) => runSetupTask(() => applySavedSetup(name)),
    onDelete: (name) => runSetupTask(async () => {
      forgetSetup(name);
      if (state.setupOffer === name) {
        state.setupOffer = null;
      }
      state.setupMessage = { text: `Deleted the saved setup "${name}".`, error: false };
    }),
    onStop: () => {
      state.setup = null;
      state.setupMessage = { text: 'The setup is no longer used: Analyse starts from the suggested options again.', error: false };
      renderSetups();
    },
  });
}

// Setup actions show their errors in the setup bar, beside the buttons, and
// the bar is redrawn after each one.
function runSetupTask(task) {
  return runTask(async () => {
    state.setupMessage = null;
    try {
      await task();
    } catch (error) {
      state.setupMessage = { text: error.message, error: true };
    }
    renderSetups();
  });
}

/** Returns the setup of the session on screen, checked by the engine, under `name`. */
async function currentSetup(name) {
  if (!state.options) {
    throw new Error('Analyse the files first, so the setup records the analysis options too.');
  }
  const setup = buildSetup(name, {
    load: {
      time_zone: elements.timeZone.value,
      strict: elements.strict.checked,
      keep_duplicates: elements.keepDuplicates.checked,
      date_order: state.dateOrder ?? null,
    },
    files: state.files.map((file) => ({ file, mapping: mappingToLoad(file) })),
    analysis: analysisOptions(state.options),
  });
  return engine.request('parseSetup', { text: JSON.stringify(setup) });
}

async function saveCurrentSetup(name) {
  if (name === '') {
    throw new Error('Type a name for the setup, then press Save setup.');
  }
  const setup = await currentSetup(name);
  storeSetup(setup);
  state.setup = setup;
  state.setupOffer = null;
  state.setupMessage = { text: `Saved the setup "${name}" in this browser. It contains column and event names, and no rows.`, error: false };
}

async function exportCurrentSetup(name) {
  const setup = await currentSetup(name);
  downloadSetup(setup);
  state.setupMessage = { text: 'Exported the setup as a JSON file.', error: false };
}

async function importSetup(file) {
  const text = await file.text();
  const setup = await engine.request('parseSetup', { text });
  // A setup exported without a name goes by its file name.
  setup.name = setup.name || file.name.replace(/\.json$/i, '');
  await useSetup(setup, `Imported the setup "${setup.name}".`);
}

async function applySavedSetup(name) {
  const entry = readSavedSetups().find(([saved]) => saved === name);
  if (!entry) {
    throw new Error(`There is no saved setup named "${name}".`);
  }
  // A stored setup is checked again, because another version of the page may have written it.
  const setup = await engine.request('parseSetup', { text: JSON.stringify(entry[1]) });
  await useSetup(setup, `Applied the setup "${name}".`);
}

/**
 * Makes `setup` the one in use: its load settings and the mappings of the
 * files it fits are applied at once, and a report on screen is recomputed
 * with its options.
 */
async function useSetup(setup, done) {
  state.setup = setup;
  state.setupOffer = null;
  elements.strict.checked = setup.load.strict;
  elements.keepDuplicates.checked = setup.load.keep_duplicates;
  selectTimeZone(elements.timeZone, setup.load.time_zone);
  if (setup.load.date_order) {
    state.dateOrder = setup.load.date_order;
  }
  const fitted = await applySetupToFiles();
  const fits = state.files.length === 0
    ? 'Add files with the columns it records.'
    : `It fits ${formatCount(fitted)} of ${formatCount(state.files.length)} ${state.files.length === 1 ? 'file' : 'files'}.`;
  state.setupMessage = { text: `${done} ${fits}`, error: false };
  if (state.summary && fitted > 0) {
    await analyse();
  }
}

/**
 * Gives each file that the setup in use fits the setup's reading settings and
 * mapping, and returns how many it fits. Without a setup in use, looks for a
 * saved one to offer instead.
 */
async function applySetupToFiles() {
  if (!state.setup) {
    state.setupOffer = fittingSavedSetup();
    return 0;
  }
  let fitted = 0;
  for (const file of [...state.files]) {
    const entry = setupFileFor(state.setup, file);
    if (!entry) {
      continue;
    }
    fitted += 1;
    const dialect = { delimiter: entry.delimiter, quote: entry.quote, header: entry.header, column_names: entry.column_names };
    const current = { delimiter: null, quote: null, header: null, column_names: [], ...file.dialect };
    if (JSON.stringify(dialect) !== JSON.stringify(current)) {
      await changeDialect(file.inspection.index, dialect);
    }
    const target = state.files.find((candidate) => candidate.inspection.index === file.inspection.index);
    target.mapping = { ...structuredClone(entry.mapping), date_events: entry.mapping.date_events ?? [], identities: entry.mapping.identities ?? [] };
  }
  renderMapping();
  return fitted;
}

function fittingSavedSetup() {
  const fitting = readSavedSetups().find(([, setup]) => setupFits(setup, state.files));
  return fitting ? fitting[0] : null;
}

// Results drawn before a change of files, columns or load settings no longer
// match them, so they are dimmed until the next Analyse.
function markStale() {
  if (!elements.resultsSection.hidden) {
    elements.resultsSection.classList.add('stale');
    status.showNotice('The files or columns changed: press Analyse to read them again.');
  }
}

// Controls that would start work conflicting with a running request, or with
// the files being read again, are disabled meanwhile.
function updateControls() {
  const disabled = state.busy || state.restoreWork !== null;
  elements.analyseButton.disabled = disabled;
  elements.sampleButton.disabled = disabled;
  elements.dropZone.classList.toggle('busy', disabled);
}

// A zone missing from the browser's list, such as one from a setup made
// elsewhere, is added, so the engine can accept or reject it.
function selectTimeZone(select, zone) {
  if (![...select.options].some((option) => option.value === zone)) {
    select.append(new Option(zone, zone));
  }
  select.value = zone;
}

function fillTimeZones(select) {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const zones = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
  zones.add('UTC');
  zones.add(browserZone);
  for (const zone of [...zones].sort()) {
    const option = document.createElement('option');
    option.value = zone;
    option.textContent = zone === browserZone ? `${zone} (this browser)` : zone;
    option.selected = zone === browserZone;
    select.append(option);
  }
}
