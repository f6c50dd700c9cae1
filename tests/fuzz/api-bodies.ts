/**
 * fast-check arbitraries of request bodies the api-server must refuse: objects of each served
 * kind with exactly one defect validation must catch, JSON and YAML that cannot parse, deeply
 * nested documents and YAML alias bombs. api-arbitraries.ts and nats-arbitraries.ts send them.
 */
import fc from 'fast-check';
import YAML from 'yaml';

/** A collection the fuzzers write to: its path, kind and apiVersion. */
export interface Collection {
  path: (ns: string) => string;
  kind: string;
  apiVersion: string;
  namespaced: boolean;
}

export const COLLECTIONS: Collection[] = [
  { path: (ns) => `/api/v1/namespaces/${ns}/pods`, kind: 'Pod', apiVersion: 'v1', namespaced: true },
  { path: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs`, kind: 'Job', apiVersion: 'batch/v1', namespaced: true },
  { path: (ns) => `/apis/batch/v1/namespaces/${ns}/cronjobs`, kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true },
  { path: (ns) => `/api/v1/namespaces/${ns}/events`, kind: 'Event', apiVersion: 'v1', namespaced: true },
  { path: (ns) => `/api/v1/namespaces/${ns}/services`, kind: 'Service', apiVersion: 'v1', namespaced: true },
  { path: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`, kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true },
  { path: (ns) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  { path: () => '/api/v1/nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
  { path: () => '/api/v1/namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A decoded name that is not a valid DNS subdomain (or is too long): nothing by that name can exist. */
export function isImpossibleName(s: string): boolean {
  return s.length === 0 || s.length > 253 || !DNS_SUBDOMAIN.test(s);
}

/** A name that is an invalid metadata.name inside a body (decoded form). */
const invalidBodyName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '.', '../../etc/passwd', 'a/b', 'a\u0000b', 'UPPER', '-x-', 'x'.repeat(254), '{kjobs}', 'a:b', '*', ' ', 'é', '💣', '__proto__'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
).filter((s) => isImpossibleName(s));

export const validName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 3, maxLength: 10 }).map((s) => `fuzz-${s}`);

/** A minimal valid object of each kind (the base each defect is added to). */
export function baseObject(c: Collection, name: string): Record<string, unknown> {
  const meta = { name };
  const podSpec = { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] };
  switch (c.kind) {
    case 'Pod': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: podSpec };
    case 'Job': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: { template: { spec: podSpec } } };
    case 'CronJob': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } } };
    case 'ReplicaSet': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { ...podSpec, restartPolicy: 'Always' } } } };
    case 'Service': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: { ports: [{ port: 80 }] } };
    case 'Event': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', message: 'm' };
    case 'Lease': return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, spec: { holderIdentity: 'x' } };
    default: return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta };
  }
}

