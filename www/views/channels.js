// Channel attribution: one row per channel with the credit of each model and
// its share of the credited conversions, the Markov removal effect, the
// weight and half-life controls, and a short note on each model.

import { h, metricLink, replaceChildren } from './dom.js';
// Credits are fractions of conversions or amounts, so both read with two decimals.
import { formatAmount, formatCount, formatShare } from './format.js';

// The attribution options right after a load, which are the engine's defaults.
export const ATTRIBUTION_DEFAULTS = { weight: 'conversions', halfLife: '7d', markovOrder: 1, markovCollapseRepeats: false };

// The Markov orders offered; the engine accepts 1 to 4.
const MARKOV_ORDERS = [1, 2, 3, 4];

// Report field, column label and a one-sentence note for each model. Every
// model is defined in the Attribution section of the metrics page.
const MODELS = [
  ['first_touch', 'First touch', 'All the credit goes to the first channel of the journey.'],
  ['last_touch', 'Last touch', 'All the credit goes to the channel touched last, up to the conversion.'],
  ['linear', 'Linear', 'Each touchpoint gets an equal part, so a channel touched twice gets two parts.'],
  ['time_decay', 'Time decay', 'Touchpoints nearer the conversion get more; one half-life earlier gets half as much.'],
  ['position_based', 'Position-based', 'The first and the last touchpoint get 40% each, and the ones between share 20%.'],
  ['markov', 'Markov', 'Credit in proportion to how much conversion falls when the channel is removed from the journeys.'],
  ['shapley', 'Shapley', 'Each conversion is split equally over the distinct channels of its journey.'],
];

// A half-life is a positive number and a unit: seconds, minutes, hours, days or weeks.
const HALF_LIFE_PATTERN = /^\d+(\.\d+)?\s*[smhdw]$/i;

/** Returns the attribution options in engine form. */
export function attributionOptions(settings) {
  return {
    weight: settings.weight,
    half_life: settings.halfLife.trim().toLowerCase().replace(/\s+/g, ''),
    markov_order: settings.markovOrder ?? 1,
    markov_collapse_repeats: settings.markovCollapseRepeats ?? false,
  };
}

/**
 * Renders the report's attribution into `root`, or a hint when it is null.
 * The view edits `settings` (see ATTRIBUTION_DEFAULTS) and calls `onChange()`.
 * `people` is everyone in the report, the base of the journeys' tooltips.
 * `onPeople(selection, title)`, when given, opens the people behind a
 * channel's journeys and, with conversion weight, its first- and last-touch
 * credits.
 */
export function renderChannelsView(root, attribution, settings, onChange, { people = 0, onPeople = null } = {}) {
  if (!attribution) {
    replaceChildren(root, h('p', { className: 'empty', dataset: { testid: 'channels-unavailable' } },
      'Attribution needs a conversion event and a channel column.'));
    return;
  }
  const models = MODELS.filter(([field]) => attribution.channels.some((channel) => channel[field] !== null && channel[field] !== undefined));
  const credited = attribution.credited;

  const header = h('tr', {},
    h('th', { scope: 'col' }, 'Channel'),
    h('th', { scope: 'col', className: 'number' }, 'Journeys'),
    models.map(([, label]) => h('th', { scope: 'col', className: 'number' }, label)),
    h('th', { scope: 'col', className: 'number' }, metricLink('attribution', 'Removal effect')));
  const rows = attribution.channels.map((channel) => h('tr', { dataset: { testid: 'channel-row', channel: channel.channel } },
    h('th', { scope: 'row', dataset: { testid: 'channel-name' } }, channel.channel),
    h('td', { className: 'number', dataset: { testid: 'channel-journeys' } }, journeysCount(channel, people, onPeople)),
    models.map(([field]) => h('td', { className: 'number', dataset: { testid: `credit-${field}` } },
      h('span', { className: 'credit', dataset: { testid: 'credit-value' } }, creditValue(channel, field, attribution, onPeople)),
      h('span', { className: 'credit-share', dataset: { testid: 'credit-share' } },
        credited > 0 && typeof channel[field] === 'number' ? formatShare(channel[field] / credited) : '–'))),
    h('td', { className: 'number', dataset: { testid: 'removal-effect' } }, formatShare(channel.removal_effect))));

  replaceChildren(root,
    renderControls(attribution, settings, onChange),
    renderCaption(attribution),
    h('div', { className: 'table-scroll' },
      h('table', { className: 'channels-table', dataset: { testid: 'channels-table' } },
        h('thead', {}, header),
        h('tbody', {}, rows))),
    h('dl', { className: 'model-notes' },
      models.map(([, label, note]) => [h('dt', {}, metricLink('attribution', label)), h('dd', {}, note)])));
}

// People-opening buttons carry their count in data-people, for tests and
// for reading the exact number behind a rounded credit.
function peopleButton(text, tooltip, count, open, testid) {
  return h('button', {
    type: 'button',
    className: 'link-button',
    title: tooltip,
    dataset: { testid, people: String(count) },
    attrs: { 'aria-label': `${tooltip}. Show these people.` },
    on: { click: open },
  }, text);
}

