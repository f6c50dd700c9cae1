/**
 * kubectl apply's patch: `strategicpatch.CreateThreeWayMergePatch(original, modified, current)`.
 *
 * The patch is the difference from current to modified without deletions (what the manifest
 * sets that the live object does not have), plus the deletions from original to modified (what
 * the previous apply set that the manifest no longer does). Fields nobody applied — server
 * defaults, status, what controllers add — are never touched.
 *
 * With a schema (the kinds kubectl compiles in) lists with a merge key are merged per item:
 * changed items carry only their changed fields plus the key, removed items become
 * `{"$patch":"delete", key}`, and `$setElementOrder/<list>` gives the manifest's order; volumes
 * also carry `$retainKeys`. Without a schema (JSON merge patch) lists are replaced whole.
 */

type Obj = Record<string, unknown>;

/** Which lists merge by key, by field path (list indexes left out). */
export interface PatchSchema {
  mergeKey(path: readonly string[]): string | undefined;
  retainKeys(path: readonly string[]): boolean;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const BY_NAME = new Set(['containers', 'initContainers', 'ephemeralContainers', 'env', 'imagePullSecrets', 'resourceClaims', 'schedulingGates', 'secrets', 'volumes']);

/** Merge keys of the built-in kinds (k8s.io/api `patchMergeKey` tags, release-1.32). */
export const BUILTIN_SCHEMA: PatchSchema = {
  mergeKey(path) {
    const field = path[path.length - 1];
    if (field === undefined) return undefined;
    if (BY_NAME.has(field)) return 'name';
    if (field === 'ports') return path.some((p) => CONTAINER_LISTS.has(p)) ? 'containerPort' : 'port';
    switch (field) {
      case 'volumeMounts': return 'mountPath';
      case 'volumeDevices': return 'devicePath';
      case 'hostAliases': case 'podIPs': case 'hostIPs': return 'ip';
      case 'topologySpreadConstraints': return 'topologyKey';
      case 'ownerReferences': return 'uid';
      case 'conditions': case 'addresses': return 'type';
      default: return undefined;
    }
  },
  retainKeys(path) {
    return path[path.length - 1] === 'volumes';
  },
};

/** No merge keys: the patch is a JSON merge patch (kinds kubectl does not know). */
export const MERGE_PATCH_SCHEMA: PatchSchema = { mergeKey: () => undefined, retainKeys: () => false };

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Deep JSON equality (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

interface DiffOptions {
  ignoreDeletions: boolean;
  ignoreChangesAndAdditions: boolean;
}

function diffMaps(a: Obj, b: Obj, path: string[], schema: PatchSchema, o: DiffOptions): Obj {
  const patch: Obj = {};
  for (const [key, bv] of Object.entries(b)) {
    if (bv === undefined) continue;
    const has = Object.prototype.hasOwnProperty.call(a, key) && a[key] !== undefined;
    const av = a[key];
    if (!has) {
      if (!o.ignoreChangesAndAdditions) patch[key] = bv;
      continue;
    }
    if (isObj(av) && isObj(bv)) {
      const sub = diffMaps(av, bv, [...path, key], schema, o);
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (Array.isArray(av) && Array.isArray(bv)) {
      diffLists(patch, key, av, bv, [...path, key], schema, o);
    } else if (!jsonEqual(av, bv) && !o.ignoreChangesAndAdditions) {
      patch[key] = bv;
    }
  }
  if (!o.ignoreDeletions) {
    for (const key of Object.keys(a)) {
      if (a[key] !== undefined && (!Object.prototype.hasOwnProperty.call(b, key) || b[key] === undefined)) patch[key] = null;
    }
  }
  return patch;
}

function diffLists(patch: Obj, key: string, a: unknown[], b: unknown[], path: string[], schema: PatchSchema, o: DiffOptions): void {
  const mk = schema.mergeKey(path);
  const keyed = (l: unknown[]) => l.every((x) => isObj(x) && x[mk!] !== undefined && x[mk!] !== null);
  if (!mk || !keyed(a) || !keyed(b)) {
    if (!jsonEqual(a, b) && !o.ignoreChangesAndAdditions) patch[key] = b;
    return;
  }
  const idOf = (x: unknown) => JSON.stringify((x as Obj)[mk]);
  const before = new Map(a.map((x) => [idOf(x), x as Obj]));
  const after = new Set(b.map(idOf));
  const items: unknown[] = [];
  for (const item of b as Obj[]) {
    const prev = before.get(idOf(item));
    if (!prev) {
      if (!o.ignoreChangesAndAdditions) items.push(item);
      continue;
    }
    const sub = diffMaps(prev, item, path, schema, o);
    if (Object.keys(sub).length === 0) continue;
    sub[mk] = item[mk];
    if (schema.retainKeys(path)) sub.$retainKeys = Object.keys(item).filter((k) => item[k] !== undefined).sort();
    items.push(sub);
  }
  if (!o.ignoreDeletions) {
    for (const item of a as Obj[]) if (!after.has(idOf(item))) items.push({ $patch: 'delete', [mk]: item[mk] });
  }
  if (items.length === 0) return;
  patch[key] = items;
  patch[`$setElementOrder/${key}`] = (b as Obj[]).map((x) => ({ [mk]: x[mk] }));
}

/** Merge the additive delta into the deletions patch (both made by diffMaps). */
function mergePatches(del: Obj, delta: Obj, path: string[], schema: PatchSchema): Obj {
  const out: Obj = { ...del };
  for (const [k, v] of Object.entries(delta)) {
    const d = out[k];
    if (isObj(d) && isObj(v)) {
      out[k] = mergePatches(d, v, [...path, k], schema);
    } else if (Array.isArray(d) && Array.isArray(v) && !k.startsWith('$') && schema.mergeKey([...path, k])) {
      const mk = schema.mergeKey([...path, k])!;
      const id = (x: unknown) => JSON.stringify((x as Obj)[mk]);
      const fromDel = new Map((d as Obj[]).map((x) => [id(x), x]));
      const merged = (v as Obj[]).map((x) => {
        const other = fromDel.get(id(x));
        fromDel.delete(id(x));
        return other && other.$patch !== 'delete' ? mergePatches(other, x, [...path, k], schema) : x;
      });
      out[k] = [...merged, ...fromDel.values()];
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * The patch `kubectl apply` sends for an existing object: `original` is the previous
 * last-applied configuration (undefined when there is none: nothing is deleted), `modified` the
 * new manifest with its new annotation, `current` the live object. `{}` means unchanged.
 */
export function threeWayPatch(original: Obj | undefined, modified: Obj, current: Obj, schema: PatchSchema = BUILTIN_SCHEMA): Obj {
  const delta = diffMaps(current, modified, [], schema, { ignoreDeletions: true, ignoreChangesAndAdditions: false });
  const deletions = original ? diffMaps(original, modified, [], schema, { ignoreDeletions: false, ignoreChangesAndAdditions: true }) : {};
  return mergePatches(deletions, delta, [], schema);
}
