// The report's main tables in one shape, shared by the CSV downloads and the
// HTML report: { id, title, columns, rows }, where each column has a label
// and a kind (text, count, share, duration, number, probability) and each row contains raw
// values. Every table contains aggregates: names of events, paths, channels and
// stages with counts, never a person id.

import { formatAmount, formatCount, formatDuration, formatShare } from './format.js';

const text = (label) => ({ label, kind: 'text' });
const count = (label) => ({ label, kind: 'count' });
const share = (label) => ({ label, kind: 'share' });
const duration = (label) => ({ label, kind: 'duration' });
const number = (label) => ({ label, kind: 'number' });
const probability = (label) => ({ label, kind: 'probability' });

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = [...Array(24).keys()];

const ATTRIBUTION_MODELS = [
  ['first_touch', 'First touch'],
  ['last_touch', 'Last touch'],
  ['linear', 'Linear'],
  ['time_decay', 'Time decay'],
  ['position_based', 'Position-based'],
  ['markov', 'Markov'],
  ['shapley', 'Shapley'],
];

/** Returns the report's tables that have rows, in the order the page shows them. */
export function reportTables(report) {
  return [
    findingsTable(report.friction),
    funnelTable(report.funnel),
    pathsTable('paths-converters', 'Top paths of converters', report.paths?.converters),
    pathsTable('paths-non-converters', 'Top paths of non-converters', report.paths?.non_converters),
    sankeyTable(report.sankey),
    timingTable(report.time_to_convert),
    curveTable(report.conversion_curve),
    rhythmTable(report.rhythm),
    channelsTable(report.attribution),
    channelSpeedTable(report.channel_speed),
    stagesTable(report.stages),
    alertsTable(report.trends),
    experimentTable(report.experiment),
    experimentComparisonsTable(report.experiment),
  ].filter((table) => table !== null && table.rows.length > 0);
}

/** Formats one cell for reading, by its column's kind. */
export function formatCell(kind, value) {
  if (value === null || value === undefined) {
    return '–';
  }
  switch (kind) {
    case 'count':
      return formatCount(value);
    case 'share':
      return formatShare(value);
    case 'duration':
      return formatDuration(value);
    case 'number':
      return formatAmount(value);
    case 'probability':
      return value < 0.001 ? '< 0.001' : value.toFixed(3);
    default:
      return String(value);
  }
}

/**
 * Returns the table as CSV rows: the header, then raw values, so that a
 * spreadsheet gets numbers. Durations are in milliseconds and shares from 0 to 1.
 */
export function tableCsvRows(table) {
  const header = table.columns.map((column) => (column.kind === 'duration' ? `${column.label} (ms)` : column.label));
  return [header, ...table.rows.map((row) => row.map((value) => value ?? ''))];
}

function findingsTable(friction) {
  const findings = friction?.findings ?? [];
  return {
    id: 'findings',
    title: 'Biggest leaks',
    columns: [text('Finding'), count('Stopped'), number('Conversions lost'), number('Revenue lost')],
    rows: findings.map((finding) => [finding.sentence, finding.stopped, finding.lost_conversions, finding.lost_revenue ?? null]),
  };
}

function funnelTable(funnel) {
  if (!funnel) {
    return null;
  }
  const counted = funnel.counting === 'totals' ? 'Attempts' : 'People';
  return {
    id: 'funnel',
    title: 'Funnel',
    columns: [text('Step'), count(counted), share('% of previous'), share('% of first'), count('Drop-off'), duration('Median time from previous')],
    rows: funnel.steps.map((step) => [step.label, step.people, step.of_previous, step.of_first, step.dropped, step.median_ms_from_previous]),
  };
}

function pathsTable(id, title, group) {
  if (!group) {
    return null;
  }
  return {
    id,
    title,
    columns: [text('Path'), count('People'), share('Share')],
    rows: group.top.map((path) => [path.steps.join(' → '), path.people, path.share]),
  };
}

function timingTable(timing) {
  if (!timing || timing.measured === 0) {
    return null;
  }
  return {
    id: 'time-to-convert',
    title: 'Time to convert',
    columns: [text('Time to convert'), count('Converters')],
    rows: (timing.histogram ?? []).map((bin) => [bin.label, bin.people]),
  };
}

