// Gaps and unexpected paths: stages without touchpoints, silences after each
// event, the converters' patterns outside the funnel, the funnel and stage
// events converters skip, and the channel-and-event pairs that convert
// faster. Reports without a `patterns` field, or with null, show nothing.

import { featureLabel, formatQValue, formatRatio } from './drivers.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatDuration, formatPath, formatShare } from './format.js';

/** Renders the report's patterns into `root`, or nothing when they are missing or null. */
export function renderPatternsView(root, patterns) {
  root.hidden = !patterns;
  if (!patterns) {
    replaceChildren(root);
    return;
  }
  replaceChildren(root,
    h('h3', {}, metricLink('gaps-and-unexpected-paths', 'Gaps and unexpected paths')),
    h('p', { className: 'hint', dataset: { testid: 'patterns-caption' } },
      `${formatCount(patterns.converters)} converters, counted up to their first conversion, and `,
      `${formatCount(patterns.non_converters)} other people. `, patterns.note ?? ''),
    renderStageGaps(patterns.stage_gaps ?? null),
    renderMomentum(patterns.transition_gaps ?? null),
    renderSuccessful(patterns.successful_touchpoints ?? []),
    renderUnexpected(patterns.unexpected),
    renderSkipped(patterns.skipped_touchpoints ?? []),
    renderFaster(patterns.faster ?? null));
}

/** Builds a captioned table from header labels (numeric ones marked) and rows of cells. */
function table(testid, caption, headers, rows) {
  return h('div', { className: 'table-scroll' },
    h('table', { dataset: { testid } },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map(([label, numeric]) => h('th', { scope: 'col', className: numeric ? 'number' : null }, label)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map(([text, numeric]) => h('td', { className: numeric ? 'number' : null }, text)))))));
}

function empty(testid, text) {
  return h('p', { className: 'empty', dataset: { testid } }, text);
}

function renderStageGaps(gaps) {
  const heading = h('h4', {}, metricLink('stage-gaps', 'Stage gaps'));
  if (gaps === null) {
    return [heading, empty('pattern-stage-gaps', 'No stages are set or suggested, so there are no stage gaps.')];
  }
  if (gaps.length === 0) {
    return [heading, empty('pattern-stage-gaps', 'Every stage has touchpoints, and no stage most converters pass through rests on one event.')];
  }
  const kinds = { no_touchpoints: 'no touchpoints', thin: 'thin' };
  const rows = gaps.map((gap) => [
    [gap.stage], [kinds[gap.kind] ?? gap.kind], [formatCount(gap.people), true],
    [formatCount(gap.distinct_events), true], [formatShare(gap.converter_share), true],
  ]);
  return [heading, table('pattern-stage-gaps', 'Stages without touchpoints or with little content',
    [['Stage'], ['Gap'], ['People', true], ['Distinct events', true], ['Converters with a touchpoint', true]], rows)];
}

function renderMomentum(gaps) {
  if (gaps === null) {
    return null;
  }
  const heading = h('h4', {}, metricLink('momentum-after-a-touchpoint', 'Momentum after a touchpoint'));
  const hint = h('p', { className: 'hint', dataset: { testid: 'pattern-momentum-hint' } },
    `A long gap is at least ${formatDuration(gaps.long_gap_ms)}. Of all silences that long, `,
    `${formatShare(gaps.not_returned_share)} had not ended by the end of the data. The median gap between events is ${formatDuration(gaps.median_gap_ms)}.`);
  if (gaps.transitions.length === 0) {
    return [heading, hint, empty('pattern-transitions', 'No transition between two events has enough gaps.')];
  }
  const rows = gaps.transitions.map((row) => [
    [formatPath([row.from, row.to])], [formatCount(row.transitions), true], [formatDuration(row.median_gap_ms), true],
    [formatShare(row.long_share), true], [formatShare(row.not_returned_share_after), true],
    [row.momentum_lost ? 'momentum lost' : ''],
  ]);
  return [heading, hint, table('pattern-transitions', 'Gaps between consecutive events, transitions losing momentum first',
    [['Transition'], ['Gaps', true], ['Median gap', true], ['Share of long gaps', true], ['Not back after the first event', true], ['Flag']], rows)];
}

