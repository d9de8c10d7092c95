// The Webhooks panel: the endpoints Gatehouse posts signed events to. Add one (its signing
// secret shown once), change its events or turn it off and on, rotate its secret (the old
// one signs too for a day), send a test event and see what came of it, list its deliveries
// and retry the failed ones, and delete it.

import { request, explain, sentence } from './api.js';
import { $, h, fill, when, badge, table, loading, empty, failure, notify, announce, busy } from './dom.js';
import { ask, showSecret } from './dialog.js';
import { endpointForm } from './webhookform.js';
import { deliveriesCard, status as deliveryStatus, answer } from './webhookdeliveries.js';

let me;
let types = [];
let endpoints = [];
let deliveries = null; // the deliveries card shown, if any

export function mount(who) {
  me = who;
}

export function show() {
  load();
}

function state(name, ...content) {
  const panel = $('webhooks-panel');
  panel.dataset.state = name;
  fill(panel, ...content);
}

async function load(focus = '') {
  if (!me.isAdmin) return state('forbidden', empty('Webhooks are for admins', 'Sign in with an admin token to manage the endpoints Gatehouse sends events to.'));
  state('loading', loading('Loading webhooks…'));
  try {
    if (!types.length) types = (await request('GET', '/webhooks/event-types')).items;
    endpoints = (await request('GET', '/webhooks')).items;
  } catch (err) {
    if (err.code === 'route_not_found') return state('unavailable', empty('Webhooks are not available here', 'This Gatehouse does not send webhooks.'));
    return state('error', failure('The webhooks', err, () => load()));
  }
  render(focus);
}

// render shows the list and the form to add one; focus names where the keyboard goes.
function render(focus = '') {
  deliveries = null;
  state(endpoints.length ? 'listed' : 'empty',
    h('div', { class: 'card', id: 'webhooks-list' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'webhooks-list-title', tabindex: '-1', text: 'Endpoints' }),
        h('button', { type: 'button', class: 'secondary small', id: 'webhooks-refresh', text: 'Refresh', onclick: () => load('webhooks-list-title') })),
      h('div', { id: 'webhook-result' }),
      endpoints.length ? list() : empty('No endpoints yet', 'Add the address of a system that should hear about new invitations, members joining and leaving, and sync runs.')),
    h('div', { id: 'webhook-deliveries-slot' }),
    h('div', { class: 'card', id: 'webhook-form-card' }, addForm()));
  if (focus && $(focus)) $(focus).focus();
}

function addForm() {
  return endpointForm(types, null, {
    saved: async (created) => {
      await showSecret({
        title: 'Endpoint added', id: 'webhook-secret', value: created.secret, label: 'Copy secret',
        message: `Gatehouse signs every request to ${created.url} with this secret. Give it to your receiver, which checks each request's webhook-signature header with it.`,
      });
      notify(`The endpoint ${created.url} was added.`);
      await load();
      focusRow(created.id);
    },
  });
}

function eventsText(events) {
  return events.includes('*') ? 'All events' : events.join(', ');
}

// endpointStatus says whether an endpoint gets its events: enabled, failing, or disabled
// with Gatehouse's reason.
function endpointStatus(e) {
  if (!e.enabled) {
    return [badge('Disabled', 'bad', { dataset: { state: 'disabled' } }),
      h('p', { class: e.disabledReason ? 'reason' : 'sub', text: e.disabledReason ? sentence(e.disabledReason) : 'Turned off by an admin.' })];
  }
  if (e.failingSince) return [badge('Failing', 'warn', { dataset: { state: 'failing' } }), h('div', { class: 'sub' }, 'since ', when(e.failingSince))];
  return badge('Enabled', 'ok', { dataset: { state: 'enabled' } });
}

function list() {
  return table(['Endpoint', 'Events', 'Status', 'Secret', { label: 'Actions' }], endpoints.map((e) => [
    [h('div', { class: 'person mono', text: e.url }), e.description ? h('div', { class: 'sub', text: e.description }) : null],
    h('span', { class: 'small', text: eventsText(e.events) }),
    endpointStatus(e),
    [h('span', { class: 'mono', text: `…${e.secretHint}` }),
      e.previousSecretUntil ? h('div', { class: 'sub' }, 'The old secret also signs; it expires ', when(e.previousSecretUntil)) : null],
    { content: h('div', { class: 'actions' }, actions(e)) },
  ]), { caption: 'Webhook endpoints', rowProps: (i) => ({ dataset: { id: endpoints[i].id, url: endpoints[i].url } }) });
}

