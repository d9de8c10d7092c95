// The invitations list: pending, expired, revoked and accepted tabs, each invitation's email
// delivery, and resend, revoke and copy-link actions.

import { request, query, explain, newKey } from './api.js';
import { $, h, when, badge, person, table, loading, empty, failure, notify, notifyFailure, busy, announce } from './dom.js';
import { ask, showLink } from './dialog.js';
import * as batch from './invbatch.js';

const PAGE = 25;
// links holds accept links shown when an invitation without email was made or renewed in
// this tab: they are never shown again by the API, and never stored.
const links = new Map();
let me;
let status = 'pending';
let search = '';
let items = [];
let cursor = '';
let generation = 0;
let watching = 0;

export function mount(who) {
  me = who;
  const tabs = [...document.querySelectorAll('#inv-tabs [role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab.dataset.status, false));
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length].dataset.status, true);
    });
  }
  $('inv-refresh').addEventListener('click', () => load(true));
  $('inv-more').addEventListener('click', () => load(false));
  // The list is searched by the API, a moment after the typing stops.
  let typing = 0;
  $('inv-search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const q = $('inv-search').value.trim();
      if (q !== search) {
        search = q;
        load(true);
      }
    }, 300);
  });
  batch.setup(me, () => (live() ? items : []), () => load(true));
}

// live says whether the tab shows invitations that can still be resent or revoked.
const live = () => status === 'pending' || status === 'expired';

export function show() {
  load(true);
}

// refresh reloads the list, on the given tab when one is named.
export function refresh(to = status) {
  if (to !== status) return select(to, false);
  return load(true);
}

// created shows a new invitation: its link when it has no email, and the pending list.
export async function created(inv) {
  if (inv.acceptUrl) {
    links.set(inv.id, inv.acceptUrl);
    await showLink({ title: 'Share this link', message: `Send it to ${inv.email} yourself: no email goes out for this invitation.`, url: inv.acceptUrl });
  }
  await refresh('pending');
}

function select(next, focus) {
  status = next;
  for (const tab of document.querySelectorAll('#inv-tabs [role=tab]')) {
    const on = tab.dataset.status === next;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    if (on) {
      $('inv-panel').setAttribute('aria-labelledby', tab.id);
      if (focus) tab.focus();
    }
  }
  return load(true);
}

async function load(reset) {
  const gen = ++generation;
  const panel = $('inv-panel');
  if (reset) {
    items = [];
    cursor = '';
    batch.clear();
    panel.replaceChildren(loading('Loading invitations…'));
  }
  const more = $('inv-more');
  busy(more, true, 'Loading…');
  try {
    // A filtered page may come back short (the API reads a bounded amount per request):
    // read on a few times before showing it.
    const before = items.length;
    for (let round = 0; round < 5; round++) {
      const res = await request('GET', `/invitations${query({ status, q: search, limit: PAGE, cursor })}`);
      if (gen !== generation) return;
      items = items.concat(res.items);
      cursor = res.nextCursor || '';
      if (!cursor || items.length - before >= PAGE) break;
    }
    render();
  } catch (err) {
    if (gen !== generation) return;
    panel.replaceChildren(failure('The invitations', err, () => load(true)));
    $('inv-count').textContent = '';
    more.hidden = true;
  } finally {
    busy(more, false);
  }
}

const emptyText = {
  pending: ['No pending invitations', 'Invite someone above, or import many people at once from a CSV file.'],
  expired: ['No expired invitations', 'Invitations that run out before they are accepted land here, ready to be resent.'],
  revoked: ['Nothing revoked', 'Invitations you withdraw land here; their links no longer work.'],
  accepted: ['No accepted invitations yet', 'When someone accepts, they show up here and under Members.'],
};

const dateColumn = { pending: 'Expires', expired: 'Expired', revoked: 'Revoked', accepted: 'Accepted' };

