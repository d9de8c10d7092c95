// The Settings page: signing in with an API token, and the sections an admin moves between.

import { request, session, explain } from './api.js';
import { $, notify } from './dom.js';
import { clearErrors, fieldError } from './forms.js';
import * as invitations from './invitations.js';
import * as invite from './invite.js';
import * as members from './members.js';
import * as bulk from './bulk.js';
import * as sync from './sync.js';
import * as audit from './audit.js';
import * as identity from './scim.js';
import * as slack from './slack.js';
import * as webhooks from './webhooks.js';
import * as tokens from './tokens.js';

const views = { invitations, members, bulk, sync, identity, slack, webhooks, tokens, audit };
const NOTICE_KEY = 'gatehouse.notice';
const TOKEN_SHAPE = /^ghk_[A-Za-z0-9_-]{43}$/;

// me is who is signed in: an admin token, or a member's or viewer's (the API does not say
// which of the two, and refuses what they may not do).
const me = { isAdmin: false, name: '', tokenId: '' };
let started = false;

// identify checks token and learns whether it is an admin's: only admins may list tokens,
// and the list tells which one is ours by its last four characters.
async function identify(token) {
  await request('GET', '/users?limit=1', { token });
  try {
    const list = await request('GET', '/tokens', { token });
    const mine = list.items.find((t) => t.hint && token.endsWith(t.hint));
    return { isAdmin: true, name: mine ? mine.name : '', tokenId: mine ? mine.id : '' };
  } catch (err) {
    if (err.status === 403) return { isAdmin: false, name: '', tokenId: '' };
    throw err;
  }
}

function showSignIn(message = '') {
  $('app').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  const form = $('signin-form');
  clearErrors(form);
  if (message) fieldError(form, 'token', message);
  $('token').focus();
}

function start(who, focus = false) {
  Object.assign(me, who);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('session').hidden = false;
  $('whoami').textContent = me.isAdmin ? `${me.name || 'Admin token'} · admin` : 'Member or viewer token';
  if (!started) {
    started = true;
    invitations.mount(me);
    invite.mount(me, (inv) => invitations.created(inv));
    members.mount(me);
    bulk.mount(me, () => invitations.refresh());
    sync.mount(me);
    identity.mount(me);
    slack.mount(me);
    webhooks.mount(me);
    tokens.mount(me);
    audit.mount(me);
  }
  route(focus);
}

// route shows the section the address names (#/members), the invitations by default. Only
// the views' own names count: #/constructor names something every object inherits.
function route(focus = true) {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0];
  const current = Object.hasOwn(views, name) ? name : 'invitations';
  for (const id of Object.keys(views)) $(id).hidden = id !== current;
  for (const a of document.querySelectorAll('.sections a')) {
    if (a.getAttribute('href') === `#/${current}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  showTab();
  document.title = `${$(`${current}-title`).textContent} · Settings · Gatehouse`;
  views[current].show();
  if (focus) $(`${current}-title`).focus();
}

// strip is the tab strip's list, which scrolls sideways where the tabs do not fit.
const strip = () => document.querySelector('.sections ul');

// markOverflow says on the strip which ends have tabs scrolled out of sight, for its fades.
function markOverflow() {
  const ul = strip();
  const more = [];
  if (ul.scrollLeft > 1) more.push('start');
  if (ul.scrollLeft + ul.clientWidth < ul.scrollWidth - 1) more.push('end');
  ul.parentElement.dataset.more = more.join(' ');
}

// showTab scrolls the strip, not the page, so that the current tab is in sight.
function showTab() {
  const ul = strip();
  const a = ul.querySelector('[aria-current="page"]');
  if (a) {
    const box = ul.getBoundingClientRect();
    const tab = a.getBoundingClientRect();
    if (tab.left < box.left) ul.scrollLeft -= box.left - tab.left + 24;
    else if (tab.right > box.right) ul.scrollLeft += tab.right - box.right + 24;
  }
  markOverflow();
}

function signOut(notice = '') {
  session.clear();
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  // A fresh page leaves nothing of the organization's data behind in this tab.
  location.reload();
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  const token = $('token').value.trim();
  if (!token) return fieldError(form, 'token', 'Paste your API token.').focus();
  if (!TOKEN_SHAPE.test(token)) {
    return fieldError(form, 'token', 'That is not a Gatehouse API token: those are ghk_ followed by 43 letters, digits, - or _.').focus();
  }
  const button = $('signin-submit');
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    const who = await identify(token);
    session.save(token);
    $('token').value = '';
    start(who, true);
  } catch (err) {
    const message = err.status === 401 ? 'This token was not accepted: it may have been revoked, or it belongs to another Gatehouse.' : explain(err);
    fieldError(form, 'token', message).focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
});

$('sign-out').addEventListener('click', () => signOut());
strip().addEventListener('scroll', markOverflow, { passive: true });
addEventListener('resize', markOverflow);
addEventListener('hashchange', () => { if (started && !$('app').hidden) route(); });
addEventListener('gatehouse:unauthenticated', () => {
  if (started) signOut('Your session ended: the token is no longer accepted. Sign in with a valid token.');
});

// On load: carry on with the token kept in this tab, if it still works.
(async () => {
  const notice = sessionStorage.getItem(NOTICE_KEY) || '';
  sessionStorage.removeItem(NOTICE_KEY);
  const token = session.token();
  if (!token) return showSignIn(notice);
  try {
    start(await identify(token));
  } catch (err) {
    if (err.status === 401) {
      session.clear();
      return showSignIn('Your session ended: the token is no longer accepted. Sign in with a valid token.');
    }
    showSignIn();
    notify(explain(err), 'error');
  }
})();
