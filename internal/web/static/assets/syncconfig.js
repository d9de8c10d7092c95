// The directory sync configuration: shown as facts, edited in a form whose problems the API
// names field by field. People are read from export files (each optionally with the role
// its people get) or straight from an identity provider's API (syncdirectory.js).

import { request } from './api.js';
import { h, when, busy, notify, badge } from './dom.js';
import { formatList } from './syncplan.js';
import { clearErrors, showErrors } from './forms.js';
import { PROVIDERS, directoryFacts, roleName } from './syncproviders.js';
import { directorySection } from './syncdirectory.js';

// sourceLine is a source as a line of the form: its URI, then its role when it has one.
const sourceLine = (s) => (typeof s === 'string' ? s : `${s.uri}${s.role ? ` ${s.role}` : ''}`);

// parseSource reads a line: a URI and, after a space, optionally a role. A last word of
// letters only is the role, so a path with spaces (whose last part has a dot or a slash)
// stays whole.
function parseSource(line) {
  const m = /^(\S.*?)\s+([A-Za-z]+)$/.exec(line);
  return m ? { uri: m[1], role: m[2].toLowerCase() } : line;
}

// facts shows a configuration.
export function facts(c) {
  const share = Math.round((c.removalShare ?? 0) * 1000) / 10;
  const row = (label, value) => [h('dt', { text: label }), h('dd', {}, value)];
  const sources = (c.sources || []).map((s) => h('div', { dataset: { source: s.uri || s } },
    h('span', { class: 'mono', text: s.uri || s }), s.role ? [' ', badge(roleName(s.role), s.role === 'admin' ? 'info' : '')] : null));
  const where = c.directory
    ? directoryFacts(c.directory, c.role || 'member', row)
    : [row('Exports', sources.length ? h('div', {}, sources) : h('span', { class: 'muted', text: 'None' })), row('Format', c.format || 'auto')];
  const roles = c.directory || (c.sources || []).some((s) => s.role);
  return h('dl', { class: 'facts', id: 'sync-config' },
    where.flat(),
    row('New people join as', `${c.role || 'member'}${roles ? ', unless a role is given above' : ''}`),
    row('Invitation emails', c.sendEmail ? 'Sent' : 'Not sent: links only'),
    row('Entra users without mail', c.useUpnWhenNoMail ? 'Invited at their user principal name' : 'Skipped'),
    row('Guardrail', `Hold a run for approval when it would remove more than ${share}% of the people it manages and more than ${c.removalFloor ?? 5} people`),
    row('Schedule', c.enabled ? 'On: runs on its schedule' : 'Paused: runs only when you start one'),
    row('Last changed', when(c.updatedAt)));
}

const field = (id, label, control, hint = '') => h('div', { class: 'field' },
  h('label', { for: id, text: label }), control, hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));

// focusFirst puts the keyboard on the first field of what a form reads from.
export function focusFirst(el) {
  const files = el.elements.namedItem('kind').value === 'files';
  el.querySelector(files ? '#sync-sources' : '#sync-dir-fields input').focus();
}

