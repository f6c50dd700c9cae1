import { ApiError, badRequest, type Pod } from '@kjobs/api';
import type { ApiService } from '../api-service.js';
import type { Verb } from '../authz.js';
import { logRequestFor } from '../registry/pod-log.js';
import { bindPod, evictPod } from '../registry/pod-subresources.js';
import { deleteParams, int64Param, listParams, logParams, boolParam, resourceVersionParam, stringParam, writeParams, writeQuery } from './params.js';
import type { Outcome, ResourceRequest } from './resource-request.js';

/** Serves one verb on one scope. */
type Handler = (api: ApiService, r: ResourceRequest) => Promise<Outcome>;
type VerbTable = Partial<Record<Verb, Handler>>;

const object = (code: number, body: unknown, warnings: readonly string[] = [], printable = true): Outcome => ({ type: 'object', code, body, warnings, printable });

function needName(r: ResourceRequest): string {
  if (!r.name) throw badRequest('name is required');
  return r.name;
}

/** Requests for a collection: `/namespaces/ns/pods`. */
const COLLECTION: VerbTable = {
  list: async (api, r) => object(200, await api.list(r.res, listParams(r.query, r.namespace))),
  watch: async (_api, r) => ({
    type: 'watch',
    watch: {
      res: r.res, namespace: r.namespace, labelSelector: stringParam(r.query, 'labelSelector'), fieldSelector: stringParam(r.query, 'fieldSelector'),
      resourceVersion: resourceVersionParam(r.query), timeoutSeconds: int64Param(r.query, 'timeoutSeconds'),
      allowWatchBookmarks: boolParam(r.query, 'allowWatchBookmarks'), asTable: r.asTable,
    },
  }),
  create: async (api, r) => {
    const body = r.body();
    const opts = writeParams(r.query, 'CreateOptions', body);
    return object(201, await api.create(r.res, r.namespace, body.value, opts), opts.warnings);
  },
  deletecollection: async (api, r) => {
    const opts = deleteParams(r.query, r.body().value);
    const q = listParams(r.query, r.namespace);
    return object(200, await api.deleteCollection(r.res, { namespace: r.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }, opts));
  },
};

/** Requests for one object, or its `/status`: `/namespaces/ns/pods/x[/status]`. */
const OBJECT: VerbTable = {
  get: async (api, r) => object(200, await api.get(r.res, r.namespace, needName(r))),
  watch: async (_api, r) => ({
    type: 'watch',
    watch: {
      res: r.res, namespace: r.namespace, fieldSelector: `metadata.name=${needName(r)}`, resourceVersion: resourceVersionParam(r.query),
      timeoutSeconds: int64Param(r.query, 'timeoutSeconds'), asTable: r.asTable,
    },
  }),
  update: async (api, r) => {
    const body = r.body();
    const opts = writeParams(r.query, 'UpdateOptions', body);
    return object(200, await api.update(r.res, r.namespace, needName(r), body.value, r.subresource, opts), opts.warnings);
  },
  patch: async (api, r) => {
    const body = r.body();
    const opts = writeParams(r.query, 'PatchOptions', body);
    const out = await api.patch(r.res, r.namespace, needName(r), r.contentType ?? 'application/merge-patch+json', body.value, r.subresource, opts);
    return object(200, out, opts.warnings);
  },
  // A DELETE answers the marked object or a Status, never as a Table.
  delete: async (api, r) => object(200, await api.delete(r.res, r.namespace, needName(r), deleteParams(r.query, r.body().value)), [], false),
};

/** Subresources with a REST of their own (status is served by OBJECT; attach, exec and portforward are upgrades, upgrade.ts). */
const SUBRESOURCES: Readonly<Record<string, VerbTable>> = {
  log: {
    get: async (api, r) => {
      const pod = (await api.get(r.res, r.namespace, needName(r))) as Pod;
      const { node, req } = logRequestFor(pod, logParams(r.query));
      return { type: 'log', node, log: req };
    },
  },
  binding: {
    create: async (api, r) => {
      const body = r.body().value;
      return object(201, await bindPod(api, r.namespace, needName(r), body, { dryRun: writeQuery(r.query, 'CreateOptions').dryRun }), [], false);
    },
  },
  eviction: {
    create: async (api, r) => {
      const body = r.body().value;
      return object(201, await evictPod(api, r.namespace, needName(r), body, { dryRun: writeQuery(r.query, 'CreateOptions').dryRun }), [], false);
    },
  },
};

const READS: ReadonlySet<Verb> = new Set(['get', 'list', 'watch']);

/**
 * The verb table: the handler of a request by its subresource, scope (collection or object) and
 * verb. A read's resourceVersion is checked before anything is served. Errors: 400 for a verb a
 * subresource does not serve, 405 for a verb its scope does not serve (PUT on a collection, POST
 * on an object).
 */
export function handlerFor(r: ResourceRequest): Handler {
  if (READS.has(r.verb)) resourceVersionParam(r.query);
  const sub = r.subresource;
  if (sub !== undefined && sub !== 'status') {
    const h = Object.hasOwn(SUBRESOURCES, sub) ? SUBRESOURCES[sub]![r.verb] : undefined;
    if (!h) throw badRequest(`subresource ${sub} is not supported for ${r.verb} here`);
    return h;
  }
  const h = (r.name === undefined ? COLLECTION : OBJECT)[r.verb];
  if (!h) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  return h;
}
