// The wallboard: one JSON snapshot a second from /api/wallboard/stream (server-sent events, read with fetch so the
// supervisor's token can travel as "Authorization: Bearer"), supervisor actions on agents, the staffing forecast tab.
'use strict';

const state = { token: sessionStorage.getItem('wallboard.token'), session: JSON.parse(sessionStorage.getItem('wallboard.session') || 'null'), stream: null, retry: null, editing: null };
const $ = (selector) => document.querySelector(selector);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value; else if (key.startsWith('data-')) node.setAttribute(key, value); else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

const dash = '–';
const seconds = (value) => value == null ? dash : value < 60 ? `${Math.round(value)} s` : `${Math.floor(value / 60)}:${String(Math.round(value % 60)).padStart(2, '0')}`;
const percent = (fraction) => fraction == null ? dash : `${(fraction * 100).toFixed(0)}%`;
const percentValue = (value) => value == null ? dash : `${value.toFixed(1)}%`;

function say(text, isError = false) {
  const message = $('#message');
  message.textContent = text;
  message.className = isError ? 'error' : '';
}

function authHeaders(extra = {}) {
  return state.token ? { ...extra, Authorization: `Bearer ${state.token}` } : extra;
}

// ---- live view -------------------------------------------------------------------------------------------------

const queueFields = [
  ['waiting', 'waiting', (q) => String(q.waiting)],
  ['longestWait', 'longest wait', (q) => seconds(q.longestWaitSeconds)],
  ['serviceLevel', 'service level', (q) => `${percent(q.serviceLevel)} / ${percent(q.serviceLevelTarget)} in ${q.serviceLevelThresholdSeconds} s`],
  ['asa', 'ASA', (q) => seconds(q.averageSpeedOfAnswerSeconds)],
  ['abandoned', 'abandoned', (q) => percentValue(q.abandonedPercent)],
  ['answered', 'answered / offered', (q) => `${q.answered} / ${q.offered}`],
  ['idleAgents', 'idle agents', (q) => String(q.idleAgents)],
];

function renderQueues(queues) {
  const container = $('#queues');
  const seen = new Set();
  for (const queue of queues) {
    seen.add(queue.id);
    let tile = container.querySelector(`.tile[data-queue="${CSS.escape(queue.id)}"]`);
    if (!tile) {
      const list = el('dl');
      for (const [field, label] of queueFields) list.append(el('dt', {}, label), el('dd', { 'data-field': field }));
      tile = el('article', { class: 'tile queue', 'data-queue': queue.id }, el('h3', {}, el('span', { class: 'name' }), el('span', { class: 'alert' })), list);
      container.append(tile);
    }
    tile.querySelector('.name').textContent = `${queue.name} (${queue.id})`;
    const alert = queue.alert.toLowerCase();
    tile.className = `tile queue ${alert}`;
    tile.dataset.alert = queue.alert;
    tile.querySelector('.alert').textContent = alert === 'breaching' ? 'SL BREACH' : alert === 'atrisk' ? 'at risk' : 'ok';
    for (const [field, , format] of queueFields) tile.querySelector(`[data-field="${field}"]`).textContent = format(queue);
  }
  for (const tile of container.querySelectorAll('.tile')) if (!seen.has(tile.dataset.queue)) tile.remove();
}

function renderSites(sites) {
  const container = $('#sites');
  container.replaceChildren(...sites.map((site) => {
    const list = el('dl');
    for (const [name, count] of Object.entries(site.agentsByState)) list.append(el('dt', {}, name), el('dd', { 'data-state': name }, String(count)));
    list.append(el('dt', {}, 'occupancy'), el('dd', {}, percent(site.occupancy)), el('dt', {}, 'calls waiting'), el('dd', {}, String(site.waiting)));
    return el('article', { class: `tile site health-${site.health}`, 'data-site': site.id },
      el('h3', {}, el('span', {}, `${site.name} (${site.id})`), el('span', { class: 'health' }, site.health)), list);
  }));
}

function renderRouting(rows, age) {
  $('#routing-age').textContent = `updated ${age.toFixed(1)} s ago`;
  if (!rows.length) {
    $('#routing tbody').replaceChildren(el('tr', { class: 'empty' }, el('td', { colSpan: 7, class: 'hint' }, 'No queue has reported to the routing view yet.')));
    return;
  }
  $('#routing tbody').replaceChildren(...rows.map((row) => el('tr', { 'data-queue': row.queueId, 'data-site': row.siteId },
    el('td', {}, row.queueId), el('td', {}, row.siteId), el('td', {}, String(row.waiting)), el('td', {}, seconds(row.longestWaitSeconds)),
    el('td', {}, String(row.idleEligibleAgents)), el('td', {}, seconds(row.expectedWaitSeconds)), el('td', {}, percent(row.serviceLevel)))));
}

const skillsText = (skills) => skills.map((s) => `${s.skill}:${s.proficiency}`).join(', ');

