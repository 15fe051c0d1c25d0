// Moat web console: plain DOM, no framework, no build step. Every API call carries the bearer token
// the user typed (kept in sessionStorage, so it dies with the tab). Message content is only ever put
// into the page as text (textContent) or into a sandboxed iframe that runs no script and loads no
// remote content; nothing from a message is given to innerHTML.
'use strict';

const TOKEN_KEY = 'moat-admin-token';
const POLL_MS = 5000;
/** The HTML part's own policy, on top of the page's: no script, no network; inline styles and data: images only. */
const PART_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

const state = { store: 'capture', selected: null, timer: null };
const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem(TOKEN_KEY); }

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + token() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers, cache: 'no-store' }));
  if (response.status === 401) {
    showLogin('The token was refused. Enter the value of admin.token.');
    throw new ApiError(401, 'unauthorized');
  }
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).message || message; } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  return response;
}

async function apiJson(path, options) { return (await api(path, options)).json(); }

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function formatSize(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

function formatUptime(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

// ------------------------------------------------------------------ login

function showLogin(message) {
  stopPolling();
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').focus();
}

async function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  try {
    await refresh();
  } catch (e) {
    if (e.status !== 401) $('refreshed').textContent = 'error: ' + e.message;
    return;
  }
  await loadChain();
  await loadMessages();
  startPolling();
}

function startPolling() {
  stopPolling();
  state.timer = setInterval(() => { refresh().catch(() => {}); }, POLL_MS);
}

function stopPolling() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

// ------------------------------------------------------------------ counters

/** Prometheus text format: name{labels} value lines; enough for the few counters shown here. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let l;
    while ((l = re.exec(m[2] || '')) !== null) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

function sum(samples, name, labels = {}) {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

async function refresh() {
  const status = await apiJson('/api/v1/status');
  $('version').textContent = 'version ' + status.version;
  $('c-uptime').textContent = formatUptime(status.uptimeSeconds);
  $('c-capture').textContent = status.counts.capture;
  $('c-quarantine').textContent = status.counts.quarantine;
  $('c-generation').textContent = status.configuration ? status.configuration.generation : '–';
  const metrics = parseMetrics(await (await api('/metrics')).text());
  $('c-connections').textContent = sum(metrics, 'moat_smtp_connections_active');
  for (const result of ['accepted', 'rejected', 'tempfailed', 'quarantined']) {
    $('c-' + result).textContent = sum(metrics, 'moat_smtp_transactions_total', { result });
  }
  $('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
}

// ------------------------------------------------------------------ filter chain

async function loadChain() {
  const { filters } = await apiJson('/api/v1/filters');
  const rows = $('chain-rows');
  clear(rows);
  filters.forEach((f, i) => {
    const tr = el('tr');
    tr.append(el('td', i + 1), el('td', f.name), el('td', f.type), el('td', f.stages.join(', ')), el('td', f.timeout));
    rows.append(tr);
  });
  $('chain-empty').hidden = filters.length > 0;
}

// ------------------------------------------------------------------ inbox

async function loadMessages() {
  const list = await apiJson(`/api/v1/${state.store}/messages?limit=100`);
  const rows = $('message-rows');
  clear(rows);
  for (const m of list.messages) {
    const tr = el('tr');
    tr.dataset.id = m.id;
    if (state.selected === m.id) tr.classList.add('selected');
    tr.append(el('td', new Date(m.receivedAt).toLocaleString()), el('td', m.from || m.sender || '<>'),
      el('td', m.recipients.join(', ')), el('td', m.subject === null ? '(no subject)' : m.subject),
      el('td', formatSize(m.size), 'size'));
    tr.addEventListener('click', () => openMessage(m.id));
    rows.append(tr);
  }
  $('inbox-empty').hidden = list.messages.length > 0;
  $('inbox-total').textContent = list.total + (list.total === 1 ? ' message' : ' messages');
}

function selectStore(store) {
  state.store = store;
  for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.store === store));
  }
  closeMessage();
  loadMessages().catch(showError);
}

// ------------------------------------------------------------------ message view

function closeMessage() {
  state.selected = null;
  $('message').hidden = true;
  for (const tr of document.querySelectorAll('#message-rows tr.selected')) tr.classList.remove('selected');
}

function showError(e) {
  if (e && e.status === 401) return;
  $('m-status').textContent = e && e.message ? e.message : String(e);
  $('m-status').className = 'error';
}

function isAttachment(part) {
  if (part.contentType.startsWith('multipart/') || part.contentType === 'message/rfc822') return false;
  if (part.disposition === 'attachment' || part.filename) return true;
  return !(part.contentType === 'text/plain' || part.contentType === 'text/html');
}

async function openMessage(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll('#message-rows tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  const base = `/api/v1/${state.store}/messages/${encodeURIComponent(id)}`;
  const m = await apiJson(base);
  const view = $('message');
  view.hidden = false;
  view.dataset.id = id;
  $('m-status').textContent = '';
  $('m-status').className = '';
  const subject = m.headers.find((h) => h.name.toLowerCase() === 'subject');
  $('m-subject').textContent = subject ? subject.value : '(no subject)';
  $('m-release').hidden = state.store !== 'quarantine';

  const env = $('m-envelope');
  clear(env);
  const facts = [['Id', m.id], ['Received', new Date(m.receivedAt).toLocaleString()], ['Client', `${m.envelope.clientIp} (${m.envelope.helo || 'no HELO'})`],
    ['Sender', m.envelope.sender || '<>'], ['Recipients', m.envelope.recipients.join(', ')], ['Size', formatSize(m.size)]];
  if (m.envelope.quarantineReason) facts.push(['Quarantined', m.envelope.quarantineReason]);
  if (m.envelope.verdicts && m.envelope.verdicts.length) {
    facts.push(['Verdicts', m.envelope.verdicts.map((v) => `${v.filter} (${v.stage}): ${v.verdict}${v.detail ? ' ' + v.detail : ''}`).join('; ')]);
  }
  for (const [k, v] of facts) env.append(el('dt', k), el('dd', v));

  const headers = $('m-headers');
  clear(headers);
  for (const h of m.headers) {
    const tr = el('tr');
    tr.append(el('td', h.name), el('td', h.value));
    headers.append(tr);
  }

  const bodies = $('m-bodies');
  clear(bodies);
  const attachments = $('m-attachments');
  clear(attachments);
  let shown = 0;
  for (const part of m.parts) {
    if (part.contentType.startsWith('multipart/') || part.contentType === 'message/rfc822') continue;
    if (isAttachment(part)) {
      const li = el('li');
      const name = part.filename || `part-${part.index}`;
      li.append(el('span', `${name} — ${part.contentType}, ${formatSize(part.size || 0)} `));
      const b = el('button', 'Download');
      b.type = 'button';
      b.addEventListener('click', () => download(`${base}/parts/${part.index}`, name).catch(showError));
      li.append(b);
      li.className = 'attachment';
      attachments.append(li);
      continue;
    }
    const text = await (await api(`${base}/parts/${part.index}`)).text();
    bodies.append(el('div', `${part.contentType}, ${part.charset || ''}`, 'part-label'));
    if (part.contentType === 'text/html') {
      const frame = document.createElement('iframe');
      frame.className = 'html-part';
      frame.setAttribute('sandbox', ''); // no scripts, no forms, no top navigation, opaque origin
      frame.setAttribute('referrerpolicy', 'no-referrer');
      frame.setAttribute('csp', PART_CSP);
      frame.title = 'HTML part (sandboxed, remote content blocked)';
      frame.srcdoc = `<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${PART_CSP}">` + text;
      bodies.append(frame);
    } else {
      bodies.append(el('pre', text, 'text-part'));
    }
    shown++;
  }
  if (shown === 0) bodies.append(el('p', 'No text part.', 'muted'));
  if (!attachments.firstChild) attachments.append(el('li', 'None.', 'muted'));
}

async function download(path, name) {
  const blob = await (await api(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function deleteMessage() {
  const id = state.selected;
  if (!id || !confirm(`Delete message ${id} from the ${state.store === 'capture' ? 'capture store' : 'quarantine'}?`)) return;
  await api(`/api/v1/${state.store}/messages/${encodeURIComponent(id)}`, { method: 'DELETE' });
  closeMessage();
  await loadMessages();
  await refresh();
}

async function releaseMessage() {
  const id = state.selected;
  if (!id || !confirm(`Release message ${id} to its recipients?`)) return;
  const result = await apiJson(`/api/v1/quarantine/messages/${encodeURIComponent(id)}/release`, { method: 'POST' });
  closeMessage();
  await loadMessages();
  await refresh();
  $('inbox-total').textContent += ` — released ${id}: ${result.message}`;
}

// ------------------------------------------------------------------ wiring

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    start();
  });
  $('logout').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); showLogin(''); });
  for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
    tab.addEventListener('click', () => selectStore(tab.dataset.store));
  }
  $('m-close').addEventListener('click', closeMessage);
  $('m-delete').addEventListener('click', () => deleteMessage().catch(showError));
  $('m-release').addEventListener('click', () => releaseMessage().catch(showError));
  $('m-raw').addEventListener('click', () => {
    const id = state.selected;
    download(`/api/v1/${state.store}/messages/${encodeURIComponent(id)}/raw`, `${id}.eml`).catch(showError);
  });
  if (token()) start(); else showLogin('');
});