// The bands of the Sankey diagram, as the table under the page's diagram lists them.
function sankeyTable(sankey) {
  if (!sankey) {
    return null;
  }
  const nodes = new Map(sankey.nodes.map((node) => [node.id, node]));
  const rows = sankey.links.map((link) => {
    const source = nodes.get(link.source);
    const target = nodes.get(link.target);
    return [`${source.step} → ${target.step}`, source.label, target.label, link.people, link.median_ms ?? null];
  });
  return {
    id: 'sankey',
    title: 'Journeys step by step: the bands of the Sankey diagram',
    columns: [text('Steps'), text('From'), text('To'), count('People'), duration('Median time between')],
    rows,
  };
}

// The conversion curve at its landmarks (1, 7, 30 and 90 days).
function curveTable(curve) {
  if (!curve) {
    return null;
  }
  return {
    id: 'conversion-curve',
    title: 'Conversion curve at each landmark',
    columns: [text('After'), count('At risk'), share('Converted')],
    rows: (curve.landmarks ?? []).map((landmark) => [landmark.label, landmark.at_risk, landmark.cumulative]),
  };
}

// The weekday × hour counts, one row per weekday from Monday and a last row
// of the totals per hour.
function rhythmTable(rhythm) {
  if (!rhythm) {
    return null;
  }
  const counted = rhythm.basis === 'conversions' ? `"${rhythm.event}" events` : 'Events';
  const rows = rhythm.counts.map((counts, weekday) => [WEEKDAYS[weekday], ...counts, rhythm.by_weekday[weekday]]);
  rows.push(['All days', ...rhythm.by_hour, rhythm.events]);
  return {
    id: 'rhythm',
    title: `${counted} by weekday and hour of the day (${rhythm.time_zone})`,
    columns: [text('Day'), ...HOURS.map((hour) => count(String(hour))), count('Total')],
    rows,
  };
}

function channelsTable(attribution) {
  if (!attribution) {
    return null;
  }
  const models = ATTRIBUTION_MODELS.filter(([field]) => attribution.channels.some((channel) => typeof channel[field] === 'number'));
  return {
    id: 'channels',
    title: 'Channel attribution (conversions credited)',
    columns: [text('Channel'), count('Journeys'), ...models.map(([, label]) => number(label))],
    rows: attribution.channels.map((channel) => [channel.channel, channel.journeys, ...models.map(([field]) => channel[field] ?? null)]),
  };
}

function channelSpeedTable(channelSpeed) {
  if (!channelSpeed) {
    return null;
  }
  return {
    id: 'channel-speed',
    title: 'Time to convert by first-touch channel',
    columns: [text('Channel'), count('People'), count('Converters'), duration('Median time to convert'), share('Converted by the end')],
    rows: channelSpeed.channels.map((row) => [row.channel, row.people, row.converters, row.median_ms, row.final_cumulative]),
  };
}

function stagesTable(stages) {
  if (!stages) {
    return null;
  }
  const timeIn = new Map((stages.time_in_stage ?? []).map((row) => [row.stage, row.duration?.median_ms ?? null]));
  return {
    id: 'stages',
    title: 'Furthest stage reached',
    columns: [text('Stage'), count('People'), share('Share'), count('Converters'), duration('Median time in stage')],
    rows: (stages.furthest ?? []).map((row) => [row.stage ?? 'no stage', row.people, row.share, row.converters, timeIn.get(row.stage) ?? null]),
  };
}

function alertsTable(trends) {
  if (!trends) {
    return null;
  }
  return {
    id: 'alerts',
    title: 'What changed',
    columns: [text('Source'), text('Alert')],
    rows: trends.alerts.map((alert) => [alert.source, alert.message]),
  };
}

function experimentTable(experiment) {
  if (!experiment) {
    return null;
  }
  const rows = experiment.variants.flatMap((variant) => variant.steps.map((step, index) => [
    variant.control ? `${variant.name} (control)` : variant.name,
    experiment.steps[index],
    variant.people,
    step.people,
    step.rate,
    step.lower,
    step.upper,
  ]));
  return {
    id: 'experiment',
    title: 'Experiment: rates by variant',
    columns: [text('Variant'), text('Step'), count('People'), count('Reached'), share('Rate'), share('Lower 95%'), share('Upper 95%')],
    rows,
  };
}

function experimentComparisonsTable(experiment) {
  if (!experiment) {
    return null;
  }
  return {
    id: 'experiment-comparisons',
    title: 'Experiment: each variant against the control',
    columns: [text('Variant'), text('Step'), share('Difference'), share('Lower'), share('Upper'), probability('p'), probability('Holm p'), probability('P(beat control)')],
    rows: experiment.comparisons.map((row) => [
      row.variant,
      experiment.steps[row.step],
      row.difference,
      row.lower,
      row.upper,
      row.p_value ?? null,
      row.holm_p_value ?? null,
      row.probability_to_beat,
    ]),
  };
}
