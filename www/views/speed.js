// Speed segments and channel speed. Fast, medium and slow converters side by
// side with what they did before converting, then each first-touch channel's
// Kaplan–Meier median time to convert. Reports without them show nothing.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatDuration, formatPath, formatShare } from './format.js';
import { parseWindow } from './options.js';

// The speed options right after a load: terciles, which are the engine's default.
export const SPEED_DEFAULTS = { cuts: '' };

// The channel-speed options right after a load, which are the engine's defaults.
export const CHANNEL_SPEED_DEFAULTS = { by: 'first_touch' };

/** Returns the channel-speed options in engine form. */
export function channelSpeedOptions(settings) {
  return { by: settings.by };
}

const SEGMENT_TITLES = { fast: 'Fast movers', medium: 'Medium movers', slow: 'Slow movers' };

/** Returns the speed options in engine form: no cuts for terciles, or the two durations. */
export function speedOptions(settings) {
  return { cuts: splitCuts(settings.cuts) };
}

function splitCuts(text) {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * Renders the report's speed segments into `root`, or nothing when they are
 * missing or null. The view edits `settings` (see SPEED_DEFAULTS) and calls `onChange()`.
 */
export function renderSpeedView(root, speed, settings, onChange) {
  root.hidden = !speed;
  if (!speed) {
    replaceChildren(root);
    return;
  }
  const rule = speed.cut_rule === 'terciles'
    ? 'Split at the terciles of the time to convert'
    : 'Split at the chosen durations';
  const cuts = speed.fast_max_ms === null
    ? ''
    : `: fast up to ${formatDuration(speed.fast_max_ms)}, medium up to ${formatDuration(speed.medium_max_ms)}, slow beyond.`;
  const excluded = speed.excluded > 0 ? ` ${formatCount(speed.excluded)} converters whose first event is the conversion are left out.` : '';

  replaceChildren(root,
    h('h3', {}, metricLink('speed-segments', 'Speed segments')),
    renderCutsField(settings, onChange),
    h('p', { className: 'hint', dataset: { testid: 'speed-caption' } },
      `${formatCount(speed.converters)} converters. ${rule}${cuts}${excluded}`),
    h('div', { className: 'speed-columns' }, speed.segments.map(renderSegment)));
}

// A text field for two durations, such as 1d,7d; empty for terciles. The
// engine checks that the first is shorter and reports it in the status area.
function renderCutsField(settings, onChange) {
  const error = h('p', { className: 'field-error', dataset: { testid: 'speed-cuts-error' }, attrs: { role: 'alert' } });
  const input = h('input', {
    type: 'text',
    value: settings.cuts,
    placeholder: 'terciles, or e.g. 1d,7d',
    size: 16,
    dataset: { testid: 'speed-cuts' },
    on: {
      change: () => {
        const parts = splitCuts(input.value);
        try {
          if (parts.length !== 0 && (parts.length !== 2 || parts.some((part) => parseWindow(part) === null))) {
            throw new Error();
          }
        } catch {
          error.textContent = `Invalid cut-offs "${input.value}": write two durations such as 1d,7d, or leave the field empty for terciles.`;
          return;
        }
        error.textContent = '';
        settings.cuts = input.value;
        onChange();
      },
    },
  });
  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, 'Segment cut-offs'), input),
    error);
}

