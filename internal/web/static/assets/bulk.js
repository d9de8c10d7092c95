// Bulk import: choose a CSV, check every row before sending, send in batches to the bulk
// endpoint with a progress bar, and get a result for each row, also as a CSV download.

import { request, explain, newKey, sentence, unsettled } from './api.js';
import { $, h, fill, badge, table, announce, downloadLink } from './dom.js';
import { parse, people, check, write, MAX_ROWS, CSVError } from './csv.js';
import { clearErrors, fieldError } from './forms.js';

const BATCH = 100; // rows per request: small enough for steady progress, far below the API's 1,000
const MAX_BYTES = 5 << 20;
const SHOWN = 1000;
let me;
let onDone = () => {};
let file = null;
let rows = [];
let stopping = false;
let sending = false;

export function mount(who, done) {
  me = who;
  onDone = done;
  if (!me.isAdmin) $('bulk-role').querySelector('option[value=admin]').remove();
  $('bulk-file').addEventListener('change', choose);
  $('bulk-role').addEventListener('change', () => { if (rows.length && !sending) preview(); });
  $('bulk-stop').addEventListener('click', (e) => {
    stopping = true;
    e.currentTarget.disabled = true;
    e.currentTarget.textContent = 'Stopping after this batch…';
  });
}

export function show() {}

async function choose() {
  const form = $('bulk-form');
  clearErrors(form);
  $('bulk-results').hidden = true;
  file = $('bulk-file').files[0] || null;
  rows = [];
  $('bulk-preview').hidden = true;
  if (!file) return;
  const fail = (message) => fieldError(form, 'file', message).focus();
  if (file.size > MAX_BYTES) return fail('The file is larger than 5 MB. Split it into smaller files.');
  let text;
  try {
    text = await file.text();
  } catch {
    return fail('The file could not be read. Choose it again.');
  }
  let parsed;
  try {
    parsed = people(parse(text));
  } catch (err) {
    if (err instanceof CSVError) return fail(err.message);
    throw err;
  }
  if (!parsed.rows.length) return fail('The file has no rows of people. Each line needs at least an email address.');
  if (parsed.rows.length > MAX_ROWS) return fail(`The file has ${parsed.rows.length.toLocaleString()} rows; import at most ${MAX_ROWS.toLocaleString()} at a time.`);
  rows = parsed.rows;
  preview(parsed.header);
}

// planned is each row as it will be sent, with the reason it will fail when it will.
function planned() {
  const seen = new Map();
  const role = $('bulk-role').value;
  return rows.map((r) => ({ ...r, role: r.role || role, problem: check(r, seen, me) }));
}

function preview(header) {
  const plan = planned();
  const bad = plan.filter((r) => r.problem).length;
  const box = $('bulk-preview');
  const send = h('button', { type: 'button', id: 'bulk-send', text: `Invite ${plan.length} ${plan.length === 1 ? 'person' : 'people'}`, onclick: () => run(plan) });
  const again = h('button', { type: 'button', class: 'secondary', text: 'Choose another file', onclick: () => { $('bulk-file').value = ''; $('bulk-file').click(); } });
  const shown = plan.slice(0, SHOWN);
  fill(box,
    h('h2', { text: 'Check the rows' }),
    h('p', { id: 'bulk-summary', role: 'status' },
      `${plan.length} row${plan.length === 1 ? '' : 's'} from ${file.name}${header === undefined ? '' : header ? ' (header line found)' : ''}: `,
      h('strong', { text: `${plan.length - bad} ready` }), bad ? `, ${bad} will fail.` : '.'),
    bad ? h('p', { class: 'note warn', text: 'Rows marked in red will fail as they are. Fix them in the file and choose it again, or send anyway: the other rows go through on their own.' }) : null,
    h('div', { class: 'actions' }, send, again),
    table(['Line', 'Email', 'Name', 'Role', 'Check'], shown.map((r) => [
      { content: String(r.line), class: 'num' }, r.email || h('span', { class: 'muted', text: '(none)' }), r.name, r.role,
      r.problem ? [badge('Will fail', 'bad'), h('p', { class: 'reason', text: r.problem })] : badge('Ready', 'ok'),
    ]), { caption: 'Rows in the file', rowProps: (i) => ({ class: shown[i].problem ? 'will-fail' : '', dataset: { line: shown[i].line, email: shown[i].email } }) }),
    plan.length > SHOWN ? h('p', { class: 'muted', text: `… and ${plan.length - SHOWN} more rows.` }) : null,
  );
  box.hidden = false;
  announce(`${plan.length} rows checked: ${plan.length - bad} ready, ${bad} will fail.`);
}

