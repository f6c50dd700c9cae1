import { goJson } from '@kjobs/memq';
import { KUARD_PAGE_SCRIPT } from './page-script.js';

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

const STYLE = `
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #fff; }
header { background: #326ce5; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 1.25rem; margin: 0; }
nav { display: flex; gap: 4px; padding: 8px 24px; border-bottom: 1px solid #d0d7de; flex-wrap: wrap; }
nav a { padding: 6px 12px; text-decoration: none; color: #1f4fb4; border-radius: 4px; border: 1px solid transparent; }
nav a:hover, nav a:focus { border-color: #326ce5; }
nav a[aria-current="page"] { background: #326ce5; color: #fff; font-weight: 600; }
main { padding: 16px 24px; max-width: 1100px; }
h2 { margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 4px 12px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f3f5f8; padding: 12px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
form { display: grid; grid-template-columns: max-content 18rem; gap: 8px 12px; align-items: center; margin: 8px 0 16px; }
form .row { grid-column: 1 / -1; display: flex; gap: 8px; flex-wrap: wrap; }
input[type=number] { width: 6rem; }
input[type=text] { width: 100%; }
button { padding: 4px 12px; }
.status { color: #57606a; min-height: 1.2em; }
.fail { font-weight: 600; }
.muted { color: #57606a; }
`;

/**
 * kuard's UI (`client/src/app.jsx`) as one plain page: tabs for Request Details, Server Env,
 * Liveness and Readiness probes (fail-next controls and history), KeyGen Workload (config form and
 * history) and MemQ Server (queues polled every second, sorted by name, or "There are no queues
 * created"). `/-/<tab>` opens a tab directly, as in kuard. No assets are fetched from elsewhere.
 */
export function renderPage(ctx: PageContext): string {
  // goJson escapes <, > and &, so the context cannot close the script element.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KUAR Demo</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
<script>
var pageContext = ${goJson(ctx)}
</script>
</head>
<body>
<header><h1>KUAR Demo</h1><span>version <span id="version"></span></span><span>host <span id="host"></span></span></header>
<nav id="tabs" aria-label="Sections"></nav>
<main id="main" aria-live="polite"><noscript>This page needs JavaScript. The APIs: /healthy, /ready, /env/api, /keygen, /memq/server/stats.</noscript></main>
<script>
${KUARD_PAGE_SCRIPT}
</script>
</body>
</html>
`;
}
