// Stages: the stage list with its editor, the moves between stages, time in
// and between stages, the furthest stage of converters and others, skipped
// stages, stage touchpoints and channels by stage. Reports from engines
// without stages have no `stages` field, and the view then shows only the
// editor and the reason.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatShare } from './format.js';
import { draftFromReport, renderStageEditor } from './stage-editor.js';

/**
 * Returns the editor state kept across reports: the draft, the applied
 * stages, and whether the editor is open (null until the user toggles it).
 */
export function newStageEditor() {
  return { draft: null, applied: null, open: null };
}

/**
 * Renders the report's stages into `root`. `editor` comes from
 * newStageEditor(), and `onApply()` re-runs the analysis after an edit.
 * `onPeople(selection, title)`, when given, opens the people behind a cell
 * of the transition matrix.
 */
export function renderStagesView(root, report, summary, editor, onApply, { onPeople = null } = {}) {
  const stages = report.stages ?? null;
  if (editor.draft === null) {
    editor.draft = draftFromReport(stages);
  }
  const editorRoot = h('div', { className: 'stage-editor', dataset: { testid: 'stage-editor' } });
  renderStageEditor(editorRoot, summary, editor, onApply);
  // The editor stays open or closed across reports as the user left it.
  const details = h('details', {
    className: 'stage-editor-box',
    open: editor.open ?? !stages,
    dataset: { testid: 'stage-editor-box' },
    on: { toggle: () => { editor.open = details.open; } },
  },
    h('summary', {}, stages?.suggested === false ? 'Edit your stages' : 'Edit the suggested stages'),
    editorRoot);

  if (!stages) {
    const reason = (report.warnings ?? []).find((warning) => warning.kind === 'no_stages');
    replaceChildren(root,
      h('p', { className: 'hint', dataset: { testid: 'stages-reason' } }, reason ? reason.message : 'No stages.'),
      details);
    return;
  }

  const names = stages.stages.map((stage) => stage.name);
  replaceChildren(root,
    h('p', { className: 'hint', dataset: { testid: 'stages-source' } },
      stages.suggested ? 'Stages suggested from event names and pages (' : 'Your stages (',
      metricLink(stages.suggested ? 'suggested-stages' : 'stages', stages.suggested ? 'keywords' : 'rules'),
      `). ${formatCount(stages.staged_events)} events have a stage and ${formatCount(stages.unstaged_events)} have none; `,
      `${formatCount(stages.people)} people have a staged event.`),
    renderStageList(stages),
    details,
    renderTransitions(stages.transitions, names, onPeople),
    renderTimeInStage(stages.time_in_stage),
    renderStageTiming(stages.stage_timing),
    renderFurthest(stages.furthest),
    renderSkips(stages.skips),
    stages.touchpoints ? renderTouchpoints(stages.touchpoints) : null,
    stages.channels ? renderChannels(stages.channels, names) : null);
}

function renderStageList(stages) {
  const items = stages.stages.map((stage) => h('li', { dataset: { testid: 'stage-summary' } },
    h('strong', {}, stage.name),
    ': ',
    stage.rules.map((rule, index) => [index > 0 ? ', ' : '', describeRule(rule)])));
  return h('ol', { className: 'stage-summary-list' }, items);
}

/**
 * Describes a rule as text, such as "page_view where page matches glob
 * *pricing*". A suggested page rule is a regular expression for a word that
 * starts with its keyword, so it is described by that word instead.
 */
function describeRule(rule) {
  if (rule.keyword && rule.column && rule.match === 'regex') {
    return `${rule.event} where a word of ${rule.column} starts with "${rule.keyword}"`;
  }
  const relation = { exact: '=', glob: 'matches glob', regex: 'matches regex' }[rule.match] ?? '=';
  const filter = rule.column ? ` where ${rule.column} ${relation} ${rule.value ?? ''}` : '';
  const keyword = rule.keyword ? ` (keyword "${rule.keyword}")` : '';
  return `${rule.event}${filter}${keyword}`;
}

