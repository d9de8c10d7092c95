// Building the page from data: elements, dates, badges, the designed empty, loading and
// error states, and announcements. Text always goes in as text, never as markup.

import { explain } from './api.js';

// h makes an element: h('button', {class: 'x', onclick: f, text: 'Go'}, child, ...).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

// fill replaces el's content with children, leaving out the empty ones (null, false, '').
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false && c !== ''));
  return el;
}

// $ finds one element by id.
export const $ = (id) => document.getElementById(id);

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const steps = [[60, 'second'], [3600, 'minute'], [86400, 'hour'], [604800, 'day'], [2629800, 'week'], [31557600, 'month'], [Infinity, 'year']];
const sizes = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2629800, year: 31557600 };

// fullDate is a date and time in the reader's locale.
export const fullDate = (iso) => dateFormat.format(new Date(iso));

// relative says how long ago or ahead iso is: "3 minutes ago", "in 6 days".
export function relative(iso, now = Date.now()) {
  const diff = (Date.parse(iso) - now) / 1000;
  const [, unit] = steps.find(([limit]) => Math.abs(diff) < limit);
  if (unit === 'second' && Math.abs(diff) < 45) return diff < 0 ? 'just now' : 'in a moment';
  return relativeFormat.format(Math.round(diff / sizes[unit]), unit);
}

// when is a <time> saying how long ago, with the full date on hover; a dash when unset.
export function when(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  return h('time', { datetime: iso, title: fullDate(iso) }, relative(iso));
}

// badge is a small labelled state; kind is ok, bad, warn, info or plain.
export const badge = (text, kind = '', extra = {}) => h('span', { class: `badge ${kind}`.trim(), ...extra }, text);

// person shows a name above an email, or the email alone.
export function person(name, email) {
  return name ? [h('div', { class: 'person', text: name }), h('div', { class: 'sub', text: email })] : h('div', { class: 'person', text: email });
}

// table builds a responsive table: columns are labels; each row is a list of cells, and a
// cell is content or {content, class}. On a phone every cell shows its column's label.
export function table(columns, rows, { caption = '', rowProps = () => ({}) } = {}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label ?? c))));
  const body = h('tbody', {}, rows.map((r, i) => h('tr', rowProps(i),
    r.map((cell, j) => {
      const c = cell && cell.content !== undefined ? cell : { content: cell };
      return h('td', { 'data-label': columns[j].label ?? columns[j], class: c.class || columns[j].class }, c.content);
    }))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack' }, caption ? h('caption', { text: caption }) : null, head, body));
}

// loading is the state while data is on its way.
export const loading = (text = 'Loading…') => h('p', { class: 'loading', role: 'status', text });

// empty is a designed empty state: what is missing, and what to do about it.
export const empty = (title, text, action = null) =>
  h('div', { class: 'empty', dataset: { state: 'empty' } }, h('p', { class: 'empty-title', text: title }), h('p', { text }), action);

// failure is the state when data could not be loaded, with a way to try again.
export function failure(what, err, retry) {
  return h('div', { class: 'empty error', role: 'alert', dataset: { state: 'error' } },
    h('p', { class: 'empty-title', text: `${what} could not be loaded` }),
    h('p', { text: explain(err) }),
    retry ? h('button', { type: 'button', class: 'secondary', onclick: retry, text: 'Try again' }) : null);
}

// announce tells screen readers something without showing it; urgent interrupts them.
export function announce(text, urgent = false) {
  const live = $(urgent ? 'alert' : 'live');
  live.textContent = '';
  requestAnimationFrame(() => { live.textContent = text; });
}

// reserve keeps room under the page for the toasts while they show, so that whatever ends
// the page (a table of results, its last buttons) can always be scrolled clear of them.
let reserve = null;
function reserveRoom(box) {
  reserve ??= new ResizeObserver(() => {
    $('main').style.paddingBottom = box.children.length ? `max(4rem, ${box.offsetHeight + 32}px)` : '';
  });
  reserve.observe(box);
}

// notify shows a short message, which screen readers hear through the live regions (the
// toasts come and go, so they are not live themselves); errors stay longer. kind is ok,
// info, notice (nothing went wrong, but something must wait) or error.
export function notify(text, kind = 'ok') {
  const box = $('toasts');
  reserveRoom(box);
  const close = () => toast.remove();
  announce(text, kind === 'error');
  const toast = h('div', { class: `toast ${kind}`, dataset: { kind } },
    h('p', { text }), h('button', { type: 'button', 'aria-label': 'Dismiss', onclick: close, text: '×' }));
  box.append(toast);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(close, { error: 12000, notice: 9000 }[kind] || 6000);
}

// notifyFailure tells of a refused request: a notice when it was only too soon (an email
// that has to wait, with when to try again), an error otherwise.
export function notifyFailure(err) {
  notify(explain(err), err && err.code === 'rate_limited' ? 'notice' : 'error');
}

// busy marks a button as working (or done working), keeping its label to restore.
export function busy(button, on, label = '') {
  if (on) {
    button.dataset.label ??= button.textContent;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    if (label) button.textContent = label;
  } else {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    delete button.dataset.label;
  }
}

// downloadLink offers text as a CSV file.
export function downloadLink(text, filename, label, props = {}) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  return h('a', { class: 'button secondary', href: url, download: filename, text: label, ...props });
}
