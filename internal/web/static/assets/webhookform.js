// The form of a webhook endpoint: its address, a description, the events it receives (one
// box for every event type the API lists, or all of them) and, once it exists, whether it
// is on. The same form adds an endpoint and edits one.

import { request, newKey, unsettled } from './api.js';
import { h, busy } from './dom.js';
import { clearErrors, showErrors, fieldError } from './forms.js';

// ALL is the subscription to every event type, including types added later.
const ALL = '*';

const field = (id, label, control, hint = '') => h('div', { class: 'field' },
  h('label', { for: id, text: label }), control,
  hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));

// eventsField is a box for each event type, and one for all of them, which stands alone.
function eventsField(types, chosen) {
  const all = h('input', { type: 'checkbox', id: 'webhook-events-all', name: 'events-all', checked: chosen.includes(ALL), 'aria-describedby': 'webhook-events-all-error' });
  const boxes = types.map((t) => h('input', {
    type: 'checkbox', id: `webhook-event-${t.type.replaceAll('.', '-')}`, name: 'event', value: t.type,
    checked: chosen.includes(t.type), 'aria-describedby': `webhook-event-${t.type.replaceAll('.', '-')}-hint`,
  }));
  const sync = () => {
    for (const b of boxes) b.disabled = all.checked;
  };
  all.addEventListener('change', sync);
  sync();
  // Each box is named by its type and described by what the type announces.
  const list = h('div', { class: 'event-list' }, types.map((t, i) => h('div', { class: 'event' },
    h('label', { class: 'check' }, boxes[i], h('code', { text: t.type })),
    h('p', { class: 'hint', id: `webhook-event-${t.type.replaceAll('.', '-')}-hint`, text: t.description }))));
  const el = h('fieldset', { class: 'events' },
    h('legend', { text: 'Events' }),
    h('label', { class: 'check' }, all, h('span', { text: 'All events, including those Gatehouse adds later' })),
    h('p', { class: 'field-error', id: 'webhook-events-all-error', hidden: true }),
    list);
  const value = () => (all.checked ? [ALL] : boxes.filter((b) => b.checked).map((b) => b.value));
  return { el, value };
}

// endpointForm builds the form. Without an endpoint it adds one (saved gets the answer,
// which holds the secret); with one it edits it, and cancel ends the edit.
export function endpointForm(types, endpoint, { saved, cancel = null }) {
  const editing = Boolean(endpoint);
  const url = h('input', { type: 'url', id: 'webhook-url', name: 'url', value: endpoint ? endpoint.url : '', required: true, autocomplete: 'off', spellcheck: 'false', inputmode: 'url', 'aria-describedby': 'webhook-url-hint webhook-url-error' });
  const description = h('input', { type: 'text', id: 'webhook-description', name: 'description', value: endpoint ? endpoint.description || '' : '', maxlength: 200, autocomplete: 'off', 'aria-describedby': 'webhook-description-error' });
  const events = eventsField(types, endpoint ? endpoint.events : []);
  const enabled = h('input', { type: 'checkbox', id: 'webhook-enabled', name: 'enabled', checked: !endpoint || endpoint.enabled, 'aria-describedby': 'webhook-enabled-hint' });
  const submit = h('button', { type: 'submit', id: 'webhook-submit', text: editing ? 'Save' : 'Add endpoint' });
  const el = h('form', { id: 'webhook-form', novalidate: true, 'aria-labelledby': 'webhook-form-title' },
    h('h2', { id: 'webhook-form-title', tabindex: '-1', text: editing ? 'Edit endpoint' : 'Add an endpoint' }),
    h('div', { class: 'fields' },
      field('webhook-url', 'Endpoint URL', url, 'The public https address Gatehouse posts events to. Redirects are not followed.'),
      field('webhook-description', 'Description (optional)', description)),
    events.el,
    editing ? h('div', { class: 'field' },
      h('label', { class: 'check' }, enabled, h('span', { text: 'Enabled: send events to this endpoint' })),
      h('p', { class: 'hint', id: 'webhook-enabled-hint', text: endpoint.disabledReason ? `Gatehouse turned it off: ${endpoint.disabledReason}. Turning it on again sends new events; retry earlier ones from its deliveries.` : 'While it is off, its events are not sent.' })) : null,
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'actions' }, submit,
      cancel ? h('button', { type: 'button', class: 'secondary', id: 'webhook-cancel', text: 'Cancel', onclick: cancel }) : null));
  // retry is the key and body of an addition whose answer never came: sent again, it must
  // not add a second endpoint.
  let retry = null;
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const body = { url: url.value.trim(), description: description.value.trim(), events: events.value() };
    if (editing) body.enabled = enabled.checked;
    const missing = [
      !body.url && fieldError(el, 'url', 'Enter the https address of your endpoint.'),
      !body.events.length && fieldError(el, 'events-all', 'Choose the events to send, or all of them.'),
    ].filter(Boolean);
    if (missing.length) return missing[0].focus();
    const text = JSON.stringify(body);
    if (!retry || retry.body !== text) retry = { key: newKey(), body: text };
    busy(submit, true, 'Saving…');
    try {
      const res = editing
        ? await request('PATCH', `/webhooks/${encodeURIComponent(endpoint.id)}`, { body })
        : await request('POST', '/webhooks', { body, key: retry.key });
      retry = null;
      busy(submit, false);
      await saved(res);
    } catch (err) {
      if (!unsettled(err)) retry = null;
      busy(submit, false);
      showErrors(el, err, { fieldName: (f) => (f.startsWith('events') ? 'events-all' : f) });
    }
  });
  return el;
}
