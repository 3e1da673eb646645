// Saved setups: the column mappings, load settings and analysis options of a
// session, kept in this browser's localStorage under a name, and exported or
// imported as one JSON file. A setup contains column and event names, never a
// row of data. The engine's parseSetup() checks an imported file (see
// docs/api.md, Setup), and this module converts between a setup and the
// page's state.

import { h, replaceChildren } from './dom.js';
import { downloadText } from './download.js';
import { experimentSettings } from './experiment.js';
import { trendsSettings } from './trends.js';

export const SETUP_VERSION = 1;

// The localStorage key of the saved setups, an object from name to setup.
const STORAGE_KEY = 'pathlight.setups';

/** Returns the file's column names in order, which identify the kind of export it is. */
export function fileColumns(file) {
  return file.inspection.columns.map((column) => column.name);
}

/**
 * Builds a setup from the page's state. `files` are the page's file entries
 * with their mapping already in engine form (`mapping`), and `analysis` is the
 * engine's AnalysisOptions, or null before the first analysis.
 */
export function buildSetup(name, { load, files, analysis }) {
  return {
    version: SETUP_VERSION,
    name,
    load,
    files: files.map(({ file, mapping }) => ({
      name: file.inspection.name,
      columns: fileColumns(file),
      delimiter: file.dialect.delimiter ?? null,
      quote: file.dialect.quote ?? null,
      header: file.dialect.header ?? null,
      column_names: file.dialect.column_names ?? [],
      mapping,
    })),
    analysis: analysis ?? {},
  };
}

/** Returns the setup's entry for a file with equal columns, preferring one with the same name. */
export function setupFileFor(setup, file) {
  const columns = JSON.stringify(fileColumns(file));
  const matching = setup.files.filter((entry) => JSON.stringify(entry.columns) === columns);
  return matching.find((entry) => entry.name === file.inspection.name) ?? matching[0] ?? null;
}

/** Returns true when the setup has an entry for every one of `files`. */
export function setupFits(setup, files) {
  return files.length > 0 && files.every((file) => setupFileFor(setup, file) !== null);
}

/**
 * Returns the page's analysis options for the engine's AnalysisOptions of a
 * setup, which parseSetup() has filled with defaults. `base` keeps every
 * option, so that options the page has no control for survive a round trip.
 */
export function optionsFromAnalysis(analysis) {
  const { funnel } = analysis;
  const stepCount = funnel.steps.length;
  const stages = analysis.stages.map((stage) => ({
    name: stage.name,
    rules: stage.rules.map((rule) => ({ event: rule.event, column: rule.column ?? null, value: rule.value ?? null, match: rule.match ?? 'exact' })),
  }));
  return {
    base: structuredClone(analysis),
    conversion: analysis.conversion ?? null,
    funnelSteps: funnel.steps.map((step) => ({
      event: step.event,
      column: step.column ?? null,
      value: step.value ?? null,
      match: step.match ?? 'exact',
      window: step.window ?? '',
    })),
    window: funnel.window ?? '',
    kind: funnel.kind,
    counting: funnel.counting,
    breakdown: funnel.breakdown ?? null,
    holdConstant: funnel.hold_constant ?? null,
    exclusions: funnel.exclusions.map((exclusion) => ({ event: exclusion.event, between: exclusion.between ?? [1, stepCount] })),
    collapseRepeats: analysis.paths.collapse_repeats,
    attribution: {
      weight: analysis.attribution.weight,
      halfLife: analysis.attribution.half_life,
      markovOrder: analysis.attribution.markov_order,
      markovCollapseRepeats: analysis.attribution.markov_collapse_repeats,
    },
    curve: { censorAt: analysis.conversion_curve.censor_at },
    stageEditor: {
      draft: stages.length > 0 ? structuredClone(stages) : null,
      applied: stages.length > 0 ? stages : null,
      open: null,
    },
    silences: { returnRule: analysis.silences.return_rule },
    prediction: { cutShare: analysis.prediction.cut_share, horizon: analysis.prediction.horizon ?? null },
    voice: { themes: analysis.voice.themes ?? null },
    speed: { cuts: analysis.speed.cuts.join(', ') },
    channelSpeed: { by: analysis.channel_speed.by },
    trends: trendsSettings(analysis.trends),
    experiment: experimentSettings(analysis.experiment),
  };
}

/**
 * Returns the saved setups as [name, setup] pairs sorted by name. Storage that
 * the browser blocks, or an entry that is not an object, reads as none.
 */
export function readSavedSetups() {
  let stored = null;
  try {
    stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}');
  } catch {
    return [];
  }
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) {
    return [];
  }
  return Object.entries(stored)
    .filter(([, setup]) => setup && typeof setup === 'object' && Array.isArray(setup.files))
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Stores `setup` under its name, replacing one of the same name. Throws when storage is blocked or full. */
export function storeSetup(setup) {
  const stored = Object.fromEntries(readSavedSetups());
  stored[setup.name] = setup;
  writeSetups(stored);
}

