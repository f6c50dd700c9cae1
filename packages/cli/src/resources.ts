import { CliError } from './errors.js';

/** One resource type as discovery describes it. */
export interface ApiResource {
  /** "" for core. */
  group: string;
  version: string;
  /** Plural name, as in URLs: "jobs". */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
}

interface RawResource {
  name?: string;
  singularName?: string;
  kind?: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
}

/** Parse a legacy APIResourceList (`/api/v1`, `/apis/batch/v1`); subresources are skipped. */
export function parseApiResourceList(body: unknown): ApiResource[] {
  const b = (body ?? {}) as { groupVersion?: string; resources?: RawResource[] };
  const gv = b.groupVersion ?? 'v1';
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  return (b.resources ?? [])
    .filter((r) => r.name && !r.name.includes('/') && r.kind)
    .map((r) => ({
      group,
      version,
      name: r.name!,
      singularName: r.singularName || r.kind!.toLowerCase(),
      kind: r.kind!,
      namespaced: !!r.namespaced,
      shortNames: r.shortNames ?? [],
      categories: r.categories ?? [],
      verbs: r.verbs ?? [],
    }));
}

/** The preferred group-versions named by a legacy APIGroupList (`/apis`). */
export function parseApiGroupList(body: unknown): string[] {
  const b = (body ?? {}) as { groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] };
  return (b.groups ?? [])
    .map((g) => g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion)
    .filter((x): x is string => !!x);
}

function matches(r: ApiResource, word: string): boolean {
  return r.name === word || r.singularName === word || r.shortNames.includes(word) || r.kind.toLowerCase() === word;
}

/**
 * The resource a user means by `arg`: plural, singular, short name or kind, case-insensitive,
 * optionally qualified by group (`jobs.batch`) or version and group (`jobs.v1.batch`).
 * Exact plural names win over singular, short names and kinds.
 */
export function resolveResource(arg: string, resources: readonly ApiResource[]): ApiResource | undefined {
  const s = arg.trim().toLowerCase();
  const dot = s.indexOf('.');
  const word = dot < 0 ? s : s.slice(0, dot);
  const qualifier = dot < 0 ? undefined : s.slice(dot + 1);
  const inGroup = (r: ApiResource) => qualifier === undefined || qualifier === r.group || qualifier === `${r.version}.${r.group}`
    || (r.group === '' && qualifier === r.version);
  const candidates = resources.filter(inGroup);
  return candidates.find((r) => r.name === word)
    ?? candidates.find((r) => r.singularName === word)
    ?? candidates.find((r) => r.shortNames.includes(word))
    ?? candidates.find((r) => matches(r, word));
}

/**
 * Expand a comma-separated type list (`rs,svc,job`, `all`) into resources, in order, without
 * duplicates. Any unknown type fails the whole list, as kubectl does.
 */
export function resolveTypes(arg: string, resources: readonly ApiResource[]): ApiResource[] {
  const out: ApiResource[] = [];
  const add = (r: ApiResource) => {
    if (!out.includes(r)) out.push(r);
  };
  for (const part of arg.split(',').map((p) => p.trim()).filter(Boolean)) {
    const category = resources.filter((r) => r.categories.includes(part.toLowerCase()));
    const r = resolveResource(part, resources);
    if (r) add(r);
    else if (category.length) category.forEach(add);
    else throw new CliError(`the server doesn't have a resource type "${part}"`);
  }
  if (out.length === 0) throw new CliError('you must specify a resource type');
  return out;
}

/** The resource serving `apiVersion` + `kind` (what a manifest names). */
export function resourceForKind(resources: readonly ApiResource[], apiVersion: string | undefined, kind: string | undefined): ApiResource {
  const gv = apiVersion ?? '';
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  const r = resources.find((x) => x.kind === kind && x.group === group && x.version === version);
  if (!r) throw new CliError(`resource mapping not found for kind "${kind ?? ''}" in version "${gv}": ensure the kind is served by kjobs`);
  return r;
}

/** "job.batch", "pod": how kubectl names a type in `job.batch/pi created`. */
export function typeName(r: Pick<ApiResource, 'kind' | 'group'>): string {
  return r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase();
}

/** "jobs.batch", "pods": how Kubernetes names a resource in messages (`jobs.batch "pi" deleted`). */
export function qualifiedResource(r: Pick<ApiResource, 'name' | 'group'>): string {
  return r.group ? `${r.name}.${r.group}` : r.name;
}

/** `/apis/batch/v1/namespaces/ns/jobs`, or the cluster-wide collection when `namespace` is empty. */
export function collectionPath(r: ApiResource, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.name}` : `${base}/${r.name}`;
}

/** The path of one object (and a subresource). */
export function objectPath(r: ApiResource, namespace: string, name: string, subresource?: string): string {
  return `${collectionPath(r, r.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** A query string from defined, non-empty values. */
export function query(q: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One requested type with the names asked for (none = all). */
export interface TypeRequest {
  type: string;
  names: string[];
}

/**
 * Parse kubectl's resource arguments: `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME …` (not mixed).
 * Several TYPE/NAME pairs of the same type are grouped.
 */
export function parseResourceArgs(args: string[]): TypeRequest[] {
  if (args.length === 0) return [];
  const slashed = args.filter((a) => a.includes('/'));
  if (slashed.length === 0) return [{ type: args[0]!, names: args.slice(1) }];
  if (slashed.length !== args.length) {
    throw new CliError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form '
      + '(e.g. \'kjobs get resource/<resource_name>\' instead of \'kjobs get resource resource/<resource_name>\'');
  }
  const out: TypeRequest[] = [];
  for (const a of args) {
    const i = a.indexOf('/');
    const type = a.slice(0, i);
    const name = a.slice(i + 1);
    if (!type || !name) throw new CliError(`arguments in resource/name form must have a single resource and name: "${a}"`);
    const last = out[out.length - 1];
    if (last && last.type === type) last.names.push(name);
    else out.push({ type, names: [name] });
  }
  return out;
}