function actions(e) {
  const button = (action, text, label, onclick) => h('button', { type: 'button', class: 'secondary small', dataset: { action }, 'aria-label': `${label} ${e.url}`, text, onclick });
  return [
    button('test', 'Send test', 'Send a test event to', (ev) => test(e, ev.currentTarget)),
    button('deliveries', 'Deliveries', 'Show the deliveries to', () => showDeliveries(e)),
    button('edit', 'Edit', 'Edit', () => edit(e)),
    button('rotate', 'Rotate secret', 'Rotate the signing secret of', (ev) => rotate(e, ev.currentTarget)),
    button('delete', 'Delete', 'Delete', (ev) => remove(e, ev.currentTarget)),
  ];
}

// focusRow puts the keyboard on an endpoint's first action, or on the list's heading.
function focusRow(id, action = 'test') {
  const row = $('webhooks-panel').querySelector(`tr[data-id="${CSS.escape(id)}"]`);
  const target = row && (row.querySelector(`[data-action="${action}"]`) || row.querySelector('button'));
  (target || $('webhooks-list-title')).focus();
}

// test sends webhook.test now and says what came of it, beside the list.
async function test(e, button) {
  busy(button, true, 'Sending…');
  try {
    const d = await request('POST', `/webhooks/${encodeURIComponent(e.id)}/test`, {});
    const ok = d.status === 'delivered';
    const said = ok
      ? `The test event reached ${e.url}${d.lastResponseStatus ? `, which answered ${d.lastResponseStatus}` : ''}.`
      : `The test event did not reach ${e.url}${d.lastError ? `: ${d.lastError}` : '.'}`;
    fill($('webhook-result'), h('div', { class: `note ${ok ? 'ok' : 'bad'}`, id: 'webhook-test-result', dataset: { status: d.status } },
      h('p', {}, h('strong', { text: ok ? 'Test delivered. ' : 'Test not delivered. ' }), said),
      h('div', { class: 'actions' }, deliveryStatus(d), answer(d), h('span', { class: 'sub mono', text: d.id })),
      ok ? null : h('p', { class: 'small', text: 'It is retried like any other delivery; see Deliveries for its next attempt.' })));
    announce(said, !ok);
    if (deliveries && deliveries.card.dataset.endpoint === e.id) deliveries.reload();
  } catch (err) {
    notify(explain(err), 'error');
  } finally {
    busy(button, false);
  }
}

function showDeliveries(e) {
  const slot = $('webhook-deliveries-slot');
  deliveries = deliveriesCard(e, {
    close: () => {
      slot.replaceChildren();
      deliveries = null;
      focusRow(e.id, 'deliveries');
    },
  });
  slot.replaceChildren(deliveries.card);
  $('webhook-deliveries-title').focus();
}

function edit(e) {
  const card = $('webhook-form-card');
  const cancel = () => {
    card.replaceChildren(addForm());
    announce('The endpoint was not changed.');
    focusRow(e.id, 'edit');
  };
  card.replaceChildren(endpointForm(types, e, {
    saved: async (fresh) => {
      notify(`The endpoint ${fresh.url} was saved${fresh.enabled ? '' : '; it is disabled'}.`);
      await load();
      focusRow(fresh.id, 'edit');
    },
    cancel,
  }));
  $('webhook-url').focus();
}

async function rotate(e, button) {
  const ok = await ask({
    title: 'Rotate the signing secret?',
    message: `Gatehouse makes a new secret for ${e.url}. The current one keeps signing alongside it for 24 hours, so your receiver can switch over without missing an event.`,
    confirmLabel: 'Rotate secret',
  });
  if (!ok) return;
  busy(button, true, 'Rotating…');
  try {
    const res = await request('POST', `/webhooks/${encodeURIComponent(e.id)}/rotate-secret`, {});
    busy(button, false);
    const until = res.previousSecretUntil ? new Date(res.previousSecretUntil).toLocaleString() : 'a day from now';
    await showSecret({
      title: 'New signing secret', id: 'webhook-secret', value: res.secret, label: 'Copy secret',
      message: `Give it to the receiver of ${e.url}.`,
      notes: [`The old secret stays valid for 24 hours, until ${until}: each request is signed with both until then. After that only this one signs.`],
    });
    await load();
    focusRow(e.id, 'rotate');
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}

async function remove(e, button) {
  const ok = await ask({
    title: `Delete the endpoint ${e.url}?`,
    message: 'Gatehouse stops sending it events at once, and deliveries not yet made are dropped. This cannot be undone.',
    confirmLabel: 'Delete endpoint', danger: true,
  });
  if (!ok) return;
  busy(button, true, 'Deleting…');
  try {
    await request('DELETE', `/webhooks/${encodeURIComponent(e.id)}`);
    notify(`The endpoint ${e.url} was deleted.`);
    await load('webhooks-list-title');
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}
