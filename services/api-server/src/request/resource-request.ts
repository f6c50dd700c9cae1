import { isApiError, type KList, type KObject, type ResourceInfo } from '@kjobs/api';
import type { ApiService } from '../api-service.js';
import type { Identity } from '../auth.js';
import { checkAccess, type Verb } from '../authz.js';
import type { DecodedBody } from '../http/request-decoding.js';
import type { LogRequest } from '../node-bridge.js';
import { nodePodsLoader } from '../node-pods.js';
import { strategyFor } from '../registry/index.js';
import { handlerFor } from './handlers.js';
import type { QueryValues } from './params.js';

/** One request for a resource, as either front end (HTTP, NATS) hands it to {@link serveResource}. */
export interface ResourceRequest {
  identity: Identity;
  verb: Verb;
  res: ResourceInfo;
  /** "" for cluster-scoped resources and all-namespace requests. */
  namespace: string;
  name?: string;
  subresource?: string;
  /** Parameters as the transport carries them (request/params.ts parses them). */
  query: QueryValues;
  /** A PATCH's Content-Type (NATS default: merge patch). */
  contentType?: string;
  /** The body, decoded on first call (authorization may need it before the handler does). */
  body(): DecodedBody;
  /** Answer objects as a meta.k8s.io Table (HTTP `Accept: …;as=Table`). */
  asTable?: boolean;
}

/** Parameters of one watch, for the front end to stream (HTTP) or catch up (NATS `changes`). */
export interface WatchRequest {
  res: ResourceInfo;
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  asTable?: boolean;
}

/**
 * What a request comes to: a body to answer with (its status code, warnings, and whether a Table
 * may stand for it), or a stream for the front end to serve — a watch or a pod's log from its node.
 */
export type Outcome =
  | { type: 'object'; code: number; body: unknown; warnings: readonly string[]; printable?: boolean }
  | { type: 'watch'; watch: WatchRequest }
  | { type: 'log'; node: string; log: LogRequest };

/**
 * The one request path of both front ends: the place a resource request starts and ends (a
 * stream's end is its front end's). does: 1. authorize (the one `checkAccess` call, reading the
 * stored object, the body or the node's pods only when the rules need them); 2. run the handler
 * the verb table picks (handlers.ts); 3. render a Table when asked.
 */
export async function serveResource(api: ApiService, r: ResourceRequest): Promise<Outcome> {
  await checkAccess(r.identity, { verb: r.verb, group: r.res.group, resource: r.res.resource, subresource: r.subresource, namespace: r.namespace, name: r.name }, {
    stored: () => api.get(r.res, r.namespace, r.name ?? '').catch((e: unknown) => {
      if (isApiError(e, 404)) return null;
      throw e;
    }),
    body: () => r.body().value,
    nodePods: nodePodsLoader(api, r.namespace),
  });
  const out = await handlerFor(r)(api, r);
  if (out.type !== 'object' || !out.printable || !r.asTable || r.subresource !== undefined) return out;
  return { ...out, body: asTable(r.res, out.body as KObject | KList) };
}

/** An object or a list as `kubectl get` asks for it (column definitions included). */
function asTable(res: ResourceInfo, obj: KObject | KList): unknown {
  const items = 'items' in obj ? (obj as KList).items : [obj as KObject];
  const table = strategyFor(res).toTable(items, new Date(), { includeColumnDefinitions: true }) as { metadata?: Record<string, unknown> };
  if ('items' in obj) table.metadata = { ...table.metadata, ...(obj as KList).metadata };
  return table;
}
