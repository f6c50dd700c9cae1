import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import {
  addMemqRoutes,
  goJson,
  KUARD_PREFIXES,
  MEMQ_BASE,
  Router,
  sendEmpty,
  sendError,
  sendJson,
  sendNotFound,
  sendText,
  type MemqBroker,
} from '@kjobs/memq';
import { dnsQuery } from './dns-api.js';
import type { KeyGenConfig } from './flags.js';
import type { KeyGenController } from './keygen-controller.js';
import { RequestMetrics } from './metrics.js';
import { renderPage } from './page.js';
import type { DebugProbe } from './probe.js';

/** Everything the kuard HTTP server serves. */
export interface KuardServerOptions {
  broker: MemqBroker;
  keygen: KeyGenController;
  liveness: DebugProbe;
  readiness: DebugProbe;
  /** Go-format log line for every request (`<remote> <METHOD> <url>`), like kuard's loggingMiddleware. */
  log?: (line: string) => void;
  /** os.Args as `GET /env/api` reports them. */
  commandLine: string[];
  /** Environment as `GET /env/api` reports it. */
  env: Record<string, string | undefined>;
  /** kuard version string for the page. */
  version: string;
}

/**
 * kuard's HTTP server (`pkg/app/app.go`) on the httprouter port, every route under "", /a, /b
 * and /c: the page at `/` and `/-/*`, `/healthy` and `/ready` (+ `/api` GET/PUT), `/env/api`,
 * `/keygen` GET/PUT, `/mem/api`, `/dns/api`, `/metrics` and the MemQ server. The routes of
 * static assets and of the `/fs` file browser exist (so trailing-slash and 405 answers match
 * kuard's router) but answer 404 (no UI bundle; no file system exposure).
 */
export function createKuardServer(opts: KuardServerOptions): Server {
  const router = new Router();
  const metrics = new RequestMetrics();
  let leaks: Buffer[] = [];

  for (const prefix of KUARD_PREFIXES) {
    const page = (req: IncomingMessage, res: ServerResponse): void =>
      sendText(res, 200, 'text/html; charset=utf-8', renderPage(pageContext(req, prefix, opts.version)));
    router.handle('GET', `${prefix}/`, page);
    router.handle('GET', `${prefix}/-/*path`, page);
    router.handle('GET', `${prefix}/metrics`, (_req, res) => sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render()));
    router.handle('GET', `${prefix}/built/*filepath`, (_req, res) => sendNotFound(res));
    router.handle('GET', `${prefix}/static/*filepath`, (_req, res) => sendNotFound(res));
    // kuard serves the whole file system here; kjobs keeps the route (same router tree) but not the exposure.
    router.handle('GET', `${prefix}/fs/*filepath`, (_req, res) => sendNotFound(res));
    router.handle('POST', `${prefix}/dns/api`, async (req, res) => {
      const body = await decodeJson(req);
      if ('error' in body) return sendError(res, 400, body.error);
      const q = body.value as { type?: unknown; name?: unknown };
      try {
        sendJson(res, goJson({ result: await dnsQuery(String(q.type ?? ''), String(q.name ?? '')) }));
      } catch (err) {
        sendError(res, 400, err instanceof Error ? err.message : String(err));
      }
    });

    router.handle('GET', `${prefix}/mem/api`, (_req, res) => sendJson(res, goJson({ memStats: memStats() })));
    router.handle('POST', `${prefix}/mem/api/alloc`, (_req, res, ctx) => {
      const size = new URLSearchParams(ctx.rawQuery).get('size');
      if (!size) return sendError(res, 400, 'size not specified');
      const n = Number.parseInt(size, 10);
      if (!Number.isFinite(n) || n < 0) return sendError(res, 400, 'bad size param');
      leaks.push(Buffer.alloc(n, 'x'));
      sendEmpty(res);
    });
    router.handle('POST', `${prefix}/mem/api/clear`, (_req, res) => {
      leaks = [];
      sendEmpty(res);
    });

    for (const [path, probe] of [[`${prefix}/healthy`, opts.liveness], [`${prefix}/ready`, opts.readiness]] as const) {
      router.handle('GET', path, (_req, res) => {
        const r = probe.handle();
        sendText(res, r.status, 'text/plain', r.message);
      });
      router.handle('GET', `${path}/api`, (_req, res) => sendJson(res, goJson(probe.status())));
      router.handle('PUT', `${path}/api`, async (req, res) => {
        const body = await decodeJson(req);
        if ('error' in body) return sendError(res, 400, body.error);
        const failNext = (body.value as { failNext?: unknown }).failNext;
        if (failNext !== undefined && !Number.isInteger(failNext)) {
          return sendError(res, 400, `json: cannot unmarshal ${typeof failNext} into Go struct field ProbeConfig.failNext of type int`);
        }
        probe.failNext = (failNext as number | undefined) ?? 0;
        sendJson(res, goJson(probe.status()));
      });
    }

    router.handle('GET', `${prefix}/env/api`, (_req, res) => {
      const env = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => e[1] !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      sendJson(res, goJson({ commandLine: opts.commandLine, env }));
    });

    router.handle('GET', `${prefix}/keygen`, (_req, res) => sendJson(res, goJson(opts.keygen.status())));
    router.handle('PUT', `${prefix}/keygen`, async (req, res) => {
      const body = await decodeJson(req);
      if ('error' in body) return sendError(res, 400, body.error);
      const c = toKeyGenConfig(body.value);
      if (typeof c === 'string') return sendError(res, 400, c);
      void opts.keygen.load(c);
      sendJson(res, goJson(opts.keygen.status()));
    });

    addMemqRoutes(router, opts.broker, prefix + MEMQ_BASE);
  }

  const serve = router.serve;
  // Go's server never closes an idle keep-alive connection on its own; 5 s (Node's default) would
  // break clients that pause between requests.
  return createServer({ keepAliveTimeout: 10 * 60_000 }, (req, res) => {
    opts.log?.(`${remoteAddr(req)} ${req.method} ${req.url}`);
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      metrics.observe(req.method ?? '', path, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    serve(req, res);
  });
}

