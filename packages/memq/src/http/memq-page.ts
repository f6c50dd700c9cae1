/**
 * The "MemQ Server" view of kuard's UI (client/src/memq.jsx), minimal: a table of queues
 * (Name/Depth/Enqueued/Dequeued/Drained) polled from the stats API every second and sorted by
 * name, or "There are no queues created".
 */
export const MEMQ_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MemQ Server</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 12px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>MemQ Server</h1>
<div id="queues">Loading…</div>
<script>
const base = location.pathname.replace(/\\/(-\\/memq)?\\/?$/, '') + '/memq/server';
function esc(s) { return String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';'); }
async function refresh() {
  const el = document.getElementById('queues');
  try {
    const stats = await (await fetch(base + '/stats', { cache: 'no-store' })).json();
    const qs = stats.queues.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    el.innerHTML = qs.length === 0
      ? '<p>There are no queues created</p>'
      : '<table><tr><th>Name</th><th>Depth</th><th>Enqueued</th><th>Dequeued</th><th>Drained</th></tr>' +
        qs.map((q) => '<tr><td>' + esc(q.name) + '</td><td>' + q.depth + '</td><td>' + q.enqueued + '</td><td>' + q.dequeued + '</td><td>' + q.drained + '</td></tr>').join('') +
        '</table>';
  } catch (e) {
    el.textContent = 'Error: ' + e;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
