import { RESOURCE_VERBS, RESOURCES, groupVersion, type ResourceInfo } from '@kjobs/api';

/** The Kubernetes version kjobs reports (it picks which kubectl the dispatcher runs). */
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kjobs',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-27T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

function groups(): string[] {
  return [...new Set(RESOURCES.map((r) => r.group))];
}

const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  log: ['get'],
  binding: ['create'],
  eviction: ['create'],
  attach: ['create', 'get'],
  exec: ['create', 'get'],
  portforward: ['create', 'get'],
  scale: ['get', 'patch', 'update'],
  finalize: ['update'],
};

const SUB_KIND: Record<string, { group: string; version: string; kind: string }> = {
  log: { group: '', version: 'v1', kind: 'Pod' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions' },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions' },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
};

function verbsOf(r: ResourceInfo): string[] {
  return r.kind === 'Namespace' ? RESOURCE_VERBS.filter((v) => v !== 'deletecollection') : [...RESOURCE_VERBS];
}

/** Legacy `/api/v1` or `/apis/<g>/v1` APIResourceList. */
export function apiResourceList(group: string): unknown {
  const list = RESOURCES.filter((r) => r.group === group);
  const resources: unknown[] = [];
  for (const r of list) {
    resources.push({
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r),
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      const k = SUB_KIND[s] ?? { group: r.group, version: r.version, kind: r.kind };
      resources.push({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, ...(k.group !== r.group ? { group: k.group, version: k.version } : {}), kind: k.kind, verbs: SUB_VERBS[s] ?? ['get'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version: 'v1' }), resources };
}

/** Legacy `/api`. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** Legacy `/apis`. */
export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().filter((g) => g !== '').map((g) => ({
      name: g,
      versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
    })),
  };
}

/** Aggregated discovery (v2) for `/api` (core) or `/apis` (named groups). */
export function aggregatedDiscovery(core: boolean): unknown {
  const gs = groups().filter((g) => (core ? g === '' : g !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: gs.map((g) => ({
      metadata: { name: g, creationTimestamp: null },
      versions: [{
        version: 'v1',
        freshness: 'Current',
        resources: RESOURCES.filter((r) => r.group === g).map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: verbsOf(r),
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length ? { categories: r.categories } : {}),
          subresources: r.subresources.map((s) => ({
            subresource: s,
            responseKind: SUB_KIND[s] ?? { group: r.group, version: r.version, kind: r.kind },
            verbs: SUB_VERBS[s] ?? ['get'],
          })),
        })),
      }],
    })),
  };
}

const OPENAPI_HASH = 'KJOBS1';

/** `/openapi/v3`: the group-version index. */
export function openapiIndex(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of groups()) {
    const p = g ? `apis/${g}/v1` : 'api/v1';
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${OPENAPI_HASH}` };
  }
  return { paths };
}

/**
 * `/openapi/v3/<gv>`: a minimal document — PATCH operations that declare `fieldValidation`, so
 * kubectl validates on the server, and no requestBody, so kubectl builds strategic merge patches
 * from its compiled-in types.
 */
export function openapiGroupVersion(gvPath: string): unknown | undefined {
  const m = /^(api\/v1|apis\/([^/]+)\/v1)$/.exec(gvPath);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => x.group === group)) {
    const base = group ? `/apis/${group}/v1` : '/api/v1';
    const p = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
    paths[p] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
        responses: { 200: { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
