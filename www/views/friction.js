// The friction finder: the results open with the three places where the most
// conversions are estimated lost, each with its sentence, its interval, a link
// to the chart that shows it and a button for the people who stopped there.
// The rest of the ranked findings follow in a table.

import { h, metricLink, replaceChildren } from './dom.js';
import { formatAmount, formatCount, formatShare } from './format.js';

const ANCHOR = 'friction-finder';

// Findings shown as cards; the others are in the table below them.
const HEADLINE_COUNT = 3;

// The element that shows the evidence for each report section.
const SECTION_TARGETS = {
  funnel: 'funnel-view',
  paths: 'paths-view',
  email: 'email-view',
  silences: 'silences-view',
  stages: 'stages-view',
};

const KIND_NAMES = {
  funnel_step: 'Funnel step',
  exit_page: 'Exit',
  email_stop: 'E-mail',
  silence: 'Silence',
  stage_skip: 'Skipped stage',
};

/**
 * Renders the report's `friction` into `root`, or hides it when there is
 * none. `onPeople(index, title)` lists the people who stopped at finding
 * `index`.
 */
export function renderFrictionView(root, friction, { onPeople }) {
  root.hidden = !friction;
  if (!friction) {
    replaceChildren(root);
    return;
  }
  const heading = h('h3', {}, metricLink(ANCHOR, 'Biggest leaks'));
  if (friction.findings.length === 0) {
    replaceChildren(root, heading,
      h('p', { className: 'empty', dataset: { testid: 'friction-none' } },
        `No place where at least ${formatCount(friction.min_stopped)} people stopped.`));
    return;
  }
  const headline = friction.findings.slice(0, HEADLINE_COUNT);
  replaceChildren(root,
    heading,
    h('p', { className: 'hint' },
      'Conversions estimated lost where people stop: the people who stopped, times the conversion rate of those who went on, with a 95% interval. ',
      'An upper bound and an association, not a proven cause.'),
    h('ol', { className: 'friction-cards' },
      headline.map((finding, index) => renderCard(finding, index, friction, onPeople))),
    friction.findings.length > HEADLINE_COUNT ? renderTable(friction, onPeople) : null);
}

function lostText(finding, friction) {
  const conversions = `${formatAmount(finding.lost_conversions)} conversions (${formatAmount(finding.lost_conversions_low)} to ${formatAmount(finding.lost_conversions_high)})`;
  if (typeof finding.lost_revenue !== 'number') {
    return conversions;
  }
  return `${conversions}, about ${formatAmount(finding.lost_revenue)} in revenue at an average order of ${formatAmount(friction.average_order_value)}`;
}

function peopleButton(finding, index, onPeople) {
  return h('button', {
    type: 'button',
    className: 'secondary',
    dataset: { testid: 'friction-people' },
    on: { click: () => onPeople(index, `Stopped at ${finding.label}`) },
  }, `Show the ${formatCount(finding.stopped)} people`);
}

function evidenceLink(finding) {
  const target = SECTION_TARGETS[finding.section];
  return target ? h('a', { href: `#${target}`, dataset: { testid: 'friction-evidence' } }, 'See the chart') : null;
}

function renderInterventions(finding) {
  const interventions = finding.interventions ?? [];
  if (interventions.length === 0) {
    return null;
  }
  return h('div', { className: 'friction-try' },
    h('p', {}, metricLink('interventions', 'What to try')),
    h('ul', { dataset: { testid: 'friction-interventions' } },
      interventions.map((item) => h('li', {}, h('strong', {}, item.title), '. ', item.reason))));
}

function renderHypotheses(finding) {
  const sentences = [...(finding.hypotheses ?? []), ...(finding.themes ?? [])].map((item) => item.sentence);
  if (sentences.length === 0) {
    return null;
  }
  return h('div', { className: 'friction-why' },
    h('p', {}, metricLink('hypotheses', 'Why it might be')),
    h('ul', { dataset: { testid: 'friction-hypotheses' } }, sentences.map((sentence) => h('li', {}, sentence))));
}

// Past two years a test is out of reach at this traffic, and the exact
// number of weeks says nothing more.
function weeksText(weeks) {
  if (weeks > 104) {
    return 'over two years at this traffic';
  }
  return weeks < 1.5 ? 'about a week' : `about ${formatCount(Math.ceil(weeks))} weeks`;
}

// The test plan in two sentences: what a planned test can detect, and what a
// 10% rise of the rate would need.
function renderTestPlan(plan) {
  if (!plan) {
    return null;
  }
  const detect = plan.minimum_detectable_effect === null
    ? `At ${formatAmount(plan.weekly_people)} people a week, a ${formatCount(plan.weeks)}-week test cannot detect any rise.`
    : `At ${formatAmount(plan.weekly_people)} people a week, a ${formatCount(plan.weeks)}-week test detects a rise of ${formatAmount(plan.minimum_detectable_effect * 100)} points or more.`;
  const target = plan.people_per_arm === null
    ? ''
    : ` A ${formatShare(plan.target_uplift)} rise needs ${formatCount(plan.people_per_arm)} people in each arm, ${weeksText(plan.weeks_needed)}.`;
  return h('p', { className: 'hint', dataset: { testid: 'friction-plan' } },
    metricLink('test-plan', 'Test plan'),
    `: watch ${plan.metric}, now ${formatShare(plan.baseline_rate)}. ${detect}${target}`);
}

function renderCard(finding, index, friction, onPeople) {
  return h('li', { className: 'friction-card', dataset: { testid: 'friction-card' } },
    h('p', { className: 'friction-kind' }, `${KIND_NAMES[finding.kind] ?? finding.kind}: `, h('strong', {}, finding.label)),
    h('p', { dataset: { testid: 'friction-sentence' } }, finding.sentence),
    h('p', { className: 'hint', dataset: { testid: 'friction-lost' } }, `Lost: ${lostText(finding, friction)}.`),
    renderHypotheses(finding),
    renderInterventions(finding),
    renderTestPlan(finding.test_plan),
    h('p', { className: 'friction-actions' }, evidenceLink(finding), ' ', peopleButton(finding, index, onPeople)));
}

function renderTable(friction, onPeople) {
  const rows = friction.findings.map((finding, index) => h('tr', { dataset: { testid: 'friction-row' } },
    h('th', { scope: 'row' }, `${index + 1}. ${finding.label}`),
    h('td', {}, KIND_NAMES[finding.kind] ?? finding.kind),
    h('td', { className: 'number' }, formatCount(finding.stopped)),
    h('td', { className: 'number' }, formatShare(finding.went_on_rate)),
    h('td', { className: 'number' }, `${formatAmount(finding.lost_conversions)} (${formatAmount(finding.lost_conversions_low)}–${formatAmount(finding.lost_conversions_high)})`),
    h('td', {}, peopleButton(finding, index, onPeople))));
  return h('details', { className: 'friction-all' },
    h('summary', {}, `All ${formatCount(friction.findings.length)} findings of ${formatCount(friction.candidates)} places checked`),
    h('div', { className: 'table-scroll' },
      h('table', { dataset: { testid: 'friction-table' } },
        h('caption', {}, 'Places where people stop, by conversions estimated lost'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Place'),
          h('th', { scope: 'col' }, 'Kind'),
          h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Stopped')),
          h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Went-on rate')),
          h('th', { scope: 'col', className: 'number' }, metricLink(ANCHOR, 'Lost conversions (95%)')),
          h('th', { scope: 'col' }, 'People'))),
        h('tbody', {}, rows))));
}