function render() {
  const panel = $('inv-panel');
  $('inv-more').hidden = !cursor;
  const matching = search ? ` matching “${search}”` : '';
  $('inv-count').textContent = items.length ? `${items.length}${cursor ? '+' : ''} ${status} invitation${items.length === 1 ? '' : 's'}${matching}` : '';
  if (!items.length && search) {
    const clear = h('button', { type: 'button', class: 'secondary', text: 'Clear the search', onclick: () => { $('inv-search').value = ''; search = ''; load(true); $('inv-search').focus(); } });
    panel.replaceChildren(empty(`No ${status} invitations match “${search}”`, 'The search looks through addresses and names. Try part of either, or another tab.', clear));
    return;
  }
  if (!items.length) {
    const [title, text] = emptyText[status];
    const action = status === 'pending' ? h('button', { type: 'button', class: 'secondary', text: 'Invite someone', onclick: () => $('invite-email').focus() }) : null;
    panel.replaceChildren(empty(title, text, action));
    return;
  }
  const columns = (live() ? [{ label: 'Select', class: 'select' }] : []).concat(['Person', 'Role', 'Invited', 'Email', dateColumn[status]], live() ? [{ label: 'Actions' }] : []);
  const note = live() && !me.isAdmin ? h('p', { class: 'note', text: 'Your token can resend invitations for members and viewers; revoking needs an admin token.' }) : null;
  const rows = items.map((inv) => (live() ? [{ content: batch.box(inv), class: 'select' }, ...cells(inv)] : cells(inv)));
  panel.replaceChildren(...[note, live() ? batch.bar() : null, table(columns, rows, { caption: `${status[0].toUpperCase()}${status.slice(1)} invitations${matching}`, rowProps: (i) => rowProps(items[i]) })].filter(Boolean));
  watch(++watching);
}

function rowProps(inv) {
  return { dataset: { id: inv.id, email: inv.email, status: inv.status } };
}

function cells(inv) {
  const date = { pending: inv.expiresAt, expired: inv.expiresAt, revoked: inv.revokedAt, accepted: inv.acceptedAt }[status];
  const row = [
    { content: person(inv.name, inv.email) },
    inv.role,
    [h('div', { text: inv.invitedBy.name || inv.invitedBy.id }), h('div', { class: 'sub' }, when(inv.createdAt), ` · ${inv.source}`)],
    { content: delivery(inv), class: 'delivery' },
    when(date),
  ];
  if (live()) row.push({ content: h('div', { class: 'actions' }, actions(inv)) });
  return row;
}

// delivery shows where the invitation's email stands.
function delivery(inv) {
  const d = inv.delivery || {};
  const mark = (text, kind) => badge(text, kind, { dataset: { state: d.state } });
  switch (d.state) {
    case 'queued': return [mark('Queued', 'info'), h('div', { class: 'sub', text: 'Goes out in a moment' })];
    case 'sending': return [mark('Sending', 'info')];
    case 'sent': return [mark('Sent', 'ok'), h('div', { class: 'sub' }, when(d.updatedAt))];
    case 'failed': return [mark('Failed', 'bad'), h('p', { class: 'reason', text: d.reason || 'The email could not be sent.' })];
    case 'bounced': return [mark('Bounced', 'bad'), h('p', { class: 'reason', text: d.reason || 'The recipient\'s mail server refused the email.' })];
    case 'complained': return [mark('Marked as spam', 'bad'), h('p', { class: 'reason', text: d.reason || 'The recipient marked the email as spam.' })];
    case 'disabled': return [mark('No email'), h('div', { class: 'sub', text: 'Shared as a link' })];
  }
  return [mark(d.state || 'Unknown')];
}