/** Removes the saved setup with this name. */
export function forgetSetup(name) {
  const stored = Object.fromEntries(readSavedSetups());
  delete stored[name];
  writeSetups(stored);
}

function writeSetups(stored) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch (error) {
    throw new Error(`The setup could not be saved in this browser (${error.message}). Export it as a file instead.`);
  }
}

/** Offers the setup to the user as a JSON file, built in the page and handed over through a blob: URL. */
export function downloadSetup(setup) {
  const fileName = `pathlight-setup-${safeFileName(setup.name || 'unnamed')}.json`;
  downloadText(fileName, `${JSON.stringify(setup, null, 2)}\n`, 'application/json');
}

/** Returns `name` with every character outside letters, digits, `-` and `_` replaced by `-`. */
export function safeFileName(name) {
  return name.trim().replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 60) || 'unnamed';
}

/**
 * Renders the setup bar into `root`: the saved setups with Apply and Delete,
 * a name field with Save, Export and Import, and an inline message line.
 * `view` contains `active` (the name of the setup in use, or null), `offer`
 * (a saved setup that fits the files on screen, or null), `hasOptions` (true
 * once an analysis ran), and `message` ({ text, error }). `handlers` has onSave(name), onApply(name),
 * onDelete(name), onExport(name), onImport(file) and onStop().
 */
export function renderSetupBar(root, view, handlers) {
  const saved = readSavedSetups();
  const savedSelect = h('select', {
    dataset: { testid: 'setup-saved' },
    attrs: { 'aria-label': 'Saved setups' },
    disabled: saved.length === 0,
  }, saved.length === 0
    ? h('option', { value: '' }, 'no saved setup')
    : saved.map(([name]) => h('option', { value: name, selected: name === view.active }, name)));
  const nameInput = h('input', {
    type: 'text',
    value: view.active ?? '',
    placeholder: 'setup name',
    size: 16,
    dataset: { testid: 'setup-name' },
    attrs: { 'aria-label': 'Name of the setup to save' },
  });
  const importInput = h('input', {
    type: 'file',
    className: 'visually-hidden',
    id: 'setup-import-input',
    accept: '.json,application/json',
    dataset: { testid: 'setup-import-input' },
    on: {
      change: () => {
        const [file] = importInput.files;
        importInput.value = '';
        if (file) {
          handlers.onImport(file);
        }
      },
    },
  });
  const button = (label, testid, action, disabled = false, title = null) => h('button', {
    type: 'button',
    disabled,
    title,
    dataset: { testid },
    on: { click: action },
  }, label);
  const notYet = view.hasOptions ? null : 'Analyse files first: a setup records their columns and the analysis options.';

  replaceChildren(root,
    h('div', { className: 'setup-row' },
      h('span', { className: 'setup-title' }, 'Setups'),
      savedSelect,
      button('Apply', 'setup-apply', () => handlers.onApply(savedSelect.value), saved.length === 0),
      button('Delete', 'setup-delete', () => handlers.onDelete(savedSelect.value), saved.length === 0),
      nameInput,
      button('Save setup', 'setup-save', () => handlers.onSave(nameInput.value.trim()), !view.hasOptions, notYet),
      button('Export setup', 'setup-export', () => handlers.onExport(nameInput.value.trim()), !view.hasOptions, notYet),
      h('label', { className: 'button', htmlFor: importInput.id, dataset: { testid: 'setup-import' } }, 'Import setup'),
      importInput),
    renderSetupState(view, handlers));
}

function renderSetupState(view, handlers) {
  const lines = [];
  if (view.active) {
    lines.push(h('p', { className: 'hint', dataset: { testid: 'setup-active' } },
      'Using the setup ', h('strong', {}, view.active),
      ': files with the columns it records get its mapping, and Analyse starts from its options. ',
      h('button', { type: 'button', className: 'link-button', dataset: { testid: 'setup-stop' }, on: { click: handlers.onStop } }, 'Stop using it')));
  }
  if (view.offer) {
    lines.push(h('p', { className: 'notice', dataset: { testid: 'setup-offer' } },
      'The saved setup ', h('strong', {}, view.offer), ' fits these files. ',
      h('button', { type: 'button', dataset: { testid: 'setup-offer-apply' }, on: { click: () => handlers.onApply(view.offer) } }, 'Apply it')));
  }
  if (view.message) {
    lines.push(h('p', {
      className: view.message.error ? 'field-error' : 'hint',
      dataset: { testid: view.message.error ? 'setup-error' : 'setup-message' },
      attrs: { role: view.message.error ? 'alert' : 'status' },
    }, view.message.text));
  }
  return lines;
}
