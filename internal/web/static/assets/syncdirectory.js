// The identity-provider part of the sync configuration form: the chosen provider's fields,
// the groups with their roles, and Test connection. Credentials are write-only: a stored one
// is never put back in its field (the API only says "set"), and a field left empty sends
// nothing, which keeps the stored one.

import { h, fill, announce } from './dom.js';
import { showErrors } from './forms.js';
import { PROVIDERS, SECRET_KINDS } from './syncproviders.js';
import { groupsEditor } from './syncgroups.js';
import { testConnection } from './synctest.js';

// STORED is what a credential's field shows when one is kept.
const STORED = 'Stored — leave empty to keep';

// directorySection edits the directory settings of form, starting from the stored ones
// (stored is the GET answer's directory, or null). Values typed for one provider are kept
// while another is looked at.
export function directorySection(form, stored) {
  const drafts = {};
  const needs = h('p', { class: 'note', id: 'sync-dir-needs' });
  const box = h('div', { id: 'sync-dir-fields' });
  const groups = groupsEditor(stored && stored.groups ? stored.groups : []);
  let provider = '';
  let controls = {};

  // current is what the fields hold now, to come back to.
  const current = () => Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.type === 'checkbox' ? c.checked : c.value]));

  const control = (f, values) => {
    const id = `sync-dir-${f.name}`;
    const props = { id, name: `directory.${f.name}`, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-error` };
    if (f.kind === 'check') return h('input', { ...props, type: 'checkbox', checked: Boolean(values[f.name]) });
    if (SECRET_KINDS.includes(f.kind)) {
      const kept = stored && stored.provider === provider && stored[f.name] === 'set';
      const input = h('input', { ...props, type: 'password', autocomplete: 'new-password', placeholder: kept ? STORED : undefined, dataset: { stored: String(kept) } });
      // A secret goes in as the value property, never as an attribute: it is not markup.
      if (typeof drafts[provider]?.[f.name] === 'string') input.value = drafts[provider][f.name];
      return input;
    }
    const v = values[f.name];
    return h('input', { ...props, type: 'text', value: typeof v === 'string' ? v : '', placeholder: f.placeholder });
  };

  const hint = (f, input) => {
    let text = f.hint || '';
    if (input.dataset.stored === 'true') text += ` One is stored: leave this empty to keep it. Changing ${PROVIDERS[provider].endpoint} needs it again.`;
    return text ? h('p', { class: 'hint', id: `${input.id}-hint`, text }) : null;
  };

  // keyFile reads a key file into the key's field.
  const keyFile = (input) => {
    const file = h('input', { type: 'file', id: `${input.id}-file`, accept: '.json,application/json' });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      input.value = (await chosen.text()).trim();
      file.value = '';
      announce(`${chosen.name} was read into the key field. It is sent when you test or save.`);
    });
    return h('div', { class: 'key-file' }, h('label', { for: file.id, class: 'label small', text: 'Or choose the key file' }), file);
  };

  const field = (f, values) => {
    const input = control(f, values);
    controls[f.name] = input;
    const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
    if (f.kind === 'check') return h('div', { class: 'field' }, h('label', { class: 'check' }, input, h('span', { text: f.label })), error);
    return h('div', { class: 'field' }, h('label', { for: input.id, text: f.label }), input, hint(f, input), f.kind === 'key' ? keyFile(input) : null, error);
  };

  // show draws the fields of provider p.
  const show = (p) => {
    if (provider) drafts[provider] = current();
    provider = p;
    controls = {};
    const def = PROVIDERS[p];
    const values = drafts[p] || (stored && stored.provider === p ? stored : {});
    // Text and secrets side by side, then the yes-or-no settings, then the addresses few need.
    const main = def.fields.filter((f) => f.kind !== 'url' && f.kind !== 'check').map((f) => field(f, values));
    const checks = def.fields.filter((f) => f.kind === 'check').map((f) => field(f, values));
    const urls = def.fields.filter((f) => f.kind === 'url');
    const more = urls.map((f) => field(f, values));
    needs.textContent = def.needs;
    groups.describe(def.groups);
    test.reset();
    fill(box, h('div', { class: 'fields' }, main), checks,
      more.length ? h('details', { class: 'more', open: urls.some((f) => values[f.name]) }, h('summary', { text: 'Other addresses' }), h('div', { class: 'fields' }, more)) : null);
  };

  // settings are the request's directory, and where the API's problems with it are shown.
  const settings = () => {
    const def = PROVIDERS[provider];
    const out = { provider };
    for (const f of def.fields) {
      const c = controls[f.name];
      if (f.kind === 'check') out[f.name] = c.checked;
      else if (c.value.trim()) out[f.name] = c.value.trim();
    }
    const { groups: list, rows } = groups.values();
    if (list.length || !def.groupsOptional) out.groups = list;
    const fieldName = (name) => {
      const m = /^directory\.groups\[(\d+)\]\.(id|role)$/.exec(name);
      if (m) return `directory.groups[${rows[Number(m[1])] ?? m[1]}].${m[2]}`;
      return /^directory\.groups(\[\d+\])?$/.test(name) ? 'directory.groups' : name;
    };
    // problems shows the API's problems at their fields, a field's own name in its message
    // said as its label: "apiToken is required" reads "API token is required".
    const problems = (err) => {
      err.errors = (err.errors || []).map((fe) => {
        const f = def.fields.find((x) => fe.field === `directory.${x.name}`);
        const message = String(fe.message || '');
        if (f && message.startsWith(`${f.name} `)) return { ...fe, message: f.label + message.slice(f.name.length) };
        if (fe.field === 'directory.groups' && fe.code === 'required') return { ...fe, message: 'add at least one group: its id, and the role it gives' };
        return { ...fe, message: message.replace(/^groups\[\d+\]\.id\b/, 'the group id') };
      });
      showErrors(form, err, { fieldName });
    };
    return { directory: out, problems };
  };

  const test = testConnection(form, settings);
  const el = h('div', { class: 'directory', id: 'sync-directory' }, needs, box, groups.el, test.el);
  return {
    el,
    show,
    settings,
    setDefault: (role) => groups.setDefault(role),
  };
}
