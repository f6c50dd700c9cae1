/**
 * The "MemQ Server" view of kuard's UI (client/src/memq.jsx) as a page of its own: a table of
 * queues (Name/Depth/Enqueued/Dequeued/Drained) polled from the stats API every second and
 * sorted by name, or "There are no queues created", and the API's routes. The page fetches only
 * from the server that served it (relative to its own path) and builds the table from text nodes.
 */
export const MEMQ_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MemQ Server</title>
<link rel="icon" href="data:,">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; }
header { background: #326ce5; color: #fff; padding: 10px 24px; }
header h1 { font-size: 1.25rem; margin: 0; }
main { padding: 16px 24px; max-width: 1100px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 4px 12px; text-align: left; }
th { background: #f3f5f8; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #57606a; }
</style>
</head>
<body>
<header><h1>MemQ Server</h1></header>
<main>
<p class="muted">Work queues of this server, refreshed every second.</p>
<div id="queues" aria-live="polite">Loading…</div>
<p id="error" role="status" class="muted"></p>
<h2>API</h2>
<table>
<thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Does</th></tr></thead>
<tbody>
<tr><td>GET</td><td>/memq/server/stats</td><td>queue statistics</td></tr>
<tr><td>PUT</td><td>/memq/server/queues/:queue</td><td>create a queue</td></tr>
<tr><td>DELETE</td><td>/memq/server/queues/:queue</td><td>delete a queue</td></tr>
<tr><td>POST</td><td>/memq/server/queues/:queue/drain</td><td>discard every item</td></tr>
<tr><td>POST</td><td>/memq/server/queues/:queue/enqueue</td><td>add an item (the request body)</td></tr>
<tr><td>POST</td><td>/memq/server/queues/:queue/dequeue</td><td>take the oldest item (204 when empty)</td></tr>
</tbody>
</table>
</main>
<script>
'use strict';
const base = location.pathname.replace(/\/(-\/memq)?\/?$/, '') + '/memq/server';
function cell(tag, text, numeric) {
  const c = document.createElement(tag);
  c.textContent = String(text);
  if (numeric) c.className = 'n';
  if (tag === 'th') c.scope = 'col';
  return c;
}
function row(tag, values) {
  const tr = document.createElement('tr');
  values.forEach((v, i) => tr.append(cell(tag, v, i > 0)));
  return tr;
}
async function refresh() {
  const el = document.getElementById('queues');
  const error = document.getElementById('error');
  try {
    const stats = await (await fetch(base + '/stats', { cache: 'no-store' })).json();
    const qs = stats.queues.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (qs.length === 0) {
      const p = document.createElement('p');
      p.textContent = 'There are no queues created';
      el.replaceChildren(p);
    } else {
      const table = document.createElement('table');
      const head = document.createElement('thead');
      head.append(row('th', ['Name', 'Depth', 'Enqueued', 'Dequeued', 'Drained']));
      const body = document.createElement('tbody');
      for (const q of qs) body.append(row('td', [q.name, q.depth, q.enqueued, q.dequeued, q.drained]));
      table.append(head, body);
      el.replaceChildren(table);
    }
    error.textContent = '';
  } catch (e) {
    error.textContent = 'Error: ' + e;
  }
  setTimeout(refresh, 1000);
}
refresh();
</script>
</body>
</html>
`;