// form edits a configuration (c is null for a first one) and calls saved with the answer.
export function form(c, { saved, cancel }) {
  const v = c || { sources: [], format: 'auto', role: 'member', sendEmail: true, removalShare: 0.1, removalFloor: 5, enabled: true };
  const described = (id) => ({ id, 'aria-describedby': `${id}-hint ${id}-error` });
  const el = h('form', { id: 'sync-config-form', novalidate: true });
  const start = v.directory && PROVIDERS[v.directory.provider] ? v.directory.provider : 'files';
  const kinds = [['files', 'Export files'], ...Object.entries(PROVIDERS).map(([k, p]) => [k, p.label])];
  const kind = h('fieldset', { class: 'choices', id: 'sync-kind', 'aria-describedby': 'sync-kind-hint' },
    h('legend', { text: 'Read people from' }),
    h('div', { class: 'choice-list' }, kinds.map(([value, label]) => h('label', { class: 'check' },
      h('input', { type: 'radio', name: 'kind', id: `sync-kind-${value}`, value, checked: value === start }), h('span', { text: label })))),
    h('p', { class: 'hint', id: 'sync-kind-hint', text: 'The files your identity provider exports, or its API itself: then nobody uploads anything again.' }));

  const sources = h('textarea', { ...described('sync-sources'), name: 'sources', rows: 3, spellcheck: 'false' });
  sources.value = (v.sources || []).map(sourceLine).join('\n');
  const format = h('input', { ...described('sync-format'), name: 'format', type: 'text', value: v.directory ? 'auto' : v.format || 'auto', list: 'sync-formats', autocomplete: 'off' });
  const files = h('div', { class: 'fields', id: 'sync-files' },
    field('sync-sources', 'Exports to read', sources, 'One per line: s3://bucket/key, or file:///path on the local stack. To give the people of a file a role, add it after a space: s3://bucket/admins.csv admin.'),
    h('div', {},
      field('sync-format', 'Format', format, 'auto recognises the export; or okta-csv, okta-json, entra-csv, entra-json, google-csv, google-json, scim.'),
      formatList('sync-formats')));
  const directory = directorySection(el, v.directory || null);

  const role = h('select', { ...described('sync-role'), name: 'role' },
    ['member', 'viewer', 'admin'].map((r) => h('option', { value: r, selected: r === v.role, text: roleName(r) })));
  role.addEventListener('change', () => directory.setDefault(role.value));
  directory.setDefault(role.value);
  const share = h('input', { ...described('sync-share'), name: 'removalShare', type: 'number', min: 0, max: 100, step: 'any', value: String(Math.round((v.removalShare ?? 0.1) * 1000) / 10), inputmode: 'decimal' });
  const floor = h('input', { ...described('sync-floor'), name: 'removalFloor', type: 'number', min: 1, step: 1, value: String(v.removalFloor ?? 5), inputmode: 'numeric' });
  const sendEmail = h('input', { type: 'checkbox', name: 'sendEmail', id: 'sync-sendEmail', checked: v.sendEmail !== false, 'aria-describedby': 'sync-sendEmail-error' });
  const useUpn = h('input', { type: 'checkbox', name: 'useUpnWhenNoMail', id: 'sync-useUpnWhenNoMail', checked: v.useUpnWhenNoMail === true, 'aria-describedby': 'sync-useUpnWhenNoMail-error' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', id: 'sync-enabled', checked: v.enabled !== false, 'aria-describedby': 'sync-enabled-error' });
  const submit = h('button', { type: 'submit', text: c ? 'Save configuration' : 'Turn on directory sync' });

  const pick = (k) => {
    files.hidden = k !== 'files';
    directory.el.hidden = k === 'files';
    if (k !== 'files') directory.show(k);
  };
  kind.addEventListener('change', (e) => {
    if (e.target.name !== 'kind') return;
    clearErrors(el);
    pick(e.target.value);
  });
  pick(start);

  el.append(kind, files, directory.el,
    h('div', { class: 'fields' },
      field('sync-role', 'New people join as', role, 'Unless their groups or files give a role.'),
      field('sync-share', 'Hold runs removing more than (%)', share, 'Of the people sync manages.'),
      field('sync-floor', '…and more than this many people', floor, 'Removing this many or fewer never waits for approval.')),
    h('label', { class: 'check' }, sendEmail, h('span', { text: 'Email the people sync invites' })),
    h('p', { class: 'field-error', id: 'sync-sendEmail-error', hidden: true }),
    h('label', { class: 'check' }, useUpn, h('span', { text: 'Invite Microsoft Entra users without mail at their user principal name (never guests or *.onmicrosoft.com names)' })),
    h('p', { class: 'field-error', id: 'sync-useUpnWhenNoMail-error', hidden: true }),
    h('label', { class: 'check' }, enabled, h('span', { text: 'Run on the schedule' })),
    h('p', { class: 'field-error', id: 'sync-enabled-error', hidden: true }),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit, cancel ? h('button', { type: 'button', class: 'secondary', id: 'sync-cancel', text: 'Cancel', onclick: cancel }) : null));

  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const body = {
      role: role.value,
      sendEmail: sendEmail.checked,
      removalShare: share.value === '' ? 0 : Number(share.value) / 100,
      removalFloor: floor.value === '' ? 0 : Number(floor.value),
      enabled: enabled.checked,
      useUpnWhenNoMail: useUpn.checked,
    };
    let problems = (err) => showErrors(el, err, { fieldName: (f) => f.replace(/^sources\[\d+\](\.role)?$/, 'sources') });
    const lines = [];
    if (el.elements.namedItem('kind').value === 'files') {
      body.sources = [];
      sources.value.split('\n').forEach((l, i) => {
        if (!l.trim()) return;
        lines.push(i + 1);
        body.sources.push(parseSource(l.trim()));
      });
      body.format = format.value.trim() || 'auto';
    } else {
      ({ directory: body.directory, problems } = directory.settings());
    }
    busy(submit, true, 'Saving…');
    try {
      const res = await request('PUT', '/sync/config', { body });
      saved(res);
      notify('Directory sync configuration saved.');
    } catch (err) {
      busy(submit, false);
      if (lines.length) err.errors = byLine(err.errors || [], lines);
      problems(err);
    }
  });
  return el;
}

// byLine says which line each problem of sources[i] is on, and joins them: the sources are
// one field.
function byLine(errors, lines) {
  const said = [];
  const rest = errors.filter((fe) => {
    const m = /^sources\[(\d+)\]/.exec(fe.field || '');
    if (!m) return true;
    const message = String(fe.message || '');
    said.push(lines.length > 1 ? `Line ${lines[Number(m[1])]}: ${message}` : message);
    return false;
  });
  if (!said.length) return errors;
  return [{ field: 'sources', message: said.map((s) => s.replace(/[.!?]?$/, '.')).join(' ') }, ...rest];
}
