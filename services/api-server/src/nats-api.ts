import { ApiError, badRequest, findResource, internalError, isApiError, unauthorized, type Pod } from '@kjobs/api';
import { MAX_BATCH, decodeJson, encodeJson, type ApiReply, type ApiRequest, type NatsConnection, type Subjects } from '@kjobs/bus';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ApiService, DeleteOpts } from './api-service.js';
import type { Authenticator, Identity } from './auth.js';
import { checkAccess, type Verb } from './authz.js';
import { nodePodsLoader } from './node-pods.js';
import { assertBodyDepth } from './body-depth.js';
import type { Metrics } from './metrics.js';
import type { NodeBridge } from './node-bridge.js';
import { logRequestFor } from './http/logs.js';

/** NATS' default max payload is 1 MiB; replies above this are refused with a clear error. */
const MAX_REPLY_BYTES = 1024 * 1024 - 4096;

/**
 * Serve the API to services over NATS request/reply (queue group `api-server`, so several
 * api-servers share the load). Same semantics and errors as HTTP.
 */
export function serveNatsApi(nc: NatsConnection, subjects: Subjects, api: ApiService, auth: Authenticator, metrics: Metrics, nodes: NodeBridge, log: Logger): Subscription {
  return nc.subscribe(subjects.api(), {
    queue: 'api-server',
    callback: (_err, msg) => {
      const start = process.hrtime.bigint();
      let req: ApiRequest | undefined;
      void (async () => {
        let reply: ApiReply;
        try {
          req = decodeRequest(msg.data);
          const identity = auth.authenticate(req.token ? `Bearer ${req.token}` : undefined);
          if (!identity) throw unauthorized();
          if (req.verb === 'batch') {
            const items = batchItems(req);
            reply = { ok: true, body: await Promise.all(items.map((item) => settle(() => dispatch(api, nodes, item, identity), item, log))) };
          } else reply = { ok: true, body: await dispatch(api, nodes, req, identity) };
        } catch (e) {
          reply = failure(e, req, log);
        }
        let data = encodeJson(reply);
        if (data.length > MAX_REPLY_BYTES) {
          data = encodeJson({ ok: false, status: new ApiError(413, 'RequestEntityTooLarge', `reply of ${data.length} bytes exceeds the NATS payload limit; list with a smaller limit`).toStatus() } satisfies ApiReply);
        }
        msg.respond(data);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (req?.verb === 'batch' && reply.ok && Array.isArray(reply.body)) {
          // Each item counts as the request it is (write counts per resource stay true).
          const items = req.body as ApiRequest[];
          (reply.body as ApiReply[]).forEach((r, i) => metrics.observeNats('create', items[i]?.resource ?? 'unknown', r.ok ? 200 : r.status.code, ms));
        } else metrics.observeNats((req && kubeVerbOf(req.verb)) ?? 'unknown', req?.resource ?? 'unknown', reply.ok ? 200 : reply.status.code, ms);
      })();
    },
  });
}

/** The reply of a request that threw. */
function failure(e: unknown, req: ApiRequest | undefined, log: Logger): ApiReply {
  const err = e instanceof ApiError ? e : internalError((e as Error)?.message ?? String(e));
  if (!(e instanceof ApiError)) log.error({ err: e, verb: req?.verb, resource: req?.resource }, 'internal error (nats)');
  return { ok: false, status: err.toStatus() };
}

async function settle(fn: () => Promise<unknown>, req: ApiRequest, log: Logger): Promise<ApiReply> {
  try {
    return { ok: true, body: await fn() };
  } catch (e) {
    return failure(e, req, log);
  }
}

/** The items of a `batch` request: 1 to MAX_BATCH creates (anything else is a 400 for the whole batch, nothing done). */
function batchItems(req: ApiRequest): ApiRequest[] {
  const items = req.body;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) throw badRequest(`a batch carries 1 to ${MAX_BATCH} requests`);
  for (const item of items) {
    if (!item || typeof item !== 'object' || Array.isArray(item) || (item as ApiRequest).verb !== 'create' || (item as ApiRequest).subresource !== undefined) {
      throw badRequest('a batch carries only create requests');
    }
  }
  return items as ApiRequest[];
}

