import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { runChecks, type HealthCheck } from './health-checks.js';
import { httpUrlOf, type ListenAddress } from './listen-address.js';

/** Options of a service's observability port. */
export interface ObserveOptions {
  /** Served at /metrics in Prometheus text format. */
  registry: Registry;
  /** Checks of /readyz (default none: ready while it serves). */
  readiness?: HealthCheck[];
  /** Checks of /healthz and /livez (default none: healthy while it serves). */
  liveness?: HealthCheck[];
}

/**
 * The request handler of the observability port: GET /healthz and /livez, /readyz (`?verbose`
 * lists every check, as kube-apiserver does; 503 when one fails) and /metrics. Anything else 404.
 */
export function createObserveHandler(o: ObserveOptions): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      if (url.pathname === '/metrics') return send(res, 200, o.registry.contentType, await o.registry.metrics());
      const checks = url.pathname === '/readyz' ? o.readiness : url.pathname === '/healthz' || url.pathname === '/livez' ? o.liveness : undefined;
      if (!checks && !['/readyz', '/healthz', '/livez'].includes(url.pathname)) return send(res, 404, 'text/plain', 'not found\n');
      const report = await runChecks(checks ?? [], url.pathname.slice(1));
      send(res, report.ok ? 200 : 503, 'text/plain; charset=utf-8', url.searchParams.has('verbose') ? report.verbose : `${report.short}\n`);
    })().catch((e: unknown) => send(res, 500, 'text/plain', `${(e as Error).message}\n`));
  };
}

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** A listening observability port. */
export interface ObserveServer {
  /** `http://host:port` as bound (the real port when asked for 0). */
  url: string;
  close(): Promise<void>;
}

/** Listen on `address` with createObserveHandler; resolves once bound. */
export function startObserveServer(address: ListenAddress, o: ObserveOptions): Promise<ObserveServer> {
  const server = http.createServer(createObserveHandler(o));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      server.unref();
      const a = server.address() as AddressInfo;
      resolve({ url: httpUrlOf(a.address, a.port), close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** A Registry with Node's process metrics (process_cpu_seconds_total, nodejs_heap_size_total_bytes, …). */
export function createServiceRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
