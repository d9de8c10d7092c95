// Test connection: the directory settings the form holds now go to POST /sync/config/test,
// and the page shows what the identity provider answered: each group's name, how many people
// its first page holds, the first of them, or the provider's refusal in its own words.
// Nothing is stored. The answer is said to screen readers in one sentence, urgently when
// something failed; the button keeps focus, to test again.

import { request, explain, sentence } from './api.js';
import { h, badge, busy, announce, loading } from './dom.js';
import { clearErrors } from './forms.js';
import { PROVIDERS } from './syncproviders.js';

// testConnection is the button with the place for its answer (el), and reset to empty it.
// settings() gives the request's directory, and problems(err) to show the API's problems
// with it at the form's fields.
export function testConnection(form, settings) {
  const button = h('button', { type: 'button', class: 'secondary', id: 'sync-test', text: 'Test connection', 'aria-describedby': 'sync-test-hint' });
  const out = h('div', { id: 'sync-test-result' });
  button.addEventListener('click', async () => {
    clearErrors(form);
    const { directory, problems } = settings();
    const name = providerName(directory.provider);
    busy(button, true, 'Testing…');
    delete out.dataset.ok;
    out.replaceChildren(loading(`Signing in to ${name}…`));
    try {
      const res = await request('POST', '/sync/config/test', { body: { directory } });
      out.dataset.ok = String(Boolean(res.ok));
      out.replaceChildren(...answer(res));
      announce(said(res), !res.ok);
    } catch (err) {
      out.dataset.ok = 'false';
      const text = err.errors && err.errors.length ? 'Nothing was tested: fix what is marked, then test again.' : explain(err);
      out.replaceChildren(h('p', { class: 'note bad', text }));
      busy(button, false);
      if (err.errors && err.errors.length) problems(err);
      else announce(text, true);
      return;
    }
    busy(button, false);
  });
  const el = h('div', { class: 'test-connection' },
    h('div', { class: 'actions' }, button, h('span', { class: 'hint', id: 'sync-test-hint', text: 'Signs in and reads the first page of each group. Nothing is stored or changed.' })),
    out);
  // reset forgets an answer that was about other settings (another provider).
  const reset = () => {
    delete out.dataset.ok;
    out.replaceChildren();
  };
  return { el, reset };
}

const providerName = (p) => (PROVIDERS[p] ? PROVIDERS[p].label : 'the identity provider');
const groupName = (g) => g.name || (g.id ? g.id : 'All users');

// people says how many people a group's first page holds.
function people(g) {
  const n = `${g.count} ${g.count === 1 ? 'person' : 'people'}`;
  return g.more ? `${n} on the first page, and more` : n;
}

// said is the answer in one sentence.
function said(res) {
  const groups = res.groups || [];
  if (res.error) return `The test failed. ${sentence(res.error)}`;
  const failed = groups.filter((g) => g.error);
  if (failed.length) return `Signed in, but ${failed.length} of ${groups.length} groups could not be read: ${failed.map((g) => `${groupName(g)}: ${sentence(g.error)}`).join(' ')}`;
  return `The connection works. ${groups.map((g) => `${groupName(g)}: ${people(g)}`).join('; ')}.`;
}

// answer shows the test's answer.
function answer(res) {
  const name = providerName(res.provider);
  if (res.error) {
    return [h('div', { class: 'note bad' }, h('p', {}, badge('Not connected', 'bad'), ' ', h('strong', { text: 'The test failed.' })),
      h('p', { class: 'provider-error', text: sentence(res.error) }))];
  }
  const groups = res.groups || [];
  const failed = groups.filter((g) => g.error).length;
  const head = failed
    ? h('p', { class: 'note warn' }, badge('Partly connected', 'warn'), ` Signed in to ${name}, but ${failed} of ${groups.length} groups could not be read.`)
    : h('p', { class: 'note ok' }, badge('Connected', 'ok'), ` Signed in to ${name} and read the first page of each group (${res.requests} requests). Nothing was stored.`);
  return [head, h('ul', { class: 'tested' }, groups.map((g) => h('li', { dataset: { group: g.id, ok: String(!g.error) } },
    h('p', {}, h('strong', { text: groupName(g) }), g.name && g.id ? h('span', { class: 'mono muted', text: ` ${g.id}` }) : null,
      g.error ? null : h('span', { text: ` — ${people(g)}` })),
    g.error ? h('p', { class: 'reason', text: sentence(g.error) }) : null,
    g.sample && g.sample.length ? h('ul', { class: 'sample', 'aria-label': `The first people of ${groupName(g)}` },
      g.sample.map((p) => h('li', {}, h('span', { class: 'person', text: p.name || p.email }), p.name && p.email ? h('span', { class: 'muted', text: ` ${p.email}` }) : null)))
      : null)))];
}