function renderAgents(agents) {
  const body = $('#agents tbody');
  const seen = new Set();
  for (const agent of agents) {
    seen.add(agent.id);
    let row = body.querySelector(`tr[data-agent="${CSS.escape(agent.id)}"]`);
    if (!row) {
      const actions = el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'act-notready', onclick: () => agentCommand(agent.id, 'not-ready', { reasonCode: 'supervisor' }, 'forced NotReady') }, 'Force NotReady'),
        el('button', { type: 'button', class: 'act-logout', onclick: () => agentCommand(agent.id, 'logout', null, 'logged out') }, 'Log out'),
        el('button', { type: 'button', class: 'act-skills', onclick: () => editSkills(agent.id) }, 'Skills…'));
      row = el('tr', { 'data-agent': agent.id }, el('td', {}, agent.id), el('td', { class: 'name' }), el('td', { class: 'site' }), el('td', { class: 'state' }), el('td', { class: 'skills' }), actions);
      body.append(row);
    }
    row.querySelector('.name').textContent = agent.name;
    row.querySelector('.site').textContent = agent.siteId;
    const cell = row.querySelector('.state');
    cell.textContent = agent.reasonCode ? `${agent.state} (${agent.reasonCode})` : agent.state;
    cell.className = `state state-${agent.state}`;
    row.dataset.state = agent.state;
    row.querySelector('.skills').textContent = skillsText(agent.skills);
    row.dataset.skills = skillsText(agent.skills);
  }
  for (const row of body.querySelectorAll('tr')) if (!seen.has(row.dataset.agent)) row.remove();
  applyActionAccess();
}

function render(snapshot) {
  renderQueues(snapshot.queues);
  renderSites(snapshot.sites);
  renderRouting(snapshot.routing, snapshot.routingViewAgeSeconds);
  renderAgents(snapshot.agents);
  fillForecastQueues(snapshot.queues);
  document.body.dataset.updatedAt = snapshot.at;
}

function setConnection(text, kind) {
  const badge = $('#connection');
  badge.textContent = text;
  badge.dataset.state = kind;
}

async function connect() {
  clearTimeout(state.retry);
  state.stream?.abort();
  const controller = new AbortController();
  state.stream = controller;
  try {
    const response = await fetch('/api/wallboard/stream', { headers: authHeaders({ Accept: 'text/event-stream' }), signal: controller.signal });
    if (response.status === 401 && state.token) {
      signOut('your session ended: sign in again');
      return;
    }
    if (response.status === 401 || response.status === 403) {
      setConnection('sign in needed', 'error');
      say('This wallboard needs a supervisor login from this address.', true);
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    setConnection('live', 'live');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
        if (data) render(JSON.parse(data));
      }
    }
    throw new Error('the stream ended');
  } catch (error) {
    if (controller.signal.aborted) return;
    setConnection('reconnecting…', 'error');
    state.retry = setTimeout(connect, 2000);
  }
}

// ---- supervisor session and actions ------------------------------------------------------------------------------

const canAct = () => state.token && state.session && (state.session.role === 'Supervisor' || state.session.role === 'Admin');

function applyActionAccess() {
  const allowed = Boolean(canAct());
  for (const button of document.querySelectorAll('#agents .actions button')) button.disabled = !allowed;
  $('#actions-hint').hidden = allowed;
}

function showSession() {
  const signedIn = Boolean(state.token && state.session);
  $('#session').textContent = signedIn ? `signed in as ${state.session.userId} (${state.session.role})` : 'not signed in';
  $('#login-user').hidden = $('#login-secret').hidden = $('#login-button').hidden = signedIn;
  $('#logout-button').hidden = !signedIn;
  applyActionAccess();
}

async function signIn(event) {
  event.preventDefault();
  const userId = $('#login-user').value.trim();
  const secret = $('#login-secret').value;
  const response = await fetch('/api/session/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId, secret }) });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(`Sign-in refused: ${body.error || `HTTP ${response.status}`}`, true);
    return;
  }
  if (body.role !== 'Supervisor' && body.role !== 'Admin') {
    say(`${body.userId} is ${body.role === 'Agent' ? 'an agent' : `a ${body.role}`}: the wallboard's actions are for supervisors.`, true);
    return;
  }
  state.token = body.token;
  state.session = { userId: body.userId, role: body.role, tenantId: body.tenantId, expiresAt: body.expiresAt };
  sessionStorage.setItem('wallboard.token', state.token);
  sessionStorage.setItem('wallboard.session', JSON.stringify(state.session));
  $('#login-secret').value = '';
  say(`Signed in as ${body.userId} (${body.role}).`);
  showSession();
  connect();
}

function signOut(reason) {
  state.token = null;
  state.session = null;
  sessionStorage.removeItem('wallboard.token');
  sessionStorage.removeItem('wallboard.session');
  showSession();
  say(reason || 'Signed out.', Boolean(reason));
  connect();
}

