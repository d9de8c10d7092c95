// How a directory sync plan reads: its counts, the changes it makes and the rows it skipped.
// Previews and runs share it.

import { sentence } from './api.js';
import { h, badge, table } from './dom.js';

// FORMATS are the export formats Gatehouse reads; auto recognises them.
export const FORMATS = ['auto', 'okta-csv', 'okta-json', 'entra-csv', 'entra-json', 'google-csv', 'google-json', 'scim'];

// formatList is a <datalist> of the formats, for a format field to suggest.
export const formatList = (id) => h('datalist', { id }, FORMATS.map((f) => h('option', { value: f })));

// heldBecause says why a plan waits for approval, as a sentence.
export const heldBecause = (reason) => sentence(String(reason || 'it removes more people than the guardrail allows').replace(/^held:\s*/i, ''));

const SHOWN = 500;
const countLabels = [
  ['people', 'People read'], ['invite', 'To invite'], ['update', 'To update'], ['reactivate', 'To reactivate'],
  ['role', 'Role changes'], ['deactivate', 'To deactivate'], ['revoke', 'Invitations to revoke'], ['unchanged', 'Unchanged'],
  ['unmanaged', 'Not managed by sync'], ['skipped', 'Rows skipped'],
];
const actionLabels = { invite: ['Invite', 'ok'], update: ['Update', 'info'], reactivate: ['Reactivate', 'ok'], role: ['Change role', 'warn'], deactivate: ['Deactivate', 'bad'], revoke: ['Revoke invitation', 'bad'] };

// counts shows a plan's numbers.
export function counts(c = {}) {
  return h('dl', { class: 'counts' }, countLabels.map(([k, label]) =>
    h('div', { dataset: { count: k } }, h('dt', { text: label }), h('dd', { text: String(c[k] ?? 0) }))));
}

// summary is a plan's changes in one line: "2 to invite · 1 role to change", or once
// done, "2 invited · 1 role changed".
export function summary(c = {}, done = false) {
  const said = (k, n) => {
    if (k !== 'role') return done ? `${n} ${k}d` : `${n} to ${k}`;
    return `${n} role${n === 1 ? '' : 's'} ${done ? 'changed' : 'to change'}`;
  };
  const parts = ['invite', 'update', 'reactivate', 'role', 'deactivate', 'revoke'].filter((k) => c[k]).map((k) => said(k, c[k]));
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.join(' · ') || 'No changes';
}

// change says what an action changes, why, and for an applied run what went wrong.
function change(a) {
  const out = [];
  if (a.oldEmail && a.oldEmail !== a.email) out.push(`email ${a.oldEmail} → ${a.email}`);
  if (a.oldName && a.oldName !== a.name) out.push(`name ${a.oldName} → ${a.name}`);
  if (a.action === 'role' || (a.oldRole && a.oldRole !== a.role)) out.push(`${a.oldRole || 'no role'} → ${a.role}`);
  else if (a.role && ['invite', 'reactivate'].includes(a.action)) out.push(`as ${a.role}`);
  if (a.reason) out.push(a.reason);
  return [h('span', { text: out.join('; ') || '—' }), a.error ? h('p', { class: 'reason', text: sentence(a.error) }) : null];
}

// actions lists the changes a plan makes.
export function actions(list = []) {
  if (!list.length) return h('p', { class: 'muted', text: 'No changes: members already match the export.' });
  const shown = list.slice(0, SHOWN);
  return h('div', {},
    table(['Change', 'Person', 'External id', 'Details'], shown.map((a) => {
      const [label, kind] = actionLabels[a.action] || [a.action, ''];
      return [badge(label, kind), [h('div', { class: 'person', text: a.name || a.email }), a.name ? h('div', { class: 'sub', text: a.email }) : null],
        h('span', { class: 'mono', text: a.externalId || '—' }), change(a)];
    }), { caption: 'Changes', rowProps: (i) => ({ dataset: { action: shown[i].action, email: shown[i].email, role: shown[i].role || '' } }) }),
    list.length > SHOWN ? h('p', { class: 'muted', text: `… and ${list.length - SHOWN} more changes.` }) : null);
}

// place says where a skipped record was: its group (or export), page and row.
function place(s) {
  const parts = [s.group, s.page ? `page ${s.page}` : '', s.row ? `row ${s.row}` : ''].filter(Boolean);
  return parts.join(', ') || '—';
}

// skipped lists the rows of the export that were left out, and why.
export function skipped(list = []) {
  if (!list.length) return null;
  const shown = list.slice(0, SHOWN);
  return h('div', {},
    table(['Where', 'Who', 'Reason'], shown.map((s) => [
      place(s), s.name || s.email || s.externalId || s.accountId || '—', sentence(s.reason),
    ]), { caption: 'Rows skipped', rowProps: () => ({ class: 'will-fail' }) }),
    list.length > SHOWN ? h('p', { class: 'muted', text: `… and ${list.length - SHOWN} more skipped rows.` }) : null);
}

// plan shows a whole plan: format, whether it is held and why, counts and changes.
export function plan(p) {
  return h('div', { class: 'plan' },
    h('p', {}, 'Format: ', h('strong', { text: p.format || 'unknown' })),
    p.held ? h('p', { class: 'note warn', text: `A run would hold this plan for approval. ${heldBecause(p.heldReason)}` }) : null,
    p.removalsSuppressed ? h('p', { class: 'note warn', text: `Nobody would be removed for being absent: ${p.removalsSuppressed}` }) : null,
    counts(p.counts),
    actions(p.actions),
    p.actionsTruncated ? h('p', { class: 'muted', text: 'The plan has more changes than are listed here; the counts above are complete.' }) : null,
    skipped(p.skipped),
    p.skippedTruncated ? h('p', { class: 'muted', text: 'More rows were skipped than are listed here; the counts above are complete.' }) : null);
}
