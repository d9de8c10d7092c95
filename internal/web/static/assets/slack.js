// The Slack panel: install the app into a workspace (Slack says which one; the local stack,
// with no app, connects by team id), choose who there may invite and the role they invite
// with, and disconnect. Slack sends the admin back with the install to finish here.

import { request, explain } from './api.js';
import { $, h, fill, when, loading, empty, failure, notify, busy } from './dom.js';
import { ask } from './dialog.js';
import { clearErrors, showErrors } from './forms.js';

let me;

export function mount(who) {
  me = who;
}

export function show() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  if (params.get('code') && params.get('state')) return finish(params.get('code'), params.get('state'));
  load();
}

function state(name, ...content) {
  const panel = $('slack-panel');
  panel.dataset.state = name;
  fill(panel, ...content);
}

// finish completes an install Slack sent back, with this tab's token.
async function finish(code, st) {
  history.replaceState(null, '', '#/slack'); // the code is spent either way
  state('loading', loading('Finishing the Slack install…'));
  try {
    const c = await request('POST', '/integrations/slack/install/complete', { body: { code, state: st } });
    notify(`Slack workspace ${c.teamId} is connected.`);
  } catch (err) {
    notify(explain(err), 'error');
  }
  load();
}

async function load() {
  if (!me.isAdmin) return state('forbidden', empty('Slack is for admins', 'Sign in with an admin token to connect a Slack workspace.'));
  state('loading', loading('Loading Slack…'));
  let c = null;
  try {
    c = await request('GET', '/integrations/slack');
  } catch (err) {
    if (err.code !== 'not_found') return state('error', failure('Slack', err, load));
  }
  if (c) return connected(c);
  const install = h('button', { type: 'button', id: 'slack-install', text: 'Add to Slack' });
  install.addEventListener('click', async () => {
    busy(install, true, 'Opening Slack…');
    try {
      const res = await request('POST', '/integrations/slack/install', {});
      location.assign(res.url);
    } catch (err) {
      busy(install, false);
      if (err.code === 'slack_install_not_configured') return state('manual', manualCard());
      notify(explain(err), 'error');
    }
  });
  state('unconnected', h('div', { class: 'card' },
    h('h2', { text: 'Not connected' }),
    h('p', { class: 'lede', text: 'Install the Gatehouse app into your Slack workspace: Slack confirms which workspace it is, and the person who installs it may type /gatehouse invite right away.' }),
    install));
}

// connected shows the workspace's connection, with its users and role to edit.
function connected(c) {
  const row = (label, value) => [h('dt', { text: label }), h('dd', {}, value)];
  const disconnect = h('button', { type: 'button', class: 'secondary', id: 'slack-disconnect', text: 'Disconnect' });
  disconnect.addEventListener('click', async () => {
    if (!await ask({ title: 'Disconnect Slack?', message: 'Commands from the workspace stop working. Invitations already made stay.', confirmLabel: 'Disconnect', danger: true })) return;
    try {
      await request('DELETE', '/integrations/slack');
      notify('Slack is disconnected.');
      load();
    } catch (err) {
      notify(explain(err), 'error');
    }
  });
  state('connected',
    h('div', { class: 'card' },
      h('h2', { text: 'Connected workspace' }),
      h('dl', { class: 'facts', id: 'slack-facts' },
        row('Team', h('span', { class: 'mono', text: c.teamId })),
        c.enterpriseId ? row('Enterprise', h('span', { class: 'mono', text: c.enterpriseId })) : null,
        row('Invites as', c.role),
        row('Connected', when(c.connectedAt))),
      h('div', { class: 'actions' }, disconnect)),
    h('div', { class: 'card' }, usersForm(c)));
}

// usersForm edits who may invite from the workspace and with which role.
function usersForm(c, manual = false) {
  const team = h('input', { id: 'slack-teamId', name: 'teamId', type: 'text', value: c.teamId || '', spellcheck: 'false', 'aria-describedby': 'slack-teamId-error' });
  const users = h('textarea', { id: 'slack-allowedUserIds', name: 'allowedUserIds', rows: 4, spellcheck: 'false', 'aria-describedby': 'slack-allowedUserIds-hint slack-allowedUserIds-error' });
  users.value = (c.allowedUserIds || []).join('\n');
  const role = h('select', { id: 'slack-role', name: 'role' },
    ['member', 'viewer', 'admin'].map((r) => h('option', { value: r, selected: r === (c.role || 'member'), text: r[0].toUpperCase() + r.slice(1) })));
  const field = (id, label, control, hint = '') => h('div', { class: 'field' }, h('label', { for: id, text: label }), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null, h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
  const submit = h('button', { type: 'submit', text: manual ? 'Connect' : 'Save' });
  const el = h('form', { id: 'slack-form', novalidate: true },
    h('h2', { text: manual ? 'Connect by team id' : 'Who may invite' }),
    manual ? field('slack-teamId', 'Team id', team, '') : null,
    h('div', { class: 'fields' },
      field('slack-allowedUserIds', 'Slack users', users, 'One user id per line, such as U0123ABCD (Profile → ⋮ → Copy member ID).'),
      field('slack-role', 'Invitations get the role', role)),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    busy(submit, true, 'Saving…');
    try {
      const body = { teamId: manual ? team.value.trim() : c.teamId, enterpriseId: c.enterpriseId || '',
        allowedUserIds: users.value.split(/[\s,]+/).filter(Boolean), role: role.value };
      const saved = await request('PUT', '/integrations/slack', { body });
      notify('Saved.');
      connected(saved);
    } catch (err) {
      showErrors(el, err, { fieldName: (f) => f.replace(/\[\d+\]$/, '') });
      busy(submit, false);
    }
  });
  return el;
}

// manualCard connects by team id, where there is no Slack app to install (the local stack).
function manualCard() {
  return h('div', { class: 'card' },
    h('p', { class: 'lede', text: 'This Gatehouse has no Slack app to install, as on the local stack: name the workspace by its team id.' }),
    usersForm({}, true));
}
