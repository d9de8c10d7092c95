// Members: who belongs to the organization, with role changes, deactivation and
// reactivation, each confirmed first, and refused up front where the API would refuse them.

import { request, listAll, explain, newKey } from './api.js';
import { $, h, when, badge, person, table, loading, empty, failure, notify, busy } from './dom.js';
import { ask } from './dialog.js';

let me;
let all = [];
let complete = true;

export function mount(who) {
  me = who;
  $('members-search').addEventListener('input', render);
  $('members-filter').addEventListener('change', render);
  $('members-refresh').addEventListener('click', load);
}

export function show() {
  load();
}

async function load() {
  const panel = $('members-panel');
  panel.replaceChildren(loading('Loading members…'));
  try {
    ({ items: all, complete } = await listAll('/users'));
    render();
  } catch (err) {
    panel.replaceChildren(failure('The members', err, load));
    $('members-count').textContent = '';
  }
}

// lastAdmin is the id of the only active admin, who can be neither demoted nor deactivated.
function lastAdmin() {
  const admins = all.filter((m) => m.status === 'active' && m.role === 'admin');
  return complete && admins.length === 1 ? admins[0].id : '';
}

function render() {
  const panel = $('members-panel');
  const text = $('members-search').value.trim().toLowerCase();
  const filter = $('members-filter').value;
  const shown = all
    .filter((m) => (!filter || m.status === filter) && (!text || m.email.includes(text) || m.name.toLowerCase().includes(text)))
    .sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email));
  const active = all.filter((m) => m.status === 'active').length;
  $('members-count').textContent = `${all.length}${complete ? '' : '+'} member${all.length === 1 ? '' : 's'}, ${active} active`;
  const last = lastAdmin();
  const note = $('members-note');
  const lastOne = all.find((m) => m.id === last);
  note.hidden = !(!me.isAdmin || lastOne);
  note.textContent = !me.isAdmin
    ? 'Only admins can change roles or deactivate members; your token can see everyone.'
    : lastOne ? `${lastOne.name || lastOne.email} is the only active admin. Make someone else an admin before changing their role or deactivating them.` : '';
  if (!shown.length) {
    const clear = h('button', { type: 'button', class: 'secondary', text: 'Show everyone', onclick: () => { $('members-search').value = ''; $('members-filter').value = ''; render(); } });
    panel.replaceChildren(all.length ? empty('No one matches', 'Nobody here fits that search or filter.', clear)
      : empty('No members yet', 'People become members when they accept an invitation.'));
    return;
  }
  const columns = ['Member', 'Role', 'Status', 'Source', 'Joined'].concat(me.isAdmin ? [{ label: 'Actions' }] : []);
  const rows = shown.map((m) => {
    const row = [
      { content: person(m.name, m.email) },
      m.id === last ? [m.role, ' ', badge('Last admin', 'warn')] : m.role,
      m.status === 'active' ? badge('Active', 'ok') : [badge('Deactivated'), h('div', { class: 'sub' }, when(m.deactivatedAt))],
      m.source,
      when(m.joinedAt),
    ];
    if (me.isAdmin) row.push({ content: h('div', { class: 'actions' }, actions(m, m.id === last)) });
    return row;
  });
  panel.replaceChildren(table(columns, rows, { caption: 'Members', rowProps: (i) => ({ dataset: { id: shown[i].id, email: shown[i].email, status: shown[i].status } }) }));
}

function actions(m, isLast) {
  const who = m.name || m.email;
  const locked = isLast ? { disabled: true, 'aria-describedby': 'members-note' } : {};
  const out = [h('button', { type: 'button', class: 'secondary small', dataset: { action: 'role' }, 'aria-label': `Change the role of ${who}`, text: 'Change role', onclick: (e) => changeRole(m, e.currentTarget), ...locked })];
  if (m.status === 'active') {
    out.push(h('button', { type: 'button', class: 'secondary small', dataset: { action: 'deactivate' }, 'aria-label': `Deactivate ${who}`, text: 'Deactivate', onclick: (e) => deactivate(m, e.currentTarget), ...locked }));
  } else {
    out.push(h('button', { type: 'button', class: 'secondary small', dataset: { action: 'reactivate' }, 'aria-label': `Reactivate ${who}`, text: 'Reactivate', onclick: (e) => reactivate(m, e.currentTarget) }));
  }
  return out;
}

async function changeRole(m, button) {
  const select = h('select', { id: 'role-choice', name: 'role' },
    ['admin', 'member', 'viewer'].map((r) => h('option', { value: r, selected: r === m.role, text: r[0].toUpperCase() + r.slice(1) })));
  const body = h('div', { class: 'field' }, h('label', { for: 'role-choice', text: 'New role' }), select,
    h('p', { class: 'hint', text: 'Admins manage everything; members read and invite; viewers only read.' }));
  if (!(await ask({ title: `Change the role of ${m.name || m.email}?`, body, confirmLabel: 'Change role' }))) return;
  if (select.value === m.role) return;
  await act(m, button, `${m.name || m.email} is now ${select.value === 'admin' ? 'an' : 'a'} ${select.value}.`,
    () => request('PATCH', `/users/${m.id}`, { body: { role: select.value } }));
}

async function deactivate(m, button) {
  const ok = await ask({
    title: `Deactivate ${m.name || m.email}?`,
    message: 'They lose access to the organization at once. Their history stays, and you can reactivate them later.',
    confirmLabel: 'Deactivate', danger: true,
  });
  if (ok) await act(m, button, `${m.name || m.email} was deactivated.`, () => request('DELETE', `/users/${m.id}`));
}

async function reactivate(m, button) {
  const ok = await ask({
    title: `Reactivate ${m.name || m.email}?`,
    message: `They get their access back, as ${m.role === 'admin' ? 'an' : 'a'} ${m.role}.`,
    confirmLabel: 'Reactivate',
  });
  if (ok) await act(m, button, `${m.name || m.email} is active again.`, () => request('POST', `/users/${m.id}/reactivate`, { key: newKey() }));
}

// act runs one change, shows the member as the API now has them, and keeps focus on the row.
async function act(m, button, done, call) {
  busy(button, true, 'Saving…');
  try {
    const fresh = await call();
    all = all.map((x) => (x.id === fresh.id ? fresh : x));
    render();
    notify(done);
    const row = $('members-panel').querySelector(`tr[data-id="${CSS.escape(fresh.id)}"]`);
    const next = row && [...row.querySelectorAll('button')].find((b) => !b.disabled);
    (next || $('members-title')).focus();
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}