// Each table scrolls sideways inside its own box, so a narrow page never gets wider.
function table(testid, caption, headings, rows) {
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'process-activities stage-table', dataset: { testid } },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headings.map((heading, index) => h('th', { scope: 'col', className: index > 0 ? 'number' : null }, heading)))),
      h('tbody', {}, rows)));
}

function row(label, cells, testid = null) {
  return h('tr', { dataset: testid ? { testid } : {} },
    h('th', { scope: 'row' }, label),
    cells.map((cell) => (cell instanceof Node ? cell : h('td', { className: 'number' }, cell))));
}

function heading(anchor, text) {
  return h('h4', {}, metricLink(anchor, text));
}

// A cell's moves with a tooltip of the people who made them and their share
// of all moves out of the row's stage. With `onPeople` and at least one move,
// the count is a button that opens those people.
function transitionCount(transitions, names, from, to, onPeople) {
  const count = transitions.counts[from]?.[to] ?? 0;
  // Reports from before people per move have no `people`.
  const people = transitions.people?.[from]?.[to];
  const outgoing = (transitions.counts[from] ?? []).reduce((sum, moves) => sum + moves, 0);
  const madeBy = typeof people === 'number' ? ` by ${formatCount(people)} ${people === 1 ? 'person' : 'people'}` : '';
  const share = outgoing > 0 ? `, ${formatShare(count / outgoing)} of the ${formatCount(outgoing)} moves out of ${names[from]}` : '';
  const tooltip = `${formatCount(count)} ${count === 1 ? 'move' : 'moves'} from ${names[from]} to ${names[to]}${madeBy}${share}`;
  if (!onPeople || count === 0 || typeof people !== 'number') {
    return h('span', { title: tooltip }, formatCount(count));
  }
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    dataset: { testid: 'stage-transition-people', people: String(people) },
    attrs: { 'aria-label': `${tooltip}. Show these people.` },
    on: { click: () => onPeople({ kind: 'stage_transition', from: names[from], to: names[to] }, `People who moved from ${names[from]} to ${names[to]}`) },
  }, formatCount(count));
}

function renderTransitions(transitions, names, onPeople) {
  const largest = Math.max(1, ...transitions.counts.flat());
  const rows = names.map((name, from) => row(name, [
    ...names.map((_, to) => {
      const count = transitions.counts[from]?.[to] ?? 0;
      // The shade only repeats the number in the cell, for a quick read of the largest moves.
      // The page's CSP allows no inline style attribute, so the shade is set through the style property.
      const alpha = (count / largest) * 0.6;
      const cell = h('td', { className: 'number heat', dataset: { testid: 'stage-transition-cell' } }, transitionCount(transitions, names, from, to, onPeople));
      cell.style.backgroundColor = `rgba(47, 95, 208, ${alpha.toFixed(3)})`;
      return cell;
    }),
    formatCount(transitions.entries[from]),
    formatCount(transitions.exits[from]),
  ], 'stage-transition-row'));
  return h('div', {},
    heading('stage-transitions', 'Moves between stages'),
    table('stage-transitions', `Moves from each stage (rows) to the next stage visited (columns); ${formatCount(transitions.moves)} moves in all`,
      ['From \\ to', ...names, 'Entries', 'Exits'], rows));
}

function renderTimeInStage(rows) {
  return h('div', {},
    heading('time-in-stage', 'Time in stage'),
    table('stage-time-in-stage', 'Length of closed visits per stage; the last visit of each journey is open',
      ['Stage', 'Visits', 'People', 'Open visits', 'Median', '25th percentile', '75th percentile', 'Mean'],
      rows.map((entry) => row(entry.stage, [
        formatCount(entry.visits),
        formatCount(entry.people),
        formatCount(entry.open_visits),
        formatDuration(entry.duration.median_ms),
        formatDuration(entry.duration.p25_ms),
        formatDuration(entry.duration.p75_ms),
        formatDuration(entry.duration.mean_ms),
      ], 'stage-time-row'))));
}