function remoteAddr(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return (a.includes(':') ? `[${a}]` : a) + ':' + (req.socket.remotePort ?? 0);
}

function pageContext(req: IncomingMessage, urlBase: string, version: string): import('./page.js').PageContext {
  const addrs: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) addrs.push(a.address);
  }
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .sort();
  return {
    urlBase,
    hostname: hostname(),
    addrs,
    version,
    requestDump: [`${req.method} ${req.url} HTTP/${req.httpVersion}`, ...headers].join('\n'),
    requestProto: `HTTP/${req.httpVersion}`,
    requestAddr: remoteAddr(req),
  };
}

function memStats(): Record<string, number> {
  const m = process.memoryUsage();
  return { Alloc: m.heapUsed, TotalAlloc: m.heapTotal, Sys: m.rss, HeapAlloc: m.heapUsed, HeapSys: m.heapTotal, External: m.external };
}

/** Read a JSON request body; errors worded like Go's decoder where it matters (empty body → EOF). */
async function decodeJson(req: IncomingMessage): Promise<{ value: unknown } | { error: string }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { error: 'EOF' };
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'json: cannot unmarshal into Go value of type struct' };
    return { value };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Decode a `PUT /keygen` config like Go's json.Decoder into a zero Config: missing fields are zero. */
function toKeyGenConfig(v: unknown): KeyGenConfig | string {
  const o = v as Record<string, unknown>;
  const c: KeyGenConfig = { enable: false, numToGen: 0, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 };
  const want: Record<keyof KeyGenConfig, 'boolean' | 'number' | 'string'> = {
    enable: 'boolean', numToGen: 'number', timeToRun: 'number', memQServer: 'string', memQQueue: 'string', exitOnComplete: 'boolean', exitCode: 'number',
  };
  for (const [k, type] of Object.entries(want) as [keyof KeyGenConfig, string][]) {
    const x = o[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== type || (type === 'number' && !Number.isInteger(x))) {
      return `json: cannot unmarshal ${typeof x} into Go struct field Config.${k} of type ${type === 'number' ? 'int' : type === 'boolean' ? 'bool' : 'string'}`;
    }
    (c as unknown as Record<string, unknown>)[k] = x;
  }
  return c;
}
