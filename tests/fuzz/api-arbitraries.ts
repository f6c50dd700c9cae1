/**
 * fast-check arbitraries of hostile api-server requests. Every generated request is invalid by
 * construction — a body that cannot parse, an object with at least one defect validation must
 * catch, a name that cannot exist, a method the API does not serve — so the server must refuse
 * each one and store nothing. Reads (GET with odd parameters) may succeed; they store nothing.
 */
import fc from 'fast-check';
import { baseObject, brokenJson, brokenYaml, COLLECTIONS, type Collection, deepJson, defectiveObject, isImpossibleName, validName, yamlBombs } from './api-bodies.js';
import type { RawRequest } from './raw-http.js';

/** Tokens the fixture registers. */
export interface Tokens {
  admin: string;
  node: string;
  scheduler: string;
}

const MiB = 1024 * 1024;

/** Names that exist in every fresh api-server: never used as hostile targets. */
const EXISTING = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Path segments meant to escape, confuse or inject: traversal, encoded separators, NUL, bad escapes. */
const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E%2E', '.%2e', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%5C..%5Cwindows',
  '%2F', 'a%2Fb', '%2f..%2f', '%00', 'a%00b', 'kube-system%00', '%252e%252e', '....%2F%2F', '%C0%AE%C0%AE', '%', '%ZZ',
  '%E0%A4%A', '%uFFFF', '%7Bkjobs%7D', '%7B%7D', 'a:b', '*', '%2A', '%20', 'a%20b', 'UPPER', 'Default', '-x-', '_x', 'x'.repeat(254),
  'a.'.repeat(127), '%F0%9F%92%A3', '%EF%BB%BF', '%0d%0aSet-Cookie:%20x', '%0A', 'a%3Bb', '%3F', '%23', '~', '%60id%60', '$(id)',
  '%24%7Bjndi%3Aldap%3A%2F%2Fx%7D', 'null', 'undefined', '__proto__', 'constructor',
];

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** A path segment (already encoded) naming nothing that can exist. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s.toUpperCase() + '_')) },
  { weight: 1, arbitrary: fc.integer({ min: 254, max: 8_000 }).map((n) => 'a'.repeat(n)) }, // longer lines hit Node's 16 KiB header limit (431)
).filter((seg) => {
  const d = safeDecode(seg);
  return d === undefined || (!EXISTING.has(d) && (isImpossibleName(d) || d.includes('/')));
});

/** A valid but absent name (a 404 target for get/put/patch/delete). */
const missingName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 4, maxLength: 12 }).map((s) => `missing-${s}`);

const WRONG_TYPES = ['text/html', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'image/png',
  'application/octet-stream', 'text/plain', 'application/vnd.kubernetes.protobuf', 'application/json; charset=utf-16', ';;;'];

function ns(c: Collection, segment: string): string {
  return c.path(c.namespaced ? segment : 'unused');
}

