// The identity provider (SCIM) panel: the token Okta or Entra ID provisions with (shown once,
// with its base URL, both to copy), the role its groups map to, the deactivation guardrail,
// and the deactivations it holds for an admin.

import { request, explain } from './api.js';
import { $, h, fill, when, badge, table, loading, empty, failure, notify, busy } from './dom.js';
import { ask, copyable } from './dialog.js';
import { clearErrors, showErrors } from './forms.js';

let me;
let settings = null;

export function mount(who) {
  me = who;
}

export function show() {
  load();
}

function state(name, ...content) {
  const panel = $('scim-panel');
  panel.dataset.state = name;
  fill(panel, ...content);
}

async function load() {
  state('loading', loading('Loading provisioning…'));
  try {
    settings = await request('GET', '/integrations/scim');
  } catch (err) {
    if (err.status === 403) return state('forbidden', empty('Provisioning is for admins', 'Sign in with an admin token to connect your identity provider.'));
    if (err.code === 'route_not_found') return state('unavailable', empty('SCIM is not available here', 'This Gatehouse has no public URL set, which SCIM needs.'));
    if (err.code !== 'scim_not_configured') return state('error', failure('Provisioning', err, load));
    settings = null;
  }
  render();
}

function render() {
  if (!settings || !settings.token) {
    const create = h('button', { type: 'button', id: 'scim-create', text: 'Create a SCIM token' });
    create.addEventListener('click', () => newToken(create));
    return state('unconfigured', h('div', { class: 'card' },
      h('h2', { text: 'Identity provider (SCIM)' }),
      h('p', { class: 'lede', text: 'Let Okta or Microsoft Entra ID provision people and groups into Gatehouse: paste the base URL and token it gives you into the identity provider, and hires, renames and departures arrive within seconds.' }),
      create));
  }
  const rotate = h('button', { type: 'button', class: 'secondary', id: 'scim-rotate', text: 'Rotate the token' });
  rotate.addEventListener('click', async () => {
    if (await ask({ title: 'Rotate the SCIM token?', message: 'The current token stops working at once: paste the new one into your identity provider.', confirmLabel: 'Rotate', danger: true })) newToken(rotate);
  });
  const off = h('button', { type: 'button', class: 'secondary', id: 'scim-off', text: 'Turn SCIM off' });
  off.addEventListener('click', async () => {
    if (!await ask({ title: 'Turn SCIM off?', message: 'The token stops working. Nobody is removed: the people and groups it brought stay.', confirmLabel: 'Turn off', danger: true })) return;
    try {
      await request('DELETE', '/integrations/scim');
      notify('SCIM is off.');
      load();
    } catch (err) {
      notify(explain(err), 'error');
    }
  });
  const row = (label, value) => [h('dt', { text: label }), h('dd', {}, value)];
  state('configured',
    h('div', { class: 'card' },
      h('h2', { id: 'scim-title', text: 'Identity provider (SCIM)' }),
      h('dl', { class: 'facts', id: 'scim-facts' },
        row('Base URL', copyable('scim-url', settings.baseUrl, 'Copy URL')),
        row('Token', h('span', {}, `…${settings.token.hint}, created `, when(settings.token.createdAt))),
        row('Last request', settings.lastRequestAt ? when(settings.lastRequestAt) : h('span', { class: 'muted', text: 'None yet' })),
        row('People provisioned', String(settings.people))),
      h('div', { class: 'actions' }, rotate, off)),
    held(),
    configForm());
}

// newToken creates (or rotates) the token and shows it once, with the URL to paste.
async function newToken(button) {
  busy(button, true, 'Creating…');
  try {
    const res = await request('POST', '/integrations/scim/token', {});
    settings = res.settings;
    await ask({ title: 'Your SCIM token', confirmLabel: 'Done', cancelLabel: '',
      body: h('div', {},
        h('p', { text: 'Paste both into your identity provider. The token is shown only now.' }),
        h('p', { class: 'label', text: 'Base URL (Tenant URL)' }), copyable('scim-new-url', res.baseUrl, 'Copy URL'),
        h('p', { class: 'label', text: 'Token (Secret Token)' }), copyable('scim-new-token', res.token, 'Copy token')) });
    render();
  } catch (err) {
    notify(explain(err), 'error');
  } finally {
    busy(button, false);
  }
}

