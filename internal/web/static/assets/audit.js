// The audit log, newest first, a page at a time: filtered by action (or kind of action),
// actor and source through the API, and exported as CSV, every page of the filtered view.

import { request, query, explain } from './api.js';
import { $, h, when, badge, table, loading, empty, failure, notify, announce, busy } from './dom.js';
import { write } from './csv.js';

const PAGE = 20;
const labels = {
  'invitation.created': 'Invited',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.email_sent': 'Invitation email sent',
  'invitation.email_failed': 'Invitation email failed',
  'invitation.email_bounced': 'Invitation email bounced',
  'invitation.email_complained': 'Invitation email marked as spam',
  'invitation.accepted': 'Invitation accepted',
  'invitation.renamed': 'Invitation renamed',
  'invitation.role_changed': 'Invitation role changed',
  'member.role_changed': 'Role changed',
  'member.deactivated': 'Member deactivated',
  'member.reactivated': 'Member reactivated',
  'member.updated': 'Member updated',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'organization.created': 'Organization created',
  'organization.updated': 'Organization updated',
  'slack.connected': 'Slack connected',
  'slack.disconnected': 'Slack disconnected',
  'sync.configured': 'Directory sync configured',
  'sync.run': 'Directory sync ran',
  'sync.approved': 'Held sync approved',
  'sync.discarded': 'Held sync discarded',
  'scim.configured': 'SCIM configured',
  'scim.token_created': 'SCIM token created',
  'scim.disabled': 'SCIM turned off',
  'webhook.created': 'Webhook added',
  'webhook.updated': 'Webhook changed',
  'webhook.deleted': 'Webhook deleted',
  'webhook.secret_rotated': 'Webhook secret rotated',
  'webhook.disabled': 'Webhook disabled',
  'webhook.delivery_retried': 'Webhook delivery retried',
};
const kinds = [['invitation', 'Invitations'], ['member', 'Members'], ['token', 'API tokens'], ['organization', 'Organization'],
  ['slack', 'Slack'], ['sync', 'Directory sync'], ['scim', 'Identity provider (SCIM)'], ['webhook', 'Webhooks']];
const SOURCES = ['api', 'web', 'slack', 'sync', 'cli', 'scim'];
const bad = new Set(['invitation.email_failed', 'invitation.email_bounced', 'invitation.email_complained', 'invitation.revoked',
  'member.deactivated', 'token.revoked', 'slack.disconnected', 'webhook.disabled', 'webhook.deleted', 'scim.disabled']);

// cursors[i] is the cursor of page i; the first page has none.
let cursors = [''];
let page = 0;
let next = '';
let generation = 0;
const actors = new Set(); // names and ids seen, offered to the actor filter

export function mount() {
  const action = $('audit-action');
  action.append(h('option', { value: '', text: 'Any action' }),
    h('optgroup', { label: 'Every change to' }, kinds.map(([k, label]) => h('option', { value: `${k}.*`, text: label }))),
    h('optgroup', { label: 'One action' }, Object.entries(labels).sort((a, b) => a[1].localeCompare(b[1])).map(([v, label]) => h('option', { value: v, text: label }))));
  $('audit-source').append(h('option', { value: '', text: 'Any source' }), ...SOURCES.map((s) => h('option', { value: s, text: s })));
  $('audit-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    load(0);
  });
  action.addEventListener('change', () => load(0));
  $('audit-source').addEventListener('change', () => load(0));
  $('audit-actor').addEventListener('change', () => load(0));
  $('audit-clear').addEventListener('click', () => {
    $('audit-filters').reset();
    load(0);
    action.focus();
  });
  $('audit-refresh').addEventListener('click', () => load(0));
  $('audit-older').addEventListener('click', () => load(page + 1, 'audit-older'));
  $('audit-newer').addEventListener('click', () => load(page - 1, 'audit-newer'));
  $('audit-export').addEventListener('click', (e) => exportCSV(e.currentTarget));
}

export function show() {
  load(0);
}

// filters are the filters the form holds, as the API names them.
function filters() {
  return { action: $('audit-action').value, actor: $('audit-actor').value.trim(), source: $('audit-source').value };
}

const filtered = () => Object.values(filters()).some(Boolean);