/** Everything a request can get wrong, as one arbitrary. */
export function hostileApiRequest(t: Tokens): fc.Arbitrary<RawRequest> {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const admin = auth(t.admin);
  const coll = fc.constantFrom(...COLLECTIONS);
  const json = { 'content-type': 'application/json' };

  const create = fc.tuple(coll, fc.constantFrom('default', 'kube-system'))
    .chain(([c, n]) => defectiveObject(c).map((d) => ({ kind: `create:${d.why}`, method: 'POST', path: ns(c, n), headers: { ...admin, ...json }, body: d.text })));

  const badJson = fc.tuple(coll, brokenJson, fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), fc.oneof(hostileSegment, missingName, fc.constant('default')))
    .map(([c, body, method, name]) => ({
      kind: 'broken-json', method,
      path: method === 'POST' ? ns(c, 'default') : method === 'DELETE' && name === 'default' ? ns(c, 'default') : `${c.path('default')}/${name}`,
      headers: { ...admin, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body,
    }));

  const badYaml = fc.tuple(coll, fc.oneof(brokenYaml, yamlBombs), fc.constantFrom('application/yaml', 'text/yaml', 'application/apply-patch+yaml', 'application/json'))
    .map(([c, body, ct]) => ({ kind: body.startsWith('l0:') ? 'yaml-bomb' : 'broken-yaml', method: ct === 'application/apply-patch+yaml' ? 'PATCH' : 'POST', path: ct === 'application/apply-patch+yaml' ? `${c.path('default')}/default` : ns(c, 'default'), headers: { ...admin, 'content-type': ct }, body }));

  const deepBody = fc.tuple(coll, fc.oneof(fc.integer({ min: 90, max: 2_000 }), fc.integer({ min: 10_000, max: 100_000 })), fc.constantFrom<'array' | 'object'>('array', 'object'), fc.constantFrom('application/json', 'application/yaml'))
    .map(([c, d, k, ct]) => ({ kind: 'deep-nesting', method: 'POST', path: ns(c, 'default'), headers: { ...admin, 'content-type': ct }, body: deepJson(d, k) }));

  // Merge patches deep enough to recurse on, against an object that exists (it must stay unchanged).
  const deepPatch = fc.tuple(fc.oneof(fc.integer({ min: 80, max: 110 }), fc.integer({ min: 1_000, max: 50_000 })), fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'))
    .map(([d, ct]) => ({
      kind: 'deep-patch', method: 'PATCH', path: '/api/v1/namespaces/default', headers: { ...admin, 'content-type': ct },
      body: ct === 'application/json-patch+json' ? `[{"op":"add","path":"/metadata/labels/x","value":${deepJson(d, 'object')}}]` : `{"metadata":{"labels":{"x":${deepJson(d, 'object')}}}}`,
    }));

  const traversal = fc.tuple(coll, hostileSegment, fc.oneof(hostileSegment, missingName), fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST'), fc.option(fc.constantFrom('status', 'log', 'binding', 'eviction', '..', '%2e%2e', 'attach', 'x'), { nil: undefined }))
    .map(([c, nsSeg, name, method, sub]) => {
      const path = `${ns(c, nsSeg)}/${name}${sub ? `/${sub}` : ''}`;
      const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({ ...baseObject(c, safeDecode(name) ?? 'x'), target: { name: 'node-1' } });
      return { kind: 'path-traversal', method, path, headers: { ...admin, ...(body ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}) }, body };
    });

  const traversalCreate = fc.tuple(coll.filter((c) => c.namespaced), hostileSegment, validName)
    .map(([c, nsSeg, name]) => ({ kind: 'create-in-hostile-namespace', method: 'POST', path: c.path(nsSeg), headers: { ...admin, ...json }, body: JSON.stringify(baseObject(c, name)) }));

  const unencoded = fc.constantFrom('/api/v1/namespaces/default/pods/../../../../etc/passwd', '/api/v1/namespaces/../pods', '/apis/batch/v1/namespaces/default/jobs/./x/../../..', '/api//v1//pods', '/api/v1/namespaces/default/pods/x/status/../../y', '/%2e%2e/%2e%2e/etc/passwd', '//api/v1/pods', '/api/v1/pods?watch=true&timeoutSeconds=x')
    .map((path) => ({ kind: 'raw-traversal', method: 'GET', path, headers: admin }));

  const wrongType = fc.tuple(coll, fc.constantFrom(...WRONG_TYPES), fc.oneof(brokenJson, fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')), coll.map((c) => JSON.stringify({ ...baseObject(c, 'x'), metadata: {} }))), fc.constantFrom('POST', 'PUT', 'PATCH'))
    .map(([c, ct, body, method]) => ({ kind: 'wrong-content-type', method, path: method === 'POST' ? ns(c, 'default') : `${c.path('default')}/${method === 'PATCH' ? 'default' : 'missing-x'}`, headers: { ...admin, 'content-type': ct }, body }));

  const protobufGarbage = fc.tuple(coll, fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.boolean())
    .map(([c, b, magic]) => ({ kind: 'protobuf-garbage', method: 'POST', path: ns(c, 'default'), headers: { ...admin, 'content-type': 'application/vnd.kubernetes.protobuf' }, body: Buffer.concat([magic ? Buffer.from([0x6b, 0x38, 0x73, 0x00]) : Buffer.alloc(0), Buffer.from(b)]) }));

  const selectorText = fc.oneof(
    fc.constantFrom('a in (b', 'a notin', '!!a', 'a=b=c', '=', ',,', 'a!=', 'in (x)', 'a in ()', 'a,b in (c', '(', 'a==b==c', '!', 'a=b,', 'x'.repeat(6_000), 'a in (' + 'b,'.repeat(1500) + 'c)', '%00', 'é=💣', 'metadata.name==', 'spec.unknown=x', 'status.phase!!=x', 'a=\u0000'),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
  const selectors = fc.tuple(coll, selectorText, fc.constantFrom('labelSelector', 'fieldSelector'), fc.boolean())
    .map(([c, sel, which, watch]) => ({
      kind: 'invalid-selector', method: 'GET',
      path: `${c.path('default')}?${which}=${encodeURIComponent(sel)}${watch ? '&watch=true&timeoutSeconds=soon' : ''}`, headers: admin,
    }));

  const deleteCollection = fc.tuple(coll, selectorText, brokenJson)
    .map(([c, sel, body]) => ({ kind: 'deletecollection-broken', method: 'DELETE', path: `${c.path('default')}?labelSelector=${encodeURIComponent(sel)}`, headers: { ...admin, ...json }, body }));

  const queryValue = fc.oneof(fc.constantFrom('-1', '1e9', 'abc', '', '0x10', '9'.repeat(400), '%00', 'true', '[]', '{}', '-0', 'NaN', 'Infinity', '１２'), fc.string({ unit: 'binary', maxLength: 30 }));
  const randomQuery = fc.tuple(coll, fc.array(fc.tuple(fc.constantFrom('limit', 'continue', 'resourceVersion', 'timeoutSeconds', 'gracePeriodSeconds', 'propagationPolicy', 'pretty', 'dryRun', 'fieldManager', 'watch', 'allowWatchBookmarks', 'tailLines', 'sinceSeconds', 'limitBytes', 'container', 'follow', '__proto__', 'x'), queryValue), { minLength: 1, maxLength: 6 }), fc.constantFrom('list', 'get', 'log', 'delete'))
    .map(([c, params, what]) => {
      let list = params;
      // A watch must fail before it streams (a working watch would hold the connection open).
      if (params.some(([k]) => k === 'watch')) list = [...params.filter(([k]) => k !== 'timeoutSeconds'), ['timeoutSeconds', 'never']];
      const qs = list.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const base = what === 'list' ? c.path('default') : what === 'log' ? '/api/v1/namespaces/default/pods/missing-pod/log' : `${c.path('default')}/missing-x`;
      // continue tokens are opaque: a forged one must be refused, and a valid list page is read-only.
      return { kind: `random-query-${what}`, method: what === 'delete' ? 'DELETE' : 'GET', path: `${base}?${qs}`, headers: admin };
    });

  const wrongMethod = fc.tuple(fc.constantFrom('OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'COPY', 'MOVE', 'REPORT', 'SEARCH', 'LINK', 'UNLOCK', 'POST', 'PUT'), fc.oneof(coll.map((c) => c.path('default')), coll.map((c) => `${c.path('default')}/missing-x`), fc.constantFrom('/api', '/apis', '/version', '/openapi/v3', '/api/v1', '/apis/batch/v1', '/metrics', '/')))
    .filter(([m, p]) => !((m === 'POST' || m === 'PUT') && /\/(pods|jobs|cronjobs|events|services|replicasets|leases|nodes|namespaces)$/.test(p)))
    .map(([method, path]) => ({ kind: 'wrong-method', method, path, headers: admin }));

  const badAuth = fc.tuple(fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer x y', `Bearer ${t.admin}x`, `Bearer ${t.admin.slice(1)}`, `Token ${t.admin}`, 'Bearer ' + 'a'.repeat(8000), 'Bearer %00', 'Negotiate x'),
    fc.string({ unit: fc.constantFrom(...'abcdef0123456789'), minLength: 1, maxLength: 64 }).map((s) => `Bearer ${s}`),
  ), coll, fc.constantFrom('GET', 'POST', 'DELETE'))
    .map(([authz, c, method]) => ({
      kind: 'bad-auth', method, path: method === 'DELETE' ? `${c.path('default')}/x` : c.path('default'),
      headers: { ...(authz !== undefined ? { authorization: authz } : {}), ...(method === 'POST' ? json : {}) },
      body: method === 'POST' ? JSON.stringify(baseObject(c, 'fuzz-unauth')) : undefined,
    }));

  // Scoped identities trying what they may not: a node writing another node, the scheduler creating pods.
  // (Events are theirs to write, so they are left out.)
  const wrongIdentity = fc.tuple(fc.constantFrom('node', 'scheduler'), coll.filter((c) => c.kind !== 'Event'), fc.constantFrom('POST', 'DELETE', 'PUT'))
    .map(([who, c, method]) => {
      const token = who === 'node' ? t.node : t.scheduler;
      const target = c.kind === 'Node' ? '/api/v1/nodes/some-other-node' : c.kind === 'Namespace' ? '/api/v1/namespaces/default' : `${c.path('default')}/x`;
      return {
        kind: `forbidden-${who}`, method, path: method === 'POST' ? ns(c, 'default') : target,
        headers: { ...auth(token), ...(method === 'DELETE' ? {} : json) },
        body: method === 'DELETE' ? undefined : JSON.stringify(baseObject(c, c.kind === 'Node' ? 'some-other-node' : 'fuzz-forbidden')),
      };
    });

  const upgrade = fc.tuple(fc.oneof(hostileSegment, missingName), fc.constantFrom('attach', 'exec', 'log', '%E0%A4%A', 'portforward'), fc.boolean())
    .map(([name, sub, token]) => ({
      kind: 'websocket-upgrade', method: 'GET', path: `/api/v1/namespaces/default/pods/${name}/${sub}?container=${encodeURIComponent('c')}&stdin=true`,
      headers: { ...(token ? admin : {}), connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' },
    }));

  const hugeLength = coll.map((c) => ({
    kind: 'lying-content-length', method: 'POST', path: ns(c, 'default'),
    raw: `POST ${ns(c, 'default')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.admin}\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{}`,
  }));

  // Refused by Node's HTTP parser before any handler runs: a bare 400/431, no Status body.
  const protocol = fc.oneof(
    fc.tuple(coll, fc.integer({ min: 20_000, max: 60_000 })).map(([c, n]) => ({ kind: 'protocol:huge-header', method: 'GET', path: c.path('default'), headers: { ...admin, 'x-junk': 'j'.repeat(n) } })),
    fc.constantFrom(
      'GET / HTTP/9.9\r\n\r\n', 'GET\r\n\r\n', 'GET /api HTTP/1.1\r\nNo-Colon\r\n\r\n', 'GET /api HTTP/1.1\r\nHost: x\u0000y\r\n\r\n',
      'POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
      'POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      '\u0000\u0001\u0002\r\n\r\n', 'GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n',
    ).map((raw) => ({ kind: 'protocol:malformed', method: 'RAW', path: raw.split(' ')[1] ?? '', raw })),
  );

  return fc.oneof(
    { weight: 14, arbitrary: create },
    { weight: 8, arbitrary: badJson },
    { weight: 6, arbitrary: badYaml },
    { weight: 1, arbitrary: deepBody },
    { weight: 1, arbitrary: deepPatch },
    { weight: 10, arbitrary: traversal },
    { weight: 4, arbitrary: traversalCreate },
    { weight: 2, arbitrary: unencoded },
    { weight: 6, arbitrary: wrongType },
    { weight: 4, arbitrary: protobufGarbage },
    { weight: 6, arbitrary: selectors },
    { weight: 3, arbitrary: deleteCollection },
    { weight: 8, arbitrary: randomQuery },
    { weight: 5, arbitrary: wrongMethod },
    { weight: 5, arbitrary: badAuth },
    { weight: 4, arbitrary: wrongIdentity },
    { weight: 3, arbitrary: upgrade },
    { weight: 1, arbitrary: hugeLength },
    { weight: 1, arbitrary: protocol },
  );
}

/** Oversized bodies are costly (4–6 MiB each): they come as a separate, smaller batch. */
export function oversizedApiRequest(t: Tokens): fc.Arbitrary<RawRequest> {
  const coll = fc.constantFrom(...COLLECTIONS);
  return fc.tuple(coll, fc.integer({ min: 4 * MiB, max: 6 * MiB }), fc.constantFrom('application/json', 'application/yaml'))
    .map(([c, size, ct]) => {
      const head = JSON.stringify({ ...baseObject(c, 'fuzz-oversized'), padding: '' }).slice(0, -2);
      return { kind: 'oversized-body', method: 'POST', path: ns(c, 'default'), headers: { authorization: `Bearer ${t.admin}`, 'content-type': ct }, body: `${head}${'x'.repeat(size)}"}` };
    });
}