// held shows the deactivations held for an admin, with Approve and Discard.
function held() {
  const box = h('div', { class: 'card', id: 'scim-held' }, h('h2', { text: 'Held deactivations' }));
  if (!settings.heldRun) {
    box.append(h('p', { class: 'muted', text: `None. Deactivations beyond ${settings.deactivationHold.floor} (or ${Math.round(settings.deactivationHold.share * 1000) / 10}% of the people under SCIM) within ${settings.deactivationHold.windowMinutes} minutes wait here for you.` }));
    return box;
  }
  box.append(loading('Loading the held run…'));
  request('GET', `/sync/runs/${encodeURIComponent(settings.heldRun)}`).then((run) => {
    if (run.status !== 'held') {
      fill(box, h('h2', { text: 'Held deactivations' }), h('p', { class: 'muted', text: 'None waiting.' }));
      return;
    }
    const approve = h('button', { type: 'button', id: 'scim-approve', text: `Deactivate ${run.actions.length}` });
    const discard = h('button', { type: 'button', class: 'secondary', id: 'scim-discard', text: 'Keep them' });
    const act = (verb) => async (e) => {
      busy(e.target, true);
      try {
        await request('POST', `/sync/runs/${encodeURIComponent(run.id)}/${verb}`, {});
        notify(verb === 'approve' ? 'The held deactivations are applied.' : 'The held deactivations are dropped; the people stay.');
        load();
      } catch (err) {
        notify(explain(err), 'error');
        busy(e.target, false);
      }
    };
    approve.addEventListener('click', act('approve'));
    discard.addEventListener('click', act('discard'));
    fill(box, h('h2', { text: 'Held deactivations' }),
      h('p', { class: 'note warn', text: run.heldReason || 'The identity provider asked to deactivate more people than the guardrail allows at once.' }),
      table(['Person', 'Would be', 'Asked'], run.actions.map((a) => [a.email, badge(a.action === 'revoke' ? 'Invitation withdrawn' : 'Deactivated', 'bad'), a.reason])),
      h('div', { class: 'actions' }, approve, discard));
  }).catch((err) => fill(box, h('h2', { text: 'Held deactivations' }), failure('The held run', err, load)));
  return box;
}

// fieldNames map the API's fields to the form's controls.
const fieldNames = { defaultRole: 'scim-default', roleMappings: 'scim-mappings', 'deactivationHold.share': 'scim-share',
  'deactivationHold.floor': 'scim-floor', 'deactivationHold.windowMinutes': 'scim-window' };

// configForm edits the default role, the role mappings, the emails and the guardrail.
function configForm() {
  const roleSelect = (id, value) => h('select', { id, name: id },
    ['member', 'viewer', 'admin'].map((r) => h('option', { value: r, selected: r === value, text: r[0].toUpperCase() + r.slice(1) })));
  const mappings = h('textarea', { id: 'scim-mappings', name: 'scim-mappings', rows: 4, spellcheck: 'false', 'aria-describedby': 'scim-mappings-hint scim-mappings-error' });
  mappings.value = settings.roleMappings.map((m) => `${m.group} = ${m.role}`).join('\n');
  const hold = settings.deactivationHold;
  const num = (id, value, attrs) => h('input', { id, name: id, type: 'number', value: String(value), ...attrs });
  const share = num('scim-share', Math.round(hold.share * 1000) / 10, { min: 0, max: 100, step: 'any' });
  const floor = num('scim-floor', hold.floor, { min: 1, step: 1 });
  const windowMinutes = num('scim-window', hold.windowMinutes, { min: 1, step: 1 });
  const sendEmail = h('input', { type: 'checkbox', id: 'scim-sendEmail', checked: settings.sendEmail });
  const submit = h('button', { type: 'submit', text: 'Save' });
  const field = (id, label, control, hint = '') => h('div', { class: 'field' }, h('label', { for: id, text: label }), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null, h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
  const el = h('form', { id: 'scim-form', novalidate: true },
    h('h2', { text: 'Roles and guardrail' }),
    h('div', { class: 'fields' },
      field('scim-default', 'People join as', roleSelect('scim-default', settings.defaultRole), 'Unless a group below says otherwise.'),
      field('scim-mappings', 'Groups that give a role', mappings, 'One per line: Group name = admin, member or viewer. The highest role of a person’s groups wins.')),
    h('div', { class: 'fields' },
      field('scim-share', 'Hold deactivations beyond (%)', share, 'Of the people under SCIM…'),
      field('scim-floor', '…or this many, whichever is more', floor),
      field('scim-window', 'Within (minutes)', windowMinutes)),
    h('label', { class: 'check' }, sendEmail, h('span', { text: 'Email the people SCIM invites' })),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const lines = mappings.value.split('\n').map((l) => l.trim()).filter(Boolean);
    const body = {
      defaultRole: $('scim-default').value, sendEmail: sendEmail.checked,
      roleMappings: lines.map((l) => { const at = l.lastIndexOf('='); return at < 0 ? { group: l, role: '' } : { group: l.slice(0, at).trim(), role: l.slice(at + 1).trim() }; }),
      deactivationHold: { share: Number(share.value) / 100, floor: Number(floor.value), windowMinutes: Number(windowMinutes.value) },
    };
    busy(submit, true, 'Saving…');
    try {
      settings = await request('PUT', '/integrations/scim', { body });
      notify('Saved.');
      render();
    } catch (err) {
      showErrors(el, err, { fieldName: (f) => fieldNames[f.replace(/^roleMappings\[\d+\].*/, 'roleMappings')] || f });
      busy(submit, false);
    }
  });
  return h('div', { class: 'card' }, el);
}
