/**
 * Hostile payloads for the api-server's NATS API (`<prefix>.api`): bytes that are not JSON, JSON
 * that is not a request, and requests that are invalid or not allowed. As over HTTP, every write
 * is invalid by construction, so nothing may be stored.
 */
import fc from 'fast-check';
import { defectiveObject, deepJson } from './api-bodies.js';

/** One generated NATS API message. `write` is true when success would mean something was stored. */
export interface NatsProbe {
  kind: string;
  data: Uint8Array;
  write: boolean;
}

const RESOURCES: { group: string; resource: string; kind: string; apiVersion: string; namespaced: boolean }[] = [
  { group: '', resource: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
  { group: 'batch', resource: 'jobs', kind: 'Job', apiVersion: 'batch/v1', namespaced: true },
  { group: 'batch', resource: 'cronjobs', kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true },
  { group: '', resource: 'events', kind: 'Event', apiVersion: 'v1', namespaced: true },
  { group: 'coordination.k8s.io', resource: 'leases', kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  { group: '', resource: 'nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
  { group: '', resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
];

const HOSTILE_NAMES = ['..', '../../etc/passwd', 'a/b', 'a\u0000b', '', ' ', 'UPPER', '{kjobs}', 'x'.repeat(300), '*', '>', 'a.>', '%2e%2e', 'é', '__proto__', 'kube-system\u0000'];
const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

export function hostileNatsRequest(tokens: { admin: string; node: string }): fc.Arbitrary<NatsProbe> {
  const res = fc.constantFrom(...RESOURCES);
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constant(tokens.admin) },
    { weight: 1, arbitrary: fc.constant(tokens.node) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'nope', `${tokens.admin}x`, 'x'.repeat(5000)) },
  );
  const name = fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s)));
  const nsName = fc.oneof(fc.constant('default'), name);

  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ kind: 'nats:garbage-bytes', data: b, write: false })),
    fc.constantFrom('{', 'null', '[]', '1', '"api"', '{"verb":', '\uFEFF{}', '{"verb":"get","resource":"pods"', '[{"verb":"create"}]', 'true').map((s) => ({ kind: 'nats:broken-json', data: enc.encode(s), write: false })),
    fc.oneof(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 1_000, max: 50_000 })).map((d) => ({ kind: 'nats:deep-json', data: enc.encode(deepJson(d, 'object')), write: false })),
  );

  const oddShapes = fc.tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(42, null, ['get'], { v: 1 }, 'GET', 'Get', '__proto__', 'constructor', 'toString')), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(7, null, ['pods'], 'pods/status', 'pods/../nodes', '__proto__')), token)
    .map(([verb, resource, t]) => ({ kind: 'nats:odd-shape', data: json({ verb, group: '', resource, token: t, namespace: 'default', name: 'x' }), write: false }));

  const creates = fc.tuple(res, token).chain(([r, t]) => defectiveObject({ path: () => '', kind: r.kind, apiVersion: r.apiVersion, namespaced: r.namespaced }).map((d) => {
    // Deep bodies travel as JSON text inside the request.
    const body = `{"verb":"create","group":${JSON.stringify(r.group)},"resource":${JSON.stringify(r.resource)},"namespace":"default","token":${JSON.stringify(t ?? null)},"body":${d.text}}`;
    return { kind: `nats:create:${d.why}`, data: enc.encode(body), write: true };
  }));

  const targeted = fc.tuple(res, fc.constantFrom('get', 'update', 'patch', 'delete', 'subresource'), nsName, name, token, fc.constantFrom(undefined, 'status', 'log', 'binding', 'eviction', '..', 'attach'), fc.constantFrom('application/merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'text/html', undefined))
    .map(([r, verb, ns, n, t, sub, ct]) => ({
      kind: `nats:${verb}-hostile-name`, write: verb !== 'get',
      data: json({ verb, group: r.group, resource: r.resource, namespace: ns, name: n, subresource: sub, token: t, contentType: ct,
        body: verb === 'patch' ? (ct === 'application/json-patch+json' ? [{ op: 'replace', path: '/metadata/labels', value: { a: 'b' } }] : { metadata: { labels: { a: 'b' } } })
          : verb === 'get' ? undefined : { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: n }, target: { name: 'node-1' } } }),
    }));

  const queries = fc.tuple(res, fc.constantFrom('list', 'changes', 'deletecollection'), token, fc.dictionary(
    fc.constantFrom('labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', '__proto__'),
    fc.oneof(fc.constantFrom('a in (b', '!!', '=', 'spec.nope=1', '-1', 'abc', 'NaN', '1e400', '', '99999999999999999999', 'x'.repeat(5000)), fc.string({ maxLength: 20 })),
  ))
    // A deletecollection must fail before it deletes: an unparsable selector and a namespaced kind in an empty namespace.
    .map(([r, verb, t, q]) => (verb === 'deletecollection'
      ? { kind: 'nats:deletecollection', write: true, data: json({ verb, group: 'batch', resource: 'jobs', namespace: 'default', token: t, query: { ...q, labelSelector: 'a in (b' } }) }
      : { kind: `nats:${verb}-odd-query`, write: false, data: json({ verb, group: r.group, resource: r.resource, namespace: 'default', token: t, query: q }) }));

  return fc.oneof(
    { weight: 3, arbitrary: garbage },
    { weight: 2, arbitrary: oddShapes },
    { weight: 4, arbitrary: creates },
    { weight: 4, arbitrary: targeted },
    { weight: 3, arbitrary: queries },
  );
}
