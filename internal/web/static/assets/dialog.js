// The one modal dialog: confirmations before changes, and showing a link to copy. A native
// <dialog> keeps focus inside, closes with Escape and gives focus back where it was.

import { $, h, announce } from './dom.js';

let open = null;

// ask shows the dialog and resolves true when the person confirms, false when they cancel.
// body is extra content (a select, a field); confirmLabel names the action on the button.
export function ask({ title, message = '', body = null, confirmLabel = 'OK', cancelLabel = 'Cancel', danger = false }) {
  const dialog = $('dialog');
  if (open) open(false);
  $('dialog-title').textContent = title;
  $('dialog-body').replaceChildren(...[message && h('p', { text: message }), body].filter(Boolean));
  const ok = $('dialog-ok');
  const cancel = $('dialog-cancel');
  ok.textContent = confirmLabel;
  ok.className = danger ? 'danger' : '';
  cancel.textContent = cancelLabel || '';
  cancel.hidden = !cancelLabel;
  cancel.onclick = () => dialog.close('cancel');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    const done = (value) => {
      open = null;
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      // What the dialog showed (a secret, a link) leaves the page with it; callers keep
      // their own references to the fields they read.
      $('dialog-body').replaceChildren();
      resolve(value);
    };
    const onClose = () => done(dialog.returnValue === 'ok');
    open = done;
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    // The safe choice has focus first for destructive actions; otherwise the first field.
    const first = body && body.querySelector && body.querySelector('input, select, textarea');
    (danger && cancelLabel ? cancel : first || ok).focus();
  });
}

// copyText puts text on the clipboard; where the browser refuses, it selects it in input
// so that the person can copy it themselves.
export async function copyText(text, input = null) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input) {
      input.focus();
      input.select();
    }
    return false;
  }
}

// copyable shows a read-only value with a button that copies it; label names the button
// ("Copy token"), and without "Copy " the value.
export function copyable(id, value, label) {
  const what = label.replace(/^Copy /, '');
  const input = h('input', { type: 'text', readonly: true, id, value, spellcheck: 'false', 'aria-label': what[0].toUpperCase() + what.slice(1) });
  const status = h('span', { class: 'hint', id: `${id}-status`, 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button', class: 'secondary small', id: `${id}-copy`, text: label,
    onclick: async () => {
      const copied = await copyText(value, input);
      status.textContent = copied ? 'Copied.' : 'Press Ctrl+C (or ⌘C) to copy the selected text.';
      if (copied) announce(`${what[0].toUpperCase()}${what.slice(1)} copied`);
    },
  });
  return h('div', { class: 'actions copyable' }, input, copy, status);
}

// showSecret shows a secret that the API gives only once, to copy, with what it is for.
export function showSecret({ title, message, id, value, label = 'Copy secret', notes = [] }) {
  const body = h('div', {}, message ? h('p', { text: message }) : null, copyable(id, value, label),
    notes.map((text) => h('p', { class: 'hint', text })),
    h('p', { class: 'hint', text: 'It is shown only now: Gatehouse keeps no copy it could show again.' }));
  return ask({ title, body, confirmLabel: 'Done', cancelLabel: '' });
}

// showLink shows an accept link to hand out, with a button that copies it.
export function showLink({ title, message, url }) {
  const input = h('input', { type: 'text', readonly: true, id: 'link-value', value: url, 'aria-label': 'Accept link', spellcheck: 'false' });
  const status = h('p', { class: 'hint', id: 'link-status', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button', class: 'secondary small', id: 'link-copy', text: 'Copy link',
    onclick: async () => {
      const copied = await copyText(url, input);
      status.textContent = copied ? 'Copied to the clipboard.' : 'Press Ctrl+C (or ⌘C) to copy the selected link.';
      if (copied) announce('Link copied');
    },
  });
  const body = h('div', {}, h('div', { class: 'actions' }, input, copy), status,
    h('p', { class: 'hint', text: 'Anyone with this link can join as the invited person, so share it privately. It is shown only now.' }));
  return ask({ title, message, body, confirmLabel: 'Done', cancelLabel: '' });
}
