import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ApiError, badRequest, internalError, isApiError, isTableRequest, toTable, tooLarge, unauthorized, warningHeader,
  type KList, type KObject,
} from '@kjobs/api';
import type { Logger } from 'pino';
import { runChecks, type HealthCheck } from '@kjobs/observe';
import { randomUUID } from 'node:crypto';
import type { ApiService, DeleteOpts } from '../api-service.js';
import type { Authenticator, Identity } from '../auth.js';
import { authorizeNonResource, checkAccess, type Verb } from '../authz.js';
import { nodePodsLoader } from '../node-pods.js';
import type { WriteOptions } from '../decode-rules.js';
import { createDashboardRouter } from '../dashboard/router.js';
import type { Metrics } from '../metrics.js';
import type { WatchHub } from '../watch-hub.js';
import type { NodeBridge } from '../node-bridge.js';
import { AGGREGATED_V2, aggregatedDiscovery, apiGroupList, apiResourceList, apiVersions, openapiGroupVersion, openapiIndex, VERSION_INFO } from './discovery.js';
import { parseResourcePath, type ResourceRoute } from './routes.js';
import { serveWatch } from './watch.js';
import { serveLogs } from './logs.js';
import { boolParam, decodeObjectBody, decodePatchBody, int64Param, resourceVersionParam, writeQuery, type DecodedBody, type OptionsKind } from './request-decoding.js';

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
  /** Is the store reachable (for /readyz)? */
  ready?: () => Promise<boolean>;
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
    const id = (req.headers['x-request-id'] as string) || randomUUID();
    res.locals.reqId = id;
    res.locals.start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - (res.locals.start as bigint)) / 1e6;
      // The Kubernetes verb handleResource served (get, list, watch, create, …); a path that is no
      // resource has none, and is counted as kube-apiserver's RequestInfo names it: its method, lower-cased.
      d.metrics.observeHttp((res.locals.verb as string | undefined) ?? req.method.toLowerCase(), (res.locals.resource as string) ?? 'other', res.statusCode, ms);
      d.log.debug({ reqId: id, method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
    });
    next();
  });

  // Health endpoints are open (load balancers and compose health checks call them).
  app.get(['/healthz', '/livez'], (_req, res) => res.type('text/plain').send('ok'));
  const readiness: HealthCheck[] = d.ready ? [{ name: 'store', check: d.ready }] : [];
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

  // Paths that are not resources (discovery, /version, /metrics) are authorized here; resources in handleResource.
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
      await handleResource(d, route, req, res);
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

function q(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === 'string' ? v : undefined;
}

function intParam(req: Request, name: string): number | undefined {
  return int64Param(req.query, name);
}

/**
 * The request body, decoded once per request by the rules of its verb (request-decoding.ts): a
 * patch for PATCH, else an object of the route's kind (its subresource's kind for binding and
 * eviction); `required` for creates and updates.
 */
function requestBody(req: Request, res: Response, route: ResourceRoute): DecodedBody {
  const cached = res.locals.decodedBody as DecodedBody | undefined;
  if (cached) return cached;
  const buf = Buffer.isBuffer(req.body) ? (req.body as Buffer) : undefined;
  const sub = route.subresource;
  const kind = sub === 'binding' ? 'Binding' : sub === 'eviction' ? 'Eviction' : req.method === 'DELETE' ? 'DeleteOptions' : route.res.kind;
  const required = (req.method === 'POST' && !sub) || req.method === 'PUT';
  const decoded = req.method === 'PATCH' ? decodePatchBody(buf, req.headers['content-type']) : decodeObjectBody(buf, req.headers['content-type'], kind, required);
  res.locals.decodedBody = decoded;
  return decoded;
}

/** Options of a create/update/patch from the query and the decoded body; warnings go out as `Warning` headers. */
function writeOptions(req: Request, res: Response, kind: OptionsKind, body: DecodedBody): WriteOptions & { warnings: string[] } {
  const { dryRun, fieldValidation } = writeQuery(req.query, kind);
  const warnings: string[] = [];
  res.locals.warnings = warnings;
  return { dryRun, fieldValidation, decoded: body.decoding, warnings };
}

function sendWarnings(res: Response): void {
  for (const w of (res.locals.warnings as string[] | undefined) ?? []) res.append('Warning', warningHeader(w));
}

