// Voice of the customer: themes of free-text survey answers, where their
// authors were in the journey, and self-reported channels against tracked
// first touches. Answers are the customers' own words, so every text goes in
// through text nodes only. The view shows nothing when `voice` is null or
// missing.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatShare } from './format.js';

/** Renders the report's voice of the customer into `root`, or nothing when it is missing or null. */
export function renderVoiceView(root, voice, settings = null, onChange = null) {
  root.hidden = !voice;
  if (!voice) {
    replaceChildren(root);
    return;
  }
  const themes = voice.themes ?? [];
  replaceChildren(root,
    h('h3', {}, metricLink('voice-of-the-customer', 'Voice of the customer')),
    settings && onChange && (voice.analysed ?? 0) > 0 ? renderThemeCount(settings, onChange) : null,
    renderCounts(voice),
    themes.length > 0 ? renderThemes(themes) : null,
    themes.length > 0 ? renderJourney(voice.journey, themes) : null,
    themes.length > 0 && (voice.by_month?.months.length ?? 0) > 1 ? renderByMonth(voice.by_month, themes) : null,
    voice.channel ? renderChannel(voice.channel) : null);
}

// The voice options right after a load: the number of themes chosen by the
// silhouette rule, which is the engine's default.
export const VOICE_DEFAULTS = { themes: null };

/** Returns the voice options in engine form. */
export function voiceOptions(settings) {
  return { themes: settings.themes };
}

function renderThemeCount(settings, onChange) {
  const choices = [[null, 'chosen by the silhouette'], ...[2, 3, 4, 5, 6, 8, 10].map((count) => [count, String(count)])];
  const select = h('select', {
    dataset: { testid: 'voice-theme-count' },
    on: { change: () => { settings.themes = select.value === '' ? null : Number(select.value); onChange(); } },
  }, choices.map(([value, text]) => h('option', { value: value === null ? '' : String(value), selected: value === settings.themes }, text)));
  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, metricLink('voice-of-the-customer', 'Themes')), select));
}

function renderCounts(voice) {
  const columns = (voice.text_columns ?? []).join(', ') || 'none';
  const how = voice.detected_columns ? 'detected' : 'chosen';
  return h('p', { className: 'hint', dataset: { testid: 'voice-counts' } },
    `Free-text columns (${how}): ${columns}. `,
    `${formatCount(voice.responses)} responses from ${formatCount(voice.respondents)} people: `,
    `${formatCount(voice.analysed)} answers analysed, ${formatCount(voice.empty)} empty, `,
    `${formatCount(voice.stop_words_only)} with stop words only.`);
}

function renderThemes(themes) {
  const rows = themes.map((theme) => h('tr', { dataset: { testid: 'voice-theme' } },
    h('td', { dataset: { testid: 'voice-theme-label' } }, theme.label),
    h('td', { className: 'number', dataset: { testid: 'voice-theme-answers' } }, formatCount(theme.answers)),
    h('td', { className: 'number' }, formatShare(theme.share)),
    h('td', {}, (theme.terms ?? []).map((term) => term.term).join(', ')),
    h('td', { dataset: { testid: 'voice-theme-examples' } },
      h('ul', { className: 'voice-examples' }, (theme.examples ?? []).map((example) => h('li', {}, example))))));
  return h('table', { className: 'process-activities', dataset: { testid: 'voice-themes' } },
    h('caption', {}, 'Themes of the free-text answers, largest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, metricLink('themes', 'Theme')),
      h('th', { scope: 'col', className: 'number' }, 'Answers'),
      h('th', { scope: 'col', className: 'number' }, 'Share'),
      h('th', { scope: 'col' }, metricLink('tf-idf-terms', 'Top terms')),
      h('th', { scope: 'col' }, 'Examples'))),
    h('tbody', {}, rows));
}

// Each theme's share of the month's answers, with the growth test between the
// two latest months marked in the last column.
function renderByMonth(byMonth, themes) {
  const growth = new Map(byMonth.growth.map((row) => [row.theme, row]));
  const rows = themes.map((theme, index) => {
    const tested = growth.get(index);
    const q = tested && tested.q_value < 0.001 ? 'q < 0.001' : `q = ${tested?.q_value.toFixed(3)}`;
    const verdict = tested?.growing ? `growing (${q})` : '';
    return h('tr', { dataset: { testid: 'voice-month-row' } },
      h('th', { scope: 'row' }, theme.label),
      byMonth.months.map((month, position) => {
        const answers = byMonth.answers[position];
        const count = byMonth.themes[index]?.[position] ?? 0;
        return h('td', { className: 'number' }, answers > 0 ? formatShare(count / answers) : '–');
      }),
      h('td', { dataset: { testid: 'voice-month-growth' } }, verdict));
  });
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'compact', dataset: { testid: 'voice-by-month' } },
      h('caption', {}, metricLink('trends-and-comparisons', 'Themes by month'), ': each theme\'s share of the month\'s answers'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Theme'),
        byMonth.months.map((month, position) => h('th', { scope: 'col', className: 'number' }, `${month} (${formatCount(byMonth.answers[position])})`)),
        h('th', { scope: 'col' }, 'Latest month'))),
      h('tbody', {}, rows)));
}

