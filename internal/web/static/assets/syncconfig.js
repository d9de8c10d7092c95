// The directory sync configuration: shown as facts, edited in a form whose problems the API
// names field by field.

import { request } from './api.js';
import { h, when, busy, notify } from './dom.js';
import { formatList } from './syncplan.js';
import { clearErrors, showErrors } from './forms.js';

// facts shows a configuration.
export function facts(c) {
  const share = Math.round((c.removalShare ?? 0) * 1000) / 10;
  const row = (label, value) => [h('dt', { text: label }), h('dd', {}, value)];
  return h('dl', { class: 'facts', id: 'sync-config' },
    row('Exports', c.sources && c.sources.length ? h('div', {}, c.sources.map((s) => h('div', { class: 'mono', text: s }))) : h('span', { class: 'muted', text: 'None' })),
    row('Format', c.format || 'auto'),
    row('New people join as', c.role || 'member'),
    row('Invitation emails', c.sendEmail ? 'Sent' : 'Not sent: links only'),
    row('Guardrail', `Hold a run for approval when it would remove more than ${share}% of the people it manages and more than ${c.removalFloor ?? 5} people`),
    row('Schedule', c.enabled ? 'On: runs on its schedule' : 'Paused: runs only when you start one'),
    row('Last changed', when(c.updatedAt)));
}

const field = (id, label, control, hint = '') => h('div', { class: 'field' },
  h('label', { for: id, text: label }), control, hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));

// form edits a configuration (c is null for a first one) and calls saved with the answer.
export function form(c, { saved, cancel }) {
  const v = c || { sources: [], format: 'auto', role: 'member', sendEmail: true, removalShare: 0.1, removalFloor: 5, enabled: true };
  const described = (id) => ({ id, 'aria-describedby': `${id}-hint ${id}-error` });
  const sources = h('textarea', { ...described('sync-sources'), name: 'sources', rows: 3, spellcheck: 'false' });
  sources.value = (v.sources || []).join('\n');
  const format = h('input', { ...described('sync-format'), name: 'format', type: 'text', value: v.format || 'auto', list: 'sync-formats', autocomplete: 'off' });
  const role = h('select', { ...described('sync-role'), name: 'role' },
    ['member', 'viewer', 'admin'].map((r) => h('option', { value: r, selected: r === v.role, text: r[0].toUpperCase() + r.slice(1) })));
  const share = h('input', { ...described('sync-share'), name: 'removalShare', type: 'number', min: 0, max: 100, step: 'any', value: String(Math.round((v.removalShare ?? 0.1) * 1000) / 10), inputmode: 'decimal' });
  const floor = h('input', { ...described('sync-floor'), name: 'removalFloor', type: 'number', min: 1, step: 1, value: String(v.removalFloor ?? 5), inputmode: 'numeric' });
  const sendEmail = h('input', { type: 'checkbox', name: 'sendEmail', id: 'sync-sendEmail', checked: v.sendEmail !== false, 'aria-describedby': 'sync-sendEmail-error' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', id: 'sync-enabled', checked: v.enabled !== false, 'aria-describedby': 'sync-enabled-error' });
  const submit = h('button', { type: 'submit', text: c ? 'Save configuration' : 'Turn on directory sync' });
  const el = h('form', { id: 'sync-config-form', novalidate: true },
    h('div', { class: 'fields' },
      field('sync-sources', 'Exports to read', sources, 'One per line: s3://bucket/key, or file:///path on the local stack.'),
      h('div', {},
        field('sync-format', 'Format', format, 'auto recognises the export; or okta-csv, okta-json, entra-csv, entra-json, google-csv, google-json, scim.'),
        formatList('sync-formats'),
        field('sync-role', 'New people join as', role))),
    h('div', { class: 'fields' },
      field('sync-share', 'Hold runs removing more than (%)', share, 'Of the people sync manages.'),
      field('sync-floor', '…and more than this many people', floor, 'Removing this many or fewer never waits for approval.')),
    h('label', { class: 'check' }, sendEmail, h('span', { text: 'Email the people sync invites' })),
    h('p', { class: 'field-error', id: 'sync-sendEmail-error', hidden: true }),
    h('label', { class: 'check' }, enabled, h('span', { text: 'Run on the schedule' })),
    h('p', { class: 'field-error', id: 'sync-enabled-error', hidden: true }),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit, cancel ? h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: cancel }) : null));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const body = {
      sources: sources.value.split('\n').map((s) => s.trim()).filter(Boolean),
      format: format.value.trim() || 'auto',
      role: role.value,
      sendEmail: sendEmail.checked,
      removalShare: share.value === '' ? 0 : Number(share.value) / 100,
      removalFloor: floor.value === '' ? 0 : Number(floor.value),
      enabled: enabled.checked,
    };
    busy(submit, true, 'Saving…');
    try {
      const res = await request('PUT', '/sync/config', { body });
      saved(res);
      notify('Directory sync configuration saved.');
    } catch (err) {
      busy(submit, false);
      showErrors(el, err, { fieldName: (f) => f.replace(/\[\d+\]$/, '') });
    }
  });
  return el;
}
