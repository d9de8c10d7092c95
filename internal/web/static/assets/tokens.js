// API tokens: create one with a role, an expiry and, if it acts for a member, its owner (the
// secret shown once, to copy); the list with when each was last used; revoke, confirmed.

import { request, listAll, explain, newKey, unsettled } from './api.js';
import { $, h, fill, when, badge, table, loading, empty, failure, notify, busy } from './dom.js';
import { ask, showSecret } from './dialog.js';
import { clearErrors, showErrors } from './forms.js';

let me;
let tokens = [];
let members = new Map(); // id -> member, to name the owners of tokens
let retry = null; // the key and body of a creation whose answer never came

export function mount(who) {
  me = who;
}

export function show() {
  load();
}

function state(name, ...content) {
  const panel = $('tokens-panel');
  panel.dataset.state = name;
  fill(panel, ...content);
}

async function load(focus = '') {
  if (!me.isAdmin) return state('forbidden', empty('API tokens are for admins', 'Sign in with an admin token to create and revoke tokens.'));
  state('loading', loading('Loading API tokens…'));
  try {
    const [list, people] = await Promise.all([request('GET', '/tokens'), listAll('/users')]);
    tokens = list.items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    members = new Map(people.items.map((m) => [m.id, m]));
  } catch (err) {
    return state('error', failure('The API tokens', err, () => load()));
  }
  state('listed',
    h('div', { class: 'card' }, createForm()),
    h('div', { class: 'card', id: 'tokens-list' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'tokens-list-title', tabindex: '-1', text: 'Tokens' }),
        h('button', { type: 'button', class: 'secondary small', id: 'tokens-refresh', text: 'Refresh', onclick: () => load('tokens-list-title') })),
      tokens.length ? list() : empty('No tokens', 'Create one above for a script, a CI job or a person.')));
  if (focus && $(focus)) $(focus).focus();
}

const field = (id, label, control, hint = '') => h('div', { class: 'field' },
  h('label', { for: id, text: label }), control,
  hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));

const roleName = (r) => r[0].toUpperCase() + r.slice(1);
const memberName = (m) => (m.name ? `${m.name} (${m.email})` : m.email);

function createForm() {
  const name = h('input', { type: 'text', id: 'token-name', name: 'name', maxlength: 200, autocomplete: 'off', required: true, 'aria-describedby': 'token-name-hint token-name-error' });
  const role = h('select', { id: 'token-role', name: 'role', 'aria-describedby': 'token-role-error' },
    ['member', 'viewer', 'admin'].map((r) => h('option', { value: r, text: roleName(r) })));
  const days = h('input', { type: 'number', id: 'token-expiresInDays', name: 'expiresInDays', min: 1, max: 365, inputmode: 'numeric', 'aria-describedby': 'token-expiresInDays-hint token-expiresInDays-error' });
  const active = [...members.values()].filter((m) => m.status === 'active').sort((a, b) => memberName(a).localeCompare(memberName(b)));
  const owner = h('select', { id: 'token-ownerId', name: 'ownerId', 'aria-describedby': 'token-ownerId-hint token-ownerId-error' },
    h('option', { value: '', text: 'Nobody: the organization' }), active.map((m) => h('option', { value: m.id, text: memberName(m) })));
  const submit = h('button', { type: 'submit', id: 'token-submit', text: 'Create token' });
  const el = h('form', { id: 'token-form', novalidate: true, 'aria-labelledby': 'token-form-title' },
    h('h2', { id: 'token-form-title', text: 'Create a token' }),
    h('p', { class: 'lede', text: 'A token signs scripts and tools in to the API with a role. Everything it does is audited under its name.' }),
    h('div', { class: 'fields' },
      field('token-name', 'Name', name, 'Say what uses it, such as “CI importer”.'),
      field('token-role', 'Role', role),
      field('token-expiresInDays', 'Expires after (days)', days, 'From 1 to 365; leave empty for a token that lasts until revoked.'),
      field('token-ownerId', 'Acts for', owner, 'A member’s token never does more than the member’s role allows, and stops when they are deactivated.')),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const body = { name: name.value.trim(), role: role.value };
    if (days.value.trim() !== '') body.expiresInDays = Number(days.value);
    if (owner.value) body.ownerId = owner.value;
    const text = JSON.stringify(body);
    if (!retry || retry.body !== text) retry = { key: newKey(), body: text };
    busy(submit, true, 'Creating…');
    try {
      const t = await request('POST', '/tokens', { body, key: retry.key });
      retry = null;
      busy(submit, false);
      await showSecret({
        title: 'Token created', id: 'token-secret', value: t.token, label: 'Copy token',
        message: `Use it as “Authorization: Bearer …” for ${t.name}.`,
        notes: [t.expiresAt ? `It works until ${new Date(t.expiresAt).toLocaleString()}.` : 'It works until it is revoked.'],
      });
      notify(`The token ${t.name} was created.`);
      await load();
      focusRow(t.id);
    } catch (err) {
      if (!unsettled(err)) retry = null;
      busy(submit, false);
      showErrors(el, err);
    }
  });
  return el;
}

function list() {
  return table(['Name', 'Role', 'Acts for', 'Created', 'Expires', 'Last used', { label: 'Actions' }], tokens.map((t) => {
    const owner = t.ownerId && members.get(t.ownerId);
    return [
      [h('div', { class: 'person', text: t.name }), h('div', { class: 'sub mono', text: `…${t.hint}` }),
        t.id === me.tokenId ? badge('This session', 'info', { title: 'You are signed in with this token' }) : null],
      t.role,
      t.ownerId ? h('span', { text: owner ? memberName(owner) : t.ownerId }) : h('span', { class: 'muted', text: '—' }),
      [when(t.createdAt), h('div', { class: 'sub', text: `by ${t.createdBy.name || t.createdBy.id}` })],
      t.expired ? [badge('Expired', 'bad'), h('div', { class: 'sub' }, when(t.expiresAt))]
        : t.expiresAt ? when(t.expiresAt) : h('span', { class: 'muted', text: 'Never' }),
      t.lastUsedAt ? when(t.lastUsedAt) : h('span', { class: 'muted', text: 'Never' }),
      { content: h('button', { type: 'button', class: 'secondary small', dataset: { action: 'revoke' }, 'aria-label': `Revoke the token ${t.name}`, text: 'Revoke', onclick: (e) => revoke(t, e.currentTarget) }) },
    ];
  }), { caption: 'API tokens, newest first', rowProps: (i) => ({ dataset: { id: tokens[i].id, name: tokens[i].name } }) });
}

function focusRow(id) {
  const row = $('tokens-panel').querySelector(`tr[data-id="${CSS.escape(id)}"]`);
  (row ? row.querySelector('button') : $('tokens-list-title')).focus();
}

async function revoke(t, button) {
  const mine = t.id === me.tokenId;
  const ok = await ask({
    title: `Revoke the token ${t.name}?`,
    message: mine
      ? 'You are signed in with this token: revoking it signs you out of this page at once, and everything using it stops working.'
      : 'Everything using it stops working at once. This cannot be undone; create a new token instead.',
    confirmLabel: 'Revoke token', danger: true,
  });
  if (!ok) return;
  busy(button, true, 'Revoking…');
  try {
    await request('DELETE', `/tokens/${encodeURIComponent(t.id)}`);
    if (mine) return dispatchEvent(new CustomEvent('gatehouse:unauthenticated'));
    notify(`The token ${t.name} was revoked.`);
    await load('tokens-list-title');
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}
