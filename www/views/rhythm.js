// When people buy: conversion events by local weekday and hour, as an SVG
// heat map (heatmap.js) and below it as a table. The table is the chart's
// text alternative, so a screen reader reads each count with its weekday and
// hour headers. Its cells use one blue hue from light to dark (safe for
// colour-blind readers) and always show their count as text.

import { chartExportButtons } from './chart-export.js';
import { h, metricLink, replaceChildren } from './dom.js';
import { formatCount, formatShare } from './format.js';
import { renderHeatmapChart } from './heatmap.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// Lightness of the emptiest and the fullest cell, in per cent, and the
// lightness below which the count is written in white, not black. On the
// cell colour hsl(210 70% L), white text reaches at least 4.5:1 below 47%,
// and black text at least 4.6:1 from 47% up (WCAG 2.1 contrast ratio).
const LIGHTEST = 97;
const DARKEST = 30;
const WHITE_TEXT_BELOW = 47;

/** Renders the report's hour-and-weekday counts into `root`, or nothing when they are missing or null. */
export function renderRhythmView(root, rhythm) {
  root.hidden = !rhythm;
  if (!rhythm) {
    replaceChildren(root);
    return;
  }
  const counted = rhythm.basis === 'conversions' ? `"${rhythm.event}" events` : 'events';
  const peak = rhythm.peak_weekday === null
    ? 'Nothing was counted.'
    : `The busiest hour is ${WEEKDAYS[rhythm.peak_weekday]} ${hourLabel(rhythm.peak_hour)}, with ${formatCount(rhythm.counts[rhythm.peak_weekday][rhythm.peak_hour])} ${counted}.`;
  const dateOnly = rhythm.date_only > 0 ? ` ${formatCount(rhythm.date_only)} events with a date but no time of day are left out.` : '';

  const chart = renderHeatmapChart(rhythm.counts, {
    weekdays: WEEKDAYS,
    counted,
    timeZone: rhythm.time_zone,
    total: rhythm.events,
    summary: `Heat map of ${formatCount(rhythm.events)} ${counted} by weekday and hour in ${rhythm.time_zone}; darker cells hold more. ${peak} The table below lists every count.`,
  });

  replaceChildren(root,
    h('h3', {}, metricLink('when-people-buy', 'When people buy')),
    h('p', { className: 'hint', dataset: { testid: 'rhythm-caption' } },
      `${formatCount(rhythm.events)} ${counted} by day of the week and hour in ${rhythm.time_zone}. ${peak}${dateOnly}`),
    chartExportButtons(() => chart, 'pathlight-rhythm', 'heat map of when people buy'),
    h('div', { className: 'chart-scroll' }, chart),
    h('div', { className: 'table-scroll' }, renderMatrix(rhythm, counted)));
}

function renderMatrix(rhythm, counted) {
  const largest = Math.max(1, ...rhythm.counts.flat());
  const hours = [...Array(24).keys()];
  const rows = rhythm.counts.map((counts, weekday) => h('tr', {},
    h('th', { scope: 'row' }, WEEKDAYS[weekday]),
    counts.map((count, hour) => heatCell(count, largest, `${WEEKDAYS[weekday]} ${hourLabel(hour)}`, rhythm.events)),
    h('td', { className: 'number total', dataset: { testid: 'rhythm-weekday-total' } },
      formatCount(rhythm.by_weekday[weekday]), h('span', { className: 'share' }, ` (${formatShare(rhythm.weekday_shares[weekday])})`))));
  const totals = h('tr', { className: 'total' },
    h('th', { scope: 'row' }, 'All days'),
    hours.map((hour) => h('td', {
      className: 'number',
      dataset: { testid: 'rhythm-hour-total' },
      title: `${formatShare(rhythm.hour_shares[hour])} of all`,
    }, formatCount(rhythm.by_hour[hour]))),
    h('td', { className: 'number', dataset: { testid: 'rhythm-total' } }, formatCount(rhythm.events)));

  return h('table', { className: 'heatmap', dataset: { testid: 'rhythm-heatmap' } },
    h('caption', {}, `${counted} by weekday (rows) and hour of the day (columns); darker cells hold more`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Day'),
      hours.map((hour) => h('th', { scope: 'col', className: 'number' }, String(hour))),
      h('th', { scope: 'col', className: 'number' }, 'Total'))),
    h('tbody', {}, rows, totals));
}

function heatCell(count, largest, label, total) {
  const lightness = LIGHTEST - (LIGHTEST - DARKEST) * (count / largest);
  const share = total > 0 ? `, ${formatShare(count / total)} of all` : '';
  const cell = h('td', { className: 'number heat', dataset: { testid: 'rhythm-cell' }, title: `${label}: ${formatCount(count)}${share}` }, formatCount(count));
  cell.style.backgroundColor = `hsl(210 70% ${lightness.toFixed(1)}%)`;
  cell.style.color = lightness < WHITE_TEXT_BELOW ? '#fff' : '#000';
  return cell;
}

function hourLabel(hour) {
  return `${String(hour).padStart(2, '0')}:00`;
}
