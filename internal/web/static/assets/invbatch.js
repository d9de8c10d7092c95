// Several invitations at once: the boxes that select them, the bar that acts on them
// (resend or revoke, confirmed), and each one's result, in a table above the list. Every
// invitation is its own request, so one refused never stops the others.

import { request, newKey, explain, seconds, sentence } from './api.js';
import { $, h, fill, badge, table, announce, busy } from './dom.js';
import { ask } from './dialog.js';

const selected = new Map(); // id -> invitation
let me;
let shown = () => [];
let done = async () => {};

// setup keeps who is signed in, what the list shows, and what to do after a batch (reload).
export function setup(who, list, after) {
  me = who;
  shown = list;
  done = after;
}

// clear forgets the selection, as when the list is read again.
export function clear() {
  selected.clear();
}

// box is the checkbox selecting one invitation.
export function box(inv) {
  const el = h('input', { type: 'checkbox', class: 'select-row', id: `inv-select-${inv.id}`, checked: selected.has(inv.id), 'aria-label': `Select ${inv.name || inv.email}` });
  el.addEventListener('change', () => {
    if (el.checked) selected.set(inv.id, inv);
    else selected.delete(inv.id);
    refresh();
  });
  return el;
}

// bar is the toolbar above a list whose invitations can be acted on.
export function bar() {
  const all = h('input', { type: 'checkbox', id: 'inv-select-all' });
  all.addEventListener('change', () => {
    for (const inv of shown()) {
      if (all.checked) selected.set(inv.id, inv);
      else selected.delete(inv.id);
    }
    for (const b of $('inv-panel').querySelectorAll('input.select-row')) b.checked = all.checked;
    refresh();
  });
  const resend = h('button', { type: 'button', class: 'secondary small', id: 'inv-resend-selected', text: 'Resend selected', onclick: (e) => run('resend', e.currentTarget) });
  const revoke = me.isAdmin ? h('button', { type: 'button', class: 'secondary small', id: 'inv-revoke-selected', text: 'Revoke selected', onclick: (e) => run('revoke', e.currentTarget) }) : null;
  const el = h('div', { class: 'batch-bar', id: 'inv-batch-bar', role: 'group', 'aria-label': 'Selected invitations' },
    h('label', { class: 'check', for: 'inv-select-all' }, all, h('span', { text: 'Select all shown' })),
    h('span', { id: 'inv-selected-count', class: 'muted small', 'aria-live': 'polite' }),
    h('div', { class: 'actions' }, resend, revoke));
  queueMicrotask(refresh);
  return el;
}

// refresh brings the bar in line with the selection.
function refresh() {
  const n = selected.size;
  const count = $('inv-selected-count');
  if (!count) return;
  count.textContent = n ? `${n} selected` : 'None selected';
  for (const id of ['inv-resend-selected', 'inv-revoke-selected']) {
    const b = $(id);
    if (b && b.getAttribute('aria-busy') !== 'true') b.disabled = n === 0;
  }
  const all = $('inv-select-all');
  const list = shown();
  all.checked = list.length > 0 && list.every((inv) => selected.has(inv.id));
  all.indeterminate = !all.checked && list.some((inv) => selected.has(inv.id));
}

// outcome is what one request came to: ok, a notice (sent too recently: nothing is wrong, it
// just has to wait), or a failure.
function outcome(err) {
  if (err.code === 'rate_limited') {
    return { kind: 'warn', result: 'Not yet', detail: `${sentence(err.message)}${err.retryAfter ? ` Try again in ${seconds(err.retryAfter)}.` : ''}` };
  }
  return { kind: 'bad', result: 'Failed', detail: explain(err) };
}

async function one(action, inv) {
  if (action === 'resend' && !inv.sendEmail) {
    return { kind: '', result: 'Skipped', detail: 'It has no email to resend: use Copy link to make a new link.' };
  }
  try {
    if (action === 'resend') {
      await request('POST', `/invitations/${encodeURIComponent(inv.id)}/resend`, { key: newKey() });
      return { kind: 'ok', result: 'Resent', detail: 'The email is on its way; the earlier link no longer works.' };
    }
    await request('DELETE', `/invitations/${encodeURIComponent(inv.id)}`);
    return { kind: 'ok', result: 'Revoked', detail: 'The link no longer works.' };
  } catch (err) {
    return outcome(err);
  }
}

async function run(action, button) {
  const invs = [...selected.values()];
  if (!invs.length) return;
  const n = invs.length;
  const people = `${n} invitation${n === 1 ? '' : 's'}`;
  const ok = await ask(action === 'revoke'
    ? { title: `Revoke ${people}?`, message: 'Their links stop working at once. You can invite the people again later.', confirmLabel: `Revoke ${people}`, danger: true }
    : { title: `Resend ${people}?`, message: 'Each gets a new email with a new link; the earlier links stop working. Invitations without email are skipped.', confirmLabel: `Resend ${people}` });
  if (!ok) return;
  busy(button, true, action === 'revoke' ? 'Revoking…' : 'Resending…');
  // Four at a time: quick for a page of them, gentle on the API.
  const results = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(4, n) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = { inv: invs[i], ...(await one(action, invs[i])) };
    }
  }));
  busy(button, false);
  selected.clear();
  await done();
  report(action, results);
}

// report shows each invitation's result above the list, and moves the keyboard to it.
function report(action, results) {
  const count = (kind) => results.filter((r) => r.kind === kind).length;
  const verb = action === 'revoke' ? 'revoked' : 'resent';
  const parts = [count('ok') ? `${count('ok')} ${verb}` : `none ${verb}`];
  if (count('warn')) parts.push(`${count('warn')} not yet (emailed too recently)`);
  if (count('')) parts.push(`${count('')} skipped`);
  if (count('bad')) parts.push(`${count('bad')} failed`);
  const summary = sentence(parts.join(', '));
  const hide = h('button', { type: 'button', class: 'secondary small', text: 'Hide results', onclick: () => { $('inv-batch').replaceChildren(); $('inv-refresh').focus(); } });
  fill($('inv-batch'),
    h('div', { class: `note ${count('bad') ? 'bad' : count('warn') || count('') ? 'warn' : 'ok'}` },
      h('div', { class: 'card-head' }, h('p', { id: 'inv-batch-summary', tabindex: '-1' }, h('strong', { text: `${action === 'revoke' ? 'Revoke' : 'Resend'}: ` }), summary), hide),
      table(['Person', 'Result', 'Detail'], results.map((r) => [
        r.inv.name ? [h('div', { class: 'person', text: r.inv.name }), h('div', { class: 'sub', text: r.inv.email })] : h('div', { class: 'person', text: r.inv.email }),
        badge(r.result, r.kind), r.detail,
      ]), { caption: 'Result for each selected invitation', rowProps: (i) => ({ dataset: { id: results[i].inv.id, email: results[i].inv.email, result: results[i].result } }) })));
  $('inv-batch-summary').focus();
  announce(summary);
}
