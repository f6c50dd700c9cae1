import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  addMemqRoutes,
  KUARD_PREFIXES,
  MEMQ_BASE,
  MEMQ_PAGE_HTML,
  Router,
  sendText,
  type MemqBroker,
} from '@kjobs/memq';
import { createMetrics } from './metrics.js';

/** The narrow logger the server needs (pino satisfies it). */
export interface ServerLogger {
  debug(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  isLevelEnabled(level: string): boolean;
}

/** Options of `createMemqServer`. */
export interface MemqServerOptions {
  /** The broker to serve (RedisBroker in production). */
  broker: MemqBroker;
  /** Checked by `/healthz`; throw when a dependency (Redis) is unreachable. Default: always healthy. */
  health?: () => Promise<void>;
  /** Largest enqueue body; default 16 MiB. */
  maxBodyBytes?: number;
  /** Per-request debug lines and error lines. Default: silent. */
  logger?: ServerLogger;
  /** Serve `/metrics` and time every request. Default true. */
  metrics?: boolean;
  /** This server is one of several node:cluster workers: `/metrics` reports them all. */
  clusterWorker?: boolean;
}

/**
 * The memq service's HTTP server, not yet listening: kuard's MemQ API (byte-compatible, under
 * `/memq/server` and the `/a`, `/b`, `/c` prefixes) plus the lease extension, `GET /healthz` and `/readyz`,
 * `GET /metrics` (Prometheus) and `GET /`, the MemQ Server page.
 */
export function createMemqServer(opts: MemqServerOptions): Server {
  const router = new Router();
  const maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  for (const prefix of KUARD_PREFIXES) addMemqRoutes(router, opts.broker, prefix + MEMQ_BASE, { maxBodyBytes });

  router.handle('GET', '/', (_req, res) => sendText(res, 200, 'text/html; charset=utf-8', MEMQ_PAGE_HTML));
  // Ready is healthy here: memq has no leader and no caches, only Redis to reach.
  for (const path of ['/healthz', '/readyz']) {
    router.handle('GET', path, async (_req, res) => {
      try {
        await (opts.health ?? (async () => {}))();
        sendText(res, 200, 'text/plain; charset=utf-8', 'ok');
      } catch (err) {
        sendText(res, 503, 'text/plain; charset=utf-8', `unhealthy: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  const metrics = opts.metrics === false ? undefined : createMetrics(opts.broker, { clusterWorker: opts.clusterWorker ?? false });
  if (metrics) {
    router.handle('GET', '/metrics', async (_req, res) => {
      try {
        sendText(res, 200, metrics.registry.contentType, await metrics.scrape());
      } catch (err) {
        sendText(res, 503, 'text/plain; charset=utf-8', `metrics unavailable: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  const log = opts.logger;
  const debug = log?.isLevelEnabled('debug') ?? false;
  const serve = router.serve;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (metrics || log) {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        metrics?.observe(req, res, start);
        if (log && (debug || res.statusCode >= 500)) {
          const fields = { method: req.method, url: req.url, status: res.statusCode, ms: Number(process.hrtime.bigint() - start) / 1e6 };
          if (res.statusCode >= 500) log.error(fields, 'request failed');
          else log.debug(fields, 'request');
        }
      });
    }
    serve(req, res);
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, listener);
  return server;
}
