// The AI brief: the report's anonymised Markdown summary in a read-only text
// box, and a button that copies exactly that text to the clipboard. Nothing is
// sent anywhere. The view shows nothing when the report has no `brief`.

import { h, metricLink, replaceChildren } from './dom.js';

/** Renders the report's brief into `root`, or nothing when it is missing or null. */
export function renderBriefView(root, brief) {
  root.hidden = typeof brief !== 'string';
  if (root.hidden) {
    replaceChildren(root);
    return;
  }
  const text = h('textarea', {
    className: 'brief-text',
    readOnly: true,
    rows: 16,
    value: brief,
    attrs: { spellcheck: 'false', 'aria-label': 'AI brief, exactly as it will be copied' },
    dataset: { testid: 'brief-text' },
  });
  const message = h('span', { className: 'hint', attrs: { role: 'status' }, dataset: { testid: 'brief-copied' } });
  const button = h('button', {
    type: 'button',
    dataset: { testid: 'brief-copy' },
    on: { click: () => copyBrief(text, message) },
  }, 'Copy brief');

  replaceChildren(root,
    h('h3', {}, metricLink('ai-brief', 'Copy brief for an AI assistant')),
    h('p', { className: 'hint', dataset: { testid: 'brief-privacy' } },
      'This summary has no person ids, e-mail addresses or survey answers, and hides counts below 10. ',
      'Nothing is sent anywhere: the button only puts the text below on your clipboard, and you decide where to paste it.'),
    text,
    h('div', { className: 'brief-actions' }, button, message));
}

/** Copies the text box's value with the clipboard API, or selects it for the user to copy. */
async function copyBrief(text, message) {
  try {
    if (!navigator.clipboard?.writeText) {
      throw new Error('The clipboard API is not available.');
    }
    await navigator.clipboard.writeText(text.value);
    message.textContent = 'Copied.';
  } catch {
    text.focus();
    text.select();
    message.textContent = 'Copying is blocked here; the text is selected, so press Ctrl+C or ⌘C.';
  }
}
