// The audit log, newest first, a page at a time.

import { request, query } from './api.js';
import { $, h, when, badge, table, loading, empty, failure } from './dom.js';

const PAGE = 20;
const labels = {
  'invitation.created': 'Invited',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.email_sent': 'Invitation email sent',
  'invitation.email_failed': 'Invitation email failed',
  'invitation.accepted': 'Invitation accepted',
  'member.role_changed': 'Role changed',
  'member.deactivated': 'Member deactivated',
  'member.reactivated': 'Member reactivated',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'organization.created': 'Organization created',
  'member.updated': 'Member updated',
  'invitation.renamed': 'Invitation renamed',
  'slack.connected': 'Slack connected',
  'slack.disconnected': 'Slack disconnected',
  'sync.configured': 'Directory sync configured',
  'sync.run': 'Directory sync ran',
  'sync.approved': 'Held sync approved',
};
const bad = new Set(['invitation.email_failed', 'invitation.revoked', 'member.deactivated', 'token.revoked', 'slack.disconnected']);

// cursors[i] is the cursor of page i; the first page has none.
let cursors = [''];
let page = 0;
let next = '';

export function mount() {
  $('audit-refresh').addEventListener('click', () => load(0));
  $('audit-older').addEventListener('click', () => load(page + 1, 'audit-older'));
  $('audit-newer').addEventListener('click', () => load(page - 1, 'audit-newer'));
}

export function show() {
  cursors = [''];
  load(0);
}

async function load(to, keepFocus = '') {
  if (to > 0 && to === page + 1) cursors[to] = next;
  const panel = $('audit-panel');
  panel.replaceChildren(loading('Loading the audit log…'));
  $('audit-older').disabled = true;
  $('audit-newer').disabled = true;
  try {
    const res = await request('GET', `/audit-logs${query({ limit: PAGE, cursor: cursors[to] })}`);
    page = to;
    next = res.nextCursor || '';
    render(res.items);
  } catch (err) {
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

function details(d = {}) {
  const parts = Object.entries(d).map(([k, v]) => `${k}: ${v}`);
  return parts.length ? h('span', { class: 'small', text: parts.join(' · ') }) : h('span', { class: 'muted', text: '—' });
}

function render(items) {
  const panel = $('audit-panel');
  $('audit-page').textContent = items.length ? `Page ${page + 1} · ${items.length} entr${items.length === 1 ? 'y' : 'ies'}` : '';
  if (!items.length) {
    panel.replaceChildren(page === 0
      ? empty('Nothing recorded yet', 'Every invitation, acceptance, role change and token is recorded here as it happens.')
      : empty('No older entries', 'You have reached the start of the log.'));
    return;
  }
  panel.replaceChildren(table(['When', 'What', 'Who', 'Source', 'Target', 'Details'], items.map((a) => [
    { content: when(a.at), class: 'nowrap' },
    badge(labels[a.action] || a.action, bad.has(a.action) ? 'bad' : /\.(created|accepted|connected)$/.test(a.action) ? 'ok' : '', { title: a.action }),
    [h('div', { text: a.actor.name || a.actor.id }), h('div', { class: 'sub', text: a.actor.type })],
    a.source,
    [h('div', { text: a.target.type }), h('div', { class: 'sub mono', text: a.target.id })],
    details(a.details),
  ]), { caption: `Audit log, page ${page + 1}`, rowProps: (i) => ({ dataset: { action: items[i].action } }) }));
}