function renderJourney(journey, themes) {
  if (!journey) {
    return null;
  }
  const rows = (journey.themes ?? []).map((entry) => h('tr', { dataset: { testid: 'voice-journey-row' } },
    h('td', {}, themes[entry.theme]?.label ?? ''),
    h('td', { className: 'number' }, formatCount(entry.answers)),
    h('td', { dataset: { testid: 'voice-journey-step' } }, furthestText(entry.furthest_step, journey.funnel_steps ?? [], 'no step')),
    h('td', {}, furthestText(entry.furthest_stage, journey.stages ?? [], 'no stage')),
    h('td', { className: 'number' }, formatShare(entry.converter_share))));
  const findings = (journey.over_represented ?? []).filter((finding) => finding.significant);
  return h('div', {},
    h('table', { className: 'process-activities', dataset: { testid: 'voice-journey' } },
      h('caption', {}, 'Where the authors of each theme were: the most common furthest funnel step and stage'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Theme'),
        h('th', { scope: 'col', className: 'number' }, 'Answers'),
        h('th', { scope: 'col' }, metricLink('themes-in-the-journey', 'Furthest step')),
        h('th', { scope: 'col' }, 'Furthest stage'),
        h('th', { scope: 'col', className: 'number' }, 'Converters'))),
      h('tbody', {}, rows)),
    h('ul', { className: 'hint', dataset: { testid: 'voice-over-represented' } },
      findings.length === 0
        ? h('li', {}, 'No theme is significantly more common at one journey position.')
        : findings.map((finding) => h('li', {},
          `"${themes[finding.theme]?.label ?? ''}" is ${formatShare(finding.share_at)} of the answers of people who ${positionText(finding)}, `,
          `against ${formatShare(finding.share_overall)} overall (q = ${finding.q_value.toPrecision(2)}).`))));
}

/** Names the most common entry of a furthest-position count list, with its count. */
function furthestText(counts, names, noneName) {
  if (!counts || counts.length === 0) {
    return '–';
  }
  let best = 0;
  counts.forEach((count, index) => {
    if (count > counts[best]) {
      best = index;
    }
  });
  return `${positionName(best, names, counts.length, noneName)} (${formatCount(counts[best])})`;
}

// Funnel counts start at 0 steps and stage counts end with "no stage", so
// `noneName` selects which of the two layouts `counts` has.
function positionName(index, names, length, noneName) {
  if (noneName === 'no step') {
    return index === 0 ? noneName : names[index - 1];
  }
  return index === length - 1 ? noneName : names[index];
}

function positionText(finding) {
  return finding.kind === 'funnel_step' ? finding.name : `have the ${finding.name}`;
}

function renderChannel(channel) {
  const rows = (channel.cells ?? []).map((cell) => h('tr', { dataset: { testid: 'voice-channel-cell' } },
    h('td', {}, cell.reported),
    h('td', {}, cell.tracked),
    h('td', { className: 'number' }, formatCount(cell.people))));
  return h('div', {},
    h('dl', { className: 'figures small' },
      h('div', { className: 'figure' },
        h('dt', {}, metricLink('self-reported-channel', 'Self-reported channel agrees with the first touch')),
        h('dd', { dataset: { testid: 'voice-agreement' } }, formatShare(channel.agreement_share))),
      h('div', { className: 'figure' },
        h('dt', {}, 'Respondents without a tracked touch'),
        h('dd', { dataset: { testid: 'voice-no-tracked' } }, formatShare(channel.no_tracked_share)))),
    h('table', { className: 'process-activities', dataset: { testid: 'voice-channels' } },
      h('caption', {},
        `"${channel.column}" against the tracked first touch: ${formatCount(channel.respondents)} respondents, `,
        `${formatCount(channel.unrecognised)} answers not recognised`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Self-reported'),
        h('th', { scope: 'col' }, 'Tracked first touch'),
        h('th', { scope: 'col', className: 'number' }, 'People'))),
      h('tbody', {}, rows)));
}
