// Inline validation from the API's problem responses: each entry of errors[] names a field,
// which is highlighted with its message beside it; what names no field on the form is shown
// above the submit button.

import { explain, sentence } from './api.js';
import { h } from './dom.js';

// clearErrors removes every highlight and message from form.
export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  const box = form.querySelector('.form-error');
  if (box) {
    box.replaceChildren();
    box.hidden = true;
  }
}

// fieldError highlights one control with a message. The message lives in the element whose id
// is the control's id plus "-error", which the control names in aria-describedby.
export function fieldError(form, name, message) {
  const control = form.elements.namedItem(name);
  const slot = control && control.id && form.querySelector(`#${CSS.escape(control.id)}-error`);
  if (!slot) return null;
  control.setAttribute('aria-invalid', 'true');
  slot.textContent = sentence(message);
  slot.hidden = false;
  const details = control.closest('details');
  if (details) details.open = true;
  return control;
}

// showErrors shows err on form. fieldName maps the API's field path (such as
// "sources[2]") to a control's name; by default they are the same. extra is content for the
// form-level message, such as a button that offers the next step. Focus moves to the first
// field at fault, or to the message.
export function showErrors(form, err, { fieldName = (f) => f, extra = null } = {}) {
  let first = null;
  const rest = [];
  for (const fe of err.errors || []) {
    const control = fieldError(form, fieldName(fe.field), fe.message);
    if (control) first ??= control;
    else rest.push(sentence(fe.message));
  }
  const box = form.querySelector('.form-error');
  // Being too soon (an address emailed enough for today) is a notice: nothing is wrong.
  if (box) box.classList.toggle('notice', err.code === 'rate_limited');
  if (box && (!first || rest.length || extra)) {
    const text = rest.length ? rest.join(' ') : first ? '' : explain(err);
    box.replaceChildren(...[text && h('span', { text }), extra].filter(Boolean));
    if (box.childNodes.length) box.hidden = false;
  }
  if (first) first.focus();
  else if (box && !box.hidden) box.focus();
}
