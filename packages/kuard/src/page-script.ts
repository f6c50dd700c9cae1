/**
 * The script of kuard's page (see page.ts), plain ES2020 for the browser. It builds the DOM with
 * text nodes only (no HTML from the server is parsed) and talks to kuard's own APIs under
 * `pageContext.urlBase`: `/env/api`, `/healthy/api`, `/ready/api`, `/keygen`, `/memq/server/stats`.
 * Views that change refresh every second; a refresh starts only after the previous one ended.
 */
export const KUARD_PAGE_SCRIPT = String.raw`
'use strict';
const base = pageContext.urlBase;
const TABS = [
  ['', 'Request Details'], ['env', 'Server Env'], ['liveness', 'Liveness Probe'],
  ['readiness', 'Readiness Probe'], ['keygen', 'KeyGen Workload'], ['memq', 'MemQ Server'],
];
document.getElementById('version').textContent = pageContext.version;
document.getElementById('host').textContent = pageContext.hostname;
const main = document.getElementById('main');

/** h('td', {className: 'n'}, 'text', child…): an element with properties and text or element children. */
function h(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}
function table(headers, rows, numeric) {
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { scope: 'col', className: numeric && numeric[i] ? 'n' : '' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { className: numeric && numeric[i] ? 'n' : '' }, c))))));
}
async function api(method, path, body) {
  const r = await fetch(base + path, { method, cache: 'no-store', headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(r.status + ' ' + text.trim());
  return text ? JSON.parse(text) : undefined;
}
function byName(a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }

function requestView(root) {
  root.append(h('h2', {}, 'Request Details'),
    table(['Field', 'Value'], [['Proto', pageContext.requestProto], ['Client address', pageContext.requestAddr],
      ['Server addresses', pageContext.addrs.join(', ') || '(none)'], ['Hostname', pageContext.hostname]]),
    h('h3', {}, 'Request'), h('pre', {}, pageContext.requestDump));
}

async function envView(root) {
  const e = await api('GET', '/env/api');
  root.append(h('h2', {}, 'Server Env'), h('h3', {}, 'Command line'), h('pre', {}, e.commandLine.join(' ')),
    h('h3', {}, 'Environment'), table(['Name', 'Value'], Object.keys(e.env).sort().map((k) => [k, e.env[k]])));
}

function probeView(path, title, flag) {
  return (root) => {
    const current = h('p', {});
    const status = h('p', { className: 'status', role: 'status' });
    const n = h('input', { type: 'number', id: 'fail-next-n', min: '1', value: '1' });
    const set = async (failNext) => {
      try {
        await api('PUT', path + '/api', { failNext });
        status.textContent = failNext === 0 ? 'Probe set to succeed.' : failNext < 0 ? 'Probe set to fail permanently.' : 'The next ' + failNext + ' probe(s) will fail.';
        await refresh();
      } catch (err) { status.textContent = 'Error: ' + err.message; }
    };
    const history = h('div', {});
    root.append(h('h2', {}, title),
      h('p', { className: 'muted' }, 'GET ' + base + path + ' answers 200 "ok", or 500 while failing. Start failing with ' + flag + ' or with the controls below.'),
      current,
      h('form', { onsubmit: (ev) => { ev.preventDefault(); set(Math.max(1, Number(n.value) || 1)); } },
        h('label', { htmlFor: 'fail-next-n' }, 'Fail next N probes'), n,
        h('div', { className: 'row' },
          h('button', { type: 'submit' }, 'Fail next N'),
          h('button', { type: 'button', onclick: () => set(-1) }, 'Fail permanently'),
          h('button', { type: 'button', onclick: () => set(0) }, 'Succeed'))),
      status, h('h3', {}, 'History (newest first)'), history);
    async function refresh() {
      const p = await api('GET', path + '/api');
      current.textContent = 'Fail next: ' + (p.failNext < 0 ? 'permanently failing' : p.failNext === 0 ? '0 (succeeding)' : p.failNext);
      history.replaceChildren(p.history.length === 0 ? h('p', {}, 'No probes yet.')
        : table(['ID', 'When', 'Result'], p.history.map((x) => [x.id, x.when + ' (' + x.relWhen + ')',
          h('span', { className: x.code === 200 ? '' : 'fail' }, x.code + (x.code === 200 ? ' ok' : ' fail'))]), [true, false, false]));
    }
    return refresh;
  };
}

async function keygenView(root) {
  const k = await api('GET', '/keygen');
  const c = k.config;
  const field = (id, label, input) => [h('label', { htmlFor: id }, label), input];
  const enable = h('input', { type: 'checkbox', id: 'kg-enable', checked: c.enable });
  const numToGen = h('input', { type: 'number', id: 'kg-num', min: '0', value: String(c.numToGen) });
  const timeToRun = h('input', { type: 'number', id: 'kg-time', min: '0', value: String(c.timeToRun) });
  const server = h('input', { type: 'text', id: 'kg-server', value: c.memQServer, placeholder: 'http://queue:8080/memq/server' });
  const queue = h('input', { type: 'text', id: 'kg-queue', value: c.memQQueue, placeholder: 'keygen' });
  const exitOnComplete = h('input', { type: 'checkbox', id: 'kg-exit', checked: c.exitOnComplete });
  const exitCode = h('input', { type: 'number', id: 'kg-code', value: String(c.exitCode) });
  const status = h('p', { className: 'status', role: 'status' });
  const history = h('pre', { id: 'kg-history' });
  root.append(h('h2', {}, 'KeyGen Workload'),
    h('p', { className: 'muted' }, 'Generates RSA keys: a number of them, for a time, or one per MemQ work item. Applying restarts the workload.'),
    h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const config = {
          enable: enable.checked, numToGen: Number(numToGen.value) || 0, timeToRun: Number(timeToRun.value) || 0,
          memQServer: server.value, memQQueue: queue.value, exitOnComplete: exitOnComplete.checked, exitCode: Number(exitCode.value) || 0,
        };
        try { await api('PUT', '/keygen', config); status.textContent = 'Workload ' + (config.enable ? 'restarted.' : 'stopped.'); await refresh(); }
        catch (err) { status.textContent = 'Error: ' + err.message; }
      },
    },
    field('kg-enable', 'Enable', enable), field('kg-num', 'Number of keys (0 = no limit)', numToGen),
    field('kg-time', 'Time to run, seconds (0 = no limit)', timeToRun), field('kg-server', 'MemQ server', server),
    field('kg-queue', 'MemQ queue', queue), field('kg-exit', 'Exit on complete', exitOnComplete), field('kg-code', 'Exit code', exitCode),
    h('div', { className: 'row' }, h('button', { type: 'submit' }, 'Apply'))),
    status, h('h3', {}, 'Output (newest first)'), history);
  async function refresh() {
    const s = await api('GET', '/keygen');
    history.textContent = s.history.length === 0 ? 'No output yet.' : s.history.slice().reverse().map((x) => x.data).join('\n');
  }
  await refresh();
  return refresh;
}

function memqView(root) {
  const queues = h('div', { id: 'memq-queues' });
  root.append(h('h2', {}, 'MemQ Server'),
    h('p', { className: 'muted' }, 'A simple in-memory work queue at ' + base + '/memq/server. Refreshed every second.'),
    queues, h('h3', {}, 'API'),
    table(['Method', 'Path', 'Does'], [
      ['GET', '/memq/server/stats', 'queue statistics'],
      ['PUT', '/memq/server/queues/:queue', 'create a queue'],
      ['DELETE', '/memq/server/queues/:queue', 'delete a queue'],
      ['POST', '/memq/server/queues/:queue/drain', 'discard every item'],
      ['POST', '/memq/server/queues/:queue/enqueue', 'add an item (the request body)'],
      ['POST', '/memq/server/queues/:queue/dequeue', 'take the oldest item (204 when empty)'],
    ]));
  async function refresh() {
    const stats = await api('GET', '/memq/server/stats');
    const qs = stats.queues.slice().sort(byName);
    queues.replaceChildren(qs.length === 0 ? h('p', {}, 'There are no queues created')
      : table(['Name', 'Depth', 'Enqueued', 'Dequeued', 'Drained'], qs.map((q) => [q.name, q.depth, q.enqueued, q.dequeued, q.drained]), [false, true, true, true, true]));
  }
  return refresh;
}

const VIEWS = {
  '': requestView, env: envView, keygen: keygenView, memq: memqView,
  liveness: probeView('/healthy', 'Liveness Probe', '--liveness-fail-next'),
  readiness: probeView('/ready', 'Readiness Probe', '--readiness-fail-next'),
};

let generation = 0;
function current() {
  const m = location.pathname.slice(base.length).match(/^\/-\/([^/]*)/);
  return m && VIEWS[m[1]] ? m[1] : '';
}
function renderTabs(tab) {
  document.getElementById('tabs').replaceChildren(...TABS.map(([t, label]) => h('a', {
    href: base + (t ? '/-/' + t : '/'), 'aria-current': t === tab ? 'page' : 'false',
    onclick: (e) => { e.preventDefault(); history.pushState(null, '', base + (t ? '/-/' + t : '/')); show(t); },
  }, label)));
}
async function show(tab) {
  const gen = ++generation;
  renderTabs(tab);
  const root = h('section', {});
  main.replaceChildren(root);
  let refresh;
  try { refresh = await VIEWS[tab](root); }
  catch (err) { root.append(h('p', { role: 'alert' }, 'Error: ' + err.message)); return; }
  const errors = h('p', { className: 'status', role: 'status' });
  root.append(errors);
  while (refresh && gen === generation) {
    try { await refresh(); errors.textContent = ''; }
    catch (err) { errors.textContent = 'Error: ' + err.message; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
window.addEventListener('popstate', () => show(current()));
show(current());
`;