function renderStageTiming(rows) {
  return h('div', {},
    heading('time-between-stages', 'Time between stages'),
    table('stage-timing', 'Time from the first event in one stage to the first event in a later one',
      ['From → to', 'People', 'Reached the later first', 'Median', '25th percentile', '75th percentile'],
      rows.map((entry) => row(`${entry.from} → ${entry.to}`, [
        formatCount(entry.people),
        formatCount(entry.reversed),
        formatDuration(entry.duration.median_ms),
        formatDuration(entry.duration.p25_ms),
        formatDuration(entry.duration.p75_ms),
      ], 'stage-timing-row'))));
}

function bar(share) {
  const fill = h('div', { className: 'bar' });
  fill.style.width = `${((share ?? 0) * 100).toFixed(1)}%`;
  return h('td', { className: 'bar-cell' }, formatShare(share), h('div', { className: 'bar-track' }, fill));
}

function renderFurthest(rows) {
  const split = rows.some((entry) => entry.converters !== null);
  const headings = split ? ['Furthest stage', 'People', 'Converters', 'Share of converters', 'Others', 'Share of others'] : ['Furthest stage', 'People', 'Share'];
  return h('div', {},
    heading('furthest-stage', 'Furthest stage reached'),
    table('stage-furthest', split ? 'Furthest stage of converters and of everyone else' : 'Furthest stage of each person',
      headings,
      rows.map((entry) => row(entry.stage ?? 'no stage', split ? [
        formatCount(entry.people),
        formatCount(entry.converters),
        bar(entry.converter_share),
        formatCount(entry.non_converters),
        bar(entry.non_converter_share),
      ] : [formatCount(entry.people), bar(entry.share)], 'stage-furthest-row'))));
}

function renderSkips(rows) {
  return h('div', {},
    heading('stage-skips', 'Skipped stages'),
    table('stage-skips', 'People who reached a stage without an event in an earlier stage before it',
      ['Skipped → reached', 'Reached', 'Skipped', 'Share'],
      rows.map((entry) => row(`${entry.skipped} → ${entry.reached}`, [
        formatCount(entry.reached_people),
        formatCount(entry.people),
        formatShare(entry.share),
      ], 'stage-skip-row'))));
}

function renderTouchpoints(touchpoints) {
  return h('div', {},
    heading('stage-touchpoints', 'Stage touchpoints of converters and others'),
    h('p', { className: 'hint' }, 'Associations, not causes: people who were going to buy anyway may simply do more.'),
    table('stage-touchpoints',
      `Share of ${formatCount(touchpoints.converters)} converters (before converting) and ${formatCount(touchpoints.non_converters)} others with a touchpoint in each stage`,
      ['Stage', 'Converters', 'Others', 'Difference', 'Odds ratio', 'q-value'],
      touchpoints.stages.map((entry) => row(entry.stage, [
        formatShare(entry.converter_share),
        formatShare(entry.non_converter_share),
        formatShare(entry.difference),
        // A stage everyone or no one touched cannot be tested.
        typeof entry.odds_ratio === 'number' ? entry.odds_ratio.toPrecision(3) : '–',
        typeof entry.q_value === 'number' ? entry.q_value.toPrecision(2) : '–',
      ], 'stage-touchpoint-row'))));
}

function renderChannels(channels, names) {
  return h('div', {},
    heading('channels-by-stage', 'Channels by stage'),
    table('stage-channels', 'Staged events of each channel by stage: count (share of the channel\'s staged events) and people',
      ['Channel', ...names, 'No stage'],
      channels.map((entry) => row(entry.channel, [
        ...names.map((_, stage) => `${formatCount(entry.events[stage])} (${formatShare(entry.shares[stage])}) · ${formatCount(entry.people[stage])} people`),
        formatCount(entry.unstaged_events),
      ], 'stage-channel-row'))));
}