async function send(method, path, body) {
  const response = await fetch(path, { method, headers: authHeaders(body ? { 'Content-Type': 'application/json' } : {}), body: body ? JSON.stringify(body) : undefined });
  const result = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, error: result.error, message: result.message };
}

async function agentCommand(agentId, command, body, done) {
  if (!canAct()) return say('Sign in as a supervisor first.', true);
  const result = await send('POST', `/api/agents/${encodeURIComponent(agentId)}/${command}`, body || {});
  say(result.ok ? `${agentId}: ${done}${result.message ? ` (${result.message})` : ''}` : `${agentId}: refused: ${result.error || `HTTP ${result.status}`}`, !result.ok);
}

function editSkills(agentId) {
  if (!canAct()) return say('Sign in as a supervisor first.', true);
  state.editing = agentId;
  $('#skills-agent').textContent = agentId;
  $('#skills-input').value = $(`#agents tr[data-agent="${CSS.escape(agentId)}"]`).dataset.skills || '';
  $('#skills-editor').hidden = false;
  $('#skills-input').focus();
}

async function saveSkills(event) {
  event.preventDefault();
  const agentId = state.editing;
  const skills = $('#skills-input').value.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [skill, level] = part.split(':').map((s) => s.trim());
    return { skill, proficiency: Number(level) };
  });
  if (skills.some((s) => !s.skill || !Number.isInteger(s.proficiency))) return say('Write skills as name:level, e.g. support:7, sales:3', true);
  const result = await send('PUT', `/api/agents/${encodeURIComponent(agentId)}/skills`, { skills });
  say(result.ok ? `${agentId}: skills changed` : `${agentId}: skills refused: ${result.error || `HTTP ${result.status}`}`, !result.ok);
  if (result.ok) $('#skills-editor').hidden = true;
}

// ---- staffing tab ----------------------------------------------------------------------------------------------

function table(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return el('table', {}, el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', {}, c)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, ...columns.map((c) => el('td', {}, format(row[c])))))));
}

function format(value) {
  if (value == null) return dash;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Asks a staffing endpoint with a form's fields; shows its figures, or why there are none (a silo without the history
// feature answers 404: said politely, not as a failure of the page).
async function staffing(path, form, target, resultId) {
  const query = new URLSearchParams([...new FormData(form)].filter(([, value]) => value !== ''));
  target.replaceChildren(el('p', {}, 'Asking the silo…'));
  let response;
  try {
    response = await fetch(`${path}?${query}`, { headers: authHeaders() });
  } catch (error) {
    target.replaceChildren(el('p', { class: 'hint staffing-unavailable' }, `The staffing forecast could not be reached (${error.message}).`));
    return;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const why = response.status === 404 ? 'this silo has no such endpoint yet' : (body && body.error) || `HTTP ${response.status}`;
    target.replaceChildren(el('p', { class: 'hint staffing-unavailable' }, `The staffing forecast is not available: ${why}.`));
    return;
  }
  const parts = [];
  if (Array.isArray(body)) parts.push(table(body));
  else if (body && typeof body === 'object') {
    const scalars = Object.entries(body).filter(([, v]) => !Array.isArray(v));
    if (scalars.length) parts.push(table([Object.fromEntries(scalars)]));
    for (const [key, value] of Object.entries(body)) if (Array.isArray(value) && value.length) parts.push(el('h4', {}, key), table(value.map((v) => (typeof v === 'object' ? v : { value: v })))); else if (Array.isArray(value)) parts.push(el('p', { class: 'hint' }, `no ${key} yet`));
  }
  target.replaceChildren(el('div', { id: resultId, class: 'staffing-figures' }, ...parts));
}

function fillForecastQueues(queues) {
  const select = $('#forecast-queue');
  const ids = queues.map((q) => q.id);
  if ([...select.options].map((o) => o.value).join() === ids.join()) return;
  const chosen = select.value;
  select.replaceChildren(...queues.map((q) => el('option', { value: q.id, selected: q.id === chosen }, q.name)));
}

// ---- start -----------------------------------------------------------------------------------------------------

for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => {
    for (const other of document.querySelectorAll('.tab')) other.setAttribute('aria-selected', String(other === tab));
    for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== `tab-${tab.dataset.tab}`;
  });
}
$('#login-form').addEventListener('submit', signIn);
$('#logout-button').addEventListener('click', () => signOut());
$('#skills-editor').addEventListener('submit', saveSkills);
$('#skills-cancel').addEventListener('click', () => { $('#skills-editor').hidden = true; });
$('#staffing-form').addEventListener('submit', (event) => { event.preventDefault(); staffing('/api/staffing/erlang-c', event.target, $('#staffing-result'), 'staffing-figures'); });
$('#forecast-form').addEventListener('submit', (event) => { event.preventDefault(); staffing('/api/reports/forecast', event.target, $('#forecast-result'), 'forecast-figures'); });
$('#forecast-date').value = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
showSession();
connect();
