// CSV in and out: reading a file of people (email,name[,role], header optional), checking
// each row as the API will, and writing results that spreadsheets open safely.

export const MAX_ROWS = 10000;
const ROLES = ['admin', 'member', 'viewer'];
const HEADERS = { email: ['email', 'e-mail', 'email address', 'mail'], name: ['name', 'full name', 'fullname', 'display name'], role: ['role'] };

// CSVError is text that is not CSV; line is where the problem starts.
export class CSVError extends Error {
  constructor(line, message) {
    super(message);
    this.name = 'CSVError';
    this.line = line;
  }
}

// parse reads CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records,
// each with the line it starts on. Blank lines are left out. A quoted field that is never
// closed is a CSVError: read on, it would swallow the rest of the file.
export function parse(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let cells = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let opened = 1; // the line of the last opening quote
  const endRecord = () => {
    cells.push(field);
    if (cells.some((c) => c.trim() !== '')) records.push({ line: start, cells });
    cells = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      opened = line;
      field = '';
    } else if (c === ',') {
      cells.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new CSVError(opened, `Line ${opened} opens a quoted field that is never closed, so the rest of the file would be read as part of it. Add the closing quote (") and choose the file again.`);
  if (field !== '' || cells.length) endRecord();
  return records;
}

// people turns records into rows of {line, email, name, role}. A first record naming an
// email column is a header, and its column order is used; otherwise columns are
// email, name, role.
export function people(records) {
  let columns = { email: 0, name: 1, role: 2 };
  let header = false;
  if (records.length) {
    const first = records[0].cells.map((c) => c.trim().toLowerCase());
    const at = (names) => first.findIndex((c) => names.includes(c));
    if (at(HEADERS.email) >= 0) {
      header = true;
      columns = { email: at(HEADERS.email), name: at(HEADERS.name), role: at(HEADERS.role) };
    }
  }
  const cell = (r, i) => (i >= 0 && i < r.cells.length ? r.cells[i].trim() : '');
  const rows = records.slice(header ? 1 : 0).map((r) => ({
    line: r.line,
    email: cell(r, columns.email),
    name: cell(r, columns.name),
    role: cell(r, columns.role).toLowerCase(),
  }));
  return { rows, header };
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

// check says why a row will fail, or '' when it should go through. seen maps addresses to
// the line of the first row that will go through with them: a row that fails on its own
// invites no one, so a later row with its address is no duplicate.
export function check(row, seen, { isAdmin }) {
  const email = row.email.toLowerCase();
  let problem = '';
  if (!email) problem = 'The email is missing.';
  else if (email.length > 254) problem = 'The email is longer than 254 characters.';
  else if (!EMAIL.test(email)) problem = `“${row.email}” is not an email address such as jane@example.com.`;
  else if (row.name.length > 200) problem = 'The name is longer than 200 characters.';
  else if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(row.name)) problem = 'The name holds a line break or a control character.';
  else if (row.role && !ROLES.includes(row.role)) problem = `The role “${row.role}” is not admin, member or viewer.`;
  else if (row.role === 'admin' && !isAdmin) problem = 'Your token may not invite admins.';
  else if (seen.has(email)) problem = `The same email as line ${seen.get(email)}: it is invited once.`;
  if (!problem) seen.set(email, row.line);
  return problem;
}

// cellText quotes a value for CSV and defuses values a spreadsheet would run as a formula.
function cellText(value) {
  let v = String(value ?? '');
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

// write makes CSV text from a header and rows, with CRLF line ends.
export function write(header, rows) {
  return [header, ...rows].map((r) => r.map(cellText).join(',')).join('\r\n') + '\r\n';
}