function renderSuccessful(rows) {
  const heading = h('h4', {}, metricLink('successful-touchpoints', 'Touchpoints converters had and others skipped'));
  if (rows.length === 0) {
    return [heading, empty('pattern-successful', 'No touchpoint passes the drivers\u2019 false discovery rate.')];
  }
  const cells = rows.map((row) => [
    [featureLabel(row)], [formatShare(row.converter_share), true],
    [formatShare(row.non_converter_share), true], [formatRatio(row.odds_ratio), true], [formatQValue(row.q_value), true],
  ]);
  return [heading, table('pattern-successful', 'Positive drivers: touchpoints more common among converters',
    [['Touchpoint'], ['Converters', true], ['Others', true], ['Odds ratio', true], ['q-value', true]], cells)];
}

function renderUnexpected(unexpected) {
  const heading = h('h4', {}, metricLink('unexpected-converter-patterns', 'Converter patterns outside the funnel'));
  const funnel = unexpected.funnel_events.length > 0 ? formatPath(unexpected.funnel_events) : 'no funnel set';
  const hint = h('p', { className: 'hint', dataset: { testid: 'pattern-unexpected-hint' } },
    `${formatCount(unexpected.mined)} patterns of at most ${formatCount(unexpected.max_length)} events are shared by at least `,
    `${formatCount(unexpected.min_converters)} converters; ${formatCount(unexpected.in_funnel)} of them follow the funnel (${funnel}), `,
    `and ${formatCount(unexpected.redundant ?? 0)} only add an event that changes no count. `,
    `${formatCount(unexpected.significant)} of the ${formatCount(unexpected.tested)} others are significant.`,
    unexpected.truncated ? ' Mining stopped at the pattern limit, so some patterns are missing.' : '');
  if (unexpected.patterns.length === 0) {
    return [heading, hint, empty('pattern-unexpected', 'No frequent converter pattern lies outside the funnel.')];
  }
  const rows = unexpected.patterns.map((row) => [
    [formatPath(row.events)], [formatShare(row.converter_share), true], [formatShare(row.non_converter_share), true],
    [formatRatio(row.ratio), true], [formatQValue(row.q_value), true], [row.significant ? 'yes' : 'no'],
  ]);
  return [heading, hint, table('pattern-unexpected', 'Frequent converter patterns not in the funnel, by p-value',
    [['Pattern'], ['Converters', true], ['Others', true], ['Ratio', true], ['q-value', true], ['Significant']], rows)];
}

function renderSkipped(rows) {
  const heading = h('h4', {}, metricLink('skipped-touchpoints', 'Critical touchpoints converters skip'));
  if (rows.length === 0) {
    return [heading, empty('pattern-skipped', 'No funnel step or stage event to check.')];
  }
  const cells = rows.map((row) => [
    [row.event], [row.funnel_step === null ? '–' : `step ${row.funnel_step}`], [row.stages.join(', ') || '–'],
    [formatShare(row.skipped_share), true], [formatShare(row.non_converter_share), true], [row.flagged ? 'often skipped' : ''],
  ]);
  return [heading, table('pattern-skipped', 'Funnel and stage events converters never did before converting',
    [['Event'], ['Funnel'], ['Stages'], ['Converters who skipped it', true], ['Others who did it', true], ['Flag']], cells)];
}

function renderFaster(faster) {
  if (faster === null) {
    return null;
  }
  const heading = h('h4', {}, metricLink('faster-combinations', 'Channel and content pairs that convert faster'));
  const hint = h('p', { className: 'hint', dataset: { testid: 'pattern-faster-hint' } },
    `${formatCount(faster.converters)} converters take a median of ${formatDuration(faster.median_ms)} to convert. `,
    `${formatCount(faster.significant)} of ${formatCount(faster.tested)} pairs of first-touch channel and event or page convert significantly faster.`);
  if (faster.combinations.length === 0) {
    return [heading, hint, empty('pattern-faster', 'No pair has enough converters inside and outside it to compare.')];
  }
  const rows = faster.combinations.map((row) => [
    [row.channel], [row.kind === 'page' ? `page ${row.label}` : row.label], [formatCount(row.converters), true], [formatDuration(row.median_ms), true],
    [formatDuration(row.km_median_ms), true], [formatQValue(row.q_value), true], [row.faster ? 'faster' : ''],
  ]);
  return [heading, hint, table('pattern-faster', 'First-touch channel and content pairs by time to convert',
    [['Channel'], ['Event or page'], ['Converters', true], ['Median time', true], ['Kaplan–Meier median', true], ['q-value', true], ['Flag']], rows)];
}
