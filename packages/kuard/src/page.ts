import { goJson } from '@kjobs/memq';

/** What the page shows about the server and the request (kuard's pageContext). */
export interface PageContext {
  urlBase: string;
  hostname: string;
  addrs: string[];
  version: string;
  requestDump: string;
  requestProto: string;
  requestAddr: string;
}

/**
 * kuard's UI, reduced to plain HTML and script: tabs for Request Details, Server Env, Liveness
 * and Readiness probes, KeyGen Workload and MemQ Server (queues polled every second, sorted by
 * name, or "There are no queues created"). `/-/<tab>` opens a tab directly, as in kuard.
 */
export function renderPage(ctx: PageContext): string {
  // goJson escapes <, > and &, so the context cannot close the script element.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KUAR Demo</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; }
header { background: #326ce5; color: #fff; padding: 12px 24px; }
nav { display: flex; gap: 4px; padding: 8px 24px; border-bottom: 1px solid #ddd; flex-wrap: wrap; }
nav a { padding: 6px 10px; text-decoration: none; color: #326ce5; border-radius: 4px; }
nav a.active { background: #326ce5; color: #fff; }
main { padding: 16px 24px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 12px; text-align: left; }
td.n { text-align: right; }
pre { background: #f5f5f5; padding: 12px; overflow: auto; }
</style>
<script>
var pageContext = ${goJson(ctx)}
</script>
</head>
<body>
<header><strong>KUAR Demo</strong> — version <span id="version"></span> — host <span id="host"></span></header>
<nav id="tabs"></nav>
<main id="main"></main>
<script>
const base = pageContext.urlBase;
const tabs = [
  ['', 'Request Details'], ['env', 'Server Env'], ['liveness', 'Liveness Probe'],
  ['readiness', 'Readiness Probe'], ['keygen', 'KeyGen Workload'], ['memq', 'MemQ Server'],
];
document.getElementById('version').textContent = pageContext.version;
document.getElementById('host').textContent = pageContext.hostname;
function esc(s) { return String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';'); }
function current() { const m = location.pathname.slice(base.length).match(/^\\/-\\/([^/]*)/); return m ? m[1] : ''; }
let timer;
function show(tab) {
  clearInterval(timer);
  document.getElementById('tabs').innerHTML = tabs.map(([t, label]) =>
    '<a href="' + base + (t ? '/-/' + t : '/') + '" data-tab="' + t + '" class="' + (t === tab ? 'active' : '') + '">' + label + '</a>').join('');
  document.querySelectorAll('#tabs a').forEach((a) => a.addEventListener('click', (e) => {
    e.preventDefault(); history.pushState(null, '', a.href); show(a.dataset.tab);
  }));
  const view = views[tab] || views[''];
  view();
  if (view.poll) timer = setInterval(view, 1000);
}
const main = document.getElementById('main');
async function getJson(path) { return (await fetch(base + path, { cache: 'no-store' })).json(); }
const views = {
  '': () => { main.innerHTML = '<h2>Request Details</h2><p>Addresses: ' + esc(pageContext.addrs.join(', ')) + '</p><pre>' + esc(pageContext.requestDump) + '</pre>'; },
  env: async () => {
    const e = await getJson('/env/api');
    main.innerHTML = '<h2>Server Env</h2><pre>' + esc(e.commandLine.join(' ')) + '</pre><table>' +
      Object.keys(e.env).sort().map((k) => '<tr><td>' + esc(k) + '</td><td>' + esc(e.env[k]) + '</td></tr>').join('') + '</table>';
  },
  liveness: async () => probe('/healthy', 'Liveness Probe'),
  readiness: async () => probe('/ready', 'Readiness Probe'),
  keygen: async () => {
    const k = await getJson('/keygen');
    main.innerHTML = '<h2>KeyGen Workload</h2><pre>' + esc(JSON.stringify(k.config, null, 2)) + '</pre><pre>' +
      k.history.slice().reverse().map((h) => esc(h.data)).join('\\n') + '</pre>';
  },
  memq: async () => {
    const stats = await getJson('/memq/server/stats');
    const qs = stats.queues.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    main.innerHTML = '<h2>MemQ Server</h2>' + (qs.length === 0 ? '<p>There are no queues created</p>' :
      '<table><tr><th>Name</th><th>Depth</th><th>Enqueued</th><th>Dequeued</th><th>Drained</th></tr>' +
      qs.map((q) => '<tr><td>' + esc(q.name) + '</td><td class="n">' + q.depth + '</td><td class="n">' + q.enqueued +
        '</td><td class="n">' + q.dequeued + '</td><td class="n">' + q.drained + '</td></tr>').join('') + '</table>');
  },
};
async function probe(path, title) {
  const p = await getJson(path + '/api');
  main.innerHTML = '<h2>' + title + '</h2><p>failNext: ' + p.failNext + '</p><table><tr><th>ID</th><th>When</th><th>Code</th></tr>' +
    p.history.map((h) => '<tr><td>' + h.id + '</td><td>' + esc(h.when) + ' (' + esc(h.relWhen) + ')</td><td>' + h.code + '</td></tr>').join('') + '</table>';
}
['env', 'liveness', 'readiness', 'keygen', 'memq'].forEach((t) => (views[t].poll = true));
window.addEventListener('popstate', () => show(current()));
show(current());
</script>
</body>
</html>
`;
}
