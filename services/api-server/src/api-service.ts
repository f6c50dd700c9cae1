import {
  ApiError, alreadyExists, applyDefaults, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, badRequest, conflict,
  generateJobSelector, groupVersion, invalid, isApiError, notFound, parseFieldSelector, parseLabelSelector,
  qualifiedResource, unsupportedMediaType, validate, validateStatusUpdate,
  type KList, type KObject, type Pod, type ResourceInfo, type Status,
} from '@kjobs/api';
import type { ChangeBatch, Store } from '@kjobs/store';
import { decideDelete, readyToRemove, type PropagationPolicy } from './deletion.js';
import { checkObjectFields, checkPatchedFields, type WriteOptions } from './decode-rules.js';
import { clone, generatedName, jsonEqual, newUid, rfc3339, withoutVolatile } from './object-meta.js';
import { prepareMainUpdate, prepareStatusUpdate } from './status-strategy.js';

export type { WriteOptions } from './decode-rules.js';

/** Kinds whose status is reset on create and kept on main-resource updates (they have /status). */
function hasStatusSubresource(res: ResourceInfo): boolean {
  return res.subresources.includes('status');
}

/** Kinds whose create keeps the status the client sent (a kubelet registers its Node with status). */
const KEEP_STATUS_ON_CREATE = new Set(['Node']);

/** Namespaces that always exist. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface DeleteOpts {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Server-side dry run: decide and answer, write nothing. */
  dryRun?: boolean;
}

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export type PatchContentType =
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

/** The api-server's behaviour, shared by the HTTP and NATS front ends. */
export interface ApiServiceOptions {
  store: Store;
  now?: () => Date;
}

/**
 * Kubernetes API semantics over the store: create (names, uids, defaults, validation), update and
 * patch with the spec/status split and generation, deletion with grace periods, finalizers and
 * propagation policies. Every write goes through here; it is the only writer of objects.
 */
export class ApiService {
  readonly store: Store;
  private readonly now: () => Date;
  /** Namespace → when it was last read active (requireNamespace). */
  private readonly activeNamespaces = new Map<string, number>();

  constructor(opts: ApiServiceOptions) {
    this.store = opts.store;
    this.now = opts.now ?? (() => new Date());
  }