function actions(inv) {
  const who = inv.name || inv.email;
  const out = [];
  if (inv.sendEmail) {
    out.push(h('button', { type: 'button', class: 'secondary small', dataset: { action: 'resend' }, 'aria-label': `Resend the invitation to ${who}`, text: 'Resend', onclick: (e) => resend(inv, e.currentTarget) }));
  } else if (me.isAdmin) {
    out.push(h('button', { type: 'button', class: 'secondary small', dataset: { action: 'copy-link' }, 'aria-label': `Copy the link for ${who}`, text: 'Copy link', onclick: (e) => copyLink(inv, e.currentTarget) }));
  }
  if (me.isAdmin) {
    out.push(h('button', { type: 'button', class: 'secondary small', dataset: { action: 'revoke' }, 'aria-label': `Revoke the invitation for ${who}`, text: 'Revoke', onclick: (e) => revoke(inv, e.currentTarget) }));
  }
  return out;
}

async function resend(inv, button) {
  busy(button, true, 'Resending…');
  try {
    const res = await request('POST', `/invitations/${inv.id}/resend`, { key: newKey() });
    if (res.acceptUrl) {
      links.set(inv.id, res.acceptUrl);
      await showLink({ title: 'New link ready', message: `The earlier link for ${inv.email} no longer works; share this one instead.`, url: res.acceptUrl });
    } else {
      notify(`The invitation to ${inv.email} is on its way again. The earlier link no longer works.`);
    }
    update(res, button.dataset.action);
  } catch (err) {
    notifyFailure(err);
  } finally {
    busy(button, false);
  }
}

async function copyLink(inv, button) {
  const known = links.get(inv.id);
  if (known) return showLink({ title: `Link for ${inv.email}`, url: known });
  const ok = await ask({
    title: 'Make a new link?',
    message: `The link for ${inv.email} was shown only when the invitation was made. A new link replaces it, and the earlier one stops working.`,
    confirmLabel: 'Make a new link',
  });
  if (ok) await resend(inv, button);
}

async function revoke(inv, button) {
  const ok = await ask({
    title: `Revoke the invitation for ${inv.email}?`,
    message: 'The link they have stops working at once. You can invite them again later.',
    confirmLabel: 'Revoke invitation',
    danger: true,
  });
  if (!ok) return;
  busy(button, true, 'Revoking…');
  try {
    const res = await request('DELETE', `/invitations/${inv.id}`);
    notify(`The invitation for ${inv.email} was revoked.`);
    update(res, '');
  } catch (err) {
    notify(explain(err), 'error');
    busy(button, false);
  }
}

// update puts a changed invitation in place, or takes it off a tab it no longer belongs to,
// keeping keyboard focus nearby.
function update(inv, focusAction) {
  const i = items.findIndex((x) => x.id === inv.id);
  if (i < 0) return;
  if (inv.status === status) items[i] = inv;
  else items.splice(i, 1);
  render();
  const rows = [...$('inv-panel').querySelectorAll('tbody tr')];
  const target = rows.find((r) => r.dataset.id === inv.id) || rows[Math.min(i, rows.length - 1)];
  const button = target && (target.querySelector(`[data-action="${focusAction}"]`) || target.querySelector('button'));
  if (button) button.focus();
  else $('inv-panel').focus();
  if (inv.status !== status) announce(`${inv.email} is now ${inv.status}.`);
}

// watch follows the emails still on their way, so that "queued" turns into "sent" (or
// "failed", with the reason) without a reload.
async function watch(w, round = 0) {
  const waiting = () => items.filter((x) => ['queued', 'sending'].includes(x.delivery && x.delivery.state));
  if (round > 40 || !waiting().length) return;
  await new Promise((r) => setTimeout(r, 1500));
  if (w !== watching || $('invitations').hidden) return;
  for (const inv of waiting().slice(0, 10)) {
    try {
      const fresh = await request('GET', `/invitations/${inv.id}`);
      if (w !== watching) return;
      const i = items.findIndex((x) => x.id === fresh.id);
      if (i < 0) continue;
      items[i] = fresh;
      const cell = $('inv-panel').querySelector(`tr[data-id="${CSS.escape(fresh.id)}"] td.delivery`);
      if (cell) cell.replaceChildren(...delivery(fresh));
    } catch {
      return;
    }
  }
  watch(w, round + 1);
}