const wait = (s) => new Promise((r) => setTimeout(r, s * 1000));

// sendBatch sends one batch, retrying only what may or may not have run (no answer, a server
// error, throttling) with the same Idempotency-Key, so a retry never invites twice. Any other
// answer is final: the server would replay it to that key.
async function sendBatch(batch, key) {
  const body = { invitations: batch.map((r) => ({ email: r.email, name: r.name, role: r.role })) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await request('POST', '/invitations/bulk', { body, key });
    } catch (err) {
      if (!unsettled(err) || attempt >= 4) throw err;
      await wait(Math.min(err.retryAfter || 2 ** attempt, 15));
    }
  }
}

// outcome is one row's result in words. A row repeating an earlier row's address carries
// that row's outcome as its status: invited once when the address is now invited, failed
// with it when it failed.
function outcome(row, r, batch) {
  const base = { line: row.line, email: row.email, name: row.name, role: row.role, id: '' };
  const messages = (r.errors || []).map((e) => sentence(e.message)).join(' ');
  if (r.duplicateOf !== undefined && r.duplicateOf !== null) {
    const first = `The same email as line ${batch[r.duplicateOf].line}`;
    switch (r.status) {
      case 'already_invited': return { ...base, result: 'Duplicate', kind: 'warn', detail: `${first}; invited once.`, id: r.existingId || '' };
      case 'already_member': return { ...base, result: 'Already a member', kind: 'warn', detail: `${first}, who is already a member.`, id: r.existingId || '' };
    }
    if (r.status === 'failed' && (r.errors || []).some((e) => e.code === 'outcome_unknown')) {
      return { ...base, result: 'Unconfirmed', kind: 'warn', detail: `${first}, which may have been invited; check Invitations before sending it again.` };
    }
    return { ...base, result: 'Failed', kind: 'bad', detail: `${first}, which was not created; send it again.` };
  }
  if (r.status === 'failed' && (r.errors || []).some((e) => e.code === 'outcome_unknown')) {
    return { ...base, result: 'Unconfirmed', kind: 'warn', detail: 'Gatehouse could not confirm whether this row was stored; check Invitations before sending it again.' };
  }
  switch (r.status) {
    case 'created': return { ...base, result: 'Invited', kind: 'ok', detail: 'The email goes out in a moment.', id: r.invitation.id };
    case 'already_invited': return { ...base, result: 'Already invited', kind: 'warn', detail: 'A pending invitation exists; resend it from Invitations.', id: r.existingId };
    case 'already_member': return { ...base, result: 'Already a member', kind: 'warn', detail: 'Nothing to do.', id: r.existingId };
    case 'invalid': return { ...base, result: 'Invalid', kind: 'bad', detail: messages };
    case 'domain_not_allowed': return { ...base, result: 'Domain not allowed', kind: 'bad', detail: messages || "The address is outside the organization's allowed domains." };
  }
  return { ...base, result: 'Failed', kind: 'bad', detail: messages || 'Not created; send it again.' };
}