async function load(to, keepFocus = '') {
  const gen = ++generation;
  if (to === 0) cursors = [''];
  if (to > 0 && to === page + 1) cursors[to] = next;
  const panel = $('audit-panel');
  panel.replaceChildren(loading('Loading the audit log…'));
  $('audit-older').disabled = true;
  $('audit-newer').disabled = true;
  try {
    const res = await request('GET', `/audit-logs${query({ ...filters(), limit: PAGE, cursor: cursors[to] })}`);
    if (gen !== generation) return;
    page = to;
    next = res.nextCursor || '';
    render(res.items);
  } catch (err) {
    if (gen !== generation) return;
    panel.replaceChildren(failure('The audit log', err, () => load(to)));
    $('audit-page').textContent = '';
  }
  $('audit-older').disabled = !next;
  $('audit-newer').disabled = page === 0;
  if (keepFocus) {
    // Keep the keyboard on the pager, even when the button just used is now disabled.
    const target = [$(keepFocus), $('audit-older'), $('audit-newer')].find((b) => !b.disabled) || $('audit-title');
    target.focus();
  }
}

function detailText(d = {}) {
  return Object.entries(d).map(([k, v]) => `${k}: ${v}`).join(' · ');
}

function render(items) {
  const panel = $('audit-panel');
  $('audit-page').textContent = items.length ? `Page ${page + 1} · ${items.length} entr${items.length === 1 ? 'y' : 'ies'}${filtered() ? ' matching the filters' : ''}` : '';
  for (const a of items) {
    if (a.actor.name) actors.add(a.actor.name);
    actors.add(a.actor.id);
  }
  $('audit-actors').replaceChildren(...[...actors].sort().map((v) => h('option', { value: v })));
  if (!items.length) {
    const clear = h('button', { type: 'button', class: 'secondary', text: 'Clear the filters', onclick: () => $('audit-clear').click() });
    panel.replaceChildren(page > 0 ? empty('No older entries', 'You have reached the start of the log.')
      : filtered() ? empty('No entries match', 'Nothing recorded fits these filters. An actor is matched by its exact id or name.', clear)
        : empty('Nothing recorded yet', 'Every invitation, acceptance, role change and token is recorded here as it happens.'));
    return;
  }
  panel.replaceChildren(table(['When', 'What', 'Who', 'Source', 'Target', 'Details'], items.map((a) => [
    { content: when(a.at), class: 'nowrap' },
    badge(labels[a.action] || a.action, bad.has(a.action) ? 'bad' : /\.(created|accepted|connected)$/.test(a.action) ? 'ok' : '', { title: a.action }),
    [h('div', { text: a.actor.name || a.actor.id }), h('div', { class: 'sub', text: a.actor.type })],
    a.source,
    [h('div', { text: a.target.type }), h('div', { class: 'sub mono', text: a.target.id })],
    detailText(a.details) ? h('span', { class: 'small', text: detailText(a.details) }) : h('span', { class: 'muted', text: '—' }),
  ]), { caption: `Audit log, page ${page + 1}`, rowProps: (i) => ({ dataset: { action: items[i].action, source: items[i].source } }) }));
}

// fileName names an export after the filters and the day: audit-log-invitation-web-2026-11-25.csv.
function fileName(f) {
  const parts = [f.action.replace('.*', '').replaceAll('.', '-'), f.source, f.actor.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)];
  return ['audit-log', ...parts.filter(Boolean), new Date().toISOString().slice(0, 10)].join('-') + '.csv';
}

// exportCSV reads every page of the filtered log and offers it as a file.
async function exportCSV(button) {
  const f = filters();
  const rows = [];
  let cursor = '';
  busy(button, true, 'Exporting…');
  try {
    do {
      const res = await request('GET', `/audit-logs${query({ ...f, limit: 100, cursor })}`);
      for (const a of res.items) {
        rows.push([a.at, a.action, a.actor.type, a.actor.id, a.actor.name || '', a.source, a.target.type, a.target.id, a.details ? JSON.stringify(a.details) : '']);
      }
      cursor = res.nextCursor || '';
      button.textContent = `Exporting… ${rows.length} entries`;
    } while (cursor);
  } catch (err) {
    busy(button, false);
    notify(`The export stopped after ${rows.length} entries. ${explain(err)}`, 'error');
    return;
  }
  busy(button, false);
  const csv = write(['at', 'action', 'actor_type', 'actor_id', 'actor_name', 'source', 'target_type', 'target_id', 'details'], rows);
  const link = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })), download: fileName(f), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  announce(`Exported ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'} as ${link.download}.`);
  $('audit-export-status').textContent = `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'} saved as ${link.download}.`;
}