function renderSegment(segment) {
  const figures = [
    ['People', formatCount(segment.people), 'people'],
    ['Median time to convert', formatDuration(segment.median_ms), 'median'],
    ['Events before converting (mean)', formatAmount(segment.mean_events), 'events'],
    ['Channels before converting (mean)', formatAmount(segment.mean_channels), 'channels'],
  ].map(([label, text, testid]) => h('div', { className: 'figure' },
    h('dt', {}, label),
    h('dd', { dataset: { testid: `speed-${testid}` } }, text)));
  // A long path shows its ends, and the whole path is in the item's tooltip.
  const paths = segment.top_paths.map((path) => h('li', { dataset: { testid: 'speed-path' }, title: path.steps.join(' → ') },
    path.steps.length > 0 ? formatPath(path.steps) : '(no event before converting)',
    h('span', { className: 'hint' }, ` ${formatCount(path.people)} (${formatShare(path.share)})`)));
  const channels = segment.first_touch.map((row) => h('tr', {},
    h('td', {}, row.channel),
    h('td', { className: 'number' }, formatCount(row.people)),
    h('td', { className: 'number' }, formatShare(row.share))));
  if (segment.without_channel > 0) {
    channels.push(h('tr', {},
      h('td', {}, '(no channel)'),
      h('td', { className: 'number' }, formatCount(segment.without_channel)),
      h('td', { className: 'number' }, formatShare(segment.without_channel / Math.max(1, segment.people)))));
  }

  return h('section', { className: 'speed-segment', dataset: { testid: `speed-${segment.name}` }, attrs: { 'aria-label': SEGMENT_TITLES[segment.name] } },
    h('h4', {}, SEGMENT_TITLES[segment.name] ?? segment.name),
    h('dl', { className: 'figures small' }, figures),
    h('h5', {}, 'Top paths before converting'),
    paths.length > 0 ? h('ol', { className: 'speed-paths' }, paths) : h('p', { className: 'empty' }, 'No converter in this segment.'),
    h('table', { className: 'process-activities' },
      h('caption', {}, 'First-touch channel'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Channel'),
        h('th', { scope: 'col', className: 'number' }, 'People'),
        h('th', { scope: 'col', className: 'number' }, 'Share'))),
      h('tbody', {}, channels)));
}

/**
 * Renders the report's channel speed into `root`, or nothing when it is missing
 * or null. The view edits `settings` (see CHANNEL_SPEED_DEFAULTS) and calls `onChange()`.
 */
export function renderChannelSpeedView(root, channelSpeed, settings, onChange) {
  root.hidden = !channelSpeed;
  if (!channelSpeed) {
    replaceChildren(root);
    return;
  }
  const rows = channelSpeed.channels.map((row) => h('tr', { dataset: { testid: 'channel-speed-row' } },
    h('th', { scope: 'row' }, row.channel),
    h('td', { className: 'number' }, formatCount(row.people)),
    h('td', { className: 'number' }, formatCount(row.converters)),
    h('td', { className: 'number', dataset: { testid: 'channel-speed-median' } }, row.median_ms === null ? 'not reached' : formatDuration(row.median_ms)),
    h('td', { className: 'number' }, formatShare(row.final_cumulative)),
    h('td', { className: 'number' }, formatDuration(row.converters_median_ms))));
  const grouping = h('select', {
    dataset: { testid: 'channel-speed-by' },
    on: { change: () => { settings.by = grouping.value; onChange(); } },
  },
  h('option', { value: 'first_touch', selected: channelSpeed.by === 'first_touch' }, 'their first channel before converting'),
  h('option', { value: 'any_touch', selected: channelSpeed.by === 'any_touch' }, 'every channel they touched before converting'));
  const grouped = channelSpeed.by === 'any_touch'
    ? 'People grouped under every channel they touched before converting, so one person can be in several rows; fastest first.'
    : 'People grouped by their first-touch channel, fastest first.';
  const apart = channelSpeed.without_channel > 0
    ? ` ${formatCount(channelSpeed.without_channel)} people with no channel before converting are not in any row.`
    : '';

  replaceChildren(root,
    h('h3', {}, metricLink('channel-speed', 'Channel speed')),
    h('div', { className: 'section-tools' },
      h('label', { className: 'field inline' }, h('span', {}, 'Group people by'), grouping)),
    h('p', { className: 'hint', dataset: { testid: 'channel-speed-caption' } },
      `${grouped} The median counts the people who have not converted yet as still waiting (Kaplan–Meier, censored at the end of the data); "not reached" means the estimated share converted never gets to half.`,
      apart),
    h('table', { className: 'process-activities', dataset: { testid: 'channel-speed-table' } },
      h('caption', {}, channelSpeed.by === 'any_touch' ? 'Time to convert by channel touched' : 'Time to convert by first-touch channel'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Channel'),
        h('th', { scope: 'col', className: 'number' }, 'People'),
        h('th', { scope: 'col', className: 'number' }, 'Converters'),
        h('th', { scope: 'col', className: 'number' }, 'Median (Kaplan–Meier)'),
        h('th', { scope: 'col', className: 'number' }, 'Converted by the end'),
        h('th', { scope: 'col', className: 'number' }, 'Median among converters'))),
      h('tbody', {}, rows)));
}
