// The directory sync panel: its configuration, the last runs with their counts, approving a
// held run, running now, and previewing what an export would change.

import { request, query, explain, newKey, sentence } from './api.js';
import { $, h, fill, when, badge, table, loading, empty, failure, notify, announce, busy } from './dom.js';
import { ask } from './dialog.js';
import { plan, summary, counts, actions, skipped, formatList, heldBecause } from './syncplan.js';
import { facts, form, focusFirst } from './syncconfig.js';

const statusKinds = { applied: 'ok', unchanged: '', held: 'warn', approved: 'ok', expired: '', failed: 'bad' };
let me;
let config = null;

export function mount(who) {
  me = who;
}

export function show() {
  load();
}

// state shows one of the panel's designed states, named in data-state.
function state(name, ...content) {
  const panel = $('sync-panel');
  panel.dataset.state = name;
  fill(panel, ...content);
}

async function load() {
  state('loading', loading('Loading directory sync…'));
  try {
    config = await request('GET', '/sync/config');
  } catch (err) {
    if (err.code === 'route_not_found') {
      return state('unavailable', empty('Directory sync is not available', 'This Gatehouse does not offer directory sync yet. Invite people one at a time or import a CSV meanwhile.'));
    }
    if (err.status === 403) {
      return state('forbidden', empty('Directory sync is for admins', 'Sign in with an admin token to see and change how members follow your identity provider.'));
    }
    if (err.code !== 'sync_not_configured') return state('error', failure('Directory sync', err, load));
    config = null;
  }
  render();
}

// render shows the panel for config. The buttons of Run now, Approve, Save and Cancel go with
// the old content, so their actions name where the keyboard goes next (focus): the heading of
// the configuration or of the runs, or the Edit configuration button.
function render(focus = '') {
  if (!config) {
    const edit = form(null, { saved: (c) => { config = c; render('sync-config-title'); } });
    state('unconfigured',
      h('div', { class: 'card' },
        h('h2', { text: 'Not configured yet' }),
        h('p', { class: 'lede', text: 'Connect your identity provider (Microsoft Entra ID, Okta, Google Workspace or a SCIM server), or name the export it writes, and Gatehouse keeps members in step with its groups on a schedule.' }),
        edit),
      previewCard());
    return;
  }
  const runs = h('div', { id: 'sync-runs' }, loading('Loading runs…'));
  const runNow = h('button', { type: 'button', id: 'sync-run', text: 'Run now', onclick: (e) => start(e.currentTarget) });
  const editButton = h('button', { type: 'button', id: 'sync-edit', class: 'secondary', text: 'Edit configuration', onclick: () => editing() });
  state('configured',
    h('div', { class: 'card', id: 'sync-config-card' },
      h('div', { class: 'card-head' }, h('h2', { id: 'sync-config-title', tabindex: '-1', text: 'Configuration' }), h('div', { class: 'actions' }, editButton, runNow)),
      facts(config)),
    h('div', { class: 'card' }, h('h2', { id: 'sync-runs-title', tabindex: '-1', text: 'Last runs' }), runs),
    previewCard());
  loadRuns(runs);
  if (focus) $(focus).focus();
}

function editing() {
  const card = $('sync-config-card');
  const cancel = () => {
    render('sync-edit');
    announce('The configuration was not changed.');
  };
  const edit = form(config, { saved: (c) => { config = c; render('sync-config-title'); }, cancel });
  card.replaceChildren(h('h2', { text: 'Edit configuration' }), edit);
  focusFirst(edit);
}