// run sends plan in batches. A run that sends rows again merges into the earlier results.
async function run(plan, earlier = null) {
  if (sending) return;
  sending = true;
  stopping = false;
  const importKey = newKey();
  const results = [];
  const bar = $('bulk-bar');
  const label = $('bulk-progress-label');
  const stop = $('bulk-stop');
  stop.disabled = false;
  stop.textContent = 'Stop after this batch';
  $('bulk-preview').hidden = true;
  $('bulk-results').hidden = true;
  $('bulk-progress').hidden = false;
  $('bulk-file').disabled = true;
  bar.max = plan.length;
  bar.value = 0;
  label.textContent = `Sending 0 of ${plan.length} rows…`;
  stop.focus();
  let lastSaid = 0;
  for (let start = 0; start < plan.length; start += BATCH) {
    const batch = plan.slice(start, start + BATCH);
    if (stopping) {
      results.push(...batch.map((row) => ({ ...row, result: 'Not sent', kind: '', detail: 'The import was stopped before this row.', id: '' })));
      continue;
    }
    try {
      const res = await sendBatch(batch, `${importKey}-${start / BATCH}`);
      results.push(...res.results.map((r) => outcome(batch[r.index], r, batch)));
    } catch (err) {
      results.push(...batch.map((row) => ({ ...row, result: 'Failed', kind: 'bad', detail: explain(err), id: '' })));
      if (err.status === 401 || err.status === 403) stopping = true;
    }
    bar.value = Math.min(start + BATCH, plan.length);
    label.textContent = `Sent ${bar.value} of ${plan.length} rows…`;
    if (Date.now() - lastSaid > 3000) {
      lastSaid = Date.now();
      announce(label.textContent);
    }
  }
  $('bulk-progress').hidden = true;
  $('bulk-file').disabled = false;
  sending = false;
  const fresh = new Map(results.map((r) => [r.line, r]));
  report(earlier ? earlier.map((r) => fresh.get(r.line) || r) : results);
  onDone();
}

function report(results) {
  const count = (name) => results.filter((r) => r.result === name).length;
  const names = ['Invited', 'Already invited', 'Already a member', 'Duplicate', 'Invalid', 'Unconfirmed', 'Failed', 'Not sent'];
  const summary = names.filter((n) => count(n)).map((n) => `${count(n)} ${n.toLowerCase()}`).join(', ');
  const retry = results.filter((r) => r.result === 'Failed' || r.result === 'Not sent');
  const csv = write(['line', 'email', 'name', 'role', 'result', 'detail', 'invitation_id'],
    results.map((r) => [r.line, r.email, r.name, r.role, r.result, r.detail, r.id]));
  const attention = h('input', { type: 'checkbox', id: 'bulk-only-problems' });
  const box = $('bulk-results');
  const rowsTable = () => {
    const shown = attention.checked ? results.filter((r) => r.kind !== 'ok') : results;
    return table(['Line', 'Email', 'Name', 'Role', 'Result', 'Detail'], shown.map((r) => [
      { content: String(r.line), class: 'num' }, r.email, r.name, r.role, badge(r.result, r.kind), r.detail,
    ]), { caption: 'Result of each row', rowProps: (i) => ({ class: shown[i].kind === 'bad' ? 'row-bad' : '', dataset: { line: shown[i].line, email: shown[i].email, result: shown[i].result } }) });
  };
  let current = rowsTable();
  attention.addEventListener('change', () => {
    const next = rowsTable();
    current.replaceWith(next);
    current = next;
  });
  box.replaceChildren(
    h('h2', { tabindex: '-1', id: 'bulk-results-title', text: 'Import finished' }),
    h('p', { id: 'bulk-result-summary', role: 'status', text: `${results.length} rows: ${summary}.` }),
    h('div', { class: 'actions' },
      downloadLink(csv, `${file ? file.name.replace(/\.csv$/i, '') : 'import'}-results.csv`, 'Download results (CSV)', { id: 'bulk-download' }),
      retry.length ? h('button', { type: 'button', class: 'secondary', text: `Send the ${retry.length} unsent rows again`, onclick: () => run(retry, results) }) : null),
    h('label', { class: 'check' }, attention, h('span', { text: 'Show only the rows that need attention' })),
    current,
  );
  box.hidden = false;
  // The summary above the results says how it went (and is said to screen readers): no
  // toast to cover the results.
  $('bulk-results-title').focus();
}