function deleteOpts(req: Request, body: unknown): DeleteOpts {
  const b = (body && typeof body === 'object' ? body : {}) as DeleteOpts & { orphanDependents?: boolean };
  const opts: DeleteOpts = {};
  const pp = q(req, 'propagationPolicy') ?? b.propagationPolicy;
  if (pp) opts.propagationPolicy = pp as DeleteOpts['propagationPolicy'];
  else if (b.orphanDependents === true || boolParam(req.query, 'orphanDependents')) opts.propagationPolicy = 'Orphan';
  const g = intParam(req, 'gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (g !== undefined) opts.gracePeriodSeconds = g;
  if (b.preconditions) opts.preconditions = b.preconditions;
  const bodyDryRun = (b as { dryRun?: unknown }).dryRun;
  if (writeQuery(req.query, 'DeleteOptions').dryRun || (Array.isArray(bodyDryRun) && bodyDryRun.includes('All'))) opts.dryRun = true;
  return opts;
}

function sendObject(req: Request, res: Response, route: ResourceRoute, obj: KObject | KList, code = 200): void {
  sendWarnings(res);
  if (isTableRequest(req.headers.accept) && route.subresource === undefined) {
    const items = 'items' in obj ? (obj as KList).items : [obj as KObject];
    const table = toTable(route.res.kind, items, new Date(), { includeColumnDefinitions: true }) as { metadata?: Record<string, unknown> };
    if ('items' in obj) table.metadata = { ...table.metadata, ...(obj as KList).metadata };
    res.status(code).json(table);
    return;
  }
  res.status(code).json(obj);
}

/** `/api/v1/…` and `/apis/<group>/<version>/…` with at least a resource segment. */
function isResourcePath(path: string): boolean {
  return /^\/api\/v1\/[^/]/.test(path) || /^\/apis\/[^/]+\/[^/]+\/[^/]/.test(path);
}

/** The Kubernetes verb of a request, as handleResource will serve it (undefined: a method it refuses). */
function requestVerb(req: Request, name: string | undefined): Verb | undefined {
  const watch = boolParam(req.query, 'watch');
  switch (req.method) {
    case 'GET': return watch ? 'watch' : name ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return name ? 'delete' : 'deletecollection';
    default: return undefined;
  }
}

async function handleResource(d: AppDeps, route: ResourceRoute, req: Request, res: Response): Promise<void> {
  const { res: info, namespace, name, subresource } = route;
  const method = req.method;
  const verb = requestVerb(req, name);
  res.locals.verb = verb;
  if (verb) {
    await checkAccess(res.locals.identity as Identity, { verb, group: info.group, resource: info.resource, subresource, namespace, name }, {
      stored: () => d.api.get(info, namespace, name!).catch((e: unknown) => {
        if (isApiError(e, 404)) return null;
        throw e;
      }),
      body: () => requestBody(req, res, route).value,
      nodePods: nodePodsLoader(d.api, namespace),
    });
  }
  // Read only for get, list and watch (writes carry theirs in the body); checked before anything is served.
  const resourceVersion = method === 'GET' ? resourceVersionParam(req.query) : undefined;
  if (subresource === 'log' && method === 'GET') return serveLogs(d, route, req, res);
  if (!name) {
    switch (method) {
      case 'GET':
        if (boolParam(req.query, 'watch')) {
          return serveWatch(d.api, d.hub, {
            res: info, namespace, labelSelector: q(req, 'labelSelector'), fieldSelector: q(req, 'fieldSelector'),
            resourceVersion, timeoutSeconds: intParam(req, 'timeoutSeconds'),
            allowWatchBookmarks: boolParam(req.query, 'allowWatchBookmarks'), accept: req.headers.accept,
          }, res);
        }
        return sendObject(req, res, route, await d.api.list(info, {
          namespace, labelSelector: q(req, 'labelSelector'), fieldSelector: q(req, 'fieldSelector'),
          limit: intParam(req, 'limit'), continue: q(req, 'continue'),
        }));
      case 'POST': {
        const body = requestBody(req, res, route);
        const created = await d.api.create(info, namespace, body.value, writeOptions(req, res, 'CreateOptions', body));
        return sendObject(req, res, route, created, 201);
      }
      case 'DELETE': {
        const body = requestBody(req, res, route).value;
        return sendObject(req, res, route, await d.api.deleteCollection(info, { namespace, labelSelector: q(req, 'labelSelector'), fieldSelector: q(req, 'fieldSelector') }, deleteOpts(req, body)));
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }
  if (subresource === 'binding' && method === 'POST') {
    const body = requestBody(req, res, route).value;
    if (writeQuery(req.query, 'CreateOptions').dryRun) {
      await d.api.get(info, namespace, name);
      res.status(201).json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    res.status(201).json(await d.api.bind(namespace, name, body));
    return;
  }
  if (subresource === 'eviction' && method === 'POST') {
    const body = requestBody(req, res, route).value;
    res.status(201).json(await d.api.evict(namespace, name, body, { dryRun: writeQuery(req.query, 'CreateOptions').dryRun }));
    return;
  }
  if (subresource && subresource !== 'status') {
    throw new ApiError(400, 'BadRequest', `subresource ${subresource} is not supported for ${method} here`);
  }
  switch (method) {
    case 'GET':
      if (boolParam(req.query, 'watch')) {
        return serveWatch(d.api, d.hub, {
          res: info, namespace, fieldSelector: `metadata.name=${name}`, resourceVersion,
          timeoutSeconds: intParam(req, 'timeoutSeconds'), accept: req.headers.accept,
        }, res);
      }
      return sendObject(req, res, route, await d.api.get(info, namespace, name));
    case 'PUT': {
      const body = requestBody(req, res, route);
      return sendObject(req, res, route, await d.api.update(info, namespace, name, body.value, subresource, writeOptions(req, res, 'UpdateOptions', body)));
    }
    case 'PATCH': {
      const ct = req.headers['content-type'] ?? '';
      const body = requestBody(req, res, route);
      return sendObject(req, res, route, await d.api.patch(info, namespace, name, ct, body.value, subresource, writeOptions(req, res, 'PatchOptions', body)));
    }
    case 'DELETE': {
      const out = await d.api.delete(info, namespace, name, deleteOpts(req, requestBody(req, res, route).value));
      res.status(200).json(out);
      return;
    }
    default:
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
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
      log.error({ err, url: req.originalUrl, reqId: res.locals.reqId }, 'internal error');
      e = internalError((err as Error)?.message ?? String(err));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(e.code).json(e.toStatus());
  };
}
