import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, badRequest, internalError, tooLarge, unauthorized } from '@kjobs/api';
import type { Logger } from 'pino';
import { runChecks, type HealthCheck } from '@kjobs/observe';
import { randomUUID } from 'node:crypto';
import type { ApiService } from '../api-service.js';
import type { Authenticator, Identity } from '../auth.js';
import { authorizeNonResource } from '../authz.js';
import { createDashboardRouter } from '../dashboard/router.js';
import type { Metrics } from '../metrics.js';
import type { WatchHub } from '../watch-hub.js';
import type { NodeBridge } from '../node-bridge.js';
import { AGGREGATED_V2, aggregatedDiscovery, apiGroupList, apiResourceList, apiVersions, openapiGroupVersion, openapiIndex, VERSION_INFO } from './discovery.js';
import { parseResourcePath } from './routes.js';
import { serveHttpResource } from './resource-handler.js';

/** Everything the HTTP front end needs; built by main.ts or by a test. */
export interface AppDeps {
  api: ApiService;
  hub: WatchHub;
  auth: Authenticator;
  nodes: NodeBridge;
  metrics: Metrics;
  log: Logger;
  /** host:port advertised in /api. */
  serverAddress: string;
  /** Largest request body (default 3 MiB). */
  maxBodyBytes?: number;
  /** What /readyz checks (the store, NATS): a load balancer takes this api-server out while one fails. */
  readiness?: HealthCheck[];
  /** MemQ's URL, for the dashboard's queue panel (hidden without it). */
  memqUrl?: string;
}

/** Build the Express app (does not listen). */
export function createApp(d: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const limit = d.maxBodyBytes ?? 3 * 1024 * 1024;

  app.use((req, res, next) => {
    // As kube-apiserver: every response carries an Audit-Id, the caller's own when it sent one.
    const auditId = auditIdOf(req.headers['audit-id']);
    res.locals.auditId = auditId;
    res.setHeader('Audit-Id', auditId);
    res.locals.start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - (res.locals.start as bigint)) / 1e6;
      // The Kubernetes verb the request path served (get, list, watch, create, …); a path that is no
      // resource has none, and is counted as kube-apiserver's RequestInfo names it: its method, lower-cased.
      const verb = (res.locals.verb as string | undefined) ?? req.method.toLowerCase();
      d.metrics.observeHttp(verb, (res.locals.resource as string) ?? 'other', res.statusCode, ms);
      if (req.path === '/healthz' || req.path === '/livez' || req.path === '/readyz') return;
      const user = (res.locals.identity as Identity | undefined)?.user;
      d.log.info({ auditId, verb, resource: res.locals.resource as string | undefined, user, method: req.method, uri: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, userAgent: req.headers['user-agent'] }, 'request');
    });
    next();
  });

  // Health endpoints are open (load balancers and compose health checks call them).
  app.get(['/healthz', '/livez'], (_req, res) => res.type('text/plain').send('ok'));
  const readiness = d.readiness ?? [];
  app.get('/readyz', async (req, res) => {
    const report = await runChecks(readiness);
    res.status(report.ok ? 200 : 503).type('text/plain').send('verbose' in req.query ? report.verbose : report.short);
  });

  // Before authentication: a page load carries no token. Only the static shell is public; its data
  // comes through the API and endpoints that check the same tokens (docs/dashboard.md).
  app.use('/dashboard', createDashboardRouter({ auth: d.auth, log: d.log.child({ component: 'dashboard' }), memqUrl: d.memqUrl }));

  app.use((req, _res, next) => {
    const id = d.auth.authenticate(req.headers.authorization);
    if (!id) return next(unauthorized());
    _res.locals.identity = id;
    next();
  });

  // Paths that are not resources (discovery, /version, /metrics) are authorized here; resources in the request path (request/resource-request.ts).
  app.use((req, res, next) => {
    if (isResourcePath(req.path)) return next();
    const decision = authorizeNonResource(res.locals.identity as Identity, { verb: req.method.toLowerCase(), path: req.path });
    next(decision.allowed ? undefined : decision.error);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(d.metrics.contentType).send(await d.metrics.render());
  });
  app.get('/version', (_req, res) => res.json(VERSION_INFO));
  app.get('/api', (req, res) => discovery(req, res, true, () => apiVersions(d.serverAddress)));
  app.get('/apis', (req, res) => discovery(req, res, false, apiGroupList));
  app.get('/api/v1', (_req, res) => res.json(apiResourceList('')));
  app.get('/apis/:group/v1', (req, res, next) => {
    const body = apiResourceList(req.params.group!);
    if ((body as { resources: unknown[] }).resources.length === 0) return next();
    res.json(body);
  });
  app.get('/apis/:group', (req, res, next) => {
    const g = (apiGroupList() as { groups: { name: string }[] }).groups.find((x) => x.name === req.params.group);
    if (!g) return next();
    res.json({ kind: 'APIGroup', apiVersion: 'v1', ...g });
  });
  app.get('/openapi/v3', (_req, res) => res.json(openapiIndex()));
  app.get(/^\/openapi\/v3\/(.+)$/, (req, res, next) => {
    const doc = openapiGroupVersion((req.params as Record<string, string>)[0]!);
    if (!doc) return next();
    res.json(doc);
  });

  // A declared length over the limit is refused at once; body-parser would first read (and drop) all of it.
  app.use((req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > limit)) return next();
    res.setHeader('Connection', 'close');
    next(tooLarge(`the request body is too large (limit ${limit} bytes)`));
  });
  app.use(express.raw({ type: () => true, limit }));
  app.use(async (req, res, next) => {
    const route = parseResourcePath(req.path);
    if (!route) return next();
    res.locals.resource = route.res.resource;
    try {
      await serveHttpResource(d, route, req, res);
    } catch (e) {
      next(e);
    }
  });

  app.use((_req, _res, next) => next(new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})));
  app.use(errorHandler(d.log));
  return app;
}

function discovery(req: Request, res: Response, core: boolean, legacy: () => unknown): void {
  const accept = req.headers.accept ?? '';
  if (accept.includes('as=APIGroupDiscoveryList') && accept.includes('v=v2')) {
    res.setHeader('Content-Type', AGGREGATED_V2);
    res.setHeader('Vary', 'Accept');
    res.send(JSON.stringify(aggregatedDiscovery(core)));
    return;
  }
  res.json(legacy());
}

/** `/api/v1/…` and `/apis/<group>/<version>/…` with at least a resource segment. */
function isResourcePath(path: string): boolean {
  return /^\/api\/v1\/[^/]/.test(path) || /^\/apis\/[^/]+\/[^/]+\/[^/]/.test(path);
}

/** The one place errors become `Status` JSON. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    void _next;
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if ((err as { type?: string })?.type === 'entity.too.large') e = tooLarge(`the request body is too large (limit ${(err as { limit?: number }).limit ?? 'exceeded'} bytes)`);
    else if ((err as { type?: string; status?: number })?.status === 400) e = badRequest((err as Error).message);
    else {
      log.error({ err, uri: req.originalUrl, auditId: res.locals.auditId }, 'internal error');
      e = internalError((err as Error)?.message ?? String(err));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(e.code).json(e.toStatus());
  };
}

/** A caller's Audit-ID when it is a sane token (it goes into logs and a header), else a new UUID. */
export function auditIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}
