// E-mail sequences: for each message number in a person's sequence, the
// people sent it and the opens, clicks and unsubscribes with their rates. The
// row where opens fall away is highlighted, with the rule that picked it.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatShare } from './format.js';

const ANCHOR = 'e-mail-sequences';

// The e-mail options the page sends, which are the engine's defaults. The
// report does not echo `min_recipients`, so the stated rule reads it from here.
export const EMAIL_OPTIONS = { falloff_ratio: 0.5, min_recipients: 10 };

/** Renders the report's `email` into `root`, or nothing when it is missing or null. */
export function renderEmailView(root, email) {
  root.hidden = !email;
  if (!email) {
    replaceChildren(root);
    return;
  }
  const skipped = email.events_without_message > 0
    ? ` ${formatCount(email.events_without_message)} e-mail events without a message are left out.`
    : '';
  replaceChildren(root,
    h('h3', {}, metricLink(ANCHOR, 'E-mail sequences')),
    h('p', { className: 'hint', dataset: { testid: 'email-caption' } },
      `${formatCount(email.people)} people, ${formatCount(email.email_events)} e-mail events, messages from ${email.message_source}.${skipped}`),
    renderSteps(email),
    h('p', { className: 'hint', dataset: { testid: 'email-falloff' } }, falloffSentence(email)));
}

function falloffSentence(email) {
  const rule = `Opens fall away at the first message from number 2 whose open rate is below ${formatAmount(email.falloff_ratio)} times `
    + `that of message 1, among messages sent to at least ${formatCount(EMAIL_OPTIONS.min_recipients)} people.`;
  if (email.falloff_message === null || email.falloff_message === undefined) {
    return `${rule} No message does.`;
  }
  return `${rule} That is message ${formatCount(email.falloff_message)}, highlighted.`;
}

function renderSteps(email) {
  const rows = (email.steps ?? []).map((step) => h('tr', {
    className: step.message_number === email.falloff_message ? 'email-falloff-row' : null,
    dataset: { testid: 'email-step', falloff: String(step.message_number === email.falloff_message) },
  },
  h('th', { scope: 'row', dataset: { testid: 'email-message-number' } }, formatCount(step.message_number)),
  h('td', { className: 'number', dataset: { testid: 'email-sent' } }, formatCount(step.sent)),
  countAndRate(step.opened, step.open_rate, 'email-opened'),
  countAndRate(step.clicked, step.click_rate, 'email-clicked'),
  countAndRate(step.unsubscribed, step.unsubscribe_rate, 'email-unsubscribed')));
  return h('div', { className: 'table-scroll' },
    h('table', { className: 'compact email-table', dataset: { testid: 'email-table' } },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, metricLink(ANCHOR, 'Message')),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Sent')),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Opened')),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Clicked')),
        h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Unsubscribed')))),
      h('tbody', {}, rows)));
}

// A count with its rate of the people sent that message, as "2 (66.7%)".
function countAndRate(count, rate, testid) {
  return h('td', { className: 'number', dataset: { testid } }, `${formatCount(count)} (${formatShare(rate)})`);
}
