/**
 * The one table of every resource kjobs serves: its group/version, kind, scope, short names and
 * subresources. Discovery, routing, the store's key layout and the clients all read it, so a kind is
 * added in exactly one place.
 */
export interface ResourceInfo {
  /** API group; "" for core. */
  group: string;
  version: string;
  /** Plural resource name as in the URL: "jobs". */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served, e.g. ["status", "log"]. */
  subresources: string[];
  /** Field paths usable in fieldSelector besides metadata.name / metadata.namespace. */
  fieldSelectors: string[];
  /** Field paths indexed in the store (subset of fieldSelectors). */
  fieldIndexes: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
export const RESOURCE_VERBS: readonly string[] = VERBS;

function r(p: Omit<ResourceInfo, 'listKind' | 'singular' | 'fieldIndexes' | 'fieldSelectors'> & Partial<ResourceInfo>): ResourceInfo {
  return {
    listKind: `${p.kind}List`,
    singular: p.kind.toLowerCase(),
    fieldSelectors: [],
    fieldIndexes: [],
    ...p,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
      subresources: ['status', 'log', 'binding', 'eviction', 'attach', 'exec', 'portforward'],
      fieldSelectors: ['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'status.podIP'],
      fieldIndexes: ['spec.nodeName', 'status.phase'] }),
  r({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], categories: [],
      subresources: ['status'], fieldSelectors: ['spec.unschedulable'] }),
  r({ group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], categories: [],
      subresources: [],
      fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
        'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
      fieldIndexes: ['involvedObject.uid'] }),
  r({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], categories: [],
      subresources: ['status', 'finalize'], fieldSelectors: ['status.phase'] }),
  r({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
      subresources: ['status'] }),
  r({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], categories: [],
      subresources: [] }),
  r({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, shortNames: [], categories: [],
      subresources: [], fieldSelectors: ['type'] }),
  r({ group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'],
      subresources: ['status', 'scale'], fieldSelectors: ['status.replicas'] }),
  r({ group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true, shortNames: [], categories: ['all'],
      subresources: ['status'], fieldSelectors: ['status.successful'] }),
  r({ group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true, shortNames: ['cj'], categories: ['all'],
      subresources: ['status'] }),
  r({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true, shortNames: [], categories: [],
      subresources: [] }),
];

/** "batch/v1" or "v1". */
export function groupVersion(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** "jobs.batch" or "pods": the name Kubernetes uses in error messages. */
export function qualifiedResource(info: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

const byResource = new Map(RESOURCES.map((x) => [`${x.group}/${x.resource}`, x]));
const byKind = new Map(RESOURCES.map((x) => [x.kind, x]));

/** The resource served at group + plural name, or undefined. */
export function findResource(group: string, resource: string): ResourceInfo | undefined {
  return byResource.get(`${group}/${resource}`);
}

/** The resource of a kind ("Job"), or undefined. */
export function resourceForKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/** The resource of a kind; throws if kjobs does not serve it (a programming error). */
export function mustResourceForKind(kind: string): ResourceInfo {
  const info = byKind.get(kind);
  if (!info) throw new Error(`kjobs does not serve kind ${kind}`);
  return info;
}
