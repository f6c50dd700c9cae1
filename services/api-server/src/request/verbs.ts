import type { Verb } from '../authz.js';

/**
 * How each front end names a request's Kubernetes verb — the verb that authorization, metrics and
 * the request path's handler table (handlers.ts) all key on.
 *
 *   HTTP                                   NATS `verb`          Kubernetes verb
 *   GET  collection / object               list / get           list / get
 *   GET  …?watch=true                      changes (catch-up)   watch
 *   POST collection, POST pods/x/binding   create, subresource  create
 *   PUT, PATCH object or /status           update, patch        update, patch
 *   DELETE object / collection             delete, deletecol…   delete / deletecollection
 */

/** The verb of an HTTP request (undefined: a method the API does not serve → 405). */
export function httpVerb(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET': return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return hasName ? 'delete' : 'deletecollection';
    default: return undefined;
  }
}

/** NATS API verb → Kubernetes verb (`subresource` posts binding/eviction; `changes` is the watch catch-up). */
const NATS_VERBS: Readonly<Record<string, Verb>> = {
  get: 'get', list: 'list', create: 'create', update: 'update', patch: 'patch', delete: 'delete',
  deletecollection: 'deletecollection', subresource: 'create', changes: 'watch',
};

/** The Kubernetes verb of a NATS API verb (undefined: not a resource request, e.g. `batch`). */
export function natsVerb(verb: string): Verb | undefined {
  return Object.hasOwn(NATS_VERBS, verb) ? NATS_VERBS[verb] : undefined;
}