  /** Create the namespaces that always exist (idempotent). */
  async ensureSystemNamespaces(): Promise<void> {
    const res = mustRes('', 'namespaces');
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.create(res, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } catch (e) {
        if (!isApiError(e, 409)) throw e;
      }
    }
  }

  async get(res: ResourceInfo, namespace: string, name: string): Promise<KObject> {
    const o = await this.store.get(res, scopeNs(res, namespace), name);
    if (!o) throw notFound(res, name);
    return o;
  }

  async list(res: ResourceInfo, q: ListQuery): Promise<KList> {
    const r = await this.store.list(res, {
      namespace: scopeNs(res, q.namespace ?? ''),
      labelSelector: parseLabelSelector(q.labelSelector),
      fieldSelector: parseFieldSelector(q.fieldSelector, res.fieldSelectors),
      limit: q.limit,
      continue: q.continue,
    });
    return {
      apiVersion: groupVersion(res),
      kind: res.listKind,
      metadata: { resourceVersion: r.resourceVersion, ...(r.continue ? { continue: r.continue } : {}) },
      items: r.items.map((o) => withKind(res, o)),
    };
  }

  /**
   * POST. With `dryRun` the object is decoded, defaulted and validated and answered as it would be
   * stored (uid and creationTimestamp set, no resourceVersion), and nothing is written.
   */
  async create(res: ResourceInfo, namespace: string, body: unknown, opts: WriteOptions = {}): Promise<KObject> {
    const warnings = checkObjectFields(res, body, opts);
    const obj = checkBody(res, body);
    const ns = scopeNs(res, namespace);
    if (res.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (!ns) throw badRequest('namespace is required for a namespaced resource');
      await this.requireNamespace(ns);
    }
    const meta = obj.metadata;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generatedName(meta.generateName!);
    if (!meta.name) throw invalid(res, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    meta.namespace = res.namespaced ? ns : undefined;
    if (!res.namespaced) delete meta.namespace;
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(this.now());
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    delete meta.selfLink;
    if (hasStatusSubresource(res) && !KEEP_STATUS_ON_CREATE.has(res.kind)) delete obj.status;
    // A generated name can collide (27^5 suffixes: ~1 in 7 runs of 2,000 pods): build the object
    // again with another name rather than failing a create for a name the caller never chose.
    for (let attempt = 0; ; attempt++) {
      const out = prepareForCreate(res, obj);
      if (opts.dryRun) {
        if (await this.store.get(res, out.metadata.namespace ?? '', out.metadata.name ?? '')) throw alreadyExists(res, out.metadata.name ?? '');
        opts.warnings?.push(...warnings);
        return out;
      }
      try {
        const created = await this.store.create(res, out);
        opts.warnings?.push(...warnings);
        return created;
      } catch (e) {
        if (!generated || attempt >= 5 || !isApiError(e, 409)) throw e;
        meta.name = generatedName(meta.generateName!);
      }
    }
  }

  /**
   * PUT. The main resource keeps the stored status; `/status` keeps the stored spec and metadata.
   * A stale resourceVersion is 409; an empty one is an unconditional update.
   */
  async update(res: ResourceInfo, namespace: string, name: string, body: unknown, subresource?: string, opts: WriteOptions = {}): Promise<KObject> {
    const warnings = checkObjectFields(res, body, opts);
    const obj = checkBody(res, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    const cur = await this.get(res, namespace, name);
    const out = await this.writeUpdate(res, cur, obj, obj.metadata.resourceVersion, subresource, opts.dryRun);
    opts.warnings?.push(...warnings);
    return out;
  }

  /** PATCH: apply the patch to the stored object and update; retries on a concurrent write when the patch names no resourceVersion. */
  async patch(res: ResourceInfo, namespace: string, name: string, contentType: string, patch: unknown, subresource?: string, opts: WriteOptions = {}): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(res, namespace, name);
      const patched = applyPatch(res, cur, contentType, patch);
      const warnings = checkPatchedFields(res, contentType, patch, patched, opts);
      const rv = patchedRv(contentType, patch);
      try {
        const out = await this.writeUpdate(res, cur, patched, rv ?? cur.metadata.resourceVersion, subresource, opts.dryRun);
        opts.warnings?.push(...warnings);
        return out;
      } catch (e) {
        if (rv === undefined && isApiError(e, 409) && (e as ApiError).reason === 'Conflict' && attempt < 5) continue;
        throw e;
      }
    }
  }

  /**
   * The update both PUT and PATCH end in. does: 1. the kind's strategy picks what the write may
   * change (status-strategy.ts); 2. defaults and generation (main resource); 3. the stale-write
   * check; 4. validation; 5. store it (or, in a dry run, answer what would be stored).
   */
  private async writeUpdate(res: ResourceInfo, cur: KObject, incoming: KObject, expectedRv: string | undefined, subresource?: string, dryRun = false): Promise<KObject> {
    if (res.resource === 'namespaces' && !dryRun) this.activeNamespaces.delete(cur.metadata.name ?? '');
    let next: KObject;
    if (subresource === 'status') {
      next = prepareStatusUpdate(res.kind, cur, incoming, res.namespaced);
    } else {
      next = prepareMainUpdate(res.kind, cur, incoming, { namespaced: res.namespaced, hasStatus: hasStatusSubresource(res) });
      next.apiVersion = groupVersion(res);
      next.kind = res.kind;
      next = applyDefaults(res.kind, next);
      if (!jsonEqual(specOf(next), specOf(cur))) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    if (cur.metadata.deletionTimestamp) {
      // Being deleted: new finalizers may not be added (Kubernetes forbids it, through /status too).
      const old = new Set(cur.metadata.finalizers ?? []);
      const added = (next.metadata.finalizers ?? []).filter((f) => !old.has(f));
      if (added.length) {
        throw invalid(res, cur.metadata.name ?? '', [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
      }
    }
    const name = cur.metadata.name ?? '';
    // A stale write is a Conflict before anything else, as in Kubernetes (the resourceVersion
    // check precedes validation): validating it against a newer object would answer 422 to a
    // writer that only needs to re-read — e.g. a controller's status from a lagging cache.
    if (expectedRv && expectedRv !== cur.metadata.resourceVersion) {
      const fresh = await this.store.get(res, cur.metadata.namespace ?? '', name);
      throw conflict(res, name, fresh);
    }
    const causes = subresource === 'status' ? validateStatusUpdate(res.kind, next, cur) : validate(res.kind, next, cur);
    if (causes.length) throw invalid(res, name, causes);
    if (readyToRemove(next)) {
      if (dryRun) return next;
      return this.store.delete(res, cur.metadata.namespace ?? '', name, { expectedRv: cur.metadata.resourceVersion });
    }
    if (jsonEqual(withoutVolatile(next), withoutVolatile(cur))) return cur;
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    if (dryRun) return next;
    return this.store.update(res, next, { expectedRv: cur.metadata.resourceVersion });
  }

  /** DELETE. Returns the marked object, or a Success Status once it is gone. */
  async delete(res: ResourceInfo, namespace: string, name: string, opts: DeleteOpts = {}): Promise<KObject | Status> {
    if (res.resource === 'namespaces' && !opts.dryRun) this.activeNamespaces.delete(name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(res, namespace, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw conflict(res, name, cur, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw conflict(res, name, cur, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      if (opts.propagationPolicy && !['Foreground', 'Background', 'Orphan'].includes(opts.propagationPolicy)) {
        throw invalid(res, name, [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"` }]);
      }
      const d = decideDelete(cur, res.kind, opts, this.now());
      if (opts.dryRun) return d.action === 'remove' ? successStatus(res, name, cur.metadata.uid) : d.object;
      try {
        if (d.action === 'remove') {
          const gone = await this.store.delete(res, scopeNs(res, namespace), name, { expectedRv: cur.metadata.resourceVersion });
          return successStatus(res, name, gone.metadata.uid);
        }
        if (d.object === cur) return cur;
        return await this.store.update(res, d.object, { expectedRv: cur.metadata.resourceVersion });
      } catch (e) {
        if (isApiError(e, 409) && (e as ApiError).reason === 'Conflict' && attempt < 5) continue;
        throw e;
      }
    }
  }

  /** DELETE on a collection: every matching object, with the same options. */
  async deleteCollection(res: ResourceInfo, q: ListQuery, opts: DeleteOpts): Promise<KList> {
    if (res.resource === 'namespaces' && !opts.dryRun) this.activeNamespaces.clear();
    const list = await this.list(res, { ...q, limit: undefined, continue: undefined });
    const out: KObject[] = [];
    for (const o of list.items) {
      try {
        const r = await this.delete(res, o.metadata.namespace ?? '', o.metadata.name ?? '', opts);
        out.push((r as Status).kind === 'Status' ? o : (r as KObject));
      } catch (e) {
        if (!isApiError(e, 404)) throw e;
      }
    }
    return { ...list, items: out };
  }

  /**
   * POST pods/binding: set spec.nodeName once. A second binding of a bound pod is 409, so two
   * schedulers can never place one pod twice.
   */
  async bind(namespace: string, name: string, body: unknown): Promise<Status> {
    const res = mustRes('', 'pods');
    const b = body as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
    const node = b?.target?.name;
    if (!node) throw invalid({ group: '', kind: 'Binding' }, name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    for (;;) {
      const pod = (await this.get(res, namespace, name)) as Pod;
      if (pod.spec.nodeName) throw conflict(res, name, pod, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      if (pod.metadata.deletionTimestamp) throw conflict(res, name, pod, `pod ${name} is being deleted, cannot be assigned to a host`);
      const next = clone(pod);
      next.spec.nodeName = node;
      const conds = (next.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conds.unshift({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.now()) });
      next.status = { ...next.status, conditions: conds };
      try {
        await this.store.update(res, next, { expectedRv: pod.metadata.resourceVersion });
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
      } catch (e) {
        if (isApiError(e, 409) && (e as ApiError).reason === 'Conflict') continue;
        throw e;
      }
    }
  }

  /**
   * POST pods/eviction, as the eviction REST of Kubernetes 1.26+: a pod that has not finished first
   * gets the DisruptionTarget condition (reason EvictionByEvictionAPI) in its status, so a Job's
   * podFailurePolicy can tell an eviction from a failure; then the pod is deleted gracefully.
   * A dry run (`deleteOptions.dryRun: ["All"]` or `?dryRun=All`) only checks.
   */
  async evict(namespace: string, name: string, body: unknown, opts: { dryRun?: boolean } = {}): Promise<Status> {
    const res = mustRes('', 'pods');
    const pod = (await this.get(res, namespace, name)) as Pod;
    const deleteOptions = (body as { deleteOptions?: DeleteOpts & { dryRun?: unknown } })?.deleteOptions ?? {};
    const dryRun = opts.dryRun || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes('All'));
    if (dryRun) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      conds.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(this.now()) });
      await this.patch(res, namespace, name, 'application/merge-patch+json', { status: { conditions: conds } }, 'status');
    }
    const { dryRun: _d, ...del } = deleteOptions;
    void _d;
    await this.delete(res, namespace, name, del);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  /** Changes of a kind after rv (the watch catch-up for NATS clients). */
  changes(res: ResourceInfo, rv: string, limit = 500): Promise<ChangeBatch> {
    return this.store.changesSince(res, rv, limit);
  }

  /**
   * NamespaceLifecycle: creates need an existing namespace that is not terminating. A namespace
   * found active is trusted for a second (kube-apiserver reads an informer cache here, which lags
   * too); every create paid a store read before.
   */
  private async requireNamespace(ns: string): Promise<void> {
    const seen = this.activeNamespaces.get(ns);
    const now = Date.now();
    if (seen !== undefined && now - seen < NAMESPACE_CACHE_MS) return;
    const nsRes = mustRes('', 'namespaces');
    const o = await this.store.get(nsRes, '', ns);
    if (!o) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (o.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, { name: ns, kind: 'namespaces' });
    }
    if (this.activeNamespaces.size >= 10_000) this.activeNamespaces.clear();
    this.activeNamespaces.set(ns, now);
  }
}

/** Defaults, the Job selector, the pod's initial status, a Service's ClusterIP; then validation (422). */
/** How long a namespace read active is trusted by creates in it. */
const NAMESPACE_CACHE_MS = 1_000;

function prepareForCreate(res: ResourceInfo, obj: KObject): KObject {
  let out = applyDefaults(res.kind, obj);
  if (res.kind === 'Job') out = generateJobSelector(out as never) as unknown as KObject;
  if (res.kind === 'Pod') out = initialPodStatus(out as Pod);
  if (res.kind === 'Service') out = allocateClusterIP(out);
  const causes = validate(res.kind, out);
  if (causes.length) throw invalid(res, obj.metadata.name ?? '', causes);
  return out;
}

function mustRes(group: string, resource: string): ResourceInfo {
  const r = findRes(group, resource);
  if (!r) throw new Error(`unknown resource ${group}/${resource}`);
  return r;
}

import { findResource as findRes } from '@kjobs/api';

function scopeNs(res: ResourceInfo, ns: string | undefined): string {
  return res.namespaced ? ns ?? '' : '';
}

function specOf(o: KObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  void _m; void _s; void _a; void _k;
  return rest;
}

/** Body must be a JSON object of this kind (kind/apiVersion filled in when absent). */
function checkBody(res: ResourceInfo, body: unknown): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const o = clone(body) as KObject;
  const gv = groupVersion(res);
  if (o.apiVersion !== undefined && o.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (o.kind !== undefined && o.kind !== res.kind) {
    throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${res.kind})`);
  }
  o.apiVersion = gv;
  o.kind = res.kind;
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) throw badRequest('metadata must be an object');
  return o;
}

function withKind(res: ResourceInfo, o: KObject): KObject {
  return { ...o, apiVersion: groupVersion(res), kind: res.kind };
}

function successStatus(res: ResourceInfo, name: string, uid?: string): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200,
    details: { name, group: res.group, kind: res.resource, ...(uid ? { uid } : {}) },
  };
}

function applyPatch(res: ResourceInfo, cur: KObject, contentType: string, patch: unknown): KObject {
  const ct = contentType.split(';')[0]!.trim();
  switch (ct) {
    case 'application/merge-patch+json':
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('the merge patch must be a JSON object');
      return applyMergePatch(clone(cur), patch) as KObject;
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('the JSON patch must be an array of operations');
      return applyJsonPatch(clone(cur), patch) as KObject;
    case 'application/strategic-merge-patch+json':
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('the strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(clone(cur), patch, res.kind) as KObject;
    default:
      throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  }
}

function patchedRv(contentType: string, patch: unknown): string | undefined {
  if (contentType.startsWith('application/json-patch+json')) return undefined;
  const rv = (patch as { metadata?: { resourceVersion?: unknown } })?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv ? rv : undefined;
}

/** A new pod starts Pending with its QoS class, as the pod strategy does. */
function initialPodStatus(p: Pod): KObject {
  const status = p.status ?? {};
  return { ...p, status: { phase: 'Pending', qosClass: qosClass(p), ...status, ...(status.phase ? {} : { phase: 'Pending' }) } } as KObject;
}

function qosClass(p: Pod): string {
  let anyReq = false;
  let guaranteed = true;
  for (const c of p.spec?.containers ?? []) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anyReq = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anyReq) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Services get a stable-looking ClusterIP from 10.96.0.0/16 (display only; pods reach Services through their env vars). */
function allocateClusterIP(svc: KObject): KObject {
  const spec = (svc.spec ?? {}) as Record<string, unknown>;
  if (spec.clusterIP === 'None' || (typeof spec.clusterIP === 'string' && spec.clusterIP)) return svc;
  const h = [...(svc.metadata.uid ?? '')].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  const ip = `10.96.${(h >> 8) & 255}.${Math.max(2, h & 255) % 254}`;
  return { ...svc, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } };
}

export { qualifiedResource };