function journeysCount(channel, people, onPeople) {
  const unit = channel.journeys === 1 ? 'person' : 'people';
  const share = people > 0 ? `, ${formatShare(channel.journeys / people)} of all ${formatCount(people)},` : '';
  const tooltip = `${formatCount(channel.journeys)} ${unit}${share} had a touchpoint of ${channel.channel}`;
  if (!onPeople || channel.journeys === 0) {
    return h('span', { title: tooltip }, formatCount(channel.journeys));
  }
  const open = () => onPeople({ kind: 'channel', channel: channel.channel, touch: 'touched' }, `People with a touchpoint of ${channel.channel}`);
  return peopleButton(formatCount(channel.journeys), tooltip, channel.journeys, open, 'channel-people');
}

// With conversion weight a first- or last-touch credit is a count of
// converters, so it opens them; other credits are shares and stay text.
function creditValue(channel, field, attribution, onPeople) {
  const text = formatAmount(channel[field]);
  const touch = { first_touch: 'first', last_touch: 'last' }[field];
  if (!touch || !onPeople || attribution.weight !== 'conversions' || typeof channel[field] !== 'number' || channel[field] === 0) {
    return text;
  }
  const count = Math.round(channel[field]);
  const share = attribution.credited > 0 ? `, ${formatShare(channel[field] / attribution.credited)} of the ${formatAmount(attribution.credited)} credited conversions` : '';
  const tooltip = `${formatCount(count)} ${count === 1 ? 'converter' : 'converters'} had ${channel.channel} as their ${touch} touchpoint${share}`;
  const open = () => onPeople({ kind: 'channel', channel: channel.channel, touch: `${touch}_touch` }, `Converters with ${channel.channel} as their ${touch} touchpoint`);
  return peopleButton(text, tooltip, count, open, `channel-${touch}-touch-people`);
}

function renderControls(attribution, settings, onChange) {
  const weight = h('select', {
    dataset: { testid: 'attribution-weight' },
    on: { change: () => { settings.weight = weight.value; onChange(); } },
  },
  h('option', { value: 'conversions', selected: settings.weight === 'conversions' }, 'conversions'),
  h('option', { value: 'value', selected: settings.weight === 'value' }, 'conversion value'));

  const error = h('span', { className: 'field-error', dataset: { testid: 'half-life-error' }, attrs: { role: 'alert' } });
  const halfLife = h('input', {
    type: 'text',
    value: settings.halfLife,
    size: 6,
    // A channel path table has no times, so time decay does not apply.
    disabled: attribution.half_life_ms === null,
    dataset: { testid: 'attribution-half-life' },
    on: {
      change: () => {
        if (!HALF_LIFE_PATTERN.test(halfLife.value.trim())) {
          error.textContent = `Invalid half-life "${halfLife.value}": write a number and a unit (s, m, h, d or w) such as 7d.`;
          return;
        }
        error.textContent = '';
        settings.halfLife = halfLife.value;
        onChange();
      },
    },
  });
  const order = h('select', {
    dataset: { testid: 'markov-order' },
    on: { change: () => { settings.markovOrder = Number(order.value); onChange(); } },
  }, MARKOV_ORDERS.map((value) => h('option', { value: String(value), selected: value === (settings.markovOrder ?? 1) }, String(value))));
  const collapse = h('input', {
    type: 'checkbox',
    checked: settings.markovCollapseRepeats === true,
    dataset: { testid: 'markov-collapse' },
    on: { change: () => { settings.markovCollapseRepeats = collapse.checked; onChange(); } },
  });
  return h('div', { className: 'section-tools' },
    h('label', { className: 'field inline' }, h('span', {}, 'Weight'), weight),
    h('label', { className: 'field inline' },
      h('span', { title: 'Time-decay half-life, as a number and a unit (s, m, h, d or w).' }, 'Half-life'), halfLife),
    h('label', { className: 'field inline' },
      h('span', { title: 'How many of the latest channels make one state of the Markov chain.' }, metricLink('markov-order', 'Markov order')), order),
    h('label', { className: 'field inline' }, collapse, ' Merge repeated channels in the Markov model'),
    error);
}

function renderCaption(attribution) {
  const unit = attribution.weight === 'value' ? 'conversion value' : 'conversions';
  const parts = [`: ${formatAmount(attribution.credited)} ${unit} credited to channels`];
  if (attribution.uncredited > 0) {
    parts.push(`, ${formatAmount(attribution.uncredited)} without a touchpoint and not credited`);
  }
  if (typeof attribution.conversion_probability === 'number') {
    parts.push(`. Markov conversion probability: ${formatShare(attribution.conversion_probability)}`);
    if (typeof attribution.markov_states === 'number') {
      parts.push(` (order ${attribution.markov_order}, ${formatCount(attribution.markov_states)} states)`);
    }
  }
  return h('p', { className: 'hint', dataset: { testid: 'channels-caption' } },
    metricLink('attribution', 'Attribution'), `${parts.join('')}. Each cell shows the credit and its share.`);
}
