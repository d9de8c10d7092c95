// The identity providers directory sync reads straight from: each one's settings, with where
// to find each value in the provider's console, and how a stored directory reads as facts.
// Addresses in hints name hosts only: the page links nowhere but itself.

import { h, badge } from './dom.js';

// PROVIDERS are the providers the form offers, by the API's name. A field's kind is text
// (the default), secret (write-only: the API shows "set"), key (a secret that may be read
// from a file), url (an optional address, under More options) or check (a yes or no).
export const PROVIDERS = {
  'microsoft-graph': {
    label: 'Microsoft Graph (Entra ID)',
    needs: 'An app registration with the application permissions GroupMember.Read.All and User.Read.All, with admin consent. Gatehouse signs in with its client secret.',
    fields: [
      { name: 'tenantId', label: 'Directory (tenant) ID', placeholder: 'contoso.onmicrosoft.com', hint: 'Microsoft Entra admin center → Overview: the Tenant ID, or a domain of the tenant.' },
      { name: 'clientId', label: 'Application (client) ID', placeholder: '11111111-2222-3333-4444-555555555555', hint: 'App registrations → your app → Overview.' },
      { name: 'clientSecret', kind: 'secret', label: 'Client secret', hint: 'App registrations → your app → Certificates & secrets → New client secret: its Value, not its Secret ID.' },
      { name: 'nested', kind: 'check', label: 'Also read people of groups inside these groups (transitive members)' },
      { name: 'authorityUrl', kind: 'url', label: 'Sign-in address', hint: 'National clouds only: the https address of their sign-in host (login.microsoftonline.us for US Government). Empty: the global cloud.' },
      { name: 'graphUrl', kind: 'url', label: 'Graph address', hint: 'National clouds only: the https address of their Graph host. Empty: graph.microsoft.com.' },
    ],
    endpoint: 'the tenant, the client ID or an address',
    groups: 'Each group’s Object ID: Microsoft Entra admin center → Groups → the group → Overview.',
  },
  okta: {
    label: 'Okta',
    needs: 'An API token of a read-only administrator; Gatehouse sends it as SSWS and only reads groups and their people.',
    fields: [
      { name: 'domain', label: 'Okta domain', placeholder: 'acme.okta.com', hint: 'Your org’s address, as in the Admin Console’s address bar without -admin: acme.okta.com.' },
      { name: 'apiToken', kind: 'secret', label: 'API token', hint: 'Admin Console → Security → API → Tokens → Create token, signed in as a read-only administrator.' },
    ],
    endpoint: 'the domain',
    groups: 'Each group’s id: Admin Console → Directory → Groups → the group; the id (00g…) ends its address.',
  },
  'google-workspace': {
    label: 'Google Workspace',
    needs: 'A service account with domain-wide delegation of the scope admin.directory.group.member.readonly (Admin console → Security → API controls → Domain-wide delegation, by the account’s client ID).',
    fields: [
      { name: 'serviceAccountKey', kind: 'key', label: 'Service account key (JSON)', hint: 'Google Cloud console → IAM & Admin → Service accounts → the account → Keys → Add key → JSON. Paste the file or choose it.' },
      { name: 'subject', label: 'Admin to act as', placeholder: 'admin@example.com', hint: 'The email address of a Workspace admin who may read groups.' },
      { name: 'nested', kind: 'check', label: 'Also read members of groups inside these groups' },
      { name: 'tokenUrl', kind: 'url', label: 'Sign-in address', hint: 'Only to reach Google through another address. Empty: oauth2.googleapis.com.' },
      { name: 'directoryUrl', kind: 'url', label: 'Directory API address', hint: 'Only to reach Google through another address. Empty: admin.googleapis.com.' },
    ],
    endpoint: 'the admin or an address',
    groups: 'Each group’s email address, such as engineering@example.com: Admin console → Directory → Groups.',
  },
  scim: {
    label: 'SCIM server',
    needs: 'Any SCIM 2.0 server Gatehouse may read Users (and Groups) from with a bearer token.',
    fields: [
      { name: 'url', label: 'SCIM base address', hint: 'The https address under which /Users and /Groups are, often ending in /scim/v2.' },
      { name: 'bearerToken', kind: 'secret', label: 'Bearer token', hint: 'The token the SCIM server issued for Gatehouse, from its admin console.' },
    ],
    endpoint: 'the address',
    groups: 'Optional: each Group’s id on the server. None: every user of the server.',
    groupsOptional: true,
  },
};

// SECRET_KINDS are the kinds of field the API never shows.
export const SECRET_KINDS = ['secret', 'key'];

// roleName says a role as the page does; "" is the configuration's default.
export const roleName = (r, fallback = 'member') => (r ? r[0].toUpperCase() + r.slice(1) : `Default (${fallback})`);

// directoryFacts are the rows of a stored directory: the provider, its settings with each
// credential as "set", and its groups with their roles.
export function directoryFacts(d, defaultRole, row) {
  const p = PROVIDERS[d.provider];
  if (!p) return [row('Reads from', d.provider)];
  const rows = [row('Reads from', h('strong', { text: p.label }))];
  for (const f of p.fields) {
    const v = d[f.name];
    if (SECRET_KINDS.includes(f.kind)) {
      rows.push(row(f.label, v ? h('span', { dataset: { secret: f.name } }, badge('set', 'ok'), ' stored sealed, never shown') : h('span', { class: 'muted', text: 'Not set' })));
    } else if (f.kind === 'check') {
      rows.push(row(f.label.replace(/^Also read /, 'Reads '), v ? 'Yes' : 'No'));
    } else if (v || f.kind !== 'url') {
      rows.push(row(f.label, v ? h('span', { class: 'mono', text: v }) : h('span', { class: 'muted', text: '—' })));
    }
  }
  const groups = d.groups || [];
  rows.push(row('Groups', groups.length
    ? h('ul', { class: 'plain', id: 'sync-config-groups' }, groups.map((g) => h('li', { dataset: { group: g.id, role: g.role || '' } },
      h('span', { class: 'mono', text: g.id }), ' → ', badge(roleName(g.role, defaultRole), g.role === 'admin' ? 'info' : ''))))
    : h('span', { class: 'muted', text: 'None: every user of the server' })));
  return rows;
}
