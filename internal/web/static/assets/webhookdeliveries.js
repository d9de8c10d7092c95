// One endpoint's deliveries, newest first: each event's status, attempts, the endpoint's
// last answer or what went wrong, and when the next attempt is due; a failed or failing
// delivery can be sent again (with the same webhook-id, so a receiver can tell).

import { request, query, explain } from './api.js';
import { h, fill, when, badge, table, loading, empty, failure, notify, announce, busy } from './dom.js';

const PAGE = 20;
const kinds = { pending: 'info', delivered: 'ok', failing: 'warn', failed: 'bad' };
const labels = { pending: 'Pending', delivered: 'Delivered', failing: 'Failing', failed: 'Failed' };

// status is a delivery's state as a badge.
export const status = (d) => badge(labels[d.status] || d.status, kinds[d.status] || '', { dataset: { state: d.status } });

// answer says what the endpoint last answered, or what went wrong on the way.
export function answer(d) {
  const out = [];
  if (d.lastResponseStatus) out.push(h('div', {}, 'HTTP ', h('strong', { text: String(d.lastResponseStatus) })));
  if (d.lastError) out.push(h('p', { class: d.status === 'delivered' ? 'sub' : 'reason', text: d.lastError }));
  if (d.lastResponseBody) out.push(h('div', { class: 'sub mono', text: d.lastResponseBody }));
  return out.length ? out : h('span', { class: 'muted', text: d.attempts ? '—' : 'Not attempted yet' });
}

// deliveriesCard lists the deliveries of endpoint e into a card, and keeps it up to date
// while deliveries are on their way. close hides it.
export function deliveriesCard(e, { close }) {
  let items = [];
  let cursor = '';
  let round = 0;
  const body = h('div', { id: 'webhook-deliveries-list' }, loading('Loading deliveries…'));
  const refresh = h('button', { type: 'button', class: 'secondary small', id: 'webhook-deliveries-refresh', text: 'Refresh', onclick: () => load(true) });
  const done = h('button', { type: 'button', class: 'secondary small', id: 'webhook-deliveries-close', text: 'Close', onclick: close });
  const card = h('div', { class: 'card', id: 'webhook-deliveries', dataset: { endpoint: e.id } },
    h('div', { class: 'card-head' },
      h('h2', { id: 'webhook-deliveries-title', tabindex: '-1' }, 'Deliveries to ', h('span', { class: 'mono', text: e.url })),
      h('div', { class: 'actions' }, refresh, done)),
    e.enabled ? null : h('p', { class: 'note warn', text: 'The endpoint is disabled: turn it on (Edit) to retry its deliveries.' }),
    body);

  async function load(reset) {
    if (reset) {
      cursor = '';
      items = [];
    }
    try {
      const res = await request('GET', `/webhooks/${encodeURIComponent(e.id)}/deliveries${query({ limit: PAGE, cursor })}`);
      items = items.concat(res.items);
      cursor = res.nextCursor || '';
      render();
    } catch (err) {
      fill(body, failure('The deliveries', err, () => load(true)));
    }
  }

  function render() {
    if (!items.length) {
      fill(body, empty('No deliveries yet', 'Each event the endpoint receives shows up here with its outcome. Send a test event to try it.'));
      return;
    }
    fill(body,
      table(['Event', 'Created', 'Status', 'Attempts', 'Last answer', 'Next attempt', { label: 'Actions' }], items.map((d) => [
        [h('div', { class: 'mono', text: d.eventType }), h('div', { class: 'sub mono', text: d.id })],
        when(d.createdAt), status(d), { content: String(d.attempts), class: 'num' }, answer(d), when(d.nextAttemptAt),
        retryButton(d),
      ]), { caption: 'Deliveries, newest first', rowProps: (i) => ({ dataset: { id: items[i].id, status: items[i].status } }) }),
      cursor ? h('button', { type: 'button', class: 'secondary small', text: 'Show older deliveries', onclick: () => load(false) }) : null);
    watch();
  }

  function retryButton(d) {
    if (!['failed', 'failing'].includes(d.status) || !e.enabled) return h('span', { class: 'muted', text: '—' });
    return h('button', {
      type: 'button', class: 'secondary small', dataset: { action: 'retry' }, 'aria-label': `Retry the ${d.eventType} delivery ${d.id}`, text: 'Retry',
      onclick: async (ev) => {
        const button = ev.currentTarget;
        busy(button, true, 'Retrying…');
        try {
          const fresh = await request('POST', `/webhooks/${encodeURIComponent(e.id)}/deliveries/${encodeURIComponent(d.id)}/retry`, {});
          items = items.map((x) => (x.id === fresh.id ? fresh : x));
          round = 0;
          render();
          notify(`The ${d.eventType} delivery is due again; it goes out in a moment.`);
          // The button is gone with the failure: the keyboard goes to the list's heading.
          card.querySelector('#webhook-deliveries-title').focus();
        } catch (err) {
          busy(button, false);
          notify(explain(err), 'error');
        }
      },
    });
  }

  // watch reloads while a delivery is pending, so its outcome shows without a reload.
  function watch() {
    if (round > 20 || !items.some((d) => d.status === 'pending')) return;
    const r = ++round;
    setTimeout(async () => {
      if (r !== round || !card.isConnected) return;
      const before = items.filter((d) => d.status === 'pending').map((d) => d.id);
      await load(true);
      const settled = items.filter((d) => before.includes(d.id) && d.status !== 'pending');
      for (const d of settled) announce(`The ${d.eventType} delivery is ${d.status}.`);
    }, 1500);
  }

  load(true);
  return { card, reload: () => load(true) };
}
