// The invite form: email, name and role, with the API's own validation shown beside each
// field. Sending the same form again after an unsettled failure (no answer, a server error)
// carries the same Idempotency-Key, so it never invites twice.

import { request, newKey, unsettled } from './api.js';
import { $, h, notify, notifyFailure, busy } from './dom.js';
import { clearErrors, showErrors } from './forms.js';

// retry is the key and body of the last submission whose outcome is unknown. Any other answer
// is final, and the server replays it for a day to the same key: a later try, even of the
// same body (say after revoking the invitation that was in the way), needs a new key.
let retry = null;

export function mount(me, onCreated) {
  const form = $('invite-form');
  if (!me.isAdmin) {
    // Only admins may invite admins or hand out links themselves; the API would refuse both.
    form.querySelector('#invite-role option[value=admin]').remove();
    $('invite-email-option').hidden = true;
    $('invite-role-hint').textContent = 'Your token may invite members and viewers; admins are invited by an admin.';
  }
  const checkbox = $('invite-sendEmail');
  const submit = $('invite-submit');
  checkbox.addEventListener('change', () => {
    submit.textContent = checkbox.checked ? 'Send invitation' : 'Create invitation link';
  });
  form.addEventListener('input', (e) => {
    // A corrected field loses its highlight at once; the rest stay until the next try.
    const el = e.target;
    if (el.getAttribute('aria-invalid') !== 'true') return;
    el.removeAttribute('aria-invalid');
    const slot = $(`${el.id}-error`);
    if (slot) slot.hidden = true;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = {
      email: String(data.get('email') || '').trim(),
      name: String(data.get('name') || '').trim(),
      role: String(data.get('role') || 'member'),
    };
    const days = String(data.get('expiresInDays') || '').trim();
    if (days !== '') body.expiresInDays = Number(days);
    if (me.isAdmin && !checkbox.checked) body.sendEmail = false;
    const text = JSON.stringify(body);
    if (!retry || retry.body !== text) retry = { key: newKey(), body: text };
    busy(submit, true, checkbox.checked ? 'Sending…' : 'Creating…');
    try {
      const inv = await request('POST', '/invitations', { body, key: retry.key });
      retry = null;
      form.reset();
      busy(submit, false);
      submit.textContent = 'Send invitation'; // the reset form emails again
      notify(inv.sendEmail ? `Invitation for ${inv.email} created; the email goes out in a moment.` : `Invitation for ${inv.email} created.`);
      await onCreated(inv);
      $('invite-email').focus();
    } catch (err) {
      if (!unsettled(err)) retry = null;
      busy(submit, false);
      if (['already_invited', 'already_member'].includes(err.code) && !err.errors.length) {
        err.errors = [{ field: 'email', code: err.code, message: err.message }];
      }
      showErrors(form, err, { extra: nextStep(err, form) });
    }
  });
}

// nextStep offers what to do when the address is already taken.
function nextStep(err, form) {
  if (err.code === 'already_invited' && err.existingId) {
    return h('button', {
      type: 'button', class: 'link', text: 'Resend that invitation',
      onclick: async (e) => {
        busy(e.currentTarget, true, 'Resending…');
        try {
          const res = await request('POST', `/invitations/${err.existingId}/resend`, { key: newKey() });
          clearErrors(form);
          notify(`The invitation to ${res.email} is on its way again.`);
        } catch (again) {
          notifyFailure(again);
          busy(e.currentTarget, false);
        }
      },
    });
  }
  if (err.code === 'already_member') return h('a', { href: '#/members', text: 'Open Members' });
  return null;
}
