// The API client: where the API lives, the token kept for this tab, and problem responses
// (RFC 9457) turned into errors that name their fields.

const TOKEN_KEY = 'gatehouse.token';

// apiBase is the API beside this page. Behind API Gateway the page is /<stage>/settings/ and
// the API /<stage>/api/v1, so the base comes from the page's own path.
export const apiBase = (() => {
  const path = location.pathname;
  const at = path.lastIndexOf('/settings');
  return (at >= 0 ? path.slice(0, at) : '') + '/api/v1';
})();

// session keeps the token in sessionStorage only: never in a URL, a cookie or lasting storage.
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) || '',
  save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// ApiError is a failed request: the problem's code, detail and field errors.
export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = 0) {
    super(problem.detail || problem.title || `The request failed with status ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.requestId || '';
    this.existingId = problem.existingId || '';
    this.requiredRole = problem.requiredRole || '';
    this.retryAfter = retryAfter;
  }
}

// newKey makes an Idempotency-Key.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// unsettled says whether a failed request may or may not have been carried out: no answer
// came, the server failed or was busy, or the same key is still at work. Only then may it be
// sent again under the same Idempotency-Key; the server keeps every other answer for a day
// and would only replay it.
export function unsettled(err) {
  return err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.status === 429 || err.code === 'idempotency_in_progress');
}

// query builds a query string from the values that are set.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// request calls the API. body is sent as JSON, raw as it is (a file). It resolves to the
// decoded answer (null for 204) and rejects with an ApiError.
export async function request(method, path, { body, raw, contentType, key, signal, token } = {}) {
  const headers = {
    Accept: 'application/json, application/problem+json',
    Authorization: `Bearer ${token || session.token()}`,
    'X-Gatehouse-Source': 'web', // recorded as the source of the page's changes in the audit log
  };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (key) headers['Idempotency-Key'] = key;
  let res;
  try {
    res = await fetch(apiBase + path, { method, headers, body: payload, signal, cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, { code: 'network', detail: 'Gatehouse could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.ok) return data;
  const problem = data && typeof data === 'object' ? data : { detail: `The server answered ${res.status} ${res.statusText}.` };
  const err = new ApiError(res.status, problem, Number(res.headers.get('Retry-After')) || 0);
  if (res.status === 401 && !token) dispatchEvent(new CustomEvent('gatehouse:unauthenticated', { detail: err }));
  throw err;
}

// listAll follows nextCursor through up to maxPages pages and reports whether more remain.
export async function listAll(path, params = {}, maxPages = 20) {
  const items = [];
  let cursor = '';
  for (let page = 0; page < maxPages; page++) {
    const res = await request('GET', path + query({ ...params, limit: 100, cursor }));
    items.push(...res.items);
    cursor = res.nextCursor || '';
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

// seconds says how long to wait, in words.
export function seconds(n) {
  if (n < 90) return `${n} second${n === 1 ? '' : 's'}`;
  const m = Math.round(n / 60);
  if (m < 90) return `${m} minutes`;
  return `${Math.round(m / 60)} hours`;
}

// sentence capitalizes a message from the API and ends it with a full stop.
export function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  return t[0].toUpperCase() + t.slice(1) + (/[.!?)]$/.test(t) ? '' : '.');
}

// explain turns an error into one sentence for a person.
export function explain(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  switch (true) {
    case err.status === 403 && err.code === 'forbidden' && err.requiredRole !== '':
      // The detail names the action, the role it needs and the token's.
      return `${sentence(err.message)} Ask an admin, or sign in with a token that has that role.`;
    case err.status === 403:
      return "Your token's role does not allow this. Ask an admin, or sign in with an admin token.";
    case err.status === 429:
      return `${sentence(err.message)}${err.retryAfter ? ` Try again in ${seconds(err.retryAfter)}.` : ''}`;
    case err.status >= 500:
      return `${sentence(err.message)}${err.requestId ? ` Request id: ${err.requestId}.` : ''}`;
  }
  return sentence(err.message);
}
