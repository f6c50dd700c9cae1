import { ApiError, badRequest, findResource, internalError, unauthorized } from '@kjobs/api';
import { MAX_BATCH, decodeJson, encodeJson, type ApiReply, type ApiRequest, type NatsConnection, type Subjects } from '@kjobs/bus';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ApiService } from './api-service.js';
import type { Authenticator, Identity } from './auth.js';
import { assertBodyDepth } from './body-depth.js';
import type { Metrics } from './metrics.js';
import type { NodeBridge } from './node-bridge.js';
import { JsonList } from './registry/json-list.js';
import { int64Param } from './request/params.js';
import { serveResource } from './request/resource-request.js';
import { natsVerb } from './request/verbs.js';

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
        let data = encodeReply(reply);
        if (data.length > MAX_REPLY_BYTES) {
          data = encodeJson({ ok: false, status: new ApiError(413, 'RequestEntityTooLarge', `reply of ${data.length} bytes exceeds the NATS payload limit; list with a smaller limit`).toStatus() } satisfies ApiReply);
        }
        msg.respond(data);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (req?.verb === 'batch' && reply.ok && Array.isArray(reply.body)) {
          // Each item counts as the request it is (write counts per resource stay true).
          const items = req.body as ApiRequest[];
          (reply.body as ApiReply[]).forEach((r, i) => metrics.observeNats('create', items[i]?.resource ?? 'unknown', r.ok ? 200 : r.status.code, ms));
        } else metrics.observeNats((req && natsVerb(req.verb)) ?? 'unknown', req?.resource ?? 'unknown', reply.ok ? 200 : reply.status.code, ms);
      })();
    },
  });
}

/** A reply's bytes; a list's from its stored JSON (registry/json-list.ts). */
function encodeReply(reply: ApiReply): Uint8Array {
  return reply.ok && reply.body instanceof JsonList ? reply.body.encode('{"ok":true,"body":', '}') : encodeJson(reply);
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

/**
 * One NATS request through the request path (request/resource-request.ts). What NATS carries
 * differently from HTTP: a followed log is read whole (a reply is one message), and a watch is
 * `changes` — one catch-up batch after resourceVersion (`limit`, default 500) — the client
 * subscribing to the relay for the rest.
 */
async function dispatch(api: ApiService, nodes: NodeBridge, r: ApiRequest, identity: Identity): Promise<unknown> {
  const res = findResource(r.group ?? '', r.resource ?? '');
  if (!res || (r.subresource !== undefined && !res.subresources.includes(r.subresource))) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const verb = natsVerb(r.verb);
  if (!verb) throw badRequest(`unknown verb ${String((r as { verb?: unknown }).verb)}`);
  const { follow: _follow, ...query } = r.query ?? {};
  void _follow;
  const out = await serveResource(api, {
    identity, verb, res, namespace: res.namespaced && r.verb !== 'changes' ? r.namespace ?? '' : '', name: r.name,
    subresource: r.subresource, query, contentType: r.contentType, body: () => ({ value: r.body }),
  });
  switch (out.type) {
    case 'object':
      return out.body;
    case 'log': {
      const chunks: Buffer[] = [];
      await nodes.logs(out.node, out.log, (c) => chunks.push(c));
      return Buffer.concat(chunks).toString('utf8');
    }
    case 'watch': {
      const batch = await api.changes(res, out.watch.resourceVersion ?? '0', int64Param(query, 'limit') ?? 500);
      return { last: batch.last, events: batch.events.map((e) => ({ type: e.type, rv: e.rv, prev: e.prev, object: e.object })) };
    }
  }
}
