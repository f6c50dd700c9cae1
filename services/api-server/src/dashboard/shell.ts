/**
 * The dashboard's static shell: the HTML skeleton (no data: everything on it arrives later through
 * the authenticated API) and its stylesheet. Every element id the client uses is defined here.
 */
import { esc } from './client/format.js';

/** The page at `<base>/`: sign-in form and the (hidden until signed in) panels. */
export function shellHtml(base: string): string {
  const b = esc(base);
  const table = (id: string, cols: string[], empty?: string) =>
    `<div class="scroll"><table><thead><tr>${cols.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead><tbody id="${id}"></tbody></table></div>` +
    (empty ? `<p id="${id}-empty" class="muted">${empty}</p>` : '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kjobs dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${b}/app.css">
<script src="${b}/app.js" defer></script>
</head>
<body data-base="${b}">
<header class="top">
  <h1>kjobs</h1>
  <span id="conn" role="status" aria-live="polite">… Loading</span>
  <label class="ns-filter">Namespace <select id="ns"><option value="">All namespaces</option></select></label>
  <span id="who" class="muted"></span>
  <button type="button" id="logout" hidden>Sign out</button>
</header>
<section id="login" class="login" hidden aria-labelledby="login-h">
  <h2 id="login-h">Sign in</h2>
  <p>Paste the bearer token of your kubeconfig. It stays in this tab only (sessionStorage) and is sent
  to this api-server with each request, as kubectl sends it.</p>
  <pre>kubectl config view --raw -o jsonpath='{.users[0].user.token}'</pre>
  <form id="login-form">
    <label for="token">Token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Sign in</button>
  </form>
  <p id="login-error" role="alert"></p>
</section>
<p id="paused" class="paused" role="status" hidden>Paused: the dashboard is live in another tab of this browser
  (each live tab holds five connections to the api-server, and browsers allow six). It resumes here when that tab closes.
  <button type="button" id="take-over">Use this tab</button></p>
<main id="dash" hidden>
  <section id="jobs-panel" aria-labelledby="jobs-h">
    <h2 id="jobs-h">Jobs <span id="jobs-count" class="muted"></span></h2>
    ${table('jobs', ['Job', 'Status', 'Progress (succeeded/completions)', 'Active', 'Failed', 'Duration', 'Pods', 'Conditions'], 'No Jobs yet.')}
  </section>
  <section id="pods-panel" aria-labelledby="pods-h">
    <h2 id="pods-h">Pods <span id="pods-scope" class="muted"></span> <button type="button" id="pods-all" class="link" hidden>show all pods</button></h2>
    <p id="pods-summary"></p>
    ${table('pods', ['Pod', 'Status', 'Phase', 'Restarts', 'Node'])}
    <p id="pods-more" class="muted"></p>
  </section>
  <div class="side">
  <section id="nodes-panel" aria-labelledby="nodes-h">
    <h2 id="nodes-h">Nodes <span id="nodes-count" class="muted"></span></h2>
    ${table('nodes', ['Node', 'Status', 'Pods', 'CPU requested', 'Memory requested'])}
  </section>
  <section id="memq-panel" aria-labelledby="memq-h" hidden>
    <h2 id="memq-h">MemQ queues <span id="memq-url" class="muted"></span></h2>
    ${table('queues', ['Queue', 'Depth', 'Enqueued', 'Dequeued', 'Drained', 'History'], 'There are no queues created')}
    <p id="memq-error" role="status"></p>
  </section>
  </div>
  <section id="cronjobs-panel" aria-labelledby="cronjobs-h">
    <h2 id="cronjobs-h">CronJobs <span id="cronjobs-count" class="muted"></span></h2>
    ${table('cronjobs', ['CronJob', 'Schedule', 'Suspended', 'Active', 'Last run', 'Last success', 'Next run'], 'No CronJobs.')}
  </section>
  <section id="events-panel" aria-labelledby="events-h">
    <h2 id="events-h">Recent events</h2>
    ${table('events', ['Age', 'Type', 'Object', 'Reason', 'Message'], 'No events.')}
  </section>
</main>
</body>
</html>
`;
}

/** The stylesheet: plain, readable on a laptop screen, colour only ever doubles a word or symbol. */
export const DASHBOARD_CSS = `
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
.top { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; padding: 8px 16px; background: #1f2937; color: #fff; }
.top h1 { font-size: 1.2rem; margin: 0 8px 0 0; }
.top .muted { color: #cbd5e1; }
.top select, .top button { font: inherit; }
main {
  display: grid; gap: 12px; padding: 12px 16px; align-items: start;
  grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  grid-template-areas: "jobs jobs" "pods side" "cron cron" "events events";
}
main section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 0; }
#jobs-panel { grid-area: jobs; } #pods-panel { grid-area: pods; } .side { grid-area: side; display: flex; flex-direction: column; gap: 12px; min-width: 0; }
#cronjobs-panel { grid-area: cron; } #events-panel { grid-area: events; }
@media (max-width: 1100px) { main { grid-template-columns: minmax(0, 1fr); grid-template-areas: "jobs" "pods" "side" "cron" "events"; } }
h2 { font-size: 1rem; margin: 4px 0 8px; }
.scroll { overflow-x: auto; }
#pods-panel .scroll, #events-panel .scroll { max-height: 420px; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f3f5f8; font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 600; white-space: nowrap; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ns { color: #57606a; font-weight: 400; }
.muted { color: #57606a; }
.small { font-size: 12px; color: #57606a; }
.st { white-space: nowrap; font-weight: 600; }
.st.ok { color: #116329; }
.st.bad, td.bad { color: #b42318; }
.st.busy { color: #0550ae; }
.st.idle { color: #57606a; }
td.bad { font-weight: 600; }
.conditions { max-width: 32rem; }
.conditions div + div { margin-top: 2px; }
.progress { white-space: nowrap; }
progress { width: 120px; height: 14px; vertical-align: middle; accent-color: #1a7f37; }
meter { width: 90px; vertical-align: middle; }
.ptext { font-variant-numeric: tabular-nums; font-weight: 600; margin-left: 4px; }
button.link { background: none; border: 1px solid #d0d7de; border-radius: 4px; color: #0550ae; padding: 1px 6px; cursor: pointer; font: inherit; }
button.link[aria-pressed="true"] { background: #0550ae; color: #fff; }
.spark { display: block; }
code { white-space: nowrap; }
.spark .line { fill: none; stroke: #0550ae; stroke-width: 1.5; }
.spark .axis { stroke: #d0d7de; }
.login { max-width: 560px; margin: 48px auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 16px 24px; }
.login form { display: flex; gap: 8px; align-items: center; }
.login input { flex: 1; font: inherit; padding: 4px 8px; }
pre { background: #f3f5f8; padding: 8px; overflow-x: auto; }
.paused { margin: 12px 16px 0; padding: 8px 12px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; }
#login-error, #memq-error { color: #b42318; font-weight: 600; }
:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
`;