/** A string nested `depth` times: `[[[…]]]` or `{"a":{"a":…}}`. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** `a: &a [x, x…]`, `b: &b [*a, *a…]`, … : 'billion laughs' in YAML. */
export function yamlBomb(depth: number, width: number, mapping: boolean): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < depth; i++) {
    lines.push(mapping
      ? `l${i}: &l${i} {${Array.from({ length: width }, (_, j) => `k${j}: *l${i - 1}`).join(', ')}}`
      : `l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

/** An object (as JSON text) with exactly one defect validation must reject, plus why. */
export function defectiveObject(c: Collection): fc.Arbitrary<{ why: string; text: string }> {
  const withName = (f: (o: Record<string, unknown>) => void, name = 'fuzz-x') => {
    const o = baseObject(c, name);
    f(o);
    return JSON.stringify(o);
  };
  const meta = (o: Record<string, unknown>) => o.metadata as Record<string, unknown>;
  return fc.oneof(
    invalidBodyName.map((n) => ({ why: 'invalid-name', text: JSON.stringify(baseObject(c, n)) })),
    fc.tuple(validName, fc.integer({ min: 64, max: 20_000 })).map(([n, len]) => ({ why: 'huge-label-value', text: withName((o) => (meta(o).labels = { app: 'v'.repeat(len) }), n) })),
    fc.tuple(validName, fc.integer({ min: 64, max: 20_000 })).map(([n, len]) => ({ why: 'huge-label-key', text: withName((o) => (meta(o).labels = { ['k'.repeat(len)]: 'v' }), n) })),
    fc.tuple(validName, fc.integer({ min: 100, max: 3_000 })).map(([n, count]) => ({
      why: 'many-bad-labels',
      text: withName((o) => (meta(o).labels = Object.fromEntries(Array.from({ length: count }, (_, i) => [`bad key ${i}`, `v${i}`]))), n),
    })),
    fc.tuple(validName, fc.integer({ min: 257, max: 1_200 })).map(([n, kib]) => ({ why: 'huge-annotations', text: withName((o) => (meta(o).annotations = { big: 'x'.repeat(kib * 1024) }), n) })),
    fc.tuple(validName, fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })).map(([n, s]) => ({ why: 'unicode-label', text: withName((o) => (meta(o).labels = { app: `${s}\u0000é💣` }), n) })),
    // Around the 100-level limit (accepted bodies must still pass every later stage) and far past it.
    fc.tuple(validName, fc.oneof(fc.integer({ min: 80, max: 110 }), fc.integer({ min: 1_000, max: 10_000 })), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([n, d, k]) => ({
      why: 'deep-label-value',
      text: withName((o) => (meta(o).labels = { app: '__DEEP__' }), n).replace('"__DEEP__"', deepJson(d, k)),
    })),
    fc.tuple(fc.oneof(fc.integer({ min: 80, max: 110 }), fc.integer({ min: 1_000, max: 10_000 })), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => ({
      why: 'deep-spec',
      text: withName((o) => (o.deep = '__DEEP__'), 'Deep_Invalid').replace('"__DEEP__"', deepJson(d, k)),
    })),
    validName.map((n) => ({ why: 'metadata-array', text: withName((o) => (o.metadata = [n])) })),
    validName.map((n) => ({ why: 'wrong-kind', text: withName((o) => (o.kind = 'Secret'), n) })),
    validName.map((n) => ({ why: 'wrong-apiVersion', text: withName((o) => (o.apiVersion = 'v0/../../v1'), n) })),
    // Cluster-scoped kinds ignore metadata.namespace, so there the mismatch is no defect.
    validName.map((n) => (c.namespaced
      ? { why: 'namespace-mismatch', text: withName((o) => (meta(o).namespace = 'kube-public'), n) }
      : { why: 'invalid-name', text: withName(() => undefined, `${n}/..`) })),
    validName.map((n) => ({ why: 'no-name', text: withName((o) => delete meta(o).name, n) })),
    fc.constant({ why: 'proto-pollution', text: withName(() => undefined, 'BAD_NAME').replace('"metadata":{', '"__proto__":{"isAdmin":true},"metadata":{"__proto__":{"x":1},') }),
  );
}

/** Bodies that cannot parse as JSON. */
export const brokenJson: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...COLLECTIONS), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([c, f]) => {
    const s = JSON.stringify(baseObject(c, 'fuzz-trunc'));
    return s.slice(0, Math.max(1, Math.floor(s.length * f))); // an empty body is no body: keep at least '{'
  }),
  fc.constantFrom('{', '}', '{"a":}', "{'a': 1}", '{"a" 1}', '[1,]', '{"a":1,}', 'NaN', 'undefined', '\uFEFF{}', '{"a":"\\x00"}', '{"a":"\\ud800', '\u0000', '{"metadata":{"name":"x"}}}', 'true false', '{"a":01}', '--', '<xml/>'),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => '{' + Buffer.from(b).toString('latin1')),
);

/** YAML that cannot parse (each has one fatal defect). */
export const brokenYaml: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...COLLECTIONS),
  fc.constantFrom(
    '\nmetadata: duplicate\n', // duplicate key (a same-value duplicate is only a warning in Kubernetes: this one is also invalid)
    '\nlabels: [unclosed\n',
    '\nlabels: {a: 1\n',
    '\nmessage: "unterminated\n',
    '\nref: *nowhere\n',
    '\n\tbad: tab-indented\n',
    '\n---\nkind: Second\n', // two documents
    '\n  metadata:\n name: wrong-indent\n',
    '\n? [complex, key]\n: value\n  bad: indent\n',
    '\n@reserved: x\n',
  ),
).map(([c, defect]) => YAML.stringify(baseObject(c, 'fuzz-yaml')) + defect);

export const yamlBombs: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.boolean())
  .map(([d, w, m]) => yamlBomb(d, w, m));