async function start(button) {
  busy(button, true, 'Running…');
  try {
    const run = await request('POST', '/sync/runs', { key: newKey() });
    const said = {
      applied: `Sync applied: ${summary(run.counts, true)}.`,
      unchanged: 'Sync found nothing to change.',
      held: `The sync plan waits for your approval: ${summary(run.counts)}.`,
      failed: `The sync run failed. ${sentence(run.error)}`,
    };
    render('sync-runs-title');
    notify(said[run.status] || `Sync run ${run.status}.`, run.status === 'failed' ? 'error' : 'ok');
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}

async function loadRuns(box, cursor = '', earlier = []) {
  try {
    const res = await request('GET', `/sync/runs${query({ limit: 10, cursor })}`);
    const items = earlier.concat(res.items);
    if (!items.length) {
      box.replaceChildren(empty('No runs yet', 'Runs appear here after the schedule starts one, or when you choose Run now.'));
      return;
    }
    const held = items.filter((r) => r.status === 'held');
    fill(box,
      held.map(heldNotice),
      withDetails(table(['Started', 'Trigger', 'Status', 'Changes', 'Took', 'Details'], items.map((r) => [
        when(r.startedAt), r.trigger, badge(r.status, statusKinds[r.status] ?? '', { dataset: { state: r.status } }),
        summary(r.counts, ['applied', 'approved'].includes(r.status)), took(r.durationMs), '',
      ]), { caption: 'Sync runs, newest first', rowProps: (i) => ({ dataset: { id: items[i].id, status: items[i].status } }) }), items),
      res.nextCursor ? h('button', { type: 'button', class: 'secondary small', text: 'Show older runs', onclick: () => loadRuns(box, res.nextCursor, items) }) : null);
  } catch (err) {
    if (err.code === 'route_not_found') box.replaceChildren(empty('Runs are not available', 'This Gatehouse does not list sync runs yet.'));
    else box.replaceChildren(failure('The runs', err, () => loadRuns(box)));
  }
}

// took says how long a run took.
function took(ms) {
  if (ms === undefined || ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// withDetails gives each run of the table a row of its own under it for its details, as
// wide as the table (a run's changes are a table themselves), opened by the run's button.
function withDetails(wrap, items) {
  wrap.querySelectorAll('tbody > tr').forEach((tr, i) => {
    const r = items[i];
    const id = `sync-run-details-${r.id}`;
    const row = h('tr', { class: 'detail-row', id, hidden: true, dataset: { detailsOf: r.id } },
      h('td', { colspan: String(tr.children.length) }, runDetails(r)));
    const toggle = h('button', {
      type: 'button', class: 'secondary small', dataset: { action: 'details' }, 'aria-expanded': 'false', 'aria-controls': id,
      'aria-label': `Details of the ${r.trigger} run started ${new Date(r.startedAt).toLocaleString()}`, text: 'Show',
    });
    toggle.addEventListener('click', () => {
      row.hidden = !row.hidden;
      toggle.setAttribute('aria-expanded', String(!row.hidden));
      toggle.textContent = row.hidden ? 'Show' : 'Hide';
    });
    tr.lastElementChild.replaceChildren(toggle);
    tr.after(row);
  });
  return wrap;
}

function runDetails(r) {
  return h('div', { class: 'run-details' },
    r.error ? h('p', { class: 'reason', text: sentence(r.error) }) : null,
    r.removalsSuppressed ? h('p', { class: 'note warn', text: `Nobody was removed for being absent: ${r.removalsSuppressed}` }) : null,
    r.format ? h('p', { class: 'small', text: `Format: ${r.format}` }) : null,
    r.approvedBy ? h('p', { class: 'small', text: `Approved by ${r.approvedBy.name || r.approvedBy.id}.` }) : null,
    counts(r.counts), actions(r.actions),
    r.actionsTruncated ? h('p', { class: 'muted small', text: 'Only the first changes were kept with the run.' }) : null,
    skipped(r.skipped),
    r.skippedTruncated ? h('p', { class: 'muted small', text: 'Only the first skipped rows were kept with the run.' }) : null);
}

function heldNotice(r) {
  const approve = h('button', { type: 'button', dataset: { action: 'approve' }, text: 'Approve and apply', onclick: (e) => approveRun(r, e.currentTarget) });
  return h('div', { class: 'note warn', dataset: { held: r.id } },
    h('p', {}, h('strong', { text: 'A run is waiting for your approval. ' }), `It would make these changes: ${summary(r.counts)}.`),
    h('p', { text: heldBecause(r.heldReason) }),
    r.expiresAt ? h('p', { class: 'small' }, 'The plan expires ', when(r.expiresAt), ' if nobody approves it.') : null,
    h('div', { class: 'actions' }, approve));
}

async function approveRun(r, button) {
  const ok = await ask({
    title: 'Apply the held run?',
    message: `Gatehouse applies it now: ${summary(r.counts)}. Deactivated people lose access at once.`,
    confirmLabel: 'Approve and apply', danger: true,
  });
  if (!ok) return;
  busy(button, true, 'Applying…');
  try {
    const run = await request('POST', `/sync/runs/${r.id}/approve`, { key: newKey() });
    render('sync-runs-title');
    notify(`The held run was applied: ${summary(run.counts, true)}.`);
  } catch (err) {
    busy(button, false);
    notify(explain(err), 'error');
  }
}

// MAX_PREVIEW_BYTES is the largest export a preview may upload (the API's limit).
const MAX_PREVIEW_BYTES = 5 << 20;

// previewCard uploads an export and shows the plan it would make, changing nothing.
function previewCard() {
  const file = h('input', { type: 'file', id: 'sync-preview-file', name: 'file', accept: '.csv,.json,.txt,text/csv,application/json', 'aria-describedby': 'sync-preview-file-error' });
  const format = h('input', { type: 'text', id: 'sync-preview-format', name: 'format', value: config && !config.directory ? config.format || 'auto' : 'auto', list: 'sync-preview-formats', autocomplete: 'off', 'aria-describedby': 'sync-preview-format-error' });
  const submit = h('button', { type: 'submit', text: 'Preview' });
  const out = h('div', { id: 'sync-preview-result', 'aria-live': 'polite' });
  const el = h('form', { id: 'sync-preview-form', novalidate: true },
    h('div', { class: 'fields' },
      h('div', { class: 'field' }, h('label', { for: 'sync-preview-file', text: 'Export file' }), file, h('p', { class: 'field-error', id: 'sync-preview-file-error', hidden: true })),
      h('div', { class: 'field' }, h('label', { for: 'sync-preview-format', text: 'Format' }), format,
        formatList('sync-preview-formats'),
        h('p', { class: 'field-error', id: 'sync-preview-format-error', hidden: true }))),
    h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    submit);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = file.files[0];
    el.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    const slot = $('sync-preview-file-error');
    slot.hidden = true;
    if (!chosen || chosen.size > MAX_PREVIEW_BYTES) {
      file.setAttribute('aria-invalid', 'true');
      slot.textContent = chosen
        ? 'The file is larger than 5 MB, more than one request may carry. Put it where the configuration reads it (S3) and preview the configured export instead.'
        : 'Choose the export file first.';
      slot.hidden = false;
      return file.focus();
    }
    busy(submit, true, 'Reading…');
    out.replaceChildren(loading('Working out the plan…'));
    try {
      const res = await request('POST', `/sync/preview${query({ format: format.value.trim() || 'auto' })}`, { raw: chosen, contentType: chosen.type || 'text/csv' });
      out.replaceChildren(h('h3', { text: `What ${chosen.name} would change` }), plan(res));
    } catch (err) {
      out.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: explain(err) }));
    } finally {
      busy(submit, false);
    }
  });
  const what = config && config.directory ? 'the configured groups' : 'the configured export';
  const configured = h('button', { type: 'button', class: 'secondary', id: 'sync-preview-configured', text: `Preview ${what}` });
  configured.addEventListener('click', async () => {
    busy(configured, true, 'Reading…');
    out.replaceChildren(loading('Working out the plan…'));
    try {
      const res = await request('POST', `/sync/preview${query({ source: 'configured' })}`, {});
      out.replaceChildren(h('h3', { text: `What ${what} would change` }), plan(res));
    } catch (err) {
      out.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: explain(err) }));
    } finally {
      busy(configured, false);
    }
  });
  return h('div', { class: 'card' },
    h('h2', { text: 'Preview an export' }),
    h('p', { class: 'lede', text: `Upload an export of up to 5 MB, or read ${config && config.directory ? 'the configured groups from the identity provider' : 'the configured one'}, to see what a run would do. Nothing changes until a run applies it.` }),
    me.isAdmin ? el : h('p', { class: 'muted', text: 'Previews need an admin token.' }),
    me.isAdmin && config ? h('div', { class: 'actions' }, configured) : null,
    out);
}
