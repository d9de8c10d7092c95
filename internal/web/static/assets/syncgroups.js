// The groups a directory sync reads, each with the role it grants, as an editable list: a
// row per group with its id and a role to pick, rows added and removed with buttons. A list
// rather than a textarea of "id role" lines, so that a role is chosen from the roles there
// are, every control has its own label, and a problem the API names (directory.groups[2].role)
// lands on the very control at fault.

import { h, announce } from './dom.js';
import { roleName } from './syncproviders.js';

// MAX_GROUPS is the most groups a configuration may read (the API's limit).
const MAX_GROUPS = 50;

// groupsEditor edits groups ([{id, role}]). values() gives the rows with an id, in order,
// with rows[k], the row index of the k-th of them, so the API's groups[k] finds its row.
export function groupsEditor(groups) {
  let items = groups.length ? groups.map((g) => ({ id: g.id, role: g.role || '' })) : [{ id: '', role: 'member' }];
  let defaultRole = 'member';
  const list = h('ul', { class: 'group-rows', id: 'sync-group-rows', 'aria-describedby': 'sync-groups-hint' });
  const hint = h('p', { class: 'hint', id: 'sync-groups-hint' });
  const add = h('button', { type: 'button', class: 'secondary small', id: 'sync-groups-add', name: 'directory.groups', text: 'Add a group', 'aria-describedby': 'sync-groups-add-error' });
  const error = h('p', { class: 'field-error', id: 'sync-groups-add-error', hidden: true });

  // read keeps what was typed before the rows are drawn again.
  const read = () => {
    items = [...list.children].map((li) => ({ id: li.querySelector('input').value, role: li.querySelector('select').value }));
  };
  const row = (item, i) => {
    const n = i + 1;
    const id = h('input', { type: 'text', id: `sync-group-${i}-id`, name: `directory.groups[${i}].id`, value: item.id, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': `sync-groups-hint sync-group-${i}-id-error` });
    const role = h('select', { id: `sync-group-${i}-role`, name: `directory.groups[${i}].role`, 'aria-describedby': `sync-group-${i}-role-error` },
      ['', 'admin', 'member', 'viewer'].map((r) => h('option', { value: r, selected: r === item.role, text: roleName(r, defaultRole) })));
    const remove = h('button', { type: 'button', class: 'secondary small', text: 'Remove', 'aria-label': `Remove group ${n}`, onclick: () => {
      read();
      items.splice(i, 1);
      draw();
      const next = list.children[Math.min(i, items.length - 1)];
      (next ? next.querySelector('input') : add).focus();
      announce(`Group ${n} removed.`);
    } });
    return h('li', { class: 'group-row', dataset: { index: String(i) } },
      h('div', { class: 'field' }, h('label', { class: 'row-label', for: id.id, text: `Group ${n} id` }), id,
        h('p', { class: 'field-error', id: `${id.id}-error`, hidden: true })),
      h('div', { class: 'field' }, h('label', { class: 'row-label', for: role.id, text: `Group ${n} role` }), role,
        h('p', { class: 'field-error', id: `${role.id}-error`, hidden: true })),
      remove);
  };
  const draw = () => {
    list.replaceChildren(...items.map(row));
    add.disabled = items.length >= MAX_GROUPS;
  };
  add.addEventListener('click', () => {
    read();
    items.push({ id: '', role: 'member' });
    draw();
    list.lastElementChild.querySelector('input').focus();
  });
  draw();

  const el = h('fieldset', { class: 'groups', id: 'sync-groups' },
    h('legend', { text: 'Groups and the role each gives' }),
    hint,
    h('div', { class: 'group-row group-head', 'aria-hidden': 'true' }, h('span', { text: 'Group id' }), h('span', { text: 'Role' })),
    list,
    h('div', { class: 'actions' }, add),
    error);
  return {
    el,
    // describe sets the hint: where the provider shows a group's id.
    describe(text) {
      hint.textContent = `${text} A person in several groups gets the highest of their roles (admin, then member, then viewer).`;
    },
    // setDefault names the role that rows without one give.
    setDefault(role) {
      defaultRole = role || 'member';
      for (const o of list.querySelectorAll('option[value=""]')) o.textContent = roleName('', defaultRole);
    },
    // values are the rows with an id; a row left without one is no group.
    values() {
      read();
      const rows = [];
      const out = [];
      items.forEach((g, i) => {
        const id = g.id.trim();
        if (!id) return;
        rows.push(i);
        out.push(g.role ? { id, role: g.role } : { id });
      });
      return { groups: out, rows };
    },
  };
}