/** `limit` as the HTTP front end reads it: absent, or a safe integer (else 400). */
function limitParam(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw badRequest(`invalid limit: ${String(v).slice(0, 40)}`);
  return Number(v);
}

/** The request in a NATS message; bytes that are not a JSON object, or nest too deep, are a 400. */
function decodeRequest(data: Uint8Array): ApiRequest {
  let req: unknown;
  try {
    req = decodeJson<unknown>(data);
  } catch (e) {
    throw badRequest(`error decoding the API request as JSON: ${(e as Error).message}`);
  }
  if (!req || typeof req !== 'object' || Array.isArray(req)) throw badRequest('the API request must be a JSON object');
  assertBodyDepth(req);
  return req as ApiRequest;
}

/** The Kubernetes verb of a NATS API verb (`subresource` posts binding/eviction; `changes` is the watch catch-up). */
const VERBS: Record<string, Verb> = {
  get: 'get', list: 'list', create: 'create', update: 'update', patch: 'patch', delete: 'delete',
  deletecollection: 'deletecollection', subresource: 'create', changes: 'watch',
};

/** The Kubernetes verb of a NATS API verb, for metrics and authorization (undefined: not a Kubernetes request). */
function kubeVerbOf(natsVerb: string): Verb | undefined {
  return Object.hasOwn(VERBS, natsVerb) ? VERBS[natsVerb] : undefined;
}

async function dispatch(api: ApiService, nodes: NodeBridge, r: ApiRequest, identity: Identity): Promise<unknown> {
  const res = findResource(r.group ?? '', r.resource ?? '');
  if (!res) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const ns = r.namespace ?? '';
  const verb = kubeVerbOf(r.verb);
  if (verb) {
    const namespace = res.namespaced && r.verb !== 'changes' ? ns : '';
    await checkAccess(identity, { verb, group: res.group, resource: res.resource, subresource: r.subresource, namespace, name: r.name }, {
      stored: () => api.get(res, ns, r.name ?? '').catch((e: unknown) => {
        if (isApiError(e, 404)) return null;
        throw e;
      }),
      body: () => r.body,
      nodePods: nodePodsLoader(api, namespace),
    });
  }
  const q = r.query ?? {};
  const needName = () => {
    if (!r.name) throw badRequest('name is required');
    return r.name;
  };
  switch (r.verb) {
    case 'get':
      if (r.subresource === 'log') {
        const pod = (await api.get(res, ns, needName())) as Pod;
        const { node, req } = logRequestFor(pod, { ...q, follow: undefined });
        const chunks: Buffer[] = [];
        await nodes.logs(node, req, (c) => chunks.push(c));
        return Buffer.concat(chunks).toString('utf8');
      }
      return api.get(res, ns, needName());
    case 'list':
      return api.list(res, {
        namespace: ns, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector,
        limit: limitParam(q.limit), continue: q.continue,
      });
    case 'create':
      return api.create(res, ns, r.body);
    case 'update':
      return api.update(res, ns, needName(), r.body, r.subresource);
    case 'patch':
      return api.patch(res, ns, needName(), r.contentType ?? 'application/merge-patch+json', r.body, r.subresource);
    case 'delete':
      return api.delete(res, ns, needName(), (r.body ?? {}) as DeleteOpts);
    case 'deletecollection':
      return api.deleteCollection(res, { namespace: ns, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }, (r.body ?? {}) as DeleteOpts);
    case 'subresource':
      if (r.subresource === 'binding') return api.bind(ns, needName(), r.body);
      if (r.subresource === 'eviction') return api.evict(ns, needName(), r.body);
      throw badRequest(`unsupported subresource ${r.subresource}`);
    case 'changes': {
      const batch = await api.changes(res, q.resourceVersion ?? '0', limitParam(q.limit) ?? 500);
      return { last: batch.last, events: batch.events.map((e) => ({ type: e.type, rv: e.rv, prev: e.prev, object: e.object })) };
    }
    default:
      throw badRequest(`unknown verb ${String((r as { verb?: unknown }).verb)}`);
  }
}
